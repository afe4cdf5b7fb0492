/* test-cli-follow.c: casescope-cli follow against a file a test appends to over time: a waiting row, a joining
 * row, a malformed row skipped with its line, a half-written line that waits, a completing row with its error,
 * a truncation that reloads, and SIGTERM ending with status 0; the exclusions side file read at the start and
 * again when it changes. */
#define G_LOG_DOMAIN "test-cli-follow"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static const char *cli_path;

static void
append (const char *path, const char *text)
{
  FILE *fp = fopen (path, "ab");

  g_assert_nonnull (fp);
  g_assert_cmpint (fputs (text, fp), >=, 0);
  g_assert_cmpint (fclose (fp), ==, 0);
}

/* The next line of a stream (blocking: the test's meson timeout bounds a follower that never answers). */
static char *
next_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static JsonObject *
next_object (GDataInputStream *in, JsonParser *parser)
{
  g_autofree char *line = next_line (in);
  g_autoptr(GError) error = NULL;

  g_test_message ("stdout: %s", line);
  /* One object per line: a pretty-printed object would fail here. */
  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Reads stderr lines until one contains want (the follower writes notices and problems there). */
static char *
stderr_until (GDataInputStream *err, const char *want)
{
  for (;;)
    {
      char *line = next_line (err);
      g_test_message ("stderr: %s", line);
      if (strstr (line, want) != NULL)
        return line;
      g_free (line);
    }
}

/* casescope-cli follow PATH --target strength --json, its output streams, once it has said it follows from
 * from_line with cases in the base. */
static GSubprocess *
start_follow (const char        *path,
              guint              from_line,
              guint              cases,
              GDataInputStream **out,
              GDataInputStream **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expect = g_strdup_printf ("following from line %u (%u cases)", from_line, cases);
  g_autofree char *notice = NULL;
  GSubprocess *proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                        cli_path, "follow", path, "--target", "strength", "--json", "--interval-ms",
                                        "50", NULL);

  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  *err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  notice = stderr_until (*err, expect);
  return proc;
}

static void
test_follow (gconstpointer data)
{
  guint32 seed = GPOINTER_TO_UINT (data);
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-follow-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GString) head = NULL;
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *expect = NULL;
  guint n = 150 + g_rand_int_range (r, 0, 100), head_rows = 40 + g_rand_int_range (r, 0, 20);
  JsonObject *o;
  double waiting_prediction, outcome;

  g_assert_nonnull (dir);
  for (guint i = 0; i < n; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      g_string_append_printf (text, "P%u,%.2f,%.3f,%.3f\n", i, t, p, 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1));
      if (i + 1 == head_rows)
        head = g_string_new (text->str);
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));

  /* Rows already in the file are the case base: nothing is printed for them. */
  proc = start_follow (path, n + 2, n, &out, &err);

  /* A row without its outcome waits. */
  append (path, "Q1,200.5,3.25,\n");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 2);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "waiting");
  g_assert_cmpstr (json_object_get_string_member (o, "label"), ==, "Q1");
  waiting_prediction = json_object_get_double_member (o, "prediction");
  /* The outcome is about 0.1 t + 2 p = 26.5 here: a prediction from the neighbours lands near it. */
  g_assert_cmpfloat (fabs (waiting_prediction - 26.55), <, 3);
  g_assert_true (json_object_has_member (o, "verdict"));
  g_assert_true (json_object_has_member (o, "flags"));
  g_assert_false (json_object_has_member (o, "outcome"));

  /* A malformed row is skipped with its line and column; the row after it joins. */
  append (path, "Q2,hot,3,30\nQ3,180,2,22.5\n");
  problem = stderr_until (err, "row left out");
  expect = (g_free (expect), g_strdup_printf ("%s:%u:2:", path, n + 3));
  g_assert_true (g_str_has_prefix (problem, expect));
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 4);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "joined");
  g_assert_cmpfloat (json_object_get_double_member (o, "outcome"), ==, 22.5);

  /* A half-written line waits for its newline, then completes Q1 with the outcome. */
  append (path, "Q1,200.5,3.");
  g_usleep (300000);
  append (path, "25,26.9\n");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 5);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "completed");
  g_assert_cmpint (json_object_get_int_member (o, "predicted_line"), ==, n + 2);
  /* The prediction judged is the very number printed when the row waited (printed and read back: the same
   * shortest round-trip text). */
  g_assert_cmpfloat (json_object_get_double_member (o, "prediction"), ==, waiting_prediction);
  outcome = json_object_get_double_member (o, "outcome");
  g_assert_cmpfloat (outcome, ==, 26.9);
  /* error = outcome - prediction, computed before printing: within one rounding of the subtraction here. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "error"), outcome - waiting_prediction, 1e-12);

  /* Truncated to its first rows (a rewrite by the logger): reloaded whole with a notice, rows after it
   * predicted with their new line numbers. */
  {
    FILE *fp = fopen (path, "r+b");
    g_assert_nonnull (fp);
    g_assert_cmpint (ftruncate (fileno (fp), (off_t) head->len), ==, 0);
    fclose (fp);
  }
  g_free (notice);
  notice = stderr_until (err, "truncated or rewritten");
  g_free (notice);
  expect = (g_free (expect), g_strdup_printf ("%u cases after reloading", head_rows));
  notice = stderr_until (err, expect);
  append (path, "Q4,210,4,\n");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, head_rows + 2);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "waiting");

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  {
    /* Nothing else was printed: one object per appended good row. */
    g_autofree char *rest = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
    g_assert_null (rest);
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* The exclusions side file: a case set aside is not in the case base at the start, an appended row on a
 * recorded line is printed as excluded (no prediction) and its outcome never completes a waiting one, and a
 * record added while following is read again and applied to the next rows. */
static void
test_follow_exclusions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-follow-excl-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autofree char *side = g_strconcat (path, ".exclusions.json", NULL);
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GRand) r = g_rand_new_with_seed (21);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  guint n = 120;
  JsonObject *o;

  for (guint i = 0; i < n; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      g_string_append_printf (text, "P%u,%.2f,%.3f,%.3f\n", i, t, p, 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1));
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  /* case P3 (line 5) and the row to be appended on line n + 3 (label X2) are set aside */
  json = g_strdup_printf ("{\"format\": \"casescope-exclusions\", \"version\": 1, \"exclusions\": ["
                          "{\"line\": 5, \"label\": \"P3\", \"reason\": \"gauge off\"},"
                          "{\"line\": %u, \"label\": \"X2\", \"reason\": \"scrap\"}]}", n + 3);
  g_assert_true (g_file_set_contents (side, json, -1, NULL));

  /* one case set aside: n - 1 in the base */
  proc = start_follow (path, n + 2, n - 1, &out, &err);

  append (path, "X1,200.5,3.25,\nX2,190,2.5,24.1\n");
  o = next_object (out, parser);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "waiting");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 3);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "excluded");
  g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "scrap");
  g_assert_false (json_object_has_member (o, "prediction"));
  g_assert_false (json_object_has_member (o, "error"));

  /* X1 is set aside while it waits; its outcome then arrives on a later line: that line is not recorded, so it
   * joins as a new case instead of completing the prediction made for the excluded row */
  g_free (json);
  json = g_strdup_printf ("{\"format\": \"casescope-exclusions\", \"version\": 1, \"exclusions\": ["
                          "{\"line\": 5, \"label\": \"P3\", \"reason\": \"gauge off\"},"
                          "{\"line\": %u, \"label\": \"X1\", \"reason\": \"wrong part\"},"
                          "{\"line\": %u, \"label\": \"X2\", \"reason\": \"scrap\"},"
                          "{\"line\": %u, \"label\": \"X3\", \"reason\": \"test piece\"}]}", n + 2, n + 3, n + 5);
  g_assert_true (g_file_set_contents (side, json, -1, NULL));
  g_usleep (200000);
  append (path, "X1,200.5,3.25,26.7\nX3,205,3,27\n");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 4);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "joined");
  o = next_object (out, parser);
  g_assert_cmpint (json_object_get_int_member (o, "line"), ==, n + 5);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "excluded");
  g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "test piece");

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_unlink (side);
  g_unlink (path);
  g_rmdir (dir);
}

