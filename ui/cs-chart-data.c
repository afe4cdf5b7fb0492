/* cs-chart-data.c: the window's charts, built by the engine's one builder per chart kind (cs-engine-charts.h)
 * and drawn with ui/render; this file adds the screen's palette, tooltips and the view's bookkeeping. */
#define G_LOG_DOMAIN "cs-chart-data"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-chart-data.h"

typedef struct
{
  CsEngineChart *built;
  CsEngine *engine;                /* NULL for the paper's charts */
  const CsChart *chart;
  CsUsedCase top[5];
  guint n_top;
} ChartCtx;

static void
chart_ctx_free (gpointer data)
{
  ChartCtx *ctx = data;

  g_clear_pointer (&ctx->built, cs_engine_chart_free);
  g_clear_pointer (&ctx->engine, cs_engine_unref);
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
  cs_chart_render (cr, ctx->chart, &style, width, height);
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
      if (ctx->chart->kind == CS_CHART_FEATURE_MAP)
        {
          const CsFeatureMapData *map = ctx->chart->data;
          g_string_append_printf (s, " at (%.4g, %.4g)", map->x[i], map->y[i]);
        }
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

  switch (ctx->chart->kind)
    {
    case CS_CHART_CASE_ATTENTION:
      {
        const CsCaseAttentionData *a = ctx->chart->data;
        double sum_wy, sum_w, top_wy;
        g_autoptr(GString) top = top_cases_text (ctx, 5);
        cs_case_attention_sums (a, &sum_wy, &sum_w, &top_wy);
        return g_strdup_printf ("ŷ = %.6g = Σwᵢyᵢ over %zu cases (Σwᵢ = %.6f); the top %u carry %.6g%s",
                                sum_wy, a->n, sum_w, a->top_k, top_wy, top->str);
      }
    case CS_CHART_FEATURE_MAP:
      {
        const CsFeatureMapData *map = ctx->chart->data;
        g_autoptr(GString) top = top_cases_text (ctx, 3);
        return g_strdup_printf ("Query at %s = %.4g, %s = %.4g; window ±%.3g × ±%.3g%s", map->x_name,
                                map->query_x, map->y_name, map->query_y, map->half_width_x, map->half_width_y,
                                top->str);
      }
    case CS_CHART_WINDOW:
      {
        const CsWindowPlotData *w = ctx->chart->data;
        gsize flagged = 0;
        for (gsize i = 0; i < w->n; i++)
          flagged += w->flagged[i] ? 1 : 0;
        return g_strdup_printf ("Query at %s = %.4g: n_eff %.1f. Leave-one-out n_eff of the cases ranges from "
                                "%.1f to %.1f; %zu of %zu cases are flagged (shaded).", w->position_name,
                                w->query_position, w->query_window, w->n > 0 ? min_of (w->window, w->n) : NAN,
                                w->n > 0 ? max_of (w->window, w->n) : NAN, flagged, w->n);
      }
    case CS_CHART_SOFTMAX_VS_LINEAR:
      {
        const CsSoftmaxLinearData *sl = ctx->chart->data;
        if (sl->n_values != NULL)
          return NULL;
        return g_strdup_printf ("Leave-one-out RMSE: softmax %.4g, linear %.4g", sl->softmax_error[0],
                                sl->linear_error[0]);
      }
    case CS_CHART_DIAGNOSTICS:
      if (ctx->engine != NULL)
        return g_strdup_printf ("Global noise sd %.4g (nearest-neighbour estimator); global Lipschitz %.4g "
                                "(%.0f %% quantile of the local slopes)", ctx->engine->global.noise_sd,
                                ctx->engine->global.lipschitz, 100 * ctx->engine->global.lipschitz_quantile);
      return NULL;
    case CS_CHART_WINDOW_SWEEP:
      return g_strdup ("Learned window 1/√w* against L and σ (log-log), with the theory line");
    default:
      return NULL;
    }
}

static void
detach (CsChartView *view)
{
  cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
  g_object_set_data (G_OBJECT (view), "chart", NULL);
}

void
cs_chart_data_attach_built (CsChartView         *view,
                            CsEngineChart       *built,
                            CsEngine            *engine,
                            const CsQueryResult *result)
{
  ChartCtx *ctx = g_new0 (ChartCtx, 1);

  ctx->built = built;
  ctx->chart = cs_engine_chart_get (built);
  ctx->engine = engine != NULL ? cs_engine_ref (engine) : NULL;
  if (result != NULL)
    {
      ctx->n_top = MIN (result->k, G_N_ELEMENTS (ctx->top));
      memcpy (ctx->top, result->top, sizeof (CsUsedCase) * ctx->n_top);
    }
  g_object_set_data (G_OBJECT (view), "chart", ctx);
  cs_chart_view_set_draw_func (view, draw_cb, tooltip_cb, ctx, chart_ctx_free);
}

/* The chart options of a view: the plane the user chose (stored as index + 1), the window's measure. */
static void
view_options (CsChartView    *view,
              CsEngine       *engine,
              CsChartOptions *o)
{
  gsize d = engine->cases->d;

  cs_chart_options_init (o);
  o->window = CS_WINDOW_MEASURE_N_EFF;
  if (g_object_get_data (G_OBJECT (view), "feature-a") != NULL)
    {
      gsize fa = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (view), "feature-a")) - 1;
      gsize fb = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (view), "feature-b")) - 1;
      if (fa < d && fb < d && fa != fb)
        {
          o->feature_x = (gssize) fa;
          o->feature_y = (gssize) fb;
        }
    }
}

void
cs_chart_data_attach (CsChartView         *view,
                      CsEngine            *engine,
                      const CsQueryResult *result)
{
  const char *name = cs_chart_view_get_name (view);
  CsChartKind kind;
  CsChartOptions o;
  CsEngineChart *built;

  if (engine == NULL || result == NULL || !result->valid || !cs_chart_kind_from_name (name, &kind))
    {
      detach (view);
      return;
    }
  view_options (view, engine, &o);
  built = cs_engine_chart_build (engine, kind, result, &o, NULL, NULL, NULL, NULL);
  if (built == NULL)
    {
      detach (view);
      return;
    }
  cs_chart_data_attach_built (view, built, engine, result);
}

const CsChart *
cs_chart_data_get_chart (CsChartView *view)
{
  ChartCtx *ctx = g_object_get_data (G_OBJECT (view), "chart");

  return ctx != NULL ? ctx->chart : NULL;
}

CsEngineChart *
cs_chart_data_get_built (CsChartView *view)
{
  ChartCtx *ctx = g_object_get_data (G_OBJECT (view), "chart");

  return ctx != NULL ? ctx->built : NULL;
}

void
cs_chart_data_attach_global (CsChartView *view,
                             CsEngine    *engine)
{
  const char *name = cs_chart_view_get_name (view);
  CsChartKind kind;
  CsChartOptions o;
  CsEngineChart *built;

  if (engine == NULL || !engine->have_diagnostics || !cs_chart_kind_from_name (name, &kind)
      || (kind != CS_CHART_DIAGNOSTICS && kind != CS_CHART_SOFTMAX_VS_LINEAR))
    {
      detach (view);
      return;
    }
  view_options (view, engine, &o);
  built = cs_engine_chart_build (engine, kind, NULL, &o, NULL, NULL, NULL, NULL);
  if (built == NULL)
    {
      detach (view);
      return;
    }
  cs_chart_data_attach_built (view, built, engine, NULL);
}
