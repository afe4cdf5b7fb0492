/* cs-engine-model.c: engine snapshot <-> model file, and the record of the case base a model was fitted on. */
#define G_LOG_DOMAIN "cs-engine-model"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-atomic-file.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-engine-model.h"
#include "cs-engine-private.h"
#include "cs-samples.h"

/* The column count is read from this much of the file: the importer settles the dialect on the same 64 KiB. */
#define HEAD_BYTES (64 * 1024)

/* What a fit measured, by name, so the model file keeps a struct's fields as named numbers: a field added to
 * one of these structs is one line here, and a file without it gets it measured again. */
typedef struct
{
  const char *name;
  gsize offset;
} Field;

#define FIELD(type, f) { #f, G_STRUCT_OFFSET (type, f) }

/* CsFlagBase's measured numbers (its other fields are the case base's names, ranges and sd). */
static const Field flag_base_fields[] = {
  FIELD (CsFlagBase, noise_sd),
  FIELD (CsFlagBase, lipschitz),
  FIELD (CsFlagBase, nn_distance),
  FIELD (CsFlagBase, nn_distance_high),
  FIELD (CsFlagBase, window),
  FIELD (CsFlagBase, usual_noise),
  FIELD (CsFlagBase, metric_nn_distance),
  FIELD (CsFlagBase, metric_nn_distance_high),
};

static const Field global_fields[] = {
  FIELD (CsGlobalDiagnostics, noise_sd),
  FIELD (CsGlobalDiagnostics, lipschitz),
  FIELD (CsGlobalDiagnostics, lipschitz_quantile),
  FIELD (CsGlobalDiagnostics, theory_radius),
  FIELD (CsGlobalDiagnostics, window_radius),
};

/* Per-case columns of the sample (the sidecar), besides "row", "nn", "nn_distance" and "window_ratio". */
static const Field local_fields[] = {
  FIELD (CsLocalDiagnostics, local_lipschitz),
  FIELD (CsLocalDiagnostics, local_noise_sd),
  FIELD (CsLocalDiagnostics, n_eff),
  FIELD (CsLocalDiagnostics, prediction),
  FIELD (CsLocalDiagnostics, local_sd),
  FIELD (CsLocalDiagnostics, local_variation),
  FIELD (CsLocalDiagnostics, metric_distance),
  FIELD (CsLocalDiagnostics, pseudo_residual),
  FIELD (CsLocalDiagnostics, df_resid),
};

/* Its whole-number fields, as doubles in the sidecar (exact below 2^53; CS_NO_CASE as -1). */
static const Field local_count_fields[] = {
  FIELD (CsLocalDiagnostics, metric_nearest),
  FIELD (CsLocalDiagnostics, n_directions),
  FIELD (CsLocalDiagnostics, n_attended),
};
#define COUNT_AT(base, field) ((size_t *) ((char *) (base) + (field)->offset))

#define FIELD_AT(base, field) ((double *) ((char *) (base) + (field)->offset))

/* The loss cases' leave-one-out residuals and local spreads (the prediction intervals' material) go into the
 * sidecar as columns "loo_residual.0", "loo_residual.1", ... and "loo_scale.0", ... of the per-case sample's count each, in the loss cases' order
 * (cs_sample_gather's rows for loss_cases of n), the last one padded with NaN: the sidecar has one count for
 * all its columns, and there are up to CS_ENGINE_EXACT_MAX loss cases against at most CS_ENGINE_PER_CASE_MAX
 * sample cases. */
static void
store_residuals (CsEngine     *engine,
                 CsModelFile  *mf,
                 gsize         m,
                 const char   *prefix,
                 const double *values)
{
  gsize n = engine->cases->n, loss = engine->policy.loss_cases;
  g_autofree size_t *rows = NULL;
  g_autofree double *v = NULL;

  if (values == NULL || m == 0 || loss == 0)
    return;
  rows = g_new (size_t, loss);
  v = g_new (double, m);
  cs_sample_gather (NULL, n, 0, loss, rows, NULL);
  for (gsize c = 0; c * m < loss; c++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%" G_GSIZE_FORMAT, prefix, c);

      for (gsize i = 0; i < m; i++)
        v[i] = c * m + i < loss ? values[rows[c * m + i]] : NAN;
      cs_model_file_set_column (mf, name, v, m);
    }
}

