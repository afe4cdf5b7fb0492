/* cs-case-base.c: the immutable case table shared by every layer. */
#define G_LOG_DOMAIN "cs-case-base"

#include "config.h"

#include <math.h>
#include <string.h>

#include "cs-case-base.h"

CsCaseBase *
cs_case_base_new (gsize n,
                  gsize d)
{
  CsCaseBase *self = g_new0 (CsCaseBase, 1);

  self->ref_count = 1;
  self->n = n;
  self->d = d;
  self->feature_names = g_new0 (char *, d + 1);
  self->feature_units = g_new0 (char *, d + 1);
  for (gsize j = 0; j < d; j++)
    {
      self->feature_names[j] = g_strdup_printf ("x%zu", j + 1);
      self->feature_units[j] = g_strdup ("");
    }
  self->target_name = g_strdup ("y");
  self->target_unit = g_strdup ("");
  self->x = g_new0 (double, MAX (n * d, 1));
  self->y = g_new0 (double, MAX (n, 1));
  self->line = g_new0 (guint, MAX (n, 1));
  self->mean = g_new0 (double, MAX (d, 1));
  self->sd = g_new0 (double, MAX (d, 1));
  self->min = g_new0 (double, MAX (d, 1));
  self->max = g_new0 (double, MAX (d, 1));
  return self;
}

