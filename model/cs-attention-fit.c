/* cs-attention-fit.c: leave-one-out fitting of M (Newton for the scalar, L-BFGS otherwise) and the linear baseline. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention-private.h"
#include "cs-kernel.h"
#include "cs-numeric.h"
#include "cs-parallel.h"

void
cs_fit_options_init (CsFitOptions *options)
{
  memset (options, 0, sizeof *options);
}

typedef struct
{
  const CsAttention *ctx;
  const CsFitOptions *o;
  int sweeps;          /* streamed passes over the pairs */
  int planned;         /* for the progress fraction */
  /* The cases whose leave-one-out residuals make the loss: all n (rows NULL,
   * xq = ctx->x, x2q = ctx->X2), or m evenly spaced ones (options->max_queries),
   * gathered into xq (m * d) and x2q (m * (d + 2)). Each still sees all n - 1 others. */
  size_t m;
  size_t *rows;
  const double *xq;
  const double *x2q;
  unsigned char cat_off[64];  /* category penalties held at 0 (dropped by select_categories) */
} FitRun;

/* Case index of the k-th loss query. */
static inline size_t
fit_row (const FitRun *run,
         size_t        k)
{
  return run->rows != NULL ? run->rows[k] : k;
}

static int
fit_cancelled (FitRun *run,
               double  within)
{
  double f;

  if (run->o == NULL || run->o->progress == NULL)
    return 0;
  f = ((double) run->sweeps + within) / (double) (run->planned > run->sweeps ? run->planned : run->sweeps + 1);
  return run->o->progress (f < 1 ? f : 1, run->o->user_data) != 0;
}

/* Workers for n rows: the caller's n_threads, in whole blocks of CS_QB rows
 * (cs_parallel_split); worker t has rows [t per, min ((t + 1) per, n)). */
static size_t
fit_threads (const FitRun *run,
             size_t        n,
             size_t       *per)
{
  return cs_parallel_split (n, run->o != NULL ? run->o->n_threads : 1, CS_QB, per);
}

/* ---- Scalar: sweeps over G = -|x_i - x_j|^2 / 2 (or x_i . x_j) ------------ */

/* G tile for cases q0.. (nq rows) against cases c0.. (c columns). */
static void
g_tile (const CsAttention *ctx,
        const CsPrep      *p1,
        const double      *Qa,
        size_t             nq,
        size_t             c0,
        size_t             c,
        double            *G)
{
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) p1->ra,
               1.0, Qa, (int) p1->ra, p1->K + c0 * p1->ra, (int) p1->ra, 0.0, G, (int) c);
  (void) ctx;
}

/* The two scalar sweeps run over ranges of query rows; with n_threads > 1
 * the ranges go to worker threads (the user's progress callback is only
 * called from the calling thread; the others poll a shared cancel flag). */
typedef struct
{
  FitRun *run;
  const CsPrep *p1;
  double *gmax;          /* gmax sweep: output; value sweep: input */
  const double *w;       /* value sweep: scales */
  size_t nw;
  size_t r0, r1;         /* rows */
  double *L, *L1, *L2;   /* value sweep: nw partial sums each */
  int is_main;
  int do_gmax;
  int single;            /* value sweep in single precision (coarse grid) */
  atomic_int *cancel;
  CsStatus status;
} SweepJob;

static int
sweep_cancelled (SweepJob *j,
                 size_t    q0)
{
  if (j->is_main && fit_cancelled (j->run, (double) (q0 - j->r0) / (double) (j->r1 - j->r0 + 1)))
    atomic_store (j->cancel, 1);
  return atomic_load (j->cancel);
}

static void *
sweep_run (void *data)
{
  SweepJob *j = data;
  const CsAttention *ctx = j->run->ctx;
  const CsPrep *p1 = j->p1;
  size_t n = ctx->n, nw = j->nw;
  double *Qa = malloc (CS_QB * p1->ra * sizeof (double));
  double *G = malloc ((size_t) CS_QB * CS_CB * sizeof (double));
  double *sums = j->do_gmax ? NULL : malloc ((size_t) CS_QB * 6 * nw * sizeof (double));
  float *uf = j->single ? malloc (CS_CB * sizeof (float)) : NULL;
  float *yf = j->single ? malloc (n * sizeof (float)) : NULL;

  j->status = CS_OK;
  if (Qa == NULL || G == NULL || (!j->do_gmax && sums == NULL) || (j->single && (uf == NULL || yf == NULL)))
    j->status = CS_ERR_NOMEM;
  if (j->status == CS_OK && j->single)
    for (size_t i = 0; i < n; i++)
      yf[i] = (float) ctx->yc[i];
  for (size_t q0 = j->r0; j->status == CS_OK && q0 < j->r1; q0 += CS_QB)
    {
      size_t nq = j->r1 - q0 < CS_QB ? j->r1 - q0 : CS_QB;
      if (sweep_cancelled (j, q0))
        {
          j->status = CS_ERR_CANCELLED;
          break;
        }
      cs_prep_queries (ctx, p1, j->run->xq + q0 * ctx->d, nq, NULL, Qa, NULL);   /* p1 has no categories */
      if (j->do_gmax)
        for (size_t r = 0; r < nq; r++)
          j->gmax[q0 + r] = -INFINITY;
      else
        memset (sums, 0, nq * 6 * nw * sizeof (double));
      for (size_t c0 = 0; c0 < n; c0 += CS_CB)
        {
          size_t c = n - c0 < CS_CB ? n - c0 : CS_CB;
          /* A block of queries against a large base is seconds of work: look at Cancel within it too (every
           * 64 case tiles, about 32,000 cases: a few milliseconds at 20 features). */
          if (c0 > 0 && (c0 / CS_CB) % 64 == 0 && sweep_cancelled (j, q0 + (size_t) ((double) nq * (double) c0 / (double) n)))
            {
              j->status = CS_ERR_CANCELLED;
              break;
            }
          g_tile (ctx, p1, Qa, nq, c0, c, G);
          for (size_t r = 0; r < nq; r++)
            {
              double *gr = G + r * c;
              size_t i = fit_row (j->run, q0 + r);
              if (j->do_gmax)
                {
                  double mc;
                  if (i >= c0 && i < c0 + c)
                    gr[i - c0] = -INFINITY;
                  mc = cs_kernel_max_d (gr, c);
                  if (mc > j->gmax[q0 + r])
                    j->gmax[q0 + r] = mc;
                }
              else
                {
                  double gm = j->gmax[q0 + r];
                  for (size_t k = 0; k < c; k++)
                    {
                      double u = gr[k] - gm;
                      gr[k] = u < 0 ? u : 0;   /* rounding can put a tie a hair above 0 */
                    }
                  if (i >= c0 && i < c0 + c)
                    gr[i - c0] = -INFINITY;
                  if (j->single)
                    {
                      for (size_t k = 0; k < c; k++)
                        uf[k] = (float) fmax (gr[k], -1e30);
                      if (i >= c0 && i < c0 + c)
                        uf[i - c0] = -INFINITY;
                      cs_kernel_fit_scalar_f (uf, yf + c0, c, j->w, nw, sums + r * 6 * nw);
                    }
                  else
                    cs_kernel_fit_scalar (gr, ctx->yc + c0, c, j->w, nw, sums + r * 6 * nw);
                }
            }
        }
      if (j->status != CS_OK)
        break;
      if (!j->do_gmax)
        for (size_t r = 0; r < nq; r++)
          for (size_t k = 0; k < nw; k++)
            {
              const double *a = sums + r * 6 * nw + 6 * k;
              double z = a[0], yh, es, esy, ess, essy, da, db, res;
              if (!(z > 0))
                continue;
              yh = a[1] / z; es = a[2] / z; esy = a[3] / z; ess = a[4] / z; essy = a[5] / z;
              da = esy - yh * es;
              db = essy - yh * ess + da * (1.0 - 2.0 * es);
              res = yh - ctx->yc[fit_row (j->run, q0 + r)];
              j->L[k] += res * res;
              j->L1[k] += 2.0 * res * da;
              j->L2[k] += 2.0 * (da * da + res * db);
            }
    }
  if (j->status != CS_OK)
    atomic_store (j->cancel, 1);
  free (Qa);
  free (G);
  free (sums);
  free (uf);
  free (yf);
  return NULL;
}

