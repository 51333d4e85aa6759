/* GEMM driver: reference, ISA dispatch, GotoBLAS/BLIS-style blocking and the
   optional worker pool. The micro-kernels live in gemm_<isa>.c.

   Loop nest (per thread, on its own M or N range):
     jc over N in nc  ->  pc over K in kc  ->  pack B block (unless direct)
       -> ic over M in mc -> pack A block (alpha, transpose absorbed)
         -> jr over nc in NR -> ir over mc in MR -> micro-kernel
   The first K block starts each accumulator at 0 or beta*C, later ones load
   the partial sums back from C, so each C[i][j] is one fmaf chain in k order:
   the result never depends on kc, mc, nc, MR, NR, the ISA or thread count. */
#include "gemm.h"
#include "core/alloc.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#ifndef NN_NO_THREADS
#include <pthread.h>
#include <sched.h>
#endif

/* ---- Reference ---------------------------------------------------------- */

void nni_gemm_ref(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                  const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C,
                  size_t ldc)
{
    size_t i, j, p;
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

/* ---- Tiny products ---------------------------------------------------------- */

/* Products this small (m*n*k <= NNI_TINY_MNK, or a single column for a few
   rows) skip the plan, packing and kernel dispatch, which cost more than the
   arithmetic: plain loops, each C element one fmaf chain in k order from 0
   or beta*C, exactly the reference. */
#define NNI_TINY_MNK 256
#define NNI_TINY_BODY(FMA)                                                                  \
    size_t sak = trans_a ? lda : 1, sai = trans_a ? 1 : lda;                                \
    size_t sbk = trans_b ? 1 : ldb, sbj = trans_b ? ldb : 1, i, j, p;                       \
    for (i = 0; i < m; i++) {                                                               \
        for (j = 0; j < n; j++) {                                                           \
            const float *ap = A + i * sai, *bp = B + j * sbj;                               \
            float acc = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];                        \
            if (alpha == 1.0f)                                                              \
                for (p = 0; p < k; p++) acc = FMA(ap[p * sak], bp[p * sbk], acc);           \
            else                                                                            \
                for (p = 0; p < k; p++) acc = FMA(alpha * ap[p * sak], bp[p * sbk], acc);   \
            C[i * ldc + j] = acc;                                                           \
        }                                                                                   \
    }

static void tiny_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                      const float *A, size_t lda, const float *B, size_t ldb, float beta,
                      float *C, size_t ldc)
{
    NNI_TINY_BODY(fmaf)
}

#if defined(__x86_64__) || defined(__i386__)
/* The same loops with the FMA instruction inline (AVX2/AVX-512 paths only). */
__attribute__((target("fma"))) static void tiny_gemm_fma(int trans_a, int trans_b, size_t m,
                                                          size_t n, size_t k, float alpha,
                                                          const float *A, size_t lda,
                                                          const float *B, size_t ldb,
                                                          float beta, float *C, size_t ldc)
{
    NNI_TINY_BODY(__builtin_fmaf)
}
#endif

/* ---- ISA detection and dispatch ------------------------------------------ */

#if defined(NNI_GEMM_X86)
#include <cpuid.h>
static unsigned long long xgetbv0(void)
{
    unsigned int eax, edx;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0)); /* xgetbv */
    return ((unsigned long long)edx << 32) | eax;
}
static int detect_flags(void)
{
    unsigned int a, b, c, d, max_leaf;
    int flags = 1 << NNI_ISA_SCALAR;
    unsigned long long xcr0;
    if (!__get_cpuid(0, &max_leaf, &b, &c, &d)) return flags;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return flags;
    /* OSXSAVE, AVX, FMA */
    if (!(c & (1u << 27)) || !(c & (1u << 28)) || !(c & (1u << 12))) return flags;
    xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return flags; /* OS saves XMM and YMM state */
    if (max_leaf < 7) return flags;
    __cpuid_count(7, 0, a, b, c, d);
    if (b & (1u << 5)) flags |= 1 << NNI_ISA_AVX2;
    /* AVX-512F, OS saves opmask, ZMM_Hi256 and Hi16_ZMM */
    if ((b & (1u << 16)) && (xcr0 & 0xe6) == 0xe6) flags |= 1 << NNI_ISA_AVX512;
    return flags;
}
#elif defined(NNI_GEMM_NEON)
static int detect_flags(void) { return (1 << NNI_ISA_SCALAR) | (1 << NNI_ISA_NEON); }
#else
static int detect_flags(void) { return 1 << NNI_ISA_SCALAR; }
#endif

