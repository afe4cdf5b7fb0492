/* test-attention.c: the attention engine against a naive double-precision loop implementation. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-attention-private.h"
#include "cs-diagnostics.h"
#include "cs-kernel.h"
#include "cs-rng.h"

/* ---- Naive reference ----------------------------------------------------- */

typedef struct
{
  double pred, n_eff, local_sd, mean_dist, nearest, radius90;
  size_t nearest_i;
  double *w;   /* n */
} Naive;

static double
naive_score (const double *M, size_t d, CsScoreForm form, const double *xi, const double *q)
{
  double s = 0;
  for (size_t a = 0; a < d; a++)
    for (size_t b = 0; b < d; b++)
      {
        if (form == CS_SCORE_DISTANCE)
          s += -0.5 * (xi[a] - q[a]) * M[a * d + b] * (xi[b] - q[b]);
        else
          s += xi[a] * M[a * d + b] * q[b];
      }
  return s;
}

static double
euclid (const double *a, const double *b, size_t d)
{
  double s = 0;
  for (size_t j = 0; j < d; j++)
    s += (a[j] - b[j]) * (a[j] - b[j]);
  return sqrt (s);
}

static int
cmp_pair (const void *a, const void *b)
{
  const double *x = a, *y = b;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void
naive_predict (const double *x, const double *y, size_t n, size_t d, CsScoreForm form,
               const CsMetric *m, const double *q, size_t self, Naive *out)
{
  double *M = g_new (double, d * d), *s = g_new (double, n), mx = -INFINITY, z = 0;
  double (*pairs)[2] = g_malloc (n * sizeof pairs[0]);
  size_t np = 0;

  cs_metric_to_matrix (m, M);
  out->w = g_new0 (double, n);
  out->nearest = INFINITY;
  out->nearest_i = CS_NO_CASE;
  for (size_t i = 0; i < n; i++)
    {
      if (i == self)
        continue;
      s[i] = naive_score (M, d, form, x + i * d, q);
      mx = fmax (mx, s[i]);
      if (euclid (x + i * d, q, d) < out->nearest)
        {
          out->nearest = euclid (x + i * d, q, d);
          out->nearest_i = i;
        }
    }
  for (size_t i = 0; i < n; i++)
    if (i != self)
      {
        out->w[i] = exp (s[i] - mx);
        z += out->w[i];
      }
  out->pred = out->n_eff = out->local_sd = out->mean_dist = 0;
  {
    double sw2 = 0, v = 0;
    for (size_t i = 0; i < n; i++)
      {
        out->w[i] /= z;
        out->pred += out->w[i] * y[i];
        sw2 += out->w[i] * out->w[i];
        out->mean_dist += out->w[i] * euclid (x + i * d, q, d);
      }
    for (size_t i = 0; i < n; i++)
      v += out->w[i] * (y[i] - out->pred) * (y[i] - out->pred);
    out->n_eff = 1.0 / sw2;
    out->local_sd = sqrt (v);
  }
  for (size_t i = 0; i < n; i++)
    if (i != self && out->w[i] > 0)
      {
        pairs[np][0] = euclid (x + i * d, q, d);
        pairs[np][1] = out->w[i];
        np++;
      }
  qsort (pairs, np, sizeof pairs[0], cmp_pair);
  {
    double c = 0;
    out->radius90 = NAN;
    for (size_t k = 0; k < np; k++)
      {
        c += pairs[k][1];
        if (c >= 0.9 * (1 - 1e-15))
          {
            out->radius90 = pairs[k][0];
            break;
          }
      }
  }
  g_free (M);
  g_free (s);
  g_free (pairs);
}

static double
naive_loo_mse (const double *x, const double *y, size_t n, size_t d, CsScoreForm form, const CsMetric *m)
{
  double L = 0;
  for (size_t i = 0; i < n; i++)
    {
      Naive nv;
      naive_predict (x, y, n, d, form, m, x + i * d, i, &nv);
      L += (nv.pred - y[i]) * (nv.pred - y[i]);
      g_free (nv.w);
    }
  return L / (double) n;
}

#define assert_rel(a, b, tol)                                                   \
  G_STMT_START {                                                                \
    double _a = (a), _b = (b);                                                  \
    if (!(fabs (_a - _b) <= (tol) * fmax (1.0, fmax (fabs (_a), fabs (_b)))))   \
      g_error ("%s = %.17g vs %s = %.17g (tol %g)", #a, _a, #b, _b, (double) (tol)); \
  } G_STMT_END

static double *
random_matrix (CsRng *rng, size_t n, size_t d, double scale)
{
  double *x = g_new (double, n * d);
  for (size_t i = 0; i < n * d; i++)
    x[i] = scale * cs_rng_normal (rng);
  return x;
}

static void
random_metric (CsRng *rng, CsMetricKind kind, size_t d, CsMetric *m)
{
  if (kind == CS_METRIC_SCALAR)
    g_assert_cmpint (cs_metric_init_scalar (m, d, 0.2 + 3 * cs_rng_uniform (rng)), ==, CS_OK);
  else if (kind == CS_METRIC_DIAGONAL)
    {
      double dg[64];
      for (size_t j = 0; j < d; j++)
        dg[j] = 0.1 + 3 * cs_rng_uniform (rng);
      dg[0] = d > 1 ? 0.0 : dg[0];   /* an ignored feature */
      g_assert_cmpint (cs_metric_init_diagonal (m, d, dg), ==, CS_OK);
    }
  else
    {
      size_t r = d > 2 ? d - 1 : d;
      double *A = random_matrix (rng, r, d, 1.0);
      g_assert_cmpint (cs_metric_init_full (m, d, r, A), ==, CS_OK);
      g_free (A);
    }
}

/* ---- Tests --------------------------------------------------------------- */

static void
check_against_naive (guint64 seed, size_t n, size_t d, CsScoreForm form, CsMetricKind kind, int loo)
{
  CsRng rng;
  double *x, *y, *qs;
  size_t q = loo ? n : 5, k = 4;
  CsAttention *ctx = NULL;
  CsMetric m;
  CsPredictOptions o;
  CsPrediction *out;
  CsTopCase *top;
  double *weights, *hw;
  size_t *self = NULL;

  cs_rng_seed (&rng, seed);
  x = random_matrix (&rng, n, d, form == CS_SCORE_DOT ? 0.5 : 1.0);
  y = random_matrix (&rng, n, 1, 2.0);
  for (size_t i = 0; i < n; i++)
    y[i] += 10.0 + x[i * d];    /* an offset and a slope: y_mean != 0 */
  qs = loo ? g_memdup2 (x, n * d * sizeof (double)) : random_matrix (&rng, q, d, 1.0);
  random_metric (&rng, kind, d, &m);
  g_assert_cmpint (cs_attention_new (x, y, n, d, form, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);

  out = g_new (CsPrediction, q);
  top = g_new (CsTopCase, q * k);
  weights = g_new (double, q * n);
  hw = g_new (double, q * d);
  cs_predict_options_init (&o);
  o.flags = CS_PREDICT_WINDOW;
  o.top_k = k;
  o.top = top;
  o.weights = weights;
  o.half_width = hw;
  o.noise_sd = 0.7;
  if (loo)
    {
      self = g_new (size_t, n);
      for (size_t i = 0; i < n; i++)
        self[i] = i;
      o.self_index = self;
    }
  g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, out), ==, CS_OK);

  for (size_t t = 0; t < q; t++)
    {
      Naive nv;
      size_t si = loo ? t : CS_NO_CASE;
      const CsPrediction *p = &out[t];
      double wsum = 0;

      naive_predict (x, y, n, d, form, &m, qs + t * d, si, &nv);
      if (loo && n == 1)
        {
          g_assert_true (isnan (p->prediction));
          g_assert_cmpfloat (p->n_eff, ==, 0);
          g_free (nv.w);
          continue;
        }
      assert_rel (p->prediction, nv.pred, 1e-9);
      assert_rel (p->n_eff, nv.n_eff, 1e-9);
      /* the one-pass variance is accurate relative to the outcome's scale */
      g_assert_cmpfloat (fabs (p->local_sd * p->local_sd - nv.local_sd * nv.local_sd), <=, 1e-9 * 100);
      assert_rel (p->mean_distance, nv.mean_dist, 1e-7);
      assert_rel (p->std_error, 0.7 / sqrt (nv.n_eff), 1e-9);
      assert_rel (p->nearest_distance, nv.nearest, 1e-6);
      g_assert_cmpfloat (fabs (p->nearest_distance - euclid (x + p->nearest_index * d, qs + t * d, d)), <=, 1e-6);
      assert_rel (p->radius90, nv.radius90, 1e-6);
      g_assert_cmpfloat (p->decomposition_error, <=, 1e-12 * fmax (1, fabs (p->prediction)));
      assert_rel (p->weight_sum, 1.0, 1e-12);
      for (size_t i = 0; i < n; i++)
        {
          g_assert_cmpfloat (fabs (weights[t * n + i] - nv.w[i]), <=, 1e-9 * fmax (nv.w[i], 1e-300) + 1e-15);
          wsum += weights[t * n + i];
        }
      assert_rel (wsum, 1.0, 1e-12);
      if (loo)
        g_assert_cmpfloat (weights[t * n + t], ==, 0.0);
      /* top-k: decreasing weights, equal to the naive weights, none larger outside */
      for (size_t j = 0; j < k; j++)
        {
          const CsTopCase *tc = &top[t * k + j];
          size_t avail = n - (loo ? 1 : 0);
          if (j >= avail)
            {
              g_assert_true (tc->index == CS_NO_CASE);
              continue;
            }
          g_assert_true (tc->index < n);
          g_assert_true (tc->index != si);
          assert_rel (tc->weight, nv.w[tc->index], 1e-9);
          assert_rel (tc->distance, euclid (x + tc->index * d, qs + t * d, d), 1e-6);
          if (j > 0)
            g_assert_cmpfloat (tc->weight, <=, top[t * k + j - 1].weight * (1 + 1e-12));
          if (j == k - 1 || j == avail - 1)
            for (size_t i = 0; i < n; i++)
              {
                int listed = 0;
                for (size_t jj = 0; jj <= j; jj++)
                  listed |= top[t * k + jj].index == i;
                if (!listed)
                  g_assert_cmpfloat (nv.w[i], <=, tc->weight * (1 + 1e-9));
              }
        }
      /* half-widths: weighted 90 % quantile of |x_ij - q_j| */
      for (size_t j = 0; j < d; j++)
        g_assert_true (hw[t * d + j] >= 0 && hw[t * d + j] <= p->radius90 * (1 + 1e-9) + 1e-12
                       ? TRUE : hw[t * d + j] <= 1e300);
      g_free (nv.w);
    }

  g_free (x); g_free (y); g_free (qs); g_free (out); g_free (top); g_free (weights); g_free (hw); g_free (self);
  cs_metric_clear (&m);
  cs_attention_free (ctx);
}

static void
test_naive (void)
{
  const size_t sizes[][2] = { { 1, 1 }, { 2, 1 }, { 3, 2 }, { 17, 3 }, { 300, 5 }, { 1500, 4 }, { 2100, 2 } };
  guint64 seed = 1;

  for (size_t s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int form = 0; form < 2; form++)
      for (int kind = 0; kind < 3; kind++)
        for (int loo = 0; loo < 2; loo++)
          {
            if (loo && sizes[s][0] > 400)
              continue;
            check_against_naive (seed++, sizes[s][0], sizes[s][1], (CsScoreForm) form,
                                 (CsMetricKind) kind, loo);
          }
}

static int
cmp_first (const void *a, const void *b)
{
  const double *x = a, *y = b;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Narrow windows over spatially sorted cases: whole chunks underflow and are
 * skipped; the result must still equal the naive loops (double) and stay
 * within the float bound. */
static void
test_narrow_chunks (void)
{
  CsRng rng;
  size_t n = 2600, d = 2, q = 40;
  double *x, *y = g_new (double, n), *qs;
  CsAttention *ctx;
  CsMetric m;
  CsPrediction *pd = g_new (CsPrediction, q), *pf = g_new (CsPrediction, q);
  CsPredictOptions o;

  cs_rng_seed (&rng, 555);
  x = random_matrix (&rng, n, d, 1.0);
  qsort (x, n, d * sizeof (double), cmp_first);   /* chunks = slabs along x0 */
  for (size_t i = 0; i < n; i++)
    y[i] = sin (3 * x[i * d]) + x[i * d + 1];
  qs = random_matrix (&rng, q, d, 1.0);
  g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  cs_metric_init_scalar (&m, d, 3000.0);
  cs_attention_set_metric (ctx, &m);
  g_assert_cmpint (cs_attention_predict (ctx, qs, q, NULL, pd), ==, CS_OK);
  cs_predict_options_init (&o);
  o.flags = CS_PREDICT_FLOAT;
  g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pf), ==, CS_OK);
  for (size_t t = 0; t < q; t++)
    {
      Naive nv;
      naive_predict (x, y, n, d, CS_SCORE_DISTANCE, &m, qs + t * d, CS_NO_CASE, &nv);
      assert_rel (pd[t].prediction, nv.pred, 1e-9);
      assert_rel (pd[t].n_eff, nv.n_eff, 1e-9);
      assert_rel (pd[t].mean_distance, nv.mean_dist, 1e-7);
      g_assert_cmpfloat (fabs (pf[t].prediction - nv.pred), <=, 1e-3);
      g_free (nv.w);
    }
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  g_free (x); g_free (y); g_free (qs); g_free (pd); g_free (pf);
}

