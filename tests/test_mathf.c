/* lib/core/mathf.c: accuracy against glibc (double reference) over sweeps of
   the float bit patterns and random doubles plus edge cases, and a golden hash
   of the outputs so every architecture gives the same bits (make test-cross). */
#include "harness.h"
#include "core/mathf.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

static int64_t ord_d(double x)
{
    int64_t i;
    memcpy(&i, &x, sizeof i);
    return i < 0 ? INT64_MIN - i : i;
}
static double ulps_d(double got, double want)
{
    if (isnan(got) || isnan(want)) return isnan(got) && isnan(want) ? 0.0 : 1e30;
    if (got == want) return 0.0;
    if (isinf(got) || isinf(want)) return 1e30;
    return fabs((double)(ord_d(got) - ord_d(want)));
}
static int32_t ord_f(float x)
{
    int32_t i;
    memcpy(&i, &x, sizeof i);
    return i < 0 ? INT32_MIN - i : i;
}
static double ulps_f(float got, float want)
{
    if (isnan(got) || isnan(want)) return isnan(got) && isnan(want) ? 0.0 : 1e30;
    if (got == want) return 0.0;
    if (isinf(got) || isinf(want)) return 1e30;
    return fabs((double)ord_f(got) - (double)ord_f(want));
}

static float f_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static double tm_erf(double x) { return erf(x); }
static double tm_exp(double x) { return exp(x); }
static double tm_expm1(double x) { return expm1(x); }
static double tm_log1p(double x) { return log1p(x); }
static double tm_tanh(double x) { return tanh(x); }

typedef struct { const char *name; float (*f)(float); double (*ref)(double); } tm_ffn;
static const tm_ffn tm_ffns[] = {
    { "expf", nni_expf, tm_exp },       { "expm1f", nni_expm1f, tm_expm1 },
    { "log1pf", nni_log1pf, tm_log1p }, { "tanhf", nni_tanhf, tm_tanh },
    { "erff", nni_erff, tm_erf },
};

static const float tm_edges[] = { 0.0f, -0.0f, 1e-45f, -1e-45f, 1e-40f, -1e-40f, 1.1754944e-38f, 1e-30f,
                                  1e-8f, -1e-8f, 0.5f, -0.5f, 1.0f, -1.0f, 0.34657f, -0.34657f, 2.0f, 3.99f,
                                  4.0f, -4.0f, 9.0f, 10.0f, 20.0f, -20.0f, 87.0f, 88.72f, 89.0f, -87.0f,
                                  -103.0f, -104.0f, -200.0f, 1e30f, -1e30f, 3.4e38f, -3.4e38f,
                                  -0.99999994f, -1.0f, -2.0f };

TEST(mathf_float_functions_within_1ulp_of_libm)
{
    size_t f, i;
    for (f = 0; f < sizeof tm_ffns / sizeof tm_ffns[0]; f++) {
        const tm_ffn *t = &tm_ffns[f];
        double worst = 0.0;
        float worst_x = 0.0f;
        uint32_t u;
        /* every 997th float bit pattern (~4.3 million / 997 each sign), plus the edges */
        for (u = 0; u < 0xFFFFFFFFu - 997u; u += 997u) {
            float x = f_of(u), want = (float)t->ref((double)x);
            double e = ulps_f(t->f(x), want);
            if (e > worst) worst = e, worst_x = x;
        }
        for (i = 0; i < sizeof tm_edges / sizeof tm_edges[0]; i++) {
            float x = tm_edges[i];
            double e = ulps_f(t->f(x), (float)t->ref((double)x));
            if (e > worst) worst = e, worst_x = x;
        }
        CHECK_MSG(worst <= 1.0, "%s: %.0f ulp at %.9g", t->name, worst, (double)worst_x);
        {   /* inf and NaN */
            float inf = f_of(0x7f800000u), nan_ = f_of(0x7fc00000u);
            CHECK(isnan(t->f(nan_)));
            CHECK(ulps_f(t->f(inf), (float)t->ref((double)inf)) == 0.0);
            CHECK(ulps_f(t->f(-inf), (float)t->ref(-(double)inf)) == 0.0);
        }
    }
    CHECK(signbit(nni_tanhf(-0.0f)) && signbit(nni_erff(-0.0f)) && signbit(nni_expm1f(-0.0f)));
}

static uint64_t tm_state = 0x243F6A8885A308D3ull;
static double tm_u01(void)
{
    tm_state = tm_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(tm_state >> 11) * (1.0 / 9007199254740992.0);
}
static double tm_anydouble(void)
{
    uint64_t u;
    double x;
    tm_state = tm_state * 6364136223846793005ull + 1442695040888963407ull;
    u = tm_state ^ (tm_state >> 29);
    memcpy(&x, &u, sizeof x);
    return x;
}

