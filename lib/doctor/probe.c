/* Capacity probe: train a copy of the model on a few rows and see whether it
   can drive the training loss near zero. A network that cannot memorize 64
   rows has a problem in its architecture, learning rate or data pipeline;
   one that can is limited by generalization, not capacity. */
#include "doctor/doctor.h"
#include "core/alloc.h"
#include "core/error.h"
#include "optim/optimizer.h"
#include <math.h>
#include <string.h>

#define PROBE_ROWS 64
#define PROBE_EPOCHS 300
#define PROBE_NEAR_ZERO 0.05 /* final loss below this share of the constant predictor's */

/* Same kind and configuration as l, not built, from the default allocator. */
static nn_layer *layer_copy(const nn_layer *l)
{
    nn_layer *c = nni_layer_new(l->ops);
    nn_allocator a;
    size_t k;
    if (!c) return NULL;
    a = c->alloc;
    memcpy(c, l, sizeof *c);
    c->alloc = a;
    c->in_dim = c->out_dim = 0;
    c->n_params = 0;
    for (k = 0; k < NNI_MAX_PARAMS; k++) {
        c->param[k] = c->grad[k] = NULL;
        memset(&c->spec[k], 0, sizeof c->spec[k]);
    }
    return c;
}

static nn_optimizer *opt_copy(const nn_optimizer *o)
{
    nn_optimizer *c = nni_optimizer_new(o->ops, o->lr);
    nn_allocator a;
    if (!c) return NULL;
    a = c->alloc;
    memcpy(c, o, sizeof *c);
    c->alloc = a;
    c->attached = 0;
    c->iterations = 0;
    c->state = NULL;
    c->state_floats = 0;
    c->schedule = NULL;
    if (o->schedule) {
        c->schedule = nni_schedule_copy(o->schedule);
        if (!c->schedule) {
            nn_optimizer_free(c);
            return NULL;
        }
        c->lr = nn_schedule_value(c->schedule, 0);
    }
    return c;
}

nn_status nn_model_probe(nn_model *m, const float *x, const float *y, size_t n, size_t rows, int epochs,
                         float *final_loss, int *fits)
{
    nn_model *p;
    nn_status s;
    size_t i;
    nni_baselines b;
    float first, last;
    int ok;
    if (!m) return NN_ERR_INVALID_ARG;
    if (!x || !y || n == 0 || epochs < 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_probe: x, y must be set, n > 0, epochs >= 0");
    if (!m->compiled) return nni_fail(m, NN_ERR_STATE, "nn_model_probe: compile the model first");
    if (rows == 0) rows = PROBE_ROWS;
    if (rows > n) rows = n;
    if (epochs == 0) epochs = PROBE_EPOCHS;
    p = nn_model_create_with_allocator(m->in_dim, &m->alloc);
    if (!p) return nni_fail(m, NN_ERR_NOMEM, "nn_model_probe: out of memory for the copy");
    nn_model_set_seed(p, m->seed);
    for (i = 0; i < m->n_layers; i++) {
        if ((s = nn_model_add(p, layer_copy(m->layers[i]))) != NN_OK) goto fail;
    }
    if ((s = nn_model_compile(p, opt_copy(m->opt), m->loss)) != NN_OK) goto fail;
    p->huber_delta = m->huber_delta;
    nn_model_set_shuffle(p, 1);
    if ((s = nn_model_fit(p, x, y, rows, epochs, (int)(rows < 32 ? rows : 32))) != NN_OK) goto fail;
    if ((s = nni_baselines_compute(p, x, y, rows, NULL, NULL, 0, &b)) != NN_OK) goto fail;
    first = nn_model_history(p, "loss", 0);
    last = nn_model_history(p, "loss", nn_model_history_len(p) - 1);
    nn_model_free(p);
    ok = (double)last <= PROBE_NEAR_ZERO * b.const_train;
    if (final_loss) *final_loss = last;
    if (fits) *fits = ok;
    if (!m->findings && nni_findings_reset(m) != NN_OK) return nni_fail(m, NN_ERR_NOMEM, "nn_model_probe: out of memory");
    if (ok)
        nni_finding_add(m, "probe_fits", 0, -1,
                        "capacity is enough: fight overfitting (nn_dropout, nn_layer_set_kernel_regularizer, nn_early_stopping) or get more data",
                        "capacity probe: a copy trained on %zu rows for %d epochs drove the training loss from %.4g to %.4g (%.1f%% of the "
                        "constant predictor's %.4g)",
                        rows, epochs, (double)first, (double)last, 100.0 * (double)last / b.const_train, b.const_train);
    else
        nni_finding_add(m, "probe_cannot_fit", 1, -1,
                        "the network, its learning rate or the data pipeline is the problem, not overfitting: check that y lines up with x, "
                        "try nn_adam(1e-3f), NN_LEAKY_RELU with NN_INIT_HE_NORMAL, or wider layers",
                        "capacity probe: a copy trained on only %zu rows for %d epochs still has training loss %.4g (from %.4g), %.0f%% of "
                        "the constant predictor's %.4g; it cannot even memorize a few rows",
                        rows, epochs, (double)last, (double)first, 100.0 * (double)last / b.const_train, b.const_train);
    nni_clear_error(m);
    return NN_OK;
fail:
    nni_fail(m, s, "nn_model_probe: the copy failed: %s", nn_model_error(p));
    nn_model_free(p);
    return s;
}
