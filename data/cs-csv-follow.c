/* cs-csv-follow.c: rows appended to a loaded CSV case base, parsed incrementally with libcsv. */
#define G_LOG_DOMAIN "cs-csv-follow"

#include "config.h"

#include "cs-csv-follow.h"

#include <csv.h>
#include <math.h>
#include <string.h>

#include "cs-csv-number.h"
#include "cs-data-error.h"

/* The first bytes of the file, compared at every poll: a logger that rewrites the file from the start (a new
 * header, or other rows) changes them, whatever the new size. */
#define PREFIX_BYTES 4096
/* A poll reads at most this much (the rest waits for the next one), so one poll stays short. */
#define POLL_MAX_BYTES ((gsize) 8 << 20)

static const char * const default_na[] = {
  "", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "None", NULL
};

typedef struct
{
  char *name;
  CsColumnRole role;
  int slot;                  /* feature index, or -1 */
} FollowColumn;

struct _CsCsvFollower
{
  char *path;
  char *display;
  CsCsvOptions options;
  char *target;              /* options.target, owned */
  char **na;                 /* owned NA tokens */

  /* Settled by the load. */
  gboolean loaded;
  char delim;
  char decimal_point;
  gboolean latin1;           /* labels converted from ISO-8859-1 */
  gsize ncols, d, n_cat;
  FollowColumn *cols;
  goffset offset;            /* bytes taken (up to and including the last complete line's newline) */
  guint lines;               /* physical lines taken */
  guint64 inode;
  GBytes *prefix;            /* the first MIN (offset, PREFIX_BYTES) bytes */
  GString *pending;          /* a half-written last line */
};

void
cs_csv_follow_row_free (gpointer data)
{
  CsCsvFollowRow *row = data;

  if (row == NULL)
    return;
  g_free (row->x);
  g_free (row->label);
  g_strfreev (row->cats);
  g_free (row);
}

void
cs_csv_problem_free (gpointer data)
{
  CsCsvProblem *p = data;

  if (p == NULL)
    return;
  g_free (p->column_name);
  g_free (p->expected);
  g_free (p->found);
  g_free (p->message);
  g_free (p);
}

CsCsvFollower *
cs_csv_follower_new (const char         *path,
                     const CsCsvOptions *options)
{
  CsCsvFollower *self = g_new0 (CsCsvFollower, 1);
  const char * const *na;

  self->path = g_strdup (path);
  self->display = g_path_get_basename (path);
  if (options != NULL)
    self->options = *options;
  else
    cs_csv_options_init (&self->options);
  /* The options outlive the caller's strings. */
  self->target = g_strdup (self->options.target);
  self->options.target = self->target;
  na = self->options.na_tokens != NULL ? self->options.na_tokens : default_na;
  self->na = g_strdupv ((char **) na);
  self->options.na_tokens = (const char * const *) self->na;
  self->options.role_names = NULL;   /* not kept: the load's report says the roles that were used */
  self->options.roles = NULL;
  if (options != NULL && options->role_names != NULL)
    g_warning ("role overrides are used for the first load only");
  self->pending = g_string_new (NULL);
  return self;
}

static void
clear_plan (CsCsvFollower *self)
{
  for (gsize j = 0; j < self->ncols; j++)
    g_free (self->cols[j].name);
  g_clear_pointer (&self->cols, g_free);
  g_clear_pointer (&self->prefix, g_bytes_unref);
  g_string_truncate (self->pending, 0);
  self->ncols = self->d = 0;
  self->loaded = FALSE;
}

void
cs_csv_follower_free (CsCsvFollower *self)
{
  if (self == NULL)
    return;
  clear_plan (self);
  g_string_free (self->pending, TRUE);
  g_free (self->path);
  g_free (self->display);
  g_free (self->target);
  g_strfreev (self->na);
  g_free (self);
}

guint
cs_csv_follower_lines (const CsCsvFollower *self)
{
  return self->lines;
}

const char *
cs_csv_follower_path (const CsCsvFollower *self)
{
  return self->path;
}

