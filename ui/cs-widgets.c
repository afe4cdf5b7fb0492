/* cs-widgets.c: small widget builders shared by the dashboard pages, and reading numbers users type. */
#define G_LOG_DOMAIN "cs-widgets"

#include "config.h"

#include <locale.h>
#include <math.h>

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

gboolean
cs_entry_parse_number (const char *text,
                       double     *value)
{
  const char *point = localeconv ()->decimal_point;
  g_autofree char *copy = NULL;
  char *end = NULL;
  double v;

  g_return_val_if_fail (value != NULL, FALSE);
  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));
  if (*copy == '\0')
    return FALSE;
  /* The locale's separator becomes '.', which g_ascii_strtod reads whatever the locale; '.' itself is always
   * taken, so a value copied from an export (C locale) or typed the English way still reads. glibc's locales
   * all have a one-byte decimal separator. */
  if (point != NULL && point[0] != '\0' && point[1] == '\0' && point[0] != '.')
    for (char *p = copy; *p != '\0'; p++)
      if (*p == point[0])
        *p = '.';
  v = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0' || !isfinite (v))
    return FALSE;
  *value = v;
  return TRUE;
}
