/* cs-kernel-isa.h: the per-ISA body of cs-kernel.c's explicitly dispatched
 * kernels, included once per level with ISA_SUF (name suffix), ISA_ATTR (the
 * target attribute) and ISA_W (float lanes per vector) defined. Private to
 * cs-kernel.c (the file with the relaxed FP flags); not a header to use. */

#define ISA_CAT2(a, b) a##_##b
#define ISA_CAT(a, b) ISA_CAT2 (a, b)
#define ISA_NAME(x) ISA_CAT (x, ISA_SUF)
#define VT ISA_NAME (vf)

typedef float VT __attribute__ ((vector_size (4 * ISA_W)));

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
    {
      /* an empty asm on the accumulators keeps the loop from being folded */
      for (int i = 0; i < 12; i++)
        a[i] = a[i] * b + c;
      __asm__ volatile ("" : "+x" (a[0]), "+x" (a[1]), "+x" (a[2]), "+x" (a[3]));
    }
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
 * accumulators, so every key load feeds four FMAs. Tail cases in scalar. */
ISA_ATTR static void
ISA_NAME (score4) (const float *Q, size_t nr, size_t ra, const float *kt, size_t c, float *S)
{
  const float *q0 = Q, *q1 = Q + (nr > 1 ? 1 : 0) * ra, *q2 = Q + (nr > 2 ? 2 : 0) * ra,
              *q3 = Q + (nr > 3 ? 3 : 0) * ra;
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
    }
  for (; j < c; j++)
    for (size_t r = 0; r < nr; r++)
      {
        float s = 0;
        for (size_t k = 0; k < ra; k++)
          s += Q[r * ra + k] * kt[k * c + j];
        S[r * c + j] = s;
      }
}

ISA_ATTR static void
ISA_NAME (predict) (const float *Q, size_t nq, size_t ra, const float *K, const float *y, size_t c,
                    const size_t *skip, float d2_scale, double lambda, double *m, CsKernelSums *acc,
                    size_t stride, float *S)
{
  float ktbuf[KT_STACK];
  float *kt = ra * c <= KT_STACK ? ktbuf : malloc (ra * c * sizeof (float));

  if (kt == NULL)
    {
      /* no memory for the transposed keys: score straight from K (slower, same values) */
      for (size_t r = 0; r < nq; r++)
        for (size_t j = 0; j < c; j++)
          {
            float s = 0;
            for (size_t k = 0; k < ra; k++)
              s += Q[r * ra + k] * K[j * ra + k];
            S[r * c + j] = s;
          }
    }
  else
    for (size_t j = 0; j < c; j++)
      for (size_t k = 0; k < ra; k++)
        kt[k * c + j] = K[j * ra + k];
  for (size_t r0 = 0; r0 < nq; r0 += 4)
    {
      size_t nr = nq - r0 < 4 ? nq - r0 : 4;
      if (kt != NULL)
        ISA_NAME (score4) (Q + r0 * ra, nr, ra, kt, c, S + r0 * c);
      for (size_t r = r0; r < r0 + nr; r++)
        finish_row (S + r * c, c, skip != NULL ? skip[r] : c, y, d2_scale, lambda,
                    (double *) ((char *) m + r * stride), (CsKernelSums *) ((char *) acc + r * stride));
    }
  if (kt != ktbuf)
    free (kt);
}

#undef VT
#undef ISA_NAME
#undef ISA_CAT
#undef ISA_CAT2
