/* The training doctor: loss-curve findings, baselines, the capacity probe,
   logging and the query API. */
#include "harness.h"
#include <string.h>
#include "nn.h"
#include <stdlib.h>

static unsigned long long dd_state;
static void dd_seed(unsigned long long s) { dd_state = s * 2654435761ull + 88172645463325252ull; }
static double dd_u(void)
{
    dd_state ^= dd_state << 13;
    dd_state ^= dd_state >> 7;
    dd_state ^= dd_state << 17;
    return (double)(dd_state >> 11) / 9007199254740992.0;
}
static double dd_n(void) { return sqrt(-2.0 * log(dd_u() + 1e-300)) * cos(6.283185307179586 * dd_u()); }

static float *dd_x(size_t n, size_t d)
{
    float *x = malloc(n * d * sizeof *x);
    size_t i;
    for (i = 0; i < n * d; i++) x[i] = (float)dd_n();
    return x;
}

static const nn_model *dd_m;
static int dd_has(const char *code)
{
    size_t i;
    for (i = 0; i < nn_model_finding_count(dd_m); i++)
        if (strcmp(nn_model_finding_code(dd_m, i), code) == 0) return 1 + nn_model_finding_severity(dd_m, i);
    return 0;
}
#define WARNS(code) (dd_has(code) == 2)
#define INFO(code) (dd_has(code) == 1)

static nn_model *dd_model(size_t in, size_t h1, size_t h2, size_t out, nn_optimizer *opt, float val)
{
    nn_model *m = nn_model_create(in);
    nn_model_set_seed(m, 11);
    if (h1) nn_model_add(m, nn_dense(h1, NN_RELU));
    if (h2) nn_model_add(m, nn_dense(h2, NN_RELU));
    nn_model_add(m, nn_dense(out, NN_LINEAR));
    nn_model_compile(m, opt, NN_LOSS_MSE);
    if (val > 0.0f) nn_model_set_validation_split(m, val);
    nn_model_add_callback(m, nn_doctor());
    dd_m = m;
    return m;
}

