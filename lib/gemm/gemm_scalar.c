/* Portable micro-kernel: plain fmaf, 4 x 4 register tile. Used where no SIMD
   kernel applies and as the baseline all other paths must match bit for bit. */
#include "gemm.h"
#include <math.h>

#define SMR 4
#define SNR 4

static void ukr_scalar(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                       size_t ldc, size_t mr, size_t nr, int mode, float beta)
{
    float acc[SMR][SNR];
    size_t i, j, p;
    for (i = 0; i < SMR; i++)
        for (j = 0; j < SNR; j++) {
            float x = 0.0f;
            if (i < mr && j < nr && mode != NNI_ACC_ZERO) {
                x = c[i * ldc + j];
                if (mode == NNI_ACC_BETA) x = beta * x;
            }
            acc[i][j] = x;
        }
    if (mr == SMR && nr == SNR) {
        for (p = 0; p < kc; p++) {
            const float *bp = b + p * ldb, *ap = a + p * csa;
            for (i = 0; i < SMR; i++)
                for (j = 0; j < SNR; j++) acc[i][j] = fmaf(ap[i * rsa], bp[j], acc[i][j]);
        }
    } else {
        for (p = 0; p < kc; p++) {
            const float *bp = b + p * ldb, *ap = a + p * csa;
            for (i = 0; i < mr; i++)
                for (j = 0; j < nr; j++) acc[i][j] = fmaf(ap[i * rsa], bp[j], acc[i][j]);
        }
    }
    for (i = 0; i < mr; i++)
        for (j = 0; j < nr; j++) c[i * ldc + j] = acc[i][j];
}

const nni_gemm_kernel nni_gemm_kernel_scalar = {
    "scalar", SMR, SNR, 64, 256, 512, 4, 4, ukr_scalar, NULL, 0, NULL, 0, NULL,
};
