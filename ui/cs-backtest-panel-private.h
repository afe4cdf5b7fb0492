/* cs-backtest-panel-private.h: what the tests read of the backtest panel. */
#pragma once

#include "cs-backtest-panel.h"
#include "cs-progress.h"

G_BEGIN_DECLS

/* The status line's text as shown. */
const char *cs_backtest_panel_get_status   (CsBacktestPanel *self);
CsProgress *cs_backtest_panel_get_progress (CsBacktestPanel *self);

G_END_DECLS
