/* Callbacks with scripted monitor sequences: the epoch each fires on, what it
   restores, the history it leaves. A script callback added first overwrites the
   monitored history value before the callback under test reads it. */
#include "toolkit_util.h"
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#define MAXE 16

typedef struct script {
    const char *key;
    const float *seq;
    float weights[MAXE][8]; /* weights at the end of each epoch */
    size_t nw;
} script;

static int script_epoch_end(nn_model *m, int epoch, void *user)
{
    script *s = (script *)user;
    tk_script(m, s->key, epoch, s->seq[epoch]);
    nn_model_get_weights(m, s->weights[epoch], 8, &s->nw);
    return 0;
}

/* 1 -> 2 -> 1 regression on 8 rows, weights change every epoch */
static nn_model *small_model(float lr)
{
    nn_model *m = nn_model_create(1);
    nn_model_set_seed(m, 21);
    nn_model_add(m, nn_dense(2, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_set_shuffle(m, 0);
    nn_model_compile(m, nn_sgd(lr, 0, 0), NN_LOSS_MSE);
    return m;
}

static const float X[8] = { -1, -0.7f, -0.4f, -0.1f, 0.2f, 0.5f, 0.8f, 1.1f };
static const float Y[8] = { 1, 0.5f, 0.1f, 0, 0.1f, 0.4f, 0.7f, 1.2f };

static int run_es(const float *seq, int epochs, nn_callback *es, script *sc, nn_model **out)
{
    nn_model *m = small_model(0.1f);
    sc->key = "loss";
    sc->seq = seq;
    nn_model_add_callback(m, nn_callback_custom(NULL, script_epoch_end, NULL, sc));
    nn_model_add_callback(m, es);
    CHECK_EQ(nn_model_fit(m, X, Y, 8, epochs, 4), NN_OK);
    *out = m;
    return (int)nn_model_history_len(m);
}

TEST(toolkit_early_stopping_fires_and_restores)
{
    static const float seq[] = { 1.0f, 0.8f, 0.9f, 0.85f, 0.95f, 0.7f, 0.6f, 0.5f };
    static script sc;
    float w[8];
    nn_model *m;
    CHECK_EQ(run_es(seq, 8, nn_early_stopping("loss", 0.0f, 2, 1), &sc, &m), 4); /* stops at epoch 3 */
    CHECK_NEAR(nn_model_history(m, "loss", 3), 0.85, 1e-7);
    nn_model_get_weights(m, w, 8, NULL);
    CHECK(memcmp(w, sc.weights[1], sc.nw * sizeof(float)) == 0); /* best epoch 1 */
    CHECK(memcmp(w, sc.weights[3], sc.nw * sizeof(float)) != 0);
    nn_model_free(m);
    /* min_delta 0.15: 0.8 is an improvement over 1.0 by 0.2, then nothing beats 0.65 */
    CHECK_EQ(run_es(seq, 8, nn_early_stopping("loss", 0.15f, 2, 0), &sc, &m), 4);
    nn_model_free(m);
}

TEST(toolkit_early_stopping_restores_without_stop)
{
    static const float seq[] = { 1.0f, 0.5f, 0.7f, 0.8f };
    static script sc;
    float w[8];
    nn_model *m;
    CHECK_EQ(run_es(seq, 4, nn_early_stopping("loss", 0.0f, 10, 1), &sc, &m), 4);
    nn_model_get_weights(m, w, 8, NULL);
    CHECK(memcmp(w, sc.weights[1], sc.nw * sizeof(float)) == 0); /* Keras 3: restored anyway */
    nn_model_free(m);
}

TEST(toolkit_early_stopping_baseline_start_mode)
{
    static const float seq1[] = { 1.0f, 0.9f, 0.95f, 0.95f, 0.95f, 0.95f };
    static const float seq2[] = { 1.0f, 0.5f, 0.9f, 0.9f, 0.9f, 0.9f };
    static const float seq3[] = { 1.0f, 2.0f, 1.5f, 1.5f, 1.5f, 1.5f };
    static script sc;
    nn_callback *cb;
    nn_model *m;
    CHECK_EQ(run_es(seq1, 6, nn_early_stopping("loss", 0.0f, 2, 0), &sc, &m), 4);
    nn_model_free(m);
    cb = nn_early_stopping("loss", 0.0f, 2, 0);
    CHECK_EQ(nn_callback_set_baseline(cb, 0.6f), NN_OK);
    CHECK_EQ(run_es(seq1, 6, cb, &sc, &m), 3); /* never beats the baseline: wait never resets */
    nn_model_free(m);
    CHECK_EQ(run_es(seq2, 6, nn_early_stopping("loss", 0.0f, 1, 0), &sc, &m), 3);
    nn_model_free(m);
    cb = nn_early_stopping("loss", 0.0f, 1, 0);
    CHECK_EQ(nn_callback_set_start_from_epoch(cb, 2), NN_OK);
    CHECK_EQ(run_es(seq2, 6, cb, &sc, &m), 4); /* epochs 0, 1 ignored */
    nn_model_free(m);
    CHECK_EQ(run_es(seq3, 6, nn_early_stopping("loss", 0.0f, 1, 0), &sc, &m), 2);
    nn_model_free(m);
    cb = nn_early_stopping("loss", 0.0f, 1, 0);
    CHECK_EQ(nn_callback_set_mode(cb, "max"), NN_OK);
    CHECK_EQ(nn_callback_set_mode(cb, "sideways"), NN_ERR_INVALID_ARG);
    CHECK_EQ(run_es(seq3, 6, cb, &sc, &m), 3);
    nn_model_free(m);
}

static nn_model *rlr_run(int cooldown)
{
    static const float seq[] = { 1.0f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f };
    static script sc;
    nn_model *m = small_model(0.1f);
    nn_callback *cb = nn_reduce_lr_on_plateau("val_loss", 0.5f, 2, 0.02f);
    sc.key = "val_loss";
    sc.seq = seq;
    nn_model_set_validation_split(m, 0.25f);
    CHECK_EQ(nn_callback_set_cooldown(cb, cooldown), NN_OK);
    nn_model_add_callback(m, nn_callback_custom(NULL, script_epoch_end, NULL, &sc));
    nn_model_add_callback(m, cb);
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 10, 2), NN_OK);
    return m;
}

