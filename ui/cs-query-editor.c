/* cs-query-editor.c: the operator page's query editor (one spin button per feature, debounced live edits). */
#define G_LOG_DOMAIN "cs-query-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cs-query-editor.h"
#include "cs-widgets.h"
#include "cs-ui-resources.h"

/* An edit reaches the query at once (at the next main-loop iteration); the edits that follow within this time
 * are one edit, sent when it ends
 * (and the next ones within this time after that, and so on): a burst of keystrokes makes a query at its first
 * keystroke and one every DEBOUNCE_MS, never one per keystroke. Waiting out a quiet time before every edit
 * (a trailing debounce) put these 120 ms into every what-if answer: a spin button's click, a pasted value. */
#define DEBOUNCE_MS 120

struct _CsQueryEditor
{
  GtkBox parent_instance;

  /* Template widgets */
  GtkWidget *query_source;
  GtkWidget *query_grid;
  GtkWidget *reset_button;

  GPtrArray *spins;             /* GtkSpinButton*, one per feature, borrowed from the grid */
  GPtrArray *drops;             /* GtkDropDown*, one per category column, borrowed from the grid */
  gint *levels;                 /* per category column the query's level (an index into cat_levels) */
  CsCaseBase *cases;
  double *query;
  gssize exclude;
  gboolean edited;
  gboolean updating_spins;
  guint debounce_id;            /* the time after an emission in which edits wait */
  gboolean trailing;            /* an edit waits for its end (cs_query_editor_is_pending) */
  gboolean window_emitted;      /* that time began with an emission (not with an entry left empty) */
  gboolean empty_waiting;       /* a spin left empty waits to be a missing value (schedule_empty) */
  guint leading_id;             /* the emission of an edit that waits for nothing, at the next iteration */
};

G_DEFINE_FINAL_TYPE (CsQueryEditor, cs_query_editor, GTK_TYPE_BOX)

enum { PROP_0, PROP_EDITED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_QUERY_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_edited (CsQueryEditor *self,
            gboolean       edited)
{
  if (self->edited == edited)
    return;
  self->edited = edited;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED]);
}

static gboolean debounce_cb (gpointer user_data);
static void mark_edited (CsQueryEditor *self);

/* The spins left empty become missing values (NaN) in the query: TRUE when one did. */
static gboolean
apply_empty_spins (CsQueryEditor *self)
{
  gboolean changed = FALSE;

  for (guint j = 0; self->query != NULL && j < self->spins->len; j++)
    if (*gtk_editable_get_text (g_ptr_array_index (self->spins, j)) == '\0' && !isnan (self->query[j]))
      {
        self->query[j] = NAN;
        changed = TRUE;
      }
  if (changed)
    mark_edited (self);
  return changed;
}

/* Whether a spin is empty while its value is not missing yet (an empty entry waiting, schedule_empty). */
static gboolean
any_empty_waiting (CsQueryEditor *self)
{
  for (guint j = 0; self->query != NULL && j < self->spins->len; j++)
    if (*gtk_editable_get_text (g_ptr_array_index (self->spins, j)) == '\0' && !isnan (self->query[j]))
      return TRUE;
  return FALSE;
}

/* Emits "query-changed" now (with any spin left empty as a missing value) and starts the time in which further
 * edits wait. */
static void
emit_changed (CsQueryEditor *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->leading_id, g_source_remove);
  if (self->empty_waiting)
    apply_empty_spins (self);
  self->trailing = FALSE;
  self->empty_waiting = FALSE;
  self->window_emitted = TRUE;
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_cb, self);
  g_signal_emit (self, signals[SIGNAL_QUERY_CHANGED], 0);
}

static gboolean
debounce_cb (gpointer user_data)
{
  CsQueryEditor *self = user_data;
  gboolean send = self->trailing;

  self->debounce_id = 0;
  if (self->empty_waiting)
    {
      self->empty_waiting = FALSE;
      send = apply_empty_spins (self) || send;
    }
  if (send)
    emit_changed (self);
  return G_SOURCE_REMOVE;
}

static gboolean
leading_cb (gpointer user_data)
{
  CsQueryEditor *self = user_data;

  self->leading_id = 0;
  emit_changed (self);
  return G_SOURCE_REMOVE;
}

