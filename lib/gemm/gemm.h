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
 *
 * Implementation (GotoBLAS/BLIS style, see gemm.c): A is packed (alpha and
 * transpose absorbed) into MR-row micro-panels, B is either packed into
 * NR-column micro-panels or, for small M with trans_b == 0, read in place; a
 * register-blocked micro-kernel per ISA (gemm_avx512.c, gemm_avx2.c,
 * gemm_neon.c, gemm_scalar.c) runs the k loop. Every output element keeps one
 * fmaf chain in k order (K blocks continue the chain through C), so every
 * path, block size and thread count gives the same bits as nni_gemm_ref.
 *
 * A nni_gemm is used by one thread at a time (it may own a worker pool).
 */
#ifndef NNI_GEMM_H
#define NNI_GEMM_H
#include <stddef.h>
#include "nn.h"

enum { NNI_ISA_SCALAR = 0, NNI_ISA_AVX2 = 1, NNI_ISA_AVX512 = 2, NNI_ISA_NEON = 3, NNI_ISA_COUNT_ = 4 };

struct nni_gemm_pool;

typedef struct nni_gemm {
    int isa;          /* chosen kernel family, NNI_ISA_* */
    int threads;      /* 1 = no threading */
    float *work;      /* packing buffers, owned, from the model's allocator */
    size_t work_floats;
    size_t res_m, res_n, res_k;   /* largest sizes reserved so far */
    struct nni_gemm_pool *pool;   /* worker threads (threads > 1), owned */
} nni_gemm;

/* Initialise with the best kernel for this CPU (no allocation). The
   environment variable NN_ISA=scalar|avx2|avx512|neon forces a path; an
   unsupported request falls back to the best supported one. */
void nni_gemm_init(nni_gemm *g);
/* Make sure packing space exists for products up to these sizes; allocates
   only when more is needed, so the training loop never allocates. */
nn_status nni_gemm_reserve(nni_gemm *g, const nn_allocator *a, size_t max_m, size_t max_n,
                           size_t max_k);
/* Floats nni_gemm_reserve(g, ...) would allocate now (0 when the space suffices). */
size_t nni_gemm_reserve_floats(const nni_gemm *g, size_t max_m, size_t max_n, size_t max_k);
/* Frees the packing space and joins the worker threads. */
void nni_gemm_release(nni_gemm *g, const nn_allocator *a);

/* C = alpha*op(A)*op(B) + beta*C under the contract above. Never allocates:
   when the reserved space is too small for the call it takes a slower
   non-packing path with the same bits. */
void nni_gemm_run(const nni_gemm *g, int trans_a, int trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc);

/* The portable reference: the contract written out as plain loops. */
void nni_gemm_ref(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                  const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                  size_t ldc);

/* Force a kernel family by name ("scalar", "avx2", "avx512", "neon"): 0 when
   this CPU and build support it, -1 otherwise (g unchanged). */
int nni_gemm_set_isa(nni_gemm *g, const char *name);
const char *nni_gemm_isa_name(const nni_gemm *g);
/* Best kernel family this CPU supports (detected once, thread-safe). */
int nni_gemm_best_isa(void);
/* 1 when this CPU and build can run the family. */
int nni_gemm_isa_supported(int isa);

/* Worker threads for large products (off by default: 1). The M x N tiles
   are split over n threads from a persistent pool owned by g (created here,
   joined by nni_gemm_release); k is never split, so the bits do not depend on
   n. Grows the packing space for n threads. Built with -DNN_NO_THREADS, n > 1
   gives NN_ERR_UNSUPPORTED. */
nn_status nni_gemm_set_threads(nni_gemm *g, const nn_allocator *a, int n);

/* ---- Kernel interface (internal to lib/gemm) ---------------------------- */

/* One MR x NR tile (mr <= MR rows, nr <= NR columns stored):
     a: A elements a[i*rsa + p*csa] for i < mr (rows >= mr are never read):
        a packed micro-panel (rsa = 1, csa = MR) or, when alpha == 1, op(A)
        in place (rsa, csa = lda, 1 or 1, lda)
     b: B rows, b[p*ldb + j] for j < nr (columns >= nr are never read)
     c: C tile with row stride ldc.
   mode: NNI_ACC_LOAD acc = C, NNI_ACC_ZERO acc = 0, NNI_ACC_BETA acc = beta*C. */
enum { NNI_ACC_LOAD = 0, NNI_ACC_ZERO = 1, NNI_ACC_BETA = 2 };
typedef void (*nni_ukr_fn)(size_t kc, const float *a, size_t rsa, size_t csa, const float *b,
                           size_t ldb, float *c, size_t ldc, size_t mr, size_t nr, int mode,
                           float beta);
/* Pack op(B)[k0..k0+kc)[j0..j0+nr) into dst[p*NR + j], zero-padding j >= nr. */
typedef void (*nni_packb_fn)(size_t kc, size_t nr, const float *B, size_t ldb, int trans_b,
                             float *dst);

typedef struct nni_gemm_kernel {
    const char *name;
    int mr, nr;          /* register tile */
    int mc, kc, nc;      /* cache blocks (mc multiple of mr, nc of nr) */
    int direct_b_max_m;  /* trans_b == 0 and m <= this: B read in place */
    nni_ukr_fn ukr;
    nni_packb_fn packb;  /* NULL: generic packing */
} nni_gemm_kernel;

extern const nni_gemm_kernel nni_gemm_kernel_scalar;
#if defined(__x86_64__) || defined(__i386__)
#define NNI_GEMM_X86 1
extern const nni_gemm_kernel nni_gemm_kernel_avx2;
extern const nni_gemm_kernel nni_gemm_kernel_avx512;
#endif
#if defined(__aarch64__)
#define NNI_GEMM_NEON 1
extern const nni_gemm_kernel nni_gemm_kernel_neon;
#endif

#endif
