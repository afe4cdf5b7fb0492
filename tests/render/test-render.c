/* test-render.c: reference images of every chart, and the numbers behind the pictures. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-charts.h"
#include "cs-colormap-tables.h"
#include "render-fixtures.h"

#define REF_W 640
#define REF_H 400

/* A pixel differs when a channel differs by more than this; a test fails when more than
 * MAX_BAD_FRACTION of the pixels differ (anti-aliasing and rasteriser noise stay below). */
#define CHANNEL_TOLERANCE 40
#define MAX_BAD_FRACTION 0.002

typedef struct
{
  const char *name;
  CsChartKind kind;
  CsPlotPalette palette;
  gboolean stretch;
  CsColormap map;
  int variant;              /* 0 default, 1 bars, 2 sort by distance */
} RefCase;

static const RefCase ref_cases[] = {
  { "case-attention", CS_CHART_CASE_ATTENTION, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "case-attention-distance-cividis", CS_CHART_CASE_ATTENTION, CS_PLOT_LIGHT, TRUE, CS_COLORMAP_CIVIDIS, 2 },
  { "feature-map", CS_CHART_FEATURE_MAP, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "feature-map-dark-stretched", CS_CHART_FEATURE_MAP, CS_PLOT_DARK, TRUE, CS_COLORMAP_VIRIDIS, 0 },
  { "attention-matrix", CS_CHART_ATTENTION_MATRIX, CS_PLOT_LIGHT, TRUE, CS_COLORMAP_VIRIDIS, 0 },
  { "window", CS_CHART_WINDOW, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "window-sweep", CS_CHART_WINDOW_SWEEP, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "diagnostics", CS_CHART_DIAGNOSTICS, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "softmax-vs-linear", CS_CHART_SOFTMAX_VS_LINEAR, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
  { "softmax-vs-linear-bars", CS_CHART_SOFTMAX_VS_LINEAR, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 1 },
  { "backtest", CS_CHART_BACKTEST, CS_PLOT_LIGHT, FALSE, CS_COLORMAP_VIRIDIS, 0 },
};

static const CsProvenance test_provenance = {
  .file_name = "sample-process.csv",
  .sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  .n = 300, .d = 2, .metric = "diagonal", .scale = "M = diag(3.1, 6.2)",
  .app_version = "0.1.0", .date = "2026-11-28", .verdict = "check",
};

static cairo_surface_t *
render_case (const RefCase  *rc,
             RenderFixtures *f,
             gboolean        footer)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, REF_W, REF_H);
  cairo_t *cr = cairo_create (s);
  CsPlotStyle style;
  CsChart chart = f->charts[rc->kind];

  cs_plot_style_init (&style, rc->palette);
  style.stretch_to_max = rc->stretch;
  style.weight_map = rc->map;
  style.provenance = footer ? &test_provenance : NULL;
  if (rc->variant == 1)
    chart.data = &f->softmax_bars;
  if (rc->variant == 2)
    f->case_attention.sort = CS_CASE_SORT_DISTANCE;
  cs_chart_render (cr, &chart, &style, REF_W, REF_H);
  f->case_attention.sort = CS_CASE_SORT_WEIGHT;
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  return s;
}

/* Compares two ARGB32 surfaces; writes a diff image (differences amplified) when asked. */
static guint
count_bad_pixels (cairo_surface_t *a,
                  cairo_surface_t *b,
                  cairo_surface_t *diff)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  int sa = cairo_image_surface_get_stride (a), sb = cairo_image_surface_get_stride (b);
  const guint8 *pa = cairo_image_surface_get_data (a), *pb = cairo_image_surface_get_data (b);
  guint8 *pd = diff != NULL ? cairo_image_surface_get_data (diff) : NULL;
  int sd = diff != NULL ? cairo_image_surface_get_stride (diff) : 0;
  guint bad = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *ca = pa + y * sa + 4 * x, *cb = pb + y * sb + 4 * x;
        int m = 0;

        /* Fully transparent pixels are equal whatever their colour bytes. */
        if (ca[3] == 0 && cb[3] == 0)
          m = 0;
        else
          for (int c = 0; c < 4; c++)
            m = MAX (m, ABS ((int) ca[c] - (int) cb[c]));
        if (m > CHANNEL_TOLERANCE)
          bad++;
        if (pd != NULL)
          {
            guint8 *cd = pd + y * sd + 4 * x;
            guint8 v = (guint8) MIN (255, m * 4);
            cd[0] = m > CHANNEL_TOLERANCE ? 0 : v;
            cd[1] = m > CHANNEL_TOLERANCE ? 0 : v;
            cd[2] = m > CHANNEL_TOLERANCE ? 255 : v;
            cd[3] = 255;
          }
      }
  return bad;
}