TEST(toolkit_reduce_lr_on_plateau_sequence)
{
    static const double want0[] = { .1, .1, .1, .1, .05, .05, .025, .025, .02, .02 };
    static const double want2[] = { .1, .1, .1, .1, .05, .05, .05, .025, .025, .025 };
    int e;
    nn_model *m = rlr_run(0);
    CHECK_EQ(nn_model_history_len(m), 10);
    for (e = 0; e < 10; e++) CHECK_NEAR(nn_model_history(m, "learning_rate", (size_t)e), want0[e], 1e-8);
    CHECK_NEAR(nn_model_learning_rate(m), 0.02, 1e-9);
    nn_model_free(m);
    m = rlr_run(2);
    for (e = 0; e < 10; e++) CHECK_NEAR(nn_model_history(m, "learning_rate", (size_t)e), want2[e], 1e-8);
    nn_model_free(m);
    CHECK(nn_reduce_lr_on_plateau("val_loss", 1.0f, 10, 0.0f) == NULL);
}

static float halve_after_two(int epoch, float lr, void *user)
{
    (*(int *)user)++;
    return epoch < 2 ? lr : lr * 0.5f;
}

static float bad_schedule(int epoch, float lr, void *user)
{
    (void)lr;
    (void)user;
    return epoch == 3 ? NAN : 0.1f;
}

TEST(toolkit_lr_scheduler_callback)
{
    static const double want[] = { .1, .1, .05, .025, .0125 };
    int calls = 0, e;
    nn_model *m = small_model(0.1f);
    nn_model_add_callback(m, nn_lr_scheduler(halve_after_two, &calls));
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 5, 4), NN_OK);
    CHECK_EQ(calls, 5);
    for (e = 0; e < 5; e++) CHECK_NEAR(nn_model_history(m, "learning_rate", (size_t)e), want[e], 1e-8);
    nn_model_free(m);
    m = small_model(0.1f);
    nn_model_add_callback(m, nn_lr_scheduler(bad_schedule, NULL));
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 5, 4), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "LearningRateScheduler");
    nn_model_free(m);
}

static int file_exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f) fclose(f);
    return f != NULL;
}

static void tmp_path(char *buf, size_t cap, const char *name)
{
    const char *d = getenv("TMPDIR");
    snprintf(buf, cap, "%s/libnn_tk_%ld_%s", d && *d ? d : "/tmp", (long)clock(), name);
}

