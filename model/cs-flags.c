/* cs-flags.c: the fail-safe rules (model/FAILSAFE.md), on plain numbers. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs-diagnostics.h"
#include "cs-flags.h"
#include "cs-numeric.h"

/* Calibrated defaults: see model/FAILSAFE.md for the table behind them. */
#define DEFAULT_NOISE_CHECK      1.8
#define DEFAULT_NOISE_STOP       4.0
#define DEFAULT_VARIATION_CHECK  2.8
/* With the local-fit baselines the trend spread is measured under the prediction's own weights (narrower than
 * the fit's pilot): 3.3x, chosen on the crest and parabola generators of the calibration matrix and the samples
 * (model/FAILSAFE.md); old bases keep 2.8 on their slope x window measure. */
#define LOCAL_VARIATION_CHECK    3.3
#define DEFAULT_VARIATION_STOP   5.0
#define DEFAULT_NEFF_CHECK       1.5
#define DEFAULT_NEFF_STOP        1.05
#define DEFAULT_DISTANCE_CHECK   1.8
#define DEFAULT_DISTANCE_STOP    3.0
#define DISTANCE_QUANTILE        0.99
#define BASE_MAX_CASES           5000   /* cases measured by cs_flag_base_measure */
#define BASE_MIN_CASES           500    /* ... and at least this many when the cost cap bites */
#define BASE_MAX_WORK            4e11   /* pair work m n (d^2 + 2 d + 2) of that measurement */
#define DISTANCE_STOP_FACTOR     1.5
#define DEFAULT_RANGE_CHECK      0.01
#define DEFAULT_RANGE_STOP       0.10

const char *
cs_flag_kind_name (CsFlagKind kind)
{
  static const char *const names[] = {
    "high_noise", "high_variation", "low_support", "out_of_range", "no_prediction",
    "missing_feature",
  };
  return (unsigned) kind < CS_FLAG_N_KINDS ? names[kind] : "unknown";
}

int
cs_flag_kind_from_name (const char *name)
{
  for (int k = 0; k < CS_FLAG_N_KINDS; k++)
    if (name != NULL && strcmp (name, cs_flag_kind_name ((CsFlagKind) k)) == 0)
      return k;
  return -1;
}

const char *
cs_severity_name (CsSeverity severity)
{
  switch (severity)
    {
    case CS_SEVERITY_CHECK: return "check";
    case CS_SEVERITY_STOP: return "stop";
    case CS_SEVERITY_NONE:
    default: return "none";
    }
}

const char *
cs_verdict_name (CsVerdict verdict)
{
  switch (verdict)
    {
    case CS_VERDICT_OK: return "ok";
    case CS_VERDICT_CHECK: return "check";
    case CS_VERDICT_STOP:
    default: return "stop";
    }
}

const char *
cs_flag_failure_reason (CsFlagFailure failure)
{
  switch (failure)
    {
    case CS_FLAG_FAIL_NONE: return "no failure";
    case CS_FLAG_FAIL_NO_CASES: return "the case base has no usable case";
    case CS_FLAG_FAIL_QUERY_NAN: return "a query feature is missing or not a finite number";
    case CS_FLAG_FAIL_COLUMNS: return "the model was fitted on other columns than these data";
    case CS_FLAG_FAIL_NOT_FINITE: return "the estimate is not a finite number";
    case CS_FLAG_FAIL_NO_MODEL: return "there is no fitted model";
    case CS_FLAG_FAIL_ENGINE: return "the engine could not compute the prediction";
    case CS_FLAG_FAIL_N:
    default: return "the prediction could not be computed";
    }
}

void
cs_flag_thresholds_init (CsFlagThresholds *t)
{
  if (t == NULL)
    return;
  t->noise_check = DEFAULT_NOISE_CHECK;
  t->noise_stop = DEFAULT_NOISE_STOP;
  t->variation_check = DEFAULT_VARIATION_CHECK;
  t->variation_stop = DEFAULT_VARIATION_STOP;
  t->neff_check = DEFAULT_NEFF_CHECK;
  t->neff_stop = DEFAULT_NEFF_STOP;
  t->distance_check = DEFAULT_DISTANCE_CHECK;
  t->distance_stop = DEFAULT_DISTANCE_STOP;
  t->range_check = DEFAULT_RANGE_CHECK;
  t->range_stop = DEFAULT_RANGE_STOP;
}

/* The base carries the local-fit baselines (cs_flag_base_from_local): the
 * variation rule reads the trend spread, the noise rule the robust usual
 * noise, the distance rule the metric's distance. */
static int
local_rules (const CsFlagBase *base)
{
  return base != NULL && isfinite (base->usual_noise) && base->usual_noise > 0;
}

static int
metric_support (const CsFlagBase *base)
{
  return base != NULL && isfinite (base->metric_nn_distance) && base->metric_nn_distance > 0
         && isfinite (base->metric_nn_distance_high);
}

void
cs_flag_thresholds_init_for_base (CsFlagThresholds *t,
                                  const CsFlagBase *base)
{
  cs_flag_thresholds_init (t);
  if (t == NULL || base == NULL)
    return;
  if (local_rules (base))
    t->variation_check = LOCAL_VARIATION_CHECK;
  if (metric_support (base))
    {
      if (base->metric_nn_distance_high > base->metric_nn_distance)
        {
          t->distance_check = base->metric_nn_distance_high / base->metric_nn_distance;
          t->distance_stop = DISTANCE_STOP_FACTOR * t->distance_check;
        }
    }
  else if (isfinite (base->nn_distance_high) && isfinite (base->nn_distance) && base->nn_distance > 0
      && base->nn_distance_high > base->nn_distance)
    {
      t->distance_check = base->nn_distance_high / base->nn_distance;
      t->distance_stop = DISTANCE_STOP_FACTOR * t->distance_check;
    }
}

