/* Weights-only file: "NNWT", u32 version 1, u64 count, then count float32, all
   little-endian, in Keras get_weights order (see nn_model_get_weights). */
#include "io/checkpoint.h"
#include "core/error.h"
#include "core/model.h"
#include <stdio.h>
#include <string.h>

#define WT_MAGIC "NNWT"
#define WT_VERSION 1u

static void put_u32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int write_floats(FILE *f, const float *p, size_t n)
{
    unsigned char buf[4 * 256];
    while (n > 0) {
        size_t k = n < 256 ? n : 256, i;
        for (i = 0; i < k; i++) {
            uint32_t u;
            memcpy(&u, p + i, 4);
            put_u32(buf + 4 * i, u);
        }
        if (fwrite(buf, 4, k, f) != k) return 0;
        p += k;
        n -= k;
    }
    return 1;
}

static int write_weights(FILE *f, const nn_model *m)
{
    unsigned char hdr[16];
    size_t i, j;
    uint64_t n = m->n_params;
    memcpy(hdr, WT_MAGIC, 4);
    put_u32(hdr + 4, WT_VERSION);
    put_u32(hdr + 8, (uint32_t)n);
    put_u32(hdr + 12, (uint32_t)(n >> 32));
    if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr) return 0;
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++)
            if (!write_floats(f, m->layers[i]->param[j], m->layers[i]->spec[j].size)) return 0;
    return 1;
}

nn_status nni_checkpoint_write(nn_model *m, const char *path, int weights_only)
{
    char tmp[4096];
    FILE *f;
    int ok;
    (void)weights_only; /* the full model format plugs in here */
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return nni_fail(m, NN_ERR_IO, "checkpoint path too long: %s", path);
    f = fopen(tmp, "wb");
    if (!f) return nni_fail(m, NN_ERR_IO, "cannot create %s", tmp);
    ok = write_weights(f, m);
    ok = fflush(f) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok) {
        remove(tmp);
        return nni_fail(m, NN_ERR_IO, "cannot write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return nni_fail(m, NN_ERR_IO, "cannot rename %s to %s", tmp, path);
    }
    return NN_OK;
}

nn_status nn_model_load_weights(nn_model *m, const char *path)
{
    unsigned char hdr[16], buf[4 * 256];
    FILE *f;
    uint64_t n;
    size_t i, j, k;
    nn_status s;
    if (!m || !path) return NN_ERR_INVALID_ARG;
    if ((s = nni_model_build(m)) != NN_OK) return s;
    f = fopen(path, "rb");
    if (!f) return nni_fail(m, NN_ERR_IO, "cannot open %s", path);
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr, WT_MAGIC, 4) != 0 || get_u32(hdr + 4) != WT_VERSION) {
        fclose(f);
        return nni_fail(m, NN_ERR_FORMAT, "%s is not a libnn weights file", path);
    }
    n = (uint64_t)get_u32(hdr + 8) | (uint64_t)get_u32(hdr + 12) << 32;
    if (n != (uint64_t)m->n_params) {
        fclose(f);
        return nni_fail(m, NN_ERR_SHAPE, "%s holds %llu weights, the model has %zu", path, (unsigned long long)n, m->n_params);
    }
    /* validate the size first so a short file never leaves half-loaded weights */
    if (fseek(f, 0, SEEK_END) != 0 || ftell(f) != (long)(sizeof hdr + 4 * n) || fseek(f, (long)sizeof hdr, SEEK_SET) != 0) {
        fclose(f);
        return nni_fail(m, NN_ERR_FORMAT, "%s: truncated or oversized weights file", path);
    }
    for (i = 0; i < m->n_layers; i++) {
        for (j = 0; j < m->layers[i]->n_params; j++) {
            float *p = m->layers[i]->param[j];
            size_t left = m->layers[i]->spec[j].size;
            while (left > 0) {
                size_t c = left < 256 ? left : 256;
                if (fread(buf, 4, c, f) != c) {
                    fclose(f);
                    return nni_fail(m, NN_ERR_IO, "read error in %s", path);
                }
                for (k = 0; k < c; k++) {
                    uint32_t u = get_u32(buf + 4 * k);
                    memcpy(p + k, &u, 4);
                }
                p += c;
                left -= c;
            }
        }
    }
    fclose(f);
    nni_clear_error(m);
    return NN_OK;
}
