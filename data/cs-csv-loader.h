/* cs-csv-loader.h: CSV case bases through libcsv (contract; see issue 3).
 *
 * Streams the input in chunks, detects the dialect (delimiter, decimal comma,
 * header, BOM, encoding) unless told, assigns column roles, applies the
 * missing-value policy and returns an immutable CsCaseBase plus a report of
 * what was detected and every problem (FILE:LINE:COLUMN).
 */
#pragma once

#include <gio/gio.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

typedef enum
{
  CS_ROLE_AUTO = 0,   /* decided by the loader */
  CS_ROLE_FEATURE,
  CS_ROLE_TARGET,
  CS_ROLE_LABEL,
  CS_ROLE_IGNORED,
  CS_ROLE_CATEGORY,   /* a text column with few distinct values (at most CS_CATEGORY_MAX_LEVELS, fewer than
                       * CS_CATEGORY_MAX_SHARE of the sampled rows): a feature compared by equality */
} CsColumnRole;

#define CS_CATEGORY_MAX_LEVELS 50
#define CS_CATEGORY_MAX_SHARE  0.05

typedef struct
{
  char delimiter;            /* 0: detect among , ; TAB | */
  int decimal_comma;         /* -1 detect, 0 no, 1 yes */
  int header;                /* -1 detect, 0 no, 1 yes */
  const char *target;        /* target column name, NULL: default rules */
  const char * const *na_tokens; /* NULL: the default list */
  gboolean strict;           /* fail on the first problem */
  /* Per-column role overrides by name (NULL-terminated parallel arrays), may be NULL. */
  const char * const *role_names;
  const CsColumnRole *roles;
  /* 0: automatic (a second thread for files of 4 MB and more), 1: the calling thread only. */
  guint threads;
} CsCsvOptions;

typedef struct
{
  guint line;                /* physical line, 1-based (0 when not tied to a line) */
  guint column;              /* 1-based field index (0 when not tied to a column) */
  char *column_name;         /* may be NULL */
  char *expected;            /* may be NULL */
  char *found;               /* may be NULL */
  char *message;             /* full sentence */
  gboolean warning;          /* a note (renamed column, constant feature, ...): no row was lost */
} CsCsvProblem;

typedef struct
{
  char *name;
  char *unit;
  CsColumnRole role;
  gboolean numeric;
  gboolean datetime;         /* a text column whose sampled values are all ISO 8601 date-times (an order
                              * column for casescope-cli backtest; not a feature) */
  gsize levels;              /* category columns: distinct values (missing counts as the level "") */
  gsize missing;
  gsize bad;
  gboolean constant;
  double mean, sd, min, max;
} CsCsvColumn;

typedef struct
{
  char *source;              /* display name */
  char delimiter;
  gboolean decimal_comma;
  gboolean header;
  gboolean bom;
  char *encoding;            /* "UTF-8", "UTF-16LE", "ISO-8859-1" ... */
  gsize rows_read;
  gsize rows_used;
  gsize rows_skipped;
  gsize duplicate_rows;
  GPtrArray *columns;        /* of CsCsvColumn* */
  GPtrArray *problems;       /* of CsCsvProblem* */
  guint threads_used;        /* 2 when the second half was parsed in parallel */
} CsCsvReport;

/* progress: fraction done in [0, 1]; always called from the calling (worker) thread.
 *
 * The loaders return NULL with an error when nothing usable remains; *report (when
 * report is not NULL) is set in every case but a path that cannot be opened or is a
 * folder, so the problems can be shown either way (a FIFO or an unreadable file give
 * a report with the reason as its only problem). The case base's sha256 is set for inputs of up
 * to 16 MB (hashing is slower than importing) and NULL above. */
typedef void (*CsProgressFunc) (double fraction, gpointer user_data);

void        cs_csv_options_init  (CsCsvOptions    *options);

CsCaseBase *cs_csv_load_path     (const char      *path,
                                  const CsCsvOptions *options,
                                  CsCsvReport    **report,
                                  CsProgressFunc   progress,
                                  gpointer         progress_data,
                                  GCancellable    *cancellable,
                                  GError         **error);

CsCaseBase *cs_csv_load_bytes    (GBytes          *bytes,
                                  const char      *display_name,
                                  const CsCsvOptions *options,
                                  CsCsvReport    **report,
                                  GCancellable    *cancellable,
                                  GError         **error);

void        cs_csv_report_free   (CsCsvReport     *report);
const char *cs_column_role_name  (CsColumnRole     role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCsvReport, cs_csv_report_free)

G_END_DECLS
