/* cs-chart-data.h: fill the per-query charts (ui/render/cs-charts.h) from the engine and a query result. */
#pragma once

#include "cs-chart-view.h"
#include "cs-charts.h"
#include "cs-engine.h"

G_BEGIN_DECLS

/* Give view (by its name: "case-attention", "feature-map", "window") a drawing of this result; NULL result:
 * the chart shows its placeholder. The view keeps its own copies and references. */
void           cs_chart_data_attach    (CsChartView         *view,
                                        CsEngine            *engine,
                                        const CsQueryResult *result);
/* Manager charts: "diagnostics" (local Lipschitz and noise over the feature plane, thresholds drawn in),
 * "softmax-vs-linear" (leave-one-out error of both), from the engine's diagnostics. */
void           cs_chart_data_attach_global (CsChartView     *view,
                                        CsEngine            *engine,
                                        gboolean             has_query,
                                        const double        *query);
/* "window-sweep": the paper's picture from two pretraining sweeps (arrays copied). */
void           cs_chart_data_attach_sweep (CsChartView      *view,
                                        gsize                n_l,
                                        const double        *l,
                                        const double        *window_l,
                                        double               sigma_fixed,
                                        gsize                n_sigma,
                                        const double        *sigma,
                                        const double        *window_sigma,
                                        double               l_fixed,
                                        gsize                n,
                                        guint                d);
/* The weight colour map of every chart on screen (viridis or cividis); read by the drawing workers. */
void           cs_chart_data_set_colormap (CsColormap        map);
CsColormap     cs_chart_data_get_colormap (void);
/* The chart currently drawn by view (kind and data, valid while the view keeps it), or NULL. */
const CsChart *cs_chart_data_get_chart (CsChartView         *view);

G_END_DECLS
