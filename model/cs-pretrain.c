/* cs-pretrain.c: synthetic tasks on the sphere, Adam pretraining, w*, linear baseline, sweeps.
 *
 * Why not the engine's batched GEMM kernel: here d <= 8 and every prompt has
 * its own n x d context and a single query, so a "GEMM" per prompt is an
 * n x d by d x 1 product. Plain loops over (prompt, case) cost d multiply-adds
 * and one exp per pair, which is all the work there is; the exp dominates.
 * The prompts are processed in chunks of CHUNK, drawn sequentially from one
 * RNG stream, so memory stays O(CHUNK n d) whatever the number of prompts and
 * results do not depend on the chunking.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-numeric.h"
#include "cs-pretrain.h"

#define CHUNK 256
#define DD (CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D)

/* Stream separation: the linear fit and the initial noise never reuse the task stream. */
#define SEED_LINEAR UINT64_C (0x1177ea5f17)
#define SEED_INIT UINT64_C (0x1a17f00d)

const char *
cs_pretrain_status_message (CsPretrainStatus status)
{
  switch (status)
    {
    case CS_PRETRAIN_OK: return "success";
    case CS_PRETRAIN_EINVAL: return "invalid argument";
    case CS_PRETRAIN_ENOMEM: return "out of memory";
    case CS_PRETRAIN_CANCELLED: return "cancelled";
    case CS_PRETRAIN_ENUMERIC: return "non-finite value during pretraining";
    default: return "unknown error";
    }
}

const char *
cs_pretrain_class_name (CsPretrainClass cls)
{
  switch (cls)
    {
    case CS_PRETRAIN_AFFINE: return "affine";
    case CS_PRETRAIN_RELU: return "relu";
    default: return NULL;
    }
}

int
cs_pretrain_class_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  if (strcmp (name, "affine") == 0)
    return CS_PRETRAIN_AFFINE;
  if (strcmp (name, "relu") == 0)
    return CS_PRETRAIN_RELU;
  return -1;
}

int
cs_pretrain_spec_valid (const CsPretrainSpec *spec)
{
  if (spec == NULL)
    return 0;
  if ((unsigned) spec->task_class >= CS_PRETRAIN_N_CLASSES)
    return 0;
  if (spec->d < 1 || spec->d > CS_PRETRAIN_MAX_D)
    return 0;
  if (spec->n < 1 || spec->n > CS_PRETRAIN_MAX_N)
    return 0;
  if (!isfinite (spec->L) || spec->L < 0 || spec->L > 1e6)
    return 0;
  if (!isfinite (spec->sigma) || spec->sigma < 0 || spec->sigma > 1e6)
    return 0;
  if (spec->rank > spec->d)
    return 0;
  return 1;
}

static size_t
spec_k (const CsPretrainSpec *spec)
{
  return spec->rank == 0 ? spec->d : spec->rank;
}

static void
unit_vector (CsRng  *rng,
             size_t  k,
             double *v)
{
  double norm2;

  do
    {
      norm2 = 0;
      for (size_t j = 0; j < k; j++)
        {
          v[j] = cs_rng_normal (rng);
          norm2 += v[j] * v[j];
        }
    }
  while (norm2 < 1e-300);
  {
    double inv = 1.0 / sqrt (norm2);
    for (size_t j = 0; j < k; j++)
      v[j] *= inv;
  }
}

CsPretrainStatus
cs_pretrain_basis (const CsPretrainSpec *spec,
                   double               *B)
{
  size_t d, k;
  CsRng rng;

  if (!cs_pretrain_spec_valid (spec) || B == NULL)
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  k = spec_k (spec);
  if (spec->rank == 0)
    {
      for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
          B[i * d + j] = i == j;
      return CS_PRETRAIN_OK;
    }
  cs_rng_seed (&rng, spec->basis_seed);
  for (size_t c = 0; c < k; c++)
    {
      double norm2;
      do
        {
          /* Gaussian column, minus its projection on the previous columns (twice, for accuracy). */
          for (size_t i = 0; i < d; i++)
            B[i * k + c] = cs_rng_normal (&rng);
          for (int pass = 0; pass < 2; pass++)
            for (size_t p = 0; p < c; p++)
              {
                double dot = 0;
                for (size_t i = 0; i < d; i++)
                  dot += B[i * k + p] * B[i * k + c];
                for (size_t i = 0; i < d; i++)
                  B[i * k + c] -= dot * B[i * k + p];
              }
          norm2 = 0;
          for (size_t i = 0; i < d; i++)
            norm2 += B[i * k + c] * B[i * k + c];
        }
      while (norm2 < 1e-6);
      for (size_t i = 0; i < d; i++)
        B[i * k + c] /= sqrt (norm2);
    }
  return CS_PRETRAIN_OK;
}

typedef struct
{
  double a[CS_PRETRAIN_MAX_D];   /* direction in R^k */
  double b;                      /* affine offset */
  double s;                      /* relu sign */
} Task;

/* f(x) for one task; Bt is B^T applied through B (d x k row-major). */
static double
task_eval (const CsPretrainSpec *spec,
           const double         *B,
           const Task           *t,
           const double         *x)
{
  size_t d = spec->d, k = spec_k (spec);
  double z = 0;

  if (spec->rank == 0)
    for (size_t j = 0; j < d; j++)
      z += t->a[j] * x[j];
  else
    for (size_t c = 0; c < k; c++)
      {
        double bx = 0;
        for (size_t i = 0; i < d; i++)
          bx += B[i * k + c] * x[i];
        z += t->a[c] * bx;
      }
  if (spec->task_class == CS_PRETRAIN_AFFINE)
    return spec->L * z + t->b;
  return spec->L * t->s * (z > 0 ? z : 0);
}

/* The draw order per prompt is fixed forever (a, b or s, then per case x_i and
 * its noise, then the query), so a seed names the same prompts in every release. */
static void
draw_with_basis (const CsPretrainSpec *spec,
                 const double         *B,
                 CsRng                *rng,
                 size_t                count,
                 double               *x,
                 double               *y,
                 double               *q,
                 double               *f,
                 double               *fx)
{
  size_t d = spec->d, n = spec->n, k = spec_k (spec);

  for (size_t t = 0; t < count; t++)
    {
      Task task;
      unit_vector (rng, k, task.a);
      if (spec->task_class == CS_PRETRAIN_AFFINE)
        {
          task.b = cs_rng_range (rng, -1.0, 1.0);
          task.s = 1;
        }
      else
        {
          task.b = 0;
          task.s = (cs_rng_next (rng) >> 63) ? 1.0 : -1.0;
        }
      for (size_t i = 0; i < n; i++)
        {
          double *xi = x + (t * n + i) * d;
          double fi;
          unit_vector (rng, d, xi);
          fi = task_eval (spec, B, &task, xi);
          y[t * n + i] = fi + spec->sigma * cs_rng_normal (rng);
          if (fx != NULL)
            fx[t * n + i] = fi;
        }
      unit_vector (rng, d, q + t * d);
      f[t] = task_eval (spec, B, &task, q + t * d);
    }
}

