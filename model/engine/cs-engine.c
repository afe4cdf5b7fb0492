/* cs-engine.c: case base -> fitted attention context, diagnostics and flag baselines; queries in workers. */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-engine.h"
#include "cs-engine-charts.h"
#include "cs-engine-model.h"
#include "cs-engine-private.h"
#include "cs-numeric.h"
#include "cs-ols.h"
#include "cs-window-pref.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Rows standardised between two looks at the cancellable (about 10 ms at 20 features). */
#define STANDARDISE_BLOCK 65536
/* A prediction with CS_PREDICT_WINDOW holds about 5 n doubles of scratch per thread (weights, indices, the
 * quantiles' value-weight pairs, the candidates' scores): keep that within the case base's own payload, n (d + 1)
 * doubles, and at least 32 MiB, so a large case base stays within twice its payload. A flat 32 MiB held every
 * window pass on one thread from 10^6 cases, whatever the features: at 10^6 x 20, 1,000 flagged queries ran on one
 * of two cores. */
#define WINDOW_SCRATCH_MIN_BYTES (32.0 * 1024 * 1024)

static GQuark
engine_error_quark (void)
{
  return g_quark_from_static_string ("cs-engine-error");
}

double
cs_engine_default_scale (const CsCaseBase *cases)
{
  /* Scott's rule for a Gaussian kernel in standardised units: h = n^(-1/(d+4)), w = 1/h^2. */
  double n = MAX (cases->n, 2);
  double h = pow (n, -1.0 / ((double) cases->d + 4.0));

  return 1.0 / (h * h);
}

void
cs_engine_policy (gsize           n,
                  gsize           d,
                  gsize           requested_loss,
                  CsEnginePolicy *out)
{
  out->n = n;
  out->d = d;
  if (requested_loss > 0)
    out->loss_cases = MIN (requested_loss, n);
  else
    out->loss_cases = n <= CS_ENGINE_EXACT_MAX ? n : CS_ENGINE_SAMPLE;
  if (n <= CS_ENGINE_PER_CASE_MAX)
    out->case_cases = n;
  else
    {
      double fit = CS_ENGINE_PER_CASE_WORK / ((double) n * (double) (d * d + 2 * d + 2));
      out->case_cases = fit >= CS_ENGINE_SAMPLE ? CS_ENGINE_SAMPLE
                        : fit <= CS_ENGINE_PER_CASE_MIN ? CS_ENGINE_PER_CASE_MIN : (gsize) fit;
      out->case_cases = MIN (out->case_cases, n);
    }
}

char *
cs_engine_policy_words (const CsEnginePolicy *policy)
{
  if (policy->case_cases >= policy->n)
    return NULL;
  return g_strdup_printf ("Leave-one-out on %" G_GSIZE_FORMAT " evenly spaced cases of %" G_GSIZE_FORMAT,
                          policy->case_cases, policy->n);
}

int
cs_engine_window_threads (gsize n,
                          gsize d)
{
  double per = 5.0 * (double) n * sizeof (double);
  double budget = MAX (WINDOW_SCRATCH_MIN_BYTES, (double) n * (double) (d + 1) * sizeof (double));
  int t = (int) (budget / MAX (per, 1.0));

  return CLAMP (t, 1, (int) g_get_num_processors ());
}

const char *
cs_engine_metric_name (CsMetricKind kind)
{
  return kind == CS_METRIC_SCALAR ? "scalar" : kind == CS_METRIC_DIAGONAL ? "diagonal" : "full";
}

CsEngineFit
cs_engine_fit_resolve (CsEngineFit fit,
                       gsize       d)
{
  if (fit != CS_ENGINE_FIT_AUTO)
    return fit;
  return d >= CS_ENGINE_AUTO_DIAGONAL_D ? CS_ENGINE_FIT_DIAGONAL : CS_ENGINE_FIT_SCALAR;
}

gboolean
cs_engine_fit_from_name (const char  *name,
                         CsEngineFit *fit)
{
  if (name == NULL || strcmp (name, "auto") == 0)
    *fit = CS_ENGINE_FIT_AUTO;
  else if (strcmp (name, "scalar") == 0)
    *fit = CS_ENGINE_FIT_SCALAR;
  else if (strcmp (name, "diagonal") == 0)
    *fit = CS_ENGINE_FIT_DIAGONAL;
  else if (strcmp (name, "full") == 0)
    *fit = CS_ENGINE_FIT_FULL;
  else
    return FALSE;
  return TRUE;
}

const char *
cs_engine_threshold_name (gsize i)
{
  return cs_flag_threshold_name (i);
}

const char *
cs_engine_flag_name (CsFlagKind kind)
{
  return cs_flag_kind_name (kind);
}

int
cs_engine_thresholds_set (CsFlagThresholds *t,
                          const char       *name,
                          double            value)
{
  return cs_flag_thresholds_set (t, name, value);
}

double
cs_engine_thresholds_get (const CsFlagThresholds *t,
                          const char             *name)
{
  return cs_flag_thresholds_get (t, name);
}

int
cs_engine_thresholds_validate (const CsFlagThresholds *t)
{
  return cs_flag_thresholds_validate (t);
}

const char *
cs_engine_failure_reason (CsFlagFailure failure)
{
  return cs_flag_failure_reason (failure);
}

void
cs_engine_options_init (CsEngineOptions *options)
{
  memset (options, 0, sizeof *options);
  options->fit = CS_ENGINE_FIT_AUTO;
  options->preferred_window = TRUE;
  options->epsilon = 1e-6;
  options->interval_min_eff = CS_ENGINE_INTERVAL_MIN_EFF;
  options->interval_scaled = -1;
  options->interval_need_mass = -1;
  options->interval_test_mass = -1;
  options->interval_wide = -1;
}

gboolean
cs_engine_options_use_model (CsEngineOptions   *options,
                             const CsModelFile *model,
                             CsMetric          *storage,
                             GError           **error)
{
  CsStatus st;

  if (model->kind == CS_MODEL_METRIC_SCALAR)
    st = cs_metric_init_scalar (storage, model->d, model->scale);
  else if (model->kind == CS_MODEL_METRIC_DIAGONAL)
    st = cs_metric_init_diagonal (storage, model->d, model->diag);
  else
    st = cs_metric_init_full (storage, model->d, model->rank, model->A);
  if (st != CS_OK)
    {
      g_set_error (error, engine_error_quark (), (int) st, "the model file's metric is not usable: %s",
                   cs_status_message (st));
      return FALSE;
    }
  options->fit = CS_ENGINE_FIT_NONE;
  options->metric = storage;
  options->metric_label = "from the model file";
  options->mean = model->mean;
  options->sd = model->sd;
  options->model = model;
  return TRUE;
}

