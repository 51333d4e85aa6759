/* nn_model_fit: Keras' training loop. Everything it needs is allocated before
   the first step; the loop itself allocates nothing. */
#include "train/train.h"
#include "train/loss.h"
#include "core/alloc.h"
#include "core/error.h"
#include "optim/optimizer.h"
#include "callbacks/callback.h"
#include "doctor/doctor.h"
#include "io/prep.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fit_state {
    const float *x, *y;
    const float *sw;    /* per-row weights of the training rows or NULL */
    size_t n_train;
    const float *vx, *vy, *vsw;
    size_t n_val;
    size_t bs, n_batches;
    size_t *perm;
    float *swb;         /* gathered batch weights */
    float *cw_rows;     /* class weights expanded per row (owned) */
    int epochs;
    nn_callback *doctor; /* the attached training doctor, or NULL */
} fit_state;

static void set_key(nni_history *h, const char *prefix, const char *name)
{
    snprintf(h->keys[h->n_keys++], sizeof h->keys[0], "%s%s", prefix, name);
}

/* Keys in Keras' order: loss, metrics, val_loss, val_metrics, learning_rate. */
static nn_status history_prepare(nn_model *m, nni_history *h, int epochs, int with_val)
{
    size_t i, per;
    memset(h, 0, sizeof *h);
    {
    set_key(h, "", "loss");
    char key[40];
    for (i = 0; i < m->n_metrics; i++) {
        nni_metric_key_of(m, i, key, sizeof key);
        set_key(h, "", key);
    }
    if (with_val) {
        set_key(h, "val_", "loss");
        for (i = 0; i < m->n_metrics; i++) {
            nni_metric_key_of(m, i, key, sizeof key);
            set_key(h, "val_", key);
        }
    }
    }
    set_key(h, "", "learning_rate");
    if (!nni_mul_ok(h->n_keys, (size_t)epochs, &per)) return NN_ERR_NOMEM;
    h->values = (float *)nni_alloc_array(&m->alloc, per, sizeof(float));
    if (!h->values) return NN_ERR_NOMEM;
    h->cap = (size_t)epochs;
    return NN_OK;
}

static void gather(const nn_model *m, const fit_state *fs, size_t start, size_t rows)
{
    size_t r, in = m->in_dim, td = nni_target_dim(m);
    for (r = 0; r < rows; r++) {
        size_t src = fs->perm[start + r];
        memcpy(m->ws.xb + r * in, fs->x + src * in, in * sizeof(float));
        memcpy(m->ws.yb + r * td, fs->y + src * td, td * sizeof(float));
        if (fs->swb) fs->swb[r] = fs->sw[src];
    }
}

static void backward(nn_model *m, size_t rows, int fused)
{
    size_t i;
    int k = 0;
    nni_bwd b;
    b.rows = rows;
    b.gemm = &m->gemm;
    b.dout = m->ws.loss_grad;
    b.model_in = m->ws.xb;
    for (i = m->n_layers; i-- > 0;) {
        nn_layer *l = m->layers[i];
        b.in = i > 0 ? m->ws.act[i - 1] : m->ws.xb;
        b.out = m->ws.act[i];
        b.scratch = m->ws.scratch[i];
        b.din = i > 0 ? m->ws.dbuf[k] : NULL;
        b.dout_is_preact = fused && i == m->n_layers - 1;
        l->ops->backward(l, &b);
        b.dout = b.din;
        k ^= 1;
    }
}

static void optimizer_step(nn_model *m)
{
    nn_optimizer *o = m->opt;
    nni_optimizer_clip(o, m->grads, m->tensor_off, m->n_tensors);
    o->iterations++;
    o->ops->update(o, m->params, m->grads, o->state, m->n_trainable, o->iterations);
    nni_apply_constraints(m);
}

/* Run one hook of every callback in the order they were added; non-zero asks to stop. */
#define RUN_HOOKS(hook, ...)                                                   \
    for (i = 0; i < m->n_cbs; i++)                                             \
        if (m->cbs[i]->ops->hook && m->cbs[i]->ops->hook(m->cbs[i], m, __VA_ARGS__)) m->stop_requested = 1

static int stops_on_nonfinite(const nn_model *m)
{
    size_t i;
    for (i = 0; i < m->n_cbs; i++)
        if (m->cbs[i]->ops->handles_nonfinite) return 1;
    return 0;
}

