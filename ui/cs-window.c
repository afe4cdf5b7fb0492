/* cs-window.c: header bar, page stack, loading, engine preparation, dialogs, drag and drop, notices. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <math.h>
#include <time.h>

#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-data-error.h"
#include "cs-engine-model.h"
#include "cs-engine-report.h"
#include "cs-export-dialog.h"
#include "cs-follow-panel.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-operator-view-private.h"
#include "cs-report.h"
#include "cs-set-aside.h"
#include "cs-settings.h"
#include "cs-table-export.h"
#include "cs-ui-resources.h"
#include "cs-window.h"

struct _CsWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  GtkWidget *switcher;
  GtkWidget *source_label;
  GtkWidget *stack;
  GtkWidget *operator_view;
  GtkWidget *manager_view;
  GtkWidget *info_bar;
  GtkWidget *info_label;
  GtkWidget *spinner;
  GtkWidget *progress;
  GtkWidget *notice_revealer;
  GtkWidget *notice_label;
  GtkWidget *notice_button;
  GtkWidget *drop_overlay;
  GMenu *recent_section;

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  GCancellable *cancellable;
  GtkFileChooserNative *chooser;
  GtkWidget *import_dialog;
  GtkWidget *export_dialog;
  GFile *notice_folder;
  char *message;
  char *notice;
  char *table_path;
  guint notice_id;
  gboolean preparing;
  CsChartView *last_chart;
  CsColormap colormap;             /* the weight colour map of every chart (each view's "weight-map") */
  CsSetAside *set_aside;           /* the cases set aside of the shown case base (cs-set-aside.c) */
  GtkWidget *follow_panel;         /* the "follow" page while following the shown file, else NULL */

  /* The record of the shown case base for model files: known from the import or computed in a worker. */
  gsize import_columns;            /* columns of the file from the import report (0: unknown) */
  char *source_sha256;
  gsize source_columns;
  gboolean record_pending;
};

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, GTK_TYPE_APPLICATION_WINDOW)

static void
update_title (CsWindow *self)
{
  g_autofree char *sub = NULL;

  if (self->cases != NULL)
    sub = g_strdup_printf ("%s — %zu cases, %zu features, outcome %s", self->cases->source, self->cases->n,
                           self->cases->d, self->cases->target_name);
  gtk_label_set_text (GTK_LABEL (self->source_label), sub != NULL ? sub : "No case base");
  gtk_widget_set_tooltip_text (self->source_label,
                               self->cases != NULL && self->cases->source_path != NULL
                               ? self->cases->source_path : NULL);
  {
    g_autofree char *title = self->cases != NULL ? g_strdup_printf ("%s — Casescope", self->cases->source)
                                                 : g_strdup ("Casescope");
    gtk_window_set_title (GTK_WINDOW (self), title);
  }
}

static void
set_preparing (CsWindow *self,
               gboolean  preparing)
{
  self->preparing = preparing;
  gtk_widget_set_visible (self->spinner, preparing);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), preparing);
  gtk_widget_set_visible (self->progress, preparing);
}

typedef struct
{
  GWeakRef window;
  double fraction;
  char *stage;
  guint idle_id;
  GMutex lock;
  gint refs;
} ProgressRelay;

static ProgressRelay *
relay_ref (ProgressRelay *relay)
{
  g_atomic_int_inc (&relay->refs);
  return relay;
}

static void
relay_unref (ProgressRelay *relay)
{
  if (!g_atomic_int_dec_and_test (&relay->refs))
    return;
  g_weak_ref_clear (&relay->window);
  g_free (relay->stage);
  g_mutex_clear (&relay->lock);
  g_free (relay);
}

static gboolean
relay_idle_cb (gpointer user_data)
{
  ProgressRelay *relay = user_data;
  g_autoptr(CsWindow) self = g_weak_ref_get (&relay->window);
  g_autofree char *stage = NULL;
  double fraction;

  g_mutex_lock (&relay->lock);
  relay->idle_id = 0;
  fraction = relay->fraction;
  stage = g_strdup (relay->stage);
  g_mutex_unlock (&relay->lock);
  if (self != NULL && self->preparing)
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), fraction);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), stage);
    }
  return G_SOURCE_REMOVE;
}

/* Worker thread: coalesce into at most one pending idle. */
static void
relay_progress_cb (double      fraction,
                   const char *stage,
                   gpointer    user_data)
{
  ProgressRelay *relay = user_data;

  g_mutex_lock (&relay->lock);
  relay->fraction = fraction;
  if (g_strcmp0 (relay->stage, stage) != 0)
    {
      g_free (relay->stage);
      relay->stage = g_strdup (stage);
    }
  if (relay->idle_id == 0)
    relay->idle_id = g_idle_add_full (G_PRIORITY_LOW, relay_idle_cb, relay_ref (relay),
                                      (GDestroyNotify) relay_unref);
  g_mutex_unlock (&relay->lock);
}

typedef struct
{
  CsWindow *window;
  ProgressRelay *relay;
} BuildCtx;

static void
engine_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BuildCtx *bc = user_data;
  CsWindow *self = bc->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = cs_engine_build_finish (result, &error);

  relay_unref (bc->relay);
  g_free (bc);
  if (engine == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf ("The model could not be prepared: %s", error->message);
          set_preparing (self, FALSE);
          cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
        }
      g_object_unref (self);
      return;
    }
  if (engine->cases == self->cases)
    {
      gint64 t0 = g_get_monotonic_time (), t1;
      set_preparing (self, FALSE);
      g_clear_pointer (&self->engine, cs_engine_unref);
      self->engine = cs_engine_ref (engine);
      cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
      t1 = g_get_monotonic_time ();
      cs_manager_view_set_engine (CS_MANAGER_VIEW (self->manager_view), engine);
      g_debug ("engine shown: operator %.1f ms, manager %.1f ms", (t1 - t0) / 1e3,
               (g_get_monotonic_time () - t1) / 1e3);
    }
  g_object_unref (self);
}

