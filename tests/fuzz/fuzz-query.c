/* fuzz-query.c: libFuzzer target for the --query parser of casescope-cli predict.
 *
 * cs_cli_parse_query () lives in app/cs-cli-query.c, which the target links. The first input byte picks the case base's features (1 to 6 names, some
 * sharing prefixes, some with spaces or '='-free punctuation); the rest is the query text.
 * Checks: an accepted query gives every feature a finite value (so 'temp=1e999', 'temp=nan'
 * and 'temp=' are refused); a refused query has a message. A generated valid query (shuffled order, random spaces) is always accepted
 * with the right values. Never a crash.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cs-cli-query.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FAIL(...) do { fprintf (stderr, "fuzz-query: " __VA_ARGS__); fputc ('\n', stderr); abort (); } while (0)

static const char *const names[] = { "temp", "temperature", "gap width", "x", "speed_2", "p(bar)" };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  CsCaseBase *base;
  gsize d;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  double x[G_N_ELEMENTS (names)];
  guint seed;

  if (size == 0)
    return 0;
  d = 1 + data[0] % G_N_ELEMENTS (names);
  seed = data[0];
  base = cs_case_base_new (1, d);
  for (gsize j = 0; j < d; j++)
    cs_case_base_set_feature (base, j, names[j], "");
  cs_case_base_set_target (base, "y", "");

  /* the fuzzed text (NUL bytes end it, as they would on a command line) */
  text = g_strndup ((const char *) data + 1, size - 1);
  for (gsize j = 0; j < d; j++)
    x[j] = NAN;
  if (cs_cli_parse_query (text, base, x, &message))
    {
      if (message != NULL)
        FAIL ("accepted with a message: %s", message);
      /* a feature left out or given empty is missing (NaN: predicted from the others); never infinite, and a
       * query with no value at all is refused */
      gboolean any = FALSE;

      for (gsize j = 0; j < d; j++)
        {
          if (isinf (x[j]))
            FAIL ("accepted '%s' but feature %s is %g", text, names[j], x[j]);
          any |= isfinite (x[j]);
        }
      if (!any)
        FAIL ("accepted '%s' without any value", text);
    }
  else if (message == NULL || message[0] == '\0')
    FAIL ("refused '%s' without a message", text);
  g_clear_pointer (&message, g_free);

  /* a valid query built from the input's bytes: every feature once, any order, loose spaces */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (seed * 2654435761u + (guint) size);
    g_autoptr(GString) q = g_string_new (NULL);
    double want[G_N_ELEMENTS (names)];
    gsize order[G_N_ELEMENTS (names)];

    for (gsize j = 0; j < d; j++)
      order[j] = j;
    for (gsize j = d; j > 1; j--)
      {
        gsize k = (gsize) g_rand_int_range (rand, 0, (gint32) j), t = order[j - 1];
        order[j - 1] = order[k];
        order[k] = t;
      }
    for (gsize i = 0; i < d; i++)
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        gsize j = order[i];
        want[j] = g_rand_double_range (rand, -1e6, 1e6) * pow (10.0, g_rand_int_range (rand, -30, 30));
        g_string_append_printf (q, "%s%s%s = %s%s", i > 0 ? "," : "", g_rand_boolean (rand) ? " " : "",
                                names[j], g_ascii_dtostr (buf, sizeof buf, want[j]), g_rand_boolean (rand) ? "  " : "");
      }
    if (!cs_cli_parse_query (q->str, base, x, &message))
      FAIL ("a valid query '%s' is refused: %s", q->str, message);
    for (gsize j = 0; j < d; j++)
      if (x[j] != want[j])
        FAIL ("'%s': %s read as %.17g, not %.17g", q->str, names[j], x[j], want[j]);
  }

  cs_case_base_unref (base);
  return 0;
}
