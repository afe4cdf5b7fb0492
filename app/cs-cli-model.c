/* cs-cli-model.c: casescope-cli fit, predict, diagnose and bench (the attention engine on a CSV case base). */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "cs-attention.h"
#include "cs-atomic-file.h"
#include "cs-cli.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"
#include "cs-kernel.h"      /* bench only: the engine's own exp kernel, to measure the machine */
#include "cs-model-file.h"
#include "cs-rng.h"

/* ---- Shared: loading, standardising, the engine context ------------------ */

/* A loaded case base with the engine context over its standardised features.
 * To stay within twice the numeric payload, the features are standardised in
 * place: base->x is taken over as z (and left NULL), the context shares z and
 * base->y, and original values are recovered row by row (loaded_raw_row). */
typedef struct
{
  CsCaseBase *base;
  double *mean;          /* d: standardisation actually used (base's, or the model file's) */
  double *sd;            /* d: sd 0 stored as 1 */
  double *z;             /* n * d standardised (was base->x) */
  CsAttention *ctx;
  double noise_sd;
} Loaded;

static void
loaded_clear (Loaded *l)
{
  cs_attention_free (l->ctx);   /* first: it shares z and base->y */
  if (l->base != NULL)
    cs_case_base_unref (l->base);
  g_free (l->mean);
  g_free (l->sd);
  g_free (l->z);
  memset (l, 0, sizeof *l);
}

/* Case i in original units (into buf, d entries). */
static const double *
loaded_raw_row (const Loaded *l,
                gsize         i,
                double       *buf)
{
  return cs_cli_raw_row (l->z, l->mean, l->sd, l->base->d, i, buf);
}

static int
engine_fail (const char *cmd,
             CsStatus    st)
{
  g_printerr ("casescope-cli %s: %s\n", cmd, cs_status_message (st));
  return st == CS_ERR_NOT_FINITE || st == CS_ERR_INVALID ? CS_EXIT_DATA : CS_EXIT_FAILURE;
}

/* Load FILE with TARGET; with --features, only those columns are features
 * (others ignored, so their missing values do not drop rows). */
static int
load_base_full (const char        *cmd,
                const char        *path,
                const char        *target,
                const char        *features,
                const CsModelFile *model,
                const char        *model_path,
                CsCaseBase       **out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  CsCsvOptions options;
  CsCaseBase *cb;

  cs_csv_options_init (&options);
  options.target = target;
  cb = cs_csv_load_path (path, &options, &report, NULL, NULL, NULL, &error);
  if (cb == NULL && model != NULL && g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN))
    {
      g_autofree char *mfeat = g_strjoinv (", ", model->features);
      g_printerr ("%s: this model was fitted for features (%s) -> %s, which %s does not have: %s\n",
                  model_path, mfeat, model->target, path, error->message);
      return CS_EXIT_DATA;
    }
  if (cb == NULL)
    return cs_cli_fail (cmd, error);
  if (features != NULL)
    {
      g_auto(GStrv) want = g_strsplit (features, ",", -1);
      guint nc = report->columns->len;
      g_autofree const char **names = g_new0 (const char *, nc + 1);
      g_autofree CsColumnRole *roles = g_new0 (CsColumnRole, nc + 1);
      g_autoptr(CsCsvReport) report2 = NULL;

      for (guint i = 0; want[i] != NULL; i++)
        {
          gboolean found = FALSE;
          g_strstrip (want[i]);
          for (guint c = 0; c < nc; c++)
            found |= g_strcmp0 (((CsCsvColumn *) report->columns->pdata[c])->name, want[i]) == 0;
          if (!found || want[i][0] == '\0')
            {
              g_autoptr(GString) have = g_string_new (NULL);
              for (guint c = 0; c < nc; c++)
                g_string_append_printf (have, "%s%s", c ? ", " : "",
                                        ((CsCsvColumn *) report->columns->pdata[c])->name);
              cs_case_base_unref (cb);
              if (model != NULL)
                {
                  g_autofree char *mfeat = g_strjoinv (", ", model->features);
                  g_printerr ("%s: this model was fitted for features (%s) -> %s; %s has no column '%s' "
                              "(columns: %s)\n", model_path, mfeat, model->target, path, want[i], have->str);
                  return CS_EXIT_DATA;
                }
              return cs_cli_usage_error (cmd, "--features: no column '%s' in %s (columns: %s)",
                                         want[i], path, have->str);
            }
        }
      for (guint c = 0; c < nc; c++)
        {
          CsCsvColumn *col = report->columns->pdata[c];
          names[c] = col->name;
          if (g_strv_contains ((const char * const *) want, col->name))
            roles[c] = CS_ROLE_FEATURE;
          else if (col->role == CS_ROLE_TARGET || col->role == CS_ROLE_LABEL)
            roles[c] = col->role;
          else
            roles[c] = CS_ROLE_IGNORED;
        }
      options.role_names = names;
      options.roles = roles;
      cs_case_base_unref (cb);
      g_clear_error (&error);
      cb = cs_csv_load_path (path, &options, &report2, NULL, NULL, NULL, &error);
      if (cb == NULL)
        return cs_cli_fail (cmd, error);
    }
  if (cb->n == 0 || cb->d == 0)
    {
      g_printerr ("%s: no usable cases with numeric features and a target\n", path);
      cs_case_base_unref (cb);
      return CS_EXIT_DATA;
    }
  *out = cb;
  return CS_EXIT_OK;
}

static int
load_base (const char *cmd,
           const char *path,
           const char *target,
           const char *features,
           CsCaseBase **out)
{
  return load_base_full (cmd, path, target, features, NULL, NULL, out);
}

/* Standardise with (mean, sd) and build the context (and the global noise). */
static int
loaded_build (const char *cmd,
              Loaded     *l,
              const double *mean,
              const double *sd)
{
  CsCaseBase *b = l->base;
  gsize n = b->n, d = b->d;
  CsStatus st;

  l->mean = g_new (double, d);
  l->sd = g_new (double, d);
  for (gsize j = 0; j < d; j++)
    {
      l->mean[j] = mean != NULL ? mean[j] : b->mean[j];
      l->sd[j] = sd != NULL ? sd[j] : (b->sd[j] > 0 ? b->sd[j] : 1.0);
    }
  l->z = g_steal_pointer (&b->x);
  cs_standardise_rows (l->z, l->z, d, l->mean, l->sd, 0, n);
  /* The noise before the context, so the two never hold their working sets at once. */
  l->noise_sd = NAN;
  if (n >= 2)
    {
      st = cs_noise_sd_nn_sample (l->z, b->y, n, d, cs_cli_sample_size (n, 0), &l->noise_sd);
      if (st != CS_OK)
        return engine_fail (cmd, st);
    }
  st = cs_attention_new_full (l->z, b->y, n, d, CS_SCORE_DISTANCE,
                              CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT, NULL, NULL, &l->ctx);
  if (st != CS_OK)
    return engine_fail (cmd, st);
  return CS_EXIT_OK;
}

static void
metric_from_model (const CsModelFile *mf,
                   CsMetric          *m)
{
  if (mf->kind == CS_MODEL_METRIC_SCALAR)
    cs_metric_init_scalar (m, mf->d, mf->scale);
  else if (mf->kind == CS_MODEL_METRIC_DIAGONAL)
    cs_metric_init_diagonal (m, mf->d, mf->diag);
  else
    cs_metric_init_full (m, mf->d, mf->rank, mf->A);
}

