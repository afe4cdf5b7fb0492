/* cs-ui-test.h: what every UI test program shares: a fresh window per test, waiting on the main loop, finding
 * widgets by name. */
#pragma once

#include <gtk/gtk.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

/* Runs every pending main-loop source, without blocking. */
void        cs_ui_test_iterate      (void);
/* Iterates (blocking, woken at least once a second) until ready(data) holds; fails the test after
 * timeout_seconds. */
void        cs_ui_test_wait_until   (gboolean   (*ready) (gpointer),
                                     gpointer     data,
                                     double       timeout_seconds);
/* Depth-first search of the widget tree for gtk_widget_get_name () == name; NULL when there is none. */
GtkWidget  *cs_ui_test_find_named   (GtkWidget   *root,
                                     const char  *name);
/* The first descendant (or root) of the given type. */
GtkWidget  *cs_ui_test_find_type    (GtkWidget   *root,
                                     GType        type);
/* Appends the text of every label under root (root included), one per line, in widget order. */
void        cs_ui_test_collect_text (GtkWidget   *root,
                                     GString     *out);
/* A fresh top-level window holding child, presented; destroy it with gtk_window_destroy () at the test's end. */
GtkWindow  *cs_ui_test_host         (GtkWidget   *child,
                                     int          width,
                                     int          height);

/* A case base with one category column: 200 cases of x in [0, 2), "supplier" A or B alternating (2 values, 1 % of
 * the rows: a category), and "strength" = x, plus 3 for B. */
CsCaseBase *cs_ui_test_category_base (void);

G_END_DECLS
