/* cs-engine-charts.c: one builder per chart kind, from an engine snapshot and a query result. */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-engine-charts.h"
#include "cs-engine-private.h"
#include "cs-model-file.h"
#include "cs-pretrain.h"

/* Queries in the attention matrix: every case up to this, a regular subsample beyond. */
#define MATRIX_MAX_ROWS 2000
/* Columns of the attention matrix: every case up to this; beyond, the cases (in the chart's order) are binned
 * into this many columns by their largest weight, as the screen bins pixels. */
#define MATRIX_MAX_COLS 2048

struct _CsEngineChart
{
  CsEngine *engine;                /* NULL for the paper's charts */
  CsChart chart;
  gboolean have_verdict;
  CsVerdict verdict;
  gsize cases;
  GPtrArray *allocs;
  CsChartPre *pre;                 /* while it is built: parts computed before the query's result (or NULL) */
  char *sha256;
  char *scale;

  CsCaseAttentionData attention;
  CsFeatureMapData map;
  CsAttentionMatrixData matrix;
  CsWindowPlotData window;
  CsWindowSweepData sweep;
  CsPretrainSweep sweep_l, sweep_s;
  CsDiagnosticsData diagnostics;
  CsSoftmaxLinearData softmax;
  CsBacktestChartData backtest;
  double softmax_err[1], linear_err[1];
  const char *categories[1];
  double paper_soft[7], paper_lin[7];
};

void
cs_chart_options_init (CsChartOptions *options)
{
  memset (options, 0, sizeof *options);
  options->feature_x = -1;
  options->feature_y = -1;
  options->sort = CS_CASE_SORT_WEIGHT;
  options->window = CS_WINDOW_MEASURE_RADIUS;
}

static gpointer
keep (CsEngineChart *c,
      gpointer       p)
{
  g_ptr_array_add (c->allocs, p);
  return p;
}

void
cs_engine_chart_free (CsEngineChart *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->engine, cs_engine_unref);
  g_ptr_array_unref (c->allocs);
  cs_pretrain_sweep_clear (&c->sweep_l);
  cs_pretrain_sweep_clear (&c->sweep_s);
  g_free (c->sha256);
  g_free (c->scale);
  g_free (c);
}

const CsChart *
cs_engine_chart_get (const CsEngineChart *c)
{
  return &c->chart;
}

gsize
cs_engine_chart_cases (const CsEngineChart *c)
{
  return c->cases;
}

char *
cs_engine_scale_text (const CsMetric *m)
{
  if (m->kind == CS_METRIC_SCALAR)
    return g_strdup_printf ("w = %.4g", m->scale);
  if (m->kind == CS_METRIC_DIAGONAL)
    {
      GString *s = g_string_new ("M = diag(");
      for (gsize j = 0; j < m->d && j < 6; j++)
        g_string_append_printf (s, "%s%.3g", j ? ", " : "", m->diag[j]);
      g_string_append (s, m->d > 6 ? ", ...)" : ")");
      return g_string_free (s, FALSE);
    }
  return g_strdup_printf ("mean diag(M) = %.4g", cs_metric_mean_diagonal (m));
}

void
cs_engine_chart_provenance (CsEngineChart *c,
                            const char    *app_version,
                            const char    *date,
                            CsProvenance  *out)
{
  CsEngine *e = c->engine;

  memset (out, 0, sizeof *out);
  out->app_version = app_version;
  out->date = date;
  if (e == NULL)
    return;
  if (c->sha256 == NULL)
    {
      /* The loader did not keep it (a large file): hash the file in 1 MiB chunks, never whole. */
      c->sha256 = e->cases->sha256 != NULL ? g_strdup (e->cases->sha256)
                  : e->cases->source_path != NULL ? cs_file_sha256 (e->cases->source_path, NULL) : NULL;
    }
  if (c->scale == NULL)
    c->scale = cs_engine_scale_text (&e->metric);
  out->file_name = e->cases->source;
  out->sha256 = c->sha256;
  out->n = e->cases->n;
  out->d = e->cases->d;
  out->metric = cs_engine_metric_name (e->metric.kind);
  out->scale = c->scale;
  out->verdict = c->have_verdict ? cs_verdict_name (c->verdict) : NULL;
}

void
cs_engine_chart_plane (CsEngine             *e,
                       const CsChartOptions *o,
                       gsize                *x,
                       gsize                *y)
{
  gsize d = e->cases->d;
  g_autofree double *hw = g_new (double, d);
  gsize best = 0, second = d > 1 ? 1 : 0;

  if (o->feature_x >= 0 && (gsize) o->feature_x < d && o->feature_y >= 0 && (gsize) o->feature_y < d)
    {
      *x = (gsize) o->feature_x;
      *y = (gsize) o->feature_y;
      return;
    }
  /* The two features the window is narrowest in (the most relevant), in column order. */
  cs_metric_half_widths (&e->metric, hw);
  if (d > 2)
    {
      for (gsize j = 1; j < d; j++)
        if (hw[j] < hw[best])
          best = j;
      second = best == 0 ? 1 : 0;
      for (gsize j = 0; j < d; j++)
        if (j != best && hw[j] < hw[second])
          second = j;
    }
  *x = o->feature_x >= 0 && (gsize) o->feature_x < d ? (gsize) o->feature_x : MIN (best, second);
  *y = o->feature_y >= 0 && (gsize) o->feature_y < d ? (gsize) o->feature_y : MAX (best, second);
}

