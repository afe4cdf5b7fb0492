/* test-csv-large.c: large files: the two-thread parse gives exactly the one-thread result, progress, cancel. */
#define G_LOG_DOMAIN "test-csv-large"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cs-csv-loader.h"
#include "cs-data-error.h"

/* Two halves of 45000 rows of 50 bytes: 4.5 MB, above the loader's 4 MB threshold for two threads. */
#define ROWS_PER_HALF 45000

typedef struct
{
  char *dir;
  char *path;
  GArray *x;                /* expected features, 3 per kept row */
  GArray *y;
  GArray *line;             /* guint */
  GPtrArray *ids;
  GArray *bad_lines;        /* guint: lines with a problem */
  gsize size;
} Expected;

static void
expected_free (Expected *e)
{
  g_unlink (e->path);
  g_rmdir (e->dir);
  g_free (e->dir);
  g_free (e->path);
  g_array_unref (e->x);
  g_array_unref (e->y);
  g_array_unref (e->line);
  g_ptr_array_unref (e->ids);
  g_array_unref (e->bad_lines);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Expected, expected_free)

/* Fixed-width rows ("id,x1,x2,x3,y" with values in [10, 99]) so that both halves of the file
 * have the same size; with big_quoted, a quoted label of many lines sits exactly in the middle,
 * where the second thread would start: the loader must notice and parse on in one thread. */
static Expected *
write_file (guint32  seed,
            gsize    rows_per_half,
            gboolean big_quoted,
            gboolean crlf)
{
  Expected *e = g_new0 (Expected, 1);
  GRand *rand = g_rand_new_with_seed (seed);
  GString *s = g_string_new ("id,x1,x2,x3,y");
  const char *eol = crlf ? "\r\n" : "\n";
  guint line = 1;

  e->dir = g_dir_make_tmp ("cs-large-XXXXXX", NULL);
  e->path = g_build_filename (e->dir, "large.csv", NULL);
  e->x = g_array_new (FALSE, FALSE, sizeof (double));
  e->y = g_array_new (FALSE, FALSE, sizeof (double));
  e->line = g_array_new (FALSE, FALSE, sizeof (guint));
  e->ids = g_ptr_array_new_with_free_func (g_free);
  e->bad_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_string_append (s, eol);

  for (int half = 0; half < 2; half++)
    {
      if (half == 1 && big_quoted)
        {
          /* About 64 KB of quoted label over 2000 lines. */
          GString *label = g_string_new (NULL);
          for (int k = 0; k < 2000; k++)
            g_string_append_printf (label, "part %04d, \"\"quoted\"\"%s", k, k < 1999 ? eol : "");
          line++;
          g_string_append_printf (s, "\"%s\",11.000000,12.000000,13.000000,14.000000%s", label->str, eol);
          {
            double v[3] = { 11, 12, 13 }, y = 14;
            g_array_append_vals (e->x, v, 3);
            g_array_append_val (e->y, y);
            g_array_append_val (e->line, line);
            /* The label as read: doubled quotes undone. */
            {
              g_autofree char *unq = NULL;
              GString *u = g_string_new (NULL);
              for (const char *p = label->str; *p; p++)
                {
                  if (p[0] == '"' && p[1] == '"')
                    p++;
                  g_string_append_c (u, *p);
                }
              unq = g_string_free (u, FALSE);
              g_ptr_array_add (e->ids, g_steal_pointer (&unq));
            }
          }
          line += 1999;
          g_string_free (label, TRUE);
        }
      for (gsize i = 0; i < rows_per_half; i++)
        {
          double v[3], y;
          int kind = g_rand_int_range (rand, 0, 200);
          char cells[4][16];

          line++;
          for (int j = 0; j < 3; j++)
            v[j] = g_rand_int_range (rand, 10000000, 99999999) / 1e6;
          y = g_rand_int_range (rand, 10000000, 99999999) / 1e6;
          for (int j = 0; j < 3; j++)
            g_ascii_formatd (cells[j], 16, "%.6f", v[j]);
          g_ascii_formatd (cells[3], 16, "%.6f", y);
          if (kind == 0)
            memcpy (cells[1], "NA       ", 10);         /* missing feature: row left out */
          else if (kind == 1)
            memcpy (cells[3], "x1.00000 ", 10);         /* text in the target */
          g_string_append_printf (s, "R%08zu,%s,%s,%s,%s%s", i + half * rows_per_half, cells[0], cells[1],
                                  cells[2], cells[3], eol);
          if (kind <= 1)
            g_array_append_val (e->bad_lines, line);
          else
            {
              g_array_append_vals (e->x, v, 3);
              g_array_append_val (e->y, y);
              g_array_append_val (e->line, line);
              g_ptr_array_add (e->ids, g_strdup_printf ("R%08zu", i + half * rows_per_half));
            }
        }
    }
  g_assert_true (g_file_set_contents (e->path, s->str, (gssize) s->len, NULL));
  e->size = s->len;
  g_string_free (s, TRUE);
  g_rand_free (rand);
  return e;
}

static void
check (const Expected   *e,
       const CsCaseBase *cb)
{
  g_assert_cmpuint (cb->n, ==, e->y->len);
  g_assert_cmpuint (cb->d, ==, 3);
  g_assert_cmpmem (cb->x, cb->n * 3 * sizeof (double), e->x->data, e->x->len * sizeof (double));
  g_assert_cmpmem (cb->y, cb->n * sizeof (double), e->y->data, e->y->len * sizeof (double));
  g_assert_cmpmem (cb->line, cb->n * sizeof (guint), e->line->data, e->line->len * sizeof (guint));
  for (gsize i = 0; i < cb->n; i++)
    if (strcmp (cb->ids[i], e->ids->pdata[i]) != 0)
      g_error ("row %zu: label “%.40s” expected “%.40s”", i, cb->ids[i], (char *) e->ids->pdata[i]);
}

