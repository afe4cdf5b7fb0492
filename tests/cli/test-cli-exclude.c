/* test-cli-exclude.c: casescope-cli exclude and --exclude, spawned: cases set aside through the side file are
 * left out of fit, predict and diagnose, listed in their JSON, taken back, and the case base is never written. */
#define G_LOG_DOMAIN "test-cli-exclude"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cs-cli-test.h"

#define TARGET "strength [MPa]"

/* The lines of the top cases of a predict --json object. */
static gboolean
top_has_line (JsonObject *o,
              gint64      line)
{
  JsonArray *top = json_object_get_array_member (o, "top");

  for (guint i = 0; i < json_array_get_length (top); i++)
    if (json_object_get_int_member (json_array_get_object_element (top, i), "row") == line)
      return TRUE;
  return FALSE;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-excl-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "base.csv", NULL);
  g_autofree char *side = g_strconcat (csv, ".exclusions.json", NULL);
  g_autofree char *other = g_build_filename (dir, "other.json", NULL);
  g_autofree char *before = NULL, *after = NULL;
  gsize len_before, len_after;

  for (guint seed = 3; seed <= 4; seed++)
    {
      g_autofree char *seed_text = g_strdup_printf ("%u", seed);
      g_autofree char *out = NULL, *query = NULL;
      g_autoptr(JsonParser) p = json_parser_new ();
      JsonObject *o, *ex;
      g_auto(GStrv) fields = NULL;
      g_autofree char *line_text = NULL;
      g_autofree char *content = NULL;
      g_auto(GStrv) lines = NULL;
      guint pick = 10 + 7 * seed;   /* a data line (line 1 is the header) */

      g_assert_cmpint (cs_cli_test_run (NULL, "generate", "--sample", "press-line", "--n", "250", "--seed",
                                        seed_text, "-o", csv,
                                        NULL), ==, 0);
      g_assert_true (g_file_get_contents (csv, &before, &len_before, NULL));
      /* A query exactly at the picked case: without exclusions it is among the cases used. */
      lines = g_strsplit (before, "\n", -1);
      fields = g_strsplit (lines[pick - 1], ",", -1);
      query = g_strdup_printf ("temperature=%s,pressure=%s,speed=%s,humidity=%s", fields[1], fields[2], fields[3],
                               fields[4]);
      g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", TARGET, "--query", query, "--json", NULL),
                                        ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_true (top_has_line (o, pick));
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "excluded"), "count"), ==, 0);
      g_clear_pointer (&out, g_free);

      line_text = g_strdup_printf ("%u", pick);
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--set", line_text, "--reason",
                                        "gauge out of calibration",
                                        NULL), ==, 0);
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--set", "40", "--reason",
                                        "operator note: sample lost", NULL),
                       ==, 0);
      /* no reason, no exclusion; the header is no case */
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--set", "41", NULL), ==, 2);
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--set", "1", "--reason", "header", NULL), ==, 3);

      g_assert_cmpint (cs_cli_test_run (&out, "fit", csv, "--target", TARGET, "--json", NULL), ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 248);
      ex = json_object_get_object_member (o, "excluded");
      g_assert_cmpint (json_object_get_int_member (ex, "count"), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                         json_object_get_array_member (ex, "cases"), 0), "reason"), ==, "gauge out of calibration");
      g_clear_pointer (&out, g_free);

      g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", TARGET, "--query", query, "--json", NULL),
                                        ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_false (top_has_line (o, pick));
      g_assert_cmpint (json_object_get_int_member (o, "cases"), ==, 248);
      g_clear_pointer (&out, g_free);

      g_assert_cmpint (cs_cli_test_run (&out, "diagnose", csv, "--target", TARGET, "--json", NULL), ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "excluded"), "count"), ==, 2);
      g_clear_pointer (&out, g_free);

      /* --exclude names another record instead of the side file */
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--file", other, "--set", "50", "--reason", "r", NULL),
                                        ==, 0);
      g_assert_cmpint (cs_cli_test_run (&out, "fit", csv, "--target", TARGET, "--exclude", other, "--json", NULL),
                                        ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 249);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (cs_cli_test_run (NULL, "fit", csv, "--target", TARGET, "--exclude", "no-such.json", NULL), ==,
                                        3);

      /* the way back */
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--restore", line_text, NULL), ==, 0);
      g_assert_cmpint (cs_cli_test_run (NULL, "exclude", csv, "--restore", line_text, NULL), ==, 3);
      g_assert_cmpint (cs_cli_test_run (&out, "predict", csv, "--target", TARGET, "--query", query, "--json", NULL),
                                        ==, 0);
      o = cs_cli_test_parse (p, out);
      g_assert_true (top_has_line (o, pick));
      g_assert_cmpint (json_object_get_int_member (o, "cases"), ==, 249);
      g_clear_pointer (&out, g_free);

      /* a side file that is not one is bad input, named */
      g_assert_true (g_file_set_contents (side, "{\"format\": \"casescope-exclusions\", \"exclusions\": 3}", -1, NULL));
      g_assert_cmpint (cs_cli_test_run (NULL, "fit", csv, "--target", TARGET, NULL), ==, 3);

      g_assert_true (g_file_get_contents (csv, &after, &len_after, NULL));
      g_assert_cmpmem (before, len_before, after, len_after);
      g_clear_pointer (&before, g_free);
      g_clear_pointer (&after, g_free);
      g_unlink (side);
      g_unlink (other);
    }
  g_unlink (csv);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-casescope-cli\n", argv[0]);
      return 2;
    }
  cs_cli_test_set_path (argv[1]);
  g_test_add_func ("/cs/cli/exclude/round-trip", test_round_trip);
  return g_test_run ();
}
