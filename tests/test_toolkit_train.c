/* Schedules, sample/class weights, weight access and clone. */
#include "toolkit_util.h"

TEST(toolkit_schedules_hand_computed)
{
    static const double exp_smooth[10] = { .1, .0707106781, .05, .0353553391, .025, .0176776695, .0125, .00883883476, .00625, .00441941738 };
    static const double exp_stair[10] = { .1, .1, .05, .05, .025, .025, .0125, .0125, .00625, .00625 };
    static const double inv[10] = { .1, .0666666667, .05, .04, .0333333333, .0285714286, .025, .0222222222, .02, .0181818182 };
    static const double pw[10] = { 1, 1, 1, 1, .5, .5, .5, .1, .1, .1 };
    static const double cosd[11] = { .1, .0975528258, .0904508497, .0793892626, .0654508497, .05, .0345491503, .0206107374, .00954915028, .00244717419, 0 };
    static const double warm[10] = { 0, .025, .05, .075, .1, .0975528258, .0904508497, .0793892626, .0654508497, .05 };
    const int64_t bounds[2] = { 3, 6 };
    const float vals[3] = { 1.0f, 0.5f, 0.1f };
    nn_schedule *e1 = nn_schedule_exponential_decay(0.1f, 2, 0.5f, 0);
    nn_schedule *e2 = nn_schedule_exponential_decay(0.1f, 2, 0.5f, 1);
    nn_schedule *it = nn_schedule_inverse_time_decay(0.1f, 1, 0.5f, 0);
    nn_schedule *p = nn_schedule_piecewise_constant(bounds, vals, 2);
    nn_schedule *c = nn_schedule_cosine_decay(0.1f, 10, 0.0f);
    nn_schedule *w = nn_schedule_cosine_decay(0.0f, 10, 0.0f);
    int s;
    CHECK_EQ(nn_schedule_set_warmup(w, 4, 0.1f), NN_OK);
    CHECK_EQ(nn_schedule_set_warmup(e1, 4, 0.1f), NN_ERR_INVALID_ARG);
    for (s = 0; s < 10; s++) {
        CHECK_NEAR(nn_schedule_value(e1, s), exp_smooth[s], 1e-8);
        CHECK_NEAR(nn_schedule_value(e2, s), exp_stair[s], 1e-8);
        CHECK_NEAR(nn_schedule_value(it, s), inv[s], 1e-8);
        CHECK_NEAR(nn_schedule_value(p, s), pw[s], 1e-8);
        CHECK_NEAR(nn_schedule_value(c, s), cosd[s], 1e-8);
        CHECK_NEAR(nn_schedule_value(w, s), warm[s], 1e-8);
    }
    CHECK_NEAR(nn_schedule_value(c, 10), 0.0, 1e-9);
    CHECK_NEAR(nn_schedule_value(c, 25), 0.0, 1e-9);  /* clamped after decay_steps */
    CHECK_NEAR(nn_schedule_value(w, 14), 0.0, 1e-9);
    CHECK_NEAR(nn_schedule_value(w, 40), 0.0, 1e-9);
    nn_schedule_free(e1);
    nn_schedule_free(e2);
    nn_schedule_free(it);
    nn_schedule_free(p);
    nn_schedule_free(c);
    nn_schedule_free(w);
}

static const float X[8] = { -1, -0.7f, -0.4f, -0.1f, 0.2f, 0.5f, 0.8f, 1.1f };
static const float Y[8] = { 1, 0.5f, 0.1f, 0, 0.1f, 0.4f, 0.7f, 1.2f };

