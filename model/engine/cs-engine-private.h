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

G_END_DECLS
