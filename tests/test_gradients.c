/* Numerical gradient checks: every activation, every loss (through
   nni_loss_sum's gradient), Dense dW/db/dX through small models trained for
   one step, and the L1/L2 kernel regularizer. References are computed in
   double precision independently of the library. */
#include "harness.h"
#include "testutil.h"
#include "core/model.h"
#include "layers/activation.h"
#include "train/loss.h"
#include "train/train.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const nn_activation all_acts[] = { NN_LINEAR, NN_RELU, NN_LEAKY_RELU, NN_ELU, NN_SELU, NN_SIGMOID,
                                          NN_TANH, NN_SOFTMAX, NN_SOFTPLUS, NN_GELU, NN_SWISH };
#define N_ACTS (sizeof all_acts / sizeof all_acts[0])

static int near_rel(double a, double b, double abs_tol, double rel_tol)
{
    return fabs(a - b) <= abs_tol + rel_tol * fabs(b);
}

/* ---- activations --------------------------------------------------------- */

static double act_probe(nn_activation a, double alpha, const double *z, const double *dy, size_t rows, size_t cols)
{
    double y[64], s = 0.0;
    size_t i;
    tu_act_ref(a, alpha, z, y, rows, cols);
    for (i = 0; i < rows * cols; i++) s += dy[i] * y[i];
    return s;
}

TEST(grad_activation_forward_and_backward_all)
{
    enum { R = 3, C = 5, N = R * C };
    size_t ai, i;
    tu_rng rng = { 11 };
    for (ai = 0; ai < N_ACTS; ai++) {
        nn_activation a = all_acts[ai];
        float alpha = a == NN_LEAKY_RELU ? 0.2f : 0.0f;
        float z[N], y[N], dy[N], dz[N], inplace[N], zcopy[N];
        double zd[N], yd[N], dyd[N];
        CHECK(nni_act_name(a) != NULL);
        for (i = 0; i < N; i++) {
            double v = tu_range(&rng, -3.0, 3.0);
            if (fabs(v) < 0.05) v = 0.3; /* keep away from the kinks of relu-like functions */
            z[i] = (float)v;
            zd[i] = z[i];
            dy[i] = (float)tu_range(&rng, -1.0, 1.0);
            dyd[i] = dy[i];
        }
        nni_act_forward(a, alpha, z, y, R, C);
        tu_act_ref(a, alpha, zd, yd, R, C);
        for (i = 0; i < N; i++)
            CHECK_MSG(near_rel(y[i], yd[i], 1e-6, 2e-6), "%s forward z=%g: %.9g vs %.9g", nni_act_name(a), (double)z[i], (double)y[i], yd[i]);
        nni_act_backward(a, alpha, z, y, dy, dz, R, C);
        for (i = 0; i < N; i++) {
            const double h = 1e-6;
            double zp[N], num;
            memcpy(zp, zd, sizeof zp);
            zp[i] = zd[i] + h;
            num = act_probe(a, alpha, zp, dyd, R, C);
            zp[i] = zd[i] - h;
            num = (num - act_probe(a, alpha, zp, dyd, R, C)) / (2.0 * h);
            CHECK_MSG(near_rel(dz[i], num, 2e-6, 1e-4), "%s backward z=%g: %.9g vs numeric %.9g", nni_act_name(a), (double)z[i], (double)dz[i], num);
        }
        /* dz may alias dy or z */
        memcpy(inplace, dy, sizeof inplace);
        nni_act_backward(a, alpha, z, y, inplace, inplace, R, C);
        CHECK_MSG(memcmp(inplace, dz, sizeof dz) == 0, "%s backward in place over dy differs", nni_act_name(a));
        memcpy(zcopy, z, sizeof zcopy);
        nni_act_backward(a, alpha, zcopy, y, dy, zcopy, R, C);
        CHECK_MSG(memcmp(zcopy, dz, sizeof dz) == 0, "%s backward in place over z differs", nni_act_name(a));
        /* y may equal z in forward */
        memcpy(zcopy, z, sizeof zcopy);
        nni_act_forward(a, alpha, zcopy, zcopy, R, C);
        CHECK_MSG(memcmp(zcopy, y, sizeof y) == 0, "%s forward in place differs", nni_act_name(a));
    }
}

