/* cs-plot.h: the shared plotting kit every chart is drawn with (Cairo + Pango, no GTK).
 *
 * Units: charts draw in user units of the cairo_t they are given (pixels on an
 * image surface, points on PDF/SVG). Text and line widths are given in
 * typographic points and converted with style->px_per_pt, so an export at
 * 300 dpi has the same proportions as one at 96 dpi. Every piece of text is
 * measured with Pango before the layout is decided, so nothing is clipped.
 */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "cs-chart-types.h"
#include "cs-colormap.h"

G_BEGIN_DECLS

typedef enum
{
  CS_PLOT_LIGHT,   /* exports and light UI: dark ink on white */
  CS_PLOT_DARK,    /* dark UI: light ink on a dark background */
} CsPlotPalette;


typedef struct
{
  CsPlotPalette palette;
  CsRgb background;
  CsRgb foreground;
  CsRgb muted;               /* secondary text, tick labels */
  CsRgb grid;
  CsRgb frame;
  CsRgb accent;              /* the query marker */
  CsRgb flag;                /* flagged stretches, thresholds */
  CsRgb series[4];           /* colour-blind-safe (Okabe-Ito) line colours */
  gboolean transparent;      /* leave the background unpainted */
  double px_per_pt;          /* user units per point: dpi / 72 on images, 1 on PDF/SVG */
  double font_pt;            /* base font size in points */
  const char *font_family;
  CsColormap weight_map;     /* CS_COLORMAP_VIRIDIS (default) or CS_COLORMAP_CIVIDIS */
  gboolean stretch_to_max;   /* weights on [0, max] instead of the fixed [0, 1] */
  const CsProvenance *provenance; /* NULL: no footer */
} CsPlotStyle;

typedef struct
{
  double x, y, w, h;
} CsRect;

typedef struct
{
  const char *label;         /* name and unit, e.g. "temperature [°C]"; NULL: none */
  double min, max;
  gboolean log;
  gboolean no_ticks;         /* categorical axis: the chart draws its own labels */
} CsAxis;

typedef struct
{
  CsRect area;               /* the data area inside the axes */
  CsAxis x, y;
  /*< private >*/
  guint x_target, y_target;  /* tick counts asked for, fixed at layout */
  double y_label_x;          /* centre of the rotated y label */
  gboolean no_grid;          /* set by charts that fill the area with an image */
  CsRect outer;              /* the rectangle the frame was laid out in */
} CsPlotFrame;

typedef enum
{
  CS_TEXT_NORMAL,
  CS_TEXT_SMALL,
  CS_TEXT_BOLD,
  CS_TEXT_TITLE,
} CsTextRole;

typedef enum
{
  CS_MARK_NONE,
  CS_MARK_CIRCLE,
  CS_MARK_SQUARE,
  CS_MARK_TRIANGLE,
  CS_MARK_DIAMOND,
  CS_MARK_CROSS,
  CS_MARK_RING,
} CsMarker;

typedef enum
{
  CS_LEGEND_MARKER,          /* marker (and line when line is set) */
  CS_LEGEND_LINE,
  CS_LEGEND_SWATCH,          /* a filled box */
  CS_LEGEND_HATCH,           /* a hatched box (flagged areas) */
  CS_LEGEND_ELLIPSE,         /* a dashed ellipse (attention window) */
  CS_LEGEND_QUERY,           /* the query marker */
} CsLegendKind;

typedef struct
{
  const char *label;
  CsLegendKind kind;
  CsRgb color;
  CsMarker marker;
  gboolean dashed;
} CsLegendItem;

typedef struct
{
  CsColormap map;
  double vmin, vmax;
  gboolean log;
  const char *label;         /* name, unit and scale note, e.g. "weight w_i (viridis, fixed 0-1)" */
  gboolean has_threshold;
  double threshold;
} CsColorbar;

void         cs_plot_style_init        (CsPlotStyle        *style,
                                        CsPlotPalette       palette);
/* Light palette for exports: white background, dark ink, whatever the UI theme. */
void         cs_plot_style_init_export (CsPlotStyle        *style,
                                        double              px_per_pt);

double       cs_plot_pt                (const CsPlotStyle  *style,
                                        double              points);
void         cs_plot_set_color         (cairo_t            *cr,
                                        CsRgb               c,
                                        double              alpha);

/* Text. max_width > 0 ellipsises (at the end) to fit. */
PangoLayout *cs_plot_layout            (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsTextRole          role,
                                        const char         *text,
                                        double              max_width);
void         cs_plot_layout_size       (PangoLayout        *layout,
                                        double             *width,
                                        double             *height);
/* Draws text with its box anchored at (x, y): xalign/yalign 0 = left/top, 1 = right/bottom.
 * Returns the width drawn. */
double       cs_plot_text              (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsTextRole          role,
                                        CsRgb               color,
                                        const char         *text,
                                        double              x,
                                        double              y,
                                        double              xalign,
                                        double              yalign,
                                        double              max_width);
/* The same, rotated 90 degrees counter-clockwise (reading upwards), centred at (x, y). */
void         cs_plot_text_vertical     (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsTextRole          role,
                                        CsRgb               color,
                                        const char         *text,
                                        double              x,
                                        double              y,
                                        double              max_length);
double       cs_plot_text_height       (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsTextRole          role);
double       cs_plot_text_width        (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsTextRole          role,
                                        const char         *text);

