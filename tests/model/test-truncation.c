/* test-truncation.c: the softmax truncation of the window pass (epsilon) against the dense result (epsilon = 0). */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-kernel.h"
#include "cs-rng.h"
#include "cs-sample-gen.h"

#define K_TOP 5

/* The smallest v with cumulative weight >= level x total, by sorting: the reference for the quickselect. */
typedef struct
{
  double v, w;
} Pair;

static int
cmp_pair (const void *a,
          const void *b)
{
  const Pair *x = a, *y = b;
  return (x->v > y->v) - (x->v < y->v);
}

static double
sorted_quantile (Pair   *p,
                 size_t  n,
                 double  level)
{
  double total = 0, cum = 0;

  qsort (p, n, sizeof *p, cmp_pair);
  for (size_t i = 0; i < n; i++)
    total += p[i].w;
  for (size_t i = 0; i < n; i++)
    {
      cum += p[i].w;
      if (cum >= level * total)
        return p[i].v;
    }
  return p[n - 1].v;
}

/* v_i of the attended cases of one query: feature j's |x_ij - q_j|, or the Euclidean distance (j = d). */
static double
case_value (const double *x,
            size_t        d,
            size_t        i,
            const double *q,
            size_t        j)
{
  double s = 0;

  if (j < d)
    return fabs (x[i * d + j] - q[j]);
  for (size_t a = 0; a < d; a++)
    s += (x[i * d + a] - q[a]) * (x[i * d + a] - q[a]);
  return sqrt (s);
}

/* The dense quantile at levels 0.9 -/+ (dropped + slack) brackets the truncated one (the bound stated in
 * cs-attention.h). slack = 1e-12 covers the rounding of the cumulative sums, which both sides accumulate in
 * different orders. */
static void
check_quantile (const double     *x,
                size_t            d,
                const double     *q,
                size_t            j,
                const CsAttended *dense,
                double            dropped,
                double            got,
                const char       *what)
{
  Pair *p = g_new (Pair, MAX (dense->m, 1));
  double lo, hi, exact, tol;

  for (size_t k = 0; k < dense->m; k++)
    p[k] = (Pair) { case_value (x, d, dense->index[k], q, j), dense->weight[k] };
  lo = sorted_quantile (p, dense->m, 0.9 - dropped - 1e-12);
  hi = sorted_quantile (p, dense->m, 0.9 + dropped + 1e-12);
  exact = sorted_quantile (p, dense->m, 0.9);
  /* the library and case_value compute the same expression, but allow one rounding per value */
  tol = 1e-12 * (1 + fabs (hi));
  if (!(got >= lo - tol && got <= hi + tol))
    g_error ("%s: truncated quantile %.17g outside the dense bracket [%.17g, %.17g] (dropped %g)",
             what, got, lo, hi, dropped);
  (void) exact;
  g_free (p);
}

typedef struct
{
  CsPrediction *pred;
  CsAttended *att;
  CsTopCase *top;
  double *hw;
} Run;

static void
run_predict (const CsAttention *ctx,
             const double      *qs,
             size_t             q,
             const size_t      *self_index,
             double             epsilon,
             int                n_threads,
             Run               *r)
{
  CsPredictOptions o;
  size_t d = cs_attention_get_d (ctx);

  r->pred = g_new0 (CsPrediction, q);
  r->att = g_new0 (CsAttended, q);
  r->top = g_new0 (CsTopCase, q * K_TOP);
  r->hw = g_new0 (double, q * d);
  cs_predict_options_init (&o);
  g_assert_cmpfloat (o.epsilon, ==, 1e-6);   /* the stated default */
  o.flags = CS_PREDICT_WINDOW;
  o.top_k = K_TOP;
  o.top = r->top;
  o.half_width = r->hw;
  o.attended = r->att;
  o.self_index = self_index;
  o.epsilon = epsilon;
  o.n_threads = n_threads;
  g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, r->pred), ==, CS_OK);
}

