/* cs-model-file.c: versioned model files in JSON, validated on load, written atomically. */
#define G_LOG_DOMAIN "cs-model-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cs-atomic-file.h"
#include "cs-data-error.h"
#include "cs-json.h"
#include "cs-model-file.h"

static const char *kind_names[] = { "scalar", "diagonal", "full" };

/* The sidecar's header: magic, version, columns, count. */
#define SIDECAR_HEADER 24

static void
number_free (gpointer p)
{
  CsModelNumber *v = p;

  g_free (v->section);
  g_free (v->name);
  g_free (v);
}

static void
column_free (gpointer p)
{
  CsModelColumn *c = p;

  g_free (c->name);
  g_free (c->values);
  g_free (c);
}

CsModelFile *
cs_model_file_new (gsize d)
{
  CsModelFile *self = g_new0 (CsModelFile, 1);

  self->version = CS_MODEL_FILE_VERSION;
  self->d = d;
  self->features = g_new0 (char *, d + 1);
  self->mean = g_new0 (double, d);
  self->sd = g_new (double, d);
  for (gsize j = 0; j < d; j++)
    self->sd[j] = 1.0;
  self->kind = CS_MODEL_METRIC_SCALAR;
  self->scale = 1.0;
  self->loo_mse = NAN;
  self->loo_mse_linear = NAN;
  self->noise_sd = NAN;
  self->passes = -1;
  self->notes = g_ptr_array_new_with_free_func (g_free);
  self->numbers = g_ptr_array_new_with_free_func (number_free);
  self->columns = g_ptr_array_new_with_free_func (column_free);
  return self;
}

void
cs_model_file_free (CsModelFile *self)
{
  if (self == NULL)
    return;
  g_free (self->source);
  g_free (self->target);
  g_free (self->source_sha256);
  g_free (self->base_fingerprint);
  if (self->notes != NULL)
    g_ptr_array_unref (self->notes);
  if (self->numbers != NULL)
    g_ptr_array_unref (self->numbers);
  if (self->columns != NULL)
    g_ptr_array_unref (self->columns);
  g_strfreev (self->features);
  g_free (self->mean);
  g_free (self->sd);
  g_free (self->diag);
  g_free (self->A);
  for (gsize c = 0; c < self->n_cat; c++)
    g_strfreev (self->cat_levels[c]);
  g_free (self->cat_levels);
  g_strfreev (self->cat_names);
  g_free (self->cat_lambda);
  g_free (self);
}

double *
cs_model_file_get_matrix (const CsModelFile *self)
{
  gsize d = self->d;
  double *M = g_new0 (double, d * d);

  for (gsize a = 0; a < d; a++)
    for (gsize b = 0; b < d; b++)
      {
        double v = 0;
        if (self->kind == CS_MODEL_METRIC_SCALAR)
          v = a == b ? self->scale : 0;
        else if (self->kind == CS_MODEL_METRIC_DIAGONAL)
          v = a == b ? self->diag[a] : 0;
        else
          for (gsize r = 0; r < self->rank; r++)
            v += self->A[r * d + a] * self->A[r * d + b];
        M[a * d + b] = v;
      }
  return M;
}

void
cs_model_file_set_number (CsModelFile *self,
                          const char  *section,
                          const char  *name,
                          double       value)
{
  CsModelNumber *v;

  for (guint i = 0; i < self->numbers->len; i++)
    {
      v = g_ptr_array_index (self->numbers, i);
      if (strcmp (v->section, section) == 0 && strcmp (v->name, name) == 0)
        {
          v->value = value;
          return;
        }
    }
  v = g_new (CsModelNumber, 1);
  v->section = g_strdup (section);
  v->name = g_strdup (name);
  v->value = value;
  g_ptr_array_add (self->numbers, v);
}

gboolean
cs_model_file_lookup_number (const CsModelFile *self,
                             const char        *section,
                             const char        *name,
                             double            *value)
{
  for (guint i = 0; i < self->numbers->len; i++)
    {
      const CsModelNumber *v = g_ptr_array_index (self->numbers, i);
      if (strcmp (v->section, section) == 0 && strcmp (v->name, name) == 0)
        {
          *value = v->value;
          return TRUE;
        }
    }
  return FALSE;
}

