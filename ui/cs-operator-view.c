/* cs-operator-view.c: the operator page (table, live query editor, prediction, cases used, fail-safe, charts). */
#define G_LOG_DOMAIN "cs-operator-view"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"
#include "cs-chart-view.h"
#include "cs-chart-data.h"
#include "cs-operator-view.h"
#include "cs-set-aside.h"
#include "cs-settings.h"
#include "cs-widgets.h"

#define DEBOUNCE_MS 120

struct _CsOperatorView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *paned;
  GtkWidget *table;             /* CsCaseTable */
  GtkWidget *query_source;
  GtkWidget *query_grid;
  GtkWidget *reset_button;
  GtkWidget *prediction_label;
  GtkWidget *stderr_label;
  GtkWidget *spec_lower_entry;
  GtkWidget *spec_upper_entry;
  GtkWidget *spec_label;        /* "in spec, 97 %": beside the card, never over the fail-safe verdict */
  GtkWidget *neff_label;
  GtkWidget *window_label;
  GtkWidget *sum_label;
  GtkWidget *verdict_box;
  GtkWidget *verdict_icon;
  GtkWidget *verdict_label;
  GtkWidget *flags_box;
  GtkWidget *used_list;
  GtkWidget *decomposition_label;
  GtkWidget *notebook;
  GtkWidget *plane_a;
  GtkWidget *plane_b;
  GPtrArray *charts;            /* CsChartView* (borrowed from the notebook) */
  GPtrArray *spins;             /* GtkSpinButton*, one per feature */

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  CsQueryResult *result;
  GCancellable *cancellable;
  double *query;
  gssize exclude;
  gboolean edited;
  guint debounce_id;
  guint serial;
  guint shown_serial;
  guint top_k;
  gboolean dark;
  gboolean updating_spins;
  CsIntervalSpec spec;          /* the interval's level and this case base's spec limits (settings per file) */
};

G_DEFINE_FINAL_TYPE (CsOperatorView, cs_operator_view, GTK_TYPE_WIDGET)

enum { SIGNAL_OPEN_CASE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void run_query (CsOperatorView *self);

/* ---- Case table (CsCaseTable) -------------------------------------------------- */

static void
make_query_case (CsOperatorView *self,
                  gsize           i)
{
  CsCaseBase *cases = self->cases;
  g_autofree char *text = NULL;

  memcpy (self->query, cases->x + i * cases->d, sizeof (double) * cases->d);
  self->exclude = (gssize) i;
  self->edited = FALSE;
  if (cases->ids != NULL)
    text = g_strdup_printf ("Case %s (line %u), leave-one-out: it does not see itself", cases->ids[i],
                            cases->line[i]);
  else
    text = g_strdup_printf ("Case on line %u, leave-one-out: it does not see itself", cases->line[i]);
  gtk_label_set_text (GTK_LABEL (self->query_source), text);
  self->updating_spins = TRUE;
  for (guint j = 0; j < self->spins->len; j++)
    gtk_spin_button_set_value (g_ptr_array_index (self->spins, j), self->query[j]);
  self->updating_spins = FALSE;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  run_query (self);
}

/* The user chose a case in the table: it becomes the query (unless it already is, unedited). */
static void
table_case_selected_cb (CsCaseTable    *table,
                        guint           i,
                        CsOperatorView *self)
{
  if (self->exclude == (gssize) i && !self->edited)
    return;
  make_query_case (self, i);
}

gboolean
cs_operator_view_is_sorting (CsOperatorView *self)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), FALSE);
  return cs_case_table_is_sorting (CS_CASE_TABLE (self->table));
}

gboolean
cs_operator_view_is_spec_pending (CsOperatorView *self)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), FALSE);
  return cs_case_table_is_spec_pending (CS_CASE_TABLE (self->table));
}

double
cs_operator_view_get_case_p_in_spec (CsOperatorView *self,
                                     gsize           index)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), NAN);
  return cs_case_table_get_case_p_in_spec (CS_CASE_TABLE (self->table), index);
}

/* ---- Query editor ------------------------------------------------------------ */

static void
schedule_query (CsOperatorView *self);

static gboolean
debounce_cb (gpointer user_data)
{
  CsOperatorView *self = user_data;

  self->debounce_id = 0;
  run_query (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_query (CsOperatorView *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_cb, self);
}

static void
mark_edited (CsOperatorView *self)
{
  g_autofree char *text = NULL;

  if (self->edited)
    return;
  self->edited = TRUE;
  if (self->exclude >= 0 && self->cases->ids != NULL)
    text = g_strdup_printf ("What if: case %s with edited values (still leaving it out)",
                            self->cases->ids[self->exclude]);
  else if (self->exclude >= 0)
    text = g_strdup_printf ("What if: the case on line %u with edited values", self->cases->line[self->exclude]);
  else
    text = g_strdup ("A new case typed in");
  gtk_label_set_text (GTK_LABEL (self->query_source), text);
}

/* Live: every keystroke that forms a number updates the query (debounced), without reformatting the entry. */
static void
spin_text_changed_cb (GtkEditable    *editable,
                      CsOperatorView *self)
{
  guint j = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (editable), "feature"));
  const char *text = gtk_editable_get_text (editable);
  char *end = NULL;
  double v;

  if (self->updating_spins || self->query == NULL || text == NULL)
    return;
  if (*text == '\0')
    {
      /* An empty entry is a missing value (a sensor down): predicted from the other features, flagged. */
      if (!isnan (self->query[j]))
        {
          self->query[j] = NAN;
          mark_edited (self);
          schedule_query (self);
        }
      return;
    }
  v = g_ascii_strtod (text, &end);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (end == text || (end != NULL && *end != '\0') || !isfinite (v) || v == self->query[j])
    return;
  self->query[j] = v;
  mark_edited (self);
  schedule_query (self);
}

