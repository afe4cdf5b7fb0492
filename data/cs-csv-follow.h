/* cs-csv-follow.h: rows appended to a CSV case base, parsed as they arrive.
 *
 * A follower loads a file once (through the importer, so the case base is exactly what `open` gives) and then
 * reads only what was appended since, with the dialect and column roles the importer settled: every complete
 * line becomes a row (features, the outcome or NaN when it is missing, the label) or a problem with its
 * FILE:LINE:COLUMN; a last line without its newline waits for it. A file that shrank, was replaced (another
 * inode) or whose first bytes changed is reported as rewritten: the caller loads it whole again
 * (cs_csv_follower_load). A record whose quoted field spans lines is not supported in appended rows (reported
 * as malformed); the initial load takes them as usual. GLib + libcsv, no GTK; not thread-safe (one owner).
 */
#pragma once

#include <gio/gio.h>

#include "cs-csv-loader.h"

G_BEGIN_DECLS

typedef struct _CsCsvFollower CsCsvFollower;

typedef struct
{
  guint line;                /* physical line, 1-based */
  double *x;                 /* d features, original units */
  double y;                  /* the outcome, NaN when the row has none (missing or an NA token) */
  char *label;               /* the label column's text, NULL when the file has none */
  char **cats;               /* the category columns' values, in the case base's order ("" when missing), or
                              * NULL when the file has none */
} CsCsvFollowRow;

typedef enum
{
  CS_CSV_FOLLOW_NOTHING = 0, /* no complete line was appended */
  CS_CSV_FOLLOW_ROWS,        /* rows and/or problems were added to the arrays */
  CS_CSV_FOLLOW_REWRITTEN,   /* the file shrank or was replaced: load it whole again */
  CS_CSV_FOLLOW_ERROR,       /* the file cannot be read (error set) */
} CsCsvFollowStatus;

CsCsvFollower     *cs_csv_follower_new        (const char         *path,
                                               const CsCsvOptions *options);
void               cs_csv_follower_free       (CsCsvFollower      *self);
/* Load the whole file (complete lines only: a half-written last line is left for the next poll) and remember
 * where it ended, its identity and dialect. Again after CS_CSV_FOLLOW_REWRITTEN. Returns what
 * cs_csv_load_bytes returns, with source_path and sha256 of the loaded bytes set. */
CsCaseBase        *cs_csv_follower_load       (CsCsvFollower      *self,
                                               CsCsvReport       **report,
                                               GCancellable       *cancellable,
                                               GError            **error);
/* Read what was appended since the load or the last poll. rows: of CsCsvFollowRow* (free function set by the
 * caller: cs_csv_follow_row_free); problems: of CsCsvProblem* (cs_csv_problem_free). */
CsCsvFollowStatus  cs_csv_follower_poll       (CsCsvFollower      *self,
                                               GPtrArray          *rows,
                                               GPtrArray          *problems,
                                               GError            **error);
/* Physical lines taken so far (the last complete line's number). */
guint              cs_csv_follower_lines      (const CsCsvFollower *self);
const char        *cs_csv_follower_path       (const CsCsvFollower *self);

void               cs_csv_follow_row_free     (gpointer            row);
void               cs_csv_problem_free        (gpointer            problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsCsvFollower, cs_csv_follower_free)

G_END_DECLS