void
cs_model_file_set_column (CsModelFile  *self,
                          const char   *name,
                          const double *values,
                          gsize         count)
{
  CsModelColumn *c;

  if (self->columns->len > 0 && count != self->column_count)
    g_ptr_array_set_size (self->columns, 0);
  self->column_count = count;
  for (guint i = 0; i < self->columns->len; i++)
    {
      c = g_ptr_array_index (self->columns, i);
      if (strcmp (c->name, name) == 0)
        {
          g_free (c->values);
          c->values = g_memdup2 (values, MAX (count, 1) * sizeof (double));
          return;
        }
    }
  c = g_new (CsModelColumn, 1);
  c->name = g_strdup (name);
  c->values = g_memdup2 (values, MAX (count, 1) * sizeof (double));
  g_ptr_array_add (self->columns, c);
}

const double *
cs_model_file_get_column (const CsModelFile *self,
                          const char        *name)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      const CsModelColumn *c = g_ptr_array_index (self->columns, i);
      if (strcmp (c->name, name) == 0)
        return c->values;
    }
  return NULL;
}

char *
cs_model_file_sidecar_path (const char *path)
{
  return g_strconcat (path, ".cases", NULL);
}

static void
add_array (JsonBuilder  *b,
           const char   *name,
           const double *v,
           gsize         n)
{
  json_builder_set_member_name (b, name);
  if (v == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_array (b);
  for (gsize i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

JsonNode *
cs_model_file_to_json (const CsModelFile *self)
{
  return cs_model_file_to_json_full (self, NULL, NULL);
}

JsonNode *
cs_model_file_to_json_full (const CsModelFile *self,
                            const char        *sidecar_name,
                            const char        *sidecar_sha256)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree double *M = cs_model_file_get_matrix (self);
  gsize d = self->d;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, CS_MODEL_FILE_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CS_MODEL_FILE_VERSION);
  json_builder_set_member_name (b, "source");
  if (self->source != NULL)
    json_builder_add_string_value (b, self->source);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "target");
  json_builder_add_string_value (b, self->target != NULL ? self->target : "");
  json_builder_set_member_name (b, "source_sha256");
  if (self->source_sha256 != NULL)
    json_builder_add_string_value (b, self->source_sha256);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "source_rows");
  json_builder_add_int_value (b, (gint64) self->source_rows);
  json_builder_set_member_name (b, "source_columns");
  json_builder_add_int_value (b, (gint64) self->source_columns);
  json_builder_set_member_name (b, "features");
  json_builder_begin_array (b);
  for (gsize j = 0; j < d; j++)
    json_builder_add_string_value (b, self->features[j] != NULL ? self->features[j] : "");
  json_builder_end_array (b);
  add_array (b, "mean", self->mean, d);
  add_array (b, "sd", self->sd, d);
  json_builder_set_member_name (b, "score");
  json_builder_add_string_value (b, self->dot ? "dot" : "distance");

  json_builder_set_member_name (b, "metric");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_names[self->kind]);
  cs_json_add_number (b, "scale", self->kind == CS_MODEL_METRIC_SCALAR ? self->scale : NAN);
  add_array (b, "diag", self->kind == CS_MODEL_METRIC_DIAGONAL ? self->diag : NULL, d);
  json_builder_set_member_name (b, "rank");
  json_builder_add_int_value (b, self->kind == CS_MODEL_METRIC_FULL ? (gint64) self->rank : 0);
  add_array (b, "A", self->kind == CS_MODEL_METRIC_FULL ? self->A : NULL, self->rank * d);
  json_builder_set_member_name (b, "M");
  json_builder_begin_array (b);
  for (gsize a = 0; a < d; a++)
    {
      json_builder_begin_array (b);
      for (gsize c = 0; c < d; c++)
        json_builder_add_double_value (b, M[a * d + c]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  if (self->n_cat > 0)
    {
      json_builder_set_member_name (b, "categories");
      json_builder_begin_array (b);
      for (gsize c = 0; c < self->n_cat; c++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, self->cat_names[c]);
          cs_json_add_number (b, "lambda", self->cat_lambda[c]);
          json_builder_set_member_name (b, "levels");
          json_builder_begin_array (b);
          for (gsize k = 0; self->cat_levels[c][k] != NULL; k++)
            json_builder_add_string_value (b, self->cat_levels[c][k]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }

  json_builder_set_member_name (b, "fit");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, (gint64) self->n);
  cs_json_add_number (b, "loo_mse", self->loo_mse);
  cs_json_add_number (b, "loo_mse_linear", self->loo_mse_linear);
  json_builder_set_member_name (b, "passes");
  json_builder_add_int_value (b, self->passes);
  cs_json_add_number (b, "noise_sd", self->noise_sd);
  json_builder_end_object (b);

  /* The named numbers, grouped by section in the order the sections first appear. */
  {
    g_autoptr(GPtrArray) sections = g_ptr_array_new ();

    for (guint i = 0; i < self->numbers->len; i++)
      {
        const CsModelNumber *v = g_ptr_array_index (self->numbers, i);
        if (!g_ptr_array_find_with_equal_func (sections, v->section, g_str_equal, NULL))
          g_ptr_array_add (sections, v->section);
      }
    for (guint k = 0; k < sections->len; k++)
      {
        const char *section = g_ptr_array_index (sections, k);

        json_builder_set_member_name (b, section);
        json_builder_begin_object (b);
        for (guint i = 0; i < self->numbers->len; i++)
          {
            const CsModelNumber *v = g_ptr_array_index (self->numbers, i);
            if (strcmp (v->section, section) == 0)
              cs_json_add_number (b, v->name, v->value);
          }
        json_builder_end_object (b);
      }
  }
  if (self->base_fingerprint != NULL)
    {
      json_builder_set_member_name (b, "base_fingerprint");
      json_builder_add_string_value (b, self->base_fingerprint);
    }
  if (sidecar_name != NULL && sidecar_sha256 != NULL && self->columns->len > 0)
    {
      json_builder_set_member_name (b, "per_case");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, sidecar_name);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, sidecar_sha256);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, (gint64) self->column_count);
      json_builder_set_member_name (b, "columns");
      json_builder_begin_array (b);
      for (guint i = 0; i < self->columns->len; i++)
        json_builder_add_string_value (b, ((CsModelColumn *) g_ptr_array_index (self->columns, i))->name);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
