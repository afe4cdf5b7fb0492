/* calib-gen.h: held-out case-base generators with ground-truth regions, for the fail-safe calibration matrix.
 *
 * Not the samples' generators (model/cs-sample-gen.h): these vary the SHAPE of the case base. Features live in
 * [0, 1]^d. The two features that matter most are x0 and x1; the outcome is a curved function of them (a curved
 * crest, a parabola or a ring), plus a narrow step along x0 = CALIB_STEP_AT (the steep region), a box where the
 * noise is several times the usual (the noisy region), and a hole (an empty disc in x0, x1 with every other
 * feature filled across it: the sparse region). Elsewhere the noise varies smoothly with x1. With d >= 3, x2 is
 * strongly correlated with x0 (correlation near 0.98) and has no effect; with d >= 4, x3 has a mild linear
 * effect; x4 .. x(d-1) have none. Each generator knows the region of any point and draws queries in the core of
 * each region. Pure C, reentrant, the project's xoshiro generator (model/cs-rng.h).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cs-rng.h"
#include "cs-sample-gen.h"     /* CsRegion */

typedef enum
{
  CALIB_SHAPE_CREST,      /* a curved ridge: a Gaussian crest around a sine-shaped line in x0, x1 */
  CALIB_SHAPE_PARABOLA,   /* a bowl: quadratic in x0 and x1 */
  CALIB_SHAPE_RING,       /* a circular ring around the centre of x0, x1 */
  CALIB_SHAPE_N
} CalibShape;

#define CALIB_D_MAX 20

typedef struct
{
  CalibShape shape;
  size_t d;               /* 2 .. CALIB_D_MAX */
  size_t n;
  double *x;              /* n * d */
  double *y;              /* n observed outcomes */
  int *region;            /* n CsRegion */
  double lo[CALIB_D_MAX], hi[CALIB_D_MAX]; /* observed ranges */
} CalibCases;

const char *calib_shape_name    (CalibShape shape);
/* n cases (n >= 2, 2 <= d <= CALIB_D_MAX); NULL on bad arguments or no memory. */
CalibCases *calib_cases_new     (CalibShape shape,
                                 size_t     d,
                                 size_t     n,
                                 uint64_t   seed);
void        calib_cases_free    (CalibCases *c);

/* Ground truth at a point (d values). */
CsRegion    calib_region        (CalibShape    shape,
                                 size_t        d,
                                 const double *x);
double      calib_truth         (CalibShape    shape,
                                 size_t        d,
                                 const double *x);
double      calib_noise_sd      (const double *x);

/* A query in the core of a region (smooth, steep, noisy or sparse), its other features drawn as the cases'. */
void        calib_draw_query    (CalibShape  shape,
                                 size_t      d,
                                 CsRegion    region,
                                 CsRng      *rng,
                                 double     *x);
/* A smooth-core query with one feature (returned) pushed beyond the observed range of c by 1.5 % to 30 % of it. */
size_t      calib_draw_out_of_range (const CalibCases *c,
                                     CsRng            *rng,
                                     double           *x);
