/* Scalers attached to a model: inputs and targets are transformed into copies
   allocated at the start of fit / evaluate (never inside the training loop);
   predict transforms chunk by chunk through the workspace. */
#include "io/prep.h"
#include "io/scaler.h"
#include "core/alloc.h"
#include "core/error.h"
#include <string.h>

static nn_status attach(nn_model *m, nn_scaler *s, int target)
{
    nn_scaler **slot;
    if (!m) {
        nn_scaler_free(s);
        nni_set_last_error("nn_model_set_%s_scaler: model is NULL", target ? "target" : "input");
        return NN_ERR_INVALID_ARG;
    }
    if (s && !target && s->fitted && s->dim != m->in_dim) {
        size_t d = s->dim;
        nn_scaler_free(s);
        return nni_fail(m, NN_ERR_SHAPE, "nn_model_set_input_scaler: the scaler was fitted on %zu columns, the model takes %zu", d, m->in_dim);
    }
    if (s && target && s->fitted && m->n_layers && s->dim != nni_output_dim(m)) {
        size_t d = s->dim;
        nn_scaler_free(s);
        return nni_fail(m, NN_ERR_SHAPE, "nn_model_set_target_scaler: the scaler was fitted on %zu columns, the model outputs %zu", d, nni_output_dim(m));
    }
    slot = target ? &m->out_scaler : &m->in_scaler;
    nn_scaler_free(*slot);
    *slot = s;
    nni_clear_error(m);
    return NN_OK;
}

nn_status nn_model_set_input_scaler(nn_model *m, nn_scaler *s) { return attach(m, s, 0); }
nn_status nn_model_set_target_scaler(nn_model *m, nn_scaler *s) { return attach(m, s, 1); }
nn_scaler *nn_model_input_scaler(nn_model *m) { return m ? m->in_scaler : NULL; }
nn_scaler *nn_model_target_scaler(nn_model *m) { return m ? m->out_scaler : NULL; }

void nni_prep_end(nn_model *m, nni_prep *p)
{
    nni_free(&m->alloc, p->x);
    nni_free(&m->alloc, p->y);
    nni_free(&m->alloc, p->vx);
    nni_free(&m->alloc, p->vy);
    memset(p, 0, sizeof *p);
}

static nn_status check_target_scaler(nn_model *m)
{
    if (m->out_scaler && m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
        return nni_fail(m, NN_ERR_STATE, "a target scaler cannot be used with sparse categorical crossentropy (class indices)");
    if (m->out_scaler && m->out_scaler->fitted && m->out_scaler->dim != nni_target_dim(m))
        return nni_fail(m, NN_ERR_SHAPE, "the target scaler was fitted on %zu columns, the model outputs %zu", m->out_scaler->dim, nni_target_dim(m));
    if (m->in_scaler && m->in_scaler->fitted && m->in_scaler->dim != m->in_dim)
        return nni_fail(m, NN_ERR_SHAPE, "the input scaler was fitted on %zu columns, the model takes %zu", m->in_scaler->dim, m->in_dim);
    return NN_OK;
}

static float *copy_scaled(nn_model *m, const nn_scaler *s, const float *src, size_t n, size_t cols, int *fail)
{
    float *d = (float *)nni_alloc_array(&m->alloc, n, cols * sizeof(float));
    if (!d) {
        *fail = 1;
        return NULL;
    }
    memcpy(d, src, n * cols * sizeof(float));
    nni_scaler_apply(s, src, d, n);
    return d;
}

nn_status nni_prep_fit_begin(nn_model *m, const float **x, const float **y, size_t n, size_t n_train,
                             const float **vx, const float **vy, size_t nv, nni_prep *p)
{
    size_t in = m->in_dim, td = nni_target_dim(m);
    int fail = 0, split;
    nn_status s;
    memset(p, 0, sizeof p[0]);
    if (!m->in_scaler && !m->out_scaler) return NN_OK;
    if ((s = check_target_scaler(m)) != NN_OK) return s;
    /* fitted on the training rows only, as scikit-learn pipelines do */
    if (m->in_scaler && !m->in_scaler->fitted && (s = nn_scaler_fit(m->in_scaler, *x, n_train, in)) != NN_OK)
        return nni_fail(m, s, "fitting the input scaler: %s", nn_last_error());
    if (m->out_scaler && !m->out_scaler->fitted && (s = nn_scaler_fit(m->out_scaler, *y, n_train, td)) != NN_OK)
        return nni_fail(m, s, "fitting the target scaler: %s", nn_last_error());
    split = nv && *vx == *x + n_train * in;
    if (m->in_scaler) p->x = copy_scaled(m, m->in_scaler, *x, n, in, &fail);
    if (m->out_scaler && !fail) p->y = copy_scaled(m, m->out_scaler, *y, n, td, &fail);
    if (nv && !split && !fail) {
        if (m->in_scaler) p->vx = copy_scaled(m, m->in_scaler, *vx, nv, in, &fail);
        if (m->out_scaler && !fail) p->vy = copy_scaled(m, m->out_scaler, *vy, nv, td, &fail);
    }
    if (fail) {
        nni_prep_end(m, p);
        return nni_fail(m, NN_ERR_NOMEM, "nn_model_fit: out of memory for the scaled copy of the data (%zu rows)", n);
    }
    if (p->x) *x = p->x;
    if (p->y) *y = p->y;
    if (split) {
        *vx = *x + n_train * in;
        *vy = *y + n_train * td;
    } else {
        if (p->vx) *vx = p->vx;
        if (p->vy) *vy = p->vy;
    }
    return NN_OK;
}

nn_status nni_prep_eval_begin(nn_model *m, const float **x, const float **y, size_t n, nni_prep *p)
{
    int fail = 0;
    nn_status s;
    memset(p, 0, sizeof p[0]);
    if (!m->in_scaler && !m->out_scaler) return NN_OK;
    if ((s = check_target_scaler(m)) != NN_OK) return s;
    if ((m->in_scaler && !m->in_scaler->fitted) || (m->out_scaler && !m->out_scaler->fitted))
        return nni_fail(m, NN_ERR_STATE, "an attached scaler is not fitted yet (fit the model or the scaler first)");
    if (m->in_scaler) p->x = copy_scaled(m, m->in_scaler, *x, n, m->in_dim, &fail);
    if (m->out_scaler && !fail) p->y = copy_scaled(m, m->out_scaler, *y, n, nni_target_dim(m), &fail);
    if (fail) {
        nni_prep_end(m, p);
        return nni_fail(m, NN_ERR_NOMEM, "out of memory for the scaled copy of %zu rows", n);
    }
    if (p->x) *x = p->x;
    if (p->y) *y = p->y;
    return NN_OK;
}