/* The only mutable global: the detected feature set. Detection is idempotent,
   so racing threads at worst both compute the same value. */
static _Atomic int g_isa_flags = -1;

static int isa_flags(void)
{
    int f = atomic_load_explicit(&g_isa_flags, memory_order_relaxed);
    if (f < 0) {
        f = detect_flags();
        atomic_store_explicit(&g_isa_flags, f, memory_order_relaxed);
    }
    return f;
}

int nni_gemm_isa_supported(int isa)
{
    if (isa < 0 || isa >= NNI_ISA_COUNT_) return 0;
    return (isa_flags() >> isa) & 1;
}

int nni_gemm_best_isa(void)
{
    static const int order[] = { NNI_ISA_AVX512, NNI_ISA_AVX2, NNI_ISA_NEON, NNI_ISA_SCALAR };
    size_t i;
    for (i = 0; i < sizeof order / sizeof order[0]; i++)
        if (nni_gemm_isa_supported(order[i])) return order[i];
    return NNI_ISA_SCALAR;
}

static const char *const isa_names[NNI_ISA_COUNT_] = { "scalar", "avx2", "avx512", "neon" };

static const nni_gemm_kernel *kernel_for(int isa)
{
    switch (isa) {
#if defined(NNI_GEMM_X86)
    case NNI_ISA_AVX2: return &nni_gemm_kernel_avx2;
    case NNI_ISA_AVX512: return &nni_gemm_kernel_avx512;
#endif
#if defined(NNI_GEMM_NEON)
    case NNI_ISA_NEON: return &nni_gemm_kernel_neon;
#endif
    default: return &nni_gemm_kernel_scalar;
    }
}

int nni_gemm_set_isa(nni_gemm *g, const char *name)
{
    int i;
    if (!g || !name) return -1;
    for (i = 0; i < NNI_ISA_COUNT_; i++) {
        if (strcmp(name, isa_names[i]) == 0) {
            if (!nni_gemm_isa_supported(i)) return -1;
            g->isa = i;
            return 0;
        }
    }
    return -1;
}

const char *nni_gemm_isa_name(const nni_gemm *g)
{
    if (!g || g->isa < 0 || g->isa >= NNI_ISA_COUNT_) return "scalar";
    return isa_names[g->isa];
}

void nni_gemm_init(nni_gemm *g)
{
    const char *env = getenv("NN_ISA");
    g->isa = nni_gemm_best_isa();
    if (env && *env) (void)nni_gemm_set_isa(g, env); /* unsupported: keep the best */
    g->threads = 1;
    g->work = NULL;
    g->work_floats = 0;
    g->res_m = g->res_n = g->res_k = 0;
    g->pool = NULL;
}

/* ---- Blocking and packing ------------------------------------------------ */

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t round_up(size_t x, size_t r) { return (x + r - 1) / r * r; }
#define NNI_ALIGN_FLOATS 16 /* 64 bytes */
#define NNI_PANEL_B_MAX_M 24 /* trans_b and m <= this: B packed one NR panel at a time */

typedef struct plan {
    size_t mc, kc, nc;
    int direct;    /* B read in place */
    int direct_a;  /* A read in place (alpha == 1) */
    size_t a_floats, b_floats; /* per-thread packing space */
} plan;

