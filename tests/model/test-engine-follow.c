/* test-engine-follow.c: a followed case base (cs-engine-follow.c): waiting predictions, completing rows, joins
 * that build new snapshots without touching the old one, and the baselines measured again after 10 % growth. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine-follow.h"
#include "cs-sample-gen.h"

static CsCaseBase *
base_from_sample (const CsSample *s,
                  gsize           n)
{
  CsCaseBase *cases = cs_case_base_new (n, s->d);

  for (gsize j = 0; j < s->d; j++)
    cs_case_base_set_feature (cases, j, s->feature_names[j], s->feature_units[j]);
  cs_case_base_set_target (cases, s->target_name, s->target_unit);
  memcpy (cases->x, s->x, n * s->d * sizeof (double));
  memcpy (cases->y, s->y, n * sizeof (double));
  for (gsize i = 0; i < n; i++)
    cases->line[i] = (guint) i + 2;
  cs_case_base_compute_stats (cases);
  return cases;
}

static CsCsvFollowRow *
row_new (const CsSample *s,
         gsize           i,
         guint           line,
         const char     *label,
         gboolean        with_outcome)
{
  CsCsvFollowRow *r = g_new0 (CsCsvFollowRow, 1);

  r->line = line;
  r->x = g_memdup2 (s->x + i * s->d, s->d * sizeof (double));
  r->y = with_outcome ? s->y[i] : NAN;
  r->label = g_strdup (label);
  return r;
}

static void
test_follow (gconstpointer data)
{
  CsSampleKind kind = GPOINTER_TO_INT (data);
  gsize n0 = 200, extra = 40;
  CsSample *s = cs_sample_new (kind, 77, n0 + extra);
  g_autoptr(CsCaseBase) cases = base_from_sample (s, n0);
  g_autoptr(CsEngine) first = NULL;
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  CsFollow *fl;
  CsCsvFollowRow *rows[3];
  GPtrArray *ev;
  CsFollowEvent *e;
  double waiting_prediction;
  guint line = (guint) n0 + 2;

  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  first = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fl = cs_follow_new (first, &eo);

  /* Case n0 arrives without its outcome, case n0 + 1 with one (an unseen label), then n0's outcome. */
  rows[0] = row_new (s, n0, line++, "A", FALSE);
  rows[1] = row_new (s, n0 + 1, line++, "B", TRUE);
  ev = cs_follow_add (fl, rows, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ev->len, ==, 2);
  e = ev->pdata[0];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_WAITING);
  g_assert_true (e->result->valid);
  g_assert_true (isnan (e->error));
  {
    /* The same query alone against the snapshot it arrived at (one batch against one query: the same pass,
     * summed in another grouping, so within rounding). */
    g_autoptr(CsQueryResult) alone = cs_engine_query (first, rows[0]->x, -1, 5, NULL);
    g_assert_cmpfloat_with_epsilon (e->result->prediction.prediction, alone->prediction.prediction,
                                    1e-9 * (1 + fabs (alone->prediction.prediction)));
    g_assert_true (e->result->engine == first);
  }
  waiting_prediction = e->result->prediction.prediction;
  e = ev->pdata[1];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_JOINED);
  g_assert_cmpfloat (e->error, ==, e->outcome - e->result->prediction.prediction);
  g_ptr_array_unref (ev);
  /* The joined row made a new snapshot; the one a view may still read is unchanged. */
  g_assert_cmpuint (first->cases->n, ==, n0);
  g_assert_true (cs_follow_engine (fl) != first);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, n0 + 1);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->line[n0], ==, n0 + 3);
  g_assert_cmpuint (cs_follow_waiting (fl)->len, ==, 1);
  /* Same metric, same standardisation, the baselines copied (the very same stored values). */
  g_assert_cmpfloat (cs_follow_engine (fl)->metric.scale, ==, first->metric.scale);
  g_assert_cmpfloat (cs_follow_engine (fl)->mean[0], ==, first->mean[0]);
  g_assert_cmpfloat (cs_follow_engine (fl)->flag_base.noise_sd, ==, first->flag_base.noise_sd);
  g_assert_cmpuint (cs_follow_engine (fl)->flag_base.n_cases, ==, n0 + 1);
  g_assert_cmpuint (cs_follow_refreshes (fl), ==, 0);
  g_assert_cmpuint (cs_follow_versions (fl), ==, 1);
  for (guint i = 0; i < 2; i++)
    cs_csv_follow_row_free (rows[i]);

  rows[0] = row_new (s, n0, line++, "A", TRUE);
  ev = cs_follow_add (fl, rows, 1, NULL, &error);
  g_assert_no_error (error);
  e = ev->pdata[0];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_COMPLETED);
  g_assert_cmpuint (e->predicted_line, ==, n0 + 2);
  /* The prediction judged is the one made while it waited, not one from the grown base. */
  g_assert_cmpfloat (e->result->prediction.prediction, ==, waiting_prediction);
  g_assert_cmpfloat (e->error, ==, s->y[n0] - waiting_prediction);
  g_assert_cmpuint (cs_follow_waiting (fl)->len, ==, 0);
  g_assert_cmpuint (cs_follow_completed (fl)->len, ==, 1);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, n0 + 2);
  g_ptr_array_unref (ev);
  cs_csv_follow_row_free (rows[0]);

  /* Rows with outcomes one at a time: no measuring until the base has grown by 10 % (n0 = 200: at 220). */
  for (gsize i = n0 + 2; i < n0 + 20; i++)
    {
      rows[0] = row_new (s, i, line++, NULL, TRUE);
      ev = cs_follow_add (fl, rows, 1, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (((CsFollowEvent *) ev->pdata[0])->kind, ==, CS_FOLLOW_JOINED);
      g_ptr_array_unref (ev);
      cs_csv_follow_row_free (rows[0]);
      g_assert_cmpuint (cs_follow_refreshes (fl), ==, i + 1 >= 220 ? 1 : 0);
    }
  g_assert_cmpuint (cs_follow_measured_n (fl), ==, 220);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, 220);
  {
    /* The refreshed baselines are those a build over the grown base measures with the same metric. */
    CsEngine *cur = cs_follow_engine (fl);
    CsEngineOptions o = eo;
    g_autoptr(CsEngine) fresh = NULL;

    o.fit = CS_ENGINE_FIT_NONE;
    o.metric = &first->metric;
    o.mean = first->mean;
    o.sd = first->sd;
    fresh = cs_engine_build_full (cur->cases, &o, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    /* The same computation on the same inputs; a tolerance because threads may sum in another order. */
    g_assert_cmpfloat_with_epsilon (cur->flag_base.noise_sd, fresh->flag_base.noise_sd,
                                    1e-9 * fresh->flag_base.noise_sd);
    g_assert_cmpuint (cur->n_sample, ==, 220);
    g_assert_nonnull (cur->case_verdict);
  }
  cs_follow_free (fl);
  cs_sample_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/cs/engine/follow/kiln", GINT_TO_POINTER (CS_SAMPLE_KILN), test_follow);
  g_test_add_data_func ("/cs/engine/follow/press-line", GINT_TO_POINTER (CS_SAMPLE_PRESS_LINE), test_follow);
  return g_test_run ();
}
