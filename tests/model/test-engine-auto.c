/* test-engine-auto.c: the engine's automatic metric (CS_ENGINE_FIT_AUTO, the default of every front end) fits
 * scalar below CS_ENGINE_AUTO_DIAGONAL_D numeric features and diagonal from there on, or full where it beats the
 * diagonal on held-out cases (CS_ENGINE_AUTO_FULL_SE), category columns not counted, and casescope-cli fit without
 * --metric chooses what the engine chooses. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-csv-loader.h"
#include "cs-engine.h"
#include "cs-rng.h"

static const char *cli;
static char *tmpdir;

/* A CSV of n cases, d numeric features x1..xd (the outcome depends on the first two, so a fit has something to
 * find) and, with categories, a text column "grade" of three levels that shifts the outcome. */
static char *
write_base (gsize    n,
            gsize    d,
            gboolean categories)
{
  static const char *const grades[] = { "low", "mid", "high" };
  g_autofree char *name = g_strdup_printf ("auto-%zu%s.csv", d, categories ? "-cat" : "");
  char *path = g_build_filename (tmpdir, name, NULL);
  GString *s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  CsRng rng;

  cs_rng_seed (&rng, 4100 + d);
  for (gsize j = 0; j < d; j++)
    g_string_append_printf (s, "x%zu,", j + 1);
  g_string_append (s, categories ? "grade,y\n" : "y\n");
  for (gsize i = 0; i < n; i++)
    {
      double x0 = 0, x1 = 0, y;
      gsize g = i % 3;

      for (gsize j = 0; j < d; j++)
        {
          double v = 2 * cs_rng_uniform (&rng) - 1;

          if (j == 0)
            x0 = v;
          if (j == 1)
            x1 = v;
          g_string_append_printf (s, "%.6f,", v);
        }
      y = sin (2.5 * x0) + x1 * x1 + (categories ? 0.5 * (double) g : 0.0) + 0.05 * cs_rng_normal (&rng);
      if (categories)
        g_string_append_printf (s, "%s,", grades[g]);
      g_string_append_printf (s, "%.6f\n", y);
    }
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, &error));
  g_assert_no_error (error);
  g_string_free (s, TRUE);
  return path;
}

/* A CSV of n cases whose outcome follows one oblique direction, u = (x1 + ... + xd) / sqrt (d): y = sin (2 u) +
 * u^2 / 4 + noise, x uniform on [-sqrt 3, sqrt 3] (unit variance). Neither a scalar nor a diagonal window follows u;
 * the full metric can. */
static char *
write_oblique (gsize n,
               gsize d)
{
  g_autofree char *name = g_strdup_printf ("oblique-%zu.csv", d);
  char *path = g_build_filename (tmpdir, name, NULL);
  GString *s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  CsRng rng;

  cs_rng_seed (&rng, 4300 + d);
  for (gsize j = 0; j < d; j++)
    g_string_append_printf (s, "x%zu,", j + 1);
  g_string_append (s, "y\n");
  for (gsize i = 0; i < n; i++)
    {
      double u = 0;

      for (gsize j = 0; j < d; j++)
        {
          double v = sqrt (3.0) * (2 * cs_rng_uniform (&rng) - 1);

          u += v / sqrt ((double) d);
          g_string_append_printf (s, "%.6f,", v);
        }
      g_string_append_printf (s, "%.6f\n", sin (2 * u) + 0.25 * u * u + 0.1 * cs_rng_normal (&rng));
    }
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, &error));
  g_assert_no_error (error);
  g_string_free (s, TRUE);
  return path;
}

static CsCaseBase *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  CsCaseBase *b;

  cs_csv_options_init (&o);
  o.target = "y";
  b = cs_csv_load_path (path, &o, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return b;
}

