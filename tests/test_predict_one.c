/* nn_model_predict_one's lean path: the same bits as nn_model_predict, no
   allocation, NaN/Inf rejected, in place allowed. */
#include "harness.h"
#include "testutil.h"
#include "nn.h"
#include <string.h>

static nn_model *small_model(tu_counter *c, nn_activation out_act)
{
    nn_allocator a = tu_allocator(c);
    nn_model *m = nn_model_create_with_allocator(5, &a);
    nn_model_set_seed(m, 11);
    nn_model_add(m, nn_dense(19, NN_RELU));
    nn_model_add(m, nn_dropout(0.2f));
    nn_model_add(m, nn_dense(7, NN_TANH));
    nn_model_add(m, nn_dense(5, out_act));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    return m;
}

TEST(predict_one_matches_predict_bits_and_allocates_nothing)
{
    static const nn_activation acts[] = { NN_LINEAR, NN_SOFTMAX, NN_SIGMOID, NN_RELU };
    size_t a, r;
    for (a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        tu_counter c;
        tu_rng g = { 5 };
        float x[8 * 5], all[8 * 5], one[5];
        nn_model *m;
        long before;
        tu_counter_reset(&c);
        m = small_model(&c, acts[a]);
        for (r = 0; r < 8 * 5; r++) x[r] = (float)tu_range(&g, -2, 2);
        CHECK_EQ(nn_model_predict(m, x, 8, all), NN_OK);
        before = c.allocs;
        for (r = 0; r < 8; r++) {
            CHECK_EQ(nn_model_predict_one(m, x + r * 5, one), NN_OK);
            CHECK(memcmp(one, all + r * 5, sizeof one) == 0);
        }
        CHECK_EQ(c.allocs, before);
        nn_model_free(m);
    }
}

TEST(predict_one_rejects_nonfinite_and_works_in_place)
{
    tu_counter c;
    float x[5] = { 0.5f, -1.0f, 2.0f, 0.25f, -0.75f }, ref[5], buf[5];
    nn_model *m;
    tu_counter_reset(&c);
    m = small_model(&c, NN_LINEAR);
    CHECK_EQ(nn_model_predict(m, x, 1, ref), NN_OK);
    memcpy(buf, x, sizeof x);
    CHECK_EQ(nn_model_predict_one(m, buf, buf), NN_OK); /* in == out: 5 inputs, 5 outputs */
    CHECK(memcmp(buf, ref, sizeof ref) == 0);
    x[3] = NAN;
    CHECK_EQ(nn_model_predict_one(m, x, buf), NN_ERR_NONFINITE);
    CHECK_STR_CONTAINS(nn_model_error(m), "x[0][3]");
    x[3] = -INFINITY;
    CHECK_EQ(nn_model_predict_one(m, x, buf), NN_ERR_NONFINITE);
    x[3] = 1e38f;
    CHECK_EQ(nn_model_predict_one(m, x, buf), NN_OK);
    CHECK_STR_CONTAINS(nn_model_error(m), "");
    CHECK(nn_model_error(m)[0] == '\0');
    CHECK_EQ(nn_model_predict_one(m, NULL, buf), NN_ERR_INVALID_ARG);
    nn_model_free(m);
}

TEST(predict_one_builds_an_uncompiled_model)
{
    float x[3] = { 1, 2, 3 }, a[2], b[2];
    nn_model *m = nn_model_create(3);
    nn_model_set_seed(m, 2);
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    CHECK_EQ(nn_model_predict_one(m, x, a), NN_OK);
    CHECK_EQ(nn_model_predict_one(m, x, b), NN_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    nn_model_free(m);
}

TEST(predict_one_with_linear_shortcut_matches_predict)
{
    tu_rng g = { 9 };
    float x[6 * 4], all[6 * 3], one[3];
    size_t r;
    nn_model *m = nn_model_create(4);
    nn_model_set_seed(m, 4);
    nn_model_add(m, nn_dense(8, NN_RELU));
    nn_model_add(m, nn_dense(3, NN_LINEAR));
    CHECK_EQ(nn_model_set_linear_shortcut(m, 1), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE), NN_OK);
    for (r = 0; r < 6 * 4; r++) x[r] = (float)tu_range(&g, -2, 2);
    CHECK_EQ(nn_model_predict(m, x, 6, all), NN_OK);
    for (r = 0; r < 6; r++) {
        CHECK_EQ(nn_model_predict_one(m, x + r * 4, one), NN_OK);
        CHECK(memcmp(one, all + r * 3, sizeof one) == 0);
    }
    nn_model_free(m);
}