static char *
query_label (CsEngine            *e,
             const CsQueryResult *r)
{
  const CsCaseBase *cb = e->cases;

  if (r->exclude >= 0)
    {
      gsize i = (gsize) r->exclude;
      if (cb->ids != NULL && cb->ids[i] != NULL)
        return g_strdup_printf ("case %s (line %u), leave-one-out", cb->ids[i], cb->line[i]);
      return g_strdup_printf ("case %" G_GSIZE_FORMAT " (line %u), leave-one-out", i + 1, cb->line[i]);
    }
  return g_strdup ("the new query");
}

static int
cmp_by_key (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  const double *key = user_data;
  gsize i = *(const gsize *) a, j = *(const gsize *) b;

  if (key[i] != key[j])
    return key[i] < key[j] ? -1 : 1;
  return i < j ? -1 : i > j;
}

static gboolean
not_supported (GError    **error,
               const char *why)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, why);
  return FALSE;
}

static gboolean
engine_failed (CsStatus   st,
               GError   **error)
{
  if (st == CS_ERR_CANCELLED)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the attention engine failed: %s", cs_status_message (st));
  return FALSE;
}

/* Under the per-case charts' title: which cases their points are, when not all (large bases). */
static const char *
per_case_subtitle (CsEngineChart *c)
{
  return keep (c, cs_engine_policy_words (&c->engine->policy));
}

/* Every case's Euclidean distance to the query in standardised features (NaN for the case left out): the
 * case-attention chart's horizontal axis. It needs the query, not its result. */
static double *
case_distances (CsEngine     *e,
                const double *query,
                gssize        exclude)
{
  gsize n = e->cases->n, d = e->cases->d;
  double *dist = g_new (double, n);
  g_autofree double *zq = g_new (double, d);

  cs_standardise_rows (query, zq, d, e->mean, e->sd, 0, 1);
  for (gsize i = 0; i < n; i++)
    {
      double s = 0;
      for (gsize j = 0; j < d; j++)
        {
          double t = e->z[i * d + j] - zq[j];
          s += t * t;
        }
      dist[i] = exclude >= 0 && (gsize) exclude == i ? NAN : sqrt (s);
    }
  return dist;
}

/* The feature map's case coordinates on its plane (the outcome on the vertical axis with one feature). */
static void
plane_coordinates (CsEngine *e,
                   gsize     jx,
                   gsize     jy,
                   double  **fx,
                   double  **fy)
{
  const CsCaseBase *cb = e->cases;
  gsize n = cb->n, d = cb->d;
  gboolean one = d == 1;

  *fx = g_new (double, n);
  *fy = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      (*fx)[i] = cb->x[i * d + jx];
      (*fy)[i] = one ? cb->y[i] : cb->x[i * d + jy];
    }
}

void
_cs_engine_chart_pre_compute (CsEngine             *e,
                              const double         *query,
                              gssize                exclude,
                              const CsChartKind    *kinds,
                              const CsChartOptions *options,
                              guint                 n_charts,
                              CsChartPre           *pre)
{
  memset (pre, 0, sizeof *pre);
  for (guint t = 0; t < n_charts; t++)
    if (kinds[t] == CS_CHART_CASE_ATTENTION && pre->dist == NULL)
      pre->dist = case_distances (e, query, exclude);
    else if (kinds[t] == CS_CHART_FEATURE_MAP && pre->fx == NULL && !options[t].color_by_window_ratio)
      {
        cs_engine_chart_plane (e, &options[t], &pre->jx, &pre->jy);
        plane_coordinates (e, pre->jx, pre->jy, &pre->fx, &pre->fy);
      }
}

void
_cs_engine_chart_pre_clear (CsChartPre *pre)
{
  g_clear_pointer (&pre->dist, g_free);
  g_clear_pointer (&pre->fx, g_free);
  g_clear_pointer (&pre->fy, g_free);
}

static gboolean
build_case_attention (CsEngineChart        *c,
                      const CsQueryResult  *r,
                      const CsChartOptions *o,
                      GError              **error)
{
  CsEngine *e = c->engine;
  gsize n = e->cases->n;
  double *dist;

  if (r == NULL || r->weights == NULL || !r->valid)
    return not_supported (error, "the case-attention chart needs a valid query");
  if (c->pre != NULL && c->pre->dist != NULL)
    dist = keep (c, g_steal_pointer (&c->pre->dist));   /* computed while the query ran */
  else
    dist = keep (c, case_distances (e, r->query, r->exclude));
  c->attention = (CsCaseAttentionData) {
    .n = n, .weights = keep (c, g_memdup2 (r->weights, n * sizeof (double))), .outcomes = e->cases->y,
    .distances = dist,
    .ids = (const char *const *) e->cases->ids, .lines = e->cases->line,
    .top_k = o->top_k > 0 ? o->top_k : MAX (r->k, 1), .sort = o->sort,
    .prediction = r->prediction.prediction, .query_label = keep (c, query_label (e, r)),
    .interval_level = r->valid ? r->interval.level : NAN, .interval_lower = r->interval.lower,
    .interval_upper = r->interval.upper,
    .target_name = e->cases->target_name, .target_unit = e->cases->target_unit,
  };
  c->chart.data = &c->attention;
  return TRUE;
}

