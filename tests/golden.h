/* Shared by tests/test_golden.c (every host, make test-cross) and the Cortex-M4
   firmware test (tests/firmware/xor_fw.c): fixed training runs and FNV-1a hashes
   of their results, which must be the same bits on every architecture. Needs only
   nn.h (no libc beyond what the firmware has). */
#ifndef TH_GOLDEN_H
#define TH_GOLDEN_H
#include "nn.h"
#include <stddef.h>
#include <stdint.h>

/* Golden values, pinned from x86-64 and checked on aarch64 (NEON), s390x (big endian),
   x86-64 Nehalem (scalar) / Haswell (AVX2) under qemu and on the Cortex-M4 firmware. */
#define GOLDEN_XOR_HASH 0xb877ab774e03303cull
#define GOLDEN_MIXED_WEIGHTS_HASH 0xcebc63483d121c15ull
#define GOLDEN_MIXED_FILE_HASH 0x361def8fc8cea8adull

#define GOLDEN_FNV_INIT 0xcbf29ce484222325ull

static uint64_t golden_fnv(uint64_t h, const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* FNV-1a over the little-endian bytes of the floats' bit patterns (host-independent). */
static uint64_t golden_fnv_floats(uint64_t h, const float *w, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        union { float f; uint32_t u; } v;
        unsigned char b[4];
        v.f = w[i];
        b[0] = (unsigned char)v.u, b[1] = (unsigned char)(v.u >> 8);
        b[2] = (unsigned char)(v.u >> 16), b[3] = (unsigned char)(v.u >> 24);
        h = golden_fnv(h, b, 4);
    }
    return h;
}

/* XOR: 2-8(tanh)-1(sigmoid), binary crossentropy, Adam(0.05), seed 7, 300 epochs of one batch.
   On success returns NN_OK, the weights' hash in *hash and the 4 predictions in pred. */
static nn_status golden_xor(const nn_allocator *a, uint64_t *hash, float pred[4])
{
    static const float x[8] = { 0, 0, 0, 1, 1, 0, 1, 1 }, y[4] = { 0, 1, 1, 0 };
    float w[64];
    size_t n = 0;
    nn_status s;
    nn_model *m = a ? nn_model_create_with_allocator(2, a) : nn_model_create(2);
    if (!m) return NN_ERR_NOMEM;
    nn_model_set_seed(m, 7);
    nn_model_set_shuffle(m, 0);
    nn_model_add(m, nn_dense(8, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_SIGMOID));
    s = nn_model_compile(m, nn_adam(0.05f), NN_LOSS_BINARY_CROSSENTROPY);
    if (s == NN_OK) s = nn_model_fit(m, x, y, 4, 300, 4);
    if (s == NN_OK) s = nn_model_predict(m, x, 4, pred);
    if (s == NN_OK) s = nn_model_get_weights(m, w, 64, &n);
    if (s == NN_OK) *hash = golden_fnv_floats(GOLDEN_FNV_INIT, w, n);
    nn_model_free(m);
    return s;
}

#endif
