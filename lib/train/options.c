/* Training options (setters with Keras defaults) and history queries. */
#include "train/train.h"
#include "core/alloc.h"
#include "core/error.h"
#include "optim/optimizer.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

nn_status nn_model_set_validation_split(nn_model *m, float fraction)
{
    if (!m) return NN_ERR_INVALID_ARG;
    if (!(fraction >= 0.0f && fraction < 1.0f))
        return nni_fail(m, NN_ERR_INVALID_ARG, "validation_split must be in [0, 1), got %g", (double)fraction);
    m->val_split = fraction;
    return NN_OK;
}

nn_status nn_model_set_validation_data(nn_model *m, const float *x, const float *y, size_t n)
{
    float *vx, *vy;
    size_t tdim;
    if (!m) return NN_ERR_INVALID_ARG;
    if (!x) {
        nni_free(&m->alloc, m->val_x);
        nni_free(&m->alloc, m->val_y);
        m->val_x = m->val_y = NULL;
        m->val_n = 0;
        return NN_OK;
    }
    if (!y || n == 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_set_validation_data: y must not be NULL and n must be > 0");
    /* the loss decides the target width (class indices for sparse CCE) */
    if (!m->compiled) return nni_fail(m, NN_ERR_STATE, "nn_model_set_validation_data: call nn_model_compile first (the target width depends on the loss)");
    {
        /* NaN may be a missing value for an attached input scaler to impute: fit checks the
           transformed rows; Inf never is */
        size_t i, total = n * m->in_dim;
        if (!m->in_scaler && nni_check_finite(m, "validation x", x, n, m->in_dim) != NN_OK) return NN_ERR_NONFINITE;
        for (i = 0; i < total; i++)
            if (isinf(x[i]))
                return nni_fail(m, NN_ERR_NONFINITE, "validation x[%zu][%zu] is Inf", i / m->in_dim, i % m->in_dim);
    }
    {
        nn_status s = nni_check_targets(m, "validation y", y, n);
        if (s != NN_OK) return s;
    }
    tdim = nni_target_dim(m);
    vx = (float *)nni_alloc_array(&m->alloc, n * m->in_dim, sizeof(float));
    vy = (float *)nni_alloc_array(&m->alloc, n * tdim, sizeof(float));
    if (!vx || !vy) {
        nni_free(&m->alloc, vx);
        nni_free(&m->alloc, vy);
        return nni_fail(m, NN_ERR_NOMEM, "out of memory copying %zu validation rows", n);
    }
    memcpy(vx, x, n * m->in_dim * sizeof(float));
    memcpy(vy, y, n * tdim * sizeof(float));
    nni_free(&m->alloc, m->val_x);
    nni_free(&m->alloc, m->val_y);
    m->val_x = vx;
    m->val_y = vy;
    m->val_n = n;
    m->val_tdim = tdim;
    return NN_OK;
}

nn_status nn_model_set_shuffle(nn_model *m, int shuffle)
{
    if (!m) return NN_ERR_INVALID_ARG;
    m->shuffle = shuffle != 0;
    return NN_OK;
}

nn_status nn_model_set_verbose(nn_model *m, int verbose)
{
    if (!m) return NN_ERR_INVALID_ARG;
    if (verbose < 0 || verbose > 2) return nni_fail(m, NN_ERR_INVALID_ARG, "verbose must be 0, 1 or 2, got %d", verbose);
    m->verbose = verbose;
    return NN_OK;
}

static nn_status add_metric(nn_model *m, nn_metric metric, int weighted)
{
    size_t i;
    if (!m) return NN_ERR_INVALID_ARG;
    if (nni_metric_key(metric) == NULL) return nni_fail(m, NN_ERR_INVALID_ARG, "unknown metric %d", (int)metric);
    for (i = 0; i < m->n_metrics; i++)
        if (m->metrics[i] == metric && m->metric_weighted[i] == weighted) return NN_OK;
    if (m->n_metrics == NNI_MAX_METRICS) return nni_fail(m, NN_ERR_INVALID_ARG, "at most %d metrics", NNI_MAX_METRICS);
    m->metric_weighted[m->n_metrics] = weighted;
    m->metrics[m->n_metrics++] = metric;
    return NN_OK;
}

nn_status nn_model_add_metric(nn_model *m, nn_metric metric) { return add_metric(m, metric, 0); }
nn_status nn_model_add_weighted_metric(nn_model *m, nn_metric metric) { return add_metric(m, metric, 1); }

void nni_metric_key_of(const nn_model *m, size_t i, char *buf, size_t cap)
{
    size_t j;
    int clash = 0;
    for (j = 0; m->metric_weighted[i] && j < m->n_metrics; j++)
        if (j != i && m->metrics[j] == m->metrics[i]) clash = 1;
    snprintf(buf, cap, "%s%s", clash ? "weighted_" : "", nni_metric_key(m->metrics[i]));
}

nn_status nn_model_set_class_weights(nn_model *m, const float *w, size_t n_classes)
{
    float *c;
    size_t i;
    if (!m) return NN_ERR_INVALID_ARG;
    if (!w) {
        nni_free(&m->alloc, m->class_w);
        m->class_w = NULL;
        m->n_class_w = 0;
        return NN_OK;
    }
    if (n_classes == 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_set_class_weights: n_classes must be > 0");
    for (i = 0; i < n_classes; i++)
        if (!isfinite(w[i]) || w[i] < 0.0f) return nni_fail(m, NN_ERR_INVALID_ARG, "class weight %zu = %g must be finite and >= 0", i, (double)w[i]);
    c = (float *)nni_alloc_array(&m->alloc, n_classes, sizeof(float));
    if (!c) return nni_fail(m, NN_ERR_NOMEM, "out of memory copying %zu class weights", n_classes);
    memcpy(c, w, n_classes * sizeof(float));
    nni_free(&m->alloc, m->class_w);
    m->class_w = c;
    m->n_class_w = n_classes;
    return NN_OK;
}

float nn_model_batch_loss(const nn_model *m) { return m ? m->batch_loss : NAN; }
float nn_model_running_loss(const nn_model *m) { return m ? m->running_loss : NAN; }
int nn_model_current_epoch(const nn_model *m) { return m ? m->cur_epoch : -1; }

float nn_model_learning_rate(const nn_model *m)
{
    return (m && m->opt) ? m->opt->lr : NAN;
}

nn_status nn_model_set_learning_rate(nn_model *m, float lr)
{
    if (!m) return NN_ERR_INVALID_ARG;
    if (!m->opt) return nni_fail(m, NN_ERR_STATE, "nn_model_set_learning_rate: compile the model first");
    if (!(lr >= 0.0f) || !isfinite(lr)) return nni_fail(m, NN_ERR_INVALID_ARG, "learning rate must be finite and >= 0, got %g", (double)lr);
    m->opt->lr = lr;
    return NN_OK;
}

nn_status nn_model_stop_training(nn_model *m)
{
    if (!m) return NN_ERR_INVALID_ARG;
    m->stop_requested = 1;
    return NN_OK;
}

size_t nn_model_history_len(const nn_model *m) { return m ? m->hist.len : 0; }
size_t nn_model_history_key_count(const nn_model *m) { return m ? m->hist.n_keys : 0; }

const char *nn_model_history_key(const nn_model *m, size_t i)
{
    return (m && i < m->hist.n_keys) ? m->hist.keys[i] : NULL;
}

float nn_model_history(const nn_model *m, const char *key, size_t epoch)
{
    size_t k;
    char alias[32];
    if (!m || !key || epoch >= m->hist.len) return NAN;
    /* "rmse" and "val_rmse" name Keras' root_mean_squared_error */
    if (strcmp(key, "rmse") == 0) key = "root_mean_squared_error";
    else if (strcmp(key, "weighted_rmse") == 0) key = "weighted_root_mean_squared_error";
    else if (strcmp(key, "val_rmse") == 0) {
        strcpy(alias, "val_root_mean_squared_error");
        key = alias;
    }
    for (k = 0; k < m->hist.n_keys; k++)
        if (strcmp(m->hist.keys[k], key) == 0) return m->hist.values[epoch * m->hist.n_keys + k];
    return NAN;
}
