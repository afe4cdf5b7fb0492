/* cs-set-aside.c: the window's cases set aside with a reason, the side file, the table's context menu. */
#define G_LOG_DOMAIN "cs-set-aside"

#include "config.h"

#include <string.h>

#include "cs-data-error.h"
#include "cs-set-aside.h"
#include "cs-window.h"

typedef struct
{
  CsCaseBase *all;                 /* as imported */
  CsCaseBase *shown;               /* all without the cases set aside */
  CsExclusions *record;
  char *path;                      /* the side file, NULL for a base without a file */
} SetAside;

static void
set_aside_free (gpointer p)
{
  SetAside *s = p;

  g_clear_pointer (&s->all, cs_case_base_unref);
  g_clear_pointer (&s->shown, cs_case_base_unref);
  g_clear_pointer (&s->record, cs_exclusions_free);
  g_free (s->path);
  g_free (s);
}

static SetAside *
state (GtkWidget *window)
{
  return window != NULL ? g_object_get_data (G_OBJECT (window), "cs-set-aside") : NULL;
}

const CsExclusions *
cs_set_aside_get (GtkWidget *window)
{
  SetAside *s = state (window);

  return s != NULL ? s->record : NULL;
}

const char *
cs_set_aside_get_path (GtkWidget *window)
{
  SetAside *s = state (window);

  return s != NULL ? s->path : NULL;
}

/* ---- the reason dialog -------------------------------------------------------- */

typedef struct
{
  GtkWidget *window;
  GtkWidget *dialog;
  GtkWidget *entry;
  guint line;
} ReasonDialog;

static void
reason_changed_cb (GtkEditable *entry,
                   GtkWidget   *button)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  gtk_widget_set_sensitive (button, text[0] != '\0');
}

static void
reason_accept (ReasonDialog *rd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (rd->entry))));

  if (text[0] == '\0')
    return;
  if (!cs_set_aside_case (rd->window, rd->line, text, &error))
    cs_window_show_message (CS_WINDOW (rd->window), GTK_MESSAGE_ERROR, error->message);
  gtk_window_destroy (GTK_WINDOW (rd->dialog));
}

static void
set_aside_dialog (GtkWidget *window,
                  guint      line)
{
  SetAside *s = state (window);
  ReasonDialog *rd;
  GtkWidget *box, *label, *buttons, *cancel, *ok;
  g_autofree char *text = NULL;
  const char *id = NULL;

  if (s == NULL || s->shown == NULL)
    return;
  for (gsize i = 0; i < s->shown->n && id == NULL; i++)
    if (s->shown->line[i] == line && s->shown->ids != NULL)
      id = s->shown->ids[i];
  rd = g_new0 (ReasonDialog, 1);
  rd->window = window;
  rd->line = line;
  rd->dialog = gtk_window_new ();
  gtk_widget_set_name (rd->dialog, "set-aside-dialog");
  gtk_window_set_title (GTK_WINDOW (rd->dialog), "Set Case Aside");
  gtk_window_set_transient_for (GTK_WINDOW (rd->dialog), GTK_WINDOW (window));
  gtk_window_set_modal (GTK_WINDOW (rd->dialog), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (rd->dialog), FALSE);
  g_object_set_data_full (G_OBJECT (rd->dialog), "cs-reason-dialog", rd, g_free);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  text = g_strdup_printf ("Line %u%s%s%s is left out of the model, the charts and the exports until it is taken "
                          "back. The file itself is not changed: the reason is recorded in %s.",
                          line, id != NULL ? " (" : "", id != NULL ? id : "", id != NULL ? ")" : "",
                          s->path != NULL ? s->path : "a side file");
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  rd->entry = gtk_entry_new ();
  gtk_widget_set_name (rd->entry, "set-aside-reason");
  gtk_entry_set_placeholder_text (GTK_ENTRY (rd->entry), "Reason (required)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (rd->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, "Reason", -1);
  gtk_box_append (GTK_BOX (box), rd->entry);
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  cancel = gtk_button_new_with_mnemonic ("_Cancel");
  ok = gtk_button_new_with_mnemonic ("_Set Aside");
  gtk_widget_add_css_class (ok, "destructive-action");
  gtk_widget_set_sensitive (ok, FALSE);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), ok);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_window_set_child (GTK_WINDOW (rd->dialog), box);
  g_signal_connect (rd->entry, "changed", G_CALLBACK (reason_changed_cb), ok);
  g_signal_connect_swapped (rd->entry, "activate", G_CALLBACK (reason_accept), rd);
  g_signal_connect_swapped (ok, "clicked", G_CALLBACK (reason_accept), rd);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), rd->dialog);
  gtk_window_present (GTK_WINDOW (rd->dialog));
}

