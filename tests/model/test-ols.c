/* test-ols.c: the least-squares baseline's exact leave-one-out against brute-force refits. */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "cs-ols.h"

/* Least squares on the columns cols[] of x (plus an intercept) over the rows with skip excluded, by the
 * normal equations and Gauss-Jordan elimination with partial pivoting: a different method from cs_ols_loo's
 * QR and SVD, fine for the well-conditioned small systems here. Returns the prediction at row at. */
static double
refit_predict (const double *x,
               const double *y,
               gsize         n,
               gsize         d,
               const gsize  *cols,
               gsize         k,
               gsize         skip,
               gsize         at)
{
  gsize p = k + 1;
  g_autofree double *a = g_new0 (double, p * (p + 1));
  double pred = 0;

  for (gsize i = 0; i < n; i++)
    {
      double row[16];

      if (i == skip)
        continue;
      row[0] = 1;
      for (gsize c = 0; c < k; c++)
        row[c + 1] = x[i * d + cols[c]];
      for (gsize r = 0; r < p; r++)
        {
          for (gsize c = 0; c < p; c++)
            a[r * (p + 1) + c] += row[r] * row[c];
          a[r * (p + 1) + p] += row[r] * y[i];
        }
    }
  for (gsize c = 0; c < p; c++)
    {
      gsize piv = c;

      for (gsize r = c + 1; r < p; r++)
        if (fabs (a[r * (p + 1) + c]) > fabs (a[piv * (p + 1) + c]))
          piv = r;
      for (gsize j = 0; j <= p; j++)
        {
          double tmp = a[c * (p + 1) + j];

          a[c * (p + 1) + j] = a[piv * (p + 1) + j];
          a[piv * (p + 1) + j] = tmp;
        }
      for (gsize r = 0; r < p; r++)
        if (r != c)
          {
            double f = a[r * (p + 1) + c] / a[c * (p + 1) + c];

            for (gsize j = c; j <= p; j++)
              a[r * (p + 1) + j] -= f * a[c * (p + 1) + j];
          }
    }
  pred = a[p];
  pred /= a[0];
  for (gsize c = 0; c < k; c++)
    pred += a[(c + 1) * (p + 1) + p] / a[(c + 1) * (p + 1) + c + 1] * x[at * d + cols[c]];
  return pred;
}

/* Relative agreement of two computations by different factorisations: rounding of order 1e-13 on these
 * well-conditioned systems, so 1e-9 leaves a wide margin and still catches any wrong formula. */
static void
assert_close (double a,
              double b)
{
  g_assert_true (isfinite (a) && isfinite (b));
  g_assert_cmpfloat (fabs (a - b), <=, 1e-9 * fmax (fabs (a), fabs (b)) + 1e-12);
}

/* Random features, a column that is a combination of two others, and a constant column: the fit must
 * drop the dependent directions and equal the refit on the independent columns. */
static void
test_ols_rank_deficient (void)
{
  const gsize n = 60, d = 6;
  const gsize indep[] = { 0, 1, 2, 3 };
  g_autoptr(GRand) rng = g_rand_new_with_seed (16);
  g_autofree double *x = g_new (double, n * d);
  g_autofree double *y = g_new (double, n);
  g_autofree double *loo = g_new (double, n);
  CsOlsReport rep;
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      for (gsize j = 0; j < 4; j++)
        x[i * d + j] = g_rand_double_range (rng, -3, 3) * (j + 1) + 10 * j;
      x[i * d + 4] = 2 * x[i * d + 0] - 0.5 * x[i * d + 2];   /* collinear */
      x[i * d + 5] = 7.25;                                      /* constant */
      y[i] = 1.5 + x[i * d + 0] - 2 * x[i * d + 1] + 0.3 * x[i * d + 3] + g_rand_double_range (rng, -1, 1);
    }
  g_assert_cmpint (cs_ols_loo (x, y, n, d, loo, &rep), ==, CS_OK);
  g_assert_cmpuint (rep.rank, ==, 5);
  g_assert_cmpuint (rep.n_identified, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      double brute = y[i] - refit_predict (x, y, n, d, indep, 4, i, i);

      assert_close (loo[i], brute);
      sum += brute * brute;
    }
  assert_close (rep.loo_mse, sum / n);
  g_assert_cmpfloat (rep.train_mse, <, rep.loo_mse);
}

