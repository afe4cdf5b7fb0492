/* cs-table-export.c: case table and cases-used table as CSV. */
#define G_LOG_DOMAIN "cs-table-export"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "cs-table-export.h"

static char *
column_title (const char *name,
              const char *unit)
{
  return unit != NULL && *unit != '\0' ? g_strdup_printf ("%s [%s]", name, unit) : g_strdup (name);
}

static const char * const *
protect (CsCaseBase  *cases,
         const char **list)
{
  list[0] = cases->source_path;
  list[1] = NULL;
  return cases->source_path != NULL ? list : NULL;
}

static char *
flag_names (guint8 bits)
{
  GString *s = g_string_new (NULL);

  for (int f = 0; f < CS_FLAG_N_KINDS; f++)
    if (bits & (1u << f))
      g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", cs_engine_flag_name ((CsFlagKind) f));
  return g_string_free (s, FALSE);
}

/* Every case left out of its own prediction, at spec: the intervals and p_in_spec of the case table. */
static CsQueryResult **
loo_batch (CsEngine             *engine,
           const CsIntervalSpec *spec,
           GCancellable         *cancellable,
           GError              **error)
{
  CsCaseBase *c = engine->cases;
  g_autofree gssize *self = g_new (gssize, MAX (c->n, 1));

  for (gsize i = 0; i < c->n; i++)
    self[i] = (gssize) i;
  return cs_engine_predict_spec (engine, c->x, c->n, self, 1, spec, cancellable, error);
}

/* A number, or an empty cell where there is none (no interval: a failed prediction, no residuals). */
static void
number_or_empty (CsCsvWriter *w,
                 double       v)
{
  if (isfinite (v))
    cs_csv_writer_number (w, v);
  else
    cs_csv_writer_text (w, "");
}

static void
write_interval (CsCsvWriter         *w,
                const CsQueryResult *r,
                gboolean             limits)
{
  gboolean has = r != NULL && r->valid && isfinite (r->interval.level);

  number_or_empty (w, has ? r->interval.level : NAN);
  number_or_empty (w, has ? r->interval.lower : NAN);
  number_or_empty (w, has ? r->interval.upper : NAN);
  if (limits)
    {
      g_autofree char *words = r != NULL && r->valid ? cs_query_result_spec_words (r) : NULL;
      number_or_empty (w, r != NULL && r->valid ? r->p_in_spec : NAN);
      cs_csv_writer_text (w, words != NULL ? words : "");
    }
}

gboolean
cs_table_export_cases (CsEngine    *engine,
                       const char  *path,
                       CsCsvPreset  preset,
                       GError     **error)
{
  return cs_table_export_cases_spec (engine, NULL, path, preset, NULL, error);
}

gboolean
cs_table_export_cases_spec (CsEngine             *engine,
                            const CsIntervalSpec *spec,
                            const char           *path,
                            CsCsvPreset           preset,
                            GCancellable         *cancellable,
                            GError              **error)
{
  CsCaseBase *c = engine->cases;
  const char *prot[2];
  CsCsvWriter *w;
  gboolean loo = engine->per_case != NULL;
  gboolean limits = spec != NULL && cs_interval_spec_has_limits (spec);
  CsQueryResult **batch = NULL;
  gboolean ok;

  /* the intervals first: a refused or cancelled batch leaves no file behind */
  if (loo)
    {
      batch = loo_batch (engine, spec, cancellable, error);
      if (batch == NULL)
        return FALSE;
    }
  w = cs_csv_writer_new (path, preset, protect (c, prot), error);
  if (w == NULL)
    {
      if (batch != NULL)
        cs_engine_results_free (batch, c->n);
      return FALSE;
    }
  cs_csv_writer_text (w, "line");
  if (c->ids != NULL)
    cs_csv_writer_text (w, c->id_name != NULL ? c->id_name : "id");
  for (gsize j = 0; j < c->d; j++)
    {
      g_autofree char *t = column_title (c->feature_names[j], c->feature_units[j]);
      cs_csv_writer_text (w, t);
    }
  {
    g_autofree char *t = column_title (c->target_name, c->target_unit);
    cs_csv_writer_text (w, t);
  }
  if (loo)
    {
      g_autofree char *p = column_title ("loo_prediction", c->target_unit);
      g_autofree char *noise = column_title ("local_noise_sd", c->target_unit);
      cs_csv_writer_text (w, p);
      /* beside the prediction they belong to, with the JSON's names (interval level, lower, upper) and the
       * command line's p_in_spec; verdict and flags stay the last columns */
      cs_csv_writer_text (w, "interval_level");
      cs_csv_writer_text (w, "interval_lower");
      cs_csv_writer_text (w, "interval_upper");
      if (limits)
        {
          cs_csv_writer_text (w, "p_in_spec");
          cs_csv_writer_text (w, "spec");
        }
      cs_csv_writer_text (w, "loo_n_eff");
      cs_csv_writer_text (w, noise);
      cs_csv_writer_text (w, "local_lipschitz");
      cs_csv_writer_text (w, "verdict");
      cs_csv_writer_text (w, "flags");
    }
  cs_csv_writer_end_row (w);
  for (gsize i = 0; i < c->n; i++)
    {
      cs_csv_writer_number (w, c->line[i]);
      if (c->ids != NULL)
        cs_csv_writer_text (w, c->ids[i]);
      for (gsize j = 0; j < c->d; j++)
        cs_csv_writer_number (w, c->x[i * c->d + j]);
      cs_csv_writer_number (w, c->y[i]);
      if (loo)
        {
          g_autofree char *flags = flag_names (engine->case_flags[i]);
          cs_csv_writer_number (w, engine->per_case[i].prediction);
          write_interval (w, batch[i], limits);
          cs_csv_writer_number (w, engine->per_case[i].n_eff);
          cs_csv_writer_number (w, engine->per_case[i].local_noise_sd);
          cs_csv_writer_number (w, engine->per_case[i].local_lipschitz);
          cs_csv_writer_text (w, cs_verdict_name (engine->case_verdict[i]));
          cs_csv_writer_text (w, flags);
        }
      cs_csv_writer_end_row (w);
    }
  ok = cs_csv_writer_finish (w, error);
  if (batch != NULL)
    cs_engine_results_free (batch, c->n);
  return ok;
}

