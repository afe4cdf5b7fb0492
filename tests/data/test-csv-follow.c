/* test-csv-follow.c: rows appended to a loaded CSV, parsed incrementally (cs-csv-follow.c). */
#define G_LOG_DOMAIN "test-csv-follow"

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <math.h>
#include <string.h>

#include "cs-csv-follow.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  (void) data;
  f->dir = g_dir_make_tmp ("cs-follow-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "line.csv", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
append (const char *path, const char *text)
{
  FILE *fp = fopen (path, "ab");

  g_assert_nonnull (fp);
  g_assert_cmpint (fputs (text, fp), >=, 0);
  g_assert_cmpint (fclose (fp), ==, 0);
}

static void
write_file (const char *path, const char *text)
{
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* A base of n rows id,temp,pressure,strength with values from a seed. */
static GString *
base_text (guint n, guint32 seed)
{
  GString *s = g_string_new ("id,temp,pressure,strength\n");
  GRand *r = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "p%u,%.3f,%.3f,%.3f\n", i, g_rand_double_range (r, 100, 200),
                            g_rand_double_range (r, 1, 5), g_rand_double_range (r, 20, 40));
  g_rand_free (r);
  return s;
}

static void
test_append (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) text = base_text (30, 7);
  g_autoptr(CsCsvFollower) fl = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cs_csv_follow_row_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (cs_csv_problem_free);
  g_autoptr(GError) error = NULL;
  CsCsvOptions opt;
  CsCsvFollowRow *row;
  CsCsvProblem *pb;

  (void) data;
  /* The last line is half-written: it is not part of the base and waits for its newline. */
  g_string_append (text, "p30,150.5,2");
  write_file (f->path, text->str);
  cs_csv_options_init (&opt);
  opt.target = "strength";
  fl = cs_csv_follower_new (f->path, &opt);
  cb = cs_csv_follower_load (fl, &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb->n, ==, 30);
  g_assert_cmpuint (cb->d, ==, 2);
  g_assert_cmpstr (cb->target_name, ==, "strength");
  g_assert_cmpuint (cs_csv_follower_lines (fl), ==, 31);

  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_NOTHING);
  g_assert_cmpuint (rows->len, ==, 0);

  /* The half line completes without an outcome (waiting), then a row with one, a malformed row, a row with an
   * NA outcome, CRLF, and another half line. */
  append (f->path, ".25,\np31,160,3,33.5\np32,abc,3,30\np33,170,4,NA\r\np34,180,4.5,31.25\np35,1");
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_ROWS);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpuint (problems->len, ==, 1);
  row = rows->pdata[0];
  g_assert_cmpuint (row->line, ==, 32);
  g_assert_cmpstr (row->label, ==, "p30");
  g_assert_cmpfloat (row->x[0], ==, 150.5);   /* the same text, the same correctly rounded double */
  g_assert_cmpfloat (row->x[1], ==, 2.25);
  g_assert_true (isnan (row->y));
  row = rows->pdata[1];
  g_assert_cmpuint (row->line, ==, 33);
  g_assert_cmpfloat (row->y, ==, 33.5);
  pb = problems->pdata[0];
  g_assert_cmpuint (pb->line, ==, 34);
  g_assert_cmpuint (pb->column, ==, 2);
  g_assert_cmpstr (pb->column_name, ==, "temp");
  g_assert_nonnull (strstr (pb->message, "abc"));
  row = rows->pdata[2];
  g_assert_cmpuint (row->line, ==, 35);
  g_assert_cmpstr (row->label, ==, "p33");
  g_assert_true (isnan (row->y));
  row = rows->pdata[3];
  g_assert_cmpuint (row->line, ==, 36);
  g_assert_cmpfloat (row->y, ==, 31.25);

  /* A short row, an extra field, a broken quote: each skipped with its line and column. */
  g_ptr_array_set_size (rows, 0);
  g_ptr_array_set_size (problems, 0);
  append (f->path, "90,2,30\np36,1,2,3,4\np37,\"1,2,3\np38,190,2,29\n");
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_ROWS);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpuint (((CsCsvFollowRow *) rows->pdata[0])->line, ==, 37);
  g_assert_cmpfloat (((CsCsvFollowRow *) rows->pdata[0])->x[0], ==, 190);
  g_assert_cmpuint (((CsCsvFollowRow *) rows->pdata[1])->line, ==, 40);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpuint (((CsCsvProblem *) problems->pdata[0])->line, ==, 38);
  g_assert_cmpuint (((CsCsvProblem *) problems->pdata[0])->column, ==, 5);
  g_assert_cmpuint (((CsCsvProblem *) problems->pdata[1])->line, ==, 39);
  g_assert_cmpuint (cs_csv_follower_lines (fl), ==, 40);
}

