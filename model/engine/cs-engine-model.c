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
#include "cs-samples.h"

/* The column count is read from this much of the file: the importer settles the dialect on the same 64 KiB. */
#define HEAD_BYTES (64 * 1024)

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

  mf->source_sha256 = g_strdup (sha256);
  mf->source_rows = cb->n;
  mf->source_columns = columns;
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
