/* cs-report.h: a meeting report (cs-report-types.h: text pages, a table, charts) drawn page after page into a PDF,
 * with the provenance footer on every page, and written atomically like every export (no GTK, nothing from
 * data/). The engine fills the data (cs-engine-report.h); the window and casescope-cli both write through
 * cs_report_export, so they give the same pages. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cs-export.h"
#include "cs-plot.h"
#include "cs-report-types.h"

G_BEGIN_DECLS

/* Draw every page of data on surface (a paged surface of width x height user units: a PDF), calling
 * cairo_surface_show_page () after each. A text page or a table longer than a page runs on to further pages,
 * titled "(continued)". Returns the number of pages drawn. */
guint     cs_report_draw      (cairo_surface_t    *surface,
                               const CsReportData *data,
                               const CsPlotStyle  *style,
                               double              width,
                               double              height);
/* The PDF in memory (options->format must be CS_EXPORT_PDF; the page is options->width x options->height pixels
 * at options->dpi; data->provenance is the footer, options->provenance is not read). */
GBytes   *cs_report_to_bytes  (const CsReportData    *data,
                               const CsExportOptions *options,
                               GError               **error);
/* The same written to path: a temporary file in its folder, flushed and renamed (never over one of
 * options->protected_paths). Errors as cs_export_charts (). */
gboolean  cs_report_export    (const char            *path,
                               const CsReportData    *data,
                               const CsExportOptions *options,
                               GError               **error);

G_END_DECLS
