/* Keras semantics: validation split, history, summary, optimizer update
   rules and defaults, gradient clipping, EarlyStopping, metrics and
   initializers, each against a hand computation. */
#include "harness.h"
#include "testutil.h"
#include "core/model.h"
#include "optim/optimizer.h"
#include "callbacks/callback.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation split ---------------------------------------------------- */

static nn_model *linear_model(size_t in, size_t out, uint64_t seed, nn_optimizer *opt, nn_loss loss)
{
    nn_model *m = nn_model_create(in);
    nn_model_set_seed(m, seed);
    nn_model_add(m, nn_dense(out, NN_LINEAR));
    if (nn_model_compile(m, opt, loss) != NN_OK) {
        nn_model_free(m);
        return NULL;
    }
    return m;
}

TEST(sem_validation_split_takes_last_rows_before_shuffle)
{
    enum { N = 10 };
    float x[N], y[N], l_val, l_train, l_wrong;
    size_t i;
    nn_model *m = linear_model(1, 1, 3, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MSE);
    for (i = 0; i < N; i++) {
        x[i] = (float)i / N;
        y[i] = i < 8 ? (float)i * 0.1f : 50.0f + (float)i; /* distinctive validation targets */
    }
    CHECK_EQ(nn_model_set_validation_split(m, 0.2f), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, N, 4, 3), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 4);
    /* Keras: the last floor-split of 10 rows at 0.2 is rows 8 and 9; val_loss is
       computed at the end of each epoch, so evaluate at the final weights
       reproduces the last entry exactly. */
    CHECK_EQ(nn_model_evaluate(m, x + 8, y + 8, 2, &l_val), NN_OK);
    CHECK(nn_model_history(m, "val_loss", 3) == l_val);
    CHECK_EQ(nn_model_evaluate(m, x + 7, y + 7, 3, &l_wrong), NN_OK);
    CHECK(nn_model_history(m, "val_loss", 3) != l_wrong);
    nn_model_free(m);

    /* With lr 0 the training loss is the loss over exactly rows 0..7: no
       validation row (target >= 58) was trained on. */
    m = linear_model(1, 1, 3, nn_sgd(0.0f, 0.0f, 0), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.2f);
    CHECK_EQ(nn_model_fit(m, x, y, N, 2, 3), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, x, y, 8, &l_train), NN_OK);
    CHECK_NEAR(nn_model_history(m, "loss", 1), l_train, 1e-6 * l_train);
    CHECK_EQ(nn_model_evaluate(m, x + 8, y + 8, 2, &l_val), NN_OK);
    CHECK(nn_model_history(m, "val_loss", 0) == l_val);
    nn_model_free(m);
}

TEST(sem_validation_split_count_is_keras_floor_of_decimal)
{
    /* Keras: split_at = floor(n * (1 - split)) with the split the user wrote:
       n=10, 0.3 -> 7 training rows (not 6 from 0.3f's binary value); 0.2 -> 8. */
    static const struct { float split; size_t n, n_val; } cases[] = {
        { 0.2f, 10, 2 }, { 0.3f, 10, 3 }, { 0.1f, 10, 1 }, { 0.25f, 7, 2 }, { 0.5f, 5, 3 }, { 0.33f, 100, 33 },
    };
    size_t ci, i;
    for (ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        float x[100], y[100], l_val;
        size_t n = cases[ci].n, nv = cases[ci].n_val;
        nn_model *m = linear_model(1, 1, 5, nn_sgd(0.05f, 0.0f, 0), NN_LOSS_MSE);
        for (i = 0; i < n; i++) {
            x[i] = (float)i / (float)n;
            y[i] = (float)(i * i % 7) * 0.1f;
        }
        nn_model_set_validation_split(m, cases[ci].split);
        CHECK_EQ(nn_model_fit(m, x, y, n, 2, 4), NN_OK);
        CHECK_EQ(nn_model_evaluate(m, x + (n - nv), y + (n - nv), nv, &l_val), NN_OK);
        CHECK_MSG(nn_model_history(m, "val_loss", 1) == l_val, "split %g of %zu rows: expected the last %zu rows for validation",
                  (double)cases[ci].split, n, nv);
        nn_model_free(m);
    }
}

TEST(sem_validation_data_takes_precedence_and_is_copied)
{
    float x[6] = { 0, 1, 2, 3, 4, 5 }, y[6] = { 0, 2, 4, 6, 8, 10 }, vx[2] = { 7, 8 }, vy[2] = { 1, 1 }, l;
    nn_model *m = linear_model(1, 1, 9, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.5f);
    CHECK_EQ(nn_model_set_validation_data(m, vx, vy, 2), NN_OK);
    vx[0] = 1000.0f; /* the library copied the rows */
    CHECK_EQ(nn_model_fit(m, x, y, 6, 2, 6), NN_OK);
    vx[0] = 7.0f;
    CHECK_EQ(nn_model_evaluate(m, vx, vy, 2, &l), NN_OK);
    CHECK(nn_model_history(m, "val_loss", 1) == l);
    /* clearing it brings back the split */
    CHECK_EQ(nn_model_set_validation_data(m, NULL, NULL, 0), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 6, 1, 6), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, x + 3, y + 3, 3, &l), NN_OK);
    CHECK(nn_model_history(m, "val_loss", 0) == l);
    nn_model_free(m);
}

/* ---- history ------------------------------------------------------------- */

