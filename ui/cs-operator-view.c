/* cs-operator-view.c: the operator page: the case table, then the query editor, prediction card, fail-safe panel,
 * cases used and per-query charts (cs-operator-view.ui), all updated live from a CsEngine. The page runs the queries
 * in a worker and hands each result to its child widgets. */
#define G_LOG_DOMAIN "cs-operator-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "cs-case-list.h"
#include "cs-chart-view.h"
#include "cs-chart-data.h"
#include "cs-failsafe-panel.h"
#include "cs-operator-view.h"
#include "cs-operator-view-private.h"
#include "cs-query-editor.h"
#include "cs-set-aside.h"
#include "cs-settings.h"
#include "cs-used-cases.h"

struct _CsOperatorView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *paned;
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

  /* The case table (built in code) */
  GtkWidget *search_entry;
  GtkWidget *flag_filter;
  GtkWidget *spec_filter;       /* all / in spec / out of spec / borderline, beside the verdict filter */
  GtkWidget *count_label;
  GtkWidget *column_view;
  GPtrArray *charts;            /* CsChartView* (borrowed from the notebook), in the order of page_charts */
  GHashTable *flag_labels;      /* bound flag-column labels -> case index + 1 */
  GHashTable *spec_labels;      /* bound "In spec" labels -> case index + 1 */
  GtkColumnViewColumn *spec_column; /* borrowed from the column view; hidden without limits */
  CsCaseList *case_list;        /* borrowed from the filter model */
  guint *inverse;               /* case index -> position in case_list, NULL in file order */
  GCancellable *sort_cancellable;
  gboolean sorting;
  gboolean reordering;          /* the table is being reordered: selection changes are not the user's */

  /* Owned references */
  CsCaseBase *cases;
  CsEngine *engine;
  CsQueryResult *result;
  GtkSingleSelection *selection;
  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;
  GCancellable *cancellable;
  guint serial;
  guint shown_serial;
  gboolean dark;
  CsIntervalSpec spec;          /* the interval's level and this case base's spec limits (settings per file) */
  double *case_p_in_spec;       /* n leave-one-out p_in_spec for the "In spec" column (NaN: not computed, outside
                                 * the per-case sample or no prediction); NULL without limits or while computing */
  GCancellable *spec_cancellable;
  gboolean spec_pending;
};

G_DEFINE_FINAL_TYPE (CsOperatorView, cs_operator_view, GTK_TYPE_WIDGET)

enum { SIGNAL_OPEN_CASE, N_SIGNALS };
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

/* ---- Case table ------------------------------------------------------------ */