static void
run_clear (Run    *r,
           size_t  q)
{
  for (size_t i = 0; i < q; i++)
    cs_attended_clear (&r->att[i]);
  g_free (r->pred);
  g_free (r->att);
  g_free (r->top);
  g_free (r->hw);
}

/* Dense vs truncated on q queries of one context; returns the share of cases kept, summed over queries. */
static double
compare (const CsAttention *ctx,
         const double      *qs,
         size_t             q,
         const size_t      *self_index,
         double             epsilon)
{
  size_t n = cs_attention_get_n (ctx), d = cs_attention_get_d (ctx);
  const double *x = cs_attention_get_x (ctx), *y = cs_attention_get_y (ctx);
  double ymin = INFINITY, ymax = -INFINITY, kept_share = 0;
  Run dn, tr;

  for (size_t i = 0; i < n; i++)
    {
      ymin = fmin (ymin, y[i]);
      ymax = fmax (ymax, y[i]);
    }
  run_predict (ctx, qs, q, self_index, 0.0, 1, &dn);
  run_predict (ctx, qs, q, self_index, epsilon, 1, &tr);

  for (size_t t = 0; t < q; t++)
    {
      const CsPrediction *pd = &dn.pred[t], *pt = &tr.pred[t];
      const CsAttended *ad = &dn.att[t], *at = &tr.att[t];
      const double *qx = qs + t * d;
      double delta = pt->weight_dropped, wk = 0, wyk = 0, range = ymax - ymin, min_kept = INFINITY;
      size_t a = 0;

      /* epsilon only enters the second pass: the prediction and its sums are the very same stored
       * computation in both calls, so they are bit-identical */
      g_assert_true (pd->prediction == pt->prediction);
      g_assert_true (pd->n_eff == pt->n_eff);
      /* the exact-sum check of the truncated call sums the candidate cases only (cs-attention.c's
       * window_pass): the cases left out carry at most delta of the weight */
      g_assert_cmpfloat (fabs (pd->decomposition_error - pt->decomposition_error), <=,
                         pt->weight_dropped * fmax (fabs (ymin), fabs (ymax)) + 1e-12 * (ymax - ymin + 1));

      /* dense: every case with a positive weight, nothing dropped */
      g_assert_cmpfloat (pd->weight_dropped, ==, 0.0);
      g_assert_cmpfloat (ad->dropped, ==, 0.0);
      g_assert_cmpuint (pd->n_kept, ==, ad->m);
      g_assert_cmpuint (ad->m, <=, n);
      /* truncated: within the bound, the struct and the prediction agree */
      g_assert_cmpfloat (delta, >=, 0.0);
      g_assert_cmpfloat (delta, <=, epsilon);
      g_assert_cmpfloat (at->dropped, ==, delta);
      g_assert_cmpuint (pt->n_kept, ==, at->m);
      g_assert_cmpuint (at->m, >=, 1);
      g_assert_cmpuint (at->m, <=, ad->m);
      kept_share += (double) at->m / (double) n;

      /* the kept set is a subset of the dense one with the same weights (same stored values), increasing
       * indices, and every kept case outweighs every dropped one */
      for (size_t k = 0; k < at->m; k++)
        {
          if (k > 0)
            g_assert_cmpuint (at->index[k], >, at->index[k - 1]);
          if (self_index != NULL)
            g_assert_cmpuint (at->index[k], !=, self_index[t]);
          while (a < ad->m && ad->index[a] < at->index[k])
            a++;
          g_assert_cmpuint (a, <, ad->m);
          g_assert_cmpuint (ad->index[a], ==, at->index[k]);
          g_assert_true (ad->weight[a] == at->weight[k]);
          min_kept = fmin (min_kept, at->weight[k]);
          wk += at->weight[k];
          wyk += at->weight[k] * y[at->index[k]];
        }
      {
        double dropped_sum = 0, total = 0;
        size_t b = 0;
        for (size_t k = 0; k < ad->m; k++)
          {
            total += ad->weight[k];
            if (b < at->m && at->index[b] == ad->index[k])
              b++;
            else
              {
                g_assert_cmpfloat (ad->weight[k], <, min_kept);
                dropped_sum += ad->weight[k];
              }
          }
        /* the reported share is the dropped weight over the total (rounding of two sums over n terms; the
         * truncated call takes the share of the cases it never weighed as 1 minus the sum of the others,
         * and the dense total is 1 only up to the rounding of its n terms) */
        g_assert_cmpfloat (fabs (dropped_sum / total - delta), <=,
                           1e-12 * (delta + 1e-300) + (double) n * DBL_EPSILON);
      }

      /* top k: the dense ones, and (when enough are kept) the k heaviest of the attended set */
      for (size_t k = 0; k < K_TOP; k++)
        {
          const CsTopCase *cd = &dn.top[t * K_TOP + k], *ct = &tr.top[t * K_TOP + k];
          g_assert_cmpuint (cd->index, ==, ct->index);
          if (ct->index == CS_NO_CASE || k >= at->m)
            continue;
          {
            gboolean found = FALSE;
            size_t above = 0;
            for (size_t i = 0; i < at->m; i++)
              {
                found |= at->index[i] == ct->index;
                /* 1e-12 relative: the top weight is exp of the pass-1 score, the attended one of the
                 * pass-2 GEMV */
                if (at->weight[i] > ct->weight * (1 + 1e-12))
                  above++;
              }
            g_assert_true (found);
            g_assert_cmpuint (above, <=, k);
          }
        }

      /* the renormalised mean over the attended set is within delta x range of the dense prediction;
       * 1e-10 covers the streamed sums against the explicit weights */
      g_assert_cmpfloat (fabs (wyk / wk - pd->prediction), <=,
                         delta * range + 1e-10 * (range + fabs (ymin) + fabs (ymax)));

      /* radius90 and the half-widths within the bound; the dense ones at the exact level */
      check_quantile (x, d, qx, d, ad, delta, pt->radius90, "radius90");
      check_quantile (x, d, qx, d, ad, 0.0, pd->radius90, "dense radius90");
      for (size_t j = 0; j < d; j++)
        {
          check_quantile (x, d, qx, j, ad, delta, tr.hw[t * d + j], "half-width");
          check_quantile (x, d, qx, j, ad, 0.0, dn.hw[t * d + j], "dense half-width");
        }
    }
  run_clear (&dn, q);
  run_clear (&tr, q);
  return kept_share;
}

