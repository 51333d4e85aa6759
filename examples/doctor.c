/* The training doctor on the seed scenarios: each run attaches nn_doctor()
   and prints what it found. Ends with the doctor's overhead on a realistic
   run (digits, 128-64-10, Adam): fit time with and without it. */
#include "nn.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rs = 88172645463325252ull;
static double urand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand(), v = urand();
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static void report(const char *title, nn_model *m, nn_status s)
{
    size_t i, n = nn_model_finding_count(m);
    printf("== %s\n", title);
    if (s != NN_OK) printf("   fit: %s (%s)\n", nn_status_string(s), nn_model_error(m));
    if (nn_model_history_len(m))
        printf("   %zu epochs, last loss %.4g, last val_loss %.4g\n", nn_model_history_len(m),
               nn_model_history(m, "loss", nn_model_history_len(m) - 1),
               nn_model_history(m, "val_loss", nn_model_history_len(m) - 1));
    if (n == 0) printf("   doctor: no findings\n");
    for (i = 0; i < n; i++)
        printf("   [%s] %s: %s\n", nn_model_finding_severity(m, i) ? "warning" : "info", nn_model_finding_code(m, i),
               nn_model_finding_message(m, i));
    printf("\n");
}

/* 1. Income-like, age-like and ratio-like features, unstandardized. */
static void unscaled_inputs(void)
{
    size_t n = 800, i;
    float *x = malloc(n * 3 * sizeof *x), *y = malloc(n * sizeof *y);
    nn_model *m = nn_model_create(3);
    nn_status s;
    for (i = 0; i < n; i++) {
        double inc = 50000 + 15000 * nrand(), age = 40 + 12 * nrand(), r = 0.5 + 0.2 * nrand();
        x[i * 3] = (float)inc;
        x[i * 3 + 1] = (float)age;
        x[i * 3 + 2] = (float)r;
        y[i] = (float)((inc - 50000) / 15000 * 0.8 + (age - 40) / 12 * 0.5 - (r - 0.5) / 0.2 * 0.3 + 0.1 * nrand());
    }
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_doctor());
    s = nn_model_fit(m, x, y, n, 20, 32);
    report("unscaled inputs (income ~5e4, age ~40, ratio ~0.5)", m, s);
    nn_model_free(m);
    free(x);
    free(y);
}

/* 2. A ReLU output on standardized targets (half of them negative). */
static void relu_output(void)
{
    size_t n = 600, i, j;
    float *x = malloc(n * 4 * sizeof *x), *y = malloc(n * sizeof *y);
    nn_model *m = nn_model_create(4);
    nn_status s;
    for (i = 0; i < n; i++) {
        double t = 0.0;
        for (j = 0; j < 4; j++) {
            x[i * 4 + j] = (float)nrand();
            t += (j + 1) * 0.25 * x[i * 4 + j];
        }
        y[i] = (float)(tanh(t) + 0.1 * nrand());
    }
    nn_model_set_seed(m, 2);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_RELU));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_doctor());
    s = nn_model_fit(m, x, y, n, 30, 32);
    report("relu output for targets that go negative (sigmoid-vs-relu)", m, s);
    nn_model_free(m);
    free(x);
    free(y);
}

/* 3. Mostly linear target, standardized, the seed's recipe: He/ReLU, SGD 0.01, MAE. */
static void mostly_linear(void)
{
    size_t n = 4000, d = 8, i, j;
    float *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    nn_model *m = nn_model_create(d);
    nn_status s;
    double mu = 0, sd = 0;
    for (i = 0; i < n; i++) {
        double t = 0.0;
        for (j = 0; j < d; j++) {
            x[i * d + j] = (float)nrand();
            t += (0.5 - 0.1 * (double)j) * x[i * d + j];
        }
        y[i] = (float)(t + 0.15 * sin(3.0 * x[i * d]) * x[i * d + 1] + 0.15 * nrand());
        mu += y[i];
    }
    mu /= (double)n;
    for (i = 0; i < n; i++) sd += (y[i] - mu) * (y[i] - mu);
    sd = sqrt(sd / (double)n);
    for (i = 0; i < n; i++) y[i] = (float)((y[i] - mu) / sd);
    nn_model_set_seed(m, 3);
    for (j = 0; j < 3; j++) {
        nn_layer *l = nn_dense(128, NN_RELU);
        nn_layer_set_kernel_initializer(l, NN_INIT_HE_NORMAL);
        nn_model_add(m, l);
    }
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MAE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_doctor());
    s = nn_model_fit(m, x, y, n, 40, 64);
    report("mostly-linear target (seed: network stuck at linear regression's MAE)", m, s);
    nn_model_free(m);
    free(x);
    free(y);
}