static gboolean
build_feature_map (CsEngineChart        *c,
                   const CsQueryResult  *r,
                   const CsChartOptions *o,
                   GError              **error)
{
  CsEngine *e = c->engine;
  const CsCaseBase *cb = e->cases;
  gsize n = cb->n, d = cb->d, jx, jy;
  gboolean one = d == 1;
  double *fx, *fy;

  if (r == NULL || r->weights == NULL || !r->valid)
    return not_supported (error, "the feature map needs a valid query");
  cs_engine_chart_plane (e, o, &jx, &jy);
  if (c->pre != NULL && c->pre->fx != NULL && c->pre->jx == jx && c->pre->jy == jy)
    {
      fx = g_steal_pointer (&c->pre->fx);   /* computed while the query ran */
      fy = g_steal_pointer (&c->pre->fy);
    }
  else
    plane_coordinates (e, jx, jy, &fx, &fy);
  keep (c, fx);
  keep (c, fy);
  c->map = (CsFeatureMapData) {
    .n = n, .x = fx, .y = fy,
    .values = o->color_by_outcome ? cb->y : keep (c, g_memdup2 (r->weights, n * sizeof (double))),
    .color_by = o->color_by_outcome ? CS_COLOR_BY_OUTCOME : CS_COLOR_BY_WEIGHT,
    .value_name = o->color_by_outcome ? cb->target_name : "weight",
    .value_unit = o->color_by_outcome ? cb->target_unit : "",
    .x_name = cb->feature_names[jx], .x_unit = cb->feature_units[jx],
    .y_name = one ? cb->target_name : cb->feature_names[jy], .y_unit = one ? cb->target_unit : cb->feature_units[jy],
    .has_query = isfinite (r->query[jx]) && (one || isfinite (r->query[jy])),   /* a missing value: no mark */
    .query_x = r->query[jx], .query_y = one ? r->prediction.prediction : r->query[jy],
    .half_width_x = cs_engine_half_width (e, jx), .half_width_y = one ? 0 : cs_engine_half_width (e, jy),
    /* the interval belongs on the vertical axis only when that axis is the outcome */
    .interval_level = one && r->valid ? r->interval.level : NAN,
    .interval_lower = r->interval.lower, .interval_upper = r->interval.upper,
    .title = keep (c, g_strdup_printf ("Where the model looked for %s", (char *) keep (c, query_label (e, r)))),
  };
  if (!isfinite (c->map.half_width_x))
    c->map.half_width_x = 0;
  if (!isfinite (c->map.half_width_y))
    c->map.half_width_y = 0;
  if (o->color_by_window_ratio)
    {
      /* The window the data asks for, over the feature plane: the policy's cases coloured by log2 of
       * preferred / fitted width (diverging around 0: blue narrower, red wider). */
      gsize m = e->n_sample;
      double *px, *py, *v;

      if (e->window_ratio == NULL || m == 0)
        return not_supported (error, "the preferred window was not computed for this case base");
      px = keep (c, g_new (double, m));
      py = keep (c, g_new (double, m));
      v = keep (c, g_new (double, m));
      for (gsize k = 0; k < m; k++)
        {
          gsize i = e->sample_rows[k];
          px[k] = cb->x[i * d + jx];
          py[k] = one ? cb->y[i] : cb->x[i * d + jy];
          v[k] = e->window_ratio[k] > 0 ? log2 (e->window_ratio[k]) : NAN;
        }
      c->map.n = m;
      c->map.x = px;
      c->map.y = py;
      c->map.values = v;
      c->map.color_by = CS_COLOR_BY_OUTCOME;
      c->map.signed_values = TRUE;
      c->map.value_name = "log2 (window the data asks for / fitted window)";
      c->map.value_unit = "";
      c->map.point_label = "case (colour: red where the data asks for a wider window, blue a narrower one)";
      c->map.title = keep (c, g_strdup_printf ("The window the data asks for, %s", (char *) keep (c, query_label (e, r))));
      c->cases = m;
    }
  c->chart.data = &c->map;
  return TRUE;
}