static gboolean
file_identity (const char *path,
               goffset    *size,
               guint64    *inode,
               GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_UNIX_INODE
                                                 "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    {
      g_autofree char *name = g_path_get_basename (path);
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  /* A FIFO would block the read until a writer comes, and has no offsets to resume from. */
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *name = g_path_get_basename (path);
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: only a regular file can be followed (a folder, "
                   "FIFO or device cannot)", name);
      return FALSE;
    }
  *size = g_file_info_get_size (info);
  *inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
  return TRUE;
}

CsCaseBase *
cs_csv_follower_load (CsCsvFollower *self,
                      CsCsvReport  **report_out,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  CsCaseBase *cb;
  gsize len = 0, keep;
  goffset size;
  guint64 inode;
  gsize j, d = 0;

  if (report_out != NULL)
    *report_out = NULL;
  clear_plan (self);
  /* Identity first: a file replaced while it is read is seen as rewritten at the next poll. */
  if (!file_identity (self->path, &size, &inode, error)
      || !g_file_get_contents (self->path, &contents, &len, error))
    return NULL;
  /* Complete lines only: what follows the last newline is still being written. */
  keep = len;
  while (keep > 0 && contents[keep - 1] != '\n')
    keep--;
  g_string_assign (self->pending, "");
  g_string_append_len (self->pending, contents + keep, (gssize) (len - keep));
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  {
    g_autoptr(GBytes) head = g_bytes_new_from_bytes (bytes, 0, keep);
    cb = cs_csv_load_bytes (head, self->display, &self->options, &report, cancellable, error);
    if (cb == NULL)
      {
        if (report_out != NULL)
          *report_out = g_steal_pointer (&report);
        return NULL;
      }
    g_clear_pointer (&cb->source_path, g_free);
    cb->source_path = g_strdup (self->path);
    self->prefix = g_bytes_new_from_bytes (head, 0, MIN (keep, PREFIX_BYTES));
  }
  if (strcmp (report->encoding, "UTF-8") != 0 && strcmp (report->encoding, "ISO-8859-1") != 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_ENCODING,
                   "%s: following a file needs an ASCII-compatible encoding, not %s", self->display,
                   report->encoding);
      cs_case_base_unref (cb);
      return NULL;
    }
  self->latin1 = strcmp (report->encoding, "ISO-8859-1") == 0;
  self->delim = report->delimiter;
  self->decimal_point = report->decimal_comma ? ',' : '.';
  self->ncols = report->columns->len;
  self->cols = g_new0 (FollowColumn, self->ncols);
  for (j = 0; j < self->ncols; j++)
    {
      const CsCsvColumn *c = g_ptr_array_index (report->columns, j);

      self->cols[j].name = g_strdup (c->name);
      self->cols[j].role = c->role;
      self->cols[j].slot = c->role == CS_ROLE_FEATURE ? (int) d++
                           : c->role == CS_ROLE_CATEGORY ? (int) cs_case_base_find_category (cb, c->name) : -1;
    }
  self->n_cat = cb->n_cat;
  if (d != cb->d)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE,
                   "%s: the columns of the report (%zu features) do not match the case base (%zu)",
                   self->display, d, cb->d);
      cs_case_base_unref (cb);
      clear_plan (self);
      return NULL;
    }
  self->d = d;
  self->offset = (goffset) keep;
  self->inode = inode;
  self->lines = 0;
  for (const char *p = g_bytes_get_data (bytes, NULL), *e = p + keep; (p = memchr (p, '\n', (gsize) (e - p))) != NULL; p++)
    self->lines++;
  self->loaded = TRUE;
  if (report_out != NULL)
    *report_out = g_steal_pointer (&report);
  return cb;
}

/* ------------------------------------------------------------------------- */
/* One appended line */

typedef struct
{
  CsCsvFollower *self;
  guint line;
  gsize field;
  CsCsvFollowRow *row;
  CsCsvProblem *problem;     /* the first problem of the line */
  gsize extra_nonempty;
} LineState;

static void
line_problem (LineState  *ls,
              gsize       col,
              const char *found,
              char       *message)
{
  CsCsvProblem *p;

  if (ls->problem != NULL)
    {
      g_free (message);
      return;
    }
  p = g_new0 (CsCsvProblem, 1);
  p->line = ls->line;
  p->column = (guint) col;
  p->column_name = col >= 1 && col <= ls->self->ncols ? g_strdup (ls->self->cols[col - 1].name) : NULL;
  p->found = g_strdup (found);
  p->message = message;
  ls->problem = p;
}

