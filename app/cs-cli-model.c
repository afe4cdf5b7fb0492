/* cs-cli-model.c: casescope-cli fit, predict and diagnose: options in, the engine's results out as text or JSON. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-atomic-file.h"
#include "cs-cli.h"
#include "cs-cli-flags.h"
#include "cs-cli-interval.h"
#include "cs-cli-load.h"
#include "cs-cli-query.h"
#include "cs-engine-model.h"
#include "cs-model-file.h"

/* ---- shared ---------------------------------------------------------------- */

static void
json_matrix (JsonBuilder    *b,
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

/* ---- fit ------------------------------------------------------------------ */

/* The same model file the window's Save Model writes (cs_engine_to_model_file), with the case-base record. */
static int
save_model (CsCliLoaded *l,
            const char  *path)
{
  g_autoptr(CsModelFile) mf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  const char *protect[] = { l->path, NULL };

  sha = l->base->sha256 != NULL ? g_strdup (l->base->sha256) : cs_file_sha256 (l->path, NULL);
  mf = cs_engine_to_model_file (l->engine, NULL, sha, l->report != NULL ? l->report->columns->len : 0);
  if (!cs_model_file_save (mf, path, protect, &error))
    return cs_cli_fail ("fit", error);
  return CS_EXIT_OK;
}

static void
fit_json (CsCliLoaded *l,
          const double *hw)
{
  CsEngine *e = l->engine;
  const CsCaseBase *base = e->cases;
  const CsMetric *m = &e->metric;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, (gint64) base->n);
  json_builder_set_member_name (b, "d");
  json_builder_add_int_value (b, (gint64) base->d);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (gsize j = 0; j < base->d; j++)
    json_builder_add_string_value (b, base->feature_names[j]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, base->target_name);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, cs_engine_metric_name (m->kind));
  if (m->kind == CS_METRIC_SCALAR)
    cs_json_add_number (b, "scale", m->scale);
  if (m->kind == CS_METRIC_FULL)
    {
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, (gint64) m->rank);
    }
  json_matrix (b, m);
  /* category columns: the mismatch penalty each was fitted (0: the column changes no weight) and its levels */
  json_builder_set_member_name (b, "categories");
  json_builder_begin_array (b);
  for (gsize c = 0; c < cs_engine_n_categories (e); c++)
    {
      const char * const *lv = cs_engine_category_levels (e, c);
      json_builder_begin_object (b);
      cs_json_add_string (b, "name", cs_engine_category_name (e, c));
      cs_json_add_number (b, "lambda", cs_engine_category_lambda (e, c));
      json_builder_set_member_name (b, "levels");
      json_builder_begin_array (b);
      for (gsize k = 0; lv[k] != NULL; k++)
        json_builder_add_string_value (b, lv[k]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  cs_json_add_number (b, "loo_mse", e->fit.loo_mse);
  if (e->auto_choice.tried)
    {
      /* the automatic metric's comparison (CS_ENGINE_AUTO_FULL_SE): kept full or kept diagonal, and why */
      json_builder_set_member_name (b, "auto");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cases_compared");
      json_builder_add_int_value (b, (gint64) e->auto_choice.n_compared);
      cs_json_add_number (b, "diagonal_mse", e->auto_choice.diagonal_mse);
      cs_json_add_number (b, "full_mse", e->auto_choice.full_mse);
      cs_json_add_number (b, "difference_se", e->auto_choice.difference_se);
      cs_json_add_number (b, "se_needed", CS_ENGINE_AUTO_FULL_SE);
      cs_json_add_number (b, "gain_needed", CS_ENGINE_AUTO_FULL_GAIN);
      cs_json_add_string (b, "chosen", e->auto_choice.full ? "full" : "diagonal");
      json_builder_end_object (b);
    }
  cs_json_add_number (b, "loo_mse_linear", e->loo_mse_linear);
  cs_json_add_string (b, "linear_method", e->linear_method);
  cs_json_add_number (b, "noise_sd", e->noise_sd);
  json_builder_set_member_name (b, "passes");
  json_builder_add_int_value (b, e->fit.passes);
  json_builder_set_member_name (b, "loss_cases");
  json_builder_add_int_value (b, (gint64) e->fit.n_queries);
  json_builder_set_member_name (b, "per_case_cases");
  json_builder_add_int_value (b, (gint64) e->policy.case_cases);
  json_builder_set_member_name (b, "iterations");
  json_builder_add_int_value (b, e->fit.iterations);
  json_builder_set_member_name (b, "converged");
  json_builder_add_boolean_value (b, e->fit.converged != 0);
  cs_json_add_number (b, "seconds", e->fit_seconds);
  json_builder_set_member_name (b, "window");
  json_builder_begin_object (b);
  cs_json_add_number (b, "radius90_median", e->radius90_median);
  json_builder_set_member_name (b, "half_width");
  json_builder_begin_object (b);
  for (gsize j = 0; j < base->d; j++)
    cs_json_add_number (b, base->feature_names[j], hw[j] * e->sd[j]);
  json_builder_end_object (b);
  json_builder_end_object (b);
  cs_cli_json_problems (b, l->report);
  cs_cli_json_exclusions (b, l);
  json_builder_end_object (b);
  cs_cli_print_json (json_builder_get_root (b));
}

static void
fit_text (CsCliLoaded *l,
          const double *hw,
          const char   *save)
{
  CsEngine *e = l->engine;
  const CsCaseBase *base = e->cases;
  const CsMetric *m = &e->metric;
  gsize n = base->n;

  printf ("%s: %zu cases, %zu features -> %s\n", base->source, (size_t) n, (size_t) base->d, base->target_name);
  if (m->kind == CS_METRIC_SCALAR)
    printf ("metric: scalar, scale w = %.6g (window radius 1/sqrt(w) = %.4g standard deviations)\n",
            m->scale, 1.0 / sqrt (m->scale));
  else
    printf ("metric: %s%s\n", cs_engine_metric_name (m->kind), m->kind == CS_METRIC_FULL ? " (A^T A)" : "");
  if (e->auto_choice.tried)
    printf ("automatic metric: %s (each fitted on half the cases, leave-one-out MSE on the other %zu: diagonal "
            "%.6g, full %.6g; the full metric is kept when it is lower by more than %g standard errors of the paired "
            "difference, %.3g, and by %g %%)\n", e->auto_choice.full ? "full" : "diagonal",
            (size_t) e->auto_choice.n_compared, e->auto_choice.diagonal_mse, e->auto_choice.full_mse,
            CS_ENGINE_AUTO_FULL_SE, e->auto_choice.difference_se, 100 * CS_ENGINE_AUTO_FULL_GAIN);
  printf ("leave-one-out MSE: softmax %.6g, linear %.6g (%s) (noise sd %.4g)\n",
          e->fit.loo_mse, e->loo_mse_linear, e->linear_method, e->noise_sd);
  printf ("fit: %d passes, %d iterations, %.2f s%s\n", e->fit.passes, e->fit.iterations, e->fit_seconds,
          e->fit.converged ? "" : " (not converged)");
  if (e->fit.n_queries < n)
    printf ("loss and window over %zu evenly spaced cases, each predicted from all %zu others\n",
            (size_t) e->fit.n_queries, (size_t) n - 1);
  printf ("window: median 90%% radius %.4g (standardised); half-widths:\n", e->radius90_median);
  for (gsize j = 0; j < base->d; j++)
    printf ("  %-24s +-%.4g %s\n", base->feature_names[j], hw[j] * e->sd[j], base->feature_units[j]);
  for (gsize c = 0; c < cs_engine_n_categories (e); c++)
    {
      double lam = cs_engine_category_lambda (e, c);
      printf ("  %-24s category, %zu levels: a case of another value weighs %.3g of one of the same (lambda %.4g)\n",
              cs_engine_category_name (e, c), (size_t) g_strv_length ((char **) cs_engine_category_levels (e, c)),
              exp (-lam), lam);
    }
  if (l->report != NULL && l->report->rows_skipped > 0)
    printf ("%zu rows left out (listed on standard error)\n", (size_t) l->report->rows_skipped);
  if (save != NULL)
    printf ("model written to %s\n", save);
}

int
cs_cli_fit (int    argc,
            char **argv)
{
  g_autofree char *target = NULL, *features = NULL, *metric = NULL, *save = NULL, *exclude = NULL;
  gint64 rank = 0, queries = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns (default: every numeric column)", "A,B,..." },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric,
      "auto (default: scalar below 5 features; at 5 or more diagonal, or full where it beats the diagonal by "
      "leave-one-out on up to 20000 cases; category columns do not count), scalar, diagonal or full", "KIND" },
    { "rank", 0, 0, G_OPTION_ARG_INT64, &rank, "Rank of a full metric (default: d)", "R" },
    { "queries", 0, 0, G_OPTION_ARG_INT64, &queries,
      "Cases whose leave-one-out errors make the loss and the window (default: all up to 20000 cases, "
      "else 1000 evenly spaced; each is predicted from all the others)", "N" },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &save, "Write the model file", "MODEL.json" },
    CS_CLI_EXCLUDE_OPTION (exclude),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - fit the attention metric by leave-one-out");
  CsCliLoaded l = { 0 };
  CsEngineOptions eo;
  g_autofree double *hw = NULL;
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
  cs_engine_options_init (&eo);
  /* fit shows no per-case window, but a saved model carries the window the data asks for, so that the per-case
   * charts and diagnose that open it take it instead of 17 leave-one-out passes each time. */
  eo.preferred_window = save != NULL;
  if (!cs_engine_fit_from_name (metric, &eo.fit))
    return cs_cli_usage_error ("fit", "--metric must be auto, scalar, diagonal or full, got '%s'", metric);
  if (rank < 0 || (rank > 0 && eo.fit != CS_ENGINE_FIT_FULL))
    return cs_cli_usage_error ("fit", "--rank needs --metric full and a positive value");
  if (queries < 0 || queries == 1)
    return cs_cli_usage_error ("fit", "--queries must be at least 2, got %" G_GINT64_FORMAT, queries);
  eo.rank = (gsize) rank;
  eo.loss_cases = (gsize) queries;

  rc = cs_cli_load ("fit", argv[1], target, features, NULL, exclude, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  if (l.base->n < 2)
    {
      g_printerr ("%s: at least 2 cases are needed to fit (found %zu)\n", argv[1], (size_t) l.base->n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  if (eo.rank > l.base->d)
    {
      rc = cs_cli_usage_error ("fit", "--rank must be at most the number of features (%zu)", (size_t) l.base->d);
      goto out;
    }
  rc = cs_cli_build ("fit", &l, &eo);
  if (rc != CS_EXIT_OK)
    goto out;
  hw = g_new (double, l.base->d);
  cs_metric_half_widths (&l.engine->metric, hw);
  if (save != NULL && (rc = save_model (&l, save)) != CS_EXIT_OK)
    goto out;
  if (json)
    fit_json (&l, hw);
  else
    fit_text (&l, hw, save);
  rc = CS_EXIT_OK;
out:
  cs_cli_loaded_clear (&l);
  return rc;
}

/* ---- predict -------------------------------------------------------------- */

/* The JSON object of one prediction, with its fail-safe verdict and flags. A prediction the flags refuse
 * (verdict stop for no_prediction) is null, never a number. */
static void
query_json_members (JsonBuilder         *b,
                    const CsCaseBase    *base,
                    const CsQueryResult *r)
{
  const CsPrediction *p = &r->prediction;
  gsize d = base->d;

  json_builder_set_member_name (b, "query");
  json_builder_begin_object (b);
  for (gsize j = 0; j < d; j++)
    cs_json_add_number (b, base->feature_names[j], r->query[j]);
  for (gsize c = 0; c < base->n_cat; c++)   /* a level, or null when the case base has no such value */
    cs_json_add_string (b, base->cat_names[c], r->levels[c] >= 0 ? base->cat_levels[c][r->levels[c]] : NULL);
  json_builder_end_object (b);
  cs_json_add_number (b, "prediction", r->report.failure == CS_FLAG_FAIL_NONE ? p->prediction : NAN);
  cs_cli_json_interval (b, r);
  cs_cli_json_flags (b, base, &r->report, TRUE);
  cs_json_add_number (b, "stderr", p->std_error);
  cs_json_add_number (b, "n_eff", p->n_eff);
  cs_json_add_number (b, "radius90", p->radius90);
  cs_json_add_number (b, "local_sd", p->local_sd);
  cs_json_add_number (b, "mean_distance", p->mean_distance);
  cs_json_add_number (b, "nearest_distance", p->nearest_distance);
  cs_json_add_number (b, "decomposition_error", p->decomposition_error);
  /* the window and the attended set leave out at most --epsilon of the weight; the prediction does not */
  cs_json_add_number (b, "weight_dropped", r->weight_dropped);
  json_builder_set_member_name (b, "n_kept");
  json_builder_add_int_value (b, (gint64) r->n_kept);
  json_builder_set_member_name (b, "half_width");
  json_builder_begin_object (b);
  for (gsize j = 0; j < d; j++)
    cs_json_add_number (b, base->feature_names[j], r->report.failure == CS_FLAG_FAIL_NONE ? r->half_width[j] : NAN);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "top");
  json_builder_begin_array (b);
  for (guint t = 0; t < r->k; t++)
    {
      const CsUsedCase *u = &r->top[t];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, base->line[u->index]);
      cs_json_add_string (b, "id", base->ids != NULL ? base->ids[u->index] : NULL);
      cs_json_add_number (b, "weight", u->weight);
      cs_json_add_number (b, "y", u->y);
      cs_json_add_number (b, "distance", u->distance);
      if (base->n_cat > 0)
        {
          /* per category: true when this case has the query's value ("same supplier"), null when unknown */
          json_builder_set_member_name (b, "same");
          json_builder_begin_object (b);
          for (gsize c = 0; c < base->n_cat; c++)
            {
              int match = cs_query_result_category_match (r, u->index, c);
              json_builder_set_member_name (b, base->cat_names[c]);
              if (match < 0)
                json_builder_add_null_value (b);
              else
                json_builder_add_boolean_value (b, match == 1);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
query_text (const CsCaseBase    *base,
            const CsQueryResult *r)
{
  const CsPrediction *p = &r->prediction;

  if (r->report.failure != CS_FLAG_FAIL_NONE)
    {
      printf ("%s: no prediction (verdict stop). %s\n", base->target_name, r->report.flags[0].message);
      return;
    }
  printf ("%s = %.6g +- %.3g (standard error)   from %.1f effective cases, 90%% of the attention within %.3g sd\n",
          base->target_name, p->prediction, p->std_error, p->n_eff, p->radius90);
  cs_cli_print_interval (base, r);
  printf ("  window half-widths:");
  for (gsize j = 0; j < base->d; j++)
    if (isnan (r->query[j]))
      printf (" %s (no value)", base->feature_names[j]);   /* predicted from the other features */
    else
      printf (" %s +-%.3g%s%s", base->feature_names[j], r->half_width[j], base->feature_units[j][0] ? " " : "",
              base->feature_units[j]);
  printf ("\n");
  for (guint t = 0; t < r->k; t++)
    {
      const CsUsedCase *u = &r->top[t];
      printf ("  line %-6u %-12s weight %.4f  %s = %.6g  distance %.3g", base->line[u->index],
              base->ids != NULL ? base->ids[u->index] : "", u->weight, base->target_name, u->y, u->distance);
      for (gsize c = 0; c < base->n_cat; c++)
        {
          int match = cs_query_result_category_match (r, u->index, c);
          gint code = base->cat_codes[u->index * base->n_cat + c];
          if (match == 1)
            printf ("  same %s", base->cat_names[c]);
          else
            printf ("  other %s (%s)", base->cat_names[c], base->cat_levels[c][code]);
        }
      printf ("\n");
    }
  printf ("  verdict: %s\n", cs_verdict_name (r->report.verdict));
  for (gsize f = 0; f < r->report.n_flags; f++)
    printf ("  [%s] %s: %s\n", cs_severity_name (r->report.flags[f].severity),
            cs_engine_flag_name (r->report.flags[f].kind), r->report.flags[f].message);
}

int
cs_cli_predict (int    argc,
                char **argv)
{
  g_autofree char *target = NULL, *query = NULL, *queries = NULL, *model = NULL, *features = NULL;
  g_autofree char *exclude = NULL, *metric = NULL;
  CsEngineFit fit;
  g_auto(GStrv) threshold_args = NULL;
  gint64 top_k = 5;
  gboolean json = FALSE;
  double epsilon = 1e-6;
  CsCliInterval iv;
  CsIntervalSpec spec;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required unless --model names it)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns (default: the model's, or every numeric column)", "A,B,..." },
    { "query", 0, 0, G_OPTION_ARG_STRING, &query, "One query: every feature as name=value", "'A=1.5,B=2'" },
    CS_CLI_INTERVAL_ENTRIES (iv),
    { "queries", 0, 0, G_OPTION_ARG_FILENAME, &queries, "A CSV of queries (header names the features)", "QUERIES.csv" },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "A model file from fit --save (default: fit the window now, see --metric)", "MODEL.json" },
    CS_CLI_METRIC_OPTION (metric),
    { "top", 0, 0, G_OPTION_ARG_INT64, &top_k, "Number of most-attended cases to list (default 5)", "K" },
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon, "Weight the window may leave out, in [0, 1) (default 1e-6; 0: exact)", "E" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING_ARRAY, &threshold_args, THRESHOLD_HELP, "NAME=VALUE" },
    CS_CLI_EXCLUDE_OPTION (exclude),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - predict the outcome of new cases from FILE");
  CsCliLoaded l = { 0 };
  CsEngineOptions eo;
  CsFlagThresholds asked;
  g_autofree double *xq = NULL;
  g_autofree gint *lq = NULL;
  g_autoptr(GError) error = NULL;
  CsQueryResult **results = NULL;
  gssize q = 1;
  int rc;

  cs_cli_interval_init (&iv);
  g_option_context_add_main_entries (oc, entries, NULL);
  if (!cs_cli_parse (oc, "predict", &argc, &argv))
    return CS_EXIT_USAGE;
  if (!cs_cli_interval_spec ("predict", &iv, &spec))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error ("predict", "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error ("predict", "unexpected argument '%s'", argv[2]);
  if ((query == NULL) == (queries == NULL))
    return cs_cli_usage_error ("predict", "give exactly one of --query or --queries");
  if (target == NULL && model == NULL)
    return cs_cli_usage_error ("predict", "--target is required");
  if ((rc = cs_cli_metric_parse ("predict", metric, model, &fit)) != CS_EXIT_OK)
    return rc;
  if (top_k < 0 || top_k > 1000)
    return cs_cli_usage_error ("predict", "--top must be between 0 and 1000");
  if (!(epsilon >= 0 && epsilon < 1))
    return cs_cli_usage_error ("predict", "--epsilon must be in [0, 1), got %g", epsilon);
  rc = cs_cli_thresholds_parse ("predict", threshold_args, &asked);
  if (rc != CS_EXIT_OK)
    return rc;

  rc = cs_cli_load ("predict", argv[1], target, features, model, exclude, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  if (query != NULL)
    {
      g_autofree char *msg = NULL;
      xq = g_new (double, l.base->d);
      lq = l.base->n_cat > 0 ? g_new (gint, l.base->n_cat) : NULL;
      if (!cs_cli_parse_query_levels (query, l.base, xq, lq, &msg))
        {
          rc = cs_cli_usage_error ("predict", "--query: %s", msg);
          goto out;
        }
    }
  else if ((q = cs_cli_read_queries_levels (queries, l.base, &xq, &lq)) < 0)
    {
      rc = CS_EXIT_DATA;
      goto out;
    }
  cs_engine_options_init (&eo);
  eo.fit = fit;
  eo.thresholds = &asked;
  eo.preferred_window = FALSE;   /* predictions do not show it */
  eo.epsilon = epsilon;
  rc = cs_cli_build ("predict", &l, &eo);
  if (rc == CS_EXIT_OK)
    rc = cs_cli_thresholds_check ("predict", &asked, l.engine);
  if (rc != CS_EXIT_OK)
    goto out;
  results = cs_engine_predict_levels (l.engine, xq, lq, (gsize) q, NULL, (guint) top_k, &spec, NULL, &error);
  if (results == NULL)
    {
      rc = cs_cli_fail ("predict", error);
      goto out;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      if (query != NULL)
        query_json_members (b, l.base, results[0]);
      else
        {
          json_builder_set_member_name (b, "predictions");
          json_builder_begin_array (b);
          for (gssize t = 0; t < q; t++)
            {
              json_builder_begin_object (b);
              query_json_members (b, l.base, results[t]);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      cs_cli_json_problems (b, l.report);
      cs_cli_json_policy (b, &l.engine->policy);
      cs_cli_json_exclusions (b, &l);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    for (gssize t = 0; t < q; t++)
      query_text (l.base, results[t]);
  rc = CS_EXIT_OK;
out:
  cs_engine_results_free (results, (gsize) MAX (q, 0));
  cs_cli_loaded_clear (&l);
  return rc;
}

/* ---- diagnose ------------------------------------------------------------- */

int
cs_cli_diagnose (int    argc,
                 char **argv)
{
  g_autofree char *target = NULL, *model = NULL, *features = NULL, *exclude = NULL, *metric = NULL;
  g_auto(GStrv) threshold_args = NULL;
  gboolean json = FALSE;
  double epsilon = 1e-6;
  CsEngineFit fit;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required unless --model names it)", "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns", "A,B,..." },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model, "A model file (default: fit the window now, see --metric)", "MODEL.json" },
    CS_CLI_METRIC_OPTION (metric),
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon, "Weight the window may leave out, in [0, 1) (default 1e-6; 0: exact)", "E" },
    { "threshold", 0, 0, G_OPTION_ARG_STRING_ARRAY, &threshold_args, THRESHOLD_HELP, "NAME=VALUE" },
    CS_CLI_EXCLUDE_OPTION (exclude),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - noise, local variation and window diagnostics");
  gsize flagged[CS_FLAG_N_KINDS] = { 0 }, verdicts[3] = { 0 };
  g_autofree CsFlagReport *reports = NULL;
  CsCliLoaded l = { 0 };
  CsEngineOptions eo;
  CsFlagThresholds asked;
  CsEngine *e;
  int rc;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "noise_sd: nearest-neighbour difference estimator. The local fit: a weighted linear fit on\n"
    "the cases carrying all but epsilon of the attention weight, in the metric's coordinates and\n"
    "only along the directions they spread in (tangent-space local linear regression).\n"
    "local_lipschitz: its slope norm (outcome units per feature standard deviation); lipschitz:\n"
    "its 90th percentile over the cases (leave-one-out). local_noise_sd: its residual sd with\n"
    "the smoother's exact degrees of freedom. local_variation: the spread of its trend across\n"
    "the attended cases, debiased for noise (outcome units). baselines.usual_noise: the\n"
    "trend-corrected nearest-neighbour difference estimator (Rice; Gasser, Sroka and\n"
    "Jennen-Steinmetz), median-scaled. theory_radius: (sigma^2 / (L^2 n))^(1/(d+2)).\n"
    "Above 5000 cases the per-case numbers are those of evenly spaced cases (per_case_cases).\n");
  if (!cs_cli_parse (oc, "diagnose", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error ("diagnose", "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error ("diagnose", "unexpected argument '%s'", argv[2]);
  if (target == NULL && model == NULL)
    return cs_cli_usage_error ("diagnose", "--target is required");
  if ((rc = cs_cli_metric_parse ("diagnose", metric, model, &fit)) != CS_EXIT_OK)
    return rc;
  if (!(epsilon >= 0 && epsilon < 1))
    return cs_cli_usage_error ("diagnose", "--epsilon must be in [0, 1), got %g", epsilon);
  rc = cs_cli_thresholds_parse ("diagnose", threshold_args, &asked);
  if (rc != CS_EXIT_OK)
    return rc;
  rc = cs_cli_load ("diagnose", argv[1], target, features, model, exclude, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  if (l.base->n < 2)
    {
      g_printerr ("%s: at least 2 cases are needed (found %zu)\n", argv[1], (size_t) l.base->n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  cs_engine_options_init (&eo);
  eo.fit = fit;
  eo.thresholds = &asked;
  eo.epsilon = epsilon;
  rc = cs_cli_build ("diagnose", &l, &eo);
  if (rc == CS_EXIT_OK)
    rc = cs_cli_thresholds_check ("diagnose", &asked, l.engine);
  if (rc != CS_EXIT_OK)
    goto out;
  e = l.engine;
  reports = g_new (CsFlagReport, e->n_sample);
  for (gsize k = 0; k < e->n_sample; k++)
    {
      cs_engine_case_report (e, k, &reports[k]);
      verdicts[reports[k].verdict]++;
      for (gsize f = 0; f < reports[k].n_flags; f++)
        flagged[reports[k].flags[f].kind]++;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) e->cases->n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, (gint64) e->cases->d);
      cs_json_add_number (b, "noise_sd", e->global.noise_sd);
      cs_json_add_number (b, "lipschitz", e->global.lipschitz);
      cs_json_add_number (b, "lipschitz_quantile", e->global.lipschitz_quantile);
      cs_json_add_number (b, "theory_radius", e->global.theory_radius);
      cs_json_add_number (b, "window_radius", e->global.window_radius);
      cs_json_add_number (b, "loo_mse_softmax", e->fit.loo_mse);
      cs_json_add_number (b, "loo_mse_linear", e->loo_mse_linear);
      cs_json_add_string (b, "linear_method", e->linear_method);
      json_builder_set_member_name (b, "baselines");
      json_builder_begin_object (b);
      /* what the rules compare with: the local-fit baselines when measured, else the older ones */
      cs_json_add_number (b, "usual_noise", e->flag_base.usual_noise > 0 ? e->flag_base.usual_noise
                                                                         : e->flag_base.noise_sd);
      cs_json_add_number (b, "typical_slope", e->flag_base.lipschitz);
      cs_json_add_number (b, "usual_spacing", e->flag_base.nn_distance);
      cs_json_add_number (b, "spacing_q99", e->flag_base.nn_distance_high);
      cs_json_add_number (b, "metric_spacing", e->flag_base.metric_nn_distance);
      cs_json_add_number (b, "metric_spacing_q99", e->flag_base.metric_nn_distance_high);
      json_builder_end_object (b);
      cs_cli_json_thresholds (b, &e->thresholds);
      cs_cli_json_policy (b, &e->policy);
      cs_cli_json_exclusions (b, &l);
      json_builder_set_member_name (b, "cases");
      json_builder_begin_array (b);
      for (gsize k = 0; k < e->n_sample; k++)
        {
          const CsLocalDiagnostics *ld = &e->sample_local[k];
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "row");
          json_builder_add_int_value (b, e->cases->line[e->sample_rows[k]]);
          cs_json_add_number (b, "local_lipschitz", ld->local_lipschitz);
          cs_json_add_number (b, "local_noise_sd", ld->local_noise_sd);
          cs_json_add_number (b, "local_variation", ld->local_variation);
          cs_json_add_number (b, "n_eff", ld->n_eff);
          /* preferred width / fitted width (NaN, i.e. null, when it could not be measured) */
          cs_json_add_number (b, "window_ratio", e->window_ratio != NULL ? e->window_ratio[k] : NAN);
          cs_cli_json_flags (b, e->cases, &reports[k], FALSE);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      cs_cli_json_problems (b, l.report);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      g_autofree char *sample = cs_engine_policy_words (&e->policy);

      printf ("%s: %zu cases, %zu features -> %s\n", e->cases->source, (size_t) e->cases->n, (size_t) e->cases->d,
              e->cases->target_name);
      printf ("noise sd (nearest-neighbour differences): %.4g\n", e->global.noise_sd);
      printf ("Lipschitz estimate (90th percentile of local slopes): %.4g per sd\n", e->global.lipschitz);
      printf ("window radius: fitted %.4g, theory (sigma^2/(L^2 n))^(1/(d+2)) %.4g (standardised)\n",
              e->global.window_radius, e->global.theory_radius);
      printf ("leave-one-out MSE: softmax %.6g, linear %.6g (%s)\n", e->fit.loo_mse, e->loo_mse_linear,
              e->linear_method);
      printf ("fail-safe baselines: usual noise %.4g %s, typical slope %.4g per sd, usual spacing %.4g sd"
              " (%.4g under the metric)\n",
              e->flag_base.usual_noise > 0 ? e->flag_base.usual_noise : e->flag_base.noise_sd, e->cases->target_unit,
              e->flag_base.lipschitz, e->flag_base.nn_distance, e->flag_base.metric_nn_distance);
      printf ("cases (leave-one-out%s%s): %zu ok, %zu check, %zu stop;", sample != NULL ? "; " : "",
              sample != NULL ? sample : "", (size_t) verdicts[CS_VERDICT_OK], (size_t) verdicts[CS_VERDICT_CHECK],
              (size_t) verdicts[CS_VERDICT_STOP]);
      for (int k = 0; k < CS_FLAG_N_KINDS; k++)
        if (flagged[k] > 0)
          printf (" %s %zu", cs_engine_flag_name ((CsFlagKind) k), (size_t) flagged[k]);
      printf ("\n");
      if (l.report != NULL && l.report->rows_skipped > 0)
        printf ("%zu rows left out (listed on standard error)\n", (size_t) l.report->rows_skipped);
    }
  rc = CS_EXIT_OK;
out:
  cs_cli_loaded_clear (&l);
  return rc;
}