/* n residuals (NaN outside the loss cases) from mf's columns, or NULL when any is missing. */
static double *
take_residuals (const CsModelFile *mf,
                gsize              n,
                gsize              loss,
                gsize              m,
                const char        *prefix)
{
  g_autofree size_t *rows = NULL;
  g_autofree double *r = NULL;

  if (m == 0 || loss == 0 || loss > n)
    return NULL;
  rows = g_new (size_t, loss);
  r = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    r[i] = NAN;
  cs_sample_gather (NULL, n, 0, loss, rows, NULL);
  for (gsize c = 0; c * m < loss; c++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%" G_GSIZE_FORMAT, prefix, c);
      const double *v = cs_model_file_get_column (mf, name);

      if (v == NULL)
        return NULL;
      for (gsize i = 0; i < m && c * m + i < loss; i++)
        r[rows[c * m + i]] = v[i];
    }
  return g_steal_pointer (&r);
}

/* Case indices go through the sidecar as doubles: exact below 2^53. */
static double
index_to_double (gsize i)
{
  return (double) i;
}

static gboolean
double_to_index (double  v,
                 gsize   limit,
                 gsize  *out)
{
  if (!(v >= 0 && v <= (double) limit) || v != floor (v))
    return FALSE;
  *out = (gsize) v;
  return TRUE;
}

/* SHA-256 of the case base's numbers as the importer summarised them (n, d, and each feature's mean, sd, minimum
 * and maximum, and the sum and sum of squares of the outcome, as little-endian doubles): O(n), where hashing
 * the file of a million cases takes about as long as loading it. Any change of a case changes a sum, a mean or
 * a range but by a coincidence no edit produces; a sum that differs in its last bit (another summation order)
 * only costs a measurement. */
static char *
base_fingerprint (const CsCaseBase *cb)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  double sy = 0, syy = 0;
  const double *arrays[] = { cb->mean, cb->sd, cb->min, cb->max };

  for (gsize i = 0; i < cb->n; i++)
    {
      sy += cb->y[i];
      syy += cb->y[i] * cb->y[i];
    }
  {
    double head[] = { (double) cb->n, (double) cb->d, sy, syy };
    for (gsize k = 0; k < G_N_ELEMENTS (head); k++)
      {
        guint64 bits;
        memcpy (&bits, &head[k], 8);
        bits = GUINT64_TO_LE (bits);
        g_checksum_update (sum, (const guchar *) &bits, 8);
      }
  }
  for (gsize a = 0; a < G_N_ELEMENTS (arrays); a++)
    for (gsize j = 0; j < cb->d; j++)
      {
        guint64 bits;
        memcpy (&bits, &arrays[a][j], 8);
        bits = GUINT64_TO_LE (bits);
        g_checksum_update (sum, (const guchar *) &bits, 8);
      }
  return g_strdup (g_checksum_get_string (sum));
}

/* The measured numbers of engine into mf (sections "baselines", "diagnostics", "engine") and its per-case
 * sample into mf's columns. */
