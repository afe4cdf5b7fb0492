/* cs-manager-view.c: global diagnostics, model controls in GTask workers, softmax vs linear, paper sweeps. The
 * page's layout is ui/cs-manager-view.ui; long tasks report through one CsProgress. */
#define G_LOG_DOMAIN "cs-manager-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-ui-resources.h"
#include "cs-backtest-panel.h"
#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-manager-jobs.h"
#include "cs-manager-view.h"
#include "cs-manager-view-private.h"
#include "cs-progress.h"
#include "cs-thresholds-editor.h"
#include "cs-widgets.h"

/* Positions in the metric drop-down (ui/cs-manager-view.ui). */
typedef enum
{
  METRIC_CHOICE_AUTO,
  METRIC_CHOICE_SCALAR,
  METRIC_CHOICE_DIAGONAL,
  METRIC_CHOICE_FULL,
} MetricChoice;

/* Flagged cases shown in the list at most. */
#define MAX_FLAGGED_SHOWN 12

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
  GtkWidget *progress_bar;
  GtkWidget *eta_label;
  GtkWidget *relevance_grid;
  GtkWidget *l_spin;
  GtkWidget *sigma_spin;
  GtkWidget *pretrain_button;
  GtkWidget *pretrain_label;
  GtkWidget *sweep_button;
  GtkWidget *compare_label;
  GtkWidget *thresholds;
  GtkWidget *diagnostics_chart;
  GtkWidget *compare_chart;
  GtkWidget *sweep_chart;
  GtkWidget *backtest;
  GPtrArray *charts;

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  GCancellable *cancellable;
  CsProgress *progress;
  GArray *flagged;                 /* gsize: the case of each row of flagged_list */
  guint eta_timer;
};

G_DEFINE_FINAL_TYPE (CsManagerView, cs_manager_view, GTK_TYPE_WIDGET)

enum { SIGNAL_ENGINE_CHANGED, SIGNAL_OPEN_CASE, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
is_busy (CsManagerView *self)
{
  return cs_progress_get_active (self->progress);
}

static void
update_sensitivity (CsManagerView *self)
{
  gboolean busy = is_busy (self);

  gtk_widget_set_sensitive (self->fit_button, !busy && self->engine != NULL);
  gtk_widget_set_sensitive (self->pretrain_button, !busy && self->engine != NULL);
  gtk_widget_set_sensitive (self->sweep_button, !busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  cs_thresholds_editor_set_busy (CS_THRESHOLDS_EDITOR (self->thresholds), busy);
}

/* The time line under the bar: while a task runs, what cs_progress_dup_time_text says, once a second. */
static gboolean
eta_timer_cb (gpointer user_data)
{
  CsManagerView *self = user_data;
  g_autofree char *text = cs_progress_dup_time_text (self->progress);

  gtk_label_set_text (GTK_LABEL (self->eta_label), text);
  return G_SOURCE_CONTINUE;
}

static void
progress_active_cb (CsProgress    *progress,
                    GParamSpec    *pspec,
                    CsManagerView *self)
{
  g_clear_handle_id (&self->eta_timer, g_source_remove);
  if (cs_progress_get_active (progress))
    {
      eta_timer_cb (self);
      self->eta_timer = g_timeout_add_seconds (1, eta_timer_cb, self);
    }
  update_sensitivity (self);
}

/* Starts a task: a fresh cancellable, the bar, the time line. */
static void
begin_task (CsManagerView *self,
            const char    *what)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cs_progress_begin (self->progress, what);
}

/* Ends a task with a message in the time line; returns the task's seconds. */
static double
end_task (CsManagerView *self,
          const char    *message)
{
  double secs = cs_progress_get_elapsed (self->progress);

  cs_progress_end (self->progress);
  if (message != NULL)
    gtk_label_set_text (GTK_LABEL (self->eta_label), message);
  return secs;
}

/* A task's callback after the page was disposed: drop the task's reference, touch nothing. */
static gboolean
page_gone (CsManagerView *self)
{
  if (self->progress != NULL)
    return FALSE;
  g_object_unref (self);
  return TRUE;
}

/* ---- Display ------------------------------------------------------------------- */

static void
flagged_activated_cb (GtkListBox    *box,
                      GtkListBoxRow *row,
                      CsManagerView *self)
{
  int at = gtk_list_box_row_get_index (row);

  if (at >= 0 && (guint) at < self->flagged->len)
    g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, (guint) g_array_index (self->flagged, gsize, at));
}

