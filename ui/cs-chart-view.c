/* cs-chart-view.c: a chart widget; the drawing itself is a pure Cairo function from ui/render. */
#define G_LOG_DOMAIN "cs-chart-view"

#include "config.h"

#include "cs-chart-view.h"

struct _CsChartView
{
  GtkWidget parent_instance;

  char *name;
  char *title;
  gboolean dark;
  CsChartDrawFunc draw;
  CsChartTooltipFunc tooltip;
  gpointer user_data;
  GDestroyNotify destroy;
};

G_DEFINE_FINAL_TYPE (CsChartView, cs_chart_view, GTK_TYPE_WIDGET)

static void
draw_placeholder (CsChartView *self,
                  cairo_t     *cr,
                  double       width,
                  double       height)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  int tw, th;

  pango_layout_set_text (layout, "No data for this chart", -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 1);
  cairo_move_to (cr, (width - tw) / 2, (height - th) / 2);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static void
cs_chart_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  CsChartView *self = CS_CHART_VIEW (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w < 2 || h < 2)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->draw != NULL)
    self->draw (cr, w, h, self->dark, self->user_data);
  else
    draw_placeholder (self, cr, w, h);
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
                        self->user_data);
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
  G_OBJECT_CLASS (cs_chart_view_parent_class)->dispose (object);
}

static void
cs_chart_view_finalize (GObject *object)
{
  CsChartView *self = CS_CHART_VIEW (object);

  g_free (self->name);
  g_free (self->title);
  G_OBJECT_CLASS (cs_chart_view_parent_class)->finalize (object);
}

static void
cs_chart_view_class_init (CsChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_chart_view_dispose;
  object_class->finalize = cs_chart_view_finalize;
  widget_class->snapshot = cs_chart_view_snapshot;
  widget_class->measure = cs_chart_view_measure;
  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cs_chart_view_init (CsChartView *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
cs_chart_view_new (const char *name,
                   const char *title)
{
  CsChartView *self = g_object_new (CS_TYPE_CHART_VIEW, NULL);

  self->name = g_strdup (name);
  self->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  return GTK_WIDGET (self);
}

const char *
cs_chart_view_get_name (CsChartView *self)
{
  return self->name;
}

const char *
cs_chart_view_get_title (CsChartView *self)
{
  return self->title;
}

void
cs_chart_view_set_draw_func (CsChartView       *self,
                             CsChartDrawFunc    draw,
                             CsChartTooltipFunc tooltip,
                             gpointer           user_data,
                             GDestroyNotify     destroy)
{
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  self->draw = draw;
  self->tooltip = tooltip;
  self->user_data = user_data;
  self->destroy = destroy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cs_chart_view_has_content (CsChartView *self)
{
  return self->draw != NULL;
}

void
cs_chart_view_set_dark (CsChartView *self,
                        gboolean     dark)
{
  if (self->dark == dark)
    return;
  self->dark = dark;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

cairo_surface_t *
cs_chart_view_render_surface (CsChartView *self,
                              int          width,
                              int          height,
                              double       scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  if (self->draw == NULL || width < 1 || height < 1)
    return NULL;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale), (int) (height * scale));
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  self->draw (cr, width, height, FALSE, self->user_data);
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
