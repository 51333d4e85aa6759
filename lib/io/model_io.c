/*
 * Model files: nn_model_save / nn_model_load and their buffer, allocator and
 * weights-only twins. The format is specified in docs/file-format.md:
 * header (magic, version, flags, content length), tagged sections with
 * lengths, CRC-32 trailer; every number little-endian, written byte by byte.
 * The reader validates every size against the bytes left before allocating.
 */
#include "io/io.h"
#include "io/bytes.h"
#include "io/scaler.h"
#include "core/model.h"
#include "core/alloc.h"
#include "core/error.h"
#include "layers/registry.h"
#include "optim/optimizer.h"
#include "train/metrics.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define FMT_MAJOR 1u
#define FMT_MINOR 0u
#define HEADER_BYTES 24u
#define SECTION_HEADER 16u
#define FLAG_WEIGHTS_ONLY 1u
#define SEC_REQUIRED 1u
/* Widths above this are only accepted when the file carries at least that many weights. */
#define WIDTH_LIMIT ((size_t)1 << 20)

static const uint8_t magic[8] = { 0x89, 'N', 'N', 'M', '\r', '\n', 0x1A, '\n' };

static NNI_THREAD_LOCAL nn_status tl_load_status;

nn_status nn_last_load_status(void) { return tl_load_status; }

/* ---- generic tagged fields ---- */

static const nni_field model_fields[] = {
    { "seed", NNI_FT_U64, offsetof(nn_model, seed) },
    { "seeded", NNI_FT_INT, offsetof(nn_model, seeded) },
    { "rng_s0", NNI_FT_U64, offsetof(nn_model, rng.s[0]) },
    { "rng_s1", NNI_FT_U64, offsetof(nn_model, rng.s[1]) },
    { "rng_s2", NNI_FT_U64, offsetof(nn_model, rng.s[2]) },
    { "rng_s3", NNI_FT_U64, offsetof(nn_model, rng.s[3]) },
    { "validation_split", NNI_FT_F32, offsetof(nn_model, val_split) },
    { "shuffle", NNI_FT_INT, offsetof(nn_model, shuffle) },
    { "verbose", NNI_FT_INT, offsetof(nn_model, verbose) },
    { "huber_delta", NNI_FT_F32, offsetof(nn_model, huber_delta) },
    { "linear_shortcut", NNI_FT_INT, offsetof(nn_model, linear_shortcut) },
};
#define N_MODEL_FIELDS (sizeof model_fields / sizeof model_fields[0])

static size_t field_bytes(nni_field_type t) { return (t == NNI_FT_INT || t == NNI_FT_F32) ? 4 : 8; }

static void write_fields(nni_wr *w, const void *base, const nni_field *f, size_t n)
{
    const unsigned char *b = (const unsigned char *)base;
    size_t i;
    nni_wr_u16(w, (unsigned)n);
    for (i = 0; i < n; i++) {
        size_t len = strlen(f[i].name);
        nni_wr_u8(w, (unsigned)len);
        nni_wr_bytes(w, f[i].name, len);
        nni_wr_u8(w, (unsigned)f[i].type);
        nni_wr_u32(w, (uint32_t)field_bytes(f[i].type));
        switch (f[i].type) {
        case NNI_FT_SIZE: { size_t v; memcpy(&v, b + f[i].offset, sizeof v); nni_wr_u64(w, (uint64_t)v); break; }
        case NNI_FT_U64: { uint64_t v; memcpy(&v, b + f[i].offset, sizeof v); nni_wr_u64(w, v); break; }
        case NNI_FT_I64: { int64_t v; memcpy(&v, b + f[i].offset, sizeof v); nni_wr_u64(w, (uint64_t)v); break; }
        case NNI_FT_INT: { int v; memcpy(&v, b + f[i].offset, sizeof v); nni_wr_u32(w, (uint32_t)v); break; }
        case NNI_FT_F32: default: { float v; memcpy(&v, b + f[i].offset, sizeof v); nni_wr_f32(w, v); break; }
        }
    }
}

static int64_t to_i64(uint64_t u) { return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1; }
static int32_t to_i32(uint32_t u) { return u <= (uint32_t)INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1; }

/* Read fields into base; unknown names are skipped (fields are appended with defaults that keep
   the old behaviour), a known name with another type is an error. */
static int read_fields(nni_rd *r, void *base, const nni_field *f, size_t nf, const char *what)
{
    unsigned char *b = (unsigned char *)base;
    unsigned n = nni_rd_u16(r), k;
    for (k = 0; k < n && !r->failed; k++) {
        char name[256];
        size_t at = r->pos, i, nl = nni_rd_u8(r), len;
        unsigned type;
        if (!nni_rd_need(r, nl, "a field name")) return 0;
        memcpy(name, r->buf + r->pos, nl);
        name[nl] = '\0';
        r->pos += nl;
        type = nni_rd_u8(r);
        len = nni_rd_u32(r);
        if (!nni_rd_need(r, len, "a field value")) return 0;
        for (i = 0; i < nf; i++)
            if (strcmp(f[i].name, name) == 0) break;
        if (i == nf) {
            r->pos += len; /* a field a newer writer added */
            continue;
        }
        if (type != (unsigned)f[i].type || len != field_bytes(f[i].type))
            return nni_rd_fail(r, "%s field \"%s\" at offset %zu has type %u and %zu bytes, expected type %d and %zu bytes",
                               what, name, at, type, len, (int)f[i].type, field_bytes(f[i].type));
        switch (f[i].type) {
        case NNI_FT_SIZE: {
            size_t v = nni_rd_size(r, name);
            memcpy(b + f[i].offset, &v, sizeof v);
            break;
        }
        case NNI_FT_U64: { uint64_t v = nni_rd_u64(r); memcpy(b + f[i].offset, &v, sizeof v); break; }
        case NNI_FT_I64: { int64_t v = to_i64(nni_rd_u64(r)); memcpy(b + f[i].offset, &v, sizeof v); break; }
        case NNI_FT_INT: { int v = (int)to_i32(nni_rd_u32(r)); memcpy(b + f[i].offset, &v, sizeof v); break; }
        case NNI_FT_F32: default: { float v = nni_rd_f32(r); memcpy(b + f[i].offset, &v, sizeof v); break; }
        }
    }
    return !r->failed;
}

