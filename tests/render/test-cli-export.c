/* test-cli-export.c: casescope-cli export end to end on the committed circle sample. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>

static const char *cli_path;

static int
run_cli (const char *const *args,
         char             **out,
         char             **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path);
  g_ptr_array_add (argv, (gpointer) "export");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error))
    g_error ("cannot run %s: %s", cli_path, error->message);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
sample_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "circle.csv", NULL);
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

static void
test_usage_errors (void)
{
  g_autofree char *csv = sample_path ();
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "x.png", NULL);
  const char *bad[][3] = {
    { "--size", "0x0", NULL },
    { "--size", "-3x100", NULL },
    { "--size", "1920x", NULL },
    { "--size", "30000x20000", NULL },
    { "--dpi", "1e9", NULL },
    { "--dpi", "0", NULL },
    { "--dpi", "nan", NULL },
    { "--format", "jpeg", NULL },
    { "--query", "99999", NULL },
    { "--query", "x1=0.5", NULL },    /* x2 missing */
    { "--x", "no-such-feature", NULL },
    { "--window", "wide", NULL },
    { "--color-by", "size", NULL },
    { "--order", "random", NULL },
    { "--top-k", "0", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { csv, "--chart", "case-attention", "--out", out, bad[i][0], bad[i][1], NULL };
      g_autofree char *o = NULL, *e = NULL;

      g_assert_cmpint (run_cli (args, &o, &e), ==, 2);
      g_assert_cmpstr (o, ==, "");
      /* One clear line naming the command, then the usage line. */
      g_assert_true (g_str_has_prefix (e, "casescope-cli export: "));
      g_assert_cmpuint (count_entries (dir), ==, 0);
    }
  {
    const char *args[] = { csv, "--chart", "all", "--format", "png", "--out", out, NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (args, &o, &e), ==, 2);
  }
  {
    const char *args[] = { csv, "--chart", "bar-chart", NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (args, &o, &e), ==, 2);
    g_assert_nonnull (strstr (e, "bar-chart"));
  }
  g_rmdir (dir);
}

static double
json_number (const char *text,
             const char *member)
{
  g_autofree char *key = g_strdup_printf ("\"%s\" : ", member);
  const char *p = strstr (text, key);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (key), NULL);
}

static void
test_png_and_json (void)
{
  g_autofree char *csv = sample_path ();
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "map.png", NULL);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  int w = g_rand_int_range (rand, 400, 1300), h = g_rand_int_range (rand, 300, 900);
  int q = g_rand_int_range (rand, 1, 401);
  g_autofree char *size = g_strdup_printf ("%dx%d", w, h);
  g_autofree char *query = g_strdup_printf ("%d", q);
  const char *args[] = { csv, "--chart", "feature-map", "--size", size, "--dpi", "120", "--query", query,
                         "--metric", "scalar", "--out", out, "--json", NULL };
  g_autofree char *o = NULL, *e = NULL;
  cairo_surface_t *s;

  g_assert_cmpint (run_cli (args, &o, &e), ==, 0);
  g_assert_nonnull (strstr (o, "\"format\" : \"png\""));
  g_assert_nonnull (strstr (o, "\"feature-map\""));
  {
    g_autofree char *qcase = g_strdup_printf ("\"query_case\" : %d", q);
    g_assert_nonnull (strstr (o, qcase));
  }
  /* 400 cases: the per-case figures use every one */
  g_assert_cmpfloat (json_number (o, "cases"), ==, 400);
  g_assert_cmpfloat (json_number (o, "per_case_cases"), ==, 400);
  s = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, w);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, h);
  cairo_surface_destroy (s);
  g_unlink (out);
  g_rmdir (dir);
  g_rand_free (rand);
}

static void
test_all_pdf (void)
{
  g_autofree char *csv = sample_path ();
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "all.pdf", NULL);
  const char *args[] = { csv, "--chart", "all", "--preset", "a4", "--sweep-tasks", "64", "--out", out, NULL };
  const char *info_argv[] = { "pdfinfo", out, NULL };
  const char *text_argv[] = { "pdftotext", out, "-", NULL };
  g_autofree char *o = NULL, *e = NULL, *info = NULL, *text = NULL;
  int status;

  g_assert_cmpint (run_cli (args, &o, &e), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (char **) info_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &info, NULL,
                               &status, NULL));
  g_assert_nonnull (strstr (info, "Pages:           7"));
  g_assert_nonnull (strstr (info, "841.92 x 595.2 pts"));
  g_assert_true (g_spawn_sync (NULL, (char **) text_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &text, NULL,
                               &status, NULL));
  /* The footer names the input and its hash prefix; the verdict is there. */
  g_assert_nonnull (strstr (text, "circle.csv (SHA-256"));
  g_assert_nonnull (strstr (text, "fail-safe verdict:"));
  g_assert_nonnull (strstr (text, "n = 400"));
  g_unlink (out);
  g_rmdir (dir);
}

