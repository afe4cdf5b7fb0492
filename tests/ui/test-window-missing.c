/* test-window-missing.c: the query editor with an entry left empty: the window predicts from the other features,
 * shows the missing_feature flag with the error growth, keeps the entry empty through a redraw, and a typed value
 * brings the feature back. Under Xvfb, like test-window. */
#define G_LOG_DOMAIN "test-window-missing"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-operator-view-private.h"
#include "cs-samples.h"
#include "cs-ui-test.h"
#include "cs-window.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

static gboolean
window_idle (gpointer data)
{
  CsWindow *window = data;
  CsOperatorView *op = CS_OPERATOR_VIEW (cs_window_get_operator (window));
  guint shown = 0;

  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window)
         && cs_operator_view_get_serial (op, &shown) == shown;
}

static void
wait_idle (CsWindow *window)
{
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);
}

static const CsFlag *
missing_flag (const CsQueryResult *r)
{
  for (gsize f = 0; r != NULL && f < r->report.n_flags; f++)
    if (r->report.flags[f].kind == CS_FLAG_MISSING_FEATURE)
      return &r->report.flags[f];
  return NULL;
}

static void
test_empty_entry (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) sample = cs_samples_load ("press-line", &error);
  CsWindow *window;
  CsOperatorView *op;
  GtkWidget *spin;
  const CsQueryResult *r;
  const CsFlag *f;
  gssize j;

  g_assert_no_error (error);
  j = cs_case_base_find_feature (sample, "humidity");
  g_assert_cmpint (j, >=, 0);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  cs_window_set_case_base (window, sample);
  gtk_window_present (GTK_WINDOW (window));
  wait_idle (window);
  op = CS_OPERATOR_VIEW (cs_window_get_operator (window));
  cs_operator_view_select_case (op, 10);
  wait_idle (window);
  r = cs_operator_view_get_result (op);
  g_assert_true (r->valid);
  g_assert_null (missing_flag (r));

  spin = cs_ui_test_find_named (GTK_WIDGET (op), "query-humidity");
  g_assert_nonnull (spin);
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
  wait_idle (window);
  r = cs_operator_view_get_result (op);
  g_assert_true (isnan (r->query[j]));
  g_assert_true (r->valid);
  g_assert_true (isfinite (r->prediction.prediction));
  f = missing_flag (r);
  g_assert_nonnull (f);
  g_assert_cmpint (f->feature, ==, j);
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  g_assert_nonnull (strstr (f->message, "humidity"));
  g_assert_cmpint (r->report.verdict, >=, CS_VERDICT_CHECK);
  /* a redraw or a focus change does not put a number back */
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
  cs_ui_test_iterate ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "");

  /* a typed value brings the feature back */
  gtk_editable_set_text (GTK_EDITABLE (spin), "55");
  wait_idle (window);
  r = cs_operator_view_get_result (op);
  g_assert_cmpfloat (r->query[j], ==, 55.0);
  g_assert_null (missing_flag (r));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-max-age", -1, NULL);
  g_test_add_func ("/cs/ui/window-missing/empty-entry", test_empty_entry);
  return g_test_run ();
}
