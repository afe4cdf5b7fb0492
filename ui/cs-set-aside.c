/* cs-set-aside.c: the window's cases set aside with a reason, the side file, the reason dialog
 * (ui/cs-set-aside.ui), the table's context menu. */
#define G_LOG_DOMAIN "cs-set-aside"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-ui-resources.h"
#include "cs-data-error.h"
#include "cs-case-table.h"
#include "cs-set-aside.h"
#include "cs-window.h"

/* The window's record (cs_window_get_set_aside); empty (all NULL) until a case base is shown. */
struct _CsSetAside
{
  CsCaseBase *all;                 /* as imported */
  CsCaseBase *shown;               /* all without the cases set aside */
  CsExclusions *record;
  char *path;                      /* the side file, NULL for a base without a file */
};

typedef CsSetAside SetAside;

CsSetAside *
cs_set_aside_new (void)
{
  return g_new0 (CsSetAside, 1);
}

static void
set_aside_clear (SetAside *s)
{
  g_clear_pointer (&s->all, cs_case_base_unref);
  g_clear_pointer (&s->shown, cs_case_base_unref);
  g_clear_pointer (&s->record, cs_exclusions_free);
  g_clear_pointer (&s->path, g_free);
}

void
cs_set_aside_free (CsSetAside *s)
{
  if (s == NULL)
    return;
  set_aside_clear (s);
  g_free (s);
}

