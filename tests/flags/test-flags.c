/* test-flags.c: every fail-safe rule on small hand-made cases (unit suite). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-diagnostics.h"
#include "cs-flags.h"

static const char *const names[] = { "temperature", "pressure", "speed", "humidity" };
static const char *const units[] = { "degC", "bar", "m/min", "%" };
static const double fmin_[] = { 180, 40, 5, 30 };
static const double fmax_[] = { 240, 120, 25, 70 };
static const double fsd[] = { 17.3, 23.1, 5.77, 11.5 };

static CsFlagBase
press_base (void)
{
  CsFlagBase b = {
    .d = 4,
    .n_cases = 2000,
    .feature_names = names,
    .feature_units = units,
    .feature_min = fmin_,
    .feature_max = fmax_,
    .feature_sd = fsd,
    .target_name = "strength",
    .target_unit = "MPa",
    .noise_sd = 2.0,
    .lipschitz = 10.0,
    .nn_distance = 0.3,
    .nn_distance_high = NAN,
    .window = 0.22,
  };
  return b;
}

/* A query well inside everything: no rule should fire. */
static CsFlagQuery
clean_query (const double *x)
{
  CsFlagQuery q = {
    .failure = CS_FLAG_FAIL_NONE,
    .x = x,
    .y_hat = 255.0,
    .local_spread = 2.5,
    .local_noise = 1.1,
    .local_lipschitz = 9.0,
    .gradient = NULL,
    .n_eff = 6.0,
    .nearest_distance = 0.25,
    .nearest_x = NULL,
  };
  return q;
}

static const double x_mid[] = { 212, 100, 15, 50 };

static CsSeverity
expected_above (double ratio, double check, double stop)
{
  return ratio >= stop ? CS_SEVERITY_STOP : ratio >= check ? CS_SEVERITY_CHECK : CS_SEVERITY_NONE;
}

static CsSeverity
severity_of (const CsFlagReport *r, CsFlagKind kind)
{
  const CsFlag *f = cs_flag_report_find (r, kind);
  return f ? f->severity : CS_SEVERITY_NONE;
}

static void
test_thresholds (void)
{
  CsFlagThresholds t;

  cs_flag_thresholds_init (&t);
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, 0);
  g_assert_cmpfloat (t.noise_check, <, t.noise_stop);
  g_assert_cmpfloat (t.neff_stop, <, t.neff_check);

  t.noise_check = NAN;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, -1);
  cs_flag_thresholds_init (&t);
  t.variation_check = t.variation_stop * 2;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, -1);
  cs_flag_thresholds_init (&t);
  t.neff_stop = t.neff_check + 1;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, -1);
  cs_flag_thresholds_init (&t);
  t.range_check = -0.1;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, -1);
  cs_flag_thresholds_init (&t);
  t.distance_check = 0;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, -1);
  /* Turning a rule off is allowed. */
  cs_flag_thresholds_init (&t);
  t.noise_check = t.noise_stop = INFINITY;
  t.neff_check = t.neff_stop = 0;
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, 0);
  g_assert_cmpint (cs_flag_thresholds_validate (NULL), ==, -1);

  /* By name: every field, in order, each one distinct. */
  g_assert_cmpuint (sizeof (CsFlagThresholds), ==, CS_FLAG_N_THRESHOLDS * sizeof (double));
  for (size_t i = 0; i < CS_FLAG_N_THRESHOLDS; i++)
    {
      const char *name = cs_flag_threshold_name (i);
      double fields[CS_FLAG_N_THRESHOLDS];

      g_assert_nonnull (name);
      memset (&t, 0, sizeof t);
      g_assert_cmpint (cs_flag_thresholds_set (&t, name, 7.5 + i), ==, 0);
      memcpy (fields, &t, sizeof fields);
      for (size_t k = 0; k < CS_FLAG_N_THRESHOLDS; k++)
        g_assert_cmpfloat (fields[k], ==, k == i ? 7.5 + i : 0.0);
      g_assert_cmpfloat (cs_flag_thresholds_get (&t, name), ==, 7.5 + i);
    }
  g_assert_null (cs_flag_threshold_name (CS_FLAG_N_THRESHOLDS));
  cs_flag_thresholds_init (&t);
  g_assert_cmpfloat (cs_flag_thresholds_get (&t, "noise_check"), ==, t.noise_check);
  g_assert_cmpfloat (cs_flag_thresholds_get (&t, "range_stop"), ==, t.range_stop);
  g_assert_cmpint (cs_flag_thresholds_set (&t, "noise", 3), ==, -1);
  g_assert_true (isnan (cs_flag_thresholds_get (&t, "bogus")));
}

/* The distance rule's defaults follow the case base's own spacing quantile. */
static void
test_thresholds_for_base (void)
{
  CsFlagBase b = press_base ();
  CsFlagThresholds t, plain;
  CsFlagQuery q = clean_query (x_mid);
  CsFlagReport r;

  cs_flag_thresholds_init (&plain);
  b.nn_distance_high = 2.5 * b.nn_distance;     /* a sparse, low-dimensional base */
  cs_flag_thresholds_init_for_base (&t, &b);
  g_assert_cmpfloat_with_epsilon (t.distance_check, 2.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (t.distance_stop, 3.75, 1e-12);
  g_assert_cmpfloat (t.noise_check, ==, plain.noise_check);
  g_assert_cmpint (cs_flag_thresholds_validate (&t), ==, 0);

  /* 2.2x the spacing: flagged with the plain defaults, not for this base
   * (t NULL means the base's defaults). */
  q.nearest_distance = 2.2 * b.nn_distance;
  cs_flags_evaluate (&b, &plain, &q, &r);
  g_assert_nonnull (cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT));
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_null (cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT));
  q.nearest_distance = 2.6 * b.nn_distance;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (severity_of (&r, CS_FLAG_LOW_SUPPORT), ==, CS_SEVERITY_CHECK);
  g_assert_nonnull (strstr (r.flags[0].message, "fewer than 1 %"));
  q.nearest_distance = 3.8 * b.nn_distance;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (severity_of (&r, CS_FLAG_LOW_SUPPORT), ==, CS_SEVERITY_STOP);

  /* Unknown or degenerate quantile: the plain defaults. */
  b.nn_distance_high = NAN;
  cs_flag_thresholds_init_for_base (&t, &b);
  g_assert_cmpmem (&t, sizeof t, &plain, sizeof plain);
  b.nn_distance_high = b.nn_distance;
  cs_flag_thresholds_init_for_base (&t, &b);
  g_assert_cmpmem (&t, sizeof t, &plain, sizeof plain);
  cs_flag_thresholds_init_for_base (&t, NULL);
  g_assert_cmpmem (&t, sizeof t, &plain, sizeof plain);
}

