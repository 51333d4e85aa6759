/* The training doctor callback: checks data and configuration at
   train_begin, watches activations, gradients and the loss curves during the
   fit (through the hooks fit calls when a doctor is attached), and turns
   what it saw into findings at train_end. Every threshold is a named
   constant below and documented in docs/doctor.md. */
#include "doctor/doctor.h"
#include "callbacks/callback.h"
#include "core/alloc.h"
#include "core/error.h"
#include "layers/activation.h"
#include "optim/optimizer.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* data and configuration */
#define INPUT_SCALE_HI 100.0     /* feature RMS above this is unscaled */
#define INPUT_SCALE_LO 0.01      /* ... or below this */
#define INPUT_SCALE_RATIO 100.0  /* largest / smallest feature RMS */
#define TARGET_SCALE_HI 100.0    /* regression target RMS with a linear output */
#define TARGET_SCALE_LO 0.01
#define IMBALANCE_RATIO 10.0     /* majority / minority class count */
#define RANGE_VIOLATION 0.01     /* fraction of targets the output activation cannot produce */
/* dynamics */
#define DEAD_FRACTION 0.40       /* ReLU units never active in the last epoch */
#define GRAD_SAMPLES 4           /* batches per epoch whose gradient norms are measured */
#define EXPLODING_RATIO 10.0     /* epoch-mean |grad| / |weights| of a layer */
#define VANISHING_LOG10 (-3.0)   /* mean log10 of a layer's ratio over the largest layer's ratio */
#define VANISHING_MIN_LAYERS 3
#define RISE_TOL 0.02            /* an epoch "rises" when loss > previous * (1 + RISE_TOL) */
#define RISE_SHARE 0.4           /* lr_too_high: share of rising epochs ... */
#define RISE_FROM_BEST 1.2       /* ... and final loss above best * this */
#define SLOW_MIN_EPOCHS 8
#define SLOW_FALLING_SHARE 0.8   /* lr_too_low: loss falls in this share of epochs ... */
#define SLOW_TOTAL_DROP 0.5      /* ... yet dropped less than this fraction overall ... */
#define SLOW_NOT_SATURATING 0.5  /* ... and the late drop rate is still >= this x the early one */
#define PLATEAU_MIN_EPOCHS 15
#define PLATEAU_REL 0.005        /* no improvement beyond this relative amount ... */
#define PLATEAU_BASELINE 0.8     /* ... while the best loss is above this x the baseline */
#define PLATEAU_TRAIN_REL 0.02   /* ... and (with validation) the training loss stalled too */
#define OVERFIT_MIN_EPOCHS 8
#define OVERFIT_RISE_EPOCHS 5    /* val loss above its best for this many epochs ... */
#define OVERFIT_RISE 1.10        /* ... ending this much higher ... */
#define OVERFIT_TRAIN_FALL 0.95  /* ... while the training loss fell below this x its value then */
#define UNDERFIT_MIN_EPOCHS 5
#define UNDERFIT_SHARE 0.8       /* training loss above this x the constant predictor's */
#define BASELINE_SHARE 0.95      /* "no better": best loss above this x the baseline's */

typedef struct doc_state {
    void *block;                 /* per-fit arrays, from m->alloc */
    size_t n_layers;
    unsigned char *active;       /* one flag per ReLU unit: active at least once this epoch */
    size_t *off;                 /* per layer: offset into active, SIZE_MAX when not tracked */
    size_t *n_active;            /* per layer: units active so far this epoch */
    double *dead_frac;           /* per layer: share of dead units in the last complete epoch */
    double *gsum;                /* per layer: sum of sampled grad/weight ratios this epoch */
    double *gmax;                /* per layer: largest epoch-mean ratio */
    int *gmax_epoch;
    double *glog;                /* per layer: sum over epochs of log10(ratio / largest layer ratio) */
    int dead_epoch, g_samples, g_epochs, g_layers, g_nonfinite_epoch, nonfinite_seen;
    size_t g_stride;
    nni_baselines base;
    int have_base;
} doc_state;

static doc_state *state(nn_callback *cb) { return (doc_state *)cb->user; }

/* ---- helpers ----------------------------------------------------------- */

static int is_adaptive(const nn_model *m)
{
    const char *n = m->opt->ops->name;
    return strcmp(n, "Adam") == 0 || strcmp(n, "AdamW") == 0 || strcmp(n, "RMSprop") == 0;
}

/* The optimizer's constructor with a sensible learning rate, e.g. "nn_adam(1e-3f)". */
static const char *opt_ctor(const nn_model *m)
{
    const char *n = m->opt->ops->name;
    if (strcmp(n, "Adam") == 0) return "nn_adam(1e-3f)";
    if (strcmp(n, "AdamW") == 0) return "nn_adamw(1e-3f, 0.004f)";
    if (strcmp(n, "RMSprop") == 0) return "nn_rmsprop(1e-3f)";
    if (strcmp(n, "Adagrad") == 0) return "nn_adagrad(1e-2f)";
    return "nn_sgd(1e-2f, 0.9f, 0)";
}

static void lr_range(const nn_model *m, double *lo, double *hi)
{
    if (is_adaptive(m)) {
        *lo = 1e-5;
        *hi = 2e-2;
    } else {
        *lo = 1e-4;
        *hi = 0.5;
    }
}

