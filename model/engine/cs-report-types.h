/* cs-report-types.h: the data of a meeting report (several pages: text, a table, charts), as plain C arrays and
 * strings.
 *
 * The engine (cs-engine-report.h) fills them from a case base, a model and a query, every number already in
 * words; ui/render draws them (cs-report.h), one page after another, into a PDF. Pointers are owned by whoever
 * filled the struct. GLib types only, like cs-chart-types.h: no model, Cairo or GTK types.
 */
#pragma once

#include <glib.h>

#include "cs-chart-types.h"

G_BEGIN_DECLS

typedef enum
{
  CS_REPORT_LINE_HEADING,    /* a section title */
  CS_REPORT_LINE_FIELD,      /* label: text, the labels aligned in one column */
  CS_REPORT_LINE_TEXT,       /* a paragraph (wrapped) */
  CS_REPORT_LINE_VERDICT,    /* the fail-safe verdict, drawn large and coloured by ok / check / stop */
} CsReportLineKind;

typedef struct
{
  CsReportLineKind kind;
  const char *label;         /* FIELD: the label; VERDICT: the verdict word ("ok", "check", "stop") */
  const char *text;
} CsReportLine;

typedef enum
{
  CS_REPORT_PAGE_TEXT,
  CS_REPORT_PAGE_TABLE,
  CS_REPORT_PAGE_CHART,
} CsReportPageKind;

typedef struct
{
  CsReportPageKind kind;
  const char *title;         /* drawn at the top of text and table pages (charts draw their own) */
  /* TEXT */
  gsize n_lines;
  const CsReportLine *lines;
  /* TABLE: n_rows x n_cols cells, row-major; numeric columns are right-aligned */
  guint n_cols;
  gsize n_rows;
  const char * const *headers;     /* n_cols */
  const gboolean *numeric;         /* n_cols, or NULL: all left-aligned */
  const char * const *cells;       /* n_rows * n_cols */
  const char *note;                /* a paragraph under the table, or NULL */
  /* CHART */
  CsChart chart;
} CsReportPage;

typedef struct
{
  const char *title;         /* the document's title (PDF metadata) */
  guint n_pages;
  const CsReportPage *pages;
  const CsProvenance *provenance;  /* the footer of every page (file hash, model, version, date), or NULL */
} CsReportData;

G_END_DECLS
