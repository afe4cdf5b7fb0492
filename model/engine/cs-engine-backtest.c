/* cs-engine-backtest.c: forward-chaining backtest and a CUSUM drift alarm on its standardised errors. */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention.h"
#include "cs-datetime.h"
#include "cs-engine-backtest.h"

#define Z90 1.6448536269514722   /* the normal 95 % quantile: a two-sided 90 % interval */

void
cs_backtest_options_init (CsBacktestOptions *o)
{
  memset (o, 0, sizeof *o);
  o->k = 0.5;
  o->h = 10.0;
  o->recentre = 100;
  o->fit = CS_ENGINE_FIT_AUTO;
}

void
cs_cusum_init (CsCusum *c,
               double   k,
               double   h,
               gsize    recentre)
{
  memset (c, 0, sizeof *c);
  c->k = k;
  c->h = h;
  c->recentre = recentre;
}

int
cs_cusum_add (CsCusum *c,
              double   zt,
              double  *z,
              double  *statistic)
{
  int direction;

  if (c->ref_left > 0)
    {
      /* after an alarm: these errors set the new reference level, no alarm meanwhile */
      c->ref_sum += zt;
      c->ref_count++;
      if (--c->ref_left == 0)
        c->ref = c->ref_sum / (double) c->ref_count;
      *z = zt - c->ref;
      *statistic = 0;
      return 0;
    }
  *z = zt - c->ref;
  c->sp = MAX (0, c->sp + *z - c->k);
  c->sm = MAX (0, c->sm - *z - c->k);
  *statistic = MAX (c->sp, c->sm);
  if (!(*statistic > c->h))
    return 0;
  direction = c->sp > c->sm ? 1 : -1;
  c->sp = c->sm = 0;
  c->ref_left = c->recentre;
  c->ref_sum = 0;
  c->ref_count = 0;
  return direction;
}

double
cs_backtest_cusum_arl0 (double k,
                        double h)
{
  double b = h + 1.166, one = (exp (2 * k * b) - 2 * k * b - 1) / (2 * k * k);

  return one / 2;   /* two one-sided charts, each alarming at that rate */
}

gboolean
cs_backtest_parse_key (const char *text,
                       double     *out)
{
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  char *end = NULL;
  double v;

  if (t[0] == '\0')
    return FALSE;
  v = g_ascii_strtod (t, &end);
  if (end != NULL && *end == '\0' && isfinite (v))
    {
      *out = v;
      return TRUE;
    }
  return cs_parse_datetime (t, out);
}

void
cs_backtest_free (CsBacktest *self)
{
  if (self == NULL)
    return;
  g_free (self->order);
  g_free (self->prediction);
  g_free (self->error);
  g_free (self->scale);
  g_free (self->z);
  g_free (self->statistic);
  g_free (self->covered);
  if (self->alarms != NULL)
    g_array_unref (self->alarms);
  g_free (self);
}

typedef struct
{
  const double *key;
  const guint *line;
} SortCtx;

static int
by_key (const void *a,
        const void *b,
        void       *data)
{
  const SortCtx *c = data;
  gsize i = *(const gsize *) a, j = *(const gsize *) b;

  if (c->key[i] != c->key[j])
    return c->key[i] < c->key[j] ? -1 : 1;
  return c->line[i] < c->line[j] ? -1 : c->line[i] > c->line[j];
}

/* The standardisation of the first p cases in time order (sd 0 as 1). */
static void
past_scaling (const CsCaseBase *cases,
              const gsize      *order,
              gsize             p,
              double           *mean,
              double           *sd)
{
  gsize d = cases->d;

  for (gsize j = 0; j < d; j++)
    {
      double s = 0, ss = 0;
      for (gsize t = 0; t < p; t++)
        s += cases->x[order[t] * d + j];
      mean[j] = s / p;
      for (gsize t = 0; t < p; t++)
        {
          double e = cases->x[order[t] * d + j] - mean[j];
          ss += e * e;
        }
      sd[j] = sqrt (ss / p);
      if (!(sd[j] > 1e-12 * MAX (1.0, fabs (mean[j]))))
        sd[j] = 1.0;
    }
}

