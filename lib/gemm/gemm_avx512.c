/* AVX-512F micro-kernel: MR x NR = 6 x 64 (24 zmm accumulators). Each lane
   holds one C element and runs its own fmaf chain in k order (vfmadd231ps is
   a correctly rounded fused multiply-add per lane), so the bits match the
   scalar reference. Edge columns use masked loads/stores (nothing outside
   the matrix is touched); edge rows use a kernel specialised for that row
   count, so M = 1..5 tiles cost only their own FMAs. */
#include "gemm.h"
#if defined(NNI_GEMM_X86)
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx2,fma,avx")))
#define INL static inline __attribute__((always_inline))
#define MR512 6
#define NV512 4 /* zmm vectors per row: NR = 64 */

INL T512 void body512(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                      size_t ldc, const int M, const int V, const int E, __mmask16 ml, int mode,
                      float beta)
{
    __m512 acc[MR512][NV512];
    size_t p;
    int i, v;
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
#pragma GCC unroll 8
        for (v = 0; v < V; v++) {
            if (mode == NNI_ACC_ZERO) {
                acc[i][v] = _mm512_setzero_ps();
            } else {
                __m512 x = (E && v == V - 1) ? _mm512_maskz_loadu_ps(ml, c + i * ldc + 16 * v)
                                             : _mm512_loadu_ps(c + i * ldc + 16 * v);
                if (mode == NNI_ACC_BETA) x = _mm512_mul_ps(_mm512_set1_ps(beta), x);
                acc[i][v] = x;
            }
        }
    }
    const float *ap = a;
    for (p = 0; p < kc; p++) {
        __m512 bv[NV512];
        
#pragma GCC unroll 8
        for (v = 0; v < V; v++)
            bv[v] = (E && v == V - 1) ? _mm512_maskz_loadu_ps(ml, b + 16 * v)
                                      : _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
        for (i = 0; i < M; i++) {
            __m512 ai = _mm512_set1_ps(ap[i * rsa]);
#pragma GCC unroll 8
            for (v = 0; v < V; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
        b += ldb;
        ap += csa;
    }
#pragma GCC unroll 8
    for (i = 0; i < M; i++) {
#pragma GCC unroll 8
        for (v = 0; v < V; v++) {
            if (E && v == V - 1)
                _mm512_mask_storeu_ps(c + i * ldc + 16 * v, ml, acc[i][v]);
            else
                _mm512_storeu_ps(c + i * ldc + 16 * v, acc[i][v]);
        }
    }
}

#define KARGS size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c, size_t ldc, \
              __mmask16 ml, int mode, float beta
#define DEF(M, V, E)                                                                    \
    static T512 void k512_##M##_##V##_##E(KARGS)                                        \
    {                                                                                   \
        body512(kc, a, rsa, csa, b, ldb, c, ldc, M, V, E, ml, mode, beta);                        \
    }
#define DEF_V(M, V) DEF(M, V, 0) DEF(M, V, 1)
#define DEF_M(M) DEF_V(M, 1) DEF_V(M, 2) DEF_V(M, 3) DEF_V(M, 4)
DEF_M(1) DEF_M(2) DEF_M(3) DEF_M(4) DEF_M(5) DEF_M(6)

typedef void (*k512_fn)(KARGS);
#define ENT_V(M, V) { k512_##M##_##V##_0, k512_##M##_##V##_1 }
#define ENT_M(M) { ENT_V(M, 1), ENT_V(M, 2), ENT_V(M, 3), ENT_V(M, 4) }
static const k512_fn k512_table[MR512][NV512][2] = {
    ENT_M(1), ENT_M(2), ENT_M(3), ENT_M(4), ENT_M(5), ENT_M(6),
};

static void ukr_avx512(size_t kc, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c,
                       size_t ldc, size_t mr, size_t nr, int mode, float beta)
{
    size_t nv = (nr + 15) / 16, rem = nr - 16 * (nv - 1);
    int edge = rem != 16;
    __mmask16 ml = (__mmask16)((1u << rem) - 1u);
    k512_table[mr - 1][nv - 1][edge](kc, a, rsa, csa, b, ldb, c, ldc, ml, mode, beta);
}

static T512 __mmask16 mask_n(size_t n) { return (__mmask16)(n >= 16 ? 0xffffu : (1u << n) - 1u); }

/* In-register 16 x 16 transpose: r[i] lane q -> r[q] lane i. */
INL T512 void transpose16(__m512 r[16])
{
    __m512 t[16], u[16];
    int i;
#pragma GCC unroll 8
    for (i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma GCC unroll 4
    for (i = 0; i < 4; i++) {
        u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xee);
        u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xee);
    }
#pragma GCC unroll 4
    for (i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0x88);
        t[4 + i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0xdd);
        t[8 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0x88);
        t[12 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0xdd);
    }
