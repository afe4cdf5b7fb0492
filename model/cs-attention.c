/* cs-attention.c: metrics, the context and streamed softmax prediction (double and float paths). */
#include "config.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cs-attention-private.h"
#include "cs-kernel.h"
#include "cs-numeric.h"
#include "cs-parallel.h"

const char *
cs_status_message (CsStatus status)
{
  switch (status)
    {
    case CS_OK: return "success";
    case CS_ERR_INVALID: return "invalid argument (sizes, missing data or a malformed metric)";
    case CS_ERR_NOT_FINITE: return "a value is NaN or infinite";
    case CS_ERR_NOMEM: return "out of memory";
    case CS_ERR_CANCELLED: return "cancelled";
    default: return "unknown error";
    }
}

int
cs_is_finite_array (const double *v,
                    size_t        n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return 0;
  return 1;
}

/* ---- Metrics ------------------------------------------------------------ */

/* An init that fails validation owns nothing afterwards: callers only clear
 * metrics whose init succeeded. */
static CsStatus
metric_validate_or_clear (CsMetric *m)
{
  CsStatus st = cs_metric_validate (m);

  if (st != CS_OK)
    cs_metric_clear (m);
  return st;
}

CsStatus
cs_metric_init_scalar (CsMetric *m,
                       size_t    d,
                       double    scale)
{
  if (m == NULL || d == 0)
    return CS_ERR_INVALID;
  memset (m, 0, sizeof *m);
  m->kind = CS_METRIC_SCALAR;
  m->d = d;
  m->scale = scale;
  return cs_metric_validate (m);
}

CsStatus
cs_metric_init_diagonal (CsMetric     *m,
                         size_t        d,
                         const double *diag)
{
  if (m == NULL || d == 0)
    return CS_ERR_INVALID;
  memset (m, 0, sizeof *m);
  m->kind = CS_METRIC_DIAGONAL;
  m->d = d;
  m->diag = malloc (d * sizeof (double));
  if (m->diag == NULL)
    return CS_ERR_NOMEM;
  for (size_t j = 0; j < d; j++)
    m->diag[j] = diag != NULL ? diag[j] : 1.0;
  return metric_validate_or_clear (m);
}

CsStatus
cs_metric_init_full (CsMetric     *m,
                     size_t        d,
                     size_t        rank,
                     const double *A)
{
  if (m == NULL || d == 0 || rank == 0 || rank > d)
    return CS_ERR_INVALID;
  memset (m, 0, sizeof *m);
  m->kind = CS_METRIC_FULL;
  m->d = d;
  m->rank = rank;
  m->A = calloc (rank * d, sizeof (double));
  if (m->A == NULL)
    return CS_ERR_NOMEM;
  if (A != NULL)
    memcpy (m->A, A, rank * d * sizeof (double));
  else
    for (size_t i = 0; i < rank; i++)
      m->A[i * d + i] = 1.0;
  return metric_validate_or_clear (m);
}

CsStatus
cs_metric_copy (CsMetric       *dst,
                const CsMetric *src)
{
  CsStatus st;

  if (dst == NULL || src == NULL)
    return CS_ERR_INVALID;
  st = cs_metric_validate (src);
  if (st != CS_OK)
    return st;
  switch (src->kind)
    {
    case CS_METRIC_SCALAR: st = cs_metric_init_scalar (dst, src->d, src->scale); break;
    case CS_METRIC_DIAGONAL: st = cs_metric_init_diagonal (dst, src->d, src->diag); break;
    case CS_METRIC_FULL: st = cs_metric_init_full (dst, src->d, src->rank, src->A); break;
    default: return CS_ERR_INVALID;
    }
  if (st == CS_OK && src->n_cat > 0)
    {
      st = cs_metric_set_categories (dst, src->n_cat, src->cat_lambda);
      if (st != CS_OK)
        cs_metric_clear (dst);
    }
  return st;
}

CsStatus
cs_metric_set_categories (CsMetric     *m,
                          size_t        n_cat,
                          const double *lambda)
{
  double *l = NULL;

  if (m == NULL)
    return CS_ERR_INVALID;
  for (size_t c = 0; lambda != NULL && c < n_cat; c++)
    {
      if (!isfinite (lambda[c]))
        return CS_ERR_NOT_FINITE;
      if (lambda[c] < 0)
        return CS_ERR_INVALID;
    }
  if (n_cat > 0)
    {
      l = calloc (n_cat, sizeof (double));
      if (l == NULL)
        return CS_ERR_NOMEM;
      if (lambda != NULL)
        memcpy (l, lambda, n_cat * sizeof (double));
    }
  free (m->cat_lambda);
  m->cat_lambda = l;
  m->n_cat = n_cat;
  return CS_OK;
}

void
cs_metric_clear (CsMetric *m)
{
  if (m == NULL)
    return;
  free (m->diag);
  free (m->A);
  free (m->cat_lambda);
  memset (m, 0, sizeof *m);
}

CsStatus
cs_metric_validate (const CsMetric *m)
{
  if (m == NULL || m->d == 0 || (m->n_cat > 0 && m->cat_lambda == NULL))
    return CS_ERR_INVALID;
  for (size_t c = 0; c < m->n_cat; c++)
    {
      if (!isfinite (m->cat_lambda[c]))
        return CS_ERR_NOT_FINITE;
      if (m->cat_lambda[c] < 0)
        return CS_ERR_INVALID;
    }
  switch (m->kind)
    {
    case CS_METRIC_SCALAR:
      if (!isfinite (m->scale))
        return CS_ERR_NOT_FINITE;
      return m->scale > 0 ? CS_OK : CS_ERR_INVALID;
    case CS_METRIC_DIAGONAL:
      if (m->diag == NULL)
        return CS_ERR_INVALID;
      if (!cs_is_finite_array (m->diag, m->d))
        return CS_ERR_NOT_FINITE;
      for (size_t j = 0; j < m->d; j++)
        if (m->diag[j] < 0)
          return CS_ERR_INVALID;
      return CS_OK;
    case CS_METRIC_FULL:
      if (m->A == NULL || m->rank == 0 || m->rank > m->d)
        return CS_ERR_INVALID;
      return cs_is_finite_array (m->A, m->rank * m->d) ? CS_OK : CS_ERR_NOT_FINITE;
    default:
      return CS_ERR_INVALID;
    }
}

void
cs_metric_to_matrix (const CsMetric *m,
                     double         *M)
{
  size_t d = m->d;

  memset (M, 0, d * d * sizeof (double));
  switch (m->kind)
    {
    case CS_METRIC_SCALAR:
      for (size_t j = 0; j < d; j++)
        M[j * d + j] = m->scale;
      break;
    case CS_METRIC_DIAGONAL:
      for (size_t j = 0; j < d; j++)
        M[j * d + j] = m->diag[j];
      break;
    case CS_METRIC_FULL:
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) d, (int) d, (int) m->rank,
                   1.0, m->A, (int) d, m->A, (int) d, 0.0, M, (int) d);
      break;
    default:
      break;
    }
}

void
cs_metric_half_widths (const CsMetric *m,
                       double         *half_width)
{
  for (size_t j = 0; j < m->d; j++)
    {
      double mjj;
      if (m->kind == CS_METRIC_SCALAR)
        mjj = m->scale;
      else if (m->kind == CS_METRIC_DIAGONAL)
        mjj = m->diag[j];
      else
        {
          mjj = 0;
          for (size_t i = 0; i < m->rank; i++)
            mjj += m->A[i * m->d + j] * m->A[i * m->d + j];
        }
      half_width[j] = mjj > 0 ? 1.0 / sqrt (mjj) : INFINITY;
    }
}

double
cs_metric_mean_diagonal (const CsMetric *m)
{
  double s = 0;

  if (m->kind == CS_METRIC_SCALAR)
    return m->scale;
  if (m->kind == CS_METRIC_DIAGONAL)
    for (size_t j = 0; j < m->d; j++)
      s += m->diag[j];
  else
    for (size_t i = 0; i < m->rank * m->d; i++)
      s += m->A[i] * m->A[i];
  return s / (double) m->d;
}

static inline size_t
sample_case (size_t k,
             size_t m,
             size_t n)
{
  size_t i;

  if (m >= n)
    return k;
  i = (size_t) (((double) k + 0.5) * (double) n / (double) m);
  return i < n ? i : n - 1;
}

void
cs_sample_gather (const double *x,
                  size_t        n,
                  size_t        width,
                  size_t        m,
                  size_t       *rows,
                  double       *out)
{
  for (size_t k = 0; k < m; k++)
    {
      size_t i = sample_case (k, m, n);
      if (rows != NULL)
        rows[k] = i;
      if (out != NULL)
        memcpy (out + k * width, x + i * width, width * sizeof (double));
    }
}

/* ---- Passes over the rows on every core ---------------------------------- */

/* Below this many values a pass stays on the calling thread: starting a thread costs more. */
#define ROWS_PARALLEL_MIN ((size_t) 1 << 16)

typedef void (*RowsFunc) (void *arg, size_t i0, size_t i1, size_t slot);

typedef struct
{
  RowsFunc fn;
  void *arg;
  size_t i0, i1, slot;
} RowsJob;

static void *
rows_job_run (void *data)
{
  RowsJob *j = data;

  if (j->i1 > j->i0)
    j->fn (j->arg, j->i0, j->i1, j->slot);
  return NULL;
}

static int
online_processors (void)
{
  long np = sysconf (_SC_NPROCESSORS_ONLN);

  return np < 1 ? 1 : np > CS_MAX_THREADS ? CS_MAX_THREADS : (int) np;
}

/* fn over rows [0, n) of width values each, on nt workers: rounds of nt blocks of `block` rows (block 0: one
 * round, the rows split evenly), worker slot t taking the t-th block of a round, so a slot's accumulators are
 * only ever touched by one thread at a time. Each row is computed by one worker exactly as one thread would, so
 * the results do not depend on nt. Before each round progress (may be NULL) is asked with from + span times the
 * rows done; a nonzero answer stops the pass and returns 1. */
