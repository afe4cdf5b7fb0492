/* cs-manager-view.c: global diagnostics, model controls in GTask workers, softmax vs linear, paper sweeps. */
#define G_LOG_DOMAIN "cs-manager-view"

#include "config.h"

#include <math.h>

#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-manager-view.h"
#include "cs-pretrain.h"
#include "cs-settings.h"
#include "cs-widgets.h"

struct _CsManagerView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *scrolled;
  GtkWidget *noise_label;
  GtkWidget *lipschitz_label;
  GtkWidget *window_label;
  GtkWidget *flags_label;
  GtkWidget *flagged_list;
  GtkWidget *metric_label;
  GtkWidget *metric_choice;
  GtkWidget *fit_button;
  GtkWidget *cancel_button;
  GtkWidget *progress;
  GtkWidget *eta_label;
  GtkWidget *relevance_grid;
  GtkWidget *l_spin;
  GtkWidget *sigma_spin;
  GtkWidget *pretrain_button;
  GtkWidget *pretrain_label;
  GtkWidget *sweep_button;
  GtkWidget *compare_label;
  GtkWidget *threshold_spins[CS_FLAG_N_THRESHOLDS];
  GtkWidget *apply_button;
  GPtrArray *charts;

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  GCancellable *cancellable;
  gint64 started;
  double fraction;
  char *stage;
  guint progress_idle;
  guint eta_timer;
  GMutex lock;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (CsManagerView, cs_manager_view, GTK_TYPE_WIDGET)

enum { SIGNAL_ENGINE_CHANGED, SIGNAL_OPEN_CASE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_busy (CsManagerView *self,
          gboolean       busy,
          const char    *what)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->fit_button, !busy && self->cases != NULL);
  gtk_widget_set_sensitive (self->pretrain_button, !busy && self->cases != NULL);
  gtk_widget_set_sensitive (self->sweep_button, !busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_widget_set_visible (self->progress, busy);
  if (busy)
    {
      self->started = g_get_monotonic_time ();
      self->fraction = 0;
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), 0);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), what);
      gtk_label_set_text (GTK_LABEL (self->eta_label), "Estimating the time left…");
    }
}

static void
update_eta (CsManagerView *self)
{
  double elapsed = (g_get_monotonic_time () - self->started) / 1e6;
  double f = self->fraction;
  g_autofree char *text = NULL;

  if (!self->busy)
    return;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), f);
  if (self->stage != NULL)
    gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), self->stage);
  if (f > 0.02 && elapsed > 0.3)
    {
      double left = elapsed * (1 - f) / f;
      text = g_strdup_printf ("%.0f %% done, about %.0f s left (%.1f s so far)", 100 * f, ceil (left), elapsed);
    }
  else
    text = g_strdup_printf ("%.1f s so far", elapsed);
  gtk_label_set_text (GTK_LABEL (self->eta_label), text);
}

static gboolean
progress_idle_cb (gpointer user_data)
{
  CsManagerView *self = user_data;

  g_mutex_lock (&self->lock);
  self->progress_idle = 0;
  g_mutex_unlock (&self->lock);
  update_eta (self);
  return G_SOURCE_REMOVE;
}

/* Worker thread: coalesced into at most one idle. */
static void
progress_cb (double      fraction,
             const char *stage,
             gpointer    user_data)
{
  CsManagerView *self = user_data;

  g_mutex_lock (&self->lock);
  self->fraction = fraction;
  if (stage != NULL && g_strcmp0 (stage, self->stage) != 0)
    {
      g_free (self->stage);
      self->stage = g_strdup (stage);
    }
  if (self->progress_idle == 0)
    self->progress_idle = g_idle_add_full (G_PRIORITY_LOW, progress_idle_cb, g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->lock);
}

static gboolean
eta_timer_cb (gpointer user_data)
{
  update_eta (user_data);
  return G_SOURCE_CONTINUE;
}

static void
start_timer (CsManagerView *self)
{
  g_clear_handle_id (&self->eta_timer, g_source_remove);
  self->eta_timer = g_timeout_add (500, eta_timer_cb, self);
}

static void
stop_timer (CsManagerView *self)
{
  g_clear_handle_id (&self->eta_timer, g_source_remove);
}

/* ---- Display ------------------------------------------------------------------- */

