/* cs-engine-report.c: the meeting report of one query, as plain report data for ui/render (cs-report-types.h). */
#define G_LOG_DOMAIN "cs-engine-report"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-engine-report.h"

/* The pages, in order: the case and its prediction, the cases used, the query's three charts, the case base's two. */
#define MAX_PAGES 7

struct _CsEngineReport
{
  CsEngine *engine;
  GPtrArray *strings;              /* every string a page points to */
  GArray *lines;                   /* CsReportLine of page 1 */
  CsEngineChart *charts[MAX_PAGES];
  CsReportPage pages[MAX_PAGES];
  const char **headers;
  gboolean *numeric;
  const char **cells;
  CsProvenance provenance;
  CsReportData data;
};

void
cs_engine_report_options_init (CsEngineReportOptions *options)
{
  memset (options, 0, sizeof *options);
  options->spec_lower = NAN;
  options->spec_upper = NAN;
}

static const char *
keep (CsEngineReport *r,
      char           *s)
{
  g_ptr_array_add (r->strings, s);
  return s;
}

static const char *
keep_printf (CsEngineReport *r,
             const char     *format,
             ...) G_GNUC_PRINTF (2, 3);

static const char *
keep_printf (CsEngineReport *r,
             const char     *format,
             ...)
{
  va_list ap;
  char *s;

  va_start (ap, format);
  s = g_strdup_vprintf (format, ap);
  va_end (ap);
  return keep (r, s);
}

static void
add_line (CsEngineReport   *r,
          CsReportLineKind  kind,
          const char       *label,
          const char       *text)
{
  CsReportLine line = { kind, label, text };

  g_array_append_val (r->lines, line);
}

/* "41.2 MPa", "0.53" (no unit): numbers as the prediction panel shows them, with 4 significant digits. */
static const char *
with_unit (CsEngineReport *r,
           double          value,
           const char     *unit)
{
  if (!isfinite (value))
    return "not available";
  return keep_printf (r, "%.4g%s%s", value, unit != NULL && unit[0] ? " " : "", unit != NULL ? unit : "");
}

/* The prediction interval and the spec verdict, from the result (which the caller computed with the report's
 * spec limits: cs_engine_query_spec), under the labels "interval" and "spec verdict". */
static void
report_interval_lines (CsEngineReport              *r,
                       const CsQueryResult         *result,
                       const CsEngineReportOptions *options)
{
  const CsCaseBase *cb = result->engine->cases;
  gboolean lower = isfinite (options->spec_lower), upper = isfinite (options->spec_upper);

  g_autofree char *interval = cs_query_result_interval_words (result, cb->target_unit);
  g_autofree char *spec = cs_query_result_spec_words (result);

  add_line (r, CS_REPORT_LINE_FIELD, "interval",
            interval != NULL ? keep_printf (r, "%s", interval) : "none (too few leave-one-out residuals)");
  if (lower && upper)
    add_line (r, CS_REPORT_LINE_FIELD, "spec limits",
              keep_printf (r, "%s to %s", with_unit (r, options->spec_lower, cb->target_unit),
                           with_unit (r, options->spec_upper, cb->target_unit)));
  else if (lower)
    add_line (r, CS_REPORT_LINE_FIELD, "spec limits",
              keep_printf (r, "at least %s", with_unit (r, options->spec_lower, cb->target_unit)));
  else if (upper)
    add_line (r, CS_REPORT_LINE_FIELD, "spec limits",
              keep_printf (r, "at most %s", with_unit (r, options->spec_upper, cb->target_unit)));
  else
    add_line (r, CS_REPORT_LINE_FIELD, "spec limits", "none given");
  if (lower || upper)
    add_line (r, CS_REPORT_LINE_FIELD, "spec verdict",
              spec != NULL ? keep_printf (r, "%s", spec) : "not available (the prediction has no interval)");
}

static const char *
verdict_words (CsVerdict verdict)
{
  switch (verdict)
    {
    case CS_VERDICT_OK: return "the fail-safe raised no warning: the prediction can be used";
    case CS_VERDICT_CHECK: return "look at the flags below before using the prediction";
    case CS_VERDICT_STOP:
    default: return "do not use the prediction: see the flags below";
    }
}

