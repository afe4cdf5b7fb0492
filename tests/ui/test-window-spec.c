/* test-window-spec.c: the case table's "In spec" column and filter. Limits typed on the operator page give every
 * case its leave-one-out p_in_spec (one batch in a worker); the cell shows the engine's own share for that case,
 * the filter keeps the out-of-spec cases only, and the verdict column stays beside it. Under Xvfb, like
 * test-window. */
#define G_LOG_DOMAIN "test-window-spec"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-case-list.h"
#include "cs-engine.h"
#include "cs-operator-view-private.h"
#include "cs-samples.h"
#include "cs-settings.h"
#include "cs-ui-test.h"
#include "cs-window.h"

#ifdef __SANITIZE_ADDRESS__
#define WAIT_SECONDS 600
#else
#define WAIT_SECONDS 120
#endif

static gboolean
window_idle (gpointer data)
{
  CsWindow *window = data;
  CsOperatorView *op = CS_OPERATOR_VIEW (cs_window_get_operator (window));
  guint shown = 0;

  return cs_window_get_engine (window) != NULL && !cs_window_is_busy (window)
         && cs_operator_view_get_serial (op, &shown) == shown && !cs_operator_view_is_spec_pending (op);
}

static void
wait_idle (CsWindow *window)
{
  cs_ui_test_iterate ();
  cs_ui_test_wait_until (window_idle, window, WAIT_SECONDS);
}

/* Let the frame clock lay out and bind the rows on screen. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 3;

  while (g_get_monotonic_time () < until)
    {
      cs_ui_test_iterate ();
      g_usleep (10000);
    }
}

static GtkColumnViewColumn *
find_column (GtkWidget  *table,
             const char *title,
             guint      *position)
{
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (table));

  for (guint k = 0; k < g_list_model_get_n_items (columns); k++)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, k);
      if (g_strcmp0 (gtk_column_view_column_get_title (col), title) == 0)
        {
          *position = k;
          return col;   /* the view holds it */
        }
    }
  return NULL;
}

static GtkLabel *
first_label (GtkWidget *w)
{
  if (GTK_IS_LABEL (w))
    return GTK_LABEL (w);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *hit = first_label (c);
      if (hit != NULL)
        return hit;
    }
  return NULL;
}

/* Every bound row of the table: its cells in column order (a row is a widget whose children are the cells).
 * Calls back with the labels of the "Line" column (0) and of column spec_pos. */
typedef void (*RowFunc) (const char *line, const char *in_spec, gpointer data);

static void
walk_rows (GtkWidget *w,
           guint      spec_pos,
           RowFunc    func,
           gpointer   data)
{
  GtkWidget *first = gtk_widget_get_first_child (w);

  if (first != NULL && g_str_equal (G_OBJECT_TYPE_NAME (first), "GtkColumnViewCell"))
    {
      GtkLabel *line = NULL, *spec = NULL;
      guint k = 0;

      if (!gtk_widget_get_child_visible (w) || !gtk_widget_get_visible (w))
        return;
      for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c), k++)
        {
          if (k == 0)
            line = first_label (c);
          if (k == spec_pos)
            spec = first_label (c);
        }
      if (line != NULL && spec != NULL && *gtk_label_get_text (line) != '\0')
        func (gtk_label_get_text (line), gtk_label_get_text (spec), data);
      return;
    }
  for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c))
    walk_rows (c, spec_pos, func, data);
}

typedef struct
{
  CsCaseBase *cases;
  CsOperatorView *op;
  double *engine_p;             /* the engine's own shares, n */
  guint checked;
  gboolean out_only;
} RowCheck;

