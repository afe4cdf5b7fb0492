/* test-pretrain.c: fast checks of the paper-setting pretraining (reduced C1-C7, laws, gradients, API). */
#define G_LOG_DOMAIN "test-pretrain"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-pretrain.h"

static CsPretrainSpec
spec_make (CsPretrainClass cls,
           size_t          d,
           size_t          n,
           double          L,
           double          sigma)
{
  CsPretrainSpec s;

  memset (&s, 0, sizeof s);
  s.task_class = cls;
  s.d = d;
  s.n = n;
  s.L = L;
  s.sigma = sigma;
  return s;
}

typedef struct
{
  size_t count, n, d;
  double *x, *y, *q, *f, *fx;
} Prompts;

static Prompts *
prompts_draw (const CsPretrainSpec *s,
              guint64               seed,
              size_t                count)
{
  Prompts *p = g_new0 (Prompts, 1);
  CsRng rng;

  p->count = count;
  p->n = s->n;
  p->d = s->d;
  p->x = g_new (double, count * s->n * s->d);
  p->y = g_new (double, count * s->n);
  p->q = g_new (double, count * s->d);
  p->f = g_new (double, count);
  p->fx = g_new (double, count * s->n);
  cs_rng_seed (&rng, seed);
  g_assert_cmpint (cs_pretrain_draw (s, &rng, count, p->x, p->y, p->q, p->f, p->fx), ==, CS_PRETRAIN_OK);
  return p;
}

static void
prompts_free (Prompts *p)
{
  g_free (p->x);
  g_free (p->y);
  g_free (p->q);
  g_free (p->f);
  g_free (p->fx);
  g_free (p);
}

static double
rel_diff (double a,
          double b)
{
  return fabs (a - b) / fmax (fabs (a), fabs (b));
}

/* Inputs on the sphere; label noise has sd sigma; affine tasks are exactly affine
 * with |a| = 1 and b in [-1, 1] (E b^2 = 1/3); relu tasks are one-sided with |f| <= L. */
static void
test_draw_laws (void)
{
  const size_t dims[] = { 1, 2, 3, 5, 8 };

  for (gsize di = 0; di < G_N_ELEMENTS (dims); di++)
    for (int cls = 0; cls < CS_PRETRAIN_N_CLASSES; cls++)
      {
        size_t d = dims[di], n = 40, count = 300;
        double L = 0.5 + di, sigma = 0.3;
        CsPretrainSpec s = spec_make (cls, d, n, L, sigma);
        Prompts *p = prompts_draw (&s, 11 + di * 7 + cls, count);
        double sum = 0, sum2 = 0;

        for (size_t i = 0; i < count * n; i++)
          {
            double nrm = 0, e = p->y[i] - p->fx[i];
            for (size_t j = 0; j < d; j++)
              nrm += p->x[i * d + j] * p->x[i * d + j];
            g_assert_cmpfloat (fabs (nrm - 1), <, 1e-12);
            g_assert_cmpfloat (fabs (p->fx[i]), <=, L + (cls == CS_PRETRAIN_AFFINE ? 1 : 0) + 1e-12);
            sum += e;
            sum2 += e * e;
          }
        sum /= count * n;
        g_assert_cmpfloat (fabs (sum), <, 4 * sigma / sqrt (count * n));
        g_assert_cmpfloat (fabs (sqrt (sum2 / (count * n)) / sigma - 1), <, 0.03);

        if (cls == CS_PRETRAIN_RELU)
          {
            size_t zeros = 0;
            for (size_t t = 0; t < count; t++)
              {
                double sign = 0;
                for (size_t i = 0; i < n; i++)
                  {
                    double v = p->fx[t * n + i];
                    if (v == 0)
                      zeros++;
                    else if (sign == 0)
                      sign = v > 0 ? 1 : -1;
                    else
                      g_assert_cmpfloat (v * sign, >, 0);
                  }
              }
            /* Half of the sphere is switched off. */
            g_assert_cmpfloat (fabs ((double) zeros / (count * n) - 0.5), <, 0.03);
          }
        else if (d == 2)
          {
            double b2 = 0;
            for (size_t t = 0; t < count; t++)
              {
                /* Solve [x1 x2 1] (La1, La2, b) = fx from three cases; check the rest and f(q). */
                const double *x = p->x + t * n * d, *fx = p->fx + t * n;
                double m[3][4], sol[3];
                for (int r = 0; r < 3; r++)
                  {
                    m[r][0] = x[r * 2];
                    m[r][1] = x[r * 2 + 1];
                    m[r][2] = 1;
                    m[r][3] = fx[r];
                  }
                for (int c = 0; c < 3; c++)
                  {
                    int piv = c;
                    for (int r = c + 1; r < 3; r++)
                      if (fabs (m[r][c]) > fabs (m[piv][c]))
                        piv = r;
                    for (int k = 0; k < 4; k++)
                      {
                        double tmp = m[c][k];
                        m[c][k] = m[piv][k];
                        m[piv][k] = tmp;
                      }
                    for (int r = 0; r < 3; r++)
                      if (r != c)
                        {
                          double fac = m[r][c] / m[c][c];
                          for (int k = 0; k < 4; k++)
                            m[r][k] -= fac * m[c][k];
                        }
                  }
                for (int c = 0; c < 3; c++)
                  sol[c] = m[c][3] / m[c][c];
                g_assert_cmpfloat (fabs (hypot (sol[0], sol[1]) - L), <, 1e-6 * L);
                g_assert_cmpfloat (fabs (sol[2]), <=, 1 + 1e-9);
                for (size_t i = 3; i < n; i++)
                  g_assert_cmpfloat (fabs (sol[0] * x[i * 2] + sol[1] * x[i * 2 + 1] + sol[2] - fx[i]), <, 1e-6);
                g_assert_cmpfloat (fabs (sol[0] * p->q[t * 2] + sol[1] * p->q[t * 2 + 1] + sol[2] - p->f[t]), <, 1e-6);
                b2 += sol[2] * sol[2];
              }
            /* E b^2 = 1/3, sd of the mean ~ 0.3 / sqrt (300) = 0.017. */
            g_assert_cmpfloat (fabs (b2 / count - 1.0 / 3.0), <, 0.06);
          }
        prompts_free (p);
      }
}

