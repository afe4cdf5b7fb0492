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

#include "cs-plot.h"

G_BEGIN_DECLS

/* ---- 1. Case attention for one query -------------------------------------------------- */

typedef enum
{
  CS_CASE_SORT_WEIGHT,       /* heaviest first */
  CS_CASE_SORT_DISTANCE,     /* nearest first (needs distances) */
} CsCaseSort;

typedef struct
{
  gsize n;
  const double *weights;     /* n softmax weights (sum to 1) */
  const double *outcomes;    /* n outcomes y_i */
  const double *distances;   /* n distances to the query (standardised units) or NULL */
  const char * const *ids;   /* n case labels or NULL */
  const guint *lines;        /* n source lines or NULL */
  guint top_k;               /* cases labelled as bars; 0: 10 */
  CsCaseSort sort;
  double prediction;         /* y_hat as reported by the engine; NaN: not shown */
  const char *query_label;   /* "case 1 (line 2), leave-one-out" */
  const char *target_name;
  const char *target_unit;
  const char *title;         /* NULL: a default title */
} CsCaseAttentionData;

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

/* ---- 2. Attention map in the feature plane -------------------------------------------- */

typedef enum
{
  CS_COLOR_BY_WEIGHT,        /* style->weight_map on [0, 1] (or [0, max] when stretched) */
  CS_COLOR_BY_OUTCOME,       /* sequential on [min, max]; diverging around 0 when signed */
} CsColorBy;

typedef struct
{
  gsize n;
  const double *x;           /* n values of the horizontal feature, its own units */
  const double *y;           /* n values of the vertical feature */
  const double *values;      /* n weights or outcomes */
  CsColorBy color_by;
  gboolean signed_values;    /* outcome mode: diverging map centred at 0 */
  const char *x_name, *x_unit;
  const char *y_name, *y_unit;
  const char *value_name, *value_unit;
  gboolean has_query;
  double query_x, query_y;
  double half_width_x;       /* window half-widths in feature units; <= 0: no ellipse */
  double half_width_y;
  const char *title;
} CsFeatureMapData;

void cs_feature_map_render    (cairo_t                *cr,
                               const CsFeatureMapData *data,
                               const CsPlotStyle      *style,
                               double                  width,
                               double                  height);

/* ---- 3. Attention matrix heatmap ------------------------------------------------------ */

typedef enum
{
  CS_BIN_MAX,                /* a bin shows the largest weight it holds (default) */
  CS_BIN_MEAN,
} CsBinMode;

typedef struct
{
  gsize rows;                /* queries */
  gsize cols;                /* cases */
  const float *weights;      /* rows x cols, row-major */
  gsize stride;              /* elements from one row to the next; 0: cols */
  const gsize *row_order;    /* rows: displayed row p is weights row row_order[p]; NULL: identity */
  const gsize *col_order;    /* cols, likewise */
  CsBinMode bin;
  const char *row_label;     /* "queries (sorted by temperature)" */
  const char *col_label;     /* "cases (sorted by temperature)" */
  const char *title;
} CsAttentionMatrixData;

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

typedef struct
{
  gsize n;
  const double *position;    /* n feature values, sorted ascending */
  const double *window;      /* n window sizes (90 % radius, half-width or n_eff) */
  const gboolean *flagged;   /* n or NULL */
  const char *position_name, *position_unit;
  const char *window_name, *window_unit;
  const char *flag_label;    /* legend text for shaded stretches, "flagged" by default */
  gboolean has_query;
  double query_position;
  double query_window;       /* NaN: marker on the axis only */
  double reference;          /* a horizontal reference (e.g. the global window); NaN: none */
  const char *reference_label;
  const char *title;
  const char *subtitle;      /* a second line under the title (what the points are), or NULL */
} CsWindowPlotData;

void cs_window_plot_render    (cairo_t                *cr,
                               const CsWindowPlotData *data,
                               const CsPlotStyle      *style,
                               double                  width,
                               double                  height);

/* ---- 4b. Window sweep (the paper's picture) ------------------------------------------- */

typedef struct
{
  gsize n_l;
  const double *l;           /* Lipschitz constants */
  const double *window_l;    /* learned window at each L (sigma = sigma_fixed) */
  double sigma_fixed;
  gsize n_sigma;
  const double *sigma;       /* noise levels */
  const double *window_sigma; /* learned window at each sigma (L = l_fixed) */
  double l_fixed;
  gsize n;                   /* context size of the sweep */
  guint d;                   /* input dimension */
  const char *window_name;   /* "learned window 1/sqrt(w*)" */
  const char *window_unit;
  const char *title;
} CsWindowSweepData;

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

typedef struct
{
  gsize n;
  const double *x, *y;       /* n feature values */
  const char *x_name, *x_unit;
  const char *y_name, *y_unit;
  const double *lipschitz;   /* n local Lipschitz estimates */
  double lipschitz_threshold; /* NaN: none */
  const char *lipschitz_unit; /* "°C per sd" */
  const double *noise;       /* n local noise estimates */
  double noise_threshold;
  const char *noise_unit;
  gboolean has_query;
  double query_x, query_y;
  const char *title;
  const char *subtitle;      /* a second line under the title (what the points are), or NULL */
} CsDiagnosticsData;

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

typedef struct
{
  /* Curve mode (n_values != NULL): error against context size n, log-log. */
  gsize n_points;
  const double *n_values;
  /* Bar mode (n_values == NULL): one pair of bars per category. */
  const char * const *categories;
  const double *softmax_error;  /* n_points */
  const double *linear_error;   /* n_points */
  double linear_floor;       /* NaN: none; e.g. E[b^2] = 1/3 for the affine tasks */
  const char *floor_label;
  const char *error_name;    /* "test MSE" */
  const char *error_unit;
  const char *title;
  const char *subtitle;
} CsSoftmaxLinearData;

void cs_softmax_linear_render (cairo_t                   *cr,
                               const CsSoftmaxLinearData *data,
                               const CsPlotStyle         *style,
                               double                     width,
                               double                     height);

/* ---- Any chart by kind (export, CLI) -------------------------------------------------- */

typedef enum
{
  CS_CHART_CASE_ATTENTION,
  CS_CHART_FEATURE_MAP,
  CS_CHART_ATTENTION_MATRIX,
  CS_CHART_WINDOW,
  CS_CHART_WINDOW_SWEEP,
  CS_CHART_DIAGNOSTICS,
  CS_CHART_SOFTMAX_VS_LINEAR,
  CS_N_CHARTS,
} CsChartKind;

typedef struct
{
  CsChartKind kind;
  gconstpointer data;        /* the Cs<Chart>Data matching kind */
} CsChart;

const char *cs_chart_kind_name      (CsChartKind  kind);  /* "case-attention", ... */
gboolean    cs_chart_kind_from_name (const char  *name,
                                     CsChartKind *kind);
void        cs_chart_render         (cairo_t           *cr,
                                     const CsChart     *chart,
                                     const CsPlotStyle *style,
                                     double             width,
                                     double             height);

G_END_DECLS
