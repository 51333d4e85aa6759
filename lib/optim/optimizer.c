/* Shared optimizer code: construction with Keras defaults, setters, clipping. */
#include "optim/optimizer.h"
#include "core/alloc.h"
#include "core/error.h"
#include <math.h>

nn_optimizer *nni_optimizer_new(const nni_opt_ops *ops, float lr)
{
    nn_allocator a = nni_default_allocator();
    return nni_optimizer_new_with(ops, lr, &a);
}

nn_optimizer *nni_optimizer_new_with(const nni_opt_ops *ops, float lr, const nn_allocator *alloc)
{
    nn_allocator a = *alloc;
    nn_optimizer *o;
    if (!(lr >= 0.0f) || !isfinite(lr)) return (nn_optimizer *)nni_set_last_error("%s: learning rate must be finite and >= 0, got %g", ops->name, (double)lr);
    o = (nn_optimizer *)nni_alloc(&a, sizeof *o);
    if (!o) return (nn_optimizer *)nni_set_last_error("out of memory creating %s", ops->name);
    o->ops = ops;
    o->alloc = a;
    o->lr = lr;
    o->beta1 = 0.9f;
    o->beta2 = 0.999f;
    o->epsilon = 1e-7f;
    o->rho = 0.9f;
    return o;
}

void nn_optimizer_free(nn_optimizer *o)
{
    if (o) {
        nn_schedule_free(o->schedule);
        nni_free(&o->alloc, o);
    }
}

#define SETTER(fname, field, cond)                              \
    nn_status fname(nn_optimizer *o, float v)                   \
    {                                                           \
        if (!o || !isfinite(v) || !(cond)) return NN_ERR_INVALID_ARG; \
        o->field = v;                                           \
        return NN_OK;                                           \
    }

SETTER(nn_optimizer_set_beta1, beta1, v >= 0.0f && v < 1.0f)
SETTER(nn_optimizer_set_beta2, beta2, v >= 0.0f && v < 1.0f)
SETTER(nn_optimizer_set_epsilon, epsilon, v >= 0.0f)
SETTER(nn_optimizer_set_rho, rho, v >= 0.0f && v < 1.0f)
SETTER(nn_optimizer_set_weight_decay, weight_decay, v >= 0.0f)
SETTER(nn_optimizer_set_clipnorm, clipnorm, v >= 0.0f)
SETTER(nn_optimizer_set_global_clipnorm, global_clipnorm, v >= 0.0f)
SETTER(nn_optimizer_set_clipvalue, clipvalue, v >= 0.0f)

nn_status nn_optimizer_set_initial_accumulator(nn_optimizer *o, float v)
{
    if (!o || !isfinite(v) || v < 0.0f) return NN_ERR_INVALID_ARG;
    if (o->attached) return NN_ERR_STATE;
    o->initial_accumulator = v;
    return NN_OK;
}

nn_status nn_optimizer_set_momentum(nn_optimizer *o, float v)
{
    if (!o || !(v >= 0.0f && v <= 1.0f)) return NN_ERR_INVALID_ARG;
    /* switching momentum on or off changes the state layout */
    if (o->attached && ((v > 0.0f) != (o->momentum > 0.0f))) return NN_ERR_STATE;
    o->momentum = v;
    return NN_OK;
}

nn_status nn_optimizer_set_amsgrad(nn_optimizer *o, int amsgrad)
{
    if (!o) return NN_ERR_INVALID_ARG;
    if (o->attached) return NN_ERR_STATE; /* changes the state layout */
    o->amsgrad = amsgrad != 0;
    return NN_OK;
}

nn_status nn_optimizer_set_centered(nn_optimizer *o, int centered)
{
    if (!o) return NN_ERR_INVALID_ARG;
    if (o->attached) return NN_ERR_STATE;
    o->centered = centered != 0;
    return NN_OK;
}

static void scale_to_norm(float *g, size_t n, float max_norm)
{
    size_t i;
    double ss = 0.0;
    for (i = 0; i < n; i++) ss += (double)g[i] * g[i];
    if (ss > (double)max_norm * max_norm) {
        float s = (float)((double)max_norm / sqrt(ss));
        for (i = 0; i < n; i++) g[i] *= s;
    }
}

void nni_optimizer_clip(const nn_optimizer *o, float *g, const size_t *off, size_t n_tensors)
{
    size_t t, i, n = off[n_tensors];
    /* Keras order: clipnorm per tensor, global_clipnorm, then clipvalue. */
    if (o->clipnorm > 0.0f)
        for (t = 0; t < n_tensors; t++) scale_to_norm(g + off[t], off[t + 1] - off[t], o->clipnorm);
    if (o->global_clipnorm > 0.0f) scale_to_norm(g, n, o->global_clipnorm);
    if (o->clipvalue > 0.0f)
        for (i = 0; i < n; i++) g[i] = g[i] > o->clipvalue ? o->clipvalue : (g[i] < -o->clipvalue ? -o->clipvalue : g[i]);
}