static const char *loss_name(nn_loss l)
{
    switch (l) {
    case NN_LOSS_MSE: return "MSE";
    case NN_LOSS_MAE: return "MAE";
    case NN_LOSS_HUBER: return "Huber";
    case NN_LOSS_BINARY_CROSSENTROPY: return "binary crossentropy";
    case NN_LOSS_CATEGORICAL_CROSSENTROPY: return "categorical crossentropy";
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY: return "sparse categorical crossentropy";
    case NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS: return "binary crossentropy from logits";
    default: return "loss";
    }
}

static const nn_layer *out_layer(const nn_model *m) { return m->layers[m->n_layers - 1]; }

static int is_dense(const nn_layer *l) { return strcmp(l->ops->name, "Dense") == 0; }

static double hist(const nn_model *m, const char *key, size_t e) { return (double)nn_model_history(m, key, e); }

static int early_stopping_on_val(const nn_model *m)
{
    size_t i;
    for (i = 0; i < m->n_cbs; i++) {
        const nn_callback *c = m->cbs[i];
        if (strcmp(c->ops->name, "EarlyStopping") == 0 && strncmp(c->monitor, "val_", 4) == 0) return 1;
    }
    return 0;
}

/* ---- data and configuration ------------------------------------------- */

static nn_status check_inputs(nn_model *m)
{
    const float *x = m->fit.x;
    size_t n = m->fit.n, d = m->in_dim, j, n_const = 0, n_out = 0, jmax = SIZE_MAX, jmin = SIZE_MAX, j0 = 0;
    double *mu = (double *)nni_alloc_array(&m->alloc, 2 * d, sizeof(double)), *sd;
    char list[160];
    size_t pos = 0;
    if (!mu) return NN_ERR_NOMEM;
    sd = mu + d;
    nni_column_moments(x, n, d, mu, sd);
    list[0] = '\0';
    for (j = 0; j < d; j++) {
        double rms;
        if (!(sd[j] > 1e-7 * fabs(mu[j])) || sd[j] == 0.0) {
            if (n_const == 0) j0 = j;
            if (n_const < 6 && pos < sizeof list)
                pos += (size_t)snprintf(list + pos, sizeof list - pos, "%s%zu", n_const ? ", " : "", j);
            n_const++;
            continue;
        }
        rms = sqrt(mu[j] * mu[j] + sd[j] * sd[j]);
        if (rms > INPUT_SCALE_HI || rms < INPUT_SCALE_LO) n_out++;
        if (jmax == SIZE_MAX || rms > sqrt(mu[jmax] * mu[jmax] + sd[jmax] * sd[jmax])) jmax = j;
        if (jmin == SIZE_MAX || rms < sqrt(mu[jmin] * mu[jmin] + sd[jmin] * sd[jmin])) jmin = j;
    }
    if (n_const)
        nni_finding_add(m, "constant_features", 0, -1,
                        "drop those columns from x; they carry no information",
                        "%zu of %zu input features are constant over the %zu training rows (feature%s %s%s; feature %zu is always %g)",
                        n_const, d, n, n_const == 1 ? "" : "s", list, n_const > 6 ? ", ..." : "", j0, (double)x[j0]);
    if (jmax != SIZE_MAX) {
        double rmax = sqrt(mu[jmax] * mu[jmax] + sd[jmax] * sd[jmax]);
        double rmin = sqrt(mu[jmin] * mu[jmin] + sd[jmin] * sd[jmin]);
        if (n_out || rmax / rmin >= INPUT_SCALE_RATIO)
            nni_finding_add(m, "unscaled_inputs", 1, -1,
                            "standardize inputs: nn_model_set_input_scaler(m, nn_standard_scaler())",
                            "inputs are not standardized: feature %zu has scale %.3g (mean %.3g, sd %.3g) while feature %zu has %.3g "
                            "(mean %.3g, sd %.3g), a ratio of %.0f; %zu of %zu features lie outside [%g, %g]",
                            jmax, rmax, mu[jmax], sd[jmax], jmin, rmin, mu[jmin], sd[jmin], rmax / rmin, n_out, d,
                            INPUT_SCALE_LO, INPUT_SCALE_HI);
    }
    nni_free(&m->alloc, mu);
    return NN_OK;
}

static void act_range(nn_activation a, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (a) {
    case NN_RELU: case NN_SOFTPLUS: *lo = 0.0; break;
    case NN_SIGMOID: case NN_SOFTMAX: *lo = 0.0; *hi = 1.0; break;
    case NN_TANH: *lo = -1.0; *hi = 1.0; break;
    case NN_ELU: *lo = -1.0; break;
    case NN_SELU: *lo = -1.7581; break;
    case NN_GELU: *lo = -0.17; break;
    case NN_SWISH: *lo = -0.2785; break;
    default: break;
    }
}

static void layer_desc(const nn_model *m, size_t i, char *buf, size_t cap)
{
    const nn_layer *l = m->layers[i];
    if (is_dense(l))
        snprintf(buf, cap, "layer %zu (Dense(%zu, %s))", i, l->units, nni_act_name(l->act));
    else
        snprintf(buf, cap, "layer %zu (%s)", i, l->ops->name);
}