static void
flagged_activated_cb (GtkListBox    *box,
                      GtkListBoxRow *row,
                      CsManagerView *self)
{
  gsize index = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "case-index"));

  if (index > 0)
    g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, (guint) (index - 1));
}

static void show_thresholds (CsManagerView *self);

static void
update_display (CsManagerView *self)
{
  CsEngine *e = self->engine;
  GtkWidget *child;

  show_thresholds (self);
  while ((child = gtk_widget_get_first_child (self->relevance_grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->relevance_grid), child);
  while ((child = gtk_widget_get_first_child (self->flagged_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->flagged_list), child);
  for (guint t = 0; t < self->charts->len; t++)
    if (!g_str_equal (cs_chart_view_get_name (self->charts->pdata[t]), "window-sweep"))
      cs_chart_data_attach_global (self->charts->pdata[t], e);

  if (e == NULL)
    {
      const char *text = self->cases != NULL ? "Preparing…" : "No case base";
      gtk_label_set_text (GTK_LABEL (self->noise_label), text);
      gtk_label_set_text (GTK_LABEL (self->lipschitz_label), "");
      gtk_label_set_text (GTK_LABEL (self->window_label), "");
      gtk_label_set_text (GTK_LABEL (self->flags_label), "");
      gtk_label_set_text (GTK_LABEL (self->metric_label), "");
      gtk_label_set_text (GTK_LABEL (self->compare_label), "");
      return;
    }
  {
    CsCaseBase *c = e->cases;
    g_autofree char *noise = g_strdup_printf ("Noise level σ ≈ %.4g %s (nearest-neighbour difference estimator)",
                                              e->global.noise_sd, c->target_unit);
    g_autofree char *lip = g_strdup_printf ("Variation L ≈ %.4g %s per standard deviation (%.0f %% quantile of "
                                            "the local linear slopes)", e->global.lipschitz, c->target_unit,
                                            100 * e->global.lipschitz_quantile);
    g_autofree char *win = g_strdup_printf ("Window radius %.3f sd; theory (σ²/(L²n))^(1/(d+2)) = %.3f sd (up to a "
                                            "constant)", e->global.window_radius, e->global.theory_radius);
    /* The engine's sampling policy, in the words casescope-cli's JSON gives as loss_cases and per_case_cases. */
    g_autofree char *sampled = e->policy.loss_cases < c->n || e->policy.case_cases < c->n
                               ? g_strdup_printf (". Large case base: the leave-one-out loss over %zu and the per-case "
                                                  "diagnostics over %zu evenly spaced cases of %zu, each against all "
                                                  "the others", e->policy.loss_cases, e->policy.case_cases, c->n)
                               : g_strdup ("");
    g_autofree char *metric = g_strdup_printf ("Metric: %s; mean diag(M) = %.4g%s%s", e->metric_label,
                                               cs_metric_mean_diagonal (&e->metric),
                                               e->fitted ? "" : " (not fitted)", sampled);
    g_autofree char *compare = g_strdup_printf ("Leave-one-out MSE: softmax %.4g, linear least squares %.4g "
                                                "(%s; %s)", e->fit.loo_mse, e->loo_mse_linear, e->linear_method,
                                                e->fit.loo_mse < e->loo_mse_linear ? "softmax is better"
                                                : "linear is not worse here");
    gtk_label_set_text (GTK_LABEL (self->noise_label), e->have_diagnostics ? noise : "Too few cases to diagnose");
    gtk_label_set_text (GTK_LABEL (self->lipschitz_label), e->have_diagnostics ? lip : "");
    gtk_label_set_text (GTK_LABEL (self->window_label), e->have_diagnostics ? win : "");
    gtk_label_set_text (GTK_LABEL (self->metric_label), metric);
    gtk_label_set_text (GTK_LABEL (self->compare_label), compare);

    if (e->case_verdict != NULL)
      {
        gsize counts[3] = { 0 }, kinds[CS_FLAG_N_KINDS] = { 0 };
        g_autofree char *text = NULL;
        guint shown = 0;

        for (gsize i = 0; i < c->n; i++)
          {
            counts[e->case_verdict[i]]++;
            for (int f = 0; f < CS_FLAG_N_KINDS; f++)
              if (e->case_flags[i] & (1u << f))
                kinds[f]++;
          }
        text = g_strdup_printf ("Leave-one-out verdicts: %zu ok, %zu check, %zu stop. Flags: high_noise %zu, "
                                "high_variation %zu, low_support %zu, out_of_range %zu.",
                                counts[0], counts[1], counts[2], kinds[CS_FLAG_HIGH_NOISE],
                                kinds[CS_FLAG_HIGH_VARIATION], kinds[CS_FLAG_LOW_SUPPORT],
                                kinds[CS_FLAG_OUT_OF_RANGE]);
        gtk_label_set_text (GTK_LABEL (self->flags_label), text);
        for (gsize i = 0; i < c->n && shown < 12; i++)
          if (e->case_verdict[i] == CS_VERDICT_STOP ||
              (e->case_verdict[i] == CS_VERDICT_CHECK && counts[2] < 12 && shown < 12))
            {
              g_autofree char *row_text = NULL;
              GString *kinds_text = g_string_new (NULL);
              GtkWidget *label;

              for (int f = 0; f < CS_FLAG_N_KINDS; f++)
                if (e->case_flags[i] & (1u << f))
                  g_string_append_printf (kinds_text, "%s%s", kinds_text->len ? ", " : "",
                                          cs_engine_flag_name ((CsFlagKind) f));
              row_text = g_strdup_printf ("%s (line %u): %s — %s", c->ids != NULL ? c->ids[i] : "case", c->line[i],
                                          cs_verdict_name (e->case_verdict[i]), kinds_text->str);
              g_string_free (kinds_text, TRUE);
              label = gtk_label_new (row_text);
              gtk_label_set_xalign (GTK_LABEL (label), 0);
              gtk_list_box_append (GTK_LIST_BOX (self->flagged_list), label);
              g_object_set_data (G_OBJECT (gtk_widget_get_parent (label)), "case-index", GSIZE_TO_POINTER (i + 1));
              shown++;
            }
      }
    else
      gtk_label_set_text (GTK_LABEL (self->flags_label),
                          "Per-case flags are computed for case bases up to 5,000 cases.");

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
          g_autofree char *text = g_strdup_printf ("relevance %.0f %%, window ±%s %s", 100 * rel, width,
                                                   c->feature_units[j]);
          GtkWidget *label = gtk_label_new (text);

          gtk_label_set_xalign (GTK_LABEL (name), 0);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), rel);
          gtk_widget_set_size_request (bar, 160, -1);
          gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
          gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, "Relevance", -1);
          gtk_grid_attach (GTK_GRID (self->relevance_grid), name, 0, (int) j, 1, 1);
          gtk_grid_attach (GTK_GRID (self->relevance_grid), bar, 1, (int) j, 1, 1);
          gtk_grid_attach (GTK_GRID (self->relevance_grid), label, 2, (int) j, 1, 1);
        }
    }
  }
}

