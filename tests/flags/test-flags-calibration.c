/* test-flags-calibration.c: the fail-safe flags against the generator's ground truth (slow suite).
 *
 * Method (model/FAILSAFE.md): for several seeds other than the sample's and
 * several sizes, generate a fresh press-line case base, standardise it, fit
 * the scalar window by the leave-one-out loss, derive the baselines from the
 * case base (cs_flag_base_measure: cs_flag_base_from_cases and
 * cs_flag_base_from_local over the leave-one-out diagnostics of every case),
 * then draw queries in the core of each region and evaluate the
 * flags with the default thresholds. Out-of-range queries are drawn anywhere
 * in the feature box and pushed beyond one feature's observed range by 2 to
 * 30 % of it. Measured: the recall of each flag in its region (high_noise in
 * noisy, high_variation in steep, low_support in sparse, out_of_range naming
 * the right feature) and the fraction of smooth queries flagged at all.
 * Targets: recall >= 0.9 each, smooth flagged <= 5 %, on every case base.
 *
 * Run with --table (or CS_FLAGS_TABLE=1) to print the full table, with the
 * quantiles of every ratio per region, for the docs; with --sweep to run a
 * wider set of seeds and sizes instead (missed targets reported, not fatal);
 * with --keep-going to run every case base even when one misses a target.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"
#include "cs-sample-gen.h"

#define MAX_D 4
#define D_PRESS 4
#define N_QUERIES 400          /* per region and case base */
#define N_MEASURES 6           /* noise, variation, distance, n_eff, |error|, change/noise */

enum { R_SMOOTH, R_STEEP, R_NOISY, R_SPARSE, R_RANGE, R_N };
static const char *const region_label[R_N] = { "smooth", "steep", "noisy", "sparse", "out-of-range" };
static const CsRegion region_of[R_N] = {
  CS_REGION_SMOOTH, CS_REGION_STEEP, CS_REGION_NOISY, CS_REGION_SPARSE, CS_REGION_SMOOTH,
};

typedef struct
{
  CsSampleKind kind;
  uint64_t seed;
  size_t n;
  double window;                       /* fitted half-width, standardised */
  CsFlagBase base;
  /* counts[region][kind]: queries of the region carrying the flag (any severity) */
  int counts[R_N][CS_FLAG_N_KINDS];
  int any[R_N];                        /* queries with any flag */
  int stop[R_N];                       /* verdict stop */
  int range_named;                     /* out_of_range naming the pushed feature */
  int total[R_N];
  double ratios[R_N][N_MEASURES][N_QUERIES];
} Calibration;

static gboolean print_table;

typedef struct
{
  CsSample *s;
  size_t d;
  double mu[MAX_D], sd[MAX_D], lo[MAX_D], hi[MAX_D];
  double *z;
  CsAttention *ctx;
} Fixture;

static void
fixture_clear (Fixture *fx)
{
  cs_attention_free (fx->ctx);
  g_free (fx->z);
  cs_sample_free (fx->s);
}

static void
standardise (const Fixture *fx,
             const double  *x,
             double        *zq)
{
  for (size_t j = 0; j < fx->d; j++)
    zq[j] = (x[j] - fx->mu[j]) / fx->sd[j];
}