static char *
column_title (const char *name,
              const char *unit)
{
  return unit != NULL && *unit != '\0' ? g_strdup_printf ("%s [%s]", name, unit) : g_strdup (name);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  int column = GPOINTER_TO_INT (user_data);

  gtk_label_set_xalign (GTK_LABEL (label), column == -1 || column == -3 ? 0.0 : 1.0);
  if (column != -1 && column != -3)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static const char *
verdict_text (CsVerdict v)
{
  switch (v)
    {
    case CS_VERDICT_OK: return "ok";
    case CS_VERDICT_CHECK: return "⚠ check";
    case CS_VERDICT_STOP: return "✖ stop";
    default: return "";
    }
}

static char *
case_flags_text (CsEngine *engine,
                 gsize     i)
{
  GString *s;

  if (engine == NULL || engine->case_verdict == NULL || i >= engine->cases->n)
    return g_strdup ("");
  s = g_string_new (verdict_text (engine->case_verdict[i]));
  for (int f = 0; f < CS_FLAG_N_KINDS; f++)
    if (engine->case_flags[i] & (1u << f))
      g_string_append_printf (s, " %s", cs_engine_flag_name ((CsFlagKind) f));
  return g_string_free (s, FALSE);
}

static void
set_flag_label (CsOperatorView *self,
                GtkLabel       *label,
                gsize           i)
{
  g_autofree char *text = case_flags_text (self->engine, i);

  gtk_label_set_text (label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-check");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-stop");
  if (self->engine != NULL && self->engine->case_verdict != NULL && i < self->engine->cases->n)
    {
      if (self->engine->case_verdict[i] == CS_VERDICT_CHECK)
        gtk_widget_add_css_class (GTK_WIDGET (label), "flag-check");
      else if (self->engine->case_verdict[i] == CS_VERDICT_STOP)
        gtk_widget_add_css_class (GTK_WIDGET (label), "flag-stop");
    }
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  CsOperatorView *self = g_object_get_data (G_OBJECT (factory), "view");

  if (GPOINTER_TO_INT (user_data) == -3)
    g_hash_table_remove (self->flag_labels, gtk_list_item_get_child (item));
  else if (GPOINTER_TO_INT (user_data) == -4)
    g_hash_table_remove (self->spec_labels, gtk_list_item_get_child (item));
}

/* The "In spec" cell: "97 %", the share rounded as cs_query_result_spec_words rounds it; empty when not computed. */
static void
set_spec_label (CsOperatorView *self,
                GtkLabel       *label,
                gsize           i)
{
  char buf[16] = "";

  if (self->case_p_in_spec != NULL && self->cases != NULL && i < self->cases->n
      && isfinite (self->case_p_in_spec[i]))
    g_snprintf (buf, sizeof buf, "%.0f %%", floor (100 * self->case_p_in_spec[i] + 0.5));
  gtk_label_set_text (label, buf);
}

/* user_data: column index (0..d-1 feature, d target), -1 label, -2 source line, -3 flags, -4 in spec. */
static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  CsOperatorView *self = g_object_get_data (G_OBJECT (factory), "view");
  CsCaseRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  int column = GPOINTER_TO_INT (user_data);
  CsCaseBase *cases = cs_case_row_get_cases (row);
  guint i = cs_case_row_get_index (row);
  char buf[64];

  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-check");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "flag-stop");
  cs_set_aside_mark_cell (GTK_WIDGET (label), cases->line[i]);   /* the table's "Set Aside…" menu */
  if (column == -1)
    {
      gtk_label_set_text (label, cases->ids != NULL ? cases->ids[i] : "");
      return;
    }
  if (column == -3)
    {
      g_hash_table_insert (self->flag_labels, label, GUINT_TO_POINTER (i + 1));
      set_flag_label (self, label, i);
      return;
    }
  if (column == -4)
    {
      g_hash_table_insert (self->spec_labels, label, GUINT_TO_POINTER (i + 1));
      set_spec_label (self, label, i);
      return;
    }
  if (column == -2)
    g_snprintf (buf, sizeof buf, "%u", cases->line[i]);
  else
    g_snprintf (buf, sizeof buf, "%.6g", cs_case_row_get_value (row, (guint) column));
  gtk_label_set_text (label, buf);
}

typedef struct
{
  int column;
  CsOperatorView *view;
} SortKey;

/* GTK 4.8 cannot tell which column the view sorts by (gtk_column_view_sorter_get_primary_sort_column is
 * 4.10): while probing, the column sorters report who was asked first and the view's answer tells the order. */
static int probe_column = G_MININT;
static gboolean probing;

/* The view's sorter is never attached to a model (a million rows would sort on the main thread); it is only
 * asked once, with probing set, to learn the column and the direction. */
static int
compare_rows_cb (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  SortKey *key = user_data;

  if (probing && probe_column == G_MININT)
    probe_column = key->column;
  return GTK_ORDERING_SMALLER;
}

static GtkColumnViewColumn *
add_column (CsOperatorView *self,
            const char     *title,
            int             column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;
  GtkSorter *sorter;
  SortKey *key = g_new0 (SortKey, 1);

  key->column = column;
  key->view = self;
  g_object_set_data (G_OBJECT (factory), "view", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows_cb, key, g_free));
  gtk_column_view_column_set_sorter (col, sorter);
  g_object_unref (sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (GTK_COLUMN_VIEW (self->column_view), col);
  g_object_unref (col);
  return col;
}

