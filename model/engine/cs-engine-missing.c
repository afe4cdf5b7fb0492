/* cs-engine-missing.c: a query with features left empty, answered from the other features.
 *
 * A sensor that reports nothing must not stop the operator: the query is answered by the engine over the
 * other features, built once per set of missing features and kept with the engine. That engine is refitted
 * by leave-one-out on those features (same metric kind, starting from the full metric restricted to them),
 * not the full metric with the feature's weight zeroed: with one feature fewer, the fitted window is wider
 * where that feature used to separate cases, and only a refit finds it (a model file's metric, which is not
 * refitted, is restricted instead). Its leave-one-out error over the same loss cases (the same policy rows,
 * n is the same) against the full engine's is the growth the missing_feature flag reports, measured once
 * per set per engine, for the very predictions the flag accompanies.
 */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-engine-private.h"

gsize
cs_engine_missing_count (CsEngine     *self,
                         const double *x)
{
  gsize d = self->cases->d, missing = 0;

  for (gsize j = 0; j < d; j++)
    {
      if (isnan (x[j]))
        missing++;
      else if (!isfinite (x[j]))
        return 0;   /* infinite: refused as before */
    }
  return missing < d ? missing : 0;
}

/* The case base over the kept features (same rows, lines and labels). */
static CsCaseBase *
keep_features (const CsCaseBase *cases,
               const gboolean   *missing,
               gsize             dk)
{
  CsCaseBase *out = cs_case_base_new (cases->n, dk);
  gsize n = cases->n, d = cases->d;

  for (gsize j = 0, c = 0; j < d; j++)
    if (!missing[j])
      cs_case_base_set_feature (out, c++, cases->feature_names[j], cases->feature_units[j]);
  cs_case_base_set_target (out, cases->target_name, cases->target_unit);
  out->source = g_strdup (cases->source);
  out->source_path = g_strdup (cases->source_path);
  out->sha256 = g_strdup (cases->sha256);
  out->id_name = g_strdup (cases->id_name);
  if (cases->ids != NULL)
    out->ids = g_new0 (char *, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0, c = 0; j < d; j++)
        if (!missing[j])
          out->x[i * dk + c++] = cases->x[i * d + j];
      out->y[i] = cases->y[i];
      out->line[i] = cases->line[i];
      if (cases->ids != NULL)
        out->ids[i] = g_strdup (cases->ids[i]);
    }
  cs_case_base_copy_categories (out, cases, NULL);
  cs_case_base_compute_stats (out);
  return out;
}

/* The full metric restricted to the kept features (M with the missing rows and columns removed). */
static CsStatus
restrict_metric (const CsMetric *m,
                 const gboolean *missing,
                 gsize           dk,
                 CsMetric       *out)
{
  gsize d = m->d;

  if (m->kind == CS_METRIC_SCALAR)
    return cs_metric_init_scalar (out, dk, m->scale);
  if (m->kind == CS_METRIC_DIAGONAL)
    {
      g_autofree double *diag = g_new (double, MAX (dk, 1));
      for (gsize j = 0, c = 0; j < d; j++)
        if (!missing[j])
          diag[c++] = m->diag[j];
      return cs_metric_init_diagonal (out, dk, diag);
    }
  {
    g_autofree double *A = g_new (double, MAX (m->rank * dk, 1));
    for (gsize r = 0; r < m->rank; r++)
      for (gsize j = 0, c = 0; j < d; j++)
        if (!missing[j])
          A[r * dk + c++] = m->A[r * d + j];
    return cs_metric_init_full (out, dk, m->rank, A);
  }
}

