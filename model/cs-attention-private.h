/* cs-attention-private.h: internals shared by the engine's files (not API). */
#pragma once

#include "cs-attention.h"

/* Tile sizes: a QB x CB score tile (double: 1 MB, float: 512 KB) stays near L2;
 * measured best of 64x1024, 128x512, 128x1024 and 256x512 (casescope-cli bench). */
#define CS_QB 256
#define CS_CB 512

/* Keys prepared for one metric (A below is Ahat = A / sqrt (lambda)): K' = [A (x - c), -|A (x - c)|^2 / 2, 1]
 * (distance form, c the case mean) or [A x, 0, 0] (dot form), so that the
 * scores of a query tile are one GEMM with Q' = [A (q - c), 1, -|A (q - c)|^2/2]. */
typedef struct
{
  size_t n, d, r, ra;    /* ra = r + 2 */
  CsScoreForm form;
  double *Aeff;          /* r * d: A (sqrt (w) I, diag (sqrt (m)) or the metric's A) */
  double *K;             /* n * ra */
  float *Kf;             /* n * ra float copy (fast path), NULL until needed */
  double lambda;         /* M = lambda * Mhat with max diag (Mhat) = 1: scores are computed
                          * with Mhat and multiplied by lambda only after the max is
                          * subtracted, so no scale over- or underflows */
  double d2_scale;       /* -2 for scalar distance metrics (d2 = d2_scale * shat), else 0 */
  int borrowed;          /* K and Kf are the context's X2 and X2f (scalar distance metrics) */
  /* Category penalties (a context with categories and a metric with a positive cat_lambda): the
   * keys carry L = sum n_levels more columns after the two above, case i's level of column c as
   * cat_w[c] = sqrt (lambda_c / lambda) at level_off[c] + level, a query the same for its own
   * level, and the key's -|.|^2/2 column also -sum_c lambda_c / lambda: the dot product then adds
   * -lambda_c / lambda per mismatched column (d2_scale is 0: distances come from X2). */
  size_t L;              /* 0: no category columns in K */
  double *cat_w;         /* n_cat, or NULL */
  double *kabs;          /* ra: max_i |K_ij| per column (the window's candidate bound, cand_threshold) */
} CsPrep;

struct _CsAttention
{
  size_t n, d;
  CsScoreForm form;
  int shared;            /* x and y are the caller's (CS_ATTENTION_SHARE_INPUT) */
  double *x;             /* n * d */
  double *y;             /* n */
  double ymean;
  double *yc;            /* n: y - ymean */
  float *ycf;            /* n */
  double *xmean;         /* d (zeros for the dot form) */
  double *X2;            /* n * (d + 2): [x - c, -|x - c|^2 / 2, 1]: Euclidean distances (with
                          * query rows [-2 (q - c), -2, |q - c|^2]) and the scalar metric's keys */
  float *X2f;            /* float copy; NULL with CS_ATTENTION_NO_FLOAT */
  CsMetric metric;
  CsPrep prep;
  size_t n_cat;          /* category columns (cs_attention_set_categories, at most 64), 0 without */
  int *levels;           /* n * n_cat level codes */
  size_t *n_levels;      /* n_cat */
  size_t *level_off;     /* n_cat: first one-hot column of each category in the keys */
  size_t L;              /* sum of n_levels */
  int n_threads;         /* workers for the O(n d) passes over the cases (CS_ATTENTION_ALL_CORES), else 1 */
};

CsStatus cs_prep_build  (const CsAttention *ctx, const CsMetric *m, int want_float, CsPrep *p);
void     cs_prep_clear  (CsPrep *p);

/* Pass 1 of the streamed softmax for q queries against the prepared keys
 * (the engine of cs_attention_predict): running max m[], and the sums. Internal
 * version that lets the fit use trial metrics. */
CsStatus cs_attention_predict_prep (const CsAttention *self, const CsPrep *p,
                                    const double *queries, size_t q,
                                    const CsPredictOptions *options,
                                    CsPrediction *out,
                                    double *row_max, double *row_z);

/* Build the augmented query rows Qa (QB x ra) and Euclidean rows Qe (QB x (d + 2)). levels: nq * n_cat
 * query levels (-1: none), or NULL (all -1); read only when p has category columns. */
void     cs_prep_queries (const CsAttention *ctx, const CsPrep *p,
                          const double *queries, size_t nq,
                          const int *levels,
                          double *Qa, double *Qe);
/* The levels of queries q0 .. q0 + nq - 1 (nq * ctx->n_cat into out): options->levels, else the
 * self_index case's, else -1. Nothing to do without categories. */
void     cs_query_levels (const CsAttention *ctx, const CsPredictOptions *o,
                          size_t q0, size_t nq, int *out);

int      cs_is_finite_array (const double *v, size_t n);
/* a value and its weight, for cs_weighted_quantile */
typedef struct
{
  double v, w;
} CsVW;

double   cs_weighted_quantile (CsVW *a, size_t n, double frac);