/* ---- writer ---- */

static size_t sec_begin(nni_wr *w, const char *tag)
{
    size_t at;
    nni_wr_bytes(w, tag, 4);
    nni_wr_u32(w, SEC_REQUIRED);
    at = w->pos;
    nni_wr_u64(w, 0);
    return at;
}

static void sec_end(nni_wr *w, size_t at) { nni_wr_patch_u64(w, at, (uint64_t)(w->pos - at - 8)); }

/* NAME is optional (added after 1.0 without a minor bump: a 1.0 reader skips it). */
static void write_names(nni_wr *w, const nn_model *m)
{
    size_t i, at, n_out = nn_model_output_name(m, 0) ? m->n_out_names : 0;
    if (!m->n_feat_names && !n_out) return;
    nni_wr_bytes(w, "NAME", 4);
    nni_wr_u32(w, 0);
    at = w->pos;
    nni_wr_u64(w, 0);
    nni_wr_u64(w, (uint64_t)m->n_feat_names);
    for (i = 0; i < m->n_feat_names; i++) nni_wr_str16(w, m->feat_names[i]);
    nni_wr_u64(w, (uint64_t)n_out);
    for (i = 0; i < n_out; i++) nni_wr_str16(w, m->out_names[i]);
    sec_end(w, at);
}

static void serialize(const nn_model *m, nni_wr *w, int weights_only)
{
    size_t i, at, len_at;
    nni_wr_bytes(w, magic, 8);
    nni_wr_u16(w, FMT_MAJOR);
    nni_wr_u16(w, FMT_MINOR);
    nni_wr_u32(w, weights_only ? FLAG_WEIGHTS_ONLY : 0u);
    len_at = w->pos;
    nni_wr_u64(w, 0);

    at = sec_begin(w, "ARCH");
    nni_wr_u64(w, (uint64_t)m->in_dim);
    nni_wr_u32(w, (uint32_t)m->n_layers);
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        nni_wr_str16(w, l->ops->name);
        write_fields(w, l, nni_layer_fields, nni_layer_field_count);
        nni_wr_u64(w, (uint64_t)l->out_dim);
    }
    sec_end(w, at);

    if (m->built) {
        at = sec_begin(w, "WGHT");
        nni_wr_u64(w, (uint64_t)m->n_params);
        nni_wr_u64(w, (uint64_t)m->n_trainable);
        nni_wr_f32s(w, m->params, m->n_params);
        sec_end(w, at);
    }
    if (!weights_only) {
        at = sec_begin(w, "MODL");
        write_fields(w, m, model_fields, N_MODEL_FIELDS);
        sec_end(w, at);

        at = sec_begin(w, "COMP");
        nni_wr_u8(w, (unsigned)m->compiled);
        nni_wr_u32(w, (uint32_t)m->loss);
        nni_wr_u32(w, (uint32_t)m->n_metrics);
        for (i = 0; i < m->n_metrics; i++) nni_wr_u32(w, (uint32_t)m->metrics[i]);
        sec_end(w, at);

        if (m->compiled && m->opt) {
            at = sec_begin(w, "OPTM");
            nni_wr_str16(w, m->opt->ops->name);
            write_fields(w, m->opt, nni_opt_fields, nni_opt_field_count);
            nni_wr_u64(w, (uint64_t)m->opt->state_floats);
            nni_wr_f32s(w, m->opt->state, m->opt->state_floats);
            sec_end(w, at);
        }
        if (m->val_x && m->n_layers) {
            size_t td = m->val_tdim;
            at = sec_begin(w, "VALD");
            nni_wr_u64(w, (uint64_t)m->val_n);
            nni_wr_u64(w, (uint64_t)m->in_dim);
            nni_wr_u64(w, (uint64_t)td);
            nni_wr_f32s(w, m->val_x, m->val_n * m->in_dim);
            nni_wr_f32s(w, m->val_y, m->val_n * td);
            sec_end(w, at);
        }
        for (i = 0; i < 2; i++) {
            const nn_scaler *s = i ? m->out_scaler : m->in_scaler;
            if (!s) continue;
            at = sec_begin(w, "PREP");
            nni_wr_u8(w, (unsigned)i);
            nni_scaler_write(w, s);
            sec_end(w, at);
        }
        write_names(w, m);
    }
    nni_wr_patch_u64(w, len_at, (uint64_t)(w->pos - HEADER_BYTES));
    if (w->pos <= w->cap) nni_wr_u32(w, nni_crc32(0, w->buf, w->pos));
    else nni_wr_u32(w, 0);
}

