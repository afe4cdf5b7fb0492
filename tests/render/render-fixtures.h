/* render-fixtures.h: fixed, seeded chart data shared by the render tests, export tests and benchmarks. */
#pragma once

#include "cs-charts.h"

G_BEGIN_DECLS

typedef struct _RenderFixtures RenderFixtures;

struct _RenderFixtures
{
  /* Case base in two features (n cases), a query and its weights. */
  gsize n;
  double *x, *y, *outcome, *weight, *distance, *lipschitz, *noise;
  char **ids;
  guint *lines;
  double qx, qy, hx, hy, prediction;
  /* Attention matrix. */
  gsize rows, cols;
  float *matrix;
  gsize *row_order;
  /* Window along a sorted feature. */
  gsize wn;
  double *wpos, *wwin;
  gboolean *wflag;
  /* Backtest over time: bn cases, a shift of 2 sd at bshift, the alarm the CUSUM raises after it. */
  gsize bn, bshift;
  double *bpos, *berr, *bcov, *bstat, balarm[1];
  guint balarm_line[1];

  CsCaseAttentionData case_attention;
  CsFeatureMapData feature_map;
  CsAttentionMatrixData attention_matrix;
  CsWindowPlotData window;
  CsWindowSweepData window_sweep;
  CsDiagnosticsData diagnostics;
  CsSoftmaxLinearData softmax_linear;
  CsSoftmaxLinearData softmax_bars;
  CsBacktestChartData backtest;
  CsChart charts[CS_N_CHARTS];
};

/* seed and sizes fix every number; n cases, rows x cols matrix. */
RenderFixtures *render_fixtures_new  (guint32 seed,
                                      gsize   n,
                                      gsize   rows,
                                      gsize   cols);
void            render_fixtures_free (RenderFixtures *f);

G_END_DECLS
