/* GEMM benchmark: libnn (each kernel path) against OpenBLAS, BLIS and oneDNN
   loaded with dlopen at run time (no build-time dependency; a peer that is
   not installed is skipped). Each implementation runs in its own child
   process (this binary re-executed with --child), because OpenBLAS reads
   OPENBLAS_CORETYPE only when it is loaded. Single-threaded throughout.

   usage: bench_gemm [--quick]          full table
          bench_gemm --child IMPL       (internal) one column, "idx gflops" lines */
#define _GNU_SOURCE
#define _DEFAULT_SOURCE
#include "gemm/gemm.h"
#include "core/alloc.h"
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* ---- shapes ---------------------------------------------------------------- */

typedef struct shape {
    int ta, tb;
    int m, n, k;
    int train; /* 1: training shape, 0: square */
} shape;

static shape shapes[256];
static int n_shapes;

static void make_shapes(void)
{
    static const int ms[] = { 1, 8, 32, 128, 256 }, nk[] = { 64, 256, 1024 };
    static const int forms[3][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 } };
    static const int sq[] = { 128, 256, 512, 1024, 2048 };
    int f, a, b, c;
    for (f = 0; f < 3; f++)
        for (a = 0; a < 5; a++)
            for (b = 0; b < 3; b++)
                for (c = 0; c < 3; c++) {
                    shape s = { forms[f][0], forms[f][1], ms[a], nk[b], nk[c], 1 };
                    shapes[n_shapes++] = s;
                }
    for (a = 0; a < 5; a++) {
        shape s = { 0, 0, sq[a], sq[a], sq[a], 0 };
        shapes[n_shapes++] = s;
    }
}

/* ---- implementations ------------------------------------------------------ */

typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                               const float *, int, float, float *, int);
typedef int (*dnnl_sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *,
                             int64_t, const float *, int64_t, float, float *, int64_t);

static nni_gemm g_nn;
static cblas_sgemm_fn g_cblas;
static dnnl_sgemm_fn g_dnnl;

