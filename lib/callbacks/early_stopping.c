/* EarlyStopping with Keras 3 semantics: improvement means beating the best by
   more than min_delta; stop once `patience` epochs pass without one; with
   restore_best_weights the best epoch's weights are restored when training
   ends, whether or not the stop triggered (Keras 3 behaviour). With a baseline
   the wait only resets on epochs that also beat it; epochs before
   start_from_epoch are ignored. */
#include "callbacks/callback.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/model.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static int improves(const nn_callback *cb, float current, float reference)
{
    return cb->mode_max ? current - cb->min_delta > reference : current + cb->min_delta < reference;
}

static nn_status es_train_begin(nn_callback *cb, nn_model *m)
{
    cb->wait = 0;
    cb->stopped_epoch = -1;
    cb->best_epoch = -1;
    cb->best = cb->mode_max ? -INFINITY : INFINITY;
    cb->have_best_weights = 0;
    if (cb->restore_best && !cb->best_weights) {
        cb->best_weights = (float *)nni_alloc_array(&m->alloc, m->n_params, sizeof(float));
        if (!cb->best_weights) return NN_ERR_NOMEM;
    }
    return NN_OK;
}

static void snapshot(nn_callback *cb, const nn_model *m, int epoch)
{
    if (cb->restore_best) {
        memcpy(cb->best_weights, m->params, m->n_params * sizeof(float));
        cb->have_best_weights = 1;
    }
    cb->best_epoch = epoch;
}

static int es_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    float current = nn_model_history(m, cb->monitor, (size_t)epoch);
    if (isnan(current) || epoch < cb->start_from_epoch) return 0;
    if (cb->restore_best && !cb->have_best_weights) snapshot(cb, m, epoch);
    cb->wait++;
    if (improves(cb, current, cb->best)) {
        cb->best = current;
        snapshot(cb, m, epoch);
        if (!cb->has_baseline || improves(cb, current, cb->baseline)) cb->wait = 0;
        return 0;
    }
    if (cb->wait >= cb->patience && epoch > 0) {
        cb->stopped_epoch = epoch;
        if (m->verbose) nni_log(m, "Epoch %d: early stopping\n", epoch + 1);
        return 1;
    }
    return 0;
}

static void es_train_end(nn_callback *cb, nn_model *m)
{
    if (cb->restore_best && cb->have_best_weights) {
        if (m->verbose) nni_log(m, "Restoring model weights from the end of the best epoch: %d.\n", cb->best_epoch + 1);
        memcpy(m->params, cb->best_weights, m->n_params * sizeof(float));
    }
}

static void es_destroy(nn_callback *cb, nn_model *m)
{
    nni_free(&m->alloc, cb->best_weights);
    cb->best_weights = NULL;
}

static const nni_cb_ops es_ops = {
    "EarlyStopping", es_train_begin, NULL, es_epoch_end, NULL, es_train_end, es_destroy, NULL, NULL, 0,
};

nn_status nn_callback_set_baseline(nn_callback *cb, float baseline)
{
    if (!cb || cb->ops != &es_ops || !isfinite(baseline)) return NN_ERR_INVALID_ARG;
    cb->baseline = baseline;
    cb->has_baseline = 1;
    return NN_OK;
}

nn_status nn_callback_set_start_from_epoch(nn_callback *cb, int n)
{
    if (!cb || cb->ops != &es_ops || n < 0) return NN_ERR_INVALID_ARG;
    cb->start_from_epoch = n;
    return NN_OK;
}

nn_callback *nn_early_stopping(const char *monitor, float min_delta, int patience, int restore_best_weights)
{
    nn_callback *cb;
    if (!monitor) monitor = "val_loss";
    if (strlen(monitor) >= sizeof cb->monitor) return (nn_callback *)nni_set_last_error("nn_early_stopping: monitor name too long");
    if (patience < 0 || !isfinite(min_delta)) return (nn_callback *)nni_set_last_error("nn_early_stopping: patience must be >= 0 and min_delta finite");
    cb = nni_callback_new(&es_ops);
    if (!cb) return NULL;
    strcpy(cb->monitor, monitor);
    cb->min_delta = fabsf(min_delta);
    cb->patience = patience;
    cb->restore_best = restore_best_weights != 0;
    /* Keras 'auto' mode: accuracy-like names are maximised, the rest minimised */
    cb->mode_max = nni_auto_mode_max(monitor);
    return cb;
}
