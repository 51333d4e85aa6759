/* libFuzzer: nn_model_load_weights_buffer into fixed models (uncompiled, compiled) from arbitrary
   bytes. First byte: bit 0 repairs the framing (magic, length, CRC), bits 1-2 pick the target
   model. A rejected file must leave the model's weights untouched; an accepted one must predict. */
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nn_model *target(unsigned kind)
{
    nn_model *m = nn_model_create(3);
    nn_model_set_seed(m, 1);
    switch (kind & 3) {
    case 0:
        nn_model_add(m, nn_dense(4, NN_RELU));
        nn_model_add(m, nn_dense(2, NN_SOFTMAX));
        break;
    case 1:
        nn_model_add(m, nn_dense(4, NN_TANH));
        nn_model_add(m, nn_batch_norm());
        nn_model_add(m, nn_dropout(0.5f));
        nn_model_add(m, nn_dense(1, NN_LINEAR));
        nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
        break;
    case 2:
        nn_model_add(m, nn_layer_norm());
        nn_model_add(m, nn_dense(2, NN_SIGMOID));
        nn_model_compile(m, nn_sgd(0.1f, 0.9f, 1), NN_LOSS_BINARY_CROSSENTROPY);
        break;
    default:
        break; /* no layers */
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *b;
    size_t len, np, i;
    nn_model *m;
    float *before, *after;
    nn_status s;
    if (size < 1) return 0;
    len = size - 1;
    b = (unsigned char *)malloc(len ? len : 1);
    if (!b) return 0;
    memcpy(b, data + 1, len);
    if (data[0] & 1) fz_fix_frame(b, len);
    m = target(data[0] >> 1);
    if (!m) abort();
    np = nn_model_param_count(m);
    before = (float *)calloc(np + 1, sizeof(float));
    after = (float *)calloc(np + 1, sizeof(float));
    if (!before || !after) abort();
    if (np) nn_model_get_weights(m, before, np, NULL);
    s = nn_model_load_weights_buffer(m, b, len);
    if (s != NN_OK) {
        const char *e = nn_model_error(m);
        if (!e || !*e) abort();
        if (np) {
            nn_model_get_weights(m, after, np, NULL);
            for (i = 0; i < np; i++)
                if (memcmp(&before[i], &after[i], sizeof(float)) != 0) abort(); /* rejected file changed weights */
        }
    } else {
        float x[3] = { 0.5f, -1.0f, 2.0f }, y[4];
        (void)nn_model_predict(m, x, 1, y);
    }
    nn_model_free(m);
    free(before);
    free(after);
    free(b);
    return 0;
}
