/* cs-window.c: the main window: its template, the case base and the engine's lifecycle, properties, messages and
 * notices. The win.* actions are in cs-window-actions.c, the drop target in cs-window-dnd.c. */
#define G_LOG_DOMAIN "cs-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <time.h>

#include "cs-chart-data.h"
#include "cs-follow-panel.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-operator-view-private.h"
#include "cs-set-aside.h"
#include "cs-settings.h"
#include "cs-ui-resources.h"
#include "cs-window-private.h"

G_DEFINE_FINAL_TYPE (CsWindow, cs_window, GTK_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_COLORMAP, PROP_FOLLOWING, PROP_ENGINE, PROP_IMPORT_DIALOG, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update_title (CsWindow *self)
{
  g_autofree char *sub = NULL;
  g_autofree char *title = NULL;

  if (self->cases != NULL)
    {
      gsize n = self->cases->n, d = self->cases->d;
      g_autofree char *cases = g_strdup_printf (ngettext ("%zu case", "%zu cases", n), n);
      g_autofree char *features = g_strdup_printf (ngettext ("%zu feature", "%zu features", d), d);

      /* TRANSLATORS: the header bar's subtitle: file name, “1500 cases”, “2 features”, the outcome's name */
      sub = g_strdup_printf (_("%s — %s, %s, outcome %s"), self->cases->source, cases, features,
                             self->cases->target_name);
    }
  gtk_label_set_text (GTK_LABEL (self->source_label), sub != NULL ? sub : _("No case base"));
  gtk_widget_set_tooltip_text (self->source_label,
                               self->cases != NULL && self->cases->source_path != NULL
                               ? self->cases->source_path : NULL);
  /* TRANSLATORS: the window title: the file name, then the application's name */
  title = self->cases != NULL ? g_strdup_printf (_("%s — Casescope"), self->cases->source) : g_strdup (_("Casescope"));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

/* ---- The engine ------------------------------------------------------------------ */

void
_cs_window_set_engine (CsWindow *self,
                       CsEngine *engine)
{
  if (self->engine == engine)
    return;
  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

void
_cs_window_renew_cancellable (CsWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

static void
engine_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CsWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsEngine) engine = cs_engine_build_finish (result, &error);

  if (engine == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *msg = g_strdup_printf (_("The model could not be prepared: %s"), error->message);
          cs_progress_end (self->progress);
          cs_window_show_message (self, GTK_MESSAGE_ERROR, msg);
        }
      g_object_unref (self);
      return;
    }
  if (engine->cases == self->cases)
    {
      gint64 t0 = g_get_monotonic_time (), t1;

      cs_progress_end (self->progress);
      cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
      t1 = g_get_monotonic_time ();
      cs_manager_view_set_engine (CS_MANAGER_VIEW (self->manager_view), engine);
      g_debug ("engine shown: operator %.1f ms, manager %.1f ms", (t1 - t0) / 1e3,
               (g_get_monotonic_time () - t1) / 1e3);
      /* last, so that whoever listens to "engine" finds both pages showing it */
      _cs_window_set_engine (self, engine);
    }
  g_object_unref (self);
}

/* The user's threshold adjustments from the settings; NaN where unset (the case base's default applies). */
static void
load_thresholds (CsFlagThresholds *t)
{
  CsSettings *settings = cs_settings_get_default ();

  for (gsize k = 0; cs_engine_threshold_name (k) != NULL; k++)
    cs_engine_thresholds_set (t, cs_engine_threshold_name (k),
                              cs_settings_get_double (settings, "thresholds", cs_settings_threshold_key (k), NAN));
}

void
_cs_window_prepare_engine_with (CsWindow       *self,
                                CsEngineFit     fit,
                                const CsMetric *metric,
                                const char     *metric_label)
{
  CsFlagThresholds thresholds;

  load_thresholds (&thresholds);
  cs_progress_begin (self->progress, fit != CS_ENGINE_FIT_NONE ? _("Fitting the window") : _("Preparing the model"));
  /* The progress object outlives the build (the window holds it, the build holds the window). */
  cs_engine_build_async (self->cases, fit, metric, metric_label, &thresholds, cs_progress_engine_cb,
                         self->progress, self->cancellable, engine_ready_cb, g_object_ref (self));
}

void
cs_window_set_case_base (CsWindow   *self,
                         CsCaseBase *cases)
{
  g_autofree char *set_aside_note = NULL;
  struct timespec c0, c1;
  gint64 t0;

  g_return_if_fail (CS_IS_WINDOW (self));

  _cs_window_stop_follow (self);
  _cs_window_renew_cancellable (self);
  /* The window shows the base without the cases set aside in its side file (cs-set-aside.h). */
  cases = cs_set_aside_prepare (GTK_APPLICATION_WINDOW (self), cases, &set_aside_note);
  if (set_aside_note != NULL)
    cs_window_show_message (self, GTK_MESSAGE_WARNING, set_aside_note);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  _cs_window_set_engine (self, NULL);
  self->cases = cases;
  t0 = g_get_monotonic_time ();
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &c0);
  cs_operator_view_set_cases (CS_OPERATOR_VIEW (self->operator_view), cases);
  cs_manager_view_set_cases (CS_MANAGER_VIEW (self->manager_view), cases);
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &c1);
  g_debug ("cases shown in %.1f ms (%.1f ms of CPU)", (g_get_monotonic_time () - t0) / 1e3,
           (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6);
  update_title (self);
  _cs_window_start_source_record (self);
  self->import_columns = 0;   /* it described this import only */
  /* The engine's automatic rule (scalar below 5 features, diagonal at 5 or more, or full where it wins on held-out
   * cases: model/METRIC.md), as on the command line. */
  if (cases != NULL && cases->n > 0)
    _cs_window_prepare_engine_with (self, CS_ENGINE_FIT_AUTO, NULL, NULL);
  else
    cs_progress_end (self->progress);
}

