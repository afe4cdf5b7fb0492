/* cs-cli-query.c: queries for casescope-cli predict: --query text and --queries CSV files, in original units. */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-cli.h"
#include "cs-cli-query.h"
#include "cs-atomic-file.h"
#include "cs-csv-loader.h"

/* Parse 'name=value,...' into q (standardised by the loaded scaling). Each feature at most once; names as
 * in the case base; a feature left out or given as 'name=' is NaN (missing). */
gboolean
cs_cli_parse_query (const char   *text,
             const CsCaseBase *base,
             double       *x,
             char        **message)
{
  return cs_cli_parse_query_levels (text, base, x, NULL, message);
}

gboolean
cs_cli_parse_query_levels (const char       *text,
                           const CsCaseBase *base,
                           double           *x,
                           gint             *levels,
                           char            **message)
{
  gsize d = base->d;
  g_autofree gboolean *seen = g_new0 (gboolean, d);
  g_autofree gboolean *seen_cat = g_new0 (gboolean, MAX (base->n_cat, 1));
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (gsize c = 0; levels != NULL && c < base->n_cat; c++)
    levels[c] = CS_LEVEL_NOT_GIVEN;   /* until the query names the column */

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq, *name, *val;
      gssize j;
      double v;

      g_strstrip (parts[i]);
      if (parts[i][0] == '\0')
        continue;
      eq = strchr (parts[i], '=');
      if (eq == NULL)
        {
          *message = g_strdup_printf ("'%s' is not name=value", parts[i]);
          return FALSE;
        }
      *eq = '\0';
      name = g_strstrip (parts[i]);
      val = g_strstrip (eq + 1);
      j = cs_case_base_find_feature (base, name);
      if (j < 0 && cs_case_base_find_category (base, name) >= 0)
        {
          /* a level name, exactly as in the file; one no case has is kept as unknown (flagged, not refused) */
          gsize c = (gsize) cs_case_base_find_category (base, name);
          if (seen_cat[c])
            {
              *message = g_strdup_printf ("category '%s' given twice", name);
              return FALSE;
            }
          seen_cat[c] = TRUE;
          if (levels != NULL)
            levels[c] = cs_case_base_find_level (base, c, val);
          continue;
        }
      if (j < 0)
        {
          g_autofree char *names = g_strjoinv (", ", base->feature_names);
          g_autofree char *cats = base->n_cat > 0 ? g_strjoinv (", ", base->cat_names) : NULL;
          *message = g_strdup_printf ("unknown feature '%s' (features: %s%s%s)", name, names,
                                      cats != NULL ? "; categories: " : "", cats != NULL ? cats : "");
          return FALSE;
        }
      if (seen[j])
        {
          *message = g_strdup_printf ("feature '%s' given twice", name);
          return FALSE;
        }
      if (val[0] == '\0')
        v = NAN;   /* name= : no value (a sensor down); the engine predicts from the other features */
      else if (!cs_cli_parse_finite (val, &v))
        {
          *message = g_strdup_printf ("value of '%s' is not a finite number: '%s'", name, val);
          return FALSE;
        }
      seen[j] = TRUE;
      x[j] = v;
    }
  {
    /* A feature left out has no value, like name= ; at least one feature must have one. */
    gsize given = 0;

    for (gsize j = 0; j < d; j++)
      {
        if (!seen[j])
          x[j] = NAN;
        given += !isnan (x[j]);
      }
    if (given == 0)
      {
        g_autofree char *names = g_strjoinv (", ", base->feature_names);
        *message = g_strdup_printf ("no feature has a value (features: %s)", names);
        return FALSE;
      }
  }
  return TRUE;
}

/* Read a query CSV: a header naming (at least) every feature, one query per
 * line. Values in original units. Returns q or -1 after printing FILE:LINE:COL. */
gssize
cs_cli_read_queries (const char   *path,
              const CsCaseBase *base,
              double      **out)
{
  return cs_cli_read_queries_levels (path, base, out, NULL);
}

