/* Seed example: unscaled vs standardized inputs when features live on very different scales
   (an area in square feet ~1e3, a rate ~1e-3, a count ~1). Same network, optimizer and epochs;
   the only difference is StandardScaler-style standardization fitted on the training rows.
   The target is y = 2*(area/1000) + 300*rate + 0.5*rooms^2/10 + noise. */
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000
#define D 3

static float uniform(unsigned *s, float lo, float hi)
{
    *s = *s * 1103515245u + 12345u;
    return lo + (hi - lo) * (float)((*s >> 8) & 0xFFFFFF) / 16777215.0f;
}

/* StandardScaler: (x - mean) / std per column, statistics of the first n_fit rows. */
static void standardize(float *x, size_t n, size_t d, size_t n_fit)
{
    size_t i, j;
    for (j = 0; j < d; j++) {
        double mean = 0.0, var = 0.0, sd;
        for (i = 0; i < n_fit; i++) mean += x[i * d + j];
        mean /= (double)n_fit;
        for (i = 0; i < n_fit; i++) var += (x[i * d + j] - mean) * (x[i * d + j] - mean);
        sd = var > 0.0 ? sqrt(var / (double)n_fit) : 1.0;
        for (i = 0; i < n; i++) x[i * d + j] = (float)((x[i * d + j] - mean) / sd);
    }
}

static float train(float *x, const float *y, const char *label)
{
    nn_model *m = nn_model_create(D);
    size_t last;
    float val_mse;
    nn_model_set_seed(m, 7);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    if (nn_model_fit(m, x, y, N, 100, 32) != NN_OK) {
        printf("%-13s fit failed: %s\n", label, nn_model_error(m));
        nn_model_free(m);
        return -1.0f;
    }
    last = nn_model_history_len(m) - 1;
    val_mse = nn_model_history(m, "val_loss", last);
    printf("%-13s val MSE after epoch 1: %9.4f   after epoch 100: %8.4f\n", label,
           (double)nn_model_history(m, "val_loss", 0), (double)val_mse);
    nn_model_free(m);
    return val_mse;
}

int main(void)
{
    static float x[N * D], y[N];
    unsigned s = 2024;
    size_t i;
    float raw, scaled;
    double var = 0.0, mean = 0.0;
    for (i = 0; i < N; i++) {
        float area = uniform(&s, 500.0f, 5000.0f), rate = uniform(&s, 0.001f, 0.01f), rooms = uniform(&s, 1.0f, 6.0f);
        x[i * D] = area;
        x[i * D + 1] = rate;
        x[i * D + 2] = rooms;
        y[i] = 2.0f * area / 1000.0f + 300.0f * rate + 0.05f * rooms * rooms + uniform(&s, -0.1f, 0.1f);
        mean += y[i];
    }
    mean /= N;
    for (i = 0; i < N; i++) var += (y[i] - mean) * (y[i] - mean);
    printf("features: area 500..5000, rate 0.001..0.01, rooms 1..6; target variance %.3f\n", var / N);
    printf("Dense(32 relu) x2 -> Dense(1), Adam(1e-3), MSE, batch 32, 100 epochs, last 20%% validation\n");
    raw = train(x, y, "unscaled:");
    standardize(x, N, D, (size_t)(N * 0.8)); /* statistics of the training rows only */
    scaled = train(x, y, "standardized:");
    printf("=> standardized inputs reach %.1fx lower validation MSE\n", (double)(raw / scaled));
    return 0;
}
