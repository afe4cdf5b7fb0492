/* cs-model-file.h: versioned model files (JSON): features, scaling, metric M, fit report, case-base record.
 *
 * A model file records what a fit needs to be reused on the same kind of case
 * base: the feature names in order and the target, the standardisation (mean
 * and sd of every feature) the metric was fitted in, the metric itself (kind,
 * its parameters, and the d x d matrix M for readers), the fit report and,
 * since version 2, which case base it was fitted on. Files are validated on
 * load; cs_model_file_check_columns() refuses a model for other columns with a
 * message naming the difference, cs_model_file_describe_base_mismatch() only
 * notes a different case base. Written atomically. The data layer does not
 * depend on model/: the metric is plain numbers here.
 *
 *   { "format": "casescope-model", "version": 2,
 *     "source": "press-line.csv", "target": "thickness",
 *     "source_sha256": "9f2c...", "source_rows": 1200, "source_columns": 7,
 *     "features": ["speed", ...], "mean": [...], "sd": [...],
 *     "score": "distance",
 *     "metric": { "kind": "scalar", "scale": 8.1, "diag": null, "rank": 0, "A": null,
 *                 "M": [[...], ...] },
 *     "fit": { "n": 1200, "loo_mse": 0.01, "loo_mse_linear": 0.3, "passes": 6,
 *              "noise_sd": 0.09 } }
 *
 * Fields by version:
 *   1  format, version, source, target, features, mean, sd, score, metric{kind, scale, diag, rank, A, M},
 *      fit{n, loo_mse, loo_mse_linear, passes, noise_sd}. A version 1 file's loo_mse_linear is linear
 *      attention's (degenerate) leave-one-out error: the reader drops it (NaN) with a note.
 *   2  loo_mse_linear is the least-squares baseline's exact leave-one-out error;
 *      source_sha256 (hex SHA-256 of the CSV file's bytes, or null), source_rows (cases used, 0 unknown),
 *      source_columns (columns in the file, 0 unknown).
 *   3  what the fit measured and the engine needs to answer queries, so a build from the model skips the
 *      measuring: named numbers by section, { "baselines": { "noise_sd": 0.09, ... }, "diagnostics": {...},
 *      "engine": {...} }, "base_fingerprint": "<hex>" (a member per field: the reader keeps every name it finds, finite or null, and the
 *      engine takes the names it knows and re-measures when one it needs is missing), and per-case columns
 *      in a binary sidecar next to the JSON,
 *        "per_case": { "file": "m.json.cases", "sha256": "<hex of the sidecar's bytes>", "count": 250,
 *                      "columns": ["row", "prediction", ...] }
 *      The sidecar: the 8 bytes "CSCASES\n", then little-endian uint32 version (1), uint32 columns, uint64
 *      count, then columns x count little-endian doubles, one column after the other in the JSON's order.
 *      cs_model_file_load() refuses a sidecar that is missing, of another SHA-256 or of another shape, with
 *      a message naming it. The version goes up because a version 3 model can be two files: a reader that
 *      does not know the sidecar would take a JSON whose sidecar is missing or stale without a word.
 *
 * Compatibility rules. The reader ignores members it does not know, and every member added after version 1
 * is optional (absent or null means unknown). So a later change that only ADDS members (baselines,
 * residuals, a preferred window, ...) keeps "version": older readers of that version read such files and
 * skip the new members, newer readers treat their absence as unknown. "version" goes up only when a file
 * could be misread by an older reader (a member changes meaning or becomes required); a reader refuses
 * versions above CS_MODEL_FILE_VERSION with a message naming both. Reading an earlier version fills what it
 * lacks (unknown, or derived: a version 1 file's source_rows is its fit report's n) and says so in notes.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

#define CS_MODEL_FILE_FORMAT "casescope-model"
#define CS_MODEL_FILE_VERSION 3
/* The sidecar of per-case columns: magic and version of its header (24 bytes). */
#define CS_MODEL_SIDECAR_MAGIC "CSCASES\n"
#define CS_MODEL_SIDECAR_VERSION 1

typedef enum
{
  CS_MODEL_METRIC_SCALAR = 0,   /* same order as CsMetricKind in model/cs-attention.h */
  CS_MODEL_METRIC_DIAGONAL,
  CS_MODEL_METRIC_FULL,
} CsModelMetricKind;

