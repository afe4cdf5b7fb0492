/* cs-engine-backtest.h: how the model would have done forward in time, and when the process drifted.
 *
 * The cases are put in time order (an order key per case: seconds of a date-time, or a counter). After a
 * warm-up, every case is predicted only from the cases before it (forward chaining): the window is fitted by
 * leave-one-out on the cases seen so far, again each time their number has doubled, with the standardisation
 * of those cases, so nothing of the future leaks in. Cases are predicted in steps of `step` cases from the
 * same past (step 1: each from every case before it).
 *
 * Drift: each forward error is standardised by the leave-one-out RMSE of the last fit (the error the model
 * expects, measured on the past only) and fed to a two-sided CUSUM (Page 1954) with reference k and decision
 * interval h: S+ = max (0, S+ + z - k), S- = max (0, S- - z - k), an alarm when either exceeds h. After an
 * alarm both restart at 0 and the next `recentre` errors (no alarms) set the new reference level, so one
 * lasting shift gives one alarm, not one every few cases. For standard normal errors the in-control average
 * run length of the two-sided chart is about half of Siegmund's one-sided approximation
 * (exp (2 k b) - 2 k b - 1) / (2 k^2) with b = h + 1.166: false_alarm_rows below.
 */
#pragma once

#include <gio/gio.h>

#include "cs-case-base.h"
#include "cs-engine.h"

G_BEGIN_DECLS

typedef struct
{
  gsize warmup;                    /* cases before the first forward prediction (0: max (50, n / 10)) */
  gsize step;                      /* cases predicted from the same past (0: max (1, n / 1000)) */
  double k;                        /* CUSUM reference, in standardised errors (default 0.5) */
  double h;                        /* CUSUM decision interval (default 10: about 70,000 cases between false
                                    * alarms for normal errors) */
  gsize recentre;                  /* errors that set the reference after an alarm (default 100) */
  CsEngineFit fit;                 /* the window each refit fits: CS_ENGINE_FIT_AUTO (default, the engine's rule:
                                    * cs_engine_fit_resolve, without the full candidate: the backtest refits
                                    * many times, and a second fit each time would double its cost),
                                    * CS_ENGINE_FIT_SCALAR or CS_ENGINE_FIT_DIAGONAL */
} CsBacktestOptions;

typedef struct
{
  gsize position;                  /* in time order (0-based) */
  gsize index;                     /* case index in the case base */
  guint line;                      /* the file line of that case */
  double statistic;                /* the CUSUM value that crossed h */
  int direction;                   /* +1: outcomes above the predictions, -1: below */
} CsBacktestAlarm;

typedef struct
{
  gsize n, warmup, step, refits;
  const char *metric;              /* the window each refit fitted: "scalar" or "diagonal" (static) */
  gsize *order;                    /* n case indices in time order */
  double *prediction;              /* n, in time order; NaN during the warm-up */
  double *error;                   /* n: outcome - prediction */
  double *scale;                   /* n: the RMSE the error is standardised by */
  double *z;                       /* n: error / scale (relative to the reference level after an alarm) */
  double *statistic;               /* n: max (S+, S-) after the case */
  gboolean *covered;               /* n: outcome within prediction +- 1.645 scale (the 90 % interval) */
  double k, h;
  double false_alarm_rows;         /* the chart's in-control average run length (normal errors) */
  double rmse;                     /* of the forward errors after the warm-up */
  double coverage;                 /* share of them inside the 90 % interval */
  GArray *alarms;                  /* CsBacktestAlarm */
} CsBacktest;

void        cs_backtest_options_init (CsBacktestOptions       *options);
/* key: n order keys (NaN: refused); ties keep file order. FALSE-like NULL with an error for fewer than
 * warmup + 1 cases or a key that is not a number. */
CsBacktest *cs_backtest_run          (CsCaseBase              *cases,
                                      const double            *key,
                                      const CsBacktestOptions *options,
                                      GCancellable            *cancellable,
                                      GError                 **error);
void        cs_backtest_free         (CsBacktest              *self);
/* The drift rule above, one standardised error at a time (the backtest's, and follow mode's on the errors of
 * appended rows, cs-engine-follow.h). */
typedef struct
{
  double k, h;                     /* reference and decision interval */
  gsize recentre;                  /* errors that set the reference level after an alarm */
  double sp, sm;                   /* S+ and S- */
  double ref, ref_sum;             /* the reference level, and the sum that sets it after an alarm */
  gsize ref_count, ref_left;
} CsCusum;

void        cs_cusum_init            (CsCusum                 *cusum,
                                      double                   k,
                                      double                   h,
                                      gsize                    recentre);
/* Feed one standardised error zt: *z gets it relative to the reference level, *statistic max (S+, S-) after it
 * (0 while the reference is being set again). Returns +1 (outcomes above the predictions) or -1 (below) when it
 * alarms, and both sums restart; 0 otherwise. */
int         cs_cusum_add             (CsCusum                 *cusum,
                                      double                   zt,
                                      double                  *z,
                                      double                  *statistic);
/* Two-sided CUSUM's in-control average run length for standard normal errors (Siegmund). */
double      cs_backtest_cusum_arl0   (double                   k,
                                      double                   h);
/* The order key of one text: an ISO 8601 date-time (seconds since 1970, UTC unless it names a zone; a date
 * alone is midnight UTC) or a plain number (a counter). FALSE when it is neither. */
gboolean    cs_backtest_parse_key    (const char              *text,
                                      double                  *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsBacktest, cs_backtest_free)

G_END_DECLS
