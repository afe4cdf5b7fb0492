/* cs-numeric.c: the model's one SPD solver (LAPACK dposv) and the double comparator. */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "cs-numeric.h"

/* LAPACK through OpenBLAS's Fortran symbol (there is no LAPACKE). The trailing
 * length is gfortran's hidden argument for the CHARACTER uplo: dposv passes uplo
 * on to dpotrf and dpotrs, and a caller that leaves the length out can have its
 * stack overwritten when gfortran turns those calls into tail calls. Passing it
 * is harmless for a callee that does not read it. */
extern void dposv_ (const char *uplo,
                    const int  *n,
                    const int  *nrhs,
                    double     *a,
                    const int  *lda,
                    double     *b,
                    const int  *ldb,
                    int        *info,
                    size_t      uplo_len);

int
cs_spd_solve (size_t        p,
              const double *A,
              const double *b,
              double        ridge,
              double        max_ridge,
              double       *work,
              double       *x,
              double       *ridge_used)
{
  const int n = (int) p, one = 1;
  double s = 0;

  if (p > INT_MAX)
    return -1;
  if (p == 0)
    {
      if (ridge_used != NULL)
        *ridge_used = ridge;
      return 0;
    }
  for (size_t i = 0; i < p; i++)
    s += A[i * p + i];
  s /= (double) p;
  if (!(s > 0) || !isfinite (s))
    s = 1.0;
  for (double rel = ridge; ; rel *= 100)
    {
      double r = rel * s;
      int info = 0;

      if (rel > 0 && r < DBL_MIN)
        r = DBL_MIN;
      memcpy (work, A, p * p * sizeof (double));
      memcpy (x, b, p * sizeof (double));
      for (size_t i = 0; i < p; i++)
        work[i * p + i] += r;
      /* Row-major A is column-major A^T = A: either triangle will do. */
      dposv_ ("L", &n, &one, work, &n, x, &n, &info, 1);
      if (info == 0)
        {
          /* OpenBLAS's dpotrf tests a pivot with <= 0, which NaN passes: a NaN or
           * infinity in A ends up on the factor's diagonal, and no ridge helps */
          for (size_t i = 0; i < p; i++)
            if (!(work[i * p + i] > 0) || !isfinite (work[i * p + i]))
              return -1;
          if (ridge_used != NULL)
            *ridge_used = rel;
          return 0;
        }
      /* info < 0 (a bad argument) is not helped by a larger ridge, nor is a zero
       * ridge by multiplying it; the factor 1 + 1e-9 lets max_ridge = ridge * 100^k
       * allow exactly k retries, though repeated multiplication is not exact */
      if (info < 0 || !(rel > 0) || !(rel * 100 <= max_ridge * (1 + 1e-9)))
        return -1;
    }
}

int
cs_cmp_double (const void *a,
               const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}
