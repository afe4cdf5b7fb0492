/* cs-cli-load.c: one load and one report for every sub-command that reads a case base: the importer's problems
 * on stderr as inspect shows them (and in --json), the optional model file, and the engine built over them. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cs-cli.h"
#include "cs-cli-load.h"
#include "cs-data-error.h"
#include "cs-engine-model.h"

void
cs_cli_loaded_clear (CsCliLoaded *l)
{
  g_clear_pointer (&l->engine, cs_engine_unref);
  g_clear_pointer (&l->base, cs_case_base_unref);
  g_clear_pointer (&l->report, cs_csv_report_free);
  g_clear_pointer (&l->model, cs_model_file_free);
  g_clear_pointer (&l->path, g_free);
  g_clear_pointer (&l->model_path, g_free);
  g_clear_pointer (&l->exclusions, cs_exclusions_free);
  g_clear_pointer (&l->exclusions_path, g_free);
}

void
cs_cli_print_problems (const char        *path,
                       const CsCsvReport *report)
{
  for (guint i = 0; report != NULL && i < report->problems->len; i++)
    {
      const CsCsvProblem *p = report->problems->pdata[i];
      const char *kind = p->warning ? "note: " : "";
      /* fprintf, not g_printerr: messages are UTF-8 whatever the (C) locale. */
      if (p->line > 0 && p->column > 0)
        fprintf (stderr, "%s:%u:%u: %s%s\n", path, p->line, p->column, kind, p->message);
      else if (p->line > 0)
        fprintf (stderr, "%s:%u: %s%s\n", path, p->line, kind, p->message);
      else if (p->column > 0)
        fprintf (stderr, "%s: column %u: %s%s\n", path, p->column, kind, p->message);
      else
        fprintf (stderr, "%s: %s%s\n", path, kind, p->message);
    }
}

void
cs_cli_json_problems (JsonBuilder       *b,
                      const CsCsvReport *report)
{
  json_builder_set_member_name (b, "rows_skipped");
  json_builder_add_int_value (b, report != NULL ? (gint64) report->rows_skipped : 0);
  cs_cli_json_problem_array (b, report);
}

void
cs_cli_json_problem_array (JsonBuilder       *b,
                           const CsCsvReport *report)
{
  json_builder_set_member_name (b, "problems");
  json_builder_begin_array (b);
  for (guint i = 0; report != NULL && i < report->problems->len; i++)
    {
      const CsCsvProblem *p = report->problems->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, p->line);
      json_builder_set_member_name (b, "column");
      json_builder_add_int_value (b, p->column);
      cs_json_add_string (b, "column_name", p->column_name);
      cs_json_add_string (b, "expected", p->expected);
      cs_json_add_string (b, "found", p->found);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, p->message);
      json_builder_set_member_name (b, "warning");
      json_builder_add_boolean_value (b, p->warning);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static char *
column_list (const CsCsvReport *report)
{
  GString *have = g_string_new (NULL);

  for (guint c = 0; c < report->columns->len; c++)
    g_string_append_printf (have, "%s%s", c ? ", " : "", ((CsCsvColumn *) report->columns->pdata[c])->name);
  return g_string_free (have, FALSE);
}

/* Whether the first read already gave every column the role the second read (the wanted columns as features,
 * the others ignored unless target or label) would give it: only the target and the wanted columns, each of
 * these a feature or a category the loader kept. Then the second read makes the same case base and report (the
 * same columns with the same roles, so the same rows, statistics and notes) and is skipped: at 10^6 x 20 each
 * read is most of predict --model's time. Anything else (a label, an ignored or empty column, a wanted column
 * read as the target or as text) reads the file again, as before. */
static gboolean
first_read_suffices (const CsCsvReport  *report,
                     const char * const *want)
{
  guint kept = 0, wanted = 0;

  for (guint i = 0; want[i] != NULL; i++)
    {
      gboolean repeated = FALSE;
      for (guint k = 0; k < i; k++)
        repeated |= strcmp (want[k], want[i]) == 0;
      wanted += !repeated;
    }
  for (guint c = 0; c < report->columns->len; c++)
    {
      const CsCsvColumn *col = report->columns->pdata[c];
      gboolean is_wanted = g_strv_contains (want, col->name);

      if (col->role == CS_ROLE_TARGET && !is_wanted)
        continue;
      if ((col->role != CS_ROLE_FEATURE && col->role != CS_ROLE_CATEGORY) || !is_wanted)
        return FALSE;
      kept++;
    }
  return kept == wanted;
}

