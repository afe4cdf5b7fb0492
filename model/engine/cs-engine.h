/* cs-engine.h: the one pipeline behind every front end (the window, casescope-cli): one immutable,
 * reference-counted snapshot of a case base with its standardisation, fitted metric, linear baseline,
 * diagnostics and fail-safe baselines, and queries against it (one with the weights of every case for the
 * charts, or a batch), in the caller's thread or in GTask workers. GLib/GIO only: no GTK, no file formats. The
 * front ends format what it computes; none of them calls the model library itself.
 *
 * One sampling policy (cs_engine_policy ()) says which cases make the fit's loss, the baselines and the
 * per-case charts on large case bases; every front end reports the numbers it chose. */
#pragma once

#include <gio/gio.h>

#include "cs-attention.h"
#include "cs-case-base.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"
#include "cs-model-file.h"

G_BEGIN_DECLS

/* Which cases each stage uses, for a case base of n cases and d features. Up to CS_ENGINE_EXACT_MAX cases
 * every case makes the fit's loss; above, CS_ENGINE_SAMPLE evenly spaced cases do, each still predicted from
 * all the others (an unbiased sample of the loss at O(m n) a pass). The per-case stages (leave-one-out
 * diagnostics, the fail-safe baselines, the per-case charts) use every case up to CS_ENGINE_PER_CASE_MAX, else
 * evenly spaced cases whose local fits (n (d^2 + 2 d + 2) each) stay near CS_ENGINE_PER_CASE_WORK, between
 * CS_ENGINE_PER_CASE_MIN and CS_ENGINE_SAMPLE of them (10^5 x 20: 1,000; 10^6 x 20: 250). */
#define CS_ENGINE_EXACT_MAX     20000
#define CS_ENGINE_SAMPLE        1000
#define CS_ENGINE_PER_CASE_MAX  5000
#define CS_ENGINE_PER_CASE_WORK 1e11
#define CS_ENGINE_PER_CASE_MIN  250

typedef struct
{
  gsize n, d;
  gsize loss_cases;                /* cases whose leave-one-out errors make the fit's loss and the window */
  gsize case_cases;                /* cases with their own leave-one-out diagnostics and verdicts */
} CsEnginePolicy;

/* requested_loss > 0 (at most n) overrides the loss cases (casescope-cli fit --queries). */
void        cs_engine_policy          (gsize                    n,
                                       gsize                    d,
                                       gsize                    requested_loss,
                                       CsEnginePolicy          *out);
/* Threads for a prediction with the window over n cases of d features (5 n doubles of scratch each, within the
 * larger of the cases' own n (d + 1) doubles and 32 MiB). */
int         cs_engine_window_threads  (gsize                    n,
                                       gsize                    d);
/* "Leave-one-out on 1000 evenly spaced cases of 21000", or NULL when every case counts (g_free). */
char       *cs_engine_policy_words    (const CsEnginePolicy    *policy);

typedef struct _CsEngine CsEngine;

/* Prediction intervals and spec limits (cs-engine-interval.c, model/INTERVALS.md): localised split conformal
 * over the leave-one-out residuals of the loss cases, weighted by the query's attention over its attended set,
 * tempered wider (w^(1/T)) until the weights rest on enough cases. */
#define CS_ENGINE_DEFAULT_LEVEL   0.9
#define CS_ENGINE_INTERVAL_MIN_EFF 60.0   /* the widening rule's effective cases (INTERVALS.md: development) */
/* How the conformity scores are scaled (INTERVALS.md, development): 0 raw residuals; 1 by the leave-one-out
 * local spread of the outcomes; 2 by the attention-weighted mean absolute leave-one-out residual of the
 * neighbours (the same kernel at the query and, leaving the case out, at each case) */
#define CS_ENGINE_INTERVAL_SCALE_NONE     0
#define CS_ENGINE_INTERVAL_SCALE_SPREAD   1
#define CS_ENGINE_INTERVAL_SCALE_RESIDUAL 2
#define CS_ENGINE_INTERVAL_SCALED   CS_ENGINE_INTERVAL_SCALE_RESIDUAL
#define CS_ENGINE_INTERVAL_NEED_MASS FALSE
#define CS_ENGINE_INTERVAL_TEST_MASS 0
/* When the attended set cannot reach CS_ENGINE_INTERVAL_MIN_EFF: 0 the global interval; 1 first the same ladder
 * over the query's distance scores to every case with a score (bases up to CS_ENGINE_EXACT_MAX); 2 that ladder
 * for every query (INTERVALS.md, development: neither beat 0 there) */