/* ---- Fitting --------------------------------------------------------------------- */

static void
fit_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CsManagerView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = cs_engine_build_finish (result, &error);

  stop_timer (self);
  if (self->cases == NULL || (engine != NULL && engine->cases != self->cases))
    {
      g_object_unref (self);
      return;
    }
  set_busy (self, FALSE, NULL);
  if (engine == NULL)
    {
      g_autofree char *text = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? g_strdup ("Cancelled: the previous model stays.")
                              : g_strdup_printf ("The fit failed: %s. The previous model stays.", error->message);
      gtk_label_set_text (GTK_LABEL (self->eta_label), text);
      g_object_unref (self);
      return;
    }
  {
    double secs = (g_get_monotonic_time () - self->started) / 1e6;
    g_autofree char *text = g_strdup_printf ("Done in %.1f s (%d passes over the pairs).", secs, engine->fit.passes);
    gtk_label_set_text (GTK_LABEL (self->eta_label), text);
  }
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = cs_engine_ref (engine);
  update_display (self);
  g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, engine);
  g_object_unref (self);
}

gboolean
cs_manager_view_fit (CsManagerView *self,
                     const char    *kind)
{
  CsEngineFit fit = g_strcmp0 (kind, "diagonal") == 0 ? CS_ENGINE_FIT_DIAGONAL
                    : g_strcmp0 (kind, "full") == 0 ? CS_ENGINE_FIT_FULL : CS_ENGINE_FIT_SCALAR;

  if (self->busy || self->cases == NULL || self->engine == NULL)
    return FALSE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, "Fitting by leave-one-out");
  start_timer (self);
  cs_engine_build_async (self->cases, fit, NULL, NULL, &self->engine->thresholds, progress_cb, self,
                         self->cancellable, fit_done_cb, g_object_ref (self));
  return TRUE;
}

