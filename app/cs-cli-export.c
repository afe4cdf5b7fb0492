/* cs-cli-export.c: casescope-cli export, charts of a case base as PNG, SVG or PDF. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention.h"
#include "cs-cli.h"
#include "cs-cli-load.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-diagnostics.h"
#include "cs-export.h"
#include "cs-flags.h"
#include "cs-model-file.h"
#include "cs-pretrain.h"

#define CMD "export"
/* Queries in the attention matrix: every case up to this, a regular subsample beyond. */
#define MATRIX_MAX_ROWS 2000
/* Columns of the attention matrix: every case up to this; beyond, the cases (in the chart's
 * order) are binned into this many columns by their largest weight, as the screen bins pixels. */
#define MATRIX_MAX_COLS 2048
/* Per-case charts (window, diagnostics, flags baselines) and the fit's loss use the engine's sampling policy
 * (cs_engine_policy ()): the same cases as the window and the other sub-commands. */

typedef struct
{
  CsCaseBase *cb;            /* its x is taken over as z: original values via raw () */
  double *z;                 /* standardised features, n * d */
  double *mean, *sd;         /* d: the standardisation (the base's, or the model file's; sd 0 as 1) */
  CsAttention *att;
  CsMetric metric;
  CsFitReport fit;
  gsize d, n;
  gsize loss_cases;          /* the engine policy's cases of the fit's loss */
  gsize jx, jy;              /* features of the plane */
  gsize query;               /* case index, or CS_NO_CASE for a new point */
  double *qx;                /* d, original units */
  double *qz;                /* d, standardised */
  CsPrediction pred;
  double *weights;           /* n */
  double *distances;         /* n, standardised Euclidean */
  /* Per case (leave-one-out), computed on demand, for the m cases pcase[] (all n, or
   * CS_CLI_SAMPLE evenly spaced ones on a large base). */
  gsize m;
  size_t *pcase;
  CsPrediction *loo;
  double *loo_half;          /* m * d per-feature 90 % half-widths (standardised) */
  double *query_half;        /* d, the query's */
  CsLocalDiagnostics *diag;
  CsGlobalDiagnostics global;
  CsFlagBase flag_base;
  CsFlagThresholds thresholds;
  CsVerdict verdict;
  gboolean have_verdict;
} ExportCtx;

static void
export_ctx_clear (ExportCtx *c)
{
  if (c->att != NULL)
    cs_attention_free (c->att);   /* first: it shares z and cb->y */
  g_clear_pointer (&c->cb, cs_case_base_unref);
  g_free (c->z);
  g_free (c->mean);
  g_free (c->sd);
  g_free (c->pcase);
  cs_metric_clear (&c->metric);
  g_free (c->qx);
  g_free (c->qz);
  g_free (c->weights);
  g_free (c->distances);
  g_free (c->loo);
  g_free (c->loo_half);
  g_free (c->query_half);
  g_free (c->diag);
}

/* Feature j of case i in original units. */
static inline double
raw (const ExportCtx *c,
     gsize            i,
     gsize            j)
{
  return c->mean[j] + c->sd[j] * c->z[i * c->d + j];
}

static const double *
raw_row (const ExportCtx *c,
         gsize            i,
         double          *buf)
{
  for (gsize j = 0; j < c->d; j++)
    buf[j] = c->mean[j] + c->sd[j] * c->z[i * c->d + j];
  return buf;
}

static int
engine_fail (CsStatus st)
{
  g_printerr ("casescope-cli " CMD ": the attention engine failed: %s\n", cs_status_message (st));
  return st == CS_ERR_NOT_FINITE ? CS_EXIT_DATA : CS_EXIT_FAILURE;
}

static gboolean
parse_size (const char *text,
            int        *w,
            int        *h)
{
  char *end = NULL;
  gint64 a, b;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  a = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || (*end != 'x' && *end != 'X') || !g_ascii_isdigit (end[1]))
    return FALSE;
  b = g_ascii_strtoll (end + 1, &end, 10);
  if (*end != '\0' || a > G_MAXINT || b > G_MAXINT)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static gssize
find_feature (const CsCaseBase *cb,
              const char       *name)
{
  gssize j = cs_case_base_find_feature (cb, name);

  if (j < 0)
    for (gsize k = 0; k < cb->d; k++)
      if (g_ascii_strcasecmp (cb->feature_names[k], name) == 0)
        return (gssize) k;
  return j;
}

/* --query N (1-based case number), an id of the label column, or name=value,... for a new point. */
static gboolean
resolve_query (ExportCtx  *c,
               const char *text,
               GError    **error)
{
  const CsCaseBase *cb = c->cb;

  c->qx = g_new (double, c->d);
  c->qz = g_new (double, c->d);
  c->query = CS_NO_CASE;
  if (text == NULL)
    c->query = 0;
  else if (strchr (text, '=') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);
      g_autofree gboolean *seen = g_new0 (gboolean, c->d);

      for (char **p = parts; *p != NULL; p++)
        {
          g_auto(GStrv) kv = g_strsplit (*p, "=", 2);
          gssize j;
          double v;

          if (kv[0] == NULL || kv[1] == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: expected name=value, got '%s'",
                           *p);
              return FALSE;
            }
          j = find_feature (cb, g_strstrip (kv[0]));
          if (j < 0)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: no feature named '%s'", kv[0]);
              return FALSE;
            }
          if (!cs_cli_parse_finite (g_strstrip (kv[1]), &v))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: '%s' is not a finite number",
                           kv[1]);
              return FALSE;
            }
          c->qx[j] = v;
          seen[j] = TRUE;
        }
      for (gsize j = 0; j < c->d; j++)
        if (!seen[j])
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: feature '%s' is missing",
                         cb->feature_names[j]);
            return FALSE;
          }
    }
  else
    {
      char *end = NULL;
      gint64 k = g_ascii_strtoll (text, &end, 10);

      if (end != NULL && *end == '\0' && text[0] != '\0')
        {
          if (k < 1 || (guint64) k > c->n)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--query: case %" G_GINT64_FORMAT " does not exist (1 to %" G_GSIZE_FORMAT ")", k, c->n);
              return FALSE;
            }
          c->query = (gsize) (k - 1);
        }
      else if (cb->ids != NULL)
        {
          for (gsize i = 0; i < c->n && c->query == CS_NO_CASE; i++)
            if (g_strcmp0 (cb->ids[i], text) == 0)
              c->query = i;
        }
      if (c->query == CS_NO_CASE)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--query: '%s' is neither a case number, a case id nor name=value,...", text);
          return FALSE;
        }
    }
  if (c->query != CS_NO_CASE)
    memcpy (c->qx, cb->x + c->query * c->d, c->d * sizeof (double));
  return TRUE;
}