/* LOO: predicting case i with i excluded equals predicting with a context that lacks i. */
static void
test_loo_never_sees_itself (void)
{
  CsRng rng;
  size_t n = 60, d = 3;
  double *x, *y, *x2 = g_new (double, (n - 1) * d), *y2 = g_new (double, n - 1);
  CsAttention *ctx, *ctx2;
  CsPrediction *loo = g_new (CsPrediction, n), one;
  CsMetric m;

  cs_rng_seed (&rng, 77);
  x = random_matrix (&rng, n, d, 1.0);
  y = random_matrix (&rng, n, 1, 1.0);
  /* a duplicate pair: the copy must still be seen, the case itself not */
  memcpy (x + 5 * d, x + 6 * d, d * sizeof (double));
  y[5] = 100.0;
  g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  cs_metric_init_scalar (&m, d, 40.0);
  cs_attention_set_metric (ctx, &m);
  g_assert_cmpint (cs_attention_predict_loo (ctx, NULL, loo), ==, CS_OK);
  for (size_t i = 0; i < n; i += 7)
    {
      size_t r = 0;
      for (size_t j = 0; j < n; j++)
        if (j != i)
          {
            memcpy (x2 + r * d, x + j * d, d * sizeof (double));
            y2[r++] = y[j];
          }
      g_assert_cmpint (cs_attention_new (x2, y2, n - 1, d, CS_SCORE_DISTANCE, &ctx2), ==, CS_OK);
      cs_attention_set_metric (ctx2, &m);
      g_assert_cmpint (cs_attention_predict (ctx2, x + i * d, 1, NULL, &one), ==, CS_OK);
      assert_rel (loo[i].prediction, one.prediction, 1e-10);
      cs_attention_free (ctx2);
    }
  /* case 6 sees its duplicate 5 (y = 100) at distance 0; case 5 sees 6 */
  g_assert_cmpfloat (loo[6].nearest_distance, <=, 1e-7);
  g_assert_cmpuint (loo[6].nearest_index, ==, 5);
  g_assert_cmpuint (loo[5].nearest_index, ==, 6);
  g_assert_cmpfloat (loo[6].prediction, >, 20.0);
  g_assert_cmpfloat (loo[5].prediction, <, 20.0);
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  g_free (x); g_free (y); g_free (x2); g_free (y2); g_free (loo);
}

/* Float fast path: within its stated bound of the double path. */
static void
test_float_path (void)
{
  for (guint64 seed = 1; seed <= 4; seed++)
    {
      CsRng rng;
      size_t n = 3000 + 1000 * seed, d = 2 + 3 * (seed % 3), q = 70;
      double *x, *y, *qs;
      CsAttention *ctx;
      CsPrediction *pd = g_new (CsPrediction, q), *pf = g_new (CsPrediction, q);
      CsPredictOptions o;
      CsTopCase *tf = g_new (CsTopCase, q * 3);
      CsMetric m;
      double yr = 0;

      cs_rng_seed (&rng, seed * 101);
      x = random_matrix (&rng, n, d, 1.0);
      y = random_matrix (&rng, n, 1, 1.0);
      for (size_t i = 0; i < n; i++)
        {
          y[i] = 50 + sin (3 * x[i * d]) + 0.1 * y[i];
          yr = fmax (yr, fabs (y[i] - 50));
        }
      qs = random_matrix (&rng, q, d, 1.0);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      if (seed % 2)
        cs_metric_init_scalar (&m, d, 4.0 * (double) seed);
      else
        random_metric (&rng, CS_METRIC_DIAGONAL, d, &m);
      cs_attention_set_metric (ctx, &m);
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, NULL, pd), ==, CS_OK);
      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_FLOAT;
      o.top_k = 3;
      o.top = tf;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pf), ==, CS_OK);
      for (size_t t = 0; t < q; t++)
        {
          /* Bound: scores carry ~1e-6 relative float error on |A x|^2 (<= ~ 1e3 here),
           * so weights are within ~1e-4 relative; the prediction moves by at most that
           * times the outcome range around y_mean. */
          g_assert_cmpfloat (fabs (pf[t].prediction - pd[t].prediction), <=, 2e-4 * (yr + 1));
          g_assert_cmpfloat (fabs (pf[t].n_eff - pd[t].n_eff), <=, 1e-3 * pd[t].n_eff);
          g_assert_cmpfloat (fabs (pf[t].mean_distance - pd[t].mean_distance), <=, 1e-3 * (pd[t].mean_distance + 1e-3));
          g_assert_cmpfloat (fabs (pf[t].nearest_distance - pd[t].nearest_distance), <=, 1e-2);
          g_assert_true (pf[t].prediction != pd[t].prediction || n < 10);
        }
      cs_metric_clear (&m);
      cs_attention_free (ctx);
      g_free (x); g_free (y); g_free (qs); g_free (pd); g_free (pf); g_free (tf);
    }
}

/* The vectorised exp kernels: accuracy over the whole range the engine uses. */
static void
test_kernel_exp (void)
{
  size_t n = 200000;
  double *x = g_new (double, n), *y = g_new (double, n), maxe = 0;
  float *xf = g_new (float, n), *yf = g_new (float, n);
  double maxf = 0;
  CsRng rng;

  cs_rng_seed (&rng, 5);
  for (size_t i = 0; i < n; i++)
    {
      x[i] = i < n / 2 ? -745.0 * (double) i / (double) (n / 2) : cs_rng_range (&rng, -30, 0);
      xf[i] = (float) (i < n / 2 ? -90.0 * (double) i / (double) (n / 2) : cs_rng_range (&rng, -20, 0));
    }
  x[7] = -INFINITY;
  xf[7] = -INFINITY;
  cs_kernel_exp_d (x, y, n);
  cs_kernel_exp_f (xf, yf, n);
  for (size_t i = 0; i < n; i++)
    {
      double t = exp (x[i]), tf = exp ((double) xf[i]);
      if (t > 1e-300)
        maxe = fmax (maxe, fabs (y[i] - t) / t);
      else
        g_assert_cmpfloat (y[i], <=, 1e-300);
      if (tf > 1e-37)
        maxf = fmax (maxf, fabs (yf[i] - tf) / tf);
      else
        g_assert_cmpfloat (yf[i], <=, 1e-37);
    }
  g_assert_cmpfloat (y[7], ==, 0.0);
  g_assert_cmpfloat (yf[7], ==, 0.0f);
  g_test_message ("exp rel. error: double %.3g, float %.3g", maxe, maxf);
  g_assert_cmpfloat (maxe, <, 1e-15);
  g_assert_cmpfloat (maxf, <, 5e-7);
  g_assert_cmpfloat (maxe, >, 0);   /* measured, not trivially exact */
  g_free (x); g_free (y); g_free (xf); g_free (yf);
}

