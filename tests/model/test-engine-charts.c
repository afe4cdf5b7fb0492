/* test-engine-charts.c: the engine's chart builder shows the engine's stored numbers: the feature map coloured by
 * the window the data asks for has one point per case of the policy's sample, valued log2 (window_ratio) from the
 * engine; the per-query charts need a query; the paper's charts do not name a case base; the backtest chart and the
 * intervals on the per-query charts carry the engine's numbers. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-engine-charts.h"
#include "cs-engine-private.h"
#include "cs-samples.h"
#include "drift-gen.h"

static void
test_window_ratio_map (void)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_samples_load ("kiln", &error);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(CsEngineChart) chart = NULL;
  g_autoptr(CsEngineChart) refused = NULL;
  CsQueryResult *result;
  CsChartOptions options;
  const CsFeatureMapData *map;
  gsize below = 0, above = 0;

  g_test_summary ("The feature map coloured by the window the data asks for shows the engine's window_ratio");
  g_assert_no_error (error);
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (engine->window_ratio);
  result = cs_engine_query (engine, cases->x + 7 * cases->d, 7, 5, NULL);
  g_assert_true (result->valid);

  cs_chart_options_init (&options);
  options.color_by_window_ratio = TRUE;
  chart = cs_engine_chart_build (engine, CS_CHART_FEATURE_MAP, result, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  map = cs_engine_chart_get (chart)->data;
  g_assert_cmpuint (map->n, ==, engine->n_sample);
  g_assert_cmpuint (cs_engine_chart_cases (chart), ==, engine->n_sample);
  g_assert_true (map->signed_values);
  for (gsize k = 0; k < map->n; k++)
    {
      gsize i = engine->sample_rows[k];
      /* the same stored ratio through the same log2: equal bits */
      g_assert_cmpfloat (map->values[k], ==, log2 (engine->window_ratio[k]));
      g_assert_true (map->x[k] == cases->x[i * cases->d + 0] || map->x[k] == cases->x[i * cases->d + 1]);
      below += map->values[k] < 0;
      above += map->values[k] > 0;
    }
  /* kiln has a steep ridge and a noisy box: the data asks for narrower windows somewhere and wider elsewhere */
  g_assert_cmpuint (below, >, 0);
  g_assert_cmpuint (above, >, 0);

  /* A per-query chart without a query is refused, not drawn empty. */
  refused = cs_engine_chart_build (engine, CS_CHART_CASE_ATTENTION, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  cs_query_result_free (result);
  cs_case_base_unref (cases);
}

/* The backtest chart shows the backtest's own numbers: its errors and CUSUM per case in time order, the share of
 * the last `window` forward outcomes inside their interval (counted here again), and its alarms; built from an
 * order key it runs the same backtest. An engine without an order is refused, not drawn empty. */