static gboolean
build_attention_matrix (CsEngineChart        *c,
                        const CsChartOptions *o,
                        CsEngineProgressRelay             *p,
                        GError              **error)
{
  CsEngine *e = c->engine;
  const CsCaseBase *cb = e->cases;
  gsize n = cb->n, d = cb->d, jx, jy;
  gsize step = (n + MATRIX_MAX_ROWS - 1) / MATRIX_MAX_ROWS;
  gsize rows = (n + step - 1) / step;
  gsize cols = MIN (n, (gsize) MATRIX_MAX_COLS);
  gsize *qidx = keep (c, g_new (gsize, rows));
  float *m = keep (c, g_new (float, rows * cols));
  g_autofree double *qz = g_new (double, rows * d);
  g_autofree CsPrediction *pr = g_new (CsPrediction, rows);
  /* n < 2^32: a case base is far smaller */
  g_autofree guint32 *bin = g_new (guint32, n);
  gsize *corder = NULL, *rpos = NULL;
  const char *by = o->file_order ? "in file order" : "sorted by ";
  CsPredictOptions po;
  CsStatus st;

  cs_engine_chart_plane (e, o, &jx, &jy);
  for (gsize r = 0; r < rows; r++)
    qidx[r] = r * step;
  /* Columns (and rows) sorted by the plane's first feature, or left in file order. */
  if (!o->file_order)
    {
      g_autofree double *key = g_new (double, n);
      corder = g_new (gsize, n);
      for (gsize i = 0; i < n; i++)
        {
          key[i] = cb->x[i * d + jx];
          corder[i] = i;
        }
      g_qsort_with_data (corder, (gint) n, sizeof (gsize), cmp_by_key, key);
    }
  /* Case i goes to column bin[i]: with more cases than columns, its position in the chart's order, scaled
   * (the column keeps the largest weight of its cases); else its own column, which col_order places. */
  for (gsize q = 0; q < n; q++)
    bin[cols < n && corder != NULL ? corder[q] : q] = (guint32) (cols < n ? q * cols / n : q);
  if (cols < n)
    g_clear_pointer (&corder, g_free);
  else if (corder != NULL)
    keep (c, corder);
  /* One prediction pass over every row: the columns' weights come out of its score pass (bin_weights), so no
   * row's n weights are ever stored, and the rows split over the threads as any batch does. Writing each
   * row's n doubles and reading them back was 16 GB at 10^6 cases, with a second scoring pass per row. */
  for (gsize r = 0; r < rows; r++)
    memcpy (qz + r * d, e->z + qidx[r] * d, d * sizeof (double));
  cs_predict_options_init (&po);
  po.flags = CS_PREDICT_NO_DISTANCE;   /* the weights alone: no nearest case or mean distance (a second GEMM) */
  po.epsilon = e->epsilon;
  po.weight_bin = bin;
  po.n_weight_bins = cols;
  po.bin_weights = m;
  po.self_index = qidx;
  po.n_threads = (int) g_get_num_processors ();
  po.progress = cs_engine_progress_cb;
  po.user_data = p;
  st = cs_attention_predict (e->ctx, qz, rows, &po, pr);
  if (st != CS_OK)
    return engine_failed (st, error);
  if (!o->file_order)
    {
      /* Rows: positions 0..rows-1 of qidx, sorted by their case's feature value. */
      g_autofree double *rkey = g_new (double, rows);
      rpos = keep (c, g_new (gsize, rows));
      for (gsize r = 0; r < rows; r++)
        {
          rkey[r] = cb->x[qidx[r] * d + jx];
          rpos[r] = r;
        }
      g_qsort_with_data (rpos, (gint) rows, sizeof (gsize), cmp_by_key, rkey);
    }
  c->cases = rows;
  c->matrix = (CsAttentionMatrixData) {
    .rows = rows, .cols = cols, .weights = m, .row_order = rpos, .col_order = corder, .bin = CS_BIN_MAX,
    .row_label = step > 1
                 ? keep (c, g_strdup_printf ("queries (every %" G_GSIZE_FORMAT "th case, leave-one-out), %s%s", step,
                                             by, o->file_order ? "" : cb->feature_names[jx]))
                 : keep (c, g_strdup_printf ("queries (each case, leave-one-out), %s%s", by,
                                             o->file_order ? "" : cb->feature_names[jx])),
    .col_label = cols < n
                 ? keep (c, g_strdup_printf ("%" G_GSIZE_FORMAT " cases in %" G_GSIZE_FORMAT " columns (largest "
                                             "weight of each), %s%s", n, cols, by,
                                             o->file_order ? "" : cb->feature_names[jx]))
                 : keep (c, g_strdup_printf ("cases, %s%s", by, o->file_order ? "" : cb->feature_names[jx])),
  };
  c->chart.data = &c->matrix;
  return TRUE;
}

