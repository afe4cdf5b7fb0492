/* cs-numeric.c: the model's one SPD solver (LAPACK dposv), the double comparator and softmax truncation. */
#include "config.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
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

/* Buckets by binary exponent of w / total: 0 .. 1074 covers every double
 * ratio down to the smallest subnormal; lighter ones share the last bucket. */
#define CS_KEEP_BUCKETS 1076

static inline size_t
keep_bucket (double r)
{
  int e;

  if (!(r > 0))
    return CS_KEEP_BUCKETS;                  /* not kept, not counted */
  if (r >= DBL_MIN && r <= DBL_MAX)
    {
      /* a positive normal r is m 2^(E - 1023) with m in [1, 2): frexp's e is E - 1022, read from the bits (the
       * libm call was a fifth of a flagged query's window pass) */
      uint64_t bits;
      memcpy (&bits, &r, sizeof bits);
      e = (int) ((bits >> 52) & 0x7ff) - 1022;
    }
  else
    (void) frexp (r, &e);                    /* subnormal or infinite: r in [2^(e-1), 2^e) */
  if (e > 0)
    return 0;
  return (size_t) -e < CS_KEEP_BUCKETS - 1 ? (size_t) -e : CS_KEEP_BUCKETS - 1;
}

size_t
cs_weights_keep (const double *w,
                 size_t        n,
                 double        eps,
                 size_t       *keep,
                 double       *dropped)
{
  return cs_weights_keep_rest (w, n, 0.0, eps, keep, dropped);
}

size_t
cs_weights_keep_rest (const double *w,
                      size_t        n,
                      double        rest,
                      double        eps,
                      size_t       *keep,
                      double       *dropped)
{
  double sums[CS_KEEP_BUCKETS] = { 0 };
  double total = 0, cum = 0;
  size_t last = CS_KEEP_BUCKETS - 1, m = 0;

  for (size_t i = 0; i < n; i++)
    if (w[i] > 0)
      total += w[i];
  /* the cases outside w sit in the lightest buckets, which the greedy below drops whole before it
   * reaches any bucket it keeps: counting them first changes none of its decisions */
  if (rest > 0 && eps > 0)
    {
      total += rest;
      cum = rest;
    }
  if (dropped != NULL)
    *dropped = 0;
  if (!(total > 0) || !isfinite (total))
    {
      /* nothing to measure a fraction against: keep what has weight */
      for (size_t i = 0; i < n; i++)
        if (w[i] > 0)
          keep[m++] = i;
      return m;
    }
  if (eps > 0)
    {
      for (size_t i = 0; i < n; i++)
        {
          size_t b = keep_bucket (w[i] / total);
          if (b < CS_KEEP_BUCKETS)
            sums[b] += w[i];
        }
      size_t top = 0;

      while (top < CS_KEEP_BUCKETS - 1 && sums[top] == 0)
        top++;
      /* drop whole buckets from the lightest while the bound holds; the
       * heaviest non-empty bucket always stays, so a prediction keeps cases
       * even when eps >= 1 */
      last = top;
      for (size_t b = CS_KEEP_BUCKETS - 1; b > top; b--)
        {
          if (cum + sums[b] > eps * total)
            {
              last = b;
              break;
            }
          cum += sums[b];
        }
    }
  if (eps <= 0 || last >= CS_KEEP_BUCKETS - 1)
    {
      for (size_t i = 0; i < n; i++)
        if (w[i] > 0)
          keep[m++] = i;
    }
  else
    {
      /* keep_bucket (r) <= last  <=>  r >= 2^-(last + 1) for r = w / total > 0 (bucket b holds [2^-(b+1), 2^-b),
       * bucket 0 everything from 1/2 up), with the same division as the buckets above: one compare a case */
      double floor_r = ldexp (1.0, -(int) last - 1);
      for (size_t i = 0; i < n; i++)
        if (w[i] > 0 && w[i] / total >= floor_r)
          keep[m++] = i;
    }
  if (dropped != NULL)
    *dropped = cum / total;
  return m;
}

double
cs_paired_difference (const double *a,
                      const double *b,
                      size_t        m,
                      double       *se)
{
  double mean = 0, var = 0;

  for (size_t k = 0; k < m; k++)
    mean += (a[k] - b[k]) / (double) m;
  for (size_t k = 0; k < m; k++)
    {
      double dv = a[k] - b[k] - mean;
      var += dv * dv / (double) (m > 1 ? m - 1 : 1);
    }
  *se = m > 0 ? sqrt (var / (double) m) : 0;
  return mean;
}
