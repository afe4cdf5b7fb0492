/* cs-cli-export.c: casescope-cli export, charts of a case base as PNG, SVG or PDF, built by the engine's one
 * builder per chart kind (model/engine/cs-engine-charts.h) and drawn by ui/render, as the window draws them. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-cli-interval.h"
#include "cs-cli-load.h"
#include "cs-cli-order.h"
#include "cs-engine-charts.h"
#include "cs-export.h"

#define CMD "export"

/* The query: a case (left out of its own prediction) or a new point, in original units. */
typedef struct
{
  gsize n, d;
  gsize query;               /* case index, or CS_NO_CASE for a new point */
  double *qx;                /* d */
  gint *levels;              /* n_cat category levels of a name=value query (-1: none given or unknown), or NULL */
} Query;

static gboolean
parse_size (const char *text,
            int        *w,
            int        *h)
{
  char *end = NULL;
  gint64 a, b;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;
  a = g_ascii_strtoll (text, &end, 10);
  if (end == NULL || (*end != 'x' && *end != 'X') || !g_ascii_isdigit (end[1]))
    return FALSE;
  b = g_ascii_strtoll (end + 1, &end, 10);
  if (*end != '\0' || a > G_MAXINT || b > G_MAXINT)
    return FALSE;
  *w = (int) a;
  *h = (int) b;
  return TRUE;
}

static gssize
find_feature (const CsCaseBase *cb,
              const char       *name)
{
  gssize j = cs_case_base_find_feature (cb, name);

  if (j < 0)
    for (gsize k = 0; k < cb->d; k++)
      if (g_ascii_strcasecmp (cb->feature_names[k], name) == 0)
        return (gssize) k;
  return j;
}

/* --query N (1-based case number), an id of the label column, or name=value,... for a new point. */
static gboolean
resolve_query (Query            *c,
               const CsCaseBase *cb,
               const char       *text,
               GError          **error)
{
  c->d = cb->d;
  c->n = cb->n;
  c->qx = g_new (double, c->d);
  c->query = CS_NO_CASE;
  if (text == NULL)
    c->query = 0;
  else if (strchr (text, '=') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);
      g_autofree gboolean *seen = g_new0 (gboolean, c->d);

      if (cb->n_cat > 0)
        {
          c->levels = g_new (gint, cb->n_cat);
          for (gsize k = 0; k < cb->n_cat; k++)
            c->levels[k] = -1;
        }

      for (char **p = parts; *p != NULL; p++)
        {
          g_auto(GStrv) kv = g_strsplit (*p, "=", 2);
          gssize j;
          double v;

          if (kv[0] == NULL || kv[1] == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: expected name=value, got '%s'",
                           *p);
              return FALSE;
            }
          j = find_feature (cb, g_strstrip (kv[0]));
          if (j < 0 && cs_case_base_find_category (cb, kv[0]) >= 0)
            {
              /* a level name: one no case has stays unknown (-1), which the engine flags */
              gsize cat = (gsize) cs_case_base_find_category (cb, kv[0]);
              c->levels[cat] = cs_case_base_find_level (cb, cat, g_strstrip (kv[1]));
              continue;
            }
          if (j < 0)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: no feature named '%s'", kv[0]);
              return FALSE;
            }
          if (!cs_cli_parse_finite (g_strstrip (kv[1]), &v))
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: '%s' is not a finite number",
                           kv[1]);
              return FALSE;
            }
          c->qx[j] = v;
          seen[j] = TRUE;
        }
      for (gsize j = 0; j < c->d; j++)
        if (!seen[j])
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--query: feature '%s' is missing",
                         cb->feature_names[j]);
            return FALSE;
          }
    }
  else
    {
      char *end = NULL;
      gint64 k = g_ascii_strtoll (text, &end, 10);

      if (end != NULL && *end == '\0' && text[0] != '\0')
        {
          if (k < 1 || (guint64) k > c->n)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--query: case %" G_GINT64_FORMAT " does not exist (1 to %" G_GSIZE_FORMAT ")", k, c->n);
              return FALSE;
            }
          c->query = (gsize) (k - 1);
        }
      else if (cb->ids != NULL)
        {
          for (gsize i = 0; i < c->n && c->query == CS_NO_CASE; i++)
            if (g_strcmp0 (cb->ids[i], text) == 0)
              c->query = i;
        }
      if (c->query == CS_NO_CASE)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--query: '%s' is neither a case number, a case id nor name=value,...", text);
          return FALSE;
        }
    }
  if (c->query != CS_NO_CASE)
    memcpy (c->qx, cb->x + c->query * c->d, c->d * sizeof (double));
  return TRUE;
}

