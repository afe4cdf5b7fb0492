/* cs-i18n.h: the window's locale and message catalogues. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* setlocale (LC_ALL, "") and the text domain bound to cs_i18n_get_localedir (); FALSE when the environment's
 * locale is not installed. Call it once, before the first window (app/main.c; the tests that want it). */
gboolean    cs_i18n_init           (void);
/* $CASESCOPE_LOCALEDIR when set (the build tree's po/ for `make run` and the tests), else the installed LOCALEDIR. */
const char *cs_i18n_get_localedir  (void);

G_END_DECLS