static void
page_prediction (CsEngineReport              *r,
                 const CsQueryResult         *result,
                 const CsEngineReportOptions *options)
{
  CsEngine *e = result->engine;
  const CsCaseBase *cb = e->cases;
  const CsPrediction *p = &result->prediction;
  gboolean have = result->valid && result->report.failure == CS_FLAG_FAIL_NONE;
  const char *scale = keep (r, cs_engine_scale_text (&e->metric));

  add_line (r, CS_REPORT_LINE_HEADING, NULL, "The case");
  if (result->exclude >= 0)
    {
      gsize i = (gsize) result->exclude;

      add_line (r, CS_REPORT_LINE_FIELD, "query",
                keep_printf (r, "case %" G_GSIZE_FORMAT " (line %u%s%s), left out of its own prediction", i + 1,
                             cb->line[i], cb->ids != NULL ? ", " : "", cb->ids != NULL ? cb->ids[i] : ""));
      add_line (r, CS_REPORT_LINE_FIELD, keep_printf (r, "recorded %s", cb->target_name),
                with_unit (r, cb->y[i], cb->target_unit));
    }
  else
    add_line (r, CS_REPORT_LINE_FIELD, "query", "a new point (not in the case base)");
  for (gsize j = 0; j < cb->d; j++)
    add_line (r, CS_REPORT_LINE_FIELD, cb->feature_names[j], with_unit (r, result->query[j], cb->feature_units[j]));
  for (gsize c = 0; c < cb->n_cat; c++)
    add_line (r, CS_REPORT_LINE_FIELD, cb->cat_names[c],
              result->levels[c] == CS_LEVEL_NOT_GIVEN ? "not given"
              : result->levels[c] < 0 ? "a value no past case has"
              : cb->cat_levels[c][result->levels[c]][0] != '\0' ? cb->cat_levels[c][result->levels[c]] : "(empty)");

  add_line (r, CS_REPORT_LINE_HEADING, NULL, "Prediction");
  if (have)
    add_line (r, CS_REPORT_LINE_FIELD, cb->target_name,
              keep_printf (r, "%s ± %s (standard error)", with_unit (r, p->prediction, cb->target_unit),
                           with_unit (r, p->std_error, cb->target_unit)));
  else
    add_line (r, CS_REPORT_LINE_FIELD, cb->target_name, "no prediction");
  report_interval_lines (r, result, options);
  add_line (r, CS_REPORT_LINE_VERDICT, cs_verdict_name (result->report.verdict),
            verdict_words (result->report.verdict));
  for (gsize f = 0; f < result->report.n_flags; f++)
    {
      const CsFlag *flag = &result->report.flags[f];

      add_line (r, CS_REPORT_LINE_TEXT, NULL,
                keep_printf (r, "%s (%s): %s", cs_engine_flag_name (flag->kind), cs_severity_name (flag->severity),
                             flag->message));
    }
  if (result->report.n_flags == 0)
    add_line (r, CS_REPORT_LINE_TEXT, NULL, "No flag: every check is within its threshold.");

  add_line (r, CS_REPORT_LINE_HEADING, NULL, "Window");
  if (have)
    {
      add_line (r, CS_REPORT_LINE_FIELD, "effective cases",
                keep_printf (r, "n_eff = %.1f of %" G_GSIZE_FORMAT " cases", p->n_eff, cb->n));
      add_line (r, CS_REPORT_LINE_FIELD, "attention radius",
                keep_printf (r, "90 %% of the attention within %.3g sd (standardised units)", p->radius90));
      for (gsize j = 0; j < cb->d && result->half_width != NULL; j++)
        add_line (r, CS_REPORT_LINE_FIELD, keep_printf (r, "half-width %s", cb->feature_names[j]),
                  keep_printf (r, "± %s", with_unit (r, result->half_width[j], cb->feature_units[j])));
      add_line (r, CS_REPORT_LINE_FIELD, "cases attended",
                keep_printf (r, "%" G_GSIZE_FORMAT " (the weight left out: %.2g)", result->n_kept,
                             result->weight_dropped));
    }
  /* The engine's label names where the window came from: "scalar, fitted by leave-one-out" or "scalar, from
   * press-line-model.json" (the window and the command line label a model file alike). */
  add_line (r, CS_REPORT_LINE_FIELD, "model", e->metric_label != NULL ? e->metric_label : "not named");
  add_line (r, CS_REPORT_LINE_FIELD, "window", scale);

  r->pages[0].kind = CS_REPORT_PAGE_TEXT;
  r->pages[0].title = keep_printf (r, "%s: prediction and fail-safe verdict", cb->target_name);
  r->pages[0].n_lines = r->lines->len;
  r->pages[0].lines = (const CsReportLine *) (gpointer) r->lines->data;
}

