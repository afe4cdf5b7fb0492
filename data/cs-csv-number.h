/* cs-csv-number.h: how the importer reads one number (C locale, exact). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CS_NUMBER_OK = 0,
  CS_NUMBER_INVALID,      /* not a number (text, hex, thousands separators, ...) */
  CS_NUMBER_NOT_FINITE,   /* inf, nan, or beyond the double range (1e400) */
} CsNumberStatus;

/* Reads the whole of s[0..len) as a decimal number: surrounding spaces/tabs are
 * ignored, an optional sign, digits with an optional decimal_point ('.' or ','),
 * an optional exponent. The double is the correctly rounded one, bit for bit the
 * value g_ascii_strtod returns for the same text (with '.'), in every locale. */
CsNumberStatus cs_parse_number (const char *s,
                                gsize       len,
                                char        decimal_point,
                                double     *value);

G_END_DECLS
