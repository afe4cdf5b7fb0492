/* cs-charts.h: every Casescope chart as one pure drawing function of plain data.
 *
 * The same function draws the GTK widget (from gtk_snapshot_append_cairo), the
 * exported PNG/SVG/PDF and the reference images of the tests. Data are plain C
 * arrays and strings owned by the caller; no model or GTK types. Every chart
 * draws its title, axes with units, a legend, a colour bar for each colour
 * scale, and the provenance footer when style->provenance is set. Charts draw
 * a "no data" note instead of failing on empty or inconsistent input.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cs-chart-types.h"
#include "cs-plot.h"

G_BEGIN_DECLS

/* ---- 1. Case attention for one query -------------------------------------------------- */

void cs_case_attention_render (cairo_t                   *cr,
                               const CsCaseAttentionData *data,
                               const CsPlotStyle         *style,
                               double                     width,
                               double                     height);
/* The exact decomposition as the chart shows it: sum_i w_i y_i and sum_i w_i (compensated
 * summation), and the part carried by the top-k cases by weight. */
void cs_case_attention_sums   (const CsCaseAttentionData *data,
                               double                    *sum_wy,
                               double                    *sum_w,
                               double                    *top_k_wy);
/* Indices of the cases in display order (weight descending, or distance ascending);
 * returns a newly allocated array of n (g_free). */
gsize *cs_case_attention_order (const CsCaseAttentionData *data);
/* The k (<= n) heaviest cases, heaviest first, in the order cs_case_attention_order gives by weight, in one pass
 * over the n cases (no sort); a newly allocated array of k (g_free). */
gsize *cs_case_attention_top   (const CsCaseAttentionData *data,
                                guint                      k);

/* ---- 2. Attention map in the feature plane -------------------------------------------- */

void cs_feature_map_render    (cairo_t                *cr,
                               const CsFeatureMapData *data,
                               const CsPlotStyle      *style,
                               double                  width,
                               double                  height);

/* ---- 3. Attention matrix heatmap ------------------------------------------------------ */

void cs_attention_matrix_render (cairo_t                     *cr,
                                 const CsAttentionMatrixData *data,
                                 const CsPlotStyle           *style,
                                 double                       width,
                                 double                       height);
/* Aggregates the matrix into at most max_w x max_h bins (one bin per pixel) and returns
 * the bin values row-major in a new array (g_free) of *bins_w x *bins_h floats. */
float *cs_attention_matrix_bin  (const CsAttentionMatrixData *data,
                                 guint                        max_w,
                                 guint                        max_h,
                                 guint                       *bins_w,
                                 guint                       *bins_h);

/* ---- 4a. Window width along the case base --------------------------------------------- */

void cs_window_plot_render    (cairo_t                *cr,
                               const CsWindowPlotData *data,
                               const CsPlotStyle      *style,
                               double                  width,
                               double                  height);

/* ---- 4b. Window sweep (the paper's picture) ------------------------------------------- */

void   cs_window_sweep_render (cairo_t                 *cr,
                               const CsWindowSweepData *data,
                               const CsPlotStyle       *style,
                               double                   width,
                               double                   height);
/* Least-squares slope of log y against log x over the positive pairs (NaN if < 2). */
double cs_loglog_slope        (const double *x,
                               const double *y,
                               gsize         n);
/* The theory curve c (sigma^2 / (L^2 n))^(1/(d+2)) with c fitted to both sweeps in log space. */
double cs_window_sweep_theory_constant (const CsWindowSweepData *data);

/* ---- 5a. Diagnostics over the feature plane ------------------------------------------- */

void cs_diagnostics_render    (cairo_t                 *cr,
                               const CsDiagnosticsData *data,
                               const CsPlotStyle       *style,
                               double                   width,
                               double                   height);
/* Histogram of values into n_bins equal bins on [lo, hi] (counts, NaN skipped). */
void cs_histogram             (const double *values,
                               gsize         n,
                               double        lo,
                               double        hi,
                               guint        *counts,
                               guint         n_bins);

/* ---- 5b. Softmax against linear attention --------------------------------------------- */

void cs_softmax_linear_render (cairo_t                   *cr,
                               const CsSoftmaxLinearData *data,
                               const CsPlotStyle         *style,
                               double                     width,
                               double                     height);

/* ---- 6. Backtest and drift ----------------------------------------------------------- */

/* The backtest over time: three panels on one time axis (the forward error, the interval's coverage over a
 * rolling window against its level, the CUSUM statistic against its decision interval h), each drift alarm a
 * vertical line through all three. */
void cs_backtest_chart_render (cairo_t                   *cr,
                               const CsBacktestChartData *data,
                               const CsPlotStyle         *style,
                               double                     width,
                               double                     height);

/* ---- Any chart by kind (export, CLI) -------------------------------------------------- */

const char *cs_chart_kind_name      (CsChartKind  kind);  /* "case-attention", ... */
gboolean    cs_chart_kind_from_name (const char  *name,
                                     CsChartKind *kind);
void        cs_chart_render         (cairo_t           *cr,
                                     const CsChart     *chart,
                                     const CsPlotStyle *style,
                                     double             width,
                                     double             height);

G_END_DECLS
