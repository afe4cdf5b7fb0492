/* test-engine-categories.c: category columns through the engine: the fitted penalties (a supplier that shifts
 * the outcome gets one, a shift that does not gets none), the query's levels, the per-case same/other value,
 * the low-support flag for an unknown value or an unseen combination, and the round trip through a model file. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine.h"
#include "cs-engine-model.h"
#include "cs-model-file.h"
#include "cs-rng.h"

#define NOISE 0.3

/* y = sin (2 x1) + x2 + 3 NOISE (supplier - 1) + noise, x uniform on [-1, 1]^2; supplier in A, B, C shifts the
 * outcome by 3 noise sd per level, shift (early, late) does nothing. without_combination: supplier C never runs
 * the late shift. */
static CsCaseBase *
generate (guint64  seed,
          gsize    n,
          gboolean without_combination)
{
  CsCaseBase *cases = cs_case_base_new (n, 2);
  char **names = g_new0 (char *, 3), ***levels = g_new0 (char **, 2);
  gint *codes = g_new (gint, n * 2);
  CsRng rng;

  cs_rng_seed (&rng, seed);
  cs_case_base_set_feature (cases, 0, "x1", "");
  cs_case_base_set_feature (cases, 1, "x2", "");
  cs_case_base_set_target (cases, "y", "MPa");
  for (gsize i = 0; i < n; i++)
    {
      double *x = cases->x + i * 2;
      gint s = (gint) (cs_rng_uniform (&rng) * 3), h = cs_rng_uniform (&rng) < 0.5;
      if (without_combination && s == 2)
        h = 0;
      x[0] = 2 * cs_rng_uniform (&rng) - 1;
      x[1] = 2 * cs_rng_uniform (&rng) - 1;
      codes[i * 2] = s;
      codes[i * 2 + 1] = h;
      cases->y[i] = sin (2 * x[0]) + x[1] + 3 * NOISE * (s - 1) + NOISE * cs_rng_normal (&rng);
      cases->line[i] = (guint) i + 2;
    }
  names[0] = g_strdup ("supplier");
  names[1] = g_strdup ("shift");
  levels[0] = g_strsplit ("A,B,C", ",", -1);
  levels[1] = g_strsplit ("early,late", ",", -1);
  cs_case_base_take_categories (cases, 2, names, levels, codes);
  cs_case_base_compute_stats (cases);
  return cases;
}

static CsEngine *
build (CsCaseBase *cases)
{
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  CsEngine *engine;

  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  engine = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return engine;
}

static const CsFlag *
category_flag (const CsFlagReport *r)
{
  for (gsize f = 0; f < r->n_flags; f++)
    if (r->flags[f].kind == CS_FLAG_LOW_SUPPORT && g_strcmp0 (r->flags[f].measure, "category") == 0)
      return &r->flags[f];
  return NULL;
}

/* The supplier gets a penalty, the shift none, and the leave-one-out error with them is at least 30 % lower
 * (as a mean squared error) than on the same base without category columns. */
static void
test_fit (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr(CsCaseBase) cases = generate (seed, 500, FALSE);
  g_autoptr(CsCaseBase) plain = generate (seed, 500, FALSE);
  g_autoptr(CsEngine) engine = NULL, without = NULL;

  cs_case_base_take_categories (plain, 0, NULL, NULL, NULL);
  engine = build (cases);
  without = build (plain);
  g_test_message ("seed %" G_GUINT64_FORMAT ": lambda supplier %.4g, shift %.4g; loo mse %.4g vs %.4g without",
                  seed, cs_engine_category_lambda (engine, 0), cs_engine_category_lambda (engine, 1),
                  engine->fit.loo_mse, without->fit.loo_mse);
  g_assert_cmpuint (cs_engine_n_categories (engine), ==, 2);
  g_assert_cmpstr (cs_engine_category_name (engine, 0), ==, "supplier");
  g_assert_cmpstr (cs_engine_category_levels (engine, 1)[1], ==, "late");
  g_assert_null (cs_engine_category_levels (engine, 1)[2]);
  g_assert_cmpint (cs_engine_category_level (engine, 0, "C"), ==, 2);
  g_assert_cmpint (cs_engine_category_level (engine, 0, "Z"), ==, -1);
  g_assert_cmpfloat (cs_engine_category_lambda (engine, 0), >, 1.0);    /* another supplier weighs < e^-1 */
  g_assert_cmpfloat (cs_engine_category_lambda (engine, 1), <=, 0.05);  /* another shift keeps >= 95 % */
  g_assert_cmpfloat (engine->fit.loo_mse, <=, 0.7 * without->fit.loo_mse);
}

