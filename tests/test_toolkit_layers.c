/* Toolkit layers: Dropout, BatchNorm, LayerNorm, noise, Activation, regularizers,
   use_bias, MaxNorm. */
#include "toolkit_util.h"

TEST(toolkit_dropout_mean_identity_and_seed)
{
    enum { N = 4000 };
    static float x[N];
    static float first[N];
    size_t i;
    double sum = 0.0;
    int k;
    for (i = 0; i < N; i++) x[i] = 1.0f;
    for (k = 0; k < 2; k++) {
        nn_model *m = nn_model_create(N);
        const float *out;
        nn_model_set_seed(m, 7);
        nn_model_add(m, nn_dropout(0.3f));
        nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
        nni_workspace_reserve(m, 1);
        out = nni_forward(m, x, 1, 1);
        if (k == 0) {
            for (i = 0; i < N; i++) {
                sum += out[i];
                CHECK(out[i] == 0.0f || fabsf(out[i] - 1.0f / 0.7f) < 1e-6f);
            }
            memcpy(first, out, sizeof first);
            CHECK_NEAR(sum / N, 1.0, 0.05);
        } else {
            CHECK(memcmp(first, out, sizeof first) == 0); /* same seed, same mask */
        }
        out = nni_forward(m, x, 1, 0);
        for (i = 0; i < N; i++) CHECK(out[i] == 1.0f); /* identity at inference */
        nn_model_free(m);
    }
}

TEST(toolkit_batchnorm_moving_statistics)
{
    /* batch [1,2],[3,4],[5,9]: mean (3, 5), biased var (8/3, 26/3) */
    const float x[6] = { 1, 2, 3, 4, 5, 9 }, y[6] = { 0 };
    float w[8], pred[6];
    size_t needed;
    const float *t;
    nn_model *m = nn_model_create(2);
    nn_layer *bn = nn_batch_norm();
    CHECK_EQ(nn_layer_set_momentum(bn, 0.9f), NN_OK);
    nn_model_add(m, bn);
    nn_model_set_shuffle(m, 0);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.0f, 0, 0), NN_LOSS_MSE), NN_OK);
    CHECK_EQ(nn_model_param_count(m), 8);
    CHECK_EQ(nn_model_trainable_param_count(m), 4);
    CHECK_EQ(nn_layer_weight_tensors(bn), 4);
    CHECK_EQ(nn_model_get_weights(m, w, 8, &needed), NN_OK);
    CHECK(w[0] == 1 && w[1] == 1 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 1 && w[7] == 1);
    CHECK_EQ(nn_model_fit(m, x, y, 3, 1, 3), NN_OK);
    nn_model_get_weights(m, w, 8, NULL);
    CHECK_NEAR(w[4], 0.3, 1e-6);
    CHECK_NEAR(w[5], 0.5, 1e-6);
    CHECK_NEAR(w[6], 0.9 + 0.1 * 8.0 / 3.0, 1e-6);
    CHECK_NEAR(w[7], 0.9 + 0.1 * 26.0 / 3.0, 1e-5);
    CHECK_EQ(nn_model_fit(m, x, y, 3, 1, 3), NN_OK);
    nn_model_get_weights(m, w, 8, NULL);
    CHECK_NEAR(w[4], 0.57, 1e-6);
    CHECK_NEAR(w[6], 0.9 * (0.9 + 0.8 / 3.0) + 0.8 / 3.0, 1e-5);
    /* inference uses the moving statistics */
    nn_model_predict(m, x, 3, pred);
    CHECK_NEAR(pred[0], (1.0 - 0.57) / sqrt(w[6] + 1e-3), 1e-5);
    CHECK_NEAR(pred[5], (9.0 - w[5]) / sqrt(w[7] + 1e-3), 1e-5);
    /* training uses the batch statistics */
    t = nni_forward(m, x, 3, 1);
    CHECK_NEAR(t[0], (1.0 - 3.0) / sqrt(8.0 / 3.0 + 1e-3), 1e-5);
    CHECK_NEAR(t[5], (9.0 - 5.0) / sqrt(26.0 / 3.0 + 1e-3), 1e-5);
    nn_model_free(m);
}

TEST(toolkit_batchnorm_gradient_check)
{
    float x[6 * 3], y[6 * 2];
    nn_model *m = nn_model_create(3);
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(4, NN_LINEAR));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_activation_layer(NN_TANH));
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    tk_fill(x, 18, 1);
    tk_fill(y, 12, 2);
    /* non-trivial gamma/beta */
    {
        float g[4] = { 1.5f, 0.5f, -1.0f, 2.0f }, b[4] = { 0.1f, -0.2f, 0.3f, 0.0f };
        CHECK_EQ(nn_layer_set_weights(nn_model_layer(m, 1), 0, g, 4), NN_OK);
        CHECK_EQ(nn_layer_set_weights(nn_model_layer(m, 1), 1, b, 4), NN_OK);
    }
    nni_workspace_reserve(m, 6);
    CHECK(tk_grad_check(m, x, y, 6) < 2e-2);
    nn_model_free(m);
}

