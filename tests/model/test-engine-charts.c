/* test-engine-charts.c: the engine's chart builder shows the engine's stored numbers: the feature map coloured by
 * the window the data asks for has one point per case of the policy's sample, valued log2 (window_ratio) from the
 * engine; the per-query charts need a query; the paper's charts do not name a case base. */
#include "config.h"

#include <math.h>

#include <glib.h>

#include "cs-engine-charts.h"
#include "cs-samples.h"

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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/engine/charts/window-ratio-map", test_window_ratio_map);
  return g_test_run ();
}
