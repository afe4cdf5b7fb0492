/* cs-follow-strip.c: recent predictions of a followed file against their outcomes. */
#define G_LOG_DOMAIN "cs-follow-strip"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-follow-strip.h"
#include "cs-plot-interval.h"

static gboolean
has_interval (const CsFollowStripData *data,
              gsize                    i)
{
  return data->lower != NULL && data->upper != NULL && isfinite (data->lower[i]) && isfinite (data->upper[i])
         && data->lower[i] <= data->upper[i];
}

void
cs_follow_strip_render (cairo_t                 *cr,
                        const CsFollowStripData *data,
                        const CsPlotStyle       *style,
                        double                   width,
                        double                   height)
{
  const char *title = data->title != NULL ? data->title : "Predicted against actual, recent rows";
  CsRect r = cs_plot_begin (cr, style, width, height, title, NULL);
  CsAxis xa = { "line of the file", INFINITY, -INFINITY, FALSE, FALSE };
  CsAxis ya = { data->target_label, INFINITY, -INFINITY, FALSE, FALSE };
  CsLegendItem legend[4];
  guint n_legend = 3;
  g_autofree char *interval_label = NULL;
  CsPlotFrame frame;
  gboolean started = FALSE, any_interval = FALSE;
  gsize shown = 0;

  legend[0] = (CsLegendItem) { "predicted", CS_LEGEND_MARKER, style->series[0], CS_MARK_CIRCLE, FALSE };
  legend[1] = (CsLegendItem) { "actual", CS_LEGEND_MARKER, style->series[1], CS_MARK_SQUARE, FALSE };
  legend[2] = (CsLegendItem) { "waiting", CS_LEGEND_MARKER, style->series[0], CS_MARK_RING, FALSE };
  for (gsize i = 0; i < data->n; i++)
    any_interval |= isfinite (data->line[i]) && isfinite (data->predicted[i]) && has_interval (data, i);
  if (any_interval)
    {
      interval_label = cs_plot_interval_label (data->interval_level);
      legend[n_legend++] = (CsLegendItem) { interval_label, CS_LEGEND_SWATCH, cs_plot_interval_color (style),
                                            CS_MARK_NONE, FALSE };
    }
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);
  for (gsize i = 0; i < data->n; i++)
    {
      if (!isfinite (data->line[i]) || !isfinite (data->predicted[i]))
        continue;
      shown++;
      if (has_interval (data, i))
        {
          ya.min = MIN (ya.min, data->lower[i]);
          ya.max = MAX (ya.max, data->upper[i]);
        }
      xa.min = MIN (xa.min, data->line[i]);
      xa.max = MAX (xa.max, data->line[i]);
      ya.min = MIN (ya.min, data->predicted[i]);
      ya.max = MAX (ya.max, data->predicted[i]);
      if (isfinite (data->actual[i]))
        {
          ya.min = MIN (ya.min, data->actual[i]);
          ya.max = MAX (ya.max, data->actual[i]);
        }
    }
  if (shown == 0)
    {
      cs_plot_empty (cr, style, &r, "No rows appended yet.");
      return;
    }
  cs_plot_pad_range (&xa.min, &xa.max, 0.04, FALSE);
  cs_plot_pad_range (&ya.min, &ya.max, 0.08, FALSE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  /* Each prediction's interval as a bar behind its markers: an outcome outside it shows at a glance. */
  if (any_interval)
    {
      double hw = cs_plot_pt (style, 4);

      for (gsize i = 0; i < data->n; i++)
        if (isfinite (data->line[i]) && isfinite (data->predicted[i]) && has_interval (data, i))
          {
            double x = cs_plot_frame_x (&frame, data->line[i]);
            double y0 = cs_plot_frame_y (&frame, data->upper[i]), y1 = cs_plot_frame_y (&frame, data->lower[i]);
            cairo_rectangle (cr, x - hw, y0, 2 * hw, y1 - y0);
          }
      cs_plot_interval_fill (cr, style);
    }
  /* The error of each completed prediction: a segment from the prediction to the outcome. */
  for (gsize i = 0; i < data->n; i++)
    if (isfinite (data->line[i]) && isfinite (data->predicted[i]) && isfinite (data->actual[i]))
      {
        double x = cs_plot_frame_x (&frame, data->line[i]);
        cairo_move_to (cr, x, cs_plot_frame_y (&frame, data->predicted[i]));
        cairo_line_to (cr, x, cs_plot_frame_y (&frame, data->actual[i]));
      }
  cs_plot_set_color (cr, style->muted, 0.9);
  cairo_set_line_width (cr, cs_plot_pt (style, 1));
  cairo_stroke (cr);
  for (gsize i = 0; i < data->n; i++)
    if (isfinite (data->line[i]) && isfinite (data->predicted[i]))
      {
        double x = cs_plot_frame_x (&frame, data->line[i]), y = cs_plot_frame_y (&frame, data->predicted[i]);
        if (started)
          cairo_line_to (cr, x, y);
        else
          cairo_move_to (cr, x, y);
        started = TRUE;
      }
  cs_plot_set_color (cr, style->series[0], 0.7);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
  cairo_stroke (cr);
  for (gsize i = 0; i < data->n; i++)
    {
      double x, y;

      if (!isfinite (data->line[i]) || !isfinite (data->predicted[i]))
        continue;
      x = cs_plot_frame_x (&frame, data->line[i]);
      y = cs_plot_frame_y (&frame, data->predicted[i]);
      if (isfinite (data->actual[i]))
        {
          cs_plot_marker (cr, style, CS_MARK_CIRCLE, x, y, cs_plot_pt (style, 5), style->series[0],
                          style->foreground);
          cs_plot_marker (cr, style, CS_MARK_SQUARE, x, cs_plot_frame_y (&frame, data->actual[i]),
                          cs_plot_pt (style, 5), style->series[1], style->foreground);
        }
      else
        cs_plot_marker (cr, style, CS_MARK_RING, x, y, cs_plot_pt (style, 6), style->series[0], style->series[0]);
    }
  cairo_restore (cr);
}
