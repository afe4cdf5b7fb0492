/* test-manager-view.c: the manager page on its own, driven through its buttons: fit and cancel, thresholds,
 * sweeps, the progress bar, the charts' text summaries. Each test builds a fresh page on a fresh engine. */
#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "cs-chart-view.h"
#include "cs-manager-view.h"
#include "cs-manager-view-private.h"
#include "cs-samples.h"
#include "cs-thresholds-editor.h"
#include "cs-ui-test.h"

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;
  CsManagerView *view;
  GtkWindow *host;
  guint engine_changes;
} Fixture;

static void
engine_changed_cb (CsManagerView *view,
                   gpointer       engine,
                   Fixture       *f)
{
  f->engine_changes++;
  g_clear_pointer (&f->engine, cs_engine_unref);
  f->engine = cs_engine_ref (engine);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  f->engine = cs_engine_build (f->cases, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->view = CS_MANAGER_VIEW (cs_manager_view_new ());
  g_signal_connect (f->view, "engine-changed", G_CALLBACK (engine_changed_cb), f);
  f->host = cs_ui_test_host (GTK_WIDGET (f->view), 1200, 900);
  cs_manager_view_set_cases (f->view, f->cases);
  cs_manager_view_set_engine (f->view, f->engine);
  cs_ui_test_iterate ();
}

static gboolean
idle (gpointer data)
{
  Fixture *f = data;

  return !cs_manager_view_is_busy (f->view);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Leave no worker behind for the next test. */
  cs_manager_view_cancel (f->view);
  cs_ui_test_wait_until (idle, f, 60);
  gtk_window_destroy (f->host);
  cs_ui_test_iterate ();
  g_clear_pointer (&f->engine, cs_engine_unref);
  g_clear_pointer (&f->cases, cs_case_base_unref);
}

static GtkWidget *
named (Fixture    *f,
       const char *name)
{
  GtkWidget *w = cs_ui_test_find_named (GTK_WIDGET (f->view), name);

  g_assert_nonnull (w);
  return w;
}

static const char *
label (Fixture    *f,
       const char *name)
{
  return gtk_label_get_text (GTK_LABEL (named (f, name)));
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_get_visible (button));
  /* "clicked" as a press and release give it (gtk_widget_activate emits it only after a 250 ms animation). */
  g_signal_emit_by_name (button, "clicked");
}

