/* test-kernel.c: the explicitly dispatched kernels (cs-kernel.h), at every level the CPU supports: the fused
 * float prediction against the double path and against a direct double computation, and the FMA loop the
 * bench's machine roofline is built on. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cs-attention.h"
#include "cs-kernel.h"
#include "cs-rng.h"

/* Runs body once per level this CPU supports (forced through the internal override, never through the
 * environment), then returns to the best level. */
static int
force_level (int isa)
{
  g_assert_true (cs_kernel_isa_force (isa));
  g_assert_cmpint (cs_kernel_isa (), ==, isa);
  g_test_message ("level %s", cs_kernel_isa_name ((CsKernelIsa) isa));
  return 1;
}

#define FOR_EACH_LEVEL(isa) \
  for (int isa = (int) cs_kernel_isa_best (); isa >= 0 && force_level (isa); isa--)

static double *
random_matrix (CsRng *rng, size_t n, size_t d, double scale)
{
  double *x = g_new (double, n * d);
  for (size_t i = 0; i < n * d; i++)
    x[i] = scale * cs_rng_normal (rng);
  return x;
}

/* CPU seconds of this thread: other processes on the same cores do not bias a rate */
static double
cpu_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static void
test_isa_force (void)
{
  CsKernelIsa best = cs_kernel_isa_best ();

  g_assert_cmpint (cs_kernel_isa (), ==, best);
  if (best < CS_KERNEL_ISA_AVX512)
    g_assert_false (cs_kernel_isa_force ((int) best + 1));   /* a level the CPU lacks is refused */
  g_assert_cmpint (cs_kernel_isa (), ==, best);
  g_assert_true (cs_kernel_isa_force (CS_KERNEL_ISA_BASELINE));
  g_assert_cmpint (cs_kernel_isa (), ==, CS_KERNEL_ISA_BASELINE);
  g_assert_true (cs_kernel_isa_force (-1));
  g_assert_cmpint (cs_kernel_isa (), ==, best);
}

/* The FMA loop: the lanes it claims, a finite result that depends on them, and a rate that grows with the
 * vector width (each level's lanes per second at least those of the level below: wider vectors on the same
 * ports; generous, since the machine may be busy). */
static void
test_fma_lanes (void)
{
  const double width[3] = { 4, 8, 16 };
  double rate[3] = { 0, 0, 0 };

  FOR_EACH_LEVEL (isa)
    {
      float sink = NAN;
      size_t iters = 2000000;
      double lanes = cs_kernel_fma_lanes_f (iters, &sink);
      g_assert_cmpfloat (lanes, ==, (double) iters * 12.0 * width[isa]);
      /* each chain a_{t+1} = a_t b + c from a_0 = 1e-3 (i + 1): a_T = a* + (a_0 - a*) b^T, a* = c / (1 - b).
       * Rounding each step by up to half an ulp of ~0.1 moves the fixed point by up to ~6e-9 / (1 - b), 6 %. */
      {
        double b = 0.999999f, c = 1e-7f, as = c / (1 - b), bt = pow (b, (double) iters), want = 0;
        for (int i = 0; i < 12; i++)
          want += width[isa] * (as + (1e-3f * (float) (i + 1) - as) * bt);
        g_assert_cmpfloat (fabs (sink - want), <=, 0.1 * want);
      }
      for (int rep = 0; rep < 3; rep++)
        {
          double t0 = cpu_s ();
          lanes = cs_kernel_fma_lanes_f (iters, &sink);
          rate[isa] = fmax (rate[isa], lanes / fmax (1e-6, cpu_s () - t0));
        }
      g_test_message ("%s: %.3g FMA lanes/s", cs_kernel_isa_name ((CsKernelIsa) isa), rate[isa]);
    }
  cs_kernel_isa_force (-1);
  for (int isa = 1; isa <= (int) cs_kernel_isa_best (); isa++)
    g_assert_cmpfloat (rate[isa], >, 0.5 * rate[isa - 1]);
}

typedef struct
{
  double m;
  CsKernelSums s;
  int pad;                          /* a stride that is not sizeof (CsKernelSums) + 8 */
} Row;

/* cs_kernel_predict_f on one tile against the same sums in double from the same float inputs, a skip case
 * in some rows, the running maximum moved by a second tile. Bound: the float scores carry ~1e-7 relative
 * error on terms up to |K| |Q| ~ 100, so lambda (s - m) is off by <= ~1e-4 and each e_i by ~1e-4 relative;
 * the exp itself adds 2.5e-7, the sums of ~500 floats ~500 * 6e-8. Sums agree to 1e-3 relative. */