static gboolean
build_window (CsEngineChart        *c,
              const CsQueryResult  *r,
              const CsChartOptions *o,
              CsEngineProgressRelay             *p,
              GError              **error)
{
  CsEngine *e = c->engine;
  const CsCaseBase *cb = e->cases;
  gsize n = cb->n, d = cb->d, m = e->n_sample, jx, jy;
  gboolean half_width = o->window == CS_WINDOW_MEASURE_HALF_WIDTH, n_eff = o->window == CS_WINDOW_MEASURE_N_EFF;
  g_autofree double *zq = NULL, *hw = NULL, *key = NULL;
  g_autofree CsPrediction *loo = NULL;
  g_autofree gsize *order = NULL;
  double *pos, *win, *pref = NULL;
  gboolean *flag;
  CsPredictOptions po;
  CsStatus st;

  if (!e->have_diagnostics || m == 0)
    return not_supported (error, "the case base has too few cases for the window chart");
  cs_engine_chart_plane (e, o, &jx, &jy);
  /* Each case of the policy's sample, leave-one-out against the whole base, with its window; n_eff is stored
   * with the engine's diagnostics, the radius and half-widths take one prediction pass. */
  if (!n_eff)
    {
      zq = g_new (double, m * d);
      hw = g_new (double, m * d);
      loo = g_new (CsPrediction, m);
      for (gsize k = 0; k < m; k++)
        memcpy (zq + k * d, e->z + e->sample_rows[k] * d, d * sizeof (double));
      cs_predict_options_init (&po);
      po.epsilon = e->epsilon;
      /* the chart reads the radii and half-widths: no nearest case or mean distance (a second GEMM) */
      po.flags = CS_PREDICT_WINDOW | CS_PREDICT_NO_DISTANCE;
      po.half_width = hw;
      po.self_index = e->sample_rows;
      po.n_threads = cs_engine_window_threads (n, d);
      po.progress = cs_engine_progress_cb;
      po.user_data = p;
      st = cs_attention_predict (e->ctx, zq, m, &po, loo);
      if (st != CS_OK)
        return engine_failed (st, error);
    }
  pos = keep (c, g_new (double, m));
  win = keep (c, g_new (double, m));
  flag = keep (c, g_new (gboolean, m));
  /* The window the data asks for (fitted window x window_ratio), for the radius and half-width measures: n_eff
   * does not scale with the width in a way that a ratio states. */
  if (!n_eff && e->window_ratio != NULL)
    pref = keep (c, g_new (double, m));
  key = g_new (double, m);
  order = g_new (gsize, m);
  for (gsize k = 0; k < m; k++)
    {
      key[k] = cb->x[e->sample_rows[k] * d + jx];
      order[k] = k;
    }
  g_qsort_with_data (order, (gint) m, sizeof (gsize), cmp_by_key, key);
  for (gsize q = 0; q < m; q++)
    {
      gsize k = order[q];
      CsFlagReport report;

      pos[q] = key[k];
      win[q] = n_eff ? e->sample_local[k].n_eff : half_width ? hw[k * d + jx] * e->sd[jx] : loo[k].radius90;
      if (pref != NULL)
        pref[q] = win[q] * e->window_ratio[k];
      cs_engine_case_report (e, k, &report);
      flag[q] = report.verdict != CS_VERDICT_OK;
    }
  c->cases = m;
  c->window = (CsWindowPlotData) {
    .n = m, .position = pos, .window = win, .flagged = flag,
    .preferred = pref, .preferred_label = "window the data asks for (local leave-one-out)",
    .position_name = cb->feature_names[jx], .position_unit = cb->feature_units[jx],
    .window_name = half_width ? keep (c, g_strdup_printf ("90 %% half-width in %s", cb->feature_names[jx]))
                   : n_eff ? "effective number of cases n_eff" : "90 % attention radius",
    .window_unit = half_width ? cb->feature_units[jx] : n_eff ? "cases" : "sd",
    .flag_label = "flagged by the fail-safe rules (check or stop)",
    .has_query = r != NULL && r->valid,
    .query_position = r != NULL ? r->query[jx] : NAN,
    .query_window = r == NULL || !r->valid ? NAN
                    : half_width ? r->half_width[jx] : n_eff ? r->prediction.n_eff : r->prediction.radius90,
    .reference = NAN,
    .subtitle = per_case_subtitle (c),
  };
  c->chart.data = &c->window;
  return TRUE;
}

static gboolean
build_diagnostics (CsEngineChart        *c,
                   const CsQueryResult  *r,
                   const CsChartOptions *o,
                   GError              **error)
{
  CsEngine *e = c->engine;
  const CsCaseBase *cb = e->cases;
  gsize d = cb->d, m = e->n_sample, jx, jy;
  gboolean one = d == 1, variation;
  double *fx, *fy, *lip, *noise, noise_base;

  if (!e->have_diagnostics || m == 0)
    return not_supported (error, "the case base has too few cases for the diagnostics");
  cs_engine_chart_plane (e, o, &jx, &jy);
  variation = e->flag_base.usual_noise > 0;
  noise_base = variation ? e->flag_base.usual_noise : e->flag_base.noise_sd;
  fx = keep (c, g_new (double, m));
  fy = keep (c, g_new (double, m));
  lip = keep (c, g_new (double, m));
  noise = keep (c, g_new (double, m));
  for (gsize k = 0; k < m; k++)
    {
      gsize i = e->sample_rows[k];
      fx[k] = cb->x[i * d + jx];
      fy[k] = one ? cb->y[i] : cb->x[i * d + jy];
      /* what the rules read: the change of the local trend across the attended cases (with the
       * local-fit baselines) or the old slope */
      lip[k] = variation ? e->sample_local[k].local_variation : e->sample_local[k].local_lipschitz;
      noise[k] = e->sample_local[k].local_noise_sd;
    }
  c->cases = m;
  c->diagnostics = (CsDiagnosticsData) {
    .n = m, .x = fx, .y = fy,
    .x_name = cb->feature_names[jx], .x_unit = cb->feature_units[jx],
    .y_name = one ? cb->target_name : cb->feature_names[jy], .y_unit = one ? cb->target_unit : cb->feature_units[jy],
    .lipschitz = lip,
    .lipschitz_threshold = variation ? e->thresholds.variation_check * noise_base
                                     : e->thresholds.variation_check * e->flag_base.lipschitz,
    .lipschitz_unit = variation ? cb->target_unit
                                : keep (c, g_strdup_printf ("%s per sd", cb->target_unit != NULL && cb->target_unit[0]
                                                                         ? cb->target_unit : "outcome")),
    .lipschitz_name = variation ? "local variation" : NULL,
    .noise = noise, .noise_threshold = e->thresholds.noise_check * noise_base,
    .noise_unit = cb->target_unit,
    .has_query = r != NULL && r->valid,
    .query_x = r != NULL ? r->query[jx] : NAN,
    .query_y = r == NULL ? NAN : one ? r->prediction.prediction : r->query[jy],
    /* a sample says "leave-one-out" in its subtitle; the renderer's shorter title fits above it */
    .title = m < cb->n ? NULL : variation ? "Diagnostics: local variation and local noise (leave-one-out, per case)"
                                          : "Diagnostics: local Lipschitz and local noise (leave-one-out, per case)",
    .subtitle = per_case_subtitle (c),
  };
  c->chart.data = &c->diagnostics;
  return TRUE;
}

