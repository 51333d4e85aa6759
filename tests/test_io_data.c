/* CSV reading, scalers, splitting, scalers attached to models. */
#include "harness.h"
#include "io_util.h"
#include "nn.h"
#include "io/io.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nn_dataset *parse(const char *text, nn_status *st)
{
    nn_dataset *d = nn_dataset_create();
    *st = nn_dataset_parse_csv(d, text, strlen(text));
    return d;
}

TEST(csv_basic_header_and_target)
{
    nn_status st;
    nn_dataset *d = parse("a,b,target\n1,2,3\n4.5,-6e1,7\n", &st);
    CHECK(st == NN_OK);
    CHECK_EQ(nn_dataset_rows(d), 2);
    CHECK_EQ(nn_dataset_feature_count(d), 2);
    CHECK_EQ(nn_dataset_target_count(d), 1);
    CHECK(strcmp(nn_dataset_feature_name(d, 1), "b") == 0);
    CHECK(strcmp(nn_dataset_target_name(d, 0), "target") == 0);
    CHECK(nn_dataset_feature_name(d, 2) == NULL);
    CHECK(nn_dataset_x(d)[2] == 4.5f && nn_dataset_x(d)[3] == -60.0f);
    CHECK(nn_dataset_y(d)[0] == 3.0f && nn_dataset_y(d)[1] == 7.0f);
    nn_dataset_free(d);
}

/* Parsing text with one chosen feature and/or one skipped column fails with status and msg. */
static void choice_error(const char *text, const char *feature, const char *ignore, nn_status status, const char *msg)
{
    nn_dataset *d = nn_dataset_create();
    if (feature) CHECK_EQ(nn_dataset_add_feature_name(d, feature), NN_OK);
    if (ignore) CHECK_EQ(nn_dataset_add_ignore_name(d, ignore), NN_OK);
    CHECK_EQ(nn_dataset_parse_csv(d, text, strlen(text)), status);
    CHECK_STR_CONTAINS(nn_dataset_error(d), msg);
    nn_dataset_free(d);
}

/* Chosen feature columns (in the order chosen) and skipped columns, which may hold text. */
TEST(csv_choose_and_ignore_columns)
{
    static const char text[] = "id,b,name,a,y\nr1,2,\"Ann, Jr\",1,3\nr2,5,Bo,4,6\n";
    nn_dataset *d = nn_dataset_create();
    const float *x;
    CHECK_EQ(nn_dataset_add_ignore_name(d, "id"), NN_OK);
    CHECK_EQ(nn_dataset_add_ignore_name(d, "name"), NN_OK);
    CHECK_EQ(nn_dataset_parse_csv(d, text, sizeof text - 1), NN_OK);
    CHECK_EQ(nn_dataset_feature_count(d), 2);
    CHECK(strcmp(nn_dataset_feature_name(d, 0), "b") == 0 && strcmp(nn_dataset_feature_name(d, 1), "a") == 0);
    x = nn_dataset_x(d);
    CHECK(x[0] == 2.0f && x[1] == 1.0f && x[2] == 5.0f && x[3] == 4.0f);
    CHECK(nn_dataset_y(d)[1] == 6.0f);
    CHECK_EQ(nn_dataset_missing_count(d), 0);
    nn_dataset_free(d);
    /* chosen features, in the order asked; everything else but the target is skipped */
    d = nn_dataset_create();
    CHECK_EQ(nn_dataset_add_feature_name(d, "a"), NN_OK);
    CHECK_EQ(nn_dataset_add_feature_name(d, "b"), NN_OK);
    CHECK_EQ(nn_dataset_parse_csv(d, text, sizeof text - 1), NN_OK);
    CHECK_EQ(nn_dataset_feature_count(d), 2);
    CHECK(strcmp(nn_dataset_feature_name(d, 0), "a") == 0);
    x = nn_dataset_x(d);
    CHECK(x[0] == 1.0f && x[1] == 2.0f && x[2] == 4.0f && x[3] == 5.0f);
    CHECK_EQ(nn_dataset_target_count(d), 1);
    nn_dataset_free(d);
    /* without skipping, the text column is an error naming it */
    choice_error(text, NULL, NULL, NN_ERR_FORMAT, "column 1 (\"id\"): cannot read \"r1\" as a number");
    /* errors: unknown names, a column chosen twice, ignored and chosen, NULL or empty names */
    choice_error(text, "nope", NULL, NN_ERR_FORMAT, "feature column \"nope\" is not in the header");
    choice_error(text, "y", NULL, NN_ERR_INVALID_ARG, "is chosen twice (as a feature and a target)"); /* default target */
    choice_error(text, "a", "a", NN_ERR_INVALID_ARG, "both ignored and chosen as a feature");
    choice_error(text, NULL, "zz", NN_ERR_FORMAT, "ignored column \"zz\" is not in the header");
    d = nn_dataset_create();
    CHECK_EQ(nn_dataset_add_ignore_name(d, ""), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_dataset_add_feature_name(d, NULL), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_dataset_add_feature_name(NULL, "a"), NN_ERR_INVALID_ARG);
    nn_dataset_free(d);
}