/* Nothing drawn in the outer margin: text and plots stay inside the page. */
static void
assert_margin_clear (cairo_surface_t *s,
                     int              margin)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int st = cairo_image_surface_get_stride (s);
  const guint8 *p = cairo_image_surface_get_data (s);
  guint32 bg = *(const guint32 *) p;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (x < margin || y < margin || x >= w - margin || y >= h - margin)
        {
          guint32 v = *(const guint32 *) (p + y * st + 4 * x);
          if (v != bg)
            g_error ("pixel (%d, %d) in the %d px margin is 0x%08x, background 0x%08x", x, y, margin, v, bg);
        }
}

static void
test_reference (gconstpointer user_data)
{
  const RefCase *rc = user_data;
  RenderFixtures *f = render_fixtures_new (20261128, 300, 120, 300);
  g_autofree char *ref_name = g_strdup_printf ("%s.ref.png", rc->name);
  g_autofree char *ref_path = g_test_build_filename (G_TEST_DIST, "render", "reference", ref_name, NULL);
  cairo_surface_t *out = render_case (rc, f, TRUE);
  cairo_surface_t *ref;
  guint bad;

  /* 8 points of margin at 96 dpi are 10.7 px: keep 9 px clear. */
  assert_margin_clear (out, 9);

  if (g_getenv ("CS_UPDATE_REFERENCES") != NULL)
    {
      g_assert_cmpint (cairo_surface_write_to_png (out, ref_path), ==, CAIRO_STATUS_SUCCESS);
      g_test_message ("wrote %s", ref_path);
    }
  ref = cairo_image_surface_create_from_png (ref_path);
  if (cairo_surface_status (ref) != CAIRO_STATUS_SUCCESS)
    g_error ("cannot read reference %s (%s); set CS_UPDATE_REFERENCES=1 to create it", ref_path,
             cairo_status_to_string (cairo_surface_status (ref)));
  g_assert_cmpint (cairo_image_surface_get_width (ref), ==, REF_W);
  g_assert_cmpint (cairo_image_surface_get_height (ref), ==, REF_H);
  if (cairo_image_surface_get_format (ref) != CAIRO_FORMAT_ARGB32)
    {
      /* PNGs without alpha load as RGB24: compare as ARGB32. */
      cairo_surface_t *conv = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, REF_W, REF_H);
      cairo_t *cr = cairo_create (conv);
      cairo_set_source_surface (cr, ref, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_destroy (ref);
      ref = conv;
    }
  cairo_surface_flush (ref);
  bad = count_bad_pixels (out, ref, NULL);
  if (bad > MAX_BAD_FRACTION * REF_W * REF_H)
    {
      g_autofree char *out_name = g_strdup_printf ("%s.out.png", rc->name);
      g_autofree char *diff_name = g_strdup_printf ("%s.diff.png", rc->name);
      g_autofree char *out_path = g_test_build_filename (G_TEST_BUILT, "render", out_name, NULL);
      g_autofree char *diff_path = g_test_build_filename (G_TEST_BUILT, "render", diff_name, NULL);
      cairo_surface_t *diff = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, REF_W, REF_H);
      g_autofree char *dir = g_path_get_dirname (out_path);

      g_mkdir_with_parents (dir, 0755);
      count_bad_pixels (out, ref, diff);
      cairo_surface_mark_dirty (diff);
      cairo_surface_write_to_png (out, out_path);
      cairo_surface_write_to_png (diff, diff_path);
      cairo_surface_destroy (diff);
      g_error ("%s: %u pixels differ from %s (allowed %u); see %s and %s", rc->name, bad, ref_path,
               (guint) (MAX_BAD_FRACTION * REF_W * REF_H), out_path, diff_path);
    }
  g_test_message ("%s: %u pixels over tolerance", rc->name, bad);
  cairo_surface_destroy (out);
  cairo_surface_destroy (ref);
  render_fixtures_free (f);
}

/* The comparison itself must catch a change: a chart from other data differs from the reference. */
static void
test_reference_detects_change (void)
{
  RenderFixtures *a = render_fixtures_new (20261128, 300, 120, 300);
  RenderFixtures *b = render_fixtures_new (7, 300, 120, 300);
  cairo_surface_t *sa = render_case (&ref_cases[2], a, TRUE);
  cairo_surface_t *sb = render_case (&ref_cases[2], b, TRUE);
  cairo_surface_t *sc = render_case (&ref_cases[2], a, FALSE);

  g_assert_cmpuint (count_bad_pixels (sa, sa, NULL), ==, 0);
  g_assert_cmpuint (count_bad_pixels (sa, sb, NULL), >, MAX_BAD_FRACTION * REF_W * REF_H);
  /* The footer alone is enough to fail. */
  g_assert_cmpuint (count_bad_pixels (sa, sc, NULL), >, MAX_BAD_FRACTION * REF_W * REF_H);
  cairo_surface_destroy (sa);
  cairo_surface_destroy (sb);
  cairo_surface_destroy (sc);
  render_fixtures_free (a);
  render_fixtures_free (b);
}