/* One sweep over the loss rows, split over the threads. */
static CsStatus
sweep (FitRun       *run,
       const CsPrep *p1,
       double       *gmax,
       int           do_gmax,
       int           single,
       const double *w,
       size_t        nw,
       double       *L,
       double       *L1,
       double       *L2)
{
  size_t n = run->m;
  size_t per;
  size_t nt = fit_threads (run, n, &per);
  SweepJob jobs[CS_MAX_THREADS];
  double *part;
  atomic_int cancel;
  CsStatus st = CS_OK;

  part = calloc (nt * 3 * (nw > 0 ? nw : 1), sizeof (double));
  if (part == NULL)
    return CS_ERR_NOMEM;
  atomic_init (&cancel, 0);
  for (size_t t = 0; t < nt; t++)
    {
      SweepJob *j = &jobs[t];
      j->run = run;
      j->p1 = p1;
      j->gmax = gmax;
      j->w = w;
      j->nw = nw;
      j->r0 = t * per < n ? t * per : n;
      j->r1 = (t + 1) * per < n ? (t + 1) * per : n;
      j->L = part + t * 3 * nw;
      j->L1 = j->L + nw;
      j->L2 = j->L1 + nw;
      j->is_main = t == 0;
      j->do_gmax = do_gmax;
      j->single = single;
      j->cancel = &cancel;
      j->status = CS_OK;
    }
  cs_parallel_run (nt, sizeof jobs[0], jobs, sweep_run);
  for (size_t t = 0; t < nt; t++)
    if (jobs[t].status != CS_OK && (st == CS_OK || st == CS_ERR_CANCELLED))
      st = jobs[t].status;
  for (size_t t = 0; t < nt; t++)
    if (jobs[t].status != CS_OK && jobs[t].status != CS_ERR_CANCELLED)
      st = jobs[t].status;
  run->sweeps++;
  if (st == CS_OK && !do_gmax)
    for (size_t k = 0; k < nw; k++)
      {
        double a = 0, b1 = 0, b2 = 0;
        for (size_t t = 0; t < nt; t++)
          {
            a += jobs[t].L[k];
            b1 += jobs[t].L1[k];
            b2 += jobs[t].L2[k];
          }
        L[k] = a / (double) n;
        if (L1 != NULL)
          L1[k] = b1 / (double) n;
        if (L2 != NULL)
          L2[k] = b2 / (double) n;
      }
  free (part);
  return st;
}

/* Row maxima of G without the diagonal (one sweep, no exp). */
static CsStatus
scalar_gmax (FitRun       *run,
             const CsPrep *p1,
             double       *gmax)
{
  return sweep (run, p1, gmax, 1, 0, NULL, 0, NULL, NULL, NULL);
}

/* LOO mse and its first two derivatives in t = log w, for nw scales at once. */
static CsStatus
scalar_sweep (FitRun       *run,
              const CsPrep *p1,
              const double *gmax,
              const double *w,
              size_t        nw,
              double       *mse,
              double       *d1,
              double       *d2)
{
  return sweep (run, p1, (double *) gmax, 0, 0, w, nw, mse, d1, d2);
}

/* The coarse grid in single precision: it only picks Newton's start. */
static CsStatus
scalar_sweep_coarse (FitRun       *run,
                     const CsPrep *p1,
                     const double *gmax,
                     const double *w,
                     size_t        nw,
                     double       *mse,
                     double       *d1,
                     double       *d2)
{
  return sweep (run, p1, (double *) gmax, 0, 1, w, nw, mse, d1, d2);
}

static CsStatus
fit_scalar (FitRun         *run,
            const CsMetric *start,
            CsMetric       *result,
            CsFitReport    *rep)
{
  const CsAttention *ctx = run->ctx;
  size_t n = run->m;
  CsMetric one;
  CsPrep p1;
  double *gmax;
  double w0, t, L, g1, g2;
  int max_iter = run->o->max_iter > 0 ? run->o->max_iter : 30;
  double tol = run->o->tol > 0 ? run->o->tol : 1e-9;
  CsStatus st;
  const double spread = 8.0;
  double grid[7], gL[7], gd1[7], gd2[7];
  size_t best = 0;

  st = cs_metric_init_scalar (&one, ctx->d, 1.0);
  if (st != CS_OK)
    return st;
  st = cs_prep_build (ctx, &one, 0, &p1);
  cs_metric_clear (&one);
  if (st != CS_OK)
    return st;
  gmax = malloc (n * sizeof (double));
  if (gmax == NULL)
    {
      cs_prep_clear (&p1);
      return CS_ERR_NOMEM;
    }
  run->planned = 10;
  st = scalar_gmax (run, &p1, gmax);
  if (st != CS_OK)
    goto out;

  /* Data-driven start: w = 1 / median nearest-neighbour squared distance. */
  if (start != NULL && start->kind == CS_METRIC_SCALAR)
    w0 = start->scale;
  else if (ctx->form == CS_SCORE_DISTANCE)
    {
      double *dn = malloc (n * sizeof (double));
      size_t m = 0;
      if (dn == NULL)
        {
          st = CS_ERR_NOMEM;
          goto out;
        }
      for (size_t i = 0; i < n; i++)
        if (-2.0 * gmax[i] > 1e-300)
          dn[m++] = -2.0 * gmax[i];
      if (m > 0)
        {
          qsort (dn, m, sizeof (double), cs_cmp_double);
          w0 = 1.0 / dn[m / 2];
        }
      else
        w0 = 1.0;
      free (dn);
    }
  else
    w0 = 1.0;
  if (!(w0 > 0) || !isfinite (w0))
    w0 = 1.0;

  /* One sweep evaluates a coarse log grid (factor 8) around the start. */
  for (int k = 0; k < 7; k++)
    grid[k] = w0 * pow (spread, k - 3);
  st = scalar_sweep_coarse (run, &p1, gmax, grid, 7, gL, gd1, gd2);
  if (st != CS_OK)
    goto out;
  for (size_t k = 1; k < 7; k++)
    if (gL[k] < gL[best])
      best = k;
  t = log (grid[best]);
  /* Newton starts from the best grid point, evaluated again in double. */
  st = scalar_sweep (run, &p1, gmax, &grid[best], 1, &L, &g1, &g2);
  if (st != CS_OK)
    goto out;
  rep->start_loo_mse = L;

  /* Safeguarded Newton on t = log w inside the grid bracket. */
  {
    double lo = best > 0 ? log (grid[best - 1]) : t - 8.0;
    double hi = best < 6 ? log (grid[best + 1]) : t + 8.0;
    rep->converged = 0;
    for (int it = 0; it < max_iter; it++)
      {
        double step, tn, wn, Ln, g1n, g2n;
        int accepted = 0;

        if (g1 == 0.0)
          {
            rep->converged = 1;
            break;
          }
        step = g2 > 0 ? -g1 / g2 : (g1 > 0 ? -0.5 : 0.5);
        if (step > 1.0) step = 1.0;
        if (step < -1.0) step = -1.0;
        for (int half = 0; half < 6; half++)
          {
            tn = t + step;
            if (tn < lo) tn = 0.5 * (t + lo);
            if (tn > hi) tn = 0.5 * (t + hi);
            wn = exp (tn);
            run->planned = run->sweeps + 2;
            st = scalar_sweep (run, &p1, gmax, &wn, 1, &Ln, &g1n, &g2n);
            if (st != CS_OK)
              goto out;
            if (Ln <= L)
              {
                double dt = fabs (tn - t), dL = L - Ln;
                /* Tighten the bracket with the sign of the slope. */
                if (g1n > 0) hi = tn; else lo = tn;
                t = tn; L = Ln; g1 = g1n; g2 = g2n;
                accepted = 1;
                rep->iterations = it + 1;
                if (dt < 1e-7 || dL <= tol * L)
                  rep->converged = 1;
                break;
              }
            if (tn > t) hi = tn; else lo = tn;
            step *= 0.5;
          }
        if (!accepted || rep->converged)
          {
            rep->converged = 1;
            break;
          }
      }
  }
  rep->loo_mse = L;
  st = cs_metric_init_scalar (result, ctx->d, exp (t));

out:
  free (gmax);
  cs_prep_clear (&p1);
  return st;
}

