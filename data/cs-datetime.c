/* cs-datetime.c: ISO 8601 date-times in case bases. */
#define G_LOG_DOMAIN "cs-datetime"

#include "config.h"

#include <string.h>

#include "cs-datetime.h"

gboolean
cs_parse_datetime (const char *text,
                   double     *seconds)
{
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gsize len = strlen (t);

  /* a date-time starts with a four-digit year and a dash: this keeps numbers and labels out cheaply */
  if (len < 10 || !g_ascii_isdigit (t[0]) || !g_ascii_isdigit (t[3]) || t[4] != '-')
    return FALSE;
  utc = g_time_zone_new_utc ();
  if (len == 10)
    {
      g_autofree char *full = g_strconcat (t, "T00:00:00", NULL);
      dt = g_date_time_new_from_iso8601 (full, utc);
    }
  else
    {
      if (t[10] == ' ')
        t[10] = 'T';
      dt = g_date_time_new_from_iso8601 (t, utc);
    }
  if (dt == NULL)
    return FALSE;
  *seconds = (double) g_date_time_to_unix (dt) + g_date_time_get_microsecond (dt) * 1e-6;
  return TRUE;
}