static void
fit_clicked_cb (GtkButton     *button,
                CsManagerView *self)
{
  static const char *kinds[] = { "scalar", "diagonal", "full" };
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->metric_choice));

  cs_manager_view_fit (self, kinds[MIN (i, 2)]);
}

void
cs_manager_view_cancel (CsManagerView *self)
{
  g_cancellable_cancel (self->cancellable);
}

gboolean
cs_manager_view_is_busy (CsManagerView *self)
{
  return self->busy;
}

static void
cancel_clicked_cb (GtkButton     *button,
                   CsManagerView *self)
{
  cs_manager_view_cancel (self);
}

/* ---- Pretrained window and sweeps (the paper's setting) --------------------------- */

typedef struct
{
  CsPretrainSpec spec;
  CsManagerView *view;
  CsCaseBase *cases;
  CsFlagThresholds thresholds;
  CsPretrainSweep sweep_l, sweep_sigma;
  double w_star;
  GCancellable *cancellable;
  double from, to;
} PretrainJob;

static void
pretrain_job_free (gpointer data)
{
  PretrainJob *job = data;

  cs_pretrain_sweep_clear (&job->sweep_l);
  cs_pretrain_sweep_clear (&job->sweep_sigma);
  if (job->cases != NULL)
    cs_case_base_unref (job->cases);
  g_free (job);
}

static int
pretrain_progress_cb (double fraction,
                      void  *user_data)
{
  PretrainJob *job = user_data;

  progress_cb (job->from + (job->to - job->from) * fraction, NULL, job->view);
  return g_cancellable_is_cancelled (job->cancellable) ? 1 : 0;
}

static void
pretrain_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PretrainJob *job = task_data;
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

static void
pretrain_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CsManagerView *self = user_data;
  PretrainJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = g_task_propagate_pointer (G_TASK (result), &error);

  stop_timer (self);
  set_busy (self, FALSE, NULL);
  if (engine == NULL || engine->cases != self->cases)
    {
      g_autofree char *text = g_strdup_printf ("No pretrained window: %s", error != NULL ? error->message : "the case base changed");
      gtk_label_set_text (GTK_LABEL (self->eta_label), text);
      g_object_unref (self);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf ("Pretrained at L = %.3g, σ = %.3g (relu tasks, d = %zu, n = %zu): "
                                             "w* = %.4g, window 1/√w* = %.3f sd", job->spec.L, job->spec.sigma,
                                             job->spec.d, job->spec.n, job->w_star, 1 / sqrt (job->w_star));
    gtk_label_set_text (GTK_LABEL (self->pretrain_label), text);
    gtk_label_set_text (GTK_LABEL (self->eta_label), "The pretrained window is now used on the operator page.");
  }
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = cs_engine_ref (engine);
  update_display (self);
  g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, engine);
  g_object_unref (self);
}

static void
pretrain_clicked_cb (GtkButton     *button,
                     CsManagerView *self)
{
  g_autoptr(GTask) task = NULL;
  PretrainJob *job;

  if (self->busy || self->cases == NULL || self->engine == NULL)
    return;
  job = g_new0 (PretrainJob, 1);
  job->spec.task_class = CS_PRETRAIN_RELU;
  job->spec.d = CLAMP (self->cases->d, 1, CS_PRETRAIN_MAX_D);
  job->spec.n = CLAMP (self->cases->n, 2, 2000);
  job->spec.L = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->l_spin));
  job->spec.sigma = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->sigma_spin));
  job->view = self;
  job->cases = cs_case_base_ref (self->cases);
  job->thresholds = self->engine->thresholds;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, "Pretraining on synthetic tasks");
  start_timer (self);
  task = g_task_new (NULL, self->cancellable, pretrain_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, pretrain_job_free);
  g_task_run_in_thread (task, pretrain_thread);
}

/* The paper's sweeps through the engine's chart builder: the same seeds and prompts as casescope-cli export, so
 * the chart on screen and the exported one are the same. */
