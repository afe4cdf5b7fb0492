/* cs-export-dialog.c: the chart export dialog over ui/render/cs-export.h. */
#define G_LOG_DOMAIN "cs-export-dialog"

#include "config.h"

#include "cs-chart-data.h"
#include "cs-export-dialog.h"
#include "cs-export.h"
#include "cs-settings.h"

#define GROUP "export"

struct _CsExportDialog
{
  GtkWindow parent_instance;

  /* Template widgets */
  GtkWidget *chart;
  GtkWidget *format;
  GtkWidget *preset;
  GtkWidget *width;
  GtkWidget *height;
  GtkWidget *dpi;
  GtkWidget *footer;
  GtkWidget *transparent;
  GtkWidget *status;

  /* Owned references */
  GPtrArray *charts;            /* CsChartView* (refs) */
  CsEngine *engine;
  GtkFileChooserNative *chooser;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (CsExportDialog, cs_export_dialog, GTK_TYPE_WINDOW)

enum { SIGNAL_EXPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *format_names[] = { "PNG image", "SVG drawing", "PDF document", NULL };
static const char *format_ext[] = { "png", "svg", "pdf" };
static const char *preset_names[] = { "Slide 16:9 (1920 × 1080, 144 dpi)", "Slide 4:3 (1600 × 1200, 150 dpi)",
                                      "A4 landscape (300 dpi)", "Chart's size on screen", "Custom", NULL };

static CsChartView *
selected_chart (CsExportDialog *self)
{
  guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->chart));

  return i < self->charts->len ? self->charts->pdata[i] : NULL;
}

static void
apply_preset (CsExportDialog *self)
{
  guint p = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->preset));
  CsExportOptions o;
  gboolean custom = p == 4;

  self->updating = TRUE;
  if (p <= 2)
    {
      cs_export_options_init (&o, (CsExportPreset) p);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), o.width);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), o.height);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), o.dpi);
    }
  else if (p == 3)
    {
      CsChartView *chart = selected_chart (self);
      int w = chart != NULL ? gtk_widget_get_width (GTK_WIDGET (chart)) : 0;
      int h = chart != NULL ? gtk_widget_get_height (GTK_WIDGET (chart)) : 0;
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), w > 0 ? w : 800);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), h > 0 ? h : 600);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), 96);
    }
  gtk_widget_set_sensitive (self->width, custom);
  gtk_widget_set_sensitive (self->height, custom);
  gtk_widget_set_sensitive (self->dpi, custom);
  self->updating = FALSE;
}

static void
remember (CsExportDialog *self)
{
  CsSettings *s = cs_settings_get_default ();
  CsChartView *chart = selected_chart (self);

  if (self->updating)
    return;
  cs_settings_set_int (s, GROUP, "format", (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format)));
  cs_settings_set_int (s, GROUP, "preset", (int) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->preset)));
  cs_settings_set_int (s, GROUP, "width", gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->width)));
  cs_settings_set_int (s, GROUP, "height", gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->height)));
  cs_settings_set_int (s, GROUP, "dpi", gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->dpi)));
  cs_settings_set_boolean (s, GROUP, "footer", gtk_check_button_get_active (GTK_CHECK_BUTTON (self->footer)));
  cs_settings_set_boolean (s, GROUP, "transparent",
                           gtk_check_button_get_active (GTK_CHECK_BUTTON (self->transparent)));
  if (chart != NULL)
    cs_settings_set_string (s, GROUP, "chart", cs_chart_view_get_name (chart));
}

static void
preset_changed_cb (GObject        *object,
                   GParamSpec     *pspec,
                   CsExportDialog *self)
{
  apply_preset (self);
  remember (self);
}

static void
changed_cb (GObject        *object,
            GParamSpec     *pspec,
            CsExportDialog *self)
{
  remember (self);
}

char *
cs_export_dialog_suggest_name (CsExportDialog *self)
{
  CsChartView *chart = selected_chart (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M");
  g_autofree char *dataset = NULL;
  guint f = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format));

  if (self->engine != NULL)
    {
      const char *src = self->engine->cases->source;
      const char *dot = strrchr (src, '.');
      dataset = dot != NULL ? g_strndup (src, (gsize) (dot - src)) : g_strdup (src);
    }
  return g_strdup_printf ("%s_%s_%s.%s", dataset != NULL ? dataset : "casescope",
                          chart != NULL ? cs_chart_view_get_name (chart) : "chart", stamp, format_ext[MIN (f, 2)]);
}