static nn_status save_buffer(const nn_model *m, void *buf, size_t cap, size_t *needed, int weights_only, const char *who)
{
    nni_wr w;
    nn_model *mm = (nn_model *)m; /* only its error message changes */
    if (!m) {
        nni_set_last_error("%s: model is NULL", who);
        return NN_ERR_INVALID_ARG;
    }
    if (!buf && cap) return nni_fail(mm, NN_ERR_INVALID_ARG, "%s: buf is NULL but cap is %zu", who, cap);
    w.buf = (uint8_t *)buf;
    w.cap = buf ? cap : 0;
    w.pos = 0;
    serialize(m, &w, weights_only);
    if (needed) *needed = w.pos;
    if (!buf) {
        if (!needed) return nni_fail(mm, NN_ERR_INVALID_ARG, "%s: buf and needed are both NULL", who);
        nni_clear_error(mm);
        return NN_OK;
    }
    if (w.pos > cap) return nni_fail(mm, NN_ERR_INVALID_ARG, "%s: the buffer holds %zu bytes, %zu are needed", who, cap, w.pos);
    nni_clear_error(mm);
    return NN_OK;
}

nn_status nn_model_save_buffer(const nn_model *m, void *buf, size_t cap, size_t *needed)
{
    return save_buffer(m, buf, cap, needed, 0, "nn_model_save_buffer");
}

nn_status nn_model_save_weights_buffer(const nn_model *m, void *buf, size_t cap, size_t *needed)
{
    return save_buffer(m, buf, cap, needed, 1, "nn_model_save_weights_buffer");
}

static nn_status save_file(const nn_model *m, const char *path, int weights_only, const char *who)
{
    nn_model *mm = (nn_model *)m;
    size_t need = 0;
    void *buf;
    nn_status s;
    if (!m) {
        nni_set_last_error("%s: model is NULL", who);
        return NN_ERR_INVALID_ARG;
    }
    if (!path) return nni_fail(mm, NN_ERR_INVALID_ARG, "%s: path is NULL", who);
    if ((s = save_buffer(m, NULL, 0, &need, weights_only, who)) != NN_OK) return s;
    buf = nni_alloc(&mm->alloc, need);
    if (!buf) return nni_fail(mm, NN_ERR_NOMEM, "%s: out of memory for %zu bytes", who, need);
    s = save_buffer(m, buf, need, &need, weights_only, who);
    if (s == NN_OK) {
        s = nni_write_file_atomic(path, buf, need);
        if (s != NN_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", nn_last_error());
            nni_fail(mm, s, "%s: %s", who, msg);
        }
    }
    nni_free(&mm->alloc, buf);
    return s;
}

nn_status nn_model_save(const nn_model *m, const char *path) { return save_file(m, path, 0, "nn_model_save"); }
nn_status nn_model_save_weights(const nn_model *m, const char *path) { return save_file(m, path, 1, "nn_model_save_weights"); }

/* ---- reader ---- */

enum { S_ARCH, S_WGHT, S_MODL, S_COMP, S_OPTM, S_VALD, S_NAME, S_PREP0, S_PREP1, S_COUNT };
static const char *const sec_tags[] = { "ARCH", "WGHT", "MODL", "COMP", "OPTM", "VALD", "NAME", "PREP" };

typedef struct loader {
    nni_rd r;          /* the whole buffer; errors collect here */
    unsigned minor;
    unsigned flags;
    size_t off[S_COUNT], len[S_COUNT];
    int have[S_COUNT];
    int nomem;
} loader;

/* A reader over one section that reports offsets of the whole file. */
static nni_rd sub_reader(const loader *L, int s)
{
    nni_rd r;
    memset(&r, 0, sizeof r);
    r.buf = L->r.buf;
    r.len = L->off[s] + L->len[s];
    r.pos = L->off[s];
    return r;
}

/* Copy a sub-reader's failure into the loader; also checks the section was consumed. */
static int sub_done(loader *L, nni_rd *r, int s, int check_end)
{
    if (!r->failed && check_end && r->pos != r->len && L->minor <= FMT_MINOR)
        nni_rd_fail(r, "section %s ends at offset %zu but its content ends at %zu", sec_tags[s < S_PREP0 ? s : S_PREP0], r->len, r->pos);
    if (r->failed && !L->r.failed) {
        L->r.failed = 1;
        memcpy(L->r.err, r->err, sizeof r->err);
    }
    return !r->failed;
}

