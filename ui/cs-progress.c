/* cs-progress.c: one progress object for every long task; see cs-progress.h. */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-progress.h"

struct _CsProgress
{
  GObject parent_instance;

  GMainContext *context;

  /* Main-thread state, what the properties show. */
  double fraction;
  char *message;
  gboolean active;
  gint64 started;

  /* Shared with workers, under lock. */
  GMutex lock;
  double pending_fraction;
  char *pending_message;
  guint generation;
  gboolean idle_queued;
};

enum
{
  PROP_0,
  PROP_FRACTION,
  PROP_MESSAGE,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CsProgress, cs_progress, G_TYPE_OBJECT)

static void
cs_progress_finalize (GObject *object)
{
  CsProgress *self = CS_PROGRESS (object);

  g_free (self->message);
  g_free (self->pending_message);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cs_progress_parent_class)->finalize (object);
}

static void
cs_progress_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsProgress *self = CS_PROGRESS (object);

  switch (prop_id)
    {
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_progress_class_init (CsProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_progress_finalize;
  object_class->get_property = cs_progress_get_property;

  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_progress_init (CsProgress *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
}

CsProgress *
cs_progress_new (void)
{
  return g_object_new (CS_TYPE_PROGRESS, NULL);
}

static void
set_fraction (CsProgress *self,
              double      fraction)
{
  fraction = isfinite (fraction) ? CLAMP (fraction, 0, 1) : 0;
  if (fraction == self->fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
set_message (CsProgress *self,
             const char *message)
{
  if (g_strcmp0 (message, self->message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
set_active (CsProgress *self,
            gboolean    active)
{
  if (self->active == !!active)
    return;
  self->active = !!active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

void
cs_progress_begin (CsProgress *self,
                   const char *message)
{
  g_return_if_fail (CS_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  self->generation++;
  self->pending_fraction = 0;
  g_clear_pointer (&self->pending_message, g_free);
  g_mutex_unlock (&self->lock);

  self->started = g_get_monotonic_time ();
  set_fraction (self, 0);
  set_message (self, message);
  set_active (self, TRUE);
}

void
cs_progress_end (CsProgress *self)
{
  g_return_if_fail (CS_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  self->generation++;
  g_mutex_unlock (&self->lock);
  set_active (self, FALSE);
}

typedef struct
{
  CsProgress *self;
  guint generation;
} Pending;

static gboolean
apply_cb (gpointer user_data)
{
  Pending *p = user_data;
  CsProgress *self = p->self;
  double fraction;
  g_autofree char *message = NULL;
  gboolean current;

  g_mutex_lock (&self->lock);
  self->idle_queued = FALSE;
  current = p->generation == self->generation;
  fraction = self->pending_fraction;
  message = g_steal_pointer (&self->pending_message);
  g_mutex_unlock (&self->lock);

  if (current && self->active)
    {
      set_fraction (self, fraction);
      if (message != NULL)
        set_message (self, message);
    }
  return G_SOURCE_REMOVE;
}

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_object_unref (p->self);
  g_free (p);
}

void
cs_progress_report (CsProgress *self,
                    double      fraction,
                    const char *message)
{
  g_return_if_fail (CS_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  self->pending_fraction = fraction;
  if (message != NULL)
    {
      g_free (self->pending_message);
      self->pending_message = g_strdup (message);
    }
  if (!self->idle_queued)
    {
      Pending *p = g_new0 (Pending, 1);
      GSource *source = g_idle_source_new ();

      self->idle_queued = TRUE;
      p->self = g_object_ref (self);
      p->generation = self->generation;
      g_source_set_priority (source, G_PRIORITY_LOW);
      g_source_set_callback (source, apply_cb, p, pending_free);
      g_source_set_static_name (source, "[casescope] progress");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  g_mutex_unlock (&self->lock);
}

void
cs_progress_engine_cb (double      fraction,
                       const char *stage,
                       gpointer    progress)
{
  cs_progress_report (progress, fraction, stage);
}

double
cs_progress_get_fraction (CsProgress *self)
{
  g_return_val_if_fail (CS_IS_PROGRESS (self), 0);
  return self->fraction;
}

const char *
cs_progress_get_message (CsProgress *self)
{
  g_return_val_if_fail (CS_IS_PROGRESS (self), NULL);
  return self->message;
}

gboolean
cs_progress_get_active (CsProgress *self)
{
  g_return_val_if_fail (CS_IS_PROGRESS (self), FALSE);
  return self->active;
}

double
cs_progress_get_elapsed (CsProgress *self)
{
  g_return_val_if_fail (CS_IS_PROGRESS (self), 0);
  if (!self->active)
    return 0;
  return (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
}

char *
cs_progress_dup_time_text (CsProgress *self)
{
  double elapsed = cs_progress_get_elapsed (self);
  double f = self->fraction;

  /* Below 2 % or 0.3 s the rate is mostly start-up cost: an estimate would jump about. */
  if (f > 0.02 && elapsed > 0.3)
    {
      double left = elapsed * (1 - f) / f;

      return g_strdup_printf (_("%.0f %% done, about %.0f s left (%.1f s so far)"), 100 * f, ceil (left), elapsed);
    }
  return g_strdup_printf (_("%.1f s so far"), elapsed);
}

void
cs_progress_bind_bar (CsProgress     *self,
                      GtkProgressBar *bar)
{
  g_return_if_fail (CS_IS_PROGRESS (self));
  g_return_if_fail (GTK_IS_PROGRESS_BAR (bar));

  gtk_progress_bar_set_show_text (bar, TRUE);
  g_object_bind_property (self, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "message", bar, "text", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "active", bar, "visible", G_BINDING_SYNC_CREATE);
}
