/* cs-widgets.h: small widget builders shared by the dashboard pages, and reading numbers users type. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A heading above child, which gets the "card" style. */
GtkWidget *cs_section_new        (const char *title,
                                  GtkWidget  *child);

/* A number typed by the user: surrounding blanks allowed, the decimal point '.' or the locale's decimal separator
 * (',' under de_DE: the window shows numbers that way). FALSE for empty, partial or non-finite text. */
gboolean   cs_entry_parse_number (const char *text,
                                  double     *value);

G_END_DECLS
