/* cs-cli-pretrain.c: casescope-cli pretrain, softmax attention trained on synthetic tasks (the paper's setting). */
#define G_LOG_DOMAIN "casescope-cli"

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cs-cli.h"
#include "cs-pretrain.h"

#define CMD "pretrain"

/* A finite number in the C locale, the whole string consumed. */
static gboolean
parse_double (const char *option,
              const char *text,
              double     *out)
{
  if (text == NULL || cs_cli_parse_finite (text, out))
    return TRUE;
  cs_cli_usage_error (CMD, "%s expects a finite number, got '%s'", option, text);
  return FALSE;
}

static gboolean
parse_uint (const char *option,
            const char *text,
            guint64     min,
            guint64     max,
            guint64    *out)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, &error))
    {
      cs_cli_usage_error (CMD, "%s expects an integer between %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
                          ", got '%s'", option, min, max, text);
      return FALSE;
    }
  return TRUE;
}

static int
on_progress (double  fraction,
             void   *user_data)
{
  const char *what = user_data;
  fprintf (stderr, "\r%s: %3.0f %%", what, 100 * fraction);
  if (fraction >= 1)
    fputc ('\n', stderr);
  fflush (stderr);
  return 0;
}

static JsonNode *
double_array (const double *v,
              size_t        count)
{
  JsonArray *a = json_array_sized_new (count);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (size_t i = 0; i < count; i++)
    json_array_add_double_element (a, v[i]);
  json_node_take_array (node, a);
  return node;
}

static JsonNode *
matrix_node (const double *M,
             size_t        d)
{
  JsonArray *rows = json_array_sized_new (d);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (size_t a = 0; a < d; a++)
    json_array_add_element (rows, double_array (M + a * d, d));
  json_node_take_array (node, rows);
  return node;
}

static int
lib_fail (CsPretrainStatus st)
{
  g_printerr ("casescope-cli " CMD ": %s\n", cs_pretrain_status_message (st));
  return st == CS_PRETRAIN_EINVAL ? CS_EXIT_USAGE : CS_EXIT_FAILURE;
}

