/* cs-chart-data.c: the window's charts, built by the engine's one builder per chart kind (cs-engine-charts.h)
 * and drawn with ui/render; this file adds the screen's palette, tooltips and the view's bookkeeping. */
#define G_LOG_DOMAIN "cs-chart-data"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

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

static void
draw_cb (cairo_t    *cr,
         double      width,
         double      height,
         gboolean    dark,
         CsColormap  weight_map,
         gpointer    user_data)
{
  ChartCtx *ctx = user_data;
  CsPlotStyle style;

  cs_plot_style_init (&style, dark ? CS_PLOT_DARK : CS_PLOT_LIGHT);
  style.weight_map = weight_map;
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
      g_string_append_printf (s, _("\n%s: w = %.4f, %s = %.4g %s, w·y = %.4g"),
                              c->ids != NULL ? c->ids[i] : _("case"), ctx->top[t].weight, c->target_name, c->y[i],
                              c->target_unit, ctx->top[t].weight * c->y[i]);
      if (ctx->chart->kind == CS_CHART_FEATURE_MAP)
        {
          const CsFeatureMapData *map = ctx->chart->data;
          g_string_append_printf (s, _(" at (%.4g, %.4g)"), map->x[i], map->y[i]);
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
        return g_strdup_printf (_("ŷ = %.6g = Σwᵢyᵢ over %zu cases (Σwᵢ = %.6f); the top %u carry %.6g%s"),
                                sum_wy, a->n, sum_w, a->top_k, top_wy, top->str);
      }
    case CS_CHART_FEATURE_MAP:
      {
        const CsFeatureMapData *map = ctx->chart->data;
        g_autoptr(GString) top = top_cases_text (ctx, 3);
        return g_strdup_printf (_("Query at %s = %.4g, %s = %.4g; window ±%.3g × ±%.3g%s"), map->x_name,
                                map->query_x, map->y_name, map->query_y, map->half_width_x, map->half_width_y,
                                top->str);
      }
    case CS_CHART_WINDOW:
      {
        const CsWindowPlotData *w = ctx->chart->data;
        gsize flagged = 0;
        for (gsize i = 0; i < w->n; i++)
          flagged += w->flagged[i] ? 1 : 0;
        return g_strdup_printf (_("Query at %s = %.4g: n_eff %.1f. Leave-one-out n_eff of the cases ranges from "
                                  "%.1f to %.1f; %zu of %zu cases are flagged (shaded)."), w->position_name,
                                w->query_position, w->query_window, w->n > 0 ? min_of (w->window, w->n) : NAN,
                                w->n > 0 ? max_of (w->window, w->n) : NAN, flagged, w->n);
      }
    case CS_CHART_SOFTMAX_VS_LINEAR:
      {
        const CsSoftmaxLinearData *sl = ctx->chart->data;
        if (sl->n_values != NULL)
          return NULL;
        return g_strdup_printf (_("Leave-one-out RMSE: softmax %.4g, linear %.4g"), sl->softmax_error[0],
                                sl->linear_error[0]);
      }
    case CS_CHART_DIAGNOSTICS:
      if (ctx->engine != NULL)
        return g_strdup_printf (_("Global noise sd %.4g (nearest-neighbour estimator); global Lipschitz %.4g "
                                  "(%.0f %% quantile of the local slopes)"), ctx->engine->global.noise_sd,
                                ctx->engine->global.lipschitz, 100 * ctx->engine->global.lipschitz_quantile);
      return NULL;
    case CS_CHART_WINDOW_SWEEP:
      return g_strdup (_("Learned window 1/√w* against L and σ (log-log), with the theory line"));
    default:
      return NULL;
    }
}