/* ---- Diagonal and full: L-BFGS on the LOO loss with a streamed gradient ---- */

/* The largest penalty fitted: a hard match for any distance the scores can span (a penalty of 50 is not one
 * in 8 dimensions, where the distance term of a window's cases spans that much: measured, the leave-one-out
 * error there was 15 % higher at 50 than at 10^7); beyond it the loss is flat, and the one-hot keys
 * (sqrt (lambda_c / lambda)) would start to cost the distances their digits in the shared GEMM (at 10^6 / w
 * about 1e-10 of a score). */
#define CS_FIT_CATEGORY_MAX 1e6

/* The largest change of one log weight of a diagonal metric in one L-BFGS iteration: a factor e, so a weight
 * crosses the scale of the cases' spacing in a few iterations, each checked by the line search, instead of
 * jumping past it (see fit_lbfgs). Fixed before measuring, not tuned. */
#define CS_FIT_LOG_STEP_MAX 1.0

/* The L-BFGS fit stops when its last CS_FIT_SE_ITERATIONS iterations together lowered the loss by less than
 * CS_FIT_SE_FRACTION of the loss's own standard error (sd / sqrt (m) of its m per-case squared errors). The
 * loss is an estimate of the error on new cases with that standard error; a fit whose gains, at the rate of the
 * last five iterations, would take ten more iterations to add up to one standard error is refining the
 * loss cases' noise, not the window (the spirit of early stopping, Prechelt 1998, and of the one-standard-error
 * rule of Breiman et al. 1984). Measured before the rule (10^5 x 20, 1,000 loss cases): the last 28 of 60
 * iterations gained 0.7 % of the loss together, about 0.17 standard errors, while the weights without effect
 * walked towards 0 a factor e at a time. Five iterations, not one, so that a plateau of a few slow iterations
 * before a weight reaches its scale (there: 1.5 standard errors, 3 times the threshold, over the five
 * iterations before x2's weight took off) does not stop the fit. Fixed before measuring, not tuned. */
#define CS_FIT_SE_ITERATIONS 5
#define CS_FIT_SE_FRACTION 0.5

/* The largest change of a log lambda_c in one L-BFGS step (see fit_lbfgs) */
#define CS_FIT_CATEGORY_STEP 1.0

/* The smallest relative gain the quasi-Newton model must promise for the category fit to go on */
#define CS_FIT_CATEGORY_TOL 1e-5

typedef struct
{
  FitRun *run;
  CsMetricKind kind;
  size_t r;            /* rank for full */
  size_t nm;           /* parameters of M: 1 (log w), d (log diag) or r d (A) */
  size_t nc;           /* category penalties fitted after them (log lambda_c), 0 when not fitted */
  const double *cat_fixed; /* ctx->n_cat penalties held fixed when nc is 0, or NULL */
  double se;           /* set by loss_grad: the standard error of the loss it returned (see fit_lbfgs) */
} GradCtx;

static CsStatus
theta_to_metric (const GradCtx *g,
                 const double  *theta,
                 CsMetric      *m)
{
  size_t d = g->run->ctx->d;
  CsStatus st;
  if (g->kind == CS_METRIC_SCALAR)
    st = cs_metric_init_scalar (m, d, exp (theta[0] > 300 ? 300 : theta[0]));
  else if (g->kind == CS_METRIC_DIAGONAL)
    {
      double dg[d];
      for (size_t j = 0; j < d; j++)
        dg[j] = exp (theta[j] > 300 ? 300 : theta[j]);
      st = cs_metric_init_diagonal (m, d, dg);
    }
  else
    st = cs_metric_init_full (m, d, g->r, theta);
  if (st == CS_OK && (g->nc > 0 || g->cat_fixed != NULL))
    {
      size_t nc = g->run->ctx->n_cat;
      double lc[nc + 1];
      for (size_t c = 0; c < nc; c++)
        lc[c] = g->nc == 0 ? g->cat_fixed[c] : g->run->cat_off[c] ? 0.0
                : exp (fmin (theta[g->nm + c], log (CS_FIT_CATEGORY_MAX)));
      st = cs_metric_set_categories (m, nc, lc);
      if (st != CS_OK)
        cs_metric_clear (m);
    }
  return st;
}

/* Pass 2 of the gradient over a range of query rows: column sums of C and
 * H = sum_B X_B^T (C_B X) (see loss_grad). */
typedef struct
{
  GradCtx *g;
  const CsPrep *p;
  const CsPrediction *pred;
  const double *rmax, *rz, *res;
  size_t r0, r1;
  int is_main;
  atomic_int *cancel;
  double *colsum;        /* n (worker 0: the caller's) */
  double *H;             /* d * d */
  double gcat[64];       /* per category column: sum of C_ij over the pairs whose levels differ */
  CsStatus status;
} GradJob;

static void *
grad_run (void *data)
{
  GradJob *j = data;
  const CsAttention *ctx = j->g->run->ctx;
  const CsPrep *p = j->p;
  size_t n = ctx->n, d = ctx->d, dd = d + 2;
  double *T = malloc (CS_QB * d * sizeof (double));
  double *Qa = malloc (CS_QB * p->ra * sizeof (double));
  double *S = malloc ((size_t) CS_QB * CS_CB * sizeof (double));
  size_t nc = p->L > 0 ? ctx->n_cat : 0, L = p->L, r2 = p->r + 2;
  int *lv = malloc (CS_QB * (ctx->n_cat + 1) * sizeof (int));
  /* Category gradient: per query row, the sum of C over its row (rs) and over the cases of each level (TL =
   * C times the keys' one-hot block, which holds cat_w[c] at a case's level: one GEMM instead of a branch per
   * pair and column). The mismatched sum is the row's sum less its own level's. */
  double *TL = malloc ((CS_QB * L + 1) * sizeof (double)), *rs = malloc (CS_QB * sizeof (double));

  j->status = CS_OK;
  memset (j->gcat, 0, sizeof j->gcat);
  if (lv == NULL || TL == NULL || rs == NULL)
    j->status = CS_ERR_NOMEM;
  if (j->colsum == NULL)
    j->colsum = calloc (n, sizeof (double));
  if (j->H == NULL)
    j->H = calloc (d * d, sizeof (double));
  if (T == NULL || Qa == NULL || S == NULL || j->colsum == NULL || j->H == NULL)
    j->status = CS_ERR_NOMEM;
  for (size_t q0 = j->r0; j->status == CS_OK && q0 < j->r1; q0 += CS_QB)
    {
      size_t nq = j->r1 - q0 < CS_QB ? j->r1 - q0 : CS_QB;
      if (j->is_main && fit_cancelled (j->g->run, 0.5 + 0.5 * (double) (q0 - j->r0) / (double) (j->r1 - j->r0)))
        atomic_store (j->cancel, 1);
      if (atomic_load (j->cancel))
        {
          j->status = CS_ERR_CANCELLED;
          break;
        }
      for (size_t r = 0; r < nq; r++)
        for (size_t c = 0; c < nc; c++)
          lv[r * nc + c] = ctx->levels[fit_row (j->g->run, q0 + r) * nc + c];
      cs_prep_queries (ctx, p, j->g->run->xq + q0 * d, nq, lv, Qa, NULL);
      memset (T, 0, nq * d * sizeof (double));
      if (nc > 0)
        {
          memset (TL, 0, nq * L * sizeof (double));
          memset (rs, 0, nq * sizeof (double));
        }
      for (size_t c0 = 0; c0 < n; c0 += CS_CB)
        {
          size_t c = n - c0 < CS_CB ? n - c0 : CS_CB;
          /* Cancel within a block of queries too (every 64 case tiles), as in the scalar sweeps. */
          if (c0 > 0 && (c0 / CS_CB) % 64 == 0)
            {
              if (j->is_main && fit_cancelled (j->g->run, 0.5 + 0.5 * ((double) (q0 - j->r0) + (double) nq * (double) c0 / (double) n)
                                                          / (double) (j->r1 - j->r0)))
                atomic_store (j->cancel, 1);
              if (atomic_load (j->cancel))
                {
                  j->status = CS_ERR_CANCELLED;
                  break;
                }
            }
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) nq, (int) c, (int) p->ra,
                       1.0, Qa, (int) p->ra, p->K + c0 * p->ra, (int) p->ra, 0.0, S, (int) c);
          for (size_t r = 0; r < nq; r++)
            {
              size_t k0 = q0 + r, i = fit_row (j->g->run, k0);
              double *sr = S + r * c, yh = j->pred[k0].prediction - ctx->ymean;
              double scale = j->rz[k0] > 0 ? j->res[k0] / j->rz[k0] : 0;
              for (size_t k = 0; k < c; k++)
                sr[k] = p->lambda * fmin (sr[k] - j->rmax[k0], 0.0);
              if (i >= c0 && i < c0 + c)
                sr[i - c0] = -INFINITY;
              cs_kernel_exp_d (sr, sr, c);
              for (size_t k = 0; k < c; k++)
                {
                  double cij = scale * sr[k] * (ctx->yc[c0 + k] - yh);
                  sr[k] = cij;
                  j->colsum[c0 + k] += cij;
                  if (nc > 0)
                    rs[r] += cij;
                }
            }
          /* T += C X_c (centred x: the first d columns of X2) */
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) nq, (int) d, (int) c,
                       1.0, S, (int) c, ctx->X2 + c0 * dd, (int) dd, 1.0, T, (int) d);
          if (nc > 0)
            cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) nq, (int) L, (int) c,
                         1.0, S, (int) c, p->K + c0 * p->ra + r2, (int) p->ra, 1.0, TL, (int) L);
        }
      if (j->status != CS_OK)
        break;
      for (size_t r = 0; r < nq; r++)
        for (size_t cc = 0; cc < nc; cc++)
          if (p->cat_w[cc] > 1e-150)   /* a penalty this small has no gradient worth the division */
            j->gcat[cc] += rs[r] - TL[r * L + ctx->level_off[cc] + (size_t) lv[r * nc + cc]] / p->cat_w[cc];
      /* H += X_B^T T_B */
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) d, (int) d, (int) nq,
                   1.0, j->g->run->x2q + q0 * dd, (int) dd, T, (int) d, 1.0, j->H, (int) d);
    }
  if (j->status != CS_OK)
    atomic_store (j->cancel, 1);
  free (T);
  free (Qa);
  free (S);
  free (lv);
  free (TL);
  free (rs);
  return NULL;
}

