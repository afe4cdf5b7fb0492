/* cs-operator-view-private.h: what tests and the window's busy check read of the operator page, not part of its
 * public interface. */
#pragma once

#include "cs-operator-view.h"

G_BEGIN_DECLS

/* Number of query computations requested (an edit waiting for its debounce counts) and, in shown, finished and
 * shown so far: equal when the page is idle. */
guint          cs_operator_view_get_serial     (CsOperatorView *self,
                                                guint          *shown);

G_END_DECLS
