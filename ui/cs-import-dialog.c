/* cs-import-dialog.c: the import preview dialog, loading in a GTask with progress and cancel. */
#define G_LOG_DOMAIN "cs-import-dialog"

#include "config.h"

#include "cs-import-dialog.h"

#define MAX_PROBLEMS_SHOWN 500

struct _CsImportDialog
{
  GtkWindow parent_instance;

  /* Template widgets */
  GtkWidget *file_label;
  GtkWidget *delimiter;
  GtkWidget *decimal;
  GtkWidget *header;
  GtkWidget *detected_label;
  GtkWidget *columns_grid;
  GtkWidget *problems_list;
  GtkWidget *problems_title;
  GtkWidget *status_label;
  GtkWidget *progress;
  GtkWidget *import_button;

  /* Owned references */
  GFile *file;
  GCancellable *cancellable;
  CsCaseBase *cases;
  CsCsvReport *report;
  char *error;
  GPtrArray *role_names;        /* char*, overrides by column name */
  GArray *roles;                /* CsColumnRole */
  gboolean loading;
  gboolean updating;
  guint n_problems_shown;
  guint progress_idle;
  double fraction;
  GMutex lock;
};

G_DEFINE_FINAL_TYPE (CsImportDialog, cs_import_dialog, GTK_TYPE_WINDOW)

enum { SIGNAL_IMPORT, N_SIGNALS };
static guint signals[N_SIGNALS];

static void start_load (CsImportDialog *self);

typedef struct
{
  char *path;
  char delimiter;
  int decimal_comma;
  int header;
  char **role_names;
  CsColumnRole *roles;
  GWeakRef dialog;
} LoadData;

typedef struct
{
  CsCaseBase *cases;
  CsCsvReport *report;
  GError *error;
} LoadResult;

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_free (ld->path);
  g_strfreev (ld->role_names);
  g_free (ld->roles);
  g_weak_ref_clear (&ld->dialog);
  g_free (ld);
}

static void
load_result_free (gpointer data)
{
  LoadResult *lr = data;

  g_clear_pointer (&lr->cases, cs_case_base_unref);
  g_clear_pointer (&lr->report, cs_csv_report_free);
  g_clear_error (&lr->error);
  g_free (lr);
}

static gboolean
progress_idle_cb (gpointer user_data)
{
  g_autoptr(CsImportDialog) self = g_weak_ref_get (user_data);

  if (self != NULL)
    {
      g_mutex_lock (&self->lock);
      self->progress_idle = 0;
      g_mutex_unlock (&self->lock);
      if (self->loading)
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), self->fraction);
    }
  return G_SOURCE_REMOVE;
}

static void
weak_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Worker thread. */
static void
load_progress_cb (double   fraction,
                  gpointer user_data)
{
  LoadData *ld = user_data;
  g_autoptr(CsImportDialog) self = g_weak_ref_get (&ld->dialog);

  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->fraction = fraction;
  if (self->progress_idle == 0)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);
      g_weak_ref_init (ref, self);
      self->progress_idle = g_idle_add_full (G_PRIORITY_LOW, progress_idle_cb, ref, weak_free);
    }
  g_mutex_unlock (&self->lock);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *ld = task_data;
  LoadResult *lr = g_new0 (LoadResult, 1);
  CsCsvOptions options;

  cs_csv_options_init (&options);
  options.delimiter = ld->delimiter;
  options.decimal_comma = ld->decimal_comma;
  options.header = ld->header;
  options.role_names = (const char * const *) ld->role_names;
  options.roles = ld->roles;
  lr->cases = cs_csv_load_path (ld->path, &options, &lr->report, load_progress_cb, ld, cancellable, &lr->error);
  g_task_return_pointer (task, lr, load_result_free);
}

static const char *
delimiter_name (char c)
{
  switch (c)
    {
    case ',': return "comma";
    case ';': return "semicolon";
    case '\t': return "tab";
    case '|': return "pipe";
    case ' ': return "space";
    default: return "unknown";
    }
}