static void
test_c6_reduced (void)
{
  /* Tasks varying along one direction of R^3: training concentrates M there. */
  CsPretrainSpec s = spec_make (CS_PRETRAIN_AFFINE, 3, 60, 1, 0.5);
  CsPretrainSpec iso = s;
  CsPretrainTrainOptions o;
  CsPretrainResult r, ri;
  double ratio, ratio_iso;

  s.rank = 1;
  s.basis_seed = 17;
  cs_pretrain_train_options_init (&o);
  o.steps = 1500;
  /* The loss barely depends on the part of M outside the subspace, so the
   * smoothed-loss rule stops before it has decayed (ratio 0.13): run all 1500. */
  o.min_steps = 1500;
  o.seed = 3;
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_FULL, &o, &r), ==, CS_PRETRAIN_OK);
  g_assert_cmpint (cs_pretrain_subspace_ratio (&s, r.M, &ratio), ==, CS_PRETRAIN_OK);
  /* The same measure for a model trained on isotropic tasks stays near sqrt (2). */
  g_assert_cmpint (cs_pretrain_train (&iso, CS_PRETRAIN_FULL, &o, &ri), ==, CS_PRETRAIN_OK);
  g_assert_cmpint (cs_pretrain_subspace_ratio (&s, ri.M, &ratio_iso), ==, CS_PRETRAIN_OK);
  g_test_message ("low rank: outside/inside %.4f; isotropic tasks: %.4f", ratio, ratio_iso);
  g_assert_cmpfloat (ratio, <, 0.1);
  g_assert_cmpfloat (ratio_iso, >, 1.0);
  g_assert_cmpint (cs_pretrain_subspace_ratio (&iso, ri.M, &ratio_iso), ==, CS_PRETRAIN_EINVAL);
}

static void
test_draw_deterministic (void)
{
  for (guint64 seed = 1; seed < 4; seed++)
    {
      CsPretrainSpec s = spec_make (CS_PRETRAIN_RELU, 3, 17, 2, 0.4);
      Prompts *a = prompts_draw (&s, seed, 20), *b = prompts_draw (&s, seed, 20), *c = prompts_draw (&s, seed + 100, 20);
      g_assert_cmpmem (a->x, sizeof (double) * 20 * 17 * 3, b->x, sizeof (double) * 20 * 17 * 3);
      g_assert_cmpmem (a->y, sizeof (double) * 20 * 17, b->y, sizeof (double) * 20 * 17);
      g_assert_cmpmem (a->f, sizeof (double) * 20, b->f, sizeof (double) * 20);
      g_assert_true (memcmp (a->x, c->x, sizeof (double) * 20 * 17 * 3) != 0);
      prompts_free (a);
      prompts_free (b);
      prompts_free (c);
    }
}