static gboolean
filter_row_cb (gpointer item,
               gpointer user_data)
{
  CsOperatorView *self = user_data;
  CsCaseRow *row = item;
  CsCaseBase *cases = cs_case_row_get_cases (row);
  guint i = cs_case_row_get_index (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->flag_filter));

  if (mode > 0)
    {
      CsVerdict v = self->engine != NULL && self->engine->case_verdict != NULL
                    ? self->engine->case_verdict[i] : CS_VERDICT_OK;
      if (mode == 1 && v == CS_VERDICT_OK)
        return FALSE;
      if (mode == 2 && v != CS_VERDICT_STOP)
        return FALSE;
    }
  mode = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->spec_filter));
  if (mode > 0 && mode != GTK_INVALID_LIST_POSITION)
    {
      double p = self->case_p_in_spec != NULL ? self->case_p_in_spec[i] : NAN;

      /* The words' cut-offs (cs_query_result_spec_words): in spec from 0.9, out of spec up to 0.1. A case
       * without a computed share matches none of them. */
      if (!isfinite (p))
        return FALSE;
      if (mode == 1 && p < 0.9)
        return FALSE;
      if (mode == 2 && p > 0.1)
        return FALSE;
      if (mode == 3 && (p >= 0.9 || p <= 0.1))
        return FALSE;
    }
  if (text == NULL || *text == '\0')
    return TRUE;
  if (cases->ids != NULL && strstr (cases->ids[i], text) != NULL)
    return TRUE;
  {
    char buf[16];
    g_snprintf (buf, sizeof buf, "%u", cases->line[i]);
    return g_str_equal (buf, text);
  }
}

static void
update_count (CsOperatorView *self)
{
  g_autofree char *text = NULL;
  guint shown = self->filter_model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) : 0;

  if (self->cases == NULL)
    text = g_strdup ("");
  else if (shown == self->cases->n)
    text = g_strdup_printf ("%u cases", shown);
  else
    text = g_strdup_printf ("%u of %zu cases", shown, self->cases->n);
  gtk_label_set_text (GTK_LABEL (self->count_label), text);
}

static void
filter_changed (CsOperatorView *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   CsOperatorView *self)
{
  filter_changed (self);
}

static void
flag_filter_cb (GObject        *object,
                GParamSpec     *pspec,
                CsOperatorView *self)
{
  filter_changed (self);
}

static void
filter_items_changed_cb (GListModel     *model,
                         guint           position,
                         guint           removed,
                         guint           added,
                         CsOperatorView *self)
{
  update_count (self);
}

static void
make_query_case (CsOperatorView *self,
                 gsize           i)
{
  /* The editor emits "query-changed" at once: query_changed_cb runs the query. */
  cs_query_editor_set_query (CS_QUERY_EDITOR (self->query_editor), i);
}

static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      CsOperatorView     *self)
{
  CsQueryEditor *editor = CS_QUERY_EDITOR (self->query_editor);
  CsCaseRow *row = gtk_single_selection_get_selected_item (selection);
  guint i;

  if (self->reordering)
    return;
  if (row == NULL || self->cases == NULL || cs_case_row_get_cases (row) != self->cases)
    return;
  i = cs_case_row_get_index (row);
  if (cs_query_editor_get_exclude (editor) == (gssize) i && !cs_query_editor_get_edited (editor))
    return;
  make_query_case (self, i);
}
typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;             /* for the flags column, may be NULL */
  double *p_in_spec;            /* copy for the "In spec" column, may be NULL */
  int column;
  gboolean descending;
  guint *order;
  guint *inverse;
} SortJob;

static void
sort_job_free (gpointer data)
{
  SortJob *job = data;

  cs_case_base_unref (job->cases);
  g_clear_pointer (&job->engine, cs_engine_unref);
  g_free (job->p_in_spec);
  g_free (job->order);
  g_free (job->inverse);
  g_free (job);
}

typedef struct
{
  double key;
  guint index;
} SortItem;