/* A missing value stays an empty entry when the spin button formats or reads its text. */
static gboolean
spin_output_cb (GtkSpinButton  *spin,
                CsOperatorView *self)
{
  guint j = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "feature"));

  if (self->query == NULL || !isnan (self->query[j]))
    return FALSE;
  if (*gtk_editable_get_text (GTK_EDITABLE (spin)) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (spin), "");
  return TRUE;
}

static int
spin_input_cb (GtkSpinButton  *spin,
               double         *new_value,
               CsOperatorView *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (spin)) != '\0')
    return FALSE;
  *new_value = gtk_spin_button_get_value (spin);
  return TRUE;
}

static void
spin_value_changed_cb (GtkSpinButton  *spin,
                       CsOperatorView *self)
{
  guint j = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "feature"));
  double v = gtk_spin_button_get_value (spin);

  if (self->updating_spins || self->query == NULL || v == self->query[j])
    return;
  self->query[j] = v;
  mark_edited (self);
  schedule_query (self);
}

static int
digits_for (double span)
{
  if (!(span > 0))
    return 3;
  return CLAMP (3 - (int) floor (log10 (span)), 0, 6);
}

static void
rebuild_editor (CsOperatorView *self)
{
  GtkGrid *grid = GTK_GRID (self->query_grid);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->query_grid)) != NULL)
    gtk_grid_remove (grid, child);
  g_ptr_array_set_size (self->spins, 0);
  if (self->cases == NULL)
    return;

  for (gsize j = 0; j < self->cases->d; j++)
    {
      CsCaseBase *c = self->cases;
      double span = c->max[j] - c->min[j];
      double pad = span > 0 ? span : MAX (fabs (c->max[j]), 1.0);
      /* Far beyond the observed range is allowed (what-if, extrapolation: the fail-safe flags it). */
      GtkAdjustment *adj = gtk_adjustment_new (c->mean[j], c->min[j] - 10 * pad, c->max[j] + 10 * pad,
                                               pad / 100.0, pad / 10.0, 0);
      GtkWidget *name = gtk_label_new (c->feature_names[j]);
      GtkWidget *spin = gtk_spin_button_new (adj, 1.0, (guint) digits_for (span));
      GtkWidget *unit = gtk_label_new (c->feature_units[j]);
      g_autofree char *lo = cs_format_number (c->min[j]);
      g_autofree char *hi = cs_format_number (c->max[j]);
      g_autofree char *range_text = g_strdup_printf ("seen %s – %s", lo, hi);
      GtkWidget *range = gtk_label_new (range_text);
      g_autofree char *tip = g_strdup_printf ("%s in %s; the case base holds values from %s to %s",
                                              c->feature_names[j],
                                              *c->feature_units[j] ? c->feature_units[j] : "its own units",
                                              lo, hi);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (unit), 0);
      gtk_label_set_xalign (GTK_LABEL (range), 0);
      gtk_widget_add_css_class (range, "dim-label");
      gtk_widget_add_css_class (range, "caption");
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), FALSE);
      gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
      gtk_widget_set_tooltip_text (spin, tip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      c->feature_names[j], -1);
      gtk_widget_set_hexpand (spin, TRUE);
      g_object_set_data (G_OBJECT (spin), "feature", GUINT_TO_POINTER ((guint) j));
      {
        g_autofree char *wname = g_strdup_printf ("query-%s", c->feature_names[j]);
        gtk_widget_set_name (spin, wname);
      }
      g_signal_connect (spin, "value-changed", G_CALLBACK (spin_value_changed_cb), self);
      g_signal_connect (spin, "changed", G_CALLBACK (spin_text_changed_cb), self);
      g_signal_connect (spin, "output", G_CALLBACK (spin_output_cb), self);
      g_signal_connect (spin, "input", G_CALLBACK (spin_input_cb), self);
      gtk_grid_attach (grid, name, 0, (int) j, 1, 1);
      gtk_grid_attach (grid, spin, 1, (int) j, 1, 1);
      gtk_grid_attach (grid, unit, 2, (int) j, 1, 1);
      gtk_grid_attach (grid, range, 3, (int) j, 1, 1);
      g_ptr_array_add (self->spins, spin);
    }
}

static void
reset_clicked_cb (GtkButton      *button,
                  CsOperatorView *self)
{
  gssize i = self->exclude;

  if (self->cases == NULL)
    return;
  if (i >= 0)
    {
      self->exclude = -1;
      self->edited = FALSE;
      cs_operator_view_select_case (self, (gsize) i);
    }
}

