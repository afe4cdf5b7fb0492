/* test-export.c: exported files checked with Debian's tools (pdfinfo, pdftotext, xmllint). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-export.h"
#include "render-fixtures.h"

static const CsProvenance provenance = {
  .file_name = "plant-A.csv",
  .sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  .n = 300, .d = 2, .metric = "scalar", .scale = "w = 8.8",
  .app_version = "0.1.0", .date = "2026-11-28", .verdict = "ok",
};

static char *
run (const char *const *argv,
     int               *status)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  return out;
}

static guint
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static void
test_png_size (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  RenderFixtures *f = render_fixtures_new (11, 200, 40, 80);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  const int sizes[][2] = { { 1920, 1080 }, { 1600, 1200 }, { 333, 777 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes) + 2; i++)
    {
      CsExportOptions o;
      g_autofree char *path = g_build_filename (dir, "chart.png", NULL);
      cairo_surface_t *s;
      g_autoptr(GError) error = NULL;
      CsChartKind kind = (CsChartKind) g_rand_int_range (rand, 0, CS_N_CHARTS);

      cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
      if (i < G_N_ELEMENTS (sizes))
        {
          o.width = sizes[i][0];
          o.height = sizes[i][1];
        }
      else
        {
          o.width = g_rand_int_range (rand, 200, 1500);
          o.height = g_rand_int_range (rand, 150, 1100);
        }
      o.dpi = g_rand_double_range (rand, 72, 200);
      g_assert_true (cs_export_charts (path, &f->charts[kind], 1, &o, &error));
      g_assert_no_error (error);
      s = cairo_image_surface_create_from_png (path);
      g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (s), ==, o.width);
      g_assert_cmpint (cairo_image_surface_get_height (s), ==, o.height);
      /* Light on white: the corner is opaque white. */
      cairo_surface_flush (s);
      g_assert_cmphex (*(guint32 *) cairo_image_surface_get_data (s) & 0xffffffu, ==, 0xffffff);
      cairo_surface_destroy (s);
      g_unlink (path);
    }
  /* The A4 preset: 3508 x 2480 at 300 dpi. */
  {
    CsExportOptions o;
    g_autofree char *path = g_build_filename (dir, "a4.png", NULL);
    cairo_surface_t *s;

    cs_export_options_init (&o, CS_EXPORT_PRESET_A4_LANDSCAPE);
    g_assert_true (cs_export_charts (path, &f->charts[CS_CHART_WINDOW_SWEEP], 1, &o, NULL));
    s = cairo_image_surface_create_from_png (path);
    g_assert_cmpint (cairo_image_surface_get_width (s), ==, 3508);
    g_assert_cmpint (cairo_image_surface_get_height (s), ==, 2480);
    cairo_surface_destroy (s);
    g_unlink (path);
  }
  g_rand_free (rand);
  render_fixtures_free (f);
  g_rmdir (dir);
}

