/* bench-render.c: the two big renders against a plain full-surface image paint measured in the same run. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cs-charts.h"
#include "render-fixtures.h"

#define W 1920
#define H 1080

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

typedef void (*BenchFunc) (cairo_t *cr, gpointer data);

static double
thread_cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Median wall time and median thread CPU time in ms over reps runs, each on a fresh context of
 * the same surface. On a shared machine the CPU time is the steadier number. */
static double
median_ms (cairo_surface_t *surface,
           BenchFunc        func,
           gpointer         data,
           int              reps,
           double          *cpu_ms)
{
  double t[32], c[32];

  for (int r = 0; r < reps; r++)
    {
      cairo_t *cr = cairo_create (surface);
      gint64 t0 = g_get_monotonic_time ();
      double c0 = thread_cpu_ms ();

      func (cr, data);
      cairo_surface_flush (surface);
      t[r] = (g_get_monotonic_time () - t0) / 1000.0;
      c[r] = thread_cpu_ms () - c0;
      cairo_destroy (cr);
    }
  qsort (t, reps, sizeof (double), cmp_double);
  qsort (c, reps, sizeof (double), cmp_double);
  *cpu_ms = c[reps / 2];
  return t[reps / 2];
}

static void
paint_reference (cairo_t *cr,
                 gpointer data)
{
  /* The reference: an opaque image of the full surface size painted once. */
  cairo_set_source_surface (cr, data, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
}

static void
render_chart (cairo_t *cr,
              gpointer data)
{
  CsPlotStyle style;

  cs_plot_style_init (&style, CS_PLOT_LIGHT);
  style.stretch_to_max = TRUE;
  cs_chart_render (cr, data, &style, W, H);
}

int
main (int    argc,
      char **argv)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  RenderFixtures *matrix = render_fixtures_new (1, 10, 1000, 1000);
  RenderFixtures *points = render_fixtures_new (2, 100000, 2, 2);
  double ref, t_matrix, t_points, ref_cpu, c_matrix, c_points;
  int reps = argc > 1 ? CLAMP (atoi (argv[1]), 1, 31) : 9;

  /* Warm the font caches once; the timings measure steady-state redraws. */
  {
    cairo_t *cr = cairo_create (surface);
    render_chart (cr, &matrix->charts[CS_CHART_ATTENTION_MATRIX]);
    cairo_destroy (cr);
  }

  ref = median_ms (surface, paint_reference, image, reps, &ref_cpu);
  t_matrix = median_ms (surface, render_chart, &matrix->charts[CS_CHART_ATTENTION_MATRIX], reps, &c_matrix);
  t_points = median_ms (surface, render_chart, &points->charts[CS_CHART_FEATURE_MAP], reps, &c_points);

  printf ("reference: cairo_paint of a %dx%d image: %.2f ms wall, %.2f ms CPU (median of %d)\n", W, H, ref, ref_cpu,
          reps);
  printf ("attention matrix 1000 x 1000 = 1e6 weights to %dx%d: %.2f ms wall (target < 50 ms), %.2f ms CPU; "
          "%.1fx reference (wall), %.1fx (CPU)\n", W, H, t_matrix, c_matrix, t_matrix / ref, c_matrix / ref_cpu);
  printf ("feature map with 1e5 points to %dx%d: %.2f ms wall (target < 100 ms), %.2f ms CPU; "
          "%.1fx reference (wall), %.1fx (CPU)\n", W, H, t_points, c_points, t_points / ref, c_points / ref_cpu);
  render_fixtures_free (matrix);
  render_fixtures_free (points);
  cairo_surface_destroy (image);
  cairo_surface_destroy (surface);
  return 0;
}
