/* nn_tuner: KerasTuner-style search (random, grid, Hyperband) with validation split,
   validation data or k-fold cross-validation, parallel trials, resumable results files. */
#include "tune/tuner.h"
#include "core/model.h"
#include "core/alloc.h"
#include "core/error.h"
#include "train/train.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef NN_NO_THREADS
#include <pthread.h>
#endif

typedef struct nni_trial {
    nn_hparams hp;
    double score, seconds;
    int epochs, best_epoch;
    int done, failed;
} nni_trial;

typedef struct nni_fold {
    float *tx, *ty, *vx, *vy; /* owned copies (vx/vy may point into the tuner's data) */
    size_t nt, nv;
} nni_fold;

struct nn_tuner {
    nn_allocator alloc;
    nn_tuner_build_fn build;
    void *user;
    nni_hp_def defs[NNI_MAX_HP];
    size_t n_defs;
    nn_search_strategy strategy;
    size_t max_trials;
    int max_trials_set;
    uint64_t seed;
    char objective[48];
    int maximize;
    int executions;
    float val_split;
    float *vx, *vy;
    size_t vn, vxd, vyd;
    int folds, stratify;
    int hb_max_epochs, hb_factor, hb_iterations;
    int threads;
    char *results_path;
    size_t shard_i, shard_n;
    int verbose;
    nn_log_fn log;
    void *log_user;
    /* data of the last search */
    float *x, *y;
    size_t n, xd, yd;
    int epochs, batch;
    nni_fold *fv;
    size_t n_fv;
    /* trials by id */
    nni_trial *trials;
    size_t n_trials, cap_trials;
    FILE *out;
    char err[512];
};

/* ---- errors and logging ------------------------------------------------- */

static nn_status tfail(nn_tuner *t, nn_status s, const char *fmt, ...) NNI_PRINTF(3, 4);
static nn_status tfail(nn_tuner *t, nn_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
    nni_set_last_error("%s", t->err);
    return s;
}

static void tlog(const nn_tuner *t, const char *fmt, ...) NNI_PRINTF(2, 3);
static void tlog(const nn_tuner *t, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (t->log) t->log(t->log_user, line);
    else {
        fputs(line, stderr);
        fflush(stderr);
    }
}

const char *nn_tuner_error(const nn_tuner *t) { return t ? t->err : ""; }

/* ---- lifetime and options ----------------------------------------------- */

nn_tuner *nn_tuner_create(nn_tuner_build_fn build, void *user)
{
    nn_allocator a = nni_default_allocator();
    nn_tuner *t;
    if (!build) return (nn_tuner *)nni_set_last_error("nn_tuner_create: build function is NULL");
    t = (nn_tuner *)nni_alloc(&a, sizeof *t);
    if (!t) return (nn_tuner *)nni_set_last_error("nn_tuner_create: out of memory");
    t->alloc = a;
    t->build = build;
    t->user = user;
    t->strategy = NN_SEARCH_RANDOM;
    t->max_trials = 10;
    strcpy(t->objective, "val_loss");
    t->executions = 1;
    t->hb_factor = 3;
    t->hb_iterations = 1;
    t->threads = 1;
    t->shard_n = 1;
    return t;
}

static void free_folds(nn_tuner *t)
{
    size_t i;
    for (i = 0; i < t->n_fv; i++) {
        nni_free(&t->alloc, t->fv[i].tx);
        nni_free(&t->alloc, t->fv[i].ty);
        nni_free(&t->alloc, t->fv[i].vx);
        nni_free(&t->alloc, t->fv[i].vy);
    }
    nni_free(&t->alloc, t->fv);
    t->fv = NULL;
    t->n_fv = 0;
}

void nn_tuner_free(nn_tuner *t)
{
    size_t i;
    if (!t) return;
    for (i = 0; i < t->n_defs; i++) {
        nni_free(&t->alloc, t->defs[i].values);
        nni_free(&t->alloc, t->defs[i].strs);
    }
    free_folds(t);
    nni_free(&t->alloc, t->vx);
    nni_free(&t->alloc, t->vy);
    nni_free(&t->alloc, t->x);
    nni_free(&t->alloc, t->y);
    nni_free(&t->alloc, t->trials);
    nni_free(&t->alloc, t->results_path);
    nni_free(&t->alloc, t);
}

#define NEED_T(fn)                                                                 \
    do {                                                                           \
        if (!t) {                                                                  \
            nni_set_last_error("%s: tuner is NULL", fn);                           \
            return NN_ERR_INVALID_ARG;                                             \
        }                                                                          \
    } while (0)

nn_status nn_tuner_set_strategy(nn_tuner *t, nn_search_strategy s)
{
    NEED_T("nn_tuner_set_strategy");
    if ((int)s < 0 || (int)s > (int)NN_SEARCH_HYPERBAND) return tfail(t, NN_ERR_INVALID_ARG, "unknown strategy %d", (int)s);
    t->strategy = s;
    return NN_OK;
}

nn_status nn_tuner_set_max_trials(nn_tuner *t, size_t n)
{
    NEED_T("nn_tuner_set_max_trials");
    if (n == 0) return tfail(t, NN_ERR_INVALID_ARG, "max_trials must be > 0");
    t->max_trials = n;
    t->max_trials_set = 1;
    return NN_OK;
}

nn_status nn_tuner_set_seed(nn_tuner *t, uint64_t seed)
{
    NEED_T("nn_tuner_set_seed");
    t->seed = seed;
    return NN_OK;
}

static int accuracy_like(const char *k) { return strstr(k, "acc") != NULL; }

nn_status nn_tuner_set_objective(nn_tuner *t, const char *key, const char *mode)
{
    NEED_T("nn_tuner_set_objective");
    if (!key || !*key || strlen(key) >= sizeof t->objective) return tfail(t, NN_ERR_INVALID_ARG, "objective key must be 1..47 characters");
    if (mode && strcmp(mode, "min") && strcmp(mode, "max") && strcmp(mode, "auto"))
        return tfail(t, NN_ERR_INVALID_ARG, "objective mode must be \"min\", \"max\" or \"auto\", got \"%s\"", mode);
    strcpy(t->objective, key);
    t->maximize = (mode && !strcmp(mode, "max")) || ((!mode || !strcmp(mode, "auto")) && accuracy_like(key));
    return NN_OK;
}

nn_status nn_tuner_set_executions_per_trial(nn_tuner *t, int n)
{
    NEED_T("nn_tuner_set_executions_per_trial");
    if (n < 1) return tfail(t, NN_ERR_INVALID_ARG, "executions_per_trial must be >= 1, got %d", n);
    t->executions = n;
    return NN_OK;
}

nn_status nn_tuner_set_validation_split(nn_tuner *t, float f)
{
    NEED_T("nn_tuner_set_validation_split");
    if (!(f >= 0.0f && f < 1.0f)) return tfail(t, NN_ERR_INVALID_ARG, "validation split must be in [0, 1), got %g", (double)f);
    t->val_split = f;
    return NN_OK;
}

nn_status nn_tuner_set_validation_data(nn_tuner *t, const float *x, const float *y, size_t n, size_t x_cols,
                                       size_t y_cols)
{
    float *cx, *cy;
    NEED_T("nn_tuner_set_validation_data");
    if (x && (!y || n == 0 || x_cols == 0 || y_cols == 0))
        return tfail(t, NN_ERR_INVALID_ARG, "validation data needs x, y, n > 0 and both widths > 0");
    nni_free(&t->alloc, t->vx);
    nni_free(&t->alloc, t->vy);
    t->vx = t->vy = NULL;
    t->vn = t->vxd = t->vyd = 0;
    if (!x) return NN_OK;
    cx = (float *)nni_alloc_array(&t->alloc, n * x_cols, sizeof(float));
    cy = (float *)nni_alloc_array(&t->alloc, n * y_cols, sizeof(float));
    if (!cx || !cy) {
        nni_free(&t->alloc, cx);
        nni_free(&t->alloc, cy);
        return tfail(t, NN_ERR_NOMEM, "out of memory copying %zu validation rows", n);
    }
    memcpy(cx, x, n * x_cols * sizeof(float));
    memcpy(cy, y, n * y_cols * sizeof(float));
    t->vx = cx;
    t->vy = cy;
    t->vn = n;
    t->vxd = x_cols;
    t->vyd = y_cols;
    return NN_OK;
}