static int
cmp_sort_item (const void *a,
               const void *b)
{
  const SortItem *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static const char * const *sort_ids;   /* only read inside qsort_r-free string sort below */

static int
cmp_sort_id (const void *a,
             const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  int c = g_strcmp0 (sort_ids[x], sort_ids[y]);

  return c != 0 ? c : (x > y) - (x < y);
}

static GMutex sort_ids_lock;

static void
sort_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SortJob *job = task_data;
  CsCaseBase *c = job->cases;
  gsize n = c->n;

  job->order = g_new (guint, MAX (n, 1));
  job->inverse = g_new (guint, MAX (n, 1));
  if (job->column == -1 && c->ids != NULL)
    {
      for (gsize i = 0; i < n; i++)
        job->order[i] = (guint) i;
      g_mutex_lock (&sort_ids_lock);
      sort_ids = (const char * const *) c->ids;
      qsort (job->order, n, sizeof (guint), cmp_sort_id);
      sort_ids = NULL;
      g_mutex_unlock (&sort_ids_lock);
    }
  else
    {
      g_autofree SortItem *items = g_new (SortItem, MAX (n, 1));

      for (gsize i = 0; i < n; i++)
        {
          double v;
          if (job->column == -3)
            v = job->engine != NULL && job->engine->case_verdict != NULL ? job->engine->case_verdict[i] : 0;
          else if (job->column == -4)   /* not computed sorts first, and NaN would break the comparison */
            v = job->p_in_spec != NULL && isfinite (job->p_in_spec[i]) ? job->p_in_spec[i] : -1;
          else if (job->column < 0)
            v = (double) i;
          else if ((gsize) job->column < c->d)
            v = c->x[i * c->d + (gsize) job->column];
          else
            v = c->y[i];
          items[i] = (SortItem) { v, (guint) i };
        }
      qsort (items, n, sizeof (SortItem), cmp_sort_item);
      for (gsize i = 0; i < n; i++)
        job->order[i] = items[i].index;
    }
  if (job->descending)
    for (gsize i = 0; i < n / 2; i++)
      {
        guint t = job->order[i];
        job->order[i] = job->order[n - 1 - i];
        job->order[n - 1 - i] = t;
      }
  for (gsize p = 0; p < n; p++)
    job->inverse[job->order[p]] = (guint) p;
  g_task_return_boolean (task, !g_cancellable_is_cancelled (cancellable));
}

static void
sort_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsOperatorView *self = user_data;
  SortJob *job = g_task_get_task_data (G_TASK (result));

  if (g_task_propagate_boolean (G_TASK (result), NULL) && job->cases == self->cases && self->case_list != NULL)
    {
      g_free (self->inverse);
      self->inverse = g_steal_pointer (&job->inverse);
      self->reordering = TRUE;
      cs_case_list_set_order (self->case_list, g_steal_pointer (&job->order));
      self->reordering = FALSE;
      self->sorting = FALSE;
      /* Keep the query case selected at its new place. */
      if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) >= 0)
        cs_operator_view_select_case (self,
                                      (gsize) cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)));
    }
  g_object_unref (self);
}

static void
sorter_changed_cb (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   CsOperatorView  *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CsCaseRow) a = NULL;
  g_autoptr(CsCaseRow) b = NULL;
  SortJob *job;
  int answer;

  if (self->case_list == NULL || self->cases == NULL || self->cases->n < 2)
    return;
  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  if (gtk_sorter_get_order (sorter) == GTK_SORTER_ORDER_NONE)
    {
      self->sorting = FALSE;
      g_clear_pointer (&self->inverse, g_free);
      self->reordering = TRUE;
      cs_case_list_set_order (self->case_list, NULL);
      self->reordering = FALSE;
      if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) >= 0)
        cs_operator_view_select_case (self,
                                      (gsize) cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)));
      return;
    }
  a = g_list_model_get_item (G_LIST_MODEL (self->case_list), 0);
  b = g_list_model_get_item (G_LIST_MODEL (self->case_list), 1);
  probing = TRUE;
  probe_column = G_MININT;
  answer = gtk_sorter_compare (sorter, a, b);
  probing = FALSE;
  if (probe_column == G_MININT)
    return;
  job = g_new0 (SortJob, 1);
  job->cases = cs_case_base_ref (self->cases);
  job->engine = self->engine != NULL ? cs_engine_ref (self->engine) : NULL;
  job->column = probe_column;
  if (probe_column == -4 && self->case_p_in_spec != NULL)
    job->p_in_spec = g_memdup2 (self->case_p_in_spec, sizeof (double) * self->cases->n);
  job->descending = answer == GTK_ORDERING_LARGER;
  self->sort_cancellable = g_cancellable_new ();
  self->sorting = TRUE;
  task = g_task_new (NULL, self->sort_cancellable, sort_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, sort_job_free);
  g_task_run_in_thread (task, sort_thread);
}