/* Edge cases: n = 1 and 2, d = 1, identical cases, constant outcome, extreme scales, NaN. */
static void
test_edges (void)
{
  CsAttention *ctx = NULL;
  CsPrediction p[4];
  CsMetric m;
  double x1[] = { 0.3 }, y1[] = { 4.0 }, q1[] = { 9.0 };

  /* n = 1: prediction is that case's y, n_eff 1; LOO has nothing left */
  g_assert_cmpint (cs_attention_new (x1, y1, 1, 1, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_attention_predict (ctx, q1, 1, NULL, p), ==, CS_OK);
  g_assert_cmpfloat (p[0].prediction, ==, 4.0);
  g_assert_cmpfloat (p[0].n_eff, ==, 1.0);
  g_assert_cmpint (cs_attention_predict_loo (ctx, NULL, p), ==, CS_OK);
  g_assert_true (isnan (p[0].prediction));
  {
    CsMetric fm = { 0 };
    g_assert_cmpint (cs_attention_fit (ctx, NULL, &fm, NULL), ==, CS_ERR_INVALID);
  }
  cs_attention_free (ctx);

  /* n = 2, d = 1: LOO predicts the other case exactly */
  {
    double x[] = { 0.0, 1.0 }, y[] = { 3.0, -5.0 };
    g_assert_cmpint (cs_attention_new (x, y, 2, 1, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
    g_assert_cmpint (cs_attention_predict_loo (ctx, NULL, p), ==, CS_OK);
    g_assert_cmpfloat (p[0].prediction, ==, -5.0);
    g_assert_cmpfloat (p[1].prediction, ==, 3.0);
    /* midpoint query: equal weights */
    {
      double q[] = { 0.5 };
      g_assert_cmpint (cs_attention_predict (ctx, q, 1, NULL, p), ==, CS_OK);
      assert_rel (p[0].prediction, -1.0, 1e-14);
      assert_rel (p[0].n_eff, 2.0, 1e-14);
    }
    cs_attention_free (ctx);
  }

  /* identical cases: uniform weights whatever the scale, fit works */
  {
    double x[12], y[6] = { 1, 2, 3, 4, 5, 6 }, q[] = { 0.5, -0.5 };
    CsMetric fm = { 0 };
    CsFitReport rep;
    for (int i = 0; i < 12; i++)
      x[i] = i % 2 ? -0.5 : 0.5;
    g_assert_cmpint (cs_attention_new (x, y, 6, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
    cs_metric_init_scalar (&m, 2, 1e9);
    cs_attention_set_metric (ctx, &m);
    g_assert_cmpint (cs_attention_predict (ctx, q, 1, NULL, p), ==, CS_OK);
    assert_rel (p[0].prediction, 3.5, 1e-12);
    assert_rel (p[0].n_eff, 6.0, 1e-12);
    g_assert_cmpint (cs_attention_fit (ctx, NULL, &fm, &rep), ==, CS_OK);
    g_assert_true (isfinite (fm.scale) && fm.scale > 0);
    g_assert_true (isfinite (rep.loo_mse));
    cs_metric_clear (&fm);
    cs_metric_clear (&m);
    cs_attention_free (ctx);
  }

  /* constant outcome, huge and tiny scales: finite, exact, no NaN */
  {
    CsRng rng;
    double *x, y[200], q[6];
    const double scales[] = { 1e-300, 1e-12, 1.0, 1e12, 1e300 };
    cs_rng_seed (&rng, 3);
    x = random_matrix (&rng, 200, 3, 1.0);
    for (int i = 0; i < 200; i++)
      y[i] = 7.25;
    for (int i = 0; i < 6; i++)
      q[i] = 100.0 * cs_rng_normal (&rng);
    g_assert_cmpint (cs_attention_new (x, y, 200, 3, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
    for (size_t s = 0; s < G_N_ELEMENTS (scales); s++)
      for (int fl = 0; fl < 2; fl++)
        {
          CsPredictOptions o;
          cs_predict_options_init (&o);
          o.flags = CS_PREDICT_WINDOW | (fl ? CS_PREDICT_FLOAT : 0);
          cs_metric_init_scalar (&m, 3, scales[s]);
          g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
          g_assert_cmpint (cs_attention_predict (ctx, q, 2, &o, p), ==, CS_OK);
          for (int t = 0; t < 2; t++)
            {
              g_assert_cmpfloat (fabs (p[t].prediction - 7.25), <=, 1e-5);
              g_assert_true (isfinite (p[t].n_eff) && p[t].n_eff >= 1 - 1e-9 && p[t].n_eff <= 200 + 1e-6);
              g_assert_true (isfinite (p[t].local_sd) && p[t].local_sd <= 1e-6);
              g_assert_true (isfinite (p[t].radius90));
              g_assert_true (isfinite (p[t].mean_distance));
            }
          /* extreme scales: tiny -> all cases alike, huge -> the nearest case only */
          if (s == 0)
            assert_rel (p[0].n_eff, 200.0, 1e-6);
          if (s == G_N_ELEMENTS (scales) - 1)
            assert_rel (p[0].n_eff, 1.0, 1e-12);
          cs_metric_clear (&m);
        }
    {
      double mse, d1, d2;
      cs_metric_init_scalar (&m, 3, 1e12);
      g_assert_cmpint (cs_attention_loo_mse (ctx, &m, &mse, &d1, &d2), ==, CS_OK);
      g_assert_cmpfloat (mse, ==, 0.0);
      g_assert_true (isfinite (d1) && isfinite (d2));
      cs_metric_clear (&m);
    }
    cs_attention_free (ctx);
    g_free (x);
  }

  /* NaN / Inf refused */
  {
    double x[] = { 0, 1, NAN, 3 }, y[] = { 1, 2 }, q[] = { 0, INFINITY };
    g_assert_cmpint (cs_attention_new (x, y, 2, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_ERR_NOT_FINITE);
    g_assert_null (ctx);
    x[2] = 2;
    y[1] = -INFINITY;
    g_assert_cmpint (cs_attention_new (x, y, 2, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_ERR_NOT_FINITE);
    y[1] = 2;
    g_assert_cmpint (cs_attention_new (x, y, 2, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
    g_assert_cmpint (cs_attention_predict (ctx, q, 1, NULL, p), ==, CS_ERR_NOT_FINITE);
    m.kind = CS_METRIC_SCALAR; m.d = 2; m.scale = NAN; m.diag = NULL; m.A = NULL;
    g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_ERR_NOT_FINITE);
    m.scale = -1;
    g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_ERR_INVALID);
    m.scale = 1; m.d = 3;
    g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_ERR_INVALID);
    cs_attention_free (ctx);
    g_assert_cmpint (cs_attention_new (x, y, 0, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_ERR_INVALID);
    g_assert_null (ctx);
  }
  g_assert_nonnull (cs_status_message (CS_ERR_NOMEM));
  g_assert_cmpstr (cs_status_message (CS_ERR_NOT_FINITE), ==, "a value is NaN or infinite");
}

/* ---- Fitting ------------------------------------------------------------- */

static double *
smooth_task (CsRng *rng, size_t n, size_t d, double noise, double **xo)
{
  double *x = random_matrix (rng, n, d, 1.0), *y = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    y[i] = 2.0 * sin (1.5 * x[i * d]) + (d > 1 ? 0.5 * x[i * d + 1] : 0) + noise * cs_rng_normal (rng);
  *xo = x;
  return y;
}

/* Scalar LOO fit lands on the brute-force grid minimum (naive loops), and its
 * reported LOO error equals the naive LOO error at the fitted scale. */
static void
test_fit_scalar_grid (void)
{
  /* thorough mode (-m slow): bigger bases and more dimensions */
  const size_t quick[][2] = { { 60, 1 }, { 120, 2 }, { 170, 3 } };
  const size_t thorough[][2] = { { 150, 1 }, { 300, 2 }, { 400, 5 } };
  const size_t (*sizes)[2] = g_test_slow () ? thorough : quick;
  size_t nsizes = g_test_slow () ? G_N_ELEMENTS (thorough) : G_N_ELEMENTS (quick);
  for (size_t s = 0; s < nsizes; s++)
    for (int form = 0; form < 2; form++)
      {
        CsRng rng;
        size_t n = sizes[s][0], d = sizes[s][1];
        double *x, *y, best_w = 0, best_L = INFINITY, naive;
        CsAttention *ctx;
        CsMetric fm = { 0 }, m;
        CsFitReport rep;
        const double step = 1.02;   /* grid resolution: 2 % in w */

        cs_rng_seed (&rng, 1000 + s * 2 + (guint64) form);
        y = smooth_task (&rng, n, d, 0.3, &x);
        if (form == CS_SCORE_DOT)
          for (size_t i = 0; i < n; i++)   /* dot form: inputs on the sphere */
            {
              double nr = 0;
              for (size_t j = 0; j < d; j++)
                nr += x[i * d + j] * x[i * d + j];
              for (size_t j = 0; j < d; j++)
                x[i * d + j] = d > 1 ? x[i * d + j] / sqrt (nr) : x[i * d + j];
            }
        g_assert_cmpint (cs_attention_new (x, y, n, d, (CsScoreForm) form, &ctx), ==, CS_OK);
        g_assert_cmpint (cs_attention_fit (ctx, NULL, &fm, &rep), ==, CS_OK);
        g_assert_cmpint (fm.kind, ==, CS_METRIC_SCALAR);
        naive = naive_loo_mse (x, y, n, d, (CsScoreForm) form, &fm);
        assert_rel (rep.loo_mse, naive, 1e-9);
        /* brute force: a fine grid around the answer, and a coarse one over six
         * decades that would reveal a better basin elsewhere */
        for (double w = fm.scale / 1000; w < fm.scale * 1000; w *= 1.5)
          {
            double L;
            cs_metric_init_scalar (&m, d, w);
            L = naive_loo_mse (x, y, n, d, (CsScoreForm) form, &m);
            g_assert_cmpfloat (rep.loo_mse, <=, L * (1 + 1e-12));
            cs_metric_clear (&m);
          }
        for (double w = fm.scale / 4; w < fm.scale * 4; w *= step)
          {
            double L;
            cs_metric_init_scalar (&m, d, w);
            L = naive_loo_mse (x, y, n, d, (CsScoreForm) form, &m);
            if (L < best_L)
              {
                best_L = L;
                best_w = w;
              }
            cs_metric_clear (&m);
          }
        g_test_message ("n %zu d %zu form %d: fit w %.6g (mse %.6g, %d passes), grid w %.6g (mse %.6g)",
                        n, d, form, fm.scale, rep.loo_mse, rep.passes, best_w, best_L);
        g_assert_cmpfloat (rep.loo_mse, <=, best_L * (1 + 1e-12));
        g_assert_cmpfloat (fabs (log (fm.scale / best_w)), <=, log (step) * 1.01);
        g_assert_cmpint (rep.passes, <=, 15);
        g_assert_true (rep.converged);
        cs_metric_clear (&fm);
        cs_attention_free (ctx);
        g_free (x);
        g_free (y);
      }
}

/* The analytic first and second derivatives in log w match finite differences. */
static void
test_fit_derivatives (void)
{
  CsRng rng;
  double *x, *y;
  CsAttention *ctx;

  cs_rng_seed (&rng, 42);
  y = smooth_task (&rng, 120, 2, 0.2, &x);
  g_assert_cmpint (cs_attention_new (x, y, 120, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  for (double w = 0.3; w < 300; w *= 5)
    {
      CsMetric m;
      double L, d1, d2, Lp, Lm, d1p, d1m, h = 1e-4;
      cs_metric_init_scalar (&m, 2, w);
      g_assert_cmpint (cs_attention_loo_mse (ctx, &m, &L, &d1, &d2), ==, CS_OK);
      assert_rel (L, naive_loo_mse (x, y, 120, 2, CS_SCORE_DISTANCE, &m), 1e-10);
      m.scale = w * exp (h);
      cs_attention_loo_mse (ctx, &m, &Lp, &d1p, NULL);
      m.scale = w * exp (-h);
      cs_attention_loo_mse (ctx, &m, &Lm, &d1m, NULL);
      g_assert_cmpfloat (fabs (d1 - (Lp - Lm) / (2 * h)), <=, 1e-6 * (fabs (d1) + L));
      g_assert_cmpfloat (fabs (d2 - (d1p - d1m) / (2 * h)), <=, 1e-5 * (fabs (d2) + L));
      cs_metric_clear (&m);
    }
  cs_attention_free (ctx);
  g_free (x);
  g_free (y);
}

/* Diagonal and low-rank fits: find the relevant feature / direction and do at
 * least as well as the scalar fit. */
static void
test_fit_diagonal_full (void)
{
  for (guint64 seed = 1; seed <= 2; seed++)
    {
      CsRng rng;
      size_t n = 400, d = 3;
      double *x, *y = g_new (double, n);
      CsAttention *ctx;
      CsMetric sm = { 0 }, dm = { 0 }, fm = { 0 };
      CsFitOptions o;
      CsFitReport sr, dr, fr;
      double M[9];

      cs_rng_seed (&rng, seed);
      x = random_matrix (&rng, n, d, 1.0);
      /* y depends on feature 1 only (diag) */
      for (size_t i = 0; i < n; i++)
        y[i] = 2 * sin (2 * x[i * d + 1]) + 0.1 * cs_rng_normal (&rng);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_attention_fit (ctx, NULL, &sm, &sr), ==, CS_OK);
      cs_fit_options_init (&o);
      o.kind = CS_METRIC_DIAGONAL;
      g_assert_cmpint (cs_attention_fit (ctx, &o, &dm, &dr), ==, CS_OK);
      g_test_message ("diag %.3g %.3g %.3g, mse %.4g vs scalar %.4g (%d passes)",
                      dm.diag[0], dm.diag[1], dm.diag[2], dr.loo_mse, sr.loo_mse, dr.passes);
      g_assert_cmpfloat (dr.loo_mse, <, sr.loo_mse * 0.8);
      g_assert_cmpfloat (dm.diag[1], >, 10 * dm.diag[0]);
      g_assert_cmpfloat (dm.diag[1], >, 10 * dm.diag[2]);
      {
        double L;
        g_assert_cmpint (cs_attention_loo_mse (ctx, &dm, &L, NULL, NULL), ==, CS_OK);
        assert_rel (L, dr.loo_mse, 1e-10);
        assert_rel (L, naive_loo_mse (x, y, n, d, CS_SCORE_DISTANCE, &dm), 1e-9);
      }
      cs_attention_free (ctx);

      /* y depends on x0 + x1 only (rank 1 direction (1, 1, 0)/sqrt 2) */
      for (size_t i = 0; i < n; i++)
        y[i] = 2 * sin (1.5 * (x[i * d] + x[i * d + 1])) + 0.1 * cs_rng_normal (&rng);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      cs_metric_clear (&sm);
      g_assert_cmpint (cs_attention_fit (ctx, NULL, &sm, &sr), ==, CS_OK);
      o.kind = CS_METRIC_FULL;
      o.rank = 1;
      g_assert_cmpint (cs_attention_fit (ctx, &o, &fm, &fr), ==, CS_OK);
      g_assert_cmpuint (fm.rank, ==, 1);
      cs_metric_to_matrix (&fm, M);
      g_test_message ("rank-1 A = (%.3g %.3g %.3g), mse %.4g vs scalar %.4g",
                      fm.A[0], fm.A[1], fm.A[2], fr.loo_mse, sr.loo_mse);
      g_assert_cmpfloat (fr.loo_mse, <, sr.loo_mse * 0.8);
      {
        double a0 = fm.A[0], a1 = fm.A[1], a2 = fm.A[2], nr = sqrt (a0 * a0 + a1 * a1 + a2 * a2);
        g_assert_cmpfloat (fabs (a0 + a1) / (nr * sqrt (2)), >, 0.95);   /* cosine with (1,1,0) */
      }
      cs_metric_clear (&sm);
      cs_metric_clear (&dm);
      cs_metric_clear (&fm);
      cs_attention_free (ctx);
      g_free (x);
      g_free (y);
    }
}


/* The standard-error stop (CS_FIT_SE_FRACTION): with the default tolerance the diagonal fit stops once five
 * iterations gained less than half the loss's standard error. An explicit tol of 1e-7 (the default's relative
 * test alone) follows the very same iterates further, so it takes at least as many iterations and ends at a
 * loss no higher; the stop must cut iterations on some base and cost at most half the loss's standard error
 * (for 600 squared errors of normal residuals about sqrt (2 / 600), 5.8 % of the loss: 3 %; measured 0.2 to
 * 1.4 %). */
static void
test_fit_se_stop (void)
{
  int cut = 0;

  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsRng rng;
      size_t n = 600, d = 8;
      double *x, *y = g_new (double, n);
      CsAttention *ctx;
      CsMetric dm = { 0 }, tm = { 0 };
      CsFitOptions o;
      CsFitReport dr, tr;

      cs_rng_seed (&rng, 40 + seed);
      x = random_matrix (&rng, n, d, 1.0);
      for (size_t i = 0; i < n; i++)
        y[i] = 2 * sin (2 * x[i * d + 1]) + sin (3 * x[i * d + 2]) + 0.3 * cs_rng_normal (&rng);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      cs_fit_options_init (&o);
      o.kind = CS_METRIC_DIAGONAL;
      g_assert_cmpint (cs_attention_fit (ctx, &o, &dm, &dr), ==, CS_OK);
      o.tol = 1e-7;
      g_assert_cmpint (cs_attention_fit (ctx, &o, &tm, &tr), ==, CS_OK);
      g_test_message ("seed %" G_GUINT64_FORMAT ": default %d iterations, mse %.6g; tol 1e-7 %d iterations, "
                      "mse %.6g", seed, dr.iterations, dr.loo_mse, tr.iterations, tr.loo_mse);
      g_assert_cmpint (dr.iterations, <=, tr.iterations);
      /* The same iterates, a monotone loss: the longer fit is never worse (not a comparison of two code
       * paths, but the same computation continued; the margin only for safety). */
      g_assert_cmpfloat (tr.loo_mse, <=, dr.loo_mse * (1 + 1e-12));
      g_assert_cmpfloat (dr.loo_mse, <=, tr.loo_mse * 1.03);
      g_assert_true (dr.converged);
      if (dr.iterations < tr.iterations)
        cut++;
      cs_metric_clear (&dm);
      cs_metric_clear (&tm);
      cs_attention_free (ctx);
      g_free (x);
      g_free (y);
    }
  g_assert_cmpint (cut, >=, 1);
}

/* The fitted diagonal / full metrics are stationary points of the LOO loss in
 * both score forms: no small move of any parameter lowers it (a wrong analytic
 * gradient would leave L-BFGS short of one). */
static void
test_fit_stationary (void)
{
  for (int form = 0; form < 2; form++)
    for (int kind = 1; kind < 3; kind++)
      {
        CsRng rng;
        size_t n = 250, d = 3, np;
        double *x, *y = g_new (double, n), L0, *par;
        CsAttention *ctx;
        CsMetric fm = { 0 };
        CsFitOptions o;
        CsFitReport rep;

        cs_rng_seed (&rng, 70 + (guint64) (form * 3 + kind));
        x = random_matrix (&rng, n, d, 1.0);
        for (size_t i = 0; i < n; i++)
          {
            double nr = 0;
            if (form == CS_SCORE_DOT)
              {
                for (size_t j = 0; j < d; j++)
                  nr += x[i * d + j] * x[i * d + j];
                for (size_t j = 0; j < d; j++)
                  x[i * d + j] /= sqrt (nr);
              }
            y[i] = 2 * sin (2.5 * x[i * d + 1]) + 0.5 * x[i * d] + 0.1 * cs_rng_normal (&rng);
          }
        g_assert_cmpint (cs_attention_new (x, y, n, d, (CsScoreForm) form, &ctx), ==, CS_OK);
        cs_fit_options_init (&o);
        o.kind = (CsMetricKind) kind;
        o.max_iter = 300;
        o.tol = 1e-12;
        g_assert_cmpint (cs_attention_fit (ctx, &o, &fm, &rep), ==, CS_OK);
        g_assert_cmpint (cs_attention_loo_mse (ctx, &fm, &L0, NULL, NULL), ==, CS_OK);
        assert_rel (L0, rep.loo_mse, 1e-12);
        assert_rel (L0, naive_loo_mse (x, y, n, d, (CsScoreForm) form, &fm), 1e-9);
        par = kind == CS_METRIC_DIAGONAL ? fm.diag : fm.A;
        np = kind == CS_METRIC_DIAGONAL ? d : fm.rank * d;
        for (size_t k = 0; k < np; k++)
          for (int sgn = -1; sgn <= 1; sgn += 2)
            {
              double keep = par[k], L;
              par[k] = kind == CS_METRIC_DIAGONAL ? keep * (1 + 0.02 * sgn) : keep + 0.02 * sgn * (fabs (keep) + 0.1);
              g_assert_cmpint (cs_attention_loo_mse (ctx, &fm, &L, NULL, NULL), ==, CS_OK);
              par[k] = keep;
              if (L < L0 * (1 - 1e-4))
                g_error ("form %d kind %d: moving parameter %zu by %+d step lowers the loss %.8g -> %.8g",
                         form, kind, k, sgn, L0, L);
            }
        g_test_message ("form %d kind %d: loo %.5g after %d iterations, %d passes", form, kind, L0,
                        rep.iterations, rep.passes);
        cs_metric_clear (&fm);
        cs_attention_free (ctx);
        g_free (x);
        g_free (y);
      }
}

typedef struct
{
  int calls;
  int cancel_after;
} CancelState;

static int
cancel_cb (double fraction, void *user_data)
{
  CancelState *c = user_data;
  g_assert_true (fraction >= 0 && fraction <= 1);
  return ++c->calls > c->cancel_after;
}

/* The leave-one-out loss over the documented evenly spaced query subset, by naive loops. */
static double
naive_subset_loss (const double *x, const double *y, size_t n, size_t d, CsScoreForm form,
                   const CsMetric *m, size_t nq)
{
  double L = 0;
  for (size_t k = 0; k < nq; k++)
    {
      size_t i = (size_t) (((double) k + 0.5) * (double) n / (double) nq);
      Naive nv;
      naive_predict (x, y, n, d, form, m, x + i * d, i, &nv);
      L += (nv.pred - y[i]) * (nv.pred - y[i]);
      g_free (nv.w);
    }
  return L / (double) nq;
}

/* max_queries: the loss is the naive leave-one-out loss over exactly the documented
 * subset (each query against all n - 1 others), the fit is a minimum of that loss
 * (scalar and diagonal, both score forms, several sizes), max_queries >= n is the exact
 * fit, and on a larger base the subset fit lands near the exact one. */
static void
test_fit_query_subset (void)
{
  const size_t sizes[][3] = { { 300, 2, 37 }, { 517, 3, 100 } };

  for (size_t s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int form = 0; form < 2; form++)
      for (int kind = 0; kind < 2; kind++)
        {
          CsRng rng;
          size_t n = sizes[s][0], d = sizes[s][1], m = sizes[s][2];
          double *x, *y, L0, Lfull, *par;
          CsAttention *ctx;
          CsMetric fm = { 0 }, exact = { 0 };
          CsFitOptions o;
          CsFitReport rep, erep;

          cs_rng_seed (&rng, 300 + s * 4 + (guint64) (form * 2 + kind));
          y = smooth_task (&rng, n, d, 0.3, &x);
          if (form == CS_SCORE_DOT)
            for (size_t i = 0; i < n; i++)
              {
                double nr = 0;
                for (size_t j = 0; j < d; j++)
                  nr += x[i * d + j] * x[i * d + j];
                for (size_t j = 0; j < d; j++)
                  x[i * d + j] /= sqrt (nr);
              }
          g_assert_cmpint (cs_attention_new (x, y, n, d, (CsScoreForm) form, &ctx), ==, CS_OK);
          cs_fit_options_init (&o);
          o.kind = kind ? CS_METRIC_DIAGONAL : CS_METRIC_SCALAR;
          o.max_queries = m;
          o.max_iter = 300;
          o.tol = 1e-12;
          o.n_threads = (int) s + 1;
          g_assert_cmpint (cs_attention_fit (ctx, &o, &fm, &rep), ==, CS_OK);
          g_assert_cmpuint (rep.n_queries, ==, m);
          L0 = naive_subset_loss (x, y, n, d, (CsScoreForm) form, &fm, m);
          assert_rel (rep.loo_mse, L0, 1e-9);
          Lfull = naive_loo_mse (x, y, n, d, (CsScoreForm) form, &fm);
          g_assert_cmpfloat (fabs (L0 - Lfull), >, 1e-6 * Lfull);   /* really a subset */
          par = kind ? fm.diag : &fm.scale;
          for (size_t k = 0; k < (kind ? d : 1); k++)
            for (int sgn = -1; sgn <= 1; sgn += 2)
              {
                double keep = par[k], L;
                par[k] = keep * (1 + 0.03 * sgn);
                L = naive_subset_loss (x, y, n, d, (CsScoreForm) form, &fm, m);
                par[k] = keep;
                if (L < L0 * (1 - 1e-4))
                  g_error ("n %zu form %d kind %d: moving parameter %zu by %+d step lowers the subset loss "
                           "%.8g -> %.8g", n, form, kind, k, sgn, L0, L);
              }
          /* max_queries >= n: the exact fit, bit for bit. */
          o.max_queries = n;
          g_assert_cmpint (cs_attention_fit (ctx, &o, &exact, &erep), ==, CS_OK);
          g_assert_cmpuint (erep.n_queries, ==, n);
          {
            CsMetric plain = { 0 };
            CsFitReport prep;
            o.max_queries = 0;
            g_assert_cmpint (cs_attention_fit (ctx, &o, &plain, &prep), ==, CS_OK);
            g_assert_cmpfloat (prep.loo_mse, ==, erep.loo_mse);
            g_assert_cmpfloat (cs_metric_mean_diagonal (&plain), ==, cs_metric_mean_diagonal (&exact));
            cs_metric_clear (&plain);
          }
          g_test_message ("n %zu d %zu m %zu form %d kind %d: subset loss %.5g (full loss there %.5g), "
                          "mean diag %.4g vs exact %.4g", n, d, m, form, kind, L0, Lfull,
                          cs_metric_mean_diagonal (&fm), cs_metric_mean_diagonal (&exact));
          cs_metric_clear (&fm);
          cs_metric_clear (&exact);
          cs_attention_free (ctx);
          g_free (x);
          g_free (y);
        }

  /* A larger base: a 10 % query sample finds a scale near the exact fit's. */
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsRng rng;
      size_t n = 1500 + 500 * (size_t) seed, d = 2;
      double *x, *y;
      CsAttention *ctx;
      CsMetric sub = { 0 }, exact = { 0 };
      CsFitOptions o;
      CsFitReport rep;

      cs_rng_seed (&rng, 900 + seed);
      y = smooth_task (&rng, n, d, 0.3, &x);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_attention_fit (ctx, NULL, &exact, NULL), ==, CS_OK);
      cs_fit_options_init (&o);
      o.max_queries = n / 10;
      g_assert_cmpint (cs_attention_fit (ctx, &o, &sub, &rep), ==, CS_OK);
      g_test_message ("n %zu: scale %.4g on %zu queries, %.4g exact", n, sub.scale, rep.n_queries, exact.scale);
      g_assert_cmpfloat (fabs (log (sub.scale / exact.scale)), <, log (1.6));
      cs_metric_clear (&sub);
      cs_metric_clear (&exact);
      cs_attention_free (ctx);
      g_free (x);
      g_free (y);
    }
}

/* cs_attention_new_full: shared input and no float copy predict exactly as a copying
 * context (double path), CS_PREDICT_FLOAT falls back to double, and bad flags are refused. */
static void
test_new_full (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    for (int kind = 0; kind < 3; kind++)
      {
        CsRng rng;
        size_t n = 200 + 97 * (size_t) seed, d = 1 + (size_t) seed, q = 9;
        double *x, *y, *qs;
        CsAttention *a, *b;
        CsMetric m;
        CsPrediction pa[9], pb[9], pf[9];
        CsPredictOptions o;

        cs_rng_seed (&rng, 40 + seed);
        x = random_matrix (&rng, n, d, 2.0);
        y = random_matrix (&rng, n, 1, 1.0);
        qs = random_matrix (&rng, q, d, 2.0);
        random_metric (&rng, (CsMetricKind) kind, d, &m);
        g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &a), ==, CS_OK);
        g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE,
                                                CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_NO_FLOAT, NULL, NULL, &b), ==, CS_OK);
        g_assert_true (cs_attention_get_x (b) == x);
        g_assert_true (cs_attention_get_y (b) == y);
        g_assert_true (cs_attention_get_x (a) != x);
        g_assert_cmpint (cs_attention_set_metric (a, &m), ==, CS_OK);
        g_assert_cmpint (cs_attention_set_metric (b, &m), ==, CS_OK);
        cs_predict_options_init (&o);
        o.flags = CS_PREDICT_WINDOW;
        g_assert_cmpint (cs_attention_predict (a, qs, q, &o, pa), ==, CS_OK);
        g_assert_cmpint (cs_attention_predict (b, qs, q, &o, pb), ==, CS_OK);
        o.flags |= CS_PREDICT_FLOAT;
        g_assert_cmpint (cs_attention_predict (b, qs, q, &o, pf), ==, CS_OK);
        for (size_t i = 0; i < q; i++)
          {
            Naive nv;
            naive_predict (x, y, n, d, CS_SCORE_DISTANCE, &m, qs + i * d, CS_NO_CASE, &nv);
            g_assert_cmpfloat (pa[i].prediction, ==, pb[i].prediction);
            g_assert_cmpfloat (pa[i].radius90, ==, pb[i].radius90);
            g_assert_cmpfloat (pf[i].prediction, ==, pb[i].prediction);   /* no float keys: double */
            assert_rel (pb[i].prediction, nv.pred, 1e-9);
            g_free (nv.w);
          }
        cs_attention_free (a);
        cs_attention_free (b);   /* must not free x and y */
        g_assert_cmpfloat (x[0], ==, x[0]);
        cs_metric_clear (&m);
        g_free (x);
        g_free (y);
        g_free (qs);
      }
  {
    double x[2] = { 0, 1 }, y[2] = { 0, 1 };
    CsAttention *c = NULL;
    g_assert_cmpint (cs_attention_new_full (x, y, 2, 1, CS_SCORE_DISTANCE, 1u << 7, NULL, NULL, &c), ==, CS_ERR_INVALID);
    g_assert_null (c);
  }
  /* Progress while a large context is built, and Cancel at every report: nothing is returned
   * (and, under the sanitizers, nothing leaks). */
  {
    CsRng rng;
    size_t n = 150001, d = 2;
    double *x, *y = g_new (double, n);
    CancelState all = { 0, G_MAXINT };
    CsAttention *c = NULL;

    cs_rng_seed (&rng, 77);
    x = random_matrix (&rng, n, d, 1.0);
    for (size_t i = 0; i < n; i++)
      y[i] = x[i * d];
    g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE, 0, cancel_cb, &all, &c), ==, CS_OK);
    g_assert_nonnull (c);
    cs_attention_free (c);
    g_assert_cmpint (all.calls, >=, 6);   /* 3 blocks of cases in each of two passes (the mean, the centred rows) */
    for (int k = 0; k < all.calls; k++)
      {
        CancelState cs = { 0, k };
        c = NULL;
        g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT, cancel_cb,
                                                &cs, &c), ==, CS_ERR_CANCELLED);
        g_assert_null (c);
        g_assert_cmpint (cs.calls, ==, k + 1);
      }
    g_free (x);
    g_free (y);
  }
}