static void
role_changed_cb (GtkDropDown    *dropdown,
                 GParamSpec     *pspec,
                 CsImportDialog *self)
{
  const char *name = g_object_get_data (G_OBJECT (dropdown), "column");
  CsColumnRole role = (CsColumnRole) (gtk_drop_down_get_selected (dropdown) + CS_ROLE_FEATURE);

  if (self->updating)
    return;
  for (guint i = 0; i < self->role_names->len; i++)
    if (g_str_equal (self->role_names->pdata[i], name))
      {
        g_array_index (self->roles, CsColumnRole, i) = role;
        start_load (self);
        return;
      }
  g_ptr_array_add (self->role_names, g_strdup (name));
  g_array_append_val (self->roles, role);
  start_load (self);
}

static void
show_report (CsImportDialog *self)
{
  CsCsvReport *r = self->report;
  GtkWidget *child;
  static const char *roles[] = { "feature", "outcome (target)", "label", "ignored", NULL };

  while ((child = gtk_widget_get_first_child (self->columns_grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->columns_grid), child);
  while ((child = gtk_widget_get_first_child (self->problems_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->problems_list), child);
  self->n_problems_shown = 0;

  if (r == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->detected_label), "");
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (
      "Delimiter: %s · decimal %s · %s · encoding %s%s · %zu rows read, %zu used, %zu skipped%s",
      delimiter_name (r->delimiter), r->decimal_comma ? "comma" : "point",
      r->header ? "first row is a header" : "no header row", r->encoding != NULL ? r->encoding : "?",
      r->bom ? " with BOM" : "", r->rows_read, r->rows_used, r->rows_skipped,
      r->duplicate_rows > 0 ? " (some duplicate rows)" : "");
    gtk_label_set_text (GTK_LABEL (self->detected_label), text);
  }

  self->updating = TRUE;
  {
    const char *heads[] = { "Column", "Unit", "Role", "Type", "Missing", "Range" };
    for (int c = 0; c < 6; c++)
      {
        GtkWidget *l = gtk_label_new (heads[c]);
        gtk_widget_add_css_class (l, "heading");
        gtk_label_set_xalign (GTK_LABEL (l), 0);
        gtk_grid_attach (GTK_GRID (self->columns_grid), l, c, 0, 1, 1);
      }
  }
  for (guint i = 0; i < r->columns->len; i++)
    {
      CsCsvColumn *col = r->columns->pdata[i];
      GtkWidget *name = gtk_label_new (col->name);
      GtkWidget *unit = gtk_label_new (col->unit != NULL ? col->unit : "");
      GtkWidget *role = gtk_drop_down_new_from_strings (roles);
      GtkWidget *type = gtk_label_new (col->numeric ? (col->constant ? "numeric (constant)" : "numeric") : "text");
      g_autofree char *missing_text = g_strdup_printf ("%zu", col->missing + col->bad);
      GtkWidget *missing = gtk_label_new (missing_text);
      g_autofree char *range_text = col->numeric ? g_strdup_printf ("%.4g – %.4g", col->min, col->max)
                                                 : g_strdup ("");
      GtkWidget *range = gtk_label_new (range_text);
      g_autofree char *access = g_strdup_printf ("Role of column %s", col->name);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (unit), 0);
      gtk_label_set_xalign (GTK_LABEL (type), 0);
      gtk_label_set_xalign (GTK_LABEL (missing), 1);
      gtk_label_set_xalign (GTK_LABEL (range), 0);
      if (col->role >= CS_ROLE_FEATURE && col->role <= CS_ROLE_IGNORED)
        gtk_drop_down_set_selected (GTK_DROP_DOWN (role), col->role - CS_ROLE_FEATURE);
      g_object_set_data_full (G_OBJECT (role), "column", g_strdup (col->name), g_free);
      gtk_accessible_update_property (GTK_ACCESSIBLE (role), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
      g_signal_connect (role, "notify::selected", G_CALLBACK (role_changed_cb), self);
      gtk_grid_attach (GTK_GRID (self->columns_grid), name, 0, (int) i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (self->columns_grid), unit, 1, (int) i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (self->columns_grid), role, 2, (int) i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (self->columns_grid), type, 3, (int) i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (self->columns_grid), missing, 4, (int) i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (self->columns_grid), range, 5, (int) i + 1, 1, 1);
    }
  self->updating = FALSE;

  for (guint i = 0; i < r->problems->len && i < MAX_PROBLEMS_SHOWN; i++)
    {
      CsCsvProblem *p = r->problems->pdata[i];
      g_autofree char *where = NULL;
      g_autofree char *text = NULL;
      GtkWidget *label;

      if (p->line > 0 && p->column > 0)
        where = g_strdup_printf ("line %u, column %u%s%s%s", p->line, p->column,
                                 p->column_name != NULL ? " (" : "", p->column_name != NULL ? p->column_name : "",
                                 p->column_name != NULL ? ")" : "");
      else if (p->line > 0)
        where = g_strdup_printf ("line %u", p->line);
      else
        where = g_strdup ("file");
      text = g_strdup_printf ("%s: %s", where, p->message);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      if (p->expected != NULL || p->found != NULL)
        {
          g_autofree char *tip = g_strdup_printf ("expected %s, found %s", p->expected ? p->expected : "?",
                                                  p->found ? p->found : "?");
          gtk_widget_set_tooltip_text (label, tip);
        }
      gtk_list_box_append (GTK_LIST_BOX (self->problems_list), label);
      self->n_problems_shown++;
    }
  {
    g_autofree char *title = r->problems->len == 0 ? g_strdup ("No problems found")
                             : r->problems->len > MAX_PROBLEMS_SHOWN
                             ? g_strdup_printf ("Problems (first %d of %u)", MAX_PROBLEMS_SHOWN, r->problems->len)
                             : g_strdup_printf ("Problems (%u)", r->problems->len);
    gtk_label_set_text (GTK_LABEL (self->problems_title), title);
  }
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsImportDialog *self = user_data;
  LoadResult *lr = g_task_propagate_pointer (G_TASK (result), NULL);

  if (lr == NULL || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    {
      if (lr != NULL)
        load_result_free (lr);
      g_object_unref (self);
      return;
    }
  self->loading = FALSE;
  gtk_widget_set_visible (self->progress, FALSE);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->report, cs_csv_report_free);
  g_clear_pointer (&self->error, g_free);
  self->cases = g_steal_pointer (&lr->cases);
  self->report = g_steal_pointer (&lr->report);
  if (lr->error != NULL)
    self->error = g_strdup (lr->error->message);
  load_result_free (lr);
  show_report (self);
  if (self->cases != NULL)
    {
      g_autofree char *text = g_strdup_printf ("Ready to import %zu cases with %zu features; outcome “%s”%s%s%s.",
                                               self->cases->n, self->cases->d, self->cases->target_name,
                                               *self->cases->target_unit ? " [" : "", self->cases->target_unit,
                                               *self->cases->target_unit ? "]" : "");
      gtk_label_set_text (GTK_LABEL (self->status_label), text);
      gtk_widget_remove_css_class (self->status_label, "error");
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("This file cannot be imported: %s. The current case base stays.",
                                               self->error != NULL ? self->error : "unknown error");
      gtk_label_set_text (GTK_LABEL (self->status_label), text);
      gtk_widget_add_css_class (self->status_label, "error");
    }
  gtk_widget_set_sensitive (self->import_button, self->cases != NULL);
  g_object_unref (self);
}