/* The user's threshold adjustments from the settings; NaN where unset (the case base's default applies). */
static void
load_thresholds (CsFlagThresholds *t)
{
  CsSettings *settings = cs_settings_get_default ();

  for (gsize k = 0; cs_engine_threshold_name (k) != NULL; k++)
    cs_engine_thresholds_set (t, cs_engine_threshold_name (k),
                              cs_settings_get_double (settings, "thresholds", cs_settings_threshold_key (k), NAN));
}

/* fit CS_ENGINE_FIT_NONE with metric: the engine of a given metric (an opened model), no fit. */
static void
prepare_engine_with (CsWindow       *self,
                     CsEngineFit     fit,
                     const CsMetric *metric,
                     const char     *metric_label)
{
  BuildCtx *bc = g_new0 (BuildCtx, 1);
  CsFlagThresholds thresholds;

  load_thresholds (&thresholds);
  bc->window = g_object_ref (self);
  bc->relay = g_new0 (ProgressRelay, 1);
  bc->relay->refs = 1;
  g_mutex_init (&bc->relay->lock);
  g_weak_ref_init (&bc->relay->window, self);
  set_preparing (self, TRUE);
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
  gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress),
                             fit != CS_ENGINE_FIT_NONE ? "Fitting the window" : "Preparing the model");
  cs_engine_build_async (self->cases, fit, metric, metric_label, &thresholds, relay_progress_cb,
                         bc->relay, self->cancellable, engine_ready_cb, bc);
}

static void
prepare_engine (CsWindow *self)
{
  prepare_engine_with (self, CS_ENGINE_FIT_SCALAR, NULL, NULL);
}

/* ---- The case-base record of model files --------------------------------------- */

typedef struct
{
  char *sha256;
  gsize columns;
} SourceRecord;

static void
source_record_free (SourceRecord *r)
{
  g_free (r->sha256);
  g_free (r);
}

typedef struct
{
  CsCaseBase *cases;
  gsize columns;                   /* from the import, 0: count them */
} RecordJob;

static void
record_job_free (RecordJob *job)
{
  cs_case_base_unref (job->cases);
  g_free (job);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordJob *job = task_data;
  SourceRecord *r = g_new0 (SourceRecord, 1);
  GError *error = NULL;

  if (!cs_engine_source_record (job->cases, job->columns, &r->sha256, &r->columns, &error))
    {
      source_record_free (r);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, r, (GDestroyNotify) source_record_free);
}

static void
record_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CsWindow *self = CS_WINDOW (object);
  RecordJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  SourceRecord *r = g_task_propagate_pointer (G_TASK (result), &error);

  if (job->cases != self->cases)
    {
      /* A newer case base replaced it (its own worker is running). */
      if (r != NULL)
        source_record_free (r);
      return;
    }
  self->record_pending = FALSE;
  if (r == NULL)
    {
      /* The file went away or became unreadable: models saved now say the case base is unknown. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no case-base record: %s", error->message);
      return;
    }
  g_free (self->source_sha256);
  self->source_sha256 = g_steal_pointer (&r->sha256);
  self->source_columns = r->columns;
  source_record_free (r);
}

/* The hash of the shown file and its column count, kept for model files: at once when the importer knew both,
 * else from a worker (a file over the importer's hashing limit is read again; a sample's bytes are ours). */
static void
start_source_record (CsWindow *self)
{
  g_autoptr(GTask) task = NULL;
  RecordJob *job;

  g_clear_pointer (&self->source_sha256, g_free);
  self->source_columns = 0;
  self->record_pending = FALSE;
  if (self->cases == NULL)
    return;
  if (self->cases->sha256 != NULL && self->import_columns > 0)
    {
      self->source_sha256 = g_strdup (self->cases->sha256);
      self->source_columns = self->import_columns;
      return;
    }
  self->record_pending = TRUE;
  task = g_task_new (self, self->cancellable, record_ready_cb, NULL);
  g_task_set_source_tag (task, start_source_record);
  /* Opening a model replaces the cancellable to stop a running fit; the record of the same case base stays
   * valid, so its result is kept (a new case base is told apart by record_ready_cb). */
  g_task_set_check_cancellable (task, FALSE);
  job = g_new0 (RecordJob, 1);
  job->cases = cs_case_base_ref (self->cases);
  job->columns = self->import_columns;
  g_task_set_task_data (task, job, (GDestroyNotify) record_job_free);
  g_task_run_in_thread (task, record_thread);
}

static void stop_follow (CsWindow *self);

void
cs_window_set_case_base (CsWindow   *self,
                         CsCaseBase *cases)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  g_autofree char *set_aside_note = NULL;

  stop_follow (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* The window shows the base without the cases set aside in its side file (cs-set-aside.h). */
  cases = cs_set_aside_prepare (GTK_APPLICATION_WINDOW (self), cases, &set_aside_note);
  if (set_aside_note != NULL)
    cs_window_show_message (self, GTK_MESSAGE_WARNING, set_aside_note);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->cases = cases;
  {
    struct timespec c0, c1;
    gint64 t0 = g_get_monotonic_time ();

    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &c0);
    cs_operator_view_set_cases (CS_OPERATOR_VIEW (self->operator_view), cases);
    cs_manager_view_set_cases (CS_MANAGER_VIEW (self->manager_view), cases);
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &c1);
    g_debug ("cases shown in %.1f ms (%.1f ms of CPU)", (g_get_monotonic_time () - t0) / 1e3,
             (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6);
  }
  update_title (self);
  start_source_record (self);
  self->import_columns = 0;   /* it described this import only */
  if (cases != NULL && cases->n > 0)
    prepare_engine (self);
  else
    set_preparing (self, FALSE);
}

