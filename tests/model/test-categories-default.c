/* test-categories-default.c: issue 20's category targets through the engine with every default, as a front end
 * without --metric fits (CS_ENGINE_FIT_AUTO: scalar at 2 features; at 8, diagonal or the full metric when it wins,
 * CS_ENGINE_AUTO_FULL_SE), on the generated bases of test-categories.c (cat-gen.h) with seeds no earlier run
 * looked at (5 and 6; 1 and 2 were the development seeds of the penalties' fit, 3 and 4 its held-out ones; the
 * environment's CS_CAT_SEED_FROM and CS_CAT_SEED_TO run other seeds, for the wider table in the docs).
 *
 * Targets, fixed before measuring (the issue's): where the category shifts the outcome (3 noise sd per level),
 * the leave-one-out MSE with the category column is at most 0.70 of the same base without it, in every cell;
 * where it does not, lambda <= 0.05 and the leave-one-out RMSE with it at most 1.02 of without (and, with the
 * penalty at 0, the same window as without the column, to 1e-3 of the MSE). The table is in
 * model/METRIC.md. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine.h"
#include "cat-gen.h"

/* The case base of b, with its category column ("level", levels L0..) or without it. */
static CsCaseBase *
case_base (const Base *b,
           gboolean    with_category)
{
  CsCaseBase *cases = cs_case_base_new (b->n, b->d);

  for (gsize j = 0; j < b->d; j++)
    {
      g_autofree char *name = g_strdup_printf ("x%zu", j + 1);
      cs_case_base_set_feature (cases, j, name, "");
    }
  cs_case_base_set_target (cases, "y", "");
  memcpy (cases->x, b->x, b->n * b->d * sizeof (double));
  memcpy (cases->y, b->y, b->n * sizeof (double));
  for (gsize i = 0; i < b->n; i++)
    cases->line[i] = (guint) i + 2;
  if (with_category)
    {
      char **names = g_new0 (char *, 2), ***levels = g_new0 (char **, 2);
      gint *codes = g_new (gint, b->n);

      names[0] = g_strdup ("level");
      levels[0] = g_new0 (char *, b->L + 1);
      for (gsize k = 0; k < b->L; k++)
        levels[0][k] = g_strdup_printf ("L%zu", k);
      for (gsize i = 0; i < b->n; i++)
        codes[i] = b->lv[i];
      cs_case_base_take_categories (cases, 1, names, levels, codes);
    }
  cs_case_base_compute_stats (cases);
  return cases;
}

/* The default engine's leave-one-out MSE, its metric kind and (with the column) its penalty. */
static double
default_fit (const Base   *b,
             gboolean      with_category,
             CsMetricKind *kind,
             double       *lambda)
{
  g_autoptr(CsCaseBase) cases = case_base (b, with_category);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) e = NULL;
  CsEngineOptions eo;

  cs_engine_options_init (&eo);
  g_assert_cmpint (eo.fit, ==, CS_ENGINE_FIT_AUTO);
  eo.preferred_window = FALSE;   /* not what is measured */
  e = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (e->fitted);
  g_assert_cmpuint (e->fit.n_queries, ==, b->n);
  *kind = e->metric.kind;
  if (lambda != NULL)
    *lambda = with_category ? cs_engine_category_lambda (e, 0) : 0;
  return e->fit.loo_mse;
}

static void
test_default_metric (void)
{
  double worst_ratio = 0, worst_null = 0, worst_lambda = 0, worst_same = 0;
  char worst_a[128] = "", worst_b[128] = "", worst_c[128] = "";

  g_test_summary ("issue 20: with the engine's default metric, a category that shifts the outcome cuts the "
                  "leave-one-out MSE by at least 30 % in every generated cell, one without effect gets lambda "
                  "<= 0.05 and moves the RMSE by at most 2 %; fresh seeds 5 and 6");
  const char *from = g_getenv ("CS_CAT_SEED_FROM"), *to = g_getenv ("CS_CAT_SEED_TO");
  guint64 s0 = from != NULL ? g_ascii_strtoull (from, NULL, 10) : 5, s1 = to != NULL ? g_ascii_strtoull (to, NULL, 10) : 6;

  for (int cell = 0; cell < 16; cell++)
    for (guint64 seed = s0; seed <= s1; seed++)
      {
        size_t d = cell & 1 ? 8 : 2, L = cell & 4 ? 6 : 2;
        gboolean curved = (cell & 2) != 0, unbal = (cell & 8) != 0;
        CsMetricKind k0, k1, n0k, n1k;
        double a0, a1, n0, n1, al, nl;
        Base be, bn;
        char name[128];

        g_snprintf (name, sizeof name, "d %zu, %s, %zu levels, %s, seed %" G_GUINT64_FORMAT,
                    d, curved ? "curved" : "linear", L, unbal ? "unbalanced" : "balanced", seed);
        base_make (&be, 1000 * seed + (guint64) cell, 600, d, curved, L, unbal, 3.0);
        base_make (&bn, 5000 * seed + (guint64) cell, 600, d, curved, L, unbal, 0.0);
        a0 = default_fit (&be, FALSE, &k0, NULL);
        a1 = default_fit (&be, TRUE, &k1, &al);
        n0 = default_fit (&bn, FALSE, &n0k, NULL);
        n1 = default_fit (&bn, TRUE, &n1k, &nl);
        g_test_message ("%s: effect MSE %.4f (%s) -> %.4f (%s, lambda %.3g), x%.3f; none RMSE %.4f (%s) -> %.4f "
                        "(%s, lambda %.3g), x%.4f", name, a0, cs_engine_metric_name (k0), a1,
                        cs_engine_metric_name (k1), al, a1 / a0, sqrt (n0), cs_engine_metric_name (n0k), sqrt (n1),
                        cs_engine_metric_name (n1k), nl, sqrt (n1 / n0));
        if (a1 / a0 > worst_ratio)
          {
            worst_ratio = a1 / a0;
            g_strlcpy (worst_a, name, sizeof worst_a);
          }
        if (sqrt (n1 / n0) > worst_null)
          {
            worst_null = sqrt (n1 / n0);
            g_strlcpy (worst_b, name, sizeof worst_b);
          }
        if (nl == 0)
          worst_same = fmax (worst_same, fabs (n1 / n0 - 1));
        if (nl > worst_lambda)
          {
            worst_lambda = nl;
            g_strlcpy (worst_c, name, sizeof worst_c);
          }
        base_free (&be);
        base_free (&bn);
      }
  g_printerr ("# worst: effect MSE ratio %.3f (%s); no effect RMSE ratio %.4f (%s), lambda %.3g (%s); with the "
              "penalty at 0, MSE with / without - 1: %.3g\n",
              worst_ratio, worst_a, worst_null, worst_b, worst_lambda, worst_c, worst_same);
  g_assert_cmpfloat (worst_ratio, <=, 0.70);
  g_assert_cmpfloat (worst_null, <=, 1.02);
  g_assert_cmpfloat (worst_lambda, <=, 0.05);
  /* A column whose penalty ends at 0 leaves the window as without it (the engine fits again without penalties):
   * measured 1.3e-6 over seeds 5 to 8 (the category columns' zero terms change the summation, not the path); the
   * path that kept the penalties' detour gave up to 1.3 % on these seeds (6.5 % on seed 8). */
  g_assert_cmpfloat (worst_same, <=, 1e-3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/engine/categories/default-metric", test_default_metric);
  return g_test_run ();
}