static void
test_clean_ok (void)
{
  CsFlagBase b = press_base ();
  CsFlagQuery q = clean_query (x_mid);
  CsFlagReport r;

  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (r.verdict, ==, CS_VERDICT_OK);
  g_assert_cmpuint (r.n_flags, ==, 0);
  g_assert_cmpfloat (r.y_hat, ==, 255.0);
  g_assert_cmpint (r.failure, ==, CS_FLAG_FAIL_NONE);
}

static void
test_high_noise (void)
{
  CsFlagBase b = press_base ();
  CsFlagQuery q = clean_query (x_mid);
  CsFlagThresholds t;
  CsFlagReport r;
  const CsFlag *f;

  /* The example: +-9.2 MPa against 2.0 MPa. */
  q.local_noise = 9.2;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_NOISE);
  g_assert_nonnull (f);
  cs_flag_thresholds_init (&t);
  g_assert_cmpint (f->severity, ==, expected_above (4.6, t.noise_check, t.noise_stop));
  g_assert_cmpstr (f->measure, ==, "local_noise");
  g_assert_cmpfloat_with_epsilon (f->value, 9.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (f->ratio, 4.6, 1e-12);
  g_assert_nonnull (strstr (f->message, "+-9.2 MPa"));
  g_assert_nonnull (strstr (f->message, "4.6x"));
  g_assert_nonnull (strstr (f->message, "2.0 MPa"));
  g_assert_cmpint (r.n_flags, ==, 1);
  g_assert_cmpint (r.verdict, ==, f->severity == CS_SEVERITY_STOP ? CS_VERDICT_STOP : CS_VERDICT_CHECK);

  /* Without a local noise estimate the spread is used. */
  q.local_noise = NAN;
  q.local_spread = 5.0;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_NOISE);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "local_spread");
  g_assert_cmpfloat_with_epsilon (f->ratio, 2.5, 1e-12);

  /* Neither: cannot be checked, so it is flagged, never silently ok. */
  q.local_spread = NAN;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_NOISE);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  g_assert_cmpint (r.verdict, !=, CS_VERDICT_OK);

  /* A noise-free case base: any local noise is infinitely above it. */
  b.noise_sd = 0;
  q.local_noise = 0.5;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (severity_of (&r, CS_FLAG_HIGH_NOISE), ==, CS_SEVERITY_STOP);
}

/* Severity follows the thresholds exactly, for random ratios and thresholds. */
static void
test_severity_boundaries (void)
{
  CsFlagBase b = press_base ();
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int it = 0; it < 2000; it++)
    {
      CsFlagThresholds t;
      CsFlagQuery q = clean_query (x_mid);
      CsFlagReport r;
      double rn = g_rand_double_range (rand, 0, 8);
      double rv = g_rand_double_range (rand, 0, 8);
      double rd = g_rand_double_range (rand, 0, 6);
      double neff = g_rand_double_range (rand, 1, 4);

      cs_flag_thresholds_init (&t);
      t.noise_check = g_rand_double_range (rand, 1, 3);
      t.noise_stop = t.noise_check + g_rand_double_range (rand, 0, 3);
      t.variation_check = g_rand_double_range (rand, 1, 3);
      t.variation_stop = t.variation_check + g_rand_double_range (rand, 0, 3);
      t.distance_check = g_rand_double_range (rand, 1, 3);
      t.distance_stop = t.distance_check + g_rand_double_range (rand, 0, 3);
      t.neff_stop = g_rand_double_range (rand, 1, 2);
      t.neff_check = t.neff_stop + g_rand_double_range (rand, 0, 2);
      b.noise_sd = g_rand_double_range (rand, 0.1, 10);
      b.lipschitz = g_rand_double_range (rand, 0.1, 10);
      b.nn_distance = g_rand_double_range (rand, 0.05, 1);
      /* A quarter of the time the window is unknown: slope against the typical slope. */
      b.window = it % 4 == 1 ? NAN : g_rand_double_range (rand, 0.05, 1);

      q.local_noise = rn * b.noise_sd;
      q.local_lipschitz = isnan (b.window) ? rv * b.lipschitz : rv * b.noise_sd / b.window;
      q.nearest_distance = rd * b.nn_distance;
      q.n_eff = neff;
      cs_flags_evaluate (&b, &t, &q, &r);

      g_assert_cmpint (severity_of (&r, CS_FLAG_HIGH_NOISE), ==,
                       expected_above (q.local_noise / b.noise_sd, t.noise_check, t.noise_stop));
      g_assert_cmpint (severity_of (&r, CS_FLAG_HIGH_VARIATION), ==,
                       expected_above (isnan (b.window) ? q.local_lipschitz / b.lipschitz
                                                       : q.local_lipschitz * b.window / b.noise_sd,
                                       t.variation_check, t.variation_stop));
      if (cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION) != NULL)
        g_assert_cmpstr (cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION)->measure, ==,
                         isnan (b.window) ? "local_lipschitz" : "window_change");
      {
        CsSeverity sd = expected_above (q.nearest_distance / b.nn_distance, t.distance_check,
                                        t.distance_stop);
        CsSeverity sn = neff < t.neff_stop ? CS_SEVERITY_STOP
                        : neff < t.neff_check ? CS_SEVERITY_CHECK : CS_SEVERITY_NONE;
        CsSeverity want = sd > sn ? sd : sn;
        const CsFlag *f = cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT);

        g_assert_cmpint (severity_of (&r, CS_FLAG_LOW_SUPPORT), ==, want);
        if (f != NULL)
          {
            /* The flag reports the measure that decided it, with its threshold. */
            g_assert_cmpstr (f->measure, ==, sd >= sn ? "nearest_distance" : "n_eff");
            if (sd >= sn)
              g_assert_cmpfloat (f->value, >=, f->threshold * (1 - 1e-12));
            else
              g_assert_cmpfloat (f->value, <, f->threshold);
          }
      }
      /* The verdict is the worst severity. */
      {
        CsSeverity worst = CS_SEVERITY_NONE;
        for (size_t i = 0; i < r.n_flags; i++)
          if (r.flags[i].severity > worst)
            worst = r.flags[i].severity;
        g_assert_cmpint (r.verdict, ==, worst == CS_SEVERITY_STOP ? CS_VERDICT_STOP
                                        : worst == CS_SEVERITY_CHECK ? CS_VERDICT_CHECK
                                        : CS_VERDICT_OK);
      }
      for (size_t i = 0; i < r.n_flags; i++)
        {
          g_assert_cmpuint (strlen (r.flags[i].message), >, 20);
          if (r.flags[i].kind != CS_FLAG_LOW_SUPPORT || strcmp (r.flags[i].measure, "n_eff") != 0)
            g_assert_cmpfloat (r.flags[i].value, >=, r.flags[i].threshold * (1 - 1e-12));
        }
    }
  g_rand_free (rand);
}

