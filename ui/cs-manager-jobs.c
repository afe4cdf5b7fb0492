/* cs-manager-jobs.c: the manager page's pieces that need nothing of the page: the workers for the paper's setting
 * (a window pretrained on synthetic tasks, the sweeps of the learned window against L and sigma), and the
 * relevance rows. */
#define G_LOG_DOMAIN "cs-manager-jobs"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-manager-jobs.h"

void
cs_manager_fill_relevance (GtkGrid  *grid,
                           CsEngine *e)
{
  CsCaseBase *c = e->cases;

  /* Relevance: the window per feature, and 1/half-width² normalised. */
  {
    g_autofree double *hw = g_new (double, c->d);
    double total = 0;

    cs_metric_half_widths (&e->metric, hw);
    for (gsize j = 0; j < c->d; j++)
      total += isfinite (hw[j]) && hw[j] > 0 ? 1.0 / (hw[j] * hw[j]) : 0;
    for (gsize j = 0; j < c->d; j++)
      {
        double rel = total > 0 && isfinite (hw[j]) && hw[j] > 0 ? 1.0 / (hw[j] * hw[j]) / total : 0;
        GtkWidget *name = gtk_label_new (c->feature_names[j]);
        GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
        g_autofree char *width = cs_format_number (cs_engine_half_width (e, j));
        g_autofree char *text = g_strdup_printf (_("relevance %.0f %%, window ±%s %s"), 100 * rel, width,
                                                 c->feature_units[j]);
        GtkWidget *label = gtk_label_new (text);

        gtk_label_set_xalign (GTK_LABEL (name), 0);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), rel);
        gtk_widget_set_size_request (bar, 160, -1);
        gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
        gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Relevance"), -1);
        gtk_grid_attach (grid, name, 0, (int) j, 1, 1);
        gtk_grid_attach (grid, bar, 1, (int) j, 1, 1);
        gtk_grid_attach (grid, label, 2, (int) j, 1, 1);
      }
  }
}

void
cs_manager_job_free (gpointer data)
{
  CsManagerJob *job = data;

  cs_pretrain_sweep_clear (&job->sweep_l);
  cs_pretrain_sweep_clear (&job->sweep_sigma);
  if (job->cases != NULL)
    cs_case_base_unref (job->cases);
  g_clear_object (&job->progress);
  g_free (job);
}

static int
pretrain_progress_cb (double fraction,
                      void  *user_data)
{
  CsManagerJob *job = user_data;

  cs_progress_report (job->progress, job->from + (job->to - job->from) * fraction, NULL);
  return g_cancellable_is_cancelled (job->cancellable) ? 1 : 0;
}

void
cs_manager_pretrain_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CsManagerJob *job = task_data;
  CsPretrainOptimOptions opt;
  CsPretrainStatus status;
  double loss;
  int at_edge = 0;

  job->cancellable = cancellable;
  cs_pretrain_optim_options_init (&opt);
  opt.tasks = 1024;
  opt.progress = pretrain_progress_cb;
  opt.user_data = job;
  job->from = 0;
  job->to = 0.5;
  status = cs_pretrain_optimal_w (&job->spec, &opt, &job->w_star, &loss, &at_edge);
  if (status != CS_PRETRAIN_OK)
    {
      g_task_return_new_error (task, G_IO_ERROR, status == CS_PRETRAIN_CANCELLED ? G_IO_ERROR_CANCELLED
                               : G_IO_ERROR_FAILED, "%s", cs_pretrain_status_message (status));
      return;
    }
  job->from = 0.5;
  job->to = 1.0;
  {
    CsMetric metric = { 0 };
    GError *error = NULL;
    CsEngine *engine;

    cs_metric_init_scalar (&metric, job->cases->d, job->w_star);
    engine = cs_engine_build (job->cases, CS_ENGINE_FIT_NONE, &metric, "scalar, pretrained on synthetic tasks",
                              &job->thresholds, NULL, NULL, cancellable, &error);
    cs_metric_clear (&metric);
    if (engine == NULL)
      {
        g_task_return_error (task, error);
        return;
      }
    g_task_return_pointer (task, engine, (GDestroyNotify) cs_engine_unref);
  }
}

/* The paper's sweeps through the engine's chart builder: the same seeds and prompts as casescope-cli export, so
 * the chart on screen and the exported one are the same. */
void
cs_manager_sweep_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CsManagerJob *job = task_data;
  GError *error = NULL;
  CsChartOptions options;
  CsEngineChart *chart;

  cs_chart_options_init (&options);
  chart = cs_engine_chart_build (NULL, CS_CHART_WINDOW_SWEEP, NULL, &options, cs_progress_engine_cb, job->progress,
                                 cancellable, &error);
  if (chart == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, chart, (GDestroyNotify) cs_engine_chart_free);
}