bad (GError    **error,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad (GError    **error,
     const char *format,
     ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE, "invalid model file: %s", msg);
  return FALSE;
}

/* A finite number (int or double node). */
static gboolean
get_number (JsonNode *node,
            double   *out)
{
  GType t;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (t == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return isfinite (*out);
}

static gboolean
get_array (JsonObject *o,
           const char *name,
           gsize       n,
           double    **out,
           GError    **error)
{
  JsonNode *node = json_object_get_member (o, name);
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return bad (error, "\"%s\" must be an array of %" G_GSIZE_FORMAT " numbers", name, n);
  a = json_node_get_array (node);
  if (json_array_get_length (a) != n)
    return bad (error, "\"%s\" has %u numbers, expected %" G_GSIZE_FORMAT, name,
                json_array_get_length (a), n);
  *out = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    if (!get_number (json_array_get_element (a, (guint) i), &(*out)[i]))
      return bad (error, "\"%s\"[%" G_GSIZE_FORMAT "] is not a finite number", name, i);
  return TRUE;
}

/* The string member or NULL (no criticals on other types). */
static const char *
get_string (JsonObject *o,
            const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static const char *
get_string_element (JsonArray *a,
                    gsize      i)
{
  JsonNode *n = json_array_get_element (a, (guint) i);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static double
opt_number (JsonObject *o,
            const char *name)
{
  double v;
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;
  return get_number (node, &v) ? v : NAN;
}

/* An optional whole number in [0, 1e15] (absent or null: 0, unknown). */
static gboolean
opt_count (JsonObject *o,
           const char *name,
           gsize      *out,
           GError    **error)
{
  JsonNode *node = json_object_get_member (o, name);
  double v;

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!get_number (node, &v) || v < 0 || v > 1e15 || v != floor (v))
    return bad (error, "\"%s\" must be a whole number of at least 0 (or null)", name);
  *out = (gsize) v;
  return TRUE;
}

/* The case-base record (version 2), or what a version 1 file lets us fill in. */
static gboolean
read_case_base_record (CsModelFile *self,
                       JsonObject  *o,
                       GError     **error)
{
  JsonNode *n;

  if (self->version < 2)
    {
      /* Version 1 wrote the fit report's n as the number of cases it was fitted on: the same count. */
      self->source_rows = self->n;
      g_ptr_array_add (self->notes, g_strdup ("version 1 model file: it does not record which case base it "
                                              "was fitted on"));
      return TRUE;
    }
  n = json_object_get_member (o, "source_sha256");
  if (n != NULL && !JSON_NODE_HOLDS_NULL (n))
    {
      const char *s = NULL;
      gboolean ok;

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        s = json_node_get_string (n);
      ok = s != NULL && strlen (s) == 64;
      for (gsize i = 0; ok && i < 64; i++)
        ok = g_ascii_isxdigit (s[i]);
      if (!ok)
        return bad (error, "\"source_sha256\" must be 64 hexadecimal digits (or null)");
      self->source_sha256 = g_ascii_strdown (s, -1);
    }
  return opt_count (o, "source_rows", &self->source_rows, error)
         && opt_count (o, "source_columns", &self->source_columns, error);
}

/* The sections of named numbers (version 3). */
static const char *number_sections[] = { "baselines", "diagnostics", "engine" };

/* Every number (or null: unknown) of the sections; members of other types are skipped like unknown members,
 * so a reader only ever sees values it can use. */
static void
read_numbers (CsModelFile *self,
              JsonObject  *o)
{
  const char *fp;

  if (self->version < 3)
    {
      g_ptr_array_add (self->notes, g_strdup_printf ("version %d model file: it does not store what the fit "
                                                     "measured (fail-safe baselines, diagnostics); they are "
                                                     "measured again on the case base", self->version));
      return;
    }
  fp = get_string (o, "base_fingerprint");
  if (fp != NULL && strlen (fp) == 64)
    self->base_fingerprint = g_ascii_strdown (fp, -1);
  for (gsize k = 0; k < G_N_ELEMENTS (number_sections); k++)
    {
      JsonNode *n = json_object_get_member (o, number_sections[k]);
      g_autoptr(GList) names = NULL;
      JsonObject *so;

      if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
        continue;
      so = json_node_get_object (n);
      names = json_object_get_members (so);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *e = json_object_get_member (so, l->data);
          double v;

          if (JSON_NODE_HOLDS_NULL (e))
            cs_model_file_set_number (self, number_sections[k], l->data, NAN);
          else if (get_number (e, &v))
            cs_model_file_set_number (self, number_sections[k], l->data, v);
        }
    }
}

static guint32
read_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
read_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

/* The per-case columns of a version 3 file from its sidecar (next to path). No "per_case" member: none. A
 * sidecar that is missing, of another SHA-256 or of another shape than the JSON says is refused, naming it:
 * its numbers would belong to another fit. */
static gboolean
read_sidecar (CsModelFile *self,
              JsonObject  *o,
              const char  *path,
              GError     **error)
{
  JsonNode *n = json_object_get_member (o, "per_case");
  g_autofree char *dir = NULL, *file = NULL, *data = NULL, *sha = NULL;
  g_autoptr(GError) local = NULL;
  const char *name, *want_sha;
  JsonObject *po;
  JsonArray *ca;
  gsize len, ncol;
  double count;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return bad (error, "\"per_case\" must be an object");
  po = json_node_get_object (n);
  name = get_string (po, "file");
  want_sha = get_string (po, "sha256");
  n = json_object_get_member (po, "columns");
  if (name == NULL || strchr (name, '/') != NULL || name[0] == '.' || want_sha == NULL || strlen (want_sha) != 64
      || !get_number (json_object_get_member (po, "count"), &count) || count < 0 || count > 1e12
      || count != floor (count) || n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return bad (error, "\"per_case\" must name its file (in the model's folder), its sha256, count and columns");
  ca = json_node_get_array (n);
  ncol = json_array_get_length (ca);
  for (gsize c = 0; c < ncol; c++)
    if (get_string_element (ca, c) == NULL)
      return bad (error, "\"per_case\".\"columns\"[%" G_GSIZE_FORMAT "] is not a string", c);

  dir = g_path_get_dirname (path);
  file = g_build_filename (dir, name, NULL);
  if (!cs_input_is_regular (file, &local) || !g_file_get_contents (file, &data, &len, &local))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "its per-case sidecar %s cannot be read (%s); save the model again", file, local->message);
      return FALSE;
    }
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  if (g_ascii_strcasecmp (sha, want_sha) != 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "its per-case sidecar %s does not belong to it (SHA-256 %.12s…, the model records %.12s…); "
                   "save the model again", file, sha, want_sha);
      return FALSE;
    }
  if (len < SIDECAR_HEADER || memcmp (data, CS_MODEL_SIDECAR_MAGIC, 8) != 0
      || read_u32 ((guint8 *) data + 8) != CS_MODEL_SIDECAR_VERSION || read_u32 ((guint8 *) data + 12) != ncol
      || read_u64 ((guint8 *) data + 16) != (guint64) count
      || (len - SIDECAR_HEADER) / sizeof (double) / MAX (ncol, 1) != (gsize) count
      || (len - SIDECAR_HEADER) != ncol * (gsize) count * sizeof (double))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "its per-case sidecar %s is not a version %d sidecar of %" G_GSIZE_FORMAT " columns of %.0f "
                   "cases", file, CS_MODEL_SIDECAR_VERSION, ncol, count);
      return FALSE;
    }
  for (gsize c = 0; c < ncol; c++)
    {
      g_autofree double *v = g_new (double, MAX ((gsize) count, 1));
      const guint8 *p = (const guint8 *) data + SIDECAR_HEADER + c * (gsize) count * sizeof (double);

      for (gsize i = 0; i < (gsize) count; i++)
        {
          guint64 bits = read_u64 (p + i * sizeof (double));
          memcpy (&v[i], &bits, sizeof (double));
        }
      cs_model_file_set_column (self, get_string_element (ca, c), v, (gsize) count);
    }
  return TRUE;
}

