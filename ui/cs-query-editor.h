/* cs-query-editor.h: the operator page's query editor: one spin button per feature (typed values debounced) and
 * a drop-down per category column,
 * where the query came from, Reset to the case. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_QUERY_EDITOR (cs_query_editor_get_type ())
G_DECLARE_FINAL_TYPE (CsQueryEditor, cs_query_editor, CS, QUERY_EDITOR, GtkBox)

GtkWidget    *cs_query_editor_new         (void);
/* The case base whose features are edited (NULL: none); the query starts at the feature means. */
void          cs_query_editor_set_cases   (CsQueryEditor *self,
                                           CsCaseBase    *cases);
/* Make case index the query (its own values, leave-one-out): fills the spins and emits "query-changed" at once.
 * An index outside the case base is ignored. */
void          cs_query_editor_set_query   (CsQueryEditor *self,
                                           gsize          index);
/* Change feature j as if typed (what-if): "query-changed" follows after the debounce. */
void          cs_query_editor_set_feature (CsQueryEditor *self,
                                           gsize          j,
                                           double         value);
/* The query (d values in original units, NaN: missing), NULL without a case base; valid until the next change. */
const double *cs_query_editor_get_query   (CsQueryEditor *self);
/* The query's value of category column c (a level name of the case base; "" is the empty value), or NULL when
 * there is no such column. */
const char   *cs_query_editor_get_level   (CsQueryEditor *self,
                                           gsize          c);
/* Choose the value of category column c as if picked in its drop-down (a name the case base does not have is
 * ignored): "query-changed" follows after the debounce. */
void          cs_query_editor_set_level   (CsQueryEditor *self,
                                           gsize          c,
                                           const char    *level);
/* The case the query leaves out (the case it came from), or -1 for a query typed in from the start. */
gssize        cs_query_editor_get_exclude (CsQueryEditor *self);
/* TRUE once a value was edited since the query came from a case (property "edited"). */
gboolean      cs_query_editor_get_edited  (CsQueryEditor *self);
/* TRUE while an edit waits for its debounce ("query-changed" is still to come). */
gboolean      cs_query_editor_is_pending  (CsQueryEditor *self);
/* Signal "query-changed" (no arguments): the query changed (an edit after the debounce, set_query, Reset);
 * read it with cs_query_editor_get_query and cs_query_editor_get_exclude. */

G_END_DECLS