CsCaseBase *
cs_case_base_ref (CsCaseBase *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
cs_case_base_unref (CsCaseBase *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_free (self->source);
  g_free (self->source_path);
  g_free (self->sha256);
  g_strfreev (self->feature_names);
  g_strfreev (self->feature_units);
  g_free (self->target_name);
  g_free (self->target_unit);
  g_free (self->x);
  g_free (self->y);
  g_free (self->line);
  if (self->ids != NULL)
    {
      for (gsize i = 0; i < self->n; i++)
        g_free (self->ids[i]);
      g_free (self->ids);
    }
  g_free (self->id_name);
  g_free (self->mean);
  g_free (self->sd);
  g_free (self->min);
  g_free (self->max);
  cs_case_base_take_categories (self, 0, NULL, NULL, NULL);
  g_free (self);
}

void
cs_case_base_take_categories (CsCaseBase  *self,
                              gsize        n_cat,
                              char       **names,
                              char      ***levels,
                              gint        *codes)
{
  for (gsize c = 0; c < self->n_cat; c++)
    g_strfreev (self->cat_levels[c]);
  g_free (self->cat_levels);
  g_strfreev (self->cat_names);
  g_free (self->cat_n_levels);
  g_free (self->cat_codes);
  self->n_cat = n_cat;
  self->cat_names = n_cat > 0 ? names : NULL;
  self->cat_levels = n_cat > 0 ? levels : NULL;
  self->cat_codes = n_cat > 0 ? codes : NULL;
  self->cat_n_levels = n_cat > 0 ? g_new (gsize, n_cat) : NULL;
  for (gsize c = 0; c < n_cat; c++)
    self->cat_n_levels[c] = g_strv_length (levels[c]);
}

void
cs_case_base_copy_categories (CsCaseBase       *dst,
                              const CsCaseBase *src,
                              const gsize      *rows)
{
  gsize nc = src->n_cat;
  char ***levels;
  gint *codes;

  if (nc == 0)
    {
      cs_case_base_take_categories (dst, 0, NULL, NULL, NULL);
      return;
    }
  levels = g_new0 (char **, nc);
  for (gsize c = 0; c < nc; c++)
    levels[c] = g_strdupv (src->cat_levels[c]);
  codes = g_new (gint, MAX (dst->n * nc, 1));
  for (gsize k = 0; k < dst->n; k++)
    memcpy (codes + k * nc, src->cat_codes + (rows != NULL ? rows[k] : k) * nc, nc * sizeof (gint));
  cs_case_base_take_categories (dst, nc, g_strdupv (src->cat_names), levels, codes);
}

gssize
cs_case_base_find_category (const CsCaseBase *self,
                            const char       *name)
{
  for (gsize c = 0; c < self->n_cat; c++)
    if (g_strcmp0 (self->cat_names[c], name) == 0)
      return (gssize) c;
  return -1;
}

gint
cs_case_base_find_level (const CsCaseBase *self,
                         gsize             c,
                         const char       *level)
{
  if (c >= self->n_cat || level == NULL)
    return -1;
  for (gsize k = 0; k < self->cat_n_levels[c]; k++)
    if (strcmp (self->cat_levels[c][k], level) == 0)
      return (gint) k;
  return -1;
}

void
cs_case_base_set_feature (CsCaseBase *self,
                          gsize       j,
                          const char *name,
                          const char *unit)
{
  g_return_if_fail (self != NULL && j < self->d);
  g_free (self->feature_names[j]);
  g_free (self->feature_units[j]);
  self->feature_names[j] = g_strdup (name);
  self->feature_units[j] = g_strdup (unit != NULL ? unit : "");
}

void
cs_case_base_set_target (CsCaseBase *self,
                         const char *name,
                         const char *unit)
{
  g_return_if_fail (self != NULL);
  g_free (self->target_name);
  g_free (self->target_unit);
  self->target_name = g_strdup (name);
  self->target_unit = g_strdup (unit != NULL ? unit : "");
}

/* Columns [j0, j1) of the feature statistics. */
typedef struct
{
  CsCaseBase *self;
  gsize j0, j1;
} StatsJob;

/* Two-pass mean and standard deviation (population), plus ranges, of a job's columns. The passes run along rows
 * (cache-friendly on the row-major table) with the sums on the worker's stack, 64 columns at a time (the workers'
 * columns share cache lines of the results); each feature's sums still add the cases in order, so the results are
 * those of a column-by-column loop, on any number of workers. */
static gpointer
stats_columns (gpointer data)
{
  const StatsJob *job = data;
  CsCaseBase *self = job->self;
  gsize n = self->n, d = self->d;

  for (gsize c0 = job->j0; c0 < job->j1; c0 += 64)
    {
      gsize w = MIN (job->j1 - c0, 64);
      double sum[64], ss[64], lo[64], hi[64];

      for (gsize c = 0; c < w; c++)
        {
          sum[c] = ss[c] = 0;
          lo[c] = INFINITY;
          hi[c] = -INFINITY;
        }
      for (gsize i = 0; i < n; i++)
        {
          const double *row = self->x + i * d + c0;
          for (gsize c = 0; c < w; c++)
            {
              double v = row[c];
              sum[c] += v;
              lo[c] = MIN (lo[c], v);
              hi[c] = MAX (hi[c], v);
            }
        }
      for (gsize c = 0; c < w; c++)
        self->mean[c0 + c] = n > 0 ? sum[c] / n : 0;
      for (gsize i = 0; i < n; i++)
        {
          const double *row = self->x + i * d + c0;
          for (gsize c = 0; c < w; c++)
            {
              double e = row[c] - self->mean[c0 + c];
              ss[c] += e * e;
            }
        }
      for (gsize c = 0; c < w; c++)
        {
          gsize j = c0 + c;
          self->min[j] = lo[c];
          self->max[j] = hi[c];
          self->sd[j] = n > 0 ? sqrt (ss[c] / n) : 0;
          /* A spread below rounding noise of the mean is a constant feature. */
          if (self->sd[j] <= 1e-12 * MAX (1.0, fabs (self->mean[j])))
            self->sd[j] = 0;
          if (n == 0)
            self->min[j] = self->max[j] = 0;
        }
    }
  return NULL;
}

/* The workers split the columns (at 10^6 x 20 the two passes were a twentieth of a load on one core). */
void
cs_case_base_compute_stats (CsCaseBase *self)
{
  gsize n = self->n, d = self->d;
  guint nt = n * d >= (1 << 18) ? MIN (g_get_num_processors (), (guint) MIN (d, 64)) : 1;
  StatsJob jobs[64];
  GThread *threads[64] = { NULL };
  gsize per = nt > 0 ? (d + nt - 1) / nt : d;

  for (guint t = 0; t < nt; t++)
    jobs[t] = (StatsJob) { self, MIN (t * per, d), MIN ((t + 1) * per, d) };
  for (guint t = 1; t < nt; t++)
    threads[t] = g_thread_try_new ("cs-stats", stats_columns, &jobs[t], NULL);
  stats_columns (&jobs[0]);
  for (guint t = 1; t < nt; t++)
    {
      if (threads[t] != NULL)
        g_thread_join (threads[t]);
      else
        stats_columns (&jobs[t]);
    }

  {
    double ysum = 0, yss = 0, lo = INFINITY, hi = -INFINITY;

    for (gsize i = 0; i < n; i++)
      {
        ysum += self->y[i];
        lo = MIN (lo, self->y[i]);
        hi = MAX (hi, self->y[i]);
      }
    self->y_mean = n > 0 ? ysum / n : 0;
    for (gsize i = 0; i < n; i++)
      yss += (self->y[i] - self->y_mean) * (self->y[i] - self->y_mean);
    self->y_sd = n > 0 ? sqrt (yss / n) : 0;
    self->y_min = n > 0 ? lo : 0;
    self->y_max = n > 0 ? hi : 0;
  }
}

gssize
cs_case_base_find_feature (const CsCaseBase *self,
                           const char       *name)
{
  for (gsize j = 0; j < self->d; j++)
    if (g_strcmp0 (self->feature_names[j], name) == 0)
      return (gssize) j;
  return -1;
}

/* "temperature [degC]" or "temperature (degC)" -> "temperature", "degC". */
void
cs_split_name_unit (const char *header,
                    char      **name,
                    char      **unit)
{
  g_autofree char *h = g_strstrip (g_strdup (header != NULL ? header : ""));
  gsize len = strlen (h);

  if (len >= 3 && (h[len - 1] == ']' || h[len - 1] == ')'))
    {
      char open = h[len - 1] == ']' ? '[' : '(';
      char *o = strrchr (h, open);

      if (o != NULL && o > h)
        {
          *unit = g_strstrip (g_strndup (o + 1, (gsize) (h + len - 1 - (o + 1))));
          *name = g_strstrip (g_strndup (h, (gsize) (o - h)));
          if (**name != '\0')
            return;
          g_free (*name);
          g_free (*unit);
        }
    }
  *name = g_strdup (h);
  *unit = g_strdup ("");
}

double *
cs_case_base_standardise (const CsCaseBase *self)
{
  double *z = g_new (double, MAX (self->n * self->d, 1));

  cs_standardise_rows (self->x, z, self->d, self->mean, self->sd, 0, self->n);
  return z;
}

void
cs_standardise_rows (const double *x,
                     double       *z,
                     gsize         d,
                     const double *mean,
                     const double *sd,
                     gsize         first,
                     gsize         end)
{
  for (gsize i = first; i < end; i++)
    for (gsize j = 0; j < d; j++)
      z[i * d + j] = (x[i * d + j] - mean[j]) / (sd[j] > 0 ? sd[j] : 1.0);
}

CsCaseBase *
cs_case_base_append (const CsCaseBase  *self,
                     const double      *x,
                     const double      *y,
                     const guint       *lines,
                     const char * const *ids,
                     gsize              m)
{
  return cs_case_base_append_full (self, x, y, lines, ids, NULL, m);
}

CsCaseBase *
cs_case_base_append_full (const CsCaseBase  *self,
                          const double      *x,
                          const double      *y,
                          const guint       *lines,
                          const char * const *ids,
                          const char * const *cats,
                          gsize              m)
{
  gsize n = self->n, d = self->d;
  CsCaseBase *out = cs_case_base_new (n + m, d);

  out->source = g_strdup (self->source);
  out->source_path = g_strdup (self->source_path);
  /* The file has grown since it was hashed: the record must not claim the old bytes. */
  out->sha256 = NULL;
  for (gsize j = 0; j < d; j++)
    cs_case_base_set_feature (out, j, self->feature_names[j], self->feature_units[j]);
  cs_case_base_set_target (out, self->target_name, self->target_unit);
  memcpy (out->x, self->x, n * d * sizeof (double));
  memcpy (out->y, self->y, n * sizeof (double));
  memcpy (out->line, self->line, n * sizeof (guint));
  if (m > 0)
    {
      memcpy (out->x + n * d, x, m * d * sizeof (double));
      memcpy (out->y + n, y, m * sizeof (double));
      memcpy (out->line + n, lines, m * sizeof (guint));
    }
  if (self->ids != NULL)
    {
      out->id_name = g_strdup (self->id_name);
      out->ids = g_new0 (char *, n + m);
      for (gsize i = 0; i < n; i++)
        out->ids[i] = g_strdup (self->ids[i]);
      for (gsize i = 0; i < m; i++)
        out->ids[n + i] = g_strdup (ids != NULL && ids[i] != NULL ? ids[i] : "");
    }
  if (self->n_cat > 0)
    {
      gsize nc = self->n_cat;
      char ***levels = g_new0 (char **, nc);
      gint *codes = g_new (gint, (n + m) * nc);

      memcpy (codes, self->cat_codes, n * nc * sizeof (gint));
      for (gsize c = 0; c < nc; c++)
        {
          GPtrArray *lv = g_ptr_array_new ();
          for (gsize k = 0; k < self->cat_n_levels[c]; k++)
            g_ptr_array_add (lv, g_strdup (self->cat_levels[c][k]));
          for (gsize i = 0; i < m; i++)
            {
              const char *v = cats != NULL && cats[i * nc + c] != NULL ? cats[i * nc + c] : "";
              guint k;
              for (k = 0; k < lv->len && strcmp (lv->pdata[k], v) != 0; k++)
                ;
              if (k == lv->len)
                g_ptr_array_add (lv, g_strdup (v));
              codes[(n + i) * nc + c] = (gint) k;
            }
          g_ptr_array_add (lv, NULL);
          levels[c] = (char **) g_ptr_array_free (lv, FALSE);
        }
      cs_case_base_take_categories (out, nc, g_strdupv (self->cat_names), levels, codes);
    }
  cs_case_base_compute_stats (out);
  return out;
}
