/* cs-manager-view.h: the manager page: global diagnostics, model controls (fit with progress, ETA and cancel,
 * feature relevance, a window pretrained at an assumed L and sigma), softmax against linear, paper sweeps. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_MANAGER_VIEW (cs_manager_view_get_type ())
G_DECLARE_FINAL_TYPE (CsManagerView, cs_manager_view, CS, MANAGER_VIEW, GtkWidget)

/* Signals: "engine-changed" (gpointer CsEngine*): a new fit or window is ready for the operator page;
 * "open-case" (guint index): drill down to a case. */
GtkWidget *cs_manager_view_new        (void);
void       cs_manager_view_set_cases  (CsManagerView *self,
                                       CsCaseBase    *cases);
void       cs_manager_view_set_engine (CsManagerView *self,
                                       CsEngine      *engine);
/* Start a fit ("auto", "scalar", "diagonal", "full"; another name: auto) as the Fit button does; FALSE when one
 * is running. */
gboolean   cs_manager_view_fit        (CsManagerView *self,
                                       const char    *kind);
void       cs_manager_view_cancel     (CsManagerView *self);
/* Re-evaluate the fail-safe flags with new thresholds (NaN fields: the case base's defaults), in a worker. */
gboolean   cs_manager_view_apply_thresholds (CsManagerView          *self,
                                             const CsFlagThresholds *thresholds);
/* Run the paper sweeps (learned window against L and sigma) as the button does; FALSE when busy. */
gboolean   cs_manager_view_run_sweeps (CsManagerView *self);
gboolean   cs_manager_view_is_busy    (CsManagerView *self);
void       cs_manager_view_set_dark   (CsManagerView *self,
                                       gboolean       dark);
GPtrArray *cs_manager_view_get_charts (CsManagerView *self);

G_END_DECLS
