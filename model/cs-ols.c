/* cs-ols.c: ordinary least squares with an intercept, exact leave-one-out through the hat values. */
#include "config.h"

#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-ols.h"

/* LAPACK through OpenBLAS's Fortran symbols (no LAPACKE); the trailing lengths are gfortran's hidden
 * arguments for the CHARACTER options (see cs-numeric.c). */
extern void dgeqrf_ (const int *m,
                     const int *n,
                     double    *a,
                     const int *lda,
                     double    *tau,
                     double    *work,
                     const int *lwork,
                     int       *info);
extern void dgesvd_ (const char *jobu,
                     const char *jobvt,
                     const int  *m,
                     const int  *n,
                     double     *a,
                     const int  *lda,
                     double     *s,
                     double     *u,
                     const int  *ldu,
                     double     *vt,
                     const int  *ldvt,
                     double     *work,
                     const int  *lwork,
                     int        *info,
                     size_t      jobu_len,
                     size_t      jobvt_len);

/* Rows per block: the running triangle is factorised again with every block, so blocks much taller than
 * it keep that overhead small, and short enough to stay in cache for d up to a few dozen. */
#define OLS_BLOCK 1024

/* Block rows [i0, i0 + b) as the design matrix: column 0 the intercept, column 1 + j feature j centred and
 * scaled (scale 0 for a constant feature: a zero column, which the rank decision drops). Column-major with
 * leading dimension ld, starting at row r0 of dst. */
static void
fill_block (const double *x,
            size_t        d,
            size_t        i0,
            size_t        b,
            const double *mean,
            const double *scale,
            double       *dst,
            size_t        ld,
            size_t        r0)
{
  for (size_t r = 0; r < b; r++)
    dst[r0 + r] = 1.0;
  for (size_t j = 0; j < d; j++)
    {
      double *col = dst + (j + 1) * ld + r0;

      for (size_t r = 0; r < b; r++)
        col[r] = (x[(i0 + r) * d + j] - mean[j]) * scale[j];
    }
}