/* Low rank: B has orthonormal columns, and a rank-1 affine task is
 * f = +-L B^T x + b, so |f(x_i) - f(x_j)| = L |B^T (x_i - x_j)|. */
static void
test_low_rank (void)
{
  for (size_t d = 2; d <= 8; d += 3)
    for (size_t k = 1; k <= d; k++)
      {
        CsPretrainSpec s = spec_make (CS_PRETRAIN_AFFINE, d, 30, 1.5, 0);
        double B[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];
        s.rank = k;
        s.basis_seed = 1000 + d * 10 + k;
        g_assert_cmpint (cs_pretrain_basis (&s, B), ==, CS_PRETRAIN_OK);
        for (size_t a = 0; a < k; a++)
          for (size_t b = 0; b < k; b++)
            {
              double dot = 0;
              for (size_t i = 0; i < d; i++)
                dot += B[i * k + a] * B[i * k + b];
              g_assert_cmpfloat (fabs (dot - (a == b)), <, 1e-12);
            }
        {
          /* The C6 measure: 0 for the projector B B^T, sqrt ((d-k)/k) for I. */
          double P[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D] = { 0 }, I[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D] = { 0 };
          double ratio = -1;
          for (size_t a = 0; a < d; a++)
            {
              I[a * d + a] = 1;
              for (size_t b = 0; b < d; b++)
                for (size_t c = 0; c < k; c++)
                  P[a * d + b] += 3 * B[a * k + c] * B[b * k + c];
            }
          g_assert_cmpint (cs_pretrain_subspace_ratio (&s, P, &ratio), ==, CS_PRETRAIN_OK);
          g_assert_cmpfloat (ratio, <, 1e-12);
          g_assert_cmpint (cs_pretrain_subspace_ratio (&s, I, &ratio), ==, CS_PRETRAIN_OK);
          g_assert_cmpfloat (fabs (ratio - sqrt ((double) (d - k) / k)), <, 1e-12);
        }
        if (k == 1)
          {
            Prompts *p = prompts_draw (&s, 5 + d, 50);
            for (size_t t = 0; t < 50; t++)
              for (size_t i = 1; i < 30; i++)
                {
                  const double *xi = p->x + (t * 30 + i) * d, *x0 = p->x + t * 30 * d;
                  double proj = 0;
                  for (size_t j = 0; j < d; j++)
                    proj += B[j] * (xi[j] - x0[j]);
                  g_assert_cmpfloat (fabs (fabs (p->fx[t * 30 + i] - p->fx[t * 30]) - 1.5 * fabs (proj)), <, 1e-12);
                }
            prompts_free (p);
          }
      }
}

/* Straightforward reference: no max subtraction, long double. */
static double
naive_loss (const Prompts *p,
            const double  *M)
{
  size_t d = p->d, n = p->n;
  long double total = 0;

  for (size_t t = 0; t < p->count; t++)
    {
      long double z = 0, acc = 0, r;
      for (size_t i = 0; i < n; i++)
        {
          long double s = 0;
          for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
              s += (long double) p->x[(t * n + i) * d + a] * M[a * d + b] * p->q[t * d + b];
          z += expl (s);
          acc += expl (s) * p->y[t * n + i];
        }
      r = acc / z - p->f[t];
      total += r * r;
    }
  return (double) (total / p->count);
}

