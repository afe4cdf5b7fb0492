/* cs-pretrain.h: softmax attention pretrained on synthetic tasks, the paper's setting.
 *
 * Collins et al., "In-Context Learning with Transformers: Softmax Attention
 * Adapts to Function Lipschitzness" (arXiv 2402.11639), as specified in
 * docs/model.md sections 3 and 4. Inputs are uniform on the unit sphere
 * S^{d-1}; a task is a function f of Lipschitz constant L:
 *
 *   affine: f(x) = L a^T B^T x + b,        a ~ Unif(S^{k-1}), b ~ U[-1, 1]
 *   relu:   f(x) = L s max(a^T B^T x, 0),  a ~ Unif(S^{k-1}), s ~ Unif{-1, +1}
 *
 * with B = I (k = d) or, for the low-rank variant, a fixed random orthonormal
 * d x k basis B. A prompt holds n context pairs (x_i, y_i = f(x_i) + N(0,
 * sigma^2)) and a query q; the loss is (y_hat(q) - f(q))^2.
 *
 * Softmax attention in the paper's dot form: s_i = x_i^T M q,
 * y_hat = sum_i softmax(s)_i y_i, with M = w I (scalar) or M = M_K^T M_Q
 * (full). Linear attention: y_lin = (1/n) sum_i y_i x_i^T M q.
 *
 * Pure C11, no allocation visible to the caller except the sweep arrays
 * (cs_pretrain_sweep_clear), reentrant, deterministic for a given seed, never
 * aborts: every entry point returns a CsPretrainStatus.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs-rng.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CS_PRETRAIN_MAX_D 8
#define CS_PRETRAIN_MAX_N 100000
/* Seed of the fixed test set used by cs_pretrain_evaluate callers (CLI, tests). */
#define CS_PRETRAIN_TEST_SEED UINT64_C (0x7e57c0de2402)

typedef enum
{
  CS_PRETRAIN_OK = 0,
  CS_PRETRAIN_EINVAL,      /* an argument out of range, NaN or infinite */
  CS_PRETRAIN_ENOMEM,
  CS_PRETRAIN_CANCELLED,   /* the progress callback asked to stop; outputs untouched */
  CS_PRETRAIN_ENUMERIC,    /* a non-finite loss or parameter appeared */
} CsPretrainStatus;

typedef enum
{
  CS_PRETRAIN_AFFINE,
  CS_PRETRAIN_RELU,
  CS_PRETRAIN_N_CLASSES
} CsPretrainClass;

typedef enum
{
  CS_PRETRAIN_SCALAR,      /* M = w I, trained as log w */
  CS_PRETRAIN_FULL,        /* M = M_K^T M_Q, both d x d */
  CS_PRETRAIN_N_METRICS
} CsPretrainMetric;

typedef struct
{
  CsPretrainClass task_class;
  size_t d;                /* 1 .. CS_PRETRAIN_MAX_D */
  size_t n;                /* context size, 1 .. CS_PRETRAIN_MAX_N */
  double L;                /* Lipschitz constant, finite, >= 0 */
  double sigma;            /* label noise sd, finite, >= 0 */
  size_t rank;             /* 0: tasks vary in all d directions; 1..d: only in span(B) */
  uint64_t basis_seed;     /* seed of the random orthonormal B when rank > 0 */
} CsPretrainSpec;

/* Returns 1 if every field is in range (d, n, finite L and sigma, rank <= d). */
int         cs_pretrain_spec_valid   (const CsPretrainSpec *spec);
const char *cs_pretrain_class_name   (CsPretrainClass cls);
int         cs_pretrain_class_from_name (const char *name);   /* -1 when unknown */

/* The d x k basis B (row-major, k = rank or d when rank == 0) with orthonormal
 * columns: the identity for rank 0, else a Gram-Schmidt-orthonormalised
 * Gaussian matrix drawn from spec->basis_seed. */
CsPretrainStatus cs_pretrain_basis   (const CsPretrainSpec *spec,
                                      double               *B);

/* Draw count prompts from rng: x (count * n * d, on the sphere), y (count * n,
 * noisy labels), q (count * d, queries on the sphere), f (count, f(q)), and
 * optionally fx (count * n, the noise-free f(x_i); may be NULL). */
CsPretrainStatus cs_pretrain_draw    (const CsPretrainSpec *spec,
                                      CsRng                *rng,
                                      size_t                count,
                                      double               *x,
                                      double               *y,
                                      double               *q,
                                      double               *f,
                                      double               *fx);

/* Mean softmax-attention loss over the given prompts for a d x d M (row-major),
 * and, when grad is non-NULL, its gradient with respect to M (d x d).
 * Numerically stable for any scale (max-subtracted). */
CsPretrainStatus cs_pretrain_softmax_loss (size_t        count,
                                           size_t        n,
                                           size_t        d,
                                           const double *x,
                                           const double *y,
                                           const double *q,
                                           const double *f,
                                           const double *M,
                                           double       *loss,
                                           double       *grad);