/* ---- Results ------------------------------------------------------------------ */

static char *
with_unit (double      v,
           const char *unit)
{
  g_autofree char *num = cs_format_number (v);

  return unit != NULL && *unit ? g_strdup_printf ("%s %s", num, unit) : g_strdup (num);
}

static char *
differences_text (CsOperatorView *self,
                  gsize           i)
{
  CsCaseBase *c = self->cases;
  GString *s = g_string_new (NULL);
  g_autofree double *score = g_new (double, c->d);
  guint shown = 0;

  for (gsize j = 0; j < c->d; j++)
    score[j] = fabs (c->x[i * c->d + j] - self->result->query[j]) / (c->sd[j] > 0 ? c->sd[j] : 1.0);
  /* The two largest differences in standardised units, in original units. */
  while (shown < 2)
    {
      gssize best = -1;
      for (gsize j = 0; j < c->d; j++)
        if (score[j] >= 0 && (best < 0 || score[j] > score[best]))
          best = (gssize) j;
      if (best < 0 || score[best] < 0.05)
        break;
      {
        double diff = c->x[i * c->d + best] - self->result->query[best];
        g_autofree char *v = cs_format_short (diff);
        if (shown > 0)
          g_string_append (s, ", ");
        g_string_append_printf (s, "%s %s%s%s%s", c->feature_names[best], diff > 0 ? "+" : "", v,
                                *c->feature_units[best] ? " " : "", c->feature_units[best]);
      }
      score[best] = -1;
      shown++;
    }
  if (shown == 0)
    g_string_append (s, "within 0.05 sd of the query in every feature");
  return g_string_free (s, FALSE);
}

static void
update_used (CsOperatorView *self)
{
  GtkListBox *list = GTK_LIST_BOX (self->used_list);
  const CsQueryResult *r = self->result;
  CsCaseBase *c = self->cases;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->used_list)) != NULL)
    gtk_list_box_remove (list, child);
  if (r == NULL || !r->valid)
    {
      gtk_label_set_text (GTK_LABEL (self->decomposition_label), "");
      return;
    }
  for (guint t = 0; t < r->k; t++)
    {
      const CsUsedCase *u = &r->top[t];
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *name = c->ids != NULL ? g_strdup_printf ("%s", c->ids[u->index])
                                             : g_strdup_printf ("line %u", c->line[u->index]);
      g_autofree char *weight = g_strdup_printf ("w = %.4f", u->weight);
      g_autofree char *y = with_unit (u->y, c->target_unit);
      g_autofree char *diff = differences_text (self, u->index);
      g_autofree char *tip = g_strdup_printf ("Line %u of %s. Weight %.6f, distance %.3f (standardised), "
                                              "contributes w·y = %.6g. Double-click to open it in the table.",
                                              c->line[u->index], c->source, u->weight, u->distance,
                                              u->weight * u->y);
      GtkWidget *l_name = gtk_label_new (name);
      GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
      GtkWidget *l_weight = gtk_label_new (weight);
      GtkWidget *l_y = gtk_label_new (y);
      GtkWidget *l_sim = gtk_label_new (cs_similarity_words (u->distance, r->prediction.radius90));
      GtkWidget *l_diff = gtk_label_new (diff);

      gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), CLAMP (u->weight, 0, 1));
      gtk_widget_set_size_request (bar, 60, -1);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, "Weight", -1);
      gtk_label_set_width_chars (GTK_LABEL (l_name), 9);
      gtk_label_set_xalign (GTK_LABEL (l_name), 0);
      gtk_label_set_width_chars (GTK_LABEL (l_weight), 10);
      gtk_widget_add_css_class (l_weight, "numeric");
      gtk_label_set_width_chars (GTK_LABEL (l_y), 12);
      gtk_label_set_xalign (GTK_LABEL (l_y), 1);
      gtk_widget_add_css_class (l_y, "numeric");
      gtk_label_set_width_chars (GTK_LABEL (l_sim), 15);
      gtk_label_set_xalign (GTK_LABEL (l_sim), 0);
      gtk_label_set_xalign (GTK_LABEL (l_diff), 0);
      gtk_label_set_ellipsize (GTK_LABEL (l_diff), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (l_diff, TRUE);
      gtk_widget_add_css_class (l_diff, "dim-label");
      gtk_box_append (GTK_BOX (row), l_name);
      gtk_box_append (GTK_BOX (row), bar);
      gtk_box_append (GTK_BOX (row), l_weight);
      gtk_box_append (GTK_BOX (row), l_y);
      gtk_box_append (GTK_BOX (row), l_sim);
      gtk_box_append (GTK_BOX (row), l_diff);
      gtk_widget_set_tooltip_text (row, tip);
      gtk_list_box_append (list, row);
      g_object_set_data (G_OBJECT (gtk_widget_get_parent (row)), "case-index", GSIZE_TO_POINTER (u->index + 1));
    }
  {
    g_autofree char *top = cs_format_number (r->top_sum);
    g_autofree char *rest = cs_format_number (r->rest_sum);
    g_autofree char *total = with_unit (r->exact_sum, c->target_unit);
    g_autofree char *text = g_strdup_printf (
      "ŷ = Σ wᵢ yᵢ = %s (these %u cases, weight %.4f) + %s (the other %zu cases, weight %.4f) = %s",
      top, r->k, r->top_weight, rest, c->n - r->k - (r->exclude >= 0 ? 1 : 0), r->rest_weight, total);
    gtk_label_set_text (GTK_LABEL (self->decomposition_label), text);
  }
}