#define CS_ENGINE_INTERVAL_WIDE     0

typedef struct
{
  double level;                    /* in (0, 1); default CS_ENGINE_DEFAULT_LEVEL */
  double spec_lower, spec_upper;   /* outcome units; NaN: no such limit */
} CsIntervalSpec;

typedef struct
{
  double level;                    /* NaN when there is no interval (no prediction, no residuals) */
  double lower, upper;             /* outcome units; may be -inf / +inf when the residuals cannot reach the level */
  double n_eff;                    /* effective residuals behind it (of the tempered weights) */
  double temper;                   /* T of w^(1/T) the widening rule chose (1: the prediction's own weights) */
  gboolean localised;              /* FALSE: too few residuals in the attended set, the global ones were used */
  gboolean wide;                   /* the attended set was too small: tempered over the query's attention over
                                    * every case with a score (its distance scores; INTERVALS.md, step 3) */
} CsInterval;

/* The distance score -(z - q)' M (z - q) / 2 of cs-attention.h, one case at a time: the interval's weights over
 * the loss sample above CS_ENGINE_EXACT_MAX, in the engine and in casescope-batch (whose ranks hold no engine)
 * alike. The metric is kept as a d x d matrix M and, per row, the columns of its non-zero entries in column
 * order: a scalar or diagonal metric has one per row, so a score costs O(d), not O(d^2) (the residual scales
 * of 1,000 loss cases were 8 % of predict --model at 10^6 x 20, a million O(d^2) scores). A term skipped is
 * M_ab t_b with M_ab = 0 and t_b finite, i.e. +0 or -0, and adding it leaves the running sum as it is (fused or
 * not), so the sparse sum is the dense one to the last bit; a non-finite difference takes the dense loop. */
typedef struct
{
  gsize d;
  double *M;        /* d x d */
  gsize *start;     /* d + 1: row a's entries are [start[a], start[a + 1]) */
  gsize *col;
  double *val;
} CsMetricRows;

void        cs_metric_rows_init       (CsMetricRows            *mr,
                                       const CsMetric          *metric,
                                       gsize                    d);
void        cs_metric_rows_clear      (CsMetricRows            *mr);
/* The score of standardised case z against standardised query zq; t: d doubles of scratch. */
double      cs_metric_rows_score      (const CsMetricRows      *mr,
                                       const double            *z,
                                       const double            *zq,
                                       double                  *t);

/* What an interval reads besides the query's weights: a case base's leave-one-out residuals (NaN for a case
 * without one: outside the loss sample, or its prediction failed), as the engine keeps them or a model file
 * stores them (cs_model_file_interval_residuals), and the method's settings. The engine and casescope-batch
 * (whose ranks hold no engine) give them to the one cs_interval_compute. */
typedef struct
{
  gsize n;                         /* cases */
  const double *residual;          /* n leave-one-out residuals */
  const double *abs_scale;         /* n residual scales (CS_ENGINE_INTERVAL_SCALE_RESIDUAL), or NULL */
  const double *spread;            /* n local spreads (CS_ENGINE_INTERVAL_SCALE_SPREAD), or NULL */
  int scaled;                      /* CS_ENGINE_INTERVAL_SCALE_* */
  double scale_floor;              /* 1e-6 x the outcome's sd: a spread of 0 does not divide */
  double min_eff;                  /* as CsEngine.interval_min_eff */
  gboolean need_mass;
  int test_mass;
  int wide;
} CsIntervalResiduals;

/* The engine's defaults (CS_ENGINE_INTERVAL_*) over n residuals; y_sd: the outcome's sd over the whole base
 * (CsCaseBase.y_sd), for the floor. */
void        cs_interval_residuals_init (CsIntervalResiduals    *res,
                                        gsize                   n,
                                        const double           *residual,
                                        const double           *abs_scale,
                                        const double           *spread,
                                        double                  y_sd);
