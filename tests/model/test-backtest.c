/* test-backtest.c: the forward-chaining backtest and its CUSUM drift alarm on generated bases (drift-gen.h):
 * a shift of 2 noise sd after row 1,500 of 3,000 raises an alarm within 100 rows; stationary bases raise at most
 * one alarm per 3,000 rows, over seeds. Nothing of the future is used: a case's forward prediction does not
 * change when every later case is changed. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cs-engine-backtest.h"
#include "drift-gen.h"

static CsBacktest *
run (CsCaseBase *cases)
{
  g_autofree double *key = g_new (double, cases->n);
  g_autoptr(GError) error = NULL;
  CsBacktest *bt;

  for (gsize i = 0; i < cases->n; i++)
    key[i] = (double) i;   /* a counter */
  bt = cs_backtest_run (cases, key, NULL, NULL, &error);
  g_assert_no_error (error);
  return bt;
}

static void
test_shift (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr(CsCaseBase) cases = drift_generate (seed, 3000, 1500, 2.0);
  g_autoptr(CsBacktest) bt = run (cases);
  gssize first_after = -1;
  guint before = 0;

  for (guint a = 0; a < bt->alarms->len; a++)
    {
      const CsBacktestAlarm *al = &g_array_index (bt->alarms, CsBacktestAlarm, a);
      if (al->position < 1500)
        before++;
      else if (first_after < 0)
        first_after = (gssize) al->position;
    }
  g_test_message ("seed %" G_GUINT64_FORMAT ": %u alarms, before the shift %u, first after at row %zd (delay %zd), "
                  "forward RMSE %.3f, coverage %.3f", seed, bt->alarms->len, before, first_after,
                  first_after - 1500, bt->rmse, bt->coverage);
  g_assert_cmpint (first_after, >=, 1500);
  g_assert_cmpint (first_after, <, 1600);
  g_assert_cmpuint (before, <=, 1);
  /* the alarm points up: the outcomes rose above the predictions */
  for (guint a = 0; a < bt->alarms->len; a++)
    if (g_array_index (bt->alarms, CsBacktestAlarm, a).position == (gsize) first_after)
      g_assert_cmpint (g_array_index (bt->alarms, CsBacktestAlarm, a).direction, ==, 1);
}

static void
test_stationary (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autoptr(CsCaseBase) cases = drift_generate (seed, 3000, 0, 0);
  g_autoptr(CsBacktest) bt = run (cases);
  double zs = 0, zz = 0;
  gsize m = 0;

  for (gsize t = bt->warmup; t < bt->n; t++)
    if (isfinite (bt->z[t]))
      {
        zs += bt->z[t];
        zz += bt->z[t] * bt->z[t];
        m++;
      }
  g_test_message ("seed %" G_GUINT64_FORMAT ": %u alarms, z mean %.3f sd %.3f, RMSE %.3f, "
                  "coverage %.3f, %zu refits", seed, bt->alarms->len, zs / m, sqrt (zz / m - (zs / m) * (zs / m)),
                  bt->rmse, bt->coverage, (size_t) bt->refits);
  g_assert_cmpuint (bt->alarms->len, <=, 1);
  /* standardised by the past's leave-one-out RMSE, the forward errors are near unit scale and the 90 %
   * interval covers near 90 % (forward errors are a little larger than leave-one-out ones: a loose band) */
  g_assert_cmpfloat (bt->coverage, >, 0.8);
  g_assert_cmpfloat (bt->coverage, <, 0.97);
  g_assert_cmpuint (bt->n, ==, 3000);
}

static void
test_no_lookahead (void)
{
  g_autoptr(CsCaseBase) a = drift_generate (77, 400, 0, 0);
  g_autoptr(CsCaseBase) b = drift_generate (77, 400, 0, 0);
  g_autoptr(CsBacktest) ba = NULL, bb = NULL;
  CsBacktestOptions o;
  g_autofree double *key = g_new (double, 400);
  g_autoptr(GError) error = NULL;
  gsize cut = 300;

  /* every case from row 300 on changed: the forward predictions of the rows before 300 (each from the rows
   * before it) are the very same numbers, computed from the same past in the same order */
  for (gsize i = cut; i < 400; i++)
    {
      b->y[i] += 100;
      b->x[i * 3] = -b->x[i * 3];
    }
  cs_case_base_compute_stats (b);
  for (gsize i = 0; i < 400; i++)
    key[i] = (double) i;
  cs_backtest_options_init (&o);
  o.step = 1;
  ba = cs_backtest_run (a, key, &o, NULL, &error);
  g_assert_no_error (error);
  bb = cs_backtest_run (b, key, &o, NULL, &error);
  g_assert_no_error (error);
  for (gsize t = ba->warmup; t < cut; t++)
    {
      if (ba->prediction[t] != bb->prediction[t])
        g_test_message ("row %zu: %.17g against %.17g", (size_t) t, ba->prediction[t], bb->prediction[t]);
      g_assert_cmpfloat (ba->prediction[t], ==, bb->prediction[t]);
    }
  g_assert_cmpfloat (ba->prediction[cut + 1], !=, bb->prediction[cut + 1]);   /* the changed past shows */
}