static void
start_load (CsImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld = g_new0 (LoadData, 1);
  static const char delims[] = { 0, ',', ';', '\t', '|' };
  guint di = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->delimiter));
  guint dec = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->decimal));
  guint hdr = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->header));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ld->path = g_file_get_path (self->file);
  ld->delimiter = di < G_N_ELEMENTS (delims) ? delims[di] : 0;
  ld->decimal_comma = dec == 0 ? -1 : dec == 2 ? 1 : 0;
  ld->header = hdr == 0 ? -1 : hdr == 1 ? 1 : 0;
  ld->role_names = g_new0 (char *, self->role_names->len + 1);
  ld->roles = g_new0 (CsColumnRole, self->roles->len + 1);
  for (guint i = 0; i < self->role_names->len; i++)
    {
      ld->role_names[i] = g_strdup (self->role_names->pdata[i]);
      ld->roles[i] = g_array_index (self->roles, CsColumnRole, i);
    }
  g_weak_ref_init (&ld->dialog, self);

  self->loading = TRUE;
  gtk_widget_set_sensitive (self->import_button, FALSE);
  gtk_widget_set_visible (self->progress, TRUE);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_label_set_text (GTK_LABEL (self->status_label), "Reading…");
  if (ld->path == NULL)
    {
      load_data_free (ld);
      self->loading = FALSE;
      gtk_widget_set_visible (self->progress, FALSE);
      g_free (self->error);
      self->error = g_strdup ("Only local files can be opened");
      gtk_label_set_text (GTK_LABEL (self->status_label), self->error);
      return;
    }
  task = g_task_new (NULL, self->cancellable, load_done_cb, g_object_ref (self));
  g_task_set_task_data (task, ld, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

static void
override_changed_cb (GObject        *object,
                     GParamSpec     *pspec,
                     CsImportDialog *self)
{
  if (!self->updating && self->file != NULL)
    start_load (self);
}

gboolean
cs_import_dialog_accept (CsImportDialog *self)
{
  g_autoptr(CsCaseBase) cases = NULL;

  if (self->loading || self->cases == NULL)
    return FALSE;
  cases = cs_case_base_ref (self->cases);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_IMPORT], 0, cases);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
  return TRUE;
}