static void
test_high_variation (void)
{
  CsFlagBase b = press_base ();
  CsFlagQuery q = clean_query (x_mid);
  CsFlagThresholds t;
  CsFlagReport r;
  const CsFlag *f;
  /* Per own unit speed changes most (4 MPa per m/min), but per sd temperature
   * does (3 * 17.3 = 52 against 4 * 5.77 = 23): the message names temperature. */
  double grad[] = { 3.0, 0.1, 4.0, 0.2 };

  cs_flag_thresholds_init (&t);
  /* 56 MPa per sd across a window of 0.22 sd: 12.3 MPa, 6.2x the noise of 2.0 MPa. */
  q.local_lipschitz = 56.0;
  q.gradient = grad;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, expected_above (6.16, t.variation_check, t.variation_stop));
  g_assert_cmpstr (f->measure, ==, "window_change");
  g_assert_cmpfloat_with_epsilon (f->value, 56.0 * 0.22, 1e-12);
  g_assert_cmpfloat_with_epsilon (f->ratio, 56.0 * 0.22 / 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (f->threshold, t.variation_stop * 2.0, 1e-12);
  g_assert_nonnull (strstr (f->message, "strength changes by about 12 MPa across the model's window"));
  g_assert_nonnull (strstr (f->message, "(56 MPa per standard deviation"));
  g_assert_nonnull (strstr (f->message, "6.2x the usual noise of 2.0 MPa"));
  g_assert_nonnull (strstr (f->message, "along temperature: 3.0 MPa per degC"));
  g_assert_null (strstr (f->message, "along speed"));
  g_assert_null (cs_flag_report_find (&r, CS_FLAG_HIGH_NOISE));

  /* The window unknown: the slope against the typical slope of 10 per sd. */
  b.window = NAN;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "local_lipschitz");
  g_assert_null (strstr (f->message, "across"));
  g_assert_nonnull (strstr (f->message, "5.6x the typical 10 MPa"));
  b.window = 0.22;

  /* 30 per sd: 6.6 MPa across the window, 3.3x: a check. */
  q.local_lipschitz = 30.0;
  q.gradient = NULL;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, expected_above (3.3, t.variation_check, t.variation_stop));
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  g_assert_cmpint (r.verdict, ==, CS_VERDICT_CHECK);
  g_assert_null (strstr (f->message, "along"));

  /* 17 per sd: 3.7 MPa across the window, 1.9x the noise: fine. */
  q.local_lipschitz = 17.0;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_null (cs_flag_report_find (&r, CS_FLAG_HIGH_VARIATION));
  g_assert_cmpint (r.verdict, ==, CS_VERDICT_OK);
}

static void
test_low_support (void)
{
  CsFlagBase b = press_base ();
  CsFlagQuery q = clean_query (x_mid);
  CsFlagReport r;
  const CsFlag *f;
  /* The nearest case differs by 12 degC and 15 bar (0.69 and 0.65 sd), 1 m/min. */
  double near[] = { 200, 85, 16, 50 };

  q.nearest_distance = 0.96;
  q.nearest_x = near;
  q.n_eff = 3.0;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "nearest_distance");
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_STOP);   /* 3.2x >= 3.0 */
  g_assert_cmpfloat_with_epsilon (f->ratio, 3.2, 1e-12);
  g_assert_nonnull (strstr (f->message, "3.2x"));
  g_assert_nonnull (strstr (f->message, "temperature (12 degC) and pressure (15 bar)"));
  g_assert_cmpint (r.verdict, ==, CS_VERDICT_STOP);

  /* Close neighbours but one case carries everything. */
  q.nearest_distance = 0.2;
  q.n_eff = 1.01;
  cs_flags_evaluate (&b, NULL, &q, &r);
  f = cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "n_eff");
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_STOP);
  g_assert_nonnull (strstr (f->message, "1.0 effective cases"));

  q.n_eff = 1.3;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (severity_of (&r, CS_FLAG_LOW_SUPPORT), ==, CS_SEVERITY_CHECK);

  q.n_eff = 2.0;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_null (cs_flag_report_find (&r, CS_FLAG_LOW_SUPPORT));

  /* Unknown distance: flagged, not ok. */
  q.nearest_distance = NAN;
  cs_flags_evaluate (&b, NULL, &q, &r);
  g_assert_cmpint (severity_of (&r, CS_FLAG_LOW_SUPPORT), ==, CS_SEVERITY_CHECK);
}

