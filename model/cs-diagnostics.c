/* cs-diagnostics.c: nearest neighbours by blocked GEMM, noise, local linear fits, global Lipschitz, theory window. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs-attention-private.h"
#include "cs-diagnostics.h"
#include "cs-parallel.h"
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

/* LAPACK's symmetric eigensolver through OpenBLAS's Fortran symbol (no
 * LAPACKE); the trailing lengths are gfortran's hidden CHARACTER arguments
 * (see cs-numeric.c for why they are passed). */
extern void dsyev_ (const char *jobz,
                    const char *uplo,
                    const int  *n,
                    double     *a,
                    const int  *lda,
                    double     *w,
                    double     *work,
                    const int  *lwork,
                    int        *info,
                    size_t      jobz_len,
                    size_t      uplo_len);

static void
local_thin (CsLocalDiagnostics *out,
            CsLocalThin         why)
{
  out->local_lipschitz = NAN;
  out->local_noise_sd = NAN;
  out->local_variation = NAN;
  out->pseudo_residual = NAN;
  out->df_resid = 0;
  out->n_directions = 0;
  out->thin = why;
}

/* A square root of the metric, A' A = M (d x d, row-major), from M's
 * eigendecomposition (negative rounding clamped to 0). scratch: d (d + 65). */
static CsStatus
metric_root (const CsAttention *ctx,
             double            *A,
             double            *scratch)
{
  size_t d = ctx->d;
  double *E = scratch, *mu = E + d * d, *work = mu + d;
  int dn = (int) d, lwork = 64 * (int) d, info = 0;

  cs_metric_to_matrix (cs_attention_get_metric (ctx), E);
  dsyev_ ("V", "U", &dn, E, &dn, mu, work, &lwork, &info, 1, 1);
  if (info != 0)
    return CS_ERR_NOT_FINITE;
  for (size_t k = 0; k < d; k++)
    {
      double r = mu[k] > 0 ? sqrt (mu[k]) : 0;
      for (size_t j = 0; j < d; j++)
        A[k * d + j] = r * E[k * d + j];
    }
  return CS_OK;
}

/* Scratch of local_fit_with: d (2 d + 72) + 2 (d + 11)^2 + LOCAL_QUAD_BLK (d) doubles (the last two for
 * local_quadratic); zs: m (d + 1). */
#define LOCAL_SCRATCH(d) ((d) * (2 * (d) + 72) + 2 * ((d) + 11) * ((d) + 11) + LOCAL_QUAD_BLK (d))
#define LOCAL_ZS(m, d)   ((m) * ((d) + 1))

/* The fit's weights p_i = w_i^tau / sum (pilot bandwidth f = 1 / sqrt (tau)):
 * f = CS_LOCAL_BANDWIDTH_FACTOR, widened (up to CS_LOCAL_PILOT_MAX_FACTOR,
 * by bisection on tau) until the effective number of cases under p reaches
 * CS_LOCAL_PILOT_NEFF. lw: m doubles of scratch. Returns 1 / sum p_i^2. */
static double
pilot_eval (const double *lw,
            size_t        m,
            double        tau,
            double       *p)
{
  double W = 0, W2 = 0;

  for (size_t i = 0; i < m; i++)
    {
      p[i] = exp (tau * lw[i]);
      W += p[i];
      W2 += p[i] * p[i];
    }
  for (size_t i = 0; i < m; i++)
    p[i] /= W;
  return W * W / W2;
}

static double
pilot_weights (const CsAttended *a,
               double           *lw,
               double           *p)
{
  size_t m = a->m;
  double lo = 1.0 / (CS_LOCAL_PILOT_MAX_FACTOR * CS_LOCAL_PILOT_MAX_FACTOR);
  double hi = 1.0 / (CS_LOCAL_BANDWIDTH_FACTOR * CS_LOCAL_BANDWIDTH_FACTOR), lmax = -INFINITY;

  /* log weights relative to the largest, so w^tau neither under- nor overflows (log is monotone: the log
   * of the largest weight is the largest log, one log per case) */
  for (size_t i = 0; i < m; i++)
    lmax = fmax (lmax, a->weight[i]);
  lmax = log (lmax);
  for (size_t i = 0; i < m; i++)
    lw[i] = log (a->weight[i]) - lmax;
  /* every pass below is m exps: p keeps the last one, so an answer already in p is not recomputed */
  {
    double ne = pilot_eval (lw, m, hi, p);
    int last_lo = 0;
    if (ne >= CS_LOCAL_PILOT_NEFF)
      return ne;
    ne = pilot_eval (lw, m, lo, p);
    if (ne < CS_LOCAL_PILOT_NEFF)
      return ne;      /* the widest pilot is still short: keep it */
    /* lo reaches the target, hi does not; n_eff falls as tau grows */
    for (int it = 0; it < 10; it++)
      {
        double mid = 0.5 * (lo + hi);
        ne = pilot_eval (lw, m, mid, p);
        if (ne >= CS_LOCAL_PILOT_NEFF)
          lo = mid;
        else
          hi = mid;
        last_lo = ne >= CS_LOCAL_PILOT_NEFF;
      }
    if (last_lo)
      return ne;      /* the last pass was at lo: p holds its weights */
    return pilot_eval (lw, m, lo, p);
  }
}

