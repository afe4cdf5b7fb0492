/* cs-window-files.c: what the window writes and reads besides the CSV import, as public API: the chart export
 * dialog, the tables as CSV and the meeting report as PDF (in workers, a notice or a message when they end), model
 * files and the record of the case base they carry. The actions and choosers that call them are in
 * cs-window-actions.c. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-data-error.h"
#include "cs-engine-model.h"
#include "cs-engine-report.h"
#include "cs-export-dialog.h"
#include "cs-manager-view.h"
#include "cs-operator-view.h"
#include "cs-report.h"
#include "cs-table-export.h"
#include "cs-window-private.h"

/* ---- Charts ---------------------------------------------------------------------- */

static void
export_exported_cb (CsExportDialog *dialog,
                    const char     *path,
                    CsWindow       *self)
{
  _cs_window_notice_exported (self, path);
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
  g_autoptr(GPtrArray) charts = NULL;
  CsChartView *chart;

  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);

  charts = _cs_window_all_charts (self);
  chart = _cs_window_current_chart (self);
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

/* ---- Tables as CSV ---------------------------------------------------------------- */

static void
table_export_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CsWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->table_path == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    cs_table_export_finish (result, NULL);
  else if (!cs_table_export_finish (result, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("The table could not be exported: %s"), error->message);
      cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
    }
  else
    _cs_window_notice_exported (self, self->table_path);
  g_object_unref (self);
}

void
cs_window_export_table (CsWindow   *self,
                        const char *kind,
                        const char *path,
                        gboolean    excel)
{
  const CsQueryResult *r;

  g_return_if_fail (CS_IS_WINDOW (self));

  r = cs_operator_view_get_result (CS_OPERATOR_VIEW (self->operator_view));
  g_free (self->table_path);
  self->table_path = g_strdup (path);
  /* the interval level and spec limits the operator page predicts with: the CSV's columns say the same */
  cs_table_export_async_spec (kind, self->engine, r, cs_operator_view_get_spec (CS_OPERATOR_VIEW (self->operator_view)),
                              path, excel ? CS_CSV_PRESET_EXCEL : CS_CSV_PRESET_STANDARD, self->cancellable,
                              table_export_done_cb, g_object_ref (self));
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
          g_autofree char *msg = g_strdup_printf (_("The report could not be written: %s"), error->message);
          cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
        }
      return;
    }
  _cs_window_notice_exported (self, job->path);
}

gboolean
cs_window_export_report (CsWindow   *self,
                         const char *path)
{
  const CsQueryResult *r;
  g_autoptr(GTask) task = NULL;
  ReportJob *job;

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  r = cs_operator_view_get_result (CS_OPERATOR_VIEW (self->operator_view));
  if (self->engine == NULL || r == NULL || r->engine != self->engine)
    {
      cs_window_show_message (self, GTK_MESSAGE_ERROR,
                              _("There is no prediction to report yet: open a case base and choose a case"));
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
void
_cs_window_start_source_record (CsWindow *self)
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
  g_task_set_source_tag (task, _cs_window_start_source_record);
  /* Opening a model replaces the cancellable to stop a running fit; the record of the same case base stays
   * valid, so its result is kept (a new case base is told apart by record_ready_cb). */
  g_task_set_check_cancellable (task, FALSE);
  job = g_new0 (RecordJob, 1);
  job->cases = cs_case_base_ref (self->cases);
  job->columns = self->import_columns;
  g_task_set_task_data (task, job, (GDestroyNotify) record_job_free);
  g_task_run_in_thread (task, record_thread);
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
                   _("there is no model yet: open a case base and wait until its model is prepared"));
      return FALSE;
    }
  if (self->record_pending)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                   _("the case base is still being read for the model's record of it; try again in a moment"));
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
  const char *sha;
  char *mismatch;

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  name = g_path_get_basename (path);
  if (self->cases == NULL || self->cases->n == 0)
    g_set_error (&local, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                 _("open a case base first: a model file holds the window, not the cases"));
  else
    {
      mf = cs_model_file_load (path, &local);
      if (mf != NULL && !cs_engine_metric_from_model_file (mf, self->cases, &metric, &local))
        g_prefix_error (&local, "%s: ", name);
    }
  if (local != NULL)
    {
      /* The current model stays: nothing was changed yet. */
      g_autofree char *msg = g_strdup_printf (_("The model was not opened: %s"), local->message);
      cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  for (guint i = 0; i < mf->notes->len; i++)
    g_ptr_array_add (notes, g_strdup (mf->notes->pdata[i]));
  sha = self->source_sha256 != NULL ? self->source_sha256 : self->cases->sha256;
  mismatch = cs_model_file_describe_base_mismatch (mf, sha, self->cases->n);
  if (mismatch != NULL)
    g_ptr_array_add (notes, mismatch);
  if (notes->len > 0)
    {
      g_autoptr(GString) msg = g_string_new (NULL);

      /* TRANSLATORS: followed by the notes about the opened model, separated by semicolons */
      g_string_printf (msg, _("Opened the model %s, "), name);
      for (guint i = 0; i < notes->len; i++)
        g_string_append_printf (msg, "%s%s", i > 0 ? "; " : "", (const char *) notes->pdata[i]);
      g_string_append_c (msg, '.');
      cs_window_show_message (self, GTK_MESSAGE_WARNING, msg->str);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Opened the model %s"), name);
      cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
      cs_window_show_notice (self, text, NULL);
    }

  /* Stop a fit still running for this case base: its result would replace the opened model. */
  _cs_window_renew_cancellable (self);
  label = cs_engine_model_label (mf, &metric, name);
  _cs_window_prepare_engine_with (self, CS_ENGINE_FIT_NONE, &metric, label);
  cs_metric_clear (&metric);
  return TRUE;
}