static void
store_measures (CsEngine    *engine,
                CsModelFile *mf)
{
  gsize m = engine->n_sample;

  if (!engine->have_diagnostics)
    return;
  mf->base_fingerprint = base_fingerprint (engine->cases);
  for (gsize k = 0; k < G_N_ELEMENTS (flag_base_fields); k++)
    cs_model_file_set_number (mf, "baselines", flag_base_fields[k].name,
                              *FIELD_AT (&engine->flag_base, &flag_base_fields[k]));
  for (gsize k = 0; k < G_N_ELEMENTS (global_fields); k++)
    cs_model_file_set_number (mf, "diagnostics", global_fields[k].name,
                              *FIELD_AT (&engine->global, &global_fields[k]));
  cs_model_file_set_number (mf, "engine", "radius90_median", engine->radius90_median);
  cs_model_file_set_number (mf, "engine", "loss_cases", (double) engine->policy.loss_cases);
  cs_model_file_set_number (mf, "engine", "case_cases", (double) m);
  /* The leave-one-out RMSE without each feature measured so far (a query without it was answered). */
  for (gsize j = 0; j < engine->cases->d; j++)
    {
      double v;
      if (cs_engine_loo_rmse_without_known (engine, j, &v))
        cs_model_file_set_number (mf, "loo_rmse_without", engine->cases->feature_names[j], v);
    }
  if (m == 0)
    return;
  {
    g_autofree double *v = g_new (double, m);

    for (gsize i = 0; i < m; i++)
      v[i] = index_to_double (engine->sample_rows[i]);
    cs_model_file_set_column (mf, "row", v, m);
    for (gsize k = 0; k < G_N_ELEMENTS (local_fields); k++)
      {
        for (gsize i = 0; i < m; i++)
          v[i] = *FIELD_AT (&engine->sample_local[i], &local_fields[k]);
        cs_model_file_set_column (mf, local_fields[k].name, v, m);
      }
    for (gsize k = 0; k < G_N_ELEMENTS (local_count_fields); k++)
      {
        for (gsize i = 0; i < m; i++)
          {
            size_t c = *COUNT_AT (&engine->sample_local[i], &local_count_fields[k]);
            v[i] = c == CS_NO_CASE ? -1 : index_to_double (c);
          }
        cs_model_file_set_column (mf, local_count_fields[k].name, v, m);
      }
    for (gsize i = 0; i < m; i++)
      v[i] = (double) engine->sample_local[i].thin;
    cs_model_file_set_column (mf, "thin", v, m);
    for (gsize i = 0; i < m; i++)
      v[i] = index_to_double (engine->sample_nn[i]);
    cs_model_file_set_column (mf, "nn", v, m);
    cs_model_file_set_column (mf, "nn_distance", engine->sample_nn_distance, m);
    if (engine->window_ratio != NULL)
      {
        /* with the rule that made it: a model file of another rule has its ratios measured again on open */
        cs_model_file_set_column (mf, "window_ratio", engine->window_ratio, m);
        cs_model_file_set_number (mf, "engine", "window_ratio_rule", CS_ENGINE_WINDOW_PREF_RULE);
        cs_model_file_set_number (mf, "engine", "window_ratio_gamma", CS_ENGINE_WINDOW_PREF_GAMMA);
      }
  }
  store_residuals (engine, mf, m, "loo_residual", engine->loo_residual);
  store_residuals (engine, mf, m, "loo_scale", engine->loo_scale);
  /* The intervals' residual scales (cs_engine_interval_prepare) are a function of the residuals, the metric, the
   * standardised cases and, up to CS_ENGINE_EXACT_MAX cases, the truncation epsilon: stored with that epsilon,
   * an engine opened from the model takes them instead of a leave-one-out pass over the base at every open
   * (1.9 s of a 2 s predict --model at 20,000 x 20). */
  if (engine->loo_abs_scale != NULL && m > 0)
    {
      store_residuals (engine, mf, m, "loo_abs_scale", engine->loo_abs_scale);
      cs_model_file_set_number (mf, "engine", "abs_scale_epsilon", engine->epsilon);
    }
}

