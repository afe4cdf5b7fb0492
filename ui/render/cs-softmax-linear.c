/* cs-softmax-linear.c: chart 5b, softmax against linear attention error (curves against n, or bars). */
#define G_LOG_DOMAIN "cs-softmax-linear"

#include "config.h"

#include <math.h>

#include "cs-charts.h"

static void
draw_curves (cairo_t                   *cr,
             const CsPlotStyle         *style,
             const CsSoftmaxLinearData *data,
             CsRect                     r,
             const char                *ylabel)
{
  CsAxis xa = { "context size n (cases)", INFINITY, -INFINITY, TRUE, FALSE };
  CsAxis ya = { ylabel, INFINITY, -INFINITY, TRUE, FALSE };
  const double *series[2] = { data->softmax_error, data->linear_error };
  const CsMarker markers[2] = { CS_MARK_CIRCLE, CS_MARK_SQUARE };
  CsPlotFrame frame;

  for (gsize i = 0; i < data->n_points; i++)
    {
      if (!(data->n_values[i] > 0))
        continue;
      xa.min = MIN (xa.min, data->n_values[i]);
      xa.max = MAX (xa.max, data->n_values[i]);
      for (int s = 0; s < 2; s++)
        if (series[s] != NULL && series[s][i] > 0 && isfinite (series[s][i]))
          {
            ya.min = MIN (ya.min, series[s][i]);
            ya.max = MAX (ya.max, series[s][i]);
          }
    }
  if (data->linear_floor > 0)
    {
      ya.min = MIN (ya.min, data->linear_floor);
      ya.max = MAX (ya.max, data->linear_floor);
    }
  cs_plot_pad_range (&xa.min, &xa.max, 0.05, TRUE);
  cs_plot_pad_range (&ya.min, &ya.max, 0.08, TRUE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);
  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  if (data->linear_floor > 0)
    {
      double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 3) };
      double py = cs_plot_frame_y (&frame, data->linear_floor);

      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->muted, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
      cairo_move_to (cr, frame.area.x, py);
      cairo_line_to (cr, frame.area.x + frame.area.w, py);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  for (int s = 0; s < 2; s++)
    {
      gboolean started = FALSE;

      if (series[s] == NULL)
        continue;
      for (gsize i = 0; i < data->n_points; i++)
        {
          double v = series[s][i];

          if (!(v > 0) || !(data->n_values[i] > 0))
            {
              started = FALSE;
              continue;
            }
          if (started)
            cairo_line_to (cr, cs_plot_frame_x (&frame, data->n_values[i]), cs_plot_frame_y (&frame, v));
          else
            cairo_move_to (cr, cs_plot_frame_x (&frame, data->n_values[i]), cs_plot_frame_y (&frame, v));
          started = TRUE;
        }
      cs_plot_set_color (cr, style->series[s], 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
      cairo_stroke (cr);
      for (gsize i = 0; i < data->n_points; i++)
        if (series[s][i] > 0 && data->n_values[i] > 0)
          cs_plot_marker (cr, style, markers[s], cs_plot_frame_x (&frame, data->n_values[i]),
                          cs_plot_frame_y (&frame, series[s][i]), cs_plot_pt (style, 6.5), style->series[s],
                          style->foreground);
    }
  cairo_restore (cr);
}