static const char *
flag_icon (CsSeverity severity)
{
  return severity == CS_SEVERITY_STOP ? "process-stop-symbolic" : "dialog-warning-symbolic";
}

static void
update_failsafe (CsOperatorView *self)
{
  const CsQueryResult *r = self->result;
  GtkWidget *child;
  const char *icon, *text, *klass;

  while ((child = gtk_widget_get_first_child (self->flags_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->flags_box), child);
  gtk_widget_remove_css_class (self->verdict_box, "verdict-ok");
  gtk_widget_remove_css_class (self->verdict_box, "verdict-check");
  gtk_widget_remove_css_class (self->verdict_box, "verdict-stop");
  if (r == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->verdict_label), "No prediction yet");
      gtk_image_set_from_icon_name (GTK_IMAGE (self->verdict_icon), "content-loading-symbolic");
      return;
    }
  switch (r->report.verdict)
    {
    case CS_VERDICT_OK:
      icon = "emblem-ok-symbolic";
      text = "OK: nothing unusual about this prediction";
      klass = "verdict-ok";
      break;
    case CS_VERDICT_CHECK:
      icon = "dialog-warning-symbolic";
      text = "Check: look at the flags before acting on this prediction";
      klass = "verdict-check";
      break;
    case CS_VERDICT_STOP:
    default:
      icon = "process-stop-symbolic";
      text = "Stop: do not act on this prediction";
      klass = "verdict-stop";
      break;
    }
  gtk_image_set_from_icon_name (GTK_IMAGE (self->verdict_icon), icon);
  gtk_label_set_text (GTK_LABEL (self->verdict_label), text);
  gtk_widget_add_css_class (self->verdict_box, klass);
  for (gsize f = 0; f < r->report.n_flags; f++)
    {
      const CsFlag *flag = &r->report.flags[f];
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *image = gtk_image_new_from_icon_name (flag_icon (flag->severity));
      g_autofree char *title = g_strdup_printf ("%s (%s)", cs_engine_flag_name (flag->kind),
                                                cs_severity_name (flag->severity));
      GtkWidget *kind = gtk_label_new (title);
      GtkWidget *msg = gtk_label_new (flag->message);
      GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      g_autofree char *tip = g_strdup_printf ("%s = %.4g, threshold %.4g%s", flag->measure, flag->value,
                                              flag->threshold, isfinite (flag->ratio) ? "" : "");
      g_autofree char *tip2 = isfinite (flag->ratio) ? g_strdup_printf ("%s (%.2f× the usual level)", tip,
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
                                      cs_severity_name (flag->severity), -1);
      gtk_box_append (GTK_BOX (texts), kind);
      gtk_box_append (GTK_BOX (texts), msg);
      gtk_box_append (GTK_BOX (row), image);
      gtk_box_append (GTK_BOX (row), texts);
      gtk_widget_set_tooltip_text (row, tip2);
      gtk_box_append (GTK_BOX (self->flags_box), row);
    }
}

static void
update_card (CsOperatorView *self)
{
  const CsQueryResult *r = self->result;
  CsCaseBase *c = self->cases;

  if (r == NULL || c == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->prediction_label), "—");
      gtk_label_set_text (GTK_LABEL (self->stderr_label), "");
      gtk_label_set_text (GTK_LABEL (self->spec_label), "");
      gtk_label_set_text (GTK_LABEL (self->neff_label), "");
      gtk_label_set_text (GTK_LABEL (self->window_label), "");
      gtk_label_set_text (GTK_LABEL (self->sum_label), "");
      return;
    }
  if (!r->valid)
    {
      gtk_label_set_text (GTK_LABEL (self->prediction_label), "No prediction");
      gtk_label_set_text (GTK_LABEL (self->stderr_label), cs_engine_failure_reason (r->report.failure));
      gtk_label_set_text (GTK_LABEL (self->spec_label), "");
      gtk_label_set_text (GTK_LABEL (self->neff_label), "");
      gtk_label_set_text (GTK_LABEL (self->window_label), "");
      gtk_label_set_text (GTK_LABEL (self->sum_label), "");
      return;
    }
  {
    g_autofree char *pred = with_unit (r->prediction.prediction, c->target_unit);
    g_autofree char *se = with_unit (r->prediction.std_error, c->target_unit);
    g_autofree char *pred_text = g_strdup_printf ("%s %s", c->target_name, pred);
    g_autofree char *se_text = g_strdup_printf ("± %s (standard error)", se);
    g_autofree char *neff = g_strdup_printf ("n_eff = %.1f effective cases of %zu", r->prediction.n_eff,
                                             c->n - (r->exclude >= 0 ? 1 : 0));
    g_autofree double *hw = g_new (double, c->d);
    g_autofree char *words = NULL;
    g_autofree char *window = NULL;
    g_autofree char *sum = g_strdup_printf ("Σwᵢ = %.6f   |ŷ − Σwᵢyᵢ| = %.2g", r->prediction.weight_sum,
                                            fabs (r->prediction.prediction - r->exact_sum));
    g_autofree char *tip = NULL;

    for (gsize j = 0; j < c->d; j++)
      hw[j] = cs_engine_half_width (self->engine, j);
    words = cs_window_words (c, hw);
    window = g_strdup_printf ("The model %s of this one.", words);
    tip = g_strdup_printf ("Window of the %s metric. 90 %% of the attention mass lies within a standardised "
                           "distance of %.3f; the nearest case is at %.3f.", self->engine->metric_label,
                           r->prediction.radius90, r->prediction.nearest_distance);
    gtk_label_set_text (GTK_LABEL (self->prediction_label), pred_text);
    {
      /* The range operators read is the prediction interval (measured coverage, INTERVALS.md), not ± one
       * standard error of the mean; the standard error stays in the tooltip. */
      g_autofree char *range = cs_query_result_interval_words (r, c->target_unit);

      g_autofree char *spec = cs_query_result_spec_words (r);

      gtk_label_set_text (GTK_LABEL (self->stderr_label), range != NULL ? range : se_text);
      gtk_widget_set_tooltip_text (self->stderr_label, se_text);
      gtk_label_set_text (GTK_LABEL (self->spec_label), spec != NULL ? spec : "");
    }
    gtk_label_set_text (GTK_LABEL (self->neff_label), neff);
    gtk_label_set_text (GTK_LABEL (self->window_label), window);
    gtk_widget_set_tooltip_text (self->window_label, tip);
    gtk_label_set_text (GTK_LABEL (self->sum_label), sum);
  }
}

