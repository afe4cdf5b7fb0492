/* test-calib-gen.c: the held-out generators of the calibration matrix keep their ground truth (unit suite). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "calib-gen.h"

/* Cases never fall in the hole, every region the matrix scores has cases around it, x2 follows x0. */
static void
test_cases (void)
{
  static const gsize dims[] = { 2, 3, 5, 20 };

  for (int shape = 0; shape < CALIB_SHAPE_N; shape++)
    for (gsize k = 0; k < G_N_ELEMENTS (dims); k++)
      {
        gsize d = dims[k], n = 3000;
        CalibCases *c = calib_cases_new ((CalibShape) shape, d, n, 51 + 10 * shape + d);
        int count[CS_REGION_N] = { 0 };
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;

        g_assert_nonnull (c);
        for (gsize i = 0; i < n; i++)
          {
            const double *x = c->x + i * d;
            g_assert_cmpint (c->region[i], ==, calib_region ((CalibShape) shape, d, x));
            g_assert_cmpint (c->region[i], !=, CS_REGION_SPARSE);
            g_assert_true (isfinite (c->y[i]));
            for (gsize j = 0; j < d; j++)
              {
                g_assert_cmpfloat (x[j], >=, c->lo[j]);
                g_assert_cmpfloat (x[j], <=, c->hi[j]);
              }
            count[c->region[i]]++;
            if (d >= 3)
              {
                sx += x[0]; sy += x[2]; sxx += x[0] * x[0]; syy += x[2] * x[2]; sxy += x[0] * x[2];
              }
          }
        g_assert_cmpint (count[CS_REGION_SMOOTH], >, (int) n / 10);
        g_assert_cmpint (count[CS_REGION_STEEP], >, 0);
        g_assert_cmpint (count[CS_REGION_NOISY], >, 0);
        g_assert_cmpint (count[CS_REGION_BORDER], >, 0);
        if (d >= 3)
          {
            double cov = sxy / n - sx / n * sy / n;
            double r = cov / sqrt ((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
            g_assert_cmpfloat (r, >, 0.95);   /* the strongly correlated pair */
          }
        calib_cases_free (c);
      }
}

/* The same seed gives the same cases; another seed other cases. */
static void
test_seed (void)
{
  CalibCases *a = calib_cases_new (CALIB_SHAPE_RING, 5, 200, 7);
  CalibCases *b = calib_cases_new (CALIB_SHAPE_RING, 5, 200, 7);
  CalibCases *c = calib_cases_new (CALIB_SHAPE_RING, 5, 200, 8);

  g_assert_cmpmem (a->x, 200 * 5 * sizeof (double), b->x, 200 * 5 * sizeof (double));
  g_assert_cmpmem (a->y, 200 * sizeof (double), b->y, 200 * sizeof (double));
  g_assert_true (memcmp (a->x, c->x, 200 * 5 * sizeof (double)) != 0);
  calib_cases_free (a);
  calib_cases_free (b);
  calib_cases_free (c);
  g_assert_null (calib_cases_new (CALIB_SHAPE_RING, 1, 200, 7));
  g_assert_null (calib_cases_new (CALIB_SHAPE_RING, CALIB_D_MAX + 1, 200, 7));
  g_assert_null (calib_cases_new (CALIB_SHAPE_RING, 5, 1, 7));
}

/* Queries land in the core asked for; noisy cores are noisier, steep cores change faster; out-of-range
 * queries push the named feature 1.5 % to 30 % of its range beyond it and leave the others inside. */
static void
test_queries (void)
{
  static const CsRegion regions[] = { CS_REGION_SMOOTH, CS_REGION_STEEP, CS_REGION_NOISY, CS_REGION_SPARSE };
  CalibCases *c = calib_cases_new (CALIB_SHAPE_CREST, 6, 2000, 99);
  CsRng rng;
  double x[6], xs[6];

  cs_rng_seed (&rng, 1234);
  for (gsize r = 0; r < G_N_ELEMENTS (regions); r++)
    for (int k = 0; k < 200; k++)
      {
        calib_draw_query (c->shape, c->d, regions[r], &rng, x);
        g_assert_cmpint (calib_region (c->shape, c->d, x), ==, regions[r]);
        for (gsize j = 0; j < c->d; j++)
          {
            g_assert_cmpfloat (x[j], >=, 0);
            g_assert_cmpfloat (x[j], <=, 1);
          }
        if (regions[r] == CS_REGION_NOISY)
          g_assert_cmpfloat (calib_noise_sd (x), >=, 3 * 0.14);
        else
          g_assert_cmpfloat (calib_noise_sd (x), <=, 0.14 + 1e-12);
        if (regions[r] == CS_REGION_STEEP)
          {
            /* Across the core (0.02 wide in x0) the step alone changes the outcome by more than 10 noise sd. */
            double lo[6], hi[6];
            for (gsize j = 0; j < c->d; j++)
              lo[j] = hi[j] = x[j];
            lo[0] = 0.79;
            hi[0] = 0.81;
            g_assert_cmpfloat (fabs (calib_truth (c->shape, c->d, hi) - calib_truth (c->shape, c->d, lo)), >, 2.0);
          }
      }
  for (int k = 0; k < 400; k++)
    {
      gsize j = calib_draw_out_of_range (c, &rng, x);
      double span = c->hi[j] - c->lo[j], beyond = x[j] < c->lo[j] ? c->lo[j] - x[j] : x[j] - c->hi[j];

      g_assert_cmpuint (j, <, c->d);
      g_assert_cmpfloat (beyond, >=, 0.015 * span * (1 - 1e-9));
      g_assert_cmpfloat (beyond, <=, 0.30 * span * (1 + 1e-9));
      for (gsize i = 0; i < c->d; i++)
        if (i != j)
          {
            g_assert_cmpfloat (x[i], >=, 0);
            g_assert_cmpfloat (x[i], <=, 1);
          }
      for (gsize i = 0; i < c->d; i++)
        xs[i] = x[i];
      xs[j] = fmin (fmax (x[j], 0), 1);
      g_assert_cmpint (calib_region (c->shape, c->d, xs), !=, CS_REGION_SPARSE);
    }
  calib_cases_free (c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/flags/calib-gen/cases", test_cases);
  g_test_add_func ("/cs/flags/calib-gen/seed", test_seed);
  g_test_add_func ("/cs/flags/calib-gen/queries", test_queries);
  return g_test_run ();
}