static void check_regression_targets(nn_model *m)
{
    const nn_layer *last = out_layer(m);
    const float *y = m->fit.y;
    size_t n = m->fit.n, t = nni_output_dim(m), i, c, below = 0, above = 0, worst = 0;
    double lo, hi, ymin = INFINITY, ymax = -INFINITY, wrms = -1.0, wmu = 0.0, wsd = 0.0;
    int labels01 = 1;
    act_range(last->act, &lo, &hi);
    for (i = 0; i < n * t; i++) {
        double v = (double)y[i];
        if (v < lo - 1e-6) below++;
        if (v > hi + 1e-6) above++;
        if (v < ymin) ymin = v;
        if (v > ymax) ymax = v;
        if (v != 0.0 && v != 1.0) labels01 = 0;
    }
    if ((double)(below + above) >= RANGE_VIOLATION * (double)(n * t))
        nni_finding_add(m, "loss_activation_mismatch", 1, -1, "use a linear output layer: nn_dense(units, NN_LINEAR)",
                        "the output activation %s only produces values in [%g, %g] but %.0f%% of the training targets lie outside "
                        "(min %.3g, max %.3g)",
                        nni_act_name(last->act), lo, hi, 100.0 * (double)(below + above) / (double)(n * t), ymin, ymax);
    else if (labels01 && (last->act == NN_SIGMOID || last->act == NN_SOFTMAX))
        nni_finding_add(m, "loss_activation_mismatch", 1, -1,
                        last->act == NN_SIGMOID ? "compile with NN_LOSS_BINARY_CROSSENTROPY"
                                                : "compile with NN_LOSS_CATEGORICAL_CROSSENTROPY (one-hot y) or NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY (class indices)",
                        "%s output trained with %s on 0/1 class labels: the gradient vanishes when the output saturates",
                        nni_act_name(last->act), loss_name(m->loss));
    if (last->act != NN_LINEAR) return;
    for (c = 0; c < t; c++) {
        double mu = 0.0, sd = 0.0, rms;
        for (i = 0; i < n; i++) mu += (double)y[i * t + c];
        mu /= (double)n;
        for (i = 0; i < n; i++) sd += ((double)y[i * t + c] - mu) * ((double)y[i * t + c] - mu);
        sd = sqrt(sd / (double)n);
        rms = sqrt(mu * mu + sd * sd);
        if (rms > wrms) {
            wrms = rms;
            wmu = mu;
            wsd = sd;
            worst = c;
        }
    }
    if (wrms > TARGET_SCALE_HI || (wrms < TARGET_SCALE_LO && wrms > 0.0))
        nni_finding_add(m, "unscaled_targets", 1, -1,
                        "standardize targets: nn_model_set_target_scaler(m, nn_standard_scaler()) (or subtract the training mean, divide by the sd and undo it on predictions)",
                        "regression targets are far from unit scale for a linear output: target column %zu has mean %.3g and sd %.3g "
                        "(scale %.3g), so the first %s is about %.3g",
                        worst, wmu, wsd, wrms, loss_name(m->loss), m->loss == NN_LOSS_MSE ? wrms * wrms : wrms);
}

static nn_status check_classification_targets(nn_model *m)
{
    const nn_layer *last = out_layer(m);
    const float *y = m->fit.y;
    size_t n = m->fit.n, k = nni_output_dim(m), i, c;
    int binary = m->loss == NN_LOSS_BINARY_CROSSENTROPY || m->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS;
    double *cnt;
    /* activation vs loss */
    if (m->loss == NN_LOSS_BINARY_CROSSENTROPY && last->act != NN_SIGMOID) {
        if (last->act == NN_SOFTMAX)
            nni_finding_add(m, "loss_activation_mismatch", 1, -1,
                            "for one-hot classes compile with NN_LOSS_CATEGORICAL_CROSSENTROPY; for independent 0/1 labels use nn_dense(units, NN_SIGMOID)",
                            "softmax output with binary crossentropy%s", k == 1 ? ": a softmax over 1 unit always outputs 1" : "");
        else if (last->act == NN_LINEAR)
            nni_finding_add(m, "loss_activation_mismatch", 1, -1,
                            "compile with NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS, or use nn_dense(units, NN_SIGMOID)",
                            "linear output with binary crossentropy: outputs outside (0, 1) are clipped and get no gradient");
        else
            nni_finding_add(m, "loss_activation_mismatch", 1, -1, "use nn_dense(units, NN_SIGMOID) as the output layer",
                            "%s output with binary crossentropy, which expects probabilities from a sigmoid", nni_act_name(last->act));
    } else if (m->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS && last->act != NN_LINEAR) {
        nni_finding_add(m, "loss_activation_mismatch", 1, -1, "use nn_dense(units, NN_LINEAR) as the output layer",
                        "%s output with binary crossentropy from logits, which applies the sigmoid itself", nni_act_name(last->act));
    } else if (!binary && (last->act != NN_SOFTMAX || k == 1)) {
        nni_finding_add(m, "loss_activation_mismatch", 1, -1, "use nn_dense(n_classes, NN_SOFTMAX) as the output layer",
                        k == 1 ? "%s over a single output unit with %s: the model cannot express more than one class"
                               : "%s output with %s, which expects a softmax distribution over the classes",
                        nni_act_name(last->act), loss_name(m->loss));
    }
    if (m->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY) {
        for (i = 0; i < n; i++) {
            double s = 0.0;
            for (c = 0; c < k; c++) s += (double)y[i * k + c];
            if (fabs(s - 1.0) > 1e-3) {
                nni_finding_add(m, "loss_activation_mismatch", 1, -1,
                                "one-hot encode y, or pass class indices with NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY",
                                "categorical crossentropy needs one-hot rows but y[%zu] sums to %g", i, s);
                break;
            }
        }
    }
    if (binary) {
        for (i = 0; i < n * k; i++)
            if (y[i] < 0.0f || y[i] > 1.0f) {
                nni_finding_add(m, "loss_activation_mismatch", 1, -1, "binary labels must be 0 or 1 (or probabilities)",
                                "binary crossentropy needs targets in [0, 1] but y[%zu][%zu] = %g", i / k, i % k, (double)y[i]);
                break;
            }
    }
    /* class imbalance */
    cnt = (double *)nni_alloc_array(&m->alloc, binary ? 2 * k : k, sizeof(double));
    if (!cnt) return NN_ERR_NOMEM;
    if (binary) {
        size_t worst = 0;
        double wr = 1.0;
        for (i = 0; i < n; i++)
            for (c = 0; c < k; c++) cnt[c] += y[i * k + c] >= 0.5f;
        for (c = 0; c < k; c++) {
            double pos = cnt[c], neg = (double)n - pos, r = pos < neg ? neg / (pos > 0 ? pos : 0.5) : pos / (neg > 0 ? neg : 0.5);
            if (r > wr) {
                wr = r;
                worst = c;
            }
        }
        if (wr >= IMBALANCE_RATIO)
            nni_finding_add(m, "class_imbalance", 1, -1,
                            "weight the rare label: nn_model_set_class_weights(m, w, 2) with w[k] = n / (2 * count[k]), and track accuracy against the majority baseline",
                            "output %zu is 1 in %.0f of %zu training rows (%.1f%%): a %.0f:1 imbalance", worst, cnt[worst], n,
                            100.0 * cnt[worst] / (double)n, wr);
    } else {
        size_t cmax = 0, cmin = 0, empty = 0;
        for (i = 0; i < n; i++) {
            size_t lab = 0;
            if (m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY)
                lab = (size_t)y[i];
            else
                for (c = 1; c < k; c++)
                    if (y[i * k + c] > y[i * k + lab]) lab = c;
            if (lab < k) cnt[lab] += 1.0;
        }
        for (c = 0; c < k; c++) {
            if (cnt[c] > cnt[cmax]) cmax = c;
            if (cnt[c] < cnt[cmin]) cmin = c;
            empty += cnt[c] == 0.0;
        }
        if (k > 1 && (cnt[cmin] == 0.0 || cnt[cmax] / cnt[cmin] >= IMBALANCE_RATIO))
            nni_finding_add(m, "class_imbalance", 1, -1,
                            "weight the classes: nn_model_set_class_weights(m, w, n_classes) with w[k] = n / (n_classes * count[k])",
                            "class %zu has %.0f of %zu training rows (%.1f%%) while class %zu has %.0f (%.1f%%); %zu of %zu classes have no training row",
                            cmin, cnt[cmin], n, 100.0 * cnt[cmin] / (double)n, cmax, cnt[cmax], 100.0 * cnt[cmax] / (double)n,
                            empty, k);
    }
    nni_free(&m->alloc, cnt);
    return NN_OK;
}

