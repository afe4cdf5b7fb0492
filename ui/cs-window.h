/* cs-window.h: the main window. */
#pragma once

#include <gtk/gtk.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

#define CS_TYPE_WINDOW (cs_window_get_type ())
G_DECLARE_FINAL_TYPE (CsWindow, cs_window, CS, WINDOW, GtkApplicationWindow)

CsWindow   *cs_window_new            (GtkApplication *app);
/* Show a case base (the window takes a reference). */
void        cs_window_set_case_base  (CsWindow       *self,
                                      CsCaseBase     *cases);
CsCaseBase *cs_window_get_case_base  (CsWindow       *self);
/* Load a CSV in a worker; on failure the current case base stays and the error is shown. */
void        cs_window_open_file      (CsWindow       *self,
                                      GFile          *file);
/* Show an error or notice in the window's banner. */
void        cs_window_show_message   (CsWindow       *self,
                                      GtkMessageType  type,
                                      const char     *message);
const char *cs_window_get_message    (CsWindow       *self);
gboolean    cs_window_is_busy        (CsWindow       *self);

G_END_DECLS