nn_status nn_tuner_set_folds(nn_tuner *t, int k, int stratify)
{
    NEED_T("nn_tuner_set_folds");
    if (k == 1 || k < 0) return tfail(t, NN_ERR_INVALID_ARG, "folds must be 0 (off) or >= 2, got %d", k);
    t->folds = k;
    t->stratify = stratify != 0;
    return NN_OK;
}

nn_status nn_tuner_set_hyperband(nn_tuner *t, int max_epochs, int factor, int iterations)
{
    NEED_T("nn_tuner_set_hyperband");
    if (max_epochs < 0 || factor < 2 || iterations < 1)
        return tfail(t, NN_ERR_INVALID_ARG, "hyperband needs max_epochs >= 0, factor >= 2, iterations >= 1");
    t->hb_max_epochs = max_epochs;
    t->hb_factor = factor;
    t->hb_iterations = iterations;
    return NN_OK;
}

nn_status nn_tuner_set_threads(nn_tuner *t, int threads)
{
    NEED_T("nn_tuner_set_threads");
    if (threads < 1) return tfail(t, NN_ERR_INVALID_ARG, "threads must be >= 1, got %d", threads);
#ifdef NN_NO_THREADS
    if (threads > 1) return tfail(t, NN_ERR_UNSUPPORTED, "libnn was built without threads (NN_NO_THREADS)");
#endif
    t->threads = threads;
    return NN_OK;
}

nn_status nn_tuner_set_results_file(nn_tuner *t, const char *path)
{
    char *p = NULL;
    NEED_T("nn_tuner_set_results_file");
    if (path) {
        size_t len = strlen(path);
        p = (char *)nni_alloc(&t->alloc, len + 1);
        if (!p) return tfail(t, NN_ERR_NOMEM, "out of memory");
        memcpy(p, path, len + 1);
    }
    nni_free(&t->alloc, t->results_path);
    t->results_path = p;
    return NN_OK;
}

nn_status nn_tuner_set_shard(nn_tuner *t, size_t index, size_t count)
{
    NEED_T("nn_tuner_set_shard");
    if (count == 0 || index >= count) return tfail(t, NN_ERR_INVALID_ARG, "shard %zu/%zu: need index < count", index, count);
    t->shard_i = index;
    t->shard_n = count;
    return NN_OK;
}

nn_status nn_tuner_set_verbose(nn_tuner *t, int verbose)
{
    NEED_T("nn_tuner_set_verbose");
    t->verbose = verbose;
    return NN_OK;
}

nn_status nn_tuner_set_log_sink(nn_tuner *t, nn_log_fn fn, void *user)
{
    NEED_T("nn_tuner_set_log_sink");
    t->log = fn;
    t->log_user = user;
    return NN_OK;
}

/* ---- search space ------------------------------------------------------- */

static nn_status new_def(nn_tuner *t, const char *name, nni_hp_kind kind, nni_hp_def **out)
{
    size_t i, len;
    if (!name) return tfail(t, NN_ERR_INVALID_ARG, "hyper-parameter name is NULL");
    len = strlen(name);
    if (len == 0 || len >= NNI_HP_NAME) return tfail(t, NN_ERR_INVALID_ARG, "hyper-parameter name \"%s\" must be 1..%d characters", name, NNI_HP_NAME - 1);
    for (i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return tfail(t, NN_ERR_INVALID_ARG, "hyper-parameter name \"%s\": only letters, digits and '_'", name);
    }
    for (i = 0; i < t->n_defs; i++)
        if (!strcmp(t->defs[i].name, name)) return tfail(t, NN_ERR_INVALID_ARG, "hyper-parameter \"%s\" is already defined", name);
    if (t->n_defs == NNI_MAX_HP) return tfail(t, NN_ERR_INVALID_ARG, "at most %d hyper-parameters", NNI_MAX_HP);
    if (t->n_trials) return tfail(t, NN_ERR_STATE, "the space cannot change after a search");
    *out = &t->defs[t->n_defs];
    memset(*out, 0, sizeof **out);
    strcpy((*out)->name, name);
    (*out)->kind = kind;
    return NN_OK;
}

nn_status nn_tuner_add_int(nn_tuner *t, const char *name, int64_t lo, int64_t hi, int64_t step, int log)
{
    nni_hp_def *d;
    nn_status s;
    NEED_T("nn_tuner_add_int");
    if (lo > hi || step < 0 || (log && lo <= 0) || (log && step == 1))
        return tfail(t, NN_ERR_INVALID_ARG, "int \"%s\": need lo <= hi, step >= 0, lo > 0 and step != 1 with log", name ? name : "");
    if ((s = new_def(t, name, NNI_HP_INT, &d)) != NN_OK) return s;
    d->lo = (double)lo;
    d->hi = (double)hi;
    d->step = (double)step;
    d->log = log != 0;
    t->n_defs++;
    return NN_OK;
}

nn_status nn_tuner_add_float(nn_tuner *t, const char *name, double lo, double hi, double step, int log)
{
    nni_hp_def *d;
    nn_status s;
    NEED_T("nn_tuner_add_float");
    if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi) || !(step >= 0.0) || (log && !(lo > 0.0)) || (log && step != 0.0 && !(step > 1.0)))
        return tfail(t, NN_ERR_INVALID_ARG, "float \"%s\": need finite lo <= hi, step >= 0, lo > 0 and step > 1 with log", name ? name : "");
    if ((s = new_def(t, name, NNI_HP_FLOAT, &d)) != NN_OK) return s;
    d->lo = lo;
    d->hi = hi;
    d->step = step;
    d->log = log != 0;
    t->n_defs++;
    return NN_OK;
}

nn_status nn_tuner_add_choice(nn_tuner *t, const char *name, const double *values, size_t n)
{
    nni_hp_def *d;
    nn_status s;
    double *v;
    NEED_T("nn_tuner_add_choice");
    if (!values || n == 0) return tfail(t, NN_ERR_INVALID_ARG, "choice \"%s\" needs values", name ? name : "");
    if ((s = new_def(t, name, NNI_HP_CHOICE, &d)) != NN_OK) return s;
    v = (double *)nni_alloc_array(&t->alloc, n, sizeof(double));
    if (!v) return tfail(t, NN_ERR_NOMEM, "out of memory");
    memcpy(v, values, n * sizeof(double));
    d->values = v;
    d->n_values = n;
    t->n_defs++;
    return NN_OK;
}

nn_status nn_tuner_add_choice_strings(nn_tuner *t, const char *name, const char *const *values, size_t n)
{
    nni_hp_def *d;
    nn_status s;
    char(*v)[NNI_HP_STR];
    size_t i;
    NEED_T("nn_tuner_add_choice_strings");
    if (!values || n == 0) return tfail(t, NN_ERR_INVALID_ARG, "choice \"%s\" needs values", name ? name : "");
    for (i = 0; i < n; i++)
        if (!values[i] || !values[i][0] || strlen(values[i]) >= NNI_HP_STR || strpbrk(values[i], ",\n\r\""))
            return tfail(t, NN_ERR_INVALID_ARG, "choice \"%s\": value %zu must be 1..%d characters without ',', '\"' or newlines", name ? name : "", i, NNI_HP_STR - 1);
    if ((s = new_def(t, name, NNI_HP_CHOICE, &d)) != NN_OK) return s;
    v = (char(*)[NNI_HP_STR])nni_alloc_array(&t->alloc, n, NNI_HP_STR);
    if (!v) return tfail(t, NN_ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) strcpy(v[i], values[i]);
    d->strs = v;
    d->n_values = n;
    t->n_defs++;
    return NN_OK;
}

