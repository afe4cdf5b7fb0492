/* test-cli-report.c: casescope-cli report end to end: the PDF read back with pdfinfo and pdftotext, its numbers
 * against casescope-cli predict, reproducible bytes, and clean failures (no file left) on bad input. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define QUERY "temperature=220,pressure=90,speed=20,humidity=50"

static const char *cli_path;

static int
run (const char *const *args,
     char             **out,
     char             **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error))
    g_error ("cannot run %s: %s", cli_path, error->message);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static char *
sample (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "samples", name, NULL);
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  if (d != NULL)
    g_dir_close (d);
  return n;
}

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static void
test_pdf (void)
{
  g_autofree char *csv = sample ("press-line.csv");
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-report-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "report.pdf", NULL);
  g_autofree char *again = g_build_filename (dir, "again.pdf", NULL);
  g_autofree char *o = NULL, *e = NULL, *po = NULL, *pe = NULL, *info = NULL, *csv_bytes = NULL;
  g_autofree char *a = NULL, *b = NULL, *hash = NULL, *pred_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) pparser = json_parser_new ();
  const char *args[] = { "report", csv, "--target", "strength", "--query", QUERY, "--spec-lower", "250",
                         "--spec-upper", "320", "--out", pdf, "--json", NULL };
  const char *again_args[] = { "report", csv, "--target", "strength", "--query", QUERY, "--spec-lower", "250",
                               "--spec-upper", "320", "--out", again, NULL };
  const char *predict[] = { "predict", csv, "--target", "strength", "--query", QUERY, "--json", NULL };
  const char *info_argv[] = { "pdfinfo", pdf, NULL };
  JsonObject *obj, *pobj;
  const char *verdict;
  gsize csv_len = 0, la = 0, lb = 0;
  gint64 pages;
  double prediction;

  g_test_summary ("report writes a PDF of at least 3 pages with the outcome's name, the prediction as predict "
                  "gives it, the verdict word, the spec limits and the provenance footer on every page; the same "
                  "bytes twice with SOURCE_DATE_EPOCH");
  g_assert_cmpint (run (args, &o, &e), ==, 0);
  obj = parse_object (o, parser);
  g_assert_cmpstr (json_object_get_string_member (obj, "path"), ==, pdf);
  g_assert_cmpstr (json_object_get_string_member (obj, "target"), ==, "strength");
  verdict = json_object_get_string_member (obj, "verdict");
  g_assert_true (g_str_equal (verdict, "ok") || g_str_equal (verdict, "check") || g_str_equal (verdict, "stop"));
  prediction = json_object_get_double_member (obj, "prediction");

  /* The same query through predict: the report's number is the engine's (the same fit is deterministic; a
   * tolerance of 1e-9 relative covers the last bits of a threaded sum on another CPU). */
  g_assert_cmpint (run (predict, &po, &pe), ==, 0);
  pobj = parse_object (po, pparser);
  g_assert_cmpfloat (fabs (json_object_get_double_member (pobj, "prediction") - prediction), <=,
                     1e-9 * fabs (prediction));
  g_assert_cmpstr (json_object_get_string_member (pobj, "verdict"), ==, verdict);

  info = tool (info_argv);
  {
    const char *p = strstr (info, "Pages:");
    g_assert_nonnull (p);
    pages = g_ascii_strtoll (p + 6, NULL, 10);
  }
  /* 2 pages of text and table, 3 charts of the query, 2 of the case base. */
  g_assert_cmpint (pages, >=, 7);
  g_assert_nonnull (strstr (info, "Casescope report: strength"));

  g_assert_true (g_file_get_contents (csv, &csv_bytes, &csv_len, NULL));
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) csv_bytes, csv_len);
  hash[12] = '\0';
  pred_text = g_strdup_printf ("%.4g MPa", prediction);
  for (gint64 k = 1; k <= pages; k++)
    {
      g_autofree char *ks = g_strdup_printf ("%" G_GINT64_FORMAT, k);
      const char *text_argv[] = { "pdftotext", "-f", ks, "-l", ks, pdf, "-", NULL };
      g_autofree char *text = tool (text_argv);

      /* the footer on every page: the file's hash, the version and the pinned date */
      g_assert_nonnull (strstr (text, hash));
      g_assert_nonnull (strstr (text, "Casescope " PACKAGE_VERSION));
      g_assert_nonnull (strstr (text, "2025-12-06 21:14 UTC"));
      g_assert_nonnull (strstr (text, "fitted by leave-one-out"));
      if (k == 1)
        {
          g_autofree char *verdict_line = g_strdup_printf ("fail-safe verdict: %s", verdict);

          g_assert_nonnull (strstr (text, "strength"));
          g_assert_nonnull (strstr (text, pred_text));
          g_assert_nonnull (strstr (text, verdict_line));
          g_assert_nonnull (strstr (text, "250 MPa to 320 MPa"));
          g_assert_nonnull (strstr (text, "interval"));
          g_assert_nonnull (strstr (text, "n_eff"));
          g_assert_nonnull (strstr (text, "half-width temperature"));
        }
      else if (k == 2)
        {
          /* the table: the heaviest case's id and the sum the prediction is */
          g_assert_nonnull (strstr (text, "The cases used"));
          g_assert_nonnull (strstr (text, "PL-"));
          g_assert_nonnull (strstr (text, "cumulative"));
        }
    }

  /* Pinned date, same bytes (cairo's creation date follows SOURCE_DATE_EPOCH too). */
  g_assert_cmpint (run (again_args, NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (pdf, &a, &la, NULL));
  g_assert_true (g_file_get_contents (again, &b, &lb, NULL));
  g_assert_cmpuint (la, ==, lb);
  g_assert_true (memcmp (a, b, la) == 0);
  g_assert_cmpuint (count_entries (dir), ==, 2);   /* no temporary file left */
  rm_rf (dir);
}