/* 4. Small noisy data set, a large network, no regularization. */
static void overfitting(void)
{
    size_t n = 150, d = 10, i, j;
    float *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    nn_model *m = nn_model_create(d);
    nn_status s;
    for (i = 0; i < n; i++) {
        for (j = 0; j < d; j++) x[i * d + j] = (float)nrand();
        y[i] = (float)(0.6 * x[i * d] - 0.4 * x[i * d + 1] + 0.7 * nrand());
    }
    nn_model_set_seed(m, 4);
    nn_model_add(m, nn_dense(256, NN_RELU));
    nn_model_add(m, nn_dense(256, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.3f);
    nn_model_add_callback(m, nn_doctor());
    s = nn_model_fit(m, x, y, n, 150, 16);
    report("overfitting without regularization (105 rows, 256-256 network)", m, s);
    nn_model_free(m);
    free(x);
    free(y);
}

/* 5. Denoising autoencoder whose metrics stagnate. */
static void denoising(void)
{
    size_t n = 1000, d = 16, i, j;
    float *x = malloc(n * d * sizeof *x), *y = malloc(n * d * sizeof *y);
    nn_model *m = nn_model_create(d);
    nn_status s;
    float loss;
    int fits;
    for (i = 0; i < n; i++) {
        double a = nrand(), b = nrand();
        for (j = 0; j < d; j++) {
            y[i * d + j] = (float)(a * cos(0.4 * (double)j) + b * sin(0.4 * (double)j));
            x[i * d + j] = (float)(y[i * d + j] + 0.3 * nrand());
        }
    }
    nn_model_set_seed(m, 5);
    nn_model_add(m, nn_dense(4, NN_SIGMOID));
    nn_model_add(m, nn_dense(d, NN_LINEAR));
    nn_model_compile(m, nn_sgd(1e-3f, 0.0f, 0), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_doctor());
    s = nn_model_fit(m, x, y, n, 30, 32);
    if (s == NN_OK) s = nn_model_probe(m, x, y, n, 64, 200, &loss, &fits);
    report("stagnating denoising autoencoder (16-4-16, sigmoid bottleneck, SGD 1e-3) + capacity probe", m, s);
    nn_model_free(m);
    free(x);
    free(y);
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Overhead: best of 3 fits of digits with and without the doctor. */
static void overhead(const char *path)
{
    nn_dataset *d = nn_dataset_create();
    double best[2] = {1e30, 1e30};
    int rep, with;
    if (!d || nn_dataset_add_target_name(d, "target") != NN_OK || nn_dataset_read_csv(d, path) != NN_OK) {
        printf("(overhead: cannot read %s: %s)\n", path, d ? nn_dataset_error(d) : nn_last_error());
        nn_dataset_free(d);
        return;
    }
    for (rep = 0; rep < 3; rep++)
        for (with = 0; with < 2; with++) {
            nn_model *m = nn_model_create(nn_dataset_feature_count(d));
            double t0;
            nn_model_set_seed(m, 42);
            nn_model_set_input_scaler(m, nn_standard_scaler()); /* fitted on the training rows */
            nn_model_add(m, nn_dense(128, NN_RELU));
            nn_model_add(m, nn_dense(64, NN_RELU));
            nn_model_add(m, nn_dense(10, NN_SOFTMAX));
            nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
            nn_model_add_metric(m, NN_METRIC_ACCURACY);
            nn_model_set_validation_split(m, 0.2f);
            if (with) nn_model_add_callback(m, nn_doctor());
            t0 = now();
            nn_model_fit(m, nn_dataset_x(d), nn_dataset_y(d), nn_dataset_rows(d), 30, 32);
            t0 = now() - t0;
            if (t0 < best[with]) best[with] = t0;
            if (with && rep == 2) report("digits, 128-64-10, Adam 1e-3, 30 epochs without early stopping", m, NN_OK);
            nn_model_free(m);
        }
    printf("doctor overhead on digits (best of 3): %.3f s without, %.3f s with: %+.1f%%\n", best[0], best[1],
           100.0 * (best[1] / best[0] - 1.0));
    nn_dataset_free(d);
}

int main(int argc, char **argv)
{
    unscaled_inputs();
    relu_output();
    mostly_linear();
    overfitting();
    denoising();
    overhead(argc > 1 ? argv[1] : "examples/data/digits.csv");
    return 0;
}
