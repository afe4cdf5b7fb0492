/* test-window-export.c: every chart kind exported through the window's own path (the export dialog, or the
 * engine's builder for the one chart the window does not show) and through casescope-cli export, for the same
 * case base file, model file and query, with the footer's date pinned by SOURCE_DATE_EPOCH: the two SVG files
 * must be the same bytes, so the screen and the command line draw the same data. Under Xvfb, like test-window. */
#define G_LOG_DOMAIN "test-window-export"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-chart-data.h"
#include "cs-csv-loader.h"
#include "cs-engine-charts.h"
#include "cs-export-dialog.h"
#include "cs-export.h"
#include "cs-manager-view.h"
#include "cs-operator-view.h"
#include "cs-ui-test.h"
#include "cs-window.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

#define WIDTH 1200
#define HEIGHT 700
#define DPI 96
#define QUERY_CASE 41            /* 0-based; the command line's --query is 1-based */

static CsWindow *window;
static char *tmp_dir;
static char *csv_path;
static char *model_path;
static const char *cli;

static gboolean
idle (gpointer data)
{
  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window)
         && !cs_manager_view_is_busy (CS_MANAGER_VIEW (cs_window_get_manager (window)));
}

static void
wait_idle (void)
{
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (idle, NULL, WAIT_SECONDS);
}

