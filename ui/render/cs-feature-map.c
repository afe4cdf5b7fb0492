/* cs-feature-map.c: chart 2, cases in the plane of two features coloured by weight, window ellipse, query. */
#define G_LOG_DOMAIN "cs-feature-map"

#include "config.h"

#include <glib/gi18n.h>

#include <math.h>

#include "cs-charts.h"
#include "cs-feature-map-private.h"
#include "cs-plot-interval.h"

/* Above this many points the cloud is drawn as one raster layer (also in SVG/PDF). */
#define VECTOR_LIMIT 4000

void
_cs_points_colorbar (const double *values,
                     gsize         n,
                     CsColorBy     color_by,
                     gboolean      signed_values,
                     const CsPlotStyle *style,
                     CsColorbar   *bar)
{
  double lo = INFINITY, hi = -INFINITY;

  for (gsize i = 0; i < n; i++)
    if (isfinite (values[i]))
      {
        lo = MIN (lo, values[i]);
        hi = MAX (hi, values[i]);
      }
  if (!isfinite (lo))
    {
      lo = 0;
      hi = 1;
    }
  bar->log = FALSE;
  bar->has_threshold = FALSE;
  if (color_by == CS_COLOR_BY_WEIGHT)
    {
      bar->map = style->weight_map;
      bar->vmin = 0;
      bar->vmax = style->stretch_to_max && hi > 0 ? hi : 1;
    }
  else if (signed_values)
    {
      double m = MAX (fabs (lo), fabs (hi));

      bar->map = CS_COLORMAP_DIVERGING;
      bar->vmin = -(m > 0 ? m : 1);
      bar->vmax = m > 0 ? m : 1;
    }
  else
    {
      bar->map = style->weight_map;
      bar->vmin = lo;
      bar->vmax = hi > lo ? hi : lo + 1;
    }
}

/* Points in colour order (light-to-heavy) so the heaviest are drawn last, on top. */
static guint8 *
color_levels (const double     *values,
              gsize             n,
              const CsColorbar *bar,
              gsize           **order_out)
{
  guint8 *level = g_new (guint8, MAX (n, 1));
  gsize count[257] = { 0 };
  gsize *order = g_new (gsize, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    {
      double t = cs_colorbar_t (bar, values[i]);
      level[i] = isnan (t) ? 0 : (guint8) lround (t * 255);
      count[level[i] + 1]++;
    }
  for (guint l = 1; l < 257; l++)
    count[l] += count[l - 1];
  for (gsize i = 0; i < n; i++)
    order[count[level[i]]++] = i;
  *order_out = order;
  return level;
}

void
_cs_points_draw (cairo_t           *cr,
                 const CsPlotStyle *style,
                 const CsPlotFrame *frame,
                 const double      *x,
                 const double      *y,
                 const double      *values,
                 gsize              n,
                 const CsColorbar  *bar,
                 double             threshold,
                 gboolean           has_threshold)
{
  g_autofree gsize *order = NULL;
  g_autofree guint8 *level = color_levels (values, n, bar, &order);
  guint32 lut[256];
  double size = cs_plot_pt (style, n > 1000 ? 3.2 : n > 200 ? 4.5 : 6);

  cs_colormap_fill_lut (bar->map, lut, 256);
  cairo_save (cr);
  cs_plot_frame_clip (cr, frame);
  if (n <= VECTOR_LIMIT)
    {
      for (gsize p = 0; p < n; p++)
        {
          gsize i = order[p];
          double px = cs_plot_frame_x (frame, x[i]), py = cs_plot_frame_y (frame, y[i]);
          CsRgb c = cs_colormap_eval (bar->map, level[i] / 255.0);
          gboolean above = has_threshold && values[i] > threshold;

          if (!isfinite (px) || !isfinite (py))
            continue;
          /* Over the threshold: a triangle instead of a circle, so the state does not rest on colour. */
          cs_plot_marker (cr, style, above ? CS_MARK_TRIANGLE : CS_MARK_CIRCLE, px, py, above ? size * 1.5 : size, c,
                          style->palette == CS_PLOT_DARK ? style->background : style->frame);
        }
    }
  else
    {
      double scale = cs_plot_raster_scale (cr);
      int iw = (int) ceil (frame->area.w * scale), ih = (int) ceil (frame->area.h * scale);
      cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (iw, 1), MAX (ih, 1));
      int stride_px = cairo_image_surface_get_stride (img) / 4;
      guint32 *px;
      int r = MAX ((int) lround (size * scale / 2), 1);
      int offsets = 0;
      int dxs[256], dys[256];
      double sx = iw / (frame->x.max - frame->x.min), sy = ih / (frame->y.max - frame->y.min);
      gboolean logx = frame->x.log, logy = frame->y.log;

      cairo_surface_flush (img);
      px = (guint32 *) cairo_image_surface_get_data (img);
      r = MIN (r, 7);
      for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++)
          if (dx * dx + dy * dy <= r * r + r && offsets < 256)
            {
              dxs[offsets] = dx;
              dys[offsets] = dy;
              offsets++;
            }
      for (gsize p = 0; p < n; p++)
        {
          gsize i = order[p];
          double fx, fy;
          int cx, cy;
          guint32 c = lut[level[i]];

          if (logx || logy)
            {
              fx = (cs_plot_frame_x (frame, x[i]) - frame->area.x) * scale;
              fy = (cs_plot_frame_y (frame, y[i]) - frame->area.y) * scale;
            }
          else
            {
              fx = (x[i] - frame->x.min) * sx;
              fy = ih - (y[i] - frame->y.min) * sy;
            }
          if (!(fx > -r && fx < iw + r && fy > -r && fy < ih + r))
            continue;
          cx = (int) fx;
          cy = (int) fy;
          if (cx - r >= 0 && cx + r < iw && cy - r >= 0 && cy + r < ih)
            {
              guint32 *base = px + (gsize) cy * stride_px + cx;
              for (int o = 0; o < offsets; o++)
                base[dys[o] * stride_px + dxs[o]] = c;
            }
          else
            for (int o = 0; o < offsets; o++)
              {
                int xx = cx + dxs[o], yy = cy + dys[o];
                if (xx >= 0 && xx < iw && yy >= 0 && yy < ih)
                  px[(gsize) yy * stride_px + xx] = c;
              }
        }
      cairo_surface_mark_dirty (img);
      cairo_translate (cr, frame->area.x, frame->area.y);
      cairo_scale (cr, 1.0 / scale, 1.0 / scale);
      cairo_set_source_surface (cr, img, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_surface_destroy (img);
      cairo_identity_matrix (cr);
      cairo_restore (cr);
      cairo_save (cr);
      cs_plot_frame_clip (cr, frame);
      /* States never by colour alone: points over the threshold get a vector triangle on top. */
      if (has_threshold)
        {
          gsize drawn = 0;

          for (gsize p = n; p > 0 && drawn < VECTOR_LIMIT; p--)
            {
              gsize i = order[p - 1];

              if (!(values[i] > threshold))
                continue;
              cs_plot_marker (cr, style, CS_MARK_TRIANGLE, cs_plot_frame_x (frame, x[i]), cs_plot_frame_y (frame, y[i]),
                              size * 1.5, cs_colormap_eval (bar->map, level[i] / 255.0), style->frame);
              drawn++;
            }
        }
    }
  cairo_restore (cr);
}

