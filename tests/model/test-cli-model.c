/* test-cli-model.c: casescope-cli fit, predict, diagnose and bench, checked against the library. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cs-attention.h"
#include "cs-csv-loader.h"
#include "cs-model-file.h"

static const char *cli;
static char *samples;
static char *tmpdir;

/* Run casescope-cli with args; returns the exit status, stdout and stderr. */
static int
run (char **out, char **err, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  va_list ap;
  const char *a;
  int status = -1;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, err);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  g_ptr_array_free (argv, TRUE);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static JsonObject *
parse_object (const char *text, JsonParser **keep)
{
  g_autoptr(GError) error = NULL;
  *keep = json_parser_new ();
  g_assert_true (json_parser_load_from_data (*keep, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (*keep)));
  return json_node_get_object (json_parser_get_root (*keep));
}

static char *
sample (const char *name)
{
  return g_build_filename (samples, name, NULL);
}

/* The press-line sample through the loader, standardised as the CLI does. */
static CsAttention *
library_context (const char *path, const char *target, CsCaseBase **base_out)
{
  CsCsvOptions o;
  g_autoptr(GError) error = NULL;
  CsCaseBase *b;
  CsAttention *ctx;
  double *z;

  cs_csv_options_init (&o);
  o.target = target;
  b = cs_csv_load_path (path, &o, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  z = cs_case_base_standardise (b);
  g_assert_cmpint (cs_attention_new (z, b->y, b->n, b->d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_free (z);
  *base_out = b;
  return ctx;
}

static void
test_fit (void)
{
  g_autofree char *path = sample ("press-line.csv");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) p = NULL;
  g_autoptr(CsCaseBase) base = NULL;
  JsonObject *o, *win, *hw;
  JsonArray *M;
  CsAttention *ctx = library_context (path, "strength", &base);
  CsMetric m;
  double scale, mse;

  g_assert_cmpint (run (&out, &err, "fit", path, "--target", "strength", "--json", NULL), ==, 0);
  o = parse_object (out, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "metric"), ==, "scalar");
  scale = json_object_get_double_member (o, "scale");
  g_assert_cmpfloat (scale, >, 0);
  M = json_object_get_array_member (o, "M");
  g_assert_cmpuint (json_array_get_length (M), ==, base->d);
  for (guint a = 0; a < base->d; a++)
    for (guint c = 0; c < base->d; c++)
      g_assert_cmpfloat (json_array_get_double_element (json_array_get_array_element (M, a), c), ==,
                         a == c ? scale : 0.0);
  /* the reported LOO error is the library's at that scale */
  cs_metric_init_scalar (&m, base->d, scale);
  g_assert_cmpint (cs_attention_loo_mse (ctx, &m, &mse, NULL, NULL), ==, CS_OK);
  g_assert_cmpfloat (fabs (mse - json_object_get_double_member (o, "loo_mse")), <=, 1e-10 * mse);
  g_assert_cmpfloat (json_object_get_double_member (o, "loo_mse_linear"), >, 0);
  win = json_object_get_object_member (o, "window");
  g_assert_cmpfloat (json_object_get_double_member (win, "radius90_median"), >, 0);
  hw = json_object_get_object_member (win, "half_width");
  for (guint j = 0; j < base->d; j++)
    {
      double v = json_object_get_double_member (hw, base->feature_names[j]);
      g_assert_cmpfloat (fabs (v - base->sd[j] / sqrt (scale)), <=, 1e-9 * v);
    }
  cs_metric_clear (&m);
  cs_attention_free (ctx);
}

/* fit --queries: the loss is over that many evenly spaced cases (the library's max_queries,
 * same numbers), the window lands near the exact fit's, and a count below 2 is a usage error. */
static void
test_fit_queries (void)
{
  g_autofree char *path = sample ("press-line.csv");
  g_autoptr(CsCaseBase) base = NULL;
  CsAttention *ctx = library_context (path, "strength", &base);
  guint q = 150 + g_test_rand_int_range (0, 400);
  g_autofree char *qs = g_strdup_printf ("%u", q);
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(JsonParser) p = NULL;
  g_autoptr(JsonParser) p2 = NULL;
  JsonObject *o, *full;
  CsMetric m = { 0 };
  CsFitOptions fo;
  CsFitReport rep;

  g_assert_cmpint (run (&out, &err, "fit", path, "--target", "strength", "--queries", qs, "--json", NULL), ==, 0);
  o = parse_object (out, &p);
  g_assert_cmpint (json_object_get_int_member (o, "loss_cases"), ==, q);
  cs_fit_options_init (&fo);
  fo.max_queries = q;
  g_assert_cmpint (cs_attention_fit (ctx, &fo, &m, &rep), ==, CS_OK);
  g_assert_cmpfloat (fabs (json_object_get_double_member (o, "scale") - m.scale), <=, 1e-6 * m.scale);
  g_assert_cmpfloat (fabs (json_object_get_double_member (o, "loo_mse") - rep.loo_mse), <=, 1e-6 * rep.loo_mse);
  g_assert_cmpint (run (&out2, &err2, "fit", path, "--target", "strength", "--json", NULL), ==, 0);
  full = parse_object (out2, &p2);
  g_assert_cmpint (json_object_get_int_member (full, "loss_cases"), ==, base->n);
  g_test_message ("%u queries: scale %.4g, all cases: %.4g", q, m.scale,
                  json_object_get_double_member (full, "scale"));
  g_assert_cmpfloat (fabs (log (m.scale / json_object_get_double_member (full, "scale"))), <, log (2.0));
  {
    g_autofree char *o3 = NULL, *e3 = NULL;
    g_assert_cmpint (run (&o3, &e3, "fit", path, "--target", "strength", "--queries", "1", NULL), ==, 2);
    g_assert_nonnull (strstr (e3, "--queries"));
  }
  cs_metric_clear (&m);
  cs_attention_free (ctx);
}

static void
test_predict (void)
{
  g_autofree char *path = sample ("press-line.csv");
  g_autofree char *kiln = sample ("kiln.csv");
  g_autofree char *model = g_build_filename (tmpdir, "pl.json", NULL);
  g_autofree char *qfile = g_build_filename (tmpdir, "q.csv", NULL);
  g_autofree char *bad = g_build_filename (tmpdir, "bad.csv", NULL);
  g_autoptr(CsCaseBase) base = NULL;
  g_autoptr(CsModelFile) mf = NULL;
  g_autoptr(GError) error = NULL;
  CsAttention *ctx = library_context (path, "strength", &base);
  const double q[4] = { 215, 90, 15, 50 };
  double zq[4];
  CsMetric m;
  CsPrediction pr;
  char *out = NULL, *err = NULL;
  double one;

  g_assert_cmpint (run (&out, &err, "fit", path, "--target", "strength", "--metric", "diagonal",
                        "--save", model, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  mf = cs_model_file_load (model, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mf->kind, ==, CS_MODEL_METRIC_DIAGONAL);
  /* fit --save stores the window the data asks for, so the charts that open the model do not measure it */
  g_assert_nonnull (cs_model_file_get_column (mf, "window_ratio"));

  /* one query: the library's prediction with the saved metric and scaling */
  cs_metric_init_diagonal (&m, 4, mf->diag);
  cs_attention_set_metric (ctx, &m);
  for (int j = 0; j < 4; j++)
    zq[j] = (q[j] - mf->mean[j]) / mf->sd[j];
  g_assert_cmpint (cs_attention_predict (ctx, zq, 1, NULL, &pr), ==, CS_OK);
  g_assert_cmpint (run (&out, &err, "predict", path, "--model", model, "--top", "3", "--json",
                        "--query", " temperature = 215, pressure=90,speed=15 ,humidity=50", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = NULL;
    JsonObject *o = parse_object (out, &p);
    JsonArray *top = json_object_get_array_member (o, "top");
    double last = 1;
    one = json_object_get_double_member (o, "prediction");
    g_assert_cmpfloat (fabs (one - pr.prediction), <=, 1e-9 * fabs (pr.prediction));
    g_assert_cmpfloat (fabs (json_object_get_double_member (o, "n_eff") - pr.n_eff), <=, 1e-9 * pr.n_eff);
    g_assert_true (json_object_has_member (o, "stderr"));
    g_assert_true (json_object_has_member (o, "radius90"));
    g_assert_cmpuint (json_array_get_length (top), ==, 3);
    for (guint t = 0; t < 3; t++)
      {
        JsonObject *c = json_array_get_object_element (top, t);
        gint64 row = json_object_get_int_member (c, "row");
        double w = json_object_get_double_member (c, "weight");
        g_assert_cmpint (row, >=, 2);
        g_assert_cmpint (row, <=, (gint64) base->n + 1);
        g_assert_cmpfloat (w, <=, last);
        last = w;
        g_assert_nonnull (json_object_get_string_member (c, "id"));
        g_assert_true (json_object_has_member (c, "y") && json_object_has_member (c, "distance"));
      }
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* a query file: file order, first row equal to the single query */
  g_assert_true (g_file_set_contents (qfile, "humidity,speed,pressure,temperature\n50,15,90,215\n40,20,70,230\n", -1, NULL));
  g_assert_cmpint (run (&out, &err, "predict", path, "--model", model, "--queries", qfile, "--json", NULL), ==, 0);
  {
    g_autoptr(JsonParser) p = NULL;
    JsonObject *o = parse_object (out, &p);
    JsonArray *a = json_object_get_array_member (o, "predictions");
    g_assert_cmpuint (json_array_get_length (a), ==, 2);
    /* The single query above was a one-row GEMM, this row is in a two-row one, and OpenBLAS's Haswell and
     * Prescott kernels sum those in another order (measured: one ulp apart in 3 % of random cases; bit for bit
     * on SkylakeX and Cooperlake). 1e-9 relative (the bound against the library above) is far above that
     * rounding and far below what any other query changes. */
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (a, 0), "prediction"),
                                    one, 1e-9 * fabs (one));
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (a, 1), "prediction"), !=, one);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* usage errors name the problem (exit 2) */
  {
    const char *bad_queries[][2] = {
      { "temp=215,pressure=90,speed=15,humidity=50", "unknown feature 'temp'" },
      { "temperature=215,pressure=9x0,speed=15,humidity=50", "not a finite number" },
      { "temperature=,pressure=,speed=,humidity=", "no feature has a value" },
      { "temperature=215,temperature=1,pressure=90,speed=15,humidity=50", "given twice" },
      { "temperature=nan,pressure=90,speed=15,humidity=50", "not a finite number" },
      { "temperature 215", "not name=value" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad_queries); i++)
      {
        g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--query", bad_queries[i][0], NULL), ==, 2);
        g_assert_nonnull (strstr (err, bad_queries[i][1]));
        g_assert_cmpstr (out, ==, "");
        g_clear_pointer (&out, g_free);
        g_clear_pointer (&err, g_free);
      }
  }
  /* a bad query file: FILE:LINE:COLUMN, exit 3 */
  g_assert_true (g_file_set_contents (bad, "temperature,pressure,speed,humidity\n215,90,15,50\n215,abc,15,50\n", -1, NULL));
  g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--queries", bad, NULL), ==, 3);
  {
    g_autofree char *where = g_strdup_printf ("%s:3:2:", bad);
    g_assert_nonnull (strstr (err, where));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* a model for other columns is refused (exit 3) */
  g_assert_cmpint (run (&out, &err, "predict", kiln, "--model", model, "--query", "firing_temp=1000,dwell=20", NULL), ==, 3);
  g_assert_nonnull (strstr (err, "fitted for features"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  cs_metric_clear (&m);
  cs_attention_free (ctx);
  g_unlink (model);
  g_unlink (qfile);
  g_unlink (bad);
}

/* --epsilon: the prediction does not move, the window reports what it left out, bad values are usage errors. */
static void
test_predict_epsilon (void)
{
  g_autofree char *path = sample ("press-line.csv");
  static const char *const eps[] = { "0", "1e-6", "0.01" };
  double pred[3], dropped[3];
  gint64 kept[3];

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) p = NULL;
      JsonObject *o;
      int rc;

      /* the middle one is the default, given implicitly */
      if (i == 1)
        rc = run (&out, &err, "predict", path, "--target", "strength", "--json",
                  "--query", "temperature=215,pressure=90,speed=15,humidity=50", NULL);
      else
        rc = run (&out, &err, "predict", path, "--target", "strength", "--json", "--epsilon", eps[i],
                  "--query", "temperature=215,pressure=90,speed=15,humidity=50", NULL);
      g_assert_cmpint (rc, ==, 0);
      o = parse_object (out, &p);
      pred[i] = json_object_get_double_member (o, "prediction");
      dropped[i] = json_object_get_double_member (o, "weight_dropped");
      kept[i] = json_object_get_int_member (o, "n_kept");
      g_assert_cmpfloat (dropped[i], >=, 0.0);
      g_assert_cmpfloat (dropped[i], <=, g_ascii_strtod (eps[i], NULL));
      g_assert_cmpint (kept[i], >=, 1);
    }
  /* epsilon enters only the window pass: the printed prediction is the same computation each time */
  g_assert_cmpfloat (pred[0], ==, pred[1]);
  g_assert_cmpfloat (pred[0], ==, pred[2]);
  g_assert_cmpfloat (dropped[0], ==, 0.0);
  g_assert_cmpint (kept[1], <=, kept[0]);
  /* 1 % of the weight is always more than the lightest case of a few thousand */
  g_assert_cmpint (kept[2], <, kept[0]);

  for (int bad = 0; bad < 3; bad++)
    {
      g_autofree char *out = NULL, *err = NULL;
      const char *value = bad == 0 ? "-1e-6" : bad == 1 ? "1" : "nan";
      if (bad == 2)
        g_assert_cmpint (run (&out, &err, "diagnose", path, "--target", "strength", "--epsilon", value, NULL), ==, 2);
      else
        g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--epsilon", value,
                              "--query", "temperature=215", NULL), ==, 2);
      g_assert_nonnull (strstr (err, "--epsilon"));
    }
}

static void
test_predict_interval (void)
{
  g_autofree char *path = sample ("press-line.csv");
  const char *q = "temperature=215,pressure=90,speed=15,humidity=50";
  double lo[2], hi[2], pred;

  g_test_summary ("predict --level and spec limits: the interval around the prediction widens with the level, "
                  "p_in_spec with its words; a bad level or crossed limits are usage errors");
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) p = NULL;
      JsonObject *o, *in, *lim;
      double ps;

      g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--json", "--query", q,
                            "--level", i == 0 ? "0.8" : "0.95", "--spec-lower", "290", NULL), ==, 0);
      o = parse_object (out, &p);
      pred = json_object_get_double_member (o, "prediction");
      in = json_object_get_object_member (o, "interval");
      g_assert_nonnull (in);
      g_assert_cmpfloat (json_object_get_double_member (in, "level"), ==, i == 0 ? 0.8 : 0.95);
      lo[i] = json_object_get_double_member (in, "lower");
      hi[i] = json_object_get_double_member (in, "upper");
      g_assert_cmpfloat (lo[i], <=, pred);
      g_assert_cmpfloat (hi[i], >=, pred);
      ps = json_object_get_double_member (o, "p_in_spec");
      g_assert_cmpfloat (ps, >=, 0);
      g_assert_cmpfloat (ps, <=, 1);
      g_assert_nonnull (json_object_get_string_member (o, "spec"));
      lim = json_object_get_object_member (o, "spec_limits");
      g_assert_cmpfloat (json_object_get_double_member (lim, "lower"), ==, 290);
      g_assert_true (json_object_get_null_member (lim, "upper"));
    }
  g_assert_cmpfloat (lo[1], <=, lo[0]);
  g_assert_cmpfloat (hi[1], >=, hi[0]);
  {
    g_autofree char *out = NULL, *err = NULL;

    /* without limits: no p_in_spec member at all, the interval at the default 0.9 */
    g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--query", q, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "90 % of outcomes like this one fall between "));
    g_assert_null (strstr (out, "spec:"));
  }
  for (int bad = 0; bad < 3; bad++)
    {
      g_autofree char *out = NULL, *err = NULL;

      if (bad < 2)
        g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--query", q, "--level",
                              bad == 0 ? "90" : "0", NULL), ==, 2);
      else
        g_assert_cmpint (run (&out, &err, "predict", path, "--target", "strength", "--query", q,
                              "--spec-lower", "300", "--spec-upper", "290", NULL), ==, 2);
      g_assert_nonnull (strstr (err, bad < 2 ? "level" : "above the upper"));
    }
}

