/* cs-colormap.c: sampled perceptual colour maps, linearly interpolated. */
#define G_LOG_DOMAIN "cs-colormap"

#include "config.h"

#include <math.h>

#include "cs-colormap.h"

/* Nine stops of matplotlib's viridis and cividis, and a blue-white-red diverging map. */
static const guint32 viridis[9] = {
  0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725,
};
static const guint32 cividis[9] = {
  0x00224e, 0x123570, 0x3b496c, 0x575d6d, 0x707173, 0x8a8779, 0xa69d75, 0xc4b56c, 0xfee838,
};
static const guint32 diverging[9] = {
  0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b,
};

const char *
cs_colormap_name (CsColormap cmap)
{
  switch (cmap)
    {
    case CS_COLORMAP_VIRIDIS: return "viridis";
    case CS_COLORMAP_CIVIDIS: return "cividis";
    case CS_COLORMAP_DIVERGING: return "diverging";
    default: return "unknown";
    }
}

CsRgb
cs_colormap_eval (CsColormap cmap,
                  double     t)
{
  const guint32 *stops = cmap == CS_COLORMAP_CIVIDIS ? cividis
                         : cmap == CS_COLORMAP_DIVERGING ? diverging : viridis;
  CsRgb c;
  double f;
  int i;

  if (isnan (t))
    return (CsRgb) { 0.6, 0.6, 0.6 };
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  f = t * 8.0;
  i = (int) floor (f);
  if (i >= 8)
    i = 7;
  f -= i;

#define CH(v, s) (((v) >> (s)) & 0xff) / 255.0
  c.r = (1 - f) * CH (stops[i], 16) + f * CH (stops[i + 1], 16);
  c.g = (1 - f) * CH (stops[i], 8) + f * CH (stops[i + 1], 8);
  c.b = (1 - f) * CH (stops[i], 0) + f * CH (stops[i + 1], 0);
#undef CH
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