CsEngine *
cs_engine_ref (CsEngine *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
cs_engine_unref (CsEngine *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  cs_attention_free (self->ctx);
  cs_metric_clear (&self->metric);
  g_free (self->metric_label);
  g_free (self->z);
  g_free (self->mean);
  g_free (self->sd);
  g_free (self->sample_rows);
  g_free (self->sample_local);
  g_free (self->sample_nn_distance);
  g_free (self->sample_nn);
  g_free (self->window_ratio);
  g_free (self->case_verdict);
  g_free (self->case_flags);
  g_free (self->loo_residual);
  g_free (self->loo_scale);
  g_free (self->loo_abs_scale);
  g_clear_pointer (&self->without, g_hash_table_unref);
  g_mutex_clear (&self->without_lock);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_free (self);
}

double
cs_engine_half_width (CsEngine *self,
                      gsize     j)
{
  g_autofree double *hw = g_new (double, self->cases->d);

  cs_metric_half_widths (&self->metric, hw);
  return hw[j] * self->sd[j];
}

int
cs_engine_progress_cb (double  fraction,
                       void   *user_data)
{
  CsEngineProgressRelay *p = user_data;

  if (p->progress != NULL)
    p->progress (p->from + (p->to - p->from) * CLAMP (fraction, 0, 1), p->stage, p->data);
  return g_cancellable_is_cancelled (p->cancellable) ? 1 : 0;
}

static gboolean
status_error (CsStatus     status,
              const char  *what,
              GError     **error)
{
  if (status == CS_OK)
    return FALSE;
  if (status == CS_ERR_CANCELLED)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s was cancelled", what);
  else
    g_set_error (error, engine_error_quark (), (int) status, "%s failed: %s", what, cs_status_message (status));
  return TRUE;
}

typedef struct
{
  const CsCaseBase *cases;
  const double *mean, *sd;
  double *z;
  GCancellable *cancellable;
  gint next;             /* the next block of rows to take (atomic) */
} StandardiseJob;

static gpointer
standardise_worker (gpointer data)
{
  StandardiseJob *j = data;
  gsize n = j->cases->n, d = j->cases->d;

  for (;;)
    {
      gsize i0 = (gsize) g_atomic_int_add (&j->next, 1) * STANDARDISE_BLOCK;

      if (i0 >= n || g_cancellable_is_cancelled (j->cancellable))
        return NULL;
      cs_standardise_rows (j->cases->x, j->z, d, j->mean, j->sd, i0, MIN (n, i0 + STANDARDISE_BLOCK));
    }
}

/* (x - mean) / sd in blocks of rows between which Cancel is seen, on every core (at 10^6 x 20 the pass and its
 * 160 MB of fresh pages were a tenth of opening a model; each row is the same arithmetic on any thread, so z does
 * not depend on the cores); NULL when cancelled. */
static double *
standardise (const CsCaseBase *cases,
             const double     *mean,
             const double     *sd,
             GCancellable     *cancellable)
{
  gsize n = cases->n, d = cases->d, blocks = (n + STANDARDISE_BLOCK - 1) / STANDARDISE_BLOCK;
  g_autofree double *z = g_new (double, MAX (n * d, 1));
  StandardiseJob job = { cases, mean, sd, z, cancellable, 0 };
  guint nt = MIN (g_get_num_processors (), (guint) MIN (blocks, 64));
  GThread *threads[64] = { NULL };

  G_STATIC_ASSERT ((guint64) G_MAXINT * STANDARDISE_BLOCK >= ((guint64) 1 << 40));
  for (guint t = 1; t < nt; t++)
    threads[t] = g_thread_try_new ("cs-standardise", standardise_worker, &job, NULL);
  standardise_worker (&job);
  for (guint t = 1; t < nt; t++)
    if (threads[t] != NULL)
      g_thread_join (threads[t]);
  if (g_cancellable_is_cancelled (cancellable))
    return NULL;
  return g_steal_pointer (&z);
}

void
cs_engine_case_report (CsEngine     *self,
                       gsize         k,
                       CsFlagReport *report)
{
  gsize n = self->cases->n, d = self->cases->d, i = self->sample_rows[k];
  const CsLocalDiagnostics *ld = &self->sample_local[k];
  CsFlagQuery q = { 0 };

  q.failure = CS_FLAG_FAIL_NONE;
  q.x = self->cases->x + i * d;
  q.y_hat = ld->prediction;
  q.local_spread = ld->local_sd;
  q.local_noise = ld->local_noise_sd;
  q.local_lipschitz = ld->local_lipschitz;
  q.gradient = NULL;
  q.n_eff = ld->n_eff;
  q.nearest_distance = self->sample_nn_distance[k];
  q.nearest_x = self->sample_nn[k] < n ? self->cases->x + self->sample_nn[k] * d : NULL;
  q.local_variation = ld->local_variation;
  q.metric_distance = ld->metric_distance;
  q.df_resid = ld->df_resid;
  if (isfinite (self->flag_base.metric_nn_distance) && ld->metric_nearest < n)
    q.nearest_x = self->cases->x + ld->metric_nearest * d;   /* the case the support rule measures */
  cs_flags_evaluate (&self->flag_base, &self->thresholds, &q, report);
}

static void
evaluate_case_flags (CsEngine *self)
{
  gsize n = self->cases->n;

  self->case_verdict = g_new0 (CsVerdict, n);
  self->case_flags = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      CsFlagReport report;

      cs_engine_case_report (self, i, &report);
      self->case_verdict[i] = report.verdict;
      for (gsize f = 0; f < report.n_flags; f++)
        self->case_flags[i] |= (guint8) (1u << report.flags[f].kind);
    }
}

/* The leave-one-out pass over the loss cases: the median 90 % radius (the window as the fit sees it), their
 * residuals (what the prediction intervals are made of) and, when the metric was not fitted, the leave-one-out
 * MSE over the same cases the fit would use. */
static CsStatus
loss_case_pass (CsEngine *self,
                CsEngineProgressRelay *p)
{
  gsize n = self->cases->n, d = self->cases->d, m = self->policy.loss_cases, nr = 0;
  g_autofree size_t *rows = g_new (size_t, m);
  g_autofree double *zq = g_new (double, m * d);
  g_autofree CsPrediction *loo = g_new (CsPrediction, m);
  g_autofree double *radii = g_new (double, m);
  CsPredictOptions po;
  double sse = 0;
  gsize counted = 0;
  CsStatus st;

  cs_sample_gather (self->z, n, d, m, rows, zq);
  cs_predict_options_init (&po);
  po.flags = CS_PREDICT_WINDOW;
  po.self_index = rows;
  po.epsilon = self->epsilon;
  po.n_threads = cs_engine_window_threads (n, d);
  po.progress = cs_engine_progress_cb;
  po.user_data = p;
  st = cs_attention_predict (self->ctx, zq, m, &po, loo);
  if (st != CS_OK)
    return st;
  for (gsize k = 0; k < m; k++)
    {
      double e = loo[k].prediction - self->cases->y[rows[k]];
      if (isfinite (loo[k].radius90))
        radii[nr++] = loo[k].radius90;
      if (isfinite (e))
        {
          sse += e * e;
          counted++;
        }
    }
  g_free (self->loo_residual);
  g_free (self->loo_scale);
  self->loo_residual = g_new (double, n);
  self->loo_scale = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    self->loo_residual[i] = self->loo_scale[i] = NAN;
  for (gsize k = 0; k < m; k++)
    {
      self->loo_residual[rows[k]] = self->cases->y[rows[k]] - loo[k].prediction;
      self->loo_scale[rows[k]] = loo[k].local_sd;
    }
  qsort (radii, nr, sizeof (double), cs_cmp_double);
  self->radius90_median = nr == 0 ? NAN : nr % 2 ? radii[nr / 2] : 0.5 * (radii[nr / 2 - 1] + radii[nr / 2]);
  if (!self->fitted)
    {
      self->fit.loo_mse = counted > 0 ? sse / (double) counted : NAN;
      self->fit.n_queries = m;
    }
  return CS_OK;
}

static void finish_baselines (CsEngine               *self,
                              const CsFlagThresholds *thresholds);

/* Leave-one-out diagnostics of the policy's per-case sample (every case on small bases), their nearest other
 * cases, and the fail-safe baselines measured on them. */
static CsStatus
measure_baselines (CsEngine               *self,
                   const CsFlagThresholds *thresholds,
                   CsEngineProgressRelay *p)
{
  CsCaseBase *cases = self->cases;
  gsize n = cases->n, d = cases->d, m = self->policy.case_cases;
  g_autofree double *zs = g_new (double, m * d);
  g_autofree double *noise = g_new (double, m);
  g_autofree double *lip = g_new (double, m);
  CsStatus st;

  self->n_sample = m;
  self->sample_rows = g_new (size_t, m);
  self->sample_local = g_new0 (CsLocalDiagnostics, m);
  self->sample_nn = g_new (size_t, m);
  self->sample_nn_distance = g_new (double, m);
  st = cs_diagnose_global_sample (self->ctx, m, &self->global, self->sample_local, self->sample_rows,
                                  cs_engine_progress_cb, p);
  if (st != CS_OK)
    return st;
  cs_sample_gather (self->z, n, d, m, NULL, zs);
  st = cs_nearest_neighbours (self->z, n, d, zs, m, self->sample_rows, self->sample_nn, self->sample_nn_distance);
  if (st != CS_OK)
    return st;
  self->noise_sd = self->global.noise_sd;
  for (gsize k = 0; k < m; k++)
    {
      noise[k] = self->sample_local[k].local_noise_sd;
      lip[k] = self->sample_local[k].local_lipschitz;
    }
  self->flag_base.noise_sd = self->global.noise_sd;
  self->flag_base.lipschitz = self->global.lipschitz;
  self->flag_base.nn_distance_high = NAN;
  self->flag_base.window = self->global.window_radius;
  cs_flag_base_from_cases (&self->flag_base, noise, lip, self->sample_nn_distance, m);
  self->flag_base.usual_noise = NAN;
  self->flag_base.metric_nn_distance = NAN;
  self->flag_base.metric_nn_distance_high = NAN;
  cs_flag_base_from_local (&self->flag_base, self->sample_local, m);
  finish_baselines (self, thresholds);
  return CS_OK;
}

/* The rest of the baselines once their numbers are set (measured, or a model file's): the case base's names
 * and ranges, the thresholds for this base with the user's adjustments, and every case's verdict when the
 * sample is every case. */
static void
finish_baselines (CsEngine               *self,
                  const CsFlagThresholds *thresholds)
{
  CsCaseBase *cases = self->cases;
  gsize n = cases->n, m = self->n_sample;

  self->flag_base.d = cases->d;
  self->flag_base.n_cases = n;
  self->flag_base.feature_names = (const char * const *) cases->feature_names;
  self->flag_base.feature_units = (const char * const *) cases->feature_units;
  self->flag_base.feature_min = cases->min;
  self->flag_base.feature_max = cases->max;
  self->flag_base.feature_sd = self->sd;
  self->flag_base.target_name = cases->target_name;
  self->flag_base.target_unit = cases->target_unit;
  cs_flag_thresholds_init_for_base (&self->thresholds, &self->flag_base);
  if (thresholds != NULL)
    {
      /* The user's adjustments (NaN: keep the default for this case base). */
      CsFlagThresholds saved = self->thresholds;

      for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
        {
          const char *name = cs_flag_threshold_name (k);
          double v = cs_flag_thresholds_get (thresholds, name);
          if (!isnan (v))
            cs_flag_thresholds_set (&self->thresholds, name, v);
        }
      if (cs_flag_thresholds_validate (&self->thresholds) != 0)
        self->thresholds = saved;
    }
  self->have_diagnostics = TRUE;
  if (m == n)
    {
      self->per_case = self->sample_local;
      self->nn_distance = self->sample_nn_distance;
      evaluate_case_flags (self);
    }
}

