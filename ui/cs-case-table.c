/* cs-case-table.c: the case table (search, verdict and spec filters, count, a column view sorted in a worker). */
#define G_LOG_DOMAIN "cs-case-table"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"
#include "cs-set-aside.h"

G_DEFINE_FINAL_TYPE (CsCaseTable, cs_case_table, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_CASES, PROP_ENGINE, PROP_SPEC_LOWER, PROP_SPEC_UPPER, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CASE_SELECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- Filters and count ------------------------------------------------------------------------------------ */

static gboolean
filter_row_cb (gpointer item,
               gpointer user_data)
{
  CsCaseTable *self = user_data;
  CsCaseRow *row = item;
  CsCaseBase *cases = cs_case_row_get_cases (row);
  guint i = cs_case_row_get_index (row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  CsCaseTableVerdictFilter verdict = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->flag_filter));
  CsCaseTableSpecFilter spec = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->spec_filter));
  char buf[16];

  if (verdict == CS_CASE_TABLE_VERDICT_FLAGGED || verdict == CS_CASE_TABLE_VERDICT_STOP)
    {
      CsVerdict v = _cs_case_table_has_verdicts (self, i) ? self->engine->case_verdict[i] : CS_VERDICT_OK;

      if (verdict == CS_CASE_TABLE_VERDICT_FLAGGED && v == CS_VERDICT_OK)
        return FALSE;
      if (verdict == CS_CASE_TABLE_VERDICT_STOP && v != CS_VERDICT_STOP)
        return FALSE;
    }
  if (spec == CS_CASE_TABLE_SPEC_IN || spec == CS_CASE_TABLE_SPEC_OUT || spec == CS_CASE_TABLE_SPEC_BORDERLINE)
    {
      double p = self->case_p_in_spec != NULL ? self->case_p_in_spec[i] : NAN;

      /* The words' cut-offs (cs_query_result_spec_words): in spec from 0.9, out of spec up to 0.1. A case
       * without a computed share matches none of them. */
      if (!isfinite (p))
        return FALSE;
      if (spec == CS_CASE_TABLE_SPEC_IN && p < 0.9)
        return FALSE;
      if (spec == CS_CASE_TABLE_SPEC_OUT && p > 0.1)
        return FALSE;
      if (spec == CS_CASE_TABLE_SPEC_BORDERLINE && (p >= 0.9 || p <= 0.1))
        return FALSE;
    }
  if (text == NULL || *text == '\0')
    return TRUE;
  if (cases->ids != NULL && strstr (cases->ids[i], text) != NULL)
    return TRUE;
  g_snprintf (buf, sizeof buf, "%u", cases->line[i]);
  return g_str_equal (buf, text);
}

static void
update_count (CsCaseTable *self)
{
  g_autofree char *text = NULL;
  guint shown = self->filter_model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) : 0;

  if (self->cases == NULL)
    text = g_strdup ("");
  else if (shown == self->cases->n)
    text = g_strdup_printf (ngettext ("%u case", "%u cases", shown), shown);
  else
    text = g_strdup_printf (ngettext ("%u of %zu case", "%u of %zu cases", self->cases->n), shown,
                            self->cases->n);
  gtk_label_set_text (GTK_LABEL (self->count_label), text);
}

void
_cs_case_table_filter_changed (CsCaseTable *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   CsCaseTable    *self)
{
  _cs_case_table_filter_changed (self);
}

static void
filter_mode_cb (GObject     *drop_down,
                GParamSpec  *pspec,
                CsCaseTable *self)
{
  _cs_case_table_filter_changed (self);
}

static void
filter_items_changed_cb (GListModel  *model,
                         guint        position,
                         guint        removed,
                         guint        added,
                         CsCaseTable *self)
{
  update_count (self);
}

void
_cs_case_table_reselect (CsCaseTable *self)
{
  gssize index = self->selected;

  if (!self->reselect || index < 0 || self->filter_model == NULL)
    {
      self->reselect = FALSE;
      return;
    }
  cs_case_table_select (self, (gsize) index);
  if (self->selected_shown)
    self->reselect = FALSE;
  else if (gtk_filter_list_model_get_pending (self->filter_model) == 0)
    self->reselect = FALSE;     /* filtered out: nothing to select */
}

