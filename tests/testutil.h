/* Shared helpers for the test suite: a counting (and optionally failing)
   allocator, data generators and small double-precision references. */
#ifndef TH_TESTUTIL_H
#define TH_TESTUTIL_H
#include "nn.h"
#include <stddef.h>
#include <stdint.h>

typedef struct tu_counter {
    long allocs, frees, failed;
    long long live_bytes, total_bytes;
    long fail_at;  /* fail the fail_at-th allocation (1-based) when > 0 */
    int fail_all;  /* fail every allocation from then on */
} tu_counter;

/* An allocator table routed through c (sizes tracked in a header). */
nn_allocator tu_allocator(tu_counter *c);
void tu_counter_reset(tu_counter *c);

/* Deterministic test data (splitmix64-based, independent of the library). */
typedef struct tu_rng { uint64_t s; } tu_rng;
double tu_uniform(tu_rng *r);            /* [0, 1) */
double tu_range(tu_rng *r, double lo, double hi);
double tu_normal(tu_rng *r);

/* Double-precision reference of an activation (alpha: leaky slope); softmax row-wise. */
void tu_act_ref(nn_activation a, double alpha, const double *z, double *y, size_t rows, size_t cols);

/* Captures the log sink output. */
typedef struct tu_log { char buf[8192]; size_t len; } tu_log;
void tu_log_sink(void *user, const char *text);

#endif