static void
update_charts (CsOperatorView *self)
{
  guint a = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->plane_a));
  guint b = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->plane_b));

  for (guint t = 0; t < self->charts->len; t++)
    {
      GObject *chart = g_ptr_array_index (self->charts, t);
      gboolean chosen = self->cases != NULL && a != GTK_INVALID_LIST_POSITION && b != GTK_INVALID_LIST_POSITION &&
                        a > 0 && b > 0 && a != b;
      g_object_set_data (chart, "feature-a", chosen ? GUINT_TO_POINTER (a) : NULL);
      g_object_set_data (chart, "feature-b", chosen ? GUINT_TO_POINTER (b) : NULL);
    }
  for (guint t = 0; t < self->charts->len; t++)
    cs_chart_data_attach (g_ptr_array_index (self->charts, t), self->engine, self->result);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  CsOperatorView *self = user_data;
  g_autoptr(GError) error = NULL;
  CsQueryResult *r = cs_engine_query_finish (res, &error);

  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Query failed: %s", error->message);
      g_object_unref (self);
      return;
    }
  if (r->engine != self->engine || r->serial < self->shown_serial)
    {
      cs_query_result_free (r);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->result, cs_query_result_free);
  self->result = r;
  self->shown_serial = r->serial;
  {
    gint64 t0 = g_get_monotonic_time (), t1, t2;
    update_card (self);
    update_used (self);
    update_failsafe (self);
    t1 = g_get_monotonic_time ();
    update_charts (self);
    t2 = g_get_monotonic_time ();
    g_debug ("result shown: panels %.1f ms, charts %.1f ms", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
  }
  g_object_unref (self);
}

static void run_query (CsOperatorView *self);

/* The settings key of this case base's spec limits: its file, or a sample's name. */
static const char *
spec_source (CsOperatorView *self)
{
  if (self->cases == NULL)
    return NULL;
  return self->cases->source_path != NULL ? self->cases->source_path : self->cases->source;
}

static void
spec_entry_set (GtkWidget *entry,
                double     v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_editable_set_text (GTK_EDITABLE (entry), isfinite (v) ? g_ascii_dtostr (buf, sizeof buf, v) : "");
  gtk_widget_remove_css_class (entry, "error");
}

/* An entry's limit: empty is none (NaN); FALSE when the text is not a number. */
static gboolean
spec_entry_get (GtkWidget *entry,
                double    *v)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  char *end = NULL;

  if (*text == '\0')
    {
      *v = NAN;
      return TRUE;
    }
  *v = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*v);
}

static void
spec_changed_cb (GtkWidget      *entry,
                 CsOperatorView *self)
{
  CsIntervalSpec spec = self->spec;
  g_autofree char *why = NULL;

  (void) entry;
  if (!spec_entry_get (self->spec_lower_entry, &spec.spec_lower)
      || !spec_entry_get (self->spec_upper_entry, &spec.spec_upper) || (why = cs_interval_spec_check (&spec)) != NULL)
    {
      gtk_widget_add_css_class (entry, "error");
      gtk_widget_set_tooltip_text (entry, why != NULL ? why : "Not a number (leave empty for no limit)");
      return;
    }
  gtk_widget_remove_css_class (self->spec_lower_entry, "error");
  gtk_widget_remove_css_class (self->spec_upper_entry, "error");
  gtk_widget_set_tooltip_text (entry, NULL);
  self->spec = spec;
  cs_settings_set_spec (cs_settings_get_default (), spec_source (self), spec.spec_lower, spec.spec_upper);
  cs_case_table_set_spec_limits (CS_CASE_TABLE (self->table), spec.spec_lower, spec.spec_upper);
  run_query (self);
}

