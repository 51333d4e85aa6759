/* Model lifetime, layer list, compile, the flat parameter store and queries. */
#include "core/model.h"
#include "core/alloc.h"
#include "core/error.h"
#include "optim/optimizer.h"
#include "callbacks/callback.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NNI_DEFAULT_ROWS 32

const char *nn_version(void) { return "0.1.0"; }

static uint64_t entropy_seed(const void *p)
{
    /* Without nn_model_set_seed every model differs, as in Keras. */
    uint64_t s = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
    s ^= (uint64_t)(uintptr_t)p;
    s ^= (uint64_t)clock() << 32;
    return s;
}

nn_model *nn_model_create_with_allocator(size_t input_dim, const nn_allocator *a)
{
    nn_allocator al;
    nn_model *m;
    if (input_dim == 0) return nni_set_last_error("nn_model_create: input_dim must be > 0");
    if (a && (a->alloc == NULL || a->free == NULL))
        return nni_set_last_error("nn_model_create_with_allocator: allocator lacks alloc or free");
    al = a ? *a : nni_default_allocator();
    m = (nn_model *)nni_alloc(&al, sizeof *m);
    if (!m) return nni_set_last_error("nn_model_create: out of memory (%zu bytes)", sizeof *m);
    m->alloc = al;
    m->in_dim = input_dim;
    m->loss = NN_LOSS_MSE;
    m->huber_delta = 1.0f;
    m->shuffle = 1;
    m->cur_epoch = -1;
    m->batch_loss = m->running_loss = NAN;
    m->seed = entropy_seed(m);
    nni_rng_seed(&m->rng, m->seed);
    nni_gemm_init(&m->gemm);
    return m;
}

nn_model *nn_model_create(size_t input_dim)
{
    return nn_model_create_with_allocator(input_dim, NULL);
}

static void free_workspace(nn_model *m)
{
    nni_workspace *w = &m->ws;
    size_t i;
    /* either array may be missing after a failed reserve */
    for (i = 0; i < m->n_layers; i++) {
        if (w->act) nni_free(&m->alloc, w->act[i]);
        if (w->scratch) nni_free(&m->alloc, w->scratch[i]);
    }
    nni_free(&m->alloc, w->act);
    nni_free(&m->alloc, w->scratch);
    nni_free(&m->alloc, w->dbuf[0]);
    nni_free(&m->alloc, w->dbuf[1]);
    nni_free(&m->alloc, w->xb);
    nni_free(&m->alloc, w->yb);
    nni_free(&m->alloc, w->loss_grad);
    memset(w, 0, sizeof *w);
}

void nn_layer_free(nn_layer *l)
{
    if (l) nni_free(&l->alloc, l);
}

void nn_model_free(nn_model *m)
{
    size_t i;
    nn_allocator a;
    if (!m) return;
    a = m->alloc;
    free_workspace(m);
    nni_gemm_release(&m->gemm, &m->alloc);
    for (i = 0; i < m->n_layers; i++) nn_layer_free(m->layers[i]);
    for (i = 0; i < m->n_cbs; i++) {
        if (m->cbs[i]->ops->destroy) m->cbs[i]->ops->destroy(m->cbs[i], m);
        nn_callback_free(m->cbs[i]);
    }
    if (m->opt) nni_free(&a, m->opt->state);
    nn_optimizer_free(m->opt);
    nni_free(&a, m->layers);
    nni_free(&a, m->cbs);
    nni_free(&a, m->params);
    nni_free(&a, m->grads);
    nni_free(&a, m->tensor_off);
    nni_free(&a, m->val_x);
    nni_free(&a, m->val_y);
    nni_free(&a, m->class_w);
    nni_free(&a, m->hist.values);
    nni_free(&a, m->findings);
    nni_free(&a, m->feat_names);
    nni_free(&a, m->out_names);
    nn_scaler_free(m->in_scaler);
    nn_scaler_free(m->out_scaler);
    nni_free(&a, m);
}

size_t nni_output_dim(const nn_model *m)
{
    return m->n_layers ? m->layers[m->n_layers - 1]->out_dim : m->in_dim;
}

size_t nni_target_dim(const nn_model *m)
{
    return m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : nni_output_dim(m);
}

