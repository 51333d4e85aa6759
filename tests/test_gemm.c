/* GEMM core: accuracy against a double-precision reference and bit identity
   of every kernel path, block size, thread count and fallback against the
   plain fmaf-chain reference nni_gemm_ref. */
#include "harness.h"
#include "gemm/gemm.h"
#include "core/alloc.h"
#include <stdint.h>
#include <stdlib.h>

static uint64_t tg_state = 0x9e3779b97f4a7c15ull;
static float tg_rand(void)
{
    tg_state = tg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((int)(tg_state >> 40) - (1 << 23)) / (float)(1 << 23); /* [-1, 1) */
}
static float *tg_buf(size_t n)
{
    float *p = (float *)malloc((n ? n : 1) * sizeof(float));
    size_t i;
    for (i = 0; i < n; i++) p[i] = tg_rand();
    return p;
}

typedef struct tg_case {
    int ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    float *A, *B, *C0;
} tg_case;

static void tg_make(tg_case *c, int ta, int tb, size_t m, size_t n, size_t k, size_t pad,
                    float alpha, float beta)
{
    c->ta = ta;
    c->tb = tb;
    c->m = m;
    c->n = n;
    c->k = k;
    c->lda = (ta ? m : k) + pad;
    c->ldb = (tb ? k : n) + pad;
    c->ldc = n + pad;
    c->alpha = alpha;
    c->beta = beta;
    c->A = tg_buf((ta ? k : m) * c->lda);
    c->B = tg_buf((tb ? n : k) * c->ldb);
    c->C0 = tg_buf(m * c->ldc);
}
static void tg_free(tg_case *c)
{
    free(c->A);
    free(c->B);
    free(c->C0);
}
static float *tg_copy_c(const tg_case *c)
{
    size_t sz = c->m * c->ldc;
    float *C = (float *)malloc((sz ? sz : 1) * sizeof(float));
    memcpy(C, c->C0, c->m * c->ldc * sizeof(float));
    return C;
}
static void tg_run(const nni_gemm *g, const tg_case *c, float *C)
{
    nni_gemm_run(g, c->ta, c->tb, c->m, c->n, c->k, c->alpha, c->A, c->lda, c->B, c->ldb, c->beta, C,
             c->ldc);
}
static float *tg_ref(const tg_case *c)
{
    float *C = tg_copy_c(c);
    nni_gemm_ref(c->ta, c->tb, c->m, c->n, c->k, c->alpha, c->A, c->lda, c->B, c->ldb, c->beta,
                 C, c->ldc);
    return C;
}

/* |C - exact| within a few ulps of the magnitude sum (plus padding untouched). */
static int tg_check_double(const tg_case *c, const float *C)
{
    size_t i, j, p, bad = 0;
    for (i = 0; i < c->m; i++) {
        for (j = 0; j < c->n; j++) {
            double s = c->beta == 0.0f ? 0.0 : (double)c->beta * c->C0[i * c->ldc + j];
            double mag = fabs(s);
            for (p = 0; p < c->k; p++) {
                double a = c->ta ? c->A[p * c->lda + i] : c->A[i * c->lda + p];
                double b = c->tb ? c->B[j * c->ldb + p] : c->B[p * c->ldb + j];
                a = (double)(float)(c->alpha * (float)a);
                s += a * b;
                mag += fabs(a * b);
            }
            if (!(fabs(C[i * c->ldc + j] - s) <= 1e-6 * (double)(c->k + 2) * (mag + 1e-30)))
                bad++;
        }
        for (j = c->n; j < c->ldc; j++)
            if (memcmp(&C[i * c->ldc + j], &c->C0[i * c->ldc + j], sizeof(float)) != 0) bad++;
    }
    return bad == 0;
}

/* Every supported ISA (with the given threads / reserve) gives the reference bits. */
static int tg_all_paths_match(const tg_case *c, int threads, int reserve)
{
    static const char *const isas[] = { "scalar", "avx2", "avx512", "neon" };
    nn_allocator al = nni_default_allocator();
    float *R = tg_ref(c);
    int ok = 1;
    size_t s;
    for (s = 0; s < sizeof isas / sizeof isas[0]; s++) {
        nni_gemm g;
        float *C;
        nni_gemm_init(&g);
        if (nni_gemm_set_isa(&g, isas[s]) != 0) continue;
        if (reserve) nni_gemm_reserve(&g, &al, c->m, c->n, c->k);
        if (threads > 1 && nni_gemm_set_threads(&g, &al, threads) != NN_OK) {
            nni_gemm_release(&g, &al);
            continue;
        }
        C = tg_copy_c(c);
        tg_run(&g, c, C);
        if (memcmp(C, R, c->m * c->ldc * sizeof(float)) != 0) {
            ok = 0;
            fprintf(stderr, "  mismatch isa=%s threads=%d reserve=%d ta=%d tb=%d m=%zu n=%zu k=%zu\n",
                    isas[s], threads, reserve, c->ta, c->tb, c->m, c->n, c->k);
        }
        free(C);
        nni_gemm_release(&g, &al);
    }
    free(R);
    return ok;
}

