/* cs-engine-bench.h: the machine and the engine measured in the same run (casescope-cli bench). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 n, d, queries;            /* prediction benchmark: cases, features, queries */
  gint64 fit_n, fit_d;             /* scalar leave-one-out fit benchmark */
  gboolean flagged;                /* default TRUE: time the queries with all flags and the window too */
  int flagged_fit;                 /* CsEngineFit of the flagged batch's engine: CS_ENGINE_FIT_NONE (default) keeps
                                    * the bench's fixed metric (scalar 0.5 on the standardised features); scalar or
                                    * diagonal fit the window by leave-one-out on the bench's base, as a front end
                                    * would (that fit's time goes into flagged_build_seconds, not the ratio) */
} CsEngineBenchSpec;

typedef struct
{
  const char *blas_core;           /* OpenBLAS's kernel name */
  int blas_threads;
  int threads;                     /* engine threads (one per processor) */
  double gemm_gflops;              /* single-precision GEMM on the scoring shape, best tiling, one thread */
  double gemm_pairs;               /* the same as query-case pairs per second */
  double exp_rate;                 /* the engine's vector expf, cache-resident, per second */
  double roofline;                 /* min (gemm_pairs, exp_rate): the old, BLAS-based figure */
  const char *isa;                 /* the kernels' dispatch level: "avx512", "avx2", "baseline" */
  double fma_rate;                 /* F: float FMA lanes per second, register-resident, widest level, one thread */
  double machine_roofline;         /* 1 / ((d + 2) / F + 1 / exp_rate) pairs per second */
  double pairs_float_gemm;         /* float path through sgemm + softmax (fused kernel off), one thread */
  double plain_batch_seconds;      /* the queries, float, batched, all threads (wall; best of 3) */
  double flagged_batch_seconds;    /* the same queries with all flags and the window (cs_engine_predict), NaN
                                    * when not measured */
  double flagged_build_seconds;    /* the engine build before it (baselines; not in the ratio) */
  double flagged_kept;             /* mean share of the cases in a flagged query's attended set (truncation) */
  char flagged_metric[96];         /* the flagged engine's metric label (its metric_label); empty: none */
  double pairs_float;              /* float fast path, one thread (CPU time) */
  double pairs_double;             /* double precision, one thread (CPU time) */
  double pairs_wall;               /* float, all threads, wall clock */
  double fit_seconds;
  int fit_passes;
  double fit_scale;
} CsEngineBench;

void     cs_engine_bench_spec_init (CsEngineBenchSpec       *spec);
/* FALSE with error when the sizes are out of range or the engine fails. */
gboolean cs_engine_bench           (const CsEngineBenchSpec *spec,
                                    CsEngineBench           *out,
                                    GError                 **error);

G_END_DECLS
