/* Healthy runs on the shipped real data sets (standardized, sensible
   recipes): the doctor must not raise a single warning. */
#include "harness.h"
#include "nn.h"
#include "../examples/csv_load.h"

static void print_warnings(const nn_model *m, const char *name)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(m); i++)
        if (nn_model_finding_severity(m, i) > 0)
            th_fail(__FILE__, __LINE__, "%s: unexpected warning %s: %s", name, nn_model_finding_code(m, i),
                    nn_model_finding_message(m, i));
}

/* Load path; x standardized with the first n_fit rows; y the last column (standardized too if scale_y). */
static int load(const char *path, float **x, float **y, size_t *n, size_t *f, int scale_y)
{
    size_t rows, cols, i, j;
    float *d = csv_load(path, &rows, &cols);
    if (!d) return 0;
    *f = cols - 1;
    *n = rows;
    *x = malloc(rows * *f * sizeof **x);
    *y = malloc(rows * sizeof **y);
    for (i = 0; i < rows; i++) {
        for (j = 0; j < *f; j++) (*x)[i * *f + j] = d[i * cols + j];
        (*y)[i] = d[i * cols + *f];
    }
    standardize(*x, rows, *f, *f, (size_t)((double)rows * 0.8));
    if (scale_y) standardize(*y, rows, 1, 1, (size_t)((double)rows * 0.8));
    free(d);
    return 1;
}

TEST(doctor_healthy_iris)
{
    float *x, *y;
    size_t n, f;
    nn_model *m;
    if (!load("examples/data/iris.csv", &x, &y, &n, &f, 0)) {
        th_fail(__FILE__, __LINE__, "cannot read examples/data/iris.csv");
        return;
    }
    m = nn_model_create(f);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 10, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, x, y, n, 100, 16) == NN_OK);
    print_warnings(m, "iris");
    nn_model_free(m);
    free(x);
    free(y);
}

TEST(doctor_healthy_diabetes)
{
    float *x, *y;
    size_t n, f;
    nn_model *m;
    if (!load("examples/data/diabetes.csv", &x, &y, &n, &f, 1)) {
        th_fail(__FILE__, __LINE__, "cannot read examples/data/diabetes.csv");
        return;
    }
    m = nn_model_create(f);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 10, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, x, y, n, 200, 32) == NN_OK);
    print_warnings(m, "diabetes");
    nn_model_free(m);
    free(x);
    free(y);
}

TEST(doctor_healthy_digits)
{
    float *x, *y;
    size_t n, f;
    nn_model *m;
    if (!load("examples/data/digits.csv", &x, &y, &n, &f, 0)) {
        th_fail(__FILE__, __LINE__, "cannot read examples/data/digits.csv");
        return;
    }
    m = nn_model_create(f);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(10, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 5, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, x, y, n, 15, 32) == NN_OK);
    print_warnings(m, "digits");
    CHECK(nn_model_finding_count(m) >= 1); /* constant pixels: info only */
    nn_model_free(m);
    free(x);
    free(y);
}
