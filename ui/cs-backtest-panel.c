/* cs-backtest-panel.c: the manager page's backtest (issue 20): every case predicted from the cases before it, the
 * forward error over time with the CUSUM's drift alarms, run in a GTask worker with its own CsProgress.
 *
 * The window's case base has no order column of its own: the label column is the order when every case's label
 * is a date-time or a counter (cs_backtest_parse_key), else the file's line order. The engine sorts by the key
 * (ties in file order), so the keys go in as the cases hold them. */
#define G_LOG_DOMAIN "cs-backtest-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cs-backtest-panel.h"
#include "cs-backtest-panel-private.h"
#include "cs-chart-data.h"
#include "cs-chart-view.h"
#include "cs-engine-backtest.h"
#include "cs-engine-charts.h"
#include "cs-progress.h"
#include "cs-ui-resources.h"

struct _CsBacktestPanel
{
  GtkBox parent_instance;

  /* Template widgets */
  GtkWidget *run_button;
  GtkWidget *cancel_button;
  GtkWidget *progress_bar;
  GtkWidget *status_label;

  GtkWidget *chart;                /* CsChartView of kind CS_CHART_BACKTEST */
  CsEngine *engine;
  CsProgress *progress;
  GCancellable *cancellable;       /* of the running backtest; NULL when none runs */
};

G_DEFINE_FINAL_TYPE (CsBacktestPanel, cs_backtest_panel, GTK_TYPE_BOX)

enum { PROP_0, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* Where the order came from. */
typedef enum
{
  ORDER_LABELS,                    /* the label column: date-times or counters */
  ORDER_LINES_NO_LABELS,           /* file lines: the file has no label column */
  ORDER_LINES_UNPARSED,            /* file lines: a label is neither a date-time nor a counter */
} OrderSource;

/* One run: what the worker reads and what it hands back. The panel is held weakly, so a window closed during a
 * run is disposed at once (its dispose cancels the worker) and the result is dropped. */
typedef struct
{
  GWeakRef panel;
  GCancellable *cancellable;       /* identifies the run: a result whose run is no longer current is dropped */
  CsEngine *engine;
  CsProgress *progress;
  OrderSource source;
  guint unparsed_line;             /* ORDER_LINES_UNPARSED: the first line whose label is not a key */
  CsBacktest *backtest;
  CsEngineChart *chart;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_weak_ref_clear (&job->panel);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->engine, cs_engine_unref);
  g_clear_object (&job->progress);
  g_clear_pointer (&job->backtest, cs_backtest_free);
  g_clear_pointer (&job->chart, cs_engine_chart_free);
  g_free (job);
}

static void
update_sensitivity (CsBacktestPanel *self)
{
  gboolean busy = cs_backtest_panel_is_busy (self);

  gtk_widget_set_sensitive (self->run_button, !busy && self->engine != NULL);
  gtk_widget_set_visible (self->cancel_button, busy);
}

static void
progress_active_cb (CsProgress      *progress,
                    GParamSpec      *pspec,
                    CsBacktestPanel *self)
{
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
clear_chart (CsBacktestPanel *self)
{
  cs_chart_view_set_draw_func (CS_CHART_VIEW (self->chart), NULL, NULL, NULL, NULL);
  cs_chart_view_set_summary (CS_CHART_VIEW (self->chart), NULL);
}

/* Forget the running backtest (its worker stops at its next check and its result is dropped), and the chart. */
static void
stop_and_clear (CsBacktestPanel *self,
                const char      *status)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cs_progress_end (self->progress);
  clear_chart (self);
  gtk_label_set_text (GTK_LABEL (self->status_label), status);
  update_sensitivity (self);
}

/* ---- The worker ------------------------------------------------------------------- */

/* The order key of every case: its label when all labels parse, else its file line. */
static double *
order_keys (const CsCaseBase *cases,
            OrderSource      *source,
            guint            *unparsed_line)
{
  double *key = g_new (double, MAX (cases->n, 1));

  *source = cases->ids != NULL && cases->id_name != NULL ? ORDER_LABELS : ORDER_LINES_NO_LABELS;
  for (gsize i = 0; i < cases->n && *source == ORDER_LABELS; i++)
    if (cases->ids[i] == NULL || !cs_backtest_parse_key (cases->ids[i], &key[i]))
      {
        *source = ORDER_LINES_UNPARSED;
        *unparsed_line = cases->line[i];
      }
  if (*source != ORDER_LABELS)
    for (gsize i = 0; i < cases->n; i++)
      key[i] = (double) cases->line[i];
  return key;
}