static gboolean
is_na (const CsCsvFollower *self,
       const char          *s,
       gsize                len)
{
  while (len > 0 && (*s == ' ' || *s == '\t'))
    s++, len--;
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  for (char **t = self->na; *t != NULL; t++)
    if (strlen (*t) == len && memcmp (*t, s, len) == 0)
      return TRUE;
  return FALSE;
}

static void
on_field (void  *s,
          size_t len,
          void  *data)
{
  LineState *ls = data;
  CsCsvFollower *self = ls->self;
  gsize j = ls->field++;
  const FollowColumn *c;
  double v;
  CsNumberStatus status;

  if (j >= self->ncols)
    {
      for (gsize i = 0; s != NULL && i < len; i++)
        if (((const char *) s)[i] != ' ' && ((const char *) s)[i] != '\t')
          {
            ls->extra_nonempty++;
            break;
          }
      return;
    }
  c = &self->cols[j];
  if (c->role == CS_ROLE_CATEGORY && c->slot >= 0)
    {
      /* as the importer: a missing value is the level "" */
      g_free (ls->row->cats[c->slot]);
      ls->row->cats[c->slot] = s == NULL || is_na (self, s, len) ? g_strdup ("")
                               : self->latin1 || !g_utf8_validate (s, (gssize) len, NULL)
                               ? g_convert (s, (gssize) len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL)
                               : g_strndup (s, len);
      if (ls->row->cats[c->slot] == NULL)
        ls->row->cats[c->slot] = g_strdup ("?");
      return;
    }
  if (c->role == CS_ROLE_LABEL)
    {
      if (s != NULL && !is_na (self, s, len))
        {
          g_free (ls->row->label);
          ls->row->label = self->latin1 || !g_utf8_validate (s, (gssize) len, NULL)
                           ? g_convert (s, (gssize) len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL)
                           : g_strndup (s, len);
        }
      return;
    }
  if (c->role != CS_ROLE_FEATURE && c->role != CS_ROLE_TARGET)
    return;
  if (s == NULL || is_na (self, s, len))
    {
      if (c->role == CS_ROLE_TARGET)
        ls->row->y = NAN;        /* no outcome yet: the row waits for it */
      else
        line_problem (ls, j + 1, "", g_strdup_printf ("missing value in feature “%s”; row left out", c->name));
      return;
    }
  status = cs_parse_number (s, len, self->decimal_point, &v);
  if (status != CS_NUMBER_OK)
    {
      g_autofree char *found = g_strndup (s, MIN (len, 40));
      line_problem (ls, j + 1, found,
                    status == CS_NUMBER_NOT_FINITE
                    ? g_strdup_printf ("“%s” in “%s” is not a finite number; row left out", found, c->name)
                    : g_strdup_printf ("expected a number in “%s”, found “%s”; row left out", c->name, found));
      return;
    }
  if (c->role == CS_ROLE_TARGET)
    ls->row->y = v;
  else
    ls->row->x[c->slot] = v;
}