static int
rows_parallel (size_t              n,
               size_t              width,
               int                 nt,
               size_t              block,
               RowsFunc            fn,
               void               *arg,
               CsModelProgressFunc progress,
               void               *user_data,
               double              from,
               double              span)
{
  RowsJob jobs[CS_MAX_THREADS];
  size_t nj = nt > 1 && n * width >= ROWS_PARALLEL_MIN ? (size_t) nt : 1;

  if (nj > CS_MAX_THREADS)
    nj = CS_MAX_THREADS;
  if (block == 0)
    block = (n + nj - 1) / nj;
  if (block == 0)
    block = 1;
  for (size_t r0 = 0; r0 < n; r0 += nj * block)
    {
      if (progress != NULL && progress (from + span * (double) r0 / (double) n, user_data) != 0)
        return 1;
      for (size_t t = 0; t < nj; t++)
        {
          size_t a = r0 + t * block, b = a + block;
          jobs[t] = (RowsJob) { fn, arg, a < n ? a : n, b < n ? b : n, t };
        }
      cs_parallel_run (nj, sizeof jobs[0], jobs, rows_job_run);
    }
  return 0;
}

/* ---- Prepared keys ------------------------------------------------------ */

void
cs_prep_clear (CsPrep *p)
{
  free (p->Aeff);
  free (p->cat_w);
  free (p->kabs);
  if (!p->borrowed)
    {
      free (p->K);
      free (p->Kf);
    }
  memset (p, 0, sizeof *p);
}

typedef struct
{
  const CsAttention *ctx;
  CsPrep *p;
  int diagonal;          /* Aeff is diagonal (scalar and diagonal metrics): K[:, :r] = (x - c) Aeff_jj, what the
                          * GEMM gave (its other products are zeros), at O(n d) instead of O(n d^2) */
  int use_cat;
  double *kabs;          /* n_threads * ra: each worker's max_i |K_ij| */
} PrepRows;

/* Rows [i0, i1) of the keys: the metric's columns (unless the GEMM made them), the norm and constant columns,
 * the category columns, the float copy and the column maxima. */
static void
prep_rows (void  *arg,
           size_t i0,
           size_t i1,
           size_t slot)
{
  const PrepRows *pr = arg;
  const CsAttention *ctx = pr->ctx;
  const CsPrep *p = pr->p;
  size_t d = ctx->d, r = p->r, ra = p->ra;
  double *kabs = pr->kabs + slot * ra;

  for (size_t i = i0; i < i1; i++)
    {
      double *k = p->K + i * ra, nk = 0;
      if (pr->diagonal)
        {
          const double *xc = ctx->X2 + i * (d + 2);
          for (size_t j = 0; j < r; j++)
            k[j] = xc[j] * p->Aeff[j * d + j];
        }
      for (size_t j = 0; j < r; j++)
        nk += k[j] * k[j];
      if (ctx->form == CS_SCORE_DISTANCE)
        {
          k[r] = -0.5 * nk;
          k[r + 1] = 1.0;
        }
      else
        k[r] = k[r + 1] = 0.0;
      if (pr->use_cat)
        {
          /* The query's 1 in column r + 1 (distance) meets this constant: the penalty of a
           * query that matches no level. In the dot form the constant cannot ride on a column,
           * and a constant per query changes no weight anyway. */
          memset (k + r + 2, 0, p->L * sizeof (double));
          for (size_t c = 0; c < ctx->n_cat; c++)
            {
              int lv = ctx->levels[i * ctx->n_cat + c];
              if (ctx->form == CS_SCORE_DISTANCE)
                k[r] -= p->cat_w[c] * p->cat_w[c];
              k[r + 2 + ctx->level_off[c] + (size_t) lv] = p->cat_w[c];
            }
        }
      if (p->Kf != NULL)
        for (size_t j = 0; j < ra; j++)
          p->Kf[i * ra + j] = (float) k[j];
      for (size_t j = 0; j < ra; j++)
        kabs[j] = fmax (kabs[j], fabs (k[j]));
    }
}

CsStatus
cs_prep_build (const CsAttention *ctx,
               const CsMetric    *m,
               int                want_float,
               CsPrep            *p)
{
  size_t n = ctx->n, d = ctx->d, r, ra;
  int use_cat = 0;

  memset (p, 0, sizeof *p);
  /* Category columns only when some penalty is positive: a zero penalty changes no weight, and
   * without the columns the scalar metric keeps its borrowed keys and the fused kernel. */
  if (ctx->n_cat > 0 && m->n_cat == ctx->n_cat && m->cat_lambda != NULL)
    for (size_t c = 0; c < m->n_cat; c++)
      use_cat |= m->cat_lambda[c] > 0;
  r = m->kind == CS_METRIC_FULL ? m->rank : d;
  p->L = use_cat ? ctx->L : 0;
  ra = r + 2 + p->L;
  p->n = n; p->d = d; p->r = r; p->ra = ra; p->form = ctx->form;
  p->Aeff = calloc (r * d, sizeof (double));
  if (use_cat)
    {
      p->cat_w = calloc (ctx->n_cat, sizeof (double));
      if (p->cat_w == NULL)
        {
          cs_prep_clear (p);
          return CS_ERR_NOMEM;
        }
    }
  if (m->kind == CS_METRIC_SCALAR && ctx->form == CS_SCORE_DISTANCE && p->Aeff != NULL && !use_cat)
    {
      /* Scalar distance metric: Mhat = I, so the keys [x - c, -|x - c|^2 / 2, 1]
       * are the context's X2 rows, bit for bit: borrow them (and X2f) instead of
       * holding a second n * (d + 2) copy per metric. */
      for (size_t j = 0; j < d; j++)
        p->Aeff[j * d + j] = 1.0;
      p->lambda = m->scale;
      if (!(p->lambda > 0) || !isfinite (p->lambda))
        p->lambda = p->lambda > 0 ? DBL_MAX : 1.0;
      p->d2_scale = -2.0;
      p->K = ctx->X2;
      p->Kf = want_float ? ctx->X2f : NULL;
      p->borrowed = 1;
      /* The keys' column maxima, as below: without them predict_range has no candidate bound and every window
       * pass of a scalar metric scored all n cases again (from 291c1d4, which moved this out of predict_range,
       * until this line). */
      p->kabs = calloc (ra, sizeof (double));
      if (p->kabs == NULL)
        {
          cs_prep_clear (p);
          return CS_ERR_NOMEM;
        }
      for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < ra; j++)
          p->kabs[j] = fmax (p->kabs[j], fabs (p->K[i * ra + j]));
      return CS_OK;
    }
  p->K = malloc (n * ra * sizeof (double));
  p->kabs = calloc (ra, sizeof (double));
  if (want_float && ctx->X2f != NULL)   /* no float keys in a CS_ATTENTION_NO_FLOAT context */
    p->Kf = malloc (n * ra * sizeof (float));
  if (p->Aeff == NULL || p->K == NULL || p->kabs == NULL || (want_float && ctx->X2f != NULL && p->Kf == NULL))
    {
      cs_prep_clear (p);
      return CS_ERR_NOMEM;
    }
  /* lambda = largest diagonal entry of M; Aeff = A / sqrt (lambda). */
  if (m->kind == CS_METRIC_SCALAR)
    p->lambda = m->scale;
  else if (m->kind == CS_METRIC_DIAGONAL)
    {
      p->lambda = 0;
      for (size_t j = 0; j < d; j++)
        p->lambda = fmax (p->lambda, m->diag[j]);
    }
  else
    {
      double amax = 0, *cn = calloc (d, sizeof (double));
      if (cn == NULL)
        {
          cs_prep_clear (p);
          return CS_ERR_NOMEM;
        }
      for (size_t a = 0; a < r; a++)
        for (size_t j = 0; j < d; j++)
          amax = fmax (amax, fabs (m->A[a * d + j]));
      /* column norms of A / amax (no overflow), then lambda = amax^2 max norm */
      for (size_t a = 0; a < r; a++)
        for (size_t j = 0; j < d; j++)
          {
            double v = amax > 0 ? m->A[a * d + j] / amax : 0;
            cn[j] += v * v;
          }
      p->lambda = 0;
      for (size_t j = 0; j < d; j++)
        p->lambda = fmax (p->lambda, cn[j]);
      free (cn);
      /* Aeff = A / (amax sqrt (max cn)) */
      {
        double f = amax > 0 && p->lambda > 0 ? 1.0 / (amax * sqrt (p->lambda)) : 1.0;
        for (size_t i = 0; i < r * d; i++)
          p->Aeff[i] = m->A[i] * f;
        p->lambda = p->lambda * amax * amax;
      }
    }
  if (!(p->lambda > 0) || !isfinite (p->lambda))
    p->lambda = p->lambda > 0 ? DBL_MAX : 1.0;
  if (m->kind == CS_METRIC_SCALAR)
    for (size_t j = 0; j < d; j++)
      p->Aeff[j * d + j] = 1.0;
  else if (m->kind == CS_METRIC_DIAGONAL)
    for (size_t j = 0; j < d; j++)
      p->Aeff[j * d + j] = sqrt (m->diag[j] / p->lambda);
  p->d2_scale = (m->kind == CS_METRIC_SCALAR && ctx->form == CS_SCORE_DISTANCE && !use_cat) ? -2.0 : 0.0;
  for (size_t c = 0; use_cat && c < ctx->n_cat; c++)
    p->cat_w[c] = sqrt (m->cat_lambda[c] / p->lambda);

  /* The centred cases x - c are the first d columns of the context's X2 (the same subtraction, bit for bit):
   * the keys are made from them in place, where a copy of them took another n d doubles at every metric. */
  if (m->kind == CS_METRIC_FULL)
    /* K[:, :r] = (x - c) Aeff^T */
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) n, (int) r, (int) d,
                 1.0, ctx->X2, (int) (d + 2), p->Aeff, (int) d, 0.0, p->K, (int) ra);
  {
    int nt = ctx->n_threads > 1 ? ctx->n_threads : 1;
    PrepRows pr = { ctx, p, m->kind != CS_METRIC_FULL, use_cat, calloc ((size_t) nt * ra, sizeof (double)) };

    if (pr.kabs == NULL)
      {
        cs_prep_clear (p);
        return CS_ERR_NOMEM;
      }
    rows_parallel (n, ra, nt, 0, prep_rows, &pr, NULL, NULL, 0, 0);
    /* max_i |K_ij| per column, once per metric: the window's candidate bound (predict_range's cdelta) */
    for (int t = 0; t < nt; t++)
      for (size_t j = 0; j < ra; j++)
        p->kabs[j] = fmax (p->kabs[j], pr.kabs[(size_t) t * ra + j]);
    free (pr.kabs);
  }
  return CS_OK;
}

