/* cs-kernel.h: the vectorised inner loops of the engine (private to model/).
 *
 * Everything here lives in cs-kernel.c, the only file compiled with
 * reassociation and no-trapping-math (toolchain.md section 7) and cloned for
 * AVX-512 / AVX2 / baseline with target_clones. Arguments of the exp kernels
 * are <= 0 in every use (max-subtracted scores); -inf gives exactly 0.
 */
#pragma once

#include <stddef.h>

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

double cs_kernel_max_d      (const double *s, size_t c);   /* -inf for c == 0 */
float  cs_kernel_max_f      (const float  *s, size_t c);
double cs_kernel_min_d      (const double *s, size_t c);   /* +inf for c == 0 */
float  cs_kernel_min_f      (const float  *s, size_t c);

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
