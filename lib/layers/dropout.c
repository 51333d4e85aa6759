/* Inverted dropout: scale kept units by 1/(1-rate) in training, identity at inference. */
#include "layers/layer.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

static nn_status dropout_build(nn_layer *l, size_t in_dim)
{
    l->in_dim = l->out_dim = in_dim;
    l->n_params = 0;
    return NN_OK;
}

static size_t dropout_scratch(const nn_layer *l, size_t rows) { return rows * l->in_dim; }

static void dropout_forward(nn_layer *l, const nni_fwd *f)
{
    size_t i, n = f->rows * l->in_dim;
    if (!f->training || l->rate == 0.0f) {
        memcpy(f->out, f->in, n * sizeof(float));
        for (i = 0; f->training && i < n; i++) f->scratch[i] = 1.0f;
        return;
    }
    {
        float scale = 1.0f / (1.0f - l->rate);
        for (i = 0; i < n; i++) {
            float keep = nni_rng_uniform(f->rng) >= l->rate ? scale : 0.0f;
            f->scratch[i] = keep;
            f->out[i] = f->in[i] * keep;
        }
    }
}

static void dropout_backward(nn_layer *l, const nni_bwd *b)
{
    size_t i, n = b->rows * l->in_dim;
    if (!b->din) return;
    for (i = 0; i < n; i++) b->din[i] = b->dout[i] * b->scratch[i];
}

static const nni_layer_ops dropout_ops = {
    "Dropout", "dropout", dropout_build, dropout_forward, dropout_backward, dropout_scratch, 0,
};
const nni_layer_ops *const nni_dropout_ops = &dropout_ops;

nn_layer *nn_dropout(float rate)
{
    nn_layer *l;
    if (!(rate >= 0.0f && rate < 1.0f)) return (nn_layer *)nni_set_last_error("nn_dropout: rate must be in [0, 1), got %g", (double)rate);
    l = nni_layer_new(&dropout_ops);
    if (l) l->rate = rate;
    return l;
}
