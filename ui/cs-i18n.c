/* cs-i18n.c: the window's locale (the user's, numbers included) and where its message catalogues are. */
#define G_LOG_DOMAIN "cs-i18n"

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "cs-i18n.h"

/* The directory holding <lang>/LC_MESSAGES/casescope.mo: $CASESCOPE_LOCALEDIR when set (the build tree's po/, for
 * `make run` and the tests, which run the app uninstalled), else the installed LOCALEDIR. */
const char *
cs_i18n_get_localedir (void)
{
  const char *dir = g_getenv ("CASESCOPE_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

/* Takes the whole locale from the environment, LC_NUMERIC included: labels show numbers the way the user writes
 * them (41,2 MPa under de_DE), as GTK itself does from gtk_init () on. What leaves the window as data does not
 * depend on it: CSV and JSON are written with g_ascii_formatd / g_ascii_dtostr (data/cs-csv-writer.c,
 * data/cs-json.c, json-glib), settings with GKeyFile's C-locale doubles, and typed numbers are read with
 * cs_entry_parse_number () (cs-widgets.h), which takes both decimal separators. casescope-cli never calls this: it stays
 * in the C locale. Returns FALSE when the environment's locale is not installed (the C locale is kept then). */
gboolean
cs_i18n_init (void)
{
  gboolean ok = setlocale (LC_ALL, "") != NULL;

  bindtextdomain (GETTEXT_PACKAGE, cs_i18n_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  return ok;
}