/* Parses one complete physical line (without its newline): a row, a problem, or nothing for a blank line. */
static void
parse_line (CsCsvFollower *self,
            const char    *s,
            gsize          len,
            guint          line,
            GPtrArray     *rows,
            GPtrArray     *problems)
{
  struct csv_parser p;
  LineState ls = { self, line, 0, NULL, NULL, 0 };
  gboolean bad;

  if (len > 0 && s[len - 1] == '\r')
    len--;
  if (len == 0)
    return;
  ls.row = g_new0 (CsCsvFollowRow, 1);
  ls.row->line = line;
  ls.row->x = g_new0 (double, MAX (self->d, 1));
  if (self->n_cat > 0)
    {
      ls.row->cats = g_new0 (char *, self->n_cat + 1);
      for (gsize c = 0; c < self->n_cat; c++)
        ls.row->cats[c] = g_strdup ("");
    }
  ls.row->y = NAN;
  csv_init (&p, CSV_STRICT | CSV_REPALL_NL | CSV_EMPTY_IS_NULL | CSV_STRICT_FINI);
  csv_set_delim (&p, (unsigned char) self->delim);
  bad = csv_parse (&p, s, len, on_field, NULL, &ls) != len || csv_fini (&p, on_field, NULL, &ls) != 0;
  csv_free (&p);
  if (bad)
    {
      g_clear_pointer (&ls.problem, cs_csv_problem_free);
      line_problem (&ls, ls.field + 1, NULL,
                    g_strdup ("malformed quoting (a quote inside an unquoted field, or a quoted field "
                              "not closed on its line); row left out"));
    }
  else if (ls.field < self->ncols && ls.problem == NULL)
    line_problem (&ls, ls.field + 1, NULL,
                  g_strdup_printf ("expected %zu fields, found %zu; row left out", self->ncols, ls.field));
  else if (ls.extra_nonempty > 0)
    {
      g_clear_pointer (&ls.problem, cs_csv_problem_free);
      line_problem (&ls, self->ncols + 1, NULL,
                    g_strdup_printf ("expected %zu fields, found %zu (an unquoted delimiter or a thousands "
                                     "separator?); row left out", self->ncols, ls.field));
    }
  if (ls.problem != NULL)
    {
      g_ptr_array_add (problems, ls.problem);
      cs_csv_follow_row_free (ls.row);
      return;
    }
  g_ptr_array_add (rows, ls.row);
}

CsCsvFollowStatus
cs_csv_follower_poll (CsCsvFollower *self,
                      GPtrArray     *rows,
                      GPtrArray     *problems,
                      GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *buf = NULL;
  goffset size;
  guint64 inode;
  gsize want, got = 0, prefix_len;
  const char *p, *e;

  g_return_val_if_fail (self->loaded, CS_CSV_FOLLOW_ERROR);
  if (!file_identity (self->path, &size, &inode, error))
    return CS_CSV_FOLLOW_ERROR;
  if (inode != self->inode || size < self->offset)
    return CS_CSV_FOLLOW_REWRITTEN;
  prefix_len = g_bytes_get_size (self->prefix);
  file = g_file_new_for_path (self->path);
  in = g_file_read (file, NULL, error);
  if (in == NULL)
    return CS_CSV_FOLLOW_ERROR;
  /* The first bytes again (a rewrite of the same or a larger size), then what was appended. */
  if (prefix_len > 0)
    {
      g_autofree char *head = g_malloc (prefix_len);
      gsize n = 0;

      if (!g_input_stream_read_all (G_INPUT_STREAM (in), head, prefix_len, &n, NULL, error))
        return CS_CSV_FOLLOW_ERROR;
      if (n != prefix_len || memcmp (head, g_bytes_get_data (self->prefix, NULL), prefix_len) != 0)
        return CS_CSV_FOLLOW_REWRITTEN;
    }
  if (size == self->offset + (goffset) 0 && self->pending->len == 0)
    return CS_CSV_FOLLOW_NOTHING;
  want = (gsize) MIN ((goffset) POLL_MAX_BYTES, size - self->offset);
  if (want > 0)
    {
      if (!g_seekable_seek (G_SEEKABLE (in), self->offset, G_SEEK_SET, NULL, error))
        return CS_CSV_FOLLOW_ERROR;
      buf = g_malloc (want);
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), buf, want, &got, NULL, error))
        return CS_CSV_FOLLOW_ERROR;
    }
  /* pending holds the bytes after offset already seen; only what lies beyond them is new. */
  if (got < self->pending->len || memcmp (buf, self->pending->str, self->pending->len) != 0)
    return CS_CSV_FOLLOW_REWRITTEN;   /* the half-written line changed under us, not only grew */
  p = buf;
  e = buf + got;
  {
    gsize before_rows = rows->len, before_problems = problems->len;
    const char *nl;

    while ((nl = memchr (p, '\n', (gsize) (e - p))) != NULL)
      {
        self->lines++;
        parse_line (self, p, (gsize) (nl - p), self->lines, rows, problems);
        self->offset += (goffset) (nl - p) + 1;
        p = nl + 1;
      }
    g_string_assign (self->pending, "");
    g_string_append_len (self->pending, p, (gssize) (e - p));
    return rows->len > before_rows || problems->len > before_problems ? CS_CSV_FOLLOW_ROWS
                                                                       : CS_CSV_FOLLOW_NOTHING;
  }
}
