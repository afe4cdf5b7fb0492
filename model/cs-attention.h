/* cs-attention.h: the softmax attention engine (prediction, metrics, fitting, linear baseline).
 *
 * Softmax attention as an in-context case-based regressor (docs model.md):
 *
 *   s_i(x) = score of case i for query x
 *   w_i(x) = exp (s_i) / sum_j exp (s_j)        (max-subtracted, streamed)
 *   y_hat(x) = sum_i w_i(x) y_i
 *
 * Two score forms share one GEMM kernel (K = X A^T, Q = Xq A^T):
 *   CS_SCORE_DISTANCE (default)  s_i = -1/2 (x_i - x)^T M (x_i - x)   on standardised features
 *   CS_SCORE_DOT (the paper's)   s_i = x_i^T M x                        (inputs on the unit sphere)
 *
 * Units: every x handed to the engine is in the units the caller chose (for a
 * case base: standardised z-scores, see cs_case_base_standardise()); every
 * distance and half-width returned is in those units; multiply a per-feature
 * half-width by the feature's sd to get original units.
 *
 * Pure C11 + CBLAS, no GLib, no file I/O. Every function returns a CsStatus and
 * never aborts. A CsAttention context is immutable after cs_attention_new()
 * except through cs_attention_set_metric(); concurrent reads (predict, fit,
 * diagnose) on one context from several threads are safe as long as nobody
 * calls cs_attention_set_metric() at the same time. No global state.
 *
 * Memory: O(n d + block^2) per call (queries and cases are streamed in tiles
 * with an online softmax); the n x n matrix is never formed. Optional
 * outputs the caller asks for (full weight vectors) are of course q x n.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status ------------------------------------------------------------ */

typedef enum
{
  CS_OK = 0,
  CS_ERR_INVALID,       /* bad argument: sizes, NULL, metric of the wrong dimension, ... */
  CS_ERR_NOT_FINITE,    /* NaN or Inf in x, y, a query or a metric */
  CS_ERR_NOMEM,         /* allocation failed */
  CS_ERR_CANCELLED,     /* the progress callback asked to stop; outputs untouched */
} CsStatus;

/* A short English sentence ("a value is NaN or infinite"); never NULL. */
const char *cs_status_message (CsStatus status);

/* Progress and cancellation for long calls: fraction in [0, 1]. Return nonzero
 * to cancel; the call then returns CS_ERR_CANCELLED at the next block boundary
 * (within a few milliseconds) and leaves its outputs (a fitted metric, ...)
 * untouched. Called on the calling thread. May be NULL. */
typedef int (*CsModelProgressFunc) (double  fraction,
                                    void   *user_data);

#define CS_NO_CASE ((size_t) -1)

/* ---- Metrics ----------------------------------------------------------- */

typedef enum
{
  CS_METRIC_SCALAR = 0, /* M = scale * I                       (window radius 1/sqrt(scale)) */
  CS_METRIC_DIAGONAL,   /* M = diag (diag[0..d-1])             (half-width 1/sqrt(diag[j])) */
  CS_METRIC_FULL,       /* M = A^T A, A is rank x d row-major  (rank = d: full PSD; < d: low rank) */
} CsMetricKind;

typedef struct
{
  CsMetricKind kind;
  size_t d;
  size_t rank;          /* rows of A (FULL only; 0 otherwise) */
  double scale;         /* SCALAR: w > 0. Unused (0) for the other kinds. */
  double *diag;         /* DIAGONAL: d entries >= 0 (malloc'ed, owned). NULL otherwise. */
  double *A;            /* FULL: rank * d row-major (malloc'ed, owned). NULL otherwise. */
  /* Category columns (cs_attention_set_categories): the score of case i for a query gets
   * -cat_lambda[c] [level_i(c) != level_query(c)] per category column c (the unordered-factor
   * kernel of Aitchison and Aitken, as R's np uses it, on the log scale). n_cat 0 and NULL
   * without categories; a metric whose n_cat differs from its context's counts as all zeros. */
  size_t n_cat;
  double *cat_lambda;   /* n_cat entries >= 0 (malloc'ed, owned) */
} CsMetric;

