/* cs-numeric.h: small numeric helpers shared by the model's files (internal, not API, not installed). */
#pragma once

#include <stddef.h>

/* Solve (A + r I) x = b for a symmetric p x p matrix A (row-major, both
 * triangles set; only one is read) by a Cholesky factorisation: LAPACK's
 * dposv from OpenBLAS.
 *
 * The ridge is relative: r = ridge * s, with s the mean of A's diagonal (1 when
 * that is not positive and finite), and never below DBL_MIN, so that a positive
 * ridge stays positive when A is tiny; ridge 0 adds nothing. When A + r I is not
 * positive definite to working precision, the ridge is multiplied by 100 and the
 * factorisation tried again, for as long as the relative ridge stays at most
 * max_ridge: max_ridge <= ridge asks for exactly one try (a failure when A + r I
 * is not SPD), a large max_ridge for a solution whatever the conditioning.
 *
 * A and b are left as they are; work (p * p doubles, not overlapping A) receives
 * the factor and x (p, not overlapping b) the solution. Returns 0 on success, or
 * -1 when no ridge tried gave a positive definite matrix, when A holds NaN or
 * infinity (in the triangle read), or when p is too large for LAPACK's int; x is
 * then unspecified. b is not checked: NaN in b gives NaN in x. *ridge_used (may
 * be NULL) is the relative ridge of the successful try. */
int cs_spd_solve (size_t        p,
                  const double *A,
                  const double *b,
                  double        ridge,
                  double        max_ridge,
                  double       *work,
                  double       *x,
                  double       *ridge_used);

/* qsort comparator for doubles in increasing order (NaN compares equal to
 * everything: callers sort finite values only). */
int cs_cmp_double (const void *a,
                   const void *b);

/* Softmax truncation with a stated bound: the cases that carry all but at
 * most a fraction eps of the total weight.
 *
 * w holds n non-negative weights (any total; NaN and negative entries are
 * dropped). Weights are grouped by their binary exponent relative to the total
 * (bucket k holds w / total in [2^-(k+1), 2^-k)), and whole buckets are dropped
 * from the lightest up for as long as the dropped weight stays at most
 * eps x total; a kept case therefore weighs at least half as much as the
 * heaviest dropped one, so the kept set is the smallest one with that bound to
 * within a factor of two in weight. Renormalising a weighted mean over the kept
 * cases moves it by at most dropped x (max y - min y).
 *
 * eps <= 0 keeps every case with a positive weight (the dense result). keep
 * (n entries, may alias nothing) receives the kept indices in increasing
 * order; returns their count. *dropped (may be NULL) receives the dropped
 * weight as a fraction of the total (0 when the total is not positive). O(n),
 * two passes, no allocation. */
size_t cs_weights_keep (const double *w,
                        size_t        n,
                        double        eps,
                        size_t       *keep,
                        double       *dropped);

/* cs_weights_keep over part of a weight vector: rest (>= 0) is the weight of the cases not in w, each of
 * which must carry less than eps / (2 N) of the whole (N the whole vector's length; the greedy above drops
 * every such case, see cand_threshold in cs-attention.c). The total is sum w + rest, the dropped share starts
 * at rest, and the cases kept from w are those cs_weights_keep keeps of the whole vector. rest = 0 is
 * cs_weights_keep. */
size_t cs_weights_keep_rest (const double *w,
                             size_t        n,
                             double        rest,
                             double        eps,
                             size_t       *keep,
                             double       *dropped);

/* The mean of a_k - b_k over m paired values (squared errors of two fits on the same cases, say), and in *se the
 * standard error of that mean, sqrt (s^2 / m) with s^2 the sample variance (0 for m = 1); two passes. The paired
 * tests that compare two fits: cs_attention_fit's category selection, the engine's automatic metric. */
double cs_paired_difference (const double *a,
                             const double *b,
                             size_t        m,
                             double       *se);
