/* cs-cli-flags.h: the fail-safe on the command line (predict, diagnose). */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define THRESHOLD_HELP "Fail-safe thresholds, repeatable or comma-separated (noise_check, noise_stop, variation_check, " \
  "variation_stop, neff_check, neff_stop, distance_check, distance_stop, range_check, range_stop)"

/* Each --threshold NAME=VALUE[,NAME=VALUE...] into t; unset thresholds are NaN (the case base's defaults). */
int  cs_cli_thresholds_parse (const char             *cmd,
                              char                  **args,
                              CsFlagThresholds       *t);
/* A usage error when the engine kept its defaults because the thresholds asked for were inconsistent. */
int  cs_cli_thresholds_check (const char             *cmd,
                              const CsFlagThresholds *asked,
                              const CsEngine         *engine);
void cs_cli_json_thresholds  (JsonBuilder            *b,
                              const CsFlagThresholds *t);
/* "verdict" and "flags" members; full flags, or kind and severity only. */
void cs_cli_json_flags       (JsonBuilder            *b,
                              const CsCaseBase       *base,
                              const CsFlagReport     *r,
                              gboolean                full);

G_END_DECLS
