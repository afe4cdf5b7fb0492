/* cs-backtest-chart.c: the backtest over time (forward error, rolling interval coverage, CUSUM with its alarms). */
#define G_LOG_DOMAIN "cs-backtest-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-charts.h"

static void
range_of (const double *v,
          gsize         n,
          double       *lo,
          double       *hi)
{
  for (gsize i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        *lo = MIN (*lo, v[i]);
        *hi = MAX (*hi, v[i]);
      }
}

/* One series as a polyline, broken where a value is missing. */
static void
draw_series (cairo_t                   *cr,
             const CsPlotStyle         *style,
             const CsPlotFrame         *frame,
             const CsBacktestChartData *data,
             const double              *v,
             CsRgb                      color,
             double                     width_pt)
{
  gboolean started = FALSE;

  for (gsize i = 0; i < data->n; i++)
    {
      if (!isfinite (v[i]) || !isfinite (data->position[i]))
        {
          started = FALSE;
          continue;
        }
      if (started)
        cairo_line_to (cr, cs_plot_frame_x (frame, data->position[i]), cs_plot_frame_y (frame, v[i]));
      else
        cairo_move_to (cr, cs_plot_frame_x (frame, data->position[i]), cs_plot_frame_y (frame, v[i]));
      started = TRUE;
    }
  cs_plot_set_color (cr, color, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, width_pt));
  cairo_stroke (cr);
}

