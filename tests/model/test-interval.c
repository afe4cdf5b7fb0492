/* test-interval.c: the engine's prediction intervals and spec probabilities (model/INTERVALS.md): the residuals
 * are the leave-one-out ones, levels nest, p_in_spec is the share of the interval's own distribution, the
 * widening rule holds, bad specs are refused with a sentence. Coverage is measured in test-interval-coverage. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine.h"
#include "cs-rng.h"
#include "cs-sample-gen.h"

static CsEngine *
sample_engine_loss (CsSampleKind kind,
                    guint64      seed,
                    gsize        n,
                    gsize        loss_cases)
{
  CsSample *s = cs_sample_new (kind, seed, n);
  g_autoptr(CsCaseBase) cases = cs_case_base_new (n, s->d);
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  CsEngine *engine;

  for (gsize j = 0; j < s->d; j++)
    cs_case_base_set_feature (cases, j, s->feature_names[j], s->feature_units[j]);
  cs_case_base_set_target (cases, s->target_name, s->target_unit);
  memcpy (cases->x, s->x, n * s->d * sizeof (double));
  memcpy (cases->y, s->y, n * sizeof (double));
  for (gsize i = 0; i < n; i++)
    cases->line[i] = (guint) i + 2;
  cs_case_base_compute_stats (cases);
  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  eo.loss_cases = loss_cases;
  eo.fit = loss_cases > 0 ? CS_ENGINE_FIT_NONE : CS_ENGINE_FIT_SCALAR;  /* one window for both, below */
  engine = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cs_sample_free (s);
  return engine;
}

static CsEngine *
sample_engine (CsSampleKind kind,
               guint64      seed,
               gsize        n)
{
  return sample_engine_loss (kind, seed, n, 0);
}

