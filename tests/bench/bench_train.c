/*
 * make bench-train: end-to-end training and prediction speed of libnn against
 * PyTorch (python3-torch, one thread) and FANN (libfloatfann, loaded with
 * dlopen) on the same generated data, in one run.
 *
 * The C program generates every data set, writes it (raw float32) and a spec
 * of the workloads into a scratch directory, runs libnn and FANN itself and
 * PyTorch through tests/bench/bench_torch.py, and prints one table.
 *
 * Timing: every framework times each epoch on its own; the table shows the
 * median epoch (samples/s = rows / median epoch seconds, us/step = median
 * epoch / batches per epoch). XOR and predict repeat the whole measurement
 * and take the median. A framework stops early once a workload's time budget
 * is spent (at least 3 epochs); the epochs run are printed.
 *
 * Options: -q quick (a tenth of the rows and budgets, a smoke test),
 *          -e N max epochs (default 10), -d DIR scratch directory,
 *          --no-torch, --no-fann, -w SUBSTR run only workloads whose id contains SUBSTR,
 *          --wall time by the wall clock instead of process CPU time.
 * Environment: BENCH_PYTHON (default /usr/bin/python3).
 */
#define _POSIX_C_SOURCE 200809L
#include "nn.h"
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The Makefile defines BENCH_HAVE_THREADS when nn.h declares nn_model_set_threads. */
#ifdef BENCH_HAVE_THREADS
static nn_status set_threads(nn_model *m, int n) { return nn_model_set_threads(m, n); }
#else
static nn_status set_threads(nn_model *m, int n) { (void)m; (void)n; return NN_ERR_UNSUPPORTED; }
#endif

/* ---- small utilities ---------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* What the timings measure: this process's CPU time by default, so that other
   processes on a shared machine skew the numbers less (every framework runs one
   thread); wall-clock time with --wall, and always for the 2-thread runs. */
static int g_use_wall;
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
static double meas_s(void) { return g_use_wall ? now_s() : cpu_s(); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    if (n == 0) return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_train: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* xoshiro-free splitmix64 + Box-Muller: data identical on every machine. */
static uint64_t g_rng = 0x2545F4914F6CDD1Dull;
static uint64_t rng_next(void)
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_uniform(void) { return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0); }
static double rng_normal(void)
{
    double u = rng_uniform(), v = rng_uniform();
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static float *xmalloc_f(size_t n)
{
    float *p = (float *)malloc(n * sizeof(float));
    if (!p) die("out of memory (%zu floats)", n);
    return p;
}

static void write_f32(const char *dir, const char *name, const float *p, size_t n)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, sizeof(float), n, f) != n) die("cannot write %s", path);
    fclose(f);
}

/* ---- counting allocator -------------------------------------------------- */

typedef struct counter {
    size_t cur, peak, n_alloc, n_free;
} counter;

#define HDR 16 /* keeps malloc's 16-byte alignment */

static void *count_alloc(void *user, size_t size)
{
    counter *c = (counter *)user;
    unsigned char *p = (unsigned char *)malloc(size + HDR);
    if (!p) return NULL;
    memcpy(p, &size, sizeof size);
    c->cur += size;
    if (c->cur > c->peak) c->peak = c->cur;
    c->n_alloc++;
    return p + HDR;
}

static void count_free(void *user, void *ptr)
{
    counter *c = (counter *)user;
    size_t size;
    unsigned char *p;
    if (!ptr) return;
    p = (unsigned char *)ptr - HDR;
    memcpy(&size, p, sizeof size);
    c->cur -= size;
    c->n_free++;
    free(p);
}

/* ---- data sets ------------------------------------------------------------ */

typedef struct dataset {
    const char *name;
    size_t n, in, out;
    float *x, *y;
} dataset;

/* 32 correlated features, standardized per column; a non-linear target,
   standardized. */
static void make_regression(dataset *d, size_t n)
{
    size_t i, j, in = 32;
    double w[32];
    d->name = "reg";
    d->n = n;
    d->in = in;
    d->out = 1;
    d->x = xmalloc_f(n * in);
    d->y = xmalloc_f(n);
    for (j = 0; j < in; j++) w[j] = rng_normal() / sqrt((double)in);
    for (i = 0; i < n; i++) {
        double z[32], t = 0.0;
        float *xr = d->x + i * in;
        for (j = 0; j < in; j++) z[j] = rng_normal();
        for (j = 0; j < in; j++) xr[j] = (float)(z[j] + (j ? 0.6 * z[j - 1] : 0.0) + 0.5);
        for (j = 0; j < in; j++) t += w[j] * xr[j];
        t += 0.5 * sin(1.5 * xr[0] * xr[1]) + tanh(xr[2] - xr[3]) + 0.25 * xr[4] * xr[4];
        d->y[i] = (float)(t + 0.1 * rng_normal());
    }
    for (j = 0; j <= in; j++) { /* j == in: the target */
        double s = 0.0, ss = 0.0;
        size_t stride = j < in ? in : 1;
        float *col = j < in ? d->x + j : d->y;
        for (i = 0; i < n; i++) s += col[i * stride];
        s /= (double)n;
        for (i = 0; i < n; i++) ss += (col[i * stride] - s) * (col[i * stride] - s);
        ss = sqrt(ss / (double)n);
        for (i = 0; i < n; i++) col[i * stride] = (float)((col[i * stride] - s) / ss);
    }
}

