/* cs-plot.c: the shared plotting kit (style, text, ticks, axes, legends, colour bars, footer). */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-plot.h"

#define RGB(hex) ((CsRgb) { (((hex) >> 16) & 0xff) / 255.0, (((hex) >> 8) & 0xff) / 255.0, ((hex) & 0xff) / 255.0 })

void
cs_plot_style_init (CsPlotStyle  *style,
                    CsPlotPalette palette)
{
  memset (style, 0, sizeof *style);
  style->palette = palette;
  style->px_per_pt = 96.0 / 72.0;
  style->font_pt = 9.0;
  style->font_family = "DejaVu Sans, Cantarell, sans-serif";
  style->weight_map = CS_COLORMAP_VIRIDIS;
  if (palette == CS_PLOT_DARK)
    {
      style->background = RGB (0x242424);
      style->foreground = RGB (0xf0f0f0);
      style->muted = RGB (0xb8b8b8);
      style->grid = RGB (0x3a3a3a);
      style->frame = RGB (0x8a8a8a);
      style->accent = RGB (0xff5c8a);
      style->flag = RGB (0xffa348);
      style->series[0] = RGB (0x56b4e9);
      style->series[1] = RGB (0xe69f00);
      style->series[2] = RGB (0x009e73);
      style->series[3] = RGB (0xcc79a7);
    }
  else
    {
      style->background = RGB (0xffffff);
      style->foreground = RGB (0x1c1c1c);
      style->muted = RGB (0x555555);
      style->grid = RGB (0xe4e4e4);
      style->frame = RGB (0x777777);
      style->accent = RGB (0xd6006a);
      style->flag = RGB (0xc25400);
      style->series[0] = RGB (0x0072b2);
      style->series[1] = RGB (0xd55e00);
      style->series[2] = RGB (0x009e73);
      style->series[3] = RGB (0xcc79a7);
    }
}

void
cs_plot_style_init_export (CsPlotStyle *style,
                           double       px_per_pt)
{
  cs_plot_style_init (style, CS_PLOT_LIGHT);
  style->px_per_pt = px_per_pt;
}

double
cs_plot_pt (const CsPlotStyle *style,
            double             points)
{
  return points * style->px_per_pt;
}

void
cs_plot_set_color (cairo_t *cr,
                   CsRgb    c,
                   double   alpha)
{
  if (alpha >= 1.0)
    cairo_set_source_rgb (cr, c.r, c.g, c.b);
  else
    cairo_set_source_rgba (cr, c.r, c.g, c.b, alpha);
}

CsRect
cs_rect_inset (CsRect rect,
               double left,
               double top,
               double right,
               double bottom)
{
  CsRect r;

  /* Not enough room: shrink the insets in proportion so the result stays inside rect. */
  if (left + right > rect.w - 1 && left + right > 0)
    {
      double f = MAX (rect.w - 1, 0) / (left + right);
      left *= f;
      right *= f;
    }
  if (top + bottom > rect.h - 1 && top + bottom > 0)
    {
      double f = MAX (rect.h - 1, 0) / (top + bottom);
      top *= f;
      bottom *= f;
    }
  r = (CsRect) { rect.x + left, rect.y + top, rect.w - left - right, rect.h - top - bottom };

  if (r.w < 1)
    r.w = 1;
  if (r.h < 1)
    r.h = 1;
  return r;
}

char *
cs_plot_axis_label (const char *name,
                    const char *unit)
{
  if (name == NULL)
    name = "";
  if (unit != NULL && unit[0] != '\0')
    return g_strdup_printf ("%s [%s]", name, unit);
  return g_strdup (name);
}

/* ---- Text ---------------------------------------------------------------------------- */

static double
role_points (const CsPlotStyle *style,
             CsTextRole         role)
{
  switch (role)
    {
    case CS_TEXT_SMALL: return style->font_pt * 0.85;
    case CS_TEXT_TITLE: return style->font_pt * 1.3;
    case CS_TEXT_BOLD:
    case CS_TEXT_NORMAL:
    default: return style->font_pt;
    }
}

PangoLayout *
cs_plot_layout (cairo_t           *cr,
                const CsPlotStyle *style,
                CsTextRole         role,
                const char        *text,
                double             max_width)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoContext *context = pango_layout_get_context (layout);
  PangoFontDescription *desc = pango_font_description_from_string (style->font_family);
  cairo_font_options_t *options = cairo_font_options_create ();

  /* Unhinted outlines and unhinted metrics: the same layout at every size and on every
   * surface, so reference images and exports agree. */
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  pango_layout_context_changed (layout);

  pango_font_description_set_absolute_size (desc, role_points (style, role) * style->px_per_pt * PANGO_SCALE);
  if (role == CS_TEXT_BOLD || role == CS_TEXT_TITLE)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  return layout;
}