void
cs_prep_queries (const CsAttention *ctx,
                 const CsPrep      *p,
                 const double      *queries,
                 size_t             nq,
                 const int         *levels,
                 double            *Qa,
                 double            *Qe)
{
  size_t d = ctx->d, r = p->r, ra = p->ra;

  for (size_t i = 0; i < nq; i++)
    {
      const double *qx = queries + i * d;
      double *qa = Qa + i * ra, nq2 = 0;
      for (size_t a = 0; a < r; a++)
        {
          double s = 0;
          for (size_t j = 0; j < d; j++)
            s += p->Aeff[a * d + j] * (qx[j] - ctx->xmean[j]);
          qa[a] = s;
          nq2 += s * s;
        }
      if (p->form == CS_SCORE_DISTANCE)
        {
          qa[r] = 1.0;
          qa[r + 1] = -0.5 * nq2;
        }
      else
        qa[r] = qa[r + 1] = 0.0;
      if (p->L > 0)
        {
          /* A level the keys do not have (-1, or beyond the column's levels) matches no case. */
          memset (qa + r + 2, 0, p->L * sizeof (double));
          for (size_t c = 0; levels != NULL && c < ctx->n_cat; c++)
            {
              int lv = levels[i * ctx->n_cat + c];
              if (lv >= 0 && (size_t) lv < ctx->n_levels[c])
                qa[r + 2 + ctx->level_off[c] + (size_t) lv] = p->cat_w[c];
            }
        }
      if (Qe != NULL)
        {
          double *qe = Qe + i * (d + 2), n2 = 0;
          for (size_t j = 0; j < d; j++)
            {
              double v = qx[j] - ctx->xmean[j];
              qe[j] = -2.0 * v;
              n2 += v * v;
            }
          qe[d] = -2.0;   /* X2 holds -|x - c|^2 / 2 */
          qe[d + 1] = n2;
        }
    }
}

/* ---- Context ------------------------------------------------------------ */

CsStatus
cs_attention_new (const double  *x,
                  const double  *y,
                  size_t         n,
                  size_t         d,
                  CsScoreForm    form,
                  CsAttention  **out)
{
  return cs_attention_new_full (x, y, n, d, form, 0, NULL, NULL, out);
}

/* Rows between two progress reports while a context is built (a few ms each). */
#define NEW_BLOCK 65536

typedef struct
{
  CsAttention *self;
  const double *x;           /* n * d */
  int bad[CS_MAX_THREADS];   /* per worker slot: a value of x that is not finite */
} NewRows;

/* Columns [j0, j1) of the case mean, rows [i0, i1) added to it (in order). */
typedef struct
{
  const double *x;
  double *mean;
  size_t n, d, i0, i1, j0, j1;
} MeanJob;

static void *
mean_cols (void *data)
{
  const MeanJob *j = data;

  /* sums on the worker's stack, 64 columns at a time: the workers' columns share cache lines of mean */
  for (size_t c0 = j->j0; c0 < j->j1; c0 += 64)
    {
      size_t c1 = c0 + 64 < j->j1 ? c0 + 64 : j->j1;
      double acc[64];

      for (size_t c = c0; c < c1; c++)
        acc[c - c0] = j->mean[c];
      for (size_t i = j->i0; i < j->i1; i++)
        for (size_t c = c0; c < c1; c++)
          acc[c - c0] += j->x[i * j->d + c] / (double) j->n;
      for (size_t c = c0; c < c1; c++)
        j->mean[c] = acc[c - c0];
    }
  return NULL;
}

/* X2's rows [x - c, -|x - c|^2 / 2, 1] (and their float copy) for cases [i0, i1), and whether x is finite. */
static void
centre_rows (void  *arg,
             size_t i0,
             size_t i1,
             size_t slot)
{
  NewRows *nr = arg;
  CsAttention *self = nr->self;
  const double *x = nr->x;
  size_t d = self->d;
  int finite = 1;

  for (size_t i = i0; i < i1; i++)
    {
      double *r = self->X2 + i * (d + 2), s = 0;
      for (size_t j = 0; j < d; j++)
        {
          finite &= isfinite (x[i * d + j]) != 0;
          r[j] = x[i * d + j] - self->xmean[j];
          s += r[j] * r[j];
        }
      r[d] = -0.5 * s;   /* the scalar metric's keys (see cs_prep_build) */
      r[d + 1] = 1.0;
      if (self->X2f != NULL)
        for (size_t j = 0; j < d + 2; j++)
          self->X2f[i * (d + 2) + j] = (float) r[j];
    }
  if (!finite)
    nr->bad[slot] = 1;
}

CsStatus
cs_attention_new_full (const double       *x,
                       const double       *y,
                       size_t              n,
                       size_t              d,
                       CsScoreForm         form,
                       unsigned            flags,
                       CsModelProgressFunc progress,
                       void               *user_data,
                       CsAttention       **out)
{
  CsAttention *self;
  CsMetric m;
  CsStatus st;
  int share = (flags & CS_ATTENTION_SHARE_INPUT) != 0, nt;
#define NEW_CANCELLED(frac)                                                   \
  (progress != NULL && progress ((frac), user_data) != 0)

  if (out == NULL)
    return CS_ERR_INVALID;
  *out = NULL;
  if (x == NULL || y == NULL || n == 0 || d == 0 || n > ((size_t) 1 << 40) / d
      || (form != CS_SCORE_DISTANCE && form != CS_SCORE_DOT)
      || (flags & ~(unsigned) (CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT | CS_ATTENTION_ALL_CORES)) != 0)
    return CS_ERR_INVALID;
  /* x is checked as X2 is made from it (one read of the n d values instead of two) */
  if (!cs_is_finite_array (y, n))
    return CS_ERR_NOT_FINITE;
  nt = (flags & CS_ATTENTION_ALL_CORES) ? online_processors () : 1;

  self = calloc (1, sizeof *self);
  if (self == NULL)
    return CS_ERR_NOMEM;
  self->n = n;
  self->d = d;
  self->form = form;
  self->shared = share;
  self->n_threads = nt;
  self->x = share ? (double *) x : malloc (n * d * sizeof (double));
  self->y = share ? (double *) y : malloc (n * sizeof (double));
  self->yc = malloc (n * sizeof (double));
  self->ycf = (flags & CS_ATTENTION_NO_FLOAT) ? NULL : malloc (n * sizeof (float));
  self->xmean = calloc (d, sizeof (double));
  self->X2 = malloc (n * (d + 2) * sizeof (double));
  self->X2f = (flags & CS_ATTENTION_NO_FLOAT) ? NULL : malloc (n * (d + 2) * sizeof (float));
  if (self->x == NULL || self->y == NULL || self->yc == NULL
      || self->xmean == NULL || self->X2 == NULL
      || ((self->X2f == NULL || self->ycf == NULL) && !(flags & CS_ATTENTION_NO_FLOAT)))
    {
      cs_attention_free (self);
      return CS_ERR_NOMEM;
    }
  if (!share)
    {
      memcpy (self->x, x, n * d * sizeof (double));
      memcpy (self->y, y, n * sizeof (double));
    }
  for (size_t i = 0; i < n; i++)
    self->ymean += y[i] / (double) n;
  for (size_t i = 0; i < n; i++)
    {
      self->yc[i] = y[i] - self->ymean;
      if (self->ycf != NULL)
        self->ycf[i] = (float) self->yc[i];
    }
  /* Distances are translation invariant: centre the cases so that the
   * expanded form |k|^2 - 2 k.q + |q|^2 cancels as little as possible.
   * The mean adds the cases in order on one thread (its bits do not depend on the cores). */
  if (form == CS_SCORE_DISTANCE)
    {
      /* The workers split the columns, not the rows: each column still adds its cases in order. */
      MeanJob jobs[CS_MAX_THREADS];
      size_t nj = nt > 1 && n * d >= ROWS_PARALLEL_MIN ? (size_t) nt : 1, per;

      nj = nj < d ? nj : d;
      per = (d + nj - 1) / nj;
      for (size_t i0 = 0; i0 < n; i0 += NEW_BLOCK)
        {
          if (NEW_CANCELLED (0.3 * (double) i0 / (double) n))
            goto cancelled;
          for (size_t t = 0; t < nj; t++)
            jobs[t] = (MeanJob) { x, self->xmean, n, d, i0, i0 + NEW_BLOCK < n ? i0 + NEW_BLOCK : n,
                                  t * per < d ? t * per : d, (t + 1) * per < d ? (t + 1) * per : d };
          cs_parallel_run (nj, sizeof jobs[0], jobs, mean_cols);
        }
    }
  {
    NewRows rows = { self, x, { 0 } };

    /* every row on its own: on nt workers, the very numbers of one */
    if (rows_parallel (n, d + 2, nt, NEW_BLOCK, centre_rows, &rows, progress, user_data, 0.3, 0.7))
      goto cancelled;
    for (int t = 0; t < nt; t++)
      if (rows.bad[t])
        {
          cs_attention_free (self);
          return CS_ERR_NOT_FINITE;
        }
  }
#undef NEW_CANCELLED

  st = cs_metric_init_scalar (&m, d, 1.0);
  if (st == CS_OK)
    st = cs_attention_set_metric (self, &m);
  cs_metric_clear (&m);
  if (st != CS_OK)
    {
      cs_attention_free (self);
      return st;
    }
  *out = self;
  return CS_OK;

cancelled:
  cs_attention_free (self);
  return CS_ERR_CANCELLED;
}

void
cs_attention_free (CsAttention *self)
{
  if (self == NULL)
    return;
  if (!self->shared)
    {
      free (self->x);
      free (self->y);
    }
  free (self->yc);
  free (self->ycf);
  free (self->xmean);
  free (self->X2);
  free (self->X2f);
  cs_metric_clear (&self->metric);
  cs_prep_clear (&self->prep);
  free (self->levels);
  free (self->n_levels);
  free (self->level_off);
  free (self);
}

