/* test-window-de.c: the window under de_DE.UTF-8 with the German catalogue of the build tree: translated text,
 * numbers shown the German way and read either way, exports still in the C locale, and not one warning logged.
 * Run with LANG, LC_ALL=de_DE.UTF-8, LANGUAGE=de and CASESCOPE_LOCALEDIR=<build>/po (tests/ui/meson.build); every
 * test skips when the locale is not installed (`make test` generates it). Each test builds what it looks at and
 * destroys it again. */
#define G_LOG_DOMAIN "test-window-de"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-csv-writer.h"
#include "cs-engine.h"
#include "cs-export-dialog.h"
#include "cs-i18n.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-progress.h"
#include "cs-samples.h"
#include "cs-ui-test.h"
#include "cs-widgets.h"
#include "cs-window.h"

#define WAIT_SECONDS 120

static gboolean have_locale;
static const char *skip_reason;
static int n_warnings;      /* warnings, criticals and messages logged by anyone, counted by the writer below */

static GLogWriterOutput
counting_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE))
    g_atomic_int_inc (&n_warnings);
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
skip_without_locale (void)
{
  if (!have_locale)
    g_test_skip (skip_reason);
  return !have_locale;
}

/* ---- Without a window ------------------------------------------------------------ */

static void
test_catalogue (void)
{
  g_test_summary ("The build tree's German catalogue is found through CASESCOPE_LOCALEDIR and used");
  if (skip_without_locale ())
    return;
  g_assert_true (g_str_has_suffix (cs_i18n_get_localedir (), "po"));
  /* Headings of the operator page, the window and a dialog: translated whether or not their file is marked yet. */
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Fail-safe"), ==, "Sicherheitsprüfung");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Prediction"), ==, "Vorhersage");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Open Case Base"), ==, "Fallbasis öffnen");
  /* Marked in the sources of this tree, through the default domain that _() uses. */
  g_assert_cmpstr (_("Nothing to export yet"), ==, "Noch nichts zu exportieren");
}

static void
test_numbers (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-ui-de-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "numbers.csv", NULL);
  g_autofree char *shown = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  CsCsvWriter *w;
  double v = 0;

  g_test_summary ("Labels show a decimal comma, typed numbers read with either separator, CSV stays C-locale");
  if (skip_without_locale ())
    return;
  /* What labels show: the window formats with printf in the user's locale. */
  shown = g_strdup_printf ("%.1f MPa", 41.2);
  g_assert_cmpstr (shown, ==, "41,2 MPa");

  /* What users type. The two spellings of one decimal string are read by the same g_ascii_strtod, so equal. */
  g_assert_true (cs_entry_parse_number (" 41,25 ", &v));
  g_assert_cmpfloat (v, ==, 41.25);
  g_assert_true (cs_entry_parse_number ("41.25", &v));
  g_assert_cmpfloat (v, ==, 41.25);
  g_assert_true (cs_entry_parse_number ("-1,5e3", &v));
  g_assert_cmpfloat (v, ==, -1500);
  g_assert_false (cs_entry_parse_number ("41,2x", &v));
  g_assert_false (cs_entry_parse_number ("1.234,5", &v));
  g_assert_false (cs_entry_parse_number ("", &v));
  g_assert_false (cs_entry_parse_number ("inf", &v));

  /* What leaves the window as data (the table exports write through this writer). */
  w = cs_csv_writer_new (path, CS_CSV_PRESET_STANDARD, NULL, &error);
  g_assert_no_error (error);
  cs_csv_writer_number (w, 41.25);
  cs_csv_writer_number (w, -0.5);
  cs_csv_writer_end_row (w);
  g_assert_true (cs_csv_writer_finish (w, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &csv, NULL, NULL));
  g_assert_cmpstr (csv, ==, "41.25,-0.5\r\n");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_progress_text (void)
{
  g_autoptr(CsProgress) progress = cs_progress_new ();
  g_autofree char *text = NULL;

  g_test_summary ("The progress object's time text is German, with a decimal comma");
  if (skip_without_locale ())
    return;
  cs_progress_begin (progress, "Test");
  text = cs_progress_dup_time_text (progress);
  cs_progress_end (progress);
  g_assert_true (g_str_has_prefix (text, "bisher "));
  g_assert_true (g_regex_match_simple ("^bisher [0-9]+,[0-9] s$", text, 0, 0));
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *overlay;

  g_test_summary ("The keyboard shortcuts window (a template) is German");
  if (skip_without_locale ())
    return;
  builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/gtk/help-overlay.ui");
  overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_assert_nonnull (overlay);
  cs_ui_test_collect_text (overlay, text);
  g_assert_nonnull (strstr (text->str, "Fallbasis\n"));
  g_assert_nonnull (strstr (text->str, "Das aktuelle Modell speichern\n"));
  g_assert_null (strstr (text->str, "Save the current model"));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

/* ---- The window ------------------------------------------------------------------ */

static gboolean
window_idle (gpointer data)
{
  CsWindow *window = data;

  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window)
         && !cs_manager_view_is_busy (CS_MANAGER_VIEW (cs_window_get_manager (window)));
}

