/* cs-rng.h: a small, fast, seedable random number generator (xoshiro256**).
 *
 * Pure C, header-only, reentrant: every user owns its state. The stream for a
 * given seed is fixed forever, which is what makes the sample case bases, the
 * pretraining runs and the calibration tests reproducible.
 */
#pragma once

#include <math.h>
#include <stdint.h>

typedef struct
{
  uint64_t s[4];
  int has_spare;
  double spare;
} CsRng;

static inline uint64_t
cs_rng_splitmix64 (uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline void
cs_rng_seed (CsRng   *rng,
             uint64_t seed)
{
  uint64_t x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = cs_rng_splitmix64 (&x);
  rng->has_spare = 0;
  rng->spare = 0;
}

static inline uint64_t
cs_rng_rotl (uint64_t x,
             int      k)
{
  return (x << k) | (x >> (64 - k));
}

static inline uint64_t
cs_rng_next (CsRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = cs_rng_rotl (s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = cs_rng_rotl (s[3], 45);
  return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double
cs_rng_uniform (CsRng *rng)
{
  return (double) (cs_rng_next (rng) >> 11) * 0x1.0p-53;
}

static inline double
cs_rng_range (CsRng *rng,
              double lo,
              double hi)
{
  return lo + (hi - lo) * cs_rng_uniform (rng);
}

/* Standard normal by the Marsaglia polar method. */
static inline double
cs_rng_normal (CsRng *rng)
{
  double u, v, s;

  if (rng->has_spare)
    {
      rng->has_spare = 0;
      return rng->spare;
    }
  do
    {
      u = 2.0 * cs_rng_uniform (rng) - 1.0;
      v = 2.0 * cs_rng_uniform (rng) - 1.0;
      s = u * u + v * v;
    }
  while (s >= 1.0 || s == 0.0);
  s = sqrt (-2.0 * log (s) / s);
  rng->spare = v * s;
  rng->has_spare = 1;
  return u * s;
}