CsCaseBase *
cs_window_get_case_base (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->cases;
}

CsEngine *
cs_window_get_engine (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->engine;
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
  gtk_widget_set_visible (self->info_bar, message != NULL);
}

const char *
cs_window_get_message (CsWindow *self)
{
  return self->message;
}

static gboolean
notice_timeout_cb (gpointer user_data)
{
  CsWindow *self = user_data;

  self->notice_id = 0;
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->notice_revealer), FALSE);
  return G_SOURCE_REMOVE;
}

void
cs_window_show_notice (CsWindow   *self,
                       const char *text,
                       GFile      *folder)
{
  g_free (self->notice);
  self->notice = g_strdup (text);
  g_set_object (&self->notice_folder, folder);
  gtk_label_set_text (GTK_LABEL (self->notice_label), text);
  gtk_widget_set_visible (self->notice_button, folder != NULL);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->notice_revealer), TRUE);
  g_clear_handle_id (&self->notice_id, g_source_remove);
  self->notice_id = g_timeout_add_seconds (8, notice_timeout_cb, self);
}

const char *
cs_window_get_notice (CsWindow *self)
{
  return self->notice;
}

static void
open_folder_cb (GtkButton *button,
                CsWindow  *self)
{
  g_autofree char *uri = NULL;

  if (self->notice_folder == NULL)
    return;
  uri = g_file_get_uri (self->notice_folder);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
  notice_timeout_cb (self);
}

static GPtrArray *all_charts (CsWindow *self);

gboolean
cs_window_is_busy (CsWindow *self)
{
  guint shown = 0, serial;

  if (self->preparing || self->record_pending || cs_manager_view_is_busy (CS_MANAGER_VIEW (self->manager_view)) ||
      cs_operator_view_is_sorting (CS_OPERATOR_VIEW (self->operator_view)))
    return TRUE;
  if (self->import_dialog != NULL && cs_import_dialog_is_loading (CS_IMPORT_DIALOG (self->import_dialog)))
    return TRUE;
  serial = cs_operator_view_get_serial (CS_OPERATOR_VIEW (self->operator_view), &shown);
  if (serial != shown)
    return TRUE;
  {
    g_autoptr(GPtrArray) charts = all_charts (self);
    for (guint i = 0; i < charts->len; i++)
      if (cs_chart_view_is_rendering (charts->pdata[i]))
        return TRUE;
  }
  return FALSE;
}

/* ---- Opening files -------------------------------------------------------------- */

static void
add_recent (CsWindow *self,
            GFile    *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);

  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  if (parent != NULL)
    {
      g_autofree char *folder = g_file_get_path (parent);
      if (folder != NULL)
        cs_settings_set_string (cs_settings_get_default (), "window", "last-folder", folder);
    }
}

static void
import_accepted_cb (CsImportDialog *dialog,
                    CsCaseBase     *cases,
                    CsWindow       *self)
{
  GFile *file = cs_import_dialog_get_file (dialog);
  CsCsvReport *report = cs_import_dialog_get_report (dialog);

  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
  self->import_columns = report != NULL ? report->columns->len : 0;
  cs_window_set_case_base (self, cases);
  if (file != NULL)
    add_recent (self, file);
}

static void
import_destroy_cb (GtkWidget *dialog,
                   CsWindow  *self)
{
  if (self->import_dialog == dialog)
    self->import_dialog = NULL;
}

void
cs_window_open_file (CsWindow *self,
                     GFile    *file)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->import_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->import_dialog));
  self->import_dialog = cs_import_dialog_new (GTK_WINDOW (self), file);
  g_signal_connect (self->import_dialog, "import", G_CALLBACK (import_accepted_cb), self);
  g_signal_connect (self->import_dialog, "destroy", G_CALLBACK (import_destroy_cb), self);
  gtk_window_present (GTK_WINDOW (self->import_dialog));
}

GtkWidget *
cs_window_get_import_dialog (CsWindow *self)
{
  return self->import_dialog;
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
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "window", "last-folder", NULL);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new ("Open Case Base", GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, "CSV files");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "tsv");
  gtk_file_filter_add_suffix (filter, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  cs_window_open_file (self, file);
}

static void
rebuild_recent (CsWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  guint count = 0;

  g_menu_remove_all (self->recent_section);
  for (GList *l = items; l != NULL && count < 8; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *mime = gtk_recent_info_get_mime_type (info);
      const char *uri = gtk_recent_info_get_uri (info);
      g_autoptr(GMenuItem) item = NULL;

      if (!gtk_recent_info_has_application (info, g_get_application_name ()) &&
          (mime == NULL || (!g_str_equal (mime, "text/csv") && !g_str_has_suffix (uri, ".csv"))))
        continue;
      if (!gtk_recent_info_exists (info))
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (uri));
      g_menu_append_item (self->recent_section, item);
      count++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
recent_changed_cb (GtkRecentManager *manager,
                   CsWindow         *self)
{
  rebuild_recent (self);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CsWindow      *self)
{
  GSList *files;

  gtk_widget_set_visible (self->drop_overlay, FALSE);
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = g_value_get_boxed (value);
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);
      if (name != NULL && (g_str_has_suffix (name, ".csv") || g_str_has_suffix (name, ".tsv") ||
                           g_str_has_suffix (name, ".txt") || g_str_has_suffix (name, ".CSV")))
        {
          cs_window_open_file (self, l->data);
          return TRUE;
        }
    }
  cs_window_show_notice (self, "Only CSV, TSV or TXT files can be opened", NULL);
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

/* ---- Charts: export and copy -------------------------------------------------- */

static CsChartView *
current_chart (CsWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    if (CS_IS_CHART_VIEW (w))
      return CS_CHART_VIEW (w);
  return self->last_chart;
}

static void
focus_changed_cb (GObject    *object,
                  GParamSpec *pspec,
                  CsWindow   *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus != NULL && CS_IS_CHART_VIEW (focus))
    self->last_chart = CS_CHART_VIEW (focus);
}

