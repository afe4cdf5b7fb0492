/* cs-kernel-isa.h: the per-ISA body of cs-kernel.c's explicitly dispatched
 * kernels, included once per level with ISA_SUF (name suffix), ISA_ATTR (the
 * target attribute) and ISA_W (float lanes per vector) defined. Private to
 * cs-kernel.c (the file with the relaxed FP flags); not a header to use. */

#define ISA_CAT2(a, b) a##_##b
#define ISA_CAT(a, b) ISA_CAT2 (a, b)
#define ISA_NAME(x) ISA_CAT (x, ISA_SUF)
#define VT ISA_NAME (vf)

typedef float VT __attribute__ ((vector_size (4 * ISA_W)));
typedef int32_t ISA_NAME (vi) __attribute__ ((vector_size (4 * ISA_W)));

/* a > b ? a : b lane by lane (C has no vector ternary): a select, which the
 * compiler turns into max or a blend. */
ISA_ATTR static inline VT
ISA_NAME (vmax) (VT a, VT b)
{
#ifdef ISA_MAXPS
  return (VT) ISA_MAXPS (a, b);   /* maxps is exactly a > b ? a : b */
#endif
  ISA_NAME (vi) k = a > b, ia, ib;
  memcpy (&ia, &a, sizeof a);
  memcpy (&ib, &b, sizeof b);
  ia = (ia & k) | (ib & ~k);
  memcpy (&a, &ia, sizeof a);
  return a;
}

ISA_ATTR static inline VT
ISA_NAME (vmin) (VT a, VT b)
{
#ifdef ISA_MINPS
  return (VT) ISA_MINPS (a, b);   /* minps is exactly a < b ? a : b */
#endif
  ISA_NAME (vi) k = a < b, ia, ib;
  memcpy (&ia, &a, sizeof a);
  memcpy (&ib, &b, sizeof b);
  ia = (ia & k) | (ib & ~k);
  memcpy (&a, &ia, sizeof a);
  return a;
}

/* Whether some lane of a is > t (NaN: no). */
ISA_ATTR static inline int
ISA_NAME (anygt) (VT a, VT t)
{
#ifdef ISA_ANYGT
  return ISA_ANYGT (a, t);
#else
  int any = 0;
  for (int l = 0; l < ISA_W; l++)
    any |= a[l] > t[l];
  return any;
#endif
}

/* exp_f (x) for x <= 0, lane by lane: the same reduction and polynomial, with
 * floor as a truncation of a positive number, the clamp as max, 0 below
 * -87.3 (and at -inf, the excluded cases). */
ISA_ATTR static inline VT
ISA_NAME (vexp) (VT x)
{
#ifdef ISA_SCALEF
  /* AVX-512: floor and the scaling by 2^k as single instructions (vrndscaleps, vscalefps); below -87.3 the
   * result is under FLT_MIN and the caller's flush-to-zero (FTZ) makes it 0, down to the clamp at -104
   * (and at -inf, the excluded cases). */
  VT xc = ISA_NAME (vmax) (x, (VT) { 0 } - 104.0f), kf, r, p;

  kf = (VT) ISA_FLOOR (xc * 1.44269504f + 0.5f);
  r = xc - kf * 0.693145752f;
  ISA_BARRIER (r);
  r = r - kf * 1.42860677e-6f;
  p = (VT) { 0 } + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return (VT) ISA_SCALEF (p, kf);
#else
  /* x <= 0 in every use (a score minus the row's maximum, times lambda > 0), so no upper clamp */
  VT xc = ISA_NAME (vmax) (x, (VT) { 0 } - 87.3f);
  VT t = xc * 1.44269504f + 128.5f, kf, r, p;   /* in [2.5, 128.5]: truncation is floor */
  ISA_NAME (vi) ki = __builtin_convertvector (t, ISA_NAME (vi)), eb, pb, under;

  kf = __builtin_convertvector (ki, VT) - 128.0f;
  r = xc - kf * 0.693145752f;
  /* keep reassociation (allowed in this file) from merging ln2 hi and lo */
  ISA_BARRIER (r);
  r = r - kf * 1.42860677e-6f;
  p = (VT) { 0 } + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  eb = (ki - 1) << 23;                    /* 2^k, k = ki - 128 in [-126, 0] */
  memcpy (&kf, &eb, sizeof eb);
  p = p * kf;
  under = x < -87.3f;
  memcpy (&pb, &p, sizeof p);
  pb &= ~under;
  memcpy (&p, &pb, sizeof p);
  return p;
#endif
}