static void
test_softmax_loss_and_gradient (void)
{
  for (guint64 seed = 1; seed <= 4; seed++)
    {
      size_t d = 1 + seed % 4, n = 5 + 7 * seed;
      CsPretrainSpec s = spec_make (seed % 2 ? CS_PRETRAIN_RELU : CS_PRETRAIN_AFFINE, d, n, 1.0 + seed, 0.3);
      Prompts *p = prompts_draw (&s, seed * 31, 12);
      double M[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D], G[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];
      double loss, lp, lm;
      CsRng rng;

      cs_rng_seed (&rng, seed);
      for (size_t i = 0; i < d * d; i++)
        M[i] = 3 * cs_rng_normal (&rng);
      g_assert_cmpint (cs_pretrain_softmax_loss (p->count, n, d, p->x, p->y, p->q, p->f, M, &loss, G), ==, CS_PRETRAIN_OK);
      g_assert_cmpfloat (rel_diff (loss, naive_loss (p, M)), <, 1e-12);
      for (size_t i = 0; i < d * d; i++)
        {
          double h = 1e-5, keep = M[i], fd;
          M[i] = keep + h;
          cs_pretrain_softmax_loss (p->count, n, d, p->x, p->y, p->q, p->f, M, &lp, NULL);
          M[i] = keep - h;
          cs_pretrain_softmax_loss (p->count, n, d, p->x, p->y, p->q, p->f, M, &lm, NULL);
          M[i] = keep;
          fd = (lp - lm) / (2 * h);
          g_assert_cmpfloat (fabs (fd - G[i]), <, 1e-6 * (fabs (G[i]) + 1e-3));
        }

      /* Huge scale: no overflow, the prediction is the mean label of the
       * best-scoring cases (ties are common for d = 1, where x = +-1). */
      for (size_t i = 0; i < d * d; i++)
        M[i] = (i % (d + 1) == 0) ? 1e300 : 0;
      g_assert_cmpint (cs_pretrain_softmax_loss (p->count, n, d, p->x, p->y, p->q, p->f, M, &loss, G), ==, CS_PRETRAIN_OK);
      for (size_t i = 0; i < d * d; i++)
        g_assert_true (isfinite (G[i]));
      {
        double expect = 0;
        for (size_t t = 0; t < p->count; t++)
          {
            double bs = -INFINITY, sum = 0, r;
            int ties = 0;
            for (int pass = 0; pass < 2; pass++)
              for (size_t i = 0; i < n; i++)
                {
                  double c = 0;
                  for (size_t j = 0; j < d; j++)
                    c += p->x[(t * n + i) * d + j] * p->q[t * d + j];
                  if (pass == 0 && c > bs)
                    bs = c;
                  else if (pass == 1 && c == bs)
                    {
                      sum += p->y[t * n + i];
                      ties++;
                    }
                }
            r = sum / ties - p->f[t];
            expect += r * r;
          }
        g_assert_cmpfloat (rel_diff (loss, expect / p->count), <, 1e-12);
      }
      /* NaN in M is refused. */
      M[0] = NAN;
      g_assert_cmpint (cs_pretrain_softmax_loss (p->count, n, d, p->x, p->y, p->q, p->f, M, &loss, NULL), ==, CS_PRETRAIN_EINVAL);
      prompts_free (p);
    }
}

/* The evaluation streams prompts in chunks: it must equal one loss over the same prompts. */
static void
test_evaluate_matches_draw (void)
{
  const size_t counts[] = { 1, 255, 256, 300, 530 };

  for (gsize ci = 0; ci < G_N_ELEMENTS (counts); ci++)
    {
      CsPretrainSpec s = spec_make (ci % 2 ? CS_PRETRAIN_AFFINE : CS_PRETRAIN_RELU, 3, 9, 2, 0.5);
      Prompts *p = prompts_draw (&s, 77 + ci, counts[ci]);
      double M[9] = { 4, 0.5, 0, 0, 3, 0, -1, 0, 5 }, ref, got;

      cs_pretrain_softmax_loss (p->count, 9, 3, p->x, p->y, p->q, p->f, M, &ref, NULL);
      g_assert_cmpint (cs_pretrain_evaluate (&s, M, NULL, counts[ci], 77 + ci, &got, NULL), ==, CS_PRETRAIN_OK);
      g_assert_cmpfloat (rel_diff (ref, got), <, 1e-12);
      prompts_free (p);
    }
}

static double
optimal (const CsPretrainSpec *s,
         size_t                tasks,
         guint64               seed,
         double               *loss)
{
  CsPretrainOptimOptions o;
  double w = NAN, l;
  int edge = -1;

  cs_pretrain_optim_options_init (&o);
  o.tasks = tasks;
  o.seed = seed;
  g_assert_cmpint (cs_pretrain_optimal_w (s, &o, &w, &l, &edge), ==, CS_PRETRAIN_OK);
  g_assert_cmpint (edge, ==, 0);
  if (loss != NULL)
    *loss = l;
  return w;
}

/* w* is the minimum of the Monte-Carlo loss: evaluating the same prompts at
 * w* (1 +- 10 %) with the independent loss function gives no lower value. */
