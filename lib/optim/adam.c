/* Adam and AdamW (decoupled weight decay), Keras 3 update rules:
   alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); m += (g - m)(1 - b1);
   v += (g^2 - v)(1 - b2); w -= alpha m / (sqrt(v) + eps). */
#include "optim/optimizer.h"
#include "core/error.h"
#include "core/mathf.h"
#include <math.h>

static size_t adam_slots(const nn_optimizer *o) { return o->amsgrad ? 3 : 2; }

/* The common case (no weight decay, no amsgrad) as one branch-free pass in
   fixed blocks over distinct arrays, which GCC's -O2 vectorizer takes. Same
   expressions, in the same order, as the general loop below. */
#define ADAM_BLK 16
NNI_SIMD_CLONES
static void adam_plain(float *restrict w, const float *restrict g, float *restrict m,
                       float *restrict v, size_t n, float c1, float c2, float alpha, float eps)
{
    size_t i = 0, k;
    for (; i + ADAM_BLK <= n; i += ADAM_BLK) {
        for (k = i; k < i + ADAM_BLK; k++) {
            float gi = g[k];
            m[k] += (gi - m[k]) * c1;
            v[k] += (gi * gi - v[k]) * c2;
            w[k] -= (m[k] * alpha) / (sqrtf(v[k]) + eps);
        }
    }
    for (; i < n; i++) {
        float gi = g[i];
        m[i] += (gi - m[i]) * c1;
        v[i] += (gi * gi - v[i]) * c2;
        w[i] -= (m[i] * alpha) / (sqrtf(v[i]) + eps);
    }
}

static void adam_update(nn_optimizer *o, float *w, const float *g, float *state, size_t n, int64_t step)
{
    float *m = state, *v = state + n, *vhat = state + 2 * n;
    float b1 = o->beta1, b2 = o->beta2, eps = o->epsilon;
    float alpha = (float)((double)o->lr * sqrt(1.0 - nni_dpowi((double)b2, step)) /
                          (1.0 - nni_dpowi((double)b1, step)));
    float decay = o->lr * o->weight_decay;
    size_t i;
    if (decay == 0.0f && !o->amsgrad) {
        adam_plain(w, g, m, v, n, 1.0f - b1, 1.0f - b2, alpha, eps);
        return;
    }
    for (i = 0; i < n; i++) {
        float gi = g[i], vi;
        /* AdamW decays the weight before the Adam step, as Keras does */
        if (decay != 0.0f) w[i] -= w[i] * decay;
        m[i] += (gi - m[i]) * (1.0f - b1);
        v[i] += (gi * gi - v[i]) * (1.0f - b2);
        vi = v[i];
        if (o->amsgrad) {
            if (vi > vhat[i]) vhat[i] = vi;
            vi = vhat[i];
        }
        w[i] -= (m[i] * alpha) / (sqrtf(vi) + eps);
    }
}

static const nni_opt_ops adam_ops = { "Adam", adam_slots, adam_update };
static const nni_opt_ops adamw_ops = { "AdamW", adam_slots, adam_update };
const nni_opt_ops *const nni_adam_ops = &adam_ops;
const nni_opt_ops *const nni_adamw_ops = &adamw_ops;

nn_optimizer *nn_adam(float lr) { return nni_optimizer_new(&adam_ops, lr); }

nn_optimizer *nn_adamw(float lr, float weight_decay)
{
    nn_optimizer *o;
    if (!(weight_decay >= 0.0f) || !isfinite(weight_decay))
        return (nn_optimizer *)nni_set_last_error("nn_adamw: weight_decay must be finite and >= 0, got %g", (double)weight_decay);
    o = nni_optimizer_new(&adamw_ops, lr);
    if (o) o->weight_decay = weight_decay;
    return o;
}