/* sqrt (q) for q > 0 from the reciprocal square-root estimate (vsqrtps is
 * several times slower on the wide units): AVX-512's has 14 bits (2^-14
 * relative, well inside the float path's bound on the mean distance); the
 * 12-bit ones of SSE and AVX take one Newton step (~2^-22). */
ISA_ATTR static inline VT
ISA_NAME (vsqrt) (VT q)
{
  VT r;
#ifdef ISA_RSQRT
  r = (VT) ISA_RSQRT (q);
#else
  for (int l = 0; l < ISA_W; l++)
    r[l] = 1.0f / sqrtf (q[l]);
#endif
#if ISA_W == 16
  return q * r;
#else
  return q * r * (1.5f - 0.5f * q * r * r);
#endif
}

/* The five softmax sums of one row, vectorised at this level; the tail in scalar. */
ISA_ATTR static void
ISA_NAME (row_sums) (const float *s, const float *y, size_t c, float lf, float mf, float d2_scale,
                     CsKernelSums *acc)
{
  VT z = { 0 }, zy = { 0 }, zyy = { 0 }, zz = { 0 }, zd = { 0 };
  float fz = 0, fzy = 0, fzyy = 0, fzz = 0, fzd = 0;
  size_t j = 0;

  for (; j + ISA_W <= c; j += ISA_W)
    {
      VT sv, yv, e, ey, q;
      memcpy (&sv, s + j, sizeof sv);
      memcpy (&yv, y + j, sizeof yv);
      e = ISA_NAME (vexp) (lf * (sv - mf));
      ey = e * yv;
      z += e; zy += ey; zyy += ey * yv; zz += e * e;
      /* d2 in [1e-30, 1e30]: the -inf of an excluded case has e = 0 and a finite root */
      q = ISA_NAME (vmin) (ISA_NAME (vmax) (d2_scale * sv, (VT) { 0 } + 1e-30f), (VT) { 0 } + 1e30f);
      zd += e * ISA_NAME (vsqrt) (q);
    }
  for (int l = 0; l < ISA_W; l++)
    {
      fz += z[l]; fzy += zy[l]; fzyy += zyy[l]; fzz += zz[l]; fzd += zd[l];
    }
  for (; j < c; j++)
    {
      float e = exp_f (lf * (s[j] - mf)), ey = e * y[j], q = d2_scale * s[j];
      q = q > 0 ? q : 0;
      q = q < 1e30f ? q : 1e30f;
      fz += e; fzy += ey; fzyy += ey * y[j]; fzz += e * e;
      fzd += e * sqrtf (q);
    }
  acc->z += fz; acc->zy += fzy; acc->zyy += fzyy; acc->zz += fzz; acc->zd += fzd;
}

/* Independent chains a = a b + c (contracted to FMA where the level has it):
 * twelve vectors cover 4-cycle latency on two FMA ports with room to spare,
 * and fit the 16 registers of SSE2 and AVX2. b < 1 keeps every lane bounded
 * and normal. */
ISA_ATTR static double
ISA_NAME (fma_lanes) (size_t iters, float *sink)
{
  VT a[12], b, c, t;
  float s = 0;

  b = (VT) { 0 } + 0.999999f;
  c = (VT) { 0 } + 1e-7f;
  for (int i = 0; i < 12; i++)
    a[i] = (VT) { 0 } + 1e-3f * (float) (i + 1);
  for (size_t it = 0; it < iters; it++)
    for (int i = 0; i < 12; i++)   /* fully unrolled: a[] lives in registers */
      a[i] = a[i] * b + c;
  t = a[0];
  for (int i = 1; i < 12; i++)
    t += a[i];
  for (int l = 0; l < ISA_W; l++)
    s += t[l];
  *sink = s;
  return (double) iters * 12.0 * ISA_W;
}