static void
standardise_past (const CsCaseBase *cases,
                  const gsize      *order,
                  gsize             p,
                  const double     *mean,
                  const double     *sd,
                  double           *z,
                  double           *y)
{
  gsize d = cases->d;

  for (gsize t = 0; t < p; t++)
    {
      for (gsize j = 0; j < d; j++)
        z[t * d + j] = (cases->x[order[t] * d + j] - mean[j]) / sd[j];
      y[t] = cases->y[order[t]];
    }
}

CsBacktest *
cs_backtest_run (CsCaseBase              *cases,
                 const double            *key,
                 const CsBacktestOptions *given,
                 GCancellable            *cancellable,
                 GError                 **error)
{
  g_autoptr(CsBacktest) self = g_new0 (CsBacktest, 1);
  CsBacktestOptions o;
  gsize n = cases->n, d = cases->d, next_refit, t0;
  g_autofree double *mean = g_new (double, d), *sd = g_new (double, d);
  g_autofree double *z = g_new (double, MAX (n * d, 1)), *y = g_new (double, MAX (n, 1));
  g_autofree double *zq = NULL;
  g_autofree CsPrediction *pred = NULL;
  g_autofree gint *codes = NULL;
  gsize nc;
  CsMetric metric = { 0 };
  double rmse_fit = NAN, sse = 0;
  gsize counted = 0, inside = 0;
  CsCusum cusum;
  int direction;
  SortCtx sc = { key, cases->line };

  if (given != NULL)
    o = *given;
  else
    cs_backtest_options_init (&o);
  self->n = n;
  self->metric = cs_engine_fit_resolve (o.fit, d) == CS_ENGINE_FIT_DIAGONAL ? "diagonal" : "scalar";
  self->warmup = o.warmup > 0 ? o.warmup : MAX (50, n / 10);
  self->step = o.step > 0 ? o.step : MAX (1, n / 1000);
  self->k = o.k;
  self->h = o.h;
  self->false_alarm_rows = cs_backtest_cusum_arl0 (o.k, o.h);
  cs_cusum_init (&cusum, o.k, o.h, o.recentre);
  self->alarms = g_array_new (FALSE, FALSE, sizeof (CsBacktestAlarm));
  if (!(o.k >= 0) || !(o.h > 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the CUSUM needs k >= 0 and h > 0");
      return NULL;
    }
  if (n < self->warmup + 1 || self->warmup < 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a backtest needs more cases than its warm-up (%zu cases, warm-up %zu)", (size_t) n,
                   (size_t) self->warmup);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    if (!isfinite (key[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: the order value is not a date-time or "
                     "a number", cases->line[i]);
        return NULL;
      }

  self->order = g_new (gsize, n);
  for (gsize i = 0; i < n; i++)
    self->order[i] = i;
  g_qsort_with_data (self->order, (gint) n, sizeof (gsize), by_key, &sc);
  self->prediction = g_new (double, n);
  self->error = g_new (double, n);
  self->scale = g_new (double, n);
  self->z = g_new (double, n);
  self->statistic = g_new (double, n);
  self->covered = g_new0 (gboolean, n);
  for (gsize t = 0; t < n; t++)
    self->prediction[t] = self->error[t] = self->scale[t] = self->z[t] = self->statistic[t] = NAN;
  zq = g_new (double, self->step * d);
  pred = g_new (CsPrediction, self->step);
  /* category levels in time order: the past's are the first t0 rows, the next queries' follow */
  nc = cases->n_cat;
  codes = g_new (gint, MAX (n * nc, 1));
  for (gsize t = 0; t < n && nc > 0; t++)   /* no category columns: cat_codes is NULL */
    memcpy (codes + t * nc, cases->cat_codes + self->order[t] * nc, nc * sizeof (gint));

  next_refit = self->warmup;
  for (t0 = self->warmup; t0 < n; t0 += self->step)
    {
      gsize m = MIN (self->step, n - t0);
      CsAttention *ctx = NULL;
      CsPredictOptions po;
      CsStatus st;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          cs_metric_clear (&metric);
          return NULL;
        }
      if (t0 >= next_refit)
        {
          /* the past's own standardisation and window, fitted again each time the past has doubled */
          CsFitOptions fo;
          CsFitReport report;

          past_scaling (cases, self->order, t0, mean, sd);
          standardise_past (cases, self->order, t0, mean, sd, z, y);
          if (cs_attention_new_full (z, y, t0, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT,
                                     NULL, NULL, &ctx) != CS_OK
              || (nc > 0 && cs_attention_set_categories (ctx, nc, codes, (const size_t *) cases->cat_n_levels) != CS_OK))
            {
              cs_attention_free (ctx);
              break;
            }
          cs_metric_clear (&metric);
          /* Scott's rule as the start, as the engine's: w = n^(2 / (d + 4)) */
          cs_metric_init_scalar (&metric, d, pow ((double) t0, 2.0 / ((double) d + 4.0)));
          cs_fit_options_init (&fo);
          /* the engine's metric for this base, so the backtest measures the window every front end fits */
          fo.kind = cs_engine_fit_resolve (o.fit, d) == CS_ENGINE_FIT_DIAGONAL ? CS_METRIC_DIAGONAL : CS_METRIC_SCALAR;
          fo.fit_categories = nc > 0;   /* as the engine fits them */
          fo.max_queries = MIN (t0, 1000);
          fo.n_threads = (int) g_get_num_processors ();
          st = cs_attention_fit (ctx, &fo, &metric, &report);
          if (st != CS_OK)
            {
              cs_attention_free (ctx);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "fitting the window on the first %zu cases: %s",
                           (size_t) t0, cs_status_message (st));
              cs_metric_clear (&metric);
              return NULL;
            }
          rmse_fit = sqrt (report.loo_mse);
          self->refits++;
          next_refit = 2 * t0;
        }
      else
        {
          standardise_past (cases, self->order, t0, mean, sd, z, y);
          if (cs_attention_new_full (z, y, t0, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT,
                                     NULL, NULL, &ctx) != CS_OK
              || (nc > 0 && cs_attention_set_categories (ctx, nc, codes, (const size_t *) cases->cat_n_levels) != CS_OK))
            {
              cs_attention_free (ctx);
              break;
            }
        }
      cs_attention_set_metric (ctx, &metric);
      for (gsize q = 0; q < m; q++)
        for (gsize j = 0; j < d; j++)
          zq[q * d + j] = (cases->x[self->order[t0 + q] * d + j] - mean[j]) / sd[j];
      cs_predict_options_init (&po);
      po.epsilon = 0;   /* dense sums: the forward predictions are exact */
      po.levels = nc > 0 ? codes + t0 * nc : NULL;
      st = cs_attention_predict (ctx, zq, m, &po, pred);
      cs_attention_free (ctx);
      if (st != CS_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "forward prediction at case %zu: %s", (size_t) t0,
                       cs_status_message (st));
          cs_metric_clear (&metric);
          return NULL;
        }
      for (gsize q = 0; q < m; q++)
        {
          gsize t = t0 + q;
          double e = cases->y[self->order[t]] - pred[q].prediction;
          double zt = e / rmse_fit;

          self->prediction[t] = pred[q].prediction;
          self->error[t] = e;
          self->scale[t] = rmse_fit;
          if (!isfinite (zt))
            continue;
          sse += e * e;
          counted++;
          self->covered[t] = fabs (e) <= Z90 * rmse_fit;
          inside += self->covered[t];
          direction = cs_cusum_add (&cusum, zt, &self->z[t], &self->statistic[t]);
          if (direction != 0)
            {
              CsBacktestAlarm a = { t, self->order[t], cases->line[self->order[t]], self->statistic[t], direction };
              g_array_append_val (self->alarms, a);
            }
        }
    }
  cs_metric_clear (&metric);
  self->rmse = counted > 0 ? sqrt (sse / counted) : NAN;
  self->coverage = counted > 0 ? (double) inside / counted : NAN;
  return g_steal_pointer (&self);
}