static plan make_plan(const nni_gemm_kernel *K, int trans_b, size_t m, size_t n, size_t k,
                      size_t ldb, float alpha)
{
    plan p;
    size_t mr = (size_t)K->mr, nr = (size_t)K->nr;
    /* B in place when M is small enough that packing it would not pay;
       further when its rows do not crowd into a few L1 sets. */
    p.direct = !trans_b && (m <= (size_t)K->direct_b_max_m ||
                            (m <= (size_t)K->direct_b_spread_max_m && ldb % 512 != 0));
    p.kc = min_sz((size_t)K->kc, k);
    p.mc = min_sz((size_t)K->mc, round_up(m, mr));
    if (p.direct)
        p.nc = n;
    else if (m <= min_sz((size_t)K->direct_b_max_m, NNI_PANEL_B_MAX_M))
        p.nc = min_sz(nr, round_up(n, nr)); /* small M: pack B panel by panel, L1/L2-hot */
    else
        p.nc = min_sz((size_t)K->nc, round_up(n, nr));
    /* A in place saves the packing pass, which matters when N is small; for
       wide products the packed (contiguous, TLB-friendly) panel wins. */
    p.direct_a = alpha == 1.0f && n < 512;
    p.a_floats = p.direct_a ? 0 : round_up(p.mc * p.kc, NNI_ALIGN_FLOATS);
    p.b_floats = p.direct ? 0 : round_up(p.kc * round_up(p.nc, nr), NNI_ALIGN_FLOATS);
    return p;
}

/* dst[p*MR + i] = alpha * op(A)[i0+i][k0+p] for i < rows (the kernels never
   read rows >= mr, so there is no padding to write). */
static void pack_a(size_t mr_blk, size_t rows, size_t kc, const float *A, size_t lda, int trans_a,
                   float alpha, float *dst)
{
    size_t i, p;
    if (trans_a) {
        for (p = 0; p < kc; p++) {
            const float *s = A + p * lda;
            float *d = dst + p * mr_blk;
            if (alpha == 1.0f)
                for (i = 0; i < rows; i++) d[i] = s[i];
            else
                for (i = 0; i < rows; i++) d[i] = alpha * s[i];
        }
    } else {
        for (i = 0; i < rows; i++) {
            const float *s = A + i * lda;
            float *d = dst + i;
            if (alpha == 1.0f)
                for (p = 0; p < kc; p++) d[p * mr_blk] = s[p];
            else
                for (p = 0; p < kc; p++) d[p * mr_blk] = alpha * s[p];
        }
    }
}

static void pack_b_generic(size_t kc, size_t nr, const float *B, size_t ldb, int trans_b,
                           float *dst, size_t nr_blk)
{
    size_t j, p;
    if (!trans_b) {
        for (p = 0; p < kc; p++) {
            const float *s = B + p * ldb;
            float *d = dst + p * nr_blk;
            memcpy(d, s, nr * sizeof(float));
            for (j = nr; j < nr_blk; j++) d[j] = 0.0f;
        }
    } else {
        for (j = 0; j < nr; j++) {
            const float *s = B + j * ldb;
            for (p = 0; p < kc; p++) dst[p * nr_blk + j] = s[p];
        }
        for (; j < nr_blk; j++)
            for (p = 0; p < kc; p++) dst[p * nr_blk + j] = 0.0f;
    }
}

typedef struct gemm_args {
    const nni_gemm_kernel *K;
    int ta, tb;
    size_t m, n, k;
    float alpha;
    const float *A;
    size_t lda;
    const float *B;
    size_t ldb;
    float beta;
    float *C;
    size_t ldc;
} gemm_args;

