/* test-model-file.c: model files round-trip exactly, version 1 files still load (with a note), newer versions,
 * invalid files and other columns are refused, another case base is noted, files are hashed in chunks. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-attention.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-window-pref.h"
#include "cs-engine-model.h"
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
 * strength --save, before version 2) still loads, says what it lacks, and is written back as version 3. */
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
  g_assert_cmpuint (m->notes->len, ==, 3);
  g_assert_nonnull (strstr (m->notes->pdata[0], "version 1 model file"));
  g_assert_nonnull (strstr (m->notes->pdata[0], "linear baseline error"));
  g_assert_nonnull (strstr (m->notes->pdata[1], "version 1 model file"));
  g_assert_nonnull (strstr (m->notes->pdata[1], "does not record which case base"));
  g_assert_nonnull (strstr (m->notes->pdata[2], "measured again"));
  /* nothing recorded: no mismatch to report, whatever the base */
  g_assert_null (cs_model_file_describe_base_mismatch (m, SHA_A, 1400));

  g_assert_true (cs_model_file_save (m, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"version\" : 3"));
  back = cs_model_file_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->version, ==, 3);
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
  /* the one note: a version 2 file stores no measurements ("baselines" above is not read from version 2) */
  g_assert_cmpuint (m->notes->len, ==, 1);
  g_assert_nonnull (strstr (m->notes->pdata[0], "measured again"));
  g_assert_cmpuint (m->numbers->len, ==, 0);
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

/* ---- What a fit measured, stored in the model file (version 3) ---- */

/* A case base of n cases, 3 features at different scales, the outcome smooth in the first two plus noise,
 * loaded through the importer (which records its SHA-256, as for a file). */
static CsCaseBase *
engine_base (gsize   n,
             guint32 seed)
{
  g_autoptr(GString) csv = g_string_new ("a,b,c,y\n");
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  CsCsvOptions options;
  CsCaseBase *cb;

  for (gsize i = 0; i < n; i++)
    {
      double a = g_rand_double_range (rng, -1, 1), b = g_rand_double_range (rng, -1, 1);
      double c = g_rand_double_range (rng, -1, 1);
      double y = sin (2.5 * a) + 0.5 * b * b + 0.1 * g_rand_double_range (rng, -1, 1);
      g_string_append_printf (csv, "%.6f,%.6f,%.6f,%.6f\n", 10 * a + 100, b, 1000 * c, y);
    }
  bytes = g_string_free_to_bytes (g_steal_pointer (&csv));
  cs_csv_options_init (&options);
  options.target = "y";
  cb = cs_csv_load_bytes (bytes, "engine-base.csv", &options, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cb->sha256);
  return cb;
}

/* The stages a build reported, one line each. */
static void
record_stage (double      fraction,
              const char *stage,
              gpointer    user_data)
{
  GString *stages = user_data;
  g_autofree char *line = g_strdup_printf ("%s\n", stage);

  (void) fraction;
  if (strstr (stages->str, line) == NULL)
    g_string_append (stages, line);
}

/* Build over cases with mf (NULL: fit a scalar metric), recording the stages in stages. */
static CsEngine *
build_with (CsCaseBase        *cases,
            const CsModelFile *mf,
            gboolean           use_stored,
            GString           *stages)
{
  g_autoptr(GError) error = NULL;
  CsEngineOptions options;
  CsMetric storage = { 0 };
  CsEngine *engine;

  cs_engine_options_init (&options);
  if (mf != NULL)
    {
      g_assert_true (cs_engine_options_use_model (&options, mf, &storage, &error));
      g_assert_no_error (error);
      g_assert_true (options.model == mf);
      if (!use_stored)
        options.model = NULL;   /* the same metric and standardisation, measured again */
    }
  engine = cs_engine_build_full (cases, &options, record_stage, stages, NULL, &error);
  cs_metric_clear (&storage);
  g_assert_no_error (error);
  return engine;
}

static char *
save_engine (CsEngine   *engine,
             const char *dir,
             const char *name)
{
  g_autoptr(CsModelFile) mf = cs_engine_to_model_file (engine, NULL, engine->cases->sha256, 4);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (cs_model_file_save (mf, path, NULL, &error));
  g_assert_no_error (error);
  return path;
}

