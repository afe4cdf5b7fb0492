/* cs-widgets.c: small widget builders shared by the dashboard pages. */
#define G_LOG_DOMAIN "cs-widgets"

#include "config.h"

#include "cs-widgets.h"

GtkWidget *
cs_section_new (const char *title,
                GtkWidget  *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (child, "card");
  gtk_box_append (GTK_BOX (box), child);
  return box;
}