static void run_blocked(const gemm_args *g, const plan *pl, float *work)
{
    const nni_gemm_kernel *K = g->K;
    const size_t MR = (size_t)K->mr, NR = (size_t)K->nr;
    float *apack = work, *bpack = work + pl->a_floats;
    size_t jc, pc, ic, jr, ir;
    for (jc = 0; jc < g->n; jc += pl->nc) {
        size_t nc = min_sz(pl->nc, g->n - jc);
        for (pc = 0; pc < g->k; pc += pl->kc) {
            size_t kc = min_sz(pl->kc, g->k - pc);
            int mode = pc > 0 ? NNI_ACC_LOAD : (g->beta == 0.0f ? NNI_ACC_ZERO : NNI_ACC_BETA);
            if (!pl->direct) {
                for (jr = 0; jr < nc; jr += NR) {
                    size_t nr = min_sz(NR, nc - jr);
                    const float *src = g->tb ? g->B + (jc + jr) * g->ldb + pc
                                             : g->B + pc * g->ldb + jc + jr;
                    if (K->packb)
                        K->packb(kc, nr, src, g->ldb, g->tb, bpack + jr * kc);
                    else
                        pack_b_generic(kc, nr, src, g->ldb, g->tb, bpack + jr * kc, NR);
                }
            }
            for (ic = 0; ic < g->m; ic += pl->mc) {
                size_t mc = min_sz(pl->mc, g->m - ic);
                for (ir = 0; ir < mc && !pl->direct_a; ir += MR) {
                    size_t rows = min_sz(MR, mc - ir);
                    const float *src = g->ta ? g->A + pc * g->lda + ic + ir
                                             : g->A + (ic + ir) * g->lda + pc;
                    pack_a(MR, rows, kc, src, g->lda, g->ta, g->alpha, apack + ir * kc);
                }
                for (jr = 0; jr < nc; jr += NR) {
                    size_t nr = min_sz(NR, nc - jr);
                    const float *b;
                    size_t ldb;
                    if (pl->direct) {
                        b = g->B + pc * g->ldb + jc + jr;
                        ldb = g->ldb;
                    } else {
                        b = bpack + jr * kc;
                        ldb = NR;
                    }
                    for (ir = 0; ir < mc; ir += MR) {
                        size_t rows = min_sz(MR, mc - ir);
                        float *c = g->C + (ic + ir) * g->ldc + jc + jr;
                        if (pl->direct_a) {
                            size_t i0 = ic + ir;
                            if (g->ta)
                                K->ukr(kc, g->A + pc * g->lda + i0, 1, g->lda, b, ldb, c, g->ldc,
                                       rows, nr, mode, g->beta);
                            else
                                K->ukr(kc, g->A + i0 * g->lda + pc, g->lda, 1, b, ldb, c, g->ldc,
                                       rows, nr, mode, g->beta);
                        } else {
                            K->ukr(kc, apack + ir * kc, 1, MR, b, ldb, c, g->ldc, rows, nr, mode,
                                   g->beta);
                        }
                    }
                }
            }
        }
    }
}

#define NNI_MAX_THREADS 64

/* Small M with B in place: the kernel's whole-product path (no plan). */
static int use_small(const nni_gemm_kernel *K, int trans_b, size_t m)
{
    return trans_b ? m <= (size_t)K->small_bt_max_m : m <= (size_t)K->small_max_m;
}

#ifndef NN_NO_THREADS
/* Sub-problem of part t of nparts: split N (split_n) or M in chunks. */
static void sub_args(const gemm_args *g, int split_n, size_t chunk, int t, gemm_args *s)
{
    size_t lo, hi, total = split_n ? g->n : g->m;
    *s = *g;
    lo = min_sz((size_t)t * chunk, total);
    hi = min_sz(lo + chunk, total);
    if (split_n) {
        s->n = hi - lo;
        s->B = g->tb ? g->B + lo * g->ldb : g->B + lo;
        s->C = g->C + lo;
    } else {
        s->m = hi - lo;
        s->A = g->ta ? g->A + lo : g->A + lo * g->lda;
        s->C = g->C + lo * g->ldc;
    }
}

/* ---- Worker pool ----------------------------------------------------------- */

typedef struct pool_job {
    const gemm_args *g;
    int split_n;
    size_t chunk;
    float *work;
    size_t per_thread;
} pool_job;

static void run_part(const pool_job *j, int t)
{
    gemm_args s;
    plan pl;
    sub_args(j->g, j->split_n, j->chunk, t, &s);
    if (s.m == 0 || s.n == 0) return;
    if (use_small(s.K, s.tb, s.m)) {
        (s.tb ? s.K->small_bt : s.K->small)(s.ta, s.m, s.n, s.k, s.alpha, s.A, s.lda, s.B, s.ldb, s.beta, s.C, s.ldc);
        return;
    }
    pl = make_plan(s.K, s.tb, s.m, s.n, s.k, s.ldb, s.alpha);
    run_blocked(&s, &pl, j->work + (size_t)t * j->per_thread);
}