/* A value edited: sent at the next main-loop iteration, unless it follows an emission within DEBOUNCE_MS (then
 * once, at the end). Not within the handler: one set_value is several signals in a row (the text emptied, the
 * text, then "value-changed" with the adjustment's own value, which the text shows rounded), one edit. */
static void
schedule_changed (CsQueryEditor *self)
{
  if (self->debounce_id != 0 && self->window_emitted)
    self->trailing = TRUE;
  else if (self->leading_id == 0)
    self->leading_id = g_idle_add_full (G_PRIORITY_DEFAULT, leading_cb, self, NULL);
}

/* An entry left empty waits DEBOUNCE_MS before it is a missing value: replacing a value passes through an empty
 * text (GtkSpinButton's set_value, select-all and type), and a missing feature is answered by a refit on the
 * others (cs-engine-missing.c). The value that follows at once is an edit of its own (or none, when it is the
 * value the entry had). */
static void
schedule_empty (CsQueryEditor *self)
{
  self->empty_waiting = TRUE;
  if (self->debounce_id == 0)
    {
      self->window_emitted = FALSE;
      self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_cb, self);
    }
}

/* No edit waits any more: an emission that makes the query whole (set_query, set_cases). */
static void
clear_pending (CsQueryEditor *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->leading_id, g_source_remove);
  self->trailing = FALSE;
  self->empty_waiting = FALSE;
}

static void
mark_edited (CsQueryEditor *self)
{
  g_autofree char *text = NULL;

  if (self->edited)
    return;
  set_edited (self, TRUE);
  if (self->exclude >= 0 && self->cases->ids != NULL)
    text = g_strdup_printf (_("What if: case %s with edited values (still leaving it out)"),
                            self->cases->ids[self->exclude]);
  else if (self->exclude >= 0)
    text = g_strdup_printf (_("What if: the case on line %u with edited values"), self->cases->line[self->exclude]);
  else
    text = g_strdup (_("A new case typed in"));
  gtk_label_set_text (GTK_LABEL (self->query_source), text);
}

/* The feature a spin button edits (its place in the grid's rows); FALSE for a spin on its way out. */
static gboolean
spin_feature (CsQueryEditor *self,
              gpointer       spin,
              guint         *j)
{
  return self->query != NULL && g_ptr_array_find (self->spins, spin, j);
}

/* Live: every keystroke that forms a number updates the query (debounced), without reformatting the entry. */
static void
spin_text_changed_cb (GtkEditable   *editable,
                      CsQueryEditor *self)
{
  const char *text = gtk_editable_get_text (editable);
  guint j;
  double v;

  if (self->updating_spins || text == NULL || !spin_feature (self, editable, &j))
    return;
  if (*text == '\0')
    {
      /* An empty entry is a missing value (a sensor down): predicted from the other features, flagged. */
      if (!isnan (self->query[j]))
        schedule_empty (self);
      return;
    }
  /* the entry holds text again: an empty text on its way to this one waits no more */
  if (self->empty_waiting && !any_empty_waiting (self))
    self->empty_waiting = FALSE;
  /* '.' or the locale's decimal separator: under de_DE the spin shows and takes "41,2" */
  if (!cs_entry_parse_number (text, &v) || v == self->query[j])
    return;
  self->query[j] = v;
  mark_edited (self);
  schedule_changed (self);
}

/* A missing value stays an empty entry when the spin button formats or reads its text. */
static gboolean
spin_output_cb (GtkSpinButton *spin,
                CsQueryEditor *self)
{
  guint j;

  if (!spin_feature (self, spin, &j) || !isnan (self->query[j]))
    return FALSE;
  if (*gtk_editable_get_text (GTK_EDITABLE (spin)) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (spin), "");
  return TRUE;
}

static int
spin_input_cb (GtkSpinButton *spin,
               double        *new_value,
               CsQueryEditor *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (spin)) != '\0')
    return FALSE;
  *new_value = gtk_spin_button_get_value (spin);
  return TRUE;
}