static GPtrArray *
all_charts (CsWindow *self)
{
  GPtrArray *charts = g_ptr_array_new ();
  GPtrArray *op = cs_operator_view_get_charts (CS_OPERATOR_VIEW (self->operator_view));
  GPtrArray *mg = cs_manager_view_get_charts (CS_MANAGER_VIEW (self->manager_view));

  for (guint i = 0; i < op->len; i++)
    g_ptr_array_add (charts, op->pdata[i]);
  for (guint i = 0; i < mg->len; i++)
    g_ptr_array_add (charts, mg->pdata[i]);
  return charts;
}

static void
export_exported_cb (CsExportDialog *dialog,
                    const char     *path,
                    CsWindow       *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = g_strdup_printf ("Exported %s", name);

  cs_window_show_notice (self, text, parent);
}

static void
export_destroy_cb (GtkWidget *dialog,
                   CsWindow  *self)
{
  if (self->export_dialog == dialog)
    self->export_dialog = NULL;
}

GtkWidget *
cs_window_show_export (CsWindow *self)
{
  g_autoptr(GPtrArray) charts = all_charts (self);
  CsChartView *chart = current_chart (self);

  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  if (chart == NULL)
    {
      const char *page = gtk_stack_get_visible_child_name (GTK_STACK (self->stack));
      GPtrArray *list = g_str_equal (page, "manager")
                        ? cs_manager_view_get_charts (CS_MANAGER_VIEW (self->manager_view))
                        : cs_operator_view_get_charts (CS_OPERATOR_VIEW (self->operator_view));
      chart = list->len > 0 ? list->pdata[0] : NULL;
    }
  self->export_dialog = cs_export_dialog_new (GTK_WINDOW (self), charts, chart, self->engine);
  g_signal_connect (self->export_dialog, "exported", G_CALLBACK (export_exported_cb), self);
  g_signal_connect (self->export_dialog, "destroy", G_CALLBACK (export_destroy_cb), self);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
  return self->export_dialog;
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cs_window_show_export (CS_WINDOW (widget));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  CsChartView *chart;

  /* Text fields keep their own Ctrl+C. */
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus) ||
                        (GTK_IS_LABEL (focus) && gtk_label_get_selectable (GTK_LABEL (focus)))))
    {
      gtk_widget_activate_action (focus, "clipboard.copy", NULL);
      return;
    }
  chart = current_chart (self);
  if (chart == NULL || !cs_chart_view_copy (chart, MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 640),
                                            MAX (gtk_widget_get_height (GTK_WIDGET (chart)), 400)))
    {
      cs_window_show_notice (self, "Click a chart first, then Ctrl+C copies it as an image", NULL);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf ("Copied the chart “%s” as an image", cs_chart_view_get_title (chart));
    cs_window_show_notice (self, text, NULL);
  }
}

static void
table_export_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CsWindow *self = user_data;
  const char *path = self->table_path;
  g_autoptr(GError) error = NULL;

  if (path == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    cs_table_export_finish (result, NULL);
  else if (!cs_table_export_finish (result, &error))
    {
      g_autofree char *msg = g_strdup_printf ("The table could not be exported: %s", error->message);
      cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = g_strdup_printf ("Exported %s", name);
      cs_window_show_notice (self, text, parent);
    }
  g_object_unref (self);
}

void
cs_window_export_table (CsWindow   *self,
                        const char *kind,
                        const char *path,
                        gboolean    excel)
{
  const CsQueryResult *r = cs_operator_view_get_result (CS_OPERATOR_VIEW (self->operator_view));

  g_free (self->table_path);
  self->table_path = g_strdup (path);
  cs_table_export_async (kind, self->engine, r, path, excel ? CS_CSV_PRESET_EXCEL : CS_CSV_PRESET_STANDARD,
                         self->cancellable, table_export_done_cb, g_object_ref (self));
}

static void
table_chooser_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *preset = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "preset");
      const char *kind = g_object_get_data (G_OBJECT (dialog), "kind");

      if (path != NULL)
        {
          g_autofree char *folder = g_path_get_dirname (path);
          cs_settings_set_string (cs_settings_get_default (), "export", "table-folder", folder);
          cs_settings_set_string (cs_settings_get_default (), "export", "table-preset", preset);
          cs_window_export_table (self, kind, path, g_strcmp0 (preset, "excel") == 0);
        }
    }
  g_clear_object (&self->chooser);
}

