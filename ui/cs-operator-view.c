/* cs-operator-view.c: the operator page: the case table, then the query editor, prediction card, fail-safe panel,
 * cases used and per-query charts (cs-operator-view.ui), all updated live from a CsEngine. The page runs the queries
 * in a worker and hands each result to its child widgets. */
#define G_LOG_DOMAIN "cs-operator-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"
#include "cs-chart-view.h"
#include "cs-chart-data.h"
#include "cs-failsafe-panel.h"
#include "cs-operator-view.h"
#include "cs-operator-view-private.h"
#include "cs-query-editor.h"
#include "cs-set-aside.h"
#include "cs-settings.h"
#include "cs-used-cases.h"
#include "cs-widgets.h"

struct _CsOperatorView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *paned;
  GtkWidget *table;             /* CsCaseTable */
  GtkWidget *query_editor;      /* CsQueryEditor */
  GtkWidget *prediction_label;
  GtkWidget *stderr_label;
  GtkWidget *spec_lower_entry;
  GtkWidget *spec_upper_entry;
  GtkWidget *spec_label;        /* "in spec, 97 %": beside the card, never over the fail-safe verdict */
  GtkWidget *neff_label;
  GtkWidget *window_label;
  GtkWidget *sum_label;
  GtkWidget *failsafe_panel;    /* CsFailsafePanel */
  GtkWidget *used_cases;        /* CsUsedCases */
  GtkWidget *notebook;
  GtkWidget *plane_a;
  GtkWidget *plane_b;
  GPtrArray *charts;            /* CsChartView* (borrowed from the notebook), in the order of page_charts */

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  CsQueryResult *result;
  GCancellable *cancellable;
  guint serial;
  guint shown_serial;
  gboolean dark;
  CsIntervalSpec spec;          /* the interval's level and this case base's spec limits (settings per file) */
};

G_DEFINE_FINAL_TYPE (CsOperatorView, cs_operator_view, GTK_TYPE_WIDGET)

enum { SIGNAL_OPEN_CASE, SIGNAL_SPEC_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The per-query charts, in notebook order. */
static const struct
{
  CsChartKind kind;
  const char *name;
  const char *title;
} page_charts[] = {
  { CS_CHART_CASE_ATTENTION, "case-attention", N_("Case attention") },
  { CS_CHART_FEATURE_MAP, "feature-map", N_("Feature map") },
  { CS_CHART_WINDOW, "window", N_("Window along the case base") },
};

static void run_query (CsOperatorView *self);

/* ---- Case table (CsCaseTable) -------------------------------------------------- */

static void
make_query_case (CsOperatorView *self,
                 gsize           i)
{
  /* The editor emits "query-changed" at once: query_changed_cb runs the query. */
  cs_query_editor_set_query (CS_QUERY_EDITOR (self->query_editor), i);
}

/* The user chose a case in the table: it becomes the query (unless it already is, unedited). */
static void
table_case_selected_cb (CsCaseTable    *table,
                        guint           i,
                        CsOperatorView *self)
{
  CsQueryEditor *editor = CS_QUERY_EDITOR (self->query_editor);

  if (cs_query_editor_get_exclude (editor) == (gssize) i && !cs_query_editor_get_edited (editor))
    return;
  make_query_case (self, i);
}

gboolean
cs_operator_view_is_sorting (CsOperatorView *self)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), FALSE);
  return cs_case_table_is_sorting (CS_CASE_TABLE (self->table))
         || cs_case_table_is_showing_columns (CS_CASE_TABLE (self->table));
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

/* ---- Results ------------------------------------------------------------------ */

static char *
with_unit (double      v,
           const char *unit)
{
  g_autofree char *num = cs_format_number (v);

  return unit != NULL && *unit ? g_strdup_printf ("%s %s", num, unit) : g_strdup (num);
}

