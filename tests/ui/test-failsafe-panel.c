/* test-failsafe-panel.c: the fail-safe panel on its own, fed real results of a CsEngine on the press-line sample
 * (a leave-one-out case with verdict ok, a case with a sensor missing: check, a query far outside the case base:
 * stop): the verdict's word, one row per flag with its name, severity and message, rows replaced on the next
 * result. A fresh window and engine per test; under Xvfb (skips without a display). */
#define G_LOG_DOMAIN "test-failsafe-panel"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cs-failsafe-panel.h"
#include "cs-samples.h"
#include "cs-ui-test.h"

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;
  CsFailsafePanel *panel;
  GtkWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->cases = cs_samples_load ("press-line", &error);
  g_assert_no_error (error);
  fx->engine = cs_engine_build (fx->cases, CS_ENGINE_FIT_NONE, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->engine);
  fx->panel = CS_FAILSAFE_PANEL (cs_failsafe_panel_new ());
  fx->window = cs_ui_test_host (GTK_WIDGET (fx->panel), 500, 400);
  cs_ui_test_iterate ();
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  gtk_window_destroy (fx->window);
  cs_ui_test_iterate ();
  cs_engine_unref (fx->engine);
  cs_case_base_unref (fx->cases);
}

/* The first case (leave-one-out) whose own values, with feature missing set to NaN (-1: none), get verdict. */
static CsQueryResult *
find_case_result (Fixture   *fx,
                  CsVerdict  verdict,
                  gssize     missing)
{
  CsCaseBase *c = fx->cases;
  g_autofree double *q = g_new (double, c->d);

  for (gsize i = 0; i < c->n; i++)
    {
      CsQueryResult *r;

      memcpy (q, c->x + i * c->d, sizeof (double) * c->d);
      if (missing >= 0)
        q[missing] = NAN;
      r = cs_engine_query (fx->engine, q, (gssize) i, 8, NULL);
      if (r != NULL && r->report.verdict == verdict)
        return r;
      g_clear_pointer (&r, cs_query_result_free);
    }
  return NULL;
}

/* What the panel shows for r: the verdict word first, then exactly one row per flag, named by the flag and
 * holding its name, severity and plain-words message. */
static void
assert_shows (Fixture             *fx,
              const CsQueryResult *r,
              const char          *word)
{
  GtkWidget *verdict = cs_ui_test_find_named (GTK_WIDGET (fx->panel), "verdict");
  GtkWidget *flags = cs_ui_test_find_named (GTK_WIDGET (fx->panel), "flags");
  guint rows = 0;

  g_assert_nonnull (verdict);
  g_assert_nonnull (flags);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (verdict)), word));
  for (GtkWidget *c = gtk_widget_get_first_child (flags); c != NULL; c = gtk_widget_get_next_sibling (c))
    rows++;
  g_assert_cmpuint (rows, ==, r->report.n_flags);
  for (gsize f = 0; f < r->report.n_flags; f++)
    {
      const CsFlag *flag = &r->report.flags[f];
      GtkWidget *row = cs_ui_test_find_named (flags, cs_engine_flag_name (flag->kind));
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *title = g_strdup_printf ("%s (%s)", cs_engine_flag_name (flag->kind),
                                                cs_severity_name (flag->severity));

      g_assert_nonnull (row);
      cs_ui_test_collect_text (row, text);
      g_assert_nonnull (strstr (text->str, title));
      g_assert_nonnull (strstr (text->str, flag->message));
      g_assert_true (gtk_widget_has_css_class (row, flag->severity == CS_SEVERITY_STOP ? "flag-stop" : "flag-check"));
    }
}

static void
test_none (Fixture       *fx,
           gconstpointer  data)
{
  g_test_summary ("Before any result the panel says so and lists no flag");
  cs_failsafe_panel_set_result (fx->panel, NULL);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cs_ui_test_find_named (GTK_WIDGET (fx->panel), "verdict"))),
                   ==, "No prediction yet");
  g_assert_null (gtk_widget_get_first_child (cs_ui_test_find_named (GTK_WIDGET (fx->panel), "flags")));
}

static void
test_ok (Fixture       *fx,
         gconstpointer  data)
{
  g_autoptr(CsQueryResult) r = find_case_result (fx, CS_VERDICT_OK, -1);

  g_test_summary ("A leave-one-out case with nothing unusual: OK and no flag rows");
  g_assert_nonnull (r);
  cs_failsafe_panel_set_result (fx->panel, r);
  assert_shows (fx, r, "OK");
}

static void
test_check (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(CsQueryResult) r = find_case_result (fx, CS_VERDICT_CHECK, 0);

  g_test_summary ("A case with its first sensor missing: Check, with the missing_feature flag among the rows");
  g_assert_nonnull (r);
  g_assert_nonnull (cs_flag_report_find (&r->report, CS_FLAG_MISSING_FEATURE));
  cs_failsafe_panel_set_result (fx->panel, r);
  assert_shows (fx, r, "Check");
  g_assert_nonnull (cs_ui_test_find_named (GTK_WIDGET (fx->panel), cs_engine_flag_name (CS_FLAG_MISSING_FEATURE)));
}

static void
test_stop (Fixture       *fx,
           gconstpointer  data)
{
  CsCaseBase *c = fx->cases;
  g_autofree double *q = g_new (double, c->d);
  g_autoptr(CsQueryResult) r = NULL;
  g_autoptr(CsQueryResult) ok = find_case_result (fx, CS_VERDICT_OK, -1);

  g_test_summary ("A query far outside the case base: Stop with its rows; the next result replaces them");
  for (gsize j = 0; j < c->d; j++)
    q[j] = c->max[j] + 20 * (c->max[j] - c->min[j] + 1);
  r = cs_engine_query (fx->engine, q, -1, 8, NULL);
  g_assert_nonnull (r);
  g_assert_cmpint (r->report.verdict, ==, CS_VERDICT_STOP);
  g_assert_cmpuint (r->report.n_flags, >, 0);
  cs_failsafe_panel_set_result (fx->panel, r);
  assert_shows (fx, r, "Stop");
  g_assert_nonnull (ok);
  cs_failsafe_panel_set_result (fx->panel, ok);
  assert_shows (fx, ok, "OK");
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
  g_test_add ("/cs/ui/failsafe-panel/none", Fixture, NULL, fixture_set_up, test_none, fixture_tear_down);
  g_test_add ("/cs/ui/failsafe-panel/ok", Fixture, NULL, fixture_set_up, test_ok, fixture_tear_down);
  g_test_add ("/cs/ui/failsafe-panel/check", Fixture, NULL, fixture_set_up, test_check, fixture_tear_down);
  g_test_add ("/cs/ui/failsafe-panel/stop", Fixture, NULL, fixture_set_up, test_stop, fixture_tear_down);
  return g_test_run ();
}