static void
test_fit_cancel (Fixture       *f,
                 gconstpointer  data)
{
  CsProgress *progress = cs_manager_view_get_progress (f->view);
  GtkWidget *bar = named (f, "progress");

  g_test_summary ("Fit and Cancel through the buttons: the bar runs during the fit, Cancel keeps the model, a "
                  "finished fit replaces it");
  g_assert_false (cs_progress_get_active (progress));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_visible (named (f, "cancel")));

  /* The full metric (after automatic, scalar, diagonal): the longest fit, so Cancel arrives while it runs. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "metric-choice")), 3);
  click (named (f, "fit"));
  g_assert_true (cs_manager_view_is_busy (f->view));
  g_assert_true (cs_progress_get_active (progress));
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_sensitive (named (f, "fit")));
  g_assert_false (gtk_widget_get_sensitive (named (f, "apply-thresholds")));
  click (named (f, "cancel"));
  cs_ui_test_wait_until (idle, f, 60);
  g_assert_true (g_str_has_prefix (label (f, "eta"), "Cancelled"));
  g_assert_cmpuint (f->engine_changes, ==, 0);
  g_assert_false (cs_progress_get_active (progress));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_false (gtk_widget_get_visible (named (f, "cancel")));

  /* The first entry, the automatic rule, to the end: scalar on press-line's 4 features. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "metric-choice")), 0);
  click (named (f, "fit"));
  g_assert_true (cs_progress_get_active (progress));
  cs_ui_test_wait_until (idle, f, 120);
  g_assert_cmpuint (f->engine_changes, ==, 1);
  g_assert_true (f->engine->fitted);
  g_assert_cmpint (f->engine->metric.kind, ==, CS_METRIC_SCALAR);
  g_assert_true (g_str_has_prefix (label (f, "eta"), "Done in"));
  g_assert_null (strstr (label (f, "metric"), "not fitted"));
  g_assert_false (cs_progress_get_active (progress));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_true (gtk_widget_get_sensitive (named (f, "fit")));
}

static guint
n_rows (GtkWidget *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), (int) n) != NULL)
    n++;
  return n;
}

static void
test_thresholds (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *counts_before = g_strdup (label (f, "flag-counts"));
  guint rows_before = n_rows (named (f, "flagged-cases"));
  gsize noise_before = 0;

  g_test_summary ("Thresholds applied through the editor change the flagged list; Defaults bring it back");
  for (gsize i = 0; i < f->cases->n; i++)
    noise_before += (f->engine->case_flags[i] & (1u << CS_FLAG_HIGH_NOISE)) ? 1 : 0;
  /* The sample has noisy cases, else this test could not see a change. */
  g_assert_cmpuint (noise_before, >, 0);
  g_assert_cmpuint (rows_before, >, 0);

  /* Noise far beyond anything: no case is flagged for noise any more. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "noise-stop")), 1000);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "noise-check")), 900);
  click (named (f, "apply-thresholds"));
  g_assert_true (cs_manager_view_is_busy (f->view));
  cs_ui_test_wait_until (idle, f, 60);
  g_assert_cmpuint (f->engine_changes, ==, 1);
  g_assert_cmpfloat (f->engine->thresholds.noise_check, ==, 900);
  for (gsize i = 0; i < f->cases->n; i++)
    g_assert_false (f->engine->case_flags[i] & (1u << CS_FLAG_HIGH_NOISE));
  g_assert_nonnull (strstr (label (f, "flag-counts"), "high_noise 0,"));
  g_assert_cmpstr (label (f, "flag-counts"), !=, counts_before);
  for (guint r = 0; r < n_rows (named (f, "flagged-cases")); r++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (named (f, "flagged-cases")), (int) r);
      const char *text = gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (row)));
      gsize index = cs_manager_view_get_flagged_case (f->view, r);

      g_assert_null (strstr (text, "high_noise"));
      g_assert_cmpuint (index, <, f->cases->n);
      g_assert_cmpint (f->engine->case_verdict[index], !=, CS_VERDICT_OK);
    }

  /* Stop below check: refused in the editor, nothing runs. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "noise-stop")), 1);
  click (named (f, "apply-thresholds"));
  g_assert_false (cs_manager_view_is_busy (f->view));
  g_assert_true (gtk_widget_get_visible (named (f, "thresholds-status")));

  click (named (f, "default-thresholds"));
  cs_ui_test_wait_until (idle, f, 60);
  g_assert_cmpuint (f->engine_changes, ==, 2);
  g_assert_false (gtk_widget_get_visible (named (f, "thresholds-status")));
  g_assert_cmpstr (label (f, "flag-counts"), ==, counts_before);
  g_assert_cmpuint (n_rows (named (f, "flagged-cases")), ==, rows_before);
}

static void
test_sweeps (Fixture       *f,
             gconstpointer  data)
{
  CsChartView *chart = CS_CHART_VIEW (named (f, "window-sweep"));

  g_test_summary ("Run the paper sweeps: the bar runs, then the sweep chart appears with its summary");
  g_assert_false (cs_chart_view_has_content (chart));
  g_assert_null (cs_chart_view_get_summary (chart));
  click (named (f, "sweep"));
  g_assert_true (cs_progress_get_active (cs_manager_view_get_progress (f->view)));
  g_assert_true (gtk_widget_get_visible (named (f, "progress")));
  cs_ui_test_wait_until (idle, f, 240);
  g_assert_true (g_str_has_prefix (label (f, "eta"), "Paper sweeps done"));
  g_assert_true (cs_chart_view_has_content (chart));
  g_assert_cmpint (cs_chart_view_get_kind (chart), ==, CS_CHART_WINDOW_SWEEP);
  g_assert_nonnull (cs_chart_view_get_summary (chart));
  g_assert_true (g_str_has_prefix (cs_chart_view_get_summary (chart), cs_chart_view_get_title (chart)));
  g_assert_nonnull (strstr (cs_chart_view_get_summary (chart), "slope"));
  g_assert_false (gtk_widget_get_visible (named (f, "progress")));
}

static void
test_chart_summaries (Fixture       *f,
                      gconstpointer  data)
{
  CsChartView *diag = CS_CHART_VIEW (named (f, "diagnostics"));
  CsChartView *compare = CS_CHART_VIEW (named (f, "softmax-vs-linear"));

  g_test_summary ("The global charts carry a text summary with their numbers, prefixed by their title");
  g_assert_cmpint (cs_chart_view_get_kind (diag), ==, CS_CHART_DIAGNOSTICS);
  g_assert_cmpstr (cs_chart_view_get_title (diag), ==, "Local variation and noise");
  g_assert_true (cs_chart_view_has_content (diag));
  g_assert_true (g_str_has_prefix (cs_chart_view_get_summary (diag), "Local variation and noise: "));
  g_assert_nonnull (strstr (cs_chart_view_get_summary (diag), "local variation"));
  g_assert_true (cs_chart_view_has_content (compare));
  g_assert_nonnull (strstr (cs_chart_view_get_summary (compare), "softmax"));

  /* No engine: no chart, no summary. */
  cs_manager_view_set_engine (f->view, NULL);
  g_assert_false (cs_chart_view_has_content (diag));
  g_assert_null (cs_chart_view_get_summary (diag));
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
  g_test_add ("/cs/ui/manager/fit-cancel", Fixture, NULL, fixture_set_up, test_fit_cancel, fixture_tear_down);
  g_test_add ("/cs/ui/manager/thresholds", Fixture, NULL, fixture_set_up, test_thresholds, fixture_tear_down);
  g_test_add ("/cs/ui/manager/sweeps", Fixture, NULL, fixture_set_up, test_sweeps, fixture_tear_down);
  g_test_add ("/cs/ui/manager/chart-summaries", Fixture, NULL, fixture_set_up, test_chart_summaries,
              fixture_tear_down);
  return g_test_run ();
}
