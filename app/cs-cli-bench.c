/* cs-cli-bench.c: casescope-cli bench, the machine and the engine measured in the same run (model/engine). */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <stdio.h>

#include "cs-cli.h"
#include "cs-engine.h"
#include "cs-engine-bench.h"

int
cs_cli_bench (int    argc,
              char **argv)
{
  CsEngineBenchSpec spec;
  CsEngineBench r;
  gboolean json = FALSE, no_flagged = FALSE;
  g_autofree char *flagged_window = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) oc = g_option_context_new ("- measure the machine and the engine in the same run");

  cs_engine_bench_spec_init (&spec);
  {
    const GOptionEntry entries[] = {
      { "n", 0, 0, G_OPTION_ARG_INT64, &spec.n, "Cases for prediction (default 100000)", "N" },
      { "d", 0, 0, G_OPTION_ARG_INT64, &spec.d, "Features (default 16)", "D" },
      { "queries", 0, 0, G_OPTION_ARG_INT64, &spec.queries, "Queries (default 1000)", "Q" },
      { "fit-n", 0, 0, G_OPTION_ARG_INT64, &spec.fit_n, "Cases for the scalar LOO fit (default 20000)", "N" },
      { "fit-d", 0, 0, G_OPTION_ARG_INT64, &spec.fit_d, "Features for the LOO fit (default 8)", "D" },
      { "no-flagged", 0, 0, G_OPTION_ARG_NONE, &no_flagged,
        "Skip the batch with all flags and the window (and the engine build it needs)", NULL },
      { "flagged-window", 0, 0, G_OPTION_ARG_STRING, &flagged_window,
        "The flagged batch's window: bench (default: scalar 0.5 on the standardised features), auto, scalar or diagonal "
        "(fitted by leave-one-out on the bench's base, as casescope-cli fit --metric does)", "KIND" },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
      { NULL }
    };
    g_option_context_add_main_entries (oc, entries, NULL);
  }
  g_option_context_set_description (oc,
    "Machine: peak single-precision GEMM rate on the scoring shape (queries x cases x\n"
    "(d + 2), best of four tilings), and the engine's vector expf rate on cache-resident\n"
    "blocks.\n"
    "Machine roofline: 1 / ((d + 2) / F + 1 / E) pairs per second, with F the float FMA\n"
    "lanes per second of a register-resident FMA loop at the widest vector level the CPU\n"
    "has (AVX-512, AVX2+FMA or SSE2, chosen at run time) and E the engine's expf rate in\n"
    "L1: a pair needs d + 2 FMA lanes for its score and one exp.\n"
    "BLAS roofline (the old figure, beside it): min(GEMM rate / (2 (d + 2)) flops per\n"
    "pair, exp rate), which measures against the kernel OpenBLAS picked, not the machine.\n"
    "Engine: query-case pairs per second of the float fast path (top 10, all per-query\n"
    "statistics except the second window pass), and a double-precision run for reference.\n"
    "Machine and engine rates are single-thread CPU-time rates (BLAS on one thread), so\n"
    "other load on the machine does not bias the ratio; the threaded prediction and the\n"
    "LOO fit (one engine thread per processor) are wall-clock.\n"
    "Batches: the queries' plain float prediction on all threads, and the same queries\n"
    "each with all flags and the window through the engine (after an engine build with\n"
    "the bench's metric, whose time is shown but not in the ratio); wall-clock.\n");
  if (!cs_cli_parse (oc, "bench", &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc > 1)
    return cs_cli_usage_error ("bench", "unexpected argument '%s'", argv[1]);
  spec.flagged = !no_flagged;
  if (flagged_window == NULL || g_strcmp0 (flagged_window, "bench") == 0)
    spec.flagged_fit = CS_ENGINE_FIT_NONE;
  else
    {
      CsEngineFit fit;
      /* the engine's names (auto, scalar, diagonal), as fit --metric takes them */
      if (!cs_engine_fit_from_name (flagged_window, &fit) || fit == CS_ENGINE_FIT_FULL)
        return cs_cli_usage_error ("bench", "--flagged-window must be bench, auto, scalar or diagonal, not '%s'",
                                   flagged_window);
      spec.flagged_fit = fit;
    }
  if (!cs_engine_bench (&spec, &r, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        return cs_cli_usage_error ("bench", "%s", error->message);
      g_printerr ("casescope-cli bench: %s\n", error->message);
      return CS_EXIT_FAILURE;
    }
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, spec.n);
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, spec.d);
      json_builder_set_member_name (b, "queries");
      json_builder_add_int_value (b, spec.queries);
      json_builder_set_member_name (b, "blas_core");
      json_builder_add_string_value (b, r.blas_core);
      json_builder_set_member_name (b, "blas_threads");
      json_builder_add_int_value (b, r.blas_threads);
      cs_json_add_number (b, "gemm_gflops", r.gemm_gflops);
      cs_json_add_number (b, "exp_per_second", r.exp_rate);
      cs_json_add_number (b, "roofline_pairs_per_second", r.roofline);
      cs_json_add_number (b, "pairs_per_second", r.pairs_float);
      cs_json_add_number (b, "pairs_per_second_double", r.pairs_double);
      json_builder_set_member_name (b, "threads");
      json_builder_add_int_value (b, r.threads);
      cs_json_add_number (b, "pairs_per_second_wall", r.pairs_wall);
      cs_json_add_number (b, "ratio", r.pairs_float / r.roofline);
      json_builder_set_member_name (b, "kernel_isa");
      json_builder_add_string_value (b, r.isa);
      cs_json_add_number (b, "fma_lanes_per_second", r.fma_rate);
      cs_json_add_number (b, "machine_roofline_pairs_per_second", r.machine_roofline);
      cs_json_add_number (b, "machine_ratio", r.pairs_float / r.machine_roofline);
      cs_json_add_number (b, "pairs_per_second_gemm_path", r.pairs_float_gemm);
      cs_json_add_number (b, "plain_batch_seconds", r.plain_batch_seconds);
      if (spec.flagged)
        {
          cs_json_add_number (b, "flagged_batch_seconds", r.flagged_batch_seconds);
          cs_json_add_number (b, "flagged_over_plain", r.flagged_batch_seconds / r.plain_batch_seconds);
          cs_json_add_number (b, "flagged_build_seconds", r.flagged_build_seconds);
          cs_json_add_number (b, "flagged_kept", r.flagged_kept);
          json_builder_set_member_name (b, "flagged_metric");
          json_builder_add_string_value (b, r.flagged_metric);
        }
      cs_json_add_number (b, "loo_fit_seconds", r.fit_seconds);
      json_builder_set_member_name (b, "loo_fit_passes");
      json_builder_add_int_value (b, r.fit_passes);
      json_builder_set_member_name (b, "loo_fit_n");
      json_builder_add_int_value (b, spec.fit_n);
      json_builder_set_member_name (b, "loo_fit_d");
      json_builder_add_int_value (b, spec.fit_d);
      cs_json_add_number (b, "loo_fit_scale", r.fit_scale);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("machine (OpenBLAS core %s, %d thread(s)):\n", r.blas_core, r.blas_threads);
      printf ("  sgemm on the scoring shape (q x n x %" G_GINT64_FORMAT ", best tiling): %.1f GFLOP/s = %.3g pairs/s\n",
              spec.d + 2, r.gemm_gflops, r.gemm_pairs);
      printf ("  %-46s %.3g /s\n", "vector expf E (cache-resident):", r.exp_rate);
      {
        g_autofree char *fma = g_strdup_printf ("float FMA F, register-resident (%s):", r.isa);
        printf ("  %-46s %.3g lanes/s\n", fma, r.fma_rate);
      }
      printf ("  %-46s %.3g pairs/s\n", "machine roofline 1 / ((d + 2) / F + 1 / E):", r.machine_roofline);
      printf ("  %-46s %.3g pairs/s (old figure)\n", "BLAS roofline min(GEMM-bound, exp-bound):", r.roofline);
      printf ("engine, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " queries:\n",
              spec.n, spec.d, spec.queries);
      printf ("  float fast path:  %.3g pairs/s = %.1f %% of the machine roofline (%.1f %% of the BLAS one)\n",
              r.pairs_float, 100.0 * r.pairs_float / r.machine_roofline, 100.0 * r.pairs_float / r.roofline);
      printf ("  float, sgemm + softmax (no fused kernel): %.3g pairs/s\n", r.pairs_float_gemm);
      printf ("  double precision: %.3g pairs/s = %.1f %% of the machine roofline\n", r.pairs_double,
              100.0 * r.pairs_double / r.machine_roofline);
      printf ("  float, %d threads, wall clock: %.3g pairs/s (plain batch %.3f s)\n", r.threads, r.pairs_wall,
              r.plain_batch_seconds);
      if (spec.flagged)
        printf ("  all flags and the window, through the engine: %.3f s = %.2f x the plain batch"
                " (engine build %.1f s; window %s, %.2f %% of the cases kept)\n",
                r.flagged_batch_seconds, r.flagged_batch_seconds / r.plain_batch_seconds, r.flagged_build_seconds,
                r.flagged_metric, 100.0 * r.flagged_kept);
      printf ("scalar leave-one-out fit, n = %" G_GINT64_FORMAT ", d = %" G_GINT64_FORMAT
              ", %d threads: %.2f s wall, %d passes (w = %.4g)\n",
              spec.fit_n, spec.fit_d, r.threads, r.fit_seconds, r.fit_passes, r.fit_scale);
    }
  return CS_EXIT_OK;
}
