/* Allocation-failure sweep over every public scenario (docs/robustness.md).

   Each scenario below is a straight sequence of public calls. It is run once with an allocator
   that never fails (the reference: its allocation count T and a digest of its results), then for
   every N = 1 .. T twice more:
   - transient: only the N-th allocation fails. The call that hit it must report NN_ERR_NOMEM (or
     return NULL with nn_last_error() saying "out of memory"); the scenario then re-runs that call
     and continues on the same objects to the end, and its results must be bit-identical to the
     reference (a failed call left the model unchanged and usable).
   - persistent: every allocation from the N-th on fails. The first call that hits it must report
     out of memory; the scenario then frees everything.
   After every run the allocator's books must balance (nothing leaked, nothing freed twice).
   Each scenario runs with the failing allocator as the process default (nn_set_default_allocator:
   constructors and models created without one) and as the model allocator only
   (nn_model_create_with_allocator, *_load_*_with_allocator, nn_dataset_create_with_allocator). */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "harness.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a failing, counting allocator ----------------------------------------------------- */

typedef struct sw_counter {
    long n;          /* allocation requests so far */
    long allocs, frees, failed;
    long long live;
    long fail_at;    /* 0: never fail */
    int persistent;  /* fail every request from fail_at on */
} sw_counter;

typedef union sw_hdr { size_t size; max_align_t align; } sw_hdr;