int
cs_cli_export (int    argc,
               char **argv)
{
  g_autofree char *target = NULL, *chart_name = NULL, *query = NULL, *format_name = NULL;
  g_autofree char *order_column = NULL, *order_features = NULL;
  g_autofree double *order_key = NULL;
  g_autoptr(GHashTable) order_texts = NULL;
  g_autofree char *exclude = NULL;
  g_autofree char *size_text = NULL, *dpi_text = NULL, *out_path = NULL, *x_name = NULL, *y_name = NULL;
  g_autofree char *metric_name = NULL, *sort_name = NULL, *colormap = NULL, *preset = NULL;
  g_autofree char *window_kind = NULL, *color_by = NULL, *order = NULL, *model_path = NULL;
  gint top_k = 10, sweep_tasks = 1024;
  CsEngineFit fit = CS_ENGINE_FIT_AUTO;
  gboolean stretch = FALSE, transparent = FALSE, no_footer = FALSE, json = FALSE, paper = FALSE;
  CsCliInterval iv;
  CsIntervalSpec spec;
  const GOptionEntry entries[] = {
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Outcome column (default: the loader's rule)", "COL" },
    { "chart", 'c', 0, G_OPTION_ARG_STRING, &chart_name, "Chart to draw (see below), or all (multi-page PDF)", "NAME" },
    { "query", 'q', 0, G_OPTION_ARG_STRING, &query,
      "Case number (1-based) or id, leave-one-out; or name=value,... for a new point (default: case 1)", "QUERY" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, "png, svg or pdf (default: from --out, else png)", "FMT" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "16:9 (1920x1080, 144 dpi), 4:3 (1600x1200, 150 dpi), a4 (3508x2480, 300 dpi)", "P" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, "Size in pixels (default 1920x1080)", "WxH" },
    { "dpi", 0, 0, G_OPTION_ARG_STRING, &dpi_text, "Resolution: font sizes in points scale with it (default 144)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_path, "Output file (default: <data>_<chart>_<date>.<ext>)", "PATH" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &x_name, "Feature along x / the sort key (default: the feature the window is narrowest in)", "NAME" },
    { "y", 0, 0, G_OPTION_ARG_STRING, &y_name, "Feature along y (default: the next narrowest)", "NAME" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric_name, "Window to fit: auto (default, as everywhere: scalar below 5 features; at 5 or more "
      "diagonal, or full where it beats the diagonal by leave-one-out on up to 20000 cases; category columns do not "
      "count), scalar or diagonal", "KIND" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
      "A model file from fit --save: its window and scaling, no fit (the case base must have its columns)",
      "MODEL.json" },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort_name, "case-attention order: weight (default) or distance", "BY" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &window_kind,
      "window chart: radius (90 % attention radius, default), half-width (of --x) or n-eff", "KIND" },
    { "color-by", 0, 0, G_OPTION_ARG_STRING, &color_by, "feature-map colours: weight (default), outcome or window-ratio (the window the data asks for)", "WHAT" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order, "attention-matrix order: feature (--x, default) or position", "BY" },
    { "order-column", 0, 0, G_OPTION_ARG_STRING, &order_column,
      "backtest: the time order column, ISO 8601 date-times or a counter (default: the first date-time column; not "
      "a feature)", "COL" },
    { "top-k", 'k', 0, G_OPTION_ARG_INT, &top_k, "Cases labelled in case-attention (default 10)", "K" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &colormap, "Weights: viridis (default) or cividis", "MAP" },
    { "stretch", 0, 0, G_OPTION_ARG_NONE, &stretch, "Colour weights on [0, max] instead of the fixed [0, 1]", NULL },
    { "transparent", 0, 0, G_OPTION_ARG_NONE, &transparent, "Transparent background", NULL },
    { "no-footer", 0, 0, G_OPTION_ARG_NONE, &no_footer, "Leave out the provenance footer", NULL },
    { "sweep-tasks", 0, 0, G_OPTION_ARG_INT, &sweep_tasks, "Monte-Carlo prompts per w* in window-sweep (default 1024)", "T" },
    { "paper", 0, 0, G_OPTION_ARG_NONE, &paper,
      "softmax-vs-linear in the paper's setting (error against n) instead of on the case base", NULL },
    CS_CLI_EXCLUDE_OPTION (exclude),
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object describing the file written", NULL },
    CS_CLI_INTERVAL_ENTRIES (iv),
    { NULL }
  };
  g_autoptr(GOptionContext) octx = g_option_context_new ("FILE - draw charts of a case base as PNG, SVG or PDF");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = cs_plot_provenance_date (now);   /* UTC, pinned by SOURCE_DATE_EPOCH, as in the window */
  CsExportOptions eo;
  CsChartKind kind = CS_CHART_CASE_ATTENTION;
  gboolean all = FALSE;
  CsChart charts[CS_N_CHARTS];
  CsEngineChart *built[CS_N_CHARTS] = { NULL };
  guint n_charts = 0;
  CsCliLoaded l = { 0 };
  Query c = { 0 };
  CsEngineOptions engine_options;
  CsChartOptions co;
  CsQueryResult *result = NULL;
  CsProvenance prov = { 0 };
  int rc = CS_EXIT_OK;
  const char *protect[2] = { NULL, NULL };

  cs_cli_interval_init (&iv);
  g_option_context_add_main_entries (octx, entries, NULL);
  g_option_context_set_description (octx,
    "Charts (--chart):\n"
    "  case-attention     the cases one prediction used: weights, top-k, the exact sum\n"
    "  feature-map        cases in the plane of --x and --y coloured by weight, window ellipse, query\n"
    "  attention-matrix   every case as a query (leave-one-out) against every case, binned per pixel\n"
    "  window             90 % attention radius along the cases sorted by --x, flagged stretches shaded\n"
    "  window-sweep       learned window against L and sigma with the theory line (paper setting)\n"
    "  diagnostics        local Lipschitz and local noise, maps and histograms with thresholds\n"
    "  softmax-vs-linear  leave-one-out error of softmax against linear attention (--paper: error against n)\n"
    "  backtest           forward error over time (--order-column), interval coverage, CUSUM and drift alarms\n"
    "  all                every chart but backtest, one per page (PDF only)\n\n"
    "Example:\n"
    "  casescope-cli export data/samples/press-line.csv --target strength --chart feature-map --out map.png\n");
  if (!cs_cli_parse (octx, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (!cs_cli_interval_spec (CMD, &iv, &spec))
    return CS_EXIT_USAGE;
  if (argc < 2)
    return cs_cli_usage_error (CMD, "a CSV FILE is required");
  if (argc > 2)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[2]);
  if (chart_name == NULL)
    return cs_cli_usage_error (CMD, "--chart is required (case-attention, feature-map, attention-matrix, window, "
                                    "window-sweep, diagnostics, softmax-vs-linear, backtest or all)");
  if (g_strcmp0 (chart_name, "all") == 0)
    all = TRUE;
  else if (!cs_chart_kind_from_name (chart_name, &kind))
    return cs_cli_usage_error (CMD, "unknown chart '%s' (see --help)", chart_name);

  /* Size, resolution and format. */
  if (preset == NULL || g_strcmp0 (preset, "16:9") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_SLIDE_16_9);
  else if (g_strcmp0 (preset, "4:3") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_SLIDE_4_3);
  else if (g_ascii_strcasecmp (preset, "a4") == 0)
    cs_export_options_init (&eo, CS_EXPORT_PRESET_A4_LANDSCAPE);
  else
    return cs_cli_usage_error (CMD, "unknown --preset '%s' (16:9, 4:3 or a4)", preset);
  if (size_text != NULL && !parse_size (size_text, &eo.width, &eo.height))
    return cs_cli_usage_error (CMD, "--size must be WIDTHxHEIGHT in pixels, e.g. 1920x1080, got '%s'", size_text);
  if (dpi_text != NULL && !cs_cli_parse_finite (dpi_text, &eo.dpi))
    return cs_cli_usage_error (CMD, "--dpi must be a number, got '%s'", dpi_text);
  if (format_name != NULL)
    {
      if (!cs_export_format_from_name (format_name, &eo.format))
        return cs_cli_usage_error (CMD, "unknown --format '%s' (png, svg or pdf)", format_name);
    }
  else if (out_path != NULL && strrchr (out_path, '.') != NULL
           && cs_export_format_from_name (strrchr (out_path, '.') + 1, &eo.format))
    ;
  else
    eo.format = all ? CS_EXPORT_PDF : CS_EXPORT_PNG;
  if (all && eo.format != CS_EXPORT_PDF)
    return cs_cli_usage_error (CMD, "--chart all makes a multi-page PDF; use --format pdf");
  if (out_path != NULL && strrchr (out_path, '.') != NULL)
    {
      CsExportFormat ext;
      if (cs_export_format_from_name (strrchr (out_path, '.') + 1, &ext) && ext != eo.format)
        return cs_cli_usage_error (CMD, "--out ends in .%s but --format is %s", strrchr (out_path, '.') + 1,
                                   cs_export_format_name (eo.format));
    }
  if (!cs_export_options_validate (&eo, &error))
    return cs_cli_usage_error (CMD, "%s", error->message);
  if (top_k < 1 || top_k > 100)
    return cs_cli_usage_error (CMD, "--top-k must be between 1 and 100");
  if (sweep_tasks < 64 || sweep_tasks > 1000000)
    return cs_cli_usage_error (CMD, "--sweep-tasks must be between 64 and 1000000");
  if (!cs_engine_fit_from_name (metric_name, &fit) || fit == CS_ENGINE_FIT_FULL)
    return cs_cli_usage_error (CMD, "--metric must be auto, scalar or diagonal, got '%s'", metric_name);
  if (metric_name != NULL && model_path != NULL)
    return cs_cli_usage_error (CMD, "--metric fits a window and --model brings one: give one of them");
  if (sort_name != NULL && g_strcmp0 (sort_name, "weight") != 0 && g_strcmp0 (sort_name, "distance") != 0)
    return cs_cli_usage_error (CMD, "--sort must be weight or distance, got '%s'", sort_name);
  if (window_kind != NULL && g_strcmp0 (window_kind, "radius") != 0 && g_strcmp0 (window_kind, "half-width") != 0
      && g_strcmp0 (window_kind, "n-eff") != 0)
    return cs_cli_usage_error (CMD, "--window must be radius, half-width or n-eff, got '%s'", window_kind);
  if (color_by != NULL && g_strcmp0 (color_by, "weight") != 0 && g_strcmp0 (color_by, "outcome") != 0
      && g_strcmp0 (color_by, "window-ratio") != 0)
    return cs_cli_usage_error (CMD, "--color-by must be weight, outcome or window-ratio, got '%s'", color_by);
  if (order != NULL && g_strcmp0 (order, "feature") != 0 && g_strcmp0 (order, "position") != 0)
    return cs_cli_usage_error (CMD, "--order must be feature or position, got '%s'", order);
  if (colormap != NULL && g_strcmp0 (colormap, "viridis") != 0 && g_strcmp0 (colormap, "cividis") != 0)
    return cs_cli_usage_error (CMD, "--colormap must be viridis or cividis, got '%s'", colormap);
  eo.weight_map = g_strcmp0 (colormap, "cividis") == 0 ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;
  eo.stretch_to_max = stretch;
  eo.transparent = transparent;

  if (order_column != NULL && (all || kind != CS_CHART_BACKTEST))
    return cs_cli_usage_error (CMD, "--order-column is for --chart backtest");
  if (!all && kind == CS_CHART_BACKTEST)
    {
      /* the order column is the time axis, not a feature (as in `backtest`) */
      rc = cs_cli_order_columns (CMD, "--order-column", argv[1], target, &order_column, &order_features);
      if (rc != CS_EXIT_OK)
        return rc;
      if (order_features[0] == '\0')
        return cs_cli_usage_error (CMD, "no feature besides the order column '%s'", order_column);
    }

  /* The case base, the model and the engine: one load and one report, as every sub-command. */
  rc = cs_cli_load (CMD, argv[1], target, order_features, model_path, exclude, &l);
  if (rc != CS_EXIT_OK)
    goto out;
  if (order_column != NULL)
    {
      rc = cs_cli_order_keys (CMD, &l, order_column, &order_texts, &order_key);
      if (rc != CS_EXIT_OK)
        goto out;
    }
  if (l.base->n < 2)
    {
      g_printerr ("%s: needs at least 2 usable cases, found %" G_GSIZE_FORMAT "\n", argv[1], l.base->n);
      rc = CS_EXIT_DATA;
      goto out;
    }
  cs_chart_options_init (&co);
  if (x_name != NULL || y_name != NULL)
    {
      gssize jx = x_name != NULL ? find_feature (l.base, x_name) : 0;
      gssize jy = y_name != NULL ? find_feature (l.base, y_name) : (l.base->d > 1 ? 1 : 0);

      if (jx < 0 || jy < 0)
        {
          rc = cs_cli_usage_error (CMD, "no feature named '%s'", jx < 0 ? x_name : y_name);
          goto out;
        }
      co.feature_x = jx;
      co.feature_y = jy;
    }
  if (!resolve_query (&c, l.base, query, &error))
    {
      rc = cs_cli_usage_error (CMD, "%s", error->message);
      goto out;
    }
  cs_engine_options_init (&engine_options);
  engine_options.fit = fit;
  rc = cs_cli_build (CMD, &l, &engine_options);
  if (rc != CS_EXIT_OK)
    goto out;
  result = cs_engine_query_levels (l.engine, c.qx, c.levels, c.query != CS_NO_CASE ? (gssize) c.query : -1,
                                   (guint) top_k, &spec, NULL);

  /* The charts, each from the engine's one builder (the window draws the same). */
  co.top_k = (guint) top_k;
  co.sort = g_strcmp0 (sort_name, "distance") == 0 ? CS_CASE_SORT_DISTANCE : CS_CASE_SORT_WEIGHT;
  co.window = g_strcmp0 (window_kind, "half-width") == 0 ? CS_WINDOW_MEASURE_HALF_WIDTH
              : g_strcmp0 (window_kind, "n-eff") == 0 ? CS_WINDOW_MEASURE_N_EFF : CS_WINDOW_MEASURE_RADIUS;
  co.color_by_outcome = g_strcmp0 (color_by, "outcome") == 0;
  co.color_by_window_ratio = g_strcmp0 (color_by, "window-ratio") == 0;
  co.file_order = g_strcmp0 (order, "position") == 0;
  co.paper = paper;
  co.sweep_tasks = (guint) sweep_tasks;
  co.order_key = order_key;
  co.order_name = order_column;
  for (guint k = 0; k < CS_N_CHARTS; k++)
    {
      /* the backtest needs an order column: not one of `all` */
      if ((!all && k != (guint) kind) || (all && k == CS_CHART_BACKTEST))
        continue;
      /* The charts of the whole case base are built without the query, as on the manager page. */
      gboolean of_query = k == CS_CHART_CASE_ATTENTION || k == CS_CHART_FEATURE_MAP || k == CS_CHART_WINDOW;

      built[n_charts] = cs_engine_chart_build (l.engine, (CsChartKind) k, of_query ? result : NULL, &co, NULL, NULL,
                                               NULL, &error);
      if (built[n_charts] == NULL)
        {
          g_printerr ("casescope-cli " CMD ": %s: %s\n", cs_chart_kind_name ((CsChartKind) k), error->message);
          rc = CS_EXIT_FAILURE;
          goto out;
        }
      charts[n_charts] = *cs_engine_chart_get (built[n_charts]);
      n_charts++;
    }

  cs_engine_chart_provenance (built[0], PACKAGE_VERSION, date, &prov);
  eo.provenance = no_footer ? NULL : &prov;
  protect[0] = argv[1];
  eo.protected_paths = protect;
  if (out_path == NULL)
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M");
      char *dot = strrchr (base, '.');

      if (dot != NULL)
        *dot = '\0';
      out_path = g_strdup_printf ("%s_%s_%s.%s", base, all ? "charts" : cs_chart_kind_name (kind), stamp,
                                  cs_export_format_name (eo.format));
    }
  if (!cs_export_charts (out_path, charts, n_charts, &eo, &error))
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

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, out_path);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, cs_export_format_name (eo.format));
      json_builder_set_member_name (b, "charts");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_charts; i++)
        json_builder_add_string_value (b, cs_chart_kind_name (charts[i].kind));
      json_builder_end_array (b);
      /* per chart, the cases it predicts (the query rows of the attention matrix, the per-case sample of the
       * window and diagnostics) or, for the others, the case base's size */
      json_builder_set_member_name (b, "chart_cases");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_charts; i++)
        json_builder_add_int_value (b, (gint64) cs_engine_chart_cases (built[i]));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, eo.width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, eo.height);
      cs_json_add_number (b, "dpi", eo.dpi);
      json_builder_set_member_name (b, "query_case");
      if (c.query != CS_NO_CASE)
        json_builder_add_int_value (b, (gint64) c.query + 1);
      else
        json_builder_add_null_value (b);
      cs_json_add_number (b, "prediction", result->prediction.prediction);
      cs_cli_json_interval (b, result);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, cs_verdict_name (result->report.verdict));
      json_builder_set_member_name (b, "footer");
      json_builder_add_boolean_value (b, !no_footer);
      /* the cases behind the per-case figures (window, diagnostics, fail-safe baselines): all, or a sample */
      cs_cli_json_policy (b, &l.engine->policy);
      cs_cli_json_exclusions (b, &l);
      cs_cli_json_problems (b, l.report);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    printf ("Wrote %s (%s, %u chart%s, %dx%d px at %g dpi)\n", out_path, cs_export_format_name (eo.format), n_charts,
            n_charts == 1 ? "" : "s", eo.width, eo.height, eo.dpi);

out:
  for (guint i = 0; i < G_N_ELEMENTS (built); i++)
    cs_engine_chart_free (built[i]);
  g_clear_pointer (&result, cs_query_result_free);
  g_free (c.qx);
  g_free (c.levels);
  cs_cli_loaded_clear (&l);
  return rc;
}
