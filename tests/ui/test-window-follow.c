/* test-window-follow.c: "Follow this file" in the real window under Xvfb: the toggle starts the follow page on
 * the shown file; rows appended over time are each predicted once (timer and monitor both poll); a waiting row
 * is listed and a later row with its label completes it with its error; a truncation reloads the file whole and
 * the pages show the reloaded base with a notice; the toggle stops it. The page on its own: intervals and spec
 * words in the waiting list, the exclusions side file respected, the drift alarm said live. */
#define G_LOG_DOMAIN "test-window-follow"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-csv-loader.h"
#include "cs-exclusions.h"
#include "cs-follow-panel.h"
#include "cs-ui-test.h"
#include "cs-window-private.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

static CsWindow *window;

/* Keeps the main loop running for ms (timers fire, monitors deliver). */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static gboolean
window_idle (gpointer data)
{
  (void) data;
  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window);
}

static gboolean
panel_idle (gpointer data)
{
  return !cs_follow_panel_is_busy (data);
}

static gboolean
events_reach (gpointer data)
{
  CsFollowPanel *panel = CS_FOLLOW_PANEL (cs_window_get_follow_panel (window));
  return panel != NULL && cs_follow_panel_get_events (panel)->len >= GPOINTER_TO_UINT (data);
}

static gboolean
reloaded (gpointer data)
{
  CsFollowPanel *panel = CS_FOLLOW_PANEL (cs_window_get_follow_panel (window));
  return cs_follow_panel_get_reloads (panel) >= GPOINTER_TO_UINT (data) && !cs_follow_panel_is_busy (panel);
}

static void
append (const char *path, const char *text)
{
  FILE *fp = fopen (path, "ab");

  g_assert_nonnull (fp);
  g_assert_cmpint (fputs (text, fp), >=, 0);
  g_assert_cmpint (fclose (fp), ==, 0);
}

static void
test_follow (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-window-follow-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GString) head = NULL;
  g_autoptr(GRand) r = g_rand_new_with_seed (21);
  g_autoptr(CsCaseBase) cases = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) lines = g_hash_table_new (NULL, NULL);
  guint n = 180, head_rows = 60;
  CsCsvOptions opt;
  CsFollowPanel *panel;
  GPtrArray *events;
  const CsFollowEvent *e;

  for (guint i = 0; i < n; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      g_string_append_printf (text, "P%u,%.2f,%.3f,%.3f\n", i, t, p, 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1));
      if (i + 1 == head_rows)
        head = g_string_new (text->str);
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  cs_csv_options_init (&opt);
  opt.target = "strength";
  cases = cs_csv_load_path (path, &opt, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cs_window_set_case_base (window, cases);
  cs_ui_test_wait_until (window_idle, NULL, WAIT_SECONDS);

  g_assert_null (cs_window_get_follow_panel (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.follow", NULL));
  panel = CS_FOLLOW_PANEL (cs_window_get_follow_panel (window));
  g_assert_nonnull (panel);
  cs_ui_test_wait_until (panel_idle, panel, WAIT_SECONDS);
  g_assert_true (cs_follow_panel_get_engine (panel) == cs_window_get_engine (window));

  /* Rows over time: a waiting row, then another, then the first one's outcome. */
  append (path, "Q1,200.5,3.25,\n");
  cs_ui_test_wait_until (events_reach, GUINT_TO_POINTER (1), WAIT_SECONDS);
  events = cs_follow_panel_get_events (panel);
  e = events->pdata[0];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_WAITING);
  g_assert_cmpuint (e->line, ==, n + 2);
  /* the waiting list is read between workers only (a timer poll may have started one) */
  cs_ui_test_wait_until (panel_idle, panel, WAIT_SECONDS);
  g_assert_nonnull (cs_follow_panel_get_waiting (panel));
  g_assert_cmpuint (cs_follow_panel_get_waiting (panel)->len, ==, 1);
  run_for (300);
  append (path, "Q2,170,2,\n");
  run_for (300);
  append (path, "Q1,200.5,3.25,26.9\n");
  cs_ui_test_wait_until (events_reach, GUINT_TO_POINTER (3), WAIT_SECONDS);
  cs_ui_test_wait_until (panel_idle, panel, WAIT_SECONDS);
  /* Timer and monitor both poll: more time passes, and still every row was predicted exactly once. */
  run_for (1200);
  events = cs_follow_panel_get_events (panel);
  g_assert_cmpuint (events->len, ==, 3);
  for (guint i = 0; i < events->len; i++)
    {
      e = events->pdata[i];
      g_assert_false (g_hash_table_contains (lines, GUINT_TO_POINTER (e->line)));
      g_hash_table_add (lines, GUINT_TO_POINTER (e->line));
    }
  e = events->pdata[2];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_COMPLETED);
  g_assert_cmpuint (e->predicted_line, ==, n + 2);
  g_assert_cmpfloat (e->result->prediction.prediction, ==,
                     ((CsFollowEvent *) events->pdata[0])->result->prediction.prediction);
  g_assert_cmpfloat (e->error, ==, 26.9 - e->result->prediction.prediction);
  /* the waiting list is read between workers only (a timer poll may have started one) */
  cs_ui_test_wait_until (panel_idle, panel, WAIT_SECONDS);
  g_assert_nonnull (cs_follow_panel_get_waiting (panel));
  g_assert_cmpuint (cs_follow_panel_get_waiting (panel)->len, ==, 1);   /* Q2 still waits */
  g_assert_cmpuint (cs_follow_panel_get_engine (panel)->cases->n, ==, n + 1);
  /* The pages keep the version they show until asked. */
  g_assert_cmpuint (cs_window_get_case_base (window)->n, ==, n);

  /* Truncated by the logger: loaded again whole, the pages take the reloaded base with a notice. */
  {
    FILE *fp = fopen (path, "r+b");
    g_assert_nonnull (fp);
    g_assert_cmpint (ftruncate (fileno (fp), (off_t) head->len), ==, 0);
    fclose (fp);
  }
  cs_ui_test_wait_until (reloaded, GUINT_TO_POINTER (1), WAIT_SECONDS);
  cs_ui_test_wait_until (window_idle, NULL, WAIT_SECONDS);
  g_assert_cmpuint (cs_window_get_case_base (window)->n, ==, head_rows);
  g_assert_nonnull (strstr (cs_window_get_notice (window), "truncated"));
  g_assert_true (cs_window_get_follow_panel (window) == GTK_WIDGET (panel));
  append (path, "Q3,190,4,\n");
  cs_ui_test_wait_until (events_reach, GUINT_TO_POINTER (4), WAIT_SECONDS);
  e = cs_follow_panel_get_events (panel)->pdata[3];
  g_assert_cmpuint (e->line, ==, head_rows + 2);
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_WAITING);

  /* The toggle stops following. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.follow", NULL));
  g_assert_null (cs_window_get_follow_panel (window));
  cs_ui_test_iterate ();
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
panel_events_reach (gpointer data)
{
  CsFollowPanel *panel = data;
  return cs_follow_panel_get_events (panel)->len >= 2 && !cs_follow_panel_is_busy (panel);
}

/* The follow page on its own: each waiting row lists its interval at the window's level and, with spec limits,
 * p_in_spec in words; a case set aside in the side file is not in the case base, and an appended row on a
 * recorded line is excluded (not predicted, not waiting, not joined). */
