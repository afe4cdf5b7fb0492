/* test-ui-settings.c: the GKeyFile settings and the dashboard's plain helpers (no display needed). */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "cs-engine.h"
#include "cs-settings.h"

static void
test_settings_roundtrip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-settings-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "settings.ini", NULL);
  g_autoptr(GError) error = NULL;
  int w = g_test_rand_int_range (400, 4000);
  double t = g_test_rand_double_range (1.0, 5.0);

  g_test_summary ("Settings survive a save and a reload; a missing file gives the fallbacks");
  {
    g_autoptr(CsSettings) s = cs_settings_new_for_path (path);
    g_autofree char *folder = cs_settings_get_string (s, "window", "last-folder", "none");

    g_assert_cmpint (cs_settings_get_int (s, "window", "width", 17), ==, 17);
    g_assert_cmpstr (folder, ==, "none");
    g_assert_true (isnan (cs_settings_get_double (s, "thresholds", "noise-check", NAN)));
    cs_settings_set_int (s, "window", "width", w);
    cs_settings_set_double (s, "thresholds", "noise-check", t);
    cs_settings_set_string (s, "window", "last-folder", "/tmp/ä b");
    cs_settings_set_boolean (s, "export", "transparent", TRUE);
    g_assert_true (cs_settings_save (s, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(CsSettings) s = cs_settings_new_for_path (path);
    g_autofree char *folder = cs_settings_get_string (s, "window", "last-folder", NULL);

    g_assert_cmpint (cs_settings_get_int (s, "window", "width", 0), ==, w);
    g_assert_cmpfloat_with_epsilon (cs_settings_get_double (s, "thresholds", "noise-check", 0), t, 1e-12);
    g_assert_cmpstr (folder, ==, "/tmp/ä b");
    g_assert_true (cs_settings_get_boolean (s, "export", "transparent", FALSE));
    /* A wrong type falls back instead of failing. */
    g_assert_cmpint (cs_settings_get_int (s, "window", "last-folder", -5), ==, -5);
  }
  g_remove (path);
  {
    g_autofree char *sub = g_path_get_dirname (path);
    g_rmdir (sub);
  }
  g_rmdir (dir);
}

static void
test_spec_per_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-settings-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "settings.ini", NULL);
  g_autoptr(GError) error = NULL;
  double lo, hi;

  g_test_summary ("Spec limits are kept per case-base file, survive a reload, and a removed limit reads as none");
  {
    g_autoptr(CsSettings) s = cs_settings_new_for_path (path);

    cs_settings_get_spec (s, "/data/a [1].csv", &lo, &hi);
    g_assert_true (isnan (lo) && isnan (hi));
    cs_settings_set_spec (s, "/data/a [1].csv", 290, 310);
    cs_settings_set_spec (s, "/data/b.csv", NAN, 1.5);
    g_assert_true (cs_settings_save (s, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(CsSettings) s = cs_settings_new_for_path (path);

    cs_settings_get_spec (s, "/data/a [1].csv", &lo, &hi);
    g_assert_cmpfloat (lo, ==, 290);
    g_assert_cmpfloat (hi, ==, 310);
    cs_settings_get_spec (s, "/data/b.csv", &lo, &hi);
    g_assert_true (isnan (lo));
    g_assert_cmpfloat (hi, ==, 1.5);
    cs_settings_set_spec (s, "/data/a [1].csv", 295, NAN);
    cs_settings_get_spec (s, "/data/a [1].csv", &lo, &hi);
    g_assert_cmpfloat (lo, ==, 295);
    g_assert_true (isnan (hi));
  }
  g_remove (path);
  g_rmdir (dir);
}

static void
test_window_words (void)
{
  g_autoptr(CsCaseBase) c = cs_case_base_new (3, 3);
  double hw[3] = { 2.134, 0.31, INFINITY };
  g_autofree char *words = NULL;

  g_test_summary ("The window in words names each feature's half-width in its own units");
  cs_case_base_set_feature (c, 0, "temperature", "degC");
  cs_case_base_set_feature (c, 1, "pressure", "bar");
  cs_case_base_set_feature (c, 2, "ratio", "");
  words = cs_window_words (c, hw);
  g_assert_cmpstr (words, ==, "looks at cases within ±2.13 degC, ±0.310 bar, any ratio");
  hw[2] = 12.5;
  g_free (words);
  words = cs_window_words (c, hw);
  g_assert_cmpstr (words, ==, "looks at cases within ±2.13 degC, ±0.310 bar, ±12.5 in ratio");
}

static void
test_similarity_words (void)
{
  g_test_summary ("Similarity words follow the distance against the 90 % radius");
  g_assert_cmpstr (cs_similarity_words (0.1, 1.0), ==, "very similar");
  g_assert_cmpstr (cs_similarity_words (0.5, 1.0), ==, "similar");
  g_assert_cmpstr (cs_similarity_words (0.9, 1.0), ==, "somewhat similar");
  g_assert_cmpstr (cs_similarity_words (1.5, 1.0), ==, "different");
  g_assert_cmpstr (cs_similarity_words (0.2, 0.5), ==, "similar");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/ui/settings/spec-per-file", test_spec_per_file);
  g_test_add_func ("/cs/ui/settings/roundtrip", test_settings_roundtrip);
  g_test_add_func ("/cs/ui/words/window", test_window_words);
  g_test_add_func ("/cs/ui/words/similarity", test_similarity_words);
  return g_test_run ();
}