/* Initialise (allocating diag / A as needed; m is overwritten, not freed first). */
CsStatus cs_metric_init_scalar   (CsMetric     *m,
                                  size_t        d,
                                  double        scale);
CsStatus cs_metric_init_diagonal (CsMetric     *m,
                                  size_t        d,
                                  const double *diag);   /* NULL: all ones */
CsStatus cs_metric_init_full     (CsMetric     *m,
                                  size_t        d,
                                  size_t        rank,
                                  const double *A);      /* NULL: identity rows */
/* Deep copy into an uninitialised (or cleared) dst. */
CsStatus cs_metric_copy          (CsMetric       *dst,
                                  const CsMetric *src);
/* Give m n_cat category penalties (lambda NULL: all 0), replacing any it had. */
CsStatus cs_metric_set_categories (CsMetric     *m,
                                   size_t        n_cat,
                                   const double *lambda);
/* Free diag / A and zero the struct. Safe on a zeroed struct. */
void     cs_metric_clear         (CsMetric     *m);
/* CS_OK when the metric is well formed and finite (scale > 0, diag >= 0, ...). */
CsStatus cs_metric_validate      (const CsMetric *m);
/* The d x d matrix M, row-major. */
void     cs_metric_to_matrix     (const CsMetric *m,
                                  double         *M);
/* Per-feature window half-width 1/sqrt(M_jj) (standardised units; +inf when
 * M_jj == 0, i.e. the feature is ignored). d outputs. */
void     cs_metric_half_widths   (const CsMetric *m,
                                  double         *half_width);
/* Mean of the diagonal of M (the scalar scale for CS_METRIC_SCALAR). */
double   cs_metric_mean_diagonal (const CsMetric *m);

/* ---- Context ----------------------------------------------------------- */

typedef enum
{
  CS_SCORE_DISTANCE = 0,
  CS_SCORE_DOT,
} CsScoreForm;

typedef struct _CsAttention CsAttention;

/* Build a context over n cases: x is n * d row-major (copied), y n outcomes
 * (copied). n >= 1, d >= 1. NaN/Inf anywhere: CS_ERR_NOT_FINITE. The initial
 * metric is scalar with scale 1. */
CsStatus     cs_attention_new        (const double  *x,
                                      const double  *y,
                                      size_t         n,
                                      size_t         d,
                                      CsScoreForm    form,
                                      CsAttention  **out);
enum
{
  CS_ATTENTION_SHARE_INPUT = 1 << 0,  /* use x and y in place instead of copying them: the caller
                                       * keeps them alive and unchanged until the context is freed */
  CS_ATTENTION_NO_FLOAT    = 1 << 1,  /* no single-precision copy of the cases (saves n (d + 2)
                                       * floats); CS_PREDICT_FLOAT then runs in double precision */
  CS_ATTENTION_ALL_CORES   = 1 << 2,  /* the O(n d) passes (checking, centring, the prepared keys of every
                                       * later metric) run on every online processor, row by row, so the
                                       * numbers are those of one thread; without it they stay on the
                                       * calling thread */
};

/* cs_attention_new with CS_ATTENTION_* flags: for case bases near the memory
 * limit (a scalar context then holds n (d + 2) doubles besides x and y).
 * progress (may be NULL) is called every 65,536 cases or so (a few ms); a
 * nonzero return cancels: CS_ERR_CANCELLED and *out stays NULL. */
CsStatus     cs_attention_new_full   (const double        *x,
                                      const double        *y,
                                      size_t               n,
                                      size_t               d,
                                      CsScoreForm          form,
                                      unsigned             flags,
                                      CsModelProgressFunc  progress,
                                      void                *user_data,
                                      CsAttention        **out);
