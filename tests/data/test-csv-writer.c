/* test-csv-writer.c: export round-trips exactly, guards formulas, never overwrites the input. */
#define G_LOG_DOMAIN "test-csv-writer"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cs-csv-loader.h"
#include "cs-csv-writer.h"
#include "cs-data-error.h"

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cs-writer-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static double
random_double (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      {
        guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
        double v;
        memcpy (&v, &bits, sizeof v);
        return isfinite (v) ? v : 0.5;
      }
    case 1:
      return ldexp (g_rand_double (rand), -1060);            /* subnormal */
    case 2:
      return g_rand_double_range (rand, -1e6, 1e6);
    case 3:
      return (double) g_rand_int_range (rand, -1000, 1000) / 10.0;
    case 4:
      return g_rand_boolean (rand) ? 1.7976931348623157e308 : -0.1;
    default:
      return 1.0 / (g_rand_int_range (rand, 1, 100) + 0.5);
    }
}

static const char * const nasty[] = {
  "a,b", "semi;colon", "q\"uote", "line\nbreak", "cr\r\nlf", "=SUM(A1:A9)", "+cmd", "@import", "-x",
  "  padded ", "Ünïcödé ✓", "-3.5", "plain",
};

/* Builds a random case base, exports it with the preset and loads it back. */
static void
round_trip (CsCsvPreset preset,
            guint32     seed)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  GRand *rand = g_rand_new_with_seed (seed);
  gsize n = (gsize) g_rand_int_range (rand, 5, 300), d = (gsize) g_rand_int_range (rand, 1, 6);
  g_autoptr(CsCaseBase) cb = cs_case_base_new (n, d);
  g_autoptr(CsCaseBase) back = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(GError) error = NULL;

  cb->ids = g_new0 (char *, n + 1);
  cb->id_name = g_strdup ("case id");
  for (gsize j = 0; j < d; j++)
    {
      g_autofree char *name = g_strdup_printf ("f%zu", j);
      cs_case_base_set_feature (cb, j, name, j % 2 ? "kg/m3" : "");
    }
  cs_case_base_set_target (cb, "strength", "MPa");
  for (gsize i = 0; i < n; i++)
    {
      cb->ids[i] = i % 3 == 0 ? g_strdup (nasty[i / 3 % G_N_ELEMENTS (nasty)]) : g_strdup_printf ("case-%zu", i);
      for (gsize j = 0; j < d; j++)
        cb->x[i * d + j] = random_double (rand);
      cb->y[i] = random_double (rand);
    }

  g_assert_true (cs_csv_write_case_base (cb, path, preset, NULL, &error));
  g_assert_no_error (error);

  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_cmpint (g_str_has_prefix (text, "\xEF\xBB\xBF"), ==, preset == CS_CSV_PRESET_EXCEL);
    g_assert_nonnull (strstr (text, "\r\n"));
  }

  back = cs_csv_load_path (path, NULL, &report, NULL, NULL, NULL, &error);
  if (error != NULL && g_getenv ("CS_KEEP") != NULL)
    {
      g_autofree char *text = NULL;
      g_file_get_contents (path, &text, NULL, NULL);
      g_printerr ("%s\n", text);
    }
  g_assert_no_error (error);
  g_assert_cmpint (report->delimiter, ==, preset == CS_CSV_PRESET_EXCEL ? ';' : ',');
  g_assert_cmpint (report->decimal_comma, ==, preset == CS_CSV_PRESET_EXCEL);
  g_assert_cmpuint (back->n, ==, n);
  g_assert_cmpuint (back->d, ==, d);
  g_assert_cmpstr (back->id_name, ==, "case id");
  g_assert_cmpstr (back->target_name, ==, "strength");
  g_assert_cmpstr (back->target_unit, ==, "MPa");
  for (gsize j = 0; j < d; j++)
    {
      g_assert_cmpstr (back->feature_names[j], ==, cb->feature_names[j]);
      g_assert_cmpstr (back->feature_units[j], ==, cb->feature_units[j]);
    }
  for (gsize i = 0; i < n; i++)
    {
      const char *id = cb->ids[i];
      g_autofree char *expected = strchr ("=+-@", id[0]) != NULL && strcmp (id, "-3.5") != 0
                                  ? g_strconcat ("'", id, NULL) : g_strdup (id);
      g_assert_cmpmem (&back->x[i * d], d * sizeof (double), &cb->x[i * d], d * sizeof (double));
      g_assert_cmpmem (&back->y[i], sizeof (double), &cb->y[i], sizeof (double));
      g_assert_cmpstr (back->ids[i], ==, expected);
    }
  g_rand_free (rand);
  remove_dir (dir);
}

