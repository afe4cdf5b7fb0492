/* cs-follow-panel.c: the window's follow page: watch, read and predict appended rows in a worker. */
#define G_LOG_DOMAIN "cs-follow-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-follow-panel.h"
#include "cs-follow-strip.h"

/* Rows the strip chart shows (the newest). */
#define STRIP_ROWS 60
/* The timer besides the monitor. */
#define POLL_MS 500

struct _CsFollowPanel
{
  GtkBox parent_instance;

  GtkWidget *heading;
  GtkWidget *status;
  GtkWidget *drift;                /* the last drift alarm, hidden until one fires */
  GtkWidget *strip;
  GtkWidget *waiting_list;
  GtkWidget *show_button;
  GtkWidget *refresh_button;

  char *path;
  char *display;
  CsEngine *start_engine;          /* the window's snapshot when following began */
  CsCsvFollower *follower;         /* owned by the running worker while one runs */
  CsFollow *follow;
  CsEngine *shown_engine;          /* the follow's snapshot as of the last finished worker: what the main thread
                                    * reads (a running worker may replace the follow's own) */
  GFileMonitor *monitor;
  GCancellable *cancellable;
  guint timer_id;
  gboolean running;                /* a worker runs */
  gboolean again;                  /* a change came while it ran */
  gboolean refresh_asked;
  gboolean stopped;
  gboolean dark;
  GPtrArray *events;               /* CsFollowEvent*, every event */
  guint reloads;
  char *status_text;
  CsIntervalSpec spec;             /* the interval level and spec limits of the predictions */
  gboolean spec_changed;           /* to hand to the follow before the next worker */
  char *exclusions_path;           /* FILE.exclusions.json: read at the start and whenever it changes */
  gint64 exclusions_stamp;         /* its modification time and size when last read (0: absent) */
};

G_DEFINE_FINAL_TYPE (CsFollowPanel, cs_follow_panel, GTK_TYPE_BOX)

