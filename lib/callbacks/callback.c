/* Callback ownership and the custom (function pointer) callback. */
#include "callbacks/callback.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/model.h"
#include <math.h>
#include <string.h>

nn_callback *nni_callback_new(const nni_cb_ops *ops)
{
    nn_allocator a = nni_default_allocator();
    nn_callback *cb = (nn_callback *)nni_alloc(&a, sizeof *cb);
    if (!cb) return (nn_callback *)nni_set_last_error("out of memory creating %s", ops->name);
    cb->ops = ops;
    cb->alloc = a;
    return cb;
}

void nn_callback_free(nn_callback *cb)
{
    if (cb) {
        nni_free(&cb->alloc, cb->path);
        nni_free(&cb->alloc, cb);
    }
}

char *nni_callback_set_path(nn_callback *cb, const char *path)
{
    size_t n = strlen(path) + 1;
    cb->path = (char *)nni_alloc(&cb->alloc, n);
    if (cb->path) memcpy(cb->path, path, n);
    return cb->path;
}

int nni_auto_mode_max(const char *monitor)
{
    return strstr(monitor, "acc") != NULL || strstr(monitor, "auc") != NULL || strncmp(monitor, "fmeasure", 8) == 0;
}

nn_status nn_model_add_callback(nn_model *m, nn_callback *cb)
{
    if (!m) {
        nn_callback_free(cb);
        nni_set_last_error("nn_model_add_callback: model is NULL");
        return NN_ERR_INVALID_ARG;
    }
    if (!cb) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_add_callback: callback is NULL (did its constructor fail? %s)", nn_last_error());
    if (m->n_cbs == m->cap_cbs) {
        size_t cap = m->cap_cbs ? m->cap_cbs * 2 : 4;
        nn_callback **n = (nn_callback **)nni_alloc_array(&m->alloc, cap, sizeof *n);
        if (!n) {
            nn_callback_free(cb);
            return nni_fail(m, NN_ERR_NOMEM, "nn_model_add_callback: out of memory");
        }
        if (m->n_cbs) memcpy(n, m->cbs, m->n_cbs * sizeof *n);
        nni_free(&m->alloc, m->cbs);
        m->cbs = n;
        m->cap_cbs = cap;
    }
    m->cbs[m->n_cbs++] = cb;
    return NN_OK;
}

static int custom_epoch_begin(nn_callback *cb, nn_model *m, int epoch)
{
    return cb->on_epoch_begin ? cb->on_epoch_begin(m, epoch, cb->user) : 0;
}

static int custom_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    return cb->on_epoch_end ? cb->on_epoch_end(m, epoch, cb->user) : 0;
}

static int custom_batch_end(nn_callback *cb, nn_model *m, int batch, float loss)
{
    return cb->on_batch_end ? cb->on_batch_end(m, batch, loss, cb->user) : 0;
}

static nn_status custom_train_begin(nn_callback *cb, nn_model *m)
{
    if (cb->on_train_begin && cb->on_train_begin(m, cb->user)) m->stop_requested = 1;
    return NN_OK;
}

static void custom_train_end(nn_callback *cb, nn_model *m)
{
    if (cb->on_train_end) (void)cb->on_train_end(m, cb->user);
}

static int custom_batch_begin(nn_callback *cb, nn_model *m, int batch)
{
    return cb->on_batch_begin ? cb->on_batch_begin(m, batch, NAN, cb->user) : 0;
}

static const nni_cb_ops custom_ops = {
    "CustomCallback", custom_train_begin, custom_epoch_begin, custom_epoch_end, custom_batch_end,
    custom_train_end, NULL, custom_batch_begin, NULL, 0,
};

nn_status nn_callback_set_train_hooks(nn_callback *cb, nn_train_fn on_train_begin, nn_train_fn on_train_end)
{
    if (!cb || cb->ops != &custom_ops) return NN_ERR_INVALID_ARG;
    cb->on_train_begin = on_train_begin;
    cb->on_train_end = on_train_end;
    return NN_OK;
}

nn_status nn_callback_set_batch_begin(nn_callback *cb, nn_batch_fn on_batch_begin)
{
    if (!cb || cb->ops != &custom_ops) return NN_ERR_INVALID_ARG;
    cb->on_batch_begin = on_batch_begin;
    return NN_OK;
}

nn_status nn_callback_set_mode(nn_callback *cb, const char *mode)
{
    if (!cb || !mode || !cb->monitor[0]) return NN_ERR_INVALID_ARG;
    if (strcmp(mode, "min") == 0) cb->mode_max = 0;
    else if (strcmp(mode, "max") == 0) cb->mode_max = 1;
    else if (strcmp(mode, "auto") == 0) cb->mode_max = nni_auto_mode_max(cb->monitor);
    else return NN_ERR_INVALID_ARG;
    cb->mode_set = strcmp(mode, "auto") != 0;
    return NN_OK;
}

nn_status nn_callback_set_min_delta(nn_callback *cb, float min_delta)
{
    if (!cb || !cb->monitor[0] || !isfinite(min_delta)) return NN_ERR_INVALID_ARG;
    cb->min_delta = fabsf(min_delta);
    return NN_OK;
}

nn_callback *nn_callback_custom(nn_epoch_fn on_epoch_begin, nn_epoch_fn on_epoch_end,
                                nn_batch_fn on_batch_end, void *user)
{
    nn_callback *cb = nni_callback_new(&custom_ops);
    if (!cb) return NULL;
    cb->on_epoch_begin = on_epoch_begin;
    cb->on_epoch_end = on_epoch_end;
    cb->on_batch_end = on_batch_end;
    cb->user = user;
    return cb;
}
