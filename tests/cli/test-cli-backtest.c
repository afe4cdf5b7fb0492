/* test-cli-backtest.c: casescope-cli backtest --json on generated bases in time order (tests/model/drift-gen.h),
 * written with ISO 8601 date-times in a shuffled row order: the alarm after the shift names the file line of a
 * case within 100 hours (rows) of the shift; a stationary base raises at most one alarm; the order column is
 * not a feature. */
#define G_LOG_DOMAIN "test-cli-backtest"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "drift-gen.h"

static char *cli_path;

static JsonObject *
backtest (JsonParser *p,
          const char *csv,
          const char *extra)
{
  g_autofree char *cmd = g_strdup_printf ("'%s' backtest '%s' --target y --order when --json %s", cli_path, csv,
                                          extra != NULL ? extra : "");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (cmd, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (p, out, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (p));
}

/* The hour index of an ISO date-time written by drift_csv (hours since 2026-01-01T00:00:00Z). */
static gint64
hour_of (const char *iso)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (iso, utc);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);

  g_assert_nonnull (at);
  return g_date_time_difference (at, start) / G_TIME_SPAN_HOUR;
}

static void
test_backtest (gconstpointer data)
{
  guint64 seed = GPOINTER_TO_SIZE (data);
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-backtest-XXXXXX", NULL);
  g_autofree char *shifted = g_build_filename (dir, "shift.csv", NULL);
  g_autofree char *flat = g_build_filename (dir, "flat.csv", NULL);
  g_autoptr(CsCaseBase) a = drift_generate (seed, 3000, 1500, 2.0);
  g_autoptr(CsCaseBase) b = drift_generate (seed + 100, 3000, 0, 0);
  g_autofree char *ta = drift_csv (a, TRUE, seed), *tb = drift_csv (b, TRUE, seed);
  g_autoptr(JsonParser) p = json_parser_new ();
  JsonObject *o;
  JsonArray *alarms, *cases, *feats;
  gint64 first = -1;

  g_assert_true (g_file_set_contents (shifted, ta, -1, NULL));
  g_assert_true (g_file_set_contents (flat, tb, -1, NULL));

  o = backtest (p, shifted, NULL);
  g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 3000);
  feats = json_object_get_array_member (o, "features");
  g_assert_cmpuint (json_array_get_length (feats), ==, 3);   /* x1, x2, x3: not the order column */
  cases = json_object_get_array_member (o, "cases");
  g_assert_cmpuint (json_array_get_length (cases), ==, 3000);
  /* in time order, whatever the file's order */
  for (guint t = 0; t < 3000; t += 499)
    g_assert_cmpint (hour_of (json_object_get_string_member (json_array_get_object_element (cases, t), "order")), ==,
                     t);
  alarms = json_object_get_array_member (o, "alarms");
  for (guint i = 0; i < json_array_get_length (alarms); i++)
    {
      JsonObject *al = json_array_get_object_element (alarms, i);
      gint64 line = json_object_get_int_member (al, "row"), hour;
      g_autofree char *file_line = NULL;
      g_auto(GStrv) lines = g_strsplit (ta, "\n", -1);
      g_auto(GStrv) fields = NULL;

      g_assert_cmpfloat (json_object_get_double_member (al, "statistic"), >, 10);
      /* row is the file line: its date-time says when the alarm fired */
      fields = g_strsplit (lines[line - 1], ",", 2);
      hour = hour_of (fields[0]);
      g_assert_cmpstr (json_object_get_string_member (al, "order"), ==, fields[0]);
      if (hour >= 1500 && first < 0)
        first = hour;
      g_assert_true (hour >= 1500 || i == 0);   /* at most one alarm before the shift */
    }
  g_test_message ("seed %" G_GUINT64_FORMAT ": first alarm after the shift at hour %" G_GINT64_FORMAT, seed, first);
  g_assert_cmpint (first, >=, 1500);
  g_assert_cmpint (first, <, 1600);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "drift_rule"), "kind"), ==,
                   "cusum");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (o, "drift_rule"),
                                                    "false_alarm_rows"), >, 3000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "error_over_time")), ==, 27);

  /* inspect names the date-time column's type */
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_autofree char *cmd = g_strdup_printf ("'%s' inspect '%s' --json", cli_path, shifted);
    g_autofree char *out = NULL;
    JsonArray *cols;

    g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL));
    g_assert_true (json_parser_load_from_data (p2, out, -1, NULL));
    cols = json_object_get_array_member (json_node_get_object (json_parser_get_root (p2)), "columns");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cols, 0), "type"), ==,
                     "datetime");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (cols, 1), "type"), ==, "number");
  }

  /* without --order, the importer's date-time column is the order: the same result */
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_autofree char *cmd = g_strdup_printf ("'%s' backtest '%s' --target y --json", cli_path, shifted);
    g_autofree char *out = NULL;
    int status;
    JsonObject *o2;

    g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_true (json_parser_load_from_data (p2, out, -1, NULL));
    o2 = json_node_get_object (json_parser_get_root (p2));
    g_assert_cmpstr (json_object_get_string_member (o2, "order"), ==, "when");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o2, "alarms")), ==,
                      json_array_get_length (alarms));
  }

  o = backtest (p, flat, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "alarms")), <=, 1);
  g_assert_cmpfloat (json_object_get_double_member (o, "coverage90"), >, 0.8);

  /* an order column the file does not have is a usage error */
  {
    g_autofree char *cmd = g_strdup_printf ("'%s' backtest '%s' --target y --order nothere --json", cli_path, flat);
    int status;
    g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  }
  g_unlink (shifted);
  g_unlink (flat);
  g_rmdir (dir);
}