static void
test_backtest_chart (void)
{
  const guint64 seeds[] = { 11, 12 };

  g_test_summary ("The backtest chart carries the backtest's errors, CUSUM and alarms, and the rolling coverage");
  for (guint s = 0; s < G_N_ELEMENTS (seeds); s++)
    {
      gsize n = 900, shift_at = 600, window = s == 0 ? 0 : 40;
      CsCaseBase *cases = drift_generate (seeds[s], n, shift_at, 2.0);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsEngine) engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
      g_autoptr(CsBacktest) bt = NULL;
      g_autoptr(CsEngineChart) chart = NULL, keyed = NULL, refused = NULL;
      g_autofree double *key = g_new (double, n);
      const CsBacktestChartData *d, *dk;
      CsBacktestOptions bo;
      CsChartOptions options;
      gsize w;
      gboolean near_shift = FALSE;

      g_assert_no_error (error);
      for (gsize i = 0; i < n; i++)
        key[i] = (double) i;
      cs_backtest_options_init (&bo);
      bt = cs_backtest_run (cases, key, &bo, NULL, &error);
      g_assert_no_error (error);

      cs_chart_options_init (&options);
      options.backtest = bt;
      options.coverage_window = window;
      options.order_name = "when";
      chart = cs_engine_chart_build (engine, CS_CHART_BACKTEST, NULL, &options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      d = cs_engine_chart_get (chart)->data;
      w = window > 0 ? window : CS_ENGINE_COVERAGE_WINDOW;
      g_assert_cmpuint (d->n, ==, n);
      g_assert_cmpuint (d->coverage_window, ==, w);
      g_assert_cmpfloat (d->h, ==, bt->h);
      for (gsize t = 0; t < n; t++)
        {
          gsize in = 0, known = 0;

          g_assert_cmpfloat (d->position[t], ==, (double) (t + 1));
          if (!isfinite (bt->error[t]))
            {
              g_assert_true (isnan (d->error[t]) && isnan (d->statistic[t]) && isnan (d->coverage[t]));
              continue;
            }
          /* the very same stored values */
          g_assert_cmpfloat (d->error[t], ==, bt->error[t]);
          g_assert_cmpfloat (d->statistic[t], ==, bt->statistic[t]);
          for (gsize u = t + 1 > w ? t + 1 - w : 0; u <= t; u++)
            if (isfinite (bt->error[u]))
              {
                known++;
                in += bt->covered[u] ? 1 : 0;
              }
          /* two integer counts divided the same way: equal bits */
          g_assert_cmpfloat (d->coverage[t], ==, (double) in / (double) known);
        }
      g_assert_cmpuint (d->n_alarms, ==, bt->alarms->len);
      for (gsize a = 0; a < d->n_alarms; a++)
        {
          const CsBacktestAlarm *al = &g_array_index (bt->alarms, CsBacktestAlarm, a);
          g_assert_cmpfloat (d->alarm_position[a], ==, (double) (al->position + 1));
          g_assert_cmpuint (d->alarm_line[a], ==, al->line);
          near_shift |= al->position >= shift_at && al->position < shift_at + 100;
        }
      /* a 2 sd shift: the alarm the chart shows fires within 100 cases of it */
      g_assert_true (near_shift);

      /* from the order key alone: the same backtest, run by the builder */
      options.backtest = NULL;
      options.order_key = key;
      keyed = cs_engine_chart_build (engine, CS_CHART_BACKTEST, NULL, &options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      dk = cs_engine_chart_get (keyed)->data;
      g_assert_cmpuint (dk->n_alarms, ==, d->n_alarms);
      for (gsize a = 0; a < d->n_alarms; a++)
        g_assert_cmpuint (dk->alarm_line[a], ==, d->alarm_line[a]);

      options.order_key = NULL;
      refused = cs_engine_chart_build (engine, CS_CHART_BACKTEST, NULL, &options, NULL, NULL, NULL, &error);
      g_assert_null (refused);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
      cs_case_base_unref (cases);
    }
}

/* With one feature the feature map's vertical axis is the outcome: the query's interval goes on it, the very
 * numbers of the query result; with two features it does not. */
static void
test_feature_map_interval (void)
{
  for (gsize d = 1; d <= 2; d++)
    {
      CsCaseBase *cases = drift_generate (7, 400, 0, 0);
      CsCaseBase *base = cs_case_base_new (cases->n, d);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsEngine) engine = NULL;
      g_autoptr(CsEngineChart) chart = NULL, attention = NULL;
      const CsFeatureMapData *map;
      const CsCaseAttentionData *ca;
      CsQueryResult *r;

      for (gsize j = 0; j < d; j++)
        cs_case_base_set_feature (base, j, j == 0 ? "x1" : "x2", "");
      cs_case_base_set_target (base, "y", "MPa");
      for (gsize i = 0; i < cases->n; i++)
        {
          for (gsize j = 0; j < d; j++)
            base->x[i * d + j] = cases->x[i * 3 + j];
          base->y[i] = cases->y[i];
          base->line[i] = cases->line[i];
        }
      cs_case_base_compute_stats (base);
      engine = cs_engine_build_full (base, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      r = cs_engine_query (engine, base->x + 5 * d, 5, 5, NULL);
      g_assert_true (r->valid);
      g_assert_true (isfinite (r->interval.level));
      chart = cs_engine_chart_build (engine, CS_CHART_FEATURE_MAP, r, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      map = cs_engine_chart_get (chart)->data;
      if (d == 1)
        {
          g_assert_cmpfloat (map->interval_level, ==, r->interval.level);
          g_assert_cmpfloat (map->interval_lower, ==, r->interval.lower);
          g_assert_cmpfloat (map->interval_upper, ==, r->interval.upper);
          g_assert_cmpfloat (map->query_y, ==, r->prediction.prediction);
          g_assert_cmpfloat (map->interval_lower, <, map->query_y);
          g_assert_cmpfloat (map->interval_upper, >, map->query_y);
        }
      else
        g_assert_true (isnan (map->interval_level));
      attention = cs_engine_chart_build (engine, CS_CHART_CASE_ATTENTION, r, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      ca = cs_engine_chart_get (attention)->data;
      g_assert_cmpfloat (ca->interval_lower, ==, r->interval.lower);
      g_assert_cmpfloat (ca->interval_upper, ==, r->interval.upper);
      cs_query_result_free (r);
      cs_case_base_unref (base);
      cs_case_base_unref (cases);
    }
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The per-case charts show the engine's prediction pass: the window chart's radii and the attention matrix's
 * weights are those of cs_attention_predict on the same cases, computed here again (the chart asks for no
 * distances and splits the queries into other blocks, and the matrix takes its weights from the score pass's
 * GEMM scores (bin_weights) where the weights output scores case by case, so the comparison allows rounding).
 * The attention matrix reports its query rows as the cases it predicts (export --json's chart_cases). */
static void
test_per_case_charts (void)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_samples_load ("press-line", &error);
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(CsEngineChart) window = NULL, matrix = NULL;
  const CsWindowPlotData *wd;
  const CsAttentionMatrixData *md;
  gsize n, d, m;
  g_autofree double *zq = NULL, *radius = NULL, *chart_radius = NULL, *w = NULL;
  g_autofree CsPrediction *loo = NULL;
  g_autofree size_t *self = NULL;
  CsPredictOptions po;
  double worst = 0;

  g_assert_no_error (error);
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  n = cases->n, d = cases->d, m = engine->n_sample;

  window = cs_engine_chart_build (engine, CS_CHART_WINDOW, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  wd = cs_engine_chart_get (window)->data;
  g_assert_cmpuint (wd->n, ==, m);
  zq = g_new (double, m * d);
  loo = g_new (CsPrediction, m);
  for (gsize k = 0; k < m; k++)
    memcpy (zq + k * d, engine->z + engine->sample_rows[k] * d, d * sizeof (double));
  cs_predict_options_init (&po);
  po.epsilon = engine->epsilon;
  po.flags = CS_PREDICT_WINDOW;
  po.self_index = engine->sample_rows;
  g_assert_cmpint (cs_attention_predict (engine->ctx, zq, m, &po, loo), ==, CS_OK);
  /* The chart lists the radii along its position axis; compare the two sets sorted. A weighted 90 % quantile
   * jumps to the next case's distance when rounding moves a cumulative weight across 0.9, so the bound is on
   * the share of cases off by more than 1e-6 relative (at most 1 %), not on the worst one. */
  radius = g_new (double, m);
  chart_radius = g_new (double, m);
  for (gsize k = 0; k < m; k++)
    {
      radius[k] = loo[k].radius90;
      chart_radius[k] = wd->window[k];
    }
  qsort (radius, m, sizeof (double), cmp_double);
  qsort (chart_radius, m, sizeof (double), cmp_double);
  {
    gsize off = 0;
    for (gsize k = 0; k < m; k++)
      {
        double rel = fabs (chart_radius[k] - radius[k]) / fmax (radius[k], 1e-300);
        worst = fmax (worst, rel);
        off += rel > 1e-6;
      }
    g_test_message ("window chart: worst radius %.3g relative, %zu of %zu off by more than 1e-6", worst, off, m);
    g_assert_cmpuint (off, <=, m / 100);
  }

  /* The attention matrix: every 7th query row's weights against the pass's. The matrix stores floats (half an ulp
   * is 2^-24, 6e-8 relative), so 1.2e-7 relative, plus 1e-12 for weights at the truncation bound, which rounding
   * can keep in one call and drop in the other. */
  matrix = cs_engine_chart_build (engine, CS_CHART_ATTENTION_MATRIX, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  md = cs_engine_chart_get (matrix)->data;
  g_assert_cmpuint (cs_engine_chart_cases (matrix), ==, md->rows);
  g_assert_cmpuint (md->rows, ==, n);   /* press-line is small: every case a row, every case a column */
  g_assert_cmpuint (md->cols, ==, n);
  w = g_new (double, n);
  self = g_new (size_t, 1);
  worst = 0;
  for (gsize r = 0; r < md->rows; r += 7)
    {
      CsPrediction pr;
      cs_predict_options_init (&po);
      po.epsilon = engine->epsilon;
      po.weights = w;
      self[0] = r;
      po.self_index = self;
      g_assert_cmpint (cs_attention_predict (engine->ctx, engine->z + r * d, 1, &po, &pr), ==, CS_OK);
      for (gsize i = 0; i < n; i++)
        {
          double diff = fabs ((double) md->weights[r * md->cols + i] - w[i]);
          if (w[i] > 1e-9)   /* the relative figure of the weights that are not at the truncation bound */
            worst = fmax (worst, diff / w[i]);
          g_assert_cmpfloat (diff, <=, 1.2e-7 * w[i] + 1e-12);
        }
    }
  g_test_message ("attention matrix: worst weight %.3g relative", worst);
  cs_case_base_unref (cases);
}


/* The query's charts as its worker builds them at 10^5 cases and more: the parts that need only the query
 * (distances, the feature map's plane coordinates) computed beforehand, on another thread, are the very arrays
 * the builder would compute: the same function on the same inputs, so equal bits. A precomputed plane other than
 * the one asked for is not used, and the case left out is NaN either way. */
static void
test_pre_parts (void)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_samples_load ("press-line", &error);
  g_autoptr(CsEngine) engine = NULL;
  CsQueryResult *r;
  CsChartKind kinds[2] = { CS_CHART_CASE_ATTENTION, CS_CHART_FEATURE_MAP };
  CsChartOptions options[2];
  const double *query;
  gsize n;

  g_assert_no_error (error);
  n = cases->n;
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  query = cases->x + 11 * cases->d;
  r = cs_engine_query (engine, query, 11, 5, NULL);
  g_assert_true (r->valid);
  for (guint t = 0; t < 2; t++)
    cs_chart_options_init (&options[t]);
  for (int other_plane = 0; other_plane < 2; other_plane++)
    {
      CsChartPre pre;
      g_autoptr(CsEngineChart) a0 = NULL, a1 = NULL, m0 = NULL, m1 = NULL;
      const CsCaseAttentionData *att0, *att1;
      const CsFeatureMapData *map0, *map1;

      _cs_engine_chart_pre_compute (engine, query, 11, kinds, options, 2, &pre);
      g_assert_nonnull (pre.dist);
      g_assert_nonnull (pre.fx);
      if (other_plane)
        options[1].feature_x = (int) (pre.jx == 0 ? 1 : 0), options[1].feature_y = (int) pre.jy;
      a0 = cs_engine_chart_build (engine, kinds[0], r, &options[0], NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      m0 = cs_engine_chart_build (engine, kinds[1], r, &options[1], NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      a1 = _cs_engine_chart_build_pre (engine, kinds[0], r, &options[0], &pre);
      m1 = _cs_engine_chart_build_pre (engine, kinds[1], r, &options[1], &pre);
      g_assert_nonnull (a1);
      g_assert_nonnull (m1);
      g_assert_null (pre.dist);                              /* taken by the chart */
      g_assert_true ((pre.fx == NULL) == !other_plane);      /* taken only when it is the chart's plane */
      att0 = cs_engine_chart_get (a0)->data;
      att1 = cs_engine_chart_get (a1)->data;
      map0 = cs_engine_chart_get (m0)->data;
      map1 = cs_engine_chart_get (m1)->data;
      g_assert_cmpuint (att1->n, ==, n);
      g_assert_true (isnan (att1->distances[11]));
      g_assert_cmpmem (att0->distances, n * sizeof (double), att1->distances, n * sizeof (double));
      g_assert_cmpuint (map1->n, ==, map0->n);
      g_assert_cmpmem (map0->x, n * sizeof (double), map1->x, n * sizeof (double));
      g_assert_cmpmem (map0->y, n * sizeof (double), map1->y, n * sizeof (double));
      _cs_engine_chart_pre_clear (&pre);
    }
  cs_query_result_free (r);
  cs_case_base_unref (cases);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/engine/charts/window-ratio-map", test_window_ratio_map);
  g_test_add_func ("/cs/engine/charts/backtest", test_backtest_chart);
  g_test_add_func ("/cs/engine/charts/feature-map-interval", test_feature_map_interval);
  g_test_add_func ("/cs/engine/charts/per-case", test_per_case_charts);
  g_test_add_func ("/cs/engine/charts/pre-parts", test_pre_parts);
  return g_test_run ();
}