static int
predict_query (ExportCtx *c)
{
  CsPredictOptions o;
  CsStatus st;

  cs_predict_options_init (&o);
  o.flags = CS_PREDICT_WINDOW;
  c->weights = g_new0 (double, c->n);
  c->distances = g_new (double, c->n);
  c->query_half = g_new0 (double, c->d);
  o.weights = c->weights;
  o.half_width = c->query_half;
  o.self_index = &c->query;
  st = cs_attention_predict (c->att, c->qz, 1, &o, &c->pred);
  if (st != CS_OK)
    return engine_fail (st);
  for (gsize i = 0; i < c->n; i++)
    {
      double s = 0;
      for (gsize j = 0; j < c->d; j++)
        {
          double t = c->z[i * c->d + j] - c->qz[j];
          s += t * t;
        }
      c->distances[i] = i == c->query ? NAN : sqrt (s);
    }
  return CS_EXIT_OK;
}

/* Leave-one-out window and diagnostics of every case, the flag baselines and the query's verdict. */
static int
compute_per_case (ExportCtx *c)
{
  CsPredictOptions o;
  CsStatus st;
  g_autofree double *ln = NULL, *ll = NULL, *nd = NULL;
  CsFlagQuery q = { 0 };
  CsFlagReport report;
  CsLocalDiagnostics qd;

  if (c->loo != NULL)
    return CS_EXIT_OK;
  {
    CsEnginePolicy policy;
    cs_engine_policy (c->n, c->d, 0, &policy);
    c->m = policy.case_cases;
  }
  c->pcase = g_new (size_t, c->m);
  c->loo = g_new0 (CsPrediction, c->m);
  c->loo_half = g_new0 (double, c->m * c->d);
  c->diag = g_new0 (CsLocalDiagnostics, c->m);
  st = cs_diagnose_global_sample (c->att, c->m, &c->global, c->diag, c->pcase, NULL, NULL);
  if (st == CS_OK)
    {
      g_autofree double *zq = g_new (double, c->m * c->d);

      cs_sample_gather (c->z, c->n, c->d, c->m, NULL, zq);   /* the cases pcase[] names */
      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_WINDOW;
      o.half_width = c->loo_half;
      o.self_index = c->pcase;
      o.n_threads = cs_engine_window_threads (c->n);
      st = cs_attention_predict (c->att, zq, c->m, &o, c->loo);
    }
  if (st == CS_OK)
    st = cs_diagnose_at (c->att, c->qz, 1, &c->query, &qd, NULL, NULL);
  if (st != CS_OK)
    return engine_fail (st);

  ln = g_new (double, c->m);
  ll = g_new (double, c->m);
  nd = g_new (double, c->m);
  for (gsize k = 0; k < c->m; k++)
    {
      ln[k] = c->diag[k].local_noise_sd;
      ll[k] = c->diag[k].local_lipschitz;
      nd[k] = c->loo[k].nearest_distance;
    }
  memset (&c->flag_base, 0, sizeof c->flag_base);
  c->flag_base.d = c->d;
  c->flag_base.n_cases = c->n;
  c->flag_base.feature_names = (const char *const *) c->cb->feature_names;
  c->flag_base.feature_units = (const char *const *) c->cb->feature_units;
  c->flag_base.feature_min = c->cb->min;
  c->flag_base.feature_max = c->cb->max;
  c->flag_base.feature_sd = c->cb->sd;
  c->flag_base.target_name = c->cb->target_name;
  c->flag_base.target_unit = c->cb->target_unit;
  c->flag_base.noise_sd = c->global.noise_sd;
  c->flag_base.lipschitz = c->global.lipschitz;
  c->flag_base.nn_distance_high = NAN;
  c->flag_base.window = c->global.window_radius;
  cs_flag_base_from_cases (&c->flag_base, ln, ll, nd, c->m);
  cs_flag_thresholds_init_for_base (&c->thresholds, &c->flag_base);

  q.x = c->qx;
  q.y_hat = c->pred.prediction;
  q.local_spread = c->pred.local_sd;
  q.local_noise = qd.local_noise_sd;
  q.local_lipschitz = qd.local_lipschitz;
  q.n_eff = c->pred.n_eff;
  q.nearest_distance = c->pred.nearest_distance;
  {
    double near[c->d];
    q.nearest_x = c->pred.nearest_index < c->n ? raw_row (c, c->pred.nearest_index, near) : NULL;
    cs_flags_evaluate (&c->flag_base, &c->thresholds, &q, &report);
  }
  c->verdict = report.verdict;
  c->have_verdict = TRUE;
  return CS_EXIT_OK;
}

