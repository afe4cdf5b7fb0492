/* test-csv-categories.c: text columns with few distinct values become category features: the detection rule
 * (at most 50 levels, fewer than 5 % of the rows), codes in first-seen order, a missing value as the level "",
 * explicit roles, and the categories kept through exclusions. */
#define G_LOG_DOMAIN "test-csv-categories"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "cs-csv-follow.h"
#include "cs-csv-loader.h"
#include "cs-exclusions.h"

/* rows rows of "name,x,grade,y": grade cycles through levels values G0, G1, ... */
static GBytes *
make_csv (guint rows,
          guint levels,
          gboolean with_missing)
{
  GString *s = g_string_new ("name,x,grade,y\n");

  for (guint i = 0; i < rows; i++)
    {
      if (with_missing && i == 7)
        g_string_append_printf (s, "N%u,%u,,%u\n", i, i % 13, i % 17);
      else
        g_string_append_printf (s, "N%u,%u,G%u,%u\n", i, i % 13, (i * 11 + 3) % levels, i % 17);
    }
  return g_string_free_to_bytes (s);
}

static CsCaseBase *
load (GBytes               *bytes,
      const char * const   *names,
      const CsColumnRole   *roles,
      CsCsvReport         **report)
{
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  CsCaseBase *base;

  cs_csv_options_init (&o);
  o.target = "y";
  o.role_names = names;
  o.roles = roles;
  base = cs_csv_load_bytes (bytes, "grades.csv", &o, report, NULL, &error);
  g_assert_no_error (error);
  return base;
}

static CsColumnRole
role_of (CsCsvReport *report,
         const char  *name)
{
  for (guint j = 0; j < report->columns->len; j++)
    {
      CsCsvColumn *c = report->columns->pdata[j];
      if (strcmp (c->name, name) == 0)
        return c->role;
    }
  g_assert_not_reached ();
}

/* The rule on both sides of each bound: 50 levels over 1,100 rows (50 < 55) is a category, 51 is not (more
 * than 50); 50 over 1,000 rows is not (50 is 5 %, not fewer); 4 over 100 is, 5 over 100 is not. */
static void
test_rule (void)
{
  static const struct { guint rows, levels; gboolean category; } cases[] = {
    { 1100, 50, TRUE }, { 1100, 51, FALSE }, { 1000, 50, FALSE }, { 1000, 49, TRUE },
    { 100, 4, TRUE }, { 100, 5, FALSE }, { 40, 2, FALSE }, { 41, 2, TRUE },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GBytes) bytes = make_csv (cases[k].rows, cases[k].levels, FALSE);
      g_autoptr(CsCsvReport) report = NULL;
      g_autoptr(CsCaseBase) base = load (bytes, NULL, NULL, &report);

      g_test_message ("%u rows, %u levels", cases[k].rows, cases[k].levels);
      g_assert_cmpint (role_of (report, "grade"), ==, (cases[k].category ? CS_ROLE_CATEGORY : CS_ROLE_IGNORED));
      g_assert_cmpint (role_of (report, "name"), ==, CS_ROLE_LABEL);
      g_assert_cmpint (role_of (report, "x"), ==, CS_ROLE_FEATURE);   /* numbers stay numbers */
      g_assert_cmpuint (base->d, ==, 1);
      g_assert_cmpuint (base->n_cat, ==, (cases[k].category ? 1 : 0));
      if (cases[k].category)
        {
          g_assert_cmpstr (base->cat_names[0], ==, "grade");
          g_assert_cmpuint (base->cat_n_levels[0], ==, cases[k].levels);
          /* codes in first-seen order: row i holds G((11 i + 3) mod levels) */
          for (gsize i = 0; i < base->n; i++)
            {
              g_autofree char *want = g_strdup_printf ("G%u", (guint) ((i * 11 + 3) % cases[k].levels));
              g_assert_cmpstr (base->cat_levels[0][base->cat_codes[i]], ==, want);
            }
          g_assert_cmpstr (base->cat_levels[0][base->cat_codes[0]], ==, base->cat_levels[0][0]);   /* row 0 first */
          g_assert_cmpint (cs_case_base_find_level (base, 0, base->cat_levels[0][0]), ==, 0);
          g_assert_cmpint (cs_case_base_find_level (base, 0, "nope"), ==, -1);
          g_assert_cmpint (cs_case_base_find_category (base, "grade"), ==, 0);
        }
    }
}

/* A missing value is the level "" (its own level, the row kept); an explicit label stays a label; a text
 * column named as a feature is a category. */