/* Scores of nr <= 4 query rows against c cases whose keys are transposed
 * (kt[k c + j]): four rows by two vectors of cases in eight register
 * accumulators, so every key load feeds four FMAs. Tail cases in scalar.
 * With thr (nr thresholds), above[r] gets the bit of each block of
 * CS_KERNEL_ABOVE_BLOCK cases holding a score > thr[r], from the block's
 * lane maxima while they are in registers: the caller's top-k and nearest
 * scans then skip the other blocks without reading them. */
ISA_ATTR static void
ISA_NAME (score4) (const float *Q, size_t nr, size_t ra, const float *kt, size_t c, float *S, float *mx,
                   const float *thr, uint64_t *above)
{
  VT m0 = (VT) { 0 } - INFINITY, m1 = m0, m2 = m0, m3 = m0, b0 = m0, b1 = m0, b2 = m0, b3 = m0;
  const float *q0 = Q, *q1 = Q + (nr > 1 ? 1 : 0) * ra, *q2 = Q + (nr > 2 ? 2 : 0) * ra,
              *q3 = Q + (nr > 3 ? 3 : 0) * ra;
  /* no thresholds: +inf sets no bit (and above stays untouched) */
  VT t0 = (VT) { 0 } + (thr != NULL ? thr[0] : INFINITY), t1 = (VT) { 0 } + (thr != NULL ? thr[nr > 1 ? 1 : 0] : INFINITY),
     t2 = (VT) { 0 } + (thr != NULL ? thr[nr > 2 ? 2 : 0] : INFINITY),
     t3 = (VT) { 0 } + (thr != NULL ? thr[nr > 3 ? 3 : 0] : INFINITY);
  uint64_t ab[4] = { 0, 0, 0, 0 };
  size_t j = 0;

  for (; j + 2 * ISA_W <= c; j += 2 * ISA_W)
    {
      VT a00 = { 0 }, a01 = { 0 }, a10 = { 0 }, a11 = { 0 }, a20 = { 0 }, a21 = { 0 }, a30 = { 0 }, a31 = { 0 };
      const float *kp = kt + j;
      for (size_t k = 0; k < ra; k++, kp += c)
        {
          VT k0, k1;
          memcpy (&k0, kp, sizeof k0);
          memcpy (&k1, kp + ISA_W, sizeof k1);
          a00 += q0[k] * k0; a01 += q0[k] * k1;
          a10 += q1[k] * k0; a11 += q1[k] * k1;
          a20 += q2[k] * k0; a21 += q2[k] * k1;
          a30 += q3[k] * k0; a31 += q3[k] * k1;
        }
      /* the block's lane maxima on the way, from registers (no second pass over S) */
      b0 = ISA_NAME (vmax) (b0, ISA_NAME (vmax) (a00, a01));
      b1 = ISA_NAME (vmax) (b1, ISA_NAME (vmax) (a10, a11));
      b2 = ISA_NAME (vmax) (b2, ISA_NAME (vmax) (a20, a21));
      b3 = ISA_NAME (vmax) (b3, ISA_NAME (vmax) (a30, a31));
      memcpy (S + j, &a00, sizeof a00);
      memcpy (S + j + ISA_W, &a01, sizeof a01);
      if (nr > 1)
        {
          memcpy (S + c + j, &a10, sizeof a10);
          memcpy (S + c + j + ISA_W, &a11, sizeof a11);
        }
      if (nr > 2)
        {
          memcpy (S + 2 * c + j, &a20, sizeof a20);
          memcpy (S + 2 * c + j + ISA_W, &a21, sizeof a21);
        }
      if (nr > 3)
        {
          memcpy (S + 3 * c + j, &a30, sizeof a30);
          memcpy (S + 3 * c + j + ISA_W, &a31, sizeof a31);
        }
      /* the end of a block (2 ISA_W divides it) or of the vector part: fold the block into the rows' maxima
       * (max is exact in any order: the same tile_max) and test it against the thresholds */
      if (((j + 2 * ISA_W) % CS_KERNEL_ABOVE_BLOCK) == 0 || j + 4 * ISA_W > c)
        {
          size_t bi = j / CS_KERNEL_ABOVE_BLOCK < 63 ? j / CS_KERNEL_ABOVE_BLOCK : 63;
          m0 = ISA_NAME (vmax) (m0, b0);
          m1 = ISA_NAME (vmax) (m1, b1);
          m2 = ISA_NAME (vmax) (m2, b2);
          m3 = ISA_NAME (vmax) (m3, b3);
          ab[0] |= (uint64_t) ISA_NAME (anygt) (b0, t0) << bi;
          ab[1] |= (uint64_t) ISA_NAME (anygt) (b1, t1) << bi;
          ab[2] |= (uint64_t) ISA_NAME (anygt) (b2, t2) << bi;
          ab[3] |= (uint64_t) ISA_NAME (anygt) (b3, t3) << bi;
          b0 = b1 = b2 = b3 = (VT) { 0 } - INFINITY;
        }
    }
  for (size_t r = 0; r < nr; r++)
    {
      VT v = r == 0 ? m0 : r == 1 ? m1 : r == 2 ? m2 : m3;
      mx[r] = -INFINITY;
      for (int l = 0; l < ISA_W; l++)
        mx[r] = v[l] > mx[r] ? v[l] : mx[r];
    }
  for (; j < c; j++)
    for (size_t r = 0; r < nr; r++)
      {
        float s = 0;
        size_t bi = j / CS_KERNEL_ABOVE_BLOCK < 63 ? j / CS_KERNEL_ABOVE_BLOCK : 63;
        for (size_t k = 0; k < ra; k++)
          s += Q[r * ra + k] * kt[k * c + j];
        S[r * c + j] = s;
        mx[r] = s > mx[r] ? s : mx[r];
        if (thr != NULL && s > thr[r])
          ab[r] |= (uint64_t) 1 << bi;
      }
  if (thr != NULL)
    for (size_t r = 0; r < nr; r++)
      above[r] = ab[r];
}