/* The optional "categories" member: every entry a name, a penalty >= 0 and a list of level names. */
static gboolean
read_categories (CsModelFile *self,
                 JsonObject  *o,
                 GError     **error)
{
  JsonNode *n = json_object_get_member (o, "categories");
  JsonArray *a;
  gsize nc;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return bad (error, "\"categories\" must be an array");
  a = json_node_get_array (n);
  nc = json_array_get_length (a);
  if (nc > 64)
    return bad (error, "\"categories\" has %" G_GSIZE_FORMAT " entries, at most 64 are supported", nc);
  self->cat_names = g_new0 (char *, nc + 1);
  self->cat_lambda = g_new0 (double, MAX (nc, 1));
  self->cat_levels = g_new0 (char **, MAX (nc, 1));
  for (gsize c = 0; c < nc; c++)
    {
      JsonNode *e = json_array_get_element (a, (guint) c), *ln;
      JsonObject *eo;
      JsonArray *la;
      const char *name;

      if (e == NULL || !JSON_NODE_HOLDS_OBJECT (e))
        return bad (error, "\"categories\"[%" G_GSIZE_FORMAT "] must be an object", c);
      eo = json_node_get_object (e);
      name = get_string (eo, "name");
      if (name == NULL || name[0] == '\0')
        return bad (error, "\"categories\"[%" G_GSIZE_FORMAT "].\"name\" must be a string", c);
      if (!get_number (json_object_get_member (eo, "lambda"), &self->cat_lambda[c]) || self->cat_lambda[c] < 0)
        return bad (error, "\"categories\"[%" G_GSIZE_FORMAT "].\"lambda\" must be a number >= 0", c);
      ln = json_object_get_member (eo, "levels");
      if (ln == NULL || !JSON_NODE_HOLDS_ARRAY (ln))
        return bad (error, "\"categories\"[%" G_GSIZE_FORMAT "].\"levels\" must be an array of strings", c);
      la = json_node_get_array (ln);
      self->cat_levels[c] = g_new0 (char *, json_array_get_length (la) + 1);
      self->n_cat = c + 1;   /* from here on freed with the file */
      self->cat_names[c] = g_strdup (name);
      for (guint k = 0; k < json_array_get_length (la); k++)
        {
          JsonNode *v = json_array_get_element (la, k);
          if (v == NULL || !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
            return bad (error, "\"categories\"[%" G_GSIZE_FORMAT "].\"levels\"[%u] must be a string", c, k);
          self->cat_levels[c][k] = g_strdup (json_node_get_string (v));
        }
    }
  self->n_cat = nc;
  return TRUE;
}

CsModelFile *
cs_model_file_from_json (JsonNode  *node,
                         GError   **error)
{
  g_autoptr(CsModelFile) self = NULL;
  JsonObject *o, *mo, *fo = NULL;
  JsonNode *n;
  JsonArray *fa;
  const char *s;
  double v;
  gsize d;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, "not a JSON object"), NULL;
  o = json_node_get_object (node);
  n = json_object_get_member (o, "format");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING
      || g_strcmp0 (json_node_get_string (n), CS_MODEL_FILE_FORMAT) != 0)
    return bad (error, "\"format\" must be \"%s\"", CS_MODEL_FILE_FORMAT), NULL;
  if (!get_number (json_object_get_member (o, "version"), &v) || v < 1 || v != floor (v))
    return bad (error, "\"version\" must be a whole number from 1 (this program reads 1 to %d)",
                CS_MODEL_FILE_VERSION), NULL;
  if (v > CS_MODEL_FILE_VERSION)
    {
      /* Not a broken file: a newer program wrote it. Say so rather than "invalid". */
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                   "written by a newer Casescope (version %.0f); this one reads 1 to %d",
                   MIN (v, 1e15), CS_MODEL_FILE_VERSION);
      return NULL;
    }

  n = json_object_get_member (o, "features");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n) || json_array_get_length (json_node_get_array (n)) == 0)
    return bad (error, "\"features\" must be a non-empty array of names"), NULL;
  fa = json_node_get_array (n);
  d = json_array_get_length (fa);
  self = cs_model_file_new (d);
  self->version = (int) v;
  g_clear_pointer (&self->mean, g_free);
  g_clear_pointer (&self->sd, g_free);
  for (gsize j = 0; j < d; j++)
    {
      JsonNode *e = json_array_get_element (fa, (guint) j);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return bad (error, "\"features\"[%" G_GSIZE_FORMAT "] is not a string", j), NULL;
      if (!g_utf8_validate (json_node_get_string (e), -1, NULL))
        return bad (error, "\"features\"[%" G_GSIZE_FORMAT "] is not valid UTF-8 text", j), NULL;
      self->features[j] = g_strdup (json_node_get_string (e));
    }
  n = json_object_get_member (o, "target");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return bad (error, "\"target\" must be a string"), NULL;
  if (!g_utf8_validate (json_node_get_string (n), -1, NULL))
    return bad (error, "\"target\" is not valid UTF-8 text"), NULL;
  self->target = g_strdup (json_node_get_string (n));
  n = json_object_get_member (o, "source");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    self->source = g_utf8_make_valid (json_node_get_string (n), -1);   /* informative only */
  if (!get_array (o, "mean", d, &self->mean, error) || !get_array (o, "sd", d, &self->sd, error))
    return NULL;
  for (gsize j = 0; j < d; j++)
    if (!(self->sd[j] > 0))
      return bad (error, "\"sd\"[%" G_GSIZE_FORMAT "] must be positive", j), NULL;
  s = json_object_has_member (o, "score") ? get_string (o, "score") : "distance";
  if (g_strcmp0 (s, "distance") == 0)
    self->dot = FALSE;
  else if (g_strcmp0 (s, "dot") == 0)
    self->dot = TRUE;
  else
    return bad (error, "\"score\" must be \"distance\" or \"dot\""), NULL;

  n = json_object_get_member (o, "metric");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return bad (error, "\"metric\" must be an object"), NULL;
  mo = json_node_get_object (n);
  s = get_string (mo, "kind");
  if (g_strcmp0 (s, "scalar") == 0)
    {
      self->kind = CS_MODEL_METRIC_SCALAR;
      if (!get_number (json_object_get_member (mo, "scale"), &self->scale) || !(self->scale > 0))
        return bad (error, "\"metric\".\"scale\" must be a positive number"), NULL;
    }
  else if (g_strcmp0 (s, "diagonal") == 0)
    {
      self->kind = CS_MODEL_METRIC_DIAGONAL;
      if (!get_array (mo, "diag", d, &self->diag, error))
        return NULL;
      for (gsize j = 0; j < d; j++)
        if (self->diag[j] < 0)
          return bad (error, "\"metric\".\"diag\"[%" G_GSIZE_FORMAT "] is negative", j), NULL;
    }
  else if (g_strcmp0 (s, "full") == 0)
    {
      self->kind = CS_MODEL_METRIC_FULL;
      if (!get_number (json_object_get_member (mo, "rank"), &v) || v < 1 || v > (double) d || v != floor (v))
        return bad (error, "\"metric\".\"rank\" must be an integer between 1 and %" G_GSIZE_FORMAT, d), NULL;
      self->rank = (gsize) v;
      if (!get_array (mo, "A", self->rank * d, &self->A, error))
        return NULL;
      /* Finite entries can still square past DBL_MAX: M = A^T A must be finite. Its diagonal
       * bounds every entry (|M_ab| <= sqrt (M_aa M_bb)), so checking the d column norms is enough. */
      for (gsize j = 0; j < d; j++)
        {
          double m = 0;
          for (gsize r = 0; r < self->rank; r++)
            m += self->A[r * d + j] * self->A[r * d + j];
          if (!isfinite (m))
            return bad (error, "\"metric\".\"A\" is too large: column %" G_GSIZE_FORMAT
                        " of M = A^T A overflows", j), NULL;
        }
    }
  else
    return bad (error, "\"metric\".\"kind\" must be \"scalar\", \"diagonal\" or \"full\""), NULL;

  n = json_object_get_member (o, "fit");
  if (n != NULL && JSON_NODE_HOLDS_OBJECT (n))
    fo = json_node_get_object (n);
  /* Report fields are informative: out-of-range values are dropped, never cast (UB). */
  v = opt_number (fo, "n");
  self->n = v >= 0 && v <= 1e15 ? (gsize) v : 0;
  self->loo_mse = opt_number (fo, "loo_mse");
  self->loo_mse_linear = opt_number (fo, "loo_mse_linear");
  if (self->version < 2 && !isnan (self->loo_mse_linear))
    {
      /* Version 1 stored linear attention's leave-one-out error, which can fall below the noise (its M
       * hands a case its own y back): no baseline to show. The engine recomputes the least-squares one. */
      self->loo_mse_linear = NAN;
      g_ptr_array_add (self->notes, g_strdup ("version 1 model file: its linear baseline error (linear "
                                              "attention) is dropped; the least-squares baseline is "
                                              "recomputed on the case base"));
    }
  v = opt_number (fo, "passes");
  self->passes = v >= 0 && v <= G_MAXINT ? (int) v : -1;
  self->noise_sd = opt_number (fo, "noise_sd");

  if (!read_case_base_record (self, o, error))
    return NULL;
  if (!read_categories (self, o, error))
    return NULL;
  read_numbers (self, o);
  return g_steal_pointer (&self);
}

