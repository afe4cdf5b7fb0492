/* test-model-file.c: model files round-trip exactly, version 1 files still load (with a note), newer versions,
 * invalid files and other columns are refused, another case base is noted, files are hashed in chunks. */
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
  /* The case-base record (version 2): a hash of random digits, counts that need more than 32 bits. */
  {
    GString *hex = g_string_new (NULL);
    for (int i = 0; i < 64; i++)
      g_string_append_c (hex, "0123456789abcdef"[(int) (cs_rng_uniform (&rng) * 16)]);
    m->source_sha256 = g_string_free (hex, FALSE);
  }
  m->source_rows = 5000000000 + seed;
  m->source_columns = d + 3;
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
  if (!isnan (a->loo_mse_linear))
    g_assert_cmpfloat (a->loo_mse_linear, ==, b->loo_mse_linear);
  g_assert_cmpint (a->passes, ==, b->passes);
  g_assert_true (isnan (b->noise_sd) == isnan (a->noise_sd));
  if (!isnan (a->noise_sd))
    g_assert_cmpfloat (a->noise_sd, ==, b->noise_sd);
  g_assert_cmpstr (a->source_sha256, ==, b->source_sha256);
  g_assert_cmpuint (a->source_rows, ==, b->source_rows);
  g_assert_cmpuint (a->source_columns, ==, b->source_columns);
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
        /* written as the newest version, read without a note */
        g_assert_cmpint (back->version, ==, CS_MODEL_FILE_VERSION);
        g_assert_cmpuint (back->notes->len, ==, 0);

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
#define HEAD2 "\"format\":\"casescope-model\",\"version\":2,\"target\":\"y\",\"features\":[\"a\",\"b\"],"
#define METRIC "\"metric\":{\"kind\":\"scalar\",\"scale\":2}"
#define SHA_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"   /* SHA-256 ("abc") */

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
  expect_refused ("{\"format\":\"casescope-model\",\"version\":0}", "version");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":1.5}", "version");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":\"2\"}", "version");
  expect_refused ("{\"format\":\"casescope-model\",\"version\":2,\"features\":[]}", "features");
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
  /* the version 2 record: malformed values are refused, never guessed */
  expect_refused ("{" HEAD2 SCALE METRIC ",\"source_sha256\":\"abc\"}", "source_sha256");
  expect_refused ("{" HEAD2 SCALE METRIC ",\"source_sha256\":\"" SHA_A "\",\"source_rows\":-1}",
                  "source_rows");
  expect_refused ("{" HEAD2 SCALE METRIC ",\"source_columns\":2.5}", "source_columns");
  expect_refused ("{" HEAD2 SCALE METRIC ",\"source_sha256\":7}", "source_sha256");

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


static CsModelFile *
parse (const char *json_text,
       GError    **error)
{
  g_autoptr(JsonParser) p = json_parser_new ();

  g_assert_true (json_parser_load_from_data (p, json_text, -1, NULL));
  return cs_model_file_from_json (json_parser_get_root (p), error);
}

/* A file exactly as the version 1 writer wrote it (casescope-cli fit data/samples/press-line.csv --target
 * strength --save, before version 2) still loads, says what it lacks, and is written back as version 2. */
static void
test_version1_fixture (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "model", "press-line-v1.json", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "v2.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(CsModelFile) m = NULL;
  g_autoptr(CsModelFile) back = NULL;
  g_autoptr(GError) error = NULL;

  m = cs_model_file_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->version, ==, 1);
  g_assert_cmpstr (m->target, ==, "strength");
  g_assert_cmpuint (m->d, ==, 4);
  g_assert_cmpstr (m->features[0], ==, "temperature");
  g_assert_cmpint (m->kind, ==, CS_MODEL_METRIC_SCALAR);
  g_assert_cmpfloat (m->scale, >, 0);
  g_assert_cmpuint (m->n, ==, 2000);
  /* filled in: the fit report's n is the number of cases it was fitted on; the file is unknown */
  g_assert_cmpuint (m->source_rows, ==, 2000);
  g_assert_null (m->source_sha256);
  g_assert_cmpuint (m->source_columns, ==, 0);
  /* its linear baseline is linear attention's leave-one-out error (24.3 in this file), not least squares: dropped */
  g_assert_true (isnan (m->loo_mse_linear));
  g_assert_cmpfloat (m->loo_mse, >, 0);
  g_assert_cmpuint (m->notes->len, ==, 2);
  g_assert_nonnull (strstr (m->notes->pdata[0], "version 1 model file"));
  g_assert_nonnull (strstr (m->notes->pdata[0], "linear baseline error"));
  g_assert_nonnull (strstr (m->notes->pdata[1], "version 1 model file"));
  g_assert_nonnull (strstr (m->notes->pdata[1], "does not record which case base"));
  /* nothing recorded: no mismatch to report, whatever the base */
  g_assert_null (cs_model_file_describe_base_mismatch (m, SHA_A, 1400));

  g_assert_true (cs_model_file_save (m, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"version\" : 2"));
  back = cs_model_file_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->version, ==, 2);
  g_assert_cmpuint (back->notes->len, ==, 0);
  assert_same (m, back);
  g_unlink (out);
  g_rmdir (dir);
}

