/* cs-diagnostics.c: nearest neighbours by blocked GEMM, noise, local linear fits, global Lipschitz, theory window. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention-private.h"
#include "cs-diagnostics.h"
#include "cs-kernel.h"
#include "cs-numeric.h"

CsStatus
cs_nearest_neighbours (const double *x,
                       size_t        n,
                       size_t        d,
                       const double *queries,
                       size_t        q,
                       const size_t *self_index,
                       size_t       *nn,
                       double       *dist)
{
  size_t dd = d + 2;
  double *c = NULL, *X2 = NULL, *Qe = NULL, *D = NULL;
  CsStatus st = CS_OK;

  if (x == NULL || queries == NULL || nn == NULL || dist == NULL || n == 0 || d == 0)
    return CS_ERR_INVALID;
  if (!cs_is_finite_array (x, n * d) || !cs_is_finite_array (queries, q * d))
    return CS_ERR_NOT_FINITE;
  c = calloc (d, sizeof (double));
  X2 = malloc ((size_t) CS_CB * dd * sizeof (double));   /* one tile of cases at a time: no n-sized copy */
  Qe = malloc (CS_QB * dd * sizeof (double));
  D = malloc ((size_t) CS_QB * CS_CB * sizeof (double));
  if (c == NULL || X2 == NULL || Qe == NULL || D == NULL)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  /* Centre on the case mean: |a - b|^2 = |a|^2 - 2 a.b + |b|^2 cancels least there. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      c[j] += x[i * d + j] / (double) n;
  for (size_t q0 = 0; q0 < q; q0 += CS_QB)
    {
      size_t nq = q - q0 < CS_QB ? q - q0 : CS_QB;
      double best[CS_QB];
      for (size_t r = 0; r < nq; r++)
        {
          double *qe = Qe + r * dd, s = 0;
          for (size_t j = 0; j < d; j++)
            {
              double v = queries[(q0 + r) * d + j] - c[j];
              qe[j] = -2.0 * v;
              s += v * v;
            }
          qe[d] = 1.0;
          qe[d + 1] = s;
          best[r] = INFINITY;
          nn[q0 + r] = CS_NO_CASE;
        }
      for (size_t c0 = 0; c0 < n; c0 += CS_CB)
        {
          size_t cn = n - c0 < CS_CB ? n - c0 : CS_CB;
          /* [x - c, |x - c|^2, 1] for this tile (d of the GEMM's 2 nq dd flops per case) */
          for (size_t i = 0; i < cn; i++)
            {
              double *r = X2 + i * dd, s = 0;
              for (size_t j = 0; j < d; j++)
                {
                  r[j] = x[(c0 + i) * d + j] - c[j];
                  s += r[j] * r[j];
                }
              r[d] = s;
              r[d + 1] = 1.0;
            }
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) cn, (int) dd,
                       1.0, Qe, (int) dd, X2, (int) dd, 0.0, D, (int) cn);
          for (size_t r = 0; r < nq; r++)
            {
              double *dr = D + r * cn, m;
              size_t si = self_index != NULL ? self_index[q0 + r] : CS_NO_CASE;
              if (si >= c0 && si < c0 + cn)
                dr[si - c0] = INFINITY;
              m = cs_kernel_min_d (dr, cn);
              if (m < best[r])
                for (size_t j = 0; j < cn; j++)
                  if (dr[j] == m)
                    {
                      best[r] = m;
                      nn[q0 + r] = c0 + j;
                      break;
                    }
            }
        }
      for (size_t r = 0; r < nq; r++)
        dist[q0 + r] = nn[q0 + r] == CS_NO_CASE ? INFINITY : sqrt (best[r] > 0 ? best[r] : 0);
    }
out:
  free (c);
  free (X2);
  free (Qe);
  free (D);
  return st;
}

CsStatus
cs_nearest_neighbours_self (const double *x,
                            size_t        n,
                            size_t        d,
                            size_t       *nn,
                            double       *dist)
{
  size_t *idx;
  CsStatus st;

  if (n == 0)
    return CS_ERR_INVALID;
  idx = malloc (n * sizeof (size_t));
  if (idx == NULL)
    return CS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  st = cs_nearest_neighbours (x, n, d, x, n, idx, nn, dist);
  free (idx);
  return st;
}