gboolean
cs_engine_take_model_measures (CsEngine          *self,
                               const CsModelFile *mf,
                               char             **why)
{
  const CsCaseBase *cb = self->cases;
  gsize n = cb->n, d = cb->d, m;
  CsFlagBase fb = self->flag_base;
  CsGlobalDiagnostics global = { 0 };
  const double *row, *nn, *nn_distance, *ratio;
  const double *local[G_N_ELEMENTS (local_fields)];
  const double *counts[G_N_ELEMENTS (local_count_fields)], *thin;
  double radius90, loss_cases, case_cases, abs_epsilon, ratio_rule, ratio_gamma;
  g_autofree size_t *rows = NULL, *nns = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree double *residuals = NULL, *scales = NULL;

  *why = NULL;
  if (mf->version < 3)
    {
      *why = g_strdup_printf ("a version %d model file stores no measurements", mf->version);
      return FALSE;
    }
  /* Numbers measured on another case base would be wrong here, not merely old: the same rows of the same
   * bytes, or measure again. */
  fingerprint = base_fingerprint (cb);
  if ((mf->source_sha256 != NULL && cb->sha256 != NULL && g_ascii_strcasecmp (mf->source_sha256, cb->sha256) != 0)
      || mf->base_fingerprint == NULL || strcmp (mf->base_fingerprint, fingerprint) != 0
      || mf->source_rows != n || mf->d != d || self->fitted)
    {
      *why = g_strdup ("the model was fitted on another case base (or it cannot be told)");
      return FALSE;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (flag_base_fields); k++)
    if (!cs_model_file_lookup_number (mf, "baselines", flag_base_fields[k].name,
                                      FIELD_AT (&fb, &flag_base_fields[k])))
      {
        *why = g_strdup_printf ("the model file has no baseline \"%s\"", flag_base_fields[k].name);
        return FALSE;
      }
  for (gsize k = 0; k < G_N_ELEMENTS (global_fields); k++)
    if (!cs_model_file_lookup_number (mf, "diagnostics", global_fields[k].name,
                                      FIELD_AT (&global, &global_fields[k])))
      {
        *why = g_strdup_printf ("the model file has no diagnostic \"%s\"", global_fields[k].name);
        return FALSE;
      }
  /* The loss cases may be the fit's own choice (fit --queries): the radius and the error are what the fit
   * measured on them, and the policy then reports that number. The per-case sample follows from n and d. */
  if (!cs_model_file_lookup_number (mf, "engine", "radius90_median", &radius90)
      || !cs_model_file_lookup_number (mf, "engine", "loss_cases", &loss_cases)
      || !cs_model_file_lookup_number (mf, "engine", "case_cases", &case_cases)
      || !(loss_cases >= 1 && loss_cases <= (double) n) || loss_cases != floor (loss_cases)
      || case_cases != (double) self->policy.case_cases)
    {
      *why = g_strdup ("the model file's window measurements are missing or of another sampling policy");
      return FALSE;
    }
  m = self->policy.case_cases;
  row = cs_model_file_get_column (mf, "row");
  nn = cs_model_file_get_column (mf, "nn");
  nn_distance = cs_model_file_get_column (mf, "nn_distance");
  ratio = cs_model_file_get_column (mf, "window_ratio");
  for (gsize k = 0; k < G_N_ELEMENTS (local_fields); k++)
    local[k] = cs_model_file_get_column (mf, local_fields[k].name);
  for (gsize k = 0; k < G_N_ELEMENTS (local_count_fields); k++)
    counts[k] = cs_model_file_get_column (mf, local_count_fields[k].name);
  thin = cs_model_file_get_column (mf, "thin");
  if (mf->column_count != m || row == NULL || nn == NULL || nn_distance == NULL)
    {
      *why = g_strdup ("the model file has no per-case sample of this case base");
      return FALSE;
    }
  rows = g_new (size_t, MAX (m, 1));
  nns = g_new (size_t, MAX (m, 1));
  for (gsize i = 0; i < m; i++)
    {
      gsize r, q;
      if (!double_to_index (row[i], n - 1, &r) || (i > 0 && r <= rows[i - 1]) || !double_to_index (nn[i], n, &q))
        {
          *why = g_strdup ("the model file's per-case sample names cases this case base does not have");
          return FALSE;
        }
      rows[i] = r;
      nns[i] = q;
    }
  for (gsize k = 0; k < G_N_ELEMENTS (local_fields); k++)
    if (local[k] == NULL)
      {
        *why = g_strdup_printf ("the model file's per-case sample has no \"%s\"", local_fields[k].name);
        return FALSE;
      }
  for (gsize k = 0; k < G_N_ELEMENTS (local_count_fields); k++)
    {
      if (counts[k] == NULL)
        {
          *why = g_strdup_printf ("the model file's per-case sample has no \"%s\"", local_count_fields[k].name);
          return FALSE;
        }
      for (gsize i = 0; i < m; i++)
        {
          gsize c;
          if (counts[k][i] != -1 && !double_to_index (counts[k][i], n, &c))
            {
              *why = g_strdup_printf ("the model file's per-case \"%s\" is out of range", local_count_fields[k].name);
              return FALSE;
            }
        }
    }
  if (thin == NULL)
    {
      *why = g_strdup ("the model file's per-case sample has no \"thin\"");
      return FALSE;
    }
  for (gsize i = 0; i < m; i++)
    if (!(thin[i] >= 0 && thin[i] <= CS_LOCAL_THIN_DF) || thin[i] != floor (thin[i]))
      {
        *why = g_strdup ("the model file's per-case \"thin\" is out of range");
        return FALSE;
      }

  residuals = take_residuals (mf, n, (gsize) loss_cases, m, "loo_residual");
  scales = take_residuals (mf, n, (gsize) loss_cases, m, "loo_scale");
  if (residuals == NULL || scales == NULL)
    {
      *why = g_strdup ("the model file has no leave-one-out residuals (the prediction intervals need them)");
      return FALSE;
    }

  /* Everything is there: take it. */
  self->flag_base = fb;
  self->global = global;
  self->noise_sd = global.noise_sd;
  self->radius90_median = radius90;
  self->fit.loo_mse = mf->loo_mse;
  self->policy.loss_cases = (gsize) loss_cases;
  self->fit.n_queries = self->policy.loss_cases;
  if (!isnan (mf->loo_mse_linear))
    self->loo_mse_linear = mf->loo_mse_linear;
  self->n_sample = m;
  self->sample_rows = g_steal_pointer (&rows);
  self->sample_nn = g_steal_pointer (&nns);
  self->sample_nn_distance = g_memdup2 (nn_distance, MAX (m, 1) * sizeof (double));
  self->sample_local = g_new0 (CsLocalDiagnostics, MAX (m, 1));
  for (gsize i = 0; i < m; i++)
    for (gsize k = 0; k < G_N_ELEMENTS (local_fields); k++)
      *FIELD_AT (&self->sample_local[i], &local_fields[k]) = local[k][i];
  for (gsize i = 0; i < m; i++)
    {
      for (gsize k = 0; k < G_N_ELEMENTS (local_count_fields); k++)
        *COUNT_AT (&self->sample_local[i], &local_count_fields[k])
          = counts[k][i] == -1 ? CS_NO_CASE : (size_t) counts[k][i];
      self->sample_local[i].thin = (CsLocalThin) thin[i];
    }
  /* The stored ratios only when made by the rule the engine measures with (CS_ENGINE_WINDOW_PREF_RULE and
   * _GAMMA); files saved before the rule was stored hold the older smoothed-minimum ratios. */
  if (ratio != NULL && cs_model_file_lookup_number (mf, "engine", "window_ratio_rule", &ratio_rule)
      && ratio_rule == CS_ENGINE_WINDOW_PREF_RULE
      && cs_model_file_lookup_number (mf, "engine", "window_ratio_gamma", &ratio_gamma)
      && ratio_gamma == CS_ENGINE_WINDOW_PREF_GAMMA)
    self->window_ratio = g_memdup2 (ratio, MAX (m, 1) * sizeof (double));
  g_free (self->loo_residual);
  self->loo_residual = g_steal_pointer (&residuals);
  g_free (self->loo_scale);
  self->loo_scale = g_steal_pointer (&scales);
  /* The residual scales, when the fit stored them for this very epsilon and the engine scales by them (else
   * NULL: cs_engine_interval_prepare measures them, as for a model file from before they were stored). */
  g_clear_pointer (&self->loo_abs_scale, g_free);
  if (self->interval_scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL
      && cs_model_file_lookup_number (mf, "engine", "abs_scale_epsilon", &abs_epsilon)
      && abs_epsilon == self->epsilon)
    self->loo_abs_scale = take_residuals (mf, n, (gsize) loss_cases, m, "loo_abs_scale");
  return TRUE;
}