static void
test_predict_tile (void)
{
  for (guint64 seed = 1; seed <= 3; seed++)
    FOR_EACH_LEVEL (isa)
      {
        CsRng rng;
        size_t nq = 7, ra = 3 + 9 * (seed - 1), c = 517;   /* rows not a multiple of 4, a tail of cases */
        float *Q = g_new (float, nq * ra), *K = g_new (float, 2 * c * ra), *y = g_new (float, 2 * c);
        float *S = g_new (float, nq * c), tmax[7];
        size_t skip[7];
        Row rows[7];
        double lambda = 0.7;

        cs_rng_seed (&rng, seed * 31);
        for (size_t i = 0; i < nq * ra; i++)
          Q[i] = (float) cs_rng_normal (&rng);
        for (size_t i = 0; i < 2 * c * ra; i++)
          K[i] = (float) cs_rng_normal (&rng);
        for (size_t i = 0; i < 2 * c; i++)
          y[i] = (float) cs_rng_normal (&rng);
        for (size_t r = 0; r < nq; r++)
          {
            rows[r].m = -INFINITY;
            memset (&rows[r].s, 0, sizeof rows[r].s);
            skip[r] = r % 3 == 0 ? (r * 97) % c : c;
          }
        for (int t = 0; t < 2; t++)
          {
            cs_kernel_predict_f (Q, nq, ra, K + t * c * ra, y + t * c, c, skip, -2.0f, lambda,
                                 &rows[0].m, &rows[0].s, sizeof (Row), S, tmax, NULL, NULL);
            for (size_t r = 0; r < nq; r++)
              {
                double mx = -INFINITY;
                for (size_t j = 0; j < c; j++)
                  {
                    double s = 0;
                    for (size_t k = 0; k < ra; k++)
                      s += (double) Q[r * ra + k] * (double) K[(t * c + j) * ra + k];
                    if (j == skip[r])
                      {
                        g_assert_true (S[r * c + j] == -INFINITY);
                        continue;
                      }
                    /* float dot product of ra terms up to ~10 each */
                    g_assert_cmpfloat (fabs (S[r * c + j] - s), <=, 1e-5 * (double) ra * 10);
                    mx = fmax (mx, S[r * c + j]);
                  }
                g_assert_cmpfloat (tmax[r], ==, (float) mx);   /* the same stored floats: exact */
              }
          }
        /* the reference: both tiles in double from the kernel's own scores of the second call and a
         * recomputation of the first */
        for (size_t r = 0; r < nq; r++)
          {
            double m = -INFINITY, z = 0, zy = 0, zyy = 0, zz = 0, zd = 0;
            for (int pass = 0; pass < 2; pass++)
              for (int t = 0; t < 2; t++)
                for (size_t j = 0; j < c; j++)
                  {
                    double s = 0, e, q;
                    if (j == skip[r])
                      continue;
                    for (size_t k = 0; k < ra; k++)
                      s += (double) Q[r * ra + k] * (double) K[(t * c + j) * ra + k];
                    if (pass == 0)
                      {
                        m = fmax (m, s);
                        continue;
                      }
                    e = exp (lambda * (s - m));
                    q = fmax (0, -2.0 * s);
                    z += e; zy += e * y[t * c + j]; zyy += e * y[t * c + j] * y[t * c + j];
                    zz += e * e; zd += e * sqrt (q);
                  }
            /* the kernel's sums are relative to its own maximum: compare ratios, which do not depend on it */
            g_assert_cmpfloat (fabs (rows[r].m - m), <=, 1e-4 * (fabs (m) + 1));
            g_assert_cmpfloat (fabs (rows[r].s.zy / rows[r].s.z - zy / z), <=, 1e-3 * (fabs (zy / z) + 1));
            g_assert_cmpfloat (fabs (rows[r].s.zyy / rows[r].s.z - zyy / z), <=, 1e-3 * (zyy / z + 1));
            g_assert_cmpfloat (fabs (rows[r].s.zd / rows[r].s.z - zd / z), <=, 1e-3 * (zd / z));
            g_assert_cmpfloat (fabs (rows[r].s.zz / (rows[r].s.z * rows[r].s.z) - zz / (z * z)), <=,
                               1e-3 * zz / (z * z));
          }
        g_free (Q); g_free (K); g_free (y); g_free (S);
      }
  cs_kernel_isa_force (-1);
}