/* Rows per block of the fits' BLAS-3 passes: small enough that OpenBLAS 0.3.21 keeps a block's dgemm (rows x P x P
 * under 65536 x 4) and dgemv (rows x P under 2304 x 4) on the calling thread even with a thread pool (its
 * hand-off, from the fits' own workers, cost more than the fit: see the covariance below), large enough that
 * the kernels run near their peak. */
#define LOCAL_BLOCK 128

static size_t
local_block_rows (size_t P)
{
  size_t nb = LOCAL_BLOCK;

  if (nb * P * P > 262144)
    nb = 262144 / (P * P);
  if (nb * P > 9216)
    nb = 9216 / P;
  return nb > 0 ? nb : 1;
}

/* Local quadratic refit in the k kept coordinates (zs rows, first k entries,
 * p-centred, variances lam_desc[k - 1 - t] for direction t, i.e. lam_desc is
 * ascending as dsyev gives it): intercept, the k linear terms and the
 * products of the leading q <= CS_LOCAL_QUAD_DIRS directions, when 1 + k +
 * q (q + 1) / 2 parameters leave at least half the pilot's effective cases.
 * Weighted least squares by Cholesky of the (scaled) normal equations; the
 * residual variance with the exact smoother df: s^2 = sum p r^2 / (1 - sum
 * p_i h_ii). Replaces *s2 and *df only when the fit is well posed and keeps
 * df >= CS_LOCAL_MIN_DF. G: (1 + k + 10)^2 doubles of scratch, plus as many
 * again for the solve; blk: LOCAL_QUAD_BLK (d) doubles.
 *
 * The m P^2 sums run as BLAS-3 over blocks of design rows: G += (p X)' X by
 * dgemm (the very products p_i x_r x_s of the per-case loop, summed in another
 * order), and the leverages h_ii = p_i |L^-1 x_i|^2 as X L^-T by dgemm with
 * L^-1 formed once (P^3 / 3, against m P^2 for the solves per case). */
#define LOCAL_QUAD_BLK(d) (((d) + 11) * ((d) + 11) + LOCAL_BLOCK * (3 * ((d) + 11) + 2))