static void
export_table_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  const char *ids[] = { "standard", "excel", NULL };
  const char *labels[] = { "Standard (UTF-8, comma)", "Excel-friendly (BOM, semicolon, decimal comma)", NULL };
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "export", "table-folder", NULL);
  g_autofree char *preset = cs_settings_get_string (cs_settings_get_default (), "export", "table-preset",
                                                    "standard");
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->engine == NULL)
    return;
  {
    const char *src = self->cases->source;
    const char *dot = strrchr (src, '.');
    g_autofree char *base = dot != NULL ? g_strndup (src, (gsize) (dot - src)) : g_strdup (src);
    name = g_strdup_printf ("%s_%s.csv", base, g_str_equal (kind, "used") ? "cases-used" : "cases");
  }
  self->chooser = gtk_file_chooser_native_new (g_str_equal (kind, "used") ? "Export Cases Used" : "Export Case Table",
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, "_Export", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->chooser), "preset", "CSV style", ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->chooser), "preset", preset);
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data_full (G_OBJECT (self->chooser), "kind", g_strdup (kind), g_free);
  g_signal_connect (self->chooser, "response", G_CALLBACK (table_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- Meeting report ---------------------------------------------------------------- */

/* The report is composed by the engine and drawn by ui/render in a worker, as casescope-cli report does it, from a
 * copy of the shown query (the operator may move on while it is drawn). */
typedef struct
{
  CsQueryResult *result;
  char *path;
  char *date;
  char *source_path;
} ReportJob;

static void
report_job_free (gpointer data)
{
  ReportJob *job = data;

  g_clear_pointer (&job->result, cs_query_result_free);
  g_free (job->path);
  g_free (job->date);
  g_free (job->source_path);
  g_free (job);
}

static void
report_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ReportJob *job = task_data;
  g_autoptr(CsEngineReport) report = NULL;
  CsEngineReportOptions ro;
  CsExportOptions eo;
  const char *protect[] = { job->source_path, NULL };
  GError *error = NULL;

  /* the spec limits the shown prediction was made with (the operator page's, saved per file) */
  cs_engine_report_options_init (&ro);
  ro.spec_lower = job->result->spec.spec_lower;
  ro.spec_upper = job->result->spec.spec_upper;
  ro.app_version = PACKAGE_VERSION;
  ro.date = job->date;
  report = cs_engine_report_build (job->result->engine, job->result, &ro, cancellable, &error);
  if (report != NULL)
    {
      cs_export_options_init (&eo, CS_EXPORT_PRESET_A4_LANDSCAPE);
      eo.format = CS_EXPORT_PDF;
      eo.protected_paths = protect;
      if (cs_report_export (job->path, cs_engine_report_get (report), &eo, &error))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
    }
  g_task_return_error (task, error);
}

static void
report_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsWindow *self = CS_WINDOW (object);
  ReportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !gtk_widget_in_destruction (GTK_WIDGET (self)))
        {
          g_autofree char *msg = g_strdup_printf ("The report could not be written: %s", error->message);
          cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
        }
      return;
    }
  {
    g_autoptr(GFile) file = g_file_new_for_path (job->path);
    g_autoptr(GFile) parent = g_file_get_parent (file);
    g_autofree char *name = g_file_get_basename (file);
    g_autofree char *text = g_strdup_printf ("Exported %s", name);

    cs_window_show_notice (self, text, parent);
  }
}

gboolean
cs_window_export_report (CsWindow   *self,
                         const char *path)
{
  const CsQueryResult *r = cs_operator_view_get_result (CS_OPERATOR_VIEW (self->operator_view));
  g_autoptr(GTask) task = NULL;
  ReportJob *job;

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  if (self->engine == NULL || r == NULL || r->engine != self->engine)
    {
      cs_window_show_message (self, GTK_MESSAGE_ERROR,
                              "There is no prediction to report yet: open a case base and choose a case");
      return FALSE;
    }
  job = g_new0 (ReportJob, 1);
  job->result = cs_query_result_copy (r);
  job->path = g_strdup (path);
  job->date = cs_plot_provenance_date (NULL);
  job->source_path = g_strdup (self->cases->source_path);
  task = g_task_new (self, self->cancellable, report_done_cb, NULL);
  g_task_set_source_tag (task, cs_window_export_report);
  g_task_set_task_data (task, job, report_job_free);
  g_task_run_in_thread (task, report_thread);
  return TRUE;
}

static void
report_chooser_response_cb (GtkNativeDialog *dialog,
                            int              response,
                            CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autofree char *folder = g_path_get_dirname (path);

          cs_settings_set_string (cs_settings_get_default (), "export", "report-folder", folder);
          cs_window_export_report (self, path);
        }
    }
  g_clear_object (&self->chooser);
}

static void
export_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "export", "report-folder", NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->engine == NULL)
    return;
  {
    const char *src = self->cases->source;
    const char *dot = strrchr (src, '.');
    g_autofree char *base = dot != NULL ? g_strndup (src, (gsize) (dot - src)) : g_strdup (src);
    name = g_strdup_printf ("%s_report.pdf", base);
  }
  /* GTK 4.8 has no GtkFileDialog: the native chooser, as the other exports. */
  self->chooser = gtk_file_chooser_native_new ("Export Report", GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               "_Export", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, "PDF documents");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (report_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- Model files ------------------------------------------------------------------ */

gboolean
cs_window_save_model_to (CsWindow    *self,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(CsModelFile) mf = NULL;
  const char *protect[] = { NULL, NULL };

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->engine == NULL || self->engine->cases != self->cases)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                   "there is no model yet: open a case base and wait until its model is prepared");
      return FALSE;
    }
  if (self->record_pending)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                   "the case base is still being read for the model's record of it; try again in a moment");
      return FALSE;
    }
  protect[0] = self->cases->source_path;
  mf = cs_engine_to_model_file (self->engine, NULL, self->source_sha256, self->source_columns);
  return cs_model_file_save (mf, path, protect, error);
}

