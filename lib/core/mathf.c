/* Deterministic exp/log/log1p/expm1/tanh/erf/pow/cos (see mathf.h).
   Written from the textbook reductions: exp by k*ln2 (Cody-Waite split
   constant) and a Taylor polynomial on |r| <= ln2/2; log by x = 2^k (1+f),
   s = f/(2+f), log(1+f) = 2 atanh(s); log1p by Goldberg's u = 1+x trick;
   erf by the all-positive series erf x = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1)
   / (2n+1)!!; cos by Cody-Waite reduction mod pi/2 and Taylor kernels.
   Only + - * / on double, no FMA (not every target fuses doubles), so
   with -ffp-contract=off the bits are the same on every IEEE-754 machine. */
#include "core/mathf.h"
#include <stdint.h>
#include <string.h>

#define LN2_HI 0x1.62e42fefa3800p-1 /* ln 2, top 42 bits: k * LN2_HI is exact */
#define LN2_LO 0x1.ef35793c76730p-45
#define LOG2E 0x1.71547652b82fep+0
#define SQRT2 0x1.6a09e667f3bcdp+0
#define TWO_OVER_SQRTPI 0x1.20dd750429b6dp+0
#define TWO_OVER_PI 0x1.45f306dc9c883p-1
#define PIO2_1 0x1.921fb54400000p+0 /* pi/2 in three parts, 33 + 33 + 53 bits */
#define PIO2_2 0x1.0b4611a600000p-34
#define PIO2_3 0x1.3198a2e037073p-69

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static int is_nan(double x) { return x != x; }

/* 2^k for -1022 <= k <= 1023 */
static double pow2i(int k) { return from_bits((uint64_t)(k + 1023) << 52); }

/* x * 2^k for any k where the result is representable (one rounding at most). */
static double scale2(double x, int k)
{
    if (k > 1023) return x * pow2i(1023) * pow2i(k - 1023);
    if (k < -1022) return x * pow2i(k + 1000) * pow2i(-1000);
    return x * pow2i(k);
}

/* nearest integer of x (ties away from zero), |x| < 2^31 */
static long round_l(double x) { return x >= 0.0 ? (long)(x + 0.5) : -(long)(-x + 0.5); }

/* 1/n! for n = 2..14 */
static const double INV_FACT[13] = {
    0x1.0000000000000p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5, 0x1.1111111111111p-7,
    0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
    0x1.27e4fb7789f5cp-22, 0x1.ae64567f544e4p-26, 0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33,
    0x1.93974a8c07c9dp-37,
};

/* e^r - 1 for |r| <= 0.35: r + r^2 (1/2! + r/3! + ... + r^12/14!); truncation < 2^-60 relative. */
static double expm1_kernel(double r)
{
    double p = INV_FACT[12];
    int i;
    for (i = 11; i >= 0; i--) p = INV_FACT[i] + r * p;
    return r + r * r * p;
}

/* x = k ln2 + r with |r| <= ln2/2 (|x| < 2^20). */
static double reduce_ln2(double x, int *k)
{
    long n = round_l(x * LOG2E);
    double kd = (double)n;
    *k = (int)n;
    return (x - kd * LN2_HI) - kd * LN2_LO;
}

double nni_dexp(double x)
{
    int k;
    double r;
    if (is_nan(x)) return x;
    if (x > 709.782712893384) return from_bits(0x7ff0000000000000ull); /* +inf */
    if (x < -745.2) return 0.0;
    /* cppcheck misreads C99 hex-float literals here (it calls the range empty) */
    // cppcheck-suppress incorrectLogicOperator
    if (x > -0x1p-54 && x < 0x1p-54) return 1.0 + x;
    r = reduce_ln2(x, &k);
    return scale2(1.0 + expm1_kernel(r), k);
}

static double expm1_d(double x)
{
    int k;
    double r, p, t;
    if (is_nan(x)) return x;
    if (x == 0.0) return x; /* keeps -0 */
    if (x > -0.35 && x < 0.35) return expm1_kernel(x);
    if (x > 709.782712893384) return from_bits(0x7ff0000000000000ull);
    if (x < -40.0) return -1.0;
    r = reduce_ln2(x, &k);
    p = expm1_kernel(r);
    /* e^x - 1 = (2^k - 1) + 2^k p: 2^k - 1 is exact for -53 <= k <= 53 */
    if (k > 56) return scale2(1.0 + p, k);
    t = pow2i(k);
    return (t - 1.0) + t * p;
}

