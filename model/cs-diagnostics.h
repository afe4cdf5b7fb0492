/* cs-diagnostics.h: noise, local variation and window theory for the fail-safe panel (model.md section 5).
 *
 * Standard nonparametric estimators, named so the UI and docs can cite them:
 *  - global noise: nearest-neighbour difference estimator
 *      sigma^2 = 1/(2n) sum_i (y_i - y_nn(i))^2
 *  - local variation (local Lipschitz) at a point: norm of the slope of a
 *    weighted local linear fit, the weights being the context's attention
 *    weights at that point (slope in outcome units per standardised feature unit)
 *  - local noise: sqrt of the weighted residual variance of that fit
 *  - global Lipschitz: a high quantile (default 0.9) of the local Lipschitz
 *    estimates over the cases (leave-one-out)
 *  - theory window radius (sigma^2 / (L^2 n))^(1/(d+2))
 * Nearest neighbours use blocked GEMM distances: O(n d) per query, never n x n
 * in memory. Pure C11 + CBLAS; same status codes as cs-attention.h.
 */
#pragma once

#include "cs-attention.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For each of q queries (q * d), the nearest of the n cases x (n * d) in
 * Euclidean distance; self_index (optional, q entries) excludes one case per
 * query. nn[i] = CS_NO_CASE and dist[i] = +inf when no case is left. */
CsStatus cs_nearest_neighbours   (const double  *x,
                                  size_t         n,
                                  size_t         d,
                                  const double  *queries,
                                  size_t         q,
                                  const size_t  *self_index,
                                  size_t        *nn,
                                  double        *dist);

/* Nearest other case of every case (all-NN, self excluded). */
CsStatus cs_nearest_neighbours_self (const double *x,
                                     size_t        n,
                                     size_t        d,
                                     size_t       *nn,
                                     double       *dist);

/* Global noise sd by the nearest-neighbour difference estimator (n >= 2). */
CsStatus cs_noise_sd_nn          (const double *x,
                                  const double *y,
                                  size_t        n,
                                  size_t        d,
                                  double       *noise_sd);
/* The same estimator over max_queries evenly spaced cases (the fit's rule:
 * case floor ((k + 1/2) n / max_queries)), each paired with its nearest other
 * case in the whole base: O(max_queries n d) instead of O(n^2 d). max_queries
 * 0 or >= n: cs_noise_sd_nn. */
CsStatus cs_noise_sd_nn_sample   (const double *x,
                                  const double *y,
                                  size_t        n,
                                  size_t        d,
                                  size_t        max_queries,
                                  double       *noise_sd);

typedef struct
{
  double local_lipschitz;     /* |slope| of the weighted local linear fit */
  double local_noise_sd;      /* sqrt of its weighted residual variance (n_eff-corrected) */
  double n_eff;               /* 1 / sum w_i^2 of the attention weights */
  double prediction;          /* the attention prediction at the point */
  double local_sd;            /* sqrt (sum_i w_i (y_i - y_hat)^2): spread around y_hat */
} CsLocalDiagnostics;

/* Local diagnostics at q points (q * d) with the context's current metric.
 * self_index (optional) excludes one case per query (leave-one-out). */
CsStatus cs_diagnose_at          (const CsAttention  *ctx,
                                  const double       *queries,
                                  size_t              q,
                                  const size_t       *self_index,
                                  CsLocalDiagnostics *out,
                                  CsModelProgressFunc progress,
                                  void               *user_data);

typedef struct
{
  double noise_sd;            /* nearest-neighbour difference estimator */
  double lipschitz;           /* quantile of the per-case local Lipschitz estimates */
  double lipschitz_quantile;  /* the quantile used (0.9) */
  double theory_radius;       /* cs_theory_radius (noise_sd, lipschitz, n, d) */
  double window_radius;       /* the context metric's radius 1/sqrt(mean diagonal of M) */
} CsGlobalDiagnostics;

/* Global diagnostics of the context (n >= 2), and when per_case is not NULL
 * the leave-one-out local diagnostics of every case (n entries). */
CsStatus cs_diagnose_global      (const CsAttention   *ctx,
                                  CsGlobalDiagnostics *out,
                                  CsLocalDiagnostics  *per_case,
                                  CsModelProgressFunc  progress,
                                  void                *user_data);
/* The same over max_queries evenly spaced cases (case floor ((k + 1/2) n / m),
 * each leave-one-out against the whole base; 0 or >= n: every case), for bases
 * too large for O(n^2): the noise, the Lipschitz quantile and per_case (m
 * entries, optional) come from those cases; cases (m entries, optional)
 * receives their indices. theory_radius still uses the full n. */
CsStatus cs_diagnose_global_sample (const CsAttention   *ctx,
                                    size_t               max_queries,
                                    CsGlobalDiagnostics *out,
                                    CsLocalDiagnostics  *per_case,
                                    size_t              *cases,
                                    CsModelProgressFunc  progress,
                                    void                *user_data);

/* (sigma^2 / (L^2 n))^(1/(d+2)); +inf when L == 0, 0 when sigma == 0. */
double   cs_theory_radius        (double sigma,
                                  double lipschitz,
                                  size_t n,
                                  size_t d);

#ifdef __cplusplus
}
#endif