static void
local_quadratic (const CsAttention *ctx,
                 const CsAttended  *a,
                 size_t             k,
                 const double      *lam_asc,
                 const double      *zs,
                 const double      *pw,
                 double             neff,
                 double            *G,
                 double            *blk,
                 double            *s2,
                 double            *df)
{
  size_t d = ctx->d, m = a->m, q = k < CS_LOCAL_QUAD_DIRS ? k : CS_LOCAL_QUAD_DIRS, P, nb;
  double c[1 + CS_LOCAL_MAX_QUAD_P], sc[CS_LOCAL_QUAD_DIRS], sl[CS_LOCAL_MAX_QUAD_P];
  double *b = G + (1 + k + 10) * (1 + k + 10);
  double *Li, *X, *PX, *yb, *fit;
  double rss = 0, S = 0, sp2 = 1.0 / neff;

  while (q > 0 && (double) (1 + k + q * (q + 1) / 2) > 0.5 * neff)
    q--;
  if (q == 0 || k + q * (q + 1) / 2 > CS_LOCAL_MAX_QUAD_P)
    return;
  P = 1 + k + q * (q + 1) / 2;
  nb = local_block_rows (P);
  Li = blk;
  X = Li + P * P;
  PX = X + nb * P;
  yb = PX + nb * P;
  fit = yb + nb;
  /* 1 / sqrt (lambda_t), so a row costs no division (they were a quarter of the refit's time) */
  for (size_t t = 0; t < k; t++)
    sl[t] = 1.0 / sqrt (lam_asc[k - 1 - t]);
  for (size_t t = 0; t < q; t++)
    sc[t] = sl[t];

  /* the design rows of cases i0 .. i0 + cn - 1 into X (cn x P) */
#define QUAD_ROWS(i0, cn)                                                \
  do                                                                     \
    {                                                                    \
      for (size_t i_ = 0; i_ < (cn); i_++)                               \
        {                                                                \
          const double *zi = zs + ((i0) + i_) * d;                       \
          double *x = X + i_ * P;                                        \
          size_t col = 0;                                                \
          x[col++] = 1.0;                                                \
          for (size_t t = 0; t < k; t++)                                 \
            x[col++] = zi[t] * sl[t];                                    \
          for (size_t t = 0; t < q; t++)                                 \
            for (size_t u = 0; u <= t; u++)                              \
              x[col++] = zi[t] * sc[t] * zi[u] * sc[u];                  \
          yb[i_] = ctx->y[a->index[(i0) + i_]];                          \
        }                                                                \
    }                                                                    \
  while (0)

  memset (G, 0, P * P * sizeof (double));
  memset (b, 0, P * sizeof (double));
  for (size_t i0 = 0, cn; i0 < m; i0 += cn)
    {
      cn = m - i0 < nb ? m - i0 : nb;
      QUAD_ROWS (i0, cn);
      for (size_t i = 0; i < cn; i++)
        for (size_t r = 0; r < P; r++)
          PX[i * P + r] = pw[i0 + i] * X[i * P + r];
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) P, (int) P, (int) cn, 1.0, PX, (int) P,
                   X, (int) P, 1.0, G, (int) P);
      cblas_dgemv (CblasRowMajor, CblasTrans, (int) cn, (int) P, 1.0, PX, (int) P, yb, 1, 1.0, b, 1);
    }
  /* Cholesky G = L L' in place (lower), refusing a near-singular system */
  for (size_t j = 0; j < P; j++)
    {
      double diag = G[j * P + j];
      for (size_t t = 0; t < j; t++)
        diag -= G[j * P + t] * G[j * P + t];
      if (!(diag > 1e-10 * (G[j * P + j] > 0 ? G[j * P + j] : 1)))
        return;
      G[j * P + j] = sqrt (diag);
      for (size_t r = j + 1; r < P; r++)
        {
          double v = G[r * P + j];
          for (size_t t = 0; t < j; t++)
            v -= G[r * P + t] * G[j * P + t];
          G[r * P + j] = v / G[j * P + j];
        }
    }
  /* coefficients: L L' c = b */
  for (size_t r = 0; r < P; r++)
    {
      double v = b[r];
      for (size_t t = 0; t < r; t++)
        v -= G[r * P + t] * c[t];
      c[r] = v / G[r * P + r];
    }
  for (size_t r = P; r-- > 0;)
    {
      double v = c[r];
      for (size_t t = r + 1; t < P; t++)
        v -= G[t * P + r] * c[t];
      c[r] = v / G[r * P + r];
    }
  /* L^-1 (lower, zero above), column by column: L Li e_j = e_j */
  memset (Li, 0, P * P * sizeof (double));
  for (size_t j = 0; j < P; j++)
    for (size_t r = j; r < P; r++)
      {
        double v = r == j ? 1.0 : 0.0;
        for (size_t t = j; t < r; t++)
          v -= G[r * P + t] * Li[t * P + j];
        Li[r * P + j] = v / G[r * P + r];
      }
  /* residuals and leverages h_ii = p_i x_i' G^-1 x_i = p_i |L^-1 x_i|^2, a block at a time (PX now holds
   * the block's rows of X L^-T) */
  for (size_t i0 = 0, cn; i0 < m; i0 += cn)
    {
      cn = m - i0 < nb ? m - i0 : nb;
      QUAD_ROWS (i0, cn);
      cblas_dgemv (CblasRowMajor, CblasNoTrans, (int) cn, (int) P, 1.0, X, (int) P, c, 1, 0.0, fit, 1);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) cn, (int) P, (int) P, 1.0, X, (int) P,
                   Li, (int) P, 0.0, PX, (int) P);
      for (size_t i = 0; i < cn; i++)
        {
          double p = pw[i0 + i], r = yb[i] - fit[i], g = 0;
          const double *v = PX + i * P;
          for (size_t t = 0; t < P; t++)
            g += v[t] * v[t];
          rss += p * r * r;
          S += p * p * g;
        }
    }
#undef QUAD_ROWS
  if (!((1.0 - S) / sp2 >= CS_LOCAL_MIN_DF))
    return;
  *s2 = rss / (1.0 - S);
  *df = (1.0 - S) / sp2;
}

/* The fit of cs_local_fit with a root A of the metric (A' A = M, d x d) given,
 * scratch of LOCAL_SCRATCH (d) and zs of LOCAL_ZS (m, d) doubles. The fit works
 * in the metric's coordinates u = A x, where the kernel is round: "the
 * directions in which the attended cases spread" then means the same for
 * scalar, diagonal and full metrics (in standardised coordinates a feature the
 * metric ignores would spread widest and crowd out the ones that matter). */