static void
test_random (void)
{
  static const double scales[] = { 0.3, 3.0, 40.0 };
  static const double eps[] = { 1e-6, 1e-3 };

  for (guint seed = 1; seed <= 4; seed++)
    for (guint si = 0; si < G_N_ELEMENTS (scales); si++)
      {
        CsRng rng;
        size_t n = seed % 2 ? 1700 : 600, d = 1 + seed, q = 12;
        double *x = g_new (double, n * d), *y = g_new (double, n), *qs = g_new (double, q * d);
        size_t *self = g_new (size_t, q);
        CsScoreForm form = seed == 3 ? CS_SCORE_DOT : CS_SCORE_DISTANCE;
        CsAttention *ctx = NULL;
        CsMetric m;

        cs_rng_seed (&rng, 1000 + seed);
        for (size_t i = 0; i < n * d; i++)
          x[i] = 2 * cs_rng_uniform (&rng) - 1;
        for (size_t i = 0; i < n; i++)
          y[i] = sin (3 * x[i * d]) + 0.2 * cs_rng_uniform (&rng) + (i % 97 == 0 ? 5 : 0);
        for (size_t t = 0; t < q; t++)
          {
            /* half the queries are cases left out of their own context, half fresh points */
            self[t] = t % 2 ? (size_t) (cs_rng_uniform (&rng) * n) : CS_NO_CASE;
            for (size_t j = 0; j < d; j++)
              qs[t * d + j] = self[t] != CS_NO_CASE ? x[self[t] * d + j] : 2.4 * cs_rng_uniform (&rng) - 1.2;
          }
        g_assert_cmpint (cs_attention_new (x, y, n, d, form, &ctx), ==, CS_OK);
        if (seed == 2)
          {
            double *diag = g_new (double, d);
            for (size_t j = 0; j < d; j++)
              diag[j] = scales[si] * (j + 1) / d;
            g_assert_cmpint (cs_metric_init_diagonal (&m, d, diag), ==, CS_OK);
            g_free (diag);
          }
        else
          g_assert_cmpint (cs_metric_init_scalar (&m, d, scales[si]), ==, CS_OK);
        g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
        for (guint e = 0; e < G_N_ELEMENTS (eps); e++)
          compare (ctx, qs, q, self, eps[e]);
        cs_metric_clear (&m);
        cs_attention_free (ctx);
        g_free (x); g_free (y); g_free (qs); g_free (self);
      }
}

