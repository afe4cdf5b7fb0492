/* test-a11y.c: every control of the window has an accessible name. A fresh window on the sample for each test, the
 * operator page, the manager page, the import preview and the chart export dialog in turn, and a walk of each widget
 * tree: a button, toggle, check, spin button, entry, search entry, drop-down, switch, scale, menu button, column
 * view or list box needs a label property, a labelled-by relation, or visible text of its own. A failure lists
 * every unnamed control with its path in the tree. Runs with accessibility on (no GTK_A11Y=none), under
 * dbus-run-session. */
#define G_LOG_DOMAIN "test-a11y"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-engine.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-samples.h"
#include "cs-ui-test.h"
#include "cs-window.h"

#define WAIT_SECONDS 120

typedef struct
{
  CsCaseBase *sample;
  CsWindow   *window;
  gpointer    weak;
} Fixture;

/* ---- The walk --------------------------------------------------------------------- */

static gboolean
is_control (GtkWidget *w)
{
  return GTK_IS_BUTTON (w) || GTK_IS_CHECK_BUTTON (w) || GTK_IS_SPIN_BUTTON (w) || GTK_IS_ENTRY (w)
         || GTK_IS_SEARCH_ENTRY (w) || GTK_IS_TEXT (w) || GTK_IS_DROP_DOWN (w) || GTK_IS_SWITCH (w)
         || GTK_IS_SCALE (w) || GTK_IS_MENU_BUTTON (w) || GTK_IS_COLUMN_VIEW (w) || GTK_IS_LIST_BOX (w);
}

/* A control whose children are its own parts (the text of an entry, the arrow of a drop-down, the +/- of a spin
 * button, the popover of a menu button): they are named by the control, so the walk does not go into them. The
 * views' children are rows that hold the application's own widgets, so the walk goes on there. */
static gboolean
is_composite_control (GtkWidget *w)
{
  return is_control (w) && !GTK_IS_COLUMN_VIEW (w) && !GTK_IS_LIST_BOX (w) && !GTK_IS_BUTTON (w);
}

static gboolean
has_label_text (GtkWidget *w)
{
  if (GTK_IS_LABEL (w) && *gtk_label_get_text (GTK_LABEL (w)) != '\0')
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_label_text (c))
      return TRUE;
  return FALSE;
}

static gboolean
has_name (GtkWidget *w)
{
  const char *label = NULL;

  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL)
      || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (GTK_IS_CHECK_BUTTON (w))
    label = gtk_check_button_get_label (GTK_CHECK_BUTTON (w));
  else if (GTK_IS_MENU_BUTTON (w))
    label = gtk_menu_button_get_label (GTK_MENU_BUTTON (w));
  else if (GTK_IS_BUTTON (w))
    label = gtk_button_get_label (GTK_BUTTON (w));
  if (label != NULL && *label != '\0')
    return TRUE;
  /* A button or check whose child is a label (a stack switcher's buttons, a button with a custom child). */
  return (GTK_IS_BUTTON (w) || GTK_IS_CHECK_BUTTON (w)) && has_label_text (w);
}

static void
walk (GtkWidget *w,
      const char *parent_path,
      guint       index,
      GPtrArray  *unnamed)
{
  const char *name = gtk_widget_get_name (w);
  const char *type = G_OBJECT_TYPE_NAME (w);
  g_autofree char *path = NULL;
  guint k = 0;

  path = g_strdup_printf ("%s%s%s[%u]%s%s", parent_path, *parent_path ? " > " : "", type, index,
                          g_strcmp0 (name, type) != 0 ? "#" : "", g_strcmp0 (name, type) != 0 ? name : "");
  if (is_control (w) && !has_name (w))
    {
      const char *tip = gtk_widget_get_tooltip_text (w);

      g_ptr_array_add (unnamed, tip != NULL ? g_strdup_printf ("%s (tooltip “%s”)", path, tip) : g_strdup (path));
    }
  if (is_composite_control (w))
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c), k++)
    {
      /* Of a stack, the page shown: each page has its own test, after it was shown. */
      if (GTK_IS_STACK (w) && c != gtk_stack_get_visible_child (GTK_STACK (w)))
        continue;
      walk (c, path, k, unnamed);
    }
}

/* Fails the test with every unnamed control under root, one a line (as TAP comments). */
static void
assert_all_named (GtkWidget  *root,
                  const char *what)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);

  walk (root, "", 0, unnamed);
  if (unnamed->len == 0)
    return;
  g_test_message ("%s: %u controls without an accessible name:", what, unnamed->len);
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("  %s", (const char *) unnamed->pdata[i]);
  g_test_fail_printf ("%s: %u controls without an accessible name (listed above)", what, unnamed->len);
}

