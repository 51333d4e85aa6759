/* The seed scenarios in C on a small noisy regression set:
   (1) reproducibility with and without a seed, (2) no regularization vs L2 vs
   dropout + batch norm with early stopping, (3) a learning-rate schedule and
   ReduceLROnPlateau. */
#include "nn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 300
#define D 8

static float X[N * D], Y[N];

static double uniform(unsigned long long *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void make_data(void)
{
    unsigned long long s = 12345;
    int i, j;
    for (i = 0; i < N; i++) {
        double u1, u2;
        for (j = 0; j < D; j++) X[i * D + j] = (float)(uniform(&s) * 4.0 - 2.0);
        u1 = uniform(&s) + 1e-12;
        u2 = uniform(&s);
        Y[i] = (float)(sin(X[i * D]) + 0.5 * X[i * D + 1] * X[i * D + 2] + 0.2 * X[i * D + 3] +
                       0.3 * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
    }
}

static nn_model *build(int seeded, int variant)
{
    nn_model *m = nn_model_create(D);
    nn_layer *a = nn_dense(64, variant == 2 ? NN_LINEAR : NN_RELU);
    nn_layer *b = nn_dense(64, variant == 2 ? NN_LINEAR : NN_RELU);
    if (seeded) nn_model_set_seed(m, 42);
    if (variant == 1) {
        nn_layer_set_kernel_regularizer(a, 0.0f, 1e-2f);
        nn_layer_set_kernel_regularizer(b, 0.0f, 1e-2f);
    }
    nn_model_add(m, a);
    if (variant == 2) {
        nn_model_add(m, nn_batch_norm());
        nn_model_add(m, nn_activation_layer(NN_RELU));
        nn_model_add(m, nn_dropout(0.3f));
    }
    nn_model_add(m, b);
    if (variant == 2) {
        nn_model_add(m, nn_batch_norm());
        nn_model_add(m, nn_activation_layer(NN_RELU));
        nn_model_add(m, nn_dropout(0.3f));
    }
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    return m;
}

static void scenario_seed(void)
{
    int seeded, run;
    printf("(1) five identical trainings, 20 epochs each: final val_loss\n");
    for (seeded = 0; seeded < 2; seeded++) {
        printf("  %-12s", seeded ? "seed 42:" : "no seed:");
        for (run = 0; run < 5; run++) {
            nn_model *m = build(seeded, 0);
            nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
            nn_model_set_validation_split(m, 0.2f);
            nn_model_fit(m, X, Y, N, 20, 32);
            printf(" %.6f", (double)nn_model_history(m, "val_loss", nn_model_history_len(m) - 1));
            nn_model_free(m);
        }
        printf("\n");
    }
}

static void scenario_regularization(void)
{
    static const char *names[3] = { "none", "L2 1e-2", "dropout+batchnorm" };
    int v;
    size_t n_train = 240, n_val = N - 240;
    printf("(2) regularization with EarlyStopping(val_loss, patience 15, restore best)\n");
    printf("  %-18s %6s %10s %10s %8s\n", "model", "epochs", "train_mse", "val_mse", "gap");
    for (v = 0; v < 3; v++) {
        nn_model *m = build(1, v);
        float tl, vl, tm, vm;
        nn_model_compile(m, nn_adam(3e-3f), NN_LOSS_MSE);
        nn_model_add_metric(m, NN_METRIC_MSE);
        nn_model_set_validation_split(m, 0.2f);
        nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 15, 1));
        nn_model_fit(m, X, Y, N, 300, 32);
        nn_model_evaluate(m, X, Y, n_train, &tl);
        tm = nn_model_evaluated_metric(m, "mse");
        nn_model_evaluate(m, X + n_train * D, Y + n_train, n_val, &vl);
        vm = nn_model_evaluated_metric(m, "mse");
        printf("  %-18s %6zu %10.4f %10.4f %8.4f\n", names[v], nn_model_history_len(m), (double)tm, (double)vm,
               (double)(vm - tm));
        nn_model_free(m);
    }
}

static void scenario_lr(void)
{
    nn_model *m;
    nn_optimizer *o;
    nn_schedule *s;
    size_t e;
    printf("(3a) cosine decay with 2-epoch linear warmup (per step, 8 steps/epoch): lr per epoch\n  ");
    m = build(1, 0);
    o = nn_adam(1e-3f);
    s = nn_schedule_cosine_decay(0.0f, 8 * 10, 0.05f);
    nn_schedule_set_warmup(s, 8 * 2, 3e-3f);
    nn_optimizer_set_schedule(o, s);
    nn_model_compile(m, o, NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_fit(m, X, Y, N, 12, 30);
    for (e = 0; e < nn_model_history_len(m); e++) printf("%.5f ", (double)nn_model_history(m, "learning_rate", e));
    printf("\n  final val_loss %.4f\n", (double)nn_model_history(m, "val_loss", nn_model_history_len(m) - 1));
    nn_model_free(m);

    printf("(3b) ReduceLROnPlateau(val_loss, factor 0.5, patience 3, min_lr 1e-4), lr 1e-2: epoch:lr(val_loss)\n");
    m = build(1, 0);
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_reduce_lr_on_plateau("val_loss", 0.5f, 3, 1e-4f));
    nn_model_fit(m, X, Y, N, 40, 32);
    for (e = 0; e < nn_model_history_len(m); e++) {
        printf("%s%zu:%.5f(%.3f)", e % 5 == 0 ? "\n  " : " ", e + 1, (double)nn_model_history(m, "learning_rate", e),
               (double)nn_model_history(m, "val_loss", e));
    }
    printf("\n");
    nn_model_free(m);
}

int main(void)
{
    make_data();
    scenario_seed();
    scenario_regularization();
    scenario_lr();
    return 0;
}