/* LOO mse and gradient w.r.t. theta (log diag, or A). Two sweeps. */
static CsStatus
loss_grad (GradCtx      *g,
           const double *theta,
           double       *f,
           double       *grad)
{
  const CsAttention *ctx = g->run->ctx;
  size_t n = ctx->n, nq = g->run->m, d = ctx->d, dd = d + 2;
  CsMetric m;
  CsPrep p;
  CsPredictOptions o;
  CsPrediction *pred = NULL;
  size_t *idx = NULL;
  double *rmax = NULL, *rz = NULL, *res = NULL, *colsum = NULL, *H = NULL;
  double *GM = NULL;
  double L = 0, L2 = 0, gcat[64];
  CsStatus st;

  st = theta_to_metric (g, theta, &m);
  if (st != CS_OK)
    return st;
  st = cs_prep_build (ctx, &m, 0, &p);
  if (st != CS_OK)
    {
      cs_metric_clear (&m);
      return st;
    }
  pred = malloc (nq * sizeof (CsPrediction));
  idx = malloc (nq * sizeof (size_t));
  rmax = malloc (nq * sizeof (double));
  rz = malloc (nq * sizeof (double));
  res = malloc (nq * sizeof (double));
  colsum = calloc (n, sizeof (double));
  H = calloc (d * d, sizeof (double));
  GM = calloc (d * d, sizeof (double));
  if (!pred || !idx || !rmax || !rz || !res || !colsum || !H || !GM)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  for (size_t k = 0; k < nq; k++)
    idx[k] = fit_row (g->run, k);
  cs_predict_options_init (&o);
  o.self_index = idx;
  o.n_threads = g->run->o != NULL ? g->run->o->n_threads : 1;
  if (fit_cancelled (g->run, 0))
    {
      st = CS_ERR_CANCELLED;
      goto out;
    }
  st = cs_attention_predict_prep (ctx, &p, g->run->xq, nq, &o, pred, rmax, rz);
  g->run->sweeps++;
  if (st != CS_OK)
    goto out;
  for (size_t k = 0; k < nq; k++)
    {
      res[k] = pred[k].prediction - ctx->y[idx[k]];
      if (!isfinite (res[k]))
        res[k] = 0;
      L += res[k] * res[k];
      L2 += res[k] * res[k] * res[k] * res[k];
    }
  *f = L / (double) nq;
  /* The loss is the mean of nq squared errors: its standard error is their sd / sqrt (nq). */
  g->se = nq > 1 ? sqrt (fmax (0.0, L2 - L * L / (double) nq) / (double) (nq - 1) / (double) nq) : 0.0;
  if (grad == NULL)
    goto out;

  {
    size_t per;
    size_t nt = fit_threads (g->run, nq, &per);
    GradJob jobs[CS_MAX_THREADS];
    atomic_int cancel;

    atomic_init (&cancel, 0);
    for (size_t t = 0; t < nt; t++)
      {
        GradJob *j = &jobs[t];
        j->g = g; j->p = &p; j->pred = pred; j->rmax = rmax; j->rz = rz; j->res = res;
        j->r0 = t * per < nq ? t * per : nq;
        j->r1 = (t + 1) * per < nq ? (t + 1) * per : nq;
        j->is_main = t == 0;
        j->cancel = &cancel;
        j->colsum = t == 0 ? colsum : NULL;   /* the others allocate their own */
        j->H = t == 0 ? H : NULL;
        j->status = CS_OK;
      }
    cs_parallel_run (nt, sizeof jobs[0], jobs, grad_run);
    memset (gcat, 0, sizeof gcat);
    for (size_t t = 0; t < nt; t++)
      {
        if (jobs[t].status != CS_OK && (st == CS_OK || st == CS_ERR_CANCELLED))
          st = jobs[t].status;
        for (size_t c = 0; c < 64; c++)
          gcat[c] += jobs[t].gcat[c];
        if (t > 0)
          {
            if (jobs[t].colsum != NULL && jobs[t].H != NULL && jobs[t].status == CS_OK)
              {
                for (size_t i = 0; i < n; i++)
                  colsum[i] += jobs[t].colsum[i];
                for (size_t i = 0; i < d * d; i++)
                  H[i] += jobs[t].H[i];
              }
            free (jobs[t].colsum);
            free (jobs[t].H);
          }
      }
    if (st != CS_OK)
      goto out;
  }
  g->run->sweeps++;

  /* grad_M: distance -(sum_j colsum_j x_j x_j^T - H - H^T); dot 2 H^T. Over the nq loss rows
   * (the rows of C sum to zero, so no row-sum term appears, with or without a subset). */
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      {
        double v;
        if (ctx->form == CS_SCORE_DISTANCE)
          v = H[a * d + b] + H[b * d + a];
        else
          v = 2.0 * H[b * d + a];
        GM[a * d + b] = v;
      }
  if (ctx->form == CS_SCORE_DISTANCE)
    for (size_t j = 0; j < n; j++)
      {
        const double *xj = ctx->X2 + j * dd;
        if (colsum[j] != 0)
          cblas_dger (CblasRowMajor, (int) d, (int) d, -colsum[j], xj, 1, xj, 1, GM, (int) d);
      }
  for (size_t a = 0; a < d * d; a++)
    GM[a] /= (double) nq;

  /* d L / d lambda_c = (2 / nq) sum_ij C_ij d s_ij / d lambda_c, and d s_ij / d lambda_c = -1 where
   * the levels differ; theta_c = log lambda_c. */
  for (size_t c = 0; c < g->nc; c++)
    grad[g->nm + c] = p.L > 0 && !g->run->cat_off[c] && m.cat_lambda[c] < CS_FIT_CATEGORY_MAX
                      ? -2.0 * gcat[c] / (double) nq * m.cat_lambda[c] : 0.0;
  if (g->kind == CS_METRIC_SCALAR)
    {
      double tr = 0;
      for (size_t j = 0; j < d; j++)
        tr += GM[j * d + j];
      grad[0] = tr * m.scale;
    }
  else if (g->kind == CS_METRIC_DIAGONAL)
    for (size_t j = 0; j < d; j++)
      grad[j] = GM[j * d + j] * m.diag[j];
  else
    {
      /* grad_A = A (GM + GM^T) */
      double *Gs = H;   /* reuse */
      for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
          Gs[a * d + b] = GM[a * d + b] + GM[b * d + a];
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) g->r, (int) d, (int) d,
                   1.0, m.A, (int) d, Gs, (int) d, 0.0, grad, (int) d);
    }

