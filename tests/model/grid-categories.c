/* grid-categories.c: the best leave-one-out MSE a scalar window with one category penalty can reach on the
 * generated bases of test-categories.c, by brute force over (scale, lambda), against what cs_attention_fit
 * returns; with the split into separate windows per level and the full metric for reference. An experiment
 * (not a test): grid-categories [SEED_FROM SEED_TO [CELL...]], cells as in test-categories.c (default: the
 * 8-feature 2-level ones, 1 3 9 11). With CS_CAT_CSV=DIR each base is also written to DIR/cat-sSEED-cCELL.csv. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cat-gen.h"

static CsAttention *
context (const double *x, const double *y, const int *lv, size_t n, size_t d, size_t L)
{
  CsAttention *ctx = NULL;

  if (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx) != CS_OK)
    abort ();
  if (lv != NULL && cs_attention_set_categories (ctx, 1, lv, &L) != CS_OK)
    abort ();
  return ctx;
}

static double
fit (CsAttention *ctx, CsMetricKind kind, int cats, CsMetric *m, CsFitReport *r)
{
  CsFitOptions fo;

  cs_fit_options_init (&fo);
  fo.kind = kind;
  fo.fit_categories = cats;
  memset (m, 0, sizeof *m);
  if (cs_attention_fit (ctx, &fo, m, r) != CS_OK)
    abort ();
  return r->loo_mse;
}

static double
loo (CsAttention *ctx, double scale, double lambda)
{
  CsMetric m = { 0 };
  double mse;

  cs_metric_init_scalar (&m, cs_attention_get_d (ctx), scale);
  cs_metric_set_categories (&m, 1, &lambda);
  if (cs_attention_loo_mse (ctx, &m, &mse, NULL, NULL) != CS_OK)
    abort ();
  cs_metric_clear (&m);
  return mse;
}

/* Separate windows per level, each with its own fitted scale: the pooled leave-one-out MSE. */
static double
split_loo (const Base *b)
{
  double sse = 0;

  for (int l = 0; l < (int) b->L; l++)
    {
      size_t nl = 0;
      double *x = g_new (double, b->n * b->d), *y = g_new (double, b->n);
      for (size_t i = 0; i < b->n; i++)
        if (b->lv[i] == l)
          {
            memcpy (x + nl * b->d, b->x + i * b->d, b->d * sizeof (double));
            y[nl++] = b->y[i];
          }
      if (nl >= 3)
        {
          CsAttention *c = context (x, y, NULL, nl, b->d, 0);
          CsMetric m;
          CsFitReport r;
          sse += fit (c, CS_METRIC_SCALAR, 0, &m, &r) * (double) nl;
          cs_metric_clear (&m);
          cs_attention_free (c);
        }
      g_free (x);
      g_free (y);
    }
  return sse / (double) b->n;
}

