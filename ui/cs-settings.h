/* cs-settings.h: the user's settings in a GKeyFile (no GSettings schema, so the app runs from the build tree). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CsSettings CsSettings;

/* Load g_get_user_config_dir()/io.github.casescope.Casescope/settings.ini (missing file: defaults). */
CsSettings *cs_settings_get_default   (void);
CsSettings *cs_settings_new_for_path  (const char *path);
void        cs_settings_free          (CsSettings *self);
const char *cs_settings_get_path      (CsSettings *self);
/* Write the file now (atomically, through g_file_set_contents). */
gboolean    cs_settings_save          (CsSettings *self,
                                       GError    **error);

int         cs_settings_get_int       (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       int         fallback);
void        cs_settings_set_int       (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       int         value);
double      cs_settings_get_double    (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       double      fallback);
void        cs_settings_set_double    (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       double      value);
gboolean    cs_settings_get_boolean   (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       gboolean    fallback);
void        cs_settings_set_boolean   (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       gboolean    value);
/* Returns a new string (g_free), the fallback copied when unset. */
char       *cs_settings_get_string    (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       const char *fallback);
void        cs_settings_set_string    (CsSettings *self,
                                       const char *group,
                                       const char *key,
                                       const char *value);

/* The spec limits of one case-base file (its path, or a sample's name), in the outcome's units; NaN: no such
 * limit. Stored in a group of their own per file ("spec <16 hex digits of the path's SHA-256>", with the path in
 * it), so each file keeps its own. */
void        cs_settings_get_spec      (CsSettings *self,
                                       const char *source,
                                       double     *lower,
                                       double     *upper);
void        cs_settings_set_spec      (CsSettings *self,
                                       const char *source,
                                       double      lower,
                                       double      upper);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsSettings, cs_settings_free)

/* The settings key of fail-safe threshold k: the engine's name with dashes ("noise-check", ...), interned; NULL past
 * the end. One list of thresholds: the engine's. */
const char *cs_settings_threshold_key (gsize k);

G_END_DECLS