CsStatus
cs_attention_set_categories (CsAttention  *self,
                             size_t        n_cat,
                             const int    *levels,
                             const size_t *n_levels)
{
  int *lv = NULL;
  size_t *nl = NULL, *off = NULL, L = 0;
  CsPrep prep;
  CsStatus st;

  if (self == NULL || n_cat > 64 || (n_cat > 0 && (levels == NULL || n_levels == NULL)))
    return CS_ERR_INVALID;
  if (n_cat > 0)
    {
      for (size_t c = 0; c < n_cat; c++)
        {
          if (n_levels[c] == 0 || n_levels[c] > (size_t) INT32_MAX)
            return CS_ERR_INVALID;
          L += n_levels[c];
        }
      for (size_t i = 0; i < self->n * n_cat; i++)
        if (levels[i] < 0 || (size_t) levels[i] >= n_levels[i % n_cat])
          return CS_ERR_INVALID;
      lv = malloc (self->n * n_cat * sizeof (int));
      nl = malloc (n_cat * sizeof (size_t));
      off = malloc (n_cat * sizeof (size_t));
      if (lv == NULL || nl == NULL || off == NULL)
        {
          free (lv); free (nl); free (off);
          return CS_ERR_NOMEM;
        }
      memcpy (lv, levels, self->n * n_cat * sizeof (int));
      memcpy (nl, n_levels, n_cat * sizeof (size_t));
      for (size_t c = 0, o = 0; c < n_cat; o += nl[c], c++)
        off[c] = o;
    }
  free (self->levels);
  free (self->n_levels);
  free (self->level_off);
  self->n_cat = n_cat;
  self->levels = lv;
  self->n_levels = nl;
  self->level_off = off;
  self->L = L;
  st = cs_prep_build (self, &self->metric, 1, &prep);
  if (st != CS_OK)
    return st;
  cs_prep_clear (&self->prep);
  self->prep = prep;
  return CS_OK;
}

size_t cs_attention_get_n_cat (const CsAttention *self) { return self->n_cat; }
const int *cs_attention_get_levels (const CsAttention *self) { return self->levels; }

void
cs_query_levels (const CsAttention      *ctx,
                 const CsPredictOptions *o,
                 size_t                  q0,
                 size_t                  nq,
                 int                    *out)
{
  size_t nc = ctx->n_cat;

  if (nc == 0)
    return;
  for (size_t r = 0; r < nq; r++)
    {
      size_t si = o != NULL && o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE;
      for (size_t c = 0; c < nc; c++)
        out[r * nc + c] = o != NULL && o->levels != NULL ? o->levels[(q0 + r) * nc + c]
                          : si < ctx->n ? ctx->levels[si * nc + c] : -1;
    }
}

size_t cs_attention_get_n (const CsAttention *self) { return self->n; }
size_t cs_attention_get_d (const CsAttention *self) { return self->d; }
CsScoreForm cs_attention_get_form (const CsAttention *self) { return self->form; }
const double *cs_attention_get_x (const CsAttention *self) { return self->x; }
const double *cs_attention_get_y (const CsAttention *self) { return self->y; }
const CsMetric *cs_attention_get_metric (const CsAttention *self) { return &self->metric; }

CsStatus
cs_attention_set_metric (CsAttention    *self,
                         const CsMetric *metric)
{
  CsMetric copy;
  CsPrep prep;
  CsStatus st;

  if (self == NULL || metric == NULL)
    return CS_ERR_INVALID;
  st = cs_metric_validate (metric);
  if (st != CS_OK)
    return st;
  if (metric->d != self->d)
    return CS_ERR_INVALID;
  st = cs_metric_copy (&copy, metric);
  if (st != CS_OK)
    return st;
  st = cs_prep_build (self, &copy, 1, &prep);
  if (st != CS_OK)
    {
      cs_metric_clear (&copy);
      return st;
    }
  cs_metric_clear (&self->metric);
  cs_prep_clear (&self->prep);
  self->metric = copy;
  self->prep = prep;
  return CS_OK;
}

/* ---- Prediction --------------------------------------------------------- */

void
cs_attended_clear (CsAttended *a)
{
  if (a == NULL)
    return;
  free (a->index);
  free (a->weight);
  memset (a, 0, sizeof *a);
}

void
cs_predict_options_init (CsPredictOptions *options)
{
  memset (options, 0, sizeof *options);
  options->epsilon = 1e-6;
}

/* A min-heap of the k best scores of one query. */
typedef struct
{
  double s;
  double d2;
  size_t index;
} TopItem;

static void
heap_push (TopItem *h,
           size_t  *len,
           size_t   k,
           TopItem  it)
{
  size_t i;

  if (*len < k)
    {
      i = (*len)++;
      while (i > 0 && h[(i - 1) / 2].s > it.s)
        {
          h[i] = h[(i - 1) / 2];
          i = (i - 1) / 2;
        }
      h[i] = it;
      return;
    }
  if (it.s <= h[0].s)
    return;
  i = 0;
  for (;;)
    {
      size_t l = 2 * i + 1, r = l + 1, m = i;
      double ms = it.s;
      if (l < k && h[l].s < ms) { m = l; ms = h[l].s; }
      if (r < k && h[r].s < ms) { m = r; }
      if (m == i)
        break;
      h[i] = h[m];
      i = m;
    }
  h[i] = it;
}

/* The window's candidate masks (a bit per case) take a tile's cases in whole 64-bit words (predict_range). */
_Static_assert (CS_CB % 64 == 0, "a tile must start on a word of the candidate masks");

/* The window pass's double scores of cnt cases, rows idx[t] of K (or j0 + t when idx is NULL), into out: one
 * function for the full pass and the candidates' alike, each row's sum in the order j = 0 .. ra - 1 whichever
 * rows it comes with and without contraction, so that a case's weight is the same in both, bit for bit. Four
 * rows at a time: four independent chains of adds instead of one (a dot product of 6 to 22 terms is otherwise
 * bound by the add's latency). */
static __attribute__ ((noinline, optimize ("fp-contract=off"))) void
score_rows (const double *K,
            size_t        ra,
            const double *qa,
            const size_t *idx,
            size_t        j0,
            size_t        cnt,
            double       *out)
{
  size_t t = 0;

  for (; t + 4 <= cnt; t += 4)
    {
      const double *k0 = K + (idx != NULL ? idx[t] : j0 + t) * ra;
      const double *k1 = K + (idx != NULL ? idx[t + 1] : j0 + t + 1) * ra;
      const double *k2 = K + (idx != NULL ? idx[t + 2] : j0 + t + 2) * ra;
      const double *k3 = K + (idx != NULL ? idx[t + 3] : j0 + t + 3) * ra;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (size_t j = 0; j < ra; j++)
        {
          s0 += k0[j] * qa[j];
          s1 += k1[j] * qa[j];
          s2 += k2[j] * qa[j];
          s3 += k3[j] * qa[j];
        }
      out[t] = s0; out[t + 1] = s1; out[t + 2] = s2; out[t + 3] = s3;
    }
  for (; t < cnt; t++)
    {
      const double *k0 = K + (idx != NULL ? idx[t] : j0 + t) * ra;
      double s0 = 0;
      for (size_t j = 0; j < ra; j++)
        s0 += k0[j] * qa[j];
      out[t] = s0;
    }
}

/* The cases of the lowest set bit of a block mask of cs_kernel_predict_f: [block_begin, block_end). */
static inline size_t
block_begin (uint64_t bits)
{
  return (size_t) __builtin_ctzll (bits) * CS_KERNEL_ABOVE_BLOCK;
}

static inline size_t
block_end (uint64_t bits,
           size_t   c)
{
  size_t b = (size_t) __builtin_ctzll (bits), e = (b + 1) * CS_KERNEL_ABOVE_BLOCK;
  return b == 63 || e > c ? c : e;
}

/* Whether one of the 16 scores at s is > t: branch-free, so that it vectorises (a test and a branch per
 * case mispredicts on the few that enter). */
static inline int
any_above16 (const float *s,
             float        t)
{
  int any = 0;
  for (int l = 0; l < 16; l++)
    any |= s[l] > t;
  return any;
}

