/* cs-cli-follow.c: casescope-cli follow: predict the rows a line's logger appends to a case base. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <glib-unix.h>
#include <gio/gio.h>

#include "cs-cli.h"
#include "cs-cli-flags.h"
#include "cs-cli-interval.h"
#include "cs-cli-load.h"
#include "cs-csv-follow.h"
#include "cs-exclusions.h"
#include "cs-engine-follow.h"

#define CMD "follow"

typedef struct
{
  GMainLoop *loop;
  CsCliLoaded *l;
  CsCsvFollower *follower;
  CsFollow *follow;
  CsEngineOptions options;
  gboolean json;
  gboolean polling;            /* re-entry guard: a monitor event during a slow rebuild */
  gboolean warned_missing;
  double level;                /* --level, --spec-lower, --spec-upper (-inf/inf when not given) */
  double spec_lower, spec_upper;
  char *exclusions_path;       /* --exclude FILE, else FILE.exclusions.json (read again whenever it changes) */
  gint64 exclusions_stamp;     /* its modification time and size when last read (0: absent) */
  int status;
} FollowState;

/* Read the exclusions again when the side file changed (the window or `exclude` set a case aside while
 * following): rows on those lines are excluded from now on, and cases already joined leave the case base. */
static gboolean
update_exclusions (FollowState *st)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsExclusions) ex = cs_follow_read_exclusions (st->exclusions_path, &st->exclusions_stamp, &error);
  gsize dropped = 0;

  if (ex == NULL && error == NULL)
    return TRUE;
  if (ex == NULL || !cs_follow_set_exclusions (st->follow, ex, &dropped, NULL, &error))
    {
      /* a broken side file: keep the records read before and say so */
      fprintf (stderr, "%s: %s (the earlier exclusions stay)\n", st->exclusions_path, error->message);
      return TRUE;
    }
  g_clear_pointer (&st->l->exclusions, cs_exclusions_free);
  st->l->exclusions = g_steal_pointer (&ex);
  if (dropped > 0)
    {
      fprintf (stderr, "%s: note: %zu case%s of the case base set aside (listed in %s)\n", st->l->path,
               (size_t) dropped, dropped == 1 ? "" : "s", st->exclusions_path);
      cs_engine_unref (st->l->engine);
      st->l->engine = cs_engine_ref (cs_follow_engine (st->follow));
      cs_case_base_unref (st->l->base);
      st->l->base = cs_case_base_ref (st->l->engine->cases);
    }
  return TRUE;
}

/* The members of a predicted row: prediction, interval, flags and, once known, outcome and error. */
static void
add_prediction_members (JsonBuilder         *b,
                        const CsCaseBase    *base,
                        const CsFollowEvent *e,
                        double               prediction)
{
  const CsQueryResult *r = e->result;

  cs_json_add_number (b, "prediction", prediction);
  if (r != NULL)
    {
      cs_json_add_number (b, "stderr", r->prediction.std_error);
      cs_cli_json_interval (b, r);
      cs_cli_json_flags (b, base, &r->report, FALSE);
    }
  if (e->kind == CS_FOLLOW_COMPLETED)
    {
      json_builder_set_member_name (b, "predicted_line");
      json_builder_add_int_value (b, e->predicted_line);
    }
  if (e->kind != CS_FOLLOW_WAITING)
    {
      cs_json_add_number (b, "outcome", e->outcome);
      cs_json_add_number (b, "error", e->error);
    }
  if (isfinite (e->drift_statistic))
    cs_json_add_number (b, "drift", e->drift_statistic);
  if (e->drift_alarm != 0)
    {
      /* the drift alarm (cs_follow_alarms): recent outcomes no longer behave like the past */
      json_builder_set_member_name (b, "alarm");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "row");
      json_builder_add_int_value (b, e->line);
      cs_json_add_number (b, "statistic", e->drift_statistic);
      cs_json_add_string (b, "direction", e->drift_alarm > 0 ? "above" : "below");
      json_builder_end_object (b);
    }
}