/* Sample case bases with a fitted scalar metric (the engine's default), standardised as the engine does. */
static void
test_sample (void)
{
  static const CsSampleKind kinds[] = { CS_SAMPLE_PRESS_LINE, CS_SAMPLE_KILN };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      CsSample *s = cs_sample_new (kinds[k], 77 + k, 3000);
      size_t n = s->n, d = s->d, q = 16;
      double *z = g_new (double, n * d), *qs = g_new (double, q * d), share;
      size_t *self = g_new (size_t, q);
      CsAttention *ctx = NULL;
      CsFitOptions fo;
      CsMetric m = { 0 };

      for (size_t j = 0; j < d; j++)
        {
          double mu = 0, var = 0;
          for (size_t i = 0; i < n; i++)
            mu += s->x[i * d + j] / n;
          for (size_t i = 0; i < n; i++)
            var += (s->x[i * d + j] - mu) * (s->x[i * d + j] - mu) / n;
          for (size_t i = 0; i < n; i++)
            z[i * d + j] = (s->x[i * d + j] - mu) / sqrt (var);
        }
      for (size_t t = 0; t < q; t++)
        {
          self[t] = (t * 7919 + 13) % n;
          memcpy (qs + t * d, z + self[t] * d, d * sizeof (double));
        }
      g_assert_cmpint (cs_attention_new (z, s->y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      cs_fit_options_init (&fo);
      fo.kind = CS_METRIC_SCALAR;
      g_assert_cmpint (cs_attention_fit (ctx, &fo, &m, NULL), ==, CS_OK);
      g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
      share = compare (ctx, qs, q, self, 1e-6) / q;
      g_test_message ("%s: mean share of cases kept at 1e-6: %.4f", s->name, share);
      /* a fitted metric concentrates the weight: truncation must actually drop cases here */
      g_assert_cmpfloat (share, <, 1.0);
      compare (ctx, qs, q, NULL, 1e-4);
      cs_metric_clear (&m);
      cs_attention_free (ctx);
      cs_sample_free (s);
      g_free (z); g_free (qs); g_free (self);
    }
}

/* The attended sets do not depend on the thread count, are filled without CS_PREDICT_WINDOW, and a bad
 * epsilon is refused with the outputs still safe to clear. */
static void
test_threads_and_options (void)
{
  size_t n = 2500, d = 3, q = 600;
  double *x = g_new (double, n * d), *y = g_new (double, n), *qs = g_new (double, q * d);
  CsPrediction *pred = g_new0 (CsPrediction, q);
  CsAttended *att = g_new0 (CsAttended, q);
  CsAttention *ctx = NULL;
  CsPredictOptions o;
  CsRng rng;
  Run one, two;

  cs_rng_seed (&rng, 5);
  for (size_t i = 0; i < n * d; i++)
    x[i] = cs_rng_uniform (&rng);
  for (size_t i = 0; i < n; i++)
    y[i] = x[i * d] + x[i * d + 1];
  for (size_t i = 0; i < q * d; i++)
    qs[i] = cs_rng_uniform (&rng);
  g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
  {
    CsMetric m;
    g_assert_cmpint (cs_metric_init_scalar (&m, d, 200.0), ==, CS_OK);
    g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
    cs_metric_clear (&m);
  }
  run_predict (ctx, qs, q, NULL, 1e-6, 1, &one);
  run_predict (ctx, qs, q, NULL, 1e-6, 2, &two);
  cs_predict_options_init (&o);
  o.attended = att;
  g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pred), ==, CS_OK);
  for (size_t t = 0; t < q; t++)
    {
      g_assert_cmpuint (one.att[t].m, ==, two.att[t].m);
      g_assert_cmpuint (one.att[t].m, ==, att[t].m);
      g_assert_cmpuint (one.att[t].m, <, n);
      g_assert_true (isnan (pred[t].radius90));
      g_assert_cmpuint (pred[t].n_kept, ==, att[t].m);
      for (size_t k = 0; k < one.att[t].m; k++)
        {
          g_assert_cmpuint (one.att[t].index[k], ==, two.att[t].index[k]);
          g_assert_cmpuint (one.att[t].index[k], ==, att[t].index[k]);
          /* the same computation on another thread */
          g_assert_true (one.att[t].weight[k] == two.att[t].weight[k]);
        }
      cs_attended_clear (&att[t]);
    }
  run_clear (&one, q);
  run_clear (&two, q);

  /* no second pass: nothing truncated, nothing reported */
  cs_predict_options_init (&o);
  g_assert_cmpint (cs_attention_predict (ctx, qs, 3, &o, pred), ==, CS_OK);
  g_assert_true (isnan (pred[0].weight_dropped));
  g_assert_cmpuint (pred[0].n_kept, ==, 0);

  /* refused epsilons; attended zeroed so clearing is safe */
  for (int bad = 0; bad < 2; bad++)
    {
      cs_predict_options_init (&o);
      o.epsilon = bad ? NAN : -1e-6;
      o.attended = att;
      att[0].m = 12345;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pred), ==, CS_ERR_INVALID);
      g_assert_cmpuint (att[0].m, ==, 0);
      g_assert_null (att[0].index);
      o.n_threads = 2;
      att[0].m = 12345;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pred), ==, CS_ERR_INVALID);
      g_assert_cmpuint (att[0].m, ==, 0);
    }
  cs_attention_free (ctx);
  g_free (x); g_free (y); g_free (qs); g_free (pred); g_free (att);
}

