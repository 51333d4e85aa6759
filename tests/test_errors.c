/* Error paths: each asserts the status and the message, NULL handles never
   crash, and everything handed to a failing call is freed. */
#include "harness.h"
#include "testutil.h"
#include "core/model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static nn_model *small_model(size_t in, size_t out, nn_activation act, nn_loss loss)
{
    nn_model *m = nn_model_create(in);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_dense(out, act));
    if (loss != (nn_loss)-1) nn_model_compile(m, nn_sgd(0.01f, 0, 0), loss);
    return m;
}

TEST(err_null_handles_everywhere)
{
    float x[4] = { 0 }, out[4], l = 0.0f;
    char buf[16];
    size_t needed = 7;
    nn_optimizer *o;
    /* every *_free accepts NULL */
    nn_model_free(NULL);
    nn_layer_free(NULL);
    nn_optimizer_free(NULL);
    nn_callback_free(NULL);
    CHECK_STR_CONTAINS(nn_model_error(NULL), "NULL");
    CHECK_EQ(nn_model_add(NULL, NULL), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_last_error(), "model is NULL");
    CHECK_EQ(nn_model_compile(NULL, NULL, NN_LOSS_MSE), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_seed(NULL, 1), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_input_dim(NULL), 0);
    CHECK_EQ(nn_model_output_dim(NULL), 0);
    CHECK_EQ(nn_model_param_count(NULL), 0);
    CHECK_EQ(nn_model_trainable_param_count(NULL), 0);
    CHECK_EQ(nn_model_layer_count(NULL), 0);
    CHECK_EQ(nn_model_summary(NULL, buf, sizeof buf, &needed), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_print_summary(NULL), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_huber_delta(NULL, 1.0f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_log_sink(NULL, NULL, NULL), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_fit(NULL, x, x, 1, 1, 1), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_validation_split(NULL, 0.1f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_validation_data(NULL, x, x, 1), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_shuffle(NULL, 0), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_verbose(NULL, 0), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_add_metric(NULL, NN_METRIC_MAE), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_add_callback(NULL, NULL), NN_ERR_INVALID_ARG);
    CHECK(isnan(nn_model_learning_rate(NULL)));
    CHECK_EQ(nn_model_set_learning_rate(NULL, 0.1f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_stop_training(NULL), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_history_len(NULL), 0);
    CHECK(isnan(nn_model_history(NULL, "loss", 0)));
    CHECK_EQ(nn_model_history_key_count(NULL), 0);
    CHECK(nn_model_history_key(NULL, 0) == NULL);
    CHECK_EQ(nn_model_evaluate(NULL, x, x, 1, &l), NN_ERR_INVALID_ARG);
    CHECK(isnan(nn_model_evaluated_metric(NULL, "loss")));
    CHECK_EQ(nn_model_predict(NULL, x, 1, out), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_predict_one(NULL, x, out), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_layer_set_kernel_initializer(NULL, NN_INIT_ZEROS), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_layer_set_bias_initializer(NULL, NN_INIT_ZEROS), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_layer_set_kernel_regularizer(NULL, 0.1f, 0.1f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_layer_set_leaky_slope(NULL, 0.1f), NN_ERR_INVALID_ARG);
    CHECK(nn_model_layer(NULL, 0) == NULL);
    CHECK_EQ(nn_layer_output_dim(NULL), 0);
    CHECK_EQ(nn_optimizer_set_beta1(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_beta2(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_epsilon(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_amsgrad(NULL, 1), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_rho(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_momentum(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_centered(NULL, 1), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_initial_accumulator(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_weight_decay(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_clipnorm(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_global_clipnorm(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_clipvalue(NULL, 0.5f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_set_default_allocator(NULL), NN_OK);

    /* NULL data pointers on a live model */
    {
        nn_model *m = small_model(2, 1, NN_LINEAR, NN_LOSS_MSE);
        CHECK_EQ(nn_model_fit(m, NULL, x, 1, 1, 1), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_model_error(m), "must not be NULL");
        CHECK_EQ(nn_model_fit(m, x, NULL, 1, 1, 1), NN_ERR_INVALID_ARG);
        CHECK_EQ(nn_model_evaluate(m, x, x, 1, NULL), NN_ERR_INVALID_ARG);
        CHECK_EQ(nn_model_evaluate(m, NULL, x, 1, &l), NN_ERR_INVALID_ARG);
        CHECK_EQ(nn_model_predict(m, NULL, 1, out), NN_ERR_INVALID_ARG);
        CHECK_EQ(nn_model_predict(m, x, 1, NULL), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_model_error(m), "must not be NULL");
        CHECK_EQ(nn_model_add(m, NULL), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_model_error(m), "layer is NULL");
        CHECK_EQ(nn_model_add_callback(m, NULL), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_model_error(m), "callback is NULL");
        CHECK_EQ(nn_model_compile(m, NULL, NN_LOSS_MSE), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_model_error(m), "optimizer is NULL");
        CHECK_EQ(nn_model_set_validation_data(m, x, NULL, 1), NN_ERR_INVALID_ARG);
        CHECK(isnan(nn_model_history(m, NULL, 0)));
        CHECK(isnan(nn_model_evaluated_metric(m, NULL)));
        CHECK_EQ(nn_model_summary(m, NULL, 0, NULL), NN_OK);
        /* a NULL log sink restores stderr and is accepted */
        CHECK_EQ(nn_model_set_log_sink(m, NULL, NULL), NN_OK);
        nn_model_free(m);
    }
    o = nn_sgd(0.1f, 0, 0);
    CHECK(o != NULL);
    nn_optimizer_free(o);
}

TEST(err_zero_sizes_and_bad_values)
{
    float x[8] = { 0 }, y[8] = { 0 }, out[8], l;
    nn_model *m;
    CHECK(nn_model_create(0) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "input_dim must be > 0");
    CHECK(nn_dense(0, NN_RELU) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "units must be > 0");
    CHECK(nn_dense(3, (nn_activation)42) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "unknown activation 42");
    CHECK(nn_dropout(1.0f) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "rate must be in [0, 1)");
    CHECK(nn_dropout(NAN) == NULL);
    CHECK(nn_sgd(-0.1f, 0, 0) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "learning rate");
    CHECK(nn_adam(INFINITY) == NULL);
    CHECK(nn_sgd(0.1f, 1.5f, 0) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "momentum");
    CHECK(nn_adamw(0.1f, -1.0f) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "weight_decay");
    CHECK(nn_early_stopping("loss", 0.0f, -1, 0) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "patience");

    m = small_model(2, 1, NN_LINEAR, NN_LOSS_MSE);
    CHECK_EQ(nn_model_fit(m, x, y, 0, 1, 1), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "n must be > 0");
    CHECK_EQ(nn_model_fit(m, x, y, 2, 0, 1), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "epochs must be > 0, got 0");
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, -3), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "batch_size must be > 0, got -3");
    CHECK_EQ(nn_model_predict(m, x, 0, out), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "n must be > 0");
    CHECK_EQ(nn_model_evaluate(m, x, y, 0, &l), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "n must be > 0");
    CHECK_EQ(nn_model_set_validation_split(m, 1.0f), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "validation_split must be in [0, 1), got 1");
    CHECK_EQ(nn_model_set_validation_split(m, -0.1f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_validation_split(m, NAN), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_verbose(m, 3), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "verbose must be 0, 1 or 2, got 3");
    CHECK_EQ(nn_model_add_metric(m, (nn_metric)17), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "unknown metric 17");
    CHECK_EQ(nn_model_set_huber_delta(m, 0.0f), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "huber delta");
    CHECK_EQ(nn_model_set_learning_rate(m, -1.0f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_validation_data(m, x, y, 0), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0, 0), (nn_loss)99), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "unknown loss 99");
    CHECK_EQ(nn_layer_set_kernel_regularizer(nn_model_layer(m, 0), -1.0f, 0.0f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_layer_set_kernel_initializer(nn_model_layer(m, 0), (nn_initializer)50), NN_ERR_INVALID_ARG);
    /* a successful call clears the message */
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, 1), NN_OK);
    CHECK(strcmp(nn_model_error(m), "") == 0);
    nn_model_free(m);
    CHECK(strcmp(nn_status_string(NN_OK), "ok") == 0);
    CHECK_STR_CONTAINS(nn_status_string(NN_ERR_NOMEM), "memory");
    CHECK_STR_CONTAINS(nn_status_string(NN_ERR_NONFINITE), "finite");
    CHECK_STR_CONTAINS(nn_status_string((nn_status)1234), "unknown");
    {
        int s;
        for (s = 0; s <= 8; s++) CHECK(nn_status_string((nn_status)s)[0] != '\0');
        CHECK(strcmp(nn_status_string(NN_ERR_INVALID_ARG), nn_status_string(NN_ERR_SHAPE)) != 0);
    }
    CHECK(strcmp(nn_version(), "0.1.0") == 0);
    CHECK_EQ(NN_VERSION_MAJOR * 10000 + NN_VERSION_MINOR * 100 + NN_VERSION_PATCH, 100);
    CHECK_EQ(sizeof(nn_status), sizeof(int));
    CHECK_EQ(sizeof(nn_loss), sizeof(int));
}

TEST(err_state_fit_before_compile_add_after_compile)
{
    float x[4] = { 1, 2, 3, 4 }, y[2] = { 1, 2 }, out[2], l;
    nn_model *m = nn_model_create(2);
    CHECK_EQ(nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "no layers");
    CHECK_EQ(nn_model_predict(m, x, 1, out), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "no layers");
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, 1), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "call nn_model_compile before nn_model_fit");
    CHECK_STR_CONTAINS(nn_last_error(), "call nn_model_compile before nn_model_fit");
    CHECK_EQ(nn_model_evaluate(m, x, y, 2, &l), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "nn_model_compile");
    CHECK_EQ(nn_model_set_learning_rate(m, 0.1f), NN_ERR_STATE);
    CHECK(isnan(nn_model_learning_rate(m)));
    CHECK_EQ(nn_model_set_validation_data(m, x, y, 2), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "nn_model_compile first");
    CHECK_EQ(nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE), NN_OK);
    CHECK_EQ(nn_model_add(m, nn_dense(1, NN_LINEAR)), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "already built");
    CHECK_EQ(nn_model_layer_count(m), 1);
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, 1), NN_OK);
    /* recompiling swaps the optimizer and keeps the weights */
    {
        float before[3];
        memcpy(before, m->params, sizeof before);
        CHECK_EQ(nn_model_compile(m, nn_sgd(0.5f, 0, 0), NN_LOSS_MAE), NN_OK);
        CHECK(memcmp(before, m->params, sizeof before) == 0);
        CHECK_NEAR(nn_model_learning_rate(m), 0.5f, 0);
    }
    nn_model_free(m);
}

TEST(err_shapes_and_class_indices)
{
    float x[7 * 2] = { 0 }, y[7] = { 0, 1, 2, 1, 0, 7, 1 }, l, out[21];
    nn_model *m = small_model(2, 3, NN_SOFTMAX, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    CHECK_EQ(nn_model_fit(m, x, y, 7, 1, 4), NN_ERR_INVALID_ARG);
    CHECK(strcmp(nn_model_error(m), "y[5] = 7 is not a class index below 3") == 0);
    CHECK_EQ(nn_model_history_len(m), 0);
    CHECK_EQ(nn_model_evaluate(m, x, y, 7, &l), NN_ERR_INVALID_ARG);
    CHECK(strcmp(nn_model_error(m), "y[5] = 7 is not a class index below 3") == 0);
    y[5] = 1.5f;
    CHECK_EQ(nn_model_fit(m, x, y, 7, 1, 4), NN_ERR_INVALID_ARG);
    CHECK(strcmp(nn_model_error(m), "y[5] = 1.5 is not a class index below 3") == 0);
    y[5] = -1.0f;
    CHECK_EQ(nn_model_fit(m, x, y, 7, 1, 4), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "y[5] = -1 is not a class index");
    y[5] = 3.0f;
    CHECK_EQ(nn_model_set_validation_data(m, x, y, 7), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "validation y[5] = 3 is not a class index below 3");
    y[5] = 2.0f;
    CHECK_EQ(nn_model_set_validation_data(m, x, y, 7), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 7, 1, 4), NN_OK);
    CHECK_EQ(nn_model_predict(m, x, 7, out), NN_OK);
    CHECK_EQ(nn_model_output_dim(m), 3);
    nn_model_free(m);
    /* a Dense too large for size_t is refused at add */
    m = nn_model_create((size_t)1 << 40);
    CHECK_EQ(nn_model_add(m, nn_dense((size_t)1 << 40, NN_LINEAR)), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "overflows");
    CHECK_EQ(nn_model_layer_count(m), 0);
    nn_model_free(m);
}

TEST(err_nonfinite_inputs_named_by_row_and_column)
{
    enum { N = 20, D = 5 };
    float x[N * D], y[N * 2], out[N * 2], l;
    size_t i;
    nn_model *m = small_model(D, 2, NN_LINEAR, NN_LOSS_MSE);
    for (i = 0; i < N * D; i++) x[i] = (float)i * 0.01f;
    for (i = 0; i < N * 2; i++) y[i] = 0.5f;
    x[17 * D + 3] = NAN;
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 4), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "x[17][3] is NaN") == 0);
    CHECK_STR_CONTAINS(nn_last_error(), "x[17][3] is NaN");
    CHECK_EQ(nn_model_predict(m, x, N, out), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "x[17][3] is NaN") == 0);
    CHECK_EQ(nn_model_evaluate(m, x, y, N, &l), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "x[17][3] is NaN") == 0);
    x[17 * D + 3] = -INFINITY;
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 4), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "x[17][3] is Inf") == 0);
    x[17 * D + 3] = 0.0f;
    y[2 * 2 + 1] = INFINITY;
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 4), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "y[2][1] is Inf") == 0);
    CHECK_EQ(nn_model_set_validation_data(m, x, y, N), NN_ERR_NONFINITE);
    CHECK_STR_CONTAINS(nn_model_error(m), "validation y[2][1] is Inf");
    /* NaN in the validation rows of a split is caught too */
    y[2 * 2 + 1] = 0.0f;
    x[19 * D] = NAN;
    nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 4), NN_ERR_NONFINITE);
    CHECK(strcmp(nn_model_error(m), "x[19][0] is NaN") == 0);
    x[19 * D] = 1.0f;
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 4), NN_OK);
    CHECK(strcmp(nn_model_error(m), "") == 0);
    nn_model_free(m);
}

