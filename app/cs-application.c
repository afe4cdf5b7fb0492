/* cs-application.c: actions, command line, windows, settings, and the offscreen screenshot path. */
#define G_LOG_DOMAIN "casescope"

#include "config.h"

#include "cs-application.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-export-dialog.h"
#include "cs-follow-panel.h"
#include "cs-import-dialog.h"
#include "cs-manager-view.h"
#include "cs-operator-view.h"
#include "cs-samples.h"
#include "cs-settings.h"
#include "cs-window.h"

struct _CsApplication
{
  GtkApplication parent_instance;

  char *sample;          /* --sample NAME */
  char *screenshot;      /* --screenshot PATH: render the window (or dialog) offscreen, then quit */
  char *page;            /* --page operator|manager */
  char *dialog;          /* --dialog import|export */
  int select_case;       /* --case N: make case N (1-based row) the query */
  gboolean dark;         /* --dark */
  gboolean sweeps;       /* --sweeps: run the paper sweeps on the manager page at start */
  char *spec_lower;      /* --spec-lower X, --spec-upper Y: typed into the operator page's spec entries */
  char *spec_upper;
  gboolean follow;       /* --follow: turn on "Follow This File" once the model is ready */
  gboolean import_pressed;   /* --follow FILE: the import preview's "Import" was pressed for the user */
  gboolean options_applied;  /* apply_engine_options has run (the screenshot waits for it) */
  gboolean follow_announced; /* "following PATH" printed (screenshot runs with --follow) */
  gint64 follow_since;   /* when the follow started (monotonic µs), for the screenshot's waits */
  guint follow_events;   /* events seen at follow_quiet_since */
  gint64 follow_quiet_since;
  int screenshot_frames;
  gboolean screenshot_failed;
  int idle_frames;
  CsWindow *window;
  GtkWidget *export_dialog;  /* --dialog export: the dialog opened for the screenshot (a weak pointer) */
  GtkWidget *import_status;  /* --follow FILE: the import preview's status line, watched until the file is read */
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, GTK_TYPE_APPLICATION)

static gboolean
save_widget_png (GtkWidget  *widget,
                 const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GskRenderer *renderer;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  if (node == NULL || renderer == NULL || w <= 0 || h <= 0)
    {
      g_clear_pointer (&node, gsk_render_node_unref);
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  return texture != NULL && gdk_texture_save_to_png (texture, path);
}

static GtkWidget *
screenshot_target (CsApplication *self)
{
  if (g_strcmp0 (self->dialog, "import") == 0)
    return cs_window_get_import_dialog (self->window);
  if (g_strcmp0 (self->dialog, "shortcuts") == 0)
    {
      GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self->window));
      if (help != NULL && !gtk_widget_get_visible (GTK_WIDGET (help)))
        {
          gtk_widget_activate_action (GTK_WIDGET (self->window), "win.show-help-overlay", NULL);
          self->idle_frames = 0;
          return NULL;
        }
      return GTK_WIDGET (help);
    }
  if (g_strcmp0 (self->dialog, "export") == 0)
    {
      if (self->export_dialog == NULL && cs_window_get_engine (self->window) != NULL)
        {
          self->export_dialog = cs_window_show_export (self->window);
          g_object_add_weak_pointer (G_OBJECT (self->export_dialog), (gpointer *) &self->export_dialog);
          self->idle_frames = 0;
          return NULL;
        }
      return self->export_dialog;
    }
  return GTK_WIDGET (self->window);
}

/* With --follow, a screenshot waits for the follow page: once it watches the file it says so on stdout
 * ("following PATH", flushed) so that a script can append rows now, and the shot is taken when the appended
 * rows have been read and predicted and nothing new came for a second (or, with nothing appended, after 20 s). */