typedef struct
{
  const double *w;
} ByWeight;

static gint
by_weight_desc (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  const double *w = ((const ByWeight *) user_data)->w;
  gsize i = *(const gsize *) a, j = *(const gsize *) b;

  if (w[i] != w[j])
    return w[i] > w[j] ? -1 : 1;
  return i < j ? -1 : i > j;   /* file order among equal weights: the same table every time */
}

/* Every case by weight, the heaviest max_cases in the table: rank, line, id, weight, cumulative weight, outcome,
 * distance in standardised units (as the prediction's top cases report it). */
static void
page_cases (CsEngineReport      *r,
            const CsQueryResult *result,
            guint                max_cases)
{
  CsEngine *e = result->engine;
  const CsCaseBase *cb = e->cases;
  gsize n = cb->n, d = cb->d;
  g_autofree gsize *order = g_new (gsize, n);
  g_autofree double *zq = g_new (double, d);
  ByWeight bw = { result->weights };
  gboolean ids = cb->ids != NULL;
  guint n_cols = ids ? 7 : 6, c = 0;
  gsize rows = MIN ((gsize) max_cases, n);
  double cumulative = 0, rest = 0;
  CsReportPage *page = &r->pages[1];

  for (gsize i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, (gint) n, sizeof (gsize), by_weight_desc, &bw);
  for (gsize j = 0; j < d; j++)
    zq[j] = (result->query[j] - e->mean[j]) / (e->sd[j] > 0 ? e->sd[j] : 1.0);

  r->headers = g_new0 (const char *, n_cols);
  r->numeric = g_new0 (gboolean, n_cols);
  r->headers[c] = "rank", r->numeric[c++] = TRUE;
  r->headers[c] = "line", r->numeric[c++] = TRUE;
  if (ids)
    r->headers[c] = cb->id_name != NULL ? cb->id_name : "id", r->numeric[c++] = FALSE;
  r->headers[c] = "weight", r->numeric[c++] = TRUE;
  r->headers[c] = "cumulative", r->numeric[c++] = TRUE;
  r->headers[c] = keep_printf (r, "%s%s%s%s", cb->target_name, cb->target_unit[0] ? " [" : "", cb->target_unit,
                               cb->target_unit[0] ? "]" : "");
  r->numeric[c++] = TRUE;
  r->headers[c] = "distance (sd)", r->numeric[c++] = TRUE;

  r->cells = g_new0 (const char *, rows * n_cols);
  for (gsize k = 0; k < rows; k++)
    {
      gsize i = order[k];
      const char **row = r->cells + k * n_cols;
      double dist = 0;

      for (gsize j = 0; j < d; j++)
        dist += (e->z[i * d + j] - zq[j]) * (e->z[i * d + j] - zq[j]);
      cumulative += result->weights[i];
      c = 0;
      row[c++] = keep_printf (r, "%" G_GSIZE_FORMAT, k + 1);
      row[c++] = keep_printf (r, "%u", cb->line[i]);
      if (ids)
        row[c++] = cb->ids[i];
      row[c++] = keep_printf (r, "%.4f", result->weights[i]);
      row[c++] = keep_printf (r, "%.4f", cumulative);
      row[c++] = keep_printf (r, "%.4g", cb->y[i]);
      row[c++] = keep_printf (r, "%.3g", sqrt (dist));
    }
  for (gsize k = rows; k < n; k++)
    rest += result->weights[order[k]];

  page->kind = CS_REPORT_PAGE_TABLE;
  page->title = keep_printf (r, "The cases used: the %" G_GSIZE_FORMAT " heaviest of %" G_GSIZE_FORMAT, rows, n);
  page->n_cols = n_cols;
  page->n_rows = rows;
  page->headers = r->headers;
  page->numeric = r->numeric;
  page->cells = r->cells;
  page->note = keep_printf (r, "The prediction is the weighted mean of every case's %s, sum_i w_i y_i = %.6g. The %"
                            G_GSIZE_FORMAT " cases above carry %.1f %% of the weight, the other %" G_GSIZE_FORMAT
                            " carry %.1f %%.", cb->target_name, result->exact_sum, rows, 100 * cumulative, n - rows,
                            100 * rest);
}