static void
test_out_of_range (void)
{
  CsFlagBase b = press_base ();
  CsFlagReport r;
  const CsFlag *f;

  /* Half a percent of the range beyond: within the default tolerance. */
  {
    double x[] = { 240.3, 39.7, 5, 70 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    g_assert_null (cs_flag_report_find (&r, CS_FLAG_OUT_OF_RANGE));
  }
  /* Exactly on the bounds: inside. */
  {
    double x[] = { 240, 40, 5, 70 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    g_assert_null (cs_flag_report_find (&r, CS_FLAG_OUT_OF_RANGE));
  }
  /* Temperature 3 degC above (5 % of 60): check, naming it. */
  {
    double x[] = { 243, 80, 15, 50 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    f = cs_flag_report_find (&r, CS_FLAG_OUT_OF_RANGE);
    g_assert_nonnull (f);
    g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
    g_assert_cmpint (f->feature, ==, 0);
    g_assert_cmpint (f->n_features, ==, 1);
    g_assert_cmpfloat (f->value, ==, 243);
    g_assert_cmpfloat_with_epsilon (f->threshold, 240 + 0.01 * 60, 1e-9);  /* default 1 % tolerance */
    g_assert_true (g_str_has_prefix (f->message, "Temperature 243 degC is above the highest"));
    g_assert_nonnull (strstr (f->message, "240 degC"));
    g_assert_nonnull (strstr (f->message, "5 %"));
    g_assert_cmpint (r.verdict, ==, CS_VERDICT_CHECK);
  }
  /* Speed 4 m/min below (20 % of 20) and humidity 1 % above (2.5 %): stop on speed,
   * humidity listed too. */
  {
    double x[] = { 200, 80, 1, 71 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    f = cs_flag_report_find (&r, CS_FLAG_OUT_OF_RANGE);
    g_assert_nonnull (f);
    g_assert_cmpint (f->severity, ==, CS_SEVERITY_STOP);
    g_assert_cmpint (f->feature, ==, 2);
    g_assert_cmpint (f->n_features, ==, 2);
    g_assert_cmpfloat_with_epsilon (f->ratio, 0.2, 1e-12);
    g_assert_cmpfloat_with_epsilon (f->threshold, 5 - 0.1 * 20, 1e-12);
    g_assert_true (g_str_has_prefix (f->message, "Speed 1 m/min is below the lowest"));
    g_assert_nonnull (strstr (f->message, "Also outside: humidity."));
    g_assert_cmpint (r.verdict, ==, CS_VERDICT_STOP);
  }
  /* A tolerance: within 5 % of the range is not flagged. */
  {
    double x[] = { 243, 80, 15, 50 };
    CsFlagQuery q = clean_query (x);
    CsFlagThresholds t;
    cs_flag_thresholds_init (&t);
    t.range_check = 0.06;
    cs_flags_evaluate (&b, &t, &q, &r);
    g_assert_null (cs_flag_report_find (&r, CS_FLAG_OUT_OF_RANGE));
  }
}

static void
check_fail (const CsFlagReport *r,
            CsFlagFailure       failure,
            const char         *needle)
{
  g_assert_cmpint (r->verdict, ==, CS_VERDICT_STOP);
  g_assert_cmpint (r->failure, ==, failure);
  g_assert_true (isnan (r->y_hat));
  g_assert_cmpuint (r->n_flags, ==, 1);
  g_assert_cmpint (r->flags[0].kind, ==, CS_FLAG_NO_PREDICTION);
  g_assert_cmpint (r->flags[0].severity, ==, CS_SEVERITY_STOP);
  g_assert_true (g_str_has_prefix (r->flags[0].message, "No prediction: "));
  if (needle != NULL)
    g_assert_nonnull (strstr (r->flags[0].message, needle));
}

static void
test_fail_safe (void)
{
  CsFlagBase b = press_base ();
  CsFlagReport r;

  {
    double x[] = { 200, NAN, 15, 50 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_QUERY_NAN, "pressure is missing");
  }
  {
    double x[] = { 200, 80, INFINITY, 50 };
    CsFlagQuery q = clean_query (x);
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_QUERY_NAN, "speed is infinite");
  }
  {
    CsFlagQuery q = clean_query (x_mid);
    q.y_hat = NAN;
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_NOT_FINITE, NULL);
    q.y_hat = -INFINITY;
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_NOT_FINITE, NULL);
  }
  {
    CsFlagQuery q = clean_query (x_mid);
    q.n_eff = 0;     /* the engine's answer when every case was excluded */
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_NO_CASES, NULL);
  }
  {
    CsFlagQuery q = clean_query (x_mid);
    q.failure = CS_FLAG_FAIL_COLUMNS;
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_COLUMNS, "other columns");
    cs_flags_evaluate (NULL, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_COLUMNS, NULL);
  }
  {
    CsFlagQuery q = clean_query (x_mid);
    cs_flags_evaluate (NULL, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_NO_MODEL, NULL);
    b.n_cases = 0;
    cs_flags_evaluate (&b, NULL, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_NO_CASES, "no usable case");
    b.n_cases = 2000;
    cs_flags_evaluate (&b, NULL, NULL, &r);
    check_fail (&r, CS_FLAG_FAIL_ENGINE, NULL);
  }
  {
    CsFlagQuery q = clean_query (x_mid);
    CsFlagThresholds t;
    cs_flag_thresholds_init (&t);
    t.noise_stop = NAN;
    cs_flags_evaluate (&b, &t, &q, &r);
    check_fail (&r, CS_FLAG_FAIL_ENGINE, "thresholds");
  }
  cs_flags_fail (&r, CS_FLAG_FAIL_NO_CASES, "all rows had a missing outcome");
  check_fail (&r, CS_FLAG_FAIL_NO_CASES, "all rows had a missing outcome");
}

