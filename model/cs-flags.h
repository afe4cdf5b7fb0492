/* cs-flags.h: fail-safe flags and verdict for one prediction.
 *
 * The rules work on plain numbers (struct CsFlagBase for the case base,
 * struct CsFlagQuery for one prediction), not on engine internals, so the
 * engine, the CLI and the UI can fill them from whatever they hold. Every
 * flag carries its kind, a severity (check / stop), the number behind it, the
 * threshold it crossed and a sentence in the case base's units. The verdict
 * is ok, check (some check flag) or stop (some stop flag).
 *
 * Fail safe by construction: a prediction that cannot be trusted to be a
 * number at all (no usable cases, NaN in the query, a model for other
 * columns, a non-finite estimate) gets a single no_prediction flag with
 * severity stop and the reason; the report's prediction is then NaN.
 *
 * Thresholds are ratios against baselines measured on the case base itself
 * (its noise level, its typical local slope, its typical nearest-case
 * distance, its observed feature ranges), so the defaults suit any case base;
 * the CLI and the UI adjust the ratios. The rules, defaults and their
 * calibration on ground truth are in model/FAILSAFE.md.
 *
 * Pure C11, no global state, reentrant. cs_flags_evaluate() does not
 * allocate; the baseline and engine helpers allocate scratch memory and
 * report failure instead of aborting.
 */
#pragma once

#include <stddef.h>

#include "cs-attention.h"
#include "cs-diagnostics.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  CS_FLAG_HIGH_NOISE,       /* cases used scatter much more than the usual noise */
  CS_FLAG_HIGH_VARIATION,   /* the outcome changes fast around the query */
  CS_FLAG_LOW_SUPPORT,      /* few effective cases, or the nearest is far away */
  CS_FLAG_OUT_OF_RANGE,     /* a feature outside the range of the case base */
  CS_FLAG_NO_PREDICTION,    /* no prediction can be computed (always stop) */
  CS_FLAG_MISSING_FEATURE,  /* a query feature had no value: predicted from the others (check) */
  CS_FLAG_N_KINDS
} CsFlagKind;

typedef enum
{
  CS_SEVERITY_NONE,
  CS_SEVERITY_CHECK,
  CS_SEVERITY_STOP
} CsSeverity;

typedef enum
{
  CS_VERDICT_OK,
  CS_VERDICT_CHECK,
  CS_VERDICT_STOP
} CsVerdict;

/* Why a prediction could not be computed (CsFlagQuery.failure, and the
 * no_prediction flag's reason). */
typedef enum
{
  CS_FLAG_FAIL_NONE,
  CS_FLAG_FAIL_NO_CASES,         /* the case base has no usable case */
  CS_FLAG_FAIL_QUERY_NAN,        /* a query feature is missing or not finite */
  CS_FLAG_FAIL_COLUMNS,          /* the model was fitted on other columns */
  CS_FLAG_FAIL_NOT_FINITE,       /* the estimate or its weights are not finite */
  CS_FLAG_FAIL_NO_MODEL,         /* no fitted window */
  CS_FLAG_FAIL_ENGINE,           /* the engine returned an error */
  CS_FLAG_FAIL_N
} CsFlagFailure;

/* Baselines of a case base: what "usual" means for it. Borrowed strings and
 * arrays must outlive every call that uses the base. */