static void
test_long_table (void)
{
  g_autofree char *csv = sample ("circle.csv");
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-report-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "long.pdf", NULL);
  g_autofree char *info = NULL, *last = NULL;
  const char *args[] = { "report", csv, "--target", "y", "--query", "x1=0.5,x2=0.8", "--cases", "400", "--out",
                         pdf, NULL };
  const char *info_argv[] = { "pdfinfo", pdf, NULL };
  gint64 pages;

  g_test_summary ("A table longer than a page runs on to further pages, every row printed once");
  g_assert_cmpint (run (args, NULL, NULL), ==, 0);
  info = tool (info_argv);
  pages = g_ascii_strtoll (strstr (info, "Pages:") + 6, NULL, 10);
  /* page 1 text, the 400 rows over several pages, then the 5 charts */
  g_assert_cmpint (pages, >, 8);
  for (gint64 k = 2; k <= pages - 5; k++)
    {
      g_autofree char *ks = g_strdup_printf ("%" G_GINT64_FORMAT, k);
      const char *text_argv[] = { "pdftotext", "-f", ks, "-l", ks, pdf, "-", NULL };
      g_autofree char *text = tool (text_argv);

      g_assert_nonnull (strstr (text, "The cases used: the 400 heaviest of 400"));
      g_assert_true (k == 2 || strstr (text, "(continued)") != NULL);
      if (k == pages - 5)
        last = g_steal_pointer (&text);
    }
  /* the last row and the note after it, on the last table page */
  g_assert_nonnull (strstr (last, "400\n"));
  g_assert_nonnull (strstr (last, "carry 100.0 %"));
  rm_rf (dir);
}

static void
test_bad_input (void)
{
  g_autofree char *csv = sample ("circle.csv");
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-report-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "r.pdf", NULL);
  const char *queries[] = {
    "x1=,x2=",                /* no feature has a value (one left empty is predicted from the others) */
    "x1=0.5,x2=0.1,x3=2",     /* no such feature */
    "x1=abc,x2=0.1",          /* not a number */
    "x1=0.5,x2=inf",          /* not finite */
    "x1=0.5;x2=0.1",
  };
  const char *usage[][4] = {
    { "--spec-lower", "2", "--spec-upper", "1" },
    { "--spec-lower", "nan", NULL, NULL },
    { "--spec-upper", "high", NULL, NULL },
    { "--cases", "0", NULL, NULL },
  };

  g_test_summary ("A bad query or bad options: exit status 2, a message naming the problem, no file written");
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      const char *args[] = { "report", csv, "--target", "y", "--query", queries[i], "--out", out, NULL };
      g_autofree char *o = NULL, *e = NULL;

      g_assert_cmpint (run (args, &o, &e), ==, 2);
      g_assert_nonnull (strstr (e, "--query"));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      const char *args[] = { "report", csv, "--target", "y", "--query", "x1=0.5,x2=0.1", "--out", out,
                             usage[i][0], usage[i][1], usage[i][2], usage[i][3], NULL };
      g_autofree char *o = NULL, *e = NULL;

      g_assert_cmpint (run (args, &o, &e), ==, 2);
      g_assert_nonnull (strstr (e, usage[i][0]));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  {
    const char *args[] = { "report", csv, "--target", "y", "--out", out, NULL };
    g_autofree char *o = NULL, *e = NULL;

    g_assert_cmpint (run (args, &o, &e), ==, 2);   /* --query is required */
  }
  g_assert_cmpuint (count_entries (dir), ==, 0);
  rm_rf (dir);
}

static void
test_unwritable (void)
{
  g_autofree char *csv = sample ("circle.csv");
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-report-XXXXXX", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.txt", NULL);
  g_autofree char *under_file = g_build_filename (plain, "r.pdf", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "r.pdf", NULL);
  g_autofree char *before = NULL, *after = NULL;
  const char *targets[] = { under_file, missing, dir, csv };

  g_test_summary ("An output that cannot be written (under a file, in a missing folder, a folder, the input "
                  "itself): exit status 4, the message names it, nothing is left behind and the input is intact");
  g_assert_true (g_file_set_contents (plain, "x", 1, NULL));
  g_assert_true (g_file_get_contents (csv, &before, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      const char *args[] = { "report", csv, "--target", "y", "--query", "x1=0.5,x2=0.1", "--out", targets[i],
                             NULL };
      g_autofree char *o = NULL, *e = NULL;

      g_assert_cmpint (run (args, &o, &e), ==, 4);
      g_assert_nonnull (strstr (e, targets[i]));
    }
  g_assert_cmpuint (count_entries (dir), ==, 1);   /* plain.txt only: no temporary file */
  g_assert_true (g_file_get_contents (csv, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
  rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >, 1);
  cli_path = argv[1];
  /* The footer's date and the PDF's creation date, here and in the children. */
  g_setenv ("SOURCE_DATE_EPOCH", "1765055640", TRUE);
  g_test_add_func ("/cs/cli/report/pdf", test_pdf);
  g_test_add_func ("/cs/cli/report/long-table", test_long_table);
  g_test_add_func ("/cs/cli/report/bad-input", test_bad_input);
  g_test_add_func ("/cs/cli/report/unwritable", test_unwritable);
  return g_test_run ();
}
