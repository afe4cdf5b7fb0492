/* cs-failsafe-panel.c: the fail-safe verdict of one prediction above one row per flag (kind, severity, message). */
#define G_LOG_DOMAIN "cs-failsafe-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-failsafe-panel.h"
#include "cs-ui-resources.h"

struct _CsFailsafePanel
{
  GtkBox parent_instance;

  /* Template widgets */
  GtkWidget *verdict_box;
  GtkWidget *verdict_icon;
  GtkWidget *verdict_label;
  GtkWidget *flags_box;
};

G_DEFINE_FINAL_TYPE (CsFailsafePanel, cs_failsafe_panel, GTK_TYPE_BOX)

static const char *
flag_icon (CsSeverity severity)
{
  return severity == CS_SEVERITY_STOP ? "process-stop-symbolic" : "dialog-warning-symbolic";
}

/* The severity in words for a screen reader (the icon's name). */
static const char *
severity_words (CsSeverity severity)
{
  return severity == CS_SEVERITY_STOP ? _("stop") : _("check");
}

static GtkWidget *
flag_row (const CsFlag *flag)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *image = gtk_image_new_from_icon_name (flag_icon (flag->severity));
  /* The flag's and severity's names are the engine's (the same in the CLI's JSON): shown as they are. */
  g_autofree char *title = g_strdup_printf ("%s (%s)", cs_engine_flag_name (flag->kind),
                                            cs_severity_name (flag->severity));
  GtkWidget *kind = gtk_label_new (title);
  GtkWidget *msg = gtk_label_new (flag->message);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *tip = g_strdup_printf (_("%s = %.4g, threshold %.4g"), flag->measure, flag->value,
                                          flag->threshold);
  g_autofree char *tip2 = isfinite (flag->ratio) ? g_strdup_printf (_("%s (%.2f× the usual level)"), tip,
                                                                    flag->ratio) : g_strdup (tip);

  gtk_widget_add_css_class (row, flag->severity == CS_SEVERITY_STOP ? "flag-stop" : "flag-check");
  gtk_widget_set_name (row, cs_engine_flag_name (flag->kind));
  gtk_widget_add_css_class (kind, "heading");
  gtk_label_set_xalign (GTK_LABEL (kind), 0);
  gtk_label_set_xalign (GTK_LABEL (msg), 0);
  gtk_label_set_wrap (GTK_LABEL (msg), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (msg), 50);
  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  severity_words (flag->severity), -1);
  gtk_box_append (GTK_BOX (texts), kind);
  gtk_box_append (GTK_BOX (texts), msg);
  gtk_box_append (GTK_BOX (row), image);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_widget_set_tooltip_text (row, tip2);
  return row;
}

void
cs_failsafe_panel_set_result (CsFailsafePanel     *self,
                              const CsQueryResult *r)
{
  GtkWidget *child;
  const char *icon, *text, *klass;

  g_return_if_fail (CS_IS_FAILSAFE_PANEL (self));

  while ((child = gtk_widget_get_first_child (self->flags_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->flags_box), child);
  gtk_widget_remove_css_class (self->verdict_box, "verdict-ok");
  gtk_widget_remove_css_class (self->verdict_box, "verdict-check");
  gtk_widget_remove_css_class (self->verdict_box, "verdict-stop");
  if (r == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->verdict_label), _("No prediction yet"));
      gtk_image_set_from_icon_name (GTK_IMAGE (self->verdict_icon), "content-loading-symbolic");
      return;
    }
  switch (r->report.verdict)
    {
    case CS_VERDICT_OK:
      icon = "emblem-ok-symbolic";
      text = _("OK: nothing unusual about this prediction");
      klass = "verdict-ok";
      break;
    case CS_VERDICT_CHECK:
      icon = "dialog-warning-symbolic";
      text = _("Check: look at the flags before acting on this prediction");
      klass = "verdict-check";
      break;
    case CS_VERDICT_STOP:
    default:
      icon = "process-stop-symbolic";
      text = _("Stop: do not act on this prediction");
      klass = "verdict-stop";
      break;
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (self->verdict_icon), icon);
  gtk_label_set_text (GTK_LABEL (self->verdict_label), text);
  gtk_widget_add_css_class (self->verdict_box, klass);
  for (gsize f = 0; f < r->report.n_flags; f++)
    gtk_box_append (GTK_BOX (self->flags_box), flag_row (&r->report.flags[f]));
}

static void
cs_failsafe_panel_class_init (CsFailsafePanelClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* Keep the UI resources linked in from the static library: a test may use this widget alone. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/casescope/Casescope/cs-failsafe-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CsFailsafePanel, verdict_box);
  gtk_widget_class_bind_template_child (widget_class, CsFailsafePanel, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, CsFailsafePanel, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, CsFailsafePanel, flags_box);
}

static void
cs_failsafe_panel_init (CsFailsafePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cs_failsafe_panel_new (void)
{
  return g_object_new (CS_TYPE_FAILSAFE_PANEL, NULL);
}
