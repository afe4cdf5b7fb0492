/* cs-csv-loader.c: streaming CSV import through libcsv with dialect detection and a problems report. */
#define G_LOG_DOMAIN "cs-csv-loader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <glib/gstdio.h>

#include "cs-csv-loader.h"
#include "cs-datetime.h"
#include "cs-csv-number.h"
#include "cs-data-error.h"
#include "cs-fast-float.h"

#define CHUNK_SIZE       (1 << 20)       /* bytes handed to libcsv at a time */
#define SNIFF_SIZE       (64 << 10)      /* first bytes used for detection */
#define SNIFF_MAX        (16 << 20)      /* detection grows up to this for very long lines */
#define SAMPLE_ROWS      1000            /* rows used to decide column types */
#define DELIM_ROWS       200             /* rows used to pick the delimiter */
#define BLOCK_BYTES      ((gsize) 4 << 20)
#define PARALLEL_MIN     ((goffset) 4 << 20)
#define MAX_PROBLEMS     10000
#define SHA256_MAX       ((goffset) 16 << 20)
#define LIBCSV_ROW_NOT_BEGUN 0           /* libcsv's parser state between rows */

static const char * const default_na[] = {
  "", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#N/A", "None", NULL
};

/* ------------------------------------------------------------------------- */
/* Numbers */

CsNumberStatus
cs_parse_number (const char *s,
                 gsize       len,
                 char        decimal_point,
                 double     *value)
{
  const char *b = s, *e = s + len;
  size_t used;

  while (b < e && (*b == ' ' || *b == '\t'))
    b++;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
    e--;
  if (b == e)
    return CS_NUMBER_INVALID;
  /* fast_float follows from_chars and refuses a leading '+'; strtod takes it. */
  if (*b == '+' && e - b > 1 && b[1] != '-' && b[1] != '+')
    b++;
  used = cs_fast_float_parse (b, e, decimal_point, value);
  if (used == 0 || used != (size_t) (e - b))
    return CS_NUMBER_INVALID;
  if (!isfinite (*value))
    return CS_NUMBER_NOT_FINITE;
  return CS_NUMBER_OK;
}

/* ------------------------------------------------------------------------- */
/* Options, report */

void
cs_csv_options_init (CsCsvOptions *options)
{
  memset (options, 0, sizeof *options);
  options->delimiter = 0;
  options->decimal_comma = -1;
  options->header = -1;
}

const char *
cs_column_role_name (CsColumnRole role)
{
  switch (role)
    {
    case CS_ROLE_FEATURE: return "feature";
    case CS_ROLE_TARGET: return "target";
    case CS_ROLE_LABEL: return "label";
    case CS_ROLE_IGNORED: return "ignored";
    case CS_ROLE_CATEGORY: return "category";
    case CS_ROLE_AUTO:
    default: return "auto";
    }
}

static void
problem_free (gpointer data)
{
  CsCsvProblem *p = data;

  g_free (p->column_name);
  g_free (p->expected);
  g_free (p->found);
  g_free (p->message);
  g_free (p);
}

static void
column_free (gpointer data)
{
  CsCsvColumn *c = data;

  g_free (c->name);
  g_free (c->unit);
  g_free (c);
}

void
cs_csv_report_free (CsCsvReport *report)
{
  if (report == NULL)
    return;
  g_free (report->source);
  g_free (report->encoding);
  g_ptr_array_unref (report->columns);
  g_ptr_array_unref (report->problems);
  g_free (report);
}

static CsCsvReport *
report_new (const char *source)
{
  CsCsvReport *r = g_new0 (CsCsvReport, 1);

  r->source = g_strdup (source);
  r->encoding = g_strdup ("UTF-8");
  r->delimiter = ',';
  r->columns = g_ptr_array_new_with_free_func (column_free);
  r->problems = g_ptr_array_new_with_free_func (problem_free);
  return r;
}

static CsCsvProblem *
problem_new (guint       line,
             guint       column,
             const char *column_name,
             const char *expected,
             const char *found,
             gboolean    warning,
             char       *message)
{
  CsCsvProblem *p = g_new0 (CsCsvProblem, 1);

  p->line = line;
  p->column = column;
  p->column_name = g_strdup (column_name);
  p->expected = g_strdup (expected);
  p->found = g_strdup (found);
  p->warning = warning;
  p->message = message;
  return p;
}

/* A short, printable rendering of a cell for messages. */
static char *
shorten (const char *s,
         gsize       len)
{
  GString *out = g_string_new (NULL);
  gsize max = 40;

  for (gsize i = 0; i < len && out->len < max; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  if (len > max)
    g_string_append (out, "…");
  if (!g_utf8_validate (out->str, -1, NULL))
    {
      char *fixed = g_utf8_make_valid (out->str, -1);
      g_string_free (out, TRUE);
      return fixed;
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------- */
/* Input: a file descriptor read in chunks with pread, or bytes in memory. */

typedef struct
{
  int fd;                   /* -1 for memory */
  const guint8 *mem;
  goffset size;             /* total bytes */
  goffset start;            /* first byte after a BOM */
} Source;

/* Returns a pointer to up to len bytes at off: into mem, or read into buf. */
static const char *
source_read (const Source *src,
             goffset       off,
             gsize         len,
             char         *buf,
             gsize        *got,
             GError      **error)
{
  if (off >= src->size)
    {
      *got = 0;
      return buf;
    }
  len = (gsize) MIN ((goffset) len, src->size - off);
  if (src->fd < 0)
    {
      *got = len;
      return (const char *) src->mem + off;
    }
  {
    gsize done = 0;
    while (done < len)
      {
        ssize_t r = pread (src->fd, buf + done, len - done, off + (goffset) done);
        if (r < 0 && errno == EINTR)
          continue;
        if (r < 0)
          {
            int saved = errno;
            g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "cannot read: %s", g_strerror (saved));
            return NULL;
          }
        if (r == 0)
          break;
        done += (gsize) r;
      }
    *got = done;
    return buf;
  }
}

/* ------------------------------------------------------------------------- */
/* Detection on the first rows (the "sniff"): rows of strings. */

typedef struct
{
  GPtrArray *rows;          /* of GPtrArray of char* */
  GPtrArray *cur;
  gsize max_rows;
  gboolean full;
} Sniff;

static void
sniff_field (void  *s,
             size_t len,
             void  *data)
{
  Sniff *sn = data;

  if (sn->full)
    return;
  if (sn->cur == NULL)
    sn->cur = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sn->cur, s != NULL ? g_strndup (s, len) : g_strdup (""));
}

static void
sniff_row (int   term,
           void *data)
{
  Sniff *sn = data;

  if (sn->cur == NULL || sn->full)
    return;                  /* blank line */
  g_ptr_array_add (sn->rows, sn->cur);
  sn->cur = NULL;
  if (sn->rows->len >= sn->max_rows)
    sn->full = TRUE;
}

static void
parser_init (struct csv_parser *p,
             char               delim,
             gboolean           strict_fini)
{
  csv_init (p, CSV_STRICT | CSV_REPALL_NL | CSV_EMPTY_IS_NULL
               | (strict_fini ? CSV_STRICT_FINI : 0));
  /* Debian's libcsv 3.0.3 never takes the delimiter for a space, so tab files keep
   * their empty fields with the default (inline) space test. */
  csv_set_delim (p, (unsigned char) delim);
}

/* Rows of the sniff buffer with this delimiter (a parse error ends the sample). */
static GPtrArray *
sniff_parse (const char *buf,
             gsize       len,
             gboolean    complete,
             char        delim,
             gsize       max_rows)
{
  struct csv_parser p;
  Sniff sn = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref), NULL, max_rows, FALSE };
  size_t used;

  parser_init (&p, delim, FALSE);
  used = csv_parse (&p, buf, len, sniff_field, sniff_row, &sn);
  if (used == len && complete)
    csv_fini (&p, sniff_field, sniff_row, &sn);
  csv_free (&p);
  if (sn.cur != NULL)
    g_ptr_array_unref (sn.cur);
  return sn.rows;
}

/* ------------------------------------------------------------------------- */
/* The plan: what every column becomes, decided from the sample. */

enum { KIND_SKIP = 0, KIND_NUMERIC, KIND_LABEL, KIND_CATEGORY };

typedef struct
{
  char delim;
  char decimal_point;
  gboolean header;
  gboolean strict;
  gsize ncols;
  gsize d;                  /* features; the target is slot d */
  gsize width;              /* d + 1 */
  int *kind;                /* ncols */
  int *slot;                /* ncols: 0..d-1 feature, d target, -1 none */
  char **names;             /* ncols display names */
  char **units;             /* ncols */
  CsColumnRole *roles;      /* ncols */
  gboolean *numeric;        /* ncols: detected type */
  gboolean *datetime;       /* ncols: text whose sampled values are all ISO 8601 date-times */
  gboolean *few_levels;     /* ncols: text with at most CS_CATEGORY_MAX_LEVELS distinct sampled values */
  gboolean *cat_auto;       /* ncols: a category by the loader's rule (not the caller's): checked again on the
                             * whole file (levels < CS_CATEGORY_MAX_SHARE of the rows) after the parse */
  gsize n_cat;              /* category columns; slot[j] is the index of column j among them */
  gssize target_col;
  gssize label_col;
  char **na;                /* NA tokens */
  gsize *na_len;
  gsize n_na;
  gboolean na_numeric;      /* an NA token reads as a number (-999): check NA first */
} Plan;