CsStatus
cs_noise_sd_nn (const double *x,
                const double *y,
                size_t        n,
                size_t        d,
                double       *noise_sd)
{
  size_t *nn;
  double *dist, s = 0;
  CsStatus st;

  if (x == NULL || y == NULL || noise_sd == NULL || n < 2 || d == 0)
    return CS_ERR_INVALID;
  if (!cs_is_finite_array (y, n))
    return CS_ERR_NOT_FINITE;
  nn = malloc (n * sizeof (size_t));
  dist = malloc (n * sizeof (double));
  if (nn == NULL || dist == NULL)
    {
      free (nn);
      free (dist);
      return CS_ERR_NOMEM;
    }
  st = cs_nearest_neighbours_self (x, n, d, nn, dist);
  if (st == CS_OK)
    {
      for (size_t i = 0; i < n; i++)
        s += (y[i] - y[nn[i]]) * (y[i] - y[nn[i]]);
      *noise_sd = sqrt (s / (2.0 * (double) n));
    }
  free (nn);
  free (dist);
  return st;
}

CsStatus
cs_noise_sd_nn_sample (const double *x,
                       const double *y,
                       size_t        n,
                       size_t        d,
                       size_t        max_queries,
                       double       *noise_sd)
{
  size_t m = max_queries, *nn, *self;
  double *dist, *xs, s = 0;
  CsStatus st;

  if (m == 0 || m >= n)
    return cs_noise_sd_nn (x, y, n, d, noise_sd);
  if (x == NULL || y == NULL || noise_sd == NULL || n < 2 || d == 0)
    return CS_ERR_INVALID;
  if (!cs_is_finite_array (y, n))
    return CS_ERR_NOT_FINITE;
  nn = malloc (m * sizeof (size_t));
  self = malloc (m * sizeof (size_t));
  dist = malloc (m * sizeof (double));
  xs = malloc (m * d * sizeof (double));
  if (nn == NULL || self == NULL || dist == NULL || xs == NULL)
    st = CS_ERR_NOMEM;
  else
    {
      cs_sample_gather (x, n, d, m, self, xs);
      st = cs_nearest_neighbours (x, n, d, xs, m, self, nn, dist);
    }
  if (st == CS_OK)
    {
      for (size_t k = 0; k < m; k++)
        s += (y[self[k]] - y[nn[k]]) * (y[self[k]] - y[nn[k]]);
      *noise_sd = sqrt (s / (2.0 * (double) m));
    }
  free (nn);
  free (self);
  free (dist);
  free (xs);
  return st;
}

double
cs_theory_radius (double sigma,
                  double lipschitz,
                  size_t n,
                  size_t d)
{
  if (n == 0 || !(lipschitz > 0))
    return INFINITY;
  if (!(sigma > 0))
    return 0.0;
  return pow (sigma * sigma / (lipschitz * lipschitz * (double) n), 1.0 / ((double) d + 2.0));
}

