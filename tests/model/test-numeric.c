/* test-numeric.c: the model's internal SPD solver (LAPACK dposv) and pthread fan-out. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-numeric.h"
#include "cs-parallel.h"
#include "cs-rng.h"

/* A = B B^T + c I (p x p, SPD for c > 0; rank min (k, p) for c = 0). */
static void
random_gram (CsRng  *rng,
             size_t  p,
             size_t  k,
             double  c,
             double *A)
{
  double *B = g_new (double, p * k);

  for (size_t i = 0; i < p * k; i++)
    B[i] = cs_rng_normal (rng);
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++)
      {
        double s = i == j ? c : 0;
        for (size_t t = 0; t < k; t++)
          s += B[i * k + t] * B[j * k + t];
        A[i * p + j] = s;
      }
  g_free (B);
}

/* |(A + r s I) x - b|_inf relative to |b|_inf, s the mean diagonal, in long double. */
static double
residual (size_t        p,
          const double *A,
          double        r,
          const double *x,
          const double *b)
{
  long double s = 0, worst = 0, bmax = 0;

  for (size_t i = 0; i < p; i++)
    s += A[i * p + i];
  s /= p;
  for (size_t i = 0; i < p; i++)
    {
      long double t = r * s * x[i] - b[i];
      for (size_t j = 0; j < p; j++)
        t += (long double) A[i * p + j] * x[j];
      worst = fmaxl (worst, fabsl (t));
      bmax = fmaxl (bmax, fabsl (b[i]));
    }
  return (double) (worst / bmax);
}

/* Well-conditioned SPD systems of many sizes: the solution satisfies the
 * system to rounding (a tolerance, as LAPACK's blocking differs from a loop),
 * A and b are left alone and the single try reports its ridge. */
static void
test_spd_solve (void)
{
  CsRng rng;

  cs_rng_seed (&rng, g_test_rand_int ());
  for (size_t p = 1; p <= 70; p += p < 8 ? 1 : 9)
    {
      double *A = g_new (double, p * p), *A0 = g_new (double, p * p), *W = g_new (double, p * p);
      double *b = g_new (double, p), *b0 = g_new (double, p), *x = g_new (double, p);
      double used = -1;

      random_gram (&rng, p, p + 3, 0.5, A);
      for (size_t i = 0; i < p; i++)
        b[i] = cs_rng_normal (&rng);
      memcpy (A0, A, p * p * sizeof (double));
      memcpy (b0, b, p * sizeof (double));
      g_assert_cmpint (cs_spd_solve (p, A, b, 0, 0, W, x, &used), ==, 0);
      g_assert_cmpfloat (used, ==, 0);
      g_assert_cmpmem (A, p * p * sizeof (double), A0, p * p * sizeof (double));
      g_assert_cmpmem (b, p * sizeof (double), b0, p * sizeof (double));
      /* condition number of B B^T + 0.5 I is at most a few hundred here */
      g_assert_cmpfloat (residual (p, A, 0, x, b), <, 1e-12);

      /* with a relative ridge the solution is that of A + r s I */
      g_assert_cmpint (cs_spd_solve (p, A, b, 0.25, 0.25, W, x, &used), ==, 0);
      g_assert_cmpfloat (used, ==, 0.25);
      g_assert_cmpfloat (residual (p, A, 0.25, x, b), <, 1e-12);
      g_free (A); g_free (A0); g_free (W); g_free (b); g_free (b0); g_free (x);
    }
}

/* Not SPD: one try fails, a growing ridge succeeds at the first power of 100
 * that makes A + r s I positive definite; NaN fails whatever the ridge. */