/* The followed file's new snapshot for the pages (cs-window-actions.c starts the follow): the views are given the
 * new version whole (they never see one change under them); no fit, the follow kept its metric. */
void
_cs_window_show_followed (CsWindow *self,
                          CsEngine *engine,
                          gboolean  reloaded)
{
  _cs_window_renew_cancellable (self);
  cs_case_base_ref (engine->cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = engine->cases;
  cs_operator_view_set_cases (CS_OPERATOR_VIEW (self->operator_view), self->cases);
  cs_manager_view_set_cases (CS_MANAGER_VIEW (self->manager_view), self->cases);
  cs_progress_end (self->progress);
  cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
  cs_manager_view_set_engine (CS_MANAGER_VIEW (self->manager_view), engine);
  _cs_window_set_engine (self, engine);
  update_title (self);
  _cs_window_start_source_record (self);
  if (reloaded)
    cs_window_show_notice (self, _("The followed file was truncated or rewritten: it was loaded again whole"), NULL);
}

CsCaseBase *
cs_window_get_case_base (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->cases;
}

CsEngine *
cs_window_get_engine (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->engine;
}

static void
manager_engine_cb (CsManagerView *view,
                   gpointer       engine_ptr,
                   CsWindow      *self)
{
  CsEngine *engine = engine_ptr;

  if (engine == NULL || engine->cases != self->cases)
    return;
  cs_operator_view_set_engine (CS_OPERATOR_VIEW (self->operator_view), engine);
  _cs_window_set_engine (self, engine);
}

/* ---- Messages and notices ------------------------------------------------------------ */

void
cs_window_show_message (CsWindow       *self,
                        GtkMessageType  type,
                        const char     *message)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  g_free (self->message);
  self->message = g_strdup (message);
  gtk_info_bar_set_message_type (GTK_INFO_BAR (self->info_bar), type);
  gtk_label_set_text (GTK_LABEL (self->info_label), message);
  gtk_info_bar_set_revealed (GTK_INFO_BAR (self->info_bar), message != NULL);
  gtk_widget_set_visible (self->info_bar, message != NULL);
}

