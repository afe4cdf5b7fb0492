/* cs-charts.c: charts by kind and name, for the exporter and the command line. */
#define G_LOG_DOMAIN "cs-charts"

#include "config.h"

#include <string.h>

#include "cs-charts.h"

static const char *const chart_names[CS_N_CHARTS] = {
  "case-attention",
  "feature-map",
  "attention-matrix",
  "window",
  "window-sweep",
  "diagnostics",
  "softmax-vs-linear",
  "backtest",
};

const char *
cs_chart_kind_name (CsChartKind kind)
{
  return (guint) kind < CS_N_CHARTS ? chart_names[kind] : "unknown";
}

gboolean
cs_chart_kind_from_name (const char  *name,
                         CsChartKind *kind)
{
  for (guint i = 0; i < CS_N_CHARTS; i++)
    if (name != NULL && strcmp (name, chart_names[i]) == 0)
      {
        *kind = (CsChartKind) i;
        return TRUE;
      }
  return FALSE;
}

void
cs_chart_render (cairo_t           *cr,
                 const CsChart     *chart,
                 const CsPlotStyle *style,
                 double             width,
                 double             height)
{
  switch (chart->kind)
    {
    case CS_CHART_CASE_ATTENTION:
      cs_case_attention_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_FEATURE_MAP:
      cs_feature_map_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_ATTENTION_MATRIX:
      cs_attention_matrix_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_WINDOW:
      cs_window_plot_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_WINDOW_SWEEP:
      cs_window_sweep_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_DIAGNOSTICS:
      cs_diagnostics_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_SOFTMAX_VS_LINEAR:
      cs_softmax_linear_render (cr, chart->data, style, width, height);
      break;
    case CS_CHART_BACKTEST:
      cs_backtest_chart_render (cr, chart->data, style, width, height);
      break;
    case CS_N_CHARTS:
    default:
      break;
    }
}