static void
import_clicked_cb (GtkButton      *button,
                   CsImportDialog *self)
{
  cs_import_dialog_accept (self);
}

static void
cancel_clicked_cb (GtkButton      *button,
                   CsImportDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  gtk_window_destroy (GTK_WINDOW (self));
}

GFile *
cs_import_dialog_get_file (CsImportDialog *self)
{
  return self->file;
}

gboolean
cs_import_dialog_is_loading (CsImportDialog *self)
{
  return self->loading;
}

CsCaseBase *
cs_import_dialog_get_cases (CsImportDialog *self)
{
  return self->cases;
}

CsCsvReport *
cs_import_dialog_get_report (CsImportDialog *self)
{
  return self->report;
}

const char *
cs_import_dialog_get_error (CsImportDialog *self)
{
  return self->error;
}

guint
cs_import_dialog_get_n_problems_shown (CsImportDialog *self)
{
  return self->n_problems_shown;
}

static void
cs_import_dialog_dispose (GObject *object)
{
  CsImportDialog *self = CS_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->report, cs_csv_report_free);
  G_OBJECT_CLASS (cs_import_dialog_parent_class)->dispose (object);
}

static void
cs_import_dialog_finalize (GObject *object)
{
  CsImportDialog *self = CS_IMPORT_DIALOG (object);

  g_free (self->error);
  g_ptr_array_unref (self->role_names);
  g_array_unref (self->roles);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cs_import_dialog_parent_class)->finalize (object);
}

