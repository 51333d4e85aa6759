/* Adagrad, Keras 3 rule: acc += g^2; w -= lr g / sqrt(acc + eps). */
#include "optim/optimizer.h"
#include <math.h>

static size_t adagrad_slots(const nn_optimizer *o) { (void)o; return 1; }

static void adagrad_update(nn_optimizer *o, float *w, const float *g, float *acc, size_t n, int64_t step)
{
    size_t i;
    (void)step;
    for (i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= o->lr * g[i] / sqrtf(acc[i] + o->epsilon);
    }
}

static const nni_opt_ops adagrad_ops = { "Adagrad", adagrad_slots, adagrad_update };
const nni_opt_ops *const nni_adagrad_ops = &adagrad_ops;

nn_optimizer *nn_adagrad(float lr)
{
    nn_optimizer *o = nni_optimizer_new(&adagrad_ops, lr);
    if (o) o->initial_accumulator = 0.1f;
    return o;
}
