/* cs-operator-view.h: the operator page: case table, query editor (CsQueryEditor), prediction card, cases used
 * (CsUsedCases), fail-safe panel (CsFailsafePanel) and the per-query charts, all updated live from a CsEngine. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_OPERATOR_VIEW (cs_operator_view_get_type ())
G_DECLARE_FINAL_TYPE (CsOperatorView, cs_operator_view, CS, OPERATOR_VIEW, GtkWidget)

GtkWidget     *cs_operator_view_new            (void);
/* Show a case base (NULL: none) and, once ready, its engine (may come later than the cases). */
void           cs_operator_view_set_cases      (CsOperatorView *self,
                                                CsCaseBase     *cases);
void           cs_operator_view_set_engine     (CsOperatorView *self,
                                                CsEngine       *engine);
/* Make case i the query (leave-one-out) and select it in the table. */
void           cs_operator_view_select_case    (CsOperatorView *self,
                                                gsize           index);
/* Change one query feature as if typed (what-if). */
void           cs_operator_view_set_feature    (CsOperatorView *self,
                                                gsize           j,
                                                double          value);
/* The latest result shown (NULL before the first). */
const CsQueryResult *cs_operator_view_get_result (CsOperatorView *self);
void           cs_operator_view_focus_search   (CsOperatorView *self);
/* TRUE while the case table works: a column sort in a worker, or a wide case base's columns still being shown. */
gboolean       cs_operator_view_is_sorting     (CsOperatorView *self);
/* TRUE while the "In spec" column's leave-one-out shares are being computed (limits set, engine ready). */
gboolean       cs_operator_view_is_spec_pending (CsOperatorView *self);
/* Case index's leave-one-out p_in_spec as the "In spec" column shows it; NaN without limits, before the worker
 * is done, or for a case outside the per-case sample. */
double         cs_operator_view_get_case_p_in_spec (CsOperatorView *self,
                                                    gsize           index);
void           cs_operator_view_set_top_k      (CsOperatorView *self,
                                                guint           k);
void           cs_operator_view_set_dark       (CsOperatorView *self,
                                                gboolean        dark);
/* The interval level and this case base's spec limits (saved per file) the page predicts with; signal
 * "spec-changed" when the user changes the limits (and after a new case base brings its own). */
const CsIntervalSpec *cs_operator_view_get_spec (CsOperatorView *self);
/* The chart widgets of the page (CsChartView), in display order. */
GPtrArray     *cs_operator_view_get_charts     (CsOperatorView *self);
/* Signal "open-case" (guint index): a case was double-clicked in "Cases used" (handled: selects it). */

G_END_DECLS