CsModelFile *
cs_engine_to_model_file (CsEngine   *engine,
                         const char *source_name,
                         const char *sha256,
                         gsize       columns)
{
  const CsCaseBase *cb = engine->cases;
  const CsMetric *m = &engine->metric;
  gsize d = cb->d;
  CsModelFile *mf = cs_model_file_new (d);

  /* The same fields, from the same kind of numbers, as casescope-cli fit --save. */
  mf->source = g_strdup (source_name != NULL ? source_name : cb->source);
  mf->target = g_strdup (cb->target_name);
  for (gsize j = 0; j < d; j++)
    {
      mf->features[j] = g_strdup (cb->feature_names[j]);
      mf->mean[j] = engine->mean[j];   /* the standardisation the engine used (a model file's, or the base's) */
      mf->sd[j] = engine->sd[j];
    }
  mf->kind = (CsModelMetricKind) m->kind;
  mf->scale = m->scale;
  if (m->kind == CS_METRIC_DIAGONAL)
    mf->diag = g_memdup2 (m->diag, d * sizeof (double));
  if (m->kind == CS_METRIC_FULL)
    {
      mf->rank = m->rank;
      mf->A = g_memdup2 (m->A, m->rank * d * sizeof (double));
    }
  mf->n = cb->n;
  /* The engine scores the loss whether it fitted or was given the metric; with one case there is none. */
  mf->loo_mse = cb->n >= 2 ? engine->fit.loo_mse : NAN;
  mf->loo_mse_linear = engine->loo_mse_linear;
  mf->passes = engine->fitted ? engine->fit.passes : -1;
  mf->noise_sd = engine->have_diagnostics ? engine->global.noise_sd : NAN;

  if (cb->n_cat > 0)
    {
      mf->n_cat = cb->n_cat;
      mf->cat_names = g_strdupv (cb->cat_names);
      mf->cat_lambda = g_new (double, cb->n_cat);
      mf->cat_levels = g_new0 (char **, cb->n_cat);
      for (gsize c = 0; c < cb->n_cat; c++)
        {
          mf->cat_lambda[c] = m->n_cat == cb->n_cat ? m->cat_lambda[c] : 0.0;
          mf->cat_levels[c] = g_strdupv (cb->cat_levels[c]);
        }
    }
  mf->source_sha256 = g_strdup (sha256);
  mf->source_rows = cb->n;
  mf->source_columns = columns;
  store_measures (engine, mf);
  return mf;
}