/* Case i's conformity score: its residual over its scale when the scores are scaled (NaN without a residual). */
double      cs_interval_residuals_score (const CsIntervalResiduals *res,
                                         gsize                      i);
/* The log of case i's weight under the query's kernel over every case (the development variant
 * CS_ENGINE_INTERVAL_WIDE); data: the caller's. */
typedef double (*CsIntervalLogWeight) (gsize    i,
                                       gpointer data);
/* The interval at spec->level (and *p_in_spec with limits, else NaN) of a prediction y_hat from m candidate
 * cases: index[k] their case numbers, log_weight[k] the log of the query's weight on each (only ratios count:
 * the attended set's attention, or the query's scores over the loss sample). Candidates without a score and
 * self_index (the case a leave-one-out query leaves out, or CS_NO_CASE) are skipped. local_sd: the
 * prediction's (CS_ENGINE_INTERVAL_SCALE_SPREAD). every_case: NULL, or the wide variant's weights.
 * interval->level is NaN when there is none. */
void        cs_interval_compute       (const CsIntervalResiduals *res,
                                       gsize                      m,
                                       const size_t              *index,
                                       const double              *log_weight,
                                       size_t                     self_index,
                                       double                     y_hat,
                                       double                     local_sd,
                                       const CsIntervalSpec      *spec,
                                       CsIntervalLogWeight        every_case,
                                       gpointer                   every_case_data,
                                       CsInterval                *interval,
                                       double                    *p_in_spec);

void        cs_interval_spec_init     (CsIntervalSpec          *spec);
/* NULL when spec is usable, else a sentence (g_free): level outside (0, 1), lower above upper, NaN limits given. */
char       *cs_interval_spec_check    (const CsIntervalSpec    *spec);
gboolean    cs_interval_spec_has_limits (const CsIntervalSpec  *spec);

/* The linear baseline every front end names (cs_ols_loo: least squares with an intercept on the
 * standardised features, leave-one-out through the hat values). */
#define CS_ENGINE_LINEAR_METHOD "ordinary least squares, exact leave-one-out"

/* The automatic metric's comparison of the diagonal and the full fit (CS_ENGINE_AUTO_FULL_SE). */
typedef struct
{
  gboolean tried;                  /* the full metric was tried (CS_ENGINE_FIT_AUTO where CS_ENGINE_AUTO_FULL_SE
                                    * applies) */
  gboolean full;                   /* ... and kept */
  gsize n_compared;                /* the held-out half the two were scored on */
  double diagonal_mse;             /* their mean squared leave-one-out errors there (untruncated), each fitted on */
  double full_mse;                 /* the other half */
  double difference_se;            /* standard error of the mean of e_diag^2 - e_full^2 over those cases */
  /* full: diagonal_mse - full_mse > CS_ENGINE_AUTO_FULL_SE difference_se and > CS_ENGINE_AUTO_FULL_GAIN
   * diagonal_mse */
} CsEngineAutoChoice;

struct _CsEngine
{
  /*< private >*/
  gint ref_count;

  /*< public, read-only >*/
  CsCaseBase *cases;
  double *z;                       /* n * d standardised features (what the engine sees) */
  double *mean, *sd;               /* d: the standardisation of z (the case base's, or a model file's; sd 0 as 1) */
  CsEnginePolicy policy;           /* the cases each stage used */
  double noise_sd;                 /* global noise sd (NaN when unknown) */
  double radius90_median;          /* median leave-one-out 90 % radius over the loss cases (standardised) */
  double epsilon;                  /* the truncation every query uses (CsEngineOptions.epsilon) */
  double fit_seconds;              /* wall time of the fit (0 when not fitted) */
  CsAttention *ctx;                /* with the metric below set */
  CsMetric metric;
  char *metric_label;              /* "scalar, fitted by leave-one-out", ... */
  gboolean fitted;
  CsFitReport fit;                 /* valid when fitted (with the automatic rule's two fits: the kept one's, its
                                    * passes counting both) */
  CsEngineAutoChoice auto_choice;  /* the automatic rule's diagonal against full (tried FALSE: not compared) */
  double loo_mse_linear;           /* the linear baseline's leave-one-out MSE (NaN when not computed) */
  const char *linear_method;       /* how that baseline is fitted and measured: CS_ENGINE_LINEAR_METHOD */

