/* cs-table-export.h: the tables behind the dashboard as CSV, through data/cs-csv-writer.h (atomic, guarded). */
#pragma once

#include "cs-csv-writer.h"
#include "cs-engine.h"

G_BEGIN_DECLS

/* The case table: line, label, features, outcome and, when the engine has them, each case's leave-one-out
 * prediction, n_eff, local noise and variation, verdict and flags, and its leave-one-out prediction interval
 * (interval_level, interval_lower, interval_upper) at the default level 0.9. */
gboolean cs_table_export_cases (CsEngine            *engine,
                                const char          *path,
                                CsCsvPreset          preset,
                                GError             **error);
/* The same with the interval at spec->level and, when spec has limits, each case's p_in_spec and its words
 * (spec NULL: the default level, no limits). The intervals are one leave-one-out batch of the engine (as the
 * operator page's In spec column): cancellable stops it. */
gboolean cs_table_export_cases_spec (CsEngine             *engine,
                                     const CsIntervalSpec *spec,
                                     const char           *path,
                                     CsCsvPreset           preset,
                                     GCancellable         *cancellable,
                                     GError              **error);
/* The cases used by one query: every case it sees with its weight, outcome, w*y and features, heaviest first
 * (the weight_x_outcome column sums to the prediction). */
gboolean cs_table_export_used  (const CsQueryResult *result,
                                const char          *path,
                                CsCsvPreset          preset,
                                GError             **error);

/* Write either table in a worker. kind: "cases" (engine) or "used" (result, copied). */
void     cs_table_export_async (const char          *kind,
                                CsEngine            *engine,
                                const CsQueryResult *result,
                                const char          *path,
                                CsCsvPreset          preset,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
/* The same with the case table's interval level and spec limits (copied; NULL: the defaults). */
void     cs_table_export_async_spec (const char          *kind,
                                     CsEngine            *engine,
                                     const CsQueryResult *result,
                                     const CsIntervalSpec *spec,
                                     const char          *path,
                                     CsCsvPreset          preset,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean cs_table_export_finish (GAsyncResult       *result,
                                 GError            **error);

G_END_DECLS
