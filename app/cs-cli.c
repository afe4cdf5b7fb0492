/* cs-cli.c: helpers shared by the casescope-cli sub-commands. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-data-error.h"
#include "cs-json.h"

gboolean
cs_cli_parse (GOptionContext *context,
              const char     *command,
              int            *argc,
              char         ***argv)
{
  g_autoptr(GError) error = NULL;

  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cs_cli_usage_error (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

int
cs_cli_usage_error (const char *command,
                    const char *format,
                    ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("casescope-cli %s: %s\n", command, msg);
  g_printerr ("Usage: casescope-cli %s [OPTION...]  (see casescope-cli %s --help)\n", command, command);
  return CS_EXIT_USAGE;
}

int
cs_cli_fail (const char   *command,
             const GError *error)
{
  g_printerr ("%s\n", error->message);
  if (error->domain == CS_DATA_ERROR)
    switch ((CsDataError) error->code)
      {
      case CS_DATA_ERROR_WRITE:
      case CS_DATA_ERROR_WOULD_OVERWRITE:
        return CS_EXIT_WRITE;
      case CS_DATA_ERROR_CANCELLED:
        return CS_EXIT_FAILURE;
      case CS_DATA_ERROR_IO:
      case CS_DATA_ERROR_PARSE:
      case CS_DATA_ERROR_ENCODING:
      case CS_DATA_ERROR_BAD_VALUE:
      case CS_DATA_ERROR_MISSING_COLUMN:
      case CS_DATA_ERROR_NO_DATA:
      case CS_DATA_ERROR_MODEL_FILE:
      default:
        return CS_EXIT_DATA;
      }
  if (error->domain == G_FILE_ERROR || error->domain == G_IO_ERROR)
    return CS_EXIT_DATA;
  (void) command;
  return CS_EXIT_FAILURE;
}

void
cs_cli_print_json (JsonNode *node)
{
  g_autofree char *text = cs_json_to_string (node);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
  json_node_unref (node);
}

gboolean
cs_cli_parse_finite (const char *text,
                     double     *out)
{
  char *end = NULL;
  double v;

  /* Decimal only: g_ascii_strtod would also read hexadecimal floats ("0x10" as 16). */
  if (text == NULL || text[0] == '\0' || strpbrk (text, "xX") != NULL)
    return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}
