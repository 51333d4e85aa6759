/* Column names (nn_model_set_feature_names / _output_names): checks, the optional NAME section
   of the file, clone; and clone keeping the attached scalers. */
#include "harness.h"
#include "nn.h"
#include "io_util.h"
#include <stdlib.h>
#include <string.h>

static const char *const feats[3] = { "age", "income (EUR)", "r\xc3\xa4tio" };
static const char *const outs[2] = { "price", "rent" };

static nn_model *small_model(void)
{
    nn_model *m = nn_model_create(3);
    nn_model_set_seed(m, 7);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_MSE);
    return m;
}

TEST(names_set_get_and_errors)
{
    nn_model *m = nn_model_create(3);
    const char *bad[3] = { "a", "", "c" };
    CHECK(nn_model_feature_name(m, 0) == NULL);
    CHECK(nn_model_output_name(m, 0) == NULL);
    CHECK(nn_model_feature_name(NULL, 0) == NULL);
    CHECK_EQ(nn_model_set_feature_names(NULL, feats, 3), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_set_feature_names(m, feats, 2), NN_ERR_SHAPE);
    CHECK_STR_CONTAINS(nn_model_error(m), "2 names for 3 input features");
    CHECK_EQ(nn_model_set_feature_names(m, bad, 3), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "name 1 is NULL or empty");
    bad[1] = NULL;
    CHECK_EQ(nn_model_set_feature_names(m, bad, 3), NN_ERR_INVALID_ARG);
    {
        char *longname = (char *)malloc(65537);
        if (longname) {
            memset(longname, 'n', 65536);
            longname[65536] = '\0'; /* one byte more than a str16 holds */
            bad[1] = longname;
            CHECK_EQ(nn_model_set_feature_names(m, bad, 3), NN_ERR_INVALID_ARG);
            CHECK_STR_CONTAINS(nn_model_error(m), "65536 bytes long (at most 65535)");
            longname[65535] = '\0';
            CHECK_EQ(nn_model_set_feature_names(m, bad, 3), NN_OK); /* exactly the limit */
            CHECK_EQ(nn_model_set_feature_names(m, NULL, 0), NN_OK);
            free(longname);
        }
        bad[1] = NULL;
    }
    CHECK_EQ(nn_model_set_output_names(m, outs, 2), NN_ERR_STATE); /* no layers yet */
    CHECK(nn_model_feature_name(m, 0) == NULL); /* failures leave nothing behind */
    CHECK_EQ(nn_model_set_feature_names(m, feats, 3), NN_OK);
    CHECK(strcmp(nn_model_feature_name(m, 2), "r\xc3\xa4tio") == 0);
    CHECK(nn_model_feature_name(m, 3) == NULL);
    CHECK_EQ(nn_model_set_feature_names(m, bad, 3), NN_ERR_INVALID_ARG);
    CHECK(strcmp(nn_model_feature_name(m, 1), "income (EUR)") == 0); /* kept on failure */
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    CHECK_EQ(nn_model_set_output_names(m, outs, 1), NN_ERR_SHAPE);
    CHECK_EQ(nn_model_set_output_names(m, outs, 2), NN_OK);
    CHECK(strcmp(nn_model_output_name(m, 1), "rent") == 0);
    nn_model_add(m, nn_dense(5, NN_LINEAR)); /* the width changed: the output names no longer apply */
    CHECK(nn_model_output_name(m, 0) == NULL);
    CHECK_EQ(nn_model_set_feature_names(m, NULL, 0), NN_OK);
    CHECK(nn_model_feature_name(m, 0) == NULL);
    nn_model_free(m);
}