/* 784-pixel images in [0, 1] from 16 latent factors (MNIST-like scale). */
static void make_images(dataset *d, size_t n)
{
    size_t i, j, k, in = 784, f = 16;
    float *basis = xmalloc_f(f * in);
    d->name = "img";
    d->n = n;
    d->in = in;
    d->out = in;
    d->x = xmalloc_f(n * in);
    d->y = d->x;
    for (k = 0; k < f * in; k++) basis[k] = (float)(rng_normal() * 0.6);
    for (i = 0; i < n; i++) {
        double h[16];
        for (k = 0; k < f; k++) h[k] = rng_normal();
        for (j = 0; j < in; j++) {
            double a = -1.5;
            for (k = 0; k < f; k++) a += h[k] * basis[k * in + j];
            d->x[i * in + j] = (float)(1.0 / (1.0 + exp(-a)));
        }
    }
    free(basis);
}

static void make_xor(dataset *d)
{
    static const float x[8] = { 0, 0, 0, 1, 1, 0, 1, 1 };
    static const float y[4] = { 0, 1, 1, 0 };
    d->name = "xor";
    d->n = 4;
    d->in = 2;
    d->out = 1;
    d->x = xmalloc_f(8);
    d->y = xmalloc_f(4);
    memcpy(d->x, x, sizeof x);
    memcpy(d->y, y, sizeof y);
}

/* ---- workloads ------------------------------------------------------------ */

enum { KIND_FIT = 0, KIND_XOR = 1, KIND_PREDICT = 2 };
enum { ACT_RELU = 0, ACT_TANH = 1, ACT_SIGMOID = 2, ACT_LINEAR = 3 };
static const char *act_names[] = { "relu", "tanh", "sigmoid", "linear" };

#define MAXL 8
#define MAXFW 4

typedef struct result {
    int ran;           /* 1 measured, 0 skipped */
    char note[96];     /* why skipped, or how measured */
    double sps;        /* samples/s (predict: calls/s) */
    double sps_wall;   /* the same by the wall clock (fit workloads) */
    double us_step;    /* us per optimizer step (predict: us per call) */
    double loss;       /* final training loss */
    int epochs;        /* epochs measured */
    size_t rows;       /* rows used (FANN may use fewer) */
} result;

typedef struct workload {
    const char *id, *title;
    int kind;
    dataset *data;
    size_t dims[MAXL + 1], n_dims; /* in, hidden..., out */
    int hidden_act, out_act;
    size_t bs;
    int max_epochs;                /* XOR: epochs per run */
    double budget;                 /* seconds per framework (soft) */
    size_t fann_rows;              /* FANN trains on at most this many rows */
    int threads_too;               /* also measure libnn with 2 threads */
    result r[MAXFW];               /* libnn, torch, fann, libnn-2thr */
    size_t peak, theory, step_allocs;
    int bits_equal;                /* 2 threads gave the same weights: 1, differ: 0, -1 not run */
} workload;

enum { FW_LIBNN = 0, FW_TORCH = 1, FW_FANN = 2, FW_LIBNN2 = 3 };

static nn_activation to_nn_act(int a)
{
    return a == ACT_RELU ? NN_RELU : a == ACT_TANH ? NN_TANH : a == ACT_SIGMOID ? NN_SIGMOID : NN_LINEAR;
}

static size_t param_count(const workload *w)
{
    size_t i, p = 0;
    for (i = 0; i + 1 < w->n_dims; i++) p += w->dims[i] * w->dims[i + 1] + w->dims[i + 1];
    return p;
}

/* Parameters + gradients + Adam's m and v + one batch of activations (input
   and every layer's output), in bytes. */
static size_t theoretical_min(const workload *w, size_t bs)
{
    size_t i, p = param_count(w), act = 0;
    for (i = 0; i < w->n_dims; i++) act += bs * w->dims[i];
    return (4 * p + act) * sizeof(float);
}

/* ---- libnn ---------------------------------------------------------------- */

typedef struct epoch_timer {
    counter *cnt;
    double t0, w0, budget, start;
    double secs[4096], wsecs[4096];
    int n;
    size_t allocs_in_epochs;
    size_t allocs_at_begin;
    int min_epochs;
} epoch_timer;

static int on_epoch_begin(nn_model *m, int epoch, void *user)
{
    epoch_timer *t = (epoch_timer *)user;
    (void)m;
    (void)epoch;
    t->allocs_at_begin = t->cnt->n_alloc;
    t->w0 = now_s();
    t->t0 = meas_s();
    return 0;
}