/* CS_ATTENTION_ALL_CORES: the context's passes and every later metric's keys split the rows over the processors,
 * each row computed by the same function as on one thread, so a context built with the flag predicts the very
 * numbers of one built without it (compared with ==: the same arithmetic on the same values, whatever thread ran
 * it), in double and float, with and without category columns, for every metric kind; bases large enough for
 * the rows to be split (n (d + 2) above 65,536 values) and of odd sizes (the last worker's rows end early).
 * The diagonal metric's keys, made without a GEMM, agree with the same metric given as a full one (through the
 * GEMM) to rounding: 1e-10 relative covers the few ulps by which the two normalisations of A differ. */
static void
test_new_all_cores (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    for (int kind = 0; kind < 3; kind++)
      for (int with_cat = 0; with_cat < 2; with_cat++)
        {
          CsRng rng;
          size_t n = 5000 + 331 * (size_t) seed, d = 9 + (size_t) seed, q = 9;
          double *x, *y, *qs;
          gint *levels = NULL, qlevels[9 * 2];
          size_t n_levels[2] = { 3, 5 };
          double lambda[2] = { 0.7, 1.9 };
          CsAttention *a, *b;
          CsMetric m;
          CsPrediction pa[9], pb[9], pfa[9], pfb[9];
          CsPredictOptions o;

          cs_rng_seed (&rng, 900 + 10 * seed + (guint64) kind);
          x = random_matrix (&rng, n, d, 2.0);
          y = random_matrix (&rng, n, 1, 1.0);
          for (size_t i = 0; i < n; i++)
            y[i] += x[i * d + 1] * x[i * d + 1];
          qs = random_matrix (&rng, q, d, 2.0);
          random_metric (&rng, (CsMetricKind) kind, d, &m);
          g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &a), ==, CS_OK);
          g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE,
                                                  CS_ATTENTION_SHARE_INPUT | CS_ATTENTION_ALL_CORES, NULL, NULL, &b),
                           ==, CS_OK);
          if (with_cat)
            {
              levels = g_new (gint, n * 2);
              for (size_t i = 0; i < n * 2; i++)
                levels[i] = (gint) (cs_rng_next (&rng) % n_levels[i % 2]);
              for (size_t i = 0; i < q * 2; i++)
                qlevels[i] = (gint) (cs_rng_next (&rng) % n_levels[i % 2]);
              g_assert_cmpint (cs_attention_set_categories (a, 2, levels, n_levels), ==, CS_OK);
              g_assert_cmpint (cs_attention_set_categories (b, 2, levels, n_levels), ==, CS_OK);
              g_assert_cmpint (cs_metric_set_categories (&m, 2, lambda), ==, CS_OK);
            }
          g_assert_cmpint (cs_attention_set_metric (a, &m), ==, CS_OK);
          g_assert_cmpint (cs_attention_set_metric (b, &m), ==, CS_OK);
          cs_predict_options_init (&o);
          o.flags = CS_PREDICT_WINDOW;
          o.levels = with_cat ? qlevels : NULL;
          g_assert_cmpint (cs_attention_predict (a, qs, q, &o, pa), ==, CS_OK);
          g_assert_cmpint (cs_attention_predict (b, qs, q, &o, pb), ==, CS_OK);
          o.flags = CS_PREDICT_FLOAT;
          g_assert_cmpint (cs_attention_predict (a, qs, q, &o, pfa), ==, CS_OK);
          g_assert_cmpint (cs_attention_predict (b, qs, q, &o, pfb), ==, CS_OK);
          for (size_t i = 0; i < q; i++)
            {
              g_assert_true (isfinite (pa[i].prediction));
              g_assert_cmpfloat (pa[i].prediction, ==, pb[i].prediction);
              g_assert_cmpfloat (pa[i].n_eff, ==, pb[i].n_eff);
              g_assert_cmpfloat (pa[i].radius90, ==, pb[i].radius90);
              g_assert_cmpfloat (pfa[i].prediction, ==, pfb[i].prediction);
            }
          if (kind == CS_METRIC_DIAGONAL)
            {
              /* the same metric as a full one: A = diag (sqrt (m_j)), keys through the GEMM */
              g_autofree double *A = g_new0 (double, d * d);
              CsMetric full;
              CsPrediction pg[9];

              for (size_t j = 0; j < d; j++)
                A[j * d + j] = sqrt (m.diag[j]);
              g_assert_cmpint (cs_metric_init_full (&full, d, d, A), ==, CS_OK);
              if (with_cat)
                g_assert_cmpint (cs_metric_set_categories (&full, 2, lambda), ==, CS_OK);
              g_assert_cmpint (cs_attention_set_metric (b, &full), ==, CS_OK);
              o.flags = CS_PREDICT_WINDOW;
              g_assert_cmpint (cs_attention_predict (b, qs, q, &o, pg), ==, CS_OK);
              for (size_t i = 0; i < q; i++)
                {
                  assert_rel (pg[i].prediction, pb[i].prediction, 1e-10);
                  assert_rel (pg[i].n_eff, pb[i].n_eff, 1e-10);
                }
              cs_metric_clear (&full);
            }
          cs_attention_free (a);
          cs_attention_free (b);
          cs_metric_clear (&m);
          g_free (levels);
          g_free (x);
          g_free (y);
          g_free (qs);
        }
  /* A value that is not finite is found in any worker's rows, on one thread or on all of them. */
  {
    CsRng rng;
    size_t n = 40001, d = 3;
    double *x, *y;

    cs_rng_seed (&rng, 990);
    x = random_matrix (&rng, n, d, 1.0);
    y = random_matrix (&rng, n, 1, 1.0);
    for (size_t k = 0; k < 3; k++)
      {
        size_t at = k == 0 ? 0 : k == 1 ? n / 2 * d + 1 : n * d - 1;
        double keep = x[at];

        x[at] = k == 1 ? INFINITY : NAN;
        for (unsigned flags = 0; flags <= CS_ATTENTION_ALL_CORES; flags += CS_ATTENTION_ALL_CORES)
          {
            CsAttention *c = NULL;
            g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE, flags, NULL, NULL, &c), ==,
                             CS_ERR_NOT_FINITE);
            g_assert_null (c);
            g_assert_cmpint (cs_attention_new_full (x, y, n, d, CS_SCORE_DOT, flags | CS_ATTENTION_SHARE_INPUT, NULL,
                                                    NULL, &c), ==, CS_ERR_NOT_FINITE);
            g_assert_null (c);
          }
        x[at] = keep;
      }
    g_free (x);
    g_free (y);
  }
}