const char *
cs_window_get_message (CsWindow *self)
{
  return self->message;
}

static void
info_close_clicked_cb (CsWindow  *self,
                       GtkButton *button)
{
  cs_window_show_message (self, GTK_MESSAGE_INFO, NULL);
}

static gboolean
notice_timeout_cb (gpointer user_data)
{
  CsWindow *self = user_data;

  self->notice_id = 0;
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->notice_revealer), FALSE);
  return G_SOURCE_REMOVE;
}

static void
notice_dismiss_cb (CsWindow  *self,
                   GtkButton *button)
{
  g_clear_handle_id (&self->notice_id, g_source_remove);
  notice_timeout_cb (self);
}

void
cs_window_show_notice (CsWindow   *self,
                       const char *text,
                       GFile      *folder)
{
  g_return_if_fail (CS_IS_WINDOW (self));

  g_free (self->notice);
  self->notice = g_strdup (text);
  g_set_object (&self->notice_folder, folder);
  gtk_label_set_text (GTK_LABEL (self->notice_label), text);
  gtk_widget_set_visible (self->notice_button, folder != NULL);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->notice_revealer), TRUE);
  g_clear_handle_id (&self->notice_id, g_source_remove);
  self->notice_id = g_timeout_add_seconds (8, notice_timeout_cb, self);
}

void
_cs_window_notice_exported (CsWindow   *self,
                            const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  /* TRANSLATORS: a notice after an export; %s is the file name */
  g_autofree char *text = g_strdup_printf (_("Exported %s"), name);

  cs_window_show_notice (self, text, parent);
}

const char *
cs_window_get_notice (CsWindow *self)
{
  return self->notice;
}

static void
open_folder_cb (GtkButton *button,
                CsWindow  *self)
{
  g_autofree char *uri = NULL;

  if (self->notice_folder == NULL)
    return;
  uri = g_file_get_uri (self->notice_folder);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
  notice_dismiss_cb (self, button);
}

/* ---- State ------------------------------------------------------------------------ */

GPtrArray *
_cs_window_all_charts (CsWindow *self)
{
  GPtrArray *charts = g_ptr_array_new ();
  GPtrArray *op = cs_operator_view_get_charts (CS_OPERATOR_VIEW (self->operator_view));
  GPtrArray *mg = cs_manager_view_get_charts (CS_MANAGER_VIEW (self->manager_view));

  for (guint i = 0; i < op->len; i++)
    g_ptr_array_add (charts, op->pdata[i]);
  for (guint i = 0; i < mg->len; i++)
    g_ptr_array_add (charts, mg->pdata[i]);
  return charts;
}

gboolean
cs_window_is_busy (CsWindow *self)
{
  g_autoptr(GPtrArray) charts = NULL;
  guint shown = 0, serial;

  g_return_val_if_fail (CS_IS_WINDOW (self), FALSE);

  if (cs_progress_get_active (self->progress) || self->record_pending
      || cs_manager_view_is_busy (CS_MANAGER_VIEW (self->manager_view))
      || cs_operator_view_is_sorting (CS_OPERATOR_VIEW (self->operator_view)))
    return TRUE;
  if (self->import_dialog != NULL && cs_import_dialog_is_loading (CS_IMPORT_DIALOG (self->import_dialog)))
    return TRUE;
  serial = cs_operator_view_get_serial (CS_OPERATOR_VIEW (self->operator_view), &shown);
  if (serial != shown)
    return TRUE;
  charts = _cs_window_all_charts (self);
  for (guint i = 0; i < charts->len; i++)
    if (cs_chart_view_is_rendering (charts->pdata[i]))
      return TRUE;
  return FALSE;
}