static int on_epoch_end(nn_model *m, int epoch, void *user)
{
    epoch_timer *t = (epoch_timer *)user;
    double c = meas_s(), e = now_s();
    (void)m;
    (void)epoch;
    if (t->n < 4096) {
        t->wsecs[t->n] = e - t->w0;
        t->secs[t->n++] = c - t->t0;
    }
    t->allocs_in_epochs += t->cnt->n_alloc - t->allocs_at_begin;
    return t->n >= t->min_epochs && e - t->start > t->budget;
}

static nn_model *build_libnn(const workload *w, counter *cnt, int threads, epoch_timer *timer)
{
    nn_allocator a;
    nn_model *m;
    size_t i;
    a.alloc = count_alloc;
    a.free = count_free;
    a.user = cnt;
    m = nn_model_create_with_allocator(w->dims[0], &a);
    if (!m) die("nn_model_create: %s", nn_last_error());
    nn_model_set_seed(m, 42);
    for (i = 1; i < w->n_dims; i++) {
        int act = i + 1 == w->n_dims ? w->out_act : w->hidden_act;
        if (nn_model_add(m, nn_dense(w->dims[i], to_nn_act(act))) != NN_OK) die("add: %s", nn_model_error(m));
    }
    if (nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE) != NN_OK) die("compile: %s", nn_model_error(m));
    if (threads > 1) {
        if (set_threads(m, threads) != NN_OK) {
            nn_model_free(m);
            return NULL;
        }
    }
    if (timer && nn_model_add_callback(m, nn_callback_custom(on_epoch_begin, on_epoch_end, NULL, timer)) != NN_OK)
        die("callback: %s", nn_model_error(m));
    return m;
}

static void run_libnn_fit(workload *w, int fw, int threads, float *weights_out)
{
    result *r = &w->r[fw];
    counter cnt;
    epoch_timer *t = (epoch_timer *)calloc(1, sizeof *t);
    nn_model *m;
    const dataset *d = w->data;
    double med;
    memset(&cnt, 0, sizeof cnt);
    if (!t) die("out of memory");
    t->cnt = &cnt;
    t->budget = w->budget;
    t->min_epochs = 3;
    m = build_libnn(w, &cnt, threads, t);
    if (!m) {
        r->ran = 0;
        snprintf(r->note, sizeof r->note, "nn_model_set_threads not available");
        free(t);
        return;
    }
    t->start = now_s();
    if (nn_model_fit(m, d->x, d->y, d->n, w->max_epochs, (int)w->bs) != NN_OK) die("fit %s: %s", w->id, nn_model_error(m));
    med = median(t->secs, (size_t)t->n);
    r->sps_wall = (double)d->n / median(t->wsecs, (size_t)t->n);
    if (threads > 1) { /* CPU time sums the threads: scaling is a wall-clock matter */
        med = (double)d->n / r->sps_wall;
        snprintf(r->note, sizeof r->note, "wall clock");
    }
    r->ran = 1;
    r->epochs = t->n;
    r->rows = d->n;
    r->sps = (double)d->n / med;
    r->us_step = med * 1e6 / (double)((d->n + w->bs - 1) / w->bs);
    r->loss = nn_model_history(m, "loss", nn_model_history_len(m) - 1);
    if (fw == FW_LIBNN) {
        w->peak = cnt.peak;
        w->theory = theoretical_min(w, w->bs);
        w->step_allocs = t->allocs_in_epochs;
    }
    if (weights_out) {
        /* the outputs on the first rows stand in for the weights: equal bits in, equal bits out */
        if (nn_model_predict(m, d->x, 64, weights_out) != NN_OK) die("predict: %s", nn_model_error(m));
    }
    nn_model_free(m);
    free(t);
}

static void run_libnn_xor(workload *w)
{
    result *r = &w->r[FW_LIBNN];
    double secs[5];
    int rep;
    counter cnt;
    for (rep = 0; rep < 5; rep++) {
        nn_model *m;
        double t0;
        memset(&cnt, 0, sizeof cnt);
        m = build_libnn(w, &cnt, 1, NULL);
        t0 = meas_s();
        if (nn_model_fit(m, w->data->x, w->data->y, 4, w->max_epochs, 4) != NN_OK) die("xor: %s", nn_model_error(m));
        secs[rep] = meas_s() - t0;
        r->loss = nn_model_history(m, "loss", nn_model_history_len(m) - 1);
        nn_model_free(m);
    }
    w->peak = cnt.peak;
    w->theory = theoretical_min(w, 4);
    w->step_allocs = (size_t)-1;
    r->ran = 1;
    r->epochs = w->max_epochs;
    r->rows = 4;
    r->us_step = median(secs, 5) * 1e6 / (double)w->max_epochs;
    r->sps = 4.0 * 1e6 / r->us_step;
    snprintf(r->note, sizeof r->note, "median of 5 runs");
}

