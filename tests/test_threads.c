/* Threads and SIMD paths never change results: the GEMM contract fixes every
   output element's fmaf chain, so whole trainings must agree to the bit. */
#include "harness.h"
#include "core/model.h"
#include <stdlib.h>
#include <string.h>

static nn_model *wide_model(int threads, const char *isa)
{
    nn_model *m = nn_model_create(64);
    nn_model_set_seed(m, 7);
    nn_model_add(m, nn_dense(256, NN_RELU));
    nn_model_add(m, nn_dense(256, NN_TANH));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    if (isa) CHECK_EQ(nni_gemm_set_isa(&m->gemm, isa), 0);
    CHECK_EQ(nn_model_set_threads(m, threads), NN_OK);
    return m;
}

static void data(float *x, float *y, size_t n)
{
    size_t i, j;
    uint64_t s = 12345;
    for (i = 0; i < n; i++) {
        float acc = 0.0f;
        for (j = 0; j < 64; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i * 64 + j] = (float)((s >> 40) & 0xFFFF) / 32768.0f - 1.0f;
            acc += x[i * 64 + j] * (float)(j % 3);
        }
        y[i] = (float)((acc > 0.0f) + (acc > 4.0f));
    }
}

static void train_and_compare(const char *isa_a, int threads_a, const char *isa_b, int threads_b)
{
    enum { N = 300 };
    float *x = malloc(N * 64 * sizeof *x), *y = malloc(N * sizeof *y);
    nn_model *a, *b;
    data(x, y, N);
    a = wide_model(threads_a, isa_a);
    b = wide_model(threads_b, isa_b);
    CHECK_EQ(nn_model_fit(a, x, y, N, 2, 128), NN_OK);
    CHECK_EQ(nn_model_fit(b, x, y, N, 2, 128), NN_OK);
    CHECK_EQ(a->n_params, b->n_params);
    CHECK_MSG(memcmp(a->params, b->params, a->n_params * sizeof(float)) == 0,
              "weights differ: %s/%d threads vs %s/%d threads", isa_a ? isa_a : "best", threads_a,
              isa_b ? isa_b : "best", threads_b);
    CHECK(nn_model_history(a, "loss", 1) == nn_model_history(b, "loss", 1));
    nn_model_free(a);
    nn_model_free(b);
    free(x);
    free(y);
}

TEST(threads_training_bit_identical_for_1_2_3_threads)
{
    train_and_compare(NULL, 1, NULL, 2);
    train_and_compare(NULL, 1, NULL, 3);
}

TEST(threads_training_bit_identical_on_every_isa)
{
    static const char *isas[] = { "avx2", "avx512", "neon" };
    size_t i;
    for (i = 0; i < 3; i++) {
        if (nni_gemm_isa_supported(i == 0 ? NNI_ISA_AVX2 : i == 1 ? NNI_ISA_AVX512 : NNI_ISA_NEON))
            train_and_compare("scalar", 1, isas[i], 2);
    }
}

TEST(threads_invalid_count_rejected)
{
    nn_model *m = nn_model_create(2);
    CHECK_EQ(nn_model_set_threads(m, 0), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "threads must be >= 1");
    CHECK_EQ(nn_model_set_threads(NULL, 2), NN_ERR_INVALID_ARG);
    nn_model_free(m);
}
