/* bench-truncation.c: per-query time of the window pass, dense (epsilon = 0) against truncated.
 *
 *   bench-truncation [N [D [Q [METRIC [SEED]]]]]   (defaults 100000 20 50 scott 3)
 *
 * N cases x D standard normal features, y = sin (2 x_0) + x_1 / 2 + noise / 5. METRIC: scott (the engine's
 * starting scale, Scott's rule on standardised features) or fit (the scalar leave-one-out fit on 500 sampled
 * loss cases, as the engine does above 20,000 cases). Q fresh queries from the same distribution, one thread,
 * best of 2 runs: the score pass alone, then the window (CS_PREDICT_WINDOW with half-widths and top 10) at
 * epsilon 0 and 1e-6 (and 0.5, the cost of the pass over n alone). Prints CPU milliseconds per query and the cases kept. Times are printed, never asserted. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-rng.h"

/* CPU time of the process: the machine may be shared, and the passes run on one thread (run with
 * OPENBLAS_NUM_THREADS=1 so that the BLAS adds none). */
static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static double
time_predict (const CsAttention *ctx,
              const double      *qs,
              size_t             q,
              unsigned           flags,
              double             epsilon,
              CsPrediction      *pred)
{
  size_t d = cs_attention_get_d (ctx);
  g_autofree CsTopCase *top = g_new (CsTopCase, q * 10);
  g_autofree double *hw = g_new (double, q * d);
  CsPredictOptions o;
  double best = INFINITY;

  cs_predict_options_init (&o);
  o.flags = flags;
  o.epsilon = epsilon;
  o.top_k = 10;
  o.top = top;
  o.half_width = flags & CS_PREDICT_WINDOW ? hw : NULL;
  o.n_threads = 1;
  for (int rep = 0; rep < 2; rep++)
    {
      double t0 = now_s ();
      CsStatus st = cs_attention_predict (ctx, qs, q, &o, pred);
      if (st != CS_OK)
        {
          fprintf (stderr, "bench-truncation: %s\n", cs_status_message (st));
          exit (1);
        }
      best = fmin (best, now_s () - t0);
    }
  return best / (double) q * 1e3;
}

int
main (int argc, char **argv)
{
  size_t n = argc > 1 ? strtoull (argv[1], NULL, 10) : 100000;
  size_t d = argc > 2 ? strtoull (argv[2], NULL, 10) : 20;
  size_t q = argc > 3 ? strtoull (argv[3], NULL, 10) : 50;
  const char *metric = argc > 4 ? argv[4] : "scott";
  guint64 seed = argc > 5 ? g_ascii_strtoull (argv[5], NULL, 10) : 3;
  g_autofree double *x = NULL, *y = NULL, *qs = NULL;
  g_autofree CsPrediction *pd = NULL, *pt = NULL;
  CsAttention *ctx = NULL;
  CsMetric m = { 0 };
  CsRng rng;
  double t_score, t_dense, t_trunc, t_floor, kept_sum = 0, dense_sum = 0, worst_r = 0, max_dropped = 0;
  size_t kept_min = (size_t) -1, kept_max = 0;

  if (n < 2 || d < 1 || q < 1 || (strcmp (metric, "scott") != 0 && strcmp (metric, "fit") != 0))
    {
      fprintf (stderr, "usage: bench-truncation [N>=2 [D>=1 [Q>=1 [scott|fit [SEED]]]]]\n");
      return 2;
    }
  x = g_new (double, n * d);
  y = g_new (double, n);
  qs = g_new (double, q * d);
  cs_rng_seed (&rng, seed);
  for (size_t i = 0; i < n * d; i++)
    x[i] = cs_rng_normal (&rng);
  for (size_t i = 0; i < n; i++)
    y[i] = sin (2 * x[i * d]) + 0.5 * x[i * d + (d > 1)] + 0.2 * cs_rng_normal (&rng);
  for (size_t i = 0; i < q * d; i++)
    qs[i] = cs_rng_normal (&rng);
  if (cs_attention_new_full (x, y, n, d, CS_SCORE_DISTANCE, CS_ATTENTION_SHARE_INPUT, NULL, NULL, &ctx) != CS_OK)
    return 1;
  cs_metric_init_scalar (&m, d, pow ((double) n, 2.0 / ((double) d + 4.0)));   /* Scott: 1 / h^2 */
  if (strcmp (metric, "fit") == 0)
    {
      CsFitOptions fo;
      cs_fit_options_init (&fo);
      fo.kind = CS_METRIC_SCALAR;
      fo.max_queries = 500;
      fo.n_threads = (int) g_get_num_processors ();
      if (cs_attention_fit (ctx, &fo, &m, NULL) != CS_OK)
        return 1;
    }
  cs_attention_set_metric (ctx, &m);
  pd = g_new (CsPrediction, q);
  pt = g_new (CsPrediction, q);
  t_score = time_predict (ctx, qs, q, 0, 0.0, pd);
  t_dense = time_predict (ctx, qs, q, CS_PREDICT_WINDOW, 0.0, pd);
  t_trunc = time_predict (ctx, qs, q, CS_PREDICT_WINDOW, 1e-6, pt);
  /* epsilon 0.5 keeps only the heaviest cases: what remains is the second pass over all n (GEMV, exp, the
   * truncation itself), the floor of the truncated window */
  t_floor = time_predict (ctx, qs, q, CS_PREDICT_WINDOW, 0.5, pd);
  t_dense = fmin (t_dense, time_predict (ctx, qs, q, CS_PREDICT_WINDOW, 0.0, pd));
  for (size_t t = 0; t < q; t++)
    {
      kept_sum += (double) pt[t].n_kept;
      dense_sum += (double) pd[t].n_kept;
      kept_min = MIN (kept_min, pt[t].n_kept);
      kept_max = MAX (kept_max, pt[t].n_kept);
      max_dropped = fmax (max_dropped, pt[t].weight_dropped);
      worst_r = fmax (worst_r, fabs (pt[t].radius90 - pd[t].radius90) / pd[t].radius90);
    }
  printf ("n %zu d %zu q %zu metric %s (scale %.4g) seed %" G_GUINT64_FORMAT "\n", n, d, q, metric, m.scale, seed);
  printf ("ms per query, one thread: score pass %.2f | window dense (eps 0) %.2f | window eps 1e-6 %.2f"
          " | window share of the dense one %.3f | floor (eps 0.5) %.2f\n", t_score, t_dense, t_trunc,
          (t_trunc - t_score) / fmax (t_dense - t_score, 1e-9), t_floor);
  printf ("kept at 1e-6: mean %.1f (share %.3g), min %zu, max %zu; dense kept (w > 0) mean %.1f;"
          " max dropped %.3g; max relative radius90 change %.3g\n",
          kept_sum / (double) q, kept_sum / (double) q / (double) n, kept_min, kept_max,
          dense_sum / (double) q,
          max_dropped, worst_r);
  cs_metric_clear (&m);
  cs_attention_free (ctx);
  return 0;
}