static void run_libnn_predict(workload *w)
{
    result *r = &w->r[FW_LIBNN];
    double secs[7];
    float out[4];
    int rep;
    size_t i, calls = 200000, before;
    counter cnt;
    nn_model *m;
    const dataset *d = w->data;
    memset(&cnt, 0, sizeof cnt);
    m = build_libnn(w, &cnt, 1, NULL);
    if (nn_model_predict_one(m, d->x, out) != NN_OK) die("predict_one: %s", nn_model_error(m));
    before = cnt.n_alloc;
    for (rep = 0; rep < 7; rep++) {
        double t0 = meas_s();
        float sink = 0.0f;
        for (i = 0; i < calls; i++) {
            nn_model_predict_one(m, d->x + (i & 1023) * d->in, out);
            sink += out[0];
        }
        secs[rep] = meas_s() - t0;
        if (sink == 12345.0f) puts(""); /* keep the loop */
    }
    w->step_allocs = cnt.n_alloc - before;
    w->peak = cnt.peak;
    w->theory = (param_count(w) + w->dims[0] + 64 + 32 + 1) * sizeof(float);
    r->ran = 1;
    r->us_step = median(secs, 7) * 1e6 / (double)calls;
    r->sps = 1e6 / r->us_step;
    r->loss = NAN;
    qsort(secs, 7, sizeof secs[0], cmp_double);
    snprintf(r->note, sizeof r->note, "median of 7 x %zu calls (best %.3f us)", calls, secs[0] * 1e6 / (double)calls);
    nn_model_free(m);
}

/* ---- FANN (dlopen) -------------------------------------------------------- */

typedef void (*fann_cb)(unsigned num, unsigned ni, unsigned no, float *in, float *out);
static struct fann_api {
    void *h;
    const char *lib;
    void *(*create_standard_array)(unsigned num_layers, const unsigned *layers);
    void (*destroy)(void *ann);
    float *(*run)(void *ann, float *input);
    void (*randomize_weights)(void *ann, float lo, float hi);
    float (*train_epoch)(void *ann, void *data);
    void *(*create_train_from_callback)(unsigned n, unsigned ni, unsigned no, fann_cb cb);
    void (*destroy_train)(void *data);
    void (*set_training_algorithm)(void *ann, int alg);
    void (*set_act_hidden)(void *ann, int act);
    void (*set_act_output)(void *ann, int act);
    void (*set_train_error_function)(void *ann, int f);
} F;

enum { FANN_LINEAR_ = 0, FANN_SIGMOID_ = 3, FANN_SIGMOID_SYMMETRIC_ = 5 };
enum { FANN_TRAIN_RPROP_ = 2 };
#define FANN_ALG_NAME "RPROP"

static int load_sym(void *dst, size_t size, const char *name)
{
    void *s = dlsym(F.h, name);
    if (!s) return 0;
    memcpy(dst, &s, size); /* object to function pointer, as POSIX allows */
    return 1;
}

static int fann_load(void)
{
    static const char *libs[] = { "libfloatfann.so.2", "libfloatfann.so" };
    size_t i;
    int ok;
    for (i = 0; i < 2 && !F.h; i++) {
        F.h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
        F.lib = libs[i];
    }
    if (!F.h) return 0;
    ok = load_sym(&F.create_standard_array, sizeof F.create_standard_array, "fann_create_standard_array") &&
         load_sym(&F.destroy, sizeof F.destroy, "fann_destroy") && load_sym(&F.run, sizeof F.run, "fann_run") &&
         load_sym(&F.randomize_weights, sizeof F.randomize_weights, "fann_randomize_weights") &&
         load_sym(&F.train_epoch, sizeof F.train_epoch, "fann_train_epoch") &&
         load_sym(&F.create_train_from_callback, sizeof F.create_train_from_callback, "fann_create_train_from_callback") &&
         load_sym(&F.destroy_train, sizeof F.destroy_train, "fann_destroy_train") &&
         load_sym(&F.set_training_algorithm, sizeof F.set_training_algorithm, "fann_set_training_algorithm") &&
         load_sym(&F.set_act_hidden, sizeof F.set_act_hidden, "fann_set_activation_function_hidden") &&
         load_sym(&F.set_act_output, sizeof F.set_act_output, "fann_set_activation_function_output") &&
         load_sym(&F.set_train_error_function, sizeof F.set_train_error_function, "fann_set_train_error_function");
    if (!ok) {
        dlclose(F.h);
        F.h = NULL;
    }
    return ok;
}

static const dataset *g_fann_src;
static void fann_fill(unsigned num, unsigned ni, unsigned no, float *in, float *out)
{
    memcpy(in, g_fann_src->x + (size_t)num * ni, ni * sizeof(float));
    memcpy(out, g_fann_src->y + (size_t)num * no, no * sizeof(float));
}

/* FANN has no ReLU in 2.2: hidden layers use its symmetric sigmoid (tanh). */
static int fann_act(int a)
{
    return a == ACT_LINEAR ? FANN_LINEAR_ : a == ACT_SIGMOID ? FANN_SIGMOID_ : FANN_SIGMOID_SYMMETRIC_;
}

