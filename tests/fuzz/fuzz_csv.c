/* libFuzzer: nn_dataset_parse_csv on arbitrary text. The first two bytes configure the reader
   (separator, header, targets by name or index, no targets, skipped and chosen columns, a
   failing allocation); the reader must return a status,
   and on success the shape queries and a subset must be consistent. */
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int seps[4] = { 0, ',', ';', '\t' };
    nn_dataset *d;
    unsigned cfg;
    int chosen = 0;
    nn_status s;
    fz_alloc c;
    nn_allocator a = fz_allocator(&c);
    if (size < 2) return 0;
    cfg = data[0] | (unsigned)data[1] << 8;
    data += 2;
    size -= 2;
    if (cfg & 0x8000) c.fail_at = (long)((cfg >> 10) & 31) + 1;
    d = nn_dataset_create_with_allocator(&a);
    if (!d) {
        fz_check_balanced(&c);
        return 0;
    }
    nn_dataset_set_separator(d, seps[cfg & 3]);
    nn_dataset_set_header(d, (cfg >> 2) & 1);
    switch ((cfg >> 3) & 3) {
    case 1: nn_dataset_add_target_index(d, (cfg >> 5) & 7); break;
    case 2: nn_dataset_add_target_name(d, "y"); nn_dataset_add_target_index(d, 0); break;
    case 3: nn_dataset_set_no_targets(d, 1); break;
    default: break;
    }
    if (cfg & 0x100) { /* skipped columns (unread, so any text) */
        nn_dataset_add_ignore_name(d, "a");
        nn_dataset_add_ignore_name(d, "1");
    }
    if (cfg & 0x200) /* chosen feature columns, in this order (unless an allocation failed) */
        chosen = nn_dataset_add_feature_name(d, "b") == NN_OK && nn_dataset_add_feature_name(d, "0") == NN_OK;
    s = nn_dataset_parse_csv(d, (const char *)data, size);
    if (s == NN_OK) {
        size_t rows = nn_dataset_rows(d), nf = nn_dataset_feature_count(d), nt = nn_dataset_target_count(d), i;
        const float *x = nn_dataset_x(d), *y = nn_dataset_y(d);
        volatile float sink = 0.0f;
        if (rows && nf && !x) abort();
        if (rows && nt && !y) abort();
        for (i = 0; x && i < rows * nf; i++) sink += x[i];
        for (i = 0; y && i < rows * nt; i++) sink += y[i];
        for (i = 0; i < nf; i++) if (!nn_dataset_feature_name(d, i)) abort();
        if (chosen && (nf != 2 || strcmp(nn_dataset_feature_name(d, 0), "b") != 0 ||
                              strcmp(nn_dataset_feature_name(d, 1), "0") != 0))
            abort(); /* exactly the chosen features, in the chosen order */
        for (i = 0; i < nt; i++) if (!nn_dataset_target_name(d, i)) abort();
        if (rows) {
            size_t idx[2] = { rows - 1, 0 };
            nn_dataset *sub = nn_dataset_subset(d, idx, 2);
            if (sub && nn_dataset_rows(sub) != 2) abort();
            nn_dataset_free(sub);
        }
        (void)sink;
    } else if (!*nn_dataset_error(d)) {
        abort(); /* a failure must say why */
    }
    nn_dataset_free(d);
    fz_check_balanced(&c);
    return 0;
}