/* One appended row: a JSON object on one line, flushed, or one human line. */
static void
print_event (FollowState         *st,
             const CsFollowEvent *e)
{
  const CsCaseBase *base = st->l->base;
  const CsQueryResult *r = e->result;
  gboolean ok = r != NULL && r->valid && r->report.failure == CS_FLAG_FAIL_NONE;
  double prediction = ok ? r->prediction.prediction : NAN;

  if (st->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, e->line);
      if (e->label != NULL)
        {
          json_builder_set_member_name (b, "label");
          json_builder_add_string_value (b, e->label);
        }
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, cs_follow_kind_name (e->kind));
      if (e->kind == CS_FOLLOW_EXCLUDED)
        /* set aside: no prediction, no outcome or error (it never counts) */
        cs_json_add_string (b, "reason", e->reason);
      else
        add_prediction_members (b, base, e, prediction);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, FALSE);
      text = json_generator_to_data (gen, NULL);
      fputs (text, stdout);
      fputc ('\n', stdout);
    }
  else
    {
      g_autofree char *p = cs_format_number (prediction);

      if (e->kind == CS_FOLLOW_EXCLUDED)
        {
          printf ("line %u%s%s: set aside (%s), not predicted\n", e->line, e->label != NULL ? " " : "",
                  e->label != NULL ? e->label : "", e->reason != NULL ? e->reason : "");
          fflush (stdout);
          return;
        }
      printf ("line %u%s%s: %s %s (%s), %s", e->line, e->label != NULL ? " " : "", e->label != NULL ? e->label : "",
              base->target_name, ok ? p : "not predicted",
              r != NULL ? cs_verdict_name (r->report.verdict) : "stop", cs_follow_kind_name (e->kind));
      if (e->kind == CS_FOLLOW_COMPLETED)
        {
          g_autofree char *o = cs_format_number (e->outcome);
          g_autofree char *er = cs_format_short (e->error);
          printf (", outcome %s, error %s (predicted at line %u)", o, er, e->predicted_line);
        }
      if (e->drift_alarm != 0)
        {
          CsBacktestOptions bo;   /* follow mode's drift rule is the backtest's, with its defaults */

          cs_backtest_options_init (&bo);
          printf ("; DRIFT ALARM: recent outcomes run %s the predictions (CUSUM %.3g over %g)",
                  e->drift_alarm > 0 ? "above" : "below", e->drift_statistic, bo.h);
        }
      putchar ('\n');
    }
  fflush (stdout);
}

static void
print_problem (const char         *path,
               const CsCsvProblem *p)
{
  fprintf (stderr, "%s:%u:%u: %s\n", path, p->line, p->column, p->message);
}

/* The file shrank or was replaced: load it whole again and rebuild (the metric fitted again, or the model's);
 * waiting predictions stay waiting. */
static gboolean
reload (FollowState *st)
{
  CsCliLoaded *l = st->l;
  g_autoptr(GError) error = NULL;
  CsCaseBase *base;
  CsCsvReport *report = NULL;
  CsEngine *old_engine = l->engine;

  fprintf (stderr, "%s: the file was truncated or rewritten; loading it again whole\n", l->path);
  base = cs_csv_follower_load (st->follower, &report, NULL, &error);
  cs_cli_print_problems (l->path, report);
  if (base == NULL)
    {
      cs_csv_report_free (report);
      st->status = cs_cli_fail (CMD, error);
      return FALSE;
    }
  cs_case_base_unref (l->base);
  cs_csv_report_free (l->report);
  l->base = base;
  l->report = report;
  /* the cases set aside stay aside in the reloaded file */
  if (l->exclusions != NULL)
    {
      CsCaseBase *kept = cs_case_base_exclude (l->base, l->exclusions, NULL, &l->excluded);
      cs_case_base_unref (l->base);
      l->base = kept;
    }
  if (l->model != NULL && cs_cli_check_model (l, l->model_path) != CS_EXIT_OK)
    {
      st->status = CS_EXIT_DATA;
      return FALSE;
    }
  l->engine = NULL;
  st->status = cs_cli_build (CMD, l, &st->options);
  if (st->status != CS_EXIT_OK)
    {
      l->engine = old_engine;
      return FALSE;
    }
  cs_engine_unref (old_engine);
  cs_follow_set_engine (st->follow, l->engine);
  fprintf (stderr, "%s: %zu cases after reloading\n", l->path, base->n);
  return TRUE;
}