static void *fann_build(const workload *w)
{
    unsigned layers[MAXL + 1];
    size_t i;
    void *ann;
    for (i = 0; i < w->n_dims; i++) layers[i] = (unsigned)w->dims[i];
    ann = F.create_standard_array((unsigned)w->n_dims, layers);
    if (!ann) die("fann_create_standard_array failed");
    F.randomize_weights(ann, -0.1f, 0.1f);
    F.set_act_hidden(ann, fann_act(w->hidden_act));
    F.set_act_output(ann, fann_act(w->out_act));
    F.set_training_algorithm(ann, FANN_TRAIN_RPROP_);
    F.set_train_error_function(ann, 0 /* FANN_ERRORFUNC_LINEAR: plain MSE */);
    return ann;
}

static void run_fann(workload *w)
{
    result *r = &w->r[FW_FANN];
    const dataset *d = w->data;
    size_t rows;
    void *ann, *td;
    double secs[64], start;
    int n = 0;
    float mse = NAN;
    if (!F.h) {
        r->ran = 0;
        snprintf(r->note, sizeof r->note, "skipped: libfloatfann not installed");
        return;
    }
    ann = fann_build(w);
    if (w->kind == KIND_PREDICT) {
        double ps[7];
        size_t i, calls = 100000;
        int rep;
        for (rep = 0; rep < 7; rep++) {
            double t0 = meas_s();
            float sink = 0.0f;
            for (i = 0; i < calls; i++) sink += F.run(ann, d->x + (i & 1023) * d->in)[0];
            ps[rep] = meas_s() - t0;
            if (sink == 12345.0f) puts("");
        }
        F.destroy(ann);
        r->ran = 1;
        r->us_step = median(ps, 7) * 1e6 / (double)calls;
        r->sps = 1e6 / r->us_step;
        r->loss = NAN;
        snprintf(r->note, sizeof r->note, "fann_run, median of 7 x %zu calls", calls);
        return;
    }
    rows = d->n < w->fann_rows ? d->n : w->fann_rows;
    g_fann_src = d;
    td = F.create_train_from_callback((unsigned)rows, (unsigned)d->in, (unsigned)d->out, fann_fill);
    if (!td) die("fann_create_train_from_callback failed");
    if (w->kind == KIND_XOR) {
        double xs[5];
        int rep, e;
        for (rep = 0; rep < 5; rep++) {
            double t0;
            void *a2 = rep ? fann_build(w) : ann;
            t0 = meas_s();
            for (e = 0; e < w->max_epochs; e++) mse = F.train_epoch(a2, td);
            xs[rep] = meas_s() - t0;
            F.destroy(a2);
        }
        r->us_step = median(xs, 5) * 1e6 / (double)w->max_epochs;
        r->sps = 4.0 * 1e6 / r->us_step;
        r->epochs = w->max_epochs;
        snprintf(r->note, sizeof r->note, "FANN_TRAIN_" FANN_ALG_NAME ", median of 5 runs");
    } else {
        start = now_s();
        while (n < w->max_epochs && n < 64) {
            double t0 = meas_s();
            mse = F.train_epoch(ann, td);
            secs[n++] = meas_s() - t0;
            if (n >= 3 && now_s() - start > w->budget) break;
        }
        F.destroy(ann);
        r->us_step = median(secs, (size_t)n) * 1e6; /* one RPROP update per epoch */
        r->sps = (double)rows / (r->us_step * 1e-6);
        r->epochs = n;
        snprintf(r->note, sizeof r->note, "FANN_TRAIN_" FANN_ALG_NAME " (1 step/epoch), %zu rows", rows);
    }
    F.destroy_train(td);
    r->ran = 1;
    r->rows = rows;
    r->loss = mse;
}

/* ---- PyTorch (subprocess) ------------------------------------------------- */

