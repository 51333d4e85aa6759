/* Shared helpers of the libFuzzer harnesses (tests/fuzz/README.md). */
#ifndef NN_FUZZ_UTIL_H
#define NN_FUZZ_UTIL_H
#include "nn.h"
#include "io/bytes.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Repair the framing of a mutated model file so the fuzzer reaches the section
   parsers instead of stopping at the magic, length or CRC check: magic and
   version 1.x, content length = len - 28, CRC-32 trailer recomputed. */
static inline void fz_fix_frame(unsigned char *b, size_t len)
{
    static const unsigned char magic[8] = { 0x89, 'N', 'N', 'M', '\r', '\n', 0x1a, '\n' };
    uint64_t content;
    uint32_t crc;
    int i;
    if (len < 28) return;
    memcpy(b, magic, 8);
    b[8] = 1;
    b[9] = 0;
    content = (uint64_t)(len - 28);
    for (i = 0; i < 8; i++) b[16 + i] = (unsigned char)(content >> (8 * i));
    crc = nni_crc32(0, b, len - 4);
    for (i = 0; i < 4; i++) b[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

/* Counting allocator that may fail from the fail_at-th allocation on (0: never). */
typedef struct fz_alloc {
    long allocs, frees, fail_at, n;
    int persistent;
} fz_alloc;

typedef union fz_hdr { size_t size; long double align; void *p; } fz_hdr;

static inline void *fz_alloc_fn(void *user, size_t size)
{
    fz_alloc *c = (fz_alloc *)user;
    fz_hdr *h;
    c->n++;
    if (c->fail_at > 0 && (c->n == c->fail_at || (c->persistent && c->n > c->fail_at))) return NULL;
    h = (fz_hdr *)malloc(sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    c->allocs++;
    return h + 1;
}

static inline void fz_free_fn(void *user, void *p)
{
    fz_alloc *c = (fz_alloc *)user;
    if (!p) return;
    c->frees++;
    free((fz_hdr *)p - 1);
}

static inline nn_allocator fz_allocator(fz_alloc *c)
{
    nn_allocator a;
    memset(c, 0, sizeof *c);
    a.alloc = fz_alloc_fn;
    a.free = fz_free_fn;
    a.user = c;
    return a;
}

/* Abort (a finding) when the allocator's books do not balance. */
static inline void fz_check_balanced(const fz_alloc *c)
{
    if (c->allocs != c->frees) abort();
}

/* Byte consumer for the structure-aware harness. */
typedef struct fz_in { const uint8_t *p; size_t n; } fz_in;

static inline unsigned fz_u8(fz_in *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

static inline unsigned fz_u16(fz_in *in) { unsigned a = fz_u8(in); return a | fz_u8(in) << 8; }

/* A float that is often ordinary, sometimes hostile (NaN, Inf, huge, tiny, negative zero). */
static inline float fz_float(fz_in *in)
{
    static const float special[16] = { 0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1e-7f, 1e30f, -1e30f, 3.4e38f,
                                       1e-40f, 0.99f, 2.0f, 0.1f, 1e-3f, 0, 0 };
    unsigned k = fz_u8(in);
    if (k < 160) return ((float)fz_u16(in) - 32768.0f) / 8192.0f; /* [-4, 4) */
    if (k < 176) {
        unsigned j = k - 160;
        if (j == 14) return __builtin_nanf("");
        if (j == 15) return (k & 1) ? __builtin_inff() : -__builtin_inff();
        return special[j];
    }
    if (k < 192) return -__builtin_inff();
    if (k < 200) return __builtin_inff();
    if (k < 208) return __builtin_nanf("");
    {
        uint32_t u = (uint32_t)fz_u16(in) | (uint32_t)fz_u16(in) << 16;
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
}

#endif