nn_status nn_tuner_add_bool(nn_tuner *t, const char *name)
{
    nni_hp_def *d;
    nn_status s;
    NEED_T("nn_tuner_add_bool");
    if ((s = new_def(t, name, NNI_HP_BOOL, &d)) != NN_OK) return s;
    d->n_values = 2;
    t->n_defs++;
    return NN_OK;
}

static int parse_num(const char *s, size_t len, double *v, int *is_int)
{
    char buf[64], *end;
    size_t i;
    if (len == 0 || len >= sizeof buf) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(*v)) return 0;
    *is_int = 1;
    for (i = 0; i < len; i++)
        if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E') *is_int = 0;
    return 1;
}

/* One "name=..." item of nn_tuner_parse_space. */
static nn_status parse_item(nn_tuner *t, const char *it, size_t len)
{
    char name[NNI_HP_NAME];
    const char *eq = memchr(it, '=', len), *val, *end = it + len, *dots, *colon;
    size_t nlen;
    if (!eq) return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": expected name=values", (int)len, it);
    nlen = (size_t)(eq - it);
    if (nlen == 0 || nlen >= sizeof name) return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": bad name", (int)len, it);
    memcpy(name, it, nlen);
    name[nlen] = '\0';
    val = eq + 1;
    if ((size_t)(end - val) == 4 && !memcmp(val, "bool", 4)) return nn_tuner_add_bool(t, name);
    dots = NULL;
    {
        const char *p;
        for (p = val; p + 1 < end; p++)
            if (p[0] == '.' && p[1] == '.') { dots = p; break; }
    }
    if (dots) {
        double lo, hi, step = 0.0;
        int ilo, ihi, ist = 1, log = 0;
        const char *rend;
        colon = memchr(dots, ':', (size_t)(end - dots));
        rend = colon ? colon : end;
        if (!parse_num(val, (size_t)(dots - val), &lo, &ilo) || !parse_num(dots + 2, (size_t)(rend - dots - 2), &hi, &ihi))
            return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": expected lo..hi", (int)len, it);
        while (colon) {
            const char *opt = colon + 1, *next = memchr(opt, ':', (size_t)(end - opt)), *oend = next ? next : end;
            if ((size_t)(oend - opt) == 3 && !memcmp(opt, "log", 3)) log = 1;
            else if ((size_t)(oend - opt) > 5 && !memcmp(opt, "step=", 5)) {
                if (!parse_num(opt + 5, (size_t)(oend - opt - 5), &step, &ist))
                    return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": bad step", (int)len, it);
            } else return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": unknown option \"%.*s\" (log, step=S)", (int)len, it, (int)(oend - opt), opt);
            colon = next;
        }
        if (ilo && ihi && ist) return nn_tuner_add_int(t, name, (int64_t)lo, (int64_t)hi, (int64_t)step, log);
        return nn_tuner_add_float(t, name, lo, hi, step, log);
    } else {
        double vals[64];
        const char *strs[64];
        char sbuf[64][NNI_HP_STR];
        size_t n = 0;
        int numeric = 1, dummy;
        const char *p = val;
        while (p <= end) {
            const char *bar = memchr(p, '|', (size_t)(end - p)), *e = bar ? bar : end;
            size_t l = (size_t)(e - p);
            if (n == 64) return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": at most 64 choices", (int)len, it);
            if (l == 0 || l >= NNI_HP_STR) return tfail(t, NN_ERR_INVALID_ARG, "space item \"%.*s\": empty or long choice", (int)len, it);
            memcpy(sbuf[n], p, l);
            sbuf[n][l] = '\0';
            strs[n] = sbuf[n];
            if (!parse_num(p, l, &vals[n], &dummy)) numeric = 0;
            n++;
            if (!bar) break;
            p = bar + 1;
        }
        if (n == 2 && !numeric && ((!strcmp(strs[0], "false") && !strcmp(strs[1], "true")) || (!strcmp(strs[0], "true") && !strcmp(strs[1], "false"))))
            return nn_tuner_add_bool(t, name);
        return numeric ? nn_tuner_add_choice(t, name, vals, n) : nn_tuner_add_choice_strings(t, name, strs, n);
    }
}

nn_status nn_tuner_parse_space(nn_tuner *t, const char *spec)
{
    const char *p;
    NEED_T("nn_tuner_parse_space");
    if (!spec || !*spec) return tfail(t, NN_ERR_INVALID_ARG, "empty search space");
    p = spec;
    while (*p) {
        const char *c = strchr(p, ','), *e = c ? c : p + strlen(p);
        nn_status s;
        while (p < e && *p == ' ') p++;
        if (e > p && (s = parse_item(t, p, (size_t)(e - p))) != NN_OK) return s;
        if (!c) break;
        p = c + 1;
    }
    return NN_OK;
}

/* ---- search ------------------------------------------------------------- */

static nn_status grow_trials(nn_tuner *t, size_t need)
{
    nni_trial *nt;
    size_t cap;
    if (need <= t->cap_trials) return NN_OK;
    cap = t->cap_trials ? t->cap_trials : 16;
    while (cap < need) cap *= 2;
    nt = (nni_trial *)nni_alloc_array(&t->alloc, cap, sizeof *nt);
    if (!nt) return tfail(t, NN_ERR_NOMEM, "out of memory for %zu trials", cap);
    if (t->n_trials) memcpy(nt, t->trials, t->n_trials * sizeof *nt);
    nni_free(&t->alloc, t->trials);
    t->trials = nt;
    t->cap_trials = cap;
    return NN_OK;
}

static void init_hp(const nn_tuner *t, nn_hparams *hp, size_t id)
{
    memset(hp, 0, sizeof *hp);
    hp->defs = t->defs;
    hp->n = t->n_defs;
    hp->trial_id = id;
    hp->seed = nni_seed_mix(t->seed, id, 0, 0);
}

static int same_values(const nn_hparams *a, const nn_hparams *b)
{
    return memcmp(a->v, b->v, a->n * sizeof a->v[0]) == 0;
}

/* Append a trial with these values and budget; its id is its index. */
static nn_status add_trial(nn_tuner *t, const nn_hparams *vals, int budget)
{
    nn_status s = grow_trials(t, t->n_trials + 1);
    nni_trial *tr;
    if (s != NN_OK) return s;
    tr = &t->trials[t->n_trials];
    memset(tr, 0, sizeof *tr);
    init_hp(t, &tr->hp, t->n_trials);
    memcpy(tr->hp.v, vals->v, sizeof tr->hp.v);
    tr->epochs = budget;
    tr->score = NAN;
    t->n_trials++;
    return NN_OK;
}

/* A random configuration for trial id, distinct from the first `upto` trials'
   (marked by `only_round0` for Hyperband); 0 when the space seems exhausted. */
static int sample_distinct(const nn_tuner *t, size_t id, const unsigned char *pool, nn_hparams *out)
{
    nni_rng r;
    int attempt;
    nni_rng_seed(&r, nni_seed_mix(t->seed, id, 0x5EA5C4ull, 0));
    init_hp(t, out, id);
    for (attempt = 0; attempt < 100; attempt++) {
        size_t i, dup = 0;
        for (i = 0; i < t->n_defs; i++) out->v[i] = nni_hp_sample(&t->defs[i], &r);
        for (i = 0; i < t->n_trials && !dup; i++)
            if ((!pool || pool[i]) && same_values(&t->trials[i].hp, out)) dup = 1;
        if (!dup) return 1;
    }
    return 0;
}

typedef struct run_ctx {
    nn_tuner *t;
    size_t *todo;
    size_t n_todo, next;
#ifndef NN_NO_THREADS
    pthread_mutex_t mu;
#endif
    nn_status io_status;
} run_ctx;

static void write_row(nn_tuner *t, const nni_trial *tr)
{
    char v[96];
    size_t i;
    if (!t->out) return;
    fprintf(t->out, "%zu", tr->hp.trial_id);
    for (i = 0; i < t->n_defs; i++) {
        nni_hp_text(&t->defs[i], tr->hp.v[i], v, sizeof v);
        fprintf(t->out, ",%s", v);
    }
    if (isnan(tr->score)) fprintf(t->out, ",nan");
    else fprintf(t->out, ",%.17g", tr->score);
    fprintf(t->out, ",%d,%d,%.3f\n", tr->epochs, tr->best_epoch, tr->seconds);
    fflush(t->out);
}