/* The float path through the fused kernel (forced on, so that few queries use it too) against the double
 * path, at each level: plain queries and leave-one-out (the skip case), several sizes (tails of tiles, keys
 * of more than 64 KiB per tile at d = 40), narrow and wide windows. The bound is the float path's own
 * (test-attention.c, test_float_path): scores carry ~1e-6 relative float error on |x|^2 (<= ~1e3 here), so
 * weights are within ~1e-4 relative; the prediction moves by at most that times the outcome range. */
static void
test_fused_against_double (void)
{
  int prev = cs_kernel_fused_set (1);

  for (guint64 seed = 1; seed <= 4; seed++)
    FOR_EACH_LEVEL (isa)
      {
        CsRng rng;
        const size_t dims[4] = { 2, 7, 20, 40 };
        size_t n = 1500 + 777 * seed, d = dims[seed - 1], q = 9 + 5 * seed;
        double *x, *y, *qs, yr = 0;
        CsAttention *ctx;
        CsPrediction *pd = g_new (CsPrediction, q), *pf = g_new (CsPrediction, q);
        CsPrediction *ld = g_new (CsPrediction, n), *lf = g_new (CsPrediction, n);
        CsTopCase *td = g_new (CsTopCase, q * 3), *tf = g_new (CsTopCase, q * 3);
        CsPredictOptions o;
        CsMetric m;

        cs_rng_seed (&rng, seed * 977);
        x = random_matrix (&rng, n, d, 1.0);
        y = random_matrix (&rng, n, 1, 1.0);
        for (size_t i = 0; i < n; i++)
          {
            y[i] = 50 + sin (3 * x[i * d]) + 0.1 * y[i];
            yr = fmax (yr, fabs (y[i] - 50));
          }
        qs = random_matrix (&rng, q, d, 1.0);
        g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
        /* narrow (most e_i tiny: the denormal range) for odd seeds, wide for even ones */
        cs_metric_init_scalar (&m, d, seed % 2 ? 10.0 * (double) d : 0.3);
        cs_attention_set_metric (ctx, &m);
        cs_predict_options_init (&o);
        o.top_k = 3;
        o.top = td;
        g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pd), ==, CS_OK);
        o.flags = CS_PREDICT_FLOAT;
        o.top = tf;
        g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pf), ==, CS_OK);
        cs_predict_options_init (&o);
        g_assert_cmpint (cs_attention_predict_loo (ctx, &o, ld), ==, CS_OK);
        o.flags = CS_PREDICT_FLOAT;
        g_assert_cmpint (cs_attention_predict_loo (ctx, &o, lf), ==, CS_OK);
        for (size_t t = 0; t < q + n; t++)
          {
            CsPrediction *a = t < q ? &pd[t] : &ld[t - q], *b = t < q ? &pf[t] : &lf[t - q];
            g_assert_cmpfloat (fabs (b->prediction - a->prediction), <=, 2e-4 * (yr + 1));
            g_assert_cmpfloat (fabs (b->n_eff - a->n_eff), <=, 1e-3 * a->n_eff);
            g_assert_cmpfloat (fabs (b->mean_distance - a->mean_distance), <=, 1e-3 * (a->mean_distance + 1e-3));
            g_assert_cmpfloat (fabs (b->nearest_distance - a->nearest_distance), <=, 1e-2);
            if (t >= q)
              g_assert_cmpuint (b->nearest_index, !=, t - q);   /* leave-one-out never sees itself */
          }
        for (size_t t = 0; t < q; t++)
          /* the heaviest case's weight (its index may differ only at a near tie) */
          g_assert_cmpfloat (fabs (tf[t * 3].weight - td[t * 3].weight), <=, 1e-3 * td[t * 3].weight + 1e-6);
        cs_metric_clear (&m);
        cs_attention_free (ctx);
        g_free (x); g_free (y); g_free (qs); g_free (pd); g_free (pf); g_free (ld); g_free (lf);
        g_free (td); g_free (tf);
      }
  cs_kernel_isa_force (-1);
  cs_kernel_fused_set (prev);
}