static int count_ok_batches(nn_model *m, int batch, float loss, void *user)
{
    (void)m;
    (void)batch;
    if (isfinite(loss)) (*(int *)user)++;
    return 0;
}

TEST(err_loss_becomes_nonfinite_names_epoch_and_batch)
{
    enum { N = 32 };
    float x[N * 3], y[N];
    size_t i;
    int epoch = 0, batch = 0, ok_batches = 0;
    nn_model *m = nn_model_create(3);
    nn_model_set_seed(m, 6);
    nn_model_add(m, nn_dense(8, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_sgd(1e4f, 0, 0), NN_LOSS_MSE);
    nn_model_add_callback(m, nn_callback_custom(NULL, NULL, count_ok_batches, &ok_batches));
    for (i = 0; i < N * 3; i++) x[i] = (float)(i % 7) - 3.0f;
    for (i = 0; i < N; i++) y[i] = 100.0f * (float)(i % 3);
    CHECK_EQ(nn_model_fit(m, x, y, N, 50, 8), NN_ERR_NONFINITE);
    CHECK_STR_CONTAINS(nn_model_error(m), "loss became ");
    CHECK_STR_CONTAINS(nn_model_error(m), "try a lower learning rate");
    CHECK(sscanf(strstr(nn_model_error(m), "at epoch"), "at epoch %d, batch %d", &epoch, &batch) == 2);
    CHECK(epoch >= 1 && batch >= 1 && batch <= 4);
    /* every batch before the reported one completed; the reported one did not */
    CHECK_EQ(ok_batches, (epoch - 1) * 4 + (batch - 1));
    CHECK_EQ(nn_model_history_len(m), (size_t)(epoch - 1));
    nn_model_free(m);
}

TEST(err_validation_split_leaving_no_rows)
{
    float x[2] = { 1, 2 }, y[2] = { 1, 2 };
    nn_model *m = small_model(1, 1, NN_LINEAR, NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.5f);
    CHECK_EQ(nn_model_fit(m, x, y, 1, 1, 1), NN_ERR_INVALID_ARG);
    CHECK(strcmp(nn_model_error(m), "validation_split 0.5 of 1 rows leaves 0 training and 1 validation rows") == 0);
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, 1), NN_OK);
    nn_model_free(m);
}