static gboolean
screenshot_follow_ready (CsApplication *self)
{
  GtkWidget *panel;
  gint64 now = g_get_monotonic_time ();
  guint events;

  if (!self->follow)
    return TRUE;
  if (!self->options_applied)
    return FALSE;
  panel = cs_window_get_follow_panel (self->window);
  if (panel == NULL)
    return TRUE;   /* following was refused: the window shows why */
  if (cs_follow_panel_get_engine (CS_FOLLOW_PANEL (panel)) == NULL || cs_follow_panel_is_busy (CS_FOLLOW_PANEL (panel)))
    return FALSE;
  if (!self->follow_announced)
    {
      CsEngine *engine = cs_follow_panel_get_engine (CS_FOLLOW_PANEL (panel));

      g_print ("following %s\n", engine->cases->source_path);
      fflush (stdout);
      self->follow_announced = TRUE;
      self->follow_since = self->follow_quiet_since = now;
      self->follow_events = 0;
      return FALSE;
    }
  events = cs_follow_panel_get_events (CS_FOLLOW_PANEL (panel))->len;
  if (events != self->follow_events)
    {
      self->follow_events = events;
      self->follow_quiet_since = now;
      return FALSE;
    }
  if (events == 0)
    return now - self->follow_since > 20 * G_USEC_PER_SEC;
  return now - self->follow_quiet_since > G_USEC_PER_SEC;
}

static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  CsApplication *self = CS_APPLICATION (user_data);
  GtkWidget *target;

  self->screenshot_frames++;
  if (cs_window_is_busy (self->window) || (self->dialog == NULL && cs_window_get_engine (self->window) == NULL))
    {
      self->idle_frames = 0;
      if (self->screenshot_frames < 60 * 120)
        return G_SOURCE_CONTINUE;
    }
  if (!screenshot_follow_ready (self))
    {
      self->idle_frames = 0;
      return G_SOURCE_CONTINUE;
    }
  target = screenshot_target (self);
  if (target == NULL || !gtk_widget_get_mapped (target))
    {
      self->idle_frames = 0;
      if (self->screenshot_frames < 60 * 120)
        return G_SOURCE_CONTINUE;
    }
  /* A few quiet frames so that every child has been laid out and drawn. */
  if (++self->idle_frames < 6)
    return G_SOURCE_CONTINUE;
  if (target == NULL || !save_widget_png (target, self->screenshot))
    {
      g_printerr ("casescope: could not write the screenshot %s\n", self->screenshot);
      self->screenshot_failed = TRUE;
      g_application_quit (G_APPLICATION (self));
      return G_SOURCE_REMOVE;
    }
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
apply_startup_options (CsApplication *self,
                       CsWindow      *window)
{
  if (self->page != NULL)
    cs_window_set_page (window, self->page);
}

/* The first widget named name under widget (depth first), or NULL. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* --spec-lower/--spec-upper: typed into the operator page's entries and confirmed with Enter, as a user would,
 * so the limits are checked, shown and kept for this file in the settings by the same code. */
static void
type_spec_limits (CsApplication *self)
{
  GtkWidget *operator = cs_window_get_operator (self->window);
  GtkWidget *lower = find_named (operator, "spec-lower");
  GtkWidget *upper = find_named (operator, "spec-upper");

  g_return_if_fail (lower != NULL && upper != NULL);
  if (self->spec_lower != NULL)
    gtk_editable_set_text (GTK_EDITABLE (lower), self->spec_lower);
  if (self->spec_upper != NULL)
    gtk_editable_set_text (GTK_EDITABLE (upper), self->spec_upper);
  g_signal_emit_by_name (self->spec_upper != NULL ? upper : lower, "activate");
}

/* Options that need the engine: --spec-lower/--spec-upper, --case N, --sweeps and --follow, applied once when the
 * window first shows an engine (its "engine" property). */