out:
  free (pred); free (idx); free (rmax); free (rz); free (res); free (colsum);
  free (H); free (GM);
  cs_prep_clear (&p);
  cs_metric_clear (&m);
  return st;
}

static double
dotv (const double *a, const double *b, size_t n)
{
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += a[i] * b[i];
  return s;
}

static CsStatus
fit_lbfgs (FitRun         *run,
           CsMetricKind    kind,
           size_t          rank,
           const CsMetric *start,
           CsMetric       *result,
           CsFitReport    *rep)
{
  const CsAttention *ctx = run->ctx;
  size_t d = ctx->d, nm = kind == CS_METRIC_SCALAR ? 1 : kind == CS_METRIC_DIAGONAL ? d : rank * d;
  size_t nc = run->o->fit_categories ? ctx->n_cat : 0, np = nm + nc;
  int start_cats = start != NULL && start->n_cat == ctx->n_cat && ctx->n_cat > 0;
  enum { MEM = 8 };
  double *th = NULL, *g = NULL, *thn = NULL, *gn = NULL, *dir = NULL, *S = NULL, *Y = NULL;
  double rho[MEM], alpha[MEM], f, fn;
  double fhist[CS_FIT_SE_ITERATIONS + 1];   /* the loss after the last iterations, newest at it % (K + 1) */
  int max_iter = run->o->max_iter > 0 ? run->o->max_iter : 100;
  double tol = run->o->tol > 0 ? run->o->tol : 1e-7;
  int mlen = 0, mhead = 0;
  GradCtx gc = { run, kind, rank, nm, nc, nc == 0 && start_cats ? start->cat_lambda : NULL };
  CsStatus st = CS_OK;

  th = malloc (np * sizeof (double)); g = malloc (np * sizeof (double));
  thn = malloc (np * sizeof (double)); gn = malloc (np * sizeof (double));
  dir = malloc (np * sizeof (double));
  S = malloc (MEM * np * sizeof (double)); Y = malloc (MEM * np * sizeof (double));
  if (!th || !g || !thn || !gn || !dir || !S || !Y)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }

  /* Start: the given metric when its kind matches, else the scalar fit. */
  /* A scalar start without penalties (a rule of thumb) is a poor start for L-BFGS over log w: the Newton fit
   * without categories is the better one. */
  if (start != NULL && start->kind == kind && (kind != CS_METRIC_FULL || start->rank == rank)
      && !(kind == CS_METRIC_SCALAR && nc > 0 && !start_cats))
    {
      if (kind == CS_METRIC_SCALAR)
        th[0] = log (start->scale);
      else if (kind == CS_METRIC_DIAGONAL)
        for (size_t j = 0; j < d; j++)
          th[j] = log (start->diag[j] > 1e-12 ? start->diag[j] : 1e-12);
      else
        memcpy (th, start->A, nm * sizeof (double));   /* the penalties follow, below */
    }
  else
    {
      CsMetric sc;
      CsFitReport srep;
      CsFitOptions so = *run->o;
      const CsFitOptions *saved = run->o;
      double w;
      memset (&srep, 0, sizeof srep);
      so.kind = CS_METRIC_SCALAR;
      so.max_iter = 0;
      so.tol = 0;
      run->o = &so;
      st = fit_scalar (run, NULL, &sc, &srep);
      run->o = saved;
      if (st != CS_OK)
        goto out;
      w = sc.scale;
      cs_metric_clear (&sc);
      if (kind == CS_METRIC_SCALAR)
        th[0] = log (w);
      else if (kind == CS_METRIC_DIAGONAL)
        for (size_t j = 0; j < d; j++)
          th[j] = log (w);
      else if (rank < d)
        {
          /* Low rank: sqrt (w) on the first `rank` coordinates, plus a small
           * deterministic spread so that A can turn towards any feature (a
           * start on the most relevant axes of the diagonal fit can sit in a
           * poor basin when the relevant direction is oblique). */
          for (size_t a = 0; a < rank; a++)
            for (size_t j = 0; j < d; j++)
              th[a * d + j] = sqrt (w) * ((a == j) ? 1.0 : 0.05 * sin ((double) (a * d + j + 1)));
        }
      else
        {
          /* Full rank: start from the diagonal fit, so the result is never
           * worse than it: A = diag (sqrt (m_jj)). */
          CsMetric dm = { 0 };
          CsFitReport drep;
          size_t *order = malloc (d * sizeof (size_t));
          double mean = 0;
          memset (&drep, 0, sizeof drep);
          if (order == NULL)
            {
              st = CS_ERR_NOMEM;
              goto out;
            }
          {
            CsMetric ds = { 0 };
            cs_metric_init_diagonal (&ds, d, NULL);
            if (ds.diag != NULL)
              for (size_t j = 0; j < d; j++)
                ds.diag[j] = w;
            st = ds.diag != NULL ? fit_lbfgs (run, CS_METRIC_DIAGONAL, 0, &ds, &dm, &drep) : CS_ERR_NOMEM;
            cs_metric_clear (&ds);
          }
          if (st != CS_OK)
            {
              free (order);
              cs_metric_clear (&dm);
              goto out;
            }
          for (size_t j = 0; j < d; j++)
            {
              order[j] = j;
              mean += dm.diag[j] / (double) d;
            }
          for (size_t a = 0; a < d; a++)   /* by decreasing relevance (d is small) */
            for (size_t b = a + 1; b < d; b++)
              if (dm.diag[order[b]] > dm.diag[order[a]])
                {
                  size_t t = order[a]; order[a] = order[b]; order[b] = t;
                }
          for (size_t a = 0; a < rank; a++)
            for (size_t j = 0; j < d; j++)
              th[a * d + j] = j == order[a] ? sqrt (dm.diag[j])
                              : rank < d ? 0.05 * sqrt (mean) * sin ((double) (a * d + j + 1)) : 0.0;
          free (order);
          cs_metric_clear (&dm);
        }
    }

  /* Category penalties start at the start metric's (a penalty of 1: a mismatched case weighs e^-1 of a
   * matched one at equal distance, when it has none); log lambda has no lower end, so a category
   * without effect walks towards 0 instead of stopping at a bound. */
  for (size_t c = 0; c < nc; c++)
    th[nm + c] = start_cats && start->cat_lambda[c] > 1e-8 ? log (start->cat_lambda[c]) : 0.0;
  run->planned = run->sweeps + 2 * max_iter;
  st = loss_grad (&gc, th, &f, g);
  if (st != CS_OK)
    goto out;
  rep->start_loo_mse = f;
  rep->converged = 0;
  fhist[0] = f;
  for (int it = 0; it < max_iter; it++)
    {
      double gd, step = 1.0;
      int ok = 0;

      /* Two-loop recursion. */
      memcpy (dir, g, np * sizeof (double));
      for (int k = 0; k < mlen; k++)
        {
          int i = (mhead - 1 - k + MEM) % MEM;
          alpha[i] = rho[i] * dotv (S + i * np, dir, np);
          for (size_t j = 0; j < np; j++)
            dir[j] -= alpha[i] * Y[i * np + j];
        }
      if (mlen > 0)
        {
          int i = (mhead - 1 + MEM) % MEM;
          double gam = dotv (S + i * np, Y + i * np, np) / dotv (Y + i * np, Y + i * np, np);
          for (size_t j = 0; j < np; j++)
            dir[j] *= gam;
        }
      else
        {
          double gnorm = sqrt (dotv (g, g, np));
          double sc = gnorm > 0 ? fmin (1.0, 0.5 / gnorm) * (f > 0 ? 1.0 : 1.0) : 1.0;
          /* first step: at most 0.5 in log-scale units */
          for (size_t j = 0; j < np; j++)
            dir[j] *= sc;
        }
      for (int k = mlen - 1; k >= 0; k--)
        {
          int i = (mhead - 1 - k + MEM) % MEM;
          double b = rho[i] * dotv (Y + i * np, dir, np);
          for (size_t j = 0; j < np; j++)
            dir[j] += S[i * np + j] * (alpha[i] - b);
        }
      for (size_t j = 0; j < np; j++)
        dir[j] = -dir[j];
      gd = dotv (g, dir, np);
      if (!(gd < 0))
        {
          /* Not a descent direction: restart with steepest descent. */
          double gnorm = sqrt (dotv (g, g, np));
          if (gnorm == 0)
            {
              rep->converged = 1;
              break;
            }
          for (size_t j = 0; j < np; j++)
            dir[j] = -g[j] * fmin (1.0, 0.5 / gnorm);
          gd = dotv (g, dir, np);
          mlen = 0;
        }
      /* With penalties fitted, stop when the quasi-Newton model promises less than CS_FIT_CATEGORY_TOL of the
       * loss (a full step on a quadratic gains -gd / 2): the category fit otherwise spent its last third of
       * the passes on relative gains of 10^-6 and below, far inside the loss's own sampling error (its
       * standard error is about sqrt (2 / n) of it), walking a penalty without effect towards 0. */
      if (nc > 0 && mlen > 0 && -gd <= CS_FIT_CATEGORY_TOL * fabs (f))
        {
          rep->converged = 1;
          break;
        }
      /* Diagonal: at most CS_FIT_LOG_STEP_MAX in any log weight per iteration (a step bound, as the
       * maximum step of Numerical Recipes' lnsrch). The leave-one-out loss is flat where one case carries
       * the whole window (the nearest case's outcome, whatever the weights beyond), and lower there than at
       * the scalar start: an unbounded quasi-Newton step (the curvature scale s'y / y'y is large where the
       * gradient barely changes) jumped in one iteration from the scalar start to weights of 10^9 on
       * crest d 20 n 2,000, passed the sufficient-decrease test there, and stopped on the plateau with
       * n_eff 1.00 for every case; the same weights divided by 10^7 have a leave-one-out MSE of 0.067
       * against the plateau's 0.113. Scaling the whole direction keeps it a descent direction. */
      if (kind == CS_METRIC_DIAGONAL)
        {
          double mx = 0;
          for (size_t j = 0; j < nm; j++)
            mx = fmax (mx, fabs (dir[j]));
          if (mx > CS_FIT_LOG_STEP_MAX)
            {
              for (size_t j = 0; j < np; j++)
                dir[j] *= CS_FIT_LOG_STEP_MAX / mx;
              gd = dotv (g, dir, np);
            }
        }
      /* A step changes no penalty by more than a factor e^CS_FIT_CATEGORY_STEP. The loss is flat in
       * log lambda_c once mismatched cases weigh nothing (a plateau at the split into one window per level),
       * and an extrapolating quasi-Newton step from lambda 1 landed there (lambda 40 to 10^6) while the
       * minimum sat at 2 to 8: the fit then stopped on the plateau, its gradient being 0 to the digits. */
      {
        double dmax = 0;
        for (size_t c = 0; c < nc; c++)
          dmax = fmax (dmax, fabs (dir[nm + c]));
        if (dmax > CS_FIT_CATEGORY_STEP)
          {
            for (size_t j = 0; j < np; j++)
              dir[j] *= CS_FIT_CATEGORY_STEP / dmax;
            gd *= CS_FIT_CATEGORY_STEP / dmax;
          }
      }
      for (int ls = 0; ls < 12; ls++)
        {
          for (size_t j = 0; j < np; j++)
            thn[j] = th[j] + step * dir[j];
          st = loss_grad (&gc, thn, &fn, gn);
          if (st != CS_OK)
            goto out;
          if (fn <= f + 1e-4 * step * gd)
            {
              ok = 1;
              break;
            }
          step *= 0.3;
        }
      if (!ok)
        {
          rep->converged = 1;   /* no further decrease possible at this precision */
          break;
        }
      {
        double *s = S + mhead * np, *y = Y + mhead * np, sy;
        for (size_t j = 0; j < np; j++)
          {
            s[j] = thn[j] - th[j];
            y[j] = gn[j] - g[j];
          }
        sy = dotv (s, y, np);
        if (sy > 1e-300)
          {
            rho[mhead] = 1.0 / sy;
            mhead = (mhead + 1) % MEM;
            if (mlen < MEM)
              mlen++;
          }
      }
      rep->iterations = it + 1;
      {
        double df = f - fn;
        memcpy (th, thn, np * sizeof (double));
        memcpy (g, gn, np * sizeof (double));
        f = fn;
        if (df <= tol * fabs (f) || f == 0)
          {
            rep->converged = 1;
            break;
          }
        /* The gain of the last CS_FIT_SE_ITERATIONS iterations against the loss's standard error (at the
         * newest loss, the one the fit returns); only with the default tolerance: a caller's own tol asks
         * for the minimum of these loss cases to that precision (the tests that check the fit's optimality).
         * Not with penalties fitted: they climb to their plateau a factor e per iteration with small gains on
         * the way (CS_FIT_CATEGORY_STEP), and their own rule above (CS_FIT_CATEGORY_TOL) stops that fit; with
         * this rule too, the d 8 2-level cells of tests/model/test-categories stopped 9.6 % above the best
         * penalty of a grid (the test holds 0.5 %). */
        fhist[(it + 1) % (CS_FIT_SE_ITERATIONS + 1)] = f;
        if (run->o->tol <= 0 && nc == 0 && it + 1 >= CS_FIT_SE_ITERATIONS
            && fhist[(it + 1 - CS_FIT_SE_ITERATIONS) % (CS_FIT_SE_ITERATIONS + 1)] - f
               < CS_FIT_SE_FRACTION * gc.se)
          {
            rep->converged = 1;
            break;
          }
      }
    }
  rep->loo_mse = f;
  st = theta_to_metric (&gc, th, result);

