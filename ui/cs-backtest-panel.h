/* cs-backtest-panel.h: the manager page's backtest: how the model would have done forward in time, with the
 * drift alarms (issue 20), run in a worker with its own progress. */
#pragma once

#include <gtk/gtk.h>

#include "cs-engine.h"

G_BEGIN_DECLS

#define CS_TYPE_BACKTEST_PANEL (cs_backtest_panel_get_type ())
G_DECLARE_FINAL_TYPE (CsBacktestPanel, cs_backtest_panel, CS, BACKTEST_PANEL, GtkBox)

/* Property "busy" (boolean, read-only): a backtest runs (the panel's own CsProgress is active). */
GtkWidget  *cs_backtest_panel_new            (void);
/* The engine whose case base is backtested (NULL: none). Another engine than the current one cancels a running
 * backtest and clears the chart and the status line; the same one again changes nothing. */
void        cs_backtest_panel_set_engine     (CsBacktestPanel *self,
                                              CsEngine        *engine);
/* What "Run the backtest" does: FALSE when there is no engine or a backtest runs already. */
gboolean    cs_backtest_panel_run            (CsBacktestPanel *self);
/* What Cancel does: the running backtest stops, no chart, not busy. */
void        cs_backtest_panel_cancel         (CsBacktestPanel *self);
gboolean    cs_backtest_panel_is_busy        (CsBacktestPanel *self);
/* The chart view (kind CS_CHART_BACKTEST): for the page's chart list (export, dark theme). */
GtkWidget  *cs_backtest_panel_get_chart_view (CsBacktestPanel *self);

G_END_DECLS
