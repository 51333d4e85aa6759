/*
 * save_reload: read a CSV, scale inputs and targets, train, save the model, then
 * run this program again in a second process that loads the file and predicts
 * the same test rows; the two sets of predictions must be identical bytes.
 *
 *   save_reload [data.csv [model.nn]]        train, save, re-execute, compare
 *   save_reload --predict model.nn data.csv  print predictions of the test rows
 */
#include "nn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 2024
#define SHOW 8

/* The same seeded split in both processes: the first 20% of a shuffled order are test rows. */
static nn_dataset *load_test_rows(const char *csv, nn_dataset **train)
{
    nn_dataset *d = nn_dataset_create(), *test;
    size_t n, *idx, ntr, nva, nte;
    if (nn_dataset_read_csv(d, csv) != NN_OK) {
        fprintf(stderr, "%s\n", nn_dataset_error(d));
        nn_dataset_free(d);
        return NULL;
    }
    n = nn_dataset_rows(d);
    idx = (size_t *)malloc(n * sizeof *idx);
    nn_split_indices(n, 0.0f, 0.2f, SEED, idx, &ntr, &nva, &nte);
    test = nn_dataset_subset(d, idx + ntr, nte);
    if (train) *train = nn_dataset_subset(d, idx, ntr);
    free(idx);
    nn_dataset_free(d);
    return test;
}

/* One line per test row: the float's bits and its value. */
static void print_predictions(FILE *f, const float *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned long bits = 0;
        unsigned char b[4];
        memcpy(b, &p[i], 4);
        bits = (unsigned long)b[0] | (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 | (unsigned long)b[3] << 24;
        fprintf(f, "row %zu: %08lx %.6f\n", i, bits, (double)p[i]);
    }
}

static int predict_mode(const char *model_path, const char *csv)
{
    nn_dataset *test = load_test_rows(csv, NULL);
    nn_model *m = nn_model_load(model_path);
    float out[SHOW];
    if (!test || !m) {
        fprintf(stderr, "cannot load: %s\n", nn_last_error());
        return 1;
    }
    if (nn_model_predict(m, nn_dataset_x(test), SHOW, out) != NN_OK) {
        fprintf(stderr, "%s\n", nn_model_error(m));
        return 1;
    }
    print_predictions(stdout, out, SHOW);
    nn_model_free(m);
    nn_dataset_free(test);
    return 0;
}

int main(int argc, char **argv)
{
    const char *csv = argc > 1 ? argv[1] : "examples/data/diabetes.csv";
    const char *model_path = argc > 2 ? argv[2] : "save_reload_model.nn";
    const char *out_path = "save_reload_second.txt";
    nn_dataset *train = NULL, *test;
    nn_model *m;
    float out[SHOW], loss;
    char cmd[4096], mine[2048], theirs[2048];
    size_t nm = 0, nt;
    FILE *f;
    int same;

    if (argc == 4 && strcmp(argv[1], "--predict") == 0) return predict_mode(argv[2], argv[3]);

    test = load_test_rows(csv, &train);
    if (!test || !train) return 1;
    printf("%s: %zu training rows, %zu test rows, %zu features\n", csv, nn_dataset_rows(train), nn_dataset_rows(test),
           nn_dataset_feature_count(train));

    m = nn_model_create(nn_dataset_feature_count(train));
    nn_model_set_seed(m, SEED);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    /* predict takes raw inputs and returns disease progression in its own units */
    nn_model_set_input_scaler(m, nn_standard_scaler());
    nn_model_set_target_scaler(m, nn_standard_scaler());
    if (nn_model_fit(m, nn_dataset_x(train), nn_dataset_y(train), nn_dataset_rows(train), 100, 32) != NN_OK) {
        fprintf(stderr, "fit: %s\n", nn_model_error(m));
        return 1;
    }
    nn_model_evaluate(m, nn_dataset_x(test), nn_dataset_y(test), nn_dataset_rows(test), &loss);
    printf("test MSE (standardized target) %.4f\n", (double)loss);
    if (nn_model_save(m, model_path) != NN_OK) {
        fprintf(stderr, "save: %s\n", nn_model_error(m));
        return 1;
    }
    nn_model_predict(m, nn_dataset_x(test), SHOW, out);
    f = tmpfile();
    print_predictions(f, out, SHOW);
    rewind(f);
    nm = fread(mine, 1, sizeof mine - 1, f);
    fclose(f);
    mine[nm] = '\0';
    printf("this process:\n%s", mine);

    snprintf(cmd, sizeof cmd, "\"%s\" --predict \"%s\" \"%s\" > \"%s\"", argv[0], model_path, csv, out_path);
    if (system(cmd) != 0) {
        fprintf(stderr, "second process failed: %s\n", cmd);
        return 1;
    }
    f = fopen(out_path, "rb");
    if (!f) return 1;
    nt = fread(theirs, 1, sizeof theirs - 1, f);
    fclose(f);
    theirs[nt] = '\0';
    remove(out_path);
    printf("second process (loaded %s):\n%s", model_path, theirs);
    same = nm == nt && memcmp(mine, theirs, nm) == 0;
    printf("predictions identical: %s\n", same ? "yes" : "NO");
    nn_model_free(m);
    nn_dataset_free(train);
    nn_dataset_free(test);
    return same ? 0 : 1;
}