/* The kernel's block bits (cs_kernel_predict_f's thr and above) against its own stored scores: a clear bit
 * means no score of the block is above the row's threshold (the exactness the top-k and nearest scans rely
 * on), a set bit a score above it, or the skip case (marked from its score before it is excluded). Thresholds
 * at -inf, +inf, at a stored score (strict >) and between; a tail of cases in a last, partial block; a tile of
 * more than 64 blocks, whose last bit covers the rest. */
static void
test_predict_above (void)
{
  for (guint64 seed = 1; seed <= 4; seed++)
    FOR_EACH_LEVEL (isa)
      {
        CsRng rng;
        size_t nq = 7, ra = seed == 4 ? 3 : 3 + 9 * (seed - 1), c = seed == 4 ? 4500 : 517;
        float *Q = g_new (float, nq * ra), *K = g_new (float, c * ra), *y = g_new (float, c);
        float *S = g_new (float, nq * c), tmax[7], thr[7];
        size_t skip[7], nb = (c + 63) / 64;
        guint64 above[7];
        Row rows[7];

        cs_rng_seed (&rng, seed * 57);
        for (size_t i = 0; i < nq * ra; i++)
          Q[i] = (float) cs_rng_normal (&rng);
        for (size_t i = 0; i < c * ra; i++)
          K[i] = (float) cs_rng_normal (&rng);
        for (size_t i = 0; i < c; i++)
          y[i] = (float) cs_rng_normal (&rng);
        /* a first call for scores to pick thresholds from */
        for (size_t r = 0; r < nq; r++)
          {
            rows[r].m = -INFINITY;
            memset (&rows[r].s, 0, sizeof rows[r].s);
            skip[r] = r % 2 == 0 ? (r * 131 + seed) % c : c;
          }
        cs_kernel_predict_f (Q, nq, ra, K, y, c, skip, -2.0f, 0.5, &rows[0].m, &rows[0].s, sizeof (Row), S, tmax,
                             NULL, NULL);
        for (size_t r = 0; r < nq; r++)
          {
            size_t j = (r * 977 + 13) % c;
            thr[r] = r == 0 ? -INFINITY : r == 1 ? INFINITY
                     : r == 2 ? tmax[r]                      /* no case above the maximum */
                     : r % 2 == 1 ? S[r * c + j]              /* a stored score: strict > leaves it out */
                     : tmax[r] - 0.3f;                        /* a few blocks */
            if (r % 2 == 1 && j == skip[r])
              thr[r] = tmax[r] - 1.0f;
            above[r] = 0xdeadbeef;   /* overwritten, not or-ed into */
            rows[r].m = -INFINITY;
            memset (&rows[r].s, 0, sizeof rows[r].s);
          }
        cs_kernel_predict_f (Q, nq, ra, K, y, c, skip, -2.0f, 0.5, &rows[0].m, &rows[0].s, sizeof (Row), S, tmax,
                             thr, above);
        for (size_t r = 0; r < nq; r++)
          {
            size_t set = 0;
            for (size_t b = 0; b < 64; b++)
              {
                size_t j0 = b * 64, j1 = b == 63 ? c : j0 + 64;
                int any = 0, has_skip = skip[r] >= j0 && skip[r] < j1, bit = (int) ((above[r] >> b) & 1);
                j1 = j1 < c ? j1 : c;
                for (size_t j = j0; j < j1; j++)
                  any |= S[r * c + j] > thr[r];
                if (b >= nb)
                  g_assert_cmpint (bit, ==, 0);
                else if (has_skip)
                  g_assert_cmpint (bit, >=, any);
                else
                  g_assert_cmpint (bit, ==, any);
                set += (size_t) bit;
              }
            if (r == 0)
              g_assert_cmpuint (set, ==, nb < 64 ? nb : 64);   /* every block has a finite score */
            if (r == 1)
              g_assert_cmpuint (set, ==, 0);
          }
        g_free (Q); g_free (K); g_free (y); g_free (S);
      }
  cs_kernel_isa_force (-1);
}

/* Top-k and nearest case of the fused path, whose scans skip the blocks the kernel leaves unmarked, against a
 * brute-force scan over every case. The base makes every float score exact (integer features whose columns
 * sum to 0 over a power-of-two n, so the mean is exactly 0 and -|x - q|^2 / 2 has a few bits), so ties are true
 * ties on every path: three copies of one vector in tiles 1, 5 and 15 (the last) tie for the nearest, which is
 * the first; the unique best of another query is the very last case; with it excluded (self_index) the next
 * best stands; most tiles hold nothing that enters a top 5. Also against the sgemm float path, which scans
 * every group: the same cases in the same order. */
