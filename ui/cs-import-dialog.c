/* cs-import-dialog.c: the import preview dialog (ui/cs-import-dialog.ui), loading in a GTask with progress (a
 * CsProgress) and cancel. */
#define G_LOG_DOMAIN "cs-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-ui-resources.h"
#include "cs-import-dialog.h"
#include "cs-import-dialog-private.h"
#include "cs-progress.h"

#define MAX_PROBLEMS_SHOWN 500

/* The roles a column can be given, in the order of its drop-down: one line here adds a role. */
static const struct
{
  CsColumnRole role;
  const char *label;
} role_choices[] = {
  { CS_ROLE_FEATURE, N_("feature") },
  { CS_ROLE_TARGET, N_("outcome (target)") },
  { CS_ROLE_LABEL, N_("label") },
  { CS_ROLE_IGNORED, N_("ignored") },
  { CS_ROLE_CATEGORY, N_("category") },
};

/* Positions in the override drop-downs (ui/cs-import-dialog.ui). */
enum { DETECT = 0 };
enum { DECIMAL_DETECT, DECIMAL_POINT, DECIMAL_COMMA };
enum { HEADER_DETECT, HEADER_YES, HEADER_NO };

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
  GtkWidget *progress_bar;
  GtkWidget *import_button;
  GtkWidget *cancel_button;

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
  CsProgress *progress;
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
  CsProgress *progress;
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
  g_clear_object (&ld->progress);
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

/* Worker thread. */
static void
load_progress_cb (double   fraction,
                  gpointer user_data)
{
  LoadData *ld = user_data;

  cs_progress_report (ld->progress, fraction, NULL);
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
    case ',': return _("comma");
    case ';': return _("semicolon");
    case '\t': return _("tab");
    case '|': return _("pipe");
    case ' ': return _("space");
    default: return _("unknown");
    }
}

/* What a column's role drop-down changes: the dialog and the column's name. */
typedef struct
{
  CsImportDialog *self;
  char *column;
} RoleClosure;

static void
role_closure_free (gpointer  data,
                   GClosure *closure)
{
  RoleClosure *rc = data;

  g_free (rc->column);
  g_free (rc);
}