static gboolean
pretrain_failed (CsPretrainStatus st,
                 GError         **error)
{
  g_set_error (error, G_IO_ERROR, st == CS_PRETRAIN_CANCELLED ? G_IO_ERROR_CANCELLED : G_IO_ERROR_FAILED,
               "%s", cs_pretrain_status_message (st));
  return FALSE;
}

static gboolean
build_window_sweep (CsEngineChart *c,
                    guint          tasks,
                    CsEngineProgressRelay      *p,
                    GError       **error)
{
  /* The paper's setting (docs/model.md, checks C1 and C2): relu tasks, d = 2, n = 200; the same seeds for the
   * window and the command line. */
  static const double ls[] = { 0.25, 0.5, 1, 2, 4, 8, 16 };
  static const double sigmas[] = { 0.05, 0.1, 0.2, 0.5, 1, 2 };
  CsPretrainSpec spec = { CS_PRETRAIN_RELU, 2, 200, 1.0, 0.5, 0, 0 };
  CsPretrainOptimOptions o;
  CsPretrainStatus st;

  cs_pretrain_optim_options_init (&o);
  o.tasks = tasks;
  o.seed = CS_PRETRAIN_TEST_SEED;
  o.progress = cs_engine_progress_cb;
  o.user_data = p;
  p->to = p->from + 0.5 * (p->to - p->from);
  st = cs_pretrain_sweep (&spec, CS_PRETRAIN_SWEEP_L, ls, G_N_ELEMENTS (ls), &o, &c->sweep_l);
  p->from = p->to;
  p->to = 1.0;
  if (st == CS_PRETRAIN_OK)
    st = cs_pretrain_sweep (&spec, CS_PRETRAIN_SWEEP_SIGMA, sigmas, G_N_ELEMENTS (sigmas), &o, &c->sweep_s);
  if (st != CS_PRETRAIN_OK)
    return pretrain_failed (st, error);
  c->sweep = (CsWindowSweepData) {
    .n_l = c->sweep_l.count, .l = c->sweep_l.value, .window_l = c->sweep_l.window, .sigma_fixed = spec.sigma,
    .n_sigma = c->sweep_s.count, .sigma = c->sweep_s.value, .window_sigma = c->sweep_s.window,
    .l_fixed = spec.L, .n = spec.n, .d = (guint) spec.d,
    .window_name = "learned window 1/√w*", .window_unit = "",
    .title = keep (c, g_strdup_printf ("The learned window adapts to L and σ (paper setting: relu tasks, "
                                       "%u Monte-Carlo prompts)", tasks)),
  };
  c->chart.data = &c->sweep;
  return TRUE;
}

static gboolean
build_softmax_linear_paper (CsEngineChart *c,
                            guint          tasks,
                            CsEngineProgressRelay      *p,
                            GError       **error)
{
  /* The paper's setting (docs/model.md, check C4): affine tasks, d = 2, L = 1, sigma = 0.5, each model at its
   * best scale, error on a fixed test set against the context size n. */
  static const double ns[] = { 10, 25, 50, 100, 200, 400, 800 };
  CsPretrainSpec spec = { CS_PRETRAIN_AFFINE, 2, 10, 1.0, 0.5, 0, 0 };
  CsPretrainOptimOptions o;

  cs_pretrain_optim_options_init (&o);
  o.tasks = tasks;
  o.seed = CS_PRETRAIN_TEST_SEED + 1;
  for (guint i = 0; i < G_N_ELEMENTS (ns); i++)
    {
      double w, loss, ml[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D], ms[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];
      int edge;
      CsPretrainStatus st;

      if (cs_engine_progress_cb ((double) i / G_N_ELEMENTS (ns), p) != 0)
        return pretrain_failed (CS_PRETRAIN_CANCELLED, error);
      spec.n = (size_t) ns[i];
      st = cs_pretrain_optimal_w (&spec, &o, &w, &loss, &edge);
      if (st == CS_PRETRAIN_OK)
        st = cs_pretrain_linear_fit (&spec, CS_PRETRAIN_SCALAR, tasks, CS_PRETRAIN_TEST_SEED + 2, ml);
      if (st == CS_PRETRAIN_OK)
        {
          memset (ms, 0, sizeof ms);
          for (gsize j = 0; j < spec.d; j++)
            ms[j * spec.d + j] = w;
          st = cs_pretrain_evaluate (&spec, ms, ml, tasks, CS_PRETRAIN_TEST_SEED, &c->paper_soft[i],
                                     &c->paper_lin[i]);
        }
      if (st != CS_PRETRAIN_OK)
        return pretrain_failed (st, error);
    }
  {
    static const double ns_copy[] = { 10, 25, 50, 100, 200, 400, 800 };
    c->softmax = (CsSoftmaxLinearData) {
      .n_points = G_N_ELEMENTS (ns_copy), .n_values = ns_copy, .softmax_error = c->paper_soft,
      .linear_error = c->paper_lin, .linear_floor = 1.0 / 3.0, .floor_label = "linear floor E[b²] = 1/3",
      .error_name = "test MSE",
      .subtitle = keep (c, g_strdup_printf ("paper setting: affine tasks, d = 2, L = 1, σ = 0.5, each model at its "
                                            "best scale, %u test prompts", tasks)),
    };
  }
  c->chart.data = &c->softmax;
  return TRUE;
}

