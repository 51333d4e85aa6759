/* The training doctor: for each finding a fixed-seed scenario that triggers
   it and the same scenario fixed, where it must not fire. */
#include "harness.h"
#include "nn.h"
#include <stdlib.h>

static unsigned long long dr_state;
static void dr_seed(unsigned long long s) { dr_state = s * 2654435761ull + 88172645463325252ull; }
static double dr_u(void)
{
    dr_state ^= dr_state << 13;
    dr_state ^= dr_state >> 7;
    dr_state ^= dr_state << 17;
    return (double)(dr_state >> 11) / 9007199254740992.0;
}
static double dr_n(void) { return sqrt(-2.0 * log(dr_u() + 1e-300)) * cos(6.283185307179586 * dr_u()); }

static int has(const nn_model *m, const char *code)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(m); i++)
        if (strcmp(nn_model_finding_code(m, i), code) == 0) return 1;
    return 0;
}

static int has_warning(const nn_model *m, const char *code)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(m); i++)
        if (strcmp(nn_model_finding_code(m, i), code) == 0) return nn_model_finding_severity(m, i) == 1;
    return 0;
}

static const char *msg(const nn_model *m, const char *code)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(m); i++)
        if (strcmp(nn_model_finding_code(m, i), code) == 0) return nn_model_finding_message(m, i);
    return "";
}

/* n rows of d standard normal features */
static float *normal_x(size_t n, size_t d)
{
    float *x = malloc(n * d * sizeof *x);
    size_t i;
    for (i = 0; i < n * d; i++) x[i] = (float)dr_n();
    return x;
}

static nn_model *mlp(size_t in, size_t hidden, nn_activation act, size_t out, nn_activation out_act, nn_optimizer *opt,
                     nn_loss loss, float val_split)
{
    nn_model *m = nn_model_create(in);
    nn_model_set_seed(m, 7);
    if (hidden) nn_model_add(m, nn_dense(hidden, act));
    nn_model_add(m, nn_dense(out, out_act));
    nn_model_compile(m, opt, loss);
    if (val_split > 0.0f) nn_model_set_validation_split(m, val_split);
    nn_model_add_callback(m, nn_doctor());
    return m;
}

TEST(doctor_unscaled_inputs_and_exploding_gradients)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dr_seed(1);
        x = normal_x(n, 3);
        for (i = 0; i < n; i++) {
            y[i] = 0.8f * x[i * 3] + 0.5f * x[i * 3 + 1] + 0.1f * (float)dr_n();
            if (!fixed) {
                x[i * 3] = 50000.0f + 15000.0f * x[i * 3];
                x[i * 3 + 2] = 0.5f + 0.2f * x[i * 3 + 2];
            }
        }
        m = mlp(3, 16, NN_RELU, 1, NN_LINEAR, nn_adam(1e-3f), NN_LOSS_MSE, 0.2f);
        CHECK(nn_model_fit(m, x, y, n, 3, 32) == NN_OK);
        CHECK(has(m, "unscaled_inputs") == !fixed);
        CHECK(has(m, "exploding_gradients") == !fixed);
        if (!fixed) {
            CHECK_STR_CONTAINS(msg(m, "unscaled_inputs"), "feature 0");
            CHECK_STR_CONTAINS(msg(m, "unscaled_inputs"), "nn_model_set_input_scaler");
            CHECK_STR_CONTAINS(msg(m, "exploding_gradients"), "layer 0");
        }
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_constant_features_are_info)
{
    size_t n = 100, i;
    float *x, *y = malloc(n * sizeof *y);
    nn_model *m;
    dr_seed(2);
    x = normal_x(n, 3);
    for (i = 0; i < n; i++) {
        x[i * 3 + 1] = 4.0f;
        y[i] = x[i * 3];
    }
    m = mlp(3, 8, NN_RELU, 1, NN_LINEAR, nn_adam(1e-3f), NN_LOSS_MSE, 0.0f);
    CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
    CHECK(has(m, "constant_features"));
    CHECK(!has_warning(m, "constant_features"));
    CHECK_STR_CONTAINS(msg(m, "constant_features"), "feature 1 is always 4");
    CHECK(!has(m, "unscaled_inputs"));
    nn_model_free(m);
    free(x);
    free(y);
}

