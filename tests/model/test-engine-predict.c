/* test-engine-predict.c: a batch of queries through the engine in chunks (the attended sets of a chunk are bounded
 * in memory) gives each query what it gets alone, and reports the weight the truncation dropped. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine.h"
#include "cs-rng.h"
#include "cs-sample-gen.h"

static void
test_chunks (void)
{
  /* 24,000 cases: a chunk holds 256 MB / (16 bytes x n) = 699 queries at first, so 1,500 queries take two or more
   * chunks (the boundaries below are checked one by one) */
  gsize n = 24000, q = 1500, k = 4;
  CsSample *s = cs_sample_new (CS_SAMPLE_KILN, 31, n);
  g_autoptr(CsCaseBase) cases = cs_case_base_new (n, s->d);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *qs = g_new (double, q * s->d);
  g_autofree gssize *exclude = g_new (gssize, q);
  static const gsize check[] = { 0, 1, 698, 699, 700, 1000, 1398, 1399, 1499 };
  CsEngineOptions eo;
  CsQueryResult **results;
  CsRng rng;
  gsize d = s->d;

  for (gsize j = 0; j < d; j++)
    cs_case_base_set_feature (cases, j, s->feature_names[j], s->feature_units[j]);
  cs_case_base_set_target (cases, s->target_name, s->target_unit);
  memcpy (cases->x, s->x, n * d * sizeof (double));
  memcpy (cases->y, s->y, n * sizeof (double));
  for (gsize i = 0; i < n; i++)
    cases->line[i] = (guint) i + 2;
  cs_case_base_compute_stats (cases);

  cs_engine_options_init (&eo);
  g_assert_cmpfloat (eo.epsilon, ==, 1e-6);
  eo.fit = CS_ENGINE_FIT_NONE;      /* the rule-of-thumb scale: the fit is not what is tested */
  eo.preferred_window = FALSE;
  engine = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (engine->epsilon, ==, 1e-6);

  /* odd queries are cases left out of their own context, even ones fresh points */
  cs_rng_seed (&rng, 9);
  for (gsize t = 0; t < q; t++)
    {
      exclude[t] = t % 2 ? (gssize) ((t * 7919) % n) : -1;
      for (gsize j = 0; j < d; j++)
        qs[t * d + j] = exclude[t] >= 0 ? cases->x[exclude[t] * d + j]
                        : cases->mean[j] + cases->sd[j] * (2 * cs_rng_uniform (&rng) - 1);
    }
  results = cs_engine_predict (engine, qs, q, exclude, (guint) k, NULL, &error);
  g_assert_no_error (error);
  for (gsize t = 0; t < q; t++)
    {
      g_assert_true (isfinite (results[t]->prediction.prediction));
      g_assert_cmpfloat (results[t]->weight_dropped, >=, 0.0);
      g_assert_cmpfloat (results[t]->weight_dropped, <=, 1e-6);
      g_assert_cmpuint (results[t]->n_kept, >=, 1);
      g_assert_cmpuint (results[t]->n_kept, <=, n - (exclude[t] >= 0));
    }
  for (gsize c = 0; c < G_N_ELEMENTS (check); c++)
    {
      gsize t = check[c];
      g_autoptr(CsQueryResult) one = cs_engine_query (engine, qs + t * d, exclude[t], (guint) k, NULL);
      const CsQueryResult *r = results[t];

      /* a query alone goes through a score GEMM of one row instead of a block: the same sums up to their
       * rounding (1e-10 relative); the kept set and the quantiles only move when a weight or a cumulative
       * sum sits within that rounding of a bucket edge or of 0.9, which these continuous data do not do */
      g_assert_cmpfloat (fabs (one->prediction.prediction - r->prediction.prediction), <=,
                         1e-10 * (1 + fabs (one->prediction.prediction)));
      g_assert_cmpfloat (fabs (one->prediction.n_eff - r->prediction.n_eff), <=, 1e-10 * one->prediction.n_eff);
      g_assert_cmpfloat (fabs (one->local.local_noise_sd - r->local.local_noise_sd), <=,
                         1e-8 * (1 + fabs (one->local.local_noise_sd)));
      g_assert_cmpuint (one->n_kept, ==, r->n_kept);
      g_assert_cmpuint (one->k, ==, r->k);
      for (guint i = 0; i < r->k; i++)
        g_assert_cmpuint (one->top[i].index, ==, r->top[i].index);
      for (gsize j = 0; j < d; j++)
        g_assert_cmpfloat (fabs (one->half_width[j] - r->half_width[j]), <=, 1e-9 * (1 + fabs (one->half_width[j])));
      /* the single query keeps every weight for the charts; the dropped share is within epsilon there too */
      g_assert_nonnull (one->weights);
      g_assert_cmpfloat (one->weight_dropped, <=, 1e-6);
    }
  cs_engine_results_free (results, q);
  cs_sample_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/engine/predict/chunks", test_chunks);
  return g_test_run ();
}