static void
spin_value_changed_cb (GtkSpinButton *spin,
                       CsQueryEditor *self)
{
  double v = gtk_spin_button_get_value (spin);
  guint j;

  if (self->updating_spins || !spin_feature (self, spin, &j) || v == self->query[j])
    return;
  self->query[j] = v;
  mark_edited (self);
  schedule_changed (self);
}

static int
digits_for (double span)
{
  if (!(span > 0))
    return 3;
  return CLAMP (3 - (int) floor (log10 (span)), 0, 6);
}

static GtkWidget *
grid_label (const char *text,
            gboolean    dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (dim)
    {
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
    }
  return label;
}

static void
level_changed_cb (GtkDropDown   *drop,
                  GParamSpec    *pspec,
                  CsQueryEditor *self)
{
  guint c, at = gtk_drop_down_get_selected (drop);

  if (self->updating_spins || !g_ptr_array_find (self->drops, drop, &c) || at == GTK_INVALID_LIST_POSITION
      || (gint) at == self->levels[c])
    return;
  self->levels[c] = (gint) at;
  mark_edited (self);
  schedule_changed (self);
}

/* The level most cases have: where a new query starts. */
static gint
usual_level (CsCaseBase *c,
             gsize       col)
{
  g_autofree gsize *count = g_new0 (gsize, MAX (c->cat_n_levels[col], 1));
  gint best = 0;

  for (gsize i = 0; i < c->n; i++)
    {
      gint v = c->cat_codes[i * c->n_cat + col];

      if (v >= 0 && (gsize) v < c->cat_n_levels[col] && ++count[v] > count[best])
        best = v;
    }
  return best;
}

/* One drop-down per category column, below the features: its levels in the order the file has them. */
static void
add_category_rows (CsQueryEditor *self)
{
  GtkGrid *grid = GTK_GRID (self->query_grid);
  CsCaseBase *c = self->cases;

  for (gsize col = 0; col < c->n_cat; col++)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      GtkWidget *drop;
      g_autofree char *wname = g_strdup_printf ("query-%s", c->cat_names[col]);
      g_autofree char *count = g_strdup_printf (ngettext ("%zu value", "%zu values", c->cat_n_levels[col]),
                                                c->cat_n_levels[col]);

      for (gsize l = 0; l < c->cat_n_levels[col]; l++)
        gtk_string_list_append (names, *c->cat_levels[col][l] != '\0' ? c->cat_levels[col][l] : _("(empty)"));
      drop = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (drop), (guint) self->levels[col]);
      gtk_widget_set_tooltip_text (drop, _("A category: cases with another value count less in the prediction"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, c->cat_names[col], -1);
      gtk_widget_set_hexpand (drop, TRUE);
      gtk_widget_set_name (drop, wname);
      g_signal_connect (drop, "notify::selected", G_CALLBACK (level_changed_cb), self);
      gtk_grid_attach (grid, grid_label (c->cat_names[col], FALSE), 0, (int) (c->d + col), 1, 1);
      gtk_grid_attach (grid, drop, 1, (int) (c->d + col), 1, 1);
      gtk_grid_attach (grid, grid_label (count, TRUE), 3, (int) (c->d + col), 1, 1);
      g_ptr_array_add (self->drops, drop);
    }
}