static void
draw_hline (cairo_t           *cr,
            const CsPlotStyle *style,
            const CsPlotFrame *frame,
            double             v,
            CsRgb              color)
{
  double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 3) };
  double y = cs_plot_frame_y (frame, v);

  cairo_set_dash (cr, dash, 2, 0);
  cairo_move_to (cr, frame->area.x, y);
  cairo_line_to (cr, frame->area.x + frame->area.w, y);
  cs_plot_set_color (cr, color, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* Every alarm as a vertical line through the panel, so the three panels line up on it. */
static void
draw_alarms (cairo_t                   *cr,
             const CsPlotStyle         *style,
             const CsPlotFrame         *frame,
             const CsBacktestChartData *data)
{
  for (gsize a = 0; a < data->n_alarms; a++)
    if (isfinite (data->alarm_position[a]))
      {
        double x = cs_plot_frame_x (frame, data->alarm_position[a]);
        cairo_move_to (cr, x, frame->area.y);
        cairo_line_to (cr, x, frame->area.y + frame->area.h);
      }
  cs_plot_set_color (cr, style->flag, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
  cairo_stroke (cr);
}

void
cs_backtest_chart_render (cairo_t                   *cr,
                          const CsBacktestChartData *data,
                          const CsPlotStyle         *style,
                          double                     width,
                          double                     height)
{
  const char *title = data->title != NULL ? data->title : _("Forward error over time and drift alarms");
  g_autofree char *xlabel = g_strdup_printf (_("case in order of %s"),
                                             data->order_name != NULL ? data->order_name : _("time"));
  /* short axis labels (the panels are low); the legend and the title carry the long names */
  g_autofree char *elabel = cs_plot_axis_label (_("error"), data->error_unit);
  g_autofree char *clabel = NULL;
  g_autofree char *level_label = NULL;
  g_autofree char *h_label = NULL;
  CsAxis xa = { NULL, INFINITY, -INFINITY, FALSE, FALSE };
  CsAxis ea = { elabel, INFINITY, -INFINITY, FALSE, FALSE };
  CsAxis ca = { NULL, 0, 1, FALSE, FALSE };
  CsAxis sa = { _("CUSUM"), 0, 0, FALSE, FALSE };
  CsLegendItem legend[5];
  CsPlotFrame frames[3];
  CsRect r, panel[3];
  double gap, left = -INFINITY, right = INFINITY;
  char lbuf[G_ASCII_DTOSTR_BUF_SIZE], hbuf[G_ASCII_DTOSTR_BUF_SIZE];
  gsize shown = 0;

  r = cs_plot_begin (cr, style, width, height, title, data->subtitle);
  for (gsize i = 0; i < data->n; i++)
    shown += data->error != NULL && isfinite (data->error[i]) && isfinite (data->position[i]);
  if (shown == 0 || data->position == NULL)
    {
      cs_plot_empty (cr, style, &r, _("No forward predictions: the case base is not longer than the warm-up."));
      return;
    }

  g_ascii_formatd (lbuf, sizeof lbuf, "%g", 100 * data->interval_level);
  g_ascii_formatd (hbuf, sizeof hbuf, "%g", data->h);
  clabel = g_strdup_printf (_("%s %% interval coverage, last %zu cases"), lbuf, (size_t) data->coverage_window);
  level_label = g_strdup_printf (_("nominal %s %%"), lbuf);
  h_label = g_strdup_printf (_("decision interval h = %s"), hbuf);
  legend[0] = (CsLegendItem) { data->error_name != NULL ? data->error_name : _("forward error"), CS_LEGEND_LINE,
                               style->series[0], CS_MARK_NONE, FALSE };
  legend[1] = (CsLegendItem) { clabel, CS_LEGEND_LINE, style->series[2], CS_MARK_NONE, FALSE };
  legend[2] = (CsLegendItem) { _("CUSUM statistic"), CS_LEGEND_LINE, style->foreground, CS_MARK_NONE, FALSE };
  legend[3] = (CsLegendItem) { data->h > 0 ? h_label : level_label, CS_LEGEND_LINE, style->muted, CS_MARK_NONE,
                               TRUE };
  legend[4] = (CsLegendItem) { _("drift alarm"), CS_LEGEND_LINE, style->flag, CS_MARK_NONE, FALSE };
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, 5), 0, 0);

  range_of (data->position, data->n, &xa.min, &xa.max);
  range_of (data->error, data->n, &ea.min, &ea.max);
  ea.min = MIN (ea.min, 0);
  ea.max = MAX (ea.max, 0);
  ca.label = _("coverage");
  if (data->statistic != NULL)
    range_of (data->statistic, data->n, &sa.min, &sa.max);
  sa.max = MAX (sa.max, data->h * 1.1);
  cs_plot_pad_range (&xa.min, &xa.max, 0.02, FALSE);
  cs_plot_pad_range (&ea.min, &ea.max, 0.06, FALSE);
  cs_plot_pad_range (&sa.min, &sa.max, 0.04, FALSE);
  sa.min = 0;
  ca.max = 1.02;

  /* Three panels on one time axis: only the lowest has the axis label; the data areas share their left and
   * right edges so an alarm lines up through all three. */
  gap = cs_plot_pt (style, 6);
  for (int p = 0; p < 3; p++)
    panel[p] = (CsRect) { r.x, r.y + p * (r.h + gap) / 3, r.w, (r.h + gap) / 3 - gap };
  {
    CsAxis x_top = xa, x_bottom = xa;

    x_bottom.label = xlabel;
    cs_plot_frame_layout (cr, style, &panel[0], &x_top, &ea, &frames[0]);
    cs_plot_frame_layout (cr, style, &panel[1], &x_top, &ca, &frames[1]);
    cs_plot_frame_layout (cr, style, &panel[2], &x_bottom, &sa, &frames[2]);
  }
  for (int p = 0; p < 3; p++)
    {
      left = MAX (left, frames[p].area.x);
      right = MIN (right, frames[p].area.x + frames[p].area.w);
    }
  for (int p = 0; p < 3; p++)
    {
      frames[p].area.w = MAX (right - left, 1);
      frames[p].area.x = left;
      cs_plot_frame_draw (cr, style, &frames[p]);
    }

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frames[0]);
  draw_hline (cr, style, &frames[0], 0, style->muted);
  draw_alarms (cr, style, &frames[0], data);
  draw_series (cr, style, &frames[0], data, data->error, style->series[0], 0.8);
  cairo_restore (cr);

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frames[1]);
  if (data->interval_level > 0 && data->interval_level < 1)
    draw_hline (cr, style, &frames[1], data->interval_level, style->muted);
  draw_alarms (cr, style, &frames[1], data);
  if (data->coverage != NULL)
    draw_series (cr, style, &frames[1], data, data->coverage, style->series[2], 1.4);
  cairo_restore (cr);

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frames[2]);
  if (data->h > 0)
    draw_hline (cr, style, &frames[2], data->h, style->muted);
  draw_alarms (cr, style, &frames[2], data);
  if (data->statistic != NULL)
    draw_series (cr, style, &frames[2], data, data->statistic, style->foreground, 1.2);
  cairo_restore (cr);
}
