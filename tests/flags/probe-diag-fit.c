/* probe-diag-fit.c: the leave-one-out fit of a diagonal metric on a calib-gen case base, and the loss around it.
 *
 * Usage: flags-probe-diag-fit [crest|parabola|ring] D N [SEED [full]]. Standardises the generated features, fits the
 * scalar and the diagonal metric (the engine's options: loss over every case up to 20,000), prints the fitted
 * weights and, for the diagonal fit, the fit scaled down by 2, 4, 8 and the scalar fit: the leave-one-out MSE,
 * the mean squared error of the leave-one-out prediction against the noise-free truth, and the 5 / 50 / 95 %
 * points of the leave-one-out window's n_eff. model/FAILSAFE.md quotes its output (issue 14).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib-gen.h"
#include "cs-attention.h"

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *label, const CsAttention *ctx, const CsMetric *m, const double *truth, size_t n)
{
  CsAttention *c2 = NULL;
  CsPrediction *p = malloc (n * sizeof *p);
  double *ne = malloc (n * sizeof *ne);
  double mse = 0, terr = 0;

  cs_attention_new (cs_attention_get_x (ctx), cs_attention_get_y (ctx), n, cs_attention_get_d (ctx),
                    CS_SCORE_DISTANCE, &c2);
  cs_attention_set_metric (c2, m);
  cs_attention_predict_loo (c2, NULL, p);
  for (size_t i = 0; i < n; i++)
    {
      double r = p[i].prediction - cs_attention_get_y (ctx)[i];
      double t = p[i].prediction - truth[i];
      mse += r * r / (double) n;
      terr += t * t / (double) n;
      ne[i] = p[i].n_eff;
    }
  qsort (ne, n, sizeof *ne, cmp_double);
  printf ("%-22s loo_mse %.5f  truth_mse %.5f  n_eff %.2f / %.2f / %.2f\n", label, mse, terr,
          ne[n / 20], ne[n / 2], ne[n - 1 - n / 20]);
  free (p);
  free (ne);
  cs_attention_free (c2);
}

int
main (int argc, char **argv)
{
  CalibShape shape = CALIB_SHAPE_CREST;
  size_t d, n;
  unsigned long long seed = 31000;
  CalibCases *g;
  CsAttention *ctx = NULL;
  CsMetric sc = { 0 }, dg = { 0 };
  CsFitOptions o;
  CsFitReport rs, rd;
  double *z, *truth, mean[CALIB_D_MAX], sd[CALIB_D_MAX];

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s crest|parabola|ring D N [SEED [full]]\n", argv[0]);
      return 2;
    }
  for (int s = 0; s < CALIB_SHAPE_N; s++)
    if (strcmp (argv[1], calib_shape_name (s)) == 0)
      shape = s;
  d = strtoul (argv[2], NULL, 10);
  n = strtoul (argv[3], NULL, 10);
  if (argc > 4)
    seed = strtoull (argv[4], NULL, 10);
  g = calib_cases_new (shape, d, n, seed);
  if (g == NULL)
    return 2;
  z = malloc (n * d * sizeof *z);
  truth = malloc (n * sizeof *truth);
  for (size_t j = 0; j < d; j++)
    {
      double s = 0, s2 = 0;
      for (size_t i = 0; i < n; i++)
        s += g->x[i * d + j] / (double) n;
      for (size_t i = 0; i < n; i++)
        s2 += (g->x[i * d + j] - s) * (g->x[i * d + j] - s) / (double) (n - 1);
      mean[j] = s;
      sd[j] = sqrt (s2);
    }
  for (size_t i = 0; i < n; i++)
    {
      for (size_t j = 0; j < d; j++)
        z[i * d + j] = (g->x[i * d + j] - mean[j]) / sd[j];
      truth[i] = calib_truth (shape, d, g->x + i * d);
    }
  if (cs_attention_new (z, g->y, n, d, CS_SCORE_DISTANCE, &ctx) != CS_OK)
    return 1;

  cs_fit_options_init (&o);
  o.n_threads = 2;
  o.kind = CS_METRIC_SCALAR;
  if (cs_attention_fit (ctx, &o, &sc, &rs) != CS_OK)
    return 1;
  o.kind = CS_METRIC_DIAGONAL;
  if (cs_attention_fit (ctx, &o, &dg, &rd) != CS_OK)
    return 1;
  printf ("%s d %zu n %zu seed %llu\n", calib_shape_name (shape), d, n, seed);
  printf ("scalar w %.4g (%d iterations)\n", sc.scale, rs.iterations);
  printf ("diagonal (%d iterations, converged %d, start loo %.5f):", rd.iterations, rd.converged,
          rd.start_loo_mse);
  for (size_t j = 0; j < d; j++)
    printf (" x%zu %.4g", j, dg.diag[j]);
  printf ("\n");
  report ("diagonal fit", ctx, &dg, truth, n);
  for (double k = 2; k <= 1e9; k *= k < 8 ? 2 : k == 8 ? 1.25 : 10)
    {
      CsMetric s = { 0 };
      char label[32];
      for (size_t j = 0; j < d; j++)
        dg.diag[j] /= k;
      cs_metric_copy (&s, &dg);
      for (size_t j = 0; j < d; j++)
        dg.diag[j] *= k;
      snprintf (label, sizeof label, "diagonal / %g", k);
      report (label, ctx, &s, truth, n);
      cs_metric_clear (&s);
    }
  report ("scalar fit", ctx, &sc, truth, n);
  if (argc > 5 && strcmp (argv[5], "full") == 0)
    {
      CsMetric fm = { 0 };
      CsFitReport rf;
      o.kind = CS_METRIC_FULL;
      if (cs_attention_fit (ctx, &o, &fm, &rf) != CS_OK)
        return 1;
      printf ("full (%d iterations, converged %d)\n", rf.iterations, rf.converged);
      report ("full fit", ctx, &fm, truth, n);
      cs_metric_clear (&fm);
    }
  cs_metric_clear (&sc);
  cs_metric_clear (&dg);
  cs_attention_free (ctx);
  calib_cases_free (g);
  free (z);
  free (truth);
  return 0;
}
