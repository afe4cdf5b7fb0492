/* test-case-table.c: the case table on its own (CsCaseTable in a fresh window per test): rows of a sample case
 * base, the search and the count, the verdict filter, column sorts in the worker (two tables at once), the "In
 * spec" column and its filter, and "case-selected". Under Xvfb, like the other UI tests. */
#define G_LOG_DOMAIN "test-case-table"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"
#include "cs-csv-loader.h"
#include "cs-engine.h"
#include "cs-samples.h"
#include "cs-ui-test.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;             /* NULL unless the test asked for one */
  CsCaseTable *table;
  GtkWindow *window;
} Fixture;

static void
fixture_set_up (Fixture *f,
                gboolean with_engine)
{
  g_autoptr(GError) error = NULL;

  f->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  f->table = CS_CASE_TABLE (g_object_ref_sink (cs_case_table_new ()));
  g_object_set (f->table, "cases", f->cases, NULL);
  if (with_engine)
    {
      f->engine = cs_engine_build_full (f->cases, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_object_set (f->table, "engine", f->engine, NULL);
    }
  f->window = cs_ui_test_host (GTK_WIDGET (f->table), 900, 600);
}

static void
fixture_tear_down (Fixture *f)
{
  gtk_window_destroy (f->window);
  g_object_unref (f->table);
  g_clear_pointer (&f->engine, cs_engine_unref);
  cs_case_base_unref (f->cases);
  cs_ui_test_iterate ();
}

static GtkWidget *
column_view (CsCaseTable *table)
{
  GtkWidget *view = cs_ui_test_find_named (GTK_WIDGET (table), "case-table");

  g_assert_true (GTK_IS_COLUMN_VIEW (view));
  return view;
}

/* The rows the table shows, in display order. */
static GListModel *
rows (CsCaseTable *table)
{
  return G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (column_view (table))));
}

static guint
row_case (CsCaseTable *table,
          guint        position)
{
  g_autoptr(CsCaseRow) row = g_list_model_get_item (rows (table), position);

  g_assert_nonnull (row);
  return cs_case_row_get_index (row);
}

static gboolean
settled (gpointer data)
{
  CsCaseTable *table = data;
  GtkSingleSelection *sel = GTK_SINGLE_SELECTION (rows (table));

  return !cs_case_table_is_sorting (table) && !cs_case_table_is_spec_pending (table)
         && gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (gtk_single_selection_get_model (sel))) == 0;
}

typedef struct
{
  CsCaseTable *table;
  guint n;
} RowCount;

static gboolean
shows_rows (gpointer data)
{
  RowCount *rc = data;

  return settled (rc->table) && g_list_model_get_n_items (rows (rc->table)) == rc->n;
}

static void
wait_rows (CsCaseTable *table,
           guint        n)
{
  RowCount rc = { table, n };

  cs_ui_test_wait_until (shows_rows, &rc, WAIT_SECONDS);
}

static const char *
count_text (CsCaseTable *table)
{
  return gtk_label_get_text (GTK_LABEL (cs_ui_test_find_named (GTK_WIDGET (table), "case-count")));
}

static GtkColumnViewColumn *
find_column (CsCaseTable *table,
             const char  *prefix)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view (table)));

  for (guint k = 0; k < g_list_model_get_n_items (columns); k++)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, k);

      if (g_str_has_prefix (gtk_column_view_column_get_title (col), prefix))
        return col;   /* the view holds it */
    }
  return NULL;
}