/* Progress: fraction done in [0, 1]; return non-zero to cancel. */
typedef int (*CsPretrainProgress) (double fraction,
                                   void  *user_data);

/* Training stops at convergence, or at the cap of `steps` steps (then
 * result->converged is false).
 *
 * Scalar M = w I: a sample-average search on u = log w. The prompts of one
 * stage are regenerated from a saved RNG state, so every evaluation of the
 * mean gradient d loss / d u uses the same prompts (common random numbers) and
 * the sample loss is a smooth function of u: its minimiser is bracketed
 * (steps of e^1 in w) and refined by Illinois regula falsi on the gradient.
 * The Monte-Carlo standard error of that minimiser, sd (g_i) / (sqrt (P) H)
 * with g_i the per-prompt gradients and H the curvature of the sample loss,
 * decides: when it is above scale_tol the next stage draws enough fresh
 * prompts for it (at least twice as many), warm-started at the previous u. Adam
 * on log w with noisy gradients only creeps towards w* on flat losses (52.8
 * after 3000 steps where w* is about 170, relu d=2 L=16): the search does not.
 *
 * Full M = M_K^T M_Q: the same search on a scalar scale (one stage of
 * search_tasks prompts) gives the starting scale w0, then Adam (learning rate
 * lr relative to the scale sqrt (w0) of M_K and M_Q) on fresh prompts each
 * step, stopped on the smoothed loss: every `window` steps the mean loss of
 * the last two windows is compared with the two windows before; converged when
 * it improved by less than tol (relative) and by less than two standard errors. */
typedef struct
{
  size_t steps;            /* cap: Adam steps (full), or steps * batch prompts for the scalar search (default 20000) */
  size_t batch;            /* fresh prompts per Adam step (default 128) */
  double lr;               /* Adam learning rate, relative to the starting scale (default 1e-2) */
  double init_w;           /* starting scale when search_tasks == 0 (default 1); the search starts here too */
  double init_noise;       /* full: M_K, M_Q = sqrt(w0) (I + init_noise G), G Gaussian (default 0.3) */
  double tail;             /* full: the reported M is the mean of M over the last tail * steps done (default 0.2) */
  size_t search_tasks;     /* prompts of the first search stage; 0: no scale search (default 2048) */
  double scale_tol;        /* scalar: target Monte-Carlo standard error of log w (default 0.02) */
  size_t window;           /* full: steps per window of the smoothed-loss rule (default 100) */
  double tol;              /* full: relative loss improvement over two windows that counts as converged (default 0.005) */
  size_t min_steps;        /* full: no convergence test before this many Adam steps (default 0). The loss is
                            * nearly flat along directions such as the part of M outside a low-rank task
                            * subspace (check C6), so the loss-based rule cannot see their slow decay. */
  uint64_t seed;           /* seed of the task stream and the initial noise */
  CsPretrainProgress progress;
  void *user_data;
} CsPretrainTrainOptions;

void cs_pretrain_train_options_init (CsPretrainTrainOptions *opt);

typedef struct
{
  double M[CS_PRETRAIN_MAX_D * CS_PRETRAIN_MAX_D];  /* d x d row-major (scalar: w I) */
  double w;                /* scalar scale; mean diagonal of M for full */
  double train_loss;       /* scalar: the sample loss at w; full: mean training loss over the averaged tail */
  double log_w_se;         /* scalar: Monte-Carlo standard error of log w (NaN for full) */
  size_t steps;            /* steps done: Adam steps (full) or gradient evaluations of the search (scalar) */
  size_t prompts;          /* prompts drawn in all (the cost) */
  double init_w;           /* full: Adam's starting scale w0 (from the search, or opt->init_w); scalar: opt->init_w */
  bool converged;          /* the stopping rule held before the cap */
} CsPretrainResult;

/* See CsPretrainTrainOptions. On error or cancellation *result is untouched. */
CsPretrainStatus cs_pretrain_train   (const CsPretrainSpec         *spec,
                                      CsPretrainMetric              metric,
                                      const CsPretrainTrainOptions *opt,
                                      CsPretrainResult             *result);

/* Default Monte-Carlo size of cs_pretrain_optimal_w. w* of relu d=2 n=200
 * L=16 sigma=0.5 over seeds 1-4: 168.8-173.9 with 16384 prompts, 168.2-172.7
 * with 32768 (sd about 1 %, 1 s on one core); 4096 prompts gave 146. */
#define CS_PRETRAIN_OPTIMAL_TASKS 32768

typedef struct
{
  size_t tasks;            /* Monte-Carlo prompts, common to every w (default CS_PRETRAIN_OPTIMAL_TASKS) */
  uint64_t seed;           /* their seed */
  double w_min, w_max;     /* coarse log grid range (default 1e-3 .. 1e6, ratio 2) */
  CsPretrainProgress progress;
  void *user_data;
} CsPretrainOptimOptions;

void cs_pretrain_optim_options_init (CsPretrainOptimOptions *opt);