static void
fixture_init (Fixture     *fx,
              Calibration *cal)
{
  CsFitOptions fo;
  CsMetric metric = { 0 };
  size_t n = cal->n, D;

  memset (fx, 0, sizeof *fx);
  fx->s = cs_sample_new (cal->kind, cal->seed, n);
  g_assert_nonnull (fx->s);
  D = fx->d = fx->s->d;
  g_assert_cmpuint (D, <=, MAX_D);

  for (size_t j = 0; j < D; j++)
    {
      double m = 0, v = 0;
      fx->lo[j] = INFINITY;
      fx->hi[j] = -INFINITY;
      for (size_t i = 0; i < n; i++)
        {
          double xv = fx->s->x[i * D + j];
          m += xv;
          fx->lo[j] = MIN (fx->lo[j], xv);
          fx->hi[j] = MAX (fx->hi[j], xv);
        }
      m /= n;
      for (size_t i = 0; i < n; i++)
        v += (fx->s->x[i * D + j] - m) * (fx->s->x[i * D + j] - m);
      fx->mu[j] = m;
      fx->sd[j] = sqrt (v / (n - 1));
    }
  fx->z = g_new (double, n * D);
  for (size_t i = 0; i < n; i++)
    standardise (fx, fx->s->x + i * D, fx->z + i * D);

  g_assert_cmpint (cs_attention_new (fx->z, fx->s->y, n, D, CS_SCORE_DISTANCE, &fx->ctx), ==, CS_OK);
  cs_fit_options_init (&fo);
  fo.kind = CS_METRIC_SCALAR;
  g_assert_cmpint (cs_metric_init_scalar (&metric, D, 1.0), ==, CS_OK);
  g_assert_cmpint (cs_attention_fit (fx->ctx, &fo, &metric, NULL), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (fx->ctx, &metric), ==, CS_OK);
  cal->window = 1.0 / sqrt (metric.scale);
  cs_metric_clear (&metric);

  /* Baselines from the case base's own leave-one-out diagnostics. */
  memset (&cal->base, 0, sizeof cal->base);
  cal->base.feature_names = fx->s->feature_names;
  cal->base.feature_units = fx->s->feature_units;
  cal->base.feature_min = fx->lo;
  cal->base.feature_max = fx->hi;
  cal->base.feature_sd = fx->sd;
  cal->base.target_name = fx->s->target_name;
  cal->base.target_unit = fx->s->target_unit;
  g_assert_cmpint (cs_flag_base_measure (&cal->base, fx->ctx, NULL, NULL), ==, CS_OK);
  g_assert_cmpuint (cal->base.d, ==, D);
  g_assert_cmpuint (cal->base.n_cases, ==, n);
  g_assert_cmpfloat_with_epsilon (cal->base.window, cal->window, 1e-12);
  g_assert_cmpfloat (cal->base.noise_sd, >, 0);
  g_assert_cmpfloat (cal->base.lipschitz, >, 0);
  g_assert_cmpfloat (cal->base.nn_distance, >, 0);
  g_assert_cmpfloat (cal->base.nn_distance_high, >, cal->base.nn_distance);

  /* The same baselines by hand from the engine's per-case numbers. */
  {
    CsGlobalDiagnostics g;
    CsLocalDiagnostics *per_case = g_new (CsLocalDiagnostics, n);
    double *noise = g_new (double, n), *lip = g_new (double, n), *nn_dist = g_new (double, n);
    size_t *nn = g_new (size_t, n);
    CsFlagBase check = cal->base;

    g_assert_cmpint (cs_diagnose_global (fx->ctx, &g, per_case, NULL, NULL), ==, CS_OK);
    for (size_t i = 0; i < n; i++)
      {
        noise[i] = per_case[i].local_noise_sd;
        lip[i] = per_case[i].local_lipschitz;
      }
    g_assert_cmpint (cs_nearest_neighbours_self (fx->z, n, D, nn, nn_dist), ==, CS_OK);
    g_assert_cmpint (cs_flag_base_from_cases (&check, noise, lip, nn_dist, n), ==, 0);
    g_assert_cmpfloat (check.noise_sd, ==, cal->base.noise_sd);
    g_assert_cmpfloat (check.lipschitz, ==, cal->base.lipschitz);
    g_assert_cmpfloat (check.nn_distance, ==, cal->base.nn_distance);
    g_free (per_case);
    g_free (noise);
    g_free (lip);
    g_free (nn_dist);
    g_free (nn);
  }
}

static double
nan_high (double v)
{
  return isnan (v) ? INFINITY : v;
}

/* Evaluate the flags for q queries (original units), as the CLI and UI do. */
static void
evaluate_queries (const Fixture    *fx,
                  const CsFlagBase *base,
                  const double     *x,
                  size_t            q,
                  CsFlagReport     *reports)
{
  g_assert_cmpint (cs_flags_predict (fx->ctx, base, NULL, fx->mu, fx->sd, x, q, fx->s->x, NULL,
                                     NULL, reports), ==, CS_OK);
}

/* The circle sample (the paper's setting) has no problem regions: only its
 * smooth queries and the out-of-range ones are drawn. */
static gboolean
has_region (CsSampleKind kind,
            int          r)
{
  return kind != CS_SAMPLE_CIRCLE || r == R_SMOOTH || r == R_RANGE;
}

