/* cs-engine-follow.c: a followed case base: predict appended rows, keep the waiting ones, join outcomes. */
#define G_LOG_DOMAIN "cs-engine-follow"

#include "config.h"

#include "cs-engine-follow.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

struct _CsFollow
{
  CsEngine *engine;                /* the current snapshot */
  CsEngineOptions options;         /* for measuring rebuilds (metric, mean, sd set per build) */
  CsFlagThresholds thresholds;     /* the user's, when options had them */
  gboolean have_thresholds;
  gsize measured_n;                /* cases when the baselines were last measured */
  GPtrArray *waiting;              /* CsFollowEvent*, oldest first */
  GHashTable *waiting_by_label;    /* label -> CsFollowEvent* (borrowed from waiting) */
  GPtrArray *completed;            /* CsFollowEvent*, oldest first, at most CS_FOLLOW_KEEP_COMPLETED */
  guint versions, refreshes;
  CsIntervalSpec spec;             /* the interval level and spec limits of every prediction */
  CsExclusions *exclusions;        /* the cases set aside (a copy), or NULL */
  CsCusum cusum;                   /* the drift rule over the forward errors (cs_follow_alarms) */
  double drift_scale;              /* the errors' standardisation: the leave-one-out RMSE the snapshot measured */
  GArray *alarms;                  /* CsFollowAlarm */
};

/* The leave-one-out RMSE of engine's loss cases, or NaN when it has none (the drift rule then waits). */
static double
residual_rmse (const CsEngine *engine)
{
  double sse = 0;
  gsize k = 0;

  for (gsize i = 0; engine->loo_residual != NULL && i < engine->cases->n; i++)
    if (isfinite (engine->loo_residual[i]))
      {
        sse += engine->loo_residual[i] * engine->loo_residual[i];
        k++;
      }
  return k > 0 && sse > 0 ? sqrt (sse / (double) k) : NAN;
}

void
cs_follow_event_free (gpointer data)
{
  CsFollowEvent *e = data;

  if (e == NULL)
    return;
  g_free (e->label);
  g_free (e->reason);
  g_free (e->x);
  g_clear_pointer (&e->result, cs_query_result_free);
  g_free (e);
}

static CsFollowEvent *
event_copy (const CsFollowEvent *e,
            gsize                d)
{
  CsFollowEvent *c = g_memdup2 (e, sizeof *e);

  c->label = g_strdup (e->label);
  c->reason = g_strdup (e->reason);
  c->x = g_memdup2 (e->x, MAX (d, 1) * sizeof (double));
  c->result = e->result != NULL ? cs_query_result_copy (e->result) : NULL;
  return c;
}

const char *
cs_follow_kind_name (CsFollowKind kind)
{
  switch (kind)
    {
    case CS_FOLLOW_JOINED: return "joined";
    case CS_FOLLOW_WAITING: return "waiting";
    case CS_FOLLOW_COMPLETED: return "completed";
    case CS_FOLLOW_EXCLUDED: return "excluded";
    default: return "unknown";
    }
}

CsFollow *
cs_follow_new (CsEngine              *engine,
               const CsEngineOptions *options)
{
  CsFollow *self = g_new0 (CsFollow, 1);

  self->engine = cs_engine_ref (engine);
  cs_interval_spec_init (&self->spec);
  if (options != NULL)
    self->options = *options;
  else
    {
      cs_engine_options_init (&self->options);
      self->options.preferred_window = FALSE;
    }
  if (self->options.thresholds != NULL)
    {
      self->thresholds = *self->options.thresholds;
      self->have_thresholds = TRUE;
    }
  /* Only plain values are kept: the caller's pointers need not outlive this call. */
  self->options.thresholds = NULL;
  self->options.model = NULL;
  self->options.metric = NULL;
  self->options.metric_label = NULL;
  self->options.mean = self->options.sd = NULL;
  self->options.measures_from = NULL;
  self->options.epsilon = engine->epsilon;
  self->measured_n = engine->cases->n;
  self->waiting = g_ptr_array_new_with_free_func (cs_follow_event_free);
  self->waiting_by_label = g_hash_table_new (g_str_hash, g_str_equal);
  self->completed = g_ptr_array_new_with_free_func (cs_follow_event_free);
  {
    CsBacktestOptions bo;

    cs_backtest_options_init (&bo);
    cs_cusum_init (&self->cusum, bo.k, bo.h, bo.recentre);
  }
  self->drift_scale = residual_rmse (engine);
  self->alarms = g_array_new (FALSE, FALSE, sizeof (CsFollowAlarm));
  return self;
}