void
cs_window_set_page (CsWindow   *self,
                    const char *name)
{
  g_return_if_fail (CS_IS_WINDOW (self));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), name);
}

GtkWidget *
cs_window_get_operator (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->operator_view;
}

GtkWidget *
cs_window_get_manager (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->manager_view;
}

GtkWidget *
cs_window_get_follow_panel (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->follow_panel;
}

GtkWidget *
cs_window_get_import_dialog (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->import_dialog;
}

void
_cs_window_set_import_dialog (CsWindow  *self,
                              GtkWidget *dialog)
{
  if (self->import_dialog == dialog)
    return;
  self->import_dialog = dialog;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMPORT_DIALOG]);
}

void
_cs_window_notify_following (CsWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

void
_cs_window_notify_colormap (CsWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLORMAP]);
}

/* The follow page predicts with the operator page's level and limits. */
static void
operator_spec_changed_cb (CsOperatorView *view,
                          CsWindow       *self)
{
  if (self->follow_panel != NULL)
    cs_follow_panel_set_spec (CS_FOLLOW_PANEL (self->follow_panel), cs_operator_view_get_spec (view));
}

static void
manager_open_case_cb (CsManagerView *view,
                      guint          index,
                      CsWindow      *self)
{
  cs_window_set_page (self, "operator");
  cs_operator_view_select_case (CS_OPERATOR_VIEW (self->operator_view), index);
}

static void
settings_changed_cb (GtkSettings *settings,
                     GParamSpec  *pspec,
                     CsWindow    *self)
{
  gboolean dark = FALSE;

  g_object_get (settings, "gtk-application-prefer-dark-theme", &dark, NULL);
  cs_operator_view_set_dark (CS_OPERATOR_VIEW (self->operator_view), dark);
  cs_manager_view_set_dark (CS_MANAGER_VIEW (self->manager_view), dark);
  if (self->follow_panel != NULL)
    cs_follow_panel_set_dark (CS_FOLLOW_PANEL (self->follow_panel), dark);
}