static gboolean
build_softmax_linear (CsEngineChart *c,
                      GError       **error)
{
  CsEngine *e = c->engine;
  const CsCaseBase *cb = e->cases;

  if (!isfinite (e->fit.loo_mse) || !isfinite (e->loo_mse_linear))
    return not_supported (error, "the case base has too few cases to compare softmax and linear least squares");
  /* The engine's stored leave-one-out errors, as RMSE in the outcome's units. */
  c->softmax_err[0] = sqrt (e->fit.loo_mse);
  c->linear_err[0] = sqrt (e->loo_mse_linear);
  c->categories[0] = keep (c, g_strdup_printf ("%s  vs  linear least squares", e->metric_label));
  c->softmax = (CsSoftmaxLinearData) {
    .n_points = 1, .categories = c->categories, .softmax_error = c->softmax_err,
    .linear_error = c->linear_err, .linear_floor = NAN, .error_name = "leave-one-out RMSE",
    .error_unit = cb->target_unit,
    .title = "Softmax against linear least squares on this case base",
    .linear_name = "linear least squares",
    .subtitle = e->policy.loss_cases >= cb->n
                ? keep (c, g_strdup_printf ("%s over all %" G_GSIZE_FORMAT " cases; softmax: the window's leave-one-out "
                                            "loss, linear: %s", cb->target_name, cb->n, e->linear_method))
                : keep (c, g_strdup_printf ("%s, %" G_GSIZE_FORMAT " cases; softmax: leave-one-out over %"
                                            G_GSIZE_FORMAT " evenly spaced cases, linear: over all (%s)",
                                            cb->target_name, cb->n, e->policy.loss_cases, e->linear_method)),
  };
  c->chart.data = &c->softmax;
  return TRUE;
}

/* The backtest's error over time with its drift alarms: per case in time order its forward error, the share of
 * the last `window` forward outcomes inside their interval, the CUSUM statistic; the alarms at their position. */
static gboolean
build_backtest (CsEngineChart        *c,
                const CsChartOptions *o,
                GCancellable         *cancellable,
                GError              **error)
{
  CsEngine *e = c->engine;
  const CsBacktest *bt = o->backtest;
  g_autoptr(CsBacktest) run = NULL;
  gsize window = o->coverage_window > 0 ? o->coverage_window : CS_ENGINE_COVERAGE_WINDOW;
  gsize n, in = 0, known = 0;
  double *pos, *err, *cov, *stat, *apos;
  guint *aline;

  if (bt == NULL)
    {
      CsBacktestOptions bo;

      if (o->order_key == NULL)
        return not_supported (error, "the backtest chart needs an order column (a date-time or a counter)");
      cs_backtest_options_init (&bo);
      run = cs_backtest_run (e->cases, o->order_key, &bo, cancellable, error);
      if (run == NULL)
        return FALSE;
      bt = run;
    }
  else if (bt->n != e->cases->n)
    return not_supported (error, "the backtest was run on another case base");
  n = bt->n;
  pos = keep (c, g_new (double, n));
  err = keep (c, g_new (double, n));
  cov = keep (c, g_new (double, n));
  stat = keep (c, g_new (double, n));
  for (gsize t = 0; t < n; t++)
    {
      gboolean forward = isfinite (bt->error[t]);

      pos[t] = (double) (t + 1);
      err[t] = bt->error[t];
      stat[t] = forward ? bt->statistic[t] : NAN;
      /* a running count over the window: add the newest forward outcome, drop the one that left */
      if (forward)
        {
          known++;
          in += bt->covered[t] ? 1 : 0;
        }
      if (t >= window && isfinite (bt->error[t - window]))
        {
          known--;
          in -= bt->covered[t - window] ? 1 : 0;
        }
      cov[t] = forward && known > 0 ? (double) in / (double) known : NAN;
    }
  apos = keep (c, g_new (double, MAX (bt->alarms->len, 1)));
  aline = keep (c, g_new (guint, MAX (bt->alarms->len, 1)));
  for (guint a = 0; a < bt->alarms->len; a++)
    {
      const CsBacktestAlarm *al = &g_array_index (bt->alarms, CsBacktestAlarm, a);
      apos[a] = (double) (al->position + 1);
      aline[a] = al->line;
    }
  c->backtest = (CsBacktestChartData) {
    .n = n, .position = pos, .error = err, .coverage = cov, .statistic = stat, .coverage_window = window,
    .interval_level = 0.9,   /* CsBacktest.covered: outcome within prediction +- 1.645 RMSE of the past */
    .h = bt->h, .n_alarms = bt->alarms->len, .alarm_position = apos, .alarm_line = aline,
    .error_name = keep (c, g_strdup_printf ("forward error of %s", e->cases->target_name)),
    .error_unit = e->cases->target_unit, .order_name = o->order_name,
    .title = keep (c, g_strdup_printf ("Forward error over time: %u drift alarm%s", bt->alarms->len,
                                       bt->alarms->len == 1 ? "" : "s")),
    .subtitle = keep (c, g_strdup_printf ("each case predicted from the cases before it after a warm-up of %"
                                          G_GSIZE_FORMAT "; two-sided CUSUM k %g h %g, about one false alarm "
                                          "per %.0f cases for normal errors", bt->warmup, bt->k, bt->h,
                                          bt->false_alarm_rows)),
  };
  c->cases = n;
  c->chart.data = &c->backtest;
  return TRUE;
}