/* 2/(2n+1) for n = 1..11: log(1+f) = 2s + s R(s^2), R = sum 2 s^(2n)/(2n+1) */
static const double LOG_R[11] = {
    0x1.5555555555555p-1, 0x1.999999999999ap-2, 0x1.2492492492492p-2, 0x1.c71c71c71c71cp-3,
    0x1.745d1745d1746p-3, 0x1.3b13b13b13b14p-3, 0x1.1111111111111p-3, 0x1.e1e1e1e1e1e1ep-4,
    0x1.af286bca1af28p-4, 0x1.8618618618618p-4, 0x1.642c8590b2164p-4,
};

double nni_dlog(double x)
{
    uint64_t u;
    int k = 0, i;
    double m, f, s, z, R, hfsq, dk;
    if (is_nan(x)) return x;
    if (x < 0.0) return from_bits(0x7ff8000000000000ull); /* NaN */
    if (x == 0.0) return -from_bits(0x7ff0000000000000ull);
    if (x == from_bits(0x7ff0000000000000ull)) return x;
    if (x < 0x1p-1022) { /* denormal: scale into the normal range (exact) */
        x *= 0x1p54;
        k = -54;
    }
    u = bits_of(x);
    k += (int)((u >> 52) & 0x7ff) - 1023;
    m = from_bits((u & 0x000fffffffffffffull) | 0x3ff0000000000000ull); /* [1, 2) */
    if (m > SQRT2) {
        m *= 0.5;
        k++;
    }
    f = m - 1.0; /* exact (Sterbenz) */
    s = f / (2.0 + f);
    z = s * s;
    R = LOG_R[10];
    for (i = 9; i >= 0; i--) R = LOG_R[i] + z * R;
    R = z * R;
    hfsq = 0.5 * f * f;
    dk = (double)k;
    /* log(1+f) = f - (hfsq - s (hfsq + R)); plus k ln2 in two parts */
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
}

double nni_dlog1p(double x)
{
    double u;
    if (is_nan(x)) return x;
    if (x == from_bits(0x7ff0000000000000ull)) return x;
    u = 1.0 + x;
    if (u == 1.0) return x; /* |x| < 2^-53: log1p(x) = x (keeps -0, denormals) */
    /* Goldberg: log(u) * x / (u - 1) corrects the rounding of 1 + x */
    if (u == 0.0) return -from_bits(0x7ff0000000000000ull);
    return nni_dlog(u) * (x / (u - 1.0));
}

double nni_dpowi(double x, int64_t n)
{
    double r = 1.0, b = x;
    uint64_t e = n < 0 ? 0u - (uint64_t)n : (uint64_t)n;
    while (e) {
        if (e & 1u) r *= b;
        e >>= 1;
        if (e) b *= b;
    }
    return n < 0 ? 1.0 / r : r;
}

double nni_dpow(double x, double y)
{
    if (y == 0.0) return 1.0;
    if (is_nan(x) || is_nan(y)) return x + y;
    if (x == 1.0) return 1.0;
    if (y == (double)(long)y && y > -1e9 && y < 1e9) return nni_dpowi(x, (int64_t)y);
    if (x < 0.0) return from_bits(0x7ff8000000000000ull);
    return nni_dexp(y * nni_dlog(x));
}

/* sin and cos kernels on |r| <= pi/4 (Taylor to r^19 / r^20) */
static const double SIN_C[9] = {
    -0x1.5555555555555p-3, 0x1.1111111111111p-7, -0x1.a01a01a01a01ap-13, 0x1.71de3a556c734p-19,
    -0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33, -0x1.ae7f3e733b81fp-41, 0x1.952c77030ad4ap-49,
    -0x1.2f49b46814157p-57,
};
static const double COS_C[10] = {
    -0x1.0000000000000p-1, 0x1.5555555555555p-5, -0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-16,
    -0x1.27e4fb7789f5cp-22, 0x1.1eed8eff8d898p-29, -0x1.93974a8c07c9dp-37, 0x1.ae7f3e733b81fp-45,
    -0x1.6827863b97d97p-53, 0x1.e542ba4020225p-62,
};

