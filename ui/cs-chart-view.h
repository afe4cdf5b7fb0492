/* cs-chart-view.h: a focusable widget that draws one chart with a ui/render drawing function. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Draw the chart on cr into a width x height box; dark: TRUE to follow a dark UI theme (screen only).
 * Called from a worker thread for the screen (the data must stay unchanged while referenced). */
typedef void (*CsChartDrawFunc) (cairo_t *cr,
                                 double   width,
                                 double   height,
                                 gboolean dark,
                                 gpointer user_data);
/* Text for a tooltip at (x, y) in a width x height chart, or NULL. */
typedef char *(*CsChartTooltipFunc) (double   x,
                                     double   y,
                                     double   width,
                                     double   height,
                                     gpointer user_data);

#define CS_TYPE_CHART_VIEW (cs_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (CsChartView, cs_chart_view, CS, CHART_VIEW, GtkWidget)

GtkWidget  *cs_chart_view_new          (const char        *name,
                                        const char        *title);
const char *cs_chart_view_get_name     (CsChartView       *self);
const char *cs_chart_view_get_title    (CsChartView       *self);
void        cs_chart_view_set_draw_func (CsChartView      *self,
                                        CsChartDrawFunc    draw,
                                        CsChartTooltipFunc tooltip,
                                        gpointer           user_data,
                                        GDestroyNotify     destroy);
gboolean    cs_chart_view_has_content  (CsChartView       *self);
/* Draw again (the drawing function's look changed, e.g. the colour map). */
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