static int parse_header(loader *L)
{
    nni_rd *r = &L->r;
    size_t n = r->len < 8 ? r->len : 8, content;
    unsigned major;
    uint32_t stored, crc;
    size_t pos;
    if (memcmp(r->buf, magic, n) != 0) return nni_rd_fail(r, "wrong magic at offset 0: not a libnn model file");
    if (r->len < HEADER_BYTES)
        return nni_rd_fail(r, "truncated at offset %zu: the header needs %u bytes", r->len, HEADER_BYTES);
    r->pos = 8;
    major = nni_rd_u16(r);
    L->minor = nni_rd_u16(r);
    if (major == 0 || major > FMT_MAJOR)
        return nni_rd_fail(r, "format version %u.%u at offset 8 is not readable by this library (reads %u.x)", major, L->minor, FMT_MAJOR);
    L->flags = nni_rd_u32(r);
    content = nni_rd_size(r, "content length");
    if (r->failed) return 0;
    if (content > r->len - HEADER_BYTES || r->len - HEADER_BYTES - content < 4)
        return nni_rd_fail(r, "truncated at offset %zu: the header (offset 16) declares %zu content bytes + 4 checksum bytes after offset %u",
                           r->len, content, HEADER_BYTES);
    if (r->len - HEADER_BYTES - content > 4)
        return nni_rd_fail(r, "%zu unexpected bytes after the checksum at offset %zu", r->len - HEADER_BYTES - content - 4,
                           HEADER_BYTES + content + 4);
    pos = HEADER_BYTES + content;
    stored = (uint32_t)r->buf[pos] | (uint32_t)r->buf[pos + 1] << 8 | (uint32_t)r->buf[pos + 2] << 16 | (uint32_t)r->buf[pos + 3] << 24;
    crc = nni_crc32(0, r->buf, pos);
    if (crc != stored)
        return nni_rd_fail(r, "checksum mismatch at offset %zu: stored 0x%08lx, computed 0x%08lx over bytes [0, %zu): the file is damaged",
                           pos, (unsigned long)stored, (unsigned long)crc, pos);
    /* sections */
    r->len = pos;
    while (r->pos < r->len && !r->failed) {
        char tag[5];
        size_t at = r->pos, slen;
        uint32_t sflags;
        int s;
        if (!nni_rd_need(r, SECTION_HEADER, "a section header")) return 0;
        memcpy(tag, r->buf + r->pos, 4);
        tag[4] = '\0';
        r->pos += 4;
        sflags = nni_rd_u32(r);
        slen = nni_rd_size(r, "section length");
        if (r->failed) return 0;
        if (slen > r->len - r->pos)
            return nni_rd_fail(r, "section at offset %zu declares %zu bytes, only %zu left", at, slen, r->len - r->pos);
        for (s = 0; s < S_PREP0; s++)
            if (memcmp(tag, sec_tags[s], 4) == 0) break;
        if (s == S_PREP0 && memcmp(tag, "PREP", 4) != 0) {
            int printable = 1, i;
            for (i = 0; i < 4; i++)
                if (tag[i] < 0x20 || tag[i] > 0x7E) printable = 0;
            if (sflags & SEC_REQUIRED)
                return nni_rd_fail(r, "unknown required section \"%s\" at offset %zu (written by a newer libnn?)", printable ? tag : "?", at);
            r->pos += slen; /* optional section of a newer minor version */
            continue;
        }
        if (s == S_PREP0) {
            unsigned slot = slen ? r->buf[r->pos] : 2;
            if (slot > 1) return nni_rd_fail(r, "PREP section at offset %zu has slot %u (0 input, 1 target)", at, slot);
            s = S_PREP0 + (int)slot;
        }
        if (L->have[s]) return nni_rd_fail(r, "duplicate section %s at offset %zu", tag, at);
        L->have[s] = 1;
        L->off[s] = r->pos;
        L->len[s] = slen;
        r->pos += slen;
    }
    if (r->failed) return 0;
    if (!L->have[S_ARCH]) return nni_rd_fail(r, "no ARCH section: not a model file");
    return 1;
}

/* One half of NAME: u64 count (0 = none, else the width), then count x str16 (non-empty, no
   NUL). Validated in a first pass so the block is allocated once, at its final size. */
static int read_names(loader *L, nni_rd *r, nn_model *m, int outputs)
{
    size_t at = r->pos, n = nni_rd_size(r, "name count"), want = outputs ? nni_output_dim(m) : m->in_dim;
    size_t i, start, bytes = 0;
    char **p, *s;
    if (r->failed || n == 0) return !r->failed;
    if (n != want || (outputs && m->n_layers == 0))
        return nni_rd_fail(r, "%zu %s names at offset %zu for width %zu", n, outputs ? "output" : "feature", at, want);
    start = r->pos;
    if (!nni_mul_ok(n, sizeof(char *), &bytes)) return nni_rd_fail(r, "name count overflows at offset %zu", at);
    for (i = 0; i < n; i++) {
        size_t len_at = r->pos, len = nni_rd_u16(r);
        if (!nni_rd_need(r, len, "a name")) return 0;
        if (len == 0 || memchr(r->buf + r->pos, 0, len))
            return nni_rd_fail(r, "name at offset %zu is empty or holds a NUL byte", len_at);
        r->pos += len;
        bytes += len + 1; /* at most the section's size plus n pointers and NULs */
    }
    p = (char **)nni_alloc(&m->alloc, bytes);
    if (!p) {
        L->nomem = 1;
        return nni_rd_fail(r, "out of memory");
    }
    r->pos = start;
    s = (char *)(p + n);
    for (i = 0; i < n; i++) {
        size_t len = nni_rd_u16(r);
        memcpy(s, r->buf + r->pos, len);
        s[len] = '\0';
        p[i] = s;
        s += len + 1;
        r->pos += len;
    }
    if (outputs) {
        m->out_names = p;
        m->n_out_names = n;
    } else {
        m->feat_names = p;
        m->n_feat_names = n;
    }
    return 1;
}

/* Reads one layer record (kind, fields, stored width) into a new unbuilt layer. */
static nn_layer *read_layer(loader *L, nni_rd *r, const nn_allocator *a, size_t *stored_out)
{
    char kind[64], err[160];
    size_t at = r->pos;
    const nni_layer_kind *k;
    nn_layer *l;
    if (!nni_rd_str16(r, kind, sizeof kind, "layer kind")) return NULL;
    k = nni_layer_kind_find(kind);
    if (!k) {
        nni_rd_fail(r, "unknown layer kind \"%s\" at offset %zu", kind, at);
        return NULL;
    }
    l = nni_layer_new_with(*k->ops, a);
    if (!l) {
        L->nomem = 1;
        nni_rd_fail(r, "out of memory");
        return NULL;
    }
    if (!read_fields(r, l, nni_layer_fields, nni_layer_field_count, kind)) {
        nn_layer_free(l);
        return NULL;
    }
    *stored_out = nni_rd_size(r, "layer width");
    if (!r->failed && (nni_layer_check_common(l, err, sizeof err) || (k->check && k->check(l, err, sizeof err))))
        nni_rd_fail(r, "invalid %s layer ending at offset %zu: %s", kind, r->pos, err);
    if (r->failed) {
        nn_layer_free(l);
        return NULL;
    }
    return l;
}

