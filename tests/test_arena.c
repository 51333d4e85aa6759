/* Static arena allocator and nn_model_memory_required (firmware: measure, then place). */
#include "harness.h"
#include "testutil.h"
#include <stdlib.h>

static void ta_data(float *x, float *y, size_t n, size_t d, size_t c)
{
    tu_rng r = { 77 };
    size_t i, j;
    for (i = 0; i < n; i++) {
        for (j = 0; j < d; j++) x[i * d + j] = (float)tu_range(&r, -1, 1);
        for (j = 0; j < c; j++) y[i * c + j] = 0.0f;
        y[i * c + (size_t)(tu_uniform(&r) * (double)c)] = 1.0f;
    }
}

static nn_model *ta_model(const nn_allocator *a, size_t d, size_t c)
{
    nn_model *m = nn_model_create_with_allocator(d, a);
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_dropout(0.2f));
    nn_model_add(m, nn_dense(32, NN_TANH));
    nn_model_add(m, nn_dense(c, NN_SOFTMAX));
    return m;
}

TEST(arena_memory_required_is_a_tight_upper_bound)
{
    enum { D = 20, C = 5, N = 300, E = 3 };
    static const size_t batches[] = { 8, 32, 100, 300 };
    float *x = (float *)malloc(N * D * sizeof(float)), *y = (float *)malloc(N * C * sizeof(float));
    size_t b;
    ta_data(x, y, N, D, C);
    for (b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        size_t bs = batches[b];
        tu_counter c;
        nn_allocator a;
        nn_model *m;
        size_t req, extras;
        long long before, used;
        long allocs_before;
        tu_counter_reset(&c);
        a = tu_allocator(&c);
        m = ta_model(&a, D, C);
        req = nn_model_memory_required(m, bs);
        before = c.total_bytes;
        allocs_before = c.allocs;
        CHECK(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_CATEGORICAL_CROSSENTROPY) == NN_OK);
        CHECK(nn_model_fit(m, x, y, N, E, (int)bs) == NN_OK);
        /* the documented extras of fit: shuffle order and history (loss, learning_rate) */
        extras = N * sizeof(size_t) + (size_t)E * 2 * sizeof(float);
        used = c.total_bytes - before - (long long)extras;
        CHECK_MSG((long long)req >= used, "batch %zu: required %zu < allocated %lld", bs, req, used);
        /* tight: within 3% plus the arena's rounding (<= 31 bytes per allocation) */
        CHECK_MSG((double)req <= (double)used * 1.03 + 32.0 * (double)(c.allocs - allocs_before),
                  "batch %zu: required %zu, allocated %lld in %ld allocations", bs, req, used,
                  c.allocs - allocs_before);
        nn_model_free(m);
        CHECK(c.live_bytes == 0);
    }
    free(x);
    free(y);
}

TEST(arena_trains_within_measured_size_and_fails_cleanly_below)
{
    enum { D = 20, C = 5, N = 64, E = 2, BS = 16 };
    float *x = (float *)malloc(N * D * sizeof(float)), *y = (float *)malloc(N * C * sizeof(float));
    size_t cap = 1 << 20, need, req, extras;
    unsigned char *buf = (unsigned char *)malloc(cap + 1);
    nn_allocator a;
    nn_model *m;
    nn_optimizer *o;
    size_t after_add;
    nn_status s;
    ta_data(x, y, N, D, C);
    /* measure: everything (constructors too) from an arena at an odd address */
    CHECK(nn_arena_init(buf + 1, cap, &a) == NN_OK);
    CHECK(nn_set_default_allocator(&a) == NN_OK);
    m = ta_model(&a, D, C);
    o = nn_adam(1e-3f);
    after_add = nn_arena_used(&a);
    req = nn_model_memory_required(m, BS);
    CHECK(nn_model_compile(m, o, NN_LOSS_CATEGORICAL_CROSSENTROPY) == NN_OK);
    CHECK(nn_model_fit(m, x, y, N, E, BS) == NN_OK);
    need = nn_arena_used(&a);
    extras = (N * sizeof(size_t) + 31) / 16 * 16 + (E * 2 * sizeof(float) + 31) / 16 * 16;
    CHECK_MSG(need - after_add <= req + extras, "arena used %zu after add %zu, required %zu + %zu", need, after_add, req, extras);
    CHECK(nn_arena_used(NULL) == 0);
    nn_model_free(m);
    /* place: exactly `need` bytes are enough for the same run ... */
    CHECK(nn_arena_init(buf + 1, need, &a) == NN_OK);
    CHECK(nn_set_default_allocator(&a) == NN_OK);
    m = ta_model(&a, D, C);
    CHECK(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_CATEGORICAL_CROSSENTROPY) == NN_OK);
    CHECK(nn_model_fit(m, x, y, N, E, BS) == NN_OK);
    nn_model_free(m);
    /* ... and too little fails with NN_ERR_NOMEM, not a crash */
    CHECK(nn_arena_init(buf + 1, need - 64, &a) == NN_OK);
    CHECK(nn_set_default_allocator(&a) == NN_OK);
    m = ta_model(&a, D, C);
    s = nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_CATEGORICAL_CROSSENTROPY);
    if (s == NN_OK) s = nn_model_fit(m, x, y, N, E, BS);
    CHECK(s == NN_ERR_NOMEM);
    nn_model_free(m);
    nn_set_default_allocator(NULL);
    CHECK(nn_arena_init(NULL, 100, &a) == NN_ERR_INVALID_ARG && nn_arena_init(buf, 8, &a) == NN_ERR_INVALID_ARG);
    free(buf);
    free(x);
    free(y);
}