static void
update_card (CsOperatorView *self)
{
  const CsQueryResult *r = self->result;
  CsCaseBase *c = self->cases;

  if (r == NULL || c == NULL || !r->valid)
    {
      GtkWidget *rest[] = { self->spec_label, self->neff_label, self->window_label, self->sum_label };

      gtk_label_set_text (GTK_LABEL (self->prediction_label), r == NULL || c == NULL ? _("—") : _("No prediction"));
      gtk_label_set_text (GTK_LABEL (self->stderr_label),
                          r == NULL || c == NULL ? "" : cs_engine_failure_reason (r->report.failure));
      for (guint i = 0; i < G_N_ELEMENTS (rest); i++)
        gtk_label_set_text (GTK_LABEL (rest[i]), "");
      return;
    }
  {
    g_autofree char *pred = with_unit (r->prediction.prediction, c->target_unit);
    g_autofree char *se = with_unit (r->prediction.std_error, c->target_unit);
    g_autofree char *pred_text = g_strdup_printf ("%s %s", c->target_name, pred);
    g_autofree char *se_text = g_strdup_printf (_("± %s (standard error)"), se);
    g_autofree char *neff = g_strdup_printf (_("n_eff = %.1f effective cases of %zu"), r->prediction.n_eff,
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
    window = g_strdup_printf (_("The model %s of this one."), words);
    tip = g_strdup_printf (_("Window of the %s metric. 90 %% of the attention mass lies within a standardised "
                             "distance of %.3f; the nearest case is at %.3f."), self->engine->metric_label,
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


/* The plane the user chose in the two drop-downs (0 is "automatic"), as chart options. */
static void
chart_options (CsOperatorView *self,
               CsChartOptions *o)
{
  guint a = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->plane_a));
  guint b = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->plane_b));

  cs_chart_options_init (o);
  o->window = CS_WINDOW_MEASURE_N_EFF;
  if (self->cases != NULL && a != GTK_INVALID_LIST_POSITION && b != GTK_INVALID_LIST_POSITION && a > 0 && b > 0
      && a != b && a <= self->cases->d && b <= self->cases->d)
    {
      o->feature_x = (gssize) a - 1;
      o->feature_y = (gssize) b - 1;
    }
}

static void
update_charts (CsOperatorView *self)
{
  CsChartOptions o;

  chart_options (self, &o);
  for (guint t = 0; t < self->charts->len; t++)
    {
      CsChartView *view = g_ptr_array_index (self->charts, t);

      /* The view keeps the plane (its feature properties): a redraw, an export and its summary then agree. */
      cs_chart_view_set_features (view, (int) o.feature_x, (int) o.feature_y);
      cs_chart_data_attach (view, self->engine, self->result);
    }
}

static void
plane_changed_cb (GtkDropDown    *drop_down,
                  GParamSpec     *pspec,
                  CsOperatorView *self)
{
  update_charts (self);
}

/* What a query's callback needs besides the view: each chart's options as run_query read them on the main
 * thread (the engine builds the charts with them in the query's worker, cs_engine_query_charts_async). */
typedef struct
{
  CsOperatorView *self;
  CsChartOptions options[G_N_ELEMENTS (page_charts)];
} QueryCall;

static void
show_panels (CsOperatorView *self)
{
  update_card (self);
  cs_used_cases_set_result (CS_USED_CASES (self->used_cases), self->cases, self->result);
  cs_failsafe_panel_set_result (CS_FAILSAFE_PANEL (self->failsafe_panel), self->result);
}