CsPretrainStatus
cs_pretrain_draw (const CsPretrainSpec *spec,
                  CsRng                *rng,
                  size_t                count,
                  double               *x,
                  double               *y,
                  double               *q,
                  double               *f,
                  double               *fx)
{
  double B[DD];
  CsPretrainStatus st;

  if (rng == NULL || x == NULL || y == NULL || q == NULL || f == NULL)
    return CS_PRETRAIN_EINVAL;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  draw_with_basis (spec, B, rng, count, x, y, q, f, fx);
  return CS_PRETRAIN_OK;
}

/* ---- Chunk buffers ------------------------------------------------------- */

typedef struct
{
  size_t cap;
  double *x, *y, *q, *f;
} Chunk;

static int
chunk_init (Chunk  *c,
            size_t  cap,
            size_t  n,
            size_t  d)
{
  c->cap = cap;
  c->x = malloc (cap * n * d * sizeof (double));
  c->y = malloc (cap * n * sizeof (double));
  c->q = malloc (cap * d * sizeof (double));
  c->f = malloc (cap * sizeof (double));
  return c->x != NULL && c->y != NULL && c->q != NULL && c->f != NULL;
}

static void
chunk_clear (Chunk *c)
{
  free (c->x);
  free (c->y);
  free (c->q);
  free (c->f);
  memset (c, 0, sizeof *c);
}

/* ---- Softmax attention --------------------------------------------------- */

/* One prompt: prediction with s_i = x_i . v, v = M q. If g is non-NULL, it
 * receives sum_i w_i (y_i - y_hat) x_i (d), so that d y_hat / d M = g q^T. */
static double
softmax_predict (size_t        n,
                 size_t        d,
                 const double *x,
                 const double *y,
                 const double *v,
                 double       *s,
                 double       *g)
{
  double smax = -INFINITY, z = 0, acc = 0, yhat;

  for (size_t i = 0; i < n; i++)
    {
      double si = 0;
      for (size_t j = 0; j < d; j++)
        si += x[i * d + j] * v[j];
      s[i] = si;
      if (si > smax)
        smax = si;
    }
  for (size_t i = 0; i < n; i++)
    {
      double e = exp (s[i] - smax);
      s[i] = e;
      z += e;
      acc += e * y[i];
    }
  yhat = acc / z;
  if (g != NULL)
    {
      double inv = 1.0 / z;
      for (size_t j = 0; j < d; j++)
        g[j] = 0;
      for (size_t i = 0; i < n; i++)
        {
          double c = s[i] * inv * (y[i] - yhat);
          for (size_t j = 0; j < d; j++)
            g[j] += c * x[i * d + j];
        }
    }
  return yhat;
}

static void
mat_vec (size_t        d,
         const double *M,
         const double *q,
         double       *v)
{
  for (size_t a = 0; a < d; a++)
    {
      double acc = 0;
      for (size_t b = 0; b < d; b++)
        acc += M[a * d + b] * q[b];
      v[a] = acc;
    }
}

/* Sums (not means) of the loss and gradient over count prompts; s is n scratch. */
static void
softmax_accumulate (size_t        count,
                    size_t        n,
                    size_t        d,
                    const double *x,
                    const double *y,
                    const double *q,
                    const double *f,
                    const double *M,
                    double       *s,
                    double       *loss_sum,
                    double       *grad_sum)
{
  for (size_t t = 0; t < count; t++)
    {
      double v[CS_PRETRAIN_MAX_D], g[CS_PRETRAIN_MAX_D];
      const double *qt = q + t * d;
      double yhat, r;

      mat_vec (d, M, qt, v);
      yhat = softmax_predict (n, d, x + t * n * d, y + t * n, v, s, grad_sum ? g : NULL);
      r = yhat - f[t];
      *loss_sum += r * r;
      if (grad_sum != NULL)
        for (size_t a = 0; a < d; a++)
          for (size_t b = 0; b < d; b++)
            grad_sum[a * d + b] += 2 * r * g[a] * qt[b];
    }
}

CsPretrainStatus
cs_pretrain_softmax_loss (size_t        count,
                          size_t        n,
                          size_t        d,
                          const double *x,
                          const double *y,
                          const double *q,
                          const double *f,
                          const double *M,
                          double       *loss,
                          double       *grad)
{
  double *s;
  double sum = 0;

  if (count == 0 || n == 0 || d == 0 || d > CS_PRETRAIN_MAX_D || n > CS_PRETRAIN_MAX_N
      || x == NULL || y == NULL || q == NULL || f == NULL || M == NULL || loss == NULL)
    return CS_PRETRAIN_EINVAL;
  for (size_t i = 0; i < d * d; i++)
    if (!isfinite (M[i]))
      return CS_PRETRAIN_EINVAL;
  s = malloc (n * sizeof (double));
  if (s == NULL)
    return CS_PRETRAIN_ENOMEM;
  if (grad != NULL)
    memset (grad, 0, d * d * sizeof (double));
  softmax_accumulate (count, n, d, x, y, q, f, M, s, &sum, grad);
  free (s);
  *loss = sum / (double) count;
  if (grad != NULL)
    for (size_t i = 0; i < d * d; i++)
      grad[i] /= (double) count;
  if (!isfinite (*loss))
    return CS_PRETRAIN_ENUMERIC;
  return CS_PRETRAIN_OK;
}

/* ---- Adam pretraining ---------------------------------------------------- */

typedef struct
{
  double m[2 * DD], v[2 * DD];
  double b1, b2, eps, lr, b1t, b2t;
} Adam;

static void
adam_init (Adam   *adam,
           double  lr)
{
  memset (adam, 0, sizeof *adam);
  adam->b1 = 0.9;
  adam->b2 = 0.999;
  adam->eps = 1e-8;
  adam->lr = lr;
  adam->b1t = 1;
  adam->b2t = 1;
}

static void
adam_step (Adam         *adam,
           size_t        count,
           double       *theta,
           const double *grad)
{
  adam->b1t *= adam->b1;
  adam->b2t *= adam->b2;
  for (size_t i = 0; i < count; i++)
    {
      double mh, vh;
      adam->m[i] = adam->b1 * adam->m[i] + (1 - adam->b1) * grad[i];
      adam->v[i] = adam->b2 * adam->v[i] + (1 - adam->b2) * grad[i] * grad[i];
      mh = adam->m[i] / (1 - adam->b1t);
      vh = adam->v[i] / (1 - adam->b2t);
      theta[i] -= adam->lr * mh / (sqrt (vh) + adam->eps);
    }
}

/* M = K^T Q for d x d row-major K, Q. */
static void
kq_product (size_t        d,
            const double *K,
            const double *Q,
            double       *M)
{
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      {
        double acc = 0;
        for (size_t c = 0; c < d; c++)
          acc += K[c * d + a] * Q[c * d + b];
        M[a * d + b] = acc;
      }
}

