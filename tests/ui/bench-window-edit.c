/* bench-window-edit.c: what-if edits in the real window on a large generated case base: per edit, the wall time
 * from the change in the query editor to the operator page showing its result (prediction, flags, charts drawn),
 * and the longest main-loop gap meanwhile; against the engine's plain prediction pass for one query, measured in
 * the same process. A benchmark, not a test: it prints, it asserts only that every edit was shown. */

#define G_LOG_DOMAIN "bench-window-edit"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gtk/gtk.h>

#include "cs-engine.h"
#include "cs-operator-view.h"
#include "cs-operator-view-private.h"
#include "cs-query-editor.h"
#include "cs-ui-test.h"
#include "cs-window-private.h"

#define WAIT_TIMEOUT 3600

/* The main loop's longest gap: a 10 ms timeout that notes how late it runs. */
typedef struct
{
  gint64 last;
  gint64 worst;
  guint ticks;
} Stall;

static gboolean
stall_tick_cb (gpointer data)
{
  Stall *st = data;
  gint64 now = g_get_monotonic_time ();

  if (st->last > 0 && now - st->last > st->worst)
    st->worst = now - st->last;
  st->last = now;
  st->ticks++;
  return G_SOURCE_CONTINUE;
}

/* The window shows its engine and nothing is pending: no edit waiting for the debounce, the last query's result
 * shown (serial == shown), no chart still rendering (cs_window_is_busy). The first time it holds is noted. */
typedef struct
{
  CsWindow *window;
  gint64 done;
} Idle;

static gboolean
window_idle (gpointer data)
{
  Idle *idle = data;

  if (cs_window_get_engine (idle->window) == NULL || cs_window_is_busy (idle->window))
    return FALSE;
  idle->done = g_get_monotonic_time ();
  return TRUE;
}

static void
query_changed_cb (CsQueryEditor *editor,
                  gint64        *when)
{
  (void) editor;
  *when = g_get_monotonic_time ();
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        gsize   n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* n cases x d features uniform on 0-10 mm; the outcome depends on x1..x3 only (sin of each, a narrow bump in x3)
 * plus noise of sd 0.05, so a leave-one-out fit finds large weights on x1..x3 and ~0 on the rest. */
static CsCaseBase *
generate (gsize   n,
          gsize   d,
          guint32 seed)
{
  CsCaseBase *big = cs_case_base_new (n, d);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize j = 0; j < d; j++)
    {
      g_autofree char *name = g_strdup_printf ("x%zu", j + 1);
      cs_case_base_set_feature (big, j, name, "mm");
    }
  cs_case_base_set_target (big, "y", "MPa");
  for (gsize i = 0; i < n; i++)
    {
      double *x = big->x + i * d;

      for (gsize j = 0; j < d; j++)
        x[j] = g_rand_double_range (rand, 0, 10);
      big->y[i] = sin (x[0]) + sin (1.5 * x[1]) + sin (2 * x[2]) + 0.05 * (g_rand_double (rand) - 0.5) * sqrt (12);
      big->line[i] = (guint) i + 2;
    }
  big->source = g_strdup ("generated.csv");
  cs_case_base_compute_stats (big);
  g_rand_free (rand);
  return big;
}

