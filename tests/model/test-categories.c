/* test-categories.c: category columns in the attention score (mismatch penalties lambda_c), their gradient,
 * every prediction path, and the fit on generated case bases where a category matters or does not. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cat-gen.h"

/* The definition, dense and naive: leave-one-out with s_ij = -1/2 |x_i - x_j|_M^2 - sum_c lambda_c [mismatch]. */
static double
naive_loo (const Base *b, const CsMetric *m)
{
  size_t n = b->n, d = b->d;
  double *M = g_new (double, d * d), sse = 0;

  cs_metric_to_matrix (m, M);
  for (size_t i = 0; i < n; i++)
    {
      double smax = -INFINITY, z = 0, zy = 0, s[n];
      for (size_t j = 0; j < n; j++)
        {
          double q = 0;
          if (j == i)
            continue;
          for (size_t a = 0; a < d; a++)
            for (size_t c = 0; c < d; c++)
              q += (b->x[j * d + a] - b->x[i * d + a]) * M[a * d + c] * (b->x[j * d + c] - b->x[i * d + c]);
          s[j] = -0.5 * q - (m->n_cat > 0 && b->lv[i] != b->lv[j] ? m->cat_lambda[0] : 0.0);
          smax = fmax (smax, s[j]);
        }
      for (size_t j = 0; j < n; j++)
        if (j != i)
          {
            double w = exp (s[j] - smax);
            z += w;
            zy += w * b->y[j];
          }
      sse += (zy / z - b->y[i]) * (zy / z - b->y[i]);
    }
  g_free (M);
  return sse / (double) n;
}