typedef struct
{
  size_t d;                             /* features */
  size_t n_cases;                       /* usable cases */
  const char *const *feature_names;     /* d names (NULL: "feature 1", ...) */
  const char *const *feature_units;     /* d units, "" or NULL when none */
  const double *feature_min;            /* d observed minima, original units */
  const double *feature_max;            /* d observed maxima, original units */
  const double *feature_sd;             /* d standard deviations (standardised unit =
                                         * one sd), or NULL */
  const char *target_name;              /* "strength" (NULL: "outcome") */
  const char *target_unit;              /* "MPa" ("" or NULL when none) */

  double noise_sd;        /* global noise level of the outcome, target units */
  double lipschitz;       /* typical local slope, target units per standardised unit */
  double nn_distance;     /* typical (median) nearest-case distance, standardised units */
  double nn_distance_high;/* its 99th percentile over the cases (NaN: unknown) */
  double window;          /* fitted window half-width, standardised units (NaN: unknown) */
  /* Baselines of the local-fit rules (cs_flag_base_from_local); <= 0 or NaN:
   * unknown, and the rules fall back to noise_sd, window and nn_distance. */
  double usual_noise;     /* robust difference-based noise sd (trend-corrected pseudo-residuals
                           * against the nearest case under the metric, median scale), target units */
  double metric_nn_distance;      /* median nearest-other-case distance under the metric */
  double metric_nn_distance_high; /* its 99th percentile */
} CsFlagBase;

/* One prediction, as the engine reports it. Unknown numbers are NaN. */
typedef struct
{
  CsFlagFailure failure;  /* set by the caller when the engine could not predict */
  const double *x;        /* d query values in original units (NULL: not checked) */
  double y_hat;           /* the estimate */
  double local_spread;    /* sqrt (sum_i w_i (y_i - y_hat)^2) */
  double local_noise;     /* residual sd of the weighted local linear fit */
  double local_lipschitz; /* slope norm of that fit, target units per standardised unit */
  const double *gradient; /* d slopes per original unit of each feature, or NULL */
  double n_eff;           /* 1 / sum_i w_i^2 */
  double nearest_distance;/* distance to the nearest case, standardised units */
  const double *nearest_x;/* d values of that case in original units, or NULL */
  /* Read only when the base has the matching baseline (usual_noise,
   * metric_nn_distance): */
  double local_variation; /* sd of the local fit's trend over the attended cases, debiased
                           * (target units); NaN: too few cases to estimate it */
  double metric_distance; /* nearest case under the model's metric |A (x_i - x)| */
  double df_resid;        /* residual degrees of freedom of the local fit (for the messages) */
} CsFlagQuery;

/* Thresholds: ratios against the base's baselines (noise, variation,
 * distance), counts (n_eff) and fractions of the observed range (range). A
 * flag is raised at its check threshold and becomes stop at its stop
 * threshold. Set a rule's check and stop to INFINITY (both to 0 for n_eff)
 * to turn it off. */
typedef struct
{
  double noise_check;     /* local noise / usual noise */
  double noise_stop;
  double variation_check; /* spread of the local trend over the attended cases / usual noise;
                           * (old bases without usual_noise: slope x window / noise, or
                           * slope / typical slope when the window is unknown) */
  double variation_stop;
  double neff_check;      /* n_eff below this ... */
  double neff_stop;
  double distance_check;  /* nearest-case distance / typical nearest-case distance (under the
                           * metric when the base has metric_nn_distance) */
  double distance_stop;
  double range_check;     /* beyond the observed range by this fraction of it (>= 0) */
  double range_stop;
} CsFlagThresholds;

#define CS_FLAG_MESSAGE_MAX 320
#define CS_FLAGS_MAX CS_FLAG_N_KINDS

typedef struct
{
  CsFlagKind kind;
  CsSeverity severity;
  const char *measure;    /* "local_noise", "local_spread", "window_change", "local_lipschitz", "n_eff",
                           * "nearest_distance", "feature_value", "failure" */
  int feature;            /* out_of_range: index of the (worst) feature; else -1 */
  int n_features;         /* out_of_range: how many features are out of range */
  double value;           /* the number behind the flag, in the measure's unit */
  double threshold;       /* the threshold it crossed (check or stop), same unit */
  double ratio;           /* value against the baseline (noise, slope, distance), or NaN */
  char message[CS_FLAG_MESSAGE_MAX];
} CsFlag;

typedef struct
{
  CsVerdict verdict;
  CsFlagFailure failure;  /* CS_FLAG_FAIL_NONE unless verdict stop by no_prediction */
  double y_hat;           /* the estimate, NaN when there is none */
  size_t n_flags;
  CsFlag flags[CS_FLAGS_MAX];
} CsFlagReport;