static void
test_rows_and_search (void)
{
  Fixture f = { 0 };
  GtkWidget *search;
  const char *text = "PL-0001";
  guint expected = 0;
  g_autofree char *want = NULL;

  g_test_summary ("Every case is a row; typing in the search keeps the cases whose id holds the text, and the "
                  "count follows");
  fixture_set_up (&f, FALSE);
  wait_rows (f.table, (guint) f.cases->n);
  want = g_strdup_printf ("%zu cases", f.cases->n);
  g_assert_cmpstr (count_text (f.table), ==, want);
  g_assert_nonnull (find_column (f.table, "Line"));
  g_assert_nonnull (find_column (f.table, "batch"));
  g_assert_nonnull (find_column (f.table, "temperature [degC]"));
  g_assert_nonnull (find_column (f.table, "strength [MPa]"));
  g_assert_nonnull (find_column (f.table, "Flags"));
  g_assert_false (gtk_column_view_column_get_visible (find_column (f.table, "In spec")));

  for (gsize i = 0; i < f.cases->n; i++)
    expected += strstr (f.cases->ids[i], text) != NULL;
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (expected, <, f.cases->n);
  search = cs_ui_test_find_type (GTK_WIDGET (f.table), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (search);
  /* Typed, then Enter: the entry reports the search at once instead of after its typing delay (under Xvfb a
   * blocked main loop here did not wake for that delay's timer; the window tests run other sources meanwhile). */
  gtk_editable_set_text (GTK_EDITABLE (search), text);
  g_signal_emit_by_name (search, "activate");
  wait_rows (f.table, expected);
  for (guint p = 0; p < expected; p++)
    g_assert_nonnull (strstr (f.cases->ids[row_case (f.table, p)], text));
  g_free (want);
  want = g_strdup_printf ("%u of %zu cases", expected, f.cases->n);
  g_assert_cmpstr (count_text (f.table), ==, want);

  /* A line number finds the case on that line: the last line, 2001, which no id (PL-00001 to PL-02000) holds. */
  gtk_editable_set_text (GTK_EDITABLE (search), "2001");
  g_signal_emit_by_name (search, "activate");
  wait_rows (f.table, 1);
  g_assert_cmpuint (f.cases->line[row_case (f.table, 0)], ==, 2001);
  g_assert_cmpstr (count_text (f.table), ==, "1 of 2000 cases");

  gtk_editable_set_text (GTK_EDITABLE (search), "");
  wait_rows (f.table, (guint) f.cases->n);
  fixture_tear_down (&f);
}

static void
test_verdict_filter (void)
{
  Fixture f = { 0 };
  GtkWidget *filter;
  guint flagged = 0, stop = 0;

  g_test_summary ("The verdict filter keeps the flagged cases, or the stop cases only");
  fixture_set_up (&f, TRUE);
  g_assert_nonnull (f.engine->case_verdict);
  for (gsize i = 0; i < f.cases->n; i++)
    {
      flagged += f.engine->case_verdict[i] != CS_VERDICT_OK;
      stop += f.engine->case_verdict[i] == CS_VERDICT_STOP;
    }
  g_assert_cmpuint (flagged, >, 0);
  g_assert_cmpuint (flagged, <, f.cases->n);
  filter = cs_ui_test_find_named (GTK_WIDGET (f.table), "verdict-filter");
  g_assert_true (GTK_IS_DROP_DOWN (filter));

  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_VERDICT_FLAGGED);
  wait_rows (f.table, flagged);
  for (guint p = 0; p < flagged; p++)
    g_assert_cmpint (f.engine->case_verdict[row_case (f.table, p)], !=, CS_VERDICT_OK);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_VERDICT_STOP);
  wait_rows (f.table, stop);
  for (guint p = 0; p < stop; p++)
    g_assert_cmpint (f.engine->case_verdict[row_case (f.table, p)], ==, CS_VERDICT_STOP);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_VERDICT_ALL);
  wait_rows (f.table, (guint) f.cases->n);
  fixture_tear_down (&f);
}

/* The rows are case indices in an order by feature j (ascending or not), every case once. */
static void
assert_sorted_by (CsCaseTable *table,
                  CsCaseBase  *cases,
                  gsize        j,
                  gboolean     descending)
{
  g_autofree gboolean *seen = g_new0 (gboolean, cases->n);

  g_assert_cmpuint (g_list_model_get_n_items (rows (table)), ==, cases->n);
  for (guint p = 0; p < cases->n; p++)
    {
      guint i = row_case (table, p);

      g_assert_false (seen[i]);
      seen[i] = TRUE;
      if (p > 0)
        {
          /* Compared as stored, no arithmetic: the order is exact. */
          double prev = cases->x[row_case (table, p - 1) * cases->d + j], cur = cases->x[i * cases->d + j];

          if (descending)
            g_assert_cmpfloat (prev, >=, cur);
          else
            g_assert_cmpfloat (prev, <=, cur);
        }
    }
}

