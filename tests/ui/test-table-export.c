/* test-table-export.c: the case table's CSV carries each case's leave-one-out prediction interval
 * (interval_level, interval_lower, interval_upper) at the asked level, the numbers of the engine's own
 * leave-one-out query, with p_in_spec and its words when there are spec limits. No display needed. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cs-samples.h"
#include "cs-table-export.h"

static int
column (char      **header,
        const char *name)
{
  for (int c = 0; header[c] != NULL; c++)
    if (g_strcmp0 (g_strstrip (header[c]), name) == 0)
      return c;
  return -1;
}

static void
check_table (const char *sample,
             double      level,
             gboolean    limits)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_samples_load (sample, &error);
  g_autoptr(CsEngine) engine = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-table-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cases.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  CsIntervalSpec spec;
  int c_level, c_lo, c_hi, c_pred, c_y, c_p, c_words;
  gsize rows = 0, inside = 0;

  g_assert_no_error (error);
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (engine->per_case);
  cs_interval_spec_init (&spec);
  spec.level = level;
  if (limits)
    {
      /* limits around the middle of the outcomes: some cases in, some out */
      spec.spec_lower = cases->y_mean - 0.5 * cases->y_sd;
      spec.spec_upper = cases->y_mean + 0.5 * cases->y_sd;
    }
  g_assert_true (cs_table_export_cases_spec (engine, &spec, path, CS_CSV_PRESET_STANDARD, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\r\n", -1);   /* RFC 4180 line ends */
  header = g_strsplit (lines[0], ",", -1);
  c_level = column (header, "interval_level");
  c_lo = column (header, "interval_lower");
  c_hi = column (header, "interval_upper");
  c_p = column (header, "p_in_spec");
  c_words = column (header, "spec");
  {
    g_autofree char *pt = cases->target_unit != NULL && cases->target_unit[0] != '\0'
                          ? g_strdup_printf ("loo_prediction [%s]", cases->target_unit) : g_strdup ("loo_prediction");
    g_autofree char *yt = cases->target_unit != NULL && cases->target_unit[0] != '\0'
                          ? g_strdup_printf ("%s [%s]", cases->target_name, cases->target_unit)
                          : g_strdup (cases->target_name);
    c_pred = column (header, pt);
    c_y = column (header, yt);
  }
  g_assert_cmpint (c_level, >=, 0);
  g_assert_cmpint (c_lo, ==, c_level + 1);
  g_assert_cmpint (c_hi, ==, c_level + 2);
  g_assert_cmpint (c_pred, >=, 0);
  g_assert_cmpint (c_y, >=, 0);
  g_assert_true (limits ? c_p >= 0 && c_words == c_p + 1 : c_p < 0 && c_words < 0);

  for (gsize i = 0; lines[i + 1] != NULL && lines[i + 1][0] != '\0'; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i + 1], ",", -1);
      double lo = g_ascii_strtod (f[c_lo], NULL), hi = g_ascii_strtod (f[c_hi], NULL);
      double y = g_ascii_strtod (f[c_y], NULL);

      g_assert_cmpuint (i, <, cases->n);
      /* the level written is the level asked, the same double through the writer's shortest round trip */
      g_assert_cmpfloat (g_ascii_strtod (f[c_level], NULL), ==, level);
      g_assert_cmpfloat (lo, <=, hi);
      if (i % 37 == 0)
        {
          /* against the engine's single leave-one-out query of the same case: another code path (one query
           * against a batch), so to a relative 1e-9 of the outcome's spread */
          CsQueryResult *r = cs_engine_query_spec (engine, cases->x + i * cases->d, (gssize) i, 1, &spec, NULL);
          double tol = 1e-9 * cases->y_sd;

          g_assert_true (r->valid);
          g_assert_cmpfloat (fabs (lo - r->interval.lower), <=, tol);
          g_assert_cmpfloat (fabs (hi - r->interval.upper), <=, tol);
          if (limits)
            {
              g_autofree char *words = cs_query_result_spec_words (r);
              /* the words hold a comma: a quoted cell, split in two here */
              g_autofree char *cell = f[c_words][0] == '"' ? g_strconcat (f[c_words], ",", f[c_words + 1], NULL)
                                                           : g_strdup (f[c_words]);
              g_autofree char *quoted = g_strdup_printf ("\"%s\"", words != NULL ? words : "");

              g_assert_cmpfloat (fabs (g_ascii_strtod (f[c_p], NULL) - r->p_in_spec), <=, 1e-9);
              g_assert_cmpstr (cell, ==, words != NULL && strchr (words, ',') != NULL ? quoted : words);
            }
          cs_query_result_free (r);
        }
      rows++;
      inside += y >= lo && y <= hi;
    }
  g_assert_cmpuint (rows, ==, cases->n);
  /* leave-one-out coverage of the written intervals: near the level (INTERVALS.md measures fresh cases; here the
   * sample's own cases, a few hundred, so a binomial margin of about 4 sd) */
  {
    double cov = (double) inside / rows, sd = sqrt (level * (1 - level) / rows);
    g_test_message ("%s at %.2f: %zu rows, leave-one-out coverage %.3f", sample, level, (size_t) rows, cov);
    g_assert_cmpfloat (fabs (cov - level), <=, 4 * sd + 0.02);
  }
  g_unlink (path);
  g_rmdir (dir);
  cs_case_base_unref (cases);
}

static void
test_intervals (void)
{
  check_table ("kiln", 0.9, FALSE);
  check_table ("press-line", 0.8, TRUE);
}

/* The entry point without a spec (the window's export today) writes the default level. */
static void
test_default_level (void)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_samples_load ("kiln", &error);
  g_autoptr(CsEngine) engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_autofree char *dir = g_dir_make_tmp ("cs-table-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cases.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL, first = NULL;
  int c;

  g_assert_no_error (error);
  g_assert_true (cs_table_export_cases (engine, path, CS_CSV_PRESET_STANDARD, &error));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\r\n", 3);
  header = g_strsplit (lines[0], ",", -1);
  first = g_strsplit (lines[1], ",", -1);
  c = column (header, "interval_level");
  g_assert_cmpint (c, >=, 0);
  g_assert_cmpfloat (g_ascii_strtod (first[c], NULL), ==, CS_ENGINE_DEFAULT_LEVEL);
  g_unlink (path);
  g_rmdir (dir);
  cs_case_base_unref (cases);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/ui/table-export/intervals", test_intervals);
  g_test_add_func ("/cs/ui/table-export/default-level", test_default_level);
  return g_test_run ();
}