/* The baselines were measured again: the errors are standardised by what this snapshot expects from now on. */
static void
rescale_drift (CsFollow *self)
{
  double r = residual_rmse (self->engine);

  if (isfinite (r))
    self->drift_scale = r;
}

GArray *
cs_follow_alarms (CsFollow *self)
{
  return self->alarms;
}

/* A forward error into the drift rule (an event with an outcome and a prediction). */
static void
drift_add (CsFollow      *self,
           CsFollowEvent *e)
{
  double z;

  if (!isfinite (e->error) || !(self->drift_scale > 0))
    return;
  e->drift_alarm = cs_cusum_add (&self->cusum, e->error / self->drift_scale, &z, &e->drift_statistic);
  if (e->drift_alarm != 0)
    {
      CsFollowAlarm a = { e->line, e->drift_statistic, e->drift_alarm };
      g_array_append_val (self->alarms, a);
      g_debug ("drift alarm at line %u: %s, CUSUM %.3g", e->line, e->drift_alarm > 0 ? "above" : "below",
               e->drift_statistic);
    }
}

void
cs_follow_free (CsFollow *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->waiting_by_label);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->completed);
  g_array_unref (self->alarms);
  g_clear_pointer (&self->exclusions, cs_exclusions_free);
  cs_engine_unref (self->engine);
  g_free (self);
}

CsEngine *
cs_follow_engine (CsFollow *self)
{
  return self->engine;
}

void
cs_follow_set_engine (CsFollow *self,
                      CsEngine *engine)
{
  cs_engine_ref (engine);
  cs_engine_unref (self->engine);
  self->engine = engine;
  self->measured_n = engine->cases->n;
  rescale_drift (self);
}

GPtrArray *
cs_follow_waiting (CsFollow *self)
{
  return self->waiting;
}

GPtrArray *
cs_follow_completed (CsFollow *self)
{
  return self->completed;
}

gsize
cs_follow_measured_n (CsFollow *self)
{
  return self->measured_n;
}

guint
cs_follow_versions (CsFollow *self)
{
  return self->versions;
}

guint
cs_follow_refreshes (CsFollow *self)
{
  return self->refreshes;
}

/* A snapshot over cases with the current metric and standardisation; measured when measure, else with the
 * current snapshot's baselines. */
static CsEngine *
rebuild (CsFollow     *self,
         CsCaseBase   *cases,
         gboolean      measure,
         GCancellable *cancellable,
         GError      **error)
{
  CsEngine *old = self->engine;
  CsEngineOptions o = self->options;

  o.fit = CS_ENGINE_FIT_NONE;
  o.metric = &old->metric;
  o.metric_label = old->metric_label;
  /* The old standardisation: the metric was fitted in those units, and the copied baselines were measured
   * in them. */
  o.mean = old->mean;
  o.sd = old->sd;
  o.thresholds = self->have_thresholds ? &self->thresholds : NULL;
  o.measures_from = measure ? NULL : old;
  return cs_engine_build_full (cases, &o, NULL, NULL, cancellable, error);
}

gboolean
cs_follow_refresh (CsFollow     *self,
                   GCancellable *cancellable,
                   GError      **error)
{
  CsEngine *fresh = rebuild (self, self->engine->cases, TRUE, cancellable, error);

  if (fresh == NULL)
    return FALSE;
  cs_engine_unref (self->engine);
  self->engine = fresh;
  self->measured_n = fresh->cases->n;
  rescale_drift (self);
  self->refreshes++;
  return TRUE;
}

static void
keep_completed (CsFollow            *self,
                const CsFollowEvent *e,
                gsize                d)
{
  if (self->completed->len >= CS_FOLLOW_KEEP_COMPLETED)
    g_ptr_array_remove_index (self->completed, 0);
  g_ptr_array_add (self->completed, event_copy (e, d));
}

/* The record that sets aside a row on line with label, as cs_case_base_exclude matches it: the line, and the
 * label when one was recorded. */
static const CsExclusion *
excluded (CsFollow   *self,
          guint       line,
          const char *label)
{
  const CsExclusion *x = self->exclusions != NULL ? cs_exclusions_find (self->exclusions, line) : NULL;

  if (x == NULL || (x->label != NULL && g_strcmp0 (x->label, label) != 0))
    return NULL;
  return x;
}