static const char *
metric_name (CsMetricKind k)
{
  return k == CS_METRIC_SCALAR ? "scalar" : k == CS_METRIC_DIAGONAL ? "diagonal" : "full";
}

static void
add_double (JsonBuilder *b,
            const char  *name,
            double       v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_matrix (JsonBuilder    *b,
            const CsMetric *m)
{
  gsize d = m->d;
  g_autofree double *M = g_new (double, d * d);

  cs_metric_to_matrix (m, M);
  json_builder_set_member_name (b, "M");
  json_builder_begin_array (b);
  for (gsize a = 0; a < d; a++)
    {
      json_builder_begin_array (b);
      for (gsize c = 0; c < d; c++)
        json_builder_add_double_value (b, M[a * d + c]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

/* Load base, optional model (checked against the columns), build the context
 * with the model's metric; without a model, fit the scalar metric. */
static int
load_with_model (const char  *cmd,
                 const char  *path,
                 const char  *target,
                 const char  *features,
                 const char  *model_path,
                 Loaded      *l,
                 CsModelFile **model_out)
{
  g_autoptr(CsModelFile) mf = NULL;
  CsMetric m = { 0 };
  CsStatus st;
  int rc;

  if (model_path != NULL)
    {
      g_autoptr(GError) error = NULL;
      mf = cs_model_file_load (model_path, &error);
      if (mf == NULL)
        return cs_cli_fail (cmd, error);
      if (target == NULL)
        target = mf->target;
      if (features == NULL)
        {
          g_autofree char *joined = g_strjoinv (",", mf->features);
          rc = load_base_full (cmd, path, target, joined, mf, model_path, &l->base);
        }
      else
        rc = load_base (cmd, path, target, features, &l->base);
      if (rc != CS_EXIT_OK)
        return rc;
      if (!cs_model_file_check_columns (mf, l->base, &error))
        {
          g_printerr ("%s: %s\n", model_path, error->message);
          return CS_EXIT_DATA;
        }
      rc = loaded_build (cmd, l, mf->mean, mf->sd);
      if (rc != CS_EXIT_OK)
        return rc;
      metric_from_model (mf, &m);
    }
  else
    {
      CsFitReport rep;
      rc = load_base (cmd, path, target, features, &l->base);
      if (rc != CS_EXIT_OK)
        return rc;
      rc = loaded_build (cmd, l, NULL, NULL);
      if (rc != CS_EXIT_OK)
        return rc;
      if (l->base->n >= 2)
        {
          CsFitOptions fo;
          cs_fit_options_init (&fo);
          fo.n_threads = (int) g_get_num_processors ();
          fo.max_queries = cs_cli_sample_size (l->base->n, 0);
          st = cs_attention_fit (l->ctx, &fo, &m, &rep);
          if (st != CS_OK)
            return engine_fail (cmd, st);
        }
      else
        cs_metric_init_scalar (&m, l->base->d, 1.0);
    }
  st = cs_attention_set_metric (l->ctx, &m);
  cs_metric_clear (&m);
  if (st != CS_OK)
    return engine_fail (cmd, st);
  if (model_out != NULL)
    *model_out = g_steal_pointer (&mf);
  return CS_EXIT_OK;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v,
        gsize   n)
{
  if (n == 0)
    return NAN;
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- fit ------------------------------------------------------------------ */

int
cs_cli_fit (int    argc,
            char **argv)
{
  g_autofree char *target = NULL, *features = NULL, *metric = NULL, *save = NULL;
  gint64 rank = 0, queries = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns (default: every numeric column)", "A,B,..." },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, "scalar (default), diagonal or full", "KIND" },
    { "rank", 0, 0, G_OPTION_ARG_INT64, &rank, "Rank of a full metric (default: d)", "R" },
    { "queries", 0, 0, G_OPTION_ARG_INT64, &queries,
      "Cases whose leave-one-out errors make the loss and the window (default: all up to 20000 cases, "
      "else 1000 evenly spaced; each is predicted from all the others)", "N" },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &save, "Write the model file", "MODEL.json" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - fit the attention metric by leave-one-out");
  Loaded l = { 0 };
  CsFitOptions fo;
  CsFitReport rep;
  CsLinearModel lin = { 0 };
  CsMetric m = { 0 };
  g_autofree CsPrediction *loo = NULL;
  g_autofree double *hw = NULL, *radii = NULL, *zq = NULL;
  g_autofree size_t *rows = NULL;
  double radius_med;
  gsize nr = 0, n, d, nq;
  gint64 t0;
  double seconds;
  CsStatus st;
  int rc;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "Minimises the leave-one-out error of softmax attention over the metric M on the\n"
    "standardised features (z-scores). The window half-width of feature j is\n"
    "sd_j / sqrt(M_jj) in the feature's own units.\n");
  if (!cs_cli_parse (oc, "fit", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error ("fit", "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error ("fit", "unexpected argument '%s'", argv[2]);
  if (target == NULL)
    return cs_cli_usage_error ("fit", "--target is required");
  cs_fit_options_init (&fo);
  if (metric == NULL || strcmp (metric, "scalar") == 0)
    fo.kind = CS_METRIC_SCALAR;
  else if (strcmp (metric, "diagonal") == 0)
    fo.kind = CS_METRIC_DIAGONAL;
  else if (strcmp (metric, "full") == 0)
    fo.kind = CS_METRIC_FULL;
  else
    return cs_cli_usage_error ("fit", "--metric must be scalar, diagonal or full, got '%s'", metric);
  if (rank < 0 || (rank > 0 && fo.kind != CS_METRIC_FULL))
    return cs_cli_usage_error ("fit", "--rank needs --metric full and a positive value");
  if (queries < 0 || queries == 1)
    return cs_cli_usage_error ("fit", "--queries must be at least 2, got %" G_GINT64_FORMAT, queries);
  fo.rank = (size_t) rank;
  fo.n_threads = (int) g_get_num_processors ();

  rc = load_base ("fit", argv[1], target, features, &l.base);
  if (rc == CS_EXIT_OK)
    rc = loaded_build ("fit", &l, NULL, NULL);
  if (rc != CS_EXIT_OK)
    goto out;
  n = l.base->n;
  d = l.base->d;
  if (n < 2)
    {
      g_printerr ("%s: at least 2 cases are needed to fit (found %zu)\n", argv[1], (size_t) n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  if (fo.rank > d)
    {
      rc = cs_cli_usage_error ("fit", "--rank must be at most the number of features (%zu)", (size_t) d);
      goto out;
    }
  nq = cs_cli_sample_size (n, queries);
  fo.max_queries = nq;
  t0 = g_get_monotonic_time ();
  st = cs_attention_fit (l.ctx, &fo, &m, &rep);
  seconds = (double) (g_get_monotonic_time () - t0) * 1e-6;
  if (st == CS_OK)
    st = cs_attention_set_metric (l.ctx, &m);
  if (st == CS_OK)
    st = cs_linear_fit (l.ctx, 1, &lin);
  if (st != CS_OK)
    {
      rc = engine_fail ("fit", st);
      goto out;
    }
  /* The window: median over the loss cases of the leave-one-out 90 %-mass radius
   * (the same evenly spaced cases as the fit's: case floor ((k + 1/2) n / nq)). */
  {
    CsPredictOptions po;
    loo = g_new (CsPrediction, nq);
    radii = g_new (double, nq);
    rows = g_new (size_t, nq);
    zq = g_new (double, nq * d);
    cs_sample_gather (l.z, n, d, nq, rows, zq);
    cs_predict_options_init (&po);
    po.flags = CS_PREDICT_WINDOW;
    po.self_index = rows;
    po.n_threads = cs_cli_window_threads (n);
    st = cs_attention_predict (l.ctx, zq, nq, &po, loo);
    if (st != CS_OK)
      {
        rc = engine_fail ("fit", st);
        goto out;
      }
    for (gsize i = 0; i < nq; i++)
      if (isfinite (loo[i].radius90))
        radii[nr++] = loo[i].radius90;
    radius_med = median (radii, nr);
  }
  hw = g_new (double, d);
  cs_metric_half_widths (&m, hw);

  if (save != NULL)
    {
      g_autoptr(CsModelFile) mf = cs_model_file_new (d);
      g_autoptr(GError) error = NULL;
      const char *protect[] = { argv[1], NULL };
      mf->source = g_strdup (l.base->source);
      mf->target = g_strdup (l.base->target_name);
      for (gsize j = 0; j < d; j++)
        {
          mf->features[j] = g_strdup (l.base->feature_names[j]);
          mf->mean[j] = l.mean[j];
          mf->sd[j] = l.sd[j];
        }
      mf->kind = (CsModelMetricKind) m.kind;
      mf->scale = m.scale;
      if (m.kind == CS_METRIC_DIAGONAL)
        mf->diag = g_memdup2 (m.diag, d * sizeof (double));
      if (m.kind == CS_METRIC_FULL)
        {
          mf->rank = m.rank;
          mf->A = g_memdup2 (m.A, m.rank * d * sizeof (double));
        }
      mf->n = n;
      mf->loo_mse = rep.loo_mse;
      mf->loo_mse_linear = lin.loo_mse;
      mf->passes = rep.passes;
      mf->noise_sd = l.noise_sd;
      if (!cs_model_file_save (mf, save, protect, &error))
        {
          rc = cs_cli_fail ("fit", error);
          goto out;
        }
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, (gint64) d);
      json_builder_set_member_name (b, "features");
      json_builder_begin_array (b);
      for (gsize j = 0; j < d; j++)
        json_builder_add_string_value (b, l.base->feature_names[j]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "target");
      json_builder_add_string_value (b, l.base->target_name);
      json_builder_set_member_name (b, "metric");
      json_builder_add_string_value (b, metric_name (m.kind));
      if (m.kind == CS_METRIC_SCALAR)
        add_double (b, "scale", m.scale);
      if (m.kind == CS_METRIC_FULL)
        {
          json_builder_set_member_name (b, "rank");
          json_builder_add_int_value (b, (gint64) m.rank);
        }
      add_matrix (b, &m);
      add_double (b, "loo_mse", rep.loo_mse);
      add_double (b, "loo_mse_linear", lin.loo_mse);
      add_double (b, "noise_sd", l.noise_sd);
      json_builder_set_member_name (b, "passes");
      json_builder_add_int_value (b, rep.passes);
      json_builder_set_member_name (b, "loss_cases");
      json_builder_add_int_value (b, (gint64) rep.n_queries);
      json_builder_set_member_name (b, "iterations");
      json_builder_add_int_value (b, rep.iterations);
      json_builder_set_member_name (b, "converged");
      json_builder_add_boolean_value (b, rep.converged != 0);
      add_double (b, "seconds", seconds);
      json_builder_set_member_name (b, "window");
      json_builder_begin_object (b);
      add_double (b, "radius90_median", radius_med);
      json_builder_set_member_name (b, "half_width");
      json_builder_begin_object (b);
      for (gsize j = 0; j < d; j++)
        add_double (b, l.base->feature_names[j], hw[j] * l.sd[j]);
      json_builder_end_object (b);
      json_builder_end_object (b);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("%s: %zu cases, %zu features -> %s\n", l.base->source, (size_t) n, (size_t) d, l.base->target_name);
      if (m.kind == CS_METRIC_SCALAR)
        printf ("metric: scalar, scale w = %.6g (window radius 1/sqrt(w) = %.4g standard deviations)\n",
                m.scale, 1.0 / sqrt (m.scale));
      else
        printf ("metric: %s%s\n", metric_name (m.kind), m.kind == CS_METRIC_FULL ? " (A^T A)" : "");
      printf ("leave-one-out MSE: softmax %.6g, linear attention %.6g (noise sd %.4g)\n",
              rep.loo_mse, lin.loo_mse, l.noise_sd);
      printf ("fit: %d passes, %d iterations, %.2f s%s\n", rep.passes, rep.iterations, seconds,
              rep.converged ? "" : " (not converged)");
      if (rep.n_queries < n)
        printf ("loss and window over %zu evenly spaced cases, each predicted from all %zu others\n",
                (size_t) rep.n_queries, (size_t) n - 1);
      printf ("window: median 90%% radius %.4g (standardised); half-widths:\n", radius_med);
      for (gsize j = 0; j < d; j++)
        printf ("  %-24s +-%.4g %s\n", l.base->feature_names[j], hw[j] * l.sd[j], l.base->feature_units[j]);
      if (save != NULL)
        printf ("model written to %s\n", save);
    }
  rc = CS_EXIT_OK;
out:
  cs_linear_clear (&lin);
  cs_metric_clear (&m);
  loaded_clear (&l);
  return rc;
}

/* ---- fail-safe flags (model/cs-flags.h, model/FAILSAFE.md) ---------------- */

#define THRESHOLD_HELP "Fail-safe thresholds, repeatable or comma-separated (noise_check, noise_stop, variation_check, " \
  "variation_stop, neff_check, neff_stop, distance_check, distance_stop, range_check, range_stop)"

/* The case base's side of the flags; baselines are measured by the caller. */
static void
flag_base_init (CsFlagBase   *fb,
                const Loaded *l)
{
  const CsCaseBase *base = l->base;

  memset (fb, 0, sizeof *fb);
  fb->d = base->d;
  fb->n_cases = base->n;
  fb->feature_names = (const char *const *) base->feature_names;
  fb->feature_units = (const char *const *) base->feature_units;
  fb->feature_min = base->min;
  fb->feature_max = base->max;
  fb->feature_sd = l->sd;
  fb->target_name = base->target_name;
  fb->target_unit = base->target_unit;
  fb->nn_distance_high = NAN;
}

/* Defaults for this case base, then each --threshold NAME=VALUE[,NAME=VALUE...]. */
static int
flag_thresholds_parse (const char        *cmd,
                       char             **args,
                       const CsFlagBase  *fb,
                       CsFlagThresholds  *t)
{
  cs_flag_thresholds_init_for_base (t, fb);
  for (guint a = 0; args != NULL && args[a] != NULL; a++)
    {
      g_auto(GStrv) items = g_strsplit (args[a], ",", -1);

      for (guint i = 0; items[i] != NULL; i++)
        {
          g_auto(GStrv) kv = g_strsplit (items[i], "=", 2);
          char *end = NULL;
          double v;

          if (kv[0] == NULL || kv[1] == NULL)
            return cs_cli_usage_error (cmd, "--threshold: '%s' is not NAME=VALUE", items[i]);
          g_strstrip (kv[0]);
          g_strstrip (kv[1]);
          v = g_ascii_strtod (kv[1], &end);
          if (kv[1][0] == '\0' || end == kv[1] || *end != '\0' || isnan (v))
            return cs_cli_usage_error (cmd, "--threshold: value of '%s' is not a number: '%s'", kv[0], kv[1]);
          if (cs_flag_thresholds_set (t, kv[0], v) != 0)
            return cs_cli_usage_error (cmd, "--threshold: unknown threshold '%s'", kv[0]);
        }
    }
  if (cs_flag_thresholds_validate (t) != 0)
    return cs_cli_usage_error (cmd, "--threshold: check thresholds must be positive and not beyond "
                               "their stop thresholds (n_eff: stop <= check)");
  return CS_EXIT_OK;
}

static void
add_thresholds_json (JsonBuilder            *b,
                     const CsFlagThresholds *t)
{
  json_builder_set_member_name (b, "thresholds");
  json_builder_begin_object (b);
  for (gsize i = 0; i < CS_FLAG_N_THRESHOLDS; i++)
    add_double (b, cs_flag_threshold_name (i), cs_flag_thresholds_get (t, cs_flag_threshold_name (i)));
  json_builder_end_object (b);
}

/* "verdict" and "flags" members; full flags, or kind and severity only. */
static void
add_flags_json (JsonBuilder        *b,
                const CsCaseBase   *base,
                const CsFlagReport *r,
                gboolean            full)
{
  json_builder_set_member_name (b, "verdict");
  json_builder_add_string_value (b, cs_verdict_name (r->verdict));
  json_builder_set_member_name (b, "flags");
  json_builder_begin_array (b);
  for (gsize i = 0; i < r->n_flags; i++)
    {
      const CsFlag *f = &r->flags[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, cs_flag_kind_name (f->kind));
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, cs_severity_name (f->severity));
      if (full)
        {
          add_double (b, "value", f->value);
          add_double (b, "threshold", f->threshold);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, f->message);
          json_builder_set_member_name (b, "measure");
          json_builder_add_string_value (b, f->measure);
          add_double (b, "ratio", f->ratio);
          if (f->kind == CS_FLAG_OUT_OF_RANGE && f->feature >= 0 && (gsize) f->feature < base->d)
            {
              json_builder_set_member_name (b, "feature");
              json_builder_add_string_value (b, base->feature_names[f->feature]);
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* ---- predict -------------------------------------------------------------- */

/* Parse 'name=value,...' into q (standardised by the loaded scaling). Every
 * feature exactly once; names as in the case base. */
static gboolean
parse_query (const char   *text,
             const Loaded *l,
             double       *x,
             char        **message)
{
  gsize d = l->base->d;
  g_autofree gboolean *seen = g_new0 (gboolean, d);
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq, *name, *val;
      gssize j;
      double v;

      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        continue;
      eq = strchr (parts[i], '=');
      if (eq == NULL)
        {
          *message = g_strdup_printf ("'%s' is not name=value", parts[i]);
          return FALSE;
        }
      *eq = '\0';
      name = g_strstrip (parts[i]);
      val = g_strstrip (eq + 1);
      j = cs_case_base_find_feature (l->base, name);
      if (j < 0)
        {
          g_autofree char *names = g_strjoinv (", ", l->base->feature_names);
          *message = g_strdup_printf ("unknown feature '%s' (features: %s)", name, names);
          return FALSE;
        }
      if (seen[j])
        {
          *message = g_strdup_printf ("feature '%s' given twice", name);
          return FALSE;
        }
      if (!cs_cli_parse_finite (val, &v))
        {
          *message = g_strdup_printf ("value of '%s' is not a finite number: '%s'", name, val);
          return FALSE;
        }
      seen[j] = TRUE;
      x[j] = v;
    }
  for (gsize j = 0; j < d; j++)
    if (!seen[j])
      {
        *message = g_strdup_printf ("missing feature '%s' (every feature needs a value)", l->base->feature_names[j]);
        return FALSE;
      }
  return TRUE;
}

/* Read a query CSV: a header naming (at least) every feature, one query per
 * line. Values in original units. Returns q or -1 after printing FILE:LINE:COL. */
static gssize
read_queries (const char   *path,
              const Loaded *l,
              double      **out)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) head = NULL;
  gsize d = l->base->d, q = 0, ncol, len;
  g_autofree gssize *col_of = g_new (gssize, d);
  char delim = ',';
  GArray *vals = g_array_new (FALSE, FALSE, sizeof (double));
  guint first = 0;

  if (!cs_input_is_regular (path, &error))
    {
      g_printerr ("%s\n", error->message);
      g_array_free (vals, TRUE);
      return -1;
    }
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      g_array_free (vals, TRUE);
      return -1;
    }
  if (memchr (text, '\0', len) != NULL)
    {
      g_printerr ("%s:1:1: not a text file (it contains NUL bytes)\n", path);
      g_array_free (vals, TRUE);
      return -1;
    }
  if (len >= 3 && (guchar) text[0] == 0xEF && (guchar) text[1] == 0xBB && (guchar) text[2] == 0xBF)
    memmove (text, text + 3, len - 2);
  lines = g_strsplit (text, "\n", -1);
  while (lines[first] != NULL && g_strstrip (lines[first])[0] == '\0')
    first++;
  if (lines[first] == NULL)
    {
      g_printerr ("%s:1:1: empty query file (a header naming the features is needed)\n", path);
      g_array_free (vals, TRUE);
      return -1;
    }
  if (strchr (lines[first], ';') != NULL && strchr (lines[first], ',') == NULL)
    delim = ';';
  else if (strchr (lines[first], '\t') != NULL && strchr (lines[first], ',') == NULL)
    delim = '\t';
  {
    char ds[2] = { delim, 0 };
    head = g_strsplit (lines[first], ds, -1);
  }
  ncol = g_strv_length (head);
  for (gsize c = 0; c < ncol; c++)
    {
      char *name = NULL, *unit = NULL, *h = g_strstrip (head[c]);
      gsize hl = strlen (h);
      if (hl >= 2 && h[0] == '"' && h[hl - 1] == '"')
        {
          h[hl - 1] = '\0';
          h++;
        }
      cs_split_name_unit (h, &name, &unit);
      g_free (head[c]);
      head[c] = name;
      g_free (unit);
    }
  for (gsize j = 0; j < d; j++)
    {
      col_of[j] = -1;
      for (gsize c = 0; c < ncol; c++)
        if (g_strcmp0 (head[c], l->base->feature_names[j]) == 0)
          col_of[j] = (gssize) c;
      if (col_of[j] < 0)
        {
          g_printerr ("%s:%u:1: no column '%s' in the header (the queries need every feature)\n",
                      path, first + 1, l->base->feature_names[j]);
          g_array_free (vals, TRUE);
          return -1;
        }
    }
  for (guint li = first + 1; lines[li] != NULL; li++)
    {
      g_auto(GStrv) f = NULL;
      char ds[2] = { delim, 0 };
      char *line = g_strstrip (lines[li]);
      if (line[0] == '\0')
        continue;
      f = g_strsplit (line, ds, -1);
      for (gsize j = 0; j < d; j++)
        {
          gsize c = (gsize) col_of[j];
          char *v;
          double x;
          if (c >= g_strv_length (f))
            {
              g_printerr ("%s:%u:%zu: missing value for '%s'\n", path, li + 1, c + 1, l->base->feature_names[j]);
              g_array_free (vals, TRUE);
              return -1;
            }
          v = g_strstrip (f[c]);
          if (v[0] == '"' && strlen (v) >= 2 && v[strlen (v) - 1] == '"')
            {
              v[strlen (v) - 1] = '\0';
              v++;
            }
          if (!cs_cli_parse_finite (v, &x))
            {
              g_printerr ("%s:%u:%zu: '%s' is not a finite number (feature '%s')\n", path, li + 1, c + 1, v,
                          l->base->feature_names[j]);
              g_array_free (vals, TRUE);
              return -1;
            }
          g_array_append_val (vals, x);
        }
      q++;
    }
  if (q == 0)
    {
      g_printerr ("%s:%u:1: no queries after the header\n", path, first + 1);
      g_array_free (vals, TRUE);
      return -1;
    }
  *out = (double *) g_array_free (vals, FALSE);
  return (gssize) q;
}

/* The JSON object of one prediction, with its fail-safe verdict and flags.
 * x is the query in original units. A prediction the flags refuse (verdict
 * stop for no_prediction) is null, never a number. */
static void
cs_cli_model_query_json (JsonBuilder        *b,
                         const Loaded       *l,
                         const double       *x,
                         const CsPrediction *p,
                         const CsTopCase    *top,
                         gsize               top_k,
                         const double       *half_width,
                         const CsFlagReport *report)
{
  const CsCaseBase *base = l->base;
  gsize d = base->d;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "query");
  json_builder_begin_object (b);
  for (gsize j = 0; j < d; j++)
    add_double (b, base->feature_names[j], x[j]);
  json_builder_end_object (b);
  add_double (b, "prediction", report->failure == CS_FLAG_FAIL_NONE ? p->prediction : NAN);
  add_flags_json (b, base, report, TRUE);
  add_double (b, "stderr", p->std_error);
  add_double (b, "n_eff", p->n_eff);
  add_double (b, "radius90", p->radius90);
  add_double (b, "local_sd", p->local_sd);
  add_double (b, "mean_distance", p->mean_distance);
  add_double (b, "nearest_distance", p->nearest_distance);
  add_double (b, "decomposition_error", p->decomposition_error);
  if (half_width != NULL)
    {
      json_builder_set_member_name (b, "half_width");
      json_builder_begin_object (b);
      for (gsize j = 0; j < d; j++)
        add_double (b, base->feature_names[j], half_width[j] * l->sd[j]);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "top");
  json_builder_begin_array (b);
  for (gsize t = 0; t < top_k; t++)
    {
      const CsTopCase *tc = &top[t];
      if (tc->index == CS_NO_CASE)
        break;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, base->line[tc->index]);
      json_builder_set_member_name (b, "id");
      if (base->ids != NULL)
        json_builder_add_string_value (b, base->ids[tc->index]);
      else
        json_builder_add_null_value (b);
      add_double (b, "weight", tc->weight);
      add_double (b, "y", base->y[tc->index]);
      add_double (b, "distance", tc->distance);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

int
cs_cli_predict (int    argc,
                char **argv)
{
  g_autofree char *target = NULL, *query = NULL, *queries = NULL, *model = NULL, *features = NULL;
  g_auto(GStrv) threshold_args = NULL;
  gint64 top_k = 5;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required unless --model names it)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns (default: the model's, or every numeric column)", "A,B,..." },
    { "query", 0, 0, G_OPTION_ARG_STRING, &query, "One query: every feature as name=value", "'A=1.5,B=2'" },
    { "queries", 0, 0, G_OPTION_ARG_FILENAME, &queries, "A CSV of queries (header names the features)", "QUERIES.csv" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "A model file from fit --save (default: fit the scalar metric now)", "MODEL.json" },
    { "top", 0, 0, G_OPTION_ARG_INT64, &top_k, "Number of most-attended cases to list (default 5)", "K" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING_ARRAY, &threshold_args, THRESHOLD_HELP, "NAME=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - predict the outcome of new cases from FILE");
  g_autofree CsFlagReport *reports = NULL;
  CsFlagBase fb;
  CsFlagThresholds ft;
  g_autoptr(CsModelFile) mf = NULL;
  Loaded l = { 0 };
  g_autofree double *xq = NULL, *zq = NULL, *hw = NULL;
  g_autofree CsPrediction *pred = NULL;
  g_autofree CsTopCase *top = NULL;
  CsPredictOptions po;
  gssize q = 1;
  gsize d;
  CsStatus st;
  int rc;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!cs_cli_parse (oc, "predict", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error ("predict", "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error ("predict", "unexpected argument '%s'", argv[2]);
  if ((query == NULL) == (queries == NULL))
    return cs_cli_usage_error ("predict", "give exactly one of --query or --queries");
  if (target == NULL && model == NULL)
    return cs_cli_usage_error ("predict", "--target is required");
  if (top_k < 0 || top_k > 1000)
    return cs_cli_usage_error ("predict", "--top must be between 0 and 1000");

  rc = load_with_model ("predict", argv[1], target, features, model, &l, &mf);
  if (rc != CS_EXIT_OK)
    goto out;
  d = l.base->d;
  flag_base_init (&fb, &l);
  rc = flag_thresholds_parse ("predict", threshold_args, &fb, &ft);
  if (rc != CS_EXIT_OK)
    goto out;
  if (query != NULL)
    {
      g_autofree char *msg = NULL;
      xq = g_new (double, d);
      if (!parse_query (query, &l, xq, &msg))
        {
          rc = cs_cli_usage_error ("predict", "--query: %s", msg);
          goto out;
        }
    }
  else
    {
      q = read_queries (queries, &l, &xq);
      if (q < 0)
        {
          rc = CS_EXIT_DATA;
          goto out;
        }
    }
  zq = g_new (double, (gsize) q * d);
  cs_standardise_rows (xq, zq, d, l.mean, l.sd, 0, (gsize) q);
  pred = g_new (CsPrediction, q);
  top = g_new (CsTopCase, (gsize) q * (gsize) (top_k > 0 ? top_k : 1));
  hw = g_new (double, (gsize) q * d);
  cs_predict_options_init (&po);
  po.flags = CS_PREDICT_WINDOW;
  po.noise_sd = isfinite (l.noise_sd) ? l.noise_sd : 0;
  po.top_k = (size_t) top_k;
  po.top = top;
  po.half_width = hw;
  po.n_threads = cs_cli_window_threads (l.base->n);
  st = cs_attention_predict (l.ctx, zq, (size_t) q, &po, pred);
  if (st != CS_OK)
    {
      rc = engine_fail ("predict", st);
      goto out;
    }
  /* Fail-safe flags: baselines of this case base, then each query's report. */
  reports = g_new (CsFlagReport, q);
  if (l.base->n < 2)
    for (gssize t = 0; t < q; t++)
      cs_flags_fail (&reports[t], CS_FLAG_FAIL_NO_CASES, "at least 2 cases are needed");
  else
    {
      st = cs_flag_base_measure (&fb, l.ctx, NULL, NULL);
      if (st == CS_OK)
        {
          /* Thresholds again: the distance default depends on the measured spacing. */
          rc = flag_thresholds_parse ("predict", threshold_args, &fb, &ft);
          if (rc != CS_EXIT_OK)
            goto out;
          st = cs_flags_predict (l.ctx, &fb, &ft, l.mean, l.sd, xq, (size_t) q, NULL, NULL, NULL,
                                 reports);
        }
      if (st != CS_OK)
        {
          rc = engine_fail ("predict", st);
          goto out;
        }
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      if (query != NULL)
        cs_cli_model_query_json (b, &l, xq, &pred[0], top, (gsize) top_k, hw, &reports[0]);
      else
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "predictions");
          json_builder_begin_array (b);
          for (gssize t = 0; t < q; t++)
            cs_cli_model_query_json (b, &l, xq + t * d, &pred[t], top + t * top_k, (gsize) top_k, hw + t * d,
                                     &reports[t]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    for (gssize t = 0; t < q; t++)
      {
        const CsPrediction *p = &pred[t];
        const CsFlagReport *r = &reports[t];
        if (r->failure != CS_FLAG_FAIL_NONE)
          {
            printf ("%s: no prediction (verdict stop). %s\n", l.base->target_name, r->flags[0].message);
            continue;
          }
        printf ("%s%s = %.6g +- %.3g (standard error)   from %.1f effective cases, 90%% of the attention within %.3g sd\n",
                q > 1 ? "" : "", l.base->target_name, p->prediction, p->std_error, p->n_eff, p->radius90);
        printf ("  window half-widths:");
        for (gsize j = 0; j < d; j++)
          printf (" %s +-%.3g%s%s", l.base->feature_names[j], hw[t * d + j] * l.sd[j],
                  l.base->feature_units[j][0] ? " " : "", l.base->feature_units[j]);
        printf ("\n");
        for (gint64 k = 0; k < top_k; k++)
          {
            const CsTopCase *tc = &top[t * top_k + k];
            if (tc->index == CS_NO_CASE)
              break;
            printf ("  line %-6u %-12s weight %.4f  %s = %.6g  distance %.3g\n", l.base->line[tc->index],
                    l.base->ids != NULL ? l.base->ids[tc->index] : "", tc->weight, l.base->target_name,
                    l.base->y[tc->index], tc->distance);
          }
        printf ("  verdict: %s\n", cs_verdict_name (r->verdict));
        for (gsize f = 0; f < r->n_flags; f++)
          printf ("  [%s] %s: %s\n", cs_severity_name (r->flags[f].severity),
                  cs_flag_kind_name (r->flags[f].kind), r->flags[f].message);
      }
  rc = CS_EXIT_OK;
out:
  loaded_clear (&l);
  return rc;
}

/* ---- diagnose ------------------------------------------------------------- */

int
cs_cli_diagnose (int    argc,
                 char **argv)
{
  g_autofree char *target = NULL, *model = NULL, *features = NULL;
  g_auto(GStrv) threshold_args = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required unless --model names it)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns", "A,B,..." },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "A model file (default: fit the scalar metric now)", "MODEL.json" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING_ARRAY, &threshold_args, THRESHOLD_HELP, "NAME=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autofree CsFlagReport *case_flags = NULL;
  g_autofree double *noise = NULL, *lip = NULL, *nn_dist = NULL;
  g_autofree size_t *nn = NULL;
  gsize flagged[CS_FLAG_N_KINDS] = { 0 }, verdicts[3] = { 0 };
  CsFlagBase fb;
  CsFlagThresholds ft;
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - noise, local variation and window diagnostics");
  g_autoptr(CsModelFile) mf = NULL;
  Loaded l = { 0 };
  CsGlobalDiagnostics g;
  g_autofree CsLocalDiagnostics *pc = NULL;
  CsLinearModel lin = { 0 };
  double loo_soft = NAN;
  gsize n;
  CsStatus st;
  int rc;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "noise_sd: nearest-neighbour difference estimator. local_lipschitz: slope norm of an\n"
    "attention-weighted local linear fit (outcome units per feature standard deviation);\n"
    "lipschitz: its 90th percentile over the cases (leave-one-out). local_noise_sd: residual\n"
    "sd of that fit. theory_radius: (sigma^2 / (L^2 n))^(1/(d+2)).\n");
  if (!cs_cli_parse (oc, "diagnose", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error ("diagnose", "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error ("diagnose", "unexpected argument '%s'", argv[2]);
  if (target == NULL && model == NULL)
    return cs_cli_usage_error ("diagnose", "--target is required");
  rc = load_with_model ("diagnose", argv[1], target, features, model, &l, &mf);
  if (rc != CS_EXIT_OK)
    goto out;
  n = l.base->n;
  if (n < 2)
    {
      g_printerr ("%s: at least 2 cases are needed (found %zu)\n", argv[1], (size_t) n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  pc = g_new (CsLocalDiagnostics, n);
  st = cs_diagnose_global (l.ctx, &g, pc, NULL, NULL);
  if (st == CS_OK)
    st = cs_attention_loo_mse (l.ctx, cs_attention_get_metric (l.ctx), &loo_soft, NULL, NULL);
  if (st == CS_OK)
    st = cs_linear_fit (l.ctx, 1, &lin);
  if (st != CS_OK)
    {
      rc = engine_fail ("diagnose", st);
      goto out;
    }

  /* Fail-safe flags of every case, leave-one-out (model/FAILSAFE.md). */
  noise = g_new (double, n);
  lip = g_new (double, n);
  nn_dist = g_new (double, n);
  nn = g_new (size_t, n);
  case_flags = g_new (CsFlagReport, n);
  for (gsize i = 0; i < n; i++)
    {
      noise[i] = pc[i].local_noise_sd;
      lip[i] = pc[i].local_lipschitz;
    }
  st = cs_nearest_neighbours_self (cs_attention_get_x (l.ctx), n, l.base->d, nn, nn_dist);
  if (st != CS_OK)
    {
      rc = engine_fail ("diagnose", st);
      goto out;
    }
  flag_base_init (&fb, &l);
  fb.window = g.window_radius;
  cs_flag_base_from_cases (&fb, noise, lip, nn_dist, n);
  rc = flag_thresholds_parse ("diagnose", threshold_args, &fb, &ft);
  if (rc != CS_EXIT_OK)
    goto out;
  for (gsize i = 0; i < n; i++)
    {
      double xi[l.base->d], xn[l.base->d];
      CsFlagQuery fq = {
        .failure = CS_FLAG_FAIL_NONE,
        .x = loaded_raw_row (&l, i, xi),
        .y_hat = pc[i].prediction,
        .local_spread = pc[i].local_sd,
        .local_noise = pc[i].local_noise_sd,
        .local_lipschitz = pc[i].local_lipschitz,
        .n_eff = pc[i].n_eff,
        .nearest_distance = nn_dist[i],
        .nearest_x = nn[i] < n ? loaded_raw_row (&l, nn[i], xn) : NULL,
      };
      cs_flags_evaluate (&fb, &ft, &fq, &case_flags[i]);
      verdicts[case_flags[i].verdict]++;
      for (gsize f = 0; f < case_flags[i].n_flags; f++)
        flagged[case_flags[i].flags[f].kind]++;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, (gint64) l.base->d);
      add_double (b, "noise_sd", g.noise_sd);
      add_double (b, "lipschitz", g.lipschitz);
      add_double (b, "lipschitz_quantile", g.lipschitz_quantile);
      add_double (b, "theory_radius", g.theory_radius);
      add_double (b, "window_radius", g.window_radius);
      add_double (b, "loo_mse_softmax", loo_soft);
      add_double (b, "loo_mse_linear", lin.loo_mse);
      json_builder_set_member_name (b, "baselines");
      json_builder_begin_object (b);
      add_double (b, "usual_noise", fb.noise_sd);
      add_double (b, "typical_slope", fb.lipschitz);
      add_double (b, "usual_spacing", fb.nn_distance);
      add_double (b, "spacing_q99", fb.nn_distance_high);
      json_builder_end_object (b);
      add_thresholds_json (b, &ft);
      json_builder_set_member_name (b, "cases");
      json_builder_begin_array (b);
      for (gsize i = 0; i < n; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "row");
          json_builder_add_int_value (b, l.base->line[i]);
          add_double (b, "local_lipschitz", pc[i].local_lipschitz);
          add_double (b, "local_noise_sd", pc[i].local_noise_sd);
          add_double (b, "n_eff", pc[i].n_eff);
          add_flags_json (b, l.base, &case_flags[i], FALSE);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("%s: %zu cases, %zu features -> %s\n", l.base->source, (size_t) n, (size_t) l.base->d,
              l.base->target_name);
      printf ("noise sd (nearest-neighbour differences): %.4g\n", g.noise_sd);
      printf ("Lipschitz estimate (90th percentile of local slopes): %.4g per sd\n", g.lipschitz);
      printf ("window radius: fitted %.4g, theory (sigma^2/(L^2 n))^(1/(d+2)) %.4g (standardised)\n",
              g.window_radius, g.theory_radius);
      printf ("leave-one-out MSE: softmax %.6g, linear attention %.6g\n", loo_soft, lin.loo_mse);
      printf ("fail-safe baselines: usual noise %.4g %s, typical slope %.4g per sd, usual spacing %.4g sd\n",
              fb.noise_sd, l.base->target_unit, fb.lipschitz, fb.nn_distance);
      printf ("cases (leave-one-out): %zu ok, %zu check, %zu stop;", (size_t) verdicts[CS_VERDICT_OK],
              (size_t) verdicts[CS_VERDICT_CHECK], (size_t) verdicts[CS_VERDICT_STOP]);
      for (int k = 0; k < CS_FLAG_N_KINDS; k++)
        if (flagged[k] > 0)
          printf (" %s %zu", cs_flag_kind_name ((CsFlagKind) k), (size_t) flagged[k]);
      printf ("\n");
    }
  rc = CS_EXIT_OK;
out:
  cs_linear_clear (&lin);
  loaded_clear (&l);
  return rc;
}

/* ---- bench ---------------------------------------------------------------- */

static double
now_s (void)
{
  return (double) g_get_monotonic_time () * 1e-6;
}

/* CPU seconds of the calling thread: single-thread rates that a busy machine
 * (other processes on the same cores) does not distort. */
static double
cpu_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

int
cs_cli_bench (int    argc,
              char **argv)
{
  gint64 n = 100000, d = 16, q = 1000, fit_n = 20000, fit_d = 8;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT64, &n, "Cases for prediction (default 100000)", "N" },
    { "d", 0, 0, G_OPTION_ARG_INT64, &d, "Features (default 16)", "D" },
    { "queries", 0, 0, G_OPTION_ARG_INT64, &q, "Queries (default 1000)", "Q" },
    { "fit-n", 0, 0, G_OPTION_ARG_INT64, &fit_n, "Cases for the scalar LOO fit (default 20000)", "N" },
    { "fit-d", 0, 0, G_OPTION_ARG_INT64, &fit_d, "Features for the LOO fit (default 8)", "D" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("- measure the machine and the engine in the same run");
  CsRng rng;
  g_autofree double *x = NULL, *y = NULL, *qs = NULL;
  g_autofree CsPrediction *pred = NULL;
  g_autofree CsTopCase *top = NULL;
  CsAttention *ctx = NULL;
  CsMetric m;
  CsPredictOptions po;
  double gemm_gflops = 0, gemm_pairs, exp_rate = 0, roof, pairs_f = 0, pairs_d = 0, pairs_wall = 0, fit_s = 0;
  int nthreads = (int) g_get_num_processors ();
  int fit_passes = 0;
  double fit_w = NAN;
  CsStatus st;
  gsize ra;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "Machine: peak single-precision GEMM rate on the scoring shape (queries x cases x\n"
    "(d + 2), best of four tilings), and the engine's vector expf rate on cache-resident\n"
    "blocks.\n"
    "Roofline: min(GEMM rate / (2 (d + 2)) flops per pair, exp rate) pairs per second.\n"
    "Engine: query-case pairs per second of the float fast path (top 10, all per-query\n"
    "statistics except the second window pass), and a double-precision run for reference.\n"
    "Machine and engine rates are single-thread CPU-time rates (BLAS on one thread), so\n"
    "other load on the machine does not bias the ratio; the threaded prediction and the\n"
    "LOO fit (one engine thread per processor) are wall-clock.\n");
  if (!cs_cli_parse (oc, "bench", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc > 1)
    return cs_cli_usage_error ("bench", "unexpected argument '%s'", argv[1]);
  if (n < 1 || n > 10000000 || d < 1 || d > 1000 || q < 1 || q > 1000000 || fit_n < 2 || fit_n > 1000000
      || fit_d < 1 || fit_d > 1000)
    return cs_cli_usage_error ("bench", "sizes out of range");

  cs_rng_seed (&rng, 12345);
  x = g_new (double, (gsize) (n * d));
  y = g_new (double, (gsize) n);
  qs = g_new (double, (gsize) (q * d));
  for (gint64 i = 0; i < n * d; i++)
    x[i] = cs_rng_normal (&rng);
  for (gint64 i = 0; i < n; i++)
    y[i] = sin (2 * x[i * d]) + 0.1 * cs_rng_normal (&rng);
  for (gint64 i = 0; i < q * d; i++)
    qs[i] = cs_rng_normal (&rng);
  ra = (gsize) d + 2;
  /* The engine's loops are its own threads; BLAS stays on the calling thread. */
  openblas_set_num_threads (1);

  /* Machine 1: sgemm on the scoring shape, q x n x (d + 2) in tiles, best of 3
   * repetitions and of four tile shapes (the engine uses one of them). */
  for (int shape = 0; shape < 4; shape++)
  {
    const gsize shapes[4][2] = { { 64, 1024 }, { 128, 512 }, { 256, 512 }, { 256, 2048 } };
    gsize qb = shapes[shape][0], cb = shapes[shape][1];
    g_autofree float *A = g_new (float, qb * ra), *B = g_new (float, (gsize) n * ra), *C = g_new (float, qb * cb);
    for (gsize i = 0; i < qb * ra; i++)
      A[i] = (float) cs_rng_normal (&rng);
    for (gsize i = 0; i < (gsize) n * ra; i++)
      B[i] = (float) cs_rng_normal (&rng);
    for (int rep = 0; rep < 3; rep++)
      {
        double t0 = cpu_s (), t;
        gsize done = 0;
        for (gint64 q0 = 0; q0 < q; q0 += (gint64) qb)
          for (gint64 c0 = 0; c0 < n; c0 += (gint64) cb)
            {
              gsize c = (gsize) (n - c0) < cb ? (gsize) (n - c0) : cb;
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) qb, (int) c, (int) ra, 1.0f, A,
                           (int) ra, B + c0 * ra, (int) ra, 0.0f, C, (int) c);
              done += qb * c;
            }
        t = cpu_s () - t0;
        gemm_gflops = fmax (gemm_gflops, 2.0 * (double) ra * (double) done / t * 1e-9);
      }
  }
  gemm_pairs = gemm_gflops * 1e9 / (2.0 * (double) ra);

  /* Machine 2: the engine's vector expf on cache-resident blocks (1024 floats). */
  {
    gsize cb = 1024, reps = (gsize) fmax (1.0, 2e8 / (double) cb);
    g_autofree float *in = g_new (float, cb), *out = g_new (float, cb);
    for (gsize i = 0; i < cb; i++)
      in[i] = (float) (-20.0 * cs_rng_uniform (&rng));
    for (int rep = 0; rep < 3; rep++)
      {
        double t0 = cpu_s (), t;
        for (gsize r = 0; r < reps; r++)
          {
            in[r % cb] -= 1e-7f;   /* keep the compiler honest */
            cs_kernel_exp_f (in, out, cb);
          }
        t = cpu_s () - t0;
        exp_rate = fmax (exp_rate, (double) (reps * cb) / t);
      }
  }
  roof = fmin (gemm_pairs, exp_rate);

  /* Engine: prediction, float fast path and double, best of 3. */
  st = cs_attention_new (x, y, (size_t) n, (size_t) d, CS_SCORE_DISTANCE, &ctx);
  if (st == CS_OK)
    st = cs_metric_init_scalar (&m, (size_t) d, 0.5);
  if (st == CS_OK)
    {
      st = cs_attention_set_metric (ctx, &m);
      cs_metric_clear (&m);
    }
  if (st != CS_OK)
    {
      cs_attention_free (ctx);
      return engine_fail ("bench", st);
    }
  pred = g_new (CsPrediction, q);
  top = g_new (CsTopCase, (gsize) q * 10);
  cs_predict_options_init (&po);
  po.top_k = 10;
  po.top = top;
  for (int pass = 0; pass < 3; pass++)
    for (int rep = 0; rep < (pass == 1 ? 2 : pass == 0 ? 5 : 3); rep++)
      {
        double t0, t;
        po.flags = pass == 1 ? 0 : CS_PREDICT_FLOAT;
        po.n_threads = pass == 2 ? nthreads : 1;
        t0 = pass == 2 ? now_s () : cpu_s ();
        st = cs_attention_predict (ctx, qs, (size_t) q, &po, pred);
        t = (pass == 2 ? now_s () : cpu_s ()) - t0;
        if (st != CS_OK)
          {
            cs_attention_free (ctx);
            return engine_fail ("bench", st);
          }
        if (pass == 0)
          pairs_f = fmax (pairs_f, (double) n * (double) q / t);
        else if (pass == 1)
          pairs_d = fmax (pairs_d, (double) n * (double) q / t);
        else
          pairs_wall = fmax (pairs_wall, (double) n * (double) q / t);
      }
  cs_attention_free (ctx);
  ctx = NULL;

  /* Engine: scalar LOO fit. */
  {
    g_autofree double *fx = g_new (double, (gsize) (fit_n * fit_d)), *fy = g_new (double, (gsize) fit_n);
    CsMetric fm = { 0 };
    CsFitReport rep;
    double t0;
    for (gint64 i = 0; i < fit_n * fit_d; i++)
      fx[i] = cs_rng_normal (&rng);
    for (gint64 i = 0; i < fit_n; i++)
      fy[i] = sin (2 * fx[i * fit_d]) + 0.5 * fx[i * fit_d + (fit_d > 1 ? 1 : 0)] + 0.2 * cs_rng_normal (&rng);
    CsFitOptions fo;
    cs_fit_options_init (&fo);
    fo.n_threads = nthreads;
    st = cs_attention_new (fx, fy, (size_t) fit_n, (size_t) fit_d, CS_SCORE_DISTANCE, &ctx);
    t0 = now_s ();
    if (st == CS_OK)
      st = cs_attention_fit (ctx, &fo, &fm, &rep);
    fit_s = now_s () - t0;
    cs_attention_free (ctx);
    if (st != CS_OK)
      return engine_fail ("bench", st);
    fit_passes = rep.passes;
    fit_w = fm.scale;
    cs_metric_clear (&fm);
  }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, d);
      json_builder_set_member_name (b, "queries");
      json_builder_add_int_value (b, q);
      json_builder_set_member_name (b, "blas_core");
      json_builder_add_string_value (b, openblas_get_corename ());
      json_builder_set_member_name (b, "blas_threads");
      json_builder_add_int_value (b, openblas_get_num_threads ());
      add_double (b, "gemm_gflops", gemm_gflops);
      add_double (b, "exp_per_second", exp_rate);
      add_double (b, "roofline_pairs_per_second", roof);
      add_double (b, "pairs_per_second", pairs_f);
      add_double (b, "pairs_per_second_double", pairs_d);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, nthreads);
      add_double (b, "pairs_per_second_wall", pairs_wall);
      add_double (b, "ratio", pairs_f / roof);
      add_double (b, "loo_fit_seconds", fit_s);
      json_builder_set_member_name (b, "loo_fit_passes");
      json_builder_add_int_value (b, fit_passes);
      json_builder_set_member_name (b, "loo_fit_n");
      json_builder_add_int_value (b, fit_n);
      json_builder_set_member_name (b, "loo_fit_d");
      json_builder_add_int_value (b, fit_d);
      add_double (b, "loo_fit_scale", fit_w);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("machine (OpenBLAS core %s, %d thread(s)):\n", openblas_get_corename (), openblas_get_num_threads ());
      printf ("  sgemm on the scoring shape (q x n x %zu, best tiling): %.1f GFLOP/s = %.3g pairs/s\n", ra, gemm_gflops, gemm_pairs);
      printf ("  vector expf (cache-resident):                 %.3g /s\n", exp_rate);
      printf ("  roofline min(GEMM-bound, exp-bound):          %.3g pairs/s\n", roof);
      printf ("engine, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " queries:\n", n, d, q);
      printf ("  float fast path:  %.3g pairs/s = %.1f %% of the roofline\n", pairs_f, 100.0 * pairs_f / roof);
      printf ("  double precision: %.3g pairs/s = %.1f %% of the roofline\n", pairs_d, 100.0 * pairs_d / roof);
      printf ("  float, %d threads, wall clock: %.3g pairs/s\n", nthreads, pairs_wall);
      printf ("scalar leave-one-out fit, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT ", %d threads: %.2f s wall, %d passes (w = %.4g)\n",
              fit_n, fit_d, nthreads, fit_s, fit_passes, fit_w);
    }
  return CS_EXIT_OK;
}