/* Peek at the weight count the file declares (0 without weights). */
static size_t declared_params(loader *L)
{
    nni_rd r;
    size_t n;
    if (!L->have[S_WGHT]) return 0;
    r = sub_reader(L, S_WGHT);
    n = nni_rd_size(&r, "weight count");
    return r.failed ? 0 : n;
}

static int width_ok(loader *L, nni_rd *r, size_t width, size_t limit, size_t at)
{
    if (width > limit)
        return nni_rd_fail(r, "impossible width %zu at offset %zu: the file holds %zu weights", width, at, declared_params(L));
    return 1;
}

static int layer_fail(nni_rd *r, size_t at, const char *kind, const char *why)
{
    return nni_rd_fail(r, "layer %s ending at offset %zu cannot be built: %s", kind, at, why);
}

static nn_model *build_arch(loader *L, const nn_allocator *a)
{
    nni_rd r = sub_reader(L, S_ARCH);
    size_t in_dim, at, i, limit = declared_params(L);
    uint32_t n_layers;
    nn_model *m;
    if (limit < WIDTH_LIMIT) limit = WIDTH_LIMIT;
    at = r.pos;
    in_dim = nni_rd_size(&r, "input width");
    n_layers = nni_rd_u32(&r);
    if (!r.failed && (in_dim == 0 || !width_ok(L, &r, in_dim, limit, at))) {
        if (!r.failed) nni_rd_fail(&r, "input width 0 at offset %zu", at);
    }
    if (!r.failed && n_layers > nni_rd_left(&r) / 12)
        nni_rd_fail(&r, "impossible layer count %lu at offset %zu", (unsigned long)n_layers, at + 8);
    if (!sub_done(L, &r, S_ARCH, 0)) return NULL;
    m = nn_model_create_with_allocator(in_dim, a);
    if (!m) {
        L->nomem = 1;
        nni_rd_fail(&L->r, "out of memory");
        return NULL;
    }
    for (i = 0; i < n_layers && !r.failed; i++) {
        size_t stored = 0;
        nn_status s;
        nn_layer *l = read_layer(L, &r, a, &stored);
        if (!l) break;
        if (!width_ok(L, &r, l->units, limit, r.pos)) {
            nn_layer_free(l);
            break;
        }
        /* only a Dense output layer carries the linear shortcut, from the model's inputs; any
           other value would size a weight tensor from untrusted bytes */
        if (l->skip_dim && (i + 1 != n_layers || l->skip_dim != m->in_dim || strcmp(l->ops->name, "Dense") != 0)) {
            nni_rd_fail(&r, "layer %zu (%s) has a linear shortcut from %zu inputs; only a Dense output layer may, "
                        "from the model's %zu inputs (before offset %zu)", i, l->ops->name, l->skip_dim, m->in_dim, r.pos);
            nn_layer_free(l);
            break;
        }
        s = nn_model_add(m, l); /* builds the layer on the previous width; owns l */
        if (s == NN_ERR_NOMEM) {
            L->nomem = 1;
            nni_rd_fail(&r, "out of memory");
        } else if (s != NN_OK) {
            layer_fail(&r, r.pos, "", nn_model_error(m));
        } else if (m->layers[m->n_layers - 1]->out_dim != stored) {
            nni_rd_fail(&r, "layer %zu (%s) has width %zu but the file says %zu (before offset %zu)", i,
                        m->layers[m->n_layers - 1]->ops->name, m->layers[m->n_layers - 1]->out_dim, stored, r.pos);
        }
    }
    if (!sub_done(L, &r, S_ARCH, 1)) {
        nn_model_free(m);
        return NULL;
    }
    /* a Dense output layer stored with its linear shortcut tensor */
    if (m->n_layers && m->layers[m->n_layers - 1]->skip_dim) m->linear_shortcut = 1;
    return m;
}

static int read_opt_fields(loader *L, nni_rd *r, nn_optimizer **out, const nn_allocator *a)
{
    char kind[64];
    size_t at = r->pos;
    const nni_opt_ops *ops;
    nn_optimizer *o;
    *out = NULL;
    if (!nni_rd_str16(r, kind, sizeof kind, "optimizer kind")) return 0;
    ops = nni_opt_kind_find(kind);
    if (!ops) return nni_rd_fail(r, "unknown optimizer kind \"%s\" at offset %zu", kind, at);
    o = nni_optimizer_new_with(ops, 0.0f, a);
    if (!o) {
        L->nomem = 1;
        return nni_rd_fail(r, "out of memory");
    }
    if (!read_fields(r, o, nni_opt_fields, nni_opt_field_count, kind)) {
        nn_optimizer_free(o);
        return 0;
    }
    if (!isfinite(o->lr) || o->lr < 0.0f || !(o->beta1 >= 0.0f && o->beta1 < 1.0f) || !(o->beta2 >= 0.0f && o->beta2 < 1.0f) ||
        !(o->epsilon >= 0.0f) || !isfinite(o->epsilon) || !(o->momentum >= 0.0f && o->momentum <= 1.0f) ||
        !(o->rho >= 0.0f && o->rho < 1.0f) || !(o->weight_decay >= 0.0f) || !isfinite(o->weight_decay) ||
        !(o->initial_accumulator >= 0.0f) || !isfinite(o->initial_accumulator) || !(o->clipnorm >= 0.0f) ||
        !isfinite(o->clipnorm) || !(o->global_clipnorm >= 0.0f) || !isfinite(o->global_clipnorm) ||
        !(o->clipvalue >= 0.0f) || !isfinite(o->clipvalue) || o->iterations < 0 ||
        (unsigned)o->nesterov > 1u || (unsigned)o->amsgrad > 1u || (unsigned)o->centered > 1u) {
        nn_optimizer_free(o);
        return nni_rd_fail(r, "invalid %s hyper-parameters before offset %zu", kind, r->pos);
    }
    *out = o;
    return 1;
}

