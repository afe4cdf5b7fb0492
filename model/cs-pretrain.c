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

void
cs_pretrain_train_options_init (CsPretrainTrainOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->steps = 3000;
  opt->batch = 128;
  opt->lr = 1e-2;
  opt->init_w = 1.0;
  opt->init_noise = 0.3;
  opt->tail = 0.2;
  opt->seed = 1;
}

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

CsPretrainStatus
cs_pretrain_train (const CsPretrainSpec         *spec,
                   CsPretrainMetric              metric,
                   const CsPretrainTrainOptions *opt,
                   CsPretrainResult             *result)
{
  CsPretrainTrainOptions defaults;
  size_t d, n, tail_start, tail_count = 0, report_every;
  double theta[2 * DD], grad[2 * DD], M[DD], G[DD], Mavg[DD];
  double B[DD], *s = NULL, tail_loss = 0;
  size_t nparams;
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
      || !isfinite (opt->init_noise) || opt->init_noise < 0
      || !isfinite (opt->tail) || opt->tail < 0 || opt->tail > 1)
    return CS_PRETRAIN_EINVAL;
  d = spec->d;
  n = spec->n;
  st = cs_pretrain_basis (spec, B);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (!chunk_init (&c, opt->batch, n, d) || (s = malloc (n * sizeof (double))) == NULL)
    {
      chunk_clear (&c);
      return CS_PRETRAIN_ENOMEM;
    }

  /* Parameters: log w (scalar), or M_K then M_Q (full). */
  if (metric == CS_PRETRAIN_SCALAR)
    {
      nparams = 1;
      theta[0] = log (opt->init_w);
    }
  else
    {
      CsRng init;
      double r = sqrt (opt->init_w);
      nparams = 2 * d * d;
      cs_rng_seed (&init, opt->seed ^ SEED_INIT);
      for (size_t p = 0; p < 2; p++)
        for (size_t a = 0; a < d; a++)
          for (size_t b = 0; b < d; b++)
            theta[p * d * d + a * d + b] = r * ((a == b) + opt->init_noise * cs_rng_normal (&init));
    }
  adam_init (&adam, opt->lr);
  cs_rng_seed (&rng, opt->seed);
  memset (Mavg, 0, sizeof Mavg);
  tail_start = opt->steps - (size_t) floor (opt->tail * (double) opt->steps);
  if (tail_start >= opt->steps)
    tail_start = opt->steps - 1;
  report_every = opt->steps / 100 > 0 ? opt->steps / 100 : 1;

  for (size_t step = 0; step < opt->steps; step++)
    {
      double loss = 0;

      if (opt->progress != NULL && step % report_every == 0
          && opt->progress ((double) step / (double) opt->steps, opt->user_data))
        {
          st = CS_PRETRAIN_CANCELLED;
          break;
        }
      if (metric == CS_PRETRAIN_SCALAR)
        {
          double w = exp (theta[0]);
          for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
              M[a * d + b] = a == b ? w : 0;
        }
      else
        kq_product (d, theta, theta + d * d, M);

      draw_with_basis (spec, B, &rng, opt->batch, c.x, c.y, c.q, c.f, NULL);
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
      if (step >= tail_start)
        {
          for (size_t i = 0; i < d * d; i++)
            Mavg[i] += M[i];
          tail_loss += loss;
          tail_count++;
        }

      if (metric == CS_PRETRAIN_SCALAR)
        {
          /* d loss / d log w = sum_ab G_ab M_ab = w trace (G). */
          double tr = 0;
          for (size_t a = 0; a < d; a++)
            tr += G[a * d + a];
          grad[0] = exp (theta[0]) * tr;
        }
      else
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
    }

  free (s);
  chunk_clear (&c);
  if (st != CS_PRETRAIN_OK)
    return st;
  if (opt->progress != NULL && opt->progress (1.0, opt->user_data))
    return CS_PRETRAIN_CANCELLED;

  memset (result, 0, sizeof *result);
  result->w = 0;
  for (size_t i = 0; i < d * d; i++)
    result->M[i] = Mavg[i] / (double) tail_count;
  for (size_t a = 0; a < d; a++)
    result->w += result->M[a * d + a];
  result->w /= (double) d;
  result->train_loss = tail_loss / (double) tail_count;
  result->steps = opt->steps;
  return CS_PRETRAIN_OK;
}

/* ---- Population-optimal scale by grid ------------------------------------ */

void
cs_pretrain_optim_options_init (CsPretrainOptimOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->tasks = 4096;
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