CsStatus
cs_diagnose_at (const CsAttention   *ctx,
                const double        *queries,
                size_t               q,
                const size_t        *self_index,
                CsLocalDiagnostics  *out,
                CsModelProgressFunc  progress,
                void                *user_data)
{
  size_t n, d, dd, nf;
  const CsPrep *p;
  CsPredictOptions o;
  CsPrediction *pred = NULL;
  double *rmax = NULL, *rz = NULL, *Qa = NULL, *S = NULL, *F = NULL, *Acc = NULL, *Sxx = NULL, *b = NULL;
  CsStatus st;

  if (ctx == NULL || queries == NULL || out == NULL)
    return CS_ERR_INVALID;
  if (q == 0)
    return CS_OK;
  n = ctx->n;
  d = ctx->d;
  dd = d + 2;
  nf = 2 * d + d * d;
  p = &ctx->prep;
  pred = malloc (q * sizeof (CsPrediction));
  rmax = malloc (q * sizeof (double));
  rz = malloc (q * sizeof (double));
  Qa = malloc (CS_QB * p->ra * sizeof (double));
  S = malloc ((size_t) CS_QB * CS_CB * sizeof (double));
  F = malloc ((size_t) CS_CB * nf * sizeof (double));
  Acc = malloc (CS_QB * nf * sizeof (double));
  Sxx = malloc (d * d * sizeof (double));
  b = malloc (d * sizeof (double));
  if (!pred || !rmax || !rz || !Qa || !S || !F || !Acc || !Sxx || !b)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  cs_predict_options_init (&o);
  o.self_index = self_index;
  st = cs_attention_predict_prep (ctx, p, queries, q, &o, pred, rmax, rz);
  if (st != CS_OK)
    goto out;

  for (size_t q0 = 0; q0 < q; q0 += CS_QB)
    {
      size_t nq = q - q0 < CS_QB ? q - q0 : CS_QB;
      if (progress != NULL && progress ((double) q0 / (double) q, user_data))
        {
          st = CS_ERR_CANCELLED;
          goto out;
        }
      cs_prep_queries (ctx, p, queries + q0 * d, nq, Qa, NULL);
      memset (Acc, 0, nq * nf * sizeof (double));
      for (size_t c0 = 0; c0 < n; c0 += CS_CB)
        {
          size_t c = n - c0 < CS_CB ? n - c0 : CS_CB;
          /* a block of queries against every case can take 100 ms and more at d = 20 (a tile
           * of 512 cases is about 0.1 GFLOP there): report (and answer Cancel) per tile too */
          if (progress != NULL && c0 > 0
              && progress (((double) q0 + (double) nq * (double) c0 / (double) n) / (double) q, user_data))
            {
              st = CS_ERR_CANCELLED;
              goto out;
            }
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) p->ra,
                       1.0, Qa, (int) p->ra, p->K + c0 * p->ra, (int) p->ra, 0.0, S, (int) c);
          for (size_t r = 0; r < nq; r++)
            {
              double *sr = S + r * c;
              size_t si = self_index != NULL ? self_index[q0 + r] : CS_NO_CASE;
              double m = rmax[q0 + r], z = rz[q0 + r];
              for (size_t j = 0; j < c; j++)
                sr[j] = p->lambda * fmin (sr[j] - m, 0.0);
              if (si >= c0 && si < c0 + c)
                sr[si - c0] = -INFINITY;
              cs_kernel_exp_d (sr, sr, c);
              if (z > 0)
                for (size_t j = 0; j < c; j++)
                  sr[j] /= z;
            }
          /* F rows: [xc (d), xc xc^T (d^2), xc yc (d)] */
          for (size_t j = 0; j < c; j++)
            {
              const double *xj = ctx->X2 + (c0 + j) * dd;
              double *f = F + j * nf, yj = ctx->yc[c0 + j];
              for (size_t a = 0; a < d; a++)
                {
                  f[a] = xj[a];
                  f[d + d * d + a] = xj[a] * yj;
                  for (size_t bb = 0; bb < d; bb++)
                    f[d + a * d + bb] = xj[a] * xj[bb];
                }
            }
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) nq, (int) nf, (int) c,
                       1.0, S, (int) c, F, (int) nf, 1.0, Acc, (int) nf);
        }
      for (size_t r = 0; r < nq; r++)
        {
          CsLocalDiagnostics *ld = &out[q0 + r];
          const CsPrediction *pr = &pred[q0 + r];
          const double *ac = Acc + r * nf;
          double yh = pr->prediction - ctx->ymean, vy = pr->local_sd * pr->local_sd;
          double l2 = 0, sb = 0, bsb = 0, res, corr;

          ld->prediction = pr->prediction;
          ld->n_eff = pr->n_eff;
          ld->local_sd = pr->local_sd;
          if (!(rz[q0 + r] > 0))
            {
              ld->local_lipschitz = NAN;
              ld->local_noise_sd = NAN;
              continue;
            }
          for (size_t a = 0; a < d; a++)
            {
              for (size_t bb = 0; bb < d; bb++)
                Sxx[a * d + bb] = ac[d + a * d + bb] - ac[a] * ac[bb];
              b[a] = ac[d + d * d + a] - ac[a] * yh;
            }
          {
            /* beta = (Sxx + r I)^-1 b (b is Sxy), r = 1e-9 of the mean variance (for features
             * that are constant or collinear near the query). Sxx is a difference of
             * moments: when the weight sits on about one case, rounding leaves it
             * indefinite beyond that ridge and the slope is not determined by the
             * data: no local fit, as when no case carries weight (the fail-safe flags
             * then say the measures could not be estimated). */
            double beta[d], W[d * d];
            if (cs_spd_solve (d, Sxx, b, 1e-9, 1e-9, W, beta, NULL) != 0)
              {
                ld->local_lipschitz = NAN;
                ld->local_noise_sd = NAN;
                continue;
              }
            for (size_t a = 0; a < d; a++)
              {
                double t = 0;
                l2 += beta[a] * beta[a];
                sb += beta[a] * b[a];
                for (size_t bb = 0; bb < d; bb++)
                  t += Sxx[a * d + bb] * beta[bb];
                bsb += beta[a] * t;
              }
          }
          res = vy - 2.0 * sb + bsb;
          corr = 1.0 - ((double) d + 1.0) / (pr->n_eff > 0 ? pr->n_eff : 1.0);
          corr = corr < 0.1 ? 0.1 : corr;
          ld->local_lipschitz = sqrt (l2);
          ld->local_noise_sd = sqrt ((res > 0 ? res : 0) / corr);
        }
    }
  if (progress != NULL && progress (1.0, user_data))
    st = CS_ERR_CANCELLED;