static void
detach (CsChartView *view)
{
  cs_chart_view_set_draw_func (view, NULL, NULL, NULL, NULL);
  cs_chart_view_set_summary (view, NULL);
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
  cs_chart_view_set_draw_func (view, draw_cb, tooltip_cb, ctx, chart_ctx_free);
  {
    g_autofree char *summary = cs_chart_data_summarize (ctx->chart);
    g_autofree char *text = g_strdup_printf (_("%s: %s"), cs_chart_view_get_title (view), summary);
    cs_chart_view_set_summary (view, text);
  }
}

void
cs_chart_data_options (CsChartView    *view,
                       CsEngine       *engine,
                       CsChartOptions *o)
{
  gsize d = engine->cases->d;
  int fa, fb;

  cs_chart_options_init (o);
  o->window = CS_WINDOW_MEASURE_N_EFF;
  cs_chart_view_get_features (view, &fa, &fb);
  if (fa >= 0 && fb >= 0 && (gsize) fa < d && (gsize) fb < d && fa != fb)
    {
      o->feature_x = fa;
      o->feature_y = fb;
    }
}

void
cs_chart_data_attach (CsChartView         *view,
                      CsEngine            *engine,
                      const CsQueryResult *result)
{
  CsChartKind kind = cs_chart_view_get_kind (view);
  CsChartOptions o;
  CsEngineChart *built;

  if (engine == NULL || result == NULL || !result->valid)
    {
      detach (view);
      return;
    }
  cs_chart_data_options (view, engine, &o);
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
  ChartCtx *ctx = cs_chart_view_get_draw_data (view, draw_cb);

  return ctx != NULL ? ctx->chart : NULL;
}

CsEngineChart *
cs_chart_data_get_built (CsChartView *view)
{
  ChartCtx *ctx = cs_chart_view_get_draw_data (view, draw_cb);

  return ctx != NULL ? ctx->built : NULL;
}

void
cs_chart_data_attach_global (CsChartView *view,
                             CsEngine    *engine)
{
  CsChartKind kind = cs_chart_view_get_kind (view);
  CsChartOptions o;
  CsEngineChart *built;

  if (engine == NULL || !engine->have_diagnostics || (kind != CS_CHART_DIAGNOSTICS && kind != CS_CHART_SOFTMAX_VS_LINEAR))
    {
      detach (view);
      return;
    }
  cs_chart_data_options (view, engine, &o);
  built = cs_engine_chart_build (engine, kind, NULL, &o, NULL, NULL, NULL, NULL);
  if (built == NULL)
    {
      detach (view);
      return;
    }
  cs_chart_data_attach_built (view, built, engine, NULL);
}

/* ---- Summaries (what a screen reader says about a chart) ------------------------------ */

static void
range_of (const double *v,
          gsize         n,
          double       *lo,
          double       *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (gsize i = 0; v != NULL && i < n; i++)
    if (isfinite (v[i]))
      {
        *lo = MIN (*lo, v[i]);
        *hi = MAX (*hi, v[i]);
      }
}

static char *
summarize_case_attention (const CsCaseAttentionData *a)
{
  gsize above = 0, best = 0;
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < a->n; i++)
    {
      above += a->weights[i] > 0.01 ? 1 : 0;
      if (a->weights[i] > a->weights[best])
        best = i;
    }
  g_string_append_printf (s, ngettext ("%zu case with weight above 1 %%", "%zu cases with weight above 1 %%",
                                       above), above);
  if (a->n > 0)
    {
      g_autofree char *who = a->ids != NULL && a->ids[best] != NULL ? g_strdup (a->ids[best])
                             : a->lines != NULL ? g_strdup_printf (_("line %u"), a->lines[best])
                             : g_strdup_printf ("%zu", best + 1);
      g_string_append_printf (s, _(", the largest %.2f for case %s"), a->weights[best], who);
    }
  if (isfinite (a->prediction))
    g_string_append_printf (s, _("; prediction %.4g %s"), a->prediction, a->target_unit != NULL ? a->target_unit : "");
  return g_strchomp (g_string_free (s, FALSE));
}

