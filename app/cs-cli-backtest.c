/* cs-cli-backtest.c: casescope-cli backtest: forward predictions in time order and the drift alarms. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-cli-load.h"
#include "cs-cli-order.h"
#include "cs-data-error.h"
#include "cs-engine-backtest.h"

#define CMD "backtest"
#define BIN_ROWS 100   /* cases per point of the error over time */

static void
print_json (CsCliLoaded       *l,
            const char        *order,
            GHashTable        *texts,
            const CsBacktest  *bt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const CsCaseBase *base = l->base;
  g_autofree char *statement = g_strdup_printf (
    "two-sided CUSUM (k %g, h %g) on forward errors standardised by the leave-one-out RMSE of the window fitted "
    "on the past; for normal errors about one false alarm per %.0f cases (Siegmund's approximation)",
    bt->k, bt->h, bt->false_alarm_rows);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, (gint64) bt->n);
  cs_json_add_string (b, "target", base->target_name);
  cs_json_add_string (b, "order", order);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (gsize j = 0; j < base->d; j++)
    json_builder_add_string_value (b, base->feature_names[j]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "categories");
  json_builder_begin_array (b);
  for (gsize c = 0; c < base->n_cat; c++)
    json_builder_add_string_value (b, base->cat_names[c]);
  json_builder_end_array (b);
  cs_json_add_string (b, "method", "forward chaining: each case predicted from the cases before it in time "
                      "order, after a warm-up; the scalar window refitted by leave-one-out on the past each time "
                      "the past doubles");
  json_builder_set_member_name (b, "warmup");
  json_builder_add_int_value (b, (gint64) bt->warmup);
  json_builder_set_member_name (b, "step");
  json_builder_add_int_value (b, (gint64) bt->step);
  json_builder_set_member_name (b, "metric");
  json_builder_add_string_value (b, bt->metric);
  json_builder_set_member_name (b, "refits");
  json_builder_add_int_value (b, (gint64) bt->refits);
  cs_json_add_number (b, "rmse", bt->rmse);
  cs_json_add_number (b, "coverage90", bt->coverage);
  json_builder_set_member_name (b, "drift_rule");
  json_builder_begin_object (b);
  cs_json_add_string (b, "kind", "cusum");
  cs_json_add_number (b, "k", bt->k);
  cs_json_add_number (b, "h", bt->h);
  cs_json_add_number (b, "false_alarm_rows", bt->false_alarm_rows);
  cs_json_add_string (b, "statement", statement);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "alarms");
  json_builder_begin_array (b);
  for (guint a = 0; a < bt->alarms->len; a++)
    {
      const CsBacktestAlarm *al = &g_array_index (bt->alarms, CsBacktestAlarm, a);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, al->line);
      cs_json_add_number (b, "statistic", al->statistic);
      cs_json_add_string (b, "direction", al->direction > 0 ? "up" : "down");
      cs_json_add_string (b, "order", g_hash_table_lookup (texts, GUINT_TO_POINTER (al->line)));
      json_builder_set_member_name (b, "position");
      json_builder_add_int_value (b, (gint64) al->position);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* the error and the coverage over time, BIN_ROWS forward predictions a point */
  json_builder_set_member_name (b, "error_over_time");
  json_builder_begin_array (b);
  for (gsize t0 = bt->warmup; t0 < bt->n; t0 += BIN_ROWS)
    {
      gsize t1 = MIN (t0 + BIN_ROWS, bt->n), m = 0, in = 0;
      double sse = 0;
      for (gsize t = t0; t < t1; t++)
        if (isfinite (bt->error[t]))
          {
            sse += bt->error[t] * bt->error[t];
            in += bt->covered[t];
            m++;
          }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "from_row");
      json_builder_add_int_value (b, base->line[bt->order[t0]]);
      json_builder_set_member_name (b, "to_row");
      json_builder_add_int_value (b, base->line[bt->order[t1 - 1]]);
      cs_json_add_number (b, "rmse", m > 0 ? sqrt (sse / m) : NAN);
      cs_json_add_number (b, "coverage90", m > 0 ? (double) in / m : NAN);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (gsize t = 0; t < bt->n; t++)
    {
      gsize i = bt->order[t];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, base->line[i]);
      cs_json_add_string (b, "order", g_hash_table_lookup (texts, GUINT_TO_POINTER (base->line[i])));
      if (base->ids != NULL)
        cs_json_add_string (b, "id", base->ids[i]);
      cs_json_add_number (b, "y", base->y[i]);
      cs_json_add_number (b, "prediction", bt->prediction[t]);
      cs_json_add_number (b, "error", bt->error[t]);
      cs_json_add_number (b, "z", bt->z[t]);
      cs_json_add_number (b, "statistic", bt->statistic[t]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  cs_cli_json_problems (b, l->report);
  cs_cli_json_exclusions (b, l);
  json_builder_end_object (b);
  cs_cli_print_json (json_builder_get_root (b));
}

