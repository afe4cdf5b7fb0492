/* cs-used-cases.h: the cases one prediction used, largest weight first (weight, outcome, similarity, the largest
 * differences to the query), the exact sum behind the prediction, and how many to list. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_USED_CASES (cs_used_cases_get_type ())
G_DECLARE_FINAL_TYPE (CsUsedCases, cs_used_cases, CS, USED_CASES, GtkBox)

GtkWidget *cs_used_cases_new        (void);
/* List result's top cases of cases (at most top-k of them; NULL or an invalid result: none). Nothing of result
 * is kept. */
void       cs_used_cases_set_result (CsUsedCases         *self,
                                     CsCaseBase          *cases,
                                     const CsQueryResult *result);
/* Property "top-k" (1 to 50): how many cases to list; the user sets it with the spin button beside the list. */
guint      cs_used_cases_get_top_k  (CsUsedCases         *self);
void       cs_used_cases_set_top_k  (CsUsedCases         *self,
                                     guint                k);
/* Signal "open-case" (guint index): a listed case was activated (double-click or Enter); index into the case base. */

G_END_DECLS
