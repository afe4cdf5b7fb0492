/* test-samples.c: the sample generator is deterministic, honours its ground truth,
 * and the committed CSVs are exactly its output. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "cs-case-base.h"
#include "cs-sample-gen.h"

static const char *cli_path;
static const char *samples_dir;

static void
test_deterministic (void)
{
  for (int k = 0; k < CS_SAMPLE_N_KINDS; k++)
    {
      CsSample *a = cs_sample_new ((CsSampleKind) k, 7, 500);
      CsSample *b = cs_sample_new ((CsSampleKind) k, 7, 500);
      CsSample *c = cs_sample_new ((CsSampleKind) k, 8, 500);
      gsize differ = 0;

      g_assert_nonnull (a);
      g_assert_cmpmem (a->x, a->n * a->d * sizeof (double), b->x, b->n * b->d * sizeof (double));
      g_assert_cmpmem (a->y, a->n * sizeof (double), b->y, b->n * sizeof (double));
      for (gsize i = 0; i < a->n; i++)
        differ += a->y[i] != c->y[i];
      g_assert_cmpuint (differ, >, a->n / 2);
      cs_sample_free (a);
      cs_sample_free (b);
      cs_sample_free (c);
    }
  g_assert_null (cs_sample_new (CS_SAMPLE_PRESS_LINE, 1, 0));
}

/* Per seed and size: no case in the hole, ranges respected, the noisy box is noisy,
 * the step is steep, and every region core is represented. */
static void
test_press_line_truth (void)
{
  const guint64 seeds[] = { 1, 99, 20241, 123456789 };
  const gsize sizes[] = { 800, 2000, 5000 };

  for (gsize si = 0; si < G_N_ELEMENTS (seeds); si++)
    for (gsize ni = 0; ni < G_N_ELEMENTS (sizes); ni++)
      {
        CsSample *s = cs_sample_new (CS_SAMPLE_PRESS_LINE, seeds[si], sizes[ni]);
        double ss_noisy = 0, ss_smooth = 0;
        gsize n_noisy = 0, n_smooth = 0, count[CS_REGION_N] = { 0 };

        g_assert_cmpuint (s->d, ==, 4);
        for (gsize i = 0; i < s->n; i++)
          {
            const double *x = s->x + i * 4;
            double a = (x[0] - 200) / 15, b = (x[1] - 55) / 20, r = s->y[i] - s->f[i];

            g_assert_cmpfloat (a * a + b * b, >=, 1.0 - 1e-9);
            g_assert_cmpfloat (x[0], >=, 180);
            g_assert_cmpfloat (x[0], <=, 240);
            g_assert_cmpfloat (x[1], >=, 40);
            g_assert_cmpfloat (x[1], <=, 120);
            g_assert_cmpint (s->region[i], ==, cs_sample_region (CS_SAMPLE_PRESS_LINE, x));
            count[s->region[i]]++;
            if (s->region[i] == CS_REGION_NOISY)
              ss_noisy += r * r, n_noisy++;
            else if (s->region[i] == CS_REGION_SMOOTH)
              ss_smooth += r * r, n_smooth++;
          }
        g_assert_cmpuint (count[CS_REGION_SPARSE], ==, 0);
        g_assert_cmpuint (count[CS_REGION_STEEP], >, 0);
        g_assert_cmpuint (n_noisy, >, 5);
        /* sd 8 against sd 1 (rounding adds ~0.0003). */
        g_assert_cmpfloat (sqrt (ss_noisy / n_noisy), >, 5.0);
        g_assert_cmpfloat (sqrt (ss_smooth / n_smooth), <, 1.3);
        g_assert_cmpfloat (sqrt (ss_smooth / n_smooth), >, 0.7);
        cs_sample_free (s);
      }

  /* The step: the truth moves 30 MPa across 10 degC at 228 and 5 MPa elsewhere. */
  {
    double lo[4] = { 223, 80, 15, 50 }, hi[4] = { 233, 80, 15, 50 };
    double lo2[4] = { 190, 80, 15, 50 }, hi2[4] = { 200, 80, 15, 50 };
    double jump = cs_sample_truth (CS_SAMPLE_PRESS_LINE, hi) - cs_sample_truth (CS_SAMPLE_PRESS_LINE, lo);
    double flat = cs_sample_truth (CS_SAMPLE_PRESS_LINE, hi2) - cs_sample_truth (CS_SAMPLE_PRESS_LINE, lo2);
    g_assert_cmpfloat (jump, >, 30);
    g_assert_cmpfloat (fabs (flat - 5.0), <, 0.01);
  }
}

