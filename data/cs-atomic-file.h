/* cs-atomic-file.h: write a file so that it is either complete or absent.
 *
 * Every output of Casescope (exports, model files, settings) is written to a
 * temporary file in the target's folder, flushed, and renamed over the target.
 * A failure at any point removes the temporary file and leaves the old target
 * untouched. Targets that are the same file as a protected input (the case
 * base being shown) are refused before anything is written.
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsAtomicFile CsAtomicFile;

/* protected_paths: NULL-terminated list of inputs that must never be written (may be NULL). */
CsAtomicFile *cs_atomic_file_begin        (const char         *path,
                                           const char * const *protected_paths,
                                           GError            **error);
/* The temporary file as a stdio stream (owned by the CsAtomicFile). */
FILE         *cs_atomic_file_get_stream   (CsAtomicFile       *self);
const char   *cs_atomic_file_get_temp_path (CsAtomicFile      *self);
/* Flush, fsync, close and rename into place. Frees self whatever the outcome. */
gboolean      cs_atomic_file_commit       (CsAtomicFile       *self,
                                           GError            **error);
/* Close and remove the temporary file. Frees self. */
void          cs_atomic_file_abort        (CsAtomicFile       *self);

/* Convenience: the whole content at once. */
gboolean      cs_atomic_write             (const char         *path,
                                           const char * const *protected_paths,
                                           const void         *data,
                                           gsize               len,
                                           GError            **error);

/* TRUE when path is an existing regular file; otherwise FALSE with CS_DATA_ERROR_IO naming it
 * (a folder, a FIFO or a device is refused before anything opens it, so nothing blocks). */
gboolean      cs_input_is_regular         (const char         *path,
                                           GError            **error);

/* TRUE when a and b name the same existing file (same device and inode). */
gboolean      cs_same_file                (const char         *a,
                                           const char         *b);

G_END_DECLS
