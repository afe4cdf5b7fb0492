/* test-model-file.c: model files round-trip exactly, invalid files and other columns are refused. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-attention.h"
#include "cs-data-error.h"
#include "cs-model-file.h"
#include "cs-rng.h"

static CsModelFile *
make_model (CsModelMetricKind kind, gsize d, guint64 seed)
{
  CsModelFile *m = cs_model_file_new (d);
  CsRng rng;

  cs_rng_seed (&rng, seed);
  m->source = g_strdup ("base.csv");
  m->target = g_strdup ("strength");
  for (gsize j = 0; j < d; j++)
    {
      m->features[j] = g_strdup_printf ("f%zu", (size_t) j);
      m->mean[j] = cs_rng_normal (&rng) * 100;
      m->sd[j] = 0.01 + cs_rng_uniform (&rng) * 20;
    }
  m->mean[0] = 1e22;   /* "1e+22": no '.' either */
  m->kind = kind;
  m->scale = 0.5 + 10 * cs_rng_uniform (&rng);
  if (kind == CS_MODEL_METRIC_DIAGONAL)
    {
      m->diag = g_new (double, d);
      for (gsize j = 0; j < d; j++)
        m->diag[j] = j == 0 ? 0.0 : cs_rng_uniform (&rng) * 1e3;
    }
  if (kind == CS_MODEL_METRIC_FULL)
    {
      m->rank = d > 1 ? d - 1 : 1;
      m->A = g_new (double, m->rank * d);
      for (gsize i = 0; i < m->rank * d; i++)
        m->A[i] = cs_rng_normal (&rng) * 1e-3;   /* tiny values must survive too */
      /* Numbers printed without a '.' (json-glib 1.6 wrote 1e-300 as "1e-300.0", invalid JSON). */
      m->A[0] = 1e-300;
    }
  m->n = 1234;
  m->loo_mse = 0.1 + cs_rng_uniform (&rng);
  m->loo_mse_linear = NAN;   /* unknown: written as null */
  m->passes = 7;
  m->noise_sd = 0.25;
  return m;
}

static void
assert_same (const CsModelFile *a, const CsModelFile *b)
{
  g_assert_cmpuint (a->d, ==, b->d);
  g_assert_cmpstr (a->target, ==, b->target);
  g_assert_cmpstr (a->source, ==, b->source);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpint (a->dot, ==, b->dot);
  for (gsize j = 0; j < a->d; j++)
    {
      g_assert_cmpstr (a->features[j], ==, b->features[j]);
      g_assert_cmpfloat (a->mean[j], ==, b->mean[j]);   /* bit for bit: %.17g */
      g_assert_cmpfloat (a->sd[j], ==, b->sd[j]);
    }
  if (a->kind == CS_MODEL_METRIC_SCALAR)
    g_assert_cmpfloat (a->scale, ==, b->scale);
  if (a->kind == CS_MODEL_METRIC_DIAGONAL)
    for (gsize j = 0; j < a->d; j++)
      g_assert_cmpfloat (a->diag[j], ==, b->diag[j]);
  if (a->kind == CS_MODEL_METRIC_FULL)
    {
      g_assert_cmpuint (a->rank, ==, b->rank);
      for (gsize i = 0; i < a->rank * a->d; i++)
        g_assert_cmpfloat (a->A[i], ==, b->A[i]);
    }
  g_assert_cmpuint (a->n, ==, b->n);
  g_assert_cmpfloat (a->loo_mse, ==, b->loo_mse);
  g_assert_true (isnan (b->loo_mse_linear) == isnan (a->loo_mse_linear));
  g_assert_cmpint (a->passes, ==, b->passes);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  guint64 seed = 1;

  g_assert_nonnull (dir);
  for (int kind = 0; kind < 3; kind++)
    for (gsize d = 1; d <= 6; d += 5)
      {
        g_autoptr(CsModelFile) m = make_model ((CsModelMetricKind) kind, d, seed++);
        g_autoptr(CsModelFile) back = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = g_build_filename (dir, "model.json", NULL);
        g_autofree double *M = cs_model_file_get_matrix (m);
        JsonNode *node = cs_model_file_to_json (m);

        back = cs_model_file_from_json (node, &error);
        g_assert_no_error (error);
        assert_same (m, back);
        json_node_unref (node);
        g_clear_pointer (&back, cs_model_file_free);

        g_assert_true (cs_model_file_save (m, path, NULL, &error));
        g_assert_no_error (error);
        back = cs_model_file_load (path, &error);
        g_assert_no_error (error);
        assert_same (m, back);

        /* M agrees with the engine's matrix of the same metric */
        {
          CsMetric em;
          double *E = g_new (double, d * d);
          if (kind == 0)
            cs_metric_init_scalar (&em, d, m->scale);
          else if (kind == 1)
            cs_metric_init_diagonal (&em, d, m->diag);
          else
            cs_metric_init_full (&em, d, m->rank, m->A);
          cs_metric_to_matrix (&em, E);
          for (gsize i = 0; i < d * d; i++)
            g_assert_cmpfloat (fabs (E[i] - M[i]), <=, 1e-15 * (fabs (M[i]) + 1e-300));
          cs_metric_clear (&em);
          g_free (E);
        }
        g_unlink (path);
      }
  g_rmdir (dir);
}