/* The verdict of per-case entry k (case pcase[k]). */
static gboolean
case_flagged (ExportCtx *c,
              gsize      k)
{
  CsFlagQuery q = { 0 };
  CsFlagReport report;
  double xi[c->d], near[c->d];

  q.x = raw_row (c, c->pcase[k], xi);
  q.y_hat = c->loo[k].prediction;
  q.local_spread = c->loo[k].local_sd;
  q.local_noise = c->diag[k].local_noise_sd;
  q.local_lipschitz = c->diag[k].local_lipschitz;
  q.n_eff = c->loo[k].n_eff;
  q.nearest_distance = c->loo[k].nearest_distance;
  q.nearest_x = c->loo[k].nearest_index < c->n ? raw_row (c, c->loo[k].nearest_index, near) : NULL;
  cs_flags_evaluate (&c->flag_base, &c->thresholds, &q, &report);
  return report.verdict != CS_VERDICT_OK;
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

static gsize *
order_by_feature (ExportCtx   *c,
                  const gsize *subset,
                  gsize        count,
                  double     **key_out)
{
  double *key = g_new (double, c->n);
  gsize *idx = g_new (gsize, MAX (count, 1));

  for (gsize i = 0; i < c->n; i++)
    key[i] = raw (c, i, c->jx);
  for (gsize p = 0; p < count; p++)
    idx[p] = subset != NULL ? subset[p] : p;
  g_qsort_with_data (idx, (gint) count, sizeof (gsize), cmp_by_key, key);
  *key_out = key;
  return idx;
}

static char *
query_label (ExportCtx *c)
{
  if (c->query != CS_NO_CASE)
    {
      if (c->cb->ids != NULL && c->cb->ids[c->query] != NULL)
        return g_strdup_printf ("case %s (line %u), leave-one-out", c->cb->ids[c->query], c->cb->line[c->query]);
      return g_strdup_printf ("case %" G_GSIZE_FORMAT " (line %u), leave-one-out", c->query + 1,
                              c->cb->line[c->query]);
    }
  return g_strdup ("the new query");
}

/* Everything the charts point into, freed together. */
typedef struct
{
  GPtrArray *allocs;
  CsCaseAttentionData attention;
  CsFeatureMapData map;
  CsAttentionMatrixData matrix;
  CsWindowPlotData window;
  CsWindowSweepData sweep;
  CsPretrainSweep sweep_l, sweep_s;
  CsDiagnosticsData diagnostics;
  CsSoftmaxLinearData softmax;
  double softmax_err[2], linear_err[2];
  const char *categories[2];
  double paper_soft[7], paper_lin[7];
} ChartStore;

static gpointer
keep (ChartStore *s,
      gpointer    p)
{
  g_ptr_array_add (s->allocs, p);
  return p;
}

/* Under the per-case charts' title: which cases their points are, when not all (large bases). */
static const char *
per_case_subtitle (const ExportCtx *c,
                   ChartStore      *s)
{
  if (c->m >= c->n)
    return NULL;
  return keep (s, g_strdup_printf ("Leave-one-out on %" G_GSIZE_FORMAT " evenly spaced cases of %" G_GSIZE_FORMAT,
                                   c->m, c->n));
}

static int
build_chart (ExportCtx   *c,
             ChartStore  *s,
             CsChartKind  kind,
             CsChart     *chart,
             guint        top_k,
             CsCaseSort   sort,
             guint        sweep_tasks,
             gboolean     paper,
             const char  *window_kind,
             gboolean     by_outcome,
             gboolean     by_position)
{
  const CsCaseBase *cb = c->cb;
  int rc;

  chart->kind = kind;
  switch (kind)
    {
    case CS_CHART_CASE_ATTENTION:
      s->attention = (CsCaseAttentionData) {
        .n = c->n, .weights = c->weights, .outcomes = cb->y, .distances = c->distances,
        .ids = (const char *const *) cb->ids, .lines = cb->line, .top_k = top_k, .sort = sort,
        .prediction = c->pred.prediction, .query_label = keep (s, query_label (c)),
        .target_name = cb->target_name, .target_unit = cb->target_unit,
      };
      chart->data = &s->attention;
      return CS_EXIT_OK;

    case CS_CHART_FEATURE_MAP:
      {
        double *fx = keep (s, g_new (double, c->n)), *fy = keep (s, g_new (double, c->n));
        double hw[64];
        g_autofree double *half = g_new (double, c->d);

        for (gsize i = 0; i < c->n; i++)
          {
            fx[i] = raw (c, i, c->jx);
            fy[i] = raw (c, i, c->jy);
          }
        cs_metric_half_widths (&c->metric, half);
        hw[0] = half[c->jx] * c->sd[c->jx];
        hw[1] = half[c->jy] * c->sd[c->jy];
        s->map = (CsFeatureMapData) {
          .n = c->n, .x = fx, .y = fy, .values = by_outcome ? cb->y : c->weights,
          .color_by = by_outcome ? CS_COLOR_BY_OUTCOME : CS_COLOR_BY_WEIGHT,
          .value_name = by_outcome ? cb->target_name : NULL, .value_unit = by_outcome ? cb->target_unit : NULL,
          .x_name = cb->feature_names[c->jx], .x_unit = cb->feature_units[c->jx],
          .y_name = cb->feature_names[c->jy], .y_unit = cb->feature_units[c->jy],
          .has_query = TRUE, .query_x = c->qx[c->jx], .query_y = c->qx[c->jy],
          .half_width_x = isfinite (hw[0]) ? hw[0] : 0, .half_width_y = isfinite (hw[1]) ? hw[1] : 0,
          .title = keep (s, g_strdup_printf ("Where the model looked for %s",
                                             (char *) keep (s, query_label (c)))),
        };
        chart->data = &s->map;
        return CS_EXIT_OK;
      }

    case CS_CHART_ATTENTION_MATRIX:
      {
        gsize step = (c->n + MATRIX_MAX_ROWS - 1) / MATRIX_MAX_ROWS;
        gsize rows = (c->n + step - 1) / step;
        gsize cols = MIN (c->n, (gsize) MATRIX_MAX_COLS);
        /* Query rows per engine call: 256, fewer on a large base (their weight rows are n each:
         * 8 MiB in all from 4,096 cases on). */
        gsize block = CLAMP (((gsize) 1 << 20) / c->n, 1, 256);
        gsize *qidx = keep (s, g_new (gsize, rows));
        float *m = keep (s, g_new0 (float, rows * cols));
        double *qz = g_new (double, block * c->d);
        double *w = g_new (double, block * c->n);
        CsPrediction *pr = g_new (CsPrediction, block);
        g_autofree guint32 *bin = NULL;   /* n < 2^32: a case base is far smaller */
        double *key = NULL;
        gsize *corder = NULL, *rpos = NULL;
        CsPredictOptions o;

        for (gsize r = 0; r < rows; r++)
          qidx[r] = r * step;
        /* Columns (and rows) sorted by the plane's first feature, or left in file order. */
        if (!by_position)
          {
            corder = order_by_feature (c, NULL, c->n, &key);
            g_free (key);
          }
        if (cols < c->n)
          {
            /* Case i goes to column bin[i]: its position in the chart's order, scaled. */
            bin = g_new (guint32, c->n);
            for (gsize p = 0; p < c->n; p++)
              bin[corder != NULL ? corder[p] : p] = (guint32) (p * cols / c->n);
            g_clear_pointer (&corder, g_free);
          }
        else if (corder != NULL)
          keep (s, corder);
        cs_predict_options_init (&o);
        o.weights = w;
        o.n_threads = (int) g_get_num_processors ();
        for (gsize r0 = 0; r0 < rows; r0 += block)
          {
            gsize nb = MIN (block, rows - r0);
            CsStatus st;

            for (gsize b = 0; b < nb; b++)
              memcpy (qz + b * c->d, c->z + qidx[r0 + b] * c->d, c->d * sizeof (double));
            o.self_index = qidx + r0;
            st = cs_attention_predict (c->att, qz, nb, &o, pr);
            if (st != CS_OK)
              {
                g_free (qz);
                g_free (w);
                g_free (pr);
                return engine_fail (st);
              }
            for (gsize b = 0; b < nb; b++)
              {
                float *row = m + (r0 + b) * cols;
                const double *wr = w + b * c->n;
                if (bin == NULL)
                  for (gsize i = 0; i < c->n; i++)
                    row[i] = (float) wr[i];
                else
                  for (gsize i = 0; i < c->n; i++)
                    row[bin[i]] = MAX (row[bin[i]], (float) wr[i]);
              }
          }
        g_free (qz);
        g_free (w);
        g_free (pr);
        if (!by_position)
          {
            /* Rows: positions 0..rows-1 of qidx, sorted by their case's feature value. */
            double *rkey = g_new (double, rows);
            rpos = keep (s, g_new (gsize, rows));
            for (gsize r = 0; r < rows; r++)
              {
                rkey[r] = raw (c, qidx[r], c->jx);
                rpos[r] = r;
              }
            g_qsort_with_data (rpos, (gint) rows, sizeof (gsize), cmp_by_key, rkey);
            g_free (rkey);
          }
        s->matrix = (CsAttentionMatrixData) {
          .rows = rows, .cols = cols, .weights = m, .row_order = rpos, .col_order = corder, .bin = CS_BIN_MAX,
          .row_label = step > 1
                       ? keep (s, g_strdup_printf ("queries (every %" G_GSIZE_FORMAT "th case, leave-one-out), %s%s",
                                                   step, by_position ? "in file order" : "sorted by ",
                                                   by_position ? "" : cb->feature_names[c->jx]))
                       : keep (s, g_strdup_printf ("queries (each case, leave-one-out), %s%s",
                                                   by_position ? "in file order" : "sorted by ",
                                                   by_position ? "" : cb->feature_names[c->jx])),
          .col_label = cols < c->n
                       ? keep (s, g_strdup_printf ("%" G_GSIZE_FORMAT " cases in %" G_GSIZE_FORMAT " columns (largest "
                                                   "weight of each), %s%s", c->n, cols,
                                                   by_position ? "in file order" : "sorted by ",
                                                   by_position ? "" : cb->feature_names[c->jx]))
                       : keep (s, g_strdup_printf ("cases, %s%s", by_position ? "in file order" : "sorted by ",
                                                   by_position ? "" : cb->feature_names[c->jx])),
        };
        chart->data = &s->matrix;
        return CS_EXIT_OK;
      }

    case CS_CHART_WINDOW:
      {
        double *key, *pos, *win;
        gsize *order;
        gboolean *flag;
        gboolean half_width = g_strcmp0 (window_kind, "half-width") == 0;
        gboolean n_eff = g_strcmp0 (window_kind, "n-eff") == 0;
        double sd = c->sd[c->jx];
        double qwin = half_width ? c->query_half[c->jx] * sd : n_eff ? c->pred.n_eff : c->pred.radius90;

        if ((rc = compute_per_case (c)) != CS_EXIT_OK)
          return rc;
        pos = keep (s, g_new (double, c->m));
        win = keep (s, g_new (double, c->m));
        flag = keep (s, g_new (gboolean, c->m));
        /* Per-case entries k sorted by their case's feature value. */
        key = g_new (double, c->m);
        order = g_new (gsize, c->m);
        for (gsize k = 0; k < c->m; k++)
          {
            key[k] = raw (c, c->pcase[k], c->jx);
            order[k] = k;
          }
        g_qsort_with_data (order, (gint) c->m, sizeof (gsize), cmp_by_key, key);
        for (gsize p = 0; p < c->m; p++)
          {
            gsize k = order[p];
            pos[p] = key[k];
            if (half_width)
              win[p] = c->loo_half[k * c->d + c->jx] * sd;
            else if (n_eff)
              win[p] = c->loo[k].n_eff;
            else
              win[p] = c->loo[k].radius90;
            flag[p] = case_flagged (c, k);
          }
        g_free (order);
        g_free (key);
        s->window = (CsWindowPlotData) {
          .n = c->m, .position = pos, .window = win, .flagged = flag,
          .position_name = cb->feature_names[c->jx], .position_unit = cb->feature_units[c->jx],
          .window_name = half_width ? keep (s, g_strdup_printf ("90 %% half-width in %s", cb->feature_names[c->jx]))
                         : n_eff ? "effective number of cases n_eff" : "90 % attention radius",
          .window_unit = half_width ? cb->feature_units[c->jx] : n_eff ? "cases" : "sd",
          .flag_label = "flagged by the fail-safe rules (check or stop)",
          .has_query = TRUE, .query_position = c->qx[c->jx], .query_window = qwin,
          .reference = NAN,
          .subtitle = per_case_subtitle (c, s),
        };
        chart->data = &s->window;
        return CS_EXIT_OK;
      }

    case CS_CHART_WINDOW_SWEEP:
      {
        /* The paper's setting (docs/model.md, checks C1 and C2): relu tasks, d = 2, n = 200. */
        static const double ls[] = { 0.25, 0.5, 1, 2, 4, 8, 16 };
        static const double sigmas[] = { 0.05, 0.1, 0.2, 0.5, 1, 2 };
        CsPretrainSpec spec = { CS_PRETRAIN_RELU, 2, 200, 1.0, 0.5, 0, 0 };
        CsPretrainOptimOptions o;
        CsPretrainStatus st;

        cs_pretrain_optim_options_init (&o);
        o.tasks = sweep_tasks;
        o.seed = CS_PRETRAIN_TEST_SEED;
        st = cs_pretrain_sweep (&spec, CS_PRETRAIN_SWEEP_L, ls, G_N_ELEMENTS (ls), &o, &s->sweep_l);
        if (st == CS_PRETRAIN_OK)
          st = cs_pretrain_sweep (&spec, CS_PRETRAIN_SWEEP_SIGMA, sigmas, G_N_ELEMENTS (sigmas), &o, &s->sweep_s);
        if (st != CS_PRETRAIN_OK)
          {
            g_printerr ("casescope-cli " CMD ": the window sweep failed: %s\n", cs_pretrain_status_message (st));
            return CS_EXIT_FAILURE;
          }
        s->sweep = (CsWindowSweepData) {
          .n_l = s->sweep_l.count, .l = s->sweep_l.value, .window_l = s->sweep_l.window, .sigma_fixed = spec.sigma,
          .n_sigma = s->sweep_s.count, .sigma = s->sweep_s.value, .window_sigma = s->sweep_s.window,
          .l_fixed = spec.L, .n = spec.n, .d = (guint) spec.d,
          .window_name = "learned window 1/√w*", .window_unit = "",
          .title = keep (s, g_strdup_printf ("The learned window adapts to L and σ (paper setting: relu tasks, "
                                             "%u Monte-Carlo prompts)", sweep_tasks)),
        };
        chart->data = &s->sweep;
        return CS_EXIT_OK;
      }

    case CS_CHART_DIAGNOSTICS:
      {
        double *fx, *fy, *lip, *noise;

        if ((rc = compute_per_case (c)) != CS_EXIT_OK)
          return rc;
        fx = keep (s, g_new (double, c->m));
        fy = keep (s, g_new (double, c->m));
        lip = keep (s, g_new (double, c->m));
        noise = keep (s, g_new (double, c->m));
        for (gsize k = 0; k < c->m; k++)
          {
            fx[k] = raw (c, c->pcase[k], c->jx);
            fy[k] = raw (c, c->pcase[k], c->jy);
            lip[k] = c->diag[k].local_lipschitz;
            noise[k] = c->diag[k].local_noise_sd;
          }
        s->diagnostics = (CsDiagnosticsData) {
          .n = c->m, .x = fx, .y = fy,
          .x_name = cb->feature_names[c->jx], .x_unit = cb->feature_units[c->jx],
          .y_name = cb->feature_names[c->jy], .y_unit = cb->feature_units[c->jy],
          .lipschitz = lip, .lipschitz_threshold = c->thresholds.variation_check * c->flag_base.lipschitz,
          .lipschitz_unit = keep (s, g_strdup_printf ("%s per sd", cb->target_unit != NULL && cb->target_unit[0]
                                                                   ? cb->target_unit : "outcome")),
          .noise = noise, .noise_threshold = c->thresholds.noise_check * c->flag_base.noise_sd,
          .noise_unit = cb->target_unit,
          .has_query = TRUE, .query_x = c->qx[c->jx], .query_y = c->qx[c->jy],
          /* a sample says "leave-one-out" in its subtitle; the renderer's shorter title fits above it */
          .title = c->m < c->n ? NULL : "Diagnostics: local Lipschitz and local noise (leave-one-out, per case)",
          .subtitle = per_case_subtitle (c, s),
        };
        chart->data = &s->diagnostics;
        return CS_EXIT_OK;
      }

    case CS_CHART_SOFTMAX_VS_LINEAR:
      if (paper)
        {
          /* The paper's setting (docs/model.md, check C4): affine tasks, d = 2, L = 1, sigma = 0.5,
           * each model at its best scale, error on a fixed test set against the context size n. */
          static const double ns[] = { 10, 25, 50, 100, 200, 400, 800 };
          CsPretrainSpec spec = { CS_PRETRAIN_AFFINE, 2, 10, 1.0, 0.5, 0, 0 };
          CsPretrainOptimOptions o;

          cs_pretrain_optim_options_init (&o);
          o.tasks = sweep_tasks;
          o.seed = CS_PRETRAIN_TEST_SEED + 1;
          for (guint i = 0; i < G_N_ELEMENTS (ns); i++)
            {
              double w, loss, ml[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D], ms[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];
              int edge;
              CsPretrainStatus st;

              spec.n = (size_t) ns[i];
              st = cs_pretrain_optimal_w (&spec, &o, &w, &loss, &edge);
              if (st == CS_PRETRAIN_OK)
                st = cs_pretrain_linear_fit (&spec, CS_PRETRAIN_SCALAR, sweep_tasks, CS_PRETRAIN_TEST_SEED + 2, ml);
              if (st == CS_PRETRAIN_OK)
                {
                  memset (ms, 0, sizeof ms);
                  for (gsize j = 0; j < spec.d; j++)
                    ms[j * spec.d + j] = w;
                  st = cs_pretrain_evaluate (&spec, ms, ml, sweep_tasks, CS_PRETRAIN_TEST_SEED, &s->paper_soft[i],
                                             &s->paper_lin[i]);
                }
              if (st != CS_PRETRAIN_OK)
                {
                  g_printerr ("casescope-cli " CMD ": the paper-setting comparison failed: %s\n",
                              cs_pretrain_status_message (st));
                  return CS_EXIT_FAILURE;
                }
            }
          s->softmax = (CsSoftmaxLinearData) {
            .n_points = G_N_ELEMENTS (ns), .n_values = ns, .softmax_error = s->paper_soft,
            .linear_error = s->paper_lin, .linear_floor = 1.0 / 3.0, .floor_label = "linear floor E[b²] = 1/3",
            .error_name = "test MSE",
            .subtitle = keep (s, g_strdup_printf ("paper setting: affine tasks, d = 2, L = 1, σ = 0.5, each model at "
                                                  "its best scale, %u test prompts", sweep_tasks)),
          };
          chart->data = &s->softmax;
          return CS_EXIT_OK;
        }
      else
        {
          /* On the case base: the scalar and the fitted window against linear attention with an
           * intercept (the paper's form without one cannot carry the outcome's mean on
           * standardised features); leave-one-out RMSE. */
          CsLinearModel lin1 = { 0 };
          CsMetric scalar = { 0 };
          CsFitOptions fo;
          CsFitReport fr;
          CsStatus st;

          cs_fit_options_init (&fo);
          fo.kind = CS_METRIC_SCALAR;
          fo.max_queries = c->loss_cases;
          fo.n_threads = (int) g_get_num_processors ();
          st = c->metric.kind == CS_METRIC_SCALAR ? CS_OK : cs_attention_fit (c->att, &fo, &scalar, &fr);
          if (c->metric.kind == CS_METRIC_SCALAR)
            fr = c->fit;
          if (st == CS_OK)
            st = cs_linear_fit (c->att, 1, &lin1);
          cs_metric_clear (&scalar);
          if (st != CS_OK)
            {
              cs_linear_clear (&lin1);
              return engine_fail (st);
            }
          s->softmax_err[0] = sqrt (fr.loo_mse);
          s->linear_err[0] = sqrt (lin1.loo_mse);
          s->softmax_err[1] = sqrt (c->fit.loo_mse);
          s->linear_err[1] = sqrt (lin1.loo_mse);
          cs_linear_clear (&lin1);
          s->categories[0] = "scalar window  vs  linear with intercept";
          s->categories[1] = c->metric.kind == CS_METRIC_SCALAR ? "scalar window (fitted)  vs  linear with intercept"
                                                                 : "diagonal window  vs  linear with intercept";
          s->softmax = (CsSoftmaxLinearData) {
            .n_points = 2, .categories = s->categories, .softmax_error = s->softmax_err,
            .linear_error = s->linear_err, .linear_floor = NAN, .error_name = "leave-one-out RMSE",
            .error_unit = cb->target_unit,
            .subtitle = c->loss_cases >= c->n
                        ? keep (s, g_strdup_printf ("%s over all %" G_GSIZE_FORMAT " cases; each model fitted on the "
                                                    "case base (softmax: window by leave-one-out loss, linear: least "
                                                    "squares)", cb->target_name, c->n))
                        : keep (s, g_strdup_printf ("%s, %" G_GSIZE_FORMAT " cases; softmax: leave-one-out over %d "
                                                    "evenly spaced cases, linear: over all (least squares)",
                                                    cb->target_name, c->n, (int) c->loss_cases)),
          };
          chart->data = &s->softmax;
          return CS_EXIT_OK;
        }

    case CS_N_CHARTS:
    default:
      return CS_EXIT_FAILURE;
    }
}

static char *
scale_text (const CsMetric *m)
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

int
cs_cli_export (int    argc,
               char **argv)
{
  g_autofree char *target = NULL, *chart_name = NULL, *query = NULL, *format_name = NULL;
  g_autofree char *size_text = NULL, *dpi_text = NULL, *out_path = NULL, *x_name = NULL, *y_name = NULL;
  g_autofree char *metric_name = NULL, *sort_name = NULL, *colormap = NULL, *preset = NULL;
  g_autofree char *window_kind = NULL, *color_by = NULL, *order = NULL, *model_path = NULL;
  gint top_k = 10, sweep_tasks = 1024;
  gboolean stretch = FALSE, transparent = FALSE, no_footer = FALSE, json = FALSE, paper = FALSE;
  const GOptionEntry entries[] = {
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Outcome column (default: the loader's rule)", "COL" },
    { "chart", 'c', 0, G_OPTION_ARG_STRING, &chart_name, "Chart to draw (see below), or all (multi-page PDF)", "NAME" },
    { "query", 'q', 0, G_OPTION_ARG_STRING, &query,
      "Case number (1-based) or id, leave-one-out; or name=value,... for a new point (default: case 1)", "QUERY" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, "png, svg or pdf (default: from --out, else png)", "FMT" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "16:9 (1920x1080, 144 dpi), 4:3 (1600x1200, 150 dpi), a4 (3508x2480, 300 dpi)", "P" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, "Size in pixels (default 1920x1080)", "WxH" },
    { "dpi", 0, 0, G_OPTION_ARG_STRING, &dpi_text, "Resolution: font sizes in points scale with it (default 144)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "Output file (default: <data>_<chart>_<date>.<ext>)", "PATH" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &x_name, "Feature along x / the sort key (default: the first)", "NAME" },
    { "y", 0, 0, G_OPTION_ARG_STRING, &y_name, "Feature along y (default: the second)", "NAME" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_name, "Window to fit: scalar or diagonal (default)", "KIND" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      "A model file from fit --save: its window and scaling, no fit (the case base must have its columns)",
      "MODEL.json" },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort_name, "case-attention order: weight (default) or distance", "BY" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window_kind,
      "window chart: radius (90 % attention radius, default), half-width (of --x) or n-eff", "KIND" },
    { "color-by", 0, 0, G_OPTION_ARG_STRING, &color_by, "feature-map colours: weight (default) or outcome", "WHAT" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order, "attention-matrix order: feature (--x, default) or position", "BY" },
    { "top-k", 'k', 0, G_OPTION_ARG_INT, &top_k, "Cases labelled in case-attention (default 10)", "K" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &colormap, "Weights: viridis (default) or cividis", "MAP" },
    { "stretch", 0, 0, G_OPTION_ARG_NONE, &stretch, "Colour weights on [0, max] instead of the fixed [0, 1]", NULL },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &transparent, "Transparent background", NULL },
    { "no-footer", 0, 0, G_OPTION_ARG_NONE, &no_footer, "Leave out the provenance footer", NULL },
    { "sweep-tasks", 0, 0, G_OPTION_ARG_INT, &sweep_tasks, "Monte-Carlo prompts per w* in window-sweep (default 1024)", "T" },
    { "paper", 0, 0, G_OPTION_ARG_NONE, &paper,
      "softmax-vs-linear in the paper's setting (error against n) instead of on the case base", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object describing the file written", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("FILE - draw charts of a case base as PNG, SVG or PDF");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = cs_plot_provenance_date (now);   /* UTC, pinned by SOURCE_DATE_EPOCH, as in the window */
  g_autofree char *scale = NULL;
  g_autofree char *sha = NULL;
  CsExportOptions eo;
  CsCsvOptions co;
  CsChartKind kind = CS_CHART_CASE_ATTENTION;
  gboolean all = FALSE;
  CsChart charts[CS_N_CHARTS];
  guint n_charts = 0;
  ExportCtx c = { 0 };
  ChartStore store = { 0 };
  CsProvenance prov = { 0 };
  CsFitOptions fo;
  CsStatus st;
  int rc = CS_EXIT_OK;
  const char *protect[2] = { NULL, NULL };
  g_autoptr(CsModelFile) mf = NULL;

  g_option_context_add_main_entries (octx, entries, NULL);
  g_option_context_set_description (octx,
    "Charts (--chart):\n"
    "  case-attention     the cases one prediction used: weights, top-k, the exact sum\n"
    "  feature-map        cases in the plane of --x and --y coloured by weight, window ellipse, query\n"
    "  attention-matrix   every case as a query (leave-one-out) against every case, binned per pixel\n"
    "  window             90 % attention radius along the cases sorted by --x, flagged stretches shaded\n"
    "  window-sweep       learned window against L and sigma with the theory line (paper setting)\n"
    "  diagnostics        local Lipschitz and local noise, maps and histograms with thresholds\n"
    "  softmax-vs-linear  leave-one-out error of softmax against linear attention (--paper: error against n)\n"
    "  all                every chart, one per page (PDF only)\n\n"
    "Example:\n"
    "  casescope-cli export data/samples/press-line.csv --target strength --chart feature-map --out map.png\n");
  if (!cs_cli_parse (octx, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error (CMD, "a CSV FILE is required");
  if (argc > 2)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[2]);
  if (chart_name == NULL)
    return cs_cli_usage_error (CMD, "--chart is required (case-attention, feature-map, attention-matrix, window, "
                                    "window-sweep, diagnostics, softmax-vs-linear or all)");
  if (g_strcmp0 (chart_name, "all") == 0)
    all = TRUE;
  else if (!cs_chart_kind_from_name (chart_name, &kind))
    return cs_cli_usage_error (CMD, "unknown chart '%s' (see --help)", chart_name);

  /* Size, resolution and format. */
  if (preset == NULL || g_strcmp0 (preset, "16:9") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_SLIDE_16_9);
  else if (g_strcmp0 (preset, "4:3") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_SLIDE_4_3);
  else if (g_ascii_strcasecmp (preset, "a4") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_A4_LANDSCAPE);
  else
    return cs_cli_usage_error (CMD, "unknown --preset '%s' (16:9, 4:3 or a4)", preset);
  if (size_text != NULL && !parse_size (size_text, &eo.width, &eo.height))
    return cs_cli_usage_error (CMD, "--size must be WIDTHxHEIGHT in pixels, e.g. 1920x1080, got '%s'", size_text);
  if (dpi_text != NULL && !cs_cli_parse_finite (dpi_text, &eo.dpi))
    return cs_cli_usage_error (CMD, "--dpi must be a number, got '%s'", dpi_text);
  if (format_name != NULL)
    {
      if (!cs_export_format_from_name (format_name, &eo.format))
        return cs_cli_usage_error (CMD, "unknown --format '%s' (png, svg or pdf)", format_name);
    }
  else if (out_path != NULL && strrchr (out_path, '.') != NULL
           && cs_export_format_from_name (strrchr (out_path, '.') + 1, &eo.format))
    ;
  else
    eo.format = all ? CS_EXPORT_PDF : CS_EXPORT_PNG;
  if (all && eo.format != CS_EXPORT_PDF)
    return cs_cli_usage_error (CMD, "--chart all makes a multi-page PDF; use --format pdf");
  if (out_path != NULL && strrchr (out_path, '.') != NULL)
    {
      CsExportFormat ext;
      if (cs_export_format_from_name (strrchr (out_path, '.') + 1, &ext) && ext != eo.format)
        return cs_cli_usage_error (CMD, "--out ends in .%s but --format is %s", strrchr (out_path, '.') + 1,
                                   cs_export_format_name (eo.format));
    }
  if (!cs_export_options_validate (&eo, &error))
    return cs_cli_usage_error (CMD, "%s", error->message);
  if (top_k < 1 || top_k > 100)
    return cs_cli_usage_error (CMD, "--top-k must be between 1 and 100");
  if (sweep_tasks < 64 || sweep_tasks > 1000000)
    return cs_cli_usage_error (CMD, "--sweep-tasks must be between 64 and 1000000");
  if (metric_name != NULL && g_strcmp0 (metric_name, "scalar") != 0 && g_strcmp0 (metric_name, "diagonal") != 0)
    return cs_cli_usage_error (CMD, "--metric must be scalar or diagonal, got '%s'", metric_name);
  if (metric_name != NULL && model_path != NULL)
    return cs_cli_usage_error (CMD, "--metric fits a window and --model brings one: give one of them");
  if (sort_name != NULL && g_strcmp0 (sort_name, "weight") != 0 && g_strcmp0 (sort_name, "distance") != 0)
    return cs_cli_usage_error (CMD, "--sort must be weight or distance, got '%s'", sort_name);
  if (window_kind != NULL && g_strcmp0 (window_kind, "radius") != 0 && g_strcmp0 (window_kind, "half-width") != 0
      && g_strcmp0 (window_kind, "n-eff") != 0)
    return cs_cli_usage_error (CMD, "--window must be radius, half-width or n-eff, got '%s'", window_kind);
  if (color_by != NULL && g_strcmp0 (color_by, "weight") != 0 && g_strcmp0 (color_by, "outcome") != 0)
    return cs_cli_usage_error (CMD, "--color-by must be weight or outcome, got '%s'", color_by);
  if (order != NULL && g_strcmp0 (order, "feature") != 0 && g_strcmp0 (order, "position") != 0)
    return cs_cli_usage_error (CMD, "--order must be feature or position, got '%s'", order);
  if (colormap != NULL && g_strcmp0 (colormap, "viridis") != 0 && g_strcmp0 (colormap, "cividis") != 0)
    return cs_cli_usage_error (CMD, "--colormap must be viridis or cividis, got '%s'", colormap);
  eo.weight_map = g_strcmp0 (colormap, "cividis") == 0 ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;
  eo.stretch_to_max = stretch;
  eo.transparent = transparent;

  /* The case base and the model. */
  if (model_path != NULL)
    {
      mf = cs_model_file_load (model_path, &error);
      if (mf == NULL)
        return cs_cli_fail (CMD, error);
      if (target == NULL)
        target = g_strdup (mf->target);
    }
  cs_csv_options_init (&co);
  co.target = target;
  c.cb = cs_csv_load_path (argv[1], &co, &report, NULL, NULL, NULL, &error);
  if (c.cb == NULL && mf != NULL && g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN))
    {
      g_autofree char *mfeat = g_strjoinv (", ", mf->features);
      g_printerr ("%s: this model was fitted for features (%s) -> %s, which %s does not have: %s\n",
                  model_path, mfeat, mf->target, argv[1], error->message);
      return CS_EXIT_DATA;
    }
  if (c.cb == NULL)
    {
      cs_cli_print_problems (argv[1], report);
      return cs_cli_fail (CMD, error);
    }
  /* Every row left out is named, as inspect names it; the charts go on with the others. */
  cs_cli_print_problems (argv[1], report);
  if (mf != NULL && !cs_model_file_check_columns (mf, c.cb, &error))
    {
      g_printerr ("%s: %s\n", model_path, error->message);
      export_ctx_clear (&c);
      return CS_EXIT_DATA;
    }
  c.n = c.cb->n;
  c.d = c.cb->d;
  {
    CsEnginePolicy policy;
    cs_engine_policy (c.n, c.d, 0, &policy);
    c.loss_cases = policy.loss_cases;
  }
  if (c.n < 2)
    {
      g_printerr ("%s: needs at least 2 usable cases, found %" G_GSIZE_FORMAT "\n", argv[1], c.n);
      export_ctx_clear (&c);
      return CS_EXIT_DATA;
    }
  c.jx = 0;
  c.jy = c.d > 1 ? 1 : 0;
  if (x_name != NULL || y_name != NULL)
    {
      gssize jx = x_name != NULL ? find_feature (c.cb, x_name) : (gssize) c.jx;
      gssize jy = y_name != NULL ? find_feature (c.cb, y_name) : (gssize) c.jy;

      if (jx < 0 || jy < 0)
        {
          rc = cs_cli_usage_error (CMD, "no feature named '%s'", jx < 0 ? x_name : y_name);
          export_ctx_clear (&c);
          return rc;
        }
      c.jx = (gsize) jx;
      c.jy = (gsize) jy;
    }
  if (!resolve_query (&c, query, &error))
    {
      rc = cs_cli_usage_error (CMD, "%s", error->message);
      export_ctx_clear (&c);
      return rc;
    }

  /* Standardised in place (the original values stay recoverable through raw ()), and the
   * context shares z and y: the case base is held once, for twice the payload at most. */
  c.mean = g_new (double, c.d);
  c.sd = g_new (double, c.d);
  for (gsize j = 0; j < c.d; j++)
    {
      c.mean[j] = mf != NULL ? mf->mean[j] : c.cb->mean[j];
      c.sd[j] = mf != NULL ? mf->sd[j] : c.cb->sd[j];
      if (!(c.sd[j] > 0))
        c.sd[j] = 1.0;
    }
  cs_standardise_rows (c.qx, c.qz, c.d, c.mean, c.sd, 0, 1);
  c.z = g_steal_pointer (&c.cb->x);
  cs_standardise_rows (c.z, c.z, c.d, c.mean, c.sd, 0, c.n);
  st = cs_attention_new_full (c.z, c.cb->y, c.n, c.d, CS_SCORE_DISTANCE,
                              CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT, NULL, NULL, &c.att);
  if (st == CS_OK && mf != NULL)
    {
      if (mf->kind == CS_MODEL_METRIC_SCALAR)
        st = cs_metric_init_scalar (&c.metric, mf->d, mf->scale);
      else if (mf->kind == CS_MODEL_METRIC_DIAGONAL)
        st = cs_metric_init_diagonal (&c.metric, mf->d, mf->diag);
      else
        st = cs_metric_init_full (&c.metric, mf->d, mf->rank, mf->A);
      c.fit.loo_mse = mf->loo_mse;
      c.fit.passes = mf->passes;
    }
  else if (st == CS_OK)
    {
      cs_fit_options_init (&fo);
      /* One default metric everywhere: scalar, as fit, predict, diagnose and the window. */
      fo.kind = g_strcmp0 (metric_name, "diagonal") == 0 ? CS_METRIC_DIAGONAL : CS_METRIC_SCALAR;
      fo.max_queries = c.loss_cases;
      fo.n_threads = (int) g_get_num_processors ();
      st = cs_attention_fit (c.att, &fo, &c.metric, &c.fit);
    }
  if (st == CS_OK)
    st = cs_attention_set_metric (c.att, &c.metric);
  if (st != CS_OK)
    {
      rc = engine_fail (st);
      export_ctx_clear (&c);
      return rc;
    }
  if ((rc = predict_query (&c)) != CS_EXIT_OK || (rc = compute_per_case (&c)) != CS_EXIT_OK)
    {
      export_ctx_clear (&c);
      return rc;
    }

  /* The charts. */
  store.allocs = g_ptr_array_new_with_free_func (g_free);
  for (guint k = 0; k < CS_N_CHARTS; k++)
    {
      if (!all && k != (guint) kind)
        continue;
      rc = build_chart (&c, &store, (CsChartKind) k, &charts[n_charts], (guint) top_k,
                        g_strcmp0 (sort_name, "distance") == 0 ? CS_CASE_SORT_DISTANCE : CS_CASE_SORT_WEIGHT,
                        (guint) sweep_tasks, paper, window_kind, g_strcmp0 (color_by, "outcome") == 0,
                        g_strcmp0 (order, "position") == 0);
      if (rc != CS_EXIT_OK)
        goto out;
      n_charts++;
    }

  scale = scale_text (&c.metric);
  if (c.cb->sha256 == NULL)
    {
      /* The loader did not record it (a large file): hash the file now, in 1 MiB chunks, so the
       * file is never held in memory next to the case base. */
      FILE *f = fopen (argv[1], "rb");

      if (f != NULL)
        {
          g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
          g_autofree guchar *chunk = g_malloc (1 << 20);
          size_t got;

          while ((got = fread (chunk, 1, 1 << 20, f)) > 0)
            g_checksum_update (sum, chunk, (gssize) got);
          if (!ferror (f))
            sha = g_strdup (g_checksum_get_string (sum));
          fclose (f);
        }
    }
  prov = (CsProvenance) {
    .file_name = c.cb->source, .sha256 = c.cb->sha256 != NULL ? c.cb->sha256 : sha, .n = c.n, .d = c.d,
    .metric = c.metric.kind == CS_METRIC_SCALAR ? "scalar" : c.metric.kind == CS_METRIC_DIAGONAL ? "diagonal" : "full",
    .scale = scale,
    .app_version = PACKAGE_VERSION, .date = date,
    .verdict = c.have_verdict ? cs_verdict_name (c.verdict) : NULL,
  };
  eo.provenance = no_footer ? NULL : &prov;
  protect[0] = argv[1];
  eo.protected_paths = protect;
  if (out_path == NULL)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M");
      char *dot = strrchr (base, '.');

      if (dot != NULL)
        *dot = '\0';
      out_path = g_strdup_printf ("%s_%s_%s.%s", base, all ? "charts" : cs_chart_kind_name (kind), stamp,
                                  cs_export_format_name (eo.format));
    }
  if (!cs_export_charts (out_path, charts, n_charts, &eo, &error))
    {
      g_printerr ("casescope-cli " CMD ": %s\n", error->message);
      rc = error->domain == CS_EXPORT_ERROR && (error->code == CS_EXPORT_ERROR_WRITE || error->code == CS_EXPORT_ERROR_WOULD_OVERWRITE) ? CS_EXIT_WRITE : CS_EXIT_FAILURE;
      goto out;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, out_path);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, cs_export_format_name (eo.format));
      json_builder_set_member_name (b, "charts");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_charts; i++)
        json_builder_add_string_value (b, cs_chart_kind_name (charts[i].kind));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, eo.width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, eo.height);
      json_builder_set_member_name (b, "dpi");
      json_builder_add_double_value (b, eo.dpi);
      json_builder_set_member_name (b, "query_case");
      if (c.query != CS_NO_CASE)
        json_builder_add_int_value (b, (gint64) c.query + 1);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "prediction");
      json_builder_add_double_value (b, c.pred.prediction);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, cs_verdict_name (c.verdict));
      json_builder_set_member_name (b, "footer");
      json_builder_add_boolean_value (b, !no_footer);
      /* the cases behind the per-case figures (window, diagnostics, fail-safe baselines): all, or a sample */
      json_builder_set_member_name (b, "cases");
      json_builder_add_int_value (b, (gint64) c.n);
      json_builder_set_member_name (b, "per_case_cases");
      if (c.m > 0)
        json_builder_add_int_value (b, (gint64) c.m);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "loss_cases");
      json_builder_add_int_value (b, (gint64) c.loss_cases);
      cs_cli_json_problems (b, report);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    printf ("Wrote %s (%s, %u chart%s, %dx%d px at %g dpi)\n", out_path, cs_export_format_name (eo.format), n_charts,
            n_charts == 1 ? "" : "s", eo.width, eo.height, eo.dpi);

out:
  cs_pretrain_sweep_clear (&store.sweep_l);
  cs_pretrain_sweep_clear (&store.sweep_s);
  g_ptr_array_unref (store.allocs);
  export_ctx_clear (&c);
  return rc;
}