static void
test_spd_guards (void)
{
  /* eigenvalues 4 and -2, mean diagonal 1: r s > 2 is needed, so ridges 1e-4,
   * 1e-2 and 1 fail and 100 succeeds */
  double A[4] = { 1, 3, 3, 1 }, b[2] = { 1, 1 }, W[4], x[2], used = 0;
  double Z[4] = { 0, 0, 0, 0 }, N[4] = { 1, 0, 0, NAN };

  g_assert_cmpint (cs_spd_solve (2, A, b, 1e-4, 1e-4, W, x, NULL), ==, -1);
  g_assert_cmpint (cs_spd_solve (2, A, b, 1e-4, 1e-2, W, x, NULL), ==, -1);
  g_assert_cmpint (cs_spd_solve (2, A, b, 1e-4, 1e4, W, x, &used), ==, 0);
  g_assert_cmpfloat (fabs (used / 100 - 1), <, 1e-12);   /* 1e-4 * 100^3 by repeated products */
  g_assert_cmpfloat (residual (2, A, used, x, b), <, 1e-14);
  /* the bound is inclusive though 1e-4 * 100^3 is not exactly 100 in doubles */
  g_assert_cmpint (cs_spd_solve (2, A, b, 1e-4, 100, W, x, NULL), ==, 0);

  /* zero ridge on an indefinite matrix: one try, no endless growth */
  g_assert_cmpint (cs_spd_solve (2, A, b, 0, 1e8, W, x, NULL), ==, -1);

  /* the zero matrix: the ridge is relative to 1, x = b / r */
  g_assert_cmpint (cs_spd_solve (2, Z, b, 1e-3, 1e-3, W, x, NULL), ==, 0);
  g_assert_cmpfloat (fabs (x[0] / 1e3 - 1), <, 1e-12);
  g_assert_cmpint (cs_spd_solve (2, Z, b, 0, 0, W, x, NULL), ==, -1);

  /* a tiny matrix keeps a positive ridge: 1e-300 of a mean diagonal of 1e-300
   * underflows to 0, and the floor DBL_MIN makes the zero pivot positive */
  {
    double T[4] = { 2e-300, 0, 0, 0 }, t[2] = { 0, 1e-300 };
    g_assert_cmpint (cs_spd_solve (2, T, t, 1e-300, 1e-300, W, x, NULL), ==, 0);
    g_assert_cmpfloat (fabs (x[1] * DBL_MIN / 1e-300 - 1), <, 1e-12);
  }

  g_assert_cmpint (cs_spd_solve (2, N, b, 1e-9, 1e8, W, x, NULL), ==, -1);
  N[1] = N[2] = NAN;
  N[3] = 1;
  g_assert_cmpint (cs_spd_solve (2, N, b, 1e-9, 1e8, W, x, NULL), ==, -1);
  N[1] = N[2] = INFINITY;
  g_assert_cmpint (cs_spd_solve (2, N, b, 1e-9, 1e8, W, x, NULL), ==, -1);
  g_assert_cmpint (cs_spd_solve (0, A, b, 0, 0, W, x, NULL), ==, 0);
}

static void
test_cmp_double (void)
{
  double v[] = { 3, -1, 2.5, -INFINITY, 0, 1e-300, INFINITY, -0.5 };
  size_t n = G_N_ELEMENTS (v);

  qsort (v, n, sizeof (double), cs_cmp_double);
  for (size_t i = 1; i < n; i++)
    g_assert_cmpfloat (v[i - 1], <, v[i]);
  g_assert_cmpint (cs_cmp_double (&v[0], &v[0]), ==, 0);
}

typedef struct
{
  atomic_int *hits;   /* one counter per job */
  size_t index;
  size_t lo, hi;
  double sum;
} Job;

static void *
job_run (void *data)
{
  Job *j = data;

  atomic_fetch_add (&j->hits[j->index], 1);
  j->sum = 0;
  for (size_t i = j->lo; i < j->hi; i++)
    j->sum += (double) i;
  return NULL;
}

/* Every job runs exactly once and has finished on return, also beyond
 * CS_MAX_THREADS jobs (those run on the calling thread). */
static void
test_parallel_run (void)
{
  size_t counts[] = { 1, 2, 3, 7, CS_MAX_THREADS, CS_MAX_THREADS + 5 };

  for (size_t c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      size_t nj = counts[c];
      Job *jobs = g_new0 (Job, nj);
      atomic_int *hits = g_new0 (atomic_int, nj);
      double total = 0;

      for (size_t t = 0; t < nj; t++)
        {
          jobs[t].hits = hits;
          jobs[t].index = t;
          jobs[t].lo = t * 1000;
          jobs[t].hi = (t + 1) * 1000;
          jobs[t].sum = -1;
        }
      cs_parallel_run (nj, sizeof (Job), jobs, job_run);
      for (size_t t = 0; t < nj; t++)
        {
          g_assert_cmpint (atomic_load (&hits[t]), ==, 1);
          total += jobs[t].sum;
        }
      /* sums of integers below 2^53: exact in any order */
      g_assert_cmpfloat (total, ==, (double) (nj * 1000) * (double) (nj * 1000 - 1) / 2);
      g_free (jobs);
      g_free (hits);
    }
  cs_parallel_run (0, sizeof (Job), NULL, job_run);   /* nothing to do */
}

/* The split covers the rows once, in whole blocks, with at most the threads
 * asked for (and CS_MAX_THREADS), and gives every worker rows. */
