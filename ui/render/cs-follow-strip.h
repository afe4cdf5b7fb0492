/* cs-follow-strip.h: the strip chart of a followed file: recent predictions against the outcomes that came
 * later (pure Cairo + Pango, like every chart in ui/render). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cs-plot.h"

G_BEGIN_DECLS

typedef struct
{
  gsize n;                         /* rows, oldest first */
  const double *line;              /* n: the file line of each row (x axis) */
  const double *predicted;         /* n: the prediction made when the row arrived (NaN: none) */
  const double *actual;            /* n: the outcome that came later (NaN: still waiting) */
  const double *lower, *upper;     /* n or NULL: each prediction's interval (NaN: none), drawn as a band */
  double interval_level;           /* its level, for the legend (0: "interval") */
  const char *target_label;        /* "strength [MPa]" */
  const char *title;               /* NULL: "Predicted against actual, recent rows" */
} CsFollowStripData;

/* Predictions as circles joined by a line, outcomes as squares with the error as a segment between the two,
 * waiting predictions as rings. An empty strip says so. */
void cs_follow_strip_render (cairo_t                 *cr,
                             const CsFollowStripData *data,
                             const CsPlotStyle       *style,
                             double                   width,
                             double                   height);

G_END_DECLS
