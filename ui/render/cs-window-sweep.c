/* cs-window-sweep.c: chart 4b, learned window against L and against sigma (log-log) with the theory line. */
#define G_LOG_DOMAIN "cs-window-sweep"

#include "config.h"

#include <math.h>

#include "cs-charts.h"

double
cs_loglog_slope (const double *x,
                 const double *y,
                 gsize         n)
{
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  gsize m = 0;

  for (gsize i = 0; i < n; i++)
    if (x[i] > 0 && y[i] > 0 && isfinite (x[i]) && isfinite (y[i]))
      {
        double lx = log (x[i]), ly = log (y[i]);
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
        m++;
      }
  if (m < 2 || m * sxx - sx * sx <= 0)
    return NAN;
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

static double
theory_shape (double sigma,
              double l,
              gsize  n,
              guint  d)
{
  return pow (sigma * sigma / (l * l * (double) MAX (n, 1)), 1.0 / (d + 2.0));
}

double
cs_window_sweep_theory_constant (const CsWindowSweepData *data)
{
  double s = 0;
  gsize m = 0;

  for (gsize i = 0; i < data->n_l; i++)
    if (data->l[i] > 0 && data->window_l[i] > 0)
      {
        s += log (data->window_l[i]) - log (theory_shape (data->sigma_fixed, data->l[i], data->n, data->d));
        m++;
      }
  for (gsize i = 0; i < data->n_sigma; i++)
    if (data->sigma[i] > 0 && data->window_sigma[i] > 0)
      {
        s += log (data->window_sigma[i]) - log (theory_shape (data->sigma[i], data->l_fixed, data->n, data->d));
        m++;
      }
  return m > 0 ? exp (s / m) : NAN;
}

static void
panel (cairo_t                 *cr,
       const CsPlotStyle       *style,
       const CsWindowSweepData *data,
       const CsRect            *rect,
       gboolean                 over_l,
       double                   c)
{
  gsize n = over_l ? data->n_l : data->n_sigma;
  const double *px = over_l ? data->l : data->sigma;
  const double *py = over_l ? data->window_l : data->window_sigma;
  g_autofree char *ylabel = cs_plot_axis_label (data->window_name != NULL ? data->window_name : "learned window",
                                                data->window_unit);
  g_autofree char *xlabel = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *learned = NULL;
  g_autofree char *theory = NULL;
  char fixed[G_ASCII_DTOSTR_BUF_SIZE], slope_s[G_ASCII_DTOSTR_BUF_SIZE], tslope_s[G_ASCII_DTOSTR_BUF_SIZE];
  CsAxis xa = { NULL, INFINITY, -INFINITY, TRUE, FALSE }, ya = { ylabel, INFINITY, -INFINITY, TRUE, FALSE };
  CsLegendItem legend[2];
  CsPlotFrame frame;
  CsRect r = *rect;
  double slope = cs_loglog_slope (px, py, n);
  double tslope = (over_l ? -2.0 : 2.0) / (data->d + 2.0);
  gboolean started = FALSE;

  g_ascii_formatd (fixed, sizeof fixed, "%g", over_l ? data->sigma_fixed : data->l_fixed);
  g_ascii_formatd (slope_s, sizeof slope_s, "%.2f", slope);
  g_ascii_formatd (tslope_s, sizeof tslope_s, "%.2f", tslope);
  xlabel = g_strdup (over_l ? "Lipschitz constant L of the tasks" : "noise level σ (standard deviation of y)");
  xa.label = xlabel;
  heading = g_strdup_printf (over_l ? "against L  (σ = %s, n = %" G_GSIZE_FORMAT ", d = %u)"
                                    : "against σ  (L = %s, n = %" G_GSIZE_FORMAT ", d = %u)", fixed, data->n, data->d);
  cs_plot_text (cr, style, CS_TEXT_BOLD, style->foreground, heading, r.x, r.y, 0, 0, r.w);
  r = cs_rect_inset (r, 0, cs_plot_text_height (cr, style, CS_TEXT_BOLD) + cs_plot_pt (style, 2), 0, 0);

  learned = g_strdup_printf ("learned (slope %s)", slope_s);
  theory = g_strdup_printf ("theory c·(σ²/(L²n))^(1/(d+2)) (slope %s)", tslope_s);
  legend[0] = (CsLegendItem) { learned, CS_LEGEND_MARKER, style->series[0], CS_MARK_CIRCLE, FALSE };
  legend[1] = (CsLegendItem) { theory, CS_LEGEND_LINE, style->series[1], CS_MARK_NONE, TRUE };
  r = cs_rect_inset (r, 0, cs_plot_legend (cr, style, &r, legend, 2), 0, 0);

  if (n == 0 || px == NULL || py == NULL)
    {
      cs_plot_empty (cr, style, &r, "No sweep values.");
      return;
    }
  for (gsize i = 0; i < n; i++)
    if (px[i] > 0 && py[i] > 0)
      {
        double t = c * (over_l ? theory_shape (data->sigma_fixed, px[i], data->n, data->d)
                               : theory_shape (px[i], data->l_fixed, data->n, data->d));
        xa.min = MIN (xa.min, px[i]);
        xa.max = MAX (xa.max, px[i]);
        ya.min = MIN (ya.min, MIN (py[i], t));
        ya.max = MAX (ya.max, MAX (py[i], t));
      }
  cs_plot_pad_range (&xa.min, &xa.max, 0.06, TRUE);
  cs_plot_pad_range (&ya.min, &ya.max, 0.08, TRUE);
  cs_plot_frame_layout (cr, style, &r, &xa, &ya, &frame);
  cs_plot_frame_draw (cr, style, &frame);

  cairo_save (cr);
  cs_plot_frame_clip (cr, &frame);
  if (isfinite (c))
    {
      double dash[2] = { cs_plot_pt (style, 5), cs_plot_pt (style, 3) };
      double lx0 = log10 (frame.x.min), lx1 = log10 (frame.x.max);

      for (int k = 0; k <= 32; k++)
        {
          double v = pow (10, lx0 + (lx1 - lx0) * k / 32.0);
          double t = c * (over_l ? theory_shape (data->sigma_fixed, v, data->n, data->d)
                                 : theory_shape (v, data->l_fixed, data->n, data->d));
          if (k == 0)
            cairo_move_to (cr, cs_plot_frame_x (&frame, v), cs_plot_frame_y (&frame, t));
          else
            cairo_line_to (cr, cs_plot_frame_x (&frame, v), cs_plot_frame_y (&frame, t));
        }
      cairo_set_dash (cr, dash, 2, 0);
      cs_plot_set_color (cr, style->series[1], 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.4));
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  for (gsize i = 0; i < n; i++)
    if (px[i] > 0 && py[i] > 0)
      {
        if (started)
          cairo_line_to (cr, cs_plot_frame_x (&frame, px[i]), cs_plot_frame_y (&frame, py[i]));
        else
          cairo_move_to (cr, cs_plot_frame_x (&frame, px[i]), cs_plot_frame_y (&frame, py[i]));
        started = TRUE;
      }
  cs_plot_set_color (cr, style->series[0], 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
  cairo_stroke (cr);
  for (gsize i = 0; i < n; i++)
    if (px[i] > 0 && py[i] > 0)
      cs_plot_marker (cr, style, CS_MARK_CIRCLE, cs_plot_frame_x (&frame, px[i]), cs_plot_frame_y (&frame, py[i]),
                      cs_plot_pt (style, 6), style->series[0], style->foreground);
  cairo_restore (cr);
}

void
cs_window_sweep_render (cairo_t                 *cr,
                        const CsWindowSweepData *data,
                        const CsPlotStyle       *style,
                        double                   width,
                        double                   height)
{
  const char *title = data->title != NULL ? data->title : "The learned window adapts to Lipschitzness and noise";
  const char *subtitle = "pretraining sweeps, log-log; theory line with its constant fitted to both sweeps";
  CsRect r = cs_plot_begin (cr, style, width, height, title, subtitle);
  double gap = cs_plot_pt (style, 14);
  double c = cs_window_sweep_theory_constant (data);
  CsRect left = { r.x, r.y, (r.w - gap) / 2, r.h };
  CsRect right = { r.x + (r.w + gap) / 2, r.y, (r.w - gap) / 2, r.h };

  if ((data->n_l == 0 || data->l == NULL) && (data->n_sigma == 0 || data->sigma == NULL))
    {
      cs_plot_empty (cr, style, &r, "No sweep values.");
      return;
    }
  panel (cr, style, data, &left, TRUE, c);
  panel (cr, style, data, &right, FALSE, c);
}