/* Ticks. "Nice" steps of 1, 2 or 5 x 10^k covering [min, max]; returns the count (<= max_ticks + 1). */
guint        cs_plot_nice_ticks        (double              min,
                                        double              max,
                                        guint               target,
                                        double             *ticks,
                                        guint               capacity,
                                        double             *step);
/* Powers of ten in [min, max] (min > 0), with 2 and 5 added when fewer than three decades. */
guint        cs_plot_log_ticks         (double              min,
                                        double              max,
                                        double             *ticks,
                                        guint               capacity);
/* A tick label in the C locale with as many decimals as the step needs ("0.25", "1500", "1e-05");
 * step < 0: shortest form ("%g"), for log axes. */
char        *cs_plot_format_number     (double              value,
                                        double              step);
/* Extends [*min, *max] by frac of its span on each side (in log space for log axes);
 * degenerate ranges are widened so that every axis has a span. */
void         cs_plot_pad_range         (double             *min,
                                        double             *max,
                                        double              frac,
                                        gboolean            log);

/* Page furniture. Paints the background (unless transparent), the title and subtitle at
 * the top and the provenance footer at the bottom; returns the rectangle left for the chart. */
CsRect       cs_plot_begin             (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        double              width,
                                        double              height,
                                        const char         *title,
                                        const char         *subtitle);
double       cs_plot_footer_height     (cairo_t            *cr,
                                        const CsPlotStyle  *style);
/* The footer text (also used by the exporter's metadata). */
char        *cs_plot_footer_text       (const CsProvenance *prov);
/* The date for CsProvenance.date, the same from every caller: "2026-12-06 21:14 UTC".
 * When SOURCE_DATE_EPOCH holds a valid integer (seconds since 1970-01-01 UTC, the
 * reproducible-builds convention) that instant is used and now is ignored, so exports of the
 * same data are byte-identical; otherwise now (NULL: the current time), in UTC whatever its
 * time zone. Free with g_free (). */
char        *cs_plot_provenance_date   (GDateTime          *now);
/* SOURCE_DATE_EPOCH as a UTC time, or NULL when it is unset or not a whole number of seconds
 * GDateTime can hold (years 1 to 9999). Free with g_date_time_unref (). */
GDateTime   *cs_plot_source_date_epoch (void);
void         cs_plot_draw_footer       (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsProvenance *prov,
                                        const CsRect       *rect);
/* A legend that flows in rows across the top of rect; returns the height it used. */
double       cs_plot_legend            (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsRect       *rect,
                                        const CsLegendItem *items,
                                        guint               n_items);
/* "No data" message centred in rect. */
void         cs_plot_empty             (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsRect       *rect,
                                        const char         *message);
/* Shrinks rect by the margins (in points) given. */
CsRect       cs_rect_inset             (CsRect              rect,
                                        double              left,
                                        double              top,
                                        double              right,
                                        double              bottom);

/* Axes: lay out the data area inside rect leaving room for measured tick labels and axis
 * labels, then draw grid, frame, ticks and labels. */
void         cs_plot_frame_layout      (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsRect       *rect,
                                        const CsAxis       *x,
                                        const CsAxis       *y,
                                        CsPlotFrame        *frame);
void         cs_plot_frame_draw        (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsPlotFrame  *frame);
double       cs_plot_frame_x           (const CsPlotFrame  *frame,
                                        double              v);
double       cs_plot_frame_y           (const CsPlotFrame  *frame,
                                        double              v);
void         cs_plot_frame_clip        (cairo_t            *cr,
                                        const CsPlotFrame  *frame);

/* Colour bars: a vertical bar with ticks, range and a rotated label at the right of rect. */
double       cs_plot_colorbar_width    (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsColorbar   *bar);
void         cs_plot_colorbar_draw     (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsColorbar   *bar,
                                        const CsRect       *rect);
/* Maps v into [0, 1] on the colour bar's scale (clamped). */
double       cs_colorbar_t             (const CsColorbar   *bar,
                                        double              v);

/* Markers and fills. size is the marker's diameter in user units. */
void         cs_plot_marker_path       (cairo_t            *cr,
                                        CsMarker            marker,
                                        double              x,
                                        double              y,
                                        double              size);
void         cs_plot_marker            (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        CsMarker            marker,
                                        double              x,
                                        double              y,
                                        double              size,
                                        CsRgb               fill,
                                        CsRgb               outline);
void         cs_plot_hatch             (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        const CsRect       *rect,
                                        CsRgb               color);
/* The query marker: a ringed cross in the accent colour, the same in every chart. */
void         cs_plot_query_marker      (cairo_t            *cr,
                                        const CsPlotStyle  *style,
                                        double              x,
                                        double              y);
/* Pixels per user unit of the target: the device scale on image surfaces, 300 dpi on
 * vector surfaces (dense layers are rasterised at that resolution). */
double       cs_plot_raster_scale      (cairo_t            *cr);
/* Paints an image surface (one pixel per bin) stretched over rect, nearest-neighbour. */
void         cs_plot_paint_image       (cairo_t            *cr,
                                        cairo_surface_t    *image,
                                        const CsRect       *rect);
/* "name [unit]" or "name" when the unit is empty (newly allocated). */
char        *cs_plot_axis_label        (const char         *name,
                                        const char         *unit);

G_END_DECLS