static int
top_cmp (const void *a,
         const void *b)
{
  const TopItem *x = a, *y = b;
  if (x->s != y->s)
    return x->s > y->s ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Weighted quantile by quickselect: the smallest v with cumulative weight
 * >= frac * total. Reorders a. O(n) expected. The values and weights travel
 * as pairs, and the partition below the pivot is branch-free (the comparison
 * against a random pivot is a coin flip the branch predictor loses half the
 * time); the pass for values equal to the pivot branches, but ties are rare.
 * The 1 + d quantiles of the window were a quarter of a flagged batch. */
double
cs_weighted_quantile (CsVW   *a,
                      size_t  n,
                      double  frac)
{
  size_t lo = 0, hi = n;
  double total = 0, target;
  uint64_t seed = 0x9e3779b97f4a7c15ULL;

  if (n == 0)
    return NAN;
  for (size_t i = 0; i < n; i++)
    total += a[i].w;
  target = frac * total;
  while (hi - lo > 1)
    {
      size_t i = lo, e;
      double pv, wl = 0, we = 0;

      seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
      pv = a[lo + (size_t) (seed % (hi - lo))].v;
      /* [lo, i) < pv, [i, j) not: every element is swapped to i, and i moves on when it was below */
      for (size_t j = lo; j < hi; j++)
        {
          CsVW x = a[j];
          size_t below = x.v < pv;
          a[j] = a[i];
          a[i] = x;
          wl += below ? x.w : 0.0;
          i += below;
        }
      e = i;
      for (size_t j = i; j < hi; j++)
        if (a[j].v == pv)
          {
            CsVW x = a[j];
            a[j] = a[e];
            a[e] = x;
            we += x.w;
            e++;
          }
      if (target <= wl && i > lo)
        hi = i;
      else if (target <= wl + we || e == hi)
        return pv;
      else
        {
          target -= wl + we;
          lo = e;
        }
    }
  return a[lo].v;
}

typedef struct
{
  double m;
  CsKernelSums s;
  double best_s;          /* scalar-distance nearest: highest score */
  double best_d2;
  size_t best_i;
  size_t top_len;
} RowState;

/* A chunk raised the row's running maximum score to mc: rescale the sums kept
 * relative to the old maximum. */
static inline void
row_state_raise_max (RowState *rs,
                     double    lambda,
                     double    mc)
{
  double a = exp (lambda * (rs->m - mc));
  rs->s.z *= a; rs->s.zy *= a; rs->s.zyy *= a; rs->s.zd *= a; rs->s.zz *= a * a;
  rs->m = mc;
}

static inline void
row_state_set_best (RowState *rs,
                    double    s,
                    double    d2,
                    size_t    i)
{
  rs->best_s = s;
  rs->best_d2 = d2;
  rs->best_i = i;
}

static int
report_progress (const CsPredictOptions *o,
                 double                  f)
{
  return o->progress != NULL && o->progress (f, o->user_data) != 0;
}

/* The largest feature-major block of |x - q| the window pass keeps per thread (see window_pass). */
#define CS_WINDOW_DT_BYTES ((size_t) 64 * 1024 * 1024)

/* Pass 2 for one query, with pass 1's maximum m and normaliser z: explicit
 * weights (the optional weight output and the exact-sum check see all n), then
 * the truncation at o->epsilon and, on the kept cases only, the attended set,
 * radius90 and the half-widths. Distances are taken for the kept cases alone
 * (O(m d)), so what grows with n is one score and one exp per case (per candidate, below). gw and gi
 * hold n entries; gv (value and weight pairs) is needed with CS_PREDICT_WINDOW only.
 *
 * With cand (a bit per case: the candidates the first pass marked, see cand_threshold) the double work is done
 * on the candidates only: every case outside carries less than epsilon / (2 n) of the weight, so
 * cs_weights_keep would drop it anyway, and together they carry less than epsilon / 2. What changes against
 * the full pass: weight_sum and the exact-sum check are sums over the candidates (weight_sum is 1 less the
 * left-out share, which the exact-sum check misses too). The double path (m and z from its first pass, over
 * all n) gives the candidates the full pass's weights bit for bit and counts the left-out share, 1 - wsum, in
 * weight_dropped, so the kept cases are the full pass's up to the rounding of that share. The float path
 * takes its maximum and normaliser from the candidates (its float sums are not accurate to epsilon / 2), so
 * its weights are the full pass's times z / z_cand, 1 <= z / z_cand < 1 + epsilon / 2, and the left-out share
 * is bounded (< epsilon / 2), not counted in weight_dropped. cidx (n entries) holds the candidates' indices. */
static CsStatus
window_pass (const CsAttention      *self,
             const CsPrep           *p,
             const double           *qx,
             size_t                  self_i,
             double                  m,
             double                  z,
             const CsPredictOptions *o,
             size_t                  qi,
             CsPrediction           *out,
             double                 *sbuf,
             double                 *ebuf,
             CsVW                   *gv,
             double                 *gw,
             size_t                 *gi,
             double                **dt,
             size_t                 *dt_cap,
             double                 *sall,
             const uint64_t         *cand,
             size_t                 *cidx,
             CsAttended             *att)
{
  size_t n = self->n, d = self->d, ra = p->ra, nk = 0;
  int from_cand;
  double qa[ra], qe[d + 2];
  double wsum = 0, wy = 0, dropped = 0;
  int quantiles = (o->flags & CS_PREDICT_WINDOW) != 0;
  int lq[self->n_cat + 1];

  cs_query_levels (self, o, qi, 1, lq);
  cs_prep_queries (self, p, qx, 1, lq, qa, qe);
  from_cand = cand != NULL && sall != NULL && gw != NULL;
  if (from_cand)
    {
      /* The candidates only: their double scores (compacted into sall, their indices into cidx), exps and
       * weights. The float path's query takes its exact maximum from them (the best case is always marked:
       * its score tops every threshold) and its normaliser too; the double path has both from its first
       * pass. */
      size_t nw = (n + 63) / 64, nc = 0;
      int own = isnan (m);
      double rest = 0;

      for (size_t wi = 0; wi < nw; wi++)
        for (uint64_t bits = cand[wi]; bits != 0; bits &= bits - 1)
          {
            size_t j = wi * 64 + (size_t) __builtin_ctzll (bits);
            if (j != self_i)
              cidx[nc++] = j;
          }
      score_rows (p->K, ra, qa, cidx, 0, nc, sall);
      if (own)
        {
          m = cs_kernel_max_d (sall, nc);
          if (!(m > -INFINITY) || !isfinite (m))
            return CS_ERR_INVALID;   /* the caller takes the double pass instead */
        }
      for (size_t j = 0; j < nc; j++)
        {
          double t = sall[j] - m;   /* <= 0 up to GEMV-vs-GEMM rounding */
          sall[j] = p->lambda * (t < 0 ? t : 0);
        }
      cs_kernel_exp_d (sall, sall, nc);
      if (own)
        {
          z = 0;
          for (size_t j = 0; j < nc; j++)
            z += sall[j];
        }
      for (size_t j = 0; j < nc; j++)
        {
          double w = sall[j] / z;
          wsum += w;
          wy += w * self->y[cidx[j]];
          gw[j] = w;
        }
      /* CS_PREDICT_WEIGHTS_CANDIDATES: the candidates' weights, 0 for every other case */
      if (o->weights != NULL)
        {
          double *ow = o->weights + qi * n;
          memset (ow, 0, n * sizeof (double));
          for (size_t j = 0; j < nc; j++)
            ow[cidx[j]] = gw[j];
        }
      /* The double path's weights are normalised over all n: the share left out is 1 - wsum (one rounding
       * of a sum of nc terms), and it counts as dropped. The float path's normaliser is over the candidates
       * (its float sums are not accurate to epsilon / 2): its share is bounded, not counted. */
      if (!own)
        rest = 1.0 - wsum > 0 ? 1.0 - wsum : 0;
      out->weight_sum = wsum;
      out->decomposition_error = fabs (out->prediction - wy);
      /* positions into the candidates, increasing, so both compactions below read ahead of what they write */
      nk = cs_weights_keep_rest (gw, nc, rest, o->epsilon, gi, &dropped);
      for (size_t k = 0; k < nk; k++)
        {
          gw[k] = gw[gi[k]];
          gi[k] = cidx[gi[k]];
        }
    }
  else
  for (size_t c0 = 0; c0 < n; c0 += CS_CB)
    {
      size_t c = n - c0 < CS_CB ? n - c0 : CS_CB;
      /* case by case, as the candidates' pass above: the same weights */
      score_rows (p->K, ra, qa, NULL, c0, c, sbuf);
      if (self_i >= c0 && self_i < c0 + c)
        sbuf[self_i - c0] = -INFINITY;
      for (size_t j = 0; j < c; j++)
        {
          double t = sbuf[j] - m;   /* <= 0 up to GEMV-vs-GEMM rounding */
          sbuf[j] = p->lambda * (t < 0 ? t : 0);
        }
      cs_kernel_exp_d (sbuf, ebuf, c);
      for (size_t j = 0; j < c; j++)
        {
          double w = ebuf[j] / z;
          if (o->weights != NULL)
            o->weights[qi * n + c0 + j] = w;
          wsum += w;
          wy += w * self->y[c0 + j];
          if (gw != NULL)
            gw[c0 + j] = w;
        }
    }
  if (!from_cand)
    {
      out->weight_sum = wsum;
      out->decomposition_error = fabs (out->prediction - wy);
      if (gw == NULL)
        return CS_OK;

      /* gi is increasing, so compacting the kept weights in place never overwrites
       * one still to be read */
      nk = cs_weights_keep (gw, n, o->epsilon, gi, &dropped);
      for (size_t k = 0; k < nk; k++)
        gw[k] = gw[gi[k]];
    }
  out->n_kept = nk;
  out->weight_dropped = dropped;
  if (att != NULL)
    {
      att->index = malloc ((nk > 0 ? nk : 1) * sizeof (size_t));
      att->weight = malloc ((nk > 0 ? nk : 1) * sizeof (double));
      if (att->index == NULL || att->weight == NULL)
        {
          cs_attended_clear (att);
          return CS_ERR_NOMEM;
        }
      memcpy (att->index, gi, nk * sizeof (size_t));
      memcpy (att->weight, gw, nk * sizeof (double));
      att->m = nk;
      att->dropped = dropped;
    }
  if (!quantiles)
    return CS_OK;
  /* The kept rows are read once: their distances, and the per-feature |x_ij - q_j| stored feature-major in
   * *dt (grown on demand, up to CS_WINDOW_DT_BYTES) for the half-widths' quantiles. Reading column j of the
   * kept rows for each feature instead was d more gathers over the kept cases, the larger part of the window
   * pass's own time. Over the cap (a wide window on a huge base) the columns are gathered one by one. */
  if (o->half_width != NULL && nk * d > *dt_cap && nk * d * sizeof (double) <= CS_WINDOW_DT_BYTES)
    {
      double *t = realloc (*dt, nk * d * sizeof (double));
      if (t != NULL)
        {
          *dt = t;
          *dt_cap = nk * d;
        }
    }
  {
    double *T = o->half_width != NULL && nk * d <= *dt_cap ? *dt : NULL;

    for (size_t k = 0; k < nk; k++)
      {
        const double *xi = self->x + gi[k] * d;
        double s2 = 0;
        for (size_t j = 0; j < d; j++)
          {
            double t = xi[j] - qx[j];
            s2 += t * t;
            if (T != NULL)
              T[j * nk + k] = fabs (t);
          }
        gv[k] = (CsVW) { sqrt (s2), gw[k] };
      }
    /* the quantile reorders its pairs: copies (gv), so gw and gi stay aligned */
    out->radius90 = nk > 0 ? cs_weighted_quantile (gv, nk, 0.9) : NAN;
    if (o->half_width != NULL)
      for (size_t j = 0; j < d; j++)
        {
          if (T != NULL)
            for (size_t k = 0; k < nk; k++)
              gv[k] = (CsVW) { T[j * nk + k], gw[k] };
          else
            for (size_t k = 0; k < nk; k++)
              gv[k] = (CsVW) { fabs (self->x[gi[k] * d + j] - qx[j]), gw[k] };
          o->half_width[qi * d + j] = nk > 0 ? cs_weighted_quantile (gv, nk, 0.9) : NAN;
        }
  }
  return CS_OK;
}

/* The float path's candidate threshold for the window pass (window_pass's cand). cs_weights_keep drops whole
 * buckets of r = w / total (bucket b: r in [2^-(b+1), 2^-b)) from the lightest while the dropped sum stays
 * <= epsilon x total. A case with r < epsilon / (2 n) lies in a bucket whose cases all have r < epsilon / n, and
 * so do all lighter buckets: together they weigh under n x epsilon / n, so the greedy drops every one of them
 * (the heaviest bucket always stays, but it holds the best case, r >= 1 / n > epsilon / (2 n) for
 * epsilon < 1). With m the exact (double) maximum score, r_i <= exp (lambda (s_i - m)), so a case with
 * lambda (s_i - m) < -L, L = ln (2 n / epsilon), is never kept. A float score differs from the double one by at
 * most delta = (ra + 2) u sum_j |q_j| max_i |k_ij| (u = 2^-24: both factors rounded to float, then ra - 1
 * additions in any order, or fused; the double score's own error is 2^29 times smaller), so the float maximum
 * is within delta of m, and the running maximum mr, which only rises, is at most m + delta: a case that may be
 * kept has a float score >= m - L / lambda - delta >= mr - L / lambda - 2 delta. The threshold takes twice that
 * delta and one more nat, as a margin for anything the bound misses, and is rounded down to a float. */
static inline float
cand_threshold (double mr,
                double lambda,
                double L,
                double delta)
{
  double t = mr - (L + 1.0) / lambda - 4.0 * delta;
  float f;

  if (!(t > -FLT_MAX))
    return -INFINITY;   /* no maximum yet: every block with a finite score */
  f = (float) t;
  if ((double) f > t)
    f = nextafterf (f, -INFINITY);
  return f;
}

/* The queries of one block of predict_range (one GEMM against each tile of cases): CS_QB, and for fewer than
 * 2 CS_QB queries, half of them (rounded up to 8), so that two workers share a batch of the per-case charts'
 * size (250 to 1,000 queries), which one worker took whole. A function of q alone: the blocks, and so every
 * result, are the same whatever the number of threads (the threads take whole blocks). */
static size_t
query_block (size_t q)
{
  if (q >= 2 * CS_QB)
    return CS_QB;
  if (q < 16)
    return q > 0 ? q : 1;
  return ((q + 1) / 2 + 7) / 8 * 8;
}

static CsStatus
predict_range (const CsAttention      *self,
               const CsPrep           *p,
               const double           *queries,
               size_t                  q,
               size_t                  qb,
               const CsPredictOptions *options,
               CsPrediction           *out,
               double                 *row_max,
               double                 *row_z)
{
  CsPredictOptions defaults;
  const CsPredictOptions *o = options;
  size_t n = self->n, d = self->d, ra = p->ra, k;
  int use_float, need_d2, window, fused, no_dist;
  double *Qa = NULL, *Qe = NULL, *S = NULL, *D2 = NULL, *ebuf = NULL;
  float *Qaf = NULL, *Qef = NULL, *Sf = NULL, *D2f = NULL, *ebuff = NULL;
  double *gw = NULL, *we = NULL, *ws = NULL, *dt = NULL, *sall = NULL;
  int *lvb = NULL;
  size_t dt_cap = 0;
  CsVW *gv = NULL;
  size_t *gi = NULL;
  /* the window's candidates (cand_threshold): per query of the block, a bit per case */
  int cand = 0;
  uint64_t *cmask = NULL;
  size_t *cidx = NULL, cwords = (n + 63) / 64;
  double cand_l = 0, cdelta[CS_QB];
  RowState *st = NULL;
  TopItem *heaps = NULL;
  /* bin_weights: each block row's largest score per bin (double), and the bins' exps */
  size_t nbins = 0;
  double *bmax = NULL, *bexp = NULL;
  CsStatus status = CS_OK;

  if (o == NULL)
    {
      cs_predict_options_init (&defaults);
      o = &defaults;
    }
  if (o->attended != NULL)
    memset (o->attended, 0, q * sizeof (CsAttended));
  if (queries == NULL || out == NULL || (o->top_k > 0 && o->top == NULL) || !(o->epsilon >= 0))
    return CS_ERR_INVALID;
  if (q == 0)
    return CS_OK;
  if (!cs_is_finite_array (queries, q * d))
    return CS_ERR_NOT_FINITE;

  if (o->bin_weights != NULL)
    {
      if (o->weight_bin == NULL || o->n_weight_bins == 0 || (o->flags & CS_PREDICT_FLOAT) != 0)
        return CS_ERR_INVALID;
      nbins = o->n_weight_bins;
      for (size_t j = 0; j < n; j++)
        if (o->weight_bin[j] >= nbins)
          return CS_ERR_INVALID;
    }
  k = o->top_k < n ? o->top_k : n;
  use_float = (o->flags & CS_PREDICT_FLOAT) != 0 && p->Kf != NULL;
  /* distances of their own (a second GEMM) unless the score gives them (scalar metric) or none are asked for */
  no_dist = (o->flags & CS_PREDICT_NO_DISTANCE) != 0;
  need_d2 = p->d2_scale == 0.0 && !no_dist;
  window = (o->flags & CS_PREDICT_WINDOW) != 0 || o->weights != NULL || o->attended != NULL;
  /* Float, distance from the score: the fused kernel (scores, exp and sums per tile, in L1) where it
   * beats sgemm + softmax (cs_kernel_fused_pays); it leaves the scores in Sf for nearest and top-k. */
  fused = use_float && p->d2_scale != 0.0 && cs_kernel_fused_pays (ra, qb);

  Qa = malloc (qb * ra * sizeof (double));
  Qe = malloc (qb * (d + 2) * sizeof (double));
  lvb = malloc (qb * (self->n_cat + 1) * sizeof (int));
  st = calloc (qb, sizeof (RowState));
  heaps = malloc ((k > 0 ? k : 1) * qb * sizeof (TopItem));
  if (use_float)
    {
      Qaf = malloc (qb * ra * sizeof (float));
      Qef = malloc (qb * (d + 2) * sizeof (float));
      Sf = malloc ((size_t) qb * CS_CB * sizeof (float));
      D2f = need_d2 ? malloc ((size_t) qb * CS_CB * sizeof (float)) : NULL;
      ebuff = malloc (CS_CB * sizeof (float));
      if (Qaf == NULL || Qef == NULL || Sf == NULL || (need_d2 && D2f == NULL) || ebuff == NULL)
        status = CS_ERR_NOMEM;
    }
  else
    {
      S = malloc ((size_t) qb * CS_CB * sizeof (double));
      D2 = need_d2 ? malloc ((size_t) qb * CS_CB * sizeof (double)) : NULL;
      ebuf = malloc (CS_CB * sizeof (double));
      if (S == NULL || (need_d2 && D2 == NULL) || ebuf == NULL)
        status = CS_ERR_NOMEM;
    }
  if (window)
    {
      /* n-sized scratch only for the truncation and the quantiles: a weights-only call needs none */
      int quantiles = (o->flags & CS_PREDICT_WINDOW) != 0, keep = quantiles || o->attended != NULL;
      gw = keep ? malloc (n * sizeof (double)) : NULL;
      gi = keep ? malloc (n * sizeof (size_t)) : NULL;
      gv = quantiles ? malloc (n * sizeof (CsVW)) : NULL;
      we = malloc (CS_CB * sizeof (double));
      ws = malloc (CS_CB * sizeof (double));
      /* The window's double work on candidates only (cand_threshold), marked from each tile's scores in the
       * first pass. Not with the weights output (every case's weight is asked for), nor epsilon = 0 (dense,
       * exact), nor epsilon >= 1 (cand_threshold's bound needs the best case above epsilon / (2 n)), nor on the
       * float path without the fused kernel (sgemm, or distances from their own GEMM: the present pass). A
       * mask is n / 8 bytes a query of the block. Without the memory, the full pass as before. */
      cand = (fused || !use_float) && keep && (o->weights == NULL || (o->flags & CS_PREDICT_WEIGHTS_CANDIDATES))
             && o->epsilon > 0 && o->epsilon < 1;
      sall = cand ? malloc (n * sizeof (double)) : NULL;
      if ((keep && (gw == NULL || gi == NULL)) || (quantiles && gv == NULL)
          || we == NULL || ws == NULL)
        status = CS_ERR_NOMEM;
      if (sall == NULL || status != CS_OK)
        cand = 0;
      if (cand)
        {
          cmask = malloc (qb * cwords * sizeof (uint64_t));
          cidx = malloc (n * sizeof (size_t));
          if (cmask == NULL || cidx == NULL || p->kabs == NULL)
            cand = 0;
          else
            cand_l = log (2.0 * (double) n / o->epsilon);
        }
    }
  if (nbins > 0)
    {
      bmax = malloc (qb * nbins * sizeof (double));
      bexp = malloc (nbins * sizeof (double));
      if (bmax == NULL || bexp == NULL)
        status = CS_ERR_NOMEM;
    }
  if (Qa == NULL || Qe == NULL || lvb == NULL || st == NULL || heaps == NULL)
    status = CS_ERR_NOMEM;

  for (size_t q0 = 0; status == CS_OK && q0 < q; q0 += qb)
    {
      size_t nq = q - q0 < qb ? q - q0 : qb;

      if (report_progress (o, (double) q0 / (double) q))
        {
          status = CS_ERR_CANCELLED;
          break;
        }
      cs_query_levels (self, o, q0, nq, lvb);
      cs_prep_queries (self, p, queries + q0 * d, nq, lvb, Qa, Qe);
      if (use_float)
        {
          for (size_t i = 0; i < nq * ra; i++)
            Qaf[i] = (float) Qa[i];
          for (size_t i = 0; i < nq * (d + 2); i++)
            Qef[i] = (float) Qe[i];
        }
      for (size_t r = 0; r < nq; r++)
        {
          st[r].m = -INFINITY;
          memset (&st[r].s, 0, sizeof st[r].s);
          st[r].best_s = -INFINITY;
          st[r].best_d2 = INFINITY;
          st[r].best_i = CS_NO_CASE;
          st[r].top_len = 0;
        }
      if (nbins > 0)
        for (size_t i = 0; i < nq * nbins; i++)
          bmax[i] = -INFINITY;
      if (cand)
        {
          memset (cmask, 0, nq * cwords * sizeof (uint64_t));
          for (size_t r = 0; r < nq; r++)
            {
              double a = 0;
              for (size_t j = 0; j < ra; j++)
                a += fabs (Qa[r * ra + j]) * p->kabs[j];
              cdelta[r] = (double) (ra + 2) * ldexp (a, -24);
            }
        }

      for (size_t c0 = 0; c0 < n; c0 += CS_CB)
        {
          size_t c = n - c0 < CS_CB ? n - c0 : CS_CB;

          /* A block of queries against a large base is a second or more: look at Cancel within it too (every
           * 64 case tiles, about 32,000 cases), as the fit does. */
          if (c0 > 0 && (c0 / CS_CB) % 64 == 0
              && report_progress (o, ((double) q0 + (double) nq * (double) c0 / (double) n) / (double) q))
            {
              status = CS_ERR_CANCELLED;
              break;
            }
          float tmax[CS_QB];   /* the fused kernel's row maxima of this tile */
          float thr[CS_QB];    /* and the thresholds of its blocks' bits: */
          uint64_t above[CS_QB];

          if (fused)
            {
              size_t sk[CS_QB];
              for (size_t r = 0; r < nq; r++)
                {
                  size_t si = o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE;
                  const TopItem *h = heaps + r * (k > 0 ? k : 1);
                  sk[r] = si >= c0 && si < c0 + c ? si - c0 : c;
                  /* Only a score above the full heap's minimum enters the top k (heap_push's strict >), and only
                   * one above the best so far is a new nearest case; the heap's minimum is at most the best.
                   * Both are float scores stored as doubles: the cast is exact. */
                  thr[r] = k == 0 ? (float) st[r].best_s : st[r].top_len < k ? -INFINITY : (float) h[0].s;
                }
              cs_kernel_predict_f (Qaf, nq, ra, p->Kf + c0 * ra, self->ycf + c0, c, sk, (float) p->d2_scale,
                                   p->lambda, &st[0].m, &st[0].s, sizeof (RowState), Sf, tmax, thr, above);
            }
          else if (use_float)
            {
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) ra,
                           1.0f, Qaf, (int) ra, p->Kf + c0 * ra, (int) ra, 0.0f, Sf, (int) c);
              if (need_d2)
                cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) (d + 2),
                             1.0f, Qef, (int) (d + 2), self->X2f + c0 * (d + 2), (int) (d + 2),
                             0.0f, D2f, (int) c);
            }
          else
            {
              cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) ra,
                           1.0, Qa, (int) ra, p->K + c0 * ra, (int) ra, 0.0, S, (int) c);
              if (need_d2)
                cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) (d + 2),
                             1.0, Qe, (int) (d + 2), self->X2 + c0 * (d + 2), (int) (d + 2),
                             0.0, D2, (int) c);
            }

          for (size_t r = 0; r < nq; r++)
            {
              RowState *rs = &st[r];
              size_t si = o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE;
              double mc, md = INFINITY;
              TopItem *h = heaps + r * (k > 0 ? k : 1);

              if (use_float)
                {
                  float *sr = Sf + r * c, *dr = need_d2 ? D2f + r * c : NULL;
                  if (si >= c0 && si < c0 + c)
                    {
                      sr[si - c0] = -INFINITY;
                      if (dr != NULL)
                        dr[si - c0] = INFINITY;
                    }
                  mc = fused ? tmax[r] : cs_kernel_max_f (sr, c);
                  if (mc == -INFINITY)
                    continue;
                  if (mc > rs->m)
                    row_state_raise_max (rs, p->lambda, mc);
                  if (cand)
                    {
                      /* the window's candidates, from the running maximum (this tile's included) */
                      float t = cand_threshold (rs->m, p->lambda, cand_l, cdelta[r]);
                      if (mc > t)
                        cs_kernel_mark_above_f (sr, c, t, cmask + r * cwords + c0 / 64);
                    }
                  /* A chunk whose best case is below exp's underflow contributes exact zeros. */
                  if (!fused && p->lambda * (mc - rs->m) >= -104.0)
                    cs_kernel_softmax_f (sr, dr, (float) p->d2_scale, self->ycf + c0, c, (float) rs->m,
                                         (float) fmin (p->lambda, FLT_MAX), &rs->s, ebuff);
                  if (fused)
                    {
                      /* The blocks of cases above the threshold the kernel tested (thr above): a block left
                       * out holds no score above the heap's minimum or the best at the tile's start, which only
                       * rise, so the scans below see the same scores in the same order as a full scan. */
                      if (mc > rs->best_s)
                        for (uint64_t bits = above[r]; bits != 0; bits &= bits - 1)
                          {
                            size_t j = block_begin (bits), je = block_end (bits, c), hit = je;
                            for (; j < je; j++)
                              if (sr[j] == (float) mc)
                                {
                                  hit = j;
                                  break;
                                }
                            if (hit < je)
                              {
                                row_state_set_best (rs, mc, p->d2_scale * mc, c0 + hit);
                                break;
                              }
                          }
                      if (k > 0 && (rs->top_len < k || mc > h[0].s))
                        {
                          /* sr[j] > t is the full scan's test (finite, and above a full heap's minimum) with
                           * the threshold in a register: one compare a case */
                          float t = rs->top_len < k ? -INFINITY : (float) h[0].s;
                          for (uint64_t bits = above[r]; bits != 0; bits &= bits - 1)
                            for (size_t j0 = block_begin (bits), je = block_end (bits, c); j0 < je; j0 += 16)
                              {
                                size_t j1 = je - j0 < 16 ? je : j0 + 16;
                                /* most pieces of a marked block hold no case above t */
                                if (j1 - j0 == 16 && !any_above16 (sr + j0, t))
                                  continue;
                                for (size_t j = j0; j < j1; j++)
                                  if (sr[j] > t)
                                    {
                                      TopItem it = { sr[j], p->d2_scale * sr[j], c0 + j };
                                      heap_push (h, &rs->top_len, k, it);
                                      t = rs->top_len < k ? -INFINITY : (float) h[0].s;
                                    }
                              }
                        }
                      continue;
                    }
                  if (dr != NULL)
                    md = cs_kernel_min_f (dr, c);
                  if (dr == NULL ? mc > rs->best_s : md < rs->best_d2)
                    for (size_t j = 0; j < c; j++)
                      if (dr == NULL ? sr[j] == (float) mc : dr[j] == (float) md)
                        {
                          row_state_set_best (rs, mc, dr == NULL ? p->d2_scale * mc : md, c0 + j);
                          break;
                        }
                  if (k > 0 && (rs->top_len < k || mc > h[0].s))
                    /* groups of 64 whose (vectorised) max cannot enter the heap are skipped */
                    for (size_t g0 = 0; g0 < c; g0 += 64)
                      {
                        size_t ge = c - g0 < 64 ? c - g0 : 64;
                        if (rs->top_len >= k && cs_kernel_max_f (sr + g0, ge) <= h[0].s)
                          continue;
                        for (size_t j = g0; j < g0 + ge; j++)
                          if (sr[j] > -INFINITY && (rs->top_len < k || sr[j] > h[0].s))
                            {
                              TopItem it = { sr[j], dr != NULL ? dr[j] : p->d2_scale * sr[j], c0 + j };
                              heap_push (h, &rs->top_len, k, it);
                            }
                      }
                }
              else
                {
                  double *sr = S + r * c, *dr = need_d2 ? D2 + r * c : NULL;
                  if (si >= c0 && si < c0 + c)
                    {
                      sr[si - c0] = -INFINITY;
                      if (dr != NULL)
                        dr[si - c0] = INFINITY;
                    }
                  mc = cs_kernel_max_d (sr, c);
                  if (mc == -INFINITY)
                    continue;
                  if (mc > rs->m)
                    row_state_raise_max (rs, p->lambda, mc);
                  if (p->lambda * (mc - rs->m) >= -746.0)
                    cs_kernel_softmax_d (sr, dr, p->d2_scale, self->yc + c0, c, rs->m, p->lambda, &rs->s, ebuf);
                  if (cand)
                    {
                      /* The window's candidates: cand_threshold's bound from the running maximum (this tile's
                       * included), in double. The window pass's scores differ from this GEMM's by at most twice
                       * (ra + 2) 2^-53 sum_j |q_j| max_i |k_ij|, which is cdelta (the float bound) x 2^-28. */
                      double t = rs->m - (cand_l + 1.0) / p->lambda - ldexp (cdelta[r], -28);
                      if (mc > t)
                        cs_kernel_mark_above_d (sr, c, t, cmask + r * cwords + c0 / 64);
                    }
                  if (dr != NULL)
                    md = cs_kernel_min_d (dr, c);
                  if (dr == NULL ? mc > rs->best_s : md < rs->best_d2)
                    for (size_t j = 0; j < c; j++)
                      if (dr == NULL ? sr[j] == mc : dr[j] == md)
                        {
                          row_state_set_best (rs, mc, dr == NULL ? p->d2_scale * mc : md, c0 + j);
                          break;
                        }
                  if (k > 0 && (rs->top_len < k || mc > h[0].s))
                    /* groups of 64 whose (vectorised) max cannot enter the heap are skipped */
                    for (size_t g0 = 0; g0 < c; g0 += 64)
                      {
                        size_t ge = c - g0 < 64 ? c - g0 : 64;
                        if (rs->top_len >= k && cs_kernel_max_d (sr + g0, ge) <= h[0].s)
                          continue;
                        for (size_t j = g0; j < g0 + ge; j++)
                          if (sr[j] > -INFINITY && (rs->top_len < k || sr[j] > h[0].s))
                            {
                              TopItem it = { sr[j], dr != NULL ? dr[j] : p->d2_scale * sr[j], c0 + j };
                              heap_push (h, &rs->top_len, k, it);
                            }
                      }
                }
            }
          if (nbins > 0 && !use_float)
            {
              /* Each bin's largest score, 8 cases (a cache line of a score row) at a time down the block's
               * rows: bmax is bin-major (a bin's nq rows side by side), so the 8 cases update 8 runs of nq
               * doubles in step. Row by row, the 512 cases of a tile fell into bins all over the row's nbins
               * (a row's bins, 16 KB at 2,048 bins, times the block's rows left the caches), and case by
               * case the column of scores (rows 4 KB apart) thrashed one set of L1: most of the matrix's
               * time went to the misses either way. The self case holds -inf by now (the rows' pass above),
               * so it never raises its bin. */
              const uint32_t *bn = o->weight_bin + c0;
              for (size_t j0 = 0; j0 < c; j0 += 8)
                {
                  size_t w = c - j0 < 8 ? c - j0 : 8;
                  double *bm[8];
                  for (size_t t = 0; t < w; t++)
                    bm[t] = bmax + (size_t) bn[j0 + t] * nq;
                  for (size_t r = 0; r < nq; r++)
                    {
                      const double *sr = S + r * c + j0;
                      for (size_t t = 0; t < w; t++)
                        bm[t][r] = sr[t] > bm[t][r] ? sr[t] : bm[t][r];
                    }
                }
            }
        }
      if (status != CS_OK)
        break;

      /* Finish the rows of this block. */
      for (size_t r = 0; r < nq; r++)
        {
          RowState *rs = &st[r];
          CsPrediction *pr = &out[q0 + r];
          double z = rs->s.z;
          TopItem *h = heaps + r * (k > 0 ? k : 1);

          memset (pr, 0, sizeof *pr);
          pr->radius90 = NAN;
          pr->decomposition_error = NAN;
          pr->weight_dropped = NAN;
          pr->nearest_index = no_dist ? CS_NO_CASE : rs->best_i;
          pr->nearest_distance = no_dist ? NAN : rs->best_i == CS_NO_CASE ? INFINITY
                                 : sqrt (rs->best_d2 > 0 ? rs->best_d2 : 0);
          if (row_max != NULL)
            row_max[q0 + r] = rs->m;
          if (row_z != NULL)
            row_z[q0 + r] = z;
          if (!(z > 0))
            {
              pr->prediction = NAN;
              pr->std_error = NAN;
              pr->local_sd = NAN;
              pr->mean_distance = NAN;
              pr->n_eff = 0;
              for (size_t t = 0; t < k; t++)
                o->top[(q0 + r) * o->top_k + t] = (CsTopCase) { CS_NO_CASE, 0.0, NAN };
              for (size_t t = k; t < o->top_k; t++)
                o->top[(q0 + r) * o->top_k + t] = (CsTopCase) { CS_NO_CASE, 0.0, NAN };
              if (o->weights != NULL)
                for (size_t j = 0; j < n; j++)
                  o->weights[(q0 + r) * n + j] = 0.0;
              if (nbins > 0)
                memset (o->bin_weights + (q0 + r) * nbins, 0, nbins * sizeof (float));
              if (o->half_width != NULL)
                for (size_t j = 0; j < d; j++)
                  o->half_width[(q0 + r) * d + j] = NAN;
              continue;
            }
          {
            double mu = rs->s.zy / z, var = rs->s.zyy / z - mu * mu, sw2 = rs->s.zz / (z * z);
            double sigma;
            pr->prediction = self->ymean + mu;
            pr->local_sd = sqrt (var > 0 ? var : 0);
            pr->n_eff = 1.0 / sw2;
            sigma = o->noise_sd > 0 ? o->noise_sd : pr->local_sd;
            pr->std_error = sigma * sqrt (sw2);
            pr->mean_distance = no_dist ? NAN : rs->s.zd / z;
            pr->max_weight = 1.0 / z;   /* the max-score case has e = 1 */
            pr->weight_sum = z / z;
          }
          if (nbins > 0)
            {
              /* as the window pass weighs a case: exp (lambda min (s - m, 0)) / z (an empty bin's -inf gives 0) */
              float *bw = o->bin_weights + (q0 + r) * nbins;
              for (size_t b = 0; b < nbins; b++)
                {
                  double t = bmax[b * nq + r] - rs->m;
                  bexp[b] = p->lambda * (t < 0 ? t : 0);
                }
              cs_kernel_exp_d (bexp, bexp, nbins);
              for (size_t b = 0; b < nbins; b++)
                bw[b] = (float) (bexp[b] / z);
            }
          if (k > 0)
            {
              qsort (h, rs->top_len, sizeof (TopItem), top_cmp);
              for (size_t t = 0; t < o->top_k; t++)
                {
                  CsTopCase *tc = &o->top[(q0 + r) * o->top_k + t];
                  if (t < rs->top_len)
                    {
                      tc->index = h[t].index;
                      tc->weight = exp (p->lambda * (h[t].s - rs->m)) / z;
                      tc->distance = no_dist ? NAN : sqrt (h[t].d2 > 0 ? h[t].d2 : 0);
                    }
                  else
                    *tc = (CsTopCase) { CS_NO_CASE, 0.0, NAN };
                }
            }
          if (window)
            {
              /* The float path's max and sums are re-derived in double. */
              double m2 = rs->m, z2 = z;
              status = CS_ERR_INVALID;
              if (use_float && cand)
                status = window_pass (self, p, queries + (q0 + r) * d,
                                      o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE,
                                      NAN, NAN, o, q0 + r, pr, ws, we, gv, gw, gi, &dt, &dt_cap, sall,
                                      cand ? cmask + r * cwords : NULL, cidx,
                                      o->attended != NULL ? &o->attended[q0 + r] : NULL);
              if (status == CS_OK)
                continue;
              if (status != CS_ERR_INVALID)
                break;
              status = CS_OK;
              if (use_float)
                {
                  CsPredictOptions o2 = *o;
                  CsPrediction tmp;
                  size_t si = o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE;
                  double mm, zz;
                  o2.flags = 0; o2.top_k = 0; o2.top = NULL; o2.weights = NULL; o2.half_width = NULL;
                  o2.attended = NULL;
                  o2.self_index = o->self_index != NULL ? &si : NULL;
                  o2.levels = o->levels != NULL ? o->levels + (q0 + r) * self->n_cat : NULL;
                  o2.progress = NULL;
                  o2.n_threads = 1;
                  status = predict_range (self, p, queries + (q0 + r) * d, 1, 1, &o2, &tmp, &mm, &zz);
                  if (status != CS_OK)
                    break;
                  m2 = mm; z2 = zz;
                }
              status = window_pass (self, p, queries + (q0 + r) * d,
                                    o->self_index != NULL ? o->self_index[q0 + r] : CS_NO_CASE,
                                    m2, z2, o, q0 + r, pr, ws, we, gv, gw, gi, &dt, &dt_cap,
                                    cand && !use_float ? sall : NULL, cand && !use_float ? cmask + r * cwords : NULL,
                                    cidx, o->attended != NULL ? &o->attended[q0 + r] : NULL);
              if (status != CS_OK)
                break;
            }
        }
    }
  if (status == CS_OK && report_progress (o, 1.0))
    status = CS_ERR_CANCELLED;

  free (Qa); free (Qe); free (lvb); free (S); free (D2); free (ebuf);
  free (Qaf); free (Qef); free (Sf); free (D2f); free (ebuff);
  free (gv); free (gw); free (gi); free (we); free (ws); free (dt); free (sall);
  free (st); free (heaps); free (cmask); free (cidx); free (bmax); free (bexp);
  return status;
}