TEST(err_ownership_on_failing_calls)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    float x[2] = { 1, 2 };
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    CHECK_EQ(nn_set_default_allocator(&a), NN_OK);
    /* NULL model: the argument is freed */
    CHECK_EQ(nn_model_add(NULL, nn_dense(3, NN_RELU)), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_compile(NULL, nn_adam(0.1f), NN_LOSS_MSE), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_add_callback(NULL, nn_early_stopping("loss", 0, 1, 1)), NN_ERR_INVALID_ARG);
    CHECK_EQ(c.allocs, 3);
    CHECK_EQ(c.frees, 3);
    /* failing calls on a model */
    m = nn_model_create(2);
    CHECK_EQ(nn_model_compile(m, nn_adam(0.1f), NN_LOSS_MSE), NN_ERR_STATE); /* no layers */
    CHECK_EQ(nn_model_add(m, nn_dense(3, NN_RELU)), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_rmsprop(0.1f), (nn_loss)77), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0.9f, 1), NN_LOSS_MSE), NN_OK);
    CHECK_EQ(nn_model_add(m, nn_dense(1, NN_RELU)), NN_ERR_STATE);
    CHECK_EQ(nn_model_add(m, nn_dropout(0.1f)), NN_ERR_STATE);
    CHECK_EQ(nn_model_add_callback(m, nn_callback_custom(NULL, NULL, NULL, NULL)), NN_OK);
    {
        float y3[3] = { 0.5f, 0.25f, 1.0f };
        CHECK_EQ(nn_model_fit(m, x, y3, 1, 2, 1), NN_OK);
    }
    nn_model_free(m);
    CHECK_EQ(c.allocs, c.frees);
    CHECK_EQ(c.live_bytes, 0);
    /* a model created with its own allocator still frees constructor-made
       objects with the allocator that made them */
    {
        tu_counter mc;
        nn_allocator ma;
        tu_counter_reset(&mc);
        ma = tu_allocator(&mc);
        m = nn_model_create_with_allocator(2, &ma);
        nn_model_add(m, nn_dense(2, NN_RELU));
        nn_model_compile(m, nn_adam(0.1f), NN_LOSS_MSE);
        nn_model_add(m, nn_dense(2, NN_RELU));
        nn_model_free(m);
        CHECK_EQ(mc.allocs, mc.frees);
        CHECK(mc.allocs > 0);
    }
    CHECK_EQ(c.allocs, c.frees);
    CHECK_EQ(c.live_bytes, 0);
    CHECK_EQ(nn_set_default_allocator(NULL), NN_OK);
    {
        nn_allocator bad = { NULL, NULL, NULL };
        CHECK_EQ(nn_set_default_allocator(&bad), NN_ERR_INVALID_ARG);
        CHECK(nn_model_create_with_allocator(2, &bad) == NULL);
        CHECK_STR_CONTAINS(nn_last_error(), "allocator lacks alloc or free");
    }
}