#pragma GCC unroll 8
    for (i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
    }
}

/* dst[p*64 + j] = op(B)[p][j] for j < nr, 0 for nr <= j < 64. Masked loads
   never touch memory past the matrix edge. */
static T512 void packb_avx512(size_t kc, size_t nr, const float *B, size_t ldb, int trans_b,
                              float *dst)
{
    const size_t NR = 16 * NV512;
    size_t p, j0, r;
    if (!trans_b) {
        for (p = 0; p < kc; p++) {
            const float *s = B + p * ldb;
            float *d = dst + p * NR;
            for (j0 = 0; j0 < NR; j0 += 16) {
                __mmask16 m = nr > j0 ? mask_n(nr - j0) : 0;
                _mm512_storeu_ps(d + j0, _mm512_maskz_loadu_ps(m, s + j0));
            }
        }
        return;
    }
    for (j0 = 0; j0 < NR; j0 += 16) {
        size_t jn = nr > j0 ? (nr - j0 < 16 ? nr - j0 : 16) : 0;
        if (jn == 0) {
            for (p = 0; p < kc; p++) _mm512_storeu_ps(dst + p * NR + j0, _mm512_setzero_ps());
            continue;
        }
        for (p = 0; p < kc; p += 16) {
            size_t pn = kc - p < 16 ? kc - p : 16;
            __mmask16 m = mask_n(pn);
            __m512 rows[16];
#pragma GCC unroll 16
            for (r = 0; r < 16; r++)
                rows[r] = r < jn ? _mm512_maskz_loadu_ps(m, B + (j0 + r) * ldb + p)
                                 : _mm512_setzero_ps();
            transpose16(rows);
            for (r = 0; r < pn; r++) _mm512_storeu_ps(dst + (p + r) * NR + j0, rows[r]);
        }
    }
}

/* ---- Small M, B in place (trans_b == 0, m <= 8) --------------------------
   One pass over the whole k range per column chunk: each row's accumulators
   stay in registers for all of k (no K blocking, no packing, no plan), and
   the chunk is as wide as the registers allow (M = 1: 16 zmm = 256 columns),
   so FMA latency is hidden even for a single row and each B row is read once
   per chunk, in place. alpha is applied to each A element before its FMA
   (the contract's a(i,k) = alpha * op(A)[i][k]; alpha == 1 multiplies by 1,
   which changes no bits). */
#define SM_MAXV 16

