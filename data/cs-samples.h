/* cs-samples.h: the sample case bases compiled into the binary (GResource). */
#pragma once

#include <gio/gio.h>

#include "cs-case-base.h"

G_BEGIN_DECLS

#define CS_SAMPLES_DEFAULT "press-line"

/* Names of the embedded samples ("press-line", "kiln", "circle"), NULL-terminated, static. */
const char * const *cs_samples_list  (void);
/* The CSV bytes of a sample, or NULL with an error when unknown. */
GBytes             *cs_samples_bytes (const char *name,
                                      GError    **error);
/* Parse an embedded sample into a case base. */
CsCaseBase         *cs_samples_load  (const char *name,
                                      GError    **error);

G_END_DECLS