static void
calibrate_one (Calibration *cal)
{
  Fixture fx;
  CsRng rng;
  size_t D;
  double *x;
  CsFlagReport *rep = g_new (CsFlagReport, N_QUERIES);
  int pushed[N_QUERIES];

  fixture_init (&fx, cal);
  D = fx.d;
  x = g_new (double, N_QUERIES * D);
  cs_rng_seed (&rng, cal->seed * 7919 + cal->n);

  for (int r = 0; r < R_N; r++)
    {
      if (!has_region (cal->kind, r))
        continue;
      for (int k = 0; k < N_QUERIES; k++)
        {
          double *xk = x + k * D;
          if (r == R_RANGE)
            {
              /* Anywhere in the box, then one feature beyond its observed range. */
              int j = (int) (cs_rng_uniform (&rng) * (double) D);
              double span = fx.hi[j] - fx.lo[j], frac = cs_rng_range (&rng, 0.015, 0.30);
              for (size_t jj = 0; jj < D; jj++)
                xk[jj] = cs_rng_range (&rng, fx.lo[jj], fx.hi[jj]);
              xk[j] = cs_rng_uniform (&rng) < 0.5 ? fx.lo[j] - frac * span : fx.hi[j] + frac * span;
              pushed[k] = j;
            }
          else
            g_assert_cmpint (cs_sample_draw_query (cal->kind, region_of[r], &rng, xk),
                             ==, 0);
        }
      evaluate_queries (&fx, &cal->base, x, N_QUERIES, rep);
      for (int k = 0; k < N_QUERIES; k++)
        {
          const CsFlagReport *rp = &rep[k];

          g_assert_cmpint (rp->failure, ==, CS_FLAG_FAIL_NONE);
          g_assert_true (isfinite (rp->y_hat));
          cal->total[r]++;
          cal->any[r] += rp->n_flags > 0;
          cal->stop[r] += rp->verdict == CS_VERDICT_STOP;
          for (size_t i = 0; i < rp->n_flags; i++)
            cal->counts[r][rp->flags[i].kind]++;
          if (r == R_RANGE)
            {
              const CsFlag *f = cs_flag_report_find (rp, CS_FLAG_OUT_OF_RANGE);
              cal->range_named += f != NULL && f->feature == pushed[k];
            }
        }
      /* Ratios behind the flags, recomputed from the reports' inputs for the table. */
      {
        double *zq = g_new (double, N_QUERIES * D);
        CsPrediction *pr = g_new (CsPrediction, N_QUERIES);
        CsLocalDiagnostics *ld = g_new (CsLocalDiagnostics, N_QUERIES);
        for (int k = 0; k < N_QUERIES; k++)
          standardise (&fx, x + k * D, zq + k * D);
        g_assert_cmpint (cs_attention_predict (fx.ctx, zq, N_QUERIES, NULL, pr), ==, CS_OK);
        g_assert_cmpint (cs_diagnose_at (fx.ctx, zq, N_QUERIES, NULL, ld, NULL, NULL), ==, CS_OK);
        for (int k = 0; k < N_QUERIES; k++)
          {
            /* NaN (too thin to estimate: a check flag) sorts as +inf in the quantiles */
            cal->ratios[r][0][k] = nan_high (ld[k].local_noise_sd / cal->base.usual_noise);
            cal->ratios[r][1][k] = ld[k].df_resid;
            cal->ratios[r][2][k] = nan_high (ld[k].metric_distance / cal->base.metric_nn_distance);
            cal->ratios[r][3][k] = pr[k].n_eff;
            cal->ratios[r][5][k] = nan_high (ld[k].local_variation / cal->base.usual_noise);
            cal->ratios[r][4][k] = r == R_RANGE ? NAN
                                   : fabs (pr[k].prediction
                                           - cs_sample_truth (cal->kind, x + k * D));
          }
        g_free (zq);
        g_free (pr);
        g_free (ld);
      }
    }
  g_free (x);
  g_free (rep);
  fixture_clear (&fx);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
print_quantiles (const char *name, double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  printf ("#   %-9s q05 %6.2f  q50 %6.2f  q95 %6.2f\n", name, v[n / 20], v[n / 2], v[n - 1 - n / 20]);
}

static double
recall (const Calibration *c, int region)
{
  switch (region)
    {
    case R_STEEP: return (double) c->counts[R_STEEP][CS_FLAG_HIGH_VARIATION] / c->total[R_STEEP];
    case R_NOISY: return (double) c->counts[R_NOISY][CS_FLAG_HIGH_NOISE] / c->total[R_NOISY];
    case R_SPARSE: return (double) c->counts[R_SPARSE][CS_FLAG_LOW_SUPPORT] / c->total[R_SPARSE];
    case R_RANGE: return (double) c->range_named / c->total[R_RANGE];
    default: return NAN;
    }
}

static void
report (const Calibration *c)
{
  CsFlagThresholds t;

  cs_flag_thresholds_init_for_base (&t, &c->base);
  printf ("# thresholds: noise %.2f/%.2f variation %.2f/%.2f distance %.2f/%.2f n_eff %.2f/%.2f "
          "range %.2f/%.2f\n", t.noise_check, t.noise_stop, t.variation_check, t.variation_stop,
          t.distance_check, t.distance_stop, t.neff_check, t.neff_stop, t.range_check, t.range_stop);
  printf ("# %s seed %" G_GUINT64_FORMAT " n %zu: window %.3f sd, noise %.3g %s, slope %.3g %s/sd, "
          "spacing %.3f sd, usual noise %.3g, metric spacing %.3f (99 %%: %.3f)\n",
          cs_sample_kind_name (c->kind), c->seed, c->n, c->window, c->base.noise_sd, c->base.target_unit,
          c->base.lipschitz, c->base.target_unit, c->base.nn_distance, c->base.usual_noise,
          c->base.metric_nn_distance, c->base.metric_nn_distance_high);
  printf ("#   region        any  stop  noise  varia  suppo  range  recall\n");
  for (int r = 0; r < R_N; r++)
    if (c->total[r] > 0)
      printf ("#   %-12s %5.3f %5.3f  %5.3f  %5.3f  %5.3f  %5.3f  %s%.3f\n", region_label[r],
            (double) c->any[r] / c->total[r], (double) c->stop[r] / c->total[r],
            (double) c->counts[r][CS_FLAG_HIGH_NOISE] / c->total[r],
            (double) c->counts[r][CS_FLAG_HIGH_VARIATION] / c->total[r],
            (double) c->counts[r][CS_FLAG_LOW_SUPPORT] / c->total[r],
            (double) c->counts[r][CS_FLAG_OUT_OF_RANGE] / c->total[r],
            r == R_SMOOTH ? "" : " ", r == R_SMOOTH ? NAN : recall (c, r));
}

static void
test_calibration (gconstpointer data)
{
  const guint64 *spec = data;
  Calibration *c = g_new0 (Calibration, 1);

  c->kind = (CsSampleKind) spec[0];
  c->seed = spec[1];
  c->n = (size_t) spec[2];
  g_assert_cmpuint (c->seed, !=, cs_sample_default_seed (c->kind));
  calibrate_one (c);
  report (c);
  if (print_table)
    {
      static const char *const mname[N_MEASURES] = { "noise", "df", "distance", "n_eff", "|error|", "variation" };
      for (int r = 0; r < R_N; r++)
        {
          if (c->total[r] == 0)
            continue;
          printf ("#  %s ratios:\n", region_label[r]);
          for (int m = 0; m < N_MEASURES; m++)
            if (!(r == R_RANGE && m == 4))
              print_quantiles (mname[m], c->ratios[r][m], N_QUERIES);
        }
    }

  /* The targets of issue 6. */
  if (c->kind != CS_SAMPLE_CIRCLE)
    {
      g_assert_cmpfloat (recall (c, R_STEEP), >=, 0.9);
      g_assert_cmpfloat (recall (c, R_NOISY), >=, 0.9);
      g_assert_cmpfloat (recall (c, R_SPARSE), >=, 0.9);
    }
  g_assert_cmpfloat (recall (c, R_RANGE), >=, 0.9);
  /* The circle too (its cases lie on a curve: the local fit's slope along the
   * spread directions only keeps it at 2 %, model/FAILSAFE.md). */
  g_assert_cmpfloat ((double) c->any[R_SMOOTH] / c->total[R_SMOOTH], <=, 0.05);
  g_free (c);
}

/* The committed sample (seed 20241, n 2000): the centre of each region's core
 * gets its flag, and a smooth query none. These are the queries the dashboard's
 * UI test uses. */
static void
test_sample_queries (void)
{
  static const struct
  {
    const char *region;
    double x[D_PRESS];
    int kind;               /* expected flag, -1: verdict ok */
  } cases[] = {
    { "smooth", { 212, 100, 15, 50 }, -1 },
    { "smooth", { 182, 81, 12, 40 }, -1 },
    { "steep",  { 228, 80, 15, 50 }, CS_FLAG_HIGH_VARIATION },
    { "noisy",  { 191, 108, 15, 50 }, CS_FLAG_HIGH_NOISE },
    { "sparse", { 200, 55, 15, 50 }, CS_FLAG_LOW_SUPPORT },
    { "range",  { 250, 80, 15, 50 }, CS_FLAG_OUT_OF_RANGE },
  };
  Calibration *c = g_new0 (Calibration, 1);
  Fixture fx;

  c->kind = CS_SAMPLE_PRESS_LINE;
  c->seed = cs_sample_default_seed (c->kind);
  c->n = cs_sample_default_n (c->kind);
  fixture_init (&fx, c);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CsFlagReport r;
      const CsFlag *f;

      if (strcmp (cases[i].region, "range") != 0)
        g_assert_cmpstr (cs_region_name (cs_sample_region (c->kind, cases[i].x)), ==, cases[i].region);
      evaluate_queries (&fx, &c->base, cases[i].x, 1, &r);
      if (print_table)
        for (size_t k = 0; k < r.n_flags; k++)
          printf ("# %s: %s %s: %s\n", cases[i].region, cs_flag_kind_name (r.flags[k].kind),
                  cs_severity_name (r.flags[k].severity), r.flags[k].message);
      if (cases[i].kind < 0)
        {
          g_assert_cmpint (r.verdict, ==, CS_VERDICT_OK);
          continue;
        }
      f = cs_flag_report_find (&r, (CsFlagKind) cases[i].kind);
      g_assert_nonnull (f);
      g_assert_cmpint (r.verdict, !=, CS_VERDICT_OK);
    }
  fixture_clear (&fx);
  g_free (c);
}

