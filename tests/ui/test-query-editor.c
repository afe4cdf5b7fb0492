/* test-query-editor.c: the query editor on its own, in a fresh window per test: a typed value reaches the query
 * at once and the keystrokes right after it once, at the debounce's end; an empty entry is a missing value;
 * set_query fills every spin; Reset puts the case back.
 * Under Xvfb (skips without a display). */
#define G_LOG_DOMAIN "test-query-editor"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-csv-loader.h"
#include "cs-query-editor.h"
#include "cs-used-cases.h"
#include "cs-samples.h"
#include "cs-ui-test.h"

typedef struct
{
  CsCaseBase *cases;
  CsQueryEditor *editor;
  GtkWindow *window;
  guint changed;                /* "query-changed" emissions */
} Fixture;

static void
changed_cb (CsQueryEditor *editor,
            Fixture       *fx)
{
  fx->changed++;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  fx->editor = CS_QUERY_EDITOR (cs_query_editor_new ());
  cs_query_editor_set_cases (fx->editor, fx->cases);
  g_signal_connect (fx->editor, "query-changed", G_CALLBACK (changed_cb), fx);
  fx->window = cs_ui_test_host (GTK_WIDGET (fx->editor), 600, 400);
  cs_ui_test_iterate ();
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  cs_ui_test_iterate ();
  cs_case_base_unref (fx->cases);
}

static GtkWidget *
spin_of (Fixture *fx,
         gsize    j)
{
  g_autofree char *name = g_strdup_printf ("query-%s", fx->cases->feature_names[j]);
  GtkWidget *spin = cs_ui_test_find_named (GTK_WIDGET (fx->editor), name);

  g_assert_nonnull (spin);
  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  return spin;
}

static const char *
source_text (Fixture *fx)
{
  return gtk_label_get_text (GTK_LABEL (cs_ui_test_find_named (GTK_WIDGET (fx->editor), "query-source")));
}

static gboolean
changed_at_least (gpointer data)
{
  Fixture *fx = data;

  return fx->changed >= 1;
}

/* Spin buttons hold the case's value in a GtkAdjustment (a double set and read back unchanged), but allow a
 * relative 1e-12 in case a theme's step rounding ever touches it. */
static void
assert_spin_shows (GtkWidget *spin,
                   double     want)
{
  double got = gtk_spin_button_get_value (GTK_SPIN_BUTTON (spin));

  g_assert_cmpfloat_with_epsilon (got, want, 1e-12 * MAX (fabs (want), 1.0));
}

static void
test_typed_value (Fixture       *fx,
                  gconstpointer  data)
{
  GtkWidget *spin;
  const double *q;

  g_test_summary ("A number typed into a feature's entry reaches the query at its first keystroke, and the "
                  "keystrokes that follow within the debounce once, at its end");
  g_assert_cmpuint (fx->cases->d, >=, 2);
  g_assert_cmpint (cs_query_editor_get_exclude (fx->editor), ==, -1);
  /* one spin per feature, each with the feature's name for a screen reader */
  for (gsize j = 0; j < fx->cases->d; j++)
    spin_of (fx, j);
  spin = spin_of (fx, 1);
  gtk_editable_set_text (GTK_EDITABLE (spin), "1");
  /* the first keystroke at the next iteration (an edit on its own, a spin button's click, waits for nothing) */
  g_assert_true (cs_query_editor_is_pending (fx->editor));
  while (g_main_context_iteration (NULL, FALSE) && fx->changed == 0)
    ;
  g_assert_cmpuint (fx->changed, ==, 1);
  g_assert_cmpfloat (cs_query_editor_get_query (fx->editor)[1], ==, 1.0);   /* parsed from "1": exactly 1 */
  g_assert_false (cs_query_editor_is_pending (fx->editor));
  gtk_editable_set_text (GTK_EDITABLE (spin), "12");
  gtk_editable_set_text (GTK_EDITABLE (spin), "12.5");
  /* not yet: the keystrokes that follow are one edit */
  g_assert_cmpuint (fx->changed, ==, 1);
  g_assert_true (cs_query_editor_is_pending (fx->editor));
  fx->changed = 0;
  cs_ui_test_wait_until (changed_at_least, fx, 10);
  cs_ui_test_iterate ();
  g_assert_cmpuint (fx->changed, ==, 1);
  g_assert_false (cs_query_editor_is_pending (fx->editor));
  q = cs_query_editor_get_query (fx->editor);
  g_assert_cmpfloat (q[1], ==, 12.5);           /* parsed from the same text: exactly 12.5 */
  g_assert_cmpfloat (q[0], ==, fx->cases->mean[0]);   /* the others keep their start, the means (copied) */
  g_assert_true (cs_query_editor_get_edited (fx->editor));
  g_assert_cmpstr (source_text (fx), ==, "A new case typed in");

  /* an empty entry is a missing value */
  fx->changed = 0;
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
  cs_ui_test_wait_until (changed_at_least, fx, 10);
  g_assert_true (isnan (cs_query_editor_get_query (fx->editor)[1]));
  /* text that is not a number changes nothing */
  fx->changed = 0;
  gtk_editable_set_text (GTK_EDITABLE (spin), "12.5x");
  g_assert_false (cs_query_editor_is_pending (fx->editor));
  g_assert_true (isnan (cs_query_editor_get_query (fx->editor)[1]));
}