gboolean
cs_window_open_model_from (CsWindow    *self,
                           const char  *path,
                           GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(CsModelFile) mf = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  CsMetric metric = { 0 };

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  name = g_path_get_basename (path);
  if (self->cases == NULL || self->cases->n == 0)
    g_set_error (&local, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                 "open a case base first: a model file holds the window, not the cases");
  else
    {
      mf = cs_model_file_load (path, &local);
      if (mf != NULL && !cs_engine_metric_from_model_file (mf, self->cases, &metric, &local))
        g_prefix_error (&local, "%s: ", name);
    }
  if (local != NULL)
    {
      /* The current model stays: nothing was changed yet. */
      g_autofree char *msg = g_strdup_printf ("The model was not opened: %s", local->message);
      cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  for (guint i = 0; i < mf->notes->len; i++)
    g_ptr_array_add (notes, g_strdup (mf->notes->pdata[i]));
  {
    const char *sha = self->source_sha256 != NULL ? self->source_sha256 : self->cases->sha256;
    char *mismatch = cs_model_file_describe_base_mismatch (mf, sha, self->cases->n);
    if (mismatch != NULL)
      g_ptr_array_add (notes, mismatch);
  }
  if (notes->len > 0)
    {
      GString *msg = g_string_new (NULL);
      g_string_printf (msg, "Opened the model %s, ", name);
      for (guint i = 0; i < notes->len; i++)
        g_string_append_printf (msg, "%s%s", i > 0 ? "; " : "", (const char *) notes->pdata[i]);
      g_string_append_c (msg, '.');
      cs_window_show_message (self, GTK_MESSAGE_WARNING, msg->str);
      g_string_free (msg, TRUE);
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("Opened the model %s", name);
      cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
      cs_window_show_notice (self, text, NULL);
    }

  /* Stop a fit still running for this case base: its result would replace the opened model. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  label = cs_engine_model_label (mf, &metric, name);
  prepare_engine_with (self, CS_ENGINE_FIT_NONE, &metric, label);
  cs_metric_clear (&metric);
  return TRUE;
}

static void
model_chooser_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           CsWindow        *self)
{
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autofree char *folder = g_path_get_dirname (path);
          g_autoptr(GError) error = NULL;

          cs_settings_set_string (cs_settings_get_default (), "window", "model-folder", folder);
          if (saving && !cs_window_save_model_to (self, path, &error))
            {
              g_autofree char *msg = g_strdup_printf ("The model could not be saved: %s", error->message);
              cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
            }
          else if (saving)
            {
              g_autoptr(GFile) parent = g_file_get_parent (file);
              g_autofree char *name = g_file_get_basename (file);
              g_autofree char *text = g_strdup_printf ("Saved the model as %s", name);
              cs_window_show_notice (self, text, parent);
            }
          else
            cs_window_open_model_from (self, path, NULL);   /* it shows its own messages */
        }
    }
  g_clear_object (&self->chooser);
}