static void
plan_free (Plan *plan)
{
  g_free (plan->kind);
  g_free (plan->slot);
  g_strfreev (plan->names);
  g_strfreev (plan->units);
  g_free (plan->roles);
  g_free (plan->numeric);
  g_free (plan->datetime);
  g_free (plan->few_levels);
  g_free (plan->cat_auto);
  g_strfreev (plan->na);
  g_free (plan->na_len);
}

static gboolean
plan_is_na (const Plan *plan,
            const char *s,
            gsize       len)
{
  while (len > 0 && (*s == ' ' || *s == '\t'))
    s++, len--;
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  for (gsize i = 0; i < plan->n_na; i++)
    if (plan->na_len[i] == len && memcmp (plan->na[i], s, len) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------- */
/* Value storage: the final layout (features row-major, targets, lines) grown by
 * doubling; glibc moves large blocks with mremap, so growth copies nothing and
 * only written pages count. A row hash per case makes the duplicate check cheap. */

typedef struct
{
  gsize d;
  gsize n;                  /* committed rows */
  gsize cap;
  double *x;                /* cap * d */
  double *y;                /* cap */
  guint *lines;             /* cap */
  guint32 *hash;            /* cap */
  double *xnext;            /* x + n * d */
  double *ynext;            /* y + n */
} Store;

static gboolean
store_grow (Store *st)
{
  gsize cap = st->cap == 0 ? MAX (16, 8192 / (st->d + 1)) : st->cap * 2;
  double *x = g_try_realloc (st->x, MAX (cap * st->d, 1) * sizeof (double));

  if (x == NULL)
    return FALSE;
  st->x = x;
  if ((st->y = g_try_realloc (st->y, cap * sizeof (double))) == NULL
      || (st->lines = g_try_realloc (st->lines, cap * sizeof (guint))) == NULL
      || (st->hash = g_try_realloc (st->hash, cap * sizeof (guint32))) == NULL)
    return FALSE;
  st->cap = cap;
  st->xnext = st->x + st->n * st->d;
  st->ynext = st->y + st->n;
  return TRUE;
}

static gboolean
store_init (Store *st,
            gsize  d)
{
  memset (st, 0, sizeof *st);
  st->d = d;
  return store_grow (st);
}

static guint32
row_hash (const double *x,
          gsize         d,
          double        y)
{
  guint64 h = 1469598103934665603ull;

  for (gsize j = 0; j <= d; j++)
    {
      double v = (j < d ? x[j] : y) + 0.0;   /* -0 and 0 hash alike */
      guint64 bits;
      memcpy (&bits, &v, sizeof bits);
      h = (h ^ bits) * 1099511628211ull;
      h ^= h >> 29;
    }
  return (guint32) (h ^ (h >> 32));
}

static gboolean
store_commit (Store *st,
              guint  line)
{
  st->hash[st->n] = row_hash (st->xnext, st->d, *st->ynext);
  st->lines[st->n] = line;
  st->n++;
  st->xnext += st->d;
  st->ynext++;
  return st->n < st->cap || store_grow (st);
}

/* memcpy that hands the source pages back to the kernel as it goes, so that
 * appending the second range never holds both copies. */
static void
copy_release (void       *dst,
              void       *src,
              gsize       bytes)
{
  const gsize step = (gsize) 8 << 20;
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  guintptr released = ((guintptr) src + page - 1) & ~(guintptr) (page - 1);

  for (gsize off = 0; off < bytes; off += step)
    {
      gsize len = MIN (step, bytes - off);
      guintptr end;

      memcpy ((char *) dst + off, (char *) src + off, len);
      end = ((guintptr) src + off + len) & ~(guintptr) (page - 1);
      if (end > released)
        {
          madvise ((void *) released, end - released, MADV_DONTNEED);
          released = end;
        }
    }
}

static void
store_clear (Store *st)
{
  g_clear_pointer (&st->x, g_free);
  g_clear_pointer (&st->y, g_free);
  g_clear_pointer (&st->lines, g_free);
  g_clear_pointer (&st->hash, g_free);
}

/* ------------------------------------------------------------------------- */
/* A worker parses one byte range with its own libcsv parser. */

typedef struct
{
  const Plan *plan;
  struct csv_parser p;
  gboolean skip_header;     /* the first row of this range is the header */

  guint line;               /* physical line where the current row starts (relative for range 2) */
  guint row_breaks;         /* line breaks inside quoted fields of the current row so far */
  int prev_term;
  gsize field;
  gboolean row_bad;
  gsize extra_nonempty;
  gsize extra_empty;
  char *label;

  Store store;
  GPtrArray *labels;        /* char* */
  GPtrArray **cats;         /* plan->n_cat arrays of char*: each row's value ("" when missing) */
  char **cat_cur;           /* plan->n_cat: the current row's values */

  gsize rows_read;
  gsize *missing;           /* ncols */
  gsize *bad;               /* ncols */
  GPtrArray *problems;
  gsize problems_dropped;
  guint trailing_line;      /* first line with ignored trailing delimiters, 0 none */
  guint latin1_line, latin1_col;

  gboolean stop;            /* strict failure or fatal error */
  gboolean stop_counted;
  int fail_code;            /* CsDataError of the failure */
  gboolean oom;
  gboolean skip_to_eol;     /* lenient recovery after a syntax error */
} Worker;

static void
worker_init (Worker     *w,
             const Plan *plan,
             gboolean    skip_header)
{
  memset (w, 0, sizeof *w);
  w->plan = plan;
  w->skip_header = skip_header;
  w->line = 1;
  parser_init (&w->p, plan->delim, TRUE);
  if (!store_init (&w->store, plan->d))
    w->oom = w->stop = TRUE;
  w->labels = plan->label_col >= 0 ? g_ptr_array_new_with_free_func (g_free) : NULL;
  w->cats = g_new0 (GPtrArray *, plan->n_cat + 1);
  w->cat_cur = g_new0 (char *, plan->n_cat + 1);
  for (gsize c = 0; c < plan->n_cat; c++)
    w->cats[c] = g_ptr_array_new_with_free_func (g_free);
  w->missing = g_new0 (gsize, plan->ncols);
  w->bad = g_new0 (gsize, plan->ncols);
  w->problems = g_ptr_array_new_with_free_func (problem_free);
}

static void
worker_clear (Worker *w)
{
  csv_free (&w->p);
  store_clear (&w->store);
  if (w->labels != NULL)
    g_ptr_array_unref (w->labels);
  for (gsize c = 0; w->cats != NULL && c < w->plan->n_cat; c++)
    {
      g_ptr_array_unref (w->cats[c]);
      g_free (w->cat_cur[c]);
    }
  g_free (w->cats);
  g_free (w->cat_cur);
  g_free (w->missing);
  g_free (w->bad);
  if (w->problems != NULL)
    g_ptr_array_unref (w->problems);
  g_free (w->label);
}

static guint
count_breaks (const char *s,
              gsize       len)
{
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
      n++;
  return n;
}

static void
worker_problem (Worker     *w,
                guint       line,
                gsize       col,
                const char *expected,
                const char *found,
                int         code,
                char       *message)
{
  const Plan *plan = w->plan;
  const char *name = col >= 1 && col <= plan->ncols ? plan->names[col - 1] : NULL;

  if (plan->strict)
    {
      /* Strict mode stops here: no row is "left out". */
      char *tail = strstr (message, "; row left out");
      if (tail == NULL)
        tail = strstr (message, "; line left out");
      if (tail != NULL)
        *tail = '\0';
    }
  if (w->problems->len >= MAX_PROBLEMS)
    {
      w->problems_dropped++;
      g_free (message);
    }
  else
    g_ptr_array_add (w->problems, problem_new (line, (guint) col, name, expected, found, FALSE, message));
  if (plan->strict && !w->stop)
    {
      w->stop = TRUE;
      w->fail_code = code;
    }
}

static void
numeric_slow (Worker     *w,
              gsize       j,
              const char *s,
              gsize       len)
{
  const Plan *plan = w->plan;
  guint line = w->line + w->row_breaks;
  double v;
  CsNumberStatus status;

  if (s != NULL)
    w->row_breaks += count_breaks (s, len);
  if (s == NULL || plan_is_na (plan, s, len))
    {
      w->missing[j]++;
      w->row_bad = TRUE;
      if ((gssize) j == plan->target_col)
        worker_problem (w, line, j + 1, "a number", "", CS_DATA_ERROR_BAD_VALUE,
                        g_strdup_printf ("missing value in the target column “%s”; row left out",
                                         plan->names[j]));
      else
        worker_problem (w, line, j + 1, "a number", "", CS_DATA_ERROR_BAD_VALUE,
                        g_strdup_printf ("missing value in feature “%s”; row left out", plan->names[j]));
      return;
    }
  status = cs_parse_number (s, len, plan->decimal_point, &v);
  if (status == CS_NUMBER_OK)
    {
      if ((gsize) plan->slot[j] < plan->d)
        w->store.xnext[plan->slot[j]] = v;
      else
        *w->store.ynext = v;
      return;
    }
  {
    g_autofree char *found = shorten (s, len);
    w->bad[j]++;
    w->row_bad = TRUE;
    if (status == CS_NUMBER_NOT_FINITE)
      worker_problem (w, line, j + 1, "a finite number", found, CS_DATA_ERROR_BAD_VALUE,
                      g_strdup_printf ("“%s” in “%s” is not a finite number; row left out",
                                       found, plan->names[j]));
    else
      worker_problem (w, line, j + 1, "a number", found, CS_DATA_ERROR_BAD_VALUE,
                      g_strdup_printf ("expected a number in “%s”, found “%s”; row left out",
                                       plan->names[j], found));
  }
}

static void
on_field (void  *s,
          size_t len,
          void  *data)
{
  Worker *w = data;
  const Plan *plan = w->plan;
  gsize j = w->field++;

  if (G_UNLIKELY (w->stop || w->skip_header))
    {
      if (s != NULL)
        w->row_breaks += count_breaks (s, len);
      return;
    }
  if (G_LIKELY (j < plan->ncols))
    {
      int kind = plan->kind[j];

      if (G_LIKELY (kind == KIND_NUMERIC))
        {
          double v;
          if (G_LIKELY (s != NULL && len > 0 && !plan->na_numeric
                        && cs_fast_float_parse (s, (const char *) s + len, plan->decimal_point, &v) == len
                        && isfinite (v)))
            {
              int slot = plan->slot[j];
              if (G_LIKELY ((gsize) slot < plan->d))
                w->store.xnext[slot] = v;
              else
                *w->store.ynext = v;
            }
          else
            numeric_slow (w, j, s, len);
          return;
        }
      if (s == NULL)
        {
          if (kind == KIND_LABEL || kind == KIND_CATEGORY)
            w->missing[j]++;
          return;
        }
      w->row_breaks += count_breaks (s, len);
      if (kind == KIND_CATEGORY)
        {
          char **cur = &w->cat_cur[plan->slot[j]];
          g_free (*cur);
          *cur = NULL;
          if (plan_is_na (plan, s, len))
            w->missing[j]++;
          else
            *cur = g_strndup (s, len);
          return;
        }
      if (kind == KIND_LABEL)
        {
          g_free (w->label);
          if (plan_is_na (plan, s, len))
            {
              w->missing[j]++;
              w->label = NULL;
            }
          else
            w->label = g_strndup (s, len);
        }
      return;
    }
  if (s != NULL)
    {
      w->row_breaks += count_breaks (s, len);
      for (gsize i = 0; i < len; i++)
        if (((const char *) s)[i] != ' ' && ((const char *) s)[i] != '\t')
          {
            w->extra_nonempty++;
            return;
          }
    }
  w->extra_empty++;
}

static void
row_reset (Worker *w)
{
  w->field = 0;
  w->row_bad = FALSE;
  w->extra_nonempty = 0;
  w->extra_empty = 0;
  g_clear_pointer (&w->label, g_free);
  for (gsize c = 0; c < w->plan->n_cat; c++)
    g_clear_pointer (&w->cat_cur[c], g_free);
}

static void
on_row (int   term,
        void *data)
{
  Worker *w = data;
  const Plan *plan = w->plan;
  guint line = w->line;

  if (w->field == 0)
    {
      /* A blank line, or the LF of a CRLF. */
      if (!(term == '\n' && w->prev_term == '\r'))
        w->line++;
      w->prev_term = term == '\r' ? '\r' : 0;
      return;
    }
  w->prev_term = term;
  w->line += w->row_breaks + (term >= 0 ? 1 : 0);
  w->row_breaks = 0;
  if (w->skip_header && !w->stop)
    {
      w->skip_header = FALSE;
      row_reset (w);
      return;
    }
  if (w->stop)
    {
      /* The row that failed in strict mode was read; later rows are not. */
      if (!w->stop_counted)
        w->rows_read++;
      w->stop_counted = TRUE;
      row_reset (w);
      return;
    }
  w->rows_read++;
  if (w->field < plan->ncols)
    {
      worker_problem (w, line, w->field + 1, NULL, NULL, CS_DATA_ERROR_PARSE,
                        g_strdup_printf ("expected %zu fields, found %zu; row left out",
                                         plan->ncols, w->field));
      w->row_bad = TRUE;
    }
  else if (w->extra_nonempty > 0)
    {
      worker_problem (w, line, plan->ncols + 1, NULL, NULL, CS_DATA_ERROR_PARSE,
                      g_strdup_printf ("expected %zu fields, found %zu (an unquoted delimiter or a "
                                       "thousands separator?); row left out",
                                       plan->ncols, w->field));
      w->row_bad = TRUE;
    }
  else if (w->extra_empty > 0 && w->trailing_line == 0)
    w->trailing_line = line;

  if (!w->row_bad && !w->stop)
    {
      if (plan->label_col >= 0)
        {
          char *label = g_steal_pointer (&w->label);
          if (label == NULL)
            label = g_strdup ("");
          else if (!g_utf8_validate (label, -1, NULL))
            {
              char *conv = g_convert (label, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
              if (w->latin1_line == 0)
                {
                  w->latin1_line = line;
                  w->latin1_col = (guint) plan->label_col + 1;
                }
              g_free (label);
              label = conv != NULL ? conv : g_strdup ("?");
            }
          g_ptr_array_add (w->labels, label);
        }
      for (gsize c = 0; c < plan->n_cat; c++)
        {
          /* A missing value is the level "": its own level, so the row is kept and compared as such. */
          char *v = g_steal_pointer (&w->cat_cur[c]);
          if (v == NULL)
            v = g_strdup ("");
          else if (!g_utf8_validate (v, -1, NULL))
            {
              char *conv = g_convert (v, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
              if (w->latin1_line == 0)
                for (gsize j = 0; j < plan->ncols; j++)
                  if (plan->kind[j] == KIND_CATEGORY && (gsize) plan->slot[j] == c)
                    {
                      w->latin1_line = line;
                      w->latin1_col = (guint) j + 1;
                    }
              g_free (v);
              v = conv != NULL ? conv : g_strdup ("?");
            }
          g_ptr_array_add (w->cats[c], v);
        }
      if (!store_commit (&w->store, line))
        w->oom = w->stop = TRUE;
    }
  if (w->stop)
    w->stop_counted = TRUE;
  row_reset (w);
}

/* Lenient recovery after a libcsv syntax error at buf[pos]: the rest of the line is skipped. */
static void
worker_syntax_error (Worker     *w,
                     const char *what)
{
  const Plan *plan = w->plan;
  guint line = w->line + w->row_breaks + count_breaks ((const char *) w->p.entry_buf, w->p.entry_pos);

  worker_problem (w, line, w->field + 1, "RFC 4180 quoting", NULL, CS_DATA_ERROR_PARSE,
                  g_strdup (what));
  w->rows_read++;
  w->stop_counted = w->stop;
  /* The skipped part belongs to the physical line of the error. */
  w->line = line;
  w->row_breaks = 0;
  row_reset (w);
  csv_free (&w->p);
  parser_init (&w->p, plan->delim, TRUE);
  w->skip_to_eol = TRUE;
}

/* Feeds one chunk; returns FALSE when the worker must stop. */
static gboolean
worker_feed (Worker     *w,
             const char *buf,
             gsize       len)
{
  while (len > 0 && !w->stop)
    {
      size_t used;

      if (w->skip_to_eol)
        {
          gsize i = 0;
          while (i < len && buf[i] != '\n' && buf[i] != '\r')
            i++;
          if (i == len)
            return TRUE;
          w->skip_to_eol = FALSE;
          w->prev_term = buf[i] == '\r' ? '\r' : 0;
          w->line++;
          buf += i + 1;
          len -= i + 1;
          continue;
        }
      used = csv_parse (&w->p, buf, len, on_field, on_row, w);
      if (used == len)
        break;
      if (csv_error (&w->p) == CSV_EPARSE)
        {
          worker_syntax_error (w, "a quote character inside a field that is not quoted, or text after "
                                  "a closing quote (RFC 4180: quote the whole field and double inner "
                                  "quotes); line left out");
          buf += used;
          len -= used;
          continue;
        }
      w->oom = TRUE;
      w->stop = TRUE;
    }
  return !w->stop;
}

/* End of input: flushes a last row without a final newline; an unterminated quote is fatal. */
static void
worker_finish (Worker *w)
{
  if (w->stop || w->skip_to_eol)
    return;
  if (csv_fini (&w->p, on_field, on_row, w) != 0)
    {
      /* Fatal in both modes: everything after the quote would silently become one field. */
      guint line = w->line + w->row_breaks;
      g_ptr_array_add (w->problems,
                       problem_new (line, (guint) w->field + 1,
                                    w->field < w->plan->ncols ? w->plan->names[w->field] : NULL,
                                    "a closing quote", "end of file", FALSE,
                                    g_strdup ("this quoted field is never closed; the rest of the "
                                              "file is inside it")));
      w->rows_read++;
      w->stop = TRUE;
      w->fail_code = CS_DATA_ERROR_PARSE;
    }
}

/* ------------------------------------------------------------------------- */
/* Parallel parse of the second half (speculative: valid only if the split is a row boundary). */

typedef struct
{
  Worker w;
  const Source *src;
  goffset start, end;
  gsize done;               /* atomically updated bytes done */
  gint abort;
  GCancellable *cancellable;
  GError *error;
} Range;

static gpointer
range_thread (gpointer data)
{
  Range *r = data;
  char *buf = r->src->fd >= 0 ? g_malloc (CHUNK_SIZE) : NULL;

  for (goffset off = r->start; off < r->end;)
    {
      gsize got;
      const char *chunk;

      if (g_atomic_int_get (&r->abort) || g_cancellable_is_cancelled (r->cancellable))
        break;
      chunk = source_read (r->src, off, (gsize) MIN ((goffset) CHUNK_SIZE, r->end - off), buf, &got, &r->error);
      if (chunk == NULL || got == 0)
        break;
      if (!worker_feed (&r->w, chunk, got))
        break;
      off += (goffset) got;
      g_atomic_pointer_set (&r->done, (gsize) (off - r->start));
    }
  if (!g_atomic_int_get (&r->abort) && r->error == NULL)
    worker_finish (&r->w);
  g_free (buf);
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* Detection */

static char
pick_delimiter (const char *buf,
                gsize       len,
                gboolean    complete)
{
  static const char candidates[] = { ';', '\t', '|', ',' };
  char best = ',';
  gsize best_score = 0, best_cols = 1;

  for (gsize c = 0; c < G_N_ELEMENTS (candidates); c++)
    {
      g_autoptr(GPtrArray) rows = sniff_parse (buf, len, complete, candidates[c], DELIM_ROWS);
      g_autoptr(GHashTable) freq = g_hash_table_new (NULL, NULL);
      gsize mode = 0, mode_n = 0;

      for (guint i = 0; i < rows->len; i++)
        {
          gsize k = ((GPtrArray *) rows->pdata[i])->len;
          gsize f = GPOINTER_TO_SIZE (g_hash_table_lookup (freq, GSIZE_TO_POINTER (k))) + 1;
          g_hash_table_insert (freq, GSIZE_TO_POINTER (k), GSIZE_TO_POINTER (f));
          if (f > mode_n || (f == mode_n && k > mode))
            mode = k, mode_n = f;
        }
      if (mode <= 1)
        continue;
      /* Most rows with the same field count wins; earlier candidates win ties
       * (a ';' file with decimal commas is also consistent with ','). */
      if (mode_n > best_score || (mode_n == best_score && mode > best_cols && best == ','))
        {
          best = candidates[c];
          best_score = mode_n;
          best_cols = mode;
        }
    }
  return best;
}

static gboolean
looks_numeric (const char *s,
               char        decimal_point)
{
  double v;
  return cs_parse_number (s, strlen (s), decimal_point, &v) == CS_NUMBER_OK;
}

static gboolean
is_na_default_or (const Plan *plan,
                  const char *s)
{
  return plan_is_na (plan, s, strlen (s));
}

static gssize
find_column (const Plan *plan,
             char      **full_headers,
             const char *name)
{
  for (gsize j = 0; j < plan->ncols; j++)
    if (g_strcmp0 (plan->names[j], name) == 0 || g_strcmp0 (full_headers[j], name) == 0)
      return (gssize) j;
  for (gsize j = 0; j < plan->ncols; j++)
    if (g_ascii_strcasecmp (plan->names[j], name) == 0 || g_ascii_strcasecmp (full_headers[j], name) == 0)
      return (gssize) j;
  return -1;
}

static void
report_add (CsCsvReport *report,
            guint        line,
            guint        column,
            const char  *column_name,
            gboolean     warning,
            char        *message)
{
  g_ptr_array_add (report->problems, problem_new (line, column, column_name, NULL, NULL, warning, message));
}

/* Builds the plan from the sampled rows. Returns FALSE with error when nothing can be read. */
static gboolean
make_plan (Plan               *plan,
           GPtrArray          *rows,
           const CsCsvOptions *options,
           CsCsvReport        *report,
           const char         *display,
           GError            **error)
{
  GPtrArray *first = rows->pdata[0];
  g_auto(GStrv) full = NULL;
  gsize data0;
  g_autofree gboolean *explicit_role = NULL;
  g_autoptr(GHashTable) seen = NULL;

  /* Decimal comma: proposed with a non-comma delimiter when more numbers look like 1,5 than like 1.5. */
  if (options->decimal_comma >= 0)
    plan->decimal_point = options->decimal_comma ? ',' : '.';
  else
    {
      gsize comma = 0, dot = 0;
      if (plan->delim != ',')
        for (guint i = 0; i < rows->len; i++)
          {
            GPtrArray *r = rows->pdata[i];
            for (guint j = 0; j < r->len; j++)
              {
                const char *s = r->pdata[j];
                if (strchr (s, ',') != NULL && looks_numeric (s, ','))
                  comma++;
                else if (strchr (s, '.') != NULL && looks_numeric (s, '.'))
                  dot++;
              }
          }
      /* Most numbers decide: a stray "-3.5" label must not flip a decimal-comma file. */
      plan->decimal_point = comma > dot ? ',' : '.';
    }

  /* Header: a first row with text and no number. */
  if (options->header >= 0)
    plan->header = options->header != 0;
  else
    {
      gboolean any_num = FALSE, any_text = FALSE;
      for (guint j = 0; j < first->len; j++)
        {
          const char *s = first->pdata[j];
          if (looks_numeric (s, plan->decimal_point))
            any_num = TRUE;
          else if (s[strspn (s, " \t")] != '\0')
            any_text = TRUE;
        }
      plan->header = any_text && !any_num;
    }

  /* Number of columns: the header's (trailing empty names dropped), or the most common count. */
  if (plan->header)
    {
      gsize k = first->len;
      while (k > 1 && *(const char *) first->pdata[k - 1] == '\0')
        k--;
      if (k < first->len)
        report_add (report, 1, (guint) k + 1, NULL, TRUE,
                    g_strdup_printf ("the header ends with %u empty name(s) (trailing delimiter); "
                                     "those fields are ignored", first->len - (guint) k));
      plan->ncols = k;
      data0 = 1;
    }
  else
    {
      g_autoptr(GHashTable) freq = g_hash_table_new (NULL, NULL);
      gsize mode = first->len, mode_n = 0;
      for (guint i = 0; i < rows->len; i++)
        {
          gsize k = ((GPtrArray *) rows->pdata[i])->len;
          gsize f = GPOINTER_TO_SIZE (g_hash_table_lookup (freq, GSIZE_TO_POINTER (k))) + 1;
          g_hash_table_insert (freq, GSIZE_TO_POINTER (k), GSIZE_TO_POINTER (f));
          if (f > mode_n)
            mode = k, mode_n = f;
        }
      plan->ncols = mode;
      data0 = 0;
    }

  plan->kind = g_new0 (int, plan->ncols);
  plan->slot = g_new (int, plan->ncols);
  plan->names = g_new0 (char *, plan->ncols + 1);
  plan->units = g_new0 (char *, plan->ncols + 1);
  plan->roles = g_new0 (CsColumnRole, plan->ncols);
  plan->numeric = g_new0 (gboolean, plan->ncols);
  plan->datetime = g_new0 (gboolean, plan->ncols);
  plan->few_levels = g_new0 (gboolean, plan->ncols);
  plan->cat_auto = g_new0 (gboolean, plan->ncols);
  full = g_new0 (char *, plan->ncols + 1);
  explicit_role = g_new0 (gboolean, plan->ncols);
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  /* Names: split units, repair empty and duplicate names. */
  for (gsize j = 0; j < plan->ncols; j++)
    {
      const char *h = plan->header && j < first->len ? first->pdata[j] : "";
      char *name, *unit;

      plan->slot[j] = -1;
      if (!g_utf8_validate (h, -1, NULL))
        {
          char *conv = g_convert (h, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
          full[j] = conv != NULL ? conv : g_utf8_make_valid (h, -1);
          if (g_strcmp0 (report->encoding, "UTF-8") == 0)
            {
              g_free (report->encoding);
              report->encoding = g_strdup ("ISO-8859-1");
              report_add (report, 1, (guint) j + 1, NULL, TRUE,
                          g_strdup ("invalid UTF-8 in the header; text read as Latin-1 (ISO-8859-1)"));
            }
        }
      else
        full[j] = g_strdup (h);
      cs_split_name_unit (full[j], &name, &unit);
      if (*name == '\0')
        {
          g_free (name);
          name = g_strdup_printf ("column %zu", j + 1);
          if (plan->header)
            report_add (report, 1, (guint) j + 1, NULL, TRUE,
                        g_strdup_printf ("column %zu has no name; called “%s”", j + 1, name));
        }
      if (g_hash_table_contains (seen, name))
        {
          gsize k = GPOINTER_TO_SIZE (g_hash_table_lookup (seen, name));
          char *uniq = NULL;
          for (int sfx = 2; uniq == NULL; sfx++)
            {
              char *cand = g_strdup_printf ("%s_%d", name, sfx);
              if (g_hash_table_contains (seen, cand))
                g_free (cand);
              else
                uniq = cand;
            }
          report_add (report, 1, (guint) j + 1, NULL, TRUE,
                      g_strdup_printf ("column name “%s” repeats column %zu; renamed “%s”",
                                       name, k + 1, uniq));
          g_free (name);
          name = uniq;
        }
      g_hash_table_insert (seen, name, GSIZE_TO_POINTER (j));
      plan->names[j] = name;
      plan->units[j] = unit;
    }

  /* Types from the sample. */
  for (gsize j = 0; j < plan->ncols; j++)
    {
      gsize num = 0, text = 0, dates = 0;
      g_autoptr(GHashTable) distinct = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = (guint) data0; i < rows->len; i++)
        {
          GPtrArray *r = rows->pdata[i];
          const char *s;
          if (j >= r->len)
            continue;
          s = r->pdata[j];
          if (is_na_default_or (plan, s))
            continue;
          if (g_hash_table_size (distinct) <= CS_CATEGORY_MAX_LEVELS)
            g_hash_table_add (distinct, (gpointer) s);
          if (looks_numeric (s, plan->decimal_point))
            num++;
          else
            {
              double when;
              text++;
              dates += cs_parse_datetime (s, &when);
            }
        }
      if (num > 0 && num >= text)
        plan->numeric[j] = TRUE;
      else if (text > 0 && num == 0 && dates == text)
        plan->datetime[j] = TRUE;
      else if (num == 0 && text == 0)
        plan->roles[j] = CS_ROLE_IGNORED;  /* no value at all: decided below */
      /* Few distinct values for many rows: a line, a shift, a supplier (a category), not a name. The sample
       * (at most SAMPLE_ROWS rows) names the candidates; the share of the rows is checked on the whole file
       * after the parse, since 50 levels are never fewer than 5 % of a 1,000-row sample. */
      if (!plan->numeric[j] && !plan->datetime[j] && text > 0)
        plan->few_levels[j] = g_hash_table_size (distinct) <= CS_CATEGORY_MAX_LEVELS;
    }

  /* Role overrides by name. */
  for (gsize i = 0; options->role_names != NULL && options->roles != NULL && options->role_names[i] != NULL; i++)
    {
      gssize j = find_column (plan, full, options->role_names[i]);
      if (j < 0)
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN,
                       "%s: there is no column “%s”", display, options->role_names[i]);
          return FALSE;
        }
      plan->roles[j] = options->roles[i];
      explicit_role[j] = options->roles[i] != CS_ROLE_AUTO;
    }

  /* Target. */
  plan->target_col = -1;
  if (options->target != NULL)
    {
      plan->target_col = find_column (plan, full, options->target);
      if (plan->target_col < 0)
        {
          GString *names = g_string_new (NULL);
          for (gsize j = 0; j < plan->ncols; j++)
            g_string_append_printf (names, "%s“%s”", j > 0 ? ", " : "", plan->names[j]);
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MISSING_COLUMN,
                       "%s: there is no column “%s” (columns: %s)", display, options->target, names->str);
          g_string_free (names, TRUE);
          return FALSE;
        }
    }
  for (gsize j = 0; j < plan->ncols && plan->target_col < 0; j++)
    if (plan->roles[j] == CS_ROLE_TARGET && explicit_role[j])
      plan->target_col = (gssize) j;
  if (plan->target_col < 0)
    {
      static const char * const likely[] = { "target", "outcome", "y", NULL };
      for (gsize k = 0; likely[k] != NULL && plan->target_col < 0; k++)
        for (gsize j = 0; j < plan->ncols; j++)
          if (plan->numeric[j] && !explicit_role[j] && g_ascii_strcasecmp (plan->names[j], likely[k]) == 0)
            {
              plan->target_col = (gssize) j;
              break;
            }
    }
  if (plan->target_col < 0)
    for (gssize j = (gssize) plan->ncols - 1; j >= 0; j--)
      if (plan->numeric[j] && !explicit_role[j])
        {
          plan->target_col = j;
          break;
        }

  /* Final roles. */
  plan->label_col = -1;
  for (gsize j = 0; j < plan->ncols; j++)
    {
      CsColumnRole role = plan->roles[j];

      if ((gssize) j == plan->target_col)
        role = CS_ROLE_TARGET;
      else if (explicit_role[j] && role == CS_ROLE_TARGET)
        role = CS_ROLE_FEATURE;       /* a second target: keep it as a feature */
      else if (!explicit_role[j])
        {
          if (role == CS_ROLE_IGNORED)
            report_add (report, 0, (guint) j + 1, plan->names[j], TRUE,
                        g_strdup_printf ("column “%s” has no values; ignored", plan->names[j]));
          else
            role = plan->numeric[j] ? CS_ROLE_FEATURE : plan->few_levels[j] ? CS_ROLE_CATEGORY : CS_ROLE_LABEL;
          plan->cat_auto[j] = role == CS_ROLE_CATEGORY;
        }
      else if (role == CS_ROLE_FEATURE && !plan->numeric[j] && plan->few_levels[j])
        role = CS_ROLE_CATEGORY;      /* named as a feature (--features): a text feature is a category */
      if (role == CS_ROLE_LABEL)
        {
          if (plan->label_col < 0)
            plan->label_col = (gssize) j;
          else
            {
              role = CS_ROLE_IGNORED;
              report_add (report, 0, (guint) j + 1, plan->names[j], TRUE,
                          g_strdup_printf ("text column “%s” ignored: only one label column (“%s”) is kept",
                                           plan->names[j], plan->names[plan->label_col]));
            }
        }
      plan->roles[j] = role;
      if (role == CS_ROLE_FEATURE)
        {
          plan->slot[j] = (int) plan->d++;
          plan->kind[j] = KIND_NUMERIC;
        }
      else if (role == CS_ROLE_LABEL)
        plan->kind[j] = KIND_LABEL;
      else if (role == CS_ROLE_CATEGORY)
        {
          plan->slot[j] = (int) plan->n_cat++;
          plan->kind[j] = KIND_CATEGORY;
        }
    }
  if (plan->target_col >= 0)
    {
      plan->slot[plan->target_col] = (int) plan->d;
      plan->kind[plan->target_col] = KIND_NUMERIC;
    }
  plan->width = plan->d + 1;
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Duplicate rows: an open-addressing table of row indices keyed by the row hashes. */

static gboolean
rows_equal (const CsCaseBase *cb,
            gsize             a,
            gsize             b)
{
  for (gsize j = 0; j < cb->d; j++)
    if (cb->x[a * cb->d + j] != cb->x[b * cb->d + j])
      return FALSE;
  return cb->y[a] == cb->y[b];
}

/* Returns the number of rows equal to an earlier row; *first_dup / *first_orig: one example. */
static gsize
count_duplicates (const CsCaseBase *cb,
                  const guint32    *hash,
                  gsize            *first_dup,
                  gsize            *first_orig)
{
  gsize cap = 16, dups = 0;
  guint32 *table;

  while (cap < 2 * cb->n)
    cap <<= 1;
  table = g_new (guint32, cap);
  memset (table, 0xff, cap * sizeof (guint32));
  for (gsize i = 0; i < cb->n; i++)
    {
      gsize h = (gsize) hash[i] & (cap - 1);
      for (;;)
        {
          if (table[h] == G_MAXUINT32)
            {
              table[h] = (guint32) i;
              break;
            }
          if (hash[table[h]] == hash[i] && rows_equal (cb, table[h], i))
            {
              if (dups == 0)
                {
                  *first_dup = i;
                  *first_orig = table[h];
                }
              dups++;
              break;
            }
          h = (h + 1) & (cap - 1);
        }
    }
  g_free (table);
  return dups;
}

/* ------------------------------------------------------------------------- */
/* The whole load. */

typedef struct
{
  const char *display;
  const char *path;
  const CsCsvOptions *options;
  CsProgressFunc progress;
  gpointer progress_data;
  GCancellable *cancellable;
} LoadArgs;

static gint
problem_cmp (gconstpointer a,
             gconstpointer b)
{
  const CsCsvProblem *pa = *(CsCsvProblem * const *) a, *pb = *(CsCsvProblem * const *) b;
  if (pa->line != pb->line)
    return pa->line < pb->line ? -1 : 1;
  return pa->column < pb->column ? -1 : pa->column > pb->column;
}

static char *
problem_location (const char         *display,
                  const CsCsvProblem *p)
{
  return g_strdup_printf ("%s:%u:%u: %s", display, p->line, p->column, p->message);
}

/* Moves the worker's problems into the report, shifting lines by offset. */
static void
take_problems (CsCsvReport *report,
               Worker      *w,
               guint        offset)
{
  for (guint i = 0; i < w->problems->len; i++)
    {
      CsCsvProblem *p = w->problems->pdata[i];
      if (p->line > 0)
        p->line += offset;
      g_ptr_array_add (report->problems, p);
      w->problems->pdata[i] = NULL;
    }
  g_ptr_array_set_free_func (w->problems, NULL);
  g_ptr_array_set_size (w->problems, 0);
  g_ptr_array_set_free_func (w->problems, problem_free);
}

static CsCaseBase *
load_source (Source         *src,
             const LoadArgs *args,
             CsCsvReport    *report,
             GError        **error)
{
  const CsCsvOptions *options = args->options;
  const char *display = args->display;
  g_autofree char *sniff_buf = NULL;
  gsize sniff_len = 0;
  gboolean complete = FALSE;
  g_autoptr(GPtrArray) rows = NULL;
  Plan plan = { 0 };
  Worker *w1 = NULL;
  Range *r2 = NULL;
  GThread *thread = NULL;
  CsCaseBase *cb = NULL;
  goffset split = 0;
  gboolean split_ok = FALSE;
  guint line_offset = 0;
  g_autofree char *buf = NULL;
  gint64 t_start = g_get_monotonic_time (), t_plan = 0, t_parse = 0, t_copy = 0, t_stats = 0;
  g_autofree guint32 *hash = NULL;

  /* Sniff: the first 64 KB, grown for very long lines. */
  for (gsize want = SNIFF_SIZE;; want *= 4)
    {
      gsize got = 0;
      const char *p;
      guint breaks = 0;

      g_free (sniff_buf);
      sniff_buf = g_malloc (MIN ((goffset) want, src->size - src->start) + 1);
      p = source_read (src, src->start, want, sniff_buf, &got, error);
      if (p == NULL)
        return NULL;
      if (p != sniff_buf)
        memcpy (sniff_buf, p, got);
      sniff_len = got;
      sniff_buf[got] = '\0';
      complete = src->start + (goffset) got >= src->size;
      for (gsize i = 0; i < got && breaks < 3; i++)
        breaks += sniff_buf[i] == '\n' || sniff_buf[i] == '\r';
      if (complete || breaks >= 3 || want >= SNIFF_MAX)
        break;
    }
  if (!complete)
    {
      /* Cut at the last line break (a quoted break only shortens the sample). */
      gsize k = sniff_len;
      while (k > 0 && sniff_buf[k - 1] != '\n' && sniff_buf[k - 1] != '\r')
        k--;
      if (k > 0)
        sniff_len = k;
    }
  if (memchr (sniff_buf, '\0', sniff_len) != NULL)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_ENCODING,
                   "%s:1:1: this is not a text file (it contains NUL bytes); expected CSV text", display);
      report_add (report, 1, 1, NULL, FALSE, g_strdup ("this is not a text file (it contains NUL bytes)"));
      return NULL;
    }

  report->delimiter = options->delimiter != 0 ? options->delimiter : pick_delimiter (sniff_buf, sniff_len, complete);
  rows = sniff_parse (sniff_buf, sniff_len, complete, report->delimiter, SAMPLE_ROWS);
  if (rows->len == 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA, "%s: the file has no rows", display);
      report_add (report, 0, 0, NULL, FALSE, g_strdup ("the file has no rows"));
      return NULL;
    }

  plan.delim = report->delimiter;
  plan.strict = options->strict;
  {
    const char * const *na = options->na_tokens != NULL ? options->na_tokens : default_na;
    plan.na = g_strdupv ((char **) na);
    plan.n_na = g_strv_length (plan.na);
    plan.na_len = g_new (gsize, plan.n_na + 1);
    for (gsize i = 0; i < plan.n_na; i++)
      {
        double v;
        plan.na_len[i] = strlen (plan.na[i]);
        if (cs_parse_number (plan.na[i], plan.na_len[i], '.', &v) == CS_NUMBER_OK
            || cs_parse_number (plan.na[i], plan.na_len[i], ',', &v) == CS_NUMBER_OK)
          plan.na_numeric = TRUE;
      }
  }
  if (!make_plan (&plan, rows, options, report, display, error))
    {
      plan_free (&plan);
      return NULL;
    }
  report->decimal_comma = plan.decimal_point == ',';
  report->header = plan.header;
  for (gsize j = 0; j < plan.ncols; j++)
    {
      CsCsvColumn *c = g_new0 (CsCsvColumn, 1);
      c->name = g_strdup (plan.names[j]);
      c->unit = g_strdup (plan.units[j]);
      c->role = plan.roles[j];
      c->numeric = plan.numeric[j];
      c->datetime = plan.datetime[j];
      c->mean = c->sd = c->min = c->max = NAN;
      g_ptr_array_add (report->columns, c);
    }

  t_plan = g_get_monotonic_time ();
  /* Parse: the calling thread takes the first half, a helper the second when the file is big. */
  w1 = g_new0 (Worker, 1);
  worker_init (w1, &plan, plan.header);
  if (options->threads != 1 && src->size - src->start >= PARALLEL_MIN && g_get_num_processors () >= 2)
    {
      goffset mid = src->start + (src->size - src->start) / 2;
      char probe[65536];
      gsize got;
      const char *p = source_read (src, mid, sizeof probe, probe, &got, NULL);
      const char *nl = p != NULL ? memchr (p, '\n', got) : NULL;

      if (nl != NULL)
        {
          split = mid + (nl - p) + 1;
          r2 = g_new0 (Range, 1);
          worker_init (&r2->w, &plan, FALSE);
          r2->src = src;
          r2->start = split;
          r2->end = src->size;
          r2->cancellable = args->cancellable;
          thread = g_thread_new ("cs-csv-loader", range_thread, r2);
        }
    }

  buf = src->fd >= 0 ? g_malloc (CHUNK_SIZE) : NULL;
  {
    goffset end = thread != NULL ? split : src->size;
    goffset off = src->start;
    gboolean cancelled = FALSE;

    for (int pass = 0; pass < 2; pass++)
      {
        while (off < end)
          {
            gsize got;
            const char *chunk;

            if (g_cancellable_is_cancelled (args->cancellable))
              {
                cancelled = TRUE;
                break;
              }
            chunk = source_read (src, off, (gsize) MIN ((goffset) CHUNK_SIZE, end - off), buf, &got, error);
            if (chunk == NULL)
              break;
            if (!worker_feed (w1, chunk, got))
              break;
            off += (goffset) got;
            if (args->progress != NULL)
              {
                goffset done2 = r2 != NULL ? (goffset) g_atomic_pointer_get (&r2->done) : 0;
                args->progress ((double) (off + done2) / (double) src->size, args->progress_data);
              }
          }
        if (pass == 1 || thread == NULL)
          break;
        /* At the split: valid when libcsv sits between rows and nothing went wrong. */
        split_ok = off == split && !w1->stop && !w1->skip_to_eol && w1->p.pstate == LIBCSV_ROW_NOT_BEGUN
                   && !cancelled && (error == NULL || *error == NULL);
        if (!split_ok)
          {
            g_atomic_int_set (&r2->abort, 1);
            g_thread_join (thread);
            thread = NULL;
            worker_clear (&r2->w);
            g_clear_error (&r2->error);
            g_clear_pointer (&r2, g_free);
            if (cancelled || w1->stop || (error != NULL && *error != NULL))
              break;
            end = src->size;
            continue;
          }
        break;
      }
    if (thread != NULL)
      {
        g_thread_join (thread);
        thread = NULL;
        line_offset = w1->line - 1;
      }
    report->threads_used = split_ok ? 2 : 1;
    if (!split_ok && !cancelled && (error == NULL || *error == NULL))
      worker_finish (w1);

    if (cancelled || g_cancellable_is_cancelled (args->cancellable))
      {
        g_clear_error (error);
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_CANCELLED, "%s: loading was cancelled", display);
        goto out;
      }
    if (error != NULL && *error != NULL)
      goto out;
    if (r2 != NULL && r2->error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&r2->error));
        goto out;
      }
  }

  if (w1->oom || (r2 != NULL && r2->w.oom))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: out of memory while reading", display);
      goto out;
    }

  t_parse = g_get_monotonic_time ();
  /* Report: rows and problems. */
  {
    gsize first_report = report->problems->len;
    Worker *w2 = r2 != NULL ? &r2->w : NULL;
    guint trailing = w1->trailing_line != 0 ? w1->trailing_line
                     : (w2 != NULL && w2->trailing_line != 0 ? w2->trailing_line + line_offset : 0);
    guint latin1 = w1->latin1_line != 0 ? w1->latin1_line
                   : (w2 != NULL && w2->latin1_line != 0 ? w2->latin1_line + line_offset : 0);
    gsize dropped = w1->problems_dropped + (w2 != NULL ? w2->problems_dropped : 0);
    gboolean w1_failed = w1->stop;

    report->rows_read = w1->rows_read + (w2 != NULL ? w2->rows_read : 0);
    for (gsize j = 0; j < plan.ncols; j++)
      {
        CsCsvColumn *c = report->columns->pdata[j];
        c->missing = w1->missing[j] + (w2 != NULL && !w1_failed ? w2->missing[j] : 0);
        c->bad = w1->bad[j] + (w2 != NULL && !w1_failed ? w2->bad[j] : 0);
      }
    take_problems (report, w1, 0);
    if (w2 != NULL && !w1_failed)
      take_problems (report, w2, line_offset);
    if (trailing != 0)
      report_add (report, trailing, (guint) plan.ncols + 1, NULL, TRUE,
                  g_strdup ("rows end with an extra delimiter; the empty trailing fields are ignored"));
    if (latin1 != 0)
      {
        guint col = w1->latin1_line != 0 ? w1->latin1_col : w2->latin1_col;
        if (g_strcmp0 (report->encoding, "UTF-8") == 0)
          {
            g_free (report->encoding);
            report->encoding = g_strdup ("ISO-8859-1");
          }
        report_add (report, latin1, col, plan.names[col - 1], TRUE,
                    g_strdup ("invalid UTF-8 in a text cell; text read as Latin-1 (ISO-8859-1)"));
      }
    if (dropped > 0)
      report_add (report, 0, 0, NULL, TRUE, g_strdup_printf ("%zu more problems not listed", dropped));
    /* Keep the preamble (header notes) first and the rest in file order. */
    if (report->problems->len > first_report)
      {
        GPtrArray *tail = g_ptr_array_new ();
        for (guint i = (guint) first_report; i < report->problems->len; i++)
          g_ptr_array_add (tail, report->problems->pdata[i]);
        g_ptr_array_sort (tail, problem_cmp);
        for (guint i = 0; i < tail->len; i++)
          report->problems->pdata[first_report + i] = tail->pdata[i];
        g_ptr_array_unref (tail);
      }

    if (w1->stop || (w2 != NULL && w2->stop))
      {
        /* The failing problem: the first non-warning one in file order. */
        Worker *wf = w1->stop ? w1 : w2;
        CsCsvProblem *first_bad = NULL;
        for (guint i = (guint) first_report; i < report->problems->len && first_bad == NULL; i++)
          if (!((CsCsvProblem *) report->problems->pdata[i])->warning)
            first_bad = report->problems->pdata[i];
        if (first_bad != NULL)
          {
            g_autofree char *loc = problem_location (display, first_bad);
            g_set_error (error, CS_DATA_ERROR, wf->fail_code, "%s", loc);
          }
        else
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s: cannot read the file", display);
        goto out;
      }
  }

  /* The case base. */
  {
    Worker *ws[2] = { w1, r2 != NULL ? &r2->w : NULL };
    gsize n = w1->store.n + (r2 != NULL ? r2->w.store.n : 0);
    gsize d = plan.d, i = 0;

    report->rows_used = n;
    report->rows_skipped = report->rows_read - n;


    if (plan.target_col < 0 || d == 0)
      {
        const char *what = plan.target_col < 0 ? "no numeric column" : "no numeric feature besides the target";
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA, "%s: %s; nothing to learn from", display, what);
        report_add (report, 0, 0, NULL, FALSE, g_strdup_printf ("%s; nothing to learn from", what));
        goto out;
      }
    if (n < 2)
      {
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                     "%s: %zu usable row%s (of %zu read); at least 2 are needed", display, n,
                     n == 1 ? "" : "s", report->rows_read);
        report_add (report, 0, 0, NULL, FALSE,
                    g_strdup_printf ("%zu usable row%s (of %zu read); at least 2 are needed", n,
                                     n == 1 ? "" : "s", report->rows_read));
        goto out;
      }

    cb = cs_case_base_new (n, d);
    cb->source = g_strdup (display);
    cb->source_path = g_strdup (args->path);
    for (gsize j = 0; j < plan.ncols; j++)
      {
        if (plan.roles[j] == CS_ROLE_FEATURE)
          cs_case_base_set_feature (cb, (gsize) plan.slot[j], plan.names[j], plan.units[j]);
        else if (plan.roles[j] == CS_ROLE_TARGET)
          cs_case_base_set_target (cb, plan.names[j], plan.units[j]);
      }
    if (plan.label_col >= 0)
      {
        cb->ids = g_new0 (char *, n + 1);
        cb->id_name = g_strdup (plan.names[plan.label_col]);
      }
    /* The first range's arrays become the case base's (grown in place), the
     * second range is appended. */
    {
      Store *s1 = &w1->store, *s2 = ws[1] != NULL ? &ws[1]->store : NULL;
      gsize n1 = s1->n;

      g_free (cb->x);
      g_free (cb->y);
      g_free (cb->line);
      cb->x = g_realloc (g_steal_pointer (&s1->x), MAX (n * d, 1) * sizeof (double));
      cb->y = g_realloc (g_steal_pointer (&s1->y), n * sizeof (double));
      cb->line = g_realloc (g_steal_pointer (&s1->lines), n * sizeof (guint));
      hash = g_realloc (g_steal_pointer (&s1->hash), n * sizeof (guint32));
      if (s2 != NULL && s2->n > 0)
        {
          copy_release (cb->x + n1 * d, s2->x, s2->n * d * sizeof (double));
          memcpy (cb->y + n1, s2->y, s2->n * sizeof (double));
          memcpy (hash + n1, s2->hash, s2->n * sizeof (guint32));
          for (gsize r = 0; r < s2->n; r++)
            cb->line[n1 + r] = s2->lines[r] + line_offset;
        }
      if (s2 != NULL)
        store_clear (s2);
      if (cb->ids != NULL)
        for (int k = 0; k < 2; k++)
          if (ws[k] != NULL)
            for (gsize r = 0; r < ws[k]->store.n; r++)
              cb->ids[i++] = g_steal_pointer (&ws[k]->labels->pdata[r]);
      if (plan.n_cat > 0)
        {
          /* Level codes in the order first seen, over both ranges in file order. */
          gsize nc = plan.n_cat, kept = 0;
          char **names = g_new0 (char *, nc + 1);
          char ***levels = g_new0 (char **, nc);
          gint *codes = g_new (gint, MAX (n * nc, 1));
          gssize *col = g_new (gssize, nc);
          for (gsize j = 0; j < plan.ncols; j++)
            if (plan.kind[j] == KIND_CATEGORY)
              col[plan.slot[j]] = (gssize) j;
          for (gsize c = 0; c < nc; c++)
            {
              g_autoptr(GHashTable) seen_level = g_hash_table_new (g_str_hash, g_str_equal);
              GPtrArray *lv = g_ptr_array_new_with_free_func (g_free);
              gsize row = 0, j = (gsize) col[c];
              for (int k = 0; k < 2; k++)
                if (ws[k] != NULL)
                  for (gsize r = 0; r < ws[k]->store.n; r++, row++)
                    {
                      const char *v = ws[k]->cats[c]->pdata[r];
                      gpointer code;
                      if (!g_hash_table_lookup_extended (seen_level, v, NULL, &code))
                        {
                          code = GSIZE_TO_POINTER (lv->len);
                          g_hash_table_insert (seen_level, (gpointer) v, code);
                          g_ptr_array_add (lv, g_strdup (v));
                        }
                      codes[row * nc + kept] = (gint) GPOINTER_TO_SIZE (code);
                    }
              if (plan.cat_auto[j]
                  && (lv->len > CS_CATEGORY_MAX_LEVELS || !((double) lv->len < CS_CATEGORY_MAX_SHARE * (double) n)))
                {
                  /* Too many levels for this many rows: a name after all (the label when there is none). */
                  CsCsvColumn *rc = report->columns->pdata[j];
                  if (cb->ids == NULL)
                    {
                      gsize t = 0;
                      cb->ids = g_new0 (char *, n + 1);
                      cb->id_name = g_strdup (plan.names[j]);
                      for (int k = 0; k < 2; k++)
                        if (ws[k] != NULL)
                          for (gsize r = 0; r < ws[k]->store.n; r++)
                            cb->ids[t++] = g_steal_pointer (&ws[k]->cats[c]->pdata[r]);
                      rc->role = CS_ROLE_LABEL;
                    }
                  else
                    {
                      rc->role = CS_ROLE_IGNORED;
                      report_add (report, 0, (guint) j + 1, plan.names[j], TRUE,
                                  g_strdup_printf ("text column “%s” ignored: only one label column (“%s”) is kept",
                                                   plan.names[j], cb->id_name));
                    }
                  g_ptr_array_unref (lv);
                  continue;
                }
              g_ptr_array_add (lv, NULL);
              names[kept] = g_strdup (plan.names[j]);
              g_ptr_array_set_free_func (lv, NULL);
              levels[kept] = (char **) g_ptr_array_free (lv, FALSE);
              kept++;
            }
          /* the codes were written with stride nc: close the gaps of dropped columns */
          if (kept < nc)
            for (gsize t = 0; t < n; t++)
              memmove (codes + t * kept, codes + t * nc, kept * sizeof (gint));
          cs_case_base_take_categories (cb, kept, names, levels, codes);
          if (kept == 0)
            {
              g_strfreev (names);
              g_free (levels);
              g_free (codes);
            }
          g_free (col);
        }
    }
    t_copy = g_get_monotonic_time ();
    cs_case_base_compute_stats (cb);
    t_stats = g_get_monotonic_time ();

    for (gsize j = 0; j < plan.ncols; j++)
      {
        CsCsvColumn *c = report->columns->pdata[j];
        if (plan.roles[j] == CS_ROLE_FEATURE)
          {
            gsize s = (gsize) plan.slot[j];
            c->mean = cb->mean[s];
            c->sd = cb->sd[s];
            c->min = cb->min[s];
            c->max = cb->max[s];
            c->constant = cb->sd[s] == 0;
          }
        else if (c->role == CS_ROLE_CATEGORY)
          {
            gssize k = cs_case_base_find_category (cb, plan.names[j]);
            c->levels = k >= 0 ? cb->cat_n_levels[k] : 0;
          }
        else if (plan.roles[j] == CS_ROLE_TARGET)
          {
            c->mean = cb->y_mean;
            c->sd = cb->y_sd;
            c->min = cb->y_min;
            c->max = cb->y_max;
            c->constant = cb->y_sd == 0;
          }
      }

    /* Sanity of the case base. */
    {
      gsize dup = 0, orig = 0;
      gsize dups = count_duplicates (cb, hash, &dup, &orig);
      report->duplicate_rows = dups;
      if (dups == n - 1)
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA,
                       "%s: all %zu usable rows are identical; there is nothing to compare", display, n);
          report_add (report, 0, 0, NULL, FALSE,
                      g_strdup_printf ("all %zu usable rows are identical; there is nothing to compare", n));
          g_clear_pointer (&cb, cs_case_base_unref);
          goto out;
        }
      if (dups > 0)
        report_add (report, cb->line[dup], 0, NULL, TRUE,
                    g_strdup_printf ("%zu duplicated row%s (kept; the first: line %u repeats line %u)",
                                     dups, dups == 1 ? "" : "s", cb->line[dup], cb->line[orig]));
      for (gsize j = 0; j < plan.ncols; j++)
        if (plan.roles[j] == CS_ROLE_FEATURE && cb->sd[plan.slot[j]] == 0)
          report_add (report, 0, (guint) j + 1, plan.names[j], TRUE,
                      g_strdup_printf ("feature “%s” is constant (%g): kept, but it cannot be "
                                       "standardised and carries no information",
                                       plan.names[j], cb->mean[plan.slot[j]]));
        else if (plan.roles[j] == CS_ROLE_TARGET && cb->y_sd == 0)
          report_add (report, 0, (guint) j + 1, plan.names[j], TRUE,
                      g_strdup_printf ("the target “%s” is constant (%g)", plan.names[j], cb->y_mean));
      g_debug ("%s: detection %.3f s, parse %.3f s (%s), copy %.3f s, stats %.3f s, duplicates %.3f s",
               display, (t_plan - t_start) / 1e6, (t_parse - t_plan) / 1e6,
               split_ok ? "2 threads" : "1 thread", (t_copy - t_parse) / 1e6, (t_stats - t_copy) / 1e6,
               (g_get_monotonic_time () - t_stats) / 1e6);
    }
  }