static float metric_of(const nn_model *m, size_t i, const nni_metric_acc *w, const nni_metric_acc *u)
{
    return nni_metric_value(m->metric_weighted[i] ? w : u, m->metrics[i]);
}

static void progress(nn_model *m, size_t done, size_t total, double t0, float loss)
{
    char bar[31];
    size_t i, fill = total ? done * 30 / total : 30;
    double el = nni_now() - t0, eta = done ? el / (double)done * (double)(total - done) : 0.0;
    for (i = 0; i < 30; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : '.');
    bar[30] = '\0';
    nni_log(m, "\r%zu/%zu [%s] - ETA: %.0fs - loss: %.4f", done, total, bar, eta, (double)loss);
}

static void epoch_line(nn_model *m, size_t epoch, size_t n_batches, double secs)
{
    char line[768];
    size_t k, pos = 0;
    const nni_history *h = &m->hist;
    if (m->verbose == 1)
        pos += (size_t)snprintf(line, sizeof line, "\r%zu/%zu [==============================] - %.0fs %.0fms/step",
                                n_batches, n_batches, secs, secs * 1000.0 / (double)n_batches);
    else
        pos += (size_t)snprintf(line, sizeof line, "%zu/%zu - %.0fs - %.0fms/step", n_batches, n_batches,
                                secs, secs * 1000.0 / (double)n_batches);
    for (k = 0; k < h->n_keys && pos < sizeof line; k++)
        pos += (size_t)snprintf(line + pos, sizeof line - pos, " - %s: %.4g", h->keys[k],
                                (double)h->values[epoch * h->n_keys + k]);
    nni_log(m, "%s\n", line);
}