gboolean
cs_engine_metric_from_model_file (const CsModelFile *mf,
                                  const CsCaseBase  *cases,
                                  CsMetric          *out,
                                  GError           **error)
{
  gsize d = mf->d;
  g_autofree double *r = NULL;
  gboolean same_spread = TRUE;
  CsStatus st;

  memset (out, 0, sizeof *out);
  if (!cs_model_file_check_columns (mf, cases, error))
    return FALSE;
  if (mf->dot)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "this model scores by dot product; the dashboard scores by distance");
      return FALSE;
    }
  /* A step of dx is dx / sd_model in the model's units and dx / sd_case in the engine's: the metric in the
   * engine's units is R M R with R = diag (sd_case / sd_model). Means cancel in a difference. */
  r = g_new (double, d);
  for (gsize j = 0; j < d; j++)
    {
      double sd_case = cases->sd[j] > 0 ? cases->sd[j] : 1.0;
      r[j] = sd_case / mf->sd[j];
      same_spread &= r[j] == 1.0;
    }
  if (mf->kind == CS_MODEL_METRIC_SCALAR && same_spread)
    st = cs_metric_init_scalar (out, d, mf->scale);
  else if (mf->kind == CS_MODEL_METRIC_SCALAR || mf->kind == CS_MODEL_METRIC_DIAGONAL)
    {
      g_autofree double *diag = g_new (double, d);
      for (gsize j = 0; j < d; j++)
        diag[j] = (mf->kind == CS_MODEL_METRIC_SCALAR ? mf->scale : mf->diag[j]) * r[j] * r[j];
      st = cs_metric_init_diagonal (out, d, diag);
    }
  else
    {
      g_autofree double *A = g_new (double, mf->rank * d);
      for (gsize k = 0; k < mf->rank; k++)
        for (gsize j = 0; j < d; j++)
          A[k * d + j] = mf->A[k * d + j] * r[j];
      st = cs_metric_init_full (out, d, mf->rank, A);
    }
  if (st == CS_OK)
    st = cs_engine_metric_add_model_categories (out, mf, cases);
  if (st == CS_OK)
    st = cs_metric_validate (out);
  if (st == CS_OK && out->kind == CS_METRIC_FULL)
    {
      /* Finite entries of A can still square past DBL_MAX once rescaled (the loader's check, again). */
      for (gsize j = 0; j < d && st == CS_OK; j++)
        {
          double s = 0;
          for (gsize k = 0; k < out->rank; k++)
            s += out->A[k * d + j] * out->A[k * d + j];
          if (!isfinite (s))
            st = CS_ERR_NOT_FINITE;
        }
    }
  if (st != CS_OK)
    {
      cs_metric_clear (out);
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "the model's metric does not fit this case base's spread: %s", cs_status_message (st));
      return FALSE;
    }
  return TRUE;
}

