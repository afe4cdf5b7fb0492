/* test-csv-samples.c: the embedded samples load through the CSV loader contract. */
#define G_LOG_DOMAIN "test-csv-samples"

#include "config.h"

#include <math.h>

#include "cs-csv-loader.h"
#include "cs-samples.h"

static void
test_press_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) cb = cs_samples_load ("press-line", &error);
  static const char * const names[] = { "temperature", "pressure", "speed", "humidity" };
  static const char * const units[] = { "degC", "bar", "m/min", "%" };

  g_assert_no_error (error);
  g_assert_nonnull (cb);
  g_assert_cmpuint (cb->n, ==, 2000);
  g_assert_cmpuint (cb->d, ==, 4);
  for (gsize j = 0; j < 4; j++)
    {
      g_assert_cmpstr (cb->feature_names[j], ==, names[j]);
      g_assert_cmpstr (cb->feature_units[j], ==, units[j]);
    }
  g_assert_cmpstr (cb->target_name, ==, "strength");
  g_assert_cmpstr (cb->target_unit, ==, "MPa");
  g_assert_cmpstr (cb->id_name, ==, "batch");
  g_assert_cmpstr (cb->ids[0], ==, "PL-00001");
  g_assert_cmpstr (cb->ids[1999], ==, "PL-02000");
  /* First data row: PL-00001,236.71,73.78,20.726,38.6,297.837 on physical line 2. */
  g_assert_cmpuint (cb->line[0], ==, 2);
  g_assert_cmpuint (cb->line[1999], ==, 2001);
  g_assert_cmpfloat (cb->x[0], ==, 236.71);
  g_assert_cmpfloat (cb->x[3], ==, 38.6);
  g_assert_cmpfloat (cb->y[0], ==, 297.837);
  g_assert_nonnull (cb->sha256);
  g_assert_cmpfloat (cb->sd[0], >, 0);
  g_assert_cmpfloat (cb->min[0], <=, cb->mean[0]);
}

static void
test_all_samples (void)
{
  const char * const *names = cs_samples_list ();

  for (gsize i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CsCaseBase) cb = cs_samples_load (names[i], &error);
      g_autoptr(GBytes) bytes = cs_samples_bytes (names[i], NULL);
      gsize len = 0;
      const char *text = g_bytes_get_data (bytes, &len);
      gsize lines = 0;

      g_assert_no_error (error);
      for (gsize k = 0; k < len; k++)
        lines += text[k] == '\n';
      /* Every line but the header is a usable case, in order. */
      g_assert_cmpuint (cb->n, ==, lines - 1);
      for (gsize k = 0; k < cb->n; k++)
        g_assert_cmpuint (cb->line[k], ==, k + 2);
      g_assert_cmpuint (cb->d, >=, 2);
    }
}

static void
test_unknown_sample (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsCaseBase) cb = cs_samples_load ("no-such-sample", &error);

  g_assert_null (cb);
  g_assert_nonnull (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/data/samples/press-line", test_press_line);
  g_test_add_func ("/cs/data/samples/all", test_all_samples);
  g_test_add_func ("/cs/data/samples/unknown", test_unknown_sample);
  return g_test_run ();
}
