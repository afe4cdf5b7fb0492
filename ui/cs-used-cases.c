/* cs-used-cases.c: the cases one prediction used, largest weight first, with the exact sum behind it. */
#define G_LOG_DOMAIN "cs-used-cases"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-used-cases.h"
#include "cs-ui-resources.h"

#define TOP_K_MIN 1
#define TOP_K_MAX 50
#define TOP_K_DEFAULT 8

struct _CsUsedCases
{
  GtkBox parent_instance;

  /* Template widgets */
  GtkWidget *top_k_label;
  GtkWidget *top_k_spin;
  GtkWidget *used_list;
  GtkWidget *decomposition_label;

  GArray *indices;              /* gsize: the case index of each listed row, in row order */
  guint top_k;
};

G_DEFINE_FINAL_TYPE (CsUsedCases, cs_used_cases, GTK_TYPE_BOX)

enum { PROP_0, PROP_TOP_K, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_OPEN_CASE, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
with_unit (double      v,
           const char *unit)
{
  g_autofree char *num = cs_format_number (v);

  return unit != NULL && *unit ? g_strdup_printf ("%s %s", num, unit) : g_strdup (num);
}

/* The two largest differences of case i from the query in standardised units, said in original units. */
static char *
differences_text (CsCaseBase          *c,
                  const CsQueryResult *r,
                  gsize                i)
{
  GString *s = g_string_new (NULL);
  g_autofree double *score = g_new (double, MAX (c->d, 1));
  guint shown = 0;

  /* Category columns first: "same supplier" or "other supplier" (nothing when the query's value is unknown) */
  for (gsize col = 0; col < c->n_cat; col++)
    {
      int match = cs_query_result_category_match (r, i, col);

      if (match < 0)
        continue;
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, match ? _("same %s") : _("other %s"), c->cat_names[col]);
    }

  for (gsize j = 0; j < c->d; j++)
    score[j] = fabs (c->x[i * c->d + j] - r->query[j]) / (c->sd[j] > 0 ? c->sd[j] : 1.0);
  while (shown < 2)
    {
      gssize best = -1;
      for (gsize j = 0; j < c->d; j++)
        if (score[j] >= 0 && (best < 0 || score[j] > score[best]))
          best = (gssize) j;
      if (best < 0 || score[best] < 0.05)
        break;
      {
        double diff = c->x[i * c->d + best] - r->query[best];
        g_autofree char *v = cs_format_short (diff);
        if (s->len > 0)
          g_string_append (s, ", ");
        g_string_append_printf (s, "%s %s%s%s%s", c->feature_names[best], diff > 0 ? "+" : "", v,
                                *c->feature_units[best] ? " " : "", c->feature_units[best]);
      }
      score[best] = -1;
      shown++;
    }
  if (shown == 0)
    g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _("within 0.05 sd of the query in every feature"));
  return g_string_free (s, FALSE);
}