TEST(doctor_overfitting)
{
    size_t n = 100, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dd_seed(1);
        x = dd_x(n, 10);
        for (i = 0; i < n; i++) y[i] = 0.6f * x[i * 10] - 0.4f * x[i * 10 + 1] + 0.7f * (float)dd_n();
        m = dd_model(10, 128, 128, 1, nn_adam(1e-3f), 0.3f);
        if (fixed) nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 10, 1));
        CHECK(nn_model_fit(m, x, y, n, 80, 16) == NN_OK);
        if (!fixed) {
            CHECK(WARNS("overfitting"));
            CHECK_STR_CONTAINS(nn_model_finding_message(m, 0), "val_loss rose from");
            CHECK_STR_CONTAINS(nn_model_finding_message(m, 0), "nn_early_stopping(\"val_loss\", 0, 10, 1)");
            CHECK(nn_model_finding_epoch(m, 0) >= 0);
        } else {
            CHECK(!WARNS("overfitting"));
        }
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_underfitting)
{
    size_t n = 400, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dd_seed(2);
        x = dd_x(n, 2);
        for (i = 0; i < n; i++) y[i] = 1.4f * x[i * 2] * x[i * 2 + 1];
        /* a linear model cannot express a product; a hidden layer can */
        m = dd_model(2, fixed ? 32 : 0, 0, 1, nn_adam(fixed ? 1e-2f : 1e-3f), 0.0f);
        CHECK(nn_model_fit(m, x, y, n, 20, 32) == NN_OK);
        CHECK(WARNS("underfitting") == !fixed);
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_plateau_and_no_better_than_linear)
{
    size_t n = 1200, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dd_seed(3);
        x = dd_x(n, 4);
        /* fixed: a nonlinear target the network can learn and least squares cannot */
        for (i = 0; i < n; i++)
            y[i] = fixed ? 1.4f * x[i * 4] * x[i * 4 + 1] : 0.8f * x[i * 4] + 0.6f * (float)dd_n();
        m = dd_model(4, fixed ? 32 : 8, 0, 1, nn_adam(1e-2f), 0.25f);
        CHECK(nn_model_fit(m, x, y, n, 30, 32) == NN_OK);
        CHECK(WARNS("plateau") == !fixed);
        CHECK((dd_has("no_better_than_linear") != 0) == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(nn_model_finding_message(m, nn_model_finding_count(m) - 1), "least squares");
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_no_better_than_linear_warns_when_training_loss_is_stuck_too)
{
    size_t n = 400, i;
    float *x, *y = malloc(n * sizeof *y);
    nn_model *m;
    dd_seed(4);
    x = dd_x(n, 4);
    for (i = 0; i < n; i++) y[i] = 0.9f * x[i * 4] - 0.3f * x[i * 4 + 2] + 0.1f * (float)dd_n();
    m = dd_model(4, 16, 0, 1, nn_sgd(1e-3f, 0.0f, 0), 0.25f);
    CHECK(nn_model_fit(m, x, y, n, 5, 32) == NN_OK);
    CHECK(WARNS("no_better_than_linear"));
    {
        size_t i2;
        for (i2 = 0; i2 < nn_model_finding_count(m); i2++)
            if (strcmp(nn_model_finding_code(m, i2), "no_better_than_linear") == 0)
                CHECK_STR_CONTAINS(nn_model_finding_suggestion(m, i2), "nn_model_set_linear_shortcut(m, 1)");
    }
    nn_model_free(m);
    free(x);
    free(y);
}

TEST(doctor_no_better_than_majority)
{
    size_t n = 300, i;
    float *x, *y = malloc(n * sizeof *y);
    int fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m = nn_model_create(3);
        dd_seed(5);
        x = dd_x(n, 3);
        for (i = 0; i < n; i++) y[i] = fixed ? (x[i * 3] > 0.5f ? 2.0f : (x[i * 3 + 1] > 0.0f ? 1.0f : 0.0f)) : (float)(dd_u() < 0.6 ? 0 : 1 + (i % 2));
        nn_model_set_seed(m, 5);
        nn_model_add(m, nn_dense(16, NN_RELU));
        nn_model_add(m, nn_dense(3, NN_SOFTMAX));
        nn_model_compile(m, nn_adam(1e-2f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
        nn_model_add_metric(m, NN_METRIC_ACCURACY);
        nn_model_set_validation_split(m, 0.3f);
        nn_model_add_callback(m, nn_doctor());
        dd_m = m;
        CHECK(nn_model_fit(m, x, y, n, 15, 32) == NN_OK);
        CHECK(WARNS("no_better_than_majority") == !fixed);
        nn_model_free(m);
        free(x);
    }
    free(y);
}

TEST(doctor_no_better_than_identity)
{
    size_t n = 500, d = 16, i, j;
    float *x = malloc(n * d * sizeof *x), *y = malloc(n * d * sizeof *y);
    int fixed;
    dd_seed(6);
    for (i = 0; i < n; i++) {
        double a = dd_n(), b = dd_n();
        for (j = 0; j < d; j++) {
            y[i * d + j] = (float)(a * cos(0.4 * (double)j) + b * sin(0.4 * (double)j));
            x[i * d + j] = (float)(y[i * d + j] + 0.3 * dd_n());
        }
    }
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m = nn_model_create(d);
        nn_model_set_seed(m, 6);
        nn_model_add(m, nn_dense(4, fixed ? NN_LINEAR : NN_SIGMOID));
        nn_model_add(m, nn_dense(d, NN_LINEAR));
        nn_model_compile(m, fixed ? nn_adam(1e-2f) : nn_sgd(1e-3f, 0.0f, 0), NN_LOSS_MSE);
        nn_model_set_validation_split(m, 0.2f);
        nn_model_add_callback(m, nn_doctor());
        dd_m = m;
        CHECK(nn_model_fit(m, x, y, n, 20, 32) == NN_OK);
        CHECK(WARNS("no_better_than_identity") == !fixed);
        if (!fixed) CHECK_STR_CONTAINS(nn_model_finding_message(m, nn_model_finding_count(m) - 1), "(noisy) input");
        nn_model_free(m);
    }
    /* a plain autoencoder (y == x) is never compared with the identity map */
    {
        nn_model *m = dd_model(d, 4, 0, d, nn_adam(1e-2f), 0.2f);
        CHECK(nn_model_fit(m, y, y, n, 3, 32) == NN_OK);
        CHECK(!dd_has("no_better_than_identity"));
        nn_model_free(m);
    }
    free(x);
    free(y);
}

TEST(doctor_probe)
{
    size_t n = 200, i;
    float *x, *y = malloc(n * sizeof *y), loss = -1.0f;
    int fits = -1, fixed;
    for (fixed = 0; fixed < 2; fixed++) {
        nn_model *m;
        dd_seed(7);
        x = dd_x(n, 4);
        for (i = 0; i < n; i++) y[i] = (float)dd_n(); /* noise: only memorization drives the loss to zero */
        m = dd_model(4, 64, 64, 1, fixed ? nn_adam(1e-2f) : nn_sgd(1e-5f, 0.0f, 0), 0.0f);
        CHECK(nn_model_probe(m, x, y, n, 32, 200, &loss, &fits) == NN_OK);
        CHECK(fits == fixed);
        CHECK(dd_has(fixed ? "probe_fits" : "probe_cannot_fit"));
        CHECK(nn_model_history_len(m) == 0); /* the model itself was not trained */
        if (!fixed) CHECK_STR_CONTAINS(nn_model_finding_message(m, 0), "not overfitting");
        nn_model_free(m);
        free(x);
    }
    free(y);
}

static char dd_log[8192];
static void dd_sink(void *user, const char *text)
{
    (void)user;
    if (strlen(dd_log) + strlen(text) < sizeof dd_log) strcat(dd_log, text);
}

TEST(doctor_logs_findings_when_verbose_and_api_edges)
{
    size_t n = 64, i;
    float *x, *y = malloc(n * sizeof *y);
    nn_model *m;
    dd_seed(8);
    x = dd_x(n, 2);
    for (i = 0; i < n; i++) y[i] = 500.0f + 100.0f * x[i * 2];
    m = dd_model(2, 8, 0, 1, nn_adam(1e-3f), 0.0f);
    dd_log[0] = '\0';
    nn_model_set_log_sink(m, dd_sink, NULL);
    nn_model_set_verbose(m, 2);
    CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
    CHECK_STR_CONTAINS(dd_log, "Doctor:");
    CHECK_STR_CONTAINS(dd_log, "unscaled_targets");
    CHECK(nn_model_finding_count(m) > 0);
    CHECK(nn_model_finding_code(m, 1000) == NULL);
    CHECK(nn_model_finding_message(m, 1000) == NULL);
    CHECK(nn_model_finding_suggestion(m, 1000) == NULL);
    CHECK(nn_model_finding_severity(m, 1000) == -1);
    CHECK(strlen(nn_model_finding_suggestion(m, 0)) > 0);
    CHECK(nn_model_finding_count(NULL) == 0);
    CHECK(nn_model_finding_code(NULL, 0) == NULL);
    /* a second fit replaces the findings */
    for (i = 0; i < n; i++) y[i] = x[i * 2];
    nn_model_set_verbose(m, 0);
    CHECK(nn_model_fit(m, x, y, n, 2, 32) == NN_OK);
    CHECK(!dd_has("unscaled_targets"));
    nn_model_free(m);
    /* without a doctor there are no findings; a doctor never attached is freed by nn_callback_free */
    m = nn_model_create(2);
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    CHECK(nn_model_fit(m, x, y, n, 1, 32) == NN_OK);
    CHECK(nn_model_finding_count(m) == 0);
    nn_model_free(m);
    nn_callback_free(nn_doctor());
    free(x);
    free(y);
}