static CsStatus
local_fit_with (const CsAttention  *ctx,
                const double       *A,
                const double       *query,
                const CsAttended   *a,
                double              y_query,
                double             *scratch,
                double             *zs,
                CsLocalDiagnostics *out)
{
  size_t d = ctx->d, m = a->m, k = 0, best = CS_NO_CASE;
  double *C = scratch, *lam = C + d * d, *xbar = lam + d, *beta = xbar + d, *work = beta + d;
  double *bk = work + 64 * d, *bfull = bk + d, *grad = bfull + d, *dx = grad + d, *Sw = dx + d;  /* d (2d + 72) */
  double *blk = Sw + 2 * (d + 11) * (d + 11), *D = blk, *T = D + LOCAL_BLOCK * d;   /* LOCAL_QUAD_BLK (d) */
  size_t nb = local_block_rows (d);
  double *pw = zs + m * d;
  double W = 0, sp2 = 0, ybar = 0, neff, rss = 0, S = 0, bestd = INFINITY;
  int dn = (int) d, lwork = 64 * (int) d, info = 0;

  out->metric_nearest = CS_NO_CASE;
  out->metric_distance = NAN;
  out->n_attended = m;
  out->thin = CS_LOCAL_THIN_NONE;
  /* The fit's weights are the attention weights to the power tau = 1 / f^2:
   * the same Gaussian kernel f times wider than the prediction's window, over
   * the same attended set. The prediction's own window can hold too few cases
   * for a noise or trend estimate (n_eff of 4 at 250 cases per feature leaves
   * 1 to 3 degrees of freedom): a pilot bandwidth wider than the estimate's,
   * as in residual-variance estimation, chosen per query to reach a number of
   * effective cases (a nearest-neighbour pilot, Fan & Gijbels 1996, 4.2). */
  for (size_t i = 0; i < m; i++)
    W += a->weight[i];
  if (m == 0 || !(W > 0))
    {
      local_thin (out, CS_LOCAL_THIN_NO_WEIGHT);
      return CS_OK;
    }
  pilot_weights (a, zs, pw);   /* zs's first m doubles as scratch, before the coordinates fill it */

  /* One gather of the attended rows: x_i - x into zs (the nearest case under M, |A (x_i - x)|, with the
   * distance score the heaviest case, always in the attended set), and the pilot-weighted means with it,
   * xbar relative to the query. Gathering the rows again for the means and the centring was a third of
   * the fit's own time. */
  memset (xbar, 0, d * sizeof (double));
  for (size_t i0 = 0, cn; i0 < m; i0 += cn)
    {
      double *Dq = zs + i0 * d;
      cn = m - i0 < nb ? m - i0 : nb;
      for (size_t i = 0; i < cn; i++)
        {
          const double *xi = ctx->x + a->index[i0 + i] * d;
          double p = pw[i0 + i];
          for (size_t c = 0; c < d; c++)
            {
              Dq[i * d + c] = xi[c] - query[c];
              xbar[c] += p * Dq[i * d + c];
            }
          sp2 += p * p;
          ybar += p * ctx->y[a->index[i0 + i]];
        }
      /* T = D A': row i is A (x_i - x) */
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) cn, (int) d, (int) d, 1.0, Dq, (int) d, A,
                   (int) d, 0.0, T, (int) d);
      for (size_t i = 0; i < cn; i++)
        {
          double q2 = 0;
          for (size_t r = 0; r < d; r++)
            q2 += T[i * d + r] * T[i * d + r];
          if (q2 < bestd)
            {
              bestd = q2;
              best = a->index[i0 + i];
            }
        }
    }
  out->metric_nearest = best;
  out->metric_distance = sqrt (bestd > 0 ? bestd : 0);

  /* Covariance with the pilot weights p_i over the attended cases. */
  neff = 1.0 / sp2;
  memset (C, 0, d * d * sizeof (double));
  /* z = A dx and C += (p z) z' a block of cases at a time by dgemm, not per case by dsyr: OpenBLAS 0.3.21
   * hands every dsyr to its thread pool whatever its size, and from the fits' own worker threads that
   * per-case hand-off cost 5x the fit itself (perf: exec_blas_async and sched_yield above half the
   * samples); a block's dgemm stays on the calling thread (local_block_rows). dx = (x_i - x) - (xbar - x),
   * from zs's rows in order: z overwrites them a block behind the read. */
  for (size_t i0 = 0, cn; i0 < m; i0 += cn)
    {
      double *Z = zs + i0 * d;
      cn = m - i0 < nb ? m - i0 : nb;
      for (size_t i = 0; i < cn; i++)
        for (size_t j = 0; j < d; j++)
          D[i * d + j] = Z[i * d + j] - xbar[j];
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) cn, (int) d, (int) d, 1.0, D, (int) d, A,
                   (int) d, 0.0, Z, (int) d);
      for (size_t i = 0; i < cn; i++)
        for (size_t j = 0; j < d; j++)
          T[i * d + j] = pw[i0 + i] * Z[i * d + j];
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) d, (int) d, (int) cn, 1.0, T, (int) d, Z,
                   (int) d, 1.0, C, (int) d);
    }
  /* Eigenvalues ascending; row-major lower = column-major upper, and the
   * eigenvectors come back as rows of C. */
  dsyev_ ("V", "U", &dn, C, &dn, lam, work, &lwork, &info, 1, 1);
  if (info != 0)
    return CS_ERR_NOT_FINITE;

  /* Spread directions: variance at least CS_LOCAL_SPREAD_FRACTION of the
   * largest, as many as leave CS_LOCAL_MIN_DF degrees of freedom at equal
   * weights (k <= n_eff - 1 - CS_LOCAL_MIN_DF), largest first. Across a curve
   * the attended cases barely spread in the outcome's steep direction: a
   * slope fitted there would be mostly noise. */
  {
    double top = lam[d - 1];
    for (size_t t = 0; t < d; t++)
      {
        double l = lam[d - 1 - t];
        if (!(top > 0) || !(l >= CS_LOCAL_SPREAD_FRACTION * top) || !(l > 1e-12 * top)
            || (double) (k + 1) > neff - 1.0 - CS_LOCAL_MIN_DF)
          break;
        k++;
      }
  }
  out->n_directions = k;

  /* Coordinates along the kept directions (rows d-1, d-2, ... of C); they are
   * weighted-uncorrelated, so each coefficient is a one-dimensional fit. */
  for (size_t t = 0; t < k; t++)
    bk[t] = 0;
  /* the kept directions as the rows of E (k x d, in Sw's space, free until the refit), and the projections
   * of a block as Z E' by dgemm */
  for (size_t t = 0; t < k; t++)
    memcpy (Sw + t * d, C + (d - 1 - t) * d, d * sizeof (double));
  for (size_t i0 = 0, cn; i0 < m && k > 0; i0 += cn)
    {
      cn = m - i0 < nb ? m - i0 : nb;
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) cn, (int) k, (int) d, 1.0, zs + i0 * d,
                   (int) d, Sw, (int) d, 0.0, T, (int) k);
      for (size_t i = 0; i < cn; i++)
        {
          double p = pw[i0 + i], yc = ctx->y[a->index[i0 + i]] - ybar;
          double *zi = zs + (i0 + i) * d;
          for (size_t t = 0; t < k; t++)
            {
              bk[t] += p * T[i * k + t] * yc;
              zi[t] = T[i * k + t];   /* reuse the row: only the k projections are needed below */
            }
        }
    }
  for (size_t t = 0; t < k; t++)
    beta[t] = bk[t] / lam[d - 1 - t];

  /* Residuals, and the hat-matrix terms of the weighted smoother:
   * h_ii = p_i (1 + sum_t z_it^2 / lambda_t); E[sum p_i r_i^2] = sigma^2 (1 - sum p_i h_ii)
   * for homoscedastic noise (exact, not the equal-weight (d+1)/n). */
  for (size_t t = 0; t < k; t++)
    bk[t] = 1.0 / lam[d - 1 - t];   /* bk is spent: 1 / lambda_t, no division per case */
  for (size_t i = 0; i < m; i++)
    {
      double p = pw[i], r = ctx->y[a->index[i]] - ybar, g = 0;
      const double *zi = zs + i * d;
      for (size_t t = 0; t < k; t++)
        {
          r -= beta[t] * zi[t];
          g += zi[t] * zi[t] * bk[t];
        }
      rss += p * r * r;
      S += p * p * (1.0 + g);
    }
  out->df_resid = (1.0 - S) / sp2;

  memset (bfull, 0, d * sizeof (double));
  for (size_t t = 0; t < k; t++)
    for (size_t j = 0; j < d; j++)
      bfull[j] += beta[t] * C[(d - 1 - t) * d + j];
  /* back to standardised features: y ~ bfull . A x = (A' bfull) . x */
  cblas_dgemv (CblasRowMajor, CblasTrans, (int) d, (int) d, 1.0, A, (int) d, bfull, 1, 0.0, grad, 1);
  out->local_lipschitz = cblas_dnrm2 ((int) d, grad, 1);

  if (!(out->df_resid >= CS_LOCAL_MIN_DF))
    {
      double lip = out->local_lipschitz;
      local_thin (out, CS_LOCAL_THIN_DF);
      out->local_lipschitz = k > 0 ? lip : NAN;
      out->n_directions = k;
      out->df_resid = (1.0 - S) / sp2;
      return CS_OK;
    }
  {
    double s2 = rss / (1.0 - S), v = 0, tw = 0, tw2 = 0, lev = 0;

    /* Across a curve a linear trend leaves the curvature in the residuals:
     * refit with quadratic terms in the leading spread directions where the
     * pilot's n_eff allows, and take that fit's residual variance (same exact
     * smoother df). */
    local_quadratic (ctx, a, k, lam + d - k, zs, pw, neff, Sw, Sw + 2 * (d + 11) * (d + 11), &s2,
                     &out->df_resid);
    out->local_noise_sd = sqrt (s2 > 0 ? s2 : 0);
    /* The spread of the fitted trend over the cases the prediction averages,
     * under the prediction's own weights w (the pilot's wider kernel would
     * spread it further): beta' S_w beta with S_w the w-weighted covariance of
     * the kept coordinates, minus what the coefficients' sampling variance
     * alone gives it, tr (S_w Var beta), Var beta = s^2 L^-1 (sum_i p_i^2 z_i
     * z_i') L^-1 in the p-uncorrelated coordinates (L = diag lambda). */
    memset (Sw, 0, k * k * sizeof (double));
    memset (dx, 0, k * sizeof (double));
    /* Sw += (w z)' z over a block of cases by dgemm (the kept coordinates are the first k of each row of zs) */
    for (size_t i0 = 0, cn; i0 < m && k > 0; i0 += cn)
      {
        cn = m - i0 < nb ? m - i0 : nb;
        for (size_t i = 0; i < cn; i++)
          {
            double w = a->weight[i0 + i] / W, t = 0;
            const double *zi = zs + (i0 + i) * d;
            for (size_t u = 0; u < k; u++)
              {
                t += beta[u] * zi[u];
                dx[u] += w * zi[u];
                T[i * k + u] = w * zi[u];
              }
            tw += w * t;
            tw2 += w * t * t;
          }
        cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) k, (int) k, (int) cn, 1.0, T, (int) k,
                     zs + i0 * d, (int) d, 1.0, Sw, (int) k);
      }
    for (size_t u = 0; u < k; u++)
      for (size_t u2 = 0; u2 <= u; u2++)
        {
          Sw[u * k + u2] = (Sw[u * k + u2] - dx[u] * dx[u2]) / (lam[d - 1 - u] * lam[d - 1 - u2]);
          Sw[u2 * k + u] = Sw[u * k + u2];
        }
    /* z_i' Sw z_i for a block: Z Sw by dgemm, then a dot product per case */
    for (size_t i0 = 0, cn; i0 < m && k > 0; i0 += cn)
      {
        cn = m - i0 < nb ? m - i0 : nb;
        cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) cn, (int) k, (int) k, 1.0, zs + i0 * d,
                     (int) d, Sw, (int) k, 0.0, T, (int) k);
        for (size_t i = 0; i < cn; i++)
          {
            const double *zi = zs + (i0 + i) * d;
            double qf = 0;
            for (size_t u = 0; u < k; u++)
              qf += zi[u] * T[i * k + u];
            lev += pw[i0 + i] * pw[i0 + i] * qf;
          }
      }
    v = tw2 - tw * tw - s2 * lev;
    out->local_variation = sqrt (v > 0 ? v : 0);
  }
  out->pseudo_residual = NAN;
  if (isfinite (y_query) && best != CS_NO_CASE)
    {
      const double *xn = ctx->x + best * d;
      double e = y_query - ctx->y[best];
      for (size_t j = 0; j < d; j++)
        e -= grad[j] * (query[j] - xn[j]);
      out->pseudo_residual = e;
    }
  return CS_OK;
}

