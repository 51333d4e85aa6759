/* AVX2+FMA micro-kernel: MR x NR = 6 x 16 (12 ymm accumulators). One lane per
   C element, one fused multiply-add chain per lane in k order, so the bits
   match the scalar reference. Edge columns use vmaskmov loads/stores (no
   access outside the matrix); edge rows use a kernel specialised for that
   row count. */
#include "gemm.h"
#if defined(NNI_GEMM_X86)
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma,avx")))
#define INL static inline __attribute__((always_inline))
#define MR256 6
#define NV256 2 /* ymm vectors per row: NR = 16 */

INL T256 void body256(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                      size_t ldc, const int M, const int V, const int E, __m256i ml, int mode,
                      float beta)
{
    __m256 acc[MR256][NV256];
    size_t p;
    int i, v;
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
#pragma GCC unroll 8
        for (v = 0; v < V; v++) {
            if (mode == NNI_ACC_ZERO) {
                acc[i][v] = _mm256_setzero_ps();
            } else {
                __m256 x = (E && v == V - 1) ? _mm256_maskload_ps(c + i * ldc + 8 * v, ml)
                                             : _mm256_loadu_ps(c + i * ldc + 8 * v);
                if (mode == NNI_ACC_BETA) x = _mm256_mul_ps(_mm256_set1_ps(beta), x);
                acc[i][v] = x;
            }
        }
    }
    const float *ap = a;
    for (p = 0; p < kc; p++) {
        __m256 bv[NV256];
        
#pragma GCC unroll 8
        for (v = 0; v < V; v++)
            bv[v] = (E && v == V - 1) ? _mm256_maskload_ps(b + 8 * v, ml)
                                      : _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 8
        for (i = 0; i < M; i++) {
            __m256 ai = _mm256_broadcast_ss(ap + i * rsa);
#pragma GCC unroll 8
            for (v = 0; v < V; v++) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
        }
        b += ldb;
        ap += csa;
    }
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
#pragma GCC unroll 8
        for (v = 0; v < V; v++) {
            if (E && v == V - 1)
                _mm256_maskstore_ps(c + i * ldc + 8 * v, ml, acc[i][v]);
            else
                _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
        }
    }
}

#define KARGS size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c, size_t ldc, \
              __m256i ml, int mode, float beta
#define DEF(M, V, E)                                                                    \
    static T256 void k256_##M##_##V##_##E(KARGS)                                        \
    {                                                                                   \
        body256(kc, a, rsa, csa, b, ldb, c, ldc, M, V, E, ml, mode, beta);                        \
    }
#define DEF_V(M, V) DEF(M, V, 0) DEF(M, V, 1)
#define DEF_M(M) DEF_V(M, 1) DEF_V(M, 2)
DEF_M(1) DEF_M(2) DEF_M(3) DEF_M(4) DEF_M(5) DEF_M(6)

typedef void (*k256_fn)(KARGS);
#define ENT_V(M, V) { k256_##M##_##V##_0, k256_##M##_##V##_1 }
#define ENT_M(M) { ENT_V(M, 1), ENT_V(M, 2) }
static const k256_fn k256_table[MR256][NV256][2] = {
    ENT_M(1), ENT_M(2), ENT_M(3), ENT_M(4), ENT_M(5), ENT_M(6),
};

