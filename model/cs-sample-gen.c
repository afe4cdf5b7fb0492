/* cs-sample-gen.c: the sample case bases and their ground truth.
 *
 * press-line: a hot-press line. Features: temperature [degC] U(180, 240),
 * pressure [bar] U(40, 120), speed [m/min] U(5, 25), humidity [%] U(30, 70).
 * Outcome: bond strength [MPa]
 *
 *   f = 250 + 0.5 (T - 210) + 0.002 (P - 80)^2 + 0.6 (S - 15) - 0.1 (H - 50)
 *       + 30 / (1 + exp (-(T - 228) / 1.2))
 *
 * i.e. smooth everywhere but for a 30 MPa step at T = 228 degC (slope up to
 * 6.3 MPa/degC against 0.5 elsewhere). Label noise sd 1 MPa, and 8 MPa in the
 * noisy box T in [182, 200], P in [95, 120]. No cases in the sparse hole, the
 * ellipse ((T - 200) / 15)^2 + ((P - 55) / 20)^2 < 1.
 *
 * kiln: two features (firing temperature, dwell time) and a density outcome
 * with a steep ridge, a noisy corner and an empty patch, for the plane map.
 *
 * circle: the paper's setting, x uniform on the unit circle, relu task
 * f = L s max(a.x, 0) with L = 4, a = (cos 1, sin 1), s = +1, sigma = 0.3.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-sample-gen.h"

static const char *const press_names[] = { "temperature", "pressure", "speed", "humidity" };
static const char *const press_units[] = { "degC", "bar", "m/min", "%" };
static const char *const press_formats[] = { "%.2f", "%.2f", "%.3f", "%.1f" };
static const double press_lo[] = { 180, 40, 5, 30 };
static const double press_hi[] = { 240, 120, 25, 70 };

static const char *const kiln_names[] = { "firing_temp", "dwell" };
static const char *const kiln_units[] = { "degC", "min" };
static const char *const kiln_formats[] = { "%.1f", "%.2f" };
static const double kiln_lo[] = { 900, 10 };
static const double kiln_hi[] = { 1200, 60 };

static const char *const circle_names[] = { "x1", "x2" };
static const char *const circle_units[] = { "", "" };
static const char *const circle_formats[] = { "%.6f", "%.6f" };

#define CIRCLE_L 4.0
#define CIRCLE_SIGMA 0.3

const char *
cs_region_name (CsRegion region)
{
  static const char *const names[] = { "smooth", "steep", "noisy", "sparse", "border" };
  return (unsigned) region < CS_REGION_N ? names[region] : "unknown";
}

const char *
cs_sample_kind_name (CsSampleKind kind)
{
  static const char *const names[] = { "press-line", "kiln", "circle" };
  return (unsigned) kind < CS_SAMPLE_N_KINDS ? names[kind] : NULL;
}

int
cs_sample_kind_from_name (const char *name)
{
  for (int k = 0; k < CS_SAMPLE_N_KINDS; k++)
    if (name != NULL && strcmp (name, cs_sample_kind_name ((CsSampleKind) k)) == 0)
      return k;
  return -1;
}

size_t
cs_sample_default_n (CsSampleKind kind)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return 2000;
    case CS_SAMPLE_KILN: return 1500;
    case CS_SAMPLE_CIRCLE: return 400;
    case CS_SAMPLE_N_KINDS:
    default: return 0;
    }
}

uint64_t
cs_sample_default_seed (CsSampleKind kind)
{
  return 20241 + (uint64_t) kind;
}

size_t
cs_sample_dim (CsSampleKind kind)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return 4;
    case CS_SAMPLE_KILN: return 2;
    case CS_SAMPLE_CIRCLE: return 2;
    case CS_SAMPLE_N_KINDS:
    default: return 0;
    }
}

static double
sigmoid (double t)
{
  return 1.0 / (1.0 + exp (-t));
}

/* --- press-line ---------------------------------------------------------- */

static double
press_hole (const double *x)   /* < 1 inside the sparse hole */
{
  double a = (x[0] - 200.0) / 15.0, b = (x[1] - 55.0) / 20.0;
  return a * a + b * b;
}

static double
press_truth (const double *x)
{
  double T = x[0], P = x[1], S = x[2], H = x[3];
  return 250.0 + 0.5 * (T - 210.0) + 0.002 * (P - 80.0) * (P - 80.0) + 0.6 * (S - 15.0)
         - 0.1 * (H - 50.0) + 30.0 * sigmoid ((T - 228.0) / 1.2);
}

