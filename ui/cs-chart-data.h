/* cs-chart-data.h: the window's charts, from the engine's one builder per chart kind (cs-engine-charts.h). */
#pragma once

#include "cs-chart-view.h"
#include "cs-charts.h"
#include "cs-engine.h"
#include "cs-engine-charts.h"

G_BEGIN_DECLS

/* Give view (by its kind: case attention, feature map, window) a drawing of this result; NULL result:
 * the chart shows its placeholder. The view keeps its own copies and references. */
void           cs_chart_data_attach    (CsChartView         *view,
                                        CsEngine            *engine,
                                        const CsQueryResult *result);
/* The options cs_chart_data_attach builds view's chart with: the plane the user chose (the view's feature-x and
 * feature-y), the window's measure. Read on the main thread, so a worker can build with them (attach_built). */
void           cs_chart_data_options   (CsChartView         *view,
                                        CsEngine            *engine,
                                        CsChartOptions      *o);
/* Manager charts: CS_CHART_DIAGNOSTICS (local Lipschitz and noise over the feature plane, thresholds drawn in),
 * CS_CHART_SOFTMAX_VS_LINEAR (leave-one-out error of both), from the engine's diagnostics. */
void           cs_chart_data_attach_global (CsChartView     *view,
                                        CsEngine            *engine);
/* Give view a chart the engine built (it takes the chart); engine (may be NULL) for the tooltips, and result,
 * when the chart is of a query, for the used cases they list. */
void           cs_chart_data_attach_built (CsChartView      *view,
                                        CsEngineChart       *built,
                                        CsEngine            *engine,
                                        const CsQueryResult *result);
/* A short text of what chart shows, with its numbers (for a screen reader: the view's summary). */
char          *cs_chart_data_summarize (const CsChart      *chart);
/* The chart currently drawn by view (kind and data, valid while the view keeps it), or NULL. */
const CsChart *cs_chart_data_get_chart (CsChartView         *view);
/* The engine's chart behind it (for the footer of an export), or NULL. */
CsEngineChart *cs_chart_data_get_built (CsChartView         *view);

G_END_DECLS