/* Load path with target; with features, only those columns are features (others ignored, so their missing
 * values do not drop rows). */
static int
load_base (CsCliLoaded *l,
           const char  *cmd,
           const char  *target,
           const char  *features,
           const char  *model_path)
{
  g_autoptr(GError) error = NULL;
  CsCsvOptions options;
  const CsModelFile *model = l->model;

  cs_csv_options_init (&options);
  options.target = target;
  l->base = cs_csv_load_path (l->path, &options, &l->report, NULL, NULL, NULL, &error);
  if (l->base == NULL && model != NULL && g_error_matches (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN))
    {
      g_autofree char *mfeat = g_strjoinv (", ", model->features);
      g_printerr ("%s: this model was fitted for features (%s) -> %s, which %s does not have: %s\n",
                  model_path, mfeat, model->target, l->path, error->message);
      return CS_EXIT_DATA;
    }
  if (l->base == NULL)
    {
      cs_cli_print_problems (l->path, l->report);
      return cs_cli_fail (cmd, error);
    }
  if (features != NULL)
    {
      g_auto(GStrv) want = g_strsplit (features, ",", -1);
      guint nc = l->report->columns->len;
      g_autofree const char **names = g_new0 (const char *, nc + 1);
      g_autofree CsColumnRole *roles = g_new0 (CsColumnRole, nc + 1);
      g_autoptr(CsCsvReport) first = NULL;

      for (guint i = 0; want[i] != NULL; i++)
        {
          gboolean found = FALSE;
          g_strstrip (want[i]);
          for (guint c = 0; c < nc; c++)
            found |= g_strcmp0 (((CsCsvColumn *) l->report->columns->pdata[c])->name, want[i]) == 0;
          if (!found || want[i][0] == '\0')
            {
              g_autofree char *have = column_list (l->report);
              if (model != NULL)
                {
                  g_autofree char *mfeat = g_strjoinv (", ", model->features);
                  g_printerr ("%s: this model was fitted for features (%s) -> %s; %s has no column '%s' "
                              "(columns: %s)\n", model_path, mfeat, model->target, l->path, want[i], have);
                  return CS_EXIT_DATA;
                }
              return cs_cli_usage_error (cmd, "--features: no column '%s' in %s (columns: %s)", want[i], l->path,
                                         have);
            }
        }
      for (guint c = 0; c < nc; c++)
        {
          CsCsvColumn *col = l->report->columns->pdata[c];
          names[c] = col->name;
          if (g_strv_contains ((const char * const *) want, col->name))
            roles[c] = CS_ROLE_FEATURE;
          else if (col->role == CS_ROLE_TARGET || col->role == CS_ROLE_LABEL)
            roles[c] = col->role;
          else
            roles[c] = CS_ROLE_IGNORED;
        }
      if (!first_read_suffices (l->report, (const char * const *) want))
        {
          options.role_names = names;
          options.roles = roles;
          /* names point into the first report: it lives until the second load is done. */
          first = g_steal_pointer (&l->report);
          g_clear_pointer (&l->base, cs_case_base_unref);
          l->base = cs_csv_load_path (l->path, &options, &l->report, NULL, NULL, NULL, &error);
          if (l->base == NULL)
            {
              cs_cli_print_problems (l->path, l->report);
              return cs_cli_fail (cmd, error);
            }
        }
    }
  /* Every row left out is named, as inspect names it; the command goes on with the others (exit 0). */
  cs_cli_print_problems (l->path, l->report);
  if (l->base->n == 0 || l->base->d == 0)
    {
      g_printerr ("%s: no usable cases with numeric features and a target\n", l->path);
      return CS_EXIT_DATA;
    }
  return CS_EXIT_OK;
}

/* Read the exclusions (given, or the side file when it exists) and keep the other cases. An exclusion that
 * matches no case is a note, not an error: the file may have been re-exported without that row. */