CsEngineReport *
cs_engine_report_build (CsEngine                    *engine,
                        const CsQueryResult         *result,
                        const CsEngineReportOptions *options,
                        GCancellable                *cancellable,
                        GError                     **error)
{
  static const CsChartKind kinds[] = {
    CS_CHART_CASE_ATTENTION, CS_CHART_FEATURE_MAP, CS_CHART_WINDOW, CS_CHART_DIAGNOSTICS, CS_CHART_SOFTMAX_VS_LINEAR,
  };
  /* The names casescope-cli export uses (cs_chart_kind_name is ui/render's, which the engine does not link). */
  static const char *const names[] = {
    "case-attention", "feature-map", "window", "diagnostics", "softmax-vs-linear",
  };
  g_autoptr(CsEngineReport) r = NULL;
  CsEngineReportOptions defaults;
  CsChartOptions co;
  guint n_pages = 2;

  g_return_val_if_fail (engine != NULL && result != NULL, NULL);
  if (options == NULL)
    {
      cs_engine_report_options_init (&defaults);
      options = &defaults;
    }
  if (result->engine != engine || result->weights == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a report needs a query of this engine with every case's weight (cs_engine_query)");
      return NULL;
    }

  r = g_new0 (CsEngineReport, 1);
  r->engine = cs_engine_ref (engine);
  r->strings = g_ptr_array_new_with_free_func (g_free);
  r->lines = g_array_new (FALSE, FALSE, sizeof (CsReportLine));

  page_prediction (r, result, options);
  page_cases (r, result, options->max_cases > 0 ? options->max_cases : CS_ENGINE_REPORT_CASES);

  /* The charts as the window shows them: the query's three with the result, the case base's without it (as on
   * the manager page and in casescope-cli export). */
  cs_chart_options_init (&co);
  co.top_k = 10;   /* not the result's k: the same charts whichever k the caller queried with */
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      gboolean of_query = kinds[k] == CS_CHART_CASE_ATTENTION || kinds[k] == CS_CHART_FEATURE_MAP
                          || kinds[k] == CS_CHART_WINDOW;
      g_autoptr(GError) local = NULL;
      CsEngineChart *chart = cs_engine_chart_build (engine, kinds[k], of_query ? result : NULL, &co, NULL, NULL,
                                                    cancellable, &local);

      if (chart == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", names[k]);
          return NULL;
        }
      r->charts[n_pages] = chart;
      r->pages[n_pages].kind = CS_REPORT_PAGE_CHART;
      r->pages[n_pages].title = names[k];
      r->pages[n_pages].chart = *cs_engine_chart_get (chart);
      n_pages++;
    }

  /* One footer on every page, from the query's chart (it names the query's verdict), with the model as the
   * engine labels it (a model file by its name) instead of the bare metric kind. */
  cs_engine_chart_provenance (r->charts[2], options->app_version, options->date, &r->provenance);
  if (engine->metric_label != NULL)
    r->provenance.metric = engine->metric_label;

  r->data.title = keep_printf (r, "Casescope report: %s", engine->cases->target_name);
  r->data.n_pages = n_pages;
  r->data.pages = r->pages;
  r->data.provenance = &r->provenance;
  return g_steal_pointer (&r);
}

const CsReportData *
cs_engine_report_get (const CsEngineReport *report)
{
  return &report->data;
}

void
cs_engine_report_free (CsEngineReport *report)
{
  if (report == NULL)
    return;
  for (guint k = 0; k < MAX_PAGES; k++)
    cs_engine_chart_free (report->charts[k]);
  g_clear_pointer (&report->strings, g_ptr_array_unref);
  if (report->lines != NULL)
    g_array_unref (report->lines);
  g_free (report->headers);
  g_free (report->numeric);
  g_free (report->cells);
  g_clear_pointer (&report->engine, cs_engine_unref);
  g_free (report);
}