static void
update_display (CsManagerView *self)
{
  CsEngine *e = self->engine;
  GtkWidget *child;

  cs_thresholds_editor_set_thresholds (CS_THRESHOLDS_EDITOR (self->thresholds),
                                       e != NULL ? &e->thresholds : NULL);
  g_array_set_size (self->flagged, 0);
  while ((child = gtk_widget_get_first_child (self->relevance_grid)) != NULL)
    gtk_grid_remove (GTK_GRID (self->relevance_grid), child);
  while ((child = gtk_widget_get_first_child (self->flagged_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->flagged_list), child);
  cs_chart_data_attach_global (CS_CHART_VIEW (self->diagnostics_chart), e);
  cs_chart_data_attach_global (CS_CHART_VIEW (self->compare_chart), e);

  if (e == NULL)
    {
      const char *text = self->cases != NULL ? _("Preparing…") : _("No case base");
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
    g_autofree char *noise = g_strdup_printf (_("Noise level σ ≈ %.4g %s (nearest-neighbour difference estimator)"),
                                              e->global.noise_sd, c->target_unit);
    g_autofree char *lip = g_strdup_printf (_("Variation L ≈ %.4g %s per standard deviation (%.0f %% quantile of "
                                              "the local linear slopes)"), e->global.lipschitz, c->target_unit,
                                            100 * e->global.lipschitz_quantile);
    g_autofree char *win = g_strdup_printf (_("Window radius %.3f sd; theory (σ²/(L²n))^(1/(d+2)) = %.3f sd (up to a "
                                              "constant)"), e->global.window_radius, e->global.theory_radius);
    /* The engine's sampling policy, in the words casescope-cli's JSON gives as loss_cases and per_case_cases. */
    g_autofree char *sampled = e->policy.loss_cases < c->n || e->policy.case_cases < c->n
                               ? g_strdup_printf (_(". Large case base: the leave-one-out loss over %zu and the per-case "
                                                    "diagnostics over %zu evenly spaced cases of %zu, each against all "
                                                    "the others"), e->policy.loss_cases, e->policy.case_cases, c->n)
                               : g_strdup ("");
    g_autofree char *metric = g_strdup_printf (_("Metric: %s; mean diag(M) = %.4g%s%s"), e->metric_label,
                                               cs_metric_mean_diagonal (&e->metric),
                                               e->fitted ? "" : _(" (not fitted)"), sampled);
    g_autofree char *compare = g_strdup_printf (_("Leave-one-out MSE: softmax %.4g, linear least squares %.4g "
                                                  "(%s; %s)"), e->fit.loo_mse, e->loo_mse_linear, e->linear_method,
                                                e->fit.loo_mse < e->loo_mse_linear ? _("softmax is better")
                                                : _("linear is not worse here"));
    gtk_label_set_text (GTK_LABEL (self->noise_label), e->have_diagnostics ? noise : _("Too few cases to diagnose"));
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
        text = g_strdup_printf (_("Leave-one-out verdicts: %zu ok, %zu check, %zu stop. Flags: high_noise %zu, "
                                  "high_variation %zu, low_support %zu, out_of_range %zu."),
                                counts[0], counts[1], counts[2], kinds[CS_FLAG_HIGH_NOISE],
                                kinds[CS_FLAG_HIGH_VARIATION], kinds[CS_FLAG_LOW_SUPPORT],
                                kinds[CS_FLAG_OUT_OF_RANGE]);
        gtk_label_set_text (GTK_LABEL (self->flags_label), text);
        for (gsize i = 0; i < c->n && shown < MAX_FLAGGED_SHOWN; i++)
          if (e->case_verdict[i] == CS_VERDICT_STOP ||
              (e->case_verdict[i] == CS_VERDICT_CHECK && counts[2] < MAX_FLAGGED_SHOWN))
            {
              g_autofree char *row_text = NULL;
              GString *kinds_text = g_string_new (NULL);
              GtkWidget *label;

              for (int f = 0; f < CS_FLAG_N_KINDS; f++)
                if (e->case_flags[i] & (1u << f))
                  g_string_append_printf (kinds_text, "%s%s", kinds_text->len ? ", " : "",
                                          cs_engine_flag_name ((CsFlagKind) f));
              row_text = g_strdup_printf (_("%s (line %u): %s — %s"), c->ids != NULL ? c->ids[i] : _("case"), c->line[i],
                                          cs_verdict_name (e->case_verdict[i]), kinds_text->str);
              g_string_free (kinds_text, TRUE);
              label = gtk_label_new (row_text);
              gtk_label_set_xalign (GTK_LABEL (label), 0);
              gtk_list_box_append (GTK_LIST_BOX (self->flagged_list), label);
              g_array_append_val (self->flagged, i);
              shown++;
            }
      }
    else
      gtk_label_set_text (GTK_LABEL (self->flags_label),
                          _("Per-case flags are computed for case bases up to 5,000 cases."));

    cs_manager_fill_relevance (GTK_GRID (self->relevance_grid), e);
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

  if (page_gone (self))
    return;

  if (self->cases == NULL || (engine != NULL && engine->cases != self->cases))
    {
      g_object_unref (self);
      return;
    }
  if (engine == NULL)
    {
      g_autofree char *text = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? g_strdup (_("Cancelled: the previous model stays."))
                              : g_strdup_printf (_("The fit failed: %s. The previous model stays."), error->message);
      end_task (self, text);
      g_object_unref (self);
      return;
    }
  {
    double secs = end_task (self, NULL);
    g_autofree char *text = g_strdup_printf (_("Done in %.1f s (%d passes over the pairs)."), secs,
                                             engine->fit.passes);
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
  CsEngineFit fit;

  /* the names casescope-cli fit --metric reads; anything else (NULL) is the engine's automatic rule */
  if (!cs_engine_fit_from_name (kind, &fit))
    fit = CS_ENGINE_FIT_AUTO;

  if (is_busy (self) || self->cases == NULL || self->engine == NULL)
    return FALSE;
  begin_task (self, _("Fitting by leave-one-out"));
  cs_engine_build_async (self->cases, fit, NULL, NULL, &self->engine->thresholds, cs_progress_engine_cb,
                         self->progress, self->cancellable, fit_done_cb, g_object_ref (self));
  return TRUE;
}

static void
fit_clicked_cb (GtkButton     *button,
                CsManagerView *self)
{
  static const char *const kinds[] = {
    [METRIC_CHOICE_AUTO] = "auto",
    [METRIC_CHOICE_SCALAR] = "scalar",
    [METRIC_CHOICE_DIAGONAL] = "diagonal",
    [METRIC_CHOICE_FULL] = "full",
  };
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->metric_choice));

  cs_manager_view_fit (self, kinds[MIN (i, METRIC_CHOICE_FULL)]);
}