gboolean
cs_operator_view_is_sorting (CsOperatorView *self)
{
  return self->sorting;
}

gboolean
cs_operator_view_is_spec_pending (CsOperatorView *self)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), FALSE);
  return self->spec_pending;
}

double
cs_operator_view_get_case_p_in_spec (CsOperatorView *self,
                                     gsize           index)
{
  g_return_val_if_fail (CS_IS_OPERATOR_VIEW (self), NAN);
  if (self->case_p_in_spec == NULL || self->cases == NULL || index >= self->cases->n)
    return NAN;
  return self->case_p_in_spec[index];
}

static void
rebuild_table (CsOperatorView *self)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (self->column_view);
  GListModel *columns = gtk_column_view_get_columns (view);
  g_autoptr(CsCaseList) list = NULL;

  /* Rows go first and come back last: a column added or removed while rows exist is added to or removed
   * from every row widget, one column at a time. */
  gtk_column_view_set_model (view, NULL);
  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (view, col);
    }
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_hash_table_remove_all (self->flag_labels);
  g_hash_table_remove_all (self->spec_labels);
  self->spec_column = NULL;

  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  g_clear_pointer (&self->inverse, g_free);
  self->sorting = FALSE;
  list = cs_case_list_new (self->cases);
  self->case_list = list;
  self->filter = gtk_custom_filter_new (filter_row_cb, self, NULL);
  g_object_ref (self->filter);
  /* Incremental before the filter is set, so a million rows never filter in one go. */
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (g_steal_pointer (&list)), NULL);
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  g_object_ref (self->filter_model);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->filter_model, "items-changed", G_CALLBACK (filter_items_changed_cb), self);

  if (self->cases != NULL)
    {
      add_column (self, "Line", -2);
      if (self->cases->ids != NULL)
        add_column (self, self->cases->id_name != NULL ? self->cases->id_name : "id", -1);
      for (gsize j = 0; j < self->cases->d; j++)
        {
          g_autofree char *t = column_title (self->cases->feature_names[j], self->cases->feature_units[j]);
          add_column (self, t, (int) j);
        }
      {
        g_autofree char *t = column_title (self->cases->target_name, self->cases->target_unit);
        add_column (self, t, (int) self->cases->d);
      }
      add_column (self, "Flags", -3);
      /* Beside the verdict, never in its place: shown while limits are set (refresh_case_spec). */
      self->spec_column = add_column (self, "In spec", -4);
      gtk_column_view_column_set_visible (self->spec_column, cs_interval_spec_has_limits (&self->spec));
    }
  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (self->selection));
  update_count (self);
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