INL T512 void small_body(size_t k, const float *a, size_t rsa, size_t csa, const float *b, size_t ldb, float *c, size_t ldc, const int M,
                         const int V, const int E, __mmask16 ml, int mode, float beta)
{
    __m512 acc[8][SM_MAXV];
    size_t p;
    int i, v;
#pragma GCC unroll 16
    for (i = 0; i < M; i++) {
#pragma GCC unroll 16
        for (v = 0; v < V; v++) {
            if (mode == NNI_ACC_ZERO) {
                acc[i][v] = _mm512_setzero_ps();
            } else {
                __m512 x = (E && v == V - 1) ? _mm512_maskz_loadu_ps(ml, c + i * ldc + 16 * v)
                                             : _mm512_loadu_ps(c + i * ldc + 16 * v);
                if (mode == NNI_ACC_BETA) x = _mm512_mul_ps(_mm512_set1_ps(beta), x);
                acc[i][v] = x;
            }
        }
    }
    for (p = 0; p < k; p++) {
        __m512 bv[SM_MAXV];
#pragma GCC unroll 16
        for (v = 0; v < V; v++)
            bv[v] = (E && v == V - 1) ? _mm512_maskz_loadu_ps(ml, b + 16 * v)
                                      : _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
        for (i = 0; i < M; i++) {
            __m512 ai = _mm512_set1_ps(a[i * rsa]);
#pragma GCC unroll 16
            for (v = 0; v < V; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
        b += ldb;
        a += csa;
    }
#pragma GCC unroll 16
    for (i = 0; i < M; i++) {
#pragma GCC unroll 16
        for (v = 0; v < V; v++) {
            if (E && v == V - 1)
                _mm512_mask_storeu_ps(c + i * ldc + 16 * v, ml, acc[i][v]);
            else
                _mm512_storeu_ps(c + i * ldc + 16 * v, acc[i][v]);
        }
    }
}

#define SARGS size_t k, const float *a, size_t rsa, size_t csa, const float *b, \
              size_t ldb, float *c, size_t ldc, __mmask16 ml, int mode, float beta
typedef void (*sm_fn)(SARGS);
#define SDEF(M, V, E)                                                                     \
    static T512 void sm_##M##_##V##_##E(SARGS)                                            \
    {                                                                                     \
        small_body(k, a, rsa, csa, b, ldb, c, ldc, M, V, E, ml, mode, beta);        \
    }
#define SDEF_V(M, V) SDEF(M, V, 0) SDEF(M, V, 1)
#define SENT_V(M, V) { sm_##M##_##V##_0, sm_##M##_##V##_1 }
/* Widest chunk per row count: M * V <= 24 accumulators (16 for M = 1). */
SDEF_V(1, 1) SDEF_V(1, 2) SDEF_V(1, 3) SDEF_V(1, 4) SDEF_V(1, 5) SDEF_V(1, 6) SDEF_V(1, 7)
SDEF_V(1, 8) SDEF_V(1, 9) SDEF_V(1, 10) SDEF_V(1, 11) SDEF_V(1, 12) SDEF_V(1, 13)
SDEF_V(1, 14) SDEF_V(1, 15) SDEF_V(1, 16)
SDEF_V(2, 1) SDEF_V(2, 2) SDEF_V(2, 3) SDEF_V(2, 4) SDEF_V(2, 5) SDEF_V(2, 6) SDEF_V(2, 7)
SDEF_V(2, 8)
SDEF_V(3, 1) SDEF_V(3, 2) SDEF_V(3, 3) SDEF_V(3, 4) SDEF_V(3, 5) SDEF_V(3, 6)
SDEF_V(4, 1) SDEF_V(4, 2) SDEF_V(4, 3) SDEF_V(4, 4) SDEF_V(4, 5)
SDEF_V(5, 1) SDEF_V(5, 2) SDEF_V(5, 3) SDEF_V(5, 4)
SDEF_V(6, 1) SDEF_V(6, 2) SDEF_V(6, 3) SDEF_V(6, 4)
SDEF_V(7, 1) SDEF_V(7, 2) SDEF_V(7, 3)
SDEF_V(8, 1) SDEF_V(8, 2) SDEF_V(8, 3)

static const int sm_maxv[9] = { 0, 16, 8, 6, 5, 4, 4, 3, 3 };
static const sm_fn sm_t1[16][2] = { SENT_V(1, 1), SENT_V(1, 2), SENT_V(1, 3), SENT_V(1, 4),
    SENT_V(1, 5), SENT_V(1, 6), SENT_V(1, 7), SENT_V(1, 8), SENT_V(1, 9), SENT_V(1, 10),
    SENT_V(1, 11), SENT_V(1, 12), SENT_V(1, 13), SENT_V(1, 14), SENT_V(1, 15), SENT_V(1, 16) };
static const sm_fn sm_t2[8][2] = { SENT_V(2, 1), SENT_V(2, 2), SENT_V(2, 3), SENT_V(2, 4),
    SENT_V(2, 5), SENT_V(2, 6), SENT_V(2, 7), SENT_V(2, 8) };
static const sm_fn sm_t3[6][2] = { SENT_V(3, 1), SENT_V(3, 2), SENT_V(3, 3), SENT_V(3, 4),
    SENT_V(3, 5), SENT_V(3, 6) };
static const sm_fn sm_t4[5][2] = { SENT_V(4, 1), SENT_V(4, 2), SENT_V(4, 3), SENT_V(4, 4),
    SENT_V(4, 5) };
static const sm_fn sm_t5[4][2] = { SENT_V(5, 1), SENT_V(5, 2), SENT_V(5, 3), SENT_V(5, 4) };
static const sm_fn sm_t6[4][2] = { SENT_V(6, 1), SENT_V(6, 2), SENT_V(6, 3), SENT_V(6, 4) };
static const sm_fn sm_t7[3][2] = { SENT_V(7, 1), SENT_V(7, 2), SENT_V(7, 3) };
static const sm_fn sm_t8[3][2] = { SENT_V(8, 1), SENT_V(8, 2), SENT_V(8, 3) };
static const sm_fn (*const sm_tab[9])[2] = { NULL, sm_t1, sm_t2, sm_t3, sm_t4,
                                             sm_t5, sm_t6, sm_t7, sm_t8 };

static void small_rows(size_t rsa, size_t csa, size_t m, size_t n, size_t k, const float *A,
                       const float *B, size_t ldb, float *C, size_t ldc, int mode, float beta)
{
    size_t j = 0, w, rem, v;
    const sm_fn(*t)[2] = sm_tab[m];
    w = 16 * (size_t)sm_maxv[m];
    for (; j + w <= n; j += w)
        t[sm_maxv[m] - 1][0](k, A, rsa, csa, B + j, ldb, C + j, ldc, 0xffff, mode, beta);
    rem = n - j;
    if (rem) {
        v = (rem + 15) / 16;
        rem -= 16 * (v - 1);
        t[v - 1][rem != 16](k, A, rsa, csa, B + j, ldb, C + j, ldc,
                            (__mmask16)((1u << rem) - 1u), mode, beta);
    }
}

/* m <= 4, or n >= 128: all rows in one pass (8 x 48 tiles for m = 8);
   narrow products with 5..8 rows: two passes of about m / 2 rows, whose
   (m / 2) x 64 tiles beat a 48-wide tile plus a 16-wide edge. */
#define SM_KB 256 /* k block for alpha != 1 (A scaled on the stack) */

static void small_avx512(int trans_a, size_t m, size_t n, size_t k, float alpha, const float *A,
                         size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc)
{
    size_t rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1, i0, mg;
    int mode = beta == 0.0f ? NNI_ACC_ZERO : NNI_ACC_BETA;
    for (i0 = 0; i0 < m; i0 += mg) {
        const float *a = A + i0 * rsa;
        float *c = C + i0 * ldc;
        mg = m <= 4 || n >= 128 ? m : (i0 == 0 ? (m + 1) / 2 : m - i0);
        if (alpha == 1.0f) {
            small_rows(rsa, csa, mg, n, k, a, B, ldb, c, ldc, mode, beta);
        } else {
            /* a(i,p) = alpha * op(A)[i][p], k in blocks; later blocks continue
               each chain from C. */
            float as[8 * SM_KB];
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

/* ---- Small M, B transposed (trans_b == 1, m <= 8) ------------------------
   b(k,j) = B[j*ldb + k]: 16 B rows (16 columns j of op(B)) are read along k,
   16 k at a time, and transposed in registers, so each vector holds one k
   for 16 different j and the per-lane FMAs run every C element's chain in
   k order. No B packing pass. C itself carries the chains (initialised to 0
   or beta*C first); within a column chunk the 16-k step loop is outside the
   loop over the chunk's column groups, so consecutive groups' FMA chains are
   independent and overlap. Except for a single contiguous A row with
   alpha == 1, A is first copied per k block (alpha applied) to a small
   contiguous buffer: one cache line per k for all rows, and no L1 set
   conflicts between rows a multiple of 4 KiB apart. */
#define BT_KB 256

INL T512 void bt_body(size_t kb, const float *as, const float *B, size_t ldb, float *c,
                      size_t ldc, size_t n, size_t chunk, const int M)
{
    size_t jc, p0, j0, r;
    int i, q;
    for (jc = 0; jc < n; jc += chunk) {
        size_t je = n - jc < chunk ? n : jc + chunk;
        for (p0 = 0; p0 < kb; p0 += 16) {
            size_t pn = kb - p0 < 16 ? kb - p0 : 16;
            __mmask16 km = mask_n(pn);
            const float *ap = as + p0 * (size_t)M;
            for (j0 = jc; j0 < je; j0 += 16) {
                size_t jn = je - j0 < 16 ? je - j0 : 16;
                __mmask16 cm = mask_n(jn);
                __m512 rows[16], acc[8];
#pragma GCC unroll 16
                for (r = 0; r < 16; r++)
                    rows[r] = r < jn ? _mm512_maskz_loadu_ps(km, B + (j0 + r) * ldb + p0)
                                     : _mm512_setzero_ps();
                transpose16(rows);
#pragma GCC unroll 8
                for (i = 0; i < M; i++) acc[i] = _mm512_maskz_loadu_ps(cm, c + i * ldc + j0);
#pragma GCC unroll 16
                for (q = 0; q < 16; q++) {
                    if ((size_t)q >= pn) break;
#pragma GCC unroll 8
                    for (i = 0; i < M; i++)
                        acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(ap[q * M + i]), rows[q], acc[i]);
                }
#pragma GCC unroll 8
                for (i = 0; i < M; i++) _mm512_mask_storeu_ps(c + i * ldc + j0, cm, acc[i]);
            }
        }
    }
}

#define BTARGS size_t kb, const float *as, const float *B, size_t ldb, float *c, size_t ldc, \
               size_t n, size_t chunk
typedef void (*bt_fn)(BTARGS);
#define BTDEF(M)                                                                           \
    static T512 void bt_##M(BTARGS) { bt_body(kb, as, B, ldb, c, ldc, n, chunk, M); }
BTDEF(1) BTDEF(2) BTDEF(3) BTDEF(4) BTDEF(5) BTDEF(6) BTDEF(7) BTDEF(8)
static const bt_fn bt_tab[8] = { bt_1, bt_2, bt_3, bt_4, bt_5, bt_6, bt_7, bt_8 };

static T512 void small_bt_avx512(int trans_a, size_t m, size_t n, size_t k, float alpha,
                                 const float *A, size_t lda, const float *B, size_t ldb,
                                 float beta, float *C, size_t ldc)
{
    size_t rsa = trans_a ? 1 : lda, csa = trans_a ? lda : 1, i, j0, p0, p, kb, chunk, sets, g;
    float as[8 * BT_KB];
    for (i = 0; i < m; i++)
        for (j0 = 0; j0 < n; j0 += 16) {
            __mmask16 cm = mask_n(n - j0);
            __m512 x = _mm512_setzero_ps();
            if (beta != 0.0f)
                x = _mm512_mul_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(cm, C + i * ldc + j0));
            _mm512_mask_storeu_ps(C + i * ldc + j0, cm, x);
        }
    /* Column chunk: about 8 B rows per L1 set the rows map to (64 sets of
       64 B; rows ldb floats apart), 16..128 columns. */
    if (ldb % 16 == 0) {
        size_t s = ldb / 16, a = 64;
        for (g = s; g % 2 == 0 && a > 1; g /= 2) a /= 2; /* a = 64 / gcd(s, 64) */
        sets = a;
    } else {
        sets = 64;
    }
    chunk = 8 * sets < 16 ? 16 : (8 * sets > 128 ? 128 : 8 * sets);
    if (alpha == 1.0f && m == 1 && !trans_a) {
        bt_tab[0](k, A, B, ldb, C, ldc, n, chunk); /* the A row in place */
        return;
    }
    for (p0 = 0; p0 < k; p0 += kb) {
        kb = k - p0 < BT_KB ? k - p0 : BT_KB;
        for (p = 0; p < kb; p++)
            for (i = 0; i < m; i++) as[p * m + i] = alpha * A[i * rsa + (p0 + p) * csa];
        bt_tab[m - 1](kb, as, B + p0, ldb, C, ldc, n, chunk);
    }
}

const nni_gemm_kernel nni_gemm_kernel_avx512 = {
    "avx512", MR512, 16 * NV512, 72, 256, 1024, 64, 96, ukr_avx512, packb_avx512, 8, small_avx512, 8, small_bt_avx512,
};
#endif
