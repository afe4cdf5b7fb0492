/* cs-kernel.h: the vectorised inner loops of the engine (private to model/).
 *
 * Everything here lives in cs-kernel.c, the only file compiled with
 * reassociation and no-trapping-math (toolchain.md section 7) and cloned for
 * AVX-512 / AVX2 / baseline with target_clones. Arguments of the exp kernels
 * are <= 0 in every use (max-subtracted scores); -inf gives exactly 0.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  double z;    /* sum e_i */
  double zy;   /* sum e_i y_i */
  double zyy;  /* sum e_i y_i^2 */
  double zz;   /* sum e_i^2 */
  double zd;   /* sum e_i sqrt (d2_i) */
} CsKernelSums;

/* y[i] = exp (x[i]): double to ~2 ulp for x in [-708, 709] (0 below -708.39);
 * float to ~2.5e-7 relative for x in [-87, 88] (0 below -87.3). */
void   cs_kernel_exp_d      (const double *x, double *y, size_t n);
void   cs_kernel_exp_f      (const float  *x, float  *y, size_t n);
/* y[i] = exp (x[i]) for x <= 0 by the fused kernel's own base-2 exp (cs_kernel_predict_f), at the level in use:
 * float to ~2.5e-7 relative, 0 below about -87.3 (FTZ). For the roofline's exp rate (cs-engine-bench.c). */
void   cs_kernel_exp_fused_f (const float *x, float *y, size_t n);

double cs_kernel_max_d      (const double *s, size_t c);   /* -inf for c == 0 */
float  cs_kernel_max_f      (const float  *s, size_t c);
double cs_kernel_min_d      (const double *s, size_t c);   /* +inf for c == 0 */
float  cs_kernel_min_f      (const float  *s, size_t c);

/* Or-s into mask[g] bit l for each s[64 g + l] > t (l < 64, 64 g + l < c); NaN and -inf never. */
void   cs_kernel_mark_above_d (const double *s, size_t c, double t, uint64_t *mask);
void   cs_kernel_mark_above_f (const float  *s, size_t c, float  t, uint64_t *mask);

/* With e_i = exp (lambda (s_i - m)) (s_i <= m; lambda > 0 finite), adds to acc: z, zy, zyy, zz and zd, where the
 * squared distance of case i is d2[i] or, when d2 == NULL, d2_scale * s_i
 * (clamped to [0, 1e300]). e (scratch, c entries) receives e_i. */
void   cs_kernel_softmax_d  (const double *s, const double *d2, double d2_scale,
                             const double *y, size_t c, double m, double lambda,
                             CsKernelSums *acc, double *e);
void   cs_kernel_softmax_f  (const float *s, const float *d2, float d2_scale,
                             const float *y, size_t c, float m, float lambda,
                             CsKernelSums *acc, float *e);

/* Scalar LOO fit sums over one row chunk, for nw scales at once: with
 * u_i = g_i - gmax (<= 0) and s_i = w u_i, e_i = exp (s_i), adds for each w
 * (sums + 6 k): sum e, sum e y, sum e s, sum e s y, sum e s^2, sum e s^2 y. */
void   cs_kernel_fit_scalar (const double *u, const double *y, size_t c,
                             const double *w, size_t nw, double *sums);
/* The same in single precision (the coarse grid of the scalar fit: it only
 * chooses where Newton starts). u >= -1e30 after scaling, or -inf. */
void   cs_kernel_fit_scalar_f (const float *u, const float *y, size_t c,
                               const double *w, size_t nw, double *sums);

/* ---- Explicit ISA levels: the fused prediction kernel and the machine's FMA rate ----
 *
 * target_clones picks one clone per process and cannot be overridden; these
 * kernels dispatch through cs_kernel_isa () instead, so that tests can force
 * each level the CPU supports in turn. */
typedef enum
{
  CS_KERNEL_ISA_BASELINE = 0,   /* x86-64 SSE2 (or plain C elsewhere) */
  CS_KERNEL_ISA_AVX2 = 1,       /* AVX2 + FMA */
  CS_KERNEL_ISA_AVX512 = 2,     /* AVX-512F */
} CsKernelIsa;