/* The drift alarm on the command line: 30 rows appended with their outcome as before carry "drift" and no alarm;
 * of 30 more whose outcome runs 3 MPa (about 5 noise sd) above, one carries "alarm" with its row, statistic and
 * direction "above". */
static void
test_follow_drift (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-follow-drift-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "line.csv", NULL);
  g_autoptr(GString) text = g_string_new ("part,temp [degC],pressure [bar],strength [MPa]\n");
  g_autoptr(GString) more = g_string_new (NULL);
  g_autoptr(GRand) r = g_rand_new_with_seed (9);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint n = 200, first_alarm = 0;

  for (guint i = 0; i < n + 60; i++)
    {
      double t = g_rand_double_range (r, 150, 250), p = g_rand_double_range (r, 1, 6);
      double y = 0.1 * t + 2 * p + g_rand_double_range (r, -1, 1) + (i >= n + 30 ? 3.0 : 0.0);
      g_string_append_printf (i < n ? text : more, "P%u,%.2f,%.3f,%.3f\n", i, t, p, y);
    }
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  proc = start_follow (path, n + 2, n, &out, &err);

  append (path, more->str);
  for (guint i = 0; i < 60; i++)
    {
      JsonObject *o = next_object (out, parser), *a;
      guint line = (guint) json_object_get_int_member (o, "line");

      g_assert_cmpuint (line, ==, n + 2 + i);
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "joined");
      g_assert_true (json_object_has_member (o, "drift"));
      if (!json_object_has_member (o, "alarm"))
        continue;
      a = json_object_get_object_member (o, "alarm");
      g_assert_cmpuint (line, >=, n + 30 + 2);   /* not before the shift */
      g_assert_cmpint (json_object_get_int_member (a, "row"), ==, line);
      g_assert_cmpfloat (json_object_get_double_member (a, "statistic"), >, 10);
      g_assert_cmpstr (json_object_get_string_member (a, "direction"), ==, "above");
      if (first_alarm == 0)
        first_alarm = line;
    }
  g_test_message ("first alarm at line %u (the shift from line %u)", first_alarm, n + 32);
  g_assert_cmpuint (first_alarm, >, 0);

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s CASESCOPE-CLI\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  g_test_add_data_func ("/cs/cli/follow/seed-3", GUINT_TO_POINTER (3), test_follow);
  g_test_add_data_func ("/cs/cli/follow/seed-8", GUINT_TO_POINTER (8), test_follow);
  g_test_add_func ("/cs/cli/follow/exclusions", test_follow_exclusions);
  g_test_add_func ("/cs/cli/follow/drift", test_follow_drift);
  return g_test_run ();
}