static void
test_sort_two_tables (void)
{
  Fixture a = { 0 }, b = { 0 };
  g_autofree guint *b_order = NULL;

  g_test_summary ("A column sort runs in a worker and gives the column's order, up and down; two tables sorting "
                  "at once each get their own column's order");
  fixture_set_up (&a, FALSE);
  fixture_set_up (&b, FALSE);
  wait_rows (a.table, (guint) a.cases->n);
  wait_rows (b.table, (guint) b.cases->n);

  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (a.table)), find_column (a.table, "temperature"),
                                  GTK_SORT_DESCENDING);
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (b.table)), find_column (b.table, "pressure"),
                                  GTK_SORT_ASCENDING);
  g_assert_true (cs_case_table_is_sorting (a.table));
  g_assert_true (cs_case_table_is_sorting (b.table));
  cs_ui_test_wait_until (settled, a.table, WAIT_SECONDS);
  cs_ui_test_wait_until (settled, b.table, WAIT_SECONDS);
  assert_sorted_by (a.table, a.cases, 0, TRUE);
  assert_sorted_by (b.table, b.cases, 1, FALSE);
  b_order = g_new (guint, b.cases->n);
  for (guint p = 0; p < b.cases->n; p++)
    b_order[p] = row_case (b.table, p);

  /* The other direction, and the id column (text order); the second table keeps its order meanwhile. */
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (a.table)), find_column (a.table, "temperature"),
                                  GTK_SORT_ASCENDING);
  cs_ui_test_wait_until (settled, a.table, WAIT_SECONDS);
  assert_sorted_by (a.table, a.cases, 0, FALSE);
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (a.table)), find_column (a.table, "batch"),
                                  GTK_SORT_DESCENDING);
  cs_ui_test_wait_until (settled, a.table, WAIT_SECONDS);
  for (guint p = 1; p < a.cases->n; p++)
    g_assert_cmpint (strcmp (a.cases->ids[row_case (a.table, p - 1)], a.cases->ids[row_case (a.table, p)]), >, 0);
  for (guint p = 0; p < b.cases->n; p++)
    g_assert_cmpuint (row_case (b.table, p), ==, b_order[p]);

  fixture_tear_down (&a);
  fixture_tear_down (&b);
}

static int
cmp_double (const void *x,
            const void *y)
{
  double a = *(const double *) x, b = *(const double *) y;

  return (a > b) - (a < b);
}