static void
engine_notify_cb (CsWindow      *window,
                  GParamSpec    *pspec,
                  CsApplication *self)
{
  if (cs_window_get_engine (window) == NULL)
    return;
  g_signal_handlers_disconnect_by_func (window, engine_notify_cb, self);
  if (self->spec_lower != NULL || self->spec_upper != NULL)
    type_spec_limits (self);
  if (self->select_case > 0)
    cs_operator_view_select_case (CS_OPERATOR_VIEW (cs_window_get_operator (window)), (gsize) (self->select_case - 1));
  if (self->sweeps)
    cs_manager_view_run_sweeps (CS_MANAGER_VIEW (cs_window_get_manager (window)));
  if (self->follow)
    g_object_set (window, "following", TRUE, NULL);
  self->options_applied = TRUE;
}

static void
stop_watching_import (CsApplication *self)
{
  if (self->import_status == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->import_status, self);
  g_object_remove_weak_pointer (G_OBJECT (self->import_status), (gpointer *) &self->import_status);
  self->import_status = NULL;
}

/* --follow FILE: "Import" pressed with the preview's choices (the last column the outcome), as a user would before
 * choosing "Follow This File", from an idle: not inside the preview's own handler that finished the read. */
static gboolean
press_import_cb (gpointer user_data)
{
  CsApplication *self = user_data;
  GtkWidget *dialog = self->window != NULL ? cs_window_get_import_dialog (self->window) : NULL;

  if (dialog == NULL || cs_import_dialog_is_loading (CS_IMPORT_DIALOG (dialog)) || self->import_pressed)
    return G_SOURCE_REMOVE;
  self->import_pressed = TRUE;
  stop_watching_import (self);
  if (!cs_import_dialog_accept (CS_IMPORT_DIALOG (dialog)))
    self->options_applied = TRUE;   /* the preview shows why the file cannot be read; nothing to follow */
  return G_SOURCE_REMOVE;
}

/* The preview's status line changes when the read starts and when it ends (the preview has no signal of its own
 * for that): once it is not loading, press Import. */
static void
import_status_cb (GObject       *label,
                  GParamSpec    *pspec,
                  CsApplication *self)
{
  GtkWidget *dialog = self->window != NULL ? cs_window_get_import_dialog (self->window) : NULL;

  if (dialog != NULL && !cs_import_dialog_is_loading (CS_IMPORT_DIALOG (dialog)))
    g_idle_add_full (G_PRIORITY_DEFAULT, press_import_cb, g_object_ref (self), g_object_unref);
}

static void
import_dialog_notify_cb (CsWindow      *window,
                         GParamSpec    *pspec,
                         CsApplication *self)
{
  GtkWidget *dialog = cs_window_get_import_dialog (window);

  stop_watching_import (self);
  if (dialog == NULL || self->import_pressed || cs_window_get_engine (window) != NULL)
    return;
  self->import_status = find_named (dialog, "import-status");
  g_return_if_fail (self->import_status != NULL);
  g_object_add_weak_pointer (G_OBJECT (self->import_status), (gpointer *) &self->import_status);
  g_signal_connect (self->import_status, "notify::label", G_CALLBACK (import_status_cb), self);
  import_status_cb (G_OBJECT (self->import_status), NULL, self);
}

static CsWindow *
new_window (CsApplication *self)
{
  CsWindow *window = cs_window_new (GTK_APPLICATION (self));

  self->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->window);
  apply_startup_options (self, window);
  if (self->select_case > 0 || self->sweeps || self->spec_lower != NULL || self->spec_upper != NULL || self->follow)
    g_signal_connect (window, "notify::engine", G_CALLBACK (engine_notify_cb), self);
  if (self->follow)
    g_signal_connect (window, "notify::import-dialog", G_CALLBACK (import_dialog_notify_cb), self);
  if (self->screenshot != NULL)
    gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1160);
  if (self->screenshot != NULL)
    gtk_widget_add_tick_callback (GTK_WIDGET (window), screenshot_tick_cb, self, NULL);
  return window;
}