/* ---- Scale search: sample-average minimisation over u = log w ------------ */

/* The prompts of one search stage: `count` prompts regenerated from `start`
 * for every evaluation (common random numbers). */
typedef struct
{
  const CsPretrainSpec *spec;
  const double *B;
  Chunk *c;
  double *cbuf;
  CsRng start;
  CsRng end;               /* the stream after the stage's prompts: the next stage starts here */
  size_t count;
  size_t prompts;          /* prompts drawn in all */
  size_t evals;
  double scale;            /* progress: prompts at which the reported fraction reaches span (1 - 1/e) */
  double span;             /* progress: the search reports fractions below span */
  const CsPretrainTrainOptions *opt;
} Search;

/* Mean loss and mean d loss / d u of M = e^u I over the stage's prompts, and
 * the mean squared per-prompt gradient (for the standard error). With
 * c_i = x_i . q, d y_hat / d u = w Cov_p (y, c) under the softmax weights p. */
static CsPretrainStatus
search_eval (Search *sr,
             double  u,
             double *loss,
             double *grad,
             double *grad2)
{
  size_t n = sr->spec->n, d = sr->spec->d;
  double w = exp (u), sl = 0, sg = 0, sg2 = 0;
  CsRng rng = sr->start;

  for (size_t done = 0; done < sr->count; done += CHUNK)
    {
      size_t m = sr->count - done < CHUNK ? sr->count - done : CHUNK;
      Chunk *c = sr->c;

      draw_with_basis (sr->spec, sr->B, &rng, m, c->x, c->y, c->q, c->f, NULL);
      for (size_t t = 0; t < m; t++)
        {
          const double *xt = c->x + t * n * d, *yt = c->y + t * n, *qt = c->q + t * d;
          double cmax = -INFINITY, z = 0, ay = 0, ac = 0, ayc = 0, yhat, r, g;

          for (size_t i = 0; i < n; i++)
            {
              double ci = 0;
              for (size_t j = 0; j < d; j++)
                ci += xt[i * d + j] * qt[j];
              sr->cbuf[i] = ci;
              if (ci > cmax)
                cmax = ci;
            }
          for (size_t i = 0; i < n; i++)
            {
              /* Shifted by the max: the terms stay in (0, 1] and c in [-2, 0]. */
              double ci = sr->cbuf[i] - cmax, e = exp (w * ci);
              z += e;
              ay += e * yt[i];
              ac += e * ci;
              ayc += e * yt[i] * ci;
            }
          yhat = ay / z;
          r = yhat - c->f[t];
          g = 2 * r * w * (ayc / z - yhat * (ac / z));
          sl += r * r;
          sg += g;
          sg2 += g * g;
        }
      sr->prompts += m;
      if (sr->opt->progress != NULL
          && sr->opt->progress (sr->span * (1 - exp (-(double) sr->prompts / sr->scale)), sr->opt->user_data))
        return CS_PRETRAIN_CANCELLED;
    }
  sr->end = rng;
  sr->evals++;
  *loss = sl / (double) sr->count;
  *grad = sg / (double) sr->count;
  if (grad2 != NULL)
    *grad2 = sg2 / (double) sr->count;
  if (!isfinite (*loss) || !isfinite (*grad))
    return CS_PRETRAIN_ENUMERIC;
  return CS_PRETRAIN_OK;
}

#define SEARCH_U_MAX 25.0   /* w within e^-25 .. e^25 */

/* Minimiser of the stage's sample loss in u, from u0: expanding steps of h
 * downhill until the gradient changes sign, then Illinois regula falsi on the
 * gradient until the bracket is narrower than tol_u (a tenth of the target
 * standard error: finer would only chase this sample's noise). *edge is set
 * when the bracket ran out of range. */
static CsPretrainStatus
search_stage (Search *sr,
              double  u0,
              double  h,
              double  tol_u,
              double *u_out,
              double *loss_out,
              int    *edge)
{
  double a = u0, b, fa, fb, la, lb, dir;
  CsPretrainStatus st;

  *edge = 0;
  st = search_eval (sr, a, &la, &fa, NULL);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (fa == 0)
    {
      *u_out = a;
      *loss_out = la;
      return CS_PRETRAIN_OK;
    }
  dir = fa > 0 ? -1 : 1;
  for (;;)
    {
      b = a + dir * h;
      if (fabs (b) > SEARCH_U_MAX)
        {
          *edge = 1;
          *u_out = dir * SEARCH_U_MAX;
          return search_eval (sr, *u_out, loss_out, &fb, NULL);
        }
      st = search_eval (sr, b, &lb, &fb, NULL);
      if (st != CS_PRETRAIN_OK)
        return st;
      if ((fb > 0) != (fa > 0) || fb == 0)
        break;
      a = b;
      fa = fb;
      la = lb;
      h *= 2;
    }
  for (int it = 0; it < 60 && fb != 0 && fabs (b - a) > tol_u; it++)
    {
      double cu = (a * fb - b * fa) / (fb - fa), fc, lc;
      st = search_eval (sr, cu, &lc, &fc, NULL);
      if (st != CS_PRETRAIN_OK)
        return st;
      if ((fc > 0) != (fb > 0))
        {
          a = b;
          fa = fb;
        }
      else
        fa /= 2;
      b = cu;
      fb = fc;
      lb = lc;
    }
  *u_out = b;
  *loss_out = lb;
  return CS_PRETRAIN_OK;
}

/* Monte-Carlo standard error of the stage's minimiser u (delta method for an
 * M-estimator): sd of the per-prompt gradients at u / (sqrt (P) * curvature),
 * the curvature by a central difference of the sample gradient (CRN keeps it
 * smooth). Infinite when the sample loss is not convex there. */
static CsPretrainStatus
search_se (Search *sr,
           double  u,
           double *se)
{
  const double du = 0.05;
  double l, g, g2, gp, gm;
  CsPretrainStatus st;

  if ((st = search_eval (sr, u, &l, &g, &g2)) != CS_PRETRAIN_OK
      || (st = search_eval (sr, u + du, &l, &gp, NULL)) != CS_PRETRAIN_OK
      || (st = search_eval (sr, u - du, &l, &gm, NULL)) != CS_PRETRAIN_OK)
    return st;
  {
    double H = (gp - gm) / (2 * du), var = g2 - g * g;
    *se = H > 0 ? sqrt (fmax (var, 0) / (double) sr->count) / H : INFINITY;
  }
  return CS_PRETRAIN_OK;
}

/* Scale search (see CsPretrainTrainOptions): stages of growing size until the
 * standard error of u is at most scale_tol (converged), the range ends, or
 * the prompt budget is spent. stages_max 1 gives a single stage (the full
 * metric's starting scale). */