CsStatus
cs_local_fit (const CsAttention  *ctx,
              const double       *query,
              const CsAttended   *a,
              double              y_query,
              CsLocalDiagnostics *out)
{
  double *M, *scratch, *zs;
  CsStatus st;

  if (ctx == NULL || query == NULL || a == NULL || out == NULL || (a->m > 0 && (a->index == NULL || a->weight == NULL)))
    return CS_ERR_INVALID;
  M = malloc (ctx->d * ctx->d * sizeof (double));
  scratch = malloc (LOCAL_SCRATCH (ctx->d) * sizeof (double));
  zs = malloc (LOCAL_ZS (a->m > 0 ? a->m : 1, ctx->d) * sizeof (double));
  if (M == NULL || scratch == NULL || zs == NULL)
    st = CS_ERR_NOMEM;
  else
    {
      st = metric_root (ctx, M, scratch);
      if (st == CS_OK)
        st = local_fit_with (ctx, M, query, a, y_query, scratch, zs, out);
    }
  free (M);
  free (scratch);
  free (zs);
  return st;
}

/* The local fits of a block of queries, from the prediction pass's own
 * attended sets, split over threads by query (each fit reads only its own
 * set; results do not depend on the thread count). */
typedef struct
{
  const CsAttention *ctx;
  const double *M;              /* A, A' A = the metric */
  const double *queries;
  const size_t *self_index;
  const CsPrediction *pred;
  const CsAttended *att;
  CsLocalDiagnostics *out;
  size_t q0, q1;
  CsStatus st;
  atomic_int *stop;             /* set when the caller cancels; every worker looks at it per query */
  CsModelProgressFunc progress; /* the calling thread's job only (job 0) */
  void *user_data;
  double from, span;            /* the share of the caller's progress this batch covers */
} LocalFitJob;

