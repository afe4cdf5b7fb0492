/* cs-cli-load.h: one load and one report for the sub-commands that read a case base (fit, predict, diagnose,
 * export): the importer's problems as inspect shows them, an optional model file, and the engine. */
#pragma once

#include <json-glib/json-glib.h>

#include "cs-csv-loader.h"
#include "cs-engine.h"
#include "cs-exclusions.h"
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
  CsExclusions *exclusions;        /* the side file's records (empty when there is none) */
  char *exclusions_path;           /* the side file read: --exclude FILE, else FILE.exclusions.json */
  gsize excluded;                  /* cases set aside (base holds the others) */
} CsCliLoaded;

/* The --exclude option every command that reads a case base takes (one text for every --help). */
#define CS_CLI_EXCLUDE_OPTION(var) \
  { "exclude", 0, 0, G_OPTION_ARG_FILENAME, &(var), \
    "Cases set aside, with reasons (default: FILE.exclusions.json next to FILE, when it exists)", "EXCL.json" }

/* The --metric option of the commands that fit a window when no --model is given (one text for every --help):
 * the engine's names (cs_engine_fit_from_name), auto the default. */
#define CS_CLI_METRIC_HELP \
  "Window to fit without --model: auto (default: scalar below 5 features; at 5 or more diagonal, or full " \
  "where it beats the diagonal by leave-one-out on up to 20000 cases; category columns do not count), scalar or " \
  "diagonal"
#define CS_CLI_METRIC_OPTION(var) \
  { "metric", 0, 0, G_OPTION_ARG_STRING, &(var), CS_CLI_METRIC_HELP, "KIND" }

/* --metric NAME into *fit (NULL: auto); a usage error (its exit status) for another name, for full
 * (fit --metric full only) or next to --model (which brings its own window). */
int  cs_cli_metric_parse  (const char            *cmd,
                           const char            *name,
                           const char            *model_path,
                           CsEngineFit           *fit);

/* Load path (with --target, --features, --model), print every importer problem on stderr as
 * FILE:LINE:COLUMN: message, check the model's columns, and set aside the cases of the exclusions file
 * (exclude, else path's side file when it exists): l->base holds the others. Returns an exit status. */
int  cs_cli_load          (const char            *cmd,
                           const char            *path,
                           const char            *target,
                           const char            *features,
                           const char            *model_path,
                           const char            *exclude,
                           CsCliLoaded           *l);
int  cs_cli_check_model   (CsCliLoaded           *l,
                           const char            *model_path);
/* The engine over the loaded base: with a model file, its standardisation and metric (no fit). */
int  cs_cli_build         (const char            *cmd,
                           CsCliLoaded           *l,
                           const CsEngineOptions *options);
void cs_cli_loaded_clear  (CsCliLoaded           *l);
/* For a command that loads l->base itself (follow): read the exclusions (exclude, else the side file of l->path
 * when it exists), note them on stderr and keep the other cases in l->base, as cs_cli_load does. Returns an exit
 * status. */
int  cs_cli_apply_exclusions (CsCliLoaded         *l,
                              const char          *cmd,
                              const char          *exclude);

/* Problems as stderr lines, and as the "rows_skipped" and "problems" members (inspect --json's objects). */
void cs_cli_print_problems (const char           *path,
                            const CsCsvReport    *report);
void cs_cli_json_problems  (JsonBuilder          *b,
                            const CsCsvReport    *report);
/* Only the "problems" member (inspect writes rows_skipped with its other counts). */
void cs_cli_json_problem_array (JsonBuilder      *b,
                            const CsCsvReport    *report);
/* "excluded": {"file", "cases": [{"line", "label", "reason", "when", "applied"}]}, the side file's records. */
void cs_cli_json_exclusions (JsonBuilder         *b,
                            const CsCliLoaded    *l);
/* "cases", "loss_cases", "per_case_cases": the engine's sampling policy. */
void cs_cli_json_policy    (JsonBuilder          *b,
                            const CsEnginePolicy *policy);

G_END_DECLS
