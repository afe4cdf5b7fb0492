/* cs-window-pref.c: the window the data asks for, per case (ladder of scales, smoothed local leave-one-out). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-window-pref.h"

void
cs_window_pref_options_init (CsWindowPrefOptions *options)
{
  memset (options, 0, sizeof *options);
}

CsStatus
cs_metric_scale_width (CsMetric       *dst,
                       const CsMetric *src,
                       double          r)
{
  CsStatus st;
  double f = 1.0 / (r * r);

  if (dst == NULL || src == NULL || !(r > 0) || !isfinite (f))
    return CS_ERR_INVALID;
  st = cs_metric_copy (dst, src);
  if (st != CS_OK)
    return st;
  if (dst->kind == CS_METRIC_SCALAR)
    dst->scale *= f;
  else if (dst->kind == CS_METRIC_DIAGONAL)
    for (size_t j = 0; j < dst->d; j++)
      dst->diag[j] *= f;
  else
    for (size_t j = 0; j < dst->rank * dst->d; j++)
      dst->A[j] /= r;        /* M = A^T A: A / r gives M / r^2 */
  return CS_OK;
}

/* Progress over the 2 (2K + 1) passes: pass p of total maps the model call's fraction onto [p, p + 1] / total. */
typedef struct
{
  const CsWindowPrefOptions *o;
  int pass, total;
} Relay;

static int
relay_progress (double  fraction,
                void   *user_data)
{
  Relay *r = user_data;

  if (r->o == NULL || r->o->progress == NULL)
    return 0;
  return r->o->progress (((double) r->pass + fraction) / (double) r->total, r->o->user_data);
}

