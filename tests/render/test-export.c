/* test-export.c: exported files checked with Debian's tools (pdfinfo, pdftotext, xmllint). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-data-error.h"
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

      o.format = i == 1 ? CS_EXPORT_PDF : CS_EXPORT_PNG;
      g_assert_false (cs_export_charts (target, &f->charts[0], 1, &o, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == CS_DATA_ERROR);
      g_assert_nonnull (error->message);
      g_assert_cmpuint (strlen (error->message), >, 10);
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
  g_test_add_func ("/cs/render/export/invalid-options", test_invalid_options);
  g_test_add_func ("/cs/render/export/transparent-png", test_transparent_png);
  g_test_add_func ("/cs/render/export/dense-points-rasterised", test_dense_points_rasterised);
  return g_test_run ();
}