static void
test_svg_well_formed (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  RenderFixtures *f = render_fixtures_new (12, 300, 200, 2000);

  for (guint k = 0; k < CS_N_CHARTS; k++)
    {
      CsExportOptions o;
      g_autofree char *path = g_strdup_printf ("%s/%s.svg", dir, cs_chart_kind_name (k));
      const char *argv[] = { "xmllint", "--noout", path, NULL };
      g_autofree char *out = NULL;
      g_autofree char *text = NULL;
      int status;

      cs_export_options_init (&o, CS_EXPORT_PRESET_SLIDE_16_9);
      o.format = CS_EXPORT_SVG;
      o.provenance = &provenance;
      g_assert_true (cs_export_charts (path, &f->charts[k], 1, &o, NULL));
      out = run (argv, &status);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_nonnull (strstr (text, "<svg"));
      /* 1920 x 1080 px at 144 dpi = 960 x 540 pt. */
      g_assert_nonnull (strstr (text, "width=\"960pt\""));
      if (k == CS_CHART_ATTENTION_MATRIX)
        {
          /* 400,000 weights go in as one embedded image, not as cells. */
          g_assert_nonnull (strstr (text, "<image"));
          g_assert_cmpuint (strlen (text), <, 3 * 1000 * 1000);
        }
    }
  render_fixtures_free (f);
  for (guint k = 0; k < CS_N_CHARTS; k++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.svg", dir, cs_chart_kind_name (k));
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_dense_points_rasterised (void)
{
  /* 1e5 points go into SVG as one image layer, so the file stays small. */
  RenderFixtures *f = render_fixtures_new (17, 100000, 2, 2);
  CsExportOptions o;
  g_autoptr(GBytes) bytes = NULL;
  const char *text;
  gsize len;

  cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
  o.format = CS_EXPORT_SVG;
  bytes = cs_export_charts_to_bytes (&f->charts[CS_CHART_FEATURE_MAP], 1, &o, NULL);
  g_assert_nonnull (bytes);
  text = g_bytes_get_data (bytes, &len);
  g_assert_nonnull (g_strstr_len (text, (gssize) len, "<image"));
  g_assert_cmpuint (len, <, 4 * 1000 * 1000);
  render_fixtures_free (f);
}

static double
pdfinfo_field (const char *info,
               const char *field)
{
  const char *p = strstr (info, field);

  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (field), NULL);
}

static void
test_pdf_pages_and_footer (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "all.pdf", NULL);
  RenderFixtures *f = render_fixtures_new (13, 300, 120, 300);
  const char *info_argv[] = { "pdfinfo", path, NULL };
  const char *text_argv[] = { "pdftotext", "-layout", path, "-", NULL };
  CsExportOptions o;
  int status;

  for (int footer = 1; footer >= 0; footer--)
    {
      g_autofree char *info = NULL;
      g_autofree char *text = NULL;
      g_auto(GStrv) pages = NULL;

      cs_export_options_init (&o, CS_EXPORT_PRESET_A4_LANDSCAPE);
      o.format = CS_EXPORT_PDF;
      o.provenance = footer ? &provenance : NULL;
      g_assert_true (cs_export_charts (path, f->charts, CS_N_CHARTS, &o, NULL));
      info = run (info_argv, &status);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpint ((int) pdfinfo_field (info, "Pages:"), ==, CS_N_CHARTS);
      /* A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt. */
      g_assert_cmpfloat (fabs (pdfinfo_field (info, "Page size:") - 841.9), <, 0.5);
      g_assert_cmpfloat (fabs (g_ascii_strtod (strstr (strstr (info, "Page size:"), " x ") + 3, NULL) - 595.3), <, 0.5);

      text = run (text_argv, &status);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      pages = g_strsplit (text, "\f", -1);
      for (guint p = 0; p < CS_N_CHARTS; p++)
        {
          g_assert_nonnull (pages[p]);
          if (footer)
            {
              /* On every page: file, hash prefix, n, verdict. */
              g_assert_nonnull (strstr (pages[p], "plant-A.csv"));
              g_assert_nonnull (strstr (pages[p], "9f86d081884c"));
              g_assert_nonnull (strstr (pages[p], "n = 300"));
              g_assert_nonnull (strstr (pages[p], "verdict: ok"));
            }
          else
            g_assert_null (strstr (pages[p], "9f86d081884c"));
        }
      /* The charts' own text is there too (titles drawn as text, not outlines). */
      g_assert_nonnull (strstr (text, "Attention matrix"));
      /* The heatmap is one embedded image on its page (page 3), not a vector cell per weight. */
      {
        const char *img_argv[] = { "pdfimages", "-list", "-f", "3", "-l", "3", path, NULL };
        g_autofree char *list = run (img_argv, &status);
        g_auto(GStrv) lines = g_strsplit (list, "\n", -1);
        guint images = 0;

        g_assert_true (g_spawn_check_wait_status (status, NULL));
        for (guint l = 2; lines[l] != NULL; l++)   /* two header lines */
          if (lines[l][0] != '\0')
            images++;
        g_assert_cmpuint (images, >=, 1);
        g_assert_cmpuint (images, <=, 3);
      }
    }
  g_unlink (path);
  render_fixtures_free (f);
  g_rmdir (dir);
}