static void
draw_bars (cairo_t                   *cr,
           const CsPlotStyle         *style,
           const CsSoftmaxLinearData *data,
           CsRect                     r,
           const char                *ylabel)
{
  CsAxis xa = { NULL, 0, 1, FALSE, TRUE }, ya = { ylabel, 0, 0, FALSE, FALSE };
  const double *series[2] = { data->softmax_error, data->linear_error };
  const char *names[2] = { "softmax", "linear" };
  CsPlotFrame frame;
  double small_h = cs_plot_text_height (cr, style, CS_TEXT_SMALL);
  double group_w;

  for (gsize i = 0; i < data->n_points; i++)
    for (int s = 0; s < 2; s++)
      if (series[s] != NULL && isfinite (series[s][i]))
        ya.max = MAX (ya.max, series[s][i]);
  if (data->linear_floor > 0)
    ya.max = MAX (ya.max, data->linear_floor);
  ya.max = ya.max > 0 ? ya.max * 1.15 : 1;
  /* Room under the area for the category names. */
  r = cs_rect_inset (r, 0, 0, 0, small_h + cs_plot_pt (style, 4));
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);
  group_w = frame.area.w / MAX (data->n_points, 1);
  for (gsize i = 0; i < data->n_points; i++)
    {
      double gx = frame.area.x + i * group_w;
      double bw = MIN (group_w * 0.32, cs_plot_pt (style, 60));
      const char *cat = data->categories != NULL && data->categories[i] != NULL ? data->categories[i] : "";

      for (int s = 0; s < 2; s++)
        {
          double v = series[s] != NULL ? series[s][i] : NAN;
          double x0 = gx + group_w / 2 + (s == 0 ? -bw - cs_plot_pt (style, 1) : cs_plot_pt (style, 1));
          double y0;
          CsRect box;
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_autofree char *label = NULL;

          if (!isfinite (v))
            continue;
          y0 = cs_plot_frame_y (&frame, v);
          box = (CsRect) { x0, y0, bw, frame.area.y + frame.area.h - y0 };
          cs_plot_set_color (cr, style->series[s], 1.0);
          cairo_rectangle (cr, box.x, box.y, box.w, box.h);
          cairo_fill (cr);
          if (s == 1)
            cs_plot_hatch (cr, style, &box, style->background);
          g_ascii_formatd (buf, sizeof buf, "%.3g", v);
          label = g_strdup_printf ("%s %s", names[s], buf);
          cs_plot_text (cr, style, CS_TEXT_SMALL, style->foreground, label, x0 + bw / 2, y0 - cs_plot_pt (style, 2), 0.5,
                        1, group_w / 2);
        }
      cs_plot_text (cr, style, CS_TEXT_SMALL, style->foreground, cat, gx + group_w / 2,
                    frame.area.y + frame.area.h + cs_plot_pt (style, 3), 0.5, 0, group_w);
    }
  if (data->linear_floor > 0)
    {
      double dash[2] = { cs_plot_pt (style, 4), cs_plot_pt (style, 3) };
      double py = cs_plot_frame_y (&frame, data->linear_floor);

      cairo_save (cr);
      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->muted, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
      cairo_move_to (cr, frame.area.x, py);
      cairo_line_to (cr, frame.area.x + frame.area.w, py);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
}

void
cs_softmax_linear_render (cairo_t                   *cr,
                          const CsSoftmaxLinearData *data,
                          const CsPlotStyle         *style,
                          double                     width,
                          double                     height)
{
  const char *title = data->title != NULL ? data->title : "Softmax against linear attention";
  g_autofree char *ylabel = cs_plot_axis_label (data->error_name != NULL ? data->error_name : "error",
                                                data->error_unit);
  CsRect r = cs_plot_begin (cr, style, width, height, title, data->subtitle);
  CsLegendItem legend[3];
  guint n_legend = 0;
  gboolean bars = data->n_values == NULL;

  if (data->n_points == 0 || (data->softmax_error == NULL && data->linear_error == NULL))
    {
      cs_plot_empty (cr, style, &r, "No errors to compare.");
      return;
    }
  legend[n_legend++] = (CsLegendItem) { "softmax attention", bars ? CS_LEGEND_SWATCH : CS_LEGEND_MARKER,
                                        style->series[0], CS_MARK_CIRCLE, FALSE };
  legend[n_legend++] = (CsLegendItem) { data->linear_name != NULL ? data->linear_name : "linear attention", bars ? CS_LEGEND_HATCH : CS_LEGEND_MARKER,
                                        style->series[1], CS_MARK_SQUARE, FALSE };
  if (data->linear_floor > 0)
    legend[n_legend++] = (CsLegendItem) { data->floor_label != NULL ? data->floor_label : "linear error floor",
                                          CS_LEGEND_LINE, style->muted, CS_MARK_NONE, TRUE };
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, n_legend), 0, 0);
  if (bars)
    draw_bars (cr, style, data, r, ylabel);
  else
    draw_curves (cr, style, data, r, ylabel);
}