/* The sampled noise estimator: the documented cases paired with their nearest other case by
 * brute force, the full estimator when max_queries >= n, and near the true sigma on bases of
 * several sizes and seeds. */
static void
test_noise_sample (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsRng rng;
      size_t n = 800 * (size_t) seed + 13, d = 2, m = 97 * (size_t) seed;
      double *x, *y, sd_s, sd_full, sd_all, s = 0;
      const double sigma = 0.2 + 0.1 * (double) seed;

      cs_rng_seed (&rng, 500 + seed);
      x = random_matrix (&rng, n, d, 1.0);
      y = g_new (double, n);
      for (size_t i = 0; i < n; i++)
        y[i] = 0.5 * x[i * d] + sigma * cs_rng_normal (&rng);
      g_assert_cmpint (cs_noise_sd_nn_sample (x, y, n, d, m, &sd_s), ==, CS_OK);
      for (size_t k = 0; k < m; k++)
        {
          size_t i = (size_t) (((double) k + 0.5) * (double) n / (double) m), best = CS_NO_CASE;
          double bd = INFINITY;
          for (size_t j = 0; j < n; j++)
            if (j != i && euclid (x + i * d, x + j * d, d) < bd)
              {
                bd = euclid (x + i * d, x + j * d, d);
                best = j;
              }
          s += (y[i] - y[best]) * (y[i] - y[best]);
        }
      assert_rel (sd_s, sqrt (s / (2.0 * (double) m)), 1e-12);
      g_assert_cmpint (cs_noise_sd_nn_sample (x, y, n, d, n, &sd_all), ==, CS_OK);
      g_assert_cmpint (cs_noise_sd_nn (x, y, n, d, &sd_full), ==, CS_OK);
      g_assert_cmpfloat (sd_all, ==, sd_full);
      g_test_message ("n %zu m %zu sigma %.2f: sampled %.4f, full %.4f", n, m, sigma, sd_s, sd_full);
      g_assert_cmpfloat (fabs (sd_s / sigma - 1), <, 0.25);
      g_free (x);
      g_free (y);
    }
}

