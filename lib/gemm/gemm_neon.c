/* NEON (aarch64) micro-kernel: MR x NR = 8 x 8 (16 q-register accumulators).
   vfmaq_f32 is a fused multiply-add per lane, so each lane runs the same fmaf
   chain in k order as the scalar reference. Full-width tiles are vectorised
   with a kernel specialised per row count; partial-width edge tiles (NEON has
   no masked loads) run the same chains with scalar fmaf, reading only the
   columns that exist. */
#include "gemm.h"
#if defined(NNI_GEMM_NEON)
#include <arm_neon.h>
#include <math.h>

#define INL static inline __attribute__((always_inline))
#define MRN 8
#define NRN 8

INL void bodyn(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb,
               float *c, size_t ldc, const int M, int mode, float beta)
{
    float32x4_t acc[MRN][2];
    size_t p;
    int i;
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
        if (mode == NNI_ACC_ZERO) {
            acc[i][0] = vdupq_n_f32(0.0f);
            acc[i][1] = vdupq_n_f32(0.0f);
        } else {
            float32x4_t x0 = vld1q_f32(c + i * ldc), x1 = vld1q_f32(c + i * ldc + 4);
            if (mode == NNI_ACC_BETA) {
                x0 = vmulq_n_f32(x0, beta);
                x1 = vmulq_n_f32(x1, beta);
            }
            acc[i][0] = x0;
            acc[i][1] = x1;
        }
    }
    const float *ap = a;
    for (p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
#pragma GCC unroll 8
        for (i = 0; i < M; i++) {
            float32x4_t ai = vdupq_n_f32(ap[i * rsa]);
            acc[i][0] = vfmaq_f32(acc[i][0], ai, b0);
            acc[i][1] = vfmaq_f32(acc[i][1], ai, b1);
        }
        b += ldb;
        ap += csa;
    }
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
        vst1q_f32(c + i * ldc, acc[i][0]);
        vst1q_f32(c + i * ldc + 4, acc[i][1]);
    }
}

#define KARGS size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c, size_t ldc, \
              int mode, float beta
#define DEF(M)                                                                          \
    static void kn_##M(KARGS) { bodyn(kc, a, rsa, csa, b, ldb, c, ldc, M, mode, beta); }
DEF(1) DEF(2) DEF(3) DEF(4) DEF(5) DEF(6) DEF(7) DEF(8)
typedef void (*kn_fn)(KARGS);
static const kn_fn kn_table[MRN] = { kn_1, kn_2, kn_3, kn_4, kn_5, kn_6, kn_7, kn_8 };

static void edge_scalar(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                        size_t ldc, size_t mr, size_t nr, int mode, float beta)
{
    size_t i, j, p;
    for (i = 0; i < mr; i++)
        for (j = 0; j < nr; j++) {
            float acc = mode == NNI_ACC_ZERO ? 0.0f : c[i * ldc + j];
            if (mode == NNI_ACC_BETA) acc = beta * acc;
            for (p = 0; p < kc; p++) acc = fmaf(a[i * rsa + p * csa], b[p * ldb + j], acc);
            c[i * ldc + j] = acc;
        }
}

static void ukr_neon(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c, size_t ldc,
                     size_t mr, size_t nr, int mode, float beta)
{
    if (nr == NRN)
        kn_table[mr - 1](kc, a, rsa, csa, b, ldb, c, ldc, mode, beta);
    else
        edge_scalar(kc, a, rsa, csa, b, ldb, c, ldc, mr, nr, mode, beta);
}

const nni_gemm_kernel nni_gemm_kernel_neon = {
    "neon", MRN, NRN, 64, 256, 1024, 16, 16, ukr_neon, NULL, 0, NULL, 0, NULL,
};
#endif