static void
test_colormap_tables (void)
{
  /* End points and the middle come from the published 256-entry tables, interpolated between. */
  for (int m = 0; m < 2; m++)
    {
      CsColormap cmap = m == 0 ? CS_COLORMAP_VIRIDIS : CS_COLORMAP_CIVIDIS;
      const float (*table)[3] = m == 0 ? viridis_table : cividis_table;
      double last_lum = -1;

      for (int i = 0; i < 256; i++)
        {
          CsRgb c = cs_colormap_eval (cmap, i / 255.0);
          double lum = cs_rgb_luminance (c);

          g_assert_cmpfloat_with_epsilon (c.r, table[i][0], 1e-6);
          g_assert_cmpfloat_with_epsilon (c.g, table[i][1], 1e-6);
          g_assert_cmpfloat_with_epsilon (c.b, table[i][2], 1e-6);
          /* Perceptual maps: luminance rises monotonically. */
          g_assert_cmpfloat (lum, >, last_lum);
          last_lum = lum;
        }
      {
        CsRgb a = cs_colormap_eval (cmap, 10.0 / 255), b = cs_colormap_eval (cmap, 11.0 / 255);
        CsRgb mid = cs_colormap_eval (cmap, 10.5 / 255);
        g_assert_cmpfloat_with_epsilon (mid.g, (a.g + b.g) / 2, 1e-9);
      }
    }
  /* matplotlib's viridis(0) = #440154, viridis(1) = #fde725. */
  g_assert_cmphex (cs_colormap_argb (CS_COLORMAP_VIRIDIS, 0), ==, 0xff440154);
  g_assert_cmphex (cs_colormap_argb (CS_COLORMAP_VIRIDIS, 1), ==, 0xfffde725);
  g_assert_cmphex (cs_colormap_argb (CS_COLORMAP_VIRIDIS, 7), ==, 0xfffde725);
  g_assert_cmphex (cs_colormap_argb (CS_COLORMAP_CIVIDIS, 0), ==, 0xff00224e);
  /* Diverging: white in the middle, blue below, red above, symmetric in lightness. */
  {
    CsRgb mid = cs_colormap_eval (CS_COLORMAP_DIVERGING, 0.5);
    CsRgb lo = cs_colormap_eval (CS_COLORMAP_DIVERGING, 0.2), hi = cs_colormap_eval (CS_COLORMAP_DIVERGING, 0.8);

    g_assert_cmpfloat (mid.r, >, 0.95);
    g_assert_cmpfloat (mid.b, >, 0.95);
    g_assert_cmpfloat (lo.b, >, lo.r);
    g_assert_cmpfloat (hi.r, >, hi.b);
  }
  {
    CsRgb nan = cs_colormap_eval (CS_COLORMAP_VIRIDIS, NAN);
    g_assert_cmpfloat (nan.r, ==, nan.g);
  }
}

static void
test_nice_ticks (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int trial = 0; trial < 2000; trial++)
    {
      double mag = pow (10, g_rand_double_range (rand, -6, 6));
      double lo = g_rand_double_range (rand, -5, 5) * mag;
      double hi = lo + g_rand_double_range (rand, 0.01, 10) * mag;
      guint target = (guint) g_rand_int_range (rand, 2, 11);
      double ticks[64], step, norm;
      guint n = cs_plot_nice_ticks (lo, hi, target, ticks, 64, &step);

      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, 2 * target + 2);
      norm = step / pow (10, floor (log10 (step) + 1e-12));
      g_assert_true (fabs (norm - 1) < 1e-9 || fabs (norm - 2) < 1e-9 || fabs (norm - 5) < 1e-9
                     || fabs (norm - 10) < 1e-9);
      for (guint i = 0; i < n; i++)
        {
          g_assert_cmpfloat (ticks[i], >=, lo - step * 1e-6);
          g_assert_cmpfloat (ticks[i], <=, hi + step * 1e-6);
          /* Multiples of the step. */
          g_assert_cmpfloat (fabs (ticks[i] / step - round (ticks[i] / step)), <, 1e-6);
          if (i > 0)
            g_assert_cmpfloat (fabs (ticks[i] - ticks[i - 1] - step), <, step * 1e-6);
        }
      /* No room for another tick inside the range. */
      g_assert_cmpfloat (ticks[0] - step, <, lo);
      g_assert_cmpfloat (ticks[n - 1] + step, >, hi);
    }
  g_rand_free (rand);
}

