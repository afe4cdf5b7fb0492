/* cs-export-dialog.c: the chart export dialog (ui/cs-export-dialog.ui) over ui/render/cs-export.h. */
#define G_LOG_DOMAIN "cs-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-ui-resources.h"
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

/* The format drop-down, in this order. */
typedef enum { FORMAT_PNG, FORMAT_SVG, FORMAT_PDF, N_FORMATS } Format;
static const char *const format_names[N_FORMATS] = { N_("PNG image"), N_("SVG drawing"), N_("PDF document") };
static const char *const format_ext[N_FORMATS] = { "png", "svg", "pdf" };
static const CsExportFormat format_kind[N_FORMATS] = { CS_EXPORT_PNG, CS_EXPORT_SVG, CS_EXPORT_PDF };

/* The size drop-down: the first three are cs-export.h's presets (CsExportPreset, same order). */
typedef enum { PRESET_SLIDE_16_9, PRESET_SLIDE_4_3, PRESET_A4, PRESET_SCREEN, PRESET_CUSTOM, N_PRESETS } Preset;
static const char *const preset_names[N_PRESETS] = { N_("Slide 16:9 (1920 × 1080, 144 dpi)"),
                                                     N_("Slide 4:3 (1600 × 1200, 150 dpi)"),
                                                     N_("A4 landscape (300 dpi)"), N_("Chart's size on screen"),
                                                     N_("Custom") };

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
  gboolean custom = p == PRESET_CUSTOM;

  self->updating = TRUE;
  if (p < PRESET_SCREEN)
    {
      cs_export_options_init (&o, (CsExportPreset) p);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), o.width);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), o.height);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), o.dpi);
    }
  else if (p == PRESET_SCREEN)
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
                          chart != NULL ? cs_chart_view_get_name (chart) : "chart", stamp,
                          format_ext[MIN (f, FORMAT_PDF)]);
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
      g_set_error (error, CS_EXPORT_ERROR, CS_EXPORT_ERROR_INVALID, _("This chart has nothing to draw yet"));
      return FALSE;
    }
  cs_export_options_init (&options, CS_EXPORT_PRESET_CUSTOM);
  options.format = format_kind[MIN (f, FORMAT_PDF)];
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
        gtk_label_set_text (GTK_LABEL (self->status), _("Choose a local file"));
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
  self->chooser = gtk_file_chooser_native_new (_("Export Chart"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
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

static void
cancel_clicked_cb (GtkButton      *button,
                   CsExportDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cs_export_dialog_set_format (CsExportDialog *self,
                             const char     *format)
{
  for (guint i = 0; i < N_FORMATS; i++)
    if (g_ascii_strcasecmp (format, format_ext[i]) == 0)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format), i);
}

void
cs_export_dialog_set_size (CsExportDialog *self,
                           int             width,
                           int             height,
                           double          dpi)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset), PRESET_CUSTOM);
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
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_EXPORT_DIALOG);
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

  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, chart);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, format);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, preset);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, width);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, height);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, dpi);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, footer);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, transparent);
  gtk_widget_class_bind_template_child (widget_class, CsExportDialog, status);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

/* A drop-down of the translated entries of a static N_() table. */
static void
set_names (GtkWidget         *dropdown,
           const char *const *names,
           guint              n)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, _(names[i]));
  gtk_drop_down_set_model (GTK_DROP_DOWN (dropdown), G_LIST_MODEL (list));
}

static void
cs_export_dialog_init (CsExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_names (self->format, format_names, N_FORMATS);
  set_names (self->preset, preset_names, N_PRESETS);
  /* The limits of cs-export.h, not repeated in the template. */
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (self->width)), CS_EXPORT_MAX_SIDE);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (self->height)), CS_EXPORT_MAX_SIDE);
  gtk_adjustment_set_lower (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (self->dpi)), CS_EXPORT_MIN_DPI);
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
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->format), (guint) CLAMP (cs_settings_get_int (s, GROUP, "format", 0), 0, N_FORMATS - 1));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->preset), (guint) CLAMP (cs_settings_get_int (s, GROUP, "preset", 0), 0, N_PRESETS - 1));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->width), cs_settings_get_int (s, GROUP, "width", 1920));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->height), cs_settings_get_int (s, GROUP, "height", 1080));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->dpi), cs_settings_get_int (s, GROUP, "dpi", 144));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->footer), cs_settings_get_boolean (s, GROUP, "footer", TRUE));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->transparent),
                               cs_settings_get_boolean (s, GROUP, "transparent", FALSE));
  self->updating = FALSE;
  apply_preset (self);
  if (self->charts->len == 0)
    gtk_label_set_text (GTK_LABEL (self->status), _("No chart has anything to draw yet."));
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