out:
  free (th); free (g); free (thn); free (gn); free (dir); free (S); free (Y);
  return st;
}

/* Leave-one-out residuals of the loss cases at metric m (one streamed pass). */
static CsStatus
loss_residuals (FitRun         *run,
                const CsMetric *m,
                double         *res)
{
  const CsAttention *ctx = run->ctx;
  size_t nq = run->m;
  CsPrep p;
  CsPredictOptions o;
  CsPrediction *pred = malloc (nq * sizeof (CsPrediction));
  size_t *idx = malloc (nq * sizeof (size_t));
  double *rmax = malloc (nq * sizeof (double)), *rz = malloc (nq * sizeof (double));
  CsStatus st = pred && idx && rmax && rz ? cs_prep_build (ctx, m, 0, &p) : CS_ERR_NOMEM;

  if (st == CS_OK)
    {
      for (size_t k = 0; k < nq; k++)
        idx[k] = fit_row (run, k);
      cs_predict_options_init (&o);
      o.self_index = idx;
      o.n_threads = run->o->n_threads;
      st = fit_cancelled (run, 0) ? CS_ERR_CANCELLED : cs_attention_predict_prep (ctx, &p, run->xq, nq, &o, pred, rmax, rz);
      run->sweeps++;
      for (size_t k = 0; st == CS_OK && k < nq; k++)
        {
          res[k] = pred[k].prediction - ctx->y[idx[k]];
          if (!isfinite (res[k]))
            res[k] = 0;
        }
      cs_prep_clear (&p);
    }
  free (pred); free (idx); free (rmax); free (rz);
  return st;
}

