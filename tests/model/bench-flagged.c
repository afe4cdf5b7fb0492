/* bench-flagged.c: per-query CPU time of what a flagged query adds to the plain pass, by step.
 *
 *   bench-flagged [N [D [Q [SCALE [SEED]]]]]   (defaults 100000 20 20 0.5 7)
 *
 * N cases x D standard normal features, y = sin (2 x_0) + x_1 / 2 + noise / 5, the scalar metric SCALE (the
 * bench's 0.5 by default). Q fresh queries, one thread (run with OPENBLAS_NUM_THREADS=1), best of 2: the
 * plain float pass, the window pass (CS_PREDICT_WINDOW with half-widths, top 10 and the attended sets, at the
 * default epsilon), and the local fits behind the flags on those sets. Prints CPU milliseconds per query, the
 * mean attended set and each step's multiple of the plain pass. CPU time, so a shared machine biases it
 * little. Times are printed, never asserted. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-diagnostics.h"
#include "cs-rng.h"

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static void
check (CsStatus st)
{
  if (st != CS_OK)
    {
      fprintf (stderr, "bench-flagged: %s\n", cs_status_message (st));
      exit (1);
    }
}

int
main (int argc, char **argv)
{
  size_t n = argc > 1 ? strtoul (argv[1], NULL, 10) : 100000;
  size_t d = argc > 2 ? strtoul (argv[2], NULL, 10) : 20;
  size_t q = argc > 3 ? strtoul (argv[3], NULL, 10) : 20;
  double scale = argc > 4 ? strtod (argv[4], NULL) : 0.5;
  guint64 seed = argc > 5 ? g_ascii_strtoull (argv[5], NULL, 10) : 7;
  double t_plain = INFINITY, t_window = INFINITY, t_local = INFINITY, kept = 0;
  g_autofree double *x = NULL, *y = NULL, *qs = NULL, *hw = NULL;
  g_autofree CsPrediction *pred = NULL;
  g_autofree CsTopCase *top = NULL;
  g_autofree CsAttended *att = NULL;
  g_autofree CsLocalDiagnostics *ld = NULL;
  CsAttention *ctx = NULL;
  CsMetric m;
  CsRng rng;

  if (n < 2 || d < 1 || q < 1 || !(scale > 0))
    {
      fprintf (stderr, "usage: bench-flagged [N [D [Q [SCALE [SEED]]]]]\n");
      return 2;
    }
  x = g_new (double, n * d);
  y = g_new (double, n);
  qs = g_new (double, q * d);
  hw = g_new (double, q * d);
  pred = g_new0 (CsPrediction, q);
  top = g_new0 (CsTopCase, q * 10);
  att = g_new0 (CsAttended, q);
  ld = g_new0 (CsLocalDiagnostics, q);
  cs_rng_seed (&rng, seed);
  for (size_t i = 0; i < n * d; i++)
    x[i] = cs_rng_normal (&rng);
  for (size_t i = 0; i < n; i++)
    y[i] = sin (2 * x[i * d]) + 0.5 * x[i * d + (d > 1 ? 1 : 0)] + 0.2 * cs_rng_normal (&rng);
  for (size_t i = 0; i < q * d; i++)
    qs[i] = cs_rng_normal (&rng);
  check (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx));
  cs_metric_init_scalar (&m, d, scale);
  check (cs_attention_set_metric (ctx, &m));
  cs_metric_clear (&m);
  for (int rep = 0; rep < 2; rep++)
    {
      CsPredictOptions o;
      double t0;

      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_FLOAT;
      o.n_threads = 1;
      t0 = now_s ();
      check (cs_attention_predict (ctx, qs, q, &o, pred));
      t_plain = fmin (t_plain, now_s () - t0);

      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_WINDOW;
      o.top_k = 10;
      o.top = top;
      o.half_width = hw;
      o.attended = att;
      o.n_threads = 1;
      t0 = now_s ();
      check (cs_attention_predict (ctx, qs, q, &o, pred));
      t_window = fmin (t_window, now_s () - t0);
      t0 = now_s ();
      check (cs_local_fit_batch (ctx, qs, q, NULL, pred, att, 1, ld));
      t_local = fmin (t_local, now_s () - t0);
      kept = 0;
      for (size_t i = 0; i < q; i++)
        {
          kept += (double) att[i].m / (double) q;
          cs_attended_clear (&att[i]);
        }
    }
  printf ("n %zu d %zu q %zu scale %g seed %" G_GUINT64_FORMAT ": attended %.0f cases (%.1f %%)\n", n, d, q, scale,
          seed, kept, 100 * kept / (double) n);
  printf ("plain float pass   %9.3f ms/query\n", 1e3 * t_plain / (double) q);
  printf ("window pass        %9.3f ms/query  %7.1f x plain\n", 1e3 * t_window / (double) q, t_window / t_plain);
  printf ("local fits         %9.3f ms/query  %7.1f x plain\n", 1e3 * t_local / (double) q, t_local / t_plain);
  printf ("flagged total      %9.3f ms/query  %7.1f x plain\n", 1e3 * (t_window + t_local) / (double) q,
          (t_window + t_local) / t_plain);
  cs_attention_free (ctx);
  return 0;
}