static void
run_query (CsOperatorView *self)
{
  if (self->engine == NULL || self->query == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cs_engine_query_async_spec (self->engine, self->query, self->exclude, self->top_k, &self->spec, ++self->serial,
                              self->cancellable, query_done_cb, g_object_ref (self));
}

static void
used_row_activated_cb (GtkListBox     *box,
                       GtkListBoxRow  *row,
                       CsOperatorView *self)
{
  gsize index = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "case-index"));

  if (index > 0)
    g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, (guint) (index - 1));
}

static void
open_case_default (CsOperatorView *self,
                   guint           index)
{
  cs_operator_view_select_case (self, index);
}

/* ---- Public ---------------------------------------------------------------------- */

void
cs_operator_view_set_cases (CsOperatorView *self,
                            CsCaseBase     *cases)
{
  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_pointer (&self->result, cs_query_result_free);
  g_clear_pointer (&self->engine, cs_engine_unref);
  if (cases != NULL)
    cs_case_base_ref (cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = cases;
  cs_interval_spec_init (&self->spec);
  cs_settings_get_spec (cs_settings_get_default (), spec_source (self), &self->spec.spec_lower,
                        &self->spec.spec_upper);
  spec_entry_set (self->spec_lower_entry, self->spec.spec_lower);
  spec_entry_set (self->spec_upper_entry, self->spec.spec_upper);
  g_clear_pointer (&self->query, g_free);
  self->exclude = -1;
  self->edited = FALSE;
  if (cases != NULL)
    self->query = g_memdup2 (cases->mean, sizeof (double) * MAX (cases->d, 1));
  cs_case_table_set_cases (CS_CASE_TABLE (self->table), cases);
  cs_case_table_set_spec_limits (CS_CASE_TABLE (self->table), self->spec.spec_lower, self->spec.spec_upper);
  rebuild_editor (self);
  {
    g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) names_b = gtk_string_list_new (NULL);

    gtk_string_list_append (names, "automatic");
    gtk_string_list_append (names_b, "automatic");
    for (gsize j = 0; cases != NULL && j < cases->d; j++)
      {
        gtk_string_list_append (names, cases->feature_names[j]);
        gtk_string_list_append (names_b, cases->feature_names[j]);
      }
    gtk_drop_down_set_model (GTK_DROP_DOWN (self->plane_a), G_LIST_MODEL (names));
    gtk_drop_down_set_model (GTK_DROP_DOWN (self->plane_b), G_LIST_MODEL (names_b));
  }
  gtk_label_set_text (GTK_LABEL (self->query_source),
                      cases != NULL ? "Preparing the model…" : "Open a case base to begin");
  update_card (self);
  update_used (self);
  update_failsafe (self);
  update_charts (self);
}

void
cs_operator_view_set_engine (CsOperatorView *self,
                             CsEngine       *engine)
{
  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));
  g_return_if_fail (engine == NULL || engine->cases == self->cases);

  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  cs_case_table_set_engine (CS_CASE_TABLE (self->table), engine);
  if (engine == NULL)
    return;
  if (self->exclude < 0 && !self->edited && self->cases->n > 0)
    cs_operator_view_select_case (self, 0);
  else
    run_query (self);
}

void
cs_operator_view_select_case (CsOperatorView *self,
                              gsize           index)
{
  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));
  if (self->cases == NULL || index >= self->cases->n)
    return;
  if (self->exclude != (gssize) index || self->edited)
    make_query_case (self, index);

  /* Show it in the table (without a second query). */
  cs_case_table_select (CS_CASE_TABLE (self->table), index);
}

void
cs_operator_view_set_feature (CsOperatorView *self,
                              gsize           j,
                              double          value)
{
  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));
  if (j >= self->spins->len)
    return;
  gtk_spin_button_set_value (g_ptr_array_index (self->spins, j), value);
}

const CsQueryResult *
cs_operator_view_get_result (CsOperatorView *self)
{
  return self->result;
}

guint
cs_operator_view_get_serial (CsOperatorView *self,
                             guint          *shown)
{
  if (shown != NULL)
    *shown = self->shown_serial;
  return self->serial + (self->debounce_id != 0 ? 1 : 0);
}

void
cs_operator_view_focus_search (CsOperatorView *self)
{
  cs_case_table_focus_search (CS_CASE_TABLE (self->table));
}

void
cs_operator_view_set_top_k (CsOperatorView *self,
                            guint           k)
{
  self->top_k = CLAMP (k, 1, 50);
  run_query (self);
}

void
cs_operator_view_set_dark (CsOperatorView *self,
                           gboolean        dark)
{
  self->dark = dark;
  for (guint t = 0; t < self->charts->len; t++)
    cs_chart_view_set_dark (g_ptr_array_index (self->charts, t), dark);
}

GPtrArray *
cs_operator_view_get_charts (CsOperatorView *self)
{
  return self->charts;
}

/* ---- Construction -------------------------------------------------------------- */