static GtkWidget *
cell (const char *text,
      int         width_chars,
      float       xalign,
      const char *css)
{
  GtkWidget *label = gtk_label_new (text);

  if (width_chars > 0)
    gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

static GtkWidget *
used_row (CsCaseBase          *c,
          const CsQueryResult *r,
          const CsUsedCase    *u)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autofree char *name = c->ids != NULL ? g_strdup (c->ids[u->index])
                                         : g_strdup_printf (_("line %u"), c->line[u->index]);
  g_autofree char *weight = g_strdup_printf (_("w = %.4f"), u->weight);
  g_autofree char *y = with_unit (u->y, c->target_unit);
  g_autofree char *diff = differences_text (c, r, u->index);
  g_autofree char *tip = g_strdup_printf (_("Line %u of %s. Weight %.6f, distance %.3f (standardised), "
                                            "contributes w·y = %.6g. Double-click to open it in the table."),
                                          c->line[u->index], c->source, u->weight, u->distance,
                                          u->weight * u->y);
  GtkWidget *bar = gtk_level_bar_new_for_interval (0, 1);
  GtkWidget *l_diff = cell (diff, 0, 0, "dim-label");

  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), CLAMP (u->weight, 0, 1));
  gtk_widget_set_size_request (bar, 60, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Weight"), -1);
  gtk_label_set_ellipsize (GTK_LABEL (l_diff), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (l_diff, TRUE);
  gtk_box_append (GTK_BOX (row), cell (name, 9, 0, NULL));
  gtk_box_append (GTK_BOX (row), bar);
  gtk_box_append (GTK_BOX (row), cell (weight, 10, 0.5, "numeric"));
  gtk_box_append (GTK_BOX (row), cell (y, 12, 1, "numeric"));
  gtk_box_append (GTK_BOX (row), cell (cs_similarity_words (u->distance, r->prediction.radius90), 15, 0, NULL));
  gtk_box_append (GTK_BOX (row), l_diff);
  gtk_widget_set_tooltip_text (row, tip);
  return row;
}

void
cs_used_cases_set_result (CsUsedCases         *self,
                          CsCaseBase          *c,
                          const CsQueryResult *r)
{
  GtkWidget *child;
  guint shown;

  g_return_if_fail (CS_IS_USED_CASES (self));

  while ((child = gtk_widget_get_first_child (self->used_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->used_list), child);
  g_array_set_size (self->indices, 0);
  if (c == NULL || r == NULL || !r->valid)
    {
      gtk_label_set_text (GTK_LABEL (self->decomposition_label), "");
      return;
    }
  /* The result may have been asked for with a larger k than the spin now says (its successor is on its way). */
  shown = MIN (r->k, self->top_k);
  for (guint t = 0; t < shown; t++)
    {
      gtk_list_box_append (GTK_LIST_BOX (self->used_list), used_row (c, r, &r->top[t]));
      g_array_append_val (self->indices, r->top[t].index);
    }
  {
    g_autofree char *top = cs_format_number (r->top_sum);
    g_autofree char *rest = cs_format_number (r->rest_sum);
    g_autofree char *total = with_unit (r->exact_sum, c->target_unit);
    g_autofree char *text = g_strdup_printf (
      _("ŷ = Σ wᵢ yᵢ = %s (these %u cases, weight %.4f) + %s (the other %zu cases, weight %.4f) = %s"),
      top, r->k, r->top_weight, rest, c->n - r->k - (r->exclude >= 0 ? 1 : 0), r->rest_weight, total);
    gtk_label_set_text (GTK_LABEL (self->decomposition_label), text);
  }
}

static void
row_activated_cb (GtkListBox    *box,
                  GtkListBoxRow *row,
                  CsUsedCases   *self)
{
  int at = gtk_list_box_row_get_index (row);

  if (at >= 0 && (guint) at < self->indices->len)
    g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, (guint) g_array_index (self->indices, gsize, at));
}

static void
top_k_changed_cb (GtkSpinButton *spin,
                  CsUsedCases   *self)
{
  cs_used_cases_set_top_k (self, (guint) gtk_spin_button_get_value_as_int (spin));
}

guint
cs_used_cases_get_top_k (CsUsedCases *self)
{
  g_return_val_if_fail (CS_IS_USED_CASES (self), TOP_K_DEFAULT);
  return self->top_k;
}

void
cs_used_cases_set_top_k (CsUsedCases *self,
                         guint        k)
{
  g_return_if_fail (CS_IS_USED_CASES (self));
  k = CLAMP (k, TOP_K_MIN, TOP_K_MAX);
  if (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->top_k_spin)) != (int) k)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->top_k_spin), k);
  if (self->top_k == k)
    return;
  self->top_k = k;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOP_K]);
}

static void
cs_used_cases_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsUsedCases *self = CS_USED_CASES (object);

  switch (prop_id)
    {
    case PROP_TOP_K:
      g_value_set_uint (value, self->top_k);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_used_cases_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsUsedCases *self = CS_USED_CASES (object);

  switch (prop_id)
    {
    case PROP_TOP_K:
      cs_used_cases_set_top_k (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_used_cases_finalize (GObject *object)
{
  CsUsedCases *self = CS_USED_CASES (object);

  g_array_unref (self->indices);
  G_OBJECT_CLASS (cs_used_cases_parent_class)->finalize (object);
}

static void
cs_used_cases_class_init (CsUsedCasesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_used_cases_get_property;
  object_class->set_property = cs_used_cases_set_property;
  object_class->finalize = cs_used_cases_finalize;

  properties[PROP_TOP_K] = g_param_spec_uint ("top-k", NULL, NULL, TOP_K_MIN, TOP_K_MAX, TOP_K_DEFAULT,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                              G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_OPEN_CASE] = g_signal_new ("open-case", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /* Keep the UI resources linked in from the static library: a test may use this widget alone. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-used-cases.ui");
  gtk_widget_class_bind_template_child (widget_class, CsUsedCases, top_k_label);
  gtk_widget_class_bind_template_child (widget_class, CsUsedCases, top_k_spin);
  gtk_widget_class_bind_template_child (widget_class, CsUsedCases, used_list);
  gtk_widget_class_bind_template_child (widget_class, CsUsedCases, decomposition_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, top_k_changed_cb);
}

static void
cs_used_cases_init (CsUsedCases *self)
{
  self->indices = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->top_k = TOP_K_DEFAULT;
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cs_used_cases_new (void)
{
  return g_object_new (CS_TYPE_USED_CASES, NULL);
}