void
cs_plot_layout_size (PangoLayout *layout,
                     double      *width,
                     double      *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

double
cs_plot_text (cairo_t           *cr,
              const CsPlotStyle *style,
              CsTextRole         role,
              CsRgb              color,
              const char        *text,
              double             x,
              double             y,
              double             xalign,
              double             yalign,
              double             max_width)
{
  PangoLayout *layout = cs_plot_layout (cr, style, role, text, max_width);
  double w, h;

  cs_plot_layout_size (layout, &w, &h);
  cairo_save (cr);
  cs_plot_set_color (cr, color, 1.0);
  cairo_move_to (cr, x - xalign * w, y - yalign * h);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
  return w;
}

void
cs_plot_text_vertical (cairo_t           *cr,
                       const CsPlotStyle *style,
                       CsTextRole         role,
                       CsRgb              color,
                       const char        *text,
                       double             x,
                       double             y,
                       double             max_length)
{
  PangoLayout *layout = cs_plot_layout (cr, style, role, text, max_length);
  double w, h;

  cs_plot_layout_size (layout, &w, &h);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  cs_plot_set_color (cr, color, 1.0);
  cairo_move_to (cr, -w / 2, -h / 2);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

double
cs_plot_text_height (cairo_t           *cr,
                     const CsPlotStyle *style,
                     CsTextRole         role)
{
  PangoLayout *layout = cs_plot_layout (cr, style, role, "Ag", 0);
  double h;

  cs_plot_layout_size (layout, NULL, &h);
  g_object_unref (layout);
  return h;
}

double
cs_plot_text_width (cairo_t           *cr,
                    const CsPlotStyle *style,
                    CsTextRole         role,
                    const char        *text)
{
  PangoLayout *layout = cs_plot_layout (cr, style, role, text, 0);
  double w;

  cs_plot_layout_size (layout, &w, NULL);
  g_object_unref (layout);
  return w;
}

/* ---- Ticks --------------------------------------------------------------------------- */

guint
cs_plot_nice_ticks (double  min,
                    double  max,
                    guint   target,
                    double *ticks,
                    guint   capacity,
                    double *step_out)
{
  double span, raw, mag, norm, step, first;
  guint n = 0;

  if (!isfinite (min) || !isfinite (max) || capacity == 0)
    return 0;
  if (max < min)
    {
      double t = min;
      min = max;
      max = t;
    }
  span = max - min;
  if (span <= 0)
    span = fabs (min) > 0 ? fabs (min) : 1.0;
  if (target < 2)
    target = 2;
  raw = span / target;
  mag = pow (10.0, floor (log10 (raw)));
  norm = raw / mag;
  step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  first = ceil (min / step - 1e-9) * step;
  for (double v = first; v <= max + step * 1e-9 && n < capacity; v = first + n * step)
    ticks[n++] = fabs (v) < step * 1e-9 ? 0.0 : v;
  if (step_out != NULL)
    *step_out = step;
  return n;
}

guint
cs_plot_log_ticks (double  min,
                   double  max,
                   double *ticks,
                   guint   capacity)
{
  static const double mult[3] = { 1, 2, 5 };
  int lo, hi;
  guint n = 0;
  gboolean fine;

  if (!(min > 0) || !(max > min) || capacity == 0)
    return 0;
  lo = (int) floor (log10 (min) + 1e-9);
  hi = (int) ceil (log10 (max) - 1e-9);
  fine = log10 (max / min) <= 2.6;
  for (int e = lo; e <= hi; e++)
    for (guint m = 0; m < (fine ? 3u : 1u); m++)
      {
        double v = mult[m] * pow (10.0, e);

        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9) && n < capacity)
          ticks[n++] = v;
      }
  if (hi - lo > 8 && n > 6)
    {
      /* Too many decades: keep every other one. */
      guint k = 0;

      for (guint i = 0; i < n; i += 2)
        ticks[k++] = ticks[i];
      n = k;
    }
  return n;
}

char *
cs_plot_format_number (double value,
                       double step)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char fmt[16];
  int decimals = 0;
  double a = fabs (value);

  if (!isfinite (value))
    return g_strdup (isnan (value) ? "NaN" : value > 0 ? "inf" : "-inf");
  if (value == 0)
    return g_strdup ("0");
  if (a >= 1e6 || a < 1e-4 || !(step > 0) || !isfinite (step))
    {
      /* No step (or a log axis): significant digits instead of fixed decimals. */
      g_ascii_formatd (buf, sizeof buf, step < 0 && a < 1e6 && a >= 1e-4 ? "%.6g" : "%.3g", value);
      return g_strdup (buf);
    }
  decimals = (int) ceil (-log10 (step) - 1e-9);
  /* Steps such as 2.5 or 0.25 need one more digit than their magnitude. */
  if (decimals >= 0 && fabs (step * pow (10, decimals) - round (step * pow (10, decimals))) > 1e-6)
    decimals++;
  decimals = CLAMP (decimals, 0, 8);
  g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, fmt, value);
  return g_strdup (buf);
}