static void
sweep_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PretrainJob *job = task_data;
  GError *error = NULL;
  CsChartOptions options;
  CsEngineChart *chart;

  cs_chart_options_init (&options);
  chart = cs_engine_chart_build (NULL, CS_CHART_WINDOW_SWEEP, NULL, &options, progress_cb, job->view, cancellable,
                                 &error);
  if (chart == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, chart, (GDestroyNotify) cs_engine_chart_free);
}

static void
sweep_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CsManagerView *self = user_data;
  g_autoptr(GError) error = NULL;
  CsEngineChart *chart = g_task_propagate_pointer (G_TASK (result), &error);

  stop_timer (self);
  set_busy (self, FALSE, NULL);
  if (chart == NULL)
    {
      g_autofree char *text = g_strdup_printf ("Sweep stopped: %s", error->message);
      gtk_label_set_text (GTK_LABEL (self->eta_label), text);
      g_object_unref (self);
      return;
    }
  {
    const CsWindowSweepData *sw = cs_engine_chart_get (chart)->data;
    /* Theory: window ~ (sigma^2 / (L^2 n))^(1/(d+2)), so slopes -2/(d+2) in L and 2/(d+2) in sigma. */
    double theory = 2.0 / ((double) sw->d + 2.0);
    g_autofree char *text = g_strdup_printf ("Paper sweeps done: window slope %.2f against L, %.2f against σ "
                                             "(theory %.2f and %.2f).", cs_loglog_slope (sw->l, sw->window_l, sw->n_l),
                                             cs_loglog_slope (sw->sigma, sw->window_sigma, sw->n_sigma), -theory,
                                             theory);
    gtk_label_set_text (GTK_LABEL (self->eta_label), text);
  }
  for (guint t = 0; t < self->charts->len; t++)
    if (g_str_equal (cs_chart_view_get_name (self->charts->pdata[t]), "window-sweep"))
      {
        cs_chart_data_attach_built (self->charts->pdata[t], chart, NULL, NULL);
        chart = NULL;
        break;
      }
  g_clear_pointer (&chart, cs_engine_chart_free);
  g_object_unref (self);
}

gboolean
cs_manager_view_run_sweeps (CsManagerView *self)
{
  g_autoptr(GTask) task = NULL;
  PretrainJob *job;

  if (self->busy)
    return FALSE;
  job = g_new0 (PretrainJob, 1);
  job->view = self;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, "Sweeping L and σ (relu tasks, d = 2, n = 200)");
  start_timer (self);
  task = g_task_new (NULL, self->cancellable, sweep_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, pretrain_job_free);
  g_task_run_in_thread (task, sweep_thread);
  return TRUE;
}

static void
sweep_clicked_cb (GtkButton     *button,
                  CsManagerView *self)
{
  cs_manager_view_run_sweeps (self);
}

/* ---- Fail-safe thresholds ------------------------------------------------------------ */

static void
show_thresholds (CsManagerView *self)
{
  const CsFlagThresholds *t = self->engine != NULL ? &self->engine->thresholds : NULL;

  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    {
      gtk_widget_set_sensitive (self->threshold_spins[k], t != NULL);
      if (t != NULL)
        {
          double v = cs_engine_thresholds_get (t, cs_engine_threshold_name (k));
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->threshold_spins[k]), isfinite (v) ? v : 0);
        }
    }
  gtk_widget_set_sensitive (self->apply_button, t != NULL && !self->busy);
}

static void
thresholds_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CsManagerView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = cs_engine_build_finish (result, &error);

  stop_timer (self);
  set_busy (self, FALSE, NULL);
  if (engine == NULL || self->engine == NULL || engine->cases != self->cases)
    {
      g_autofree char *text = g_strdup_printf ("The thresholds were not applied: %s",
                                               error != NULL ? error->message : "the case base changed");
      gtk_label_set_text (GTK_LABEL (self->eta_label), text);
      g_object_unref (self);
      return;
    }
  /* Same metric as before: keep its fit report. */
  engine->fitted = self->engine->fitted;
  engine->fit = self->engine->fit;
  g_free (engine->metric_label);
  engine->metric_label = g_strdup (self->engine->metric_label);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = cs_engine_ref (engine);
  gtk_label_set_text (GTK_LABEL (self->eta_label), "New thresholds applied to every prediction.");
  update_display (self);
  g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, engine);
  g_object_unref (self);
}