static void
poll_once (FollowState *st)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cs_csv_follow_row_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (cs_csv_problem_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  CsCsvFollowStatus s;

  if (st->polling)
    return;
  st->polling = TRUE;
  update_exclusions (st);
  s = cs_csv_follower_poll (st->follower, rows, problems, &error);
  if (s == CS_CSV_FOLLOW_ERROR)
    {
      /* A logger that rotates leaves a moment without the file: keep watching. */
      if (!st->warned_missing)
        fprintf (stderr, "%s: %s (still watching)\n", st->l->path, error->message);
      st->warned_missing = TRUE;
      st->polling = FALSE;
      return;
    }
  st->warned_missing = FALSE;
  if (s == CS_CSV_FOLLOW_REWRITTEN)
    {
      if (!reload (st))
        g_main_loop_quit (st->loop);
      st->polling = FALSE;
      return;
    }
  /* Problems and rows in line order on their streams: stderr first, a row's JSON right after. */
  for (guint i = 0; i < problems->len; i++)
    print_problem (st->l->path, problems->pdata[i]);
  fflush (stderr);
  if (rows->len > 0)
    {
      events = cs_follow_add (st->follow, (CsCsvFollowRow * const *) rows->pdata, rows->len, NULL, &error);
      if (events == NULL)
        {
          st->status = cs_cli_fail (CMD, error);
          g_main_loop_quit (st->loop);
          st->polling = FALSE;
          return;
        }
      for (guint i = 0; i < events->len; i++)
        print_event (st, events->pdata[i]);
      /* The CLI's own reference follows the follow's snapshot, so a reload rebuilds from the current base. */
      cs_engine_unref (st->l->engine);
      st->l->engine = cs_engine_ref (cs_follow_engine (st->follow));
      cs_case_base_unref (st->l->base);
      st->l->base = cs_case_base_ref (st->l->engine->cases);
    }
  st->polling = FALSE;
}

static gboolean
on_timer (gpointer data)
{
  poll_once (data);
  return G_SOURCE_CONTINUE;
}

static void
on_changed (GFileMonitor     *monitor,
            GFile            *file,
            GFile            *other,
            GFileMonitorEvent event,
            gpointer          data)
{
  (void) monitor;
  (void) file;
  (void) other;
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED
      || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    poll_once (data);
}

static gboolean
on_signal (gpointer data)
{
  FollowState *st = data;

  g_main_loop_quit (st->loop);
  return G_SOURCE_CONTINUE;     /* removed with the others after the loop */
}