TEST(sem_history_keys_order_and_absent_values)
{
    float x[20], y[20];
    size_t i;
    nn_model *m = linear_model(1, 1, 1, nn_adam(0.01f), NN_LOSS_MSE);
    static const char *const keys[] = { "loss", "mae", "accuracy", "val_loss", "val_mae", "val_accuracy", "learning_rate" };
    for (i = 0; i < 20; i++) {
        x[i] = (float)i / 20;
        y[i] = i % 2 ? 1.0f : 0.0f;
    }
    CHECK_EQ(nn_model_add_metric(m, NN_METRIC_MAE), NN_OK);
    CHECK_EQ(nn_model_add_metric(m, NN_METRIC_ACCURACY), NN_OK);
    CHECK_EQ(nn_model_add_metric(m, NN_METRIC_MAE), NN_OK); /* duplicates are ignored */
    CHECK_EQ(nn_model_history_len(m), 0);
    CHECK(isnan(nn_model_history(m, "loss", 0)));
    nn_model_set_validation_split(m, 0.25f);
    CHECK_EQ(nn_model_fit(m, x, y, 20, 3, 5), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 3);
    CHECK_EQ(nn_model_history_key_count(m), 7);
    for (i = 0; i < 7; i++) CHECK_STR_CONTAINS(nn_model_history_key(m, i), keys[i]);
    for (i = 0; i < 7; i++) CHECK(strcmp(nn_model_history_key(m, i), keys[i]) == 0);
    CHECK(nn_model_history_key(m, 7) == NULL);
    for (i = 0; i < 7; i++) CHECK(isfinite(nn_model_history(m, keys[i], 2)));
    CHECK_NEAR(nn_model_history(m, "learning_rate", 0), 0.01f, 0);
    CHECK(isnan(nn_model_history(m, "loss", 3)));
    CHECK(isnan(nn_model_history(m, "rmse", 0)));
    CHECK(isnan(nn_model_history(m, "val_auc", 0)));
    CHECK(isnan(nn_model_history(m, NULL, 0)));
    CHECK(isnan(nn_model_history(m, "", 0)));

    /* without validation: no val_ keys; a second fit replaces the history */
    nn_model_set_validation_split(m, 0.0f);
    nn_model_add_metric(m, NN_METRIC_RMSE);
    CHECK_EQ(nn_model_fit(m, x, y, 20, 2, 5), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 2);
    CHECK_EQ(nn_model_history_key_count(m), 5);
    CHECK(strcmp(nn_model_history_key(m, 3), "root_mean_squared_error") == 0);
    CHECK(strcmp(nn_model_history_key(m, 4), "learning_rate") == 0);
    CHECK(isnan(nn_model_history(m, "val_loss", 0)));
    CHECK(nn_model_history(m, "rmse", 1) == nn_model_history(m, "root_mean_squared_error", 1));
    CHECK(nn_model_history(m, "rmse", 1) > 0.0f);
    CHECK(isnan(nn_model_history(m, "mse", 1))); /* not tracked */
    nn_model_free(m);
}

TEST(sem_history_train_metrics_equal_evaluate_when_frozen)
{
    /* lr 0 and no dropout: the epoch's mean loss and metrics equal evaluate's. */
    enum { N = 37 };
    float x[N * 2], y[N], l;
    size_t i;
    tu_rng r = { 5 };
    nn_model *m = nn_model_create(2);
    nn_model_set_seed(m, 4);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_SIGMOID));
    nn_model_compile(m, nn_sgd(0.0f, 0.0f, 0), NN_LOSS_BINARY_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_add_metric(m, NN_METRIC_MSE);
    for (i = 0; i < N; i++) {
        x[2 * i] = (float)tu_normal(&r);
        x[2 * i + 1] = (float)tu_normal(&r);
        y[i] = x[2 * i] + 0.3f * x[2 * i + 1] > 0 ? 1.0f : 0.0f;
    }
    CHECK_EQ(nn_model_fit(m, x, y, N, 1, 8), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, x, y, N, &l), NN_OK);
    CHECK_NEAR(nn_model_history(m, "loss", 0), l, 2e-6 * l);
    CHECK_NEAR(nn_model_history(m, "accuracy", 0), nn_model_evaluated_metric(m, "accuracy"), 1e-7);
    CHECK_NEAR(nn_model_history(m, "mae", 0), nn_model_evaluated_metric(m, "mae"), 1e-6);
    CHECK_NEAR(nn_model_history(m, "mse", 0), nn_model_evaluated_metric(m, "mse"), 1e-6);
    CHECK(nn_model_evaluated_metric(m, "loss") == l);
    CHECK(isnan(nn_model_evaluated_metric(m, "rmse")));
    nn_model_free(m);
}

/* ---- summary ------------------------------------------------------------- */