static void
rebuild_editor (CsQueryEditor *self)
{
  GtkGrid *grid = GTK_GRID (self->query_grid);
  CsCaseBase *c = self->cases;
  GtkWidget *child;

  g_ptr_array_set_size (self->spins, 0);
  g_ptr_array_set_size (self->drops, 0);
  while ((child = gtk_widget_get_first_child (self->query_grid)) != NULL)
    gtk_grid_remove (grid, child);
  if (c == NULL)
    return;

  for (gsize j = 0; j < c->d; j++)
    {
      double span = c->max[j] - c->min[j];
      double pad = span > 0 ? span : MAX (fabs (c->max[j]), 1.0);
      /* Far beyond the observed range is allowed (what-if, extrapolation: the fail-safe flags it). */
      GtkAdjustment *adj = gtk_adjustment_new (c->mean[j], c->min[j] - 10 * pad, c->max[j] + 10 * pad,
                                               pad / 100.0, pad / 10.0, 0);
      GtkWidget *name = grid_label (c->feature_names[j], FALSE);
      GtkWidget *spin = gtk_spin_button_new (adj, 1.0, (guint) digits_for (span));
      GtkWidget *unit = grid_label (c->feature_units[j], FALSE);
      g_autofree char *lo = cs_format_number (c->min[j]);
      g_autofree char *hi = cs_format_number (c->max[j]);
      g_autofree char *range_text = g_strdup_printf (_("seen %s – %s"), lo, hi);
      g_autofree char *tip = g_strdup_printf (_("%s in %s; the case base holds values from %s to %s"),
                                              c->feature_names[j],
                                              *c->feature_units[j] ? c->feature_units[j] : _("its own units"),
                                              lo, hi);
      g_autofree char *wname = g_strdup_printf ("query-%s", c->feature_names[j]);

      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), FALSE);
      gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), self->query[j]);
      gtk_widget_set_tooltip_text (spin, tip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      c->feature_names[j], -1);
      gtk_widget_set_hexpand (spin, TRUE);
      gtk_widget_set_name (spin, wname);
      g_signal_connect (spin, "value-changed", G_CALLBACK (spin_value_changed_cb), self);
      g_signal_connect (spin, "changed", G_CALLBACK (spin_text_changed_cb), self);
      g_signal_connect (spin, "output", G_CALLBACK (spin_output_cb), self);
      g_signal_connect (spin, "input", G_CALLBACK (spin_input_cb), self);
      gtk_grid_attach (grid, name, 0, (int) j, 1, 1);
      gtk_grid_attach (grid, spin, 1, (int) j, 1, 1);
      gtk_grid_attach (grid, unit, 2, (int) j, 1, 1);
      gtk_grid_attach (grid, grid_label (range_text, TRUE), 3, (int) j, 1, 1);
      g_ptr_array_add (self->spins, spin);
    }
  add_category_rows (self);
}

static void
reset_clicked_cb (GtkButton     *button,
                  CsQueryEditor *self)
{
  if (self->cases != NULL && self->exclude >= 0)
    cs_query_editor_set_query (self, (gsize) self->exclude);
}

void
cs_query_editor_set_cases (CsQueryEditor *self,
                           CsCaseBase    *cases)
{
  g_return_if_fail (CS_IS_QUERY_EDITOR (self));

  clear_pending (self);
  if (cases != NULL)
    cs_case_base_ref (cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = cases;
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->levels, g_free);
  if (cases != NULL)
    {
      self->query = g_memdup2 (cases->mean, sizeof (double) * MAX (cases->d, 1));
      self->levels = g_new0 (gint, MAX (cases->n_cat, 1));
      for (gsize col = 0; col < cases->n_cat; col++)
        self->levels[col] = usual_level (cases, col);
    }
  self->exclude = -1;
  set_edited (self, FALSE);
  self->updating_spins = TRUE;
  rebuild_editor (self);
  self->updating_spins = FALSE;
  gtk_label_set_text (GTK_LABEL (self->query_source),
                      cases != NULL ? _("Preparing the model…") : _("Open a case base to begin"));
}

void
cs_query_editor_set_query (CsQueryEditor *self,
                           gsize          index)
{
  CsCaseBase *c;
  g_autofree char *text = NULL;

  g_return_if_fail (CS_IS_QUERY_EDITOR (self));
  c = self->cases;
  if (c == NULL || index >= c->n)
    return;
  memcpy (self->query, c->x + index * c->d, sizeof (double) * c->d);
  for (gsize col = 0; col < c->n_cat; col++)
    self->levels[col] = MAX (c->cat_codes[index * c->n_cat + col], 0);
  self->exclude = (gssize) index;
  set_edited (self, FALSE);
  if (c->ids != NULL)
    text = g_strdup_printf (_("Case %s (line %u), leave-one-out: it does not see itself"), c->ids[index],
                            c->line[index]);
  else
    text = g_strdup_printf (_("Case on line %u, leave-one-out: it does not see itself"), c->line[index]);
  gtk_label_set_text (GTK_LABEL (self->query_source), text);
  self->updating_spins = TRUE;
  for (guint j = 0; j < self->spins->len; j++)
    gtk_spin_button_set_value (g_ptr_array_index (self->spins, j), self->query[j]);
  for (guint col = 0; col < self->drops->len; col++)
    gtk_drop_down_set_selected (g_ptr_array_index (self->drops, col), (guint) self->levels[col]);
  self->updating_spins = FALSE;
  clear_pending (self);
  g_signal_emit (self, signals[SIGNAL_QUERY_CHANGED], 0);
}

