/* cs-window-plot.c: chart 4a, the attention window along the case base with flagged stretches shaded. */
#define G_LOG_DOMAIN "cs-window-plot"

#include "config.h"

#include <math.h>

#include "cs-charts.h"
#include "cs-feature-map-private.h"

/* The device pixel column of a position, clamped to one column either side of the area;
 * NaN for a position that is not a number. */
static double
column_of (const CsPlotFrame *frame,
           double             position,
           double             scale,
           gsize              columns)
{
  double c = floor ((cs_plot_frame_x (frame, position) - frame->area.x) * scale);

  if (isnan (c))
    return NAN;
  return CLAMP (c, -1.0, (double) columns);
}

/* One path: every point when sparse, else min/max per device pixel column. */
static void
window_path (cairo_t                *cr,
             const CsPlotFrame      *frame,
             const CsWindowPlotData *data,
             const double           *values,
             double                  scale)
{
  gsize columns = (gsize) MAX (ceil (frame->area.w * scale), 1);
  gboolean started = FALSE;

  cairo_new_path (cr);
  if (data->n <= 2 * columns)
    {
      for (gsize i = 0; i < data->n; i++)
        {
          double px = cs_plot_frame_x (frame, data->position[i]), py = cs_plot_frame_y (frame, values[i]);

          if (!isfinite (px) || !isfinite (py))
            {
              started = FALSE;
              continue;
            }
          if (started)
            cairo_line_to (cr, px, py);
          else
            cairo_move_to (cr, px, py);
          started = TRUE;
        }
      return;
    }
  {
    gsize i = 0;

    while (i < data->n)
      {
        double c0 = column_of (frame, data->position[i], scale, columns);
        double lo = INFINITY, hi = -INFINITY, first = NAN, last = NAN;

        if (isnan (c0))
          {
            i++;
            continue;
          }
        while (i < data->n && column_of (frame, data->position[i], scale, columns) == c0)
          {
            double w = values[i];
            if (isfinite (w))
              {
                lo = MIN (lo, w);
                hi = MAX (hi, w);
                if (isnan (first))
                  first = w;
                last = w;
              }
            i++;
          }
        if (!isfinite (lo))
          continue;
        {
          double px = frame->area.x + (c0 + 0.5) / scale;

          if (started)
            cairo_line_to (cr, px, cs_plot_frame_y (frame, first));
          else
            cairo_move_to (cr, px, cs_plot_frame_y (frame, first));
          started = TRUE;
          cairo_line_to (cr, px, cs_plot_frame_y (frame, lo));
          cairo_line_to (cr, px, cs_plot_frame_y (frame, hi));
          cairo_line_to (cr, px, cs_plot_frame_y (frame, last));
        }
      }
  }
}

