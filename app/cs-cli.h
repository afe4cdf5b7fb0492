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
/* Up to CS_CLI_EXACT_MAX cases every case counts in the fit's loss, the noise estimate,
 * the window median and the per-case charts; above, CS_CLI_SAMPLE evenly spaced cases do
 * (each still against the whole base), so a pass costs O(CS_CLI_SAMPLE n), not O(n^2). */
#define CS_CLI_EXACT_MAX 20000
#define CS_CLI_SAMPLE    1000
/* Those cases for a base of n: requested (> 0, at most n), else all or CS_CLI_SAMPLE. */
gsize    cs_cli_sample_size     (gsize           n,
                                 gint64          requested);
/* Case i of a standardised base z (n x d) in original units, into buf (d entries): mean + sd z. */
const double *cs_cli_raw_row    (const double   *z,
                                 const double   *mean,
                                 const double   *sd,
                                 gsize           d,
                                 gsize           i,
                                 double         *buf);
/* Engine threads for a prediction with CS_PREDICT_WINDOW over n cases: each holds about
 * 4 n doubles of scratch, kept within 32 MiB in all (one thread from about 500,000 cases),
 * so a large case base stays within twice its payload. */
int      cs_cli_window_threads  (gsize           n);

/* Sub-commands. */
int cs_cli_generate (int argc, char **argv);
int cs_cli_fit      (int argc, char **argv);
int cs_cli_predict  (int argc, char **argv);
int cs_cli_diagnose (int argc, char **argv);
int cs_cli_bench    (int argc, char **argv);
int cs_cli_pretrain (int argc, char **argv);
int cs_cli_inspect (int argc, char **argv);
int cs_cli_export (int argc, char **argv);

G_END_DECLS