CsStatus
cs_ols_loo (const double *x,
            const double *y,
            size_t        n,
            size_t        d,
            double       *loo_residual,
            CsOlsReport  *report)
{
  const size_t p = d + 1, q = p + 1;          /* intercept + features; + y for the QR */
  const size_t ld = OLS_BLOCK + q;            /* the triangle's q rows over a block */
  double *mean = NULL, *scale = NULL, *w = NULL, *tau = NULL, *work = NULL;
  double *r = NULL, *s = NULL, *u = NULL, *vt = NULL, *t = NULL, *beta = NULL, *g = NULL, *fit = NULL;
  double *lo = NULL, *hi = NULL;
  CsStatus status = CS_ERR_NOMEM;
  int m_int, q_int = (int) q, ld_int = (int) ld, p_int = (int) p, info = 0, lwork = -1;
  double wq = 0, sse = 0, loo_sse = 0;
  size_t rank = 0, identified = 0;

  if (x == NULL && d > 0)
    return CS_ERR_INVALID;
  if (y == NULL || report == NULL || n == 0 || q > 65536 || ld * q > INT_MAX)
    return CS_ERR_INVALID;
  for (size_t i = 0; i < n; i++)
    if (!isfinite (y[i]))
      return CS_ERR_NOT_FINITE;
  for (size_t k = 0; k < n * d; k++)
    if (!isfinite (x[k]))
      return CS_ERR_NOT_FINITE;

  mean = calloc (d + 1, sizeof (double));
  scale = calloc (d + 1, sizeof (double));
  lo = malloc ((d + 1) * sizeof (double));
  hi = malloc ((d + 1) * sizeof (double));
  w = calloc (ld * q, sizeof (double));
  tau = malloc (q * sizeof (double));
  r = malloc (p * p * sizeof (double));
  s = malloc (p * sizeof (double));
  u = malloc (p * p * sizeof (double));
  vt = malloc (p * p * sizeof (double));
  t = calloc (p * p, sizeof (double));
  beta = calloc (p, sizeof (double));
  g = malloc (OLS_BLOCK * p * sizeof (double));
  fit = malloc (OLS_BLOCK * sizeof (double));
  if (!mean || !scale || !lo || !hi || !w || !tau || !r || !s || !u || !vt || !t || !beta || !g || !fit)
    goto out;

  /* Pass 1: centre and scale. A feature whose values are all equal is constant exactly (its computed mean
   * need not equal the value, and the rounding left over must not become a unit-RMS noise column). */
  for (size_t j = 0; j < d; j++)
    lo[j] = hi[j] = x[j];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      {
        double v = x[i * d + j];

        mean[j] += v;
        lo[j] = v < lo[j] ? v : lo[j];
        hi[j] = v > hi[j] ? v : hi[j];
      }
  for (size_t j = 0; j < d; j++)
    mean[j] /= (double) n;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      {
        double c = x[i * d + j] - mean[j];

        scale[j] += c * c;
      }
  for (size_t j = 0; j < d; j++)
    {
      double rms = sqrt (scale[j] / (double) n);

      scale[j] = lo[j] < hi[j] && rms > 0 && isfinite (rms) ? 1.0 / rms : 0.0;
    }

  /* Pass 2: the streamed QR of [1, X, y]. Rows 0..q-1 of w hold the running triangle (zeros at first,
   * which add nothing), the rows under it the next block; dgeqrf leaves the new triangle on top. */
  m_int = (int) ld;
  dgeqrf_ (&m_int, &q_int, w, &ld_int, tau, &wq, &lwork, &info);
  if (info != 0)
    {
      status = CS_ERR_INVALID;
      goto out;
    }
  lwork = (int) wq > 1 ? (int) wq : 1;
  work = malloc ((size_t) lwork * sizeof (double));
  if (work == NULL)
    goto out;
  for (size_t i0 = 0; i0 < n; i0 += OLS_BLOCK)
    {
      size_t b = n - i0 < OLS_BLOCK ? n - i0 : OLS_BLOCK;

      for (size_t c = 0; c < q; c++)
        for (size_t k = c + 1; k < q; k++)
          w[c * ld + k] = 0;                   /* the Householder vectors under the triangle */
      fill_block (x, d, i0, b, mean, scale, w, ld, q);
      memcpy (w + p * ld + q, y + i0, b * sizeof (double));
      m_int = (int) (q + b);
      dgeqrf_ (&m_int, &q_int, w, &ld_int, tau, work, &lwork, &info);
      if (info != 0)
        {
          status = CS_ERR_INVALID;
          goto out;
        }
    }

  /* [1, X] = Q R and Q^T y = c (column p of the triangle): the SVD R = U S V^T gives the minimum-norm
   * solution beta = V S^+ U^T c and the hat values h_ii = || x_i^T V S^+ ||^2 over the singular values
   * kept, with numpy lstsq's default cut (eps * max (n, p) of the largest). */
  for (size_t c = 0; c < p; c++)
    for (size_t k = 0; k < p; k++)
      r[c * p + k] = k <= c ? w[c * ld + k] : 0.0;
  {
    int lw = -1;
    double wsvd = 0;

    dgesvd_ ("A", "A", &p_int, &p_int, r, &p_int, s, u, &p_int, vt, &p_int, &wsvd, &lw, &info, 1, 1);
    if (info != 0)
      {
        status = CS_ERR_INVALID;
        goto out;
      }
    lw = (int) wsvd > 1 ? (int) wsvd : 1;
    free (work);
    work = malloc ((size_t) lw * sizeof (double));
    if (work == NULL)
      goto out;
    dgesvd_ ("A", "A", &p_int, &p_int, r, &p_int, s, u, &p_int, vt, &p_int, work, &lw, &info, 1, 1);
    if (info != 0)
      {
        /* dgesvd did not converge: nothing a caller can do but know the baseline is missing */
        status = CS_ERR_INVALID;
        goto out;
      }
  }
  {
    double cut = DBL_EPSILON * (double) (n > p ? n : p) * s[0];

    for (size_t k = 0; k < p; k++)
      if (s[k] > cut && s[k] > 0)
        rank++;
  }
  /* t (p x rank, column-major) = V_k S_k^{-1}; beta = t (U_k^T c) */
  for (size_t k = 0; k < rank; k++)
    {
      double uc = cblas_ddot ((int) p, u + k * p, 1, w + p * ld, 1);

      for (size_t j = 0; j < p; j++)
        {
          t[k * p + j] = vt[j * p + k] / s[k];
          beta[j] += t[k * p + j] * uc;
        }
    }

  /* Pass 3: residuals and hat values, block by block (w's block rows reused as the design matrix). */
  for (size_t i0 = 0; i0 < n; i0 += OLS_BLOCK)
    {
      size_t b = n - i0 < OLS_BLOCK ? n - i0 : OLS_BLOCK;

      fill_block (x, d, i0, b, mean, scale, w, ld, 0);
      cblas_dgemv (CblasColMajor, CblasNoTrans, (int) b, (int) p, 1.0, w, (int) ld, beta, 1, 0.0, fit, 1);
      if (rank > 0)
        cblas_dgemm (CblasColMajor, CblasNoTrans, CblasNoTrans, (int) b, (int) rank, (int) p, 1.0, w, (int) ld,
                     t, (int) p, 0.0, g, (int) b);
      for (size_t i = 0; i < b; i++)
        {
          double e = y[i0 + i] - fit[i], h = 0;

          for (size_t k = 0; k < rank; k++)
            h += g[k * b + i] * g[k * b + i];
          sse += e * e;
          if (1.0 - h > CS_OLS_LEVERAGE_TOL)
            {
              double el = e / (1.0 - h);

              loo_sse += el * el;
              identified++;
              if (loo_residual != NULL)
                loo_residual[i0 + i] = el;
            }
          else if (loo_residual != NULL)
            loo_residual[i0 + i] = NAN;
        }
    }

  report->loo_mse = identified > 0 ? loo_sse / (double) identified : NAN;
  report->train_mse = sse / (double) n;
  report->rank = rank;
  report->n_identified = identified;
  status = CS_OK;

out:
  free (mean);
  free (scale);
  free (lo);
  free (hi);
  free (w);
  free (tau);
  free (work);
  free (r);
  free (s);
  free (u);
  free (vt);
  free (t);
  free (beta);
  free (g);
  free (fit);
  return status;
}