static void
test_failures_leave_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "input.csv", NULL);
  g_autofree char *under_file = g_build_filename (file, "chart.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "folder", "chart.pdf", NULL);
  g_autofree char *contents = NULL;
  const char *protect[] = { file, NULL };
  RenderFixtures *f = render_fixtures_new (14, 50, 5, 5);
  CsExportOptions o;

  g_assert_true (g_file_set_contents (file, "a,b\n1,2\n", -1, NULL));
  cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
  o.protected_paths = protect;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *target = i == 0 ? under_file : i == 1 ? missing : file;
      g_autofree char *base = g_path_get_basename (target);

      o.format = i == 1 ? CS_EXPORT_PDF : CS_EXPORT_PNG;
      g_assert_false (cs_export_charts (target, &f->charts[0], 1, &o, &error));
      g_assert_error (error, CS_EXPORT_ERROR, (i == 2 ? CS_EXPORT_ERROR_WOULD_OVERWRITE : CS_EXPORT_ERROR_WRITE));
      /* The message says which output failed. */
      g_assert_nonnull (strstr (error->message, base));
      g_test_message ("%s", error->message);
      /* Nothing left in the folder but the input, unchanged. */
      g_assert_cmpuint (count_entries (dir), ==, 1);
    }
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "a,b\n1,2\n");
  g_unlink (file);
  render_fixtures_free (f);
  g_rmdir (dir);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted, comma-joined names in a folder. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
assert_export_fails (const char               *target,
                     const CsChart            *chart,
                     const CsExportOptions    *o,
                     int                       code,
                     const char               *must_mention)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (cs_export_charts (target, chart, 1, o, &error));
  g_assert_error (error, CS_EXPORT_ERROR, code);
  g_assert_nonnull (strstr (error->message, must_mention));
}

/* The input is protected by whatever name reaches it; other files, and earlier exports, are not. */
static void
test_protected_any_name (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  g_autofree char *input = g_build_filename (dir, "cases.csv", NULL);
  g_autofree char *soft = g_build_filename (dir, "link.svg", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.svg", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *dotted = g_build_filename (dir, "sub", "..", "cases.csv", NULL);
  g_autofree char *other = g_build_filename (dir, "other.svg", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  const char *protect[] = { other, input, NULL };
  const char *content = "a,b,y\n1,2,3\n";
  RenderFixtures *f = render_fixtures_new (18, 40, 4, 4);
  CsExportOptions o;

  g_assert_true (g_file_set_contents (input, content, -1, NULL));
  g_assert_cmpint (symlink ("cases.csv", soft), ==, 0);
  g_assert_cmpint (link (input, hard), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
  o.format = CS_EXPORT_SVG;
  o.protected_paths = protect;

  assert_export_fails (input, &f->charts[0], &o, CS_EXPORT_ERROR_WOULD_OVERWRITE, "cases.csv");
  assert_export_fails (soft, &f->charts[0], &o, CS_EXPORT_ERROR_WOULD_OVERWRITE, "link.svg");
  assert_export_fails (hard, &f->charts[0], &o, CS_EXPORT_ERROR_WOULD_OVERWRITE, "hard.svg");
  assert_export_fails (dotted, &f->charts[0], &o, CS_EXPORT_ERROR_WOULD_OVERWRITE, "cases.csv");
  /* A folder as the target, and no name at all. */
  assert_export_fails (sub, &f->charts[0], &o, CS_EXPORT_ERROR_WRITE, "sub");
  assert_export_fails ("", &f->charts[0], &o, CS_EXPORT_ERROR_WRITE, "No output file");
  g_assert_true (g_file_get_contents (input, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, content);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "cases.csv,hard.svg,link.svg,sub");

  /* A protected path that does not exist yet protects nothing. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    g_autofree char *after = NULL;
    const char *only_input[] = { input, NULL };

    g_assert_true (cs_export_charts (other, &f->charts[CS_CHART_WINDOW], 1, &o, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (other, &first, NULL, NULL));
    g_assert_true (g_str_has_suffix (first, "</svg>\n"));
    /* Now it exists, and is refused. */
    assert_export_fails (other, &f->charts[CS_CHART_FEATURE_MAP], &o, CS_EXPORT_ERROR_WOULD_OVERWRITE, "other.svg");
    /* Unprotected, an earlier export is replaced whole, with no temporary file left. */
    o.protected_paths = only_input;
    g_assert_true (cs_export_charts (other, &f->charts[CS_CHART_FEATURE_MAP], 1, &o, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (other, &second, NULL, NULL));
    g_assert_true (g_str_has_suffix (second, "</svg>\n"));
    g_assert_cmpstr (first, !=, second);
    after = list_dir (dir);
    g_assert_cmpstr (after, ==, "cases.csv,hard.svg,link.svg,other.svg,sub");
  }
  g_unlink (soft);
  g_unlink (hard);
  g_unlink (input);
  g_unlink (other);
  g_rmdir (sub);
  render_fixtures_free (f);
  g_rmdir (dir);
}

/* A full disk: RLIMIT_FSIZE in a child, where writes past the limit fail with EFBIG. The old
 * export must survive whole and no temporary file may be left. */
static void
test_full_disk (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *after = NULL;
  const char *old = "an older export that must survive\n";

  if (g_test_subprocess ())
    {
      struct rlimit rl = { 64 * 1024, 64 * 1024 };
      RenderFixtures *f = render_fixtures_new (19, 400, 50, 50);
      g_autoptr(GError) error = NULL;
      CsExportOptions o;

      target = g_build_filename (g_getenv ("CS_EXPORT_DIR"), "chart.png", NULL);
      signal (SIGXFSZ, SIG_IGN);   /* otherwise the kernel kills us instead of failing the write */
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &rl), ==, 0);
      cs_export_options_init (&o, CS_EXPORT_PRESET_SLIDE_16_9);   /* far more than 64 KiB of PNG */
      g_assert_false (cs_export_charts (target, &f->charts[CS_CHART_FEATURE_MAP], 1, &o, &error));
      g_assert_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_WRITE);
      g_printerr ("expected error: %s\n", error->message);
      render_fixtures_free (f);
      return;
    }
  dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  target = g_build_filename (dir, "chart.png", NULL);
  g_assert_true (g_file_set_contents (target, old, -1, NULL));
  g_setenv ("CS_EXPORT_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*expected error:*chart.png*");
  g_assert_true (g_file_get_contents (target, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, old);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "chart.png");
  g_unlink (target);
  g_rmdir (dir);
}

