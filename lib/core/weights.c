/* Whole-model weight access in Keras get_weights order and nn_model_clone.
   Public order: layer by layer, each layer's tensors in its own order
   (Dense: kernel, bias; BatchNorm: gamma, beta, moving_mean, moving_variance),
   although the store keeps trainable tensors first. */
#include "core/model.h"
#include "core/alloc.h"
#include "core/error.h"
#include "optim/optimizer.h"
#include "io/scaler.h"
#include <string.h>

nn_status nn_model_get_weights(nn_model *m, float *out, size_t cap, size_t *needed)
{
    size_t i, j, o = 0;
    nn_status s;
    if (!m || (!out && cap)) return NN_ERR_INVALID_ARG;
    if ((s = nni_model_build(m)) != NN_OK) return s;
    if (needed) *needed = m->n_params;
    if (!out) return NN_OK;
    if (cap < m->n_params) return nni_fail(m, NN_ERR_SHAPE, "nn_model_get_weights: %zu floats needed, cap is %zu", m->n_params, cap);
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++) {
            memcpy(out + o, m->layers[i]->param[j], m->layers[i]->spec[j].size * sizeof(float));
            o += m->layers[i]->spec[j].size;
        }
    return NN_OK;
}

nn_status nn_model_set_weights(nn_model *m, const float *w, size_t n)
{
    size_t i, j, o = 0;
    nn_status s;
    if (!m || !w) return NN_ERR_INVALID_ARG;
    if ((s = nni_model_build(m)) != NN_OK) return s;
    if (n != m->n_params) return nni_fail(m, NN_ERR_SHAPE, "nn_model_set_weights: the model has %zu weights, got %zu", m->n_params, n);
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++) {
            memcpy(m->layers[i]->param[j], w + o, m->layers[i]->spec[j].size * sizeof(float));
            o += m->layers[i]->spec[j].size;
        }
    nni_clear_error(m);
    return NN_OK;
}

static nn_optimizer *copy_optimizer(const nn_optimizer *o)
{
    nn_allocator a = nni_default_allocator();
    nn_optimizer *c = (nn_optimizer *)nni_alloc(&a, sizeof *c);
    if (!c) return NULL;
    *c = *o;
    c->alloc = a;
    c->state = NULL;
    c->state_floats = 0;
    c->attached = 0;
    c->iterations = 0;
    c->schedule = NULL;
    if (o->schedule) {
        c->schedule = nni_schedule_copy(o->schedule);
        if (!c->schedule) {
            nni_free(&a, c);
            return NULL;
        }
        c->lr = nn_schedule_value(c->schedule, 0);
    }
    return c;
}

nn_model *nn_model_clone(const nn_model *m)
{
    nn_model *c;
    size_t i;
    if (!m) return nni_set_last_error("nn_model_clone: model is NULL");
    c = nn_model_create_with_allocator(m->in_dim, &m->alloc);
    if (!c) return NULL;
    c->linear_shortcut = m->linear_shortcut;
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        nn_allocator a = nni_default_allocator();
        nn_layer *nl = (nn_layer *)nni_alloc(&a, sizeof *nl);
        size_t j;
        if (!nl) goto fail;
        *nl = *l;
        nl->alloc = a;
        for (j = 0; j < NNI_MAX_PARAMS; j++) nl->param[j] = nl->grad[j] = NULL;
        if (nn_model_add(c, nl) != NN_OK) goto fail;
    }
    if (m->compiled) {
        nn_optimizer *o = copy_optimizer(m->opt);
        if (!o || nn_model_compile(c, o, m->loss) != NN_OK) goto fail;
    } else if (m->built && nni_model_build(c) != NN_OK) {
        goto fail;
    }
    if (m->built) memcpy(c->params, m->params, m->n_params * sizeof(float));
    c->loss = m->loss;
    c->huber_delta = m->huber_delta;
    memcpy(c->metrics, m->metrics, sizeof m->metrics);
    memcpy(c->metric_weighted, m->metric_weighted, sizeof m->metric_weighted);
    c->n_metrics = m->n_metrics;
    if (m->class_w && nn_model_set_class_weights(c, m->class_w, m->n_class_w) != NN_OK) goto fail;
    for (i = 0; i < 2; i++) {
        const nn_scaler *src = i ? m->out_scaler : m->in_scaler;
        nn_scaler *s;
        int nomem;
        if (!src) continue;
        if (!(s = nni_scaler_copy(src, &c->alloc, &nomem))) goto fail;
        if ((i ? nn_model_set_target_scaler(c, s) : nn_model_set_input_scaler(c, s)) != NN_OK) goto fail;
    }
    if (m->feat_names && nn_model_set_feature_names(c, (const char *const *)m->feat_names, m->n_feat_names) != NN_OK)
        goto fail;
    if (m->out_names && nn_model_set_output_names(c, (const char *const *)m->out_names, m->n_out_names) != NN_OK)
        goto fail;
    c->seed = m->seed;
    c->seeded = m->seeded;
    c->rng = m->rng; /* continues the original's stream: both train identically */
    c->val_split = m->val_split;
    c->shuffle = m->shuffle;
    c->verbose = m->verbose;
    c->log = m->log;
    c->log_user = m->log_user;
    return c;
fail:
    nni_set_last_error("nn_model_clone: %s", c->err[0] ? c->err : "out of memory");
    nn_model_free(c);
    return NULL;
}