static const struct
{
  const char *name;
  size_t offset;
} threshold_fields[CS_FLAG_N_THRESHOLDS] = {
  { "noise_check", offsetof (CsFlagThresholds, noise_check) },
  { "noise_stop", offsetof (CsFlagThresholds, noise_stop) },
  { "variation_check", offsetof (CsFlagThresholds, variation_check) },
  { "variation_stop", offsetof (CsFlagThresholds, variation_stop) },
  { "neff_check", offsetof (CsFlagThresholds, neff_check) },
  { "neff_stop", offsetof (CsFlagThresholds, neff_stop) },
  { "distance_check", offsetof (CsFlagThresholds, distance_check) },
  { "distance_stop", offsetof (CsFlagThresholds, distance_stop) },
  { "range_check", offsetof (CsFlagThresholds, range_check) },
  { "range_stop", offsetof (CsFlagThresholds, range_stop) },
};

const char *
cs_flag_threshold_name (size_t i)
{
  return i < CS_FLAG_N_THRESHOLDS ? threshold_fields[i].name : NULL;
}

int
cs_flag_thresholds_set (CsFlagThresholds *t,
                        const char       *name,
                        double            value)
{
  if (t == NULL || name == NULL)
    return -1;
  for (size_t i = 0; i < CS_FLAG_N_THRESHOLDS; i++)
    if (strcmp (name, threshold_fields[i].name) == 0)
      {
        memcpy ((char *) t + threshold_fields[i].offset, &value, sizeof value);
        return 0;
      }
  return -1;
}

double
cs_flag_thresholds_get (const CsFlagThresholds *t,
                        const char             *name)
{
  double v;

  if (t == NULL || name == NULL)
    return NAN;
  for (size_t i = 0; i < CS_FLAG_N_THRESHOLDS; i++)
    if (strcmp (name, threshold_fields[i].name) == 0)
      {
        memcpy (&v, (const char *) t + threshold_fields[i].offset, sizeof v);
        return v;
      }
  return NAN;
}

static int
ratio_pair_ok (double check,
               double stop)
{
  /* "value above threshold" rules: positive, check <= stop, +inf allowed. */
  return !isnan (check) && !isnan (stop) && check > 0 && stop > 0 && check <= stop;
}

int
cs_flag_thresholds_validate (const CsFlagThresholds *t)
{
  if (t == NULL)
    return -1;
  if (!ratio_pair_ok (t->noise_check, t->noise_stop)
      || !ratio_pair_ok (t->variation_check, t->variation_stop)
      || !ratio_pair_ok (t->distance_check, t->distance_stop))
    return -1;
  /* n_eff is a "value below threshold" rule: stop <= check, both finite, >= 0. */
  if (!isfinite (t->neff_check) || !isfinite (t->neff_stop)
      || t->neff_stop < 0 || t->neff_check < t->neff_stop)
    return -1;
  if (isnan (t->range_check) || isnan (t->range_stop)
      || t->range_check < 0 || t->range_check > t->range_stop)
    return -1;
  return 0;
}

/* ---- Baselines from the case base ----------------------------------------- */

/* Quantile p (linear interpolation) of the finite entries of v (n), computed
 * in a copy; NaN when none (or when the copy cannot be allocated: the caller
 * reports failure). */
static double
finite_quantile (const double *v,
                 size_t        n,
                 double        p)
{
  double *c, pos, m;
  size_t k = 0, lo;

  if (n == 0)
    return NAN;
  c = malloc (n * sizeof (double));
  if (c == NULL)
    return NAN;
  for (size_t i = 0; i < n; i++)
    if (isfinite (v[i]))
      c[k++] = v[i];
  if (k == 0)
    {
      free (c);
      return NAN;
    }
  qsort (c, k, sizeof (double), cs_cmp_double);
  pos = p * (double) (k - 1);
  lo = (size_t) pos;
  if (lo + 1 >= k || pos == (double) lo)
    m = c[lo];
  else if (pos - (double) lo == 0.5)
    m = 0.5 * (c[lo] + c[lo + 1]);     /* the median of an even count, exactly */
  else
    m = c[lo] + (pos - (double) lo) * (c[lo + 1] - c[lo]);
  free (c);
  return m;
}

static double
finite_median (const double *v,
               size_t        n)
{
  return finite_quantile (v, n, 0.5);
}

int
cs_flag_base_from_cases (CsFlagBase   *base,
                         const double *local_noise,
                         const double *local_lipschitz,
                         const double *nearest_distance,
                         size_t        n)
{
  double lip_median = NAN;
  int status = 0;

  if (base == NULL || n == 0)
    return -1;
  if (local_lipschitz != NULL)
    {
      lip_median = finite_median (local_lipschitz, n);
      if (isnan (lip_median))
        status = -1;
      else
        base->lipschitz = lip_median;
    }
  if (local_noise != NULL)
    {
      double m = NAN;

      /* Residuals of local fits are inflated by any structure the fit misses
       * (a step, curvature) and by noisy corners; the cases where the outcome
       * varies slowly (slope at most its median) give the usual noise. */
      if (!isnan (lip_median))
        {
          double *quiet = malloc (n * sizeof (double));
          size_t k = 0;

          if (quiet != NULL)
            {
              for (size_t i = 0; i < n; i++)
                if (isfinite (local_noise[i]) && local_lipschitz[i] <= lip_median)
                  quiet[k++] = local_noise[i];
              m = finite_median (quiet, k);
              free (quiet);
            }
        }
      if (isnan (m))
        m = finite_median (local_noise, n);
      if (isnan (m))
        status = -1;
      else
        base->noise_sd = m;
    }
  if (nearest_distance != NULL)
    {
      double m = finite_median (nearest_distance, n);
      if (isnan (m))
        status = -1;
      else
        {
          base->nn_distance = m;
          base->nn_distance_high = finite_quantile (nearest_distance, n, DISTANCE_QUANTILE);
        }
    }
  return status;
}