static CsEngine *
engine_without (CsEngine      *self,
                const gboolean *missing,
                GCancellable  *cancellable,
                GError       **error)
{
  gsize d = self->cases->d, dk = 0;
  g_autofree char *key = g_new0 (char, d + 1);
  g_autoptr(CsCaseBase) sub = NULL;
  g_autofree double *mean = NULL, *sd = NULL;
  CsMetric start = { 0 };
  CsEngineOptions o;
  CsEngine *e;

  for (gsize j = 0; j < d; j++)
    {
      key[j] = missing[j] ? '1' : '0';
      dk += !missing[j];
    }
  g_mutex_lock (&self->without_lock);
  e = self->without != NULL ? g_hash_table_lookup (self->without, key) : NULL;
  if (e != NULL)
    cs_engine_ref (e);
  g_mutex_unlock (&self->without_lock);
  if (e != NULL)
    return e;

  /* Built outside the lock (a fit takes a while); two threads asking at once build twice, the first kept. */
  sub = keep_features (self->cases, missing, dk);
  mean = g_new (double, dk);
  sd = g_new (double, dk);
  for (gsize j = 0, c = 0; j < d; j++)
    if (!missing[j])
      {
        mean[c] = self->mean[j];   /* the engine's own standardisation (a model file's included) */
        sd[c++] = self->sd[j];
      }
  if (restrict_metric (&self->metric, missing, dk, &start) != CS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the metric over the other features could not be made");
      return NULL;
    }
  cs_engine_options_init (&o);
  o.fit = !self->fitted ? CS_ENGINE_FIT_NONE
          : self->metric.kind == CS_METRIC_SCALAR ? CS_ENGINE_FIT_SCALAR
          : self->metric.kind == CS_METRIC_DIAGONAL ? CS_ENGINE_FIT_DIAGONAL : CS_ENGINE_FIT_FULL;
  o.rank = self->metric.kind == CS_METRIC_FULL ? MIN (self->metric.rank, dk) : 0;
  o.loss_cases = self->policy.loss_cases;
  o.metric = &start;
  o.metric_label = self->fitted ? NULL : "restricted to the features given";
  o.mean = mean;
  o.sd = sd;
  o.preferred_window = FALSE;
  o.epsilon = self->epsilon;
  e = cs_engine_build_full (sub, &o, NULL, NULL, cancellable, error);
  cs_metric_clear (&start);
  if (e == NULL)
    return NULL;

  g_mutex_lock (&self->without_lock);
  if (self->without == NULL)
    self->without = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cs_engine_unref);
  {
    CsEngine *other = g_hash_table_lookup (self->without, key);
    if (other != NULL)
      {
        cs_engine_unref (e);
        e = other;
      }
    else
      g_hash_table_insert (self->without, g_strdup (key), e);
    cs_engine_ref (e);
  }
  g_mutex_unlock (&self->without_lock);
  return e;
}

