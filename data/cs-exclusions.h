/* cs-exclusions.h: past cases set aside with a reason, kept in a side file next to the case base.
 *
 * A mis-measured case is set aside without editing the case base: the record (the case's physical line,
 * its label when the file has one, the reason and when) lives in FILE.exclusions.json beside FILE, written
 * atomically, and the case base itself is never written. Every front end loads the case base, then the side
 * file, and builds the engine on cs_case_base_exclude ()'s copy, so every view and command sees the same
 * cases. A case is named by its physical line because that is what every other message names
 * (FILE:LINE:COLUMN); the label, when recorded, guards against a file edited since: an entry whose label no
 * longer matches the case on its line is not applied and is reported instead.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

typedef struct
{
  guint line;            /* physical source line (1-based), as CsCaseBase.line */
  char *label;           /* the case's label when the file has a label column, else NULL */
  char *reason;          /* free text, never empty */
  char *when;            /* ISO 8601 UTC, e.g. 2026-12-07T00:40:00Z */
} CsExclusion;

typedef struct
{
  GPtrArray *items;      /* CsExclusion *, sorted by line, one per line */
} CsExclusions;

CsExclusions *cs_exclusions_new          (void);
void          cs_exclusions_free         (CsExclusions       *self);

/* FILE.exclusions.json for the case base at csv_path (newly allocated). */
char         *cs_exclusions_side_path    (const char         *csv_path);

/* Load a side file. A missing file is an empty list (found = FALSE); a malformed one is an error that names
 * the file (and JSON line:column when the parser gives one). found may be NULL. */
CsExclusions *cs_exclusions_load         (const char         *path,
                                          gboolean           *found,
                                          GError            **error);
/* Write the list to path through a temporary file and a rename; protected_paths (the case base) are refused. */
gboolean      cs_exclusions_save         (const CsExclusions *self,
                                          const char         *path,
                                          const char * const *protected_paths,
                                          GError            **error);

/* Set a case aside (replacing an earlier record of the same line). reason must not be empty; when may be
 * NULL (now, in UTC). Returns FALSE with CS_DATA_ERROR_BAD_VALUE for an empty reason or line 0. */
gboolean      cs_exclusions_add          (CsExclusions       *self,
                                          guint               line,
                                          const char         *label,
                                          const char         *reason,
                                          const char         *when,
                                          GError            **error);
/* Take a case back. Returns TRUE when the line had a record. */
gboolean      cs_exclusions_remove       (CsExclusions       *self,
                                          guint               line);
const CsExclusion *cs_exclusions_find    (const CsExclusions *self,
                                          guint               line);

/* A new case base without the recorded cases (statistics recomputed on the rest; source, path and SHA-256
 * kept, since they describe the file). Entries that match no case of base (a line skipped by the importer,
 * or beyond the file), or whose recorded label differs from the case's, are not applied: each is appended to
 * unmatched (may be NULL) as a message naming its line. *applied (may be NULL) gets the cases removed.
 * Returns base itself (a new reference) when nothing applies. */
CsCaseBase   *cs_case_base_exclude       (CsCaseBase         *base,
                                          const CsExclusions *exclusions,
                                          GPtrArray          *unmatched,
                                          gsize              *applied);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsExclusions, cs_exclusions_free)

/* The entry's members "line", "label", "reason" and "when", into an object the caller has begun: the side file,
 * `exclude --json` and every command's `excluded` list write entries the same way. */
void          cs_exclusion_json_members  (JsonBuilder        *b,
                                          const CsExclusion  *e);

G_END_DECLS