/* Rebuild the engine's fail-safe evaluation with thresholds (NaN fields: the case base's defaults). */
gboolean
cs_manager_view_apply_thresholds (CsManagerView          *self,
                                  const CsFlagThresholds *t)
{
  if (self->busy || self->engine == NULL)
    return FALSE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, "Applying the thresholds");
  start_timer (self);
  cs_engine_build_async (self->cases, CS_ENGINE_FIT_NONE, &self->engine->metric, self->engine->metric_label, t,
                         progress_cb, self, self->cancellable, thresholds_done_cb, g_object_ref (self));
  return TRUE;
}

static void
apply_thresholds_cb (GtkButton     *button,
                     CsManagerView *self)
{
  CsFlagThresholds t;
  CsSettings *s = cs_settings_get_default ();

  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    {
      double v = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->threshold_spins[k]));
      cs_engine_thresholds_set (&t, cs_engine_threshold_name (k), v);
      cs_settings_set_double (s, "thresholds", cs_settings_threshold_key (k), v);
    }
  if (cs_engine_thresholds_validate (&t) != 0)
    {
      gtk_label_set_text (GTK_LABEL (self->eta_label),
                          "These thresholds do not fit together: each stop level must be beyond its check level.");
      return;
    }
  cs_manager_view_apply_thresholds (self, &t);
}

static void
default_thresholds_cb (GtkButton     *button,
                       CsManagerView *self)
{
  CsFlagThresholds t;
  CsSettings *s = cs_settings_get_default ();

  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    {
      cs_engine_thresholds_set (&t, cs_engine_threshold_name (k), NAN);
      cs_settings_set_string (s, "thresholds", cs_settings_threshold_key (k), NULL);
    }
  cs_manager_view_apply_thresholds (self, &t);
}

static GtkWidget *
build_thresholds (CsManagerView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *defaults = gtk_button_new_with_mnemonic ("_Defaults for this case base");
  static const char *rows[5] = { "Noise (× usual noise)", "Variation (× typical slope)", "Effective cases n_eff (below)",
                                 "Nearest case (× typical distance)", "Outside the range (fraction of it)" };

  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_attach (GTK_GRID (grid), gtk_label_new ("check"), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), gtk_label_new ("stop"), 2, 0, 1, 1);
  for (int r = 0; r < 5; r++)
    {
      GtkWidget *label = gtk_label_new (rows[r]);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (grid), label, 0, r + 1, 1, 1);
      for (int c = 0; c < 2; c++)
        {
          GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000, 0.05);
          g_autofree char *access = g_strdup_printf ("%s, %s level", rows[r], c == 0 ? "check" : "stop");

          gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 2);
          gtk_widget_set_name (spin, cs_settings_threshold_key ((gsize) (2 * r + c)));
          gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
          gtk_widget_set_tooltip_text (spin, access);
          gtk_grid_attach (GTK_GRID (grid), spin, c + 1, r + 1, 1, 1);
          self->threshold_spins[2 * r + c] = spin;
        }
    }
  self->apply_button = gtk_button_new_with_mnemonic ("_Apply thresholds");
  g_signal_connect (self->apply_button, "clicked", G_CALLBACK (apply_thresholds_cb), self);
  g_signal_connect (defaults, "clicked", G_CALLBACK (default_thresholds_cb), self);
  gtk_box_append (GTK_BOX (buttons), self->apply_button);
  gtk_box_append (GTK_BOX (buttons), defaults);
  gtk_box_append (GTK_BOX (box), grid);
  gtk_box_append (GTK_BOX (box), buttons);
  return box;
}

/* ---- Public --------------------------------------------------------------------- */

void
cs_manager_view_set_cases (CsManagerView *self,
                           CsCaseBase    *cases)
{
  g_cancellable_cancel (self->cancellable);
  if (cases != NULL)
    cs_case_base_ref (cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->cases = cases;
  set_busy (self, FALSE, NULL);
  gtk_widget_set_sensitive (self->fit_button, FALSE);
  gtk_widget_set_sensitive (self->pretrain_button, FALSE);
  update_display (self);
}

void
cs_manager_view_set_engine (CsManagerView *self,
                            CsEngine      *engine)
{
  if (engine != NULL && engine->cases != self->cases)
    return;
  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  gtk_widget_set_sensitive (self->fit_button, engine != NULL && !self->busy);
  gtk_widget_set_sensitive (self->pretrain_button, engine != NULL && !self->busy);
  update_display (self);
}

void
cs_manager_view_set_dark (CsManagerView *self,
                          gboolean       dark)
{
  for (guint t = 0; t < self->charts->len; t++)
    cs_chart_view_set_dark (self->charts->pdata[t], dark);
}

GPtrArray *
cs_manager_view_get_charts (CsManagerView *self)
{
  return self->charts;
}

static GtkWidget *
info_label (const char *name)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  return label;
}