/* ---- actions -------------------------------------------------------------------- */

static void
set_aside_activate (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  set_aside_dialog (GTK_WIDGET (user_data), g_variant_get_uint32 (param));
}

static void
take_back_activate (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cs_set_aside_take_back (GTK_WIDGET (user_data), g_variant_get_uint32 (param), &error))
    cs_window_show_message (CS_WINDOW (user_data), GTK_MESSAGE_ERROR, error->message);
}

static void
install_actions (GtkApplicationWindow *window)
{
  static const GActionEntry entries[] = {
    { "set-aside", set_aside_activate, "u", NULL, NULL, { 0 } },
    { "take-back", take_back_activate, "u", NULL, NULL, { 0 } },
  };

  if (g_action_map_lookup_action (G_ACTION_MAP (window), "set-aside") == NULL)
    g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
}

/* ---- the record ------------------------------------------------------------------- */

CsCaseBase *
cs_set_aside_prepare (GtkApplicationWindow *window,
                      CsCaseBase           *all,
                      char                **note)
{
  SetAside *s = state (GTK_WIDGET (window)), *fresh;
  g_autoptr(GPtrArray) unmatched = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (note != NULL)
    *note = NULL;
  install_actions (window);
  if (all == NULL)
    {
      g_object_set_data (G_OBJECT (window), "cs-set-aside", NULL);
      return NULL;
    }
  /* The base shown after a change is handed back by the window's own code paths. */
  if (s != NULL && all == s->shown)
    return cs_case_base_ref (all);

  fresh = g_new0 (SetAside, 1);
  fresh->all = cs_case_base_ref (all);
  if (all->source_path != NULL && strstr (all->source_path, "://") == NULL)   /* a file, not a URI */
    {
      fresh->path = cs_exclusions_side_path (all->source_path);
      fresh->record = cs_exclusions_load (fresh->path, NULL, &error);
    }
  if (fresh->record == NULL)
    {
      if (error != NULL && note != NULL)
        *note = g_strdup_printf ("The cases set aside could not be read (all cases are shown): %s", error->message);
      fresh->record = cs_exclusions_new ();
    }
  fresh->shown = cs_case_base_exclude (all, fresh->record, unmatched, NULL);
  if (unmatched->len > 0 && note != NULL && *note == NULL)
    {
      g_ptr_array_add (unmatched, NULL);
      {
        g_autofree char *joined = g_strjoinv ("; ", (char **) unmatched->pdata);
        *note = g_strdup_printf ("%s: %s", fresh->path, joined);
      }
    }
  g_object_set_data_full (G_OBJECT (window), "cs-set-aside", fresh, set_aside_free);
  return cs_case_base_ref (fresh->shown);
}

/* Write the changed record, then show the full base again (prepare filters it with the new record). */
static gboolean
commit (GtkWidget     *window,
        SetAside      *s,
        CsExclusions  *changed,
        GError       **error)
{
  const char *protect[] = { s->all->source_path, NULL };
  g_autoptr(CsCaseBase) all = NULL;

  if (!cs_exclusions_save (changed, s->path, protect, error))
    return FALSE;
  all = cs_case_base_ref (s->all);
  /* forget the shown base, so the window's call reads the side file again */
  g_object_set_data (G_OBJECT (window), "cs-set-aside", NULL);
  cs_window_set_case_base (CS_WINDOW (window), all);
  return TRUE;
}