TEST(gemm_transposes_alpha_beta)
{
    static const float alphas[] = { 1.0f, 0.0f, -0.75f }, betas[] = { 0.0f, 1.0f, 0.5f };
    static const size_t shapes[][3] = { { 7, 13, 9 }, { 37, 70, 300 }, { 1, 65, 40 } };
    int ta, tb;
    size_t ai, bi, si;
    for (si = 0; si < 3; si++)
        for (ta = 0; ta < 2; ta++)
            for (tb = 0; tb < 2; tb++)
                for (ai = 0; ai < 3; ai++)
                    for (bi = 0; bi < 3; bi++) {
                        tg_case c;
                        nni_gemm g;
                        nn_allocator al = nni_default_allocator();
                        float *C;
                        tg_make(&c, ta, tb, shapes[si][0], shapes[si][1], shapes[si][2], 3,
                                alphas[ai], betas[bi]);
                        nni_gemm_init(&g);
                        CHECK(nni_gemm_reserve(&g, &al, c.m, c.n, c.k) == NN_OK);
                        C = tg_copy_c(&c);
                        tg_run(&g, &c, C);
                        CHECK_MSG(tg_check_double(&c, C), "accuracy ta=%d tb=%d alpha=%g beta=%g",
                                  ta, tb, (double)c.alpha, (double)c.beta);
                        CHECK(tg_all_paths_match(&c, 1, 1));
                        free(C);
                        nni_gemm_release(&g, &al);
                        tg_free(&c);
                    }
}

TEST(gemm_ragged_sizes_bit_identical)
{
    size_t m, n, k, count = 0;
    for (m = 1; m <= 33; m++)
        for (n = 1; n <= 33; n++)
            for (k = 1; k <= 33; k++) {
                tg_case c;
                int ta, tb;
                if ((m * 7 + n * 13 + k * 5) % 23 != 0 && !(m == 33 && n == 33)) continue;
                ta = (int)((m + k) & 1);
                tb = (int)((n + k / 2) & 1);
                tg_make(&c, ta, tb, m, n, k, (m + n) % 3, (k % 3) ? 1.0f : 1.5f,
                        (n % 3) ? 0.0f : -1.25f);
                CHECK(tg_all_paths_match(&c, 1, 1));
                if ((count++ % 8) == 0) {
                    float *C = tg_ref(&c);
                    CHECK(tg_check_double(&c, C));
                    free(C);
                }
                tg_free(&c);
            }
}

TEST(gemm_big_dims_one_at_a_time)
{
    static const size_t big[] = { 64, 100, 257, 1000 };
    size_t bi, d;
    int t;
    for (bi = 0; bi < 4; bi++)
        for (d = 0; d < 3; d++)
            for (t = 0; t < 4; t++) {
                tg_case c;
                size_t dims[3] = { 5, 17, 9 };
                dims[d] = big[bi];
                tg_make(&c, t & 1, t >> 1, dims[0], dims[1], dims[2], 1, t == 2 ? 2.0f : 1.0f,
                        t == 3 ? 1.0f : 0.0f);
                CHECK(tg_all_paths_match(&c, 1, 1));
                if (bi == 3 && t == 0) {
                    float *C = tg_ref(&c);
                    CHECK(tg_check_double(&c, C));
                    free(C);
                }
                tg_free(&c);
            }
}

/* Small M (whole-product paths without a plan) and tiny products: every row
   count 1..9, column counts around the 16-lane vectors and chunk widths
   (48, 64, 80, 96, 128, 256), k across the alpha block (256), both
   transposes, alpha/beta variants, padded leading dimensions. */