void
cs_plot_pad_range (double  *min,
                   double  *max,
                   double   frac,
                   gboolean log)
{
  double lo = *min, hi = *max;

  if (!isfinite (lo) || !isfinite (hi))
    {
      lo = log ? 0.1 : 0;
      hi = log ? 10 : 1;
    }
  if (log)
    {
      if (!(lo > 0))
        lo = hi > 0 ? hi / 100 : 0.1;
      if (!(hi > 0))
        hi = 10;
      lo = log10 (lo);
      hi = log10 (hi);
    }
  if (hi - lo <= 0)
    {
      double w = fabs (lo) > 0 ? fabs (lo) * 0.1 : 1.0;
      if (log)
        w = 0.5;
      lo -= w;
      hi += w;
    }
  else
    {
      double pad = (hi - lo) * frac;
      lo -= pad;
      hi += pad;
    }
  if (log)
    {
      lo = pow (10, lo);
      hi = pow (10, hi);
    }
  *min = lo;
  *max = hi;
}

/* ---- Page furniture ------------------------------------------------------------------ */

char *
cs_plot_footer_text (const CsProvenance *prov)
{
  GString *s = g_string_new (NULL);

#define SEP() do { if (s->len > 0) g_string_append (s, "  ·  "); } while (0)
  if (prov->verdict != NULL)
    g_string_append_printf (s, "fail-safe verdict: %s", prov->verdict);
  if (prov->file_name != NULL)
    {
      SEP ();
      g_string_append_printf (s, "data: %s", prov->file_name);
      if (prov->sha256 != NULL)
        g_string_append_printf (s, " (SHA-256 %.12s)", prov->sha256);
    }
  if (prov->n > 0)
    {
      SEP ();
      g_string_append_printf (s, "n = %" G_GSIZE_FORMAT, prov->n);
    }
  if (prov->d > 0)
    {
      SEP ();
      g_string_append_printf (s, "d = %" G_GSIZE_FORMAT, prov->d);
    }
  if (prov->metric != NULL)
    {
      SEP ();
      g_string_append_printf (s, "metric: %s", prov->metric);
    }
  if (prov->scale != NULL)
    {
      SEP ();
      g_string_append_printf (s, "scale: %s", prov->scale);
    }
  SEP ();
  g_string_append_printf (s, "Casescope %s", prov->app_version != NULL ? prov->app_version : PACKAGE_VERSION);
  if (prov->date != NULL)
    {
      SEP ();
      g_string_append (s, prov->date);
    }
#undef SEP
  return g_string_free (s, FALSE);
}

/* Invalid values are ignored, with a debug message, rather than refused: the footer date is
 * not worth failing an export for. */
GDateTime *
cs_plot_source_date_epoch (void)
{
  const char *value = g_getenv ("SOURCE_DATE_EPOCH");
  g_autoptr(GError) error = NULL;
  GDateTime *t;
  gint64 seconds;

  if (value == NULL || *value == '\0')
    return NULL;
  if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &seconds, &error))
    {
      g_debug ("SOURCE_DATE_EPOCH ignored: %s", error->message);
      return NULL;
    }
  t = g_date_time_new_from_unix_utc (seconds);
  if (t == NULL)
    g_debug ("SOURCE_DATE_EPOCH ignored: %s is out of range", value);
  return t;
}

char *
cs_plot_provenance_date (GDateTime *now)
{
  g_autoptr(GDateTime) pinned = cs_plot_source_date_epoch ();
  g_autoptr(GDateTime) utc = NULL;

  if (pinned != NULL)
    utc = g_date_time_ref (pinned);
  else if (now != NULL)
    utc = g_date_time_to_utc (now);
  else
    utc = g_date_time_new_now_utc ();
  /* Minutes: two exports a few seconds apart read the same, and seconds add nothing a reader needs. */
  return g_date_time_format (utc, "%Y-%m-%d %H:%M UTC");
}

double
cs_plot_footer_height (cairo_t           *cr,
                       const CsPlotStyle *style)
{
  if (style->provenance == NULL)
    return 0;
  return cs_plot_text_height (cr, style, CS_TEXT_SMALL) + cs_plot_pt (style, 6);
}

void
cs_plot_draw_footer (cairo_t            *cr,
                     const CsPlotStyle  *style,
                     const CsProvenance *prov,
                     const CsRect       *rect)
{
  g_autofree char *text = cs_plot_footer_text (prov);
  double h = cs_plot_text_height (cr, style, CS_TEXT_SMALL);
  double y = rect->y + rect->h - h;

  cairo_save (cr);
  cs_plot_set_color (cr, style->grid, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 0.75));
  cairo_move_to (cr, rect->x, y - cs_plot_pt (style, 3));
  cairo_line_to (cr, rect->x + rect->w, y - cs_plot_pt (style, 3));
  cairo_stroke (cr);
  cairo_restore (cr);
  cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, text, rect->x, y, 0, 0, rect->w);
}

