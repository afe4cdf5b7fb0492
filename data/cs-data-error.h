/* cs-data-error.h: the error domain of the data layer. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CS_DATA_ERROR (cs_data_error_quark ())

typedef enum
{
  CS_DATA_ERROR_IO,               /* cannot open or read an input */
  CS_DATA_ERROR_PARSE,            /* malformed CSV (message names FILE:LINE:COLUMN) */
  CS_DATA_ERROR_ENCODING,         /* unsupported or broken text encoding */
  CS_DATA_ERROR_BAD_VALUE,        /* a value that cannot be used (strict mode) */
  CS_DATA_ERROR_MISSING_COLUMN,   /* a named column does not exist */
  CS_DATA_ERROR_NO_DATA,          /* nothing usable remains */
  CS_DATA_ERROR_MODEL_FILE,       /* a model file that is invalid or for other columns */
  CS_DATA_ERROR_WRITE,            /* cannot write an output */
  CS_DATA_ERROR_WOULD_OVERWRITE,  /* an output would replace an input */
  CS_DATA_ERROR_CANCELLED,        /* the operation was cancelled */
} CsDataError;

GQuark cs_data_error_quark (void);

G_END_DECLS