static GtkWidget *
label_new (const char *name,
           const char *css,
           gboolean    wrap)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_name (label, name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
    }
  return label;
}

static void
top_k_changed_cb (GtkSpinButton  *spin,
                  CsOperatorView *self)
{
  guint k = (guint) gtk_spin_button_get_value_as_int (spin);

  cs_settings_set_int (cs_settings_get_default (), "operator", "top-k", (int) k);
  cs_operator_view_set_top_k (self, k);
}

static GtkWidget *
build_detail_side (CsOperatorView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *query_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *failsafe = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *used = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  static const struct { const char *name, *title; } charts[] = {
    { "case-attention", "Case attention" },
    { "feature-map", "Feature map" },
    { "window", "Window along the case base" },
  };

  /* Query editor */
  self->query_source = label_new ("query-source", "dim-label", TRUE);
  self->query_grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->query_grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (self->query_grid), 8);
  self->reset_button = gtk_button_new_with_mnemonic ("_Reset to the case");
  gtk_widget_set_tooltip_text (self->reset_button, "Put back the selected case's own values");
  gtk_widget_set_halign (self->reset_button, GTK_ALIGN_START);
  g_signal_connect (self->reset_button, "clicked", G_CALLBACK (reset_clicked_cb), self);
  gtk_box_append (GTK_BOX (query_box), self->query_source);
  gtk_box_append (GTK_BOX (query_box), self->query_grid);
  gtk_box_append (GTK_BOX (query_box), self->reset_button);
  gtk_widget_set_hexpand (query_box, TRUE);
  gtk_box_append (GTK_BOX (top), cs_section_new ("Query (edit any value: the prediction follows)", query_box));

  /* Prediction card */
  self->prediction_label = label_new ("prediction", "prediction", FALSE);
  self->stderr_label = label_new ("stderr", NULL, FALSE);
  self->neff_label = label_new ("n-eff", NULL, FALSE);
  self->window_label = label_new ("window", NULL, TRUE);
  self->sum_label = label_new ("sum-check", "dim-label", FALSE);
  gtk_widget_add_css_class (self->sum_label, "caption");
  gtk_box_append (GTK_BOX (card), self->prediction_label);
  gtk_box_append (GTK_BOX (card), self->stderr_label);
  {
    /* Spec limits of this case base (saved per file), and the probability of being inside them */
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    self->spec_lower_entry = gtk_entry_new ();
    self->spec_upper_entry = gtk_entry_new ();
    gtk_widget_set_name (self->spec_lower_entry, "spec-lower");
    gtk_widget_set_name (self->spec_upper_entry, "spec-upper");
    gtk_entry_set_placeholder_text (GTK_ENTRY (self->spec_lower_entry), "no lower limit");
    gtk_entry_set_placeholder_text (GTK_ENTRY (self->spec_upper_entry), "no upper limit");
    gtk_editable_set_width_chars (GTK_EDITABLE (self->spec_lower_entry), 10);
    gtk_editable_set_width_chars (GTK_EDITABLE (self->spec_upper_entry), 10);
    g_signal_connect (self->spec_lower_entry, "activate", G_CALLBACK (spec_changed_cb), self);
    g_signal_connect (self->spec_upper_entry, "activate", G_CALLBACK (spec_changed_cb), self);
    gtk_box_append (GTK_BOX (row), gtk_label_new ("Spec"));
    gtk_box_append (GTK_BOX (row), self->spec_lower_entry);
    gtk_box_append (GTK_BOX (row), gtk_label_new ("to"));
    gtk_box_append (GTK_BOX (row), self->spec_upper_entry);
    self->spec_label = label_new ("spec", NULL, FALSE);
    gtk_box_append (GTK_BOX (card), row);
    gtk_box_append (GTK_BOX (card), self->spec_label);
  }
  gtk_box_append (GTK_BOX (card), self->neff_label);
  gtk_box_append (GTK_BOX (card), self->window_label);
  gtk_box_append (GTK_BOX (card), self->sum_label);
  gtk_box_append (GTK_BOX (right), cs_section_new ("Prediction", card));

  /* Fail-safe panel: verdict first, then the flags */
  self->verdict_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_add_css_class (self->verdict_box, "verdict");
  self->verdict_icon = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (self->verdict_icon), 24);
  self->verdict_label = label_new ("verdict", "heading", TRUE);
  gtk_box_append (GTK_BOX (self->verdict_box), self->verdict_icon);
  gtk_box_append (GTK_BOX (self->verdict_box), self->verdict_label);
  self->flags_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_name (self->flags_box, "flags");
  gtk_box_append (GTK_BOX (failsafe), self->verdict_box);
  gtk_box_append (GTK_BOX (failsafe), self->flags_box);
  gtk_box_append (GTK_BOX (right), cs_section_new ("Fail-safe", failsafe));
  gtk_widget_set_hexpand (right, TRUE);
  gtk_box_append (GTK_BOX (top), right);
  gtk_box_append (GTK_BOX (box), top);

  /* Cases used */
  self->used_list = gtk_list_box_new ();
  gtk_widget_set_name (self->used_list, "cases-used");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->used_list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (self->used_list), FALSE);
  g_signal_connect (self->used_list, "row-activated", G_CALLBACK (used_row_activated_cb), self);
  self->decomposition_label = label_new ("decomposition", NULL, FALSE);
  gtk_label_set_wrap (GTK_LABEL (self->decomposition_label), TRUE);
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *label = gtk_label_new_with_mnemonic ("Show the _top");
    GtkWidget *spin = gtk_spin_button_new_with_range (1, 50, 1);
    GtkWidget *cases = gtk_label_new ("cases by weight");

    gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), self->top_k);
    gtk_label_set_mnemonic_widget (GTK_LABEL (label), spin);
    gtk_widget_set_name (spin, "top-k");
    g_signal_connect (spin, "value-changed", G_CALLBACK (top_k_changed_cb), self);
    gtk_box_append (GTK_BOX (row), label);
    gtk_box_append (GTK_BOX (row), spin);
    gtk_box_append (GTK_BOX (row), cases);
    gtk_box_append (GTK_BOX (used), row);
  }
  gtk_box_append (GTK_BOX (used), self->used_list);
  gtk_box_append (GTK_BOX (used), self->decomposition_label);
  gtk_box_append (GTK_BOX (box), cs_section_new ("Cases used (double-click to open one in the table)", used));

  /* Charts */
  self->notebook = gtk_notebook_new ();
  gtk_widget_set_size_request (self->notebook, -1, 340);
  for (guint t = 0; t < G_N_ELEMENTS (charts); t++)
    {
      GtkWidget *chart = cs_chart_view_new (charts[t].name, charts[t].title);
      gtk_widget_set_name (chart, charts[t].name);
      gtk_notebook_append_page (GTK_NOTEBOOK (self->notebook), chart, gtk_label_new (charts[t].title));
      g_ptr_array_add (self->charts, chart);
    }
  gtk_box_append (GTK_BOX (box), self->notebook);
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *label = gtk_label_new ("Feature plane of the map (and the axis of the window plot):");

    gtk_widget_add_css_class (label, "dim-label");
    self->plane_a = gtk_drop_down_new (NULL, NULL);
    self->plane_b = gtk_drop_down_new (NULL, NULL);
    gtk_widget_set_tooltip_text (self->plane_a, "Horizontal feature");
    gtk_widget_set_tooltip_text (self->plane_b, "Vertical feature");
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->plane_a), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    "Horizontal feature of the map", -1);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->plane_b), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    "Vertical feature of the map", -1);
    g_signal_connect_swapped (self->plane_a, "notify::selected", G_CALLBACK (update_charts), self);
    g_signal_connect_swapped (self->plane_b, "notify::selected", G_CALLBACK (update_charts), self);
    gtk_box_append (GTK_BOX (row), label);
    gtk_box_append (GTK_BOX (row), self->plane_a);
    gtk_box_append (GTK_BOX (row), gtk_label_new ("×"));
    gtk_box_append (GTK_BOX (row), self->plane_b);
    gtk_box_append (GTK_BOX (box), row);
  }

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return scrolled;
}