/* Leave-one-out always finds some use for a penalty, also for a category without effect (the loss is flat
 * there and its minimum sits anywhere in noise). A category keeps its fitted penalty only when the per-case
 * loss reduction over setting it to 0 (the other parameters as fitted) is at least CS_FIT_CATEGORY_T standard
 * errors of its mean (CS_FIT_CATEGORY_T, cs-attention.h); the others are set to 0 and the rest refitted without
 * them. */

static CsStatus
select_categories (FitRun       *run,
                   CsMetricKind  kind,
                   size_t        rank,
                   CsMetric     *result,
                   CsFitReport  *rep)
{
  const CsAttention *ctx = run->ctx;
  size_t nq = run->m;
  int dropped = 0;
  double *e1 = malloc (nq * sizeof (double)), *e0 = malloc (nq * sizeof (double));
  CsStatus st = e1 && e0 ? loss_residuals (run, result, e1) : CS_ERR_NOMEM;

  for (size_t k = 0; st == CS_OK && k < nq; k++)
    e1[k] *= e1[k];
  for (size_t c = 0; st == CS_OK && c < ctx->n_cat; c++)
    {
      CsMetric m0 = { 0 };
      double mean, se, t;
      if (!(result->cat_lambda[c] > 0))
        continue;
      st = cs_metric_copy (&m0, result);
      if (st != CS_OK)
        break;
      m0.cat_lambda[c] = 0;
      st = loss_residuals (run, &m0, e0);
      cs_metric_clear (&m0);
      if (st != CS_OK)
        break;
      for (size_t k = 0; k < nq; k++)
        e0[k] *= e0[k];
      /* the squared errors without the penalty against with it */
      mean = cs_paired_difference (e0, e1, nq, &se);
      t = se > 0 ? mean / se : mean > 0 ? INFINITY : 0;
      if (!(t >= CS_FIT_CATEGORY_T))
        run->cat_off[c] = 1;
    }
  free (e1);
  free (e0);
  for (size_t c = 0; c < ctx->n_cat; c++)
    dropped |= run->cat_off[c];
  if (st == CS_OK && dropped)
    {
      CsMetric refit = { 0 };
      CsFitReport r2 = *rep;
      for (size_t c = 0; c < ctx->n_cat; c++)
        if (run->cat_off[c])
          result->cat_lambda[c] = 0;
      st = fit_lbfgs (run, kind, rank, result, &refit, &r2);
      if (st == CS_OK)
        {
          for (size_t c = 0; c < ctx->n_cat; c++)
            if (run->cat_off[c])
              refit.cat_lambda[c] = 0;
          r2.start_loo_mse = rep->start_loo_mse;
          r2.iterations += rep->iterations;
          *rep = r2;
          cs_metric_clear (result);
          *result = refit;
        }
      else
        cs_metric_clear (&refit);
    }
  return st;
}

CsStatus
cs_attention_loo_gradient (const CsAttention *self,
                           const CsMetric    *metric,
                           int                fit_categories,
                           double            *mse,
                           double            *grad)
{
  CsFitOptions o;
  FitRun run;
  GradCtx gc;
  size_t d, nm;
  int cats;

  if (self == NULL || metric == NULL || mse == NULL || grad == NULL || self->n < 2
      || cs_metric_validate (metric) != CS_OK || metric->d != self->d)
    return CS_ERR_INVALID;
  d = self->d;
  cs_fit_options_init (&o);
  o.kind = metric->kind;
  o.fit_categories = fit_categories;
  memset (&run, 0, sizeof run);
  run.ctx = self;
  run.o = &o;
  run.planned = 1;
  run.m = self->n;
  run.xq = self->x;
  run.x2q = self->X2;
  nm = metric->kind == CS_METRIC_SCALAR ? 1 : metric->kind == CS_METRIC_DIAGONAL ? d : metric->rank * d;
  cats = metric->n_cat == self->n_cat && self->n_cat > 0;
  gc.run = &run;
  gc.kind = metric->kind;
  gc.r = metric->rank;
  gc.nm = nm;
  gc.nc = fit_categories ? self->n_cat : 0;
  gc.cat_fixed = gc.nc == 0 && cats ? metric->cat_lambda : NULL;
  {
    double th[nm + self->n_cat + 1];
    if (metric->kind == CS_METRIC_SCALAR)
      th[0] = log (metric->scale);
    else if (metric->kind == CS_METRIC_DIAGONAL)
      for (size_t j = 0; j < d; j++)
        th[j] = log (metric->diag[j] > 1e-300 ? metric->diag[j] : 1e-300);
    else
      memcpy (th, metric->A, nm * sizeof (double));
    for (size_t c = 0; c < gc.nc; c++)
      th[nm + c] = cats && metric->cat_lambda[c] > 1e-300 ? log (metric->cat_lambda[c]) : log (1e-300);
    return loss_grad (&gc, th, mse, grad);
  }
}

CsStatus
cs_attention_fit (const CsAttention  *self,
                  const CsFitOptions *options,
                  CsMetric           *metric,
                  CsFitReport        *report)
{
  CsFitOptions defaults;
  CsFitReport rep;
  FitRun run;
  CsMetric result;
  const CsMetric *start = NULL;
  size_t rank;
  CsStatus st;

  if (self == NULL || metric == NULL)
    return CS_ERR_INVALID;
  if (options == NULL)
    {
      cs_fit_options_init (&defaults);
      options = &defaults;
    }
  if (self->n < 2)
    return CS_ERR_INVALID;
  rank = options->rank == 0 ? self->d : options->rank;
  if (options->kind == CS_METRIC_FULL && rank > self->d)
    return CS_ERR_INVALID;
  if (options->kind != CS_METRIC_SCALAR && options->kind != CS_METRIC_DIAGONAL
      && options->kind != CS_METRIC_FULL)
    return CS_ERR_INVALID;
  if (cs_metric_validate (metric) == CS_OK && metric->d == self->d)
    start = metric;

  memset (&rep, 0, sizeof rep);
  memset (&result, 0, sizeof result);
  memset (&run, 0, sizeof run);
  run.ctx = self;
  run.o = options;
  run.sweeps = 0;
  run.planned = 1;
  run.m = self->n;
  run.rows = NULL;
  run.xq = self->x;
  run.x2q = self->X2;
  if (options->cat_off != NULL)
    for (size_t c = 0; c < self->n_cat && c < sizeof run.cat_off; c++)
      run.cat_off[c] = options->cat_off[c] != 0;
  if (options->max_queries > 0 && options->max_queries < self->n)
    {
      size_t m = options->max_queries, d = self->d, dd = d + 2;
      double *xq = malloc (m * d * sizeof (double));
      double *x2q = malloc (m * dd * sizeof (double));

      run.rows = malloc (m * sizeof (size_t));
      if (run.rows == NULL || xq == NULL || x2q == NULL)
        {
          free (run.rows);
          free (xq);
          free (x2q);
          return CS_ERR_NOMEM;
        }
      /* Evenly spaced over the file order: the middle case of each of m equal runs. */
      cs_sample_gather (self->x, self->n, d, m, run.rows, xq);
      cs_sample_gather (self->X2, self->n, dd, m, NULL, x2q);
      run.m = m;
      run.xq = xq;
      run.x2q = x2q;
    }
  if (options->kind == CS_METRIC_SCALAR
      && !(self->n_cat > 0 && (options->fit_categories || (start != NULL && start->n_cat == self->n_cat))))
    st = fit_scalar (&run, start, &result, &rep);
  else
    {
      /* A first fit to a loose tolerance before the selection was tried (a penalty without effect spends most
       * iterations creeping towards 0): a third fewer passes, but the fit finished from there stopped early
       * in one cell of the generated bases (leave-one-out MSE 0.69 of without instead of 0.53). */
      st = fit_lbfgs (&run, options->kind, rank, start, &result, &rep);
      if (st == CS_OK && options->fit_categories && self->n_cat > 0)
        st = select_categories (&run, options->kind, rank, &result, &rep);
    }
  rep.passes = run.sweeps;
  rep.n_queries = run.m;
  if (run.rows != NULL)
    {
      free (run.rows);
      free ((double *) run.xq);
      free ((double *) run.x2q);
    }
  if (st != CS_OK)
    {
      cs_metric_clear (&result);
      return st;
    }
  cs_metric_clear (metric);
  *metric = result;
  if (report != NULL)
    *report = rep;
  return CS_OK;
}