static void
backtest_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  CsCaseBase *cases = job->engine->cases;
  g_autofree double *key = order_keys (cases, &job->source, &job->unparsed_line);
  GError *error = NULL;
  CsChartOptions options;

  /* cs_backtest_run reports no fraction of its own: the bar says which stage runs. */
  cs_progress_report (job->progress, 0, _("Predicting each case from the cases before it"));
  job->backtest = cs_backtest_run (cases, key, NULL, cancellable, &error);
  if (job->backtest == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  cs_progress_report (job->progress, 0.95, _("Drawing the forward error"));
  cs_chart_options_init (&options);
  options.backtest = job->backtest;
  /* The chart keeps this pointer: the case base's own name (the chart holds the engine) or a catalogue string. */
  options.order_name = job->source == ORDER_LABELS ? cases->id_name : _("file line");
  job->chart = cs_engine_chart_build (job->engine, CS_CHART_BACKTEST, NULL, &options, NULL, NULL, cancellable,
                                      &error);
  if (job->chart == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- The result ------------------------------------------------------------------- */

static char *
order_text (const Job *job)
{
  switch (job->source)
    {
    case ORDER_LABELS:
      return g_strdup_printf (_("Order: the label column “%s”."), job->engine->cases->id_name);
    case ORDER_LINES_UNPARSED:
      return g_strdup_printf (_("Order: the file's line order (the label on line %u is neither a date-time nor a "
                                "counter)."), job->unparsed_line);
    case ORDER_LINES_NO_LABELS:
    default:
      return g_strdup (_("Order: the file's line order (the file has no label column)."));
    }
}

static char *
status_text (const Job *job)
{
  const CsBacktest *bt = job->backtest;
  const CsCaseBase *cases = job->engine->cases;
  g_autofree char *order = order_text (job);
  g_autofree char *number = cs_format_number (bt->rmse);
  g_autofree char *rmse = NULL, *errors = NULL, *alarms = NULL, *rule = NULL;

  /* the number with the outcome's unit, as the other pages write a value */
  rmse = cases->target_unit != NULL && *cases->target_unit ? g_strdup_printf ("%s %s", number, cases->target_unit)
                                                            : g_strdup (number);
  errors = g_strdup_printf (_("Forward RMSE %s, %.1f %% of the outcomes inside their 90 %% interval (warm-up %zu "
                              "cases)."), rmse, 100 * bt->coverage, (size_t) bt->warmup);
  if (bt->alarms->len == 0)
    alarms = g_strdup (_("No drift alarm."));
  else
    alarms = g_strdup_printf (ngettext ("%u drift alarm, the first at file line %u.",
                                        "%u drift alarms, the first at file line %u.", bt->alarms->len),
                              bt->alarms->len, g_array_index (bt->alarms, CsBacktestAlarm, 0).line);
  rule = g_strdup_printf (_("Two-sided CUSUM with k = %g and h = %g: about one false alarm per %.0f cases for "
                            "normal errors."), bt->k, bt->h, bt->false_alarm_rows);
  return g_strjoin (" ", errors, alarms, rule, order, NULL);
}

static void
backtest_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(CsBacktestPanel) self = g_weak_ref_get (&job->panel);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  /* Closed, cancelled, or another engine since: nothing of this run is shown. */
  if (self == NULL || self->cancellable != job->cancellable)
    return;
  g_clear_object (&self->cancellable);
  if (error != NULL)
    {
      text = g_strdup_printf (_("No backtest: %s"), error->message);
      clear_chart (self);
    }
  else
    {
      text = status_text (job);
      cs_chart_data_attach_built (CS_CHART_VIEW (self->chart), g_steal_pointer (&job->chart), job->engine, NULL);
    }
  gtk_label_set_text (GTK_LABEL (self->status_label), text);
  cs_progress_end (self->progress);
  update_sensitivity (self);
}

/* ---- Public --------------------------------------------------------------------- */

gboolean
cs_backtest_panel_run (CsBacktestPanel *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_val_if_fail (CS_IS_BACKTEST_PANEL (self), FALSE);

  if (self->engine == NULL || cs_backtest_panel_is_busy (self))
    return FALSE;
  stop_and_clear (self, "");
  self->cancellable = g_cancellable_new ();
  job = g_new0 (Job, 1);
  g_weak_ref_init (&job->panel, self);
  job->cancellable = g_object_ref (self->cancellable);
  job->engine = cs_engine_ref (self->engine);
  job->progress = g_object_ref (self->progress);
  cs_progress_begin (self->progress, _("Running the backtest"));
  task = g_task_new (NULL, self->cancellable, backtest_done_cb, NULL);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, backtest_thread);
  update_sensitivity (self);
  return TRUE;
}

