/* calib-gen.c: held-out case-base generators with ground-truth regions (see calib-gen.h for the layout). */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "calib-gen.h"

/* The geometry, in the units of x0 and x1 (both uniform on [0, 1]). The cores keep a margin from every other
 * region so the windows of a few hundred cases see one kind of trouble at a time; the borders around them are
 * left out of the rates (ambiguous by construction). */
#define STEP_AT      0.80      /* the step rises linearly over [STEP_AT - STEP_W / 2, STEP_AT + STEP_W / 2] */
#define STEP_W       0.02
#define STEP_H       2.5       /* 25 times the usual noise */
#define STEP_BORDER  0.10
#define BOX_X0       0.08      /* noisy box: [BOX_X0, BOX_X1] x [BOX_Y0, BOX_Y1] */
#define BOX_X1       0.38
#define BOX_Y0       0.58
#define BOX_Y1       0.92
#define BOX_MARGIN   0.06      /* core: the box shrunk by this */
#define BOX_BORDER   0.10      /* border: the box grown by this */
#define BOX_NOISE    0.5       /* about 5 times the usual noise */
#define HOLE_CX      0.45      /* the empty disc in x0, x1 */
#define HOLE_CY      0.28
#define HOLE_R       0.13
#define HOLE_CORE    0.07
#define HOLE_BORDER  0.23
#define AMPLITUDE    2.0

const char *
calib_shape_name (CalibShape shape)
{
  switch (shape)
    {
    case CALIB_SHAPE_CREST: return "crest";
    case CALIB_SHAPE_PARABOLA: return "parabola";
    case CALIB_SHAPE_RING: return "ring";
    default: return "?";
    }
}

static double
hole_distance (const double *x)
{
  return hypot (x[0] - HOLE_CX, x[1] - HOLE_CY);
}

/* Distance from (x0, x1) to the box [a0, a1] x [b0, b1] (0 inside). */
static double
box_distance (const double *x,
              double        a0,
              double        a1,
              double        b0,
              double        b1)
{
  double dx = x[0] < a0 ? a0 - x[0] : x[0] > a1 ? x[0] - a1 : 0;
  double dy = x[1] < b0 ? b0 - x[1] : x[1] > b1 ? x[1] - b1 : 0;
  return hypot (dx, dy);
}

static int
in_box (const double *x,
        double        margin)
{
  return x[0] >= BOX_X0 + margin && x[0] <= BOX_X1 - margin && x[1] >= BOX_Y0 + margin && x[1] <= BOX_Y1 - margin;
}

CsRegion
calib_region (CalibShape    shape,
              size_t        d,
              const double *x)
{
  double h = hole_distance (x);

  (void) shape;
  (void) d;
  if (h < HOLE_CORE)
    return CS_REGION_SPARSE;
  if (fabs (x[0] - STEP_AT) < STEP_W / 2)
    return CS_REGION_STEEP;
  if (in_box (x, BOX_MARGIN))
    return CS_REGION_NOISY;
  if (h < HOLE_BORDER || fabs (x[0] - STEP_AT) < STEP_BORDER
      || box_distance (x, BOX_X0, BOX_X1, BOX_Y0, BOX_Y1) < BOX_BORDER)
    return CS_REGION_BORDER;
  return CS_REGION_SMOOTH;
}

double
calib_truth (CalibShape    shape,
             size_t        d,
             const double *x)
{
  double f = 0, ramp = (x[0] - (STEP_AT - STEP_W / 2)) / STEP_W;

  switch (shape)
    {
    case CALIB_SHAPE_CREST:
      {
        double u = x[1] - 0.5 - 0.15 * sin (2 * M_PI * x[0]);
        f = AMPLITUDE * exp (-u * u / (2 * 0.12 * 0.12));
      }
      break;
    case CALIB_SHAPE_PARABOLA:
      f = AMPLITUDE * 2 * ((x[0] - 0.5) * (x[0] - 0.5) + (x[1] - 0.45) * (x[1] - 0.45));
      break;
    case CALIB_SHAPE_RING:
    default:
      {
        double r = hypot (x[0] - 0.5, x[1] - 0.5) - 0.3;
        f = AMPLITUDE * exp (-r * r / (2 * 0.08 * 0.08));
      }
      break;
    }
  f += STEP_H * (ramp < 0 ? 0 : ramp > 1 ? 1 : ramp);
  if (d >= 4)
    f += 0.4 * x[3];
  return f;
}

