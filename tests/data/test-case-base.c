/* test-case-base.c: the case base's feature statistics, on one worker and split over several. */
#define G_LOG_DOMAIN "test-case-base"

#include "config.h"

#include <math.h>

#include "cs-case-base.h"

/* The statistics of bases large enough for the columns to be split over the processors (n d at least 2^18
 * values) and of small ones, with every column checked against a plain column-by-column loop: a column given to
 * no worker, or to the wrong one, or a range taken from another column, is far off. The tolerance (1e-13
 * relative) only covers the reference's own arithmetic, which is not the function's code. Columns of 1 to 70
 * features, so a worker's columns span more than one 64-wide block. */
static void
test_stats_columns (void)
{
  const gsize sizes[][2] = { { 40000, 7 }, { 3001, 70 }, { 9, 3 }, { 1, 1 }, { 70000, 1 } };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      gsize n = sizes[k][0], d = sizes[k][1];
      CsCaseBase *cb = cs_case_base_new (n, d);
      GRand *rng = g_rand_new_with_seed (31 + k);

      for (gsize i = 0; i < n; i++)
        {
          for (gsize j = 0; j < d; j++)
            /* each column its own centre and spread; column 2 constant */
            cb->x[i * d + j] = j == 2 ? 4.5 : 10.0 * (double) j + (1.0 + (double) j) * g_rand_double_range (rng, -1, 1);
          cb->y[i] = g_rand_double (rng);
        }
      cs_case_base_compute_stats (cb);
      for (gsize j = 0; j < d; j++)
        {
          double s = 0, ss = 0, lo = INFINITY, hi = -INFINITY, mean, sd;

          for (gsize i = 0; i < n; i++)
            {
              s += cb->x[i * d + j];
              lo = MIN (lo, cb->x[i * d + j]);
              hi = MAX (hi, cb->x[i * d + j]);
            }
          mean = s / (double) n;
          for (gsize i = 0; i < n; i++)
            ss += (cb->x[i * d + j] - mean) * (cb->x[i * d + j] - mean);
          sd = sqrt (ss / (double) n);
          g_assert_cmpfloat_with_epsilon (cb->mean[j], mean, 1e-13 * MAX (1.0, fabs (mean)));
          if (j == 2 || n == 1)
            g_assert_cmpfloat (cb->sd[j], ==, 0.0);   /* a constant feature */
          else
            g_assert_cmpfloat_with_epsilon (cb->sd[j], sd, 1e-13 * MAX (1.0, sd));
          /* the extremes are stored values of x, not computed ones */
          g_assert_cmpfloat (cb->min[j], ==, lo);
          g_assert_cmpfloat (cb->max[j], ==, hi);
        }
      g_rand_free (rng);
      cs_case_base_unref (cb);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/case-base/stats-columns", test_stats_columns);
  return g_test_run ();
}