CsRect
cs_plot_begin (cairo_t           *cr,
               const CsPlotStyle *style,
               double             width,
               double             height,
               const char        *title,
               const char        *subtitle)
{
  double margin = cs_plot_pt (style, 8);
  CsRect r = { margin, margin, width - 2 * margin, height - 2 * margin };

  if (!style->transparent)
    {
      cairo_save (cr);
      cs_plot_set_color (cr, style->background, 1.0);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
      cairo_restore (cr);
    }
  if (r.w < 1 || r.h < 1)
    return (CsRect) { 0, 0, MAX (width, 1), MAX (height, 1) };

  if (title != NULL)
    {
      double h = cs_plot_text_height (cr, style, CS_TEXT_TITLE);

      cs_plot_text (cr, style, CS_TEXT_TITLE, style->foreground, title, r.x, r.y, 0, 0, r.w);
      r = cs_rect_inset (r, 0, h + cs_plot_pt (style, 1), 0, 0);
    }
  if (subtitle != NULL)
    {
      double h = cs_plot_text_height (cr, style, CS_TEXT_NORMAL);

      cs_plot_text (cr, style, CS_TEXT_NORMAL, style->muted, subtitle, r.x, r.y, 0, 0, r.w);
      r = cs_rect_inset (r, 0, h, 0, 0);
    }
  r = cs_rect_inset (r, 0, cs_plot_pt (style, 4), 0, 0);
  if (style->provenance != NULL)
    {
      double fh = cs_plot_footer_height (cr, style);

      cs_plot_draw_footer (cr, style, style->provenance, &r);
      r = cs_rect_inset (r, 0, 0, 0, fh + cs_plot_pt (style, 2));
    }
  return r;
}

static double
legend_key_width (const CsPlotStyle *style)
{
  return cs_plot_pt (style, 18);
}

static void
legend_key (cairo_t            *cr,
            const CsPlotStyle  *style,
            const CsLegendItem *item,
            double              x,
            double              cy)
{
  double kw = legend_key_width (style);
  double ms = cs_plot_pt (style, 6);

  cairo_save (cr);
  /* The previous label's move_to leaves a current point; an arc would join it with a line. */
  cairo_new_path (cr);
  switch (item->kind)
    {
    case CS_LEGEND_SWATCH:
    case CS_LEGEND_HATCH:
      {
        CsRect box = { x + kw * 0.15, cy - ms * 0.7, kw * 0.7, ms * 1.4 };

        if (item->kind == CS_LEGEND_SWATCH)
          {
            cs_plot_set_color (cr, item->color, 1.0);
            cairo_rectangle (cr, box.x, box.y, box.w, box.h);
            cairo_fill (cr);
          }
        else
          {
            cs_plot_set_color (cr, item->color, 0.15);
            cairo_rectangle (cr, box.x, box.y, box.w, box.h);
            cairo_fill (cr);
            cs_plot_hatch (cr, style, &box, item->color);
          }
        cs_plot_set_color (cr, style->frame, 1.0);
        cairo_set_line_width (cr, cs_plot_pt (style, 0.5));
        cairo_rectangle (cr, box.x, box.y, box.w, box.h);
        cairo_stroke (cr);
      }
      break;
    case CS_LEGEND_ELLIPSE:
      {
        double dash[2] = { cs_plot_pt (style, 2.5), cs_plot_pt (style, 1.5) };

        cairo_save (cr);
        cairo_translate (cr, x + kw / 2, cy);
        cairo_scale (cr, kw * 0.42, ms * 0.7);
        cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
        cairo_restore (cr);
        cs_plot_set_color (cr, item->color, 1.0);
        cairo_set_line_width (cr, cs_plot_pt (style, 1.2));
        cairo_set_dash (cr, dash, 2, 0);
        cairo_stroke (cr);
      }
      break;
    case CS_LEGEND_QUERY:
      {
        CsPlotStyle small = *style;

        small.px_per_pt = style->px_per_pt * 0.75;
        cs_plot_query_marker (cr, &small, x + kw / 2, cy);
      }
      break;
    case CS_LEGEND_LINE:
    case CS_LEGEND_MARKER:
    default:
      if (item->kind == CS_LEGEND_LINE || item->dashed)
        {
          double dash[2] = { cs_plot_pt (style, 3), cs_plot_pt (style, 2) };

          cs_plot_set_color (cr, item->color, 1.0);
          cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
          if (item->dashed)
            cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, x, cy);
          cairo_line_to (cr, x + kw, cy);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      if (item->marker != CS_MARK_NONE)
        cs_plot_marker (cr, style, item->marker, x + kw / 2, cy, ms, item->color, style->foreground);
      break;
    }
  cairo_restore (cr);
}

double
cs_plot_legend (cairo_t            *cr,
                const CsPlotStyle  *style,
                const CsRect       *rect,
                const CsLegendItem *items,
                guint               n_items)
{
  double line_h = cs_plot_text_height (cr, style, CS_TEXT_SMALL) + cs_plot_pt (style, 2);
  double kw = legend_key_width (style);
  double gap = cs_plot_pt (style, 4);
  double item_gap = cs_plot_pt (style, 12);
  double x = rect->x, y = rect->y;

  if (n_items == 0)
    return 0;
  for (guint i = 0; i < n_items; i++)
    {
      double max_text = rect->w - kw - gap;
      PangoLayout *layout = cs_plot_layout (cr, style, CS_TEXT_SMALL, items[i].label, max_text);
      double tw, th;

      cs_plot_layout_size (layout, &tw, &th);
      if (x > rect->x && x + kw + gap + tw > rect->x + rect->w)
        {
          x = rect->x;
          y += line_h;
        }
      legend_key (cr, style, &items[i], x, y + line_h / 2);
      cairo_save (cr);
      cs_plot_set_color (cr, style->foreground, 1.0);
      cairo_move_to (cr, x + kw + gap, y + (line_h - th) / 2);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
      g_object_unref (layout);
      x += kw + gap + tw + item_gap;
    }
  return y + line_h - rect->y + cs_plot_pt (style, 3);
}

