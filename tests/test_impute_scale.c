/* nn_scaler_set_impute_mean: a standard scaler that imputes the column mean first behaves as
   scikit-learn's Pipeline([SimpleImputer(), StandardScaler()]), inside a model too. */
#include "harness.h"
#include "nn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 10, D = 2 };

static void data(float *x, float *y)
{
    size_t i;
    for (i = 0; i < N; i++) {
        x[i * D] = (float)i * 1.5f + 2.0f;
        x[i * D + 1] = 100.0f - (float)(i * i);
        y[i] = 0.1f * x[i * D] - 0.01f * x[i * D + 1];
    }
    x[2 * D] = NAN;
    x[5 * D] = NAN;
    x[7 * D + 1] = NAN;
}

TEST(impute_mean_is_the_imputer_then_scaler_pipeline)
{
    float x[N * D], y[N], imp[N * D], a[N * D], b[N * D];
    nn_scaler *s = nn_standard_scaler(), *mean_imp = nn_imputer(NN_IMPUTE_MEAN, 0.0f), *plain = nn_standard_scaler();
    size_t i, j;
    data(x, y);
    CHECK_EQ(nn_scaler_set_impute_mean(s, 1), NN_OK);
    CHECK_EQ(nn_scaler_fit(s, x, N, D), NN_OK);
    CHECK_EQ(nn_scaler_set_impute_mean(s, 0), NN_ERR_STATE); /* fitted already */
    /* the pipeline, spelled out */
    CHECK_EQ(nn_scaler_fit(mean_imp, x, N, D), NN_OK);
    CHECK_EQ(nn_scaler_transform(mean_imp, x, N, imp), NN_OK);
    CHECK_EQ(nn_scaler_fit(plain, imp, N, D), NN_OK);
    CHECK_EQ(nn_scaler_transform(plain, imp, N, b), NN_OK);
    CHECK_EQ(nn_scaler_transform(s, x, N, a), NN_OK);
    for (j = 0; j < D; j++) {
        CHECK_NEAR(nn_scaler_stat(s, "mean", j), nn_scaler_stat(plain, "mean", j), 1e-5);
        CHECK_NEAR(nn_scaler_stat(s, "scale", j), nn_scaler_stat(plain, "scale", j), 1e-5);
    }
    for (i = 0; i < N * D; i++) {
        CHECK(!isnan(a[i]));
        CHECK_NEAR(a[i], b[i], 1e-5);
        if (isnan(x[i])) CHECK(a[i] == 0.0f); /* the mean, scaled */
    }
    /* the std counts the imputed cells: smaller than over the observed values alone */
    {
        nn_scaler *obs = nn_standard_scaler();
        CHECK_EQ(nn_scaler_fit(obs, x, N, D), NN_OK);
        CHECK(nn_scaler_stat(s, "scale", 0) < nn_scaler_stat(obs, "scale", 0));
        nn_scaler_free(obs);
    }
    CHECK_EQ(nn_scaler_set_impute_mean(mean_imp, 1), NN_ERR_INVALID_ARG);
    {
        nn_scaler *mm = nn_minmax_scaler(0.0f, 1.0f);
        CHECK_EQ(nn_scaler_set_impute_mean(mm, 1), NN_ERR_INVALID_ARG);
        nn_scaler_free(mm);
    }
    CHECK_EQ(nn_scaler_set_impute_mean(NULL, 1), NN_ERR_INVALID_ARG);
    nn_scaler_free(s);
    nn_scaler_free(mean_imp);
    nn_scaler_free(plain);
}

static nn_model *model_with(nn_scaler *s)
{
    nn_model *m = nn_model_create(D);
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_MSE);
    nn_model_set_input_scaler(m, s);
    return m;
}

TEST(impute_mean_lets_a_model_take_missing_values)
{
    float x[N * D], y[N], p0[N], p1[N];
    nn_model *m, *l;
    nn_scaler *s = nn_standard_scaler();
    unsigned char *buf;
    size_t len;
    data(x, y);
    /* without it the scaled copy still holds NaN: refused */
    m = model_with(nn_standard_scaler());
    CHECK_EQ(nn_model_fit(m, x, y, N, 2, 5), NN_ERR_NONFINITE);
    nn_model_free(m);
    CHECK_EQ(nn_scaler_set_impute_mean(s, 1), NN_OK);
    m = model_with(s);
    CHECK_EQ(nn_model_fit(m, x, y, N, 5, 5), NN_OK);
    CHECK_EQ(nn_model_predict(m, x, N, p0), NN_OK);
    CHECK(!isnan(p0[2]) && !isnan(p0[7]));
    /* saved and loaded, the imputing scaler predicts the same bits */
    CHECK_EQ(nn_model_save_buffer(m, NULL, 0, &len), NN_OK);
    buf = (unsigned char *)malloc(len);
    CHECK_EQ(nn_model_save_buffer(m, buf, len, &len), NN_OK);
    l = nn_model_load_buffer(buf, len);
    CHECK(l != NULL);
    if (l) {
        CHECK_EQ(nn_model_predict(l, x, N, p1), NN_OK);
        CHECK(memcmp(p0, p1, sizeof p0) == 0);
        nn_model_free(l);
    }
    free(buf);
    nn_model_free(m);
}

/* Validation rows with missing values: refused when nothing can impute them, accepted with an
   imputing input scaler (fit checks the transformed rows), Inf refused either way. */
TEST(impute_mean_validation_rows_with_missing_values)
{
    float x[N * D], y[N], vx[2 * D] = { NAN, 50.0f, 4.0f, NAN }, vy[2] = { 0.5f, 0.2f };
    nn_model *m = model_with(NULL);
    nn_scaler *s;
    data(x, y);
    CHECK_EQ(nn_model_set_validation_data(m, vx, vy, 2), NN_ERR_NONFINITE); /* no scaler */
    nn_model_free(m);
    m = model_with(nn_standard_scaler()); /* a scaler that keeps NaN: caught by fit */
    CHECK_EQ(nn_model_set_validation_data(m, vx, vy, 2), NN_OK);
    {
        float full[N * D];
        size_t i;
        for (i = 0; i < N * D; i++) full[i] = isnan(x[i]) ? 1.0f : x[i];
        CHECK_EQ(nn_model_fit(m, full, y, N, 1, 5), NN_ERR_NONFINITE);
    }
    CHECK_STR_CONTAINS(nn_model_error(m), "validation x[0][0] is NaN");
    nn_model_free(m);
    s = nn_standard_scaler();
    nn_scaler_set_impute_mean(s, 1);
    m = model_with(s);
    CHECK_EQ(nn_model_set_validation_data(m, vx, vy, 2), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, N, 2, 5), NN_OK);
    CHECK(!isnan(nn_model_history(m, "val_loss", 1)));
    vx[1] = INFINITY;
    CHECK_EQ(nn_model_set_validation_data(m, vx, vy, 2), NN_ERR_NONFINITE);
    CHECK_STR_CONTAINS(nn_model_error(m), "validation x[0][1] is Inf");
    nn_model_free(m);
}