static void
test_draw_query (void)
{
  CsRng rng;

  cs_rng_seed (&rng, 42);
  for (int k = 0; k < 2; k++)
    for (int r = CS_REGION_SMOOTH; r < CS_REGION_BORDER; r++)
      for (int t = 0; t < 50; t++)
        {
          double x[4];
          g_assert_cmpint (cs_sample_draw_query ((CsSampleKind) k, (CsRegion) r, &rng, x), ==, 0);
          g_assert_cmpint (cs_sample_region ((CsSampleKind) k, x), ==, r);
        }
  g_assert_cmpint (cs_sample_draw_query (CS_SAMPLE_CIRCLE, CS_REGION_STEEP, &rng, (double[2]) { 0 }), ==, -1);
}

static void
test_circle_on_sphere (void)
{
  CsSample *s = cs_sample_new (CS_SAMPLE_CIRCLE, 3, 300);

  for (gsize i = 0; i < s->n; i++)
    {
      double r = hypot (s->x[2 * i], s->x[2 * i + 1]);
      g_assert_cmpfloat (fabs (r - 1.0), <, 2e-6);   /* written with 6 decimals */
      g_assert_cmpfloat (s->f[i], >=, 0);
      g_assert_cmpfloat (s->f[i], <=, 4.0 + 1e-9);
    }
  cs_sample_free (s);
}

/* The committed CSVs are byte for byte what `casescope-cli generate` writes today. */
static void
test_committed_samples (void)
{
  const char *names[] = { "press-line", "kiln", "circle" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (samples_dir, names[i], NULL);
      g_autofree char *file = g_strconcat (path, ".csv", NULL);
      g_autofree char *committed = NULL, *generated = NULL, *err = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      int status = 0;
      const char *argv[] = { cli_path, "generate", "--sample", names[i], NULL };

      g_assert_true (g_file_get_contents (file, &committed, &len, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &generated,
                                   &err, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpstr (committed, ==, generated);
    }
}

static void
test_split_name_unit (void)
{
  struct { const char *in, *name, *unit; } cases[] = {
    { "temperature [degC]", "temperature", "degC" },
    { "pressure (bar)", "pressure", "bar" },
    { "  speed [ m/min ] ", "speed", "m/min" },
    { "y", "y", "" },
    { "[x]", "[x]", "" },
    { "a (b) c", "a (b) c", "" },
    { "", "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = NULL, *unit = NULL;
      cs_split_name_unit (cases[i].in, &name, &unit);
      g_assert_cmpstr (name, ==, cases[i].name);
      g_assert_cmpstr (unit, ==, cases[i].unit);
    }
}

static void
test_case_base_stats (void)
{
  g_autoptr(CsCaseBase) cb = cs_case_base_new (4, 2);
  const double x[] = { 1, 5, 2, 5, 3, 5, 6, 5 }, y[] = { 1, 2, 3, 4 };
  g_autofree double *z = NULL;

  memcpy (cb->x, x, sizeof x);
  memcpy (cb->y, y, sizeof y);
  cs_case_base_compute_stats (cb);
  g_assert_cmpfloat_with_epsilon (cb->mean[0], 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (cb->sd[0], sqrt (3.5), 1e-12);
  g_assert_cmpfloat (cb->sd[1], ==, 0);            /* constant feature */
  g_assert_cmpfloat (cb->min[0], ==, 1);
  g_assert_cmpfloat (cb->max[0], ==, 6);
  g_assert_cmpfloat_with_epsilon (cb->y_mean, 2.5, 1e-12);
  z = cs_case_base_standardise (cb);
  g_assert_cmpfloat_with_epsilon (z[0], -2.0 / sqrt (3.5), 1e-12);
  g_assert_cmpfloat (z[1], ==, 0);                 /* sd 0 -> centred, not divided */
  g_assert_cmpint (cs_case_base_find_feature (cb, "x2"), ==, 1);
  g_assert_cmpint (cs_case_base_find_feature (cb, "nope"), ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: test-samples CASESCOPE_CLI SAMPLES_DIR\n");
      return 2;
    }
  cli_path = argv[1];
  samples_dir = argv[2];

  g_test_add_func ("/cs/samples/deterministic", test_deterministic);
  g_test_add_func ("/cs/samples/press-line-truth", test_press_line_truth);
  g_test_add_func ("/cs/samples/draw-query", test_draw_query);
  g_test_add_func ("/cs/samples/circle-on-sphere", test_circle_on_sphere);
  g_test_add_func ("/cs/samples/committed-csv", test_committed_samples);
  g_test_add_func ("/cs/data/case-base/split-name-unit", test_split_name_unit);
  g_test_add_func ("/cs/data/case-base/stats", test_case_base_stats);
  return g_test_run ();
}
