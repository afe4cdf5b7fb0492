/* cs-cli-order.h: the time order column of `backtest` and `export --chart backtest`: which column, the features
 * without it, and every case's order key. */
#pragma once

#include "cs-cli-load.h"

G_BEGIN_DECLS

/* *order: the column named (kept), else the first ISO 8601 date-time column of path (option names the option
 * to ask for in the usage error when there is none); *features: every feature the importer finds but the order
 * column, comma-separated (newly allocated). Returns an exit status. */
int cs_cli_order_columns (const char  *cmd,
                          const char  *option,
                          const char  *path,
                          const char  *target,
                          char       **order,
                          char       **features);
/* The order column's text of every case of l (line -> text, *texts) and its key (*key, l->base->n values in the
 * case base's order: seconds of a date-time, or a counter); a text that is neither is FILE:LINE: on stderr and
 * exit status 3. */
int cs_cli_order_keys    (const char  *cmd,
                          CsCliLoaded *l,
                          const char  *order,
                          GHashTable **texts,
                          double     **key);

G_END_DECLS
