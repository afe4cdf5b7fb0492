/* probe-curved5.c: the flags on a small curved 5-feature generator (built, not run by meson).
 *
 * Usage: flags-probe-curved5 N SEED [diag]
 *
 * Features x1..x5 uniform on [0, 1], except x3 = x2 + 0.1 N(0, 1) (a
 * correlated pair); x5 has no effect. Outcome
 *   f = sin (3 x1) + 4 (x2 - 0.5)^2 + 0.3 x3 + 0.5 x4 + 1 / (1 + exp (-(x1 - 0.75) / 0.01))
 * (curved, with a narrow unit step at x1 = 0.75), noise sd 0.1 and 0.4 in the
 * box x4 > 0.75, x2 < 0.25, no cases in the hole x1 < 0.2, |x4 - 0.5| < 0.15
 * (at the edge of the box). Regions for the queries: steep |x1 - 0.75| <
 * 0.015; noisy x4 > 0.8, x2 < 0.2; sparse x1 < 0.15, |x4 - 0.5| < 0.08;
 * smooth at least 0.15 from the step and 0.1 from the box and the hole. It
 * fits a scalar (or, with "diag", a diagonal) metric, measures the baselines
 * with cs_flag_base_measure and prints, per region, the fraction of 400
 * queries carrying each flag with the default thresholds. Not one of the
 * samples' generators: a check that the estimators behave off the samples,
 * not the held-out calibration matrix.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"
#include "cs-rng.h"

#define D 5
#define Q 400

enum { R_SMOOTH, R_STEEP, R_NOISY, R_SPARSE, R_OTHER };

static double
truth (const double *x)
{
  return sin (3 * x[0]) + 4 * (x[1] - 0.5) * (x[1] - 0.5) + 0.3 * x[2] + 0.5 * x[3]
         + 1.0 / (1 + exp (-(x[0] - 0.75) / 0.01));
}

static int
in_noisy (const double *x, double margin)
{
  return x[3] > 0.75 - margin && x[1] < 0.25 + margin;
}

static int
in_hole (const double *x, double margin)
{
  return x[0] < 0.2 + margin && fabs (x[3] - 0.5) < 0.15 + margin;
}

static int
region (const double *x)
{
  if (fabs (x[0] - 0.75) < 0.015)
    return R_STEEP;
  if (in_noisy (x, -0.05))
    return R_NOISY;
  if (x[0] < 0.15 && fabs (x[3] - 0.5) < 0.08)
    return R_SPARSE;
  if (fabs (x[0] - 0.75) > 0.15 && !in_noisy (x, 0.1) && !in_hole (x, 0.1))
    return R_SMOOTH;
  return R_OTHER;
}

static void
draw (CsRng  *r,
      double *x)
{
  x[0] = cs_rng_uniform (r);
  x[1] = cs_rng_uniform (r);
  x[2] = x[1] + 0.1 * cs_rng_normal (r);
  x[3] = cs_rng_uniform (r);
  x[4] = cs_rng_uniform (r);
}

int
main (int argc, char **argv)
{
  static const char *const names[] = { "smooth", "steep", "noisy", "sparse" };
  size_t n;
  int diag;
  double *x, *y, *z, *q, mu[D], sd[D], lo[D], hi[D];
  CsRng rng;
  CsAttention *ctx = NULL;
  CsFitOptions fo;
  CsMetric metric;
  CsFlagBase b;
  CsFlagReport *rep;

  if (argc < 3 || atoi (argv[1]) < 50)
    {
      fprintf (stderr, "usage: %s N SEED [diag]   (N >= 50)\n", argv[0]);
      return 2;
    }
  n = (size_t) atoi (argv[1]);
  diag = argc > 3 && strcmp (argv[3], "diag") == 0;
  cs_rng_seed (&rng, (uint64_t) atoll (argv[2]));
  x = malloc (n * D * sizeof (double));
  y = malloc (n * sizeof (double));
  z = malloc (n * D * sizeof (double));
  q = malloc (Q * D * sizeof (double));
  rep = malloc (Q * sizeof *rep);
  if (!x || !y || !z || !q || !rep)
    return 1;
  for (size_t i = 0; i < n; i++)
    {
      double *xi = x + i * D;
      do
        draw (&rng, xi);
      while (in_hole (xi, 0));
      y[i] = truth (xi) + (in_noisy (xi, 0) ? 0.4 : 0.1) * cs_rng_normal (&rng);
    }
  for (size_t j = 0; j < D; j++)
    {
      double m = 0, v = 0;
      lo[j] = INFINITY;
      hi[j] = -INFINITY;
      for (size_t i = 0; i < n; i++)
        {
          m += x[i * D + j] / (double) n;
          lo[j] = fmin (lo[j], x[i * D + j]);
          hi[j] = fmax (hi[j], x[i * D + j]);
        }
      for (size_t i = 0; i < n; i++)
        v += (x[i * D + j] - m) * (x[i * D + j] - m);
      mu[j] = m;
      sd[j] = sqrt (v / (double) (n - 1));
    }
  for (size_t i = 0; i < n * D; i++)
    z[i] = (x[i] - mu[i % D]) / sd[i % D];

  cs_fit_options_init (&fo);
  fo.kind = diag ? CS_METRIC_DIAGONAL : CS_METRIC_SCALAR;
  if (cs_attention_new (z, y, n, D, CS_SCORE_DISTANCE, &ctx) != CS_OK
      || (diag ? cs_metric_init_diagonal (&metric, D, NULL) : cs_metric_init_scalar (&metric, D, 1.0)) != CS_OK
      || cs_attention_fit (ctx, &fo, &metric, NULL) != CS_OK
      || cs_attention_set_metric (ctx, &metric) != CS_OK)
    {
      fprintf (stderr, "the fit failed\n");
      return 1;
    }
  memset (&b, 0, sizeof b);
  b.feature_min = lo;
  b.feature_max = hi;
  b.feature_sd = sd;
  if (cs_flag_base_measure (&b, ctx, NULL, NULL) != CS_OK)
    return 1;
  printf ("n %zu seed %s %s: usual noise %.3f (generator 0.1), noise_sd %.3f, metric spacing %.3f (99 %%: %.3f)\n",
          n, argv[2], diag ? "diagonal" : "scalar", b.usual_noise, b.noise_sd, b.metric_nn_distance,
          b.metric_nn_distance_high);
  for (int r = R_SMOOTH; r <= R_SPARSE; r++)
    {
      int any = 0, c[CS_FLAG_N_KINDS] = { 0 };

      for (int k = 0; k < Q;)
        {
          double xx[D];
          draw (&rng, xx);
          if (r == R_SPARSE)
            {
              xx[0] = 0.15 * cs_rng_uniform (&rng);
              xx[3] = 0.5 + 0.16 * (cs_rng_uniform (&rng) - 0.5);
            }
          if (region (xx) == r)
            memcpy (q + D * k++, xx, sizeof xx);
        }
      cs_flags_predict (ctx, &b, NULL, mu, sd, q, Q, x, NULL, NULL, rep);
      for (int k = 0; k < Q; k++)
        {
          any += rep[k].n_flags > 0;
          for (size_t f = 0; f < rep[k].n_flags; f++)
            c[rep[k].flags[f].kind]++;
        }
      printf ("%-7s any %.3f  high_noise %.3f  high_variation %.3f  low_support %.3f\n", names[r],
              (double) any / Q, (double) c[CS_FLAG_HIGH_NOISE] / Q, (double) c[CS_FLAG_HIGH_VARIATION] / Q,
              (double) c[CS_FLAG_LOW_SUPPORT] / Q);
    }
  cs_metric_clear (&metric);
  cs_attention_free (ctx);
  free (x); free (y); free (z); free (q); free (rep);
  return 0;
}
