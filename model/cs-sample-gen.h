/* cs-sample-gen.h: seeded generators for the sample case bases, with ground truth.
 *
 * The generators are part of the product: the embedded samples under
 * data/samples/ are their output for fixed seeds (casescope-cli generate), and
 * the fail-safe calibration draws fresh case bases from them with other seeds
 * and sizes. Each generator knows, for any point, which region it lies in and
 * the noise-free outcome there, so flags can be scored against the truth.
 * Pure C, no allocation outside cs_sample_new/cs_sample_free, reentrant.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "cs-rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  CS_SAMPLE_PRESS_LINE,   /* 4 features, regions smooth / steep / noisy / sparse */
  CS_SAMPLE_KILN,         /* 2 features, drawable as a plane */
  CS_SAMPLE_CIRCLE,       /* the paper's setting: inputs on the unit circle, relu task */
  CS_SAMPLE_N_KINDS
} CsSampleKind;

typedef enum
{
  CS_REGION_SMOOTH,       /* core of the smooth region */
  CS_REGION_STEEP,        /* core of a steep change (high local Lipschitz constant) */
  CS_REGION_NOISY,        /* core of a high label-noise region */
  CS_REGION_SPARSE,       /* core of a region with no cases */
  CS_REGION_BORDER,       /* between cores: ambiguous, left out of calibration */
  CS_REGION_N
} CsRegion;

typedef struct
{
  CsSampleKind kind;
  size_t n;               /* cases */
  size_t d;               /* features */
  double *x;              /* n * d row-major, original units */
  double *y;              /* n observed outcomes */
  double *f;              /* n noise-free outcomes */
  int *region;            /* n CsRegion of each case */
  const char *name;       /* "press-line" */
  const char *id_name;    /* label column name, or NULL */
  const char *id_prefix;  /* ids are id_prefix + 5-digit serial */
  const char *const *feature_names;
  const char *const *feature_units;
  const char *const *feature_formats; /* printf format of each feature in the CSV */
  const char *target_name;
  const char *target_unit;
  const char *target_format;
  uint64_t seed;
} CsSample;

/* Default size and seed of the committed sample of each kind. */
size_t      cs_sample_default_n    (CsSampleKind kind);
uint64_t    cs_sample_default_seed (CsSampleKind kind);
const char *cs_sample_kind_name    (CsSampleKind kind);
int         cs_sample_kind_from_name (const char *name);   /* -1 when unknown */

/* Generate n cases. Returns NULL on allocation failure or n == 0. */
CsSample   *cs_sample_new          (CsSampleKind kind,
                                    uint64_t     seed,
                                    size_t       n);
void        cs_sample_free         (CsSample    *sample);

/* Ground truth at any point x (d values in original units). */
CsRegion    cs_sample_region       (CsSampleKind kind,
                                    const double *x);
double      cs_sample_truth        (CsSampleKind kind,
                                    const double *x);
double      cs_sample_noise_sd     (CsSampleKind kind,
                                    const double *x);
size_t      cs_sample_dim          (CsSampleKind kind);

/* Draw a query point inside the core of a region (rejection sampling within the
 * feature ranges). Returns 0 on success, -1 when the kind has no such region. */
int         cs_sample_draw_query   (CsSampleKind kind,
                                    CsRegion     region,
                                    CsRng       *rng,
                                    double      *x);

const char *cs_region_name         (CsRegion     region);

#ifdef __cplusplus
}
#endif