TEST(grad_activation_leaky_slope_and_extremes)
{
    float z[6] = { -1000.0f, -50.0f, -2.0f, 2.0f, 50.0f, 1000.0f }, y[6], dy[6] = { 1, 1, 1, 1, 1, 1 }, dz[6];
    size_t ai, i;
    nni_act_forward(NN_LEAKY_RELU, 0.1f, z, y, 1, 6);
    CHECK_NEAR(y[2], -0.2, 1e-7);
    nni_act_backward(NN_LEAKY_RELU, 0.1f, z, y, dy, dz, 1, 6);
    CHECK_NEAR(dz[2], 0.1, 1e-7);
    CHECK_NEAR(dz[3], 1.0, 0);
    /* no activation may produce NaN/Inf for large finite inputs */
    for (ai = 0; ai < N_ACTS; ai++) {
        nni_act_forward(all_acts[ai], 0.2f, z, y, 1, 6);
        nni_act_backward(all_acts[ai], 0.2f, z, y, dy, dz, 1, 6);
        for (i = 0; i < 6; i++) {
            if (all_acts[ai] == NN_LINEAR || all_acts[ai] == NN_RELU || all_acts[ai] == NN_LEAKY_RELU ||
                all_acts[ai] == NN_ELU || all_acts[ai] == NN_SELU || all_acts[ai] == NN_SOFTPLUS ||
                all_acts[ai] == NN_GELU || all_acts[ai] == NN_SWISH)
                CHECK_MSG(isfinite(y[i]), "%s(%g) = %g", nni_act_name(all_acts[ai]), (double)z[i], (double)y[i]);
            else
                CHECK_MSG(isfinite(y[i]) && y[i] >= -1.0f && y[i] <= 1.0f, "%s(%g) = %g", nni_act_name(all_acts[ai]), (double)z[i], (double)y[i]);
            CHECK_MSG(isfinite(dz[i]), "%s'(%g) = %g", nni_act_name(all_acts[ai]), (double)z[i], (double)dz[i]);
        }
    }
    /* softmax of huge logits stays a distribution */
    nni_act_forward(NN_SOFTMAX, 0.0f, z, y, 1, 6);
    CHECK_NEAR(y[5], 1.0, 1e-7);
    CHECK_NEAR(y[0], 0.0, 1e-30);
    CHECK(nni_act_name((nn_activation)99) == NULL);
}

/* ---- losses -------------------------------------------------------------- */

static double clipd(double q) { return q < 1e-7 ? 1e-7 : (q > 1.0 - 1e-7 ? 1.0 - 1e-7 : q); }

/* Sum over rows of the per-row Keras loss. v: predictions, or logits when
   `fused` (sigmoid for BCE, softmax for CCE); for BCE_FROM_LOGITS v is logits. */
static double ref_loss(nn_loss loss, double delta, int fused, const double *v, const float *y, size_t rows, size_t cols)
{
    size_t r, c;
    double total = 0.0;
    for (r = 0; r < rows; r++) {
        const double *p = v + r * cols;
        double l = 0.0;
        for (c = 0; c < cols; c++) {
            double t = loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? ((size_t)y[r] == c ? 1.0 : 0.0) : y[r * cols + c];
            double e = p[c] - t;
            switch (loss) {
            case NN_LOSS_MSE: l += e * e / (double)cols; break;
            case NN_LOSS_MAE: l += fabs(e) / (double)cols; break;
            case NN_LOSS_HUBER: l += (fabs(e) <= delta ? 0.5 * e * e : delta * fabs(e) - 0.5 * delta * delta) / (double)cols; break;
            case NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS:
            case NN_LOSS_BINARY_CROSSENTROPY:
                if (fused || loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS) {
                    double q = 1.0 / (1.0 + exp(-p[c]));
                    l += -(t * log(q) + (1.0 - t) * log(1.0 - q)) / (double)cols;
                } else {
                    double q = clipd(p[c]);
                    l += -(t * log(q) + (1.0 - t) * log(1.0 - q)) / (double)cols;
                }
                break;
            default: { /* categorical: normalised probabilities (or softmax of logits), summed */
                double s = 0.0, q;
                size_t k;
                if (fused) {
                    double mx = p[0];
                    for (k = 1; k < cols; k++) mx = p[k] > mx ? p[k] : mx;
                    for (k = 0; k < cols; k++) s += exp(p[k] - mx);
                    q = exp(p[c] - mx) / s;
                } else {
                    for (k = 0; k < cols; k++) s += p[k];
                    q = clipd(p[c] / s);
                }
                l += -t * log(q);
                break;
            }
            }
        }
        total += l;
    }
    return total;
}

