/* cs-case-table-jobs.c: the case table's two workers: a column sort (the rows' order) and every case's
 * leave-one-out share inside the spec limits (the "In spec" column). Each job carries all it reads, so two
 * tables (or two sorts) never share state. */
#define G_LOG_DOMAIN "cs-case-table"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cs-case-list.h"
#include "cs-case-table-private.h"

/* ---- Sorting in a worker ---------------------------------------------------------------------------------- */

typedef struct
{
  CsCaseBase *cases;
  CsEngine *engine;             /* for the flags column, may be NULL */
  double *p_in_spec;            /* copy for the "In spec" column, may be NULL */
  int column;
  gboolean descending;
  guint *order;                 /* made by the thread: display position -> case index, n */
  guint *inverse;               /* and back */
} SortJob;

static void
sort_job_free (gpointer data)
{
  SortJob *job = data;

  cs_case_base_unref (job->cases);
  g_clear_pointer (&job->engine, cs_engine_unref);
  g_free (job->p_in_spec);
  g_free (job->order);
  g_free (job->inverse);
  g_free (job);
}

typedef struct
{
  double key;
  guint index;
} SortItem;

static int
cmp_sort_item (const void *a,
               const void *b)
{
  const SortItem *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

/* Case indices by id; ties by index, so the order is total and the same on every run. */
static int
cmp_sort_id (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const char * const *ids = user_data;
  guint x = *(const guint *) a, y = *(const guint *) b;
  int c = g_strcmp0 (ids[x], ids[y]);

  return c != 0 ? c : (x > y) - (x < y);
}

static double
sort_key (SortJob *job,
          gsize    i)
{
  CsCaseBase *c = job->cases;

  switch (job->column)
    {
    case CS_CASE_TABLE_COLUMN_FLAGS:
      return job->engine != NULL && job->engine->case_verdict != NULL ? job->engine->case_verdict[i] : 0;
    case CS_CASE_TABLE_COLUMN_IN_SPEC:   /* not computed sorts first, and NaN would break the comparison */
      return job->p_in_spec != NULL && isfinite (job->p_in_spec[i]) ? job->p_in_spec[i] : -1;
    case CS_CASE_TABLE_COLUMN_ID:
    case CS_CASE_TABLE_COLUMN_LINE:
      return (double) i;
    default:
      if ((gsize) job->column > c->d)   /* a category column: grouped by value, in the file's order of values */
        return c->cat_codes[i * c->n_cat + ((gsize) job->column - c->d - 1)];
      return (gsize) job->column < c->d ? c->x[i * c->d + (gsize) job->column] : c->y[i];
    }
}

static void
sort_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SortJob *job = task_data;
  CsCaseBase *c = job->cases;
  gsize n = c->n;

  job->order = g_new (guint, MAX (n, 1));
  job->inverse = g_new (guint, MAX (n, 1));
  if (job->column == CS_CASE_TABLE_COLUMN_ID && c->ids != NULL)
    {
      for (gsize i = 0; i < n; i++)
        job->order[i] = (guint) i;
      g_qsort_with_data (job->order, (gint) n, sizeof (guint), cmp_sort_id, c->ids);
    }
  else
    {
      g_autofree SortItem *items = g_new (SortItem, MAX (n, 1));

      for (gsize i = 0; i < n; i++)
        items[i] = (SortItem) { sort_key (job, i), (guint) i };
      qsort (items, n, sizeof (SortItem), cmp_sort_item);
      for (gsize i = 0; i < n; i++)
        job->order[i] = items[i].index;
    }
  if (job->descending)
    for (gsize i = 0; i < n / 2; i++)
      {
        guint t = job->order[i];
        job->order[i] = job->order[n - 1 - i];
        job->order[n - 1 - i] = t;
      }
  for (gsize p = 0; p < n; p++)
    job->inverse[job->order[p]] = (guint) p;
  g_task_return_boolean (task, !g_cancellable_is_cancelled (cancellable));
}

/* Rows in this order (NULL: file order), the selected case kept selected at its new place. */
static void
set_order (CsCaseTable *self,
           guint       *order,
           guint       *inverse)
{
  g_free (self->inverse);
  self->inverse = inverse;
  self->quiet = TRUE;
  cs_case_list_set_order (self->case_list, order);
  self->quiet = FALSE;
  self->reselect = self->selected >= 0;
  _cs_case_table_reselect (self);
}

static void
sort_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsCaseTable *self = user_data;
  SortJob *job = g_task_get_task_data (G_TASK (result));

  if (g_task_propagate_boolean (G_TASK (result), NULL) && !self->disposed && job->cases == self->cases
      && self->case_list != NULL)
    {
      self->sorting = FALSE;
      set_order (self, g_steal_pointer (&job->order), g_steal_pointer (&job->inverse));
    }
  g_object_unref (self);
}

