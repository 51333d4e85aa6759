/* Keras-style model summary table. */
#include "core/model.h"
#include "core/error.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct sbuf { char *buf; size_t cap, len; } sbuf;

static void put(sbuf *s, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(s->len < s->cap ? s->buf + s->len : NULL, s->len < s->cap ? s->cap - s->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0) s->len += (size_t)n;
}

static void with_commas(size_t v, char *out, size_t cap)
{
    char tmp[32];
    size_t n, i, j = 0;
    snprintf(tmp, sizeof tmp, "%zu", v);
    n = strlen(tmp);
    for (i = 0; i < n && j + 1 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0 && j + 2 < cap) out[j++] = ',';
        out[j++] = tmp[i];
    }
    out[j] = '\0';
}

static size_t layer_params(const nn_layer *l, int trainable_only)
{
    size_t j, n = 0;
    for (j = 0; j < l->n_params; j++)
        if (!trainable_only || l->spec[j].trainable) n += l->spec[j].size;
    return n;
}

static void render(const nn_model *m, sbuf *s)
{
    size_t i, j, total = 0, trainable = 0;
    char num[40], name[64], shape[40];
    const char *rule = "_________________________________________________________________\n";
    const char *dbl = "=================================================================\n";
    put(s, "Model: \"sequential\"\n%s", rule);
    put(s, " %-28s %-25s %s\n%s", "Layer (type)", "Output Shape", "Param #", dbl);
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        size_t same = 0;
        for (j = 0; j < i; j++)
            if (m->layers[j]->ops == l->ops) same++;
        if (same) snprintf(name, sizeof name, "%s_%zu (%s)", l->ops->base_name, same, l->ops->name);
        else snprintf(name, sizeof name, "%s (%s)", l->ops->base_name, l->ops->name);
        snprintf(shape, sizeof shape, "(None, %zu)", l->out_dim);
        with_commas(layer_params(l, 0), num, sizeof num);
        put(s, " %-28s %-25s %s\n", name, shape, num);
        total += layer_params(l, 0);
        trainable += layer_params(l, 1);
    }
    put(s, "%s", dbl);
    with_commas(total, num, sizeof num);
    put(s, "Total params: %s\n", num);
    with_commas(trainable, num, sizeof num);
    put(s, "Trainable params: %s\n", num);
    with_commas(total - trainable, num, sizeof num);
    put(s, "Non-trainable params: %s\n%s", num, rule);
}

nn_status nn_model_summary(const nn_model *m, char *buf, size_t cap, size_t *needed)
{
    sbuf s;
    if (!m || (!buf && cap)) return NN_ERR_INVALID_ARG;
    s.buf = buf;
    s.cap = cap;
    s.len = 0;
    render(m, &s);
    if (needed) *needed = s.len + 1;
    if (buf && cap) buf[s.len < cap ? s.len : cap - 1] = '\0';
    return (cap > s.len || !buf) ? NN_OK : NN_ERR_INVALID_ARG;
}

nn_status nn_model_print_summary(nn_model *m)
{
    char buf[8192];
    size_t needed;
    if (!m) return NN_ERR_INVALID_ARG;
    nn_model_summary(m, buf, sizeof buf, &needed);
    nni_log(m, "%s", buf);
    return NN_OK;
}
