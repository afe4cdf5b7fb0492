/* cs-chart-view.c: a chart widget; the drawing itself is a pure Cairo function from ui/render. */
#define G_LOG_DOMAIN "cs-chart-view"

#include "config.h"

#include <glib/gi18n.h>

#include "cs-chart-view.h"
#include "cs-charts.h"

G_DEFINE_ENUM_TYPE (CsChartKind, cs_chart_kind,
  G_DEFINE_ENUM_VALUE (CS_CHART_CASE_ATTENTION, "case-attention"),
  G_DEFINE_ENUM_VALUE (CS_CHART_FEATURE_MAP, "feature-map"),
  G_DEFINE_ENUM_VALUE (CS_CHART_ATTENTION_MATRIX, "attention-matrix"),
  G_DEFINE_ENUM_VALUE (CS_CHART_WINDOW, "window"),
  G_DEFINE_ENUM_VALUE (CS_CHART_WINDOW_SWEEP, "window-sweep"),
  G_DEFINE_ENUM_VALUE (CS_CHART_DIAGNOSTICS, "diagnostics"),
  G_DEFINE_ENUM_VALUE (CS_CHART_SOFTMAX_VS_LINEAR, "softmax-vs-linear"),
  G_DEFINE_ENUM_VALUE (CS_CHART_BACKTEST, "backtest"))

G_DEFINE_ENUM_TYPE (CsColormap, cs_colormap,
  G_DEFINE_ENUM_VALUE (CS_COLORMAP_VIRIDIS, "viridis"),
  G_DEFINE_ENUM_VALUE (CS_COLORMAP_CIVIDIS, "cividis"),
  G_DEFINE_ENUM_VALUE (CS_COLORMAP_DIVERGING, "diverging"))

/* The drawing function and its data, shared with render workers (reference-counted). */
typedef struct
{
  gint ref_count;
  CsChartDrawFunc draw;
  gpointer user_data;
  GDestroyNotify destroy;
} DrawFn;

struct _CsChartView
{
  GtkWidget parent_instance;

  CsChartKind kind;
  char *title;
  char *summary;
  CsColormap weight_map;
  int feature_x, feature_y;
  gboolean dark;
  DrawFn *fn;
  CsChartTooltipFunc tooltip;

  /* Rendering happens in a worker into an image surface; snapshot only paints it. */
  cairo_surface_t *cache;
  int cache_w, cache_h, cache_scale;
  gboolean cache_dark;
  guint generation;            /* bumped whenever the content changes */
  guint cache_generation;
  gboolean rendering;
  int pending_w, pending_h, pending_scale;
  gboolean pending_dark;
  guint pending_generation;
  GCancellable *cancellable;
};

static DrawFn *
draw_fn_ref (DrawFn *fn)
{
  g_atomic_int_inc (&fn->ref_count);
  return fn;
}

static void
draw_fn_unref (DrawFn *fn)
{
  if (fn == NULL || !g_atomic_int_dec_and_test (&fn->ref_count))
    return;
  if (fn->destroy != NULL)
    fn->destroy (fn->user_data);
  g_free (fn);
}

