/* test-export-dialog.c: the chart export dialog on its own: the charts, formats and size presets it offers, and
 * PNG, SVG and PDF files of the chosen size. Each test makes fresh charts and a fresh dialog. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "cs-chart-data.h"
#include "cs-export-dialog.h"
#include "cs-samples.h"
#include "cs-ui-test.h"

typedef struct
{
  char *dir;
  CsCaseBase *cases;
  CsEngine *engine;
  GPtrArray *charts;               /* CsChartView*, owned by the host window */
  GtkWindow *host;
  CsExportDialog *dialog;          /* weak */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const struct { CsChartKind kind; const char *title; } kinds[] = {
    { CS_CHART_DIAGNOSTICS, "Local variation and noise" },
    { CS_CHART_SOFTMAX_VS_LINEAR, "Softmax against linear" },
    { CS_CHART_WINDOW_SWEEP, "Window against L and σ (paper)" },   /* left empty: not offered */
  };
  g_autoptr(GError) error = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  f->dir = g_dir_make_tmp ("cs-ui-export-XXXXXX", NULL);
  f->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  f->engine = cs_engine_build (f->cases, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->charts = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      GtkWidget *chart = cs_chart_view_new_for_kind (kinds[i].kind, kinds[i].title);

      gtk_widget_set_size_request (chart, 400, 250);
      gtk_box_append (GTK_BOX (box), chart);
      g_ptr_array_add (f->charts, chart);
      if (kinds[i].kind != CS_CHART_WINDOW_SWEEP)
        cs_chart_data_attach_global (CS_CHART_VIEW (chart), f->engine);
    }
  f->host = cs_ui_test_host (box, 500, 800);
  f->dialog = CS_EXPORT_DIALOG (cs_export_dialog_new (f->host, f->charts, NULL, f->engine));
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));
  cs_ui_test_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  gtk_window_destroy (f->host);
  cs_ui_test_iterate ();
  g_assert_null (f->dialog);
  g_ptr_array_unref (f->charts);
  g_clear_pointer (&f->engine, cs_engine_unref);
  g_clear_pointer (&f->cases, cs_case_base_unref);
  g_rmdir (f->dir);
  g_free (f->dir);
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
item (GtkWidget *dropdown,
      guint      i)
{
  g_autoptr(GtkStringObject) s = g_list_model_get_item (gtk_drop_down_get_model (GTK_DROP_DOWN (dropdown)), i);

  g_assert_nonnull (s);
  /* The model keeps the string alive. */
  return gtk_string_object_get_string (s);
}

static int
spin (Fixture    *f,
      const char *name)
{
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (named (f, name)));
}

static void
test_choices (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *chart = named (f, "export-chart");
  GtkWidget *format = named (f, "export-format");
  GtkWidget *preset = named (f, "export-preset");

  g_test_summary ("The dialog offers the charts with something drawn, three formats and five sizes; a preset "
                  "fixes the size, Custom frees it");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (chart))), ==, 2);
  g_assert_cmpstr (item (chart, 0), ==, "Local variation and noise");
  g_assert_cmpstr (item (chart, 1), ==, "Softmax against linear");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (format))), ==, 3);
  g_assert_cmpstr (item (format, 0), ==, "PNG image");
  g_assert_cmpstr (item (format, 1), ==, "SVG drawing");
  g_assert_cmpstr (item (format, 2), ==, "PDF document");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (preset))), ==, 5);
  g_assert_cmpstr (item (preset, 4), ==, "Custom");

  gtk_drop_down_set_selected (GTK_DROP_DOWN (preset), 1);     /* Slide 4:3 */
  g_assert_cmpint (spin (f, "export-width"), ==, 1600);
  g_assert_cmpint (spin (f, "export-height"), ==, 1200);
  g_assert_cmpint (spin (f, "export-dpi"), ==, 150);
  g_assert_false (gtk_widget_get_sensitive (named (f, "export-width")));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (preset), 0);     /* Slide 16:9 */
  g_assert_cmpint (spin (f, "export-width"), ==, 1920);
  g_assert_cmpint (spin (f, "export-height"), ==, 1080);
  g_assert_cmpint (spin (f, "export-dpi"), ==, 144);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (preset), 4);     /* Custom */
  g_assert_true (gtk_widget_get_sensitive (named (f, "export-width")));
  g_assert_true (gtk_widget_get_sensitive (named (f, "export-dpi")));

  gtk_drop_down_set_selected (GTK_DROP_DOWN (format), 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (chart), 1);
  {
    g_autofree char *name = cs_export_dialog_suggest_name (f->dialog);
    g_assert_true (g_str_has_suffix (name, ".svg"));
    g_assert_nonnull (strstr (name, "_softmax-vs-linear_"));
  }
}

