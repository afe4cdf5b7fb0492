/* cs-engine-interval.c: prediction intervals and spec probabilities from the leave-one-out residuals the engine
 * keeps, weighted by each query's attention (localised split conformal; model/INTERVALS.md). */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cs-engine.h"
#include "cs-engine-private.h"

/* The widening ladder: weights w^(1/T) over the attended set, T = 1 first (the prediction's own kernel). With a
 * distance score, w^(1/T) is the softmax of a metric scaled by 1/T: the window widened by sqrt (T), over the
 * cases the prediction attended to. */
static const double temper_ladder[] = { 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256 };

void
cs_interval_spec_init (CsIntervalSpec *spec)
{
  spec->level = CS_ENGINE_DEFAULT_LEVEL;
  spec->spec_lower = NAN;
  spec->spec_upper = NAN;
}

gboolean
cs_interval_spec_has_limits (const CsIntervalSpec *spec)
{
  return spec != NULL && (isfinite (spec->spec_lower) || isfinite (spec->spec_upper));
}

char *
cs_interval_spec_check (const CsIntervalSpec *spec)
{
  if (!(spec->level > 0 && spec->level < 1))
    return g_strdup_printf ("the interval level must be a number between 0 and 1 (0.9 for 90 %%), not %g",
                            spec->level);
  if (isinf (spec->spec_lower) || isinf (spec->spec_upper))
    return g_strdup ("a spec limit must be a finite number");
  if (isfinite (spec->spec_lower) && isfinite (spec->spec_upper) && spec->spec_lower > spec->spec_upper)
    return g_strdup_printf ("the lower spec limit (%g) is above the upper one (%g)", spec->spec_lower,
                            spec->spec_upper);
  return NULL;
}

typedef struct
{
  double r, v;
} WeightedResidual;

static int
cmp_residual (const void *a,
              const void *b)
{
  double x = ((const WeightedResidual *) a)->r, y = ((const WeightedResidual *) b)->r;

  return (x > y) - (x < y);
}

/* The smallest residual whose cumulative weight reaches target (of the total mass, the test point's included);
 * the largest residual when the residuals alone never reach it (the test point's mass at infinity would make
 * the end infinite; INTERVALS.md). rs sorted ascending. */
static double
upper_quantile (const WeightedResidual *rs,
                gsize                   m,
                double                  target)
{
  double c = 0;

  for (gsize i = 0; i < m; i++)
    {
      c += rs[i].v;
      if (c >= target * (1 - 1e-12))
        return rs[i].r;
    }
  return m > 0 ? rs[m - 1].r : INFINITY;
}

static double
lower_quantile (const WeightedResidual *rs,
                gsize                   m,
                double                  target)
{
  double c = 0;

  for (gsize i = m; i-- > 0;)
    {
      c += rs[i].v;
      if (c >= target * (1 - 1e-12))
        return rs[i].r;
    }
  return m > 0 ? rs[0].r : -INFINITY;
}

/* The same quantiles read off the weighted empirical distribution function joined linearly between its steps
 * (development variants, CsEngine.interval_test_mass 4 and 5; INTERVALS.md): the step rule above takes the
 * residual whose cumulative weight first reaches the target, so each end sits up to one residual's weight
 * beyond it; interpolating takes that weight's share back. at_mid: each residual sits at the middle of its own
 * weight (Hazen's rule) rather than at its top (the distribution function's own steps). */
static double
upper_quantile_interp (const WeightedResidual *rs,
                       gsize                   m,
                       double                  target,
                       gboolean                at_mid)
{
  double c = 0, prev_pos = 0;

  for (gsize i = 0; i < m; i++)
    {
      double pos = at_mid ? c + rs[i].v / 2 : c + rs[i].v;

      c += rs[i].v;
      if (pos >= target * (1 - 1e-12))
        {
          if (i == 0 || pos <= prev_pos)
            return rs[i].r;
          return rs[i - 1].r + (rs[i].r - rs[i - 1].r) * (target - prev_pos) / (pos - prev_pos);
        }
      prev_pos = pos;
    }
  return m > 0 ? rs[m - 1].r : INFINITY;
}

