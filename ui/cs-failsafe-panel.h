/* cs-failsafe-panel.h: the fail-safe verdict of one prediction (icon and words) above one row per flag. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_FAILSAFE_PANEL (cs_failsafe_panel_get_type ())
G_DECLARE_FINAL_TYPE (CsFailsafePanel, cs_failsafe_panel, CS, FAILSAFE_PANEL, GtkBox)

GtkWidget *cs_failsafe_panel_new        (void);
/* Show result's verdict and flags (NULL: "No prediction yet"). Nothing of result is kept. */
void       cs_failsafe_panel_set_result (CsFailsafePanel     *self,
                                         const CsQueryResult *result);

G_END_DECLS