static void
test_columns (void)
{
  const char *const a[] = { "temperature", "pressure", "speed" };
  const char *const c[] = { "temperature", "speed", "pressure" };

  g_assert_cmpint (cs_flags_columns_differ (a, 3, a, 3), ==, -1);
  g_assert_cmpint (cs_flags_columns_differ (a, 3, c, 3), ==, 1);
  g_assert_cmpint (cs_flags_columns_differ (a, 3, a, 2), ==, 3);
  g_assert_cmpint (cs_flags_columns_differ (a, 2, a, 3), ==, 2);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Median by sorting a copy: the reference the library is checked against. */
static double
ref_median (GArray *v)
{
  double m;
  g_array_sort (v, cmp_double);
  m = v->len % 2 ? g_array_index (v, double, v->len / 2)
                 : 0.5 * (g_array_index (v, double, v->len / 2 - 1)
                          + g_array_index (v, double, v->len / 2));
  return m;
}

static void
test_base_from_cases (void)
{
  CsFlagBase b = press_base ();
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  for (int it = 0; it < 30; it++)
    {
      gsize n = (gsize) g_rand_int_range (rand, 2, 500);
      double *noise = g_new (double, n), *lip = g_new (double, n), *nn = g_new (double, n);
      GArray *lips = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *quiet = g_array_new (FALSE, FALSE, sizeof (double));
      GArray *nns = g_array_new (FALSE, FALSE, sizeof (double));
      double lip_median;

      /* A quiet part (slope ~10, noise ~1) and a steep, noisy part (slope ~50,
       * noise ~5) that would pull a plain median of the noise up. */
      for (gsize i = 0; i < n; i++)
        {
          gboolean rough = g_rand_double (rand) < 0.4;
          lip[i] = (rough ? 50 : 10) * g_rand_double_range (rand, 0.5, 1.5);
          noise[i] = i % 11 == 5 ? NAN : (rough ? 5 : 1) * g_rand_double_range (rand, 0.5, 1.5);
          nn[i] = i % 13 == 7 ? INFINITY : g_rand_double_range (rand, 0.1, 0.6);
          g_array_append_val (lips, lip[i]);
          if (isfinite (nn[i]))
            g_array_append_val (nns, nn[i]);
        }
      lip_median = ref_median (lips);
      for (gsize i = 0; i < n; i++)
        if (isfinite (noise[i]) && lip[i] <= lip_median)
          g_array_append_val (quiet, noise[i]);

      g_assert_cmpint (cs_flag_base_from_cases (&b, noise, lip, nn, n), ==, 0);
      g_assert_cmpfloat (b.lipschitz, ==, lip_median);
      g_assert_cmpfloat (b.nn_distance, ==, ref_median (nns));
      {
        /* 99th percentile, linear interpolation between order statistics. */
        double pos = 0.99 * (nns->len - 1), lo_v, hi_v;
        guint lo = (guint) pos;
        lo_v = g_array_index (nns, double, lo);
        hi_v = lo + 1 < nns->len ? g_array_index (nns, double, lo + 1) : lo_v;
        g_assert_cmpfloat_with_epsilon (b.nn_distance_high, lo_v + (pos - lo) * (hi_v - lo_v), 1e-12);
        g_assert_cmpfloat (b.nn_distance_high, >=, b.nn_distance);
      }
      if (quiet->len > 0)
        g_assert_cmpfloat (b.noise_sd, ==, ref_median (quiet));
      if (n >= 100)
        g_assert_cmpfloat (b.noise_sd, <, 1.6);   /* the quiet part's noise, not the rough part's */

      /* Without slopes: the plain median of the noise. */
      {
        GArray *all = g_array_new (FALSE, FALSE, sizeof (double));
        for (gsize i = 0; i < n; i++)
          if (isfinite (noise[i]))
            g_array_append_val (all, noise[i]);
        if (all->len > 0)
          {
            g_assert_cmpint (cs_flag_base_from_cases (&b, noise, NULL, NULL, n), ==, 0);
            g_assert_cmpfloat (b.noise_sd, ==, ref_median (all));
          }
        g_array_free (all, TRUE);
      }
      g_array_free (lips, TRUE);
      g_array_free (quiet, TRUE);
      g_array_free (nns, TRUE);
      g_free (noise);
      g_free (lip);
      g_free (nn);
    }
  {
    double all_nan[3] = { NAN, NAN, INFINITY };
    b.lipschitz = 7;
    g_assert_cmpint (cs_flag_base_from_cases (&b, NULL, all_nan, NULL, 3), ==, -1);
    g_assert_cmpfloat (b.lipschitz, ==, 7);
    g_assert_cmpint (cs_flag_base_from_cases (&b, NULL, NULL, NULL, 0), ==, -1);
  }
  {
    double v[4] = { 4, 1, 3, 2 };
    g_assert_cmpint (cs_flag_base_from_cases (&b, v, NULL, NULL, 4), ==, 0);
    g_assert_cmpfloat (b.noise_sd, ==, 2.5);
  }
  g_rand_free (rand);
}

/* The engine path: per-query refusals, leave-one-out, and whole-batch failures. */
static void
test_predict_fail_safe (void)
{
  static const char *const nm[] = { "x1", "x2" };
  static const char *const un[] = { "mm", "s" };
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  gsize n = (gsize) g_rand_int_range (rand, 40, 120);
  double *x = g_new (double, n * 2), *z = g_new (double, n * 2), *y = g_new (double, n);
  double mean[2] = { 0, 0 }, sd[2] = { 0, 0 }, lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
  CsAttention *ctx = NULL;
  CsMetric metric = { 0 };
  CsFlagBase b = { 0 };
  CsFlagReport r[5];
  CsPrediction pr[5];
  double q[5 * 2];

  for (gsize i = 0; i < n; i++)
    {
      x[2 * i] = g_rand_double_range (rand, 0, 10);
      x[2 * i + 1] = g_rand_double_range (rand, 100, 200);
      y[i] = 2 * x[2 * i] + 0.1 * x[2 * i + 1] + g_rand_double_range (rand, -0.5, 0.5);
      for (int j = 0; j < 2; j++)
        {
          mean[j] += x[2 * i + j] / n;
          lo[j] = MIN (lo[j], x[2 * i + j]);
          hi[j] = MAX (hi[j], x[2 * i + j]);
        }
    }
  for (gsize i = 0; i < n; i++)
    for (int j = 0; j < 2; j++)
      sd[j] += (x[2 * i + j] - mean[j]) * (x[2 * i + j] - mean[j]) / (n - 1);
  for (int j = 0; j < 2; j++)
    sd[j] = sqrt (sd[j]);
  for (gsize i = 0; i < n; i++)
    for (int j = 0; j < 2; j++)
      z[2 * i + j] = (x[2 * i + j] - mean[j]) / sd[j];
  g_assert_cmpint (cs_attention_new (z, y, n, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_metric_init_scalar (&metric, 2, 16.0), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &metric), ==, CS_OK);

  b.feature_names = nm;
  b.feature_units = un;
  b.feature_min = lo;
  b.feature_max = hi;
  b.feature_sd = sd;
  b.target_name = "length";
  b.target_unit = "mm";
  g_assert_cmpint (cs_flag_base_measure (&b, ctx, NULL, NULL), ==, CS_OK);
  g_assert_cmpuint (b.d, ==, 2);
  g_assert_cmpuint (b.n_cases, ==, n);
  g_assert_cmpfloat_with_epsilon (b.window, 0.25, 1e-12);
  g_assert_cmpfloat (b.noise_sd, >, 0);
  g_assert_cmpfloat (b.nn_distance_high, >=, b.nn_distance);

  /* A case's own position, a NaN, an infinity, far outside, and the middle. */
  q[0] = x[0]; q[1] = x[1];
  q[2] = 5; q[3] = NAN;
  q[4] = -INFINITY; q[5] = 150;
  q[6] = 5; q[7] = 400;
  q[8] = mean[0]; q[9] = mean[1];
  g_assert_cmpint (cs_flags_predict (ctx, &b, NULL, mean, sd, q, 5, x, NULL, pr, r), ==, CS_OK);
  g_assert_cmpint (r[0].failure, ==, CS_FLAG_FAIL_NONE);
  /* The distance from the GEMM form |x|^2 + |q|^2 - 2 x.q: at a case's own position it cancels to the rounding of
   * the squared norms (~1e-16 |z|^2), whose square root is ~1e-8 |z| and depends on the BLAS kernel. 1e-6 (in
   * standardised units) bounds that and is still far below any other case's distance here. */
  g_assert_cmpfloat (pr[0].nearest_distance, >=, 0);
  g_assert_cmpfloat (pr[0].nearest_distance, <, 1e-6);
  g_assert_cmpfloat (r[0].y_hat, ==, pr[0].prediction);
  check_fail (&r[1], CS_FLAG_FAIL_QUERY_NAN, "x2 is missing");
  g_assert_true (isnan (pr[1].prediction));
  check_fail (&r[2], CS_FLAG_FAIL_QUERY_NAN, "x1 is infinite");
  g_assert_true (isnan (pr[2].prediction));
  g_assert_cmpint (r[3].verdict, ==, CS_VERDICT_STOP);
  g_assert_cmpint (severity_of (&r[3], CS_FLAG_OUT_OF_RANGE), ==, CS_SEVERITY_STOP);
  g_assert_cmpint (cs_flag_report_find (&r[3], CS_FLAG_OUT_OF_RANGE)->feature, ==, 1);
  g_assert_cmpint (severity_of (&r[3], CS_FLAG_LOW_SUPPORT), ==, CS_SEVERITY_STOP);
  g_assert_true (isfinite (r[4].y_hat));
  {
    /* The estimate is the softmax-weighted mean with the queries standardised
     * by mean and sd: recompute it directly (scale 16). */
    double zq0 = (q[8] - mean[0]) / sd[0], zq1 = (q[9] - mean[1]) / sd[1], smax = -INFINITY;
    double sw = 0, swy = 0;
    for (gsize i = 0; i < n; i++)
      {
        double e0 = z[2 * i] - zq0, e1 = z[2 * i + 1] - zq1;
        smax = MAX (smax, -8.0 * (e0 * e0 + e1 * e1));
      }
    for (gsize i = 0; i < n; i++)
      {
        double e0 = z[2 * i] - zq0, e1 = z[2 * i + 1] - zq1;
        double w = exp (-8.0 * (e0 * e0 + e1 * e1) - smax);
        sw += w;
        swy += w * y[i];
      }
    g_assert_cmpfloat (fabs (r[4].y_hat - swy / sw), <=, 1e-9 * fabs (swy / sw));
    g_assert_cmpfloat (r[4].y_hat, ==, pr[4].prediction);
  }

  /* Leave-one-out: case 0 no longer sees itself. */
  {
    size_t self = 0;
    g_assert_cmpint (cs_flags_predict (ctx, &b, NULL, mean, sd, q, 1, x, &self, pr, r), ==, CS_OK);
    g_assert_cmpfloat (pr[0].nearest_distance, >, 0);
    g_assert_cmpuint (pr[0].nearest_index, !=, 0);
  }

  /* A base for other columns, or no model: every query refused. */
  b.d = 3;
  g_assert_cmpint (cs_flags_predict (ctx, &b, NULL, mean, sd, q, 2, x, NULL, pr, r), !=, CS_OK);
  check_fail (&r[0], CS_FLAG_FAIL_COLUMNS, NULL);
  check_fail (&r[1], CS_FLAG_FAIL_COLUMNS, NULL);
  g_assert_true (isnan (pr[0].prediction));
  b.d = 2;
  g_assert_cmpint (cs_flags_predict (NULL, &b, NULL, mean, sd, q, 1, x, NULL, pr, r), !=, CS_OK);
  check_fail (&r[0], CS_FLAG_FAIL_NO_MODEL, NULL);

  cs_metric_clear (&metric);
  cs_attention_free (ctx);
  g_free (x);
  g_free (z);
  g_free (y);
  g_rand_free (rand);
}

static void
test_names (void)
{
  for (int k = 0; k < CS_FLAG_N_KINDS; k++)
    g_assert_cmpint (cs_flag_kind_from_name (cs_flag_kind_name ((CsFlagKind) k)), ==, k);
  g_assert_cmpint (cs_flag_kind_from_name ("bogus"), ==, -1);
  g_assert_cmpstr (cs_verdict_name (CS_VERDICT_OK), ==, "ok");
  g_assert_cmpstr (cs_verdict_name (CS_VERDICT_CHECK), ==, "check");
  g_assert_cmpstr (cs_verdict_name (CS_VERDICT_STOP), ==, "stop");
  g_assert_cmpstr (cs_severity_name (CS_SEVERITY_STOP), ==, "stop");
  g_assert_cmpstr (cs_flag_kind_name (CS_FLAG_OUT_OF_RANGE), ==, "out_of_range");
}

/* ---- The local fit over an attended set (cs_local_fit) -------------------- */

/* A context over n cases in d = 2 (standardised units) with the scalar metric scale. */
static CsAttention *
local_context (const double *x,
               const double *y,
               size_t        n,
               double        scale)
{
  CsAttention *ctx = NULL;
  CsMetric m;

  g_assert_cmpint (cs_attention_new (x, y, n, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_metric_init_scalar (&m, 2, scale), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
  cs_metric_clear (&m);
  return ctx;
}

/* Equal weights over every case. */
static CsAttended
all_cases (size_t  n,
           size_t *index,
           double *weight)
{
  for (size_t i = 0; i < n; i++)
    {
      index[i] = i;
      weight[i] = 1.0 / (double) n;
    }
  return (CsAttended) { .m = n, .index = index, .weight = weight, .dropped = 0 };
}

static void
test_local_fit_linear (void)
{
  /* A 4 x 4 grid and a plane y = 3 + 2 x1 - x2 plus a residual pattern r
   * orthogonal to 1, x1, x2 and the quadratic terms x1^2, x1 x2, x2^2 (the
   * product of the cubic orthogonal polynomials -1, 3, -3, 1 on 4 points):
   * with equal weights (n_eff 16) the noise comes from the local quadratic
   * refit, OLS with 6 parameters, so the residual sd is sqrt (RSS / (n - 6));
   * the slope is (2, -1), and the trend spread is sqrt (beta' C beta) minus
   * the coefficient noise. */
  static const double p3[4] = { -1, 3, -3, 1 };
  enum { N = 16 };
  double x[N * 2], y[N], w[N], r[N], q[2] = { 0.1, -0.2 };
  size_t idx[N];
  double rss = 0, c11 = 0, c22 = 0, m1 = 0, m2 = 0, expect_var, s2;
  CsLocalDiagnostics ld;
  CsAttention *ctx;
  CsAttended a;

  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      {
        int k = i * 4 + j;
        x[2 * k] = (double) i - 1.5;
        x[2 * k + 1] = 0.5 * ((double) j - 1.5);
        r[k] = 0.1 * p3[i] * p3[j];
        y[k] = 3.0 + 2.0 * x[2 * k] - x[2 * k + 1] + r[k];
        rss += r[k] * r[k];
        m1 += x[2 * k] / N;
        m2 += x[2 * k + 1] / N;
      }
  for (int k = 0; k < N; k++)
    {
      c11 += (x[2 * k] - m1) * (x[2 * k] - m1) / N;
      c22 += (x[2 * k + 1] - m2) * (x[2 * k + 1] - m2) / N;
    }
  ctx = local_context (x, y, N, 4.0);
  a = all_cases (N, idx, w);
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpint (ld.thin, ==, CS_LOCAL_THIN_NONE);
  g_assert_cmpuint (ld.n_directions, ==, 2);   /* spreads 1.25 and 0.31: ratio 0.25 >= 0.1 */
  g_assert_cmpuint (ld.n_attended, ==, N);
  /* Tolerances: the fit goes through an eigendecomposition; 1e-9 is far above its rounding. */
  g_assert_cmpfloat_with_epsilon (ld.df_resid, N - 6.0, 1e-9);
  s2 = rss / (N - 6.0);
  g_assert_cmpfloat_with_epsilon (ld.local_noise_sd, sqrt (s2), 1e-9);
  g_assert_cmpfloat_with_epsilon (ld.local_lipschitz, sqrt (5.0), 1e-9);
  /* Var (beta_t) = s2 sum p_i^2 z_it^2 / lambda_t^2 = s2 / (N lambda_t): debias sum_t lambda_t beta_t^2 by s2 * 2 / N. */
  expect_var = 4.0 * c11 + 1.0 * c22 - s2 * 2.0 / N;
  g_assert_cmpfloat_with_epsilon (ld.local_variation, sqrt (expect_var), 1e-9);
  /* Nearest case under M = 4 I: the grid point (0.5, -0.25), twice its Euclidean distance. */
  g_assert_cmpfloat_with_epsilon (ld.metric_distance, 2.0 * hypot (0.4, 0.05), 1e-9);
  g_assert_cmpuint (ld.metric_nearest, ==, 2 * 4 + 1);
  g_assert_true (isnan (ld.pseudo_residual));

  /* Leave-one-out style: the query's own outcome gives the trend-corrected difference. */
  g_assert_cmpint (cs_local_fit (ctx, q, &a, 3.0 + 2.0 * q[0] - q[1], &ld), ==, CS_OK);
  g_assert_cmpfloat_with_epsilon (ld.pseudo_residual, -r[9], 1e-9);
  cs_attention_free (ctx);
}

static void
test_local_fit_pilot_and_curvature (void)
{
  /* A 6 x 6 unit grid, a curved noise-free outcome y = x1^2 + 0.5 x1 x2, and
   * attention weights exp (-|x - c|^2) around the grid's centre: the fit at
   * 1.25x the window would hold about 2 pi / 0.64 = 9.8 effective cases (fewer
   * on the grid), under CS_LOCAL_PILOT_NEFF = 12, so the pilot widens; its
   * residual df then exceeds what the unwidened weights allow at all
   * (n_eff - 1). The local quadratic refit follows the curve exactly: no noise
   * where a linear fit would report the curvature as scatter. */
  enum { N = 36 };
  double x[N * 2], y[N], w[N], q[2] = { 0, 0 }, W = 0, s1 = 0, s2 = 0;
  size_t idx[N];
  CsLocalDiagnostics ld;
  CsAttention *ctx;
  CsAttended a;

  for (int k = 0; k < N; k++)
    {
      x[2 * k] = (double) (k / 6) - 2.5;
      x[2 * k + 1] = (double) (k % 6) - 2.5;
      y[k] = x[2 * k] * x[2 * k] + 0.5 * x[2 * k] * x[2 * k + 1];
      w[k] = exp (-(x[2 * k] * x[2 * k] + x[2 * k + 1] * x[2 * k + 1]));
      W += w[k];
    }
  for (int k = 0; k < N; k++)
    {
      double v;
      w[k] /= W;
      idx[k] = (size_t) k;
      v = pow (w[k], 1.0 / (CS_LOCAL_BANDWIDTH_FACTOR * CS_LOCAL_BANDWIDTH_FACTOR));
      s1 += v;
      s2 += v * v;
    }
  g_assert_cmpfloat (s1 * s1 / s2, <, CS_LOCAL_PILOT_NEFF);
  ctx = local_context (x, y, N, 1.0);
  a = (CsAttended) { .m = N, .index = idx, .weight = w, .dropped = 0 };
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpint (ld.thin, ==, CS_LOCAL_THIN_NONE);
  g_assert_cmpuint (ld.n_directions, ==, 2);
  g_assert_cmpfloat (ld.df_resid, >, s1 * s1 / s2 - 1.0);
  /* Outcomes up to 9: 1e-9 is far above the rounding of the eigendecomposition and the Cholesky solve. */
  g_assert_cmpfloat (ld.local_noise_sd, <, 1e-9);
  cs_attention_free (ctx);
}

static void
test_local_fit_curve_and_thin (void)
{
  /* Cases on a line x2 = 0.001 x1 (no spread across it): one direction only,
   * and the slope across the line is not invented. */
  enum { N = 12 };
  double x[N * 2], y[N], w[N], q[2] = { 0, 0 };
  size_t idx[N];
  CsLocalDiagnostics ld;
  CsAttention *ctx;
  CsAttended a;

  for (int k = 0; k < N; k++)
    {
      x[2 * k] = (double) k / 4.0 - 1.4;
      x[2 * k + 1] = 0.001 * x[2 * k];
      y[k] = x[2 * k] + (k % 2 ? 0.1 : -0.1);
    }
  ctx = local_context (x, y, N, 1.0);
  a = all_cases (N, idx, w);
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpuint (ld.n_directions, ==, 1);
  /* intercept, slope and the quadratic term along the one direction (n_eff 12 allows 3 parameters) */
  g_assert_cmpfloat_with_epsilon (ld.df_resid, N - 3.0, 1e-9);
  g_assert_cmpfloat (fabs (ld.local_lipschitz - 1.0), <, 0.05);

  /* Two cases: n_eff 2 leaves 1 degree of freedom without any slope: too thin. */
  a.m = 2;
  w[0] = w[1] = 0.5;
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpint (ld.thin, ==, CS_LOCAL_THIN_DF);
  g_assert_cmpuint (ld.n_directions, ==, 0);
  g_assert_true (isnan (ld.local_noise_sd));
  g_assert_true (isnan (ld.local_variation));
  g_assert_cmpfloat_with_epsilon (ld.df_resid, 1.0, 1e-12);

  /* No case at all. */
  a.m = 0;
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpint (ld.thin, ==, CS_LOCAL_THIN_NO_WEIGHT);
  cs_attention_free (ctx);
}

static void
test_local_fit_metric_directions (void)
{
  /* Under a diagonal metric that ignores x2, the cases spread widest along x2;
   * the spread directions are taken in the metric's coordinates, so the
   * outcome's direction x1 is kept and its slope found. */
  enum { N = 20 };
  double x[N * 2], y[N], w[N], q[2] = { 0, 0 }, diag[2] = { 4.0, 0.0 };
  size_t idx[N];
  CsLocalDiagnostics ld;
  CsAttention *ctx = NULL;
  CsAttended a;
  CsMetric m;

  for (int k = 0; k < N; k++)
    {
      x[2 * k] = 0.01 * (double) ((k * 7) % N) - 0.1;
      x[2 * k + 1] = 0.5 * (double) k - 5.0;
      y[k] = 5.0 * x[2 * k] + (k % 3 == 0 ? 0.001 : -0.0005);
    }
  g_assert_cmpint (cs_attention_new (x, y, N, 2, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  g_assert_cmpint (cs_metric_init_diagonal (&m, 2, diag), ==, CS_OK);
  g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
  cs_metric_clear (&m);
  a = all_cases (N, idx, w);
  g_assert_cmpint (cs_local_fit (ctx, q, &a, NAN, &ld), ==, CS_OK);
  g_assert_cmpuint (ld.n_directions, ==, 1);
  g_assert_cmpfloat (fabs (ld.local_lipschitz - 5.0), <, 0.05);
  cs_attention_free (ctx);
}

static void
test_base_from_local (void)
{
  CsLocalDiagnostics ld[5];
  static const double pr[5] = { 0.5, -1.0, NAN, 2.0, -0.25 };
  CsFlagBase b = press_base ();

  memset (ld, 0, sizeof ld);
  for (int i = 0; i < 5; i++)
    {
      ld[i].pseudo_residual = pr[i];
      ld[i].metric_distance = 1.0 + i;
    }
  g_assert_cmpint (cs_flag_base_from_local (&b, ld, 5), ==, 0);
  /* median of |0.5|, |1|, |2|, |0.25| = 0.75, over sqrt (2) Phi^-1 (3/4) */
  g_assert_cmpfloat_with_epsilon (b.usual_noise, 0.75 / (sqrt (2.0) * 0.6744897501960817), 1e-12);
  g_assert_cmpfloat_with_epsilon (b.metric_nn_distance, 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (b.metric_nn_distance_high, 4.96, 1e-12);
}

static void
test_local_rules (void)
{
  CsFlagBase b = press_base ();
  CsFlagThresholds t;
  CsFlagReport rep;
  const CsFlag *f;
  double x[4] = { 210, 80, 15, 50 };
  CsFlagQuery q = {
    .x = x, .y_hat = 250, .local_spread = 1.0, .local_noise = 1.1, .local_lipschitz = 3.0,
    .n_eff = 20, .nearest_distance = 0.3, .local_variation = 0.5, .metric_distance = 1.0,
    .df_resid = 30,
  };

  b.usual_noise = 1.0;
  b.metric_nn_distance = 1.0;
  b.metric_nn_distance_high = 2.0;
  cs_flag_thresholds_init_for_base (&t, &b);
  g_assert_cmpfloat_with_epsilon (t.distance_check, 2.0, 1e-12);   /* from the metric baselines */
  cs_flags_evaluate (&b, NULL, &q, &rep);
  g_assert_cmpint (rep.verdict, ==, CS_VERDICT_OK);

  /* The trend spread against the usual noise, not slope x window. */
  q.local_variation = 3.5;
  cs_flags_evaluate (&b, NULL, &q, &rep);
  f = cs_flag_report_find (&rep, CS_FLAG_HIGH_VARIATION);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "trend_spread");
  g_assert_cmpfloat_with_epsilon (f->ratio, 3.5, 1e-12);
  q.local_variation = 0.5;

  /* A hole hidden in a feature the metric weighs: the metric distance decides, not the Euclidean one. */
  q.metric_distance = 2.5;
  cs_flags_evaluate (&b, NULL, &q, &rep);
  f = cs_flag_report_find (&rep, CS_FLAG_LOW_SUPPORT);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->measure, ==, "metric_distance");
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  q.metric_distance = 1.0;

  /* Too thin to estimate: a check naming why, not ok. */
  q.local_noise = NAN;
  q.local_variation = NAN;
  q.df_resid = 1.0;
  q.n_eff = 2.0;
  cs_flags_evaluate (&b, NULL, &q, &rep);
  g_assert_cmpint (rep.verdict, ==, CS_VERDICT_CHECK);
  f = cs_flag_report_find (&rep, CS_FLAG_HIGH_NOISE);
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, CS_SEVERITY_CHECK);
  g_assert_nonnull (strstr (f->message, "degrees of freedom"));
  f = cs_flag_report_find (&rep, CS_FLAG_HIGH_VARIATION);
  g_assert_nonnull (f);
  g_assert_nonnull (strstr (f->message, "effective cases"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/flags/thresholds", test_thresholds);
  g_test_add_func ("/cs/flags/thresholds-for-base", test_thresholds_for_base);
  g_test_add_func ("/cs/flags/clean-ok", test_clean_ok);
  g_test_add_func ("/cs/flags/high-noise", test_high_noise);
  g_test_add_func ("/cs/flags/severity-boundaries", test_severity_boundaries);
  g_test_add_func ("/cs/flags/high-variation", test_high_variation);
  g_test_add_func ("/cs/flags/low-support", test_low_support);
  g_test_add_func ("/cs/flags/out-of-range", test_out_of_range);
  g_test_add_func ("/cs/flags/fail-safe", test_fail_safe);
  g_test_add_func ("/cs/flags/columns", test_columns);
  g_test_add_func ("/cs/flags/base-from-cases", test_base_from_cases);
  g_test_add_func ("/cs/flags/predict-fail-safe", test_predict_fail_safe);
  g_test_add_func ("/cs/flags/names", test_names);
  g_test_add_func ("/cs/flags/local-fit/linear", test_local_fit_linear);
  g_test_add_func ("/cs/flags/local-fit/curve-and-thin", test_local_fit_curve_and_thin);
  g_test_add_func ("/cs/flags/local-fit/pilot-and-curvature", test_local_fit_pilot_and_curvature);
  g_test_add_func ("/cs/flags/local-fit/metric-directions", test_local_fit_metric_directions);
  g_test_add_func ("/cs/flags/base-from-local", test_base_from_local);
  g_test_add_func ("/cs/flags/local-rules", test_local_rules);
  return g_test_run ();
}