typedef struct pool_worker {
    struct nni_gemm_pool *pool;
    int index;
    pthread_t th;
} pool_worker;

struct nni_gemm_pool {
    int n;       /* threads including the caller */
    int started; /* workers created */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_ulong gen;   /* job number; its release store publishes job */
    atomic_int pending; /* workers still running the current job */
    atomic_int stop;
    const pool_job *job;
    pool_worker w[NNI_MAX_THREADS];
};

/* Waking a sleeping thread costs tens of microseconds (more on a VM, where an idle vCPU
   halts), while training issues its products microseconds apart: both sides spin a while
   (pause, then yield the CPU so an oversubscribed machine still makes progress) before
   they block on a condition variable. */
#define NNI_SPIN_PAUSES 4000
#define NNI_SPIN_YIELDS 200

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin until the caller published a job other than `seen` (or stop) — or, with for_done (the
   caller), until every worker finished. 1 then, 0 when the budget ran out. */
static int spin_until(struct nni_gemm_pool *p, int for_done, unsigned long seen)
{
    int i;
    for (i = 0; i < NNI_SPIN_PAUSES + NNI_SPIN_YIELDS; i++) {
        if (for_done ? atomic_load_explicit(&p->pending, memory_order_acquire) == 0
                     : atomic_load_explicit(&p->gen, memory_order_acquire) != seen ||
                           atomic_load_explicit(&p->stop, memory_order_relaxed))
            return 1;
        if (i < NNI_SPIN_PAUSES) cpu_relax();
        else sched_yield();
    }
    return 0;
}

