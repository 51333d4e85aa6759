/* GaussianNoise (additive N(0, stddev^2)) and GaussianDropout (multiplicative
   N(1, rate / (1 - rate))), active only in training and drawn from the model's
   seeded generator; identity at inference, as in Keras. */
#include "layers/layer.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

static nn_status noise_build(nn_layer *l, size_t in_dim)
{
    l->in_dim = l->out_dim = in_dim;
    l->n_params = 0;
    return NN_OK;
}

static size_t no_scratch(const nn_layer *l, size_t rows)
{
    (void)l;
    (void)rows;
    return 0;
}

static void gn_forward(nn_layer *l, const nni_fwd *f)
{
    size_t i, n = f->rows * l->in_dim;
    if (!f->training || l->stddev == 0.0f) {
        memcpy(f->out, f->in, n * sizeof(float));
        return;
    }
    for (i = 0; i < n; i++) f->out[i] = f->in[i] + (float)(nni_rng_normal(f->rng) * (double)l->stddev);
}

static void identity_backward(nn_layer *l, const nni_bwd *b)
{
    if (b->din) memcpy(b->din, b->dout, b->rows * l->in_dim * sizeof(float));
}

static size_t gd_scratch(const nn_layer *l, size_t rows) { return rows * l->in_dim; }

static void gd_forward(nn_layer *l, const nni_fwd *f)
{
    size_t i, n = f->rows * l->in_dim;
    if (!f->training || l->rate == 0.0f) {
        memcpy(f->out, f->in, n * sizeof(float));
        for (i = 0; f->training && i < n; i++) f->scratch[i] = 1.0f;
        return;
    }
    {
        double sd = sqrt((double)l->rate / (1.0 - (double)l->rate));
        for (i = 0; i < n; i++) {
            float k = (float)(1.0 + nni_rng_normal(f->rng) * sd);
            f->scratch[i] = k;
            f->out[i] = f->in[i] * k;
        }
    }
}

static void gd_backward(nn_layer *l, const nni_bwd *b)
{
    size_t i, n = b->rows * l->in_dim;
    if (!b->din) return;
    for (i = 0; i < n; i++) b->din[i] = b->dout[i] * b->scratch[i];
}

static const nni_layer_ops gn_ops = {
    "GaussianNoise", "gaussian_noise", noise_build, gn_forward, identity_backward, no_scratch, 0,
};
static const nni_layer_ops gd_ops = {
    "GaussianDropout", "gaussian_dropout", noise_build, gd_forward, gd_backward, gd_scratch, 0,
};
const nni_layer_ops *const nni_gaussian_noise_ops = &gn_ops;
const nni_layer_ops *const nni_gaussian_dropout_ops = &gd_ops;

nn_layer *nn_gaussian_noise(float stddev)
{
    nn_layer *l;
    if (!(stddev >= 0.0f) || !isfinite(stddev)) return (nn_layer *)nni_set_last_error("nn_gaussian_noise: stddev must be finite and >= 0, got %g", (double)stddev);
    l = nni_layer_new(&gn_ops);
    if (l) l->stddev = stddev;
    return l;
}

nn_layer *nn_gaussian_dropout(float rate)
{
    nn_layer *l;
    if (!(rate >= 0.0f && rate < 1.0f)) return (nn_layer *)nni_set_last_error("nn_gaussian_dropout: rate must be in [0, 1), got %g", (double)rate);
    l = nni_layer_new(&gd_ops);
    if (l) l->rate = rate;
    return l;
}