static void
show_result (CsOperatorView *self)
{
  gint64 t0 = g_get_monotonic_time (), t1, t2;

  update_card (self);
  cs_used_cases_set_result (CS_USED_CASES (self->used_cases), self->cases, self->result);
  cs_failsafe_panel_set_result (CS_FAILSAFE_PANEL (self->failsafe_panel), self->result);
  t1 = g_get_monotonic_time ();
  update_charts (self);
  t2 = g_get_monotonic_time ();
  g_debug ("result shown: panels %.1f ms, charts %.1f ms", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
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
  if (r->engine != self->engine || r->serial < self->shown_serial || self->paned == NULL)
    {
      cs_query_result_free (r);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->result, cs_query_result_free);
  self->result = r;
  self->shown_serial = r->serial;
  show_result (self);
  g_object_unref (self);
}

/* ---- The "In spec" column: every case's leave-one-out p_in_spec, in one batch in a worker ---------- */

typedef struct
{
  CsEngine *engine;
  CsIntervalSpec spec;
  double *p;                    /* n, NaN where not computed */
} SpecJob;

static void
spec_job_free (gpointer data)
{
  SpecJob *job = data;

  cs_engine_unref (job->engine);
  g_free (job->p);
  g_free (job);
}

static void
spec_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SpecJob *job = task_data;
  CsEngine *e = job->engine;
  CsCaseBase *c = e->cases;
  gsize m = c->n;
  g_autofree double *queries = NULL;
  g_autofree gssize *exclude = NULL;
  CsQueryResult **results;
  GError *error = NULL;

  /* The verdict column's cases: every case up to the per-case limit, else the engine's per-case sample (each
   * query is O(n d), so a million cases would be 10^6 full predictions). */
  if (c->n > CS_ENGINE_PER_CASE_MAX && e->sample_rows != NULL && e->n_sample > 0)
    m = e->n_sample;
  job->p = g_new (double, MAX (c->n, 1));
  for (gsize i = 0; i < c->n; i++)
    job->p[i] = NAN;
  queries = g_new (double, MAX (m * c->d, 1));
  exclude = g_new (gssize, MAX (m, 1));
  for (gsize r = 0; r < m; r++)
    {
      gsize i = m == c->n ? r : e->sample_rows[r];
      memcpy (queries + r * c->d, c->x + i * c->d, sizeof (double) * c->d);
      exclude[r] = (gssize) i;   /* leave-one-out: the case does not see itself */
    }
  results = cs_engine_predict_spec (e, queries, m, exclude, 0, &job->spec, cancellable, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (gsize r = 0; r < m; r++)
    if (results[r] != NULL && results[r]->valid)
      job->p[exclude[r]] = results[r]->p_in_spec;
  cs_engine_results_free (results, m);
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

static void
refresh_spec_labels (CsOperatorView *self)
{
  GHashTableIter iter;
  gpointer label, index;

  g_hash_table_iter_init (&iter, self->spec_labels);
  while (g_hash_table_iter_next (&iter, &label, &index))
    set_spec_label (self, label, GPOINTER_TO_UINT (index) - 1);
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->spec_filter)) > 0)
    filter_changed (self);
}

static void
spec_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsOperatorView *self = user_data;
  SpecJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* A cancelled run was replaced (new limits, engine or case base) and its successor owns the column. */
  if (g_task_propagate_boolean (G_TASK (result), &error) && job->engine == self->engine)
    {
      g_free (self->case_p_in_spec);
      self->case_p_in_spec = g_steal_pointer (&job->p);
      self->spec_pending = FALSE;
      refresh_spec_labels (self);
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("In spec column: %s", error->message);
      if (job->engine == self->engine)
        self->spec_pending = FALSE;
    }
  g_object_unref (self);
}

/* Limits, engine or case base changed: drop the old shares and compute the new ones (or hide the column). */
static void
refresh_case_spec (CsOperatorView *self)
{
  gboolean limits = cs_interval_spec_has_limits (&self->spec);
  g_autoptr(GTask) task = NULL;
  SpecJob *job;

  g_cancellable_cancel (self->spec_cancellable);
  g_clear_object (&self->spec_cancellable);
  g_clear_pointer (&self->case_p_in_spec, g_free);
  self->spec_pending = FALSE;
  if (self->paned == NULL)      /* disposed: the widgets are gone, nothing to show or compute */
    return;
  if (self->spec_column != NULL)
    gtk_column_view_column_set_visible (self->spec_column, limits);
  gtk_widget_set_sensitive (self->spec_filter, limits);
  refresh_spec_labels (self);
  if (!limits || self->engine == NULL || self->cases == NULL || self->cases->n < 2)
    return;
  job = g_new0 (SpecJob, 1);
  job->engine = cs_engine_ref (self->engine);
  job->spec = self->spec;
  self->spec_cancellable = g_cancellable_new ();
  self->spec_pending = TRUE;
  task = g_task_new (NULL, self->spec_cancellable, spec_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, spec_job_free);
  g_task_run_in_thread (task, spec_thread);
}