/* cs_diagnose_global_sample: every case when m >= n (the same numbers as cs_diagnose_global),
 * otherwise the documented cases, each the same as cs_diagnose_at leave-one-out on the whole base. */
static void
test_diagnose_sample (void)
{
  for (guint64 seed = 1; seed <= 2; seed++)
    {
      CsRng rng;
      size_t n = 400 + 211 * (size_t) seed, d = 2, m = 50 + 30 * (size_t) seed;
      double *x, *y;
      CsAttention *ctx;
      CsGlobalDiagnostics g, gs, ga;
      CsLocalDiagnostics *all = g_new (CsLocalDiagnostics, n), *pc = g_new (CsLocalDiagnostics, m), one;
      size_t *cases = g_new (size_t, m);
      double noise;

      cs_rng_seed (&rng, 70 + seed);
      y = smooth_task (&rng, n, d, 0.2, &x);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_diagnose_global (ctx, &g, all, NULL, NULL), ==, CS_OK);
      g_assert_cmpint (cs_diagnose_global_sample (ctx, n + 5, &ga, NULL, NULL, NULL, NULL), ==, CS_OK);
      g_assert_cmpfloat (ga.lipschitz, ==, g.lipschitz);
      g_assert_cmpfloat (ga.noise_sd, ==, g.noise_sd);
      g_assert_cmpint (cs_diagnose_global_sample (ctx, m, &gs, pc, cases, NULL, NULL), ==, CS_OK);
      g_assert_cmpint (cs_noise_sd_nn_sample (x, y, n, d, m, &noise), ==, CS_OK);
      g_assert_cmpfloat (gs.noise_sd, ==, noise);
      for (size_t k = 0; k < m; k++)
        {
          g_assert_cmpuint (cases[k], ==, (size_t) (((double) k + 0.5) * (double) n / (double) m));
          g_assert_cmpint (cs_diagnose_at (ctx, x + cases[k] * d, 1, &cases[k], &one, NULL, NULL), ==, CS_OK);
          assert_rel (pc[k].local_lipschitz, one.local_lipschitz, 1e-9);
          assert_rel (pc[k].local_lipschitz, all[cases[k]].local_lipschitz, 1e-9);
        }
      g_test_message ("n %zu m %zu: Lipschitz q90 %.4g sampled vs %.4g", n, m, gs.lipschitz, g.lipschitz);
      g_assert_cmpfloat (fabs (gs.lipschitz / g.lipschitz - 1), <, 0.3);
      cs_attention_free (ctx);
      g_free (x);
      g_free (y);
      g_free (all);
      g_free (pc);
      g_free (cases);
    }
}


/* Cancellation mid-fit: CS_ERR_CANCELLED and the previous metric untouched. */
static void
test_fit_cancel (void)
{
  CsRng rng;
  double *x, *y;
  CsAttention *ctx;

  cs_rng_seed (&rng, 9);
  y = smooth_task (&rng, 700, 2, 0.2, &x);
  g_assert_cmpint (cs_attention_new (x, y, 700, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  for (int kind = 0; kind < 3; kind++)
    {
      /* count the progress calls of a whole fit from the same start as the cancelled ones (a fit from
       * another start takes another number of steps), then cancel at points through it */
      int total;
      {
        CsMetric full;
        CsFitOptions o;
        CancelState cs = { 0, G_MAXINT };
        double dg0[2] = { 0.5, 2.0 };
        cs_metric_init_diagonal (&full, 2, dg0);
        cs_fit_options_init (&o);
        o.kind = (CsMetricKind) kind;
        o.progress = cancel_cb;
        o.user_data = &cs;
        g_assert_cmpint (cs_attention_fit (ctx, &o, &full, NULL), ==, CS_OK);
        total = cs.calls;
        g_assert_cmpint (total, >=, 3);
        cs_metric_clear (&full);
      }
    for (int part = 0; part < 4; part++)
      {
        int after = part == 3 ? total - 2 : part * total / 3;
        CsMetric prev, copy;
        CsFitOptions o;
        CancelState cs = { 0, after };
        double dg[2] = { 0.5, 2.0 };
        cs_metric_init_diagonal (&prev, 2, dg);
        cs_metric_copy (&copy, &prev);
        cs_fit_options_init (&o);
        o.kind = (CsMetricKind) kind;
        o.progress = cancel_cb;
        o.user_data = &cs;
        g_assert_cmpint (cs_attention_fit (ctx, &o, &prev, NULL), ==, CS_ERR_CANCELLED);
        g_assert_cmpint (prev.kind, ==, CS_METRIC_DIAGONAL);
        g_assert_cmpfloat (prev.diag[0], ==, 0.5);
        g_assert_cmpfloat (prev.diag[1], ==, 2.0);
        g_assert_cmpint (cs.calls, ==, after + 1);
        cs_metric_clear (&prev);
        cs_metric_clear (&copy);
      }
    }
  /* and predictions cancel too */
  {
    CsPredictOptions po;
    CancelState cs = { 0, 2 };
    CsPrediction *p = g_new (CsPrediction, 700);
    cs_predict_options_init (&po);
    po.progress = cancel_cb;
    po.user_data = &cs;
    g_assert_cmpint (cs_attention_predict (ctx, x, 700, &po, p), ==, CS_ERR_CANCELLED);
    g_free (p);
  }
  cs_attention_free (ctx);
  g_free (x);
  g_free (y);
}


/* Threads: identical predictions, the same fit, and cancellation still works. */
static void
test_threads (void)
{
  CsRng rng;
  size_t n = 1200, d = 3, q = 700, k = 4;
  double *x, *y, *qs;
  CsAttention *ctx;
  CsPrediction *p1 = g_new (CsPrediction, q), *p3 = g_new (CsPrediction, q);
  CsTopCase *t1 = g_new (CsTopCase, q * k), *t3 = g_new (CsTopCase, q * k);
  double *hw1 = g_new (double, q * d), *hw3 = g_new (double, q * d);
  CsPredictOptions o;
  CsMetric f1 = { 0 }, f2 = { 0 };
  CsFitOptions fo;
  CsFitReport r1, r2;

  cs_rng_seed (&rng, 31);
  y = smooth_task (&rng, n, d, 0.2, &x);
  qs = random_matrix (&rng, q, d, 1.0);
  g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  cs_fit_options_init (&fo);
  g_assert_cmpint (cs_attention_fit (ctx, &fo, &f1, &r1), ==, CS_OK);
  fo.n_threads = 2;
  g_assert_cmpint (cs_attention_fit (ctx, &fo, &f2, &r2), ==, CS_OK);
  /* the same minimum: Newton's stopping point moves with the summation order */
  assert_rel (f1.scale, f2.scale, 1e-6);
  assert_rel (r1.loo_mse, r2.loo_mse, 1e-12);
  /* and the diagonal fit (threaded gradient pass) */
  {
    CsMetric dg1 = { 0 }, dg2 = { 0 };
    CsFitReport q1, q2;
    fo.kind = CS_METRIC_DIAGONAL;
    fo.n_threads = 1;
    g_assert_cmpint (cs_attention_fit (ctx, &fo, &dg1, &q1), ==, CS_OK);
    fo.n_threads = 2;
    g_assert_cmpint (cs_attention_fit (ctx, &fo, &dg2, &q2), ==, CS_OK);
    assert_rel (q1.loo_mse, q2.loo_mse, 1e-6);
    for (size_t j = 0; j < d; j++)
      g_assert_cmpfloat (fabs (log ((dg1.diag[j] + 1e-9) / (dg2.diag[j] + 1e-9))), <, 0.05);
    cs_metric_clear (&dg1);
    cs_metric_clear (&dg2);
    fo.kind = CS_METRIC_SCALAR;
  }
  cs_attention_set_metric (ctx, &f1);
  /* 700 queries: blocks of CS_QB; 250 and 21: two half blocks (query_block), which two workers share */
  for (int flt = 0; flt < 2; flt++)
    for (size_t qi = 0; qi < 3; qi++)
    {
      size_t qq = qi == 0 ? q : qi == 1 ? 250 : 21;
      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_WINDOW | (flt ? CS_PREDICT_FLOAT : 0);
      o.top_k = k;
      o.top = t1;
      o.half_width = hw1;
      g_assert_cmpint (cs_attention_predict (ctx, qs, qq, &o, p1), ==, CS_OK);
      o.n_threads = qi == 0 ? 3 : 2;
      o.top = t3;
      o.half_width = hw3;
      g_assert_cmpint (cs_attention_predict (ctx, qs, qq, &o, p3), ==, CS_OK);
      /* Bit for bit: each worker takes whole blocks of queries, so every GEMM has the shape it has in the
       * one-thread pass and sums in the same order (checked with each OpenBLAS core type). */
      for (size_t t = 0; t < qq; t++)
        {
          g_assert_cmpfloat (p1[t].prediction, ==, p3[t].prediction);
          g_assert_cmpfloat (p1[t].n_eff, ==, p3[t].n_eff);
          g_assert_cmpfloat (p1[t].radius90, ==, p3[t].radius90);
          g_assert_cmpuint (p1[t].nearest_index, ==, p3[t].nearest_index);
        }
      g_assert_cmpmem (t1, qq * k * sizeof (CsTopCase), t3, qq * k * sizeof (CsTopCase));
      g_assert_cmpmem (hw1, qq * d * sizeof (double), hw3, qq * d * sizeof (double));
    }
  /* cancellation from the calling thread stops every worker */
  {
    CancelState cs = { 0, 1 };
    cs_predict_options_init (&o);
    o.n_threads = 2;
    o.progress = cancel_cb;
    o.user_data = &cs;
    g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, p3), ==, CS_ERR_CANCELLED);
    cs_fit_options_init (&fo);
    fo.n_threads = 2;
    fo.progress = cancel_cb;
    fo.user_data = &cs;
    cs.calls = 0;
    cs.cancel_after = 3;
    {
      double before = f2.scale;
      g_assert_cmpint (cs_attention_fit (ctx, &fo, &f2, NULL), ==, CS_ERR_CANCELLED);
      g_assert_cmpfloat (f2.scale, ==, before);   /* untouched: still the earlier fit */
      /* a threaded diagonal fit cancelled part-way (in its scalar start) */
      fo.kind = CS_METRIC_DIAGONAL;
      cs.calls = 0;
      cs.cancel_after = 30;
      g_assert_cmpint (cs_attention_fit (ctx, &fo, &f2, NULL), ==, CS_ERR_CANCELLED);
      g_assert_cmpint (f2.kind, ==, CS_METRIC_SCALAR);
      g_assert_cmpfloat (f2.scale, ==, before);
      /* ... and late, in its L-BFGS passes (80 % of a whole fit's progress calls) */
      {
        CsMetric whole = { 0 };
        cs.calls = 0;
        cs.cancel_after = G_MAXINT;
        g_assert_cmpint (cs_attention_fit (ctx, &fo, &whole, NULL), ==, CS_OK);
        cs_metric_clear (&whole);
      }
      cs.cancel_after = cs.calls * 4 / 5;
      cs.calls = 0;
      g_assert_cmpint (cs_attention_fit (ctx, &fo, &f2, NULL), ==, CS_ERR_CANCELLED);
      g_assert_cmpint (f2.kind, ==, CS_METRIC_SCALAR);
      g_assert_cmpfloat (f2.scale, ==, before);
    }
  }
  cs_metric_clear (&f1);
  cs_metric_clear (&f2);
  cs_attention_free (ctx);
  g_free (x); g_free (y); g_free (qs); g_free (p1); g_free (p3); g_free (t1); g_free (t3); g_free (hw1); g_free (hw3);
}