static const int mask_src[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

static T256 void ukr_avx2(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                          size_t ldc, size_t mr, size_t nr, int mode, float beta)
{
    size_t nv = (nr + 7) / 8, rem = nr - 8 * (nv - 1);
    int edge = rem != 8;
    __m256i ml = _mm256_loadu_si256((const __m256i *)(mask_src + 8 - rem));
    k256_table[mr - 1][nv - 1][edge](kc, a, rsa, csa, b, ldb, c, ldc, ml, mode, beta);
}

/* In-register 8 x 8 transpose: r[i] lane q -> r[q] lane i. */
INL T256 void transpose8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* dst[p*16 + j] = op(B)[p][j] for j < nr, 0 for nr <= j < 16; the
   transposed case goes 8 x 8 through registers. Masked loads never touch
   memory past the matrix edge. */
static T256 void packb_avx2(size_t kc, size_t nr, const float *B, size_t ldb, int trans_b,
                            float *dst)
{
    const size_t NR = 8 * NV256;
    size_t p, j0, r;
    if (!trans_b) {
        for (p = 0; p < kc; p++) {
            const float *s = B + p * ldb;
            float *d = dst + p * NR;
            for (j0 = 0; j0 < NR; j0 += 8) {
                size_t jn = nr > j0 ? (nr - j0 < 8 ? nr - j0 : 8) : 0;
                __m256i m = _mm256_loadu_si256((const __m256i *)(mask_src + 8 - jn));
                _mm256_storeu_ps(d + j0, _mm256_maskload_ps(s + j0, m));
            }
        }
        return;
    }
    for (j0 = 0; j0 < NR; j0 += 8) {
        size_t jn = nr > j0 ? (nr - j0 < 8 ? nr - j0 : 8) : 0;
        if (jn == 0) {
            for (p = 0; p < kc; p++) _mm256_storeu_ps(dst + p * NR + j0, _mm256_setzero_ps());
            continue;
        }
        for (p = 0; p < kc; p += 8) {
            size_t pn = kc - p < 8 ? kc - p : 8;
            __m256i m = _mm256_loadu_si256((const __m256i *)(mask_src + 8 - pn));
            __m256 rows[8];
#pragma GCC unroll 8
            for (r = 0; r < 8; r++)
                rows[r] = r < jn ? _mm256_maskload_ps(B + (j0 + r) * ldb + p, m)
                                 : _mm256_setzero_ps();
            transpose8(rows);
            for (r = 0; r < pn; r++) _mm256_storeu_ps(dst + (p + r) * NR + j0, rows[r]);
        }
    }
}

/* ---- Small M, B in place (trans_b == 0, m <= 8) --------------------------
   As in gemm_avx512.c: one pass over all of k per column chunk with up to
   12 ymm accumulators, no plan or packing; 7 or 8 rows run as two passes. */
#define SM_MAXV 12

INL T256 void small_body(size_t k, const float *a, size_t rsa, size_t csa, const float *b,
                         size_t ldb, float *c, size_t ldc, const int M, const int V, const int E,
                         __m256i ml, int mode, float beta)
{
    __m256 acc[6][SM_MAXV];
    size_t p;
    int i, v;
#pragma GCC unroll 16
    for (i = 0; i < M; i++) {
#pragma GCC unroll 16
        for (v = 0; v < V; v++) {
            if (mode == NNI_ACC_ZERO) {
                acc[i][v] = _mm256_setzero_ps();
            } else {
                __m256 x = (E && v == V - 1) ? _mm256_maskload_ps(c + i * ldc + 8 * v, ml)
                                             : _mm256_loadu_ps(c + i * ldc + 8 * v);
                if (mode == NNI_ACC_BETA) x = _mm256_mul_ps(_mm256_set1_ps(beta), x);
                acc[i][v] = x;
            }
        }
    }
    for (p = 0; p < k; p++) {
        if (M == 1) {
            __m256 ai = _mm256_broadcast_ss(a);
#pragma GCC unroll 16
            for (v = 0; v < V; v++) {
                __m256 bv = (E && v == V - 1) ? _mm256_maskload_ps(b + 8 * v, ml)
                                              : _mm256_loadu_ps(b + 8 * v);
                acc[0][v] = _mm256_fmadd_ps(ai, bv, acc[0][v]);
            }
        } else {
            /* Row by row, B operands straight from L1: M * V accumulators
               plus one broadcast fit the 16 ymm registers. */
#pragma GCC unroll 16
            for (i = 0; i < M; i++) {
                __m256 ai = _mm256_broadcast_ss(a + i * rsa);
#pragma GCC unroll 16
                for (v = 0; v < V; v++) {
                    __m256 bv = (E && v == V - 1) ? _mm256_maskload_ps(b + 8 * v, ml)
                                                  : _mm256_loadu_ps(b + 8 * v);
                    acc[i][v] = _mm256_fmadd_ps(ai, bv, acc[i][v]);
                }
            }
        }
        b += ldb;
        a += csa;
    }
#pragma GCC unroll 16
    for (i = 0; i < M; i++) {
#pragma GCC unroll 16
        for (v = 0; v < V; v++) {
            if (E && v == V - 1)
                _mm256_maskstore_ps(c + i * ldc + 8 * v, ml, acc[i][v]);
            else
                _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
        }
    }
}

#define SARGS size_t k, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, \
              float *c, size_t ldc, __m256i ml, int mode, float beta
typedef void (*sm_fn)(SARGS);
#define SDEF(M, V, E)                                                                     \
    static T256 void sm_##M##_##V##_##E(SARGS)                                            \
    {                                                                                     \
        small_body(k, a, rsa, csa, b, ldb, c, ldc, M, V, E, ml, mode, beta);               \
    }
#define SDEF_V(M, V) SDEF(M, V, 0) SDEF(M, V, 1)
#define SENT_V(M, V) { sm_##M##_##V##_0, sm_##M##_##V##_1 }
/* Widest chunk per row count: M * V <= 12 accumulators. */
SDEF_V(1, 1) SDEF_V(1, 2) SDEF_V(1, 3) SDEF_V(1, 4) SDEF_V(1, 5) SDEF_V(1, 6) SDEF_V(1, 7)
SDEF_V(1, 8) SDEF_V(1, 9) SDEF_V(1, 10) SDEF_V(1, 11) SDEF_V(1, 12)
SDEF_V(2, 1) SDEF_V(2, 2) SDEF_V(2, 3) SDEF_V(2, 4) SDEF_V(2, 5) SDEF_V(2, 6)
SDEF_V(3, 1) SDEF_V(3, 2) SDEF_V(3, 3) SDEF_V(3, 4)
SDEF_V(4, 1) SDEF_V(4, 2) SDEF_V(4, 3)
SDEF_V(5, 1) SDEF_V(5, 2)
SDEF_V(6, 1) SDEF_V(6, 2)

static const int sm_maxv[7] = { 0, 12, 6, 4, 3, 2, 2 };
static const sm_fn sm_t1[12][2] = { SENT_V(1, 1), SENT_V(1, 2), SENT_V(1, 3), SENT_V(1, 4),
    SENT_V(1, 5), SENT_V(1, 6), SENT_V(1, 7), SENT_V(1, 8), SENT_V(1, 9), SENT_V(1, 10),
    SENT_V(1, 11), SENT_V(1, 12) };
static const sm_fn sm_t2[6][2] = { SENT_V(2, 1), SENT_V(2, 2), SENT_V(2, 3), SENT_V(2, 4),
    SENT_V(2, 5), SENT_V(2, 6) };
static const sm_fn sm_t3[4][2] = { SENT_V(3, 1), SENT_V(3, 2), SENT_V(3, 3), SENT_V(3, 4) };
static const sm_fn sm_t4[3][2] = { SENT_V(4, 1), SENT_V(4, 2), SENT_V(4, 3) };
static const sm_fn sm_t5[2][2] = { SENT_V(5, 1), SENT_V(5, 2) };
static const sm_fn sm_t6[2][2] = { SENT_V(6, 1), SENT_V(6, 2) };
static const sm_fn (*const sm_tab[7])[2] = { NULL, sm_t1, sm_t2, sm_t3, sm_t4, sm_t5, sm_t6 };

static T256 void small_rows(size_t rsa, size_t csa, size_t m, size_t n, size_t k,
                            const float *A, const float *B, size_t ldb, float *C, size_t ldc,
                            int mode, float beta)
{
    size_t j = 0, w, rem, v;
    const sm_fn(*t)[2] = sm_tab[m];
    w = 8 * (size_t)sm_maxv[m];
    for (; j + w <= n; j += w)
        t[sm_maxv[m] - 1][0](k, A, rsa, csa, B + j, ldb, C + j, ldc, _mm256_setzero_si256(), mode,
                             beta);
    rem = n - j;
    if (rem) {
        v = (rem + 7) / 8;
        rem -= 8 * (v - 1);
        t[v - 1][rem != 8](k, A, rsa, csa, B + j, ldb, C + j, ldc,
                           _mm256_loadu_si256((const __m256i *)(mask_src + 8 - rem)), mode, beta);
    }
}

#define SM_KB 256 /* k block for alpha != 1 (A scaled on the stack) */

static void small_avx2(int trans_a, size_t m, size_t n, size_t k, float alpha, const float *A,
                       size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    size_t rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1, i0, mg;
    int mode = beta == 0.0f ? NNI_ACC_ZERO : NNI_ACC_BETA;
    for (i0 = 0; i0 < m; i0 += mg) {
        const float *a = A + i0 * rsa;
        float *c = C + i0 * ldc;
        mg = m <= 6 ? m : (i0 == 0 ? (m + 1) / 2 : m - i0);
        if (alpha == 1.0f) {
            small_rows(rsa, csa, mg, n, k, a, B, ldb, c, ldc, mode, beta);
        } else {
            /* a(i,p) = alpha * op(A)[i][p], k in blocks; later blocks continue
               each chain from C. */
            float as[6 * SM_KB];
            size_t p0, kb, i, p;
            for (p0 = 0; p0 < k; p0 += kb) {
                kb = k - p0 < SM_KB ? k - p0 : SM_KB;
                for (p = 0; p < kb; p++)
                    for (i = 0; i < mg; i++) as[p * mg + i] = alpha * a[i * rsa + (p0 + p) * csa];
                small_rows(1, mg, mg, n, kb, as, B + p0 * ldb, ldb, c, ldc,
                           p0 == 0 ? mode : NNI_ACC_LOAD, beta);
            }
        }
    }
}

const nni_gemm_kernel nni_gemm_kernel_avx2 = {
    "avx2", MR256, 8 * NV256, 72, 256, 1024, 24, 64, ukr_avx2, packb_avx2, 8, small_avx2, 0, NULL,
};
#endif