/* casescope-cli export of kind for the same file, model and query, into path. */
static void
cli_export (const char *kind,
            guint       top_k,
            const char *path)
{
  g_autofree char *query = g_strdup_printf ("%d", QUERY_CASE + 1);
  g_autofree char *size = g_strdup_printf ("%dx%d", WIDTH, HEIGHT);
  g_autofree char *dpi = g_strdup_printf ("%d", DPI);
  g_autofree char *k = g_strdup_printf ("%u", top_k);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { cli, "export", csv_path, "--model", model_path, "--query", query, "--chart", kind,
                         "--format", "svg", "--size", size, "--dpi", dpi, "--window", "n-eff", "--top-k", k,
                         "--out", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_printerr ("%s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
assert_same_file (const char *kind,
                  const char *a,
                  const char *b)
{
  g_autofree char *ca = NULL, *cb = NULL;
  gsize la = 0, lb = 0, at = 0;

  g_assert_true (g_file_get_contents (a, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (b, &cb, &lb, NULL));
  g_assert_cmpuint (la, >, 1000);
  while (at < la && at < lb && ca[at] == cb[at])
    at++;
  if (at < la || at < lb)
    {
      gsize from = at > 120 ? at - 120 : 0;
      g_printerr ("# %s: the window's SVG (%zu bytes) and the command line's (%zu bytes) differ at byte %zu:\n"
                  "# window: %.240s\n# cli:    %.240s\n", kind, la, lb, at, ca + from, cb + from);
    }
  g_assert_cmpuint (la, ==, lb);
  g_assert_true (memcmp (ca, cb, la) == 0);
}

static void
test_same_svg (void)
{
  static const char *const on_screen[] = { "case-attention", "feature-map", "window", "diagnostics",
                                           "softmax-vs-linear", "window-sweep" };
  const CsQueryResult *result;
  guint top_k;

  g_test_summary ("Every chart kind: the window's export and casescope-cli export of the same file, model and "
                  "query are the same SVG once the footer's date is pinned");
  result = cs_operator_view_get_result (CS_OPERATOR_VIEW (cs_window_get_operator (window)));
  g_assert_nonnull (result);
  g_assert_true (result->valid);
  g_assert_cmpint (result->exclude, ==, QUERY_CASE);
  top_k = result->k;

  for (guint c = 0; c < G_N_ELEMENTS (on_screen); c++)
    {
      GtkWidget *dialog = cs_window_show_export (window);
      g_autofree char *mine = g_strdup_printf ("%s/window-%s.svg", tmp_dir, on_screen[c]);
      g_autofree char *theirs = g_strdup_printf ("%s/cli-%s.svg", tmp_dir, on_screen[c]);
      g_autoptr(GError) error = NULL;

      g_assert_true (cs_export_dialog_set_chart (CS_EXPORT_DIALOG (dialog), on_screen[c]));
      cs_export_dialog_set_format (CS_EXPORT_DIALOG (dialog), "svg");
      cs_export_dialog_set_size (CS_EXPORT_DIALOG (dialog), WIDTH, HEIGHT, DPI);
      g_assert_true (cs_export_dialog_export_to (CS_EXPORT_DIALOG (dialog), mine, &error));
      g_assert_no_error (error);
      gtk_window_destroy (GTK_WINDOW (dialog));
      cs_ui_test_iterate ();
      cli_export (on_screen[c], top_k, theirs);
      assert_same_file (on_screen[c], mine, theirs);
      g_print ("# %s: the same SVG\n", on_screen[c]);
    }

  /* The attention matrix is not on screen: the window's engine and query through the same builder. */
  {
    g_autofree char *mine = g_strdup_printf ("%s/window-attention-matrix.svg", tmp_dir);
    g_autofree char *theirs = g_strdup_printf ("%s/cli-attention-matrix.svg", tmp_dir);
    g_autofree char *date = cs_plot_provenance_date (NULL);
    g_autoptr(CsEngineChart) chart = NULL;
    g_autoptr(GError) error = NULL;
    CsChartOptions options;
    CsExportOptions eo;
    CsProvenance prov;

    cs_chart_options_init (&options);
    options.top_k = top_k;
    chart = cs_engine_chart_build (cs_window_get_engine (window), CS_CHART_ATTENTION_MATRIX, NULL, &options,
                                   NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    cs_export_options_init (&eo, CS_EXPORT_PRESET_CUSTOM);
    eo.format = CS_EXPORT_SVG;
    eo.width = WIDTH;
    eo.height = HEIGHT;
    eo.dpi = DPI;
    cs_engine_chart_provenance (chart, PACKAGE_VERSION, date, &prov);
    eo.provenance = &prov;
    g_assert_true (cs_export_charts (mine, cs_engine_chart_get (chart), 1, &eo, &error));
    g_assert_no_error (error);
    cli_export ("attention-matrix", top_k, theirs);
    assert_same_file ("attention-matrix", mine, theirs);
    g_print ("# attention-matrix: the same SVG\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  CsCaseBase *cases;
  CsCsvOptions options;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_assert_cmpint (argc, >, 1);
  cli = argv[1];
  /* Reproducible footers (the reproducible-builds convention the exporter honours), here and in the children. */
  g_setenv ("SOURCE_DATE_EPOCH", "1765055640", TRUE);
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-max-age", -1, NULL);
  tmp_dir = g_dir_make_tmp ("cs-window-export-XXXXXX", &error);
  g_assert_no_error (error);
  csv_path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "press-line.csv", NULL);
  model_path = g_build_filename (tmp_dir, "press-line-model.json", NULL);

  /* The case base from its file, as the command line reads it; the window fits, saves its model and opens it
   * back, so both sides run the same model file. */
  cs_csv_options_init (&options);
  options.target = "strength";
  cases = cs_csv_load_path (csv_path, &options, &report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  cs_window_set_case_base (window, cases);
  gtk_window_present (GTK_WINDOW (window));
  wait_idle ();
  g_assert_true (cs_window_save_model_to (window, model_path, &error));
  g_assert_no_error (error);
  g_assert_true (cs_window_open_model_from (window, model_path, &error));
  g_assert_no_error (error);
  wait_idle ();
  cs_operator_view_select_case (CS_OPERATOR_VIEW (cs_window_get_operator (window)), QUERY_CASE);
  wait_idle ();
  g_assert_true (cs_manager_view_run_sweeps (CS_MANAGER_VIEW (cs_window_get_manager (window))));
  wait_idle ();

  g_test_add_func ("/cs/ui/window-export/same-svg-as-cli", test_same_svg);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  cs_case_base_unref (cases);
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmp_dir, name, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  g_free (csv_path);
  g_free (model_path);
  return status;
}