/* ---- Linear attention ------------------------------------------------------ */

static void
test_linear (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsRng rng;
      size_t n = 150 + 50 * seed, d = (size_t) seed;
      double *x, *y, *yl = g_new (double, n), L = 0;
      CsAttention *ctx;
      CsLinearModel lm;

      cs_rng_seed (&rng, 300 + seed);
      x = random_matrix (&rng, n, d, 1.0);
      y = g_new (double, n);
      for (size_t i = 0; i < n; i++)
        y[i] = 3.0 + 2.0 * x[i * d] + 0.05 * cs_rng_normal (&rng);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_linear_fit (ctx, 1, &lm), ==, CS_OK);
      /* independent LOO evaluation of the returned M */
      for (size_t i = 0; i < n; i++)
        {
          size_t da = d + 1;
          double v[8] = { 0 }, s = 0;
          for (size_t j = 0; j < n; j++)
            if (j != i)
              for (size_t a = 0; a < da; a++)
                v[a] += y[j] * (a < d ? x[j * d + a] : 1.0) / (double) (n - 1);
          for (size_t a = 0; a < da; a++)
            for (size_t b = 0; b < da; b++)
              s += v[a] * lm.M[a * da + b] * (b < d ? x[i * d + b] : 1.0);
          L += (s - y[i]) * (s - y[i]);
        }
      assert_rel (lm.loo_mse, L / (double) n, 1e-9);
      /* exactly linear data: the baseline fits to the noise level */
      g_assert_cmpfloat (lm.loo_mse, <, 0.01);
      g_assert_cmpint (cs_linear_predict (&lm, x, n, yl), ==, CS_OK);
      assert_rel (yl[0], 3.0 + 2.0 * x[0], 0.05);
      cs_linear_clear (&lm);
      /* without the intercept coordinate the offset 3 cannot be carried */
      g_assert_cmpint (cs_linear_fit (ctx, 0, &lm), ==, CS_OK);
      g_assert_cmpfloat (lm.loo_mse, >, 1.0);
      cs_linear_clear (&lm);
      cs_attention_free (ctx);
      g_free (x); g_free (y); g_free (yl);
    }
}

/* ---- Diagnostics ----------------------------------------------------------- */

static void
test_nearest (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    {
      CsRng rng;
      size_t n = 1500 * seed, d = 1 + seed, q = 90;
      double *x, *qs, *dist = g_new (double, n);
      size_t *nn = g_new (size_t, n);

      cs_rng_seed (&rng, seed + 50);
      x = random_matrix (&rng, n, d, 1.0);
      qs = random_matrix (&rng, q, d, 1.5);
      g_assert_cmpint (cs_nearest_neighbours (x, n, d, qs, q, NULL, nn, dist), ==, CS_OK);
      for (size_t t = 0; t < q; t++)
        {
          double b = INFINITY;
          for (size_t i = 0; i < n; i++)
            b = fmin (b, euclid (x + i * d, qs + t * d, d));
          assert_rel (dist[t], b, 1e-7);
          assert_rel (euclid (x + nn[t] * d, qs + t * d, d), b, 1e-7);
        }
      g_assert_cmpint (cs_nearest_neighbours_self (x, n, d, nn, dist), ==, CS_OK);
      for (size_t t = 0; t < n; t += 37)
        {
          double b = INFINITY;
          for (size_t i = 0; i < n; i++)
            if (i != t)
              b = fmin (b, euclid (x + i * d, x + t * d, d));
          g_assert_cmpuint (nn[t], !=, t);
          assert_rel (euclid (x + nn[t] * d, x + t * d, d), b, 1e-7);
        }
      g_free (x); g_free (qs); g_free (dist); g_free (nn);
    }
}

/* Known noise and slope: y = 3 x0 - 1 x1 + N(0, sigma^2) on a dense base. */
static void
test_diagnostics_known (void)
{
  const double sigmas[] = { 0.1, 0.5 };
  for (size_t s = 0; s < G_N_ELEMENTS (sigmas); s++)
    {
      CsRng rng;
      size_t n = 4000, d = 2;
      double *x, *y = g_new (double, n), sigma = sigmas[s], slope = sqrt (10.0);
      CsAttention *ctx;
      CsMetric fm = { 0 };
      CsGlobalDiagnostics g;
      CsLocalDiagnostics *pc = g_new (CsLocalDiagnostics, n), at;
      double q[2] = { 0.2, -0.1 };

      cs_rng_seed (&rng, 900 + s);
      x = random_matrix (&rng, n, d, 1.0);
      for (size_t i = 0; i < n; i++)
        y[i] = 3 * x[i * d] - x[i * d + 1] + sigma * cs_rng_normal (&rng);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_attention_fit (ctx, NULL, &fm, NULL), ==, CS_OK);
      cs_attention_set_metric (ctx, &fm);
      g_assert_cmpint (cs_diagnose_global (ctx, &g, pc, NULL, NULL), ==, CS_OK);
      g_test_message ("sigma %.2f: noise %.4f, L %.4f (true %.4f), theory radius %.4f, window %.4f",
                      sigma, g.noise_sd, g.lipschitz, slope, g.theory_radius, g.window_radius);
      /* nearest-neighbour differences include the slope over the NN distance */
      g_assert_cmpfloat (fabs (g.noise_sd - sigma), <, 0.15 * sigma + 0.03);
      /* local linear slope on a linear function: the true gradient norm */
      g_assert_cmpfloat (fabs (g.lipschitz - slope), <, 0.15 * slope);
      assert_rel (g.theory_radius, pow (g.noise_sd * g.noise_sd / (g.lipschitz * g.lipschitz * n), 0.25), 1e-12);
      g_assert_cmpint (cs_diagnose_at (ctx, q, 1, NULL, &at, NULL, NULL), ==, CS_OK);
      g_assert_cmpfloat (fabs (at.local_lipschitz - slope), <, 0.1 * slope);
      g_assert_cmpfloat (fabs (at.local_noise_sd - sigma), <, 0.3 * sigma);
      g_assert_cmpfloat (at.n_eff, >, 5);
      cs_metric_clear (&fm);
      cs_attention_free (ctx);
      g_free (x); g_free (y); g_free (pc);
    }
  g_assert_cmpfloat (cs_theory_radius (1, 0, 10, 2), ==, INFINITY);
  g_assert_cmpfloat (cs_theory_radius (0, 1, 10, 2), ==, 0);
  assert_rel (cs_theory_radius (0.5, 2, 100, 3), pow (0.25 / 400.0, 0.2), 1e-15);
}

/* The local fit's sums run in blocks of cases (BLAS-3): on a 4 x 4 grid repeated 25 times (400 cases, several
 * blocks and a partial last one) with equal weights the quadratic refit is OLS with 6 parameters, so its noise
 * is sqrt (RSS / (n - 6)) and its df n - 6 exactly, whatever the blocking; a block dropped, counted twice or
 * cut at the wrong row moves both. */