static void
test_log_ticks_and_format (void)
{
  double t[64];
  guint n = cs_plot_log_ticks (0.03, 200, t, 64);
  g_autofree char *a = cs_plot_format_number (0.25, 0.25);
  g_autofree char *b = cs_plot_format_number (1500, 500);
  g_autofree char *c = cs_plot_format_number (-0.0001234, 0);
  g_autofree char *d = cs_plot_format_number (2.5, 0.5);
  g_autofree char *e = cs_plot_format_number (3e7, 1e7);

  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (t[0], ==, 0.1);
  g_assert_cmpfloat (t[3], ==, 100);
  n = cs_plot_log_ticks (0.3, 20, t, 64);
  g_assert_cmpuint (n, ==, 6); /* 0.5 1 2 5 10 20 */
  g_assert_cmpfloat (t[0], ==, 0.5);
  g_assert_cmpstr (a, ==, "0.25");
  g_assert_cmpstr (b, ==, "1500");
  g_assert_cmpstr (c, ==, "-0.000123");
  g_assert_cmpstr (d, ==, "2.5");
  g_assert_cmpstr (e, ==, "3e+07");
}

/* Independent, obvious binning: every cell visited by its displayed position. */
static void
test_matrix_binning (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int trial = 0; trial < 40; trial++)
    {
      gsize rows = (gsize) g_rand_int_range (rand, 1, 60), cols = (gsize) g_rand_int_range (rand, 1, 90);
      guint mw = (guint) g_rand_int_range (rand, 1, 100), mh = (guint) g_rand_int_range (rand, 1, 70);
      g_autofree float *w = g_new (float, rows * cols);
      g_autofree gsize *ro = g_new (gsize, rows);
      g_autofree gsize *co = g_new (gsize, cols);
      CsAttentionMatrixData data = { rows, cols, w, 0, ro, co, trial % 2 ? CS_BIN_MEAN : CS_BIN_MAX, NULL, NULL, NULL };
      guint bw, bh;
      g_autofree float *bins = NULL;
      g_autofree double *ref = NULL;
      g_autofree guint *cnt = NULL;

      for (gsize i = 0; i < rows * cols; i++)
        w[i] = (float) g_rand_double (rand);
      for (gsize i = 0; i < rows; i++)
        ro[i] = i;
      for (gsize i = 0; i < cols; i++)
        co[i] = i;
      for (gsize i = rows; i > 1; i--)
        {
          gsize j = (gsize) g_rand_int_range (rand, 0, (gint32) i), t = ro[i - 1];
          ro[i - 1] = ro[j];
          ro[j] = t;
        }
      for (gsize i = cols; i > 1; i--)
        {
          gsize j = (gsize) g_rand_int_range (rand, 0, (gint32) i), t = co[i - 1];
          co[i - 1] = co[j];
          co[j] = t;
        }
      if (trial % 3 == 0)
        data.col_order = NULL;
      bins = cs_attention_matrix_bin (&data, mw, mh, &bw, &bh);
      g_assert_cmpuint (bw, ==, MIN (mw, cols));
      g_assert_cmpuint (bh, ==, MIN (mh, rows));
      ref = g_new0 (double, bw * bh);
      cnt = g_new0 (guint, bw * bh);
      for (gsize p = 0; p < rows; p++)
        for (gsize q = 0; q < cols; q++)
          {
            /* Bin of a displayed position: the bin whose [start, end) holds it. */
            gsize by = (gsize) floor ((double) p * bh / rows), bx = (gsize) floor ((double) q * bw / cols);
            float v = w[ro[p] * cols + (data.col_order != NULL ? co[q] : q)];
            gsize k = by * bw + bx;

            if (data.bin == CS_BIN_MEAN)
              ref[k] += v;
            else
              ref[k] = MAX (ref[k], v);
            cnt[k]++;
          }
      for (gsize k = 0; k < (gsize) bw * bh; k++)
        {
          double expect = data.bin == CS_BIN_MEAN ? ref[k] / cnt[k] : ref[k];
          g_assert_cmpuint (cnt[k], >, 0);
          g_assert_cmpfloat_with_epsilon (bins[k], expect, 1e-5);
        }
    }
  g_rand_free (rand);
}

/* Locates the pixels of one exact colour: returns their count and centroid. */
static guint
find_color (cairo_surface_t *s,
            guint32          argb,
            double          *cx,
            double          *cy)
{
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int st = cairo_image_surface_get_stride (s);
  const guint8 *p = cairo_image_surface_get_data (s);
  double sx = 0, sy = 0;
  guint n = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (*(const guint32 *) (p + y * st + 4 * x) == argb)
        {
          sx += x;
          sy += y;
          n++;
        }
  *cx = n ? sx / n : NAN;
  *cy = n ? sy / n : NAN;
  return n;
}