void
cs_plot_empty (cairo_t           *cr,
               const CsPlotStyle *style,
               const CsRect      *rect,
               const char        *message)
{
  cs_plot_text (cr, style, CS_TEXT_NORMAL, style->muted, message != NULL ? message : "No data",
                rect->x + rect->w / 2, rect->y + rect->h / 2, 0.5, 0.5, rect->w);
}

/* ---- Axes ---------------------------------------------------------------------------- */

#define MAX_TICKS 64

static guint
axis_ticks (const CsAxis *axis,
            guint         target,
            double       *ticks,
            double       *step)
{
  *step = 0;
  if (axis->no_ticks)
    return 0;
  if (axis->log)
    {
      *step = -1;
      return cs_plot_log_ticks (axis->min, axis->max, ticks, MAX_TICKS);
    }
  return cs_plot_nice_ticks (axis->min, axis->max, target, ticks, MAX_TICKS, step);
}

static double
axis_fraction (const CsAxis *axis,
               double        v)
{
  if (axis->log)
    {
      if (!(v > 0))
        return -1e6;
      return (log10 (v) - log10 (axis->min)) / (log10 (axis->max) - log10 (axis->min));
    }
  return (v - axis->min) / (axis->max - axis->min);
}

double
cs_plot_frame_x (const CsPlotFrame *frame,
                 double             v)
{
  return frame->area.x + axis_fraction (&frame->x, v) * frame->area.w;
}

double
cs_plot_frame_y (const CsPlotFrame *frame,
                 double             v)
{
  return frame->area.y + frame->area.h - axis_fraction (&frame->y, v) * frame->area.h;
}

void
cs_plot_frame_clip (cairo_t           *cr,
                    const CsPlotFrame *frame)
{
  cairo_rectangle (cr, frame->area.x, frame->area.y, frame->area.w, frame->area.h);
  cairo_clip (cr);
}

static guint
x_tick_target (cairo_t           *cr,
               const CsPlotStyle *style,
               double             width)
{
  /* About one tick per 70 points of width, at least 2. */
  (void) cr;
  return (guint) CLAMP (width / cs_plot_pt (style, 70), 2, 10);
}

static guint
y_tick_target (const CsPlotStyle *style,
               double             height)
{
  return (guint) CLAMP (height / cs_plot_pt (style, 40), 2, 8);
}

void
cs_plot_frame_layout (cairo_t           *cr,
                      const CsPlotStyle *style,
                      const CsRect      *rect,
                      const CsAxis      *x,
                      const CsAxis      *y,
                      CsPlotFrame       *frame)
{
  double ticks[MAX_TICKS], step;
  double tick_len = cs_plot_pt (style, 3);
  double gap = cs_plot_pt (style, 3);
  double small_h = cs_plot_text_height (cr, style, CS_TEXT_SMALL);
  double label_h = cs_plot_text_height (cr, style, CS_TEXT_NORMAL);
  double left = 0, bottom = 0, right, top;
  double ymax_w = 0, last_x_w = 0;
  guint n;

  frame->x = *x;
  frame->y = *y;
  frame->outer = *rect;
  frame->no_grid = FALSE;   /* charts that fill the area with an image set it after the layout */

  /* Y tick labels: measure every one; the widest sets the left margin. */
  frame->y_target = y_tick_target (style, rect->h);
  n = axis_ticks (y, frame->y_target, ticks, &step);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *s = cs_plot_format_number (ticks[i], step);
      ymax_w = MAX (ymax_w, cs_plot_text_width (cr, style, CS_TEXT_SMALL, s));
    }
  if (n > 0)
    left += ymax_w + gap + tick_len;
  frame->y_label_x = rect->x + label_h / 2;
  if (y->label != NULL)
    left += label_h + gap;

  if (!x->no_ticks)
    bottom += small_h + gap + tick_len;
  if (x->label != NULL)
    bottom += label_h + gap;

  /* The last x tick label may hang over the right edge by half its width. */
  frame->x_target = x_tick_target (cr, style, rect->w - left);
  n = axis_ticks (x, frame->x_target, ticks, &step);
  if (n > 0)
    {
      g_autofree char *s = cs_plot_format_number (ticks[n - 1], step);
      g_autofree char *s0 = cs_plot_format_number (ticks[0], step);

      last_x_w = cs_plot_text_width (cr, style, CS_TEXT_SMALL, s);
      /* The first label hangs over the left edge when nothing else is there. */
      left = MAX (left, cs_plot_text_width (cr, style, CS_TEXT_SMALL, s0) / 2);
    }
  right = MAX (last_x_w / 2, cs_plot_pt (style, 2));
  top = y->no_ticks ? cs_plot_pt (style, 1) : small_h / 2;

  frame->area = cs_rect_inset (*rect, left, top, right, bottom);
}

