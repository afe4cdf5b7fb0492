/* cs-engine-follow.c: a followed case base: predict appended rows, keep the waiting ones, join outcomes. */
#define G_LOG_DOMAIN "cs-engine-follow"

#include "config.h"

#include "cs-engine-follow.h"

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
};

void
cs_follow_event_free (gpointer data)
{
  CsFollowEvent *e = data;

  if (e == NULL)
    return;
  g_free (e->label);
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
  return self;
}

void
cs_follow_free (CsFollow *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->waiting_by_label);
  g_ptr_array_unref (self->waiting);
  g_ptr_array_unref (self->completed);
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
  CsQueryResult **results;

  for (gsize i = 0; i < m; i++)
    {
      memcpy (q + i * d, rows[i]->x, d * sizeof (double));
      /* a value the snapshot has not seen is unknown to it (-1: flagged); the grown base adds it as a level */
      for (gsize c = 0; c < nc; c++)
        lq[i * nc + c] = rows[i]->cats != NULL ? cs_engine_category_level (engine, c, rows[i]->cats[c]) : -1;
    }
  /* Every row once, against the snapshot current when it arrived, in one batch (one pass for many rows). */
  results = m > 0 ? cs_engine_predict_levels (engine, q, nc > 0 ? lq : NULL, m, NULL, 5, &self->spec, cancellable,
                                              error) : NULL;
  if (m > 0 && results == NULL)
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
      e->time_us = g_get_real_time ();
      e->result = g_steal_pointer (&results[i]);
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
          self->refreshes++;
        }
    }
  return g_steal_pointer (&events);
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