static CsExclusions *
copy_record (const CsExclusions *from)
{
  CsExclusions *to = cs_exclusions_new ();

  for (guint i = 0; i < from->items->len; i++)
    {
      const CsExclusion *e = from->items->pdata[i];
      cs_exclusions_add (to, e->line, e->label, e->reason, e->when, NULL);
    }
  return to;
}

gboolean
cs_set_aside_case (GtkWidget  *window,
                   guint       line,
                   const char *reason,
                   GError    **error)
{
  SetAside *s = state (window);
  g_autoptr(CsExclusions) changed = NULL;
  gssize row = -1;

  if (s == NULL || s->path == NULL)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE,
                   "Cases can be set aside only in a case base opened from a file (the record is kept next to it)");
      return FALSE;
    }
  for (gsize i = 0; i < s->shown->n && row < 0; i++)
    if (s->shown->line[i] == line)
      row = (gssize) i;
  if (row < 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE, "Line %u holds no case that is shown", line);
      return FALSE;
    }
  changed = copy_record (s->record);
  if (!cs_exclusions_add (changed, line, s->shown->ids != NULL ? s->shown->ids[row] : NULL, reason, NULL, error))
    return FALSE;
  return commit (window, s, changed, error);
}

gboolean
cs_set_aside_take_back (GtkWidget *window,
                        guint      line,
                        GError   **error)
{
  SetAside *s = state (window);
  g_autoptr(CsExclusions) changed = NULL;

  if (s == NULL || s->path == NULL || cs_exclusions_find (s->record, line) == NULL)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE, "Line %u is not set aside", line);
      return FALSE;
    }
  changed = copy_record (s->record);
  cs_exclusions_remove (changed, line);
  return commit (window, s, changed, error);
}

/* ---- the table's context menu ------------------------------------------------------- */

void
cs_set_aside_mark_cell (GtkWidget *cell_child,
                        guint      line)
{
  g_object_set_data (G_OBJECT (cell_child), "cs-case-line", GUINT_TO_POINTER (line));
}

static gboolean
unparent_idle_cb (gpointer data)
{
  GtkWidget *popover = data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  g_object_unref (popover);
  return G_SOURCE_REMOVE;
}

static void
popover_closed_cb (GtkPopover *popover)
{
  g_idle_add (unparent_idle_cb, g_object_ref (popover));
}

static void
table_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  gpointer         user_data)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (view));
  const CsExclusions *record = cs_set_aside_get (window);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) back = g_menu_new ();
  GtkWidget *popover;
  guint line = 0;

  for (GtkWidget *w = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT); w != NULL && w != view && line == 0;
       w = gtk_widget_get_parent (w))
    line = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (w), "cs-case-line"));
  if (line > 0)
    {
      g_autofree char *detailed = g_strdup_printf ("win.set-aside(uint32 %u)", line);
      g_autofree char *label = g_strdup_printf ("Set Line %u Aside…", line);
      g_menu_append (menu, label, detailed);
    }
  for (guint i = 0; record != NULL && i < record->items->len; i++)
    {
      const CsExclusion *e = record->items->pdata[i];
      g_autofree char *detailed = g_strdup_printf ("win.take-back(uint32 %u)", e->line);
      g_autofree char *label = g_strdup_printf ("Take Back Line %u%s%s%s: %s", e->line, e->label != NULL ? " (" : "",
                                                e->label != NULL ? e->label : "", e->label != NULL ? ")" : "",
                                                e->reason);
      g_menu_append (back, label, detailed);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (back)) > 0)
    g_menu_append_section (menu, "Set Aside", G_MENU_MODEL (back));
  if (g_menu_model_get_n_items (G_MENU_MODEL (menu)) == 0)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, view);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_halign (popover, GTK_ALIGN_START);
  /* unparented once closed (a popover per click), after the menu item's action has run */
  g_signal_connect (popover, "closed", G_CALLBACK (popover_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
}

void
cs_set_aside_attach_table (GtkWidget *column_view)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (table_pressed_cb), NULL);
  gtk_widget_add_controller (column_view, GTK_EVENT_CONTROLLER (click));
}