static int
run_sweep (const CsPretrainSpec *spec,
           const char           *param,
           const char           *values_text,
           guint64               tasks,
           guint64               seed,
           gboolean              json)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  CsPretrainOptimOptions opt;
  CsPretrainSweep sw;
  CsPretrainSweepParam p;
  CsPretrainStatus st;

  if (g_strcmp0 (param, "L") == 0)
    p = CS_PRETRAIN_SWEEP_L;
  else if (g_strcmp0 (param, "sigma") == 0)
    p = CS_PRETRAIN_SWEEP_SIGMA;
  else
    return cs_cli_usage_error (CMD, "--sweep must be L or sigma, got '%s'", param);
  if (values_text == NULL)
    return cs_cli_usage_error (CMD, "--sweep needs --values V1,V2,...");
  parts = g_strsplit (values_text, ",", -1);
  for (char **v = parts; *v != NULL; v++)
    {
      double x = 0;
      if (!parse_double ("--values", g_strstrip (*v), &x))
        return CS_EXIT_USAGE;
      if (x <= 0)
        return cs_cli_usage_error (CMD, "--values must be positive, got '%s'", *v);
      g_array_append_val (values, x);
    }
  if (values->len < 1 || values->len > 1000)
    return cs_cli_usage_error (CMD, "--values needs 1 to 1000 numbers");

  cs_pretrain_optim_options_init (&opt);
  opt.tasks = tasks;
  opt.seed = seed;
  if (!json && isatty (STDERR_FILENO))
    {
      opt.progress = on_progress;
      opt.user_data = (void *) "sweep";
    }
  st = cs_pretrain_sweep (spec, p, (const double *) values->data, values->len, &opt, &sw);
  if (st != CS_PRETRAIN_OK)
    return lib_fail (st);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "sweep");
      json_builder_add_string_value (b, param);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, cs_pretrain_class_name (spec->task_class));
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, (gint64) spec->d);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) spec->n);
      json_builder_set_member_name (b, p == CS_PRETRAIN_SWEEP_L ? "sigma" : "L");
      json_builder_add_double_value (b, p == CS_PRETRAIN_SWEEP_L ? spec->sigma : spec->L);
      json_builder_set_member_name (b, "tasks");
      json_builder_add_int_value (b, (gint64) tasks);
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, (gint64) seed);
      json_builder_set_member_name (b, "values");
      json_builder_add_value (b, double_array (sw.value, sw.count));
      json_builder_set_member_name (b, "w_star");
      json_builder_add_value (b, double_array (sw.w_star, sw.count));
      json_builder_set_member_name (b, "window");
      json_builder_add_value (b, double_array (sw.window, sw.count));
      json_builder_set_member_name (b, "loss");
      json_builder_add_value (b, double_array (sw.loss, sw.count));
      json_builder_set_member_name (b, "theory");
      json_builder_add_value (b, double_array (sw.theory, sw.count));
      json_builder_set_member_name (b, "theory_fit");
      json_builder_add_value (b, double_array (sw.theory_fit, sw.count));
      json_builder_set_member_name (b, "slope_w");
      json_builder_add_double_value (b, sw.slope_w);
      json_builder_set_member_name (b, "slope_window");
      json_builder_add_double_value (b, sw.slope_window);
      json_builder_set_member_name (b, "slope_theory");
      json_builder_add_double_value (b, sw.slope_theory);
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("Population-optimal scale w* (%s, d=%zu, n=%zu, %s=%g; %" G_GUINT64_FORMAT " prompts, seed %"
              G_GUINT64_FORMAT ")\n", cs_pretrain_class_name (spec->task_class), spec->d, spec->n,
              p == CS_PRETRAIN_SWEEP_L ? "sigma" : "L", p == CS_PRETRAIN_SWEEP_L ? spec->sigma : spec->L,
              tasks, seed);
      printf ("%10s %10s %10s %12s %12s\n", param, "w*", "window", "theory", "theory_fit");
      for (size_t i = 0; i < sw.count; i++)
        printf ("%10g %10.3f %10.4f %12.4f %12.4f%s\n", sw.value[i], sw.w_star[i], sw.window[i], sw.theory[i],
                sw.theory_fit[i], sw.at_edge[i] ? "  (at the end of the grid)" : "");
      if (sw.count >= 2)
        printf ("log-log slope: w* %.3f, window %.3f, theory %.3f\n", sw.slope_w, sw.slope_window, sw.slope_theory);
    }
  cs_pretrain_sweep_clear (&sw);
  return CS_EXIT_OK;
}

