/* cs-chart-types.h: the data of every Casescope chart, as plain C arrays and strings.
 *
 * The engine (cs-engine-charts.h) fills them from a case base, a model and a query; ui/render draws them
 * (cs-charts.h), on screen, in exports and in the reference tests. Pointers are owned by whoever filled the
 * struct. GLib types only: no model, Cairo or GTK types.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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
  double interval_level;     /* its prediction interval (CsQueryResult.interval); 0 or NaN: not shown */
  double interval_lower, interval_upper;
  const char *query_label;   /* "case 1 (line 2), leave-one-out" */
  const char *target_name;
  const char *target_unit;
  const char *title;         /* NULL: a default title */
} CsCaseAttentionData;

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
  /* The query's prediction interval on the vertical axis, drawn as an error bar at the query with its level in
   * the legend; only when the vertical axis is the outcome (one feature). level 0 or NaN: not drawn. */
  double interval_level;
  double interval_lower, interval_upper;
  const char *title;
  const char *point_label;   /* legend text of the points; NULL: "case (colour = weight ...)" or "... = outcome)" */
} CsFeatureMapData;

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

typedef struct
{
  gsize n;
  const double *position;    /* n feature values, sorted ascending */
  const double *window;      /* n window sizes (90 % radius, half-width or n_eff) */
  const double *preferred;   /* n or NULL: a second series, the window the data asks for at each case */
  const char *preferred_label;
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

typedef struct
{
  gsize n;
  const double *x, *y;       /* n feature values */
  const char *x_name, *x_unit;
  const char *y_name, *y_unit;
  const double *lipschitz;   /* n local Lipschitz estimates */
  double lipschitz_threshold; /* NaN: none */
  const char *lipschitz_unit; /* "°C per sd" */
  const char *lipschitz_name; /* the first measure's name, NULL: "local Lipschitz" (the engine shows
                               * the local variation the variation rule reads, in the outcome's unit) */
  const double *noise;       /* n local noise estimates */
  double noise_threshold;
  const char *noise_unit;
  gboolean has_query;
  double query_x, query_y;
  const char *title;
  const char *subtitle;      /* a second line under the title (what the points are), or NULL */
} CsDiagnosticsData;

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
  const char *linear_name;   /* the linear series' legend entry; NULL: "linear attention" */
} CsSoftmaxLinearData;

/* The backtest (forward chaining in time order) and its drift alarms: the forward error of every case after the
 * warm-up, the share of outcomes inside their interval over a rolling window, the CUSUM statistic with its
 * decision interval, and the cases where an alarm fired. */
typedef struct
{
  gsize n;                   /* cases in time order, warm-up included */
  const double *position;    /* n: the x axis (1-based position in time order) */
  const double *error;       /* n: outcome - forward prediction; NaN in the warm-up */
  const double *coverage;    /* n: share of the last coverage_window forward outcomes inside their interval; NaN
                              * until one is known */
  const double *statistic;   /* n: the CUSUM statistic max (S+, S-) after the case; NaN in the warm-up */
  gsize coverage_window;
  double interval_level;     /* the interval whose coverage is shown (0.9) */
  double h;                  /* the decision interval the statistic is compared to */
  gsize n_alarms;
  const double *alarm_position; /* n_alarms positions (the x axis) */
  const guint *alarm_line;   /* n_alarms file lines */
  const char *error_name;    /* "forward error of strength" */
  const char *error_unit;
  const char *order_name;    /* the order column, for the x label; NULL: "time order" */
  const char *title;
  const char *subtitle;      /* the drift rule and its false-alarm rate, or NULL */
} CsBacktestChartData;

typedef enum
{
  CS_CHART_CASE_ATTENTION,
  CS_CHART_FEATURE_MAP,
  CS_CHART_ATTENTION_MATRIX,
  CS_CHART_WINDOW,
  CS_CHART_WINDOW_SWEEP,
  CS_CHART_DIAGNOSTICS,
  CS_CHART_SOFTMAX_VS_LINEAR,
  CS_CHART_BACKTEST,         /* needs an order column: not part of `export --chart all` */
  CS_N_CHARTS,
} CsChartKind;

typedef struct
{
  CsChartKind kind;
  gconstpointer data;        /* the Cs<Chart>Data matching kind */
} CsChart;

/* Where a chart's numbers came from; drawn as a one-line footer when given.
 * Any field may be NULL / 0 and is then left out. */
typedef struct
{
  const char *file_name;
  const char *sha256;        /* hex; the first 12 digits are shown */
  gsize n;
  gsize d;
  const char *metric;        /* "diagonal", "scalar", ... */
  const char *scale;         /* "w = 8.8" or a summary of M */
  const char *app_version;
  const char *date;          /* from cs_plot_provenance_date (); NULL: not shown */
  const char *verdict;       /* fail-safe verdict ("ok", "check", "stop") or NULL */
} CsProvenance;

G_END_DECLS
