/* cs-application.c: actions, command line, windows, and the offscreen screenshot path. */
#define G_LOG_DOMAIN "casescope"

#include "config.h"

#include "cs-application.h"
#include "cs-samples.h"
#include "cs-window.h"

struct _CsApplication
{
  GtkApplication parent_instance;

  char *sample;          /* --sample NAME */
  char *screenshot;      /* --screenshot PATH: render the window offscreen, then quit */
  int screenshot_frames;
};

G_DEFINE_FINAL_TYPE (CsApplication, cs_application, GTK_TYPE_APPLICATION)

static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  CsApplication *self = CS_APPLICATION (user_data);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GskRenderer *renderer;
  int w, h;

  if (++self->screenshot_frames < 4 || cs_window_is_busy (CS_WINDOW (widget)))
    return G_SOURCE_CONTINUE;

  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  if (node != NULL)
    {
      texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
      gsk_render_node_unref (node);
    }
  if (texture == NULL || !gdk_texture_save_to_png (texture, self->screenshot))
    g_printerr ("casescope: could not write the screenshot %s\n", self->screenshot);
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static CsWindow *
new_window (CsApplication *self)
{
  CsWindow *window = cs_window_new (GTK_APPLICATION (self));

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
      CsWindow *window = new_window (self);
      cs_window_open_file (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
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
  if (self->sample != NULL && !g_strv_contains (cs_samples_list (), self->sample))
    {
      g_printerr ("casescope: unknown sample “%s” (press-line, kiln or circle)\n", self->sample);
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
  const char *authors[] = { "The Casescope developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", "Casescope",
                         "logo-icon-name", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", "See which past cases a softmax attention model used for a prediction",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         "website", "https://github.com/casescope/casescope",
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
cs_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "about", about_action, NULL, NULL, NULL, { 0 } },
    { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *open_accels[] = { "<Control>o", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (cs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);

  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
cs_application_finalize (GObject *object)
{
  CsApplication *self = CS_APPLICATION (object);

  g_free (self->sample);
  g_free (self->screenshot);
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
  app_class->handle_local_options = cs_application_handle_local_options;
}

static void
cs_application_init (CsApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the version and exit", NULL },
    { "sample", 0, 0, G_OPTION_ARG_STRING, NULL, "Open an embedded sample: press-line, kiln or circle", "NAME" },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Render the window offscreen to a PNG, then quit", "PATH" },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

CsApplication *
cs_application_new (void)
{
  return g_object_new (CS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
