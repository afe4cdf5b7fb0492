/* test-engine-follow.c: a followed case base (cs-engine-follow.c): waiting predictions, completing rows, joins
 * that build new snapshots without touching the old one, the baselines measured again after 10 % growth, and the
 * drift alarm raised live. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-engine-follow.h"
#include "cs-sample-gen.h"
#include "drift-gen.h"

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

/* Cases set aside in the exclusions side file never join or count: an appended row on a recorded line is
 * excluded (not predicted, not joined, completes nothing), a waiting prediction whose line is set aside later
 * is dropped, and a joined case set aside later leaves the snapshot. A record with another label does not
 * apply, as in cs_case_base_exclude. */
static void
test_follow_exclusions (void)
{
  gsize n0 = 150;
  CsSample *s = cs_sample_new (CS_SAMPLE_KILN, 91, n0 + 20);
  g_autoptr(CsCaseBase) cases = base_from_sample (s, n0);
  g_autoptr(CsEngine) first = NULL;
  g_autoptr(CsExclusions) ex = cs_exclusions_new ();
  g_autoptr(GError) error = NULL;
  CsEngineOptions eo;
  CsFollow *fl;
  CsCsvFollowRow *rows[4];
  GPtrArray *ev;
  CsFollowEvent *e;
  guint line = (guint) n0 + 2;
  gsize dropped = 99;

  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  first = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fl = cs_follow_new (first, &eo);

  /* lines n0 + 2 (label A, a waiting row) and n0 + 4 (label C, with an outcome) are set aside beforehand; the
   * record for n0 + 5 names another label, so that row is not */
  g_assert_true (cs_exclusions_add (ex, line, "A", "sensor fault", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, line + 2, "C", "mis-measured", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, line + 3, "not-D", "another case", NULL, &error));
  g_assert_true (cs_follow_set_exclusions (fl, ex, &dropped, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_true (cs_follow_engine (fl) == first);   /* nothing of the base was on those lines */

  rows[0] = row_new (s, n0, line, "A", FALSE);
  rows[1] = row_new (s, n0 + 1, line + 1, "B", FALSE);
  rows[2] = row_new (s, n0 + 2, line + 2, "C", TRUE);
  rows[3] = row_new (s, n0 + 3, line + 3, "D", TRUE);
  ev = cs_follow_add (fl, rows, 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ev->len, ==, 4);
  e = ev->pdata[0];
  g_assert_cmpint (e->kind, ==, CS_FOLLOW_EXCLUDED);
  g_assert_null (e->result);
  g_assert_cmpstr (e->reason, ==, "sensor fault");
  g_assert_cmpint (((CsFollowEvent *) ev->pdata[1])->kind, ==, CS_FOLLOW_WAITING);
  g_assert_cmpint (((CsFollowEvent *) ev->pdata[2])->kind, ==, CS_FOLLOW_EXCLUDED);
  g_assert_cmpint (((CsFollowEvent *) ev->pdata[3])->kind, ==, CS_FOLLOW_JOINED);
  /* the waiting one predicted like a lone query: the excluded rows did not shift the batch */
  {
    g_autoptr(CsQueryResult) alone = cs_engine_query (first, rows[1]->x, -1, 5, NULL);
    e = ev->pdata[1];
    g_assert_cmpfloat_with_epsilon (e->result->prediction.prediction, alone->prediction.prediction,
                                    1e-9 * (1 + fabs (alone->prediction.prediction)));
  }
  g_ptr_array_unref (ev);
  /* only D joined; only B waits */
  g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, n0 + 1);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->line[n0], ==, line + 3);
  g_assert_cmpuint (cs_follow_waiting (fl)->len, ==, 1);
  for (guint i = 0; i < 4; i++)
    cs_csv_follow_row_free (rows[i]);

  /* the outcome of an excluded waiting row (label A, a later line) has nothing to complete: it joins as new */
  rows[0] = row_new (s, n0, line + 4, "A", TRUE);
  ev = cs_follow_add (fl, rows, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CsFollowEvent *) ev->pdata[0])->kind, ==, CS_FOLLOW_JOINED);
  g_ptr_array_unref (ev);
  cs_csv_follow_row_free (rows[0]);
  g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, n0 + 2);

  /* later the user sets aside B (waiting) and D (joined) and an original case: B stops waiting, D and the
   * original case leave the snapshot, whose baselines are measured again */
  g_assert_true (cs_exclusions_add (ex, line + 1, "B", "wrong part", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, line + 3, "D", "mis-measured", NULL, &error));
  g_assert_true (cs_exclusions_add (ex, 10, NULL, "first shift", NULL, &error));
  {
    guint refreshes = cs_follow_refreshes (fl);
    CsEngine *before = cs_follow_engine (fl);
    gsize n_before = before->cases->n;

    g_assert_true (cs_follow_set_exclusions (fl, ex, &dropped, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (dropped, ==, 2);
    g_assert_cmpuint (cs_follow_engine (fl)->cases->n, ==, n_before - 2);
    g_assert_cmpuint (cs_follow_refreshes (fl), ==, refreshes + 1);
    for (gsize i = 0; i < cs_follow_engine (fl)->cases->n; i++)
      {
        guint l = cs_follow_engine (fl)->cases->line[i];
        g_assert_cmpuint (l, !=, 10);
        g_assert_cmpuint (l, !=, line + 3);
      }
  }
  g_assert_cmpuint (cs_follow_waiting (fl)->len, ==, 0);
  cs_follow_free (fl);
  cs_sample_free (s);
}

/* Follow the first 500 cases of a drift base (drift-gen.h: 3,000 rows in time order, the outcome shifted by
 * shift noise sd from row 1,500 on when shift > 0) and append the rest with their outcomes, 100 rows at a time:
 * the drift alarms raised, as file lines. */
static GArray *
follow_drift (guint64 seed,
              double  shift)
{
  const gsize n = 3000, n0 = 500, chunk = 100;
  g_autoptr(CsCaseBase) all = drift_generate (seed, n, shift > 0 ? 1500 : 0, shift);
  g_autoptr(CsCaseBase) cases = cs_case_base_new (n0, 3);
  g_autoptr(CsEngine) first = NULL;
  g_autoptr(GError) error = NULL;
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (guint));
  CsEngineOptions eo;
  CsFollow *fl;
  guint fired = 0;

  for (gsize j = 0; j < 3; j++)
    cs_case_base_set_feature (cases, j, all->feature_names[j], "");
  cs_case_base_set_target (cases, "y", "");
  memcpy (cases->x, all->x, n0 * 3 * sizeof (double));
  memcpy (cases->y, all->y, n0 * sizeof (double));
  memcpy (cases->line, all->line, n0 * sizeof (guint));
  cs_case_base_compute_stats (cases);
  cs_engine_options_init (&eo);
  eo.preferred_window = FALSE;
  first = cs_engine_build_full (cases, &eo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fl = cs_follow_new (first, &eo);
  for (gsize i0 = n0; i0 < n; i0 += chunk)
    {
      CsCsvFollowRow *rows[100];
      GPtrArray *ev;

      for (gsize k = 0; k < chunk; k++)
        {
          rows[k] = g_new0 (CsCsvFollowRow, 1);
          rows[k]->line = all->line[i0 + k];
          rows[k]->x = g_memdup2 (all->x + (i0 + k) * 3, 3 * sizeof (double));
          rows[k]->y = all->y[i0 + k];
        }
      ev = cs_follow_add (fl, rows, chunk, NULL, &error);
      g_assert_no_error (error);
      for (gsize k = 0; k < chunk; k++)
        {
          CsFollowEvent *e = ev->pdata[k];

          /* every row has an outcome and a prediction made before it joined: a forward error, fed to the rule */
          g_assert_cmpint (e->kind, ==, CS_FOLLOW_JOINED);
          g_assert_true (isfinite (e->error));
          g_assert_true (isfinite (e->drift_statistic));
          if (e->drift_alarm != 0)
            {
              /* the first alarm after an upward shift says outcomes run above the predictions (later ones may
               * say below: the joined shifted cases pull the predictions up after the level was set again) */
              if (fired == 0 && shift > 0)
                g_assert_cmpint (e->drift_alarm, ==, 1);
              g_array_append_val (lines, e->line);
              fired++;
            }
          cs_csv_follow_row_free (rows[k]);
        }
      g_ptr_array_unref (ev);
    }
  /* the follow's own list says the same */
  g_assert_cmpuint (cs_follow_alarms (fl)->len, ==, fired);
  for (guint a = 0; a < fired; a++)
    g_assert_cmpuint (g_array_index (cs_follow_alarms (fl), CsFollowAlarm, a).line, ==,
                      g_array_index (lines, guint, a));
  cs_follow_free (fl);
  return lines;
}

static void
test_follow_drift (void)
{
  g_test_summary ("follow mode raises the drift alarm live: the errors of appended rows through the backtest's "
                  "CUSUM fire within 100 rows of a shift of 2 noise sd at row 1,500, and not before it; a "
                  "stationary stream of 2,500 rows raises at most one");
  for (guint64 seed = 51; seed <= 53; seed++)
    {
      g_autoptr(GArray) shifted = follow_drift (seed, 2.0);
      g_autoptr(GArray) stationary = follow_drift (seed + 100, 0);
      guint first_after = 0;

      for (guint a = 0; a < shifted->len; a++)
        {
          guint line = g_array_index (shifted, guint, a);

          g_assert_cmpuint (line, >=, 1500 + 2);    /* no alarm before the shift (its row 1,500 is line 1,502) */
          if (first_after == 0)
            first_after = line;
        }
      g_test_message ("seed %" G_GUINT64_FORMAT ": first alarm at line %u (the shift at line 1502), %u alarms; "
                      "stationary: %u", seed, first_after, shifted->len, stationary->len);
      g_assert_cmpuint (first_after, >, 0);
      g_assert_cmpuint (first_after, <=, 1502 + 100);
      g_assert_cmpuint (stationary->len, <=, 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/cs/engine/follow/kiln", GINT_TO_POINTER (CS_SAMPLE_KILN), test_follow);
  g_test_add_data_func ("/cs/engine/follow/press-line", GINT_TO_POINTER (CS_SAMPLE_PRESS_LINE), test_follow);
  g_test_add_func ("/cs/engine/follow/exclusions", test_follow_exclusions);
  g_test_add_func ("/cs/engine/follow/drift", test_follow_drift);
  return g_test_run ();
}
