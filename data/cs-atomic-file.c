/* cs-atomic-file.c: temporary file + fsync + rename. */
#define G_LOG_DOMAIN "cs-atomic-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-atomic-file.h"
#include "cs-data-error.h"

G_DEFINE_QUARK (cs-data-error-quark, cs_data_error)

struct _CsAtomicFile
{
  char *path;
  char *temp_path;
  FILE *stream;
};

gboolean
cs_same_file (const char *a,
              const char *b)
{
  GStatBuf sa, sb;

  if (a == NULL || b == NULL)
    return FALSE;
  if (g_stat (a, &sa) != 0 || g_stat (b, &sb) != 0)
    return FALSE;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

gboolean
cs_input_is_regular (const char *path,
                     GError    **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: not a regular file (%s)", path,
                   S_ISDIR (st.st_mode) ? "a folder" : S_ISFIFO (st.st_mode) ? "a FIFO" : "a device or socket");
      return FALSE;
    }
  return TRUE;
}

CsAtomicFile *
cs_atomic_file_begin (const char         *path,
                      const char * const *protected_paths,
                      GError            **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *templ = NULL;
  CsAtomicFile *self;
  GStatBuf st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (*path == '\0')
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "No output file name given");
      return NULL;
    }

  for (gsize i = 0; protected_paths != NULL && protected_paths[i] != NULL; i++)
    if (cs_same_file (path, protected_paths[i]))
      {
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WOULD_OVERWRITE,
                     "%s: refusing to overwrite the input file", path);
        return NULL;
      }

  if (g_stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "%s: is a folder, not a file", path);
      return NULL;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  templ = g_strdup_printf ("%s%s.%s.XXXXXX", dir, G_DIR_SEPARATOR_S, base);

  fd = g_mkstemp_full (templ, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE,
                   "%s: cannot write in %s: %s", path, dir, g_strerror (saved));
      return NULL;
    }

  self = g_new0 (CsAtomicFile, 1);
  self->path = g_strdup (path);
  self->temp_path = g_steal_pointer (&templ);
  self->stream = fdopen (fd, "wb");
  if (self->stream == NULL)
    {
      int saved = errno;
      close (fd);
      g_unlink (self->temp_path);
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "%s: %s", path, g_strerror (saved));
      g_free (self->path);
      g_free (self->temp_path);
      g_free (self);
      return NULL;
    }
  return self;
}

FILE *
cs_atomic_file_get_stream (CsAtomicFile *self)
{
  return self->stream;
}

const char *
cs_atomic_file_get_temp_path (CsAtomicFile *self)
{
  return self->temp_path;
}

static void
cs_atomic_file_free (CsAtomicFile *self)
{
  g_free (self->path);
  g_free (self->temp_path);
  g_free (self);
}

gboolean
cs_atomic_file_commit (CsAtomicFile *self,
                       GError      **error)
{
  int saved = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (ferror (self->stream) || fflush (self->stream) != 0)
    saved = errno != 0 ? errno : EIO;
  else if (fsync (fileno (self->stream)) != 0)
    saved = errno;

  if (fclose (self->stream) != 0 && saved == 0)
    saved = errno != 0 ? errno : EIO;
  self->stream = NULL;

  if (saved == 0 && g_rename (self->temp_path, self->path) != 0)
    saved = errno;

  if (saved != 0)
    {
      g_unlink (self->temp_path);
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE,
                   "%s: cannot write: %s", self->path, g_strerror (saved));
      cs_atomic_file_free (self);
      return FALSE;
    }

  cs_atomic_file_free (self);
  return TRUE;
}

void
cs_atomic_file_abort (CsAtomicFile *self)
{
  if (self == NULL)
    return;
  if (self->stream != NULL)
    fclose (self->stream);
  g_unlink (self->temp_path);
  cs_atomic_file_free (self);
}

gboolean
cs_atomic_write (const char         *path,
                 const char * const *protected_paths,
                 const void         *data,
                 gsize               len,
                 GError            **error)
{
  CsAtomicFile *f = cs_atomic_file_begin (path, protected_paths, error);

  if (f == NULL)
    return FALSE;
  if (len > 0 && fwrite (data, 1, len, f->stream) != len)
    {
      int saved = errno != 0 ? errno : EIO;
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "%s: cannot write: %s", path,
                   g_strerror (saved));
      cs_atomic_file_abort (f);
      return FALSE;
    }
  return cs_atomic_file_commit (f, error);
}
