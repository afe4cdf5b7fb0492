/* cs-exclusions.c: cases set aside with a reason, in a side file next to the case base. */
#define G_LOG_DOMAIN "cs-exclusions"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "cs-atomic-file.h"
#include "cs-data-error.h"
#include "cs-exclusions.h"
#include "cs-json.h"

#define FORMAT_NAME "casescope-exclusions"
#define FORMAT_VERSION 1

static void
exclusion_free (gpointer p)
{
  CsExclusion *e = p;

  g_free (e->label);
  g_free (e->reason);
  g_free (e->when);
  g_free (e);
}

CsExclusions *
cs_exclusions_new (void)
{
  CsExclusions *self = g_new0 (CsExclusions, 1);

  self->items = g_ptr_array_new_with_free_func (exclusion_free);
  return self;
}

void
cs_exclusions_free (CsExclusions *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->items);
  g_free (self);
}

char *
cs_exclusions_side_path (const char *csv_path)
{
  return g_strconcat (csv_path, ".exclusions.json", NULL);
}

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gint
by_line (gconstpointer a,
         gconstpointer b)
{
  const CsExclusion *x = *(CsExclusion * const *) a, *y = *(CsExclusion * const *) b;

  return x->line < y->line ? -1 : x->line > y->line;
}

gboolean
cs_exclusions_add (CsExclusions *self,
                   guint         line,
                   const char   *label,
                   const char   *reason,
                   const char   *when,
                   GError      **error)
{
  g_autofree char *r = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  CsExclusion *e;

  if (line == 0)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE, "a case to set aside needs its line (1 or more)");
      return FALSE;
    }
  /* The record is what makes setting a case aside auditable: no reason, no exclusion. */
  if (r[0] == '\0')
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_BAD_VALUE,
                   "line %u: a case is set aside only with a reason", line);
      return FALSE;
    }
  cs_exclusions_remove (self, line);
  e = g_new0 (CsExclusion, 1);
  e->line = line;
  e->label = label != NULL && label[0] != '\0' ? g_strdup (label) : NULL;
  e->reason = g_steal_pointer (&r);
  e->when = when != NULL && when[0] != '\0' ? g_strdup (when) : now_utc ();
  g_ptr_array_add (self->items, e);
  g_ptr_array_sort (self->items, by_line);
  return TRUE;
}

gboolean
cs_exclusions_remove (CsExclusions *self,
                      guint         line)
{
  for (guint i = 0; i < self->items->len; i++)
    if (((CsExclusion *) self->items->pdata[i])->line == line)
      {
        g_ptr_array_remove_index (self->items, i);
        return TRUE;
      }
  return FALSE;
}

const CsExclusion *
cs_exclusions_find (const CsExclusions *self,
                    guint               line)
{
  for (guint i = 0; self != NULL && i < self->items->len; i++)
    if (((CsExclusion *) self->items->pdata[i])->line == line)
      return self->items->pdata[i];
  return NULL;
}

static gboolean
bad_file (GError    **error,
          const char *path,
          const char *what)
{
  g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s: not a Casescope exclusions file: %s", path, what);
  return FALSE;
}

CsExclusions *
cs_exclusions_load (const char *path,
                    gboolean   *found,
                    GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  g_autoptr(CsExclusions) self = cs_exclusions_new ();
  JsonObject *root;
  JsonArray *items;

  if (found != NULL)
    *found = FALSE;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&self);
  if (!cs_input_is_regular (path, error))
    return NULL;
  if (found != NULL)
    *found = TRUE;
  if (!json_parser_load_from_file (parser, path, &local))
    {
      /* json-glib's message starts with <data>:LINE:COLUMN: name the file instead. */
      const char *msg = local->message;
      if (g_str_has_prefix (msg, "<data>"))
        msg += strlen ("<data>");
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s%s%s", path, msg[0] == ':' ? "" : ": ", msg);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad_file (error, path, "the top level is not an object"), NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "format", ""), FORMAT_NAME) != 0)
    return bad_file (error, path, "\"format\" is not \"" FORMAT_NAME "\""), NULL;
  if (json_object_get_int_member_with_default (root, "version", 0) > FORMAT_VERSION)
    {
      g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE,
                   "%s: exclusions file version %" G_GINT64_FORMAT " is newer than this Casescope reads (%d)", path,
                   json_object_get_int_member_with_default (root, "version", 0), FORMAT_VERSION);
      return NULL;
    }
  if (!json_object_has_member (root, "exclusions")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "exclusions")))
    return bad_file (error, path, "no \"exclusions\" array"), NULL;
  items = json_object_get_array_member (root, "exclusions");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *o;
      gint64 line;
      g_autoptr(GError) e = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s: exclusion %u is not an object", path, i + 1);
          return NULL;
        }
      o = json_node_get_object (node);
      line = json_object_get_int_member_with_default (o, "line", 0);
      if (line <= 0 || line > G_MAXUINT)
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE,
                       "%s: exclusion %u has no valid \"line\" (a positive line number)", path, i + 1);
          return NULL;
        }
      if (!cs_exclusions_add (self, (guint) line, json_object_get_string_member_with_default (o, "label", NULL),
                              json_object_get_string_member_with_default (o, "reason", NULL),
                              json_object_get_string_member_with_default (o, "when", NULL), &e))
        {
          g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_PARSE, "%s: exclusion %u: %s", path, i + 1, e->message);
          return NULL;
        }
    }
  return g_steal_pointer (&self);
}

