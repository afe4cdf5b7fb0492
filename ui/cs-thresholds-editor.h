/* cs-thresholds-editor.h: the fail-safe thresholds (check and stop level of each rule), Apply and Defaults. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_THRESHOLDS_EDITOR (cs_thresholds_editor_get_type ())
G_DECLARE_FINAL_TYPE (CsThresholdsEditor, cs_thresholds_editor, CS, THRESHOLDS_EDITOR, GtkWidget)

/* Signal "apply" (gpointer const CsFlagThresholds*, valid during the emission): Apply was pressed with thresholds
 * that fit together (each stop level beyond its check level), or Defaults (every field NaN: the case base's
 * defaults). The values are saved in the settings before the emission.
 * Property "busy" (boolean): while TRUE the buttons are insensitive (a re-evaluation runs). */
GtkWidget *cs_thresholds_editor_new            (void);
/* Show t (NULL: nothing to edit, the editor is insensitive). */
void       cs_thresholds_editor_set_thresholds (CsThresholdsEditor     *self,
                                                const CsFlagThresholds *t);
/* The values shown (fields as cs_engine_thresholds_set names them). */
void       cs_thresholds_editor_get_thresholds (CsThresholdsEditor     *self,
                                                CsFlagThresholds       *t);
void       cs_thresholds_editor_set_busy       (CsThresholdsEditor     *self,
                                                gboolean                busy);
gboolean   cs_thresholds_editor_get_busy       (CsThresholdsEditor     *self);

G_END_DECLS
