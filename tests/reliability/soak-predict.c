/* soak-predict.c: 100,000 random predictions through the engine with resident memory sampled.
 *
 * A meson benchmark (meson test --benchmark soak-predict, or make bench): builds a case base,
 * then runs random batches of queries with random options (top-k, full weights, window, float
 * path, leave-one-out exclusions), switches the metric now and then and rebuilds a second
 * context regularly, sampling RSS from /proc/self/statm. Prints the samples and the growth after
 * warm-up; fails (exit 1) when memory grows beyond noise or a prediction is not a number.
 *   soak-predict [--predictions N] [--n N] [--d D] [--seed S]
 */
#define G_LOG_DOMAIN "soak-predict"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cs-attention.h"

static double
rss_mb (void)
{
  FILE *f = fopen ("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;

  if (f == NULL)
    return NAN;
  if (fscanf (f, "%lu %lu", &size, &resident) != 2)
    resident = 0;
  fclose (f);
  return (double) resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static void
random_base (GRand  *rand,
             double *x,
             double *y,
             size_t  n,
             size_t  d)
{
  for (size_t i = 0; i < n; i++)
    {
      double s = 0.0;
      for (size_t j = 0; j < d; j++)
        {
          x[i * d + j] = g_rand_double_range (rand, -2.0, 2.0);
          s += sin (1.3 * x[i * d + j] * (double) (j + 1));
        }
      y[i] = s + g_rand_double_range (rand, -0.1, 0.1);
    }
}

int
main (int    argc,
      char **argv)
{
  gint64 total = 100000, n = 2000, d = 8, seed = 20261128;
  const GOptionEntry entries[] = {
    { "predictions", 0, 0, G_OPTION_ARG_INT64, &total, "Number of predictions (default 100000)", "N" },
    { "n", 0, 0, G_OPTION_ARG_INT64, &n, "Cases in the base (default 2000)", "N" },
    { "d", 0, 0, G_OPTION_ARG_INT64, &d, "Features (default 8)", "D" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- soak the engine");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autofree double *x = NULL, *y = NULL, *queries = NULL, *weights = NULL, *half = NULL;
  g_autofree CsPrediction *out = NULL;
  g_autofree CsTopCase *top = NULL;
  g_autofree size_t *self_index = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  CsAttention *att = NULL;
  CsMetric metric = { 0 };
  const size_t max_q = 16, max_k = 10;
  gint64 done = 0, batches = 0, bad = 0, sample_every;
  double warm = 0.0, peak = 0.0, last, growth, allowed;
  gint64 t0, t1;
  CsStatus st;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("soak-predict: %s\n", error->message);
      return 2;
    }
  if (total < 1 || n < 2 || d < 1 || d > 64)
    {
      g_printerr ("soak-predict: need --predictions >= 1, --n >= 2, 1 <= --d <= 64\n");
      return 2;
    }
  rand = g_rand_new_with_seed ((guint32) seed);
  x = g_new (double, n * d);
  y = g_new (double, n);
  queries = g_new (double, max_q * d);
  weights = g_new (double, max_q * n);
  half = g_new (double, max_q * d);
  out = g_new (CsPrediction, max_q);
  top = g_new (CsTopCase, max_q * max_k);
  self_index = g_new (size_t, max_q);
  random_base (rand, x, y, (size_t) n, (size_t) d);

  st = cs_attention_new (x, y, (size_t) n, (size_t) d, CS_SCORE_DISTANCE, &att);
  if (st != CS_OK)
    {
      g_printerr ("soak-predict: cs_attention_new: %s\n", cs_status_message (st));
      return 1;
    }
  sample_every = MAX (total / 40, 1);
  printf ("# soak: %" G_GINT64_FORMAT " predictions, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT
          ", seed %" G_GINT64_FORMAT "\n# predictions  rss_mb\n", total, n, d, seed);
  t0 = g_get_monotonic_time ();

  while (done < total)
    {
      size_t q = (size_t) g_rand_int_range (rand, 1, (gint32) max_q + 1);
      CsPredictOptions opt;
      unsigned r = g_rand_int (rand);

      if ((gint64) q > total - done)
        q = (size_t) (total - done);
      /* now and then a new metric (all three kinds), and a second context built and dropped */
      if (batches % 500 == 0)
        {
          int kind = (int) (batches / 500 % 3);
          cs_metric_clear (&metric);
          if (kind == 0)
            st = cs_metric_init_scalar (&metric, (size_t) d, g_rand_double_range (rand, 0.1, 50.0));
          else if (kind == 1)
            {
              g_autofree double *diag = g_new (double, d);
              for (gint64 j = 0; j < d; j++)
                diag[j] = g_rand_double_range (rand, 0.0, 20.0);
              st = cs_metric_init_diagonal (&metric, (size_t) d, diag);
            }
          else
            st = cs_metric_init_full (&metric, (size_t) d, (size_t) MAX (d / 2, 1), NULL);
          if (st == CS_OK)
            st = cs_attention_set_metric (att, &metric);
          if (st != CS_OK)
            {
              g_printerr ("soak-predict: metric: %s\n", cs_status_message (st));
              return 1;
            }
        }
      if (batches % 97 == 0)
        {
          CsAttention *other = NULL;
          size_t small = (size_t) g_rand_int_range (rand, 2, 300);
          if (cs_attention_new (x, y, small, (size_t) d, (r & 1) ? CS_SCORE_DOT : CS_SCORE_DISTANCE, &other) != CS_OK)
            return 1;
          cs_attention_free (other);
        }

      for (size_t i = 0; i < q * (size_t) d; i++)
        queries[i] = g_rand_double_range (rand, -2.5, 2.5);
      for (size_t i = 0; i < q; i++)
        self_index[i] = (r & 4) ? (size_t) g_rand_int_range (rand, 0, (gint32) n) : CS_NO_CASE;
      cs_predict_options_init (&opt);
      opt.flags = ((r & 8) ? CS_PREDICT_WINDOW : 0) | ((r & 16) ? CS_PREDICT_FLOAT : 0);
      opt.top_k = (r & 32) ? (size_t) g_rand_int_range (rand, 1, (gint32) max_k + 1) : 0;
      opt.top = opt.top_k > 0 ? top : NULL;
      opt.weights = (r & 64) ? weights : NULL;
      opt.half_width = (r & 8) && (r & 128) ? half : NULL;
      opt.self_index = self_index;
      opt.noise_sd = (r & 256) ? 0.1 : 0.0;
      st = cs_attention_predict (att, queries, q, &opt, out);
      if (st != CS_OK)
        {
          g_printerr ("soak-predict: predict: %s\n", cs_status_message (st));
          return 1;
        }
      for (size_t i = 0; i < q; i++)
        if (!isfinite (out[i].prediction) || !isfinite (out[i].n_eff))
          bad++;

      done += (gint64) q;
      batches++;
      if (done / sample_every != (done - (gint64) q) / sample_every || done == total)
        {
          double mb = rss_mb ();
          g_array_append_val (samples, mb);
          printf ("%12" G_GINT64_FORMAT "  %8.2f\n", done, mb);
          if (samples->len == 4)
            warm = mb;     /* after warm-up: every code path has run, caches are allocated */
          if (samples->len >= 4)
            peak = MAX (peak, mb);
        }
    }
  t1 = g_get_monotonic_time ();

  last = g_array_index (samples, double, samples->len - 1);
  growth = peak - warm;
  allowed = 4.0 + 0.05 * warm;
  printf ("# %" G_GINT64_FORMAT " predictions in %" G_GINT64_FORMAT " batches, %.2f s (%.0f predictions/s)\n",
          done, batches, (double) (t1 - t0) / 1e6, (double) done / ((double) (t1 - t0) / 1e6));
  printf ("# rss after warm-up %.2f MB, peak after warm-up %.2f MB, last %.2f MB: growth %.2f MB "
          "(noise allowance %.2f MB), %" G_GINT64_FORMAT " non-finite predictions\n",
          warm, peak, last, growth, allowed, bad);

  cs_metric_clear (&metric);
  cs_attention_free (att);

  if (bad > 0 || (samples->len >= 4 && growth > allowed))
    {
      printf ("# FAIL: %s\n", bad > 0 ? "non-finite predictions" : "resident memory grows");
      return 1;
    }
  printf ("# flat: yes\n");
  return 0;
}
