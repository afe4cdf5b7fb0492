/* cs-window.h: the main window: header bar with the page switcher, operator and manager pages.
 * Properties: "engine" (CsEngine *, read-only, notified whenever the pages show another engine or none),
 * "import-dialog" (the import preview shown, read-only), "following" (the follow page, win.follow),
 * "colormap" ("viridis" or "cividis", win.colormap). */
#pragma once

#include <gtk/gtk.h>

#include "cs-case-base.h"
#include "cs-engine.h"
#include "cs-set-aside.h"

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, GtkApplicationWindow)

CsWindow   *cs_window_new            (GtkApplication *app);
/* Show a case base (the window takes a reference); the engine is prepared in a worker. */
void        cs_window_set_case_base  (CsWindow       *self,
                                      CsCaseBase     *cases);
CsCaseBase *cs_window_get_case_base  (CsWindow       *self);
/* The engine of the current case base once prepared, else NULL (the "engine" property). */
CsEngine   *cs_window_get_engine     (CsWindow       *self);
/* Open a CSV: the import preview dialog loads it in a worker and shows what was detected; nothing replaces the
 * current case base until the user imports it. A failed import keeps the previous one. */
void        cs_window_open_file      (CsWindow       *self,
                                      GFile          *file);
/* The import preview dialog currently shown, or NULL. */
GtkWidget  *cs_window_get_import_dialog (CsWindow    *self);
/* Show the export dialog (for the focused chart) and return it. */
GtkWidget  *cs_window_show_export    (CsWindow       *self);
/* Write "cases" (the case table with leave-one-out predictions and flags) or "used" (the cases used by the
 * shown query) as CSV in a worker; a notice follows. */
void        cs_window_export_table   (CsWindow       *self,
                                      const char     *kind,
                                      const char     *path,
                                      gboolean        excel);
/* Write the meeting report of the shown query (cs-engine-report.h: the case and its prediction, the cases used,
 * the charts, the diagnostics) to path as a PDF in a worker, as casescope-cli report writes it; a notice ("Exported
 * NAME") or an error in the message area follows. FALSE (and a message) when there is no query yet. */
gboolean    cs_window_export_report  (CsWindow       *self,
                                      const char     *path);
/* Write the current model (the engine's metric, the standardisation, the fit report and the record of the case
 * base) to path as a model file, atomically, as `casescope-cli fit --save` writes it. FALSE with an error when
 * there is no model yet, the case base's record is still being computed or the file cannot be written. */
gboolean    cs_window_save_model_to  (CsWindow       *self,
                                      const char     *path,
                                      GError        **error);
/* Read a model file and rebuild the engine with its metric, no fit. A file that cannot be read or is for other
 * columns is refused (FALSE, its message in the window's message area, the current model kept); a model fitted
 * on another case base is used with a note in the message area. */
gboolean    cs_window_open_model_from (CsWindow      *self,
                                       const char    *path,
                                       GError       **error);
/* Show a page: "operator" or "manager". */
void        cs_window_set_page       (CsWindow       *self,
                                      const char     *name);
GtkWidget  *cs_window_get_operator   (CsWindow       *self);
GtkWidget  *cs_window_get_manager    (CsWindow       *self);
/* Show an error or notice in the window's banner. */
void        cs_window_show_message   (CsWindow       *self,
                                      GtkMessageType  type,
                                      const char     *message);
/* A transient notice over the content, with an "Open folder" button when folder is not NULL. */
void        cs_window_show_notice    (CsWindow       *self,
                                      const char     *text,
                                      GFile          *folder);
/* The follow page ("Follow this file", the win.follow toggle: property "following"), or NULL when not following. */
GtkWidget  *cs_window_get_follow_panel (CsWindow     *self);
/* The record of the cases set aside (cs-set-aside.c keeps it; NULL after dispose). */
CsSetAside *cs_window_get_set_aside   (CsWindow     *self);
/* TRUE while loading, preparing the engine or computing the shown query. */
gboolean    cs_window_is_busy        (CsWindow       *self);

G_END_DECLS