static void
test_optimal_is_minimum (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsPretrainSpec s = spec_make (seed == 2 ? CS_PRETRAIN_AFFINE : CS_PRETRAIN_RELU, 1 + seed, 20 * seed, 1.5, 0.4);
      double ls, w = optimal (&s, 600, seed, &ls);
      double M[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D] = { 0 }, l0, lo, hi;
      size_t d = s.d;

      for (size_t a = 0; a < d; a++)
        M[a * d + a] = w;
      cs_pretrain_evaluate (&s, M, NULL, 600, seed, &l0, NULL);
      g_assert_cmpfloat (rel_diff (l0, ls), <, 1e-3);
      for (size_t a = 0; a < d; a++)
        M[a * d + a] = w * 0.9;
      cs_pretrain_evaluate (&s, M, NULL, 600, seed, &lo, NULL);
      for (size_t a = 0; a < d; a++)
        M[a * d + a] = w * 1.1;
      cs_pretrain_evaluate (&s, M, NULL, 600, seed, &hi, NULL);
      g_assert_cmpfloat (l0, <, lo);
      g_assert_cmpfloat (l0, <, hi);
    }
}

/* C3: the loss depends on (L, sigma) only through L / sigma. With common random
 * numbers the optimum is the same to rounding and the loss scales by c^2. */
static void
test_c3_invariance (void)
{
  const double cs[] = { 0.5, 2, 3 };

  for (int cls = 0; cls < CS_PRETRAIN_N_CLASSES; cls++)
    for (gsize i = 0; i < G_N_ELEMENTS (cs); i++)
      {
        CsPretrainSpec a = spec_make (cls, 2, 50, 1, 0.5), b = a, other = a;
        double la, lb, wa, wb, wo;
        b.L *= cs[i];
        b.sigma *= cs[i];
        other.L *= cs[i];
        wa = optimal (&a, 512, 9 + i, &la);
        wb = optimal (&b, 512, 9 + i, &lb);
        wo = optimal (&other, 512, 9 + i, NULL);
        g_assert_cmpfloat (rel_diff (wa, wb), <, 1e-6);
        g_assert_cmpfloat (rel_diff (lb, la * cs[i] * cs[i]), <, 1e-9);
        /* ... and not through L alone. */
        g_assert_cmpfloat (rel_diff (wa, wo), >, 0.3);
      }
}

/* Reduced C1 and C2 (relu, d = 2, n = 200): w* at L = 1, sigma = 0.5 about 8.8;
 * L x 4 multiplies w* by about 4, sigma x 4 divides it by about 4. */
static void
test_c1_c2_reduced (void)
{
  CsPretrainSpec s = spec_make (CS_PRETRAIN_RELU, 2, 200, 1, 0.5);
  CsPretrainSpec hi_l = s, hi_s = s;
  double w, wl, ws;

  hi_l.L = 4;
  hi_s.sigma = 2;
  w = optimal (&s, 2048, 3, NULL);
  wl = optimal (&hi_l, 2048, 3, NULL);
  ws = optimal (&hi_s, 2048, 3, NULL);
  g_test_message ("w*(L=1) = %.3f, w*(L=4) = %.3f, w*(sigma=2) = %.3f", w, wl, ws);
  g_assert_cmpfloat (fabs (w / 8.8 - 1), <, 0.15);
  g_assert_cmpfloat (fabs (log (wl / w) / log (4.0) - 1.0), <, 0.1);
  g_assert_cmpfloat (fabs (log (ws / w) / log (4.0) + 1.0), <, 0.1);
}

/* The sweep API: arrays in input order, window = 1/sqrt(w*), the theory line
 * with slope -2/(d+2) against L and +2/(d+2) against sigma, theory_fit a
 * constant multiple of theory matching the windows on average (log scale). */
