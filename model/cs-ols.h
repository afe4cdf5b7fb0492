/* cs-ols.h: the linear baseline: ordinary least squares with an intercept and its exact leave-one-out error.
 *
 * The case base's linear baseline is y ~ b0 + x^T b, fitted by least squares, and its leave-one-out error
 * comes from the hat values: the residual of case i in a refit without case i is e_i / (1 - h_ii), exactly,
 * so no refit is needed. (Linear attention's M fitted on a leave-one-out loss is no baseline: M can make
 * the term that removes case i hand y_i back, and its "leave-one-out" error falls below the noise.)
 *
 * The fit is a streamed QR (blocks of rows stacked under the running triangle, LAPACK dgeqrf), so it never
 * squares the condition number and holds O(block * d) memory; the triangle's SVD (dgesvd) decides the rank
 * the way numpy's lstsq does (singular values below eps * max (n, d + 1) of the largest are dropped) and
 * gives the minimum-norm solution, so collinear and constant features are handled. Columns are centred and
 * scaled to unit RMS first (least squares with an intercept does not change under that; the rank decision
 * then does not depend on the features' units). Cost O(n d^2) in three passes over x.
 *
 * Pure C11 + CBLAS/LAPACK, no GLib. */
#pragma once

#include <stddef.h>

#include "cs-attention.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A case whose 1 - h_ii is at most this has no leave-one-out prediction: without it the model loses a
 * direction only that case supports (always so when n <= rank), and e_i / (1 - h_ii) is rounding noise
 * over rounding noise. Such cases are left out of loo_mse and counted. */
#define CS_OLS_LEVERAGE_TOL 1e-9

typedef struct
{
  double loo_mse;        /* mean of (e_i / (1 - h_ii))^2 over the identified cases; NaN when there are none */
  double train_mse;      /* mean of e_i^2 over all cases (in-sample) */
  size_t rank;           /* columns the fit used, the intercept included (<= d + 1) */
  size_t n_identified;   /* cases with 1 - h_ii > CS_OLS_LEVERAGE_TOL (the cases of loo_mse) */
} CsOlsReport;

/* x: n * d row-major features, y: n targets (both finite, or CS_ERR_NOT_FINITE). n >= 1 (CS_ERR_INVALID
 * otherwise); d may be 0 (the intercept alone: the leave-one-out error of the mean). loo_residual (n, or
 * NULL) receives y_i minus the prediction of the fit without case i, NaN for the cases not identified.
 * *report is written on CS_OK only. */
CsStatus cs_ols_loo (const double *x,
                     const double *y,
                     size_t        n,
                     size_t        d,
                     double       *loo_residual,
                     CsOlsReport  *report);

#ifdef __cplusplus
}
#endif