static void
check_row (const char *line,
           const char *in_spec,
           gpointer    data)
{
  RowCheck *rc = data;
  guint64 l = g_ascii_strtoull (line, NULL, 10);
  g_autofree char *want = NULL;
  gsize i;

  for (i = 0; i < rc->cases->n && rc->cases->line[i] != l; i++)
    ;
  g_assert_cmpuint (i, <, rc->cases->n);
  /* The cell shows the stored share the view keeps for that case, rounded as the words round it. */
  want = g_strdup_printf ("%.0f %%", floor (100 * cs_operator_view_get_case_p_in_spec (rc->op, i) + 0.5));
  g_assert_cmpstr (in_spec, ==, want);
  if (rc->out_only)
    g_assert_cmpfloat (cs_operator_view_get_case_p_in_spec (rc->op, i), <=, 0.1);
  rc->checked++;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
test_spec_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) sample = cs_samples_load ("press-line", &error);
  CsWindow *window;
  CsOperatorView *op;
  CsEngine *engine;
  GtkWidget *table, *lower, *upper, *filter, *flag_filter;
  GtkColumnViewColumn *spec_col;
  guint spec_pos = 0, n_out = 0, n_in = 0;
  GListModel *rows;
  g_autofree double *ys = NULL;
  g_autofree char *lo = NULL, *hi = NULL;
  g_autofree double *queries = NULL;
  g_autofree gssize *exclude = NULL;
  CsQueryResult **results;
  CsIntervalSpec spec;
  RowCheck rc = { 0 };
  gsize n;

  g_assert_no_error (error);
  /* Limits are saved per file: a run before this one (or another test on the sample) may have left some. */
  cs_settings_set_spec (cs_settings_get_default (),
                        sample->source_path != NULL ? sample->source_path : sample->source, NAN, NAN);
  window = cs_window_new (NULL);
  g_object_ref_sink (window);
  cs_window_set_case_base (window, sample);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_idle (window);
  op = CS_OPERATOR_VIEW (cs_window_get_operator (window));
  table = cs_ui_test_find_named (GTK_WIDGET (op), "case-table");
  filter = cs_ui_test_find_named (GTK_WIDGET (op), "spec-filter");
  lower = cs_ui_test_find_named (GTK_WIDGET (op), "spec-lower");
  upper = cs_ui_test_find_named (GTK_WIDGET (op), "spec-upper");
  g_assert_nonnull (table);
  g_assert_nonnull (filter);
  spec_col = find_column (table, "In spec", &spec_pos);
  g_assert_nonnull (spec_col);
  g_assert_nonnull (find_column (table, "Flags", &(guint) { 0 }));

  /* Without limits: the column is hidden, no shares, the filter off. */
  g_assert_false (gtk_column_view_column_get_visible (spec_col));
  g_assert_false (gtk_widget_get_sensitive (filter));
  g_assert_true (isnan (cs_operator_view_get_case_p_in_spec (op, 0)));

  /* Limits at the outcome's 30th and 70th percentiles: some cases sure in, many sure out. */
  n = sample->n;
  ys = g_memdup2 (sample->y, sizeof (double) * n);
  qsort (ys, n, sizeof (double), cmp_double);
  lo = g_strdup_printf ("%.6g", ys[n * 3 / 10]);
  hi = g_strdup_printf ("%.6g", ys[n * 7 / 10]);
  gtk_editable_set_text (GTK_EDITABLE (lower), lo);
  gtk_editable_set_text (GTK_EDITABLE (upper), hi);
  g_signal_emit_by_name (upper, "activate");
  g_assert_true (cs_operator_view_is_spec_pending (op));
  wait_idle (window);
  g_assert_true (gtk_column_view_column_get_visible (spec_col));
  g_assert_true (gtk_widget_get_sensitive (filter));

  /* The engine's own leave-one-out shares, one batch like the column's: the same computation, so equal up to
   * rounding (a tolerance, since the batch may be split over threads differently). */
  engine = cs_window_get_engine (window);
  g_assert_true (n <= CS_ENGINE_PER_CASE_MAX);   /* every case has its share on this sample */
  cs_interval_spec_init (&spec);
  spec.spec_lower = g_ascii_strtod (lo, NULL);
  spec.spec_upper = g_ascii_strtod (hi, NULL);
  queries = g_memdup2 (sample->x, sizeof (double) * n * sample->d);
  exclude = g_new (gssize, n);
  for (gsize i = 0; i < n; i++)
    exclude[i] = (gssize) i;
  results = cs_engine_predict_spec (engine, queries, n, exclude, 0, &spec, NULL, &error);
  g_assert_no_error (error);
  rc.engine_p = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      double p = cs_operator_view_get_case_p_in_spec (op, i);

      rc.engine_p[i] = results[i]->valid ? results[i]->p_in_spec : NAN;
      g_assert_cmpint (isfinite (p), ==, isfinite (rc.engine_p[i]));
      if (isfinite (p))
        g_assert_cmpfloat_with_epsilon (p, rc.engine_p[i], 1e-9);
      n_out += isfinite (p) && p <= 0.1;
      n_in += isfinite (p) && p >= 0.9;
    }
  cs_engine_results_free (results, n);
  g_assert_cmpuint (n_out, >, 0);
  g_assert_cmpuint (n_in, >, 0);

  /* The selected case's cell against its own prediction: the query the page shows is the same leave-one-out. */
  cs_operator_view_select_case (op, 7);
  wait_idle (window);
  g_assert_cmpfloat_with_epsilon (cs_operator_view_get_result (op)->p_in_spec,
                                  cs_operator_view_get_case_p_in_spec (op, 7), 1e-9);

  /* The cells on screen show each case's stored share. */
  settle ();
  rc.cases = sample;
  rc.op = op;
  walk_rows (table, spec_pos, check_row, &rc);
  g_assert_cmpuint (rc.checked, >, 3);

  /* Out of spec only: exactly the cases with a share of at most 0.1, and the verdict filter still there. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), 2);
  rows = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (table)));
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
    while (g_list_model_get_n_items (rows) != n_out)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  for (guint k = 0; k < g_list_model_get_n_items (rows); k++)
    {
      g_autoptr(CsCaseRow) row = g_list_model_get_item (rows, k);
      g_assert_cmpfloat (rc.engine_p[cs_case_row_get_index (row)], <=, 0.1 + 1e-9);
    }
  settle ();
  rc.checked = 0;
  rc.out_only = TRUE;
  walk_rows (table, spec_pos, check_row, &rc);
  g_assert_cmpuint (rc.checked, >, 0);
  flag_filter = gtk_widget_get_prev_sibling (filter);
  g_assert_true (GTK_IS_DROP_DOWN (flag_filter));
  g_assert_true (gtk_widget_get_visible (flag_filter));
  g_assert_true (gtk_column_view_column_get_visible (find_column (table, "Flags", &(guint) { 0 })));

  /* Limits removed: the column hides, the shares go, the filter shows every case again. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (filter), 0);
  gtk_editable_set_text (GTK_EDITABLE (lower), "");
  gtk_editable_set_text (GTK_EDITABLE (upper), "");
  g_signal_emit_by_name (lower, "activate");
  wait_idle (window);
  g_assert_false (gtk_column_view_column_get_visible (spec_col));
  g_assert_true (isnan (cs_operator_view_get_case_p_in_spec (op, 0)));

  /* Saved now: the settings write is delayed, and limits left in the file would greet the next test. */
  g_assert_true (cs_settings_save (cs_settings_get_default (), NULL));
  g_free (rc.engine_p);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
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
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-max-age", -1, NULL);
  g_test_add_func ("/cs/ui/window-spec/column-and-filter", test_spec_column);
  return g_test_run ();
}