static nn_status run_epochs(nn_model *m, fit_state *fs)
{
    size_t out = nni_output_dim(m), i;
    int epoch, fused, tnan = stops_on_nonfinite(m);
    nn_status result = NN_OK;
    nni_loss_args la;
    nn_optimizer *o = m->opt;
    {
        const nn_layer *last = m->layers[m->n_layers - 1];
        fused = last->ops->fuses_activation && nni_loss_fuses(m->loss, last->act);
    }
    for (epoch = 0; epoch < fs->epochs && !m->stop_requested; epoch++) {
        nni_metric_acc acc, uacc;
        size_t b, k, nk = m->hist.n_keys;
        float *row = m->hist.values + (size_t)epoch * nk;
        /* the clock is read only for verbose output (a read costs ~70 ns on some VMs) */
        double t0 = m->verbose ? nni_now() : 0.0, last_print = t0, loss_sum = 0.0, loss_rows = 0.0;
        int stop_batches = 0;
        memset(&acc, 0, sizeof acc);
        memset(&uacc, 0, sizeof uacc);
        m->cur_epoch = epoch;
        m->running_loss = NAN;
        if (o->schedule && nni_schedule_per_epoch(o->schedule)) o->lr = nn_schedule_value(o->schedule, epoch);
        if (m->verbose) nni_log(m, "Epoch %d/%d\n", epoch + 1, fs->epochs);
        RUN_HOOKS(epoch_begin, epoch);
        if (m->cb_status != NN_OK) return m->cb_status;
        /* A fresh order every epoch (as Keras' tf.data shuffle of a range), so the order
           depends only on the generator state and fit(5) + fit(5) == fit(10). */
        for (i = 0; i < fs->n_train; i++) fs->perm[i] = i;
        if (m->shuffle)
            for (i = fs->n_train; i > 1; i--) {
                size_t j = (size_t)nni_rng_below(&m->rng, i), t = fs->perm[i - 1];
                fs->perm[i - 1] = fs->perm[j];
                fs->perm[j] = t;
            }
        for (b = 0; b < fs->n_batches && !stop_batches; b++) {
            size_t start = b * fs->bs, rows = fs->n_train - start < fs->bs ? fs->n_train - start : fs->bs;
            double batch_loss;
            RUN_HOOKS(batch_begin, (int)b);
            gather(m, fs, start, rows);
            la.loss = m->loss;
            la.huber_delta = m->huber_delta;
            la.pred = nni_forward(m, m->ws.xb, rows, 1);
            if (fs->doctor) nni_doctor_after_forward(fs->doctor, m, rows);
            la.logits = fused ? m->ws.scratch[m->n_layers - 1] : NULL;
            la.y = m->ws.yb;
            la.sw = fs->swb;
            la.rows = rows;
            la.cols = out;
            la.grad = m->ws.loss_grad;
            batch_loss = nni_loss_sum(&la) / (double)rows + nni_reg_penalty(m);
            loss_sum += batch_loss * (double)rows;
            loss_rows += (double)rows;
            m->batch_loss = (float)batch_loss;
            m->running_loss = (float)(loss_sum / loss_rows);
            /* The loss is reported as float32 (history, callbacks): a sum that is finite
               in double but overflows float is an Inf loss too. */
            if (!isfinite(m->batch_loss)) {
                if (fs->doctor) nni_doctor_nonfinite(fs->doctor, m, epoch, (int)b, batch_loss);
                result = nni_fail(m, NN_ERR_NONFINITE, "loss became %s at epoch %d, batch %zu (try a lower learning rate or check the data scale)",
                                  isnan(m->batch_loss) ? "NaN" : "Inf", epoch + 1, b + 1);
                if (!tnan) return result;
                /* TerminateOnNaN: skip this update, finish the epoch's bookkeeping and stop */
                RUN_HOOKS(batch_end, (int)b, (float)batch_loss);
                m->stop_requested = 1;
                break;
            }
            if (m->n_metrics) { /* per-row metric sums only when a metric is tracked */
                nni_metrics_add(&acc, m->loss, la.pred, m->ws.yb, fs->swb, rows, out);
                if (fs->swb) nni_metrics_add(&uacc, m->loss, la.pred, m->ws.yb, NULL, rows, out);
            }
            backward(m, rows, fused);
            nni_reg_grad(m);
            if (fs->doctor) nni_doctor_after_backward(fs->doctor, m, (int)b, fs->n_batches);
            if (o->schedule && !nni_schedule_per_epoch(o->schedule)) o->lr = nn_schedule_value(o->schedule, o->iterations);
            optimizer_step(m);
            RUN_HOOKS(batch_end, (int)b, (float)batch_loss);
            if (m->cb_status != NN_OK) return m->cb_status;
            if (m->stop_requested) stop_batches = 1;
            if (m->verbose == 1 && nni_now() - last_print > 0.2) {
                last_print = nni_now();
                progress(m, b + 1, fs->n_batches, t0, m->running_loss);
            }
        }
        k = 0;
        row[k++] = (float)(loss_sum / loss_rows);
        for (i = 0; i < m->n_metrics; i++) row[k++] = metric_of(m, i, &acc, fs->swb ? &uacc : &acc);
        if (fs->n_val) {
            nni_metric_acc vacc, vuacc;
            memset(&vacc, 0, sizeof vacc);
            memset(&vuacc, 0, sizeof vuacc);
            nni_eval_pass(m, fs->vx, fs->vy, fs->vsw, fs->n_val, &vacc, fs->vsw ? &vuacc : NULL);
            row[k++] = (float)(vacc.loss / (double)fs->n_val + nni_reg_penalty(m));
            for (i = 0; i < m->n_metrics; i++) row[k++] = metric_of(m, i, &vacc, fs->vsw ? &vuacc : &vacc);
        }
        row[k++] = o->lr;
        m->hist.len = (size_t)epoch + 1;
        if (m->verbose) epoch_line(m, (size_t)epoch, fs->n_batches, nni_now() - t0);
        RUN_HOOKS(epoch_end, epoch);
        if (m->cb_status != NN_OK) return m->cb_status;
    }
    return result;
}