static void
role_changed_cb (GtkDropDown *dropdown,
                 GParamSpec  *pspec,
                 RoleClosure *rc)
{
  CsImportDialog *self = rc->self;
  const char *name = rc->column;
  guint at = gtk_drop_down_get_selected (dropdown);
  CsColumnRole role;

  if (self->updating || at >= G_N_ELEMENTS (role_choices))
    return;
  role = role_choices[at].role;
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
  const char *roles[G_N_ELEMENTS (role_choices) + 1] = { NULL };

  for (guint k = 0; k < G_N_ELEMENTS (role_choices); k++)
    roles[k] = _(role_choices[k].label);

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
      _("Delimiter: %s · decimal %s · %s · encoding %s%s · %zu rows read, %zu used, %zu skipped%s"),
      delimiter_name (r->delimiter), r->decimal_comma ? _("comma") : _("point"),
      r->header ? _("first row is a header") : _("no header row"), r->encoding != NULL ? r->encoding : "?",
      r->bom ? _(" with BOM") : "", r->rows_read, r->rows_used, r->rows_skipped,
      r->duplicate_rows > 0 ? _(" (some duplicate rows)") : "");
    gtk_label_set_text (GTK_LABEL (self->detected_label), text);
  }

  self->updating = TRUE;
  {
    static const char *const heads[] = { N_("Column"), N_("Unit"), N_("Role"), N_("Type"), N_("Missing"),
                                         N_("Range") };
    for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
      {
        GtkWidget *l = gtk_label_new (_(heads[c]));
        gtk_widget_add_css_class (l, "heading");
        gtk_label_set_xalign (GTK_LABEL (l), 0);
        gtk_grid_attach (GTK_GRID (self->columns_grid), l, (int) c, 0, 1, 1);
      }
  }
  for (guint i = 0; i < r->columns->len; i++)
    {
      CsCsvColumn *col = r->columns->pdata[i];
      GtkWidget *name = gtk_label_new (col->name);
      GtkWidget *unit = gtk_label_new (col->unit != NULL ? col->unit : "");
      GtkWidget *role = gtk_drop_down_new_from_strings (roles);
      GtkWidget *type = gtk_label_new (col->numeric ? (col->constant ? _("numeric (constant)") : _("numeric"))
                                       : _("text"));
      g_autofree char *missing_text = g_strdup_printf ("%zu", col->missing + col->bad);
      GtkWidget *missing = gtk_label_new (missing_text);
      g_autofree char *range_text = col->numeric ? g_strdup_printf ("%.4g – %.4g", col->min, col->max)
                                                 : g_strdup ("");
      GtkWidget *range = gtk_label_new (range_text);
      g_autofree char *access = g_strdup_printf (_("Role of column %s"), col->name);
      g_autofree char *role_name = g_strdup_printf ("role-%s", col->name);
      RoleClosure *rc = g_new0 (RoleClosure, 1);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (unit), 0);
      gtk_label_set_xalign (GTK_LABEL (type), 0);
      gtk_label_set_xalign (GTK_LABEL (missing), 1);
      gtk_label_set_xalign (GTK_LABEL (range), 0);
      for (guint k = 0; k < G_N_ELEMENTS (role_choices); k++)
        if (role_choices[k].role == col->role)
          gtk_drop_down_set_selected (GTK_DROP_DOWN (role), k);
      gtk_widget_set_name (role, role_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (role), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
      rc->self = self;
      rc->column = g_strdup (col->name);
      g_signal_connect_data (role, "notify::selected", G_CALLBACK (role_changed_cb), rc, role_closure_free, 0);
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
        where = g_strdup_printf (_("line %u, column %u%s%s%s"), p->line, p->column,
                                 p->column_name != NULL ? " (" : "", p->column_name != NULL ? p->column_name : "",
                                 p->column_name != NULL ? ")" : "");
      else if (p->line > 0)
        where = g_strdup_printf (_("line %u"), p->line);
      else
        where = g_strdup (_("file"));
      text = g_strdup_printf (_("%s: %s"), where, p->message);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      if (p->expected != NULL || p->found != NULL)
        {
          g_autofree char *tip = g_strdup_printf (_("expected %s, found %s"), p->expected ? p->expected : "?",
                                                  p->found ? p->found : "?");
          gtk_widget_set_tooltip_text (label, tip);
        }
      gtk_list_box_append (GTK_LIST_BOX (self->problems_list), label);
      self->n_problems_shown++;
    }
  {
    g_autofree char *title = r->problems->len == 0 ? g_strdup (_("No problems found"))
                             : r->problems->len > MAX_PROBLEMS_SHOWN
                             ? g_strdup_printf (_("Problems (first %d of %u)"), MAX_PROBLEMS_SHOWN, r->problems->len)
                             : g_strdup_printf (_("Problems (%u)"), r->problems->len);
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
  cs_progress_end (self->progress);
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
      g_autofree char *text = g_strdup_printf (_("Ready to import %zu cases with %zu features; outcome “%s”%s%s%s."),
                                               self->cases->n, self->cases->d, self->cases->target_name,
                                               *self->cases->target_unit ? " [" : "", self->cases->target_unit,
                                               *self->cases->target_unit ? "]" : "");
      gtk_label_set_text (GTK_LABEL (self->status_label), text);
      gtk_widget_remove_css_class (self->status_label, "error");
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("This file cannot be imported: %s. The current case base stays."),
                                               self->error != NULL ? self->error : _("unknown error"));
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
  ld->decimal_comma = dec == DECIMAL_DETECT ? -1 : dec == DECIMAL_COMMA ? 1 : 0;
  ld->header = hdr == HEADER_DETECT ? -1 : hdr == HEADER_YES ? 1 : 0;
  ld->role_names = g_new0 (char *, self->role_names->len + 1);
  ld->roles = g_new0 (CsColumnRole, self->roles->len + 1);
  for (guint i = 0; i < self->role_names->len; i++)
    {
      ld->role_names[i] = g_strdup (self->role_names->pdata[i]);
      ld->roles[i] = g_array_index (self->roles, CsColumnRole, i);
    }
  ld->progress = g_object_ref (self->progress);

  self->loading = TRUE;
  gtk_widget_set_sensitive (self->import_button, FALSE);
  cs_progress_begin (self->progress, NULL);
  gtk_label_set_text (GTK_LABEL (self->status_label), _("Reading…"));
  if (ld->path == NULL)
    {
      load_data_free (ld);
      self->loading = FALSE;
      cs_progress_end (self->progress);
      g_free (self->error);
      self->error = g_strdup (_("Only local files can be opened"));
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
  g_clear_object (&self->progress);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_IMPORT_DIALOG);
  G_OBJECT_CLASS (cs_import_dialog_parent_class)->dispose (object);
}

static void
cs_import_dialog_finalize (GObject *object)
{
  CsImportDialog *self = CS_IMPORT_DIALOG (object);

  g_free (self->error);
  g_ptr_array_unref (self->role_names);
  g_array_unref (self->roles);
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

  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, file_label);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, delimiter);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, decimal);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, header);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, detected_label);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, columns_grid);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, problems_list);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, problems_title);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, CsImportDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, override_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
cs_import_dialog_init (CsImportDialog *self)
{
  self->role_names = g_ptr_array_new_with_free_func (g_free);
  self->roles = g_array_new (FALSE, FALSE, sizeof (CsColumnRole));
  self->progress = cs_progress_new ();
  /* The override drop-downs notify while the template is built; "updating" keeps that from loading. */
  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->updating = FALSE;
  cs_progress_bind_bar (self->progress, GTK_PROGRESS_BAR (self->progress_bar));
}

CsProgress *
cs_import_dialog_get_progress (CsImportDialog *self)
{
  return self->progress;
}

GtkWidget *
cs_import_dialog_new (GtkWindow *parent,
                      GFile     *file)
{
  CsImportDialog *self = g_object_new (CS_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *title = g_strdup_printf (_("Preview of %s"), name);

  self->file = g_object_ref (file);
  gtk_label_set_text (GTK_LABEL (self->file_label), title);
  start_load (self);
  return GTK_WIDGET (self);
}