static void
test_set_query (Fixture       *fx,
                gconstpointer  data)
{
  CsCaseBase *c = fx->cases;
  gsize i = 7;

  g_test_summary ("set_query makes a case the query: every spin shows its value, at once, leave-one-out");
  cs_query_editor_set_query (fx->editor, i);
  g_assert_cmpuint (fx->changed, ==, 1);                  /* at once, no debounce */
  g_assert_false (cs_query_editor_is_pending (fx->editor));
  g_assert_cmpint (cs_query_editor_get_exclude (fx->editor), ==, (gssize) i);
  g_assert_false (cs_query_editor_get_edited (fx->editor));
  for (gsize j = 0; j < c->d; j++)
    {
      g_assert_cmpfloat (cs_query_editor_get_query (fx->editor)[j], ==, c->x[i * c->d + j]);   /* copied */
      assert_spin_shows (spin_of (fx, j), c->x[i * c->d + j]);
    }
  g_assert_true (g_str_has_prefix (source_text (fx), c->ids != NULL ? "Case " : "Case on line"));
  g_assert_nonnull (strstr (source_text (fx), "leave-one-out"));
  cs_ui_test_iterate ();
  g_assert_cmpuint (fx->changed, ==, 1);                  /* filling the spins is not an edit */

  /* past the end: ignored */
  cs_query_editor_set_query (fx->editor, c->n);
  g_assert_cmpint (cs_query_editor_get_exclude (fx->editor), ==, (gssize) i);
}

static void
test_reset (Fixture       *fx,
            gconstpointer  data)
{
  CsCaseBase *c = fx->cases;
  gsize i = 3;
  GtkWidget *spin, *reset;

  g_test_summary ("Reset puts the case's own values back after an edit and emits query-changed");
  cs_query_editor_set_query (fx->editor, i);
  spin = spin_of (fx, 0);
  fx->changed = 0;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), c->max[0] + 5);
  cs_ui_test_wait_until (changed_at_least, fx, 10);
  g_assert_cmpfloat (cs_query_editor_get_query (fx->editor)[0], ==, c->max[0] + 5);
  g_assert_true (cs_query_editor_get_edited (fx->editor));
  g_assert_true (g_str_has_prefix (source_text (fx), "What if: "));
  g_assert_cmpint (cs_query_editor_get_exclude (fx->editor), ==, (gssize) i);   /* still leaving it out */

  /* the button under the feature rows (the spins' own +/- buttons come first in the tree) */
  reset = gtk_widget_get_last_child (GTK_WIDGET (fx->editor));
  g_assert_true (GTK_IS_BUTTON (reset));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (reset)), ==, "_Reset to the case");
  fx->changed = 0;
  gtk_widget_activate (reset);                  /* as Enter or the mnemonic does: "clicked" after the press shows */
  cs_ui_test_wait_until (changed_at_least, fx, 10);
  g_assert_cmpuint (fx->changed, ==, 1);
  g_assert_false (cs_query_editor_get_edited (fx->editor));
  g_assert_cmpint (cs_query_editor_get_exclude (fx->editor), ==, (gssize) i);
  g_assert_cmpfloat (cs_query_editor_get_query (fx->editor)[0], ==, c->x[i * c->d]);
  assert_spin_shows (spin, c->x[i * c->d]);
}