static void run_torch(workload *ws, size_t nw, const char *dir, const char *script, int quick)
{
    char cmd[2048], line[512], spec[1024];
    const char *py = getenv("BENCH_PYTHON");
    FILE *f, *p;
    size_t i, j;
    if (!py || !*py) py = "/usr/bin/python3";
    snprintf(spec, sizeof spec, "%s/spec.txt", dir);
    f = fopen(spec, "w");
    if (!f) die("cannot write %s", spec);
    for (i = 0; i < nw; i++) {
        workload *w = &ws[i];
        fprintf(f, "%s %d %s %zu %d %g %s %s", w->id, w->kind, w->data->name, w->bs, w->max_epochs, w->budget,
                act_names[w->hidden_act], act_names[w->out_act]);
        for (j = 0; j < w->n_dims; j++) fprintf(f, " %zu", w->dims[j]);
        fprintf(f, "\n");
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' %s %s 2>&1", py, script, dir, g_use_wall ? "wall" : "cpu", quick ? "quick" : "full");
    fflush(stdout);
    p = popen(cmd, "r");
    if (!p) {
        for (i = 0; i < nw; i++) snprintf(ws[i].r[FW_TORCH].note, sizeof ws[i].r[FW_TORCH].note, "skipped: cannot run %s", py);
        return;
    }
    for (i = 0; i < nw; i++) snprintf(ws[i].r[FW_TORCH].note, sizeof ws[i].r[FW_TORCH].note, "skipped: no result from %s", py);
    while (fgets(line, sizeof line, p)) {
        char id[64], note[96];
        double sps, us, loss;
        int ep;
        if (strncmp(line, "SKIP ", 5) == 0) {
            line[strcspn(line, "\n")] = 0;
            for (i = 0; i < nw; i++) snprintf(ws[i].r[FW_TORCH].note, sizeof ws[i].r[FW_TORCH].note, "skipped: %.80s", line + 5);
            continue;
        }
        if (strncmp(line, "VERSION ", 8) == 0) continue;
        if (sscanf(line, "RESULT %63s %lf %lf %lf %d %95[^\n]", id, &sps, &us, &loss, &ep, note) >= 5) {
            for (i = 0; i < nw; i++) {
                if (strcmp(ws[i].id, id) != 0) continue;
                ws[i].r[FW_TORCH].ran = 1;
                ws[i].r[FW_TORCH].sps = sps;
                ws[i].r[FW_TORCH].us_step = us;
                ws[i].r[FW_TORCH].loss = loss;
                ws[i].r[FW_TORCH].epochs = ep;
                ws[i].r[FW_TORCH].rows = ws[i].data->n;
                ws[i].r[FW_TORCH].note[0] = 0;
            }
        } else {
            fprintf(stderr, "  [torch] %s", line);
        }
    }
    pclose(p);
}

/* ---- report --------------------------------------------------------------- */

/* The machine's load average: other processes on a shared machine skew every
   number here, so the table says how busy it was. */
static void print_load(const char *when)
{
    FILE *f = fopen("/proc/loadavg", "r");
    char buf[64];
    if (!f) return;
    if (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = 0;
        printf("load average %s: %s\n", when, buf);
    }
    fclose(f);
}

static void fmt_bytes(char *buf, size_t cap, size_t b)
{
    if (b >= (size_t)1 << 20) snprintf(buf, cap, "%.2f MiB", (double)b / 1048576.0);
    else snprintf(buf, cap, "%.1f KiB", (double)b / 1024.0);
}

static void print_row(const char *fw, const result *r, const result *ref)
{
    if (!r->ran) {
        printf("  %-22s %s\n", fw, r->note[0] ? r->note : "skipped");
        return;
    }
    printf("  %-22s %12.0f %10.3f %11.5g %4d", fw, r->sps, r->us_step, r->loss, r->epochs);
    if (ref && ref != r && ref->ran) printf(" %8.2fx", ref->sps / r->sps);
    else printf(" %9s", "");
    if (r->note[0]) printf("  %s", r->note);
    printf("\n");
}

static void print_table(workload *ws, size_t nw, const char *torch_ver)
{
    size_t i;
    printf("\n%-24s %12s %10s %11s %4s %9s\n", "workload / framework", "samples/s", "us/step", "final loss", "ep",
           "libnn is");
    printf("-----------------------------------------------------------------------------\n");
    for (i = 0; i < nw; i++) {
        workload *w = &ws[i];
        char pk[32], th[32];
        char tname[64];
        if (w->kind == KIND_FIT) printf("%s, n=%zu\n", w->title, w->data->n);
        else printf("%s\n", w->title);
        print_row("libnn", &w->r[FW_LIBNN], NULL);
        if (w->threads_too && (w->r[FW_LIBNN2].ran || w->r[FW_LIBNN2].note[0])) {
            print_row("libnn 2 threads", &w->r[FW_LIBNN2], NULL);
            if (w->r[FW_LIBNN2].ran)
                printf("  %-22s %.2fx of 1 thread by the wall clock; results %s\n", "", w->r[FW_LIBNN2].sps / w->r[FW_LIBNN].sps_wall,
                       w->bits_equal == 1 ? "bit-identical" : "DIFFER");
        }
        snprintf(tname, sizeof tname, "pytorch %s 1 thr", torch_ver);
        print_row(tname, &w->r[FW_TORCH], &w->r[FW_LIBNN]);
        print_row("fann 2.2 " FANN_ALG_NAME, &w->r[FW_FANN], &w->r[FW_LIBNN]);
        fmt_bytes(pk, sizeof pk, w->peak);
        fmt_bytes(th, sizeof th, w->theory);
        printf("  libnn memory: peak %s allocated, theoretical minimum %s (%.2fx)", pk, th,
               (double)w->peak / (double)w->theory);
        if (w->step_allocs != (size_t)-1)
            printf("; allocations during %s: %zu", w->kind == KIND_PREDICT ? "predict calls" : "epochs", w->step_allocs);
        printf("\n");
    }
}

static void target(const char *what, int ok, double have, const char *unit)
{
    printf("  [%s] %-52s %8.2f%s\n", ok ? "met " : "MISS", what, have, unit);
}

static workload *find(workload *ws, size_t nw, const char *id)
{
    size_t i;
    for (i = 0; i < nw; i++)
        if (strcmp(ws[i].id, id) == 0 && ws[i].r[FW_LIBNN].ran) return &ws[i];
    return NULL;
}

static void print_targets(workload *ws, size_t nw)
{
    static const struct { const char *id; double x; } torch_t[] = {
        { "reg_small_b32", 20 }, { "reg_small_b256", 5 }, { "reg_wide_b256", 2 }, { "autoencoder", 2 },
    };
    size_t i;
    workload *w;
    printf("\nTargets (ratios from this run):\n");
    for (i = 0; i < sizeof torch_t / sizeof torch_t[0]; i++) {
        char what[96];
        w = find(ws, nw, torch_t[i].id);
        if (!w || !w->r[FW_TORCH].ran) continue;
        snprintf(what, sizeof what, ">= %gx pytorch samples/s on %s", torch_t[i].x, torch_t[i].id);
        target(what, w->r[FW_LIBNN].sps >= torch_t[i].x * w->r[FW_TORCH].sps, w->r[FW_LIBNN].sps / w->r[FW_TORCH].sps, "x");
    }
    for (i = 0; i < nw; i++) {
        char what[96];
        w = &ws[i];
        if (!w->r[FW_LIBNN].ran || !w->r[FW_FANN].ran) continue;
        snprintf(what, sizeof what, ">= 5x fann on %s", w->id);
        target(what, w->r[FW_LIBNN].sps >= 5 * w->r[FW_FANN].sps, w->r[FW_LIBNN].sps / w->r[FW_FANN].sps, "x");
    }
    w = find(ws, nw, "predict_one");
    if (w) {
        target("single-sample predict 32-64-32-1 < 0.5 us", w->r[FW_LIBNN].us_step < 0.5, w->r[FW_LIBNN].us_step, " us");
        target("zero allocations in predict_one", w->step_allocs == 0, (double)w->step_allocs, " allocs");
    }
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static dataset reg, img, xr;
    static workload ws[8];
    const char *dir = "build/bench", *only = NULL;
    const char *script = "tests/bench/bench_torch.py";
    int quick = 0, use_torch = 1, use_fann = 1, max_ep = 10, i;
    size_t nw = 0, k;
    char torch_ver[32] = "";
    double t_all = now_s();
    float *o1 = xmalloc_f(64 * 784), *o2 = xmalloc_f(64 * 784);

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0) quick = 1;
        else if (strcmp(argv[i], "--no-torch") == 0) use_torch = 0;
        else if (strcmp(argv[i], "--no-fann") == 0) use_fann = 0;
        else if (strcmp(argv[i], "--wall") == 0) g_use_wall = 1;
        else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) max_ep = atoi(argv[++i]);
        else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) dir = argv[++i];
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) only = argv[++i];
        else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) script = argv[++i];
        else die("usage: %s [-q] [-e epochs] [-d dir] [-w id-substring] [--wall] [--no-torch] [--no-fann]", argv[0]);
    }
    print_load("at start");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("cannot create %s", dir);

    make_regression(&reg, quick ? 5000 : 50000);
    make_images(&img, quick ? 1000 : 10000);
    make_xor(&xr);
    write_f32(dir, "reg_x.f32", reg.x, reg.n * reg.in);
    write_f32(dir, "reg_y.f32", reg.y, reg.n);
    write_f32(dir, "img_x.f32", img.x, img.n * img.in);
    write_f32(dir, "xor_x.f32", xr.x, 8);
    write_f32(dir, "xor_y.f32", xr.y, 4);