/* Whether a weight ratio r lies within relative tol of a power of two (a bucket edge of cs_weights_keep). */
static gboolean
near_power_of_two (double r,
                   double tol)
{
  int e;
  double f = frexp (r, &e);   /* r = f 2^e, f in [0.5, 1) */
  return f - 0.5 <= 0.5 * tol || 1.0 - f <= tol;
}

/* How close the bucket greedy of cs_weights_keep comes to its bound on the whole weight vector w (n entries,
 * normalised): the smallest |dropped sum so far + next bucket - eps| over the buckets it looks at, the
 * place where a relative change of the weights by tol can move the cut. */
static double
greedy_margin (const double *w,
               size_t        n,
               double        eps)
{
  double *sums = g_new0 (double, 1100), total = 0, cum = 0, margin = INFINITY;
  int top = 1099;

  for (size_t i = 0; i < n; i++)
    total += w[i];
  for (size_t i = 0; i < n; i++)
    if (w[i] > 0)
      {
        int e;
        (void) frexp (w[i] / total, &e);
        int b = e > 0 ? 0 : MIN (-e, 1075);
        sums[b] += w[i] / total;
        top = MIN (top, b);
      }
  for (int b = 1075; b > top; b--)
    {
      margin = fmin (margin, fabs (cum + sums[b] - eps));
      if (cum + sums[b] > eps)
        break;
      cum += sums[b];
    }
  g_free (sums);
  return margin;
}

