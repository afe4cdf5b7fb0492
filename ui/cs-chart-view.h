/* cs-chart-view.h: a focusable widget that draws one chart with a ui/render drawing function, and tells a screen
 * reader what it shows. */
#pragma once

#include <gtk/gtk.h>

#include "cs-chart-types.h"
#include "cs-colormap.h"

G_BEGIN_DECLS

/* Draw the chart on cr into a width x height box; dark: TRUE to follow a dark UI theme (screen only); weight_map:
 * the colour map of weights the view was given. Called from a worker thread for the screen (the data must stay
 * unchanged while referenced). */
typedef void (*CsChartDrawFunc) (cairo_t    *cr,
                                 double      width,
                                 double      height,
                                 gboolean    dark,
                                 CsColormap  weight_map,
                                 gpointer    user_data);
/* Text for a tooltip at (x, y) in a width x height chart, or NULL. */
typedef char *(*CsChartTooltipFunc) (double   x,
                                     double   y,
                                     double   width,
                                     double   height,
                                     gpointer user_data);

#define CS_TYPE_CHART_KIND (cs_chart_kind_get_type ())
GType cs_chart_kind_get_type (void) G_GNUC_CONST;
#define CS_TYPE_COLORMAP (cs_colormap_get_type ())
GType cs_colormap_get_type (void) G_GNUC_CONST;

#define CS_TYPE_CHART_VIEW (cs_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (CsChartView, cs_chart_view, CS, CHART_VIEW, GtkWidget)

/* Properties: "kind" (CsChartKind, construct-only), "title" (string, also the accessible label), "summary" (string:
 * what the chart shows with its numbers, also the accessible description), "weight-map" (CsColormap), "feature-x"
 * and "feature-y" (int, the feature plane a query chart uses; -1: the engine's choice), "dark" (boolean). */
GtkWidget  *cs_chart_view_new_for_kind (CsChartKind        kind,
                                        const char        *title);
CsChartKind cs_chart_view_get_kind     (CsChartView       *self);
/* The kind's machine name ("case-attention", ...: file names, saved settings); not shown to users. */
const char *cs_chart_view_get_name     (CsChartView       *self);
const char *cs_chart_view_get_title    (CsChartView       *self);
/* The text summary a screen reader gets (NULL while there is nothing drawn). */
const char *cs_chart_view_get_summary  (CsChartView       *self);
void        cs_chart_view_set_summary  (CsChartView       *self,
                                        const char        *summary);
CsColormap  cs_chart_view_get_weight_map (CsChartView     *self);
void        cs_chart_view_set_weight_map (CsChartView     *self,
                                        CsColormap         map);
/* The feature plane (x, y feature indices) of a query chart; -1, -1: the engine's choice. */
void        cs_chart_view_set_features (CsChartView       *self,
                                        int                feature_x,
                                        int                feature_y);
void        cs_chart_view_get_features (CsChartView       *self,
                                        int               *feature_x,
                                        int               *feature_y);
void        cs_chart_view_set_draw_func (CsChartView      *self,
                                        CsChartDrawFunc    draw,
                                        CsChartTooltipFunc tooltip,
                                        gpointer           user_data,
                                        GDestroyNotify     destroy);
/* The user_data given with draw, when draw is the current drawing function; else NULL. */
gpointer    cs_chart_view_get_draw_data (CsChartView      *self,
                                        CsChartDrawFunc    draw);
gboolean    cs_chart_view_has_content  (CsChartView       *self);
/* Draw again (the drawing function's look changed). */
void        cs_chart_view_invalidate   (CsChartView       *self);
/* TRUE while the shown picture is not yet the current content at the current size (drawn in a worker). */
gboolean    cs_chart_view_is_rendering (CsChartView       *self);
gboolean    cs_chart_view_get_dark     (CsChartView       *self);
void        cs_chart_view_set_dark     (CsChartView       *self,
                                        gboolean           dark);
/* Render light (export look) into a new image surface of width x height pixels at scale. */
cairo_surface_t *cs_chart_view_render_surface (CsChartView *self,
                                               int          width,
                                               int          height,
                                               double       scale);
/* Put a PNG of the chart (light) on the widget's clipboard. Returns FALSE when there is nothing drawn. */
gboolean    cs_chart_view_copy         (CsChartView       *self,
                                        int                width,
                                        int                height);

G_END_DECLS
