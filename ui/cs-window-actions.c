/* cs-window-actions.c: the window's win.* actions: open and recent files, chart, table and report exports, copy,
 * model files, follow, colormap, page and find; their keyboard shortcuts. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cs-chart-data.h"
#include "cs-follow-panel.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-operator-view.h"
#include "cs-settings.h"
#include "cs-window-private.h"

/* The source's name without its extension, for the names export choosers suggest. */
static char *
source_base (CsWindow *self)
{
  const char *src = self->cases->source;
  const char *dot = strrchr (src, '.');

  return dot != NULL ? g_strndup (src, (gsize) (dot - src)) : g_strdup (src);
}

static void
chooser_set_folder (GtkFileChooserNative *chooser,
                    const char           *folder)
{
  if (folder != NULL && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
}

static void
chooser_clear (CsWindow *self)
{
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->chooser_kind, g_free);
}

/* ---- Opening files -------------------------------------------------------------- */

void
_cs_window_add_recent (CsWindow *self,
                       GFile    *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);

  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  if (parent != NULL)
    {
      g_autofree char *folder = g_file_get_path (parent);
      if (folder != NULL)
        cs_settings_set_string (cs_settings_get_default (), "window", "last-folder", folder);
    }
}

static void
import_accepted_cb (CsImportDialog *dialog,
                    CsCaseBase     *cases,
                    CsWindow       *self)
{
  GFile *file = cs_import_dialog_get_file (dialog);
  CsCsvReport *report = cs_import_dialog_get_report (dialog);

  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
  self->import_columns = report != NULL ? report->columns->len : 0;
  cs_window_set_case_base (self, cases);
  if (file != NULL)
    _cs_window_add_recent (self, file);
}

static void
import_destroy_cb (GtkWidget *dialog,
                   CsWindow  *self)
{
  if (self->import_dialog == dialog)
    _cs_window_set_import_dialog (self, NULL);
}

void
cs_window_open_file (CsWindow *self,
                     GFile    *file)
{
  GtkWidget *dialog;

  g_return_if_fail (CS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->import_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->import_dialog));
  dialog = cs_import_dialog_new (GTK_WINDOW (self), file);
  g_signal_connect (dialog, "import", G_CALLBACK (import_accepted_cb), self);
  g_signal_connect (dialog, "destroy", G_CALLBACK (import_destroy_cb), self);
  _cs_window_set_import_dialog (self, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        cs_window_open_file (self, file);
    }
  chooser_clear (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "window", "last-folder", NULL);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open Case Base"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_filter_add_suffix (filter, "tsv");
  gtk_file_filter_add_suffix (filter, "txt");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  chooser_set_folder (self->chooser, folder);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  cs_window_open_file (CS_WINDOW (widget), file);
}

static void
rebuild_recent (CsWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  guint count = 0;

  g_menu_remove_all (self->recent_section);
  for (GList *l = items; l != NULL && count < 8; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *mime = gtk_recent_info_get_mime_type (info);
      const char *uri = gtk_recent_info_get_uri (info);
      g_autoptr(GMenuItem) item = NULL;

      if (!gtk_recent_info_has_application (info, g_get_application_name ()) &&
          (mime == NULL || (!g_str_equal (mime, "text/csv") && !g_str_has_suffix (uri, ".csv"))))
        continue;
      if (!gtk_recent_info_exists (info))
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (uri));
      g_menu_append_item (self->recent_section, item);
      count++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static void
recent_changed_cb (GtkRecentManager *manager,
                   CsWindow         *self)
{
  rebuild_recent (self);
}

/* ---- Charts: export and copy -------------------------------------------------- */

CsChartView *
_cs_window_current_chart (CsWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    if (CS_IS_CHART_VIEW (w))
      return CS_CHART_VIEW (w);
  return self->last_chart;
}

static void
focus_changed_cb (GObject    *object,
                  GParamSpec *pspec,
                  CsWindow   *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus != NULL && CS_IS_CHART_VIEW (focus))
    self->last_chart = CS_CHART_VIEW (focus);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cs_window_show_export (CS_WINDOW (widget));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  CsChartView *chart;
  g_autofree char *text = NULL;

  /* Text fields keep their own Ctrl+C. */
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus) ||
                        (GTK_IS_LABEL (focus) && gtk_label_get_selectable (GTK_LABEL (focus)))))
    {
      gtk_widget_activate_action (focus, "clipboard.copy", NULL);
      return;
    }
  chart = _cs_window_current_chart (self);
  if (chart == NULL || !cs_chart_view_copy (chart, MAX (gtk_widget_get_width (GTK_WIDGET (chart)), 640),
                                            MAX (gtk_widget_get_height (GTK_WIDGET (chart)), 400)))
    {
      cs_window_show_notice (self, _("Click a chart first, then Ctrl+C copies it as an image"), NULL);
      return;
    }
  /* TRANSLATORS: %s is the chart's title */
  text = g_strdup_printf (_("Copied the chart “%s” as an image"), cs_chart_view_get_title (chart));
  cs_window_show_notice (self, text, NULL);
}

