/* Re-seed a built model in place: weights drawn again in build order, optimizer state as
   right after compile. Lets the tuner seed every trial's model whatever the build function did. */
#include "tune/tuner.h"
#include "core/model.h"
#include "optim/optimizer.h"
#include <string.h>

void nni_model_reseed(nn_model *m, uint64_t seed)
{
    size_t i, j;
    nn_model_set_seed(m, seed);
    if (!m->built) return;
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        for (j = 0; j < l->n_params; j++) nni_init_param(&l->spec[j], l->param[j], &m->rng);
    }
    if (m->opt) {
        nn_optimizer *o = m->opt;
        o->iterations = 0;
        for (i = 0; i < o->state_floats; i++) o->state[i] = o->initial_accumulator;
    }
}
