/* cs-ui-test.c: see cs-ui-test.h. */
#include "config.h"

#include "cs-csv-loader.h"
#include "cs-ui-test.h"

void
cs_ui_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
cs_ui_test_wait_until (gboolean (*ready) (gpointer),
                       gpointer   data,
                       double     timeout_seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_seconds * G_USEC_PER_SEC);
  /* Something for the blocking iteration to return for, so that the deadline is checked even when nothing else
   * happens (a worker that never reports). */
  guint wake_up = g_timeout_add_seconds (1, wake_up_cb, NULL);

  while (!ready (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_up);
  cs_ui_test_iterate ();
}

GtkWidget *
cs_ui_test_find_named (GtkWidget  *root,
                       const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = cs_ui_test_find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
cs_ui_test_find_type (GtkWidget *root,
                      GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = cs_ui_test_find_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
cs_ui_test_collect_text (GtkWidget *root,
                         GString   *out)
{
  if (GTK_IS_LABEL (root))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (root)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    cs_ui_test_collect_text (c, out);
}

GtkWindow *
cs_ui_test_host (GtkWidget *child,
                 int        width,
                 int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  cs_ui_test_iterate ();
  return window;
}

CsCaseBase *
cs_ui_test_category_base (void)
{
  g_autoptr(GString) csv = g_string_new ("x,supplier,strength\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  CsCsvReport *report = NULL;
  CsCsvOptions o;
  CsCaseBase *cases;

  for (int i = 0; i < 200; i++)
    {
      double x = (i * 37 % 200) / 100.0;

      g_string_append_printf (csv, "%.2f,%s,%.3f\n", x, i % 2 ? "B" : "A", x + (i % 2 ? 3.0 : 0.0) + 0.01 * (i % 7));
    }
  bytes = g_bytes_new (csv->str, csv->len);
  cs_csv_options_init (&o);
  o.target = "strength";
  cases = cs_csv_load_bytes (bytes, "suppliers.csv", &o, &report, NULL, &error);
  g_assert_no_error (error);
  cs_csv_report_free (report);
  g_assert_cmpuint (cases->n_cat, ==, 1);
  return cases;
}