TEST(csv_quotes_crlf_empty_lines_separators)
{
    nn_status st;
    nn_dataset *d = nn_dataset_create();
    const char *t = "\r\n\"x;1\";\"he said \"\"y\"\"\";z\r\n\r\n\"1,5\";2;3\r\n  4 ; \"5\" ;6\r\n\n";
    nn_dataset_add_target_name(d, "he said \"y\"");
    st = nn_dataset_parse_csv(d, t, strlen(t));
    /* "1,5" is not a number with ';' separators (no locale decimal commas) */
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "line 4, column 1 (\"x;1\")");
    nn_dataset_free(d);
    d = nn_dataset_create();
    t = "\r\n\"x;1\";\"he said \"\"y\"\"\";z\r\n\r\n\"1.5\";2;3\r\n  4 ; \"5\" ;6\r\n\n";
    nn_dataset_add_target_name(d, "he said \"y\"");
    st = nn_dataset_parse_csv(d, t, strlen(t));
    CHECK_MSG(st == NN_OK, "%s", nn_dataset_error(d));
    CHECK_EQ(nn_dataset_rows(d), 2);
    CHECK(strcmp(nn_dataset_feature_name(d, 0), "x;1") == 0);
    CHECK(strcmp(nn_dataset_feature_name(d, 1), "z") == 0);
    CHECK(nn_dataset_x(d)[0] == 1.5f && nn_dataset_x(d)[1] == 3.0f && nn_dataset_x(d)[2] == 4.0f);
    CHECK(nn_dataset_y(d)[0] == 2.0f && nn_dataset_y(d)[1] == 5.0f);
    nn_dataset_free(d);
    /* tabs, no header, targets by index, quoted newline in a header-less file is data */
    d = nn_dataset_create();
    nn_dataset_set_header(d, 0);
    nn_dataset_add_target_index(d, 0);
    nn_dataset_add_target_index(d, 2);
    t = "1\t2\t3\n4\t5\t6";
    st = nn_dataset_parse_csv(d, t, strlen(t));
    CHECK(st == NN_OK);
    CHECK_EQ(nn_dataset_target_count(d), 2);
    CHECK_EQ(nn_dataset_feature_count(d), 1);
    CHECK(nn_dataset_y(d)[2] == 4.0f && nn_dataset_y(d)[3] == 6.0f && nn_dataset_x(d)[1] == 5.0f);
    CHECK(strcmp(nn_dataset_target_name(d, 1), "2") == 0);
    nn_dataset_free(d);
    /* header with a quoted newline */
    d = parse("\"multi\nline\",t\n1,2\n", &st);
    CHECK(st == NN_OK);
    CHECK(strcmp(nn_dataset_feature_name(d, 0), "multi\nline") == 0);
    nn_dataset_free(d);
}