/* ---- Threads: contiguous ranges of queries, one per worker ---------------- */

typedef struct
{
  const CsAttention *self;
  const CsPrep *p;
  const double *queries;
  size_t q0, q, qb;
  CsPredictOptions o;
  CsPrediction *out;
  double *row_max, *row_z;
  atomic_int *cancel;
  const CsPredictOptions *user;   /* the caller's options (progress), worker 0 only */
  size_t total;
  CsStatus status;
} PredictJob;

static int
job_progress (double  fraction,
              void   *user_data)
{
  PredictJob *j = user_data;
  if (j->user != NULL && j->user->progress != NULL)
    {
      /* worker 0 runs on the calling thread: report its share as the whole */
      if (j->user->progress (fraction, j->user->user_data) != 0)
        atomic_store (j->cancel, 1);
    }
  return atomic_load (j->cancel);
}

static void *
job_run (void *data)
{
  PredictJob *j = data;
  j->status = predict_range (j->self, j->p, j->queries + j->q0 * j->self->d, j->q, j->qb, &j->o, j->out + j->q0,
                             j->row_max != NULL ? j->row_max + j->q0 : NULL,
                             j->row_z != NULL ? j->row_z + j->q0 : NULL);
  if (j->status != CS_OK)
    atomic_store (j->cancel, 1);   /* stop the others early */
  return NULL;
}

