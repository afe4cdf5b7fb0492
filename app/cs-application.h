/* cs-application.h: the Casescope GtkApplication. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CS_TYPE_APPLICATION (cs_application_get_type ())
G_DECLARE_FINAL_TYPE (CsApplication, cs_application, CS, APPLICATION, GtkApplication)

CsApplication *cs_application_new        (void);
/* TRUE when a --screenshot run could not write its file (main exits 1). */
gboolean       cs_application_get_failed (CsApplication *self);

G_END_DECLS
