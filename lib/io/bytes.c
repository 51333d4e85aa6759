#include "io/bytes.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nni_wr_u8(nni_wr *w, unsigned v)
{
    if (w->pos < w->cap) w->buf[w->pos] = (uint8_t)(v & 0xFFu);
    w->pos++;
}

void nni_wr_u16(nni_wr *w, unsigned v)
{
    nni_wr_u8(w, v);
    nni_wr_u8(w, v >> 8);
}

void nni_wr_u32(nni_wr *w, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++) nni_wr_u8(w, (unsigned)(v >> (8 * i)));
}

void nni_wr_u64(nni_wr *w, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) nni_wr_u8(w, (unsigned)(v >> (8 * i)));
}

void nni_wr_f32(nni_wr *w, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    nni_wr_u32(w, u);
}

void nni_wr_bytes(nni_wr *w, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    for (i = 0; i < n; i++) nni_wr_u8(w, b[i]);
}

void nni_wr_f32s(nni_wr *w, const float *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) nni_wr_f32(w, v[i]);
}

void nni_wr_str16(nni_wr *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xFFFF) n = 0xFFFF;
    nni_wr_u16(w, (unsigned)n);
    nni_wr_bytes(w, s, n);
}

void nni_wr_patch_u32(nni_wr *w, size_t at, uint32_t v)
{
    nni_wr t;
    t.buf = w->buf;
    t.cap = w->cap;
    t.pos = at;
    nni_wr_u32(&t, v);
}

void nni_wr_patch_u64(nni_wr *w, size_t at, uint64_t v)
{
    nni_wr t;
    t.buf = w->buf;
    t.cap = w->cap;
    t.pos = at;
    nni_wr_u64(&t, v);
}

int nni_rd_fail(nni_rd *r, const char *fmt, ...)
{
    va_list ap;
    if (r->failed) return 0;
    r->failed = 1;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return 0;
}

size_t nni_rd_left(const nni_rd *r) { return r->failed ? 0 : r->len - r->pos; }

int nni_rd_need(nni_rd *r, size_t n, const char *what)
{
    if (r->failed) return 0;
    if (r->len - r->pos < n)
        return nni_rd_fail(r, "truncated at offset %zu: %s needs %zu bytes, %zu left", r->pos, what, n, r->len - r->pos);
    return 1;
}

static uint64_t rd_le(nni_rd *r, int bytes)
{
    uint64_t v = 0;
    int i;
    if (!nni_rd_need(r, (size_t)bytes, "a number")) return 0;
    for (i = 0; i < bytes; i++) v |= (uint64_t)r->buf[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)bytes;
    return v;
}

unsigned nni_rd_u8(nni_rd *r) { return (unsigned)rd_le(r, 1); }
unsigned nni_rd_u16(nni_rd *r) { return (unsigned)rd_le(r, 2); }
uint32_t nni_rd_u32(nni_rd *r) { return (uint32_t)rd_le(r, 4); }
uint64_t nni_rd_u64(nni_rd *r) { return rd_le(r, 8); }

float nni_rd_f32(nni_rd *r)
{
    uint32_t u = nni_rd_u32(r);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

size_t nni_rd_size(nni_rd *r, const char *what)
{
    size_t at = r->pos;
    uint64_t v = nni_rd_u64(r);
    if (r->failed) return 0;
    if (v > (uint64_t)(size_t)-1) {
        nni_rd_fail(r, "%s = %llu at offset %zu does not fit size_t on this machine", what, (unsigned long long)v, at);
        return 0;
    }
    return (size_t)v;
}

int nni_rd_f32s(nni_rd *r, float *out, size_t n, const char *what)
{
    size_t i;
    if (r->failed) return 0;
    if (n > (r->len - r->pos) / 4)
        return nni_rd_fail(r, "%s at offset %zu: %zu floats do not fit in the %zu bytes left", what, r->pos, n, r->len - r->pos);
    for (i = 0; i < n; i++) {
        float f = nni_rd_f32(r);
        if (out) out[i] = f;
    }
    return 1;
}

int nni_rd_str16(nni_rd *r, char *out, size_t cap, const char *what)
{
    size_t at = r->pos, n = nni_rd_u16(r);
    if (r->failed) return 0;
    if (n + 1 > cap) return nni_rd_fail(r, "%s at offset %zu: %zu bytes is too long (at most %zu)", what, at, n, cap - 1);
    if (!nni_rd_need(r, n, what)) return 0;
    memcpy(out, r->buf + r->pos, n);
    out[n] = '\0';
    if (memchr(out, '\0', n)) return nni_rd_fail(r, "%s at offset %zu contains a NUL byte", what, at);
    r->pos += n;
    return 1;
}

uint32_t nni_crc32(uint32_t crc, const void *p, size_t n)
{
    /* reflected polynomial 0xEDB88320, nibble table: small and endian-free */
    static const uint32_t t[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    crc = ~crc;
    for (i = 0; i < n; i++) {
        crc ^= b[i];
        crc = (crc >> 4) ^ t[crc & 15u];
        crc = (crc >> 4) ^ t[crc & 15u];
    }
    return ~crc;
}
