/* Training quality with fixed seeds, and bit-for-bit reproducibility. */
#include "harness.h"
#include "testutil.h"
#include "core/model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(train_xor_reaches_full_accuracy)
{
    static const float x[8] = { 0, 0, 0, 1, 1, 0, 1, 1 }, y[4] = { 0, 1, 1, 0 };
    static const nn_activation hidden[2] = { NN_TANH, NN_RELU };
    size_t k, i;
    for (k = 0; k < 2; k++) {
        float out[4], l;
        nn_model *m = nn_model_create(2);
        nn_model_set_seed(m, 42);
        nn_model_add(m, nn_dense(8, hidden[k]));
        nn_model_add(m, nn_dense(1, NN_SIGMOID));
        CHECK_EQ(nn_model_compile(m, nn_adam(0.05f), NN_LOSS_BINARY_CROSSENTROPY), NN_OK);
        nn_model_add_metric(m, NN_METRIC_ACCURACY);
        CHECK_EQ(nn_model_fit(m, x, y, 4, 300, 4), NN_OK);
        CHECK_EQ(nn_model_predict(m, x, 4, out), NN_OK);
        for (i = 0; i < 4; i++) CHECK_MSG((out[i] > 0.5f) == (y[i] > 0.5f), "xor(%zu) = %g with %s", i, (double)out[i], k ? "relu" : "tanh");
        CHECK_EQ(nn_model_evaluate(m, x, y, 4, &l), NN_OK);
        CHECK(l < 0.1f);
        CHECK_NEAR(nn_model_evaluated_metric(m, "accuracy"), 1.0, 0);
        CHECK(nn_model_history(m, "loss", 299) < nn_model_history(m, "loss", 0));
        nn_model_free(m);
    }
}

/* Closed-form least squares y ~ a x1 + b x2 + c via the normal equations. */
static void least_squares(const float *x, const float *y, size_t n, double coef[3])
{
    double A[3][4] = { { 0 } };
    size_t r, i, j, k;
    for (r = 0; r < n; r++) {
        double f[3] = { x[2 * r], x[2 * r + 1], 1.0 };
        for (i = 0; i < 3; i++) {
            for (j = 0; j < 3; j++) A[i][j] += f[i] * f[j];
            A[i][3] += f[i] * y[r];
        }
    }
    for (i = 0; i < 3; i++) { /* Gauss-Jordan, the system is well conditioned */
        for (k = 0; k < 3; k++) {
            double fct;
            if (k == i) continue;
            fct = A[k][i] / A[i][i];
            for (j = 0; j < 4; j++) A[k][j] -= fct * A[i][j];
        }
    }
    for (i = 0; i < 3; i++) coef[i] = A[i][3] / A[i][i];
}