typedef struct loss_case {
    const char *name;
    nn_loss loss;
    float delta;
    int fused;          /* logits given: sigmoid (BCE) or softmax (CCE) */
    double lo, hi;      /* range of the differentiated variable */
    int target_kind;    /* 0 real, 1 binary {0,1}, 2 soft labels, 3 one-hot, 4 class index */
} loss_case;

TEST(grad_losses_all)
{
    static const loss_case cases[] = {
        { "mse", NN_LOSS_MSE, 1.0f, 0, -2.0, 2.0, 0 },
        { "mae", NN_LOSS_MAE, 1.0f, 0, -2.0, 2.0, 0 },
        { "huber(1)", NN_LOSS_HUBER, 1.0f, 0, -3.0, 3.0, 0 },
        { "huber(0.4)", NN_LOSS_HUBER, 0.4f, 0, -2.0, 2.0, 0 },
        { "bce(probs)", NN_LOSS_BINARY_CROSSENTROPY, 1.0f, 0, 0.03, 0.97, 1 },
        { "bce(probs, soft)", NN_LOSS_BINARY_CROSSENTROPY, 1.0f, 0, 0.03, 0.97, 2 },
        { "bce(fused sigmoid)", NN_LOSS_BINARY_CROSSENTROPY, 1.0f, 1, -5.0, 5.0, 1 },
        { "bce(from logits)", NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS, 1.0f, 0, -5.0, 5.0, 2 },
        { "cce(probs)", NN_LOSS_CATEGORICAL_CROSSENTROPY, 1.0f, 0, 0.05, 1.0, 3 },
        { "cce(probs, soft)", NN_LOSS_CATEGORICAL_CROSSENTROPY, 1.0f, 0, 0.05, 1.0, 2 },
        { "cce(fused softmax)", NN_LOSS_CATEGORICAL_CROSSENTROPY, 1.0f, 1, -4.0, 4.0, 3 },
        { "sparse cce(probs)", NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0f, 0, 0.05, 1.0, 4 },
        { "sparse cce(fused softmax)", NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 1.0f, 1, -4.0, 4.0, 4 },
    };
    enum { R = 5, C = 4, N = R * C };
    size_t ci, i;
    tu_rng rng = { 2024 };
    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const loss_case *lc = &cases[ci];
        float v[N], pred[N], y[N], grad[N];
        double vd[N], got, want;
        nni_loss_args la;
        int is_bce = lc->loss == NN_LOSS_BINARY_CROSSENTROPY || lc->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS;
        for (i = 0; i < N; i++) {
            v[i] = (float)tu_range(&rng, lc->lo, lc->hi);
            y[i] = 0.0f;
        }
        for (i = 0; i < N; i++) {
            size_t r = i / C;
            switch (lc->target_kind) {
            case 0:
                y[i] = (float)tu_range(&rng, -2.0, 2.0);
                /* keep away from the kinks of mae and huber */
                if (fabs(v[i] - y[i]) < 0.02f || fabs(fabs(v[i] - y[i]) - lc->delta) < 0.02f) y[i] += 0.1f;
                break;
            case 1: y[i] = tu_uniform(&rng) < 0.5 ? 0.0f : 1.0f; break;
            case 2: y[i] = (float)tu_uniform(&rng); break;
            case 3: if (i % C == 0) y[r * C + (size_t)(tu_uniform(&rng) * C)] = 1.0f; break;
            case 4: if (i % C == 0) y[r] = (float)(size_t)(tu_uniform(&rng) * C); break;
            default: break;
            }
        }
        if (lc->target_kind == 2 && !is_bce) /* soft categorical targets sum to 1 per row */
            for (i = 0; i < R; i++) {
                float s = y[i * C] + y[i * C + 1] + y[i * C + 2] + y[i * C + 3];
                size_t c;
                for (c = 0; c < C; c++) y[i * C + c] /= s;
            }
        if (lc->fused)
            nni_act_forward(is_bce ? NN_SIGMOID : NN_SOFTMAX, 0.0f, v, pred, R, C);
        else
            memcpy(pred, v, sizeof pred);
        memset(&la, 0, sizeof la);
        la.loss = lc->loss;
        la.huber_delta = lc->delta;
        la.pred = pred;
        la.logits = lc->fused ? v : NULL;
        la.y = y;
        la.rows = R;
        la.cols = C;
        la.grad = grad;
        CHECK_EQ(nni_loss_fuses(lc->loss, is_bce ? NN_SIGMOID : NN_SOFTMAX),
                 lc->loss == NN_LOSS_BINARY_CROSSENTROPY || lc->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY ||
                     lc->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
        CHECK_EQ(nni_loss_fuses(lc->loss, NN_LINEAR), 0);
        got = nni_loss_sum(&la);
        for (i = 0; i < N; i++) vd[i] = v[i];
        want = ref_loss(lc->loss, lc->delta, lc->fused, vd, y, R, C);
        CHECK_MSG(near_rel(got, want, 1e-6, 1e-5), "%s: loss %.9g vs reference %.9g", lc->name, got, want);
        /* the value must not depend on whether a gradient is requested */
        la.grad = NULL;
        CHECK_MSG(nni_loss_sum(&la) == got, "%s: value changes without grad", lc->name);
        for (i = 0; i < N; i++) {
            const double h = 1e-6;
            double p = vd[i], num;
            vd[i] = p + h;
            num = ref_loss(lc->loss, lc->delta, lc->fused, vd, y, R, C);
            vd[i] = p - h;
            num = (num - ref_loss(lc->loss, lc->delta, lc->fused, vd, y, R, C)) / (2.0 * h) / R;
            vd[i] = p;
            CHECK_MSG(near_rel(grad[i], num, 1e-6, 1e-4), "%s: dL/dv[%zu] %.9g vs numeric %.9g", lc->name, i, (double)grad[i], num);
        }
    }
}

