/* Little-endian byte writer and bounds-checked reader, written byte by byte so
   the format is identical on every host; CRC-32 (IEEE 802.3). */
#ifndef NNI_BYTES_H
#define NNI_BYTES_H
#include <stddef.h>
#include <stdint.h>

/* Writes into buf[0, cap); bytes beyond cap are only counted in pos, so one
   pass with cap 0 measures the size. */
typedef struct nni_wr {
    uint8_t *buf;
    size_t cap, pos;
} nni_wr;

void nni_wr_u8(nni_wr *w, unsigned v);
void nni_wr_u16(nni_wr *w, unsigned v);
void nni_wr_u32(nni_wr *w, uint32_t v);
void nni_wr_u64(nni_wr *w, uint64_t v);
void nni_wr_f32(nni_wr *w, float v);
void nni_wr_bytes(nni_wr *w, const void *p, size_t n);
void nni_wr_f32s(nni_wr *w, const float *v, size_t n);
/* u16 length + bytes. */
void nni_wr_str16(nni_wr *w, const char *s);
/* Overwrite a u32/u64 written earlier at pos (if it is inside the buffer). */
void nni_wr_patch_u32(nni_wr *w, size_t at, uint32_t v);
void nni_wr_patch_u64(nni_wr *w, size_t at, uint64_t v);

/* Reads buf[0, len) from pos; the first failure sets err (with the offset) and
   makes every later read fail, so callers may check once at the end. */
typedef struct nni_rd {
    const uint8_t *buf;
    size_t len, pos;
    int failed;
    char err[256];
} nni_rd;

int nni_rd_fail(nni_rd *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
unsigned nni_rd_u8(nni_rd *r);
unsigned nni_rd_u16(nni_rd *r);
uint32_t nni_rd_u32(nni_rd *r);
uint64_t nni_rd_u64(nni_rd *r);
float nni_rd_f32(nni_rd *r);
/* A u64 that must fit size_t; what names it in the message. */
size_t nni_rd_size(nni_rd *r, const char *what);
/* n floats into out (out may be NULL to skip). */
int nni_rd_f32s(nni_rd *r, float *out, size_t n, const char *what);
/* u16-length string into out (cap bytes incl. NUL); longer strings fail. */
int nni_rd_str16(nni_rd *r, char *out, size_t cap, const char *what);
/* Require n more bytes. */
int nni_rd_need(nni_rd *r, size_t n, const char *what);
size_t nni_rd_left(const nni_rd *r);

uint32_t nni_crc32(uint32_t crc, const void *p, size_t n);

#endif