static double
lower_quantile_interp (const WeightedResidual *rs,
                       gsize                   m,
                       double                  target,
                       gboolean                at_mid)
{
  double c = 0, prev_pos = 0;

  for (gsize i = m; i-- > 0;)
    {
      double pos = at_mid ? c + rs[i].v / 2 : c + rs[i].v;

      c += rs[i].v;
      if (pos >= target * (1 - 1e-12))
        {
          if (i == m - 1 || pos <= prev_pos)
            return rs[i].r;
          return rs[i + 1].r + (rs[i].r - rs[i + 1].r) * (target - prev_pos) / (pos - prev_pos);
        }
      prev_pos = pos;
    }
  return m > 0 ? rs[0].r : -INFINITY;
}

void
cs_metric_rows_init (CsMetricRows   *mr,
                     const CsMetric *metric,
                     gsize           d)
{
  gsize e = 0;

  mr->d = d;
  mr->M = g_new (double, d * d);
  mr->start = g_new (gsize, d + 1);
  mr->col = g_new (gsize, MAX (d * d, 1));
  mr->val = g_new (double, MAX (d * d, 1));
  cs_metric_to_matrix (metric, mr->M);
  for (gsize a = 0; a < d; a++)
    {
      mr->start[a] = e;
      for (gsize b = 0; b < d; b++)
        if (mr->M[a * d + b] != 0)
          {
            mr->col[e] = b;
            mr->val[e] = mr->M[a * d + b];
            e++;
          }
    }
  mr->start[d] = e;
}

void
cs_metric_rows_clear (CsMetricRows *mr)
{
  g_clear_pointer (&mr->M, g_free);
  g_clear_pointer (&mr->start, g_free);
  g_clear_pointer (&mr->col, g_free);
  g_clear_pointer (&mr->val, g_free);
}

double
cs_metric_rows_score (const CsMetricRows *mr,
                      const double       *z,
                      const double       *zq,
                      double             *t)
{
  gsize d = mr->d;
  double q2 = 0;
  gboolean finite = TRUE;

  for (gsize a = 0; a < d; a++)
    {
      t[a] = z[a] - zq[a];
      finite &= isfinite (t[a]);
    }
  if (!finite)
    for (gsize a = 0; a < d; a++)
      {
        double acc = 0;
        for (gsize b = 0; b < d; b++)
          acc += mr->M[a * d + b] * t[b];
        q2 += t[a] * acc;
      }
  else
    for (gsize a = 0; a < d; a++)
      {
        double acc = 0;
        for (gsize e = mr->start[a]; e < mr->start[a + 1]; e++)
          acc += mr->val[e] * t[mr->col[e]];
        q2 += t[a] * acc;
      }
  return -0.5 * q2;
}

/* The query's attention over the loss sample, as log weights: its distance scores over the sample's rows
 * (cs_metric_rows_score), for bases above CS_ENGINE_EXACT_MAX where only the sample has residuals. mr: the
 * metric (cs_metric_rows_init); t: d doubles of scratch. */
static double
sample_log_weight (const CsEngine     *self,
                   const CsMetricRows *mr,
                   const double       *zq,
                   size_t              row,
                   double             *t)
{
  return cs_metric_rows_score (mr, self->z + row * self->cases->d, zq, t);
}

/* The widening ladder over m log weights (lw_max their largest): the first T whose weights
 * exp ((logw - lw_max) / T), stored in rs[].v, rest on min_eff effective residuals and carry need_mass; the last
 * T's weights when none does. */
static void
temper_weights (WeightedResidual *rs,
                const double     *logw,
                gsize             m,
                double            lw_max,
                double            min_eff,
                double            need_mass,
                double           *sum_out,
                double           *sum2_out,
                double           *temper_out)
{
  double sum = 0, sum2 = 0, temper = 1;

  for (gsize t = 0; t < G_N_ELEMENTS (temper_ladder); t++)
    {
      temper = temper_ladder[t];
      sum = sum2 = 0;
      for (gsize i = 0; i < m; i++)
        {
          rs[i].v = exp ((logw[i] - lw_max) / temper);
          sum += rs[i].v;
          sum2 += rs[i].v * rs[i].v;
        }
      if (sum * sum / sum2 >= min_eff && sum >= need_mass)
        break;
    }
  *sum_out = sum;
  *sum2_out = sum2;
  *temper_out = temper;
}

