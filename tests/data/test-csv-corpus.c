/* test-csv-corpus.c: every file of tests/data/csv/ gives exactly the expected case base or error. */
#define G_LOG_DOMAIN "test-csv-corpus"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-csv-loader.h"
#include "cs-data-error.h"

#define OK (-1)

typedef struct
{
  const char *file;
  const char *opts;         /* "strict target=NAME delim=C decimal=0|1 header=0|1" */
  int error;                /* OK or a CsDataError */
  const char *where;        /* prefix the error message starts with ("FILE:LINE:COLUMN:") */
  gsize n, d;
  char delim;
  int decimal_comma, header, bom;
  const char *encoding;
  gsize rows_read;          /* rows_used is n on success */
  const char *target;
  const char *problems;     /* every non-warning problem as "LINE:COLUMN", in order */
  const char *rows;         /* "ROW@LINE:x1,x2,..;y ..." checked exactly */
} Case;

static const Case cases[] = {
  { "basic.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2;3 1@3:4,5;6.5 2@4:7,8;9" },
  { "basic.csv", "strict", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "2@4:7,8;9" },
  { "crlf.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2;3 1@3:4,5;6.5 2@4:7,8;9" },
  { "cr-only.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2;3 1@3:4,5;6.5 2@4:7,8;9" },
  { "no-final-newline.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2;3 2@4:7,8;9" },
  { "mixed-line-endings.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2;3 1@3:4,5;6.5 2@5:7,8;9" },
  { "quoted-fields.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1.5;2 2@4:3;4" },
  { "quoted-newline.csv", "", OK, NULL, 4, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "", "0@2:1;2 1@4:2;3 2@5:3;4 3@7:4;5" },
  { "quoted-numbers.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1.5;2 1@3:3;4 2@4:5;6" },
  { "unterminated-quote.csv", "", CS_DATA_ERROR_PARSE, "unterminated-quote.csv:3:2:", 0, 0, ',', 0, 1, 0, "UTF-8", 2, NULL, "3:2", NULL },
  { "bad-quote.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "3:2", "0@2:1;2 1@4:6;7 2@5:8;9" },
  { "bad-quote.csv", "strict", CS_DATA_ERROR_PARSE, "bad-quote.csv:3:2:", 0, 0, ',', 0, 1, 0, "UTF-8", 2, NULL, "3:2", NULL },
  { "text-after-quote.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "3:1", "0@2:1;2 1@4:5;6 2@5:7;8" },
  { "semicolon-decimal-comma.csv", "", OK, NULL, 3, 2, ';', 1, 1, 0, "UTF-8", 3, "y", "", "0@2:1.5,3;2.25 1@3:4,6;5.5 2@4:7,9;8.75" },
  { "semicolon-decimal-comma.csv", "decimal=0", CS_DATA_ERROR_NO_DATA, "semicolon-decimal-comma.csv:", 0, 0, ';', 0, 1, 0, "UTF-8", 3, NULL, "0:0", NULL },
  { "excel-bom-semicolon.csv", "", OK, NULL, 3, 2, ';', 1, 1, 1, "UTF-8", 3, "Festigkeit", "", "0@2:20.5,1.25;300 1@3:21.5,1.5;310.5 2@4:19,2;305" },
  { "bom-quoted-header.csv", "", OK, NULL, 3, 1, ',', 0, 1, 1, "UTF-8", 3, "y", "", "0@2:1;2 2@4:5;7" },
  { "tab.csv", "", OK, NULL, 3, 2, '\t', 0, 1, 0, "UTF-8", 4, "y", "2:2", "0@3:4,6;5 2@5:10,12;11" },
  { "pipe.csv", "", OK, NULL, 3, 2, '|', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,3;2 2@4:7,9;8" },
  { "trailing-delimiter.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 2@4:5;6" },
  { "trailing-delimiter-data.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 1@3:3;4 2@4:5;6" },
  { "blank-lines.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@3:1;2 1@6:3;4 2@8:5;6" },
  { "long-lines.csv", "", OK, NULL, 3, 3000, ',', 0, 1, 0, "UTF-8", 3, "y", "", NULL },
  { "long-label.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 1@3:2;3 2@4:3;5" },
  { "one-column.csv", "", CS_DATA_ERROR_NO_DATA, "one-column.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 3, NULL, "0:0", NULL },
  { "one-row.csv", "", CS_DATA_ERROR_NO_DATA, "one-row.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 1, NULL, "0:0", NULL },
  { "header-only.csv", "", CS_DATA_ERROR_NO_DATA, "header-only.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 0, NULL, "0:0", NULL },
  { "empty.csv", "", CS_DATA_ERROR_NO_DATA, "empty.csv:", 0, 0, ',', 0, 0, 0, "UTF-8", 0, NULL, "0:0", NULL },
  { "blank-only.csv", "", CS_DATA_ERROR_NO_DATA, "blank-only.csv:", 0, 0, ',', 0, 0, 0, "UTF-8", 0, NULL, "0:0", NULL },
  { "garbage.csv", "", CS_DATA_ERROR_ENCODING, "garbage.csv:1:1:", 0, 0, ',', 0, 0, 0, "UTF-8", 0, NULL, "1:1", NULL },
  { "binary-nul-late.csv", "", CS_DATA_ERROR_ENCODING, "binary-nul-late.csv:1:1:", 0, 0, ',', 0, 0, 0, "UTF-8", 0, NULL, "1:1", NULL },
  { "utf16le-bom.csv", "", OK, NULL, 3, 1, ',', 0, 1, 1, "UTF-16LE", 3, "y", "", "0@2:1.5;2 2@4:3.5;4.5" },
  { "utf16be-bom.csv", "", OK, NULL, 3, 1, ',', 0, 1, 1, "UTF-16BE", 3, "y", "", "0@2:1;2 2@4:5;6.5" },
  { "utf16le-nobom.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-16LE", 3, "y", "", "0@2:1;2 2@4:5;6.5" },
  { "latin1.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "ISO-8859-1", 3, "y", "", "0@2:1;2 2@4:3;5" },
  { "na-tokens.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 10, "y", "3:1 4:1 5:1 6:1 7:1 8:1 9:1", "0@2:1,1;1 1@10:9,9;9 2@11:10,10;11" },
  { "missing-target.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 5, "y", "3:3 4:3", "0@2:1,2;3 1@5:10,11;12 2@6:13,14;15" },
  { "inf-values.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 7, "y", "3:1 4:1 5:1 7:1", "0@2:1;2 1@6:5;6 2@8:7;8" },
  { "text-in-numeric.csv", "", OK, NULL, 4, 1, ',', 0, 1, 0, "UTF-8", 5, "y", "4:1", "0@2:1;2 1@3:1;3 2@5:4;5 3@6:6;7" },
  { "thousands-comma.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 5, "y", "3:1 4:3", "0@2:1;2 1@5:6;7 2@6:8;9" },
  { "ragged-short.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 4, "y", "3:3", "0@2:1,2;3 1@4:6,7;8 2@5:9,10;11" },
  { "ragged-long.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 4, "y", "3:4", "0@2:1,2;3 1@4:6,7;8" },
  { "ragged-long.csv", "strict", CS_DATA_ERROR_PARSE, "ragged-long.csv:3:4:", 0, 0, ',', 0, 1, 0, "UTF-8", 2, NULL, "3:4", NULL },
  { "no-header.csv", "", OK, NULL, 3, 2, ',', 0, 0, 0, "UTF-8", 3, "column 3", "", "0@1:1,2;3 1@2:4,5;6 2@3:7,8;10" },
  { "no-header.csv", "header=1", OK, NULL, 2, 2, ',', 0, 1, 0, "UTF-8", 2, "3", "", "0@2:4,5;6 1@3:7,8;10" },
  { "duplicate-names.csv", "", OK, NULL, 3, 3, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1,2,3;4 2@4:9,10,11;13" },
  { "target-named.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "Outcome", "", "0@2:1,2;10 2@4:5,7;30" },
  { "target-option.csv", "target=a", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "a", "", "0@2:2,3;1 2@4:8,10;7" },
  { "target-option.csv", "target=nope", CS_DATA_ERROR_MISSING_COLUMN, "target-option.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 0, NULL, "", NULL },
  { "target-option.csv", "delim=;", CS_DATA_ERROR_NO_DATA, "target-option.csv:", 0, 0, ';', 0, 1, 0, "UTF-8", 3, NULL, "0:0", NULL },
  { "constant-feature.csv", "", OK, NULL, 3, 2, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:5,1;2 2@4:5,3;5" },
  { "duplicates.csv", "", OK, NULL, 4, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "", "2@4:1;2" },
  { "all-identical.csv", "", CS_DATA_ERROR_NO_DATA, "all-identical.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 3, NULL, "0:0", NULL },
  { "no-numeric.csv", "", CS_DATA_ERROR_NO_DATA, "no-numeric.csv:", 0, 0, ',', 0, 1, 0, "UTF-8", 2, NULL, "0:0", NULL },
  { "two-text-columns.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 2@4:3;5" },
  { "strict-missing.csv", "strict", CS_DATA_ERROR_BAD_VALUE, "strict-missing.csv:4:1:", 0, 0, ',', 0, 1, 0, "UTF-8", 3, NULL, "4:1", NULL },
  { "strict-missing.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "4:1", "0@2:1;2 2@5:6;7" },
  { "number-forms.csv", "", OK, NULL, 4, 1, ',', 0, 1, 0, "UTF-8", 4, "y", "", "0@2:-1.5e-3;200 1@3:0.5;5 2@4:1;0 3@5:7;8" },
  { "spaces.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 2@4:5;6" },
  { "subnormal.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "",
    "0@2:4.9e-324;1.7976931348623157e308 1@3:2.2250738585072011e-308;1 2@4:0.1;0.30000000000000004" },
  { "empty-column.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 2@4:5;7" },
  { "semicolon-dot.csv", "", OK, NULL, 3, 1, ';', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1.5;2 2@4:3.5;4.5" },
  { "labels-missing.csv", "", OK, NULL, 3, 1, ',', 0, 1, 0, "UTF-8", 3, "y", "", "0@2:1;2 2@4:3;5" },
};

static void
parse_opts (const char   *opts,
            CsCsvOptions *o,
            char        **target)
{
  g_auto(GStrv) words = g_strsplit (opts, " ", -1);

  cs_csv_options_init (o);
  for (gsize i = 0; words[i] != NULL; i++)
    {
      if (strcmp (words[i], "strict") == 0)
        o->strict = TRUE;
      else if (g_str_has_prefix (words[i], "target="))
        o->target = *target = g_strdup (words[i] + 7);
      else if (g_str_has_prefix (words[i], "delim="))
        o->delimiter = words[i][6];
      else if (g_str_has_prefix (words[i], "decimal="))
        o->decimal_comma = atoi (words[i] + 8);
      else if (g_str_has_prefix (words[i], "header="))
        o->header = atoi (words[i] + 7);
    }
}

/* "5@7:1,2;3" -> row 5 is on line 7 with features 1,2 and target 3 (g_ascii_strtod, exact). */
static void
check_rows (const CsCaseBase *cb,
            const char       *spec)
{
  g_auto(GStrv) items = g_strsplit (spec, " ", -1);

  for (gsize k = 0; items[k] != NULL; k++)
    {
      char *at = strchr (items[k], '@'), *colon = strchr (items[k], ':'), *semi = strchr (items[k], ';');
      gsize row = g_ascii_strtoull (items[k], NULL, 10);
      guint line = (guint) g_ascii_strtoull (at + 1, NULL, 10);
      g_autofree char *xs = g_strndup (colon + 1, (gsize) (semi - colon - 1));
      g_auto(GStrv) xv = g_strsplit (xs, ",", -1);

      g_assert_cmpuint (row, <, cb->n);
      g_assert_cmpuint (cb->line[row], ==, line);
      g_assert_cmpuint (g_strv_length (xv), ==, cb->d);
      for (gsize j = 0; j < cb->d; j++)
        g_assert_cmpfloat (cb->x[row * cb->d + j], ==, g_ascii_strtod (xv[j], NULL));
      g_assert_cmpfloat (cb->y[row], ==, g_ascii_strtod (semi + 1, NULL));
    }
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "csv", c->file, NULL);
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  CsCsvOptions o;

  parse_opts (c->opts, &o, &target);
  cb = cs_csv_load_path (path, &o, &report, NULL, NULL, NULL, &error);

  if (c->error == OK)
    {
      g_assert_no_error (error);
      g_assert_nonnull (cb);
      g_assert_cmpuint (cb->n, ==, c->n);
      g_assert_cmpuint (cb->d, ==, c->d);
      g_assert_cmpstr (cb->target_name, ==, c->target);
      g_assert_cmpuint (report->rows_used, ==, c->n);
    }
  else
    {
      g_assert_error (error, CS_DATA_ERROR, c->error);
      g_assert_null (cb);
      if (!g_str_has_prefix (error->message, c->where))
        g_error ("%s: error “%s” does not start with “%s”", c->file, error->message, c->where);
    }
  g_assert_nonnull (report);
  if (c->error != CS_DATA_ERROR_MISSING_COLUMN)
    {
      g_assert_cmpint (report->delimiter, ==, c->delim);
      g_assert_cmpint (report->decimal_comma, ==, c->decimal_comma);
      g_assert_cmpint (report->header, ==, c->header);
      g_assert_cmpint (report->bom, ==, c->bom);
      g_assert_cmpstr (report->encoding, ==, c->encoding);
      g_assert_cmpuint (report->rows_read, ==, c->rows_read);
      if (c->error == OK)
        g_assert_cmpuint (report->rows_skipped, ==, c->rows_read - c->n);
      for (guint i = 0; i < report->problems->len; i++)
        {
          CsCsvProblem *p = report->problems->pdata[i];
          g_assert_nonnull (p->message);
          if (!p->warning)
            g_string_append_printf (problems, "%s%u:%u", problems->len > 0 ? " " : "", p->line, p->column);
        }
      g_assert_cmpstr (problems->str, ==, c->problems);
    }
  if (cb != NULL && c->rows != NULL)
    check_rows (cb, c->rows);
}

/* Details the table cannot express. */
static CsCaseBase *
load (const char   *file,
      CsCsvReport **report)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "csv", file, NULL);
  g_autoptr(GError) error = NULL;
  CsCaseBase *cb = cs_csv_load_path (path, NULL, report, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return cb;
}

static const CsCsvColumn *
column (const CsCsvReport *r,
        gsize              j)
{
  g_assert_cmpuint (j, <, r->columns->len);
  return r->columns->pdata[j];
}

static gsize
count_warnings (const CsCsvReport *r)
{
  gsize n = 0;
  for (guint i = 0; i < r->problems->len; i++)
    n += ((CsCsvProblem *) r->problems->pdata[i])->warning;
  return n;
}

static void
test_details (void)
{
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("quoted-fields.csv", &r);
    g_assert_cmpstr (cb->id_name, ==, "id");
    g_assert_cmpstr (cb->ids[0], ==, "A \"1\"");
    g_assert_cmpstr (cb->feature_names[0], ==, "x, a");
    g_assert_cmpint (column (r, 0)->role, ==, CS_ROLE_LABEL);
  }
  {
    /* Provenance: the SHA-256 of the file's bytes and its path. */
    g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "csv", "crlf.csv", NULL);
    g_autofree char *text = NULL;
    g_autofree char *sum = NULL;
    gsize len;
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("crlf.csv", &r);
    g_assert_true (g_file_get_contents (path, &text, &len, NULL));
    sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, len);
    g_assert_cmpstr (cb->sha256, ==, sum);
    g_assert_cmpstr (cb->source_path, ==, path);
    g_assert_cmpstr (cb->source, ==, "crlf.csv");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("quoted-newline.csv", &r);
    g_assert_cmpstr (cb->ids[0], ==, "multi\nline");
    g_assert_cmpstr (cb->ids[2], ==, "C\r\nD");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("excel-bom-semicolon.csv", &r);
    g_assert_cmpstr (cb->feature_names[0], ==, "Temperatur");
    g_assert_cmpstr (cb->feature_units[0], ==, "°C");
    g_assert_cmpstr (cb->target_unit, ==, "MPa");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("long-lines.csv", &r);
    g_assert_cmpfloat (cb->x[0], ==, 1.0);
    g_assert_cmpfloat (cb->x[2 * 3000 + 2999], ==, 3.8);
    g_assert_cmpfloat (cb->y[2], ==, 20);
    g_assert_cmpstr (cb->feature_names[2999], ==, "x3000");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("long-label.csv", &r);
    g_assert_cmpuint (strlen (cb->ids[0]), ==, 100000);
    g_assert_cmpstr (cb->ids[1], ==, "B");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("utf16le-bom.csv", &r);
    g_assert_cmpstr (cb->ids[0], ==, "Ä1");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("latin1.csv", &r);
    g_assert_cmpstr (cb->ids[0], ==, "Müller");
    g_assert_cmpstr (cb->ids[1], ==, "Göß");
    g_assert_cmpstr (cb->ids[2], ==, "Plain");
    g_assert_cmpuint (count_warnings (r), ==, 1);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("na-tokens.csv", &r);
    g_assert_cmpuint (column (r, 0)->missing, ==, 7);
    g_assert_cmpuint (column (r, 1)->missing, ==, 0);
    g_assert_cmpint (column (r, 2)->role, ==, CS_ROLE_TARGET);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("inf-values.csv", &r);
    g_assert_cmpuint (column (r, 0)->bad, ==, 3);
    g_assert_cmpuint (column (r, 0)->missing, ==, 1);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("duplicate-names.csv", &r);
    g_assert_cmpstr (cb->feature_names[0], ==, "x");
    g_assert_cmpstr (cb->feature_names[1], ==, "x_2");
    g_assert_cmpstr (cb->feature_names[2], ==, "column 3");
    g_assert_cmpuint (count_warnings (r), ==, 2);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("constant-feature.csv", &r);
    g_assert_true (column (r, 0)->constant);
    g_assert_false (column (r, 1)->constant);
    g_assert_cmpfloat (cb->sd[0], ==, 0);
    g_assert_cmpfloat (column (r, 1)->mean, ==, 2);
    g_assert_cmpfloat (column (r, 1)->min, ==, 1);
    g_assert_cmpfloat (column (r, 1)->max, ==, 3);
    g_assert_cmpfloat_with_epsilon (column (r, 1)->sd, sqrt (2.0 / 3.0), 1e-15);
    g_assert_cmpuint (count_warnings (r), ==, 1);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("duplicates.csv", &r);
    g_assert_cmpuint (r->duplicate_rows, ==, 1);
    g_assert_cmpuint (((CsCsvProblem *) r->problems->pdata[0])->line, ==, 4);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("two-text-columns.csv", &r);
    g_assert_cmpint (column (r, 0)->role, ==, CS_ROLE_LABEL);
    g_assert_cmpint (column (r, 1)->role, ==, CS_ROLE_IGNORED);
    g_assert_cmpstr (cb->ids[2], ==, "C");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("empty-column.csv", &r);
    g_assert_cmpint (column (r, 1)->role, ==, CS_ROLE_IGNORED);
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("labels-missing.csv", &r);
    g_assert_cmpuint (column (r, 0)->missing, ==, 2);
    g_assert_cmpstr (cb->ids[1], ==, "");
  }
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = load ("trailing-delimiter-data.csv", &r);
    g_assert_cmpuint (count_warnings (r), ==, 1);
  }
}

/* Role overrides by name and a custom NA list. */
static void
test_overrides (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "csv", "basic.csv", NULL);
  const char * const names[] = { "a", NULL };
  const CsColumnRole roles[] = { CS_ROLE_IGNORED };
  const char * const na[] = { "7", NULL };
  g_autoptr(GError) error = NULL;
  CsCsvOptions o;

  cs_csv_options_init (&o);
  o.role_names = names;
  o.roles = roles;
  {
    g_autoptr(CsCaseBase) cb = cs_csv_load_path (path, &o, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cb->d, ==, 1);
    g_assert_cmpstr (cb->feature_names[0], ==, "b");
  }
  cs_csv_options_init (&o);
  o.na_tokens = na;
  {
    g_autoptr(CsCsvReport) r = NULL;
    g_autoptr(CsCaseBase) cb = cs_csv_load_path (path, &o, &r, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cb->n, ==, 2);          /* the row "7,8,9" has a missing a */
    g_assert_cmpuint (column (r, 0)->missing, ==, 1);
  }
}

/* Every corpus file (and every prefix of it) loads or fails cleanly through both entry points. */
static void
test_prefixes (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "csv", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gsize files = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      files++;
      for (gsize cut = 0; cut <= MIN (len, 300); cut += 7)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (text, cut);
          g_autoptr(GError) error = NULL;
          g_autoptr(CsCsvReport) r = NULL;
          g_autoptr(CsCaseBase) cb = cs_csv_load_bytes (bytes, name, NULL, &r, NULL, &error);
          g_assert_true ((cb == NULL) == (error != NULL));
          g_assert_nonnull (r);
          if (cb != NULL)
            g_assert_cmpuint (cb->n, >=, 2);
        }
    }
  g_assert_cmpuint (files, >=, 40);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup (cases[i].file);
      g_autofree char *test = NULL;
      char *dot = strrchr (name, '.');
      if (dot != NULL)
        *dot = '\0';
      test = g_strdup_printf ("/cs/data/csv/%s%s%s", name, *cases[i].opts ? "/" : "", cases[i].opts);
      g_strdelimit (test, " =;", '-');
      g_test_add_data_func (test, &cases[i], run_case);
    }
  g_test_add_func ("/cs/data/csv-details", test_details);
  g_test_add_func ("/cs/data/csv-overrides", test_overrides);
  g_test_add_func ("/cs/data/csv-prefixes", test_prefixes);
  return g_test_run ();
}