typedef struct
{
  int version;               /* of the file read (1 .. CS_MODEL_FILE_VERSION); files are written as the newest */
  char *source;              /* display name of the case base it was fitted on (may be NULL) */
  char *target;              /* target column name */

  /* The case base it was fitted on (version 2). */
  char *source_sha256;       /* 64 lowercase hex digits of the CSV file's bytes, NULL when unknown */
  gsize source_rows;         /* cases used by the fit (0: unknown) */
  gsize source_columns;      /* columns in the file, all roles (0: unknown) */

  gsize d;
  char **features;           /* d names (NULL-terminated strv) */
  double *mean;              /* d */
  double *sd;                /* d (as used: 0 is stored as 1) */
  gboolean dot;              /* score form: FALSE distance (default), TRUE dot */

  CsModelMetricKind kind;
  double scale;              /* scalar */
  double *diag;              /* d, diagonal (NULL otherwise) */
  gsize rank;                /* full */
  double *A;                 /* rank * d, full (NULL otherwise) */

  /* Fit report (NaN when unknown). */
  gsize n;
  double loo_mse;
  double loo_mse_linear;
  int passes;
  double noise_sd;

  /* What the fit measured (version 3): named numbers by section ("baselines", "diagnostics", "engine"),
   * NaN when measured as unknown; use cs_model_file_set_number / _lookup_number. */
  GPtrArray *numbers;        /* of CsModelNumber *, never NULL */
  /* A fingerprint of the case base's numbers the measurements belong to (64 hex digits, version 3; NULL:
   * unknown): the engine's, so measurements can be matched to a case base too large to hash its file. */
  char *base_fingerprint;
  /* Per-case columns (version 3, in the sidecar): column_count values in each. */
  gsize column_count;
  GPtrArray *columns;        /* of CsModelColumn *, never NULL (empty: none) */

  /* Category columns (optional member "categories": [{"name", "lambda", "levels": [...]}], added within
   * version 3: an older reader skips it and fits no penalty). n_cat 0 without. */
  gsize n_cat;
  char **cat_names;          /* n_cat names (NULL-terminated strv), or NULL */
  double *cat_lambda;        /* n_cat mismatch penalties >= 0 */
  char ***cat_levels;        /* n_cat NULL-terminated level names the fit saw, in their first-seen order */
  /* For the reader, filled on load (never written): sentences about what an earlier version lacked. */
  GPtrArray *notes;          /* of char *, never NULL (empty when nothing to say) */
} CsModelFile;

typedef struct
{
  char *section;
  char *name;
  double value;
} CsModelNumber;

typedef struct
{
  char *name;
  double *values;            /* column_count of the file */
} CsModelColumn;

CsModelFile *cs_model_file_new        (gsize               d);
void         cs_model_file_free       (CsModelFile        *self);

/* The d x d matrix M (standardised units), row-major, newly allocated (g_free). */
double      *cs_model_file_get_matrix (const CsModelFile  *self);

/* Set (add or replace) the number section.name. */
void          cs_model_file_set_number    (CsModelFile        *self,
                                           const char         *section,
                                           const char         *name,
                                           double              value);
/* TRUE with *value when the file has section.name (NaN when it was stored as unknown). */
gboolean      cs_model_file_lookup_number (const CsModelFile  *self,
                                           const char         *section,
                                           const char         *name,
                                           double             *value);
/* Set (add or replace) a per-case column of count values (copied). Every column has the same count: setting
 * one of another count drops the others first. */
void          cs_model_file_set_column    (CsModelFile        *self,
                                           const char         *name,
                                           const double       *values,
                                           gsize               count);
/* The column's column_count values, or NULL when the file has none of that name. */
const double *cs_model_file_get_column    (const CsModelFile  *self,
                                           const char         *name);
/* The sidecar of a model file path: path + ".cases" (g_free). */
char         *cs_model_file_sidecar_path  (const char         *path);

/* The JSON of the file; its "per_case" member names sidecar_sha256 (NULL: no per-case columns written). */
JsonNode    *cs_model_file_to_json_full (const CsModelFile  *self,
                                         const char         *sidecar_name,
                                         const char         *sidecar_sha256);
JsonNode    *cs_model_file_to_json    (const CsModelFile  *self);
/* Validates everything; errors are CS_DATA_ERROR_MODEL_FILE with a sentence naming the field. */
CsModelFile *cs_model_file_from_json  (JsonNode           *node,
                                       GError            **error);

/* Writes the sidecar (when there are per-case columns) and then the JSON, each atomically; loading reads the
 * sidecar back (refusing one that does not match, naming it). from_json alone has no folder to find a sidecar
 * in: its columns stay empty. */
gboolean     cs_model_file_save       (const CsModelFile  *self,
                                       const char         *path,
                                       const char * const *protected_paths,
                                       GError            **error);
CsModelFile *cs_model_file_load       (const char         *path,
                                       GError            **error);

/* TRUE when base has exactly the model's features (same names, same order) and
 * target; otherwise CS_DATA_ERROR_MODEL_FILE naming the first difference. */
gboolean     cs_model_file_check_columns (const CsModelFile *self,
                                          const CsCaseBase  *base,
                                          GError           **error);

/* A human note when the model was fitted on another case base than the one described by sha256 (hex, may be
 * NULL when unknown) and rows (cases used): "fitted on another case base (press-line.csv, 1,200 rows, file
 * 3f9a0c12b7e4…; this one has 1,400 rows, file 77ab…)". NULL when they match or when the model does not
 * record its case base (version 1). It never refuses: columns are checked by cs_model_file_check_columns(). */
char        *cs_model_file_describe_base_mismatch (const CsModelFile *self,
                                                   const char        *sha256,
                                                   gsize              rows);

/* Hex SHA-256 of a regular file's bytes, read in 1 MiB chunks (never the whole file in memory); NULL with
 * CS_DATA_ERROR_IO naming the file when it is not a regular file or cannot be read. */
char        *cs_file_sha256            (const char         *path,
                                        GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsModelFile, cs_model_file_free)

G_END_DECLS
