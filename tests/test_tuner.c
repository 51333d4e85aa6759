/* Hyper-parameter search: space enumeration and sampling, Hyperband schedule, k-fold,
   determinism over threads, resume, shards + merge, the linear shortcut, best model. */
#include "harness.h"
#include "nn.h"
#include "tune/tuner.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nn_model *tiny_build(const nn_hparams *hp, void *user)
{
    nn_model *m = nn_model_create(2);
    (void)user;
    nn_model_add(m, nn_dense((size_t)nn_hparams_int(hp, "units"), NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam((float)nn_hparams_float(hp, "lr")), NN_LOSS_MSE);
    return m;
}

enum { TN = 40 };
static void tiny_data(float *x, float *y)
{
    int i;
    for (i = 0; i < TN; i++) {
        x[2 * i] = (float)((i * 7) % 11) / 5.0f - 1.0f;
        x[2 * i + 1] = (float)((i * 3) % 13) / 6.0f - 1.0f;
        y[i] = x[2 * i] * 0.5f - x[2 * i + 1] * x[2 * i + 1];
    }
}

static nn_tuner *tiny_tuner(nn_search_strategy s)
{
    nn_tuner *t = nn_tuner_create(tiny_build, NULL);
    nn_tuner_set_strategy(t, s);
    nn_tuner_set_seed(t, 5);
    CHECK_EQ(nn_tuner_parse_space(t, "units=2..8:step=2,lr=1e-3..1e-1:log"), NN_OK);
    nn_tuner_set_validation_split(t, 0.25f);
    return t;
}

static void table_of(const nn_tuner *t, char *buf, size_t cap)
{
    size_t i, pos = 0;
    buf[0] = '\0';
    for (i = 0; i < nn_tuner_trial_count(t); i++) {
        const nn_hparams *hp = nn_tuner_trial_hparams(t, i);
        pos += (size_t)snprintf(buf + pos, cap - pos, "%zu %lld %.17g %.17g %d %d\n", nn_tuner_trial_id(t, i),
                                (long long)nn_hparams_int(hp, "units"), nn_hparams_float(hp, "lr"), nn_tuner_trial_score(t, i),
                                nn_tuner_trial_epochs(t, i), nn_tuner_trial_best_epoch(t, i));
    }
}

TEST(tuner_grid_enumerates_product)
{
    static const char *acts[] = { "relu", "tanh" };
    static const double drop[] = { 0.0, 0.5 };
    nn_tuner *t = nn_tuner_create(tiny_build, NULL);
    size_t i;
    nni_hp_def d;
    double v[16];
    CHECK_EQ(nn_tuner_add_int(t, "units", 2, 6, 2, 0), NN_OK); /* 2 4 6 */
    CHECK_EQ(nn_tuner_add_choice_strings(t, "act", acts, 2), NN_OK);
    CHECK_EQ(nn_tuner_add_choice(t, "dropout", drop, 2), NN_OK);
    CHECK_EQ(nn_tuner_add_bool(t, "bn"), NN_OK);
    CHECK_EQ(nn_tuner_add_float(t, "lr", 0.01, 0.02, 0.01, 0), NN_OK); /* 0.01 0.02 */
    nn_tuner_set_strategy(t, NN_SEARCH_GRID);
    nn_tuner_set_validation_split(t, 0.25f);
    {
        /* grid enumeration without training: values of each definition */
        memset(&d, 0, sizeof d);
        d.kind = NNI_HP_INT; d.lo = 16; d.hi = 512; d.log = 1; /* factor 2 */
        CHECK_EQ(nni_hp_grid_values(&d, v, 16), 6);
        CHECK_EQ((int)v[0], 16); CHECK_EQ((int)v[5], 512);
        d.kind = NNI_HP_FLOAT; d.lo = 1e-4; d.hi = 1e-2; d.step = 10; d.log = 1;
        CHECK_EQ(nni_hp_grid_values(&d, v, 16), 3);
        CHECK_NEAR(v[2], 1e-2, 1e-12);
        d.step = 0;
        CHECK_EQ(nni_hp_grid_count(&d), 0);
    }
    {
        float x[2 * TN], y[TN];
        tiny_data(x, y);
        /* the build reads "lr" and "units" only; the rest exists to enumerate */
        CHECK_EQ(nn_tuner_search(t, x, y, TN, 1, 16), NN_OK);
        CHECK_EQ(nn_tuner_trial_count(t), 3 * 2 * 2 * 2 * 2);
        for (i = 0; i < nn_tuner_trial_count(t); i++) {
            const nn_hparams *hp = nn_tuner_trial_hparams(t, i);
            size_t k = i;
            /* last varies fastest */
            CHECK_NEAR(nn_hparams_float(hp, "lr"), 0.01 * (double)(k % 2 + 1), 1e-12); k /= 2;
            CHECK_EQ(nn_hparams_bool(hp, "bn"), (int)(k % 2)); k /= 2;
            CHECK_NEAR(nn_hparams_float(hp, "dropout"), drop[k % 2], 0); k /= 2;
            CHECK(strcmp(nn_hparams_string(hp, "act"), acts[k % 2]) == 0); k /= 2;
            CHECK_EQ(nn_hparams_int(hp, "units"), 2 + 2 * (int)k);
        }
    }
    nn_tuner_free(t);
}

TEST(tuner_random_respects_ranges_and_log_sampling)
{
    nni_hp_def d;
    nni_rng r;
    int i, below = 0, decade[3] = { 0, 0, 0 };
    memset(&d, 0, sizeof d);
    nni_rng_seed(&r, 1);
    d.kind = NNI_HP_FLOAT; d.lo = 1e-4; d.hi = 1e-1; d.log = 1;
    for (i = 0; i < 30000; i++) {
        double v = nni_hp_sample(&d, &r);
        CHECK(v >= 1e-4 && v <= 1e-1);
        if (v < 1e-3) decade[0]++;
        else if (v < 1e-2) decade[1]++;
        else decade[2]++;
    }
    /* log-uniform: each decade a third (a linear sampler would put 99% in the last) */
    for (i = 0; i < 3; i++) CHECK_MSG(decade[i] > 9500 && decade[i] < 10500, "decade %d: %d", i, decade[i]);
    d.log = 0;
    for (i = 0; i < 20000; i++) {
        double v = nni_hp_sample(&d, &r);
        CHECK(v >= 1e-4 && v <= 1e-1);
        below += v < 0.05;
    }
    CHECK_MSG(below > 9600 && below < 10400, "linear: %d below the middle", below);
    d.kind = NNI_HP_INT; d.lo = 16; d.hi = 512; d.log = 1; d.step = 0;
    below = 0;
    for (i = 0; i < 20000; i++) {
        double v = nni_hp_sample(&d, &r);
        CHECK(v >= 16 && v <= 512 && v == floor(v));
        below += v < 90.5; /* sqrt(16 * 513) ~ 90.6: half the log range */
    }
    CHECK_MSG(below > 9600 && below < 10400, "int log: %d below the geometric middle", below);
    d.log = 0; d.step = 16;
    for (i = 0; i < 2000; i++) {
        double v = nni_hp_sample(&d, &r);
        CHECK(v >= 16 && v <= 512 && fmod(v, 16) == 0);
    }
}

TEST(tuner_hyperband_schedule_matches_keras_tuner)
{
    /* KerasTuner Hyperband(max_epochs=9, factor=3): brackets 2, 1, 0 with (models, epochs):
       s=2: (9,1) (3,3) (1,9); s=1: (5,3) (2,9); s=0: (3,9) */
    static const int size2[] = { 9, 3, 1 }, ep2[] = { 1, 3, 9 }, size1[] = { 5, 2 }, ep1[] = { 3, 9 };
    int r;
    CHECK_EQ(nni_hb_brackets(9, 3), 3);
    for (r = 0; r < 3; r++) {
        CHECK_EQ(nni_hb_size(9, 3, 2, r), size2[r]);
        CHECK_EQ(nni_hb_epochs(9, 3, 2, r), ep2[r]);
    }
    for (r = 0; r < 2; r++) {
        CHECK_EQ(nni_hb_size(9, 3, 1, r), size1[r]);
        CHECK_EQ(nni_hb_epochs(9, 3, 1, r), ep1[r]);
    }
    CHECK_EQ(nni_hb_size(9, 3, 0, 0), 3);
    CHECK_EQ(nni_hb_epochs(9, 3, 0, 0), 9);
    /* max_epochs=100 (KerasTuner's default) factor 3: 5 brackets; bracket 4 starts with
       ceil(ceil(1+log3(100)) / 5 * 81) = ceil(6/5*81) = 98 models of ceil(100/81) = 2 epochs */
    CHECK_EQ(nni_hb_brackets(100, 3), 5);
    CHECK_EQ(nni_hb_size(100, 3, 4, 0), 98);
    CHECK_EQ(nni_hb_epochs(100, 3, 4, 0), 2);
    CHECK_EQ(nni_hb_size(100, 3, 4, 4), 2);
    CHECK_EQ(nni_hb_epochs(100, 3, 4, 4), 100);
    {
        /* the search runs exactly that schedule: 9+3+1+5+2+3 trials with those budgets */
        static const int budget[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9, 3, 3, 3, 3, 3, 9, 9, 9, 9, 9 };
        nn_tuner *t = tiny_tuner(NN_SEARCH_HYPERBAND);
        float x[2 * TN], y[TN];
        size_t i;
        tiny_data(x, y);
        nn_tuner_set_hyperband(t, 9, 3, 1);
        CHECK_EQ(nn_tuner_search(t, x, y, TN, 1, 16), NN_OK);
        CHECK_EQ(nn_tuner_trial_count(t), 23);
        for (i = 0; i < nn_tuner_trial_count(t) && i < 23; i++) CHECK_EQ(nn_tuner_trial_epochs(t, i), budget[i]);
        /* round 1 of bracket 2 continues the best 3 of its first 9, in score order */
        for (i = 9; i < 12; i++) {
            size_t j, better = 0, same = 9;
            const nn_hparams *hp = nn_tuner_trial_hparams(t, i);
            for (j = 0; j < 9; j++) {
                const nn_hparams *h0 = nn_tuner_trial_hparams(t, j);
                if (nn_hparams_int(h0, "units") == nn_hparams_int(hp, "units") && nn_hparams_float(h0, "lr") == nn_hparams_float(hp, "lr")) same = j;
            }
            CHECK(same < 9);
            for (j = 0; j < 9 && same < 9; j++) better += nn_tuner_trial_score(t, j) < nn_tuner_trial_score(t, same);
            CHECK_EQ(better, i - 9);
        }
        nn_tuner_free(t);
    }
}

TEST(tuner_kfold_partitions_every_row_once)
{
    size_t n = 103, k = 5, i, perm[103], scratch[103], fold[103], count[5] = { 0 };
    int labels[103], per[5][3];
    nni_kfold_assign(n, k, 9, NULL, perm, scratch, fold);
    for (i = 0; i < n; i++) {
        CHECK(fold[i] < k);
        count[fold[i]]++;
    }
    for (i = 0; i < k; i++) CHECK(count[i] == 20 || count[i] == 21);
    {
        /* perm is a permutation */
        int seen[103] = { 0 };
        for (i = 0; i < n; i++) seen[perm[i]]++;
        for (i = 0; i < n; i++) CHECK_EQ(seen[i], 1);
    }
    memset(per, 0, sizeof per);
    for (i = 0; i < n; i++) labels[i] = i < 60 ? 0 : (i < 90 ? 1 : 2); /* 60/30/13 */
    nni_kfold_assign(n, k, 9, labels, perm, scratch, fold);
    for (i = 0; i < n; i++) per[fold[i]][labels[i]]++;
    for (i = 0; i < k; i++) {
        CHECK_EQ(per[i][0], 12);
        CHECK_EQ(per[i][1], 6);
        CHECK(per[i][2] == 2 || per[i][2] == 3);
    }
}

TEST(tuner_same_seed_same_table_on_1_and_2_threads)
{
    float x[2 * TN], y[TN];
    char a[4096], b[4096];
    nn_tuner *t1 = tiny_tuner(NN_SEARCH_RANDOM), *t2 = tiny_tuner(NN_SEARCH_RANDOM);
    tiny_data(x, y);
    nn_tuner_set_max_trials(t1, 6);
    nn_tuner_set_max_trials(t2, 6);
    nn_tuner_set_folds(t1, 3, 0);
    nn_tuner_set_folds(t2, 3, 0);
    nn_tuner_set_executions_per_trial(t1, 2);
    nn_tuner_set_executions_per_trial(t2, 2);
    CHECK_EQ(nn_tuner_set_threads(t2, 2), NN_OK);
    CHECK_EQ(nn_tuner_search(t1, x, y, TN, 3, 8), NN_OK);
    CHECK_EQ(nn_tuner_search(t2, x, y, TN, 3, 8), NN_OK);
    CHECK_EQ(nn_tuner_trial_count(t1), 6);
    table_of(t1, a, sizeof a);
    table_of(t2, b, sizeof b);
    CHECK_MSG(strcmp(a, b) == 0, "1 thread:\n%s2 threads:\n%s", a, b);
    {
        /* ranges respected, scores finite */
        size_t i;
        for (i = 0; i < 6; i++) {
            const nn_hparams *hp = nn_tuner_trial_hparams(t1, i);
            int64_t u = nn_hparams_int(hp, "units");
            double lr = nn_hparams_float(hp, "lr");
            CHECK(u >= 2 && u <= 8 && u % 2 == 0);
            CHECK(lr >= 1e-3 && lr <= 1e-1);
            CHECK(isfinite(nn_tuner_trial_score(t1, i)));
        }
    }
    nn_tuner_free(t1);
    nn_tuner_free(t2);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static char *read_text(const char *path)
{
    static char buf[3][8192];
    static int k;
    FILE *f = fopen(path, "r");
    char *b = buf[k++ % 3];
    size_t n = 0;
    b[0] = '\0';
    if (f) {
        n = fread(b, 1, sizeof buf[0] - 1, f);
        fclose(f);
    }
    b[n] = '\0';
    return b;
}

/* the file without the seconds column */
static void strip_time(const char *in, char *out)
{
    while (*in) {
        const char *nl = strchr(in, '\n'), *comma;
        size_t len = nl ? (size_t)(nl - in) : strlen(in);
        for (comma = in + len; comma > in && comma[-1] != ','; comma--) {}
        if (comma > in) len = (size_t)(comma - in);
        memcpy(out, in, len);
        out += len;
        *out++ = '\n';
        in += nl ? (size_t)(nl - in) + 1 : strlen(in);
    }
    *out = '\0';
}

static int calls;
static nn_model *counting_build(const nn_hparams *hp, void *user)
{
    (void)user;
    calls++;
    return tiny_build(hp, NULL);
}

TEST(tuner_resume_after_kill_runs_only_the_rest)
{
    const char *full = "build/tuner_full.csv", *part = "build/tuner_part.csv";
    float x[2 * TN], y[TN];
    char a[8192], b[8192], ta[4096], tb[4096];
    const char *txt;
    nn_tuner *t = tiny_tuner(NN_SEARCH_RANDOM), *r;
    size_t lines = 0;
    const char *p;
    remove(full);
    remove(part);
    tiny_data(x, y);
    nn_tuner_set_max_trials(t, 6);
    nn_tuner_set_results_file(t, full);
    CHECK_EQ(nn_tuner_search(t, x, y, TN, 2, 8), NN_OK);
    txt = read_text(full);
    /* simulate a kill: header + first 3 trials + half a line */
    for (p = txt; *p && lines < 4; p++)
        if (*p == '\n') lines++;
    memcpy(a, txt, (size_t)(p - txt));
    memcpy(a + (p - txt), "3,4,0.01", 8);
    a[(p - txt) + 8] = '\0';
    write_text(part, a);
    r = nn_tuner_create(counting_build, NULL);
    nn_tuner_set_seed(r, 5);
    nn_tuner_parse_space(r, "units=2..8:step=2,lr=1e-3..1e-1:log");
    nn_tuner_set_validation_split(r, 0.25f);
    nn_tuner_set_max_trials(r, 6);
    nn_tuner_set_results_file(r, part);
    calls = 0;
    CHECK_EQ(nn_tuner_search(r, x, y, TN, 2, 8), NN_OK);
    CHECK_EQ(calls, 1 + 3); /* the width probe + the 3 missing trials */
    table_of(t, ta, sizeof ta);
    table_of(r, tb, sizeof tb);
    CHECK_MSG(strcmp(ta, tb) == 0, "uninterrupted:\n%sresumed:\n%s", ta, tb);
    strip_time(read_text(full), a);
    strip_time(read_text(part), b);
    CHECK_MSG(strcmp(a, b) == 0, "files differ:\n%s---\n%s", a, b);
    /* a file from another space is refused */
    {
        nn_tuner *o = nn_tuner_create(tiny_build, NULL);
        nn_tuner_parse_space(o, "units=2..8:step=2,lr=1e-3..1e-1:log,extra=bool");
        nn_tuner_set_validation_split(o, 0.25f);
        nn_tuner_set_results_file(o, full);
        CHECK_EQ(nn_tuner_search(o, x, y, TN, 2, 8), NN_ERR_FORMAT);
        CHECK_STR_CONTAINS(nn_tuner_error(o), "columns");
        nn_tuner_free(o);
    }
    nn_tuner_free(t);
    nn_tuner_free(r);
    remove(full);
    remove(part);
}

TEST(tuner_shards_and_merge_equal_unsharded)
{
    const char *full = "build/tuner_all.csv", *s0 = "build/tuner_s0.csv", *s1 = "build/tuner_s1.csv", *s2 = "build/tuner_s2.csv",
               *merged = "build/tuner_merged.csv";
    const char *parts[3];
    float x[2 * TN], y[TN];
    char a[8192], b[8192], ta[4096], tb[4096];
    size_t i;
    nn_tuner *t = tiny_tuner(NN_SEARCH_GRID), *m;
    parts[0] = s0; parts[1] = s1; parts[2] = s2;
    tiny_data(x, y);
    remove(full);
    remove(merged);
    for (i = 0; i < 3; i++) remove(parts[i]);
    nn_tuner_set_strategy(t, NN_SEARCH_RANDOM);
    nn_tuner_set_max_trials(t, 7);
    nn_tuner_set_results_file(t, full);
    CHECK_EQ(nn_tuner_search(t, x, y, TN, 2, 8), NN_OK);
    for (i = 0; i < 3; i++) {
        nn_tuner *s = tiny_tuner(NN_SEARCH_RANDOM);
        nn_tuner_set_max_trials(s, 7);
        nn_tuner_set_results_file(s, parts[i]);
        CHECK_EQ(nn_tuner_set_shard(s, i, 3), NN_OK);
        CHECK_EQ(nn_tuner_search(s, x, y, TN, 2, 8), NN_OK);
        CHECK_EQ(nn_tuner_trial_count(s), i == 0 ? 3 : 2);
        nn_tuner_free(s);
    }
    CHECK_EQ(nn_tuner_merge_results(parts, 3, merged), NN_OK);
    strip_time(read_text(full), a);
    strip_time(read_text(merged), b);
    CHECK_MSG(strcmp(a, b) == 0, "unsharded:\n%s---merged:\n%s", a, b);
    /* a tuner pointed at the merged file has every trial and trains nothing */
    m = nn_tuner_create(counting_build, NULL);
    nn_tuner_set_seed(m, 5);
    nn_tuner_parse_space(m, "units=2..8:step=2,lr=1e-3..1e-1:log");
    nn_tuner_set_validation_split(m, 0.25f);
    nn_tuner_set_max_trials(m, 7);
    nn_tuner_set_results_file(m, merged);
    calls = 0;
    CHECK_EQ(nn_tuner_search(m, x, y, TN, 2, 8), NN_OK);
    CHECK_EQ(calls, 1);
    table_of(t, ta, sizeof ta);
    table_of(m, tb, sizeof tb);
    CHECK(strcmp(ta, tb) == 0);
    CHECK_EQ(nn_tuner_best_trial(t), nn_tuner_best_trial(m));
    nn_tuner_free(t);
    nn_tuner_free(m);
    remove(full);
    remove(merged);
    for (i = 0; i < 3; i++) remove(parts[i]);
}

TEST(tuner_best_model_and_table)
{
    float x[2 * TN], y[TN], out[TN];
    nn_tuner *t = tiny_tuner(NN_SEARCH_RANDOM);
    nn_model *m;
    size_t need = 0, b;
    char buf[4096];
    tiny_data(x, y);
    nn_tuner_set_max_trials(t, 3);
    CHECK_EQ(nn_tuner_search(t, x, y, TN, 4, 8), NN_OK);
    b = nn_tuner_best_trial(t);
    CHECK(b < 3);
    CHECK(nn_tuner_best_hparams(t) == nn_tuner_trial_hparams(t, b));
    m = nn_tuner_best_model(t);
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(nn_model_history_len(m), nn_tuner_trial_best_epoch(t, b));
        CHECK_EQ(nn_model_predict(m, x, TN, out), NN_OK);
        nn_model_free(m);
    }
    CHECK_EQ(nn_tuner_results_table(t, buf, sizeof buf, &need), NN_OK);
    CHECK_STR_CONTAINS(buf, "val_loss");
    CHECK_STR_CONTAINS(buf, "Best: trial");
    CHECK(need <= sizeof buf);
    nn_tuner_free(t);
}

TEST(tuner_parse_space_and_errors)
{
    nn_tuner *t = nn_tuner_create(tiny_build, NULL);
    CHECK_EQ(nn_tuner_parse_space(t, "units=16..512:log,lr=1e-4..1e-2:log,dropout=0|0.2|0.5,act=relu|tanh,bn=bool,d=0.1..0.5:step=0.1"), NN_OK);
    CHECK_EQ(nn_tuner_parse_space(t, "units=1..2"), NN_ERR_INVALID_ARG); /* duplicate */
    CHECK_STR_CONTAINS(nn_tuner_error(t), "already defined");
    CHECK_EQ(nn_tuner_parse_space(t, "x=1..2:cubic"), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_tuner_parse_space(t, "novalue"), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_tuner_add_int(t, "neg", 5, 1, 0, 0), NN_ERR_INVALID_ARG);
    CHECK_EQ(nn_tuner_set_objective(t, "val_accuracy", "sideways"), NN_ERR_INVALID_ARG);
    {
        float x[2 * TN], y[TN];
        tiny_data(x, y);
        /* val_loss without any validation */
        CHECK_EQ(nn_tuner_search(t, x, y, TN, 1, 8), NN_ERR_INVALID_ARG);
        CHECK_STR_CONTAINS(nn_tuner_error(t), "needs validation");
    }
    nn_tuner_free(t);
    CHECK(nn_tuner_create(NULL, NULL) == NULL);
    nn_tuner_free(NULL);
}