static CsPretrainStatus
scale_search (const CsPretrainSpec         *spec,
              const double                 *B,
              const CsPretrainTrainOptions *opt,
              Chunk                        *c,
              double                       *cbuf,
              CsRng                        *rng,
              size_t                        budget,
              int                           stages_max,
              double                       *u_out,
              double                       *loss_out,
              double                       *se_out,
              int                          *converged,
              size_t                       *evals,
              size_t                       *prompts)
{
  Search sr = { 0 };
  double u = log (opt->init_w), h = 1.0, loss = NAN, se = INFINITY;
  /* The first stage always runs, shrunk to fit a small budget (a stage costs
   * about 20 evaluations); later stages only when they fit. */
  size_t count = opt->search_tasks < budget / 20 ? opt->search_tasks : (budget / 20 > 64 ? budget / 20 : 64);
  CsPretrainStatus st = CS_PRETRAIN_OK;

  sr.spec = spec;
  sr.B = B;
  sr.c = c;
  sr.cbuf = cbuf;
  sr.opt = opt;
  sr.scale = 20.0 * (double) opt->search_tasks;
  /* The full model's Adam phase reports the fractions above 0.1. */
  sr.span = stages_max == 1 ? 0.1 : 0.99;
  *converged = 0;
  for (int stage = 0; stage < stages_max; stage++)
    {
      int edge = 0;
      if (stage > 0 && sr.prompts + 20 * count > budget)
        break;   /* the next stage would overrun the cap: stop unconverged */
      sr.start = *rng;
      sr.end = *rng;
      sr.count = count;
      st = search_stage (&sr, u, h, fmax (1e-4, 0.1 * opt->scale_tol), &u, &loss, &edge);
      if (st != CS_PRETRAIN_OK)
        return st;
      *rng = sr.end;
      if (edge)
        {
          se = INFINITY;
          break;
        }
      if (stages_max == 1)
        break;
      st = search_se (&sr, u, &se);
      if (st != CS_PRETRAIN_OK)
        return st;
      if (se <= opt->scale_tol)
        {
          *converged = 1;
          break;
        }
      {
        /* se falls as 1 / sqrt (P): aim 20 % below the target, at least double, at most 16x. */
        double ratio = isfinite (se) ? 1.2 * (se / opt->scale_tol) * (se / opt->scale_tol) : 16;
        ratio = fmin (16, fmax (2, ratio));
        count = (size_t) ceil ((double) count * ratio);
      }
      h = 0.25;   /* warm start: the new minimiser is within a few standard errors */
    }
  *u_out = u;
  *loss_out = loss;
  *se_out = se;
  *evals = sr.evals;
  *prompts = sr.prompts;
  return CS_PRETRAIN_OK;
}

/* ---- Pretraining ----------------------------------------------------------- */

void
cs_pretrain_train_options_init (CsPretrainTrainOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->steps = 20000;
  opt->batch = 128;
  opt->lr = 1e-2;
  opt->init_w = 1.0;
  opt->init_noise = 0.3;
  opt->tail = 0.2;
  opt->search_tasks = 2048;
  opt->scale_tol = 0.02;
  opt->window = 100;
  opt->tol = 0.005;
  opt->seed = 1;
}

static void
scalar_matrix (size_t  d,
               double  w,
               double *M)
{
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      M[a * d + b] = a == b ? w : 0;
}