double
calib_noise_sd (const double *x)
{
  if (in_box (x, 0))
    return BOX_NOISE;
  return 0.1 * (0.6 + 0.8 * x[1]);   /* varies smoothly, 0.06 to 0.14 */
}

/* Features 2 .. d-1 given x0 (x2 follows x0, the others are independent). */
static void
fill_rest (size_t  d,
           CsRng  *rng,
           double *x)
{
  for (size_t j = 2; j < d; j++)
    x[j] = j == 2 ? 0.85 * x[0] + 0.15 * cs_rng_uniform (rng) : cs_rng_uniform (rng);
}

CalibCases *
calib_cases_new (CalibShape shape,
                 size_t     d,
                 size_t     n,
                 uint64_t   seed)
{
  CalibCases *c;
  CsRng rng;

  if (n < 2 || d < 2 || d > CALIB_D_MAX || shape >= CALIB_SHAPE_N)
    return NULL;
  c = calloc (1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->shape = shape;
  c->d = d;
  c->n = n;
  c->x = malloc (n * d * sizeof *c->x);
  c->y = malloc (n * sizeof *c->y);
  c->region = malloc (n * sizeof *c->region);
  if (c->x == NULL || c->y == NULL || c->region == NULL)
    {
      calib_cases_free (c);
      return NULL;
    }
  cs_rng_seed (&rng, seed);
  for (size_t i = 0; i < n; i++)
    {
      double *xi = c->x + i * d;
      do
        {
          xi[0] = cs_rng_uniform (&rng);
          xi[1] = cs_rng_uniform (&rng);
        }
      while (hole_distance (xi) < HOLE_R);
      fill_rest (d, &rng, xi);
      c->y[i] = calib_truth (shape, d, xi) + calib_noise_sd (xi) * cs_rng_normal (&rng);
      c->region[i] = calib_region (shape, d, xi);
    }
  for (size_t j = 0; j < d; j++)
    {
      c->lo[j] = INFINITY;
      c->hi[j] = -INFINITY;
      for (size_t i = 0; i < n; i++)
        {
          c->lo[j] = fmin (c->lo[j], c->x[i * d + j]);
          c->hi[j] = fmax (c->hi[j], c->x[i * d + j]);
        }
    }
  return c;
}

void
calib_cases_free (CalibCases *c)
{
  if (c == NULL)
    return;
  free (c->x);
  free (c->y);
  free (c->region);
  free (c);
}

void
calib_draw_query (CalibShape  shape,
                  size_t      d,
                  CsRegion    region,
                  CsRng      *rng,
                  double     *x)
{
  /* Rejection within a bounding box of the core (the whole square for smooth). */
  double a0 = 0, a1 = 1, b0 = 0, b1 = 1;

  switch (region)
    {
    case CS_REGION_STEEP:
      a0 = STEP_AT - STEP_W / 2;
      a1 = STEP_AT + STEP_W / 2;
      break;
    case CS_REGION_NOISY:
      a0 = BOX_X0 + BOX_MARGIN;
      a1 = BOX_X1 - BOX_MARGIN;
      b0 = BOX_Y0 + BOX_MARGIN;
      b1 = BOX_Y1 - BOX_MARGIN;
      break;
    case CS_REGION_SPARSE:
      a0 = HOLE_CX - HOLE_CORE;
      a1 = HOLE_CX + HOLE_CORE;
      b0 = HOLE_CY - HOLE_CORE;
      b1 = HOLE_CY + HOLE_CORE;
      break;
    default:
      break;
    }
  do
    {
      x[0] = cs_rng_range (rng, a0, a1);
      x[1] = cs_rng_range (rng, b0, b1);
      fill_rest (d, rng, x);
    }
  while (calib_region (shape, d, x) != region);
}

size_t
calib_draw_out_of_range (const CalibCases *c,
                         CsRng            *rng,
                         double           *x)
{
  size_t j = (size_t) (cs_rng_uniform (rng) * (double) c->d);
  double span, frac;

  if (j >= c->d)
    j = c->d - 1;
  calib_draw_query (c->shape, c->d, CS_REGION_SMOOTH, rng, x);
  span = c->hi[j] - c->lo[j];
  frac = cs_rng_range (rng, 0.015, 0.30);
  x[j] = cs_rng_uniform (rng) < 0.5 ? c->lo[j] - frac * span : c->hi[j] + frac * span;
  return j;
}