static void
cs_manager_view_dispose (GObject *object)
{
  CsManagerView *self = CS_MANAGER_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_timer (self);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  G_OBJECT_CLASS (cs_manager_view_parent_class)->dispose (object);
}

static void
cs_manager_view_finalize (GObject *object)
{
  CsManagerView *self = CS_MANAGER_VIEW (object);

  g_ptr_array_unref (self->charts);
  g_free (self->stage);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cs_manager_view_parent_class)->finalize (object);
}

static void
cs_manager_view_class_init (CsManagerViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_manager_view_dispose;
  object_class->finalize = cs_manager_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  signals[SIGNAL_ENGINE_CHANGED] = g_signal_new ("engine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_OPEN_CASE] = g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cs_manager_view_init (CsManagerView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *diag = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *controls = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *fit_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *pre_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *charts = gtk_grid_new ();
  const char *metrics[] = { "Scalar (one window)", "Diagonal (a width per feature)", "Full (rotated window)", NULL };
  static const struct { const char *name, *title; } chart_list[] = {
    { "diagnostics", "Local variation and noise" },
    { "softmax-vs-linear", "Softmax against linear" },
    { "window-sweep", "Window against L and σ (paper)" },
  };

  g_mutex_init (&self->lock);
  self->charts = g_ptr_array_new ();

  self->noise_label = info_label ("noise");
  self->lipschitz_label = info_label ("lipschitz");
  self->window_label = info_label ("global-window");
  self->flags_label = info_label ("flag-counts");
  self->flagged_list = gtk_list_box_new ();
  gtk_widget_set_name (self->flagged_list, "flagged-cases");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->flagged_list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (self->flagged_list), FALSE);
  g_signal_connect (self->flagged_list, "row-activated", G_CALLBACK (flagged_activated_cb), self);
  gtk_box_append (GTK_BOX (diag), self->noise_label);
  gtk_box_append (GTK_BOX (diag), self->lipschitz_label);
  gtk_box_append (GTK_BOX (diag), self->window_label);
  gtk_box_append (GTK_BOX (diag), self->flags_label);
  {
    GtkWidget *hint = gtk_label_new ("Flagged cases (double-click to open one on the operator page):");
    gtk_widget_add_css_class (hint, "dim-label");
    gtk_label_set_xalign (GTK_LABEL (hint), 0);
    gtk_box_append (GTK_BOX (diag), hint);
  }
  gtk_box_append (GTK_BOX (diag), self->flagged_list);
  gtk_widget_set_hexpand (diag, TRUE);
  gtk_box_append (GTK_BOX (top), cs_section_new ("Global diagnostics", diag));

  self->metric_label = info_label ("metric");
  self->metric_choice = gtk_drop_down_new_from_strings (metrics);
  gtk_widget_set_tooltip_text (self->metric_choice, "Shape of the attention window to fit");
  self->fit_button = gtk_button_new_with_mnemonic ("_Fit by leave-one-out");
  gtk_widget_add_css_class (self->fit_button, "suggested-action");
  g_signal_connect (self->fit_button, "clicked", G_CALLBACK (fit_clicked_cb), self);
  self->cancel_button = gtk_button_new_with_mnemonic ("_Cancel");
  gtk_widget_set_visible (self->cancel_button, FALSE);
  g_signal_connect (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  gtk_box_append (GTK_BOX (fit_row), self->metric_choice);
  gtk_box_append (GTK_BOX (fit_row), self->fit_button);
  gtk_box_append (GTK_BOX (fit_row), self->cancel_button);
  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_visible (self->progress, FALSE);
  self->eta_label = info_label ("eta");
  gtk_widget_add_css_class (self->eta_label, "dim-label");
  self->relevance_grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->relevance_grid), 10);
  gtk_grid_set_row_spacing (GTK_GRID (self->relevance_grid), 4);
  self->l_spin = gtk_spin_button_new_with_range (0.05, 100, 0.05);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->l_spin), 1.0);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->l_spin), 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->l_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Assumed Lipschitz constant L", -1);
  gtk_widget_set_tooltip_text (self->l_spin, "Assumed Lipschitz constant L of the task");
  self->sigma_spin = gtk_spin_button_new_with_range (0.01, 10, 0.01);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->sigma_spin), 0.5);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->sigma_spin), 2);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sigma_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Assumed noise sigma", -1);
  gtk_widget_set_tooltip_text (self->sigma_spin, "Assumed label noise σ");
  self->pretrain_button = gtk_button_new_with_mnemonic ("Use a _pretrained window");
  gtk_widget_set_tooltip_text (self->pretrain_button,
                               "Pretrain softmax attention on synthetic tasks at this L and σ (the paper's "
                               "mechanism) and use its window");
  g_signal_connect (self->pretrain_button, "clicked", G_CALLBACK (pretrain_clicked_cb), self);
  gtk_box_append (GTK_BOX (pre_row), gtk_label_new ("L"));
  gtk_box_append (GTK_BOX (pre_row), self->l_spin);
  gtk_box_append (GTK_BOX (pre_row), gtk_label_new ("σ"));
  gtk_box_append (GTK_BOX (pre_row), self->sigma_spin);
  gtk_box_append (GTK_BOX (pre_row), self->pretrain_button);
  self->pretrain_label = info_label ("pretrain");
  self->sweep_button = gtk_button_new_with_mnemonic ("Run the paper _sweeps");
  gtk_widget_set_halign (self->sweep_button, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (self->sweep_button, "Learned window against L and against σ (relu tasks, d = 2, "
                                                   "n = 200), with the theory line");
  g_signal_connect (self->sweep_button, "clicked", G_CALLBACK (sweep_clicked_cb), self);
  self->compare_label = info_label ("compare");
  gtk_box_append (GTK_BOX (controls), self->metric_label);
  gtk_box_append (GTK_BOX (controls), fit_row);
  gtk_box_append (GTK_BOX (controls), self->progress);
  gtk_box_append (GTK_BOX (controls), self->eta_label);
  gtk_box_append (GTK_BOX (controls), self->relevance_grid);
  gtk_box_append (GTK_BOX (controls), pre_row);
  gtk_box_append (GTK_BOX (controls), self->pretrain_label);
  gtk_box_append (GTK_BOX (controls), self->sweep_button);
  gtk_box_append (GTK_BOX (controls), self->compare_label);
  {
    GtkWidget *title = gtk_label_new ("Fail-safe thresholds (saved; they apply to every prediction)");
    gtk_widget_add_css_class (title, "heading");
    gtk_label_set_xalign (GTK_LABEL (title), 0);
    gtk_box_append (GTK_BOX (controls), title);
    gtk_box_append (GTK_BOX (controls), build_thresholds (self));
  }
  gtk_widget_set_hexpand (controls, TRUE);
  gtk_box_append (GTK_BOX (top), cs_section_new ("Model", controls));
  gtk_box_append (GTK_BOX (box), top);

  gtk_grid_set_column_spacing (GTK_GRID (charts), 12);
  gtk_grid_set_row_spacing (GTK_GRID (charts), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (charts), TRUE);
  for (guint t = 0; t < G_N_ELEMENTS (chart_list); t++)
    {
      GtkWidget *chart = cs_chart_view_new (chart_list[t].name, chart_list[t].title);
      gtk_widget_set_name (chart, chart_list[t].name);
      gtk_widget_set_size_request (chart, -1, 320);
      gtk_grid_attach (GTK_GRID (charts), chart, t == 0 ? 0 : (int) t - 1, t == 0 ? 0 : 1, t == 0 ? 2 : 1, 1);
      g_ptr_array_add (self->charts, chart);
    }
  gtk_box_append (GTK_BOX (box), charts);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), box);
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
  set_busy (self, FALSE, NULL);
  update_display (self);
}

GtkWidget *
cs_manager_view_new (void)
{
  return g_object_new (CS_TYPE_MANAGER_VIEW, NULL);
}