TEST(toolkit_layernorm_gradient_check_and_output)
{
    float x[5 * 4], y[5 * 3];
    const float *o;
    nn_model *m = nn_model_create(4);
    nn_layer *ln = nn_layer_norm();
    nn_model_set_seed(m, 4);
    nn_model_add(m, ln);
    nn_model_add(m, nn_dense(3, NN_SIGMOID));
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_BINARY_CROSSENTROPY);
    CHECK_EQ(nn_model_param_count(m), 8 + 15);
    tk_fill(x, 20, 5);
    tk_fill(y, 15, 6);
    {
        size_t i;
        for (i = 0; i < 15; i++) y[i] = y[i] > 0 ? 1.0f : 0.0f;
    }
    {
        float g[4] = { 1.5f, 0.5f, -1.0f, 2.0f }, b[4] = { 0.1f, -0.2f, 0.3f, 0.0f };
        nn_layer_set_weights(ln, 0, g, 4);
        nn_layer_set_weights(ln, 1, b, 4);
    }
    nni_workspace_reserve(m, 5);
    CHECK(tk_grad_check(m, x, y, 5) < 2e-2);
    {
        /* row [1,2,3,4] -> (x - 2.5) / sqrt(1.25 + 1e-3) with gamma 1, beta 0 */
        float ones[4] = { 1, 1, 1, 1 }, zeros[4] = { 0 }, r[4] = { 1, 2, 3, 4 };
        nn_layer_set_weights(ln, 0, ones, 4);
        nn_layer_set_weights(ln, 1, zeros, 4);
        nni_forward(m, r, 1, 0);
        o = m->ws.act[0];
        CHECK_NEAR(o[0], -1.5 / sqrt(1.251), 1e-5);
        CHECK_NEAR(o[3], 1.5 / sqrt(1.251), 1e-5);
    }
    nn_model_free(m);
}

TEST(toolkit_regularizers_exact_penalty_and_gradient)
{
    /* Dense(2) on 2 inputs: kernel [[1,-2],[3,0.5]], bias [0.5,-1] */
    const float w[6] = { 1, -2, 3, 0.5f, 0.5f, -1 };
    const float x[4] = { 1, 0, 0, 1 }, y[4] = { 0, 0, 0, 0 };
    float loss, mae;
    double mse = 0.0, pen;
    nn_model *m = nn_model_create(2);
    nn_layer *d = nn_dense(2, NN_LINEAR);
    CHECK_EQ(nn_layer_set_kernel_regularizer(d, 0.01f, 0.02f), NN_OK);
    CHECK_EQ(nn_layer_set_bias_regularizer(d, 0.1f, 0.5f), NN_OK);
    nn_model_add(m, d);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_compile(m, nn_sgd(0.0f, 0, 0), NN_LOSS_MSE);
    CHECK_EQ(nn_model_set_weights(m, w, 6), NN_OK);
    /* rows: x0 -> [1.5, -3], x1 -> [3.5, -0.5] */
    mse = ((1.5 * 1.5 + 9.0) / 2.0 + (3.5 * 3.5 + 0.25) / 2.0) / 2.0;
    pen = 0.01 * (1 + 2 + 3 + 0.5) + 0.02 * (1 + 4 + 9 + 0.25) + 0.1 * 1.5 + 0.5 * 1.25;
    CHECK_EQ(nn_model_evaluate(m, x, y, 2, &loss), NN_OK);
    CHECK_NEAR(loss, mse + pen, 1e-5);
    mae = nn_model_evaluated_metric(m, "mae");
    CHECK_NEAR(mae, ((1.5 + 3.0) / 2 + (3.5 + 0.5) / 2) / 2, 1e-6); /* no penalty in metrics */
    CHECK_EQ(nn_model_fit(m, x, y, 2, 1, 2), NN_OK);
    CHECK_NEAR(nn_model_history(m, "loss", 0), mse + pen, 1e-5);
    CHECK_NEAR(nn_model_history(m, "mae", 0), mae, 1e-6);
    nni_workspace_reserve(m, 2);
    CHECK(tk_grad_check(m, x, y, 2) < 2e-2);
    nn_model_free(m);
}

