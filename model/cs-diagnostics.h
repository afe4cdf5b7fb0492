/* cs-diagnostics.h: noise, local variation and window theory for the fail-safe panel (model.md section 5).
 *
 * Standard nonparametric estimators, named so the UI and docs can cite them:
 *  - global noise: nearest-neighbour difference estimator
 *      sigma^2 = 1/(2n) sum_i (y_i - y_nn(i))^2
 *  - local fit at a point (cs_local_fit): tangent-space local linear
 *    regression on the cases carrying the attention weight (see
 *    CsLocalDiagnostics); slope norm (local Lipschitz), residual sd with the
 *    exact weighted-smoother degrees of freedom, debiased trend spread, the
 *    nearest case under the metric and a trend-corrected difference
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

/* Local diagnostics of one query, from the cases that carry its weight (its
 * CsAttended set): a weighted local linear fit restricted to the directions in
 * which those cases spread (tangent-space local linear regression: weighted
 * PCA of the attended cases, directions whose weighted variance is at least
 * CS_LOCAL_SPREAD_FRACTION of the largest), its residual variance with the
 * exact degrees of freedom of a weighted linear smoother, and the spread of the
 * fitted trend across the attended cases debiased for noise. A measure that the
 * neighbourhood is too thin to estimate is NaN and `thin` says why. */
typedef enum
{
  CS_LOCAL_THIN_NONE = 0,
  CS_LOCAL_THIN_NO_WEIGHT,      /* no case carries weight (every case excluded) */
  CS_LOCAL_THIN_DF,             /* fewer than CS_LOCAL_MIN_DF residual degrees of freedom */
} CsLocalThin;

#define CS_LOCAL_SPREAD_FRACTION 0.1   /* keep directions with variance >= 0.1 x the largest */
#define CS_LOCAL_MIN_DF          2.0   /* residual degrees of freedom needed for a noise estimate */
#define CS_LOCAL_BANDWIDTH_FACTOR 1.25 /* the fit's kernel width against the prediction's: weights
                                        * w_i^(1 / 1.25^2) over the same attended set ... */
#define CS_LOCAL_PILOT_NEFF      12.0  /* ... widened until the fit's weights hold this many effective cases */
#define CS_LOCAL_QUAD_DIRS       3     /* quadratic terms in at most this many leading spread directions, */
#define CS_LOCAL_MAX_QUAD_P      64    /* ... when the linear and quadratic terms number at most this */
#define CS_LOCAL_PILOT_MAX_FACTOR 2.0  /* ... up to twice the prediction's width (the attended set's edge,
                                        * at 1e-6 of the weight, then carries 3 % of the largest) */

typedef struct
{
  double local_lipschitz;     /* |slope| of the local fit (outcome units per standardised unit) */
  double local_noise_sd;      /* sqrt (RSS_w / (1 - sum_i p_i^2 h_i)): residual sd, exact df; NaN when thin */
  double n_eff;               /* 1 / sum w_i^2 of the attention weights */
  double prediction;          /* the attention prediction at the point */
  double local_sd;            /* sqrt (sum_i w_i (y_i - y_hat)^2): spread around y_hat */
  double local_variation;     /* sd of the fitted trend over the attended cases, debiased for
                               * noise (outcome units); NaN when thin */
  double metric_distance;     /* nearest case under the metric: sqrt ((x_i - x)^T M (x_i - x)) */
  size_t metric_nearest;      /* that case (CS_NO_CASE when none) */
  double pseudo_residual;     /* leave-one-out queries: y_self - y_nearest - slope . (x_self - x_nearest),
                               * a trend-corrected difference (NaN otherwise) */
  double df_resid;            /* residual degrees of freedom (1 - sum p_i^2 h_i) / sum p_i^2 */
  size_t n_directions;        /* spread directions the fit kept */
  size_t n_attended;          /* cases in the attended set */
  CsLocalThin thin;           /* why a measure is NaN */
} CsLocalDiagnostics;

/* The local fit over one query's attended set (standardised query, d values).
 * y_query: the query's own outcome when it is a case left out (for
 * pseudo_residual), NaN otherwise. Reads only the a->m attended cases:
 * O(m d^2 + d^3). prediction, n_eff and local_sd are left for the caller (the
 * prediction pass has them). */
CsStatus cs_local_fit            (const CsAttention  *ctx,
                                  const double       *query,
                                  const CsAttended   *a,
                                  double              y_query,
                                  CsLocalDiagnostics *out);

/* The local fits of q queries (standardised, q * d) from the prediction pass
 * that predicted them (cs_attention_predict with options.attended): pred and
 * att have q entries; prediction, n_eff and local_sd are copied from pred.
 * self_index as given to that pass (q entries or NULL). The fits run on up to
 * n_threads threads, one query each, with the same result for any count. No
 * second score pass: this is how the engine answers queries. */
CsStatus cs_local_fit_batch      (const CsAttention  *ctx,
                                  const double       *queries,
                                  size_t              q,
                                  const size_t       *self_index,
                                  const CsPrediction *pred,
                                  const CsAttended   *att,
                                  int                 n_threads,
                                  CsLocalDiagnostics *out);

/* Local diagnostics at q points (q * d) with the context's current metric:
 * cs_attention_predict (default epsilon, with its attended sets) and
 * cs_local_fit_batch, a block of queries at a time.
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