TEST(gemm_small_m_and_tiny_bit_identical)
{
    static const size_t ns[] = { 1, 2, 5, 16, 17, 47, 48, 63, 64, 65, 81, 127, 128, 200, 256, 257, 300 };
    static const size_t ks[] = { 1, 3, 40, 300 };
    static const float ab[][2] = { { 1.0f, 0.0f }, { 0.5f, 0.75f }, { 1.0f, 1.0f } };
    size_t m, ni, ki, v;
    int t;
    for (m = 1; m <= 9; m++)
        for (ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
                for (t = 0; t < 4; t++) {
                    tg_case c;
                    v = (m + ni + ki + (size_t)t) % 3;
                    if (ks[ki] == 300 && ni % 3 != 0) continue; /* keep the run short */
                    tg_make(&c, t & 1, t >> 1, m, ns[ni], ks[ki], (m + ni) % 3, ab[v][0], ab[v][1]);
                    CHECK(tg_all_paths_match(&c, 1, 1));
                    if (m == 8 && ki == 2 && ni % 4 == 0) CHECK(tg_all_paths_match(&c, 2, 1));
                    tg_free(&c);
                }
}

TEST(gemm_blocking_threads_and_fallback_bit_identical)
{
    /* m > mc, n > nc, k > kc so every cache block boundary is crossed. */
    static const size_t shapes[][3] = { { 150, 1100, 300 }, { 8, 300, 700 }, { 100, 257, 70 } };
    size_t si;
    int t, th;
    for (si = 0; si < 3; si++)
        for (t = 0; t < 4; t++) {
            tg_case c;
            tg_make(&c, t & 1, t >> 1, shapes[si][0], shapes[si][1], shapes[si][2], 2, 1.0f,
                    (t & 1) ? 0.0f : 0.5f);
            for (th = 1; th <= 3; th++) CHECK(tg_all_paths_match(&c, th, 1));
            if (si == 2) CHECK(tg_all_paths_match(&c, 1, 0)); /* no reserve: fallback */
            tg_free(&c);
        }
}

TEST(gemm_tiny_reserve_falls_back)
{
    nn_allocator al = nni_default_allocator();
    tg_case c;
    nni_gemm g;
    float *C, *R;
    int t;
    for (t = 0; t < 4; t++) {
        tg_make(&c, t & 1, t >> 1, 33, 47, 29, 1, 0.5f, 2.0f);
        R = tg_ref(&c);
        nni_gemm_init(&g);
        CHECK(nni_gemm_reserve(&g, &al, 1, 1, 1) == NN_OK);
        C = tg_copy_c(&c);
        tg_run(&g, &c, C);
        CHECK(memcmp(C, R, c.m * c.ldc * sizeof(float)) == 0);
        free(C);
        free(R);
        nni_gemm_release(&g, &al);
        tg_free(&c);
    }
}

TEST(gemm_beta_zero_ignores_nan)
{
    nn_allocator al = nni_default_allocator();
    size_t i, s;
    static const size_t shapes[][3] = { { 1, 20, 16 }, { 13, 70, 33 }, { 64, 64, 64 } };
    for (s = 0; s < 3; s++) {
        tg_case c;
        int isa;
        tg_make(&c, 0, 0, shapes[s][0], shapes[s][1], shapes[s][2], 0, 1.0f, 0.0f);
        for (i = 0; i < c.m * c.ldc; i++) c.C0[i] = NAN;
        for (isa = 0; isa < NNI_ISA_COUNT_; isa++) {
            nni_gemm g;
            float *C = tg_copy_c(&c);
            int finite = 1;
            if (!nni_gemm_isa_supported(isa)) {
                free(C);
                continue;
            }
            nni_gemm_init(&g);
            g.isa = isa;
            nni_gemm_reserve(&g, &al, c.m, c.n, c.k);
            tg_run(&g, &c, C);
            for (i = 0; i < c.m * c.ldc; i++) finite &= isfinite(C[i]) != 0;
            CHECK(finite);
            nni_gemm_release(&g, &al);
            free(C);
        }
        CHECK(tg_all_paths_match(&c, 1, 1));
        tg_free(&c);
    }
}

TEST(gemm_k_zero_and_isa_names)
{
    nni_gemm g;
    float C[4] = { 1, 2, NAN, 4 };
    nni_gemm_init(&g);
    nni_gemm_run(&g, 0, 0, 2, 2, 0, 1.0f, NULL, 1, NULL, 2, 0.5f, C, 2);
    CHECK(C[0] == 0.5f && C[1] == 1.0f && C[3] == 2.0f);
    nni_gemm_run(&g, 0, 0, 2, 2, 0, 1.0f, NULL, 1, NULL, 2, 0.0f, C, 2);
    CHECK(C[0] == 0.0f && C[2] == 0.0f);
    CHECK(nni_gemm_set_isa(&g, "bogus") == -1);
    CHECK(nni_gemm_set_isa(&g, "scalar") == 0);
    CHECK(strcmp(nni_gemm_isa_name(&g), "scalar") == 0);
    CHECK(nni_gemm_isa_supported(nni_gemm_best_isa()));
#if defined(__x86_64__)
    CHECK(nni_gemm_set_isa(&g, "neon") == -1);
#endif
}

TEST(gemm_set_threads_arguments)
{
    nn_allocator al = nni_default_allocator();
    nni_gemm g;
    nni_gemm_init(&g);
    CHECK(nni_gemm_set_threads(&g, &al, 0) == NN_ERR_INVALID_ARG);
#ifdef NN_NO_THREADS
    CHECK(nni_gemm_set_threads(&g, &al, 2) == NN_ERR_UNSUPPORTED);
#else
    CHECK(nni_gemm_set_threads(&g, &al, 2) == NN_OK);
    CHECK(nni_gemm_set_threads(&g, &al, 4) == NN_OK);
    CHECK(nni_gemm_set_threads(&g, &al, 1) == NN_OK);
    CHECK(nni_gemm_set_threads(&g, &al, 3) == NN_OK);
#endif
    nni_gemm_release(&g, &al);
}
