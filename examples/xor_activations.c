/* Seed example: XOR with a sigmoid vs a ReLU hidden layer (2 units, as in the Keras question).
   Both are trained the same way (Adam 0.01, binary crossentropy, 1000 epochs, full batch) over
   10 seeds; we report how many seeds solve XOR (all 4 points right) and the mean final loss.
   Takeaway: with only 2 hidden units, ReLU units often die and get stuck (a dead unit gives 0
   gradient), while sigmoid ones train slowly but steadily; 8 units make both reliable. */
#include "nn.h"
#include <stdio.h>

static const float X[8] = {0, 0, 0, 1, 1, 0, 1, 1};
static const float Y[4] = {0, 1, 1, 0};

/* Returns 1 when the model classifies all four points right; *loss gets the final loss. */
static int run(nn_activation hidden, size_t units, uint64_t seed, float *loss)
{
    float out[4];
    int solved = 1, i;
    nn_model *m = nn_model_create(2);
    nn_model_set_seed(m, seed);
    nn_model_add(m, nn_dense(units, hidden));
    nn_model_add(m, nn_dense(1, NN_SIGMOID));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_BINARY_CROSSENTROPY);
    nn_model_set_shuffle(m, 0);
    if (nn_model_fit(m, X, Y, 4, 1000, 4) != NN_OK) {
        fprintf(stderr, "fit failed: %s\n", nn_model_error(m));
        nn_model_free(m);
        return 0;
    }
    nn_model_evaluate(m, X, Y, 4, loss);
    nn_model_predict(m, X, 4, out);
    for (i = 0; i < 4; i++)
        if ((out[i] > 0.5f) != (Y[i] > 0.5f)) solved = 0;
    nn_model_free(m);
    return solved;
}

int main(void)
{
    const nn_activation acts[2] = {NN_SIGMOID, NN_RELU};
    const char *names[2] = {"sigmoid", "relu"};
    const size_t widths[2] = {2, 8};
    size_t w;
    int a;
    printf("XOR, hidden Dense(units, act) -> Dense(1, sigmoid), Adam(0.01), 1000 epochs, 10 seeds\n");
    printf("%-8s %-6s %-14s %s\n", "hidden", "units", "solved seeds", "mean final loss");
    for (w = 0; w < 2; w++)
        for (a = 0; a < 2; a++) {
            int solved = 0;
            double total = 0.0;
            uint64_t seed;
            for (seed = 1; seed <= 10; seed++) {
                float loss = 0.0f;
                solved += run(acts[a], widths[w], seed, &loss);
                total += loss;
            }
            printf("%-8s %-6zu %2d/10          %.4f\n", names[a], widths[w], solved, total / 10.0);
        }
    return 0;
}