static void *
local_fit_job (void *data)
{
  LocalFitJob *job = data;
  const CsAttention *ctx = job->ctx;
  size_t d = ctx->d, n = ctx->n, mmax = 0;
  double *scratch = malloc (LOCAL_SCRATCH (d) * sizeof (double)), *zs = NULL;

  job->st = scratch != NULL ? CS_OK : CS_ERR_NOMEM;
  for (size_t r = job->q0; r < job->q1 && job->st == CS_OK; r++)
    {
      CsLocalDiagnostics *ld = &job->out[r];

      if (job->progress != NULL
          && job->progress (job->from + job->span * (double) (r - job->q0) / (double) (job->q1 - job->q0),
                            job->user_data))
        atomic_store (job->stop, 1);
      if (atomic_load (job->stop))
        {
          job->st = CS_ERR_CANCELLED;
          break;
        }
      size_t si = job->self_index != NULL ? job->self_index[r] : CS_NO_CASE;

      if (job->att[r].m > mmax)
        {
          double *z2 = realloc (zs, LOCAL_ZS (job->att[r].m, d) * sizeof (double));
          if (z2 == NULL)
            {
              job->st = CS_ERR_NOMEM;
              break;
            }
          zs = z2;
          mmax = job->att[r].m;
        }
      memset (ld, 0, sizeof *ld);
      job->st = local_fit_with (ctx, job->M, job->queries + r * d, &job->att[r], si < n ? ctx->y[si] : NAN,
                                scratch, zs != NULL ? zs : scratch, ld);
      ld->prediction = job->pred[r].prediction;
      ld->n_eff = job->pred[r].n_eff;
      ld->local_sd = job->pred[r].local_sd;
    }
  free (scratch);
  free (zs);
  return NULL;
}