/* With CS_ENGINE_INTERVAL_SCALE_RESIDUAL each score is scaled by the typical size of the residuals around its
 * case: the attention-weighted mean |r_j| of the other loss cases under the case's own kernel (the prediction's,
 * T = 1), the case left out as its residual left it out. A query's interval is scaled by the same mean under the
 * query's kernel, so score and query see one scale estimate (Lei, G'Sell, Rinaldo, Tibshirani and Wasserman
 * 2018, section 5.2: the spread is a fitted mean absolute residual). The outcomes' local spread (scale 1)
 * counts a step inside the window as spread; the residuals there are much smaller than that (INTERVALS.md). */
CsStatus
cs_engine_interval_prepare (CsEngine *self)
{
  gsize n = self->cases->n, d = self->cases->d, loss = self->policy.loss_cases;
  CsStatus status = CS_OK;
  gint64 t0 = g_get_monotonic_time ();
  clock_t c0_cpu = clock ();

  g_clear_pointer (&self->loo_abs_scale, g_free);
  if (self->interval_scaled != CS_ENGINE_INTERVAL_SCALE_RESIDUAL || self->loo_residual == NULL || n < 2)
    return CS_OK;
  self->loo_abs_scale = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    self->loo_abs_scale[i] = NAN;
  if (loss >= n)
    {
      /* every case: a leave-one-out prediction of |r| under the engine's own metric and category columns, the
       * dense weighted mean sum_{j != i} w_ij |r_j| (the score pass alone: as costly as the loss pass's first
       * half; collecting every case's attended set instead cost as much as the whole loss pass, 9.6 s of
       * processor time at 20,000 kiln cases) */
      g_autofree double *abs_r = g_new (double, n);
      g_autofree CsPrediction *pred = g_new (CsPrediction, n);
      CsAttention *ctx = NULL;
      CsPredictOptions po;
      double mean_abs = 0;
      gsize finite = 0;

      for (gsize i = 0; i < n; i++)
        if (isfinite (self->loo_residual[i]))
          {
            mean_abs += fabs (self->loo_residual[i]);
            finite++;
          }
      mean_abs /= (double) MAX (finite, 1);
      /* a case whose leave-one-out prediction failed has no residual: it counts with the base's mean |r| (a
       * context takes no NaN) */
      for (gsize i = 0; i < n; i++)
        abs_r[i] = isfinite (self->loo_residual[i]) ? fabs (self->loo_residual[i]) : mean_abs;
      status = cs_attention_new_full (self->z, abs_r, n, d, CS_SCORE_DISTANCE,
                                      CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT, NULL, NULL, &ctx);
      if (status == CS_OK && self->cases->n_cat > 0)
        status = cs_attention_set_categories (ctx, self->cases->n_cat, self->cases->cat_codes,
                                              (const size_t *) self->cases->cat_n_levels);
      if (status == CS_OK)
        status = cs_attention_set_metric (ctx, &self->metric);
      if (status == CS_OK)
        {
          cs_predict_options_init (&po);
          po.epsilon = self->epsilon;
          po.n_threads = cs_engine_window_threads (n, d);
          status = cs_attention_predict_loo (ctx, &po, pred);
        }
      for (gsize i = 0; status == CS_OK && i < n; i++)
        self->loo_abs_scale[i] = isfinite (self->loo_residual[i]) ? pred[i].prediction : NAN;
      if (ctx != NULL)
        cs_attention_free (ctx);
    }
  else
    {
      /* the loss sample, each case against the others under the distance score (as the queries' route) */
      g_autofree size_t *rows = g_new (size_t, MAX (loss, 1));
      g_autofree double *t = g_new (double, d);
      g_autofree double *lw = g_new (double, MAX (loss, 1));
      CsMetricRows mr;

      cs_sample_gather (NULL, n, 0, loss, rows, NULL);
      cs_metric_rows_init (&mr, &self->metric, d);
      for (gsize k = 0; k < loss; k++)
        {
          double lmax = -INFINITY, sw = 0, swr = 0;

          if (!isfinite (self->loo_residual[rows[k]]))
            continue;
          for (gsize j = 0; j < loss; j++)
            {
              lw[j] = j == k || !isfinite (self->loo_residual[rows[j]]) ? -INFINITY
                      : sample_log_weight (self, &mr, self->z + rows[k] * d, rows[j], t);
              lmax = MAX (lmax, lw[j]);
            }
          for (gsize j = 0; j < loss && isfinite (lmax); j++)
            if (isfinite (lw[j]))
              {
                double w = exp (lw[j] - lmax);
                sw += w;
                swr += w * fabs (self->loo_residual[rows[j]]);
              }
          if (sw > 0)
            self->loo_abs_scale[rows[k]] = swr / sw;
        }
      cs_metric_rows_clear (&mr);
    }
  if (status != CS_OK)
    g_clear_pointer (&self->loo_abs_scale, g_free);
  g_debug ("residual scales of %zu loss cases: %.0f ms (%.0f ms of processor time)", MIN (loss, n),
           (g_get_monotonic_time () - t0) / 1000.0, 1000.0 * (double) (clock () - c0_cpu) / CLOCKS_PER_SEC);
  return status;
}