void         cs_attention_free       (CsAttention   *self);
size_t       cs_attention_get_n      (const CsAttention *self);
size_t       cs_attention_get_d      (const CsAttention *self);
CsScoreForm  cs_attention_get_form   (const CsAttention *self);
const double *cs_attention_get_x     (const CsAttention *self);   /* n * d, as given */
const double *cs_attention_get_y     (const CsAttention *self);   /* n */
/* Copies the metric (validated; its d must match). O(n d rank). */
CsStatus     cs_attention_set_metric (CsAttention    *self,
                                      const CsMetric *metric);
const CsMetric *cs_attention_get_metric (const CsAttention *self);
/* Category columns: levels holds n * n_cat level codes, row-major (case i, column c), each in
 * 0 .. n_levels[c] - 1 (copied). The scores then carry the metric's cat_lambda penalties
 * (see CsMetric); a query names its levels in CsPredictOptions.levels. n_cat 0 removes them.
 * At most 64 columns. Rebuilds the prepared keys for the current metric. */
CsStatus     cs_attention_set_categories (CsAttention  *self,
                                          size_t        n_cat,
                                          const int    *levels,
                                          const size_t *n_levels);
size_t       cs_attention_get_n_cat  (const CsAttention *self);
/* n * n_cat level codes, or NULL without categories. */
const int   *cs_attention_get_levels (const CsAttention *self);

/* ---- Prediction -------------------------------------------------------- */

/* The cases one query attends to, truncated (cs_weights_keep in
 * cs-numeric.h): every case outside carries less weight than every case
 * inside, and together they carry at most `dropped` of it. The local fits
 * behind the flags, the window's quantiles and the per-case chart values work
 * on this set instead of all n cases. */
typedef struct
{
  size_t  m;        /* cases kept */
  size_t *index;    /* m case indices, increasing (malloc'd; cs_attended_clear frees) */
  double *weight;   /* their weights w_i, normalised over all cases as in the
                     * prediction (sum = 1 - dropped, up to rounding) */
  double  dropped;  /* weight of the cases left out */
} CsAttended;

/* Frees index and weight and zeroes the struct (NULL-safe). */
void     cs_attended_clear (CsAttended *a);

typedef struct
{
  size_t index;         /* case index in 0 .. n-1, CS_NO_CASE when fewer than k cases */
  double weight;        /* its attention weight w_i */
  double distance;      /* Euclidean |x_i - x| in the caller's (standardised) units */
} CsTopCase;

typedef struct
{
  double prediction;      /* y_hat = sum_i w_i y_i */
  double std_error;       /* sigma * sqrt (sum_i w_i^2) = sigma / sqrt (n_eff);
                           * sigma = options->noise_sd when > 0, else local_sd */
  double n_eff;           /* 1 / sum_i w_i^2, in [1, n] */
  double local_sd;        /* sqrt (sum_i w_i (y_i - y_hat)^2) */
  double mean_distance;   /* sum_i w_i |x_i - x| (Euclidean, standardised) */
  double nearest_distance;/* min_i |x_i - x| over the cases the query sees */
  size_t nearest_index;
  double max_weight;      /* largest w_i */
  double weight_sum;      /* sum_i w_i as accumulated: 1 up to rounding */
  /* Filled only with CS_PREDICT_WINDOW (NaN otherwise): */
  double radius90;        /* smallest r with sum_{|x_i - x| <= r} w_i >= 0.9 (Euclidean) */
  double decomposition_error; /* |y_hat - sum_i w_i y_i| with the weights recomputed
                               * explicitly in a second pass: the exact-sum check. With
                               * epsilon > 0 and no weights output the second pass weighs only
                               * the candidates (cases within ln (2 n / epsilon) + 1 nats of the
                               * best score): the sum and weight_sum then miss the others' share,
                               * under epsilon / 2 */
  /* Filled by the second pass (CS_PREDICT_WINDOW or options->attended; NaN and 0
   * otherwise): the truncation of this query's weights at options->epsilon. */
  double weight_dropped;  /* share of the weight left out of radius90, the half-widths
                           * and the attended set: <= epsilon (the double path counts the
                           * non-candidates' share in it; the float path, whose normaliser
                           * is then over the candidates, leaves that share, < epsilon / 2,
                           * out of it and renormalises over the candidates) */
  size_t n_kept;          /* cases kept (those with a positive weight when epsilon = 0) */
} CsPrediction;

