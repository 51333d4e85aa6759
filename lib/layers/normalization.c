/* BatchNormalization and LayerNormalization (Keras 3 semantics).
   Weights in Keras order: gamma (scale), beta (center), then for BatchNorm the
   non-trainable moving_mean and moving_variance (initialised 0 and 1).
   Training uses the batch's mean and biased variance and updates
   moving = momentum * moving + (1 - momentum) * batch; inference uses the
   moving statistics. LayerNormalization normalises each row over its features. */
#include "layers/layer.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

typedef struct norm_idx { int gamma, beta, mean, var; } norm_idx;

static const nni_layer_ops bn_ops;

static norm_idx indices(const nn_layer *l)
{
    norm_idx ix;
    int k = 0;
    ix.gamma = l->no_scale ? -1 : k++;
    ix.beta = l->no_center ? -1 : k++;
    ix.mean = ix.var = -1;
    if (l->ops == &bn_ops) {
        ix.mean = k++;
        ix.var = k++;
    }
    return ix;
}

static void set_spec(nni_param_spec *s, size_t d, int trainable, nni_param_role role, nn_initializer init)
{
    s->size = d;
    s->rows = 1;
    s->cols = d;
    s->trainable = trainable;
    s->role = role;
    s->init = init;
}

static nn_status norm_build(nn_layer *l, size_t in_dim)
{
    norm_idx ix;
    l->in_dim = l->out_dim = in_dim;
    ix = indices(l);
    l->n_params = 0;
    if (ix.gamma >= 0) set_spec(&l->spec[l->n_params++], in_dim, 1, NNI_GAMMA, NN_INIT_ONES);
    if (ix.beta >= 0) set_spec(&l->spec[l->n_params++], in_dim, 1, NNI_BETA, NN_INIT_ZEROS);
    if (ix.mean >= 0) {
        set_spec(&l->spec[l->n_params++], in_dim, 0, NNI_MOVING, NN_INIT_ZEROS);
        set_spec(&l->spec[l->n_params++], in_dim, 0, NNI_MOVING, NN_INIT_ONES);
    }
    return NN_OK;
}

/* xhat (rows x d) then the inverse standard deviations (d for BN, rows for LN) */
static size_t bn_scratch(const nn_layer *l, size_t rows) { return rows * l->in_dim + l->in_dim; }
static size_t ln_scratch(const nn_layer *l, size_t rows) { return rows * l->in_dim + rows; }

static void bn_forward(nn_layer *l, const nni_fwd *f)
{
    size_t r, c, d = l->in_dim, n = f->rows;
    norm_idx ix = indices(l);
    const float *gamma = ix.gamma >= 0 ? l->param[ix.gamma] : NULL;
    const float *beta = ix.beta >= 0 ? l->param[ix.beta] : NULL;
    float *mm = l->param[ix.mean], *mv = l->param[ix.var];
    if (!f->training) {
        for (c = 0; c < d; c++) {
            float inv = 1.0f / sqrtf(mv[c] + l->epsilon), g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
            for (r = 0; r < n; r++) f->out[r * d + c] = (f->in[r * d + c] - mm[c]) * inv * g + b;
        }
        return;
    }
    {
        float *xhat = f->scratch, *inv = f->scratch + n * d;
        float mom = l->momentum;
        for (c = 0; c < d; c++) {
            double s = 0.0, v = 0.0;
            float mean, var, g = gamma ? gamma[c] : 1.0f, b = beta ? beta[c] : 0.0f;
            for (r = 0; r < n; r++) s += f->in[r * d + c];
            mean = (float)(s / (double)n);
            for (r = 0; r < n; r++) {
                double e = (double)f->in[r * d + c] - mean;
                v += e * e;
            }
            var = (float)(v / (double)n);
            inv[c] = 1.0f / sqrtf(var + l->epsilon);
            for (r = 0; r < n; r++) {
                float xh = (f->in[r * d + c] - mean) * inv[c];
                xhat[r * d + c] = xh;
                f->out[r * d + c] = xh * g + b;
            }
            mm[c] = mm[c] * mom + mean * (1.0f - mom);
            mv[c] = mv[c] * mom + var * (1.0f - mom);
        }
    }
}