static gboolean
import_loaded (gpointer data)
{
  CsWindow *window = data;
  GtkWidget *dialog = cs_window_get_import_dialog (window);

  return dialog != NULL && !cs_import_dialog_is_loading (CS_IMPORT_DIALOG (dialog));
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) sample = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cs-ui-de-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "klein.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) operator_text = g_string_new (NULL);
  GtkWidget *stack;
  GtkWidget *dialog;
  CsWindow *window;
  gpointer weak;
  int before = g_atomic_int_get (&n_warnings);

  g_test_summary ("The window on the sample, both pages and both dialogs, under de_DE.UTF-8: German numbers on "
                  "the operator page and no warning logged");
  if (skip_without_locale ())
    return;
  sample = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  weak = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  cs_window_set_case_base (window, sample);
  gtk_window_present (GTK_WINDOW (window));
  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);

  stack = cs_ui_test_find_type (GTK_WIDGET (window), GTK_TYPE_STACK);
  g_assert_nonnull (stack);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "operator");
  cs_ui_test_iterate ();
  cs_ui_test_collect_text (cs_window_get_operator (window), operator_text);
  /* the operator page's own strings (its headings) come from the German catalogue */
  g_assert_nonnull (strstr (operator_text->str, "Sicherheitsprüfung\n"));
  g_assert_nonnull (strstr (operator_text->str, "Vorhersage\n"));
  g_assert_null (strstr (operator_text->str, "Fail-safe\n"));
  /* Values, ranges and the prediction are formatted in the user's locale: 12,5 and not 12.5. */
  g_assert_true (g_regex_match_simple ("[0-9],[0-9]", operator_text->str, 0, 0));

  gtk_stack_set_visible_child_name (GTK_STACK (stack), "manager");
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);

  /* A German CSV (semicolons, decimal commas) through the import preview. */
  g_assert_true (g_file_set_contents (path, "Temperatur [degC];Druck [bar];Festigkeit [MPa]\n"
                                            "180,5;2,1;41,2\n190,0;2,3;43,9\n200,5;2,0;44,1\n"
                                            "210,0;2,6;47,3\n220,5;2,2;48,0\n", -1, NULL));
  cs_window_open_file (window, file);
  cs_ui_test_wait_until (import_loaded, window, WAIT_SECONDS);
  dialog = cs_window_get_import_dialog (window);
  g_assert_nonnull (cs_import_dialog_get_cases (CS_IMPORT_DIALOG (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  cs_ui_test_iterate ();

  dialog = cs_window_show_export (window);
  g_assert_nonnull (dialog);
  cs_ui_test_iterate ();
  gtk_window_destroy (GTK_WINDOW (dialog));

  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  cs_ui_test_wait_until (pointer_cleared, &weak, WAIT_SECONDS);
  g_unlink (path);
  g_rmdir (dir);
  g_assert_cmpint (g_atomic_int_get (&n_warnings), ==, before);
}

int
main (int    argc,
      char **argv)
{
  /* The app's own start-up (app/main.c): the environment's locale, the catalogue of the build tree. */
  if (!cs_i18n_init ())
    skip_reason = "the de_DE.UTF-8 locale is not installed (make test generates it)";
  else if (!g_str_has_prefix (setlocale (LC_MESSAGES, NULL), "de_DE"))
    skip_reason = "not run under LC_ALL=de_DE.UTF-8 (meson test sets it)";
  have_locale = skip_reason == NULL;
  /* Done above; GTK's own setlocale () would warn (fatally, in a test) about a locale that is not installed. */
  gtk_disable_setlocale ();
  g_log_set_writer_func (counting_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add_func ("/cs/ui/de/catalogue", test_catalogue);
  g_test_add_func ("/cs/ui/de/numbers", test_numbers);
  g_test_add_func ("/cs/ui/de/progress-text", test_progress_text);
  g_test_add_func ("/cs/ui/de/help-overlay", test_help_overlay);
  g_test_add_func ("/cs/ui/de/window", test_window);
  return g_test_run ();
}
