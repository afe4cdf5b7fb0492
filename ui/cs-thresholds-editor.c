/* cs-thresholds-editor.c: the fail-safe thresholds editor: a check and a stop level for each rule, saved in the
 * settings and handed to whoever re-evaluates the flags through the "apply" signal. */
#define G_LOG_DOMAIN "cs-thresholds-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-ui-resources.h"
#include "cs-settings.h"
#include "cs-thresholds-editor.h"

/* One row per rule; threshold k = 2 * row + level (the order of cs_engine_threshold_name). */
enum { LEVEL_CHECK, LEVEL_STOP, N_LEVELS };
#define N_RULES (CS_FLAG_N_THRESHOLDS / N_LEVELS)

static const char *const rule_names[N_RULES] = {
  N_("Noise (× usual noise)"),
  N_("Variation (× typical slope)"),
  N_("Effective cases n_eff (below)"),
  N_("Nearest case (× typical distance)"),
  N_("Outside the range (fraction of it)"),
};

struct _CsThresholdsEditor
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *box;
  GtkWidget *grid;
  GtkWidget *apply_button;
  GtkWidget *defaults_button;
  GtkWidget *status_label;

  GtkWidget *spins[CS_FLAG_N_THRESHOLDS];
  gboolean has_thresholds;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (CsThresholdsEditor, cs_thresholds_editor, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_APPLY, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_sensitivity (CsThresholdsEditor *self)
{
  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    gtk_widget_set_sensitive (self->spins[k], self->has_thresholds);
  gtk_widget_set_sensitive (self->apply_button, self->has_thresholds && !self->busy);
  gtk_widget_set_sensitive (self->defaults_button, self->has_thresholds && !self->busy);
}

static void
show_status (CsThresholdsEditor *self,
             const char         *text)
{
  gtk_label_set_text (GTK_LABEL (self->status_label), text != NULL ? text : "");
  gtk_widget_set_visible (self->status_label, text != NULL);
}

void
cs_thresholds_editor_set_thresholds (CsThresholdsEditor     *self,
                                     const CsFlagThresholds *t)
{
  g_return_if_fail (CS_IS_THRESHOLDS_EDITOR (self));

  self->has_thresholds = t != NULL;
  for (gsize k = 0; t != NULL && k < CS_FLAG_N_THRESHOLDS; k++)
    {
      double v = cs_engine_thresholds_get (t, cs_engine_threshold_name (k));
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->spins[k]), isfinite (v) ? v : 0);
    }
  update_sensitivity (self);
}

void
cs_thresholds_editor_get_thresholds (CsThresholdsEditor *self,
                                     CsFlagThresholds   *t)
{
  g_return_if_fail (CS_IS_THRESHOLDS_EDITOR (self));

  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    cs_engine_thresholds_set (t, cs_engine_threshold_name (k),
                              gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->spins[k])));
}

void
cs_thresholds_editor_set_busy (CsThresholdsEditor *self,
                               gboolean            busy)
{
  g_return_if_fail (CS_IS_THRESHOLDS_EDITOR (self));

  busy = !!busy;
  if (self->busy == busy)
    return;
  self->busy = busy;
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
cs_thresholds_editor_get_busy (CsThresholdsEditor *self)
{
  g_return_val_if_fail (CS_IS_THRESHOLDS_EDITOR (self), FALSE);
  return self->busy;
}

static void
apply_clicked_cb (GtkButton          *button,
                  CsThresholdsEditor *self)
{
  CsFlagThresholds t;
  CsSettings *s = cs_settings_get_default ();

  cs_thresholds_editor_get_thresholds (self, &t);
  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    cs_settings_set_double (s, "thresholds", cs_settings_threshold_key (k),
                            gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->spins[k])));
  if (cs_engine_thresholds_validate (&t) != 0)
    {
      show_status (self, _("These thresholds do not fit together: each stop level must be beyond its check level."));
      return;
    }
  show_status (self, NULL);
  g_signal_emit (self, signals[SIGNAL_APPLY], 0, &t);
}

static void
defaults_clicked_cb (GtkButton          *button,
                     CsThresholdsEditor *self)
{
  CsFlagThresholds t;
  CsSettings *s = cs_settings_get_default ();

  for (gsize k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
    {
      cs_engine_thresholds_set (&t, cs_engine_threshold_name (k), NAN);
      cs_settings_set_string (s, "thresholds", cs_settings_threshold_key (k), NULL);
    }
  show_status (self, NULL);
  g_signal_emit (self, signals[SIGNAL_APPLY], 0, &t);
}

static void
cs_thresholds_editor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, CS_THRESHOLDS_EDITOR (object)->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_thresholds_editor_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_BUSY:
      cs_thresholds_editor_set_busy (CS_THRESHOLDS_EDITOR (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_thresholds_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CS_TYPE_THRESHOLDS_EDITOR);
  G_OBJECT_CLASS (cs_thresholds_editor_parent_class)->dispose (object);
}

static void
cs_thresholds_editor_class_init (CsThresholdsEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_thresholds_editor_dispose;
  object_class->get_property = cs_thresholds_editor_get_property;
  object_class->set_property = cs_thresholds_editor_set_property;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-thresholds-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CsThresholdsEditor, box);
  gtk_widget_class_bind_template_child (widget_class, CsThresholdsEditor, grid);
  gtk_widget_class_bind_template_child (widget_class, CsThresholdsEditor, apply_button);
  gtk_widget_class_bind_template_child (widget_class, CsThresholdsEditor, defaults_button);
  gtk_widget_class_bind_template_child (widget_class, CsThresholdsEditor, status_label);
  gtk_widget_class_bind_template_callback (widget_class, apply_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, defaults_clicked_cb);
}

static void
cs_thresholds_editor_init (CsThresholdsEditor *self)
{
  static const char *const level_names[N_LEVELS] = { N_("check"), N_("stop") };

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The ten spin buttons from the rule table: each named by its settings key, labelled by rule and level. */
  for (int r = 0; r < N_RULES; r++)
    {
      GtkWidget *label = gtk_label_new (_(rule_names[r]));

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (GTK_GRID (self->grid), label, 0, r + 1, 1, 1);
      for (int c = 0; c < N_LEVELS; c++)
        {
          gsize k = (gsize) (N_LEVELS * r + c);
          GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000, 0.05);
          /* TRANSLATORS: a rule's name and "check" or "stop", for a screen reader. */
          g_autofree char *access = g_strdup_printf (_("%s, %s level"), _(rule_names[r]), _(level_names[c]));

          gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 2);
          gtk_widget_set_name (spin, cs_settings_threshold_key (k));
          gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
          gtk_widget_set_tooltip_text (spin, access);
          gtk_grid_attach (GTK_GRID (self->grid), spin, c + 1, r + 1, 1, 1);
          self->spins[k] = spin;
        }
    }
  update_sensitivity (self);
}

GtkWidget *
cs_thresholds_editor_new (void)
{
  return g_object_new (CS_TYPE_THRESHOLDS_EDITOR, NULL);
}