static CsEngineChart *
chart_build (CsEngine             *engine,
             CsChartKind           kind,
             const CsQueryResult  *result,
             const CsChartOptions *options,
             CsChartPre           *pre,
             CsEngineProgress      progress,
             gpointer              progress_data,
             GCancellable         *cancellable,
             GError              **error)
{
  g_autoptr(CsEngineChart) c = g_new0 (CsEngineChart, 1);
  CsChartOptions defaults;
  CsEngineProgressRelay p = { progress, progress_data, cancellable, "Drawing", 0, 1 };
  guint tasks;
  gboolean ok;

  if (options == NULL)
    {
      cs_chart_options_init (&defaults);
      options = &defaults;
    }
  tasks = options->sweep_tasks > 0 ? options->sweep_tasks : CS_ENGINE_SWEEP_TASKS;
  c->allocs = g_ptr_array_new_with_free_func (g_free);
  /* The paper's charts do not come from the case base: their footer does not name it. */
  if (kind == CS_CHART_WINDOW_SWEEP || (kind == CS_CHART_SOFTMAX_VS_LINEAR && options->paper))
    {
      engine = NULL;
      result = NULL;
    }
  c->engine = engine != NULL ? cs_engine_ref (engine) : NULL;
  c->chart.kind = kind;
  c->pre = pre;
  if (result != NULL)
    {
      c->verdict = result->report.verdict;
      c->have_verdict = TRUE;
    }
  if (engine == NULL && kind != CS_CHART_WINDOW_SWEEP && !(kind == CS_CHART_SOFTMAX_VS_LINEAR && options->paper))
    {
      not_supported (error, "this chart needs a case base");
      return NULL;
    }
  if (engine != NULL && kind != CS_CHART_WINDOW_SWEEP && engine->cases->n < 2)
    {
      not_supported (error, "the charts need at least 2 cases");
      return NULL;
    }
  switch (kind)
    {
    case CS_CHART_CASE_ATTENTION:
      ok = build_case_attention (c, result, options, error);
      break;
    case CS_CHART_FEATURE_MAP:
      ok = build_feature_map (c, result, options, error);
      break;
    case CS_CHART_ATTENTION_MATRIX:
      ok = build_attention_matrix (c, options, &p, error);
      break;
    case CS_CHART_WINDOW:
      ok = build_window (c, result, options, &p, error);
      break;
    case CS_CHART_WINDOW_SWEEP:
      ok = build_window_sweep (c, tasks, &p, error);
      break;
    case CS_CHART_DIAGNOSTICS:
      ok = build_diagnostics (c, result, options, error);
      break;
    case CS_CHART_SOFTMAX_VS_LINEAR:
      ok = options->paper ? build_softmax_linear_paper (c, tasks, &p, error) : build_softmax_linear (c, error);
      break;
    case CS_CHART_BACKTEST:
      ok = build_backtest (c, options, cancellable, error);
      break;
    case CS_N_CHARTS:
    default:
      ok = not_supported (error, "no such chart");
      break;
    }
  if (!ok)
    return NULL;
  if (c->cases == 0 && engine != NULL)
    c->cases = engine->cases->n;
  c->pre = NULL;
  return g_steal_pointer (&c);
}

CsEngineChart *
cs_engine_chart_build (CsEngine             *engine,
                       CsChartKind           kind,
                       const CsQueryResult  *result,
                       const CsChartOptions *options,
                       CsEngineProgress      progress,
                       gpointer              progress_data,
                       GCancellable         *cancellable,
                       GError              **error)
{
  return chart_build (engine, kind, result, options, NULL, progress, progress_data, cancellable, error);
}

CsEngineChart *
_cs_engine_chart_build_pre (CsEngine             *engine,
                            CsChartKind           kind,
                            const CsQueryResult  *result,
                            const CsChartOptions *options,
                            CsChartPre           *pre)
{
  return chart_build (engine, kind, result, options, pre, NULL, NULL, NULL, NULL);
}
