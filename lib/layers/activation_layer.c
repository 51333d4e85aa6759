/* Standalone Activation layer (keras.layers.Activation). It keeps its input
   (the pre-activation) in scratch, so as the last layer it fuses with
   softmax/sigmoid crossentropies exactly as Dense does. */
#include "layers/layer.h"
#include "layers/activation.h"
#include "core/error.h"
#include <string.h>

static nn_status act_build(nn_layer *l, size_t in_dim)
{
    l->in_dim = l->out_dim = in_dim;
    l->n_params = 0;
    return NN_OK;
}

static size_t act_scratch(const nn_layer *l, size_t rows) { return rows * l->in_dim; }

static void act_forward(nn_layer *l, const nni_fwd *f)
{
    size_t n = f->rows * l->in_dim;
    memcpy(f->scratch, f->in, n * sizeof(float));
    nni_act_forward(l->act, l->act_alpha, f->in, f->out, f->rows, l->in_dim);
}

static void act_backward(nn_layer *l, const nni_bwd *b)
{
    if (!b->din) return;
    if (b->dout_is_preact)
        memcpy(b->din, b->dout, b->rows * l->in_dim * sizeof(float));
    else
        nni_act_backward(l->act, l->act_alpha, b->scratch, b->out, b->dout, b->din, b->rows, l->in_dim);
}

static const nni_layer_ops act_ops = {
    "Activation", "activation", act_build, act_forward, act_backward, act_scratch, 1,
};
const nni_layer_ops *const nni_activation_ops = &act_ops;

nn_layer *nn_activation_layer(nn_activation act)
{
    nn_layer *l;
    if (nni_act_name(act) == NULL) return (nn_layer *)nni_set_last_error("nn_activation_layer: unknown activation %d", (int)act);
    l = nni_layer_new(&act_ops);
    if (l) l->act = act;
    return l;
}
