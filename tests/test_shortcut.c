/* Linear shortcut (wide-and-deep): placement before the output activation, weights,
   clone, errors, and the mostly-linear scenario against least squares. */
#include "harness.h"
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(shortcut_enters_the_output_pre_activation)
{
    nn_model *m = nn_model_create(3);
    float x[3] = { 0.5f, -1.0f, 2.0f }, out[2], ws[6], b[2], k[8], z[2];
    nn_layer *last;
    size_t j;
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_dense(2, NN_SOFTMAX));
    CHECK_EQ(nn_model_set_linear_shortcut(m, 1), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_CATEGORICAL_CROSSENTROPY), NN_OK);
    CHECK_EQ(nn_model_linear_shortcut(m), 1);
    last = nn_model_layer(m, 1);
    CHECK_EQ(nn_layer_weight_tensors(last), 3);
    CHECK_EQ(nn_layer_weight_count(last, 2), 6);
    CHECK_EQ(nn_model_param_count(m), 3 * 4 + 4 + 4 * 2 + 2 + 3 * 2);
    /* the deep output kernel starts at zero: output = softmax(b + x . Ws) */
    CHECK_EQ(nn_layer_weights(last, 0, k, 8), NN_OK);
    for (j = 0; j < 8; j++) CHECK(k[j] == 0.0f);
    b[0] = 0.25f;
    b[1] = -0.5f;
    CHECK_EQ(nn_layer_set_weights(last, 1, b, 2), NN_OK);
    CHECK_EQ(nn_layer_weights(last, 2, ws, 6), NN_OK);
    CHECK_EQ(nn_model_predict(m, x, 1, out), NN_OK);
    for (j = 0; j < 2; j++) z[j] = b[j] + x[0] * ws[j] + x[1] * ws[2 + j] + x[2] * ws[4 + j];
    {
        double e0 = exp((double)z[0]), e1 = exp((double)z[1]);
        CHECK_NEAR(out[0], e0 / (e0 + e1), 1e-6);
        CHECK_NEAR(out[1], e1 / (e0 + e1), 1e-6);
    }
    CHECK_EQ(nn_model_set_linear_shortcut(m, 0), NN_ERR_STATE);
    {
        nn_model *c = nn_model_clone(m);
        float oc[2];
        CHECK(c != NULL);
        CHECK_EQ(nn_model_linear_shortcut(c), 1);
        CHECK_EQ(nn_model_predict(c, x, 1, oc), NN_OK);
        CHECK(oc[0] == out[0] && oc[1] == out[1]);
        nn_model_free(c);
    }
    nn_model_free(m);
    /* the output layer must be Dense */
    m = nn_model_create(3);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dropout(0.1f));
    nn_model_set_linear_shortcut(m, 1);
    CHECK_EQ(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "must be Dense");
    nn_model_free(m);
}

TEST(shortcut_learns_with_fused_sigmoid_crossentropy)
{
    /* linearly separable labels: the shortcut alone can solve it */
    enum { N = 200 };
    static float x[N * 2], y[N];
    nn_model *m = nn_model_create(2);
    size_t i;
    float loss;
    for (i = 0; i < N; i++) {
        x[2 * i] = (float)((int)(i * 37 % 101) - 50) / 25.0f;
        x[2 * i + 1] = (float)((int)(i * 53 % 97) - 48) / 24.0f;
        y[i] = x[2 * i] - 0.5f * x[2 * i + 1] > 0.1f ? 1.0f : 0.0f;
    }
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_SIGMOID));
    nn_model_set_linear_shortcut(m, 1);
    nn_model_compile(m, nn_adam(0.05f), NN_LOSS_BINARY_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    CHECK_EQ(nn_model_fit(m, x, y, N, 60, 32), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, x, y, N, &loss), NN_OK);
    CHECK_MSG(nn_model_evaluated_metric(m, "accuracy") >= 0.97f, "accuracy %g", (double)nn_model_evaluated_metric(m, "accuracy"));
    nn_model_free(m);
}

/* ---- the mostly-linear plateau (seed 004) ------------------------------- */