gboolean
cs_export_dialog_export_to (CsExportDialog *self,
                            const char     *path,
                            GError        **error)
{
  CsChartView *view = selected_chart (self);
  const CsChart *chart = view != NULL ? cs_chart_data_get_chart (view) : NULL;
  CsExportOptions options;
  CsProvenance prov = { 0 };
  g_autofree char *date = NULL;
  const char *protected_paths[2] = { NULL, NULL };
  guint f = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->format));

  if (chart == NULL)
    {
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, "This chart has nothing to draw yet");
      return FALSE;
    }
  cs_export_options_init (&options, CS_EXPORT_PRESET_CUSTOM);
  options.format = f == 1 ? CS_EXPORT_SVG : f == 2 ? CS_EXPORT_PDF : CS_EXPORT_PNG;
  options.width = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->width));
  options.height = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->height));
  options.dpi = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->dpi));
  options.transparent = gtk_check_button_get_active (GTK_CHECK_BUTTON (self->transparent));
  options.weight_map = cs_chart_view_get_weight_map (view);
  if (gtk_check_button_get_active (GTK_CHECK_BUTTON (self->footer)) && cs_chart_data_get_built (view) != NULL)
    {
      /* The engine's footer, as casescope-cli export writes it; the date in UTC, pinned by SOURCE_DATE_EPOCH. */
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      date = cs_plot_provenance_date (now);
      cs_engine_chart_provenance (cs_chart_data_get_built (view), PACKAGE_VERSION, date, &prov);
      options.provenance = &prov;
    }
  if (self->engine != NULL && self->engine->cases->source_path != NULL)
    {
      protected_paths[0] = self->engine->cases->source_path;
      options.protected_paths = protected_paths;
    }
  if (!cs_export_charts (path, chart, 1, &options, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_EXPORTED], 0, path);
  return TRUE;
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  CsExportDialog  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        gtk_label_set_text (GTK_LABEL (self->status), "Choose a local file");
      else if (!cs_export_dialog_export_to (self, path, &error))
        gtk_label_set_text (GTK_LABEL (self->status), error->message);
      else
        {
          g_autofree char *folder = g_path_get_dirname (path);
          cs_settings_set_string (cs_settings_get_default (), GROUP, "folder", folder);
          g_clear_object (&self->chooser);
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
    }
  g_clear_object (&self->chooser);
}

static void
export_clicked_cb (GtkButton      *button,
                   CsExportDialog *self)
{
  g_autofree char *name = cs_export_dialog_suggest_name (self);
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), GROUP, "folder", NULL);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new ("Export Chart", GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               "_Export", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (folder == NULL)
    folder = g_strdup (g_get_user_special_dir (G_USER_DIRECTORY_PICTURES));
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
cs_export_dialog_set_format (CsExportDialog *self,
                             const char     *format)
{
  for (guint i = 0; i < 3; i++)
    if (g_ascii_strcasecmp (format, format_ext[i]) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format), i);
}

void
cs_export_dialog_set_size (CsExportDialog *self,
                           int             width,
                           int             height,
                           double          dpi)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset), 4);   /* Custom */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), width);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), height);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), dpi);
}

gboolean
cs_export_dialog_set_chart (CsExportDialog *self,
                            const char     *name)
{
  for (guint i = 0; i < self->charts->len; i++)
    if (g_str_equal (cs_chart_view_get_name (self->charts->pdata[i]), name))
      {
        gtk_drop_down_set_selected (GTK_DROP_DOWN (self->chart), i);
        return TRUE;
      }
  return FALSE;
}

static void
cs_export_dialog_dispose (GObject *object)
{
  CsExportDialog *self = CS_EXPORT_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->charts, g_ptr_array_unref);
  g_clear_pointer (&self->engine, cs_engine_unref);
  G_OBJECT_CLASS (cs_export_dialog_parent_class)->dispose (object);
}

static void
cs_export_dialog_class_init (CsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_export_dialog_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  signals[SIGNAL_EXPORTED] = g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
attach_row (GtkGrid    *grid,
            int         row,
            const char *text,
            GtkWidget  *widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, widget, 1, row, 1, 1);
}