/* The window the data asks for at each case of the per-case sample (17 leave-one-out passes of those cases over
 * the whole base, then a smooth among them): a diagnostic, so a failure other than Cancel leaves it NULL. */
static CsStatus
measure_window_ratio (CsEngine              *self,
                      CsEngineProgressRelay *p)
{
  CsWindowPrefOptions wo;
  double *ratio;
  CsStatus st;

  if (self->n_sample < 2)
    return CS_OK;
  ratio = g_new (double, self->n_sample);
  cs_window_pref_options_init (&wo);
  wo.rule = CS_ENGINE_WINDOW_PREF_RULE;
  wo.gamma = CS_ENGINE_WINDOW_PREF_GAMMA;
  wo.n_threads = (int) g_get_num_processors ();
  wo.progress = cs_engine_progress_cb;
  wo.user_data = p;
  st = cs_window_preference (self->ctx, self->sample_rows, self->n_sample, &wo, ratio, NULL);
  if (st == CS_OK)
    self->window_ratio = ratio;
  else
    g_free (ratio);
  return st == CS_ERR_CANCELLED ? st : CS_OK;
}

/* Copies what src measured into self (follow mode; see CsEngineOptions.measures_from). FALSE, with self
 * unchanged, when src is not an earlier version of self's base (other columns, more cases, another
 * standardisation or no baselines). */
static gboolean
take_snapshot_measures (CsEngine       *self,
                        const CsEngine *src)
{
  gsize d = self->cases->d, m = src->n_sample;

  if (src->cases->d != d || src->cases->n > self->cases->n || !src->have_diagnostics
      || memcmp (src->mean, self->mean, d * sizeof (double)) != 0
      || memcmp (src->sd, self->sd, d * sizeof (double)) != 0)
    return FALSE;
  self->noise_sd = src->noise_sd;
  self->radius90_median = src->radius90_median;
  self->fit = src->fit;
  self->loo_mse_linear = src->loo_mse_linear;
  self->global = src->global;
  self->n_sample = m;
  self->sample_rows = g_memdup2 (src->sample_rows, m * sizeof (size_t));
  self->sample_local = g_memdup2 (src->sample_local, m * sizeof (CsLocalDiagnostics));
  self->sample_nn = g_memdup2 (src->sample_nn, m * sizeof (size_t));
  self->sample_nn_distance = g_memdup2 (src->sample_nn_distance, m * sizeof (double));
  self->window_ratio = src->window_ratio != NULL ? g_memdup2 (src->window_ratio, m * sizeof (double)) : NULL;
  self->flag_base = src->flag_base;
  if (src->loo_residual != NULL)
    {
      /* the intervals' leave-one-out residuals: the earlier cases keep their index; appended ones have none
       * until the baselines are measured again */
      gsize n0 = src->cases->n, n = self->cases->n;

      self->loo_residual = g_new (double, n);
      self->loo_scale = g_new (double, n);
      memcpy (self->loo_residual, src->loo_residual, n0 * sizeof (double));
      if (src->loo_scale != NULL)
        memcpy (self->loo_scale, src->loo_scale, n0 * sizeof (double));
      for (gsize i = src->loo_scale != NULL ? n0 : 0; i < n; i++)
        self->loo_scale[i] = NAN;
      for (gsize i = n0; i < n; i++)
        self->loo_residual[i] = NAN;
      if (src->loo_abs_scale != NULL)
        {
          self->loo_abs_scale = g_new (double, n);
          memcpy (self->loo_abs_scale, src->loo_abs_scale, n0 * sizeof (double));
          for (gsize i = n0; i < n; i++)
            self->loo_abs_scale[i] = NAN;
        }
    }
  return TRUE;
}

/* The engine spreads its work over every core itself (the fit, the prediction passes and the local fits run
 * on their own workers, each calling BLAS on its own tile). OpenBLAS's thread pool on top of that only competes:
 * its threads spin (sched_yield) between calls, and 0.3.21 hands even a 20 x 20 dsyr to them. Measured with
 * `perf record` on `casescope-cli diagnose` of 3,000 x 20 cases on 2 cores: 27 s with the pool, 5.4 s with one
 * BLAS thread (exec_blas_async and sched_yield were over a third of the samples). So BLAS runs on the calling
 * thread, once per process, for every front end that builds an engine. */
static void
engine_blas_single_thread (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&done, 1);
    }
}

/* Squared leave-one-out errors of the m cases rows[] under metric (untruncated, as the fit's own loss), into e2. */
static CsStatus
loo_squared_errors (CsEngine              *self,
                    const CsMetric        *metric,
                    const size_t          *rows,
                    gsize                  m,
                    double                *e2,
                    CsEngineProgressRelay *p)
{
  gsize d = self->cases->d;
  g_autofree CsPrediction *loo = g_new (CsPrediction, m);
  g_autofree double *zq = g_new (double, m * d);
  CsPredictOptions po;
  CsStatus st;

  st = cs_attention_set_metric (self->ctx, metric);
  if (st != CS_OK)
    return st;
  for (gsize k = 0; k < m; k++)
    memcpy (zq + k * d, self->z + rows[k] * d, d * sizeof (double));
  cs_predict_options_init (&po);
  po.epsilon = 0;
  po.self_index = rows;
  po.n_threads = (int) g_get_num_processors ();
  po.progress = cs_engine_progress_cb;
  po.user_data = p;
  st = cs_attention_predict (self->ctx, zq, m, &po, loo);
  if (st != CS_OK)
    return st;
  for (gsize k = 0; k < m; k++)
    {
      double e = loo[k].prediction - self->cases->y[rows[k]];
      e2[k] = e * e;
    }
  return CS_OK;
}

/* One fit of options' kind from start (copied) into *out, its passes added to *passes. */
static CsStatus
fit_from (CsEngine           *self,
          const CsFitOptions *options,
          const CsMetric     *start,
          CsMetric           *out,
          CsFitReport        *report,
          int                *passes)
{
  CsStatus st;

  memset (out, 0, sizeof *out);
  st = cs_metric_copy (out, start);
  if (st == CS_OK)
    st = cs_attention_fit (self->ctx, options, out, report);
  if (st == CS_OK)
    *passes += report->passes;
  return st;
}

/* The full metric A = diag (sqrt (m_jj)) (rank d) with the penalties of the diagonal metric dm. */
static CsStatus
full_from_diagonal (const CsMetric *dm,
                    CsMetric       *out)
{
  gsize d = dm->d;
  g_autofree double *A = g_new0 (double, d * d);
  CsStatus st;

  for (gsize j = 0; j < d; j++)
    A[j * d + j] = sqrt (dm->diag[j]);
  memset (out, 0, sizeof *out);
  st = cs_metric_init_full (out, d, d, A);
  if (st == CS_OK && dm->n_cat > 0)
    st = cs_metric_set_categories (out, dm->n_cat, dm->cat_lambda);
  return st;
}

static gboolean
all_penalties_zero (const CsMetric *m)
{
  for (gsize c = 0; c < m->n_cat; c++)
    if (m->cat_lambda[c] > 0)
      return FALSE;
  return TRUE;
}

/* The fit dropped every category column (penalty 0, cs_attention_fit's selection): fit the window again from the
 * engine's start with no penalties, as on the base without those columns, so a column without effect leaves the
 * window as it would be without it. The diagonal and full fits end where their stopping rule meets them, and the
 * path there differs with the penalties' detour: at 8 features and 600 cases the leave-one-out RMSE of the same
 * base with and without a column of no effect differed by up to 6.5 % (the diagonal's start for the automatic
 * full metric), though the column weighed nothing in either. The scalar fit converges to the same window either
 * way and is left as it is. */
static CsStatus
refit_without_categories (CsEngine           *self,
                          const CsFitOptions *options,
                          CsMetric           *metric,
                          CsFitReport        *report)
{
  g_autofree double *zero = g_new0 (double, metric->n_cat);
  CsFitOptions fo = *options;
  CsMetric refit = { 0 };
  CsFitReport rep;
  CsStatus st;

  fo.fit_categories = 0;
  st = cs_metric_copy (&refit, &self->metric);
  if (st == CS_OK)
    st = cs_metric_set_categories (&refit, metric->n_cat, zero);
  if (st == CS_OK)
    st = cs_attention_fit (self->ctx, &fo, &refit, &rep);
  if (st != CS_OK)
    {
      cs_metric_clear (&refit);
      return st;
    }
  rep.passes += report->passes;
  *report = rep;
  cs_metric_clear (metric);
  *metric = refit;
  return CS_OK;
}

/* The automatic rule's second candidate (CS_ENGINE_AUTO_FULL_SE), on a base whose loss is over every case and
 * whose diagonal fit is *metric. Each metric's leave-one-out loss is lowest on the cases it was fitted on, and
 * the full metric's d (d + 1) / 2 parameters make that optimism larger than the diagonal's d (on a 3,000 x 20
 * base whose outcome follows the axes, the full fit's own leave-one-out MSE was 5 % lower and its error on
 * fresh cases 2 % higher). So the two are compared on cases neither was fitted on: both kinds are fitted with
 * the loss over half the cases (the evenly spaced sample of n / 2, cs_sample_gather) and scored by the
 * leave-one-out errors of the other half. When the full metric wins there, it is fitted on every case from the
 * half's fit (category penalties as below), and *metric and *report are replaced; passes counts every fit's. */
