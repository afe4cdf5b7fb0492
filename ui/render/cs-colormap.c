/* cs-colormap.c: perceptual colour maps from their published tables, linearly interpolated. */
#define G_LOG_DOMAIN "cs-colormap"

#include "config.h"

#include <math.h>

#include "cs-colormap.h"
#include "cs-colormap-tables.h"

/* ColorBrewer RdBu (11 classes), reversed so that low is blue and high is red. */
static const float diverging_table[11][3] = {
  { 0x05 / 255.f, 0x30 / 255.f, 0x61 / 255.f },
  { 0x21 / 255.f, 0x66 / 255.f, 0xac / 255.f },
  { 0x43 / 255.f, 0x93 / 255.f, 0xc3 / 255.f },
  { 0x92 / 255.f, 0xc5 / 255.f, 0xde / 255.f },
  { 0xd1 / 255.f, 0xe5 / 255.f, 0xf0 / 255.f },
  { 0xf7 / 255.f, 0xf7 / 255.f, 0xf7 / 255.f },
  { 0xfd / 255.f, 0xdb / 255.f, 0xc7 / 255.f },
  { 0xf4 / 255.f, 0xa5 / 255.f, 0x82 / 255.f },
  { 0xd6 / 255.f, 0x60 / 255.f, 0x4d / 255.f },
  { 0xb2 / 255.f, 0x18 / 255.f, 0x2b / 255.f },
  { 0x67 / 255.f, 0x00 / 255.f, 0x1f / 255.f },
};

const char *
cs_colormap_name (CsColormap cmap)
{
  switch (cmap)
    {
    case CS_COLORMAP_VIRIDIS: return "viridis";
    case CS_COLORMAP_CIVIDIS: return "cividis";
    case CS_COLORMAP_DIVERGING: return "diverging (RdBu)";
    default: return "unknown";
    }
}

CsRgb
cs_colormap_eval (CsColormap cmap,
                  double     t)
{
  const float (*table)[3];
  guint n;
  CsRgb c;
  double f;
  guint i;

  switch (cmap)
    {
    case CS_COLORMAP_CIVIDIS: table = cividis_table; n = 256; break;
    case CS_COLORMAP_DIVERGING: table = diverging_table; n = 11; break;
    case CS_COLORMAP_VIRIDIS:
    default: table = viridis_table; n = 256; break;
    }

  if (isnan (t))
    return (CsRgb) { 0.6, 0.6, 0.6 };
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  f = t * (n - 1);
  i = (guint) floor (f);
  if (i >= n - 1)
    i = n - 2;
  f -= i;

  c.r = (1 - f) * table[i][0] + f * table[i + 1][0];
  c.g = (1 - f) * table[i][1] + f * table[i + 1][1];
  c.b = (1 - f) * table[i][2] + f * table[i + 1][2];
  return c;
}

guint32
cs_colormap_argb (CsColormap cmap,
                  double     t)
{
  CsRgb c = cs_colormap_eval (cmap, t);

  return 0xff000000u | ((guint32) lround (c.r * 255) << 16) | ((guint32) lround (c.g * 255) << 8)
         | (guint32) lround (c.b * 255);
}

void
cs_colormap_fill_lut (CsColormap cmap,
                      guint32   *lut,
                      guint      n)
{
  for (guint i = 0; i < n; i++)
    lut[i] = cs_colormap_argb (cmap, n > 1 ? (double) i / (n - 1) : 0.0);
}

static double
linearise (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

double
cs_rgb_luminance (CsRgb c)
{
  return 0.2126 * linearise (c.r) + 0.7152 * linearise (c.g) + 0.0722 * linearise (c.b);
}
