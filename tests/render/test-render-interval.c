/* test-render-interval.c: the prediction interval is drawn where its numbers say (feature map, case attention,
 * follow strip), found in the pixels against markers placed at known values; the backtest chart's alarm line. */
#include "config.h"

#include <math.h>

#include "cs-charts.h"
#include "cs-follow-strip.h"
#include "cs-plot-interval.h"
#include "cs-colormap.h"

#define W 800
#define H 560
/* A channel within this of the expected colour counts as that colour (anti-aliased edges fall outside). */
#define TOL 6

typedef struct
{
  cairo_surface_t *s;
  const guint8 *p;
  int stride;
} Img;

static void
img_take (Img             *img,
          cairo_surface_t *s)
{
  cairo_surface_flush (s);
  img->s = s;
  img->p = cairo_image_surface_get_data (s);
  img->stride = cairo_image_surface_get_stride (s);
}

static gboolean
is_color (const Img *img,
          int        x,
          int        y,
          CsRgb      c)
{
  guint32 v = *(const guint32 *) (img->p + y * img->stride + 4 * x);
  int r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;

  return abs (r - (int) lround (c.r * 255)) <= TOL && abs (g - (int) lround (c.g * 255)) <= TOL
         && abs (b - (int) lround (c.b * 255)) <= TOL;
}

static cairo_surface_t *
render (const CsChart *chart)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);
  CsPlotStyle style;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  cs_chart_render (cr, chart, &style, W, H);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  return s;
}

/* Centroid of the pixels of colour c in columns [x0, x1) and rows [y0, y1); FALSE when there are none. */
static gboolean
centroid (const Img *img,
          CsRgb      c,
          int        x0,
          int        x1,
          int        y0,
          int        y1,
          double    *cx,
          double    *cy)
{
  double sx = 0, sy = 0, m = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, H); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, W); x++)
      if (is_color (img, x, y, c))
        {
          sx += x;
          sy += y;
          m++;
        }
  if (m == 0)
    return FALSE;
  *cx = sx / m;
  *cy = sy / m;
  return TRUE;
}

static gsize
count_color (const Img *img,
             CsRgb      c,
             int        x0,
             int        x1,
             int        y0,
             int        y1)
{
  gsize m = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, H); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, W); x++)
      m += is_color (img, x, y, c);
  return m;
}

/* Feature map with one feature (the vertical axis is the outcome): the error bar at the query spans exactly the
 * rows of the interval's lower and upper ends, located by cases drawn at those outcomes. */
static void
test_feature_map_band (void)
{
  const double lo_hi[][2] = { { 12.0, 18.0 }, { 9.5, 20.5 }, { 14.0, 15.0 } };
  CsPlotStyle style;
  CsRgb band, yellow;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  band = cs_plot_interval_color (&style);
  yellow = cs_colormap_eval (CS_COLORMAP_VIRIDIS, 1.0);
  for (guint k = 0; k < G_N_ELEMENTS (lo_hi); k++)
    {
      double lo = lo_hi[k][0], hi = lo_hi[k][1];
      /* reference cases at the ends (weight 1: the colour map's yellow), others spread over the range (weight
       * 0) at the far right, so the left half holds only the two yellow markers */
      double x[6] = { 0, 0, 10, 10, 10, 10 }, y[6] = { lo, hi, lo - 2, hi + 2, lo, hi };
      double v[6] = { 1, 1, 0, 0, 0, 0 };
      CsFeatureMapData d = {
        .n = 6, .x = x, .y = y, .values = v, .color_by = CS_COLOR_BY_WEIGHT,
        .x_name = "temperature", .x_unit = "°C", .y_name = "strength", .y_unit = "MPa",
        .has_query = TRUE, .query_x = 5, .query_y = (lo + hi) / 2,
        .interval_level = 0.9, .interval_lower = lo, .interval_upper = hi,
      };
      CsChart chart = { CS_CHART_FEATURE_MAP, &d };
      Img img;
      double lx = 0, ly_hi = 0, ly_lo = 0, cx = 0;
      int top, bottom;

      img_take (&img, render (&chart));
      /* the two yellow markers in the left half: the upper one at hi, the lower at lo */
      g_assert_true (centroid (&img, yellow, 0, W / 2, 0, H, &lx, &cx));
      g_assert_true (centroid (&img, yellow, 0, W / 2, 0, (int) cx, &lx, &ly_hi));
      g_assert_true (centroid (&img, yellow, 0, W / 2, (int) cx, H, &lx, &ly_lo));
      g_test_message ("markers at x %.1f, rows %.1f (hi) and %.1f (lo)", lx, ly_hi, ly_lo);
      g_assert_cmpfloat (ly_lo - ly_hi, >, 50);
      /* the band's rows in the columns between the reference markers and the right-hand cases */
      top = (int) lround (ly_hi), bottom = (int) lround (ly_lo);
      g_assert_cmpuint (count_color (&img, band, (int) lx + 20, W - 120, top + 2, top + 3), >, 0);
      g_assert_cmpuint (count_color (&img, band, (int) lx + 20, W - 120, bottom - 3, bottom - 2), >, 0);
      /* nothing of it beyond the ends (the legend swatch is above the frame, further up) */
      g_assert_cmpuint (count_color (&img, band, (int) lx + 20, W - 120, top - 8, top - 2), ==, 0);
      g_assert_cmpuint (count_color (&img, band, (int) lx + 20, W - 120, bottom + 3, bottom + 9), ==, 0);
      cairo_surface_destroy (img.s);
    }

  /* Without an interval no band is drawn, legend included: only a few anti-aliased edge pixels of the query
   * marker (the accent over white) fall within the band's tint, against thousands for a band. */
  {
    double x[2] = { 0, 10 }, y[2] = { 1, 2 }, v[2] = { 1, 0 };
    CsFeatureMapData d = {
      .n = 2, .x = x, .y = y, .values = v, .color_by = CS_COLOR_BY_WEIGHT, .has_query = TRUE, .query_x = 5,
      .query_y = 1.5, .interval_level = NAN,
    };
    CsChart chart = { CS_CHART_FEATURE_MAP, &d };
    Img img;

    img_take (&img, render (&chart));
    g_assert_cmpuint (count_color (&img, band, 0, W, 0, H), <, 60);
    cairo_surface_destroy (img.s);
  }
}