TEST(toolkit_activation_layer_fuses_like_dense)
{
    float x[8 * 3], y[8], wa[15], wb[15];
    float la, lb;
    size_t i;
    nn_model *a = nn_model_create(3), *b = nn_model_create(3);
    tk_fill(x, 24, 9);
    for (i = 0; i < 8; i++) y[i] = (float)(i % 3);
    nn_model_set_seed(a, 1);
    nn_model_set_seed(b, 1);
    nn_model_add(a, nn_dense(3, NN_SOFTMAX));
    nn_model_add(b, nn_dense(3, NN_LINEAR));
    nn_model_add(b, nn_activation_layer(NN_SOFTMAX));
    nn_model_set_shuffle(a, 0);
    nn_model_set_shuffle(b, 0);
    nn_model_compile(a, nn_sgd(0.5f, 0, 0), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_compile(b, nn_sgd(0.5f, 0, 0), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    CHECK(nni_fused_logits(b) != NULL);
    nn_model_get_weights(a, wa, 15, NULL);
    nn_model_set_weights(b, wa, 12);
    nn_model_fit(a, x, y, 8, 3, 4);
    nn_model_fit(b, x, y, 8, 3, 4);
    nn_model_get_weights(a, wa, 15, NULL);
    nn_model_get_weights(b, wb, 15, NULL);
    for (i = 0; i < 12; i++) CHECK_NEAR(wa[i], wb[i], 1e-6);
    nn_model_evaluate(a, x, y, 8, &la);
    nn_model_evaluate(b, x, y, 8, &lb);
    CHECK_NEAR(la, lb, 1e-6);
    nn_model_free(a);
    nn_model_free(b);
}

TEST(toolkit_gaussian_noise_and_dropout)
{
    enum { N = 20000 };
    static float x[N];
    const float *o;
    double s = 0.0, s2 = 0.0;
    size_t i;
    nn_model *m = nn_model_create(N);
    nn_model_set_seed(m, 11);
    nn_model_add(m, nn_gaussian_noise(0.5f));
    nn_model_add(m, nn_gaussian_dropout(0.2f));
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    for (i = 0; i < N; i++) x[i] = 2.0f;
    nni_workspace_reserve(m, 1);
    o = nni_forward(m, x, 1, 1);
    for (i = 0; i < N; i++) {
        s += o[i];
        s2 += (double)o[i] * o[i];
    }
    s /= N;
    s2 = s2 / N - s * s;
    CHECK_NEAR(s, 2.0, 0.03);
    /* Var((2 + e) k) = E[(2+e)^2] E[k^2] - 4 = 4.25 * 1.25 - 4 = 1.3125 */
    CHECK_NEAR(s2, 1.3125, 0.06);
    o = nni_forward(m, x, 1, 0);
    for (i = 0; i < N; i++) CHECK(o[i] == 2.0f);
    CHECK(nn_gaussian_noise(-1.0f) == NULL);
    CHECK(nn_gaussian_dropout(1.0f) == NULL);
    nn_model_free(m);
}

TEST(toolkit_use_bias_and_max_norm)
{
    float x[16 * 4], y[16 * 3], k[12];
    size_t i, c;
    nn_model *m = nn_model_create(4);
    nn_layer *d = nn_dense(3, NN_LINEAR);
    CHECK_EQ(nn_layer_set_use_bias(d, 0), NN_OK);
    CHECK_EQ(nn_layer_set_kernel_max_norm(d, 0.5f), NN_OK);
    nn_model_add(m, d);
    {
        nn_layer *dr = nn_dropout(0.1f);
        CHECK_EQ(nn_layer_set_use_bias(dr, 0), NN_ERR_INVALID_ARG);
        nn_layer_free(dr);
    }
    nn_model_set_seed(m, 5);
    nn_model_compile(m, nn_sgd(1.0f, 0, 0), NN_LOSS_MSE);
    CHECK_EQ(nn_model_param_count(m), 12);
    CHECK_EQ(nn_layer_set_use_bias(d, 1), NN_ERR_STATE);
    tk_fill(x, 64, 12);
    for (i = 0; i < 48; i++) y[i] = 10.0f;
    CHECK_EQ(nn_model_fit(m, x, y, 16, 3, 4), NN_OK);
    nn_layer_weights(d, 0, k, 12);
    for (c = 0; c < 3; c++) {
        double ss = 0.0;
        for (i = 0; i < 4; i++) ss += (double)k[i * 3 + c] * k[i * 3 + c];
        CHECK(sqrt(ss) <= 0.5 + 1e-6);
        CHECK(sqrt(ss) > 0.49); /* large steps push every unit to the bound */
    }
    nn_model_free(m);
}
