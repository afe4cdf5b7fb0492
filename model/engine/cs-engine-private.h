/* cs-engine-private.h: what the engine's files share and front ends do not see. */
#pragma once

#include "cs-engine.h"
#include "cs-engine-charts.h"
#include "cs-window-pref.h"

G_BEGIN_DECLS

/* The rule and gamma the engine measures the window the data asks for with (measure_window_ratio); a model file
 * stores them with its ratios, and an engine takes stored ratios only of these. */
#define CS_ENGINE_WINDOW_PREF_RULE  CS_WINDOW_PREF_RULE_INTERSECT
#define CS_ENGINE_WINDOW_PREF_GAMMA CS_WINDOW_PREF_GAMMA

/* A model call's progress (0..1) mapped onto [from, to] of a front end's progress, with its stage; Cancel
 * through the cancellable. user_data of cs_engine_progress_cb. */
typedef struct
{
  CsEngineProgress progress;
  gpointer data;
  GCancellable *cancellable;
  const char *stage;
  double from, to;
} CsEngineProgressRelay;

int cs_engine_progress_cb (double  fraction,
                           void   *user_data);

/* The interval at spec->level and p_in_spec of one query from its attended set (cs-engine-interval.c); zq: the
 * query standardised (the weights over the loss sample above CS_ENGINE_EXACT_MAX cases), self_index: the case
 * it leaves out or CS_NO_CASE; pred: its prediction. Sets interval->level to NaN (and *p_in_spec to NaN) when there is none. */
void cs_engine_interval_compute (CsEngine             *self,
                                 const CsAttended     *att,
                                 const double         *zq,
                                 size_t                self_index,
                                 const CsPrediction   *pred,
                                 const CsIntervalSpec *spec,
                                 CsInterval           *interval,
                                 double               *p_in_spec);

/* What the intervals need beyond the leave-one-out residuals, once they are there (after the loss pass, or
 * taken from a model file): with CS_ENGINE_INTERVAL_SCALE_RESIDUAL, every loss case's loo_abs_scale. */
CsStatus cs_engine_interval_prepare (CsEngine *self);

double cs_engine_interval_score (const CsEngine *self,
                                 gsize           i);
/* Missing query values (NaN), cs-engine-missing.c: how many features of x are NaN when at least one other
 * is finite and none is infinite (else 0: the query goes the usual way, and NaN everywhere is refused); and
 * the query answered by the engine over the other features, filled into r (made by the caller for self). */
gsize cs_engine_missing_count (CsEngine     *self,
                               const double *x);
void  cs_engine_missing_query (CsEngine       *self,
                               const double   *x,
                               gssize          exclude,
                               guint           k,
                               gboolean        with_weights,
                               GCancellable   *cancellable,
                               CsQueryResult  *r);

/* The leave-one-out RMSE without feature j when a query without it has been answered (its engine is kept):
 * TRUE with *out, else FALSE (nothing is built). */
gboolean cs_engine_loo_rmse_without_known (CsEngine *self,
                                           gsize     j,
                                           double   *out);

/* A query's chart parts that need the query but not its result (cs-engine-charts.c): every case's distance
 * for the case-attention chart, the feature map's case coordinates on its plane. The query's worker computes
 * them on a second thread while the query runs (cs_engine_query_charts_async); a builder takes what it can use
 * (and owns it then), the rest is cleared. */
typedef struct
{
  double *dist;          /* n, or NULL */
  double *fx, *fy;       /* n each, or NULL: the plane (jx, jy) */
  gsize jx, jy;
} CsChartPre;

void           _cs_engine_chart_pre_compute (CsEngine             *e,
                                             const double         *query,
                                             gssize                exclude,
                                             const CsChartKind    *kinds,
                                             const CsChartOptions *options,
                                             guint                 n_charts,
                                             CsChartPre           *pre);
void           _cs_engine_chart_pre_clear   (CsChartPre           *pre);
CsEngineChart *_cs_engine_chart_build_pre   (CsEngine             *engine,
                                             CsChartKind           kind,
                                             const CsQueryResult  *result,
                                             const CsChartOptions *options,
                                             CsChartPre           *pre);

G_END_DECLS