int
cs_cli_follow (int    argc,
               char **argv)
{
  g_autofree char *target = NULL;
  g_autofree char *model_path = NULL;
  g_autofree char *spec_lower_s = NULL;
  g_autofree char *spec_upper_s = NULL;
  g_autofree char *exclude = NULL, *metric = NULL;
  CsEngineFit fit;
  double level = 0.9, spec_lower = -INFINITY, spec_upper = INFINITY;
  int interval_ms = 250;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Outcome column (default: the model's, or the last numeric)", "COL" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Use a saved model's metric instead of fitting", "FILE" },
    CS_CLI_METRIC_OPTION (metric),
    { "level", 0, 0, G_OPTION_ARG_DOUBLE, &level, "Prediction interval level (default 0.9)", "P" },
    { "spec-lower", 0, 0, G_OPTION_ARG_STRING, &spec_lower_s, "Lower spec limit of the outcome", "X" },
    { "spec-upper", 0, 0, G_OPTION_ARG_STRING, &spec_upper_s, "Upper spec limit of the outcome", "Y" },
    { "interval-ms", 0, 0, G_OPTION_ARG_INT, &interval_ms, "Poll the file this often besides watching it (default 250)", "MS" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per appended row, one per line", NULL },
    CS_CLI_EXCLUDE_OPTION (exclude),
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("FILE");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  CsCliLoaded l = { 0 };
  FollowState st = { 0 };
  CsCsvOptions copt;
  CsCsvReport *report = NULL;
  guint timer, sig_int, sig_term;
  int rc;

  g_option_context_set_summary (ctx,
    "Watch a CSV case base and predict every row appended to it. Rows already in the file are the case base\n"
    "and are not printed. A row without an outcome is predicted and waits; a later row with the same label\n"
    "and the outcome completes it (its error is printed) and joins the case base; a row with an outcome and\n"
    "an unseen label joins it. A half-written last line waits for its newline; a malformed row is reported\n"
    "as FILE:LINE:COLUMN and skipped; a truncated or rewritten file is loaded again whole. The file is\n"
    "watched (GFileMonitor) and also polled every --interval-ms, since file notifications are not delivered\n"
    "in every container or network file system. Cases set aside in FILE.exclusions.json (or --exclude) never\n"
    "join or count: an appended row on a recorded line is printed as excluded, and the side file is read again\n"
    "whenever it changes. Drift: the errors of rows whose outcome is known go, standardised by the model's\n"
    "leave-one-out RMSE, through the backtest's CUSUM (k 0.5, h 10); a row where it fires says DRIFT ALARM\n"
    "(--json: \"alarm\" with row, statistic and direction; every such row has \"drift\", the statistic).\n"
    "SIGINT or SIGTERM ends it with exit status 0.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cs_cli_parse (ctx, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc != 2)
    return cs_cli_usage_error (CMD, "expected one FILE");
  if (!(level > 0 && level < 1))
    return cs_cli_usage_error (CMD, "--level must be in (0, 1), not %g", level);
  if (spec_lower_s != NULL && !cs_cli_parse_finite (spec_lower_s, &spec_lower))
    return cs_cli_usage_error (CMD, "--spec-lower: '%s' is not a finite number", spec_lower_s);
  if (spec_upper_s != NULL && !cs_cli_parse_finite (spec_upper_s, &spec_upper))
    return cs_cli_usage_error (CMD, "--spec-upper: '%s' is not a finite number", spec_upper_s);
  if (!(spec_lower < spec_upper))
    return cs_cli_usage_error (CMD, "--spec-lower must be below --spec-upper");
  if (interval_ms < 10 || interval_ms > 600000)
    return cs_cli_usage_error (CMD, "--interval-ms must be between 10 and 600000");
  if ((rc = cs_cli_metric_parse (CMD, metric, model_path, &fit)) != CS_EXIT_OK)
    return rc;

  l.path = g_strdup (argv[1]);
  if (model_path != NULL)
    {
      l.model_path = g_strdup (model_path);
      l.model = cs_model_file_load (model_path, &error);
      if (l.model == NULL)
        {
          rc = cs_cli_fail (CMD, error);
          goto out;
        }
      for (guint i = 0; i < l.model->notes->len; i++)
        fprintf (stderr, "%s: note: %s\n", model_path, (const char *) l.model->notes->pdata[i]);
    }
  cs_csv_options_init (&copt);
  copt.target = target != NULL ? target : l.model != NULL ? l.model->target : NULL;
  st.follower = cs_csv_follower_new (l.path, &copt);
  l.base = cs_csv_follower_load (st.follower, &report, NULL, &error);
  l.report = report;
  cs_cli_print_problems (l.path, l.report);
  if (l.base == NULL)
    {
      rc = cs_cli_fail (CMD, error);
      goto out;
    }
  if (l.model != NULL && (rc = cs_cli_check_model (&l, model_path)) != CS_EXIT_OK)
    goto out;
  if ((rc = cs_cli_apply_exclusions (&l, CMD, exclude)) != CS_EXIT_OK)
    goto out;
  st.exclusions_path = exclude != NULL ? g_strdup (exclude) : cs_exclusions_side_path (l.path);
  /* read now, so the first poll reads it again only when it changes */
  st.exclusions_stamp = -1;
  {
    g_autoptr(CsExclusions) unused = cs_follow_read_exclusions (st.exclusions_path, &st.exclusions_stamp, NULL);
  }
  cs_engine_options_init (&st.options);
  st.options.fit = fit;
  st.options.preferred_window = FALSE;    /* nothing here shows it */
  if ((rc = cs_cli_build (CMD, &l, &st.options)) != CS_EXIT_OK)
    goto out;

  st.l = &l;
  st.json = json;
  st.level = level;
  st.spec_lower = spec_lower;
  st.spec_upper = spec_upper;
  st.follow = cs_follow_new (l.engine, &st.options);
  {
    /* the engine's spec: NaN for a limit not given */
    CsIntervalSpec spec = { level, isfinite (spec_lower) ? spec_lower : NAN, isfinite (spec_upper) ? spec_upper : NAN };
    cs_follow_set_spec (st.follow, &spec);
  }
  /* the records read at the start: appended rows on their lines are excluded (the base has none of them now) */
  if (!cs_follow_set_exclusions (st.follow, l.exclusions, NULL, NULL, &error))
    {
      rc = cs_cli_fail (CMD, error);
      goto out;
    }
  st.loop = g_main_loop_new (NULL, FALSE);
  fprintf (stderr, "%s: following from line %u (%zu cases); SIGINT or SIGTERM ends\n", l.path,
           cs_csv_follower_lines (st.follower) + 1, l.base->n);
  fflush (stderr);

  file = g_file_new_for_path (l.path);
  monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (monitor != NULL)
    g_signal_connect (monitor, "changed", G_CALLBACK (on_changed), &st);
  timer = g_timeout_add ((guint) interval_ms, on_timer, &st);
  sig_int = g_unix_signal_add (SIGINT, on_signal, &st);
  sig_term = g_unix_signal_add (SIGTERM, on_signal, &st);
  /* Rows appended between the load and now. */
  poll_once (&st);
  if (st.status == CS_EXIT_OK)
    g_main_loop_run (st.loop);
  g_source_remove (timer);
  g_source_remove (sig_int);
  g_source_remove (sig_term);
  rc = st.status;

out:
  g_clear_pointer (&st.loop, g_main_loop_unref);
  g_clear_pointer (&st.follow, cs_follow_free);
  g_clear_pointer (&st.follower, cs_csv_follower_free);
  g_free (st.exclusions_path);
  cs_cli_loaded_clear (&l);
  return rc;
}