gssize
cs_cli_read_queries_levels (const char       *path,
                            const CsCaseBase *base,
                            double          **out,
                            gint            **levels_out)
{
  gsize nc = base->n_cat;
  g_autofree gssize *cat_col = g_new (gssize, MAX (nc, 1));
  GArray *lv = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) head = NULL;
  gsize d = base->d, q = 0, ncol, len;
  g_autofree gssize *col_of = g_new (gssize, d);
  char delim = ',';
  GArray *vals = g_array_new (FALSE, FALSE, sizeof (double));
  guint first = 0;

  if (!cs_input_is_regular (path, &error))
    {
      g_printerr ("%s\n", error->message);
      g_array_free (vals, TRUE);
      g_array_free (lv, TRUE);
      return -1;
    }
  if (!g_file_get_contents (path, &text, &len, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      g_array_free (vals, TRUE);
      g_array_free (lv, TRUE);
      return -1;
    }
  if (memchr (text, '\0', len) != NULL)
    {
      g_printerr ("%s:1:1: not a text file (it contains NUL bytes)\n", path);
      g_array_free (vals, TRUE);
      g_array_free (lv, TRUE);
      return -1;
    }
  if (len >= 3 && (guchar) text[0] == 0xEF && (guchar) text[1] == 0xBB && (guchar) text[2] == 0xBF)
    memmove (text, text + 3, len - 2);
  lines = g_strsplit (text, "\n", -1);
  while (lines[first] != NULL && g_strstrip (lines[first])[0] == '\0')
    first++;
  if (lines[first] == NULL)
    {
      g_printerr ("%s:1:1: empty query file (a header naming the features is needed)\n", path);
      g_array_free (vals, TRUE);
      g_array_free (lv, TRUE);
      return -1;
    }
  if (strchr (lines[first], ';') != NULL && strchr (lines[first], ',') == NULL)
    delim = ';';
  else if (strchr (lines[first], '\t') != NULL && strchr (lines[first], ',') == NULL)
    delim = '\t';
  {
    char ds[2] = { delim, 0 };
    head = g_strsplit (lines[first], ds, -1);
  }
  ncol = g_strv_length (head);
  for (gsize c = 0; c < ncol; c++)
    {
      char *name = NULL, *unit = NULL, *h = g_strstrip (head[c]);
      gsize hl = strlen (h);
      if (hl >= 2 && h[0] == '"' && h[hl - 1] == '"')
        {
          h[hl - 1] = '\0';
          h++;
        }
      cs_split_name_unit (h, &name, &unit);
      g_free (head[c]);
      head[c] = name;
      g_free (unit);
    }
  for (gsize j = 0; j < d; j++)
    {
      col_of[j] = -1;
      for (gsize c = 0; c < ncol; c++)
        if (g_strcmp0 (head[c], base->feature_names[j]) == 0)
          col_of[j] = (gssize) c;
      if (col_of[j] < 0)
        {
          g_printerr ("%s:%u:1: no column '%s' in the header (the queries need every feature)\n",
                      path, first + 1, base->feature_names[j]);
          g_array_free (vals, TRUE);
          g_array_free (lv, TRUE);
          return -1;
        }
    }
  for (gsize c = 0; c < nc; c++)
    {
      cat_col[c] = -1;
      for (gsize k = 0; k < ncol; k++)
        if (g_strcmp0 (head[k], base->cat_names[c]) == 0)
          cat_col[c] = (gssize) k;
    }
  for (guint li = first + 1; lines[li] != NULL; li++)
    {
      g_auto(GStrv) f = NULL;
      char ds[2] = { delim, 0 };
      char *line = g_strstrip (lines[li]);
      if (line[0] == '\0')
        continue;
      f = g_strsplit (line, ds, -1);
      for (gsize c = 0; c < nc; c++)
        {
          /* a category column the file lacks: not given; a value no case has: unknown; both flagged by the engine */
          gint code = CS_LEVEL_NOT_GIVEN;
          if (cat_col[c] >= 0 && (gsize) cat_col[c] < g_strv_length (f))
            {
              char *v = g_strstrip (f[cat_col[c]]);
              gsize vl = strlen (v);
              if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
                {
                  v[vl - 1] = '\0';
                  v++;
                }
              code = cs_case_base_find_level (base, c, v);
            }
          g_array_append_val (lv, code);
        }
      for (gsize j = 0; j < d; j++)
        {
          gsize c = (gsize) col_of[j];
          char *v;
          double x;
          if (c >= g_strv_length (f))
            {
              g_printerr ("%s:%u:%zu: missing value for '%s'\n", path, li + 1, c + 1, base->feature_names[j]);
              g_array_free (vals, TRUE);
              g_array_free (lv, TRUE);
              return -1;
            }
          v = g_strstrip (f[c]);
          if (v[0] == '"' && strlen (v) >= 2 && v[strlen (v) - 1] == '"')
            {
              v[strlen (v) - 1] = '\0';
              v++;
            }
          if (!cs_cli_parse_finite (v, &x))
            {
              g_printerr ("%s:%u:%zu: '%s' is not a finite number (feature '%s')\n", path, li + 1, c + 1, v,
                          base->feature_names[j]);
              g_array_free (vals, TRUE);
              g_array_free (lv, TRUE);
              return -1;
            }
          g_array_append_val (vals, x);
        }
      q++;
    }
  if (q == 0)
    {
      g_printerr ("%s:%u:1: no queries after the header\n", path, first + 1);
      g_array_free (vals, TRUE);
      g_array_free (lv, TRUE);
      return -1;
    }
  *out = (double *) g_array_free (vals, FALSE);
  if (levels_out != NULL)
    *levels_out = nc > 0 ? (gint *) g_array_free (lv, FALSE) : NULL;
  if (levels_out == NULL || nc == 0)
    g_array_free (lv, TRUE);
  return (gssize) q;
}