TEST(doctor_unscaled_targets)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dr_seed(3);
        x = normal_x(n, 2);
        for (i = 0; i < n; i++) y[i] = (x[i * 2] + 0.1f * (float)dr_n()) * (fixed ? 1.0f : 80.0f) + (fixed ? 0.0f : 150.0f);
        m = mlp(2, 8, NN_RELU, 1, NN_LINEAR, nn_adam(1e-3f), NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
        CHECK(has(m, "unscaled_targets") == !fixed);
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_loss_activation_mismatch)
{
    size_t n = 120, i;
    float *x, *y = malloc(n * sizeof *y), *yc = malloc(n * sizeof *yc);
    int fixed;
    dr_seed(4);
    x = normal_x(n, 2);
    for (i = 0; i < n; i++) {
        y[i] = x[i * 2] - 0.5f * x[i * 2 + 1];
        yc[i] = y[i] > 0.0f ? 1.0f : 0.0f;
    }
    for (fixed = 0; fixed < 2; fixed++) {
        /* relu output for targets that go negative */
        nn_model *m = mlp(2, 8, NN_RELU, 1, fixed ? NN_LINEAR : NN_RELU, nn_adam(1e-3f), NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
        CHECK(has(m, "loss_activation_mismatch") == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(msg(m, "loss_activation_mismatch"), "NN_LINEAR");
        nn_model_free(m);
        /* sigmoid with MSE on 0/1 labels */
        m = mlp(2, 8, NN_RELU, 1, NN_SIGMOID, nn_adam(1e-3f), fixed ? NN_LOSS_BINARY_CROSSENTROPY : NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, yc, n, 2, 32) == NN_OK);
        CHECK(has(m, "loss_activation_mismatch") == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(msg(m, "loss_activation_mismatch"), "NN_LOSS_BINARY_CROSSENTROPY");
        nn_model_free(m);
        /* softmax with binary crossentropy */
        m = mlp(2, 8, NN_RELU, 1, fixed ? NN_SIGMOID : NN_SOFTMAX, nn_adam(1e-3f), NN_LOSS_BINARY_CROSSENTROPY, 0.0f);
        CHECK(nn_model_fit(m, x, yc, n, 2, 32) == NN_OK);
        CHECK(has(m, "loss_activation_mismatch") == !fixed);
        nn_model_free(m);
    }
    free(x);
    free(y);
    free(yc);
}

TEST(doctor_class_imbalance)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dr_seed(5);
        x = normal_x(n, 2);
        for (i = 0; i < n; i++) y[i] = fixed ? (float)(i % 3) : (i % 40 == 0 ? 2.0f : (float)(i % 2));
        m = mlp(2, 8, NN_RELU, 3, NN_SOFTMAX, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
        CHECK(has(m, "class_imbalance") == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(msg(m, "class_imbalance"), "class 2 has 5 of 200");
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_learning_rate_configuration)
{
    size_t n = 100, i;
    float *x, *y = malloc(n * sizeof *y);
    float lrs[3] = {0.5f, 1e-7f, 1e-3f};
    int k;
    dr_seed(6);
    x = normal_x(n, 2);
    for (i = 0; i < n; i++) y[i] = x[i * 2];
    for (k = 0; k < 3; k++) {
        nn_model *m = mlp(2, 8, NN_RELU, 1, NN_LINEAR, nn_adam(lrs[k]), NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
        CHECK(has(m, "lr_too_high") == (k == 0));
        CHECK(has(m, "lr_too_low") == (k == 1));
        if (k == 0) CHECK_STR_CONTAINS(msg(m, "lr_too_high"), "nn_adam(1e-3f)");
        nn_model_free(m);
    }
    free(x);
    free(y);
}

TEST(doctor_nonfinite_loss_is_lr_too_high)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        nn_status s;
        dr_seed(7);
        x = normal_x(n, 4);
        for (i = 0; i < n; i++) y[i] = 3.0f * x[i * 4] + x[i * 4 + 1];
        m = mlp(4, 32, NN_RELU, 1, NN_LINEAR, nn_sgd(fixed ? 0.01f : 5.0f, 0.0f, 0), NN_LOSS_MSE, 0.0f);
        s = nn_model_fit(m, x, y, n, 5, 16);
        CHECK((s == NN_ERR_NONFINITE) == !fixed);
        CHECK(has(m, "lr_too_high") == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(msg(m, "lr_too_high"), "loss became");
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_lr_too_low_dynamic)
{
    size_t n = 256, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dr_seed(8);
        x = normal_x(n, 4);
        for (i = 0; i < n; i++) y[i] = x[i * 4] - x[i * 4 + 1] + 0.5f * x[i * 4 + 2];
        m = mlp(4, 16, NN_RELU, 1, NN_LINEAR, nn_sgd(fixed ? 0.05f : 2e-4f, 0.0f, 0), NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 12, 32) == NN_OK);
        CHECK(has(m, "lr_too_low") == !fixed);
        CHECK(!has(m, "lr_too_high"));
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_dead_relu)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dr_seed(9);
        x = normal_x(n, 4);
        for (i = 0; i < n * 4; i++) x[i] = fixed ? x[i] : 10.0f + 0.05f * x[i];
        for (i = 0; i < n; i++) y[i] = fixed ? x[i * 4] : (x[i * 4] - 10.0f) * 20.0f;
        m = mlp(4, 64, NN_RELU, 1, NN_LINEAR, nn_adam(1e-3f), NN_LOSS_MSE, 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 3, 32) == NN_OK);
        CHECK(has(m, "dead_relu") == !fixed);
        if (!fixed) {
            CHECK_STR_CONTAINS(msg(m, "dead_relu"), "ReLU units never active in epoch 3");
            CHECK_STR_CONTAINS(msg(m, "dead_relu"), "NN_INIT_HE_NORMAL");
        }
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_vanishing_gradients)
{
    size_t n = 256, i, k;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    dr_seed(10);
    x = normal_x(n, 4);
    for (i = 0; i < n; i++) y[i] = x[i * 4] * x[i * 4 + 1] > 0.0f ? 1.0f : 0.0f;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m = nn_model_create(4);
        nn_model_set_seed(m, 3);
        for (k = 0; k < 8; k++) {
            nn_layer *l = nn_dense(16, fixed ? NN_RELU : NN_SIGMOID);
            if (fixed) nn_layer_set_kernel_initializer(l, NN_INIT_HE_NORMAL);
            nn_model_add(m, l);
        }
        nn_model_add(m, nn_dense(1, NN_SIGMOID));
        nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_BINARY_CROSSENTROPY);
        nn_model_add_callback(m, nn_doctor());
        CHECK(nn_model_fit(m, x, y, n, 3, 32) == NN_OK);
        CHECK(has(m, "vanishing_gradients") == !fixed);
        nn_model_free(m);
    }
    free(x);
    free(y);
}

TEST(doctor_sees_inputs_after_the_attached_scaler)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y);
    nn_model *m;
    dr_seed(11);
    x = normal_x(n, 3);
    for (i = 0; i < n; i++) {
        y[i] = 0.8f * x[i * 3] + 0.1f * (float)dr_n();
        x[i * 3] = 50000.0f + 15000.0f * x[i * 3];
    }
    m = mlp(3, 16, NN_RELU, 1, NN_LINEAR, nn_adam(1e-3f), NN_LOSS_MSE, 0.2f);
    CHECK(nn_model_set_input_scaler(m, nn_standard_scaler()) == NN_OK);
    CHECK(nn_model_fit(m, x, y, n, 3, 32) == NN_OK);
    CHECK(!has(m, "unscaled_inputs"));
    CHECK(!has(m, "exploding_gradients"));
    nn_model_free(m);
    free(x);
    free(y);
}