static void
test_sweep_api (void)
{
  const double Ls[] = { 4, 0.5, 1, 2 };
  const double sig[] = { 0.25, 1 };
  CsPretrainSpec s = spec_make (CS_PRETRAIN_RELU, 3, 60, 1, 0.5);
  CsPretrainOptimOptions o;
  CsPretrainSweep sw;
  double mean_log = 0, mean_log_fit = 0;

  cs_pretrain_optim_options_init (&o);
  o.tasks = 300;
  o.seed = 4;
  g_assert_cmpint (cs_pretrain_sweep (&s, CS_PRETRAIN_SWEEP_L, Ls, 4, &o, &sw), ==, CS_PRETRAIN_OK);
  g_assert_cmpuint (sw.count, ==, 4);
  for (size_t i = 0; i < 4; i++)
    {
      CsPretrainSpec si = s;
      si.L = Ls[i];
      g_assert_cmpfloat (sw.value[i], ==, Ls[i]);
      g_assert_cmpfloat (sw.w_star[i], ==, optimal (&si, 300, 4, NULL));
      g_assert_cmpfloat (rel_diff (sw.window[i], 1 / sqrt (sw.w_star[i])), <, 1e-14);
      g_assert_cmpfloat (rel_diff (sw.theory[i], pow (0.25 / (Ls[i] * Ls[i] * 60), 0.2)), <, 1e-14);
      mean_log += log (sw.window[i]);
      mean_log_fit += log (sw.theory_fit[i]);
      g_assert_cmpfloat (rel_diff (sw.theory_fit[i] / sw.theory[i], sw.theory_fit[0] / sw.theory[0]), <, 1e-12);
    }
  g_assert_cmpfloat (fabs (mean_log - mean_log_fit), <, 1e-9);
  g_assert_cmpfloat (fabs (sw.slope_theory + 2.0 / 5.0), <, 1e-12);
  g_assert_cmpfloat (sw.slope_w, >, 0.3);
  g_assert_cmpfloat (fabs (sw.slope_window + 0.5 * sw.slope_w), <, 1e-12);
  cs_pretrain_sweep_clear (&sw);
  g_assert_null (sw.w_star);

  g_assert_cmpint (cs_pretrain_sweep (&s, CS_PRETRAIN_SWEEP_SIGMA, sig, 2, &o, &sw), ==, CS_PRETRAIN_OK);
  g_assert_cmpfloat (fabs (sw.slope_theory - 2.0 / 5.0), <, 1e-12);
  g_assert_cmpfloat (sw.w_star[0], >, sw.w_star[1]);
  cs_pretrain_sweep_clear (&sw);
}

/* Linear attention: the fitted scale beats 0.8x and 1.25x of itself on fresh
 * prompts; full M is no worse than scalar; the affine floor E[b^2] = 1/3. */
static void
test_linear (void)
{
  for (int cls = 0; cls < CS_PRETRAIN_N_CLASSES; cls++)
    {
      CsPretrainSpec s = spec_make (cls, 2, 100, 1, 0.5);
      double Ms[4], Mf[4], Mp[4], e, ef, ep, em;

      g_assert_cmpint (cs_pretrain_linear_fit (&s, CS_PRETRAIN_SCALAR, 2000, 5, Ms), ==, CS_PRETRAIN_OK);
      g_assert_cmpint (cs_pretrain_linear_fit (&s, CS_PRETRAIN_FULL, 2000, 5, Mf), ==, CS_PRETRAIN_OK);
      g_assert_cmpfloat (Ms[1], ==, 0);
      g_assert_cmpfloat (Ms[0], ==, Ms[3]);
      cs_pretrain_evaluate (&s, NULL, Ms, 2000, 99, NULL, &e);
      cs_pretrain_evaluate (&s, NULL, Mf, 2000, 99, NULL, &ef);
      for (int i = 0; i < 4; i++)
        Mp[i] = Ms[i] * 1.25;
      cs_pretrain_evaluate (&s, NULL, Mp, 2000, 99, NULL, &ep);
      for (int i = 0; i < 4; i++)
        Mp[i] = Ms[i] * 0.8;
      cs_pretrain_evaluate (&s, NULL, Mp, 2000, 99, NULL, &em);
      g_test_message ("%s linear: scalar w %.3f mse %.4f, full mse %.4f", cs_pretrain_class_name (cls), Ms[0], e, ef);
      g_assert_cmpfloat (e, <, ep);
      g_assert_cmpfloat (e, <, em);
      g_assert_cmpfloat (ef, <, e * 1.01);
      /* Full M stays near w I on isotropic tasks. */
      g_assert_cmpfloat (fabs (Mf[1]) + fabs (Mf[2]), <, 0.2 * Ms[0]);
      if (cls == CS_PRETRAIN_AFFINE)
        g_assert_cmpfloat (fabs (e - 0.345), <, 0.345 * 0.15);
      else
        g_assert_cmpfloat (fabs (e - 0.137), <, 0.137 * 0.15);
    }
}