static int
in_box (double v, double lo, double hi)
{
  return v >= lo && v <= hi;
}

static double
press_noise_sd (const double *x)
{
  return in_box (x[0], 182, 200) && in_box (x[1], 95, 120) ? 8.0 : 1.0;
}

static CsRegion
press_region (const double *x)
{
  double T = x[0], P = x[1];

  if (fabs (T - 228.0) <= 2.5)
    return CS_REGION_STEEP;
  if (in_box (T, 184, 198) && in_box (P, 99, 118))
    return CS_REGION_NOISY;
  if (press_hole (x) < 0.35 * 0.35)
    return CS_REGION_SPARSE;

  /* Smooth core: well away from the step, the noisy box, the hole. */
  if (fabs (T - 228.0) > 14.0 && !(in_box (T, 172, 210) && in_box (P, 83, 130))
      && press_hole (x) > 1.7 * 1.7)
    return CS_REGION_SMOOTH;
  return CS_REGION_BORDER;
}

/* --- kiln ---------------------------------------------------------------- */

static double
kiln_hole (const double *x)
{
  double a = (x[0] - 980.0) / 45.0, b = (x[1] - 45.0) / 7.0;
  return a * a + b * b;
}

static double
kiln_truth (const double *x)
{
  double T = x[0], t = x[1];
  /* Density rises with temperature and dwell, with a steep ridge along T + 2 t = 1190. */
  return 2.10 + 0.0012 * (T - 900.0) + 0.004 * (t - 10.0)
         + 0.35 * sigmoid ((T + 2.0 * t - 1190.0) / 4.0);
}

static double
kiln_noise_sd (const double *x)
{
  return x[0] > 1120 && x[1] < 25 ? 0.12 : 0.015;
}

static CsRegion
kiln_region (const double *x)
{
  double ridge = fabs (x[0] + 2.0 * x[1] - 1190.0);

  if (ridge < 8.0)
    return CS_REGION_STEEP;
  if (x[0] > 1130 && x[1] < 22)
    return CS_REGION_NOISY;
  if (kiln_hole (x) < 0.35 * 0.35)
    return CS_REGION_SPARSE;
  if (ridge > 60.0 && !(x[0] > 1090 && x[1] < 32) && kiln_hole (x) > 1.7 * 1.7)
    return CS_REGION_SMOOTH;
  return CS_REGION_BORDER;
}

/* --- circle -------------------------------------------------------------- */

static double
circle_truth (const double *x)
{
  double a0 = cos (1.0), a1 = sin (1.0);
  double p = a0 * x[0] + a1 * x[1];
  return CIRCLE_L * (p > 0 ? p : 0);
}

/* --- dispatch ------------------------------------------------------------ */

CsRegion
cs_sample_region (CsSampleKind kind,
                  const double *x)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return press_region (x);
    case CS_SAMPLE_KILN: return kiln_region (x);
    case CS_SAMPLE_CIRCLE:
    case CS_SAMPLE_N_KINDS:
    default: return CS_REGION_SMOOTH;
    }
}

double
cs_sample_truth (CsSampleKind kind,
                 const double *x)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return press_truth (x);
    case CS_SAMPLE_KILN: return kiln_truth (x);
    case CS_SAMPLE_CIRCLE: return circle_truth (x);
    case CS_SAMPLE_N_KINDS:
    default: return NAN;
    }
}

double
cs_sample_noise_sd (CsSampleKind kind,
                    const double *x)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return press_noise_sd (x);
    case CS_SAMPLE_KILN: return kiln_noise_sd (x);
    case CS_SAMPLE_CIRCLE: return CIRCLE_SIGMA;
    case CS_SAMPLE_N_KINDS:
    default: return NAN;
    }
}

static void
draw_point (CsSampleKind kind,
            CsRng       *rng,
            double      *x)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE:
      for (int j = 0; j < 4; j++)
        x[j] = cs_rng_range (rng, press_lo[j], press_hi[j]);
      break;
    case CS_SAMPLE_KILN:
      for (int j = 0; j < 2; j++)
        x[j] = cs_rng_range (rng, kiln_lo[j], kiln_hi[j]);
      break;
    case CS_SAMPLE_CIRCLE:
    case CS_SAMPLE_N_KINDS:
    default:
      {
        double th = cs_rng_range (rng, 0, 2 * M_PI);
        x[0] = cos (th);
        x[1] = sin (th);
      }
      break;
    }
}