static void check_lr(nn_model *m)
{
    double lo, hi, lr = (double)m->opt->lr;
    lr_range(m, &lo, &hi);
    if (lr > hi)
        nni_finding_add(m, "lr_too_high", 1, -1, is_adaptive(m) ? "lower the learning rate to ~1e-3 with Adam: nn_adam(1e-3f)"
                                                                : "lower the learning rate to ~1e-2: nn_sgd(1e-2f, 0.9f, 0)",
                        "learning rate %g is above the usual range [%g, %g] for %s", lr, lo, hi, m->opt->ops->name);
    else if (lr < lo)
        nni_finding_add(m, "lr_too_low", 1, -1, is_adaptive(m) ? "raise the learning rate to ~1e-3 with Adam: nn_adam(1e-3f)"
                                                               : "raise the learning rate to ~1e-2: nn_sgd(1e-2f, 0.9f, 0)",
                        "learning rate %g is below the usual range [%g, %g] for %s", lr, lo, hi, m->opt->ops->name);
}

/* ---- per-fit tracking state -------------------------------------------- */

static void release(doc_state *st, nn_model *m)
{
    nni_free(&m->alloc, st->block);
    st->block = NULL;
}

static nn_status prepare(doc_state *st, nn_model *m)
{
    size_t L = m->n_layers, units = 0, i, bytes, n_batches;
    unsigned char *p;
    for (i = 0; i < L; i++)
        if (is_dense(m->layers[i]) && m->layers[i]->act == NN_RELU) units += m->layers[i]->out_dim;
    bytes = 4 * L * sizeof(double) + 2 * L * sizeof(size_t) + L * sizeof(int) + units + 1;
    release(st, m);
    st->block = nni_alloc(&m->alloc, bytes);
    if (!st->block) return NN_ERR_NOMEM;
    p = (unsigned char *)st->block;
    st->dead_frac = (double *)(void *)p;
    st->gsum = st->dead_frac + L;
    st->gmax = st->gsum + L;
    st->glog = st->gmax + L;
    p += 4 * L * sizeof(double);
    st->off = (size_t *)(void *)p;
    st->n_active = st->off + L;
    p += 2 * L * sizeof(size_t);
    st->gmax_epoch = (int *)(void *)p;
    p += L * sizeof(int);
    st->active = p;
    st->n_layers = L;
    units = 0;
    st->g_layers = 0;
    for (i = 0; i < L; i++) {
        const nn_layer *l = m->layers[i];
        st->off[i] = SIZE_MAX;
        if (is_dense(l) && l->act == NN_RELU) {
            st->off[i] = units;
            units += l->out_dim;
        }
        st->dead_frac[i] = 0.0;
        st->gmax_epoch[i] = -1;
        if (l->n_params > 0 && l->spec[0].role == NNI_KERNEL && l->spec[0].trainable) st->g_layers++;
    }
    st->dead_epoch = -1;
    st->g_samples = st->g_epochs = 0;
    st->g_nonfinite_epoch = -1;
    st->nonfinite_seen = 0;
    n_batches = (m->fit.n + m->fit.batch - 1) / m->fit.batch;
    st->g_stride = (n_batches + GRAD_SAMPLES - 1) / GRAD_SAMPLES;
    if (st->g_stride == 0) st->g_stride = 1;
    return NN_OK;
}