enum
{
  CS_PREDICT_WINDOW = 1 << 0,  /* radius90, per-feature half-widths and the exact-sum check
                                * (a second streamed pass over the scores with the first
                                * pass's maximum and normaliser; O(n) scratch per query).
                                * The quantiles are taken over the attended set (options->epsilon) */
  CS_PREDICT_FLOAT  = 1 << 1,  /* single-precision fast path for interactive scoring:
                                * weights to ~1e-5 relative (bound in the tests); the
                                * default is double precision */
  CS_PREDICT_NO_DISTANCE = 1 << 2, /* leave out the distances of the score pass: nearest_index
                                * CS_NO_CASE, nearest_distance, mean_distance and the top cases'
                                * distance NaN. Under a diagonal or full metric they take a second
                                * GEMM per tile (distances in the standardised features, not the
                                * metric's); every other output is the same up to the rounding of
                                * the softmax sums (the kernel's loop without distances) */
  CS_PREDICT_WEIGHTS_CANDIDATES = 1 << 3, /* with weights and 0 < epsilon < 1: the weights output holds
                                * the window pass's candidates' weights (on the double path the full
                                * pass's, to rounding) and 0 for every other case, each of which
                                * weighs under epsilon / (2 n), all of them under epsilon / 2: the
                                * window pass then scores the candidates only, not every case again */
};

typedef struct
{
  unsigned flags;             /* CS_PREDICT_* */
  double noise_sd;            /* sigma for std_error; <= 0: use each query's local_sd */
  size_t top_k;               /* number of top cases per query (0: none) */
  CsTopCase *top;             /* q * top_k outputs, by decreasing weight (may be NULL if top_k == 0) */
  double *weights;            /* optional q * n output: the full weight vector of each query
                               * (an excluded case gets 0). NULL: not computed. */
  double *half_width;         /* optional q * d output (needs CS_PREDICT_WINDOW): per feature,
                               * the weighted 90 % quantile of |x_ij - x_j| (standardised) */
  const size_t *self_index;   /* optional q entries: case to exclude for each query
                               * (leave-one-out), or CS_NO_CASE. NULL: none excluded. */
  CsModelProgressFunc progress;
  void *user_data;
  int n_threads;              /* worker threads over the queries (0 or 1: the calling thread only);
                               * results are identical whatever the count. The progress callback
                               * still runs on the calling thread only. */
  double epsilon;             /* softmax truncation (default 1e-6; 0: dense, exact; NaN or < 0:
                               * CS_ERR_INVALID). The second pass keeps the cases carrying all
                               * but at most epsilon of each query's weight (cs_weights_keep) and
                               * takes radius90 and the half-widths over them; see the bounds below */
  CsAttended *attended;       /* optional q outputs: each query's kept cases and weights. Asking
                               * for them runs the second pass even without CS_PREDICT_WINDOW.
                               * Zeroed on entry, so on any error the caller can still
                               * cs_attended_clear all q (a query without a prediction gets m = 0) */
  const int *levels;          /* q * n_cat category levels of the queries (-1: a level no case has, so
                               * every case mismatches and the column changes no weight), or NULL: a
                               * query with a self_index takes that case's levels, the others -1.
                               * With categories and a positive penalty the fused float kernel is
                               * not used (the sgemm path scores the extra columns) */
  const uint32_t *weight_bin; /* optional n entries: a bin per case, each < n_weight_bins, for
                               * bin_weights */
  size_t n_weight_bins;
  float *bin_weights;         /* optional q * n_weight_bins output: per query and bin, the largest
                               * weight of the bin's cases, rounded to float (0 for an empty bin; the
                               * excluded case counts as weight 0). Taken in the score pass from its
                               * scores, exp (lambda (max_bin s - m)) / z, with no second pass and no
                               * n-sized scratch per query: what a chart of all n weights binned into
                               * columns needs. The same weights as the weights output up to the
                               * rounding of the two passes' scores (GEMM against case by case).
                               * Double path only: with CS_PREDICT_FLOAT, CS_ERR_INVALID */
} CsPredictOptions;