static void
test_parallel_split (void)
{
  for (size_t n = 0; n < 5000; n += 1 + n / 7)
    for (int threads = -1; threads <= 70; threads += threads < 9 ? 1 : 20)
      {
        size_t per = 0, nt = cs_parallel_split (n, threads, 256, &per);

        g_assert_cmpuint (nt, >=, 1);
        g_assert_cmpuint (nt, <=, threads > 1 ? (size_t) threads : 1);
        g_assert_cmpuint (nt, <=, CS_MAX_THREADS);
        g_assert_cmpuint (per % 256, ==, 0);
        if (n == 0)
          continue;
        g_assert_cmpuint (nt * per, >=, n);               /* every row has a worker */
        g_assert_cmpuint ((nt - 1) * per, <, n);          /* every worker has rows */
      }
}

/* cs_weights_keep: the dropped weight is at most eps of the total, every kept
 * case outweighs every dropped one, the set cannot lose its lightest binary
 * bucket without breaking the bound, and a renormalised weighted mean moves by
 * at most dropped x range. Softmax weights over random scores at several
 * temperatures, plus the edge cases. */
static void
test_weights_keep (void)
{
  CsRng rng;
  const double eps_list[] = { 0, 1e-12, 1e-6, 1e-3, 0.1, 2 };
  const size_t n = 5000;
  double *w = g_new (double, n), *y = g_new (double, n);
  size_t *keep = g_new (size_t, n);

  cs_rng_seed (&rng, g_test_rand_int ());
  for (int rep = 0; rep < 40; rep++)
    {
      double scale = pow (10, -1 + 4 * cs_rng_uniform (&rng)), smax = -INFINITY, total = 0;
      double ymin = INFINITY, ymax = -INFINITY, mean = 0;

      for (size_t i = 0; i < n; i++)
        {
          w[i] = scale * cs_rng_normal (&rng);
          smax = fmax (smax, w[i]);
          y[i] = cs_rng_normal (&rng);
          ymin = fmin (ymin, y[i]);
          ymax = fmax (ymax, y[i]);
        }
      for (size_t i = 0; i < n; i++)
        {
          w[i] = exp (w[i] - smax);
          total += w[i];
        }
      for (size_t i = 0; i < n; i++)
        mean += w[i] / total * y[i];
      for (size_t e = 0; e < G_N_ELEMENTS (eps_list); e++)
        {
          double eps = eps_list[e], dropped = -1, kept = 0, kmean = 0;
          double min_kept = INFINITY, max_dropped = 0, lightest = 0;
          size_t m = cs_weights_keep (w, n, eps, keep, &dropped), j = 0;

          g_assert_cmpuint (m, >=, 1);
          g_assert_cmpuint (m, <=, n);
          for (size_t i = 0; i < n; i++)
            {
              if (j < m && keep[j] == i)
                {
                  kept += w[i];
                  kmean += w[i] * y[i];
                  min_kept = fmin (min_kept, w[i]);
                  j++;
                }
              else
                max_dropped = fmax (max_dropped, w[i]);
            }
          g_assert_cmpuint (j, ==, m);              /* increasing, no repeats */
          kmean /= kept;
          /* the reported fraction is the dropped weight, up to summation order
           * (sums of up to n positive terms: a few hundred ulps at most) */
          g_assert_cmpfloat (fabs (dropped - (total - kept) / total), <=, 1e-12 + 1e-12 * dropped);
          if (eps <= 0)
            {
              size_t positive = 0;

              for (size_t i = 0; i < n; i++)
                positive += w[i] > 0;     /* exp underflows to 0 at large scales */
              g_assert_cmpuint (m, ==, positive);
              g_assert_cmpfloat (dropped, ==, 0);
              continue;
            }
          if (eps < 1)
            g_assert_cmpfloat (dropped, <=, eps);
          g_assert_cmpfloat (max_dropped, <, min_kept);
          /* a mean over the kept cases, renormalised, stays within dropped x
           * range (plus rounding of sums of n terms: 1e-12 of the range) */
          g_assert_cmpfloat (fabs (kmean - mean), <=, (dropped + 1e-12) * (ymax - ymin));
          /* bucket granularity: the kept cases within a factor of two of the
           * lightest kept one cannot all go too */
          for (size_t i = 0; i < m; i++)
            if (w[keep[i]] < 2 * min_kept)
              lightest += w[keep[i]];
          if (m < n && eps < 1)
            g_assert_cmpfloat (dropped + lightest / total, >, eps * (1 - 1e-12));
        }
    }

  /* edges: no weight, NaN and negative entries, one case */
  {
    double z[4] = { 0, 0, 0, 0 }, odd[4] = { NAN, -1, 2, 0 }, dropped = -1;

    g_assert_cmpuint (cs_weights_keep (z, 4, 1e-6, keep, &dropped), ==, 0);
    g_assert_cmpfloat (dropped, ==, 0);
    g_assert_cmpuint (cs_weights_keep (odd, 4, 1e-6, keep, &dropped), ==, 1);
    g_assert_cmpuint (keep[0], ==, 2);
    g_assert_cmpuint (cs_weights_keep (odd + 2, 1, 0.5, keep, NULL), ==, 1);
  }
  g_free (w);
  g_free (y);
  g_free (keep);
}