G_DEFINE_FINAL_TYPE (CsChartView, cs_chart_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_KIND,
  PROP_TITLE,
  PROP_SUMMARY,
  PROP_WEIGHT_MAP,
  PROP_FEATURE_X,
  PROP_FEATURE_Y,
  PROP_DARK,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
draw_placeholder (CsChartView *self,
                  cairo_t     *cr,
                  double       width,
                  double       height)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  int tw, th;

  pango_layout_set_text (layout, _("No data for this chart"), -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 1);
  cairo_move_to (cr, (width - tw) / 2, (height - th) / 2);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

typedef struct
{
  DrawFn *fn;
  int w, h, scale;
  gboolean dark;
  CsColormap weight_map;
  guint generation;
} RenderJob;

static void
render_job_free (gpointer data)
{
  RenderJob *job = data;

  draw_fn_unref (job->fn);
  g_free (job);
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, job->w * job->scale,
                                                         job->h * job->scale);
  cairo_t *cr;

  cairo_surface_set_device_scale (surface, job->scale, job->scale);
  cr = cairo_create (surface);
  job->fn->draw (cr, job->w, job->h, job->dark, job->weight_map, job->fn->user_data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_task_return_pointer (task, surface, (GDestroyNotify) cairo_surface_destroy);
}

static void request_render (CsChartView *self);

static void
render_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CsChartView *self = CS_CHART_VIEW (object);
  RenderJob *job = g_task_get_task_data (G_TASK (result));
  cairo_surface_t *surface = g_task_propagate_pointer (G_TASK (result), NULL);

  self->rendering = FALSE;
  if (surface != NULL && job->generation == self->generation)
    {
      g_clear_pointer (&self->cache, cairo_surface_destroy);
      self->cache = surface;
      self->cache_w = job->w;
      self->cache_h = job->h;
      self->cache_scale = job->scale;
      self->cache_dark = job->dark;
      self->cache_generation = job->generation;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  else if (surface != NULL)
    cairo_surface_destroy (surface);
  /* The size or content changed meanwhile: go again. */
  if (self->fn != NULL && (self->pending_generation != self->cache_generation ||
                           self->pending_w != self->cache_w || self->pending_h != self->cache_h ||
                           self->pending_scale != self->cache_scale || self->pending_dark != self->cache_dark))
    request_render (self);
}

static void
request_render (CsChartView *self)
{
  g_autoptr(GTask) task = NULL;
  RenderJob *job;

  if (self->rendering || self->fn == NULL || self->pending_w < 2 || self->pending_h < 2)
    return;
  job = g_new0 (RenderJob, 1);
  job->fn = draw_fn_ref (self->fn);
  job->w = self->pending_w;
  job->h = self->pending_h;
  job->scale = self->pending_scale;
  job->dark = self->pending_dark;
  job->weight_map = self->weight_map;
  job->generation = self->pending_generation;
  self->rendering = TRUE;
  task = g_task_new (self, self->cancellable, render_done_cb, NULL);
  g_task_set_task_data (task, job, render_job_free);
  g_task_run_in_thread (task, render_thread);
}

static void
cs_chart_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CsChartView *self = CS_CHART_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  cairo_t *cr;

  if (w < 2 || h < 2)
    return;
  if (self->fn != NULL &&
      (self->cache == NULL || self->cache_generation != self->generation || self->cache_w != w ||
       self->cache_h != h || self->cache_scale != scale || self->cache_dark != self->dark))
    {
      self->pending_w = w;
      self->pending_h = h;
      self->pending_scale = scale;
      self->pending_dark = self->dark;
      self->pending_generation = self->generation;
      request_render (self);
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->fn == NULL)
    draw_placeholder (self, cr, w, h);
  else if (self->cache != NULL)
    {
      /* The latest picture, stretched while a new one is drawn at this size. */
      cairo_scale (cr, (double) w / self->cache_w, (double) h / self->cache_h);
      cairo_set_source_surface (cr, self->cache, 0, 0);
      cairo_paint (cr);
    }
  cairo_destroy (cr);

  if (gtk_widget_has_visible_focus (widget))
    {
      GdkRGBA focus = { 0.21, 0.52, 0.89, 0.8 };
      float widths[4] = { 2, 2, 2, 2 };
      GdkRGBA colors[4] = { focus, focus, focus, focus };
      GskRoundedRect outline;

      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, w - 2, h - 2), 4);
      gtk_snapshot_append_border (snapshot, &outline, widths, colors);
    }
}