int
cs_flag_base_from_local (CsFlagBase               *base,
                         const CsLocalDiagnostics *local,
                         size_t                    n)
{
  double *v;
  double med;
  int status = 0;

  if (base == NULL || local == NULL || n == 0)
    return -1;
  v = malloc (n * sizeof (double));
  if (v == NULL)
    return -1;
  /* e = y_i - y_nn - slope . (x_i - x_nn) has variance about 2 sigma^2 where
   * the outcome is smooth; the median of |e| is 0.6745 sqrt (2) sigma for
   * Gaussian noise and ignores the minority of pairs across a step or in a
   * noisy region (which inflate the mean-square form of Rice's estimator). */
  for (size_t i = 0; i < n; i++)
    v[i] = fabs (local[i].pseudo_residual);
  med = finite_median (v, n);
  if (isnan (med))
    status = -1;
  else
    base->usual_noise = med / (sqrt (2.0) * 0.6744897501960817);
  for (size_t i = 0; i < n; i++)
    v[i] = local[i].metric_distance;
  med = finite_median (v, n);
  if (isnan (med))
    status = -1;
  else
    {
      base->metric_nn_distance = med;
      base->metric_nn_distance_high = finite_quantile (v, n, DISTANCE_QUANTILE);
    }
  free (v);
  return status;
}

/* Append to a NUL-terminated buffer, truncating silently (messages are capped). */
static void buf_append (char *buf, size_t size, const char *format, ...)
  __attribute__ ((format (printf, 3, 4)));

static void
buf_append (char       *buf,
            size_t      size,
            const char *format,
            ...)
{
  size_t len = strlen (buf);
  va_list ap;

  if (len + 1 >= size)
    return;
  va_start (ap, format);
  vsnprintf (buf + len, size - len, format, ap);
  va_end (ap);
}

/* Two significant digits without exponent: 9.1, 12, 0.31, 251. */
static void
fmt_num (char   *buf,
         size_t  size,
         double  v)
{
  double a = fabs (v);
  int decimals;

  if (!isfinite (v))
    {
      snprintf (buf, size, "%s", isnan (v) ? "n/a" : (v > 0 ? "inf" : "-inf"));
      return;
    }
  decimals = a > 0 ? 1 - (int) floor (log10 (a)) : 1;
  if (decimals < 0)
    decimals = 0;
  if (decimals > 6)
    decimals = 6;
  snprintf (buf, size, "%.*f", decimals, v);
}

/* A feature value: enough digits to tell it from a bound (251.3, 0.0042). */
static void
fmt_value (char   *buf,
           size_t  size,
           double  v)
{
  if (!isfinite (v))
    fmt_num (buf, size, v);
  else
    snprintf (buf, size, "%.4g", v);
}

static const char *
unit_or_empty (const char *unit)
{
  return unit != NULL ? unit : "";
}

/* " MPa" or "" */
static void
fmt_unit (char       *buf,
          size_t      size,
          const char *unit)
{
  const char *u = unit_or_empty (unit);

  if (*u == '\0')
    buf[0] = '\0';
  else if (strcmp (u, "%") == 0)
    snprintf (buf, size, "%s", u);
  else
    snprintf (buf, size, " %s", u);
}

static const char *
feature_name (const CsFlagBase *base,
              size_t            j,
              char             *buf,
              size_t            size)
{
  if (base->feature_names != NULL && base->feature_names[j] != NULL)
    return base->feature_names[j];
  snprintf (buf, size, "feature %zu", j + 1);
  return buf;
}

static const char *
target_name (const CsFlagBase *base)
{
  return base != NULL && base->target_name != NULL ? base->target_name : "outcome";
}

/* ---- Report building ------------------------------------------------------- */

static CsFlag *
add_flag (CsFlagReport *report,
          CsFlagKind    kind,
          CsSeverity    severity,
          const char   *measure,
          double        value,
          double        threshold,
          double        ratio)
{
  CsFlag *f;

  if (report->n_flags >= CS_FLAGS_MAX)
    return NULL;
  f = &report->flags[report->n_flags++];
  memset (f, 0, sizeof *f);
  f->kind = kind;
  f->severity = severity;
  f->measure = measure;
  f->feature = -1;
  f->n_features = 0;
  f->value = value;
  f->threshold = threshold;
  f->ratio = ratio;
  return f;
}

static void set_message (CsFlag *f, const char *format, ...)
  __attribute__ ((format (printf, 2, 3)));

static void
set_message (CsFlag     *f,
             const char *format,
             ...)
{
  va_list ap;

  va_start (ap, format);
  vsnprintf (f->message, sizeof f->message, format, ap);
  va_end (ap);
}

void
cs_flags_fail (CsFlagReport  *report,
               CsFlagFailure  failure,
               const char    *detail)
{
  CsFlag *f;

  if (report == NULL)
    return;
  memset (report, 0, sizeof *report);
  if (failure == CS_FLAG_FAIL_NONE || (unsigned) failure >= CS_FLAG_FAIL_N)
    failure = CS_FLAG_FAIL_ENGINE;
  report->verdict = CS_VERDICT_STOP;
  report->failure = failure;
  report->y_hat = NAN;
  f = add_flag (report, CS_FLAG_NO_PREDICTION, CS_SEVERITY_STOP, "failure", NAN, NAN, NAN);
  if (detail != NULL && *detail != '\0')
    set_message (f, "No prediction: %s (%s).", cs_flag_failure_reason (failure), detail);
  else
    set_message (f, "No prediction: %s.", cs_flag_failure_reason (failure));
}

static double
safe_ratio (double value,
            double baseline)
{
  if (isnan (value) || isnan (baseline))
    return NAN;
  if (baseline <= 0)
    return value > 0 ? INFINITY : 0.0;
  return value / baseline;
}

/* Severity of an "above" rule. */
static CsSeverity
above (double ratio,
       double check,
       double stop)
{
  if (ratio >= stop)
    return CS_SEVERITY_STOP;
  if (ratio >= check)
    return CS_SEVERITY_CHECK;
  return CS_SEVERITY_NONE;
}