void
cs_manager_view_cancel (CsManagerView *self)
{
  g_cancellable_cancel (self->cancellable);
}

gboolean
cs_manager_view_is_busy (CsManagerView *self)
{
  return is_busy (self);
}

static void
cancel_clicked_cb (GtkButton     *button,
                   CsManagerView *self)
{
  cs_manager_view_cancel (self);
}

/* ---- Pretrained window and sweeps (the paper's setting) --------------------------- */

static void
pretrain_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CsManagerView *self = user_data;
  CsManagerJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = g_task_propagate_pointer (G_TASK (result), &error);

  if (page_gone (self))
    return;

  if (engine == NULL || engine->cases != self->cases)
    {
      g_autofree char *text = g_strdup_printf (_("No pretrained window: %s"), error != NULL ? error->message
                                               : _("the case base changed"));
      end_task (self, text);
      g_object_unref (self);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Pretrained at L = %.3g, σ = %.3g (relu tasks, d = %zu, n = %zu): "
                                               "w* = %.4g, window 1/√w* = %.3f sd"), job->spec.L, job->spec.sigma,
                                             job->spec.d, job->spec.n, job->w_star, 1 / sqrt (job->w_star));
    gtk_label_set_text (GTK_LABEL (self->pretrain_label), text);
    end_task (self, _("The pretrained window is now used on the operator page."));
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
  CsManagerJob *job;

  if (is_busy (self) || self->cases == NULL || self->engine == NULL)
    return;
  job = g_new0 (CsManagerJob, 1);
  job->spec.task_class = CS_PRETRAIN_RELU;
  job->spec.d = CLAMP (self->cases->d, 1, CS_PRETRAIN_MAX_D);
  job->spec.n = CLAMP (self->cases->n, 2, 2000);
  job->spec.L = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->l_spin));
  job->spec.sigma = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->sigma_spin));
  job->progress = g_object_ref (self->progress);
  job->cases = cs_case_base_ref (self->cases);
  job->thresholds = self->engine->thresholds;
  begin_task (self, _("Pretraining on synthetic tasks"));
  task = g_task_new (NULL, self->cancellable, pretrain_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, cs_manager_job_free);
  g_task_run_in_thread (task, cs_manager_pretrain_thread);
}

