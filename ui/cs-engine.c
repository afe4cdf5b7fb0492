/* cs-engine.c: case base -> fitted attention context, diagnostics and flag baselines; queries in workers. */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-engine.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Above this many cases the leave-one-out fit and the per-case diagnostics run on an evenly spaced sample. */
#define CS_ENGINE_FULL_CAP 5000
/* Rows standardised between two looks at the cancellable (about 10 ms at 20 features). */
#define STANDARDISE_BLOCK 65536

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
  g_free (self->per_case);
  g_free (self->nn_distance);
  g_free (self->case_verdict);
  g_free (self->case_flags);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_free (self);
}

double
cs_engine_half_width (CsEngine *self,
                      gsize     j)
{
  g_autofree double *hw = g_new (double, self->cases->d);
  double sd = self->cases->sd[j] > 0 ? self->cases->sd[j] : 1.0;

  cs_metric_half_widths (&self->metric, hw);
  return hw[j] * sd;
}

typedef struct
{
  CsEngineProgress progress;
  gpointer data;
  GCancellable *cancellable;
  const char *stage;
  double from, to;
} Progress;

static int
progress_cb (double  fraction,
             void   *user_data)
{
  Progress *p = user_data;

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

/* cs_case_base_standardise in blocks of rows between which Cancel is seen; NULL when cancelled. */
static double *
standardise (const CsCaseBase *cases,
             GCancellable     *cancellable)
{
  gsize n = cases->n, d = cases->d;
  g_autofree double *z = g_new (double, MAX (n * d, 1));

  for (gsize i0 = 0; i0 < n; i0 += STANDARDISE_BLOCK)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return NULL;
      cs_standardise_rows (cases->x, z, d, cases->mean, cases->sd, i0, MIN (n, i0 + STANDARDISE_BLOCK));
    }
  return g_steal_pointer (&z);
}

/* An evenly spaced sample of at most cap cases (all when n <= cap), as its own context. */
static CsStatus
sample_context (CsEngine     *self,
                gsize         cap,
                CsAttention **out)
{
  gsize n = self->cases->n, d = self->cases->d, m = MIN (n, cap);
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;

  if (m == n)
    return cs_attention_new (self->z, self->cases->y, n, d, CS_SCORE_DISTANCE, out);
  x = g_new (double, m * d);
  y = g_new (double, m);
  for (gsize t = 0; t < m; t++)
    {
      gsize i = (gsize) ((double) t * (double) n / (double) m);
      memcpy (x + t * d, self->z + i * d, sizeof (double) * d);
      y[t] = self->cases->y[i];
    }
  return cs_attention_new (x, y, m, d, CS_SCORE_DISTANCE, out);
}