/* One formatter for every caller: UTC, to the minute, pinned by SOURCE_DATE_EPOCH when valid. */
static void
test_provenance_date (void)
{
  g_autoptr(GTimeZone) plus_ten = g_time_zone_new_identifier ("+10:00");
  g_autoptr(GTimeZone) minus_five = g_time_zone_new_identifier ("-05:30");
  /* 2026-12-06 21:14:59 UTC, seen from three zones: one text. */
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2026, 12, 6, 21, 14, 59.5);
  g_autoptr(GDateTime) east = g_date_time_to_timezone (utc, plus_ten);
  g_autoptr(GDateTime) west = g_date_time_to_timezone (utc, minus_five);
  const char *invalid[] = { "", "abc", "1765055640x", " 1765055640", "1765055640 ", "1.5e9", "0x10",
                            "99999999999999999999", "253402300800" /* year 10000 */ };
  const char *saved = g_getenv ("SOURCE_DATE_EPOCH");
  g_autofree char *keep = g_strdup (saved);

  g_unsetenv ("SOURCE_DATE_EPOCH");
  {
    g_autofree char *a = cs_plot_provenance_date (utc);
    g_autofree char *b = cs_plot_provenance_date (east);
    g_autofree char *c = cs_plot_provenance_date (west);
    g_autofree char *now = cs_plot_provenance_date (NULL);

    g_assert_cmpstr (a, ==, "2026-12-06 21:14 UTC");
    g_assert_cmpstr (b, ==, a);
    g_assert_cmpstr (c, ==, a);
    g_assert_true (g_str_has_suffix (now, " UTC"));
    g_assert_cmpuint (strlen (now), ==, strlen (a));
    g_assert_null (cs_plot_source_date_epoch ());
  }

  /* Pinned: the given time does not matter. 1765055640 is 2025-12-06 21:14:00 UTC. */
  g_setenv ("SOURCE_DATE_EPOCH", "1765055640", TRUE);
  {
    g_autofree char *a = cs_plot_provenance_date (utc);
    g_autofree char *b = cs_plot_provenance_date (west);
    g_autofree char *c = cs_plot_provenance_date (NULL);
    g_autoptr(GDateTime) pinned = cs_plot_source_date_epoch ();

    g_assert_cmpstr (a, ==, "2025-12-06 21:14 UTC");
    g_assert_cmpstr (b, ==, a);
    g_assert_cmpstr (c, ==, a);
    g_assert_nonnull (pinned);
    g_assert_cmpint (g_date_time_to_unix (pinned), ==, 1765055640);
  }
  g_setenv ("SOURCE_DATE_EPOCH", "0", TRUE);
  {
    g_autofree char *a = cs_plot_provenance_date (utc);
    g_assert_cmpstr (a, ==, "1970-01-01 00:00 UTC");
  }
  /* Invalid values are ignored: the time given counts. */
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *a = NULL;

      g_setenv ("SOURCE_DATE_EPOCH", invalid[i], TRUE);
      a = cs_plot_provenance_date (east);
      g_assert_cmpstr (a, ==, "2026-12-06 21:14 UTC");
      g_assert_null (cs_plot_source_date_epoch ());
    }
  if (keep != NULL)
    g_setenv ("SOURCE_DATE_EPOCH", keep, TRUE);
  else
    g_unsetenv ("SOURCE_DATE_EPOCH");
}