static gboolean
reselect_idle_cb (gpointer data)
{
  CsCaseTable *self = data;

  self->reselect_id = 0;
  _cs_case_table_reselect (self);
  return G_SOURCE_REMOVE;
}

/* Not from inside the filter model's signal: the list view is still taking in those rows. */
static void
filter_pending_cb (GtkFilterListModel *model,
                   GParamSpec         *pspec,
                   CsCaseTable        *self)
{
  if (self->reselect && self->reselect_id == 0 && gtk_filter_list_model_get_pending (model) == 0)
    self->reselect_id = g_idle_add (reselect_idle_cb, self);
}

static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      CsCaseTable        *self)
{
  CsCaseRow *row = gtk_single_selection_get_selected_item (selection);
  guint i;

  if (self->quiet)
    return;
  if (row == NULL || self->cases == NULL || cs_case_row_get_cases (row) != self->cases)
    {
      self->selected_shown = FALSE;   /* filtered out: the case stays the table's, without a row */
      return;
    }
  /* The same case at another position (a filter or a sort moved it) is not a new choice. */
  i = cs_case_row_get_index (row);
  if (self->selected == (gssize) i && self->selected_shown)
    return;
  self->selected = (gssize) i;
  self->selected_shown = TRUE;
  g_signal_emit (self, signals[SIGNAL_CASE_SELECTED], 0, i);
}

/* ---- The table ------------------------------------------------------------------------------------------- */

/* GTK 4.8's list view makes up to 200 row widgets, whatever fits on screen, and a column has a cell in each:
 * at 20 features a new case base was 4,800 cells made in one frame, a 220 ms main-loop gap on this machine
 * (perf: setup_cell_cb, gtk_label_new and the cells' accessible objects). A hidden column has no cells, so
 * the features after the first few start hidden and are shown a few a frame: each frame makes at most
 * 200 x CS_CASE_TABLE_REVEAL_PER_FRAME cells. */
#define CS_CASE_TABLE_FIRST_FEATURES    3
#define CS_CASE_TABLE_REVEAL_PER_FRAME  2

static void
stop_reveal (CsCaseTable *self)
{
  if (self->reveal_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_id);
  self->reveal_id = 0;
  g_ptr_array_set_size (self->hidden_columns, 0);
}

static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  CsCaseTable *self = CS_CASE_TABLE (widget);
  guint k = 0;

  while (k < CS_CASE_TABLE_REVEAL_PER_FRAME && self->hidden_columns->len > 0)
    {
      g_autoptr(GtkColumnViewColumn) col = g_ptr_array_steal_index (self->hidden_columns, 0);
      gtk_column_view_column_set_visible (col, TRUE);
      k++;
    }
  if (self->hidden_columns->len > 0)
    return G_SOURCE_CONTINUE;
  self->reveal_id = 0;
  return G_SOURCE_REMOVE;
}

/* Starts showing the hidden feature columns, a few a frame; all at once when the table is not on screen (it
 * has no rows then, so no cells to make). */
static void
start_reveal (CsCaseTable *self)
{
  if (self->hidden_columns->len == 0)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      for (guint k = 0; k < self->hidden_columns->len; k++)
        gtk_column_view_column_set_visible (g_ptr_array_index (self->hidden_columns, k), TRUE);
      g_ptr_array_set_size (self->hidden_columns, 0);
      return;
    }
  self->reveal_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick_cb, NULL, NULL);
}

static void
clear_rows (CsCaseTable *self)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (self->column_view);
  GListModel *columns = gtk_column_view_get_columns (view);

  stop_reveal (self);
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
  g_hash_table_remove_all (self->cell_lines);
  g_hash_table_remove_all (self->spec_labels);
  self->spec_column = NULL;
  self->case_list = NULL;
  self->selected = -1;
  self->selected_shown = FALSE;
  self->reselect = FALSE;
  g_clear_handle_id (&self->reselect_id, g_source_remove);
  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  g_clear_pointer (&self->inverse, g_free);
  self->sorting = FALSE;
}

