/* Seed example: a mostly-linear target y = 3 z0 - 2 z1 + z2 + 0.5 z3 + 0.8 sin(2 z0) + 0.5 z1 z2
   + noise, with the z's fed in on different scales (x = z * [1, 10, 100, 0.1, 1]).
   Ordinary least squares gets the linear part; the rest needs a nonlinear model.
   Recipe A (a frequent Keras question): deep ReLU net, SGD(0.01), MAE loss, raw inputs.
   Recipe B: same net, Adam(1e-3), MSE loss, standardized inputs (training-row statistics).
   Validation MAE on the last 20% of the rows is compared with least squares. Here recipe A
   does not even get down to the linear-regression error in 150 epochs (MAE's constant-size
   gradients and unscaled inputs make SGD crawl), while B beats least squares by learning the
   nonlinear part. */
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000
#define D 5

static const float SCALE[D] = {1.0f, 10.0f, 100.0f, 0.1f, 1.0f};

static double gauss(unsigned long long *s)
{
    double u1, u2;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    u1 = ((double)(*s >> 11) + 1.0) / 9007199254740993.0;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    u2 = (double)(*s >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Least squares with intercept on rows [0, n_fit) via the normal equations; MAE on [n_fit, n). */
static double ols_val_mae(const float *x, const float *y, size_t n, size_t n_fit)
{
    double a[D + 1][D + 2] = {{0}}, w[D + 1], err = 0.0;
    size_t i, j, k, r;
    for (i = 0; i < n_fit; i++) {
        double row[D + 1];
        row[0] = 1.0;
        for (j = 0; j < D; j++) row[j + 1] = x[i * D + j];
        for (j = 0; j <= D; j++) {
            for (k = 0; k <= D; k++) a[j][k] += row[j] * row[k];
            a[j][D + 1] += row[j] * y[i];
        }
    }
    for (j = 0; j <= D; j++) { /* Gauss-Jordan with partial pivoting */
        size_t p = j;
        for (r = j + 1; r <= D; r++)
            if (fabs(a[r][j]) > fabs(a[p][j])) p = r;
        for (k = 0; k <= D + 1; k++) {
            double t = a[j][k];
            a[j][k] = a[p][k];
            a[p][k] = t;
        }
        for (r = 0; r <= D; r++) {
            double f;
            if (r == j) continue;
            f = a[r][j] / a[j][j];
            for (k = j; k <= D + 1; k++) a[r][k] -= f * a[j][k];
        }
    }
    for (j = 0; j <= D; j++) w[j] = a[j][D + 1] / a[j][j];
    for (i = n_fit; i < n; i++) {
        double p = w[0];
        for (j = 0; j < D; j++) p += w[j + 1] * x[i * D + j];
        err += fabs(p - y[i]);
    }
    return err / (double)(n - n_fit);
}

static double net_val_mae(const float *x, const float *y, nn_optimizer *opt, nn_loss loss, const char *label)
{
    nn_model *m = nn_model_create(D);
    size_t last;
    double mae;
    int i;
    nn_model_set_seed(m, 3);
    for (i = 0; i < 3; i++) nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, opt, loss);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    if (nn_model_fit(m, x, y, N, 150, 32) != NN_OK) {
        printf("%s: fit failed: %s\n", label, nn_model_error(m));
        nn_model_free(m);
        return NAN;
    }
    last = nn_model_history_len(m) - 1;
    mae = nn_model_history(m, "val_mae", last);
    printf("%-44s val MAE: epoch 10 %.4f, epoch 50 %.4f, epoch 150 %.4f\n", label,
           (double)nn_model_history(m, "val_mae", 9), (double)nn_model_history(m, "val_mae", 49), mae);
    nn_model_free(m);
    return mae;
}

int main(void)
{
    static float x[N * D], xs[N * D], y[N];
    unsigned long long s = 11;
    size_t i, j, n_fit = (size_t)(N * 0.8);
    double ols, a, b;
    for (i = 0; i < N; i++) {
        double z[D];
        for (j = 0; j < D; j++) z[j] = gauss(&s);
        y[i] = (float)(3 * z[0] - 2 * z[1] + z[2] + 0.5 * z[3] + 0.8 * sin(2 * z[0]) + 0.5 * z[1] * z[2] +
                       0.1 * gauss(&s));
        for (j = 0; j < D; j++) x[i * D + j] = (float)z[j] * SCALE[j];
    }
    for (j = 0; j < D; j++) { /* standardized copy, training-row statistics */
        double mean = 0.0, var = 0.0;
        for (i = 0; i < n_fit; i++) mean += x[i * D + j];
        mean /= (double)n_fit;
        for (i = 0; i < n_fit; i++) var += (x[i * D + j] - mean) * (x[i * D + j] - mean);
        for (i = 0; i < N; i++) xs[i * D + j] = (float)((x[i * D + j] - mean) / sqrt(var / (double)n_fit));
    }
    printf("mostly-linear target, %d rows (last 20%% validation), Dense(32 relu) x3 -> Dense(1), batch 32\n", N);
    ols = ols_val_mae(x, y, N, n_fit);
    printf("%-44s val MAE: %.4f\n", "least squares (linear regression)", ols);
    a = net_val_mae(x, y, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MAE, "A: SGD(0.01), MAE loss, raw inputs");
    b = net_val_mae(xs, y, nn_adam(1e-3f), NN_LOSS_MSE, "B: Adam(1e-3), MSE loss, standardized inputs");
    printf("=> A ends at %.2fx the linear-regression error, B at %.2fx\n", a / ols, b / ols);
    return 0;
}