void
cs_backtest_panel_cancel (CsBacktestPanel *self)
{
  g_return_if_fail (CS_IS_BACKTEST_PANEL (self));

  if (cs_backtest_panel_is_busy (self))
    stop_and_clear (self, _("Backtest cancelled."));
}

gboolean
cs_backtest_panel_is_busy (CsBacktestPanel *self)
{
  g_return_val_if_fail (CS_IS_BACKTEST_PANEL (self), FALSE);

  return cs_progress_get_active (self->progress);
}

void
cs_backtest_panel_set_engine (CsBacktestPanel *self,
                              CsEngine        *engine)
{
  g_return_if_fail (CS_IS_BACKTEST_PANEL (self));

  if (engine == self->engine)
    return;
  if (engine != NULL)
    cs_engine_ref (engine);
  g_clear_pointer (&self->engine, cs_engine_unref);
  self->engine = engine;
  stop_and_clear (self, "");
}

GtkWidget *
cs_backtest_panel_get_chart_view (CsBacktestPanel *self)
{
  g_return_val_if_fail (CS_IS_BACKTEST_PANEL (self), NULL);

  return self->chart;
}

const char *
cs_backtest_panel_get_status (CsBacktestPanel *self)
{
  return gtk_label_get_text (GTK_LABEL (self->status_label));
}

CsProgress *
cs_backtest_panel_get_progress (CsBacktestPanel *self)
{
  return self->progress;
}

/* ---- Class ---------------------------------------------------------------------- */

static void
run_clicked_cb (GtkButton       *button,
                CsBacktestPanel *self)
{
  cs_backtest_panel_run (self);
}

static void
cancel_clicked_cb (GtkButton       *button,
                   CsBacktestPanel *self)
{
  cs_backtest_panel_cancel (self);
}

static void
cs_backtest_panel_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CsBacktestPanel *self = CS_BACKTEST_PANEL (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, cs_backtest_panel_is_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_backtest_panel_dispose (GObject *object)
{
  CsBacktestPanel *self = CS_BACKTEST_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->engine, cs_engine_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CS_TYPE_BACKTEST_PANEL);
  G_OBJECT_CLASS (cs_backtest_panel_parent_class)->dispose (object);
}

static void
cs_backtest_panel_class_init (CsBacktestPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cs_backtest_panel_get_property;
  object_class->dispose = cs_backtest_panel_dispose;
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CS_TYPE_CHART_VIEW);
  /* Links the resource bundle in (and so registers it) also in programs that never make a window. */
  (void) cs_ui_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/casescope/Casescope/cs-backtest-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CsBacktestPanel, run_button);
  gtk_widget_class_bind_template_child (widget_class, CsBacktestPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CsBacktestPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CsBacktestPanel, status_label);
  gtk_widget_class_bind_template_callback (widget_class, run_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
cs_backtest_panel_init (CsBacktestPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->chart = cs_chart_view_new_for_kind (CS_CHART_BACKTEST, _("Forward error over time and drift alarms"));
  gtk_widget_set_name (self->chart, "backtest");
  gtk_widget_set_size_request (self->chart, -1, 320);
  gtk_box_append (GTK_BOX (self), self->chart);
  self->progress = cs_progress_new ();
  cs_progress_bind_bar (self->progress, GTK_PROGRESS_BAR (self->progress_bar));
  g_signal_connect (self->progress, "notify::active", G_CALLBACK (progress_active_cb), self);
  update_sensitivity (self);
}

GtkWidget *
cs_backtest_panel_new (void)
{
  return g_object_new (CS_TYPE_BACKTEST_PANEL, NULL);
}