static void
expect_refused (const char *json_text, const char *fragment)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CsModelFile *m;

  g_assert_true (json_parser_load_from_data (p, json_text, -1, NULL));
  m = cs_model_file_from_json (json_parser_get_root (p), &error);
  g_assert_null (m);
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE);
  if (strstr (error->message, fragment) == NULL)
    g_error ("message '%s' does not mention '%s'", error->message, fragment);
}

#define HEAD "\"format\":\"casescope-model\",\"version\":1,\"target\":\"y\",\"features\":[\"a\",\"b\"],"
#define SCALE "\"mean\":[0,1],\"sd\":[1,2],"

static void
test_invalid (void)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CsModelFile *m;

  /* a valid minimal file first, so the refusals below are about their one defect */
  g_assert_true (json_parser_load_from_data (p, "{" HEAD SCALE "\"metric\":{\"kind\":\"scalar\",\"scale\":2}}", -1, NULL));
  m = cs_model_file_from_json (json_parser_get_root (p), &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (m->scale, ==, 2.0);
  cs_model_file_free (m);

  expect_refused ("[1,2]", "not a JSON object");
  expect_refused ("{\"format\":\"other\"}", "format");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":2}", "version");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":1,\"features\":[]}", "features");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":1,\"features\":[\"a\",3]}", "features");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":1,\"features\":[\"a\"],\"target\":5}", "target");
  expect_refused ("{" HEAD "\"mean\":[0],\"sd\":[1,2],\"metric\":{\"kind\":\"scalar\",\"scale\":2}}", "mean");
  expect_refused ("{" HEAD "\"mean\":[0,1],\"sd\":[1,0],\"metric\":{\"kind\":\"scalar\",\"scale\":2}}", "sd");
  expect_refused ("{" HEAD "\"mean\":[0,\"x\"],\"sd\":[1,1],\"metric\":{\"kind\":\"scalar\",\"scale\":2}}", "mean");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"scalar\",\"scale\":-2}}", "scale");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"scalar\"}}", "scale");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"cubic\"}}", "kind");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"diagonal\",\"diag\":[1,-1]}}", "diag");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"diagonal\",\"diag\":[1]}}", "diag");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"full\",\"rank\":3,\"A\":[1,2,3,4,5,6]}}", "rank");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"full\",\"rank\":1,\"A\":[1,2,3]}}", "A");
  /* finite entries whose square overflows: found by fuzz-model-file */
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"full\",\"rank\":1,\"A\":[1,2e155]}}", "too large");
  expect_refused ("{" HEAD SCALE "\"metric\":{\"kind\":\"full\",\"rank\":2,\"A\":[1e154,0,1e154,1]}}", "column 0");
  expect_refused ("{" HEAD SCALE "\"score\":\"cosine\",\"metric\":{\"kind\":\"scalar\",\"scale\":1}}", "score");
  expect_refused ("{" HEAD SCALE "\"metric\":3}", "metric");

  /* not JSON at all, and a missing file */
  {
    g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "bad.json", NULL);
    g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
    g_autoptr(GError) e2 = NULL;
    g_assert_true (g_file_set_contents (path, "{\"format\": ", -1, NULL));
    g_assert_null (cs_model_file_load (path, &e2));
    g_assert_error (e2, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE);
    g_assert_nonnull (strstr (e2->message, path));
    g_clear_error (&e2);
    g_assert_null (cs_model_file_load (missing, &e2));
    g_assert_error (e2, CS_DATA_ERROR, CS_DATA_ERROR_IO);
    g_unlink (path);
    g_rmdir (dir);
  }
}

static CsCaseBase *
make_base (const char * const *names, gsize d, const char *target)
{
  CsCaseBase *b = cs_case_base_new (3, d);
  for (gsize j = 0; j < d; j++)
    cs_case_base_set_feature (b, j, names[j], "");
  cs_case_base_set_target (b, target, "");
  return b;
}

static void
test_columns (void)
{
  g_autoptr(CsModelFile) m = make_model (CS_MODEL_METRIC_SCALAR, 3, 5);
  const char *same[] = { "f0", "f1", "f2" };
  const char *swapped[] = { "f0", "f2", "f1" };
  const char *fewer[] = { "f0", "f1" };
  g_autoptr(CsCaseBase) b1 = make_base (same, 3, "strength");
  g_autoptr(CsCaseBase) b2 = make_base (swapped, 3, "strength");
  g_autoptr(CsCaseBase) b3 = make_base (fewer, 2, "strength");
  g_autoptr(CsCaseBase) b4 = make_base (same, 3, "density");
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_model_file_check_columns (m, b1, &error));
  g_assert_no_error (error);
  g_assert_false (cs_model_file_check_columns (m, b2, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (error->message, "feature 2 is 'f2', the model expects 'f1'"));
  g_clear_error (&error);
  g_assert_false (cs_model_file_check_columns (m, b3, &error));
  g_assert_nonnull (strstr (error->message, "3 features"));
  g_clear_error (&error);
  g_assert_false (cs_model_file_check_columns (m, b4, &error));
  g_assert_nonnull (strstr (error->message, "'density'"));
  g_assert_nonnull (strstr (error->message, "'strength'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/file/round-trip", test_round_trip);
  g_test_add_func ("/cs/model/file/invalid", test_invalid);
  g_test_add_func ("/cs/model/file/columns", test_columns);
  return g_test_run ();
}