static void
model_chooser_show (CsWindow             *self,
                    GtkFileChooserAction  action)
{
  gboolean saving = action == GTK_FILE_CHOOSER_ACTION_SAVE;
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "window", "model-folder", NULL);
  GtkFileFilter *filter = gtk_file_filter_new ();

  self->chooser = gtk_file_chooser_native_new (saving ? "Save Model" : "Open Model", GTK_WINDOW (self), action,
                                               saving ? "_Save" : "_Open", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, "Model files (JSON)");
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  if (saving)
    {
      const char *src = self->cases->source;
      const char *dot = strrchr (src, '.');
      g_autofree char *base = dot != NULL ? g_strndup (src, (gsize) (dot - src)) : g_strdup (src);
      g_autofree char *name = g_strdup_printf ("%s-model.json", base);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (model_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  if (self->engine == NULL)
    {
      cs_window_show_notice (self, "There is no model to save yet: open a case base and wait for its model", NULL);
      return;
    }
  model_chooser_show (self, GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  if (self->cases == NULL)
    {
      cs_window_show_notice (self, "Open a case base first, then a model for its columns", NULL);
      return;
    }
  model_chooser_show (self, GTK_FILE_CHOOSER_ACTION_OPEN);
}

enum { PROP_0, PROP_COLORMAP, PROP_FOLLOWING, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* ---- Follow this file ------------------------------------------------------------ */

static void
stop_follow (CsWindow *self)
{
  if (self->follow_panel == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->follow_panel, self);
  cs_follow_panel_stop (CS_FOLLOW_PANEL (self->follow_panel));
  gtk_stack_remove (GTK_STACK (self->stack), self->follow_panel);
  self->follow_panel = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* A snapshot of the followed file for the pages: the views are given the new version whole (they never see
 * one change under them); no fit, the follow kept its metric. */
static void
follow_engine_changed (CsFollowPanel *panel,
                       CsEngine      *engine,
                       gboolean       reloaded,
                       CsWindow      *self)
{
  (void) panel;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cs_case_base_ref (engine->cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = engine->cases;
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = cs_engine_ref (engine);
  cs_operator_view_set_cases (CS_OPERATOR_VIEW (self->operator_view), self->cases);
  cs_manager_view_set_cases (CS_MANAGER_VIEW (self->manager_view), self->cases);
  set_preparing (self, FALSE);
  cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
  cs_manager_view_set_engine (CS_MANAGER_VIEW (self->manager_view), engine);
  update_title (self);
  start_source_record (self);
  if (reloaded)
    cs_window_show_notice (self, "The followed file was truncated or rewritten: it was loaded again whole", NULL);
}

static void
set_following (CsWindow *self,
               gboolean  on)
{
  gboolean dark = FALSE;

  if (!on)
    {
      stop_follow (self);
      return;
    }
  if (self->follow_panel != NULL)
    return;
  if (self->engine == NULL || self->cases == NULL || self->cases->source_path == NULL
      || !g_file_test (self->cases->source_path, G_FILE_TEST_IS_REGULAR))
    {
      cs_window_show_message (self, GTK_MESSAGE_INFO,
                              "Only a case base opened from a file, once its model is ready, can be followed");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
      return;
    }
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &dark, NULL);
  self->follow_panel = cs_follow_panel_new (self->cases->source_path, self->engine, dark);
  g_signal_connect (self->follow_panel, "engine-changed", G_CALLBACK (follow_engine_changed), self);
  gtk_stack_add_titled (GTK_STACK (self->stack), self->follow_panel, "follow", "Follow");
  gtk_stack_set_visible_child (GTK_STACK (self->stack), self->follow_panel);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

CsSetAside *
cs_window_get_set_aside (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->set_aside;
}

GtkWidget *
cs_window_get_follow_panel (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->follow_panel;
}

static void
set_colormap (CsWindow   *self,
              const char *name)
{
  g_autoptr(GPtrArray) charts = NULL;
  CsColormap map = g_strcmp0 (name, "cividis") == 0 ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;

  if (map == self->colormap)
    return;
  self->colormap = map;
  cs_settings_set_string (cs_settings_get_default (), "charts", "colormap", cs_colormap_name (map));
  charts = all_charts (self);
  for (guint i = 0; i < charts->len; i++)
    cs_chart_view_set_weight_map (charts->pdata[i], map);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_COLORMAP:
      g_value_set_string (value, cs_colormap_name (CS_WINDOW (object)->colormap));
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, CS_WINDOW (object)->follow_panel != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_COLORMAP:
      set_colormap (CS_WINDOW (object), g_value_get_string (value));
      break;
    case PROP_FOLLOWING:
      set_following (CS_WINDOW (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  cs_window_set_page (self, "operator");
  cs_operator_view_focus_search (CS_OPERATOR_VIEW (self->operator_view));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cs_window_set_page (CS_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

void
cs_window_set_page (CsWindow   *self,
                    const char *name)
{
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
}

GtkWidget *
cs_window_get_operator (CsWindow *self)
{
  return self->operator_view;
}

GtkWidget *
cs_window_get_manager (CsWindow *self)
{
  return self->manager_view;
}

static void
info_bar_response_cb (GtkInfoBar *bar,
                      int         response,
                      CsWindow   *self)
{
  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
}

static void
manager_engine_cb (CsManagerView *view,
                   gpointer       engine_ptr,
                   CsWindow      *self)
{
  CsEngine *engine = engine_ptr;

  if (engine == NULL || engine->cases != self->cases)
    return;
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = cs_engine_ref (engine);
  cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
}

static void
manager_open_case_cb (CsManagerView *view,
                      guint          index,
                      CsWindow      *self)
{
  cs_window_set_page (self, "operator");
  cs_operator_view_select_case (CS_OPERATOR_VIEW (self->operator_view), index);
}

static void
settings_changed_cb (GtkSettings *settings,
                     GParamSpec  *pspec,
                     CsWindow    *self)
{
  gboolean dark = FALSE;

  g_object_get (settings, "gtk-application-prefer-dark-theme", &dark, NULL);
  cs_operator_view_set_dark (CS_OPERATOR_VIEW (self->operator_view), dark);
  cs_manager_view_set_dark (CS_MANAGER_VIEW (self->manager_view), dark);
  if (self->follow_panel != NULL)
    cs_follow_panel_set_dark (CS_FOLLOW_PANEL (self->follow_panel), dark);
}

static GtkWidget *
build_header (CsWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *open = gtk_button_new_with_mnemonic ("_Open");
  GtkWidget *export = gtk_button_new_from_icon_name ("document-save-as-symbolic");
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) recent = g_menu_new ();
  g_autoptr(GMenu) view = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenu) model = g_menu_new ();

  self->switcher = gtk_stack_switcher_new ();
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), self->switcher);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "win.open");
  gtk_widget_set_tooltip_text (open, "Open a case base (Ctrl+O)");
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), open);

  self->source_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->source_label, "dim-label");
  gtk_label_set_ellipsize (GTK_LABEL (self->source_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->source_label), 48);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->source_label);

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->spinner);

  self->recent_section = g_object_ref (recent);
  g_menu_append_submenu (menu, "Open _Recent", G_MENU_MODEL (recent));
  g_menu_append (model, "Open _Model…", "win.open-model");
  g_menu_append (model, "_Save Model…", "win.save-model");
  g_menu_append (model, "_Follow This File", "win.follow");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (model));
  g_menu_append (view, "_Dark Style", "app.dark");
  g_menu_append (view, "Weights in _Viridis", "win.colormap::viridis");
  g_menu_append (view, "Weights in _Cividis", "win.colormap::cividis");
  g_menu_append (view, "_Export Chart…", "win.export");
  g_menu_append (view, "Export Case _Table as CSV…", "win.export-table::cases");
  g_menu_append (view, "Export Cases _Used as CSV…", "win.export-table::used");
  g_menu_append (view, "Export _Report…", "win.export-report");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (view));
  g_menu_append (section, "_Keyboard Shortcuts", "win.show-help-overlay");
  g_menu_append (section, "_About Casescope", "app.about");
  g_menu_append (section, "_Quit", "app.quit");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "open-menu-symbolic");
  gtk_menu_button_set_primary (GTK_MENU_BUTTON (menu_button), TRUE);
  gtk_widget_set_tooltip_text (menu_button, "Main menu (F10)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Main menu", -1);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), menu_button);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (export), "win.export");
  gtk_widget_set_tooltip_text (export, "Export a chart as PNG, SVG or PDF (Ctrl+E)");
  gtk_accessible_update_property (GTK_ACCESSIBLE (export), GTK_ACCESSIBLE_PROPERTY_LABEL, "Export chart", -1);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), export);
  return header;
}