/* Class of each training row for class_weight (Keras: index, argmax or round). */
static nn_status expand_class_weights(nn_model *m, fit_state *fs)
{
    size_t r, out = nni_output_dim(m), td = nni_target_dim(m);
    fs->cw_rows = (float *)nni_alloc_array(&m->alloc, fs->n_train, sizeof(float));
    if (!fs->cw_rows) return nni_fail(m, NN_ERR_NOMEM, "nn_model_fit: out of memory for class weights");
    for (r = 0; r < fs->n_train; r++) {
        const float *y = fs->y + r * td;
        double c;
        if (td == 1) {
            c = floor((double)y[0] + 0.5);
        } else {
            size_t j, best = 0;
            for (j = 1; j < out; j++)
                if (y[j] > y[best]) best = j;
            c = (double)best;
        }
        if (c < 0.0 || c >= (double)m->n_class_w) {
            nni_free(&m->alloc, fs->cw_rows);
            fs->cw_rows = NULL;
            return nni_fail(m, NN_ERR_INVALID_ARG, "y[%zu] has class %g but class weights cover %zu classes", r, c, m->n_class_w);
        }
        fs->cw_rows[r] = m->class_w[(size_t)c];
    }
    fs->sw = fs->cw_rows;
    return NN_OK;
}

/* The shortest decimal that rounds to f, as Python's repr of a float32. */
static double split_as_decimal(float f)
{
    char buf[32];
    int p;
    for (p = 1; p <= 9; p++) {
        double d;
        snprintf(buf, sizeof buf, "%.*g", p, (double)f);
        d = strtod(buf, NULL);
        if ((float)d == f) return d;
    }
    return (double)f;
}

static void abort_callbacks(nn_model *m, size_t upto)
{
    size_t i;
    for (i = 0; i < upto; i++)
        if (m->cbs[i]->ops->train_abort) m->cbs[i]->ops->train_abort(m->cbs[i], m);
}