TEST(toolkit_schedule_in_fit_per_step_and_per_epoch)
{
    int e;
    for (e = 0; e < 2; e++) {
        nn_model *m = nn_model_create(1);
        nn_optimizer *o = nn_sgd(0.5f, 0, 0);
        nn_schedule *s = nn_schedule_exponential_decay(0.1f, 1, 0.5f, 0);
        int k;
        if (e) nn_schedule_set_per_epoch(s, 1);
        CHECK_EQ(nn_optimizer_set_schedule(o, s), NN_OK);
        nn_model_add(m, nn_dense(1, NN_LINEAR));
        nn_model_compile(m, o, NN_LOSS_MSE);
        /* per step: 2 batches per epoch, history shows the last step's lr (step 2k+1) */
        CHECK_EQ(nn_model_fit(m, X, Y, 8, 10, 4), NN_OK);
        for (k = 0; k < 10; k++)
            CHECK_NEAR(nn_model_history(m, "learning_rate", (size_t)k), 0.1 * pow(0.5, e ? k : 2 * k + 1), 1e-8);
        /* ReduceLROnPlateau refuses a scheduled optimizer (as Keras) */
        nn_model_add_callback(m, nn_reduce_lr_on_plateau("loss", 0.1f, 1, 0.0f));
        CHECK_EQ(nn_model_fit(m, X, Y, 8, 2, 4), NN_ERR_STATE);
        nn_model_free(m);
    }
}

/* Dense(1) fixed at w = 1, b = 0 (lr 0): per-row losses are x^2 for y = 0 */
static nn_model *identity_model(void)
{
    const float w[2] = { 1, 0 };
    nn_model *m = nn_model_create(1);
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_shuffle(m, 0);
    nn_model_compile(m, nn_sgd(0.0f, 0, 0), NN_LOSS_MSE);
    nn_model_set_weights(m, w, 2);
    return m;
}

TEST(toolkit_sample_weights_hand_computed)
{
    const float x[5] = { 1, 2, 3, 4, 5 }, y[5] = { 0 }, sw[5] = { 1, 0, 2, 1, 3 };
    nn_model *m = identity_model();
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_add_weighted_metric(m, NN_METRIC_MAE);
    CHECK_EQ(nn_model_fit_weighted(m, x, y, sw, 4, 1, 2), NN_OK);
    /* (1*1 + 0*4 + 2*9 + 1*16) / 4 */
    CHECK_NEAR(nn_model_history(m, "loss", 0), 35.0 / 4.0, 1e-6);
    CHECK_NEAR(nn_model_history(m, "mae", 0), 10.0 / 4.0, 1e-6);
    CHECK_NEAR(nn_model_history(m, "weighted_mae", 0), 11.0 / 4.0, 1e-6);
    /* validation split carries the last rows' weights: val_loss = 3 * 25 / 1 */
    nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit_weighted(m, x, y, sw, 5, 1, 4), NN_OK);
    CHECK_NEAR(nn_model_history(m, "val_loss", 0), 75.0, 1e-5);
    CHECK_NEAR(nn_model_history(m, "val_mae", 0), 5.0, 1e-6);
    CHECK_NEAR(nn_model_history(m, "val_weighted_mae", 0), 5.0, 1e-6);
    {
        const float neg[5] = { 1, -1, 1, 1, 1 };
        CHECK_EQ(nn_model_fit_weighted(m, x, y, neg, 5, 1, 4), NN_ERR_INVALID_ARG);
    }
    nn_model_free(m);
}

TEST(toolkit_class_weights_hand_computed)
{
    const float x[4] = { 1, 2, 3, 4 }, y[4] = { 0, 1, 1, 0 }, cw[2] = { 2.0f, 0.5f };
    const float sw[4] = { 1, 1, 1, 1 };
    nn_model *m = identity_model();
    nn_model_add_weighted_metric(m, NN_METRIC_MSE);
    CHECK_EQ(nn_model_set_class_weights(m, cw, 2), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 4, 1, 4), NN_OK);
    /* squared errors 1, 1, 4, 16 weighted 2, .5, .5, 2 */
    CHECK_NEAR(nn_model_history(m, "loss", 0), 36.5 / 4.0, 1e-6);
    CHECK_NEAR(nn_model_history(m, "mse", 0), 36.5 / 5.0, 1e-6);
    CHECK_EQ(nn_model_fit_weighted(m, x, y, sw, 4, 1, 4), NN_ERR_INVALID_ARG);
    {
        const float y3[4] = { 0, 1, 2, 0 };
        CHECK_EQ(nn_model_fit(m, x, y3, 4, 1, 4), NN_ERR_INVALID_ARG); /* class 2 uncovered */
    }
    CHECK_EQ(nn_model_set_class_weights(m, NULL, 0), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 4, 1, 4), NN_OK);
    CHECK_NEAR(nn_model_history(m, "loss", 0), 22.0 / 4.0, 1e-6);
    nn_model_free(m);
}

