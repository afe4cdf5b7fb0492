/* cs-datetime.h: ISO 8601 date-times in case bases (an order column: when each case was logged). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Seconds since 1970-01-01T00:00:00Z of an ISO 8601 date-time: "2026-12-07T08:30:00Z", with an offset
 * ("+01:00"), without one (UTC), with a space for the T ("2026-12-07 08:30:00", as spreadsheets write it), or a
 * date alone (midnight UTC). FALSE for anything else (a plain number is not a date-time). */
gboolean cs_parse_datetime (const char *text,
                            double     *seconds);

G_END_DECLS