/* The longest run of colour c in row y: its first and last column. */
static int
longest_run (const Img *img,
             CsRgb      c,
             int        y,
             int       *first,
             int       *last)
{
  int best = 0, start = -1;

  for (int x = 0; x <= W; x++)
    {
      gboolean in = x < W && is_color (img, x, y, c);
      if (in && start < 0)
        start = x;
      if (!in && start >= 0)
        {
          if (x - start > best)
            {
              best = x - start;
              *first = start;
              *last = x - 1;
            }
          start = -1;
        }
    }
  return best;
}

/* Case attention: the band on the outcome axis runs from lower to upper, measured against the dots of the two
 * heaviest cases placed a quarter of the way in from either end. */
static void
test_case_attention_band (void)
{
  const double lo_hi[][2] = { { 20, 28 }, { 0.5, 0.9 }, { -40, 10 } };
  CsPlotStyle style;
  CsRgb band;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  band = cs_plot_interval_color (&style);
  for (guint k = 0; k < G_N_ELEMENTS (lo_hi); k++)
    {
      double lo = lo_hi[k][0], hi = lo_hi[k][1], q = (hi - lo) / 4;
      double w[5] = { 0.45, 0.35, 0.1, 0.06, 0.04 };
      double y[5] = { lo + q, hi - q, lo + 2 * q, lo + 2 * q, lo + 2 * q };
      CsCaseAttentionData d = {
        .n = 5, .weights = w, .outcomes = y, .top_k = 2, .prediction = lo + 2 * q,
        .interval_level = 0.9, .interval_lower = lo, .interval_upper = hi, .target_name = "strength",
        .target_unit = "MPa",
      };
      CsChart chart = { CS_CHART_CASE_ATTENTION, &d };
      Img img;
      int rmin = H, rmax = -1, first = 0, last = 0, mid;
      double xa = 0, xb = 0, ya = 0, yb = 0, x_lo, x_hi;

      img_take (&img, render (&chart));
      /* the band's rows: where the longest run of its colour is far wider than the legend swatch */
      for (int yy = 0; yy < H; yy++)
        {
          int f, l;
          if (longest_run (&img, band, yy, &f, &l) > 60)
            {
              rmin = MIN (rmin, yy);
              rmax = MAX (rmax, yy);
            }
        }
      g_test_message ("band rows %d..%d", rmin, rmax);
      g_assert_cmpint (rmax - rmin, >, 5);
      /* its ends in its top row (clear of the dots): the prediction line splits it, so the outermost pixels of
       * the runs longer than the legend swatch */
      first = W, last = -1;
      for (int x = 0, start = -1; x <= W; x++)
        {
          gboolean in = x < W && is_color (&img, x, rmin + 1, band);
          if (in && start < 0)
            start = x;
          if (!in && start >= 0)
            {
              if (x - start > 30)
                {
                  first = MIN (first, start);
                  last = MAX (last, x - 1);
                }
              start = -1;
            }
        }
      mid = (rmin + rmax) / 2;
      /* the dots (foreground ink) on the band's middle row, left and right of its centre */
      g_assert_true (centroid (&img, style.foreground, first, (first + last) / 2, mid - 6, mid + 7, &xa, &ya));
      g_assert_true (centroid (&img, style.foreground, (first + last) / 2, last + 1, mid - 6, mid + 7, &xb, &yb));
      /* lower and upper are half the dots' distance outside them */
      x_lo = xa - (xb - xa) / 2;
      x_hi = xb + (xb - xa) / 2;
      g_test_message ("band %d..%d, expected %.1f..%.1f", first, last, x_lo, x_hi);
      g_assert_cmpfloat (xb - xa, >, 100);
      g_assert_cmpfloat (fabs (first - x_lo), <=, 2.5);
      g_assert_cmpfloat (fabs (last - x_hi), <=, 2.5);
      cairo_surface_destroy (img.s);
    }
}

