/* cs-ui-test.h: what every UI test program shares: a fresh window per test, waiting on the main loop, finding
 * widgets by name. */
#pragma once

#include <gtk/gtk.h>

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
/* A fresh top-level window holding child, presented; destroy it with gtk_window_destroy () at the test's end. */
GtkWindow  *cs_ui_test_host         (GtkWidget   *child,
                                     int          width,
                                     int          height);

G_END_DECLS