static void hp_line(const nn_hparams *hp, char *buf, size_t cap)
{
    size_t i, pos = 0;
    buf[0] = '\0';
    for (i = 0; i < hp->n && pos < cap; i++) {
        char v[96];
        nni_hp_text(&hp->defs[i], hp->v[i], v, sizeof v);
        if (hp->defs[i].kind == NNI_HP_FLOAT) snprintf(v, sizeof v, "%.6g", hp->v[i]);
        else if (hp->defs[i].kind == NNI_HP_CHOICE && !hp->defs[i].strs) snprintf(v, sizeof v, "%.6g", hp->defs[i].values[(size_t)hp->v[i]]);
        pos += (size_t)snprintf(buf + pos, cap - pos, "%s%s=%s", i ? ", " : "", hp->defs[i].name, v);
    }
}

/* Train every (fold, execution) model of a trial; fills score, epochs, best_epoch. */
static void run_trial(nn_tuner *t, nni_trial *tr, char *why, size_t why_cap)
{
    size_t f;
    int e, count = 0, max_len = 0;
    double sum = 0.0, best_sum = 0.0, t0 = nni_now();
    why[0] = '\0';
    for (f = 0; f < t->n_fv; f++) {
        const nni_fold *fd = &t->fv[f];
        for (e = 0; e < t->executions; e++) {
            nn_model *m = t->build(&tr->hp, t->user);
            nn_status s;
            size_t len, k;
            double best = NAN;
            int best_k = 0;
            if (!m) {
                snprintf(why, why_cap, "build returned NULL");
                goto failed;
            }
            if (!m->compiled || m->in_dim != t->xd || nni_target_dim(m) != t->yd) {
                snprintf(why, why_cap, "build must return a compiled model taking %zu inputs and %zu targets per row", t->xd, t->yd);
                nn_model_free(m);
                goto failed;
            }
            nni_model_reseed(m, nni_seed_mix(t->seed, tr->hp.trial_id, (uint64_t)e, f));
            nn_model_set_validation_split(m, 0.0f);
            s = nn_model_set_validation_data(m, fd->nv ? fd->vx : NULL, fd->vy, fd->nv);
            if (s == NN_OK) s = nn_model_fit(m, fd->tx, fd->ty, fd->nt, tr->epochs, t->batch);
            len = nn_model_history_len(m);
            for (k = 0; k < len; k++) {
                double v = (double)nn_model_history(m, t->objective, k);
                if (isnan(v)) continue;
                if (isnan(best) || (t->maximize ? v > best : v < best)) {
                    best = v;
                    best_k = (int)k + 1;
                }
            }
            if (isnan(best)) {
                if (s != NN_OK) snprintf(why, why_cap, "fit failed: %s", nn_model_error(m));
                else snprintf(why, why_cap, "objective \"%s\" is not in the history", t->objective);
                nn_model_free(m);
                goto failed;
            }
            nn_model_free(m);
            sum += best;
            best_sum += best_k;
            if ((int)len > max_len) max_len = (int)len;
            count++;
        }
    }
    tr->score = sum / count;
    tr->best_epoch = (int)floor(best_sum / count + 0.5);
    tr->epochs = max_len;
    tr->failed = 0;
    tr->seconds = nni_now() - t0;
    return;
failed:
    tr->score = NAN;
    tr->failed = 1;
    tr->best_epoch = 0;
    tr->seconds = nni_now() - t0;
}

static void finish_trial(nn_tuner *t, nni_trial *tr, const char *why)
{
    tr->done = 1;
    write_row(t, tr);
    if (t->verbose) {
        char line[700];
        hp_line(&tr->hp, line, sizeof line);
        if (tr->failed) tlog(t, "Trial %zu failed (%s): %s\n", tr->hp.trial_id, why, line);
        else tlog(t, "Trial %zu: %s = %.6g after %d epochs (best epoch %d, %.1fs): %s\n", tr->hp.trial_id, t->objective,
                  tr->score, tr->epochs, tr->best_epoch, tr->seconds, line);
    }
}

static void *worker(void *arg)
{
    run_ctx *c = (run_ctx *)arg;
    nn_tuner *t = c->t;
    for (;;) {
        size_t idx;
        nni_trial tr;
        char why[600];
#ifndef NN_NO_THREADS
        pthread_mutex_lock(&c->mu);
#endif
        idx = c->next < c->n_todo ? c->todo[c->next++] : (size_t)-1;
        if (idx != (size_t)-1) tr = t->trials[idx];
#ifndef NN_NO_THREADS
        pthread_mutex_unlock(&c->mu);
#endif
        if (idx == (size_t)-1) break;
        run_trial(t, &tr, why, sizeof why);
#ifndef NN_NO_THREADS
        pthread_mutex_lock(&c->mu);
#endif
        t->trials[idx] = tr;
        finish_trial(t, &t->trials[idx], why);
#ifndef NN_NO_THREADS
        pthread_mutex_unlock(&c->mu);
#endif
    }
    return NULL;
}

/* Run the not yet finished trials among [from, to) that belong to this shard. */
static nn_status run_wave(nn_tuner *t, size_t from, size_t to)
{
    run_ctx c;
    size_t i, n = 0;
    int th;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.todo = (size_t *)nni_alloc_array(&t->alloc, to - from + 1, sizeof(size_t));
    if (!c.todo) return tfail(t, NN_ERR_NOMEM, "out of memory");
    for (i = from; i < to; i++)
        if (!t->trials[i].done && i % t->shard_n == t->shard_i) c.todo[n++] = i;
    c.n_todo = n;
    th = t->threads < (int)n ? t->threads : (int)n;
#ifndef NN_NO_THREADS
    if (th > 1) {
        pthread_t ids[64];
        int started = 0, k;
        if (th > 64) th = 64;
        pthread_mutex_init(&c.mu, NULL);
        for (k = 0; k < th; k++)
            if (pthread_create(&ids[k], NULL, worker, &c) == 0) started++;
            else break;
        if (started == 0) worker(&c);
        for (k = 0; k < started; k++) pthread_join(ids[k], NULL);
        pthread_mutex_destroy(&c.mu);
    } else {
        pthread_mutex_init(&c.mu, NULL);
        worker(&c);
        pthread_mutex_destroy(&c.mu);
    }
#else
    (void)th;
    worker(&c);
#endif
    nni_free(&t->alloc, c.todo);
    return NN_OK;
}

static nn_status add_fold(nn_tuner *t, const size_t *fold_of, size_t f)
{
    nni_fold *fd = &t->fv[t->n_fv];
    size_t i, nt = 0, nv = 0;
    for (i = 0; i < t->n; i++) {
        if (fold_of[i] == f) nv++;
        else nt++;
    }
    fd->tx = (float *)nni_alloc_array(&t->alloc, nt * t->xd, sizeof(float));
    fd->ty = (float *)nni_alloc_array(&t->alloc, nt * t->yd, sizeof(float));
    fd->vx = (float *)nni_alloc_array(&t->alloc, nv * t->xd, sizeof(float));
    fd->vy = (float *)nni_alloc_array(&t->alloc, nv * t->yd, sizeof(float));
    t->n_fv++;
    if (!fd->tx || !fd->ty || !fd->vx || !fd->vy) return tfail(t, NN_ERR_NOMEM, "out of memory for the folds");
    for (i = 0; i < t->n; i++) {
        size_t *c = fold_of[i] == f ? &fd->nv : &fd->nt;
        float *dx = fold_of[i] == f ? fd->vx : fd->tx, *dy = fold_of[i] == f ? fd->vy : fd->ty;
        memcpy(dx + *c * t->xd, t->x + i * t->xd, t->xd * sizeof(float));
        memcpy(dy + *c * t->yd, t->y + i * t->yd, t->yd * sizeof(float));
        (*c)++;
    }
    return NN_OK;
}