CsPretrainStatus
cs_pretrain_train (const CsPretrainSpec         *spec,
                   CsPretrainMetric              metric,
                   const CsPretrainTrainOptions *opt,
                   CsPretrainResult             *result)
{
  CsPretrainTrainOptions defaults;
  CsPretrainResult out;
  size_t d, n, W, nwin_max, k = 0, prompts = 0, evals = 0;
  double theta[2 * DD], grad[2 * DD], M[DD], G[DD];
  double B[DD], *s = NULL, *win_M = NULL, *win_l = NULL, *win_l2 = NULL;
  double u0, loss0 = NAN, se = NAN, w0, lr;
  size_t nparams, done = 0;
  int converged = 0;
  Chunk c = { 0 };
  CsRng rng;
  Adam adam;
  CsPretrainStatus st = CS_PRETRAIN_OK;

  if (opt == NULL)
    {
      cs_pretrain_train_options_init (&defaults);
      opt = &defaults;
    }
  if (!cs_pretrain_spec_valid (spec) || result == NULL || (unsigned) metric >= CS_PRETRAIN_N_METRICS
      || opt->steps < 1 || opt->steps > 100000000 || opt->batch < 1 || opt->batch > 1000000
      || !isfinite (opt->lr) || opt->lr <= 0 || !isfinite (opt->init_w) || opt->init_w <= 0
      || opt->init_w > 1e10 || opt->init_w < 1e-10
      || !isfinite (opt->init_noise) || opt->init_noise < 0
      || !isfinite (opt->tail) || opt->tail < 0 || opt->tail > 1
      || opt->search_tasks > 100000000 || (metric == CS_PRETRAIN_SCALAR && opt->search_tasks < 1)
      || !isfinite (opt->scale_tol) || opt->scale_tol <= 0
      || opt->window < 1 || !isfinite (opt->tol) || opt->tol < 0 || opt->min_steps > opt->steps)
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  n = spec->n;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  /* The chunk serves both the search (CHUNK prompts) and Adam (batch prompts). */
  if (!chunk_init (&c, opt->batch > CHUNK ? opt->batch : CHUNK, n, d) || (s = malloc (n * sizeof (double))) == NULL)
    {
      chunk_clear (&c);
      return CS_PRETRAIN_ENOMEM;
    }
  cs_rng_seed (&rng, opt->seed);
  memset (&out, 0, sizeof out);
  u0 = log (opt->init_w);
  if (opt->search_tasks > 0)
    {
      /* Budget of the search: the scalar model's whole cap; the full model's
       * single stage runs at its size whatever the Adam step cap. */
      double budget = metric == CS_PRETRAIN_SCALAR ? (double) opt->steps * (double) opt->batch
                                                   : 20.0 * (double) opt->search_tasks;
      st = scale_search (spec, B, opt, &c, s, &rng, budget > 1e15 ? (size_t) 1e15 : (size_t) budget,
                         metric == CS_PRETRAIN_SCALAR ? 64 : 1, &u0, &loss0, &se, &converged, &evals, &prompts);
      if (st != CS_PRETRAIN_OK)
        goto done;
    }
  w0 = exp (u0);
  out.init_w = metric == CS_PRETRAIN_SCALAR ? opt->init_w : w0;

  if (metric == CS_PRETRAIN_SCALAR)
    {
      scalar_matrix (d, w0, out.M);
      out.w = w0;
      out.train_loss = loss0;
      out.log_w_se = se;
      out.steps = evals;
      out.prompts = prompts;
      out.converged = converged;
      goto done;
    }

  /* Full: M_K, M_Q = sqrt (w0) (I + init_noise G), Adam with the learning rate
   * relative to that scale, windows of W steps for the smoothed-loss rule. */
  {
    CsRng init;
    double r = sqrt (w0);
    nparams = 2 * d * d;
    cs_rng_seed (&init, opt->seed ^ SEED_INIT);
    for (size_t p = 0; p < 2; p++)
      for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
          theta[p * d * d + a * d + b] = r * ((a == b) + opt->init_noise * cs_rng_normal (&init));
    lr = opt->lr * r;
  }
  W = opt->window < opt->steps ? opt->window : opt->steps;
  if (opt->steps / W > 100000)
    W = opt->steps / 100000 + 1;   /* bounds the per-window storage below */
  nwin_max = opt->steps / W + 1;
  win_M = calloc (nwin_max * d * d, sizeof (double));
  win_l = calloc (nwin_max, sizeof (double));
  win_l2 = calloc (nwin_max, sizeof (double));
  if (win_M == NULL || win_l == NULL || win_l2 == NULL)
    {
      st = CS_PRETRAIN_ENOMEM;
      goto done;
    }
  adam_init (&adam, lr);

  for (size_t step = 0; step < opt->steps; step++)
    {
      double loss = 0;

      if (opt->progress != NULL && step % (W > 1 ? W / 2 : 1) == 0
          && opt->progress (0.1 + 0.9 * (double) step / (double) opt->steps, opt->user_data))
        {
          st = CS_PRETRAIN_CANCELLED;
          break;
        }
      kq_product (d, theta, theta + d * d, M);
      draw_with_basis (spec, B, &rng, opt->batch, c.x, c.y, c.q, c.f, NULL);
      prompts += opt->batch;
      memset (G, 0, sizeof G);
      softmax_accumulate (opt->batch, n, d, c.x, c.y, c.q, c.f, M, s, &loss, G);
      loss /= (double) opt->batch;
      for (size_t i = 0; i < d * d; i++)
        G[i] /= (double) opt->batch;
      if (!isfinite (loss))
        {
          st = CS_PRETRAIN_ENUMERIC;
          break;
        }
      for (size_t i = 0; i < d * d; i++)
        win_M[k * d * d + i] += M[i];
      win_l[k] += loss;
      win_l2[k] += loss * loss;
      done = step + 1;

      {
        /* M = K^T Q: d loss / dK = Q G^T, d loss / dQ = K G. */
        const double *K = theta, *Q = theta + d * d;
        for (size_t a = 0; a < d; a++)
          for (size_t b = 0; b < d; b++)
            {
              double gk = 0, gq = 0;
              for (size_t e = 0; e < d; e++)
                {
                  gk += Q[a * d + e] * G[b * d + e];
                  gq += K[a * d + e] * G[e * d + b];
                }
              grad[a * d + b] = gk;
              grad[d * d + a * d + b] = gq;
            }
      }
      adam_step (&adam, nparams, theta, grad);
      for (size_t i = 0; i < nparams; i++)
        if (!isfinite (theta[i]) || fabs (theta[i]) > 700)
          st = CS_PRETRAIN_ENUMERIC;
      if (st != CS_PRETRAIN_OK)
        break;

      if (done % W == 0)
        {
          k++;
          if (k >= 4 && done >= opt->min_steps)
            {
              /* Smoothed loss: the last two windows against the two before.
               * Converged when the improvement is both small (tol) and not
               * significant (two standard errors of the difference). */
              double m_old = (win_l[k - 4] + win_l[k - 3]) / (2.0 * W);
              double m_new = (win_l[k - 2] + win_l[k - 1]) / (2.0 * W);
              double v_old = (win_l2[k - 4] + win_l2[k - 3]) / (2.0 * W) - m_old * m_old;
              double v_new = (win_l2[k - 2] + win_l2[k - 1]) / (2.0 * W) - m_new * m_new;
              double se_diff = sqrt (fmax (v_old, 0) / (2.0 * W) + fmax (v_new, 0) / (2.0 * W));
              if (m_old - m_new < opt->tol * m_new && m_old - m_new < 2 * se_diff)
                {
                  converged = 1;
                  break;
                }
            }
        }
    }
  if (st != CS_PRETRAIN_OK)
    goto done;
  {
    /* Tail average over whole windows (the last partial one included when the
     * cap cut it): at least the two windows of the convergence test. */
    size_t kk = done % W == 0 ? k : k + 1, nt, from, cnt = 0;
    double lsum = 0;
    nt = (size_t) ceil (opt->tail * (double) kk);
    if (nt < (converged ? 2u : 1u))
      nt = converged ? 2 : 1;
    if (nt > kk)
      nt = kk;
    from = kk - nt;
    for (size_t j = from; j < kk; j++)
      {
        size_t len = j + 1 == kk && done % W != 0 ? done % W : W;
        for (size_t i = 0; i < d * d; i++)
          out.M[i] += win_M[j * d * d + i];
        lsum += win_l[j];
        cnt += len;
      }
    for (size_t i = 0; i < d * d; i++)
      out.M[i] /= (double) cnt;
    for (size_t a = 0; a < d; a++)
      out.w += out.M[a * d + a];
    out.w /= (double) d;
    out.train_loss = lsum / (double) cnt;
    out.log_w_se = NAN;
    out.steps = done;
    out.prompts = prompts;
    out.converged = converged;
  }

done:
  free (win_M);
  free (win_l);
  free (win_l2);
  free (s);
  chunk_clear (&c);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (opt->progress != NULL && opt->progress (1.0, opt->user_data))
    return CS_PRETRAIN_CANCELLED;
  *result = out;
  return CS_PRETRAIN_OK;
}

/* ---- Population-optimal scale by grid ------------------------------------ */

void
cs_pretrain_optim_options_init (CsPretrainOptimOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->tasks = CS_PRETRAIN_OPTIMAL_TASKS;
  opt->seed = 1;
  opt->w_min = 1e-3;
  opt->w_max = 1e6;
}

/* Loss sums of M = w I over one chunk for the geometric grid
 * w_k = w0 2^(k / per_octave), k = 0 .. nw-1. With c_i = x_i . q - max_j x_j . q
 * (<= 0), s_i - max s = w c_i, and exp (2 w c_i) = exp (w c_i)^2: one exp per
 * case and residue class of k, the other grid points by squaring (relative
 * error at most 2^octaves ulp, below 1e-7 over the widest grid, far under the
 * Monte-Carlo spread). The terms stay in [0, 1] and the max case keeps 1, so
 * nothing overflows and the normaliser never vanishes. */
