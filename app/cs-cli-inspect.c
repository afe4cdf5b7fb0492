/* cs-cli-inspect.c: casescope-cli inspect, what the importer makes of a CSV file. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-cli-load.h"
#include "cs-json.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"

static const char *
delimiter_name (char c)
{
  switch (c)
    {
    case ',': return ",";
    case ';': return ";";
    case '\t': return "\t";
    case '|': return "|";
    default: return "?";
    }
}

static const char *
delimiter_human (char c)
{
  switch (c)
    {
    case ',': return "comma (,)";
    case ';': return "semicolon (;)";
    case '\t': return "tab";
    case '|': return "pipe (|)";
    default: return "other";
    }
}

static JsonNode *
report_json (const CsCsvReport *r,
             const GError      *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, r->source);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, error == NULL);
  cs_json_add_string (b, "error", error != NULL ? error->message : NULL);
  json_builder_set_member_name (b, "delimiter");
  json_builder_add_string_value (b, delimiter_name (r->delimiter));
  json_builder_set_member_name (b, "decimal");
  json_builder_add_string_value (b, r->decimal_comma ? "," : ".");
  json_builder_set_member_name (b, "header");
  json_builder_add_boolean_value (b, r->header);
  json_builder_set_member_name (b, "encoding");
  json_builder_add_string_value (b, r->encoding);
  json_builder_set_member_name (b, "bom");
  json_builder_add_boolean_value (b, r->bom);
  json_builder_set_member_name (b, "rows_read");
  json_builder_add_int_value (b, (gint64) r->rows_read);
  json_builder_set_member_name (b, "rows_used");
  json_builder_add_int_value (b, (gint64) r->rows_used);
  json_builder_set_member_name (b, "rows_skipped");
  json_builder_add_int_value (b, (gint64) r->rows_skipped);
  json_builder_set_member_name (b, "duplicate_rows");
  json_builder_add_int_value (b, (gint64) r->duplicate_rows);

  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->columns->len; i++)
    {
      const CsCsvColumn *c = r->columns->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, c->unit);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, cs_column_role_name (c->role));
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, c->numeric ? "number" : c->datetime ? "datetime" : "text");
      json_builder_set_member_name (b, "missing");
      json_builder_add_int_value (b, (gint64) c->missing);
      json_builder_set_member_name (b, "bad");
      json_builder_add_int_value (b, (gint64) c->bad);
      json_builder_set_member_name (b, "constant");
      json_builder_add_boolean_value (b, c->constant);
      cs_json_add_number (b, "mean", c->mean);
      cs_json_add_number (b, "sd", c->sd);
      cs_json_add_number (b, "min", c->min);
      cs_json_add_number (b, "max", c->max);
      if (c->role == CS_ROLE_CATEGORY)
        {
          json_builder_set_member_name (b, "levels");
          json_builder_add_int_value (b, (gint64) c->levels);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  cs_cli_json_problem_array (b, r);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_human (const CsCsvReport *r,
             const CsCaseBase  *cb)
{
  printf ("%s\n", r->source);
  if (r->columns->len == 0 && r->rows_read == 0)
    printf ("  (nothing could be read: the values below are the defaults, not detected)\n");
  printf ("  delimiter  %s\n", delimiter_human (r->delimiter));
  printf ("  decimal    %s\n", r->decimal_comma ? "comma (,)" : "point (.)");
  printf ("  header     %s\n", r->header ? "yes" : "no");
  printf ("  encoding   %s%s\n", r->encoding, r->bom ? " with BOM" : "");
  printf ("  rows       %zu read, %zu used, %zu skipped, %zu duplicated\n",
          r->rows_read, r->rows_used, r->rows_skipped, r->duplicate_rows);
  printf ("\n  %-3s %-24s %-8s %-6s %8s %8s %12s %12s %12s %12s\n",
          "#", "column", "role", "type", "missing", "bad", "mean", "sd", "min", "max");
  for (guint i = 0; i < r->columns->len; i++)
    {
      const CsCsvColumn *c = r->columns->pdata[i];
      g_autofree char *name = c->unit[0] != '\0' ? g_strdup_printf ("%s [%s]", c->name, c->unit)
                                                 : g_strdup (c->name);
      printf ("  %-3u %-24s %-8s %-6s %8zu %8zu", i + 1, name, cs_column_role_name (c->role),
              c->numeric ? "number" : c->datetime ? "date" : "text", c->missing, c->bad);
      if (isfinite (c->mean))
        printf (" %12.6g %12.6g %12.6g %12.6g%s", c->mean, c->sd, c->min, c->max,
                c->constant ? "  constant" : "");
      printf ("\n");
    }
  if (cb != NULL)
    {
      g_autofree char *cats = cb->n_cat > 0 ? g_strdup_printf (" and %zu categor%s", cb->n_cat,
                                                               cb->n_cat == 1 ? "y" : "ies") : g_strdup ("");
      printf ("\n  %zu cases, %zu features%s, target “%s”%s%s\n", cb->n, cb->d, cats, cb->target_name,
              cb->id_name != NULL ? ", labels from " : "", cb->id_name != NULL ? cb->id_name : "");
    }
  if (r->problems->len > 0)
    printf ("  %u problem%s (listed on standard error)\n", r->problems->len, r->problems->len == 1 ? "" : "s");
}

int
cs_cli_inspect (int    argc,
                char **argv)
{
  g_autofree char *target = NULL;
  g_autofree char *delimiter = NULL;
  gboolean decimal_comma = FALSE, decimal_point = FALSE, strict = FALSE, json = FALSE;
  gboolean header = FALSE, no_header = FALSE;
  g_autofree char *na = NULL;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "The outcome column (default: one named target, outcome or y, else the last numeric column)", "COL" },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter, "Field delimiter: , ; | or tab (default: detected)", "C" },
    { "decimal-comma", 0, 0, G_OPTION_ARG_NONE, &decimal_comma, "Numbers use a decimal comma (default: detected)", NULL },
    { "decimal-point", 0, 0, G_OPTION_ARG_NONE, &decimal_point, "Numbers use a decimal point (default: detected)", NULL },
    { "header", 0, 0, G_OPTION_ARG_NONE, &header, "The first row is a header (default: detected)", NULL },
    { "no-header", 0, 0, G_OPTION_ARG_NONE, &no_header, "The first row is data (default: detected)", NULL },
    { "na", 0, 0, G_OPTION_ARG_STRING, &na, "Comma-separated missing-value tokens (default: empty, NA, N/A, n/a, NaN, nan, NULL, null, #N/A, None)", "LIST" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "Fail on the first problem instead of skipping bad rows", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object on standard output", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("FILE - show how a CSV file is read: dialect, columns, problems");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_auto(GStrv) na_tokens = NULL;
  CsCsvOptions options;
  const char *path;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cs_cli_parse (ctx, "inspect", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc != 2)
    return cs_cli_usage_error ("inspect", argc < 2 ? "no input file given" : "only one input file is taken");
  path = argv[1];

  cs_csv_options_init (&options);
  if (delimiter != NULL)
    {
      if (strcmp (delimiter, "tab") == 0 || strcmp (delimiter, "\\t") == 0 || strcmp (delimiter, "\t") == 0)
        options.delimiter = '\t';
      else if (strlen (delimiter) == 1 && strchr (",;|", delimiter[0]) != NULL)
        options.delimiter = delimiter[0];
      else
        return cs_cli_usage_error ("inspect", "--delimiter takes , ; | or tab, not “%s”", delimiter);
    }
  if (decimal_comma && decimal_point)
    return cs_cli_usage_error ("inspect", "--decimal-comma and --decimal-point exclude each other");
  if (header && no_header)
    return cs_cli_usage_error ("inspect", "--header and --no-header exclude each other");
  if (decimal_comma || decimal_point)
    options.decimal_comma = decimal_comma ? 1 : 0;
  if (header || no_header)
    options.header = header ? 1 : 0;
  if (na != NULL)
    na_tokens = g_strsplit (na, ",", -1);
  options.na_tokens = (const char * const *) na_tokens;
  options.strict = strict;
  options.target = target;

  cb = cs_csv_load_path (path, &options, &report, NULL, NULL, NULL, &error);
  if (report == NULL)
    {
      /* The file could not even be opened. */
      if (json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, path);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, FALSE);
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, error->message);
          json_builder_end_object (b);
          cs_cli_print_json (json_builder_get_root (b));
        }
      return cs_cli_fail ("inspect", error);
    }

  /* Problems on standard error, FILE:LINE:COLUMN: message, in file order. */
  cs_cli_print_problems (path, report);

  if (json)
    cs_cli_print_json (report_json (report, error));
  else
    print_human (report, cb);

  if (error != NULL)
    {
      gboolean listed = FALSE;
      for (guint i = 0; i < report->problems->len && !listed; i++)
        listed = !((CsCsvProblem *) report->problems->pdata[i])->warning;
      if (!listed)
        fprintf (stderr, "%s\n", error->message);
      /* Everything the loader refuses is bad input data; a cancelled load is not. */
      return error->domain == CS_DATA_ERROR && error->code == CS_DATA_ERROR_CANCELLED ? CS_EXIT_FAILURE
                                                                                    : CS_EXIT_DATA;
    }
  return CS_EXIT_OK;
}