nn_status nn_model_add(nn_model *m, nn_layer *l)
{
    nn_status s;
    if (!m) {
        nn_layer_free(l);
        nni_set_last_error("nn_model_add: model is NULL");
        return NN_ERR_INVALID_ARG;
    }
    if (!l) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_add: layer is NULL (did its constructor fail? %s)", nn_last_error());
    if (m->built) {
        nn_layer_free(l);
        return nni_fail(m, NN_ERR_STATE, "nn_model_add: the model is already built (compiled); add layers before nn_model_compile");
    }
    if (m->n_layers == m->cap_layers) {
        size_t cap = m->cap_layers ? m->cap_layers * 2 : 8;
        nn_layer **nl = (nn_layer **)nni_alloc_array(&m->alloc, cap, sizeof *nl);
        if (!nl) {
            nn_layer_free(l);
            return nni_fail(m, NN_ERR_NOMEM, "nn_model_add: out of memory growing the layer list");
        }
        if (m->n_layers) memcpy(nl, m->layers, m->n_layers * sizeof *nl);
        nni_free(&m->alloc, m->layers);
        m->layers = nl;
        m->cap_layers = cap;
    }
    s = l->ops->build(l, nni_output_dim(m));
    if (s != NN_OK) {
        nn_layer_free(l);
        return nni_fail(m, s, "nn_model_add: %s", nn_last_error());
    }
    m->layers[m->n_layers++] = l;
    nni_clear_error(m);
    return NN_OK;
}

/* Undo nni_model_build after a later allocation failed, so the model is
   unchanged: no store, and the generator as it was (a retry draws the same
   initial weights). */
static void unbuild(nn_model *m, const nni_rng *rng_before)
{
    size_t i, j;
    free_workspace(m);
    nni_free(&m->alloc, m->params);
    nni_free(&m->alloc, m->grads);
    nni_free(&m->alloc, m->tensor_off);
    m->params = m->grads = NULL;
    m->tensor_off = NULL;
    m->n_params = m->n_trainable = m->n_tensors = 0;
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++)
            m->layers[i]->param[j] = m->layers[i]->grad[j] = NULL;
    m->rng = *rng_before;
    m->built = 0;
}

nn_status nni_model_build(nn_model *m)
{
    size_t i, j, total = 0, trainable = 0, n_tensors = 0, off_t, off_n, ti = 0;
    float *params, *grads;
    size_t *toff;
    nni_rng rng_before = m->rng;
    if (m->built) return NN_OK;
    if (m->n_layers == 0) return nni_fail(m, NN_ERR_STATE, "the model has no layers; add one with nn_model_add");
    {
        /* The linear shortcut is a third tensor of the output Dense layer: its
           input x enters the output pre-activation beside the deep path. */
        nn_layer *last = m->layers[m->n_layers - 1];
        size_t want = m->linear_shortcut ? m->in_dim : 0;
        if (want && strcmp(last->ops->name, "Dense") != 0)
            return nni_fail(m, NN_ERR_STATE, "linear shortcut: the output layer must be Dense, not %s", last->ops->name);
        if (last->skip_dim != want) {
            nn_status s;
            last->skip_dim = want;
            if ((s = last->ops->build(last, last->in_dim)) != NN_OK) return nni_fail(m, s, "linear shortcut: %s", nn_last_error());
        }
    }
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        for (j = 0; j < l->n_params; j++) {
            total += l->spec[j].size;
            if (l->spec[j].trainable) {
                trainable += l->spec[j].size;
                n_tensors++;
            }
        }
    }
    params = (float *)nni_alloc_array(&m->alloc, total, sizeof(float));
    grads = (float *)nni_alloc_array(&m->alloc, trainable, sizeof(float));
    toff = (size_t *)nni_alloc_array(&m->alloc, n_tensors + 1, sizeof(size_t));
    if (!params || !grads || !toff) {
        nni_free(&m->alloc, params);
        nni_free(&m->alloc, grads);
        nni_free(&m->alloc, toff);
        return nni_fail(m, NN_ERR_NOMEM, "out of memory allocating %zu weights", total);
    }
    off_t = 0;
    off_n = trainable;
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        for (j = 0; j < l->n_params; j++) {
            if (l->spec[j].trainable) {
                l->param[j] = params + off_t;
                l->grad[j] = grads + off_t;
                toff[ti++] = off_t;
                off_t += l->spec[j].size;
            } else {
                l->param[j] = params + off_n;
                l->grad[j] = NULL;
                off_n += l->spec[j].size;
            }
            nni_init_param(&l->spec[j], l->param[j], &m->rng);
        }
    }
    toff[n_tensors] = trainable;
    m->params = params;
    m->grads = grads;
    m->tensor_off = toff;
    m->n_tensors = n_tensors;
    m->n_params = total;
    m->n_trainable = trainable;
    m->built = 1;
    if (nni_workspace_reserve(m, NNI_DEFAULT_ROWS) != NN_OK) {
        unbuild(m, &rng_before);
        return NN_ERR_NOMEM;
    }
    return NN_OK;
}

static size_t max_width(const nn_model *m)
{
    size_t i, w = m->in_dim;
    for (i = 0; i < m->n_layers; i++)
        if (m->layers[i]->out_dim > w) w = m->layers[i]->out_dim;
    return w;
}

