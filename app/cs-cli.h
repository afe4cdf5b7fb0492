/* cs-cli.h: conventions shared by every casescope-cli sub-command.
 *
 * --json prints exactly one JSON object on stdout; human text otherwise.
 * Problems in input files go to stderr as FILE:LINE:COLUMN: message.
 * Exit status: 0 success, 2 usage error, 3 bad input data, 4 cannot write
 * output, 1 anything else. Outputs are written atomically (cs-atomic-file.h).
 */
#pragma once

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-json.h"

G_BEGIN_DECLS

enum
{
  CS_EXIT_OK = 0,
  CS_EXIT_FAILURE = 1,
  CS_EXIT_USAGE = 2,
  CS_EXIT_DATA = 3,
  CS_EXIT_WRITE = 4,
};

typedef int (*CsCliCommandFunc) (int    argc,
                                 char **argv);

typedef struct
{
  const char *name;
  const char *summary;
  CsCliCommandFunc func;
} CsCliCommand;

/* Parse options of a sub-command; on error prints "casescope-cli CMD: message" and
 * a usage line on stderr and returns FALSE (exit with CS_EXIT_USAGE). */
gboolean cs_cli_parse           (GOptionContext *context,
                                 const char     *command,
                                 int            *argc,
                                 char         ***argv);
int      cs_cli_usage_error     (const char     *command,
                                 const char     *format,
                                 ...) G_GNUC_PRINTF (2, 3);
/* Print the error on stderr and return the exit status its domain and code imply. */
int      cs_cli_fail            (const char     *command,
                                 const GError   *error);
/* Print one JSON object (takes ownership of node) on stdout followed by a newline. */
void     cs_cli_print_json      (JsonNode       *node);
/* A finite number in the C locale, the whole (non-empty) string consumed; *out is
 * set only on success. */
gboolean cs_cli_parse_finite    (const char     *text,
                                 double         *out);
/* Sub-commands. */
int cs_cli_generate (int argc, char **argv);
int cs_cli_fit      (int argc, char **argv);
int cs_cli_predict  (int argc, char **argv);
int cs_cli_diagnose (int argc, char **argv);
int cs_cli_bench    (int argc, char **argv);
int cs_cli_pretrain (int argc, char **argv);
int cs_cli_inspect (int argc, char **argv);
int cs_cli_export (int argc, char **argv);
int cs_cli_report (int argc, char **argv);
int cs_cli_follow (int argc, char **argv);
int cs_cli_exclude (int argc, char **argv);
int cs_cli_backtest (int argc, char **argv);

G_END_DECLS