int
cs_cli_pretrain (int    argc,
                 char **argv)
{
  g_autofree char *cls = NULL, *d_text = NULL, *n_text = NULL, *L_text = NULL, *sigma_text = NULL;
  g_autofree char *rank_text = NULL, *metric = NULL, *steps_text = NULL, *seed_text = NULL;
  g_autofree char *tasks_text = NULL, *test_L_text = NULL, *sweep = NULL, *values = NULL;
  gboolean json = FALSE, optimal = FALSE;
  const GOptionEntry entries[] = {
    { "class", 0, 0, G_OPTION_ARG_STRING, &cls, "Task class: affine or relu", "CLASS" },
    { "d", 0, 0, G_OPTION_ARG_STRING, &d_text, "Input dimension (1-8; inputs on the unit sphere)", "D" },
    { "n", 0, 0, G_OPTION_ARG_STRING, &n_text, "Context size (cases per prompt)", "N" },
    { "L", 0, 0, G_OPTION_ARG_STRING, &L_text, "Lipschitz constant of the tasks", "L" },
    { "sigma", 0, 0, G_OPTION_ARG_STRING, &sigma_text, "Label noise standard deviation", "S" },
    { "rank", 0, 0, G_OPTION_ARG_STRING, &rank_text, "Tasks vary only in a random K-dim subspace", "K" },
    { "metric", 0, 0, G_OPTION_ARG_STRING, &metric, "scalar (w I, default) or full (M_K^T M_Q)", "METRIC" },
    { "steps", 0, 0, G_OPTION_ARG_STRING, &steps_text, "Step cap: Adam steps (full M) or STEPS x 128 prompts (scalar search); training stops earlier at convergence (default 20000)", "S" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Seed of the training prompts (default 1)", "X" },
    { "tasks", 0, 0, G_OPTION_ARG_STRING, &tasks_text, "Test prompts (fixed seed; default 4096); Monte-Carlo prompts for --optimal (default 32768) and --sweep (default 4096)", "T" },
    { "test-L", 0, 0, G_OPTION_ARG_STRING, &test_L_text, "Evaluate on tasks with this L instead (transfer, check C7)", "L" },
    { "optimal", 0, 0, G_OPTION_ARG_NONE, &optimal, "Also find the population-optimal scale w* on a grid", NULL },
    { "sweep", 0, 0, G_OPTION_ARG_STRING, &sweep, "Instead of training: w* and the window for each of --values of L or sigma", "L|sigma" },
    { "values", 0, 0, G_OPTION_ARG_STRING, &values, "Comma-separated values for --sweep", "V1,V2,..." },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- pretrain softmax attention on synthetic tasks (the paper's setting)");
  CsPretrainSpec spec;
  CsPretrainMetric m = CS_PRETRAIN_SCALAR;
  CsPretrainTrainOptions topt;
  CsPretrainResult res;
  CsPretrainSpec test_spec;
  guint64 d = 0, n = 0, rank = 0, steps = 0, seed = 1, tasks = 4096;
  double L = NAN, sigma = NAN, test_L = NAN, M_lin[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];
  double mse_soft = NAN, mse_lin = NAN, w_star = NAN, loss_star = NAN, subspace_ratio = NAN;
  int klass, at_edge = 0;
  CsPretrainStatus st;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Tasks f on the unit sphere S^(d-1) with Lipschitz constant L: affine f = L a.x + b, relu\n"
    "f = L s max(a.x, 0); labels y = f(x) + N(0, sigma^2). Adam on fresh prompts each step; the\n"
    "test error is measured on prompts from a fixed seed, for softmax attention and for the\n"
    "best linear attention. Examples (checks C1 and C5 of docs/model.md):\n"
    "  casescope-cli pretrain --class relu --d 2 --n 200 --L 1 --sigma 0.5 --optimal\n"
    "  casescope-cli pretrain --class affine --d 5 --n 200 --L 1 --sigma 0.5 --metric full\n"
    "  casescope-cli pretrain --class relu --d 2 --n 200 --sigma 0.5 --sweep L --values 0.25,1,4,16\n");
  if (!cs_cli_parse (ctx, CMD, &argc, &argv))
    return CS_EXIT_USAGE;
  if (argc > 1)
    return cs_cli_usage_error (CMD, "unexpected argument '%s'", argv[1]);
  if (cls == NULL)
    return cs_cli_usage_error (CMD, "--class is required (affine or relu)");
  klass = cs_pretrain_class_from_name (cls);
  if (klass < 0)
    return cs_cli_usage_error (CMD, "unknown class '%s' (affine or relu)", cls);
  if (d_text == NULL || n_text == NULL)
    return cs_cli_usage_error (CMD, "--d and --n are required");
  if (!parse_uint ("--d", d_text, 1, CS_PRETRAIN_MAX_D, &d)
      || !parse_uint ("--n", n_text, 1, CS_PRETRAIN_MAX_N, &n)
      || !parse_uint ("--rank", rank_text, 1, d, &rank)
      || !parse_uint ("--steps", steps_text, 1, 10000000, &steps)
      || !parse_uint ("--seed", seed_text, 0, G_MAXINT64, &seed)
      || !parse_uint ("--tasks", tasks_text, 1, 10000000, &tasks)
      || !parse_double ("--L", L_text, &L)
      || !parse_double ("--sigma", sigma_text, &sigma)
      || !parse_double ("--test-L", test_L_text, &test_L))
    return CS_EXIT_USAGE;
  if (metric != NULL)
    {
      if (strcmp (metric, "scalar") == 0)
        m = CS_PRETRAIN_SCALAR;
      else if (strcmp (metric, "full") == 0)
        m = CS_PRETRAIN_FULL;
      else
        return cs_cli_usage_error (CMD, "--metric must be scalar or full, got '%s'", metric);
    }
  if (values != NULL && sweep == NULL)
    return cs_cli_usage_error (CMD, "--values needs --sweep");
  if ((sweep == NULL || strcmp (sweep, "L") != 0) && L_text == NULL)
    return cs_cli_usage_error (CMD, "--L is required");
  if ((sweep == NULL || strcmp (sweep, "sigma") != 0) && sigma_text == NULL)
    return cs_cli_usage_error (CMD, "--sigma is required");
  if (L_text != NULL && (L <= 0 || L > 1e6))
    return cs_cli_usage_error (CMD, "--L must be in (0, 1e6], got '%s'", L_text);
  if (sigma_text != NULL && (sigma < 0 || sigma > 1e6))
    return cs_cli_usage_error (CMD, "--sigma must be in [0, 1e6], got '%s'", sigma_text);
  if (test_L_text != NULL && (test_L <= 0 || test_L > 1e6))
    return cs_cli_usage_error (CMD, "--test-L must be in (0, 1e6], got '%s'", test_L_text);

  memset (&spec, 0, sizeof spec);
  spec.task_class = (CsPretrainClass) klass;
  spec.d = d;
  spec.n = n;
  spec.L = isnan (L) ? 1 : L;
  spec.sigma = isnan (sigma) ? 1 : sigma;
  spec.rank = rank;
  spec.basis_seed = seed;
  if (!cs_pretrain_spec_valid (&spec))
    return cs_cli_usage_error (CMD, "invalid task specification");

  if (sweep != NULL)
    {
      if (sigma_text != NULL && strcmp (sweep, "L") == 0 && spec.sigma == 0)
        return cs_cli_usage_error (CMD, "--sweep L needs --sigma > 0");
      return run_sweep (&spec, sweep, values, tasks_text ? tasks : 4096, seed, json);
    }

  cs_pretrain_train_options_init (&topt);
  if (steps_text != NULL)
    topt.steps = steps;
  steps = topt.steps;
  topt.seed = seed;
  if (!json && isatty (STDERR_FILENO))
    {
      topt.progress = on_progress;
      topt.user_data = (void *) "training";
    }
  st = cs_pretrain_train (&spec, m, &topt, &res);
  if (st != CS_PRETRAIN_OK)
    return lib_fail (st);
  st = cs_pretrain_linear_fit (&spec, m, tasks, seed, M_lin);
  if (st != CS_PRETRAIN_OK)
    return lib_fail (st);
  test_spec = spec;
  if (!isnan (test_L))
    test_spec.L = test_L;
  st = cs_pretrain_evaluate (&test_spec, res.M, M_lin, tasks, CS_PRETRAIN_TEST_SEED, &mse_soft, &mse_lin);
  if (st != CS_PRETRAIN_OK)
    return lib_fail (st);
  if (rank > 0)
    {
      st = cs_pretrain_subspace_ratio (&spec, res.M, &subspace_ratio);
      if (st != CS_PRETRAIN_OK)
        return lib_fail (st);
    }
  if (optimal)
    {
      CsPretrainOptimOptions oo;
      cs_pretrain_optim_options_init (&oo);
      /* --tasks sizes the test set; w* keeps its own pinned default unless given. */
      if (tasks_text != NULL)
        oo.tasks = tasks;
      oo.seed = seed;
      st = cs_pretrain_optimal_w (&spec, &oo, &w_star, &loss_star, &at_edge);
      if (st != CS_PRETRAIN_OK)
        return lib_fail (st);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_string_value (b, cs_pretrain_class_name (spec.task_class));
      json_builder_set_member_name (b, "d");
      json_builder_add_int_value (b, (gint64) d);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, (gint64) n);
      json_builder_set_member_name (b, "L");
      json_builder_add_double_value (b, spec.L);
      json_builder_set_member_name (b, "sigma");
      json_builder_add_double_value (b, spec.sigma);
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, (gint64) rank);
      json_builder_set_member_name (b, "metric");
      json_builder_add_string_value (b, m == CS_PRETRAIN_SCALAR ? "scalar" : "full");
      json_builder_set_member_name (b, "max_steps");
      json_builder_add_int_value (b, (gint64) steps);
      json_builder_set_member_name (b, "steps");
      json_builder_add_int_value (b, (gint64) res.steps);
      json_builder_set_member_name (b, "prompts");
      json_builder_add_int_value (b, (gint64) res.prompts);
      json_builder_set_member_name (b, "converged");
      json_builder_add_boolean_value (b, res.converged);
      json_builder_set_member_name (b, "init_w");
      json_builder_add_double_value (b, res.init_w);
      if (m == CS_PRETRAIN_SCALAR)
        {
          json_builder_set_member_name (b, "log_w_se");
          json_builder_add_double_value (b, res.log_w_se);
        }
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, (gint64) seed);
      json_builder_set_member_name (b, "w");
      json_builder_add_double_value (b, res.w);
      json_builder_set_member_name (b, "M");
      json_builder_add_value (b, matrix_node (res.M, d));
      json_builder_set_member_name (b, "window");
      json_builder_add_double_value (b, 1 / sqrt (res.w));
      json_builder_set_member_name (b, "theory_window");
      json_builder_add_double_value (b, cs_pretrain_theory_window (&spec));
      json_builder_set_member_name (b, "train_loss");
      json_builder_add_double_value (b, res.train_loss);
      json_builder_set_member_name (b, "test_L");
      json_builder_add_double_value (b, test_spec.L);
      json_builder_set_member_name (b, "test_tasks");
      json_builder_add_int_value (b, (gint64) tasks);
      json_builder_set_member_name (b, "test_mse_softmax");
      json_builder_add_double_value (b, mse_soft);
      json_builder_set_member_name (b, "test_mse_linear");
      json_builder_add_double_value (b, mse_lin);
      json_builder_set_member_name (b, "M_linear");
      json_builder_add_value (b, matrix_node (M_lin, d));
      if (rank > 0)
        {
          json_builder_set_member_name (b, "subspace_ratio");
          json_builder_add_double_value (b, subspace_ratio);
        }
      if (optimal)
        {
          json_builder_set_member_name (b, "w_star");
          json_builder_add_double_value (b, w_star);
          json_builder_set_member_name (b, "w_star_at_edge");
          json_builder_add_boolean_value (b, at_edge);
        }
      json_builder_end_object (b);
      cs_cli_print_json (json_builder_get_root (b));
    }
  else
    {
      printf ("Pretrained softmax attention: %s tasks, d=%zu, n=%zu, L=%g, sigma=%g%s, %s M, %" G_GUINT64_FORMAT
              " step cap, seed %" G_GUINT64_FORMAT "\n", cs_pretrain_class_name (spec.task_class), spec.d, spec.n,
              spec.L, spec.sigma, rank ? " (low rank)" : "", m == CS_PRETRAIN_SCALAR ? "scalar" : "full", steps, seed);
      if (m == CS_PRETRAIN_SCALAR)
        printf ("  %s after %zu gradient evaluations of the scale search (%zu prompts), Monte-Carlo s.e. of log w %.4f\n",
                res.converged ? "converged" : "NOT converged (step cap reached)", res.steps, res.prompts, res.log_w_se);
      else
        printf ("  %s after %zu Adam steps (%zu prompts; starting scale %.4f)\n",
                res.converged ? "converged" : "NOT converged (step cap reached)", res.steps, res.prompts, res.init_w);
      printf ("  scale w = %.4f%s, window 1/sqrt(w) = %.4f (theory (sigma^2/(L^2 n))^(1/(d+2)) = %.4f, up to a constant)\n",
              res.w, m == CS_PRETRAIN_FULL ? " (mean diagonal)" : "", 1 / sqrt (res.w), cs_pretrain_theory_window (&spec));
      if (m == CS_PRETRAIN_FULL)
        for (size_t a = 0; a < d; a++)
          {
            printf ("  %s", a == 0 ? "M = [" : "      ");
            for (size_t c = 0; c < d; c++)
              printf (" %8.3f", res.M[a * d + c]);
            printf ("%s\n", a + 1 == d ? " ]" : "");
          }
      if (rank > 0)
        printf ("  mass of M outside the task subspace / inside: %.4f\n", subspace_ratio);
      if (optimal)
        printf ("  population-optimal w* = %.4f%s\n", w_star, at_edge ? " (at the end of the grid)" : "");
      printf ("  test MSE at L=%g (%" G_GUINT64_FORMAT " prompts, fixed seed): softmax %.5f, linear attention %.5f\n",
              test_spec.L, tasks, mse_soft, mse_lin);
    }
  return CS_EXIT_OK;
}