static void *sw_alloc(void *user, size_t size)
{
    sw_counter *c = (sw_counter *)user;
    sw_hdr *h;
    c->n++;
    if (c->fail_at > 0 && (c->n == c->fail_at || (c->persistent && c->n > c->fail_at))) {
        c->failed++;
        return NULL;
    }
    h = (sw_hdr *)malloc(sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    c->allocs++;
    c->live += (long long)size;
    return h + 1;
}

static void sw_free(void *user, void *p)
{
    sw_counter *c = (sw_counter *)user;
    sw_hdr *h;
    if (!p) return;
    h = (sw_hdr *)p - 1;
    c->frees++;
    c->live -= (long long)h->size;
    free(h);
}

/* ---- scenario runner ------------------------------------------------------------------- */

typedef struct sw {
    sw_counter c;
    nn_allocator a;
    int use_model_alloc;  /* 1: model allocator only; 0: process default allocator */
    int persistent;
    int failures;         /* out-of-memory reports seen */
    int completed;
    int bad;              /* a failure that was not out of memory, or no message */
    const char *scenario;
    nn_model *m;          /* the model whose error message to check (may be NULL) */
    uint64_t digest;
    char dir[64];
} sw;

static int has_oom(const char *s) { return s && strstr(s, "out of memory") != NULL; }

/* Called when a step failed with status st. Returns 1 to retry the step, 0 to end the run. */
static int sw_fail(sw *S, nn_status st, int line, const char *what)
{
    int armed = S->c.fail_at > 0 && S->c.failed > 0;
    const char *msg = S->m && has_oom(nn_model_error(S->m)) ? nn_model_error(S->m) : nn_last_error();
    if (st != NN_ERR_NOMEM || !armed || !has_oom(msg)) {
        S->bad++;
        CHECK_MSG(0, "%s (%s, %s allocator, fail at %ld%s) line %d: %s -> %s: %s", S->scenario,
                  S->persistent ? "persistent" : "transient", S->use_model_alloc ? "model" : "default",
                  S->c.fail_at, armed ? "" : ", not reached", line, what, nn_status_string(st),
                  S->m ? nn_model_error(S->m) : nn_last_error());
        return 0;
    }
    S->failures++;
    if (getenv("NN_SWEEP_DEBUG"))
        fprintf(stderr, "  %s fail at %ld: line %d %s -> %s\n", S->scenario, S->c.fail_at, line, what, msg);
    if (S->persistent) return 0;
    S->c.fail_at = 0; /* transient: the retry succeeds */
    return 1;
}

static nn_status ctor_status(void) { return has_oom(nn_last_error()) ? NN_ERR_NOMEM : NN_ERR_INVALID_ARG; }

/* Status step: retried after a transient failure. Ownership-taking calls get their constructor
   inside the expression, so a retry builds a fresh object (the model freed the old one). */
#define ST(expr)                                                                   \
    do {                                                                           \
        for (;;) {                                                                 \
            nn_status st_ = (expr);                                                \
            if (st_ == NN_OK) break;                                               \
            if (!sw_fail(S, st_, __LINE__, #expr)) goto out;                       \
        }                                                                          \
    } while (0)
/* Pointer step: NULL means failure, status from nn_last_error(). */
#define PT(var, expr)                                                              \
    do {                                                                           \
        for (;;) {                                                                 \
            (var) = (expr);                                                        \
            if (var) break;                                                        \
            if (!sw_fail(S, ctor_status(), __LINE__, #expr)) goto out;             \
        }                                                                          \
    } while (0)

static nn_status add_l(nn_model *m, nn_layer *l) { return l ? nn_model_add(m, l) : ctor_status(); }
static nn_status add_cb(nn_model *m, nn_callback *cb) { return cb ? nn_model_add_callback(m, cb) : ctor_status(); }
static nn_status comp(nn_model *m, nn_optimizer *o, nn_loss loss)
{
    return o ? nn_model_compile(m, o, loss) : ctor_status();
}
static nn_status in_scaler(nn_model *m, nn_scaler *s) { return s ? nn_model_set_input_scaler(m, s) : ctor_status(); }
static nn_status tg_scaler(nn_model *m, nn_scaler *s) { return s ? nn_model_set_target_scaler(m, s) : ctor_status(); }
static nn_status sched(nn_optimizer *o, nn_schedule *s) { return s ? nn_optimizer_set_schedule(o, s) : ctor_status(); }

static nn_model *mk(sw *S, size_t in) { return S->use_model_alloc ? nn_model_create_with_allocator(in, &S->a) : nn_model_create(in); }
static nn_model *ld(sw *S, const char *p) { return S->use_model_alloc ? nn_model_load_with_allocator(p, &S->a) : nn_model_load(p); }
static nn_model *ldb(sw *S, const void *b, size_t n)
{
    return S->use_model_alloc ? nn_model_load_buffer_with_allocator(b, n, &S->a) : nn_model_load_buffer(b, n);
}
static nn_dataset *dsc(sw *S) { return S->use_model_alloc ? nn_dataset_create_with_allocator(&S->a) : nn_dataset_create(); }

static void dig(sw *S, const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) S->digest = (S->digest ^ b[i]) * 1099511628211ull;
}

static void dig_model(sw *S, nn_model *m)
{
    float w[512];
    size_t need = 0, i;
    float h;
    if (nn_model_get_weights(m, w, 512, &need) == NN_OK) dig(S, w, need * sizeof(float));
    for (i = 0; i < nn_model_history_len(m); i++) {
        h = nn_model_history(m, "loss", i);
        dig(S, &h, sizeof h);
    }
}

static void path(const sw *S, char *out, const char *name) { snprintf(out, 128, "%s/%s", S->dir, name); }

/* ---- data ---------------------------------------------------------------------------- */

enum { SN = 24, SIN = 4, SV = 6 };
static float sx[SN * SIN], scls[SN], sreg[SN * 2], svx[SV * SIN], svcls[SV], svreg[SV * 2], sw8[SN];

static void sw_data(void)
{
    size_t i;
    tu_rng r = { 99 };
    for (i = 0; i < SN * SIN; i++) sx[i] = (float)tu_normal(&r);
    for (i = 0; i < SN; i++) {
        scls[i] = (float)(i % 3);
        sreg[2 * i] = sx[i * SIN] - sx[i * SIN + 1];
        sreg[2 * i + 1] = sx[i * SIN + 2] * 0.5f;
        sw8[i] = 0.5f + (float)(i % 4) * 0.25f;
    }
    for (i = 0; i < SV * SIN; i++) svx[i] = (float)tu_normal(&r);
    for (i = 0; i < SV; i++) {
        svcls[i] = (float)(i % 3);
        svreg[2 * i] = svx[i * SIN];
        svreg[2 * i + 1] = -svx[i * SIN + 1];
    }
}

/* ---- scenarios ------------------------------------------------------------------------- */

typedef struct cb_state { int begins, ends, batches; } cb_state;
static int on_begin(nn_model *m, int e, void *u) { (void)m; (void)e; ((cb_state *)u)->begins++; return 0; }
static int on_end(nn_model *m, int e, void *u) { (void)m; (void)e; ((cb_state *)u)->ends++; return 0; }
static int on_batch(nn_model *m, int b, float l, void *u) { (void)m; (void)b; (void)l; ((cb_state *)u)->batches++; return 0; }
static float halve(int epoch, float lr, void *u) { (void)u; return epoch ? lr * 0.5f : lr; }

/* create, add, compile, callbacks, fit with split and with validation data, evaluate, predict */
static void sc_train(sw *S)
{
    nn_model *m = NULL;
    nn_callback *ck = NULL;
    cb_state cs = { 0, 0, 0 };
    char p_ck[128], p_ckw[128], p_csv[128];
    float out[SN * 3], one[3], loss;
    path(S, p_ck, "ck.nn");
    path(S, p_ckw, "ckw-{epoch:02d}.nn");
    path(S, p_csv, "log.csv");
    PT(m, mk(S, SIN));
    S->m = m;
    ST(nn_model_set_seed(m, 3));
    ST(add_l(m, nn_dense(8, NN_RELU)));
    ST(add_l(m, nn_batch_norm()));
    ST(add_l(m, nn_dropout(0.2f)));
    ST(add_l(m, nn_dense(3, NN_SOFTMAX)));
    ST(comp(m, nn_adam(0.02f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY));
    ST(nn_model_add_metric(m, NN_METRIC_ACCURACY));
    ST(add_cb(m, nn_early_stopping("val_loss", 0.0f, 2, 1)));
    ST(add_cb(m, nn_reduce_lr_on_plateau("val_loss", 0.5f, 1, 1e-4f)));
    ST(add_cb(m, nn_model_checkpoint(p_ck, "val_loss", 0)));
    for (;;) { /* a configured callback: the setter is part of the step */
        PT(ck, nn_model_checkpoint(p_ckw, "val_accuracy", 1));
        nn_status s;
        nn_callback_set_save_weights_only(ck, 1);
        s = nn_model_add_callback(m, ck); /* owns ck from now on */
        if (s == NN_OK) break;
        if (!sw_fail(S, s, __LINE__, "nn_model_add_callback(checkpoint)")) goto out;
    }
    ST(add_cb(m, nn_csv_logger(p_csv)));
    ST(add_cb(m, nn_callback_custom(on_begin, on_end, on_batch, &cs)));
    ST(nn_model_set_validation_split(m, 0.25f));
    ST(nn_model_fit(m, sx, scls, SN, 3, 6));
    ST(nn_model_set_validation_data(m, svx, svcls, SV));
    ST(nn_model_fit(m, sx, scls, SN, 2, SN)); /* larger batches: the workspace grows */
    ST(nn_model_evaluate(m, sx, scls, SN, &loss));
    ST(nn_model_predict(m, sx, SN, out));
    ST(nn_model_predict_one(m, sx + SIN, one));
    dig(S, out, sizeof out);
    dig(S, one, sizeof one);
    dig(S, &loss, sizeof loss);
    dig_model(S, m);
    S->completed = 1;
out:
    nn_model_free(m);
}

static const char *const feature_names[SIN] = { "age", "income", "ratio", "score" };
static const char *const output_names[2] = { "y0", "y1" };

/* The names a loaded or cloned model carries ("-" for none). */
static void dig_names(sw *S, const nn_model *m)
{
    size_t i;
    for (i = 0; i < SIN + 2; i++) {
        const char *n = i < SIN ? nn_model_feature_name(m, i) : nn_model_output_name(m, i - SIN);
        if (!n) n = "-";
        dig(S, n, strlen(n) + 1);
    }
}

/* save/load file and buffer, load with allocator, weights save/load, clone, get/set weights,
   column names */
static void sc_io(sw *S)
{
    nn_model *m = NULL, *m2 = NULL, *c = NULL;
    unsigned char *buf = NULL;
    size_t need = 0, nw = 0;
    char p_m[128], p_w[128];
    float out[SN * 2], w[256];
    path(S, p_m, "io.nn");
    path(S, p_w, "io_w.nn");
    PT(m, mk(S, SIN));
    S->m = m;
    ST(nn_model_set_seed(m, 5));
    ST(add_l(m, nn_dense(6, NN_TANH)));
    ST(add_l(m, nn_layer_norm()));
    ST(add_l(m, nn_dense(2, NN_LINEAR)));
    ST(comp(m, nn_rmsprop(0.01f), NN_LOSS_MSE));
    ST(nn_model_add_metric(m, NN_METRIC_MAE));
    ST(in_scaler(m, nn_standard_scaler()));
    ST(nn_model_set_feature_names(m, feature_names, SIN));
    ST(nn_model_set_output_names(m, output_names, 2));
    ST(nn_model_set_validation_data(m, svx, svreg, SV));
    ST(nn_model_fit(m, sx, sreg, SN, 2, 8));
    ST(nn_model_save(m, p_m));
    PT(m2, ld(S, p_m));
    S->m = m2;
    ST(nn_model_predict(m2, sx, SN, out));
    dig(S, out, sizeof out);
    dig_names(S, m2);
    ST(nn_model_fit(m2, sx, sreg, SN, 1, 8));
    dig_model(S, m2);
    nn_model_free(m2);
    m2 = NULL;
    S->m = m;
    ST(nn_model_save_buffer(m, NULL, 0, &need));
    buf = (unsigned char *)malloc(need);
    ST(nn_model_save_buffer(m, buf, need, &need));
    PT(m2, ldb(S, buf, need));
    S->m = m2;
    ST(nn_model_fit(m2, sx, sreg, SN, 1, 12));
    dig_model(S, m2);
    nn_model_free(m2);
    m2 = NULL;
    S->m = m;
    ST(nn_model_save_weights(m, p_w));
    ST(nn_model_load_weights(m, p_w));
    free(buf);
    buf = NULL;
    ST(nn_model_save_weights_buffer(m, NULL, 0, &need));
    buf = (unsigned char *)malloc(need);
    ST(nn_model_save_weights_buffer(m, buf, need, &need));
    PT(m2, mk(S, SIN)); /* an unbuilt model of the same architecture: loading weights builds it */
    S->m = m2;
    ST(add_l(m2, nn_dense(6, NN_TANH)));
    ST(add_l(m2, nn_layer_norm()));
    ST(add_l(m2, nn_dense(2, NN_LINEAR)));
    ST(nn_model_load_weights_buffer(m2, buf, need));
    ST(nn_model_load_weights(m2, p_w));
    ST(nn_model_predict(m2, sx, SN, out));
    dig(S, out, sizeof out);
    S->m = m;
    PT(c, nn_model_clone(m));
    S->m = c;
    ST(nn_model_fit(c, sx, sreg, SN, 1, 8));
    ST(nn_model_get_weights(m, w, 256, &nw));
    ST(nn_model_set_weights(c, w, nw));
    ST(nn_model_predict(c, sx, SN, out));
    dig(S, out, sizeof out);
    dig_names(S, c);
    S->completed = 1;
out:
    free(buf);
    nn_model_free(c);
    nn_model_free(m2);
    nn_model_free(m);
}

static const char csv_text[] =
    "a,b,c,y\n"
    "1,2,3,0.5\n"
    "4,NA,6,1.5\n"
    "\"7\",8,9,2\r\n"
    "\n"
    "-1,-2,?,0\n"
    "0.5,1e1,2,1\n"
    "3,3,3,3\n";

/* CSV dataset parse and read, subset, scalers fit/transform, scalers attached to a model */
static void sc_data(sw *S)
{
    nn_dataset *d = NULL, *d2 = NULL, *d3 = NULL, *sub = NULL;
    nn_scaler *sc = NULL;
    nn_model *m = NULL;
    char p_csv[128];
    size_t idx[3] = { 4, 0, 2 }, rows, nf, i;
    float tmp[64], out[16], loss;
    FILE *f;
    path(S, p_csv, "data.csv");
    f = fopen(p_csv, "wb");
    CHECK(f != NULL);
    if (!f) goto out;
    fwrite(csv_text, 1, sizeof csv_text - 1, f);
    fclose(f);
    PT(d, dsc(S));
    ST(nn_dataset_add_target_name(d, "y"));
    ST(nn_dataset_parse_csv(d, csv_text, sizeof csv_text - 1));
    PT(d2, dsc(S));
    ST(nn_dataset_set_separator(d2, ','));
    ST(nn_dataset_read_csv(d2, p_csv));
    PT(d3, dsc(S)); /* chosen and skipped columns */
    ST(nn_dataset_add_feature_name(d3, "c"));
    ST(nn_dataset_add_feature_name(d3, "b"));
    ST(nn_dataset_add_ignore_name(d3, "a"));
    ST(nn_dataset_parse_csv(d3, csv_text, sizeof csv_text - 1));
    dig(S, nn_dataset_x(d3), nn_dataset_rows(d3) * nn_dataset_feature_count(d3) * sizeof(float));
    PT(sub, nn_dataset_subset(d, idx, 3));
    rows = nn_dataset_rows(d);
    nf = nn_dataset_feature_count(d);
    CHECK(rows == 6 && nf == 3);
    for (i = 0; i < 3; i++) {
        PT(sc, i == 0 ? nn_standard_scaler() : i == 1 ? nn_minmax_scaler(-1.0f, 1.0f) : nn_imputer(NN_IMPUTE_MEDIAN, 0.0f));
        ST(nn_scaler_fit(sc, nn_dataset_x(sub), 3, nf));
        ST(nn_scaler_transform(sc, nn_dataset_x(d2), rows, tmp));
        dig(S, tmp, rows * nf * sizeof(float));
        nn_scaler_free(sc);
        sc = NULL;
    }
    PT(m, mk(S, nf));
    S->m = m;
    ST(nn_model_set_seed(m, 8));
    ST(add_l(m, nn_dense(4, NN_RELU)));
    ST(add_l(m, nn_dense(1, NN_LINEAR)));
    ST(comp(m, nn_sgd(0.05f, 0.9f, 1), NN_LOSS_HUBER));
    ST(in_scaler(m, nn_imputer(NN_IMPUTE_MEAN, 0.0f)));
    ST(tg_scaler(m, nn_minmax_scaler(0.0f, 1.0f)));
    ST(nn_model_fit(m, nn_dataset_x(d), nn_dataset_y(d), rows, 2, 4));
    ST(nn_model_evaluate(m, nn_dataset_x(d), nn_dataset_y(d), rows, &loss));
    ST(nn_model_predict(m, nn_dataset_x(d), rows, out));
    dig(S, out, rows * sizeof(float));
    dig(S, &loss, sizeof loss);
    dig_model(S, m);
    S->completed = 1;
out:
    nn_model_free(m);
    nn_scaler_free(sc);
    nn_dataset_free(sub);
    nn_dataset_free(d3);
    nn_dataset_free(d2);
    nn_dataset_free(d);
}

/* the other optimizers, schedules, weighted training, LR scheduler, TerminateOnNaN, noise layers */
static void sc_optim(sw *S)
{
    nn_model *m = NULL;
    nn_optimizer *o = NULL;
    float out[SN], loss, cw[3] = { 1.0f, 2.0f, 0.5f };
    int k;
    for (k = 0; k < 4; k++) {
        PT(m, mk(S, SIN));
        S->m = m;
        ST(nn_model_set_seed(m, 20 + (uint64_t)k));
        ST(add_l(m, nn_gaussian_noise(0.05f)));
        ST(add_l(m, nn_dense(5, NN_ELU)));
        ST(add_l(m, nn_gaussian_dropout(0.1f)));
        ST(add_l(m, nn_activation_layer(NN_SWISH)));
        ST(add_l(m, nn_dense(k == 3 ? 3 : 1, k == 3 ? NN_LINEAR : NN_SIGMOID)));
        if (k == 3) ST(add_l(m, nn_activation_layer(NN_SOFTMAX)));
        for (;;) { /* optimizer, its setters, schedule and compile: one step (compile owns o) */
            nn_status s;
            PT(o, k == 0 ? nn_sgd(0.1f, 0.5f, 0) : k == 1 ? nn_adamw(0.01f, 0.01f) : k == 2 ? nn_adagrad(0.1f) : nn_rmsprop(0.01f));
            if (k == 2) nn_optimizer_set_clipnorm(o, 1.0f);
            if (k == 3) nn_optimizer_set_centered(o, 1);
            s = k == 0 ? sched(o, nn_schedule_cosine_decay(0.1f, 10, 0.1f))
                : k == 2 ? sched(o, nn_schedule_exponential_decay(0.1f, 5, 0.9f, 1)) : NN_OK;
            if (s == NN_OK) {
                s = nn_model_compile(m, o, k == 3 ? NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY : NN_LOSS_BINARY_CROSSENTROPY);
                o = NULL;
                if (s == NN_OK) break;
            } else {
                nn_optimizer_free(o);
                o = NULL;
            }
            if (!sw_fail(S, s, __LINE__, "optimizer + schedule + compile")) goto out;
        }
        ST(nn_model_add_metric(m, NN_METRIC_ACCURACY));
        ST(nn_model_add_weighted_metric(m, NN_METRIC_ACCURACY));
        if (k % 2) ST(add_cb(m, nn_lr_scheduler(halve, NULL))); /* not with a schedule */
        ST(add_cb(m, nn_terminate_on_nan()));
        if (k == 3) ST(nn_model_set_class_weights(m, cw, 3));
        ST(nn_model_set_validation_split(m, 0.2f));
        if (k == 1) ST(nn_model_fit_weighted(m, sx, scls, sw8, SN, 2, 5));
        else ST(nn_model_fit(m, sx, k == 3 ? scls : sw8, SN, 2, 5));
        ST(nn_model_evaluate(m, sx, k == 3 ? scls : sw8, SN, &loss));
        ST(nn_model_predict(m, sx, k == 3 ? SN / 3 : SN, out));
        dig(S, out, sizeof out);
        dig_model(S, m);
        nn_model_free(m);
        m = NULL;
        S->m = NULL;
    }
    S->completed = 1;
out:
    nn_optimizer_free(o);
    nn_model_free(m);
}

/* ---- the sweep ------------------------------------------------------------------------- */

static void run_once(void (*sc)(sw *), const char *name, int model_alloc, long fail_at, int persistent,
                     const char *dir, sw *S)
{
    memset(S, 0, sizeof *S);
    S->a.alloc = sw_alloc;
    S->a.free = sw_free;
    S->a.user = &S->c;
    S->c.fail_at = fail_at;
    S->c.persistent = persistent;
    S->use_model_alloc = model_alloc;
    S->persistent = persistent;
    S->scenario = name;
    S->digest = 1469598103934665603ull;
    snprintf(S->dir, sizeof S->dir, "%s", dir);
    if (!model_alloc) nn_set_default_allocator(&S->a);
    sc(S);
    nn_set_default_allocator(NULL);
}

static long g_points;

static void sweep(void (*sc)(sw *), const char *name, const char *dir)
{
    int model_alloc;
    for (model_alloc = 0; model_alloc < 2; model_alloc++) {
        sw ref, S;
        long n, total, absorbed = 0;
        run_once(sc, name, model_alloc, 0, 0, dir, &ref);
        CHECK_MSG(ref.completed && ref.failures == 0 && ref.bad == 0, "%s: reference run failed", name);
        CHECK_MSG(ref.c.allocs == ref.c.frees && ref.c.live == 0, "%s reference: %ld allocations, %ld frees", name,
                  ref.c.allocs, ref.c.frees);
        if (!ref.completed) return;
        total = ref.c.n;
        CHECK(total > 10);
        for (n = 1; n <= total + 1 && th_failures() < 5; n++) {
            run_once(sc, name, model_alloc, n, 0, dir, &S);
            CHECK_MSG(S.c.allocs == S.c.frees && S.c.live == 0, "%s (%s allocator) transient failure of allocation %ld: %ld allocations, %ld frees",
                      name, model_alloc ? "model" : "default", n, S.c.allocs, S.c.frees);
            if (n == total + 1) {
                CHECK_MSG(S.completed && S.failures == 0 && S.c.failed == 0, "%s: run past the last allocation failed", name);
                break;
            }
            CHECK_MSG(S.completed, "%s (%s allocator) transient failure of allocation %ld: not recovered", name,
                      model_alloc ? "model" : "default", n);
            if (S.failures == 0) absorbed++; /* the library coped without reporting (e.g. a cache) */
            CHECK_MSG(S.failures <= 1, "%s: allocation %ld: %d failures reported for one", name, n, S.failures);
            CHECK_MSG(S.digest == ref.digest, "%s (%s allocator) transient failure of allocation %ld: results differ from the reference",
                      name, model_alloc ? "model" : "default", n);
            run_once(sc, name, model_alloc, n, 1, dir, &S);
            CHECK_MSG(S.c.allocs == S.c.frees && S.c.live == 0, "%s (%s allocator) failing from allocation %ld on: %ld allocations, %ld frees",
                      name, model_alloc ? "model" : "default", n, S.c.allocs, S.c.frees);
            CHECK_MSG(S.failures == 1 || (S.completed && S.failures == 0), "%s: persistent failure from %ld not reported", name, n);
            g_points += 2;
        }
        CHECK_MSG(absorbed == 0, "%s (%s allocator): %ld allocation failures were not reported", name,
                  model_alloc ? "model" : "default", absorbed);
    }
}

static void sweep_dir(char *dir, size_t cap)
{
    /* tmpfs where there is one: checkpoints fsync, a disk would make the sweep slow */
    snprintf(dir, cap, "%s/nn_sweep_XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) snprintf(dir, cap, ".");
}

static void sweep_cleanup(const char *dir)
{
    static const char *names[] = { "ck.nn", "ckw-01.nn", "ckw-02.nn", "ckw-03.nn", "ckw-04.nn", "ckw-05.nn",
                                   "log.csv", "io.nn", "io_w.nn", "data.csv" };
    char p[160];
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        remove(p);
    }
    if (strcmp(dir, ".") != 0) rmdir(dir);
}

TEST(sweep_alloc_failure_every_scenario)
{
    char dir[64];
    sw_data();
    sweep_dir(dir, sizeof dir);
    g_points = 0;
    sweep(sc_train, "train", dir);
    sweep(sc_io, "io", dir);
    sweep(sc_data, "data", dir);
    sweep(sc_optim, "optim", dir);
    sweep_cleanup(dir);
    printf("alloc sweep: %ld allocation-failure runs (transient + persistent, default and model allocator)\n", g_points);
}
