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

const nni_gemm_kernel nni_gemm_kernel_avx2 = {
    "avx2", MR256, 8 * NV256, 72, 256, 1024, 24, ukr_avx2, NULL, 0, NULL,
};
#endif