static gboolean
close_request_cb (GtkWindow *window,
                  gpointer   user_data)
{
  CsSettings *settings = cs_settings_get_default ();
  int w = 0, h = 0;

  gtk_window_get_default_size (window, &w, &h);
  if (w > 0 && h > 0)
    {
      cs_settings_set_int (settings, "window", "width", w);
      cs_settings_set_int (settings, "window", "height", h);
    }
  cs_settings_set_boolean (settings, "window", "maximized", gtk_window_is_maximized (window));
  return FALSE;
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  stop_follow (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->notice_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (gtk_recent_manager_get_default (), self);
  g_signal_handlers_disconnect_by_data (gtk_settings_get_default (), self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->import_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->import_dialog));
  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  g_clear_object (&self->recent_section);
  g_clear_object (&self->notice_folder);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->table_path, g_free);
  g_clear_pointer (&self->source_sha256, g_free);
  g_clear_pointer (&self->set_aside, cs_set_aside_free);
  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* Keep the UI resources linked in from the static library. */
  (void) cs_ui_get_resource ();

  object_class->dispose = cs_window_dispose;
  object_class->get_property = cs_window_get_property;
  object_class->set_property = cs_window_set_property;
  properties[PROP_COLORMAP] = g_param_spec_string ("colormap", NULL, NULL, "viridis",
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  /* "Follow this file" in the window menu (a toggle): the follow page watches the shown case base's file. */
  properties[PROP_FOLLOWING] = g_param_spec_boolean ("following", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                     G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_install_property_action (widget_class, "win.colormap", "colormap");
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-table", "s", export_table_action);
  gtk_widget_class_install_action (widget_class, "win.export-report", NULL, export_report_action);
  gtk_widget_class_install_action (widget_class, "win.copy-chart", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy-chart", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "operator");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "manager");
}

static void
cs_window_init (CsWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *notice_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *notice_close = gtk_button_new_from_icon_name ("window-close-symbolic");
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  CsSettings *settings = cs_settings_get_default ();
  g_autofree char *colormap = cs_settings_get_string (settings, "charts", "colormap", "viridis");
  GtkWidget *drop_label;

  self->colormap = g_str_equal (colormap, "cividis") ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;
  self->set_aside = cs_set_aside_new ();

  gtk_window_set_title (GTK_WINDOW (self), "Casescope");
  gtk_window_set_default_size (GTK_WINDOW (self), cs_settings_get_int (settings, "window", "width", 1280),
                               cs_settings_get_int (settings, "window", "height", 800));
  if (cs_settings_get_boolean (settings, "window", "maximized", FALSE))
    gtk_window_maximize (GTK_WINDOW (self));
  gtk_window_set_titlebar (GTK_WINDOW (self), build_header (self));

  self->info_bar = gtk_info_bar_new ();
  self->info_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->info_label, "message");
  gtk_label_set_wrap (GTK_LABEL (self->info_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->info_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->info_label), TRUE);
  gtk_info_bar_add_child (GTK_INFO_BAR (self->info_bar), self->info_label);
  gtk_info_bar_set_show_close_button (GTK_INFO_BAR (self->info_bar), TRUE);
  gtk_info_bar_set_revealed (GTK_INFO_BAR (self->info_bar), FALSE);
  gtk_widget_set_visible (self->info_bar, FALSE);
  g_signal_connect (self->info_bar, "response", G_CALLBACK (info_bar_response_cb), self);
  gtk_box_append (GTK_BOX (box), self->info_bar);

  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_visible (self->progress, FALSE);
  gtk_widget_set_margin_start (self->progress, 12);
  gtk_widget_set_margin_end (self->progress, 12);
  gtk_widget_set_margin_top (self->progress, 4);
  gtk_box_append (GTK_BOX (box), self->progress);

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  self->operator_view = cs_operator_view_new ();
  self->manager_view = cs_manager_view_new ();
  {
    g_autoptr(GPtrArray) charts = all_charts (self);
    for (guint i = 0; i < charts->len; i++)
      cs_chart_view_set_weight_map (charts->pdata[i], self->colormap);
  }
  gtk_stack_add_titled (GTK_STACK (self->stack), self->operator_view, "operator", "Operator");
  gtk_stack_add_titled (GTK_STACK (self->stack), self->manager_view, "manager", "Manager");
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (self->switcher), GTK_STACK (self->stack));
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_box_append (GTK_BOX (box), self->stack);
  g_signal_connect (self->manager_view, "engine-changed", G_CALLBACK (manager_engine_cb), self);
  g_signal_connect (self->manager_view, "open-case", G_CALLBACK (manager_open_case_cb), self);

  /* Notice ("toast") over the content. */
  self->notice_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->notice_label, "notice");
  self->notice_button = gtk_button_new_with_mnemonic ("Open _Folder");
  g_signal_connect (self->notice_button, "clicked", G_CALLBACK (open_folder_cb), self);
  gtk_widget_set_tooltip_text (notice_close, "Dismiss");
  gtk_accessible_update_property (GTK_ACCESSIBLE (notice_close), GTK_ACCESSIBLE_PROPERTY_LABEL, "Dismiss", -1);
  gtk_widget_add_css_class (notice_close, "flat");
  g_signal_connect_swapped (notice_close, "clicked", G_CALLBACK (notice_timeout_cb), self);
  gtk_box_append (GTK_BOX (notice_box), self->notice_label);
  gtk_box_append (GTK_BOX (notice_box), self->notice_button);
  gtk_box_append (GTK_BOX (notice_box), notice_close);
  gtk_widget_add_css_class (notice_box, "app-notification");
  self->notice_revealer = gtk_revealer_new ();
  gtk_revealer_set_child (GTK_REVEALER (self->notice_revealer), notice_box);
  gtk_widget_set_halign (self->notice_revealer, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (self->notice_revealer, GTK_ALIGN_START);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), box);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->notice_revealer);

  drop_label = gtk_label_new ("Drop a CSV file to preview and import it");
  gtk_widget_add_css_class (drop_label, "title-2");
  self->drop_overlay = drop_label;
  gtk_widget_add_css_class (self->drop_overlay, "drop-overlay");
  gtk_widget_set_visible (self->drop_overlay, FALSE);
  gtk_widget_set_can_target (self->drop_overlay, FALSE);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->drop_overlay);
  gtk_window_set_child (GTK_WINDOW (self), overlay);

  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  g_signal_connect (drop, "enter", G_CALLBACK (drop_enter_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (drop_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect (gtk_recent_manager_get_default (), "changed", G_CALLBACK (recent_changed_cb), self);
  rebuild_recent (self);
  g_signal_connect (self, "notify::focus-widget", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  g_signal_connect (gtk_settings_get_default (), "notify::gtk-application-prefer-dark-theme",
                    G_CALLBACK (settings_changed_cb), self);
  settings_changed_cb (gtk_settings_get_default (), NULL, self);
  update_title (self);
}

CsWindow *
cs_window_new (GtkApplication *app)
{
  return g_object_new (CS_TYPE_WINDOW, "application", app, NULL);
}
