/* test-window-set-aside.c: cases set aside in the window: the reason dialog and the take-back action write the
 * side file next to the CSV (never the CSV), the engine is rebuilt without / with the case, a new window and
 * casescope-cli read the same record, and a base without a file refuses. Under Xvfb, like test-window. */
#define G_LOG_DOMAIN "test-window-set-aside"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "cs-csv-loader.h"
#include "cs-exclusions.h"
#include "cs-samples.h"
#include "cs-set-aside.h"
#include "cs-ui-test.h"
#include "cs-window.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

static const char *cli;
static char *tmp_dir;

static gboolean
window_idle (gpointer data)
{
  CsWindow *window = data;

  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window);
}

static void
wait_idle (CsWindow *window)
{
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);
}

static gboolean
engine_has_line (CsWindow *window,
                 guint     line)
{
  const CsCaseBase *cases = cs_window_get_engine (window)->cases;

  for (gsize i = 0; i < cases->n; i++)
    if (cases->line[i] == line)
      return TRUE;
  return FALSE;
}

static CsCaseBase *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  CsCaseBase *base;

  cs_csv_options_init (&o);
  base = cs_csv_load_path (path, &o, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return base;
}

static gint64
cli_fit_n (const char *csv)
{
  const char *argv[] = { cli, "fit", csv, "--target", "strength [MPa]", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (p, out, -1, &error));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (p)), "n");
}

static GtkWidget *
find_dialog (void)
{
  GListModel *tops = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (tops, i);
      if (g_strcmp0 (gtk_widget_get_name (w), "set-aside-dialog") == 0)
        return w;
    }
  return NULL;
}

static void
test_round_trip (void)
{
  g_autofree char *csv = g_build_filename (tmp_dir, "press.csv", NULL);
  g_autofree char *side = cs_exclusions_side_path (csv);
  g_autofree char *before = NULL, *after = NULL;
  gsize len_before, len_after;
  const char *gen[] = { cli, "generate", "--sample", "press-line", "--n", "240", "--seed", "11", "-o", csv, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) base = NULL;
  CsWindow *window, *second;
  GtkWidget *dialog, *entry;
  int status;
  guint line_a, line_b;
  gsize n;

  g_assert_true (g_spawn_sync (NULL, (char **) gen, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_get_contents (csv, &before, &len_before, NULL));
  base = load (csv);
  n = base->n;
  line_a = base->line[17];
  line_b = base->line[n - 3];

  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  cs_window_set_case_base (window, base);
  gtk_window_present (GTK_WINDOW (window));
  wait_idle (window);
  g_assert_cmpuint (cs_window_get_engine (window)->cases->n, ==, n);
  g_assert_true (engine_has_line (window, line_a));

  /* No reason, no exclusion: nothing written. */
  g_assert_false (cs_set_aside_case (GTK_WIDGET (window), line_a, "   ", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (side, G_FILE_TEST_EXISTS));

  /* Through the table's action: the reason dialog. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.set-aside", "u", line_a);
  cs_ui_test_iterate ();
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  entry = cs_ui_test_find_named (dialog, "set-aside-reason");
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "load cell drifted");
  g_signal_emit_by_name (entry, "activate");
  wait_idle (window);
  g_assert_null (find_dialog ());
  g_assert_true (g_file_test (side, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (cs_window_get_engine (window)->cases->n, ==, n - 1);
  g_assert_false (engine_has_line (window, line_a));
  g_assert_cmpuint (cs_window_get_case_base (window)->n, ==, n - 1);
  g_assert_cmpstr (cs_exclusions_find (cs_set_aside_get (GTK_WIDGET (window)), line_a)->reason, ==,
                   "load cell drifted");

  g_assert_true (cs_set_aside_case (GTK_WIDGET (window), line_b, "typo in the log", &error));
  g_assert_no_error (error);
  wait_idle (window);
  g_assert_cmpuint (cs_window_get_engine (window)->cases->n, ==, n - 2);

  /* The record round-trips: a new window and the command line read the same side file. */
  second = cs_window_new (NULL);
  g_object_ref_sink (second);
  cs_window_set_case_base (second, base);
  wait_idle (second);
  g_assert_cmpuint (cs_window_get_engine (second)->cases->n, ==, n - 2);
  g_assert_false (engine_has_line (second, line_b));
  gtk_window_destroy (GTK_WINDOW (second));
  g_object_unref (second);
  g_assert_cmpint (cli_fit_n (csv), ==, (gint64) n - 2);

  /* The way back, through the action the table's menu offers. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.take-back", "u", line_a);
  wait_idle (window);
  g_assert_cmpuint (cs_window_get_engine (window)->cases->n, ==, n - 1);
  g_assert_true (engine_has_line (window, line_a));
  g_assert_false (cs_set_aside_take_back (GTK_WIDGET (window), line_a, &error));
  g_clear_error (&error);
  g_assert_cmpint (cli_fit_n (csv), ==, (gint64) n - 1);

  /* The CSV itself was never written. */
  g_assert_true (g_file_get_contents (csv, &after, &len_after, NULL));
  g_assert_cmpmem (before, len_before, after, len_after);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_unlink (side);
  g_unlink (csv);
}

static void
test_no_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) sample = cs_samples_load ("press-line", &error);
  CsWindow *window;

  g_assert_no_error (error);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  cs_window_set_case_base (window, sample);
  wait_idle (window);
  g_assert_false (cs_set_aside_case (GTK_WIDGET (window), sample->line[0], "reason", &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (cs_window_get_engine (window)->cases->n, ==, sample->n);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_assert_cmpint (argc, >, 1);
  cli = argv[1];
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-max-age", -1, NULL);
  tmp_dir = g_dir_make_tmp ("cs-window-set-aside-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/cs/ui/window-set-aside/round-trip", test_round_trip);
  g_test_add_func ("/cs/ui/window-set-aside/no-file", test_no_file);
  status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