#define W(id_, title_, kind_, data_, hid_, outa_, bs_, ep_, budget_, frows_, thr_, ...)          \
    do {                                                                                      \
        static const size_t d_[] = { __VA_ARGS__ };                                           \
        workload *w_ = &ws[nw++];                                                             \
        w_->id = id_;                                                                         \
        w_->title = title_;                                                                   \
        w_->kind = kind_;                                                                     \
        w_->data = data_;                                                                     \
        w_->n_dims = sizeof d_ / sizeof d_[0];                                                \
        memcpy(w_->dims, d_, sizeof d_);                                                      \
        w_->hidden_act = hid_;                                                                \
        w_->out_act = outa_;                                                                  \
        w_->bs = bs_;                                                                         \
        w_->max_epochs = ep_;                                                                 \
        w_->budget = quick ? (budget_) / 10.0 : (budget_);                                    \
        w_->fann_rows = quick && (frows_) > 100 ? (frows_) / 10 : (frows_);                                     \
        w_->threads_too = thr_;                                                               \
        w_->bits_equal = -1;                                                                  \
    } while (0)

    W("reg_small_b32", "regression 32-64-32-1 relu, batch 32", KIND_FIT, &reg, ACT_RELU, ACT_LINEAR, 32, max_ep, 8.0, 50000, 0, 32, 64, 32, 1);
    W("reg_small_b256", "regression 32-64-32-1 relu, batch 256", KIND_FIT, &reg, ACT_RELU, ACT_LINEAR, 256, max_ep, 6.0, 50000, 0, 32, 64, 32, 1);
    W("reg_wide_b32", "regression 32-256-256-1 relu, batch 32", KIND_FIT, &reg, ACT_RELU, ACT_LINEAR, 32, max_ep, 10.0, 10000, 1, 32, 256, 256, 1);
    W("reg_wide_b256", "regression 32-256-256-1 relu, batch 256", KIND_FIT, &reg, ACT_RELU, ACT_LINEAR, 256, max_ep, 10.0, 10000, 1, 32, 256, 256, 1);
    W("autoencoder", "autoencoder 784-512-256-128-256-512-784 relu/sigmoid, batch 256", KIND_FIT, &img, ACT_RELU, ACT_SIGMOID, 256, max_ep, 25.0, 1000, 1, 784, 512, 256, 128, 256, 512, 784);
    W("xor", "XOR 2-2-1 tanh/sigmoid, full batch (4 rows), 1000 epochs", KIND_XOR, &xr, ACT_TANH, ACT_SIGMOID, 4, 1000, 5.0, 4, 0, 2, 2, 1);
    W("predict_one", "single-sample predict 32-64-32-1 relu (calls/s, us/call)", KIND_PREDICT, &reg, ACT_RELU, ACT_LINEAR, 1, 0, 5.0, 0, 0, 32, 64, 32, 1);