/* What truncation changes, and by how much (delta = weight_dropped <= epsilon):
 *  - prediction, std_error, n_eff, local_sd, mean_distance, max_weight, nearest and
 *    the exact-sum check come from the dense sums over all n cases: epsilon does not
 *    move them.
 *  - top: chosen in the score pass over all cases, so it is the dense top k. Every
 *    kept case outweighs every dropped one, so when n_kept >= k the top k are the k
 *    heaviest cases of the attended set.
 *  - radius90 and half_width: the weighted 90 % quantile over the kept cases, their
 *    weights renormalised. With F the dense cumulative weight, the kept quantile lies
 *    between the dense quantiles at levels 0.9 - delta and 0.9 + delta, so it equals
 *    the dense value unless a dense step sits within delta of 0.9 (then it moves at
 *    most to the neighbouring kept value).
 *  - a weighted mean over the attended set, renormalised by 1 - delta, is within
 *    delta x (max y - min y) of the dense one. */

/* Fills options with the defaults (all zero / NULL, epsilon 1e-6). */
void     cs_predict_options_init (CsPredictOptions *options);

/* Predict q queries (q * d row-major). options may be NULL (defaults). out has
 * q entries. A query that excludes its only case (n = 1, leave-one-out) gets
 * NaN prediction and n_eff 0. NaN/Inf in queries: CS_ERR_NOT_FINITE. */
CsStatus cs_attention_predict    (const CsAttention       *self,
                                  const double            *queries,
                                  size_t                   q,
                                  const CsPredictOptions  *options,
                                  CsPrediction            *out);

/* Leave-one-out prediction for every case (q = n, query i = case i, case i
 * excluded from its own context). out has n entries; options->self_index is
 * ignored. */
CsStatus cs_attention_predict_loo (const CsAttention      *self,
                                   const CsPredictOptions *options,
                                   CsPrediction           *out);

/* ---- Fitting M on the case base (leave-one-out ICL loss) ----------------- */

typedef struct
{
  CsMetricKind kind;          /* what to fit */
  size_t rank;                /* FULL: rows of A (0: d) */
  int max_iter;               /* 0: default (scalar 30 Newton steps, others 100 L-BFGS steps) */
  double tol;                 /* relative loss change to stop (0: default 1e-9 scalar, 1e-7 others; with
                               * the default, L-BFGS also stops when 5 iterations gained less than half the
                               * loss's standard error, see CS_FIT_SE_FRACTION) */
  CsModelProgressFunc progress;
  void *user_data;
  int n_threads;              /* worker threads for the streamed passes (0 or 1: calling thread only);
                               * the fitted metric is the same up to summation order */
  size_t max_queries;         /* 0 or >= n: the loss is over every case. Otherwise over this many
                               * evenly spaced cases (the middle one of each of max_queries equal
                               * runs in case order), each still predicted from all n - 1 others:
                               * an unbiased sample of the full loss at O(max_queries n) per pass
                               * instead of O(n^2), for case bases too large for the exact fit */
  int fit_categories;         /* with a context that has category columns: nonzero fits their penalties
                               * cat_lambda = exp (theta_c) together with M by L-BFGS on the same loss
                               * (the scalar kind then runs L-BFGS over log w and the theta_c, from the
                               * Newton fit without categories); 0 keeps the start metric's penalties.
                               * Such a fit moves a log lambda_c by at most 1 per step and also stops
                               * once a step promises less than 1e-5 of the loss, whatever tol says */
  const unsigned char *cat_off; /* NULL, or one entry per category column: nonzero holds that column's penalty
                               * at 0 (with fit_categories; the others are fitted as usual) */
} CsFitOptions;

/* A fitted category penalty is kept only when setting it to 0 raises the per-case leave-one-out loss by at least
 * this many standard errors of its mean (cs_attention_fit's selection; the engine's held-out check of the
 * automatic full metric uses the same). */
#define CS_FIT_CATEGORY_T 3.0

void     cs_fit_options_init     (CsFitOptions *options);

