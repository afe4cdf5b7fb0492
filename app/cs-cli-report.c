/* cs-cli-report.c: casescope-cli report, a meeting report of one query as a multi-page PDF: the engine composes it
 * (cs-engine-report.h) and ui/render draws and writes it (cs-report.h), as the window's Export Report does. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-cli-load.h"
#include "cs-cli-query.h"
#include "cs-engine-report.h"
#include "cs-report.h"

#define CMD "report"

int
cs_cli_report (int    argc,
               char **argv)
{
  g_autofree char *target = NULL, *query = NULL, *model_path = NULL, *out_path = NULL;
  g_autofree char *lower_text = NULL, *upper_text = NULL, *metric = NULL;
  CsEngineFit fit;
  gint cases = CS_ENGINE_REPORT_CASES;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Outcome column (required unless --model names it)", "COL" },
    { "query", 'q', 0, G_OPTION_ARG_STRING, &query, "The case to report: every feature as name=value (as predict --query)",
      "'A=1.5,B=2'" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "A model file from fit --save (default: fit the window now, see --metric)",
      "MODEL.json" },
    CS_CLI_METRIC_OPTION (metric),
    { "spec-lower", 0, 0, G_OPTION_ARG_STRING, &lower_text, "Lower spec limit of the outcome, in its units", "X" },
    { "spec-upper", 0, 0, G_OPTION_ARG_STRING, &upper_text, "Upper spec limit of the outcome, in its units", "Y" },
    { "cases", 0, 0, G_OPTION_ARG_INT, &cases, "Rows in the table of cases used (default 30)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "The PDF to write (written whole, then renamed)", "PATH" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object describing the file written", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("FILE - a meeting report of one query as a multi-page PDF");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = cs_plot_provenance_date (now);   /* UTC, pinned by SOURCE_DATE_EPOCH, as in the window */
  g_autofree double *xq = NULL;
  g_autofree gint *lq = NULL;
  g_autoptr(CsEngineReport) report = NULL;
  CsEngineReportOptions ro;
  CsEngineOptions engine_options;
  CsExportOptions eo;
  CsCliLoaded l = { 0 };
  CsQueryResult *result = NULL;
  const char *protect[3] = { NULL, NULL, NULL };
  int rc = CS_EXIT_OK;

  g_option_context_add_main_entries (octx, entries, NULL);
  g_option_context_set_description (octx,
    "Pages: the case and its prediction with the fail-safe verdict, flags, window and spec limits; the cases used\n"
    "with their weights; the case-attention, feature-map and window charts; the diagnostics and softmax-vs-linear\n"
    "charts of the case base. Every page carries the provenance footer (file hash, model, version, date;\n"
    "SOURCE_DATE_EPOCH pins the date).\n\n"
    "Example:\n"
    "  casescope-cli report press-line.csv --target strength --query 'temperature=180,pressure=5,time=30'\n"
    "      --spec-lower 40 --out monday.pdf\n");
  ro.spec_lower = ro.spec_upper = NAN;
  if (!cs_cli_parse (octx, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error (CMD, "a CSV FILE is required");
  if (argc > 2)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[2]);
  if (query == NULL)
    return cs_cli_usage_error (CMD, "--query is required (every feature as name=value)");
  if (out_path == NULL || out_path[0] == '\0')
    return cs_cli_usage_error (CMD, "--out is required (the PDF to write)");
  if (target == NULL && model_path == NULL)
    return cs_cli_usage_error (CMD, "--target is required");
  if (cases < 1 || cases > 1000)
    return cs_cli_usage_error (CMD, "--cases must be between 1 and 1000");
  if ((rc = cs_cli_metric_parse (CMD, metric, model_path, &fit)) != CS_EXIT_OK)
    return rc;
  cs_engine_report_options_init (&ro);
  if (lower_text != NULL && !cs_cli_parse_finite (lower_text, &ro.spec_lower))
    return cs_cli_usage_error (CMD, "--spec-lower must be a finite number, got '%s'", lower_text);
  if (upper_text != NULL && !cs_cli_parse_finite (upper_text, &ro.spec_upper))
    return cs_cli_usage_error (CMD, "--spec-upper must be a finite number, got '%s'", upper_text);
  if (isfinite (ro.spec_lower) && isfinite (ro.spec_upper) && !(ro.spec_lower < ro.spec_upper))
    return cs_cli_usage_error (CMD, "--spec-lower (%g) must be below --spec-upper (%g)", ro.spec_lower,
                               ro.spec_upper);

  rc = cs_cli_load (CMD, argv[1], target, NULL, model_path, NULL, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  if (l.base->n < 2)
    {
      g_printerr ("%s: needs at least 2 usable cases, found %" G_GSIZE_FORMAT "\n", argv[1], l.base->n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  {
    g_autofree char *msg = NULL;

    xq = g_new (double, l.base->d);
    lq = g_new (gint, MAX (l.base->n_cat, 1));
    if (!cs_cli_parse_query_levels (query, l.base, xq, lq, &msg))
      {
        rc = cs_cli_usage_error (CMD, "--query: %s", msg);
        goto out;
      }
  }
  /* The engine as export builds it (the charts match the window's and export's). */
  cs_engine_options_init (&engine_options);
  engine_options.fit = fit;
  rc = cs_cli_build (CMD, &l, &engine_options);
  if (rc != CS_EXIT_OK)
    goto out;
  {
    CsIntervalSpec spec;

    cs_interval_spec_init (&spec);
    spec.spec_lower = ro.spec_lower;
    spec.spec_upper = ro.spec_upper;
    result = cs_engine_query_levels (l.engine, xq, l.base->n_cat > 0 ? lq : NULL, -1, 10, &spec, NULL);
  }

  ro.app_version = PACKAGE_VERSION;
  ro.date = date;
  ro.max_cases = (guint) cases;
  report = cs_engine_report_build (l.engine, result, &ro, NULL, &error);
  if (report == NULL)
    {
      g_printerr ("casescope-cli " CMD ": %s\n", error->message);
      rc = CS_EXIT_FAILURE;
      goto out;
    }

  cs_export_options_init (&eo, CS_EXPORT_PRESET_A4_LANDSCAPE);
  eo.format = CS_EXPORT_PDF;
  protect[0] = argv[1];
  protect[1] = model_path;
  eo.protected_paths = protect;
  if (!cs_report_export (out_path, cs_engine_report_get (report), &eo, &error))
    {
      g_printerr ("casescope-cli " CMD ": %s\n", error->message);
      rc = error->domain == CS_EXPORT_ERROR
           && (error->code == CS_EXPORT_ERROR_WRITE || error->code == CS_EXPORT_ERROR_WOULD_OVERWRITE)
           ? CS_EXIT_WRITE : CS_EXIT_FAILURE;
      goto out;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      gboolean have = result->valid && result->report.failure == CS_FLAG_FAIL_NONE;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, out_path);
      json_builder_set_member_name (b, "target");
      json_builder_add_string_value (b, l.base->target_name);
      cs_json_add_number (b, "prediction", have ? result->prediction.prediction : NAN);
      cs_json_add_number (b, "stderr", have ? result->prediction.std_error : NAN);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, cs_verdict_name (result->report.verdict));
      cs_json_add_number (b, "spec_lower", ro.spec_lower);
      cs_json_add_number (b, "spec_upper", ro.spec_upper);
      cs_cli_json_policy (b, &l.engine->policy);
      cs_cli_json_problems (b, l.report);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    printf ("Wrote %s (report of %s = %.6g, verdict %s)\n", out_path, l.base->target_name,
            result->prediction.prediction, cs_verdict_name (result->report.verdict));

out:
  g_clear_pointer (&report, cs_engine_report_free);
  g_clear_pointer (&result, cs_query_result_free);
  cs_cli_loaded_clear (&l);
  return rc;
}