static void
test_rewrite (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) text = base_text (20, 11);
  g_autoptr(GString) other = NULL;
  g_autoptr(CsCsvFollower) fl = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_autoptr(CsCaseBase) cb2 = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cs_csv_follow_row_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (cs_csv_problem_free);
  g_autoptr(GError) error = NULL;
  CsCsvOptions opt;
  FILE *fp;

  (void) data;
  write_file (f->path, text->str);
  cs_csv_options_init (&opt);
  opt.target = "strength";
  fl = cs_csv_follower_new (f->path, &opt);
  cb = cs_csv_follower_load (fl, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb->n, ==, 20);

  /* Truncated in place (the same inode, a smaller size). */
  fp = fopen (f->path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpint (ftruncate (fileno (fp), 100), ==, 0);
  fclose (fp);
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_REWRITTEN);
  cb2 = cs_csv_follower_load (fl, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cb2->n, <, 20);
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_NOTHING);
  g_clear_pointer (&cb2, cs_case_base_unref);

  /* Rewritten in place with other rows and a larger size: the first bytes differ. */
  other = base_text (40, 12);
  fp = fopen (f->path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (other->str, 1, other->len, fp), ==, other->len);
  fclose (fp);
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_REWRITTEN);
  cb2 = cs_csv_follower_load (fl, NULL, NULL, &error);
  g_assert_cmpuint (cb2->n, ==, 40);
  g_clear_pointer (&cb2, cs_case_base_unref);

  /* Replaced by another file (a new inode), as a logger that rotates. */
  write_file (f->path, text->str);
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_REWRITTEN);
  cb2 = cs_csv_follower_load (fl, NULL, NULL, &error);
  g_assert_cmpuint (cb2->n, ==, 20);
  g_assert_cmpuint (rows->len, ==, 0);
}

static void
test_append_base (void)
{
  g_autoptr(CsCaseBase) a = cs_case_base_new (3, 2);
  g_autoptr(CsCaseBase) b = NULL;
  double x[4] = { 7, 8, 9, 10 }, y[2] = { 1, 2 };
  guint lines[2] = { 9, 10 };
  const char *ids[2] = { "q", "r" };

  for (gsize i = 0; i < 6; i++)
    a->x[i] = (double) i;
  for (gsize i = 0; i < 3; i++)
    a->y[i] = (double) (10 + i), a->line[i] = (guint) (i + 2);
  a->ids = g_new0 (char *, 3);
  for (gsize i = 0; i < 3; i++)
    a->ids[i] = g_strdup_printf ("c%zu", i);
  a->id_name = g_strdup ("id");
  cs_case_base_compute_stats (a);
  b = cs_case_base_append (a, x, y, lines, ids, 2);
  g_assert_cmpuint (a->n, ==, 3);           /* the old version is not changed */
  g_assert_cmpuint (b->n, ==, 5);
  g_assert_cmpfloat (b->x[8], ==, 9);
  g_assert_cmpfloat (b->y[4], ==, 2);
  g_assert_cmpuint (b->line[3], ==, 9);
  g_assert_cmpstr (b->ids[0], ==, "c0");
  g_assert_cmpstr (b->ids[4], ==, "r");
  g_assert_cmpfloat (b->max[0], ==, 9);
  g_assert_cmpfloat (a->max[0], ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/cs/data/follow/append", Fixture, NULL, fixture_setup, test_append, fixture_teardown);
  g_test_add ("/cs/data/follow/rewrite", Fixture, NULL, fixture_setup, test_rewrite, fixture_teardown);
  g_test_add_func ("/cs/data/follow/append-base", test_append_base);
  return g_test_run ();
}