static void
test_category (void)
{
  g_autoptr(GError) error = NULL;
  CsCaseBase *cases = cs_ui_test_category_base ();
  CsQueryEditor *editor = CS_QUERY_EDITOR (cs_query_editor_new ());
  CsUsedCases *used = CS_USED_CASES (cs_used_cases_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWindow *window;
  GtkWidget *drop;
  Fixture fx = { 0 };
  CsEngine *engine;
  CsQueryResult *r;
  gint level;
  g_autoptr(GString) used_text = g_string_new (NULL);

  g_test_summary ("A category column gets a drop-down of its values; a case's value follows it into the query, a "
                  "chosen one reaches the query, and the cases used say same or other supplier");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (editor));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (used));
  cs_query_editor_set_cases (editor, cases);
  g_signal_connect (editor, "query-changed", G_CALLBACK (changed_cb), &fx);
  window = cs_ui_test_host (box, 700, 600);
  drop = cs_ui_test_find_named (GTK_WIDGET (editor), "query-supplier");
  g_assert_true (GTK_IS_DROP_DOWN (drop));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (drop))), ==, 2);

  /* case 3 is a B case: its value comes with it */
  cs_query_editor_set_query (editor, 3);
  g_assert_cmpstr (cs_query_editor_get_level (editor, 0), ==, "B");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (drop)), ==, (guint) cases->cat_codes[3]);
  g_assert_cmpuint (fx.changed, ==, 1);

  /* picking A is an edit: after set_query nothing waits, so it reaches the query at the next iteration */
  cs_query_editor_set_level (editor, 0, "A");
  g_assert_true (cs_query_editor_is_pending (editor));
  while (g_main_context_iteration (NULL, FALSE) && fx.changed == 1)
    ;
  g_assert_false (cs_query_editor_is_pending (editor));
  g_assert_cmpuint (fx.changed, ==, 2);
  g_assert_cmpstr (cs_query_editor_get_level (editor, 0), ==, "A");
  g_assert_true (cs_query_editor_get_edited (editor));

  /* the engine's answer, shown in the cases-used list: every row says same or other supplier */
  engine = cs_engine_build_full (cases, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  level = cs_engine_category_level (engine, 0, cs_query_editor_get_level (editor, 0));
  g_assert_cmpint (level, >=, 0);
  r = cs_engine_query_levels (engine, cs_query_editor_get_query (editor), &level, -1, 8, NULL, NULL);
  g_assert_nonnull (r);
  cs_used_cases_set_result (used, cases, r);
  cs_ui_test_iterate ();
  cs_ui_test_collect_text (cs_ui_test_find_named (GTK_WIDGET (used), "cases-used"), used_text);
  g_assert_true (strstr (used_text->str, "same supplier") != NULL || strstr (used_text->str, "other supplier") != NULL);
  cs_query_result_free (r);
  cs_engine_unref (engine);
  gtk_window_destroy (window);
  cs_ui_test_iterate ();
  cs_case_base_unref (cases);
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
  g_test_add ("/cs/ui/query-editor/typed-value", Fixture, NULL, fixture_set_up, test_typed_value, fixture_tear_down);
  g_test_add ("/cs/ui/query-editor/set-query", Fixture, NULL, fixture_set_up, test_set_query, fixture_tear_down);
  g_test_add ("/cs/ui/query-editor/reset", Fixture, NULL, fixture_set_up, test_reset, fixture_tear_down);
  g_test_add_func ("/cs/ui/query-editor/category", test_category);
  return g_test_run ();
}