void
cs_window_plot_render (cairo_t                *cr,
                       const CsWindowPlotData *data,
                       const CsPlotStyle      *style,
                       double                  width,
                       double                  height)
{
  g_autofree char *xlabel = cs_plot_axis_label (data->position_name, data->position_unit);
  g_autofree char *ylabel = cs_plot_axis_label (data->window_name != NULL ? data->window_name : "window",
                                                data->window_unit);
  g_autofree char *title = NULL;
  g_autofree char *wname = NULL;
  CsAxis xa = { xlabel, 0, 1, FALSE, FALSE }, ya = { ylabel, 0, 1, FALSE, FALSE };
  CsLegendItem legend[5];
  guint n_legend = 0, n_flagged = 0;
  CsPlotFrame frame;
  CsRect r;
  gboolean has_query = data->has_query && isfinite (data->query_position);
  gboolean has_reference = isfinite (data->reference);

  title = data->title != NULL ? g_strdup (data->title)
                              : g_strdup_printf ("Attention window along the case base, sorted by %s",
                                                 data->position_name != NULL ? data->position_name : "position");
  r = cs_plot_begin (cr, style, width, height, title, data->subtitle);
  if (data->n == 0 || data->position == NULL || data->window == NULL)
    {
      cs_plot_empty (cr, style, &r, "No cases to show.");
      return;
    }
  if (data->flagged != NULL)
    for (gsize i = 0; i < data->n; i++)
      n_flagged += data->flagged[i] != 0;

  wname = g_strdup_printf ("%s per case", data->window_name != NULL ? data->window_name : "window");
  legend[n_legend++] = (CsLegendItem) { wname, CS_LEGEND_LINE, style->series[0], CS_MARK_NONE, FALSE };
  if (data->preferred != NULL)
    legend[n_legend++] = (CsLegendItem) { data->preferred_label != NULL ? data->preferred_label : "preferred window",
                                          CS_LEGEND_LINE, style->series[2], CS_MARK_NONE, FALSE };
  if (n_flagged > 0)
    legend[n_legend++] = (CsLegendItem) { data->flag_label != NULL ? data->flag_label : "flagged cases (hatched)",
                                          CS_LEGEND_HATCH, style->flag, CS_MARK_NONE, FALSE };
  if (has_reference)
    legend[n_legend++] = (CsLegendItem) { data->reference_label != NULL ? data->reference_label : "reference",
                                          CS_LEGEND_LINE, style->muted, CS_MARK_NONE, TRUE };
  if (has_query)
    legend[n_legend++] = (CsLegendItem) { "query", CS_LEGEND_QUERY, style->accent, CS_MARK_NONE, FALSE };
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);

  _cs_points_range (data->position, data->n, &xa.min, &xa.max);
  _cs_points_range (data->window, data->n, &ya.min, &ya.max);
  if (data->preferred != NULL)
    {
      double plo, phi;

      _cs_points_range (data->preferred, data->n, &plo, &phi);
      if (isfinite (plo) && isfinite (phi))
        {
          ya.min = isfinite (ya.min) ? MIN (ya.min, plo) : plo;
          ya.max = isfinite (ya.max) ? MAX (ya.max, phi) : phi;
        }
    }
  if (has_reference)
    {
      ya.min = MIN (ya.min, data->reference);
      ya.max = MAX (ya.max, data->reference);
    }
  if (has_query)
    {
      xa.min = MIN (xa.min, data->query_position);
      xa.max = MAX (xa.max, data->query_position);
      if (isfinite (data->query_window))
        {
          ya.min = MIN (ya.min, data->query_window);
          ya.max = MAX (ya.max, data->query_window);
        }
    }
  cs_plot_pad_range (&xa.min, &xa.max, 0.02, FALSE);
  if (ya.min >= 0)
    {
      /* Windows are sizes: start the axis at 0 so heights compare. */
      cs_plot_pad_range (&ya.min, &ya.max, 0.08, FALSE);
      ya.min = 0;
    }
  else
    cs_plot_pad_range (&ya.min, &ya.max, 0.08, FALSE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  /* Flagged stretches: runs of consecutive flagged cases, extended half-way to their neighbours. */
  if (n_flagged > 0)
    {
      gsize i = 0;

      while (i < data->n)
        {
          gsize j;
          double x0, x1;
          CsRect band;

          if (!data->flagged[i])
            {
              i++;
              continue;
            }
          for (j = i; j + 1 < data->n && data->flagged[j + 1]; j++)
            ;
          x0 = i > 0 ? (data->position[i - 1] + data->position[i]) / 2 : data->position[i];
          x1 = j + 1 < data->n ? (data->position[j] + data->position[j + 1]) / 2 : data->position[j];
          band.x = cs_plot_frame_x (&frame, x0);
          band.w = MAX (cs_plot_frame_x (&frame, x1) - band.x, cs_plot_pt (style, 1.5));
          band.y = frame.area.y;
          band.h = frame.area.h;
          cs_plot_set_color (cr, style->flag, 0.14);
          cairo_rectangle (cr, band.x, band.y, band.w, band.h);
          cairo_fill (cr);
          cs_plot_hatch (cr, style, &band, style->flag);
          i = j + 1;
        }
    }
  if (has_reference)
    {
      double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 3) };
      double py = cs_plot_frame_y (&frame, data->reference);

      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->muted, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
      cairo_move_to (cr, frame.area.x, py);
      cairo_line_to (cr, frame.area.x + frame.area.w, py);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  window_path (cr, &frame, data, data->window, cs_plot_raster_scale (cr));
  cs_plot_set_color (cr, style->series[0], 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.4));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
  if (data->preferred != NULL)
    {
      /* The window the data asks for, over the fitted one: thinner, so the fitted line stays readable. */
      window_path (cr, &frame, data, data->preferred, cs_plot_raster_scale (cr));
      cs_plot_set_color (cr, style->series[2], 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.0));
      cairo_stroke (cr);
    }
  if (has_query)
    {
      double qx = cs_plot_frame_x (&frame, data->query_position);
      double dash[2] = { cs_plot_pt (style, 2), cs_plot_pt (style, 2) };

      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->accent, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1));
      cairo_move_to (cr, qx, frame.area.y);
      cairo_line_to (cr, qx, frame.area.y + frame.area.h);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (isfinite (data->query_window))
        cs_plot_query_marker (cr, style, qx, cs_plot_frame_y (&frame, data->query_window));
    }
  cairo_restore (cr);
  if (has_query)
    cs_plot_text (cr, style, CS_TEXT_SMALL, style->accent, "query", cs_plot_frame_x (&frame, data->query_position)
                  + cs_plot_pt (style, 3), frame.area.y + cs_plot_pt (style, 2), 0, 0, 0);
}
