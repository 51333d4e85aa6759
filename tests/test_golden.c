/* Golden hashes: fixed small trainings whose weights and saved model files must have the
   same bits on every architecture and SIMD path (make test-cross runs this file under
   qemu-aarch64, qemu-s390x and qemu-x86_64 -cpu Nehalem/Haswell; the firmware build runs
   golden_xor on a Cortex-M4). If a deliberate numeric change moves them, update the values
   in tests/golden.h from the printed hashes and say so in the commit. */
#include "harness.h"
#include "golden.h"
#include "gemm/gemm.h"
#include <stdlib.h>

/* deterministic data from integers only */
static float tgd_val(uint32_t i)
{
    uint32_t h = i * 2654435761u;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    return (float)(int32_t)(h % 2001u - 1000) / 250.0f; /* [-4, 4] in steps of 1/250 */
}

TEST(golden_mixed_model_hash)
{
    enum { N = 120, D = 6, C = 3 };
    static float x[N * D], y[N * C];
    float w[2048];
    size_t i, j, nw = 0, nbuf = 0;
    unsigned char *buf;
    uint64_t hw, hf;
    nn_model *m = nn_model_create(D);
    nni_gemm g;
    nni_gemm_init(&g);
    printf("  gemm isa: %s\n", nni_gemm_isa_name(&g));
    for (i = 0; i < N; i++) {
        float s = 0.0f;
        for (j = 0; j < D; j++) x[i * D + j] = tgd_val((uint32_t)(i * D + j)), s += x[i * D + j] * (float)(j + 1);
        for (j = 0; j < C; j++) y[i * C + j] = 0.0f;
        y[i * C + (s > 2.0f ? 2 : s > -2.0f ? 1 : 0)] = 1.0f;
    }
    nn_model_set_seed(m, 2024);
    nn_model_add(m, nn_dense(16, NN_GELU));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_dropout(0.25f));
    nn_model_add(m, nn_gaussian_noise(0.1f));
    nn_model_add(m, nn_dense(12, NN_ELU));
    nn_model_add(m, nn_dense(8, NN_TANH));
    nn_model_add(m, nn_dense(8, NN_SWISH));
    nn_model_add(m, nn_dense(C, NN_SOFTMAX));
    CHECK(nn_model_compile(m, nn_adam(0.01f), NN_LOSS_CATEGORICAL_CROSSENTROPY) == NN_OK);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.25f);
    CHECK(nn_model_fit(m, x, y, N, 6, 16) == NN_OK);
    CHECK(nn_model_get_weights(m, w, sizeof w / sizeof w[0], &nw) == NN_OK);
    hw = golden_fnv_floats(GOLDEN_FNV_INIT, w, nw);
    CHECK(nn_model_save_buffer(m, NULL, 0, &nbuf) == NN_OK);
    buf = (unsigned char *)malloc(nbuf);
    CHECK(buf && nn_model_save_buffer(m, buf, nbuf, NULL) == NN_OK);
    hf = golden_fnv(GOLDEN_FNV_INIT, buf, nbuf);
    printf("  mixed model: weights %016llx file %016llx (%zu bytes), final loss %.9g\n",
           (unsigned long long)hw, (unsigned long long)hf, nbuf,
           (double)nn_model_history(m, "loss", nn_model_history_len(m) - 1));
    CHECK_MSG(hw == GOLDEN_MIXED_WEIGHTS_HASH, "weights hash %016llx != golden", (unsigned long long)hw);
    CHECK_MSG(hf == GOLDEN_MIXED_FILE_HASH, "file hash %016llx != golden", (unsigned long long)hf);
    free(buf);
    nn_model_free(m);
}

TEST(golden_xor_hash)
{
    uint64_t h = 0;
    float p[4];
    CHECK(golden_xor(NULL, &h, p) == NN_OK);
    printf("  xor: weights %016llx, predictions %.4f %.4f %.4f %.4f\n", (unsigned long long)h, (double)p[0],
           (double)p[1], (double)p[2], (double)p[3]);
    CHECK(p[0] < 0.2f && p[1] > 0.8f && p[2] > 0.8f && p[3] < 0.2f);
    CHECK_MSG(h == GOLDEN_XOR_HASH, "xor hash %016llx != golden", (unsigned long long)h);
}
