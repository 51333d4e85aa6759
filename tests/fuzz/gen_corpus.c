/* Writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/ (run from the repository
   root: make fuzz-corpus). Seeds are valid inputs so the fuzzers start deep in the parsers. */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(const char *dir, const char *name, const void *prefix, size_t np, const void *b, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "tests/fuzz/corpus/%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) { perror(path); exit(1); }
    fwrite(prefix, 1, np, f);
    fwrite(b, 1, n, f);
    fclose(f);
}

static void put_model(const char *dir, const char *name, unsigned char mode, nn_model *m, int weights_only)
{
    size_t need = 0;
    unsigned char *b;
    if (weights_only) nn_model_save_weights_buffer(m, NULL, 0, &need);
    else nn_model_save_buffer(m, NULL, 0, &need);
    b = malloc(need);
    if (weights_only) nn_model_save_weights_buffer(m, b, need, NULL);
    else nn_model_save_buffer(m, b, need, NULL);
    put(dir, name, &mode, 1, b, need);
    free(b);
}

static void fit_small(nn_model *m, size_t in, size_t out, int sparse)
{
    float x[16 * 8], y[16 * 4];
    size_t i;
    for (i = 0; i < 16 * in; i++) x[i] = (float)((i * 7) % 11) / 5.0f - 1.0f;
    for (i = 0; i < 16 * (sparse ? 1 : out); i++) y[i] = sparse ? (float)(i % out) : (float)(i % 2);
    nn_model_fit(m, x, y, 16, 2, 4);
}

int main(void)
{
    nn_model *m;
    /* full model files: every layer kind, several optimizers, scalers and validation data */
    m = nn_model_create(3);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_dropout(0.2f));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    fit_small(m, 3, 3, 1);
    put_model("load_model", "adam_bn_dropout", 0, m, 0);
    put_model("load_model", "adam_bn_dropout_fixframe", 1, m, 0);
    put_model("load_model", "weights_only", 0, m, 1);
    nn_model_free(m);

    m = nn_model_create(2);
    nn_model_add(m, nn_layer_norm());
    nn_model_add(m, nn_gaussian_noise(0.1f));
    nn_model_add(m, nn_gaussian_dropout(0.1f));
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    nn_model_add(m, nn_activation_layer(NN_TANH));
    nn_model_compile(m, nn_rmsprop(0.01f), NN_LOSS_MSE);
    nn_model_set_input_scaler(m, nn_standard_scaler());
    nn_model_set_target_scaler(m, nn_minmax_scaler(0.0f, 1.0f));
    {
        float vx[4] = { 1, 2, 3, 4 }, vy[4] = { 0, 1, 1, 0 };
        nn_model_set_validation_data(m, vx, vy, 2);
    }
    fit_small(m, 2, 2, 0);
    put_model("load_model", "rmsprop_norm_noise_scalers_vald", 1, m, 0);
    {
        static const char *const in_names[2] = { "x0", "income (EUR)" }, *const out_names[2] = { "y", "z" };
        nn_model_set_feature_names(m, in_names, 2);
        nn_model_set_output_names(m, out_names, 2);
        put_model("load_model", "column_names", 1, m, 0);
    }
    nn_model_free(m);

    m = nn_model_create(4);
    nn_model_add(m, nn_dense(3, NN_LEAKY_RELU));
    put_model("load_model", "uncompiled_unbuilt", 0, m, 0);
    nn_model_free(m);

    /* weights files matching fuzz_load_weights.c's target models (kinds 0, 1, 2) */
    m = nn_model_create(3);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dense(2, NN_SOFTMAX));
    nn_model_predict_one(m, (const float[3]){ 0, 0, 0 }, (float[2]){ 0, 0 });
    put_model("load_weights", "kind0_weights", 0 << 1 | 0, m, 1);
    put_model("load_weights", "kind0_full_fixframe", 0 << 1 | 1, m, 0);
    nn_model_free(m);
    m = nn_model_create(3);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_dropout(0.5f));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
    put_model("load_weights", "kind1_weights", 1 << 1 | 1, m, 1);
    nn_model_free(m);
    m = nn_model_create(3);
    nn_model_add(m, nn_layer_norm());
    nn_model_add(m, nn_dense(2, NN_SIGMOID));
    nn_model_compile(m, nn_sgd(0.1f, 0.9f, 1), NN_LOSS_BINARY_CROSSENTROPY);
    put_model("load_weights", "kind2_weights", 2 << 1 | 0, m, 1);
    nn_model_free(m);

    /* CSV texts; two configuration bytes first (see fuzz_csv.c) */
    {
        static const char a[] = "a,b,y\n1,2,3\n4.5e1,-6,NA\n\"7\",8,9\r\n\n";
        static const char b[] = "x;y;z\n1,5;2;3\n?;NaN;N/A\n";
        static const char c[] = "1\t2\t3\n4\t5\t6\n";
        static const char d[] = "\"q\"\"uoted\",y\n\"1\",\"2\"\n3,\n";
        put("csv", "header_last_target", (unsigned char[2]){ 0x04, 0 }, 2, a, sizeof a - 1);
        put("csv", "semicolon_named_target", (unsigned char[2]){ 0x02 | 0x04 | 0x10, 0 }, 2, b, sizeof b - 1);
        put("csv", "tab_no_header_index", (unsigned char[2]){ 0x03 | 0x08 | 0x20, 0 }, 2, c, sizeof c - 1);
        put("csv", "quotes_no_targets", (unsigned char[2]){ 0x04 | 0x18, 0 }, 2, d, sizeof d - 1);
        put("csv", "alloc_fail", (unsigned char[2]){ 0x04, 0x80 | 0x0c }, 2, a, sizeof a - 1);
    }

    /* structure-aware training: byte strings read by fuzz_train.c */
    {
        static const unsigned char t1[] = { 0, 0, 3, 2, 0, 0, 0, 4, 1, 0, 0, 5, 2, 0, 1, 0, 0, 0, 0x10, 0,
                                            0x13, 1, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
        static const unsigned char t2[] = { 1, 0, 2, 3, 1, 1, 1, 0, 8, 0, 3, 2, 2, 0, 7, 7, 0, 0, 200, 1, 2,
                                            3, 4, 5, 6, 7, 8, 9, 0xff, 0x7f, 0xc8, 0xff, 0xff, 0xff };
        static const unsigned char t3[] = { 0x41, 0x00, 4, 4, 5, 1, 9, 3, 0, 2, 0, 0, 4, 0, 0, 1, 0xff, 9, 3, 1,
                                            1, 2, 0xa0, 3, 0xa5, 0xff, 17, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
        static const unsigned char t4[] = { 0, 0, 5, 3, 5, 1, 0, 0, 16, 0, 3, 0, 0, 8, 0, 0, 2, 1, 0x7f, 1, 0x1f,
                                            0x3f, 24, 0xc3, 0xc5, 0xcd, 0xa0, 0xa6, 0xa8, 0x01, 0x02, 0x03, 0x04, 0x05 };
        put("train", "dense_stack", "", 0, t1, sizeof t1);
        put("train", "dropout_nan_data", "", 0, t2, sizeof t2);
        put("train", "alloc_fail_mode", "", 0, t3, sizeof t3);
        put("train", "bn_layer_norm", "", 0, t4, sizeof t4);
    }
    return 0;
}