static double sin_kernel(double r)
{
    double z = r * r, p = SIN_C[8];
    int i;
    for (i = 7; i >= 0; i--) p = SIN_C[i] + z * p;
    return r + r * (z * p);
}

static double cos_kernel(double r)
{
    double z = r * r, p = COS_C[9];
    int i;
    for (i = 8; i >= 1; i--) p = COS_C[i] + z * p;
    /* 1 - z/2 + z^2 p: subtract the small part from 1 last */
    return 1.0 - (0.5 * z - z * z * p);
}

double nni_dcos(double x)
{
    long n;
    double dn, r;
    if (is_nan(x)) return x;
    if (x < 0.0) x = -x;
    if (x < 0x1p-27) return 1.0;
    if (!(x < 823549.6)) return from_bits(0x7ff8000000000000ull); /* 2^19 pi/2; also inf */
    n = round_l(x * TWO_OVER_PI);
    dn = (double)n;
    r = ((x - dn * PIO2_1) - dn * PIO2_2) - dn * PIO2_3;
    switch (n & 3) {
    case 0: return cos_kernel(r);
    case 1: return -sin_kernel(r);
    case 2: return -cos_kernel(r);
    default: return sin_kernel(r);
    }
}

/* ---- float functions: evaluated in double, rounded once ------------------- */

/* e^x for a float result: the same reduction as nni_dexp, but a degree-7
   polynomial (truncation < 2^-27 relative, about 0.1 float ulp) since only 24
   bits survive; it is the hot exp of softmax, sigmoid and the losses. */
float nni_expf(float x)
{
    static const double C[6] = { /* 1/2! .. 1/7! */
        0x1.0000000000000p-1, 0x1.5555555555555p-3, 0x1.5555555555555p-5,
        0x1.1111111111111p-7, 0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13,
    };
    double xd = (double)x, r, p, kd;
    long n;
    if (x != x) return x;
    if (x > 88.8f) return (float)from_bits(0x7ff0000000000000ull); /* > log(FLT_MAX): +inf */
    if (x < -104.0f) return 0.0f;                                  /* < log of the smallest denormal / 2 */
    n = round_l(xd * LOG2E);
    kd = (double)n;
    r = (xd - kd * LN2_HI) - kd * LN2_LO;
    p = C[5];
    p = C[4] + r * p;
    p = C[3] + r * p;
    p = C[2] + r * p;
    p = C[1] + r * p;
    p = C[0] + r * p;
    /* n is in [-150, 128], inside pow2i's range; the product is one exact scaling */
    return (float)((1.0 + (r + r * r * p)) * pow2i((int)n));
}

float nni_expm1f(float x) { return (float)expm1_d((double)x); }

float nni_log1pf(float x) { return (float)nni_dlog1p((double)x); }

float nni_tanhf(float x)
{
    double a, e, t;
    if (is_nan(x) || x == 0.0f) return x;
    a = x < 0.0f ? -(double)x : (double)x;
    if (a >= 10.0) return x < 0.0f ? -1.0f : 1.0f; /* 1 - tanh(10) < 2^-27 */
    e = expm1_d(2.0 * a);
    t = e / (e + 2.0);
    return (float)(x < 0.0f ? -t : t);
}

float nni_erff(float x)
{
    double a, z, term, sum;
    int n;
    if (is_nan(x) || x == 0.0f) return x;
    a = x < 0.0f ? -(double)x : (double)x;
    if (a >= 4.0) return x < 0.0f ? -1.0f : 1.0f; /* erfc(4) < 2^-26: rounds to 1 */
    /* erf a = 2/sqrt(pi) e^(-a^2) sum_n 2^n a^(2n+1) / (1*3*...*(2n+1)); all terms positive. */
    z = a * a; /* exact: a has 24 bits */
    term = a;
    sum = a;
    for (n = 1; n < 200; n++) {
        term *= (2.0 * z) / (double)(2 * n + 1);
        sum += term;
        if (term < sum * 0x1p-56) break;
    }
    sum = TWO_OVER_SQRTPI * nni_dexp(-z) * sum;
    return (float)(x < 0.0f ? -sum : sum);
}
