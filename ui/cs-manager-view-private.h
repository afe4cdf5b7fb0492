/* cs-manager-view-private.h: what tests of the manager page read beyond the public API. */
#pragma once

#include "cs-manager-view.h"
#include "cs-progress.h"

G_BEGIN_DECLS

/* The page's one progress object (every fit, pretraining, sweep and threshold re-evaluation reports through it). */
CsProgress *cs_manager_view_get_progress (CsManagerView *self);

/* The case (index in the case base) shown in row position of the flagged-cases list; G_MAXSIZE: no such row. */
gsize       cs_manager_view_get_flagged_case (CsManagerView *self,
                                              guint          position);

G_END_DECLS
