/* Portable reference GEMM: one fmaf chain per output element in k order,
   exactly the contract in gemm.h. The SIMD core replaces the inner work but
   must keep this arithmetic bit for bit. */
#include "gemm.h"
#include <math.h>

void nni_gemm_init(nni_gemm *g)
{
    g->isa = 0;
    g->threads = 1;
    g->work = NULL;
    g->work_floats = 0;
}

nn_status nni_gemm_reserve(nni_gemm *g, const nn_allocator *a, size_t max_m, size_t max_n,
                           size_t max_k)
{
    (void)g; (void)a; (void)max_m; (void)max_n; (void)max_k;
    return NN_OK;
}

void nni_gemm_release(nni_gemm *g, const nn_allocator *a)
{
    (void)a;
    g->work = NULL;
    g->work_floats = 0;
}

void nni_gemm_run(const nni_gemm *g, int trans_a, int trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc)
{
    size_t i, j, p;
    (void)g;
    for (i = 0; i < m; i++) {
        for (j = 0; j < n; j++) {
            float acc = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            for (p = 0; p < k; p++) {
                float a = trans_a ? A[p * lda + i] : A[i * lda + p];
                float b = trans_b ? B[j * ldb + p] : B[p * ldb + j];
                if (alpha != 1.0f) a = alpha * a;
                acc = fmaf(a, b, acc);
            }
            C[i * ldc + j] = acc;
        }
    }
}