static nn_status doc_train_begin(nn_callback *cb, nn_model *m)
{
    doc_state *st = state(cb);
    nn_status s;
    if ((s = nni_findings_reset(m)) != NN_OK) return s;
    if ((s = prepare(st, m)) != NN_OK) return s;
    if (!m->fit.x || m->fit.n == 0) return NN_OK;
    if ((s = check_inputs(m)) != NN_OK) return s;
    if (nni_doctor_kind(m) == NNI_KIND_CLASSIFICATION) {
        if ((s = check_classification_targets(m)) != NN_OK) return s;
    } else {
        check_regression_targets(m);
    }
    check_lr(m);
    s = nni_baselines_compute(m, m->fit.x, m->fit.y, m->fit.n, m->fit.vx, m->fit.vy, m->fit.vn, &st->base);
    if (s != NN_OK) return s;
    st->have_base = 1;
    return NN_OK;
}

static int doc_epoch_begin(nn_callback *cb, nn_model *m, int epoch)
{
    doc_state *st = state(cb);
    size_t i, units = 0;
    (void)epoch;
    for (i = 0; i < st->n_layers; i++) {
        if (st->off[i] != SIZE_MAX) units = st->off[i] + m->layers[i]->out_dim;
        st->n_active[i] = 0;
        st->gsum[i] = 0.0;
    }
    memset(st->active, 0, units);
    st->g_samples = 0;
    return 0;
}

void nni_doctor_after_forward(nn_callback *doc, nn_model *m, size_t rows)
{
    doc_state *st = state(doc);
    size_t i, r, j;
    for (i = 0; i < st->n_layers; i++) {
        size_t u, na;
        unsigned char *flag;
        const float *a;
        if (st->off[i] == SIZE_MAX) continue;
        u = m->layers[i]->out_dim;
        na = st->n_active[i];
        if (na == u) continue;
        flag = st->active + st->off[i];
        a = m->ws.act[i];
        /* branch-free OR over the batch (vectorizes), then one count */
        for (r = 0; r < rows; r++)
            for (j = 0; j < u; j++) flag[j] |= (unsigned char)(a[r * u + j] > 0.0f);
        for (na = 0, j = 0; j < u; j++) na += flag[j];
        st->n_active[i] = na;
    }
}

void nni_doctor_after_backward(nn_callback *doc, nn_model *m, int batch, size_t n_batches)
{
    doc_state *st = state(doc);
    size_t i, k;
    (void)n_batches;
    if ((size_t)batch % st->g_stride != 0) return;
    for (i = 0; i < st->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        double g2 = 0.0, w2 = 0.0, wn, ratio;
        if (l->n_params == 0 || l->spec[0].role != NNI_KERNEL || !l->spec[0].trainable) continue;
        {
            /* eight interleaved partial sums in a fixed order: vectorizable and deterministic */
            double pg[8] = { 0 }, pw[8] = { 0 };
            const float *gp = l->grad[0], *wp = l->param[0];
            size_t n = l->spec[0].size, n8 = n - n % 8, q;
            for (k = 0; k < n8; k += 8)
                for (q = 0; q < 8; q++) {
                    pg[q] += (double)gp[k + q] * (double)gp[k + q];
                    pw[q] += (double)wp[k + q] * (double)wp[k + q];
                }
            for (; k < n; k++) {
                pg[0] += (double)gp[k] * (double)gp[k];
                pw[0] += (double)wp[k] * (double)wp[k];
            }
            for (q = 0; q < 8; q++) {
                g2 += pg[q];
                w2 += pw[q];
            }
        }
        wn = sqrt(w2);
        ratio = sqrt(g2) / (wn > 1e-3 ? wn : 1e-3);
        st->gsum[i] += isfinite(ratio) ? ratio : 1e30;
    }
    st->g_samples++;
}

static int doc_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    doc_state *st = state(cb);
    size_t i;
    double rmax = 0.0;
    for (i = 0; i < st->n_layers; i++)
        if (st->off[i] != SIZE_MAX)
            st->dead_frac[i] = 1.0 - (double)st->n_active[i] / (double)m->layers[i]->out_dim;
    st->dead_epoch = epoch;
    if (st->g_samples == 0) return 0;
    for (i = 0; i < st->n_layers; i++) {
        double r = st->gsum[i] / (double)st->g_samples;
        const nn_layer *l = m->layers[i];
        if (l->n_params == 0 || l->spec[0].role != NNI_KERNEL || !l->spec[0].trainable) continue;
        if (r > st->gmax[i] || st->gmax_epoch[i] < 0) {
            st->gmax[i] = r;
            st->gmax_epoch[i] = epoch;
        }
        if (r > rmax) rmax = r;
    }
    if (rmax > 1e-12 && rmax < 1e29) {
        for (i = 0; i < st->n_layers; i++) {
            double r = st->gsum[i] / (double)st->g_samples;
            const nn_layer *l = m->layers[i];
            if (l->n_params == 0 || l->spec[0].role != NNI_KERNEL || !l->spec[0].trainable) continue;
            st->glog[i] += log10((r > 1e-30 ? r : 1e-30) / rmax);
        }
        st->g_epochs++;
    }
    return 0;
}

