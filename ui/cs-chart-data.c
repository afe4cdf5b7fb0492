/* cs-chart-data.c: plain chart data (copies) for the per-query charts, drawn with ui/render. */
#define G_LOG_DOMAIN "cs-chart-data"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-chart-data.h"

typedef struct
{
  CsEngine *engine;
  CsChart chart;
  CsCaseAttentionData attention;
  CsFeatureMapData map;
  CsWindowPlotData window;
  double *weights;
  double *distances;
  double *fx, *fy;
  double *position, *wvalue;
  gboolean *flagged;
  char *query_label;
  char *title;
  char *x_label;
  gboolean picked;
  gsize pick_a, pick_b;
  CsUsedCase top[5];
  guint n_top;
} ChartCtx;

static void
chart_ctx_free (gpointer data)
{
  ChartCtx *ctx = data;

  g_clear_pointer (&ctx->engine, cs_engine_unref);
  g_free (ctx->weights);
  g_free (ctx->distances);
  g_free (ctx->fx);
  g_free (ctx->fy);
  g_free (ctx->position);
  g_free (ctx->wvalue);
  g_free (ctx->flagged);
  g_free (ctx->query_label);
  g_free (ctx->title);
  g_free (ctx->x_label);
  g_free (ctx);
}

static gint weight_map = CS_COLORMAP_VIRIDIS;

void
cs_chart_data_set_colormap (CsColormap map)
{
  g_atomic_int_set (&weight_map, (gint) map);
}

CsColormap
cs_chart_data_get_colormap (void)
{
  return (CsColormap) g_atomic_int_get (&weight_map);
}

static void
draw_cb (cairo_t *cr,
         double   width,
         double   height,
         gboolean dark,
         gpointer user_data)
{
  ChartCtx *ctx = user_data;
  CsPlotStyle style;

  cs_plot_style_init (&style, dark ? CS_PLOT_DARK : CS_PLOT_LIGHT);
  style.weight_map = cs_chart_data_get_colormap ();
  cs_chart_render (cr, &ctx->chart, &style, width, height);
}

static double
min_of (const double *v,
        gsize         n)
{
  double m = INFINITY;

  for (gsize i = 0; i < n; i++)
    m = MIN (m, v[i]);
  return m;
}

static double
max_of (const double *v,
        gsize         n)
{
  double m = -INFINITY;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, v[i]);
  return m;
}

/* The heaviest cases (copied from the engine's top-k at attach time, so a hover costs nothing). */
static GString *
top_cases_text (ChartCtx *ctx,
                guint     count)
{
  CsCaseBase *c = ctx->engine->cases;
  GString *s = g_string_new (NULL);

  for (guint t = 0; t < count && t < ctx->n_top; t++)
    {
      gsize i = ctx->top[t].index;
      g_string_append_printf (s, "\n%s: w = %.4f, %s = %.4g %s, w·y = %.4g",
                              c->ids != NULL ? c->ids[i] : "case", ctx->top[t].weight, c->target_name, c->y[i],
                              c->target_unit, ctx->top[t].weight * c->y[i]);
      if (ctx->chart.kind == CS_CHART_FEATURE_MAP)
        g_string_append_printf (s, " at (%.4g, %.4g)", ctx->map.x[i], ctx->map.y[i]);
    }
  return s;
}