out:
  if (r2 != NULL)
    {
      worker_clear (&r2->w);
      g_clear_error (&r2->error);
      g_free (r2);
    }
  worker_clear (w1);
  g_free (w1);
  plan_free (&plan);
  return cb;
}

/* Encoding checks before parsing; may replace the source by converted UTF-8 text in *owned. */
static gboolean
prepare_encoding (Source      *src,
                  CsCsvReport *report,
                  const char  *display,
                  char       **owned,
                  GError     **error)
{
  guint8 head[512];
  gsize got = 0;
  const char *p = source_read (src, 0, sizeof head, (char *) head, &got, error);
  const char *from = NULL;
  gsize zeros_even = 0, zeros_odd = 0;

  if (p == NULL)
    return FALSE;
  if (p != (const char *) head)
    memcpy (head, p, got);
  if (got >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
    {
      report->bom = TRUE;
      src->start = 3;
      return TRUE;
    }
  if (got >= 2 && head[0] == 0xFF && head[1] == 0xFE)
    from = "UTF-16LE";
  else if (got >= 2 && head[0] == 0xFE && head[1] == 0xFF)
    from = "UTF-16BE";
  else
    {
      for (gsize i = 0; i < got; i++)
        if (head[i] == 0 && i % 2 == 0)
          zeros_even++;
        else if (head[i] == 0)
          zeros_odd++;
      if (got >= 4 && zeros_odd * 3 >= got && zeros_even == 0)
        from = "UTF-16LE";
      else if (got >= 4 && zeros_even * 3 >= got && zeros_odd == 0)
        from = "UTF-16BE";
    }
  if (from == NULL)
    return TRUE;

  {
    /* UTF-16 is rare: the file is read and converted as a whole. */
    gsize in_len = (gsize) src->size, skip = 0, out_len = 0;
    g_autofree char *all = g_malloc (in_len + 1);
    g_autoptr(GError) local = NULL;
    const char *q = source_read (src, 0, in_len, all, &got, error);
    char *conv;

    if (q == NULL)
      return FALSE;
    if (q != all)
      memcpy (all, q, got);
    if (got >= 2 && ((guint8) all[0] == 0xFF || (guint8) all[0] == 0xFE))
      {
        skip = 2;
        report->bom = TRUE;
      }
    conv = g_convert (all + skip, (gssize) (got - skip), "UTF-8", from, NULL, &out_len, &local);
    if (conv == NULL)
      {
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_ENCODING,
                     "%s: looks like %s text but cannot be converted: %s", display, from, local->message);
        report_add (report, 0, 0, NULL, FALSE,
                    g_strdup_printf ("looks like %s text but cannot be converted: %s", from, local->message));
        return FALSE;
      }
    g_free (report->encoding);
    report->encoding = g_strdup (from);
    *owned = conv;
    src->fd = -1;
    src->mem = (const guint8 *) conv;
    src->size = (goffset) out_len;
    src->start = 0;
  }
  return TRUE;
}

