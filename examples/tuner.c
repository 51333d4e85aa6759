/* Hyper-parameter search in C, as the seed questions did with KerasTuner / GridSearchCV:
   1. random search over layers, width and learning rate on a regression (seed 000);
   2. grid over learning rate x batch size with 3-fold CV on the digits autoencoder
      (pixels / 16, a subset of rows; seed 003);
   3. the mostly-linear plateau (seed 004): least squares vs a plain network vs the same
      network with nn_model_set_linear_shortcut, validation MAE.
   Usage: tuner [examples/data/digits.csv] */
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_line(void *user, const char *text)
{
    (void)user;
    fputs(text, stdout);
}

/* ---- 1. random search on a regression ----------------------------------- */

static nn_model *build_regressor(const nn_hparams *hp, void *user)
{
    int i, layers = (int)nn_hparams_int(hp, "layers");
    nn_model *m = nn_model_create(4);
    (void)user;
    for (i = 0; i < layers; i++) nn_model_add(m, nn_dense((size_t)nn_hparams_int(hp, "units"), NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam((float)nn_hparams_float(hp, "lr")), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    return m;
}

static void regression_search(void)
{
    enum { N = 600 };
    static float x[N * 4], y[N];
    uint64_t s = 99;
    size_t i, j;
    nn_tuner *t = nn_tuner_create(build_regressor, NULL);
    for (i = 0; i < N; i++) {
        for (j = 0; j < 4; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i * 4 + j] = (float)((double)(s >> 11) / 9007199254740992.0 * 4.0 - 2.0);
        }
        y[i] = (float)(sin(x[i * 4]) + 0.5 * x[i * 4 + 1] * x[i * 4 + 2] - 0.3 * x[i * 4 + 3]);
    }
    nn_tuner_parse_space(t, "layers=1..3,units=8..64:log,lr=1e-4..3e-2:log");
    nn_tuner_set_strategy(t, NN_SEARCH_RANDOM);
    nn_tuner_set_max_trials(t, 8);
    nn_tuner_set_seed(t, 42);
    nn_tuner_set_objective(t, "val_mae", "min");
    nn_tuner_set_validation_split(t, 0.2f);
    nn_tuner_set_threads(t, 4);
    nn_tuner_set_log_sink(t, print_line, NULL);
    printf("== Random search (seed 000): layers x units x lr, 8 trials, 20 epochs, objective val_mae\n");
    if (nn_tuner_search(t, x, y, N, 20, 32) != NN_OK) printf("search failed: %s\n", nn_tuner_error(t));
    nn_tuner_print_results(t);
    nn_tuner_free(t);
}

/* ---- 2. grid search with 3-fold CV on the digits autoencoder ------------ */

static nn_model *build_autoencoder(const nn_hparams *hp, void *user)
{
    nn_model *m = nn_model_create(64);
    (void)user;
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(64, NN_SIGMOID));
    nn_model_compile(m, nn_adam((float)nn_hparams_float(hp, "lr")), NN_LOSS_MSE);
    return m;
}

static void digits_grid(const char *path)
{
    size_t n, i;
    nn_dataset *d = nn_dataset_create();
    const float *pixels;
    float *x;
    nn_tuner *t;
    if (!d || nn_dataset_add_target_name(d, "target") != NN_OK || nn_dataset_read_csv(d, path) != NN_OK ||
        nn_dataset_feature_count(d) != 64) {
        printf("== Grid search skipped: cannot read %s as 64 pixels + target\n", path);
        nn_dataset_free(d);
        return;
    }
    n = nn_dataset_rows(d) < 600 ? nn_dataset_rows(d) : 600;
    pixels = nn_dataset_x(d);
    x = (float *)malloc(n * 64 * sizeof(float));
    if (!x) {
        nn_dataset_free(d);
        return;
    }
    for (i = 0; i < n * 64; i++) x[i] = pixels[i] / 16.0f;
    nn_dataset_free(d);
    t = nn_tuner_create(build_autoencoder, NULL);
    /* batch size is a search() argument in Keras; here one grid per batch size */
    nn_tuner_parse_space(t, "lr=0.0003|0.001|0.003");
    nn_tuner_set_strategy(t, NN_SEARCH_GRID);
    nn_tuner_set_folds(t, 3, 0);
    nn_tuner_set_seed(t, 1);
    nn_tuner_set_threads(t, 3);
    nn_tuner_set_log_sink(t, print_line, NULL);
    {
        static const int batches[] = { 16, 64 };
        size_t b;
        for (b = 0; b < 2; b++) {
            printf("== Grid search (seed 003): digits autoencoder 64-32-16-32-64, %zu rows / 16, 3-fold CV, 10 epochs, batch %d\n", n, batches[b]);
            if (nn_tuner_search(t, x, x, n, 10, batches[b]) != NN_OK) printf("search failed: %s\n", nn_tuner_error(t));
            nn_tuner_print_results(t);
        }
    }
    nn_tuner_free(t);
    free(x);
}

