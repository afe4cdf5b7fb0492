/* cs-cli-order.c: the time order column of the commands that read a case base in time order. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <stdio.h>

#include "cs-cli.h"
#include "cs-cli-order.h"
#include "cs-data-error.h"
#include "cs-engine-backtest.h"

/* The order column's text on every case line, read as a label column (so a date-time is kept as written), with
 * the same target and features, so the same rows are usable. line -> text. */
static GHashTable *
order_texts (const char       *path,
             const CsCsvReport *report,
             const CsCaseBase *base,
             const char       *order,
             GError          **error)
{
  guint nc = report->columns->len;
  g_autofree const char **names = g_new0 (const char *, nc + 1);
  g_autofree CsColumnRole *roles = g_new0 (CsColumnRole, nc + 1);
  g_autoptr(CsCsvReport) second = NULL;
  g_autoptr(CsCaseBase) b = NULL;
  CsCsvOptions options;
  GHashTable *out;

  for (guint c = 0; c < nc; c++)
    {
      const CsCsvColumn *col = report->columns->pdata[c];
      names[c] = col->name;
      if (g_strcmp0 (col->name, order) == 0)
        roles[c] = CS_ROLE_LABEL;
      else if (g_strcmp0 (col->name, base->target_name) == 0 || col->role == CS_ROLE_TARGET)
        roles[c] = CS_ROLE_TARGET;
      else if (cs_case_base_find_feature (base, col->name) >= 0)
        roles[c] = CS_ROLE_FEATURE;
      else
        roles[c] = CS_ROLE_IGNORED;
    }
  cs_csv_options_init (&options);
  options.role_names = names;
  options.roles = roles;
  b = cs_csv_load_path (path, &options, &second, NULL, NULL, NULL, error);
  if (b == NULL)
    return NULL;
  if (b->ids == NULL)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN, "--order: column '%s' could not be read", order);
      return NULL;
    }
  out = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (gsize i = 0; i < b->n; i++)
    g_hash_table_insert (out, GUINT_TO_POINTER (b->line[i]), g_strdup (b->ids[i]));
  return out;
}

int
cs_cli_order_columns (const char  *cmd,
                      const char  *option,
                      const char  *path,
                      const char  *target,
                      char       **order,
                      char       **features)
{
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(CsCaseBase) probe = NULL;
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  GString *list;

  cs_csv_options_init (&o);
  o.target = target;
  probe = cs_csv_load_path (path, &o, &report, NULL, NULL, NULL, &error);
  if (probe == NULL)
    {
      cs_cli_print_problems (path, report);
      return cs_cli_fail (cmd, error);
    }
  for (guint c = 0; c < report->columns->len && *order == NULL; c++)
    if (((CsCsvColumn *) report->columns->pdata[c])->datetime)
      *order = g_strdup (((CsCsvColumn *) report->columns->pdata[c])->name);
  if (*order == NULL)
    return cs_cli_usage_error (cmd, "%s is required: %s has no ISO 8601 date-time column (name a date-time or "
                               "counter column)", option, path);
  list = g_string_new (NULL);
  for (gsize j = 0; j < probe->d; j++)
    if (g_strcmp0 (probe->feature_names[j], *order) != 0)
      g_string_append_printf (list, "%s%s", list->len ? "," : "", probe->feature_names[j]);
  for (gsize c = 0; c < probe->n_cat; c++)   /* category columns are features too */
    if (g_strcmp0 (probe->cat_names[c], *order) != 0)
      g_string_append_printf (list, "%s%s", list->len ? "," : "", probe->cat_names[c]);
  *features = g_string_free (list, FALSE);
  return CS_EXIT_OK;
}

int
cs_cli_order_keys (const char  *cmd,
                   CsCliLoaded *l,
                   const char  *order,
                   GHashTable **texts,
                   double     **key)
{
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  for (guint c = 0; c < l->report->columns->len; c++)
    found |= g_strcmp0 (((CsCsvColumn *) l->report->columns->pdata[c])->name, order) == 0;
  if (!found)
    return cs_cli_usage_error (cmd, "no order column '%s' in %s", order, l->path);
  *texts = order_texts (l->path, l->report, l->base, order, &error);
  if (*texts == NULL)
    return cs_cli_fail (cmd, error);
  *key = g_new (double, MAX (l->base->n, 1));
  for (gsize i = 0; i < l->base->n; i++)
    {
      const char *t = g_hash_table_lookup (*texts, GUINT_TO_POINTER (l->base->line[i]));
      if (t == NULL || !cs_backtest_parse_key (t, &(*key)[i]))
        {
          fprintf (stderr, "%s:%u: %s: '%s' is not an ISO 8601 date-time or a number\n", l->path, l->base->line[i],
                   order, t != NULL ? t : "");
          return CS_EXIT_DATA;
        }
    }
  return CS_EXIT_OK;
}
