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