static CsStatus
local_fit_batch (const CsAttention  *ctx,
                 const double       *queries,
                 size_t              q,
                 const size_t       *self_index,
                 const CsPrediction *pred,
                 const CsAttended   *att,
                 int                 n_threads,
                 CsModelProgressFunc progress,
                 void               *user_data,
                 double              from,
                 double              span,
                 CsLocalDiagnostics *out)
{
  atomic_int stop = 0;
  size_t d, per, nt;
  double *M, *scratch;
  LocalFitJob jobs[CS_MAX_THREADS];
  CsStatus st;

  if (ctx == NULL || queries == NULL || pred == NULL || att == NULL || out == NULL)
    return CS_ERR_INVALID;
  if (q == 0)
    return CS_OK;
  d = ctx->d;
  M = malloc (d * d * sizeof (double));
  scratch = malloc (d * (d + 72) * sizeof (double));
  if (M == NULL || scratch == NULL)
    {
      free (M);
      free (scratch);
      return CS_ERR_NOMEM;
    }
  st = metric_root (ctx, M, scratch);
  free (scratch);
  if (st != CS_OK)
    {
      free (M);
      return st;
    }
  nt = cs_parallel_split (q, n_threads, 1, &per);
  for (size_t t = 0; t < nt; t++)
    jobs[t] = (LocalFitJob) { ctx, M, queries, self_index, pred, att, out,
                              t * per, (t + 1) * per < q ? (t + 1) * per : q, CS_OK, &stop,
                              t == 0 ? progress : NULL, user_data, from, span };
  cs_parallel_run (nt, sizeof jobs[0], jobs, local_fit_job);
  for (size_t t = 0; t < nt && st == CS_OK; t++)
    st = jobs[t].st;
  free (M);
  return st;
}