/* ---- Tables as CSV ---------------------------------------------------------------- */

static void
table_chooser_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *preset = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "preset");

      if (path != NULL)
        {
          g_autofree char *folder = g_path_get_dirname (path);
          cs_settings_set_string (cs_settings_get_default (), "export", "table-folder", folder);
          cs_settings_set_string (cs_settings_get_default (), "export", "table-preset", preset);
          cs_window_export_table (self, self->chooser_kind, path, g_strcmp0 (preset, "excel") == 0);
        }
    }
  chooser_clear (self);
}

static void
export_table_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  gboolean used = g_str_equal (kind, "used");
  const char *ids[] = { "standard", "excel", NULL };
  const char *labels[] = { _("Standard (UTF-8, comma)"), _("Excel-friendly (BOM, semicolon, decimal comma)"), NULL };
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "export", "table-folder", NULL);
  g_autofree char *preset = cs_settings_get_string (cs_settings_get_default (), "export", "table-preset",
                                                    "standard");
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->engine == NULL)
    return;
  base = source_base (self);
  name = g_strdup_printf ("%s_%s.csv", base, used ? "cases-used" : "cases");
  self->chooser = gtk_file_chooser_native_new (used ? _("Export Cases Used") : _("Export Case Table"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                               _("_Cancel"));
  self->chooser_kind = g_strdup (kind);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->chooser), "preset", _("CSV style"), ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->chooser), "preset", preset);
  chooser_set_folder (self->chooser, folder);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (table_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- Meeting report ---------------------------------------------------------------- */

static void
report_chooser_response_cb (GtkNativeDialog *dialog,
                            int              response,
                            CsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autofree char *folder = g_path_get_dirname (path);

          cs_settings_set_string (cs_settings_get_default (), "export", "report-folder", folder);
          cs_window_export_report (self, path);
        }
    }
  chooser_clear (self);
}

static void
export_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "export", "report-folder", NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (self->chooser != NULL || self->engine == NULL)
    return;
  base = source_base (self);
  name = g_strdup_printf ("%s_report.pdf", base);
  /* GTK 4.8 has no GtkFileDialog: the native chooser, as the other exports. */
  self->chooser = gtk_file_chooser_native_new (_("Export Report"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  chooser_set_folder (self->chooser, folder);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (report_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- Model files ------------------------------------------------------------------ */

static void
model_chooser_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           CsWindow        *self)
{
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE;
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))
                                                          : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
  g_autoptr(GError) error = NULL;

  chooser_clear (self);
  if (path == NULL)
    return;
  {
    g_autofree char *folder = g_path_get_dirname (path);
    cs_settings_set_string (cs_settings_get_default (), "window", "model-folder", folder);
  }
  if (saving && !cs_window_save_model_to (self, path, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("The model could not be saved: %s"), error->message);
      cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
    }
  else if (saving)
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *text = g_strdup_printf (_("Saved the model as %s"), name);
      cs_window_show_notice (self, text, parent);
    }
  else
    cs_window_open_model_from (self, path, NULL);   /* it shows its own messages */
}