/* Why a local measure could not be estimated, for the check it raises. */
static void
thin_reason (const CsFlagQuery *q,
             char              *buf,
             size_t             size)
{
  char ne[32];

  fmt_num (ne, sizeof ne, q->n_eff);
  if (isfinite (q->df_resid))
    {
      char df[32];
      fmt_num (df, sizeof df, q->df_resid);
      snprintf (buf, size, "only %s effective cases carry the weight here, leaving %s degrees of "
                           "freedom (fewer than %.0f) after the local trend", ne, df, CS_LOCAL_MIN_DF);
    }
  else
    snprintf (buf, size, "only %s effective cases carry the weight here", ne);
}

static void
rule_noise (const CsFlagBase       *base,
            const CsFlagThresholds *t,
            const CsFlagQuery      *q,
            CsFlagReport           *report)
{
  char v[32], nb[32], un[32];
  int local = local_rules (base);
  int use_noise = isfinite (q->local_noise);
  double baseline = local ? base->usual_noise : base->noise_sd;
  double value = use_noise || local ? q->local_noise : q->local_spread;
  double ratio = safe_ratio (value, baseline);
  CsSeverity sev;
  CsFlag *f;

  fmt_unit (un, sizeof un, base->target_unit);
  if (isnan (ratio))
    {
      f = add_flag (report, CS_FLAG_HIGH_NOISE, CS_SEVERITY_CHECK,
                    use_noise || local ? "local_noise" : "local_spread", value,
                    t->noise_check * baseline, NAN);
      if (local && isnan (q->local_noise))
        {
          char why[200];
          thin_reason (q, why, sizeof why);
          set_message (f, "The scatter of the cases used could not be estimated: %s. "
                          "Treat the prediction as unchecked for noise.", why);
        }
      else
        set_message (f, "The scatter of the cases used could not be estimated; "
                        "treat the prediction as unchecked for noise.");
      return;
    }
  sev = above (ratio, t->noise_check, t->noise_stop);
  if (sev == CS_SEVERITY_NONE)
    return;
  f = add_flag (report, CS_FLAG_HIGH_NOISE, sev, use_noise || local ? "local_noise" : "local_spread",
                value, (sev == CS_SEVERITY_STOP ? t->noise_stop : t->noise_check) * baseline,
                ratio);
  fmt_num (v, sizeof v, value);
  fmt_num (nb, sizeof nb, baseline);
  set_message (f, "Outcomes of the cases used scatter by +-%s%s, %.1fx the usual noise of %s%s.",
               v, un, ratio, nb, un);
}

/* How much the outcome changes across the window's half-width, against the
 * usual noise: the fitted window balances its bias (slope x width) against
 * the noise, so where the change across it is several times the noise the
 * window is too wide for that spot. Without a known window or noise level, the
 * slope against the case base's typical slope. */
static void
rule_variation (const CsFlagBase       *base,
                const CsFlagThresholds *t,
                const CsFlagQuery      *q,
                CsFlagReport           *report)
{
  char v[32], nb[32], un[32], tail[160] = "";
  int local = local_rules (base);
  int across = local || (isfinite (base->window) && base->window > 0 && isfinite (base->noise_sd)
                         && base->noise_sd > 0);
  double value = local ? q->local_variation
                 : across ? q->local_lipschitz * base->window : q->local_lipschitz;
  double baseline = local ? base->usual_noise : across ? base->noise_sd : base->lipschitz;
  const char *measure = local ? "trend_spread" : across ? "window_change" : "local_lipschitz";
  double ratio = safe_ratio (value, baseline);
  CsSeverity sev;
  CsFlag *f;

  fmt_unit (un, sizeof un, base->target_unit);
  if (isnan (ratio))
    {
      f = add_flag (report, CS_FLAG_HIGH_VARIATION, CS_SEVERITY_CHECK, measure, value,
                    t->variation_check * baseline, NAN);
      if (local && isnan (q->local_variation))
        {
          char why[200];
          thin_reason (q, why, sizeof why);
          set_message (f, "How fast the %s changes around this query could not be estimated: %s. "
                          "Treat the prediction as unchecked for variation.", target_name (base), why);
        }
      else
        set_message (f, "How fast the %s changes around this query could not be estimated; "
                        "treat the prediction as unchecked for variation.", target_name (base));
      return;
    }
  sev = above (ratio, t->variation_check, t->variation_stop);
  if (sev == CS_SEVERITY_NONE)
    return;
  f = add_flag (report, CS_FLAG_HIGH_VARIATION, sev, measure, value,
                (sev == CS_SEVERITY_STOP ? t->variation_stop : t->variation_check) * baseline, ratio);

  /* Name the feature along which the outcome changes fastest, per its own unit. */
  if (q->gradient != NULL && base->feature_sd != NULL)
    {
      size_t best = 0;
      double best_std = -1;

      for (size_t j = 0; j < base->d; j++)
        {
          double gs = fabs (q->gradient[j]) * base->feature_sd[j];  /* per sd */
          if (isfinite (gs) && gs > best_std)
            {
              best_std = gs;
              best = j;
            }
        }
      if (best_std > 0)
        {
          char g[32], fb[32], fu[32];
          fmt_num (g, sizeof g, fabs (q->gradient[best]));
          fmt_unit (fu, sizeof fu, base->feature_units ? base->feature_units[best] : NULL);
          buf_append (tail, sizeof tail, " It changes most along %s: %s%s per%s%s.",
                      feature_name (base, best, fb, sizeof fb), g, un,
                      fu[0] == '\0' ? " unit of it" : "", fu);
        }
    }
  fmt_num (v, sizeof v, value);
  fmt_num (nb, sizeof nb, baseline);
  if (local)
    set_message (f, "The %s changes across the cases this prediction averages: their local trend "
                    "spreads by +-%s%s, %.1fx the usual noise of %s%s, so the estimate is pulled "
                    "toward the cases on either side.%s",
                 target_name (base), v, un, ratio, nb, un, tail);
  else if (across)
    {
      char sl[32];
      fmt_num (sl, sizeof sl, q->local_lipschitz);
      set_message (f, "The %s changes by about %s%s across the model's window here (%s%s per "
                      "standard deviation of the features), %.1fx the usual noise of %s%s: the "
                      "window is too wide for this spot, so the estimate is pulled toward the "
                      "cases on either side.%s",
                   target_name (base), v, un, sl, un, ratio, nb, un, tail);
    }
  else
    set_message (f, "The %s changes fast around this query: %s%s per standard deviation of the "
                    "features, %.1fx the typical %s%s, so nearby cases disagree more than "
                    "the window allows for.%s",
                 target_name (base), v, un, ratio, nb, un, tail);
}