CsStatus
cs_window_preference (const CsAttention         *ctx,
                      const size_t              *rows,
                      size_t                     m,
                      const CsWindowPrefOptions *options,
                      double                    *ratio,
                      double                    *errors)
{
  const CsMetric *fitted;
  const double *x, *y;
  size_t n, d;
  int K, S;
  double sw, gamma;
  CsWindowPrefRule rule;
  CsMetric smooth_metric = { 0 };
  double *xs = NULL, *e2 = NULL, *ys = NULL, *E = NULL, *f = NULL, *neff = NULL;
  size_t *self = NULL;
  CsPrediction *pred = NULL;
  CsAttention *scaled = NULL, *smooth = NULL;
  CsPredictOptions po;
  Relay relay;
  CsStatus st = CS_OK;

  if (ctx == NULL || rows == NULL || ratio == NULL || m < 2)
    return CS_ERR_INVALID;
  if (cs_attention_get_form (ctx) != CS_SCORE_DISTANCE)
    return CS_ERR_INVALID;
  n = cs_attention_get_n (ctx);
  d = cs_attention_get_d (ctx);
  x = cs_attention_get_x (ctx);
  y = cs_attention_get_y (ctx);
  fitted = cs_attention_get_metric (ctx);
  K = options != NULL && options->steps > 0 ? options->steps : CS_WINDOW_PREF_STEPS;
  S = 2 * K + 1;
  sw = options != NULL && options->smooth_width > 0 ? options->smooth_width : CS_WINDOW_PREF_SMOOTH_WIDTH;
  rule = options != NULL && options->rule != CS_WINDOW_PREF_RULE_DEFAULT ? options->rule
                                                                        : CS_WINDOW_PREF_RULE_INTERSECT;
  gamma = options != NULL && options->gamma > 0 ? options->gamma : CS_WINDOW_PREF_GAMMA;
  if (m > n || K > 40 || !isfinite (sw) || !isfinite (gamma)
      || (rule != CS_WINDOW_PREF_RULE_SMOOTHED && rule != CS_WINDOW_PREF_RULE_INTERSECT))
    return CS_ERR_INVALID;
  for (size_t k = 0; k < m; k++)
    if (rows[k] >= n)
      return CS_ERR_INVALID;

  xs = malloc (m * d * sizeof (double));
  e2 = malloc ((size_t) S * m * sizeof (double));
  ys = malloc (m * sizeof (double));
  E = malloc ((size_t) S * m * sizeof (double));
  self = malloc (m * sizeof (size_t));
  pred = malloc (m * sizeof (CsPrediction));
  f = malloc ((size_t) S * m * sizeof (double));
  neff = malloc ((size_t) S * m * sizeof (double));
  if (xs == NULL || e2 == NULL || ys == NULL || E == NULL || self == NULL || pred == NULL || f == NULL
      || neff == NULL)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  for (size_t k = 0; k < m; k++)
    {
      memcpy (xs + k * d, x + rows[k] * d, d * sizeof (double));
      self[k] = k;
    }
  relay.o = options;
  relay.pass = 0;
  relay.total = 2 * S;

  /* 1. Leave-one-out errors at every scale, each chosen case against all n - 1 others. A second context over
   * the same cases (shared, no copy) carries the scaled metric, so the caller's context is never changed. */
  st = cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT,
                              NULL, NULL, &scaled);
  if (st != CS_OK)
    goto out;
  for (int s = 0; s < S && st == CS_OK; s++)
    {
      CsMetric ms = { 0 };

      st = cs_metric_scale_width (&ms, fitted, pow (2.0, 0.5 * (double) (s - K)));
      if (st == CS_OK)
        st = cs_attention_set_metric (scaled, &ms);
      cs_metric_clear (&ms);
      if (st != CS_OK)
        break;
      cs_predict_options_init (&po);
      po.self_index = rows;
      po.n_threads = options != NULL ? options->n_threads : 0;
      po.progress = relay_progress;
      po.user_data = &relay;
      st = cs_attention_predict (scaled, xs, m, &po, pred);
      for (size_t k = 0; k < m && st == CS_OK; k++)
        {
          double e = pred[k].prediction - y[rows[k]];
          /* A case with no usable context (cannot happen for m >= 2 <= n, kept for safety) weighs nothing. */
          e2[(size_t) s * m + k] = isfinite (e) ? e * e : 0.0;
          f[k * (size_t) S + (size_t) s] = pred[k].prediction;
          neff[k * (size_t) S + (size_t) s] = pred[k].n_eff;
        }
      relay.pass++;
    }
  if (st != CS_OK)
    goto out;

  /* 2. Smooth each scale's squared errors over the chosen cases with the fitted kernel widened by sw, the case
   * itself left out: a leave-one-out Nadaraya-Watson prediction of e^2 over a context of the m chosen cases. */
  st = cs_metric_scale_width (&smooth_metric, fitted, sw);
  if (st != CS_OK)
    goto out;
  for (int s = 0; s < S && st == CS_OK; s++)
    {
      memcpy (ys, e2 + (size_t) s * m, m * sizeof (double));
      st = cs_attention_new_full (xs, ys, m, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT,
                                  NULL, NULL, &smooth);
      if (st == CS_OK)
        st = cs_attention_set_metric (smooth, &smooth_metric);
      if (st == CS_OK)
        {
          cs_predict_options_init (&po);
          po.self_index = self;
          po.n_threads = options != NULL ? options->n_threads : 0;
          po.progress = relay_progress;
          po.user_data = &relay;
          st = cs_attention_predict (smooth, xs, m, &po, pred);
        }
      for (size_t k = 0; k < m && st == CS_OK; k++)
        E[k * (size_t) S + (size_t) s] = pred[k].prediction;
      cs_attention_free (smooth);
      smooth = NULL;
      relay.pass++;
    }
  if (st != CS_OK)
    goto out;

  /* 3. The minimum over the ladder, refined by the parabola through it and its neighbours (uniform steps in
   * log r, so the vertex is at offset (E- - E+) / (2 (E- - 2 E0 + E+)) steps, within half a step). */
  for (size_t k = 0; k < m && rule == CS_WINDOW_PREF_RULE_SMOOTHED; k++)
    {
      const double *Ek = E + k * (size_t) S;
      int best = -1;
      double off = 0;

      for (int s = 0; s < S; s++)
        if (isfinite (Ek[s]) && (best < 0 || Ek[s] < Ek[best]))
          best = s;
      if (best < 0)
        {
          ratio[k] = NAN;
          continue;
        }
      if (best > 0 && best < S - 1 && isfinite (Ek[best - 1]) && isfinite (Ek[best + 1]))
        {
          double curv = Ek[best - 1] - 2.0 * Ek[best] + Ek[best + 1];
          if (curv > 0)
            off = 0.5 * (Ek[best - 1] - Ek[best + 1]) / curv;
          off = off < -0.5 ? -0.5 : off > 0.5 ? 0.5 : off;
        }
      ratio[k] = pow (2.0, 0.5 * ((double) (best - K) + off));
    }
  /* 3'. Or the intersection of confidence intervals (Lepski; Katkovnik's ICI rule): going from the narrowest
   * width up, keep the intersection [lo, hi] of the intervals f_i(r) +- gamma sigma_i / sqrt (n_eff_i (r)) of
   * the case's leave-one-out predictions; the preferred width is the widest one before the intersection
   * empties. The variance term is computed, not measured, so only the predictions' own noise remains; the bias
   * shows as a prediction leaving the narrower ones' common interval. sigma_i^2: the smallest smoothed error
   * E_i(r) over the ladder, each divided by its own variance term 1 + 1 / n_eff_i(r) (E_i(r) estimates sigma^2
   * (1 + 1 / n_eff) + bias^2, so each quotient is an upper bound of the local noise variance; without the
   * division the narrow widths, where n_eff is near 1, would count the variance twice, and the development
   * bases' steep cases then took too wide an interval, model/WINDOW.md). Where the intersection empties the slack hi - lo is interpolated linearly in log r
   * between its last positive value and the first negative one, so the ratio is not confined to the ladder. */
  for (size_t k = 0; k < m && rule == CS_WINDOW_PREF_RULE_INTERSECT; k++)
    {
      const double *Ek = E + k * (size_t) S, *fk = f + k * (size_t) S, *nk = neff + k * (size_t) S;
      double sigma = INFINITY, lo = -INFINITY, hi = INFINITY, slack_prev = INFINITY, pos = (double) (S - 1);

      for (int s = 0; s < S; s++)
        if (isfinite (Ek[s]) && nk[s] >= 1)
          sigma = fmin (sigma, Ek[s] / (1.0 + 1.0 / nk[s]));
      sigma = sqrt (sigma);
      if (!isfinite (sigma))
        {
          ratio[k] = NAN;
          continue;
        }
      for (int s = 0; s < S; s++)
        {
          double se, slack;

          if (!isfinite (fk[s]) || !(nk[s] >= 1))
            continue;
          se = gamma * sigma / sqrt (nk[s]);
          lo = fmax (lo, fk[s] - se);
          hi = fmin (hi, fk[s] + se);
          slack = hi - lo;
          if (slack < 0)
            {
              /* s = 0 cannot get here: one interval never empties the intersection. */
              double off = isfinite (slack_prev) ? slack_prev / (slack_prev - slack) : 0.0;
              pos = (double) (s - 1) + off;
              break;
            }
          slack_prev = slack;
        }
      ratio[k] = pow (2.0, 0.5 * (pos - (double) K));
    }
  if (errors != NULL)
    memcpy (errors, E, (size_t) S * m * sizeof (double));

out:
  cs_metric_clear (&smooth_metric);
  cs_attention_free (scaled);
  cs_attention_free (smooth);
  free (xs);
  free (e2);
  free (ys);
  free (E);
  free (self);
  free (pred);
  free (f);
  free (neff);
  return st;
}