void
cs_query_editor_set_feature (CsQueryEditor *self,
                             gsize          j,
                             double         value)
{
  g_return_if_fail (CS_IS_QUERY_EDITOR (self));
  if (j >= self->spins->len)
    return;
  gtk_spin_button_set_value (g_ptr_array_index (self->spins, j), value);
}

const double *
cs_query_editor_get_query (CsQueryEditor *self)
{
  g_return_val_if_fail (CS_IS_QUERY_EDITOR (self), NULL);
  return self->query;
}

const char *
cs_query_editor_get_level (CsQueryEditor *self,
                           gsize          c)
{
  g_return_val_if_fail (CS_IS_QUERY_EDITOR (self), NULL);
  if (self->cases == NULL || c >= self->cases->n_cat)
    return NULL;
  return self->cases->cat_levels[c][self->levels[c]];
}

void
cs_query_editor_set_level (CsQueryEditor *self,
                           gsize          c,
                           const char    *level)
{
  g_return_if_fail (CS_IS_QUERY_EDITOR (self));
  if (self->cases == NULL || c >= self->drops->len)
    return;
  for (gsize l = 0; l < self->cases->cat_n_levels[c]; l++)
    if (g_strcmp0 (self->cases->cat_levels[c][l], level) == 0)
      gtk_drop_down_set_selected (g_ptr_array_index (self->drops, c), (guint) l);
}

gssize
cs_query_editor_get_exclude (CsQueryEditor *self)
{
  g_return_val_if_fail (CS_IS_QUERY_EDITOR (self), -1);
  return self->exclude;
}

gboolean
cs_query_editor_get_edited (CsQueryEditor *self)
{
  g_return_val_if_fail (CS_IS_QUERY_EDITOR (self), FALSE);
  return self->edited;
}

gboolean
cs_query_editor_is_pending (CsQueryEditor *self)
{
  g_return_val_if_fail (CS_IS_QUERY_EDITOR (self), FALSE);
  return self->trailing || self->empty_waiting || self->leading_id != 0;
}

static void
cs_query_editor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CsQueryEditor *self = CS_QUERY_EDITOR (object);

  switch (prop_id)
    {
    case PROP_EDITED:
      g_value_set_boolean (value, self->edited);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_query_editor_dispose (GObject *object)
{
  CsQueryEditor *self = CS_QUERY_EDITOR (object);

  clear_pending (self);
  if (self->spins != NULL)
    g_ptr_array_set_size (self->spins, 0);
  G_OBJECT_CLASS (cs_query_editor_parent_class)->dispose (object);
}

static void
cs_query_editor_finalize (GObject *object)
{
  CsQueryEditor *self = CS_QUERY_EDITOR (object);

  g_ptr_array_unref (self->spins);
  g_ptr_array_unref (self->drops);
  g_free (self->levels);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  g_free (self->query);
  G_OBJECT_CLASS (cs_query_editor_parent_class)->finalize (object);
}

static void
cs_query_editor_class_init (CsQueryEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_query_editor_get_property;
  object_class->dispose = cs_query_editor_dispose;
  object_class->finalize = cs_query_editor_finalize;

  properties[PROP_EDITED] = g_param_spec_boolean ("edited", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_QUERY_CHANGED] = g_signal_new ("query-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* Keep the UI resources linked in from the static library: a test may use this widget alone. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-query-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CsQueryEditor, query_source);
  gtk_widget_class_bind_template_child (widget_class, CsQueryEditor, query_grid);
  gtk_widget_class_bind_template_child (widget_class, CsQueryEditor, reset_button);
  gtk_widget_class_bind_template_callback (widget_class, reset_clicked_cb);
}

static void
cs_query_editor_init (CsQueryEditor *self)
{
  self->spins = g_ptr_array_new ();
  self->drops = g_ptr_array_new ();
  self->exclude = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cs_query_editor_new (void)
{
  return g_object_new (CS_TYPE_QUERY_EDITOR, NULL);
}