void
cs_interval_residuals_init (CsIntervalResiduals *res,
                            gsize                n,
                            const double        *residual,
                            const double        *abs_scale,
                            const double        *spread,
                            double               y_sd)
{
  *res = (CsIntervalResiduals) { 0 };
  res->n = n;
  res->residual = residual;
  res->abs_scale = abs_scale;
  res->spread = spread;
  res->scaled = CS_ENGINE_INTERVAL_SCALED;
  res->scale_floor = 1e-6 * (y_sd > 0 ? y_sd : 1.0);
  res->min_eff = CS_ENGINE_INTERVAL_MIN_EFF;
  res->need_mass = CS_ENGINE_INTERVAL_NEED_MASS;
  res->test_mass = CS_ENGINE_INTERVAL_TEST_MASS;
  res->wide = CS_ENGINE_INTERVAL_WIDE;
}

/* The engine's residuals and its (possibly development) settings. */
static void
engine_residuals (const CsEngine      *self,
                  CsIntervalResiduals *res)
{
  res->n = self->cases->n;
  res->residual = self->loo_residual;
  res->abs_scale = self->loo_abs_scale;
  res->spread = self->loo_scale;
  res->scaled = self->interval_scaled;
  res->scale_floor = self->interval_scale_floor;
  res->min_eff = self->interval_min_eff;
  res->need_mass = self->interval_need_mass;
  res->test_mass = self->interval_test_mass;
  res->wide = self->interval_wide;
}

double
cs_interval_residuals_score (const CsIntervalResiduals *res,
                             gsize                      i)
{
  double r = res->residual[i];

  if (res->scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL && res->abs_scale != NULL)
    return r / MAX (res->abs_scale[i], res->scale_floor);
  if (res->scaled != CS_ENGINE_INTERVAL_SCALE_SPREAD || res->spread == NULL)
    return r;
  return r / MAX (res->spread[i], res->scale_floor);
}

/* Case i's conformity score: its leave-one-out residual, over its scale when the scores are scaled (NaN when i
 * is not a loss case). */
double
cs_engine_interval_score (const CsEngine *self,
                          gsize           i)
{
  CsIntervalResiduals res;

  engine_residuals (self, &res);
  return cs_interval_residuals_score (&res, i);
}