static void
grid_accumulate (size_t        count,
                 size_t        n,
                 size_t        d,
                 const double *x,
                 const double *y,
                 const double *q,
                 const double *f,
                 double        w0,
                 size_t        per_octave,
                 size_t        nw,
                 double       *cbuf,
                 double       *ebuf,
                 double       *sums)
{
  for (size_t t = 0; t < count; t++)
    {
      const double *xt = x + t * n * d, *yt = y + t * n, *qt = q + t * d;
      double cmax = -INFINITY;

      for (size_t i = 0; i < n; i++)
        {
          double ci = 0;
          for (size_t j = 0; j < d; j++)
            ci += xt[i * d + j] * qt[j];
          cbuf[i] = ci;
          if (ci > cmax)
            cmax = ci;
        }
      for (size_t i = 0; i < n; i++)
        cbuf[i] -= cmax;
      for (size_t r = 0; r < per_octave && r < nw; r++)
        {
          double w = w0 * exp2 ((double) r / (double) per_octave);
          for (size_t i = 0; i < n; i++)
            ebuf[i] = exp (w * cbuf[i]);
          for (size_t k = r; k < nw; k += per_octave)
            {
              double z = 0, acc = 0, res;
              for (size_t i = 0; i < n; i++)
                {
                  z += ebuf[i];
                  acc += ebuf[i] * yt[i];
                }
              res = acc / z - f[t];
              sums[k] += res * res;
              for (size_t i = 0; i < n; i++)
                ebuf[i] *= ebuf[i];
            }
        }
    }
}

typedef struct
{
  CsPretrainProgress progress;
  void *user_data;
  double done, total;
} Progress;

static int
progress_tick (Progress *p,
               double    amount)
{
  p->done += amount;
  if (p->progress == NULL)
    return 0;
  return p->progress (p->total > 0 ? fmin (1.0, p->done / p->total) : 1.0, p->user_data);
}

/* Mean loss at each w_k = w0 2^(k / per_octave) over `tasks` prompts from seed. */
static CsPretrainStatus
grid_losses (const CsPretrainSpec *spec,
             const double         *B,
             size_t                tasks,
             uint64_t              seed,
             double                w0,
             size_t                per_octave,
             size_t                nw,
             Progress             *prog,
             double               *losses)
{
  size_t n = spec->n, d = spec->d;
  Chunk c = { 0 };
  double *cbuf = NULL, *ebuf = NULL;
  CsRng rng;
  CsPretrainStatus st = CS_PRETRAIN_OK;

  if (!chunk_init (&c, CHUNK, n, d) || (cbuf = malloc (n * sizeof (double))) == NULL
      || (ebuf = malloc (n * sizeof (double))) == NULL)
    {
      free (cbuf);
      chunk_clear (&c);
      return CS_PRETRAIN_ENOMEM;
    }
  for (size_t k = 0; k < nw; k++)
    losses[k] = 0;
  cs_rng_seed (&rng, seed);
  for (size_t done = 0; done < tasks; done += CHUNK)
    {
      size_t m = tasks - done < CHUNK ? tasks - done : CHUNK;
      draw_with_basis (spec, B, &rng, m, c.x, c.y, c.q, c.f, NULL);
      grid_accumulate (m, n, d, c.x, c.y, c.q, c.f, w0, per_octave, nw, cbuf, ebuf, losses);
      if (progress_tick (prog, (double) (m * nw)))
        {
          st = CS_PRETRAIN_CANCELLED;
          break;
        }
    }
  free (ebuf);
  free (cbuf);
  chunk_clear (&c);
  for (size_t k = 0; k < nw && st == CS_PRETRAIN_OK; k++)
    {
      losses[k] /= (double) tasks;
      if (!isfinite (losses[k]))
        st = CS_PRETRAIN_ENUMERIC;
    }
  return st;
}

#define MAX_GRID 96
#define FINE_HALF 4     /* fine grid: 2^(j/4), j = -4..4 */

static CsPretrainStatus
optimal_w (const CsPretrainSpec         *spec,
           const CsPretrainOptimOptions *opt,
           Progress                     *prog,
           double                       *w_star,
           double                       *loss_star,
           int                          *at_edge)
{
  double B[DD], ws[MAX_GRID], losses[MAX_GRID], fine_w[2 * FINE_HALF + 1], fine_l[2 * FINE_HALF + 1];
  size_t nw = 0, best = 0, fbest = 0;
  double octaves, lstar, wstar;
  int edge = 0;
  CsPretrainStatus st;

  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  /* Coarse grid w_min 2^k up to w_max. */
  octaves = floor (log2 (opt->w_max / opt->w_min) + 1e-9);
  for (nw = 0; (double) nw <= octaves && nw < MAX_GRID; nw++)
    ws[nw] = opt->w_min * exp2 ((double) nw);
  if (nw < 3)
    return CS_PRETRAIN_EINVAL;

  st = grid_losses (spec, B, opt->tasks, opt->seed, ws[0], 1, nw, prog, losses);
  if (st != CS_PRETRAIN_OK)
    return st;
  for (size_t k = 1; k < nw; k++)
    if (losses[k] < losses[best])
      best = k;
  if (best == 0 || best == nw - 1)
    {
      /* The minimum is at the end of the range: report the end. */
      edge = 1;
      *w_star = ws[best];
      *loss_star = losses[best];
      if (at_edge != NULL)
        *at_edge = edge;
      /* Account for the skipped fine pass so progress still ends at 1. */
      return progress_tick (prog, (double) opt->tasks * (2 * FINE_HALF + 1)) ? CS_PRETRAIN_CANCELLED : CS_PRETRAIN_OK;
    }

  for (int j = -FINE_HALF; j <= FINE_HALF; j++)
    fine_w[j + FINE_HALF] = ws[best] * exp2 ((double) j / FINE_HALF);
  st = grid_losses (spec, B, opt->tasks, opt->seed, fine_w[0], FINE_HALF, 2 * FINE_HALF + 1, prog, fine_l);
  if (st != CS_PRETRAIN_OK)
    return st;
  for (size_t k = 1; k < 2 * FINE_HALF + 1; k++)
    if (fine_l[k] < fine_l[fbest])
      fbest = k;
  wstar = fine_w[fbest];
  lstar = fine_l[fbest];
  if (fbest > 0 && fbest < 2 * FINE_HALF)
    {
      /* Vertex of the parabola through three equally spaced points in log w. */
      double l0 = fine_l[fbest - 1], l1 = fine_l[fbest], l2 = fine_l[fbest + 1];
      double h = log (2.0) / FINE_HALF, den = l0 - 2 * l1 + l2;
      if (den > 0)
        {
          double off = 0.5 * h * (l0 - l2) / den;
          if (fabs (off) <= h)
            {
              wstar = fine_w[fbest] * exp (off);
              lstar = l1 - (l0 - l2) * (l0 - l2) / (8 * den);
            }
        }
    }
  *w_star = wstar;
  *loss_star = lstar;
  if (at_edge != NULL)
    *at_edge = edge;
  return CS_PRETRAIN_OK;
}

static int
optim_options_valid (const CsPretrainOptimOptions *opt)
{
  return opt->tasks >= 1 && opt->tasks <= 100000000
    && isfinite (opt->w_min) && isfinite (opt->w_max)
    && opt->w_min > 0 && opt->w_max >= 4 * opt->w_min && opt->w_max <= 1e12;
}

