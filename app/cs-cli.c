/* cs-cli.c: helpers shared by the casescope-cli sub-commands. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-data-error.h"

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

static void
json_write_string (GString    *out,
                   const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      case '\b': g_string_append (out, "\\b"); break;
      case '\f': g_string_append (out, "\\f"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

/* RFC 8259 output with json-glib's layout. We write it ourselves because json-glib 1.6
 * prints 1e-300 as "1e-300.0" and infinity as "inf.0", which are not JSON; a
 * non-finite number becomes null, never a number that looks valid. */
static void
json_write_node (GString  *out,
                 JsonNode *node,
                 guint     depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append (out, "{\n");
        for (GList *l = members; l != NULL; l = l->next)
          {
            g_string_append_printf (out, "%*s", (int) (depth + 1) * 2, "");
            json_write_string (out, l->data);
            g_string_append (out, " : ");
            json_write_node (out, json_object_get_member (object, l->data), depth + 1);
            g_string_append (out, l->next != NULL ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%*s}", (int) depth * 2, "");
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append (out, "[\n");
        for (guint i = 0; i < n; i++)
          {
            g_string_append_printf (out, "%*s", (int) (depth + 1) * 2, "");
            json_write_node (out, json_array_get_element (array, i), depth + 1);
            g_string_append (out, i + 1 < n ? ",\n" : "\n");
          }
        g_string_append_printf (out, "%*s]", (int) depth * 2, "");
      }
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_DOUBLE)
          {
            double v = json_node_get_double (node);
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            if (isfinite (v))
              g_string_append (out, g_ascii_dtostr (buf, sizeof buf, v));
            else
              g_string_append (out, "null");
          }
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_STRING)
          json_write_string (out, json_node_get_string (node));
        else
          g_string_append (out, "null");
      }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
cs_cli_json_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  json_write_node (out, node, 0);
  return g_string_free (out, FALSE);
}

void
cs_cli_print_json (JsonNode *node)
{
  g_autofree char *text = cs_cli_json_to_string (node);

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