static void
test_follow_panel_interval_exclusions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-follow-panel-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autofree char *side = NULL;
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GRand) r = g_rand_new_with_seed (5);
  g_autoptr(CsCaseBase) loaded = NULL, cases = NULL;
  g_autoptr(CsExclusions) ex = cs_exclusions_new ();
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  CsIntervalSpec spec = { 0.8, 25, 31 };
  guint n = 150;
  CsCsvOptions opt;
  CsFollowPanel *panel;
  GtkWindow *host;
  GtkWidget *list, *row_label;
  const CsFollowEvent *e;
  const char *shown;
  g_autofree char *want = NULL;

  for (guint i = 0; i < n; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      g_string_append_printf (text, "P%u,%.2f,%.3f,%.3f\n", i, t, p, 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1));
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  /* P3 (line 5) of the base and the row to come on line n + 3 are set aside */
  side = cs_exclusions_side_path (path);
  g_assert_true (cs_exclusions_add (ex, 5, "P3", "gauge off", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, n + 3, "X2", "scrap", NULL, &error));
  g_assert_true (cs_exclusions_save (ex, side, NULL, &error));
  g_assert_no_error (error);
  cs_csv_options_init (&opt);
  opt.target = "strength";
  loaded = cs_csv_load_path (path, &opt, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cases = cs_case_base_exclude (loaded, ex, NULL, NULL);
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  panel = CS_FOLLOW_PANEL (cs_follow_panel_new (path, engine, FALSE));
  host = cs_ui_test_host (GTK_WIDGET (panel), 700, 600);
  cs_follow_panel_set_spec (panel, &spec);
  cs_ui_test_wait_until ((gboolean (*) (gpointer)) panel_idle, panel, WAIT_SECONDS);
  /* the side file's cases stay aside: the very snapshot the window built on the others */
  g_assert_true (cs_follow_panel_get_engine (panel) == engine);
  g_assert_cmpuint (cs_follow_panel_get_engine (panel)->cases->n, ==, n - 1);

  append (path, "X1,200.5,3.25,\nX2,190,2.5,24.1\n");
  cs_ui_test_wait_until (panel_events_reach, panel, WAIT_SECONDS);
  e = cs_follow_panel_get_events (panel)->pdata[0];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_WAITING);
  g_assert_cmpfloat (e->result->interval.level, ==, 0.8);
  g_assert_true (isfinite (e->result->p_in_spec));
  e = cs_follow_panel_get_events (panel)->pdata[1];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_EXCLUDED);
  g_assert_null (e->result);
  g_assert_cmpuint (cs_follow_panel_get_engine (panel)->cases->n, ==, n - 1);   /* X2 did not join */
  g_assert_cmpuint (cs_follow_panel_get_waiting (panel)->len, ==, 1);

  /* the waiting row's line in the list: its interval and its spec words, as the engine words them */
  list = cs_ui_test_find_type (GTK_WIDGET (panel), GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list);
  row_label = cs_ui_test_find_type (list, GTK_TYPE_LABEL);
  g_assert_nonnull (row_label);
  shown = gtk_label_get_text (GTK_LABEL (row_label));
  g_test_message ("waiting row: %s", shown);
  e = cs_follow_panel_get_events (panel)->pdata[0];
  want = cs_query_result_interval_words (e->result, "MPa");
  g_assert_nonnull (strstr (shown, want));
  g_assert_nonnull (strstr (shown, "80 % of outcomes"));
  g_free (want);
  want = cs_query_result_spec_words (e->result);
  g_assert_nonnull (want);
  g_assert_nonnull (strstr (shown, want));

  cs_follow_panel_stop (panel);
  gtk_window_destroy (host);
  cs_ui_test_iterate ();
  g_unlink (side);
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
panel_events_at_least (gpointer data)
{
  CsFollowPanel *panel = data;
  return cs_follow_panel_get_events (panel)->len >= 60 && !cs_follow_panel_is_busy (panel);
}

