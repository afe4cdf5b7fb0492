/* cs-engine-follow.h: a case base that grows while it is used (follow mode), GLib only.
 *
 * CsFollow holds the current engine snapshot of a followed file and the predictions that wait for their
 * outcome. Rows read from the file (cs-csv-follow.h) are predicted against the snapshot current when they
 * arrive; then:
 *  - a row without an outcome is kept as waiting, under its label (the file's label column);
 *  - a row with an outcome whose label is waiting completes that prediction (its error is kept) and joins;
 *  - any other row with an outcome just joins.
 * Joining builds a NEW case base and a NEW engine (never changing one a view may be reading) with the same
 * standardisation and metric; the fail-safe baselines are copied from the snapshot before until the base has
 * grown by CS_FOLLOW_REFRESH_PERCENT % since they were measured (or cs_follow_refresh), then measured again.
 * Not thread-safe: one owner calls it (from a worker in the window); the snapshots it hands out are shared. */
#pragma once

#include <gio/gio.h>

#include "cs-csv-follow.h"
#include "cs-engine.h"
#include "cs-engine-backtest.h"
#include "cs-exclusions.h"

G_BEGIN_DECLS

/* Percent of growth after which the baselines are measured again (in integers: 1.1 x 200 is not 220 in doubles). */
#define CS_FOLLOW_REFRESH_PERCENT 10

typedef enum
{
  CS_FOLLOW_JOINED,                /* an outcome with an unseen label: joined the base */
  CS_FOLLOW_WAITING,               /* no outcome yet: predicted and kept */
  CS_FOLLOW_COMPLETED,             /* the outcome of a waiting prediction: joined, error kept */
  CS_FOLLOW_EXCLUDED,              /* a row set aside in the exclusions side file: not predicted, never joins,
                                    * waits or completes */
} CsFollowKind;

typedef struct
{
  CsFollowKind kind;
  guint line;                      /* the row's physical line */
  char *label;                     /* NULL when the file has no label column */
  double *x;                       /* d features, original units */
  CsQueryResult *result;           /* the prediction: for a completing row, the one made when it waited */
  guint predicted_line;            /* completing: the waiting row's line; else line */
  double outcome;                  /* NaN while waiting */
  double error;                    /* outcome - prediction (NaN when either is unknown) */
  gint64 time_us;                  /* g_get_real_time () when the row was read */
  char *reason;                    /* CS_FOLLOW_EXCLUDED: the reason recorded for setting it aside */
  double drift_statistic;          /* a row with an error: the drift rule's max (S+, S-) after it; NaN otherwise */
  int drift_alarm;                 /* +1 / -1: the drift alarm fired at this row (outcomes above / below the
                                    * predictions); 0 otherwise */
} CsFollowEvent;

/* A drift alarm raised while following (cs_follow_alarms). */
typedef struct
{
  guint line;                      /* the file line of the row whose error raised it */
  double statistic;                /* the CUSUM value that crossed h */
  int direction;                   /* +1: outcomes above the predictions, -1: below */
} CsFollowAlarm;

typedef struct _CsFollow CsFollow;

/* engine: the snapshot of the base as loaded. options: what a measuring rebuild uses besides the metric and
 * standardisation (thresholds, epsilon, preferred_window; may be NULL: the defaults with preferred_window FALSE). */
CsFollow      *cs_follow_new           (CsEngine               *engine,
                                        const CsEngineOptions  *options);
void           cs_follow_free          (CsFollow               *self);
/* The current snapshot (borrowed: cs_engine_ref it to keep it beyond the next cs_follow_add). */
CsEngine      *cs_follow_engine        (CsFollow               *self);
/* A new snapshot for the same followed file (after a reload): waiting predictions stay waiting. */
void           cs_follow_set_engine    (CsFollow               *self,
                                        CsEngine               *engine);
/* Predict and file m rows; returns the events, one per row in order (g_ptr_array_unref; elements freed with
 * it). NULL with an error only when the engine cannot be built or Cancel was pressed; the snapshot before
 * stays current then, and nothing already joined is lost. */
GPtrArray     *cs_follow_add           (CsFollow               *self,
                                        CsCsvFollowRow * const *rows,
                                        gsize                   m,
                                        GCancellable           *cancellable,
                                        GError                **error);
/* Drift, live: every appended row whose outcome is known (completing a waiting prediction, or joining with one
 * made on arrival) has a forward error, predicted before its outcome joined. Standardised by the leave-one-out RMSE
 * of the snapshot's loss cases (the error the model expects, as the backtest's), the errors go, in the order they
 * arrive, through the backtest's two-sided CUSUM (cs-engine-backtest.h, its default k 0.5, h 10, 100 errors to
 * set the level again). The alarms so far, oldest first (borrowed GArray of CsFollowAlarm). */
GArray        *cs_follow_alarms        (CsFollow               *self);
/* Measure the baselines again now (on request). */
gboolean       cs_follow_refresh       (CsFollow               *self,
                                        GCancellable           *cancellable,
                                        GError                **error);
/* The waiting predictions, oldest first (borrowed CsFollowEvent*). */
GPtrArray     *cs_follow_waiting       (CsFollow               *self);
/* Completed predictions, oldest first, at most the last CS_FOLLOW_KEEP_COMPLETED (borrowed). */
#define CS_FOLLOW_KEEP_COMPLETED 500
GPtrArray     *cs_follow_completed     (CsFollow               *self);
/* Cases when the baselines were last measured. */
gsize          cs_follow_measured_n    (CsFollow               *self);
/* How many snapshots joining has built, and how many of them measured the baselines again. */
guint          cs_follow_versions      (CsFollow               *self);
guint          cs_follow_refreshes     (CsFollow               *self);

void           cs_follow_event_free    (gpointer                event);
const char    *cs_follow_kind_name     (CsFollowKind            kind);

/* The interval level and spec limits of the predictions made from now on (NULL: level 0.9, no limits). */
void           cs_follow_set_spec      (CsFollow               *self,
                                        const CsIntervalSpec   *spec);

/* The cases set aside (the exclusions side file, cs-exclusions.h; copied, NULL: none). From now on an appended
 * row on a recorded line (with the recorded label, when there is one) is CS_FOLLOW_EXCLUDED; cases of the current
 * snapshot on those lines are dropped (a new snapshot, its baselines measured again), and so are waiting and
 * completed predictions of those lines, so an excluded case never joins or counts. *dropped (may be NULL): the
 * cases dropped from the snapshot. FALSE with an error only when the new snapshot cannot be built (the old one
 * and the old exclusions stay then). */
gboolean       cs_follow_set_exclusions (CsFollow              *self,
                                         const CsExclusions    *exclusions,
                                         gsize                 *dropped,
                                         GCancellable          *cancellable,
                                         GError               **error);

/* The engine over a freshly loaded base of a followed file with the metric, standardisation, thresholds and
 * epsilon of like (the window's model): like itself (a new reference) when the base is the very one it was built
 * on (same rows and SHA-256). */
CsEngine      *cs_follow_engine_like    (CsEngine             *like,
                                         CsCaseBase           *cases,
                                         GCancellable         *cancellable,
                                         GError              **error);
/* The exclusions side file at path when it changed since *stamp (its modification time and size; 0: absent, -1:
 * never read): the list read (an absent file: empty) with *stamp updated. NULL when unchanged (error unset), or
 * with an error when the file cannot be read (*stamp updated too: a broken file is reported once, and the caller
 * keeps the records it had). */
CsExclusions  *cs_follow_read_exclusions (const char           *path,
                                          gint64               *stamp,
                                          GError              **error);

G_END_DECLS
