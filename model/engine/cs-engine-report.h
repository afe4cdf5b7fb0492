/* cs-engine-report.h: a meeting report of one query (the case and its prediction, the cases used, the charts, the
 * diagnostics of the case base) as plain report data (cs-report-types.h), which ui/render draws into a PDF
 * (cs_report_export). The window's Export Report and `casescope-cli report` both build it here, so they write
 * the same pages. */
#pragma once

#include "cs-engine-charts.h"
#include "cs-report-types.h"

G_BEGIN_DECLS

typedef struct
{
  double spec_lower;               /* the outcome's spec limits in its own units; NaN: none */
  double spec_upper;
  const char *app_version;         /* for the footer */
  const char *date;                /* for the footer: cs_plot_provenance_date () (SOURCE_DATE_EPOCH honoured) */
  guint max_cases;                 /* rows of the table of cases used; 0: CS_ENGINE_REPORT_CASES */
} CsEngineReportOptions;

#define CS_ENGINE_REPORT_CASES 30

void cs_engine_report_options_init (CsEngineReportOptions *options);

typedef struct _CsEngineReport CsEngineReport;

/* The report of result, a query of engine made by cs_engine_query (with every case's weight: the charts need
 * them). NULL with an error when a chart cannot be built (G_IO_ERROR_CANCELLED, ...) or the result has no
 * weights (G_IO_ERROR_INVALID_ARGUMENT); a query without a prediction still makes a report (verdict stop, the
 * reason in words). The report keeps the engine alive and owns every string it points to. */
CsEngineReport     *cs_engine_report_build (CsEngine                    *engine,
                                            const CsQueryResult         *result,
                                            const CsEngineReportOptions *options,
                                            GCancellable                *cancellable,
                                            GError                     **error);
const CsReportData *cs_engine_report_get   (const CsEngineReport        *report);
void                cs_engine_report_free  (CsEngineReport              *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsEngineReport, cs_engine_report_free)

G_END_DECLS