static void
test_newer_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *v3 = g_strdup_printf ("{\"format\":\"casescope-model\",\"version\":%d,\"features\":[\"a\"]}",
                                         CS_MODEL_FILE_VERSION + 1);
  g_autofree char *want = g_strdup_printf ("written by a newer Casescope (version %d); this one reads 1 to %d",
                                           CS_MODEL_FILE_VERSION + 1, CS_MODEL_FILE_VERSION);
  CsModelFile *m = parse (v3, &error);

  g_assert_null (m);
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  g_assert_null (parse ("{\"format\":\"casescope-model\",\"version\":1e300}", &error));
  g_assert_nonnull (strstr (error->message, "newer Casescope"));
}

/* Members a later change adds within version 2 are skipped by this reader; absent version 2 members are
 * unknown. */
static void
test_forward_compatible (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsModelFile) m = parse ("{" HEAD2 SCALE METRIC ",\"baselines\":{\"knn\":[1,2]},\"residuals\":[0.5],"
                                    "\"preferred_window\":\"wide\",\"fit\":{\"n\":9,\"future\":true}}", &error);

  g_assert_no_error (error);
  g_assert_cmpint (m->version, ==, 2);
  g_assert_cmpuint (m->notes->len, ==, 0);
  g_assert_null (m->source_sha256);
  g_assert_cmpuint (m->source_rows, ==, 0);
  g_assert_cmpuint (m->source_columns, ==, 0);
  g_assert_cmpuint (m->n, ==, 9);
  g_assert_null (cs_model_file_describe_base_mismatch (m, SHA_A, 9));
}

static void
test_base_mismatch (void)
{
  const char *other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autoptr(CsModelFile) m = make_model (CS_MODEL_METRIC_SCALAR, 3, 11);
  g_autofree char *upper = NULL;
  char *note;

  g_free (m->source_sha256);
  m->source_sha256 = g_strdup (SHA_A);
  m->source_rows = 1200;
  m->source_columns = 5;

  /* the same file and rows: nothing to say (case of the hex digits does not matter) */
  g_assert_null (cs_model_file_describe_base_mismatch (m, SHA_A, 1200));
  upper = g_ascii_strup (SHA_A, -1);
  g_assert_null (cs_model_file_describe_base_mismatch (m, upper, 1200));

  /* another file */
  note = cs_model_file_describe_base_mismatch (m, other, 1400);
  g_assert_nonnull (note);
  g_assert_cmpstr (note, ==, "fitted on another case base (base.csv, 1,200 rows, file ba7816bf8f01…; "
                             "this one has 1,400 rows, file 0123456789ab…)");
  g_free (note);
  /* another file with the same number of rows still differs */
  note = cs_model_file_describe_base_mismatch (m, other, 1200);
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "another case base"));
  g_free (note);
  /* the same file, other rows used */
  note = cs_model_file_describe_base_mismatch (m, SHA_A, 1199);
  g_assert_cmpstr (note, ==, "fitted on the same file with 1,200 rows used; this one uses 1,199 rows");
  g_free (note);
  /* this base's file unknown: only rows can tell */
  g_assert_null (cs_model_file_describe_base_mismatch (m, NULL, 1200));
  note = cs_model_file_describe_base_mismatch (m, NULL, 1234567);
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "1,234,567 rows"));
  g_free (note);
  /* the model does not record its base: no note */
  g_clear_pointer (&m->source_sha256, g_free);
  g_assert_null (cs_model_file_describe_base_mismatch (m, other, 1400));
}

static void
test_file_sha256 (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autofree char *abc = g_build_filename (dir, "abc.csv", NULL);
  g_autofree char *big = g_build_filename (dir, "big.csv", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autoptr(GError) error = NULL;
  char *sha;
  CsRng rng;

  /* the FIPS 180-2 vector */
  g_assert_true (g_file_set_contents (abc, "abc", 3, NULL));
  sha = cs_file_sha256 (abc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, SHA_A);
  g_free (sha);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  sha = cs_file_sha256 (empty, &error);
  g_assert_cmpstr (sha, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_free (sha);

  /* sizes around and across the 1 MiB chunks, against GLib's one-shot hash of the same bytes */
  cs_rng_seed (&rng, 42);
  for (gsize size = (1 << 20) - 1; size <= (1 << 20) * 2 + 1; size += (1 << 20) / 2 + 1)
    {
      g_autofree guchar *bytes = g_malloc (size);
      g_autofree char *want = NULL;

      for (gsize i = 0; i < size; i++)
        bytes[i] = (guchar) (cs_rng_uniform (&rng) * 256);
      g_assert_true (g_file_set_contents (big, (const char *) bytes, (gssize) size, NULL));
      want = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, size);
      sha = cs_file_sha256 (big, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (sha, ==, want);
      g_free (sha);
    }

  /* not a regular file, or no file: refused with the name */
  g_assert_null (cs_file_sha256 (dir, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (cs_file_sha256 (missing, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "missing.csv"));
  g_unlink (abc);
  g_unlink (big);
  g_unlink (empty);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/file/round-trip", test_round_trip);
  g_test_add_func ("/cs/model/file/invalid", test_invalid);
  g_test_add_func ("/cs/model/file/columns", test_columns);
  g_test_add_func ("/cs/model/file/version1-fixture", test_version1_fixture);
  g_test_add_func ("/cs/model/file/newer-version", test_newer_version);
  g_test_add_func ("/cs/model/file/forward-compatible", test_forward_compatible);
  g_test_add_func ("/cs/model/file/base-mismatch", test_base_mismatch);
  g_test_add_func ("/cs/model/file/file-sha256", test_file_sha256);
  return g_test_run ();
}