/* The window's record, when there is a case base (else NULL). */
static SetAside *
state (GtkWidget *window)
{
  SetAside *s = window != NULL && CS_IS_WINDOW (window) ? cs_window_get_set_aside (CS_WINDOW (window)) : NULL;

  return s != NULL && s->all != NULL ? s : NULL;
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

#define CS_TYPE_SET_ASIDE_DIALOG (cs_set_aside_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsSetAsideDialog, cs_set_aside_dialog, CS, SET_ASIDE_DIALOG, GtkWindow)

struct _CsSetAsideDialog
{
  GtkWindow parent_instance;

  /* Template widgets */
  GtkWidget *explanation;
  GtkWidget *entry;
  GtkWidget *ok_button;

  GtkWidget *window;               /* the transient parent, a CsWindow */
  guint line;
};

G_DEFINE_FINAL_TYPE (CsSetAsideDialog, cs_set_aside_dialog, GTK_TYPE_WINDOW)

static void
reason_changed_cb (GtkEditable      *entry,
                   CsSetAsideDialog *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  gtk_widget_set_sensitive (self->ok_button, text[0] != '\0');
}

static void
reason_accept (CsSetAsideDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  if (text[0] == '\0')
    return;
  if (!cs_set_aside_case (self->window, self->line, text, &error))
    cs_window_show_message (CS_WINDOW (self->window), GTK_MESSAGE_ERROR, error->message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
reason_activate_cb (GtkEntry         *entry,
                    CsSetAsideDialog *self)
{
  reason_accept (self);
}

static void
ok_clicked_cb (GtkButton        *button,
               CsSetAsideDialog *self)
{
  reason_accept (self);
}

static void
cancel_clicked_cb (GtkButton        *button,
                   CsSetAsideDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cs_set_aside_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_SET_ASIDE_DIALOG);
  G_OBJECT_CLASS (cs_set_aside_dialog_parent_class)->dispose (object);
}

static void
cs_set_aside_dialog_class_init (CsSetAsideDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cs_set_aside_dialog_dispose;
  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-set-aside.ui");
  gtk_widget_class_bind_template_child (widget_class, CsSetAsideDialog, explanation);
  gtk_widget_class_bind_template_child (widget_class, CsSetAsideDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, CsSetAsideDialog, ok_button);
  gtk_widget_class_bind_template_callback (widget_class, reason_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reason_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, ok_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
cs_set_aside_dialog_init (CsSetAsideDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
set_aside_dialog (GtkWidget *window,
                  guint      line)
{
  SetAside *s = state (window);
  CsSetAsideDialog *dialog;
  g_autofree char *text = NULL;
  const char *id = NULL;

  if (s == NULL || s->shown == NULL)
    return;
  for (gsize i = 0; i < s->shown->n && id == NULL; i++)
    if (s->shown->line[i] == line && s->shown->ids != NULL)
      id = s->shown->ids[i];
  dialog = g_object_new (CS_TYPE_SET_ASIDE_DIALOG, "transient-for", window, NULL);
  dialog->window = window;
  dialog->line = line;
  text = g_strdup_printf (_("Line %u%s%s%s is left out of the model, the charts and the exports until it is taken "
                            "back. The file itself is not changed: the reason is recorded in %s."),
                          line, id != NULL ? " (" : "", id != NULL ? id : "", id != NULL ? ")" : "",
                          s->path != NULL ? s->path : _("a side file"));
  gtk_label_set_text (GTK_LABEL (dialog->explanation), text);
  gtk_window_present (GTK_WINDOW (dialog));
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
  SetAside *s = state (GTK_WIDGET (window));
  SetAside *fresh = cs_window_get_set_aside (CS_WINDOW (window));
  g_autoptr(GPtrArray) unmatched = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (note != NULL)
    *note = NULL;
  if (fresh == NULL)             /* the window is being disposed */
    return NULL;
  install_actions (window);
  if (all == NULL)
    {
      set_aside_clear (fresh);
      return NULL;
    }
  /* The base shown after a change is handed back by the window's own code paths. */
  if (s != NULL && all == s->shown)
    return cs_case_base_ref (all);

  cs_case_base_ref (all);          /* before the clear: all may be the record's own base */
  set_aside_clear (fresh);
  fresh->all = all;
  if (all->source_path != NULL && strstr (all->source_path, "://") == NULL)   /* a file, not a URI */
    {
      fresh->path = cs_exclusions_side_path (all->source_path);
      fresh->record = cs_exclusions_load (fresh->path, NULL, &error);
    }
  if (fresh->record == NULL)
    {
      if (error != NULL && note != NULL)
        *note = g_strdup_printf (_("The cases set aside could not be read (all cases are shown): %s"),
                                 error->message);
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
  set_aside_clear (s);
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
                   _("Cases can be set aside only in a case base opened from a file (the record is kept next to "
                     "it)"));
      return FALSE;
    }
  for (gsize i = 0; i < s->shown->n && row < 0; i++)
    if (s->shown->line[i] == line)
      row = (gssize) i;
  if (row < 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE, _("Line %u holds no case that is shown"), line);
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
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE, _("Line %u is not set aside"), line);
      return FALSE;
    }
  changed = copy_record (s->record);
  cs_exclusions_remove (changed, line);
  return commit (window, s, changed, error);
}

/* ---- the table's context menu ------------------------------------------------------- */

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
  CsCaseTable *table = user_data;
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (view));
  const CsExclusions *record = cs_set_aside_get (window);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) back = g_menu_new ();
  GtkWidget *popover;
  guint line = cs_case_table_line_at (table, x, y);
  if (line > 0)
    {
      g_autofree char *detailed = g_strdup_printf ("win.set-aside(uint32 %u)", line);
      g_autofree char *label = g_strdup_printf (_("Set Line %u Aside…"), line);
      g_menu_append (menu, label, detailed);
    }
  for (guint i = 0; record != NULL && i < record->items->len; i++)
    {
      const CsExclusion *e = record->items->pdata[i];
      g_autofree char *detailed = g_strdup_printf ("win.take-back(uint32 %u)", e->line);
      g_autofree char *label = g_strdup_printf (_("Take Back Line %u%s%s%s: %s"), e->line, e->label != NULL ? " (" : "",
                                                e->label != NULL ? e->label : "", e->label != NULL ? ")" : "",
                                                e->reason);
      g_menu_append (back, label, detailed);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (back)) > 0)
    g_menu_append_section (menu, _("Set Aside"), G_MENU_MODEL (back));
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
cs_set_aside_attach_table (CsCaseTable *table,
                           GtkWidget   *column_view)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (table_pressed_cb), table);
  gtk_widget_add_controller (column_view, GTK_EVENT_CONTROLLER (click));
}