CsStatus
cs_local_fit_batch (const CsAttention  *ctx,
                    const double       *queries,
                    size_t              q,
                    const size_t       *self_index,
                    const CsPrediction *pred,
                    const CsAttended   *att,
                    int                 n_threads,
                    CsLocalDiagnostics *out)
{
  return local_fit_batch (ctx, queries, q, self_index, pred, att, n_threads, NULL, NULL, 0, 0, out);
}

/* Workers for the per-case passes: every online core (results do not depend
 * on the count: the prediction splits whole query blocks, the local fits one
 * query each). */
static int
diagnose_threads (void)
{
  long c = sysconf (_SC_NPROCESSORS_ONLN);

  return c < 1 ? 1 : c > CS_MAX_THREADS ? CS_MAX_THREADS : (int) c;
}

/* Kept cases held at once across a block's attended sets: 2^24 (256 MB of
 * index and weight), so a block is sized on the largest set seen so far. */
#define DIAGNOSE_KEPT_BUDGET ((size_t) 1 << 24)
#define DIAGNOSE_MAX_BLOCK   1024

static size_t
diagnose_block (size_t kept_bound)
{
  size_t b = DIAGNOSE_KEPT_BUDGET / (kept_bound > 0 ? kept_bound : 1);

  return b < 1 ? 1 : b > DIAGNOSE_MAX_BLOCK ? DIAGNOSE_MAX_BLOCK : b;
}

/* The prediction pass's progress as a share of the whole call, so Cancel is
 * seen within a block too (the pass asks every 64 case tiles). */
typedef struct
{
  CsModelProgressFunc progress;
  void *user_data;
  double from, span;
} DiagnoseProgress;

static int
diagnose_progress (double  fraction,
                   void   *data)
{
  DiagnoseProgress *p = data;

  return p->progress (p->from + p->span * fraction, p->user_data);
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
  size_t n, d, chunk, kept_bound;
  int nt = diagnose_threads ();
  CsPrediction *pred = NULL;
  CsAttended *att = NULL;
  CsStatus st = CS_OK;

  if (ctx == NULL || queries == NULL || out == NULL)
    return CS_ERR_INVALID;
  if (q == 0)
    return CS_OK;
  n = ctx->n;
  d = ctx->d;
  /* the first block assumes every case is kept; later ones twice the largest
   * set seen (at least 1024 cases) */
  kept_bound = n;
  pred = malloc (DIAGNOSE_MAX_BLOCK * sizeof (CsPrediction));
  att = calloc (DIAGNOSE_MAX_BLOCK, sizeof (CsAttended));
  if (!pred || !att)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  for (size_t q0 = 0; q0 < q && st == CS_OK; q0 += chunk)
    {
      CsPredictOptions o;
      DiagnoseProgress dp, dp_pred;
      size_t kmax = 0;

      chunk = diagnose_block (kept_bound);
      chunk = chunk > q - q0 ? q - q0 : chunk;
      if (progress != NULL && progress ((double) q0 / (double) q, user_data))
        {
          st = CS_ERR_CANCELLED;
          break;
        }
      /* one pass: the prediction's own maximum and normaliser give the
       * attended set (all but 1e-6 of the weight, the default epsilon) */
      cs_predict_options_init (&o);
      o.self_index = self_index != NULL ? self_index + q0 : NULL;
      o.attended = att;
      o.n_threads = nt;
      dp = (DiagnoseProgress) { progress, user_data, (double) q0 / (double) q, (double) chunk / (double) q };
      dp_pred = dp;
      dp_pred.span *= 0.5;
      if (progress != NULL)
        {
          o.progress = diagnose_progress;
          o.user_data = &dp_pred;
        }
      st = cs_attention_predict (ctx, queries + q0 * d, chunk, &o, pred);
      /* the prediction takes about the first half of a block's time, the local fits the rest */
      if (st == CS_OK)
        st = local_fit_batch (ctx, queries + q0 * d, chunk, o.self_index, pred, att, nt,
                              progress != NULL ? diagnose_progress : NULL, &dp, 0.5, 0.5, out + q0);
      for (size_t r = 0; r < chunk; r++)
        {
          kmax = att[r].m > kmax ? att[r].m : kmax;
          cs_attended_clear (&att[r]);
        }
      kept_bound = 2 * kmax < 1024 ? 1024 : 2 * kmax;
      kept_bound = kept_bound > n ? n : kept_bound;
    }
  if (st == CS_OK && progress != NULL && progress (1.0, user_data))
    st = CS_ERR_CANCELLED;

out:
  free (pred);
  free (att);
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