/* m evenly spaced cases among the n rows of x (width doubles each, row-major): the
 * middle case of each of m equal runs in case order, floor ((k + 1/2) n / m), or every
 * case when m >= n (then m must be n). Their indices go to rows and their rows to out
 * (m * width); either may be NULL. The rule of max_queries and of the sampled
 * estimators (cs_noise_sd_nn_sample, cs_diagnose_global_sample). */
void     cs_sample_gather        (const double *x,
                                  size_t        n,
                                  size_t        width,
                                  size_t        m,
                                  size_t       *rows,
                                  double       *out);

typedef struct
{
  double loo_mse;             /* mean over the loss cases of (y_hat_{-i} - y_i)^2 at the fitted metric */
  double start_loo_mse;       /* at the starting metric */
  int passes;                 /* streamed sweeps over the n (n - 1) pairs: for the scalar fit one
                               * for the nearest scores, one for a coarse 7-point log grid (single
                               * precision, it only picks the start) and one per Newton evaluation
                               * (double); two per L-BFGS evaluation (loss, then gradient) */
  int iterations;             /* Newton / L-BFGS steps taken */
  int converged;              /* 1 when the stopping test was met before max_iter */
  size_t n_queries;           /* cases whose residuals made the loss (n, or max_queries) */
} CsFitReport;

/* Minimise the leave-one-out loss sum_i (y_hat_{-i}(x_i) - y_i)^2 (i over all
 * cases, or over options->max_queries of them) over the
 * metric kind in options (n >= 2). metric: in, the starting point when its
 * kind matches (otherwise a data-driven start is used); out, the fitted metric,
 * written ONLY on CS_OK (on cancellation or error it is left exactly as it
 * was). The context's own metric is not changed: call cs_attention_set_metric().
 * report may be NULL. metric must be initialised (or zeroed). */
CsStatus cs_attention_fit        (const CsAttention  *self,
                                  const CsFitOptions *options,
                                  CsMetric           *metric,
                                  CsFitReport        *report);

/* LOO mean squared error of any metric (one streamed pass). Optionally the
 * first and second derivatives with respect to log w (scalar metrics only;
 * pass NULL otherwise). */
CsStatus cs_attention_loo_mse    (const CsAttention *self,
                                  const CsMetric    *metric,
                                  double            *mse,
                                  double            *d_logw,
                                  double            *d2_logw);

/* The fit's loss and its gradient at metric: with respect to log w (scalar), log diag (diagonal) or A
 * (full), followed, when fit_categories is nonzero and the context has categories, by d/d log lambda_c
 * per category column (the parameters cs_attention_fit's L-BFGS walks on). grad has that many entries.
 * Two streamed passes over every case. For tests against finite differences and for callers that
 * optimise on their own. */
CsStatus cs_attention_loo_gradient (const CsAttention *self,
                                    const CsMetric    *metric,
                                    int                fit_categories,
                                    double            *mse,
                                    double            *grad);

/* ---- Linear attention baseline ------------------------------------------ */

/* y_lin(x) = (1/n) sum_i y_i x~_i^T M x~, where x~ = x (augment = 0, the
 * paper's form) or x~ = (x, 1) (augment = 1, so the baseline can carry an
 * intercept on a case base). M (da x da, da = d + augment) is the least-squares
 * best on the leave-one-out loss (small ridge for stability). */
typedef struct
{
  size_t d;
  int augment;
  double *M;                  /* da * da row-major, owned */
  double *v;                  /* da: (1/n) sum_i y_i x~_i over the whole base, owned */
  double loo_mse;             /* leave-one-out MSE of the fitted M */
} CsLinearModel;

CsStatus cs_linear_fit           (const CsAttention *self,
                                  int                augment,
                                  CsLinearModel     *out);
/* q predictions with the full base as context. */
CsStatus cs_linear_predict       (const CsLinearModel *model,
                                  const double        *queries,
                                  size_t               q,
                                  double              *out);
void     cs_linear_clear         (CsLinearModel *model);

#ifdef __cplusplus
}
#endif