/* Copy a block of rows into a new fold (train part, validation part). */
static nn_status add_plain_fold(nn_tuner *t, const float *tx, const float *ty, size_t nt, const float *vx,
                                const float *vy, size_t nv)
{
    nni_fold *fd = &t->fv[t->n_fv++];
    fd->tx = (float *)nni_alloc_array(&t->alloc, nt * t->xd, sizeof(float));
    fd->ty = (float *)nni_alloc_array(&t->alloc, nt * t->yd, sizeof(float));
    if (nv) {
        fd->vx = (float *)nni_alloc_array(&t->alloc, nv * t->xd, sizeof(float));
        fd->vy = (float *)nni_alloc_array(&t->alloc, nv * t->yd, sizeof(float));
    }
    if (!fd->tx || !fd->ty || (nv && (!fd->vx || !fd->vy))) return tfail(t, NN_ERR_NOMEM, "out of memory for the evaluation rows");
    memcpy(fd->tx, tx, nt * t->xd * sizeof(float));
    memcpy(fd->ty, ty, nt * t->yd * sizeof(float));
    if (nv) {
        memcpy(fd->vx, vx, nv * t->xd * sizeof(float));
        memcpy(fd->vy, vy, nv * t->yd * sizeof(float));
    }
    fd->nt = nt;
    fd->nv = nv;
    return NN_OK;
}

static nn_status prepare(nn_tuner *t, const float *x, const float *y, size_t n)
{
    nn_hparams hp;
    nn_model *m;
    size_t i;
    nn_status s;
    /* learn the row widths from a model built with the first value of everything */
    init_hp(t, &hp, 0);
    for (i = 0; i < t->n_defs; i++) {
        double v[1];
        if (nni_hp_grid_values(&t->defs[i], v, 1) == 0) v[0] = t->defs[i].lo;
        hp.v[i] = v[0];
    }
    m = t->build(&hp, t->user);
    if (!m) return tfail(t, NN_ERR_INVALID_ARG, "nn_tuner_search: the build function returned NULL for the first values");
    if (!m->compiled) {
        nn_model_free(m);
        return tfail(t, NN_ERR_STATE, "nn_tuner_search: the build function must return a compiled model");
    }
    t->xd = m->in_dim;
    t->yd = nni_target_dim(m);
    nn_model_free(m);
    if (t->vx && (t->vxd != t->xd || t->vyd != t->yd))
        return tfail(t, NN_ERR_SHAPE, "validation data has %zu+%zu columns, the models need %zu+%zu", t->vxd, t->vyd, t->xd, t->yd);
    nni_free(&t->alloc, t->x);
    nni_free(&t->alloc, t->y);
    free_folds(t);
    t->x = (float *)nni_alloc_array(&t->alloc, n * t->xd, sizeof(float));
    t->y = (float *)nni_alloc_array(&t->alloc, n * t->yd, sizeof(float));
    if (!t->x || !t->y) return tfail(t, NN_ERR_NOMEM, "out of memory copying %zu rows", n);
    memcpy(t->x, x, n * t->xd * sizeof(float));
    memcpy(t->y, y, n * t->yd * sizeof(float));
    t->n = n;
    t->fv = (nni_fold *)nni_alloc_array(&t->alloc, t->folds >= 2 ? (size_t)t->folds : 1, sizeof(nni_fold));
    if (!t->fv) return tfail(t, NN_ERR_NOMEM, "out of memory");
    if (t->folds >= 2) {
        size_t k = (size_t)t->folds, f;
        size_t *perm, *scratch, *fold_of;
        int *labels = NULL;
        if (n < k) return tfail(t, NN_ERR_INVALID_ARG, "%zu rows cannot make %zu folds", n, k);
        perm = (size_t *)nni_alloc_array(&t->alloc, n, sizeof(size_t));
        scratch = (size_t *)nni_alloc_array(&t->alloc, n, sizeof(size_t));
        fold_of = (size_t *)nni_alloc_array(&t->alloc, n, sizeof(size_t));
        if (t->stratify) labels = (int *)nni_alloc_array(&t->alloc, n, sizeof(int));
        s = (!perm || !scratch || !fold_of || (t->stratify && !labels)) ? tfail(t, NN_ERR_NOMEM, "out of memory") : NN_OK;
        if (s == NN_OK && labels)
            for (i = 0; i < n; i++) {
                const float *r = t->y + i * t->yd;
                size_t j, b = 0;
                if (t->yd == 1) labels[i] = (int)floor((double)r[0] + 0.5);
                else {
                    for (j = 1; j < t->yd; j++)
                        if (r[j] > r[b]) b = j;
                    labels[i] = (int)b;
                }
            }
        if (s == NN_OK) nni_kfold_assign(n, k, nni_seed_mix(t->seed, 0xF01D5ull, 0, 0), labels, perm, scratch, fold_of);
        for (f = 0; s == NN_OK && f < k; f++) s = add_fold(t, fold_of, f);
        nni_free(&t->alloc, perm);
        nni_free(&t->alloc, scratch);
        nni_free(&t->alloc, fold_of);
        nni_free(&t->alloc, labels);
        if (s != NN_OK) return s;
    } else if (t->vx) {
        if ((s = add_plain_fold(t, t->x, t->y, n, t->vx, t->vy, t->vn)) != NN_OK) return s;
    } else if (t->val_split > 0.0f) {
        /* Keras: the last fraction of the rows */
        size_t nt = (size_t)floor((double)n * (1.0 - (double)t->val_split) + 1e-9);
        if (nt == 0 || nt == n) return tfail(t, NN_ERR_INVALID_ARG, "validation split %g of %zu rows leaves an empty part", (double)t->val_split, n);
        if ((s = add_plain_fold(t, t->x, t->y, nt, t->x + nt * t->xd, t->y + nt * t->yd, n - nt)) != NN_OK) return s;
    } else {
        if (!strncmp(t->objective, "val_", 4))
            return tfail(t, NN_ERR_INVALID_ARG, "objective \"%s\" needs validation: set folds, validation data or a validation split", t->objective);
        if ((s = add_plain_fold(t, t->x, t->y, n, NULL, NULL, 0)) != NN_OK) return s;
    }
    return NN_OK;
}

/* ---- results files ------------------------------------------------------ */

static void header_text(const nn_tuner *t, char *buf, size_t cap)
{
    size_t i, pos = (size_t)snprintf(buf, cap, "trial");
    for (i = 0; i < t->n_defs && pos < cap; i++) pos += (size_t)snprintf(buf + pos, cap - pos, ",%s", t->defs[i].name);
    if (pos < cap) snprintf(buf + pos, cap - pos, ",score,epochs,best_epoch,seconds");
}

/* Whole file as a NUL-terminated string (NULL when absent/unreadable). */
static char *slurp(const nn_allocator *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) return NULL;
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 8192;
            char *nb = (char *)nni_alloc(a, nc);
            if (!nb) {
                nni_free(a, buf);
                fclose(f);
                return NULL;
            }
            if (n) memcpy(nb, buf, n);
            nni_free(a, buf);
            buf = nb;
            cap = nc;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Read back finished trials from an earlier (killed) run of the same search. */
