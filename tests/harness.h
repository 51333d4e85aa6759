/* Minimal self-registering test runner: TEST(name) { CHECK(...); }.
   Ends with "N passed, N failed" so CI can read the result. */
#ifndef TH_HARNESS_H
#define TH_HARNESS_H
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif
void th_register(const char *name, void (*fn)(void));
void th_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Number of failed checks so far in the running test. */
int th_failures(void);
#ifdef __cplusplus
}
#endif

#define TEST(name)                                                                           \
    static void name(void);                                                                  \
    __attribute__((constructor)) static void th_reg_##name(void) { th_register(#name, name); } \
    static void name(void)

#define CHECK(c)                                                                             \
    do {                                                                                     \
        if (!(c)) th_fail(__FILE__, __LINE__, "CHECK(%s)", #c);                              \
    } while (0)
#define CHECK_MSG(c, ...)                                                                    \
    do {                                                                                     \
        if (!(c)) th_fail(__FILE__, __LINE__, __VA_ARGS__);                                  \
    } while (0)
#define CHECK_EQ(a, b)                                                                       \
    do {                                                                                     \
        long long th_a = (long long)(a), th_b = (long long)(b);                              \
        if (th_a != th_b) th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, th_a, th_b); \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                                \
    do {                                                                                     \
        double th_a = (double)(a), th_b = (double)(b);                                       \
        if (!(fabs(th_a - th_b) <= (tol)))                                                   \
            th_fail(__FILE__, __LINE__, "%s ~ %s: %.9g vs %.9g (tol %g)", #a, #b, th_a, th_b, (double)(tol)); \
    } while (0)
#define CHECK_STR_CONTAINS(s, sub)                                                           \
    do {                                                                                     \
        const char *th_s = (s);                                                              \
        if (!th_s || !strstr(th_s, (sub)))                                                   \
            th_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"", th_s ? th_s : "(null)", (sub)); \
    } while (0)

#endif