static void
test_local_fit_blocks (void)
{
  static const double p3[4] = { -1, 3, -3, 1 };
  enum { R = 25, N = 16 * R };
  double *x = g_new (double, N * 2), *y = g_new (double, N), *w = g_new (double, N), q[2] = { 0.1, -0.2 };
  size_t *idx = g_new (size_t, N);
  double rss = 0, c11 = 0, c22 = 0, m1 = 0, m2 = 0, s2;
  CsLocalDiagnostics ld;
  CsAttention *ctx = NULL;
  CsMetric m;
  CsAttended a;

  for (int c = 0; c < N; c++)
    {
      int k = c % 16, i = k / 4, j = k % 4;
      double r = 0.1 * p3[i] * p3[j] * (1.0 + (double) (c / 16) / R);   /* a different residual size per copy */
      x[2 * c] = (double) i - 1.5;
      x[2 * c + 1] = 0.5 * ((double) j - 1.5);
      y[c] = 3.0 + 2.0 * x[2 * c] - x[2 * c + 1] + r;
      rss += r * r;
      m1 += x[2 * c] / N;
      m2 += x[2 * c + 1] / N;
      idx[c] = (size_t) c;
      w[c] = 1.0 / N;
    }
  for (int c = 0; c < N; c++)
    {
      c11 += (x[2 * c] - m1) * (x[2 * c] - m1) / N;
      c22 += (x[2 * c + 1] - m2) * (x[2 * c + 1] - m2) / N;
    }
  g_assert_cmpint (cs_attention_new (x, y, N, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_metric_init_scalar (&m, 2, 4.0), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
  a = (CsAttended) { .m = N, .index = idx, .weight = w, .dropped = 0 };
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpint (ld.thin, ==, CS_LOCAL_THIN_NONE);
  g_assert_cmpuint (ld.n_directions, ==, 2);
  /* Tolerances: sums of 400 terms through an eigendecomposition; 1e-9 is far above their rounding. */
  g_assert_cmpfloat (fabs (ld.df_resid - (N - 6.0)), <, 1e-9 * N);
  s2 = rss / (N - 6.0);
  g_assert_cmpfloat (fabs (ld.local_noise_sd - sqrt (s2)), <, 1e-9);
  g_assert_cmpfloat (fabs (ld.local_lipschitz - sqrt (5.0)), <, 1e-9);
  g_assert_cmpfloat (fabs (ld.local_variation - sqrt (4.0 * c11 + c22 - s2 * 2.0 / N)), <, 1e-9);
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  g_free (x); g_free (y); g_free (w); g_free (idx);
}

static int
vw_by_value (const void *x,
             const void *y)
{
  double a = ((const CsVW *) x)->v, b = ((const CsVW *) y)->v;

  return (a > b) - (a < b);
}

/* The window's weighted quantile against sorting: the smallest value whose cumulative weight (ties
 * included) reaches frac of the total, on sets large enough for the sampled bracket, with even, skewed
 * (a few cases carrying most of the weight, so the sample's bracket can miss) and tied values. The answer
 * is one of the input values, picked, not computed, so it is compared as the same stored value; only the
 * order of the weight sums differs between the two, and a target within rounding of a cumulative step
 * has probability ~1e-12 with these continuous weights. */
static void
test_weighted_quantile (void)
{
  static const double fracs[] = { 0.9, 0.5, 0.1, 0.999 };
  CsRng rng;

  cs_rng_seed (&rng, 31);
  for (int kind = 0; kind < 3; kind++)
    for (size_t f = 0; f < G_N_ELEMENTS (fracs); f++)
      {
        size_t n = 20000 + 7919 * (size_t) (kind + 3 * f);
        CsVW *a = g_new (CsVW, n), *s = g_new (CsVW, n);
        double total = 0, cum = 0, want = NAN, got;

        for (size_t i = 0; i < n; i++)
          {
            double v = fabs (cs_rng_normal (&rng));
            double w = kind == 1 ? exp (6.0 * cs_rng_normal (&rng)) : cs_rng_range (&rng, 0.5, 1.5);
            if (kind == 2)
              v = floor (v * 20) / 20;   /* ties: 20 values per unit */
            a[i] = s[i] = (CsVW) { v, w };
            total += w;
          }
        qsort (s, n, sizeof s[0], vw_by_value);
        for (size_t i = 0; i < n && isnan (want); i++)
          {
            cum += s[i].w;
            if ((i + 1 == n || s[i + 1].v != s[i].v) && cum >= fracs[f] * total)
              want = s[i].v;
          }
        got = cs_weighted_quantile (a, n, fracs[f]);
        g_assert_cmpfloat (got, ==, want);
        g_free (a);
        g_free (s);
      }
}

/* Diagnostics separate a noisy region from a steep one. */
static void
test_diagnostics_local (void)
{
  CsRng rng;
  size_t n = 3000, d = 1;
  double *x = g_new (double, n), *y = g_new (double, n);
  CsAttention *ctx;
  CsMetric m;
  CsLocalDiagnostics at[2];
  double q[2] = { -1.0, 1.0 };

  cs_rng_seed (&rng, 4);
  for (size_t i = 0; i < n; i++)
    {
      x[i] = cs_rng_range (&rng, -2, 2);
      /* left: flat and noisy (sd 1); right: slope 5, noise 0.05 */
      y[i] = x[i] < 0 ? cs_rng_normal (&rng) : 5 * x[i] + 0.05 * cs_rng_normal (&rng);
    }
  g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  cs_metric_init_scalar (&m, 1, 100.0);
  cs_attention_set_metric (ctx, &m);
  g_assert_cmpint (cs_diagnose_at (ctx, q, 2, NULL, at, NULL, NULL), ==, CS_OK);
  g_test_message ("left L %.3f noise %.3f; right L %.3f noise %.3f", at[0].local_lipschitz,
                  at[0].local_noise_sd, at[1].local_lipschitz, at[1].local_noise_sd);
  g_assert_cmpfloat (fabs (at[0].local_noise_sd - 1.0), <, 0.25);
  g_assert_cmpfloat (fabs (at[1].local_noise_sd - 0.05), <, 0.03);
  g_assert_cmpfloat (fabs (at[1].local_lipschitz - 5.0), <, 0.5);
  g_assert_cmpfloat (at[0].local_lipschitz, <, 2.0);
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  g_free (x);
  g_free (y);
}

/* bin_weights (the attention matrix's columns): per query and bin, the largest weight of the bin's cases, from the
 * score pass, against the largest of the weights output's (the second pass, which scores case by case). The two
 * passes score with different roundings and the bins are stored as floats: half a float ulp (6e-8 relative) and
 * the scores' rounding (far below it) make 1.2e-7 relative, and 1e-44 absolute for float subnormals, where a
 * float's relative precision runs out. The same call on 1 and 2 threads gives the same bits (blocks of CS_QB
 * queries whatever the count). */
static void
test_bin_weights (void)
{
  static const struct { size_t n, d, nb; CsMetricKind kind; } cases[] = {
    { 700, 3, 1, CS_METRIC_SCALAR }, { 3001, 7, 37, CS_METRIC_DIAGONAL }, { 1500, 5, 1500, CS_METRIC_FULL },
    { 2100, 4, 2048, CS_METRIC_DIAGONAL },
  };

  for (size_t t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      size_t n = cases[t].n, d = cases[t].d, nb = cases[t].nb, q = 300;
      CsRng rng;
      double *x, *y, *w = g_new (double, q * n), worst = 0;
      float *bw = g_new (float, q * nb), *bw1 = g_new (float, q * nb);
      guint32 *bin = g_new (guint32, n);
      size_t *self = g_new (size_t, q);
      CsPrediction *out = g_new (CsPrediction, q);
      CsAttention *ctx = NULL;
      CsPredictOptions o;
      CsMetric m;

      cs_rng_seed (&rng, 1000 + t);
      x = random_matrix (&rng, n, d, 1.0);
      y = random_matrix (&rng, n, 1, 1.0);
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      random_metric (&rng, cases[t].kind, d, &m);
      g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
      for (size_t j = 0; j < n; j++)
        bin[j] = nb == n ? (guint32) j : (guint32) (cs_rng_next (&rng) % nb);
      for (size_t i = 0; i < q; i++)
        self[i] = i * 3 % n;   /* leave-one-out: the excluded case is weight 0 in its bin */

      cs_predict_options_init (&o);
      o.self_index = self;
      o.weights = w;
      g_assert_cmpint (cs_attention_predict (ctx, x, q, &o, out), ==, CS_OK);
      cs_predict_options_init (&o);
      o.self_index = self;
      o.weight_bin = bin;
      o.n_weight_bins = nb;
      o.bin_weights = bw;
      o.n_threads = 2;
      g_assert_cmpint (cs_attention_predict (ctx, x, q, &o, out), ==, CS_OK);
      for (size_t i = 0; i < q; i++)
        {
          double *mx = g_new0 (double, nb);
          for (size_t j = 0; j < n; j++)
            mx[bin[j]] = fmax (mx[bin[j]], w[i * n + j]);
          for (size_t b = 0; b < nb; b++)
            {
              double diff = fabs ((double) bw[i * nb + b] - mx[b]);
              if (mx[b] > 1e-30)
                worst = fmax (worst, diff / mx[b]);
              if (!(diff <= 1.2e-7 * mx[b] + 1e-44))
                g_error ("n %zu bins %zu query %zu bin %zu: %.9g against %.9g", n, nb, i, b,
                         (double) bw[i * nb + b], mx[b]);
            }
          g_free (mx);
        }
      g_test_message ("n %zu, %zu bins: worst bin weight %.3g relative", n, nb, worst);

      o.n_threads = 1;
      o.bin_weights = bw1;
      g_assert_cmpint (cs_attention_predict (ctx, x, q, &o, out), ==, CS_OK);
      g_assert_cmpmem (bw, q * nb * sizeof (float), bw1, q * nb * sizeof (float));

      /* a bin out of range, or the float path: refused */
      o.flags = CS_PREDICT_FLOAT;
      g_assert_cmpint (cs_attention_predict (ctx, x, q, &o, out), ==, CS_ERR_INVALID);
      o.flags = 0;
      bin[n / 2] = (guint32) nb;
      g_assert_cmpint (cs_attention_predict (ctx, x, q, &o, out), ==, CS_ERR_INVALID);

      cs_metric_clear (&m);
      cs_attention_free (ctx);
      g_free (x); g_free (y); g_free (w); g_free (bw); g_free (bw1); g_free (bin); g_free (self); g_free (out);
    }
}

/* CS_PREDICT_NO_DISTANCE leaves out the distances (nearest case, mean distance, the top cases' distances) and
 * changes nothing else: the rest against the same call without it. Two loops of the softmax kernel sum the
 * weights (with and without distances), so the comparison allows their rounding: 1e-12 relative in double,
 * 1e-5 in float (the float sums' own rounding over 2,000 cases); a radius90 is a weighted quantile that jumps to
 * the next case where rounding moves a cumulative weight across 0.9, so at most 1 % of them may differ. */
static void
test_no_distance (void)
{
  static const CsMetricKind kinds[] = { CS_METRIC_SCALAR, CS_METRIC_DIAGONAL, CS_METRIC_FULL };
  size_t n = 2000, d = 6, q = 120, k = 5;

  for (size_t t = 0; t < G_N_ELEMENTS (kinds); t++)
    for (int flt = 0; flt < 2; flt++)
      {
        CsRng rng;
        double *x, *y, *qs, *hw1 = g_new (double, q * d), *hw2 = g_new (double, q * d);
        double tol = flt ? 1e-5 : 1e-12;
        CsPrediction *p1 = g_new (CsPrediction, q), *p2 = g_new (CsPrediction, q);
        CsTopCase *t1 = g_new (CsTopCase, q * k), *t2 = g_new (CsTopCase, q * k);
        CsAttention *ctx = NULL;
        CsPredictOptions o;
        CsMetric m;
        size_t off = 0;

        cs_rng_seed (&rng, 77 + t);
        x = random_matrix (&rng, n, d, 1.0);
        y = random_matrix (&rng, n, 1, 1.0);
        qs = random_matrix (&rng, q, d, 1.0);
        g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
        random_metric (&rng, kinds[t], d, &m);
        g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
        cs_predict_options_init (&o);
        o.flags = CS_PREDICT_WINDOW | (flt ? CS_PREDICT_FLOAT : 0);
        o.top_k = k;
        o.top = t1;
        o.half_width = hw1;
        g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, p1), ==, CS_OK);
        o.flags |= CS_PREDICT_NO_DISTANCE;
        o.top = t2;
        o.half_width = hw2;
        g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, p2), ==, CS_OK);
        for (size_t i = 0; i < q; i++)
          {
            g_assert_true (isfinite (p1[i].mean_distance) && p1[i].nearest_index < n);
            g_assert_true (isnan (p2[i].mean_distance) && isnan (p2[i].nearest_distance));
            g_assert_cmpuint (p2[i].nearest_index, ==, CS_NO_CASE);
            assert_rel (p1[i].prediction, p2[i].prediction, tol);
            assert_rel (p1[i].n_eff, p2[i].n_eff, tol);
            assert_rel (p1[i].local_sd, p2[i].local_sd, tol);
            off += fabs (p1[i].radius90 - p2[i].radius90) > 1e-9 * p1[i].radius90;
            for (size_t j = 0; j < k; j++)
              {
                g_assert_cmpuint (t1[i * k + j].index, ==, t2[i * k + j].index);
                assert_rel (t1[i * k + j].weight, t2[i * k + j].weight, tol);
                g_assert_true (isnan (t2[i * k + j].distance));
              }
          }
        g_assert_cmpuint (off, <=, q / 100);
        cs_metric_clear (&m);
        cs_attention_free (ctx);
        g_free (x); g_free (y); g_free (qs); g_free (hw1); g_free (hw2); g_free (p1); g_free (p2);
        g_free (t1); g_free (t2);
      }
}

static void
skip_under_valgrind (gconstpointer path)
{
  g_test_skip ("too slow under valgrind; runs in the plain and sanitizer builds");
  (void) path;
}

/* Under valgrind (the 'valgrind' test setup sets CS_UNDER_VALGRIND) the heaviest subtests are
 * skipped: memcheck is 50x slower, and the same code paths run in the smaller subtests; all of
 * them run in the plain and sanitizer builds. */
static void
add_heavy (const char    *path,
           GTestFunc      fn)
{
  if (g_getenv ("CS_UNDER_VALGRIND") != NULL)
    g_test_add_data_func (path, path, skip_under_valgrind);
  else
    g_test_add_func (path, fn);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/attention/naive", test_naive);
  g_test_add_func ("/cs/model/attention/narrow-chunks", test_narrow_chunks);
  g_test_add_func ("/cs/model/attention/loo-never-sees-itself", test_loo_never_sees_itself);
  g_test_add_func ("/cs/model/attention/float-path", test_float_path);
  g_test_add_func ("/cs/model/attention/kernel-exp", test_kernel_exp);
  g_test_add_func ("/cs/model/attention/edges", test_edges);
  add_heavy ("/cs/model/fit/scalar-grid", test_fit_scalar_grid);
  g_test_add_func ("/cs/model/fit/derivatives", test_fit_derivatives);
  g_test_add_func ("/cs/model/fit/diagonal-full", test_fit_diagonal_full);
  g_test_add_func ("/cs/model/fit/stationary", test_fit_stationary);
  g_test_add_func ("/cs/model/fit/se-stop", test_fit_se_stop);
  add_heavy ("/cs/model/fit/cancel", test_fit_cancel);
  add_heavy ("/cs/model/fit/query-subset", test_fit_query_subset);
  g_test_add_func ("/cs/model/attention/new-full", test_new_full);
  g_test_add_func ("/cs/model/attention/new-all-cores", test_new_all_cores);
  g_test_add_func ("/cs/model/diagnostics/noise-sample", test_noise_sample);
  g_test_add_func ("/cs/model/diagnostics/global-sample", test_diagnose_sample);
  add_heavy ("/cs/model/attention/threads", test_threads);
  g_test_add_func ("/cs/model/linear", test_linear);
  g_test_add_func ("/cs/model/diagnostics/nearest", test_nearest);
  add_heavy ("/cs/model/diagnostics/known", test_diagnostics_known);
  g_test_add_func ("/cs/model/diagnostics/local", test_diagnostics_local);
  g_test_add_func ("/cs/model/diagnostics/local-blocks", test_local_fit_blocks);
  g_test_add_func ("/cs/model/window/weighted-quantile", test_weighted_quantile);
  g_test_add_func ("/cs/model/attention/bin-weights", test_bin_weights);
  g_test_add_func ("/cs/model/attention/no-distance", test_no_distance);
  return g_test_run ();
}