static void
test_fused_topk_filter (void)
{
  int prev = cs_kernel_fused_set (1);
  const size_t n = 8192, d = 16, q = 8, k = 5, half = 4096;
  double *x = g_new (double, n * d), *y = g_new (double, n), *qs = g_new0 (double, q * d);
  size_t self[8] = { CS_NO_CASE, n - 1, CS_NO_CASE, CS_NO_CASE, CS_NO_CASE, CS_NO_CASE, CS_NO_CASE, 0 };
  const size_t wcopy[3] = { 600, 3000, 8100 };   /* tiles 1, 5, 15; their mirrors 4696, 7096, 4004 */
  CsRng rng;

  cs_rng_seed (&rng, 4242);
  for (size_t i = 0; i < half; i++)
    for (size_t j = 0; j < d; j++)
      {
        x[i * d + j] = (double) ((int) (cs_rng_uniform (&rng) * 5.0) - 2);   /* -2 .. 2 */
        x[(i + half) * d + j] = -x[i * d + j];
      }
  for (size_t j = 0; j < d; j++)
    {
      double u = 3.0, w = j % 2 ? -4.0 : 4.0;
      x[(n - 1) * d + j] = u;            /* the unique best of queries 0 and 6, the last case */
      x[(n - 1 - half) * d + j] = -u;
      for (int t = 0; t < 3; t++)
        {
          size_t i = wcopy[t], mi = i >= half ? i - half : i + half;
          x[i * d + j] = w;
          x[mi * d + j] = -w;
        }
      qs[0 * d + j] = u;
      qs[1 * d + j] = u;                 /* the same query without the last case */
      qs[2 * d + j] = w + (j == 0);      /* at distance 1 from the three copies */
      qs[3 * d + j] = -w + (j == 3);     /* and from their mirrors */
      qs[4 * d + j] = (double) ((int) (cs_rng_uniform (&rng) * 5.0) - 2);
      qs[5 * d + j] = (double) ((int) (cs_rng_uniform (&rng) * 3.0) - 1);
      qs[6 * d + j] = u - 0.5 * (j < 2); /* the last case still the unique best */
      qs[7 * d + j] = x[0 * d + j];      /* itself excluded: its mirror's neighbours */
    }
  for (size_t i = 0; i < n; i++)
    y[i] = x[i * d] + 0.5 * x[i * d + 1];

  FOR_EACH_LEVEL (isa)
    {
      CsAttention *ctx;
      CsMetric m;
      CsPredictOptions o;
      CsPrediction pf[8], pg[8];
      CsTopCase tf[8 * 5], tg[8 * 5];

      g_assert_cmpint (cs_attention_new (x, y, n, d, CS_SCORE_DISTANCE, &ctx), ==, CS_OK);
      cs_metric_init_scalar (&m, d, 0.5);
      cs_attention_set_metric (ctx, &m);
      cs_predict_options_init (&o);
      o.flags = CS_PREDICT_FLOAT;
      o.top_k = k;
      o.top = tf;
      o.self_index = self;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pf), ==, CS_OK);
      cs_kernel_fused_set (0);
      o.top = tg;
      g_assert_cmpint (cs_attention_predict (ctx, qs, q, &o, pg), ==, CS_OK);
      cs_kernel_fused_set (1);

      for (size_t r = 0; r < q; r++)
        {
          /* brute force: squared distances are integers (or quarters), exact in double */
          double *d2 = g_new (double, n), kth;
          size_t best = CS_NO_CASE, *order = g_new (size_t, n), no = 0;
          for (size_t i = 0; i < n; i++)
            {
              double s = 0;
              for (size_t j = 0; j < d; j++)
                s += (x[i * d + j] - qs[r * d + j]) * (x[i * d + j] - qs[r * d + j]);
              d2[i] = s;
              if (i == self[r])
                continue;
              if (best == CS_NO_CASE || s < d2[best])   /* the first of a tie */
                best = i;
              order[no++] = i;
            }
          /* selection of the k smallest d2 (ties by index), enough for k = 5 */
          for (size_t t = 0; t < k; t++)
            for (size_t u = t + 1; u < no; u++)
              if (d2[order[u]] < d2[order[t]] || (d2[order[u]] == d2[order[t]] && order[u] < order[t]))
                {
                  size_t tmp = order[t];
                  order[t] = order[u];
                  order[u] = tmp;
                }
          kth = d2[order[k - 1]];
          g_assert_cmpuint (pf[r].nearest_index, ==, best);
          g_assert_cmpuint (pg[r].nearest_index, ==, best);
          for (size_t t = 0; t < k; t++)
            {
              size_t i = tf[r * k + t].index;
              g_assert_cmpuint (i, <, n);
              g_assert_cmpuint (i, !=, self[r]);
              /* the very same scan on the very same (exact) scores: the same cases in the same order */
              g_assert_cmpuint (i, ==, tg[r * k + t].index);
              /* the k-th distance and above: the brute force's cases; a tie at the k-th may hold any of its cases */
              g_assert_cmpfloat (d2[i], ==, d2[order[t]]);
              if (d2[i] < kth)
                g_assert_cmpuint (i, ==, order[t]);
              for (size_t u = 0; u < t; u++)
                g_assert_cmpuint (tf[r * k + u].index, !=, i);
            }
          g_free (d2);
          g_free (order);
        }
      /* the designed cases, spelled out */
      g_assert_cmpuint (pf[0].nearest_index, ==, n - 1);
      g_assert_cmpuint (tf[0 * k].index, ==, n - 1);
      g_assert_cmpuint (pf[6].nearest_index, ==, n - 1);
      g_assert_cmpuint (pf[1].nearest_index, !=, n - 1);
      g_assert_cmpuint (pf[2].nearest_index, ==, 600);
      g_assert_cmpuint (tf[2 * k + 2].index, ==, 8100);   /* the last tile's copy of the three-way tie */
      g_assert_cmpuint (pf[3].nearest_index, ==, 4004);
      cs_metric_clear (&m);
      cs_attention_free (ctx);
    }
  cs_kernel_isa_force (-1);
  cs_kernel_fused_set (prev);
  g_free (x); g_free (y); g_free (qs);
}

