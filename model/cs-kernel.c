/* cs-kernel.c: vectorised exp, max and fused softmax accumulation (the engine's inner loops). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cs-kernel.h"

/* Cloned for the ISA levels that matter; the dynamic loader picks one. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define CS_CLONES __attribute__ ((target_clones ("avx512f", "arch=haswell", "default")))
#else
#define CS_CLONES
#endif

typedef union { double d; int64_t i; } DBits;
typedef union { float f; int32_t i; } FBits;

/* exp for x <= 709: Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2 (k by floor,
 * not the magic-number trick, which reassociation would fold away), then a
 * degree-13 Taylor polynomial (truncation < 5e-18), scaled by 2^k through the
 * exponent bits. Ternaries (not fmin/fmax) so that the loops vectorise. */
static inline double
exp_d (double x)
{
  /* Written so that NaN lands on the clamp too: no out-of-range int conversion. */
  double xc = x > -708.39 ? (x < 709.0 ? x : 709.0) : -708.39;
  double kd = floor (xc * 1.4426950408889634 + 0.5);
  int32_t k = (int32_t) kd;
  DBits sb;
  double r, p;

  /* fma: reassociation (allowed in this file) must not merge hi and lo. */
  r = fma (-kd, 0.693147180369123816490, xc);   /* ln2 hi */
  r = fma (-kd, 1.90821492927058770002e-10, r); /* ln2 lo */
  p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  sb.i = (int64_t) (k + 1023) << 52;
  p = p * sb.d;
  return x < -708.39 ? 0.0 : p;
}

/* Float exp: reduction as above with a degree-6 polynomial (rel. err. ~2e-7). */
static inline float
exp_f (float x)
{
  float xc = x > -87.3f ? (x < 88.0f ? x : 88.0f) : -87.3f;
  float kf = floorf (xc * 1.44269504f + 0.5f);
  int32_t k = (int32_t) kf;
  FBits sb;
  float r, p;

  r = fmaf (-kf, 0.693145752f, xc);
  r = fmaf (-kf, 1.42860677e-6f, r);
  p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  sb.i = (k + 127) << 23;
  p = p * sb.f;
  return x < -87.3f ? 0.0f : p;
}

CS_CLONES void
cs_kernel_exp_d (const double *x, double *y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = exp_d (x[i]);
}

CS_CLONES void
cs_kernel_exp_f (const float *x, float *y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = exp_f (x[i]);
}

/* Max and min keep 8 lanes explicitly: a plain ternary reduction does not
 * vectorise without -ffinite-math-only, which this file avoids (-inf marks
 * excluded cases). */
#define LANE_REDUCE(NAME, T, INIT, OP)                                  \
  CS_CLONES T                                                           \
  NAME (const T *s, size_t c)                                           \
  {                                                                     \
    T l[8] = { INIT, INIT, INIT, INIT, INIT, INIT, INIT, INIT };        \
    T m = INIT;                                                         \
    size_t i = 0;                                                       \
    for (; i + 8 <= c; i += 8)                                          \
      for (int j = 0; j < 8; j++)                                       \
        l[j] = s[i + j] OP l[j] ? s[i + j] : l[j];                      \
    for (; i < c; i++)                                                  \
      m = s[i] OP m ? s[i] : m;                                         \
    for (int j = 0; j < 8; j++)                                         \
      m = l[j] OP m ? l[j] : m;                                         \
    return m;                                                           \
  }

LANE_REDUCE (cs_kernel_max_d, double, -INFINITY, >)
LANE_REDUCE (cs_kernel_max_f, float, -INFINITY, >)
LANE_REDUCE (cs_kernel_min_d, double, INFINITY, <)
LANE_REDUCE (cs_kernel_min_f, float, INFINITY, <)

/* Two simple loops (exp, then the five sums): each vectorises on its own.
 * e is scratch of c entries. */
