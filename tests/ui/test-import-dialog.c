/* test-import-dialog.c: the import preview on its own: detected roles, a changed role imported, a bad value shown
 * at its line and column, Cancel during a load. Each test writes its own files and opens a fresh dialog. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-import-dialog.h"
#include "cs-import-dialog-private.h"
#include "cs-ui-test.h"

typedef struct
{
  char *dir;
  CsImportDialog *dialog;          /* weak: NULL once the dialog is gone */
  CsCaseBase *imported;
} Fixture;

static void
import_cb (CsImportDialog *dialog,
           gpointer        cases,
           Fixture        *f)
{
  g_assert_null (f->imported);
  f->imported = cs_case_base_ref (cases);
}

static void
open_dialog (Fixture    *f,
             const char *name,
             const char *contents)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  f->dialog = CS_IMPORT_DIALOG (cs_import_dialog_new (NULL, file));
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  g_signal_connect (f->dialog, "import", G_CALLBACK (import_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("cs-ui-import-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  if (f->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  cs_ui_test_iterate ();
  g_assert_null (f->dialog);
  g_clear_pointer (&f->imported, cs_case_base_unref);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gboolean
loaded (gpointer data)
{
  Fixture *f = data;

  return f->dialog != NULL && !cs_import_dialog_is_loading (f->dialog);
}

static GtkWidget *
named (Fixture    *f,
       const char *name)
{
  GtkWidget *w = cs_ui_test_find_named (GTK_WIDGET (f->dialog), name);

  g_assert_nonnull (w);
  return w;
}

static const char *
selected_role (Fixture    *f,
               const char *column)
{
  g_autofree char *name = g_strdup_printf ("role-%s", column);
  GtkDropDown *dd = GTK_DROP_DOWN (named (f, name));
  GObject *item = gtk_drop_down_get_selected_item (dd);

  g_assert_nonnull (item);
  return gtk_string_object_get_string (GTK_STRING_OBJECT (item));
}

static char *
small_csv (void)
{
  GString *csv = g_string_new ("temperature [degC],pressure [bar],strength [MPa]\n");

  for (int i = 0; i < 60; i++)
    g_string_append_printf (csv, "%d,%d,%d\n", 150 + i, 50 + (i * 7) % 40, 200 + i + (i % 3));
  return g_string_free (csv, FALSE);
}

static void
test_roles (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *csv = small_csv ();

  g_test_summary ("The preview shows each column's detected role; ignoring one and importing gives a case base "
                  "without it");
  open_dialog (f, "small.csv", csv);
  cs_ui_test_wait_until (loaded, f, 60);
  g_assert_cmpstr (selected_role (f, "temperature"), ==, "feature");
  g_assert_cmpstr (selected_role (f, "pressure"), ==, "feature");
  g_assert_cmpstr (selected_role (f, "strength"), ==, "outcome (target)");
  g_assert_cmpuint (cs_import_dialog_get_cases (f->dialog)->d, ==, 2);
  g_assert_true (gtk_widget_get_sensitive (named (f, "import-accept")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (named (f, "import-status"))), "60 cases with 2 features"));

  /* The user ignores pressure: the preview reloads with one feature. */
  {
    g_autofree char *name = g_strdup ("role-pressure");
    GtkDropDown *dd = GTK_DROP_DOWN (named (f, name));
    GListModel *model = gtk_drop_down_get_model (dd);
    guint ignored = GTK_INVALID_LIST_POSITION;

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(GtkStringObject) s = g_list_model_get_item (model, i);
        if (g_str_equal (gtk_string_object_get_string (s), "ignored"))
          ignored = i;
      }
    g_assert_cmpuint (ignored, !=, GTK_INVALID_LIST_POSITION);
    gtk_drop_down_set_selected (dd, ignored);
  }
  g_assert_true (cs_import_dialog_is_loading (f->dialog));
  g_assert_false (gtk_widget_get_sensitive (named (f, "import-accept")));
  cs_ui_test_wait_until (loaded, f, 60);
  g_assert_cmpstr (selected_role (f, "pressure"), ==, "ignored");
  g_signal_emit_by_name (named (f, "import-accept"), "clicked");
  cs_ui_test_iterate ();
  g_assert_null (f->dialog);                          /* Import closes the dialog */
  g_assert_nonnull (f->imported);
  g_assert_cmpuint (f->imported->n, ==, 60);
  g_assert_cmpuint (f->imported->d, ==, 1);
  g_assert_cmpstr (f->imported->feature_names[0], ==, "temperature");
  g_assert_cmpstr (f->imported->target_name, ==, "strength");
}

static void
test_bad_value (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *good = small_csv ();
  g_auto(GStrv) lines = g_strsplit (good, "\n", -1);
  g_autofree char *csv = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  GtkWidget *list;

  g_test_summary ("A value that is not a number shows in the problems list at its line and column");
  /* Line 5 of the file (the header is line 1): pressure is not a number. */
  g_free (lines[4]);
  lines[4] = g_strdup ("153,oops,204");
  csv = g_strjoinv ("\n", lines);
  open_dialog (f, "bad.csv", csv);
  cs_ui_test_wait_until (loaded, f, 60);
  g_assert_cmpuint (cs_import_dialog_get_n_problems_shown (f->dialog), >, 0);
  list = named (f, "problems");
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      {
        g_string_append (problems, gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)))));
        g_string_append_c (problems, '\n');
      }
  g_assert_nonnull (strstr (problems->str, "line 5, column 2"));
  g_assert_nonnull (strstr (problems->str, "pressure"));
}