char *
cs_engine_model_label (const CsModelFile *mf,
                       const CsMetric    *metric,
                       const char        *file_name)
{
  static const char *names[] = { "scalar", "diagonal", "full" };
  g_autofree char *from = file_name != NULL ? g_strdup_printf ("from %s", file_name) : g_strdup ("from a model file");

  if ((int) metric->kind != (int) mf->kind)
    return g_strdup_printf ("%s, %s (%s there, rescaled to this case base's spread)", names[metric->kind], from,
                            names[mf->kind]);
  return g_strdup_printf ("%s, %s", names[metric->kind], from);
}

/* Columns of a CSV head (cut at its last newline when it is not the whole file); 0 when none are found. */
static gsize
count_columns (const char *data,
               gsize       len,
               gboolean    whole)
{
  g_autoptr(GBytes) head = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  CsCsvOptions options;
  CsCaseBase *cb;

  if (!whole)
    {
      while (len > 0 && data[len - 1] != '\n')
        len--;
      if (len == 0)
        return 0;
    }
  head = g_bytes_new (data, len);
  cs_csv_options_init (&options);
  options.threads = 1;
  cb = cs_csv_load_bytes (head, NULL, &options, &report, NULL, NULL);
  if (cb != NULL)
    cs_case_base_unref (cb);
  return report != NULL ? report->columns->len : 0;
}

gboolean
cs_engine_source_record (const CsCaseBase *cases,
                         gsize             known_columns,
                         char            **sha256,
                         gsize            *columns,
                         GError          **error)
{
  g_autoptr(GBytes) sample = NULL;
  g_autofree char *sha = NULL;

  *sha256 = NULL;
  *columns = known_columns;
  /* An embedded sample has no path: its bytes are in our GResource under its name. */
  if (cases->source_path == NULL && cases->source != NULL && g_str_has_suffix (cases->source, ".csv"))
    {
      g_autofree char *name = g_strndup (cases->source, strlen (cases->source) - 4);
      if (g_strv_contains (cs_samples_list (), name))
        sample = cs_samples_bytes (name, NULL);
    }

  if (cases->sha256 != NULL)
    sha = g_strdup (cases->sha256);
  else if (cases->source_path != NULL)
    {
      sha = cs_file_sha256 (cases->source_path, error);
      if (sha == NULL)
        return FALSE;
    }
  else if (sample != NULL)
    sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, sample);

  if (*columns == 0 && sample != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (sample, &len);
      *columns = count_columns (data, MIN (len, HEAD_BYTES), len <= HEAD_BYTES);
    }
  else if (*columns == 0 && cases->source_path != NULL)
    {
      g_autofree char *buf = g_malloc (HEAD_BYTES);
      FILE *f = cs_input_is_regular (cases->source_path, NULL) ? fopen (cases->source_path, "rb") : NULL;
      if (f != NULL)
        {
          gsize got = fread (buf, 1, HEAD_BYTES, f);
          gboolean whole = got < HEAD_BYTES && feof (f);
          if (!ferror (f))
            *columns = count_columns (buf, got, whole);
          fclose (f);
        }
    }
  *sha256 = g_steal_pointer (&sha);
  return TRUE;
}

