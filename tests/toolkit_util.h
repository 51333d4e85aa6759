/* Helpers shared by the toolkit tests (internal access for scripting). */
#ifndef TOOLKIT_UTIL_H
#define TOOLKIT_UTIL_H
#include "harness.h"
#include "nn.h"
#include "core/model.h"
#include "train/train.h"
#include "train/loss.h"
#include <stdlib.h>

/* Index of a history key, or -1. */
static inline int tk_key(const nn_model *m, const char *key)
{
    size_t k;
    for (k = 0; k < m->hist.n_keys; k++)
        if (strcmp(m->hist.keys[k], key) == 0) return (int)k;
    return -1;
}

/* Overwrite history[key][epoch] (a scripted monitor value). */
static inline void tk_script(nn_model *m, const char *key, int epoch, float v)
{
    int k = tk_key(m, key);
    if (k >= 0) m->hist.values[(size_t)epoch * m->hist.n_keys + (size_t)k] = v;
}

/* Training-mode loss (mean + penalty) of rows of x/y with the current weights;
   grad != NULL also runs backward and fills the model's gradient store. */
static inline double tk_loss(nn_model *m, const float *x, const float *y, size_t rows, int with_grad)
{
    nni_loss_args la;
    size_t i, out = nni_output_dim(m);
    const nn_layer *last = m->layers[m->n_layers - 1];
    int fused = last->ops->fuses_activation && nni_loss_fuses(m->loss, last->act);
    double l;
    nni_rng saved = m->rng;
    la.loss = m->loss;
    la.huber_delta = m->huber_delta;
    la.pred = nni_forward(m, x, rows, 1);
    m->rng = saved; /* same noise every call */
    la.logits = fused ? m->ws.scratch[m->n_layers - 1] : NULL;
    la.y = y;
    la.sw = NULL;
    la.rows = rows;
    la.cols = out;
    la.grad = with_grad ? m->ws.loss_grad : NULL;
    l = nni_loss_sum(&la) / (double)rows + nni_reg_penalty(m);
    if (with_grad) {
        nni_bwd b;
        int k = 0;
        b.rows = rows;
        b.gemm = &m->gemm;
        b.dout = m->ws.loss_grad;
        for (i = m->n_layers; i-- > 0;) {
            nn_layer *ly = m->layers[i];
            b.in = i > 0 ? m->ws.act[i - 1] : x;
            b.out = m->ws.act[i];
            b.scratch = m->ws.scratch[i];
            b.din = i > 0 ? m->ws.dbuf[k] : NULL;
            b.dout_is_preact = fused && i == m->n_layers - 1;
            ly->ops->backward(ly, &b);
            b.dout = b.din;
            k ^= 1;
        }
        nni_reg_grad(m);
    }
    return l;
}

/* Central-difference check of every trainable weight; returns the worst error
   relative to max(1, |g|). */
static inline double tk_grad_check(nn_model *m, const float *x, const float *y, size_t rows)
{
    size_t i;
    double worst = 0.0;
    float *g = (float *)malloc(m->n_trainable * sizeof(float));
    tk_loss(m, x, y, rows, 1);
    memcpy(g, m->grads, m->n_trainable * sizeof(float));
    for (i = 0; i < m->n_trainable; i++) {
        float w = m->params[i], h = 1e-2f;
        double lp, lm, num, err;
        m->params[i] = w + h;
        lp = tk_loss(m, x, y, rows, 0);
        m->params[i] = w - h;
        lm = tk_loss(m, x, y, rows, 0);
        m->params[i] = w;
        num = (lp - lm) / (2.0 * (double)h);
        err = fabs(num - g[i]) / (fabs(g[i]) > 1.0 ? fabs(g[i]) : 1.0);
        if (err > worst) worst = err;
    }
    free(g);
    return worst;
}

/* Deterministic pseudo-random fill in [-1, 1). */
static inline void tk_fill(float *v, size_t n, unsigned seed)
{
    size_t i;
    unsigned s = seed * 2654435761u + 1u;
    for (i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        v[i] = (float)((double)(s >> 8) / 8388608.0 - 1.0);
    }
}

#endif
