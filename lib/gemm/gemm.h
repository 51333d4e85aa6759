/*
 * The one internal GEMM interface. Every matrix product in libnn goes through
 * nni_gemm_run, so a faster kernel speeds up every layer without touching it.
 *
 * Semantics (the bit-exact contract every implementation keeps, whatever the
 * ISA, blocking or thread count):
 *
 *   C[i][j] = chain over k = 0..K-1, in increasing k, of
 *             acc = fmaf(a(i,k), b(k,j), acc)
 *   starting from acc = (beta == 0 ? 0 : beta * C[i][j]),
 *   where a(i,k) = alpha * op(A)[i][k] (exactly op(A)[i][k] when alpha == 1)
 *   and b(k,j) = op(B)[k][j].
 *
 * When beta == 0, C is not read (it may hold NaN). op(X) is X or its
 * transpose. Row-major storage with leading dimensions lda, ldb, ldc.
 */
#ifndef NNI_GEMM_H
#define NNI_GEMM_H
#include <stddef.h>
#include "nn.h"

typedef struct nni_gemm {
    int isa;          /* chosen kernel family, see gemm.c */
    int threads;      /* 1 = no threading */
    float *work;      /* packing buffers, owned, from the model's allocator */
    size_t work_floats;
} nni_gemm;

/* Initialise with the best kernel for this CPU (no allocation). */
void nni_gemm_init(nni_gemm *g);
/* Make sure packing space exists for products up to these sizes; allocates
   only when more is needed, so the training loop never allocates. */
nn_status nni_gemm_reserve(nni_gemm *g, const nn_allocator *a, size_t max_m, size_t max_n,
                           size_t max_k);
void nni_gemm_release(nni_gemm *g, const nn_allocator *a);

void nni_gemm_run(const nni_gemm *g, int trans_a, int trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc);

#endif
