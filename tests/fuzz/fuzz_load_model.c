/* libFuzzer: nn_model_load_buffer on arbitrary bytes. The first byte picks a mode: bit 0 repairs
   the framing (magic, length, CRC) so mutations reach the section parsers; bit 1 loads through a
   counting allocator that fails at an input-chosen allocation. A model that loads must be usable:
   predict, save again, and the re-saved bytes must load to a model that saves identically. */
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *b;
    unsigned mode;
    size_t len;
    nn_model *m;
    fz_alloc c;
    nn_allocator a = fz_allocator(&c);
    if (size < 1) return 0;
    mode = data[0];
    len = size - 1;
    b = (unsigned char *)malloc(len ? len : 1);
    if (!b) return 0;
    memcpy(b, data + 1, len);
    if (mode & 1) fz_fix_frame(b, len);
    if (mode & 2) {
        c.fail_at = (long)(mode >> 3) + 1;
        c.persistent = (mode & 4) != 0;
        m = nn_model_load_buffer_with_allocator(b, len, &a);
    } else {
        m = nn_model_load_buffer(b, len);
    }
    if (!m) {
        const char *e = nn_last_error();
        if (!e || !*e || nn_last_load_status() == NN_OK) abort(); /* a failure must say why */
    } else {
        size_t in = nn_model_input_dim(m), out = nn_model_output_dim(m), need = 0;
        if (in <= 4096 && out <= 4096) {
            float *x = (float *)calloc(2 * in + 1, sizeof(float)), *y = (float *)calloc(2 * out + 1, sizeof(float));
            if (x && y) (void)nn_model_predict(m, x, 2, y);
            free(x);
            free(y);
        }
        if (nn_model_save_buffer(m, NULL, 0, &need) == NN_OK && need) {
            unsigned char *s = (unsigned char *)malloc(need);
            if (s && nn_model_save_buffer(m, s, need, NULL) == NN_OK) {
                nn_model *m2 = nn_model_load_buffer(s, need);
                size_t need2 = 0;
                if (!m2) abort(); /* what the library wrote must load */
                if (nn_model_save_buffer(m2, NULL, 0, &need2) != NN_OK || need2 != need) abort();
                nn_model_free(m2);
            }
            free(s);
        }
        nn_model_free(m);
    }
    fz_check_balanced(&c);
    free(b);
    return 0;
}