/* The two numbers after key in a vector file ("width=\"W...H", "/MediaBox [ 0 0 W H"); a PDF holds binary
 * streams with NUL bytes, so the search runs over all len bytes. */
static void
page_size (const char *contents,
           gsize       len,
           const char *key,
           double     *w,
           double     *h)
{
  gsize k = strlen (key);
  const char *at = NULL;

  for (gsize i = 0; i + k <= len && at == NULL; i++)
    if (memcmp (contents + i, key, k) == 0)
      at = contents + i;
  g_assert_nonnull (at);
  at += strlen (key);
  *w = g_ascii_strtod (at, (char **) &at);
  while (*at != '\0' && !g_ascii_isdigit (*at))
    at++;
  *h = g_ascii_strtod (at, NULL);
}

static void
test_write (Fixture       *f,
            gconstpointer  data)
{
  g_test_summary ("PNG, SVG and PDF chosen in the dialog are written with the chosen size and the right magic");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "export-preset")), 4);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "export-width")), 640);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "export-height")), 400);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (named (f, "export-dpi")), 96);
  for (guint fmt = 0; fmt < 3; fmt++)
    {
      static const char *const ext[] = { "png", "svg", "pdf" };
      g_autofree char *path = g_strdup_printf ("%s/chart.%s", f->dir, ext[fmt]);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      double w, h;

      gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "export-format")), fmt);
      g_assert_true (cs_export_dialog_export_to (f->dialog, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint (len, >, 100);
      if (fmt == 0)
        {
          g_autoptr(GdkTexture) tex = gdk_texture_new_from_filename (path, &error);

          g_assert_no_error (error);
          g_assert_true (memcmp (contents, "\x89PNG\r\n\x1a\n", 8) == 0);
          g_assert_cmpint (gdk_texture_get_width (tex), ==, 640);
          g_assert_cmpint (gdk_texture_get_height (tex), ==, 400);
        }
      else if (fmt == 1)
        {
          g_assert_nonnull (strstr (contents, "<svg"));
          /* 640 x 400 px at 96 dpi: 480 x 300 pt. Cairo prints them rounded ("480pt"), hence the tolerance. */
          page_size (contents, len, "width=\"", &w, &h);
          g_assert_cmpfloat (fabs (w - 480), <, 0.5);
          g_assert_cmpfloat (fabs (h - 300), <, 0.5);
        }
      else
        {
          g_assert_true (g_str_has_prefix (contents, "%PDF-"));
          page_size (contents, len, "/MediaBox [ 0 0 ", &w, &h);
          g_assert_cmpfloat (fabs (w - 480), <, 0.5);
          g_assert_cmpfloat (fabs (h - 300), <, 0.5);
        }
      g_remove (path);
    }
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
  g_test_add ("/cs/ui/export-dialog/choices", Fixture, NULL, fixture_set_up, test_choices, fixture_tear_down);
  g_test_add ("/cs/ui/export-dialog/write", Fixture, NULL, fixture_set_up, test_write, fixture_tear_down);
  return g_test_run ();
}
