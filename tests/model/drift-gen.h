/* drift-gen.h: generated case bases in time order, for the backtest and its drift alarm.
 *
 * n cases, one per row in time order (the order column is the row's counter, or an ISO 8601 date-time one
 * hour apart), d = 3 features uniform on [-1, 1], outcome f(x) + noise with f = 4 sin (1.5 x1) + 2 x2 - x3^2
 * and noise sd 1. From row `shift_at` on (0: never) the outcome is shifted by `shift` noise sds. */
#pragma once

#include <glib.h>
#include <math.h>

#include "cs-case-base.h"
#include "cs-rng.h"

#define DRIFT_NOISE 1.0

static inline CsCaseBase *
drift_generate (guint64 seed,
                gsize   n,
                gsize   shift_at,
                double  shift)
{
  CsCaseBase *cases = cs_case_base_new (n, 3);
  CsRng rng;

  cs_rng_seed (&rng, seed);
  cs_case_base_set_feature (cases, 0, "x1", "");
  cs_case_base_set_feature (cases, 1, "x2", "");
  cs_case_base_set_feature (cases, 2, "x3", "");
  cs_case_base_set_target (cases, "y", "");
  for (gsize i = 0; i < n; i++)
    {
      double *x = cases->x + i * 3;
      for (gsize j = 0; j < 3; j++)
        x[j] = 2 * cs_rng_uniform (&rng) - 1;
      cases->y[i] = 4 * sin (1.5 * x[0]) + 2 * x[1] - x[2] * x[2] + DRIFT_NOISE * cs_rng_normal (&rng);
      if (shift_at > 0 && i >= shift_at)
        cases->y[i] += shift * DRIFT_NOISE;
      cases->line[i] = (guint) i + 2;
    }
  cs_case_base_compute_stats (cases);
  return cases;
}

/* The same base as CSV text: "when" (ISO 8601, one hour apart from 2026-01-01T00:00:00Z), x1, x2, x3, y, in
 * a shuffled row order when shuffle is set (the backtest must sort by the order column, not trust the file). */
static inline char *
drift_csv (const CsCaseBase *cases,
           gboolean          shuffle,
           guint64           seed)
{
  GString *s = g_string_new ("when,x1,x2,x3,y\n");
  g_autofree gsize *perm = g_new (gsize, cases->n);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  CsRng rng;

  cs_rng_seed (&rng, seed ^ 0x5eed);
  for (gsize i = 0; i < cases->n; i++)
    perm[i] = i;
  for (gsize i = cases->n; shuffle && i > 1; i--)
    {
      gsize j = (gsize) (cs_rng_uniform (&rng) * i), t;
      j = MIN (j, i - 1);
      t = perm[i - 1];
      perm[i - 1] = perm[j];
      perm[j] = t;
    }
  for (gsize r = 0; r < cases->n; r++)
    {
      gsize i = perm[r];
      g_autoptr(GDateTime) at = g_date_time_add_hours (start, (gint) i);
      g_autofree char *iso = g_date_time_format_iso8601 (at);
      const double *x = cases->x + i * 3;
      g_string_append_printf (s, "%s,%.17g,%.17g,%.17g,%.17g\n", iso, x[0], x[1], x[2], cases->y[i]);
    }
  return g_string_free (s, FALSE);
}