TEST(toolkit_model_checkpoint_best_only_and_atomic)
{
    static const float seq[] = { 1.0f, 0.5f, 0.7f, 0.6f };
    static script sc;
    char path[512], tmp[600], bad[600];
    float w[8];
    nn_model *m = small_model(0.1f), *c;
    tmp_path(path, sizeof path, "ck.weights");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    sc.key = "loss";
    sc.seq = seq;
    nn_model_add_callback(m, nn_callback_custom(NULL, script_epoch_end, NULL, &sc));
    nn_model_add_callback(m, nn_model_checkpoint(path, "loss", 1));
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 4, 4), NN_OK);
    CHECK(file_exists(path));
    CHECK(!file_exists(tmp));
    c = nn_model_clone(m);
    CHECK(c != NULL);
    CHECK_EQ(nn_model_load_weights(c, path), NN_OK);
    nn_model_get_weights(c, w, 8, NULL);
    CHECK(memcmp(w, sc.weights[1], sc.nw * sizeof(float)) == 0); /* the best epoch's weights */
    /* a write that fails midway (file-size limit) keeps the old file intact */
    {
        nn_model *m2 = small_model(0.3f);
        struct rlimit old, lim;
        void (*prev)(int);
        getrlimit(RLIMIT_FSIZE, &old);
        lim = old;
        lim.rlim_cur = 32;
        prev = signal(SIGXFSZ, SIG_IGN);
        nn_model_add_callback(m2, nn_model_checkpoint(path, "loss", 0));
        CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
        CHECK_EQ(nn_model_fit(m2, X, Y, 8, 3, 4), NN_ERR_IO);
        setrlimit(RLIMIT_FSIZE, &old);
        signal(SIGXFSZ, prev);
        CHECK_EQ(nn_model_history_len(m2), 1);
        nn_model_free(m2);
    }
    CHECK(!file_exists(tmp));
    CHECK_EQ(nn_model_load_weights(c, path), NN_OK);
    nn_model_get_weights(c, w, 8, NULL);
    CHECK(memcmp(w, sc.weights[1], sc.nw * sizeof(float)) == 0);
    /* a path in a directory that does not exist: NN_ERR_IO, nothing left behind */
    snprintf(bad, sizeof bad, "%s.nodir/x.weights", path);
    {
        nn_model *m3 = small_model(0.1f);
        nn_model_add_callback(m3, nn_model_checkpoint(bad, "loss", 0));
        CHECK_EQ(nn_model_fit(m3, X, Y, 8, 2, 4), NN_ERR_IO);
        CHECK_STR_CONTAINS(nn_model_error(m3), "cannot create a temporary file");
        nn_model_free(m3);
    }
    remove(path);
    nn_model_free(c);
    nn_model_free(m);
}

TEST(toolkit_model_checkpoint_epoch_in_name)
{
    char pat[512], p1[600], p3[600];
    nn_model *m = small_model(0.1f);
    nn_callback *cb;
    tmp_path(pat, sizeof pat, "e{epoch:02d}.w");
    cb = nn_model_checkpoint(pat, "loss", 0);
    CHECK_EQ(nn_callback_set_save_weights_only(cb, 1), NN_OK);
    nn_model_add_callback(m, cb);
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 3, 4), NN_OK);
    snprintf(p1, sizeof p1, "%.*s01.w", (int)(strlen(pat) - strlen("{epoch:02d}.w")), pat);
    snprintf(p3, sizeof p3, "%.*s03.w", (int)(strlen(pat) - strlen("{epoch:02d}.w")), pat);
    CHECK(file_exists(p1));
    CHECK(file_exists(p3));
    remove(p1);
    remove(p3);
    p1[strlen(p1) - 3] = '2';
    remove(p1);
    nn_model_free(m);
}

TEST(toolkit_csv_logger)
{
    char path[512], line[512];
    FILE *f;
    int rows = 0;
    nn_model *m = small_model(0.1f);
    nn_callback *cb;
    tmp_path(path, sizeof path, "log.csv");
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.25f);
    nn_model_add_callback(m, nn_csv_logger(path));
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 3, 2), NN_OK);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    CHECK(fgets(line, sizeof line, f) != NULL);
    CHECK(strcmp(line, "epoch,learning_rate,loss,mae,val_loss,val_mae\n") == 0);
    while (fgets(line, sizeof line, f)) {
        char want[64];
        float lossv = 0;
        snprintf(want, sizeof want, "%d,", rows);
        CHECK(strncmp(line, want, strlen(want)) == 0);
        CHECK(sscanf(strchr(strchr(line, ',') + 1, ',') + 1, "%g", &lossv) == 1);
        CHECK_NEAR(lossv, nn_model_history(m, "loss", (size_t)rows), 1e-6);
        rows++;
    }
    fclose(f);
    CHECK_EQ(rows, 3);
    nn_model_free(m);
    /* append: no second header */
    m = small_model(0.1f);
    cb = nn_csv_logger(path);
    CHECK_EQ(nn_callback_set_append(cb, 1), NN_OK);
    nn_model_add_callback(m, cb);
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_set_validation_split(m, 0.25f);
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 2, 2), NN_OK);
    f = fopen(path, "r");
    rows = 0;
    while (f && fgets(line, sizeof line, f)) rows += strncmp(line, "epoch", 5) == 0 ? 100 : 1;
    if (f) fclose(f);
    CHECK_EQ(rows, 100 + 5);
    remove(path);
    nn_model_free(m);
}

typedef struct trace {
    char log[512];
    int poison_epoch, poison_batch;
    int batches, train_end;
    float last_batch_loss, last_running;
} trace;

