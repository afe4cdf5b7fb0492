/* test-diag-fit.c: the diagonal metric's leave-one-out fit on a many-feature base does not collapse to one case. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib.h>

#include "calib-gen.h"
#include "cs-attention.h"

/* The window's median effective number of cases must reach this: below 2, one case carries most of the
 * weight at the median case and the smoother has become the nearest-neighbour rule (the collapse of issue 14
 * gave 1.00 at every case). */
#define MEDIAN_N_EFF_FLOOR 2.0
/* A diagonal metric contains the scalar one, so its leave-one-out optimum is never worse; 2 % leaves room
 * for the L-BFGS stopping rule (five iterations gaining under half the loss's standard error) and a local
 * minimum. */
#define SCALAR_MARGIN 1.02

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Leave-one-out MSE and median n_eff of metric m on the cases of ctx. */
static void
loo_measure (const CsAttention *ctx,
             const CsMetric    *m,
             double            *mse,
             double            *median_n_eff)
{
  size_t n = cs_attention_get_n (ctx);
  const double *y = cs_attention_get_y (ctx);
  CsAttention *c2 = NULL;
  CsPrediction *p = g_new (CsPrediction, n);
  double *ne = g_new (double, n);

  g_assert_cmpint (cs_attention_new (cs_attention_get_x (ctx), y, n, cs_attention_get_d (ctx),
                                     CS_SCORE_DISTANCE, &c2), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (c2, m), ==, CS_OK);
  g_assert_cmpint (cs_attention_predict_loo (c2, NULL, p), ==, CS_OK);
  *mse = 0;
  for (size_t i = 0; i < n; i++)
    {
      *mse += (p[i].prediction - y[i]) * (p[i].prediction - y[i]) / (double) n;
      ne[i] = p[i].n_eff;
    }
  qsort (ne, n, sizeof *ne, cmp_double);
  *median_n_eff = ne[n / 2];
  cs_attention_free (c2);
  g_free (p);
  g_free (ne);
}

/* Crest, 10 features, 400 cases (40 per feature): x0 and x1 carry the outcome (and a narrow step in x0), x3 a
 * mild linear effect, x2 (correlated with x0 at about 0.98) and x4 .. x9 none. Before the step bound in
 * fit_lbfgs every seed of this size fitted weights near 10^9 on x0 and a window of 1.00 effective cases. */
static void
test_no_one_case_window (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_UINT (data);
  const size_t d = 10, n = 400;
  CalibCases *g = calib_cases_new (CALIB_SHAPE_CREST, d, n, seed);
  double *z = g_new (double, n * d);
  CsAttention *ctx = NULL;
  CsMetric sc = { 0 }, dg = { 0 };
  CsFitOptions o;
  double mse_s, mse_d, ne_s, ne_d;

  g_assert_nonnull (g);
  for (size_t j = 0; j < d; j++)
    {
      double mean = 0, var = 0;
      for (size_t i = 0; i < n; i++)
        mean += g->x[i * d + j] / (double) n;
      for (size_t i = 0; i < n; i++)
        var += (g->x[i * d + j] - mean) * (g->x[i * d + j] - mean) / (double) (n - 1);
      for (size_t i = 0; i < n; i++)
        z[i * d + j] = (g->x[i * d + j] - mean) / sqrt (var);
    }
  g_assert_cmpint (cs_attention_new (z, g->y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  cs_fit_options_init (&o);
  o.kind = CS_METRIC_SCALAR;
  g_assert_cmpint (cs_attention_fit (ctx, &o, &sc, NULL), ==, CS_OK);
  o.kind = CS_METRIC_DIAGONAL;
  g_assert_cmpint (cs_attention_fit (ctx, &o, &dg, NULL), ==, CS_OK);
  loo_measure (ctx, &sc, &mse_s, &ne_s);
  loo_measure (ctx, &dg, &mse_d, &ne_d);
  g_test_message ("seed %" G_GUINT64_FORMAT ": scalar loo %.4f n_eff %.2f; diagonal loo %.4f n_eff %.2f "
                  "(weights x0 %.3g x1 %.3g x9 %.3g)", seed, mse_s, ne_s, mse_d, ne_d, dg.diag[0], dg.diag[1],
                  dg.diag[9]);
  g_assert_cmpfloat (ne_d, >=, MEDIAN_N_EFF_FLOOR);
  g_assert_cmpfloat (mse_d, <=, SCALAR_MARGIN * mse_s);
  /* The features that carry the outcome get the larger weights. */
  for (size_t j = 4; j < d; j++)
    {
      g_assert_cmpfloat (dg.diag[0], >, dg.diag[j]);
      g_assert_cmpfloat (dg.diag[1], >, dg.diag[j]);
    }
  cs_metric_clear (&sc);
  cs_metric_clear (&dg);
  cs_attention_free (ctx);
  calib_cases_free (g);
  g_free (z);
}

int
main (int argc, char **argv)
{
  static const guint seeds[] = { 5, 6 };

  g_test_init (&argc, &argv, NULL);
  for (size_t k = 0; k < G_N_ELEMENTS (seeds); k++)
    {
      char *path = g_strdup_printf ("/cs/model/fit/diagonal-no-one-case-window/%u", seeds[k]);
      g_test_add_data_func (path, GUINT_TO_POINTER (seeds[k]), test_no_one_case_window);
      g_free (path);
    }
  return g_test_run ();
}