void
cs_plot_frame_draw (cairo_t           *cr,
                    const CsPlotStyle *style,
                    const CsPlotFrame *frame)
{
  const CsRect *a = &frame->area;
  double ticks[MAX_TICKS], step;
  double tick_len = cs_plot_pt (style, 3);
  double gap = cs_plot_pt (style, 3);
  double small_h = cs_plot_text_height (cr, style, CS_TEXT_SMALL);
  double ymax_w = 0;
  guint nx, ny;

  nx = axis_ticks (&frame->x, frame->x_target, ticks, &step);
  cairo_save (cr);
  cairo_set_line_width (cr, cs_plot_pt (style, 0.6));
  for (guint i = 0; i < nx; i++)
    {
      double px = round (cs_plot_frame_x (frame, ticks[i])) + 0.5;
      g_autofree char *s = cs_plot_format_number (ticks[i], step);

      if (px < a->x - 1 || px > a->x + a->w + 1)
        continue;
      cs_plot_set_color (cr, style->grid, frame->no_grid ? 0.0 : 1.0);
      cairo_move_to (cr, px, a->y);
      cairo_line_to (cr, px, a->y + a->h);
      cairo_stroke (cr);
      cs_plot_set_color (cr, style->frame, 1.0);
      cairo_move_to (cr, px, a->y + a->h);
      cairo_line_to (cr, px, a->y + a->h + tick_len);
      cairo_stroke (cr);
      cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, s, px, a->y + a->h + tick_len + gap / 2, 0.5, 0, 0);
    }

  ny = axis_ticks (&frame->y, frame->y_target, ticks, &step);
  for (guint i = 0; i < ny; i++)
    {
      double py = round (cs_plot_frame_y (frame, ticks[i])) + 0.5;
      g_autofree char *s = cs_plot_format_number (ticks[i], step);

      if (py < a->y - 1 || py > a->y + a->h + 1)
        continue;
      cs_plot_set_color (cr, style->grid, frame->no_grid ? 0.0 : 1.0);
      cairo_move_to (cr, a->x, py);
      cairo_line_to (cr, a->x + a->w, py);
      cairo_stroke (cr);
      cs_plot_set_color (cr, style->frame, 1.0);
      cairo_move_to (cr, a->x - tick_len, py);
      cairo_line_to (cr, a->x, py);
      cairo_stroke (cr);
      ymax_w = MAX (ymax_w, cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, s,
                                          a->x - tick_len - gap, py, 1, 0.5, 0));
    }

  cs_plot_set_color (cr, style->frame, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 0.8));
  cairo_rectangle (cr, a->x, a->y, a->w, a->h);
  cairo_stroke (cr);
  cairo_restore (cr);

  if (frame->x.label != NULL)
    {
      double y = a->y + a->h + (frame->x.no_ticks ? 0 : tick_len + gap + small_h) + gap;
      PangoLayout *layout = cs_plot_layout (cr, style, CS_TEXT_NORMAL, frame->x.label, frame->outer.w);
      double tw, cx = a->x + a->w / 2;

      /* Centred under the data area, but never outside the frame's rectangle. */
      cs_plot_layout_size (layout, &tw, NULL);
      cx = CLAMP (cx, frame->outer.x + tw / 2, frame->outer.x + frame->outer.w - tw / 2);
      cairo_save (cr);
      cs_plot_set_color (cr, style->foreground, 1.0);
      cairo_move_to (cr, cx - tw / 2, y);
      pango_cairo_show_layout (cr, layout);
      cairo_restore (cr);
      g_object_unref (layout);
    }
  if (frame->y.label != NULL)
    {
      cs_plot_text_vertical (cr, style, CS_TEXT_NORMAL, style->foreground, frame->y.label, frame->y_label_x,
                             a->y + a->h / 2, a->h + small_h);
    }
}

/* ---- Colour bars --------------------------------------------------------------------- */