/* Above 5000 cases the baselines come from 5000 evenly spaced cases measured
 * against the whole base: the spacing must be the full base's (brute force),
 * not the sparser one of a 5000-case base. */
static void
test_base_measure_large (void)
{
  const size_t n = 6500, d = 2;
  CsSample *s = cs_sample_new (CS_SAMPLE_KILN, 4242, n);
  double *z = g_new (double, n * d), mu[2] = { 0, 0 }, sd[2] = { 0, 0 };
  double *nn_sub = g_new (double, 5000);
  CsAttention *ctx = NULL;
  CsMetric metric = { 0 };
  CsFlagBase b = { 0 };

  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      mu[j] += s->x[i * d + j] / n;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      sd[j] += (s->x[i * d + j] - mu[j]) * (s->x[i * d + j] - mu[j]) / (n - 1);
  for (size_t j = 0; j < d; j++)
    sd[j] = sqrt (sd[j]);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      z[i * d + j] = (s->x[i * d + j] - mu[j]) / sd[j];
  g_assert_cmpint (cs_attention_new (z, s->y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_metric_init_scalar (&metric, d, 150.0), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &metric), ==, CS_OK);
  g_assert_cmpint (cs_flag_base_measure (&b, ctx, NULL, NULL), ==, CS_OK);
  g_assert_cmpuint (b.n_cases, ==, n);
  g_assert_cmpfloat_with_epsilon (b.window, 1.0 / sqrt (150.0), 1e-12);

  /* Brute force: the nearest other case in the whole base of each sampled case. */
  for (size_t t = 0; t < 5000; t++)
    {
      size_t i = (size_t) ((double) t * (double) n / 5000.0);
      double best = INFINITY;
      for (size_t k = 0; k < n; k++)
        if (k != i)
          {
            double e0 = z[i * d] - z[k * d], e1 = z[i * d + 1] - z[k * d + 1];
            best = MIN (best, e0 * e0 + e1 * e1);
          }
      nn_sub[t] = sqrt (best);
    }
  {
    CsFlagBase ref = { 0 };
    g_assert_cmpint (cs_flag_base_from_cases (&ref, NULL, NULL, nn_sub, 5000), ==, 0);
    g_assert_cmpfloat_with_epsilon (b.nn_distance, ref.nn_distance, 1e-9 * ref.nn_distance);
    g_assert_cmpfloat_with_epsilon (b.nn_distance_high, ref.nn_distance_high, 1e-9 * ref.nn_distance_high);
  }
  /* A 5000-case base alone would be sparser by about (6500 / 5000)^(1/2) = 1.14. */
  {
    CsFlagBase small = { 0 };
    double *dist = g_new (double, 5000);
    size_t *idx = g_new (size_t, 5000);
    double *zs = g_new (double, 5000 * d);
    for (size_t t = 0; t < 5000; t++)
      memcpy (zs + t * d, z + (size_t) ((double) t * (double) n / 5000.0) * d, d * sizeof (double));
    g_assert_cmpint (cs_nearest_neighbours_self (zs, 5000, d, idx, dist), ==, CS_OK);
    g_assert_cmpint (cs_flag_base_from_cases (&small, NULL, NULL, dist, 5000), ==, 0);
    g_assert_cmpfloat (small.nn_distance, >, 1.05 * b.nn_distance);
    g_free (dist);
    g_free (idx);
    g_free (zs);
  }
  cs_metric_clear (&metric);
  cs_attention_free (ctx);
  cs_sample_free (s);
  g_free (z);
  g_free (nn_sub);
}

