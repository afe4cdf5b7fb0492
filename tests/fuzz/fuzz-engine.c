/* fuzz-engine.c: libFuzzer target for the attention engine's entry points (random shapes, scales, NaN/Inf).
 *
 * The input bytes choose n, d, q, the score form, the metric kind and scale, the data's magnitude, and
 * every value (with NaN, +-Inf, huge, tiny, subnormal and repeated values mixed in). The target checks
 * what the engine promises in model/cs-attention.h, and aborts (a finding) when a promise is broken:
 * non-finite input refused with CS_ERR_NOT_FINITE; on CS_OK the weights are >= 0 and sum to 1, the
 * prediction is a convex combination of the outcomes, n_eff lies in [1, n], top-k is sorted and in
 * range, a fitted metric validates, and a cancelled fit leaves the metric untouched.
 *
 * Built twice: with libFuzzer (-Dfuzzing=true, suite 'fuzz') and with a replay main
 * (tests/reliability/fuzz-replay.c) that runs the seed corpus and random inputs in the unit suite.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs-attention.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_N 48
#define MAX_D 6
#define MAX_Q 6
#define MAX_K 5

typedef struct
{
  const uint8_t *p;
  size_t left;
} Reader;

static unsigned
byte (Reader *r)
{
  if (r->left == 0)
    return 0;
  r->left--;
  return *r->p++;
}

static unsigned
u16 (Reader *r)
{
  unsigned hi = byte (r);
  return (hi << 8) | byte (r);
}

#define FAIL(...) do { fprintf (stderr, "fuzz-engine: " __VA_ARGS__); fputc ('\n', stderr); abort (); } while (0)

/* One value: mostly a number of the chosen magnitude, sometimes a special one. */
static double
value (Reader  *r,
       double   magnitude,
       int      specials,
       double   previous)
{
  unsigned tag = byte (r);

  if (specials)
    switch (tag)
      {
      case 0: return NAN;
      case 1: return INFINITY;
      case 2: return -INFINITY;
      case 3: return 1e300;
      case 4: return -1e300;
      case 5: return 4.9e-324;
      case 6: return 1e-300;
      default: break;
      }
  if (tag >= 240)
    return previous;           /* repeated values: identical cases, constant features */
  if (tag >= 230)
    return 0.0;
  return ((double) u16 (r) / 65535.0 * 2.0 - 1.0) * magnitude;
}

static int
all_finite (const double *v,
            size_t        n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return 0;
  return 1;
}

static int
cancel_now (double  fraction,
            void   *user_data)
{
  int *calls = user_data;
  (*calls)++;
  return 1;
}