static void
rule_support (const CsFlagBase       *base,
              const CsFlagThresholds *t,
              const CsFlagQuery      *q,
              CsFlagReport           *report)
{
  int metric = metric_support (base);
  double dvalue = metric ? q->metric_distance : q->nearest_distance;
  double dbase = metric ? base->metric_nn_distance : base->nn_distance;
  double dhigh = metric ? base->metric_nn_distance_high : base->nn_distance_high;
  double dratio = safe_ratio (dvalue, dbase);
  CsSeverity sev_d = isnan (dratio) ? CS_SEVERITY_CHECK
                                    : above (dratio, t->distance_check, t->distance_stop);
  CsSeverity sev_n = CS_SEVERITY_NONE;
  CsFlag *f;

  if (isnan (q->n_eff))
    sev_n = CS_SEVERITY_CHECK;
  else if (q->n_eff < t->neff_stop)
    sev_n = CS_SEVERITY_STOP;
  else if (q->n_eff < t->neff_check)
    sev_n = CS_SEVERITY_CHECK;

  if (sev_d == CS_SEVERITY_NONE && sev_n == CS_SEVERITY_NONE)
    return;

  if (sev_d >= sev_n)
    {
      char v[32], nb[32], tail[200] = "";

      f = add_flag (report, CS_FLAG_LOW_SUPPORT, sev_d, metric ? "metric_distance" : "nearest_distance",
                    dvalue, (sev_d == CS_SEVERITY_STOP ? t->distance_stop : t->distance_check) * dbase,
                    dratio);
      if (isnan (dratio))
        {
          set_message (f, "The distance to the nearest past case is unknown; "
                          "treat the prediction as unsupported.");
          return;
        }
      /* Say in the features' own units how far the nearest case is. */
      if (q->nearest_x != NULL && q->x != NULL && base->feature_sd != NULL)
        {
          size_t order[2] = { 0, 0 };
          double big[2] = { -1, -1 };

          for (size_t j = 0; j < base->d; j++)
            {
              double s = base->feature_sd[j] > 0
                         ? fabs (q->nearest_x[j] - q->x[j]) / base->feature_sd[j] : 0;
              if (s > big[0])
                {
                  big[1] = big[0]; order[1] = order[0];
                  big[0] = s; order[0] = j;
                }
              else if (s > big[1])
                {
                  big[1] = s; order[1] = j;
                }
            }
          buf_append (tail, sizeof tail, " It differs most in");
          for (int k = 0; k < 2; k++)
            {
              char dv[32], fu[32], fb[32];
              size_t j = order[k];
              if (big[k] <= 0)
                break;
              snprintf (dv, sizeof dv, "%.3g", fabs (q->nearest_x[j] - q->x[j]));
              fmt_unit (fu, sizeof fu, base->feature_units ? base->feature_units[j] : NULL);
              buf_append (tail, sizeof tail, "%s %s (%s%s)",
                                        k == 0 ? "" : " and", feature_name (base, j, fb, sizeof fb),
                                        dv, fu);
            }
          buf_append (tail, sizeof tail, ".");
        }
      fmt_num (v, sizeof v, dvalue);
      fmt_num (nb, sizeof nb, dbase);
      set_message (f, "The nearest past case is %s %s away, %.1fx the usual spacing "
                      "of cases (%s)%s: the prediction extrapolates from distant cases.%s",
                   v, metric ? "units of the model's metric" : "standard units", dratio, nb,
                   dvalue > dhigh
                   ? "; fewer than 1 % of past cases are this far from their nearest one" : "",
                   tail);
    }
  else
    {
      char v[32];

      f = add_flag (report, CS_FLAG_LOW_SUPPORT, sev_n, "n_eff", q->n_eff,
                    sev_n == CS_SEVERITY_STOP ? t->neff_stop : t->neff_check, NAN);
      if (isnan (q->n_eff))
        {
          set_message (f, "The effective number of cases is unknown; "
                          "treat the prediction as unsupported.");
          return;
        }
      fmt_num (v, sizeof v, q->n_eff);
      set_message (f, "The prediction rests on only %s effective cases (fewer than %.1f): "
                      "one or two past cases decide it.", v,
                   sev_n == CS_SEVERITY_STOP ? t->neff_stop : t->neff_check);
    }
}

