/* RMSprop, Keras 3 rule: v = rho v + (1-rho) g^2; (centered: minus mean^2);
   step = lr g / sqrt(v + eps); optional momentum on the step. */
#include "optim/optimizer.h"
#include <math.h>

static size_t rms_slots(const nn_optimizer *o) { return 1 + (o->momentum > 0.0f) + (o->centered != 0); }

static void rms_update(nn_optimizer *o, float *w, const float *g, float *state, size_t n, int64_t step)
{
    float *vel = state, *mom = NULL, *avg = NULL, rho = o->rho;
    size_t i, slot = 1;
    (void)step;
    if (o->momentum > 0.0f) mom = state + n * slot++;
    if (o->centered) avg = state + n * slot++;
    for (i = 0; i < n; i++) {
        float gi = g[i], denom, inc;
        vel[i] = rho * vel[i] + (1.0f - rho) * gi * gi;
        if (avg) {
            avg[i] = rho * avg[i] + (1.0f - rho) * gi;
            denom = vel[i] - avg[i] * avg[i] + o->epsilon;
        } else {
            denom = vel[i] + o->epsilon;
        }
        inc = o->lr * gi / sqrtf(denom);
        if (mom) {
            mom[i] = o->momentum * mom[i] + inc;
            w[i] -= mom[i];
        } else {
            w[i] -= inc;
        }
    }
}

static const nni_opt_ops rms_ops = { "RMSprop", rms_slots, rms_update };
const nni_opt_ops *const nni_rmsprop_ops = &rms_ops;

nn_optimizer *nn_rmsprop(float lr) { return nni_optimizer_new(&rms_ops, lr); }