static int model_settings_ok(const nn_model *t)
{
    return t->val_split >= 0.0f && t->val_split < 1.0f && t->huber_delta > 0.0f && isfinite(t->huber_delta) &&
           (unsigned)t->shuffle <= 1u && (unsigned)t->verbose <= 2u && (unsigned)t->seeded <= 1u;
}

static nn_model *load(const void *buf, size_t len, const nn_allocator *a)
{
    loader L;
    nn_model *m = NULL, tmp;
    nn_optimizer *opt = NULL;
    unsigned compiled = 0;
    uint32_t loss = 0, n_metrics = 0, metrics[NNI_MAX_METRICS];
    size_t i;
    memset(&L, 0, sizeof L);
    L.r.buf = (const uint8_t *)buf;
    L.r.len = len;
    if (!parse_header(&L)) goto fail;
    /* settings first, into a scratch copy, applied after the weights are built */
    memset(&tmp, 0, sizeof tmp);
    tmp.huber_delta = 1.0f;
    tmp.shuffle = 1;
    if (L.have[S_MODL]) {
        nni_rd r = sub_reader(&L, S_MODL);
        if (read_fields(&r, &tmp, model_fields, N_MODEL_FIELDS, "model") && !model_settings_ok(&tmp))
            nni_rd_fail(&r, "invalid training settings in the section ending at offset %zu", r.len);
        /* xoshiro256** never leaves the all-zero state (it would return 0 forever and
           the normal sampler would never accept a draw): a file cannot hold it */
        if ((tmp.rng.s[0] | tmp.rng.s[1] | tmp.rng.s[2] | tmp.rng.s[3]) == 0)
            nni_rd_fail(&r, "random generator state in the section ending at offset %zu is missing or all zero", r.len);
        if (!sub_done(&L, &r, S_MODL, 1)) goto fail;
    }
    if (L.have[S_COMP]) {
        nni_rd r = sub_reader(&L, S_COMP);
        compiled = nni_rd_u8(&r);
        loss = nni_rd_u32(&r);
        n_metrics = nni_rd_u32(&r);
        if (!r.failed && (compiled > 1 || loss > (uint32_t)NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS || n_metrics > NNI_MAX_METRICS))
            nni_rd_fail(&r, "invalid loss %lu or metric count %lu in the section at offset %zu", (unsigned long)loss,
                        (unsigned long)n_metrics, L.off[S_COMP]);
        for (i = 0; i < n_metrics && !r.failed; i++) {
            metrics[i] = nni_rd_u32(&r);
            if (!r.failed && (metrics[i] > 0x7FFFFFFFu || nni_metric_key((nn_metric)metrics[i]) == NULL))
                nni_rd_fail(&r, "unknown metric %lu at offset %zu", (unsigned long)metrics[i], r.pos - 4);
        }
        if (!sub_done(&L, &r, S_COMP, 1)) goto fail;
    }
    m = build_arch(&L, a);
    if (!m) goto fail;
    if (compiled && (!L.have[S_WGHT] || !L.have[S_OPTM] || m->n_layers == 0)) {
        nni_rd_fail(&L.r, "a compiled model needs layers, weights and an optimizer");
        goto fail;
    }
    if (L.have[S_WGHT]) {
        nni_rd r = sub_reader(&L, S_WGHT);
        size_t at = r.pos, np = nni_rd_size(&r, "weight count"), nt = nni_rd_size(&r, "trainable weight count");
        size_t want = 0, want_t = 0, j;
        int overflow = 0;
        for (i = 0; i < m->n_layers; i++)
            for (j = 0; j < m->layers[i]->n_params; j++) {
                size_t sz = m->layers[i]->spec[j].size;
                if (want + sz < want) overflow = 1;
                want += sz;
                if (m->layers[i]->spec[j].trainable) want_t += sz;
            }
        if (!r.failed && (overflow || np != want || nt != want_t))
            nni_rd_fail(&r, "weight counts %zu/%zu at offset %zu do not match the architecture (%zu/%zu)", np, nt, at, want, want_t);
        if (!r.failed && m->n_layers == 0) nni_rd_fail(&r, "weights without layers at offset %zu", at);
        nni_rd_need(&r, np * 4, "the weights"); /* np <= section bytes / 4 is checked here before allocating */
        if (!r.failed && np > (r.len - r.pos) / 4) nni_rd_fail(&r, "weights overflow");
        if (!sub_done(&L, &r, S_WGHT, 0)) goto fail;
        if (compiled) {
            nni_rd o = sub_reader(&L, S_OPTM);
            size_t st;
            nn_status s;
            read_opt_fields(&L, &o, &opt, a);
            at = o.pos;
            st = nni_rd_size(&o, "optimizer state size");
            if (!o.failed && st != opt->ops->slots(opt) * want_t)
                nni_rd_fail(&o, "optimizer state of %zu floats at offset %zu does not match %zu weights", st, at, want_t);
            nni_rd_need(&o, st > ((size_t)-1) / 4 ? (size_t)-1 : st * 4, "the optimizer state");
            if (!sub_done(&L, &o, S_OPTM, 0)) goto fail;
            s = nn_model_compile(m, opt, (nn_loss)loss); /* owns opt from here on */
            opt = NULL;
            if (s != NN_OK) {
                if (s == NN_ERR_NOMEM) L.nomem = 1;
                nni_rd_fail(&L.r, "cannot compile the stored model: %s", nn_model_error(m));
                goto fail;
            }
            o.pos = at + 8;
            nni_rd_f32s(&o, m->opt->state, st, "optimizer state");
            if (!sub_done(&L, &o, S_OPTM, 1)) goto fail;
        } else if (nni_model_build(m) != NN_OK) {
            L.nomem = 1;
            nni_rd_fail(&L.r, "out of memory building the model: %s", nn_model_error(m));
            goto fail;
        }
        nni_rd_f32s(&r, m->params, np, "weights");
        if (!sub_done(&L, &r, S_WGHT, 1)) goto fail;
    }
    m->loss = (nn_loss)loss;
    for (i = 0; i < n_metrics; i++) m->metrics[i] = (nn_metric)metrics[i];
    m->n_metrics = n_metrics;
    if (L.have[S_VALD]) {
        nni_rd r = sub_reader(&L, S_VALD);
        size_t at = r.pos, n = nni_rd_size(&r, "validation rows"), cx = nni_rd_size(&r, "validation width"),
               cy = nni_rd_size(&r, "validation target width"), tx = 0, ty = 0;
        if (!r.failed && (m->n_layers == 0 || n == 0 || cx != m->in_dim || (cy != 1 && cy != nni_output_dim(m)) || !nni_mul_ok(n, cx, &tx) ||
                          !nni_mul_ok(n, cy, &ty) || tx > nni_rd_left(&r) / 4 || ty > nni_rd_left(&r) / 4 ||
                          tx + ty > nni_rd_left(&r) / 4))
            nni_rd_fail(&r, "impossible validation data %zu x (%zu + %zu) at offset %zu", n, cx, cy, at);
        if (!r.failed) {
            m->val_x = (float *)nni_alloc_array(&m->alloc, tx, sizeof(float));
            m->val_y = (float *)nni_alloc_array(&m->alloc, ty, sizeof(float));
            if (!m->val_x || !m->val_y) {
                L.nomem = 1;
                nni_rd_fail(&r, "out of memory for the validation data");
            }
            m->val_n = n;
            m->val_tdim = cy;
            nni_rd_f32s(&r, m->val_x, tx, "validation inputs");
            nni_rd_f32s(&r, m->val_y, ty, "validation targets");
        }
        if (!sub_done(&L, &r, S_VALD, 1)) goto fail;
    }
    for (i = 0; i < 2; i++) {
        nni_rd r;
        nn_scaler *s;
        int nomem;
        if (!L.have[S_PREP0 + i]) continue;
        r = sub_reader(&L, S_PREP0 + (int)i);
        r.pos++; /* slot */
        s = nni_scaler_read(&r, &m->alloc, &nomem);
        if (nomem) {
            L.nomem = 1;
            nni_rd_fail(&r, "out of memory");
        }
        if (s && s->fitted && s->dim != (i ? (m->n_layers ? nni_target_dim(m) : 0) : m->in_dim))
            nni_rd_fail(&r, "%s scaler of width %zu does not match the model (section at offset %zu)", i ? "target" : "input", s->dim, L.off[S_PREP0 + i]);
        if (i) m->out_scaler = s;
        else m->in_scaler = s;
        if (!sub_done(&L, &r, S_PREP0 + (int)i, 1)) goto fail;
    }
    if (L.have[S_NAME]) {
        nni_rd r = sub_reader(&L, S_NAME);
        if (read_names(&L, &r, m, 0)) read_names(&L, &r, m, 1);
        if (!sub_done(&L, &r, S_NAME, 1)) goto fail;
    }
    /* generator and settings last: building the weights drew from the generator */
    m->seed = tmp.seed;
    m->seeded = tmp.seeded;
    if (L.have[S_MODL]) m->rng = tmp.rng;
    m->val_split = tmp.val_split;
    m->shuffle = tmp.shuffle;
    m->verbose = tmp.verbose;
    m->huber_delta = tmp.huber_delta;
    tl_load_status = NN_OK;
    nni_clear_error(m);
    return m;
fail:
    nn_optimizer_free(opt);
    nn_model_free(m);
    tl_load_status = L.nomem ? NN_ERR_NOMEM : NN_ERR_FORMAT;
    nni_set_last_error("%s", L.nomem ? "out of memory loading the model" : L.r.err);
    return NULL;
}