static gboolean
close_request_cb (GtkWindow *window,
                  gpointer   user_data)
{
  CsSettings *settings = cs_settings_get_default ();
  int w = 0, h = 0;

  gtk_window_get_default_size (window, &w, &h);
  if (w > 0 && h > 0)
    {
      cs_settings_set_int (settings, "window", "width", w);
      cs_settings_set_int (settings, "window", "height", h);
    }
  cs_settings_set_boolean (settings, "window", "maximized", gtk_window_is_maximized (window));
  return FALSE;
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
cs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CsWindow *self = CS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COLORMAP:
      g_value_set_string (value, _cs_window_get_colormap (self));
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->follow_panel != NULL);
      break;
    case PROP_ENGINE:
      g_value_set_pointer (value, self->engine);
      break;
    case PROP_IMPORT_DIALOG:
      g_value_set_object (value, self->import_dialog);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_COLORMAP:
      _cs_window_set_colormap (CS_WINDOW (object), g_value_get_string (value));
      break;
    case PROP_FOLLOWING:
      _cs_window_set_following (CS_WINDOW (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_window_dispose (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  _cs_window_stop_follow (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->notice_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (gtk_settings_get_default (), self);
  _cs_window_dispose_actions (self);
  if (self->import_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->import_dialog));
  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  if (self->progress != NULL)
    cs_progress_end (self->progress);
  g_clear_object (&self->notice_folder);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->table_path, g_free);
  g_clear_pointer (&self->set_aside, cs_set_aside_free);
  g_clear_pointer (&self->source_sha256, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_WINDOW);
  G_OBJECT_CLASS (cs_window_parent_class)->dispose (object);
}

static void
cs_window_finalize (GObject *object)
{
  CsWindow *self = CS_WINDOW (object);

  g_clear_object (&self->progress);
  G_OBJECT_CLASS (cs_window_parent_class)->finalize (object);
}

static void
cs_window_class_init (CsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* Keep the UI resources linked in from the static library. */
  (void) cs_ui_get_resource ();
  g_type_ensure (CS_TYPE_OPERATOR_VIEW);
  g_type_ensure (CS_TYPE_MANAGER_VIEW);

  object_class->dispose = cs_window_dispose;
  object_class->finalize = cs_window_finalize;
  object_class->get_property = cs_window_get_property;
  object_class->set_property = cs_window_set_property;
  properties[PROP_COLORMAP] = g_param_spec_string ("colormap", NULL, NULL, "viridis",
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  /* "Follow this file" in the window menu (a toggle): the follow page watches the shown case base's file. */
  properties[PROP_FOLLOWING] = g_param_spec_boolean ("following", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                     G_PARAM_STATIC_STRINGS);
  /* The CsEngine * the pages show (not a reference; NULL while it is prepared): notified when it is ready, when
   * the manager page refits and when a followed file grows, so that front ends listen instead of polling. */
  properties[PROP_ENGINE] = g_param_spec_pointer ("engine", NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The import preview currently shown, or NULL. */
  properties[PROP_IMPORT_DIALOG] = g_param_spec_object ("import-dialog", NULL, NULL, GTK_TYPE_WIDGET,
                                                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                        G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CsWindow, switcher);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, source_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, operator_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, manager_view);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, info_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, notice_label);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, notice_button);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, drop_overlay);
  gtk_widget_class_bind_template_child (widget_class, CsWindow, recent_section);
  gtk_widget_class_bind_template_callback (widget_class, info_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, notice_dismiss_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_folder_cb);
  gtk_widget_class_bind_template_callback (widget_class, manager_engine_cb);
  gtk_widget_class_bind_template_callback (widget_class, manager_open_case_cb);
  gtk_widget_class_bind_template_callback (widget_class, operator_spec_changed_cb);

  _cs_window_class_init_actions (widget_class);
}

static void
cs_window_init (CsWindow *self)
{
  CsSettings *settings = cs_settings_get_default ();
  g_autofree char *colormap = cs_settings_get_string (settings, "charts", "colormap", "viridis");

  self->colormap = g_str_equal (colormap, "cividis") ? CS_COLORMAP_CIVIDIS : CS_COLORMAP_VIRIDIS;
  self->set_aside = cs_set_aside_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  {
    g_autoptr(GPtrArray) charts = _cs_window_all_charts (self);

    for (guint i = 0; i < charts->len; i++)
      cs_chart_view_set_weight_map (charts->pdata[i], self->colormap);
  }

  self->progress = cs_progress_new ();
  cs_progress_bind_bar (self->progress, GTK_PROGRESS_BAR (self->progress_bar));
  g_object_bind_property (self->progress, "active", self->spinner, "visible", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->progress, "active", self->spinner, "spinning", G_BINDING_SYNC_CREATE);

  gtk_window_set_default_size (GTK_WINDOW (self), cs_settings_get_int (settings, "window", "width", 1280),
                               cs_settings_get_int (settings, "window", "height", 800));
  if (cs_settings_get_boolean (settings, "window", "maximized", FALSE))
    gtk_window_maximize (GTK_WINDOW (self));

  _cs_window_init_actions (self);
  _cs_window_init_dnd (self);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  g_signal_connect (gtk_settings_get_default (), "notify::gtk-application-prefer-dark-theme",
                    G_CALLBACK (settings_changed_cb), self);
  settings_changed_cb (gtk_settings_get_default (), NULL, self);
  update_title (self);
}

CsSetAside *
cs_window_get_set_aside (CsWindow *self)
{
  g_return_val_if_fail (CS_IS_WINDOW (self), NULL);
  return self->set_aside;
}

CsWindow *
cs_window_new (GtkApplication *app)
{
  return g_object_new (CS_TYPE_WINDOW, "application", app, NULL);
}
