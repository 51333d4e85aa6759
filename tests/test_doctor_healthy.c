/* Healthy runs on the shipped real data sets (read with nn_dataset, standardized by attached
   scalers fitted on the training rows, sensible recipes): the doctor must not raise a single
   warning. */
#include "harness.h"
#include "nn.h"

static void print_warnings(const nn_model *m, const char *name)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(m); i++)
        if (nn_model_finding_severity(m, i) > 0)
            th_fail(__FILE__, __LINE__, "%s: unexpected warning %s: %s", name, nn_model_finding_code(m, i),
                    nn_model_finding_message(m, i));
}

/* The last column is the target. */
static nn_dataset *load(const char *path)
{
    nn_dataset *d = nn_dataset_create();
    if (!d || nn_dataset_read_csv(d, path) != NN_OK) {
        th_fail(__FILE__, __LINE__, "cannot read %s: %s", path, d ? nn_dataset_error(d) : nn_last_error());
        nn_dataset_free(d);
        return NULL;
    }
    return d;
}

/* A model on d's features whose inputs (and targets, if scale_y) are standardized. */
static nn_model *scaled_model(const nn_dataset *d, int scale_y)
{
    nn_model *m = nn_model_create(nn_dataset_feature_count(d));
    nn_model_set_seed(m, 1);
    CHECK_EQ(nn_model_set_input_scaler(m, nn_standard_scaler()), NN_OK);
    if (scale_y) CHECK_EQ(nn_model_set_target_scaler(m, nn_standard_scaler()), NN_OK);
    return m;
}

TEST(doctor_healthy_iris)
{
    nn_dataset *d = load("examples/data/iris.csv");
    nn_model *m;
    if (!d) return;
    m = scaled_model(d, 0);
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 10, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, nn_dataset_x(d), nn_dataset_y(d), nn_dataset_rows(d), 100, 16) == NN_OK);
    print_warnings(m, "iris");
    nn_model_free(m);
    nn_dataset_free(d);
}

TEST(doctor_healthy_diabetes)
{
    nn_dataset *d = load("examples/data/diabetes.csv");
    nn_model *m;
    if (!d) return;
    m = scaled_model(d, 1);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 10, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, nn_dataset_x(d), nn_dataset_y(d), nn_dataset_rows(d), 200, 32) == NN_OK);
    print_warnings(m, "diabetes");
    nn_model_free(m);
    nn_dataset_free(d);
}

TEST(doctor_healthy_digits)
{
    nn_dataset *d = load("examples/data/digits.csv");
    nn_model *m;
    if (!d) return;
    m = scaled_model(d, 0);
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(10, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 5, 1));
    nn_model_add_callback(m, nn_doctor());
    CHECK(nn_model_fit(m, nn_dataset_x(d), nn_dataset_y(d), nn_dataset_rows(d), 15, 32) == NN_OK);
    print_warnings(m, "digits");
    CHECK(nn_model_finding_count(m) >= 1); /* constant pixels: info only */
    nn_model_free(m);
    nn_dataset_free(d);
}