/* A full-rank random problem: every leave-one-out residual equals the refit's. */
static void
test_ols_full_rank (void)
{
  const gsize n = 200, d = 3;
  const gsize all[] = { 0, 1, 2 };
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autofree double *x = g_new (double, n * d);
  g_autofree double *y = g_new (double, n);
  g_autofree double *loo = g_new (double, n);
  CsOlsReport rep;
  double sum = 0;

  for (gsize i = 0; i < n * d; i++)
    x[i] = g_rand_double_range (rng, -1, 1);
  for (gsize i = 0; i < n; i++)
    y[i] = sin (3 * x[i * d]) + x[i * d + 1] * x[i * d + 2] + 0.1 * g_rand_double_range (rng, -1, 1);
  g_assert_cmpint (cs_ols_loo (x, y, n, d, loo, &rep), ==, CS_OK);
  g_assert_cmpuint (rep.rank, ==, d + 1);
  for (gsize i = 0; i < n; i++)
    {
      double brute = y[i] - refit_predict (x, y, n, d, all, d, i, i);

      assert_close (loo[i], brute);
      sum += brute * brute;
    }
  assert_close (rep.loo_mse, sum / n);
}

/* The circle sample's trap for the old baseline: y a function of |x| plus noise with variance 0.09. The
 * least-squares baseline cannot reach below the noise (linear attention's "leave-one-out" reported 2e-7). */
static void
test_ols_not_below_noise (void)
{
  const gsize n = 400, d = 2;
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autofree double *x = g_new (double, n * d);
  g_autofree double *y = g_new (double, n);
  CsOlsReport rep;

  for (gsize i = 0; i < n; i++)
    {
      double t = g_rand_double_range (rng, 0, 2 * G_PI), u1 = g_rand_double (rng), u2 = g_rand_double (rng);

      x[i * d] = cos (t);
      x[i * d + 1] = sin (t);
      /* Box-Muller: noise sd 0.3 */
      y[i] = 1.5 * cos (3 * t) + 0.3 * sqrt (-2 * log (1 - u1)) * cos (2 * G_PI * u2);
    }
  g_assert_cmpint (cs_ols_loo (x, y, n, d, NULL, &rep), ==, CS_OK);
  g_assert_cmpfloat (rep.loo_mse, >, 0.09 * 0.8);
}

/* One case alone on an indicator column: h_ii = 1, no leave-one-out prediction for it; the others'
 * residuals still equal the refits'. And n <= d + 1: no case identified, loo_mse NaN. */
static void
test_ols_leverage (void)
{
  const gsize n = 30, d = 2;
  const gsize all[] = { 0, 1 };
  g_autoptr(GRand) rng = g_rand_new_with_seed (11);
  g_autofree double *x = g_new (double, n * d);
  g_autofree double *y = g_new (double, n);
  g_autofree double *loo = g_new (double, n);
  CsOlsReport rep;
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    {
      x[i * d] = g_rand_double_range (rng, -1, 1);
      x[i * d + 1] = i == 17 ? 1.0 : 0.0;
      y[i] = x[i * d] + g_rand_double_range (rng, -0.2, 0.2) + (i == 17 ? 5 : 0);
    }
  g_assert_cmpint (cs_ols_loo (x, y, n, d, loo, &rep), ==, CS_OK);
  g_assert_cmpuint (rep.rank, ==, 3);
  g_assert_cmpuint (rep.n_identified, ==, n - 1);
  g_assert_true (isnan (loo[17]));
  for (gsize i = 0; i < n; i++)
    if (i != 17)
      {
        double brute = y[i] - refit_predict (x, y, n, d, all, d, i, i);

        assert_close (loo[i], brute);
        sum += brute * brute;
      }
  assert_close (rep.loo_mse, sum / (n - 1));

  g_assert_cmpint (cs_ols_loo (x, y, 2, d, loo, &rep), ==, CS_OK);
  g_assert_cmpuint (rep.n_identified, ==, 0);
  g_assert_true (isnan (rep.loo_mse));
}

static void
test_ols_bad_input (void)
{
  double x[4] = { 1, 2, 3, NAN }, y[2] = { 1, 2 };
  CsOlsReport rep;

  g_assert_cmpint (cs_ols_loo (x, y, 2, 2, NULL, &rep), ==, CS_ERR_NOT_FINITE);
  g_assert_cmpint (cs_ols_loo (x, y, 0, 2, NULL, &rep), ==, CS_ERR_INVALID);
  g_assert_cmpint (cs_ols_loo (x, NULL, 2, 2, NULL, &rep), ==, CS_ERR_INVALID);
  /* d = 0: the intercept alone, the leave-one-out error of the mean: (y_i - mean of the other) ^ 2 = 1 */
  g_assert_cmpint (cs_ols_loo (NULL, y, 2, 0, NULL, &rep), ==, CS_OK);
  assert_close (rep.loo_mse, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/ols/rank-deficient", test_ols_rank_deficient);
  g_test_add_func ("/cs/model/ols/full-rank", test_ols_full_rank);
  g_test_add_func ("/cs/model/ols/not-below-noise", test_ols_not_below_noise);
  g_test_add_func ("/cs/model/ols/leverage", test_ols_leverage);
  g_test_add_func ("/cs/model/ols/bad-input", test_ols_bad_input);
  return g_test_run ();
}