void
cs_interval_compute (const CsIntervalResiduals *res,
                     gsize                      n_candidates,
                     const size_t              *index,
                     const double              *log_weight,
                     size_t                     self_index,
                     double                     y_hat,
                     double                     local_sd,
                     const CsIntervalSpec      *spec,
                     CsIntervalLogWeight        every_case,
                     gpointer                   every_case_data,
                     CsInterval                *interval,
                     double                    *p_in_spec)
{
  gsize n = res->n, m = 0;
  double alpha = 1 - spec->level, scale = 1, need_mass, min_eff, sum = 0, sum2 = 0, temper = 1, lw_max = -INFINITY;
  g_autofree WeightedResidual *rs = NULL;
  g_autofree double *logw = NULL;
  g_autofree double *abs_r = NULL;   /* |r_i| beside each score: the query's own residual scale */
  gboolean localised = TRUE, wide = FALSE;

  *interval = (CsInterval) { NAN, NAN, NAN, NAN, NAN, FALSE, FALSE };
  *p_in_spec = NAN;
  if (res->residual == NULL || !isfinite (y_hat) || !(alpha > 0 && alpha < 1))
    return;
  rs = g_new (WeightedResidual, MAX (n_candidates, 1));
  logw = g_new (double, MAX (n_candidates, 1));
  abs_r = g_new (double, MAX (n_candidates, 1));
  for (gsize k = 0; k < n_candidates; k++)
    {
      double r = cs_interval_residuals_score (res, index[k]);

      if (index[k] == self_index || !isfinite (r))
        continue;
      rs[m].r = r;
      abs_r[m] = fabs (res->residual[index[k]]);
      logw[m] = log_weight[k];
      lw_max = MAX (lw_max, logw[m]);
      m++;
    }

  /* The widening rule: the least T whose weights rest on min_eff effective residuals and carry the mass
   * 2 / alpha - 1 (in units of the test point's own weight), so both tails of the level are reachable. Weights
   * are scaled so the heaviest residual weighs 1: the test point, at distance 0 from the query, weighs at least
   * as much as any case (1 is its lower bound; the coverage argument in INTERVALS.md). */
  need_mass = res->need_mass ? 2 / alpha - 1 : 0;
  min_eff = res->min_eff >= 0 ? res->min_eff : -res->min_eff * 2 / alpha;
  if (res->scaled == CS_ENGINE_INTERVAL_SCALE_SPREAD)
    scale = MAX (local_sd, res->scale_floor);
  else if (res->scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL && res->abs_scale != NULL && m == 0)
    g_clear_pointer (&abs_r, g_free);   /* nothing to average: the fallback below takes the base's */
  else if (res->scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL && res->abs_scale != NULL)
    {
      /* the query's kernel (T = 1) over the same residuals the cases' scales were averaged from */
      double sw = 0, swr = 0;

      for (gsize i = 0; i < m; i++)
        {
          double w = exp (logw[i] - lw_max);
          sw += w;
          swr += w * abs_r[i];
        }
      scale = MAX (swr / sw, res->scale_floor);
    }
  if (m >= 2 && res->wide != 2)
    temper_weights (rs, logw, m, lw_max, min_eff, need_mass, &sum, &sum2, &temper);
  if ((m < 2 || res->wide == 2 || sum * sum / sum2 < min_eff || sum < need_mass) && res->wide
      && every_case != NULL)
    {
      /* Development variant (CS_ENGINE_INTERVAL_WIDE; INTERVALS.md): the attended set holds too few cases for
       * the target even at the widest T (the truncation at epsilon keeps a narrow kernel's set small, and
       * tempering cannot reach beyond it), so the same ladder over the query's distance scores to every case
       * with a score, -(z_i - q)' M (z_i - q) / 2, i.e. the softmax of the metric over T over the whole base, one
       * O(n d^2) pass a query (category columns are not in it, as in the sample route) */
      double lmax = -INFINITY;

      g_free (rs);
      g_free (logw);
      rs = g_new (WeightedResidual, MAX (n, 1));
      logw = g_new (double, MAX (n, 1));
      m = 0;
      for (gsize i = 0; i < n; i++)
        {
          double r = cs_interval_residuals_score (res, i);

          if (i == self_index || !isfinite (r))
            continue;
          rs[m].r = r;
          logw[m] = every_case (i, every_case_data);
          lmax = MAX (lmax, logw[m]);
          m++;
        }
      if (m >= 2 && res->scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL && res->abs_scale != NULL && abs_r == NULL)
        {
          /* no residual in the attended set to take the query's scale from: its kernel (T = 1) over every case */
          double sw = 0, swr = 0;
          gsize k = 0;

          for (gsize i = 0; i < n; i++)
            if (i != self_index && isfinite (cs_interval_residuals_score (res, i)))
              {
                double w = exp (logw[k++] - lmax);
                sw += w;
                swr += w * fabs (res->residual[i]);
              }
          scale = MAX (swr / sw, res->scale_floor);
          abs_r = g_new (double, 1);   /* the scale is the query's own: the fallback below keeps it */
        }
      if (m >= 2)
        {
          temper_weights (rs, logw, m, lmax, min_eff, need_mass, &sum, &sum2, &temper);
          wide = TRUE;
        }
    }
  if (m < 2 || sum * sum / sum2 < min_eff || sum < need_mass)
    {
      /* Too few residuals around this query even at the widest kernel (a query far from every case, or a
       * large base whose loss sample misses the attended set): the global split-conformal interval over every
       * stored residual, equal weights, said as not localised. */
      localised = FALSE;
      wide = FALSE;
      temper = INFINITY;
      g_free (rs);
      rs = g_new (WeightedResidual, MAX (n, 1));
      m = 0;
      for (gsize i = 0; i < n; i++)
        if (isfinite (cs_interval_residuals_score (res, i)))
          {
            rs[m].r = cs_interval_residuals_score (res, i);
            rs[m].v = 1;
            m++;
          }
      sum = sum2 = (double) m;
      if (m == 0)
        return;
      if (res->scaled == CS_ENGINE_INTERVAL_SCALE_RESIDUAL && abs_r == NULL)
        {
          /* no residual around the query to take its scale from: the base's mean |r| */
          double s = 0;
          gsize c = 0;
          for (gsize i = 0; i < n; i++)
            if (isfinite (res->residual[i]))
              {
                s += fabs (res->residual[i]);
                c++;
              }
          scale = MAX (s / (double) MAX (c, 1), res->scale_floor);
        }
    }

  qsort (rs, m, sizeof *rs, cmp_residual);
  {
    /* The test point's mass sits at +inf for the upper end and at -inf for the lower one (equal tails). Its
     * weight is the residuals' weighted mean weight, sum2 / sum, so its share is 1 / (n_eff + 1): split
     * conformal's n + 1 with the effective count (the kernel's own value at distance 0, the heaviest weight,
     * over-covered every region on the development seeds; INTERVALS.md) */
    int mode = res->test_mass;
    double test = mode == 1 ? 1.0 : mode == 2 ? 0.0 : mode == 3 ? sum2 / sum / 2 : sum2 / sum;
    double total = sum + test;
    double hi, lo;

    if (mode == 4 || mode == 5)
      {
        hi = upper_quantile_interp (rs, m, (1 - alpha / 2) * total, mode == 5);
        lo = lower_quantile_interp (rs, m, (1 - alpha / 2) * total, mode == 5);
      }
    else
      {
        hi = upper_quantile (rs, m, (1 - alpha / 2) * total);
        lo = lower_quantile (rs, m, (1 - alpha / 2) * total);
      }

    interval->level = spec->level;
    interval->lower = y_hat + scale * lo;
    interval->upper = y_hat + scale * hi;
    interval->n_eff = sum * sum / sum2;
    interval->temper = temper;
    interval->localised = localised;
    interval->wide = wide;
  }
  if (cs_interval_spec_has_limits (spec))
    {
      /* the weighted share of y_hat + r_i within the limits (the distribution the interval is cut from) */
      double in = 0, all = 0;
      double lower = isfinite (spec->spec_lower) ? spec->spec_lower : -INFINITY;
      double upper = isfinite (spec->spec_upper) ? spec->spec_upper : INFINITY;

      for (gsize i = 0; i < m; i++)
        {
          double y = y_hat + scale * rs[i].r;
          if (y >= lower && y <= upper)
            in += rs[i].v;
          all += rs[i].v;   /* summed in the same order, so a share of 1 is exactly 1 */
        }
      *p_in_spec = in / all;
    }
}