static int
apply_exclusions (CsCliLoaded *l,
                  const char  *cmd,
                  const char  *exclude)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unmatched = g_ptr_array_new_with_free_func (g_free);
  gboolean found = FALSE;
  CsCaseBase *kept;

  l->exclusions_path = exclude != NULL ? g_strdup (exclude) : cs_exclusions_side_path (l->path);
  l->exclusions = cs_exclusions_load (l->exclusions_path, &found, &error);
  if (l->exclusions == NULL)
    {
      g_printerr ("casescope-cli %s: %s\n", cmd, error->message);
      return CS_EXIT_DATA;
    }
  if (exclude != NULL && !found)
    {
      g_printerr ("casescope-cli %s: --exclude: no file '%s'\n", cmd, exclude);
      return CS_EXIT_DATA;
    }
  if (!found)
    g_clear_pointer (&l->exclusions_path, g_free);
  kept = cs_case_base_exclude (l->base, l->exclusions, unmatched, &l->excluded);
  for (guint i = 0; i < unmatched->len; i++)
    fprintf (stderr, "%s: note: %s\n", l->exclusions_path, (const char *) unmatched->pdata[i]);
  if (l->excluded > 0)
    fprintf (stderr, "%s: note: %zu case%s set aside (listed in %s)\n", l->path, (size_t) l->excluded,
             l->excluded == 1 ? "" : "s", l->exclusions_path);
  cs_case_base_unref (l->base);
  l->base = kept;
  if (l->base->n == 0)
    {
      g_printerr ("%s: every usable case is set aside in %s\n", l->path, l->exclusions_path);
      return CS_EXIT_DATA;
    }
  return CS_EXIT_OK;
}