static char *
tooltip_cb (double   x,
            double   y,
            double   width,
            double   height,
            gpointer user_data)
{
  ChartCtx *ctx = user_data;

  switch (ctx->chart.kind)
    {
    case CS_CHART_CASE_ATTENTION:
      {
        double sum_wy, sum_w, top_wy;
        g_autoptr(GString) top = top_cases_text (ctx, 5);
        cs_case_attention_sums (&ctx->attention, &sum_wy, &sum_w, &top_wy);
        return g_strdup_printf ("ŷ = %.6g = Σwᵢyᵢ over %zu cases (Σwᵢ = %.6f); the top %u carry %.6g%s",
                                sum_wy, ctx->attention.n, sum_w, ctx->attention.top_k, top_wy, top->str);
      }
    case CS_CHART_FEATURE_MAP:
      {
        g_autoptr(GString) top = top_cases_text (ctx, 3);
        return g_strdup_printf ("Query at %s = %.4g, %s = %.4g; window ±%.3g × ±%.3g%s", ctx->map.x_name,
                                ctx->map.query_x, ctx->map.y_name, ctx->map.query_y, ctx->map.half_width_x,
                                ctx->map.half_width_y, top->str);
      }
    case CS_CHART_WINDOW:
      {
        gsize flagged = 0;
        for (gsize i = 0; i < ctx->window.n; i++)
          flagged += ctx->window.flagged[i] ? 1 : 0;
        return g_strdup_printf ("Query at %s = %.4g: n_eff %.1f. Leave-one-out n_eff of the cases ranges from "
                                "%.1f to %.1f; %zu of %zu cases are flagged (shaded).", ctx->window.position_name,
                                ctx->window.query_position, ctx->window.query_window,
                                ctx->window.n > 0 ? min_of (ctx->window.window, ctx->window.n) : NAN,
                                ctx->window.n > 0 ? max_of (ctx->window.window, ctx->window.n) : NAN,
                                flagged, ctx->window.n);
      }
    default:
      return NULL;
    }
}

typedef struct
{
  double key;
  gsize index;
} KeyIndex;

static int
cmp_key (const void *a,
         const void *b)
{
  double ka = ((const KeyIndex *) a)->key, kb = ((const KeyIndex *) b)->key;

  return (ka > kb) - (ka < kb);
}

/* The two features the window is narrowest in (most relevant), in column order. */
static void
pick_features (CsEngine *engine,
               gsize    *a,
               gsize    *b)
{
  gsize d = engine->cases->d;
  g_autofree double *hw = g_new (double, d);
  gsize best = 0, second = d > 1 ? 1 : 0;

  cs_metric_half_widths (&engine->metric, hw);
  if (d > 2)
    {
      best = 0;
      for (gsize j = 1; j < d; j++)
        if (hw[j] < hw[best])
          best = j;
      second = best == 0 ? 1 : 0;
      for (gsize j = 0; j < d; j++)
        if (j != best && hw[j] < hw[second])
          second = j;
    }
  *a = MIN (best, second);
  *b = MAX (best, second);
}