static gboolean
reading (gpointer data)
{
  Fixture *f = data;

  return cs_progress_get_fraction (cs_import_dialog_get_progress (f->dialog)) > 0;
}

static gboolean
gone (gpointer data)
{
  Fixture *f = data;

  return f->dialog == NULL;
}

static void
test_cancel_during_load (Fixture       *f,
                         gconstpointer  data)
{
  GString *csv = g_string_new ("a,b,c,d,y\n");
  CsProgress *progress;
  GtkWidget *bar;

  g_test_summary ("Cancel during a load closes the dialog at once and imports nothing");
  for (int i = 0; i < 400000; i++)
    g_string_append_printf (csv, "%d.5,%d,%d.25,%d,%d\n", i % 997, (i * 7) % 991, i % 13, i % 101, i % 89);
  open_dialog (f, "large.csv", csv->str);
  g_string_free (csv, TRUE);
  progress = cs_import_dialog_get_progress (f->dialog);
  bar = named (f, "import-progress");
  g_assert_true (cs_import_dialog_is_loading (f->dialog));
  g_assert_true (cs_progress_get_active (progress));
  g_assert_true (gtk_widget_get_visible (bar));
  /* The worker's reports reach the bar. */
  cs_ui_test_wait_until (reading, f, 60);
  g_assert_true (cs_import_dialog_is_loading (f->dialog));
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)), >, 0);
  g_signal_emit_by_name (named (f, "import-cancel"), "clicked");
  /* Closed at once; the last reference (the load's) goes when the cancelled worker returns, well before it could
   * have read the whole file. */
  g_assert_true (f->dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  cs_ui_test_wait_until (gone, f, 10);
  g_assert_null (f->imported);
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
  g_test_add ("/cs/ui/import-dialog/roles", Fixture, NULL, fixture_set_up, test_roles, fixture_tear_down);
  g_test_add ("/cs/ui/import-dialog/bad-value", Fixture, NULL, fixture_set_up, test_bad_value, fixture_tear_down);
  g_test_add ("/cs/ui/import-dialog/cancel-during-load", Fixture, NULL, fixture_set_up, test_cancel_during_load,
              fixture_tear_down);
  return g_test_run ();
}