static void
check_prediction (const CsPrediction *p,
                  const CsTopCase    *top,
                  size_t              k,
                  const double       *w,
                  const double       *y,
                  size_t              n,
                  size_t              excluded,
                  int                 strict,
                  double              wtol)
{
  double ymin = INFINITY, ymax = -INFINITY, yabs = 0.0, sum = 0.0, span;
  size_t seen = 0;

  /* the engine works on centred outcomes (y - mean over all cases), so rounding is relative to
   * the largest |y| of the base, excluded case included */
  for (size_t i = 0; i < n; i++)
    yabs = fmax (yabs, fabs (y[i]));

  for (size_t i = 0; i < n; i++)
    if (i != excluded)
      {
        ymin = fmin (ymin, y[i]);
        ymax = fmax (ymax, y[i]);
        seen++;
      }
  if (seen == 0)
    {
      if (!isnan (p->prediction))
        FAIL ("a query with no case left must predict NaN, got %g", p->prediction);
      return;
    }
  if (isnan (p->prediction))
    FAIL ("prediction is NaN with %zu finite cases", seen);
  span = (ymax - ymin) + 2.0 * yabs;
  if (p->prediction < ymin - 1e-9 * span || p->prediction > ymax + 1e-9 * span)
    FAIL ("prediction %.17g outside the outcomes' range [%.17g, %.17g]", p->prediction, ymin, ymax);
  if (!(p->n_eff >= 1.0 - 1e-9) || !(p->n_eff <= (double) seen * (1.0 + 1e-9)))
    FAIL ("n_eff %g outside [1, %zu]", p->n_eff, seen);
  if (!(p->max_weight > 0.0) || !(p->max_weight <= 1.0 + 1e-12))
    FAIL ("max_weight %g outside (0, 1]", p->max_weight);
  if (strict && fabs (p->weight_sum - 1.0) > wtol)
    FAIL ("weight_sum %.17g is not 1", p->weight_sum);
  if (isnan (p->std_error) || p->std_error < 0.0)
    FAIL ("std_error %g", p->std_error);
  if (isnan (p->local_sd) || p->local_sd < 0.0)
    FAIL ("local_sd %g", p->local_sd);

  if (w != NULL)
    {
      for (size_t i = 0; i < n; i++)
        {
          if (!(w[i] >= 0.0) || w[i] > 1.0 + wtol)
            FAIL ("weight %zu is %g", i, w[i]);
          if (i == excluded && w[i] != 0.0)
            FAIL ("excluded case %zu has weight %g", i, w[i]);
          sum += w[i];
        }
      if (fabs (sum - 1.0) > wtol)
        FAIL ("weights sum to %.17g (tolerance %g)", sum, wtol);
    }

  for (size_t j = 0; j < k; j++)
    {
      if (j >= seen)
        {
          if (top[j].index != CS_NO_CASE)
            FAIL ("top %zu should be CS_NO_CASE with %zu cases", j, seen);
          continue;
        }
      if (top[j].index >= n || top[j].index == excluded)
        FAIL ("top %zu index %zu (n %zu, excluded %zu)", j, top[j].index, n, excluded);
      if (!(top[j].weight >= 0.0) || isnan (top[j].distance) || top[j].distance < 0.0)
        FAIL ("top %zu weight %g distance %g", j, top[j].weight, top[j].distance);
      if (j > 0 && top[j].index != CS_NO_CASE && top[j].weight > top[j - 1].weight * (1.0 + 1e-12))
        FAIL ("top list not sorted at %zu", j);
      if (w != NULL && fabs (w[top[j].index] - top[j].weight) > wtol)
        FAIL ("top %zu weight %g differs from the full weight %g", j, top[j].weight, w[top[j].index]);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Reader r = { data, size };
  unsigned h0 = byte (&r), h1 = byte (&r), h2 = byte (&r), h3 = byte (&r), h4 = byte (&r);
  size_t n = 1 + h0 % MAX_N;
  size_t d = 1 + h1 % MAX_D;
  size_t q = 1 + h2 % MAX_Q;
  CsScoreForm form = (h3 & 1) ? CS_SCORE_DOT : CS_SCORE_DISTANCE;
  CsMetricKind kind = (CsMetricKind) ((h3 >> 1) % 3);
  /* One input in four is "extreme": NaN, +-Inf, 1e300 and subnormals among the values, data from
   * 1e-8 to 1e8 and scales from 1e-12 to 1e12. There only the refusals and the absence of crashes
   * and undefined behaviour are checked (the sanitizers do the rest). The others stay in the range
   * the engine is used in (standardised data, any sensible window) and every promise is checked. */
  int specials = (h3 >> 3) % 4 == 0;
  int extreme = specials;
  int want_window = (h3 >> 5) & 1;
  int want_float = (h3 >> 6) & 1;
  int do_fit = (h3 >> 7) & 1;
  double magnitude = extreme ? pow (10.0, (double) ((int) (h4 % 17) - 8))    /* 1e-8 .. 1e8 */
                             : pow (10.0, (double) ((int) (h4 % 7) - 3));    /* 1e-3 .. 1e3 */
  double scale = extreme ? pow (10.0, ((double) byte (&r) / 255.0) * 24.0 - 12.0)  /* 1e-12 .. 1e12 */
                         : pow (10.0, ((double) byte (&r) / 255.0) * 12.0 - 6.0);  /* 1e-6 .. 1e6 */
  size_t k = byte (&r) % (MAX_K + 1);
  double x[MAX_N * MAX_D], y[MAX_N], queries[MAX_Q * MAX_D], mdata[MAX_D * MAX_D];
  double weights[MAX_Q * MAX_N], half[MAX_Q * MAX_D];
  size_t self_index[MAX_Q];
  CsPrediction out[MAX_Q];
  CsTopCase top[MAX_Q * MAX_K];
  CsAttention *att = NULL;
  CsMetric metric = { 0 };
  CsPredictOptions opt;
  CsStatus st;
  double prev = 0.0;
  int finite_data, finite_queries, strict;
  double wtol;

  for (size_t i = 0; i < n * d; i++)
    prev = x[i] = value (&r, magnitude, specials, prev);
  for (size_t i = 0; i < n; i++)
    prev = y[i] = value (&r, magnitude, specials, prev);
  for (size_t i = 0; i < q * d; i++)
    prev = queries[i] = value (&r, magnitude, specials, prev);
  for (size_t i = 0; i < d * d; i++)
    mdata[i] = value (&r, 1.0, 0, 1.0);
  for (size_t i = 0; i < q; i++)
    {
      unsigned b = byte (&r);
      self_index[i] = (b & 1) ? (size_t) (b >> 1) % n : CS_NO_CASE;
    }
  finite_data = all_finite (x, n * d) && all_finite (y, n);
  finite_queries = all_finite (queries, q * d);
  /* exact sums are promised for well-scaled data; huge values only have to fail cleanly */
  strict = !extreme;

  /* Contexts that share the caller's cases and skip the float copy (bits of h2 beyond q's). */
  st = cs_attention_new_full (x, y, n, d, form, (h2 >> 5) & 3, NULL, NULL, &att);
  if (!finite_data)
    {
      if (st != CS_ERR_NOT_FINITE)
        FAIL ("cs_attention_new accepted NaN/Inf (status %d)", st);
      if (att != NULL && st != CS_OK)
        FAIL ("cs_attention_new returned a context with an error");
      return 0;
    }
  if (st != CS_OK || att == NULL)
    FAIL ("cs_attention_new refused finite data n=%zu d=%zu (status %d: %s)", n, d, st, cs_status_message (st));
  if (cs_attention_get_n (att) != n || cs_attention_get_d (att) != d)
    FAIL ("context size");
  if (memcmp (cs_attention_get_y (att), y, n * sizeof (double)) != 0)
    FAIL ("outcomes not copied as given");

  /* the metric */
  switch (kind)
    {
    case CS_METRIC_SCALAR:
      st = cs_metric_init_scalar (&metric, d, scale);
      break;
    case CS_METRIC_DIAGONAL:
      for (size_t j = 0; j < d; j++)
        mdata[j] = fabs (mdata[j]) * scale;
      st = cs_metric_init_diagonal (&metric, d, mdata);
      break;
    case CS_METRIC_FULL:
    default:
      {
        size_t rank = 1 + (h4 >> 5) % d;
        double root = sqrt (scale);
        for (size_t j = 0; j < rank * d; j++)
          mdata[j] *= root;
        st = cs_metric_init_full (&metric, d, rank, mdata);
      }
      break;
    }
  if (st != CS_OK)
    FAIL ("metric init refused a finite metric (kind %d, scale %g): %d", kind, scale, st);
  if (cs_metric_validate (&metric) != CS_OK)
    FAIL ("a metric built by init does not validate");
  st = cs_attention_set_metric (att, &metric);
  if (st != CS_OK)
    FAIL ("set_metric: %d", st);

  /* Scores are computed twice (the streamed pass and the weights pass) in the expanded form
   * a.b - |a|^2/2; their rounding is about eps times the largest score, and so is the error of
   * an explicit weight. Tolerance: 1e-9 plus a few hundred eps times that bound. */
  {
    double mm[MAX_D * MAX_D], trace = 0.0, xmax = 0.0;
    cs_metric_to_matrix (&metric, mm);
    for (size_t j = 0; j < d; j++)
      trace += fabs (mm[j * d + j]);
    for (size_t i = 0; i < n * d; i++)
      xmax = fmax (xmax, fabs (x[i]));
    for (size_t i = 0; i < q * d && finite_queries; i++)
      xmax = fmax (xmax, fabs (queries[i]));
    wtol = 1e-9 + 500.0 * 2.2e-16 * trace * 4.0 * xmax * xmax;
  }

  /* prediction, with every optional output */
  cs_predict_options_init (&opt);
  opt.flags = (want_window ? CS_PREDICT_WINDOW : 0) | (want_float ? CS_PREDICT_FLOAT : 0);
  opt.top_k = k;
  opt.top = k > 0 ? top : NULL;
  opt.weights = weights;
  opt.half_width = want_window ? half : NULL;
  opt.self_index = self_index;
  st = cs_attention_predict (att, queries, q, &opt, out);
  if (!finite_queries)
    {
      if (st != CS_ERR_NOT_FINITE)
        FAIL ("predict accepted a NaN/Inf query (status %d)", st);
    }
  else if (st != CS_OK)
    FAIL ("predict failed on finite input (status %d: %s)", st, cs_status_message (st));
  else if (!want_float && !extreme)
    for (size_t i = 0; i < q; i++)
      check_prediction (&out[i], top + i * k, k, weights + i * n, y, n, self_index[i], strict, wtol);

  /* leave-one-out prediction */
  cs_predict_options_init (&opt);
  opt.top_k = k;
  opt.top = k > 0 ? top : NULL;
  if (n <= MAX_Q)
    {
      st = cs_attention_predict_loo (att, &opt, out);
      if (st != CS_OK)
        FAIL ("predict_loo: %d", st);
      for (size_t i = 0; i < n && !extreme; i++)
        check_prediction (&out[i], top + i * k, k, NULL, y, n, i, strict, wtol);
    }

  /* the leave-one-out loss and its derivatives */
  if (n >= 2)
    {
      double mse = NAN, d1 = NAN, d2 = NAN;
      st = cs_attention_loo_mse (att, &metric, &mse,
                                 kind == CS_METRIC_SCALAR ? &d1 : NULL,
                                 kind == CS_METRIC_SCALAR ? &d2 : NULL);
      if (st != CS_OK)
        FAIL ("loo_mse: %d", st);
      if (!extreme && (isnan (mse) || mse < 0.0))
        FAIL ("loo_mse %g", mse);
    }

  /* fitting: a cancelled fit leaves the metric exactly as it was; a finished one validates */
  if (do_fit && n >= 2)
    {
      CsFitOptions fo;
      CsMetric fitted = { 0 };
      CsMetric before = { 0 };
      CsFitReport report;
      int calls = 0;

      cs_fit_options_init (&fo);
      fo.kind = kind;
      fo.max_iter = 4;
      /* one fit in three scores its loss on a sample of the cases */
      fo.max_queries = (h1 >> 5) % 3 == 0 ? 2 + (h1 >> 5) % n : 0;
      fo.progress = cancel_now;
      fo.user_data = &calls;
      if (cs_metric_copy (&fitted, &metric) != CS_OK || cs_metric_copy (&before, &metric) != CS_OK)
        FAIL ("metric copy");
      st = cs_attention_fit (att, &fo, &fitted, &report);
      if (st == CS_ERR_CANCELLED)
        {
          double a[MAX_D * MAX_D], b[MAX_D * MAX_D];
          cs_metric_to_matrix (&fitted, a);
          cs_metric_to_matrix (&before, b);
          if (memcmp (a, b, d * d * sizeof (double)) != 0)
            FAIL ("a cancelled fit changed the metric");
        }
      else if (st != CS_OK)
        FAIL ("fit with cancellation: %d", st);

      fo.progress = NULL;
      fo.user_data = NULL;
      st = cs_attention_fit (att, &fo, &fitted, &report);
      if (st != CS_OK && !(extreme && st == CS_ERR_NOT_FINITE))
        FAIL ("fit failed on finite data (n=%zu d=%zu kind %d): %d %s", n, d, kind, st, cs_status_message (st));
      if (cs_metric_validate (&fitted) != CS_OK)
        FAIL ("the fitted metric does not validate");
      if (!extreme && (isnan (report.loo_mse) || report.loo_mse < 0.0))
        FAIL ("fit report loo_mse %g", report.loo_mse);
      if (st == CS_OK && report.n_queries != (fo.max_queries > 0 && fo.max_queries < n ? fo.max_queries : n))
        FAIL ("fit report n_queries %zu (max_queries %zu, n %zu)", report.n_queries, fo.max_queries, n);
      if (strict && report.loo_mse > report.start_loo_mse * (1.0 + 1e-9) + 1e-300)
        FAIL ("the fit made the loss worse: %.17g > %.17g", report.loo_mse, report.start_loo_mse);
      cs_metric_clear (&fitted);
      cs_metric_clear (&before);
    }

  /* the linear baseline */
  if (n >= 2)
    {
      CsLinearModel lin = { 0 };
      double ylin[MAX_Q];
      st = cs_linear_fit (att, h4 & 1, &lin);
      if (st == CS_OK)
        {
          if (finite_queries && cs_linear_predict (&lin, queries, q, ylin) != CS_OK)
            FAIL ("linear predict failed on finite queries");
          if (!finite_queries && cs_linear_predict (&lin, queries, q, ylin) != CS_ERR_NOT_FINITE)
            FAIL ("linear predict accepted NaN/Inf queries");
          if (strict && (isnan (lin.loo_mse) || lin.loo_mse < 0.0))
            FAIL ("linear loo_mse %g", lin.loo_mse);
        }
      else if (st != CS_ERR_INVALID && st != CS_ERR_NOT_FINITE)
        FAIL ("linear fit: %d", st);
      cs_linear_clear (&lin);
    }

  /* bad arguments are refused, never crash */
  if (cs_attention_predict (att, queries, 0, NULL, out) == CS_ERR_NOMEM)
    FAIL ("q = 0 gave NOMEM");
  {
    CsMetric wrong = { 0 };
    if (cs_metric_init_scalar (&wrong, d + 1, 1.0) == CS_OK)
      {
        if (cs_attention_set_metric (att, &wrong) == CS_OK)
          FAIL ("set_metric accepted a metric of dimension d + 1");
        cs_metric_clear (&wrong);
      }
    if (cs_metric_init_scalar (&wrong, d, specials ? NAN : -scale) == CS_OK && cs_metric_validate (&wrong) == CS_OK)
      FAIL ("a NaN or negative scale validates");
    cs_metric_clear (&wrong);
  }

  cs_metric_clear (&metric);
  cs_attention_free (att);
  return 0;
}