static nn_status fit_impl(nn_model *m, const float *x, const float *y, const float *sw, size_t n, int epochs, int batch_size)
{
    fit_state fs;
    nni_history h;
    nni_prep prep;
    nn_status s;
    size_t i, in, tdim;
    if (!m) return nni_fail(NULL, NN_ERR_INVALID_ARG, "nn_model_fit: model is NULL");
    if (!x || !y) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_fit: x and y must not be NULL");
    if (n == 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_fit: n must be > 0");
    if (epochs <= 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_fit: epochs must be > 0, got %d", epochs);
    if (batch_size <= 0) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_fit: batch_size must be > 0, got %d", batch_size);
    if (!m->compiled) return nni_fail(m, NN_ERR_STATE, "nn_model_fit: call nn_model_compile before nn_model_fit");
    in = m->in_dim;
    tdim = nni_target_dim(m);
    memset(&fs, 0, sizeof fs);
    fs.x = x;
    fs.y = y;
    fs.epochs = epochs;
    fs.n_train = n;
    fs.sw = sw;
    if (sw && m->class_w)
        return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_fit_weighted: class weights and sample weights cannot be combined (Keras rejects both)");
    if (m->val_x) {
        if (m->val_tdim != tdim)
            return nni_fail(m, NN_ERR_SHAPE, "nn_model_fit: validation targets have %zu values per row but the compiled loss needs %zu; set the validation data again",
                            m->val_tdim, tdim);
        fs.vx = m->val_x;
        fs.vy = m->val_y;
        fs.n_val = m->val_n;
    } else if (m->val_split > 0.0f) {
        /* Keras: the last fraction of the rows, before any shuffling, split at
           floor(n * (1 - fraction)) computed on the decimal the caller wrote
           (0.2f is 0.2000000030, which would move one more row to validation) */
        fs.n_train = (size_t)floor((double)n * (1.0 - split_as_decimal(m->val_split)));
        fs.n_val = n - fs.n_train;
        fs.vx = x + fs.n_train * in;
        fs.vy = y + fs.n_train * tdim;
        fs.vsw = sw ? sw + fs.n_train : NULL;
        if (fs.n_train == 0 || fs.n_val == 0)
            return nni_fail(m, NN_ERR_INVALID_ARG, "validation_split %g of %zu rows leaves %zu training and %zu validation rows",
                            (double)m->val_split, n, fs.n_train, fs.n_val);
    }
    for (i = 0; sw && i < n; i++)
        if (!isfinite(sw[i]) || sw[i] < 0.0f)
            return nni_fail(m, NN_ERR_INVALID_ARG, "sample_weight[%zu] = %g must be finite and >= 0", i, (double)sw[i]);
    /* attached scalers: transformed copies made here, before the loop */
    if ((s = nni_prep_fit_begin(m, &fs.x, &fs.y, n, fs.n_train, &fs.vx, &fs.vy, fs.n_val, &prep)) != NN_OK) return s;
    if ((s = nni_check_finite(m, "x", fs.x, n, in)) != NN_OK) goto done;
    if ((s = nni_check_targets(m, "y", fs.y, n)) != NN_OK) goto done;
    /* validation data set apart may hold NaN that only an imputing input scaler removes */
    if (m->val_x && (s = nni_check_finite(m, "validation x", fs.vx, fs.n_val, in)) != NN_OK) goto done;
    fs.bs = (size_t)batch_size < fs.n_train ? (size_t)batch_size : fs.n_train;
    fs.n_batches = (fs.n_train + fs.bs - 1) / fs.bs;
    if ((s = nni_workspace_reserve(m, fs.bs)) != NN_OK) goto done;
    if (m->class_w && (s = expand_class_weights(m, &fs)) != NN_OK) goto done;
    fs.perm = (size_t *)nni_alloc_array(&m->alloc, fs.n_train, sizeof(size_t));
    fs.swb = fs.sw ? (float *)nni_alloc_array(&m->alloc, fs.bs, sizeof(float)) : NULL;
    if (!fs.perm || (fs.sw && !fs.swb)) {
        s = nni_fail(m, NN_ERR_NOMEM, "nn_model_fit: out of memory for the shuffle order of %zu rows", fs.n_train);
        goto done;
    }
    fs.doctor = nni_doctor_of(m);
    m->fit.x = fs.x; /* what the network sees: after attached scalers */
    m->fit.y = fs.y;
    m->fit.n = fs.n_train;
    m->fit.vx = fs.vx;
    m->fit.vy = fs.vy;
    m->fit.vn = fs.n_val;
    m->fit.batch = fs.bs;
    m->fit.epochs = epochs;
    if (history_prepare(m, &h, epochs, fs.n_val > 0) != NN_OK) {
        s = nni_fail(m, NN_ERR_NOMEM, "nn_model_fit: out of memory for the history of %d epochs", epochs);
        goto done;
    }
    m->stop_requested = 0;
    m->cb_status = NN_OK;
    for (i = 0; i < m->n_cbs; i++) {
        if (m->cbs[i]->ops->train_begin && (s = m->cbs[i]->ops->train_begin(m->cbs[i], m)) != NN_OK) {
            char why[sizeof m->err];
            snprintf(why, sizeof why, "%s", m->err);
            abort_callbacks(m, i);
            nni_free(&m->alloc, h.values);
            s = nni_fail(m, s, "nn_model_fit: %s callback could not start: %s", m->cbs[i]->ops->name, why[0] ? why : nn_status_string(s));
            m->stop_requested = 0;
            goto done;
        }
    }
    nni_free(&m->alloc, m->hist.values);
    m->hist = h;
    nni_clear_error(m);
    m->batch_loss = m->running_loss = NAN;
    s = run_epochs(m, &fs);
    if (s == NN_OK || (s == NN_ERR_NONFINITE && m->cb_status == NN_OK && stops_on_nonfinite(m))) {
        char why[sizeof m->err];
        snprintf(why, sizeof why, "%s", m->err);
        for (i = 0; i < m->n_cbs; i++)
            if (m->cbs[i]->ops->train_end) m->cbs[i]->ops->train_end(m->cbs[i], m);
        if (s != NN_OK) nni_fail(m, s, "%s", why); /* keep the reason after train end hooks */
    } else {
        abort_callbacks(m, m->n_cbs);
    }
    m->stop_requested = 0;
    m->cur_epoch = -1;
    m->batch_loss = m->running_loss = NAN;
done:
    memset(&m->fit, 0, sizeof m->fit);
    nni_free(&m->alloc, fs.perm);
    nni_free(&m->alloc, fs.swb);
    nni_free(&m->alloc, fs.cw_rows);
    nni_prep_end(m, &prep);
    return s;
}

nn_status nn_model_fit(nn_model *m, const float *x, const float *y, size_t n, int epochs, int batch_size)
{
    return fit_impl(m, x, y, NULL, n, epochs, batch_size);
}

nn_status nn_model_fit_weighted(nn_model *m, const float *x, const float *y, const float *sample_weight,
                                size_t n, int epochs, int batch_size)
{
    return fit_impl(m, x, y, sample_weight, n, epochs, batch_size);
}