static char *
summarize_sweep (const CsWindowSweepData *sw)
{
  /* Theory: window ~ (sigma^2 / (L^2 n))^(1/(d+2)), slopes -2/(d+2) in L and 2/(d+2) in sigma. */
  double theory = 2.0 / ((double) sw->d + 2.0);

  return g_strdup_printf (_("learned window against %zu values of L and %zu of σ; slope %.2f against L and %.2f "
                            "against σ (theory %.2f and %.2f)"), sw->n_l, sw->n_sigma,
                          cs_loglog_slope (sw->l, sw->window_l, sw->n_l),
                          cs_loglog_slope (sw->sigma, sw->window_sigma, sw->n_sigma), -theory, theory);
}

char *
cs_chart_data_summarize (const CsChart *chart)
{
  double lo, hi, lo2, hi2;

  g_return_val_if_fail (chart != NULL, NULL);
  switch (chart->kind)
    {
    case CS_CHART_CASE_ATTENTION:
      return summarize_case_attention (chart->data);
    case CS_CHART_FEATURE_MAP:
      {
        const CsFeatureMapData *m = chart->data;
        g_autofree char *cases = g_strdup_printf (ngettext ("%zu case over %s and %s", "%zu cases over %s and %s",
                                                            m->n), m->n, m->x_name, m->y_name);
        if (!m->has_query)
          return g_steal_pointer (&cases);
        return g_strdup_printf (_("%s; query at (%.4g, %.4g), window ±%.3g × ±%.3g"), cases, m->query_x,
                                m->query_y, m->half_width_x, m->half_width_y);
      }
    case CS_CHART_ATTENTION_MATRIX:
      {
        const CsAttentionMatrixData *m = chart->data;
        return g_strdup_printf (_("weights of %zu queries over %zu cases"), m->rows, m->cols);
      }
    case CS_CHART_WINDOW:
      {
        const CsWindowPlotData *w = chart->data;
        gsize flagged = 0;
        for (gsize i = 0; w->flagged != NULL && i < w->n; i++)
          flagged += w->flagged[i] ? 1 : 0;
        range_of (w->window, w->n, &lo, &hi);
        return g_strdup_printf (ngettext ("%s from %.3g to %.3g over %zu case, %zu flagged; query %.3g",
                                          "%s from %.3g to %.3g over %zu cases, %zu flagged; query %.3g", w->n),
                                w->window_name, lo, hi, w->n, flagged, w->query_window);
      }
    case CS_CHART_WINDOW_SWEEP:
      return summarize_sweep (chart->data);
    case CS_CHART_DIAGNOSTICS:
      {
        const CsDiagnosticsData *g = chart->data;
        range_of (g->lipschitz, g->n, &lo, &hi);
        range_of (g->noise, g->n, &lo2, &hi2);
        return g_strdup_printf (ngettext ("%zu case; local variation %.3g to %.3g (threshold %.3g), local noise "
                                          "%.3g to %.3g (threshold %.3g)",
                                          "%zu cases; local variation %.3g to %.3g (threshold %.3g), local noise "
                                          "%.3g to %.3g (threshold %.3g)", g->n),
                                g->n, lo, hi, g->lipschitz_threshold, lo2, hi2, g->noise_threshold);
      }
    case CS_CHART_SOFTMAX_VS_LINEAR:
      {
        const CsSoftmaxLinearData *sl = chart->data;
        GString *s = g_string_new (NULL);
        for (gsize i = 0; i < sl->n_points; i++)
          {
            g_autofree char *at = sl->n_values != NULL ? g_strdup_printf ("n = %.0f", sl->n_values[i])
                                  : g_strdup (sl->categories != NULL ? sl->categories[i] : "");
            g_string_append_printf (s, _("%s%s: softmax %.4g, linear %.4g"), i > 0 ? "; " : "", at,
                                    sl->softmax_error[i], sl->linear_error[i]);
          }
        return g_string_free (s, FALSE);
      }
    default:
      return g_strdup ("");
    }
}
