/* cs-manager-jobs.h: the manager page's workers for the paper's setting (run with g_task_run_in_thread), and
 * its relevance rows. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"
#include "cs-engine-charts.h"
#include "cs-pretrain.h"
#include "cs-progress.h"

G_BEGIN_DECLS

/* A job's inputs and outputs (the GTask's task data, freed with cs_manager_job_free). */
typedef struct
{
  CsPretrainSpec spec;
  CsProgress *progress;            /* reports go here (any thread) */
  CsCaseBase *cases;               /* pretraining: the case base the window is used on */
  CsFlagThresholds thresholds;
  CsPretrainSweep sweep_l, sweep_sigma;
  double w_star;                   /* pretraining: the learned scalar window */
  GCancellable *cancellable;
  double from, to;                 /* the part of the progress bar of the current stage */
} CsManagerJob;

void cs_manager_job_free        (gpointer      data);
/* Pretrains at job->spec and returns a CsEngine (cs_engine_unref) on job->cases with that window. */
void cs_manager_pretrain_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable);
/* Returns the engine's window-sweep chart (cs_engine_chart_free). */
void cs_manager_sweep_thread    (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable);

/* The relevance rows of e's window into grid (emptied by the caller): per feature its name, a level bar of
 * 1/half-width² normalised over the features, and the window's half-width in the feature's unit. */
void cs_manager_fill_relevance  (GtkGrid      *grid,
                                 CsEngine     *e);

G_END_DECLS
