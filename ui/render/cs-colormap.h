/* cs-colormap.h: colour maps for charts (pure C + GLib types, no GTK). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CS_COLORMAP_VIRIDIS,     /* matplotlib's viridis, 256 entries (default for weights) */
  CS_COLORMAP_CIVIDIS,     /* matplotlib's cividis, 256 entries (colour-vision-deficiency safe) */
  CS_COLORMAP_DIVERGING,   /* ColorBrewer RdBu reversed: blue - white - red, white at t = 0.5 */
} CsColormap;

typedef struct
{
  double r, g, b;
} CsRgb;

/* t in [0, 1] (clamped; NaN gives mid grey), linearly interpolated between table entries. */
CsRgb       cs_colormap_eval      (CsColormap cmap,
                                   double     t);
/* Packed 0xAARRGGBB (opaque, so premultiplied = straight) for image surfaces. */
guint32     cs_colormap_argb      (CsColormap cmap,
                                   double     t);
/* lut[i] = cs_colormap_argb (cmap, i / (n - 1)), for fast per-pixel mapping; n >= 2. */
void        cs_colormap_fill_lut  (CsColormap cmap,
                                   guint32   *lut,
                                   guint      n);
const char *cs_colormap_name      (CsColormap cmap);
/* Relative luminance (WCAG, sRGB) of a colour; used to pick readable text on a swatch. */
double      cs_rgb_luminance      (CsRgb      c);

G_END_DECLS
