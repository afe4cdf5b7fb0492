/* test-chart-view.c: a chart view on its own: its kind, feature plane and weight map as properties, and the text
 * summary a screen reader gets, checked against the engine's numbers. Fresh engine and view per test. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-samples.h"
#include "cs-ui-test.h"

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;
  CsQueryResult *result;
  GtkWindow *host;
  CsChartView *view;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const CsChartKind *kind = data;
  g_autofree double *x = NULL;

  f->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  f->engine = cs_engine_build (f->cases, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Case 7, leave-one-out, as the operator page asks. */
  x = g_new (double, f->cases->d);
  for (gsize j = 0; j < f->cases->d; j++)
    x[j] = f->cases->x[7 * f->cases->d + j];
  f->result = cs_engine_query (f->engine, x, 7, 5, NULL);
  g_assert_nonnull (f->result);
  g_assert_true (f->result->valid);
  g_assert_nonnull (f->result->weights);
  f->view = CS_CHART_VIEW (cs_chart_view_new_for_kind (*kind, "A chart"));
  f->host = cs_ui_test_host (GTK_WIDGET (f->view), 600, 400);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->host);
  cs_ui_test_iterate ();
  cs_query_result_free (f->result);
  cs_engine_unref (f->engine);
  cs_case_base_unref (f->cases);
}

static gboolean
drawn (gpointer data)
{
  return !cs_chart_view_is_rendering (data);
}

static void
test_case_attention (Fixture       *f,
                     gconstpointer  data)
{
  gsize above = 0, best = 0;
  g_autofree char *count = NULL;
  g_autofree char *largest = NULL;
  g_autofree char *prediction = NULL;
  const char *summary;

  g_test_summary ("The case-attention summary counts the cases above 1 % weight and names the heaviest, as the "
                  "engine weighted them, with the prediction");
  g_assert_null (cs_chart_view_get_summary (f->view));
  cs_chart_data_attach (f->view, f->engine, f->result);
  summary = cs_chart_view_get_summary (f->view);
  g_assert_nonnull (summary);
  for (gsize i = 0; i < f->cases->n; i++)
    {
      above += f->result->weights[i] > 0.01 ? 1 : 0;
      if (f->result->weights[i] > f->result->weights[best])
        best = i;
    }
  /* The heaviest case is the engine's first used case (the very same stored weight). */
  g_assert_cmpuint (best, ==, f->result->top[0].index);
  count = g_strdup_printf ("A chart: %zu case%s with weight above 1 %%", above, above == 1 ? "" : "s");
  if (f->cases->ids != NULL)
    largest = g_strdup_printf ("the largest %.2f for case %s", f->result->weights[best], f->cases->ids[best]);
  else
    largest = g_strdup_printf ("the largest %.2f for case line %u", f->result->weights[best], f->cases->line[best]);
  prediction = g_strdup_printf ("prediction %.4g %s", f->result->prediction.prediction, f->cases->target_unit);
  g_test_message ("summary: %s", summary);
  g_assert_true (g_str_has_prefix (summary, count));
  g_assert_nonnull (strstr (summary, largest));
  g_assert_nonnull (strstr (summary, prediction));

  /* Another query changes it; no query clears it. */
  {
    g_autofree char *before = g_strdup (summary);
    CsQueryResult *other;
    g_autofree double *x = g_new (double, f->cases->d);

    for (gsize j = 0; j < f->cases->d; j++)
      x[j] = f->cases->x[40 * f->cases->d + j];
    other = cs_engine_query (f->engine, x, 40, 5, NULL);
    cs_chart_data_attach (f->view, f->engine, other);
    g_assert_cmpstr (cs_chart_view_get_summary (f->view), !=, before);
    cs_query_result_free (other);
  }
  cs_chart_data_attach (f->view, f->engine, NULL);
  g_assert_false (cs_chart_view_has_content (f->view));
  g_assert_null (cs_chart_view_get_summary (f->view));
}

static void
test_feature_plane (Fixture       *f,
                    gconstpointer  data)
{
  const CsFeatureMapData *map;
  int fx = 0, fy = 0;
  g_autofree char *names = NULL;

  g_test_summary ("The feature map follows the view's feature-x and feature-y, and its summary names them");
  g_assert_cmpuint (f->cases->d, >=, 3);
  cs_chart_view_get_features (f->view, &fx, &fy);
  g_assert_cmpint (fx, ==, -1);
  g_assert_cmpint (fy, ==, -1);
  g_object_set (f->view, "feature-x", 2, "feature-y", 0, NULL);
  cs_chart_data_attach (f->view, f->engine, f->result);
  map = cs_chart_data_get_chart (f->view)->data;
  g_assert_cmpstr (map->x_name, ==, f->cases->feature_names[2]);
  g_assert_cmpstr (map->y_name, ==, f->cases->feature_names[0]);
  names = g_strdup_printf ("%zu cases over %s and %s", f->cases->n, f->cases->feature_names[2],
                           f->cases->feature_names[0]);
  g_assert_nonnull (strstr (cs_chart_view_get_summary (f->view), names));

  /* The weight map is the view's: a change redraws, in a worker. */
  g_assert_cmpint (cs_chart_view_get_weight_map (f->view), ==, CS_COLORMAP_VIRIDIS);
  cs_ui_test_wait_until (drawn, f->view, 30);
  g_object_set (f->view, "weight-map", CS_COLORMAP_CIVIDIS, NULL);
  g_assert_cmpint (cs_chart_view_get_weight_map (f->view), ==, CS_COLORMAP_CIVIDIS);
  g_assert_true (cs_chart_view_is_rendering (f->view));
  cs_ui_test_wait_until (drawn, f->view, 30);
}

int
main (int    argc,
      char **argv)
{
  static const CsChartKind attention = CS_CHART_CASE_ATTENTION, map = CS_CHART_FEATURE_MAP;

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add ("/cs/ui/chart-view/case-attention-summary", Fixture, &attention, fixture_set_up, test_case_attention,
              fixture_tear_down);
  g_test_add ("/cs/ui/chart-view/feature-plane", Fixture, &map, fixture_set_up, test_feature_plane,
              fixture_tear_down);
  return g_test_run ();
}
