/* cs-set-aside.h: the window's cases set aside with a reason (the side file next to the case base).
 *
 * The window keeps the case base as imported and shows cs_case_base_exclude ()'s copy, so the table, the
 * engine, every chart and every export see the same cases as casescope-cli does with the same side file.
 * The record is written atomically next to the CSV (never the CSV itself); a case base without a file (a
 * built-in sample) cannot have cases set aside. The table's context menu offers "Set Aside…" on a case and
 * "Take Back" for each case set aside, through the window actions win.set-aside(u) and win.take-back(u)
 * (the parameter is the case's physical line).
 */
#pragma once

#include <gtk/gtk.h>

#include "cs-case-base.h"
#include "cs-case-table.h"
#include "cs-exclusions.h"

G_BEGIN_DECLS

/* The window's record of the cases set aside: the window owns one (cs_window_get_set_aside), made with
 * cs_set_aside_new and freed with cs_set_aside_free in its dispose. */
typedef struct _CsSetAside CsSetAside;

CsSetAside         *cs_set_aside_new          (void);
void                cs_set_aside_free         (CsSetAside           *set_aside);

/* Called by the window with the case base it is given: remembers it as the full base, reads its side file
 * and returns the base to show (a new reference; all itself when nothing is set aside). A base this
 * function returned earlier is shown as it is. *note (may be NULL) gets a message for the window's banner
 * when the side file cannot be read or an entry does not match (else NULL). Installs the actions. */
CsCaseBase         *cs_set_aside_prepare      (GtkApplicationWindow *window,
                                               CsCaseBase           *all,
                                               char                **note);
/* The record of the shown case base (NULL when there is none). */
const CsExclusions *cs_set_aside_get          (GtkWidget            *window);
/* The side file of the shown case base, or NULL for a base without a file. */
const char         *cs_set_aside_get_path     (GtkWidget            *window);
/* Set the case on line aside with reason / take it back: write the side file, then show the case base again
 * through set_case_base (the engine is rebuilt without / with the case). FALSE with an error (nothing changed)
 * when there is no file, no such case, no reason, or the side file cannot be written. */
gboolean            cs_set_aside_case         (GtkWidget            *window,
                                               guint                 line,
                                               const char           *reason,
                                               GError              **error);
gboolean            cs_set_aside_take_back    (GtkWidget            *window,
                                               guint                 line,
                                               GError              **error);
/* The table's context menu: a right click on a case's cell (the table says which line: cs_case_table_line_at). */
void                cs_set_aside_attach_table (CsCaseTable          *table,
                                               GtkWidget            *column_view);

G_END_DECLS