/* A query with its levels: the cases used are of its supplier (the getter says so, and agrees with the codes);
 * a supplier no case has: a prediction, with a low-support check flag naming the column; leave-one-out takes
 * the case's own levels. */
static void
test_query (void)
{
  g_autoptr(CsCaseBase) cases = generate (3, 500, FALSE);
  g_autoptr(CsEngine) engine = build (cases);
  double q[2] = { 0.1, -0.2 };
  gint known[2] = { 2, 1 }, unknown[2] = { -1, 0 };
  g_autoptr(CsQueryResult) r = cs_engine_query_levels (engine, q, known, -1, 10, NULL, NULL);
  g_autoptr(CsQueryResult) u = cs_engine_query_levels (engine, q, unknown, -1, 10, NULL, NULL);
  g_autoptr(CsQueryResult) loo = cs_engine_query_levels (engine, cases->x + 7 * 2, NULL, 7, 5, NULL, NULL);
  const CsFlag *f;

  g_assert_true (r->valid);
  g_assert_null (category_flag (&r->report));
  g_assert_cmpint (r->levels[0], ==, 2);
  for (guint t = 0; t < r->k; t++)
    {
      gsize i = r->top[t].index;
      g_assert_cmpint (cs_query_result_category_match (r, i, 0), ==, cases->cat_codes[i * 2] == 2);
      g_assert_cmpint (cs_query_result_category_match (r, i, 0), ==, 1);   /* lambda > 1: its own supplier first */
    }
  /* the prediction sits near supplier C's level (+3 noise sd), not the average over suppliers */
  g_assert_cmpfloat (fabs (r->prediction.prediction - (sin (0.2) - 0.2 + 3 * NOISE)), <, 2 * NOISE);

  g_assert_true (isfinite (u->prediction.prediction));
  g_assert_cmpint (u->levels[0], ==, -1);
  f = category_flag (&u->report);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  g_assert_nonnull (strstr (f->message, "supplier"));
  g_assert_cmpint (u->report.verdict, !=, CS_VERDICT_OK);
  g_assert_cmpint (cs_query_result_category_match (u, 0, 0), ==, -1);

  g_assert_cmpint (loo->levels[0], ==, cases->cat_codes[7 * 2]);
  g_assert_cmpint (loo->levels[1], ==, cases->cat_codes[7 * 2 + 1]);
}

/* Supplier C never ran the late shift: such a query is flagged (the combination, both values named), one of
 * a combination the base has is not. */
static void
test_combination (void)
{
  g_autoptr(CsCaseBase) cases = generate (5, 500, TRUE);
  g_autoptr(CsEngine) engine = build (cases);
  double q[2] = { 0.0, 0.3 };
  gint unseen[2] = { 2, 1 }, seen[2] = { 2, 0 };
  g_autoptr(CsQueryResult) a = cs_engine_query_levels (engine, q, unseen, -1, 5, NULL, NULL);
  g_autoptr(CsQueryResult) b = cs_engine_query_levels (engine, q, seen, -1, 5, NULL, NULL);
  const CsFlag *f = category_flag (&a->report);

  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->message, "supplier C"));
  g_assert_nonnull (strstr (f->message, "shift late"));
  g_assert_null (category_flag (&b->report));
}