  gboolean have_diagnostics;
  CsGlobalDiagnostics global;
  CsLocalDiagnostics *per_case;    /* n leave-one-out diagnostics, or NULL (too large) */
  double *nn_distance;             /* n nearest-other-case distances (standardised), or NULL */
  gsize n_sample;                  /* cases of the baselines (policy.case_cases; every case when == n) */
  size_t *sample_rows;             /* n_sample case indices, ascending */
  CsLocalDiagnostics *sample_local; /* n_sample leave-one-out diagnostics of those cases */
  double *sample_nn_distance;      /* n_sample nearest-other-case distances */
  size_t *sample_nn;               /* n_sample nearest other cases */
  double *window_ratio;            /* n_sample: the width local leave-one-out prefers over the fitted width at case
                                    * sample_rows[k] (cs_window_preference; > 1: the data asks for a wider
                                    * window there), or NULL (fewer than 2 cases, or it failed) */
  CsFlagBase flag_base;
  CsFlagThresholds thresholds;
  CsVerdict *case_verdict;         /* n leave-one-out verdicts, or NULL */
  guint8 *case_flags;              /* n bit sets (1 << CsFlagKind), or NULL */
  double *loo_residual;            /* n: y_i - y_hat_{-i} at the loss cases (policy.loss_cases of them, evenly
                                    * spaced, cs_sample_gather), NaN elsewhere; NULL when n < 2 */
  double *loo_scale;               /* n: the leave-one-out local spread sqrt (sum_j w_j (y_j - y_hat_{-i})^2) at the
                                    * loss cases, NaN elsewhere; NULL when n < 2 */
  double *loo_abs_scale;           /* n: at the loss cases, the attention-weighted mean |r_j| of the other loss cases
                                    * under the case's own leave-one-out kernel; NaN elsewhere; NULL unless
                                    * interval_scaled is CS_ENGINE_INTERVAL_SCALE_RESIDUAL */
  double interval_min_eff;         /* the widening rule's target (CsEngineOptions.interval_min_eff) */
  int interval_scaled;             /* CS_ENGINE_INTERVAL_SCALE_*: scores r_i / scale_i, the interval scaled by the
                                    * query's own scale */
  gboolean interval_need_mass;     /* the widening rule also asks for the tails' mass 2 / alpha - 1 */
  int interval_test_mass;          /* the test point weighs: 0 the residuals' mean weight, 1 the heaviest one, 2
                                    * nothing (the plain weighted quantile), 3 half the mean weight; 4 and 5 the
                                    * mean weight with the quantile interpolated linearly between the residuals
                                    * that bracket it (4: at the distribution function's steps, 5: at the middle
                                    * of each residual's weight); INTERVALS.md */
  int interval_wide;               /* 1: the attended set too small, temper over every case with a score before
                                    * falling back to the global interval; 2: always over every case (a
                                    * development variant); 0: straight to the global interval */
  double interval_scale_floor;     /* 1e-6 x the outcome's sd: a spread of 0 does not divide */
  /* Queries with missing features (cs-engine-missing.c): the engines over the other features, built on first
   * use, one per set of missing features, under the lock. */
  GMutex without_lock;
  GHashTable *without;             /* "0100" -> CsEngine *, or NULL */
};

typedef enum
{
  CS_ENGINE_FIT_NONE,              /* keep the metric given (or the data-driven start) */
  CS_ENGINE_FIT_SCALAR,
  CS_ENGINE_FIT_DIAGONAL,
  CS_ENGINE_FIT_FULL,
  CS_ENGINE_FIT_AUTO,              /* scalar below CS_ENGINE_AUTO_DIAGONAL_D features, diagonal from there on
                                    * (cs_engine_fit_resolve), or full where it beats the diagonal
                                    * (CS_ENGINE_AUTO_FULL_SE); the default */
} CsEngineFit;

