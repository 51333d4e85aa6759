/*
 * Optimizers walk one flat parameter/gradient store. A kind is a table with
 * the number of state slots it needs per weight and one update pass.
 */
#ifndef NNI_OPTIMIZER_H
#define NNI_OPTIMIZER_H
#include "nn.h"
#include <stdint.h>
#include <stddef.h>
#include "core/simd.h"

typedef struct nni_opt_ops {
    const char *name;  /* Keras class name */
    /* floats of state per weight (e.g. Adam: m and v, +1 with amsgrad) */
    size_t (*slots)(const nn_optimizer *o);
    /* One update of n weights w with gradient g; state holds slots*n floats laid out slot-major.
       step is the 1-based iteration number. */
    void (*update)(nn_optimizer *o, float *w, const float *g, float *state, size_t n, int64_t step);
} nni_opt_ops;

struct nn_optimizer {
    const nni_opt_ops *ops;
    nn_allocator alloc;
    float lr, beta1, beta2, epsilon, momentum, rho, weight_decay, initial_accumulator;
    int nesterov, amsgrad, centered;
    int attached;        /* compiled into a model: the state layout is fixed */
    float clipnorm, global_clipnorm, clipvalue;
    int64_t iterations;
    float *state;        /* from the model's allocator after compile */
    nn_schedule *schedule; /* owned; sets lr before every update when non-NULL */
    size_t state_floats;
};

/* A zeroed optimizer of the given kind with Keras' common defaults. */
nn_optimizer *nni_optimizer_new(const nni_opt_ops *ops, float lr);
/* Same, from the given allocator (used by the model loader). */
nn_optimizer *nni_optimizer_new_with(const nni_opt_ops *ops, float lr, const nn_allocator *alloc);
/* Clip g (per tensor, global, per value) as configured. Tensors are [off[i], off[i+1]). */
void nni_optimizer_clip(const nn_optimizer *o, float *g, const size_t *tensor_off, size_t n_tensors);

/* Whether the schedule counts epochs rather than optimizer steps. */
int nni_schedule_per_epoch(const nn_schedule *s);
/* Copy of a schedule from the default allocator (NULL on failure). */
nn_schedule *nni_schedule_copy(const nn_schedule *s);

#endif