static void
test_spec_column (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree double *ys = NULL;
  g_autofree double *queries = NULL;
  g_autofree gssize *exclude = NULL;
  GtkColumnViewColumn *col;
  GtkWidget *filter;
  CsQueryResult **results;
  CsIntervalSpec spec;
  guint n_out = 0, n_in = 0;
  gsize n;

  g_test_summary ("With spec limits the In spec column shows each case's leave-one-out share, as the engine "
                  "computes it, and its filter keeps the cases in or out of spec");
  fixture_set_up (&f, TRUE);
  n = f.cases->n;
  col = find_column (f.table, "In spec");
  filter = cs_ui_test_find_named (GTK_WIDGET (f.table), "spec-filter");
  g_assert_nonnull (col);
  g_assert_true (GTK_IS_DROP_DOWN (filter));
  g_assert_false (gtk_column_view_column_get_visible (col));
  g_assert_false (gtk_widget_get_sensitive (filter));
  g_assert_true (isnan (cs_case_table_get_case_p_in_spec (f.table, 0)));

  /* Limits at the outcome's 30th and 70th percentiles: some cases sure in, many sure out. */
  ys = g_memdup2 (f.cases->y, sizeof (double) * n);
  qsort (ys, n, sizeof (double), cmp_double);
  cs_interval_spec_init (&spec);
  spec.spec_lower = ys[n * 3 / 10];
  spec.spec_upper = ys[n * 7 / 10];
  g_object_set (f.table, "spec-lower", spec.spec_lower, "spec-upper", spec.spec_upper, NULL);
  g_assert_true (cs_case_table_is_spec_pending (f.table));
  cs_ui_test_wait_until (settled, f.table, WAIT_SECONDS);
  g_assert_true (gtk_column_view_column_get_visible (col));
  g_assert_true (gtk_widget_get_sensitive (filter));

  /* The engine's own leave-one-out shares: the same computation in another batch, so equal up to rounding (the
   * batch may be split over threads differently). */
  g_assert_true (n <= CS_ENGINE_PER_CASE_MAX);
  queries = g_memdup2 (f.cases->x, sizeof (double) * n * f.cases->d);
  exclude = g_new (gssize, n);
  for (gsize i = 0; i < n; i++)
    exclude[i] = (gssize) i;
  results = cs_engine_predict_spec (f.engine, queries, n, exclude, 0, &spec, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    {
      double p = cs_case_table_get_case_p_in_spec (f.table, i);

      g_assert_true (results[i]->valid);
      g_assert_true (isfinite (p));
      g_assert_cmpfloat_with_epsilon (p, results[i]->p_in_spec, 1e-9);
      n_out += p <= 0.1;
      n_in += p >= 0.9;
    }
  cs_engine_results_free (results, n);
  g_assert_cmpuint (n_out, >, 0);
  g_assert_cmpuint (n_in, >, 0);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_SPEC_OUT);
  wait_rows (f.table, n_out);
  for (guint p = 0; p < n_out; p++)
    g_assert_cmpfloat (cs_case_table_get_case_p_in_spec (f.table, row_case (f.table, p)), <=, 0.1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_SPEC_IN);
  wait_rows (f.table, n_in);
  for (guint p = 0; p < n_in; p++)
    g_assert_cmpfloat (cs_case_table_get_case_p_in_spec (f.table, row_case (f.table, p)), >=, 0.9);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), CS_CASE_TABLE_SPEC_ANY);
  wait_rows (f.table, (guint) n);

  /* Limits removed: the column hides, the shares go, the filter is off. */
  g_object_set (f.table, "spec-lower", -INFINITY, "spec-upper", INFINITY, NULL);
  cs_ui_test_wait_until (settled, f.table, WAIT_SECONDS);
  g_assert_false (gtk_column_view_column_get_visible (col));
  g_assert_false (gtk_widget_get_sensitive (filter));
  g_assert_true (isnan (cs_case_table_get_case_p_in_spec (f.table, 0)));
  fixture_tear_down (&f);
}

static void
case_selected_cb (CsCaseTable *table,
                  guint        index,
                  GArray      *got)
{
  g_array_append_val (got, index);
}

static void
test_case_selected (void)
{
  Fixture f = { 0 };
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkSingleSelection *sel;
  GtkWidget *search;
  guint want;

  g_test_summary ("Selecting a row emits case-selected with that row's case; cs_case_table_select and a sort "
                  "that moves the selected row do not");
  fixture_set_up (&f, FALSE);
  g_signal_connect (f.table, "case-selected", G_CALLBACK (case_selected_cb), got);
  /* Sorted first, so that a row's position is not its case index. */
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (f.table)), find_column (f.table, "temperature"),
                                  GTK_SORT_ASCENDING);
  wait_rows (f.table, (guint) f.cases->n);
  sel = GTK_SINGLE_SELECTION (rows (f.table));
  want = row_case (f.table, 5);
  g_assert_cmpuint (want, !=, 5);
  gtk_single_selection_set_selected (sel, 5);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (g_array_index (got, guint, 0), ==, want);

  cs_case_table_select (f.table, 42);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpuint (cs_case_row_get_index (gtk_single_selection_get_selected_item (sel)), ==, 42);

  /* The other direction moves case 42: still selected, no new choice. */
  gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view (f.table)), find_column (f.table, "temperature"),
                                  GTK_SORT_DESCENDING);
  cs_ui_test_wait_until (settled, f.table, WAIT_SECONDS);
  g_assert_cmpuint (cs_case_row_get_index (gtk_single_selection_get_selected_item (sel)), ==, 42);
  g_assert_cmpuint (got->len, ==, 1);

  want = row_case (f.table, 0);
  gtk_single_selection_set_selected (sel, 0);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpuint (g_array_index (got, guint, 1), ==, want);

  /* A case the search hides: no row selected rather than another case's, and nothing emitted. */
  search = cs_ui_test_find_type (GTK_WIDGET (f.table), GTK_TYPE_SEARCH_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (search), "PL-0000");
  g_signal_emit_by_name (search, "activate");
  wait_rows (f.table, 9);
  cs_case_table_select (f.table, 42);
  g_assert_null (gtk_single_selection_get_selected_item (sel));
  cs_case_table_select (f.table, 3);   /* PL-00004 */
  g_assert_cmpuint (cs_case_row_get_index (gtk_single_selection_get_selected_item (sel)), ==, 3);
  g_assert_cmpuint (got->len, ==, 2);
  fixture_tear_down (&f);
}