static void
model_chooser_show (CsWindow             *self,
                    GtkFileChooserAction  action)
{
  gboolean saving = action == GTK_FILE_CHOOSER_ACTION_SAVE;
  g_autofree char *folder = cs_settings_get_string (cs_settings_get_default (), "window", "model-folder", NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  self->chooser = gtk_file_chooser_native_new (saving ? _("Save Model") : _("Open Model"), GTK_WINDOW (self), action,
                                               saving ? _("_Save") : _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Model files (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  chooser_set_folder (self->chooser, folder);
  if (saving)
    {
      g_autofree char *base = source_base (self);
      g_autofree char *name = g_strdup_printf ("%s-model.json", base);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (model_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  if (self->engine == NULL)
    {
      cs_window_show_notice (self, _("There is no model to save yet: open a case base and wait for its model"), NULL);
      return;
    }
  model_chooser_show (self, GTK_FILE_CHOOSER_ACTION_SAVE);
}

static void
open_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  if (self->cases == NULL)
    {
      cs_window_show_notice (self, _("Open a case base first, then a model for its columns"), NULL);
      return;
    }
  model_chooser_show (self, GTK_FILE_CHOOSER_ACTION_OPEN);
}

/* ---- Follow this file (win.follow, the "following" property) ------------------------ */

void
_cs_window_stop_follow (CsWindow *self)
{
  if (self->follow_panel == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->follow_panel, self);
  cs_follow_panel_stop (CS_FOLLOW_PANEL (self->follow_panel));
  gtk_stack_remove (GTK_STACK (self->stack), self->follow_panel);
  self->follow_panel = NULL;
  _cs_window_notify_following (self);
}

static void
follow_engine_changed (CsFollowPanel *panel,
                       CsEngine      *engine,
                       gboolean       reloaded,
                       CsWindow      *self)
{
  _cs_window_show_followed (self, engine, reloaded);
}

void
_cs_window_set_following (CsWindow *self,
                          gboolean  on)
{
  gboolean dark = FALSE;

  if (!on)
    {
      _cs_window_stop_follow (self);
      return;
    }
  if (self->follow_panel != NULL)
    return;
  if (self->engine == NULL || self->cases == NULL || self->cases->source_path == NULL
      || !g_file_test (self->cases->source_path, G_FILE_TEST_IS_REGULAR))
    {
      cs_window_show_message (self, GTK_MESSAGE_INFO,
                              _("Only a case base opened from a file, once its model is ready, can be followed"));
      _cs_window_notify_following (self);
      return;
    }
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &dark, NULL);
  self->follow_panel = cs_follow_panel_new (self->cases->source_path, self->engine, dark);
  g_signal_connect (self->follow_panel, "engine-changed", G_CALLBACK (follow_engine_changed), self);
  cs_follow_panel_set_spec (CS_FOLLOW_PANEL (self->follow_panel),
                            cs_operator_view_get_spec (CS_OPERATOR_VIEW (self->operator_view)));
  gtk_stack_add_titled (GTK_STACK (self->stack), self->follow_panel, "follow", _("Follow"));
  gtk_stack_set_visible_child (GTK_STACK (self->stack), self->follow_panel);
  _cs_window_notify_following (self);
}

/* ---- Colormap, page, find ------------------------------------------------------------ */

const char *
_cs_window_get_colormap (CsWindow *self)
{
  return cs_colormap_name (self->colormap);
}

void
_cs_window_set_colormap (CsWindow   *self,
                         const char *name)
{
  g_autoptr(GPtrArray) charts = NULL;
  CsColormap map = g_strcmp0 (name, "cividis") == 0 ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;

  if (map == self->colormap)
    return;
  self->colormap = map;
  cs_settings_set_string (cs_settings_get_default (), "charts", "colormap", cs_colormap_name (map));
  charts = _cs_window_all_charts (self);
  for (guint i = 0; i < charts->len; i++)
    cs_chart_view_set_weight_map (charts->pdata[i], map);
  _cs_window_notify_colormap (self);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CsWindow *self = CS_WINDOW (widget);

  cs_window_set_page (self, "operator");
  cs_operator_view_focus_search (CS_OPERATOR_VIEW (self->operator_view));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cs_window_set_page (CS_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* ---- Installing them -------------------------------------------------------------- */

void
_cs_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_property_action (widget_class, "win.colormap", "colormap");
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.export-table", "s", export_table_action);
  gtk_widget_class_install_action (widget_class, "win.export-report", NULL, export_report_action);
  gtk_widget_class_install_action (widget_class, "win.copy-chart", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, open_model_action);
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy-chart", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.open-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "operator");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "manager");
}

void
_cs_window_init_actions (CsWindow *self)
{
  g_signal_connect (gtk_recent_manager_get_default (), "changed", G_CALLBACK (recent_changed_cb), self);
  rebuild_recent (self);
  g_signal_connect (self, "notify::focus-widget", G_CALLBACK (focus_changed_cb), self);
}

void
_cs_window_dispose_actions (CsWindow *self)
{
  g_signal_handlers_disconnect_by_data (gtk_recent_manager_get_default (), self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  chooser_clear (self);
}
