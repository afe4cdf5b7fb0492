/* test-used-cases.c: the cases-used list on its own, fed real results of a CsEngine on the press-line sample: rows
 * in the engine's weight order with the weights shown, the top-k spin limiting the rows, activating a row emitting
 * open-case with that case's index. A fresh window and engine per test; under Xvfb (skips without a display). */
#define G_LOG_DOMAIN "test-used-cases"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-samples.h"
#include "cs-ui-test.h"
#include "cs-used-cases.h"

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;
  CsUsedCases *used;
  GtkWindow *window;
  CsQueryResult *result;        /* case 12, leave-one-out, top 10 */
  guint top_k_notified;
  gssize opened;                /* the last "open-case" index, -1 before any */
} Fixture;

static void
top_k_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Fixture    *fx)
{
  fx->top_k_notified++;
}

static void
open_case_cb (CsUsedCases *used,
              guint        index,
              Fixture     *fx)
{
  fx->opened = index;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *c;

  fx->cases = c = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  fx->engine = cs_engine_build (c, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fx->result = cs_engine_query (fx->engine, c->x + 12 * c->d, 12, 10, NULL);
  g_assert_nonnull (fx->result);
  g_assert_true (fx->result->valid);
  g_assert_cmpuint (fx->result->k, ==, 10);
  fx->opened = -1;
  fx->used = CS_USED_CASES (cs_used_cases_new ());
  g_signal_connect (fx->used, "notify::top-k", G_CALLBACK (top_k_notify_cb), fx);
  g_signal_connect (fx->used, "open-case", G_CALLBACK (open_case_cb), fx);
  fx->window = cs_ui_test_host (GTK_WIDGET (fx->used), 900, 500);
  cs_ui_test_iterate ();
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  cs_ui_test_iterate ();
  cs_query_result_free (fx->result);
  cs_engine_unref (fx->engine);
  cs_case_base_unref (fx->cases);
}

static GtkListBox *
list_of (Fixture *fx)
{
  GtkWidget *list = cs_ui_test_find_named (GTK_WIDGET (fx->used), "cases-used");

  g_assert_true (GTK_IS_LIST_BOX (list));
  return GTK_LIST_BOX (list);
}

static guint
n_rows (Fixture *fx)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_of (fx), (int) n) != NULL)
    n++;
  return n;
}

static const char *
case_name (Fixture *fx,
           gsize    i)
{
  return fx->cases->ids[i];
}

static void
test_weight_order (Fixture       *fx,
                   gconstpointer  data)
{
  const CsQueryResult *r = fx->result;
  GtkWidget *decomposition = cs_ui_test_find_named (GTK_WIDGET (fx->used), "decomposition");

  g_test_summary ("One row per used case, largest weight first, each with its name and its weight");
  g_assert_nonnull (fx->cases->ids);
  cs_used_cases_set_top_k (fx->used, 10);
  cs_used_cases_set_result (fx->used, fx->cases, r);
  g_assert_cmpuint (n_rows (fx), ==, 10);
  for (guint t = 0; t < 10; t++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *w = g_strdup_printf ("w = %.4f", r->top[t].weight);

      if (t > 0)
        g_assert_cmpfloat (r->top[t].weight, <=, r->top[t - 1].weight);
      cs_ui_test_collect_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_of (fx), (int) t)), text);
      g_assert_true (g_str_has_prefix (text->str, case_name (fx, r->top[t].index)));
      g_assert_nonnull (strstr (text->str, w));
    }
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (decomposition)), "ŷ = Σ wᵢ yᵢ = "));

  /* no result: no rows, no sum */
  cs_used_cases_set_result (fx->used, fx->cases, NULL);
  g_assert_cmpuint (n_rows (fx), ==, 0);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (decomposition)), ==, "");
}

static void
test_top_k (Fixture       *fx,
            gconstpointer  data)
{
  GtkWidget *spin = cs_ui_test_find_named (GTK_WIDGET (fx->used), "top-k");

  g_test_summary ("The top-k spin sets the property (notified once) and limits the rows to that many");
  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  cs_used_cases_set_top_k (fx->used, 10);
  fx->top_k_notified = 0;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  g_assert_cmpuint (fx->top_k_notified, ==, 1);
  g_assert_cmpuint (cs_used_cases_get_top_k (fx->used), ==, 3);
  cs_used_cases_set_result (fx->used, fx->cases, fx->result);
  g_assert_cmpuint (n_rows (fx), ==, 3);
  {
    g_autoptr(GString) text = g_string_new (NULL);

    cs_ui_test_collect_text (GTK_WIDGET (gtk_list_box_get_row_at_index (list_of (fx), 2)), text);
    g_assert_true (g_str_has_prefix (text->str, case_name (fx, fx->result->top[2].index)));
  }
  /* the property the other way: the spin follows, and out-of-range values are clamped */
  g_object_set (fx->used, "top-k", 50, NULL);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 50);
  cs_used_cases_set_result (fx->used, fx->cases, fx->result);
  g_assert_cmpuint (n_rows (fx), ==, 10);                 /* the result has 10 */
  cs_used_cases_set_top_k (fx->used, 0);
  g_assert_cmpuint (cs_used_cases_get_top_k (fx->used), ==, 1);
}

static void
test_open_case (Fixture       *fx,
                gconstpointer  data)
{
  GtkListBoxRow *row;

  g_test_summary ("Activating a row emits open-case with that row's case index");
  cs_used_cases_set_top_k (fx->used, 10);
  cs_used_cases_set_result (fx->used, fx->cases, fx->result);
  for (guint t = 0; t < 10; t += 4)
    {
      fx->opened = -1;
      row = gtk_list_box_get_row_at_index (list_of (fx), (int) t);
      g_assert_nonnull (row);
      gtk_widget_activate (GTK_WIDGET (row));
      g_assert_cmpint (fx->opened, ==, (gssize) fx->result->top[t].index);
    }
  /* the engine's first case is not in the list twice: different rows, different cases */
  g_assert_cmpuint (fx->result->top[0].index, !=, fx->result->top[4].index);
}

int
main (int    argc,
      char **argv)
{
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cs/ui/used-cases/weight-order", Fixture, NULL, fixture_set_up, test_weight_order, fixture_tear_down);
  g_test_add ("/cs/ui/used-cases/top-k", Fixture, NULL, fixture_set_up, test_top_k, fixture_tear_down);
  g_test_add ("/cs/ui/used-cases/open-case", Fixture, NULL, fixture_set_up, test_open_case, fixture_tear_down);
  return g_test_run ();
}