static void say(trace *t, const char *s) { strncat(t->log, s, sizeof t->log - strlen(t->log) - 1); }

static int poison(nn_model *m, int batch, float loss, void *user)
{
    trace *t = (trace *)user;
    (void)loss;
    if (nn_model_current_epoch(m) == t->poison_epoch && batch == t->poison_batch) m->params[0] = NAN;
    return 0;
}

static int on_train_end(nn_model *m, void *user)
{
    (void)m;
    ((trace *)user)->train_end++;
    return 0;
}

TEST(toolkit_terminate_on_nan)
{
    static trace t;
    int k;
    for (k = 0; k < 2; k++) {
        nn_model *m = small_model(0.1f);
        nn_callback *cb = nn_callback_custom(NULL, NULL, NULL, &t);
        memset(&t, 0, sizeof t);
        t.poison_epoch = 1;
        t.poison_batch = 1;
        nn_callback_set_batch_begin(cb, poison);
        nn_callback_set_train_hooks(cb, NULL, on_train_end);
        nn_model_add_callback(m, cb);
        if (k == 0) nn_model_add_callback(m, nn_terminate_on_nan());
        CHECK_EQ(nn_model_fit(m, X, Y, 8, 5, 2), NN_ERR_NONFINITE);
        CHECK_STR_CONTAINS(nn_model_error(m), "epoch 2, batch 2");
        if (k == 0) {
            /* Keras: the epoch is closed with a NaN loss and train end runs */
            CHECK_EQ(nn_model_history_len(m), 2);
            CHECK(isnan(nn_model_history(m, "loss", 1)));
            CHECK_EQ(t.train_end, 1);
        } else {
            CHECK_EQ(nn_model_history_len(m), 1);
            CHECK_EQ(t.train_end, 0);
        }
        nn_model_free(m);
    }
}

static int tr_epoch_begin(nn_model *m, int epoch, void *user)
{
    (void)m;
    (void)epoch;
    say((trace *)user, "B");
    return 0;
}
static int tr_epoch_end_a(nn_model *m, int epoch, void *user)
{
    (void)m;
    (void)epoch;
    say((trace *)user, "a");
    return 0;
}
static int tr_epoch_end_b(nn_model *m, int epoch, void *user)
{
    trace *t = (trace *)user;
    say(t, "b");
    /* the running loss after the last batch is the epoch's loss */
    CHECK_NEAR(t->last_running, nn_model_history(m, "loss", (size_t)epoch), 1e-6);
    return epoch == 2; /* stop after the third epoch */
}
static int tr_batch_end(nn_model *m, int batch, float loss, void *user)
{
    trace *t = (trace *)user;
    (void)batch;
    t->batches++;
    t->last_batch_loss = loss;
    t->last_running = nn_model_running_loss(m);
    CHECK(nn_model_batch_loss(m) == loss);
    return 0;
}
static int tr_train_begin(nn_model *m, void *user)
{
    (void)m;
    say((trace *)user, "T");
    return 0;
}
static int tr_train_end(nn_model *m, void *user)
{
    (void)m;
    say((trace *)user, "E");
    return 0;
}
static int tr_stop_at_start(nn_model *m, void *user)
{
    (void)m;
    (void)user;
    return 1;
}

TEST(toolkit_custom_callbacks_order_hooks_stop)
{
    static trace t;
    nn_model *m = small_model(0.1f);
    nn_callback *a = nn_callback_custom(tr_epoch_begin, tr_epoch_end_a, NULL, &t);
    nn_callback *b = nn_callback_custom(NULL, tr_epoch_end_b, tr_batch_end, &t);
    memset(&t, 0, sizeof t);
    CHECK_EQ(nn_callback_set_train_hooks(a, tr_train_begin, tr_train_end), NN_OK);
    CHECK_EQ(nn_callback_set_train_hooks(NULL, NULL, NULL), NN_ERR_INVALID_ARG);
    nn_model_add_callback(m, a);
    nn_model_add_callback(m, b);
    CHECK(isnan(nn_model_batch_loss(m)));
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 10, 3), NN_OK);
    CHECK(strcmp(t.log, "TBabBabBabE") == 0);
    CHECK_EQ(t.batches, 9);
    CHECK_EQ(nn_model_history_len(m), 3);
    CHECK_EQ(nn_model_current_epoch(m), -1);
    nn_model_free(m);
    /* stopping in train begin runs no epoch */
    m = small_model(0.1f);
    a = nn_callback_custom(NULL, NULL, NULL, NULL);
    nn_callback_set_train_hooks(a, tr_stop_at_start, NULL);
    nn_model_add_callback(m, a);
    CHECK_EQ(nn_model_fit(m, X, Y, 8, 10, 3), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 0);
    nn_model_free(m);
}
