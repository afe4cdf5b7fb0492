/* cs-settings.c: GKeyFile settings under the user config dir, saved on change (coalesced). */
#define G_LOG_DOMAIN "cs-settings"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "cs-engine.h"
#include "cs-settings.h"

struct _CsSettings
{
  GKeyFile *keyfile;
  char *path;
  guint save_id;
};

CsSettings *
cs_settings_new_for_path (const char *path)
{
  CsSettings *self = g_new0 (CsSettings, 1);
  g_autoptr(GError) error = NULL;

  self->keyfile = g_key_file_new ();
  self->path = g_strdup (path);
  if (!g_key_file_load_from_file (self->keyfile, path, G_KEY_FILE_KEEP_COMMENTS, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_message ("Ignoring the settings file %s: %s", path, error->message);
  return self;
}

CsSettings *
cs_settings_get_default (void)
{
  static CsSettings *settings;

  if (settings == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), APP_ID, "settings.ini", NULL);
      settings = cs_settings_new_for_path (path);
    }
  return settings;
}

void
cs_settings_free (CsSettings *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_key_file_free (self->keyfile);
  g_free (self->path);
  g_free (self);
}

const char *
cs_settings_get_path (CsSettings *self)
{
  return self->path;
}

gboolean
cs_settings_save (CsSettings *self,
                  GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Cannot create the folder %s"), dir);
      return FALSE;
    }
  data = g_key_file_to_data (self->keyfile, &len, NULL);
  return g_file_set_contents (self->path, data, (gssize) len, error);
}

static gboolean
save_cb (gpointer user_data)
{
  CsSettings *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_id = 0;
  if (!cs_settings_save (self, &error))
    g_message ("Could not save the settings: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
changed (CsSettings *self)
{
  if (self->save_id == 0)
    self->save_id = g_timeout_add (500, save_cb, self);
}

int
cs_settings_get_int (CsSettings *self,
                     const char *group,
                     const char *key,
                     int         fallback)
{
  g_autoptr(GError) error = NULL;
  int v = g_key_file_get_integer (self->keyfile, group, key, &error);

  return error != NULL ? fallback : v;
}

void
cs_settings_set_int (CsSettings *self,
                     const char *group,
                     const char *key,
                     int         value)
{
  g_autoptr(GError) error = NULL;

  if (g_key_file_has_key (self->keyfile, group, key, NULL) &&
      g_key_file_get_integer (self->keyfile, group, key, &error) == value && error == NULL)
    return;
  g_key_file_set_integer (self->keyfile, group, key, value);
  changed (self);
}

double
cs_settings_get_double (CsSettings *self,
                        const char *group,
                        const char *key,
                        double      fallback)
{
  g_autoptr(GError) error = NULL;
  double v = g_key_file_get_double (self->keyfile, group, key, &error);

  return error != NULL ? fallback : v;
}

void
cs_settings_set_double (CsSettings *self,
                        const char *group,
                        const char *key,
                        double      value)
{
  g_key_file_set_double (self->keyfile, group, key, value);
  changed (self);
}

gboolean
cs_settings_get_boolean (CsSettings *self,
                         const char *group,
                         const char *key,
                         gboolean    fallback)
{
  g_autoptr(GError) error = NULL;
  gboolean v = g_key_file_get_boolean (self->keyfile, group, key, &error);

  return error != NULL ? fallback : v;
}

void
cs_settings_set_boolean (CsSettings *self,
                         const char *group,
                         const char *key,
                         gboolean    value)
{
  g_key_file_set_boolean (self->keyfile, group, key, value);
  changed (self);
}

char *
cs_settings_get_string (CsSettings *self,
                        const char *group,
                        const char *key,
                        const char *fallback)
{
  char *v = g_key_file_get_string (self->keyfile, group, key, NULL);

  return v != NULL ? v : g_strdup (fallback);
}

void
cs_settings_set_string (CsSettings *self,
                        const char *group,
                        const char *key,
                        const char *value)
{
  g_autofree char *old = g_key_file_get_string (self->keyfile, group, key, NULL);

  if (g_strcmp0 (old, value) == 0)
    return;
  if (value == NULL)
    g_key_file_remove_key (self->keyfile, group, key, NULL);
  else
    g_key_file_set_string (self->keyfile, group, key, value);
  changed (self);
}

const char *
cs_settings_threshold_key (gsize k)
{
  const char *name = cs_engine_threshold_name (k);
  g_autofree char *key = NULL;

  if (name == NULL)
    return NULL;
  key = g_strdelimit (g_strdup (name), "_", '-');
  return g_intern_string (key);
}

/* The group of a case-base file's spec limits: a hash, since a path may hold characters a group name cannot. */
static char *
spec_group (const char *source)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, source, -1);

  return g_strdup_printf ("spec %.16s", sum);
}

void
cs_settings_get_spec (CsSettings *self,
                      const char *source,
                      double     *lower,
                      double     *upper)
{
  g_autofree char *group = NULL;

  *lower = *upper = NAN;
  if (source == NULL)
    return;
  group = spec_group (source);
  *lower = cs_settings_get_double (self, group, "lower", NAN);
  *upper = cs_settings_get_double (self, group, "upper", NAN);
}

void
cs_settings_set_spec (CsSettings *self,
                      const char *source,
                      double      lower,
                      double      upper)
{
  g_autofree char *group = NULL;

  if (source == NULL)
    return;
  group = spec_group (source);
  g_key_file_set_string (self->keyfile, group, "file", source);
  /* a limit taken away is a key removed, not a NaN written (GKeyFile reads "nan" back as a number) */
  if (isfinite (lower))
    g_key_file_set_double (self->keyfile, group, "lower", lower);
  else
    g_key_file_remove_key (self->keyfile, group, "lower", NULL);
  if (isfinite (upper))
    g_key_file_set_double (self->keyfile, group, "upper", upper);
  else
    g_key_file_remove_key (self->keyfile, group, "upper", NULL);
  changed (self);
}