gboolean
cs_exclusions_save (const CsExclusions *self,
                    const char         *path,
                    const char * const *protected_paths,
                    GError            **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  cs_json_add_string (b, "format", FORMAT_NAME);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FORMAT_VERSION);
  json_builder_set_member_name (b, "exclusions");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->items->len; i++)
    {
      const CsExclusion *e = self->items->pdata[i];
      json_builder_begin_object (b);
      cs_exclusion_json_members (b, e);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = cs_json_to_string (root);
  {
    g_autofree char *with_nl = g_strconcat (text, "\n", NULL);
    return cs_atomic_write (path, protected_paths, with_nl, strlen (with_nl), error);
  }
}

CsCaseBase *
cs_case_base_exclude (CsCaseBase         *base,
                      const CsExclusions *exclusions,
                      GPtrArray          *unmatched,
                      gsize              *applied)
{
  gsize n = base->n, d = base->d, kept = 0, k = 0;
  g_autofree gboolean *drop = g_new0 (gboolean, MAX (n, 1));
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  CsCaseBase *out;

  if (applied != NULL)
    *applied = 0;
  /* line -> row + 1 (any base, in-memory ones too, whatever the order of its lines) */
  for (gsize i = 0; exclusions != NULL && exclusions->items->len > 0 && i < n; i++)
    g_hash_table_insert (index, GUINT_TO_POINTER (base->line[i]), GSIZE_TO_POINTER (i + 1));
  for (guint t = 0; exclusions != NULL && t < exclusions->items->len; t++)
    {
      const CsExclusion *e = exclusions->items->pdata[t];
      gpointer v = g_hash_table_lookup (index, GUINT_TO_POINTER (e->line));
      gssize hit = v != NULL ? (gssize) GPOINTER_TO_SIZE (v) - 1 : -1;

      if (hit < 0)
        {
          if (unmatched != NULL)
            g_ptr_array_add (unmatched, g_strdup_printf ("line %u is not a case of this file (skipped on import, "
                                                         "or beyond its end): the exclusion is not applied",
                                                         e->line));
          continue;
        }
      if (e->label != NULL && base->ids != NULL && g_strcmp0 (base->ids[hit], e->label) != 0)
        {
          if (unmatched != NULL)
            g_ptr_array_add (unmatched, g_strdup_printf ("line %u holds '%s', the exclusion was recorded for '%s' "
                                                         "(the file changed since?): not applied",
                                                         e->line, base->ids[hit], e->label));
          continue;
        }
      drop[hit] = TRUE;
    }
  for (gsize i = 0; i < n; i++)
    kept += !drop[i];
  if (kept == n)
    return cs_case_base_ref (base);

  out = cs_case_base_new (kept, d);
  for (gsize j = 0; j < d; j++)
    cs_case_base_set_feature (out, j, base->feature_names[j], base->feature_units[j]);
  cs_case_base_set_target (out, base->target_name, base->target_unit);
  out->source = g_strdup (base->source);
  out->source_path = g_strdup (base->source_path);
  out->sha256 = g_strdup (base->sha256);
  out->id_name = g_strdup (base->id_name);
  if (base->ids != NULL)
    out->ids = g_new0 (char *, MAX (kept, 1));
  {
    g_autofree gsize *rows = g_new (gsize, MAX (kept, 1));
    for (gsize i = 0; i < n; i++)
      {
        if (drop[i])
          continue;
        memcpy (out->x + k * d, base->x + i * d, d * sizeof (double));
        out->y[k] = base->y[i];
        out->line[k] = base->line[i];
        if (base->ids != NULL)
          out->ids[k] = g_strdup (base->ids[i]);
        rows[k] = i;
        k++;
      }
    /* every level stays, used or not: a model's codes keep their meaning */
    cs_case_base_copy_categories (out, base, rows);
  }
  cs_case_base_compute_stats (out);
  if (applied != NULL)
    *applied = n - kept;
  return out;
}

void
cs_exclusion_json_members (JsonBuilder       *b,
                           const CsExclusion *e)
{
  json_builder_set_member_name (b, "line");
  json_builder_add_int_value (b, e->line);
  cs_json_add_string (b, "label", e->label);
  cs_json_add_string (b, "reason", e->reason);
  cs_json_add_string (b, "when", e->when);
}