TEST(toolkit_weights_order_and_clone)
{
    float w[21], w2[21], buf[6], p1[8], p2[8];
    float x[8 * 2], y[8];
    size_t needed = 0, i;
    nn_model *m = nn_model_create(2), *c;
    nn_model_set_seed(m, 8);
    nn_model_add(m, nn_dense(3, NN_RELU));
    nn_model_add(m, nn_batch_norm());
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
    CHECK_EQ(nn_model_get_weights(m, NULL, 0, &needed), NN_OK);
    CHECK_EQ(needed, 6 + 3 + 12 + 3 + 1);
    {
        float big[25];
        CHECK_EQ(nn_model_get_weights(m, big, 10, &needed), NN_ERR_SHAPE);
        CHECK_EQ(nn_model_get_weights(m, big, 25, &needed), NN_OK);
        /* Keras order: dense kernel, bias, gamma, beta, moving_mean, moving_variance, ... */
        CHECK(big[9] == 1 && big[12] == 0 && big[15] == 0 && big[18] == 1 && big[20] == 1);
        CHECK_EQ(nn_layer_weight_count(nn_model_layer(m, 1), 3), 3);
        CHECK_EQ(nn_layer_weights(nn_model_layer(m, 1), 3, buf, 6), NN_OK);
        CHECK(buf[0] == 1 && buf[2] == 1);
        CHECK_EQ(nn_layer_weights(nn_model_layer(m, 0), 0, buf, 6), NN_OK);
        CHECK(memcmp(buf, big, 6 * sizeof(float)) == 0);
        for (i = 0; i < 25; i++) big[i] = (float)i;
        CHECK_EQ(nn_model_set_weights(m, big, 25), NN_OK);
        CHECK_EQ(nn_model_set_weights(m, big, 24), NN_ERR_SHAPE);
        CHECK_EQ(nn_layer_weights(nn_model_layer(m, 1), 3, buf, 6), NN_OK);
        CHECK(buf[0] == 18 && buf[2] == 20);
    }
    tk_fill(x, 16, 3);
    tk_fill(y, 8, 4);
    nn_model_fit(m, x, y, 8, 2, 4);
    c = nn_model_clone(m);
    CHECK(c != NULL);
    CHECK_EQ(nn_model_param_count(c), 25);
    {
        float a[25], b[25];
        nn_model_get_weights(m, a, 25, NULL);
        nn_model_get_weights(c, b, 25, NULL);
        CHECK(memcmp(a, b, sizeof a) == 0);
    }
    nn_model_predict(m, x, 8, p1);
    nn_model_predict(c, x, 8, p2);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    /* same stream and fresh optimizers: training both gives the same bits */
    {
        nn_model *c2 = nn_model_clone(m);
        float a[25], b[25];
        nn_model_fit(c, x, y, 8, 3, 4);
        nn_model_fit(c2, x, y, 8, 3, 4);
        nn_model_get_weights(c, a, 25, NULL);
        nn_model_get_weights(c2, b, 25, NULL);
        CHECK(memcmp(a, b, sizeof a) == 0);
        CHECK(!isnan(nn_model_history(c, "mae", 2)));
        nn_model_free(c2);
    }
    (void)w;
    (void)w2;
    nn_model_free(c);
    nn_model_free(m);
}