/* The drift alarm, live: rows appended with their outcome as before raise none; rows whose outcome runs 3 MPa
 * (about 5 noise sd) above what the past would give raise one, said in words on the page. */
static void
test_follow_panel_drift (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-follow-drift-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GString) more = g_string_new (NULL);
  g_autoptr(GRand) r = g_rand_new_with_seed (9);
  g_autoptr(CsCaseBase) cases = NULL;
  g_autoptr(CsEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 200;
  CsCsvOptions opt;
  CsFollowPanel *panel;
  GtkWindow *host;
  const char *drift;

  for (guint i = 0; i < n + 60; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      double y = 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1) + (i >= n + 30 ? 3.0 : 0.0);
      g_string_append_printf (i < n ? text : more, "P%u,%.2f,%.3f,%.3f\n", i, t, p, y);
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  cs_csv_options_init (&opt);
  opt.target = "strength";
  cases = cs_csv_load_path (path, &opt, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  panel = CS_FOLLOW_PANEL (cs_follow_panel_new (path, engine, FALSE));
  host = cs_ui_test_host (GTK_WIDGET (panel), 700, 600);
  cs_ui_test_wait_until ((gboolean (*) (gpointer)) panel_idle, panel, WAIT_SECONDS);
  g_assert_null (cs_follow_panel_get_drift (panel));

  /* 30 rows as before, then 30 shifted ones, appended in one write (one batch) */
  append (path, more->str);
  cs_ui_test_wait_until (panel_events_at_least, panel, WAIT_SECONDS);
  for (guint i = 0; i < 60; i++)
    {
      const CsFollowEvent *e = cs_follow_panel_get_events (panel)->pdata[i];

      g_assert_cmpint (e->kind, ==, CS_FOLLOW_JOINED);
      if (e->drift_alarm != 0)
        g_assert_cmpuint (e->line, >=, n + 30 + 2);   /* not before the shift */
    }
  drift = cs_follow_panel_get_drift (panel);
  g_assert_nonnull (drift);
  g_test_message ("drift: %s", drift);
  g_assert_nonnull (strstr (drift, "above the predictions"));

  cs_follow_panel_stop (panel);
  gtk_window_destroy (host);
  cs_ui_test_iterate ();
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-max-age", -1, NULL);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  gtk_window_present (GTK_WINDOW (window));
  g_test_add_func ("/cs/ui/window-follow/rows-over-time", test_follow);
  g_test_add_func ("/cs/ui/window-follow/panel-interval-exclusions", test_follow_panel_interval_exclusions);
  g_test_add_func ("/cs/ui/window-follow/panel-drift", test_follow_panel_drift);
  status = g_test_run ();
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  return status;
}