TEST(sem_summary_param_counts_and_text)
{
    char buf[4096], small[40];
    size_t needed = 0, needed2 = 0;
    tu_log log;
    nn_model *m = nn_model_create(10);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dropout(0.3f));
    nn_model_add(m, nn_dense(32, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    CHECK_EQ(nn_model_param_count(m), 704 + 2080 + 33);
    CHECK_EQ(nn_model_trainable_param_count(m), 2817);
    CHECK_EQ(nn_model_layer_count(m), 4);
    CHECK_EQ(nn_model_output_dim(m), 1);
    CHECK_EQ(nn_model_input_dim(m), 10);
    CHECK_EQ(nn_layer_output_dim(nn_model_layer(m, 0)), 64);
    CHECK_EQ(nn_layer_output_dim(nn_model_layer(m, 1)), 64);
    CHECK(nn_model_layer(m, 4) == NULL);
    CHECK_EQ(nn_model_summary(m, buf, sizeof buf, &needed), NN_OK);
    CHECK_EQ(needed, strlen(buf) + 1);
    CHECK_STR_CONTAINS(buf, "Model: \"sequential\"");
    CHECK_STR_CONTAINS(buf, "dense (Dense)");
    CHECK_STR_CONTAINS(buf, "dropout (Dropout)");
    CHECK_STR_CONTAINS(buf, "dense_1 (Dense)");
    CHECK_STR_CONTAINS(buf, "dense_2 (Dense)");
    CHECK_STR_CONTAINS(buf, "(None, 64)");
    CHECK_STR_CONTAINS(buf, "(None, 32)");
    CHECK_STR_CONTAINS(buf, "(None, 1)");
    CHECK_STR_CONTAINS(buf, "704");
    CHECK_STR_CONTAINS(buf, "2,080");
    CHECK_STR_CONTAINS(buf, "Total params: 2,817");
    CHECK_STR_CONTAINS(buf, "Trainable params: 2,817");
    CHECK_STR_CONTAINS(buf, "Non-trainable params: 0");
    /* size query and truncation */
    CHECK_EQ(nn_model_summary(m, NULL, 0, &needed2), NN_OK);
    CHECK_EQ(needed2, needed);
    memset(small, 'x', sizeof small);
    CHECK(nn_model_summary(m, small, sizeof small, &needed2) != NN_OK);
    CHECK_EQ(strlen(small), sizeof small - 1);
    CHECK(strncmp(small, buf, sizeof small - 1) == 0);
    CHECK_EQ(nn_model_summary(m, NULL, 5, NULL), NN_ERR_INVALID_ARG);
    /* printing goes through the log sink, and only when asked */
    memset(&log, 0, sizeof log);
    nn_model_set_log_sink(m, tu_log_sink, &log);
    CHECK_EQ(nn_model_print_summary(m), NN_OK);
    CHECK(strcmp(log.buf, buf) == 0);
    nn_model_free(m);

    m = nn_model_create(784);
    nn_model_add(m, nn_dense(128, NN_RELU));
    nn_model_add(m, nn_dense(10, NN_SOFTMAX));
    CHECK_EQ(nn_model_param_count(m), 100480 + 1290);
    nn_model_summary(m, buf, sizeof buf, NULL);
    CHECK_STR_CONTAINS(buf, "100,480");
    CHECK_STR_CONTAINS(buf, "Total params: 101,770");
    nn_model_free(m);
}

/* ---- optimizers: two and three steps by hand ----------------------------- */

typedef struct opt_sim {
    int kind; /* 0 sgd, 1 adam, 2 rmsprop, 3 adagrad */
    double lr, mu, wd, rho, eps, b1, b2, acc0;
    int nesterov, amsgrad, centered;
    double clipnorm, gclip, clipval;
} opt_sim;

enum { P = 3 }; /* kernel w0, w1 then bias b of Dense(1) on 2 inputs */
static const float OX[4] = { 1.0f, 2.0f, -1.0f, 0.5f }, OY[2] = { 1.0f, -1.0f };

static void sim_grad(const double *w, double *g)
{
    size_t r;
    g[0] = g[1] = g[2] = 0.0;
    for (r = 0; r < 2; r++) {
        double e = w[0] * OX[2 * r] + w[1] * OX[2 * r + 1] + w[2] - OY[r];
        g[0] += e * OX[2 * r];
        g[1] += e * OX[2 * r + 1];
        g[2] += e;
    }
    /* MSE over n = 2 rows: dL/dw = 2/n sum e x = sum e x */
}

static void scale_norm(double *g, size_t n, double c)
{
    double s = 0.0;
    size_t i;
    for (i = 0; i < n; i++) s += g[i] * g[i];
    s = sqrt(s);
    if (s > c)
        for (i = 0; i < n; i++) g[i] *= c / s;
}

static void sim_run(const opt_sim *o, double *w, int steps)
{
    double m1[P] = { 0 }, v[P] = { 0 }, vh[P] = { 0 }, a[P] = { 0 }, g[P];
    int t;
    size_t i;
    for (i = 0; i < P; i++) v[i] = o->kind == 3 ? o->acc0 : 0.0;
    for (t = 1; t <= steps; t++) {
        sim_grad(w, g);
        if (o->clipnorm > 0) {
            scale_norm(g, 2, o->clipnorm);
            scale_norm(g + 2, 1, o->clipnorm);
        }
        if (o->gclip > 0) scale_norm(g, P, o->gclip);
        if (o->clipval > 0)
            for (i = 0; i < P; i++) g[i] = g[i] > o->clipval ? o->clipval : (g[i] < -o->clipval ? -o->clipval : g[i]);
        for (i = 0; i < P; i++) {
            switch (o->kind) {
            case 0:
                if (o->mu == 0) w[i] -= o->lr * g[i];
                else {
                    m1[i] = o->mu * m1[i] - o->lr * g[i];
                    w[i] += o->nesterov ? o->mu * m1[i] - o->lr * g[i] : m1[i];
                }
                break;
            case 1: {
                double alpha = o->lr * sqrt(1 - pow(o->b2, t)) / (1 - pow(o->b1, t)), vv;
                w[i] -= w[i] * o->lr * o->wd;
                m1[i] += (g[i] - m1[i]) * (1 - o->b1);
                v[i] += (g[i] * g[i] - v[i]) * (1 - o->b2);
                vv = v[i];
                if (o->amsgrad) {
                    vh[i] = vh[i] > vv ? vh[i] : vv;
                    vv = vh[i];
                }
                w[i] -= m1[i] * alpha / (sqrt(vv) + o->eps);
                break;
            }
            case 2: {
                double den, inc;
                v[i] = o->rho * v[i] + (1 - o->rho) * g[i] * g[i];
                if (o->centered) {
                    a[i] = o->rho * a[i] + (1 - o->rho) * g[i];
                    den = v[i] - a[i] * a[i] + o->eps;
                } else {
                    den = v[i] + o->eps;
                }
                inc = o->lr * g[i] / sqrt(den);
                if (o->mu > 0) {
                    m1[i] = o->mu * m1[i] + inc;
                    w[i] -= m1[i];
                } else {
                    w[i] -= inc;
                }
                break;
            }
            default:
                v[i] += g[i] * g[i];
                w[i] -= o->lr * g[i] / sqrt(v[i] + o->eps);
                break;
            }
        }
    }
}

static const float W0[P] = { 0.3f, -0.2f, 0.1f };

/* Train Dense(1) on the two fixed rows for `steps` full-batch steps. */
static void run_lib(nn_optimizer *opt, float *out, int steps)
{
    nn_model *m = nn_model_create(2);
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    CHECK_EQ(nn_model_compile(m, opt, NN_LOSS_MSE), NN_OK);
    memcpy(m->params, W0, sizeof W0);
    nn_model_set_shuffle(m, 0);
    CHECK_EQ(nn_model_fit(m, OX, OY, 2, steps, 2), NN_OK);
    memcpy(out, m->params, P * sizeof(float));
    nn_model_free(m);
}

/* A fresh optimizer with opt's configuration (never attached), from its allocator. */
static nn_optimizer *clone_opt(const nn_optimizer *opt)
{
    nn_optimizer *c = (nn_optimizer *)opt->alloc.alloc(opt->alloc.user, sizeof *c);
    memcpy(c, opt, sizeof *c);
    return c;
}

/* Steps 1, 2 and 3 of the library against the hand computation; takes opt. */
static void check_opt(const char *name, nn_optimizer *opt, const opt_sim *sim)
{
    int steps;
    for (steps = 1; steps <= 3; steps++) {
        double w[P] = { W0[0], W0[1], W0[2] };
        float got[P];
        size_t i;
        sim_run(sim, w, steps);
        run_lib(steps < 3 ? clone_opt(opt) : opt, got, steps);
        for (i = 0; i < P; i++)
            CHECK_MSG(fabs(got[i] - w[i]) <= 2e-6 * (1.0 + fabs(w[i])), "%s step %d w[%zu]: %.9g vs hand %.9g", name, steps, i,
                      (double)got[i], w[i]);
    }
}

static opt_sim sim_defaults(int kind, double lr)
{
    opt_sim s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.lr = lr;
    s.eps = 1e-7;     /* Keras epsilon for Adam, RMSprop, Adagrad */
    s.b1 = 0.9;
    s.b2 = 0.999;
    s.rho = 0.9;
    s.acc0 = 0.1;     /* Keras Adagrad initial_accumulator_value */
    return s;
}

TEST(sem_optimizer_update_rules_by_hand)
{
    opt_sim s;
    nn_optimizer *o;

    s = sim_defaults(0, 0.05);
    check_opt("sgd", nn_sgd(0.05f, 0.0f, 0), &s);
    s.mu = 0.9;
    check_opt("sgd momentum", nn_sgd(0.05f, 0.9f, 0), &s);
    s.nesterov = 1;
    check_opt("sgd nesterov", nn_sgd(0.05f, 0.9f, 1), &s);

    s = sim_defaults(1, 0.01);
    check_opt("adam", nn_adam(0.01f), &s);
    s.amsgrad = 1;
    o = nn_adam(0.01f);
    CHECK_EQ(nn_optimizer_set_amsgrad(o, 1), NN_OK);
    check_opt("adam amsgrad", o, &s);
    s = sim_defaults(1, 0.02);
    s.b1 = 0.8;
    s.b2 = 0.99;
    s.eps = 1e-3;
    o = nn_adam(0.02f);
    CHECK_EQ(nn_optimizer_set_beta1(o, 0.8f), NN_OK);
    CHECK_EQ(nn_optimizer_set_beta2(o, 0.99f), NN_OK);
    CHECK_EQ(nn_optimizer_set_epsilon(o, 1e-3f), NN_OK);
    s.b1 = 0.8f;
    s.b2 = 0.99f;
    s.eps = 1e-3f;
    check_opt("adam custom betas", o, &s);
    s = sim_defaults(1, 0.01);
    s.wd = 0.004; /* Keras AdamW default weight_decay */
    check_opt("adamw", nn_adamw(0.01f, 0.004f), &s);
    s.wd = 0.1;
    check_opt("adamw wd 0.1", nn_adamw(0.01f, 0.1f), &s);

    s = sim_defaults(2, 0.01);
    check_opt("rmsprop", nn_rmsprop(0.01f), &s);
    s.centered = 1;
    o = nn_rmsprop(0.01f);
    nn_optimizer_set_centered(o, 1);
    check_opt("rmsprop centered", o, &s);
    s.centered = 0;
    s.mu = 0.5;
    s.rho = 0.8f;
    o = nn_rmsprop(0.01f);
    nn_optimizer_set_momentum(o, 0.5f);
    nn_optimizer_set_rho(o, 0.8f);
    check_opt("rmsprop momentum rho", o, &s);

    s = sim_defaults(3, 0.1);
    check_opt("adagrad", nn_adagrad(0.1f), &s);
    s.acc0 = 0.5;
    o = nn_adagrad(0.1f);
    nn_optimizer_set_initial_accumulator(o, 0.5f);
    check_opt("adagrad acc 0.5", o, &s);
}

TEST(sem_optimizer_clipping_by_hand)
{
    opt_sim s = sim_defaults(0, 0.1);
    nn_optimizer *o;
    double g[P], w[P] = { W0[0], W0[1], W0[2] };
    sim_grad(w, g);
    /* the gradient at W0 is large enough for every clip below to act */
    CHECK(sqrt(g[0] * g[0] + g[1] * g[1]) > 0.5 && fabs(g[2]) > 0.3);
    s.clipnorm = 0.5;
    o = nn_sgd(0.1f, 0.0f, 0);
    nn_optimizer_set_clipnorm(o, 0.5f);
    check_opt("clipnorm", o, &s);
    s.clipnorm = 0;
    s.gclip = 0.5;
    o = nn_sgd(0.1f, 0.0f, 0);
    nn_optimizer_set_global_clipnorm(o, 0.5f);
    check_opt("global_clipnorm", o, &s);
    s.gclip = 0;
    s.clipval = 0.3;
    o = nn_sgd(0.1f, 0.0f, 0);
    nn_optimizer_set_clipvalue(o, 0.3f);
    check_opt("clipvalue", o, &s);
    s = sim_defaults(1, 0.01);
    s.clipval = 0.3;
    o = nn_adam(0.01f);
    nn_optimizer_set_clipvalue(o, 0.3f);
    check_opt("adam clipvalue", o, &s);
}

TEST(sem_optimizer_defaults_first_steps)
{
    float got[P];
    double g[P], w[P] = { W0[0], W0[1], W0[2] };
    size_t i;
    nn_optimizer *o = nn_adam(0.001f);
    sim_grad(w, g);
    /* Adam's first step moves every weight by ~lr against the gradient's sign */
    run_lib(nn_adam(0.001f), got, 1);
    for (i = 0; i < P; i++) CHECK_NEAR(W0[i] - got[i], 0.001 * (g[i] > 0 ? 1 : -1), 1e-6);
    /* Adagrad: acc starts at 0.1, so step one is lr g / sqrt(0.1 + g^2) */
    run_lib(nn_adagrad(0.01f), got, 1);
    for (i = 0; i < P; i++) CHECK_NEAR(W0[i] - got[i], 0.01 * g[i] / sqrt(0.1 + g[i] * g[i]), 1e-7);
    /* RMSprop: v = 0.1 g^2, step lr g / sqrt(0.1 g^2) = lr sign(g) sqrt(10) */
    run_lib(nn_rmsprop(0.001f), got, 1);
    for (i = 0; i < P; i++) CHECK_NEAR(W0[i] - got[i], 0.001 * sqrt(10.0) * (g[i] > 0 ? 1 : -1), 1e-6);
    /* documented constructor defaults */
    CHECK_NEAR(o->beta1, 0.9f, 0);
    CHECK_NEAR(o->beta2, 0.999f, 0);
    CHECK_NEAR(o->epsilon, 1e-7f, 0);
    CHECK_EQ(o->amsgrad, 0);
    nn_optimizer_free(o);
    o = nn_rmsprop(0.001f);
    CHECK_NEAR(o->rho, 0.9f, 0);
    CHECK_NEAR(o->momentum, 0.0f, 0);
    CHECK_EQ(o->centered, 0);
    nn_optimizer_free(o);
    o = nn_adamw(0.001f, 0.004f);
    CHECK_NEAR(o->weight_decay, 0.004f, 0);
    nn_optimizer_free(o);
    o = nn_adagrad(0.001f);
    CHECK_NEAR(o->initial_accumulator, 0.1f, 0);
    CHECK_NEAR(o->epsilon, 1e-7f, 0);
    nn_optimizer_free(o);
    o = nn_sgd(0.01f, 0.0f, 0);
    CHECK_NEAR(o->lr, 0.01f, 0);
    CHECK_EQ(o->nesterov, 0);
    CHECK_EQ(nn_optimizer_set_beta1(o, 1.0f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_epsilon(o, -1.0f), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_optimizer_set_clipnorm(o, NAN), NN_ERR_INVALID_ARG);
    nn_optimizer_free(o);
}

TEST(sem_optimizer_state_layout_locked_after_compile)
{
    nn_model *m = nn_model_create(2);
    nn_optimizer *o = nn_sgd(0.01f, 0.5f, 0);
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    CHECK_EQ(nn_model_compile(m, o, NN_LOSS_MSE), NN_OK);
    CHECK_EQ(nn_optimizer_set_momentum(o, 0.0f), NN_ERR_STATE);
    CHECK_EQ(nn_optimizer_set_momentum(o, 0.7f), NN_OK);
    CHECK_EQ(nn_optimizer_set_amsgrad(o, 1), NN_ERR_STATE);
    CHECK_EQ(nn_optimizer_set_centered(o, 1), NN_ERR_STATE);
    CHECK_EQ(nn_optimizer_set_initial_accumulator(o, 1.0f), NN_ERR_STATE);
    CHECK_NEAR(nn_model_learning_rate(m), 0.01f, 0);
    CHECK_EQ(nn_model_set_learning_rate(m, 0.5f), NN_OK);
    CHECK_NEAR(nn_model_learning_rate(m), 0.5f, 0);
    nn_model_free(m);
}

/* ---- EarlyStopping ------------------------------------------------------- */

#define ES_MAX 12
typedef struct es_script {
    const float *lrs;
    size_t n_params;
    float snaps[ES_MAX][16];
    int epochs_seen;
} es_script;

static int es_begin(nn_model *m, int epoch, void *user)
{
    es_script *s = (es_script *)user;
    nn_model_set_learning_rate(m, s->lrs[epoch]);
    return 0;
}

static int es_end(nn_model *m, int epoch, void *user)
{
    es_script *s = (es_script *)user;
    memcpy(s->snaps[epoch], m->params, s->n_params * sizeof(float));
    s->epochs_seen = epoch + 1;
    return 0;
}

/* Fit with the monitored value scripted through the learning rate, which
   history records each epoch. Returns the model (caller frees). */
static nn_model *es_fit(es_script *s, const float *lrs, int epochs, float min_delta, int patience, int restore)
{
    float x[16], y[8];
    size_t i;
    nn_model *m = nn_model_create(2);
    nn_model_set_seed(m, 77);
    nn_model_add(m, nn_dense(3, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_sgd(0.01f, 0.0f, 0), NN_LOSS_MSE);
    for (i = 0; i < 16; i++) x[i] = (float)(i % 5) * 0.3f - 0.5f;
    for (i = 0; i < 8; i++) y[i] = (float)i * 0.2f;
    memset(s, 0, sizeof *s);
    s->lrs = lrs;
    s->n_params = m->n_params;
    CHECK(m->n_params <= 16);
    nn_model_add_callback(m, nn_callback_custom(es_begin, es_end, NULL, s));
    CHECK_EQ(nn_model_add_callback(m, nn_early_stopping("learning_rate", min_delta, patience, restore)), NN_OK);
    CHECK_EQ(nn_model_fit(m, x, y, 8, epochs, 4), NN_OK);
    return m;
}

TEST(sem_early_stopping_stops_on_exact_epoch_and_restores)
{
    static const float lrs[ES_MAX] = { 0.05f, 0.04f, 0.03f, 0.035f, 0.032f, 0.001f, 0.001f, 0.001f, 0.001f, 0.001f };
    es_script s;
    /* best at epoch 2; epochs 3 and 4 do not improve; patience 2 stops after epoch 4 */
    nn_model *m = es_fit(&s, lrs, 10, 0.0f, 2, 1);
    CHECK_EQ(nn_model_history_len(m), 5);
    CHECK_EQ(s.epochs_seen, 5);
    CHECK(memcmp(m->params, s.snaps[2], m->n_params * sizeof(float)) == 0);
    CHECK(memcmp(s.snaps[2], s.snaps[4], m->n_params * sizeof(float)) != 0);
    nn_model_free(m);
    /* without restore the weights are the last epoch's */
    m = es_fit(&s, lrs, 10, 0.0f, 2, 0);
    CHECK_EQ(nn_model_history_len(m), 5);
    CHECK(memcmp(m->params, s.snaps[4], m->n_params * sizeof(float)) == 0);
    nn_model_free(m);
    /* patience 3: epoch 5 improves in time, the run goes on to epoch 8 */
    m = es_fit(&s, lrs, 10, 0.0f, 3, 1);
    CHECK_EQ(nn_model_history_len(m), 9);
    CHECK(memcmp(m->params, s.snaps[5], m->n_params * sizeof(float)) == 0);
    nn_model_free(m);
}

TEST(sem_early_stopping_min_delta)
{
    static const float lrs[ES_MAX] = { 0.010f, 0.0095f, 0.0092f, 0.0091f, 0.0089f, 0.0001f, 0.0001f, 0.0001f };
    es_script s;
    /* no change is bigger than 0.001: three epochs without improvement after epoch 0 */
    nn_model *m = es_fit(&s, lrs, 8, 0.001f, 3, 1);
    CHECK_EQ(nn_model_history_len(m), 4);
    CHECK(memcmp(m->params, s.snaps[0], m->n_params * sizeof(float)) == 0);
    nn_model_free(m);
    /* the sign of min_delta does not matter (Keras takes abs) */
    m = es_fit(&s, lrs, 8, -0.001f, 3, 0);
    CHECK_EQ(nn_model_history_len(m), 4);
    nn_model_free(m);
    /* with min_delta 0 every epoch until 4 improves; epoch 5 improves again */
    m = es_fit(&s, lrs, 8, 0.0f, 1, 0);
    CHECK_EQ(nn_model_history_len(m), 7);
    nn_model_free(m);
}

TEST(sem_early_stopping_restores_without_stopping_keras3)
{
    static const float lrs[ES_MAX] = { 0.03f, 0.01f, 0.02f, 0.04f, 0.05f, 0.06f };
    es_script s;
    nn_model *m = es_fit(&s, lrs, 6, 0.0f, 10, 1);
    CHECK_EQ(nn_model_history_len(m), 6);
    CHECK(memcmp(m->params, s.snaps[1], m->n_params * sizeof(float)) == 0);
    CHECK(memcmp(s.snaps[1], s.snaps[5], m->n_params * sizeof(float)) != 0);
    nn_model_free(m);
}

TEST(sem_early_stopping_mode_and_missing_monitor)
{
    static const float lrs[ES_MAX] = { 0.01f, 0.01f, 0.01f, 0.01f, 0.01f };
    nn_callback *a = nn_early_stopping("val_accuracy", 0.0f, 1, 0), *b = nn_early_stopping("val_loss", 0.0f, 1, 0);
    nn_callback *c = nn_early_stopping(NULL, 0.0f, 1, 0);
    float x[4] = { 0, 1, 2, 3 }, y[4] = { 0, 1, 2, 3 };
    nn_model *m;
    CHECK_EQ(a->mode_max, 1);
    CHECK_EQ(b->mode_max, 0);
    CHECK(strcmp(c->monitor, "val_loss") == 0);
    nn_callback_free(a);
    nn_callback_free(b);
    nn_callback_free(c);
    (void)lrs;
    /* a monitor that is not in the logs never stops training */
    m = linear_model(1, 1, 2, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, 0, 1));
    CHECK_EQ(nn_model_fit(m, x, y, 4, 5, 2), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 5);
    nn_model_free(m);
}

static int stop_at_2(nn_model *m, int epoch, void *user)
{
    (void)m;
    (void)user;
    return epoch == 2;
}

static int count_batches(nn_model *m, int batch, float loss, void *user)
{
    int *n = (int *)user;
    (void)batch;
    (*n)++;
    if (!isfinite(loss)) (*n) += 1000;
    if (*n == 7) nn_model_stop_training(m);
    return 0;
}

TEST(sem_custom_callback_stops_training)
{
    float x[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, y[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    int batches = 0;
    nn_model *m = linear_model(1, 1, 2, nn_sgd(0.001f, 0, 0), NN_LOSS_MSE);
    nn_model_add_callback(m, nn_callback_custom(NULL, stop_at_2, NULL, NULL));
    CHECK_EQ(nn_model_fit(m, x, y, 8, 10, 2), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 3);
    nn_model_free(m);
    /* nn_model_stop_training from a batch hook ends the epoch after that batch */
    m = linear_model(1, 1, 2, nn_sgd(0.001f, 0, 0), NN_LOSS_MSE);
    nn_model_add_callback(m, nn_callback_custom(NULL, NULL, count_batches, &batches));
    CHECK_EQ(nn_model_fit(m, x, y, 8, 10, 2), NN_OK);
    CHECK_EQ(batches, 7);
    CHECK_EQ(nn_model_history_len(m), 2);
    /* a new fit starts afresh */
    batches = 100;
    CHECK_EQ(nn_model_fit(m, x, y, 8, 2, 2), NN_OK);
    CHECK_EQ(batches, 108);
    CHECK_EQ(nn_model_history_len(m), 2);
    nn_model_free(m);
}

/* ---- metrics by hand ----------------------------------------------------- */

TEST(sem_metrics_binary_by_hand)
{
    float x[5] = { 0.7f, 0.5f, 0.2f, 0.6f, 0.9f }, y[5] = { 1, 1, 0, 0, 1 }, l;
    nn_model *m = nn_model_create(1);
    nn_layer *d = nn_dense(1, NN_LINEAR);
    nn_layer_set_kernel_initializer(d, NN_INIT_ONES); /* prediction = x */
    nn_model_add(m, d);
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_add_metric(m, NN_METRIC_MSE);
    nn_model_add_metric(m, NN_METRIC_RMSE);
    CHECK_EQ(nn_model_evaluate(m, x, y, 5, &l), NN_OK);
    /* 0.5 is not above the 0.5 threshold; 0.6 is, against a 0 target */
    CHECK_NEAR(nn_model_evaluated_metric(m, "accuracy"), 0.6, 1e-7);
    CHECK_NEAR(nn_model_evaluated_metric(m, "mae"), (0.3 + 0.5 + 0.2 + 0.6 + 0.1) / 5, 1e-7);
    CHECK_NEAR(nn_model_evaluated_metric(m, "mse"), (0.09 + 0.25 + 0.04 + 0.36 + 0.01) / 5, 1e-7);
    CHECK_NEAR(nn_model_evaluated_metric(m, "rmse"), sqrt(0.15), 1e-7);
    CHECK_NEAR(nn_model_evaluated_metric(m, "root_mean_squared_error"), sqrt(0.15), 1e-7);
    CHECK_NEAR(l, 0.15, 1e-7);
    CHECK(isnan(nn_model_evaluated_metric(m, "auc")));
    CHECK(isnan(nn_model_evaluated_metric(m, NULL)));
    nn_model_free(m);
}

static nn_model *identity3(nn_loss loss)
{
    nn_model *m = nn_model_create(3);
    size_t i;
    nn_model_add(m, nn_dense(3, NN_LINEAR));
    nn_model_compile(m, nn_sgd(0.01f, 0, 0), loss);
    for (i = 0; i < 12; i++) m->params[i] = (i < 9 && i % 4 == 0) ? 1.0f : 0.0f;
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_add_metric(m, NN_METRIC_MAE);
    return m;
}

TEST(sem_metrics_categorical_and_sparse_by_hand)
{
    const float x[12] = { 0.2f, 0.5f, 0.3f, 0.6f, 0.3f, 0.1f, 0.1f, 0.1f, 0.8f, 0.4f, 0.35f, 0.25f };
    const float onehot[12] = { 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0 }, sparse[4] = { 1, 2, 2, 0 };
    double want_loss = -(log(0.5) + log(0.1) + log(0.8) + log(0.4)) / 4, mae = 0.0;
    float l;
    size_t i;
    nn_model *m = identity3(NN_LOSS_CATEGORICAL_CROSSENTROPY);
    for (i = 0; i < 12; i++) mae += fabs((double)x[i] - onehot[i]) / 12.0;
    CHECK_EQ(nn_model_evaluate(m, x, onehot, 4, &l), NN_OK);
    CHECK_NEAR(nn_model_evaluated_metric(m, "accuracy"), 0.75, 1e-7);
    CHECK_NEAR(nn_model_evaluated_metric(m, "mae"), mae, 1e-6);
    CHECK_NEAR(l, want_loss, 1e-6);
    nn_model_free(m);
    m = identity3(NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    CHECK_EQ(nn_model_evaluate(m, x, sparse, 4, &l), NN_OK);
    CHECK_NEAR(nn_model_evaluated_metric(m, "accuracy"), 0.75, 1e-7);
    CHECK_NEAR(l, want_loss, 1e-6);
    nn_model_free(m);
}

/* ---- initializers -------------------------------------------------------- */

static void init_stats(nn_initializer init, double *mn, double *mx, double *mean, double *var)
{
    nn_model *m = nn_model_create(300);
    nn_layer *l = nn_dense(200, NN_LINEAR);
    size_t i, n = 300 * 200;
    double s = 0.0, s2 = 0.0;
    nn_model_set_seed(m, 1234 + (uint64_t)init);
    CHECK_EQ(nn_layer_set_kernel_initializer(l, init), NN_OK);
    nn_model_add(m, l);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE), NN_OK);
    CHECK_EQ(nn_layer_set_kernel_initializer(l, NN_INIT_ZEROS), NN_ERR_STATE);
    *mn = INFINITY;
    *mx = -INFINITY;
    for (i = 0; i < n; i++) {
        double w = l->param[0][i];
        s += w;
        s2 += w * w;
        *mn = w < *mn ? w : *mn;
        *mx = w > *mx ? w : *mx;
    }
    for (i = 0; i < 200; i++) CHECK(l->param[1][i] == 0.0f); /* bias zeros */
    *mean = s / (double)n;
    *var = s2 / (double)n - *mean * *mean;
    nn_model_free(m);
}

TEST(sem_initializers_bounds_and_variance)
{
    double mn, mx, mean, var, lim, sd;
    const double fan_in = 300, fan_out = 200, trunc = 0.87962566103423978;
    /* uniform: within the Keras limit, reaching it, variance limit^2 / 3 */
    init_stats(NN_INIT_GLOROT_UNIFORM, &mn, &mx, &mean, &var);
    lim = sqrt(6.0 / (fan_in + fan_out));
    CHECK(mn >= -lim && mx <= lim && mn < -0.99 * lim && mx > 0.99 * lim);
    CHECK_NEAR(mean, 0.0, 0.01 * lim);
    CHECK_NEAR(var, lim * lim / 3.0, 0.03 * lim * lim / 3.0);
    init_stats(NN_INIT_HE_UNIFORM, &mn, &mx, &mean, &var);
    lim = sqrt(6.0 / fan_in);
    CHECK(mn >= -lim && mx <= lim && mn < -0.99 * lim && mx > 0.99 * lim);
    CHECK_NEAR(var, lim * lim / 3.0, 0.03 * lim * lim / 3.0);
    /* truncated normals: within 2 stddev of the (corrected) normal, with the
       variance-scaling target variance */
    {
        static const nn_initializer inits[3] = { NN_INIT_GLOROT_NORMAL, NN_INIT_HE_NORMAL, NN_INIT_LECUN_NORMAL };
        const double target[3] = { 2.0 / (fan_in + fan_out), 2.0 / fan_in, 1.0 / fan_in };
        size_t k;
        for (k = 0; k < 3; k++) {
            init_stats(inits[k], &mn, &mx, &mean, &var);
            sd = sqrt(target[k]) / trunc;
            CHECK_MSG(mn >= -2.0 * sd * (1 + 1e-6) && mx <= 2.0 * sd * (1 + 1e-6), "init %d outside 2 stddev: [%g, %g] vs %g", (int)inits[k], mn, mx, 2 * sd);
            CHECK(mn < -1.95 * sd && mx > 1.95 * sd);
            CHECK_NEAR(mean, 0.0, 0.01 * sd);
            CHECK_MSG(fabs(var - target[k]) <= 0.03 * target[k], "init %d variance %g vs %g", (int)inits[k], var, target[k]);
        }
    }
    init_stats(NN_INIT_ZEROS, &mn, &mx, &mean, &var);
    CHECK(mn == 0.0 && mx == 0.0);
    init_stats(NN_INIT_ONES, &mn, &mx, &mean, &var);
    CHECK(mn == 1.0 && mx == 1.0);
}

TEST(sem_verbose_output_only_through_the_sink)
{
    float x[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, y[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
    tu_log log;
    nn_model *m = linear_model(1, 1, 2, nn_sgd(0.01f, 0, 0), NN_LOSS_MSE);
    memset(&log, 0, sizeof log);
    nn_model_set_log_sink(m, tu_log_sink, &log);
    nn_model_add_callback(m, nn_early_stopping("loss", 0.0f, 100, 1));
    CHECK_EQ(nn_model_fit(m, x, y, 8, 2, 4), NN_OK);
    CHECK_EQ(log.len, 0); /* silent by default */
    CHECK_EQ(nn_model_set_verbose(m, 2), NN_OK);
    nn_model_add_metric(m, NN_METRIC_MAE);
    CHECK_EQ(nn_model_fit(m, x, y, 8, 2, 4), NN_OK);
    CHECK_STR_CONTAINS(log.buf, "Epoch 1/2\n");
    CHECK_STR_CONTAINS(log.buf, "Epoch 2/2\n");
    CHECK_STR_CONTAINS(log.buf, "2/2 - ");
    CHECK_STR_CONTAINS(log.buf, " - loss: ");
    CHECK_STR_CONTAINS(log.buf, " - mae: ");
    CHECK_STR_CONTAINS(log.buf, " - learning_rate: 0.01");
    CHECK_STR_CONTAINS(log.buf, "Restoring model weights from the end of the best epoch");
    nn_model_free(m);
}