/* The window pass on candidate blocks only (a call without the weights output) against the full pass (the
 * same call with it), on random bases, the double path and the float path's fused kernel: the same kept
 * cases except where a case's weight, or the greedy's running sum, sits within the bound of a bucket edge;
 * the double path's weights bit for bit (the same GEMV calls), the float path's within epsilon / 2 (its
 * normaliser leaves out the cases outside the candidates); the quantiles within the dense bracket. */
static void
test_candidates (void)
{
  static const double eps[] = { 1e-6, 1e-3 };
  int prev = cs_kernel_fused_set (1);
  size_t differing = 0, compared = 0;

  for (guint seed = 1; seed <= 6; seed++)
    for (guint fl = 0; fl < 2; fl++)
      for (guint e = 0; e < G_N_ELEMENTS (eps); e++)
        {
          CsRng rng;
          size_t n = 700 + 900 * (seed % 3), d = 1 + seed % 5, q = 24;
          double scale = seed % 2 ? 2.0 : 30.0, ymin = INFINITY, ymax = -INFINITY;
          double *x = g_new (double, n * d), *y = g_new (double, n), *qs = g_new (double, q * d);
          double *wfull = g_new (double, q * n), *hwa = g_new (double, q * d), *hwb = g_new (double, q * d);
          size_t *self = g_new (size_t, q);
          CsPrediction *pa = g_new0 (CsPrediction, q), *pb = g_new0 (CsPrediction, q), *pd = g_new0 (CsPrediction, q);
          CsAttended *aa = g_new0 (CsAttended, q), *ab = g_new0 (CsAttended, q), *ad = g_new0 (CsAttended, q);
          CsAttention *ctx = NULL;
          CsPredictOptions o;
          CsMetric m;
          double tol = fl ? eps[e] / 2 + 1e-5 : 1e-12;

          cs_rng_seed (&rng, 7000 + seed);
          for (size_t i = 0; i < n * d; i++)
            x[i] = 2 * cs_rng_uniform (&rng) - 1;
          for (size_t i = 0; i < n; i++)
            {
              y[i] = cos (2 * x[i * d]) + 0.3 * cs_rng_uniform (&rng);
              ymin = fmin (ymin, y[i]);
              ymax = fmax (ymax, y[i]);
            }
          for (size_t t = 0; t < q; t++)
            {
              self[t] = t % 3 == 0 ? (size_t) (cs_rng_uniform (&rng) * n) : CS_NO_CASE;
              for (size_t j = 0; j < d; j++)
                qs[t * d + j] = self[t] != CS_NO_CASE ? x[self[t] * d + j] : 2.6 * cs_rng_uniform (&rng) - 1.3;
            }
          g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
          g_assert_cmpint (cs_metric_init_scalar (&m, d, scale), ==, CS_OK);
          g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);

          cs_predict_options_init (&o);
          o.flags = CS_PREDICT_WINDOW | (fl ? CS_PREDICT_FLOAT : 0);
          o.self_index = self;
          o.epsilon = eps[e];
          o.half_width = hwa;
          o.attended = aa;
          o.weights = wfull;            /* every weight asked for: the full pass */
          g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pa), ==, CS_OK);
          o.weights = NULL;             /* the candidates' pass */
          o.half_width = hwb;
          o.attended = ab;
          g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pb), ==, CS_OK);
          o.epsilon = 0;                /* dense, for the quantiles' bracket */
          o.half_width = NULL;
          o.attended = ad;
          g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pd), ==, CS_OK);

          for (size_t t = 0; t < q; t++)
            {
              const CsAttended *a = &aa[t], *b = &ab[t];
              const double *w = wfull + t * n;
              double margin = greedy_margin (w, n, eps[e]), total = 0, lost = fl ? eps[e] / 2 : 0;
              size_t i = 0, j = 0, differing_here;

              for (size_t c = 0; c < n; c++)
                total += w[c];
              /* the same prediction pass: the very same stored values */
              g_assert_true (pa[t].prediction == pb[t].prediction);
              g_assert_cmpfloat (pb[t].weight_dropped, >=, 0.0);
              g_assert_cmpfloat (pb[t].weight_dropped, <=, eps[e] + 1e-12);
              g_assert_cmpfloat (fabs (pb[t].weight_dropped - pa[t].weight_dropped), <=,
                                 lost + 1e-12 + (double) n * DBL_EPSILON);
              g_assert_cmpfloat (fabs (pb[t].weight_sum - 1.0), <=, eps[e] / 2 + 1e-12);
              g_assert_cmpfloat (fabs (pb[t].decomposition_error - pa[t].decomposition_error), <=,
                                 (lost + 1e-5 * fl + eps[e] / 2) * fmax (fabs (ymin), fabs (ymax)) + 1e-12);
              compared++;
              differing_here = differing;
              while (i < a->m || j < b->m)
                {
                  if (i < a->m && j < b->m && a->index[i] == b->index[j])
                    {
                      if (fl)
                        g_assert_cmpfloat (fabs (b->weight[j] / a->weight[i] - 1), <=, tol);
                      else
                        g_assert_true (a->weight[i] == b->weight[j]);
                      i++, j++;
                      continue;
                    }
                  /* a case in one set only: its weight at a bucket edge, or the greedy at its bound */
                  {
                    size_t c = j >= b->m || (i < a->m && a->index[i] < b->index[j]) ? a->index[i++] : b->index[j++];
                    if (!near_power_of_two (w[c] / total, 2 * tol) && !(margin <= 2 * tol))
                      g_error ("seed %u float %u eps %g query %zu: case %zu (w/total %.17g) kept by one pass "
                               "only, greedy margin %g", seed, fl, eps[e], t, c, w[c] / total, margin);
                    differing++;
                  }
                }
              if (!fl && differing == differing_here)
                {
                  /* the same kept cases (none kept by one pass only) with the same weights: the same quantiles,
                   * bit for bit (one quantile function on the very same pairs) */
                  g_assert_true (pa[t].radius90 == pb[t].radius90);
                  for (size_t k = 0; k < d; k++)
                    g_assert_true (hwa[t * d + k] == hwb[t * d + k]);
                }
              check_quantile (x, d, qs + t * d, d, &ad[t], pb[t].weight_dropped + lost + tol, pb[t].radius90,
                              "candidates' radius90");
              for (size_t k = 0; k < d; k++)
                check_quantile (x, d, qs + t * d, k, &ad[t], pb[t].weight_dropped + lost + tol, hwb[t * d + k],
                                "candidates' half-width");
            }
          for (size_t t = 0; t < q; t++)
            {
              cs_attended_clear (&aa[t]);
              cs_attended_clear (&ab[t]);
              cs_attended_clear (&ad[t]);
            }
          cs_metric_clear (&m);
          cs_attention_free (ctx);
          g_free (x); g_free (y); g_free (qs); g_free (wfull); g_free (hwa); g_free (hwb); g_free (self);
          g_free (pa); g_free (pb); g_free (pd); g_free (aa); g_free (ab); g_free (ad);
        }
  cs_kernel_fused_set (prev);
  /* edges are rare: nearly every query's kept set is the full pass's */
  g_assert_cmpuint (differing, <=, compared / 10);
}