static void
evaluate_case_flags (CsEngine *self)
{
  gsize n = self->cases->n, d = self->cases->d;

  self->case_verdict = g_new0 (CsVerdict, n);
  self->case_flags = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    {
      const CsLocalDiagnostics *ld = &self->per_case[i];
      CsFlagQuery q = { 0 };
      CsFlagReport report;

      q.failure = CS_FLAG_FAIL_NONE;
      q.x = self->cases->x + i * d;
      q.y_hat = ld->prediction;
      q.local_spread = ld->local_sd;
      q.local_noise = ld->local_noise_sd;
      q.local_lipschitz = ld->local_lipschitz;
      q.gradient = NULL;
      q.n_eff = ld->n_eff;
      q.nearest_distance = self->nn_distance[i];
      q.nearest_x = NULL;
      cs_flags_evaluate (&self->flag_base, &self->thresholds, &q, &report);
      self->case_verdict[i] = report.verdict;
      for (gsize f = 0; f < report.n_flags; f++)
        self->case_flags[i] |= (guint8) (1u << report.flags[f].kind);
    }
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
  g_autoptr(CsEngine) self = g_new0 (CsEngine, 1);
  Progress p = { progress, progress_data, cancellable, "Preparing", 0, 0 };
  CsAttention *sub = NULL;
  gsize n = cases->n, d = cases->d;
  CsStatus status;

  self->ref_count = 1;
  self->cases = cs_case_base_ref (cases);
  self->loo_mse_linear = NAN;
  cs_flag_thresholds_init (&self->thresholds);

  if (n == 0 || d == 0)
    {
      g_set_error (error, engine_error_quark (), CS_ERR_INVALID, "The case base has no usable cases");
      return NULL;
    }
  /* A million cases take hundreds of milliseconds to standardise and index, with no progress reports to
   * answer Cancel from: standardise in blocks that look at it, and let the context use z and y in place (the
   * engine keeps both alive and unchanged until it frees the context) instead of copying 160 MB again. */
  self->z = standardise (cases, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  status = cs_attention_new_full (self->z, cases->y, n, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT,
                                  progress_cb, &p, &self->ctx);
  if (status_error (status, "Preparing the engine", error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (metric != NULL && metric->d == d)
    status = cs_metric_copy (&self->metric, metric);
  else
    status = cs_metric_init_scalar (&self->metric, d, cs_engine_default_scale (cases));
  if (status_error (status, "Setting the metric", error))
    return NULL;
  self->metric_label = g_strdup (metric_label != NULL ? metric_label : "scalar, rule of thumb");

  if (n >= 2)
    {
      status = sample_context (self, CS_ENGINE_FULL_CAP, &sub);
      if (status_error (status, "Preparing the engine", error))
        return NULL;
    }

  if (fit != CS_ENGINE_FIT_NONE && sub != NULL)
    {
      CsFitOptions options;
      CsMetric fitted = { 0 };

      cs_fit_options_init (&options);
      options.kind = fit == CS_ENGINE_FIT_SCALAR ? CS_METRIC_SCALAR
                     : fit == CS_ENGINE_FIT_DIAGONAL ? CS_METRIC_DIAGONAL : CS_METRIC_FULL;
      options.progress = progress_cb;
      options.user_data = &p;
      p.stage = "Fitting the window";
      p.from = 0;
      p.to = 0.6;
      cs_metric_copy (&fitted, &self->metric);
      status = cs_attention_fit (sub, &options, &fitted, &self->fit);
      if (status_error (status, "Fitting the window", error))
        {
          cs_metric_clear (&fitted);
          cs_attention_free (sub);
          return NULL;
        }
      cs_metric_clear (&self->metric);
      self->metric = fitted;
      self->fitted = TRUE;
      g_free (self->metric_label);
      self->metric_label = g_strdup_printf ("%s, fitted by leave-one-out%s",
                                            fit == CS_ENGINE_FIT_SCALAR ? "scalar"
                                            : fit == CS_ENGINE_FIT_DIAGONAL ? "diagonal" : "full",
                                            sub != NULL && cs_attention_get_n (sub) < n ? " on a sample" : "");
    }

  status = cs_attention_set_metric (self->ctx, &self->metric);
  if (status == CS_OK && sub != NULL)
    status = cs_attention_set_metric (sub, &self->metric);
  if (status_error (status, "Setting the metric", error))
    {
      cs_attention_free (sub);
      return NULL;
    }

  if (sub != NULL)
    {
      CsLinearModel linear = { 0 };

      if (cs_linear_fit (sub, 1, &linear) == CS_OK)
        self->loo_mse_linear = linear.loo_mse;
      cs_linear_clear (&linear);
      if (!self->fitted)
        cs_attention_loo_mse (sub, &self->metric, &self->fit.loo_mse, NULL, NULL);
    }

  /* Diagnostics and fail-safe baselines (per case when the whole base fits in the cap). */
  if (sub != NULL)
    {
      gsize m = cs_attention_get_n (sub);
      g_autofree CsLocalDiagnostics *local = g_new0 (CsLocalDiagnostics, m);
      g_autofree double *nn_dist = g_new (double, m);
      g_autofree size_t *nn = g_new (size_t, m);
      g_autofree double *noise = g_new (double, m);
      g_autofree double *lip = g_new (double, m);

      p.stage = "Diagnosing the case base";
      p.from = fit != CS_ENGINE_FIT_NONE ? 0.6 : 0.0;
      p.to = 1.0;
      status = cs_diagnose_global (sub, &self->global, local, progress_cb, &p);
      if (status == CS_OK)
        status = cs_nearest_neighbours_self (cs_attention_get_x (sub), m, d, nn, nn_dist);
      if (status_error (status, "Diagnosing the case base", error))
        {
          cs_attention_free (sub);
          return NULL;
        }
      for (gsize i = 0; i < m; i++)
        {
          noise[i] = local[i].local_noise_sd;
          lip[i] = local[i].local_lipschitz;
        }
      self->flag_base.d = d;
      self->flag_base.n_cases = n;
      self->flag_base.feature_names = (const char * const *) cases->feature_names;
      self->flag_base.feature_units = (const char * const *) cases->feature_units;
      self->flag_base.feature_min = cases->min;
      self->flag_base.feature_max = cases->max;
      self->flag_base.feature_sd = cases->sd;
      self->flag_base.target_name = cases->target_name;
      self->flag_base.target_unit = cases->target_unit;
      self->flag_base.noise_sd = self->global.noise_sd;
      self->flag_base.lipschitz = self->global.lipschitz;
      self->flag_base.window = self->global.window_radius;
      cs_flag_base_from_cases (&self->flag_base, noise, lip, nn_dist, m);
      cs_flag_thresholds_init_for_base (&self->thresholds, &self->flag_base);
      if (thresholds != NULL)
        {
          /* The user's adjustments (NaN: keep the default for this case base). */
          const double *src = &thresholds->noise_check;
          double *dst = &self->thresholds.noise_check;
          CsFlagThresholds saved = self->thresholds;

          for (gsize k = 0; k < sizeof (CsFlagThresholds) / sizeof (double); k++)
            if (!isnan (src[k]))
              dst[k] = src[k];
          if (cs_flag_thresholds_validate (&self->thresholds) != 0)
            self->thresholds = saved;
        }
      self->have_diagnostics = TRUE;
      if (m == n)
        {
          self->per_case = g_steal_pointer (&local);
          self->nn_distance = g_steal_pointer (&nn_dist);
          evaluate_case_flags (self);
        }
    }
  cs_attention_free (sub);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
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
  g_free (self);
}

CsQueryResult *
cs_query_result_copy (const CsQueryResult *self)
{
  CsQueryResult *copy = g_memdup2 (self, sizeof (CsQueryResult));
  gsize n = self->engine->cases->n, d = self->engine->cases->d;

  copy->engine = cs_engine_ref (self->engine);
  copy->query = g_memdup2 (self->query, sizeof (double) * d);
  copy->weights = g_memdup2 (self->weights, sizeof (double) * n);
  copy->half_width = g_memdup2 (self->half_width, sizeof (double) * d);
  copy->top = g_memdup2 (self->top, sizeof (CsUsedCase) * MAX (self->k, 1));
  return copy;
}

CsQueryResult *
cs_engine_query (CsEngine     *self,
                 const double *query,
                 gssize        exclude,
                 guint         k,
                 GCancellable *cancellable)
{
  CsQueryResult *r = g_new0 (CsQueryResult, 1);
  CsCaseBase *cases = self->cases;
  gsize n = cases->n, d = cases->d;
  g_autofree double *zq = g_new (double, d);
  g_autofree double *hw = g_new (double, d);
  g_autofree CsTopCase *top = g_new0 (CsTopCase, MAX (k, 1));
  size_t self_index = exclude >= 0 ? (size_t) exclude : CS_NO_CASE;
  CsPredictOptions options;
  CsFlagQuery fq = { 0 };
  CsStatus status;

  r->engine = cs_engine_ref (self);
  r->query = g_memdup2 (query, sizeof (double) * d);
  r->exclude = exclude;
  r->weights = g_new0 (double, n);
  r->half_width = g_new0 (double, d);
  r->top = g_new0 (CsUsedCase, MAX (k, 1));

  for (gsize j = 0; j < d; j++)
    {
      if (!isfinite (query[j]))
        {
          g_autofree char *detail = g_strdup_printf ("%s has no valid value", cases->feature_names[j]);
          cs_flags_fail (&r->report, CS_FLAG_FAIL_QUERY_NAN, detail);
          return r;
        }
      zq[j] = (query[j] - cases->mean[j]) / (cases->sd[j] > 0 ? cases->sd[j] : 1.0);
    }

  cs_predict_options_init (&options);
  options.flags = CS_PREDICT_WINDOW;
  options.noise_sd = self->have_diagnostics ? self->global.noise_sd : 0;
  options.top_k = k;
  options.top = top;
  options.weights = r->weights;
  options.half_width = hw;
  options.self_index = exclude >= 0 ? &self_index : NULL;
  status = cs_attention_predict (self->ctx, zq, 1, &options, &r->prediction);
  if (status == CS_OK)
    status = cs_diagnose_at (self->ctx, zq, 1, options.self_index, &r->local, NULL, NULL);
  if (status != CS_OK)
    {
      cs_flags_fail (&r->report, status == CS_ERR_NOT_FINITE ? CS_FLAG_FAIL_NOT_FINITE : CS_FLAG_FAIL_ENGINE,
                     cs_status_message (status));
      return r;
    }
  if (g_cancellable_is_cancelled (cancellable))
    return r;

  for (gsize j = 0; j < d; j++)
    r->half_width[j] = hw[j] * (cases->sd[j] > 0 ? cases->sd[j] : 1.0);
  for (guint t = 0; t < k; t++)
    {
      if (top[t].index == CS_NO_CASE)
        break;
      r->top[r->k++] = (CsUsedCase) { top[t].index, top[t].weight, cases->y[top[t].index], top[t].distance };
      r->top_weight += top[t].weight;
      r->top_sum += top[t].weight * cases->y[top[t].index];
    }
  for (gsize i = 0; i < n; i++)
    r->exact_sum += r->weights[i] * cases->y[i];
  r->rest_weight = r->prediction.weight_sum - r->top_weight;
  r->rest_sum = r->exact_sum - r->top_sum;

  fq.failure = CS_FLAG_FAIL_NONE;
  fq.x = query;
  fq.y_hat = r->prediction.prediction;
  fq.local_spread = r->prediction.local_sd;
  fq.local_noise = r->local.local_noise_sd;
  fq.local_lipschitz = r->local.local_lipschitz;
  fq.gradient = NULL;
  fq.n_eff = r->prediction.n_eff;
  fq.nearest_distance = r->prediction.nearest_distance;
  fq.nearest_x = r->prediction.nearest_index < n ? cases->x + r->prediction.nearest_index * d : NULL;
  if (self->have_diagnostics)
    cs_flags_evaluate (&self->flag_base, &self->thresholds, &fq, &r->report);
  else
    cs_flags_fail (&r->report, CS_FLAG_FAIL_NO_MODEL, "the case base has too few cases to diagnose");
  r->valid = r->report.failure == CS_FLAG_FAIL_NONE && isfinite (r->prediction.prediction);
  return r;
}

typedef struct
{
  CsEngine *engine;
  double *query;
  gssize exclude;
  guint k;
  guint serial;
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *qd = data;

  cs_engine_unref (qd->engine);
  g_free (qd->query);
  g_free (qd);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *qd = task_data;
  CsQueryResult *r = cs_engine_query (qd->engine, qd->query, qd->exclude, qd->k, cancellable);

  r->serial = qd->serial;
  if (g_cancellable_is_cancelled (cancellable))
    {
      cs_query_result_free (r);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }
  g_task_return_pointer (task, r, (GDestroyNotify) cs_query_result_free);
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
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QueryData *qd = g_new0 (QueryData, 1);

  qd->engine = cs_engine_ref (self);
  qd->query = g_memdup2 (query, sizeof (double) * self->cases->d);
  qd->exclude = exclude;
  qd->k = k;
  qd->serial = serial;
  g_task_set_task_data (task, qd, query_data_free);
  g_task_set_source_tag (task, cs_engine_query_async);
  g_task_run_in_thread (task, query_thread);
}

CsQueryResult *
cs_engine_query_finish (GAsyncResult *result,
                        GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
cs_similarity_words (double distance,
                     double radius90)
{
  double r = radius90 > 0 && isfinite (radius90) ? distance / radius90 : distance;

  if (r < 0.25)
    return "very similar";
  if (r < 0.6)
    return "similar";
  if (r < 1.0)
    return "somewhat similar";
  return "different";
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
  GString *s = g_string_new ("looks at cases within ");

  for (gsize j = 0; j < cases->d; j++)
    {
      g_autofree char *v = cs_format_short (half_width[j]);
      const char *unit = cases->feature_units[j];
      gboolean has_unit = unit != NULL && *unit != '\0';

      if (j > 0)
        g_string_append (s, ", ");
      if (!isfinite (half_width[j]))
        g_string_append_printf (s, "any %s", cases->feature_names[j]);
      else if (has_unit)
        g_string_append_printf (s, "±%s %s", v, unit);
      else
        g_string_append_printf (s, "±%s in %s", v, cases->feature_names[j]);
    }
  return g_string_free (s, FALSE);
}