/* The engine with every default (cs_engine_options_init), as a front end without a --metric builds it. */
static CsEngine *
default_engine (CsCaseBase *cases)
{
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  CsEngine *e;

  cs_engine_options_init (&eo);
  g_assert_cmpint (eo.fit, ==, CS_ENGINE_FIT_AUTO);
  eo.preferred_window = FALSE;   /* not what is tested, and 17 passes */
  e = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (e->fitted);
  return e;
}

/* casescope-cli fit PATH --target y --json [extra]: its "metric", and in *chosen its "auto" comparison's choice
 * (NULL when it has none). */
static char *
cli_metric_chosen (const char *path,
                   const char *extra,
                   char      **chosen)
{
  const char *argv[] = { cli, "fit", path, "--target", "y", "--json", extra, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("casescope-cli fit %s failed: %s", path, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  {
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));

    if (chosen != NULL)
      *chosen = json_object_has_member (o, "auto")
                ? g_strdup (json_object_get_string_member (json_object_get_object_member (o, "auto"), "chosen"))
                : NULL;
    return g_strdup (json_object_get_string_member (o, "metric"));
  }
}

static char *
cli_metric (const char *path,
            const char *extra)
{
  return cli_metric_chosen (path, extra, NULL);
}

static void
test_rule (void)
{
  g_test_summary ("the rule itself: scalar at 4 features, diagonal at 5 and more; explicit fits pass through");
  g_assert_cmpint (CS_ENGINE_AUTO_DIAGONAL_D, ==, 5);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_AUTO, 1), ==, CS_ENGINE_FIT_SCALAR);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_AUTO, 4), ==, CS_ENGINE_FIT_SCALAR);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_AUTO, 5), ==, CS_ENGINE_FIT_DIAGONAL);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_AUTO, 20), ==, CS_ENGINE_FIT_DIAGONAL);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_SCALAR, 20), ==, CS_ENGINE_FIT_SCALAR);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_DIAGONAL, 2), ==, CS_ENGINE_FIT_DIAGONAL);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_FULL, 3), ==, CS_ENGINE_FIT_FULL);
  g_assert_cmpint (cs_engine_fit_resolve (CS_ENGINE_FIT_NONE, 9), ==, CS_ENGINE_FIT_NONE);
}

static void
test_names (void)
{
  CsEngineFit fit = CS_ENGINE_FIT_NONE;

  g_test_summary ("the --metric names every front end reads, auto when none is given");
  g_assert_true (cs_engine_fit_from_name (NULL, &fit));
  g_assert_cmpint (fit, ==, CS_ENGINE_FIT_AUTO);
  g_assert_true (cs_engine_fit_from_name ("auto", &fit));
  g_assert_cmpint (fit, ==, CS_ENGINE_FIT_AUTO);
  g_assert_true (cs_engine_fit_from_name ("scalar", &fit));
  g_assert_cmpint (fit, ==, CS_ENGINE_FIT_SCALAR);
  g_assert_true (cs_engine_fit_from_name ("diagonal", &fit));
  g_assert_cmpint (fit, ==, CS_ENGINE_FIT_DIAGONAL);
  g_assert_true (cs_engine_fit_from_name ("full", &fit));
  g_assert_cmpint (fit, ==, CS_ENGINE_FIT_FULL);
  g_assert_false (cs_engine_fit_from_name ("Diagonal", &fit));
  g_assert_false (cs_engine_fit_from_name ("", &fit));
}

/* d numeric features (and the category column or not): the engine's default fit is expected, and
 * casescope-cli fit without --metric (and with --metric auto) reports the same kind. */