nn_status nni_workspace_reserve(nn_model *m, size_t rows)
{
    nni_workspace w;
    size_t i, mw = max_width(m), out = nni_output_dim(m);
    int ok = 1;
    if (rows <= m->ws.rows) return NN_OK;
    memset(&w, 0, sizeof w);
    w.rows = rows;
    w.act = (float **)nni_alloc_array(&m->alloc, m->n_layers, sizeof(float *));
    w.scratch = (float **)nni_alloc_array(&m->alloc, m->n_layers, sizeof(float *));
    ok = w.act && w.scratch;
    for (i = 0; ok && i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        size_t sc = l->ops->scratch_floats ? l->ops->scratch_floats(l, rows) : 0;
        w.act[i] = (float *)nni_alloc_array(&m->alloc, rows * l->out_dim, sizeof(float));
        w.scratch[i] = sc ? (float *)nni_alloc_array(&m->alloc, sc, sizeof(float)) : NULL;
        ok = w.act[i] && (sc == 0 || w.scratch[i]);
    }
    if (ok) {
        w.dbuf[0] = (float *)nni_alloc_array(&m->alloc, rows * mw, sizeof(float));
        w.dbuf[1] = (float *)nni_alloc_array(&m->alloc, rows * mw, sizeof(float));
        w.xb = (float *)nni_alloc_array(&m->alloc, rows * m->in_dim, sizeof(float));
        w.yb = (float *)nni_alloc_array(&m->alloc, rows * out, sizeof(float));
        w.loss_grad = (float *)nni_alloc_array(&m->alloc, rows * out, sizeof(float));
        ok = w.dbuf[0] && w.dbuf[1] && w.xb && w.yb && w.loss_grad;
    }
    if (ok) ok = nni_gemm_reserve(&m->gemm, &m->alloc, rows > mw ? rows : mw, mw, rows > mw ? rows : mw) == NN_OK;
    if (!ok) {
        nni_workspace old = m->ws;
        m->ws = w;
        free_workspace(m);
        m->ws = old;
        return nni_fail(m, NN_ERR_NOMEM, "out of memory reserving buffers for batches of %zu rows", rows);
    }
    free_workspace(m);
    m->ws = w;
    return NN_OK;
}

const float *nni_forward(nn_model *m, const float *x, size_t rows, int training)
{
    return nni_forward_to(m, x, rows, training, NULL);
}

const float *nni_forward_to(nn_model *m, const float *x, size_t rows, int training, float *last_out)
{
    size_t i;
    const float *cur = x;
    nni_fwd f;
    f.rows = rows;
    f.training = training;
    f.gemm = &m->gemm;
    f.rng = &m->rng;
    f.model_in = x;
    for (i = 0; i < m->n_layers; i++) {
        f.in = cur;
        f.out = last_out && i + 1 == m->n_layers ? last_out : m->ws.act[i];
        f.scratch = m->ws.scratch[i];
        m->layers[i]->ops->forward(m->layers[i], &f);
        cur = f.out;
    }
    return cur;
}

static int loss_valid(nn_loss loss) { return (int)loss >= 0 && (int)loss <= (int)NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS; }

nn_status nn_model_compile(nn_model *m, nn_optimizer *opt, nn_loss loss)
{
    nn_status s;
    float *state;
    size_t slots;
    int was_built;
    nni_rng rng_before;
    if (!m) {
        nn_optimizer_free(opt);
        nni_set_last_error("nn_model_compile: model is NULL");
        return NN_ERR_INVALID_ARG;
    }
    if (!opt) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_compile: optimizer is NULL (did its constructor fail? %s)", nn_last_error());
    if (!loss_valid(loss)) {
        nn_optimizer_free(opt);
        return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_compile: unknown loss %d", (int)loss);
    }
    if (m->n_layers == 0) {
        nn_optimizer_free(opt);
        return nni_fail(m, NN_ERR_STATE, "nn_model_compile: the model has no layers; add one with nn_model_add");
    }
    was_built = m->built;
    rng_before = m->rng;
    s = nni_model_build(m);
    if (s != NN_OK) {
        nn_optimizer_free(opt);
        return s;
    }
    slots = opt->ops->slots(opt);
    state = NULL;
    if (slots) {
        state = (float *)nni_alloc_array(&m->alloc, slots, m->n_trainable * sizeof(float));
        if (!state) {
            size_t want = slots * m->n_trainable; /* before unbuild clears n_trainable */
            nn_optimizer_free(opt);
            if (!was_built) unbuild(m, &rng_before);
            return nni_fail(m, NN_ERR_NOMEM, "nn_model_compile: out of memory for optimizer state (%zu floats)", want);
        }
    }
    if (m->opt) {
        nni_free(&m->alloc, m->opt->state);
        nn_optimizer_free(m->opt);
    }
    opt->state = state;
    opt->state_floats = slots * m->n_trainable;
    opt->attached = 1;
    /* Keras' Adagrad starts its accumulator at initial_accumulator_value. */
    if (state && opt->initial_accumulator != 0.0f) { /* state is NULL only when there are no slots */
        size_t i;
        for (i = 0; i < opt->state_floats; i++) state[i] = opt->initial_accumulator;
    }
    m->opt = opt;
    m->loss = loss;
    m->compiled = 1;
    nni_clear_error(m);
    return NN_OK;
}