void
cs_chart_data_attach (CsChartView         *view,
                      CsEngine            *engine,
                      const CsQueryResult *result)
{
  const char *name = cs_chart_view_get_name (view);
  CsCaseBase *c;
  ChartCtx *ctx;
  gsize n, d;

  if (engine == NULL || result == NULL || !result->valid)
    {
      cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
      g_object_set_data (G_OBJECT (view), "chart", NULL);
      return;
    }
  c = engine->cases;
  n = c->n;
  d = c->d;
  ctx = g_new0 (ChartCtx, 1);
  ctx->engine = cs_engine_ref (engine);
  ctx->n_top = MIN (result->k, G_N_ELEMENTS (ctx->top));
  memcpy (ctx->top, result->top, sizeof (CsUsedCase) * ctx->n_top);
  if (result->exclude >= 0)
    ctx->query_label = c->ids != NULL
                       ? g_strdup_printf ("case %s (line %u), leave-one-out", c->ids[result->exclude],
                                          c->line[result->exclude])
                       : g_strdup_printf ("case on line %u, leave-one-out", c->line[result->exclude]);
  else
    ctx->query_label = g_strdup ("typed query");

  if (g_object_get_data (G_OBJECT (view), "feature-a") != NULL)
    {
      /* The user's choice of plane (stored as index + 1). */
      gsize fa = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (view), "feature-a")) - 1;
      gsize fb = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (view), "feature-b")) - 1;
      if (fa < d && fb < d && fa != fb)
        {
          ctx->pick_a = fa;
          ctx->pick_b = fb;
          ctx->picked = TRUE;
        }
    }
  if (g_str_equal (name, "case-attention"))
    {
      ctx->weights = g_memdup2 (result->weights, sizeof (double) * n);
      ctx->distances = g_new (double, n);
      for (gsize i = 0; i < n; i++)
        {
          double s = 0;
          for (gsize j = 0; j < d; j++)
            {
              double sd = c->sd[j] > 0 ? c->sd[j] : 1.0;
              double dz = (c->x[i * d + j] - result->query[j]) / sd;
              s += dz * dz;
            }
          ctx->distances[i] = sqrt (s);
        }
      ctx->attention.n = n;
      ctx->attention.weights = ctx->weights;
      ctx->attention.outcomes = c->y;
      ctx->attention.distances = ctx->distances;
      ctx->attention.ids = (const char * const *) c->ids;
      ctx->attention.lines = c->line;
      ctx->attention.top_k = MAX (result->k, 1);
      ctx->attention.sort = CS_CASE_SORT_WEIGHT;
      ctx->attention.prediction = result->prediction.prediction;
      ctx->attention.query_label = ctx->query_label;
      ctx->attention.target_name = c->target_name;
      ctx->attention.target_unit = c->target_unit;
      ctx->chart.kind = CS_CHART_CASE_ATTENTION;
      ctx->chart.data = &ctx->attention;
    }
  else if (g_str_equal (name, "feature-map"))
    {
      gsize a, b;

      pick_features (engine, &a, &b);
      if (ctx->picked)
        {
          a = ctx->pick_a;
          b = ctx->pick_b;
        }
      ctx->weights = g_memdup2 (result->weights, sizeof (double) * n);
      ctx->fx = g_new (double, n);
      ctx->fy = g_new (double, n);
      for (gsize i = 0; i < n; i++)
        {
          ctx->fx[i] = c->x[i * d + a];
          ctx->fy[i] = d > 1 ? c->x[i * d + b] : c->y[i];
        }
      ctx->map.n = n;
      ctx->map.x = ctx->fx;
      ctx->map.y = ctx->fy;
      ctx->map.values = ctx->weights;
      ctx->map.color_by = CS_COLOR_BY_WEIGHT;
      ctx->map.x_name = c->feature_names[a];
      ctx->map.x_unit = c->feature_units[a];
      ctx->map.y_name = d > 1 ? c->feature_names[b] : c->target_name;
      ctx->map.y_unit = d > 1 ? c->feature_units[b] : c->target_unit;
      ctx->map.value_name = "weight";
      ctx->map.value_unit = "";
      ctx->map.has_query = TRUE;
      ctx->map.query_x = result->query[a];
      ctx->map.query_y = d > 1 ? result->query[b] : result->prediction.prediction;
      ctx->map.half_width_x = cs_engine_half_width (engine, a);
      ctx->map.half_width_y = d > 1 ? cs_engine_half_width (engine, b) : 0;
      ctx->chart.kind = CS_CHART_FEATURE_MAP;
      ctx->chart.data = &ctx->map;
    }
  else if (g_str_equal (name, "window"))
    {
      gsize a, b;
      g_autofree KeyIndex *order = g_new (KeyIndex, n);

      if (engine->per_case == NULL)
        {
          chart_ctx_free (ctx);
          cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
          g_object_set_data (G_OBJECT (view), "chart", NULL);
          return;
        }
      pick_features (engine, &a, &b);
      if (ctx->picked)
        a = ctx->pick_a;
      for (gsize i = 0; i < n; i++)
        order[i] = (KeyIndex) { c->x[i * d + a], i };
      qsort (order, n, sizeof (KeyIndex), cmp_key);
      ctx->position = g_new (double, n);
      ctx->wvalue = g_new (double, n);
      ctx->flagged = g_new0 (gboolean, n);
      for (gsize t = 0; t < n; t++)
        {
          ctx->position[t] = order[t].key;
          ctx->wvalue[t] = engine->per_case[order[t].index].n_eff;
          ctx->flagged[t] = engine->case_verdict != NULL && engine->case_verdict[order[t].index] != CS_VERDICT_OK;
        }
      ctx->window.n = n;
      ctx->window.position = ctx->position;
      ctx->window.window = ctx->wvalue;
      ctx->window.flagged = ctx->flagged;
      ctx->window.position_name = c->feature_names[a];
      ctx->window.position_unit = c->feature_units[a];
      ctx->window.window_name = "effective cases n_eff (leave-one-out)";
      ctx->window.window_unit = "";
      ctx->window.flag_label = "flagged cases";
      ctx->window.has_query = TRUE;
      ctx->window.query_position = result->query[a];
      ctx->window.query_window = result->prediction.n_eff;
      ctx->window.reference = NAN;
      ctx->chart.kind = CS_CHART_WINDOW;
      ctx->chart.data = &ctx->window;
    }
  else
    {
      chart_ctx_free (ctx);
      return;
    }
  g_object_set_data (G_OBJECT (view), "chart", &ctx->chart);
  g_object_set_data (G_OBJECT (view), "verdict", (gpointer) cs_verdict_name (result->report.verdict));
  cs_chart_view_set_draw_func (view, draw_cb, tooltip_cb, ctx, chart_ctx_free);
}