void
cs_engine_missing_query (CsEngine      *self,
                         const double  *x,
                         gssize         exclude,
                         guint          k,
                         gboolean       with_weights,
                         GCancellable  *cancellable,
                         CsQueryResult *r)
{
  gsize d = self->cases->d, n = self->cases->n, dk = 0;
  g_autofree gboolean *missing = g_new0 (gboolean, d);
  g_autofree int *to_full = g_new (int, d);
  g_autofree double *xs = g_new (double, d);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) sub = NULL;
  g_autoptr(CsQueryResult) sr = NULL;
  double rmse_with = sqrt (self->fit.loo_mse);

  for (gsize j = 0; j < d; j++)
    {
      missing[j] = isnan (x[j]);
      if (!missing[j])
        {
          to_full[dk] = (int) j;
          xs[dk++] = x[j];
        }
    }
  if (!self->have_diagnostics)
    {
      cs_flags_fail (&r->report, CS_FLAG_FAIL_NO_MODEL, "the case base has too few cases to diagnose");
      return;
    }
  sub = engine_without (self, missing, cancellable, &error);
  if (sub == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("no model over the features given: %s", error->message);
      cs_flags_fail (&r->report, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? CS_FLAG_FAIL_ENGINE
                     : CS_FLAG_FAIL_QUERY_NAN, detail);
      return;
    }
  /* r->spec: the caller's interval level and spec limits */
  if (with_weights)
    sr = cs_engine_query_levels (sub, xs, r->levels, exclude, k, &r->spec, cancellable);
  else
    {
      /* the same categories and codes as this engine's (keep_features copies them) */
      CsQueryResult **one = cs_engine_predict_levels (sub, xs, r->levels, 1, &exclude, k, &r->spec, cancellable,
                                                      NULL);
      if (one != NULL)
        {
          sr = one[0];
          g_free (one);
        }
    }
  if (sr == NULL)
    {
      cs_flags_fail (&r->report, CS_FLAG_FAIL_ENGINE, "the prediction over the features given failed");
      return;
    }

  /* Back in the full engine's terms: the same cases (indices, weights, top), NaN where a feature is missing. */
  r->valid = sr->valid;
  r->prediction = sr->prediction;
  r->local = sr->local;
  if (r->weights != NULL && sr->weights != NULL)
    memcpy (r->weights, sr->weights, n * sizeof (double));
  for (gsize j = 0; j < d; j++)
    r->half_width[j] = NAN;
  for (gsize c = 0; c < dk; c++)
    r->half_width[to_full[c]] = sr->half_width[c];
  r->k = MIN (sr->k, k);
  memcpy (r->top, sr->top, r->k * sizeof (CsUsedCase));
  r->top_weight = sr->top_weight;
  r->top_sum = sr->top_sum;
  r->rest_weight = sr->rest_weight;
  r->rest_sum = sr->rest_sum;
  r->exact_sum = sr->exact_sum;
  r->weight_dropped = sr->weight_dropped;
  r->interval = sr->interval;
  r->p_in_spec = sr->p_in_spec;
  r->n_kept = sr->n_kept;
  r->report = sr->report;
  for (gsize f = 0; f < r->report.n_flags; f++)
    if (r->report.flags[f].feature >= 0 && (gsize) r->report.flags[f].feature < dk)
      r->report.flags[f].feature = to_full[r->report.flags[f].feature];
  if (r->report.failure != CS_FLAG_FAIL_NONE)
    return;
  for (gsize j = 0; j < d; j++)
    if (missing[j])
      {
        /* One flag per missing feature; with several, each names the others too, since the error is that of
         * the model without all of them. */
        GString *name = g_string_new (self->cases->feature_names[j]);
        gboolean first = TRUE;

        for (gsize o = 0; o < d; o++)
          if (missing[o] && o != j)
            {
              g_string_append_printf (name, "%s%s", first ? " (as does " : ", ", self->cases->feature_names[o]);
              first = FALSE;
            }
        if (!first)
          g_string_append_c (name, ')');
        cs_flags_add_missing (&r->report, (int) j, name->str, sqrt (sub->fit.loo_mse), rmse_with,
                              self->cases->target_unit);
        g_string_free (name, TRUE);
      }
}

double
cs_engine_loo_rmse_without (CsEngine     *self,
                            gsize         j,
                            GCancellable *cancellable,
                            GError      **error)
{
  gsize d = self->cases->d;
  g_autofree gboolean *missing = g_new0 (gboolean, d);
  g_autoptr(CsEngine) sub = NULL;

  g_return_val_if_fail (j < d, NAN);
  if (d < 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a model of one feature cannot do without it");
      return NAN;
    }
  missing[j] = TRUE;
  sub = engine_without (self, missing, cancellable, error);
  return sub != NULL ? sqrt (sub->fit.loo_mse) : NAN;
}

gboolean
cs_engine_loo_rmse_without_known (CsEngine *self,
                                  gsize     j,
                                  double   *out)
{
  gsize d = self->cases->d;
  g_autofree char *key = g_new0 (char, d + 1);
  CsEngine *e;

  for (gsize c = 0; c < d; c++)
    key[c] = c == j ? '1' : '0';
  g_mutex_lock (&self->without_lock);
  e = self->without != NULL ? g_hash_table_lookup (self->without, key) : NULL;
  if (e != NULL)
    *out = sqrt (e->fit.loo_mse);
  g_mutex_unlock (&self->without_lock);
  return e != NULL;
}