gboolean
cs_chart_view_is_rendering (CsChartView *self)
{
  if (self->fn == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  return self->rendering || self->cache == NULL || self->cache_generation != self->generation;
}

static void
cs_chart_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 260;
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  CsChartView *self = CS_CHART_VIEW (widget);
  g_autofree char *text = NULL;

  if (self->tooltip == NULL || keyboard)
    return FALSE;
  text = self->tooltip (x, y, gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                        self->fn != NULL ? self->fn->user_data : NULL);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            CsChartView     *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
cs_chart_view_dispose (GObject *object)
{
  CsChartView *self = CS_CHART_VIEW (object);

  cs_chart_view_set_draw_func (self, NULL, NULL, NULL, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  G_OBJECT_CLASS (cs_chart_view_parent_class)->dispose (object);
}

static void
cs_chart_view_finalize (GObject *object)
{
  CsChartView *self = CS_CHART_VIEW (object);

  g_free (self->title);
  g_free (self->summary);
  G_OBJECT_CLASS (cs_chart_view_parent_class)->finalize (object);
}

static void
cs_chart_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsChartView *self = CS_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_SUMMARY: g_value_set_string (value, self->summary); break;
    case PROP_WEIGHT_MAP: g_value_set_enum (value, self->weight_map); break;
    case PROP_FEATURE_X: g_value_set_int (value, self->feature_x); break;
    case PROP_FEATURE_Y: g_value_set_int (value, self->feature_y); break;
    case PROP_DARK: g_value_set_boolean (value, self->dark); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_title (CsChartView *self,
           const char  *title)
{
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : "", -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

static void
cs_chart_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsChartView *self = CS_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_KIND: self->kind = g_value_get_enum (value); break;
    case PROP_TITLE: set_title (self, g_value_get_string (value)); break;
    case PROP_SUMMARY: cs_chart_view_set_summary (self, g_value_get_string (value)); break;
    case PROP_WEIGHT_MAP: cs_chart_view_set_weight_map (self, g_value_get_enum (value)); break;
    case PROP_FEATURE_X: cs_chart_view_set_features (self, g_value_get_int (value), self->feature_y); break;
    case PROP_FEATURE_Y: cs_chart_view_set_features (self, self->feature_x, g_value_get_int (value)); break;
    case PROP_DARK: cs_chart_view_set_dark (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_chart_view_class_init (CsChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_chart_view_dispose;
  object_class->finalize = cs_chart_view_finalize;
  object_class->get_property = cs_chart_view_get_property;
  object_class->set_property = cs_chart_view_set_property;
  widget_class->snapshot = cs_chart_view_snapshot;
  widget_class->measure = cs_chart_view_measure;
  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);

  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, CS_TYPE_CHART_KIND, CS_CHART_CASE_ATTENTION,
                                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, G_PARAM_READWRITE |
                                                  G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WEIGHT_MAP] = g_param_spec_enum ("weight-map", NULL, NULL, CS_TYPE_COLORMAP, CS_COLORMAP_VIRIDIS,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_FEATURE_X] = g_param_spec_int ("feature-x", NULL, NULL, -1, G_MAXINT, -1, G_PARAM_READWRITE |
                                                 G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEATURE_Y] = g_param_spec_int ("feature-y", NULL, NULL, -1, G_MAXINT, -1, G_PARAM_READWRITE |
                                                 G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DARK] = g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_chart_view_init (CsChartView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->cancellable = g_cancellable_new ();
  self->feature_x = self->feature_y = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
cs_chart_view_new_for_kind (CsChartKind  kind,
                            const char  *title)
{
  return g_object_new (CS_TYPE_CHART_VIEW, "kind", kind, "title", title, NULL);
}

CsChartKind
cs_chart_view_get_kind (CsChartView *self)
{
  return self->kind;
}

const char *
cs_chart_view_get_name (CsChartView *self)
{
  return cs_chart_kind_name (self->kind);
}

const char *
cs_chart_view_get_title (CsChartView *self)
{
  return self->title;
}

const char *
cs_chart_view_get_summary (CsChartView *self)
{
  return self->summary;
}

/* The summary is what a screen reader says about the picture (its accessible description). */
void
cs_chart_view_set_summary (CsChartView *self,
                           const char  *summary)
{
  if (g_strcmp0 (self->summary, summary) == 0)
    return;
  g_free (self->summary);
  self->summary = g_strdup (summary);
  if (summary != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

CsColormap
cs_chart_view_get_weight_map (CsChartView *self)
{
  return self->weight_map;
}

void
cs_chart_view_set_weight_map (CsChartView *self,
                              CsColormap   map)
{
  if (self->weight_map == map)
    return;
  self->weight_map = map;
  cs_chart_view_invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEIGHT_MAP]);
}

void
cs_chart_view_set_features (CsChartView *self,
                            int          feature_x,
                            int          feature_y)
{
  feature_x = MAX (feature_x, -1);
  feature_y = MAX (feature_y, -1);
  if (self->feature_x != feature_x)
    {
      self->feature_x = feature_x;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEATURE_X]);
    }
  if (self->feature_y != feature_y)
    {
      self->feature_y = feature_y;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEATURE_Y]);
    }
}

void
cs_chart_view_get_features (CsChartView *self,
                            int         *feature_x,
                            int         *feature_y)
{
  if (feature_x != NULL)
    *feature_x = self->feature_x;
  if (feature_y != NULL)
    *feature_y = self->feature_y;
}

gpointer
cs_chart_view_get_draw_data (CsChartView     *self,
                             CsChartDrawFunc  draw)
{
  return self->fn != NULL && self->fn->draw == draw ? self->fn->user_data : NULL;
}

void
cs_chart_view_set_draw_func (CsChartView       *self,
                             CsChartDrawFunc    draw,
                             CsChartTooltipFunc tooltip,
                             gpointer           user_data,
                             GDestroyNotify     destroy)
{
  g_clear_pointer (&self->fn, draw_fn_unref);
  if (draw != NULL)
    {
      self->fn = g_new0 (DrawFn, 1);
      self->fn->ref_count = 1;
      self->fn->draw = draw;
      self->fn->user_data = user_data;
      self->fn->destroy = destroy;
    }
  else if (destroy != NULL)
    destroy (user_data);
  self->tooltip = draw != NULL ? tooltip : NULL;
  self->generation++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cs_chart_view_invalidate (CsChartView *self)
{
  self->generation++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cs_chart_view_has_content (CsChartView *self)
{
  return self->fn != NULL;
}

gboolean
cs_chart_view_get_dark (CsChartView *self)
{
  return self->dark;
}

void
cs_chart_view_set_dark (CsChartView *self,
                        gboolean     dark)
{
  dark = !!dark;
  if (self->dark == dark)
    return;
  self->dark = dark;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
}

cairo_surface_t *
cs_chart_view_render_surface (CsChartView *self,
                              int          width,
                              int          height,
                              double       scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  if (self->fn == NULL || width < 1 || height < 1)
    return NULL;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale), (int) (height * scale));
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  self->fn->draw (cr, width, height, FALSE, self->weight_map, self->fn->user_data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

gboolean
cs_chart_view_copy (CsChartView *self,
                    int          width,
                    int          height)
{
  cairo_surface_t *surface = cs_chart_view_render_surface (self, width, height, 1.0);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w, h, stride;

  if (surface == NULL)
    return FALSE;
  w = cairo_image_surface_get_width (surface);
  h = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * (gsize) h);
  texture = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, (gsize) stride);
  cairo_surface_destroy (surface);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  return TRUE;
}