static void
test_matrix_orientation (void)
{
  /* Three hot cells: displayed (0, 0), (0, cols-1) and (rows-1, 0). Row 0 is drawn at the top,
   * column 0 at the left; each hot bin is one exact viridis(1) block. */
  const gsize rows = 12, cols = 30;
  g_autofree float *w = g_new0 (float, rows * cols);
  CsAttentionMatrixData data = { rows, cols, w, 0, NULL, NULL, CS_BIN_MAX, "queries", "cases", "t" };
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 360);
  cairo_t *cr = cairo_create (s);
  CsPlotStyle style;
  double x0, y0, x1, y1, x2, y2, x3, y3;
  g_autofree float *w2 = NULL;

  w[0] = 1;
  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  cs_attention_matrix_render (cr, &data, &style, 500, 360);
  cairo_surface_flush (s);
  g_assert_cmpuint (find_color (s, 0xfffde725, &x0, &y0), >, 20);
  cairo_destroy (cr);
  cairo_surface_destroy (s);

  w2 = g_new0 (float, rows * cols);
  w2[cols - 1] = 1;
  data.weights = w2;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 360);
  cr = cairo_create (s);
  cs_attention_matrix_render (cr, &data, &style, 500, 360);
  cairo_surface_flush (s);
  g_assert_cmpuint (find_color (s, 0xfffde725, &x1, &y1), >, 20);
  cairo_destroy (cr);
  cairo_surface_destroy (s);

  w2[cols - 1] = 0;
  w2[(rows - 1) * cols] = 1;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 360);
  cr = cairo_create (s);
  cs_attention_matrix_render (cr, &data, &style, 500, 360);
  cairo_surface_flush (s);
  g_assert_cmpuint (find_color (s, 0xfffde725, &x2, &y2), >, 20);
  cairo_destroy (cr);
  cairo_surface_destroy (s);

  /* A row order that shows data row rows-1 first puts that hot cell at the top. */
  {
    g_autofree gsize *order = g_new (gsize, rows);
    for (gsize i = 0; i < rows; i++)
      order[i] = rows - 1 - i;
    data.row_order = order;
    s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 500, 360);
    cr = cairo_create (s);
    cs_attention_matrix_render (cr, &data, &style, 500, 360);
    cairo_surface_flush (s);
    g_assert_cmpuint (find_color (s, 0xfffde725, &x3, &y3), >, 20);
    cairo_destroy (cr);
    cairo_surface_destroy (s);
    data.row_order = NULL;
  }

  g_assert_cmpfloat (fabs (y0 - y1), <, 1.0);      /* same row */
  g_assert_cmpfloat (x1 - x0, >, 300);             /* last column far right */
  g_assert_cmpfloat (fabs (x0 - x2), <, 1.0);      /* same column */
  g_assert_cmpfloat (y2 - y0, >, 150);             /* last row at the bottom */
  g_assert_cmpfloat (fabs (y3 - y0), <, 1.0);      /* reordered: back at the top */
  g_assert_cmpfloat (fabs (x3 - x0), <, 1.0);
}

static void
test_case_attention_sums (void)
{
  for (guint seed = 1; seed <= 5; seed++)
    {
      gsize n = 10 + seed * 97;
      RenderFixtures *f = render_fixtures_new (seed, n, 2, 2);
      CsCaseAttentionData *d = &f->case_attention;
      double swy, sw, top, naive = 0, top_naive = 0, last;
      g_autofree gsize *order = NULL;
      g_autofree double *sorted = g_new (double, n);

      cs_case_attention_sums (d, &swy, &sw, &top);
      for (gsize i = 0; i < n; i++)
        naive += d->weights[i] * d->outcomes[i];
      g_assert_cmpfloat_with_epsilon (swy, naive, 1e-9 * fabs (naive));
      g_assert_cmpfloat_with_epsilon (sw, 1.0, 1e-12);
      /* top-k: the k largest weights found independently by selection. */
      memcpy (sorted, d->weights, n * sizeof (double));
      for (guint k = 0; k < d->top_k; k++)
        {
          gsize best = 0;
          for (gsize i = 0; i < n; i++)
            if (sorted[i] > sorted[best])
              best = i;
          top_naive += d->weights[best] * d->outcomes[best];
          sorted[best] = -1;
        }
      g_assert_cmpfloat_with_epsilon (top, top_naive, 1e-9 * fabs (top_naive));

      order = cs_case_attention_order (d);
      last = INFINITY;
      for (gsize p = 0; p < n; p++)
        {
          g_assert_cmpfloat (d->weights[order[p]], <=, last);
          last = d->weights[order[p]];
        }
      d->sort = CS_CASE_SORT_DISTANCE;
      g_free (order);
      order = cs_case_attention_order (d);
      last = -INFINITY;
      for (gsize p = 0; p < n; p++)
        {
          g_assert_cmpfloat (d->distances[order[p]], >=, last);
          last = d->distances[order[p]];
        }
      render_fixtures_free (f);
    }
}

