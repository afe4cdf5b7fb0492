/* cs-engine-private.h: what the engine's files share and front ends do not see. */
#pragma once

#include "cs-engine.h"

G_BEGIN_DECLS

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

double cs_engine_interval_score (const CsEngine *self,
                                 gsize           i);

G_END_DECLS