int
main (int argc, char **argv)
{
  /* Seeds other than the committed sample's (20241); sizes around its 2000. */
  static const guint64 specs[][3] = {
    { CS_SAMPLE_PRESS_LINE, 101, 1500 }, { CS_SAMPLE_PRESS_LINE, 202, 2000 },
    { CS_SAMPLE_PRESS_LINE, 303, 3000 }, { CS_SAMPLE_PRESS_LINE, 404, 2000 },
    { CS_SAMPLE_PRESS_LINE, 505, 1500 },
    { CS_SAMPLE_KILN, 606, 1500 }, { CS_SAMPLE_KILN, 707, 3000 },
    { CS_SAMPLE_CIRCLE, 808, 400 }, { CS_SAMPLE_CIRCLE, 909, 1000 },
  };

  /* --sweep: a wider set for the docs (not run by meson): ten more press-line
   * seeds at 1000 to 4000 cases and four kiln seeds at 800 to 5000. */
  static const guint64 sweep[][3] = {
    { CS_SAMPLE_PRESS_LINE, 1001, 1500 }, { CS_SAMPLE_PRESS_LINE, 1002, 2000 },
    { CS_SAMPLE_PRESS_LINE, 1003, 3000 }, { CS_SAMPLE_PRESS_LINE, 1004, 4000 },
    { CS_SAMPLE_PRESS_LINE, 1005, 1000 }, { CS_SAMPLE_PRESS_LINE, 1006, 1500 },
    { CS_SAMPLE_PRESS_LINE, 1007, 2000 }, { CS_SAMPLE_PRESS_LINE, 1008, 3000 },
    { CS_SAMPLE_PRESS_LINE, 1009, 4000 }, { CS_SAMPLE_PRESS_LINE, 1010, 1000 },
    { CS_SAMPLE_KILN, 2001, 1500 }, { CS_SAMPLE_KILN, 2002, 3000 },
    { CS_SAMPLE_KILN, 2003, 5000 }, { CS_SAMPLE_KILN, 2004, 800 },
  };
  const guint64 (*list)[3] = specs;
  gsize n_list = G_N_ELEMENTS (specs);

  gboolean keep_going = FALSE;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--table") == 0)
      print_table = TRUE;
    else if (strcmp (argv[i], "--keep-going") == 0)
      keep_going = TRUE;     /* every case base reported, missed targets as "not ok" */
    else if (strcmp (argv[i], "--sweep") == 0)
      {
        list = sweep;
        n_list = G_N_ELEMENTS (sweep);
      }
  if (g_getenv ("CS_FLAGS_TABLE") != NULL)
    print_table = TRUE;

  g_test_init (&argc, &argv, NULL);
  if (list == sweep || keep_going)
    g_test_set_nonfatal_assertions ();   /* report every case base, missed targets as "not ok" */
  g_test_add_func ("/cs/flags/sample/known-queries", test_sample_queries);
  g_test_add_func ("/cs/flags/base-measure/large", test_base_measure_large);
  for (gsize i = 0; i < n_list; i++)
    {
      char *path = g_strdup_printf ("/cs/flags/calibration/%s/seed-%" G_GUINT64_FORMAT
                                    "-n-%" G_GUINT64_FORMAT,
                                    cs_sample_kind_name ((CsSampleKind) list[i][0]),
                                    list[i][1], list[i][2]);
      g_test_add_data_func (path, list[i], test_calibration);
      g_free (path);
    }
  return g_test_run ();
}