static GBytes *
export_file (const char            *path,
             const CsChart         *chart,
             guint                  n_charts,
             const CsExportOptions *o)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len;

  g_assert_true (cs_export_charts (path, chart, n_charts, o, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

/* With the date pinned, the same data gives the same SVG bytes, however many surfaces cairo made
 * in this process before (cairo 1.16 numbers SVG ids with a process-wide counter), and the same
 * PDF, whose creation date cairo would otherwise stamp. */
static void
test_reproducible (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-export-XXXXXX", NULL);
  g_autofree char *svg_path = g_build_filename (dir, "chart.svg", NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "charts.pdf", NULL);
  g_autofree char *keep = g_strdup (g_getenv ("SOURCE_DATE_EPOCH"));
  g_autoptr(GDateTime) t1 = g_date_time_new_utc (2026, 12, 6, 9, 0, 0);
  g_autoptr(GDateTime) t2 = g_date_time_new_utc (2027, 3, 1, 17, 45, 0);
  RenderFixtures *f = render_fixtures_new (20, 300, 60, 120);
  CsProvenance prov = provenance;
  CsExportOptions o;

  g_setenv ("SOURCE_DATE_EPOCH", "1765055640", TRUE);
  cs_export_options_init (&o, CS_EXPORT_PRESET_SLIDE_16_9);
  o.provenance = &prov;
  for (guint k = 0; k < CS_N_CHARTS; k++)
    {
      g_autofree char *d1 = cs_plot_provenance_date (t1);
      g_autofree char *d2 = cs_plot_provenance_date (t2);
      g_autoptr(GBytes) a = NULL;
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GBytes) other_day = NULL;
      cairo_surface_t *noise;

      o.format = CS_EXPORT_SVG;
      prov.date = d1;
      a = export_file (svg_path, &f->charts[k], 1, &o);
      /* Surfaces made between the two exports move cairo's counter on. */
      noise = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 4, 4);
      cairo_surface_destroy (noise);
      prov.date = d2;
      b = export_file (svg_path, &f->charts[k], 1, &o);
      g_assert_true (g_bytes_equal (a, b));
      g_assert_nonnull (g_strstr_len (g_bytes_get_data (a, NULL), (gssize) g_bytes_get_size (a), "id=\"surface1\""));

      /* The date is really in the file: another one changes the bytes. */
      prov.date = "2025-12-06 21:15 UTC";
      other_day = export_file (svg_path, &f->charts[k], 1, &o);
      g_assert_false (g_bytes_equal (a, other_day));
    }
  /* The PDF carries the pinned instant as its creation date. */
  {
    g_autofree char *d1 = cs_plot_provenance_date (t1);
    const char *argv[] = { "pdfinfo", "-isodates", pdf_path, NULL };
    g_autoptr(GBytes) a = NULL;
    g_autoptr(GBytes) b = NULL;
    g_autofree char *info = NULL;
    int status;

    o.format = CS_EXPORT_PDF;
    prov.date = d1;
    a = export_file (pdf_path, f->charts, CS_N_CHARTS, &o);
    b = export_file (pdf_path, f->charts, CS_N_CHARTS, &o);
    g_assert_true (g_bytes_equal (a, b));
    info = run (argv, &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (info, "2025-12-06T21:14:00"));
  }
  if (keep != NULL)
    g_setenv ("SOURCE_DATE_EPOCH", keep, TRUE);
  else
    g_unsetenv ("SOURCE_DATE_EPOCH");
  g_unlink (svg_path);
  g_unlink (pdf_path);
  render_fixtures_free (f);
  g_rmdir (dir);
}