static void
check_default (gsize        d,
               gboolean     categories,
               CsMetricKind expected)
{
  g_autofree char *path = write_base (240, d, categories);
  g_autoptr(CsCaseBase) cases = load (path);
  g_autoptr(CsEngine) e = NULL;
  g_autofree char *by_default = NULL, *by_auto = NULL;

  g_assert_cmpuint (cases->d, ==, d);
  g_assert_cmpuint (cases->n_cat, ==, categories ? 1 : 0);
  e = default_engine (cases);
  g_assert_cmpint (e->metric.kind, ==, expected);
  g_assert_true (g_str_has_prefix (e->metric_label, cs_engine_metric_name (expected)));
  /* at 5 features or more on a small base the full metric is tried; these outcomes follow the axes, so it
   * does not win */
  g_assert_cmpint (e->auto_choice.tried, ==, d >= CS_ENGINE_AUTO_DIAGONAL_D);
  g_assert_false (e->auto_choice.full);
  by_default = cli_metric (path, NULL);
  by_auto = cli_metric (path, "--metric=auto");
  g_assert_cmpstr (by_default, ==, cs_engine_metric_name (e->metric.kind));
  g_assert_cmpstr (by_auto, ==, by_default);
}

static void
test_engine_default (void)
{
  g_test_summary ("the engine's default metric at 4 and 5 features, and the command line's default is the same");
  check_default (4, FALSE, CS_METRIC_SCALAR);
  check_default (5, FALSE, CS_METRIC_DIAGONAL);
}

static void
test_categories_not_counted (void)
{
  g_test_summary ("a category column does not count as a feature: 4 numeric features and one category column "
                  "stay scalar");
  check_default (4, TRUE, CS_METRIC_SCALAR);
}

static void
test_full_candidate (void)
{
  g_autofree char *path = write_oblique (500, 6);
  g_autoptr(CsCaseBase) cases = load (path);
  g_autoptr(CsEngine) e = default_engine (cases);
  g_autofree char *by_default = NULL, *chosen = NULL, *diagonal = NULL, *diagonal_chosen = NULL;

  g_test_summary ("at 5 features or more the automatic metric fits the full metric too, on half the cases against "
                  "the diagonal on the same half, and keeps it when it predicts the other half better by more than "
                  "CS_ENGINE_AUTO_FULL_SE standard errors and CS_ENGINE_AUTO_FULL_GAIN: an outcome along an oblique direction gets it, and "
                  "casescope-cli fit says so");
  g_assert_true (e->auto_choice.tried);
  g_assert_cmpuint (e->auto_choice.n_compared, ==, 250);
  g_assert_true (e->auto_choice.full);
  g_assert_cmpint (e->metric.kind, ==, CS_METRIC_FULL);
  g_assert_cmpuint (e->metric.rank, ==, 6);
  g_assert_cmpfloat (e->auto_choice.diagonal_mse - e->auto_choice.full_mse, >,
                     CS_ENGINE_AUTO_FULL_SE * e->auto_choice.difference_se);
  g_assert_cmpfloat (e->auto_choice.diagonal_mse - e->auto_choice.full_mse, >,
                     CS_ENGINE_AUTO_FULL_GAIN * e->auto_choice.diagonal_mse);
  g_assert_nonnull (strstr (e->metric_label, "beat the diagonal"));
  /* the fit on every case predicts at least as well as the half's did on the held-out half */
  g_assert_cmpfloat (e->fit.loo_mse, <, e->auto_choice.diagonal_mse);

  by_default = cli_metric_chosen (path, NULL, &chosen);
  g_assert_cmpstr (by_default, ==, "full");
  g_assert_cmpstr (chosen, ==, "full");
  /* a metric asked for by name is fitted as asked, with no comparison */
  diagonal = cli_metric_chosen (path, "--metric=diagonal", &diagonal_chosen);
  g_assert_cmpstr (diagonal, ==, "diagonal");
  g_assert_null (diagonal_chosen);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-engine-auto CASESCOPE-CLI");
  cli = argv[1];
  tmpdir = g_dir_make_tmp ("cs-auto-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/cs/engine/auto/rule", test_rule);
  g_test_add_func ("/cs/engine/auto/names", test_names);
  g_test_add_func ("/cs/engine/auto/default", test_engine_default);
  g_test_add_func ("/cs/engine/auto/categories-not-counted", test_categories_not_counted);
  g_test_add_func ("/cs/engine/auto/full-candidate", test_full_candidate);
  rc = g_test_run ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return rc;
}