/* The automatic metric's rule: at this many numeric features or more the engine fits a diagonal metric. One
 * window width for features with and without effect is too wide in the ones that matter: every scalar
 * calibration cell at 5 or more features misses the fail-safe targets by far, the diagonal ones at 5 meet
 * or nearly meet them (model/FAILSAFE.md). Category columns do not count: their fitted mismatch penalties
 * already give each its own weight, whatever the metric of the numeric features. */
#define CS_ENGINE_AUTO_DIAGONAL_D 5

/* Where the automatic rule fits the diagonal metric on a base whose loss is over every case (up to the policy's
 * exact leave-one-out size), it also tries the full metric M = A^T A: both kinds are fitted with the loss over
 * half the cases and scored by the leave-one-out errors of the other half, and the full metric is kept (fitted
 * again on every case) when its squared errors there are lower than the diagonal's by more than this many
 * standard errors of their mean paired difference (a one-sided paired test at about 2.3 %). It gives one window
 * along an oblique direction the outcome follows, which neither a scalar nor a diagonal window can (issue 20's
 * generated bases; model/METRIC.md). Fixed before it was measured. Larger bases keep the diagonal: their fits are
 * scored on a sample, and more fits would multiply the longest wait of the fit at 10^6 cases. */
#define CS_ENGINE_AUTO_FULL_SE 2.0
/* ... and by at least this share of the diagonal's: a gain no one would notice is not worth a window that is no
 * longer a half-width per feature (on 3,000 cases of y = sum_j sin x_j over 20 features the full metric won by 2.1
 * standard errors, which were tiny, for 0.05 % of the error). */
#define CS_ENGINE_AUTO_FULL_GAIN 0.02

/* The fit CS_ENGINE_FIT_AUTO stands for on a case base of d numeric features (CsCaseBase.d, the category
 * columns not counted); any other fit is returned as it is. The one place the rule is applied; where it says
 * diagonal, the engine's build may keep the full metric instead (CS_ENGINE_AUTO_FULL_SE, CsEngine.auto_choice). */
CsEngineFit cs_engine_fit_resolve     (CsEngineFit              fit,
                                       gsize                    d);
/* "auto", "scalar", "diagonal", "full" -> the fit, or FALSE for another name (NULL: auto). The front ends'
 * --metric parser, so every command reads the same names. */
gboolean    cs_engine_fit_from_name   (const char              *name,
                                       CsEngineFit             *fit);

typedef struct
{
  CsEngineFit fit;                 /* default CS_ENGINE_FIT_AUTO: one default rule everywhere (the engine
                                    * resolves it, cs_engine_fit_resolve) */
  gsize rank;                      /* full metric's rank (0: d) */
  gsize loss_cases;                /* 0: the policy's */
  const CsMetric *metric;          /* the start of the fit, or the metric itself with CS_ENGINE_FIT_NONE; NULL:
                                    * scalar at the rule-of-thumb scale */
  const char *metric_label;
  const double *mean, *sd;         /* standardisation (a model file's), or NULL: the case base's */
  const CsFlagThresholds *thresholds; /* the user's adjustments, NaN fields keep this base's defaults */
  gboolean preferred_window;       /* default TRUE: window_ratio of the per-case sample (17 leave-one-out passes);
                                    * FALSE where nothing shows it (casescope-cli fit and predict) */
  double epsilon;                  /* default 1e-6: softmax truncation of every query's window and attended set
                                    * (CsPredictOptions.epsilon; 0: dense, exact). The predictions themselves
                                    * are the dense sums whatever its value */
  double interval_min_eff;         /* default CS_ENGINE_INTERVAL_MIN_EFF (development runs vary it); -c: c effective
                                    * residuals in each tail, c x 2 / (1 - level) */
  int interval_scaled;             /* -1: default (INTERVALS.md), CS_ENGINE_INTERVAL_SCALE_*: development runs */
  int interval_need_mass;          /* likewise */
  int interval_test_mass;          /* likewise */
  int interval_wide;               /* likewise: 1 tempers over every case when the attended set is too small */
  const CsModelFile *model;        /* set by cs_engine_options_use_model: what its fit measured (baselines,
                                    * diagnostics, per-case sample) is taken instead of measured again when it
                                    * was measured on this very case base, with the model's mean, sd and
                                    * metric (cs_engine_take_model_measures) */
  CsEngine *measures_from;         /* follow mode: an earlier snapshot whose cases are this base's first rows, built
                                    * with this build's mean, sd and metric (CS_ENGINE_FIT_NONE): its baselines,
                                    * diagnostics, per-case sample and thresholds are copied instead of measured
                                    * again (the per-case arrays then cover the sample only: per_case and
                                    * case_verdict are NULL for the grown base). NULL: measure */
} CsEngineOptions;

