/* cs-kernel.c: vectorised exp, max and fused softmax accumulation (the engine's inner loops). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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

/* Sets bit l of mask[g] for each s[64 g + l] > t: the compares as bytes (they vectorise), packed eight at a
 * time by one multiply (byte i of x, 0 or 1, lands on bit 56 + i of x * 0x0102040810204080). */
#define MARK_ABOVE(NAME, T)                                                     \
  CS_CLONES void                                                                \
  NAME (const T *s, size_t c, T t, uint64_t *mask)                              \
  {                                                                             \
    for (size_t g0 = 0; g0 < c; g0 += 64)                                       \
      {                                                                         \
        unsigned char b[64];                                                    \
        uint64_t bits = 0;                                                      \
        if (c - g0 >= 64)                                                       \
          for (size_t l = 0; l < 64; l++)                                       \
            b[l] = s[g0 + l] > t;                                               \
        else                                                                    \
          for (size_t l = 0; l < 64; l++)                                       \
            b[l] = g0 + l < c && s[g0 + l] > t;                                 \
        for (int w = 0; w < 8; w++)                                             \
          {                                                                     \
            uint64_t x;                                                         \
            memcpy (&x, b + 8 * w, sizeof x);                                   \
            bits |= ((x * 0x0102040810204080ULL) >> 56) << (8 * w);             \
          }                                                                     \
        mask[g0 / 64] |= bits;                                                  \
      }                                                                         \
  }

MARK_ABOVE (cs_kernel_mark_above_d, double)
MARK_ABOVE (cs_kernel_mark_above_f, float)

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

/* ---- Explicitly dispatched kernels (cs-kernel-isa.h, one copy per level) ---- */

/* One row of the fused prediction, before its sums: exclude the skip case
 * (and take the maximum again if needed), move the row's sums to the new
 * maximum. The same arithmetic as cs_kernel_max_f and the caller's rescale.
 * Returns whether the tile contributes (its best case does not underflow). */
static inline __attribute__ ((always_inline)) int
row_begin (float        *s,
           size_t        c,
           size_t        sk,
           float        *tile_max,
           double        lambda,
           double       *m,
           CsKernelSums *acc)
{
  double mc;

  if (sk < c)
    {
      /* the excluded case may have been the maximum the scoring kept: take it again */
      float l[16], mcf = -INFINITY;
      size_t i = 0;
      s[sk] = -INFINITY;
      /* 16 explicit lanes, as LANE_REDUCE: no -ffinite-math-only here */
      for (int j = 0; j < 16; j++)
        l[j] = -INFINITY;
      for (; i + 16 <= c; i += 16)
        for (int j = 0; j < 16; j++)
          l[j] = s[i + j] > l[j] ? s[i + j] : l[j];
      for (; i < c; i++)
        mcf = s[i] > mcf ? s[i] : mcf;
      for (int j = 0; j < 16; j++)
        mcf = l[j] > mcf ? l[j] : mcf;
      *tile_max = mcf;
    }
  mc = *tile_max;
  if (mc == -INFINITY)
    return 0;
  if (mc > *m)
    {
      double a = exp (lambda * (*m - mc));
      acc->z *= a; acc->zy *= a; acc->zyy *= a; acc->zd *= a; acc->zz *= a * a;
      *m = mc;
    }
  /* A tile whose best case is below exp's underflow contributes exact zeros. */
  return lambda * (mc - *m) >= -104.0;
}

/* An empty asm that the optimiser must assume changes v: keeps reassociation
 * (allowed in this file) from rewriting exact steps into rounded ones. In a
 * vector register on x86; through memory elsewhere (any target's constraint). */
#if defined(__x86_64__) || defined(__i386__)
#define ISA_BARRIER(v) __asm__ ("" : "+x" (v))
#else
#define ISA_BARRIER(v) __asm__ ("" : "+m" (v))
#endif

/* Transposed keys of a tile (rows padded by 16 floats) and its y^2 up to this
 * many floats live on the stack (72 KiB: 512 cases up to d = 30); larger
 * tiles take them from the heap. */