/* export --chart backtest draws the backtest of the file: the PDF's title counts the alarms `backtest --json`
 * reports, its time axis names the order column; the order column is refused for other charts. */
static void
test_export_backtest (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-backtest-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "shift.csv", NULL);
  g_autofree char *pdf = g_build_filename (dir, "backtest.pdf", NULL);
  g_autoptr(CsCaseBase) a = drift_generate (77, 1500, 1000, 2.0);
  g_autofree char *text = drift_csv (a, TRUE, 77);
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(JsonParser) q = json_parser_new ();
  g_autofree char *cmd = NULL, *out = NULL, *err = NULL, *pdftext = NULL, *want = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o, *e;
  guint n_alarms;
  int status;

  g_assert_true (g_file_set_contents (csv, text, -1, NULL));
  o = backtest (p, csv, NULL);
  n_alarms = json_array_get_length (json_object_get_array_member (o, "alarms"));
  g_assert_cmpuint (n_alarms, >=, 1);

  cmd = g_strdup_printf ("'%s' export '%s' --target y --chart backtest --order-column when --out '%s' --json",
                         cli_path, csv, pdf);
  g_assert_true (g_spawn_command_line_sync (cmd, &out, &err, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (q, out, -1, &error));
  e = json_node_get_object (json_parser_get_root (q));
  g_assert_cmpstr (json_object_get_string_member (e, "format"), ==, "pdf");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (e, "charts"), 0), ==, "backtest");

  g_clear_pointer (&cmd, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  cmd = g_strdup_printf ("pdftotext '%s' -", pdf);
  g_assert_true (g_spawn_command_line_sync (cmd, &pdftext, &err, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  want = g_strdup_printf ("Forward error over time: %u drift alarm%s", n_alarms, n_alarms == 1 ? "" : "s");
  g_test_message ("looking for '%s'", want);
  g_assert_nonnull (strstr (pdftext, want));
  g_assert_nonnull (strstr (pdftext, "case in order of when"));

  /* the order column belongs to the backtest chart only */
  g_clear_pointer (&cmd, g_free);
  cmd = g_strdup_printf ("'%s' export '%s' --target y --chart window --order-column when --out '%s'", cli_path, csv,
                         pdf);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_unlink (pdf);
  g_unlink (csv);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >, 1);
  cli_path = argv[1];
  for (guint64 seed = 41; seed <= 43; seed++)
    {
      g_autofree char *path = g_strdup_printf ("/cs/cli/backtest/seed-%" G_GUINT64_FORMAT, seed);
      g_test_add_data_func (path, GSIZE_TO_POINTER (seed), test_backtest);
    }
  g_test_add_func ("/cs/cli/backtest/export-chart", test_export_backtest);
  return g_test_run ();
}