CsStatus
cs_attention_loo_mse (const CsAttention *self,
                      const CsMetric    *metric,
                      double            *mse,
                      double            *d_logw,
                      double            *d2_logw)
{
  CsStatus st;

  if (self == NULL || metric == NULL || mse == NULL)
    return CS_ERR_INVALID;
  st = cs_metric_validate (metric);
  if (st != CS_OK)
    return st;
  if (metric->d != self->d || self->n < 2)
    return CS_ERR_INVALID;
  if (d_logw != NULL || d2_logw != NULL)
    {
      CsFitOptions o;
      FitRun run;
      CsMetric one;
      CsPrep p1;
      double *gmax;
      double w = metric->scale, d1, d2;

      if (metric->kind != CS_METRIC_SCALAR)
        return CS_ERR_INVALID;
      cs_fit_options_init (&o);
      run.ctx = self; run.o = &o; run.sweeps = 0; run.planned = 2;
      run.m = self->n; run.rows = NULL; run.xq = self->x; run.x2q = self->X2;
      st = cs_metric_init_scalar (&one, self->d, 1.0);
      if (st != CS_OK)
        return st;
      st = cs_prep_build (self, &one, 0, &p1);
      cs_metric_clear (&one);
      if (st != CS_OK)
        return st;
      gmax = malloc (self->n * sizeof (double));
      if (gmax == NULL)
        st = CS_ERR_NOMEM;
      if (st == CS_OK)
        st = scalar_gmax (&run, &p1, gmax);
      if (st == CS_OK)
        st = scalar_sweep (&run, &p1, gmax, &w, 1, mse, &d1, &d2);
      if (st == CS_OK)
        {
          if (d_logw != NULL)
            *d_logw = d1;
          if (d2_logw != NULL)
            *d2_logw = d2;
        }
      free (gmax);
      cs_prep_clear (&p1);
      return st;
    }
  else
    {
      CsPrep p;
      CsPredictOptions po;
      CsPrediction *pred = malloc (self->n * sizeof (CsPrediction));
      size_t *idx = malloc (self->n * sizeof (size_t));
      double L = 0;

      if (pred == NULL || idx == NULL)
        {
          free (pred);
          free (idx);
          return CS_ERR_NOMEM;
        }
      st = cs_prep_build (self, metric, 0, &p);
      if (st == CS_OK)
        {
          for (size_t i = 0; i < self->n; i++)
            idx[i] = i;
          cs_predict_options_init (&po);
          po.self_index = idx;
          st = cs_attention_predict_prep (self, &p, self->x, self->n, &po, pred, NULL, NULL);
          cs_prep_clear (&p);
        }
      if (st == CS_OK)
        {
          for (size_t i = 0; i < self->n; i++)
            L += (pred[i].prediction - self->y[i]) * (pred[i].prediction - self->y[i]);
          *mse = L / (double) self->n;
        }
      free (pred);
      free (idx);
      return st;
    }
}

/* ---- Linear attention ---------------------------------------------------- */

void
cs_linear_clear (CsLinearModel *model)
{
  if (model == NULL)
    return;
  free (model->M);
  free (model->v);
  memset (model, 0, sizeof *model);
}

CsStatus
cs_linear_fit (const CsAttention *self,
               int                augment,
               CsLinearModel     *out)
{
  size_t n, d, da, P;
  double *Sv = NULL, *Phi = NULL, *AtA = NULL, *Atb = NULL, *A2 = NULL;
  CsStatus st = CS_OK;
  enum { RB = 256 };

  if (self == NULL || out == NULL)
    return CS_ERR_INVALID;
  memset (out, 0, sizeof *out);
  n = self->n;
  d = self->d;
  if (n < 2)
    return CS_ERR_INVALID;
  da = d + (augment ? 1 : 0);
  P = da * da;
  if (P > 4096)
    return CS_ERR_INVALID;   /* d > 63: the d^2 x d^2 system is too large */
  Sv = calloc (da, sizeof (double));
  Phi = malloc (RB * P * sizeof (double));
  AtA = calloc (P * P, sizeof (double));
  Atb = calloc (P, sizeof (double));
  A2 = malloc (P * P * sizeof (double));
  out->M = calloc (P, sizeof (double));
  out->v = calloc (da, sizeof (double));
  if (!Sv || !Phi || !AtA || !Atb || !A2 || !out->M || !out->v)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  out->d = d;
  out->augment = augment ? 1 : 0;
  for (size_t i = 0; i < n; i++)
    for (size_t a = 0; a < da; a++)
      Sv[a] += self->y[i] * (a < d ? self->x[i * d + a] : 1.0);

  /* Rows phi_i = vec (v_{-i} x~_i^T), v_{-i} = (S - y_i x~_i) / (n - 1). */
  for (int pass = 0; pass < 2; pass++)
    {
      double L = 0;
      for (size_t i0 = 0; i0 < n; i0 += RB)
        {
          size_t nb = n - i0 < RB ? n - i0 : RB;
          for (size_t r = 0; r < nb; r++)
            {
              size_t i = i0 + r;
              const double *xi = self->x + i * d;
              double *ph = Phi + r * P;
              for (size_t a = 0; a < da; a++)
                {
                  double xa = a < d ? xi[a] : 1.0;
                  double va = (Sv[a] - self->y[i] * xa) / (double) (n - 1);
                  for (size_t b = 0; b < da; b++)
                    ph[a * da + b] = va * (b < d ? xi[b] : 1.0);
                }
            }
          if (pass == 0)
            {
              cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) P, (int) nb, 1.0, Phi, (int) P,
                           1.0, AtA, (int) P);
              cblas_dgemv (CblasRowMajor, CblasTrans, (int) nb, (int) P, 1.0, Phi, (int) P,
                           self->y + i0, 1, 1.0, Atb, 1);
            }
          else
            for (size_t r = 0; r < nb; r++)
              {
                double e = dotv (Phi + r * P, out->M, P) - self->y[i0 + r];
                L += e * e;
              }
        }
      if (pass == 0)
        {
          /* Symmetrise, solve with a ridge of 1e-10 of the mean diagonal that grows
           * (x 100) until the factorisation holds, up to 1e8 of it. */
          for (size_t a = 0; a < P; a++)
            for (size_t b = 0; b < a; b++)
              AtA[a * P + b] = AtA[b * P + a];
          if (cs_spd_solve (P, AtA, Atb, 1e-10, 1e8, A2, out->M, NULL) != 0)
            {
              st = CS_ERR_INVALID;
              goto out;
            }
        }
      else
        out->loo_mse = L / (double) n;
    }
  for (size_t a = 0; a < da; a++)
    out->v[a] = Sv[a] / (double) n;

out:
  free (Sv); free (Phi); free (AtA); free (Atb); free (A2);
  if (st != CS_OK)
    cs_linear_clear (out);
  return st;
}

CsStatus
cs_linear_predict (const CsLinearModel *model,
                   const double        *queries,
                   size_t               q,
                   double              *out)
{
  size_t d, da;

  if (model == NULL || model->M == NULL || queries == NULL || out == NULL)
    return CS_ERR_INVALID;
  d = model->d;
  da = d + (size_t) model->augment;
  if (!cs_is_finite_array (queries, q * d))
    return CS_ERR_NOT_FINITE;
  for (size_t i = 0; i < q; i++)
    {
      double s = 0;
      for (size_t a = 0; a < da; a++)
        for (size_t b = 0; b < da; b++)
          s += model->v[a] * model->M[a * da + b] * (b < d ? queries[i * d + b] : 1.0);
      out[i] = s;
    }
  return CS_OK;
}
