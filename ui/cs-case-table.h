/* cs-case-table.h: the operator page's case table: a search entry, the verdict and spec filters, a count of the
 * cases shown and a column view over a CsCaseBase (line, id, features, target, verdict flags, "In spec"). Column
 * sorts run in a worker, so a million rows sort without stalling the main loop. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_CASE_TABLE (cs_case_table_get_type ())
G_DECLARE_FINAL_TYPE (CsCaseTable, cs_case_table, CS, CASE_TABLE, GtkWidget)

/* Properties:
 *   "cases"       (gpointer, CsCaseBase *): the case base shown (the table keeps a reference; NULL: none).
 *                 Setting it drops the engine, which belongs to the previous base.
 *   "engine"      (gpointer, CsEngine *): the engine of those cases, for the verdict column and the "In spec"
 *                 shares (the table keeps a reference; may come later than the cases; NULL: none).
 *   "spec-lower", "spec-upper" (double): the spec limits of the case base in outcome units; -inf / +inf for
 *                 none (GObject refuses NaN in a property; cs_case_table_set_spec_limits takes NaN too). With
 *                 at least one limit and an engine, the "In spec" column shows every case's leave-one-out share
 *                 inside the limits (computed in one batch in a worker) and its filter is sensitive.
 * Signals:
 *   "case-selected" (guint index): the user selected the row of case index (not emitted by cs_case_table_select
 *                 nor when a sort or a filter moves the selected row). */

GtkWidget   *cs_case_table_new              (void);
void         cs_case_table_set_cases        (CsCaseTable *self,
                                             CsCaseBase  *cases);
CsCaseBase  *cs_case_table_get_cases        (CsCaseTable *self);
void         cs_case_table_set_engine       (CsCaseTable *self,
                                             CsEngine    *engine);
CsEngine    *cs_case_table_get_engine       (CsCaseTable *self);
/* Both limits at once (one recomputation of the "In spec" shares); NaN or infinite: no such limit. */
void         cs_case_table_set_spec_limits  (CsCaseTable *self,
                                             double       lower,
                                             double       upper);
/* Select case index's row and scroll to it, without emitting "case-selected"; when its row is filtered out, no
 * row is selected (rather than another case's). Nothing for an index out of range. */
void         cs_case_table_select           (CsCaseTable *self,
                                             gsize        index);
void         cs_case_table_focus_search     (CsCaseTable *self);
/* The physical line of the case whose cell is at (x, y) in the column view's coordinates, or 0 for none. */
guint        cs_case_table_line_at          (CsCaseTable *self,
                                             double       x,
                                             double       y);

G_END_DECLS
