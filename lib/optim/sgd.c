/* SGD with optional (Nesterov) momentum, Keras 3 update rule. */
#include "optim/optimizer.h"
#include "core/error.h"
#include <math.h>

static size_t sgd_slots(const nn_optimizer *o) { return o->momentum > 0.0f ? 1 : 0; }

static void sgd_update(nn_optimizer *o, float *w, const float *g, float *v, size_t n, int64_t step)
{
    size_t i;
    float lr = o->lr, mu = o->momentum;
    (void)step;
    if (mu == 0.0f) {
        for (i = 0; i < n; i++) w[i] -= lr * g[i];
        return;
    }
    for (i = 0; i < n; i++) {
        v[i] = mu * v[i] - lr * g[i];
        w[i] += o->nesterov ? mu * v[i] - lr * g[i] : v[i];
    }
}

static const nni_opt_ops sgd_ops = { "SGD", sgd_slots, sgd_update };
const nni_opt_ops *const nni_sgd_ops = &sgd_ops;

nn_optimizer *nn_sgd(float lr, float momentum, int nesterov)
{
    nn_optimizer *o;
    if (!(momentum >= 0.0f && momentum <= 1.0f)) return (nn_optimizer *)nni_set_last_error("nn_sgd: momentum must be in [0, 1], got %g", (double)momentum);
    o = nni_optimizer_new(&sgd_ops, lr);
    if (o) {
        o->momentum = momentum;
        o->nesterov = nesterov != 0;
    }
    return o;
}