static CsStatus
auto_try_full (CsEngine              *self,
               const CsFitOptions    *diagonal_options,
               CsMetric              *metric,
               CsFitReport           *report,
               CsEngineProgressRelay *p)
{
  gsize n = self->cases->n, d = self->cases->d, half = n / 2, m = n - half, k = 0;
  g_autofree size_t *fit_rows = g_new (size_t, half);
  g_autofree size_t *rows = g_new (size_t, m);
  g_autofree gboolean *in_fit = g_new0 (gboolean, n);
  g_autofree double *e_diag = g_new (double, m);
  g_autofree double *e_full = g_new (double, m);
  CsFitOptions fo = *diagonal_options;
  CsMetric diag_half = { 0 }, start = { 0 }, full_half = { 0 }, full = { 0 };
  CsFitReport rep;
  int passes = report->passes;
  double mean = 0, mse_d = 0, mse_f = 0;
  unsigned char off[64] = { 0 };   /* the category columns (at most 64) whose penalty is held at 0 */
  gboolean any_on = FALSE;
  CsStatus st;

  g_return_val_if_fail (metric->n_cat <= G_N_ELEMENTS (off), CS_ERR_INVALID);
  cs_sample_gather (self->z, n, d, half, fit_rows, NULL);
  for (gsize i = 0; i < half; i++)
    in_fit[fit_rows[i]] = TRUE;
  for (gsize i = 0; i < n; i++)
    if (!in_fit[i])
      rows[k++] = i;
  g_assert (k == m);

  /* The categories the diagonal fit dropped (penalty 0) stay dropped: the full fits hold them at 0, and with
   * none left they fit no penalties at all, as on the base without those columns. A penalty restarted at 1
   * instead walked back towards 0 while the 36 entries of an 8-feature A adapted to it, and one such fit of a
   * category without effect ended 14 % worse than the same base without the column. */
  for (gsize c = 0; c < metric->n_cat; c++)
    {
      off[c] = !(metric->cat_lambda[c] > 0);
      any_on |= !off[c];
    }
  if (!any_on)
    fo.fit_categories = 0;
  fo.cat_off = any_on ? off : NULL;
  fo.max_queries = half;
  p->stage = "Comparing the diagonal and the full window";
  p->from = 0.15;
  p->to = 0.22;
  st = fit_from (self, &fo, metric, &diag_half, &rep, &passes);
  if (st == CS_OK)
    st = full_from_diagonal (&diag_half, &start);
  fo.kind = CS_METRIC_FULL;
  fo.rank = d;
  p->from = 0.22;
  p->to = 0.34;
  if (st == CS_OK)
    st = fit_from (self, &fo, &start, &full_half, &rep, &passes);
  p->from = 0.34;
  p->to = 0.36;
  if (st == CS_OK)
    st = loo_squared_errors (self, &diag_half, rows, m, e_diag, p);
  if (st == CS_OK)
    st = loo_squared_errors (self, &full_half, rows, m, e_full, p);
  if (st == CS_OK)
    {
      for (gsize i = 0; i < m; i++)
        {
          mse_d += e_diag[i];
          mse_f += e_full[i];
        }
      mean = cs_paired_difference (e_diag, e_full, m, &self->auto_choice.difference_se);
      if (m < 2)
        self->auto_choice.difference_se = INFINITY;   /* one case tells nothing */
      self->auto_choice.tried = TRUE;
      self->auto_choice.n_compared = m;
      self->auto_choice.diagonal_mse = mse_d / (double) m;
      self->auto_choice.full_mse = mse_f / (double) m;
      self->auto_choice.full = mean > CS_ENGINE_AUTO_FULL_SE * self->auto_choice.difference_se
                               && mean > CS_ENGINE_AUTO_FULL_GAIN * self->auto_choice.diagonal_mse;
      g_debug ("automatic metric: on %zu held-out cases diagonal %.6g, full %.6g, difference %.4g (se %.4g): %s",
               (size_t) m, self->auto_choice.diagonal_mse, self->auto_choice.full_mse, mean,
               self->auto_choice.difference_se, self->auto_choice.full ? "full" : "diagonal");
    }
  /* The same optimism holds for the category penalties the half's full fit kept against the other parameters
   * as fitted (cs_attention_fit's selection): a penalty of 1.5 to 2 survived it for a category without effect in
   * 2 of 16 generated cells. Each is kept only when it passes that selection's test on the held-out half too;
   * the others are held at 0 in the fit on every case. */
  for (gsize c = 0; st == CS_OK && self->auto_choice.full && c < full_half.n_cat; c++)
    {
      CsMetric m0 = { 0 };
      double mc = 0, se = INFINITY;

      if (!(full_half.cat_lambda[c] > 0))
        {
          off[c] = 1;
          continue;
        }
      st = cs_metric_copy (&m0, &full_half);
      if (st == CS_OK)
        {
          m0.cat_lambda[c] = 0;
          st = loo_squared_errors (self, &m0, rows, m, e_diag, p);
        }
      cs_metric_clear (&m0);
      if (st == CS_OK && m > 1)
        mc = cs_paired_difference (e_diag, e_full, m, &se);
      if (st == CS_OK && !(mc >= CS_FIT_CATEGORY_T * se))
        {
          off[c] = 1;
          full_half.cat_lambda[c] = 0;
          g_debug ("automatic metric: the penalty of category column %zu does not hold on the held-out half",
                   (size_t) c);
        }
    }
  if (st == CS_OK && self->auto_choice.full)
    {
      fo.max_queries = diagonal_options->max_queries;
      fo.cat_off = fo.fit_categories ? off : NULL;
      p->from = 0.36;
      p->to = 0.5;
      st = fit_from (self, &fo, &full_half, &full, &rep, &passes);
      if (st == CS_OK)
        {
          *report = rep;
          cs_metric_clear (metric);
          *metric = full;
          memset (&full, 0, sizeof full);
        }
    }
  report->passes = passes;
  cs_metric_clear (&diag_half);
  cs_metric_clear (&start);
  cs_metric_clear (&full_half);
  cs_metric_clear (&full);
  return st;
}