static void
rule_range (const CsFlagBase       *base,
            const CsFlagThresholds *t,
            const CsFlagQuery      *q,
            CsFlagReport           *report)
{
  double worst = -1, worst_value = 0, worst_bound = 0;
  size_t worst_j = 0;
  int n_out = 0, worst_above = 0;
  CsSeverity sev;
  CsFlag *f;
  char fb[32], v[32], b[32], fu[32], others[160] = "";

  if (q->x == NULL || base->feature_min == NULL || base->feature_max == NULL)
    return;

  for (size_t j = 0; j < base->d; j++)
    {
      double lo = base->feature_min[j], hi = base->feature_max[j];
      double span = hi - lo, excess;
      int is_above;

      if (!(q->x[j] > hi) && !(q->x[j] < lo))
        continue;
      is_above = q->x[j] > hi;
      excess = is_above ? q->x[j] - hi : lo - q->x[j];
      excess = span > 0 ? excess / span : INFINITY;
      if (!(excess > t->range_check))
        continue;
      n_out++;
      if (excess > worst)
        {
          worst = excess;
          worst_j = j;
          worst_value = q->x[j];
          worst_bound = is_above ? hi : lo;
          worst_above = is_above;
        }
    }
  if (n_out == 0)
    return;

  sev = worst > t->range_stop ? CS_SEVERITY_STOP : CS_SEVERITY_CHECK;
  {
    double span = base->feature_max[worst_j] - base->feature_min[worst_j];
    double frac = sev == CS_SEVERITY_STOP ? t->range_stop : t->range_check;
    double threshold = worst_above ? worst_bound + frac * span : worst_bound - frac * span;

    f = add_flag (report, CS_FLAG_OUT_OF_RANGE, sev, "feature_value", worst_value, threshold,
                  worst);
  }
  f->feature = (int) worst_j;
  f->n_features = n_out;
  if (n_out > 1)
    {
      int listed = 0;

      buf_append (others, sizeof others, " Also outside:");
      for (size_t j = 0; j < base->d; j++)
        {
          double lo = base->feature_min[j], hi = base->feature_max[j], span = hi - lo, ex;
          if (j == worst_j || (!(q->x[j] > hi) && !(q->x[j] < lo)))
            continue;
          ex = q->x[j] > hi ? q->x[j] - hi : lo - q->x[j];
          ex = span > 0 ? ex / span : INFINITY;
          if (!(ex > t->range_check))
            continue;
          if (listed == 3)
            {
              buf_append (others, sizeof others, " and %d more", n_out - 1 - listed);
              break;
            }
          buf_append (others, sizeof others, "%s %s", listed ? "," : "",
                      feature_name (base, j, fb, sizeof fb));
          listed++;
        }
      buf_append (others, sizeof others, ".");
    }
  fmt_value (v, sizeof v, worst_value);
  fmt_value (b, sizeof b, worst_bound);
  fmt_unit (fu, sizeof fu, base->feature_units ? base->feature_units[worst_j] : NULL);
  set_message (f, "%s %s%s is %s the %s value in the case base, %s%s (by %.0f %% of its range): "
                  "the model extrapolates.%s",
               feature_name (base, worst_j, fb, sizeof fb), v, fu,
               worst_above ? "above" : "below", worst_above ? "highest" : "lowest", b, fu,
               100.0 * worst, others);
  /* Capitalise the sentence's first letter (feature names are lower case). */
  if (f->message[0] >= 'a' && f->message[0] <= 'z')
    f->message[0] = (char) (f->message[0] - 'a' + 'A');
}

void
cs_flags_evaluate (const CsFlagBase       *base,
                   const CsFlagThresholds *t,
                   const CsFlagQuery      *q,
                   CsFlagReport           *report)
{
  CsFlagThresholds defaults;
  char detail[96];

  if (report == NULL)
    return;
  if (q == NULL)
    {
      cs_flags_fail (report, CS_FLAG_FAIL_ENGINE, "no prediction was given");
      return;
    }
  if (q->failure != CS_FLAG_FAIL_NONE)
    {
      cs_flags_fail (report, q->failure, NULL);
      return;
    }
  if (base == NULL || base->d == 0)
    {
      cs_flags_fail (report, CS_FLAG_FAIL_NO_MODEL, NULL);
      return;
    }
  if (base->n_cases == 0)
    {
      cs_flags_fail (report, CS_FLAG_FAIL_NO_CASES, NULL);
      return;
    }
  if (t == NULL)
    {
      cs_flag_thresholds_init_for_base (&defaults, base);
      t = &defaults;
    }
  else if (cs_flag_thresholds_validate (t) != 0)
    {
      cs_flags_fail (report, CS_FLAG_FAIL_ENGINE, "the thresholds are not valid");
      return;
    }
  if (q->x != NULL)
    for (size_t j = 0; j < base->d; j++)
      if (!isfinite (q->x[j]))
        {
          char fb[32];
          snprintf (detail, sizeof detail, "%s is %s", feature_name (base, j, fb, sizeof fb),
                    isnan (q->x[j]) ? "missing" : "infinite");
          cs_flags_fail (report, CS_FLAG_FAIL_QUERY_NAN, detail);
          return;
        }
  if (!isfinite (q->y_hat))
    {
      cs_flags_fail (report, CS_FLAG_FAIL_NOT_FINITE, NULL);
      return;
    }
  if (!(q->n_eff >= 1.0 - 1e-9) && !isnan (q->n_eff))
    {
      /* n_eff < 1 (0 when every case was excluded) means the weights are broken. */
      cs_flags_fail (report, CS_FLAG_FAIL_NO_CASES, "no case carries weight");
      return;
    }

  memset (report, 0, sizeof *report);
  report->failure = CS_FLAG_FAIL_NONE;
  report->y_hat = q->y_hat;

  rule_noise (base, t, q, report);
  rule_variation (base, t, q, report);
  rule_support (base, t, q, report);
  rule_range (base, t, q, report);

  report->verdict = CS_VERDICT_OK;
  for (size_t i = 0; i < report->n_flags; i++)
    {
      if (report->flags[i].severity == CS_SEVERITY_STOP)
        report->verdict = CS_VERDICT_STOP;
      else if (report->flags[i].severity == CS_SEVERITY_CHECK && report->verdict == CS_VERDICT_OK)
        report->verdict = CS_VERDICT_CHECK;
    }
}

const CsFlag *
cs_flag_report_find (const CsFlagReport *report,
                     CsFlagKind          kind)
{
  if (report == NULL)
    return NULL;
  for (size_t i = 0; i < report->n_flags; i++)
    if (report->flags[i].kind == kind)
      return &report->flags[i];
  return NULL;
}