nn_status nn_model_set_threads(nn_model *m, int threads)
{
    nn_status s;
    if (!m) return nni_fail(NULL, NN_ERR_INVALID_ARG, "nn_model_set_threads: model is NULL");
    if (threads < 1) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_set_threads: threads must be >= 1, got %d", threads);
    s = nni_gemm_set_threads(&m->gemm, &m->alloc, threads);
    if (s == NN_ERR_UNSUPPORTED) return nni_fail(m, s, "nn_model_set_threads: libnn was built without threads (NN_NO_THREADS)");
    if (s != NN_OK) return nni_fail(m, s, "nn_model_set_threads: could not start %d threads", threads);
    return NN_OK;
}

nn_status nn_model_set_linear_shortcut(nn_model *m, int enable)
{
    if (!m) return nni_fail(NULL, NN_ERR_INVALID_ARG, "nn_model_set_linear_shortcut: model is NULL");
    if (m->built && (enable != 0) != (m->linear_shortcut != 0))
        return nni_fail(m, NN_ERR_STATE, "nn_model_set_linear_shortcut: the model is already built; set it before nn_model_compile");
    m->linear_shortcut = enable != 0;
    return NN_OK;
}

int nn_model_linear_shortcut(const nn_model *m) { return m ? m->linear_shortcut : 0; }

nn_status nn_model_set_seed(nn_model *m, uint64_t seed)
{
    if (!m) return NN_ERR_INVALID_ARG;
    m->seed = seed;
    m->seeded = 1;
    nni_rng_seed(&m->rng, seed);
    return NN_OK;
}

size_t nn_model_input_dim(const nn_model *m) { return m ? m->in_dim : 0; }
size_t nn_model_output_dim(const nn_model *m) { return m ? nni_output_dim(m) : 0; }
size_t nn_model_layer_count(const nn_model *m) { return m ? m->n_layers : 0; }

static size_t count_params(const nn_model *m, int trainable_only)
{
    size_t i, j, n = 0;
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++)
            if (!trainable_only || m->layers[i]->spec[j].trainable) n += m->layers[i]->spec[j].size;
    return n;
}

size_t nn_model_param_count(const nn_model *m) { return m ? count_params(m, 0) : 0; }
size_t nn_model_trainable_param_count(const nn_model *m) { return m ? count_params(m, 1) : 0; }

nn_layer *nn_model_layer(nn_model *m, size_t i)
{
    return (m && i < m->n_layers) ? m->layers[i] : NULL;
}

size_t nn_layer_output_dim(const nn_layer *l) { return l ? l->out_dim : 0; }

nn_status nn_model_set_huber_delta(nn_model *m, float delta)
{
    if (!m) return NN_ERR_INVALID_ARG;
    if (!(delta > 0.0f) || !isfinite(delta)) return nni_fail(m, NN_ERR_INVALID_ARG, "huber delta must be a positive finite number, got %g", (double)delta);
    m->huber_delta = delta;
    return NN_OK;
}

nn_status nn_model_set_log_sink(nn_model *m, nn_log_fn fn, void *user)
{
    if (!m) return NN_ERR_INVALID_ARG;
    m->log = fn;
    m->log_user = user;
    return NN_OK;
}

void nni_log(const nn_model *m, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (m->log) {
        m->log(m->log_user, line);
    } else {
        fputs(line, stderr);
        fflush(stderr);
    }
}

nn_status nni_check_finite(nn_model *m, const char *name, const float *x, size_t n, size_t cols)
{
    size_t i, total = n * cols;
    for (i = 0; i < total; i++) {
        if (!isfinite(x[i]))
            return nni_fail(m, NN_ERR_NONFINITE, "%s[%zu][%zu] is %s", name, i / cols, i % cols,
                            isnan(x[i]) ? "NaN" : "Inf");
    }
    return NN_OK;
}

nn_status nni_check_targets(nn_model *m, const char *name, const float *y, size_t n)
{
    size_t i, classes = nni_output_dim(m);
    nn_status s = nni_check_finite(m, name, y, n, nni_target_dim(m));
    if (s != NN_OK || m->loss != NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return s;
    for (i = 0; i < n; i++) {
        if (y[i] < 0.0f || y[i] != floorf(y[i]) || y[i] >= (float)classes)
            return nni_fail(m, NN_ERR_INVALID_ARG, "%s[%zu] = %g is not a class index below %zu", name, i, (double)y[i], classes);
    }
    return NN_OK;
}
