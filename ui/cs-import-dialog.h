/* cs-import-dialog.h: CSV import preview: what was detected, overrides, the problems list; nothing replaces the
 * current case base until "Import" is pressed. */
#pragma once

#include <gtk/gtk.h>

#include "cs-csv-loader.h"

G_BEGIN_DECLS

#define CS_TYPE_IMPORT_DIALOG (cs_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CsImportDialog, cs_import_dialog, CS, IMPORT_DIALOG, GtkWindow)

/* Starts loading file in a worker at once. Signal "import" (gpointer CsCaseBase*) when the user imports. */
GtkWidget   *cs_import_dialog_new          (GtkWindow      *parent,
                                            GFile          *file);
GFile       *cs_import_dialog_get_file     (CsImportDialog *self);
gboolean     cs_import_dialog_is_loading   (CsImportDialog *self);
/* The loaded case base (NULL while loading or when it failed). */
CsCaseBase  *cs_import_dialog_get_cases    (CsImportDialog *self);
/* The report of the last load (NULL while loading). */
CsCsvReport *cs_import_dialog_get_report   (CsImportDialog *self);
/* The error of the last load, or NULL. */
const char  *cs_import_dialog_get_error    (CsImportDialog *self);
/* Number of rows in the problems list shown. */
guint        cs_import_dialog_get_n_problems_shown (CsImportDialog *self);
/* Press "Import" (returns FALSE when there is nothing to import). */
gboolean     cs_import_dialog_accept       (CsImportDialog *self);

G_END_DECLS