static int
point_allowed (CsSampleKind kind,
               const double *x)
{
  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE: return press_hole (x) >= 1.0;
    case CS_SAMPLE_KILN: return kiln_hole (x) >= 1.0;
    case CS_SAMPLE_CIRCLE:
    case CS_SAMPLE_N_KINDS:
    default: return 1;
    }
}

static double
round_to_format (const char *fmt,
                 double      v)
{
  /* The CSV stores the value with fmt ("%.2f" ...): generate exactly what is stored. */
  int digits = (fmt != NULL && strlen (fmt) == 4) ? fmt[2] - '0' : 6;
  double s = pow (10.0, digits);
  return round (v * s) / s;
}

CsSample *
cs_sample_new (CsSampleKind kind,
               uint64_t     seed,
               size_t       n)
{
  CsSample *s;
  CsRng rng;
  size_t d = cs_sample_dim (kind);

  if (n == 0 || d == 0)
    return NULL;

  s = calloc (1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->kind = kind;
  s->n = n;
  s->d = d;
  s->seed = seed;
  s->name = cs_sample_kind_name (kind);
  s->x = calloc (n * d, sizeof (double));
  s->y = calloc (n, sizeof (double));
  s->f = calloc (n, sizeof (double));
  s->region = calloc (n, sizeof (int));
  if (s->x == NULL || s->y == NULL || s->f == NULL || s->region == NULL)
    {
      cs_sample_free (s);
      return NULL;
    }

  switch (kind)
    {
    case CS_SAMPLE_PRESS_LINE:
      s->feature_names = press_names;
      s->feature_units = press_units;
      s->feature_formats = press_formats;
      s->target_name = "strength";
      s->target_unit = "MPa";
      s->target_format = "%.3f";
      s->id_name = "batch";
      s->id_prefix = "PL-";
      break;
    case CS_SAMPLE_KILN:
      s->feature_names = kiln_names;
      s->feature_units = kiln_units;
      s->feature_formats = kiln_formats;
      s->target_name = "density";
      s->target_unit = "g/cm3";
      s->target_format = "%.4f";
      s->id_name = "lot";
      s->id_prefix = "K-";
      break;
    case CS_SAMPLE_CIRCLE:
    case CS_SAMPLE_N_KINDS:
    default:
      s->feature_names = circle_names;
      s->feature_units = circle_units;
      s->feature_formats = circle_formats;
      s->target_name = "y";
      s->target_unit = "";
      s->target_format = "%.6f";
      s->id_name = NULL;
      s->id_prefix = NULL;
      break;
    }

  cs_rng_seed (&rng, seed);
  for (size_t i = 0; i < n; i++)
    {
      double *xi = s->x + i * d;

      do
        draw_point (kind, &rng, xi);
      while (!point_allowed (kind, xi));
      for (size_t j = 0; j < d; j++)
        xi[j] = round_to_format (s->feature_formats[j], xi[j]);
      s->f[i] = cs_sample_truth (kind, xi);
      s->y[i] = round_to_format (s->target_format,
                                 s->f[i] + cs_sample_noise_sd (kind, xi) * cs_rng_normal (&rng));
      s->region[i] = cs_sample_region (kind, xi);
    }
  return s;
}

void
cs_sample_free (CsSample *sample)
{
  if (sample == NULL)
    return;
  free (sample->x);
  free (sample->y);
  free (sample->f);
  free (sample->region);
  free (sample);
}

int
cs_sample_draw_query (CsSampleKind kind,
                      CsRegion     region,
                      CsRng       *rng,
                      double      *x)
{
  if (kind == CS_SAMPLE_CIRCLE)
    {
      if (region != CS_REGION_SMOOTH)
        return -1;
      draw_point (kind, rng, x);
      return 0;
    }
  if (kind >= CS_SAMPLE_N_KINDS || region >= CS_REGION_BORDER)
    return -1;

  for (int tries = 0; tries < 1000000; tries++)
    {
      draw_point (kind, rng, x);
      if (cs_sample_region (kind, x) == region)
        return 0;
    }
  return -1;
}
