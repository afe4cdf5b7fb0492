/* render-fixtures.c: fixed, seeded chart data (a smooth 2-D response with one steep, noisy corner). */
#include "config.h"

#include <math.h>

#include "render-fixtures.h"

/* The paper's numbers (docs/model.md, checks C1, C2, C4): w* against L and sigma,
 * softmax error against n. The linear curve between its end points is a fixture. */
static const double sweep_l[] = { 0.25, 0.5, 1, 2, 4, 8, 16 };
static const double sweep_wl[] = { 2.3, 4.5, 8.8, 17.5, 35.8, 77.7, 180 };
static const double sweep_sigma[] = { 0.05, 0.1, 0.2, 0.5, 1, 2 };
static const double sweep_ws[] = { 93, 44, 21.9, 9.0, 4.6, 2.3 };
static double win_l[7], win_s[6];
static const double c4_n[] = { 10, 25, 50, 100, 200, 400, 800 };
static const double c4_soft[] = { 0.140, 0.055, 0.030, 0.016, 0.0090, 0.0050, 0.0029 };
static const double c4_lin[] = { 0.458, 0.395, 0.366, 0.350, 0.342, 0.338, 0.335 };
static const char *const bar_cats[] = { "sample (leave-one-out)", "smooth region", "steep region" };
static const double bar_soft[] = { 0.21, 0.12, 0.48 };
static const double bar_lin[] = { 0.64, 0.33, 1.12 };

static double
response (double x,
          double y)
{
  return 20 + 4 * sin (1.3 * x) + 2 * y + (x > 1.2 && y > 0.8 ? 6 * (x - 1.2) * 3 : 0);
}