/* The chart's weight order on its own terms, written here independently: larger weight first, NaN as the lowest,
 * equal weights by case. */
static const double *order_reference_w;

static int
order_reference_cmp (const void *a,
                     const void *b)
{
  gsize i = *(const gsize *) a, j = *(const gsize *) b;
  double wi = order_reference_w[i], wj = order_reference_w[j];

  wi = isnan (wi) ? -INFINITY : wi;
  wj = isnan (wj) ? -INFINITY : wj;
  if (wi != wj)
    return wi > wj ? -1 : 1;
  return (i > j) - (i < j);
}

static void
test_case_attention_order_ties (void)
{
  /* Few distinct values, so most weights tie; exact zeros (and -0), NaN, a negative and -inf among them: the
   * order and the top k must be those of a full sort whatever the mix (the renderer splits off the zeros and
   * selects the top k without sorting). */
  const double values[] = { 0.0, -0.0, 0.5, 1e-300, 0.25, NAN, 0.5, 0.0, -1.0, 0.125, -INFINITY, 0.0, 4.9e-324, 1.0 };
  const gsize sizes[] = { 1, 2, 7, 100, 4099 };

  for (gsize t = 0; t < G_N_ELEMENTS (sizes); t++)
    for (guint seed = 1; seed <= 3; seed++)
      {
        gsize n = sizes[t];
        GRand *rand = g_rand_new_with_seed (seed * 31 + (guint) n);
        g_autofree double *w = g_new (double, n);
        g_autofree gsize *expect = g_new (gsize, n);
        g_autofree gsize *order = NULL;
        CsCaseAttentionData d = { 0 };
        const guint ks[] = { 1, 3, 10, 64 };

        for (gsize i = 0; i < n; i++)
          {
            /* half the time one of the tied values, else a distinct positive weight (a few zeros for seed 3) */
            if (g_rand_boolean (rand) || seed == 3)
              w[i] = values[g_rand_int_range (rand, 0, G_N_ELEMENTS (values))];
            else
              w[i] = g_rand_double (rand);
            expect[i] = i;
          }
        order_reference_w = w;
        qsort (expect, n, sizeof (gsize), order_reference_cmp);
        d.n = n;
        d.weights = w;
        d.sort = CS_CASE_SORT_WEIGHT;
        order = cs_case_attention_order (&d);
        for (gsize p = 0; p < n; p++)
          g_assert_cmpuint (order[p], ==, expect[p]);
        for (gsize q = 0; q < G_N_ELEMENTS (ks); q++)
          {
            guint k = (guint) MIN ((gsize) ks[q], n);
            g_autofree gsize *top = cs_case_attention_top (&d, k);

            for (guint p = 0; p < k; p++)
              g_assert_cmpuint (top[p], ==, expect[p]);
          }
        g_rand_free (rand);
      }
}

static void
test_sweep_numbers (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int trial = 0; trial < 50; trial++)
    {
      double slope = g_rand_double_range (rand, -2, 2), c = g_rand_double_range (rand, 0.1, 10);
      double x[9], y[9], l[6], wl[6], s[5], ws[5];
      guint d = (guint) g_rand_int_range (rand, 1, 8);
      gsize n = (gsize) g_rand_int_range (rand, 10, 1000);
      double c2 = g_rand_double_range (rand, 0.05, 5);
      CsWindowSweepData data = { 6, l, wl, 0.5, 5, s, ws, 1.0, n, d, NULL, NULL, NULL };

      for (int i = 0; i < 9; i++)
        {
          x[i] = pow (10, g_rand_double_range (rand, -2, 3));
          y[i] = c * pow (x[i], slope);
        }
      g_assert_cmpfloat_with_epsilon (cs_loglog_slope (x, y, 9), slope, 1e-9);
      /* Exactly on the theory curve: the fitted constant is recovered. */
      for (int i = 0; i < 6; i++)
        {
          l[i] = pow (2, i - 2);
          wl[i] = c2 * pow (0.25 / (l[i] * l[i] * n), 1.0 / (d + 2));
        }
      for (int i = 0; i < 5; i++)
        {
          s[i] = 0.1 * pow (2, i);
          ws[i] = c2 * pow (s[i] * s[i] / (1.0 * n), 1.0 / (d + 2));
        }
      g_assert_cmpfloat_with_epsilon (cs_window_sweep_theory_constant (&data), c2, 1e-9 * c2);
      g_assert_cmpfloat_with_epsilon (cs_loglog_slope (l, wl, 6), -2.0 / (d + 2), 1e-9);
    }
  g_assert_true (isnan (cs_loglog_slope ((double[]) { 1 }, (double[]) { 1 }, 1)));
  g_rand_free (rand);
}