TEST(err_validation_data_width_checked_after_recompile)
{
    /* validation targets copied for one loss must not be read with another loss's width */
    float x[6] = {0, 1, 2, 3, 4, 5}, y3[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, yi[3] = {0, 1, 2};
    nn_model *m = nn_model_create(2);
    CHECK_EQ(nn_model_add(m, nn_dense(3, NN_SOFTMAX)), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY), NN_OK);
    CHECK_EQ(nn_model_set_validation_data(m, x, yi, 3), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_CATEGORICAL_CROSSENTROPY), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y3, 3, 1, 3), NN_ERR_SHAPE);
    CHECK_STR_CONTAINS(nn_model_error(m), "validation targets have 1 values per row but the compiled loss needs 3");
    CHECK_EQ(nn_model_set_validation_data(m, x, y3, 3), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y3, 3, 1, 3), NN_OK);
    nn_model_free(m);
}

TEST(err_compile_out_of_memory_leaves_model_unbuilt)
{
    /* a failed compile must leave the model as it was: layers can still be added */
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    long n_before;
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    m = nn_model_create_with_allocator(4, &a);
    CHECK_EQ(nn_model_add(m, nn_dense(8, NN_RELU)), NN_OK);
    n_before = c.allocs;
    /* allow the store and workspace, fail the optimizer state: find that allocation by sweeping */
    {
        long k;
        nn_status s = NN_ERR_NOMEM;
        for (k = 1; s == NN_ERR_NOMEM && k < 100; k++) {
            c.fail_at = c.allocs + c.failed + k;
            s = nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
            if (s == NN_ERR_NOMEM) CHECK_MSG(!m->built && m->params == NULL, "model left built after failing allocation %ld", k);
        }
        c.fail_at = 0;
        CHECK_EQ(s, NN_OK);
    }
    CHECK(c.allocs > n_before);
    CHECK_EQ(nn_model_add(m, nn_dense(1, NN_LINEAR)), NN_ERR_STATE);
    nn_model_free(m);
    CHECK_EQ(c.live_bytes, 0);
}