/* ---- 3. mostly-linear target: OLS vs plain vs shortcut ------------------ */

static uint64_t g;
static double urand(void)
{
    g ^= g << 13;
    g ^= g >> 7;
    g ^= g << 17;
    return (double)(g >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u1 = urand() + 1e-12, u2 = urand();
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* recipe 0: Dense(64 relu) x 2, Adam 1e-3, MSE. recipe 1 (the seed user's): Dense(256 relu,
   he_normal) x 3, SGD 0.01, MAE loss. */
static double net_mae(const float *x, const float *y, size_t n, size_t d, int shortcut, uint64_t seed, int recipe)
{
    nn_model *m = nn_model_create(d);
    double best = INFINITY;
    size_t e;
    int l;
    nn_model_set_seed(m, seed);
    for (l = 0; l < (recipe ? 3 : 2); l++) {
        nn_layer *h = nn_dense(recipe ? 256 : 64, NN_RELU);
        if (recipe) nn_layer_set_kernel_initializer(h, NN_INIT_HE_NORMAL);
        nn_model_add(m, h);
    }
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_linear_shortcut(m, shortcut);
    if (recipe) nn_model_compile(m, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MAE);
    else nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_fit(m, x, y, n, 30, 32);
    for (e = 0; e < nn_model_history_len(m); e++)
        if (nn_model_history(m, "val_mae", e) < best) best = nn_model_history(m, "val_mae", e);
    nn_model_free(m);
    return best;
}

static void mostly_linear(void)
{
    enum { N = 4000, D = 16 };
    static float x[N * D], y[N];
    static double a[D + 1][D + 2];
    size_t i, j, k, c, p = D + 1, ntr = N * 4 / 5;
    double mu = 0, var = 0, ols = 0;
    uint64_t seed;
    g = 12345;
    for (i = 0; i < N; i++) {
        double t = 0;
        for (j = 0; j < D; j++) {
            x[i * D + j] = (float)nrand();
            t += (j % 2 ? -1.0 : 1.0) * (0.5 + 0.1 * (double)j) * x[i * D + j];
        }
        y[i] = (float)(t + 1.3 * sin(2.0 * x[i * D]));
        mu += y[i];
    }
    mu /= N;
    for (i = 0; i < N; i++) var += (y[i] - mu) * (y[i] - mu);
    var = sqrt(var / N);
    for (i = 0; i < N; i++) y[i] = (float)((y[i] - mu) / var);
    for (i = 0; i < ntr; i++) {
        double r[D + 1];
        for (j = 0; j < D; j++) r[j] = x[i * D + j];
        r[D] = 1;
        for (j = 0; j < p; j++) {
            for (k = 0; k < p; k++) a[j][k] += r[j] * r[k];
            a[j][p] += r[j] * y[i];
        }
    }
    for (j = 0; j < p; j++)
        for (k = 0; k < p; k++)
            if (k != j) {
                double f = a[k][j] / a[j][j];
                for (c = 0; c <= p; c++) a[k][c] -= f * a[j][c];
            }
    for (i = ntr; i < N; i++) {
        double t = a[D][p] / a[D][D];
        for (j = 0; j < D; j++) t += a[j][p] / a[j][j] * x[i * D + j];
        ols += fabs(t - y[i]);
    }
    ols /= (double)(N - ntr);
    printf("== Mostly-linear target (seed 004): 16 inputs, y = linear + 1.3 sin(2 x0), standardized;\n"
           "   30 epochs, batch 32, best validation MAE (last 20%% of 4000 rows)\n");
    for (c = 0; c < 2; c++) {
        printf("   %s\n", c ? "seed recipe: Dense(256 relu, he_normal) x 3, SGD 0.01, MAE loss"
                            : "Dense(64 relu) x 2, Adam 1e-3, MSE loss");
        printf("   %-6s %-10s %-14s %-14s\n", "seed", "OLS", "plain network", "with shortcut");
        for (seed = 1; seed <= 3; seed++)
            printf("   %-6llu %-10.4f %-14.4f %-14.4f\n", (unsigned long long)seed, ols,
                   net_mae(x, y, N, D, 0, seed, (int)c), net_mae(x, y, N, D, 1, seed, (int)c));
    }
}

int main(int argc, char **argv)
{
    regression_search();
    digits_grid(argc > 1 ? argv[1] : "examples/data/digits.csv");
    mostly_linear();
    return 0;
}