static void
test_sample_mode (void)
{
  /* the same case base and window, every case a loss case, or all but one (the sample route of bases above
   * CS_ENGINE_EXACT_MAX: the query's attention over the loss sample, computed from the metric) */
  gsize n = 900;
  g_autoptr(CsEngine) all = sample_engine_loss (CS_SAMPLE_KILN, 73, n, n);
  g_autoptr(CsEngine) most = sample_engine_loss (CS_SAMPLE_KILN, 73, n, n - 1);
  gsize d = all->cases->d, q = 200, same_t = 0, finite = 0;
  g_autofree double *x = g_new (double, q * d);
  g_autoptr(GError) error = NULL;
  CsQueryResult **a, **b;
  CsRng rng;

  g_test_summary ("Above the exact limit the interval's weights are the query's attention over the loss sample: "
                  "with all but one case in the sample they choose the tempering the attended set chooses");
  g_assert_cmpuint (all->policy.loss_cases, ==, n);
  g_assert_cmpuint (most->policy.loss_cases, ==, n - 1);
  for (gsize i = 0; i < n; i++)
    finite += isfinite (most->loo_residual[i]);
  g_assert_cmpuint (finite, ==, n - 1);
  cs_rng_seed (&rng, 11);
  for (gsize t = 0; t < q; t++)
    g_assert_cmpint (cs_sample_draw_query (CS_SAMPLE_KILN, (CsRegion) (t % 3), &rng, x + t * d), ==, 0);
  a = cs_engine_predict (all, x, q, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  b = cs_engine_predict (most, x, q, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  for (gsize t = 0; t < q; t++)
    {
      g_assert_true (b[t]->interval.lower <= b[t]->prediction.prediction
                     && b[t]->interval.upper >= b[t]->prediction.prediction);
      /* one case fewer and no truncation: the tempering agrees unless n_eff sits at the rule's edge (a wrong
       * scale in the sample's scores, a factor 2, moves every choice a step or more) */
      same_t += a[t]->interval.temper == b[t]->interval.temper;
      if (a[t]->interval.temper == b[t]->interval.temper && a[t]->interval.localised)
        g_assert_cmpfloat (fabs (a[t]->interval.n_eff - b[t]->interval.n_eff), <=, 0.05 * a[t]->interval.n_eff);
    }
  g_assert_cmpuint (same_t, >=, q * 9 / 10);
  /* the residual scales on the sample route: the case's kernel over the other sample cases, renormalised over
   * them; from every case's weight here (the sample route truncates nothing, so up to rounding) */
  g_assert_nonnull (most->loo_abs_scale);
  for (gsize i = 0; i < n; i += 29)
    {
      g_autoptr(CsQueryResult) r = cs_engine_query (most, most->cases->x + i * d, (gssize) i, 0, NULL);
      double swr = 0, sw = 0;

      if (!isfinite (most->loo_residual[i]))
        {
          g_assert_true (isnan (most->loo_abs_scale[i]));
          continue;
        }
      for (gsize j = 0; j < n; j++)
        if (j != i && isfinite (most->loo_residual[j]))
          {
            sw += r->weights[j];
            swr += r->weights[j] * fabs (most->loo_residual[j]);
          }
      g_assert_cmpfloat_with_epsilon (most->loo_abs_scale[i], swr / sw, 1e-9 * swr / sw);
    }
  cs_engine_results_free (a, q);
  cs_engine_results_free (b, q);
}

static void
test_wide_route (void)
{
  /* kiln's narrow window: many attended sets hold fewer than CS_ENGINE_INTERVAL_MIN_EFF cases */
  g_autoptr(CsEngine) engine = sample_engine (CS_SAMPLE_KILN, 74, 1500);
  gsize n = engine->cases->n, d = engine->cases->d, q = 240, wide = 0;
  g_autofree double *x = g_new (double, q * d);
  g_autofree double *M = g_new (double, d * d);
  g_autofree double *zq = g_new (double, d);
  g_autofree double *lw = g_new (double, n);
  g_autoptr(GError) error = NULL;
  CsQueryResult **a, **b;
  CsRng rng;

  g_test_summary ("With interval_wide 1 a query whose attended set cannot reach the effective cases is tempered "
                  "over its distance scores to every case; the others keep their interval");
  cs_rng_seed (&rng, 12);
  for (gsize t = 0; t < q; t++)
    g_assert_cmpint (cs_sample_draw_query (CS_SAMPLE_KILN, (CsRegion) (t % 3), &rng, x + t * d), ==, 0);
  engine->interval_wide = 0;
  a = cs_engine_predict (engine, x, q, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  engine->interval_wide = 1;
  b = cs_engine_predict (engine, x, q, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  cs_metric_to_matrix (&engine->metric, M);
  for (gsize t = 0; t < q; t++)
    {
      const CsInterval *ia = &a[t]->interval, *ib = &b[t]->interval;

      g_assert_false (ia->wide);
      if (ia->localised)
        {
          /* the same code on the same stored residuals and weights: the very same values */
          g_assert_false (ib->wide);
          g_assert_cmpfloat (ia->lower, ==, ib->lower);
          g_assert_cmpfloat (ia->upper, ==, ib->upper);
          continue;
        }
      /* a fallback query: now localised over every case, on at least the target's effective residuals, at the
       * first T of the ladder that reaches them */
      g_assert_true (ib->wide && ib->localised);
      g_assert_cmpfloat (ib->n_eff, >=, CS_ENGINE_INTERVAL_MIN_EFF);
      g_assert_cmpfloat (ib->lower, <=, b[t]->prediction.prediction);
      g_assert_cmpfloat (ib->upper, >=, b[t]->prediction.prediction);
      wide++;
      {
        /* n_eff by hand from the metric: v_i = exp ((l_i - l_max) / T), l_i = -(z_i - q)' M (z_i - q) / 2 */
        double lmax = -INFINITY, s = 0, s2 = 0, s_prev = 0, s2_prev = 0;
        double t_prev = ib->temper / 2;   /* on the ladder the step before T is at least T / 2 */

        for (gsize j = 0; j < d; j++)
          zq[j] = (x[t * d + j] - engine->mean[j]) / engine->sd[j];
        for (gsize i = 0; i < n; i++)
          {
            double q2 = 0;

            for (gsize u = 0; u < d; u++)
              for (gsize v = 0; v < d; v++)
                q2 += (engine->z[i * d + u] - zq[u]) * M[u * d + v] * (engine->z[i * d + v] - zq[v]);
            lw[i] = -0.5 * q2;
            lmax = MAX (lmax, lw[i]);
          }
        for (gsize i = 0; i < n; i++)
          {
            double v = exp ((lw[i] - lmax) / ib->temper), vp = exp ((lw[i] - lmax) / t_prev);
            s += v;
            s2 += v * v;
            s_prev += vp;
            s2_prev += vp * vp;
          }
        /* the sums in another order: equal up to rounding */
        g_assert_cmpfloat_with_epsilon (ib->n_eff, s * s / s2, 1e-9 * ib->n_eff);
        /* a narrower kernel than T (at most the ladder's previous step) does not reach the target */
        if (ib->temper > 1)
          g_assert_cmpfloat (s_prev * s_prev / s2_prev, <, CS_ENGINE_INTERVAL_MIN_EFF);
      }
    }
  g_test_message ("%zu of %zu queries took the wide route", wide, q);
  /* the route is taken at all (about a third of kiln's development queries; INTERVALS.md) */
  g_assert_cmpuint (wide, >=, q / 10);
  cs_engine_results_free (a, q);
  cs_engine_results_free (b, q);
}

static void
test_test_mass_rules (void)
{
  g_autoptr(CsEngine) engine = sample_engine (CS_SAMPLE_PRESS_LINE, 75, 1200);
  gsize d = engine->cases->d, q = 150, narrower = 0;
  g_autofree double *x = g_new (double, q * d);
  g_autoptr(GError) error = NULL;
  CsQueryResult **r[6] = { NULL };
  CsRng rng;

  g_test_summary ("The test point's mass and the interpolated quantile (development variants, INTERVALS.md): "
                  "less mass nests the interval inside, interpolation never reaches past the step rule's residual");
  cs_rng_seed (&rng, 13);
  for (gsize t = 0; t < q; t++)
    g_assert_cmpint (cs_sample_draw_query (CS_SAMPLE_PRESS_LINE, (CsRegion) (t % 3), &rng, x + t * d), ==, 0);
  for (int mode = 0; mode < 6; mode++)
    {
      if (mode == 1)
        continue;   /* the heaviest weight: not on the same scale as the mean one */
      engine->interval_test_mass = mode;
      r[mode] = cs_engine_predict (engine, x, q, NULL, 0, NULL, &error);
      g_assert_no_error (error);
    }
  for (gsize t = 0; t < q; t++)
    {
      const CsInterval *full = &r[0][t]->interval, *none = &r[2][t]->interval, *half = &r[3][t]->interval;
      const CsInterval *step = &r[4][t]->interval, *mid = &r[5][t]->interval;
      /* interpolating computes r_a + f (r_b - r_a), which at f = 1 may differ from r_b in the last bit */
      double tol = 1e-9 * (full->upper - full->lower);

      /* a smaller share for the test point lowers both tails' targets: the quantiles move inward */
      g_assert_cmpfloat (none->upper, <=, half->upper);
      g_assert_cmpfloat (half->upper, <=, full->upper);
      g_assert_cmpfloat (none->lower, >=, half->lower);
      g_assert_cmpfloat (half->lower, >=, full->lower);
      /* the distribution function joined between its steps reaches the target no later than the step rule */
      g_assert_cmpfloat (step->upper, <=, full->upper + tol);
      g_assert_cmpfloat (step->lower, >=, full->lower - tol);
      /* each residual at the middle of its weight rather than at its top: the target is reached later */
      g_assert_cmpfloat (mid->upper, >=, step->upper - tol);
      g_assert_cmpfloat (mid->lower, <=, step->lower + tol);
      g_assert_cmpfloat (step->lower, <=, r[4][t]->prediction.prediction);
      g_assert_cmpfloat (step->upper, >=, r[4][t]->prediction.prediction);
      narrower += step->upper < full->upper - tol || step->lower > full->lower + tol;
    }
  /* interpolation changes something: a residual's weight is rarely hit exactly */
  g_assert_cmpuint (narrower, >=, q / 2);
  for (int mode = 0; mode < 6; mode++)
    if (r[mode] != NULL)
      cs_engine_results_free (r[mode], q);
}

static void
test_residuals (void)
{
  g_autoptr(CsEngine) engine = sample_engine (CS_SAMPLE_KILN, 71, 500);
  gsize n = engine->cases->n, d = engine->cases->d;

  g_test_summary ("Every case's stored residual is its outcome minus its leave-one-out prediction");
  g_assert_nonnull (engine->loo_residual);
  for (gsize i = 0; i < n; i += 37)
    {
      g_autoptr(CsQueryResult) r = cs_engine_query (engine, engine->cases->x + i * d, (gssize) i, 0, NULL);
      double e = engine->cases->y[i] - r->prediction.prediction;

      /* the loss pass predicts blocks of cases, the query one: the same sums up to their rounding */
      g_assert_cmpfloat_with_epsilon (engine->loo_residual[i], e, 1e-9 * (1 + fabs (e)));
      g_assert_cmpfloat_with_epsilon (engine->loo_scale[i], r->prediction.local_sd,
                                      1e-9 * (1 + r->prediction.local_sd));
      /* the residual scale: the mean |r_j| of the other cases under case i's leave-one-out weights, here from
       * every case's weight; the stored one is over the attended set, which drops at most epsilon = 1e-6 of
       * the weight, so the two differ by at most about 2e-6 x the largest |r_j| */
      {
        double swr = 0, sw = 0, r_max = 0;

        g_assert_nonnull (r->weights);
        for (gsize j = 0; j < n; j++)
          {
            r_max = MAX (r_max, fabs (engine->loo_residual[j]));
            if (j != i)
              {
                sw += r->weights[j];
                swr += r->weights[j] * fabs (engine->loo_residual[j]);
              }
          }
        g_assert_cmpfloat_with_epsilon (engine->loo_abs_scale[i], swr / sw, 1e-5 * r_max);
        /* and it is not the outcomes' spread (the scale the steep region was over-covered with) */
        g_assert_cmpfloat (fabs (engine->loo_abs_scale[i] - engine->loo_scale[i]), >, 1e-5 * r_max);
      }
    }
}

static void
test_levels_and_spec (void)
{
  g_autoptr(CsEngine) engine = sample_engine (CS_SAMPLE_PRESS_LINE, 72, 1200);
  gsize d = engine->cases->d, q = 60;
  g_autofree double *x = g_new (double, q * d);
  static const double levels[] = { 0.5, 0.8, 0.9, 0.95 };
  CsQueryResult **r[G_N_ELEMENTS (levels)];
  g_autoptr(GError) error = NULL;
  CsRng rng;

  g_test_summary ("Intervals nest by level around the prediction; p_in_spec of the interval's own ends is the "
                  "share the level leaves out, limits on both sides of every residual give 1");
  cs_rng_seed (&rng, 5);
  for (gsize t = 0; t < q; t++)
    g_assert_cmpint (cs_sample_draw_query (CS_SAMPLE_PRESS_LINE, (CsRegion) (t % 3), &rng, x + t * d), ==, 0);
  for (gsize l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      CsIntervalSpec spec;

      cs_interval_spec_init (&spec);
      g_assert_cmpfloat (spec.level, ==, CS_ENGINE_DEFAULT_LEVEL);
      spec.level = levels[l];
      r[l] = cs_engine_predict_spec (engine, x, q, NULL, 0, &spec, NULL, &error);
      g_assert_no_error (error);
    }
  for (gsize t = 0; t < q; t++)
    {
      double y_hat = r[0][t]->prediction.prediction;

      g_assert_true (r[0][t]->valid);
      g_assert_true (isnan (r[0][t]->p_in_spec));   /* no limits, no probability */
      for (gsize l = 0; l < G_N_ELEMENTS (levels); l++)
        {
          const CsInterval *in = &r[l][t]->interval;

          g_assert_cmpfloat (in->level, ==, levels[l]);
          g_assert_cmpfloat (in->lower, <=, y_hat);
          g_assert_cmpfloat (in->upper, >=, y_hat);
          g_assert_true (isfinite (in->lower) && isfinite (in->upper));
          /* the widening rule: enough effective residuals, or the global ones said as such */
          g_assert_true (in->localised ? in->n_eff >= CS_ENGINE_INTERVAL_MIN_EFF * (1 - 1e-12)
                                       : isinf (in->temper));
          if (l > 0)
            {
              /* the same weights and residuals at every level (the widening rule does not read it) */
              g_assert_cmpfloat (in->lower, <=, r[l - 1][t]->interval.lower);
              g_assert_cmpfloat (in->upper, >=, r[l - 1][t]->interval.upper);
              g_assert_cmpfloat (in->n_eff, ==, r[l - 1][t]->interval.n_eff);
            }
        }
    }

  /* p_in_spec with the 0.8 interval's ends as limits: the upper end is the residual where the cumulative share
   * (with the test point's) first reaches 0.9, so above it lies at most 0.1 of the residuals' weight, and below
   * the lower end at most 0.1 */
  {
    CsIntervalSpec spec;
    CsQueryResult **above, **below, **both, **wide;

    for (gsize t = 0; t < q; t++)
      {
        const CsInterval *in = &r[1][t]->interval;
        gsize one = 1;

        cs_interval_spec_init (&spec);
        spec.spec_upper = in->upper;
        below = cs_engine_predict_spec (engine, x + t * d, one, NULL, 0, &spec, NULL, &error);
        cs_interval_spec_init (&spec);
        spec.spec_lower = in->lower;
        above = cs_engine_predict_spec (engine, x + t * d, one, NULL, 0, &spec, NULL, &error);
        spec.spec_upper = in->upper;
        both = cs_engine_predict_spec (engine, x + t * d, one, NULL, 0, &spec, NULL, &error);
        cs_interval_spec_init (&spec);
        spec.spec_lower = in->lower - 1e6 * (in->upper - in->lower + 1);
        spec.spec_upper = in->upper + 1e6 * (in->upper - in->lower + 1);
        wide = cs_engine_predict_spec (engine, x + t * d, one, NULL, 0, &spec, NULL, &error);
        g_assert_cmpfloat (below[0]->p_in_spec, >=, 0.9 - 1e-12);
        g_assert_cmpfloat (above[0]->p_in_spec, >=, 0.9 - 1e-12);
        g_assert_cmpfloat (both[0]->p_in_spec, >=, 0.8 - 1e-12);
        g_assert_cmpfloat (both[0]->p_in_spec, <=, MIN (below[0]->p_in_spec, above[0]->p_in_spec));
        g_assert_cmpfloat (wide[0]->p_in_spec, ==, 1.0);   /* every residual inside: the same sum over itself */
        {
          g_autofree char *words = cs_query_result_spec_words (wide[0]);
          g_assert_cmpstr (words, ==, "in spec, 100 %");
        }
        cs_engine_results_free (below, 1);
        cs_engine_results_free (above, 1);
        cs_engine_results_free (both, 1);
        cs_engine_results_free (wide, 1);
      }
  }
  {
    g_autofree char *words = cs_query_result_interval_words (r[2][0], "MPa");
    g_assert_true (g_str_has_prefix (words, "90 % of outcomes like this one fall between "));
    g_assert_true (g_str_has_suffix (words, " MPa"));
  }
  for (gsize l = 0; l < G_N_ELEMENTS (levels); l++)
    cs_engine_results_free (r[l], q);
}

static void
test_spec_words (void)
{
  CsQueryResult r = { 0 };
  char *w;

  g_test_summary ("The spec words name the verdict and its probability");
  r.p_in_spec = 0.973;
  w = cs_query_result_spec_words (&r);
  g_assert_cmpstr (w, ==, "in spec, 97 %");
  g_free (w);
  r.p_in_spec = 0.04;
  w = cs_query_result_spec_words (&r);
  g_assert_cmpstr (w, ==, "out of spec, 96 %");
  g_free (w);
  r.p_in_spec = 0.5;
  w = cs_query_result_spec_words (&r);
  g_assert_cmpstr (w, ==, "borderline, 50 % in spec");
  g_free (w);
  r.p_in_spec = NAN;
  g_assert_null (cs_query_result_spec_words (&r));
}

static void
test_spec_check (void)
{
  CsIntervalSpec spec;
  char *why;

  g_test_summary ("A level outside (0, 1) or crossed limits are refused with a sentence");
  cs_interval_spec_init (&spec);
  g_assert_null (cs_interval_spec_check (&spec));
  g_assert_false (cs_interval_spec_has_limits (&spec));
  spec.level = 90;
  why = cs_interval_spec_check (&spec);
  g_assert_nonnull (strstr (why, "between 0 and 1"));
  g_free (why);
  cs_interval_spec_init (&spec);
  spec.spec_lower = 5;
  spec.spec_upper = 4;
  g_assert_true (cs_interval_spec_has_limits (&spec));
  why = cs_interval_spec_check (&spec);
  g_assert_nonnull (strstr (why, "above the upper"));
  g_free (why);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/engine/interval/residuals", test_residuals);
  g_test_add_func ("/cs/engine/interval/sample-mode", test_sample_mode);
  g_test_add_func ("/cs/engine/interval/wide-route", test_wide_route);
  g_test_add_func ("/cs/engine/interval/test-mass-rules", test_test_mass_rules);
  g_test_add_func ("/cs/engine/interval/levels-and-spec", test_levels_and_spec);
  g_test_add_func ("/cs/engine/interval/spec-words", test_spec_words);
  g_test_add_func ("/cs/engine/interval/spec-check", test_spec_check);
  return g_test_run ();
}
