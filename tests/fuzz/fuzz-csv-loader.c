/* fuzz-csv-loader.c: libFuzzer target for the CSV importer (cs_csv_load_bytes) and the export cells. */
#define G_LOG_DOMAIN "fuzz-csv-loader"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cs-csv-loader.h"
#include "cs-csv-writer.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* An input that starts with byte 0x01 (never in a CSV file) has a second byte picking the
 * options (strict, delimiter, decimal, header); any other input is a file read with detection. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char delims[] = { 0, ',', ';', '\t', '|', 0, 0, 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCsvReport) report = NULL;
  g_autoptr(CsCaseBase) cb = NULL;
  CsCsvOptions options;
  uint8_t mode = size > 1 && data[0] == 0x01 ? data[1] : 0;

  cs_csv_options_init (&options);
  if (size > 1 && data[0] == 0x01)
    {
      data++;
      size--;
      options.strict = (mode & 1) != 0;
      options.delimiter = delims[(mode >> 1) & 7];
      options.decimal_comma = ((mode >> 4) & 3) == 3 ? -1 : (mode >> 4) & 1;
      options.header = (mode & 0x40) ? 1 : -1;
      data++;
      size--;
    }
  bytes = g_bytes_new_static (data, size);
  cb = cs_csv_load_bytes (bytes, "fuzz.csv", &options, &report, NULL, &error);

  /* Invariants: a case base or an error, never both; what is returned is usable. */
  if ((cb == NULL) == (error == NULL) || report == NULL)
    __builtin_trap ();
  if (cb != NULL)
    {
      if (cb->n < 2 || cb->d < 1 || report->rows_used != cb->n || report->rows_read < cb->n)
        __builtin_trap ();
      for (gsize i = 0; i < cb->n * cb->d; i++)
        if (!(cb->x[i] - cb->x[i] == 0))      /* finite */
          __builtin_trap ();
      for (gsize i = 1; i < cb->n; i++)
        if (cb->line[i] <= cb->line[i - 1])
          __builtin_trap ();
    }
  for (guint i = 0; i < report->problems->len; i++)
    if (!g_utf8_validate (((CsCsvProblem *) report->problems->pdata[i])->message, -1, NULL))
      __builtin_trap ();

  /* Export cells of arbitrary text. */
  if (size < 4096)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);
      g_autofree char *cell = cs_csv_format_text (text, ';');
      (void) cell;
    }
  return 0;
}
