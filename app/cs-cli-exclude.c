/* cs-cli-exclude.c: casescope-cli exclude: set a past case aside with a reason, take it back, or list the
 * record; the record is the side file next to the case base (FILE.exclusions.json), never the case base. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-atomic-file.h"
#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-exclusions.h"

#define CMD "exclude"

static void
list_text (const CsExclusions *ex,
           const char         *side)
{
  if (ex->items->len == 0)
    {
      printf ("no cases set aside (%s)\n", side);
      return;
    }
  printf ("%u case%s set aside (%s):\n", ex->items->len, ex->items->len == 1 ? "" : "s", side);
  for (guint i = 0; i < ex->items->len; i++)
    {
      const CsExclusion *e = ex->items->pdata[i];
      printf ("  line %u%s%s%s  %s  %s\n", e->line, e->label != NULL ? " (" : "", e->label != NULL ? e->label : "",
              e->label != NULL ? ")" : "", e->when, e->reason);
    }
}

static void
list_json (const CsExclusions *ex,
           const char         *side,
           gboolean            exists)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  cs_json_add_string (b, "file", side);
  json_builder_set_member_name (b, "exists");
  json_builder_add_boolean_value (b, exists);
  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (guint i = 0; i < ex->items->len; i++)
    {
      const CsExclusion *e = ex->items->pdata[i];
      json_builder_begin_object (b);
      cs_exclusion_json_members (b, e);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  cs_cli_print_json (json_builder_get_root (b));
}

int
cs_cli_exclude (int    argc,
                char **argv)
{
  g_autofree char *target = NULL, *reason = NULL, *file = NULL, *side = NULL;
  gint64 set = 0, restore = 0;
  gboolean json = FALSE, exists = FALSE;
  const GOptionEntry entries[] = {
    { "set", 0, 0, G_OPTION_ARG_INT64, &set, "Set aside the case on this line of FILE (needs --reason)", "LINE" },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why the case is set aside (recorded with the time)", "TEXT" },
    { "restore", 0, 0, G_OPTION_ARG_INT64, &restore, "Take the case on this line back", "LINE" },
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column, to read FILE as the other commands do", "COL" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "The record (default: FILE.exclusions.json next to FILE)",
      "EXCL.json" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object (the record after the change)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - set past cases aside with a reason, or take them back");
  g_autoptr(CsExclusions) ex = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "Without --set or --restore, lists the cases set aside. The record is a JSON side\n"
    "file; FILE itself is never written. fit, predict, diagnose and export read the\n"
    "side file next to FILE by default (or the one --exclude names) and build without\n"
    "those cases.\n");
  if (!cs_cli_parse (oc, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error (CMD, "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[2]);
  if (set < 0 || restore < 0 || set > G_MAXUINT || restore > G_MAXUINT)
    return cs_cli_usage_error (CMD, "--set and --restore take a line number (1 or more)");
  if (set > 0 && restore > 0)
    return cs_cli_usage_error (CMD, "--set and --restore cannot be combined");
  if (set > 0 && (reason == NULL || g_strstrip (reason)[0] == '\0'))
    return cs_cli_usage_error (CMD, "--set needs --reason TEXT (a case is set aside only with a reason)");
  if (set == 0 && reason != NULL)
    return cs_cli_usage_error (CMD, "--reason goes with --set LINE");
  if (!cs_input_is_regular (argv[1], &error))
    return cs_cli_fail (CMD, error);

  side = file != NULL ? g_strdup (file) : cs_exclusions_side_path (argv[1]);
  ex = cs_exclusions_load (side, &exists, &error);
  if (ex == NULL)
    {
      g_printerr ("casescope-cli %s: %s\n", CMD, error->message);
      return CS_EXIT_DATA;
    }
  if (set > 0)
    {
      /* The line must hold a case as the other commands read the file: its label is recorded with it. */
      const char *label = NULL;
      gssize row = -1;

      {
        CsCsvOptions o;
        g_autoptr(CsCaseBase) base = NULL;

        cs_csv_options_init (&o);
        o.target = target;
        base = cs_csv_load_path (argv[1], &o, NULL, NULL, NULL, NULL, &error);
        if (base == NULL)
          return cs_cli_fail (CMD, error);
        for (gsize i = 0; i < base->n && row < 0; i++)
          if (base->line[i] == (guint) set)
            row = (gssize) i;
        if (row < 0)
          {
            g_printerr ("%s:%" G_GINT64_FORMAT ": no case on this line (a header, a skipped row, or beyond the end; "
                        "casescope-cli inspect %s lists the skipped rows)\n", argv[1], set, argv[1]);
            return CS_EXIT_DATA;
          }
        if (base->ids != NULL)
          label = base->ids[row];
        if (!cs_exclusions_add (ex, (guint) set, label, reason, NULL, &error))
          return cs_cli_fail (CMD, error);
      }
    }
  if (restore > 0 && !cs_exclusions_remove (ex, (guint) restore))
    {
      g_printerr ("%s: line %" G_GINT64_FORMAT " is not set aside\n", side, restore);
      return CS_EXIT_DATA;
    }
  if (set > 0 || restore > 0)
    {
      const char *protect[] = { argv[1], NULL };

      if (!cs_exclusions_save (ex, side, protect, &error))
        {
          g_printerr ("casescope-cli %s: %s\n", CMD, error->message);
          return CS_EXIT_WRITE;
        }
      exists = TRUE;
    }
  if (json)
    list_json (ex, side, exists);
  else
    list_text (ex, side);
  return CS_EXIT_OK;
}