/* ---- findings from what was seen --------------------------------------- */

static void rule_dead_relu(doc_state *st, nn_model *m)
{
    size_t i;
    char d[96];
    if (st->dead_epoch < 0) return;
    for (i = 0; i < st->n_layers; i++) {
        size_t u;
        if (st->off[i] == SIZE_MAX || st->dead_frac[i] < DEAD_FRACTION) continue;
        u = m->layers[i]->out_dim;
        layer_desc(m, i, d, sizeof d);
        nni_finding_add(m, "dead_relu", 1, st->dead_epoch,
                        "use NN_INIT_HE_NORMAL and NN_LEAKY_RELU: nn_dense(units, NN_LEAKY_RELU) with nn_layer_set_kernel_initializer(l, NN_INIT_HE_NORMAL); "
                        "standardize inputs and keep the learning rate moderate",
                        "%s: %.0f%% of %zu ReLU units never active in epoch %d", d, 100.0 * st->dead_frac[i], u,
                        st->dead_epoch + 1);
    }
}

static void rule_gradients(doc_state *st, nn_model *m)
{
    size_t i, worst = SIZE_MAX;
    char d[96];
    int clipped = m->opt->clipnorm > 0.0f || m->opt->global_clipnorm > 0.0f || m->opt->clipvalue > 0.0f;
    for (i = 0; i < st->n_layers; i++) {
        if (st->gmax_epoch[i] < 0 || !(st->gmax[i] > EXPLODING_RATIO)) continue;
        layer_desc(m, i, d, sizeof d);
        nni_finding_add(m, "exploding_gradients", clipped ? 0 : 1, st->gmax_epoch[i],
                        "standardize inputs and targets, clip with nn_optimizer_set_clipnorm(opt, 1.0f), and lower the learning rate",
                        "%s: gradient norm %.3g times the weight norm (mean over epoch %d)%s", d, st->gmax[i],
                        st->gmax_epoch[i] + 1, clipped ? ", clipped by the optimizer" : "");
    }
    if (st->g_layers < VANISHING_MIN_LAYERS || st->g_epochs == 0) return;
    for (i = 0; i < st->n_layers; i++) {
        if (st->gmax_epoch[i] < 0) continue;
        if (worst == SIZE_MAX || st->glog[i] < st->glog[worst]) worst = i;
    }
    if (worst != SIZE_MAX && st->glog[worst] / st->g_epochs < VANISHING_LOG10) {
        layer_desc(m, worst, d, sizeof d);
        nni_finding_add(m, "vanishing_gradients", 1, -1,
                        "use NN_RELU or NN_LEAKY_RELU with NN_INIT_HE_NORMAL in the hidden layers instead of NN_SIGMOID/NN_TANH, or use fewer layers",
                        "%s: its gradient, relative to its weights, is 10^%.1f of the most-updated layer's, averaged over %d epochs",
                        d, st->glog[worst] / st->g_epochs, st->g_epochs);
    }
}

static double series_min(const nn_model *m, const char *key, size_t from, size_t to, size_t *at)
{
    size_t e;
    double best = INFINITY;
    for (e = from; e < to; e++) {
        double v = hist(m, key, e);
        if (v < best) {
            best = v;
            if (at) *at = e;
        }
    }
    return best;
}

static void lr_fix(const nn_model *m, int higher, char *buf, size_t cap)
{
    double lr = (double)m->opt->lr, to = higher ? lr * 10.0 : lr / 10.0;
    snprintf(buf, cap, "%s the learning rate from %g to ~%g: nn_model_set_learning_rate(m, %gf) (with Adam ~1e-3: nn_adam(1e-3f))",
             higher ? "raise" : "lower", lr, to, to);
    (void)opt_ctor;
}