int
main (int argc, char *argv[])
{
  static const double lambdas[] = { 0, 0.25, 0.5, 1, 2, 4, 8, 16, 1e6 };
  int s0 = argc > 2 ? atoi (argv[1]) : 1, s1 = argc > 2 ? atoi (argv[2]) : 2;
  int cells[16] = { 1, 3, 9, 11 }, nc = 4;
  size_t n = g_getenv ("CS_CAT_N") ? (size_t) atoi (g_getenv ("CS_CAT_N")) : 600;

  if (argc > 3)
    for (nc = 0; nc + 3 < argc && nc < 16; nc++)
      cells[nc] = atoi (argv[nc + 3]);
  printf ("%-34s %7s | %7s %6s %7s %3s | %7s %6s %7s | %7s %7s | %7s %7s %6s | %7s %7s %6s | %6s %6s %6s %6s\n",
          "cell", "mse0", "fit", "scale", "lambda", "pas", "grid", "scale", "lambda", "lam=inf", "split",
          "diag0", "diag1", "lamD", "full0", "full1", "lamF", "r_fit", "r_grid", "r_diag", "r_full");
  for (int seed = s0; seed <= s1; seed++)
    for (int k = 0; k < nc; k++)
      {
        int cell = cells[k];
        size_t d = cell & 1 ? 8 : 2, L = cell & 4 ? 6 : 2;
        gboolean curved = (cell & 2) != 0, unbal = (cell & 8) != 0;
        Base b;
        CsAttention *c0, *c1;
        CsMetric m0, m1, f0, f1, g0, g1;
        CsFitReport r0, r1, rf0, rf1, rg0, rg1;
        double e0, e1, gbest = INFINITY, gs = 0, gl = 0, inf_best = INFINITY, ef0, ef1, eg0, eg1;
        char name[64];

        base_make (&b, 1000 * (guint64) seed + (guint64) cell, n, d, curved, L, unbal, 3.0);
        if (g_getenv ("CS_CAT_CSV") != NULL)   /* the base as CSV, for casescope-cli fit */
          {
            GString *csv = g_string_new (NULL);
            g_autofree char *path = g_strdup_printf ("%s/cat-s%d-c%d.csv", g_getenv ("CS_CAT_CSV"), seed, cell);
            for (size_t j = 0; j < d; j++)
              g_string_append_printf (csv, "x%zu,", j + 1);
            g_string_append (csv, "level,y\n");
            for (size_t i = 0; i < n; i++)
              {
                for (size_t j = 0; j < d; j++)
                  g_string_append_printf (csv, "%.17g,", b.x[i * d + j]);
                g_string_append_printf (csv, "L%d,%.17g\n", b.lv[i], b.y[i]);
              }
            if (!g_file_set_contents (path, csv->str, (gssize) csv->len, NULL))
              abort ();
            g_string_free (csv, TRUE);
          }
        c0 = context (b.x, b.y, NULL, n, d, 0);
        c1 = context (b.x, b.y, b.lv, n, d, L);
        e0 = fit (c0, CS_METRIC_SCALAR, 0, &m0, &r0);
        e1 = fit (c1, CS_METRIC_SCALAR, 1, &m1, &r1);
        /* scale: 25 points from 1/8 to 8 times the fitted one (a factor 2^(1/4) apart) */
        for (int a = 0; a < 25; a++)
          for (size_t li = 0; li < G_N_ELEMENTS (lambdas); li++)
            {
              double s = m1.scale * pow (2.0, (a - 12) / 4.0), v = loo (c1, s, lambdas[li]);
              if (v < gbest)
                {
                  gbest = v;
                  gs = s;
                  gl = lambdas[li];
                }
              if (li == G_N_ELEMENTS (lambdas) - 1 && v < inf_best)
                inf_best = v;
            }
        eg0 = fit (c0, CS_METRIC_DIAGONAL, 0, &g0, &rg0);
        eg1 = fit (c1, CS_METRIC_DIAGONAL, 1, &g1, &rg1);
        ef0 = fit (c0, CS_METRIC_FULL, 0, &f0, &rf0);
        ef1 = fit (c1, CS_METRIC_FULL, 1, &f1, &rf1);
        g_snprintf (name, sizeof name, "d%zu %s L%zu %s s%d", d, curved ? "curved" : "linear", L,
                    unbal ? "unbal" : "bal", seed);
        printf ("%-34s %7.4f | %7.4f %6.3f %7.3g %3d | %7.4f %6.3f %7.3g | %7.4f %7.4f | %7.4f %7.4f %6.3g | %7.4f %7.4f "
                "%6.3g | %6.3f %6.3f %6.3f %6.3f\n", name, e0, e1, m1.scale, m1.cat_lambda[0], r1.passes, gbest, gs,
                gl, inf_best, split_loo (&b), eg0, eg1, g1.cat_lambda[0], ef0, ef1, f1.cat_lambda[0], e1 / e0,
                gbest / e0, eg1 / eg0, ef1 / ef0);
        fflush (stdout);
        cs_metric_clear (&m0);
        cs_metric_clear (&m1);
        cs_metric_clear (&f0);
        cs_metric_clear (&f1);
        cs_metric_clear (&g0);
        cs_metric_clear (&g1);
        cs_attention_free (c0);
        cs_attention_free (c1);
        base_free (&b);
      }
  return 0;
}
