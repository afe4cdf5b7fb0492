/* cs-feature-map-private.h: point-cloud helpers shared by the feature map and the diagnostics maps. */
#pragma once

#include "cs-charts.h"

G_BEGIN_DECLS

void _cs_points_colorbar (const double      *values,
                          gsize              n,
                          CsColorBy          color_by,
                          gboolean           signed_values,
                          const CsPlotStyle *style,
                          CsColorbar        *bar);
/* Draws n points coloured on bar's scale, heaviest last; above threshold as triangles. */
void _cs_points_draw     (cairo_t           *cr,
                          const CsPlotStyle *style,
                          const CsPlotFrame *frame,
                          const double      *x,
                          const double      *y,
                          const double      *values,
                          gsize              n,
                          const CsColorbar  *bar,
                          double             threshold,
                          gboolean           has_threshold);
void _cs_points_range    (const double      *v,
                          gsize              n,
                          double            *lo,
                          double            *hi);

G_END_DECLS