void        cs_engine_options_init    (CsEngineOptions         *options);
/* Use a model file's standardisation and metric (no fit); storage holds the metric while options is used
 * (cs_metric_clear after). FALSE with an error naming the problem when the file's metric is not usable. */
gboolean    cs_engine_options_use_model (CsEngineOptions       *options,
                                       const CsModelFile       *model,
                                       CsMetric                *storage,
                                       GError                 **error);

/* The prediction intervals' material a model file stores for the n cases of d features it was fitted on, as
 * an engine opened from it takes it: every case's leave-one-out residual and local spread (NaN outside the
 * loss sample), the residual scales measured with truncation epsilon, and the loss cases (*loss_cases < n: the
 * residuals are those of cs_sample_gather's evenly spaced rows). Newly allocated arrays of n (g_free). FALSE
 * with *why (g_free) when the file lacks them: casescope-batch, which cannot measure them over its shards. */
gboolean    cs_model_file_interval_residuals (const CsModelFile  *mf,
                                              gsize               n,
                                              gsize               d,
                                              double              epsilon,
                                              double            **residual,
                                              double            **spread,
                                              double            **abs_scale,
                                              gsize              *loss_cases,
                                              char              **why);

/* Build an engine snapshot: standardise, fit (when asked), diagnose. metric: the starting or fixed metric
 * (NULL: scalar at the rule-of-thumb scale). thresholds: the user's adjustments, NaN fields (or NULL) keep the
 * defaults derived from this case base (cs_flag_thresholds_init_for_base). progress may be NULL; called on the
 * worker thread. */
typedef void (*CsEngineProgress) (double      fraction,
                                  const char *stage,
                                  gpointer    user_data);

CsEngine   *cs_engine_build_full      (CsCaseBase              *cases,
                                       const CsEngineOptions   *options,
                                       CsEngineProgress         progress,
                                       gpointer                 progress_data,
                                       GCancellable            *cancellable,
                                       GError                 **error);
CsEngine   *cs_engine_build           (CsCaseBase              *cases,
                                       CsEngineFit              fit,
                                       const CsMetric          *metric,
                                       const char              *metric_label,
                                       const CsFlagThresholds  *thresholds,
                                       CsEngineProgress         progress,
                                       gpointer                 progress_data,
                                       GCancellable            *cancellable,
                                       GError                 **error);