static void
rebuild_table (CsCaseTable *self)
{
  g_autoptr(CsCaseList) list = NULL;

  clear_rows (self);
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
  g_signal_connect (self->filter_model, "notify::pending", G_CALLBACK (filter_pending_cb), self);

  if (self->cases != NULL)
    {
      _cs_case_table_add_column (self, _("Line"), CS_CASE_TABLE_COLUMN_LINE);
      if (self->cases->ids != NULL)
        _cs_case_table_add_column (self, self->cases->id_name != NULL ? self->cases->id_name : _("id"), CS_CASE_TABLE_COLUMN_ID);
      for (gsize j = 0; j < self->cases->d; j++)
        {
          g_autofree char *t = _cs_case_table_column_title (self->cases->feature_names[j], self->cases->feature_units[j]);
          GtkColumnViewColumn *col = _cs_case_table_add_column (self, t, (int) j);
          if (j >= CS_CASE_TABLE_FIRST_FEATURES)
            {
              gtk_column_view_column_set_visible (col, FALSE);
              g_ptr_array_add (self->hidden_columns, g_object_ref (col));
            }
        }
      {
        g_autofree char *t = _cs_case_table_column_title (self->cases->target_name, self->cases->target_unit);
        _cs_case_table_add_column (self, t, (int) self->cases->d);
      }
      for (gsize c = 0; c < self->cases->n_cat; c++)
        _cs_case_table_add_column (self, self->cases->cat_names[c], (int) (self->cases->d + 1 + c));
      _cs_case_table_add_column (self, _("Flags"), CS_CASE_TABLE_COLUMN_FLAGS);
      /* Beside the verdict, never in its place: shown while limits are set (refresh_case_spec). */
      self->spec_column = _cs_case_table_add_column (self, _("In spec"), CS_CASE_TABLE_COLUMN_IN_SPEC);
      gtk_column_view_column_set_visible (self->spec_column, cs_interval_spec_has_limits (&self->spec));
    }
  gtk_column_view_set_model (GTK_COLUMN_VIEW (self->column_view), GTK_SELECTION_MODEL (self->selection));
  update_count (self);
  start_reveal (self);
}

static void
scroll_to (CsCaseTable *self,
           guint        position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (self->column_view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
        return;
      }
}

/* The position of case index among the rows shown, or GTK_INVALID_LIST_POSITION when filtered out. */
static guint
find_case (CsCaseTable *self,
           gsize        index)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);
  guint guess = self->inverse != NULL ? self->inverse[index] : (guint) index;   /* unfiltered position */

  if (guess < n)
    {
      g_autoptr(CsCaseRow) row = g_list_model_get_item (model, guess);
      if (row != NULL && cs_case_row_get_index (row) == index)
        return guess;
    }
  for (guint p = 0; p < n; p++)
    {
      g_autoptr(CsCaseRow) row = g_list_model_get_item (model, p);
      if (cs_case_row_get_index (row) == index)
        return p;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* ---- Public ------------------------------------------------------------------------------------------------ */

void
cs_case_table_select (CsCaseTable *self,
                      gsize        index)
{
  guint position;

  g_return_if_fail (CS_IS_CASE_TABLE (self));
  if (self->cases == NULL || self->selection == NULL || index >= self->cases->n)
    return;
  position = find_case (self, index);
  self->quiet = TRUE;
  /* Filtered out: no row is selected (rather than another case's), the case stays the table's for later. */
  gtk_single_selection_set_selected (self->selection, position);
  self->quiet = FALSE;
  self->selected = (gssize) index;
  self->selected_shown = position != GTK_INVALID_LIST_POSITION;
  if (self->selected_shown)
    {
      self->reselect = FALSE;
      scroll_to (self, position);
    }
}

void
cs_case_table_set_cases (CsCaseTable *self,
                         CsCaseBase  *cases)
{
  g_return_if_fail (CS_IS_CASE_TABLE (self));

  if (cases != NULL)
    cs_case_base_ref (cases);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  self->cases = cases;
  g_clear_pointer (&self->engine, cs_engine_unref);   /* it belonged to the previous case base */
  rebuild_table (self);
  _cs_case_table_refresh_case_spec (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

CsCaseBase *
cs_case_table_get_cases (CsCaseTable *self)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), NULL);
  return self->cases;
}