static void
test_histogram (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  double v[500];
  guint counts[17], total = 0, inside = 0;

  for (int i = 0; i < 500; i++)
    v[i] = g_rand_double_range (rand, -1, 3);
  v[7] = NAN;
  cs_histogram (v, 500, 0, 2, counts, 17);
  for (int i = 0; i < 500; i++)
    if (v[i] >= 0 && v[i] <= 2)
      {
        guint b = MIN ((guint) (v[i] / 2 * 17), 16);
        inside++;
        counts[b]--;
      }
  for (guint b = 0; b < 17; b++)
    {
      g_assert_cmpuint (counts[b], ==, 0);
      total += counts[b];
    }
  g_assert_cmpuint (inside, >, 200);
  g_rand_free (rand);
}

static void
test_empty_and_degenerate (void)
{
  /* Empty data and a constant column draw a note, not a crash, and stay inside the page. */
  RenderFixtures *f = render_fixtures_new (3, 1, 1, 1);
  CsPlotStyle style;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < CS_N_CHARTS; k++)
      {
        cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 420, 300);
        cairo_t *cr = cairo_create (s);
        CsChart chart = f->charts[k];
        double cx, cy;

        if (pass == 0)
          {
            static const char zero[512] = { 0 };
            chart.data = zero; /* every chart's n == 0, NULL arrays */
          }
        cs_chart_render (cr, &chart, &style, 420, 300);
        g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
        cairo_surface_flush (s);
        if (g_getenv ("CS_DEBUG_DUMP"))
          {
            g_autofree char *name = g_strdup_printf ("/tmp/empty-%d-%u.png", pass, k);
            cairo_surface_write_to_png (s, name);
          }
        assert_margin_clear (s, 5);
        /* Something besides the background was drawn (at least the title). */
        g_assert_cmpuint (find_color (s, 0xffffffff, &cx, &cy), <, 420 * 300);
        cairo_destroy (cr);
        cairo_surface_destroy (s);
      }
  render_fixtures_free (f);
}

static void
test_long_names_ellipsised (void)
{
  RenderFixtures *f = render_fixtures_new (5, 200, 10, 10);
  g_autofree char *long_name = g_strnfill (300, 'W');
  CsPlotStyle style;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  f->feature_map.x_name = long_name;
  f->feature_map.y_name = long_name;
  f->feature_map.title = long_name;
  f->case_attention.target_name = long_name;
  for (gsize i = 0; i < f->n; i++)
    {
      g_free (f->ids[i]);
      f->ids[i] = g_strdup (long_name);
    }
  for (guint k = 0; k < 2; k++)
    {
      cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 420, 300);
      cairo_t *cr = cairo_create (s);
      cs_chart_render (cr, &f->charts[k], &style, 420, 300);
      cairo_surface_flush (s);
      assert_margin_clear (s, 9);
      cairo_destroy (cr);
      cairo_surface_destroy (s);
    }
  render_fixtures_free (f);
}


/* The per-case charts (window, diagnostics) take a subtitle saying which cases their points are (the
 * command line's sample on large bases): it is drawn, so the picture changes, and a long one is ellipsised. */
static void
test_subtitle (void)
{
  RenderFixtures *f = render_fixtures_new (7, 300, 10, 10);
  g_autofree char *long_text = g_strnfill (300, 'W');
  const CsChartKind kinds[] = { CS_CHART_WINDOW, CS_CHART_DIAGNOSTICS };
  const char **subtitle[] = { &f->window.subtitle, &f->diagnostics.subtitle };
  CsPlotStyle style;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const char *texts[] = { NULL, "Leave-one-out on 1000 evenly spaced cases of 21000", long_text };
      cairo_surface_t *s[3];
      guint differ = 0;

      for (guint t = 0; t < 3; t++)
        {
          cairo_t *cr;

          *subtitle[k] = texts[t];
          s[t] = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 640, 480);
          cr = cairo_create (s[t]);
          cs_chart_render (cr, &f->charts[kinds[k]], &style, 640, 480);
          g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
          cairo_destroy (cr);
          cairo_surface_flush (s[t]);
        }
      *subtitle[k] = NULL;
      for (int y = 0; y < 480; y++)
        differ += memcmp (cairo_image_surface_get_data (s[0]) + y * cairo_image_surface_get_stride (s[0]),
                          cairo_image_surface_get_data (s[1]) + y * cairo_image_surface_get_stride (s[1]),
                          4 * 640) != 0;
      g_assert_cmpuint (differ, >, 0);
      assert_margin_clear (s[2], 9);
      for (guint t = 0; t < 3; t++)
        cairo_surface_destroy (s[t]);
    }
  render_fixtures_free (f);
}