static void
sweep_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CsManagerView *self = user_data;
  g_autoptr(GError) error = NULL;
  CsEngineChart *chart = g_task_propagate_pointer (G_TASK (result), &error);

  if (page_gone (self))
    {
      g_clear_pointer (&chart, cs_engine_chart_free);
      return;
    }

  if (chart == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Sweep stopped: %s"), error->message);
      end_task (self, text);
      g_object_unref (self);
      return;
    }
  {
    const CsWindowSweepData *sw = cs_engine_chart_get (chart)->data;
    /* Theory: window ~ (sigma^2 / (L^2 n))^(1/(d+2)), so slopes -2/(d+2) in L and 2/(d+2) in sigma. */
    double theory = 2.0 / ((double) sw->d + 2.0);
    g_autofree char *text = g_strdup_printf (_("Paper sweeps done: window slope %.2f against L, %.2f against σ "
                                               "(theory %.2f and %.2f)."), cs_loglog_slope (sw->l, sw->window_l, sw->n_l),
                                             cs_loglog_slope (sw->sigma, sw->window_sigma, sw->n_sigma), -theory,
                                             theory);
    end_task (self, text);
  }
  cs_chart_data_attach_built (CS_CHART_VIEW (self->sweep_chart), chart, NULL, NULL);
  g_object_unref (self);
}

gboolean
cs_manager_view_run_sweeps (CsManagerView *self)
{
  g_autoptr(GTask) task = NULL;
  CsManagerJob *job;

  if (is_busy (self))
    return FALSE;
  job = g_new0 (CsManagerJob, 1);
  job->progress = g_object_ref (self->progress);
  begin_task (self, _("Sweeping L and σ (relu tasks, d = 2, n = 200)"));
  task = g_task_new (NULL, self->cancellable, sweep_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, cs_manager_job_free);
  g_task_run_in_thread (task, cs_manager_sweep_thread);
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
thresholds_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CsManagerView *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = cs_engine_build_finish (result, &error);

  if (page_gone (self))
    return;

  if (engine == NULL || self->engine == NULL || engine->cases != self->cases)
    {
      g_autofree char *text = g_strdup_printf (_("The thresholds were not applied: %s"),
                                               error != NULL ? error->message : _("the case base changed"));
      end_task (self, text);
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
  end_task (self, _("New thresholds applied to every prediction."));
  update_display (self);
  g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, engine);
  g_object_unref (self);
}

