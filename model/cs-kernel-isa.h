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

/* 2^u for u already clamped (u >= ISA_EXP2_LO), lane by lane: the engine's exp in base 2, e^x = 2^(x log2 e)
 * with log2 e folded into lambda by the caller. u = k + f, k = floor (u), f in [0, 1) exactly (one vreduceps
 * on AVX-512, where vscalefps then floors u itself: no rounding trick, no ln 2 in two parts), 2^f by the
 * degree-5 Chebyshev interpolant on [0, 1] (float coefficients, Horner with FMA: at most 1.8e-7 relative,
 * measured over every float f in [0, 1); exp_f promises 2.5e-7), times 2^k. Exactly 0 for the lanes at the
 * clamp (the excluded cases' -inf among them). */
#ifdef ISA_SCALEF
#define ISA_EXP2_LO -150.0f   /* 2^-150 is below FLT_MIN: the caller's flush-to-zero (FTZ) makes it 0 */
#else
#define ISA_EXP2_LO -126.0f   /* 2^k from the exponent bits down to FLT_MIN; lanes at the clamp give 0 */
#endif
ISA_ATTR static inline VT
ISA_NAME (vexp2) (VT u)
{
  VT f, p;
#ifdef ISA_SCALEF
  f = (VT) ISA_REDUCE_FLOOR (u);   /* u - floor (u) */
#else
  VT t = u + 128.0f;   /* in [2, 128]: truncation is floor */
  ISA_NAME (vi) ki = __builtin_convertvector (t, ISA_NAME (vi)), eb, pb, under;
  p = __builtin_convertvector (ki, VT) - 128.0f;
  /* reassociation would take u - (ki - 128) as t - ki, with t's rounding (up to 2^-17) */
  ISA_BARRIER (p);
  f = u - p;   /* exact */
#endif
  p = (VT) { 0 } + 1.893754001e-3f;
  p = p * f + 8.949590847e-3f;
  p = p * f + 5.586033687e-2f;
  p = p * f + 2.401418239e-1f;
  p = p * f + 6.931545138e-1f;
  p = p * f + 9.999998808e-1f;
#ifdef ISA_SCALEF
  return (VT) ISA_SCALEF (p, u);
#else
  eb = (ki - 1) << 23;                    /* 2^k, k = ki - 128 in [-126, 0] */
  memcpy (&t, &eb, sizeof eb);
  p = p * t;
  under = u <= ISA_EXP2_LO;
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

/* The vector part of row_sums (n a multiple of ISA_W), inlined twice: with qfast the squared distance comes
 * from the clamped exponent, q = qa + qb u (qa = d2_scale m, qb = d2_scale / l2, so q = d2_scale s, exact
 * up to float rounding; a clamped lane has e = 0 and a finite q), one FMA and one clamp instead of a
 * product and two clamps; without it (where qa + qb u could overflow) from the score as before. zyy takes
 * the tile's y^2 (y2), computed once for all queries, instead of e y y. */
ISA_ATTR static inline __attribute__ ((always_inline)) void
ISA_NAME (sums_loop) (const float *s, const float *y, const float *y2, size_t n, float l2, float mf,
                      float d2_scale, float qa, float qb, int qfast, VT *acc)
{
  VT z = acc[0], zy = acc[1], zyy = acc[2], zz = acc[3], zd = acc[4];
  float ml = mf * l2;

  for (size_t j = 0; j < n; j += ISA_W)
    {
      VT sv, yv, y2v, u, e, q;
      memcpy (&sv, s + j, sizeof sv);
      memcpy (&yv, y + j, sizeof yv);
      memcpy (&y2v, y2 + j, sizeof y2v);
      /* one FMA, s l2 - m l2 (see row_sums2) */
      u = ISA_NAME (vmax) (sv * l2 - ml, (VT) { 0 } + ISA_EXP2_LO);
      e = ISA_NAME (vexp2) (u);
      z += e; zy += e * yv; zyy += e * y2v; zz += e * e;
      /* d2 in [1e-30, 1e30]: the -inf of an excluded case has e = 0 and a finite root */
      if (qfast)
        q = ISA_NAME (vmax) (qa + qb * u, (VT) { 0 } + 1e-30f);
      else
        q = ISA_NAME (vmin) (ISA_NAME (vmax) (d2_scale * sv, (VT) { 0 } + 1e-30f), (VT) { 0 } + 1e30f);
      zd += e * ISA_NAME (vsqrt) (q);
    }
  acc[0] = z; acc[1] = zy; acc[2] = zyy; acc[3] = zz; acc[4] = zd;
}

/* The lane sums v (from the vector part, cases [0, j)) and the scalar tail [j, c) into acc. */
ISA_ATTR static inline __attribute__ ((always_inline)) void
ISA_NAME (row_finish) (const float *s, const float *y, size_t j, size_t c, float lf, float mf, float d2_scale,
                       const VT *v, CsKernelSums *acc)
{
  float fz = 0, fzy = 0, fzyy = 0, fzz = 0, fzd = 0;

  for (int l = 0; l < ISA_W; l++)
    {
      fz += v[0][l]; fzy += v[1][l]; fzyy += v[2][l]; fzz += v[3][l]; fzd += v[4][l];
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

/* Whether a row's squared distances can come from its clamped exponents (sums_loop's qfast): qa + qb u stays
 * finite for u >= ISA_EXP2_LO. */
static inline int
ISA_NAME (q_fast) (float d2_scale, float mf, float l2, float *qa, float *qb)
{
  double a = (double) d2_scale * mf, b = (double) d2_scale / l2;
  *qa = (float) a;
  *qb = (float) b;
  return fabs (a) - ISA_EXP2_LO * fabs (b) < 1e30;
}

/* The five softmax sums of one row, vectorised at this level; the tail in scalar (and everything when y2 is
 * NULL: no memory for the tile's buffers). lf = lambda, l2 = lambda log2 e (both <= FLT_MAX). */
ISA_ATTR static void
ISA_NAME (row_sums) (const float *s, const float *y, const float *y2, size_t c, float lf, float l2, float mf,
                     float d2_scale, CsKernelSums *acc)
{
  VT v[5] = { { 0 }, { 0 }, { 0 }, { 0 }, { 0 } };
  size_t j = y2 != NULL ? c / ISA_W * ISA_W : 0;
  float qa, qb;

  if (ISA_NAME (q_fast) (d2_scale, mf, l2, &qa, &qb))
    ISA_NAME (sums_loop) (s, y, y2, j, l2, mf, d2_scale, qa, qb, 1, v);
  else
    ISA_NAME (sums_loop) (s, y, y2, j, l2, mf, d2_scale, 0, 0, 0, v);
  ISA_NAME (row_finish) (s, y, j, c, lf, mf, d2_scale, v, acc);
}

/* row_sums for two rows at once (both with the fast squared distances, else one by one): the same arithmetic
 * per row, two independent chains of exp and sums in flight and the loads of y and y^2 shared. One row's
 * chain (about 50 cycles from the score to the sums) left the loop short of independent work. */
ISA_ATTR static void
ISA_NAME (row_sums2) (const float *s0, const float *s1, const float *y, const float *y2, size_t c, float lf,
                      float l2, float mf0, float mf1, float d2_scale, CsKernelSums *acc0, CsKernelSums *acc1)
{
  size_t n = c / ISA_W * ISA_W;
  float qa0, qb0, qa1, qb1;

  if (y2 == NULL || !ISA_NAME (q_fast) (d2_scale, mf0, l2, &qa0, &qb0)
      || !ISA_NAME (q_fast) (d2_scale, mf1, l2, &qa1, &qb1))
    {
      ISA_NAME (row_sums) (s0, y, y2, c, lf, l2, mf0, d2_scale, acc0);
      ISA_NAME (row_sums) (s1, y, y2, c, lf, l2, mf1, d2_scale, acc1);
      return;
    }
  VT z0 = { 0 }, zy0 = { 0 }, zyy0 = { 0 }, zz0 = { 0 }, zd0 = { 0 };
  VT z1 = { 0 }, zy1 = { 0 }, zyy1 = { 0 }, zz1 = { 0 }, zd1 = { 0 };
  /* u = s l2 - m l2 in one FMA rather than (s - m) l2 in two: m l2's rounding (relative 6e-8 of m l2) shifts
   * every u of the row alike, a common factor of all its e that every ratio of the sums cancels, and stays
   * the same in every tile until the maximum rises (then the rescale is off by as much, the size of the
   * float score's own error, ~1e-7 |m| lambda); each u is then rounded once. */
  float ml0 = mf0 * l2, ml1 = mf1 * l2;
  for (size_t j = 0; j < n; j += ISA_W)
    {
      VT sv0, sv1, yv, y2v, u0, u1, e0, e1, q0, q1;
      memcpy (&sv0, s0 + j, sizeof sv0);
      memcpy (&sv1, s1 + j, sizeof sv1);
      memcpy (&yv, y + j, sizeof yv);
      memcpy (&y2v, y2 + j, sizeof y2v);
      u0 = ISA_NAME (vmax) (sv0 * l2 - ml0, (VT) { 0 } + ISA_EXP2_LO);
      u1 = ISA_NAME (vmax) (sv1 * l2 - ml1, (VT) { 0 } + ISA_EXP2_LO);
      e0 = ISA_NAME (vexp2) (u0);
      e1 = ISA_NAME (vexp2) (u1);
      z0 += e0; zy0 += e0 * yv; zyy0 += e0 * y2v; zz0 += e0 * e0;
      z1 += e1; zy1 += e1 * yv; zyy1 += e1 * y2v; zz1 += e1 * e1;
      q0 = ISA_NAME (vmax) (qa0 + qb0 * u0, (VT) { 0 } + 1e-30f);
      q1 = ISA_NAME (vmax) (qa1 + qb1 * u1, (VT) { 0 } + 1e-30f);
      zd0 += e0 * ISA_NAME (vsqrt) (q0);
      zd1 += e1 * ISA_NAME (vsqrt) (q1);
    }
  {
    VT v0[5] = { z0, zy0, zyy0, zz0, zd0 }, v1[5] = { z1, zy1, zyy1, zz1, zd1 };
    ISA_NAME (row_finish) (s0, y, n, c, lf, mf0, d2_scale, v0, acc0);
    ISA_NAME (row_finish) (s1, y, n, c, lf, mf1, d2_scale, v1, acc1);
  }
}

/* e^x for n floats x <= 0 (n a multiple of ISA_W) the fused kernel's way: u = x log2 e clamped at the
 * exponent's floor, then vexp2. The machine roofline's exp rate E is measured on the fastest exp the engine
 * has (cs-engine-bench.c); this is it since the kernel works in base 2. */
ISA_ATTR static void
ISA_NAME (exp_block) (const float *x, float *y, size_t n)
{
  for (size_t j = 0; j < n; j += ISA_W)
    {
      VT v;
      memcpy (&v, x + j, sizeof v);
      v = ISA_NAME (vexp2) (ISA_NAME (vmax) (v * 1.442695041f, (VT) { 0 } + ISA_EXP2_LO));
      memcpy (y + j, &v, sizeof v);
    }
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
 * (kt[k ks + j]): four rows by two vectors of cases in eight register
 * accumulators, so every key load feeds four FMAs. Tail cases in scalar.
 * With thr (nr thresholds), above[r] gets the bit of each block of
 * CS_KERNEL_ABOVE_BLOCK cases holding a score > thr[r], from the block's
 * lane maxima while they are in registers: the caller's top-k and nearest
 * scans then skip the other blocks without reading them. */
ISA_ATTR static void
ISA_NAME (score4) (const float *Q, size_t nr, size_t ra, const float *kt, size_t ks, size_t c, float *S,
                   float *mx, const float *thr, uint64_t *above)
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

  /* A block's lane maxima b0..b3 into the rows' maxima, and its bit bi of above where one tops the threshold. */
#define FOLD_BLOCK(bi)                                                  \
  do                                                                    \
    {                                                                   \
      m0 = ISA_NAME (vmax) (m0, b0);                                    \
      m1 = ISA_NAME (vmax) (m1, b1);                                    \
      m2 = ISA_NAME (vmax) (m2, b2);                                    \
      m3 = ISA_NAME (vmax) (m3, b3);                                    \
      ab[0] |= (uint64_t) ISA_NAME (anygt) (b0, t0) << (bi);            \
      ab[1] |= (uint64_t) ISA_NAME (anygt) (b1, t1) << (bi);            \
      ab[2] |= (uint64_t) ISA_NAME (anygt) (b2, t2) << (bi);            \
      ab[3] |= (uint64_t) ISA_NAME (anygt) (b3, t3) << (bi);            \
    }                                                                   \
  while (0)

#if ISA_W == 16
  /* AVX-512: a whole block of 64 cases at a time, four rows by four vectors in sixteen accumulators (the 32
   * registers hold them, the keys and a broadcast). With eight, each accumulator's chain of ra FMAs (4 cycles
   * apart) exactly filled both FMA ports, with no slack for anything else: the scoring ran at about 55% of
   * the FMA rate (d = 20). The block's maxima come straight from the accumulators. */
  for (; j + 4 * ISA_W <= c; j += 4 * ISA_W)
    {
      /* named variables, not arrays: GCC kept arrays of vectors in memory */
      VT a00 = { 0 }, a01 = { 0 }, a02 = { 0 }, a03 = { 0 }, a10 = { 0 }, a11 = { 0 }, a12 = { 0 }, a13 = { 0 };
      VT a20 = { 0 }, a21 = { 0 }, a22 = { 0 }, a23 = { 0 }, a30 = { 0 }, a31 = { 0 }, a32 = { 0 }, a33 = { 0 };
      const float *kp = kt + j;
      size_t bi = j / CS_KERNEL_ABOVE_BLOCK < 63 ? j / CS_KERNEL_ABOVE_BLOCK : 63;
      for (size_t k = 0; k < ra; k++, kp += ks)
        {
          VT k0, k1, k2, k3;
          memcpy (&k0, kp, sizeof k0);
          memcpy (&k1, kp + ISA_W, sizeof k1);
          memcpy (&k2, kp + 2 * ISA_W, sizeof k2);
          memcpy (&k3, kp + 3 * ISA_W, sizeof k3);
          a00 += q0[k] * k0; a01 += q0[k] * k1; a02 += q0[k] * k2; a03 += q0[k] * k3;
          a10 += q1[k] * k0; a11 += q1[k] * k1; a12 += q1[k] * k2; a13 += q1[k] * k3;
          a20 += q2[k] * k0; a21 += q2[k] * k1; a22 += q2[k] * k2; a23 += q2[k] * k3;
          a30 += q3[k] * k0; a31 += q3[k] * k1; a32 += q3[k] * k2; a33 += q3[k] * k3;
        }
#define STORE4(r, v0, v1, v2, v3)                                    \
      memcpy (S + r * c + j, &v0, sizeof v0);                        \
      memcpy (S + r * c + j + ISA_W, &v1, sizeof v1);                \
      memcpy (S + r * c + j + 2 * ISA_W, &v2, sizeof v2);            \
      memcpy (S + r * c + j + 3 * ISA_W, &v3, sizeof v3);
      STORE4 (0, a00, a01, a02, a03);
      if (nr > 1)
        {
          STORE4 (1, a10, a11, a12, a13);
        }
      if (nr > 2)
        {
          STORE4 (2, a20, a21, a22, a23);
        }
      if (nr > 3)
        {
          STORE4 (3, a30, a31, a32, a33);
        }
#undef STORE4
      b0 = ISA_NAME (vmax) (ISA_NAME (vmax) (a00, a01), ISA_NAME (vmax) (a02, a03));
      b1 = ISA_NAME (vmax) (ISA_NAME (vmax) (a10, a11), ISA_NAME (vmax) (a12, a13));
      b2 = ISA_NAME (vmax) (ISA_NAME (vmax) (a20, a21), ISA_NAME (vmax) (a22, a23));
      b3 = ISA_NAME (vmax) (ISA_NAME (vmax) (a30, a31), ISA_NAME (vmax) (a32, a33));
      FOLD_BLOCK (bi);
    }
  b0 = b1 = b2 = b3 = (VT) { 0 } - INFINITY;
#endif
  for (; j + 2 * ISA_W <= c; j += 2 * ISA_W)
    {
      VT a00 = { 0 }, a01 = { 0 }, a10 = { 0 }, a11 = { 0 }, a20 = { 0 }, a21 = { 0 }, a30 = { 0 }, a31 = { 0 };
      const float *kp = kt + j;
      for (size_t k = 0; k < ra; k++, kp += ks)
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
          FOLD_BLOCK (bi);
          b0 = b1 = b2 = b3 = (VT) { 0 } - INFINITY;
        }
    }
#undef FOLD_BLOCK
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
          s += Q[r * ra + k] * kt[k * ks + j];
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
  /* the transposed keys (ra x c) and the tile's y^2 (c) in one buffer */
  float ktbuf[KT_STACK];
  /* kt's row stride: c (512) floats put the ra rows 2 KiB apart, on 2 of L1's 64 sets, where the scoring's
   * loads of a k-loop (ra rows, four lines each at d = 20) missed for want of ways; 16 more spread them. */
  size_t ks = c + 16;
  float *kt = ra * ks + c <= KT_STACK ? ktbuf : malloc ((ra * ks + c) * sizeof (float)), *y2 = NULL;
  float lf = (float) fmin (lambda, FLT_MAX), l2 = (float) fmin (lambda * 1.4426950408889634, FLT_MAX);

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
    {
      /* 16 cases at a time: their key rows (16 ra floats) stay in L1 while the ra rows of kt take them */
      size_t j0 = 0;
      for (; j0 + 16 <= c; j0 += 16)
        for (size_t k = 0; k < ra; k++)
          for (size_t j = j0; j < j0 + 16; j++)
            kt[k * ks + j] = K[j * ra + k];
      for (size_t k = 0; k < ra; k++)
        for (size_t j = j0; j < c; j++)
          kt[k * ks + j] = K[j * ra + k];
      y2 = kt + ra * ks;
      for (size_t j = 0; j < c; j++)
        y2[j] = y[j] * y[j];
    }
  for (size_t r0 = 0; r0 < nq; r0 += 4)
    {
      size_t nr = nq - r0 < 4 ? nq - r0 : 4;
      if (kt != NULL)
        ISA_NAME (score4) (Q + r0 * ra, nr, ra, kt, ks, c, S + r0 * c, tile_max + r0,
                           thr != NULL ? thr + r0 : NULL, thr != NULL ? above + r0 : NULL);
      {
        /* the group's rows that contribute, their sums two at a time */
        size_t go[4], ng = 0;
        for (size_t r = r0; r < r0 + nr; r++)
          if (row_begin (S + r * c, c, skip != NULL ? skip[r] : c, tile_max + r, lambda,
                         (double *) ((char *) m + r * stride), (CsKernelSums *) ((char *) acc + r * stride)))
            go[ng++] = r;
        for (size_t i = 0; i < ng; i += 2)
          {
            size_t ra0 = go[i];
            CsKernelSums *a0 = (CsKernelSums *) ((char *) acc + ra0 * stride);
            float m0 = (float) *(double *) ((char *) m + ra0 * stride);
            if (i + 1 < ng)
              {
                size_t ra1 = go[i + 1];
                ISA_NAME (row_sums2) (S + ra0 * c, S + ra1 * c, y, y2, c, lf, l2, m0,
                                      (float) *(double *) ((char *) m + ra1 * stride), d2_scale, a0,
                                      (CsKernelSums *) ((char *) acc + ra1 * stride));
              }
            else
              ISA_NAME (row_sums) (S + ra0 * c, y, y2, c, lf, l2, m0, d2_scale, a0);
          }
      }
    }
  if (kt != ktbuf)
    free (kt);
}

#undef ISA_EXP2_LO
#undef VT
#undef ISA_NAME
#undef ISA_CAT
#undef ISA_CAT2