const CsChart *
cs_chart_data_get_chart (CsChartView *view)
{
  return g_object_get_data (G_OBJECT (view), "chart");
}

typedef struct
{
  CsEngine *engine;
  CsChart chart;
  CsDiagnosticsData diag;
  CsSoftmaxLinearData sl;
  CsWindowSweepData sweep;
  double *fx, *fy, *lip, *noise;
  double errors[2];
  double lin[2];
  const char *categories[2];
  double *arrays[4];
} GlobalCtx;

static void
global_ctx_free (gpointer data)
{
  GlobalCtx *ctx = data;

  g_clear_pointer (&ctx->engine, cs_engine_unref);
  g_free (ctx->fx);
  g_free (ctx->fy);
  g_free (ctx->lip);
  g_free (ctx->noise);
  for (int i = 0; i < 4; i++)
    g_free (ctx->arrays[i]);
  g_free (ctx);
}

static void
global_draw_cb (cairo_t *cr,
                double   width,
                double   height,
                gboolean dark,
                gpointer user_data)
{
  GlobalCtx *ctx = user_data;
  CsPlotStyle style;

  cs_plot_style_init (&style, dark ? CS_PLOT_DARK : CS_PLOT_LIGHT);
  style.weight_map = cs_chart_data_get_colormap ();
  cs_chart_render (cr, &ctx->chart, &style, width, height);
}

static char *
global_tooltip_cb (double   x,
                   double   y,
                   double   width,
                   double   height,
                   gpointer user_data)
{
  GlobalCtx *ctx = user_data;

  if (ctx->chart.kind == CS_CHART_SOFTMAX_VS_LINEAR)
    return g_strdup_printf ("Leave-one-out MSE: softmax %.4g, linear %.4g", ctx->errors[0], ctx->lin[0]);
  if (ctx->chart.kind == CS_CHART_DIAGNOSTICS && ctx->engine != NULL)
    return g_strdup_printf ("Global noise sd %.4g (nearest-neighbour estimator); global Lipschitz %.4g "
                            "(%.0f %% quantile of the local slopes)", ctx->engine->global.noise_sd,
                            ctx->engine->global.lipschitz, 100 * ctx->engine->global.lipschitz_quantile);
  if (ctx->chart.kind == CS_CHART_WINDOW_SWEEP)
    return g_strdup ("Learned window 1/√w* against L and σ (log-log), with the theory line");
  return NULL;
}

static void
set_global (CsChartView *view,
            GlobalCtx   *ctx)
{
  g_object_set_data (G_OBJECT (view), "chart", &ctx->chart);
  g_object_set_data (G_OBJECT (view), "verdict", NULL);
  cs_chart_view_set_draw_func (view, global_draw_cb, global_tooltip_cb, ctx, global_ctx_free);
}

