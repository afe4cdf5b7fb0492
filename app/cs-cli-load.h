/* cs-cli-load.h: one load and one report for the sub-commands that read a case base (fit, predict, diagnose,
 * export): the importer's problems as inspect shows them, an optional model file, and the engine. */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-csv-loader.h"
#include "cs-engine.h"
#include "cs-model-file.h"

G_BEGIN_DECLS

typedef struct
{
  char *path;
  CsCaseBase *base;
  CsCsvReport *report;
  CsModelFile *model;              /* with --model, else NULL */
  char *model_path;
  CsEngine *engine;                /* after cs_cli_build () */
} CsCliLoaded;

/* Load path (with --target, --features, --model), print every importer problem on stderr as
 * FILE:LINE:COLUMN: message, check the model's columns. Returns an exit status. */
int  cs_cli_load          (const char            *cmd,
                           const char            *path,
                           const char            *target,
                           const char            *features,
                           const char            *model_path,
                           CsCliLoaded           *l);
int  cs_cli_check_model   (CsCliLoaded           *l,
                           const char            *model_path);
/* The engine over the loaded base: with a model file, its standardisation and metric (no fit). */
int  cs_cli_build         (const char            *cmd,
                           CsCliLoaded           *l,
                           const CsEngineOptions *options);
void cs_cli_loaded_clear  (CsCliLoaded           *l);

/* Problems as stderr lines, and as the "rows_skipped" and "problems" members (inspect --json's objects). */
void cs_cli_print_problems (const char           *path,
                            const CsCsvReport    *report);
void cs_cli_json_problems  (JsonBuilder          *b,
                            const CsCsvReport    *report);
/* Only the "problems" member (inspect writes rows_skipped with its other counts). */
void cs_cli_json_problem_array (JsonBuilder      *b,
                            const CsCsvReport    *report);
/* "cases", "loss_cases", "per_case_cases": the engine's sampling policy. */
void cs_cli_json_policy    (JsonBuilder          *b,
                            const CsEnginePolicy *policy);

G_END_DECLS