int
main (int    argc,
      char **argv)
{
  const char *which = argc > 1 ? argv[1] : "diagonal";
  gsize n = argc > 2 ? (gsize) g_ascii_strtoull (argv[2], NULL, 10) : 1000000, d = 20;
  guint edits = argc > 3 ? (guint) atoi (argv[3]) : 12;
  g_autoptr(CsCaseBase) big = NULL;
  g_autofree double *latency = NULL, *after = NULL, *plain = NULL, *full = NULL;
  g_autofree double *diag = NULL;
  CsMetric metric;
  CsWindow *window;
  CsOperatorView *view;
  CsEngine *engine;
  GtkWidget *editor;
  Idle idle = { 0 };
  Stall st = { 0 };
  gint64 t0, signalled = 0;
  guint id, reps = 7;
  double worst = 0, worst_after = 0, med, med_after, med_plain, med_full;

  /* the window's recent-files lookups need an application name (g_test_init sets it in the tests) */
  g_set_prgname ("bench-window-edit");
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  if (n < 100 || edits < 1 || (!g_str_equal (which, "diagonal") && !g_str_equal (which, "scalar")))
    {
      g_printerr ("usage: %s [diagonal|scalar] [CASES >= 100] [EDITS >= 1]\n", argv[0]);
      return 2;
    }

  /* The metric a leave-one-out fit finds on this generator (standardised units): the automatic rule's diagonal
   * fit takes about 16 minutes at 10^6 x 20, and a benchmark of edits need not wait for it. */
  if (g_str_equal (which, "diagonal"))
    {
      diag = g_new (double, d);
      for (gsize j = 0; j < d; j++)
        diag[j] = 1e-4;
      diag[0] = 400;
      diag[1] = 700;
      diag[2] = 1200;
      g_assert_cmpint (cs_metric_init_diagonal (&metric, d, diag), ==, CS_OK);
    }
  else
    g_assert_cmpint (cs_metric_init_scalar (&metric, d, 2.0), ==, CS_OK);

  t0 = g_get_monotonic_time ();
  big = generate (n, d, 20261207);
  g_print ("# %zu cases x %zu features generated in %.1f s\n", n, d, (g_get_monotonic_time () - t0) / 1e6);

  window = g_object_ref_sink (cs_window_new (NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  idle.window = window;
  t0 = g_get_monotonic_time ();
  cs_window_set_case_base (window, big);
  /* What opening a model file does (cs_window_open_model_from): stop the automatic fit, build with this metric. */
  _cs_window_renew_cancellable (window);
  _cs_window_prepare_engine_with (window, CS_ENGINE_FIT_NONE, &metric,
                                  g_str_equal (which, "diagonal") ? "diagonal, given" : "scalar, given");
  cs_ui_test_wait_until (window_idle, &idle, WAIT_TIMEOUT);
  engine = cs_window_get_engine (window);
  g_assert_nonnull (engine);
  g_assert_true (engine->metric.kind == metric.kind);
  g_print ("# engine (%s metric, no fit) and first query shown in %.1f s\n", which, (g_get_monotonic_time () - t0) / 1e6);

  view = CS_OPERATOR_VIEW (cs_window_get_operator (window));
  editor = cs_ui_test_find_type (GTK_WIDGET (view), CS_TYPE_QUERY_EDITOR);
  g_assert_nonnull (editor);
  g_signal_connect (editor, "query-changed", G_CALLBACK (query_changed_cb), &signalled);

  /* The reference, in this process on this machine now: the engine's plain prediction pass for the query the view
   * shows (cs_engine_predict, one query, no weights), and the query the view asks for (cs_engine_query: every
   * case's weight for the charts, top-k, interval), each on the calling thread with nothing else running. */
  {
    const double *q = cs_query_editor_get_query (CS_QUERY_EDITOR (editor));
    g_autofree double *query = g_memdup2 (q, d * sizeof *q);

    plain = g_new (double, reps);
    full = g_new (double, reps);
    for (guint r = 0; r < reps; r++)
      {
        g_autoptr(GError) error = NULL;
        CsQueryResult **res;
        CsQueryResult *one;

        t0 = g_get_monotonic_time ();
        res = cs_engine_predict (engine, query, 1, NULL, 0, NULL, &error);
        plain[r] = (g_get_monotonic_time () - t0) / 1e3;
        g_assert_no_error (error);
        g_assert_true (res[0]->valid);
        cs_engine_results_free (res, 1);

        t0 = g_get_monotonic_time ();
        one = cs_engine_query (engine, query, -1, 10, NULL);
        full[r] = (g_get_monotonic_time () - t0) / 1e3;
        g_assert_true (one->valid);
        cs_query_result_free (one);
      }
  }

  /* The edits: one feature at a time, the ones that matter (x1..x3) and the others in turn, values across the
   * range, each waited for until shown. */
  latency = g_new (double, edits);
  after = g_new (double, edits);
  id = g_timeout_add (10, stall_tick_cb, &st);
  for (guint k = 0; k < edits; k++)
    {
      gsize j = k % 2 == 0 ? (k / 2) % 3 : 3 + (k / 2) % (d - 3);
      double value = 0.5 + fmod (1.37 * (k + 1), 9.0);
      guint serial, shown;
      const CsQueryResult *r;

      signalled = 0;
      idle.done = 0;
      t0 = g_get_monotonic_time ();
      cs_operator_view_set_feature (view, j, value);
      cs_ui_test_wait_until (window_idle, &idle, WAIT_TIMEOUT);
      g_assert_cmpint (signalled, >, 0);
      serial = cs_operator_view_get_serial (view, &shown);
      g_assert_cmpuint (serial, ==, shown);
      r = cs_operator_view_get_result (view);
      g_assert_nonnull (r);
      g_assert_true (r->valid);
      /* The very value the editor holds (the spin button may round what was set) is the one predicted. */
      g_assert_true (r->query[j] == cs_query_editor_get_query (CS_QUERY_EDITOR (editor))[j]);
      latency[k] = (idle.done - t0) / 1e3;
      after[k] = (idle.done - signalled) / 1e3;
      worst = MAX (worst, latency[k]);
      worst_after = MAX (worst_after, after[k]);
      g_print ("# edit %2u: x%-2zu = %5.2f  shown after %7.1f ms (%7.1f ms after the editor's debounce)\n", k + 1,
               j + 1, value, latency[k], after[k]);
    }
  g_source_remove (id);

  med = median (latency, edits);
  med_after = median (after, edits);
  med_plain = median (plain, reps);
  med_full = median (full, reps);
  g_print ("# %zu x %zu, %s metric, %u edits: edit to shown median %.1f ms, worst %.1f ms; after the debounce "
           "median %.1f ms, worst %.1f ms; longest main-loop gap %.1f ms (%u ticks)\n",
           n, d, which, edits, med, worst, med_after, worst_after, st.worst / 1e3, st.ticks);
  g_print ("# reference (median of %u, main thread): plain prediction pass for one query %.1f ms, the view's query "
           "(weights, top-k, interval) %.1f ms; edit to shown over plain pass: median %.1fx, worst %.1fx\n",
           reps, med_plain, med_full, med / med_plain, worst / med_plain);

  cs_metric_clear (&metric);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  return 0;
}