static void
test_diagnose (void)
{
  g_autofree char *path = sample ("kiln.csv");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  JsonArray *cases;

  g_assert_cmpint (run (&out, &err, "diagnose", path, "--target", "density", "--json", NULL), ==, 0);
  o = parse_object (out, &p);
  g_assert_cmpint (json_object_get_int_member (o, "d"), ==, 2);
  cases = json_object_get_array_member (o, "cases");
  g_assert_cmpint ((gint64) json_array_get_length (cases), ==, json_object_get_int_member (o, "n"));
  g_assert_cmpfloat (json_object_get_double_member (o, "noise_sd"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "lipschitz"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "loo_mse_softmax"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (o, "loo_mse_linear"), >, 0);
  for (guint i = 0; i < json_array_get_length (cases); i += 97)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_assert_cmpint (json_object_get_int_member (c, "row"), ==, (gint64) i + 2);
      g_assert_cmpfloat (json_object_get_double_member (c, "n_eff"), >=, 1);
      g_assert_true (json_object_has_member (c, "local_lipschitz"));
      g_assert_true (json_object_has_member (c, "local_noise_sd"));
    }
}

static void
test_bench (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) p = NULL;
  JsonObject *o;
  double pairs, roof;

  g_assert_cmpint (run (&out, &err, "bench", "--n", "3000", "--queries", "300", "--fit-n", "500", "--fit-d", "3",
                        "--json", NULL), ==, 0);
  o = parse_object (out, &p);
  pairs = json_object_get_double_member (o, "pairs_per_second");
  roof = json_object_get_double_member (o, "roofline_pairs_per_second");
  g_assert_cmpfloat (pairs, >, 0);
  g_assert_cmpfloat (fabs (json_object_get_double_member (o, "ratio") - pairs / roof), <=, 1e-12);
  g_assert_cmpfloat (roof, <=, json_object_get_double_member (o, "exp_per_second") * (1 + 1e-12));
  g_assert_cmpfloat (roof, <=, json_object_get_double_member (o, "gemm_gflops") * 1e9 / (2 * 18) * (1 + 1e-12));
  g_assert_cmpfloat (json_object_get_double_member (o, "loo_fit_seconds"), >, 0);
  g_assert_cmpint (json_object_get_int_member (o, "loo_fit_passes"), <=, 15);
  g_assert_cmpint (json_object_get_int_member (o, "loo_fit_passes"), >=, 3);
  /* the machine roofline is the stated formula of the two measured rates (d = 16 by default: 18 FMA a pair) */
  {
    double f = json_object_get_double_member (o, "fma_lanes_per_second");
    double e = json_object_get_double_member (o, "exp_per_second");
    double mroof = json_object_get_double_member (o, "machine_roofline_pairs_per_second");
    double plain = json_object_get_double_member (o, "plain_batch_seconds");
    double flagged = json_object_get_double_member (o, "flagged_batch_seconds");
    g_assert_cmpfloat (f, >, 0);
    g_assert_cmpfloat (fabs (mroof - 1.0 / (18.0 / f + 1.0 / e)), <=, 1e-12 * mroof);
    g_assert_cmpfloat (fabs (json_object_get_double_member (o, "machine_ratio") - pairs / mroof), <=, 1e-12);
    g_assert_cmpfloat (json_object_get_double_member (o, "pairs_per_second_gemm_path"), >, 0);
    g_assert_nonnull (json_object_get_string_member (o, "kernel_isa"));
    g_assert_cmpfloat (plain, >, 0);
    g_assert_cmpfloat (flagged, >, 0);
    g_assert_cmpfloat (fabs (json_object_get_double_member (o, "flagged_over_plain") - flagged / plain), <=,
                       1e-12 * flagged / plain);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* --no-flagged leaves the flagged batch out */
  g_assert_cmpint (run (&out, &err, "bench", "--n", "2000", "--queries", "50", "--fit-n", "300", "--fit-d", "2",
                        "--no-flagged", "--json", NULL), ==, 0);
  g_clear_object (&p);
  o = parse_object (out, &p);
  g_assert_false (json_object_has_member (o, "flagged_batch_seconds"));
  g_assert_true (json_object_has_member (o, "plain_batch_seconds"));
}