/* Default thresholds (the calibrated values of model/FAILSAFE.md). */
void        cs_flag_thresholds_init     (CsFlagThresholds       *t);
/* The defaults for this case base: as cs_flag_thresholds_init(), but the
 * distance rule starts where only 1 % of the cases are as far from their own
 * nearest neighbour (check = nn_distance_high / nn_distance, stop = 1.5x
 * that), which adapts it to the number of features and to how the cases fill
 * their space. base may be NULL (plain defaults). */
void        cs_flag_thresholds_init_for_base (CsFlagThresholds *t,
                                              const CsFlagBase *base);
/* 0 when every threshold is usable (finite or +inf, check <= stop in the right
 * direction, no NaN); -1 otherwise. */
int         cs_flag_thresholds_validate (const CsFlagThresholds *t);

/* Thresholds by name, for the CLI (--threshold NAME=VALUE), settings files
 * and JSON: "noise_check", "noise_stop", "variation_check", "variation_stop",
 * "neff_check", "neff_stop", "distance_check", "distance_stop",
 * "range_check", "range_stop" (the struct's field names, in its order). */
#define CS_FLAG_N_THRESHOLDS 10
const char *cs_flag_threshold_name      (size_t                  i);  /* NULL past the end */
/* 0, or -1 for an unknown name (t unchanged). Does not validate the value. */
int         cs_flag_thresholds_set      (CsFlagThresholds       *t,
                                         const char             *name,
                                         double                  value);
/* NaN for an unknown name. */
double      cs_flag_thresholds_get      (const CsFlagThresholds *t,
                                         const char             *name);

/* Fill the base's baselines from per-case leave-one-out numbers of the case
 * base (each array has n entries, NaN entries ignored; any may be NULL to
 * leave its baseline untouched):
 *  - typical slope: the median local slope;
 *  - usual noise: the median local noise over the cases whose local slope is
 *    at most that median (local residuals are inflated by steps, curvature
 *    and noisy corners; the slowly varying half shows the usual noise), or
 *    the plain median when no slopes are given;
 *  - typical nearest-case distance: the median nearest-case distance, and
 *    nn_distance_high its 99th percentile.
 * Returns 0, or -1 when an array has no finite entry (its baseline is then
 * left untouched). */
int         cs_flag_base_from_cases     (CsFlagBase             *base,
                                         const double           *local_noise,
                                         const double           *local_lipschitz,
                                         const double           *nearest_distance,
                                         size_t                  n);

/* Fill the local-fit baselines from per-case leave-one-out diagnostics
 * (cs_diagnose_at with self_index; n entries):
 *  - usual_noise: median |pseudo_residual| / (sqrt 2 Phi^-1 (3/4)), the
 *    difference-based estimator of Rice (1984) on nearest neighbours under the
 *    metric with the trend correction of Gasser, Sroka & Jennen-Steinmetz
 *    (1986), scaled robustly (median absolute value) so that the few pairs
 *    across a step or inside a noisy region do not inflate it;
 *  - metric_nn_distance (median) and metric_nn_distance_high (99th percentile)
 *    of metric_distance.
 * Returns 0, or -1 when a measure has no finite entry (left untouched). */
int         cs_flag_base_from_local     (CsFlagBase               *base,
                                         const CsLocalDiagnostics *local,
                                         size_t                    n);

/* Evaluate the rules for one prediction. base may be NULL only when the
 * query's failure is set; t NULL means cs_flag_thresholds_init_for_base
 * (base). Never fails: anything
 * it cannot evaluate becomes a no_prediction flag. */
void        cs_flags_evaluate           (const CsFlagBase       *base,
                                         const CsFlagThresholds *t,
                                         const CsFlagQuery      *q,
                                         CsFlagReport           *report);

/* Convenience: a stop report for a failure (reason in the message). */
void        cs_flags_fail               (CsFlagReport           *report,
                                         CsFlagFailure           failure,
                                         const char             *detail);