/* Engine -> model file -> JSON -> model file -> engine: the same names, penalties and levels, and the same
 * prediction; a model whose category has another name gives that column no penalty (and no crash). */
static void
test_model_file (void)
{
  g_autoptr(CsCaseBase) cases = generate (7, 400, FALSE);
  g_autoptr(CsEngine) engine = build (cases);
  g_autoptr(CsModelFile) mf = cs_engine_to_model_file (engine, NULL, NULL, 0);
  g_autoptr(JsonNode) node = cs_model_file_to_json (mf);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsModelFile) back = cs_model_file_from_json (node, &error);
  double q[2] = { -0.4, 0.5 };
  gint lv[2] = { 1, 0 }, bad[2] = { 7, -3 };

  g_assert_no_error (error);
  g_assert_cmpuint (back->n_cat, ==, 2);
  g_assert_cmpstr (back->cat_names[1], ==, "shift");
  g_assert_cmpstr (back->cat_levels[0][2], ==, "C");
  for (gsize c = 0; c < 2; c++)
    /* JSON prints 17 significant digits: the double comes back to within its last bit */
    g_assert_cmpfloat (fabs (back->cat_lambda[c] - cs_engine_category_lambda (engine, c)), <=,
                       1e-15 * cs_engine_category_lambda (engine, c));
  {
    CsEngineOptions eo;
    CsMetric storage = { 0 };
    g_autoptr(CsEngine) again = NULL;
    g_autoptr(CsQueryResult) r1 = cs_engine_query_levels (engine, q, lv, -1, 5, NULL, NULL);
    g_autoptr(CsQueryResult) r2 = NULL, r3 = NULL;

    cs_engine_options_init (&eo);
    eo.preferred_window = FALSE;
    g_assert_true (cs_engine_options_use_model (&eo, back, &storage, &error));
    again = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    cs_metric_clear (&storage);
    g_assert_cmpfloat (fabs (cs_engine_category_lambda (again, 0) - cs_engine_category_lambda (engine, 0)), <=,
                       1e-15 * cs_engine_category_lambda (engine, 0));
    r2 = cs_engine_query_levels (again, q, lv, -1, 5, NULL, NULL);
    /* the same metric up to the JSON's last bit: the same prediction to 1e-12 */
    g_assert_cmpfloat (fabs (r1->prediction.prediction - r2->prediction.prediction), <=,
                       1e-12 * (1 + fabs (r1->prediction.prediction)));
    /* codes out of range are values the model does not know: flagged, never a crash */
    r3 = cs_engine_query_levels (again, q, bad, -1, 5, NULL, NULL);
    g_assert_cmpint (r3->levels[0], ==, -1);
    g_assert_cmpint (r3->levels[1], ==, -1);
    g_assert_nonnull (category_flag (&r3->report));
    g_assert_true (isfinite (r3->prediction.prediction));
  }
  {
    CsEngineOptions eo;
    CsMetric storage = { 0 };
    g_autoptr(CsEngine) other = NULL;

    g_free (back->cat_names[0]);
    back->cat_names[0] = g_strdup ("vendor");
    cs_engine_options_init (&eo);
    eo.preferred_window = FALSE;
    g_assert_true (cs_engine_options_use_model (&eo, back, &storage, &error));
    other = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    cs_metric_clear (&storage);
    g_assert_cmpfloat (cs_engine_category_lambda (other, 0), ==, 0.0);   /* no column of that name */
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      g_autofree char *path = g_strdup_printf ("/cs/engine/categories/fit/%" G_GUINT64_FORMAT, seed);
      g_test_add_data_func (path, GSIZE_TO_POINTER (seed), test_fit);
    }
  g_test_add_func ("/cs/engine/categories/query", test_query);
  g_test_add_func ("/cs/engine/categories/combination", test_combination);
  g_test_add_func ("/cs/engine/categories/model-file", test_model_file);
  return g_test_run ();
}
