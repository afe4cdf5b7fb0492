/* cs-colormap.h: colour maps for charts (pure C + Cairo types, no GTK). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CS_COLORMAP_VIRIDIS,
  CS_COLORMAP_CIVIDIS,
  CS_COLORMAP_DIVERGING,   /* blue - white - red, centred at 0.5 */
} CsColormap;

typedef struct
{
  double r, g, b;
} CsRgb;

/* t in [0, 1] (clamped; NaN gives mid grey). */
CsRgb       cs_colormap_eval  (CsColormap cmap,
                               double     t);
/* Packed 0xAARRGGBB (premultiplied, opaque) for image surfaces. */
guint32     cs_colormap_argb  (CsColormap cmap,
                               double     t);
const char *cs_colormap_name  (CsColormap cmap);

G_END_DECLS