#undef W
    if (only) {
        size_t j = 0;
        for (k = 0; k < nw; k++)
            if (strstr(ws[k].id, only)) ws[j++] = ws[k];
        nw = j;
    }

    if (use_fann && !fann_load())
        for (k = 0; k < nw; k++) snprintf(ws[k].r[FW_FANN].note, sizeof ws[k].r[FW_FANN].note, "skipped: libfloatfann.so.2 not found");
    if (!use_fann)
        for (k = 0; k < nw; k++) snprintf(ws[k].r[FW_FANN].note, sizeof ws[k].r[FW_FANN].note, "skipped (--no-fann)");

    printf("libnn %s bench: %s rows, up to %d epochs per fit workload (median epoch), budgets %s\n", nn_version(),
           quick ? "quick (1/10)" : "full", max_ep, quick ? "1/10" : "full");
    printf("timings: %s\n", g_use_wall ? "wall clock" : "process CPU time (one thread each; --wall for wall clock)");
    for (k = 0; k < nw; k++) {
        workload *w = &ws[k];
        fprintf(stderr, "[%6.1fs] %s: libnn\n", now_s() - t_all, w->id);
        if (w->kind == KIND_FIT) {
            run_libnn_fit(w, FW_LIBNN, 1, w->threads_too ? o1 : NULL);
            if (w->threads_too) {
                run_libnn_fit(w, FW_LIBNN2, 2, o2);
                if (w->r[FW_LIBNN2].ran)
                    w->bits_equal = memcmp(o1, o2, 64 * w->dims[w->n_dims - 1] * sizeof(float)) == 0;
                else
                    w->r[FW_LIBNN2].note[0] = 0; /* no threads API: say nothing */
            }
        } else if (w->kind == KIND_XOR) {
            run_libnn_xor(w);
        } else {
            run_libnn_predict(w);
        }
        if (use_fann && F.h) {
            fprintf(stderr, "[%6.1fs] %s: fann\n", now_s() - t_all, w->id);
            run_fann(w);
        }
    }
    if (use_torch) {
        FILE *v;
        char cmd[1024];
        const char *py = getenv("BENCH_PYTHON");
        fprintf(stderr, "[%6.1fs] pytorch (all workloads)\n", now_s() - t_all);
        run_torch(ws, nw, dir, script, quick);
        snprintf(cmd, sizeof cmd, "'%s' -c 'import torch; print(torch.__version__)' 2>/dev/null", py && *py ? py : "/usr/bin/python3");
        v = popen(cmd, "r");
        if (v) {
            if (!fgets(torch_ver, sizeof torch_ver, v)) torch_ver[0] = 0;
            torch_ver[strcspn(torch_ver, "\n")] = 0;
            pclose(v);
        }
    } else {
        for (k = 0; k < nw; k++) snprintf(ws[k].r[FW_TORCH].note, sizeof ws[k].r[FW_TORCH].note, "skipped (--no-torch)");
    }
    print_load("at end");
    print_table(ws, nw, torch_ver);
    print_targets(ws, nw);
    printf("\nNotes: Adam lr 1e-3 eps 1e-7, MSE, glorot-uniform/zero-bias in libnn and pytorch; FANN 2.2 has no\n"
           "ReLU, so its hidden layers use FANN_SIGMOID_SYMMETRIC (tanh) and it trains with its batch RPROP\n"
           "(one weight update per epoch, the least work per sample FANN offers) on at most the rows shown,\n"
           "its samples/s extrapolated per sample. 'libnn is' = libnn samples/s / peer samples/s.\n"
           "Total bench time %.0f s.\n", now_s() - t_all);
    free(o1);
    free(o2);
    free(reg.x);
    free(reg.y);
    free(img.x);
    free(xr.x);
    free(xr.y);
    return 0;
}
