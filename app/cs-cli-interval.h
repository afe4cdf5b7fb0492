/* cs-cli-interval.h: the prediction interval and spec limits on the command line (--level, --spec-lower,
 * --spec-upper) and in its JSON (interval, p_in_spec, spec), shared by every sub-command that shows a
 * prediction. */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-engine.h"

G_BEGIN_DECLS

/* The options' storage: level defaults to CS_ENGINE_DEFAULT_LEVEL, limits to NaN (none). */
typedef struct
{
  double level, spec_lower, spec_upper;
} CsCliInterval;

#define CS_CLI_INTERVAL_ENTRIES(iv)                                                                               \
  { "level", 0, 0, G_OPTION_ARG_DOUBLE, &(iv).level,                                                              \
    "Prediction interval level, between 0 and 1 (default 0.9)", "P" },                                            \
  { "spec-lower", 0, 0, G_OPTION_ARG_DOUBLE, &(iv).spec_lower,                                                   \
    "Lower spec limit of the outcome, in its units (p_in_spec)", "X" },                                           \
  { "spec-upper", 0, 0, G_OPTION_ARG_DOUBLE, &(iv).spec_upper,                                                   \
    "Upper spec limit of the outcome, in its units (p_in_spec)", "Y" }

void     cs_cli_interval_init  (CsCliInterval       *iv);
/* The engine's spec from the options; FALSE after a usage message on stderr (the caller exits 2). */
gboolean cs_cli_interval_spec  (const char          *command,
                                const CsCliInterval *iv,
                                CsIntervalSpec      *spec);
/* Members "interval" {level, lower, upper} (null without one), and with limits "p_in_spec" and "spec" (the
 * words: "in spec, 97 %"). */
void     cs_cli_json_interval  (JsonBuilder         *b,
                                const CsQueryResult *r);
/* "  90 % of outcomes like this one fall between A and B MPa" and, with limits, "  spec: in spec, 97 %". */
void     cs_cli_print_interval (const CsCaseBase    *base,
                                const CsQueryResult *r);

G_END_DECLS
