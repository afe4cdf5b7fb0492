/* cs-diagnostics.c: chart 5a, local Lipschitz (or variation) and local noise as maps and histograms with thresholds. */
#define G_LOG_DOMAIN "cs-diagnostics"

#include "config.h"

#include <math.h>

#include "cs-charts.h"
#include "cs-feature-map-private.h"

void
cs_histogram (const double *values,
              gsize         n,
              double        lo,
              double        hi,
              guint        *counts,
              guint         n_bins)
{
  for (guint b = 0; b < n_bins; b++)
    counts[b] = 0;
  if (n_bins == 0 || !(hi > lo))
    return;
  for (gsize i = 0; i < n; i++)
    {
      double t;
      gint64 b;

      if (!isfinite (values[i]) || values[i] < lo || values[i] > hi)
        continue;
      t = (values[i] - lo) / (hi - lo) * n_bins;
      if (!isfinite (t))
        continue;
      b = (gint64) floor (t);
      if (b >= (gint64) n_bins)
        b = n_bins - 1;
      counts[b]++;
    }
}

static void
map_panel (cairo_t                 *cr,
           const CsPlotStyle       *style,
           const CsDiagnosticsData *data,
           const double            *values,
           double                   threshold,
           const char              *name,
           const char              *unit,
           const CsRect            *rect)
{
  g_autofree char *xlabel = cs_plot_axis_label (data->x_name, data->x_unit);
  g_autofree char *ylabel = cs_plot_axis_label (data->y_name, data->y_unit);
  g_autofree char *vlabel = cs_plot_axis_label (name, unit);
  g_autofree char *bar_label = NULL;
  CsAxis xa = { xlabel, 0, 1, FALSE, FALSE }, ya = { ylabel, 0, 1, FALSE, FALSE };
  CsColorbar bar = { 0 };
  CsPlotFrame frame;
  CsRect r = *rect, cb_r;
  double cbw;

  cs_plot_text (cr, style, CS_TEXT_BOLD, style->foreground, name, r.x, r.y, 0, 0, r.w);
  r = cs_rect_inset (r, 0, cs_plot_text_height (cr, style, CS_TEXT_BOLD) + cs_plot_pt (style, 2), 0, 0);
  if (values == NULL)
    {
      cs_plot_empty (cr, style, &r, "Not computed.");
      return;
    }
  _cs_points_colorbar (values, data->n, CS_COLOR_BY_OUTCOME, FALSE, style, &bar);
  bar.vmin = MIN (bar.vmin, 0);
  if (isfinite (threshold))
    {
      bar.vmax = MAX (bar.vmax, threshold * 1.05);
      bar.has_threshold = TRUE;
      bar.threshold = threshold;
    }
  bar_label = g_strdup_printf ("%s (%s, data range)", vlabel, cs_colormap_name (bar.map));
  bar.label = bar_label;
  cbw = cs_plot_colorbar_width (cr, style, &bar);
  r = cs_rect_inset (r, 0, 0, cbw, 0);
  _cs_points_range (data->x, data->n, &xa.min, &xa.max);
  _cs_points_range (data->y, data->n, &ya.min, &ya.max);
  cs_plot_pad_range (&xa.min, &xa.max, 0.04, FALSE);
  cs_plot_pad_range (&ya.min, &ya.max, 0.04, FALSE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);
  cb_r = (CsRect) { frame.area.x + frame.area.w, frame.area.y, cbw, frame.area.h };
  cs_plot_colorbar_draw (cr, style, &bar, &cb_r);
  _cs_points_draw (cr, style, &frame, data->x, data->y, values, data->n, &bar, threshold, isfinite (threshold));
  if (data->has_query && isfinite (data->query_x) && isfinite (data->query_y))
    {
      cairo_save (cr);
      cs_plot_frame_clip (cr, &frame);
      cs_plot_query_marker (cr, style, cs_plot_frame_x (&frame, data->query_x), cs_plot_frame_y (&frame, data->query_y));
      cairo_restore (cr);
    }
}