#define KT_STACK 18432

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CS_ISA_X86 1
#include <immintrin.h>
#define ISA_SUF avx512
#define ISA_ATTR __attribute__ ((target ("avx512f,avx512vl,avx512dq,avx2,fma,prefer-vector-width=512")))
#define ISA_W 16
/* maskz forms: the plain ones trip a GCC 12 false "uninitialised" warning */
#define ISA_MAXPS(a, b) _mm512_maskz_max_ps ((__mmask16) 0xffff, (__m512) (a), (__m512) (b))
#define ISA_MINPS(a, b) _mm512_maskz_min_ps ((__mmask16) 0xffff, (__m512) (a), (__m512) (b))
#define ISA_ANYGT(a, t) (_mm512_cmp_ps_mask ((__m512) (a), (__m512) (t), _CMP_GT_OQ) != 0)
#define ISA_RSQRT(v) _mm512_maskz_rsqrt14_ps ((__mmask16) 0xffff, (__m512) (v))
#define ISA_SCALEF(a, b) _mm512_maskz_scalef_ps ((__mmask16) 0xffff, (__m512) (a), (__m512) (b))
/* imm 0x09: keep no fraction bits, round down, no precision exception: u - floor (u) */
#define ISA_REDUCE_FLOOR(v) _mm512_maskz_reduce_ps ((__mmask16) 0xffff, (__m512) (v), 0x09)
#include "cs-kernel-isa.h"
#undef ISA_SUF
#undef ISA_ATTR
#undef ISA_W
#undef ISA_RSQRT
#undef ISA_MAXPS
#undef ISA_MINPS
#undef ISA_ANYGT
#undef ISA_REDUCE_FLOOR
#undef ISA_SCALEF
#define ISA_SUF avx2
#define ISA_ATTR __attribute__ ((target ("avx2,fma")))
#define ISA_W 8
#define ISA_MAXPS(a, b) _mm256_max_ps ((__m256) (a), (__m256) (b))
#define ISA_MINPS(a, b) _mm256_min_ps ((__m256) (a), (__m256) (b))
#define ISA_ANYGT(a, t) (_mm256_movemask_ps (_mm256_cmp_ps ((__m256) (a), (__m256) (t), _CMP_GT_OQ)) != 0)
#define ISA_RSQRT(v) _mm256_rsqrt_ps ((__m256) (v))
#include "cs-kernel-isa.h"
#undef ISA_SUF
#undef ISA_ATTR
#undef ISA_W
#undef ISA_RSQRT
#undef ISA_MAXPS
#undef ISA_MINPS
#undef ISA_ANYGT
#endif

/* Baseline: SSE2 on x86-64, whatever the compiler targets elsewhere. */
#define ISA_SUF base
#define ISA_ATTR
#define ISA_W 4
#ifdef CS_ISA_X86
#define ISA_MAXPS(a, b) _mm_max_ps ((__m128) (a), (__m128) (b))
#define ISA_MINPS(a, b) _mm_min_ps ((__m128) (a), (__m128) (b))
#define ISA_ANYGT(a, t) (_mm_movemask_ps (_mm_cmpgt_ps ((__m128) (a), (__m128) (t))) != 0)
#define ISA_RSQRT(v) _mm_rsqrt_ps ((__m128) (v))
#endif
#include "cs-kernel-isa.h"
#undef ISA_SUF
#undef ISA_ATTR
#undef ISA_W

static int isa_forced = -1;   /* atomic: read by prediction threads */

CsKernelIsa
cs_kernel_isa_best (void)
{
#ifdef CS_ISA_X86
  /* libgcc checks that the OS saves the wider registers (XCR0), not only CPUID */
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx512f"))
    return CS_KERNEL_ISA_AVX512;
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    return CS_KERNEL_ISA_AVX2;
#endif
  return CS_KERNEL_ISA_BASELINE;
}

CsKernelIsa
cs_kernel_isa (void)
{
  int f = __atomic_load_n (&isa_forced, __ATOMIC_RELAXED);
  return f >= 0 ? (CsKernelIsa) f : cs_kernel_isa_best ();
}

const char *
cs_kernel_isa_name (CsKernelIsa isa)
{
  switch (isa)
    {
    case CS_KERNEL_ISA_AVX512: return "avx512";
    case CS_KERNEL_ISA_AVX2: return "avx2";
    case CS_KERNEL_ISA_BASELINE: default: return "baseline";
    }
}

int
cs_kernel_isa_force (int isa)
{
  if (isa > (int) cs_kernel_isa_best () || isa < -1)
    return 0;
  __atomic_store_n (&isa_forced, isa, __ATOMIC_RELAXED);
  return 1;
}