CsEngine *
cs_engine_build_full (CsCaseBase              *cases,
                      const CsEngineOptions   *options,
                      CsEngineProgress         progress,
                      gpointer                 progress_data,
                      GCancellable            *cancellable,
                      GError                 **error)
{
  g_autoptr(CsEngine) self = g_new0 (CsEngine, 1);
  CsEngineProgressRelay p = { progress, progress_data, cancellable, "Preparing", 0, 0 };
  CsEngineOptions defaults;
  gsize n = cases->n, d = cases->d;
  CsEngineFit fit;
  CsStatus status;

  engine_blas_single_thread ();
  if (options == NULL)
    {
      cs_engine_options_init (&defaults);
      options = &defaults;
    }
  /* Resolved here and only here, so the window, the command line and the model file agree on what the
   * automatic metric means for this base. */
  fit = cs_engine_fit_resolve (options->fit, d);
  self->ref_count = 1;
  g_mutex_init (&self->without_lock);
  self->cases = cs_case_base_ref (cases);
  self->loo_mse_linear = NAN;
  self->linear_method = CS_ENGINE_LINEAR_METHOD;
  self->noise_sd = NAN;
  self->radius90_median = NAN;
  self->fit.loo_mse = NAN;
  self->epsilon = options->epsilon;
  self->interval_min_eff = options->interval_min_eff >= 1 || options->interval_min_eff < 0 ? options->interval_min_eff
                           : CS_ENGINE_INTERVAL_MIN_EFF;
  self->interval_scaled = options->interval_scaled >= 0 ? options->interval_scaled : CS_ENGINE_INTERVAL_SCALED;
  self->interval_need_mass = options->interval_need_mass >= 0 ? options->interval_need_mass != 0
                             : CS_ENGINE_INTERVAL_NEED_MASS;
  self->interval_test_mass = options->interval_test_mass >= 0 ? options->interval_test_mass
                             : CS_ENGINE_INTERVAL_TEST_MASS;
  self->interval_wide = options->interval_wide >= 0 ? options->interval_wide : CS_ENGINE_INTERVAL_WIDE;
  self->interval_scale_floor = 1e-6 * (cases->y_sd > 0 ? cases->y_sd : 1.0);
  cs_flag_thresholds_init (&self->thresholds);

  if (n == 0 || d == 0)
    {
      g_set_error (error, engine_error_quark (), CS_ERR_INVALID, "The case base has no usable cases");
      return NULL;
    }
  if (!(options->epsilon >= 0 && options->epsilon < 1))
    {
      g_set_error (error, engine_error_quark (), CS_ERR_INVALID,
                   "The truncation epsilon must be a number in [0, 1), not %g", options->epsilon);
      return NULL;
    }
  cs_engine_policy (n, d, options->loss_cases, &self->policy);
  self->mean = g_new (double, d);
  self->sd = g_new (double, d);
  for (gsize j = 0; j < d; j++)
    {
      self->mean[j] = options->mean != NULL ? options->mean[j] : cases->mean[j];
      self->sd[j] = options->sd != NULL ? options->sd[j] : cases->sd[j] > 0 ? cases->sd[j] : 1.0;
      if (!(self->sd[j] > 0) || !isfinite (self->sd[j]) || !isfinite (self->mean[j]))
        {
          g_set_error (error, engine_error_quark (), CS_ERR_INVALID,
                       "The standardisation of feature %s is not usable", cases->feature_names[j]);
          return NULL;
        }
    }
  /* A million cases take hundreds of milliseconds to standardise and index, with no progress reports to
   * answer Cancel from: standardise in blocks that look at it, and let the context use z and y in place (the
   * engine keeps both alive and unchanged until it frees the context) instead of copying 160 MB again. One
   * context kind for every front end (double keys), so the window and the command line fit the same metric. */
  self->z = standardise (cases, self->mean, self->sd, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  status = cs_attention_new_full (self->z, cases->y, n, d, CS_SCORE_DISTANCE,
                                  CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT | CS_ATTENTION_ALL_CORES,
                                  cs_engine_progress_cb, &p, &self->ctx);
  if (status_error (status, "Preparing the engine", error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (cases->n_cat > 0)
    {
      /* gint and gsize are the model's int and size_t on every platform GLib supports */
      G_STATIC_ASSERT (sizeof (gint) == sizeof (int) && sizeof (gsize) == sizeof (size_t));
      status = cs_attention_set_categories (self->ctx, cases->n_cat, cases->cat_codes,
                                            (const size_t *) cases->cat_n_levels);
      if (status_error (status, "Preparing the category columns", error))
        return NULL;
    }

  if (options->metric != NULL && options->metric->d == d)
    status = cs_metric_copy (&self->metric, options->metric);
  else
    status = cs_metric_init_scalar (&self->metric, d, cs_engine_default_scale (cases));
  if (status == CS_OK && options->model != NULL)
    status = cs_engine_metric_add_model_categories (&self->metric, options->model, cases);
  if (status_error (status, "Setting the metric", error))
    return NULL;
  self->metric_label = g_strdup (options->metric_label != NULL ? options->metric_label
                                 : options->metric != NULL ? "as given" : "scalar, rule of thumb");

  if (fit != CS_ENGINE_FIT_NONE && n >= 2)
    {
      CsFitOptions fo;
      CsMetric fitted = { 0 };
      gint64 t0 = g_get_monotonic_time ();
      gboolean auto_full;

      cs_fit_options_init (&fo);
      fo.kind = fit == CS_ENGINE_FIT_SCALAR ? CS_METRIC_SCALAR
                : fit == CS_ENGINE_FIT_DIAGONAL ? CS_METRIC_DIAGONAL : CS_METRIC_FULL;
      fo.rank = options->rank;
      fo.fit_categories = cases->n_cat > 0;
      fo.max_queries = self->policy.loss_cases;
      fo.n_threads = (int) g_get_num_processors ();
      fo.progress = cs_engine_progress_cb;
      fo.user_data = &p;
      p.stage = "Fitting the window";
      p.from = 0;
      p.to = 0.5;
      cs_metric_copy (&fitted, &self->metric);
      /* The automatic rule's full candidate (CS_ENGINE_AUTO_FULL_SE) splits the fit's share of the progress. */
      auto_full = options->fit == CS_ENGINE_FIT_AUTO && fit == CS_ENGINE_FIT_DIAGONAL && self->policy.loss_cases >= n;
      if (auto_full)
        p.to = 0.15;
      status = cs_attention_fit (self->ctx, &fo, &fitted, &self->fit);
      if (status == CS_OK && fo.fit_categories && fo.kind != CS_METRIC_SCALAR && all_penalties_zero (&fitted))
        status = refit_without_categories (self, &fo, &fitted, &self->fit);
      if (status == CS_OK && auto_full)
        status = auto_try_full (self, &fo, &fitted, &self->fit, &p);
      if (status_error (status, "Fitting the window", error))
        {
          cs_metric_clear (&fitted);
          return NULL;
        }
      if (self->auto_choice.full)
        fo.kind = CS_METRIC_FULL;
      self->fit_seconds = (double) (g_get_monotonic_time () - t0) * 1e-6;
      cs_metric_clear (&self->metric);
      self->metric = fitted;
      self->fitted = TRUE;
      g_free (self->metric_label);
      self->metric_label = g_strdup_printf ("%s, fitted by leave-one-out%s%s", cs_engine_metric_name (fo.kind),
                                            self->policy.loss_cases < n ? " on a sample" : "",
                                            !self->auto_choice.tried ? ""
                                            : self->auto_choice.full ? " (it beat the diagonal)"
                                            : " (the full metric did not beat it)");
    }

  status = cs_attention_set_metric (self->ctx, &self->metric);
  if (status_error (status, "Setting the metric", error))
    return NULL;
  if (n < 2)
    return g_steal_pointer (&self);

  /* Follow mode: a few appended cases do not move the baselines much, and measuring them again costs a
   * leave-one-out pass over the base per appended row; the caller measures again when the base has grown. */
  if (options->measures_from != NULL && !self->fitted && take_snapshot_measures (self, options->measures_from))
    {
      finish_baselines (self, options->thresholds != NULL ? options->thresholds
                                                          : &options->measures_from->thresholds);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  /* Only with the model's own standardisation and metric (as cs_engine_options_use_model sets them): its
   * numbers were measured in those units. */
  if (options->model != NULL && !self->fitted && options->mean == options->model->mean
      && options->sd == options->model->sd)
    {
      /* What the model's fit measured on this very case base, under this very metric: take it rather than
       * spend the build measuring it again (at 10^6 cases that is most of a minute). */
      g_autofree char *why = NULL;

      if (cs_engine_take_model_measures (self, options->model, &why)
          && (self->loo_abs_scale != NULL || cs_engine_interval_prepare (self) == CS_OK))
        {
          p.stage = "Taking the fit's measurements from the model file";
          cs_engine_progress_cb (0.0, &p);
          finish_baselines (self, options->thresholds);
          if (self->window_ratio == NULL && options->preferred_window)
            {
              p.stage = "Measuring the preferred window";
              p.to = 1.0;
              status = measure_window_ratio (self, &p);
              if (status_error (status, "Measuring the preferred window", error))
                return NULL;
            }
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          return g_steal_pointer (&self);
        }
      g_debug ("measuring again: %s", why);
    }

  {
    /* The baseline softmax is measured against: least squares on the same standardised features, with
     * its exact leave-one-out error (linear attention's M fitted on a leave-one-out loss can hand each
     * case its own y back through the term meant to remove it, and is no baseline). O(n d^2). */
    CsOlsReport ols;

    if (cs_ols_loo (self->z, cases->y, n, d, NULL, &ols) == CS_OK)
      self->loo_mse_linear = ols.loo_mse;
  }
  p.stage = "Measuring the window";
  p.from = fit != CS_ENGINE_FIT_NONE ? 0.5 : 0.0;
  p.to = fit != CS_ENGINE_FIT_NONE ? 0.6 : 0.2;
  status = loss_case_pass (self, &p);
  if (status == CS_OK)
    status = cs_engine_interval_prepare (self);
  if (status_error (status, "Measuring the window", error))
    return NULL;

  p.stage = "Diagnosing the case base";
  p.from = p.to;
  p.to = options->preferred_window ? p.from + 0.6 * (1.0 - p.from) : 1.0;
  status = measure_baselines (self, options->thresholds, &p);
  if (status_error (status, "Diagnosing the case base", error))
    return NULL;
  if (options->preferred_window)
    {
      p.stage = "Measuring the preferred window";
      p.from = p.to;
      p.to = 1.0;
      status = measure_window_ratio (self, &p);
      if (status_error (status, "Measuring the preferred window", error))
        return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

CsEngine *
cs_engine_build (CsCaseBase              *cases,
                 CsEngineFit              fit,
                 const CsMetric          *metric,
                 const char              *metric_label,
                 const CsFlagThresholds  *thresholds,
                 CsEngineProgress         progress,
                 gpointer                 progress_data,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  CsEngineOptions options;

  cs_engine_options_init (&options);
  options.fit = fit;
  options.metric = metric;
  options.metric_label = metric_label;
  options.thresholds = thresholds;
  return cs_engine_build_full (cases, &options, progress, progress_data, cancellable, error);
}

typedef struct
{
  CsCaseBase *cases;
  CsEngineFit fit;
  CsMetric metric;
  gboolean have_metric;
  char *label;
  CsFlagThresholds thresholds;
  gboolean have_thresholds;
  CsEngineProgress progress;
  gpointer progress_data;
} BuildData;

static void
build_data_free (gpointer data)
{
  BuildData *bd = data;

  cs_case_base_unref (bd->cases);
  cs_metric_clear (&bd->metric);
  g_free (bd->label);
  g_free (bd);
}

static void
build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  BuildData *bd = task_data;
  GError *error = NULL;
  CsEngine *engine = cs_engine_build (bd->cases, bd->fit, bd->have_metric ? &bd->metric : NULL, bd->label,
                                      bd->have_thresholds ? &bd->thresholds : NULL,
                                      bd->progress, bd->progress_data, cancellable, &error);

  if (engine == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, engine, (GDestroyNotify) cs_engine_unref);
}

/* Long builds run on their own thread at a lower priority, so that on a busy machine the main loop (and the
 * interactive queries) keep the CPU they need; the thread pool's threads are left as they are. */
static gpointer
build_thread_main (gpointer data)
{
  GTask *task = data;

#ifdef __linux__
  setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
#endif
  build_thread (task, NULL, g_task_get_task_data (task), g_task_get_cancellable (task));
  g_object_unref (task);
  return NULL;
}

void
cs_engine_build_async (CsCaseBase              *cases,
                       CsEngineFit              fit,
                       const CsMetric          *metric,
                       const char              *metric_label,
                       const CsFlagThresholds  *thresholds,
                       CsEngineProgress         progress,
                       gpointer                 progress_data,
                       GCancellable            *cancellable,
                       GAsyncReadyCallback      callback,
                       gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  BuildData *bd = g_new0 (BuildData, 1);

  bd->cases = cs_case_base_ref (cases);
  bd->fit = fit;
  if (metric != NULL)
    bd->have_metric = cs_metric_copy (&bd->metric, metric) == CS_OK;
  bd->label = g_strdup (metric_label);
  if (thresholds != NULL)
    {
      bd->thresholds = *thresholds;
      bd->have_thresholds = TRUE;
    }
  bd->progress = progress;
  bd->progress_data = progress_data;
  g_task_set_task_data (task, bd, build_data_free);
  g_task_set_source_tag (task, cs_engine_build_async);
  g_thread_unref (g_thread_new ("cs-engine-build", build_thread_main, g_object_ref (task)));
}

CsEngine *
cs_engine_build_finish (GAsyncResult *result,
                        GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cs_query_result_free (CsQueryResult *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_free (self->query);
  g_free (self->weights);
  g_free (self->half_width);
  g_free (self->top);
  g_free (self->levels);
  g_free (self);
}

CsQueryResult *
cs_query_result_copy (const CsQueryResult *self)
{
  CsQueryResult *copy = g_memdup2 (self, sizeof (CsQueryResult));
  gsize n = self->engine->cases->n, d = self->engine->cases->d;

  copy->engine = cs_engine_ref (self->engine);
  copy->query = g_memdup2 (self->query, sizeof (double) * d);
  copy->weights = self->weights != NULL ? g_memdup2 (self->weights, sizeof (double) * n) : NULL;
  copy->half_width = g_memdup2 (self->half_width, sizeof (double) * d);
  copy->top = g_memdup2 (self->top, sizeof (CsUsedCase) * MAX (self->k, 1));
  copy->levels = g_memdup2 (self->levels, sizeof (gint) * MAX (self->engine->cases->n_cat, 1));
  return copy;
}

static CsQueryResult *
result_new (CsEngine     *self,
            const double *query,
            const gint   *levels,
            gssize        exclude,
            guint         k,
            gboolean      with_weights)
{
  CsQueryResult *r = g_new0 (CsQueryResult, 1);
  gsize n = self->cases->n, d = self->cases->d, nc = self->cases->n_cat;

  r->engine = cs_engine_ref (self);
  /* The query's levels: given, else (leave-one-out) the left-out case's, else not given. A code beyond a
   * column's levels (or any other negative one) is unknown: it names nothing the engine knows. */
  r->levels = g_new (gint, MAX (nc, 1));
  for (gsize c = 0; c < nc; c++)
    {
      gint lv = levels != NULL ? levels[c]
                : exclude >= 0 && (gsize) exclude < n ? self->cases->cat_codes[(gsize) exclude * nc + c]
                : CS_LEVEL_NOT_GIVEN;
      r->levels[c] = lv == CS_LEVEL_NOT_GIVEN || (lv >= 0 && (gsize) lv < self->cases->cat_n_levels[c]) ? lv
                     : CS_LEVEL_UNKNOWN;
    }
  r->query = g_memdup2 (query, sizeof (double) * d);
  r->exclude = exclude;
  r->weights = with_weights ? g_new0 (double, n) : NULL;
  r->half_width = g_new0 (double, d);
  r->top = g_new0 (CsUsedCase, MAX (k, 1));
  r->exact_sum = NAN;
  cs_interval_spec_init (&r->spec);
  r->interval = (CsInterval) { NAN, NAN, NAN, NAN, NAN, FALSE };
  r->p_in_spec = NAN;
  r->weight_dropped = NAN;
  r->prediction.prediction = NAN;
  r->prediction.std_error = NAN;
  r->prediction.n_eff = NAN;
  r->prediction.local_sd = NAN;
  r->prediction.mean_distance = NAN;
  r->prediction.nearest_distance = NAN;
  r->prediction.nearest_index = CS_NO_CASE;
  r->prediction.max_weight = NAN;
  r->prediction.weight_sum = NAN;
  r->prediction.radius90 = NAN;
  r->prediction.decomposition_error = NAN;
  return r;
}

/* The attended sets of a chunk of queries live only while that chunk is predicted and diagnosed, and a chunk
 * holds about this many bytes of them (16 bytes per kept case). The first chunk assumes every case is kept
 * (16 queries at 10^6 cases); later ones size themselves on twice the largest set seen so far, so a batch of
 * queries on a peaked window still fills whole blocks for the worker threads. */
#define ATTENDED_BYTES (256.0 * 1024 * 1024)

static gsize
attended_chunk (gsize kept_bound,
                gsize left)
{
  double per = 16.0 * (double) MAX (kept_bound, 1);
  gsize c = (gsize) MAX (ATTENDED_BYTES / per, 1.0);

  return MIN (c, left);
}

char *
cs_engine_category_message (const char * const        *cat_names,
                            const char * const * const *cat_levels,
                            gsize                       n_cat,
                            const gint                 *levels)
{
  GString *msg = g_string_new (NULL);

  for (gsize c = 0; c < n_cat; c++)
    if (levels[c] == CS_LEVEL_NOT_GIVEN)
      g_string_append_printf (msg, "%s%s was not given", msg->len > 0 ? "; " : "", cat_names[c]);
    else if (levels[c] < 0)
      g_string_append_printf (msg, "%s%s has a value no past case has", msg->len > 0 ? "; " : "", cat_names[c]);
  if (msg->len > 0)
    g_string_append (msg, ": nothing to compare it with, the cases used are of other values");
  else
    {
      g_string_append (msg, "no case among those used has this combination (");
      for (gsize c = 0; c < n_cat; c++)
        g_string_append_printf (msg, "%s%s %s", c > 0 ? ", " : "", cat_names[c],
                                cat_levels[c][levels[c]][0] != '\0' ? cat_levels[c][levels[c]] : "(empty)");
      g_string_append (msg, "): the prediction leans on cases of other values");
    }
  return g_string_free (msg, FALSE);
}

/* The fail-safe's category rule: a check flag (low support) when a level of the query is unknown to the
 * case base or not given, or no case the query attends to has all its levels together. */
static void
category_flag (CsEngine      *self,
               CsQueryResult *r)
{
  CsCaseBase *cases = self->cases;
  g_autofree char *msg = cs_engine_category_message ((const char * const *) cases->cat_names,
                                                     (const char * const * const *) cases->cat_levels,
                                                     cases->n_cat, r->levels);

  cs_flags_add_category (&r->report, msg);
}

/* q queries through one prediction pass and one local-diagnostics pass, in chunks (attended_chunk); results[t]
 * filled (allocated here). with_weights (q == 1 only): every case's weight, for the charts. */
static void
predict_batch (CsEngine       *self,
               const double   *x,
               const gint     *levels,
               gsize           q,
               const gssize   *exclude,
               guint           k,
               gboolean        with_weights,
               const CsIntervalSpec *spec,
               GCancellable   *cancellable,
               CsQueryResult **results)
{
  CsCaseBase *cases = self->cases;
  gsize n = cases->n, d = cases->d, m = 0;
  g_autofree double *zq = g_new (double, MAX (q * d, 1));
  g_autofree double *hw = g_new (double, MAX (q * d, 1));
  g_autofree CsTopCase *top = g_new0 (CsTopCase, MAX (q * k, 1));
  g_autofree size_t *self_index = g_new (size_t, MAX (q, 1));
  g_autofree gsize *keep = g_new (gsize, MAX (q, 1));
  g_autofree CsPrediction *pred = g_new0 (CsPrediction, MAX (q, 1));
  g_autofree CsLocalDiagnostics *local = g_new0 (CsLocalDiagnostics, MAX (q, 1));
  gboolean any_exclude = FALSE;
  CsPredictOptions options;
  CsStatus status = CS_OK;
  gsize kept_bound = n, nc = cases->n_cat;
  g_autofree gint *lq = g_new (gint, MAX (q * nc, 1));
  g_autofree gboolean *combination_seen = g_new0 (gboolean, MAX (q, 1));

  for (gsize t = 0; t < q; t++)
    {
      const double *xt = x + t * d;
      gssize ex = exclude != NULL ? exclude[t] : -1;
      CsQueryResult *r = results[t] = result_new (self, xt, levels != NULL ? levels + t * nc : NULL, ex, k,
                                                  with_weights);
      gboolean ok = TRUE;

      r->spec = *spec;

      /* NaN is a value left out: predicted from the other features (cs-engine-missing.c) */
      if (cs_engine_missing_count (self, xt) > 0)
        {
          cs_engine_missing_query (self, xt, ex, k, with_weights, cancellable, r);
          continue;
        }
      for (gsize j = 0; j < d && ok; j++)
        if (!isfinite (xt[j]))
          {
            g_autofree char *detail = g_strdup_printf ("%s has no valid value", cases->feature_names[j]);
            cs_flags_fail (&r->report, CS_FLAG_FAIL_QUERY_NAN, detail);
            ok = FALSE;
          }
      if (!ok)
        continue;
      if (!self->have_diagnostics)
        {
          cs_flags_fail (&r->report, CS_FLAG_FAIL_NO_MODEL, "the case base has too few cases to diagnose");
          continue;
        }
      cs_standardise_rows (xt, zq + m * d, d, self->mean, self->sd, 0, 1);
      if (nc > 0)
        memcpy (lq + m * nc, r->levels, nc * sizeof (gint));
      self_index[m] = ex >= 0 && (gsize) ex < n ? (size_t) ex : CS_NO_CASE;
      any_exclude |= ex >= 0;
      keep[m++] = t;
    }
  if (m == 0)
    return;

  for (gsize c0 = 0, cm; c0 < m && status == CS_OK; c0 += cm)
    {
      g_autofree CsAttended *att = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        {
          status = CS_ERR_CANCELLED;
          break;
        }
      cm = attended_chunk (kept_bound, m - c0);
      att = g_new0 (CsAttended, cm);
      cs_predict_options_init (&options);
      /* The charts' weights (every case's): the window pass's candidates' weights, 0 for the others (each under
       * epsilon / (2 n)), so the window pass does not score all n cases again for them. */
      options.flags = CS_PREDICT_WINDOW | CS_PREDICT_WEIGHTS_CANDIDATES;
      options.noise_sd = isfinite (self->noise_sd) ? self->noise_sd : 0;
      options.epsilon = self->epsilon;
      options.top_k = k;
      options.top = top + c0 * k;
      options.weights = with_weights && q == 1 ? results[0]->weights : NULL;
      options.half_width = hw + c0 * d;
      options.self_index = any_exclude ? self_index + c0 : NULL;
      options.attended = att;
      options.levels = nc > 0 ? lq + c0 * nc : NULL;
      options.n_threads = cs_engine_window_threads (n, d);
      status = cs_attention_predict (self->ctx, zq + c0 * d, cm, &options, pred + c0);
      if (status == CS_OK && g_cancellable_is_cancelled (cancellable))
        status = CS_ERR_CANCELLED;
      /* one pass per query: the local fits behind the flags read this chunk's attended sets */
      if (status == CS_OK)
        status = cs_local_fit_batch (self->ctx, zq + c0 * d, cm, options.self_index, pred + c0, att,
                                     (int) g_get_num_processors (), local + c0);
      kept_bound = 0;
      for (gsize i = 0; i < cm; i++)
        {
          /* the interval reads the same attended set as the flags' local fits */
          if (status == CS_OK)
            {
              CsQueryResult *r = results[keep[c0 + i]];
              cs_engine_interval_compute (self, &att[i], zq + (c0 + i) * d,
                                          any_exclude ? self_index[c0 + i] : CS_NO_CASE, &pred[c0 + i], spec,
                                          &r->interval,
                                          &r->p_in_spec);
            }
          /* the fail-safe's category rule: does any case the query attends to share all its levels? */
          for (gsize a = 0; status == CS_OK && nc > 0 && a < att[i].m && !combination_seen[c0 + i]; a++)
            {
              const gint *ca = cases->cat_codes + att[i].index[a] * nc, *qa = lq + (c0 + i) * nc;
              gboolean same = att[i].weight[a] > 0;
              for (gsize c = 0; c < nc && same; c++)
                same = ca[c] == qa[c];
              combination_seen[c0 + i] = same;
            }
          kept_bound = MAX (kept_bound, att[i].m);
          cs_attended_clear (&att[i]);
        }
      /* a floor, so that a chunk of queries without predictions does not size the next one on nothing */
      kept_bound = MIN (MAX (2 * kept_bound, 1024), n);
    }
  for (gsize i = 0; i < m; i++)
    {
      CsQueryResult *r = results[keep[i]];
      CsFlagQuery fq = { 0 };

      if (status != CS_OK)
        {
          cs_flags_fail (&r->report, status == CS_ERR_NOT_FINITE ? CS_FLAG_FAIL_NOT_FINITE : CS_FLAG_FAIL_ENGINE,
                         cs_status_message (status));
          continue;
        }
      r->prediction = pred[i];
      r->local = local[i];
      for (gsize j = 0; j < d; j++)
        r->half_width[j] = hw[i * d + j] * self->sd[j];
      for (guint t = 0; t < k; t++)
        {
          const CsTopCase *tc = &top[i * k + t];
          if (tc->index == CS_NO_CASE)
            break;
          r->top[r->k++] = (CsUsedCase) { tc->index, tc->weight, cases->y[tc->index], tc->distance };
          r->top_weight += tc->weight;
          r->top_sum += tc->weight * cases->y[tc->index];
        }
      if (r->weights != NULL)
        {
          r->exact_sum = 0;
          for (gsize c = 0; c < n; c++)
            r->exact_sum += r->weights[c] * cases->y[c];
        }
      r->rest_weight = r->prediction.weight_sum - r->top_weight;
      r->rest_sum = r->exact_sum - r->top_sum;
      r->weight_dropped = r->prediction.weight_dropped;
      r->n_kept = r->prediction.n_kept;

      fq.failure = CS_FLAG_FAIL_NONE;
      fq.x = r->query;
      fq.y_hat = r->prediction.prediction;
      fq.local_spread = r->prediction.local_sd;
      fq.local_noise = r->local.local_noise_sd;
      fq.local_lipschitz = r->local.local_lipschitz;
      fq.gradient = NULL;
      fq.n_eff = r->prediction.n_eff;
      fq.nearest_distance = r->prediction.nearest_distance;
      fq.nearest_x = r->prediction.nearest_index < n ? cases->x + r->prediction.nearest_index * d : NULL;
      fq.local_variation = r->local.local_variation;
      fq.metric_distance = r->local.metric_distance;
      fq.df_resid = r->local.df_resid;
      if (isfinite (self->flag_base.metric_nn_distance) && r->local.metric_nearest < n)
        fq.nearest_x = cases->x + r->local.metric_nearest * d;   /* the case the support rule measures */
      cs_flags_evaluate (&self->flag_base, &self->thresholds, &fq, &r->report);
      if (nc > 0 && !combination_seen[i])
        category_flag (self, r);
      r->valid = r->report.failure == CS_FLAG_FAIL_NONE && isfinite (r->prediction.prediction);
    }
}

CsQueryResult *
cs_engine_query (CsEngine     *self,
                 const double *query,
                 gssize        exclude,
                 guint         k,
                 GCancellable *cancellable)
{
  return cs_engine_query_spec (self, query, exclude, k, NULL, cancellable);
}

CsQueryResult *
cs_engine_query_spec (CsEngine             *self,
                      const double         *query,
                      gssize                exclude,
                      guint                 k,
                      const CsIntervalSpec *spec,
                      GCancellable         *cancellable)
{
  return cs_engine_query_levels (self, query, NULL, exclude, k, spec, cancellable);
}

CsQueryResult *
cs_engine_query_levels (CsEngine             *self,
                        const double         *query,
                        const gint           *levels,
                        gssize                exclude,
                        guint                 k,
                        const CsIntervalSpec *spec,
                        GCancellable         *cancellable)
{
  CsQueryResult *r = NULL;
  CsIntervalSpec defaults;

  if (spec == NULL)
    {
      cs_interval_spec_init (&defaults);
      spec = &defaults;
    }
  predict_batch (self, query, levels, 1, &exclude, k, TRUE, spec, cancellable, &r);
  return r;
}

CsQueryResult **
cs_engine_predict (CsEngine      *self,
                   const double  *queries,
                   gsize          q,
                   const gssize  *exclude,
                   guint          k,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return cs_engine_predict_spec (self, queries, q, exclude, k, NULL, cancellable, error);
}

CsQueryResult **
cs_engine_predict_spec (CsEngine             *self,
                        const double         *queries,
                        gsize                 q,
                        const gssize         *exclude,
                        guint                 k,
                        const CsIntervalSpec *spec,
                        GCancellable         *cancellable,
                        GError              **error)
{
  return cs_engine_predict_levels (self, queries, NULL, q, exclude, k, spec, cancellable, error);
}

CsQueryResult **
cs_engine_predict_levels (CsEngine             *self,
                          const double         *queries,
                          const gint           *levels,
                          gsize                 q,
                          const gssize         *exclude,
                          guint                 k,
                          const CsIntervalSpec *spec,
                          GCancellable         *cancellable,
                          GError              **error)
{
  CsQueryResult **results = g_new0 (CsQueryResult *, MAX (q, 1));
  CsIntervalSpec defaults;

  if (spec == NULL)
    {
      cs_interval_spec_init (&defaults);
      spec = &defaults;
    }
  predict_batch (self, queries, levels, q, exclude, k, FALSE, spec, cancellable, results);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      cs_engine_results_free (results, q);
      return NULL;
    }
  return results;
}

void
cs_engine_results_free (CsQueryResult **results,
                        gsize           q)
{
  if (results == NULL)
    return;
  for (gsize t = 0; t < q; t++)
    cs_query_result_free (results[t]);
  g_free (results);
}

typedef struct
{
  CsEngine *engine;
  double *query;
  gint *levels;          /* NULL: none given */
  gssize exclude;
  guint k;
  guint serial;
  CsIntervalSpec spec;
  guint n_charts;
  CsChartKind kinds[CS_ENGINE_QUERY_CHARTS_MAX];
  CsChartOptions options[CS_ENGINE_QUERY_CHARTS_MAX];
} QueryData;

typedef struct
{
  CsQueryResult *result;
  CsEngineChart *charts[CS_ENGINE_QUERY_CHARTS_MAX];   /* NULL where a chart has nothing to show */
} QueryDone;

static void
query_data_free (gpointer data)
{
  QueryData *qd = data;

  cs_engine_unref (qd->engine);
  g_free (qd->query);
  g_free (qd->levels);
  g_free (qd);
}

static void
query_done_free (gpointer data)
{
  QueryDone *done = data;

  g_clear_pointer (&done->result, cs_query_result_free);
  for (guint t = 0; t < G_N_ELEMENTS (done->charts); t++)
    g_clear_pointer (&done->charts[t], cs_engine_chart_free);
  g_free (done);
}

/* The query, then its charts in the same worker: building a chart reads every case (at 10^6 cases tens of
 * milliseconds each), which a front end's main loop should not. */
/* From this many cases the query's charts start their result-free parts (distances, plane coordinates: 8n to
 * 20n doubles written) on a second thread while the query runs: at 10^6 x 20 they were 47 ms of an edit's
 * 190 ms after the query's own 95 ms, which runs on one thread. Below, a thread costs more than it saves. */
#define CS_ENGINE_CHART_PRE_MIN_CASES 100000

static gpointer
chart_pre_thread (gpointer data)
{
  QueryData *qd = data;
  CsChartPre *pre = g_new0 (CsChartPre, 1);

  _cs_engine_chart_pre_compute (qd->engine, qd->query, qd->exclude, qd->kinds, qd->options, qd->n_charts, pre);
  return pre;
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *qd = task_data;
  QueryDone *done = g_new0 (QueryDone, 1);
  GThread *pre_thread = NULL;
  CsChartPre *pre = NULL;

  if (qd->n_charts > 0 && qd->engine->cases->n >= CS_ENGINE_CHART_PRE_MIN_CASES)
    pre_thread = g_thread_try_new ("cs-chart-pre", chart_pre_thread, qd, NULL);
  done->result = cs_engine_query_levels (qd->engine, qd->query, qd->levels, qd->exclude, qd->k, &qd->spec,
                                         cancellable);
  done->result->serial = qd->serial;
  if (pre_thread != NULL)
    pre = g_thread_join (pre_thread);
  for (guint t = 0; t < qd->n_charts && done->result->valid && !g_cancellable_is_cancelled (cancellable); t++)
    done->charts[t] = _cs_engine_chart_build_pre (qd->engine, qd->kinds[t], done->result, &qd->options[t], pre);
  if (pre != NULL)
    {
      _cs_engine_chart_pre_clear (pre);
      g_free (pre);
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      query_done_free (done);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }
  g_task_return_pointer (task, done, query_done_free);
}

void
cs_engine_query_async (CsEngine           *self,
                       const double       *query,
                       gssize              exclude,
                       guint               k,
                       guint               serial,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  cs_engine_query_async_spec (self, query, exclude, k, NULL, serial, cancellable, callback, user_data);
}

void
cs_engine_query_async_spec (CsEngine             *self,
                            const double         *query,
                            gssize                exclude,
                            guint                 k,
                            const CsIntervalSpec *spec,
                            guint                 serial,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  cs_engine_query_async_levels (self, query, NULL, exclude, k, spec, serial, cancellable, callback, user_data);
}

void
cs_engine_query_async_levels (CsEngine             *self,
                              const double         *query,
                              const gint           *levels,
                              gssize                exclude,
                              guint                 k,
                              const CsIntervalSpec *spec,
                              guint                 serial,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  cs_engine_query_charts_async (self, query, levels, exclude, k, spec, serial, NULL, NULL, 0, cancellable, callback,
                                user_data);
}

void
cs_engine_query_charts_async (CsEngine              *self,
                              const double          *query,
                              const gint            *levels,
                              gssize                 exclude,
                              guint                  k,
                              const CsIntervalSpec  *spec,
                              guint                  serial,
                              const CsChartKind     *kinds,
                              const CsChartOptions  *options,
                              guint                  n_charts,
                              GCancellable          *cancellable,
                              GAsyncReadyCallback    callback,
                              gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QueryData *qd = g_new0 (QueryData, 1);

  g_return_if_fail (n_charts <= CS_ENGINE_QUERY_CHARTS_MAX);
  if (spec != NULL)
    qd->spec = *spec;
  else
    cs_interval_spec_init (&qd->spec);

  qd->engine = cs_engine_ref (self);
  qd->query = g_memdup2 (query, sizeof (double) * self->cases->d);
  qd->levels = levels != NULL && self->cases->n_cat > 0 ? g_memdup2 (levels, sizeof (gint) * self->cases->n_cat) : NULL;
  qd->exclude = exclude;
  qd->k = k;
  qd->serial = serial;
  qd->n_charts = n_charts;
  for (guint t = 0; t < n_charts; t++)
    {
      qd->kinds[t] = kinds[t];
      qd->options[t] = options[t];
    }
  g_task_set_task_data (task, qd, query_data_free);
  g_task_set_source_tag (task, cs_engine_query_async);
  g_task_run_in_thread (task, query_thread);
}

CsQueryResult *
cs_engine_query_charts_finish (GAsyncResult   *result,
                               CsEngineChart **charts,
                               GError        **error)
{
  QueryDone *done = g_task_propagate_pointer (G_TASK (result), error);
  const QueryData *qd = g_task_get_task_data (G_TASK (result));
  CsQueryResult *r;

  for (guint t = 0; t < qd->n_charts && charts != NULL; t++)
    charts[t] = done != NULL ? g_steal_pointer (&done->charts[t]) : NULL;
  if (done == NULL)
    return NULL;
  r = g_steal_pointer (&done->result);
  query_done_free (done);
  return r;
}

CsQueryResult *
cs_engine_query_finish (GAsyncResult *result,
                        GError      **error)
{
  return cs_engine_query_charts_finish (result, NULL, error);
}

const char *
cs_similarity_words (double distance,
                     double radius90)
{
  double r = radius90 > 0 && isfinite (radius90) ? distance / radius90 : distance;

  if (r < 0.25)
    return _("very similar");
  if (r < 0.6)
    return _("similar");
  if (r < 1.0)
    return _("somewhat similar");
  return _("different");
}

char *
cs_format_number (double v)
{
  double a = fabs (v);

  if (!isfinite (v))
    return g_strdup ("—");
  if (a != 0 && (a < 0.001 || a >= 1e7))
    return g_strdup_printf ("%.3g", v);
  return g_strdup_printf ("%.*f", a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4, v);
}

char *
cs_format_short (double v)
{
  double a = fabs (v);

  if (!isfinite (v))
    return g_strdup ("—");
  if (a != 0 && (a < 0.01 || a >= 1e6))
    return g_strdup_printf ("%.2g", v);
  return g_strdup_printf ("%.*f", a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3, v);
}

char *
cs_window_words (CsCaseBase   *cases,
                 const double *half_width)
{
  g_autoptr(GString) s = g_string_new (NULL);

  /* In the user's language in the window; the command line keeps the C locale, so its words stay English. */
  for (gsize j = 0; j < cases->d; j++)
    {
      g_autofree char *v = cs_format_short (half_width[j]);
      const char *unit = cases->feature_units[j];
      gboolean has_unit = unit != NULL && *unit != '\0';

      if (j > 0)
        g_string_append (s, ", ");
      if (!isfinite (half_width[j]))
        g_string_append_printf (s, _("any %s"), cases->feature_names[j]);
      else if (has_unit)
        g_string_append_printf (s, "±%s %s", v, unit);
      else
        g_string_append_printf (s, _("±%s in %s"), v, cases->feature_names[j]);
    }
  return g_strdup_printf (_("looks at cases within %s"), s->str);
}

gsize
cs_engine_n_categories (const CsEngine *self)
{
  return self->cases->n_cat;
}

const char *
cs_engine_category_name (const CsEngine *self,
                         gsize           c)
{
  return c < self->cases->n_cat ? self->cases->cat_names[c] : NULL;
}

const char * const *
cs_engine_category_levels (const CsEngine *self,
                           gsize           c)
{
  return c < self->cases->n_cat ? (const char * const *) self->cases->cat_levels[c] : NULL;
}

gint
cs_engine_category_level (const CsEngine *self,
                          gsize           c,
                          const char     *level)
{
  return cs_case_base_find_level (self->cases, c, level);
}

double
cs_engine_category_lambda (const CsEngine *self,
                           gsize           c)
{
  if (c >= self->cases->n_cat)
    return NAN;
  return self->metric.n_cat == self->cases->n_cat ? self->metric.cat_lambda[c] : 0.0;
}

int
cs_query_result_category_match (const CsQueryResult *self,
                                gsize                case_index,
                                gsize                c)
{
  const CsCaseBase *cases = self->engine->cases;

  if (c >= cases->n_cat || case_index >= cases->n || self->levels[c] < 0)
    return -1;
  return cases->cat_codes[case_index * cases->n_cat + c] == self->levels[c];
}