static CsCaseBase *
load_common (Source         *src,
             const LoadArgs *args,
             CsCsvReport   **report_out,
             GError        **error)
{
  g_autoptr(CsCsvReport) report = report_new (args->display);
  g_autofree char *owned = NULL;
  CsCsvOptions defaults;
  LoadArgs a = *args;
  CsCaseBase *cb = NULL;
  GError *local = NULL;

  if (a.options == NULL)
    {
      cs_csv_options_init (&defaults);
      a.options = &defaults;
    }
  if (a.options->delimiter == '"' || a.options->delimiter == '\n' || a.options->delimiter == '\r')
    g_set_error (&local, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s: a quote or a line break cannot be the delimiter",
                 a.display);
  else if (src->size == 0)
    {
      g_set_error (&local, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA, "%s: the file is empty", a.display);
      report_add (report, 0, 0, NULL, FALSE, g_strdup ("the file is empty"));
    }
  else if (prepare_encoding (src, report, a.display, &owned, &local))
    {
      if (src->size - src->start <= 0)
        {
          g_set_error (&local, CS_DATA_ERROR, CS_DATA_ERROR_NO_DATA, "%s: the file is empty", a.display);
          report_add (report, 0, 0, NULL, FALSE, g_strdup ("the file is empty"));
        }
      else
        cb = load_source (src, &a, report, &local);
    }
  if (local != NULL)
    {
      g_clear_pointer (&cb, cs_case_base_unref);
      g_propagate_error (error, local);
    }
  if (report_out != NULL)
    *report_out = g_steal_pointer (&report);
  return cb;
}