static void
show_result (CsOperatorView       *self,
             CsEngineChart       **built,
             const CsChartOptions *options)
{
  gint64 t0 = g_get_monotonic_time (), t1, t2;

  show_panels (self);
  t1 = g_get_monotonic_time ();
  for (guint t = 0; t < self->charts->len; t++)
    {
      CsChartView *view = g_ptr_array_index (self->charts, t);
      CsChartOptions now;

      /* The plane changed while the worker built: build this one again here, with the plane shown. */
      cs_chart_data_options (view, self->engine, &now);
      if (now.feature_x != options[t].feature_x || now.feature_y != options[t].feature_y
          || now.window != options[t].window)
        cs_chart_data_attach (view, self->engine, self->result);
      else if (built[t] != NULL)
        cs_chart_data_attach_built (view, g_steal_pointer (&built[t]), self->engine, self->result);
      else
        cs_chart_data_attach (view, self->engine, NULL);   /* its placeholder */
    }
  t2 = g_get_monotonic_time ();
  g_debug ("result shown: panels %.1f ms, charts attached %.1f ms", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *res,
               gpointer      user_data)
{
  QueryCall *call = user_data;
  CsOperatorView *self = call->self;
  g_autoptr(GError) error = NULL;
  CsEngineChart *built[G_N_ELEMENTS (page_charts)] = { NULL };
  CsQueryResult *r = cs_engine_query_charts_finish (res, built, &error);

  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Query failed: %s", error->message);
    }
  else if (r->engine != self->engine || r->serial < self->shown_serial || self->paned == NULL)
    cs_query_result_free (r);
  else
    {
      g_clear_pointer (&self->result, cs_query_result_free);
      self->result = r;
      self->shown_serial = r->serial;
      show_result (self, built, call->options);
    }
  for (guint t = 0; t < G_N_ELEMENTS (built); t++)
    g_clear_pointer (&built[t], cs_engine_chart_free);
  g_object_unref (self);
  g_free (call);
}

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

  if (*text == '\0')
    {
      *v = NAN;
      return TRUE;
    }
  /* '.' or the locale's decimal separator (a German user types "41,2") */
  return cs_entry_parse_number (text, v);
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
      gtk_widget_set_tooltip_text (entry, why != NULL ? why : _("Not a number (leave empty for no limit)"));
      return;
    }
  gtk_widget_remove_css_class (self->spec_lower_entry, "error");
  gtk_widget_remove_css_class (self->spec_upper_entry, "error");
  gtk_widget_set_tooltip_text (entry, NULL);
  self->spec = spec;
  cs_settings_set_spec (cs_settings_get_default (), spec_source (self), spec.spec_lower, spec.spec_upper);
  cs_case_table_set_spec_limits (CS_CASE_TABLE (self->table), spec.spec_lower, spec.spec_upper);
  g_signal_emit (self, signals[SIGNAL_SPEC_CHANGED], 0);
  run_query (self);
}

static void
run_query (CsOperatorView *self)
{
  CsQueryEditor *editor = CS_QUERY_EDITOR (self->query_editor);
  const double *query = cs_query_editor_get_query (editor);
  gsize n_cat;
  g_autofree gint *levels = NULL;
  CsChartKind kinds[G_N_ELEMENTS (page_charts)];
  CsChartOptions o;
  QueryCall *call;

  if (self->engine == NULL || query == NULL)
    return;
  /* The editor's values by name, as the engine codes them (-1: a value the engine's case base lacks: flagged) */
  n_cat = cs_engine_n_categories (self->engine);
  if (n_cat > 0)
    {
      levels = g_new (gint, n_cat);
      for (gsize c = 0; c < n_cat; c++)
        levels[c] = cs_engine_category_level (self->engine, c, cs_query_editor_get_level (editor, c));
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  call = g_new0 (QueryCall, 1);
  call->self = g_object_ref (self);
  /* each view's plane as update_charts sets it */
  chart_options (self, &o);
  for (guint t = 0; t < self->charts->len; t++)
    {
      kinds[t] = page_charts[t].kind;
      cs_chart_view_set_features (g_ptr_array_index (self->charts, t), (int) o.feature_x, (int) o.feature_y);
      cs_chart_data_options (g_ptr_array_index (self->charts, t), self->engine, &call->options[t]);
    }
  cs_engine_query_charts_async (self->engine, query, levels, cs_query_editor_get_exclude (editor),
                                cs_used_cases_get_top_k (CS_USED_CASES (self->used_cases)), &self->spec,
                                ++self->serial, kinds, call->options, self->charts->len, self->cancellable,
                                query_done_cb, call);
}

static void
query_changed_cb (CsQueryEditor  *editor,
                  CsOperatorView *self)
{
  run_query (self);
}

static void
top_k_changed_cb (CsUsedCases    *used,
                  GParamSpec     *pspec,
                  CsOperatorView *self)
{
  cs_settings_set_int (cs_settings_get_default (), "operator", "top-k", (int) cs_used_cases_get_top_k (used));
  run_query (self);
}

static void
used_open_case_cb (CsUsedCases    *used,
                   guint           index,
                   CsOperatorView *self)
{
  g_signal_emit (self, signals[SIGNAL_OPEN_CASE], 0, index);
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
  cs_query_editor_set_cases (CS_QUERY_EDITOR (self->query_editor), cases);
  cs_case_table_set_cases (CS_CASE_TABLE (self->table), cases);
  cs_case_table_set_spec_limits (CS_CASE_TABLE (self->table), self->spec.spec_lower, self->spec.spec_upper);
  g_signal_emit (self, signals[SIGNAL_SPEC_CHANGED], 0);
  {
    g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) names_b = gtk_string_list_new (NULL);

    gtk_string_list_append (names, _("automatic"));
    gtk_string_list_append (names_b, _("automatic"));
    for (gsize j = 0; cases != NULL && j < cases->d; j++)
      {
        gtk_string_list_append (names, cases->feature_names[j]);
        gtk_string_list_append (names_b, cases->feature_names[j]);
      }
    gtk_drop_down_set_model (GTK_DROP_DOWN (self->plane_a), G_LIST_MODEL (names));
    gtk_drop_down_set_model (GTK_DROP_DOWN (self->plane_b), G_LIST_MODEL (names_b));
  }
  show_panels (self);
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
  if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) < 0
      && !cs_query_editor_get_edited (CS_QUERY_EDITOR (self->query_editor)) && self->cases->n > 0)
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
  if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) != (gssize) index
      || cs_query_editor_get_edited (CS_QUERY_EDITOR (self->query_editor)))
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
  cs_query_editor_set_feature (CS_QUERY_EDITOR (self->query_editor), j, value);
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
  return self->serial + (cs_query_editor_is_pending (CS_QUERY_EDITOR (self->query_editor)) ? 1 : 0);
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
  /* notify::top-k keeps the setting and runs the query (top_k_changed_cb) */
  cs_used_cases_set_top_k (CS_USED_CASES (self->used_cases), k);
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


