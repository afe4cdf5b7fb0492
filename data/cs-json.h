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

G_END_DECLS
