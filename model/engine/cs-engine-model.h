/* cs-engine-model.h: an engine snapshot to a model file and back, and the record of the case base it was fitted
 * on (GLib only, no GTK: meant to move into the engine library with cs-engine.c).
 *
 * A model file written here has the fields `casescope-cli fit --save` writes: the features and target, the
 * standardisation the engine used (the case base's mean and sd, an sd of 0 stored as 1), the metric, the fit
 * report and the case-base record (SHA-256 of the file's bytes, cases used, columns in the file). Reading one
 * back gives the metric in the engine's own units: the engine standardises with the case base's sd, the model
 * with its own, so the metric is rescaled feature by feature (the mean drops out of a distance). */
#pragma once

#include <glib.h>

#include "cs-case-base.h"
#include "cs-engine.h"
#include "cs-model-file.h"

G_BEGIN_DECLS

/* The model file of engine (metric, standardisation, fit report) with the case-base record. source_name: the
 * display name to record (NULL: the case base's); sha256: hex SHA-256 of its file (may be NULL: unknown);
 * columns: columns in that file (0: unknown). */
CsModelFile *cs_engine_to_model_file          (CsEngine           *engine,
                                               const char         *source_name,
                                               const char         *sha256,
                                               gsize               columns);

/* Take what mf's fit measured into self, an engine under construction over the case base mf was fitted on
 * with mf's standardisation and metric: the fail-safe baselines (CsFlagBase's measured fields by name), the
 * global diagnostics, the linear baseline's and the metric's leave-one-out errors, the median 90 % radius and
 * the per-case sample (rows, leave-one-out diagnostics, nearest cases, preferred window when stored). FALSE,
 * with self unchanged and *why set to a sentence, when anything needed is missing (an earlier version, a field
 * added since) or the case base is not the one recorded (SHA-256, rows, columns); the caller measures then. */
gboolean     cs_engine_take_model_measures    (CsEngine           *self,
                                               const CsModelFile  *mf,
                                               char              **why);

/* The metric of mf for an engine over cases, in the engine's standardised units (out is initialised; free
 * with cs_metric_clear). Refuses, with CS_DATA_ERROR_MODEL_FILE, a model for other columns (the message of
 * cs_model_file_check_columns), a model with the dot-product score (the engine scores by distance) and a
 * scaling that overflows on this case base. A scalar metric stays scalar when every feature keeps its spread,
 * else it becomes the equivalent diagonal one. */
gboolean     cs_engine_metric_from_model_file (const CsModelFile  *mf,
                                               const CsCaseBase   *cases,
                                               CsMetric           *out,
                                               GError            **error);

/* The model's category penalties onto m for this case base's category columns, matched by name (a column the
 * model lacks gets 0). */
CsStatus     cs_engine_metric_add_model_categories (CsMetric          *m,
                                               const CsModelFile  *mf,
                                               const CsCaseBase   *cases);

/* "scalar, from press-line-model.json" (file_name may be NULL: "from a model file"). */
char        *cs_engine_model_label            (const CsModelFile  *mf,
                                               const CsMetric     *metric,
                                               const char         *file_name);

/* The record of where cases came from, for a model file: *sha256 (hex, or NULL when there are no bytes to hash)
 * and *columns (0 when they cannot be counted). The case base's own hash is used when the importer kept one;
 * otherwise its file is hashed in 1 MiB chunks, or, for an embedded sample (no path), the sample's bytes.
 * known_columns: the importer's column count, or 0 to count the columns of the file's first 64 KiB. Reads
 * whole files: call it on a worker. FALSE with an error only when the file cannot be read. */
gboolean     cs_engine_source_record          (const CsCaseBase   *cases,
                                               gsize               known_columns,
                                               char              **sha256,
                                               gsize              *columns,
                                               GError            **error);

G_END_DECLS