TEST(grad_loss_sample_weights_scale_rows)
{
    /* Internal sample weights: row r's loss and gradient are scaled by sw[r]. */
    float pred[4] = { 0.5f, 1.5f, -1.0f, 2.0f }, y[4] = { 0.0f, 1.0f, 0.0f, 1.0f }, sw[2] = { 2.0f, 0.5f };
    float g1[4], g2[4];
    nni_loss_args la;
    double plain, weighted;
    memset(&la, 0, sizeof la);
    la.loss = NN_LOSS_MSE;
    la.huber_delta = 1.0f;
    la.pred = pred;
    la.y = y;
    la.rows = 2;
    la.cols = 2;
    la.grad = g1;
    plain = nni_loss_sum(&la);
    CHECK_NEAR(plain, (0.25 + 0.25) / 2 + (1.0 + 1.0) / 2, 1e-12);
    la.sw = sw;
    la.grad = g2;
    weighted = nni_loss_sum(&la);
    CHECK_NEAR(weighted, 2.0 * 0.25 + 0.5 * 1.0, 1e-12);
    CHECK_NEAR(g2[0], 2.0f * g1[0], 1e-7);
    CHECK_NEAR(g2[3], 0.5f * g1[3], 1e-7);
}

/* ---- Dense through whole models ------------------------------------------ */

typedef struct model_case {
    const char *name;
    nn_activation a1, a2, out;
    size_t out_dim;
    nn_loss loss;
    float l1, l2;
} model_case;

/* Double-precision forward of a Dense-only model on parameters w (laid out
   as m->params), returning the mean loss plus the kernel penalty. */
static double ref_model_loss(const nn_model *m, const double *w, const float *x, const float *y, size_t n)
{
    double a[2][64 * 16], z[64 * 16], data, pen = 0.0;
    size_t i, r, j, k, cur = 0;
    const nn_layer *last = m->layers[m->n_layers - 1];
    int fused = nni_loss_fuses(m->loss, last->act);
    for (i = 0; i < n * m->in_dim; i++) a[0][i] = x[i];
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        const double *W = w + (l->param[0] - m->params), *b = w + (l->param[1] - m->params);
        for (r = 0; r < n; r++)
            for (j = 0; j < l->units; j++) {
                double s = b[j];
                for (k = 0; k < l->in_dim; k++) s += a[cur][r * l->in_dim + k] * W[k * l->units + j];
                z[r * l->units + j] = s;
            }
        if (i == m->n_layers - 1 && fused) {
            memcpy(a[cur ^ 1], z, n * l->units * sizeof(double));
        } else {
            tu_act_ref(l->act, l->act_alpha, z, a[cur ^ 1], n, l->units);
        }
        cur ^= 1;
        for (k = 0; k < l->spec[0].size; k++) pen += l->l1 * fabs(W[k]) + l->l2 * W[k] * W[k];
    }
    data = ref_loss(m->loss, m->huber_delta, fused, a[cur], y, n, last->units);
    return data / (double)n + pen;
}