/* The candidates' marks (cs_kernel_mark_above_d/_f) against a case-by-case test: every length around the
 * 64-case words, -inf and ties at the threshold, bits or-ed into what the mask held. */
static void
test_mark_above (void)
{
  CsRng rng;

  cs_rng_seed (&rng, 4242);
  for (size_t c = 1; c <= 300; c += (c < 140 ? 1 : 37))
    for (int rep = 0; rep < 3; rep++)
      {
        double *sd = g_new (double, c);
        float *sf = g_new (float, c);
        size_t nw = (c + 63) / 64;
        guint64 *md = g_new (guint64, nw), *mf = g_new (guint64, nw), *pre = g_new (guint64, nw);
        double t = rep == 0 ? -INFINITY : rep == 1 ? 0.5 : 0.25;

        for (size_t i = 0; i < c; i++)
          {
            double u = cs_rng_uniform (&rng);
            sd[i] = i % 7 == 3 ? -INFINITY : i % 11 == 5 ? t : (double) (float) u;
            sf[i] = (float) sd[i];
          }
        for (size_t w = 0; w < nw; w++)
          pre[w] = md[w] = mf[w] = cs_rng_uniform (&rng) < 0.3 ? (guint64) 1 << (w % 64) : 0;
        cs_kernel_mark_above_d (sd, c, t, md);
        cs_kernel_mark_above_f (sf, c, (float) t, mf);
        for (size_t i = 0; i < nw * 64; i++)
          {
            int was = (int) ((pre[i / 64] >> (i % 64)) & 1);
            int want = was || (i < c && sd[i] > t);
            g_assert_cmpint ((int) ((md[i / 64] >> (i % 64)) & 1), ==, want);
            g_assert_cmpint ((int) ((mf[i / 64] >> (i % 64)) & 1), ==, was || (i < c && sf[i] > (float) t));
          }
        g_free (sd); g_free (sf); g_free (md); g_free (mf); g_free (pre);
      }
}

/* The fused kernel's exp on its own, at each level's vector path: scores that float holds exactly (one probe
 * case at v, the maximum at 0, the rest far below), lambda = ln 2 so that lambda log2 e rounds to 1 and the
 * exponent is v itself, and y = 1 at the probe only, so zy is the probe's e with nothing added but zeros.
 * It must be exp (lambda v) = 2^v to the 2.5e-7 that cs-kernel.h promises for the float exp (a reduction that
 * lost f's exactness to reassociation was off by 2e-6), down to v = -125, and exactly 0 below the clamp. */