CsKernelIsa cs_kernel_isa_best  (void);   /* the widest level this CPU (and OS) supports */
CsKernelIsa cs_kernel_isa       (void);   /* the level in use: the best, unless forced */
const char *cs_kernel_isa_name  (CsKernelIsa isa);
/* Internal, for tests: use isa (<= cs_kernel_isa_best ()) until called with
 * -1 (back to the best). Returns 0, changing nothing, for a level the CPU
 * lacks. Process-wide: call it with no prediction running. */
int         cs_kernel_isa_force (int isa);

/* The machine's float FMA rate: a register-resident loop of independent FMA
 * chains (enough to cover latency on both FMA ports) at the level in use,
 * iters iterations. Returns the FMA lanes executed; *sink receives a value
 * that depends on every lane, so the loop cannot be dropped. Without FMA
 * (baseline) a lane is a multiply and an add. */
double cs_kernel_fma_lanes_f (size_t iters, float *sink);

/* Fused float prediction over one tile of c cases for nq queries: scores,
 * row maximum, exp and the softmax sums in one sweep, the scores of a few
 * queries at a time staying in L1.
 *   Q: nq x ra query rows, K: c x ra key rows (score_ij = Q_i . K_j), y: c
 *   outcomes (centred), skip[i]: a case index within the tile to exclude
 *   (score -inf), or >= c for none (skip may be NULL).
 *   S (nq x c, row stride c) receives the scores (-inf at skip), for the
 *   caller's nearest case and top-k; tile_max[i] (nq) the maximum of row
 *   i of S (-inf when every case is excluded), as cs_kernel_max_f gives it.
 *   Row i's state is at (char *) m + i * stride (a double, the running
 *   maximum, -inf at first) and (char *) acc + i * stride (CsKernelSums
 *   relative to that maximum). Exactly what cs_kernel_max_f, a rescale to a
 *   new maximum (z, zy, zyy, zd by exp (lambda (m_old - m_new)), zz by its
 *   square) and cs_kernel_softmax_f (d2 = d2_scale * s; skipped when the
 *   tile's best case underflows: lambda (mc - m) < -104) do on S, in float;
 *   lambda > 0 finite. Its exp works in base 2 (e_i = 2^(s_i l2 - m l2),
 *   l2 = lambda log2 e, one FMA) with its own polynomial, as accurate as
 *   cs_kernel_exp_f (2.5e-7 relative to 2^u; test-kernel checks it alone).
 *   thr (nq, or NULL for none) and above (nq): bit b of above[i] is set when
 *   cases [64 b, 64 b + 64) of the tile (bit 63: from 64 * 63 to c) hold a
 *   score > thr[i], taken before the skip case is excluded; a clear bit
 *   means every score of those cases is <= thr[i] (-inf sets the bit of
 *   every block with a finite score). The caller's top-k and nearest scans
 *   look only at the blocks above their threshold, so nothing reads S
 *   again where no case can enter. */
#define CS_KERNEL_ABOVE_BLOCK 64
void cs_kernel_predict_f (const float *Q, size_t nq, size_t ra,
                          const float *K, const float *y, size_t c,
                          const size_t *skip, float d2_scale, double lambda,
                          double *m, CsKernelSums *acc, size_t stride,
                          float *S, float *tile_max,
                          const float *thr, uint64_t *above);

/* Whether cs_attention_predict's float path uses cs_kernel_predict_f for key
 * rows of ra floats and nq queries (else sgemm + cs_kernel_softmax_f), as
 * measured at the level in use (see cs-kernel.c). cs_kernel_fused_set:
 * internal, for tests and the bench: 1 always, 0 never, -1 back to the
 * measured rule; returns the previous mode. */
int cs_kernel_fused_pays (size_t ra, size_t nq);
int cs_kernel_fused_set  (int mode);