static void
cs_application_activate (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) cases = NULL;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  window = GTK_WINDOW (new_window (self));
  cases = cs_samples_load (self->sample != NULL ? self->sample : CS_SAMPLES_DEFAULT, &error);
  if (cases != NULL)
    cs_window_set_case_base (CS_WINDOW (window), cases);
  else
    cs_window_show_message (CS_WINDOW (window), GTK_MESSAGE_ERROR, error->message);
  gtk_window_present (window);
}

static void
cs_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CsApplication *self = CS_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
      CsWindow *window = active != NULL && CS_IS_WINDOW (active) && cs_window_get_case_base (CS_WINDOW (active)) == NULL
                         ? CS_WINDOW (active) : new_window (self);
      gtk_window_present (GTK_WINDOW (window));
      cs_window_open_file (window, files[i]);
    }
}

static int
cs_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CsApplication *self = CS_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("casescope %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "sample", "s", &self->sample);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot);
  g_variant_dict_lookup (options, "page", "s", &self->page);
  g_variant_dict_lookup (options, "dialog", "s", &self->dialog);
  g_variant_dict_lookup (options, "case", "i", &self->select_case);
  self->dark = g_variant_dict_contains (options, "dark");
  self->sweeps = g_variant_dict_contains (options, "sweeps");
  self->follow = g_variant_dict_contains (options, "follow");
  g_variant_dict_lookup (options, "spec-lower", "s", &self->spec_lower);
  g_variant_dict_lookup (options, "spec-upper", "s", &self->spec_upper);
  {
    double limits[2] = { NAN, NAN };
    const char *texts[2] = { self->spec_lower, self->spec_upper };
    const char *names[2] = { "--spec-lower", "--spec-upper" };

    for (int i = 0; i < 2; i++)
      {
        char *end = NULL;

        if (texts[i] == NULL)
          continue;
        limits[i] = g_ascii_strtod (texts[i], &end);
        if (end == texts[i] || *end != '\0' || !isfinite (limits[i]))
          {
            g_printerr (_("casescope: %s wants a number in the outcome's units (like 280.5), not “%s”\n"), names[i],
                        texts[i]);
            return 2;
          }
      }
    if (isfinite (limits[0]) && isfinite (limits[1]) && !(limits[0] < limits[1]))
      {
        g_printerr (_("casescope: --spec-lower (%s) must be below --spec-upper (%s)\n"), texts[0], texts[1]);
        return 2;
      }
  }
  if (self->sample != NULL && !g_strv_contains (cs_samples_list (), self->sample))
    {
      g_printerr (_("casescope: unknown sample “%s” (press-line, kiln or circle)\n"), self->sample);
      return 2;
    }
  if (self->page != NULL && !g_str_equal (self->page, "operator") && !g_str_equal (self->page, "manager"))
    {
      g_printerr (_("casescope: unknown page “%s” (operator or manager)\n"), self->page);
      return 2;
    }
  if (self->dialog != NULL && !g_str_equal (self->dialog, "import") && !g_str_equal (self->dialog, "export") &&
      !g_str_equal (self->dialog, "shortcuts"))
    {
      g_printerr (_("casescope: unknown dialog “%s” (import, export or shortcuts)\n"), self->dialog);
      return 2;
    }
  if (self->screenshot != NULL)
    {
      /* A screenshot run is its own instance, never forwarded to a running one. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }
  return -1;
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *authors[] = { _("The Casescope developers"), NULL };
  g_autofree char *info = g_strdup_printf (_("Casescope %s\nGTK %u.%u.%u, GLib %u.%u.%u\nSettings: %s"),
                                           PACKAGE_VERSION, gtk_get_major_version (), gtk_get_minor_version (),
                                           gtk_get_micro_version (), glib_major_version, glib_minor_version,
                                           glib_micro_version, cs_settings_get_path (cs_settings_get_default ()));

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", "Casescope",
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("See which past cases a softmax attention model used for a prediction"),
                         /* Translators: your name(s) and e-mail address(es), one a line */
                         "translator-credits", _("translator-credits"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         "system-information", info,
                         "website", "https://github.com/casescope/casescope",
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close the windows so that they save their size, then quit. */
  for (GList *l = windows; l != NULL; l = l->next)
    {
      gboolean handled = FALSE;
      g_signal_emit_by_name (l->data, "close-request", &handled);
    }
  g_application_quit (app);
}

static void
apply_dark (gboolean dark)
{
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", dark, NULL);
}

static void
dark_changed (GSimpleAction *action,
              GVariant      *value,
              gpointer       user_data)
{
  gboolean dark = g_variant_get_boolean (value);

  g_simple_action_set_state (action, value);
  apply_dark (dark);
  cs_settings_set_boolean (cs_settings_get_default (), "appearance", "dark", dark);
}

static void
cs_application_startup (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  static const GActionEntry entries[] = {
    { "about", about_action, NULL, NULL, NULL, { 0 } },
    { "quit", quit_action, NULL, NULL, NULL, { 0 } },
    { "dark", NULL, NULL, "false", dark_changed, { 0 } },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *open_accels[] = { "<Control>o", NULL };
  const char *export_accels[] = { "<Control>e", NULL };
  const char *find_accels[] = { "<Control>f", NULL };
  const char *help_accels[] = { "<Control>question", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  gboolean dark;

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.find", find_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);

  dark = self->dark || (self->screenshot == NULL &&
                        cs_settings_get_boolean (cs_settings_get_default (), "appearance", "dark", FALSE));
  g_action_change_state (g_action_map_lookup_action (G_ACTION_MAP (app), "dark"), g_variant_new_boolean (dark));

  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
cs_application_shutdown (GApplication *app)
{
  CsApplication *self = CS_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  /* Screenshot runs leave the user's settings alone. */
  if (self->screenshot == NULL && !cs_settings_save (cs_settings_get_default (), &error))
    g_message ("Could not save the settings: %s", error->message);
  G_APPLICATION_CLASS (cs_application_parent_class)->shutdown (app);
}

static void
cs_application_finalize (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_free (self->sample);
  g_free (self->screenshot);
  g_free (self->page);
  g_free (self->dialog);
  g_free (self->spec_lower);
  g_free (self->spec_upper);
  G_OBJECT_CLASS (cs_application_parent_class)->finalize (object);
}

static void
cs_application_class_init (CsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cs_application_finalize;
  app_class->activate = cs_application_activate;
  app_class->open = cs_application_open;
  app_class->startup = cs_application_startup;
  app_class->shutdown = cs_application_shutdown;
  app_class->handle_local_options = cs_application_handle_local_options;
}

static void
cs_application_init (CsApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { "sample", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Open an embedded sample: press-line, kiln or circle"),
      "NAME" },
    { "page", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Start on a page: operator or manager"), "PAGE" },
    { "case", 0, 0, G_OPTION_ARG_INT, NULL, N_("Make case N (1-based) the query"), "N" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Use the dark style"), NULL },
    { "sweeps", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Run the paper sweeps on the manager page at start"), NULL },
    { "spec-lower", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Lower spec limit of the outcome, as if typed on the operator page (kept for the file)"), "X" },
    { "spec-upper", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Upper spec limit of the outcome, as if typed on the operator page (kept for the file)"), "Y" },
    { "follow", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Follow the opened FILE (“Follow This File”) once its model is ready"), NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Render the window offscreen to a PNG, then quit"), "PATH" },
    { "dialog", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("With --screenshot: render a dialog (import FILE, export or shortcuts)"),
      "DIALOG" },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[FILE…]");
}

gboolean
cs_application_get_failed (CsApplication *self)
{
  return self->screenshot_failed;
}

CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