void
_cs_points_range (const double *v,
                  gsize         n,
                  double       *lo,
                  double       *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        *lo = MIN (*lo, v[i]);
        *hi = MAX (*hi, v[i]);
      }
}

void
cs_feature_map_render (cairo_t                *cr,
                       const CsFeatureMapData *data,
                       const CsPlotStyle      *style,
                       double                  width,
                       double                  height)
{
  g_autofree char *xlabel = cs_plot_axis_label (data->x_name, data->x_unit);
  g_autofree char *ylabel = cs_plot_axis_label (data->y_name, data->y_unit);
  g_autofree char *vname = NULL;
  g_autofree char *title = NULL;
  g_autofree char *bar_label = NULL;
  g_autofree char *window_label = NULL;
  g_autofree char *interval_label = NULL;
  CsAxis xa = { xlabel, 0, 1, FALSE, FALSE }, ya = { ylabel, 0, 1, FALSE, FALSE };
  CsColorbar bar = { 0 };
  CsLegendItem legend[4];
  guint n_legend = 0;
  CsPlotFrame frame;
  CsRect r, cb_r;
  double cbw;
  /* A query or window that is not a finite number is not drawn (rather than breaking the page). */
  gboolean has_query = data->has_query && isfinite (data->query_x) && isfinite (data->query_y);
  gboolean has_window = has_query && isfinite (data->half_width_x) && isfinite (data->half_width_y)
                        && data->half_width_x > 0 && data->half_width_y > 0;
  /* the prediction's interval, on the vertical axis at the query (the builder sets it only when that axis is the
   * outcome) */
  gboolean has_interval = has_query && cs_plot_interval_valid (data->interval_level, data->interval_lower,
                                                               data->interval_upper);

  title = data->title != NULL ? g_strdup (data->title)
                              : g_strdup_printf ("Where the model looked: %s against %s",
                                                 data->y_name != NULL ? data->y_name : "y",
                                                 data->x_name != NULL ? data->x_name : "x");
  r = cs_plot_begin (cr, style, width, height, title, NULL);
  if (data->n == 0 || data->x == NULL || data->y == NULL || data->values == NULL)
    {
      cs_plot_empty (cr, style, &r, "No cases to show.");
      return;
    }

  _cs_points_colorbar (data->values, data->n, data->color_by, data->signed_values, style, &bar);
  vname = cs_plot_axis_label (data->value_name != NULL ? data->value_name
                              : data->color_by == CS_COLOR_BY_WEIGHT ? "weight wᵢ" : "outcome",
                              data->value_unit);
  if (data->color_by == CS_COLOR_BY_WEIGHT)
    bar_label = g_strdup_printf ("%s (%s, %s)", vname, cs_colormap_name (bar.map),
                                 style->stretch_to_max ? "stretched to max" : "fixed 0–1");
  else
    bar_label = g_strdup_printf ("%s (%s%s)", vname, cs_colormap_name (bar.map),
                                 data->signed_values ? ", centred at 0" : ", data range");
  bar.label = bar_label;

  legend[n_legend++] = (CsLegendItem) { data->point_label != NULL ? data->point_label
                                        : data->color_by == CS_COLOR_BY_WEIGHT ? "case (colour = weight, heaviest on top)"
                                        : "case (colour = outcome)",
                                        CS_LEGEND_MARKER, cs_colormap_eval (bar.map, 0.7), CS_MARK_CIRCLE, FALSE };
  if (has_query)
    legend[n_legend++] = (CsLegendItem) { "query", CS_LEGEND_QUERY, style->accent, CS_MARK_NONE, FALSE };
  if (has_window)
    {
      char hx[G_ASCII_DTOSTR_BUF_SIZE], hy[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (hx, sizeof hx, "%.3g", data->half_width_x);
      g_ascii_formatd (hy, sizeof hy, "%.3g", data->half_width_y);
      window_label = g_strdup_printf ("attention window ±%s %s, ±%s %s", hx, data->x_unit ? data->x_unit : "", hy,
                                      data->y_unit ? data->y_unit : "");
      legend[n_legend++] = (CsLegendItem) { window_label, CS_LEGEND_ELLIPSE, style->accent, CS_MARK_NONE, TRUE };
    }
  if (has_interval)
    {
      interval_label = cs_plot_interval_label (data->interval_level);
      legend[n_legend++] = (CsLegendItem) { interval_label, CS_LEGEND_SWATCH, cs_plot_interval_color (style),
                                            CS_MARK_NONE, FALSE };
    }
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);

  cbw = cs_plot_colorbar_width (cr, style, &bar);
  r = cs_rect_inset (r, 0, 0, cbw, 0);

  _cs_points_range (data->x, data->n, &xa.min, &xa.max);
  _cs_points_range (data->y, data->n, &ya.min, &ya.max);
  if (has_query)
    {
      double hx = has_window ? data->half_width_x : 0, hy = has_window ? data->half_width_y : 0;

      xa.min = MIN (xa.min, data->query_x - hx);
      xa.max = MAX (xa.max, data->query_x + hx);
      ya.min = MIN (ya.min, data->query_y - hy);
      ya.max = MAX (ya.max, data->query_y + hy);
      if (has_interval)
        {
          ya.min = MIN (ya.min, data->interval_lower);
          ya.max = MAX (ya.max, data->interval_upper);
        }
    }
  cs_plot_pad_range (&xa.min, &xa.max, 0.04, FALSE);
  cs_plot_pad_range (&ya.min, &ya.max, 0.04, FALSE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);
  cb_r = (CsRect) { frame.area.x + frame.area.w, frame.area.y, cbw, frame.area.h };
  cs_plot_colorbar_draw (cr, style, &bar, &cb_r);

  _cs_points_draw (cr, style, &frame, data->x, data->y, data->values, data->n, &bar, 0, FALSE);

  if (has_query)
    {
      double qx = cs_plot_frame_x (&frame, data->query_x), qy = cs_plot_frame_y (&frame, data->query_y);

      cairo_save (cr);
      cs_plot_frame_clip (cr, &frame);
      if (has_window)
        {
          double rx = cs_plot_frame_x (&frame, data->query_x + data->half_width_x) - qx;
          double ry = qy - cs_plot_frame_y (&frame, data->query_y + data->half_width_y);
          double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 2.5) };

          cairo_save (cr);
          cairo_translate (cr, qx, qy);
          cairo_scale (cr, CLAMP (rx, 0.5, 1e6), CLAMP (ry, 0.5, 1e6));
          cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
          cairo_restore (cr);
          cs_plot_set_color (cr, style->background, 0.85);
          cairo_set_line_width (cr, cs_plot_pt (style, 3.2));
          cairo_stroke_preserve (cr);
          cs_plot_set_color (cr, style->accent, 1.0);
          cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
          cairo_set_dash (cr, dash, 2, 0);
          cairo_stroke (cr);
        }
      if (has_interval)
        {
          /* an error bar: a band as wide as the query marker from lower to upper, with end caps */
          double hw = cs_plot_pt (style, 5);
          double y0 = cs_plot_frame_y (&frame, data->interval_upper);
          double y1 = cs_plot_frame_y (&frame, data->interval_lower);

          cairo_rectangle (cr, qx - hw, y0, 2 * hw, y1 - y0);
          cs_plot_interval_fill (cr, style);
          cairo_move_to (cr, qx - hw, y0);
          cairo_line_to (cr, qx + hw, y0);
          cairo_move_to (cr, qx - hw, y1);
          cairo_line_to (cr, qx + hw, y1);
          cs_plot_set_color (cr, style->accent, 1.0);
          cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
          cairo_stroke (cr);
        }
      cs_plot_query_marker (cr, style, qx, qy);
      cairo_restore (cr);
    }
}