static void
cs_export_dialog_init (CsExportDialog *self)
{
  GtkWidget *header = gtk_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic ("_Cancel");
  GtkWidget *export = gtk_button_new_with_mnemonic ("_Export…");
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *size = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_window_set_title (GTK_WINDOW (self), "Export Chart");
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);
  gtk_header_bar_set_show_title_buttons (GTK_HEADER_BAR (header), FALSE);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), self);
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), cancel);
  gtk_widget_add_css_class (export, "suggested-action");
  g_signal_connect (export, "clicked", G_CALLBACK (export_clicked_cb), self);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), export);
  gtk_window_set_default_widget (GTK_WINDOW (self), export);

  self->chart = gtk_drop_down_new (NULL, NULL);
  self->format = gtk_drop_down_new_from_strings (format_names);
  self->preset = gtk_drop_down_new_from_strings (preset_names);
  self->width = gtk_spin_button_new_with_range (16, CS_EXPORT_MAX_SIDE, 1);
  self->height = gtk_spin_button_new_with_range (16, CS_EXPORT_MAX_SIDE, 1);
  self->dpi = gtk_spin_button_new_with_range (CS_EXPORT_MIN_DPI, 1200, 1);
  self->footer = gtk_check_button_new_with_mnemonic ("Provenance _footer (data file, n, model, version, date)");
  self->transparent = gtk_check_button_new_with_mnemonic ("_Transparent background");
  self->status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_widget_add_css_class (self->status, "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->width), GTK_ACCESSIBLE_PROPERTY_LABEL, "Width in pixels", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->height), GTK_ACCESSIBLE_PROPERTY_LABEL, "Height in pixels",
                                  -1);
  gtk_box_append (GTK_BOX (size), self->width);
  gtk_box_append (GTK_BOX (size), gtk_label_new ("×"));
  gtk_box_append (GTK_BOX (size), self->height);
  gtk_box_append (GTK_BOX (size), gtk_label_new ("px"));

  gtk_grid_set_row_spacing (GTK_GRID (grid), 10);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  attach_row (GTK_GRID (grid), 0, "C_hart", self->chart);
  attach_row (GTK_GRID (grid), 1, "F_ormat", self->format);
  attach_row (GTK_GRID (grid), 2, "_Size", self->preset);
  attach_row (GTK_GRID (grid), 3, "", size);
  attach_row (GTK_GRID (grid), 4, "_DPI", self->dpi);
  gtk_grid_attach (GTK_GRID (grid), self->footer, 1, 5, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), self->transparent, 1, 6, 1, 1);
  {
    GtkWidget *note = gtk_label_new ("Exports are always drawn light, whatever the window's style.");
    gtk_widget_add_css_class (note, "dim-label");
    gtk_label_set_wrap (GTK_LABEL (note), TRUE);
    gtk_label_set_xalign (GTK_LABEL (note), 0);
    gtk_grid_attach (GTK_GRID (grid), note, 1, 7, 1, 1);
  }
  gtk_grid_attach (GTK_GRID (grid), self->status, 0, 8, 2, 1);
  gtk_widget_set_margin_start (grid, 18);
  gtk_widget_set_margin_end (grid, 18);
  gtk_widget_set_margin_top (grid, 18);
  gtk_widget_set_margin_bottom (grid, 18);
  gtk_window_set_child (GTK_WINDOW (self), grid);
}

GtkWidget *
cs_export_dialog_new (GtkWindow   *parent,
                      GPtrArray   *charts,
                      CsChartView *current,
                      CsEngine    *engine)
{
  CsExportDialog *self = g_object_new (CS_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  CsSettings *s = cs_settings_get_default ();
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  g_autofree char *remembered = cs_settings_get_string (s, GROUP, "chart", NULL);
  guint selected = 0;

  self->charts = g_ptr_array_new_with_free_func (g_object_unref);
  self->engine = engine != NULL ? cs_engine_ref (engine) : NULL;
  for (guint i = 0; i < charts->len; i++)
    {
      CsChartView *view = charts->pdata[i];
      if (cs_chart_data_get_chart (view) == NULL)
        continue;
      if (view == current || (current == NULL && g_strcmp0 (remembered, cs_chart_view_get_name (view)) == 0))
        selected = self->charts->len;
      g_ptr_array_add (self->charts, g_object_ref (view));
      gtk_string_list_append (titles, cs_chart_view_get_title (view));
    }
  self->updating = TRUE;
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->chart), G_LIST_MODEL (titles));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->chart), selected);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format), (guint) CLAMP (cs_settings_get_int (s, GROUP, "format", 0), 0, 2));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset), (guint) CLAMP (cs_settings_get_int (s, GROUP, "preset", 0), 0, 4));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), cs_settings_get_int (s, GROUP, "width", 1920));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), cs_settings_get_int (s, GROUP, "height", 1080));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), cs_settings_get_int (s, GROUP, "dpi", 144));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->footer), cs_settings_get_boolean (s, GROUP, "footer", TRUE));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->transparent),
                               cs_settings_get_boolean (s, GROUP, "transparent", FALSE));
  self->updating = FALSE;
  apply_preset (self);
  if (self->charts->len == 0)
    gtk_label_set_text (GTK_LABEL (self->status), "No chart has anything to draw yet.");
  g_signal_connect (self->preset, "notify::selected", G_CALLBACK (preset_changed_cb), self);
  g_signal_connect (self->format, "notify::selected", G_CALLBACK (changed_cb), self);
  g_signal_connect (self->chart, "notify::selected", G_CALLBACK (preset_changed_cb), self);
  g_signal_connect (self->width, "notify::value", G_CALLBACK (changed_cb), self);
  g_signal_connect (self->height, "notify::value", G_CALLBACK (changed_cb), self);
  g_signal_connect (self->dpi, "notify::value", G_CALLBACK (changed_cb), self);
  g_signal_connect (self->footer, "notify::active", G_CALLBACK (changed_cb), self);
  g_signal_connect (self->transparent, "notify::active", G_CALLBACK (changed_cb), self);
  return GTK_WIDGET (self);
}