/* Rebuild the engine's fail-safe evaluation with thresholds (NaN fields: the case base's defaults). */
gboolean
cs_manager_view_apply_thresholds (CsManagerView          *self,
                                  const CsFlagThresholds *t)
{
  if (is_busy (self) || self->engine == NULL)
    return FALSE;
  begin_task (self, _("Applying the thresholds"));
  cs_engine_build_async (self->cases, CS_ENGINE_FIT_NONE, &self->engine->metric, self->engine->metric_label, t,
                         cs_progress_engine_cb, self->progress, self->cancellable, thresholds_done_cb,
                         g_object_ref (self));
  return TRUE;
}

static void
thresholds_apply_cb (CsThresholdsEditor     *editor,
                     const CsFlagThresholds *t,
                     CsManagerView          *self)
{
  cs_manager_view_apply_thresholds (self, t);
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
  cs_backtest_panel_set_engine (CS_BACKTEST_PANEL (self->backtest), NULL);
  cs_progress_end (self->progress);
  update_sensitivity (self);
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
  cs_backtest_panel_set_engine (CS_BACKTEST_PANEL (self->backtest), engine);
  update_sensitivity (self);
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

CsProgress *
cs_manager_view_get_progress (CsManagerView *self)
{
  return self->progress;
}

gsize
cs_manager_view_get_flagged_case (CsManagerView *self,
                                  guint          position)
{
  return position < self->flagged->len ? g_array_index (self->flagged, gsize, position) : G_MAXSIZE;
}

static void
cs_manager_view_dispose (GObject *object)
{
  CsManagerView *self = CS_MANAGER_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->eta_timer, g_source_remove);
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_MANAGER_VIEW);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  G_OBJECT_CLASS (cs_manager_view_parent_class)->dispose (object);
}

static void
cs_manager_view_finalize (GObject *object)
{
  CsManagerView *self = CS_MANAGER_VIEW (object);

  g_array_unref (self->flagged);
  G_OBJECT_CLASS (cs_manager_view_parent_class)->finalize (object);
}

static void
cs_manager_view_class_init (CsManagerViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_manager_view_dispose;
  object_class->finalize = cs_manager_view_finalize;
  signals[SIGNAL_ENGINE_CHANGED] = g_signal_new ("engine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_OPEN_CASE] = g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (CS_TYPE_CHART_VIEW);
  g_type_ensure (CS_TYPE_BACKTEST_PANEL);
  g_type_ensure (CS_TYPE_THRESHOLDS_EDITOR);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-manager-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CsManagerView, name)
  BIND (scrolled);
  BIND (noise_label);
  BIND (lipschitz_label);
  BIND (window_label);
  BIND (flags_label);
  BIND (flagged_list);
  BIND (metric_label);
  BIND (metric_choice);
  BIND (fit_button);
  BIND (cancel_button);
  BIND (progress_bar);
  BIND (eta_label);
  BIND (relevance_grid);
  BIND (l_spin);
  BIND (sigma_spin);
  BIND (pretrain_button);
  BIND (pretrain_label);
  BIND (sweep_button);
  BIND (compare_label);
  BIND (thresholds);
  BIND (diagnostics_chart);
  BIND (compare_chart);
  BIND (sweep_chart);
  BIND (backtest);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, flagged_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, fit_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, pretrain_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, sweep_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, thresholds_apply_cb);
}

static void
cs_manager_view_init (CsManagerView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->flagged = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->charts = g_ptr_array_new ();
  g_ptr_array_add (self->charts, self->diagnostics_chart);
  g_ptr_array_add (self->charts, self->compare_chart);
  g_ptr_array_add (self->charts, self->sweep_chart);
  g_ptr_array_add (self->charts, cs_backtest_panel_get_chart_view (CS_BACKTEST_PANEL (self->backtest)));
  self->progress = cs_progress_new ();
  cs_progress_bind_bar (self->progress, GTK_PROGRESS_BAR (self->progress_bar));
  g_signal_connect (self->progress, "notify::active", G_CALLBACK (progress_active_cb), self);
  update_sensitivity (self);
  update_display (self);
}

GtkWidget *
cs_manager_view_new (void)
{
  return g_object_new (CS_TYPE_MANAGER_VIEW, NULL);
}