static void
test_predict_exp (void)
{
  FOR_EACH_LEVEL (isa)
    {
      CsRng rng;
      size_t nq = 301, ra = 2, c = 64, probe = 21, top = 40;
      float *Q = g_new (float, nq * ra), K[64 * 2], y[64], *S = g_new (float, nq * c), *tmax = g_new (float, nq);
      Row *rows = g_new0 (Row, nq);
      double worst = 0;

      cs_rng_seed (&rng, 77 + (guint64) isa);
      for (size_t j = 0; j < c; j++)
        {
          K[j * ra] = j == probe ? 1.0f : 0.0f;
          K[j * ra + 1] = j == probe || j == top ? 0.0f : -1000.0f;
          y[j] = j == probe ? 1.0f : 0.0f;
        }
      for (size_t r = 0; r < nq; r++)
        {
          /* v in [-125, 0], and 5 rows past the clamp (-150 and below: e = 0) */
          Q[r * ra] = r < nq - 5 ? (float) (-125.0 * cs_rng_uniform (&rng)) : -150.0f - 100.0f * (float) r;
          Q[r * ra + 1] = 1.0f;
          rows[r].m = -INFINITY;
        }
      cs_kernel_predict_f (Q, nq, ra, K, y, c, NULL, -2.0f, M_LN2, &rows[0].m, &rows[0].s, sizeof (Row), S,
                           tmax, NULL, NULL);
      for (size_t r = 0; r < nq; r++)
        {
          double want = exp2 ((double) Q[r * ra]);
          g_assert_cmpfloat (rows[r].m, ==, 0.0);   /* the top case's score, exactly 0 in float */
          if (r >= nq - 5)
            g_assert_cmpfloat (rows[r].s.zy, ==, 0.0);
          else
            worst = fmax (worst, fabs (rows[r].s.zy / want - 1));
        }
      g_test_message ("largest relative error %.3g", worst);
      g_assert_cmpfloat (worst, <=, 2.5e-7);
      g_free (Q); g_free (S); g_free (tmax); g_free (rows);
    }
  cs_kernel_isa_force (-1);
}

/* The fused kernel's exp on a block (the roofline's exp rate is measured on it): e^x at each level, over x in
 * [-80, 0] and the vector tails, to the polynomial's 2.5e-7 plus the rounding of u = x log2 e in float (log2 e
 * rounded to float and the product rounded: up to |u| 2^-23 in the exponent, so |x| 2^-23 relative in the
 * result, 9.5e-6 at -80; the fused kernel's exponent takes the same roundings), and 0 far below. */
static void
test_exp_fused (void)
{
  FOR_EACH_LEVEL (isa)
    {
      size_t n = 1003;
      float *x = g_new (float, n), *y = g_new (float, n);
      double worst = 0;

      for (size_t i = 0; i < n; i++)
        x[i] = i + 3 < n ? -80.0f * (float) i / (float) n : -200.0f - (float) i;
      cs_kernel_exp_fused_f (x, y, n);
      for (size_t i = 0; i + 3 < n; i++)
        worst = fmax (worst, fabs (y[i] / exp ((double) x[i]) - 1) / (2.5e-7 + fabs ((double) x[i]) * 0x1p-23));
      for (size_t i = n - 3; i < n; i++)
        g_assert_cmpfloat (y[i], ==, 0.0f);
      g_test_message ("largest relative error over its bound %.3g", worst);
      g_assert_cmpfloat (worst, <=, 1.0);
      g_free (x);
      g_free (y);
    }
  cs_kernel_isa_force (-1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cs/model/kernel/isa-force", test_isa_force);
  g_test_add_func ("/cs/model/kernel/fma-lanes", test_fma_lanes);
  g_test_add_func ("/cs/model/kernel/predict-tile", test_predict_tile);
  g_test_add_func ("/cs/model/kernel/fused-against-double", test_fused_against_double);
  g_test_add_func ("/cs/model/kernel/predict-above", test_predict_above);
  g_test_add_func ("/cs/model/kernel/mark-above", test_mark_above);
  g_test_add_func ("/cs/model/kernel/fused-topk-filter", test_fused_topk_filter);
  g_test_add_func ("/cs/model/kernel/predict-exp", test_predict_exp);
  g_test_add_func ("/cs/model/kernel/exp-fused", test_exp_fused);
  return g_test_run ();
}