CsPretrainStatus
cs_pretrain_optimal_w (const CsPretrainSpec         *spec,
                       const CsPretrainOptimOptions *opt,
                       double                       *w_star,
                       double                       *loss_star,
                       int                          *at_edge)
{
  CsPretrainOptimOptions defaults;
  Progress prog;
  double w, l;
  int edge = 0;
  CsPretrainStatus st;

  if (opt == NULL)
    {
      cs_pretrain_optim_options_init (&defaults);
      opt = &defaults;
    }
  if (!cs_pretrain_spec_valid (spec) || w_star == NULL || !optim_options_valid (opt))
    return CS_PRETRAIN_EINVAL;
  prog.progress = opt->progress;
  prog.user_data = opt->user_data;
  prog.done = 0;
  prog.total = (double) opt->tasks * (floor (log2 (opt->w_max / opt->w_min)) + 1 + 2 * FINE_HALF + 1);
  st = optimal_w (spec, opt, &prog, &w, &l, &edge);
  if (st != CS_PRETRAIN_OK)
    return st;
  *w_star = w;
  if (loss_star != NULL)
    *loss_star = l;
  if (at_edge != NULL)
    *at_edge = edge;
  return CS_PRETRAIN_OK;
}

/* ---- Linear attention ---------------------------------------------------- */

/* Z = (1/n) sum_i y_i x_i q^T, so that y_lin = <M, Z>; returns Z (d x d). */
static void
linear_features (size_t        n,
                 size_t        d,
                 const double *x,
                 const double *y,
                 const double *q,
                 double       *Z)
{
  double u[CS_PRETRAIN_MAX_D] = { 0 };

  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      u[j] += y[i] * x[i * d + j];
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      Z[a * d + b] = u[a] * q[b] / (double) n;
}

CsPretrainStatus
cs_pretrain_linear_fit (const CsPretrainSpec *spec,
                        CsPretrainMetric      metric,
                        size_t                tasks,
                        uint64_t              seed,
                        double               *M_out)
{
  size_t d, n, m;
  double B[DD], Z[DD], *A = NULL, r[DD], z[DD];   /* A: m x m, then the solver's m x m work */
  double zz = 0, zf = 0;
  Chunk c = { 0 };
  CsRng rng;
  CsPretrainStatus st;

  if (!cs_pretrain_spec_valid (spec) || (unsigned) metric >= CS_PRETRAIN_N_METRICS
      || tasks < 1 || tasks > 100000000 || M_out == NULL)
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  n = spec->n;
  m = d * d;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (!chunk_init (&c, CHUNK, n, d) || (A = calloc (2 * m * m, sizeof (double))) == NULL)
    {
      chunk_clear (&c);
      return CS_PRETRAIN_ENOMEM;
    }
  memset (r, 0, sizeof r);
  cs_rng_seed (&rng, seed ^ SEED_LINEAR);
  for (size_t done = 0; done < tasks; done += CHUNK)
    {
      size_t cnt = tasks - done < CHUNK ? tasks - done : CHUNK;
      draw_with_basis (spec, B, &rng, cnt, c.x, c.y, c.q, c.f, NULL);
      for (size_t t = 0; t < cnt; t++)
        {
          linear_features (n, d, c.x + t * n * d, c.y + t * n, c.q + t * d, Z);
          if (metric == CS_PRETRAIN_SCALAR)
            {
              double tz = 0;
              for (size_t a = 0; a < d; a++)
                tz += Z[a * d + a];
              zz += tz * tz;
              zf += tz * c.f[t];
            }
          else
            {
              for (size_t i = 0; i < m; i++)
                {
                  r[i] += Z[i] * c.f[t];
                  for (size_t j = 0; j <= i; j++)
                    A[i * m + j] += Z[i] * Z[j];
                }
            }
        }
    }
  chunk_clear (&c);

  if (metric == CS_PRETRAIN_SCALAR)
    {
      double w = zz > 0 ? zf / zz : 0;
      free (A);
      for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
          M_out[a * d + b] = a == b ? w : 0;
      return isfinite (w) ? CS_PRETRAIN_OK : CS_PRETRAIN_ENUMERIC;
    }
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < i; j++)
      A[j * m + i] = A[i * m + j];
  /* A relative ridge of 1e-12 for the directions the prompts never excite;
   * no second try: a matrix that is still not SPD is a numeric failure. */
  if (cs_spd_solve (m, A, r, 1e-12, 1e-12, A + m * m, z, NULL) != 0)
    {
      free (A);
      return CS_PRETRAIN_ENUMERIC;
    }
  free (A);
  for (size_t i = 0; i < m; i++)
    if (!isfinite (z[i]))
      return CS_PRETRAIN_ENUMERIC;
  memcpy (M_out, z, m * sizeof (double));
  return CS_PRETRAIN_OK;
}

CsPretrainStatus
cs_pretrain_evaluate (const CsPretrainSpec *spec,
                      const double         *M_softmax,
                      const double         *M_linear,
                      size_t                tasks,
                      uint64_t              seed,
                      double               *mse_softmax,
                      double               *mse_linear)
{
  size_t d, n;
  double B[DD], Z[DD], *s = NULL, sum_s = 0, sum_l = 0;
  Chunk c = { 0 };
  CsRng rng;
  CsPretrainStatus st;

  if (!cs_pretrain_spec_valid (spec) || tasks < 1 || tasks > 100000000
      || (M_softmax != NULL && mse_softmax == NULL) || (M_linear != NULL && mse_linear == NULL))
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  n = spec->n;
  for (size_t i = 0; i < d * d; i++)
    if ((M_softmax != NULL && !isfinite (M_softmax[i])) || (M_linear != NULL && !isfinite (M_linear[i])))
      return CS_PRETRAIN_EINVAL;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (!chunk_init (&c, CHUNK, n, d) || (s = malloc (n * sizeof (double))) == NULL)
    {
      chunk_clear (&c);
      return CS_PRETRAIN_ENOMEM;
    }
  cs_rng_seed (&rng, seed);
  for (size_t done = 0; done < tasks; done += CHUNK)
    {
      size_t cnt = tasks - done < CHUNK ? tasks - done : CHUNK;
      draw_with_basis (spec, B, &rng, cnt, c.x, c.y, c.q, c.f, NULL);
      if (M_softmax != NULL)
        softmax_accumulate (cnt, n, d, c.x, c.y, c.q, c.f, M_softmax, s, &sum_s, NULL);
      if (M_linear != NULL)
        for (size_t t = 0; t < cnt; t++)
          {
            double p = 0, r;
            linear_features (n, d, c.x + t * n * d, c.y + t * n, c.q + t * d, Z);
            for (size_t i = 0; i < d * d; i++)
              p += M_linear[i] * Z[i];
            r = p - c.f[t];
            sum_l += r * r;
          }
    }
  free (s);
  chunk_clear (&c);
  if (M_softmax != NULL)
    {
      *mse_softmax = sum_s / (double) tasks;
      if (!isfinite (*mse_softmax))
        return CS_PRETRAIN_ENUMERIC;
    }
  if (M_linear != NULL)
    {
      *mse_linear = sum_l / (double) tasks;
      if (!isfinite (*mse_linear))
        return CS_PRETRAIN_ENUMERIC;
    }
  return CS_PRETRAIN_OK;
}