static void
check_problems (const Expected    *e,
                const CsCsvReport *r)
{
  guint k = 0;

  for (guint i = 0; i < r->problems->len; i++)
    {
      const CsCsvProblem *p = r->problems->pdata[i];
      if (p->warning)
        continue;
      g_assert_cmpuint (k, <, e->bad_lines->len);
      g_assert_cmpuint (p->line, ==, g_array_index (e->bad_lines, guint, k));
      g_assert_cmpuint (p->column, ==, p->column_name != NULL && strcmp (p->column_name, "x2") == 0 ? 3 : 5);
      k++;
    }
  g_assert_cmpuint (k, ==, e->bad_lines->len);
}

static void
load_both (const Expected *e,
           guint           expect_threads)
{
  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsCsvReport) r = NULL;
      g_autoptr(CsCaseBase) cb = NULL;
      CsCsvOptions o;

      cs_csv_options_init (&o);
      o.threads = threads == 1 ? 1 : 0;
      cb = cs_csv_load_path (e->path, &o, &r, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (r->threads_used, ==, threads == 1 ? 1 : expect_threads);
      g_assert_cmpuint (r->rows_skipped, ==, e->bad_lines->len);
      check (e, cb);
      check_problems (e, r);
    }
}

static void
test_parallel_plain (void)
{
  for (int crlf = 0; crlf < 2; crlf++)
    {
      g_autoptr(Expected) e = write_file (g_test_rand_int (), ROWS_PER_HALF, FALSE, crlf);
      g_assert_cmpuint (e->size, >=, 4 << 20);
      load_both (e, 2);
    }
}

static void
test_parallel_split_in_quotes (void)
{
  g_autoptr(Expected) e = write_file (g_test_rand_int (), ROWS_PER_HALF, TRUE, FALSE);

  load_both (e, 1);
}

typedef struct
{
  guint calls;
  double last;
  gboolean monotone;
  GCancellable *cancel_after_first;
} Progress;

static void
on_progress (double   fraction,
             gpointer data)
{
  Progress *p = data;

  if (fraction < p->last || fraction < 0 || fraction > 1)
    p->monotone = FALSE;
  p->last = fraction;
  p->calls++;
  if (p->cancel_after_first != NULL)
    g_cancellable_cancel (p->cancel_after_first);
}

static void
test_progress_and_cancel (void)
{
  g_autoptr(Expected) e = write_file (g_test_rand_int (), ROWS_PER_HALF, FALSE, FALSE);

  {
    Progress p = { 0, 0, TRUE, NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCaseBase) cb = cs_csv_load_path (e->path, NULL, NULL, on_progress, &p, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (p.monotone);
    g_assert_cmpuint (p.calls, >, 3);
    g_assert_cmpfloat (p.last, ==, 1.0);
  }
  {
    g_autoptr(GCancellable) cancel = g_cancellable_new ();
    Progress p = { 0, 0, TRUE, cancel };
    g_autoptr(GError) error = NULL;
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = cs_csv_load_path (e->path, NULL, &r, on_progress, &p, cancel, &error);
    g_assert_null (cb);
    g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_CANCELLED);
    g_assert_cmpuint (p.calls, ==, 1);
  }
}

/* Strict mode stops at the first problem, named with its absolute line even in the second half. */
static void
test_strict_second_half (void)
{
  g_autoptr(Expected) e = write_file (g_test_rand_int (), ROWS_PER_HALF, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) r = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;
  gsize len;
  guint target_line = 0;
  CsCsvOptions o;

  /* Make the file clean except for one bad row three quarters in. */
  g_assert_true (g_file_get_contents (e->path, &text, &len, NULL));
  for (char *p = text; (p = strstr (p, "NA       ")) != NULL; p++)
    memcpy (p, "10.000000", 9);
  for (char *p = text; (p = strstr (p, "x1.00000 ")) != NULL; p++)
    memcpy (p, "10.000000", 9);
  {
    gsize lines = 0;
    for (gsize i = 0; i < len; i++)
      if (text[i] == '\n' && ++lines == 3 * ROWS_PER_HALF / 2)
        {
          memcpy (text + i + 1 + 10, "oops", 4);   /* x1 of the next row */
          target_line = (guint) lines + 1;
          break;
        }
  }
  g_assert_true (g_file_set_contents (e->path, text, (gssize) len, NULL));
  cs_csv_options_init (&o);
  o.strict = TRUE;
  cb = cs_csv_load_path (e->path, &o, &r, NULL, NULL, NULL, &error);
  where = g_strdup_printf ("large.csv:%u:2: ", target_line);
  g_assert_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE);
  if (!g_str_has_prefix (error->message, where))
    g_error ("“%s” does not start with “%s”", error->message, where);
  g_assert_cmpuint (r->threads_used, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/csv-large/parallel-plain", test_parallel_plain);
  g_test_add_func ("/cs/data/csv-large/parallel-split-in-quotes", test_parallel_split_in_quotes);
  g_test_add_func ("/cs/data/csv-large/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/cs/data/csv-large/strict-second-half", test_strict_second_half);
  return g_test_run ();
}