/* The reference cs_weights_keep: buckets by frexp, the kept test by bucket (the first form of the function). */
static size_t
keep_reference (const double *w,
                size_t        n,
                double        eps,
                size_t       *keep)
{
  enum { NB = 1076 };
  double *sums = g_new0 (double, NB), total = 0, cum = 0;
  size_t last = NB - 1, m = 0, top = 0;
#define REF_BUCKET(r) ({ int e_; double r_ = (r); (void) frexp (r_, &e_); \
                        !(r_ > 0) ? (size_t) NB : e_ > 0 ? 0 : (size_t) -e_ < NB - 1 ? (size_t) -e_ : (size_t) NB - 1; })

  for (size_t i = 0; i < n; i++)
    if (w[i] > 0)
      total += w[i];
  for (size_t i = 0; i < n; i++)
    {
      size_t b = REF_BUCKET (w[i] / total);
      if (b < NB)
        sums[b] += w[i];
    }
  while (top < NB - 1 && sums[top] == 0)
    top++;
  last = top;
  for (size_t b = NB - 1; b > top; b--)
    {
      if (cum + sums[b] > eps * total)
        {
          last = b;
          break;
        }
      cum += sums[b];
    }
  for (size_t i = 0; i < n; i++)
    if (w[i] > 0 && REF_BUCKET (w[i] / total) <= last)
      keep[m++] = i;
#undef REF_BUCKET
  g_free (sums);
  return m;
}

/* cs_weights_keep's exponent from the bits and its one-compare kept test against the frexp reference: the same
 * cases, on weights at exact powers of two of the total (the buckets' edges, where a test off by one ulp or one
 * bucket shows), just below them, subnormal ones, and softmax weights spanning the whole exponent range. */
static void
test_weights_keep_exact (void)
{
  const size_t n = 3000;
  const double eps_list[] = { 1e-300, 1e-12, 1e-6, 1e-3, 0.3 };
  double *w = g_new (double, n);
  size_t *a = g_new (size_t, n), *b = g_new (size_t, n);
  CsRng rng;

  cs_rng_seed (&rng, 20261207);
  for (int rep = 0; rep < 30; rep++)
    {
      for (size_t i = 0; i < n; i++)
        {
          int kind = (int) (cs_rng_uniform (&rng) * 5);
          int e = -(int) (cs_rng_uniform (&rng) * (rep < 10 ? 60 : 1080));
          w[i] = kind == 0 ? ldexp (1.0, e)                                  /* a bucket's edge */
                 : kind == 1 ? nextafter (ldexp (1.0, e), 0)                 /* just under it */
                 : kind == 2 ? ldexp (1.0, -1074) * (1 + (double) (i % 7))   /* subnormal */
                 : kind == 3 ? exp (-745.0 * cs_rng_uniform (&rng))          /* softmax-like, all exponents */
                 : 0.0;
        }
      /* one weight of 1: the total is a little over 1 (a power of two only by luck), so w / total rounds */
      w[rep % n] = 1.0;
      for (size_t e = 0; e < G_N_ELEMENTS (eps_list); e++)
        {
          size_t ma = cs_weights_keep (w, n, eps_list[e], a, NULL), mb = keep_reference (w, n, eps_list[e], b);

          g_assert_cmpuint (ma, ==, mb);
          for (size_t i = 0; i < ma; i++)
            g_assert_cmpuint (a[i], ==, b[i]);
        }
    }
  /* a total of exactly 1, so w / total is w: the lightest kept bucket's edge, 1/4, is itself kept */
  {
    const double edge[4] = { 0.5, 0.25, 0.125, 0.125 };

    g_assert_cmpuint (cs_weights_keep (edge, 4, 0.3, a, NULL), ==, 2);
    g_assert_cmpuint (keep_reference (edge, 4, 0.3, b), ==, 2);
    g_assert_cmpuint (a[1], ==, 1);
  }
  g_free (w);
  g_free (a);
  g_free (b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/numeric/spd-solve", test_spd_solve);
  g_test_add_func ("/cs/model/numeric/spd-guards", test_spd_guards);
  g_test_add_func ("/cs/model/numeric/cmp-double", test_cmp_double);
  g_test_add_func ("/cs/model/numeric/weights-keep", test_weights_keep);
  g_test_add_func ("/cs/model/numeric/weights-keep-exact", test_weights_keep_exact);
  g_test_add_func ("/cs/model/parallel/run", test_parallel_run);
  g_test_add_func ("/cs/model/parallel/split", test_parallel_split);
  return g_test_run ();
}
