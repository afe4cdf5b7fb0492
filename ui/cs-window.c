/* cs-window.c: header bar, case table, open/about/quit, and a message banner. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include "cs-case-list.h"
#include "cs-csv-loader.h"
#include "cs-window.h"

struct _CsWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  GtkWidget *title_label;
  GtkWidget *subtitle_label;
  GtkWidget *column_view;
  GtkWidget *info_bar;
  GtkWidget *info_label;
  GtkWidget *spinner;

  /* Owned references */
  CsCaseBase *cases;
  GCancellable *cancellable;
  GtkFileChooserNative *chooser;
  char *message;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, GTK_TYPE_APPLICATION_WINDOW)

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (user_data) < 0 ? 0.0 : 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

/* user_data: column index (0..d-1 feature, d target), -1 label column, -2 source line. */
static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  CsCaseRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  int column = GPOINTER_TO_INT (user_data);
  CsCaseBase *cases = cs_case_row_get_cases (row);
  guint i = cs_case_row_get_index (row);
  char buf[64];

  if (column == -1)
    {
      gtk_label_set_text (label, cases->ids != NULL ? cases->ids[i] : "");
      return;
    }
  if (column == -2)
    g_snprintf (buf, sizeof buf, "%u", cases->line[i]);
  else
    g_snprintf (buf, sizeof buf, "%.6g", cs_case_row_get_value (row, (guint) column));
  gtk_label_set_text (label, buf);
}

static void
add_column (CsWindow   *self,
            const char *title,
            int         column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (self->column_view), col);
  g_object_unref (col);
}

static char *
column_title (const char *name,
              const char *unit)
{
  return unit != NULL && *unit != '\0' ? g_strdup_printf ("%s [%s]", name, unit) : g_strdup (name);
}

static void
rebuild_table (CsWindow *self)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (self->column_view);
  GListModel *columns = gtk_column_view_get_columns (view);
  g_autoptr(CsCaseList) list = NULL;
  GtkSelectionModel *selection;

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (view, col);
    }

  list = cs_case_list_new (self->cases);
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (g_steal_pointer (&list))));
  gtk_column_view_set_model (view, selection);
  g_object_unref (selection);

  if (self->cases == NULL)
    return;

  add_column (self, "Line", -2);
  if (self->cases->ids != NULL)
    add_column (self, self->cases->id_name != NULL ? self->cases->id_name : "id", -1);
  for (gsize j = 0; j < self->cases->d; j++)
    {
      g_autofree char *t = column_title (self->cases->feature_names[j], self->cases->feature_units[j]);
      add_column (self, t, (int) j);
    }
  {
    g_autofree char *t = column_title (self->cases->target_name, self->cases->target_unit);
    add_column (self, t, (int) self->cases->d);
  }
}

static void
update_title (CsWindow *self)
{
  g_autofree char *sub = NULL;

  if (self->cases != NULL)
    sub = g_strdup_printf ("%s — %zu cases, %zu features", self->cases->source, self->cases->n,
                           self->cases->d);
  gtk_label_set_text (GTK_LABEL (self->subtitle_label), sub != NULL ? sub : "No case base");
  gtk_widget_set_visible (self->subtitle_label, TRUE);
}

void
cs_window_set_case_base (CsWindow   *self,
                         CsCaseBase *cases)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  if (cases != NULL)
    cs_case_base_ref (cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = cases;
  rebuild_table (self);
  update_title (self);
}

CsCaseBase *
cs_window_get_case_base (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->cases;
}

void
cs_window_show_message (CsWindow       *self,
                        GtkMessageType  type,
                        const char     *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_info_bar_set_message_type (GTK_INFO_BAR (self->info_bar), type);
  gtk_label_set_text (GTK_LABEL (self->info_label), message);
  gtk_info_bar_set_revealed (GTK_INFO_BAR (self->info_bar), message != NULL);
}

const char *
cs_window_get_message (CsWindow *self)
{
  return self->message;
}

gboolean
cs_window_is_busy (CsWindow *self)
{
  return self->busy;
}

static void
set_busy (CsWindow *self,
          gboolean  busy)
{
  self->busy = busy;
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;
  CsCsvOptions options;
  CsCaseBase *cases;

  cs_csv_options_init (&options);
  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Only local files can be opened");
      return;
    }
  cases = cs_csv_load_path (path, &options, NULL, NULL, NULL, cancellable, &error);
  if (cases == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, cases, (GDestroyNotify) cs_case_base_unref);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsWindow *self = CS_WINDOW (object);
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (cases == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cs_window_show_message (self, GTK_MESSAGE_ERROR, error->message);
      return;
    }
  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
  cs_window_set_case_base (self, cases);
  cs_case_base_unref (cases);
}

void
cs_window_open_file (CsWindow *self,
                     GFile    *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  set_busy (self, TRUE);
  task = g_task_new (self, self->cancellable, load_done_cb, NULL);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  CsWindow *self = CS_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        cs_window_open_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  GtkFileFilter *filter;

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new ("Open Case Base", GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, "CSV files");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "tsv");
  gtk_file_filter_add_suffix (filter, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
info_bar_response_cb (GtkInfoBar *bar,
                      int         response,
                      CsWindow   *self)
{
  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
}

static GtkWidget *
build_header (CsWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *title_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *open = gtk_button_new_with_mnemonic ("_Open");
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  GMenu *section = g_menu_new ();

  self->title_label = gtk_label_new ("Casescope");
  gtk_widget_add_css_class (self->title_label, "title");
  self->subtitle_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->subtitle_label, "subtitle");
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (title_box), self->title_label);
  gtk_box_append (GTK_BOX (title_box), self->subtitle_label);
  gtk_widget_set_valign (title_box, GTK_ALIGN_CENTER);
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), title_box);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "win.open");
  gtk_widget_set_tooltip_text (open, "Open a case base (Ctrl+O)");
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), open);

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->spinner);

  g_menu_append (section, "_Keyboard Shortcuts", "win.show-help-overlay");
  g_menu_append (section, "_About Casescope", "app.about");
  g_menu_append (section, "_Quit", "app.quit");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (menu_button), TRUE);
  gtk_widget_set_tooltip_text (menu_button, "Main menu (F10)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Main menu", -1);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), menu_button);
  return header;
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->message, g_free);
  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_window_dispose;
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
}

static void
cs_window_init (CsWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_window_set_title (GTK_WINDOW (self), "Casescope");
  gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);
  gtk_window_set_titlebar (GTK_WINDOW (self), build_header (self));

  self->info_bar = gtk_info_bar_new ();
  self->info_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->info_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->info_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->info_label), TRUE);
  gtk_info_bar_add_child (GTK_INFO_BAR (self->info_bar), self->info_label);
  gtk_info_bar_set_show_close_button (GTK_INFO_BAR (self->info_bar), TRUE);
  gtk_info_bar_set_revealed (GTK_INFO_BAR (self->info_bar), FALSE);
  g_signal_connect (self->info_bar, "response", G_CALLBACK (info_bar_response_cb), self);
  gtk_box_append (GTK_BOX (box), self->info_bar);

  self->column_view = gtk_column_view_new (NULL);
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_widget_add_css_class (self->column_view, "data-table");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->column_view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);

  gtk_window_set_child (GTK_WINDOW (self), box);
  update_title (self);
}

CsWindow *
cs_window_new (GtkApplication *app)
{
  return g_object_new (CS_TYPE_WINDOW, "application", app, NULL);
}