CsStatus
cs_engine_metric_add_model_categories (CsMetric          *m,
                                       const CsModelFile *mf,
                                       const CsCaseBase  *cases)
{
  g_autofree double *lam = NULL;

  if (cases->n_cat == 0)
    return cs_metric_set_categories (m, 0, NULL);
  /* By name: the case base's category columns may come in another order, and one the model never saw (or a
   * model without categories) gets no penalty. Codes need no mapping: the penalty compares a case's level
   * with the query's, both from this case base. */
  lam = g_new0 (double, cases->n_cat);
  for (gsize c = 0; c < cases->n_cat; c++)
    for (gsize k = 0; k < mf->n_cat; k++)
      if (g_strcmp0 (mf->cat_names[k], cases->cat_names[c]) == 0)
        lam[c] = mf->cat_lambda[k];
  return cs_metric_set_categories (m, cases->n_cat, lam);
}

gboolean
cs_model_file_interval_residuals (const CsModelFile  *mf,
                                  gsize               n,
                                  gsize               d,
                                  double              epsilon,
                                  double            **residual,
                                  double            **spread,
                                  double            **abs_scale,
                                  gsize              *loss_cases,
                                  char              **why)
{
  CsEnginePolicy policy;
  double loss, case_cases, abs_epsilon;
  g_autofree double *r = NULL, *s = NULL, *a = NULL;

  *residual = *spread = *abs_scale = NULL;
  *why = NULL;
  cs_engine_policy (n, d, 0, &policy);
  if (mf->version < 3 || mf->source_rows != n)
    {
      *why = g_strdup_printf ("the model file holds no leave-one-out residuals of these %" G_GSIZE_FORMAT " cases", n);
      return FALSE;
    }
  /* the same checks and columns as cs_engine_take_model_measures */
  if (!cs_model_file_lookup_number (mf, "engine", "loss_cases", &loss)
      || !cs_model_file_lookup_number (mf, "engine", "case_cases", &case_cases)
      || !(loss >= 1 && loss <= (double) n) || loss != floor (loss) || case_cases != (double) policy.case_cases)
    {
      *why = g_strdup ("the model file's window measurements are missing or of another sampling policy");
      return FALSE;
    }
  r = take_residuals (mf, n, (gsize) loss, policy.case_cases, "loo_residual");
  s = take_residuals (mf, n, (gsize) loss, policy.case_cases, "loo_scale");
  if (r == NULL || s == NULL)
    {
      *why = g_strdup ("the model file has no leave-one-out residuals (the prediction intervals need them)");
      return FALSE;
    }
  /* An engine measures the residual scales again when the file has none for its epsilon: a leave-one-out pass
   * over the whole base, which the shards cannot make. */
  if (!cs_model_file_lookup_number (mf, "engine", "abs_scale_epsilon", &abs_epsilon) || abs_epsilon != epsilon
      || (a = take_residuals (mf, n, (gsize) loss, policy.case_cases, "loo_abs_scale")) == NULL)
    {
      *why = g_strdup_printf ("the model file has no residual scales for --epsilon %g (the prediction intervals "
                              "need them)", epsilon);
      return FALSE;
    }
  *residual = g_steal_pointer (&r);
  *spread = g_steal_pointer (&s);
  *abs_scale = g_steal_pointer (&a);
  *loss_cases = (gsize) loss;
  return TRUE;
}