static uint64_t g_state;
static double urand(void)
{
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return (double)(g_state >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u1 = urand() + 1e-12, u2 = urand();
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* OLS with intercept by Gauss-Jordan on the normal equations (d <= 31). */
static void ols_fit(const float *x, const float *y, size_t n, size_t d, double *w)
{
    double a[32][33];
    size_t p = d + 1, i, j, k, c;
    memset(a, 0, sizeof a);
    for (i = 0; i < n; i++) {
        double r[32];
        for (j = 0; j < d; j++) r[j] = x[i * d + j];
        r[d] = 1.0;
        for (j = 0; j < p; j++) {
            for (k = 0; k < p; k++) a[j][k] += r[j] * r[k];
            a[j][p] += r[j] * y[i];
        }
    }
    for (j = 0; j < p; j++) {
        size_t piv = j;
        for (k = j + 1; k < p; k++)
            if (fabs(a[k][j]) > fabs(a[piv][j])) piv = k;
        for (c = 0; c <= p; c++) {
            double t = a[j][c];
            a[j][c] = a[piv][c];
            a[piv][c] = t;
        }
        for (k = 0; k < p; k++)
            if (k != j) {
                double f = a[k][j] / a[j][j];
                for (c = 0; c <= p; c++) a[k][c] -= f * a[j][c];
            }
    }
    for (j = 0; j < p; j++) w[j] = a[j][p] / a[j][j];
}

/* y = standardized(linear in 16 inputs + 1.3 sin(2 x0)): R^2 of least squares ~0.97. */
static void mostly_linear(float *x, float *y, size_t n, size_t d)
{
    size_t i, j;
    double mu = 0.0, var = 0.0;
    g_state = 12345;
    for (i = 0; i < n; i++) {
        double t = 0.0;
        for (j = 0; j < d; j++) {
            x[i * d + j] = (float)nrand();
            t += (j % 2 ? -1.0 : 1.0) * (0.5 + 0.1 * (double)j) * x[i * d + j];
        }
        y[i] = (float)(t + 1.3 * sin(2.0 * x[i * d]));
        mu += y[i];
    }
    mu /= (double)n;
    for (i = 0; i < n; i++) var += (y[i] - mu) * (y[i] - mu);
    var = sqrt(var / (double)n);
    for (i = 0; i < n; i++) y[i] = (float)((y[i] - mu) / var);
}

static double net_val_mae(const float *x, const float *y, size_t n, size_t d, int shortcut)
{
    nn_model *m = nn_model_create(d);
    double best = INFINITY;
    size_t e;
    nn_model_set_seed(m, 7);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_linear_shortcut(m, shortcut);
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit(m, x, y, n, 30, 32), NN_OK);
    for (e = 0; e < nn_model_history_len(m); e++) {
        double v = nn_model_history(m, "val_mae", e);
        if (v < best) best = v;
    }
    nn_model_free(m);
    return best;
}

TEST(shortcut_beats_least_squares_on_mostly_linear_target)
{
    enum { N = 4000, D = 16 };
    static float x[N * D], y[N];
    double w[D + 1], ols = 0.0, plain, wide;
    size_t ntr = N * 4 / 5, i, j;
    mostly_linear(x, y, N, D);
    ols_fit(x, y, ntr, D, w);
    for (i = ntr; i < N; i++) {
        double t = w[D];
        for (j = 0; j < D; j++) t += w[j] * x[i * D + j];
        ols += fabs(t - y[i]);
    }
    ols /= (double)(N - ntr);
    plain = net_val_mae(x, y, N, D, 0);
    wide = net_val_mae(x, y, N, D, 1);
    printf("    mostly-linear target, validation MAE: OLS %.4f, plain network %.4f, with linear shortcut %.4f\n", ols, plain, wide);
    CHECK_MSG(ols > 0.10 && ols < 0.16, "OLS MAE %g: the target should be mostly linear", ols);
    CHECK_MSG(wide < 0.6 * ols, "shortcut %g vs OLS %g", wide, ols);
    /* With Adam + MSE the plain network does not plateau at the linear error (it gets about
       half of it); the plateau comes with seed 004's SGD + MAE recipe, asserted below. */
}

/* Seed 004's recipe: Dense(256 relu, he_normal) x 3, SGD 0.01 (no momentum), MAE loss, 30 epochs,
   batch 32, best validation MAE (last 20%). */
static double seed_recipe_val_mae(const float *x, const float *y, size_t n, size_t d, int shortcut)
{
    nn_model *m = nn_model_create(d);
    double best = 1e30;
    size_t e;
    int l;
    nn_model_set_seed(m, 1);
    for (l = 0; l < 3; l++) {
        nn_layer *h = nn_dense(256, NN_RELU);
        nn_layer_set_kernel_initializer(h, NN_INIT_HE_NORMAL);
        nn_model_add(m, h);
    }
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_linear_shortcut(m, shortcut);
    nn_model_compile(m, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MAE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_fit(m, x, y, n, 30, 32);
    for (e = 0; e < nn_model_history_len(m); e++)
        if (nn_model_history(m, "val_mae", e) < best) best = nn_model_history(m, "val_mae", e);
    nn_model_free(m);
    return best;
}

/* With the seed user's recipe the plain network stays at (above) the least-squares error after
   30 epochs, and the linear shortcut gets below it. */
TEST(seed004_recipe_plain_plateaus_shortcut_beats_it)
{
    enum { N = 4000, D = 16 };
    static float x[N * D], y[N];
    double w[D + 1], ols = 0.0, plain, wide;
    size_t ntr = N * 4 / 5, i, j;
    mostly_linear(x, y, N, D);
    ols_fit(x, y, ntr, D, w);
    for (i = ntr; i < N; i++) {
        double t = w[D];
        for (j = 0; j < D; j++) t += w[j] * x[i * D + j];
        ols += fabs(t - y[i]);
    }
    ols /= (double)(N - ntr);
    plain = seed_recipe_val_mae(x, y, N, D, 0);
    wide = seed_recipe_val_mae(x, y, N, D, 1);
    printf("    seed recipe (SGD 0.01, MAE, he_normal relu 256x3), validation MAE: OLS %.4f, plain %.4f, shortcut %.4f\n",
           ols, plain, wide);
    CHECK_MSG(plain > 0.95 * ols, "plain %g vs OLS %g: expected the plateau at the linear error", plain, ols);
    CHECK_MSG(wide < ols && wide < plain - 0.015, "shortcut %g vs plain %g, OLS %g", wide, plain, ols);
}

TEST(shortcut_saved_in_the_model_file)
{
    const char *path = "build/shortcut_model.nn";
    nn_model *m = nn_model_create(3), *l;
    float x[6] = { 0.5f, -1.0f, 2.0f, 1.0f, 0.0f, -0.5f }, y[2] = { 1.0f, -1.0f }, a[2], b[2];
    nn_model_set_seed(m, 4);
    nn_model_add(m, nn_dense(5, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_linear_shortcut(m, 1);
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_MSE);
    CHECK_EQ(nn_model_fit(m, x, y, 2, 3, 2), NN_OK);
    CHECK_EQ(nn_model_save(m, path), NN_OK);
    l = nn_model_load(path);
    CHECK(l != NULL);
    if (l) {
        CHECK_EQ(nn_model_linear_shortcut(l), 1);
        CHECK_EQ(nn_model_param_count(l), nn_model_param_count(m));
        nn_model_predict(m, x, 2, a);
        nn_model_predict(l, x, 2, b);
        CHECK(a[0] == b[0] && a[1] == b[1]);
        /* training resumes identically */
        CHECK_EQ(nn_model_fit(m, x, y, 2, 2, 2), NN_OK);
        CHECK_EQ(nn_model_fit(l, x, y, 2, 2, 2), NN_OK);
        nn_model_predict(m, x, 2, a);
        nn_model_predict(l, x, 2, b);
        CHECK(a[0] == b[0] && a[1] == b[1]);
        nn_model_free(l);
    }
    nn_model_free(m);
    remove(path);
}