static void run_impl(const shape *s, const float *A, const float *B, float *C)
{
    int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n, ldc = s->n;
    if (g_cblas)
        g_cblas(101, s->ta ? 112 : 111, s->tb ? 112 : 111, s->m, s->n, s->k, 1.0f, A, lda, B,
                ldb, 0.0f, C, ldc);
    else if (g_dnnl)
        g_dnnl(s->ta ? 'T' : 'N', s->tb ? 'T' : 'N', s->m, s->n, s->k, 1.0f, A, lda, B, ldb, 0.0f,
               C, ldc);
    else
        nni_gemm_run(&g_nn, s->ta, s->tb, (size_t)s->m, (size_t)s->n, (size_t)s->k, 1.0f, A,
                 (size_t)lda, B, (size_t)ldb, 0.0f, C, (size_t)ldc);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median GFLOP/s over 7 samples of >= sample_s seconds each (after warm-up). */
static double time_shape(const shape *s, const float *A, const float *B, float *C, double sample_s)
{
    double flops = 2.0 * s->m * s->n * s->k, samp[7], t0, t;
    long reps = 1, r;
    int i;
    run_impl(s, A, B, C);
    for (;;) { /* calibrate */
        t0 = now();
        for (r = 0; r < reps; r++) run_impl(s, A, B, C);
        t = now() - t0;
        if (t >= sample_s * 0.5 || reps > (1L << 24)) break;
        reps *= 2;
    }
    if (t < sample_s) reps = (long)((double)reps * sample_s / (t > 1e-9 ? t : 1e-9)) + 1;
    for (i = 0; i < 7; i++) {
        t0 = now();
        for (r = 0; r < reps; r++) run_impl(s, A, B, C);
        samp[i] = flops * (double)reps / (now() - t0) * 1e-9;
    }
    qsort(samp, 7, sizeof samp[0], cmpd);
    return samp[3];
}

static int child(const char *impl, int quick)
{
    size_t maxe = (size_t)2048 * 2048;
    float *A = malloc(maxe * sizeof(float)), *B = malloc(maxe * sizeof(float)),
          *C = malloc(maxe * sizeof(float));
    nn_allocator al = nni_default_allocator();
    size_t i;
    int s, scalar = 0;
    void *h = NULL;
    for (i = 0; i < maxe; i++) {
        A[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        B[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
        C[i] = 0.0f;
    }
    if (strncmp(impl, "libnn-", 6) == 0) {
        nni_gemm_init(&g_nn);
        if (nni_gemm_set_isa(&g_nn, impl + 6) != 0) return 0; /* unsupported: no lines */
        if (nni_gemm_reserve(&g_nn, &al, 2048, 2048, 2048) != NN_OK) return 1;
        scalar = strcmp(impl + 6, "scalar") == 0;
    } else if (strncmp(impl, "openblas", 8) == 0) {
        h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
        if (h) g_cblas = (cblas_sgemm_fn)(uintptr_t)dlsym(h, "cblas_sgemm");
        if (!g_cblas) return 0;
    } else if (strcmp(impl, "blis") == 0) {
        h = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL);
        if (h) g_cblas = (cblas_sgemm_fn)(uintptr_t)dlsym(h, "cblas_sgemm");
        if (!g_cblas) return 0;
    } else if (strcmp(impl, "onednn") == 0) {
        static const char *const names[] = { "libdnnl.so.3", "libdnnl.so.2", "libdnnl.so" };
        for (i = 0; i < 3 && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h) g_dnnl = (dnnl_sgemm_fn)(uintptr_t)dlsym(h, "dnnl_sgemm");
        if (!g_dnnl) return 0;
    } else {
        return 1;
    }
    for (s = 0; s < n_shapes; s++) {
        double flops = 2.0 * shapes[s].m * shapes[s].n * shapes[s].k;
        if (scalar && flops > 2.0 * 512 * 512 * 512) continue;
        printf("%d %.3f\n", s, time_shape(&shapes[s], A, B, C, quick ? 0.002 : (scalar ? 0.004 : 0.01)));
        fflush(stdout);
    }
    free(A);
    free(B);
    free(C);
    return 0;
}

/* ---- FMA peak -------------------------------------------------------------- */

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static double peak512(long iters)
{
    __m512 a[12], x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    double t0;
    long i;
    int j;
    for (j = 0; j < 12; j++) a[j] = _mm512_set1_ps((float)j);
    t0 = now();
    for (i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (j = 0; j < 12; j++) a[j] = _mm512_fmadd_ps(a[j], x, y);
    }
    t0 = now() - t0;
    for (j = 1; j < 12; j++) a[0] = _mm512_add_ps(a[0], a[j]);
    if (_mm512_reduce_add_ps(a[0]) == 12345.0f) printf(" ");
    return 2.0 * 16 * 12 * (double)iters / t0 * 1e-9;
}
__attribute__((target("avx2,fma"))) static double peak256(long iters)
{
    __m256 a[12], x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
    double t0;
    long i;
    int j;
    float out[8];
    for (j = 0; j < 12; j++) a[j] = _mm256_set1_ps((float)j);
    t0 = now();
    for (i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (j = 0; j < 12; j++) a[j] = _mm256_fmadd_ps(a[j], x, y);
    }
    t0 = now() - t0;
    for (j = 1; j < 12; j++) a[0] = _mm256_add_ps(a[0], a[j]);
    _mm256_storeu_ps(out, a[0]);
    if (out[0] == 12345.0f) printf(" ");
    return 2.0 * 8 * 12 * (double)iters / t0 * 1e-9;
}
#endif

static double measure_peak(int isa)
{
    double best = 0.0, v;
    int r;
    for (r = 0; r < 5; r++) {
        v = 0.0;
#if defined(__x86_64__)
        if (isa == NNI_ISA_AVX512) v = peak512(20000000);
        else if (isa == NNI_ISA_AVX2) v = peak256(20000000);
#else
        (void)isa;
#endif
        if (v > best) best = v;
    }
    return best;
}

/* ---- parent: run children, print the table -------------------------------- */

typedef struct col {
    const char *name, *env, *impl;
    double g[256];
    int have;
} col;

static col cols[] = {
    { "nn-avx512", "", "libnn-avx512", { 0 }, 0 },
    { "nn-avx2", "", "libnn-avx2", { 0 }, 0 },
    { "nn-scalar", "", "libnn-scalar", { 0 }, 0 },
    { "neon", "", "libnn-neon", { 0 }, 0 },
    { "oblas", "", "openblas", { 0 }, 0 },
    { "oblas-SKX", "OPENBLAS_CORETYPE=SkylakeX", "openblas", { 0 }, 0 },
    { "oblas-HSW", "OPENBLAS_CORETYPE=Haswell", "openblas", { 0 }, 0 },
    { "blis", "", "blis", { 0 }, 0 },
    { "onednn", "", "onednn", { 0 }, 0 },
};
#define NCOLS (int)(sizeof cols / sizeof cols[0])
enum { C_NN512, C_NN256, C_NNSC, C_NEON, C_OB, C_OBSKX, C_OBHSW, C_BLIS, C_DNNL };
static const int peers[] = { C_OB, C_OBSKX, C_OBHSW, C_BLIS, C_DNNL };

static void run_child(col *c, const char *self, int quick)
{
    char cmd[2300];
    FILE *p;
    int idx;
    double v;
    snprintf(cmd, sizeof cmd,
             "env OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
             "DNNL_VERBOSE=0 %s '%s' --child %s%s",
             c->env, self, c->impl, quick ? " --quick" : "");
    p = popen(cmd, "r");
    if (!p) return;
    while (fscanf(p, "%d %lf", &idx, &v) == 2)
        if (idx >= 0 && idx < n_shapes) {
            c->g[idx] = v;
            c->have = 1;
        }
    pclose(p);
    fprintf(stderr, "  measured %-10s %s\n", c->name, c->have ? "" : "(not available)");
}

static double best_peer(int s, int *which)
{
    double b = 0.0;
    size_t i;
    *which = -1;
    for (i = 0; i < sizeof peers / sizeof peers[0]; i++)
        if (cols[peers[i]].have && cols[peers[i]].g[s] > b) {
            b = cols[peers[i]].g[s];
            *which = peers[i];
        }
    return b;
}

int main(int argc, char **argv)
{
    char self[1024];
    ssize_t len;
    int quick = 0, i, s, nn;
    double peak, peak2, gsum = 0, gmin = 1e9, sm_sum = 0, hsw_sum = 0;
    int gcnt = 0, sm_cnt = 0, hsw_cnt = 0;
    make_shapes();
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--quick") == 0) quick = 1;
    if (argc >= 3 && strcmp(argv[1], "--child") == 0) return child(argv[2], quick);

    len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "cannot find own path\n");
        return 1;
    }
    self[len] = 0;
    nn = nni_gemm_best_isa() == NNI_ISA_AVX512 ? C_NN512 : nni_gemm_best_isa() == NNI_ISA_AVX2 ? C_NN256
         : nni_gemm_best_isa() == NNI_ISA_NEON ? C_NEON : C_NNSC;
    peak = measure_peak(nni_gemm_best_isa());
    peak2 = measure_peak(NNI_ISA_AVX2);
    printf("FMA peak (1 core): widest ISA %.1f GFLOP/s, AVX2 %.1f GFLOP/s\n", peak, peak2);
    fprintf(stderr, "running children (single-threaded)...\n");
    for (i = 0; i < NCOLS; i++) {
        /* BENCH_ONLY=name,name limits the columns (e.g. BENCH_ONLY=nn-avx512,oblas-SKX). */
        const char *only = getenv("BENCH_ONLY");
        if (only && *only) {
            char pat[64];
            snprintf(pat, sizeof pat, ",%s,", cols[i].name);
            {
                char lst[512];
                snprintf(lst, sizeof lst, ",%s,", only);
                if (!strstr(lst, pat)) continue;
            }
        }
        run_child(&cols[i], self, quick);
    }

    printf("\nGFLOP/s, single thread, median of 7 (nn = %s). ratio = nn/best peer\n", cols[nn].name);
    printf("%-4s %5s %5s %5s", "form", "M", "N", "K");
    for (i = 0; i < NCOLS; i++)
        if (cols[i].have) printf(" %10s", cols[i].name);
    printf(" %6s %5s\n", "ratio", "%pk");
    for (s = 0; s < n_shapes; s++) {
        const shape *sh = &shapes[s];
        int w;
        double bp = best_peer(s, &w), r = bp > 0 ? cols[nn].g[s] / bp : 0;
        (void)w;
        printf("%-4s %5d %5d %5d", sh->ta ? "AtB" : sh->tb ? "ABt" : "AB", sh->m, sh->n, sh->k);
        for (i = 0; i < NCOLS; i++)
            if (cols[i].have) {
                if (cols[i].g[s] > 0)
                    printf(" %10.2f", cols[i].g[s]);
                else
                    printf(" %10s", "-");
            }
        printf(" %6.2f", r);
        if (!sh->train && peak > 0) printf(" %4.0f%%", 100.0 * cols[nn].g[s] / peak);
        printf("\n");
        if (sh->train && bp > 0) {
            gsum += log(r);
            gcnt++;
            if (r < gmin) gmin = r;
            if (sh->m <= 8 && cols[C_OBSKX].have && cols[C_OBSKX].g[s] > 0) {
                sm_sum += log(cols[nn].g[s] / cols[C_OBSKX].g[s]);
                sm_cnt++;
            }
        }
        if (cols[C_NN256].have && cols[C_OBHSW].have && cols[C_OBHSW].g[s] > 0 && cols[C_NN256].g[s] > 0) {
            hsw_sum += log(cols[C_NN256].g[s] / cols[C_OBHSW].g[s]);
            hsw_cnt++;
        }
    }
    printf("\nSummary\n");
    if (gcnt) printf("  training shapes: geomean nn/best-peer = %.3f, min = %.3f (%d shapes)\n",
                     exp(gsum / gcnt), gmin, gcnt);
    if (sm_cnt) printf("  M<=8 training shapes: geomean nn/OpenBLAS-SkylakeX = %.3f\n", exp(sm_sum / sm_cnt));
    if (hsw_cnt) printf("  all shapes: geomean nn-avx2/OpenBLAS-Haswell = %.3f\n", exp(hsw_sum / hsw_cnt));
    for (s = 0; s < n_shapes; s++)
        if (!shapes[s].train && peak > 0)
            printf("  square %4d: nn %.1f GFLOP/s = %.0f%% of peak %.1f\n", shapes[s].m,
                   cols[nn].g[s], 100.0 * cols[nn].g[s] / peak, peak);
    return 0;
}