static CsAttention *
base_context (const Base *b, gboolean with_categories)
{
  CsAttention *ctx = NULL;
  size_t nl = b->L;

  g_assert_cmpint (cs_attention_new (b->x, b->y, b->n, b->d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  if (with_categories)
    g_assert_cmpint (cs_attention_set_categories (ctx, 1, b->lv, &nl), ==, CS_OK);
  return ctx;
}

/* The loss equals the naive definition, and its gradient (log w or log diag, then log lambda) equals central
 * differences of it, for a scalar and a diagonal metric and a small and a large penalty. */
static void
test_gradient (void)
{
  for (int kind = 0; kind < 2; kind++)
    for (int li = 0; li < 2; li++)
      {
        Base b;
        CsAttention *ctx;
        CsMetric m = { 0 };
        double lam = li == 0 ? 0.3 : 2.5, L0, g[8], dg[3] = { 0.7, 1.6, 0.4 };
        size_t np;

        base_make (&b, 11 + (guint64) (kind * 2 + li), 90, 3, TRUE, 3, li == 1, 3.0);
        ctx = base_context (&b, TRUE);
        if (kind == 0)
          cs_metric_init_scalar (&m, 3, 0.9);
        else
          cs_metric_init_diagonal (&m, 3, dg);
        cs_metric_set_categories (&m, 1, &lam);
        np = (kind == 0 ? 1 : 3) + 1;
        g_assert_cmpint (cs_attention_loo_gradient (ctx, &m, 1, &L0, g), ==, CS_OK);
        /* same definition, other summation order: 1e-10 relative */
        g_assert_cmpfloat (fabs (L0 - naive_loo (&b, &m)), <=, 1e-10 * L0);
        for (size_t k = 0; k < np; k++)
          {
            double h = 1e-5, Lp, Lm, fd, gx[8];
            CsMetric mp = { 0 }, mm = { 0 };
            cs_metric_copy (&mp, &m);
            cs_metric_copy (&mm, &m);
            if (k == np - 1)
              {
                mp.cat_lambda[0] *= exp (h);
                mm.cat_lambda[0] *= exp (-h);
              }
            else if (kind == 0)
              {
                mp.scale *= exp (h);
                mm.scale *= exp (-h);
              }
            else
              {
                mp.diag[k] *= exp (h);
                mm.diag[k] *= exp (-h);
              }
            g_assert_cmpint (cs_attention_loo_gradient (ctx, &mp, 1, &Lp, gx), ==, CS_OK);
            g_assert_cmpint (cs_attention_loo_gradient (ctx, &mm, 1, &Lm, gx), ==, CS_OK);
            fd = (Lp - Lm) / (2 * h);
            /* central differences at h = 1e-5 carry O(h^2) and O(eps L / h) errors: 1e-5 of the scale */
            g_test_message ("kind %d lambda %.1f param %zu: analytic %.9g, differences %.9g", kind, lam, k, g[k], fd);
            g_assert_cmpfloat (fabs (g[k] - fd), <=, 1e-5 * (fabs (fd) + 1e-3 * L0));
            cs_metric_clear (&mp);
            cs_metric_clear (&mm);
          }
        cs_metric_clear (&m);
        cs_attention_free (ctx);
        base_free (&b);
      }
}

/* Every prediction path gives the naive weights with the penalty: double, float (the fused kernel's sizes),
 * with the window pass, and a query whose level no case has weighs as without categories. */
static void
test_predict_paths (void)
{
  Base b;
  CsAttention *ctx, *plain;
  CsMetric m = { 0 };
  double lam = 1.7, q[6 * 3];
  int lq[6] = { 0, 1, 2, -1, 1, 0 };
  CsPrediction pd[6], pf[6], pw[6], pu[6];
  CsPredictOptions o;

  base_make (&b, 5, 700, 3, TRUE, 3, FALSE, 3.0);
  ctx = base_context (&b, TRUE);
  plain = base_context (&b, FALSE);
  cs_metric_init_scalar (&m, 3, 1.3);
  cs_metric_set_categories (&m, 1, &lam);
  g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (plain, &m), ==, CS_OK);   /* no categories there: penalty unused */
  for (size_t k = 0; k < 6 * 3; k++)
    q[k] = 0.3 * sin ((double) k);
  cs_predict_options_init (&o);
  o.levels = lq;
  g_assert_cmpint (cs_attention_predict (ctx, q, 6, &o, pd), ==, CS_OK);
  o.flags = CS_PREDICT_FLOAT;
  g_assert_cmpint (cs_attention_predict (ctx, q, 6, &o, pf), ==, CS_OK);
  o.flags = CS_PREDICT_WINDOW;
  o.epsilon = 0;
  g_assert_cmpint (cs_attention_predict (ctx, q, 6, &o, pw), ==, CS_OK);
  cs_predict_options_init (&o);
  g_assert_cmpint (cs_attention_predict (plain, q, 6, &o, pu), ==, CS_OK);
  for (size_t k = 0; k < 6; k++)
    {
      double M = -INFINITY, z = 0, zy = 0;
      for (size_t i = 0; i < b.n; i++)
        {
          double d2 = 0, s;
          for (size_t j = 0; j < 3; j++)
            d2 += (b.x[i * 3 + j] - q[k * 3 + j]) * (b.x[i * 3 + j] - q[k * 3 + j]);
          s = -0.5 * 1.3 * d2 - (b.lv[i] != lq[k] ? lam : 0);
          M = fmax (M, s);
        }
      for (size_t i = 0; i < b.n; i++)
        {
          double d2 = 0, s;
          for (size_t j = 0; j < 3; j++)
            d2 += (b.x[i * 3 + j] - q[k * 3 + j]) * (b.x[i * 3 + j] - q[k * 3 + j]);
          s = -0.5 * 1.3 * d2 - (b.lv[i] != lq[k] ? lam : 0);
          z += exp (s - M);
          zy += exp (s - M) * b.y[i];
        }
      /* double paths: the same sums in another order (1e-12); float: weights to ~1e-5 relative */
      g_assert_cmpfloat (fabs (pd[k].prediction - zy / z), <=, 1e-12 * (1 + fabs (zy / z)));
      g_assert_cmpfloat (fabs (pw[k].prediction - zy / z), <=, 1e-12 * (1 + fabs (zy / z)));
      g_assert_cmpfloat (fabs (pf[k].prediction - zy / z), <=, 1e-4 * (1 + fabs (zy / z)));
      if (lq[k] < 0)
        g_assert_cmpfloat (fabs (pd[k].prediction - pu[k].prediction), <=, 1e-12 * (1 + fabs (pu[k].prediction)));
      else
        g_assert_cmpfloat (fabs (pd[k].prediction - pu[k].prediction), >, 1e-6);   /* the penalty moved it */
    }
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  cs_attention_free (plain);
  base_free (&b);
}

static size_t
gen_n (void)
{
  const char *e = g_getenv ("CS_CAT_N");
  return e != NULL ? (size_t) g_ascii_strtoull (e, NULL, 10) : 600;
}

/* Leave-one-out RMSE of the fitted scalar metric without the category, and with it (lambda and the scale
 * fitted). */
static void
fit_pair (const Base *b, double *rmse_without, double *rmse_with, double *lambda, double *scale)
{
  CsAttention *c0 = base_context (b, FALSE), *c1 = base_context (b, TRUE);
  CsFitOptions fo;
  CsMetric m0 = { 0 }, m1 = { 0 };
  CsFitReport r0, r1;

  cs_fit_options_init (&fo);
  fo.kind = CS_METRIC_SCALAR;
  g_assert_cmpint (cs_attention_fit (c0, &fo, &m0, &r0), ==, CS_OK);
  fo.fit_categories = 1;
  g_assert_cmpint (cs_attention_fit (c1, &fo, &m1, &r1), ==, CS_OK);
  g_assert_cmpuint (m1.n_cat, ==, 1);
  *rmse_without = sqrt (r0.loo_mse);
  *rmse_with = sqrt (r1.loo_mse);
  *lambda = m1.cat_lambda[0];
  *scale = m1.scale;
  cs_metric_clear (&m0);
  cs_metric_clear (&m1);
  cs_attention_free (c0);
  cs_attention_free (c1);
}

/* The smallest leave-one-out MSE over a grid of penalties at the given scale (10^6: the split per level). */
static double
grid_best (const Base *b, double scale)
{
  static const double lambdas[] = { 0, 0.25, 0.5, 1, 2, 4, 8, 16, 1e6 };
  CsAttention *c = base_context (b, TRUE);
  double best = INFINITY;

  for (size_t k = 0; k < G_N_ELEMENTS (lambdas); k++)
    {
      CsMetric m = { 0 };
      double mse;
      cs_metric_init_scalar (&m, b->d, scale);
      cs_metric_set_categories (&m, 1, &lambdas[k]);
      g_assert_cmpint (cs_attention_loo_mse (c, &m, &mse, NULL, NULL), ==, CS_OK);
      best = fmin (best, mse);
      cs_metric_clear (&m);
    }
  cs_attention_free (c);
  return best;
}

/* The targets, fixed before measuring, on every cell of 2 and 8 features x curved and linear x 2 and
 * 6 levels x balanced and unbalanced, two seeds each (n = 600; seeds 1 and 2 were the development runs, these
 * are 3 and 4):
 *  - a category shifting the outcome by 3 noise sd per level: leave-one-out error with it at least 30 % lower
 *    than without. Read as the mean squared error (what the fit minimises and loo_mse reports) it holds in
 *    every cell but those with 8 features and 2 levels; read as the RMSE it also fails narrowly in a few
 *    others. With 8 features the fitted window's own error (about 2.2 noise sd: the bias of one scalar
 *    window in 8 dimensions at 600 cases) dwarfs the +-1.5 sd a 2-level category explains. That is the
 *    model's limit, not the fit's: in those cells the best MSE over a grid of 25 scales x 9 penalties
 *    (tests/model/grid-categories) is no lower than the fit's and its ratio is 0.60 to 0.84 on seeds 3 and 4,
 *    while the full metric (which finds the one direction the outcome follows) reaches 0.31 to 0.45. This test
 *    holds the scalar fit to that; the engine's default now tries the full metric at 8 features and meets 0.70
 *    in every cell (test-categories-default.c, model/METRIC.md).
 *    Held: MSE ratio <= 0.70 in the other cells; in the 8-feature 2-level cells the measured worst (0.833,
 *    curved, unbalanced, seed 3) with a margin for summation order, <= 0.85, and the fit's MSE at most
 *    1.005 of the best penalty of the grid at its scale (before the step cap on the penalties, the fit
 *    stopped on the plateau of the split, 2.6 % above it in a development cell);
 *  - a category without effect: lambda <= 0.05 (a mismatched case keeps at least 95 % of its weight) and the
 *    RMSE at most 1.02 of without. The worst cell of each is printed. */
static void
test_generated (void)
{
  double worst_ratio = 0, worst_null_ratio = 0, worst_lambda = 0;
  char worst_a[128] = "", worst_b[128] = "", worst_c[128] = "";

  double worst_small = 0, worst_grid = 0;
  char worst_d[128] = "";

  for (int cell = 0; cell < 16; cell++)
    for (guint64 seed = 3; seed <= 4; seed++)
      {
        size_t d = cell & 1 ? 8 : 2, L = cell & 4 ? 6 : 2;
        gboolean curved = (cell & 2) != 0, unbal = (cell & 8) != 0;
        double a0, a1, al, as, n0, n1, nl, ns;
        Base be, bn;
        char name[128];

        g_snprintf (name, sizeof name, "d %zu, %s, %zu levels, %s, seed %" G_GUINT64_FORMAT,
                    d, curved ? "curved" : "linear", L, unbal ? "unbalanced" : "balanced", seed);
        base_make (&be, 1000 * seed + (guint64) cell, gen_n (), d, curved, L, unbal, 3.0);
        base_make (&bn, 5000 * seed + (guint64) cell, gen_n (), d, curved, L, unbal, 0.0);
        fit_pair (&be, &a0, &a1, &al, &as);
        fit_pair (&bn, &n0, &n1, &nl, &ns);
        g_test_message ("%s: effect RMSE %.4f -> %.4f (x%.3f, MSE x%.3f, lambda %.3g); none %.4f -> %.4f (x%.4f, "
                        "lambda %.3g)", name, a0, a1, a1 / a0, a1 * a1 / (a0 * a0), al, n0, n1, n1 / n0, nl);
        if (d == 8 && L == 2)
          {
            double gb = grid_best (&be, as);
            g_test_message ("%s: fit MSE %.5f, best of the penalty grid at its scale %.5f", name, a1 * a1, gb);
            worst_grid = fmax (worst_grid, a1 * a1 / gb);
            if (a1 * a1 / (a0 * a0) > worst_small)
              {
                worst_small = a1 * a1 / (a0 * a0);
                g_strlcpy (worst_d, name, sizeof worst_d);
              }
          }
        else if (a1 * a1 / (a0 * a0) > worst_ratio)
          {
            worst_ratio = a1 * a1 / (a0 * a0);
            g_strlcpy (worst_a, name, sizeof worst_a);
          }
        if (n1 / n0 > worst_null_ratio)
          {
            worst_null_ratio = n1 / n0;
            g_strlcpy (worst_b, name, sizeof worst_b);
          }
        if (nl > worst_lambda)
          {
            worst_lambda = nl;
            g_strlcpy (worst_c, name, sizeof worst_c);
          }
        base_free (&be);
        base_free (&bn);
      }
  g_printerr ("# worst: effect MSE ratio %.3f (%s), with 8 features and 2 levels %.3f (%s), fit over the grid's "
              "best %.4f; no effect RMSE ratio %.4f (%s), lambda %.3g (%s)\n",
              worst_ratio, worst_a, worst_small, worst_d, worst_grid, worst_null_ratio, worst_b, worst_lambda,
              worst_c);
  g_assert_cmpfloat (worst_ratio, <=, 0.70);
  g_assert_cmpfloat (worst_small, <=, 0.85);
  g_assert_cmpfloat (worst_grid, <=, 1.005);
  g_assert_cmpfloat (worst_null_ratio, <=, 1.02);
  g_assert_cmpfloat (worst_lambda, <=, 0.05);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/categories/gradient", test_gradient);
  g_test_add_func ("/cs/model/categories/predict-paths", test_predict_paths);
  g_test_add_func ("/cs/model/categories/generated", test_generated);
  return g_test_run ();
}
