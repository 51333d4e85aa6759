/* Detach and free every callback of a model (bindings use it so that callbacks passed to one
   fit call do not carry over to the next, as in Keras). */
#include "callbacks/callback.h"
#include "core/error.h"
#include "core/model.h"

nn_status nn_model_clear_callbacks(nn_model *m)
{
    size_t i;
    if (!m) {
        nni_set_last_error("nn_model_clear_callbacks: model is NULL");
        return NN_ERR_INVALID_ARG;
    }
    for (i = 0; i < m->n_cbs; i++) {
        if (m->cbs[i]->ops->destroy) m->cbs[i]->ops->destroy(m->cbs[i], m);
        nn_callback_free(m->cbs[i]);
    }
    m->n_cbs = 0;
    nni_clear_error(m);
    return NN_OK;
}

size_t nn_model_callback_count(const nn_model *m) { return m ? m->n_cbs : 0; }