void
cs_case_table_set_engine (CsCaseTable *self,
                          CsEngine    *engine)
{
  g_return_if_fail (CS_IS_CASE_TABLE (self));
  g_return_if_fail (engine == NULL || engine->cases == self->cases);

  if (engine == self->engine)
    return;
  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  /* Only the rows on screen need their flags now; the filter only when it looks at flags. */
  _cs_case_table_refresh_flag_labels (self);
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->flag_filter)) != CS_CASE_TABLE_VERDICT_ALL)
    _cs_case_table_filter_changed (self);
  _cs_case_table_refresh_case_spec (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE]);
}

CsEngine *
cs_case_table_get_engine (CsCaseTable *self)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), NULL);
  return self->engine;
}

static gboolean
same_limit (double a,
            double b)
{
  return (isnan (a) && isnan (b)) || a == b;   /* the very values stored, no arithmetic */
}

void
cs_case_table_set_spec_limits (CsCaseTable *self,
                               double       lower,
                               double       upper)
{
  g_return_if_fail (CS_IS_CASE_TABLE (self));

  /* Not finite is no limit (the properties cannot default to NaN, so they read back as -inf / +inf). */
  lower = isfinite (lower) ? lower : NAN;
  upper = isfinite (upper) ? upper : NAN;
  if (same_limit (lower, self->spec.spec_lower) && same_limit (upper, self->spec.spec_upper))
    return;
  self->spec.spec_lower = lower;
  self->spec.spec_upper = upper;
  _cs_case_table_refresh_case_spec (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEC_LOWER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEC_UPPER]);
}

void
cs_case_table_focus_search (CsCaseTable *self)
{
  g_return_if_fail (CS_IS_CASE_TABLE (self));
  gtk_widget_grab_focus (self->search_entry);
}

gboolean
cs_case_table_is_sorting (CsCaseTable *self)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), FALSE);
  return self->sorting;
}

gboolean
cs_case_table_is_showing_columns (CsCaseTable *self)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), FALSE);
  /* the tick callback runs while the table is on screen: off screen the rest waits, and nothing is busy */
  return self->hidden_columns->len > 0 && gtk_widget_get_mapped (GTK_WIDGET (self));
}

gboolean
cs_case_table_is_spec_pending (CsCaseTable *self)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), FALSE);
  return self->spec_pending;
}

double
cs_case_table_get_case_p_in_spec (CsCaseTable *self,
                                  gsize        index)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), NAN);
  if (self->case_p_in_spec == NULL || self->cases == NULL || index >= self->cases->n)
    return NAN;
  return self->case_p_in_spec[index];
}

GtkWidget *
cs_case_table_new (void)
{
  return g_object_new (CS_TYPE_CASE_TABLE, NULL);
}

/* ---- GObject ----------------------------------------------------------------------------------------------- */