TEST(csv_missing_values)
{
    nn_status st;
    nn_dataset *d = parse("a,b,c,y\n,NA,nan,1\n?,N/A,NaN,\n 2 , 3 ,4,5\n", &st);
    CHECK(st == NN_OK);
    CHECK_EQ(nn_dataset_missing_count(d), 7);
    CHECK(isnan(nn_dataset_x(d)[0]) && isnan(nn_dataset_x(d)[4]) && isnan(nn_dataset_y(d)[1]));
    CHECK(nn_dataset_x(d)[6] == 2.0f && nn_dataset_x(d)[8] == 4.0f);
    nn_dataset_free(d);
}

TEST(csv_errors_with_line_and_column)
{
    nn_status st;
    nn_dataset *d = parse("a,b,y\n1,2,3\n\n4,abc,6\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "line 4, column 2 (\"b\")");
    CHECK_STR_CONTAINS(nn_dataset_error(d), "abc");
    CHECK_EQ(nn_dataset_rows(d), 0);
    nn_dataset_free(d);
    d = parse("a,b,y\n1,2,3\n4,5\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "line 3");
    nn_dataset_free(d);
    d = parse("a,b,y\n1,2,3,4\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "line 2");
    nn_dataset_free(d);
    d = parse("a,b,y\n1,\"2,3\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "unterminated");
    nn_dataset_free(d);
    d = parse("a,b,y\n1,\"2\"x,3\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "line 2, column 2");
    nn_dataset_free(d);
    d = parse("a,b,y\n1,1e99,3\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    nn_dataset_free(d);
    d = parse("a,b,y\n", &st);
    CHECK(st == NN_ERR_FORMAT);
    nn_dataset_free(d);
    d = parse("", &st);
    CHECK(st == NN_ERR_FORMAT);
    nn_dataset_free(d);
    d = nn_dataset_create();
    nn_dataset_add_target_name(d, "nope");
    CHECK(nn_dataset_parse_csv(d, "a,b\n1,2\n", 8) == NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_dataset_error(d), "nope");
    CHECK(nn_dataset_read_csv(d, "build/no/such.csv") == NN_ERR_IO);
    nn_dataset_free(d);
}

TEST(csv_number_parser)
{
    float f;
    CHECK(nni_parse_float("0.1", 3, &f) && f == 0.1f);
    CHECK(nni_parse_float("-2.5e-3", 7, &f) && f == -2.5e-3f);
    CHECK(nni_parse_float("+.5", 3, &f) && f == 0.5f);
    CHECK(nni_parse_float("5.", 2, &f) && f == 5.0f);
    CHECK(nni_parse_float("3.4028234e38", 12, &f) && f == 3.4028234e38f);
    CHECK(nni_parse_float("1.17549435e-38", 14, &f) && f == 1.17549435e-38f);
    CHECK(nni_parse_float("123456789012345678901234567890", 30, &f) && f == 1.23456789e29f);
    CHECK(nni_parse_float("0.000000000000000000000000000001", 32, &f) && f == 1e-30f);
    CHECK(nni_parse_float("1E5", 3, &f) && f == 1e5f);
    CHECK(nni_parse_float("-inf", 4, &f) && isinf(f) && f < 0);
    CHECK(!nni_parse_float("1,5", 3, &f));
    CHECK(!nni_parse_float("1e", 2, &f));
    CHECK(!nni_parse_float(".", 1, &f));
    CHECK(!nni_parse_float("0x10", 4, &f));
    CHECK(!nni_parse_float("1e39", 4, &f));
}

TEST(csv_many_rows_linear)
{
    size_t n = 200000, i, len = 0;
    char *t = (char *)malloc(n * 16 + 16);
    nn_dataset *d = nn_dataset_create();
    len += (size_t)sprintf(t, "a,b\n");
    for (i = 0; i < n; i++) len += (size_t)sprintf(t + len, "%zu,%zu.5\n", i, i % 7);
    CHECK(nn_dataset_parse_csv(d, t, len) == NN_OK);
    CHECK_EQ(nn_dataset_rows(d), n);
    CHECK(nn_dataset_x(d)[n - 1] == (float)(n - 1));
    CHECK(nn_dataset_y(d)[n - 1] == (float)((n - 1) % 7) + 0.5f);
    free(t);
    nn_dataset_free(d);
}

TEST(csv_file_and_subset)
{
    FILE *f = fopen("build/test_io.csv", "wb");
    nn_dataset *d = nn_dataset_create(), *s;
    size_t idx[2] = { 2, 0 };
    fputs("p;q;r\n1;2;3\n4;5;6\n7;8;9\n", f);
    fclose(f);
    nn_dataset_add_target_name(d, "q");
    CHECK(nn_dataset_read_csv(d, "build/test_io.csv") == NN_OK);
    CHECK_EQ(nn_dataset_rows(d), 3);
    s = nn_dataset_subset(d, idx, 2);
    CHECK(s != NULL);
    CHECK(nn_dataset_x(s)[0] == 7.0f && nn_dataset_x(s)[1] == 9.0f && nn_dataset_y(s)[1] == 2.0f);
    CHECK(strcmp(nn_dataset_feature_name(s, 1), "r") == 0);
    nn_dataset_free(s);
    idx[0] = 3;
    CHECK(nn_dataset_subset(d, idx, 2) == NULL);
    nn_dataset_free(d);
    remove("build/test_io.csv");
}

TEST(scalers_hand_computed)
{
    /* columns: [1, 2, 3, 6] (mean 3, population std sqrt(3.5)), constant 5, and [0, NaN, 4, 2] */
    float x[12] = { 1, 5, 0, 2, 5, NAN, 3, 5, 4, 6, 5, 2 }, out[12], back[12];
    nn_scaler *s = nn_standard_scaler();
    int i;
    CHECK(nn_scaler_fit(s, x, 4, 3) == NN_OK);
    CHECK(nn_scaler_stat(s, "mean", 0) == 3.0f);
    CHECK_NEAR(nn_scaler_stat(s, "scale", 0), sqrt(3.5), 1e-6);
    CHECK(nn_scaler_stat(s, "scale", 1) == 1.0f); /* zero std -> 1 */
    CHECK(nn_scaler_stat(s, "mean", 2) == 2.0f);
    CHECK_NEAR(nn_scaler_stat(s, "scale", 2), sqrt(8.0 / 3.0), 1e-6);
    CHECK(nn_scaler_transform(s, x, 4, out) == NN_OK);
    CHECK_NEAR(out[0], -2.0 / sqrt(3.5), 1e-6);
    CHECK(out[1] == 0.0f && isnan(out[5]));
    CHECK(nn_scaler_inverse_transform(s, out, 4, back) == NN_OK);
    for (i = 0; i < 12; i++) CHECK(isnan(x[i]) ? isnan(back[i]) : fabsf(back[i] - x[i]) < 1e-5f);
    nn_scaler_free(s);

    s = nn_minmax_scaler(-1.0f, 1.0f);
    CHECK(nn_scaler_fit(s, x, 4, 3) == NN_OK);
    CHECK(nn_scaler_stat(s, "data_min", 0) == 1.0f && nn_scaler_stat(s, "data_max", 0) == 6.0f);
    nn_scaler_transform(s, x, 4, out);
    CHECK(out[0] == -1.0f && out[9] == 1.0f);
    CHECK_NEAR(out[3], -1.0 + 2.0 * (1.0 / 5.0), 1e-6);
    CHECK(out[1] == -1.0f); /* constant column: range 1, (5 - 5) * 2 - 1 */
    nn_scaler_inverse_transform(s, out, 4, back);
    CHECK_NEAR(back[6], 3.0, 1e-6);
    nn_scaler_free(s);

    s = nn_imputer(NN_IMPUTE_MEDIAN, 0.0f);
    CHECK(nn_scaler_fit(s, x, 4, 3) == NN_OK);
    CHECK(nn_scaler_stat(s, "fill", 0) == 2.5f && nn_scaler_stat(s, "fill", 2) == 2.0f);
    nn_scaler_transform(s, x, 4, out);
    CHECK(out[5] == 2.0f && out[0] == 1.0f);
    nn_scaler_free(s);
    s = nn_imputer(NN_IMPUTE_MEAN, 0.0f);
    nn_scaler_fit(s, x, 4, 3);
    CHECK(nn_scaler_stat(s, "fill", 2) == 2.0f && nn_scaler_stat(s, "fill", 0) == 3.0f);
    nn_scaler_free(s);
    s = nn_imputer(NN_IMPUTE_CONSTANT, -7.0f);
    nn_scaler_fit(s, x, 4, 3);
    nn_scaler_transform(s, x, 4, out);
    CHECK(out[5] == -7.0f);
    nn_scaler_free(s);

    CHECK(nn_minmax_scaler(1.0f, 1.0f) == NULL);
    s = nn_standard_scaler();
    CHECK(nn_scaler_transform(s, x, 4, out) == NN_ERR_STATE);
    nn_scaler_free(s);
    nn_scaler_free(NULL);
}

TEST(split_and_kfold)
{
    size_t idx[10], tr[10], va[10], ntr, nva, nte, i, seen[10] = { 0 }, f, total = 0;
    size_t idx2[10];
    CHECK(nn_split_indices(10, 0.2f, 0.3f, 42, idx, &ntr, &nva, &nte) == NN_OK);
    CHECK(ntr == 5 && nva == 2 && nte == 3);
    for (i = 0; i < 10; i++) seen[idx[i]]++;
    for (i = 0; i < 10; i++) CHECK_EQ(seen[i], 1);
    nn_split_indices(10, 0.2f, 0.3f, 42, idx2, &ntr, &nva, &nte);
    CHECK(memcmp(idx, idx2, sizeof idx) == 0);
    nn_split_indices(10, 0.2f, 0.3f, 43, idx2, &ntr, &nva, &nte);
    CHECK(memcmp(idx, idx2, sizeof idx) != 0);
    CHECK(nn_split_indices(10, 0.6f, 0.4f, 1, idx, &ntr, &nva, &nte) == NN_ERR_INVALID_ARG);
    /* KFold(3) of 10: folds 4, 3, 3 */
    memset(seen, 0, sizeof seen);
    for (f = 0; f < 3; f++) {
        CHECK(nn_kfold_indices(10, 3, f, 0, 0, tr, &ntr, va, &nva) == NN_OK);
        CHECK_EQ(nva, f == 0 ? 4 : 3);
        CHECK_EQ(ntr + nva, 10);
        for (i = 0; i < nva; i++) seen[va[i]]++;
        total += nva;
    }
    CHECK(nn_kfold_indices(10, 3, 1, 0, 0, tr, &ntr, va, &nva) == NN_OK);
    CHECK(va[0] == 4 && va[2] == 6 && tr[0] == 0 && tr[4] == 7);
    CHECK_EQ(total, 10);
    for (i = 0; i < 10; i++) CHECK_EQ(seen[i], 1);
    memset(seen, 0, sizeof seen);
    for (f = 0; f < 5; f++) {
        nn_kfold_indices(10, 5, f, 1, 7, tr, &ntr, va, &nva);
        for (i = 0; i < nva; i++) seen[va[i]]++;
    }
    for (i = 0; i < 10; i++) CHECK_EQ(seen[i], 1);
    CHECK(nn_kfold_indices(10, 1, 0, 0, 0, tr, &ntr, va, &nva) == NN_ERR_INVALID_ARG);
}

#define N 80
TEST(scalers_attached_to_model)
{
    float x[N * 3], y[N], raw[N * 3], p1[N], p2[N], manual[N], xs[N * 3], ys[N];
    nn_model *a, *b;
    nn_scaler *si, *so;
    unsigned char *buf;
    size_t len, i;
    io_data(x, y, N, 3, 1, 3);
    for (i = 0; i < N * 3; i++) x[i] = x[i] * 100.0f + 50.0f;
    for (i = 0; i < N; i++) y[i] = y[i] * 1000.0f + 20.0f;
    x[5] = NAN; /* imputed? no: a StandardScaler keeps NaN -> fit must refuse */
    memcpy(raw, x, sizeof x);
    a = nn_model_create(3);
    nn_model_set_seed(a, 5);
    nn_model_add(a, nn_dense(8, NN_RELU));
    nn_model_add(a, nn_dense(1, NN_LINEAR));
    nn_model_compile(a, nn_adam(0.01f), NN_LOSS_MSE);
    nn_model_set_validation_split(a, 0.25f);
    CHECK(nn_model_set_input_scaler(a, nn_standard_scaler()) == NN_OK);
    CHECK(nn_model_set_target_scaler(a, nn_standard_scaler()) == NN_OK);
    CHECK(nn_model_fit(a, x, y, N, 3, 16) == NN_ERR_NONFINITE);
    x[5] = 1.0f;
    raw[5] = 1.0f;
    nn_model_set_input_scaler(a, nn_standard_scaler());
    nn_model_set_target_scaler(a, nn_standard_scaler());
    CHECK(nn_model_fit(a, x, y, N, 3, 16) == NN_OK);
    CHECK(memcmp(raw, x, sizeof x) == 0); /* the caller's data is untouched */
    si = nn_model_input_scaler(a);
    so = nn_model_target_scaler(a);
    /* fitted on the 60 training rows only */
    {
        double mean = 0;
        for (i = 0; i < 60; i++) mean += x[i * 3];
        CHECK_NEAR(nn_scaler_stat(si, "mean", 0), mean / 60, 1e-3);
    }
    CHECK(nn_model_predict(a, x, N, p1) == NN_OK);
    /* the same by hand: scale, predict without scalers, unscale */
    nn_scaler_transform(si, x, N, xs);
    buf = io_save(a, &len);
    b = nn_model_load_buffer(buf, len);
    CHECK_MSG(b != NULL, "%s", nn_last_error());
    nn_model_set_input_scaler(b, NULL);
    nn_model_set_target_scaler(b, NULL);
    nn_model_predict(b, xs, N, manual);
    nn_scaler_inverse_transform(so, manual, N, manual);
    CHECK(memcmp(manual, p1, sizeof p1) == 0);
    nn_model_free(b);
    /* saved inside the model file */
    b = nn_model_load_buffer(buf, len);
    CHECK(b && nn_model_input_scaler(b) && nn_model_target_scaler(b));
    nn_model_predict(b, x, N, p2);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    /* evaluate in scaled units equals evaluate of the unscaled model on scaled data */
    {
        float l1, l2;
        nn_scaler_transform(so, y, N, ys);
        CHECK(nn_model_evaluate(a, x, y, N, &l1) == NN_OK);
        nn_model_set_input_scaler(b, NULL);
        nn_model_set_target_scaler(b, NULL);
        CHECK(nn_model_evaluate(b, xs, ys, N, &l2) == NN_OK);
        CHECK(l1 == l2);
    }
    free(buf);
    nn_model_free(a);
    nn_model_free(b);
    /* width mismatch */
    a = nn_model_create(2);
    si = nn_standard_scaler();
    nn_scaler_fit(si, x, N, 3);
    CHECK(nn_model_set_input_scaler(a, si) == NN_ERR_SHAPE);
    nn_model_free(a);
}

TEST(imputer_attached_model_predicts_raw_nan)
{
    float x[N * 3], y[N], p[2];
    float row[6] = { NAN, 0.5f, 0.2f, 0.1f, NAN, NAN };
    nn_model *a = nn_model_create(3);
    io_data(x, y, N, 3, 1, 9);
    x[0] = NAN;
    nn_model_set_seed(a, 1);
    nn_model_add(a, nn_dense(1, NN_LINEAR));
    nn_model_compile(a, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MSE);
    nn_model_set_input_scaler(a, nn_imputer(NN_IMPUTE_MEAN, 0.0f));
    CHECK(nn_model_fit(a, x, y, N, 1, 16) == NN_OK);
    CHECK(nn_model_predict(a, row, 2, p) == NN_OK);
    CHECK(isfinite(p[0]) && isfinite(p[1]));
    nn_model_free(a);
}

/* KNNImputer (k = 2, nan_euclidean, uniform weights) on a 4 x 3 training matrix, by hand.
     r0 = [1, 2, NaN]   r1 = [2, NaN, 4]   r2 = [3, 4, 6]   r3 = [8, 8, 9]
   dist(a, b) = sqrt(3 / p * sum over the p coordinates present in both of (a - b)^2).
   q0 = [2, 3, NaN]: donors for column 2 are r1, r2, r3 (r0 lacks it).
     r1: only column 0 common, (2-2)^2 = 0                 -> 0
     r2: (2-3)^2 + (3-4)^2 = 2, p = 2 -> sqrt(3/2 * 2)     -> 1.732
     r3: 36 + 25 = 61 -> sqrt(1.5 * 61)                     -> 9.57
     the two nearest r1, r2: (4 + 6) / 2 = 5; with k = 1: 4.
   q1 = [NaN, 5, 6.5]: column 0, every row is a donor.
     r0: (5-2)^2 = 9, p = 1 -> sqrt(27)                     -> 5.196
     r1: (6.5-4)^2 = 6.25, p = 1 -> sqrt(18.75)             -> 4.330
     r2: 1 + 0.25 = 1.25, p = 2 -> sqrt(1.875)              -> 1.369
     r3: 9 + 6.25 = 15.25 -> sqrt(22.875)                   -> 4.783
     the two nearest r2, r1: (3 + 2) / 2 = 2.5
   q2 = [NaN, NaN, NaN]: no common coordinate with any row -> the column means
     3.5, 14/3, 19/3.
   q3 = [1, 1, 1]: nothing missing, unchanged. */
TEST(knn_imputer_hand_computed)
{
    const float tr[12] = { 1, 2, NAN, 2, NAN, 4, 3, 4, 6, 8, 8, 9 };
    float q[12] = { 2, 3, NAN, NAN, 5, 6.5f, NAN, NAN, NAN, 1, 1, 1 }, out[12];
    nn_scaler *s = nn_imputer(NN_IMPUTE_KNN, 0.0f);
    CHECK(s != NULL);
    CHECK(nn_imputer_set_neighbors(s, 0) == NN_ERR_INVALID_ARG);
    CHECK(nn_imputer_set_neighbors(s, NN_IMPUTER_MAX_NEIGHBORS + 1) == NN_ERR_INVALID_ARG);
    CHECK(nn_imputer_set_neighbors(s, 2) == NN_OK);
    CHECK(nn_scaler_fit(s, tr, 4, 3) == NN_OK);
    CHECK(nn_scaler_transform(s, q, 4, out) == NN_OK);
    CHECK(out[0] == 2.0f && out[1] == 3.0f);
    CHECK_NEAR(out[2], 5.0, 1e-6);
    CHECK_NEAR(out[3], 2.5, 1e-6);
    CHECK(out[4] == 5.0f && out[5] == 6.5f);
    CHECK_NEAR(out[6], 3.5, 1e-6);
    CHECK_NEAR(out[7], 14.0 / 3.0, 1e-6);
    CHECK_NEAR(out[8], 19.0 / 3.0, 1e-6);
    CHECK(out[9] == 1.0f && out[10] == 1.0f && out[11] == 1.0f);
    /* in place gives the same (the distances see the row as given) */
    CHECK(nn_scaler_transform(s, q, 4, q) == NN_OK);
    CHECK(memcmp(q, out, sizeof out) == 0);
    CHECK(nn_scaler_stat(s, "fill", 0) == 3.5f);
    nn_scaler_free(s);

    s = nn_imputer(NN_IMPUTE_KNN, 0.0f); /* default k = 5 > 3 donors: all of them */
    {
        float q0[3] = { 2, 3, NAN };
        nn_scaler_fit(s, tr, 4, 3);
        nn_scaler_transform(s, q0, 1, q0);
        CHECK_NEAR(q0[2], 19.0 / 3.0, 1e-6);
    }
    nn_scaler_free(s);
    s = nn_imputer(NN_IMPUTE_KNN, 0.0f);
    {
        float q0[3] = { 2, 3, NAN };
        nn_imputer_set_neighbors(s, 1);
        nn_scaler_fit(s, tr, 4, 3);
        nn_scaler_transform(s, q0, 1, q0);
        CHECK(q0[2] == 4.0f);
    }
    nn_scaler_free(s);
    s = nn_imputer(NN_IMPUTE_MEAN, 0.0f);
    CHECK(nn_imputer_set_neighbors(s, 3) == NN_ERR_INVALID_ARG);
    nn_scaler_free(s);
}

TEST(knn_imputer_roundtrip_model_file)
{
    float x[N * 3], y[N], p1[N], p2[N];
    float row[9] = { NAN, 0.5f, 0.2f, 0.1f, NAN, NAN, 0.3f, 0.3f, NAN };
    float r1[3], r2[3];
    size_t len, i;
    void *buf;
    nn_model *a = nn_model_create(3), *b;
    nn_scaler *s = nn_imputer(NN_IMPUTE_KNN, 0.0f);
    io_data(x, y, N, 3, 1, 9);
    for (i = 0; i < N; i += 7) x[i * 3 + i % 3] = NAN;
    nn_imputer_set_neighbors(s, 3);
    nn_model_set_seed(a, 1);
    nn_model_add(a, nn_dense(4, NN_RELU));
    nn_model_add(a, nn_dense(1, NN_LINEAR));
    nn_model_compile(a, nn_adam(0.01f), NN_LOSS_MSE);
    nn_model_set_input_scaler(a, s);
    nn_model_set_validation_split(a, 0.25f);
    CHECK_MSG(nn_model_fit(a, x, y, N, 2, 16) == NN_OK, "%s", nn_model_error(a));
    CHECK(nn_model_predict(a, x, N, p1) == NN_OK);
    buf = io_save(a, &len);
    b = nn_model_load_buffer(buf, len);
    CHECK_MSG(b != NULL, "%s", nn_last_error());
    CHECK(nn_model_predict(b, x, N, p2) == NN_OK);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    CHECK(nn_model_predict(a, row, 3, p1) == NN_OK && nn_model_predict(b, row, 3, p2) == NN_OK);
    CHECK(memcmp(p1, p2, 3 * sizeof(float)) == 0 && isfinite(p1[0]) && isfinite(p1[1]) && isfinite(p1[2]));
    /* same fill: fitted on the 60 training rows only, k = 3 kept */
    nn_scaler_transform(nn_model_input_scaler(a), row, 1, r1);
    nn_scaler_transform(nn_model_input_scaler(b), row, 1, r2);
    CHECK(memcmp(r1, r2, sizeof r1) == 0 && !isnan(r1[0]));
    CHECK(nn_imputer_set_neighbors(nn_model_input_scaler(b), 3) == NN_OK);
    /* a truncated file is refused, not crashed on */
    nn_model_free(b);
    b = nn_model_load_buffer(buf, len - 8);
    CHECK(b == NULL);
    free(buf);
    nn_model_free(a);
}
