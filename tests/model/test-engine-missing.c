/* test-engine-missing.c: a query with a feature left empty is answered from the other features (the engine
 * refitted on them), with a missing_feature check flag whose numbers are the leave-one-out RMSE without the
 * feature against the RMSE with every feature. On a generated base where x1 matters, x2 matters and x3 does
 * not: leaving x1 out raises the error, leaving x3 out does not; the prediction without x1 is the outcome
 * averaged over x1, as the generator defines it. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine.h"
#include "cs-engine-model.h"
#include "cs-model-file.h"
#include "cs-rng.h"

#define NOISE 0.3

/* y = 3 sin (2 x1) + 2 x2 + noise, x uniform on [-1, 1]^3; x3 has no effect. E[y | x2] = 2 x2. */
static CsCaseBase *
generate (guint64 seed,
          gsize   n)
{
  CsCaseBase *cases = cs_case_base_new (n, 3);
  CsRng rng;

  cs_rng_seed (&rng, seed);
  cs_case_base_set_feature (cases, 0, "x1", "");
  cs_case_base_set_feature (cases, 1, "x2", "");
  cs_case_base_set_feature (cases, 2, "x3", "");
  cs_case_base_set_target (cases, "y", "MPa");
  for (gsize i = 0; i < n; i++)
    {
      double *x = cases->x + i * 3;
      for (gsize j = 0; j < 3; j++)
        x[j] = 2 * cs_rng_uniform (&rng) - 1;
      cases->y[i] = 3 * sin (2 * x[0]) + 2 * x[1] + NOISE * cs_rng_normal (&rng);
      cases->line[i] = (guint) i + 2;
    }
  cs_case_base_compute_stats (cases);
  return cases;
}

static const CsFlag *
missing_flag (const CsFlagReport *r,
              int                 feature)
{
  for (gsize f = 0; f < r->n_flags; f++)
    if (r->flags[f].kind == CS_FLAG_MISSING_FEATURE && r->flags[f].feature == feature)
      return &r->flags[f];
  return NULL;
}

static void
test_missing (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr(CsCaseBase) cases = generate (seed, 600);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  double rmse_with, without[3], err_sum = 0;
  guint queries = 0;
  CsRng rng;

  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  engine = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  rmse_with = sqrt (engine->fit.loo_mse);
  for (gsize j = 0; j < 3; j++)
    {
      without[j] = cs_engine_loo_rmse_without (engine, j, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("seed %" G_GUINT64_FORMAT ": RMSE %.3f, without x%zu %.3f", seed, rmse_with, j + 1,
                      without[j]);
    }
  /* x1 carries most of the signal (sd of 3 sin (2 x1) is about 2, ten times the noise): without it the error
   * is several times larger; x3 has no effect, so leaving it out cannot make the error grow by more than the
   * refit's own wobble (5 %). */
  g_assert_cmpfloat (without[0], >, 3 * rmse_with);
  g_assert_cmpfloat (without[1], >, 1.5 * rmse_with);
  g_assert_cmpfloat (without[2], <, 1.05 * rmse_with);

  cs_rng_seed (&rng, seed + 1000);
  for (guint t = 0; t < 20; t++)
    {
      double q[3] = { NAN, 1.6 * cs_rng_uniform (&rng) - 0.8, 1.6 * cs_rng_uniform (&rng) - 0.8 };
      g_autoptr(CsQueryResult) r = cs_engine_query (engine, q, -1, 5, NULL);
      const CsFlag *f = missing_flag (&r->report, 0);
      double wsum = 0;

      g_assert_true (r->valid);
      g_assert_cmpint (r->report.failure, ==, CS_FLAG_FAIL_NONE);
      g_assert_cmpint (r->report.verdict, >=, CS_VERDICT_CHECK);
      g_assert_nonnull (f);
      g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
      /* the very numbers measured once for the engine (the same stored doubles) */
      g_assert_cmpfloat (f->value, ==, without[0]);
      g_assert_cmpfloat (f->threshold, ==, rmse_with);
      g_assert_nonnull (strstr (f->message, "x1"));
      g_assert_true (isnan (r->half_width[0]));
      g_assert_true (isfinite (r->half_width[1]));
      for (gsize i = 0; i < cases->n; i++)
        wsum += r->weights[i];
      /* the weights are a softmax over all n cases: they sum to 1 up to rounding over 600 terms */
      g_assert_cmpfloat (fabs (wsum - 1), <, 1e-9);
      err_sum += fabs (r->prediction.prediction - 2 * q[1]);
      queries++;
    }
  /* Without x1 the answer is the outcome averaged over x1 near x2: E[y | x2] = 2 x2. Its spread over x1 is
   * about 2, so the mean absolute error of a window over some tens of cases stays well under 1 (measured
   * 0.16-0.28 on seeds 1-3, 0.11-0.21 on seeds 4-6). */
  g_test_message ("seed %" G_GUINT64_FORMAT ": mean |prediction - 2 x2| without x1: %.3f", seed, err_sum / queries);
  g_assert_cmpfloat (err_sum / queries, <, 0.8);

  /* The batch path gives the query what it gets alone (the same engine over the same features). */
  {
    double q[6] = { 0.3, NAN, -0.2, 0.3, NAN, -0.2 };
    CsQueryResult **rs = cs_engine_predict (engine, q, 2, NULL, 5, NULL, &error);
    g_autoptr(CsQueryResult) one = cs_engine_query (engine, q, -1, 5, NULL);

    g_assert_no_error (error);
    g_assert_cmpfloat (fabs (rs[0]->prediction.prediction - one->prediction.prediction), <=,
                       /* same sums, same order, but the single query also forms every weight: allow rounding */
                       1e-12 * fabs (one->prediction.prediction) + 1e-12);
    g_assert_nonnull (missing_flag (&rs[1]->report, 1));
    cs_engine_results_free (rs, 2);
  }

  /* The model file records each RMSE without a feature measured for this engine (the very stored doubles). */
  {
    g_autoptr(CsModelFile) mf = cs_engine_to_model_file (engine, NULL, NULL, 0);
    double v = NAN;

    for (gsize j = 0; j < 3; j++)
      {
        g_assert_true (cs_model_file_lookup_number (mf, "loo_rmse_without", cases->feature_names[j], &v));
        g_assert_cmpfloat (v, ==, without[j]);
      }
  }

  /* Every feature missing, or an infinite one: refused as before. */
  {
    double none[3] = { NAN, NAN, NAN }, inf[3] = { NAN, INFINITY, 0 };
    g_autoptr(CsQueryResult) a = cs_engine_query (engine, none, -1, 5, NULL);
    g_autoptr(CsQueryResult) b = cs_engine_query (engine, inf, -1, 5, NULL);

    g_assert_false (a->valid);
    g_assert_cmpint (a->report.failure, ==, CS_FLAG_FAIL_QUERY_NAN);
    g_assert_false (b->valid);
    g_assert_cmpint (b->report.failure, ==, CS_FLAG_FAIL_QUERY_NAN);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint64 seed = 1; seed <= 6; seed++)
    {
      g_autofree char *path = g_strdup_printf ("/cs/engine/missing/seed-%" G_GUINT64_FORMAT, seed);
      g_test_add_data_func (path, GSIZE_TO_POINTER (seed), test_missing);
    }
  return g_test_run ();
}