void
cs_kernel_exp_fused_f (const float *x, float *y, size_t n)
{
  size_t nv;
#ifdef CS_ISA_X86
  unsigned int csr = _mm_getcsr ();
  _mm_setcsr (csr | 0x8040);   /* as in cs_kernel_predict_f: its exp runs with FTZ and DAZ */
#endif
  switch (cs_kernel_isa ())
    {
#ifdef CS_ISA_X86
    case CS_KERNEL_ISA_AVX512: nv = n / 16 * 16; exp_block_avx512 (x, y, nv); break;
    case CS_KERNEL_ISA_AVX2: nv = n / 8 * 8; exp_block_avx2 (x, y, nv); break;
#endif
    default: nv = n / 4 * 4; exp_block_base (x, y, nv); break;
    }
  for (size_t i = nv; i < n; i++)
    y[i] = x[i] * 1.442695041f > -126.0f ? exp2f (x[i] * 1.442695041f) : 0.0f;
#ifdef CS_ISA_X86
  _mm_setcsr (csr);
#endif
}

double
cs_kernel_fma_lanes_f (size_t iters, float *sink)
{
  switch (cs_kernel_isa ())
    {
#ifdef CS_ISA_X86
    case CS_KERNEL_ISA_AVX512: return fma_lanes_avx512 (iters, sink);
    case CS_KERNEL_ISA_AVX2: return fma_lanes_avx2 (iters, sink);
#endif
    default: return fma_lanes_base (iters, sink);
    }
}

void
cs_kernel_predict_f (const float *Q, size_t nq, size_t ra,
                     const float *K, const float *y, size_t c,
                     const size_t *skip, float d2_scale, double lambda,
                     double *m, CsKernelSums *acc, size_t stride,
                     float *S, float *tile_max,
                     const float *thr, uint64_t *above)
{
#ifdef CS_ISA_X86
  /* Flush denormals to zero (FTZ, DAZ) in this thread while the kernel runs: with a narrow window most e_i
   * are tiny, their squares and products with y fall below FLT_MIN, and every denormal costs a microcode
   * assist (measured: the kernel 2.5x slower at lambda = 10, d = 20). What is flushed is below 1.2e-38 of
   * the row's largest term (e = 1). */
  unsigned int csr = _mm_getcsr ();
  _mm_setcsr (csr | 0x8040);
#endif
  switch (cs_kernel_isa ())
    {
#ifdef CS_ISA_X86
    case CS_KERNEL_ISA_AVX512:
      predict_avx512 (Q, nq, ra, K, y, c, skip, d2_scale, lambda, m, acc, stride, S, tile_max, thr, above);
      break;
    case CS_KERNEL_ISA_AVX2:
      predict_avx2 (Q, nq, ra, K, y, c, skip, d2_scale, lambda, m, acc, stride, S, tile_max, thr, above);
      break;
#endif
    default:
      predict_base (Q, nq, ra, K, y, c, skip, d2_scale, lambda, m, acc, stride, S, tile_max, thr, above);
    }
#ifdef CS_ISA_X86
  _mm_setcsr (csr);
#endif
}

static int fused_mode = -1;   /* atomic */

/* Measured (cs_attention_predict, float, top 10, one thread, 5 * 10^4 cases, d = 2 to 20, 1 to 256 queries;
 * Xeon with AVX-512, OpenBLAS SkylakeX): with AVX-512 or AVX2 the fused kernel is 1.06x to 2.6x the sgemm path
 * from 4 queries on, and 0.8x to 1.4x for 1 query (each tile's keys are transposed once per block of
 * queries: with one query that costs as much as its scores). The baseline (SSE2) kernel was 0.57x to 0.9x of
 * the sgemm path (whose BLAS was still the machine's AVX-512 one), so SSE2-only CPUs keep sgemm. */
int
cs_kernel_fused_pays (size_t ra,
                      size_t nq)
{
  int f = __atomic_load_n (&fused_mode, __ATOMIC_RELAXED);
  if (f >= 0)
    return f;
  (void) ra;   /* no d where sgemm won from 4 queries on; kept so that a rule in d needs no new call */
  return nq >= 4 && cs_kernel_isa () >= CS_KERNEL_ISA_AVX2;
}

int
cs_kernel_fused_set (int mode)
{
  return __atomic_exchange_n (&fused_mode, mode < 0 ? -1 : mode > 0, __ATOMIC_RELAXED);
}