static void
cs_operator_view_dispose (GObject *object)
{
  CsOperatorView *self = CS_OPERATOR_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_OPERATOR_VIEW);
  self->table = NULL;
  self->paned = NULL;           /* query_done_cb looks at it: the widgets are gone */
  g_clear_pointer (&self->result, cs_query_result_free);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  G_OBJECT_CLASS (cs_operator_view_parent_class)->dispose (object);
}

static void
cs_operator_view_finalize (GObject *object)
{
  CsOperatorView *self = CS_OPERATOR_VIEW (object);

  g_ptr_array_unref (self->charts);
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
  signals[SIGNAL_SPEC_CHANGED] = g_signal_new ("spec-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                               NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_OPEN_CASE] = g_signal_new_class_handler ("open-case", G_TYPE_FROM_CLASS (klass),
                                                          G_SIGNAL_RUN_LAST, G_CALLBACK (open_case_default),
                                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (CS_TYPE_QUERY_EDITOR);
  g_type_ensure (CS_TYPE_FAILSAFE_PANEL);
  g_type_ensure (CS_TYPE_USED_CASES);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-operator-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, paned);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, table);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, query_editor);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, prediction_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, stderr_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, spec_lower_entry);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, spec_upper_entry);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, spec_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, neff_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, window_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, sum_label);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, failsafe_panel);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, used_cases);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, notebook);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, plane_a);
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, plane_b);
  gtk_widget_class_bind_template_callback (widget_class, table_case_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, query_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, spec_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, top_k_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, used_open_case_cb);
  gtk_widget_class_bind_template_callback (widget_class, plane_changed_cb);
}

static void
cs_operator_view_init (CsOperatorView *self)
{
  self->charts = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The saved count, without saving it again */
  g_signal_handlers_block_by_func (self->used_cases, top_k_changed_cb, self);
  cs_used_cases_set_top_k (CS_USED_CASES (self->used_cases),
                           (guint) CLAMP (cs_settings_get_int (cs_settings_get_default (), "operator", "top-k", 8),
                                          1, 50));
  g_signal_handlers_unblock_by_func (self->used_cases, top_k_changed_cb, self);
  for (guint t = 0; t < G_N_ELEMENTS (page_charts); t++)
    {
      GtkWidget *chart = cs_chart_view_new_for_kind (page_charts[t].kind, _(page_charts[t].title));
      gtk_widget_set_name (chart, page_charts[t].name);
      gtk_notebook_append_page (GTK_NOTEBOOK (self->notebook), chart, gtk_label_new (_(page_charts[t].title)));
      g_ptr_array_add (self->charts, chart);
    }
  cs_failsafe_panel_set_result (CS_FAILSAFE_PANEL (self->failsafe_panel), NULL);
}

const CsIntervalSpec *
cs_operator_view_get_spec (CsOperatorView *self)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), NULL);
  return &self->spec;
}

GtkWidget *
cs_operator_view_new (void)
{
  return g_object_new (CS_TYPE_OPERATOR_VIEW, NULL);
}