/* Adam: scalar training lands on the grid optimum; deterministic per seed; a full
 * M from a perturbed start becomes isotropic (reduced C5, d = 2). */
static void
test_adam (void)
{
  CsPretrainSpec s = spec_make (CS_PRETRAIN_RELU, 2, 50, 1, 0.5);
  CsPretrainTrainOptions o;
  CsPretrainResult r1, r2, rf;
  double w_grid = optimal (&s, 2048, 8, NULL);
  double off;

  cs_pretrain_train_options_init (&o);
  o.steps = 700;
  o.seed = 21;
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_SCALAR, &o, &r1), ==, CS_PRETRAIN_OK);
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_SCALAR, &o, &r2), ==, CS_PRETRAIN_OK);
  g_assert_cmpmem (&r1, sizeof r1, &r2, sizeof r2);
  g_test_message ("Adam scalar w %.3f, grid w* %.3f", r1.w, w_grid);
  g_assert_cmpfloat (fabs (r1.w / w_grid - 1), <, 0.15);
  g_assert_cmpfloat (r1.M[1], ==, 0);
  g_assert_cmpfloat (r1.M[0], ==, r1.M[3]);

  o.seed = 22;
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_FULL, &o, &rf), ==, CS_PRETRAIN_OK);
  off = hypot (rf.M[1], rf.M[2]) / hypot (rf.M[0], rf.M[3]);
  g_test_message ("Adam full M [%.3f %.3f; %.3f %.3f]", rf.M[0], rf.M[1], rf.M[2], rf.M[3]);
  g_assert_cmpfloat (fabs (rf.w / w_grid - 1), <, 0.15);
  g_assert_cmpfloat (off, <, 0.1);
  g_assert_cmpfloat (rel_diff (rf.M[0], rf.M[3]), <, 0.15);
}

typedef struct
{
  double last;
  double stop_at;
  int calls;
} ProgressLog;

static int
on_progress (double  fraction,
             void   *user_data)
{
  ProgressLog *log = user_data;
  g_assert_cmpfloat (fraction, >=, log->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  log->last = fraction;
  log->calls++;
  return fraction >= log->stop_at;
}

static void
test_progress_cancel (void)
{
  CsPretrainSpec s = spec_make (CS_PRETRAIN_AFFINE, 2, 20, 1, 0.5);
  CsPretrainTrainOptions o;
  CsPretrainOptimOptions oo;
  CsPretrainResult r, keep;
  CsPretrainSweep sw;
  ProgressLog log = { 0, 2, 0 };
  const double Ls[] = { 1, 2, 4 };
  double w = -1;

  cs_pretrain_train_options_init (&o);
  o.steps = 200;
  o.progress = on_progress;
  o.user_data = &log;
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_SCALAR, &o, &r), ==, CS_PRETRAIN_OK);
  g_assert_cmpfloat (log.last, ==, 1.0);
  /* The scalar search reports once per 256-prompt chunk of each of its
   * evaluations (about 12 evaluations of 1280 prompts under this cap). */
  g_assert_cmpint (log.calls, >=, 30);

  memset (&r, 0x5a, sizeof r);
  keep = r;
  log = (ProgressLog) { 0, 0.5, 0 };
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_FULL, &o, &r), ==, CS_PRETRAIN_CANCELLED);
  g_assert_cmpmem (&r, sizeof r, &keep, sizeof keep);
  g_assert_cmpfloat (log.last, <, 0.6);

  cs_pretrain_optim_options_init (&oo);
  oo.tasks = 600;
  oo.progress = on_progress;
  oo.user_data = &log;
  log = (ProgressLog) { 0, 2, 0 };
  g_assert_cmpint (cs_pretrain_optimal_w (&s, &oo, &w, NULL, NULL), ==, CS_PRETRAIN_OK);
  g_assert_cmpfloat (log.last, >, 0.99);
  log = (ProgressLog) { 0, 0.3, 0 };
  w = -1;
  g_assert_cmpint (cs_pretrain_optimal_w (&s, &oo, &w, NULL, NULL), ==, CS_PRETRAIN_CANCELLED);
  g_assert_cmpfloat (w, ==, -1);
  log = (ProgressLog) { 0, 0.5, 0 };
  g_assert_cmpint (cs_pretrain_sweep (&s, CS_PRETRAIN_SWEEP_L, Ls, 3, &oo, &sw), ==, CS_PRETRAIN_CANCELLED);
  g_assert_cmpuint (sw.count, ==, 0);
  g_assert_null (sw.value);
}