/* The wide variant's weights: the query's distance scores to every case. */
typedef struct
{
  const CsEngine *self;
  CsMetricRows mr;
  const double *zq;
  double *t;
} EveryCase;

static double
every_case_log_weight (gsize    i,
                       gpointer data)
{
  EveryCase *e = data;

  return sample_log_weight (e->self, &e->mr, e->zq, i, e->t);
}

void
cs_engine_interval_compute (CsEngine             *self,
                            const CsAttended     *att,
                            const double         *zq,
                            size_t                self_index,
                            const CsPrediction   *pred,
                            const CsIntervalSpec *spec,
                            CsInterval           *interval,
                            double               *p_in_spec)
{
  gsize n = self->cases->n, m = 0, d = self->cases->d;
  CsIntervalResiduals res;
  g_autofree size_t *index = NULL;
  g_autofree double *logw = NULL;
  EveryCase every = { self, { 0 }, zq, NULL };
  gboolean with_every = self->interval_wide && self->policy.loss_cases >= n && zq != NULL;

  engine_residuals (self, &res);
  if (self->loo_residual == NULL)
    {
      cs_interval_compute (&res, 0, NULL, NULL, self_index, NAN, NAN, spec, NULL, NULL, interval, p_in_spec);
      return;
    }
  if (self->policy.loss_cases >= n)
    {
      /* Every case has a score: the attended cases, with their attention. */
      index = g_new (size_t, MAX (att->m, 1));
      logw = g_new (double, MAX (att->m, 1));
      for (gsize i = 0; i < att->m; i++)
        if (att->weight[i] > 0)
          {
            index[m] = att->index[i];
            logw[m] = log (att->weight[i]);
            m++;
          }
    }
  else
    {
      /* Above CS_ENGINE_EXACT_MAX only the loss sample has scores, and a narrow attended set holds few of
       * them: the query's attention over the sample itself, its scores -(z_i - q)' M (z_i - q) / 2 (the
       * distance score of cs-attention.h) renormalised over the sample, O(m d) a query with a diagonal metric. */
      gsize loss = self->policy.loss_cases;
      g_autofree double *t = g_new (double, d);
      CsMetricRows mr;

      index = g_new (size_t, MAX (loss, 1));
      logw = g_new (double, MAX (loss, 1));
      cs_sample_gather (NULL, n, 0, loss, index, NULL);
      cs_metric_rows_init (&mr, &self->metric, d);
      for (gsize k = 0; k < loss; k++)
        logw[k] = isfinite (self->loo_residual[index[k]]) ? sample_log_weight (self, &mr, zq, index[k], t) : 0;
      cs_metric_rows_clear (&mr);
      m = loss;
    }
  if (with_every)
    {
      cs_metric_rows_init (&every.mr, &self->metric, d);
      every.t = g_new (double, d);
    }
  cs_interval_compute (&res, m, index, logw, self_index, pred->prediction, pred->local_sd, spec,
                       with_every ? every_case_log_weight : NULL, &every, interval, p_in_spec);
  if (with_every)
    {
      cs_metric_rows_clear (&every.mr);
      g_free (every.t);
    }
}

