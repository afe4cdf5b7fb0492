/* cs-export-dialog.h: export a chart as PNG, SVG or PDF: chart, format, size preset, DPI, footer, transparency;
 * remembers the last choices. */
#pragma once

#include <gtk/gtk.h>

#include "cs-chart-view.h"
#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_EXPORT_DIALOG (cs_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsExportDialog, cs_export_dialog, CS, EXPORT_DIALOG, GtkWindow)

/* charts: CsChartView* to offer (those with content), current: preselected. engine: for the provenance footer
 * (may be NULL). Signal "exported" (const char *path) after each successful export. */
GtkWidget *cs_export_dialog_new       (GtkWindow      *parent,
                                       GPtrArray      *charts,
                                       CsChartView    *current,
                                       CsEngine       *engine);
/* Export the selected chart with the dialog's settings to path (what the Save button does after the file
 * chooser). */
gboolean   cs_export_dialog_export_to (CsExportDialog *self,
                                       const char     *path,
                                       GError        **error);
/* Select the format by name ("png", "svg", "pdf") and the chart by name. */
void       cs_export_dialog_set_format (CsExportDialog *self,
                                        const char     *format);
/* A custom size in pixels and its resolution (the Custom preset). */
void       cs_export_dialog_set_size  (CsExportDialog *self,
                                       int             width,
                                       int             height,
                                       double          dpi);
gboolean   cs_export_dialog_set_chart (CsExportDialog *self,
                                       const char     *name);
/* A default file name: <dataset>_<chart>_<YYYYmmdd-HHMM>.<ext> */
char      *cs_export_dialog_suggest_name (CsExportDialog *self);

G_END_DECLS