void
_cs_case_table_sorter_changed (GtkSorter       *sorter,
                               GtkSorterChange  change,
                               CsCaseTable     *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CsCaseRow) a = NULL;
  g_autoptr(CsCaseRow) b = NULL;
  SortJob *job;
  int answer;

  if (self->case_list == NULL || self->cases == NULL || self->cases->n < 2)
    return;
  g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  if (gtk_sorter_get_order (sorter) == GTK_SORTER_ORDER_NONE)
    {
      self->sorting = FALSE;
      set_order (self, NULL, NULL);
      return;
    }
  a = g_list_model_get_item (G_LIST_MODEL (self->case_list), 0);
  b = g_list_model_get_item (G_LIST_MODEL (self->case_list), 1);
  self->probing = TRUE;
  self->probe_column = CS_CASE_TABLE_PROBE_NONE;
  answer = gtk_sorter_compare (sorter, a, b);
  self->probing = FALSE;
  if (self->probe_column == CS_CASE_TABLE_PROBE_NONE)
    return;
  job = g_new0 (SortJob, 1);
  job->cases = cs_case_base_ref (self->cases);
  job->engine = self->engine != NULL ? cs_engine_ref (self->engine) : NULL;
  job->column = self->probe_column;
  if (job->column == CS_CASE_TABLE_COLUMN_IN_SPEC && self->case_p_in_spec != NULL)
    job->p_in_spec = g_memdup2 (self->case_p_in_spec, sizeof (double) * self->cases->n);
  job->descending = answer == GTK_ORDERING_LARGER;
  self->sort_cancellable = g_cancellable_new ();
  self->sorting = TRUE;
  task = g_task_new (NULL, self->sort_cancellable, sort_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, sort_job_free);
  g_task_run_in_thread (task, sort_thread);
}

/* ---- The "In spec" column: every case's leave-one-out p_in_spec, in one batch in a worker ------------------ */

typedef struct
{
  CsEngine *engine;
  CsIntervalSpec spec;
  double *p;                    /* n, NaN where not computed */
} SpecJob;

static void
spec_job_free (gpointer data)
{
  SpecJob *job = data;

  cs_engine_unref (job->engine);
  g_free (job->p);
  g_free (job);
}

static void
spec_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SpecJob *job = task_data;
  CsEngine *e = job->engine;
  CsCaseBase *c = e->cases;
  gsize m = c->n;
  g_autofree double *queries = NULL;
  g_autofree gssize *exclude = NULL;
  CsQueryResult **results;
  GError *error = NULL;

  /* The verdict column's cases: every case up to the per-case limit, else the engine's per-case sample (each
   * query is O(n d), so a million cases would be 10^6 full predictions). */
  if (c->n > CS_ENGINE_PER_CASE_MAX && e->sample_rows != NULL && e->n_sample > 0)
    m = e->n_sample;
  job->p = g_new (double, MAX (c->n, 1));
  for (gsize i = 0; i < c->n; i++)
    job->p[i] = NAN;
  queries = g_new (double, MAX (m * c->d, 1));
  exclude = g_new (gssize, MAX (m, 1));
  for (gsize r = 0; r < m; r++)
    {
      gsize i = m == c->n ? r : e->sample_rows[r];
      memcpy (queries + r * c->d, c->x + i * c->d, sizeof (double) * c->d);
      exclude[r] = (gssize) i;   /* leave-one-out: the case does not see itself */
    }
  results = cs_engine_predict_spec (e, queries, m, exclude, 0, &job->spec, cancellable, &error);
  if (results == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (gsize r = 0; r < m; r++)
    if (results[r] != NULL && results[r]->valid)
      job->p[exclude[r]] = results[r]->p_in_spec;
  cs_engine_results_free (results, m);
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

static void
refresh_spec_labels (CsCaseTable *self)
{
  _cs_case_table_refresh_spec_labels (self);
  if (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->spec_filter)) != CS_CASE_TABLE_SPEC_ANY)
    _cs_case_table_filter_changed (self);
}

static void
spec_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CsCaseTable *self = user_data;
  SpecJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* A cancelled run was replaced (new limits, engine or case base) and its successor owns the column. */
  if (g_task_propagate_boolean (G_TASK (result), &error) && job->engine == self->engine && !self->disposed)
    {
      g_free (self->case_p_in_spec);
      self->case_p_in_spec = g_steal_pointer (&job->p);
      self->spec_pending = FALSE;
      refresh_spec_labels (self);
    }
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("In spec column: %s", error->message);
      if (job->engine == self->engine)
        self->spec_pending = FALSE;
    }
  g_object_unref (self);
}

/* Limits, engine or case base changed: drop the old shares and compute the new ones (or hide the column). */
void
_cs_case_table_refresh_case_spec (CsCaseTable *self)
{
  gboolean limits = cs_interval_spec_has_limits (&self->spec);
  g_autoptr(GTask) task = NULL;
  SpecJob *job;

  g_cancellable_cancel (self->spec_cancellable);
  g_clear_object (&self->spec_cancellable);
  g_clear_pointer (&self->case_p_in_spec, g_free);
  self->spec_pending = FALSE;
  if (self->disposed)           /* the widgets are gone, nothing to show or compute */
    return;
  if (self->spec_column != NULL)
    gtk_column_view_column_set_visible (self->spec_column, limits);
  gtk_widget_set_sensitive (self->spec_filter, limits);
  refresh_spec_labels (self);
  if (!limits || self->engine == NULL || self->cases == NULL || self->cases->n < 2)
    return;
  job = g_new0 (SpecJob, 1);
  job->engine = cs_engine_ref (self->engine);
  job->spec = self->spec;
  self->spec_cancellable = g_cancellable_new ();
  self->spec_pending = TRUE;
  task = g_task_new (NULL, self->spec_cancellable, spec_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, spec_job_free);
  g_task_run_in_thread (task, spec_thread);
}