static nn_status resume_from(nn_tuner *t, const char *text, size_t *n_read)
{
    char header[4096];
    const char *p = text, *nl;
    size_t hl;
    *n_read = 0;
    header_text(t, header, sizeof header);
    hl = strlen(header);
    nl = strchr(p, '\n');
    if (!nl) return NN_OK; /* empty or partial header: start over */
    if ((size_t)(nl - p) != hl || memcmp(p, header, hl) != 0)
        return tfail(t, NN_ERR_FORMAT, "results file %s has columns \"%.*s\", this search writes \"%s\"", t->results_path,
                     (int)(nl - p), p, header);
    p = nl + 1;
    while ((nl = strchr(p, '\n')) != NULL) {
        char line[4096], *f[NNI_MAX_HP + 6], *q;
        size_t len = (size_t)(nl - p), nf = 0, id, i;
        if (len >= sizeof line) return tfail(t, NN_ERR_FORMAT, "results file %s: line too long", t->results_path);
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl + 1;
        if (len == 0) continue;
        q = line;
        f[nf++] = q;
        while ((q = strchr(q, ',')) != NULL && nf < NNI_MAX_HP + 6) {
            *q++ = '\0';
            f[nf++] = q;
        }
        if (nf != t->n_defs + 5) return tfail(t, NN_ERR_FORMAT, "results file %s: a row has %zu fields, expected %zu", t->results_path, nf, t->n_defs + 5);
        id = (size_t)strtoull(f[0], NULL, 10);
        if (id >= t->n_trials) continue; /* not (yet) generated: Hyperband later rounds */
        for (i = 0; i < t->n_defs; i++) {
            char v[96];
            nni_hp_text(&t->defs[i], t->trials[id].hp.v[i], v, sizeof v);
            if (strcmp(v, f[1 + i]))
                return tfail(t, NN_ERR_FORMAT, "results file %s: trial %zu has %s=%s but this search gives %s (another seed or space?)",
                             t->results_path, id, t->defs[i].name, f[1 + i], v);
        }
        if (t->trials[id].done) continue;
        t->trials[id].score = strtod(f[1 + t->n_defs], NULL);
        t->trials[id].failed = isnan(t->trials[id].score);
        t->trials[id].epochs = atoi(f[2 + t->n_defs]);
        t->trials[id].best_epoch = atoi(f[3 + t->n_defs]);
        t->trials[id].seconds = strtod(f[4 + t->n_defs], NULL);
        t->trials[id].done = 1;
        (*n_read)++;
    }
    return NN_OK;
}

/* (Re)write the results file with the finished trials, then keep it open for appending. */
static nn_status open_results(nn_tuner *t)
{
    char header[4096], tmp[4200];
    size_t i;
    FILE *f;
    header_text(t, header, sizeof header);
    snprintf(tmp, sizeof tmp, "%s.tmp", t->results_path);
    f = fopen(tmp, "w");
    if (!f) return tfail(t, NN_ERR_IO, "cannot write %s", tmp);
    fprintf(f, "%s\n", header);
    t->out = f;
    for (i = 0; i < t->n_trials; i++)
        if (t->trials[i].done) write_row(t, &t->trials[i]);
    t->out = NULL;
    if (fclose(f) != 0 || rename(tmp, t->results_path) != 0) {
        remove(tmp);
        return tfail(t, NN_ERR_IO, "cannot write %s", t->results_path);
    }
    t->out = fopen(t->results_path, "a");
    if (!t->out) return tfail(t, NN_ERR_IO, "cannot append to %s", t->results_path);
    return NN_OK;
}

/* Resume (once all trials of the current wave exist) and run the wave. */
static nn_status resume_and_run(nn_tuner *t, const char *text, size_t from, size_t to)
{
    nn_status s;
    size_t got = 0;
    if (text && (s = resume_from(t, text, &got)) != NN_OK) return s;
    if (t->results_path && !t->out && (s = open_results(t)) != NN_OK) return s;
    if (got && t->verbose) tlog(t, "Resumed %zu finished trials from %s\n", got, t->results_path);
    return run_wave(t, from, to);
}

static int better(const nn_tuner *t, const nni_trial *a, const nni_trial *b)
{
    if (a->failed || !a->done) return 0;
    if (b->failed || !b->done) return 1;
    return t->maximize ? a->score > b->score : a->score < b->score;
}

static nn_status search_grid(nn_tuner *t, const char *text, int epochs)
{
    size_t counts[NNI_MAX_HP] = { 0 }, total = 1, i, k;
    nn_status s;
    for (i = 0; i < t->n_defs; i++) {
        counts[i] = nni_hp_grid_count(&t->defs[i]);
        if (counts[i] == 0) return tfail(t, NN_ERR_INVALID_ARG, "grid search: float \"%s\" has no step", t->defs[i].name);
        if (total > (size_t)(((uint64_t)1 << 40) < (uint64_t)(size_t)-1 ? ((uint64_t)1 << 40) : (uint64_t)(size_t)-1) / counts[i]) return tfail(t, NN_ERR_INVALID_ARG, "grid search: too many combinations");
        total *= counts[i];
    }
    if (t->max_trials_set && total > t->max_trials) total = t->max_trials;
    if ((s = grow_trials(t, total)) != NN_OK) return s;
    for (k = 0; k < total; k++) {
        nn_hparams hp;
        size_t rest = k;
        init_hp(t, &hp, k);
        for (i = t->n_defs; i-- > 0;) { /* last varies fastest */
            double vals[1];
            size_t idx = rest % counts[i];
            double *all = (double *)nni_alloc_array(&t->alloc, counts[i], sizeof(double));
            rest /= counts[i];
            if (!all) return tfail(t, NN_ERR_NOMEM, "out of memory");
            nni_hp_grid_values(&t->defs[i], all, counts[i]);
            vals[0] = all[idx];
            nni_free(&t->alloc, all);
            hp.v[i] = vals[0];
        }
        if ((s = add_trial(t, &hp, epochs)) != NN_OK) return s;
    }
    return resume_and_run(t, text, 0, t->n_trials);
}

static nn_status search_random(nn_tuner *t, const char *text, int epochs)
{
    size_t k;
    nn_status s;
    for (k = 0; k < t->max_trials; k++) {
        nn_hparams hp;
        if (!sample_distinct(t, k, NULL, &hp)) break;
        if ((s = add_trial(t, &hp, epochs)) != NN_OK) return s;
    }
    return resume_and_run(t, text, 0, t->n_trials);
}

static nn_status search_hyperband(nn_tuner *t, const char *text, int epochs)
{
    int max_e = t->hb_max_epochs ? t->hb_max_epochs : epochs, f = t->hb_factor, it, b, r;
    int s_max = nni_hb_brackets(max_e, f) - 1;
    unsigned char *round0 = NULL;
    size_t *prev = NULL, n_prev = 0, cap = 0;
    nn_status s = NN_OK;
    if (t->shard_n > 1) return tfail(t, NN_ERR_UNSUPPORTED, "Hyperband cannot be sharded: each round needs every score of the one before");
    for (it = 0; it < t->hb_iterations && s == NN_OK; it++)
        for (b = s_max; b >= 0 && s == NN_OK; b--) {
            n_prev = 0;
            for (r = 0; r <= b && s == NN_OK; r++) {
                size_t size = (size_t)nni_hb_size(max_e, f, b, r), from = t->n_trials, k;
                int ep = nni_hb_epochs(max_e, f, b, r);
                if (cap < t->n_trials + size + 1) {
                    size_t nc = (t->n_trials + size + 1) * 2;
                    unsigned char *n0 = (unsigned char *)nni_alloc(&t->alloc, nc);
                    size_t *np = (size_t *)nni_alloc_array(&t->alloc, nc, sizeof(size_t));
                    if (!n0 || !np) {
                        nni_free(&t->alloc, n0);
                        nni_free(&t->alloc, np);
                        s = tfail(t, NN_ERR_NOMEM, "out of memory");
                        break;
                    }
                    if (round0) memcpy(n0, round0, t->n_trials);
                    if (n_prev) memcpy(np, prev, n_prev * sizeof(size_t));
                    nni_free(&t->alloc, round0);
                    nni_free(&t->alloc, prev);
                    round0 = n0;
                    prev = np;
                    cap = nc;
                }
                if (r == 0) {
                    for (k = 0; k < size && s == NN_OK; k++) {
                        nn_hparams hp;
                        if (!sample_distinct(t, t->n_trials, round0, &hp)) break;
                        round0[t->n_trials] = 1;
                        s = add_trial(t, &hp, ep);
                    }
                } else {
                    /* the best `size` of the previous round continue (stable: ties by id) */
                    size_t i, j;
                    for (i = 1; i < n_prev; i++) {
                        size_t v = prev[i];
                        j = i;
                        while (j > 0 && better(t, &t->trials[v], &t->trials[prev[j - 1]])) {
                            prev[j] = prev[j - 1];
                            j--;
                        }
                        prev[j] = v;
                    }
                    for (k = 0; k < size && k < n_prev && s == NN_OK; k++) {
                        if (t->trials[prev[k]].failed) break;
                        round0[t->n_trials] = 0;
                        s = add_trial(t, &t->trials[prev[k]].hp, ep);
                    }
                }
                if (s != NN_OK) break;
                n_prev = 0;
                for (k = from; k < t->n_trials; k++) prev[n_prev++] = k;
                if (n_prev == 0) break;
                s = resume_and_run(t, text, from, t->n_trials);
            }
        }
    nni_free(&t->alloc, round0);
    nni_free(&t->alloc, prev);
    return s;
}

