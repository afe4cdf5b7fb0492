/* test-exclusions.c: cases set aside in a side file: round trip, the filtered case base, guards. */
#define G_LOG_DOMAIN "test-exclusions"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-exclusions.h"

/* A labelled base of n rows (data on lines 2 .. n + 1) with a seed-dependent outcome. */
static char *
write_base (const char *dir,
            guint       n,
            guint32     seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  GString *s = g_string_new ("id,x1,x2,y\n");
  char *path = g_build_filename (dir, "base.csv", NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "C%u,%.6f,%.6f,%.6f\n", i, g_rand_double (r), g_rand_double (r),
                            g_rand_double_range (r, -5, 5));
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, NULL));
  g_string_free (s, TRUE);
  return path;
}

static CsCaseBase *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  CsCaseBase *base;

  cs_csv_options_init (&o);
  o.target = "y";
  base = cs_csv_load_path (path, &o, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return base;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-excl-XXXXXX", NULL);

  for (guint32 seed = 1; seed <= 3; seed++)
    {
      guint n = 20 + 17 * seed;
      g_autofree char *csv = write_base (dir, n, seed);
      g_autofree char *side = cs_exclusions_side_path (csv);
      g_autofree char *before = NULL, *after = NULL;
      g_autoptr(CsCaseBase) base = load (csv);
      g_autoptr(CsExclusions) ex = cs_exclusions_new ();
      g_autoptr(CsExclusions) back = NULL;
      g_autoptr(CsCaseBase) kept = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) unmatched = g_ptr_array_new_with_free_func (g_free);
      const char *protect[] = { csv, NULL };
      gboolean found = TRUE;
      gsize applied = 0, len_before = 0, len_after = 0;
      guint rows[3] = { 0, seed + 4, n - 1 };
      double ysum = 0;

      g_assert_true (g_file_get_contents (csv, &before, &len_before, NULL));
      back = cs_exclusions_load (side, &found, &error);
      g_assert_no_error (error);
      g_assert_false (found);
      g_assert_cmpuint (back->items->len, ==, 0);
      g_clear_pointer (&back, cs_exclusions_free);

      for (guint t = 0; t < 3; t++)
        {
          g_autofree char *reason = g_strdup_printf ("probe %u \"quoted\", with a comma", t);
          g_assert_true (cs_exclusions_add (ex, base->line[rows[t]], base->ids[rows[t]], reason, NULL, &error));
          g_assert_no_error (error);
        }
      g_assert_true (cs_exclusions_save (ex, side, protect, &error));
      g_assert_no_error (error);
      back = cs_exclusions_load (side, &found, &error);
      g_assert_no_error (error);
      g_assert_true (found);
      g_assert_cmpuint (back->items->len, ==, 3);
      for (guint t = 0; t < 3; t++)
        {
          const CsExclusion *e = cs_exclusions_find (back, base->line[rows[t]]);
          g_autofree char *reason = g_strdup_printf ("probe %u \"quoted\", with a comma", t);
          g_assert_nonnull (e);
          g_assert_cmpstr (e->label, ==, base->ids[rows[t]]);
          g_assert_cmpstr (e->reason, ==, reason);
          g_assert_true (g_str_has_suffix (e->when, "Z"));
        }

      kept = cs_case_base_exclude (base, back, unmatched, &applied);
      g_assert_cmpuint (applied, ==, 3);
      g_assert_cmpuint (unmatched->len, ==, 0);
      g_assert_cmpuint (kept->n, ==, n - 3);
      for (gsize i = 0; i < kept->n; i++)
        {
          g_assert_null (cs_exclusions_find (back, kept->line[i]));
          ysum += kept->y[i];
        }
      /* The statistics are those of the kept cases (the same sum in the same order: the same double). */
      g_assert_cmpfloat (kept->y_mean, ==, ysum / kept->n);
      g_assert_cmpstr (kept->sha256, ==, base->sha256);

      /* A way back: taking a case back removes it from the record and returns it to the base. */
      g_assert_true (cs_exclusions_remove (back, base->line[rows[1]]));
      g_assert_false (cs_exclusions_remove (back, base->line[rows[1]]));
      g_clear_pointer (&kept, cs_case_base_unref);
      kept = cs_case_base_exclude (base, back, NULL, &applied);
      g_assert_cmpuint (kept->n, ==, n - 2);

      /* The case base itself is never written, and never a target. */
      g_assert_false (cs_exclusions_save (ex, csv, protect, &error));
      g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WOULD_OVERWRITE);
      g_clear_error (&error);
      g_assert_true (g_file_get_contents (csv, &after, &len_after, NULL));
      g_assert_cmpmem (before, len_before, after, len_after);
      g_unlink (side);
      g_unlink (csv);
    }
  g_rmdir (dir);
}

static void
test_unmatched (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-excl-XXXXXX", NULL);
  g_autofree char *csv = write_base (dir, 30, 9);
  g_autoptr(CsCaseBase) base = load (csv);
  g_autoptr(CsExclusions) ex = cs_exclusions_new ();
  g_autoptr(GPtrArray) unmatched = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CsCaseBase) kept = NULL;
  g_autoptr(GError) error = NULL;
  gsize applied = 99;

  /* line 1 is the header, line 500 is past the end, line 5 holds C3 and not C4 */
  g_assert_true (cs_exclusions_add (ex, 1, NULL, "header", "2026-01-01T00:00:00Z", &error));
  g_assert_true (cs_exclusions_add (ex, 500, NULL, "beyond", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, 5, "C4", "moved", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, 6, "C4", "right one", NULL, &error));
  kept = cs_case_base_exclude (base, ex, unmatched, &applied);
  g_assert_cmpuint (applied, ==, 1);
  g_assert_cmpuint (kept->n, ==, 29);
  g_assert_cmpuint (unmatched->len, ==, 3);
  /* in line order: 1, 5, 500 */
  g_assert_nonnull (strstr (unmatched->pdata[1], "'C3'"));
  g_assert_nonnull (strstr (unmatched->pdata[2], "line 500"));

  /* No reason, no exclusion; the same line twice is one record (the later one). */
  g_assert_false (cs_exclusions_add (ex, 7, NULL, "  ", NULL, &error));
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_true (cs_exclusions_add (ex, 6, "C4", "second thought", NULL, &error));
  g_assert_cmpuint (ex->items->len, ==, 4);
  g_assert_cmpstr (cs_exclusions_find (ex, 6)->reason, ==, "second thought");
  g_unlink (csv);
  g_rmdir (dir);
}

static void
test_bad_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-excl-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x.csv.exclusions.json", NULL);
  const char *bad[] = {
    "{\"format\": \"casescope-exclusions\", \"version\": 1, \"exclusions\": [",
    "[1, 2]",
    "{\"format\": \"other\", \"exclusions\": []}",
    "{\"format\": \"casescope-exclusions\", \"version\": 1, \"exclusions\": [{\"line\": 0, \"reason\": \"r\"}]}",
    "{\"format\": \"casescope-exclusions\", \"version\": 1, \"exclusions\": [{\"line\": 4}]}",
    "{\"format\": \"casescope-exclusions\", \"version\": 7, \"exclusions\": []}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsExclusions) ex = NULL;

      g_assert_true (g_file_set_contents (path, bad[i], -1, NULL));
      ex = cs_exclusions_load (path, NULL, &error);
      g_assert_null (ex);
      g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, path));
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/exclusions/round-trip", test_round_trip);
  g_test_add_func ("/cs/data/exclusions/unmatched", test_unmatched);
  g_test_add_func ("/cs/data/exclusions/bad-files", test_bad_files);
  return g_test_run ();
}