enum { SIGNAL_ENGINE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef enum { JOB_START, JOB_POLL, JOB_REFRESH } JobKind;

typedef struct
{
  JobKind kind;
  CsCsvFollower *follower;         /* borrowed from the panel for the job's life */
  CsFollow *follow;                /* borrowed; NULL for JOB_START */
  CsEngine *start_engine;
  const char *exclusions_path;     /* borrowed from the panel */
  gint64 exclusions_stamp;         /* the panel's, then the one read */
  /* Results */
  CsFollow *new_follow;            /* JOB_START */
  GPtrArray *events;
  GPtrArray *problems;
  gboolean reloaded;
  char *notice;
} Job;

static void
job_free (Job *job)
{
  if (job->new_follow != NULL)
    cs_follow_free (job->new_follow);
  g_clear_pointer (&job->events, g_ptr_array_unref);
  g_clear_pointer (&job->problems, g_ptr_array_unref);
  g_clear_pointer (&job->start_engine, cs_engine_unref);
  g_free (job->notice);
  g_free (job);
}

/* Worker: the exclusions side file when it changed (NULL: unchanged, or unreadable with a notice). */
static CsExclusions *
read_exclusions (Job *job)
{
  g_autoptr(GError) error = NULL;
  CsExclusions *ex = cs_follow_read_exclusions (job->exclusions_path, &job->exclusions_stamp, &error);

  if (error != NULL)
    job->notice = g_strdup_printf (_("%s (the earlier exclusions stay)"), error->message);
  return ex;
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;

  (void) source;
  if (job->kind == JOB_START)
    {
      g_autoptr(CsCaseBase) loaded = cs_csv_follower_load (job->follower, NULL, cancellable, &error);
      g_autoptr(CsExclusions) ex = NULL;
      g_autoptr(CsCaseBase) base = NULL;
      g_autoptr(CsEngine) engine = NULL;
      CsEngineOptions o;

      /* the cases set aside stay aside: the engine is built on the others, as the window's pages are */
      job->exclusions_stamp = -1;
      ex = read_exclusions (job);
      if (loaded != NULL)
        base = ex != NULL ? cs_case_base_exclude (loaded, ex, NULL, NULL) : cs_case_base_ref (loaded);
      if (base == NULL || (engine = cs_follow_engine_like (job->start_engine, base, cancellable, &error)) == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      cs_engine_options_init (&o);
      o.preferred_window = FALSE;
      o.thresholds = &job->start_engine->thresholds;
      job->new_follow = cs_follow_new (engine, &o);
      if (ex != NULL && !cs_follow_set_exclusions (job->new_follow, ex, NULL, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (job->kind == JOB_REFRESH)
    {
      if (!cs_follow_refresh (job->follow, cancellable, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cs_csv_follow_row_free);
    g_autoptr(CsExclusions) ex = read_exclusions (job);
    CsCsvFollowStatus st;
    gsize dropped = 0;

    if (ex != NULL && !cs_follow_set_exclusions (job->follow, ex, &dropped, cancellable, &error))
      {
        g_task_return_error (task, error);
        return;
      }
    if (dropped > 0)
      job->notice = g_strdup_printf (g_dngettext (NULL, "%zu case set aside in %s left the case base",
                                                  "%zu cases set aside in %s left the case base", dropped),
                                     dropped, job->exclusions_path);
    job->problems = g_ptr_array_new_with_free_func (cs_csv_problem_free);
    st = cs_csv_follower_poll (job->follower, rows, job->problems, &error);
    if (st == CS_CSV_FOLLOW_ERROR)
      {
        /* A logger that rotates leaves a moment without the file: say so and keep watching. */
        job->notice = g_strdup_printf ("%s (still watching)", error->message);
        g_clear_error (&error);
      }
    else if (st == CS_CSV_FOLLOW_REWRITTEN)
      {
        g_autoptr(CsCaseBase) loaded = cs_csv_follower_load (job->follower, NULL, cancellable, &error);
        g_autoptr(CsCaseBase) base = NULL;
        g_autoptr(CsEngine) engine = NULL;
        g_autoptr(CsExclusions) kept_aside = cs_exclusions_load (job->exclusions_path, NULL, NULL);

        /* the reloaded file keeps its cases set aside */
        if (loaded != NULL)
          base = kept_aside != NULL ? cs_case_base_exclude (loaded, kept_aside, NULL, NULL) : cs_case_base_ref (loaded);
        if (base == NULL
            || (engine = cs_follow_engine_like (cs_follow_engine (job->follow), base, cancellable, &error)) == NULL)
          {
            g_task_return_error (task, error);
            return;
          }
        cs_follow_set_engine (job->follow, engine);
        job->reloaded = TRUE;
        g_free (job->notice);
        job->notice = g_strdup_printf (_("The file was truncated or rewritten: loaded again whole (%zu cases)"),
                                       base->n);
      }
    else if (rows->len > 0)
      {
        job->events = cs_follow_add (job->follow, (CsCsvFollowRow * const *) rows->pdata, rows->len, cancellable,
                                     &error);
        if (job->events == NULL)
          {
            g_task_return_error (task, error);
            return;
          }
      }
    g_task_return_boolean (task, TRUE);
  }
}

static void start_job (CsFollowPanel *self, JobKind kind);
static void update_list (CsFollowPanel *self, CsEngine *engine);

static void
set_status (CsFollowPanel *self,
            const char    *text)
{
  g_free (self->status_text);
  self->status_text = g_strdup (text);
  gtk_label_set_text (GTK_LABEL (self->status), text);
}

/* Main thread, no worker running. */
static void
update_view (CsFollowPanel *self)
{
  CsEngine *engine = self->follow != NULL ? cs_follow_engine (self->follow) : NULL;

  if (engine != NULL && engine != self->shown_engine)
    {
      cs_engine_ref (engine);
      g_clear_pointer (&self->shown_engine, cs_engine_unref);
      self->shown_engine = engine;
    }
  update_list (self, engine);
}

static void
update_list (CsFollowPanel *self,
             CsEngine      *engine)
{
  GPtrArray *waiting = self->follow != NULL ? cs_follow_waiting (self->follow) : NULL;
  GtkWidget *child;
  g_autofree char *heading = NULL;

  guint predicted = 0;

  for (guint i = 0; i < self->events->len; i++)
    predicted += ((const CsFollowEvent *) self->events->pdata[i])->kind != CS_FOLLOW_EXCLUDED;
  if (engine != NULL)
    heading = g_strdup_printf (_("Following %s — %zu cases, %u waiting, %u rows predicted"), self->display,
                               engine->cases->n, waiting != NULL ? waiting->len : 0, predicted);
  else
    heading = g_strdup_printf (_("Following %s — starting…"), self->display);
  gtk_label_set_text (GTK_LABEL (self->heading), heading);
  while ((child = gtk_widget_get_first_child (self->waiting_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->waiting_list), child);
  for (guint i = 0; waiting != NULL && i < waiting->len; i++)
    {
      const CsFollowEvent *e = waiting->pdata[i];
      const CsQueryResult *r = e->result;
      gboolean ok = r != NULL && r->valid && r->report.failure == CS_FLAG_FAIL_NONE;
      g_autofree char *p = cs_format_number (ok ? r->prediction.prediction : NAN);
      /* the interval ("90 % of outcomes like this one fall between A and B") and, with limits, the spec words */
      g_autofree char *band = ok ? cs_query_result_interval_words (r, engine->cases->target_unit) : NULL;
      g_autofree char *in_spec = ok ? cs_query_result_spec_words (r) : NULL;
      g_autofree char *text = g_strdup_printf (_("line %u%s%s: %s %s %s — %s%s%s%s%s"), e->line,
                                               e->label != NULL ? " · " : "", e->label != NULL ? e->label : "",
                                               engine->cases->target_name, ok ? p : _("not predicted"),
                                               engine->cases->target_unit,
                                               r != NULL ? cs_verdict_name (r->report.verdict) : "stop",
                                               in_spec != NULL ? " · " : "", in_spec != NULL ? in_spec : "",
                                               band != NULL ? "\n" : "", band != NULL ? band : "");
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_list_box_append (GTK_LIST_BOX (self->waiting_list), label);
    }
  gtk_widget_set_sensitive (self->show_button, engine != NULL);
  gtk_widget_set_sensitive (self->refresh_button, engine != NULL && !self->running);
  gtk_widget_queue_draw (self->strip);
}

/* A drift alarm (cs_follow_alarms): said in words under the status, and kept until the next one. */
static void
show_drift (CsFollowPanel       *self,
            const CsFollowEvent *e)
{
  g_autofree char *text = g_strdup_printf (e->drift_alarm > 0
                                           ? _("Drift alarm at line %u: recent outcomes run above the predictions. "
                                               "The process may have changed since the past cases were logged.")
                                           : _("Drift alarm at line %u: recent outcomes run below the predictions. "
                                               "The process may have changed since the past cases were logged."),
                                           e->line);
  g_autofree char *tip = g_strdup_printf (_("The errors of rows with a known outcome, standardised by the model's "
                                            "leave-one-out error, through a two-sided CUSUM (the backtest's rule): "
                                            "%.3g crossed the limit."), e->drift_statistic);

  gtk_label_set_text (GTK_LABEL (self->drift), text);
  gtk_widget_set_tooltip_text (self->drift, tip);
  gtk_widget_set_visible (self->drift, TRUE);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  CsFollowPanel *self = CS_FOLLOW_PANEL (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  (void) data;
  self->running = FALSE;
  if (self->stopped)
    return;
  self->exclusions_stamp = job->exclusions_stamp;
  if (!ok)
    {
      g_autofree char *msg = g_strdup_printf ("%s: %s", self->display, error->message);
      set_status (self, msg);
    }
  else if (job->kind == JOB_START)
    {
      self->follow = g_steal_pointer (&job->new_follow);
      cs_follow_set_spec (self->follow, &self->spec);
      set_status (self, _("Watching the file; appended rows are predicted as they arrive."));
      /* The file may have grown while the window loaded it: the window shows the follow's own load. */
      if (cs_follow_engine (self->follow) != self->start_engine)
        g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, cs_follow_engine (self->follow), TRUE);
      self->again = TRUE;
    }
  else if (job->kind == JOB_POLL)
    {
      CsEngine *engine = cs_follow_engine (self->follow);

      for (guint i = 0; job->problems != NULL && i < job->problems->len; i++)
        {
          const CsCsvProblem *p = job->problems->pdata[i];
          g_autofree char *msg = g_strdup_printf ("%s:%u:%u: %s", self->display, p->line, p->column, p->message);
          set_status (self, msg);
        }
      for (guint i = 0; job->events != NULL && i < job->events->len; i++)
        {
          const CsFollowEvent *e = job->events->pdata[i];

          if (e->drift_alarm != 0)
            show_drift (self, e);
          g_ptr_array_add (self->events, g_steal_pointer (&job->events->pdata[i]));
        }
      if (job->notice != NULL)
        set_status (self, job->notice);
      if (job->reloaded)
        {
          self->reloads++;
          g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, engine, TRUE);
        }
    }
  else
    set_status (self, _("Baselines measured again on the grown case base."));
  update_view (self);
  if (self->refresh_asked)
    {
      self->refresh_asked = FALSE;
      start_job (self, JOB_REFRESH);
    }
  else if (self->again)
    start_job (self, JOB_POLL);
}

static void
start_job (CsFollowPanel *self,
           JobKind        kind)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->stopped)
    return;
  if (self->running || (kind != JOB_START && self->follow == NULL))
    {
      if (kind == JOB_REFRESH)
        self->refresh_asked = TRUE;
      else
        self->again = TRUE;
      return;
    }
  self->again = FALSE;
  self->running = TRUE;
  job = g_new0 (Job, 1);
  job->kind = kind;
  job->follower = self->follower;
  job->follow = self->follow;
  job->start_engine = cs_engine_ref (self->start_engine);
  job->exclusions_path = self->exclusions_path;
  job->exclusions_stamp = self->exclusions_stamp;
  /* no worker runs: the follow is the main thread's to change */
  if (self->follow != NULL && self->spec_changed)
    {
      cs_follow_set_spec (self->follow, &self->spec);
      self->spec_changed = FALSE;
    }
  task = g_task_new (self, self->cancellable, job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, job_thread);
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
      || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_RENAMED
      || event == G_FILE_MONITOR_EVENT_MOVED_IN)
    start_job (data, JOB_POLL);
}

static gboolean
on_timer (gpointer data)
{
  start_job (data, JOB_POLL);
  return G_SOURCE_CONTINUE;
}

static void
strip_draw (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        data)
{
  CsFollowPanel *self = data;
  CsEngine *engine = self->shown_engine != NULL ? self->shown_engine : self->start_engine;
  guint n = self->events->len, first = n > STRIP_ROWS ? n - STRIP_ROWS : 0, m = n - first;
  g_autofree double *line = g_new (double, MAX (m, 1));
  g_autofree double *pred = g_new (double, MAX (m, 1));
  g_autofree double *act = g_new (double, MAX (m, 1));
  g_autofree double *lower = g_new (double, MAX (m, 1));
  g_autofree double *upper = g_new (double, MAX (m, 1));
  g_autofree char *label = NULL;
  CsFollowStripData sd = { 0 };
  CsPlotStyle style;
  GHashTable *waiting = g_hash_table_new (NULL, NULL);

  (void) area;
  /* A waiting row shows as waiting until the row that completes it; then its outcome is drawn at its line. */
  for (guint i = 0; i < m; i++)
    {
      const CsFollowEvent *e = self->events->pdata[first + i];
      const CsQueryResult *r = e->result;

      gboolean band = r != NULL && r->valid && isfinite (r->interval.level);

      line[i] = e->predicted_line;
      pred[i] = r != NULL && r->valid ? r->prediction.prediction : NAN;
      act[i] = e->kind == CS_FOLLOW_EXCLUDED ? NAN : e->outcome;
      lower[i] = band ? r->interval.lower : NAN;
      upper[i] = band ? r->interval.upper : NAN;
    }
  /* A completing event repeats its waiting row's prediction: draw the pair once, at the waiting line. */
  for (guint i = 0; i < m; i++)
    {
      const CsFollowEvent *e = self->events->pdata[first + i];
      if (e->kind == CS_FOLLOW_COMPLETED)
        g_hash_table_add (waiting, GUINT_TO_POINTER (e->predicted_line));
    }
  for (guint i = 0; i < m; i++)
    {
      const CsFollowEvent *e = self->events->pdata[first + i];
      if (e->kind == CS_FOLLOW_WAITING && g_hash_table_contains (waiting, GUINT_TO_POINTER (e->line)))
        pred[i] = NAN;
    }
  g_hash_table_unref (waiting);
  label = engine->cases->target_unit[0] != '\0'
          ? g_strdup_printf ("%s [%s]", engine->cases->target_name, engine->cases->target_unit)
          : g_strdup (engine->cases->target_name);
  sd.n = m;
  sd.line = line;
  sd.predicted = pred;
  sd.actual = act;
  sd.lower = lower;
  sd.upper = upper;
  sd.interval_level = self->spec.level;
  sd.target_label = label;
  cs_plot_style_init (&style, self->dark ? CS_PLOT_DARK : CS_PLOT_LIGHT);
  cs_follow_strip_render (cr, &sd, &style, width, height);
}

static void
show_clicked (CsFollowPanel *self)
{
  if (self->follow != NULL)
    g_signal_emit (self, signals[SIGNAL_ENGINE_CHANGED], 0, cs_follow_engine (self->follow), FALSE);
}

static void
refresh_clicked (CsFollowPanel *self)
{
  start_job (self, JOB_REFRESH);
}

void
cs_follow_panel_stop (CsFollowPanel *self)
{
  g_return_if_fail (CS_IS_FOLLOW_PANEL (self));
  if (self->stopped)
    return;
  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_signal_handlers_disconnect_by_data (self->monitor, self);
    }
}

static void
cs_follow_panel_dispose (GObject *object)
{
  CsFollowPanel *self = CS_FOLLOW_PANEL (object);

  cs_follow_panel_stop (self);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (cs_follow_panel_parent_class)->dispose (object);
}

static void
cs_follow_panel_finalize (GObject *object)
{
  CsFollowPanel *self = CS_FOLLOW_PANEL (object);

  /* A worker holds a reference to the panel (its GTask's source), so none runs here. */
  g_clear_pointer (&self->follow, cs_follow_free);
  g_clear_pointer (&self->follower, cs_csv_follower_free);
  g_clear_pointer (&self->start_engine, cs_engine_unref);
  g_clear_pointer (&self->shown_engine, cs_engine_unref);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->events);
  g_free (self->path);
  g_free (self->display);
  g_free (self->status_text);
  g_free (self->exclusions_path);
  G_OBJECT_CLASS (cs_follow_panel_parent_class)->finalize (object);
}

static void
cs_follow_panel_class_init (CsFollowPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cs_follow_panel_dispose;
  object_class->finalize = cs_follow_panel_finalize;
  /* (engine, reloaded): a snapshot for the window's pages (reloaded: the file was loaded again whole). */
  signals[SIGNAL_ENGINE_CHANGED] = g_signal_new ("engine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
}

static void
cs_follow_panel_init (CsFollowPanel *self)
{
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *waiting_title = gtk_label_new ("Waiting for their outcome");

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 12);
  self->events = g_ptr_array_new_with_free_func (cs_follow_event_free);
  self->cancellable = g_cancellable_new ();
  self->status_text = g_strdup ("");
  cs_interval_spec_init (&self->spec);

  self->heading = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->heading), 0);
  gtk_widget_add_css_class (self->heading, "heading");
  gtk_box_append (GTK_BOX (self), self->heading);
  self->status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->status), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_box_append (GTK_BOX (self), self->status);
  self->drift = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->drift), 0);
  gtk_label_set_wrap (GTK_LABEL (self->drift), TRUE);
  gtk_widget_add_css_class (self->drift, "warning");
  gtk_widget_set_visible (self->drift, FALSE);
  gtk_box_append (GTK_BOX (self), self->drift);

  self->strip = gtk_drawing_area_new ();
  gtk_widget_set_vexpand (self->strip, TRUE);
  gtk_widget_set_size_request (self->strip, 300, 240);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->strip), strip_draw, self, NULL);
  gtk_box_append (GTK_BOX (self), self->strip);

  gtk_label_set_xalign (GTK_LABEL (waiting_title), 0);
  gtk_widget_add_css_class (waiting_title, "heading");
  gtk_box_append (GTK_BOX (self), waiting_title);
  self->waiting_list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->waiting_list), GTK_SELECTION_NONE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), self->waiting_list);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroll), 120);
  gtk_box_append (GTK_BOX (self), scroll);

  self->show_button = gtk_button_new_with_mnemonic ("_Show the Grown Case Base in the Pages");
  gtk_widget_set_tooltip_text (self->show_button,
                               "The operator and manager pages keep the version they show until asked");
  g_signal_connect_swapped (self->show_button, "clicked", G_CALLBACK (show_clicked), self);
  self->refresh_button = gtk_button_new_with_mnemonic ("_Measure Baselines Again");
  gtk_widget_set_tooltip_text (self->refresh_button,
                               "Baselines are measured again by themselves when the base has grown by 10 %");
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (refresh_clicked), self);
  gtk_box_append (GTK_BOX (buttons), self->show_button);
  gtk_box_append (GTK_BOX (buttons), self->refresh_button);
  gtk_box_append (GTK_BOX (self), buttons);
}

