/* test-flags-cli.c: the fail-safe flags through casescope-cli predict / diagnose --json (unit suite). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

static const char *cli_path;
static char *sample_path;

/* Run the CLI; returns its exit status, stdout in *out (owned). */
static int
run_cli (char **out,
         ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list ap;
  const char *a;

  g_ptr_array_add (argv, (gpointer) cli_path);
  va_start (ap, out);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  if (!g_spawn_check_wait_status (status, NULL))
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return 0;
}

/* predict --json over a query file (one row per query); the parsed "predictions". */
static JsonArray *
predict_json (JsonParser        *parser,
              const char *const *rows,
              gsize              n_rows,
              const char        *extra1,
              const char        *extra2)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-flags-cli-XXXXXX", &error);
  g_autofree char *path = NULL;
  GString *csv = g_string_new ("temperature,pressure,speed,humidity\n");
  JsonArray *preds;
  int rc;

  g_assert_no_error (error);
  for (gsize i = 0; i < n_rows; i++)
    g_string_append_printf (csv, "%s\n", rows[i]);
  path = g_build_filename (dir, "queries.csv", NULL);
  g_assert_true (g_file_set_contents (path, csv->str, -1, &error));
  g_string_free (csv, TRUE);
  rc = run_cli (&out, "predict", sample_path, "--target", "strength", "--queries", path, "--json",
                extra1, extra2, NULL);
  g_unlink (path);
  g_rmdir (dir);
  g_assert_cmpint (rc, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  preds = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "predictions");
  g_assert_cmpuint (json_array_get_length (preds), ==, n_rows);
  return preds;
}

/* The flag of the given kind in a prediction object, or NULL; checks every flag's fields. */
static JsonObject *
find_flag (JsonObject *pred,
           const char *kind)
{
  JsonArray *flags = json_object_get_array_member (pred, "flags");
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (flags); i++)
    {
      JsonObject *f = json_array_get_object_element (flags, i);
      const char *sev = json_object_get_string_member (f, "severity");

      g_assert_true (g_strcmp0 (sev, "check") == 0 || g_strcmp0 (sev, "stop") == 0);
      g_assert_true (json_object_has_member (f, "value"));
      g_assert_true (json_object_has_member (f, "threshold"));
      g_assert_cmpuint (strlen (json_object_get_string_member (f, "message")), >, 20);
      if (g_strcmp0 (json_object_get_string_member (f, "kind"), kind) == 0)
        found = f;
    }
  return found;
}

static void
test_predict_flags (void)
{
  static const char *const rows[] = {
    "212,100,15,50", "191,108,15,50", "228,80,15,50", "200,55,15,50", "250,80,15,50",
  };
  static const struct
  {
    const char *kind;       /* NULL: verdict ok */
    const char *unit;       /* in the message */
  } expect[] = {
    { NULL, NULL }, { "high_noise", "MPa" }, { "high_variation", "MPa" }, { "low_support", "degC" },
    { "out_of_range", "degC" },
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *preds = predict_json (parser, rows, G_N_ELEMENTS (rows), NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      JsonObject *pred = json_array_get_object_element (preds, i);
      const char *verdict = json_object_get_string_member (pred, "verdict");
      JsonObject *f;

      /* Every prediction here can be computed: a number, whatever the verdict. */
      g_assert_true (isfinite (json_object_get_double_member (pred, "prediction")));
      if (expect[i].kind == NULL)
        {
          g_assert_cmpstr (verdict, ==, "ok");
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pred, "flags")), ==, 0);
          continue;
        }
      f = find_flag (pred, expect[i].kind);
      g_assert_nonnull (f);
      g_assert_cmpstr (verdict, !=, "ok");
      g_assert_nonnull (strstr (json_object_get_string_member (f, "message"), expect[i].unit));
      if (strcmp (expect[i].kind, "out_of_range") == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (f, "feature"), ==, "temperature");
          g_assert_cmpfloat (json_object_get_double_member (f, "value"), ==, 250);
          g_assert_cmpstr (json_object_get_string_member (f, "severity"), ==, "stop");
          g_assert_cmpstr (verdict, ==, "stop");
        }
      else
        g_assert_cmpfloat (json_object_get_double_member (f, "value"), >=,
                           json_object_get_double_member (f, "threshold"));
    }
}

static void
test_predict_thresholds (void)
{
  static const char *const rows[] = { "200,55,15,50", "212,100,15,50" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *sparse = "temperature=200,pressure=55,speed=15,humidity=50";
  JsonArray *preds;
  g_autofree char *out = NULL;

  /* The sparse query passes once the distance rule is relaxed far enough, and a
   * much stricter noise rule flags the smooth one. */
  preds = predict_json (parser, rows, 2, "--threshold=distance_check=20,distance_stop=30", "--threshold=noise_check=0.05");
  g_assert_null (find_flag (json_array_get_object_element (preds, 0), "low_support"));
  g_assert_nonnull (find_flag (json_array_get_object_element (preds, 1), "high_noise"));

  /* Unknown names, bad values, check beyond stop: usage errors, nothing on stdout. */
  g_assert_cmpint (run_cli (&out, "predict", sample_path, "--target", "strength", "--query", sparse,
                            "--json", "--threshold", "noise=2", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "predict", sample_path, "--target", "strength", "--query", sparse,
                            "--json", "--threshold", "noise_check=abc", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "predict", sample_path, "--target", "strength", "--query", sparse,
                            "--json", "--threshold", "noise_check=9", NULL), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  /* A missing value never becomes a number. */
  g_assert_cmpint (run_cli (&out, "predict", sample_path, "--target", "strength", "--query",
                            "temperature=nan,pressure=55,speed=15,humidity=50", "--json", NULL), !=, 0);
  g_assert_cmpstr (out, ==, "");
}

static void
test_diagnose_flags (void)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root, *th;
  JsonArray *cases;
  guint ok = 0, stop = 0;

  g_assert_cmpint (run_cli (&out, "diagnose", sample_path, "--target", "strength", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  th = json_object_get_object_member (root, "thresholds");
  g_assert_cmpfloat (json_object_get_double_member (th, "noise_check"), ==, 1.8);
  g_assert_cmpfloat (json_object_get_double_member (th, "distance_check"), >, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (root, "baselines"),
                                                    "usual_noise"), >, 0);
  cases = json_object_get_array_member (root, "cases");
  g_assert_cmpuint (json_array_get_length (cases), ==, 2000);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      const char *v = json_object_get_string_member (c, "verdict");
      JsonArray *flags = json_object_get_array_member (c, "flags");

      ok += g_strcmp0 (v, "ok") == 0;
      stop += g_strcmp0 (v, "stop") == 0;
      g_assert_cmpint (g_strcmp0 (v, "ok") == 0, ==, json_array_get_length (flags) == 0);
    }
  /* The sample has a steep step and a noisy box: some cases stop, many are fine. */
  g_assert_cmpuint (stop, >, 50);
  g_assert_cmpuint (ok, >, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: %s CASESCOPE-CLI SAMPLES-DIR\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  sample_path = g_build_filename (argv[2], "press-line.csv", NULL);
  g_test_add_func ("/cs/flags/cli/predict", test_predict_flags);
  g_test_add_func ("/cs/flags/cli/thresholds", test_predict_thresholds);
  g_test_add_func ("/cs/flags/cli/diagnose", test_diagnose_flags);
  return g_test_run ();
}