static void
spec_filter_cb (GObject        *object,
                GParamSpec     *pspec,
                CsOperatorView *self)
{
  filter_changed (self);
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
      gtk_widget_set_tooltip_text (entry, why != NULL ? why : _("Not a number (leave empty for no limit)"));
      return;
    }
  gtk_widget_remove_css_class (self->spec_lower_entry, "error");
  gtk_widget_remove_css_class (self->spec_upper_entry, "error");
  gtk_widget_set_tooltip_text (entry, NULL);
  self->spec = spec;
  cs_settings_set_spec (cs_settings_get_default (), spec_source (self), spec.spec_lower, spec.spec_upper);
  refresh_case_spec (self);
  run_query (self);
}

static void
run_query (CsOperatorView *self)
{
  CsQueryEditor *editor = CS_QUERY_EDITOR (self->query_editor);
  const double *query = cs_query_editor_get_query (editor);

  if (self->engine == NULL || query == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  cs_engine_query_async_spec (self->engine, query, cs_query_editor_get_exclude (editor),
                              cs_used_cases_get_top_k (CS_USED_CASES (self->used_cases)), &self->spec,
                              ++self->serial, self->cancellable, query_done_cb, g_object_ref (self));
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
  rebuild_table (self);
  refresh_case_spec (self);
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
  show_result (self);
}

void
cs_operator_view_set_engine (CsOperatorView *self,
                             CsEngine       *engine)
{
  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));
  g_return_if_fail (engine == NULL || engine->cases == self->cases);

  GHashTableIter iter;
  gpointer label, index;

  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  /* Only the rows on screen need their flags now; the filter only when it looks at flags. */
  g_hash_table_iter_init (&iter, self->flag_labels);
  while (g_hash_table_iter_next (&iter, &label, &index))
    set_flag_label (self, label, GPOINTER_TO_UINT (index) - 1);
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->flag_filter)) > 0)
    filter_changed (self);
  refresh_case_spec (self);
  if (engine == NULL)
    return;
  if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) < 0
      && !cs_query_editor_get_edited (CS_QUERY_EDITOR (self->query_editor)) && self->cases->n > 0)
    cs_operator_view_select_case (self, 0);
  else
    run_query (self);
}

static void
scroll_to (CsOperatorView *self,
           guint           position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (self->column_view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
        return;
      }
}

void
cs_operator_view_select_case (CsOperatorView *self,
                              gsize           index)
{
  GListModel *model;
  guint n;

  g_return_if_fail (CS_IS_OPERATOR_VIEW (self));
  if (self->cases == NULL || index >= self->cases->n)
    return;
  if (cs_query_editor_get_exclude (CS_QUERY_EDITOR (self->query_editor)) != (gssize) index
      || cs_query_editor_get_edited (CS_QUERY_EDITOR (self->query_editor)))
    make_query_case (self, index);

  /* Show it in the table (without a second query). */
  model = G_LIST_MODEL (self->selection);
  n = g_list_model_get_n_items (model);
  {
    guint guess = self->inverse != NULL ? self->inverse[index] : (guint) index;   /* unfiltered position */
    if (guess < n)
      {
        g_autoptr(CsCaseRow) row = g_list_model_get_item (model, guess);
        if (row != NULL && cs_case_row_get_index (row) == index)
          {
            gtk_single_selection_set_selected (self->selection, guess);
            scroll_to (self, guess);
            return;
          }
      }
  }
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(CsCaseRow) row = g_list_model_get_item (model, p);
      if (cs_case_row_get_index (row) == index)
        {
          gtk_single_selection_set_selected (self->selection, p);
          scroll_to (self, p);
          return;
        }
    }
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
  gtk_widget_grab_focus (self->search_entry);
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

