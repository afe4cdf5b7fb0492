/* cs-widgets.h: small widget builders shared by the dashboard pages. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A heading above child, which gets the "card" style. */
GtkWidget *cs_section_new (const char *title,
                           GtkWidget  *child);

G_END_DECLS
