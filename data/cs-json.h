/* cs-json.h: JSON text that is always valid RFC 8259.
 *
 * json-glib 1.6's generator writes 1e-300 as "1e-300.0" and infinity as "inf.0", which no
 * JSON reader accepts (json-glib's own included). Casescope writes JSON through this one
 * function instead: json-glib's layout, shortest round-trip C-locale numbers, and null for
 * a non-finite number, never a number that looks valid.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *cs_json_to_string (JsonNode *node);
/* A member holding a number, or null when it is not finite (JSON has no NaN or infinity). */
void  cs_json_add_number (JsonBuilder *builder,
                          const char  *name,
                          double       value);
/* A member holding a string, or null. */
void  cs_json_add_string (JsonBuilder *builder,
                          const char  *name,
                          const char  *value);

G_END_DECLS