static void
cs_import_dialog_class_init (CsImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_import_dialog_dispose;
  object_class->finalize = cs_import_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  signals[SIGNAL_IMPORT] = g_signal_new ("import", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static GtkWidget *
labelled (const char *text,
          GtkWidget  *widget)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  return box;
}

static void
cs_import_dialog_init (CsImportDialog *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic ("_Cancel");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *overrides = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *cols_scroll = gtk_scrolled_window_new ();
  GtkWidget *probs_scroll = gtk_scrolled_window_new ();
  const char *delims[] = { "Detect", "Comma", "Semicolon", "Tab", "Pipe", NULL };
  const char *decimals[] = { "Detect", "Point", "Comma", NULL };
  const char *headers[] = { "Detect", "Yes", "No", NULL };

  self->role_names = g_ptr_array_new_with_free_func (g_free);
  self->roles = g_array_new (FALSE, FALSE, sizeof (CsColumnRole));
  g_mutex_init (&self->lock);

  gtk_window_set_title (GTK_WINDOW (self), "Import Case Base");
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 600);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  gtk_header_bar_set_show_title_buttons (GTK_HEADER_BAR (header), FALSE);
  g_signal_connect (cancel, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), cancel);
  self->import_button = gtk_button_new_with_mnemonic ("_Import");
  gtk_widget_add_css_class (self->import_button, "suggested-action");
  gtk_widget_set_sensitive (self->import_button, FALSE);
  g_signal_connect (self->import_button, "clicked", G_CALLBACK (import_clicked_cb), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->import_button);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->import_button);

  self->file_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->file_label, "title-4");
  gtk_label_set_xalign (GTK_LABEL (self->file_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->file_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), self->file_label);

  self->delimiter = gtk_drop_down_new_from_strings (delims);
  self->decimal = gtk_drop_down_new_from_strings (decimals);
  self->header = gtk_drop_down_new_from_strings (headers);
  g_signal_connect (self->delimiter, "notify::selected", G_CALLBACK (override_changed_cb), self);
  g_signal_connect (self->decimal, "notify::selected", G_CALLBACK (override_changed_cb), self);
  g_signal_connect (self->header, "notify::selected", G_CALLBACK (override_changed_cb), self);
  gtk_box_append (GTK_BOX (overrides), labelled ("_Delimiter", self->delimiter));
  gtk_box_append (GTK_BOX (overrides), labelled ("D_ecimal", self->decimal));
  gtk_box_append (GTK_BOX (overrides), labelled ("_Header row", self->header));
  gtk_box_append (GTK_BOX (box), overrides);

  self->detected_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->detected_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->detected_label), TRUE);
  gtk_widget_add_css_class (self->detected_label, "dim-label");
  gtk_box_append (GTK_BOX (box), self->detected_label);

  self->columns_grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->columns_grid), 14);
  gtk_grid_set_row_spacing (GTK_GRID (self->columns_grid), 4);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (cols_scroll), self->columns_grid);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (cols_scroll), 180);
  gtk_widget_set_vexpand (cols_scroll, TRUE);
  gtk_box_append (GTK_BOX (box), cols_scroll);

  self->problems_title = gtk_label_new ("Problems");
  gtk_widget_add_css_class (self->problems_title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->problems_title), 0);
  gtk_box_append (GTK_BOX (box), self->problems_title);
  self->problems_list = gtk_list_box_new ();
  gtk_widget_set_name (self->problems_list, "problems");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->problems_list), GTK_SELECTION_NONE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (probs_scroll), self->problems_list);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (probs_scroll), 120);
  gtk_widget_set_vexpand (probs_scroll, TRUE);
  gtk_box_append (GTK_BOX (box), probs_scroll);

  self->progress = gtk_progress_bar_new ();
  gtk_box_append (GTK_BOX (box), self->progress);
  self->status_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->status_label, "import-status");
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->status_label), TRUE);
  gtk_box_append (GTK_BOX (box), self->status_label);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_window_set_child (GTK_WINDOW (self), box);
}

GtkWidget *
cs_import_dialog_new (GtkWindow *parent,
                      GFile     *file)
{
  CsImportDialog *self = g_object_new (CS_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *title = g_strdup_printf ("Preview of %s", name);

  self->file = g_object_ref (file);
  gtk_label_set_text (GTK_LABEL (self->file_label), title);
  start_load (self);
  return GTK_WIDGET (self);
}
