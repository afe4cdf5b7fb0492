/* cs-model-file.h: versioned model files (JSON): features, scaling, metric M and fit report.
 *
 * A model file records what a fit needs to be reused on the same kind of case
 * base: the feature names in order and the target, the standardisation (mean
 * and sd of every feature) the metric was fitted in, the metric itself (kind,
 * its parameters, and the d x d matrix M for readers) and the fit report.
 * Files are validated on load; cs_model_file_check_columns() refuses a model
 * for other columns with a message naming the difference. Written atomically.
 * The data layer does not depend on model/: the metric is plain numbers here.
 *
 *   { "format": "casescope-model", "version": 1,
 *     "source": "press-line.csv", "target": "thickness",
 *     "features": ["speed", ...], "mean": [...], "sd": [...],
 *     "score": "distance",
 *     "metric": { "kind": "scalar", "scale": 8.1, "diag": null, "rank": 0, "A": null,
 *                 "M": [[...], ...] },
 *     "fit": { "n": 1200, "loo_mse": 0.01, "loo_mse_linear": 0.3, "passes": 6,
 *              "noise_sd": 0.09 } }
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

#define CS_MODEL_FILE_FORMAT "casescope-model"
#define CS_MODEL_FILE_VERSION 1

typedef enum
{
  CS_MODEL_METRIC_SCALAR = 0,   /* same order as CsMetricKind in model/cs-attention.h */
  CS_MODEL_METRIC_DIAGONAL,
  CS_MODEL_METRIC_FULL,
} CsModelMetricKind;

typedef struct
{
  int version;
  char *source;              /* display name of the case base it was fitted on (may be NULL) */
  char *target;              /* target column name */
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
} CsModelFile;

CsModelFile *cs_model_file_new        (gsize               d);
void         cs_model_file_free       (CsModelFile        *self);

/* The d x d matrix M (standardised units), row-major, newly allocated (g_free). */
double      *cs_model_file_get_matrix (const CsModelFile  *self);

JsonNode    *cs_model_file_to_json    (const CsModelFile  *self);
/* Validates everything; errors are CS_DATA_ERROR_MODEL_FILE with a sentence naming the field. */
CsModelFile *cs_model_file_from_json  (JsonNode           *node,
                                       GError            **error);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsModelFile, cs_model_file_free)

G_END_DECLS