/* Population-optimal scalar w*: the Monte-Carlo loss of M = w I on a log grid
 * of w with common random numbers (coarse ratio 2, then ratio 2^(1/4) within a
 * factor 2 of the coarse minimum), refined by the vertex of the parabola
 * through the three points around the fine minimum, in log w. at_edge (may be
 * NULL) is set when the minimum lies at the end of the range. */
CsPretrainStatus cs_pretrain_optimal_w (const CsPretrainSpec         *spec,
                                        const CsPretrainOptimOptions *opt,
                                        double                       *w_star,
                                        double                       *loss_star,
                                        int                          *at_edge);

/* Best linear-attention M (least squares over `tasks` prompts from seed):
 * scalar (w I) or full d x d. M_out is d x d row-major. */
CsPretrainStatus cs_pretrain_linear_fit (const CsPretrainSpec *spec,
                                         CsPretrainMetric      metric,
                                         size_t                tasks,
                                         uint64_t              seed,
                                         double               *M_out);

/* ICL test error on `tasks` prompts from seed (the same prompts for both):
 * mean (y_hat - f(q))^2 for softmax with M_softmax and linear attention with
 * M_linear. Either M (and its output) may be NULL. */
CsPretrainStatus cs_pretrain_evaluate (const CsPretrainSpec *spec,
                                       const double         *M_softmax,
                                       const double         *M_linear,
                                       size_t                tasks,
                                       uint64_t              seed,
                                       double               *mse_softmax,
                                       double               *mse_linear);

/* Check C6: with P = B B^T the projector on the task subspace (rank > 0),
 * ratio = |M - P M P|_F / |P M P|_F, the mass of M outside the subspace
 * relative to the mass inside. EINVAL when spec->rank == 0. */
CsPretrainStatus cs_pretrain_subspace_ratio (const CsPretrainSpec *spec,
                                             const double         *M,
                                             double               *ratio);

/* The theory window (sigma^2 / (L^2 n))^(1/(d+2)) (docs/model.md section 5),
 * up to a constant. Infinite when L == 0, 0 when sigma == 0. */
double cs_pretrain_theory_window (const CsPretrainSpec *spec);

/* ---- Sweeps for the window-sweep chart ----------------------------------- */

typedef enum
{
  CS_PRETRAIN_SWEEP_L,     /* vary L at the spec's sigma */
  CS_PRETRAIN_SWEEP_SIGMA, /* vary sigma at the spec's L */
} CsPretrainSweepParam;

/* Result of cs_pretrain_sweep: plain arrays of `count` values each, in the
 * order of the input values, owned by the struct (free with
 * cs_pretrain_sweep_clear). The learned window is 1 / sqrt(w*), the attention
 * bandwidth on the sphere (docs/model.md section 1). The theory window is known
 * only up to a constant: `theory` is the raw formula, `theory_fit` the same
 * curve times the constant that best matches `window` in log space (geometric
 * mean of window / theory), which is the line to draw beside the points.
 * For the window-sweep chart (ui/render/cs-charts.h, CsWindowSweepData): run one
 * sweep over L and one over sigma; l = value and window_l = window of the first
 * (sigma_fixed = base->sigma), sigma = value and window_sigma = window of the
 * second (l_fixed = base->L), n = base->n, d = base->d.
 * Slopes are least-squares slopes of log y against log value. */
typedef struct
{
  CsPretrainSweepParam param;
  size_t count;
  double *value;           /* swept L or sigma */
  double *w_star;          /* population-optimal scale */
  double *window;          /* 1 / sqrt(w_star) */
  double *loss;            /* Monte-Carlo loss at w_star */
  double *theory;          /* (sigma^2 / (L^2 n))^(1/(d+2)) */
  double *theory_fit;      /* theory * fitted constant */
  int *at_edge;            /* 1 where w_star hit the grid range */
  double slope_w;          /* d log w* / d log value */
  double slope_window;     /* d log window / d log value */
  double slope_theory;     /* d log theory / d log value: -2/(d+2) (L) or +2/(d+2) (sigma) */
} CsPretrainSweep;

/* w* for each value (each with the same Monte-Carlo seed: common random
 * numbers across the sweep). Values must be finite and > 0. Progress covers
 * the whole sweep. On error the sweep is left empty (count 0, NULL arrays). */
CsPretrainStatus cs_pretrain_sweep   (const CsPretrainSpec         *base,
                                      CsPretrainSweepParam          param,
                                      const double                 *values,
                                      size_t                        count,
                                      const CsPretrainOptimOptions *opt,
                                      CsPretrainSweep              *sweep);
void             cs_pretrain_sweep_clear (CsPretrainSweep *sweep);

/* Least-squares slope of log y against log x (count >= 2, all > 0); NaN otherwise. */
double cs_pretrain_loglog_slope (const double *x,
                                 const double *y,
                                 size_t        count);

const char *cs_pretrain_status_message (CsPretrainStatus status);

#ifdef __cplusplus
}
#endif