static void
print_text (CsCliLoaded      *l,
            const char       *order,
            GHashTable       *texts,
            const CsBacktest *bt)
{
  printf ("%s: %zu cases in order of %s, %zu features -> %s\n", l->base->source, (size_t) bt->n, order,
          (size_t) l->base->d, l->base->target_name);
  printf ("forward predictions after a warm-up of %zu cases (%s window refitted %zu times on the past)\n",
          (size_t) bt->warmup, bt->metric, (size_t) bt->refits);
  printf ("forward RMSE %.4g, 90 %% interval coverage %.1f %%\n", bt->rmse, 100 * bt->coverage);
  printf ("drift rule: two-sided CUSUM k %g h %g (about one false alarm per %.0f cases for normal errors)\n",
          bt->k, bt->h, bt->false_alarm_rows);
  if (bt->alarms->len == 0)
    printf ("no drift alarm\n");
  for (guint a = 0; a < bt->alarms->len; a++)
    {
      const CsBacktestAlarm *al = &g_array_index (bt->alarms, CsBacktestAlarm, a);
      printf ("alarm at line %u (%s = %s): outcomes %s the predictions, CUSUM %.3g\n", al->line, order,
              (const char *) g_hash_table_lookup (texts, GUINT_TO_POINTER (al->line)),
              al->direction > 0 ? "above" : "below", al->statistic);
    }
}

int
cs_cli_backtest (int    argc,
                 char **argv)
{
  g_autofree char *target = NULL, *order = NULL, *features = NULL, *exclude = NULL, *metric = NULL;
  gint64 warmup = 0, step = 0;
  CsEngineFit fit;
  double h = 0;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, "Outcome column (required)", "COL" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order,
      "Time order column: ISO 8601 date-times or a counter (default: the first date-time column; not a feature "
      "unless --features names it)",
      "COL" },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features, "Feature columns (default: every numeric and category column but "
      "the order)", "A,B,..." },
    { "warmup", 0, 0, G_OPTION_ARG_INT64, &warmup, "Cases before the first forward prediction (default: "
      "max (50, n / 10))", "N" },
    { "step", 0, 0, G_OPTION_ARG_INT64, &step, "Cases predicted from the same past (default: max (1, n / 1000))",
      "N" },
    { "cusum-h", 0, 0, G_OPTION_ARG_DOUBLE, &h, "CUSUM decision interval (default 10)", "H" },
    CS_CLI_METRIC_OPTION (metric),
    CS_CLI_EXCLUDE_OPTION (exclude),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) oc = g_option_context_new ("FILE - how the model would have done forward in time, "
                                                       "and drift alarms");
  g_autoptr(GHashTable) texts = NULL;
  g_autoptr(CsBacktest) bt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *key = NULL;
  g_autofree char *feature_list = NULL;
  CsBacktestOptions bo;
  CsCliLoaded l = { 0 };
  int rc;

  g_option_context_add_main_entries (oc, entries, NULL);
  g_option_context_set_description (oc,
    "Each case is predicted only from the cases before it (forward chaining). The\n"
    "forward errors, standardised by the leave-one-out RMSE of the window fitted on\n"
    "the past, feed a two-sided CUSUM; alarms name the file line where it fired.\n");
  if (!cs_cli_parse (oc, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error (CMD, "FILE is required");
  if (argc > 2)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[2]);
  if (target == NULL)
    return cs_cli_usage_error (CMD, "--target is required");
  if (warmup < 0 || step < 0 || h < 0 || !isfinite (h))
    return cs_cli_usage_error (CMD, "--warmup, --step and --cusum-h must be positive");
  if ((rc = cs_cli_metric_parse (CMD, metric, NULL, &fit)) != CS_EXIT_OK)
    return rc;

  if (features == NULL || order == NULL)
    {
      rc = cs_cli_order_columns (CMD, "--order", argv[1], target, &order, &feature_list);
      if (rc != CS_EXIT_OK)
        return rc;
      if (features == NULL && feature_list[0] == '\0')
        return cs_cli_usage_error (CMD, "no feature besides the order column '%s'", order);
    }
  rc = cs_cli_load (CMD, argv[1], target, features != NULL ? features : feature_list, NULL, exclude, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  rc = cs_cli_order_keys (CMD, &l, order, &texts, &key);
  if (rc != CS_EXIT_OK)
    goto out;
  cs_backtest_options_init (&bo);
  bo.warmup = (gsize) warmup;
  bo.step = (gsize) step;
  bo.fit = fit;
  if (h > 0)
    bo.h = h;
  bt = cs_backtest_run (l.base, key, &bo, NULL, &error);
  if (bt == NULL)
    {
      g_printerr ("casescope-cli %s: %s\n", CMD, error->message);
      rc = CS_EXIT_DATA;
      goto out;
    }
  if (json)
    print_json (&l, order, texts, bt);
  else
    print_text (&l, order, texts, bt);
  rc = CS_EXIT_OK;
out:
  cs_cli_loaded_clear (&l);
  return rc;
}
