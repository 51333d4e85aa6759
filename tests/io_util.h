/* Helpers shared by the tests/test_io_*.c files. */
#ifndef TH_IO_UTIL_H
#define TH_IO_UTIL_H
#include "nn.h"
#include "io/bytes.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Save m into a malloc'd buffer; *len gets its size. */
static inline unsigned char *io_save(const nn_model *m, size_t *len)
{
    unsigned char *b;
    if (nn_model_save_buffer(m, NULL, 0, len) != NN_OK) return NULL;
    b = (unsigned char *)malloc(*len);
    if (b && nn_model_save_buffer(m, b, *len, len) != NN_OK) {
        free(b);
        return NULL;
    }
    return b;
}

/* First offset of the bytes of s in b, or (size_t)-1. */
static inline size_t io_find(const unsigned char *b, size_t len, const char *s)
{
    size_t i, n = strlen(s);
    for (i = 0; i + n <= len; i++)
        if (memcmp(b + i, s, n) == 0) return i;
    return (size_t)-1;
}

/* Recompute the trailing CRC-32 after a test edited a file image. */
static inline void io_fix_crc(unsigned char *b, size_t len)
{
    uint32_t c = nni_crc32(0, b, len - 4);
    b[len - 4] = (unsigned char)c;
    b[len - 3] = (unsigned char)(c >> 8);
    b[len - 2] = (unsigned char)(c >> 16);
    b[len - 1] = (unsigned char)(c >> 24);
}

/* Deterministic data: y = sum of sines of x. */
static inline void io_data(float *x, float *y, size_t n, size_t in, size_t out, uint32_t seed)
{
    size_t i, j;
    uint32_t s = seed * 2654435761u + 1u;
    for (i = 0; i < n * in; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (float)(s >> 8) / 16777216.0f * 4.0f - 2.0f;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < out; j++) y[i * out + j] = (float)(sin((double)x[i * in + j % in] * (double)(j + 1)) + 0.1 * x[i * in]);
}

#endif