nn_model *nn_model_load_buffer_with_allocator(const void *buf, size_t len, const nn_allocator *a)
{
    nn_allocator al;
    if (!buf || len == 0) {
        tl_load_status = NN_ERR_INVALID_ARG;
        return (nn_model *)nni_set_last_error("nn_model_load_buffer: buf is NULL or empty");
    }
    if (a && (!a->alloc || !a->free)) {
        tl_load_status = NN_ERR_INVALID_ARG;
        return (nn_model *)nni_set_last_error("nn_model_load: allocator lacks alloc or free");
    }
    al = a ? *a : nni_default_allocator();
    return load(buf, len, &al);
}

nn_model *nn_model_load_buffer(const void *buf, size_t len) { return nn_model_load_buffer_with_allocator(buf, len, NULL); }

nn_model *nn_model_load_with_allocator(const char *path, const nn_allocator *a)
{
    nn_allocator al;
    unsigned char *buf;
    size_t len;
    nn_status s;
    nn_model *m;
    if (a && (!a->alloc || !a->free)) {
        tl_load_status = NN_ERR_INVALID_ARG;
        return (nn_model *)nni_set_last_error("nn_model_load: allocator lacks alloc or free");
    }
    al = a ? *a : nni_default_allocator();
    s = nni_read_file(path, &al, &buf, &len);
    if (s != NN_OK) {
        tl_load_status = s;
        return NULL;
    }
    if (len == 0) {
        nni_free(&al, buf);
        tl_load_status = NN_ERR_FORMAT;
        return (nn_model *)nni_set_last_error("\"%s\" is empty (truncated at offset 0)", path);
    }
    m = load(buf, len, &al);
    nni_free(&al, buf);
    return m;
}