static void
test_order_and_keys (void)
{
  g_autoptr(CsCaseBase) cases = drift_generate (5, 200, 0, 0);
  g_autofree double *key = g_new (double, 200);
  g_autoptr(CsBacktest) bt = NULL;
  g_autoptr(GError) error = NULL;
  double v = 0;

  /* reversed keys: the last row of the file comes first */
  for (gsize i = 0; i < 200; i++)
    key[i] = 1000.0 - (double) i;
  bt = cs_backtest_run (cases, key, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bt->order[0], ==, 199);
  g_assert_cmpuint (bt->order[199], ==, 0);

  g_assert_true (cs_backtest_parse_key ("2026-01-01T01:00:00Z", &v));
  g_assert_cmpfloat (v, ==, 1767229200.0);
  g_assert_true (cs_backtest_parse_key ("2026-01-01 01:00:00", &v));
  g_assert_cmpfloat (v, ==, 1767229200.0);
  g_assert_true (cs_backtest_parse_key ("2026-01-01", &v));
  g_assert_cmpfloat (v, ==, 1767225600.0);
  g_assert_true (cs_backtest_parse_key ("2026-01-01T02:00:00+01:00", &v));
  g_assert_cmpfloat (v, ==, 1767229200.0);
  g_assert_true (cs_backtest_parse_key ("  42 ", &v));
  g_assert_cmpfloat (v, ==, 42.0);
  g_assert_false (cs_backtest_parse_key ("batch 7", &v));
  g_assert_false (cs_backtest_parse_key ("", &v));

  key[17] = NAN;
  g_assert_null (cs_backtest_run (cases, key, NULL, NULL, &error));
  g_assert_nonnull (error);
}

/* test-backtest --table FIRST LAST: the held-out table (one line per seed: the stationary base's alarms and the
 * shifted base's first alarm after row 1,500), as reported for the defaults (seeds 13-40). */
static int
print_table (guint64 first,
             guint64 last)
{
  for (guint64 seed = first; seed <= last; seed++)
    {
      g_autoptr(CsCaseBase) flat = drift_generate (seed, 3000, 0, 0);
      g_autoptr(CsCaseBase) shifted = drift_generate (seed, 3000, 1500, 2.0);
      g_autoptr(CsBacktest) a = run (flat);
      g_autoptr(CsBacktest) b = run (shifted);
      gssize first_after = -1;
      guint before = 0;

      for (guint i = 0; i < b->alarms->len; i++)
        {
          gsize pos = g_array_index (b->alarms, CsBacktestAlarm, i).position;
          if (pos < 1500)
            before++;
          else if (first_after < 0)
            first_after = (gssize) pos;
        }
      printf ("seed %3" G_GUINT64_FORMAT "  stationary alarms %u  shifted: alarms before row 1500 %u, first after "
              "at row %zd (delay %zd)\n", seed, a->alarms->len, before, first_after, first_after - 1500);
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && strcmp (argv[1], "--table") == 0)
    return print_table (g_ascii_strtoull (argv[2], NULL, 10), g_ascii_strtoull (argv[3], NULL, 10));
  g_test_init (&argc, &argv, NULL);
  /* The defaults were chosen on seeds 1-4 as k 0.5, h 8, re-centring on 50 errors; seed 11 then gave two
   * false alarms (the second from a reference re-centred on noise), so they became h 10 and 100 errors, set on
   * seeds 1-12 and measured once on seeds 13-40: one alarm in 28 stationary bases (seed 26, row 2,969), the
   * shift found 3 to 9 rows after row 1,500 on every seed. Seeds 1-20 run here. */
  for (guint64 seed = 1; seed <= 20; seed++)
    {
      g_autofree char *a = g_strdup_printf ("/cs/engine/backtest/shift/seed-%" G_GUINT64_FORMAT, seed);
      g_autofree char *b = g_strdup_printf ("/cs/engine/backtest/stationary/seed-%" G_GUINT64_FORMAT, seed);
      g_test_add_data_func (a, GSIZE_TO_POINTER (seed), test_shift);
      g_test_add_data_func (b, GSIZE_TO_POINTER (seed), test_stationary);
    }
  g_test_add_func ("/cs/engine/backtest/no-lookahead", test_no_lookahead);
  g_test_add_func ("/cs/engine/backtest/order-and-keys", test_order_and_keys);
  return g_test_run ();
}
