/* cat-gen.h: the generated case bases of the category tests (one category column that shifts the outcome
 * or not), shared by test-categories.c and the grid-categories.c experiment. */
#pragma once

#include <math.h>

#include <glib.h>

#include "cs-rng.h"

/* A generated base: n cases, d standardised features, n_cat = 1 category column with L levels. */
typedef struct
{
  size_t n, d, L;
  double *x, *y;
  int *lv;
  double noise;
} Base;

static inline void
base_free (Base *b)
{
  g_free (b->x);
  g_free (b->y);
  g_free (b->lv);
}

/* Every feature counts equally (the scalar metric, the engine's default, is the right kind): with
 * u = sum_j x_j / sqrt (d), curved: y = sin (2 u) + u^2 / 4; linear: y = u. Noise sd 0.3. The category shifts
 * y by shift noise sd per level step (level k: shift k sd, centred; 0: no effect). unbalanced: level k drawn
 * with probability proportional to 0.35^k. */
static inline void
base_make (Base    *b,
           guint64  seed,
           size_t   n,
           size_t   d,
           gboolean curved,
           size_t   L,
           gboolean unbalanced,
           double   shift)
{
  CsRng rng;
  double p[16], tot = 0;

  cs_rng_seed (&rng, seed);
  b->n = n; b->d = d; b->L = L; b->noise = 0.3;
  b->x = g_new (double, n * d);
  b->y = g_new (double, n);
  b->lv = g_new (int, n);
  for (size_t k = 0; k < L; k++)
    tot += p[k] = unbalanced ? pow (0.35, (double) k) : 1.0;
  for (size_t i = 0; i < n; i++)
    {
      double *xi = b->x + i * d, u = cs_rng_uniform (&rng) * tot, acc = 0, f, s = 0;
      int lv = (int) L - 1;
      for (size_t j = 0; j < d; j++)
        s += (xi[j] = cs_rng_normal (&rng)) / sqrt ((double) d);
      for (size_t k = 0; k < L; k++)
        if (u < (acc += p[k]))
          {
            lv = (int) k;
            break;
          }
      f = curved ? sin (2 * s) + 0.25 * s * s : s;
      b->lv[i] = lv;
      b->y[i] = f + shift * b->noise * ((double) lv - 0.5 * (double) (L - 1)) + b->noise * cs_rng_normal (&rng);
    }
}
