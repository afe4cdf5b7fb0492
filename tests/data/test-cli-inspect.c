/* test-cli-inspect.c: casescope-cli inspect prints the report as JSON, problems on stderr, exit codes. */
#define G_LOG_DOMAIN "test-cli-inspect"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <json-glib/json-glib.h>

static const char *cli;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run (Run        *r,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) cli);
  g_ptr_array_add (argv, (gpointer) "inspect");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
}

static char *
corpus (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "csv", name, NULL);
}

static JsonObject *
parse_json (const char *text,
            JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_json (void)
{
  g_autofree char *path = corpus ("na-tokens.csv");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) r = { 0 };
  JsonObject *o;
  JsonArray *cols, *probs;

  run (&r, path, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  o = parse_json (r.out, parser);
  g_assert_cmpstr (json_object_get_string_member (o, "delimiter"), ==, ",");
  g_assert_cmpstr (json_object_get_string_member (o, "decimal"), ==, ".");
  g_assert_true (json_object_get_boolean_member (o, "header"));
  g_assert_cmpstr (json_object_get_string_member (o, "encoding"), ==, "UTF-8");
  g_assert_cmpint (json_object_get_int_member (o, "rows_read"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (o, "rows_used"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "rows_skipped"), ==, 7);
  cols = json_object_get_array_member (o, "columns");
  g_assert_cmpuint (json_array_get_length (cols), ==, 3);
  {
    JsonObject *x = json_array_get_object_element (cols, 0);
    JsonObject *y = json_array_get_object_element (cols, 2);
    g_assert_cmpstr (json_object_get_string_member (x, "name"), ==, "x");
    g_assert_cmpstr (json_object_get_string_member (x, "role"), ==, "feature");
    g_assert_cmpint (json_object_get_int_member (x, "missing"), ==, 7);
    /* Used rows: x = 1, 9, 10. */
    g_assert_cmpfloat (json_object_get_double_member (x, "mean"), ==, 20.0 / 3.0);
    g_assert_cmpfloat (json_object_get_double_member (x, "min"), ==, 1);
    g_assert_cmpfloat (json_object_get_double_member (x, "max"), ==, 10);
    g_assert_true (json_object_has_member (x, "sd"));
    g_assert_cmpstr (json_object_get_string_member (y, "role"), ==, "target");
  }
  probs = json_object_get_array_member (o, "problems");
  g_assert_cmpuint (json_array_get_length (probs), ==, 7);
  {
    JsonObject *p = json_array_get_object_element (probs, 0);
    g_assert_cmpint (json_object_get_int_member (p, "line"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (p, "column"), ==, 1);
    g_assert_nonnull (json_object_get_string_member (p, "message"));
  }
  /* The same problems on stderr, one per line, FILE:LINE:COLUMN: message. */
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (r.err), "\n", -1);
    g_autofree char *first = g_strdup_printf ("%s:3:1: ", path);
    g_assert_cmpuint (g_strv_length (lines), ==, 7);
    g_assert_true (g_str_has_prefix (lines[0], first));
  }
}

static void
test_human (void)
{
  g_autofree char *path = corpus ("excel-bom-semicolon.csv");
  g_auto(Run) r = { 0 };

  run (&r, path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "semicolon"));
  g_assert_nonnull (strstr (r.out, "comma (,)"));
  g_assert_nonnull (strstr (r.out, "with BOM"));
  g_assert_nonnull (strstr (r.out, "Festigkeit [MPa]"));
  g_assert_cmpstr (r.err, ==, "");
}

static void
test_exit_codes (void)
{
  g_autofree char *strict = corpus ("strict-missing.csv");
  g_autofree char *one_row = corpus ("one-row.csv");
  g_autofree char *semi = corpus ("semicolon-decimal-comma.csv");
  g_autofree char *basic = corpus ("basic.csv");

  {
    g_auto(Run) r = { 0 };
    g_autofree char *where = g_strdup_printf ("%s:4:1: ", strict);
    run (&r, strict, "--strict", NULL);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_true (g_str_has_prefix (r.err, where));
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, strict, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Run) r = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    run (&r, one_row, "--json", NULL);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_false (json_object_get_boolean_member (parse_json (r.out, parser), "ok"));
  }
  {
    /* Overrides: forcing ',' on a ';' file leaves nothing numeric. */
    g_auto(Run) r = { 0 };
    run (&r, semi, "--delimiter", ",", NULL);
    g_assert_cmpint (r.status, ==, 3);
  }
  {
    g_auto(Run) r = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o;
    run (&r, basic, "--target", "a", "--delimiter", ",", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    o = parse_json (r.out, parser);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                       json_object_get_array_member (o, "columns"), 0), "role"), ==, "target");
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, basic, "--target", "nope", NULL);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_nonnull (strstr (r.err, "nope"));
  }
  {
    /* --no-header: the names become data ("a" is text: the row is left out, column 1). */
    g_auto(Run) r = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *o;
    run (&r, basic, "--no-header", "--na", "NA,8", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    o = parse_json (r.out, parser);
    g_assert_false (json_object_get_boolean_member (o, "header"));
    g_assert_cmpint (json_object_get_int_member (o, "rows_read"), ==, 4);
    /* The header row (text) and "7,8,9" (8 is missing) are left out. */
    g_assert_cmpint (json_object_get_int_member (o, "rows_used"), ==, 2);
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, basic, "--header", "--no-header", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, basic, "--delimiter", "x", NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Run) r = { 0 };
    run (&r, "/nonexistent/file.csv", NULL);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_cmpstr (r.out, ==, "");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The path of casescope-cli is the first argument (meson passes it). */
  if (argc < 2)
    {
      g_printerr ("usage: test-cli-inspect PATH-TO-casescope-cli\n");
      return 1;
    }
  cli = argv[1];
  g_test_add_func ("/cs/data/cli-inspect/json", test_json);
  g_test_add_func ("/cs/data/cli-inspect/human", test_human);
  g_test_add_func ("/cs/data/cli-inspect/exit-codes", test_exit_codes);
  return g_test_run ();
}