gboolean
cs_model_file_save (const CsModelFile  *self,
                    const char         *path,
                    const char * const *protected_paths,
                    GError            **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL, *with_nl = NULL, *side_path = NULL, *side_name = NULL, *side_sha = NULL;
  CsAtomicFile *side = NULL, *json = NULL;
  gsize len;

  if (self->columns->len > 0)
    {
      /* The sidecar first: a JSON naming a sidecar that never made it to disk would be refused on load. */
      gsize ncol = self->columns->len, count = self->column_count;
      gsize bytes = SIDECAR_HEADER + ncol * count * sizeof (double);
      g_autofree guint8 *buf = g_malloc (bytes);
      guint32 u32;
      guint64 u64;

      memcpy (buf, CS_MODEL_SIDECAR_MAGIC, 8);
      u32 = GUINT32_TO_LE (CS_MODEL_SIDECAR_VERSION);
      memcpy (buf + 8, &u32, 4);
      u32 = GUINT32_TO_LE ((guint32) ncol);
      memcpy (buf + 12, &u32, 4);
      u64 = GUINT64_TO_LE ((guint64) count);
      memcpy (buf + 16, &u64, 8);
      for (gsize c = 0; c < ncol; c++)
        {
          const CsModelColumn *col = g_ptr_array_index (self->columns, c);
          guint8 *p = buf + SIDECAR_HEADER + c * count * sizeof (double);

          for (gsize i = 0; i < count; i++)
            {
              memcpy (&u64, &col->values[i], 8);
              u64 = GUINT64_TO_LE (u64);
              memcpy (p + i * 8, &u64, 8);
            }
        }
      side_path = cs_model_file_sidecar_path (path);
      side_name = g_path_get_basename (side_path);
      side_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, buf, bytes);
      side = cs_atomic_file_begin (side_path, protected_paths, error);
      if (side == NULL)
        return FALSE;
      if (fwrite (buf, 1, bytes, cs_atomic_file_get_stream (side)) != bytes)
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "%s: cannot write: %s", side_path,
                       g_strerror (errno));
          cs_atomic_file_abort (side);
          return FALSE;
        }
    }
  root = cs_model_file_to_json_full (self, side_name, side_sha);
  text = cs_json_to_string (root);
  with_nl = g_strconcat (text, "\n", NULL);
  len = strlen (text);
  /* Both files complete in their temporary names before either is renamed: a failure before the renames
   * leaves the old pair as it was; the sidecar is renamed first, so a JSON never names a sidecar that is not
   * there (between the renames, the old JSON is refused for the new sidecar's SHA-256, never misread). */
  json = cs_atomic_file_begin (path, protected_paths, error);
  if (json == NULL)
    {
      if (side != NULL)
        cs_atomic_file_abort (side);
      return FALSE;
    }
  if (fwrite (with_nl, 1, len + 1, cs_atomic_file_get_stream (json)) != len + 1)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_WRITE, "%s: cannot write: %s", path, g_strerror (errno));
      cs_atomic_file_abort (json);
      if (side != NULL)
        cs_atomic_file_abort (side);
      return FALSE;
    }
  if (side != NULL && !cs_atomic_file_commit (side, error))
    {
      cs_atomic_file_abort (json);
      return FALSE;
    }
  return cs_atomic_file_commit (json, error);
}