long
cs_flags_columns_differ (const char *const *model_names,
                         size_t             d_model,
                         const char *const *data_names,
                         size_t             d_data)
{
  size_t d = d_model < d_data ? d_model : d_data;

  for (size_t j = 0; j < d; j++)
    {
      const char *a = model_names ? model_names[j] : NULL;
      const char *b = data_names ? data_names[j] : NULL;
      if (a == NULL || b == NULL || strcmp (a, b) != 0)
        return (long) j;
    }
  if (d_model != d_data)
    return (long) d_model;
  return -1;
}

/* ---- With the engine --------------------------------------------------------- */

CsStatus
cs_flag_base_measure (CsFlagBase          *base,
                      const CsAttention   *ctx,
                      CsModelProgressFunc  progress,
                      void                *user_data)
{
  CsLocalDiagnostics *local = NULL;
  double *noise = NULL, *lip = NULL, *dist = NULL, *xs = NULL;
  size_t *nn = NULL, *self = NULL, n, d, m;
  const double *x;
  CsFlagBase b;
  double md;
  CsStatus st;

  if (base == NULL || ctx == NULL)
    return CS_ERR_INVALID;
  n = cs_attention_get_n (ctx);
  d = cs_attention_get_d (ctx);
  x = cs_attention_get_x (ctx);
  if (n < 2)
    return CS_ERR_INVALID;
  /* At most BASE_MAX_CASES evenly spaced cases, each measured leave-one-out
   * against the WHOLE case base: O(m n d^2), and the same numbers as the full
   * all-cases pass when n <= BASE_MAX_CASES. On very large bases the count
   * falls so that the work stays near BASE_MAX_WORK (about a minute here),
   * but not below BASE_MIN_CASES: 10^6 cases x 20 features measure 905. */
  {
    double cap = BASE_MAX_WORK / ((double) n * (double) (d * d + 2 * d + 2));
    size_t mmax = cap >= BASE_MAX_CASES ? BASE_MAX_CASES : cap <= BASE_MIN_CASES ? BASE_MIN_CASES : (size_t) cap;
    m = n < mmax ? n : mmax;
  }
  local = malloc (m * sizeof *local);
  noise = malloc (m * sizeof (double));
  lip = malloc (m * sizeof (double));
  dist = malloc (m * sizeof (double));
  nn = malloc (m * sizeof (size_t));
  self = malloc (m * sizeof (size_t));
  xs = malloc (m * d * sizeof (double));
  if (local == NULL || noise == NULL || lip == NULL || dist == NULL || nn == NULL || self == NULL
      || xs == NULL)
    {
      st = CS_ERR_NOMEM;
      goto out;
    }
  for (size_t t = 0; t < m; t++)
    {
      self[t] = m == n ? t : (size_t) ((double) t * (double) n / (double) m);
      memcpy (xs + t * d, x + self[t] * d, d * sizeof (double));
    }
  st = cs_diagnose_at (ctx, xs, m, self, local, progress, user_data);
  if (st != CS_OK)
    goto out;
  st = cs_nearest_neighbours (x, n, d, xs, m, self, nn, dist);
  if (st != CS_OK)
    goto out;
  for (size_t t = 0; t < m; t++)
    {
      noise[t] = local[t].local_noise_sd;
      lip[t] = local[t].local_lipschitz;
    }
  b = *base;
  if (cs_flag_base_from_cases (&b, noise, lip, dist, m) != 0
      || cs_flag_base_from_local (&b, local, m) != 0)
    {
      st = CS_ERR_NOT_FINITE;
      goto out;
    }
  md = cs_metric_mean_diagonal (cs_attention_get_metric (ctx));
  b.d = d;
  b.n_cases = n;
  b.window = md > 0 ? 1.0 / sqrt (md) : NAN;
  *base = b;

out:
  free (local);
  free (noise);
  free (lip);
  free (dist);
  free (nn);
  free (self);
  free (xs);
  return st;
}

