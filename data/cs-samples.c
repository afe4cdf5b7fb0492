/* cs-samples.c: the embedded sample case bases. */
#define G_LOG_DOMAIN "cs-samples"

#include "config.h"

#include "cs-csv-loader.h"
#include "cs-data-error.h"
#include "cs-data-resources.h"
#include "cs-samples.h"

#define SAMPLES_PATH RESOURCE_PREFIX "/samples/"

const char * const *
cs_samples_list (void)
{
  static const char * const names[] = { "press-line", "kiln", "circle", NULL };
  return names;
}

GBytes *
cs_samples_bytes (const char *name,
                  GError    **error)
{
  g_autofree char *path = g_strconcat (SAMPLES_PATH, name, ".csv", NULL);
  /* Looked up in our own GResource: a reference keeps it linked from the static library
   * (its constructor alone is dropped by the linker when nothing else uses the object). */
  GBytes *bytes = g_resource_lookup_data (cs_data_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  if (bytes == NULL)
    g_set_error (error, CS_DATA_ERROR, CS_DATA_ERROR_IO,
                 "There is no embedded sample named “%s” (try press-line, kiln or circle)", name);
  return bytes;
}

CsCaseBase *
cs_samples_load (const char *name,
                 GError    **error)
{
  g_autoptr(GBytes) bytes = cs_samples_bytes (name, error);
  g_autofree char *display = NULL;
  CsCsvOptions options;

  if (bytes == NULL)
    return NULL;
  cs_csv_options_init (&options);
  display = g_strconcat (name, ".csv", NULL);
  return cs_csv_load_bytes (bytes, display, &options, NULL, NULL, error);
}