CsStatus
cs_attention_predict_prep (const CsAttention      *self,
                           const CsPrep           *p,
                           const double           *queries,
                           size_t                  q,
                           const CsPredictOptions *options,
                           CsPrediction           *out,
                           double                 *row_max,
                           double                 *row_z)
{
  PredictJob jobs[CS_MAX_THREADS];
  atomic_int cancel;
  CsStatus st = CS_OK;
  size_t per, qb = query_block (q);
  /* whole blocks per worker */
  size_t nt = cs_parallel_split (q, options != NULL ? options->n_threads : 1, qb, &per);

  if (nt <= 1 || out == NULL || queries == NULL)
    return predict_range (self, p, queries, q, qb, options, out, row_max, row_z);
  if (!cs_is_finite_array (queries, q * self->d))
    return CS_ERR_NOT_FINITE;
  if (options->top_k > 0 && options->top == NULL)
    return CS_ERR_INVALID;
  if (options->attended != NULL)
    memset (options->attended, 0, q * sizeof (CsAttended));   /* every worker zeroes its own part too */
  if (!(options->epsilon >= 0))
    return CS_ERR_INVALID;

  atomic_init (&cancel, 0);
  for (size_t t = 0; t < nt; t++)
    {
      PredictJob *j = &jobs[t];
      size_t a = t * per, b = a + per < q ? a + per : q;
      j->self = self;
      j->p = p;
      j->queries = queries;
      j->q0 = a < q ? a : q;
      j->q = b > j->q0 ? b - j->q0 : 0;
      j->qb = qb;
      j->o = *options;
      j->o.n_threads = 1;
      j->o.progress = job_progress;
      j->o.user_data = j;
      if (j->o.top != NULL)
        j->o.top = options->top + j->q0 * options->top_k;
      if (j->o.weights != NULL)
        j->o.weights = options->weights + j->q0 * self->n;
      if (j->o.half_width != NULL)
        j->o.half_width = options->half_width + j->q0 * self->d;
      if (j->o.bin_weights != NULL)
        j->o.bin_weights = options->bin_weights + j->q0 * options->n_weight_bins;
      if (j->o.self_index != NULL)
        j->o.self_index = options->self_index + j->q0;
      if (j->o.levels != NULL)
        j->o.levels = options->levels + j->q0 * self->n_cat;
      if (j->o.attended != NULL)
        j->o.attended = options->attended + j->q0;
      j->out = out;
      j->row_max = row_max;
      j->row_z = row_z;
      j->cancel = &cancel;
      j->user = t == 0 ? options : NULL;
      j->total = q;
      j->status = CS_OK;
    }
  /* workers that cannot start run here, after worker 0 */
  cs_parallel_run (nt, sizeof jobs[0], jobs, job_run);
  for (size_t t = 0; t < nt; t++)
    if (jobs[t].status != CS_OK && jobs[t].status != CS_ERR_CANCELLED)
      return jobs[t].status;
  for (size_t t = 0; t < nt; t++)
    if (jobs[t].status == CS_ERR_CANCELLED)
      st = CS_ERR_CANCELLED;
  return st;
}

CsStatus
cs_attention_predict (const CsAttention      *self,
                      const double           *queries,
                      size_t                  q,
                      const CsPredictOptions *options,
                      CsPrediction           *out)
{
  if (self == NULL)
    return CS_ERR_INVALID;
  return cs_attention_predict_prep (self, &self->prep, queries, q, options, out, NULL, NULL);
}

CsStatus
cs_attention_predict_loo (const CsAttention      *self,
                          const CsPredictOptions *options,
                          CsPrediction           *out)
{
  CsPredictOptions o;
  size_t *idx;
  CsStatus st;

  if (self == NULL || out == NULL)
    return CS_ERR_INVALID;
  if (options != NULL)
    o = *options;
  else
    cs_predict_options_init (&o);
  idx = malloc (self->n * sizeof (size_t));
  if (idx == NULL)
    return CS_ERR_NOMEM;
  for (size_t i = 0; i < self->n; i++)
    idx[i] = i;
  o.self_index = idx;
  st = cs_attention_predict_prep (self, &self->prep, self->x, self->n, &o, out, NULL, NULL);
  free (idx);
  return st;
}