CsPretrainStatus
cs_pretrain_subspace_ratio (const CsPretrainSpec *spec,
                            const double         *M,
                            double               *ratio)
{
  double B[DD], P[DD] = { 0 }, PM[DD] = { 0 }, in = 0, out = 0;
  size_t d, k;
  CsPretrainStatus st;

  if (!cs_pretrain_spec_valid (spec) || spec->rank == 0 || M == NULL || ratio == NULL)
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  k = spec->rank;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      for (size_t c = 0; c < k; c++)
        P[a * d + b] += B[a * k + c] * B[b * k + c];
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      for (size_t c = 0; c < d; c++)
        PM[a * d + b] += P[a * d + c] * M[c * d + b];
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      {
        double pmp = 0;
        for (size_t c = 0; c < d; c++)
          pmp += PM[a * d + c] * P[c * d + b];
        in += pmp * pmp;
        out += (M[a * d + b] - pmp) * (M[a * d + b] - pmp);
      }
  if (!isfinite (in) || !isfinite (out))
    return CS_PRETRAIN_EINVAL;
  *ratio = in > 0 ? sqrt (out / in) : INFINITY;
  return CS_PRETRAIN_OK;
}

/* ---- Theory and sweeps --------------------------------------------------- */

double
cs_pretrain_theory_window (const CsPretrainSpec *spec)
{
  if (!cs_pretrain_spec_valid (spec))
    return NAN;
  if (spec->L == 0)
    return INFINITY;
  return pow (spec->sigma * spec->sigma / (spec->L * spec->L * (double) spec->n),
              1.0 / ((double) spec->d + 2.0));
}

double
cs_pretrain_loglog_slope (const double *x,
                          const double *y,
                          size_t        count)
{
  double mx = 0, my = 0, sxx = 0, sxy = 0;

  if (x == NULL || y == NULL || count < 2)
    return NAN;
  for (size_t i = 0; i < count; i++)
    {
      if (!(x[i] > 0) || !(y[i] > 0) || !isfinite (x[i]) || !isfinite (y[i]))
        return NAN;
      mx += log (x[i]);
      my += log (y[i]);
    }
  mx /= (double) count;
  my /= (double) count;
  for (size_t i = 0; i < count; i++)
    {
      double dx = log (x[i]) - mx;
      sxx += dx * dx;
      sxy += dx * (log (y[i]) - my);
    }
  return sxx > 0 ? sxy / sxx : NAN;
}

void
cs_pretrain_sweep_clear (CsPretrainSweep *sweep)
{
  if (sweep == NULL)
    return;
  free (sweep->value);
  free (sweep->w_star);
  free (sweep->window);
  free (sweep->loss);
  free (sweep->theory);
  free (sweep->theory_fit);
  free (sweep->at_edge);
  memset (sweep, 0, sizeof *sweep);
}

CsPretrainStatus
cs_pretrain_sweep (const CsPretrainSpec         *base,
                   CsPretrainSweepParam          param,
                   const double                 *values,
                   size_t                        count,
                   const CsPretrainOptimOptions *opt,
                   CsPretrainSweep              *sweep)
{
  CsPretrainOptimOptions defaults;
  CsPretrainSweep out;
  Progress prog;
  double log_c = 0;
  CsPretrainStatus st = CS_PRETRAIN_OK;

  if (sweep == NULL)
    return CS_PRETRAIN_EINVAL;
  memset (sweep, 0, sizeof *sweep);
  if (opt == NULL)
    {
      cs_pretrain_optim_options_init (&defaults);
      opt = &defaults;
    }
  if (!cs_pretrain_spec_valid (base) || !optim_options_valid (opt) || values == NULL
      || count < 1 || count > 10000 || (param != CS_PRETRAIN_SWEEP_L && param != CS_PRETRAIN_SWEEP_SIGMA))
    return CS_PRETRAIN_EINVAL;
  for (size_t i = 0; i < count; i++)
    {
      CsPretrainSpec s = *base;
      if (!isfinite (values[i]) || values[i] <= 0)
        return CS_PRETRAIN_EINVAL;
      if (param == CS_PRETRAIN_SWEEP_L)
        s.L = values[i];
      else
        s.sigma = values[i];
      if (!cs_pretrain_spec_valid (&s) || s.L == 0 || s.sigma == 0)
        return CS_PRETRAIN_EINVAL;
    }

  memset (&out, 0, sizeof out);
  out.param = param;
  out.count = count;
  out.value = malloc (count * sizeof (double));
  out.w_star = malloc (count * sizeof (double));
  out.window = malloc (count * sizeof (double));
  out.loss = malloc (count * sizeof (double));
  out.theory = malloc (count * sizeof (double));
  out.theory_fit = malloc (count * sizeof (double));
  out.at_edge = calloc (count, sizeof (int));
  if (!out.value || !out.w_star || !out.window || !out.loss || !out.theory || !out.theory_fit || !out.at_edge)
    {
      cs_pretrain_sweep_clear (&out);
      return CS_PRETRAIN_ENOMEM;
    }

  prog.progress = opt->progress;
  prog.user_data = opt->user_data;
  prog.done = 0;
  prog.total = (double) count * (double) opt->tasks
    * (floor (log2 (opt->w_max / opt->w_min)) + 1 + 2 * FINE_HALF + 1);
  for (size_t i = 0; i < count && st == CS_PRETRAIN_OK; i++)
    {
      CsPretrainSpec s = *base;
      if (param == CS_PRETRAIN_SWEEP_L)
        s.L = values[i];
      else
        s.sigma = values[i];
      out.value[i] = values[i];
      st = optimal_w (&s, opt, &prog, &out.w_star[i], &out.loss[i], &out.at_edge[i]);
      if (st == CS_PRETRAIN_OK)
        {
          out.window[i] = 1.0 / sqrt (out.w_star[i]);
          out.theory[i] = cs_pretrain_theory_window (&s);
          log_c += log (out.window[i] / out.theory[i]);
        }
    }
  if (st != CS_PRETRAIN_OK)
    {
      cs_pretrain_sweep_clear (&out);
      return st;
    }
  log_c /= (double) count;
  for (size_t i = 0; i < count; i++)
    out.theory_fit[i] = out.theory[i] * exp (log_c);
  out.slope_w = cs_pretrain_loglog_slope (out.value, out.w_star, count);
  out.slope_window = cs_pretrain_loglog_slope (out.value, out.window, count);
  out.slope_theory = cs_pretrain_loglog_slope (out.value, out.theory, count);
  *sweep = out;
  return CS_PRETRAIN_OK;
}