static void *pool_main(void *arg)
{
    pool_worker *w = (pool_worker *)arg;
    struct nni_gemm_pool *p = w->pool;
    unsigned long seen = 0;
    for (;;) {
        if (!spin_until(p, 0, seen)) {
            pthread_mutex_lock(&p->mu);
            while (!atomic_load(&p->stop) && atomic_load(&p->gen) == seen) pthread_cond_wait(&p->go, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        /* the caller issues the next job only after every worker finished this one, so
           gen moved by exactly one and job is the one published with it */
        seen = atomic_load_explicit(&p->gen, memory_order_acquire);
        run_part(p->job, w->index);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void pool_destroy(struct nni_gemm_pool *p, const nn_allocator *a)
{
    int i;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (i = 1; i < p->started; i++) pthread_join(p->w[i].th, NULL);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    nni_free(a, p);
}

static struct nni_gemm_pool *pool_create(const nn_allocator *a, int n)
{
    int i;
    struct nni_gemm_pool *p = (struct nni_gemm_pool *)nni_alloc(a, sizeof *p);
    if (!p) return NULL;
    p->n = n;
    p->started = 1;
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->stop, 0);
    p->job = NULL;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        nni_free(a, p);
        return NULL;
    }
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (i = 1; i < n; i++) {
        p->w[i].pool = p;
        p->w[i].index = i;
        if (pthread_create(&p->w[i].th, NULL, pool_main, &p->w[i]) != 0) break;
        p->started = i + 1;
    }
    if (p->started != n) {
        pool_destroy(p, a);
        return NULL;
    }
    return p;
}

/* Runs part 0 here and parts 1..n-1 on the workers (parts past the job's
   end are empty); no allocation. */
static void pool_run(struct nni_gemm_pool *p, const pool_job *job)
{
    p->job = job;
    atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
    pthread_mutex_lock(&p->mu); /* a worker about to sleep re-checks gen under the lock */
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    run_part(job, 0);
    if (!spin_until(p, 1, 0)) {
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->pending) > 0) pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}
#else
struct nni_gemm_pool {
    int unused;
};
static void pool_destroy(struct nni_gemm_pool *p, const nn_allocator *a) { (void)p; (void)a; }
#endif

/* ---- Reserve / release / threads ------------------------------------------ */

static size_t need_per_thread(size_t m, size_t n, size_t k)
{
    size_t need = 0;
    int isa;
    if (m == 0 || n == 0 || k == 0) return 0;
    for (isa = 0; isa < NNI_ISA_COUNT_; isa++) {
        plan pl;
        if (!nni_gemm_isa_supported(isa)) continue;
        pl = make_plan(kernel_for(isa), 1, m, n, k, 1, 0.5f); /* packed A and B: the larger plan */
        if (pl.a_floats + pl.b_floats > need) need = pl.a_floats + pl.b_floats;
    }
    return need;
}

static nn_status ensure_work(nni_gemm *g, const nn_allocator *a, int threads)
{
    size_t per = need_per_thread(g->res_m, g->res_n, g->res_k), total;
    float *w;
    if (per == 0) return NN_OK;
    if (!nni_mul_ok(per, (size_t)threads, &total) || total > (size_t)-1 / 8) return NN_ERR_NOMEM;
    total += NNI_ALIGN_FLOATS;
    if (total <= g->work_floats) return NN_OK;
    w = (float *)nni_alloc_array(a, total, sizeof(float));
    if (!w) return NN_ERR_NOMEM;
    nni_free(a, g->work);
    g->work = w;
    g->work_floats = total;
    return NN_OK;
}

size_t nni_gemm_reserve_floats(const nni_gemm *g, size_t max_m, size_t max_n, size_t max_k)
{
    size_t per, total;
    per = need_per_thread(max_m > g->res_m ? max_m : g->res_m, max_n > g->res_n ? max_n : g->res_n,
                          max_k > g->res_k ? max_k : g->res_k);
    if (per == 0 || !nni_mul_ok(per, (size_t)g->threads, &total)) return 0;
    total += NNI_ALIGN_FLOATS;
    return total <= g->work_floats ? 0 : total;
}

nn_status nni_gemm_reserve(nni_gemm *g, const nn_allocator *a, size_t max_m, size_t max_n,
                           size_t max_k)
{
    size_t om = g->res_m, on = g->res_n, ok = g->res_k;
    nn_status st;
    if (max_m > g->res_m) g->res_m = max_m;
    if (max_n > g->res_n) g->res_n = max_n;
    if (max_k > g->res_k) g->res_k = max_k;
    st = ensure_work(g, a, g->threads);
    if (st != NN_OK) {
        g->res_m = om;
        g->res_n = on;
        g->res_k = ok;
    }
    return st;
}

void nni_gemm_release(nni_gemm *g, const nn_allocator *a)
{
    pool_destroy(g->pool, a);
    g->pool = NULL;
    g->threads = 1;
    nni_free(a, g->work);
    g->work = NULL;
    g->work_floats = 0;
    g->res_m = g->res_n = g->res_k = 0;
}

nn_status nni_gemm_set_threads(nni_gemm *g, const nn_allocator *a, int n)
{
    if (!g || !a || n < 1 || n > NNI_MAX_THREADS) return NN_ERR_INVALID_ARG;
    if (n == g->threads) return NN_OK;
#ifdef NN_NO_THREADS
    if (n > 1) return NN_ERR_UNSUPPORTED;
    return NN_OK;
#else
    {
        struct nni_gemm_pool *p = NULL;
        nn_status st = ensure_work(g, a, n);
        if (st != NN_OK) return st;
        if (n > 1) {
            p = pool_create(a, n);
            if (!p) return NN_ERR_NOMEM;
        }
        pool_destroy(g->pool, a);
        g->pool = p;
        g->threads = n;
        return NN_OK;
    }
#endif
}

/* ---- Entry point ----------------------------------------------------------- */

#ifdef NN_CBLAS
/* Optional: with -DNN_CBLAS (link a CBLAS, e.g. -lopenblas) large products go
   to cblas_sgemm. BIT-IDENTITY IS NOT PROMISED THEN: the BLAS may split or
   reorder the k sum, so results differ from the other paths and between
   machines; determinism across ISAs and thread counts is lost. */
enum { CblasRowMajor_ = 101, CblasNoTrans_ = 111, CblasTrans_ = 112 };
extern void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta, float *C,
                        int ldc);