/* A label bound in a cell whose text is text, depth first. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The context menu asks the table which case's line is under the pointer: the cell of the first row's id gives
 * that case's physical line, a point below the last row none. */
static void
test_line_at (void)
{
  Fixture f = { 0 };
  GtkWidget *view, *cell;
  graphene_rect_t bounds;
  guint first;

  fixture_set_up (&f, FALSE);
  wait_rows (f.table, (guint) f.cases->n);
  view = column_view (f.table);
  first = row_case (f.table, 0);
  g_assert_nonnull (f.cases->ids);
  cell = find_label (view, f.cases->ids[first]);
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_compute_bounds (cell, view, &bounds));
  g_assert_cmpuint (cs_case_table_line_at (f.table, bounds.origin.x + bounds.size.width / 2,
                                           bounds.origin.y + bounds.size.height / 2), ==, f.cases->line[first]);
  g_assert_cmpuint (cs_case_table_line_at (f.table, -10, -10), ==, 0);
  fixture_tear_down (&f);
}

/* A category column shows each case's value and sorts the cases into groups of one value. */
static void
test_category_column (void)
{
  CsCaseBase *cases = cs_ui_test_category_base ();
  CsCaseTable *table = CS_CASE_TABLE (cs_case_table_new ());
  GtkWindow *window;
  GtkColumnView *view;
  GListModel *columns;
  GtkColumnViewColumn *col = NULL;
  guint changes = 0;

  g_object_set (table, "cases", cases, NULL);
  window = cs_ui_test_host (GTK_WIDGET (table), 900, 600);
  wait_rows (table, (guint) cases->n);
  view = GTK_COLUMN_VIEW (column_view (table));
  columns = gtk_column_view_get_columns (view);
  for (guint k = 0; k < g_list_model_get_n_items (columns); k++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, k);

      if (g_strcmp0 (gtk_column_view_column_get_title (c), "supplier") == 0)
        col = c;
    }
  g_assert_nonnull (col);
  g_assert_nonnull (find_label (GTK_WIDGET (view), "B"));
  gtk_column_view_sort_by_column (view, col, GTK_SORT_ASCENDING);
  cs_ui_test_wait_until (settled, table, WAIT_SECONDS);
  /* one group of A, then one of B: the value changes once along the rows */
  for (guint p = 1; p < cases->n; p++)
    changes += cases->cat_codes[row_case (table, p)] != cases->cat_codes[row_case (table, p - 1)];
  g_assert_cmpuint (changes, ==, 1);
  gtk_window_destroy (window);
  cs_ui_test_iterate ();
  cs_case_base_unref (cases);
}


/* Cells of a column: the cells of its position in every row widget on screen (a row is a widget whose children
 * are the cells of the shown columns, in column order). */
static guint
count_rows_with_cells (GtkWidget *w,
                       guint      n_cells)
{
  GtkWidget *first = gtk_widget_get_first_child (w);
  guint hits = 0, k = 0;

  if (first != NULL && g_str_equal (G_OBJECT_TYPE_NAME (first), "GtkColumnViewCell"))
    {
      for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c))
        k++;
      return k == n_cells;
    }
  for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c))
    hits += count_rows_with_cells (c, n_cells);
  return hits;
}