char *
cs_query_result_spec_words (const CsQueryResult *self)
{
  double p = self->p_in_spec;

  if (!isfinite (p))
    return NULL;
  /* the verdict at 0.9 / 0.1, the calibration INTERVALS.md measures */
  if (p >= 0.9)
    return g_strdup_printf (_("in spec, %.0f %%"), floor (100 * p));
  if (p <= 0.1)
    return g_strdup_printf (_("out of spec, %.0f %%"), floor (100 * (1 - p)));
  return g_strdup_printf (_("borderline, %.0f %% in spec"), floor (100 * p + 0.5));
}

char *
cs_query_result_interval_words (const CsQueryResult *self,
                                const char          *unit)
{
  g_autofree char *lo = NULL, *hi = NULL;
  const CsInterval *in = &self->interval;

  if (!isfinite (in->level))
    return NULL;
  lo = isfinite (in->lower) ? cs_format_number (in->lower) : g_strdup ("-∞");
  hi = isfinite (in->upper) ? cs_format_number (in->upper) : g_strdup ("∞");
  return g_strdup_printf (_("%g %% of outcomes like this one fall between %s and %s%s%s"), 100 * in->level, lo, hi,
                          unit != NULL && *unit != '\0' ? " " : "", unit != NULL ? unit : "");
}
