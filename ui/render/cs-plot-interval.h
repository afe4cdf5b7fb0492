/* cs-plot-interval.h: how every chart draws a prediction interval (a translucent band in the accent colour) and
 * names it in the legend, so the case-attention strip, the feature map and the follow strip look alike. */
#pragma once

#include "cs-plot.h"

G_BEGIN_DECLS

/* TRUE when level is a probability and lower <= upper are finite: the interval is drawn. */
gboolean cs_plot_interval_valid  (double             level,
                                  double             lower,
                                  double             upper);
/* The band's colour as it looks over the background (the legend swatch, which is drawn opaque). */
CsRgb    cs_plot_interval_color  (const CsPlotStyle *style);
/* Fills the current path as the band (translucent, so the points under it stay visible). */
void     cs_plot_interval_fill   (cairo_t           *cr,
                                  const CsPlotStyle *style);
/* "90 % prediction interval" (level 0 or NaN: "prediction interval"). */
char    *cs_plot_interval_label  (double             level);

G_END_DECLS