/* A query predicted without feature `feature` (its value missing): a check flag naming it, with the
 * leave-one-out RMSE of the model without that feature (value) against the RMSE with every feature
 * (threshold field; ratio = value / threshold). Raises the verdict to check when it was ok. */
void        cs_flags_add_missing        (CsFlagReport           *report,
                                         int                     feature,
                                         const char             *feature_name,
                                         double                  rmse_without,
                                         double                  rmse_with,
                                         const char             *target_unit);

/* A query whose category value the case base lacks, or whose values no case it attends to has together: a
 * low_support check flag (measure "category") with the caller's sentence naming the column and the value.
 * Raises the verdict to check when it was ok. */
void        cs_flags_add_category       (CsFlagReport           *report,
                                         const char             *message);

/* Compare the model's feature names with the data's (same count, same names
 * in the same order). Returns -1 when they match, else the first index that
 * differs (d_model when only the counts differ); a column mismatch is
 * CS_FLAG_FAIL_COLUMNS. */
long        cs_flags_columns_differ     (const char *const      *model_names,
                                         size_t                  d_model,
                                         const char *const      *data_names,
                                         size_t                  d_data);

/* ---- With the engine ------------------------------------------------------
 * The rules above read numbers only; these two calls fill them from a
 * CsAttention context over standardised features, the way the CLI and the UI
 * (and the calibration test) use them. */

/* Measure the baselines of the context's case base: the leave-one-out local
 * diagnostics (cs_diagnose_at with the case itself excluded) and the
 * nearest-other-case distance of every case, then cs_flag_base_from_cases() and cs_flag_base_from_local();
 * also sets d, n_cases and window (1/sqrt of the metric's mean diagonal).
 * Names, units, ranges and sd are the caller's. Above 5000 cases, 5000 evenly
 * spaced cases are measured, each against the whole case base (so the spacing
 * is the full base's): O(min(n, 5000) n d^2); on very large bases fewer (the
 * work capped near 4e11 pair-units of n (d^2 + 2 d + 2), at least 500 cases:
 * 905 for 10^6 cases x 20 features). Returns the engine's status; base is
 * changed only on CS_OK. */
CsStatus    cs_flag_base_measure        (CsFlagBase             *base,
                                         const CsAttention      *ctx,
                                         CsModelProgressFunc     progress,
                                         void                   *user_data);

/* Predict and evaluate q queries given in ORIGINAL units (q * d), standardised
 * with mean and sd (d each: the standardisation the context was built with).
 * A query with a missing or infinite feature gets its own stop report (the
 * others are still predicted). case_x (n * d, original units) lets the
 * messages name how the nearest case differs; NULL: the nearest case is taken
 * back to original units from the context's cases with mean and sd. self_index (q entries or
 * NULL) excludes one case per query (leave-one-out, for per-case flags).
 * pred (q entries or NULL) receives the engine's predictions (NaN for the
 * refused queries). Every report is filled whatever happens: when the engine
 * fails, all get a stop report with its message, and its status is returned. */
CsStatus    cs_flags_predict            (const CsAttention      *ctx,
                                         const CsFlagBase       *base,
                                         const CsFlagThresholds *t,
                                         const double           *mean,
                                         const double           *sd,
                                         const double           *x,
                                         size_t                  q,
                                         const double           *case_x,
                                         const size_t           *self_index,
                                         CsPrediction           *pred,
                                         CsFlagReport           *reports);

const CsFlag *cs_flag_report_find       (const CsFlagReport     *report,
                                         CsFlagKind              kind);

const char *cs_flag_kind_name           (CsFlagKind              kind);
const char *cs_severity_name            (CsSeverity              severity);
const char *cs_verdict_name             (CsVerdict               verdict);
const char *cs_flag_failure_reason      (CsFlagFailure           failure);
/* Inverse of the names; -1 when unknown. */
int         cs_flag_kind_from_name      (const char             *name);

#ifdef __cplusplus
}
#endif
