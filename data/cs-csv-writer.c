/* cs-csv-writer.c: RFC 4180 export with round-trip numbers and a formula-injection guard. */
#define G_LOG_DOMAIN "cs-csv-writer"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cs-atomic-file.h"
#include "cs-csv-number.h"
#include "cs-csv-writer.h"
#include "cs-data-error.h"

struct _CsCsvWriter
{
  CsAtomicFile *file;
  FILE *out;
  char delimiter;
  char decimal_point;
  gboolean row_started;
};

const char *
cs_csv_format_number (double value,
                      char   decimal_point,
                      char  *buf)
{
  if (isnan (value))
    buf[0] = '\0';
  else if (isinf (value))
    strcpy (buf, value > 0 ? "inf" : "-inf");
  else
    {
      /* The shortest of %.15g, %.16g, %.17g that reads back exactly. */
      for (int digits = 15; digits <= 17; digits++)
        {
          char fmt[8];
          g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
          g_ascii_formatd (buf, 32, fmt, value);
          if (g_ascii_strtod (buf, NULL) == value)
            break;
        }
      if (decimal_point != '.')
        {
          char *dot = strchr (buf, '.');
          if (dot != NULL)
            *dot = decimal_point;
        }
    }
  return buf;
}

char *
cs_csv_format_text (const char *text,
                    char        delimiter)
{
  GString *cell = g_string_new (NULL);
  gsize len = text != NULL ? strlen (text) : 0;
  gboolean guard = FALSE, quote;
  double v;

  if (text == NULL)
    text = "";
  if (len > 0 && strchr ("=+-@\t\r", text[0]) != NULL
      && cs_parse_number (text, len, '.', &v) != CS_NUMBER_OK
      && cs_parse_number (text, len, ',', &v) != CS_NUMBER_OK)
    guard = TRUE;
  quote = strchr (text, delimiter) != NULL || strchr (text, '"') != NULL || strchr (text, '\n') != NULL
          || strchr (text, '\r') != NULL || (len > 0 && (text[0] == ' ' || text[len - 1] == ' '
                                                        || text[0] == '\t' || text[len - 1] == '\t'));
  if (quote)
    g_string_append_c (cell, '"');
  if (guard)
    g_string_append_c (cell, '\'');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (cell, '"');
      g_string_append_c (cell, *p);
    }
  if (quote)
    g_string_append_c (cell, '"');
  return g_string_free (cell, FALSE);
}

CsCsvWriter *
cs_csv_writer_new (const char         *path,
                   CsCsvPreset         preset,
                   const char * const *protected_paths,
                   GError            **error)
{
  CsAtomicFile *file = cs_atomic_file_begin (path, protected_paths, error);
  CsCsvWriter *self;

  if (file == NULL)
    return NULL;
  self = g_new0 (CsCsvWriter, 1);
  self->file = file;
  self->out = cs_atomic_file_get_stream (file);
  if (preset == CS_CSV_PRESET_EXCEL)
    {
      /* Excel decodes UTF-8 only with a BOM; ';' and ',' as in comma-decimal locales. */
      fputs ("\xEF\xBB\xBF", self->out);
      self->delimiter = ';';
      self->decimal_point = ',';
    }
  else
    {
      self->delimiter = ',';
      self->decimal_point = '.';
    }
  return self;
}

static void
next_cell (CsCsvWriter *self)
{
  if (self->row_started)
    fputc (self->delimiter, self->out);
  self->row_started = TRUE;
}

void
cs_csv_writer_text (CsCsvWriter *self,
                    const char  *text)
{
  g_autofree char *cell = cs_csv_format_text (text, self->delimiter);

  next_cell (self);
  fputs (cell, self->out);
}

void
cs_csv_writer_number (CsCsvWriter *self,
                      double       value)
{
  char buf[32];

  next_cell (self);
  fputs (cs_csv_format_number (value, self->decimal_point, buf), self->out);
}

void
cs_csv_writer_end_row (CsCsvWriter *self)
{
  fputs ("\r\n", self->out);
  self->row_started = FALSE;
}

gboolean
cs_csv_writer_finish (CsCsvWriter *self,
                      GError     **error)
{
  gboolean ok = cs_atomic_file_commit (self->file, error);

  g_free (self);
  return ok;
}

void
cs_csv_writer_abort (CsCsvWriter *self)
{
  if (self == NULL)
    return;
  cs_atomic_file_abort (self->file);
  g_free (self);
}

static char *
header_of (const char *name,
           const char *unit)
{
  if (unit != NULL && *unit != '\0')
    return g_strdup_printf ("%s [%s]", name, unit);
  return g_strdup (name);
}

gboolean
cs_csv_write_case_base (const CsCaseBase   *cb,
                        const char         *path,
                        CsCsvPreset         preset,
                        const char * const *protected_paths,
                        GError            **error)
{
  g_autoptr(GPtrArray) protect = g_ptr_array_new ();
  CsCsvWriter *w;

  for (gsize i = 0; protected_paths != NULL && protected_paths[i] != NULL; i++)
    g_ptr_array_add (protect, (gpointer) protected_paths[i]);
  if (cb->source_path != NULL)
    g_ptr_array_add (protect, cb->source_path);
  g_ptr_array_add (protect, NULL);

  w = cs_csv_writer_new (path, preset, (const char * const *) protect->pdata, error);
  if (w == NULL)
    return FALSE;
  if (cb->ids != NULL)
    cs_csv_writer_text (w, cb->id_name != NULL ? cb->id_name : "id");
  for (gsize j = 0; j < cb->d; j++)
    {
      g_autofree char *h = header_of (cb->feature_names[j], cb->feature_units[j]);
      cs_csv_writer_text (w, h);
    }
  {
    g_autofree char *h = header_of (cb->target_name, cb->target_unit);
    cs_csv_writer_text (w, h);
  }
  cs_csv_writer_end_row (w);
  for (gsize i = 0; i < cb->n; i++)
    {
      if (cb->ids != NULL)
        cs_csv_writer_text (w, cb->ids[i]);
      for (gsize j = 0; j < cb->d; j++)
        cs_csv_writer_number (w, cb->x[i * cb->d + j]);
      cs_csv_writer_number (w, cb->y[i]);
      cs_csv_writer_end_row (w);
    }
  return cs_csv_writer_finish (w, error);
}