/* Hostile numbers (NaN, infinities, 1e300, all-equal) never crash a chart or break the cairo context. */
static void
test_hostile_values (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  const double specials[] = { NAN, INFINITY, -INFINITY, 1e300, -1e300, 0, 1e-300, 5 };

  for (int trial = 0; trial < 8; trial++)
    {
      /* Trials 6 and 7 are dense: raster point clouds, min/max window columns. */
      gsize n = trial >= 6 ? 6000 : 200;
      RenderFixtures *f = render_fixtures_new ((guint32) trial, n, 20, 30);
      double *arrays[] = { f->x, f->y, f->outcome, f->weight, f->distance, f->lipschitz, f->noise, f->wpos, f->wwin };
      CsPlotStyle style;

      for (guint a = 0; a < G_N_ELEMENTS (arrays); a++)
        for (gsize i = 0; i < n; i++)
          if (trial == 5 || g_rand_int_range (rand, 0, 4) == 0)
            arrays[a][i] = trial == 5 ? 7.0 : specials[g_rand_int_range (rand, 0, G_N_ELEMENTS (specials))];
      for (gsize i = 0; i < f->rows * f->cols; i++)
        if (g_rand_int_range (rand, 0, 5) == 0)
          f->matrix[i] = (float) specials[g_rand_int_range (rand, 0, G_N_ELEMENTS (specials))];
      f->feature_map.query_x = specials[trial % G_N_ELEMENTS (specials)];
      f->feature_map.half_width_x = specials[(trial + 3) % G_N_ELEMENTS (specials)];
      f->window.query_position = specials[(trial + 1) % G_N_ELEMENTS (specials)];
      f->diagnostics.lipschitz_threshold = specials[(trial + 2) % G_N_ELEMENTS (specials)];
      cs_plot_style_init (&style, trial % 2 ? CS_PLOT_DARK : CS_PLOT_LIGHT);
      style.stretch_to_max = trial % 3 == 0;
      for (guint k = 0; k < CS_N_CHARTS; k++)
        {
          cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
          cairo_t *cr = cairo_create (s);

          cs_chart_render (cr, &f->charts[k], &style, 400, 300);
          if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
            g_error ("trial %d, chart %s: %s", trial, cs_chart_kind_name (k), cairo_status_to_string (cairo_status (cr)));
          cairo_destroy (cr);
          cairo_surface_destroy (s);
        }
      render_fixtures_free (f);
    }
  g_rand_free (rand);
}

static void
test_transparent_and_dpi (void)
{
  RenderFixtures *f = render_fixtures_new (9, 100, 10, 10);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cairo_t *cr = cairo_create (s);
  CsPlotStyle style;
  double h96, h300;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  style.transparent = TRUE;
  cs_chart_render (cr, &f->charts[CS_CHART_WINDOW], &style, 400, 300);
  cairo_surface_flush (s);
  g_assert_cmphex (*(guint32 *) cairo_image_surface_get_data (s), ==, 0);
  /* Text size in points scales with the DPI. */
  style.px_per_pt = 96 / 72.0;
  h96 = cs_plot_text_height (cr, &style, CS_TEXT_NORMAL);
  style.px_per_pt = 300 / 72.0;
  h300 = cs_plot_text_height (cr, &style, CS_TEXT_NORMAL);
  g_assert_cmpfloat (fabs (h300 / h96 - 300 / 96.0), <, 0.1);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  render_fixtures_free (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ref_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cs/render/reference/%s", ref_cases[i].name);
      g_test_add_data_func (path, &ref_cases[i], test_reference);
    }
  g_test_add_func ("/cs/render/reference-detects-change", test_reference_detects_change);
  g_test_add_func ("/cs/render/case-attention/order-ties", test_case_attention_order_ties);
  g_test_add_func ("/cs/render/colormap/tables", test_colormap_tables);
  g_test_add_func ("/cs/render/ticks/nice", test_nice_ticks);
  g_test_add_func ("/cs/render/ticks/log-and-format", test_log_ticks_and_format);
  g_test_add_func ("/cs/render/matrix/binning", test_matrix_binning);
  g_test_add_func ("/cs/render/matrix/orientation", test_matrix_orientation);
  g_test_add_func ("/cs/render/case-attention/sums", test_case_attention_sums);
  g_test_add_func ("/cs/render/window-sweep/numbers", test_sweep_numbers);
  g_test_add_func ("/cs/render/diagnostics/histogram", test_histogram);
  g_test_add_func ("/cs/render/empty-and-degenerate", test_empty_and_degenerate);
  g_test_add_func ("/cs/render/long-names", test_long_names_ellipsised);
  g_test_add_func ("/cs/render/subtitle", test_subtitle);
  g_test_add_func ("/cs/render/transparent-and-dpi", test_transparent_and_dpi);
  g_test_add_func ("/cs/render/hostile-values", test_hostile_values);
  return g_test_run ();
}
