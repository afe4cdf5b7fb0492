/* cs-case-list.h: a GListModel over a CsCaseBase, one CsCaseRow per case, made on demand. */
#pragma once

#include <gio/gio.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

#define CS_TYPE_CASE_ROW (cs_case_row_get_type ())
G_DECLARE_FINAL_TYPE (CsCaseRow, cs_case_row, CS, CASE_ROW, GObject)

#define CS_TYPE_CASE_LIST (cs_case_list_get_type ())
G_DECLARE_FINAL_TYPE (CsCaseList, cs_case_list, CS, CASE_LIST, GObject)

CsCaseList *cs_case_list_new           (CsCaseBase *cases);
CsCaseBase *cs_case_list_get_cases     (CsCaseList *self);
/* Show the cases in this order (display position -> case index, n entries, owned), or NULL for file order.
 * The permutation is computed elsewhere (in a worker), so a million rows sort without a main-loop stall. */
void        cs_case_list_set_order     (CsCaseList *self,
                                        guint      *order);
const guint *cs_case_list_get_order    (CsCaseList *self);

guint       cs_case_row_get_index      (CsCaseRow  *self);
CsCaseBase *cs_case_row_get_cases      (CsCaseRow  *self);
/* Value of column j: 0..d-1 features, d the target. */
double      cs_case_row_get_value      (CsCaseRow  *self,
                                        guint       column);

G_END_DECLS