double
cs_colorbar_t (const CsColorbar *bar,
               double            v)
{
  double t;

  if (isnan (v))
    return NAN;
  if (bar->log)
    t = v > 0 ? (log10 (v) - log10 (bar->vmin)) / (log10 (bar->vmax) - log10 (bar->vmin)) : 0;
  else
    t = bar->vmax > bar->vmin ? (v - bar->vmin) / (bar->vmax - bar->vmin) : 0.5;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

static guint
colorbar_ticks (const CsColorbar *bar,
                double           *ticks,
                double           *step)
{
  *step = 0;
  if (bar->log)
    {
      *step = -1;
      return cs_plot_log_ticks (bar->vmin, bar->vmax, ticks, MAX_TICKS);
    }
  return cs_plot_nice_ticks (bar->vmin, bar->vmax, 5, ticks, MAX_TICKS, step);
}

double
cs_plot_colorbar_width (cairo_t           *cr,
                        const CsPlotStyle *style,
                        const CsColorbar  *bar)
{
  double ticks[MAX_TICKS], step, w = 0;
  guint n = colorbar_ticks (bar, ticks, &step);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *s = cs_plot_format_number (ticks[i], step);
      w = MAX (w, cs_plot_text_width (cr, style, CS_TEXT_SMALL, s));
    }
  return cs_plot_pt (style, 10) /* gap */ + cs_plot_pt (style, 11) /* bar */ + cs_plot_pt (style, 3) + w
         + cs_plot_pt (style, 4) + cs_plot_text_height (cr, style, CS_TEXT_NORMAL);
}

void
cs_plot_colorbar_draw (cairo_t           *cr,
                       const CsPlotStyle *style,
                       const CsColorbar  *bar,
                       const CsRect      *rect)
{
  double ticks[MAX_TICKS], step, max_w = 0;
  double bw = cs_plot_pt (style, 11);
  double x = rect->x + cs_plot_pt (style, 10);
  double y = rect->y, h = rect->h;
  guint n = colorbar_ticks (bar, ticks, &step);
  cairo_pattern_t *grad;

  if (h < 4)
    return;
  /* Ramp as a 256-stop gradient (vector-friendly, exact at the table entries). */
  grad = cairo_pattern_create_linear (0, y + h, 0, y);
  for (guint i = 0; i <= 64; i++)
    {
      CsRgb c = cs_colormap_eval (bar->map, i / 64.0);
      cairo_pattern_add_color_stop_rgb (grad, i / 64.0, c.r, c.g, c.b);
    }
  cairo_save (cr);
  cairo_rectangle (cr, x, y, bw, h);
  cairo_set_source (cr, grad);
  cairo_fill (cr);
  cairo_pattern_destroy (grad);

  cs_plot_set_color (cr, style->frame, 1.0);
  cairo_set_line_width (cr, cs_plot_pt (style, 0.6));
  cairo_rectangle (cr, x, y, bw, h);
  cairo_stroke (cr);
  for (guint i = 0; i < n; i++)
    {
      double ty = y + h - cs_colorbar_t (bar, ticks[i]) * h;
      g_autofree char *s = cs_plot_format_number (ticks[i], step);

      cs_plot_set_color (cr, style->frame, 1.0);
      cairo_move_to (cr, x + bw, ty);
      cairo_line_to (cr, x + bw + cs_plot_pt (style, 2.5), ty);
      cairo_stroke (cr);
      max_w = MAX (max_w, cs_plot_text (cr, style, CS_TEXT_SMALL, style->muted, s, x + bw + cs_plot_pt (style, 3),
                                        ty, 0, 0.5, 0));
    }
  if (bar->has_threshold && isfinite (bar->threshold))
    {
      double ty = y + h - cs_colorbar_t (bar, bar->threshold) * h;

      /* A white-and-dark double line so it reads on any part of the ramp. */
      cairo_set_line_width (cr, cs_plot_pt (style, 2.4));
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_move_to (cr, x - cs_plot_pt (style, 3), ty);
      cairo_line_to (cr, x + bw, ty);
      cairo_stroke (cr);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.0));
      cs_plot_set_color (cr, style->flag, 1.0);
      cairo_move_to (cr, x - cs_plot_pt (style, 3), ty);
      cairo_line_to (cr, x + bw, ty);
      cairo_stroke (cr);
      cs_plot_marker (cr, style, CS_MARK_TRIANGLE, x - cs_plot_pt (style, 5), ty, cs_plot_pt (style, 5), style->flag,
                      style->flag);
    }
  cairo_restore (cr);
  if (bar->label != NULL)
    cs_plot_text_vertical (cr, style, CS_TEXT_NORMAL, style->foreground, bar->label,
                           x + bw + cs_plot_pt (style, 3) + max_w + cs_plot_pt (style, 4)
                           + cs_plot_text_height (cr, style, CS_TEXT_NORMAL) / 2,
                           y + h / 2, h);
}

/* ---- Markers and fills --------------------------------------------------------------- */

void
cs_plot_marker_path (cairo_t *cr,
                     CsMarker marker,
                     double   x,
                     double   y,
                     double   size)
{
  double r = size / 2;

  switch (marker)
    {
    case CS_MARK_SQUARE:
      cairo_rectangle (cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case CS_MARK_TRIANGLE:
      cairo_move_to (cr, x, y - r * 1.1);
      cairo_line_to (cr, x + r, y + r * 0.75);
      cairo_line_to (cr, x - r, y + r * 0.75);
      cairo_close_path (cr);
      break;
    case CS_MARK_DIAMOND:
      cairo_move_to (cr, x, y - r * 1.15);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r * 1.15);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
      break;
    case CS_MARK_CROSS:
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x + r, y - r);
      cairo_line_to (cr, x - r, y + r);
      break;
    case CS_MARK_RING:
    case CS_MARK_CIRCLE:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    case CS_MARK_NONE:
    default:
      break;
    }
}