/* A case base with one bad cell: every command that reads it names the row on stderr as inspect does
 * (FILE:LINE:COLUMN: message) and in --json (problems, rows_skipped), and still succeeds with the other rows. */
static void
test_bad_row_reported (void)
{
  g_autofree char *src = sample ("press-line.csv");
  g_autofree char *path = g_build_filename (tmpdir, "bad-row.csv", NULL);
  g_autofree char *png = g_build_filename (tmpdir, "bad-row.png", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *want = NULL;
  const char *const commands[][16] = {
    { "fit", NULL },
    { "predict", "--query", "temperature=215,pressure=90,speed=15,humidity=50", NULL },
    { "diagnose", NULL },
    { "export", "--chart", "window", "--out", NULL },
  };
  guint bad_column = 0;

  g_test_summary ("fit, predict, diagnose and export name a row they leave out, on stderr and in the JSON");
  g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  {
    /* Line 6 (the 5th case): its 'speed' cell becomes text. */
    g_auto(GStrv) head = g_strsplit (lines[0], ",", -1);
    g_auto(GStrv) cells = g_strsplit (lines[5], ",", -1);
    for (guint c = 0; head[c] != NULL; c++)
      if (g_str_has_prefix (head[c], "speed"))
        bad_column = c;
    g_assert_cmpuint (bad_column, >, 0);
    g_free (cells[bad_column]);
    cells[bad_column] = g_strdup ("fifteen");
    g_free (lines[5]);
    lines[5] = g_strjoinv (",", cells);
  }
  {
    g_autofree char *joined = g_strjoinv ("\n", lines);
    g_assert_true (g_file_set_contents (path, joined, -1, NULL));
  }
  want = g_strdup_printf ("%s:6:%u: ", path, bad_column + 1);
  for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *o;
      JsonArray *problems;
      GPtrArray *argv = g_ptr_array_new ();
      int status = -1;
      g_autoptr(GError) error = NULL;
      gboolean named = FALSE;

      g_ptr_array_add (argv, (char *) cli);
      g_ptr_array_add (argv, (char *) commands[k][0]);
      g_ptr_array_add (argv, path);
      g_ptr_array_add (argv, "--target");
      g_ptr_array_add (argv, "strength");
      g_ptr_array_add (argv, "--json");
      for (guint a = 1; commands[k][a] != NULL; a++)
        g_ptr_array_add (argv, (char *) commands[k][a]);
      if (k == 3)
        g_ptr_array_add (argv, png);
      g_ptr_array_add (argv, NULL);
      g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                   &status, &error));
      g_assert_no_error (error);
      g_ptr_array_free (argv, TRUE);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_assert_nonnull (strstr (err, want));
      g_assert_nonnull (strstr (err, "fifteen"));
      o = parse_object (out, &parser);
      g_assert_cmpint (json_object_get_int_member (o, "rows_skipped"), ==, 1);
      problems = json_object_get_array_member (o, "problems");
      for (guint i = 0; i < json_array_get_length (problems); i++)
        {
          JsonObject *p = json_array_get_object_element (problems, i);
          if (json_object_get_int_member (p, "line") == 6
              && json_object_get_int_member (p, "column") == (gint64) bad_column + 1)
            named = TRUE;
        }
      g_assert_true (named);
    }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  /* the path of casescope-cli comes as the one argument (meson passes it) */
  cli = argc > 1 ? argv[1] : g_getenv ("CASESCOPE_CLI");
  if (cli == NULL)
    {
      g_print ("1..0 # SKIP no casescope-cli path given\n");
      return 0;
    }
  samples = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", NULL);
  tmpdir = g_dir_make_tmp ("cs-cli-model-XXXXXX", NULL);
  g_test_add_func ("/cs/model/cli/fit", test_fit);
  g_test_add_func ("/cs/model/cli/fit-queries", test_fit_queries);
  g_test_add_func ("/cs/model/cli/predict", test_predict);
  g_test_add_func ("/cs/model/cli/predict-epsilon", test_predict_epsilon);
  g_test_add_func ("/cs/model/cli/predict-interval", test_predict_interval);
  g_test_add_func ("/cs/model/cli/diagnose", test_diagnose);
  g_test_add_func ("/cs/model/cli/bench", test_bench);
  g_test_add_func ("/cs/model/cli/bad-row-reported", test_bad_row_reported);
  rc = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (samples);
  return rc;
}