#define NNI_CBLAS_MIN_FLOPS (64.0 * 64.0 * 64.0)
#endif

void nni_gemm_run(const nni_gemm *g, int trans_a, int trans_b, size_t m, size_t n, size_t k,
              float alpha, const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc)
{
    gemm_args args;
    plan pl;
    float *work;
    size_t avail, i, j;
    int nt;
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (i = 0; i < m; i++)
            for (j = 0; j < n; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    if ((m <= NNI_TINY_MNK && n <= NNI_TINY_MNK && m * n * k <= NNI_TINY_MNK) ||
        (n == 1 && m <= 4 && k <= 4096)) {
#if defined(NNI_GEMM_X86)
        if (g->isa == NNI_ISA_AVX2 || g->isa == NNI_ISA_AVX512) {
            tiny_gemm_fma(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
            return;
        }
#endif
        tiny_gemm(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
#ifdef NN_CBLAS
    if ((double)m * (double)n * (double)k >= NNI_CBLAS_MIN_FLOPS && m < 0x7fffffff &&
        n < 0x7fffffff && k < 0x7fffffff && lda < 0x7fffffff && ldb < 0x7fffffff &&
        ldc < 0x7fffffff) {
        cblas_sgemm(CblasRowMajor_, trans_a ? CblasTrans_ : CblasNoTrans_,
                    trans_b ? CblasTrans_ : CblasNoTrans_, (int)m, (int)n, (int)k, alpha, A,
                    (int)lda, B, (int)ldb, beta, C, (int)ldc);
        return;
    }
#endif
    args.K = kernel_for(g->isa);
    args.ta = trans_a;
    args.tb = trans_b;
    args.m = m;
    args.n = n;
    args.k = k;
    args.alpha = alpha;
    args.A = A;
    args.lda = lda;
    args.B = B;
    args.ldb = ldb;
    args.beta = beta;
    args.C = C;
    args.ldc = ldc;
    work = (float *)(((uintptr_t)g->work + 63) & ~(uintptr_t)63);
    avail = g->work_floats > NNI_ALIGN_FLOATS ? g->work_floats - NNI_ALIGN_FLOATS : 0;
    if (!g->work) avail = 0;

    nt = g->threads;
#ifndef NN_NO_THREADS
    if (nt > 1 && g->pool && (double)m * (double)n * (double)k >= 32768.0) {
        pool_job job;
        size_t MR = (size_t)args.K->mr, NR = (size_t)args.K->nr;
        int split_n = n / NR >= m / MR;
        size_t total = split_n ? n : m, unit = split_n ? NR : MR, units = (total + unit - 1) / unit;
        int parts = nt;
        if ((size_t)parts > units) parts = (int)units;
        if (parts > 1) {
            job.g = &args;
            job.split_n = split_n;
            job.chunk = (units + (size_t)parts - 1) / (size_t)parts * unit;
            /* chunks cover total in ceil(total/chunk) parts */
            parts = (int)((total + job.chunk - 1) / job.chunk);
            pl = make_plan(args.K, trans_b, split_n ? m : min_sz(m, job.chunk),
                           split_n ? min_sz(n, job.chunk) : n, k, ldb, alpha);
            job.per_thread = pl.a_floats + pl.b_floats;
            if (parts > 1 && job.per_thread * (size_t)parts <= avail) {
                job.work = work;
                pool_run(g->pool, &job);
                return;
            }
        }
    }
#endif
    (void)nt;
    if (use_small(args.K, trans_b, m)) {
        (trans_b ? args.K->small_bt : args.K->small)(trans_a, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    pl = make_plan(args.K, trans_b, m, n, k, ldb, alpha);
    if (pl.a_floats + pl.b_floats > avail) {
        /* Not enough reserved space: no allocation, the plain chain instead. */
        nni_gemm_ref(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    run_blocked(&args, &pl, work);
}
