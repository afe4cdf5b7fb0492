/* test-csv-number.c: the importer's number parser gives bit for bit the doubles of g_ascii_strtod. */
#define G_LOG_DOMAIN "test-csv-number"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "cs-csv-number.h"

static gsize n_values = 300000;

/* Compares one text (with '.') and its decimal-comma twin against g_ascii_strtod. */
static void
check (const char *text)
{
  gsize len = strlen (text);
  char *end = NULL;
  double ref = g_ascii_strtod (text, &end), got = 0;
  CsNumberStatus status = cs_parse_number (text, len, '.', &got);
  gboolean whole = end == text + len;

  if (whole && isfinite (ref))
    {
      if (status != CS_NUMBER_OK || memcmp (&ref, &got, sizeof ref) != 0)
        g_error ("“%s”: g_ascii_strtod %a, cs_parse_number %a (status %d)", text, ref, got, status);
      if (strchr (text, ',') == NULL && strchr (text, '.') != NULL)
        {
          g_autofree char *comma = g_strdup (text);
          double got2 = 0;
          g_strdelimit (comma, ".", ',');
          if (cs_parse_number (comma, len, ',', &got2) != CS_NUMBER_OK || memcmp (&ref, &got2, sizeof ref) != 0)
            g_error ("“%s”: decimal comma gives %a, expected %a", comma, got2, ref);
        }
    }
  else if (whole)
    {
      if (status != CS_NUMBER_NOT_FINITE)
        g_error ("“%s”: g_ascii_strtod %g (not finite) but status %d", text, ref, status);
    }
  else if (status == CS_NUMBER_OK)
    g_error ("“%s”: g_ascii_strtod stops at offset %td but cs_parse_number accepts it", text, end - text);
}

static void
random_digits (GRand   *rand,
               GString *s,
               int      n)
{
  for (int i = 0; i < n; i++)
    g_string_append_c (s, (char) ('0' + g_rand_int_range (rand, 0, 10)));
}

static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  GString *s = g_string_new (NULL);
  char buf[64];
  gsize kinds[8] = { 0 };

  for (gsize i = 0; i < n_values; i++)
    {
      int kind = g_rand_int_range (rand, 0, 8);
      g_string_truncate (s, 0);
      kinds[kind]++;
      switch (kind)
        {
        case 0: /* any finite double, shortest-ish and 17 digits */
          {
            guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
            double v;
            memcpy (&v, &bits, sizeof v);
            if (!isfinite (v))
              v = 1.0;
            g_ascii_formatd (buf, sizeof buf, g_rand_boolean (rand) ? "%.17g" : "%.15g", v);
            g_string_append (s, buf);
          }
          break;
        case 1: /* 17-digit mantissa, exponent anywhere (overflow and underflow included) */
          if (g_rand_boolean (rand))
            g_string_append_c (s, '-');
          random_digits (rand, s, 1);
          g_string_append_c (s, '.');
          random_digits (rand, s, 16);
          g_string_append_printf (s, "e%d", g_rand_int_range (rand, -345, 330));
          break;
        case 2: /* subnormals */
          {
            guint64 bits = (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)) & ((1ull << 52) - 1);
            double v;
            memcpy (&v, &bits, sizeof v);
            g_ascii_formatd (buf, sizeof buf, g_rand_boolean (rand) ? "%.17g" : "%.3g", v);
            g_string_append (s, buf);
          }
          break;
        case 3: /* the benchmark's shape */
          g_ascii_formatd (buf, sizeof buf, "%.6f", g_rand_double_range (rand, -1e5, 1e5));
          g_string_append (s, buf);
          break;
        case 4: /* short decimals with signs, leading zeros, lone points */
          {
            int form = g_rand_int_range (rand, 0, 6);
            if (form == 0)
              g_string_append_c (s, '+');
            else if (form == 1)
              g_string_append_c (s, '-');
            if (form == 2)
              g_string_append (s, "000");
            random_digits (rand, s, g_rand_int_range (rand, form == 3 ? 0 : 1, 6));
            g_string_append_c (s, '.');
            random_digits (rand, s, g_rand_int_range (rand, form == 4 ? 0 : 1, 6));
          }
          break;
        case 5: /* long digit strings: beyond 19 digits, fast_float's slow path */
          random_digits (rand, s, g_rand_int_range (rand, 1, 40));
          if (g_rand_boolean (rand))
            {
              g_string_append_c (s, '.');
              random_digits (rand, s, g_rand_int_range (rand, 1, 40));
            }
          if (g_rand_boolean (rand))
            g_string_append_printf (s, "E%+d", g_rand_int_range (rand, -330, 310));
          break;
        case 6: /* halfway cases around powers of two */
          {
            double v = ldexp (1.0 + g_rand_int_range (rand, 0, 1 << 20) * 0x1p-20, g_rand_int_range (rand, -1070, 1020));
            double next = nextafter (v, INFINITY);
            g_ascii_formatd (buf, sizeof buf, "%.25g", v + (next - v) / 2);
            g_string_append (s, buf);
          }
          break;
        default: /* huge and tiny exponents */
          random_digits (rand, s, g_rand_int_range (rand, 1, 4));
          g_string_append_printf (s, "e%d", g_rand_boolean (rand) ? g_rand_int_range (rand, 300, 5000)
                                                                  : -g_rand_int_range (rand, 300, 5000));
          break;
        }
      check (s->str);
    }
  for (int k = 0; k < 8; k++)
    g_assert_cmpuint (kinds[k], >, n_values / 16);
  g_string_free (s, TRUE);
  g_rand_free (rand);
}