CsCaseBase *
cs_csv_load_path (const char         *path,
                  const CsCsvOptions *options,
                  CsCsvReport       **report,
                  CsProgressFunc      progress,
                  gpointer            progress_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autofree char *display = g_path_get_basename (path);
  LoadArgs args = { display, path, options, progress, progress_data, cancellable };
  Source src = { -1, NULL, 0, 0 };
  struct stat st;
  CsCaseBase *cb;

  if (report != NULL)
    *report = NULL;
  /* O_NONBLOCK: opening a FIFO without a writer must not hang; it is refused below. */
  src.fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (src.fd < 0)
    {
      int saved = errno;
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: cannot open: %s", path, g_strerror (saved));
      return NULL;
    }
  if (fstat (src.fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      const char *why = S_ISDIR (st.st_mode) ? "is a folder, not a CSV file"
                        : "is not a regular file (a pipe or a device); save the data to a file first";
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: %s", path, why);
      if (report != NULL && !S_ISDIR (st.st_mode))
        {
          *report = report_new (display);
          report_add (*report, 0, 0, NULL, FALSE, g_strdup (why));
        }
      close (src.fd);
      return NULL;
    }
  if (st.st_size == 0)
    {
      /* Empty, unreadable, or a /proc-style file whose size is not known in advance. */
      GByteArray *all = g_byte_array_new ();
      guint8 tmp[65536];
      ssize_t got;
      while ((got = read (src.fd, tmp, sizeof tmp)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0)
          g_byte_array_append (all, tmp, (guint) got);
      if (got < 0)
        {
          int saved = errno;
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: cannot read: %s", path, g_strerror (saved));
          if (report != NULL)
            {
              *report = report_new (display);
              report_add (*report, 0, 0, NULL, FALSE, g_strdup_printf ("cannot read: %s", g_strerror (saved)));
            }
          g_byte_array_unref (all);
          close (src.fd);
          return NULL;
        }
      close (src.fd);
      {
        g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (all);
        Source mem = { -1, g_bytes_get_data (bytes, NULL), (goffset) g_bytes_get_size (bytes), 0 };
        cb = load_common (&mem, &args, report, error);
        if (cb != NULL)
          cb->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      }
      if (progress != NULL && cb != NULL)
        progress (1.0, progress_data);
      return cb;
    }
  src.size = st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (src.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  {
    int fd = src.fd;
    cb = load_common (&src, &args, report, error);
    /* Provenance for exports: the SHA-256 of the bytes, for files up to SHA256_MAX (GLib's
     * SHA-256 runs at 60-150 MB/s here, slower than the import itself). */
    if (cb != NULL && st.st_size <= SHA256_MAX)
      {
        g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
        g_autofree char *chunk = g_malloc (CHUNK_SIZE);
        goffset off = 0;
        ssize_t got;
        while ((got = pread (fd, chunk, CHUNK_SIZE, off)) > 0)
          {
            g_checksum_update (sum, (const guchar *) chunk, (gssize) got);
            off += got;
          }
        if (got == 0)
          cb->sha256 = g_strdup (g_checksum_get_string (sum));
      }
    close (fd);
  }
  if (progress != NULL && cb != NULL)
    progress (1.0, progress_data);
  return cb;
}

CsCaseBase *
cs_csv_load_bytes (GBytes             *bytes,
                   const char         *display_name,
                   const CsCsvOptions *options,
                   CsCsvReport       **report,
                   GCancellable       *cancellable,
                   GError            **error)
{
  LoadArgs args = { display_name != NULL ? display_name : "(memory)", NULL, options, NULL, NULL, cancellable };
  Source src = { -1, NULL, 0, 0 };
  gsize len = 0;
  CsCaseBase *cb;

  if (report != NULL)
    *report = NULL;
  src.mem = g_bytes_get_data (bytes, &len);
  src.size = (goffset) len;
  cb = load_common (&src, &args, report, error);
  if (cb != NULL && (goffset) len <= SHA256_MAX)
    cb->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  return cb;
}