GtkWidget *
cs_follow_panel_new (const char *path,
                     CsEngine   *engine,
                     gboolean    dark)
{
  CsFollowPanel *self = g_object_new (CS_TYPE_FOLLOW_PANEL, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  CsCsvOptions opt;

  self->path = g_strdup (path);
  self->display = g_path_get_basename (path);
  self->start_engine = cs_engine_ref (engine);
  self->dark = dark;
  cs_csv_options_init (&opt);
  opt.target = engine->cases->target_name;
  self->follower = cs_csv_follower_new (path, &opt);
  self->exclusions_path = cs_exclusions_side_path (path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_changed), self);
  self->timer_id = g_timeout_add (POLL_MS, on_timer, self);
  update_view (self);
  start_job (self, JOB_START);
  return GTK_WIDGET (self);
}

CsEngine *
cs_follow_panel_get_engine (CsFollowPanel *self)
{
  return self->shown_engine;
}

gboolean
cs_follow_panel_is_busy (CsFollowPanel *self)
{
  return self->running || self->again || self->refresh_asked || self->follow == NULL;
}

GPtrArray *
cs_follow_panel_get_events (CsFollowPanel *self)
{
  return self->events;
}

GPtrArray *
cs_follow_panel_get_waiting (CsFollowPanel *self)
{
  /* A running worker changes the list: read it between workers only. */
  return self->follow != NULL && !self->running ? cs_follow_waiting (self->follow) : NULL;
}

guint
cs_follow_panel_get_reloads (CsFollowPanel *self)
{
  return self->reloads;
}

const char *
cs_follow_panel_get_status (CsFollowPanel *self)
{
  return self->status_text;
}

const char *
cs_follow_panel_get_drift (CsFollowPanel *self)
{
  return gtk_widget_get_visible (self->drift) ? gtk_label_get_text (GTK_LABEL (self->drift)) : NULL;
}

void
cs_follow_panel_set_spec (CsFollowPanel        *self,
                          const CsIntervalSpec *spec)
{
  g_return_if_fail (CS_IS_FOLLOW_PANEL (self));
  if (spec != NULL)
    self->spec = *spec;
  else
    cs_interval_spec_init (&self->spec);
  /* rows from now on; the follow takes it before the next worker (one may be running now) */
  self->spec_changed = TRUE;
  if (!self->running && self->follow != NULL)
    {
      cs_follow_set_spec (self->follow, &self->spec);
      self->spec_changed = FALSE;
    }
  gtk_widget_queue_draw (self->strip);
}

void
cs_follow_panel_set_dark (CsFollowPanel *self,
                          gboolean       dark)
{
  self->dark = dark;
  gtk_widget_queue_draw (self->strip);
}