static GtkWidget *
build_table_side (CsOperatorView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  const char *modes[] = { "All cases", "Flagged", "Stop only", NULL };
  const char *spec_modes[] = { "Any spec", "In spec", "Out of spec", "Borderline", NULL };

  self->search_entry = gtk_search_entry_new ();
  gtk_widget_set_hexpand (self->search_entry, TRUE);
  g_object_set (self->search_entry, "placeholder-text", "Find a case by id or line (Ctrl+F)", NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Find a case", -1);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  self->flag_filter = gtk_drop_down_new_from_strings (modes);
  gtk_widget_set_tooltip_text (self->flag_filter, "Show only cases whose leave-one-out prediction is flagged");
  g_signal_connect (self->flag_filter, "notify::selected", G_CALLBACK (flag_filter_cb), self);
  self->spec_filter = gtk_drop_down_new_from_strings (spec_modes);
  gtk_widget_set_name (self->spec_filter, "spec-filter");
  gtk_widget_set_tooltip_text (self->spec_filter,
                               "Show only cases whose leave-one-out share in spec is at least 90 %, at most 10 % "
                               "or between (set spec limits first)");
  gtk_widget_set_sensitive (self->spec_filter, FALSE);
  g_signal_connect (self->spec_filter, "notify::selected", G_CALLBACK (spec_filter_cb), self);
  self->count_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->count_label, "dim-label");
  gtk_box_append (GTK_BOX (bar), self->search_entry);
  gtk_box_append (GTK_BOX (bar), self->flag_filter);
  gtk_box_append (GTK_BOX (bar), self->spec_filter);
  gtk_box_append (GTK_BOX (bar), self->count_label);
  gtk_box_append (GTK_BOX (box), bar);

  self->column_view = gtk_column_view_new (NULL);
  gtk_widget_set_name (self->column_view, "case-table");
  gtk_column_view_set_show_row_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_column_view_set_show_column_separators (GTK_COLUMN_VIEW (self->column_view), TRUE);
  gtk_widget_add_css_class (self->column_view, "data-table");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->column_view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}


static void
cs_operator_view_dispose (GObject *object)
{
  CsOperatorView *self = CS_OPERATOR_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  g_hash_table_remove_all (self->flag_labels);
  g_hash_table_remove_all (self->spec_labels);
  self->spec_column = NULL;
  g_cancellable_cancel (self->spec_cancellable);
  g_clear_object (&self->spec_cancellable);
  g_clear_pointer (&self->case_p_in_spec, g_free);
  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  g_clear_pointer (&self->inverse, g_free);
  self->case_list = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_OPERATOR_VIEW);
  self->paned = NULL;           /* refresh_case_spec and query_done_cb look at it: the widgets are gone */
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
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
  g_hash_table_unref (self->flag_labels);
  g_hash_table_unref (self->spec_labels);
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
  signals[SIGNAL_OPEN_CASE] = g_signal_new_class_handler ("open-case", G_TYPE_FROM_CLASS (klass),
                                                          G_SIGNAL_RUN_LAST, G_CALLBACK (open_case_default),
                                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (CS_TYPE_QUERY_EDITOR);
  g_type_ensure (CS_TYPE_FAILSAFE_PANEL);
  g_type_ensure (CS_TYPE_USED_CASES);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-operator-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CsOperatorView, paned);
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
  self->flag_labels = g_hash_table_new (NULL, NULL);
  self->spec_labels = g_hash_table_new (NULL, NULL);
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
  gtk_paned_set_start_child (GTK_PANED (self->paned), build_table_side (self));
  cs_set_aside_attach_table (self->column_view);
  g_signal_connect (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)), "changed",
                    G_CALLBACK (sorter_changed_cb), self);
  rebuild_table (self);
  cs_failsafe_panel_set_result (CS_FAILSAFE_PANEL (self->failsafe_panel), NULL);
}

GtkWidget *
cs_operator_view_new (void)
{
  return g_object_new (CS_TYPE_OPERATOR_VIEW, NULL);
}