static void bn_backward(nn_layer *l, const nni_bwd *b)
{
    size_t r, c, d = l->in_dim, n = b->rows;
    norm_idx ix = indices(l);
    const float *gamma = ix.gamma >= 0 ? l->param[ix.gamma] : NULL;
    float *dg = ix.gamma >= 0 ? l->grad[ix.gamma] : NULL, *db = ix.beta >= 0 ? l->grad[ix.beta] : NULL;
    const float *xhat = b->scratch, *inv = b->scratch + n * d;
    for (c = 0; c < d; c++) {
        double sdy = 0.0, sdyx = 0.0;
        float g = gamma ? gamma[c] : 1.0f;
        for (r = 0; r < n; r++) {
            float dy = b->dout[r * d + c];
            sdy += dy;
            sdyx += (double)dy * xhat[r * d + c];
        }
        if (dg) dg[c] = (float)sdyx;
        if (db) db[c] = (float)sdy;
        if (b->din) {
            float k = g * inv[c] / (float)n, m1 = (float)sdy, m2 = (float)sdyx;
            for (r = 0; r < n; r++)
                b->din[r * d + c] = k * ((float)n * b->dout[r * d + c] - m1 - xhat[r * d + c] * m2);
        }
    }
}

static void ln_forward(nn_layer *l, const nni_fwd *f)
{
    size_t r, c, d = l->in_dim, n = f->rows;
    norm_idx ix = indices(l);
    const float *gamma = ix.gamma >= 0 ? l->param[ix.gamma] : NULL;
    const float *beta = ix.beta >= 0 ? l->param[ix.beta] : NULL;
    for (r = 0; r < n; r++) {
        const float *x = f->in + r * d;
        double s = 0.0, v = 0.0;
        float mean, inv;
        for (c = 0; c < d; c++) s += x[c];
        mean = (float)(s / (double)d);
        for (c = 0; c < d; c++) {
            double e = (double)x[c] - mean;
            v += e * e;
        }
        inv = 1.0f / sqrtf((float)(v / (double)d) + l->epsilon);
        if (f->training) f->scratch[n * d + r] = inv;
        for (c = 0; c < d; c++) {
            float xh = (x[c] - mean) * inv;
            if (f->training) f->scratch[r * d + c] = xh;
            f->out[r * d + c] = xh * (gamma ? gamma[c] : 1.0f) + (beta ? beta[c] : 0.0f);
        }
    }
}

static void ln_backward(nn_layer *l, const nni_bwd *b)
{
    size_t r, c, d = l->in_dim, n = b->rows;
    norm_idx ix = indices(l);
    const float *gamma = ix.gamma >= 0 ? l->param[ix.gamma] : NULL;
    float *dg = ix.gamma >= 0 ? l->grad[ix.gamma] : NULL, *db = ix.beta >= 0 ? l->grad[ix.beta] : NULL;
    const float *xhat = b->scratch, *inv = b->scratch + n * d;
    if (dg) memset(dg, 0, d * sizeof(float));
    if (db) memset(db, 0, d * sizeof(float));
    for (r = 0; r < n; r++) {
        const float *dy = b->dout + r * d, *xh = xhat + r * d;
        double s1 = 0.0, s2 = 0.0;
        for (c = 0; c < d; c++) {
            float dxh = dy[c] * (gamma ? gamma[c] : 1.0f);
            if (dg) dg[c] += dy[c] * xh[c];
            if (db) db[c] += dy[c];
            s1 += dxh;
            s2 += (double)dxh * xh[c];
        }
        if (b->din) {
            float k = inv[r] / (float)d, m1 = (float)s1, m2 = (float)s2;
            for (c = 0; c < d; c++)
                b->din[r * d + c] = k * ((float)d * dy[c] * (gamma ? gamma[c] : 1.0f) - m1 - xh[c] * m2);
        }
    }
}

static const nni_layer_ops bn_ops = {
    "BatchNormalization", "batch_normalization", norm_build, bn_forward, bn_backward, bn_scratch, 0,
};
static const nni_layer_ops ln_ops = {
    "LayerNormalization", "layer_normalization", norm_build, ln_forward, ln_backward, ln_scratch, 0,
};
const nni_layer_ops *const nni_batch_norm_ops = &bn_ops;
const nni_layer_ops *const nni_layer_norm_ops = &ln_ops;

nn_layer *nn_batch_norm(void)
{
    return nni_layer_new(&bn_ops);
}

nn_layer *nn_layer_norm(void)
{
    return nni_layer_new(&ln_ops);
}