static void
test_missing_and_roles (void)
{
  g_autoptr(GBytes) bytes = make_csv (300, 3, TRUE);
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(CsCaseBase) base = load (bytes, NULL, NULL, &report);
  static const char * const names[] = { "grade", NULL };
  static const CsColumnRole as_label[] = { CS_ROLE_LABEL }, as_feature[] = { CS_ROLE_FEATURE };
  gint empty;

  g_assert_cmpuint (base->n, ==, 300);
  g_assert_cmpuint (base->n_cat, ==, 1);
  g_assert_cmpuint (base->cat_n_levels[0], ==, 4);
  empty = cs_case_base_find_level (base, 0, "");
  g_assert_cmpint (empty, >=, 0);
  g_assert_cmpint (base->cat_codes[7], ==, empty);
  for (gsize i = 0; i < base->n; i++)
    g_assert_true ((base->cat_codes[i] == empty) == (i == 7));

  {
    g_autoptr(CsCsvReport) r2 = NULL;
    g_autoptr(CsCaseBase) b2 = load (bytes, names, as_label, &r2);
    g_assert_cmpint (role_of (r2, "grade"), !=, CS_ROLE_CATEGORY);   /* a label (ignored: "name" is the one kept) */
    g_assert_cmpuint (b2->n_cat, ==, 0);
  }
  {
    g_autoptr(CsCsvReport) r3 = NULL;
    g_autoptr(CsCaseBase) b3 = load (bytes, names, as_feature, &r3);
    g_assert_cmpint (role_of (r3, "grade"), ==, CS_ROLE_CATEGORY);
    g_assert_cmpuint (b3->n_cat, ==, 1);
  }
}

/* Setting cases aside keeps the categories of the kept rows and every level (codes keep their meaning). */
static void
test_exclusions_keep_codes (void)
{
  g_autoptr(GBytes) bytes = make_csv (200, 4, FALSE);
  g_autoptr(CsCaseBase) base = load (bytes, NULL, NULL, NULL);
  g_autoptr(CsExclusions) ex = cs_exclusions_new ();
  g_autoptr(CsCaseBase) kept = NULL;
  gsize applied = 0;

  g_assert_true (cs_exclusions_add (ex, base->line[0], base->ids[0], "test", NULL, NULL));
  g_assert_true (cs_exclusions_add (ex, base->line[5], base->ids[5], "test", NULL, NULL));
  kept = cs_case_base_exclude (base, ex, NULL, &applied);
  g_assert_cmpuint (applied, ==, 2);
  g_assert_cmpuint (kept->n_cat, ==, 1);
  g_assert_cmpuint (kept->cat_n_levels[0], ==, 4);
  for (gsize k = 0, i = 0; i < base->n; i++)
    if (i != 0 && i != 5)
      {
        g_assert_cmpint (kept->cat_codes[k], ==, base->cat_codes[i]);
        k++;
      }
}

/* Follow mode: appended rows carry their category values ("" when missing); the grown base keeps every code
 * and adds a value it had not seen as a new level at the end. */
static void
test_follow (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-cat-follow-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "grades.csv", NULL);
  g_autoptr(GBytes) bytes = make_csv (300, 3, FALSE);
  g_autoptr(CsCsvFollower) fl = NULL;
  g_autoptr(CsCaseBase) base = NULL, grown = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cs_csv_follow_row_free);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (cs_csv_problem_free);
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;
  FILE *fp;
  double x[3], y[3];
  guint lines[3];
  const char *cats[3];

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), NULL));
  cs_csv_options_init (&o);
  o.target = "y";
  fl = cs_csv_follower_new (path, &o);
  base = cs_csv_follower_load (fl, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (base->n_cat, ==, 1);
  fp = fopen (path, "ab");
  g_assert_nonnull (fp);
  fputs ("M1,3,G1,4\nM2,5,G9,6\nM3,7,,8\n", fp);
  fclose (fp);
  g_assert_cmpint (cs_csv_follower_poll (fl, rows, problems, &error), ==, CS_CSV_FOLLOW_ROWS);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      CsCsvFollowRow *r = rows->pdata[i];
      g_assert_nonnull (r->cats);
      x[i] = r->x[0];
      y[i] = r->y;
      lines[i] = r->line;
      cats[i] = r->cats[0];
    }
  g_assert_cmpstr (cats[0], ==, "G1");
  g_assert_cmpstr (cats[1], ==, "G9");
  g_assert_cmpstr (cats[2], ==, "");
  grown = cs_case_base_append_full (base, x, y, lines, NULL, cats, 3);
  g_assert_cmpuint (grown->n, ==, base->n + 3);
  g_assert_cmpuint (grown->cat_n_levels[0], ==, 5);   /* G9 and "" are new */
  g_assert_cmpint (grown->cat_codes[base->n], ==, cs_case_base_find_level (base, 0, "G1"));
  g_assert_cmpstr (grown->cat_levels[0][grown->cat_codes[base->n + 1]], ==, "G9");
  g_assert_cmpstr (grown->cat_levels[0][grown->cat_codes[base->n + 2]], ==, "");
  for (gsize i = 0; i < base->n; i++)
    g_assert_cmpint (grown->cat_codes[i], ==, base->cat_codes[i]);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/csv/categories/rule", test_rule);
  g_test_add_func ("/cs/data/csv/categories/missing-and-roles", test_missing_and_roles);
  g_test_add_func ("/cs/data/csv/categories/exclusions", test_exclusions_keep_codes);
  g_test_add_func ("/cs/data/csv/categories/follow", test_follow);
  return g_test_run ();
}