nn_status nn_tuner_search(nn_tuner *t, const float *x, const float *y, size_t n, int epochs, int batch_size)
{
    nn_status s;
    char *text = NULL;
    size_t len = 0;
    NEED_T("nn_tuner_search");
    if (!x || !y || n == 0) return tfail(t, NN_ERR_INVALID_ARG, "nn_tuner_search: x, y and n > 0 are needed");
    if (epochs <= 0 || batch_size <= 0) return tfail(t, NN_ERR_INVALID_ARG, "nn_tuner_search: epochs and batch_size must be > 0");
    t->err[0] = '\0';
    t->n_trials = 0;
    t->epochs = epochs;
    t->batch = batch_size;
    if ((s = prepare(t, x, y, n)) != NN_OK) return s;
    if (t->results_path) text = slurp(&t->alloc, t->results_path, &len);
    switch (t->strategy) {
    case NN_SEARCH_GRID: s = search_grid(t, text, epochs); break;
    case NN_SEARCH_HYPERBAND: s = search_hyperband(t, text, epochs); break;
    default: s = search_random(t, text, epochs); break;
    }
    nni_free(&t->alloc, text);
    if (t->out) {
        if (fclose(t->out) != 0 && s == NN_OK) s = tfail(t, NN_ERR_IO, "cannot write %s", t->results_path);
        t->out = NULL;
    }
    if (s == NN_OK && t->verbose) {
        size_t b = nn_tuner_best_trial(t);
        if (b != (size_t)-1) tlog(t, "Best %s so far: %.6g (trial %zu)\n", t->objective, nn_tuner_trial_score(t, b), nn_tuner_trial_id(t, b));
    }
    return s;
}

static double numeric_value(const nn_hparams *hp, int i);

/* ---- results ------------------------------------------------------------ */

static const nni_trial *done_at(const nn_tuner *t, size_t i)
{
    size_t k, c = 0;
    if (!t) return NULL;
    for (k = 0; k < t->n_trials; k++)
        if (t->trials[k].done && c++ == i) return &t->trials[k];
    return NULL;
}

size_t nn_tuner_trial_count(const nn_tuner *t)
{
    size_t k, c = 0;
    if (!t) return 0;
    for (k = 0; k < t->n_trials; k++) c += t->trials[k].done != 0;
    return c;
}

size_t nn_tuner_trial_id(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? tr->hp.trial_id : (size_t)-1;
}

const nn_hparams *nn_tuner_trial_hparams(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? &tr->hp : NULL;
}

double nn_tuner_trial_score(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? tr->score : NAN;
}

int nn_tuner_trial_epochs(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? tr->epochs : 0;
}

int nn_tuner_trial_best_epoch(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? tr->best_epoch : 0;
}

double nn_tuner_trial_seconds(const nn_tuner *t, size_t i)
{
    const nni_trial *tr = done_at(t, i);
    return tr ? tr->seconds : NAN;
}

size_t nn_tuner_best_trial(const nn_tuner *t)
{
    size_t k, c = 0, best = (size_t)-1, best_k = 0;
    if (!t) return best;
    for (k = 0; k < t->n_trials; k++) {
        if (!t->trials[k].done) continue;
        if (!t->trials[k].failed && (best == (size_t)-1 || better(t, &t->trials[k], &t->trials[best_k]))) {
            best = c;
            best_k = k;
        }
        c++;
    }
    return best;
}

const nn_hparams *nn_tuner_best_hparams(const nn_tuner *t)
{
    size_t b = nn_tuner_best_trial(t);
    return b == (size_t)-1 ? NULL : nn_tuner_trial_hparams(t, b);
}

nn_model *nn_tuner_best_model(nn_tuner *t)
{
    size_t b = nn_tuner_best_trial(t);
    const nni_trial *tr;
    nn_model *m;
    nn_status s;
    int epochs;
    if (!t) return (nn_model *)nni_set_last_error("nn_tuner_best_model: tuner is NULL");
    if (b == (size_t)-1 || !t->x) {
        tfail(t, NN_ERR_STATE, "nn_tuner_best_model: no successful trial (run nn_tuner_search first)");
        return NULL;
    }
    tr = done_at(t, b);
    if (!tr) return NULL; /* cannot happen (b is a finished trial); stated for -fanalyzer */
    m = t->build(&tr->hp, t->user);
    if (!m) {
        tfail(t, NN_ERR_INVALID_ARG, "nn_tuner_best_model: the build function returned NULL");
        return NULL;
    }
    nni_model_reseed(m, tr->hp.seed);
    epochs = tr->best_epoch > 0 ? tr->best_epoch : tr->epochs;
    nn_model_set_validation_split(m, 0.0f);
    nn_model_set_validation_data(m, NULL, NULL, 0);
    s = nn_model_fit(m, t->x, t->y, t->n, epochs > 0 ? epochs : 1, t->batch);
    if (s != NN_OK) {
        tfail(t, s, "nn_tuner_best_model: training on all rows failed: %s", nn_model_error(m));
        nn_model_free(m);
        return NULL;
    }
    return m;
}

nn_status nn_tuner_results_table(const nn_tuner *t, char *buf, size_t cap, size_t *needed)
{
    size_t pos = 0, i, k, w[NNI_MAX_HP], nt;
    char v[96];
#define PUT(...)                                                                  \
    do {                                                                          \
        int n_ = snprintf(buf && pos < cap ? buf + pos : NULL, buf && pos < cap ? cap - pos : 0, __VA_ARGS__); \
        if (n_ > 0) pos += (size_t)n_;                                            \
    } while (0)
    if (!t || (!buf && cap) || !needed) return NN_ERR_INVALID_ARG;
    nt = nn_tuner_trial_count(t);
    for (i = 0; i < t->n_defs; i++) {
        w[i] = strlen(t->defs[i].name);
        for (k = 0; k < nt; k++) {
            const nn_hparams *hp = nn_tuner_trial_hparams(t, k);
            size_t l;
            if (!hp) continue; /* k < nt: never NULL; stated for -fanalyzer */
            nni_hp_text(&t->defs[i], hp->v[i], v, sizeof v);
            if (t->defs[i].kind == NNI_HP_FLOAT || (t->defs[i].kind == NNI_HP_CHOICE && !t->defs[i].strs))
                snprintf(v, sizeof v, "%.4g", numeric_value(hp, (int)i));
            l = strlen(v);
            if (l > w[i]) w[i] = l;
        }
    }
    PUT("%-6s", "trial");
    for (i = 0; i < t->n_defs; i++) PUT("  %-*s", (int)w[i], t->defs[i].name);
    PUT("  %-12s  %6s  %4s  %8s\n", t->objective, "epochs", "best", "time");
    for (k = 0; k < nt; k++) {
        const nn_hparams *hp = nn_tuner_trial_hparams(t, k);
        if (!hp) continue; /* k < nt: never NULL; stated for -fanalyzer */
        PUT("%-6zu", nn_tuner_trial_id(t, k));
        for (i = 0; i < t->n_defs; i++) {
            nni_hp_text(&t->defs[i], hp->v[i], v, sizeof v);
            if (t->defs[i].kind == NNI_HP_FLOAT || (t->defs[i].kind == NNI_HP_CHOICE && !t->defs[i].strs))
                snprintf(v, sizeof v, "%.4g", numeric_value(hp, (int)i));
            PUT("  %-*s", (int)w[i], v);
        }
        if (isnan(nn_tuner_trial_score(t, k))) PUT("  %-12s", "failed");
        else PUT("  %-12.6g", nn_tuner_trial_score(t, k));
        PUT("  %6d  %4d  %7.2fs\n", nn_tuner_trial_epochs(t, k), nn_tuner_trial_best_epoch(t, k), nn_tuner_trial_seconds(t, k));
    }
    {
        size_t b = nn_tuner_best_trial(t);
        if (b != (size_t)-1) {
            char line[700];
            hp_line(nn_tuner_trial_hparams(t, b), line, sizeof line);
            PUT("Best: trial %zu, %s %.6g: %s\n", nn_tuner_trial_id(t, b), t->objective, nn_tuner_trial_score(t, b), line);
        }
    }
#undef PUT
    *needed = pos + 1;
    if (buf && cap && pos >= cap) buf[cap - 1] = '\0';
    return NN_OK;
}