static void
test_invalid_options (void)
{
  RenderFixtures *f = render_fixtures_new (15, 20, 2, 2);
  const struct { int w, h; double dpi; CsExportFormat fmt; } bad[] = {
    { 0, 0, 96, CS_EXPORT_PNG },
    { -5, 100, 96, CS_EXPORT_PNG },
    { 100, 100, 1e9, CS_EXPORT_PNG },
    { 100, 100, NAN, CS_EXPORT_SVG },
    { 100, 100, 0, CS_EXPORT_PDF },
    { 30000, 100, 96, CS_EXPORT_PNG },
    { 15000, 15000, 96, CS_EXPORT_PNG },
    { 9000, 8000, 96, CS_EXPORT_PNG },       /* 72 million pixels: over the 64 million limit */
    { 100, 100, 96, (CsExportFormat) 42 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CsExportOptions o;
      g_autoptr(GError) error = NULL;

      cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
      o.width = bad[i].w;
      o.height = bad[i].h;
      o.dpi = bad[i].dpi;
      o.format = bad[i].fmt;
      g_assert_null (cs_export_charts_to_bytes (&f->charts[0], 1, &o, &error));
      g_assert_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID);
    }
  {
    CsExportOptions o;
    g_autoptr(GError) error = NULL;
    cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
    g_assert_null (cs_export_charts_to_bytes (f->charts, 2, &o, &error));
    g_assert_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_FORMAT);
  }
  {
    CsExportFormat fmt;
    g_assert_true (cs_export_format_from_name ("PDF", &fmt) && fmt == CS_EXPORT_PDF);
    g_assert_false (cs_export_format_from_name ("jpeg", &fmt));
  }
  render_fixtures_free (f);
}

static void
test_transparent_png (void)
{
  RenderFixtures *f = render_fixtures_new (16, 100, 10, 10);
  CsExportOptions o;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("cs-export-XXXXXX.png", &path, NULL);
  cairo_surface_t *s;

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  cs_export_options_init (&o, CS_EXPORT_PRESET_CUSTOM);
  o.transparent = TRUE;
  bytes = cs_export_charts_to_bytes (&f->charts[CS_CHART_FEATURE_MAP], 1, &o, NULL);
  g_assert_nonnull (bytes);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), NULL));
  s = cairo_image_surface_create_from_png (path);
  cairo_surface_flush (s);
  g_assert_cmpint (cairo_image_surface_get_format (s), ==, CAIRO_FORMAT_ARGB32);
  g_assert_cmphex (*(guint32 *) cairo_image_surface_get_data (s) >> 24, ==, 0);
  cairo_surface_destroy (s);
  g_unlink (path);
  render_fixtures_free (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/render/export/png-size", test_png_size);
  g_test_add_func ("/cs/render/export/svg-well-formed", test_svg_well_formed);
  g_test_add_func ("/cs/render/export/pdf-pages-and-footer", test_pdf_pages_and_footer);
  g_test_add_func ("/cs/render/export/failures-leave-nothing", test_failures_leave_nothing);
  g_test_add_func ("/cs/render/export/protected-any-name", test_protected_any_name);
  g_test_add_func ("/cs/render/export/full-disk", test_full_disk);
  g_test_add_func ("/cs/render/export/provenance-date", test_provenance_date);
  g_test_add_func ("/cs/render/export/reproducible", test_reproducible);
  g_test_add_func ("/cs/render/export/invalid-options", test_invalid_options);
  g_test_add_func ("/cs/render/export/transparent-png", test_transparent_png);
  g_test_add_func ("/cs/render/export/dense-points-rasterised", test_dense_points_rasterised);
  return g_test_run ();
}