CS_CLONES void
cs_kernel_softmax_d (const double *s, const double *d2, double d2_scale,
                     const double *y, size_t c, double m, double lambda,
                     CsKernelSums *acc, double *e)
{
  double z = 0, zy = 0, zyy = 0, zz = 0, zd = 0;

  for (size_t i = 0; i < c; i++)
    e[i] = exp_d (lambda * (s[i] - m));
  if (d2 != NULL)
    for (size_t i = 0; i < c; i++)
      {
        double ey = e[i] * y[i], q = d2[i] > 0 ? d2[i] : 0;
        q = q < 1e300 ? q : 1e300;
        z += e[i]; zy += ey; zyy += ey * y[i]; zz += e[i] * e[i];
        zd += e[i] * sqrt (q);
      }
  else
    for (size_t i = 0; i < c; i++)
      {
        double ey = e[i] * y[i], q = d2_scale * s[i];
        q = q > 0 ? q : 0;
        q = q < 1e300 ? q : 1e300;
        z += e[i]; zy += ey; zyy += ey * y[i]; zz += e[i] * e[i];
        zd += e[i] * sqrt (q);
      }
  acc->z += z; acc->zy += zy; acc->zyy += zyy; acc->zz += zz; acc->zd += zd;
}

CS_CLONES void
cs_kernel_softmax_f (const float *s, const float *d2, float d2_scale,
                     const float *y, size_t c, float m, float lambda,
                     CsKernelSums *acc, float *e)
{
  float z = 0, zy = 0, zyy = 0, zz = 0, zd = 0;

  for (size_t i = 0; i < c; i++)
    e[i] = exp_f (lambda * (s[i] - m));
  if (d2 != NULL)
    for (size_t i = 0; i < c; i++)
      {
        float ey = e[i] * y[i], q = d2[i] > 0 ? d2[i] : 0;
        q = q < 1e30f ? q : 1e30f;
        z += e[i]; zy += ey; zyy += ey * y[i]; zz += e[i] * e[i];
        zd += e[i] * sqrtf (q);
      }
  else
    for (size_t i = 0; i < c; i++)
      {
        float ey = e[i] * y[i], q = d2_scale * s[i];
        q = q > 0 ? q : 0;
        q = q < 1e30f ? q : 1e30f;
        z += e[i]; zy += ey; zyy += ey * y[i]; zz += e[i] * e[i];
        zd += e[i] * sqrtf (q);
      }
  acc->z += z; acc->zy += zy; acc->zyy += zyy; acc->zz += zz; acc->zd += zd;
}

CS_CLONES void
cs_kernel_fit_scalar (const double *u, const double *y, size_t c,
                      const double *w, size_t nw, double *sums)
{
  for (size_t k = 0; k < nw; k++)
    {
      double wk = w[k];
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0;
      for (size_t i = 0; i < c; i++)
        {
          /* u >= -1e300 keeps s finite for any sane w; e == 0 there anyway. */
          double s = wk * u[i], e, es, ess;
          s = s > -1e300 ? s : -1e300;
          e = exp_d (s);
          es = e * s;
          ess = es * s;
          a0 += e; a1 += e * y[i]; a2 += es; a3 += es * y[i]; a4 += ess; a5 += ess * y[i];
        }
      sums[6 * k + 0] += a0; sums[6 * k + 1] += a1; sums[6 * k + 2] += a2;
      sums[6 * k + 3] += a3; sums[6 * k + 4] += a4; sums[6 * k + 5] += a5;
    }
}

CS_CLONES void
cs_kernel_fit_scalar_f (const float *u, const float *y, size_t c,
                        const double *w, size_t nw, double *sums)
{
  for (size_t k = 0; k < nw; k++)
    {
      float wk = (float) w[k];
      float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0;
      for (size_t i = 0; i < c; i++)
        {
          float s = wk * u[i], e, es, ess;
          s = s > -1e30f ? s : -1e30f;
          e = exp_f (s);
          es = e * s;
          ess = es * s;
          a0 += e; a1 += e * y[i]; a2 += es; a3 += es * y[i]; a4 += ess; a5 += ess * y[i];
        }
      sums[6 * k + 0] += a0; sums[6 * k + 1] += a1; sums[6 * k + 2] += a2;
      sums[6 * k + 3] += a3; sums[6 * k + 4] += a4; sums[6 * k + 5] += a5;
    }
}