TEST(grad_dense_models_match_numeric)
{
    static const model_case cases[] = {
        { "tanh-relu-linear/mse", NN_TANH, NN_RELU, NN_LINEAR, 2, NN_LOSS_MSE, 0, 0 },
        { "elu-selu-sigmoid/bce(fused)", NN_ELU, NN_SELU, NN_SIGMOID, 1, NN_LOSS_BINARY_CROSSENTROPY, 0, 0 },
        { "gelu-swish-softmax/cce(fused)", NN_GELU, NN_SWISH, NN_SOFTMAX, 3, NN_LOSS_CATEGORICAL_CROSSENTROPY, 0, 0 },
        { "softplus-leaky-softmax/sparse(fused)", NN_SOFTPLUS, NN_LEAKY_RELU, NN_SOFTMAX, 3, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 0, 0 },
        { "sigmoid-tanh-linear/bce(logits)", NN_SIGMOID, NN_TANH, NN_LINEAR, 2, NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS, 0, 0 },
        { "tanh-gelu-softmax/mse(unfused softmax)", NN_TANH, NN_GELU, NN_SOFTMAX, 3, NN_LOSS_MSE, 0, 0 },
        { "swish-elu-sigmoid/mae", NN_SWISH, NN_ELU, NN_SIGMOID, 2, NN_LOSS_MAE, 0, 0 },
        { "relu-tanh-tanh/huber", NN_RELU, NN_TANH, NN_TANH, 2, NN_LOSS_HUBER, 0, 0 },
        { "tanh-tanh-linear/mse + l1l2", NN_TANH, NN_TANH, NN_LINEAR, 2, NN_LOSS_MSE, 0.01f, 0.05f },
        { "selu-relu-softmax/cce + l2", NN_SELU, NN_RELU, NN_SOFTMAX, 3, NN_LOSS_CATEGORICAL_CROSSENTROPY, 0.0f, 0.1f },
    };
    enum { N = 7, IN = 3 };
    size_t ci, i;
    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const model_case *mc = &cases[ci];
        tu_rng rng = { 100 + ci };
        float x[N * IN], y[N * 3], hist_loss, eval_loss;
        double *w, base;
        nn_layer *l1 = nn_dense(5, mc->a1), *l2 = nn_dense(4, mc->a2), *l3 = nn_dense(mc->out_dim, mc->out);
        nn_model *m = nn_model_create(IN);
        int sparse = mc->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
        size_t worst = 0;
        double worst_err = 0.0;
        nn_model_set_seed(m, 7 + ci);
        nn_layer_set_kernel_regularizer(l1, mc->l1, mc->l2);
        nn_layer_set_kernel_regularizer(l3, mc->l1, mc->l2);
        if (mc->a2 == NN_LEAKY_RELU) nn_layer_set_leaky_slope(l2, 0.1f);
        /* non-zero biases so db paths are exercised away from zero */
        nn_layer_set_bias_initializer(l2, NN_INIT_GLOROT_UNIFORM);
        CHECK_EQ(nn_model_add(m, l1), NN_OK);
        CHECK_EQ(nn_model_add(m, l2), NN_OK);
        CHECK_EQ(nn_model_add(m, l3), NN_OK);
        CHECK_EQ(nn_model_compile(m, nn_sgd(0.0f, 0.0f, 0), mc->loss), NN_OK);
        nn_model_set_shuffle(m, 0);
        for (i = 0; i < N * IN; i++) x[i] = (float)tu_range(&rng, -1.5, 1.5);
        for (i = 0; i < N * mc->out_dim; i++) {
            if (mc->loss == NN_LOSS_BINARY_CROSSENTROPY || mc->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS)
                y[i] = tu_uniform(&rng) < 0.5 ? 0.0f : 1.0f;
            else if (mc->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY)
                y[i] = 0.0f;
            else
                y[i] = (float)tu_range(&rng, -1.0, 1.0);
        }
        for (i = 0; i < N; i++) {
            size_t k = (size_t)(tu_uniform(&rng) * 3);
            if (sparse) y[i] = (float)k;
            else if (mc->loss == NN_LOSS_CATEGORICAL_CROSSENTROPY) y[i * 3 + k] = 1.0f;
        }
        w = (double *)malloc(m->n_params * sizeof(double));
        for (i = 0; i < m->n_params; i++) w[i] = m->params[i];
        base = ref_model_loss(m, w, x, y, N);
        /* lr 0: one full batch leaves the weights alone and the gradient in m->grads */
        CHECK_EQ(nn_model_fit(m, x, y, N, 1, N), NN_OK);
        for (i = 0; i < m->n_params; i++) CHECK(m->params[i] == (float)w[i]);
        hist_loss = nn_model_history(m, "loss", 0);
        CHECK_MSG(near_rel(hist_loss, base, 1e-6, 1e-5), "%s: history loss %.9g vs reference %.9g", mc->name, (double)hist_loss, base);
        CHECK_EQ(nn_model_evaluate(m, x, y, N, &eval_loss), NN_OK);
        CHECK_MSG(near_rel(eval_loss, base, 1e-6, 1e-5), "%s: evaluate loss %.9g vs reference %.9g", mc->name, (double)eval_loss, base);
        CHECK_EQ(m->n_trainable, m->n_params);
        for (i = 0; i < m->n_trainable; i++) {
            const double h = 1e-6;
            double p = w[i], num, err;
            w[i] = p + h;
            num = ref_model_loss(m, w, x, y, N);
            w[i] = p - h;
            num = (num - ref_model_loss(m, w, x, y, N)) / (2.0 * h);
            w[i] = p;
            err = fabs(m->grads[i] - num) / (2e-5 + 1e-3 * fabs(num));
            if (err > worst_err) {
                worst_err = err;
                worst = i;
            }
        }
        CHECK_MSG(worst_err <= 1.0, "%s: dL/dw[%zu] = %.9g vs numeric (worst relative error %.3g x tolerance)", mc->name, worst,
                  (double)m->grads[worst], worst_err);
        free(w);
        nn_model_free(m);
    }
}

