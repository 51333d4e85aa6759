/* Deterministic transcendental functions.

   libm's exp/log/tanh/erf/pow round differently on every platform (glibc
   x86-64 vs s390x vs newlib), so training with them is not bit-identical
   across architectures. These replacements use only IEEE-754 + - * / on
   double (correctly rounded on every target, also soft-float), integer bit
   manipulation and comparisons, in a fixed order, so they give the same bits
   everywhere (x86-64 SSE, AArch64, s390x, Cortex-M4 soft-double).

   Accuracy, measured against glibc in tests/test_mathf.c (millions of points
   incl. 0, +-denormals, huge/tiny, +-inf, NaN):
     float functions (evaluated in double, rounded once):  <= 1 ulp
       nni_expf, nni_expm1f, nni_log1pf, nni_tanhf, nni_erff
     double functions:
       nni_dexp, nni_dlog  <= 1 ulp;  nni_dlog1p  <= 2 ulp;
       nni_dpowi(x, n) (repeated squaring)  <= n ulp (squaring doubles the
       relative error; Adam's b^t needs far less than float precision);
       nni_dpow(x, y) = exp(y log x), x > 0:  <= 2 (1 + |y log x|) ulp;
       nni_dcos  <= 2 ulp for |x| < 2^19 * pi/2 (NaN beyond; the library
       only needs [0, pi]).
   sqrt/sqrtf are IEEE exact and stay libm's; so do fabs/floor. */
#ifndef NNI_MATHF_H
#define NNI_MATHF_H

#include <stdint.h>

/* Float arithmetic must be done in float: x87 (i386 without SSE) and GCC's s390x in
   -std=c11 mode (which evaluates float in double to match glibc's float_t) report
   FLT_EVAL_METHOD 1 or 2 and would round differently from everyone else. */
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ != 0
#error "libnn needs FLT_EVAL_METHOD 0: use -msse2 -mfpmath=sse on i386, -fexcess-precision=fast (or -std=gnu11) on s390x"
#endif

float nni_expf(float x);
float nni_expm1f(float x);
float nni_log1pf(float x);
float nni_tanhf(float x);
float nni_erff(float x);

double nni_dexp(double x);
double nni_dlog(double x);
double nni_dlog1p(double x);
double nni_dpowi(double x, int64_t n);
double nni_dpow(double x, double y);
double nni_dcos(double x);

#endif