/* ---- Fixture: a fresh window on the sample ---------------------------------------- */

static gboolean
window_idle (gpointer data)
{
  CsWindow *window = data;

  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window)
         && !cs_manager_view_is_busy (CS_MANAGER_VIEW (cs_window_get_manager (window)));
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sample = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  f->window = cs_window_new (NULL);
  g_object_ref_sink (f->window);
  f->weak = f->window;
  g_object_add_weak_pointer (G_OBJECT (f->window), &f->weak);
  cs_window_set_case_base (f->window, f->sample);
  gtk_window_present (GTK_WINDOW (f->window));
  cs_ui_test_wait_until (window_idle, f->window, WAIT_SECONDS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cs_ui_test_wait_until (window_idle, f->window, WAIT_SECONDS);
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->window);
  cs_ui_test_wait_until (pointer_cleared, &f->weak, WAIT_SECONDS);
  g_clear_pointer (&f->sample, cs_case_base_unref);
}

static void
show_page (Fixture    *f,
           const char *page)
{
  GtkWidget *stack = cs_ui_test_find_type (GTK_WIDGET (f->window), GTK_TYPE_STACK);

  g_assert_nonnull (stack);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), page);
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (window_idle, f->window, WAIT_SECONDS);
}

/* ---- Tests ------------------------------------------------------------------------ */

static void
test_operator_page (Fixture       *f,
                    gconstpointer  data)
{
  g_test_summary ("Every control of the window, on the operator page, has an accessible name");
  show_page (f, "operator");
  assert_all_named (GTK_WIDGET (f->window), "window (operator page)");
}

static void
test_manager_page (Fixture       *f,
                   gconstpointer  data)
{
  g_test_summary ("Every control of the window, on the manager page, has an accessible name");
  show_page (f, "manager");
  assert_all_named (GTK_WIDGET (f->window), "window (manager page)");
}

static gboolean
import_loaded (gpointer data)
{
  GtkWidget *dialog = cs_window_get_import_dialog (data);

  return dialog != NULL && !cs_import_dialog_is_loading (CS_IMPORT_DIALOG (dialog));
}

static void
test_import_dialog (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-ui-a11y-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "small.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog;

  g_test_summary ("Every control of the import preview has an accessible name");
  g_assert_true (g_file_set_contents (path, "temperature [degC],pressure [bar],strength [MPa]\n"
                                            "180.5,2.1,41.2\n190,2.3,43.9\n200.5,2,44.1\n210,2.6,47.3\n",
                                      -1, NULL));
  cs_window_open_file (f->window, file);
  cs_ui_test_wait_until (import_loaded, f->window, WAIT_SECONDS);
  dialog = cs_window_get_import_dialog (f->window);
  assert_all_named (dialog, "import preview");
  gtk_window_destroy (GTK_WINDOW (dialog));
  cs_ui_test_iterate ();
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_export_dialog (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *dialog;

  g_test_summary ("Every control of the chart export dialog has an accessible name");
  dialog = cs_window_show_export (f->window);
  g_assert_nonnull (dialog);
  cs_ui_test_iterate ();
  assert_all_named (dialog, "export dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));
  cs_ui_test_iterate ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  char **test_argv;
  int test_argc;

  /* Every test runs, whatever failed before it: the lists of unnamed controls of all four are wanted. */
  for (int k = 0; k < argc; k++)
    g_ptr_array_add (args, argv[k]);
  g_ptr_array_add (args, "--keep-going");
  g_ptr_array_add (args, NULL);
  test_argc = (int) args->len - 1;
  test_argv = (char **) args->pdata;
  g_test_init (&test_argc, &test_argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add ("/cs/ui/a11y/operator-page", Fixture, NULL, fixture_set_up, test_operator_page, fixture_tear_down);
  g_test_add ("/cs/ui/a11y/manager-page", Fixture, NULL, fixture_set_up, test_manager_page, fixture_tear_down);
  g_test_add ("/cs/ui/a11y/import-dialog", Fixture, NULL, fixture_set_up, test_import_dialog, fixture_tear_down);
  g_test_add ("/cs/ui/a11y/export-dialog", Fixture, NULL, fixture_set_up, test_export_dialog, fixture_tear_down);
  return g_test_run ();
}