static guint
visible_columns (GtkColumnView *view)
{
  GListModel *columns = gtk_column_view_get_columns (view);
  guint v = 0;

  for (guint k = 0; k < g_list_model_get_n_items (columns); k++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, k);
      v += gtk_column_view_column_get_visible (c);
    }
  return v;
}

static gboolean
all_columns_shown (gpointer data)
{
  GtkColumnView *view = data;

  /* every column but "In spec" (hidden without spec limits) */
  return visible_columns (view) + 1 == g_list_model_get_n_items (gtk_column_view_get_columns (view));
}

/* A case base of 20 features on screen: the first features' columns are shown at once, the others a few a frame
 * (GTK 4.8 makes a cell per column for up to 200 rows: all at once was a 220 ms stall), and all of them soon,
 * each row then holding a cell for every shown column. */
static void
test_wide_base (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  CsCsvReport *report = NULL;
  CsCsvOptions o;
  CsCaseBase *cases;
  CsCaseTable *table = CS_CASE_TABLE (cs_case_table_new ());
  GtkWindow *window;
  GtkColumnView *view;
  guint n_columns, shown;

  for (int j = 1; j <= 20; j++)
    g_string_append_printf (csv, "x%02d,", j);
  g_string_append (csv, "y\n");
  for (int i = 0; i < 500; i++)
    {
      for (int j = 1; j <= 20; j++)
        g_string_append_printf (csv, "%d,", (i * 7 + j * 13) % 101);
      g_string_append_printf (csv, "%d\n", i % 17);
    }
  bytes = g_bytes_new (csv->str, csv->len);
  cs_csv_options_init (&o);
  o.target = "y";
  cases = cs_csv_load_bytes (bytes, "wide.csv", &o, &report, NULL, &error);
  g_assert_no_error (error);
  cs_csv_report_free (report);
  g_assert_cmpuint (cases->d, ==, 20);

  window = cs_ui_test_host (GTK_WIDGET (table), 900, 600);
  cs_ui_test_iterate ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (table)));
  g_object_set (table, "cases", cases, NULL);
  view = GTK_COLUMN_VIEW (column_view (table));
  n_columns = g_list_model_get_n_items (gtk_column_view_get_columns (view));
  g_assert_cmpuint (n_columns, ==, 1 + 20 + 1 + 2);   /* line, features, outcome, flags, in spec */
  shown = visible_columns (view);
  /* line, 3 features, outcome, flags: the others come later */
  g_assert_cmpuint (shown, ==, 6);
  g_assert_true (cs_case_table_is_showing_columns (table));   /* the window counts it as busy */
  cs_ui_test_wait_until (all_columns_shown, view, WAIT_SECONDS);
  g_assert_false (cs_case_table_is_showing_columns (table));
  wait_rows (table, (guint) cases->n);
  cs_ui_test_iterate ();
  g_assert_cmpuint (count_rows_with_cells (GTK_WIDGET (view), n_columns - 1), >, 0);
  g_assert_cmpuint (count_rows_with_cells (GTK_WIDGET (view), shown), ==, 0);
  /* a new case base while columns are still being shown: the old columns go, the new ones come */
  g_object_set (table, "cases", cases, NULL);
  g_assert_cmpuint (visible_columns (view), ==, 6);
  cs_ui_test_wait_until (all_columns_shown, view, WAIT_SECONDS);
  gtk_window_destroy (window);
  cs_ui_test_iterate ();
  cs_case_base_unref (cases);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_add_func ("/cs/ui/case-table/rows-and-search", test_rows_and_search);
  g_test_add_func ("/cs/ui/case-table/verdict-filter", test_verdict_filter);
  g_test_add_func ("/cs/ui/case-table/sort-two-tables", test_sort_two_tables);
  g_test_add_func ("/cs/ui/case-table/spec-column", test_spec_column);
  g_test_add_func ("/cs/ui/case-table/wide-base", test_wide_base);
  g_test_add_func ("/cs/ui/case-table/case-selected", test_case_selected);
  g_test_add_func ("/cs/ui/case-table/line-at", test_line_at);
  g_test_add_func ("/cs/ui/case-table/category-column", test_category_column);
  return g_test_run ();
}
