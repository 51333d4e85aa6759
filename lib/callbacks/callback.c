/* Callback ownership and the custom (function pointer) callback. */
#include "callbacks/callback.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/model.h"
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
    if (cb) nni_free(&cb->alloc, cb);
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

static const nni_cb_ops custom_ops = {
    "CustomCallback", NULL, custom_epoch_begin, custom_epoch_end, custom_batch_end, NULL, NULL,
};

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