nn_status nn_tuner_print_results(nn_tuner *t)
{
    size_t need = 0;
    char *buf;
    NEED_T("nn_tuner_print_results");
    nn_tuner_results_table(t, NULL, 0, &need);
    buf = (char *)nni_alloc(&t->alloc, need);
    if (!buf) return tfail(t, NN_ERR_NOMEM, "out of memory");
    nn_tuner_results_table(t, buf, need, &need);
    {
        /* one line at a time through the sink */
        char *p = buf;
        while (*p) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = '\0';
            tlog(t, "%s\n", p);
            if (!nl) break;
            p = nl + 1;
        }
    }
    nni_free(&t->alloc, buf);
    return NN_OK;
}

/* ---- merging shard files ------------------------------------------------ */

typedef struct row_ref { size_t id; const char *s; size_t len; } row_ref;

static int row_cmp(const void *a, const void *b)
{
    const row_ref *x = (const row_ref *)a, *y = (const row_ref *)b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->s < y->s ? -1 : (x->s > y->s);
}

nn_status nn_tuner_merge_results(const char *const *paths, size_t n_paths, const char *out)
{
    nn_allocator a = nni_default_allocator();
    char **texts;
    row_ref *rows = NULL;
    size_t i, n_rows = 0, cap = 0, hl = 0;
    const char *header = NULL;
    nn_status s = NN_OK;
    FILE *f;
    char tmp[4200];
    if (!paths || n_paths == 0 || !out) {
        nni_set_last_error("nn_tuner_merge_results: paths and out are needed");
        return NN_ERR_INVALID_ARG;
    }
    texts = (char **)nni_alloc_array(&a, n_paths, sizeof(char *));
    if (!texts) return NN_ERR_NOMEM;
    for (i = 0; i < n_paths && s == NN_OK; i++) {
        size_t len;
        const char *p, *nl;
        texts[i] = paths[i] ? slurp(&a, paths[i], &len) : NULL;
        if (!texts[i]) {
            nni_set_last_error("nn_tuner_merge_results: cannot read %s", paths[i] ? paths[i] : "(null)");
            s = NN_ERR_IO;
            break;
        }
        nl = strchr(texts[i], '\n');
        if (!nl) {
            nni_set_last_error("nn_tuner_merge_results: %s has no header", paths[i]);
            s = NN_ERR_FORMAT;
            break;
        }
        if (!header) {
            header = texts[i];
            hl = (size_t)(nl - texts[i]);
        } else if ((size_t)(nl - texts[i]) != hl || memcmp(header, texts[i], hl)) {
            nni_set_last_error("nn_tuner_merge_results: %s has other columns than %s", paths[i], paths[0]);
            s = NN_ERR_FORMAT;
            break;
        }
        for (p = nl + 1; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
            if (nl == p) continue;
            if (n_rows == cap) {
                size_t nc = cap ? cap * 2 : 64;
                row_ref *nr = (row_ref *)nni_alloc_array(&a, nc, sizeof *nr);
                if (!nr) {
                    s = NN_ERR_NOMEM;
                    break;
                }
                if (n_rows) memcpy(nr, rows, n_rows * sizeof *nr);
                nni_free(&a, rows);
                rows = nr;
                cap = nc;
            }
            rows[n_rows].id = (size_t)strtoull(p, NULL, 10);
            rows[n_rows].s = p;
            rows[n_rows].len = (size_t)(nl - p);
            n_rows++;
        }
    }
    if (s == NN_OK) {
        if (n_rows) qsort(rows, n_rows, sizeof *rows, row_cmp); /* rows is NULL when empty */
        snprintf(tmp, sizeof tmp, "%s.tmp", out);
        f = fopen(tmp, "w");
        if (!f) {
            nni_set_last_error("nn_tuner_merge_results: cannot write %s", tmp);
            s = NN_ERR_IO;
        } else {
            fprintf(f, "%.*s\n", (int)hl, header);
            for (i = 0; i < n_rows; i++)
                if (i == 0 || rows[i].id != rows[i - 1].id) fprintf(f, "%.*s\n", (int)rows[i].len, rows[i].s);
            if (fclose(f) != 0 || rename(tmp, out) != 0) {
                remove(tmp);
                nni_set_last_error("nn_tuner_merge_results: cannot write %s", out);
                s = NN_ERR_IO;
            }
        }
    }
    for (i = 0; i < n_paths; i++) nni_free(&a, texts[i]);
    nni_free(&a, texts);
    nni_free(&a, rows);
    return s;
}

/* ---- hyper-parameter values -------------------------------------------- */

static int find_hp(const nn_hparams *hp, const char *name)
{
    size_t i;
    if (!hp || !name) return -1;
    for (i = 0; i < hp->n; i++)
        if (!strcmp(hp->defs[i].name, name)) return (int)i;
    return -1;
}

static double numeric_value(const nn_hparams *hp, int i)
{
    const nni_hp_def *d = &hp->defs[i];
    if (d->kind == NNI_HP_CHOICE) return d->values ? d->values[(size_t)hp->v[i]] : hp->v[i];
    return hp->v[i];
}

int64_t nn_hparams_int(const nn_hparams *hp, const char *name)
{
    int i = find_hp(hp, name);
    return i < 0 ? 0 : (int64_t)floor(numeric_value(hp, i) + 0.5);
}

double nn_hparams_float(const nn_hparams *hp, const char *name)
{
    int i = find_hp(hp, name);
    return i < 0 ? NAN : numeric_value(hp, i);
}

int nn_hparams_bool(const nn_hparams *hp, const char *name)
{
    int i = find_hp(hp, name);
    return i < 0 ? 0 : numeric_value(hp, i) != 0.0;
}

size_t nn_hparams_choice(const nn_hparams *hp, const char *name)
{
    int i = find_hp(hp, name);
    return i < 0 ? 0 : (size_t)hp->v[i];
}

const char *nn_hparams_string(const nn_hparams *hp, const char *name)
{
    int i = find_hp(hp, name);
    if (i < 0 || hp->defs[i].kind != NNI_HP_CHOICE || !hp->defs[i].strs) return NULL;
    return hp->defs[i].strs[(size_t)hp->v[i]];
}

size_t nn_hparams_count(const nn_hparams *hp) { return hp ? hp->n : 0; }
const char *nn_hparams_name(const nn_hparams *hp, size_t i) { return hp && i < hp->n ? hp->defs[i].name : NULL; }

nn_status nn_hparams_value_text(const nn_hparams *hp, size_t i, char *buf, size_t cap)
{
    if (!hp || i >= hp->n || !buf || cap == 0) return NN_ERR_INVALID_ARG;
    nni_hp_text(&hp->defs[i], hp->v[i], buf, cap);
    return NN_OK;
}

size_t nn_hparams_trial_id(const nn_hparams *hp) { return hp ? hp->trial_id : 0; }
uint64_t nn_hparams_seed(const nn_hparams *hp) { return hp ? hp->seed : 0; }