GPtrArray *
cs_follow_add (CsFollow               *self,
               CsCsvFollowRow * const *rows,
               gsize                   m,
               GCancellable           *cancellable,
               GError                **error)
{
  CsEngine *engine = self->engine;
  gsize d = engine->cases->d, nj = 0;
  g_autofree double *q = g_new (double, MAX (m * d, 1));
  g_autofree double *jx = g_new (double, MAX (m * d, 1));
  g_autofree double *jy = g_new (double, MAX (m, 1));
  g_autofree guint *jl = g_new (guint, MAX (m, 1));
  g_autofree const char **jid = g_new0 (const char *, MAX (m, 1));
  gsize nc = engine->cases->n_cat;
  g_autofree const char **jc = g_new0 (const char *, MAX (m * nc, 1));
  g_autofree gint *lq = g_new (gint, MAX (m * nc, 1));
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (cs_follow_event_free);
  g_autofree const CsExclusion **aside = g_new0 (const CsExclusion *, MAX (m, 1));
  CsQueryResult **results;
  gsize mq = 0, k = 0;

  /* Rows set aside are not predicted: they never count. */
  for (gsize i = 0; i < m; i++)
    {
      aside[i] = excluded (self, rows[i]->line, rows[i]->label);
      if (aside[i] != NULL)
        continue;
      memcpy (q + mq * d, rows[i]->x, d * sizeof (double));
      /* a value the snapshot has not seen is unknown to it (-1: flagged); the grown base adds it as a level */
      for (gsize c = 0; c < nc; c++)
        lq[mq * nc + c] = rows[i]->cats != NULL ? cs_engine_category_level (engine, c, rows[i]->cats[c])
                                                 : CS_LEVEL_NOT_GIVEN;
      mq++;
    }
  /* Every row once, against the snapshot current when it arrived, in one batch (one pass for many rows). */
  results = mq > 0 ? cs_engine_predict_levels (engine, q, nc > 0 ? lq : NULL, mq, NULL, 5, &self->spec, cancellable,
                                               error) : NULL;
  if (mq > 0 && results == NULL)
    return NULL;
  for (gsize i = 0; i < m; i++)
    {
      const CsCsvFollowRow *row = rows[i];
      CsFollowEvent *e = g_new0 (CsFollowEvent, 1);
      CsFollowEvent *w = NULL;

      e->line = e->predicted_line = row->line;
      e->label = g_strdup (row->label);
      e->x = g_memdup2 (row->x, MAX (d, 1) * sizeof (double));
      e->outcome = row->y;
      e->error = NAN;
      e->drift_statistic = NAN;
      e->time_us = g_get_real_time ();
      if (aside[i] != NULL)
        {
          e->kind = CS_FOLLOW_EXCLUDED;
          e->reason = g_strdup (aside[i]->reason);
          g_ptr_array_add (events, e);
          continue;
        }
      e->result = g_steal_pointer (&results[k++]);
      if (isnan (row->y))
        {
          e->kind = CS_FOLLOW_WAITING;
          if (e->label != NULL)
            {
              /* A label logged again before its outcome: the newer prediction is the one to complete. */
              CsFollowEvent *older = g_hash_table_lookup (self->waiting_by_label, e->label);
              if (older != NULL)
                {
                  g_hash_table_remove (self->waiting_by_label, e->label);
                  g_ptr_array_remove (self->waiting, older);
                }
            }
          w = event_copy (e, d);
          g_ptr_array_add (self->waiting, w);
          if (w->label != NULL)
            g_hash_table_insert (self->waiting_by_label, w->label, w);
        }
      else
        {
          w = e->label != NULL ? g_hash_table_lookup (self->waiting_by_label, e->label) : NULL;
          if (w != NULL)
            {
              /* The outcome of a waiting prediction: the prediction made then is the one judged. */
              e->kind = CS_FOLLOW_COMPLETED;
              e->predicted_line = w->line;
              g_clear_pointer (&e->result, cs_query_result_free);
              e->result = g_steal_pointer (&w->result);
              g_hash_table_remove (self->waiting_by_label, w->label);
              g_ptr_array_remove (self->waiting, w);
            }
          else
            e->kind = CS_FOLLOW_JOINED;
          if (e->result != NULL && e->result->valid)
            e->error = e->outcome - e->result->prediction.prediction;
          drift_add (self, e);
          if (e->kind == CS_FOLLOW_COMPLETED)
            keep_completed (self, e, d);
          memcpy (jx + nj * d, row->x, d * sizeof (double));
          jy[nj] = row->y;
          jl[nj] = row->line;
          jid[nj] = row->label;
          for (gsize c = 0; c < nc; c++)
            jc[nj * nc + c] = row->cats != NULL ? row->cats[c] : NULL;
          nj++;
        }
      g_ptr_array_add (events, e);
    }
  g_free (results);

  if (nj > 0)
    {
      g_autoptr(CsCaseBase) grown = cs_case_base_append_full (engine->cases, jx, jy, jl, jid, nc > 0 ? jc : NULL, nj);
      gboolean measure = grown->n * 100 >= self->measured_n * (100 + CS_FOLLOW_REFRESH_PERCENT);
      CsEngine *next = rebuild (self, grown, measure, cancellable, error);

      if (next == NULL)
        return NULL;
      cs_engine_unref (self->engine);
      self->engine = next;
      self->versions++;
      if (measure)
        {
          self->measured_n = grown->n;
          rescale_drift (self);
          self->refreshes++;
        }
    }
  return g_steal_pointer (&events);
}

