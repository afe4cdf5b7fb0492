/* cs-engine.h: the dashboard's bridge to the attention engine (model/): one immutable, reference-counted
 * snapshot of a case base with its fitted metric, diagnostics and fail-safe baselines, and queries against it
 * computed in GTask workers. Widgets read plain results; nothing here touches GTK. */
#pragma once

#include <gio/gio.h>

#include "cs-attention.h"
#include "cs-case-base.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"

G_BEGIN_DECLS

typedef struct _CsEngine CsEngine;

struct _CsEngine
{
  /*< private >*/
  gint ref_count;

  /*< public, read-only >*/
  CsCaseBase *cases;
  double *z;                       /* n * d standardised features (what the engine sees) */
  CsAttention *ctx;                /* with the metric below set */
  CsMetric metric;
  char *metric_label;              /* "scalar, fitted by leave-one-out", ... */
  gboolean fitted;
  CsFitReport fit;                 /* valid when fitted */
  double loo_mse_linear;           /* NaN when not computed */

  gboolean have_diagnostics;
  CsGlobalDiagnostics global;
  CsLocalDiagnostics *per_case;    /* n leave-one-out diagnostics, or NULL (too large) */
  double *nn_distance;             /* n nearest-other-case distances (standardised), or NULL */
  CsFlagBase flag_base;
  CsFlagThresholds thresholds;
  CsVerdict *case_verdict;         /* n leave-one-out verdicts, or NULL */
  guint8 *case_flags;              /* n bit sets (1 << CsFlagKind), or NULL */
};

typedef enum
{
  CS_ENGINE_FIT_NONE,              /* keep the metric given (or the data-driven start) */
  CS_ENGINE_FIT_SCALAR,
  CS_ENGINE_FIT_DIAGONAL,
  CS_ENGINE_FIT_FULL,
} CsEngineFit;

/* Build an engine snapshot: standardise, fit (when asked), diagnose. metric: the starting or fixed metric
 * (NULL: scalar at the rule-of-thumb scale). thresholds: the user's adjustments, NaN fields (or NULL) keep the
 * defaults derived from this case base (cs_flag_thresholds_init_for_base). progress may be NULL; called on the
 * worker thread. */
typedef void (*CsEngineProgress) (double      fraction,
                                  const char *stage,
                                  gpointer    user_data);

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
  double *weights;                 /* n */
  double *half_width;              /* d, original units, weighted 90 % quantile of |x_ij - x_j| */
  guint k;
  CsUsedCase *top;                 /* k cases, largest weight first */
  double top_weight, top_sum;      /* sums over the top k */
  double rest_weight, rest_sum;    /* every other case */
  double exact_sum;                /* sum_i w_i y_i over all cases (recomputed here) */
  CsFlagReport report;
} CsQueryResult;

CsQueryResult *cs_engine_query        (CsEngine                *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       GCancellable            *cancellable);
void           cs_engine_query_async  (CsEngine                *self,
                                       const double            *query,
                                       gssize                   exclude,
                                       guint                    k,
                                       guint                    serial,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data);
CsQueryResult *cs_engine_query_finish (GAsyncResult            *result,
                                       GError                 **error);
void           cs_query_result_free   (CsQueryResult           *self);
CsQueryResult *cs_query_result_copy   (const CsQueryResult     *self);

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