static void
test_round_trip (void)
{
  for (guint32 k = 0; k < 6; k++)
    {
      guint32 seed = g_test_rand_int ();
      round_trip (k % 2 ? CS_CSV_PRESET_EXCEL : CS_CSV_PRESET_STANDARD, seed);
    }
}

static void
test_cells (void)
{
  static const struct { const char *in; char delim; const char *out; } texts[] = {
    { "=1+1", ',', "'=1+1" },
    { "+x", ',', "'+x" },
    { "@a", ',', "'@a" },
    { "-cmd", ',', "'-cmd" },
    { "-3.5", ',', "-3.5" },
    { "-3,5", ';', "-3,5" },
    { "+2e3", ',', "+2e3" },
    { "\tx", ',', "\"'\tx\"" },
    { "\rx", ',', "\"'\rx\"" },
    { "a\"b", ',', "\"a\"\"b\"" },
    { "a,b", ',', "\"a,b\"" },
    { "a,b", ';', "a,b" },
    { "a;b", ';', "\"a;b\"" },
    { " pad", ',', "\" pad\"" },
    { "", ',', "" },
    { "plain", ',', "plain" },
  };
  char buf[32];

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *cell = cs_csv_format_text (texts[i].in, texts[i].delim);
      g_assert_cmpstr (cell, ==, texts[i].out);
    }
  g_assert_cmpstr (cs_csv_format_number (0.1, '.', buf), ==, "0.1");
  g_assert_cmpstr (cs_csv_format_number (1.0 / 3.0, '.', buf), ==, "0.3333333333333333");
  g_assert_cmpstr (cs_csv_format_number (-2.5, ',', buf), ==, "-2,5");
  g_assert_cmpstr (cs_csv_format_number (1e300, '.', buf), ==, "1e+300");
  g_assert_cmpstr (cs_csv_format_number (NAN, '.', buf), ==, "");
  g_assert_cmpstr (cs_csv_format_number (-INFINITY, '.', buf), ==, "-inf");
  g_assert_cmpstr (cs_csv_format_number (0.30000000000000004, '.', buf), ==, "0.30000000000000004");
}

static void
test_refuse_input (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "in.csv", NULL);
  g_autofree char *link = g_build_filename (dir, "link.csv", NULL);
  const char *content = "x,y\n1,2\n3,4\n5,7\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, content, -1, NULL));
  cb = cs_csv_load_path (path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cs_csv_write_case_base (cb, path, CS_CSV_PRESET_STANDARD, NULL, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WOULD_OVERWRITE);
  g_clear_error (&error);
  /* The same file under another name is refused too. */
  g_assert_cmpint (symlink (path, link), ==, 0);
  g_assert_false (cs_csv_write_case_base (cb, link, CS_CSV_PRESET_EXCEL, NULL, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WOULD_OVERWRITE);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, content);
  g_assert_cmpuint (count_files (dir), ==, 2);
  remove_dir (dir);
}

static void
test_failed_write (void)
{
  g_autofree char *dir = temp_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "out.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(GError) error = NULL;
  CsCsvWriter *w;

  g_assert_null (cs_csv_writer_new (missing, CS_CSV_PRESET_STANDARD, NULL, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (dir), ==, 0);

  /* An aborted export leaves neither the target nor a temporary file. */
  w = cs_csv_writer_new (out, CS_CSV_PRESET_STANDARD, NULL, &error);
  g_assert_no_error (error);
  cs_csv_writer_text (w, "x");
  cs_csv_writer_end_row (w);
  g_assert_cmpuint (count_files (dir), ==, 1);
  cs_csv_writer_abort (w);
  g_assert_cmpuint (count_files (dir), ==, 0);

  /* A finished one replaces an older file completely. */
  g_assert_true (g_file_set_contents (out, "old content that is longer\n", -1, NULL));
  w = cs_csv_writer_new (out, CS_CSV_PRESET_STANDARD, NULL, &error);
  cs_csv_writer_text (w, "a");
  cs_csv_writer_number (w, 1.5);
  cs_csv_writer_end_row (w);
  g_assert_true (cs_csv_writer_finish (w, &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "a,1.5\r\n");
  }
  g_assert_cmpuint (count_files (dir), ==, 1);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/csv-writer/round-trip", test_round_trip);
  g_test_add_func ("/cs/data/csv-writer/cells", test_cells);
  g_test_add_func ("/cs/data/csv-writer/refuse-input", test_refuse_input);
  g_test_add_func ("/cs/data/csv-writer/failed-write", test_failed_write);
  return g_test_run ();
}
