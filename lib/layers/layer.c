/* What all layer kinds share: allocation, Keras initializers and setters. */
#include "layers/layer.h"
#include "core/alloc.h"
#include "core/error.h"
#include <math.h>
#include <string.h>

nn_layer *nni_layer_new(const nni_layer_ops *ops)
{
    nn_allocator a = nni_default_allocator();
    return nni_layer_new_with(ops, &a);
}

nn_layer *nni_layer_new_with(const nni_layer_ops *ops, const nn_allocator *alloc)
{
    nn_allocator a = *alloc;
    nn_layer *l = (nn_layer *)nni_alloc(&a, sizeof *l);
    if (!l) return (nn_layer *)nni_set_last_error("out of memory creating a %s layer", ops->name);
    l->ops = ops;
    l->alloc = a;
    l->kernel_init = NN_INIT_GLOROT_UNIFORM;
    l->bias_init = NN_INIT_ZEROS;
    l->act = NN_LINEAR;
    l->act_alpha = 0.2f;
    l->momentum = 0.99f;
    l->epsilon = 1e-3f;
    return l;
}

/* Keras draws truncated normals within two standard deviations and divides
   the variance-scaling stddev by this constant (the stddev of a standard
   normal truncated to [-2, 2]) so the result keeps the intended variance. */
#define TRUNC_STD_CORRECTION 0.87962566103423978

static float truncated_normal(nni_rng *rng, double stddev)
{
    double z;
    do {
        z = nni_rng_normal(rng);
    } while (z < -2.0 || z > 2.0);
    return (float)(z * stddev);
}

void nni_init_param(const nni_param_spec *s, float *p, nni_rng *rng)
{
    double fan_in = (double)s->rows, fan_out = (double)s->cols, limit, sd;
    size_t i;
    switch (s->init) {
    case NN_INIT_ZEROS:
        for (i = 0; i < s->size; i++) p[i] = 0.0f;
        break;
    case NN_INIT_ONES:
        for (i = 0; i < s->size; i++) p[i] = 1.0f;
        break;
    case NN_INIT_GLOROT_UNIFORM:
    case NN_INIT_HE_UNIFORM:
        limit = s->init == NN_INIT_GLOROT_UNIFORM ? sqrt(6.0 / (fan_in + fan_out)) : sqrt(6.0 / fan_in);
        for (i = 0; i < s->size; i++)
            p[i] = (float)((2.0 * (double)nni_rng_uniform(rng) - 1.0) * limit);
        break;
    case NN_INIT_GLOROT_NORMAL:
    case NN_INIT_HE_NORMAL:
    case NN_INIT_LECUN_NORMAL:
    default:
        sd = s->init == NN_INIT_GLOROT_NORMAL ? sqrt(2.0 / (fan_in + fan_out))
           : s->init == NN_INIT_HE_NORMAL     ? sqrt(2.0 / fan_in)
                                              : sqrt(1.0 / fan_in);
        sd /= TRUNC_STD_CORRECTION;
        for (i = 0; i < s->size; i++) p[i] = truncated_normal(rng, sd);
        break;
    }
}

static int init_valid(nn_initializer i) { return (int)i >= 0 && (int)i <= (int)NN_INIT_ONES; }

nn_status nn_layer_set_kernel_initializer(nn_layer *l, nn_initializer init)
{
    if (!l || !init_valid(init)) return NN_ERR_INVALID_ARG;
    if (l->param[0]) return NN_ERR_STATE;
    l->kernel_init = init;
    if (l->n_params > 0 && l->spec[0].role == NNI_KERNEL) l->spec[0].init = init;
    return NN_OK;
}

nn_status nn_layer_set_bias_initializer(nn_layer *l, nn_initializer init)
{
    size_t j;
    if (!l || !init_valid(init)) return NN_ERR_INVALID_ARG;
    if (l->param[0]) return NN_ERR_STATE;
    l->bias_init = init;
    for (j = 0; j < l->n_params; j++)
        if (l->spec[j].role == NNI_BIAS) l->spec[j].init = init;
    return NN_OK;
}

nn_status nn_layer_set_kernel_regularizer(nn_layer *l, float l1, float l2)
{
    if (!l || !(l1 >= 0.0f) || !(l2 >= 0.0f) || !isfinite(l1) || !isfinite(l2)) return NN_ERR_INVALID_ARG;
    l->l1 = l1;
    l->l2 = l2;
    return NN_OK;
}

