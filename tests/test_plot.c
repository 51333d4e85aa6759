/* nn_model_plot_history: SVG learning curves. */
#include "harness.h"
#include "nn.h"
#include <stdlib.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *s;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = (char *)malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static size_t count(const char *s, const char *sub)
{
    size_t c = 0;
    const char *p = s;
    while ((p = strstr(p, sub)) != NULL) c++, p++;
    return c;
}

static nn_model *trained(int with_val, int epochs)
{
    static float x[200 * 3], y[200];
    size_t i;
    nn_model *m = nn_model_create(3);
    for (i = 0; i < 200; i++) {
        x[i * 3] = (float)(i % 17) / 17.0f;
        x[i * 3 + 1] = (float)(i % 7) / 7.0f;
        x[i * 3 + 2] = (float)(i % 5) / 5.0f;
        y[i] = 2.0f * x[i * 3] - x[i * 3 + 1] + 0.5f * x[i * 3 + 2];
    }
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(8, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_MAE);
    if (with_val) nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit(m, x, y, 200, epochs, 16), NN_OK);
    return m;
}

TEST(plot_history_svg_has_series_axes_and_best_epoch)
{
    const char *path = "nn_test_curves.svg";
    nn_model *m = trained(1, 30);
    char *s;
    CHECK_EQ(nn_model_plot_history(m, path), NN_OK);
    s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        CHECK(strncmp(s, "<?xml", 5) == 0);
        CHECK_STR_CONTAINS(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
        CHECK_STR_CONTAINS(s, "</svg>\n");
        CHECK_EQ(count(s, "<svg"), 1);
        CHECK_EQ(count(s, "<g "), count(s, "</g>"));
        CHECK_EQ(count(s, "<text"), count(s, "</text>"));
        CHECK_STR_CONTAINS(s, "class=\"train\"");
        CHECK_STR_CONTAINS(s, "class=\"validation\"");
        CHECK_STR_CONTAINS(s, "id=\"panel-loss\"");
        CHECK_STR_CONTAINS(s, "id=\"panel-mae\"");
        CHECK_STR_CONTAINS(s, "class=\"best-epoch-marker\"");
        CHECK_STR_CONTAINS(s, "by val_loss");
        CHECK_STR_CONTAINS(s, ">val_mae</text>");
        CHECK_STR_CONTAINS(s, ">epoch</text>");
        CHECK(strstr(s, "nan") == NULL && strstr(s, "inf") == NULL);
        free(s);
    }
    CHECK_EQ(nn_model_plot_history_ex(m, path, 1), NN_OK);
    s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        CHECK_STR_CONTAINS(s, "(log scale)");
        CHECK_STR_CONTAINS(s, "e-0");
        free(s);
    }
    remove(path);
    nn_model_free(m);
}

TEST(plot_history_without_validation_marks_min_loss)
{
    const char *path = "nn_test_curves_noval.svg";
    nn_model *m = trained(0, 1);
    char *s;
    CHECK_EQ(nn_model_plot_history(m, path), NN_OK);
    s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        CHECK_STR_CONTAINS(s, "by loss");
        CHECK(strstr(s, "class=\"validation\"") == NULL);
        CHECK_STR_CONTAINS(s, "best-epoch-marker");
        free(s);
    }
    remove(path);
    nn_model_free(m);
}

TEST(plot_history_errors_leave_no_file)
{
    nn_model *m = nn_model_create(2);
    FILE *f;
    CHECK_EQ(nn_model_plot_history(NULL, "x.svg"), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_plot_history(m, NULL), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_plot_history(m, "nn_test_never.svg"), NN_ERR_STATE);
    CHECK_STR_CONTAINS(nn_model_error(m), "no history");
    f = fopen("nn_test_never.svg", "r");
    CHECK(f == NULL);
    if (f) fclose(f);
    nn_model_free(m);

    m = trained(1, 2);
    CHECK_EQ(nn_model_plot_history_ex(m, "nn_test_x.svg", 7), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_model_plot_history(m, "build/no/such/dir/c.svg"), NN_ERR_IO);
    CHECK_STR_CONTAINS(nn_model_error(m), "build/no/such/dir/c.svg");
    nn_model_free(m);
}
