/* cs-cli-query.h: queries for casescope-cli predict, in the case base's original units. */
#pragma once

#include <glib.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

/* 'name=value,...' into x (d values): each feature at most once, names as in the case base; a feature left
 * out or given as 'name=' (nothing after it) is NaN, a missing value the engine predicts around (at least one
 * feature needs a value). FALSE with a message (g_free) naming the problem. */
gboolean cs_cli_parse_query  (const char       *text,
                              const CsCaseBase *base,
                              double           *x,
                              char            **message);
/* The same with category columns: 'supplier=ACME' names a level (levels: the case base's n_cat codes, -1 for a
 * value no case has, which the engine flags as low support; a category left out is -1 too). levels may be
 * NULL (then category names are accepted and their values ignored). */
gboolean cs_cli_parse_query_levels (const char       *text,
                                    const CsCaseBase *base,
                                    double           *x,
                                    gint             *levels,
                                    char            **message);
/* A query CSV: a header naming (at least) every feature, one query per line. Returns the number of queries
 * (rows of *out, d values each) or -1 after printing FILE:LINE:COLUMN: message on stderr. */
gssize   cs_cli_read_queries (const char       *path,
                              const CsCaseBase *base,
                              double          **out);
/* The same with the category columns' levels (*levels: q * n_cat codes, -1 for a value no case has or a column
 * the file lacks; NULL when the base has no categories). */
gssize   cs_cli_read_queries_levels (const char       *path,
                                     const CsCaseBase *base,
                                     double          **out,
                                     gint            **levels);

G_END_DECLS
