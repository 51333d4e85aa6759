/* Helper of tests/bigendian/run.sh. "write FILE": build a small trained model (with scalers) and
   save it. "read FILE OUT": load FILE, print the bits of its predictions on fixed inputs, and
   save it again to OUT (the format is canonical: the bytes must equal FILE's). */
#include "nn.h"
#include <stdio.h>
#include <string.h>

static void inputs(float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = (float)((i * 37u) % 101u) / 10.0f - 5.0f;
}

int main(int argc, char **argv)
{
    float x[16 * 4], y[16], p[16];
    size_t i;
    inputs(x, 16 * 4);
    if (argc == 3 && strcmp(argv[1], "write") == 0) {
        nn_model *m = nn_model_create(4);
        for (i = 0; i < 16; i++) y[i] = x[i * 4] * 2.0f - x[i * 4 + 3] + 100.0f;
        nn_model_set_seed(m, 9);
        nn_model_add(m, nn_dense(6, NN_RELU));
        nn_model_add(m, nn_dropout(0.2f));
        nn_model_add(m, nn_dense(1, NN_LINEAR));
        nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
        nn_model_set_input_scaler(m, nn_standard_scaler());
        nn_model_set_target_scaler(m, nn_minmax_scaler(-1.0f, 1.0f));
        if (nn_model_fit(m, x, y, 16, 5, 4) != NN_OK || nn_model_save(m, argv[2]) != NN_OK) {
            fprintf(stderr, "%s\n", nn_model_error(m));
            return 1;
        }
        nn_model_free(m);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "read") == 0) {
        nn_model *m = nn_model_load(argv[2]);
        if (!m) {
            fprintf(stderr, "load: %s\n", nn_last_error());
            return 1;
        }
        if (nn_model_predict(m, x, 16, p) != NN_OK) return 1;
        for (i = 0; i < 16; i++) {
            uint32_t v; /* the value's bits, printed independently of byte order */
            memcpy(&v, &p[i], 4);
            printf("%08lx\n", (unsigned long)v);
        }
        if (nn_model_save(m, argv[3]) != NN_OK) return 1;
        nn_model_free(m);
        return 0;
    }
    fprintf(stderr, "usage: %s write FILE | read FILE OUT\n", argv[0]);
    return 2;
}