TEST(names_saved_loaded_and_cloned)
{
    nn_model *m = small_model(), *l, *c;
    size_t len, len0, at;
    unsigned char *b0 = io_save(m, &len0), *b;
    CHECK(b0 && io_find(b0, len0, "NAME") == (size_t)-1); /* no names, no section: files unchanged */
    CHECK_EQ(nn_model_set_feature_names(m, feats, 3), NN_OK);
    CHECK_EQ(nn_model_set_output_names(m, outs, 2), NN_OK);
    b = io_save(m, &len);
    CHECK(b != NULL);
    if (!b || !b0) goto out;
    at = io_find(b, len, "NAME");
    CHECK(at != (size_t)-1);
    CHECK(at != (size_t)-1 && b[at + 4] == 0 && b[at + 5] == 0 && b[at + 6] == 0 && b[at + 7] == 0); /* optional */
    l = nn_model_load_buffer(b, len);
    CHECK(l != NULL);
    if (l) {
        CHECK(strcmp(nn_model_feature_name(l, 0), "age") == 0);
        CHECK(strcmp(nn_model_feature_name(l, 2), "r\xc3\xa4tio") == 0);
        CHECK(strcmp(nn_model_output_name(l, 0), "price") == 0);
        CHECK(nn_model_output_name(l, 2) == NULL);
        nn_model_free(l);
    }
    c = nn_model_clone(m);
    CHECK(c != NULL);
    if (c) {
        CHECK(strcmp(nn_model_feature_name(c, 1), "income (EUR)") == 0);
        CHECK(strcmp(nn_model_output_name(c, 1), "rent") == 0);
        nn_model_free(c);
    }
    /* weights-only files carry no names */
    {
        size_t wl;
        unsigned char *w;
        CHECK_EQ(nn_model_save_weights_buffer(m, NULL, 0, &wl), NN_OK);
        w = (unsigned char *)malloc(wl);
        CHECK_EQ(nn_model_save_weights_buffer(m, w, wl, &wl), NN_OK);
        CHECK(io_find(w, wl, "NAME") == (size_t)-1);
        free(w);
    }
    /* a NAME whose feature count is not the input width is damage */
    if (at != (size_t)-1) {
        b[at + 16] = 2;
        io_fix_crc(b, len);
        CHECK(nn_model_load_buffer(b, len) == NULL);
        CHECK_EQ(nn_last_load_status(), NN_ERR_FORMAT);
        CHECK_STR_CONTAINS(nn_last_error(), "2 feature names");
        b[at + 16] = 3;
        b[at + 24 + 2] = 0; /* "age" -> "\0ge" */
        io_fix_crc(b, len);
        CHECK(nn_model_load_buffer(b, len) == NULL);
        CHECK_STR_CONTAINS(nn_last_error(), "empty or holds a NUL byte");
    }
out:
    free(b);
    free(b0);
    nn_model_free(m);
}

/* A clone predicts what its original predicts, attached scalers included. */
TEST(clone_keeps_attached_scalers)
{
    float x[8 * 3], y[8 * 2], p0[8 * 2], p1[8 * 2];
    nn_model *m = small_model(), *c;
    size_t i;
    for (i = 0; i < 8 * 3; i++) x[i] = 100.0f + (float)(i * 7 % 11) * 30.0f;
    for (i = 0; i < 8 * 2; i++) y[i] = 1000.0f + (float)(i % 5) * 250.0f;
    CHECK_EQ(nn_model_set_input_scaler(m, nn_standard_scaler()), NN_OK);
    CHECK_EQ(nn_model_set_target_scaler(m, nn_minmax_scaler(0.0f, 1.0f)), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 8, 3, 4), NN_OK);
    c = nn_model_clone(m);
    CHECK(c != NULL);
    if (c) {
        CHECK(nn_model_input_scaler(c) != NULL && nn_model_target_scaler(c) != NULL);
        CHECK_EQ(nn_model_predict(m, x, 8, p0), NN_OK);
        CHECK_EQ(nn_model_predict(c, x, 8, p1), NN_OK);
        CHECK(memcmp(p0, p1, sizeof p0) == 0);
        nn_model_free(c);
    }
    nn_model_free(m);
}