/* Follow strip: each row's interval bar is as tall as its interval (same axis, so heights compare), and a row
 * without an interval has none. */
static void
test_follow_strip_band (void)
{
  double line[3] = { 10, 20, 30 }, pred[3] = { 50, 52, 51 }, actual[3] = { 49, NAN, 55 };
  double lower[3] = { 48, 46, NAN }, upper[3] = { 52, 58, NAN };
  CsFollowStripData d = {
    .n = 3, .line = line, .predicted = pred, .actual = actual, .lower = lower, .upper = upper,
    .interval_level = 0.9, .target_label = "strength [MPa]",
  };
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (s);
  CsPlotStyle style;
  Img img;
  CsRgb band;
  int height[3] = { 0, 0, 0 }, col[3] = { 0, 0, 0 };

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  band = cs_plot_interval_color (&style);
  cs_follow_strip_render (cr, &d, &style, W, H);
  cairo_destroy (cr);
  img_take (&img, s);
  /* the bars' columns: the three rows are evenly spaced, so the bars sit at 1/6, 1/2 and 5/6 of the span of the
   * columns holding band colour below the legend */
  {
    int xmin = W, xmax = -1;
    for (int x = 0; x < W; x++)
      {
        int run = 0, best = 0;
        for (int y = 0; y < H; y++)
          {
            run = is_color (&img, x, y, band) ? run + 1 : 0;
            best = MAX (best, run);
          }
        if (best > 30)
          {
            xmin = MIN (xmin, x);
            xmax = MAX (xmax, x);
          }
      }
    g_assert_cmpint (xmax, >, xmin);
    /* only two bars: the first and the second row; the third has no interval */
    col[0] = xmin + 1;
    col[1] = xmax - 1;
  }
  /* each bar's extent: its first and last row in the band's colour (grid lines and markers cross it) */
  for (int i = 0; i < 2; i++)
    {
      int top = H, bottom = -1;
      for (int y = 0; y < H; y++)
        if (is_color (&img, col[i], y, band))
          {
            top = MIN (top, y);
            bottom = MAX (bottom, y);
          }
      height[i] = bottom - top + 1;
    }
  g_test_message ("bar heights %d and %d px", height[0], height[1]);
  /* 12 MPa against 4 MPa on one axis: three times as tall; each end is exact to a pixel, so the ratio to
   * (2 + 3 * 2) / height[0] */
  g_assert_cmpfloat (fabs ((double) height[1] / height[0] - 3.0), <=, 8.0 / height[0]);
  /* the second bar is the right-most band: the third row's column holds none */
  g_assert_cmpint (col[1], <, W * 0.8);
  cairo_surface_destroy (s);
}

/* The backtest chart draws its alarm: a line in the flag colour at the alarm's position, through all panels, and
 * none when there is no alarm. */
static void
test_backtest_alarm_line (void)
{
  gsize n = 300;
  g_autofree double *pos = g_new (double, n), *err = g_new (double, n), *cov = g_new (double, n);
  g_autofree double *stat = g_new (double, n);
  double apos[1] = { 200 };
  guint aline[1] = { 201 };
  CsBacktestChartData d = {
    .n = n, .position = pos, .error = err, .coverage = cov, .statistic = stat, .coverage_window = 50,
    .interval_level = 0.9, .h = 10, .n_alarms = 1, .alarm_position = apos, .alarm_line = aline,
  };
  CsChart chart = { CS_CHART_BACKTEST, &d };
  CsPlotStyle style;
  Img img;
  int flag_cols = 0, tallest = 0;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  for (gsize t = 0; t < n; t++)
    {
      pos[t] = (double) t + 1;
      err[t] = t < 30 ? NAN : sin (0.3 * t);
      cov[t] = t < 30 ? NAN : 0.9;
      stat[t] = t < 30 ? NAN : 0.05 * (double) (t % 200);
    }
  img_take (&img, render (&chart));
  for (int x = 0; x < W; x++)
    {
      int m = 0;
      for (int y = 0; y < H; y++)
        m += is_color (&img, x, y, style.flag);
      if (m > H / 3)
        flag_cols++;
      tallest = MAX (tallest, m);
    }
  g_assert_cmpint (flag_cols, >=, 1);
  g_assert_cmpint (flag_cols, <=, 4);
  cairo_surface_destroy (img.s);

  d.n_alarms = 0;
  img_take (&img, render (&chart));
  flag_cols = 0;
  for (int x = 0; x < W; x++)
    {
      int m = 0;
      for (int y = 0; y < H; y++)
        m += is_color (&img, x, y, style.flag);
      flag_cols += m > H / 3;
    }
  g_assert_cmpint (flag_cols, ==, 0);
  cairo_surface_destroy (img.s);
  (void) tallest;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/render/interval/feature-map", test_feature_map_band);
  g_test_add_func ("/cs/render/interval/case-attention", test_case_attention_band);
  g_test_add_func ("/cs/render/interval/follow-strip", test_follow_strip_band);
  g_test_add_func ("/cs/render/backtest/alarm-line", test_backtest_alarm_line);
  return g_test_run ();
}