nn_status nn_layer_set_leaky_slope(nn_layer *l, float slope)
{
    if (!l || !isfinite(slope)) return NN_ERR_INVALID_ARG;
    l->act_alpha = slope;
    return NN_OK;
}

nn_status nni_layer_rebuild(nn_layer *l)
{
    if (l->n_params > 0 && l->param[0]) return NN_ERR_STATE;
    if (l->in_dim == 0) return NN_OK; /* not added yet: build runs at nn_model_add */
    return l->ops->build(l, l->in_dim);
}

nn_status nn_layer_set_bias_regularizer(nn_layer *l, float l1, float l2)
{
    if (!l || !(l1 >= 0.0f) || !(l2 >= 0.0f) || !isfinite(l1) || !isfinite(l2)) return NN_ERR_INVALID_ARG;
    l->bias_l1 = l1;
    l->bias_l2 = l2;
    return NN_OK;
}

nn_status nn_layer_set_kernel_max_norm(nn_layer *l, float max_value)
{
    if (!l || !(max_value >= 0.0f) || !isfinite(max_value)) return NN_ERR_INVALID_ARG;
    l->max_norm = max_value;
    return NN_OK;
}

nn_status nn_layer_set_use_bias(nn_layer *l, int use_bias)
{
    int old;
    nn_status s;
    if (!l || strcmp(l->ops->name, "Dense") != 0) return NN_ERR_INVALID_ARG;
    if (l->param[0]) return NN_ERR_STATE;
    old = l->no_bias;
    l->no_bias = use_bias == 0;
    if ((s = nni_layer_rebuild(l)) != NN_OK) l->no_bias = old;
    return s;
}

static int is_norm(const nn_layer *l)
{
    return strcmp(l->ops->name, "BatchNormalization") == 0 || strcmp(l->ops->name, "LayerNormalization") == 0;
}

nn_status nn_layer_set_momentum(nn_layer *l, float momentum)
{
    if (!l || strcmp(l->ops->name, "BatchNormalization") != 0 || !(momentum >= 0.0f && momentum <= 1.0f))
        return NN_ERR_INVALID_ARG;
    l->momentum = momentum;
    return NN_OK;
}

nn_status nn_layer_set_epsilon(nn_layer *l, float epsilon)
{
    if (!l || !is_norm(l) || !(epsilon > 0.0f) || !isfinite(epsilon)) return NN_ERR_INVALID_ARG;
    l->epsilon = epsilon;
    return NN_OK;
}

static nn_status set_flag(nn_layer *l, int *flag, int value)
{
    int old;
    nn_status s;
    if (!l || !is_norm(l)) return NN_ERR_INVALID_ARG;
    if (l->n_params > 0 && l->param[0]) return NN_ERR_STATE;
    old = *flag;
    *flag = value;
    if ((s = nni_layer_rebuild(l)) != NN_OK) *flag = old;
    return s;
}

nn_status nn_layer_set_center(nn_layer *l, int center)
{
    return l ? set_flag(l, &l->no_center, center == 0) : NN_ERR_INVALID_ARG;
}

nn_status nn_layer_set_scale(nn_layer *l, int scale)
{
    return l ? set_flag(l, &l->no_scale, scale == 0) : NN_ERR_INVALID_ARG;
}

size_t nn_layer_weight_tensors(const nn_layer *l) { return l ? l->n_params : 0; }

size_t nn_layer_weight_count(const nn_layer *l, size_t i)
{
    return (l && i < l->n_params) ? l->spec[i].size : 0;
}

nn_status nn_layer_weights(const nn_layer *l, size_t i, float *out, size_t cap)
{
    if (!l || i >= l->n_params || !out) return NN_ERR_INVALID_ARG;
    if (!l->param[i]) return NN_ERR_STATE;
    if (cap < l->spec[i].size) return NN_ERR_SHAPE;
    memcpy(out, l->param[i], l->spec[i].size * sizeof(float));
    return NN_OK;
}

nn_status nn_layer_set_weights(nn_layer *l, size_t i, const float *w, size_t n)
{
    if (!l || i >= l->n_params || !w) return NN_ERR_INVALID_ARG;
    if (!l->param[i]) return NN_ERR_STATE;
    if (n != l->spec[i].size) return NN_ERR_SHAPE;
    memcpy(l->param[i], w, n * sizeof(float));
    return NN_OK;
}