typedef struct
{
  double weight;
  gsize index;
} WeightIndex;

static int
cmp_weight_desc (const void *a,
                 const void *b)
{
  const WeightIndex *wa = a, *wb = b;

  if (wa->weight != wb->weight)
    return wa->weight < wb->weight ? 1 : -1;
  return (wa->index > wb->index) - (wa->index < wb->index);
}

gboolean
cs_table_export_used (const CsQueryResult *r,
                      const char          *path,
                      CsCsvPreset          preset,
                      GError             **error)
{
  CsCaseBase *c = r->engine->cases;
  const char *prot[2];
  CsCsvWriter *w;
  g_autofree WeightIndex *order = g_new (WeightIndex, MAX (c->n, 1));
  g_autofree char *ytitle = column_title (c->target_name, c->target_unit);

  if (!r->valid)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("There is no prediction to export: %s"),
                   cs_engine_failure_reason (r->report.failure));
      return FALSE;
    }
  w = cs_csv_writer_new (path, preset, protect (c, prot), error);
  if (w == NULL)
    return FALSE;
  for (gsize i = 0; i < c->n; i++)
    order[i] = (WeightIndex) { r->weights[i], i };
  qsort (order, c->n, sizeof (WeightIndex), cmp_weight_desc);

  cs_csv_writer_text (w, "rank");
  cs_csv_writer_text (w, "line");
  if (c->ids != NULL)
    cs_csv_writer_text (w, c->id_name != NULL ? c->id_name : "id");
  cs_csv_writer_text (w, "weight");
  cs_csv_writer_text (w, ytitle);
  cs_csv_writer_text (w, "weight_x_outcome");
  for (gsize j = 0; j < c->d; j++)
    {
      g_autofree char *t = column_title (c->feature_names[j], c->feature_units[j]);
      cs_csv_writer_text (w, t);
    }
  cs_csv_writer_end_row (w);
  for (gsize t = 0; t < c->n; t++)
    {
      gsize i = order[t].index;

      if ((gssize) i == r->exclude)
        continue;
      cs_csv_writer_number (w, (double) t + 1);
      cs_csv_writer_number (w, c->line[i]);
      if (c->ids != NULL)
        cs_csv_writer_text (w, c->ids[i]);
      cs_csv_writer_number (w, r->weights[i]);
      cs_csv_writer_number (w, c->y[i]);
      cs_csv_writer_number (w, r->weights[i] * c->y[i]);
      for (gsize j = 0; j < c->d; j++)
        cs_csv_writer_number (w, c->x[i * c->d + j]);
      cs_csv_writer_end_row (w);
    }
  return cs_csv_writer_finish (w, error);
}

typedef struct
{
  gboolean used;
  CsEngine *engine;
  CsQueryResult *result;
  char *path;
  CsCsvPreset preset;
  gboolean has_spec;
  CsIntervalSpec spec;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_pointer (&job->engine, cs_engine_unref);
  g_clear_pointer (&job->result, cs_query_result_free);
  g_free (job->path);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  gboolean ok = job->used ? cs_table_export_used (job->result, job->path, job->preset, &error)
                          : cs_table_export_cases_spec (job->engine, job->has_spec ? &job->spec : NULL, job->path,
                                                        job->preset, cancellable, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cs_table_export_async (const char          *kind,
                       CsEngine            *engine,
                       const CsQueryResult *result,
                       const char          *path,
                       CsCsvPreset          preset,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  cs_table_export_async_spec (kind, engine, result, NULL, path, preset, cancellable, callback, user_data);
}

void
cs_table_export_async_spec (const char           *kind,
                            CsEngine             *engine,
                            const CsQueryResult  *result,
                            const CsIntervalSpec *spec,
                            const char           *path,
                            CsCsvPreset           preset,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ExportJob *job = g_new0 (ExportJob, 1);

  job->used = g_strcmp0 (kind, "used") == 0;
  job->engine = engine != NULL ? cs_engine_ref (engine) : NULL;
  job->result = result != NULL ? cs_query_result_copy (result) : NULL;
  job->path = g_strdup (path);
  job->preset = preset;
  job->has_spec = spec != NULL;
  if (spec != NULL)
    job->spec = *spec;
  g_task_set_task_data (task, job, export_job_free);
  if ((job->used && job->result == NULL) || (!job->used && job->engine == NULL))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Nothing to export yet"));
      return;
    }
  g_task_run_in_thread (task, export_thread);
}

gboolean
cs_table_export_finish (GAsyncResult *result,
                        GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
