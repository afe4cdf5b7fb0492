/* test-backtest-panel.c: the manager page's backtest panel on its own, driven through its buttons, on generated
 * bases in time order (tests/model/drift-gen.h): an outcome shifted by 2 noise sd after case 1,500 of 3,000 gives an
 * alarm within 100 cases after the shift, in the chart's data and in the status line; in file order and in the
 * order of a date-time label column (rows shuffled in the file); a label that is no date-time gives file order;
 * Cancel and a new engine leave no chart and no busy
 * state. A fresh panel, window and engine per test; under Xvfb (skips without a display). */
#define G_LOG_DOMAIN "test-backtest-panel"

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "cs-backtest-panel.h"
#include "cs-backtest-panel-private.h"
#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-ui-test.h"
#include "drift-gen.h"

#define N_CASES 3000
#define SHIFT_AT 1500

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;
  CsBacktestPanel *panel;
  GtkWindow *host;
} Fixture;

/* The drift base with its rows shuffled in the file and each case's time in the label column "when" (one hour
 * apart in the generator's order): only the labels know the order. */
static CsCaseBase *
shuffled_with_times (guint64 seed)
{
  g_autoptr(CsCaseBase) base = drift_generate (seed, N_CASES, SHIFT_AT, 2.0);
  CsCaseBase *c = drift_generate (seed, N_CASES, SHIFT_AT, 2.0);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  g_autofree gsize *perm = g_new (gsize, N_CASES);
  GRand *rand = g_rand_new_with_seed ((guint32) seed);

  for (gsize i = 0; i < N_CASES; i++)
    perm[i] = i;
  for (gsize i = N_CASES - 1; i > 0; i--)
    {
      gsize j = (gsize) g_rand_int_range (rand, 0, (gint32) i + 1), t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
  g_rand_free (rand);
  c->ids = g_new0 (char *, N_CASES + 1);
  c->id_name = g_strdup ("when");
  for (gsize r = 0; r < N_CASES; r++)
    {
      gsize i = perm[r];
      g_autoptr(GDateTime) at = g_date_time_add_hours (start, (gint) i);

      memcpy (c->x + r * 3, base->x + i * 3, 3 * sizeof (double));
      c->y[r] = base->y[i];
      c->line[r] = (guint) r + 2;
      c->ids[r] = g_date_time_format_iso8601 (at);
    }
  cs_case_base_compute_stats (c);
  return c;
}

static CsEngine *
engine_for (CsCaseBase *cases)
{
  g_autoptr(GError) error = NULL;
  CsEngine *engine = cs_engine_build (cases, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return engine;
}

/* data: TRUE for the shuffled base with a date-time label column, FALSE for the base in file order. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->cases = GPOINTER_TO_INT (data) ? shuffled_with_times (11) : drift_generate (11, N_CASES, SHIFT_AT, 2.0);
  f->engine = engine_for (f->cases);
  f->panel = CS_BACKTEST_PANEL (cs_backtest_panel_new ());
  f->host = cs_ui_test_host (GTK_WIDGET (f->panel), 1000, 700);
  cs_backtest_panel_set_engine (f->panel, f->engine);
  cs_ui_test_iterate ();
}

static gboolean
chart_rendered (gpointer data)
{
  GtkWidget *view = cs_ui_test_find_type (data, CS_TYPE_CHART_VIEW);
  return view == NULL || !cs_chart_view_is_rendering (CS_CHART_VIEW (view));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* A chart still rendering in its worker would go on shaping text with Pango while the program exits after the
   * last test (once under ASan: a report from inside HarfBuzz in that worker, and the leak check at exit then
   * waited for it forever). */
  cs_ui_test_wait_until (chart_rendered, f->panel, 240);
  gtk_window_destroy (f->host);
  cs_ui_test_iterate ();
  g_clear_pointer (&f->engine, cs_engine_unref);
  g_clear_pointer (&f->cases, cs_case_base_unref);
}

static GtkWidget *
named (Fixture    *f,
       const char *name)
{
  GtkWidget *w = cs_ui_test_find_named (GTK_WIDGET (f->panel), name);

  g_assert_nonnull (w);
  return w;
}

/* A click (GtkButton's "activate" emits "clicked" only after its press animation). */
static void
click (Fixture    *f,
       const char *name)
{
  GtkWidget *button = named (f, name);

  g_assert_true (gtk_widget_get_sensitive (button) && gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
idle (gpointer data)
{
  Fixture *f = data;

  return !cs_backtest_panel_is_busy (f->panel);
}

static CsChartView *
chart_of (Fixture *f)
{
  return CS_CHART_VIEW (cs_backtest_panel_get_chart_view (f->panel));
}

/* The longest wait of the main loop between ticks of a 10 ms timeout. */
typedef struct
{
  gint64 last, longest;
} Gaps;

static gboolean
tick_cb (gpointer data)
{
  Gaps *g = data;
  gint64 now = g_get_monotonic_time ();

  g->longest = MAX (g->longest, now - g->last);
  g->last = now;
  return G_SOURCE_CONTINUE;
}

/* Click Run and wait for the result; the main loop keeps running meanwhile (the click included). */
static void
run_to_end (Fixture *f)
{
  GtkWidget *run = named (f, "backtest-run");
  Gaps gaps = { g_get_monotonic_time (), 0 };
  guint tick = g_timeout_add (10, tick_cb, &gaps);

  click (f, "backtest-run");
  g_assert_true (cs_backtest_panel_is_busy (f->panel));
  g_assert_true (gtk_widget_get_visible (named (f, "backtest-cancel")));
  g_assert_false (gtk_widget_get_sensitive (run));
  cs_ui_test_wait_until (idle, f, 240);
  g_source_remove (tick);
  g_assert_false (gtk_widget_get_visible (named (f, "backtest-cancel")));
  /* The backtest of 3,000 cases takes seconds in the worker; the loop's longest wait is a frame or a chart
   * render, far under a second even on a shared machine (a backtest on the main thread would wait seconds). */
  g_test_message ("longest main-loop wait during the run: %.0f ms", gaps.longest / 1000.0);
  g_assert_cmpint (gaps.longest, <, G_USEC_PER_SEC);
}

/* The shown chart's data, checked: an alarm within 100 cases after the shift, and the status line names the first
 * alarm's file line. Returns the position of the first alarm after the shift (0-based, in time order). */
static gsize
check_alarm (Fixture *f)
{
  const CsChart *chart = cs_chart_data_get_chart (chart_of (f));
  const CsBacktestChartData *bt;
  const char *status = cs_backtest_panel_get_status (f->panel);
  g_autofree char *first = NULL;
  gssize after = -1;

  g_assert_nonnull (cs_chart_data_get_built (chart_of (f)));
  g_assert_nonnull (chart);
  g_assert_cmpint (chart->kind, ==, CS_CHART_BACKTEST);
  bt = chart->data;
  g_assert_cmpuint (bt->n, ==, N_CASES);
  g_assert_cmpuint (bt->n_alarms, >=, 1);
  for (gsize a = 0; a < bt->n_alarms && after < 0; a++)
    if (bt->alarm_position[a] - 1 >= SHIFT_AT)   /* positions are 1-based on the chart's axis */
      after = (gssize) (bt->alarm_position[a] - 1);
  g_test_message ("%zu alarms, the first after the shift at case %zd; status: %s", (size_t) bt->n_alarms, after,
                  status);
  g_assert_cmpint (after, >=, SHIFT_AT);
  g_assert_cmpint (after, <, SHIFT_AT + 100);
  first = g_strdup_printf ("the first at file line %u.", bt->alarm_line[0]);
  g_assert_nonnull (strstr (status, first));
  g_assert_nonnull (strstr (status, "Forward RMSE "));
  g_assert_nonnull (strstr (status, "false alarm per "));
  g_assert_true (cs_chart_view_has_content (chart_of (f)));
  g_assert_nonnull (cs_chart_view_get_summary (chart_of (f)));
  return (gsize) after;
}

static void
test_shift_file_order (Fixture       *f,
                       gconstpointer  data)
{
  const CsBacktestChartData *bt;
  gsize after;

  g_assert_cmpstr (cs_chart_view_get_title (chart_of (f)), ==, "Forward error over time and drift alarms");
  run_to_end (f);
  after = check_alarm (f);
  /* no label column: the file's line order, and said so; the alarm's line is that case's (line = row + 2) */
  g_assert_nonnull (strstr (cs_backtest_panel_get_status (f->panel), "the file's line order"));
  bt = cs_chart_data_get_chart (chart_of (f))->data;
  for (gsize a = 0; a < bt->n_alarms; a++)
    if ((gsize) bt->alarm_position[a] - 1 == after)
      g_assert_cmpuint (bt->alarm_line[a], ==, after + 2);
  g_assert_cmpstr (bt->order_name, ==, "file line");
}

static void
test_shift_label_order (Fixture       *f,
                        gconstpointer  data)
{
  const CsBacktestChartData *bt;
  gsize after;

  run_to_end (f);
  after = check_alarm (f);
  g_assert_nonnull (strstr (cs_backtest_panel_get_status (f->panel), "the label column “when”"));
  bt = cs_chart_data_get_chart (chart_of (f))->data;
  g_assert_cmpstr (bt->order_name, ==, "when");
  /* the alarm's file line is the shuffled row of the case at that time */
  for (gsize a = 0; a < bt->n_alarms; a++)
    if ((gsize) bt->alarm_position[a] - 1 == after)
      {
        guint line = bt->alarm_line[a];
        g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
        g_autoptr(GDateTime) at = g_date_time_add_hours (start, (gint) after);
        g_autofree char *iso = g_date_time_format_iso8601 (at);
        g_assert_cmpstr (f->cases->ids[line - 2], ==, iso);
      }
}

/* One label that is neither a date-time nor a counter: the file's line order, and the status line says which line
 * stopped the label column from being the order. */
static void
test_unparsed_label (Fixture       *f,
                     gconstpointer  data)
{
  const CsBacktestChartData *bt;

  g_free (f->cases->ids[7]);
  f->cases->ids[7] = g_strdup ("batch A");
  run_to_end (f);
  g_assert_nonnull (strstr (cs_backtest_panel_get_status (f->panel),
                            "the file's line order (the label on line 9 is neither a date-time nor a counter)"));
  bt = cs_chart_data_get_chart (chart_of (f))->data;
  g_assert_cmpstr (bt->order_name, ==, "file line");
  g_assert_cmpuint (bt->n, ==, N_CASES);
}

/* Iterate the main loop for a while: a late result of a dropped run would show by then. */
static void
linger (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    {
      cs_ui_test_iterate ();
      g_usleep (20000);
    }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  click (f, "backtest-run");
  g_assert_true (cs_backtest_panel_is_busy (f->panel));
  linger (0.05);
  g_assert_true (cs_backtest_panel_is_busy (f->panel));   /* 3,000 cases take seconds */
  click (f, "backtest-cancel");
  g_assert_false (cs_backtest_panel_is_busy (f->panel));
  g_assert_false (gtk_widget_get_visible (named (f, "backtest-cancel")));
  g_assert_true (gtk_widget_get_sensitive (named (f, "backtest-run")));
  g_assert_cmpstr (cs_backtest_panel_get_status (f->panel), ==, "Backtest cancelled.");
  linger (3);
  g_assert_null (cs_chart_data_get_chart (chart_of (f)));
  g_assert_false (cs_chart_view_has_content (chart_of (f)));
  g_assert_false (cs_backtest_panel_is_busy (f->panel));
  g_assert_cmpstr (cs_backtest_panel_get_status (f->panel), ==, "Backtest cancelled.");
}

static void
test_new_engine (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsCaseBase) other_cases = drift_generate (12, 400, 0, 0);
  CsEngine *other = engine_for (other_cases);

  /* a finished backtest is cleared by a new engine */
  run_to_end (f);
  g_assert_nonnull (cs_chart_data_get_chart (chart_of (f)));
  cs_backtest_panel_set_engine (f->panel, other);
  g_assert_null (cs_chart_data_get_chart (chart_of (f)));
  g_assert_cmpstr (cs_backtest_panel_get_status (f->panel), ==, "");
  g_assert_true (gtk_widget_get_sensitive (named (f, "backtest-run")));

  /* a running one is cancelled by a new engine: nothing of it shows, not even later */
  click (f, "backtest-run");
  g_assert_true (cs_backtest_panel_is_busy (f->panel));
  cs_backtest_panel_set_engine (f->panel, f->engine);
  g_assert_false (cs_backtest_panel_is_busy (f->panel));
  linger (2);
  g_assert_null (cs_chart_data_get_chart (chart_of (f)));
  g_assert_cmpstr (cs_backtest_panel_get_status (f->panel), ==, "");

  /* the new engine's own backtest runs: 400 stationary cases in the chart */
  cs_backtest_panel_set_engine (f->panel, other);
  run_to_end (f);
  g_assert_cmpuint (((const CsBacktestChartData *) cs_chart_data_get_chart (chart_of (f))->data)->n, ==, 400);

  /* no engine: nothing to run */
  cs_backtest_panel_set_engine (f->panel, NULL);
  g_assert_false (gtk_widget_get_sensitive (named (f, "backtest-run")));
  g_assert_false (cs_backtest_panel_run (f->panel));
  g_assert_null (cs_chart_data_get_chart (chart_of (f)));
  cs_engine_unref (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add ("/cs/ui/backtest-panel/shift-file-order", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_shift_file_order, fixture_tear_down);
  g_test_add ("/cs/ui/backtest-panel/shift-label-order", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up,
              test_shift_label_order, fixture_tear_down);
  g_test_add ("/cs/ui/backtest-panel/unparsed-label", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up,
              test_unparsed_label, fixture_tear_down);
  g_test_add ("/cs/ui/backtest-panel/cancel", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/cs/ui/backtest-panel/new-engine", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_new_engine, fixture_tear_down);
  return g_test_run ();
}
