/* cs-plot-interval.c: the prediction interval's band, colour and legend text, shared by the charts. */
#define G_LOG_DOMAIN "cs-plot"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-plot-interval.h"

/* Light enough that the markers under the band stay readable, dark enough to show on both palettes. */
#define BAND_ALPHA 0.28

gboolean
cs_plot_interval_valid (double level,
                        double lower,
                        double upper)
{
  return level > 0 && level < 1 && isfinite (lower) && isfinite (upper) && lower <= upper;
}

CsRgb
cs_plot_interval_color (const CsPlotStyle *style)
{
  return (CsRgb) {
    BAND_ALPHA * style->accent.r + (1 - BAND_ALPHA) * style->background.r,
    BAND_ALPHA * style->accent.g + (1 - BAND_ALPHA) * style->background.g,
    BAND_ALPHA * style->accent.b + (1 - BAND_ALPHA) * style->background.b,
  };
}

void
cs_plot_interval_fill (cairo_t           *cr,
                       const CsPlotStyle *style)
{
  cs_plot_set_color (cr, style->accent, BAND_ALPHA);
  cairo_fill (cr);
}

char *
cs_plot_interval_label (double level)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!(level > 0 && level < 1))
    return g_strdup (_("prediction interval"));
  g_ascii_formatd (buf, sizeof buf, "%g", 100 * level);
  /* TRANSLATORS: %s is the level in percent, e.g. "90" */
  return g_strdup_printf (_("%s %% prediction interval"), buf);
}