static void
cs_case_table_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CsCaseTable *self = CS_CASE_TABLE (object);

  switch (prop_id)
    {
    case PROP_CASES:
      g_value_set_pointer (value, self->cases);
      break;
    case PROP_ENGINE:
      g_value_set_pointer (value, self->engine);
      break;
    case PROP_SPEC_LOWER:
      g_value_set_double (value, isnan (self->spec.spec_lower) ? -INFINITY : self->spec.spec_lower);
      break;
    case PROP_SPEC_UPPER:
      g_value_set_double (value, isnan (self->spec.spec_upper) ? INFINITY : self->spec.spec_upper);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_case_table_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CsCaseTable *self = CS_CASE_TABLE (object);

  switch (prop_id)
    {
    case PROP_CASES:
      cs_case_table_set_cases (self, g_value_get_pointer (value));
      break;
    case PROP_ENGINE:
      cs_case_table_set_engine (self, g_value_get_pointer (value));
      break;
    case PROP_SPEC_LOWER:
      cs_case_table_set_spec_limits (self, g_value_get_double (value), self->spec.spec_upper);
      break;
    case PROP_SPEC_UPPER:
      cs_case_table_set_spec_limits (self, self->spec.spec_lower, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_case_table_dispose (GObject *object)
{
  CsCaseTable *self = CS_CASE_TABLE (object);

  if (!self->disposed && self->column_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)), self);
      clear_rows (self);
    }
  self->disposed = TRUE;
  g_cancellable_cancel (self->spec_cancellable);
  g_clear_object (&self->spec_cancellable);
  g_clear_pointer (&self->case_p_in_spec, g_free);
  self->spec_pending = FALSE;
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_CASE_TABLE);
  g_clear_pointer (&self->engine, cs_engine_unref);
  g_clear_pointer (&self->cases, cs_case_base_unref);
  G_OBJECT_CLASS (cs_case_table_parent_class)->dispose (object);
}

static void
cs_case_table_finalize (GObject *object)
{
  CsCaseTable *self = CS_CASE_TABLE (object);

  g_hash_table_unref (self->flag_labels);
  g_hash_table_unref (self->cell_lines);
  g_hash_table_unref (self->spec_labels);
  g_ptr_array_unref (self->hidden_columns);
  G_OBJECT_CLASS (cs_case_table_parent_class)->finalize (object);
}

static void
cs_case_table_class_init (CsCaseTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_case_table_get_property;
  object_class->set_property = cs_case_table_set_property;
  object_class->dispose = cs_case_table_dispose;
  object_class->finalize = cs_case_table_finalize;

  properties[PROP_CASES] = g_param_spec_pointer ("cases", NULL, NULL,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENGINE] = g_param_spec_pointer ("engine", NULL, NULL,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEC_LOWER] = g_param_spec_double ("spec-lower", NULL, NULL, -INFINITY, INFINITY, -INFINITY,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEC_UPPER] = g_param_spec_double ("spec-upper", NULL, NULL, -INFINITY, INFINITY, INFINITY,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CASE_SELECTED] = g_signal_new ("case-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/casescope/Casescope/cs-case-table.ui");
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, box);
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, flag_filter);
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, spec_filter);
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, count_label);
  gtk_widget_class_bind_template_child (widget_class, CsCaseTable, column_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_mode_cb);
}

static void
cs_case_table_init (CsCaseTable *self)
{
  self->flag_labels = g_hash_table_new (NULL, NULL);
  self->cell_lines = g_hash_table_new (NULL, NULL);
  self->spec_labels = g_hash_table_new (NULL, NULL);
  self->hidden_columns = g_ptr_array_new_with_free_func (g_object_unref);
  self->selected = -1;
  self->probe_column = CS_CASE_TABLE_PROBE_NONE;
  cs_interval_spec_init (&self->spec);
  gtk_widget_init_template (GTK_WIDGET (self));
  cs_set_aside_attach_table (self, self->column_view);
  g_signal_connect (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (self->column_view)), "changed",
                    G_CALLBACK (_cs_case_table_sorter_changed), self);
  rebuild_table (self);
}

guint
cs_case_table_line_at (CsCaseTable *self,
                       double       x,
                       double       y)
{
  g_return_val_if_fail (CS_IS_CASE_TABLE (self), 0);

  /* The cell under the point, or the widget inside it that was picked: its label is one this table bound. */
  for (GtkWidget *w = gtk_widget_pick (self->column_view, x, y, GTK_PICK_DEFAULT);
       w != NULL && w != self->column_view; w = gtk_widget_get_parent (w))
    {
      gpointer line = g_hash_table_lookup (self->cell_lines, w);

      if (line != NULL)
        return GPOINTER_TO_UINT (line);
    }
  return 0;
}
