/* cs-window-pref.h: the window the data asks for, per case (local leave-one-out over a ladder of scales).
 *
 * For each of m chosen cases (rows), the width of window that local leave-one-out prefers, as a ratio to the
 * context's fitted window:
 *   1. every chosen case's leave-one-out prediction f_i(r), its n_eff_i(r) and squared error e_i^2(r) against all
 *      n - 1 other cases, on a ladder of width ratios r = 2^(k/2), k = -K..K, where width r means the metric M
 *      scaled by 1/r^2 (A by 1/r);
 *   2. each case's errors smoothed over its neighbours among the m chosen cases with the context's own (fitted)
 *      kernel, the case itself left out: E_i(r) = sum_{j != i} w_ij e_j^2(r), w_ij the softmax weights of the
 *      fitted metric (a Nadaraya-Watson smooth of e^2, run through the same prediction pass);
 *   3. (the default rule) Lepski's intersection of confidence intervals: from the narrowest width up, the widest
 *      r at which the intervals f_i(r') +- gamma sigma_i / sqrt (n_eff_i (r')), r' <= r, still share a point,
 *      sigma_i^2 = min_r E_i(r) / (1 + 1 / n_eff_i(r)) (the local noise variance, an upper bound); the crossing
 *      interpolated in log r. The older rule: the minimum of E_i over the ladder, refined by a parabola in log r
 *      through it and its two neighbours (model/WINDOW.md compares them on fresh bases).
 * ratio_i > 1: the data around case i asks for a wider window than the fitted one (noise dominates); < 1: a
 * narrower one (the outcome changes quickly there). At the ends of the ladder the ratio is 2^(+-K/2).
 *
 * Cost: 2K + 1 streamed leave-one-out passes of m queries over n cases, and 2K + 1 passes of m over m. Pure C11 +
 * CBLAS through cs-attention; memory O((2K + 1) m + n d) besides the context. */
#pragma once

#include "cs-attention.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CS_WINDOW_PREF_STEPS 8   /* K: the ladder runs over width ratios 2^(-4) .. 2^4 in steps of sqrt 2 */
#define CS_WINDOW_PREF_SMOOTH_WIDTH 1.0   /* step 2 smooths with the fitted kernel itself (see model/WINDOW.md) */
#define CS_WINDOW_PREF_GAMMA 0.95         /* the intersection rule's interval half-width in standard errors,
                                           * chosen on development bases (model/WINDOW.md) */

/* How step 3 turns a case's numbers into its preferred width (model/WINDOW.md compares them). */
typedef enum
{
  CS_WINDOW_PREF_RULE_DEFAULT = 0,  /* CS_WINDOW_PREF_RULE_INTERSECT */
  CS_WINDOW_PREF_RULE_SMOOTHED,     /* the minimum of the smoothed error curve E_i(r), refined by a parabola */
  CS_WINDOW_PREF_RULE_INTERSECT,    /* Lepski's intersection of confidence intervals: the widest r whose
                                     * leave-one-out predictions at r and every narrower width all lie within
                                     * gamma standard errors of one value; the standard error at r is
                                     * sigma_i / sqrt (n_eff_i (r)), sigma_i^2 the minimum of E_i over its
                                     * own variance term (1 + 1 / n_eff_i) */
} CsWindowPrefRule;

typedef struct
{
  int steps;                     /* K (0: CS_WINDOW_PREF_STEPS); 2K + 1 scales */
  double smooth_width;           /* width of the smoothing kernel of step 2 over the fitted width (0: the default
                                  * CS_WINDOW_PREF_SMOOTH_WIDTH) */
  CsWindowPrefRule rule;         /* step 3's rule (0: CS_WINDOW_PREF_RULE_DEFAULT) */
  double gamma;                  /* CS_WINDOW_PREF_RULE_INTERSECT's half-width in standard errors (0: the
                                  * default CS_WINDOW_PREF_GAMMA) */
  int n_threads;                 /* worker threads of the prediction passes (0 or 1: the calling thread) */
  CsModelProgressFunc progress;  /* may be NULL; nonzero return cancels (CS_ERR_CANCELLED, outputs untouched) */
  void *user_data;
} CsWindowPrefOptions;

void     cs_window_pref_options_init (CsWindowPrefOptions *options);

/* ratio: m outputs, the preferred width over the fitted width of case rows[k] (rows: m distinct case indices
 * of ctx, m >= 2; the context's metric is the fitted one). errors: optional m * (2K + 1) output, the smoothed
 * errors E_k(r) row by row (for tests and plots), may be NULL. Scalar, diagonal and full metrics alike, distance
 * score form only (CS_ERR_INVALID otherwise). */
CsStatus cs_window_preference        (const CsAttention         *ctx,
                                      const size_t              *rows,
                                      size_t                     m,
                                      const CsWindowPrefOptions *options,
                                      double                    *ratio,
                                      double                    *errors);

/* The metric scaled to width ratio r: M / r^2 (r > 0). dst is initialised here (cs_metric_clear after). */
CsStatus cs_metric_scale_width       (CsMetric                  *dst,
                                      const CsMetric            *src,
                                      double                     r);

#ifdef __cplusplus
}
#endif