void
cs_cli_json_exclusions (JsonBuilder       *b,
                        const CsCliLoaded *l)
{
  json_builder_set_member_name (b, "excluded");
  json_builder_begin_object (b);
  cs_json_add_string (b, "file", l->exclusions_path);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, (gint64) l->excluded);
  json_builder_set_member_name (b, "cases");
  json_builder_begin_array (b);
  for (guint i = 0; l->exclusions != NULL && i < l->exclusions->items->len; i++)
    {
      const CsExclusion *e = l->exclusions->items->pdata[i];
      gboolean applied = TRUE;

      /* applied: the case is not in the base the engine was built on */
      for (gsize k = 0; k < l->base->n && applied; k++)
        applied = l->base->line[k] != e->line;
      json_builder_begin_object (b);
      cs_exclusion_json_members (b, e);
      json_builder_set_member_name (b, "applied");
      json_builder_add_boolean_value (b, applied);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static int
load_all (const char  *cmd,
          const char  *path,
          const char  *target,
          const char  *features,
          const char  *model_path,
          CsCliLoaded *l);

int
cs_cli_load (const char  *cmd,
             const char  *path,
             const char  *target,
             const char  *features,
             const char  *model_path,
             const char  *exclude,
             CsCliLoaded *l)
{
  int rc = load_all (cmd, path, target, features, model_path, l);

  return rc != CS_EXIT_OK ? rc : apply_exclusions (l, cmd, exclude);
}

static int
load_all (const char  *cmd,
          const char  *path,
          const char  *target,
          const char  *features,
          const char  *model_path,
          CsCliLoaded *l)
{
  int rc;

  memset (l, 0, sizeof *l);
  l->path = g_strdup (path);
  if (model_path != NULL)
    {
      g_autoptr(GError) error = NULL;

      l->model_path = g_strdup (model_path);
      l->model = cs_model_file_load (model_path, &error);
      if (l->model == NULL)
        return cs_cli_fail (cmd, error);
      /* e.g. an older version whose fit measurements are measured again */
      for (guint i = 0; i < l->model->notes->len; i++)
        fprintf (stderr, "%s: note: %s\n", model_path, (const char *) l->model->notes->pdata[i]);
      if (target == NULL)
        target = l->model->target;
      if (features == NULL)
        {
          /* the model's category columns are features too (by name: a model without them ignores them) */
          g_autofree char *numeric = g_strjoinv (",", l->model->features);
          g_autofree char *cats = l->model->n_cat > 0 ? g_strjoinv (",", l->model->cat_names) : NULL;
          g_autofree char *joined = cats != NULL ? g_strconcat (numeric, ",", cats, NULL) : g_strdup (numeric);
          rc = load_base (l, cmd, target, joined, model_path);
          return rc != CS_EXIT_OK ? rc : cs_cli_check_model (l, model_path);
        }
    }
  rc = load_base (l, cmd, target, features, model_path);
  if (rc == CS_EXIT_OK && l->model != NULL)
    rc = cs_cli_check_model (l, model_path);
  return rc;
}

int
cs_cli_check_model (CsCliLoaded *l,
                    const char  *model_path)
{
  g_autoptr(GError) error = NULL;

  if (!cs_model_file_check_columns (l->model, l->base, &error))
    {
      g_printerr ("%s: %s\n", model_path, error->message);
      return CS_EXIT_DATA;
    }
  return CS_EXIT_OK;
}

/* A progress line on stderr once the build has run for 2 s: on a terminal one
 * line rewritten in place (at most 5 times a second), otherwise a line at each
 * new stage and every 10 s, so a log stays readable. Quick builds print
 * nothing, so scripts and the tests see the same stderr as before. */
typedef struct
{
  const char *cmd;
  GTimer *timer;
  gboolean tty;
  gboolean shown;
  double last;
  const char *stage;
} CliProgress;

static void
cli_progress (double      fraction,
              const char *stage,
              gpointer    user_data)
{
  CliProgress *p = user_data;
  double now = g_timer_elapsed (p->timer, NULL);
  gboolean new_stage = stage != NULL && (p->stage == NULL || strcmp (stage, p->stage) != 0);

  if (now < 2.0 || (!new_stage && now - p->last < (p->tty ? 0.2 : 10.0)))
    return;
  p->last = now;
  p->stage = stage;
  p->shown = TRUE;
  fprintf (stderr, p->tty ? "\r\033[Kcasescope-cli %s: %s: %.0f %%" : "casescope-cli %s: %s: %.0f %%\n",
           p->cmd, stage != NULL ? stage : "working", 100 * CLAMP (fraction, 0, 1));
  fflush (stderr);
}

int
cs_cli_metric_parse (const char      *cmd,
                     const char      *name,
                     const char      *model_path,
                     CsEngineFit     *fit)
{
  if (!cs_engine_fit_from_name (name, fit) || *fit == CS_ENGINE_FIT_FULL)
    return cs_cli_usage_error (cmd, "--metric must be auto, scalar or diagonal, got '%s'", name);
  if (name != NULL && model_path != NULL)
    return cs_cli_usage_error (cmd, "--metric fits a window and --model brings one: give one of them");
  return CS_EXIT_OK;
}

int
cs_cli_build (const char            *cmd,
              CsCliLoaded           *l,
              const CsEngineOptions *given)
{
  g_autoptr(GError) error = NULL;
  CsEngineOptions options = *given;
  CsMetric m = { 0 };
  g_autofree char *label = NULL;

  if (l->model != NULL && !cs_engine_options_use_model (&options, l->model, &m, &error))
    {
      g_printerr ("casescope-cli %s: %s\n", cmd, error->message);
      return CS_EXIT_DATA;
    }
  if (l->model != NULL)
    {
      /* The window names an opened model the same way. */
      g_autofree char *name = g_path_get_basename (l->model_path);
      label = cs_engine_model_label (l->model, &m, name);
      options.metric_label = label;
    }
  CliProgress progress = { cmd, g_timer_new (), isatty (fileno (stderr)), FALSE, 0, NULL };

  l->engine = cs_engine_build_full (l->base, &options, cli_progress, &progress, NULL, &error);
  if (progress.shown && progress.tty)
    fputc ('\n', stderr);
  g_timer_destroy (progress.timer);
  cs_metric_clear (&m);
  if (l->engine == NULL)
    {
      g_printerr ("casescope-cli %s: %s\n", cmd, error->message);
      return error->domain == G_IO_ERROR ? CS_EXIT_FAILURE : CS_EXIT_DATA;
    }
  return CS_EXIT_OK;
}

void
cs_cli_json_policy (JsonBuilder          *b,
                    const CsEnginePolicy *policy)
{
  json_builder_set_member_name (b, "cases");
  json_builder_add_int_value (b, (gint64) policy->n);
  json_builder_set_member_name (b, "loss_cases");
  json_builder_add_int_value (b, (gint64) policy->loss_cases);
  json_builder_set_member_name (b, "per_case_cases");
  json_builder_add_int_value (b, (gint64) policy->case_cases);
}

int
cs_cli_apply_exclusions (CsCliLoaded *l,
                         const char  *cmd,
                         const char  *exclude)
{
  return apply_exclusions (l, cmd, exclude);
}
