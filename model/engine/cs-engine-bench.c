/* cs-engine-bench.c: casescope-cli bench's measurements: the machine (GEMM and exp rates on the scoring shape)
 * and the engine (prediction and the scalar fit), in one run so that their ratio is what counts. */
#define G_LOG_DOMAIN "cs-engine"

#include "config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>

#include "cs-attention.h"
#include "cs-engine.h"
#include "cs-engine-bench.h"
#include "cs-kernel.h"      /* the engine's own exp kernel, to measure the machine */
#include "cs-rng.h"

static double
now_s (void)
{
  return (double) g_get_monotonic_time () * 1e-6;
}

/* CPU seconds of the calling thread: single-thread rates that a busy machine
 * (other processes on the same cores) does not distort. */
static double
cpu_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static gboolean
bench_fail (CsStatus  st,
            GError  **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", cs_status_message (st));
  return FALSE;
}

void
cs_engine_bench_spec_init (CsEngineBenchSpec *spec)
{
  spec->n = 100000;
  spec->d = 16;
  spec->queries = 1000;
  spec->fit_n = 20000;
  spec->fit_d = 8;
  spec->flagged = TRUE;
  spec->flagged_fit = CS_ENGINE_FIT_NONE;
}

gboolean
cs_engine_bench (const CsEngineBenchSpec *spec,
                 CsEngineBench           *result,
                 GError                 **error)
{
  gint64 n = spec->n, d = spec->d, q = spec->queries, fit_n = spec->fit_n, fit_d = spec->fit_d;
  CsRng rng;
  g_autofree double *x = NULL, *y = NULL, *qs = NULL;
  g_autofree CsPrediction *pred = NULL;
  g_autofree CsTopCase *top = NULL;
  CsAttention *ctx = NULL;
  CsMetric m;
  CsPredictOptions po;
  double gemm_gflops = 0, gemm_pairs, exp_rate = 0, exp_general = 0, roof, pairs_f = 0, pairs_d = 0, pairs_wall = 0, fit_s = 0;
  double fma_rate = 0, machine_roof, pairs_gemm = 0, plain_s = INFINITY, flagged_s = NAN, flagged_build_s = NAN;
  int nthreads = (int) g_get_num_processors ();
  int fit_passes = 0;
  double fit_w = NAN;
  CsStatus st;
  gsize ra;

  if (n < 1 || n > 10000000 || d < 1 || d > 1000 || q < 1 || q > 1000000 || fit_n < 2 || fit_n > 1000000
      || fit_d < 1 || fit_d > 1000)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "sizes out of range");
      return FALSE;
    }
  cs_rng_seed (&rng, 12345);
  x = g_new (double, (gsize) (n * d));
  y = g_new (double, (gsize) n);
  qs = g_new (double, (gsize) (q * d));
  for (gint64 i = 0; i < n * d; i++)
    x[i] = cs_rng_normal (&rng);
  for (gint64 i = 0; i < n; i++)
    y[i] = sin (2 * x[i * d]) + 0.1 * cs_rng_normal (&rng);
  for (gint64 i = 0; i < q * d; i++)
    qs[i] = cs_rng_normal (&rng);
  ra = (gsize) d + 2;
  /* The engine's loops are its own threads; BLAS stays on the calling thread. */
  openblas_set_num_threads (1);

  /* Machine 1: sgemm on the scoring shape, q x n x (d + 2) in tiles, best of 3
   * repetitions and of four tile shapes (the engine uses one of them). */
  for (int shape = 0; shape < 4; shape++)
  {
    const gsize shapes[4][2] = { { 64, 1024 }, { 128, 512 }, { 256, 512 }, { 256, 2048 } };
    gsize qb = shapes[shape][0], cb = shapes[shape][1];
    g_autofree float *A = g_new (float, qb * ra), *B = g_new (float, (gsize) n * ra), *C = g_new (float, qb * cb);
    for (gsize i = 0; i < qb * ra; i++)
      A[i] = (float) cs_rng_normal (&rng);
    for (gsize i = 0; i < (gsize) n * ra; i++)
      B[i] = (float) cs_rng_normal (&rng);
    for (int rep = 0; rep < 3; rep++)
      {
        double t0 = cpu_s (), t;
        gsize done = 0;
        for (gint64 q0 = 0; q0 < q; q0 += (gint64) qb)
          for (gint64 c0 = 0; c0 < n; c0 += (gint64) cb)
            {
              gsize c = (gsize) (n - c0) < cb ? (gsize) (n - c0) : cb;
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) qb, (int) c, (int) ra, 1.0f, A,
                           (int) ra, B + c0 * ra, (int) ra, 0.0f, C, (int) c);
              done += qb * c;
            }
        t = cpu_s () - t0;
        gemm_gflops = fmax (gemm_gflops, 2.0 * (double) ra * (double) done / t * 1e-9);
      }
  }
  gemm_pairs = gemm_gflops * 1e9 / (2.0 * (double) ra);

  /* Machine 2: the engine's fastest vector expf on cache-resident blocks (1024 floats): the general one
   * (cs_kernel_exp_f) and the fused kernel's own base-2 exp (cs_kernel_exp_fused_f, about 3x faster on
   * AVX-512), best of 3 each. Measuring only the general one would make the roofline as lenient as the slower
   * exp: the fused kernel would be held to a machine slower than the one it runs on. */
  {
    gsize cb = 1024, reps = (gsize) fmax (1.0, 2e8 / (double) cb);
    g_autofree float *in = g_new (float, cb), *out = g_new (float, cb);
    for (gsize i = 0; i < cb; i++)
      in[i] = (float) (-20.0 * cs_rng_uniform (&rng));
    for (int which = 0; which < 2; which++)
      for (int rep = 0; rep < 3; rep++)
        {
          double t0 = cpu_s (), t;
          for (gsize r = 0; r < reps; r++)
            {
              in[r % cb] -= 1e-7f;   /* keep the compiler honest */
              if (which == 0)
                cs_kernel_exp_f (in, out, cb);
              else
                cs_kernel_exp_fused_f (in, out, cb);
            }
          t = cpu_s () - t0;
          exp_rate = fmax (exp_rate, (double) (reps * cb) / t);
          if (which == 0)
            exp_general = exp_rate;
        }
  }
  /* the BLAS-based figure as it always was: OpenBLAS's sgemm and the general exp */
  roof = fmin (gemm_pairs, exp_general);

  /* Machine 3: float FMA lanes per second of a register-resident loop at the widest level the CPU has (the
   * same dispatch as the fused kernel), best of 3. With E the exp rate above, a pair costs at least d + 2
   * FMA lanes (its score) and one exp: the machine roofline is 1 / ((d + 2) / F + 1 / E) pairs per second. */
  {
    size_t iters = 20000000 / (size_t) (cs_kernel_isa () == CS_KERNEL_ISA_AVX512 ? 1
                                        : cs_kernel_isa () == CS_KERNEL_ISA_AVX2 ? 2 : 4);
    float sink = 0;
    for (int rep = 0; rep < 3; rep++)
      {
        double t0 = cpu_s (), lanes = cs_kernel_fma_lanes_f (iters, &sink), t = cpu_s () - t0;
        if (!isfinite (sink))
          g_warning ("FMA loop diverged (%g)", (double) sink);
        fma_rate = fmax (fma_rate, lanes / t);
      }
  }
  machine_roof = 1.0 / ((double) ra / fma_rate + 1.0 / exp_rate);

  /* Engine: prediction, float fast path and double, best of 3. */
  st = cs_attention_new (x, y, (size_t) n, (size_t) d, CS_SCORE_DISTANCE, &ctx);
  if (st == CS_OK)
    st = cs_metric_init_scalar (&m, (size_t) d, 0.5);
  if (st == CS_OK)
    {
      st = cs_attention_set_metric (ctx, &m);
      cs_metric_clear (&m);
    }
  if (st != CS_OK)
    {
      cs_attention_free (ctx);
      return bench_fail (st, error);
    }
  pred = g_new (CsPrediction, q);
  top = g_new (CsTopCase, (gsize) q * 10);
  cs_predict_options_init (&po);
  po.top_k = 10;
  po.top = top;
  /* pass 0: float (the fused kernel where it pays), 1: double, 2: float on all threads (wall clock, the plain
   * batch), 3: float through sgemm + softmax, the path the fused kernel replaces. */
  for (int pass = 0; pass < 4; pass++)
    for (int rep = 0; rep < (pass == 1 ? 2 : pass == 0 ? 5 : 3); rep++)
      {
        double t0, t;
        int prev = pass == 3 ? cs_kernel_fused_set (0) : 0;
        po.flags = pass == 1 ? 0 : CS_PREDICT_FLOAT;
        po.n_threads = pass == 2 ? nthreads : 1;
        t0 = pass == 2 ? now_s () : cpu_s ();
        st = cs_attention_predict (ctx, qs, (size_t) q, &po, pred);
        t = (pass == 2 ? now_s () : cpu_s ()) - t0;
        if (pass == 3)
          cs_kernel_fused_set (prev);
        if (st != CS_OK)
          {
            cs_attention_free (ctx);
            return bench_fail (st, error);
          }
        if (pass == 0)
          pairs_f = fmax (pairs_f, (double) n * (double) q / t);
        else if (pass == 1)
          pairs_d = fmax (pairs_d, (double) n * (double) q / t);
        else if (pass == 2)
          {
            pairs_wall = fmax (pairs_wall, (double) n * (double) q / t);
            plain_s = fmin (plain_s, t);
          }
        else
          pairs_gemm = fmax (pairs_gemm, (double) n * (double) q / t);
      }
  cs_attention_free (ctx);
  ctx = NULL;

  /* Engine: the same queries, each with all flags and the window, through the engine (as the window and
   * casescope-cli predict ask for them), against the plain batch above. The engine's build (baselines, not
   * timed in the ratio) uses the bench's metric on the standardised features, so no fit. */
  result->flagged_kept = NAN;
  result->flagged_metric[0] = '\0';
  if (spec->flagged)
    {
      CsCaseBase *base = cs_case_base_new ((gsize) n, (gsize) d);
      CsEngineOptions eo;
      CsEngine *eng;
      CsMetric em;
      CsQueryResult **res;
      double t0;

      memcpy (base->x, x, (gsize) (n * d) * sizeof (double));
      memcpy (base->y, y, (gsize) n * sizeof (double));
      cs_case_base_compute_stats (base);
      cs_metric_init_scalar (&em, (size_t) d, 0.5);
      cs_engine_options_init (&eo);
      eo.fit = (CsEngineFit) spec->flagged_fit;
      if (eo.fit == CS_ENGINE_FIT_NONE)
        {
          eo.metric = &em;
          eo.metric_label = "scalar 0.5 (bench)";
        }
      eo.preferred_window = FALSE;
      t0 = now_s ();
      eng = cs_engine_build_full (base, &eo, NULL, NULL, NULL, error);
      flagged_build_s = now_s () - t0;
      cs_metric_clear (&em);
      cs_case_base_unref (base);
      if (eng == NULL)
        return FALSE;
      t0 = now_s ();
      res = cs_engine_predict (eng, qs, (gsize) q, NULL, 10, NULL, error);
      flagged_s = now_s () - t0;
      g_strlcpy (result->flagged_metric, eng->metric_label, sizeof result->flagged_metric);
      cs_engine_unref (eng);
      if (res == NULL)
        return FALSE;
      result->flagged_kept = 0;
      for (gint64 i = 0; i < q; i++)
        result->flagged_kept += (double) res[i]->n_kept / (double) n / (double) q;
      cs_engine_results_free (res, (gsize) q);
    }

  /* Engine: scalar LOO fit. */
  {
    g_autofree double *fx = g_new (double, (gsize) (fit_n * fit_d)), *fy = g_new (double, (gsize) fit_n);
    CsMetric fm = { 0 };
    CsFitReport rep;
    double t0;
    for (gint64 i = 0; i < fit_n * fit_d; i++)
      fx[i] = cs_rng_normal (&rng);
    for (gint64 i = 0; i < fit_n; i++)
      fy[i] = sin (2 * fx[i * fit_d]) + 0.5 * fx[i * fit_d + (fit_d > 1 ? 1 : 0)] + 0.2 * cs_rng_normal (&rng);
    CsFitOptions fo;
    cs_fit_options_init (&fo);
    fo.n_threads = nthreads;
    st = cs_attention_new (fx, fy, (size_t) fit_n, (size_t) fit_d, CS_SCORE_DISTANCE, &ctx);
    t0 = now_s ();
    if (st == CS_OK)
      st = cs_attention_fit (ctx, &fo, &fm, &rep);
    fit_s = now_s () - t0;
    cs_attention_free (ctx);
    if (st != CS_OK)
      return bench_fail (st, error);
    fit_passes = rep.passes;
    fit_w = fm.scale;
    cs_metric_clear (&fm);
  }


  result->blas_core = openblas_get_corename ();
  result->blas_threads = openblas_get_num_threads ();
  result->threads = nthreads;
  result->gemm_gflops = gemm_gflops;
  result->gemm_pairs = gemm_pairs;
  result->exp_rate = exp_rate;
  result->roofline = roof;
  result->isa = cs_kernel_isa_name (cs_kernel_isa ());
  result->fma_rate = fma_rate;
  result->machine_roofline = machine_roof;
  result->pairs_float_gemm = pairs_gemm;
  result->plain_batch_seconds = plain_s;
  result->flagged_batch_seconds = flagged_s;
  result->flagged_build_seconds = flagged_build_s;
  result->pairs_float = pairs_f;
  result->pairs_double = pairs_d;
  result->pairs_wall = pairs_wall;
  result->fit_seconds = fit_s;
  result->fit_passes = fit_passes;
  result->fit_scale = fit_w;
  return TRUE;
}