nn_model *nn_model_load(const char *path) { return nn_model_load_with_allocator(path, NULL); }

/* ---- weights only ---- */

static nn_status load_weights(nn_model *m, const void *buf, size_t len, const char *who)
{
    loader L;
    nni_rd r, w;
    size_t in_dim, i, np, nt, limit;
    uint32_t n_layers;
    nn_status s;
    memset(&L, 0, sizeof L);
    L.r.buf = (const uint8_t *)buf;
    L.r.len = len;
    if (len == 0) return nni_fail(m, NN_ERR_FORMAT, "%s: empty (truncated at offset 0)", who);
    if (!parse_header(&L)) return nni_fail(m, NN_ERR_FORMAT, "%s: %s", who, L.r.err);
    if (!L.have[S_WGHT]) return nni_fail(m, NN_ERR_FORMAT, "%s: the file holds no weights (saved before compile)", who);
    limit = declared_params(&L);
    if (limit < WIDTH_LIMIT) limit = WIDTH_LIMIT;
    r = sub_reader(&L, S_ARCH);
    in_dim = nni_rd_size(&r, "input width");
    n_layers = nni_rd_u32(&r);
    if (r.failed) return nni_fail(m, NN_ERR_FORMAT, "%s: %s", who, r.err);
    if (in_dim != m->in_dim) return nni_fail(m, NN_ERR_SHAPE, "%s: the file's model takes %zu inputs, this one %zu", who, in_dim, m->in_dim);
    if (n_layers != m->n_layers)
        return nni_fail(m, NN_ERR_SHAPE, "%s: the file's model has %lu layers, this one %zu", who, (unsigned long)n_layers, m->n_layers);
    for (i = 0; i < m->n_layers; i++) {
        size_t stored = 0, j;
        const nn_layer *ml = m->layers[i];
        nn_layer *l = read_layer(&L, &r, &m->alloc, &stored);
        int same;
        if (!l) return nni_fail(m, L.nomem ? NN_ERR_NOMEM : NN_ERR_FORMAT, "%s: %s", who, r.err);
        if (strcmp(l->ops->name, ml->ops->name) != 0) {
            char kind[64];
            snprintf(kind, sizeof kind, "%s", l->ops->name);
            nn_layer_free(l);
            return nni_fail(m, NN_ERR_SHAPE, "%s: layer %zu is %s in the file but %s in the model", who, i, kind, ml->ops->name);
        }
        if (l->units > limit || l->ops->build(l, ml->in_dim) != NN_OK) {
            nn_layer_free(l);
            return nni_fail(m, NN_ERR_FORMAT, "%s: layer %zu (%s) in the file cannot be built", who, i, ml->ops->name);
        }
        same = l->out_dim == ml->out_dim && stored == ml->out_dim && l->n_params == ml->n_params;
        for (j = 0; same && j < l->n_params; j++)
            same = l->spec[j].size == ml->spec[j].size && l->spec[j].trainable == ml->spec[j].trainable;
        if (!same) {
            size_t fo = stored;
            nn_layer_free(l);
            return nni_fail(m, NN_ERR_SHAPE, "%s: layer %zu (%s) has width %zu in the file but %zu in the model (or other weight shapes)",
                            who, i, ml->ops->name, fo, ml->out_dim);
        }
        nn_layer_free(l);
    }
    w = sub_reader(&L, S_WGHT);
    np = nni_rd_size(&w, "weight count");
    nt = nni_rd_size(&w, "trainable weight count");
    if (!w.failed && (np != nn_model_param_count(m) || nt != nn_model_trainable_param_count(m)))
        return nni_fail(m, NN_ERR_SHAPE, "%s: the file holds %zu weights, the model %zu", who, np, nn_model_param_count(m));
    if (!nni_rd_need(&w, np > (size_t)-1 / 4 ? (size_t)-1 : np * 4, "the weights")) return nni_fail(m, NN_ERR_FORMAT, "%s: %s", who, w.err);
    if ((s = nni_model_build(m)) != NN_OK) return s;
    nni_rd_f32s(&w, m->params, np, "weights");
    nni_clear_error(m);
    return NN_OK;
}

nn_status nn_model_load_weights_buffer(nn_model *m, const void *buf, size_t len)
{
    if (!m) return NN_ERR_INVALID_ARG;
    if (!buf) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_load_weights_buffer: buf is NULL");
    return load_weights(m, buf, len, "nn_model_load_weights_buffer");
}

nn_status nn_model_load_weights(nn_model *m, const char *path)
{
    unsigned char *buf;
    size_t len;
    nn_status s;
    if (!m) return NN_ERR_INVALID_ARG;
    s = nni_read_file(path, &m->alloc, &buf, &len);
    if (s != NN_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", nn_last_error());
        return nni_fail(m, s, "nn_model_load_weights: %s", msg);
    }
    s = load_weights(m, buf, len, "nn_model_load_weights");
    nni_free(&m->alloc, buf);
    return s;
}
