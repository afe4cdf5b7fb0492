/* cs-csv-writer.h: safe CSV export (RFC 4180, round-trip numbers, formula-injection guard).
 *
 * Tables (predictions, weights, flags, the case base) are written cell by cell
 * to a temporary file in the target folder and renamed into place on finish
 * (cs-atomic-file.h): a failed export leaves no partial file, and a target that
 * is one of the protected inputs is refused before anything is written.
 */
#pragma once

#include <glib.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

typedef enum
{
  CS_CSV_PRESET_STANDARD = 0,   /* UTF-8, ',' and '.', CRLF (RFC 4180) */
  CS_CSV_PRESET_EXCEL,          /* UTF-8 with BOM, ';' and decimal comma, CRLF */
} CsCsvPreset;

typedef struct _CsCsvWriter CsCsvWriter;

/* protected_paths: NULL-terminated inputs that must never be overwritten (may be NULL). */
CsCsvWriter *cs_csv_writer_new       (const char         *path,
                                      CsCsvPreset         preset,
                                      const char * const *protected_paths,
                                      GError            **error);
/* A text cell: quoted when needed; a leading = + - @ TAB or CR gets a ' in front
 * (OWASP), unless the whole text is a plain number such as -3.5. */
void         cs_csv_writer_text      (CsCsvWriter        *self,
                                      const char         *text);
/* A number cell in the C locale (decimal comma with the Excel preset) with the
 * fewest digits that read back to the same double; NaN is an empty cell. */
void         cs_csv_writer_number    (CsCsvWriter        *self,
                                      double              value);
void         cs_csv_writer_end_row   (CsCsvWriter        *self);
/* Flush, fsync and rename into place; frees self whatever the outcome. */
gboolean     cs_csv_writer_finish    (CsCsvWriter        *self,
                                      GError            **error);
/* Drop everything written so far; frees self. */
void         cs_csv_writer_abort     (CsCsvWriter        *self);

/* The case base as CSV: label column (if any), features as "name [unit]", target.
 * The case base's own source file is always protected. */
gboolean     cs_csv_write_case_base  (const CsCaseBase   *cb,
                                      const char         *path,
                                      CsCsvPreset         preset,
                                      const char * const *protected_paths,
                                      GError            **error);

/* Helpers, also used by other exporters. buf needs 32 bytes. */
const char  *cs_csv_format_number    (double              value,
                                      char                decimal_point,
                                      char               *buf);
/* The cell as it is written (guarded, quoted if needed). Free with g_free. */
char        *cs_csv_format_text      (const char         *text,
                                      char                delimiter);

G_END_DECLS