out:
  free (pred); free (rmax); free (rz); free (Qa); free (S); free (F); free (Acc); free (Sxx); free (b);
  return st;
}

CsStatus
cs_diagnose_global (const CsAttention   *ctx,
                    CsGlobalDiagnostics *out,
                    CsLocalDiagnostics  *per_case,
                    CsModelProgressFunc  progress,
                    void                *user_data)
{
  return cs_diagnose_global_sample (ctx, 0, out, per_case, NULL, progress, user_data);
}

CsStatus
cs_diagnose_global_sample (const CsAttention   *ctx,
                           size_t               max_queries,
                           CsGlobalDiagnostics *out,
                           CsLocalDiagnostics  *per_case,
                           size_t              *cases,
                           CsModelProgressFunc  progress,
                           void                *user_data)
{
  size_t n, nq, d;
  CsLocalDiagnostics *pc = per_case;
  size_t *idx = NULL;
  double *lv = NULL, *xq = NULL;
  size_t m = 0;
  CsStatus st;

  if (ctx == NULL || out == NULL)
    return CS_ERR_INVALID;
  n = ctx->n;
  d = ctx->d;
  if (n < 2)
    return CS_ERR_INVALID;
  nq = max_queries > 0 && max_queries < n ? max_queries : n;
  memset (out, 0, sizeof *out);
  st = cs_noise_sd_nn_sample (ctx->x, ctx->y, n, d, nq, &out->noise_sd);
  if (st != CS_OK)
    return st;
  if (pc == NULL)
    pc = malloc (nq * sizeof (CsLocalDiagnostics));
  idx = malloc (nq * sizeof (size_t));
  lv = malloc (nq * sizeof (double));
  xq = nq < n ? malloc (nq * d * sizeof (double)) : NULL;
  if (pc == NULL || idx == NULL || lv == NULL || (nq < n && xq == NULL))
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  cs_sample_gather (ctx->x, n, d, nq, idx, xq);
  if (cases != NULL)
    memcpy (cases, idx, nq * sizeof (size_t));
  st = cs_diagnose_at (ctx, xq != NULL ? xq : ctx->x, nq, idx, pc, progress, user_data);
  if (st != CS_OK)
    goto out;
  for (size_t i = 0; i < nq; i++)
    if (isfinite (pc[i].local_lipschitz))
      lv[m++] = pc[i].local_lipschitz;
  out->lipschitz_quantile = 0.9;
  if (m > 0)
    {
      double pos;
      size_t lo;
      qsort (lv, m, sizeof (double), cs_cmp_double);
      pos = 0.9 * (double) (m - 1);
      lo = (size_t) pos;
      out->lipschitz = lo + 1 < m ? lv[lo] + (pos - (double) lo) * (lv[lo + 1] - lv[lo]) : lv[lo];
    }
  else
    out->lipschitz = NAN;
  out->theory_radius = cs_theory_radius (out->noise_sd, out->lipschitz, n, ctx->d);
  {
    double md = cs_metric_mean_diagonal (&ctx->metric);
    out->window_radius = md > 0 ? 1.0 / sqrt (md) : INFINITY;
  }

out:
  if (pc != per_case)
    free (pc);
  free (idx);
  free (lv);
  free (xq);
  return st;
}