TEST(train_nonlinear_regression_beats_linear_baseline)
{
    enum { N = 800, NT = 600 };
    float *x = (float *)malloc(N * 2 * sizeof(float)), *y = (float *)malloc(N * sizeof(float)), val_mse;
    double coef[3], base = 0.0;
    size_t i;
    tu_rng r = { 99 };
    nn_model *m = nn_model_create(2);
    for (i = 0; i < N; i++) {
        x[2 * i] = (float)tu_range(&r, -2.0, 2.0);
        x[2 * i + 1] = (float)tu_range(&r, -2.0, 2.0);
        y[i] = (float)(sin(x[2 * i]) + (double)x[2 * i + 1] * x[2 * i + 1]);
    }
    least_squares(x, y, NT, coef);
    for (i = NT; i < N; i++) {
        double e = coef[0] * x[2 * i] + coef[1] * x[2 * i + 1] + coef[2] - y[i];
        base += e * e / (N - NT);
    }
    nn_model_set_seed(m, 2);
    nn_model_add(m, nn_dense(32, NN_TANH));
    nn_model_add(m, nn_dense(32, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    CHECK_EQ(nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE), NN_OK);
    nn_model_set_validation_split(m, 0.25f); /* the last 200 rows, as the baseline's test set */
    CHECK_EQ(nn_model_fit(m, x, y, N, 60, 32), NN_OK);
    val_mse = nn_model_history(m, "val_loss", nn_model_history_len(m) - 1);
    CHECK_MSG(val_mse < 0.1 * base && val_mse < 0.1, "val mse %g vs linear baseline %g", (double)val_mse, base);
    CHECK(base > 0.5); /* the target really is non-linear */
    nn_model_free(m);
    free(x);
    free(y);
}

TEST(train_three_class_softmax_sparse)
{
    enum { N = 600, NT = 450 };
    float *x = (float *)malloc(N * 2 * sizeof(float)), *y = (float *)malloc(N * sizeof(float)), *out = (float *)malloc(N * 3 * sizeof(float));
    size_t i, correct = 0;
    tu_rng r = { 31 };
    nn_model *m = nn_model_create(2);
    /* three 120-degree sectors of an annulus: not linearly separable as classes */
    for (i = 0; i < N; i++) {
        double ang = tu_range(&r, 0.0, 6.283185307179586), rad = tu_range(&r, 0.5, 2.0);
        x[2 * i] = (float)(rad * cos(ang));
        x[2 * i + 1] = (float)(rad * sin(ang));
        y[i] = (float)(int)(ang / (6.283185307179586 / 3.0));
    }
    nn_model_set_seed(m, 8);
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    CHECK_EQ(nn_model_compile(m, nn_adam(0.02f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY), NN_OK);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    CHECK_EQ(nn_model_fit(m, x, y, NT, 60, 32), NN_OK);
    CHECK_EQ(nn_model_predict(m, x + 2 * NT, N - NT, out), NN_OK);
    for (i = 0; i < N - NT; i++) {
        const float *p = out + 3 * i;
        size_t best = p[1] > p[0] ? 1 : 0;
        best = p[2] > p[best] ? 2 : best;
        correct += best == (size_t)y[NT + i];
        CHECK_NEAR(p[0] + p[1] + p[2], 1.0, 1e-5);
    }
    CHECK_MSG(correct >= (size_t)(0.95 * (N - NT)), "held-out accuracy %zu/%d", correct, N - NT);
    CHECK(nn_model_history(m, "accuracy", 59) > 0.95f);
    nn_model_free(m);
    free(x);
    free(y);
    free(out);
}

/* ---- reproducibility ----------------------------------------------------- */

static nn_model *repro_model(uint64_t seed, const float *x, const float *y, size_t n)
{
    nn_model *m = nn_model_create(4);
    nn_model_set_seed(m, seed);
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dropout(0.3f));
    nn_model_add(m, nn_dense(8, NN_GELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit(m, x, y, n, 5, 8), NN_OK);
    return m;
}

TEST(train_reproducible_bits_with_seed_and_dropout)
{
    enum { N = 90 };
    float x[N * 4], y[N];
    size_t i, e, k;
    tu_rng r = { 5 };
    nn_model *a, *b, *c;
    for (i = 0; i < N * 4; i++) x[i] = (float)tu_normal(&r);
    for (i = 0; i < N; i++) y[i] = x[4 * i] * x[4 * i + 1] - x[4 * i + 2];
    a = repro_model(1234, x, y, N);
    b = repro_model(1234, x, y, N);
    c = repro_model(1235, x, y, N);
    CHECK_EQ(a->n_params, b->n_params);
    CHECK(memcmp(a->params, b->params, a->n_params * sizeof(float)) == 0);
    CHECK(memcmp(a->params, c->params, a->n_params * sizeof(float)) != 0);
    CHECK_EQ(nn_model_history_len(a), 5);
    CHECK_EQ(nn_model_history_key_count(a), nn_model_history_key_count(b));
    for (e = 0; e < 5; e++)
        for (k = 0; k < nn_model_history_key_count(a); k++) {
            const char *key = nn_model_history_key(a, k);
            float va = nn_model_history(a, key, e), vb = nn_model_history(b, key, e);
            CHECK_MSG(memcmp(&va, &vb, sizeof va) == 0, "history %s[%zu] differs: %.9g vs %.9g", key, e, (double)va, (double)vb);
        }
    CHECK(nn_model_history(a, "loss", 4) != nn_model_history(c, "loss", 4));
    nn_model_free(a);
    nn_model_free(b);
    nn_model_free(c);
}

TEST(train_dropout_inference_is_identity_and_training_is_scaled)
{
    float x[40], out_a[40], out_b[40];
    size_t i, zeros = 0;
    nn_model *m = nn_model_create(40);
    nn_layer *d;
    nn_model_set_seed(m, 3);
    nn_model_add(m, d = nn_dropout(0.25f));
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    for (i = 0; i < 40; i++) x[i] = (float)i + 1.0f;
    CHECK_EQ(nn_model_param_count(m), 0);
    CHECK_EQ(nn_model_predict(m, x, 1, out_a), NN_OK);
    CHECK(memcmp(out_a, x, sizeof x) == 0);
    /* training mode: kept units scaled by 1/(1-rate), the rest zero */
    {
        const float *p = nni_forward(m, x, 1, 1);
        for (i = 0; i < 40; i++) {
            if (p[i] == 0.0f) zeros++;
            else CHECK_NEAR(p[i], x[i] / 0.75f, 1e-5 * x[i]);
        }
        memcpy(out_b, p, sizeof out_b);
    }
    CHECK(zeros > 2 && zeros < 25);
    (void)d;
    nn_model_free(m);
}