static void rule_curves(doc_state *st, nn_model *m)
{
    size_t E = m->hist.len, e, up = 0, down = 0, bmin = 0;
    double L0, Ll, Lmin;
    int has_val = m->fit.vn > 0, overfit = 0;
    char fix[256];
    const char *mon = has_val ? "val_loss" : "loss";
    if (E == 0) return;
    L0 = hist(m, "loss", 0);
    Ll = hist(m, "loss", E - 1);
    Lmin = series_min(m, "loss", 0, E, &bmin);
    for (e = 1; e < E; e++) {
        double a = hist(m, "loss", e - 1), b = hist(m, "loss", e);
        up += b > a * (1.0 + RISE_TOL);
        down += b < a;
    }
    /* lr too high: rising / oscillating, or diverged */
    if (E >= 5 && (double)up >= RISE_SHARE * (double)(E - 1) && Ll > RISE_FROM_BEST * Lmin) {
        lr_fix(m, 0, fix, sizeof fix);
        nni_finding_add(m, "lr_too_high", 1, (int)E - 1, fix,
                        "training loss rose in %zu of %zu epochs and ended at %.4g, above its best %.4g (epoch %zu)", up, E - 1,
                        Ll, Lmin, bmin + 1);
    } else if (E >= 3 && Ll > 1.1 * L0) {
        lr_fix(m, 0, fix, sizeof fix);
        nni_finding_add(m, "lr_too_high", 1, (int)E - 1, fix,
                        "training loss grew from %.4g in epoch 1 to %.4g in epoch %zu", L0, Ll, E);
    }
    /* lr too low: steadily falling, slowly, not saturating */
    if (E >= SLOW_MIN_EPOCHS && (double)down >= SLOW_FALLING_SHARE * (double)(E - 1) && L0 > 0.0 &&
        (L0 - Ll) / L0 < SLOW_TOTAL_DROP) {
        size_t h = (E - 1) / 2;
        double early = (L0 - hist(m, "loss", h)) / (double)h, late = (hist(m, "loss", h) - Ll) / (double)(E - 1 - h);
        int far = !st->have_base || Ll > 0.2 * st->base.const_train;
        if (early > 0.0 && late >= SLOW_NOT_SATURATING * early && far) {
            lr_fix(m, 1, fix, sizeof fix);
            nni_finding_add(m, "lr_too_low", 1, (int)E - 1, fix,
                            "training loss fell in %zu of %zu epochs but only by %.0f%% overall (%.4g to %.4g) and still drops "
                            "%.2g per epoch at the end: the learning rate %g is too low",
                            down, E - 1, 100.0 * (L0 - Ll) / L0, L0, Ll, late, (double)m->opt->lr);
        }
    }
    /* overfitting */
    if (has_val && E >= OVERFIT_MIN_EPOCHS) {
        size_t vb = 0;
        double vbest = series_min(m, "val_loss", 0, E, &vb), vlast = hist(m, "val_loss", E - 1);
        double lb = hist(m, "loss", vb);
        if (E - 1 - vb >= OVERFIT_RISE_EPOCHS && vlast >= OVERFIT_RISE * vbest && Ll <= OVERFIT_TRAIN_FALL * lb) {
            int handled = early_stopping_on_val(m);
            overfit = 1;
            nni_finding_add(m, "overfitting", handled ? 0 : 1, (int)vb,
                            "add nn_early_stopping(\"val_loss\", 0, 10, 1), nn_dropout(0.3f) after the hidden layers, or "
                            "nn_layer_set_kernel_regularizer(l, 0, 1e-4f)",
                            "val_loss rose from %.4g at epoch %zu to %.4g at epoch %zu (+%.0f%%) while loss fell from %.4g to %.4g; "
                            "gap val_loss - loss = %.4g%s",
                            vbest, vb + 1, vlast, E, 100.0 * (vlast / vbest - 1.0), lb, Ll, vlast - Ll,
                            handled ? " (early stopping on val_loss is attached)" : "");
        }
    }
    /* plateau, judged against the baseline of the task */
    if (E >= PLATEAU_MIN_EPOCHS && st->have_base && !overfit) {
        size_t P = E / 3 > 10 ? E / 3 : 10, at = 0;
        double early = series_min(m, mon, 0, E - P, &at), late = series_min(m, mon, E - P, E, NULL);
        double ref = st->base.const_eval;
        const char *refname = st->base.kind == NNI_KIND_CLASSIFICATION ? "the class priors" : "predicting the mean";
        if (st->base.have_linear) {
            ref = st->base.linear_eval;
            refname = "linear least squares";
        } else if (st->base.have_identity && st->base.identity_eval > 0.0) {
            ref = st->base.identity_eval;
            refname = "the identity map";
        }
        int train_stalled = !has_val || series_min(m, "loss", E - P, E, NULL) >= (1.0 - PLATEAU_TRAIN_REL) * series_min(m, "loss", 0, E - P, NULL);
        if (late >= (1.0 - PLATEAU_REL) * early && early > PLATEAU_BASELINE * ref && train_stalled)
            nni_finding_add(m, "plateau", 1, (int)at,
                            "add nn_reduce_lr_on_plateau(\"val_loss\", 0.5f, 5, 1e-5f); if it stays, run nn_model_probe(m, x, y, n, 64, 300, NULL, NULL) "
                            "to tell capacity from optimization",
                            "%s has not improved by more than %.1f%% for the last %zu of %zu epochs (best %.4g at epoch %zu)%s, "
                            "%.0f%% of the %.4g that %s gets",
                            mon, 100.0 * PLATEAU_REL, P, E, early, at + 1, has_val ? " and neither has the training loss" : "",
                            100.0 * early / ref, ref, refname);
    }
    /* underfitting: the training loss itself stays near a constant prediction */
    if (E >= UNDERFIT_MIN_EPOCHS && st->have_base && st->base.const_train > 0.0 && Ll >= UNDERFIT_SHARE * st->base.const_train)
        nni_finding_add(m, "underfitting", 1, (int)E - 1,
                        "add capacity (wider nn_dense layers or one more), train for more epochs or raise the learning rate; "
                        "nn_model_probe(m, x, y, n, 64, 300, NULL, NULL) checks the network can fit a few rows at all",
                        "training loss is still %.4g after %zu epochs, %.0f%% of the %.4g a constant prediction (%s) gets on the "
                        "training rows",
                        Ll, E, 100.0 * Ll / st->base.const_train, st->base.const_train,
                        st->base.kind == NNI_KIND_CLASSIFICATION ? "the class priors" : "the training mean");
}