static void
histogram_panel (cairo_t                 *cr,
                 const CsPlotStyle       *style,
                 const CsDiagnosticsData *data,
                 const double            *values,
                 double                   threshold,
                 const char              *name,
                 const char              *unit,
                 const CsRect            *rect)
{
  g_autofree char *xlabel = cs_plot_axis_label (name, unit);
  CsAxis xa = { xlabel, 0, 1, FALSE, FALSE }, ya = { "cases", 0, 1, FALSE, FALSE };
  guint n_bins = (guint) CLAMP (sqrt ((double) data->n) * 1.5, 5, 40);
  guint counts[40], max_count = 0;
  CsPlotFrame frame;
  double lo, hi;

  if (values == NULL)
    return;
  _cs_points_range (values, data->n, &lo, &hi);
  if (!isfinite (lo))
    {
      cs_plot_empty (cr, style, rect, "No finite values.");
      return;
    }
  lo = MIN (lo, 0);
  if (isfinite (threshold))
    hi = MAX (hi, threshold * 1.05);
  if (!(hi > lo))
    hi = lo + 1;
  cs_histogram (values, data->n, lo, hi, counts, n_bins);
  for (guint b = 0; b < n_bins; b++)
    max_count = MAX (max_count, counts[b]);
  xa.min = lo;
  xa.max = hi;
  /* Counts: at least 5 on the axis so the ticks are whole numbers. */
  ya.max = MAX (max_count * 1.1, 5);
  cs_plot_frame_layout (cr, style, rect, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);
  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  for (guint b = 0; b < n_bins; b++)
    {
      double b0 = lo + (hi - lo) * b / n_bins, b1 = lo + (hi - lo) * (b + 1) / n_bins;
      CsRect box = { cs_plot_frame_x (&frame, b0), cs_plot_frame_y (&frame, counts[b]), 0, 0 };

      if (counts[b] == 0)
        continue;
      box.w = cs_plot_frame_x (&frame, b1) - box.x;
      box.h = frame.area.y + frame.area.h - box.y;
      cs_plot_set_color (cr, style->series[0], 0.75);
      cairo_rectangle (cr, box.x, box.y, box.w, box.h);
      cairo_fill_preserve (cr);
      cs_plot_set_color (cr, style->background, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 0.5));
      cairo_stroke (cr);
      /* Bins above the threshold are hatched too: not told by colour alone. */
      if (isfinite (threshold) && b0 >= threshold)
        cs_plot_hatch (cr, style, &box, style->flag);
    }
  if (isfinite (threshold))
    {
      double tx = cs_plot_frame_x (&frame, threshold);
      double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 2) };
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *label = NULL;

      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->flag, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
      cairo_move_to (cr, tx, frame.area.y);
      cairo_line_to (cr, tx, frame.area.y + frame.area.h);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      g_ascii_formatd (buf, sizeof buf, "%.3g", threshold);
      label = g_strdup_printf ("threshold %s", buf);
      {
        double tw = cs_plot_text_width (cr, style, CS_TEXT_SMALL, label);
        gboolean left = tx + tw + cs_plot_pt (style, 4) > frame.area.x + frame.area.w;

        cs_plot_text (cr, style, CS_TEXT_SMALL, style->flag, label, left ? tx - cs_plot_pt (style, 3)
                      : tx + cs_plot_pt (style, 3), frame.area.y + cs_plot_pt (style, 2), left ? 1 : 0, 0, 0);
      }
    }
  cairo_restore (cr);
}

void
cs_diagnostics_render (cairo_t                 *cr,
                       const CsDiagnosticsData *data,
                       const CsPlotStyle       *style,
                       double                   width,
                       double                   height)
{
  const char *title = data->title != NULL ? data->title
                      : data->lipschitz_name != NULL ? "Diagnostics: local variation and local noise"
                      : "Diagnostics: local Lipschitz and local noise";
  CsRect r = cs_plot_begin (cr, style, width, height, title, data->subtitle);
  CsLegendItem legend[4];
  guint n_legend = 0;
  double gap = cs_plot_pt (style, 14), vgap = cs_plot_pt (style, 8);
  double top_h;
  g_autofree char *lname = g_strdup (data->lipschitz_name != NULL ? data->lipschitz_name : "local Lipschitz");
  g_autofree char *nname = g_strdup ("local noise σ");

  if (data->n == 0 || data->x == NULL || data->y == NULL || (data->lipschitz == NULL && data->noise == NULL))
    {
      cs_plot_empty (cr, style, &r, "No diagnostics to show.");
      return;
    }
  legend[n_legend++] = (CsLegendItem) { "case (colour = value)", CS_LEGEND_MARKER,
                                        cs_colormap_eval (style->weight_map, 0.5), CS_MARK_CIRCLE, FALSE };
  legend[n_legend++] = (CsLegendItem) { "above threshold (triangle, hatched bins)", CS_LEGEND_MARKER,
                                        cs_colormap_eval (style->weight_map, 0.95), CS_MARK_TRIANGLE, FALSE };
  legend[n_legend++] = (CsLegendItem) { "fail-safe threshold", CS_LEGEND_LINE, style->flag, CS_MARK_NONE, TRUE };
  if (data->has_query)
    legend[n_legend++] = (CsLegendItem) { "query", CS_LEGEND_QUERY, style->accent, CS_MARK_NONE, FALSE };
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);

  top_h = (r.h - vgap) * 0.6;
  {
    CsRect tl = { r.x, r.y, (r.w - gap) / 2, top_h };
    CsRect tr = { r.x + (r.w + gap) / 2, r.y, (r.w - gap) / 2, top_h };
    CsRect bl = { r.x, r.y + top_h + vgap, (r.w - gap) / 2, r.h - top_h - vgap };
    CsRect br = { r.x + (r.w + gap) / 2, r.y + top_h + vgap, (r.w - gap) / 2, r.h - top_h - vgap };

    map_panel (cr, style, data, data->lipschitz, data->lipschitz_threshold, lname, data->lipschitz_unit, &tl);
    map_panel (cr, style, data, data->noise, data->noise_threshold, nname, data->noise_unit, &tr);
    histogram_panel (cr, style, data, data->lipschitz, data->lipschitz_threshold, lname, data->lipschitz_unit, &bl);
    histogram_panel (cr, style, data, data->noise, data->noise_threshold, nname, data->noise_unit, &br);
  }
}