static void
test_fixed (void)
{
  static const char * const texts[] = {
    "0", "-0", "1", "1.", ".5", "+.5", "-.5", "1e5", "1E+05", "1e-5", "4.9e-324", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "2.2250738585072011e-308", "2.2250738585072012e-308",
    "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "1e400", "-1e400",
    "1e-400", "9007199254740993", "0.1", "0.30000000000000004", "123456789012345678901234567890",
    "7.038531e-26", "2.2250738585072014E-308", NULL
  };
  static const char * const invalid[] = {
    "", " ", "abc", "1,234", "1.2.3", "0x10", "1e", "e5", "--1", "+-1", "1 2", ".", "+", "-", "1d5", NULL
  };
  double v;

  for (gsize i = 0; texts[i] != NULL; i++)
    check (texts[i]);
  for (gsize i = 0; invalid[i] != NULL; i++)
    g_assert_cmpint (cs_parse_number (invalid[i], strlen (invalid[i]), '.', &v), ==, CS_NUMBER_INVALID);
  g_assert_cmpint (cs_parse_number ("inf", 3, '.', &v), ==, CS_NUMBER_NOT_FINITE);
  g_assert_cmpint (cs_parse_number ("nan", 3, '.', &v), ==, CS_NUMBER_NOT_FINITE);
  g_assert_cmpint (cs_parse_number (" 2.5\t", 5, '.', &v), ==, CS_NUMBER_OK);
  g_assert_cmpfloat (v, ==, 2.5);
  /* A decimal comma file never takes a point, and the other way round. */
  g_assert_cmpint (cs_parse_number ("2.5", 3, ',', &v), ==, CS_NUMBER_INVALID);
  g_assert_cmpint (cs_parse_number ("2,5", 3, '.', &v), ==, CS_NUMBER_INVALID);
  g_assert_cmpint (cs_parse_number ("-2,5e1", 6, ',', &v), ==, CS_NUMBER_OK);
  g_assert_cmpfloat (v, ==, -25);
  /* Only the given length is read. */
  g_assert_cmpint (cs_parse_number ("12345", 2, '.', &v), ==, CS_NUMBER_OK);
  g_assert_cmpfloat (v, ==, 12);
}

/* The user's locale never changes how numbers are read. */
static void
test_locale (void)
{
  double v = 0;

  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL && setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    {
      g_test_skip ("no comma-decimal locale installed");
      return;
    }
  g_assert_cmpint (cs_parse_number ("1.5", 3, '.', &v), ==, CS_NUMBER_OK);
  g_assert_cmpfloat (v, ==, 1.5);
  setlocale (LC_NUMERIC, "C");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* --count=N: how many random texts (the slow suite runs millions). */
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--count="))
      n_values = (gsize) g_ascii_strtoull (argv[i] + 8, NULL, 10);
  g_test_add_func ("/cs/data/number/fixed", test_fixed);
  g_test_add_func ("/cs/data/number/random", test_random);
  g_test_add_func ("/cs/data/number/locale", test_locale);
  return g_test_run ();
}