static void rule_baselines(doc_state *st, nn_model *m)
{
    size_t E = m->hist.len;
    int has_val = m->fit.vn > 0;
    const char *mon = has_val ? "val_loss" : "loss", *pre = has_val ? "val " : "training ";
    double best, tbest;
    const nni_baselines *b = &st->base;
    if (E == 0 || !st->have_base) return;
    best = series_min(m, mon, 0, E, NULL);
    tbest = series_min(m, "loss", 0, E, NULL);
    if (b->kind == NNI_KIND_REGRESSION && b->have_linear && best >= BASELINE_SHARE * b->linear_eval) {
        int warn = tbest >= BASELINE_SHARE * b->linear_train;
        char mae[96] = "";
        double vm = series_min(m, has_val ? "val_mae" : "mae", 0, E, NULL);
        if (m->loss != NN_LOSS_MAE && isfinite(vm)) snprintf(mae, sizeof mae, "; %sMAE %.3g vs %.3g", pre, vm, b->linear_mae_eval);
        nni_finding_add(m, "no_better_than_linear", warn, -1,
                        warn ? "the network is not using its nonlinearity: check dead_relu, use NN_LEAKY_RELU with NN_INIT_HE_NORMAL, "
                               "or add a linear skip path: nn_model_set_linear_shortcut(m, 1) before nn_model_compile"
                             : "the target looks mostly linear: keep a linear model, or add a linear skip path: "
                               "nn_model_set_linear_shortcut(m, 1) before nn_model_compile",
                        "the network is no better than linear regression (%s%s %.3g vs %.3g for least squares%s; training %s %.3g vs %.3g)",
                        pre, loss_name(m->loss), best, b->linear_eval, mae, loss_name(m->loss), tbest, b->linear_train);
    }
    if (b->kind == NNI_KIND_CLASSIFICATION) {
        const char *acck = has_val ? "val_accuracy" : "accuracy";
        double acc = -series_min(m, acck, 0, E, NULL), bestacc = -INFINITY;
        size_t e;
        char accs[96] = "";
        int byacc = 0;
        for (e = 0; e < E; e++) {
            double a = hist(m, acck, e);
            if (a > bestacc) bestacc = a;
        }
        (void)acc;
        if (isfinite(bestacc)) {
            byacc = bestacc <= b->majority_acc_eval + 0.01;
            snprintf(accs, sizeof accs, "; %s %.3f vs %.3f", acck, bestacc, b->majority_acc_eval);
        }
        if (byacc || best >= BASELINE_SHARE * b->const_eval) {
            char what[64];
            if (b->majority_class >= 0)
                snprintf(what, sizeof what, "always predicting class %d", b->majority_class);
            else
                snprintf(what, sizeof what, "always predicting the majority label");
            nni_finding_add(m, "no_better_than_majority", 1, -1,
                            "check that y lines up with the rows of x and see class_imbalance; nn_model_probe(m, x, y, n, 64, 300, NULL, NULL) "
                            "tells a capacity problem from a data pipeline problem",
                            "the network is no better than %s (best %s %.4g vs %.4g for the class priors%s)", what, mon, best,
                            b->const_eval, accs);
        }
    }
    if (b->kind == NNI_KIND_AUTOENCODER && b->have_identity && b->identity_eval > 1e-12 &&
        best >= BASELINE_SHARE * b->identity_eval)
        nni_finding_add(m, "no_better_than_identity", 1, -1,
                        "add a linear skip path that can carry the input through: nn_model_set_linear_shortcut(m, 1), widen the bottleneck, "
                        "or raise the learning rate",
                        "reconstruction is no better than returning the (noisy) input (best %s %.4g vs %.4g for the identity map)", mon,
                        best, b->identity_eval);
}

static void doc_train_end(nn_callback *cb, nn_model *m)
{
    doc_state *st = state(cb);
    if (!st->nonfinite_seen) { /* else already judged when the loss broke (TerminateOnNaN) */
        rule_dead_relu(st, m);
        rule_gradients(st, m);
    }
    rule_curves(st, m);
    rule_baselines(st, m);
    if (m->verbose >= 1) nni_findings_log(m);
}

void nni_doctor_nonfinite(nn_callback *doc, nn_model *m, int epoch, int batch, double loss)
{
    doc_state *st = state(doc);
    char fix[256];
    lr_fix(m, 0, fix, sizeof fix);
    nni_finding_add(m, "lr_too_high", 1, epoch, fix, "loss became %s at epoch %d, batch %d%s%.4g)", isnan(loss) ? "NaN" : "Inf",
                    epoch + 1, batch + 1, m->hist.len ? " (last epoch loss " : " (initial weights; batch loss ",
                    m->hist.len ? hist(m, "loss", m->hist.len - 1) : 0.0);
    rule_gradients(st, m);
    rule_dead_relu(st, m);
    st->nonfinite_seen = 1;
}

/* The fit failed after train_begin (e.g. a non-finite loss): log what was found. */
static void doc_train_abort(nn_callback *cb, nn_model *m)
{
    (void)cb;
    if (m->verbose >= 1) nni_findings_log(m);
}

static void doc_destroy(nn_callback *cb, nn_model *m)
{
    release(state(cb), m);
}

static const nni_cb_ops doctor_ops = {
    "Doctor", doc_train_begin, doc_epoch_begin, doc_epoch_end, NULL, doc_train_end, doc_destroy, NULL, doc_train_abort, 0,
};

nn_callback *nni_doctor_of(const nn_model *m)
{
    size_t i;
    for (i = 0; i < m->n_cbs; i++)
        if (m->cbs[i]->ops == &doctor_ops) return m->cbs[i];
    return NULL;
}

nn_callback *nn_doctor(void)
{
    /* one block: the callback, then the doctor's state (freed with the callback) */
    size_t head = (sizeof(nn_callback) + 15) / 16 * 16;
    nn_allocator a = nni_default_allocator();
    nn_callback *cb = (nn_callback *)nni_alloc(&a, head + sizeof(doc_state));
    if (!cb) return (nn_callback *)nni_set_last_error("out of memory creating the doctor");
    cb->ops = &doctor_ops;
    cb->alloc = a;
    cb->user = (unsigned char *)cb + head;
    return cb;
}
