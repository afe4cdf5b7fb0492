/* test-cli-pretrain.c: casescope-cli pretrain end to end (JSON keys and values, determinism, usage errors). */
#define G_LOG_DOMAIN "test-cli-pretrain"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

static const char *cli_path;

/* Runs casescope-cli with args (NULL-terminated); returns the exit status. */
static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (char *) cli_path);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

static JsonObject *
parse_object (const char  *text,
              JsonParser **parser_out)
{
  JsonParser *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  *parser_out = parser;
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_json_scalar (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  JsonArray *M;
  double w, soft, lin;
  int rc;

  rc = run_cli (&out, &err, "pretrain", "--class", "relu", "--d", "2", "--n", "50", "--L", "1", "--sigma", "0.5",
                "--steps", "600", "--seed", "3", "--tasks", "1024", "--optimal", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (err, ==, "");
  o = parse_object (out, &p);
  w = json_object_get_double_member (o, "w");
  soft = json_object_get_double_member (o, "test_mse_softmax");
  lin = json_object_get_double_member (o, "test_mse_linear");
  M = json_object_get_array_member (o, "M");
  g_assert_cmpuint (json_array_get_length (M), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (json_array_get_array_element (M, 0), 0), ==, w);
  g_assert_cmpfloat (json_array_get_double_element (json_array_get_array_element (M, 0), 1), ==, 0);
  /* The stopping rule's report: the cap as given, the evaluations done. */
  g_assert_cmpint (json_object_get_int_member (o, "max_steps"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (o, "steps"), >=, 3);
  g_assert_cmpint (json_object_get_int_member (o, "prompts"), <=, 600 * 128);
  g_assert_true (json_object_has_member (o, "converged"));
  g_assert_cmpfloat (json_object_get_double_member (o, "log_w_se"), >, 0);
  /* The search lands near the grid optimum; softmax beats the linear floor (~0.14 for relu). */
  g_assert_cmpfloat (fabs (w / json_object_get_double_member (o, "w_star") - 1), <, 0.15);
  g_assert_cmpfloat (soft, >, 0.01);
  g_assert_cmpfloat (soft, <, 0.05);
  g_assert_cmpfloat (lin, >, 0.11);
  g_assert_cmpfloat (lin, <, 0.17);

  /* Deterministic for a seed, different for another. */
  rc = run_cli (&out2, &err2, "pretrain", "--class", "relu", "--d", "2", "--n", "50", "--L", "1", "--sigma", "0.5",
                "--steps", "600", "--seed", "3", "--tasks", "1024", "--optimal", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (out, ==, out2);
  rc = run_cli (&out3, &err3, "pretrain", "--class", "relu", "--d", "2", "--n", "50", "--L", "1", "--sigma", "0.5",
                "--steps", "600", "--seed", "4", "--tasks", "1024", "--optimal", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpstr (out, !=, out3);
}

static void
test_json_full_and_transfer (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(JsonParser) p = NULL, p2 = NULL;
  JsonObject *o, *o2;
  JsonArray *M;
  double diag = 0;
  int rc;

  rc = run_cli (&out, &err, "pretrain", "--class", "affine", "--d", "3", "--n", "40", "--L", "2", "--sigma", "0.5",
                "--metric", "full", "--steps", "400", "--tasks", "512", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o = parse_object (out, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "metric"), ==, "full");
  M = json_object_get_array_member (o, "M");
  g_assert_cmpuint (json_array_get_length (M), ==, 3);
  for (guint a = 0; a < 3; a++)
    {
      JsonArray *row = json_array_get_array_element (M, a);
      g_assert_cmpuint (json_array_get_length (row), ==, 3);
      diag += json_array_get_double_element (row, a);
    }
  /* The rule compares four windows of 100 steps: its first test is at the cap. */
  g_assert_cmpint (json_object_get_int_member (o, "steps"), ==, 400);
  /* w is the mean diagonal for a full M. */
  g_assert_cmpfloat (fabs (json_object_get_double_member (o, "w") - diag / 3), <, 1e-9 * diag);
  /* The affine linear floor: E[b^2] = 1/3 at least. */
  g_assert_cmpfloat (json_object_get_double_member (o, "test_mse_linear"), >, 0.3);

  /* Transfer (C7): the same training, tested at a larger L, is worse. */
  rc = run_cli (&out2, &err2, "pretrain", "--class", "affine", "--d", "3", "--n", "40", "--L", "2", "--sigma", "0.5",
                "--metric", "full", "--steps", "400", "--tasks", "512", "--test-L", "8", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o2 = parse_object (out2, &p2);
  g_assert_cmpfloat (json_object_get_double_member (o2, "w"), ==, json_object_get_double_member (o, "w"));
  g_assert_cmpfloat (json_object_get_double_member (o2, "test_L"), ==, 8);
  g_assert_cmpfloat (json_object_get_double_member (o2, "test_mse_softmax"), >,
                     2 * json_object_get_double_member (o, "test_mse_softmax"));
}

/* With default options training converges before the cap and says so; a cap
 * of one step cannot converge and says that too. */
static void
test_json_converged (void)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;
  g_autoptr(JsonParser) p = NULL, p2 = NULL, p3 = NULL;
  JsonObject *o, *o2, *o3;
  int rc;

  rc = run_cli (&out, &err, "pretrain", "--class", "relu", "--d", "2", "--n", "50", "--L", "1", "--sigma", "0.5",
                "--tasks", "256", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o = parse_object (out, &p);
  g_assert_true (json_object_get_boolean_member (o, "converged"));
  g_assert_cmpint (json_object_get_int_member (o, "max_steps"), ==, 20000);
  g_assert_cmpfloat (json_object_get_double_member (o, "log_w_se"), <=, 0.02);

  rc = run_cli (&out2, &err2, "pretrain", "--class", "affine", "--d", "2", "--n", "20", "--L", "1", "--sigma", "0.5",
                "--metric", "full", "--steps", "1", "--tasks", "256", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o2 = parse_object (out2, &p2);
  g_assert_false (json_object_get_boolean_member (o2, "converged"));
  g_assert_cmpint (json_object_get_int_member (o2, "steps"), ==, 1);

  rc = run_cli (&out3, &err3, "pretrain", "--class", "affine", "--d", "2", "--n", "20", "--L", "1", "--sigma", "0.5",
                "--metric", "full", "--tasks", "256", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o3 = parse_object (out3, &p3);
  g_assert_true (json_object_get_boolean_member (o3, "converged"));
  g_assert_cmpint (json_object_get_int_member (o3, "steps"), <, 20000);
  g_assert_cmpint (json_object_get_int_member (o3, "steps") % 100, ==, 0);
}

static void
test_sweep (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  JsonArray *w, *win;
  int rc;

  rc = run_cli (&out, &err, "pretrain", "--class", "relu", "--d", "2", "--n", "100", "--sigma", "0.5",
                "--sweep", "L", "--values", "0.5, 2,8", "--tasks", "512", "--json", NULL);
  g_assert_cmpint (rc, ==, 0);
  o = parse_object (out, &p);
  w = json_object_get_array_member (o, "w_star");
  win = json_object_get_array_member (o, "window");
  g_assert_cmpuint (json_array_get_length (w), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (fabs (json_array_get_double_element (win, i)
                             - 1 / sqrt (json_array_get_double_element (w, i))), <, 1e-12);
  g_assert_cmpfloat (json_array_get_double_element (w, 0), <, json_array_get_double_element (w, 1));
  g_assert_cmpfloat (json_array_get_double_element (w, 1), <, json_array_get_double_element (w, 2));
  g_assert_cmpfloat (fabs (json_object_get_double_member (o, "slope_theory") + 0.5), <, 1e-12);
}

static void
test_usage_errors (void)
{
  static const char *const bad[][2] = {
    { "--L", "nan" }, { "--L", "inf" }, { "--L", "1,5" }, { "--L", "" }, { "--L", "0" },
    { "--d", "0" }, { "--d", "9" }, { "--d", "2x" }, { "--n", "0" }, { "--sigma", "-1" },
    { "--rank", "3" }, { "--metric", "diagonal" }, { "--steps", "0" }, { "--steps", "-5" },
    { "--class", "sine" }, { "--sweep", "n" }, { "--values", "1,2" }, { "--test-L", "nan" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      const char *args[16] = { "--class", "relu", "--d", "2", "--n", "20", "--L", "1", "--sigma", "0.5" };
      int rc;

      /* Replace the option if present, else append it. */
      gsize nargs = 10, k;
      for (k = 0; k < nargs; k += 2)
        if (strcmp (args[k], bad[i][0]) == 0)
          break;
      args[k] = bad[i][0];
      args[k + 1] = bad[i][1];
      if (k == nargs)
        nargs += 2;
      rc = run_cli (&out, &err, "pretrain", args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7],
                    args[8], args[9], nargs > 10 ? args[10] : "--json", nargs > 10 ? args[11] : NULL, NULL);
      g_test_message ("%s '%s' -> %d: %s", bad[i][0], bad[i][1], rc, err);
      g_assert_cmpint (rc, ==, 2);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, "Usage: casescope-cli pretrain"));
    }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "pretrain", "--d", "2", "--n", "20", "--L", "1", "--sigma", "0.5", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "--class"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: test-cli-pretrain PATH-TO-CASESCOPE-CLI\n");
      return 1;
    }
  cli_path = argv[1];
  g_test_add_func ("/cs/paper/cli/json-scalar", test_json_scalar);
  g_test_add_func ("/cs/paper/cli/json-full-transfer", test_json_full_and_transfer);
  g_test_add_func ("/cs/paper/cli/json-converged", test_json_converged);
  g_test_add_func ("/cs/paper/cli/sweep", test_sweep);
  g_test_add_func ("/cs/paper/cli/usage-errors", test_usage_errors);
  return g_test_run ();
}