void
cs_plot_marker (cairo_t           *cr,
                const CsPlotStyle *style,
                CsMarker           marker,
                double             x,
                double             y,
                double             size,
                CsRgb              fill,
                CsRgb              outline)
{
  if (marker == CS_MARK_NONE)
    return;
  cairo_save (cr);
  cairo_new_path (cr);
  cs_plot_marker_path (cr, marker, x, y, size);
  if (marker == CS_MARK_CROSS || marker == CS_MARK_RING)
    {
      cs_plot_set_color (cr, fill, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 1.4));
      cairo_stroke (cr);
    }
  else
    {
      cs_plot_set_color (cr, fill, 1.0);
      cairo_fill_preserve (cr);
      cs_plot_set_color (cr, outline, 1.0);
      cairo_set_line_width (cr, cs_plot_pt (style, 0.5));
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

void
cs_plot_hatch (cairo_t           *cr,
               const CsPlotStyle *style,
               const CsRect      *rect,
               CsRgb              color)
{
  double spacing = cs_plot_pt (style, 4);
  double cx0, cy0, cx1, cy1;
  CsRect r = *rect;

  /* Only the visible part: a rectangle from absurd data must not mean millions of lines. */
  cairo_clip_extents (cr, &cx0, &cy0, &cx1, &cy1);
  if (!isfinite (r.x) || !isfinite (r.y) || !isfinite (r.w) || !isfinite (r.h) || !(spacing > 0))
    return;
  cx0 = MAX (cx0, r.x);
  cy0 = MAX (cy0, r.y);
  cx1 = MIN (cx1, r.x + r.w);
  cy1 = MIN (cy1, r.y + r.h);
  if (cx1 <= cx0 || cy1 <= cy0)
    return;
  r = (CsRect) { cx0, cy0, cx1 - cx0, cy1 - cy0 };
  rect = &r;

  cairo_save (cr);
  cairo_rectangle (cr, rect->x, rect->y, rect->w, rect->h);
  cairo_clip (cr);
  cs_plot_set_color (cr, color, 0.8);
  cairo_set_line_width (cr, cs_plot_pt (style, 0.6));
  /* 45 degree lines anchored to the page, so neighbouring hatched areas line up. */
  for (double k = floor ((rect->x - rect->y - rect->h) / spacing) * spacing; k < rect->x + rect->w - rect->y;
       k += spacing)
    {
      cairo_move_to (cr, k + rect->y, rect->y);
      cairo_line_to (cr, k + rect->y + rect->h, rect->y + rect->h);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
cs_plot_query_marker (cairo_t           *cr,
                      const CsPlotStyle *style,
                      double             x,
                      double             y)
{
  double r = cs_plot_pt (style, 6);

  cairo_save (cr);
  cairo_new_path (cr);
  /* A light halo first so the marker reads over dense points. */
  cairo_set_line_width (cr, cs_plot_pt (style, 3.2));
  cs_plot_set_color (cr, style->background, 0.9);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cairo_move_to (cr, x - r * 1.6, y);
  cairo_line_to (cr, x + r * 1.6, y);
  cairo_move_to (cr, x, y - r * 1.6);
  cairo_line_to (cr, x, y + r * 1.6);
  cairo_stroke (cr);
  cairo_set_line_width (cr, cs_plot_pt (style, 1.5));
  cs_plot_set_color (cr, style->accent, 1.0);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cairo_move_to (cr, x - r * 1.6, y);
  cairo_line_to (cr, x + r * 1.6, y);
  cairo_move_to (cr, x, y - r * 1.6);
  cairo_line_to (cr, x, y + r * 1.6);
  cairo_stroke (cr);
  cairo_restore (cr);
}

double
cs_plot_raster_scale (cairo_t *cr)
{
  cairo_surface_t *target = cairo_get_target (cr);
  double dx = 1, dy = 0;

  switch (cairo_surface_get_type (target))
    {
    case CAIRO_SURFACE_TYPE_PDF:
    case CAIRO_SURFACE_TYPE_SVG:
    case CAIRO_SURFACE_TYPE_PS:
    case CAIRO_SURFACE_TYPE_RECORDING:
      return 300.0 / 72.0;
    default:
      cairo_user_to_device_distance (cr, &dx, &dy);
      return MAX (hypot (dx, dy), 1e-3);
    }
}

void
cs_plot_paint_image (cairo_t         *cr,
                     cairo_surface_t *image,
                     const CsRect    *rect)
{
  int iw = cairo_image_surface_get_width (image);
  int ih = cairo_image_surface_get_height (image);
  cairo_pattern_t *pattern;

  if (iw <= 0 || ih <= 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, rect->x, rect->y, rect->w, rect->h);
  cairo_clip (cr);
  cairo_translate (cr, rect->x, rect->y);
  cairo_scale (cr, rect->w / iw, rect->h / ih);
  cairo_set_source_surface (cr, image, 0, 0);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
}