void
cs_chart_data_attach_global (CsChartView  *view,
                             CsEngine     *engine,
                             gboolean      has_query,
                             const double *query)
{
  const char *name = cs_chart_view_get_name (view);
  GlobalCtx *ctx;
  CsCaseBase *c;
  gsize n, d, a, b;

  if (engine == NULL || !engine->have_diagnostics)
    {
      g_object_set_data (G_OBJECT (view), "chart", NULL);
      cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
      return;
    }
  c = engine->cases;
  n = c->n;
  d = c->d;
  ctx = g_new0 (GlobalCtx, 1);
  ctx->engine = cs_engine_ref (engine);
  if (g_str_equal (name, "diagnostics") && engine->per_case != NULL)
    {
      pick_features (engine, &a, &b);
      ctx->fx = g_new (double, n);
      ctx->fy = g_new (double, n);
      ctx->lip = g_new (double, n);
      ctx->noise = g_new (double, n);
      for (gsize i = 0; i < n; i++)
        {
          ctx->fx[i] = c->x[i * d + a];
          ctx->fy[i] = d > 1 ? c->x[i * d + b] : c->y[i];
          ctx->lip[i] = engine->per_case[i].local_lipschitz;
          ctx->noise[i] = engine->per_case[i].local_noise_sd;
        }
      ctx->diag.n = n;
      ctx->diag.x = ctx->fx;
      ctx->diag.y = ctx->fy;
      ctx->diag.x_name = c->feature_names[a];
      ctx->diag.x_unit = c->feature_units[a];
      ctx->diag.y_name = d > 1 ? c->feature_names[b] : c->target_name;
      ctx->diag.y_unit = d > 1 ? c->feature_units[b] : c->target_unit;
      ctx->diag.lipschitz = ctx->lip;
      ctx->diag.lipschitz_threshold = engine->flag_base.lipschitz * engine->thresholds.variation_check;
      ctx->diag.lipschitz_unit = "outcome per sd";
      ctx->diag.noise = ctx->noise;
      ctx->diag.noise_threshold = engine->flag_base.noise_sd * engine->thresholds.noise_check;
      ctx->diag.noise_unit = c->target_unit;
      ctx->diag.has_query = has_query && query != NULL;
      if (ctx->diag.has_query)
        {
          ctx->diag.query_x = query[a];
          ctx->diag.query_y = d > 1 ? query[b] : 0;
        }
      ctx->chart.kind = CS_CHART_DIAGNOSTICS;
      ctx->chart.data = &ctx->diag;
    }
  else if (g_str_equal (name, "softmax-vs-linear") && isfinite (engine->fit.loo_mse))
    {
      ctx->errors[0] = engine->fit.loo_mse;
      ctx->lin[0] = engine->loo_mse_linear;
      ctx->categories[0] = c->source;
      ctx->sl.n_points = 1;
      ctx->sl.categories = ctx->categories;
      ctx->sl.softmax_error = ctx->errors;
      ctx->sl.linear_error = ctx->lin;
      ctx->sl.linear_floor = NAN;
      ctx->sl.error_name = "leave-one-out MSE";
      ctx->sl.error_unit = NULL;
      ctx->sl.title = "Softmax against linear attention on this case base";
      ctx->sl.subtitle = engine->metric_label;
      ctx->chart.kind = CS_CHART_SOFTMAX_VS_LINEAR;
      ctx->chart.data = &ctx->sl;
    }
  else
    {
      global_ctx_free (ctx);
      g_object_set_data (G_OBJECT (view), "chart", NULL);
      cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
      return;
    }
  set_global (view, ctx);
}

void
cs_chart_data_attach_sweep (CsChartView  *view,
                            gsize         n_l,
                            const double *l,
                            const double *window_l,
                            double        sigma_fixed,
                            gsize         n_sigma,
                            const double *sigma,
                            const double *window_sigma,
                            double        l_fixed,
                            gsize         n,
                            guint         d)
{
  GlobalCtx *ctx = g_new0 (GlobalCtx, 1);

  ctx->arrays[0] = g_memdup2 (l, sizeof (double) * MAX (n_l, 1));
  ctx->arrays[1] = g_memdup2 (window_l, sizeof (double) * MAX (n_l, 1));
  ctx->arrays[2] = g_memdup2 (sigma, sizeof (double) * MAX (n_sigma, 1));
  ctx->arrays[3] = g_memdup2 (window_sigma, sizeof (double) * MAX (n_sigma, 1));
  ctx->sweep.n_l = n_l;
  ctx->sweep.l = ctx->arrays[0];
  ctx->sweep.window_l = ctx->arrays[1];
  ctx->sweep.sigma_fixed = sigma_fixed;
  ctx->sweep.n_sigma = n_sigma;
  ctx->sweep.sigma = ctx->arrays[2];
  ctx->sweep.window_sigma = ctx->arrays[3];
  ctx->sweep.l_fixed = l_fixed;
  ctx->sweep.n = n;
  ctx->sweep.d = d;
  ctx->sweep.window_name = "learned window 1/√w*";
  ctx->chart.kind = CS_CHART_WINDOW_SWEEP;
  ctx->chart.data = &ctx->sweep;
  set_global (view, ctx);
}