CsModelFile *
cs_model_file_load (const char  *path,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  CsModelFile *m;

  /* A FIFO or device would block or never end: only regular files are model files. */
  if (!cs_input_is_regular (path, error))
    return NULL;
  if (!json_parser_load_from_file (parser, path, &local))
    {
      if (local->domain == G_FILE_ERROR)
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: %s", path, local->message);
      else
        g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE, "%s: not valid JSON: %s",
                     path, local->message);
      return NULL;
    }
  m = cs_model_file_from_json (json_parser_get_root (parser), &local);
  if (m == NULL || (m->version >= 3
                    && !read_sidecar (m, json_node_get_object (json_parser_get_root (parser)), path, &local)))
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE, "%s: %s", path, local->message);
      cs_model_file_free (m);
      return NULL;
    }
  return m;
}

static char *
join_names (char * const *names,
            gsize         n)
{
  GString *s = g_string_new ("(");
  for (gsize j = 0; j < n; j++)
    g_string_append_printf (s, "%s%s", j > 0 ? ", " : "", names[j]);
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

gboolean
cs_model_file_check_columns (const CsModelFile *self,
                             const CsCaseBase  *base,
                             GError           **error)
{
  g_autofree char *want = join_names (self->features, self->d);
  g_autofree char *have = join_names (base->feature_names, base->d);
  gboolean same = self->d == base->d && g_strcmp0 (self->target, base->target_name) == 0;

  for (gsize j = 0; same && j < self->d; j++)
    same = g_strcmp0 (self->features[j], base->feature_names[j]) == 0;
  if (same)
    return TRUE;
  {
    g_autofree char *detail = NULL;
    if (g_strcmp0 (self->target, base->target_name) != 0)
      detail = g_strdup_printf ("the target is '%s', the model predicts '%s'", base->target_name, self->target);
    else if (self->d != base->d)
      detail = g_strdup_printf ("the model has %" G_GSIZE_FORMAT " features, this case base %" G_GSIZE_FORMAT,
                                self->d, base->d);
    else
      for (gsize j = 0; j < self->d && detail == NULL; j++)
        if (g_strcmp0 (self->features[j], base->feature_names[j]) != 0)
          detail = g_strdup_printf ("feature %" G_GSIZE_FORMAT " is '%s', the model expects '%s'",
                                    j + 1, base->feature_names[j], self->features[j]);
    g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_MODEL_FILE,
                 "this model was fitted for features %s -> %s, the case base has %s -> %s: %s",
                 want, self->target, have, base->target_name, detail);
  }
  return FALSE;
}