TEST(grad_regularizer_penalty_and_gradient_exact)
{
    /* A kernel of known weights: penalty and its gradient by hand. */
    nn_model *m = nn_model_create(2);
    nn_layer *l = nn_dense(2, NN_LINEAR);
    float x[2] = { 0.0f, 0.0f }, y[2] = { 0.0f, 0.0f }, loss;
    const float W[4] = { 0.5f, -1.25f, 2.0f, -0.75f };
    double pen = 0.0;
    size_t i;
    CHECK_EQ(nn_layer_set_kernel_regularizer(l, 0.03f, 0.2f), NN_OK);
    nn_model_add(m, l);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.0f, 0.0f, 0), NN_LOSS_MSE), NN_OK);
    memcpy(l->param[0], W, sizeof W);
    l->param[1][0] = l->param[1][1] = 0.0f;
    for (i = 0; i < 4; i++) pen += 0.03f * fabs((double)W[i]) + (double)0.2f * W[i] * W[i];
    /* data loss is exactly zero (x = 0, b = 0, y = 0): evaluate returns the penalty */
    CHECK_EQ(nn_model_evaluate(m, x, y, 1, &loss), NN_OK);
    CHECK_NEAR(loss, pen, 1e-6 * pen);
    CHECK_EQ(nn_model_fit(m, x, y, 1, 1, 1), NN_OK);
    CHECK_NEAR(nn_model_history(m, "loss", 0), pen, 1e-6 * pen);
    for (i = 0; i < 4; i++) CHECK_NEAR(m->grads[i], 0.03 * (W[i] > 0 ? 1 : -1) + 2.0 * 0.2 * W[i], 1e-6);
    /* bias is not regularized */
    CHECK_NEAR(m->grads[4], 0.0, 0);
    CHECK_NEAR(m->grads[5], 0.0, 0);
    CHECK_NEAR(nni_reg_penalty(m), pen, 1e-6 * pen);
    nn_model_free(m);
}