ISA_ATTR static void
ISA_NAME (predict) (const float *Q, size_t nq, size_t ra, const float *K, const float *y, size_t c,
                    const size_t *skip, float d2_scale, double lambda, double *m, CsKernelSums *acc,
                    size_t stride, float *S, float *tile_max, const float *thr, uint64_t *above)
{
  float ktbuf[KT_STACK];
  float *kt = ra * c <= KT_STACK ? ktbuf : malloc (ra * c * sizeof (float));

  if (kt == NULL)
    {
      /* no memory for the transposed keys: score straight from K (slower, same values) */
      for (size_t r = 0; r < nq; r++)
        {
          tile_max[r] = -INFINITY;
          for (size_t j = 0; j < c; j++)
            {
              float s = 0;
              for (size_t k = 0; k < ra; k++)
                s += Q[r * ra + k] * K[j * ra + k];
              S[r * c + j] = s;
              tile_max[r] = s > tile_max[r] ? s : tile_max[r];
            }
          if (thr != NULL)
            above[r] = ~(uint64_t) 0;   /* every block (a superset is exact) */
        }
    }
  else
    for (size_t k = 0; k < ra; k++)   /* contiguous stores; strided loads vectorise as gathers */
      for (size_t j = 0; j < c; j++)
        kt[k * c + j] = K[j * ra + k];
  for (size_t r0 = 0; r0 < nq; r0 += 4)
    {
      size_t nr = nq - r0 < 4 ? nq - r0 : 4;
      if (kt != NULL)
        ISA_NAME (score4) (Q + r0 * ra, nr, ra, kt, c, S + r0 * c, tile_max + r0,
                           thr != NULL ? thr + r0 : NULL, thr != NULL ? above + r0 : NULL);
      for (size_t r = r0; r < r0 + nr; r++)
        {
          CsKernelSums *ar = (CsKernelSums *) ((char *) acc + r * stride);
          double *mr = (double *) ((char *) m + r * stride);
          if (row_begin (S + r * c, c, skip != NULL ? skip[r] : c, tile_max + r, lambda, mr, ar))
            ISA_NAME (row_sums) (S + r * c, y, c, (float) fmin (lambda, FLT_MAX), (float) *mr, d2_scale, ar);
        }
    }
  if (kt != ktbuf)
    free (kt);
}

#undef VT
#undef ISA_NAME
#undef ISA_CAT
#undef ISA_CAT2