static void
test_invalid (void)
{
  CsPretrainSpec good = spec_make (CS_PRETRAIN_RELU, 2, 10, 1, 0.5), s;
  CsPretrainOptimOptions oo;
  CsPretrainTrainOptions o;
  CsPretrainResult r;
  CsPretrainSweep sw;
  double w, M[4];
  const double bad_values[] = { 1, -1 };
  int edge = 0;

  g_assert_true (cs_pretrain_spec_valid (&good));
  s = good; s.L = NAN; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.L = INFINITY; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.sigma = -0.1; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.d = 0; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.d = 9; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.n = 0; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.rank = 3; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.task_class = 7; g_assert_false (cs_pretrain_spec_valid (&s));
  s = good; s.L = NAN;
  g_assert_cmpint (cs_pretrain_optimal_w (&s, NULL, &w, NULL, NULL), ==, CS_PRETRAIN_EINVAL);
  g_assert_cmpint (cs_pretrain_train (&s, CS_PRETRAIN_SCALAR, NULL, &r), ==, CS_PRETRAIN_EINVAL);
  g_assert_cmpint (cs_pretrain_linear_fit (&good, CS_PRETRAIN_SCALAR, 0, 1, M), ==, CS_PRETRAIN_EINVAL);
  cs_pretrain_train_options_init (&o);
  o.lr = NAN;
  g_assert_cmpint (cs_pretrain_train (&good, CS_PRETRAIN_SCALAR, &o, &r), ==, CS_PRETRAIN_EINVAL);
  cs_pretrain_optim_options_init (&oo);
  oo.w_min = 0;
  g_assert_cmpint (cs_pretrain_optimal_w (&good, &oo, &w, NULL, NULL), ==, CS_PRETRAIN_EINVAL);
  g_assert_cmpint (cs_pretrain_sweep (&good, CS_PRETRAIN_SWEEP_L, bad_values, 2, NULL, &sw), ==, CS_PRETRAIN_EINVAL);
  g_assert_cmpuint (sw.count, ==, 0);
  g_assert_cmpint (cs_pretrain_class_from_name ("relu"), ==, CS_PRETRAIN_RELU);
  g_assert_cmpint (cs_pretrain_class_from_name ("Relu"), ==, -1);
  g_assert_true (isinf (cs_pretrain_theory_window (&(CsPretrainSpec) { CS_PRETRAIN_RELU, 2, 10, 0, 1, 0, 0 })));

  /* A range below the optimum: the minimum is its upper end, reported as such. */
  cs_pretrain_optim_options_init (&oo);
  oo.tasks = 100;
  oo.w_min = 1e-3;
  oo.w_max = 8e-3;
  g_assert_cmpint (cs_pretrain_optimal_w (&good, &oo, &w, NULL, &edge), ==, CS_PRETRAIN_OK);
  g_assert_cmpint (edge, ==, 1);
  g_assert_cmpfloat (rel_diff (w, 8e-3), <, 1e-12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/paper/draw/laws", test_draw_laws);
  g_test_add_func ("/cs/paper/draw/deterministic", test_draw_deterministic);
  g_test_add_func ("/cs/paper/draw/low-rank", test_low_rank);
  g_test_add_func ("/cs/paper/c6/reduced", test_c6_reduced);
  g_test_add_func ("/cs/paper/softmax/loss-gradient", test_softmax_loss_and_gradient);
  g_test_add_func ("/cs/paper/softmax/evaluate-chunks", test_evaluate_matches_draw);
  g_test_add_func ("/cs/paper/optimal/is-minimum", test_optimal_is_minimum);
  g_test_add_func ("/cs/paper/c3/invariance", test_c3_invariance);
  g_test_add_func ("/cs/paper/c1-c2/reduced", test_c1_c2_reduced);
  g_test_add_func ("/cs/paper/sweep/api", test_sweep_api);
  g_test_add_func ("/cs/paper/linear", test_linear);
  g_test_add_func ("/cs/paper/adam", test_adam);
  g_test_add_func ("/cs/paper/progress-cancel", test_progress_cancel);
  g_test_add_func ("/cs/paper/invalid", test_invalid);
  return g_test_run ();
}