TEST(err_loss_overflowing_float_is_nonfinite)
{
    /* A batch loss can be finite in the double accumulator (1e72) yet Inf as the
       float32 value history and callbacks see; that must stop fit as NN_ERR_NONFINITE,
       with and without TerminateOnNaN (seeds found by sweeping). */
    static const uint64_t seeds[] = { 3 * 7919, 26 * 7919, 58 * 7919, 102 * 7919 };
    float x[64 * 3], y[64];
    uint32_t s = 777;
    size_t i, k;
    int tnan;
    for (i = 0; i < 64 * 3; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = ((float)(s >> 8) / (float)(1u << 24) * 2.0f - 1.0f) * 1e3f;
    }
    for (i = 0; i < 64; i++) y[i] = 1e-3f * (x[i * 3] - 2.0f * x[i * 3 + 1]);
    for (tnan = 0; tnan < 2; tnan++)
        for (k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            nn_model *m = nn_model_create(3);
            nn_model_set_seed(m, seeds[k]);
            nn_model_add(m, nn_dense(1, NN_LINEAR));
            nn_model_compile(m, nn_sgd(1e30f, 0.0f, 0), NN_LOSS_MSE);
            if (tnan) nn_model_add_callback(m, nn_terminate_on_nan());
            CHECK_EQ(nn_model_fit(m, x, y, 64, 50, 16), NN_ERR_NONFINITE);
            CHECK_STR_CONTAINS(nn_model_error(m), "loss became");
            nn_model_free(m);
        }
}