/* Queries around the cases (some outside their range, for the flags). */
static double *
make_queries (gsize   q,
              guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  double *x = g_new (double, q * 3);

  for (gsize i = 0; i < q; i++)
    {
      x[i * 3 + 0] = 100 + 12 * g_rand_double_range (rng, -1, 1);
      x[i * 3 + 1] = 1.2 * g_rand_double_range (rng, -1, 1);
      x[i * 3 + 2] = 1000 * g_rand_double_range (rng, -1, 1);
    }
  return x;
}

static void
check_model_round_trip (gsize   n,
                        guint32 seed)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autoptr(GString) fresh_stages = g_string_new ("");
  g_autoptr(GString) stored_stages = g_string_new ("");
  g_autoptr(GString) measured_stages = g_string_new ("");
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = engine_base (n, seed);
  g_autoptr(CsEngine) fresh = build_with (cases, NULL, FALSE, fresh_stages);
  g_autofree char *path = save_engine (fresh, dir, "m.json");
  g_autofree char *side = cs_model_file_sidecar_path (path);
  g_autoptr(CsModelFile) mf = cs_model_file_load (path, &error);
  g_autoptr(CsEngine) stored = NULL;
  g_autoptr(CsEngine) measured = NULL;
  const gsize q = 40;
  g_autofree double *queries = make_queries (q, seed + 1);
  CsQueryResult **a, **b;
  double v;

  g_assert_no_error (error);
  g_assert_cmpint (mf->version, ==, 3);
  g_assert_cmpuint (mf->notes->len, ==, 0);
  g_assert_true (g_file_test (side, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (mf->column_count, ==, fresh->n_sample);

  /* Each stored number is the very value the fit measured: the JSON holds 17 significant digits, which read
   * back to the same double, so == compares one stored value with itself, not two computations. */
  g_assert_true (cs_model_file_lookup_number (mf, "baselines", "noise_sd", &v) && v == fresh->flag_base.noise_sd);
  g_assert_true (cs_model_file_lookup_number (mf, "baselines", "lipschitz", &v) && v == fresh->flag_base.lipschitz);
  g_assert_true (cs_model_file_lookup_number (mf, "baselines", "nn_distance", &v)
                 && v == fresh->flag_base.nn_distance);
  g_assert_true (cs_model_file_lookup_number (mf, "baselines", "window", &v) && v == fresh->flag_base.window);
  g_assert_true (cs_model_file_lookup_number (mf, "diagnostics", "theory_radius", &v)
                 && v == fresh->global.theory_radius);

  stored = build_with (cases, mf, TRUE, stored_stages);
  measured = build_with (cases, mf, FALSE, measured_stages);
  /* The build from the model took the measurements; the same build without them measured. */
  g_assert_nonnull (strstr (stored_stages->str, "Taking the fit's measurements from the model file"));
  g_assert_null (strstr (stored_stages->str, "Diagnosing the case base"));
  g_assert_null (strstr (stored_stages->str, "Measuring the window"));
  g_assert_nonnull (strstr (measured_stages->str, "Diagnosing the case base"));
  g_assert_nonnull (strstr (measured_stages->str, "Measuring the window"));
  g_assert_nonnull (strstr (fresh_stages->str, "Diagnosing the case base"));

  /* The same stored values (== on the same stored doubles, as above). */
  g_assert_true (stored->flag_base.noise_sd == fresh->flag_base.noise_sd);
  g_assert_true (stored->flag_base.lipschitz == fresh->flag_base.lipschitz);
  g_assert_true (stored->flag_base.nn_distance == fresh->flag_base.nn_distance);
  g_assert_true (stored->flag_base.window == fresh->flag_base.window);
  g_assert_true (stored->flag_base.nn_distance_high == fresh->flag_base.nn_distance_high
                 || (isnan (stored->flag_base.nn_distance_high) && isnan (fresh->flag_base.nn_distance_high)));
  g_assert_true (stored->global.noise_sd == fresh->global.noise_sd);
  g_assert_true (stored->global.lipschitz == fresh->global.lipschitz);
  g_assert_true (stored->radius90_median == fresh->radius90_median);
  g_assert_true (stored->loo_mse_linear == fresh->loo_mse_linear);
  g_assert_true (stored->noise_sd == fresh->noise_sd);
  g_assert_cmpuint (stored->n_sample, ==, fresh->n_sample);
  for (gsize k = 0; k < fresh->n_sample; k++)
    {
      g_assert_cmpuint (stored->sample_rows[k], ==, fresh->sample_rows[k]);
      g_assert_cmpuint (stored->sample_nn[k], ==, fresh->sample_nn[k]);
      g_assert_true (stored->sample_nn_distance[k] == fresh->sample_nn_distance[k]);
      g_assert_true (memcmp (&stored->sample_local[k], &fresh->sample_local[k], sizeof (CsLocalDiagnostics)) == 0);
      g_assert_true (fresh->window_ratio != NULL && stored->window_ratio != NULL
                     && stored->window_ratio[k] == fresh->window_ratio[k]);
    }
  /* The window the data asks for is taken only from a file of the engine's rule: the same file with another
   * rule (as a file saved under the older smoothed-minimum rule) has it measured again on open. */
  g_assert_null (strstr (stored_stages->str, "Measuring the preferred window"));
  {
    g_autoptr(GString) other_stages = g_string_new ("");
    g_autoptr(CsEngine) other = NULL;

    cs_model_file_set_number (mf, "engine", "window_ratio_rule", CS_WINDOW_PREF_RULE_SMOOTHED);
    other = build_with (cases, mf, TRUE, other_stages);
    g_assert_nonnull (strstr (other_stages->str, "Taking the fit's measurements from the model file"));
    g_assert_nonnull (strstr (other_stages->str, "Measuring the preferred window"));
    g_assert_nonnull (other->window_ratio);
    cs_model_file_set_number (mf, "engine", "window_ratio_rule", CS_WINDOW_PREF_RULE_INTERSECT);
  }
  /* The loss cases' residuals and spreads (the intervals' material), packed into the sidecar in columns of the
   * sample's count (several of them past CS_ENGINE_PER_CASE_MAX cases): the same stored doubles, NaN where a
   * case is not a loss case. */
  g_assert_nonnull (stored->loo_residual);
  g_assert_nonnull (stored->loo_scale);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (stored->loo_residual[i] == fresh->loo_residual[i]
                     || (isnan (stored->loo_residual[i]) && isnan (fresh->loo_residual[i])));
      g_assert_true (stored->loo_scale[i] == fresh->loo_scale[i]
                     || (isnan (stored->loo_scale[i]) && isnan (fresh->loo_scale[i])));
    }
  /* The residual scales too: taken from the sidecar (the same stored doubles), not measured again at the open,
   * and measured again (alike to rounding) without the model's measurements. */
  g_assert_nonnull (fresh->loo_abs_scale);
  g_assert_nonnull (stored->loo_abs_scale);
  g_assert_nonnull (measured->loo_abs_scale);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_true (stored->loo_abs_scale[i] == fresh->loo_abs_scale[i]
                     || (isnan (stored->loo_abs_scale[i]) && isnan (fresh->loo_abs_scale[i])));
      if (isnan (fresh->loo_abs_scale[i]))
        g_assert_true (isnan (measured->loo_abs_scale[i]));
      else
        g_assert_cmpfloat_with_epsilon (measured->loo_abs_scale[i], fresh->loo_abs_scale[i],
                                        1e-9 * fabs (fresh->loo_abs_scale[i]));
    }
  /* Taken, not measured again: a scale doubled in the model's first column shows in the engine opened from it;
   * under another epsilon than the fit's the open measures its own (alike to rounding, as above). */
  {
    const double *col = cs_model_file_get_column (mf, "loo_abs_scale.0");
    gsize m = mf->column_count, doubled = 0;
    g_autofree double *twice = g_new (double, MAX (m, 1));
    g_autofree double *orig = NULL;
    g_autoptr(GString) altered_stages = g_string_new ("");
    g_autoptr(GString) other_stages = g_string_new ("");
    g_autoptr(CsEngine) altered = NULL, other = NULL;
    double eps;

    g_assert_nonnull (col);
    orig = g_memdup2 (col, MAX (m, 1) * sizeof (double));
    g_assert_true (cs_model_file_lookup_number (mf, "engine", "abs_scale_epsilon", &eps) && eps == fresh->epsilon);
    for (gsize i = 0; i < m; i++)
      twice[i] = 2 * orig[i];
    cs_model_file_set_column (mf, "loo_abs_scale.0", twice, m);
    altered = build_with (cases, mf, TRUE, altered_stages);
    for (gsize i = 0; i < n; i++)
      if (isfinite (fresh->loo_abs_scale[i]) && fresh->loo_abs_scale[i] > 0)
        {
          doubled += altered->loo_abs_scale[i] == 2 * fresh->loo_abs_scale[i];
          g_assert_true (altered->loo_abs_scale[i] == 2 * fresh->loo_abs_scale[i]
                         || altered->loo_abs_scale[i] == fresh->loo_abs_scale[i]);
        }
    g_assert_cmpuint (doubled, >, 0);
    cs_model_file_set_number (mf, "engine", "abs_scale_epsilon", fresh->epsilon * 2 + 1e-3);
    other = build_with (cases, mf, TRUE, other_stages);
    for (gsize i = 0; i < n; i++)
      if (isfinite (fresh->loo_abs_scale[i]))
        g_assert_cmpfloat_with_epsilon (other->loo_abs_scale[i], fresh->loo_abs_scale[i],
                                        1e-9 * fabs (fresh->loo_abs_scale[i]));
    /* the model as saved again, for what follows */
    cs_model_file_set_column (mf, "loo_abs_scale.0", orig, m);
    cs_model_file_set_number (mf, "engine", "abs_scale_epsilon", fresh->epsilon);
  }
  g_assert_cmpmem (&stored->thresholds, sizeof stored->thresholds, &fresh->thresholds, sizeof fresh->thresholds);
  g_assert_true ((stored->case_verdict != NULL) == (fresh->case_verdict != NULL));
  if (fresh->case_verdict != NULL)
    {
      g_assert_cmpmem (stored->case_verdict, n * sizeof (CsVerdict), fresh->case_verdict, n * sizeof (CsVerdict));
      g_assert_cmpmem (stored->case_flags, n, fresh->case_flags, n);
    }
  /* Measured again under the same metric, the baselines come out alike (the same computation on the same
   * numbers; a tolerance because the leave-one-out passes run on threads whose sums may associate otherwise). */
  g_assert_cmpfloat_with_epsilon (measured->flag_base.noise_sd, fresh->flag_base.noise_sd,
                                  1e-9 * fabs (fresh->flag_base.noise_sd));
  g_assert_cmpfloat_with_epsilon (measured->flag_base.nn_distance, fresh->flag_base.nn_distance,
                                  1e-9 * fabs (fresh->flag_base.nn_distance));

  /* Predictions and flags: the fresh engine and the one from its model run the same query code on the same
   * metric, standardisation and baselines (all the same stored doubles), so they agree to rounding; the
   * tolerance only allows for threads summing in another order. Verdicts and flag kinds are exact. */
  a = cs_engine_predict (fresh, queries, q, NULL, 5, NULL, &error);
  g_assert_no_error (error);
  b = cs_engine_predict (stored, queries, q, NULL, 5, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < q; i++)
    {
      g_assert_cmpint (a[i]->valid, ==, b[i]->valid);
      g_assert_cmpfloat_with_epsilon (a[i]->prediction.prediction, b[i]->prediction.prediction,
                                      1e-12 * (1 + fabs (a[i]->prediction.prediction)));
      g_assert_cmpint (a[i]->report.verdict, ==, b[i]->report.verdict);
      /* the interval: the same residuals under weights that agree to rounding (a weight at a quantile's edge
       * could pick the neighbouring residual, which these continuous data do not do) */
      g_assert_cmpfloat_with_epsilon (a[i]->interval.lower, b[i]->interval.lower,
                                      1e-9 * (1 + fabs (a[i]->interval.lower)));
      g_assert_cmpfloat_with_epsilon (a[i]->interval.upper, b[i]->interval.upper,
                                      1e-9 * (1 + fabs (a[i]->interval.upper)));
      g_assert_cmpuint (a[i]->report.n_flags, ==, b[i]->report.n_flags);
      for (gsize f = 0; f < a[i]->report.n_flags; f++)
        {
          g_assert_cmpint (a[i]->report.flags[f].kind, ==, b[i]->report.flags[f].kind);
          g_assert_cmpint (a[i]->report.flags[f].severity, ==, b[i]->report.flags[f].severity);
        }
    }
  cs_engine_results_free (a, q);
  cs_engine_results_free (b, q);

  g_unlink (side);
  g_unlink (path);
  g_rmdir (dir);
  cs_case_base_unref (cases);
}

