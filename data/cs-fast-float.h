/* cs-fast-float.h: exact decimal-to-double conversion (fast_float behind a C shim).
 *
 * The result is the correctly rounded double, bit for bit what glibc's strtod and
 * g_ascii_strtod return for the same digits, independent of the locale.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses [sign] digits [decimal_point digits] [e|E [sign] digits], or inf/nan, at
 * first (no leading '+', no spaces, no hex). Returns the number of bytes consumed,
 * 0 when no number starts at first. Values beyond the double range give +-inf. */
size_t cs_fast_float_parse (const char *first,
                            const char *last,
                            char        decimal_point,
                            double     *value);

#ifdef __cplusplus
}
#endif
