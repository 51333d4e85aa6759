/* evaluate and predict: inference-mode passes in workspace-sized chunks, so
   they allocate nothing once the model is built. */
#include "train/train.h"
#include "train/loss.h"
#include "core/error.h"
#include "io/prep.h"
#include "io/scaler.h"
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

double nni_now(void)
{
#if defined(NN_NO_FILEIO) || defined(NN_NO_CLOCK)
    return 0.0; /* bare metal: no clock (timings read 0) */
#else
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
}

const float *nni_fused_logits(const nn_model *m)
{
    const nn_layer *last = m->layers[m->n_layers - 1];
    if (last->ops->fuses_activation && nni_loss_fuses(m->loss, last->act))
        return m->ws.scratch[m->n_layers - 1];
    return NULL;
}

void nni_eval_pass(nn_model *m, const float *x, const float *y, const float *sw, size_t n,
                   nni_metric_acc *acc, nni_metric_acc *uacc)
{
    size_t start, out = nni_output_dim(m), tdim = nni_target_dim(m);
    for (start = 0; start < n; start += m->ws.rows) {
        size_t rows = n - start < m->ws.rows ? n - start : m->ws.rows;
        nni_loss_args la;
        la.loss = m->loss;
        la.huber_delta = m->huber_delta;
        la.pred = nni_forward(m, x + start * m->in_dim, rows, 0);
        la.logits = nni_fused_logits(m);
        la.y = y + start * tdim;
        la.sw = sw ? sw + start : NULL;
        la.rows = rows;
        la.cols = out;
        la.grad = NULL;
        acc->loss += nni_loss_sum(&la);
        if (m->n_metrics) { /* per-row metric sums only when a metric is tracked */
            nni_metrics_add(acc, m->loss, la.pred, la.y, la.sw, rows, out);
            if (uacc) nni_metrics_add(uacc, m->loss, la.pred, la.y, NULL, rows, out);
        }
    }
}

nn_status nn_model_evaluate(nn_model *m, const float *x, const float *y, size_t n, float *loss)
{
    nni_metric_acc acc;
    nni_prep prep;
    nn_status s;
    size_t i;
    if (!m) return nni_fail(NULL, NN_ERR_INVALID_ARG, "nn_model_evaluate: model is NULL");
    if (!x || !y || !loss) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_evaluate: x, y and loss must not be NULL");
    if (n == 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_evaluate: n must be > 0");
    if (!m->compiled) return nni_fail(m, NN_ERR_STATE, "nn_model_evaluate: call nn_model_compile first (the loss is needed)");
    if ((s = nni_prep_eval_begin(m, &x, &y, n, &prep)) != NN_OK) return s;
    if ((s = nni_check_finite(m, "x", x, n, m->in_dim)) != NN_OK || (s = nni_check_targets(m, "y", y, n)) != NN_OK) {
        nni_prep_end(m, &prep);
        return s;
    }
    memset(&acc, 0, sizeof acc);
    nni_eval_pass(m, x, y, NULL, n, &acc, NULL);
    nni_prep_end(m, &prep);
    *loss = (float)(acc.loss / (double)n + nni_reg_penalty(m));
    m->n_eval = 0;
    strcpy(m->eval_keys[m->n_eval], "loss");
    m->eval_values[m->n_eval++] = *loss;
    for (i = 0; i < m->n_metrics; i++) {
        nni_metric_key_of(m, i, m->eval_keys[m->n_eval], sizeof m->eval_keys[0]);
        m->eval_values[m->n_eval++] = nni_metric_value(&acc, m->metrics[i]);
    }
    nni_clear_error(m);
    return NN_OK;
}

float nn_model_evaluated_metric(const nn_model *m, const char *key)
{
    size_t i;
    if (!m || !key) return NAN;
    if (strcmp(key, "rmse") == 0) key = "root_mean_squared_error";
    for (i = 0; i < m->n_eval; i++)
        if (strcmp(m->eval_keys[i], key) == 0) return m->eval_values[i];
    return NAN;
}

nn_status nn_model_predict(nn_model *m, const float *x, size_t n, float *out)
{
    size_t start, od;
    nn_status s;
    if (!m) return nni_fail(NULL, NN_ERR_INVALID_ARG, "nn_model_predict: model is NULL");
    if (!x || !out) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_predict: x and out must not be NULL");
    if (n == 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_predict: n must be > 0");
    if ((s = nni_model_build(m)) != NN_OK) return s;
    if ((m->in_scaler && !m->in_scaler->fitted) || (m->out_scaler && !m->out_scaler->fitted))
        return nni_fail(m, NN_ERR_STATE, "nn_model_predict: an attached scaler is not fitted yet");
    if (m->out_scaler && m->out_scaler->dim != nni_output_dim(m))
        return nni_fail(m, NN_ERR_SHAPE, "nn_model_predict: the target scaler has %zu columns, the model outputs %zu", m->out_scaler->dim, nni_output_dim(m));
    /* with an input scaler (e.g. an imputer) NaN may be legitimate raw input: check after scaling */
    if (!m->in_scaler && (s = nni_check_finite(m, "x", x, n, m->in_dim)) != NN_OK) return s;
    od = nni_output_dim(m);
    for (start = 0; start < n; start += m->ws.rows) {
        size_t rows = n - start < m->ws.rows ? n - start : m->ws.rows;
        const float *in = x + start * m->in_dim, *p;
        if (m->in_scaler) {
            /* raw inputs are scaled chunk by chunk in the workspace: no allocation */
            memcpy(m->ws.xb, in, rows * m->in_dim * sizeof(float));
            nni_scaler_apply(m->in_scaler, in, m->ws.xb, rows);
            if ((s = nni_check_finite(m, "scaled x", m->ws.xb, rows, m->in_dim)) != NN_OK) return s;
            in = m->ws.xb;
        }
        p = nni_forward(m, in, rows, 0);
        memcpy(out + start * od, p, rows * od * sizeof(float));
        if (m->out_scaler) nni_scaler_unapply(m->out_scaler, out + start * od, rows);
    }
    nni_clear_error(m);
    return NN_OK;
}

/* Non-zero when every float of x is finite: an exponent-bits test ORed over
   fixed blocks, branch-free so it vectorizes (NaN/Inf have all exponent bits set). */
static int all_finite(const float *x, size_t n)
{
    uint32_t bad = 0;
    size_t i = 0, k;
    for (; i + 16 <= n; i += 16) {
        uint32_t u[16], b16 = 0;
        memcpy(u, x + i, sizeof u);
        for (k = 0; k < 16; k++) b16 |= (~u[k] & 0x7f800000u) == 0u;
        bad |= b16;
    }
    for (; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        bad |= (~u & 0x7f800000u) == 0u;
    }
    return bad == 0;
}

/* The one-row path: no chunking and no copy of the result (the last layer
   writes straight into out); the same layer code, so the same bits as
   nn_model_predict. Errors and the first (building) call take the general path. */
nn_status nn_model_predict_one(nn_model *m, const float *x, float *out)
{
    uintptr_t xa, oa;
    if (!m || !x || !out || !m->built || !all_finite(x, m->in_dim)) return nn_model_predict(m, x, 1, out);
    /* out overlapping x (in place): the last layer would clobber its input */
    xa = (uintptr_t)x;
    oa = (uintptr_t)out;
    if (oa < xa + m->in_dim * sizeof(float) && xa < oa + nni_output_dim(m) * sizeof(float))
        return nn_model_predict(m, x, 1, out);
    nni_forward_to(m, x, 1, 0, out);
    if (m->err[0]) nni_clear_error(m);
    return NN_OK;
}