CsStatus
cs_flags_predict (const CsAttention      *ctx,
                  const CsFlagBase       *base,
                  const CsFlagThresholds *t,
                  const double           *mean,
                  const double           *sd,
                  const double           *x,
                  size_t                  q,
                  const double           *case_x,
                  const size_t           *self_index,
                  CsPrediction           *pred,
                  CsFlagReport           *reports)
{
  size_t d, n, m = 0;
  size_t *keep = NULL, *self = NULL;
  double *z = NULL, *nx = NULL;
  CsPrediction *pr = NULL;
  CsLocalDiagnostics *ld = NULL;
  CsPredictOptions o;
  CsStatus st = CS_OK;

  if (reports == NULL)
    return CS_ERR_INVALID;
  if (q == 0)
    return CS_OK;
  if (ctx == NULL || base == NULL || mean == NULL || sd == NULL || x == NULL
      || base->d != cs_attention_get_d (ctx))
    {
      CsFlagFailure why = ctx == NULL ? CS_FLAG_FAIL_NO_MODEL
                          : base == NULL || base->d != cs_attention_get_d (ctx) ? CS_FLAG_FAIL_COLUMNS
                          : CS_FLAG_FAIL_ENGINE;
      for (size_t k = 0; k < q; k++)
        cs_flags_fail (&reports[k], why, why == CS_FLAG_FAIL_ENGINE ? "missing query or scaling" : NULL);
      st = CS_ERR_INVALID;
      goto fill_pred;
    }
  d = base->d;
  n = cs_attention_get_n (ctx);
  keep = malloc (q * sizeof (size_t));
  self = malloc (q * sizeof (size_t));
  z = malloc (q * d * sizeof (double));
  pr = malloc (q * sizeof (CsPrediction));
  ld = malloc (q * sizeof (CsLocalDiagnostics));
  nx = case_x == NULL ? malloc (q * d * sizeof (double)) : NULL;
  if (keep == NULL || self == NULL || z == NULL || pr == NULL || ld == NULL || (case_x == NULL && nx == NULL))
    {
      st = CS_ERR_NOMEM;
      for (size_t k = 0; k < q; k++)
        cs_flags_fail (&reports[k], CS_FLAG_FAIL_ENGINE, cs_status_message (st));
      goto fill_pred;
    }

  /* Refused one by one: a missing feature in one query must not cost the others. */
  for (size_t k = 0; k < q; k++)
    {
      const double *xk = x + k * d;
      int ok = 1;

      for (size_t j = 0; j < d; j++)
        {
          double zj = sd[j] > 0 ? (xk[j] - mean[j]) / sd[j] : xk[j] - mean[j];
          if (!isfinite (xk[j]) || !isfinite (zj))
            ok = 0;
          z[m * d + j] = zj;
        }
      if (!ok)
        {
          CsFlagQuery fq = { .failure = CS_FLAG_FAIL_NONE, .x = xk, .y_hat = NAN };
          cs_flags_evaluate (base, t, &fq, &reports[k]);   /* names the feature */
          if (reports[k].failure == CS_FLAG_FAIL_NONE)
            cs_flags_fail (&reports[k], CS_FLAG_FAIL_QUERY_NAN, NULL);
          continue;
        }
      self[m] = self_index != NULL ? self_index[k] : CS_NO_CASE;
      keep[m++] = k;
    }

  if (m > 0)
    {
      cs_predict_options_init (&o);
      o.self_index = self_index != NULL ? self : NULL;
      st = cs_attention_predict (ctx, z, m, &o, pr);
      if (st == CS_OK)
        st = cs_diagnose_at (ctx, z, m, self_index != NULL ? self : NULL, ld, NULL, NULL);
      if (st != CS_OK)
        {
          for (size_t i = 0; i < m; i++)
            cs_flags_fail (&reports[keep[i]], CS_FLAG_FAIL_ENGINE, cs_status_message (st));
        }
      else
        for (size_t i = 0; i < m; i++)
          {
            size_t k = keep[i];
            const double *near = NULL;
            /* The nearest case the support rule measures: under the metric when the base has
             * that baseline. */
            size_t ni = metric_support (base) ? ld[i].metric_nearest : pr[i].nearest_index;
            if (ni < n && case_x != NULL)
              near = case_x + ni * d;
            else if (ni < n)
              {
                /* Back to original units from the context's standardised case. */
                const double *zc = cs_attention_get_x (ctx) + ni * d;
                for (size_t j = 0; j < d; j++)
                  nx[i * d + j] = mean[j] + (sd[j] > 0 ? sd[j] : 1.0) * zc[j];
                near = nx + i * d;
              }
            CsFlagQuery fq = {
              .failure = CS_FLAG_FAIL_NONE,
              .x = x + k * d,
              .y_hat = pr[i].prediction,
              .local_spread = pr[i].local_sd,
              .local_noise = ld[i].local_noise_sd,
              .local_lipschitz = ld[i].local_lipschitz,
              .gradient = NULL,
              .n_eff = pr[i].n_eff,
              .nearest_distance = pr[i].nearest_distance,
              .nearest_x = near,
              .local_variation = ld[i].local_variation,
              .metric_distance = ld[i].metric_distance,
              .df_resid = ld[i].df_resid,
            };
            cs_flags_evaluate (base, t, &fq, &reports[k]);
          }
    }

fill_pred:
  if (pred != NULL)
    {
      for (size_t k = 0; k < q; k++)
        {
          memset (&pred[k], 0, sizeof pred[k]);
          pred[k].prediction = NAN;
          pred[k].std_error = NAN;
          pred[k].n_eff = NAN;
          pred[k].local_sd = NAN;
          pred[k].mean_distance = NAN;
          pred[k].nearest_distance = NAN;
          pred[k].nearest_index = CS_NO_CASE;
          pred[k].max_weight = NAN;
          pred[k].weight_sum = NAN;
          pred[k].radius90 = NAN;
          pred[k].decomposition_error = NAN;
        }
      if (st == CS_OK && keep != NULL)
        for (size_t i = 0; i < m; i++)
          pred[keep[i]] = pr[i];
    }
  free (keep);
  free (self);
  free (z);
  free (pr);
  free (ld);
  free (nx);
  return st;
}

void
cs_flags_add_missing (CsFlagReport *report,
                      int           feature,
                      const char   *feature_name,
                      double        rmse_without,
                      double        rmse_with,
                      const char   *target_unit)
{
  double ratio = rmse_without / rmse_with;
  CsFlag *f = add_flag (report, CS_FLAG_MISSING_FEATURE, CS_SEVERITY_CHECK, "loo_rmse_without", rmse_without,
                        rmse_with, ratio);
  const char *u = target_unit != NULL && target_unit[0] != '\0' ? target_unit : "";

  if (f == NULL)
    return;
  f->feature = feature;
  f->n_features = 1;
  if (isfinite (ratio))
    set_message (f, "%s has no value: predicted from the other features; without it the leave-one-out error "
                 "is %.3g%s%s instead of %.3g%s%s (%+.0f %%)", feature_name != NULL ? feature_name : "a feature",
                 rmse_without, u[0] ? " " : "", u, rmse_with, u[0] ? " " : "", u, 100.0 * (ratio - 1.0));
  else
    set_message (f, "%s has no value: predicted from the other features", feature_name != NULL ? feature_name
                 : "a feature");
  if (report->verdict == CS_VERDICT_OK)
    report->verdict = CS_VERDICT_CHECK;
}

void
cs_flags_add_category (CsFlagReport *report,
                       const char   *message)
{
  CsFlag *f = add_flag (report, CS_FLAG_LOW_SUPPORT, CS_SEVERITY_CHECK, "category", NAN, NAN, NAN);

  if (f == NULL)
    return;
  set_message (f, "%s", message != NULL ? message : "a category value has no support");
  if (report->verdict == CS_VERDICT_OK)
    report->verdict = CS_VERDICT_CHECK;
}