RenderFixtures *
render_fixtures_new (guint32 seed,
                     gsize   n,
                     gsize   rows,
                     gsize   cols)
{
  RenderFixtures *f = g_new0 (RenderFixtures, 1);
  GRand *rand = g_rand_new_with_seed (seed);
  double max_s = -INFINITY, z = 0;

  f->n = n;
  f->x = g_new (double, n);
  f->y = g_new (double, n);
  f->outcome = g_new (double, n);
  f->weight = g_new (double, n);
  f->distance = g_new (double, n);
  f->lipschitz = g_new (double, n);
  f->noise = g_new (double, n);
  f->ids = g_new0 (char *, n + 1);
  f->lines = g_new (guint, n);
  f->qx = 0.35;
  f->qy = -0.2;
  f->hx = 0.55;
  f->hy = 0.4;
  for (gsize i = 0; i < n; i++)
    {
      double dx, dy;

      f->x[i] = g_rand_double_range (rand, -2, 2);
      f->y[i] = g_rand_double_range (rand, -1.5, 1.5);
      f->outcome[i] = response (f->x[i], f->y[i]) + g_rand_double_range (rand, -0.5, 0.5)
                      * (f->x[i] > 1.2 && f->y[i] > 0.8 ? 6 : 1);
      dx = (f->x[i] - f->qx) / f->hx;
      dy = (f->y[i] - f->qy) / f->hy;
      f->distance[i] = sqrt ((f->x[i] - f->qx) * (f->x[i] - f->qx) + (f->y[i] - f->qy) * (f->y[i] - f->qy));
      f->weight[i] = -(dx * dx + dy * dy) / 2 * 4;
      max_s = MAX (max_s, f->weight[i]);
      f->lipschitz[i] = 1.5 + 0.8 * fabs (cos (1.3 * f->x[i])) * 4 + (f->x[i] > 1.2 && f->y[i] > 0.8 ? 14 : 0)
                        + g_rand_double_range (rand, 0, 1);
      f->noise[i] = 0.3 + (f->x[i] > 1.2 && f->y[i] > 0.8 ? 1.6 : 0) + g_rand_double_range (rand, 0, 0.2);
      f->ids[i] = g_strdup_printf ("C-%04" G_GSIZE_FORMAT, i + 1);
      f->lines[i] = (guint) i + 2;
    }
  for (gsize i = 0; i < n; i++)
    {
      f->weight[i] = exp (f->weight[i] - max_s);
      z += f->weight[i];
    }
  f->prediction = 0;
  for (gsize i = 0; i < n; i++)
    {
      f->weight[i] /= z;
      f->prediction += f->weight[i] * f->outcome[i];
    }

  /* Attention matrix: queries and cases on one sorted axis, Gaussian kernel, each row sums to 1. */
  f->rows = rows;
  f->cols = cols;
  f->matrix = g_new (float, rows * cols);
  f->row_order = g_new (gsize, rows);
  for (gsize r = 0; r < rows; r++)
    {
      double q = (double) r / MAX (rows - 1, 1);
      double width = 0.02 + 0.08 * q;   /* the window widens along the base */
      double s = 0;

      for (gsize c = 0; c < cols; c++)
        {
          double p = (double) c / MAX (cols - 1, 1), d = (p - q) / width;
          f->matrix[r * cols + c] = (float) exp (-d * d / 2);
          s += f->matrix[r * cols + c];
        }
      for (gsize c = 0; c < cols; c++)
        f->matrix[r * cols + c] = (float) (f->matrix[r * cols + c] / s);
      f->row_order[r] = rows - 1 - r;
    }

  /* Window along a sorted feature with one flagged stretch. */
  f->wn = MAX (n, 2);
  f->wpos = g_new (double, f->wn);
  f->wwin = g_new (double, f->wn);
  f->wflag = g_new (gboolean, f->wn);
  for (gsize i = 0; i < f->wn; i++)
    {
      double p = -2 + 4.0 * i / (f->wn - 1);
      f->wpos[i] = 12 + 4 * p;
      f->wwin[i] = 1.1 + 0.3 * sin (2 * p) - (p > 1 ? 0.5 * (p - 1) : 0) + g_rand_double_range (rand, -0.05, 0.05);
      f->wflag[i] = p > 1.05 && p < 1.7;
    }
  g_rand_free (rand);

  for (guint i = 0; i < 7; i++)
    win_l[i] = 1 / sqrt (sweep_wl[i]);
  for (guint i = 0; i < 6; i++)
    win_s[i] = 1 / sqrt (sweep_ws[i]);

  f->case_attention = (CsCaseAttentionData) {
    .n = n, .weights = f->weight, .outcomes = f->outcome, .distances = f->distance,
    .ids = (const char * const *) f->ids, .lines = f->lines, .top_k = 8, .sort = CS_CASE_SORT_WEIGHT,
    .prediction = f->prediction, .query_label = "query at (0.35 °C, -0.20 bar)", .target_name = "yield",
    .target_unit = "kg",
  };
  f->feature_map = (CsFeatureMapData) {
    .n = n, .x = f->x, .y = f->y, .values = f->weight, .color_by = CS_COLOR_BY_WEIGHT,
    .x_name = "temperature", .x_unit = "°C", .y_name = "pressure", .y_unit = "bar",
    .has_query = TRUE, .query_x = f->qx, .query_y = f->qy, .half_width_x = f->hx, .half_width_y = f->hy,
  };
  f->attention_matrix = (CsAttentionMatrixData) {
    .rows = rows, .cols = cols, .weights = f->matrix, .row_order = f->row_order, .bin = CS_BIN_MAX,
    .row_label = "queries (sorted by temperature, hottest first)", .col_label = "cases (sorted by temperature)",
  };
  f->window = (CsWindowPlotData) {
    .n = f->wn, .position = f->wpos, .window = f->wwin, .flagged = f->wflag,
    .position_name = "temperature", .position_unit = "°C", .window_name = "90 % radius", .window_unit = "sd",
    .flag_label = "flagged: high variation", .has_query = TRUE, .query_position = 10.5, .query_window = 1.2,
    .reference = 1.0, .reference_label = "global window 1/√w",
  };
  f->window_sweep = (CsWindowSweepData) {
    .n_l = 7, .l = sweep_l, .window_l = win_l, .sigma_fixed = 0.5,
    .n_sigma = 6, .sigma = sweep_sigma, .window_sigma = win_s, .l_fixed = 1,
    .n = 200, .d = 2, .window_name = "learned window 1/√w*", .window_unit = "",
  };
  f->diagnostics = (CsDiagnosticsData) {
    .n = n, .x = f->x, .y = f->y, .x_name = "temperature", .x_unit = "°C", .y_name = "pressure", .y_unit = "bar",
    .lipschitz = f->lipschitz, .lipschitz_threshold = 9.0, .lipschitz_unit = "kg per sd",
    .noise = f->noise, .noise_threshold = 1.0, .noise_unit = "kg",
    .has_query = TRUE, .query_x = f->qx, .query_y = f->qy,
  };
  f->softmax_linear = (CsSoftmaxLinearData) {
    .n_points = 7, .n_values = c4_n, .softmax_error = c4_soft, .linear_error = c4_lin,
    .linear_floor = 1.0 / 3.0, .floor_label = "linear floor E[b²] = 1/3", .error_name = "test MSE",
    .subtitle = "affine tasks, d = 2, L = 1, σ = 0.5, each model at its best scale",
  };
  f->softmax_bars = (CsSoftmaxLinearData) {
    .n_points = 3, .categories = bar_cats, .softmax_error = bar_soft, .linear_error = bar_lin,
    .linear_floor = NAN, .error_name = "RMSE", .error_unit = "kg",
  };
  {
    /* Forward errors N(0, 1), shifted by 2 after bshift; a two-sided CUSUM (k 0.5, h 10) on them and the share
     * of the last 50 inside +-1.645, as the engine's backtest builder fills them. Its own generator, so the
     * other fixtures' numbers do not move. */
    GRand *br = g_rand_new_with_seed (seed + 1);
    gsize warm = 60, window = 50, in = 0, known = 0;
    double sp = 0, sm = 0, ref = 0;

    f->bn = 600;
    f->bshift = 400;
    f->bpos = g_new (double, f->bn);
    f->berr = g_new (double, f->bn);
    f->bcov = g_new (double, f->bn);
    f->bstat = g_new (double, f->bn);
    f->balarm[0] = NAN;
    for (gsize t = 0; t < f->bn; t++)
      {
        double u1 = g_rand_double_range (br, 1e-12, 1), u2 = g_rand_double (br);
        double e = sqrt (-2 * log (u1)) * cos (2 * G_PI * u2) + (t >= f->bshift ? 2 : 0);

        f->bpos[t] = (double) (t + 1);
        f->berr[t] = t < warm ? NAN : e;
        if (t >= warm)
          {
            known++;
            in += fabs (e) <= 1.645;
          }
        if (t >= warm + window)
          {
            known--;
            in -= fabs (f->berr[t - window]) <= 1.645;
          }
        f->bcov[t] = known > 0 ? (double) in / known : NAN;
        if (t < warm)
          {
            f->bstat[t] = NAN;
            continue;
          }
        /* after the alarm the errors are measured from the new level, as the engine's recentring does */
        sp = MAX (0, sp + (e - ref) - 0.5);
        sm = MAX (0, sm - (e - ref) - 0.5);
        f->bstat[t] = MAX (sp, sm);
        if (f->bstat[t] > 10 && isnan (f->balarm[0]))
          {
            f->balarm[0] = f->bpos[t];
            f->balarm_line[0] = (guint) t + 2;
            sp = sm = 0;
            ref = 2;
          }
      }
    g_rand_free (br);
    f->backtest = (CsBacktestChartData) {
      .n = f->bn, .position = f->bpos, .error = f->berr, .coverage = f->bcov, .statistic = f->bstat,
      .coverage_window = window, .interval_level = 0.9, .h = 10,
      .n_alarms = isnan (f->balarm[0]) ? 0 : 1, .alarm_position = f->balarm, .alarm_line = f->balarm_line,
      .error_name = "forward error of strength", .error_unit = "kg", .order_name = "time",
      .subtitle = "two-sided CUSUM k 0.5 h 10",
    };
  }
  f->charts[CS_CHART_CASE_ATTENTION] = (CsChart) { CS_CHART_CASE_ATTENTION, &f->case_attention };
  f->charts[CS_CHART_FEATURE_MAP] = (CsChart) { CS_CHART_FEATURE_MAP, &f->feature_map };
  f->charts[CS_CHART_ATTENTION_MATRIX] = (CsChart) { CS_CHART_ATTENTION_MATRIX, &f->attention_matrix };
  f->charts[CS_CHART_WINDOW] = (CsChart) { CS_CHART_WINDOW, &f->window };
  f->charts[CS_CHART_WINDOW_SWEEP] = (CsChart) { CS_CHART_WINDOW_SWEEP, &f->window_sweep };
  f->charts[CS_CHART_DIAGNOSTICS] = (CsChart) { CS_CHART_DIAGNOSTICS, &f->diagnostics };
  f->charts[CS_CHART_SOFTMAX_VS_LINEAR] = (CsChart) { CS_CHART_SOFTMAX_VS_LINEAR, &f->softmax_linear };
  f->charts[CS_CHART_BACKTEST] = (CsChart) { CS_CHART_BACKTEST, &f->backtest };
  return f;
}

void
render_fixtures_free (RenderFixtures *f)
{
  g_free (f->x);
  g_free (f->y);
  g_free (f->outcome);
  g_free (f->weight);
  g_free (f->distance);
  g_free (f->lipschitz);
  g_free (f->noise);
  g_strfreev (f->ids);
  g_free (f->lines);
  g_free (f->matrix);
  g_free (f->row_order);
  g_free (f->wpos);
  g_free (f->wwin);
  g_free (f->wflag);
  g_free (f->bpos);
  g_free (f->berr);
  g_free (f->bcov);
  g_free (f->bstat);
  g_free (f);
}