static void
test_measures_round_trip (void)
{
  g_test_summary ("A model saved then loaded gives the fit's very baselines, diagnostics and per-case sample, "
                  "the build from it measures nothing, and its predictions and flags are the fresh engine's");
  check_model_round_trip (300, 7);
  /* past the per-case maximum: a sample of the cases, not all of them */
  check_model_round_trip (CS_ENGINE_PER_CASE_MAX + 300, 8);
}

/* A version 2 file (no measurements) still loads, with a note, and the engine measures. A version 3 model of
 * another case base (other bytes, same columns and rows) is measured again too. */
static void
test_measures_version2_and_other_base (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autoptr(GString) stages = g_string_new ("");
  g_autoptr(GString) other_stages = g_string_new ("");
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = engine_base (200, 21);
  CsCaseBase *other = engine_base (200, 22);
  g_autoptr(CsEngine) fresh = build_with (cases, NULL, FALSE, stages);
  g_autofree char *path = save_engine (fresh, dir, "m.json");
  g_autofree char *side = cs_model_file_sidecar_path (path);
  g_autofree char *v2path = g_build_filename (dir, "v2.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(CsModelFile) mf = cs_model_file_load (path, &error);
  g_autoptr(CsModelFile) v2 = NULL;
  g_autoptr(CsEngine) from_v2 = NULL;
  g_autoptr(CsEngine) on_other = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_no_error (error);
  /* a version 2 file as the version 2 writer wrote it: the same members, without the new ones */
  root = cs_model_file_to_json (mf);
  json_object_set_int_member (json_node_get_object (root), "version", 2);
  json_object_remove_member (json_node_get_object (root), "baselines");
  json_object_remove_member (json_node_get_object (root), "diagnostics");
  json_object_remove_member (json_node_get_object (root), "engine");
  json_object_remove_member (json_node_get_object (root), "base_fingerprint");
  text = json_to_string (root, TRUE);
  g_assert_true (g_file_set_contents (v2path, text, -1, NULL));
  v2 = cs_model_file_load (v2path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (v2->version, ==, 2);
  g_assert_cmpuint (v2->notes->len, ==, 1);
  g_assert_nonnull (strstr (v2->notes->pdata[0], "version 2 model file"));
  g_string_truncate (stages, 0);
  from_v2 = build_with (cases, v2, TRUE, stages);
  g_assert_nonnull (strstr (stages->str, "Diagnosing the case base"));
  g_assert_null (strstr (stages->str, "Taking the fit's measurements"));
  g_assert_true (from_v2->have_diagnostics);
  g_assert_cmpfloat_with_epsilon (from_v2->flag_base.noise_sd, fresh->flag_base.noise_sd,
                                  1e-9 * fabs (fresh->flag_base.noise_sd));   /* measured again, see above */

  on_other = build_with (other, mf, TRUE, other_stages);
  g_assert_nonnull (strstr (other_stages->str, "Diagnosing the case base"));
  g_assert_null (strstr (other_stages->str, "Taking the fit's measurements"));
  g_assert_true (on_other->flag_base.noise_sd != fresh->flag_base.noise_sd);

  g_unlink (v2path);
  g_unlink (side);
  g_unlink (path);
  g_rmdir (dir);
  cs_case_base_unref (cases);
  cs_case_base_unref (other);
}

/* A fit on its own number of loss cases (fit --queries): the build from its model reports that number and the
 * radius measured on them, and measures nothing. */
static void
test_measures_own_loss_cases (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autoptr(GString) stages = g_string_new ("");
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = engine_base (240, 41);
  CsEngineOptions options;
  g_autoptr(CsEngine) fresh = NULL;
  g_autoptr(CsEngine) stored = NULL;
  g_autoptr(CsModelFile) mf = NULL;
  g_autofree char *path = NULL, *side = NULL;

  cs_engine_options_init (&options);
  options.loss_cases = 60;
  fresh = cs_engine_build_full (cases, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fresh->policy.loss_cases, ==, 60);
  path = save_engine (fresh, dir, "m.json");
  side = cs_model_file_sidecar_path (path);
  mf = cs_model_file_load (path, &error);
  g_assert_no_error (error);
  stored = build_with (cases, mf, TRUE, stages);
  g_assert_null (strstr (stages->str, "Measuring the window"));
  g_assert_null (strstr (stages->str, "Diagnosing the case base"));
  g_assert_cmpuint (stored->policy.loss_cases, ==, 60);
  g_assert_true (stored->radius90_median == fresh->radius90_median);   /* the same stored double */
  g_unlink (side);
  g_unlink (path);
  g_rmdir (dir);
  cs_case_base_unref (cases);
}

static void
expect_sidecar_refused (const char *path,
                        const char *side,
                        const char *fragment)
{
  g_autoptr(GError) error = NULL;
  CsModelFile *m = cs_model_file_load (path, &error);

  g_assert_null (m);
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE);
  g_assert_nonnull (strstr (error->message, side));
  g_assert_nonnull (strstr (error->message, fragment));
}

/* A sidecar that is corrupt, missing, another model's or of another shape is refused, naming it. */
static void
test_sidecar_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-model-file-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = engine_base (150, 31);
  CsCaseBase *other = engine_base (160, 32);
  g_autoptr(GString) stages = g_string_new ("");
  g_autoptr(CsEngine) e1 = build_with (cases, NULL, FALSE, stages);
  g_autoptr(CsEngine) e2 = build_with (other, NULL, FALSE, stages);
  g_autofree char *p1 = save_engine (e1, dir, "a.json");
  g_autofree char *p2 = save_engine (e2, dir, "b.json");
  g_autofree char *s1 = cs_model_file_sidecar_path (p1);
  g_autofree char *s2 = cs_model_file_sidecar_path (p2);
  g_autofree char *bytes = NULL, *bytes2 = NULL, *json = NULL;
  gsize len, len2;

  g_assert_true (g_file_get_contents (s1, &bytes, &len, NULL));
  g_assert_true (g_file_get_contents (s2, &bytes2, &len2, NULL));
  g_assert_cmpmem (bytes, 8, CS_MODEL_SIDECAR_MAGIC, 8);
  /* one bit of one double flipped */
  bytes[len - 3] ^= 0x10;
  g_assert_true (g_file_set_contents (s1, bytes, len, NULL));
  expect_sidecar_refused (p1, s1, "does not belong to it");
  /* another model's sidecar in its place */
  g_assert_true (g_file_set_contents (s1, bytes2, len2, NULL));
  expect_sidecar_refused (p1, s1, "does not belong to it");
  /* a sidecar of another shape whose SHA-256 the JSON records (a hand-edited JSON): the shape is checked */
  g_assert_true (g_file_get_contents (p1, &json, NULL, NULL));
  {
    g_autofree char *want = NULL, *sha2 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes2, len2);
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *pc;

    g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
    root = json_node_copy (json_parser_get_root (parser));
    pc = json_object_get_object_member (json_node_get_object (root), "per_case");
    json_object_set_string_member (pc, "sha256", sha2);
    want = json_to_string (root, TRUE);
    g_assert_true (g_file_set_contents (p1, want, -1, NULL));
    expect_sidecar_refused (p1, s1, "not a version 1 sidecar");
  }
  /* missing */
  g_unlink (s1);
  expect_sidecar_refused (p1, s1, "cannot be read");

  g_unlink (s2);
  g_unlink (p1);
  g_unlink (p2);
  g_rmdir (dir);
  cs_case_base_unref (cases);
  cs_case_base_unref (other);
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
  g_test_add_func ("/cs/model/file/measures-round-trip", test_measures_round_trip);
  g_test_add_func ("/cs/model/file/measures-version2-other-base", test_measures_version2_and_other_base);
  g_test_add_func ("/cs/model/file/measures-own-loss-cases", test_measures_own_loss_cases);
  g_test_add_func ("/cs/model/file/sidecar-refused", test_sidecar_refused);
  return g_test_run ();
}