/* 1,234,567 */
static char *
thousands (gsize v)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GSIZE_FORMAT, v);
  GString *s = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

char *
cs_model_file_describe_base_mismatch (const CsModelFile *self,
                                      const char        *sha256,
                                      gsize              rows)
{
  g_autofree char *model_rows = NULL, *base_rows = NULL;
  gboolean same_file;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->source_sha256 == NULL)
    return NULL;   /* nothing recorded (version 1, or a base without a file): nothing to compare */
  same_file = sha256 != NULL && g_ascii_strcasecmp (sha256, self->source_sha256) == 0;
  if ((same_file || sha256 == NULL) && (self->source_rows == 0 || rows == 0 || rows == self->source_rows))
    return NULL;
  model_rows = thousands (self->source_rows);
  base_rows = thousands (rows);
  if (same_file)
    /* The same bytes read with other choices (target, features, missing values) keep other rows. */
    return g_strdup_printf ("fitted on the same file with %s rows used; this one uses %s rows", model_rows,
                            base_rows);
  if (sha256 == NULL)
    /* This base's bytes are unknown (no file): only the row counts tell them apart. */
    return g_strdup_printf ("fitted on a case base of %s rows (file %.12s…); this one has %s rows", model_rows,
                            self->source_sha256, base_rows);
  {
    GString *s = g_string_new ("fitted on another case base (");
    if (self->source != NULL && self->source[0] != '\0')
      g_string_append_printf (s, "%s, ", self->source);
    if (self->source_rows > 0)
      g_string_append_printf (s, "%s rows, ", model_rows);
    g_string_append_printf (s, "file %.12s…; this one has %s rows, file %.12s…)", self->source_sha256,
                            base_rows, sha256);
    return g_string_free (s, FALSE);
  }
}

char *
cs_file_sha256 (const char  *path,
                GError     **error)
{
  g_autoptr(GChecksum) sum = NULL;
  g_autofree guchar *chunk = NULL;
  ssize_t got;
  int fd;

  /* A FIFO or a device would block or never end: only regular files are hashed. */
  if (!cs_input_is_regular (path, error))
    return NULL;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: cannot open: %s", path, g_strerror (saved));
      return NULL;
    }
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  chunk = g_malloc (1 << 20);
  while ((got = read (fd, chunk, 1 << 20)) > 0 || (got < 0 && errno == EINTR))
    if (got > 0)
      g_checksum_update (sum, chunk, got);
  if (got < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO, "%s: cannot read: %s", path, g_strerror (saved));
      return NULL;
    }
  close (fd);
  return g_strdup (g_checksum_get_string (sum));
}
