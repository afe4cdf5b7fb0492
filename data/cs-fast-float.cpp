// cs-fast-float.cpp: the one-function C shim over Debian's fast_float (exact, locale-free).
#include "cs-fast-float.h"

#include <fast_float/fast_float.h>

extern "C" size_t
cs_fast_float_parse (const char *first,
                     const char *last,
                     char        decimal_point,
                     double     *value)
{
  fast_float::parse_options options (fast_float::chars_format::general, decimal_point);
  auto result = fast_float::from_chars_advanced (first, last, *value, options);

  if (result.ec != std::errc ())
    return 0;
  return (size_t) (result.ptr - first);
}