static void
cs_operator_view_dispose (GObject *object)
{
  CsOperatorView *self = CS_OPERATOR_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->table != NULL)
    g_signal_handlers_disconnect_by_data (self->table, self);
  self->table = NULL;
  g_clear_pointer (&self->paned, gtk_widget_unparent);
  g_clear_pointer (&self->result, cs_query_result_free);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_clear_pointer (&self->query, g_free);
  G_OBJECT_CLASS (cs_operator_view_parent_class)->dispose (object);
}

static void
cs_operator_view_finalize (GObject *object)
{
  CsOperatorView *self = CS_OPERATOR_VIEW (object);

  g_ptr_array_unref (self->charts);
  g_ptr_array_unref (self->spins);
  G_OBJECT_CLASS (cs_operator_view_parent_class)->finalize (object);
}

static void
cs_operator_view_class_init (CsOperatorViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cs_operator_view_dispose;
  object_class->finalize = cs_operator_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  g_type_ensure (CS_TYPE_CASE_TABLE);
  signals[SIGNAL_OPEN_CASE] = g_signal_new_class_handler ("open-case", G_TYPE_FROM_CLASS (klass),
                                                          G_SIGNAL_RUN_LAST, G_CALLBACK (open_case_default),
                                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
cs_operator_view_init (CsOperatorView *self)
{
  self->charts = g_ptr_array_new ();
  self->spins = g_ptr_array_new ();
  self->exclude = -1;
  self->top_k = (guint) CLAMP (cs_settings_get_int (cs_settings_get_default (), "operator", "top-k", 8), 1, 50);
  self->paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  self->table = cs_case_table_new ();
  g_signal_connect (self->table, "case-selected", G_CALLBACK (table_case_selected_cb), self);
  gtk_paned_set_start_child (GTK_PANED (self->paned), self->table);
  gtk_paned_set_end_child (GTK_PANED (self->paned), build_detail_side (self));
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_position (GTK_PANED (self->paned), 470);
  gtk_widget_set_parent (self->paned, GTK_WIDGET (self));
  update_failsafe (self);
}

GtkWidget *
cs_operator_view_new (void)
{
  return g_object_new (CS_TYPE_OPERATOR_VIEW, NULL);
}
