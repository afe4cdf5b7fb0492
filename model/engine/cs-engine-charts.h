/* cs-engine-charts.h: one builder per chart kind, used by the window, its export dialog, casescope-cli export
 * and the tests. A built chart owns every array its data points into and keeps the engine alive; a number it
 * shows is the engine's stored value, so the screen and an export of the same engine and query show the same
 * data. The paper's charts (window-sweep, softmax-vs-linear with paper = TRUE) do not depend on the case base. */
#pragma once

#include "cs-chart-types.h"
#include "cs-engine-backtest.h"
#include "cs-engine.h"

G_BEGIN_DECLS

typedef enum
{
  CS_WINDOW_MEASURE_RADIUS,        /* the 90 % attention radius (standardised) */
  CS_WINDOW_MEASURE_HALF_WIDTH,    /* the 90 % half-width in the plane's first feature, its own units */
  CS_WINDOW_MEASURE_N_EFF,         /* the effective number of cases */
} CsWindowMeasure;

/* Monte-Carlo prompts per w* of the paper's sweeps unless asked otherwise. */
#define CS_ENGINE_SWEEP_TASKS 1024

typedef struct
{
  gssize feature_x, feature_y;     /* the plane; -1: the engine's choice (the two features the window is narrowest
                                    * in, in column order; with one feature, the outcome is vertical) */
  guint top_k;                     /* case attention: cases labelled (0: those of the result) */
  CsCaseSort sort;
  CsWindowMeasure window;
  gboolean color_by_outcome;       /* feature map */
  gboolean color_by_window_ratio;  /* feature map: the policy's cases by log2 (window_ratio) instead */
  gboolean file_order;             /* attention matrix: cases in file order instead of by the plane's first feature */
  gboolean paper;                  /* softmax-vs-linear: the paper's setting instead of this case base */
  guint sweep_tasks;               /* 0: CS_ENGINE_SWEEP_TASKS */
  /* The backtest chart: a backtest already run on the engine's case base (borrowed), or else the order key of
   * every case of the engine's base (cs_backtest_parse_key of the order column, NaN refused) to run one with
   * the default options; order_name names the order column on the time axis. */
  const CsBacktest *backtest;
  const double *order_key;
  const char *order_name;
  gsize coverage_window;           /* backtest: cases of the rolling coverage (0: CS_ENGINE_COVERAGE_WINDOW) */
} CsChartOptions;

/* Forward outcomes per point of the backtest chart's rolling interval coverage. */
#define CS_ENGINE_COVERAGE_WINDOW 100

void cs_chart_options_init (CsChartOptions *options);

typedef struct _CsEngineChart CsEngineChart;

/* Build the data of chart kind. result: the query (cs_engine_query: with every weight) for the per-query charts
 * (case-attention, feature-map; a marker in window and diagnostics), or NULL (then those two cannot be built).
 * engine may be NULL for the paper's charts. progress and cancellable may be NULL; the slow ones (attention
 * matrix, per-case window, sweeps) report and look at Cancel. NULL with an error when the chart cannot be built
 * (G_IO_ERROR_NOT_SUPPORTED: not for this engine or query; G_IO_ERROR_CANCELLED). */
CsEngineChart *cs_engine_chart_build      (CsEngine             *engine,
                                           CsChartKind           kind,
                                           const CsQueryResult  *result,
                                           const CsChartOptions *options,
                                           CsEngineProgress      progress,
                                           gpointer              progress_data,
                                           GCancellable         *cancellable,
                                           GError              **error);
const CsChart *cs_engine_chart_get        (const CsEngineChart  *chart);
/* Where its numbers came from, for the footer: the case base's name, SHA-256 (hashed from its file when the loader
 * did not keep it), size, metric, scale and the query's verdict. Strings are owned by the chart; date is the
 * caller's (cs_plot_provenance_date ()). */
void           cs_engine_chart_provenance (CsEngineChart        *chart,
                                           const char           *app_version,
                                           const char           *date,
                                           CsProvenance         *out);
/* The cases of a per-case chart: all, or the policy's sample (window, diagnostics), the query rows (attention
 * matrix); the case base's size for the others. */
gsize          cs_engine_chart_cases      (const CsEngineChart  *chart);
void           cs_engine_chart_free       (CsEngineChart        *chart);

/* A query, as cs_engine_query_async_levels, and the charts of its result built in the same worker, so that a front
 * end's main loop only attaches them: kinds[t] with options[t] (copied; pointers in them are borrowed until the
 * callback), at most CS_ENGINE_QUERY_CHARTS_MAX. */
#define CS_ENGINE_QUERY_CHARTS_MAX 4
void           cs_engine_query_charts_async  (CsEngine              *self,
                                              const double          *query,
                                              const gint            *levels,
                                              gssize                 exclude,
                                              guint                  k,
                                              const CsIntervalSpec  *spec,
                                              guint                  serial,
                                              const CsChartKind     *kinds,
                                              const CsChartOptions  *options,
                                              guint                  n_charts,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
/* The result (NULL with *error set), and charts[0 .. n_charts - 1] (may be NULL) the built charts, owned by the
 * caller: NULL where a chart has nothing to show, the result is not valid, or the query failed. */
CsQueryResult *cs_engine_query_charts_finish (GAsyncResult          *result,
                                              CsEngineChart        **charts,
                                              GError               **error);
/* "w = 8.8", "M = diag(1.2, 3.4)", "mean diag(M) = 2.1": the scale of a metric, as footers show it. */
char          *cs_engine_scale_text       (const CsMetric       *metric);
/* The plane of a chart with options (feature_x/feature_y resolved; y == x when there is one feature). */
void           cs_engine_chart_plane      (CsEngine             *engine,
                                           const CsChartOptions *options,
                                           gsize                *x,
                                           gsize                *y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsEngineChart, cs_engine_chart_free)

G_END_DECLS