TEST(mathf_double_functions_against_libm)
{
    double w_exp = 0, w_log = 0, w_log1p = 0, w_cos = 0, w_pow = 0, w_powi = 0;
    int i;
    static const double edges[] = { 0.0, -0.0, 4.9e-324, -4.9e-324, 2.2250738585072014e-308, 1e-300,
                                    1e-20, -1e-20, 0.5, 1.0, 2.0, -0.75, 700.0, 709.78, 709.79, -708.0,
                                    -744.0, -745.1, -746.0, 1e300, -1e300, 1.7976931348623157e308 };
    for (i = 0; i < 400000; i++) {
        double x = tm_anydouble(), e;
        double xe = -746.0 + tm_u01() * 1456.0, xc = (tm_u01() - 0.5) * 2e5, xl = -1.0 + tm_u01() * tm_u01() * 50.0;
        if (i < (int)(sizeof edges / sizeof edges[0])) {
            x = xe = xl = edges[i];
            if (fabs(x) < 8e5) xc = x; /* nni_dcos's domain */
        }
        e = ulps_d(nni_dexp(xe), exp(xe));
        if (e > w_exp) w_exp = e;
        e = ulps_d(nni_dlog(fabs(x)), log(fabs(x)));
        if (e > w_log) w_log = e;
        e = ulps_d(nni_dlog1p(xl), log1p(xl));
        if (e > w_log1p) w_log1p = e;
        e = ulps_d(nni_dlog1p(x), log1p(x));
        if (e > w_log1p) w_log1p = e;
        e = ulps_d(nni_dcos(xc), cos(xc));
        if (e > w_cos) w_cos = e;
        {
            double b = 0.5 + 0.5 * tm_u01();
            long n = 1 + (long)(tm_u01() * 100000.0);
            double y = tm_u01() * 50.0;
            e = ulps_d(nni_dpowi(b, n), pow(b, (double)n)) / (double)n;
            if (e > w_powi && pow(b, (double)n) > 1e-300) w_powi = e;
            e = ulps_d(nni_dpow(b, y), pow(b, y)) / (1.0 + fabs(y * log(b)));
            if (e > w_pow) w_pow = e;
        }
    }
    CHECK_MSG(w_exp <= 1.0, "exp: %.0f ulp", w_exp);
    CHECK_MSG(w_log <= 1.0, "log: %.0f ulp", w_log);
    CHECK_MSG(w_log1p <= 2.0, "log1p: %.0f ulp", w_log1p);
    CHECK_MSG(w_cos <= 2.0, "cos: %.0f ulp", w_cos);
    CHECK_MSG(w_powi <= 1.0, "powi: %.2f ulp per n", w_powi);
    CHECK_MSG(w_pow <= 2.0, "pow: %.2f ulp per (1 + |y log x|), want <= 2", w_pow);
    CHECK(isnan(nni_dexp(NAN)) && isnan(nni_dlog(-1.0)) && isnan(nni_dlog1p(-2.0)) && isnan(nni_dcos(INFINITY)));
    CHECK(nni_dexp(INFINITY) == INFINITY && nni_dexp(-INFINITY) == 0.0 && nni_dlog(0.0) == -INFINITY);
    CHECK(nni_dlog(INFINITY) == INFINITY && nni_dlog1p(-1.0) == -INFINITY && nni_dlog1p(INFINITY) == INFINITY);
    CHECK(nni_dpowi(0.999, 0) == 1.0 && nni_dpow(2.0, 10.0) == 1024.0 && nni_dpow(4.0, 0.5) == 2.0);
    CHECK(nni_dcos(0.0) == 1.0 && nni_dcos(3.14159265358979323846) == -1.0);
}

/* FNV-1a over the output bits of every function on a fixed grid: the same on every
   architecture (golden value pinned here; make test-cross runs it on aarch64, s390x,
   x86-64 without AVX and the Cortex-M4 firmware build prints the same kind of hash). */
static uint64_t tm_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

TEST(mathf_golden_hash)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint32_t u;
    int i;
    for (u = 0; u < 0xFFFFFFFFu - 104729u; u += 104729u) {
        float x = f_of(u), y[5];
        unsigned char le[4 * 5];
        int k, j;
        y[0] = nni_expf(x), y[1] = nni_expm1f(x), y[2] = nni_log1pf(x), y[3] = nni_tanhf(x), y[4] = nni_erff(x);
        for (k = 0; k < 5; k++) {   /* hash little-endian bytes on every host */
            uint32_t b;
            memcpy(&b, &y[k], 4);
            if (isnan(y[k])) b = 0x7fc00000u; /* NaN payloads/quiet bits are not specified */
            for (j = 0; j < 4; j++) le[4 * k + j] = (unsigned char)(b >> (8 * j));
        }
        h = tm_fnv(h, le, sizeof le);
    }
    for (i = 0; i < 20000; i++) {
        double x = -50.0 + 100.0 * (double)i / 20000.0, y[5];
        unsigned char le[8 * 5];
        int k, j;
        y[0] = nni_dexp(x), y[1] = nni_dlog(fabs(x) + 1e-3), y[2] = nni_dlog1p(fabs(x)), y[3] = nni_dcos(x),
        y[4] = nni_dpow(0.9, fabs(x)) + nni_dpowi(0.999, i);
        for (k = 0; k < 5; k++) {
            uint64_t b;
            memcpy(&b, &y[k], 8);
            if (isnan(y[k])) b = 0x7ff8000000000000ull;
            for (j = 0; j < 8; j++) le[8 * k + j] = (unsigned char)(b >> (8 * j));
        }
        h = tm_fnv(h, le, sizeof le);
    }
    printf("  mathf hash %016llx\n", (unsigned long long)h);
    CHECK_MSG(h == 0xd9e7b0ec08cb14f1ull, "mathf hash %016llx differs from the golden value", (unsigned long long)h);
}
