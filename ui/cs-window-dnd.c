/* cs-window-dnd.c: the window's drop target: a CSV, TSV or TXT file dropped anywhere opens in the import preview;
 * a hint covers the content while a drag is over the window. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-window-private.h"

/* What the import preview reads (cs-csv-loader.h sniffs the delimiter of each). */
static gboolean
is_table_file (GFile *file)
{
  static const char *const suffixes[] = { ".csv", ".tsv", ".txt", ".CSV" };
  g_autofree char *name = g_file_get_basename (file);

  for (gsize k = 0; name != NULL && k < G_N_ELEMENTS (suffixes); k++)
    if (g_str_has_suffix (name, suffixes[k]))
      return TRUE;
  return FALSE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CsWindow      *self)
{
  gtk_widget_set_visible (self->drop_overlay, FALSE);
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    if (is_table_file (l->data))
      {
        cs_window_open_file (self, l->data);
        return TRUE;
      }
  cs_window_show_notice (self, _("Only CSV, TSV or TXT files can be opened"), NULL);
  return FALSE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               CsWindow      *self)
{
  gtk_widget_set_visible (self->drop_overlay, TRUE);
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               CsWindow      *self)
{
  gtk_widget_set_visible (self->drop_overlay, FALSE);
}

void
_cs_window_init_dnd (CsWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (drop, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