/* Drop the events of excluded lines from list (and from the label index when it is the waiting list). */
static void
drop_excluded (CsFollow  *self,
               GPtrArray *list,
               gboolean   is_waiting)
{
  for (guint i = list->len; i > 0; i--)
    {
      CsFollowEvent *e = list->pdata[i - 1];

      if (excluded (self, e->line, e->label) == NULL
          && (e->predicted_line == e->line || excluded (self, e->predicted_line, e->label) == NULL))
        continue;
      if (is_waiting && e->label != NULL && g_hash_table_lookup (self->waiting_by_label, e->label) == e)
        g_hash_table_remove (self->waiting_by_label, e->label);
      g_ptr_array_remove_index (list, i - 1);
    }
}

gboolean
cs_follow_set_exclusions (CsFollow           *self,
                          const CsExclusions *exclusions,
                          gsize              *dropped,
                          GCancellable       *cancellable,
                          GError            **error)
{
  CsExclusions *copy = cs_exclusions_new ();
  CsExclusions *old = self->exclusions;
  g_autoptr(CsCaseBase) kept = NULL;
  gsize applied = 0;

  for (guint i = 0; exclusions != NULL && i < exclusions->items->len; i++)
    {
      const CsExclusion *x = exclusions->items->pdata[i];
      if (!cs_exclusions_add (copy, x->line, x->label, x->reason, x->when, error))
        {
          cs_exclusions_free (copy);
          return FALSE;
        }
    }
  kept = cs_case_base_exclude (self->engine->cases, copy, NULL, &applied);
  if (applied > 0)
    {
      /* fewer cases than the snapshot's: its baselines describe cases no longer there, so measure them again */
      CsEngine *next = kept->n >= 2 ? rebuild (self, kept, TRUE, cancellable, error) : NULL;

      if (next == NULL)
        {
          if (kept->n < 2)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "every case but %zu is set aside", kept->n);
          cs_exclusions_free (copy);
          return FALSE;
        }
      cs_engine_unref (self->engine);
      self->engine = next;
      self->measured_n = next->cases->n;
      rescale_drift (self);
      self->versions++;
      self->refreshes++;
    }
  self->exclusions = copy;
  g_clear_pointer (&old, cs_exclusions_free);
  drop_excluded (self, self->waiting, TRUE);
  drop_excluded (self, self->completed, FALSE);
  if (dropped != NULL)
    *dropped = applied;
  return TRUE;
}

void
cs_follow_set_spec (CsFollow             *self,
                    const CsIntervalSpec *spec)
{
  if (spec != NULL)
    self->spec = *spec;
  else
    cs_interval_spec_init (&self->spec);
}

CsExclusions *
cs_follow_read_exclusions (const char *path,
                           gint64     *stamp,
                           GError    **error)
{
  GStatBuf sb;
  gint64 now = 0;

  /* seconds and size: a side file rewritten within the same second keeps its stamp only at the same size */
  if (g_stat (path, &sb) == 0)
    now = (gint64) sb.st_mtime * G_USEC_PER_SEC + (gint64) sb.st_size + 1;
  if (now == *stamp)
    return NULL;
  *stamp = now;
  return cs_exclusions_load (path, NULL, error);
}

/* The engine over a freshly loaded base with the metric and standardisation of like (the window's model): like
 * itself when the base is the very one it was built on. */
CsEngine *
cs_follow_engine_like (CsEngine      *like,
                       CsCaseBase    *cases,
                       GCancellable  *cancellable,
                       GError       **error)
{
  CsEngineOptions o;

  if (cases->n == like->cases->n && cases->d == like->cases->d && cases->sha256 != NULL
      && g_strcmp0 (cases->sha256, like->cases->sha256) == 0)
    return cs_engine_ref (like);
  if (cases->d != like->cases->d)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The file now has %zu features, the model %zu", cases->d, like->cases->d);
      return NULL;
    }
  cs_engine_options_init (&o);
  o.fit = CS_ENGINE_FIT_NONE;
  o.metric = &like->metric;
  o.metric_label = like->metric_label;
  o.mean = like->mean;
  o.sd = like->sd;
  o.thresholds = &like->thresholds;
  o.epsilon = like->epsilon;
  o.preferred_window = FALSE;
  return cs_engine_build_full (cases, &o, NULL, NULL, cancellable, error);
}