static void
test_write_failures (void)
{
  g_autofree char *csv = sample_path ();
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *copy = g_build_filename (dir, "input.csv", NULL);
  g_autofree char *under = g_build_filename (copy, "chart.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", "chart.svg", NULL);
  g_autofree char *contents = NULL, *after = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (csv, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  {
    /* Never over the input, even when asked to. */
    const char *args[] = { copy, "--chart", "window", "--format", "png", "--out", copy, NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (args, &o, &e), ==, 4);
    g_assert_true (g_file_get_contents (copy, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, contents);
  }
  {
    const char *args[] = { copy, "--chart", "window", "--out", under, NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (args, &o, &e), ==, 4);
    g_assert_cmpuint (strlen (e), >, 10);
  }
  {
    const char *args[] = { copy, "--chart", "window", "--out", missing, NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (args, &o, &e), ==, 4);
  }
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_unlink (copy);
  g_rmdir (dir);
}

static int
run_fit (const char *csv,
         const char *save)
{
  const char *argv[] = { cli_path, "fit", csv, "--target", "y", "--save", save, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *o = NULL, *e = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status, &error))
    g_error ("cannot run %s: %s", cli_path, error->message);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* --model: the saved window is used as is (no fit), so the query's prediction is the same
 * whatever --metric would have fitted; a model for other columns, or with --metric, is refused. */
static void
test_model_file (void)
{
  g_autofree char *csv = sample_path ();
  g_autofree char *kiln = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "kiln.csv", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *model = g_build_filename (dir, "model.json", NULL);
  g_autofree char *out = g_build_filename (dir, "a.png", NULL);
  g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;

  g_assert_cmpint (run_fit (csv, model), ==, 0);
  {
    const char *with_model[] = { csv, "--chart", "case-attention", "--model", model, "--query", "7",
                                 "--out", out, "--json", NULL };
    const char *scalar_fit[] = { csv, "--chart", "case-attention", "--metric", "scalar", "--query", "7",
                                 "--out", out, "--json", NULL };
    g_assert_cmpint (run_cli (with_model, &o1, &e1), ==, 0);
    g_assert_cmpint (run_cli (scalar_fit, &o2, &e2), ==, 0);
    /* fit --save fitted the same scalar window on the same cases: the same prediction. */
    g_assert_cmpfloat (fabs (json_number (o1, "prediction") - json_number (o2, "prediction")), <=,
                       1e-9 * (1 + fabs (json_number (o2, "prediction"))));
  }
  {
    const char *wrong[] = { kiln, "--chart", "case-attention", "--model", model, "--out", out, NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (wrong, &o, &e), ==, 3);
    g_assert_nonnull (strstr (e, "model.json"));
  }
  {
    const char *both[] = { csv, "--chart", "case-attention", "--model", model, "--metric", "scalar", "--out", out,
                           NULL };
    g_autofree char *o = NULL, *e = NULL;
    g_assert_cmpint (run_cli (both, &o, &e), ==, 2);
  }
  g_unlink (out);
  g_unlink (model);
  g_rmdir (dir);
}

/* Above 20,000 cases the per-case charts use 1,000 evenly spaced cases and the attention
 * matrix bins its columns: every chart is still drawn, to the size asked, on a generated base
 * whose size and seed vary. */
static void
test_large_base (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cli-export-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "big.csv", NULL);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint n = (guint) g_rand_int_range (rand, 20001, 26000);
  GString *text = g_string_new ("x1,x2,y\n");
  const char *charts[] = { "window", "diagnostics", "attention-matrix", "softmax-vs-linear" };

  for (guint i = 0; i < n; i++)
    {
      double a = g_rand_double_range (rand, -1, 1), b = g_rand_double_range (rand, -1, 1);
      g_string_append_printf (text, "%.5f,%.5f,%.5f\n", a, b, sin (3 * a) + 0.1 * g_rand_double (rand));
    }
  g_assert_true (g_file_set_contents (csv, text->str, (gssize) text->len, NULL));
  for (guint k = 0; k < G_N_ELEMENTS (charts); k++)
    {
      g_autofree char *out = g_strdup_printf ("%s/%s.png", dir, charts[k]);
      const char *args[] = { csv, "--chart", charts[k], "--metric", "scalar", "--size", "800x600",
                             "--out", out, "--json", NULL };
      g_autofree char *o = NULL, *e = NULL;
      cairo_surface_t *s;

      g_assert_cmpint (run_cli (args, &o, &e), ==, 0);
      g_assert_true (isfinite (json_number (o, "prediction")));
      /* the per-case figures say they come from the 1,000-case sample, not all n */
      g_assert_cmpfloat (json_number (o, "cases"), ==, n);
      g_assert_cmpfloat (json_number (o, "per_case_cases"), ==, 1000);
      /* and each chart the cases it predicts: the sample for the window and diagnostics, every step-th case as a
       * query row of the attention matrix (at most 2,000 rows), the whole base for the others */
      {
        const char *a = strstr (o, "\"chart_cases\" : [");
        guint step = (n + 1999) / 2000;
        double want = k < 2 ? 1000 : k == 2 ? (double) ((n + step - 1) / step) : n;

        g_assert_nonnull (a);
        g_assert_cmpfloat (g_ascii_strtod (a + strlen ("\"chart_cases\" : ["), NULL), ==, want);
      }
      s = cairo_image_surface_create_from_png (out);
      g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (s), ==, 800);
      cairo_surface_destroy (s);
      g_unlink (out);
    }
  g_test_message ("n = %u", n);
  g_unlink (csv);
  g_rmdir (dir);
  g_string_free (text, TRUE);
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: test-cli-export PATH-TO-casescope-cli\n");
      return 1;
    }
  cli_path = argv[1];
  g_test_add_func ("/cs/render/cli-export/usage-errors", test_usage_errors);
  g_test_add_func ("/cs/render/cli-export/png-and-json", test_png_and_json);
  g_test_add_func ("/cs/render/cli-export/all-pdf", test_all_pdf);
  g_test_add_func ("/cs/render/cli-export/write-failures", test_write_failures);
  g_test_add_func ("/cs/render/cli-export/model-file", test_model_file);
  g_test_add_func ("/cs/render/cli-export/large-base", test_large_base);
  return g_test_run ();
}
