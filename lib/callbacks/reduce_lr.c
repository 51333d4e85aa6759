/* ReduceLROnPlateau and LearningRateScheduler with Keras 3 semantics.
   ReduceLROnPlateau: improvement means current < best - min_delta (max mode:
   current > best + min_delta); after `patience` epochs without one (outside
   cooldown) lr = max(lr * factor, min_lr) if lr > min_lr, then the cooldown
   starts. The history row of the epoch keeps the lr it ran with; the new lr
   shows from the next epoch. */
#include "callbacks/callback.h"
#include "core/error.h"
#include "core/model.h"
#include "optim/optimizer.h"
#include <math.h>
#include <string.h>

static nn_status rlr_train_begin(nn_callback *cb, nn_model *m)
{
    if (m->opt->schedule)
        return nni_fail(m, NN_ERR_STATE, "ReduceLROnPlateau cannot change an optimizer driven by a learning-rate schedule");
    cb->best = cb->mode_max ? -INFINITY : INFINITY;
    cb->wait = 0;
    cb->cooldown_counter = 0;
    return NN_OK;
}

static int rlr_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    float current = nn_model_history(m, cb->monitor, (size_t)epoch);
    int better;
    if (isnan(current)) return 0;
    if (cb->cooldown_counter > 0) {
        cb->cooldown_counter--;
        cb->wait = 0;
    }
    better = cb->mode_max ? current > cb->best + cb->min_delta : current < cb->best - cb->min_delta;
    if (better) {
        cb->best = current;
        cb->wait = 0;
    } else if (cb->cooldown_counter <= 0) {
        cb->wait++;
        if (cb->wait >= cb->patience) {
            float old_lr = m->opt->lr;
            if (old_lr > cb->min_lr) {
                float new_lr = old_lr * cb->factor;
                if (new_lr < cb->min_lr) new_lr = cb->min_lr;
                m->opt->lr = new_lr;
                if (m->verbose) nni_log(m, "\nEpoch %d: ReduceLROnPlateau reducing learning rate to %g.\n", epoch + 1, (double)new_lr);
                cb->cooldown_counter = cb->cooldown;
                cb->wait = 0;
            }
        }
    }
    return 0;
}

static const nni_cb_ops rlr_ops = {
    "ReduceLROnPlateau", rlr_train_begin, NULL, rlr_epoch_end, NULL, NULL, NULL, NULL, NULL, 0,
};

nn_callback *nn_reduce_lr_on_plateau(const char *monitor, float factor, int patience, float min_lr)
{
    nn_callback *cb;
    if (!monitor) monitor = "val_loss";
    if (strlen(monitor) >= sizeof cb->monitor) return (nn_callback *)nni_set_last_error("nn_reduce_lr_on_plateau: monitor name too long");
    if (!(factor >= 0.0f && factor < 1.0f)) return (nn_callback *)nni_set_last_error("nn_reduce_lr_on_plateau: factor must be in [0, 1) (Keras: >= 1.0 is an error), got %g", (double)factor);
    if (patience < 0 || !(min_lr >= 0.0f) || !isfinite(min_lr)) return (nn_callback *)nni_set_last_error("nn_reduce_lr_on_plateau: patience and min_lr must be >= 0");
    cb = nni_callback_new(&rlr_ops);
    if (!cb) return NULL;
    strcpy(cb->monitor, monitor);
    cb->factor = factor;
    cb->patience = patience;
    cb->min_lr = min_lr;
    cb->min_delta = 1e-4f;
    cb->mode_max = nni_auto_mode_max(monitor);
    return cb;
}

nn_status nn_callback_set_cooldown(nn_callback *cb, int cooldown)
{
    if (!cb || cb->ops != &rlr_ops || cooldown < 0) return NN_ERR_INVALID_ARG;
    cb->cooldown = cooldown;
    return NN_OK;
}

static nn_status sched_train_begin(nn_callback *cb, nn_model *m)
{
    (void)cb;
    if (m->opt->schedule)
        return nni_fail(m, NN_ERR_STATE, "LearningRateScheduler cannot change an optimizer driven by a learning-rate schedule");
    return NN_OK;
}

static int sched_epoch_begin(nn_callback *cb, nn_model *m, int epoch)
{
    float lr = cb->sched_fn(epoch, m->opt->lr, cb->user);
    if (!isfinite(lr) || lr < 0.0f) {
        m->cb_status = nni_fail(m, NN_ERR_INVALID_ARG, "LearningRateScheduler: the schedule returned %g for epoch %d", (double)lr, epoch);
        return 1;
    }
    m->opt->lr = lr;
    if (m->verbose) nni_log(m, "\nEpoch %d: LearningRateScheduler setting learning rate to %g.\n", epoch + 1, (double)lr);
    return 0;
}

static const nni_cb_ops sched_ops = {
    "LearningRateScheduler", sched_train_begin, sched_epoch_begin, NULL, NULL, NULL, NULL, NULL, NULL, 0,
};

nn_callback *nn_lr_scheduler(float (*fn)(int epoch, float lr, void *user), void *user)
{
    nn_callback *cb;
    if (!fn) return (nn_callback *)nni_set_last_error("nn_lr_scheduler: fn must not be NULL");
    cb = nni_callback_new(&sched_ops);
    if (!cb) return NULL;
    cb->sched_fn = fn;
    cb->user = user;
    return cb;
}