void        cs_engine_build_async     (CsCaseBase              *cases,
                                       CsEngineFit              fit,
                                       const CsMetric          *metric,
                                       const char              *metric_label,
                                       const CsFlagThresholds  *thresholds,
                                       CsEngineProgress         progress,
                                       gpointer                 progress_data,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
CsEngine   *cs_engine_build_finish    (GAsyncResult            *result,
                                       GError                 **error);
CsEngine   *cs_engine_ref             (CsEngine                *self);
void        cs_engine_unref           (CsEngine                *self);
/* Window half-width of feature j in its own units: sd_j / sqrt(M_jj). */
double      cs_engine_half_width      (CsEngine                *self,
                                       gsize                    j);
/* Rule-of-thumb scalar scale for a case base (Scott), the start before any fit. */
double      cs_engine_default_scale   (const CsCaseBase        *cases);

typedef struct
{
  gsize index;                     /* case index */
  double weight;
  double y;
  double distance;                 /* standardised */
} CsUsedCase;

typedef struct
{
  CsEngine *engine;
  double *query;                   /* d, original units */
  gssize exclude;                  /* leave-one-out case or -1 */
  guint serial;

  gboolean valid;                  /* FALSE: no prediction; report says why (verdict stop) */
  CsPrediction prediction;         /* as the engine returned it */
  CsLocalDiagnostics local;
  double *weights;                 /* n, or NULL (cs_engine_predict) */
  double *half_width;              /* d, original units, weighted 90 % quantile of |x_ij - x_j| */
  guint k;
  CsUsedCase *top;                 /* k cases, largest weight first */
  double top_weight, top_sum;      /* sums over the top k */
  double rest_weight, rest_sum;    /* every other case */
  double exact_sum;                /* sum_i w_i y_i over all cases (recomputed here) */
  double weight_dropped;           /* share of the weight the window and the attended set leave out (truncation
                                    * at the engine's epsilon: <= epsilon; NaN without a prediction) */
  gsize n_kept;                    /* cases in the attended set */
  CsFlagReport report;
  CsIntervalSpec spec;             /* what the interval and p_in_spec were asked for */
  CsInterval interval;             /* the prediction interval at spec.level */
  double p_in_spec;                /* share of the same weighted residuals inside the limits; NaN without limits */
  gint *levels;                    /* per category column (cs_engine_n_categories) the query's level,
                                    * CS_LEVEL_UNKNOWN (-1) when it is none of the case base's, CS_LEVEL_NOT_GIVEN
                                    * (-2) when the query did not give it: then every case counts as another
                                    * value and the result carries a low-support check flag */
} CsQueryResult;

/* q queries (rows of d values in original units; NaN or infinite values are refused one by one), each with
 * its prediction, window, top k cases and fail-safe report; without the weights of every case (result->weights
 * is NULL). exclude: q case indices to leave out (leave-one-out), or NULL. Results are newly allocated
 * (cs_query_result_free each, or cs_engine_results_free). */
CsQueryResult **cs_engine_predict     (CsEngine                *self,
                                       const double            *queries,
                                       gsize                    q,
                                       const gssize            *exclude,
                                       guint                    k,
                                       GCancellable            *cancellable,
                                       GError                 **error);
/* The same with an interval at spec->level and p_in_spec for spec's limits (spec NULL: the default level, no
 * limits; cs_engine_predict is this with NULL). */
CsQueryResult **cs_engine_predict_spec (CsEngine               *self,
                                       const double            *queries,
                                       gsize                    q,
                                       const gssize            *exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       GCancellable            *cancellable,
                                       GError                 **error);
/* The same with the queries' category levels: levels holds q * cs_engine_n_categories codes (from
 * cs_engine_category_level; CS_LEVEL_UNKNOWN for a value the case base does not have, CS_LEVEL_NOT_GIVEN for one
 * the query left out), or NULL: none given (a leave-one-out
 * query takes its case's). A query whose level is unknown, or whose levels no attended case has together, gets
 * a low-support check flag naming the column and the value. */
CsQueryResult **cs_engine_predict_levels (CsEngine             *self,
                                       const double            *queries,
                                       const gint              *levels,
                                       gsize                    q,
                                       const gssize            *exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       GCancellable            *cancellable,
                                       GError                 **error);
void           cs_engine_results_free (CsQueryResult          **results,
                                       gsize                    q);
/* The fail-safe report of case sample_rows[k], leave-one-out (k < n_sample). */
void           cs_engine_case_report  (CsEngine                *self,
                                       gsize                    k,
                                       CsFlagReport            *report);
/* The fail-safe's names, for front ends (model/cs-flags.h): "noise_check", ... (NULL past the end);
 * "high_noise", ...; a threshold by name (set: 0, or -1 for an unknown name; get: NaN when unknown). */
const char    *cs_engine_threshold_name (gsize                  i);
const char    *cs_engine_flag_name    (CsFlagKind               kind);
int            cs_engine_thresholds_set (CsFlagThresholds      *t,
                                       const char              *name,
                                       double                   value);
double         cs_engine_thresholds_get (const CsFlagThresholds *t,
                                       const char              *name);
/* 0 when the thresholds are consistent (checks positive, not beyond their stops). */
int            cs_engine_thresholds_validate (const CsFlagThresholds *t);
/* Why no prediction was made, in plain words. */
const char    *cs_engine_failure_reason (CsFlagFailure          failure);
/* Names of the metric kinds: "scalar", "diagonal", "full". */
const char    *cs_engine_metric_name  (CsMetricKind             kind);

CsQueryResult *cs_engine_query        (CsEngine                *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       GCancellable            *cancellable);
CsQueryResult *cs_engine_query_spec   (CsEngine                *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       GCancellable            *cancellable);
CsQueryResult *cs_engine_query_levels (CsEngine                *self,
                                       const double            *query,
                                       const gint              *levels,
                                       gssize                   exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       GCancellable            *cancellable);
/* "in spec, 97 %", "out of spec, 88 %" (the larger side's probability), "borderline, 60 % in spec", or NULL
 * without limits or a probability (g_free). */
char          *cs_query_result_spec_words (const CsQueryResult *self);
/* "90 % of outcomes like this one fall between 41.2 and 47.9 MPa" (unit may be NULL), or NULL (g_free). */
char          *cs_query_result_interval_words (const CsQueryResult *self,
                                       const char              *unit);
void           cs_engine_query_async  (CsEngine                *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       guint                    serial,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
/* The same with an interval at spec->level and spec's limits (copied; NULL: the defaults). */
void           cs_engine_query_async_spec (CsEngine            *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       guint                    serial,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
/* The same with the query's category levels (cs_engine_n_categories codes, copied; NULL: none given). */
void           cs_engine_query_async_levels (CsEngine          *self,
                                       const double            *query,
                                       const gint              *levels,
                                       gssize                   exclude,
                                       guint                    k,
                                       const CsIntervalSpec    *spec,
                                       guint                    serial,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
CsQueryResult *cs_engine_query_finish (GAsyncResult            *result,
                                       GError                 **error);
void           cs_query_result_free   (CsQueryResult           *self);
CsQueryResult *cs_query_result_copy   (const CsQueryResult     *self);

/* The leave-one-out RMSE (target units) of the engine over every feature but j, on the same loss cases: the
 * error a query without feature j is answered with (cs-engine-missing.c). Built on first use and kept with the
 * engine; NaN with an error when it cannot be built (d < 2, cancelled). */
double         cs_engine_loo_rmse_without (CsEngine            *self,
                                       gsize                    j,
                                       GCancellable            *cancellable,
                                       GError                 **error);

/* Category columns (text columns with few levels, compared by equality; a mismatch costs lambda_c in the score):
 * their number, name, level names in first-seen order (NULL-terminated; for the query editor's drop-down), the
 * code of a level name (-1 when no case has it), and the fitted penalty (0: the column changes no weight). */
gsize               cs_engine_n_categories    (const CsEngine  *self);
const char         *cs_engine_category_name   (const CsEngine  *self,
                                               gsize            c);
const char * const *cs_engine_category_levels (const CsEngine  *self,
                                               gsize            c);
/* The fail-safe's category words for a query's levels (cat_names: n_cat names; cat_levels: per column its level
 * names): which columns the query left out or gave a value no case has, else the combination no attended case
 * has. The engine and casescope-batch say the same thing through it. Free with g_free. */
char               *cs_engine_category_message (const char * const        *cat_names,
                                               const char * const * const *cat_levels,
                                               gsize                       n_cat,
                                               const gint                 *levels);
gint                cs_engine_category_level  (const CsEngine  *self,
                                               gsize            c,
                                               const char      *level);
double              cs_engine_category_lambda (const CsEngine  *self,
                                               gsize            c);
/* Whether case case_index has the query's level in column c ("same supplier": 1, "other supplier": 0), or -1
 * when the query has no known level there. For the used-cases list. */
int                 cs_query_result_category_match (const CsQueryResult *self,
                                               gsize            case_index,
                                               gsize            c);

/* "very similar", "similar", "somewhat similar", "different": distance against the 90 % radius. */
const char *cs_similarity_words       (double                   distance,
                                       double                   radius90);
/* "looks at cases within ±2.1 degC, ±0.3 bar" from half-widths in original units. */
char       *cs_window_words           (CsCaseBase              *cases,
                                       const double            *half_width);
/* A compact number for labels (3 significant digits, no exponent for usual values). */
char       *cs_format_number          (double                   value);
/* Three significant digits, for windows and differences. */
char       *cs_format_short           (double                   value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsEngine, cs_engine_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsQueryResult, cs_query_result_free)

G_END_DECLS