/* CS_PREDICT_WEIGHTS_CANDIDATES (the engine's charts' weights): on the double path every case's weight is the
 * full pass's (the same scores and exps, normalised by the first pass's sum; the two passes are different code,
 * the candidates' compacted rows against whole tiles, so within 1e-12 relative, as test_candidates allows), or 0
 * where the full pass gives under epsilon / (2 n); the zeros together weigh under epsilon / 2; the prediction,
 * from the same first pass in both calls, is the same value. */
static void
test_weights_candidates (void)
{
  size_t total_zeros = 0;

  for (guint seed = 1; seed <= 4; seed++)
    {
      CsRng rng;
      size_t n = 900 + 500 * seed, d = 1 + seed % 4, q = 12;
      double eps = seed % 2 ? 1e-6 : 1e-3;
      double *x = g_new (double, n * d), *y = g_new (double, n), *qs = g_new (double, q * d);
      double *wfull = g_new (double, q * n), *wcand = g_new (double, q * n);
      CsPrediction *pa = g_new0 (CsPrediction, q), *pb = g_new0 (CsPrediction, q);
      CsAttended *aa = g_new0 (CsAttended, q), *ab = g_new0 (CsAttended, q);
      size_t zeros = 0;
      CsAttention *ctx = NULL;
      CsPredictOptions o;
      CsMetric m;

      cs_rng_seed (&rng, 9100 + seed);
      for (size_t i = 0; i < n * d; i++)
        x[i] = 2 * cs_rng_uniform (&rng) - 1;
      for (size_t i = 0; i < n; i++)
        y[i] = sin (3 * x[i * d]) + 0.2 * cs_rng_uniform (&rng);
      for (size_t i = 0; i < q * d; i++)
        qs[i] = 2 * cs_rng_uniform (&rng) - 1;
      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      g_assert_cmpint (cs_metric_init_scalar (&m, d, seed % 2 ? 40.0 : 8.0), ==, CS_OK);
      g_assert_cmpint (cs_attention_set_metric (ctx, &m), ==, CS_OK);
      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_WINDOW;
      o.epsilon = eps;
      o.attended = aa;
      o.weights = wfull;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pa), ==, CS_OK);
      o.flags |= CS_PREDICT_WEIGHTS_CANDIDATES;
      o.attended = ab;
      o.weights = wcand;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pb), ==, CS_OK);
      for (size_t t = 0; t < q; t++)
        {
          double zero_mass = 0;
          /* the first pass is the same call: the same prediction, bit for bit */
          g_assert_cmpfloat (pa[t].prediction, ==, pb[t].prediction);
          for (size_t i = 0; i < n; i++)
            if (wcand[t * n + i] == 0 && wfull[t * n + i] != 0)
              {
                g_assert_cmpfloat (wfull[t * n + i], <, eps / (2.0 * (double) n));
                zero_mass += wfull[t * n + i];
                zeros++;
              }
            else
              g_assert_cmpfloat_with_epsilon (wcand[t * n + i], wfull[t * n + i], 1e-12 * wfull[t * n + i]);
          g_assert_cmpfloat (zero_mass, <, eps / 2);
          cs_attended_clear (&aa[t]);
          cs_attended_clear (&ab[t]);
        }
      g_test_message ("seed %u: %zu weights left out as 0", seed, zeros);
      total_zeros += zeros;
      cs_metric_clear (&m);
      cs_attention_free (ctx);
      g_free (x); g_free (y); g_free (qs); g_free (wfull); g_free (wcand);
      g_free (pa); g_free (pb); g_free (aa); g_free (ab);
    }
  /* Narrow windows leave cases out: the candidates' pass ran (scalar metrics: it did not while their borrowed
   * keys had no column maxima, from 291c1d4 until cs_prep_build gave them some) */
  g_assert_cmpuint (total_zeros, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/truncation/random", test_random);
  g_test_add_func ("/cs/model/truncation/sample", test_sample);
  g_test_add_func ("/cs/model/truncation/threads-options", test_threads_and_options);
  g_test_add_func ("/cs/model/truncation/candidates", test_candidates);
  g_test_add_func ("/cs/model/truncation/weights-candidates", test_weights_candidates);
  return g_test_run ();
}
