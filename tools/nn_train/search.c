/* nn-train search / search-merge: hyper-parameter search over a CSV file with nn_tuner.

     nn-train search DATA.csv --space SPACE [options]
     nn-train search-merge OUT.csv SHARD.csv...

   The build function maps well-known hyper-parameter names onto a Sequential model (see
   SEARCH_USAGE and docs/search.md). Bad arguments give one line on stderr and exit code 2. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "nn.h"
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SEARCH_USAGE =
    "usage: nn-train search DATA.csv --space SPACE [options]\n"
    "       nn-train search-merge OUT.csv SHARD.csv...\n"
    "\n"
    "Hyper-parameter search (nn_tuner) on a numeric CSV file with a header row.\n"
    "\n"
    "SPACE: comma-separated NAME=lo..hi[:log][:step=S] (integer when both ends are integers),\n"
    "NAME=a|b|c or NAME=bool. Names understood (defaults when not searched in brackets):\n"
    "  layers      hidden Dense layers (2)           units       units per hidden layer (64)\n"
    "  activation  hidden activation, e.g. relu|tanh (relu)\n"
    "  dropout     Dropout rate after each hidden layer, 0 = none (0)\n"
    "  batch_norm  bool: BatchNormalization after each hidden Dense (false)\n"
    "  lr          learning rate (the optimizer's default or --optimizer NAME:LR)\n"
    "  optimizer   sgd|adam|adamw|rmsprop|adagrad (--optimizer, default adam)\n"
    "The model is layers x [Dense(units, activation), BatchNorm?, Dropout?] and an output layer\n"
    "from the loss: Dense(1) for mse/mae/huber, Dense(1, sigmoid) for binary_crossentropy,\n"
    "Dense(classes, softmax) for sparse_categorical_crossentropy. With --layers SPEC (the\n"
    "nn-train syntax, output layer included) the architecture is SPEC instead, where a UNITS of\n"
    "'units', an ACTIVATION of 'act' and a bare 'dropout' take the searched values; 'layers' is\n"
    "then not allowed in SPACE.\n"
    "\n"
    "options:\n"
    "  --target NAME|INDEX    target column (default: the last)\n"
    "  --ignore A,B,...       columns to skip unread (ids, text); saved models do not need them\n"
    "  --space SPACE          the search space (required)\n"
    "  --strategy random|grid|hyperband   (default random)\n"
    "  --trials N             random: trials; grid: an upper bound (default 10)\n"
    "  --folds K              K-fold cross-validation (K >= 2; default: --val)\n"
    "  --stratify             stratified folds (classification)\n"
    "  --val FRACTION         validation split, the LAST rows (default 0.2, used without --folds)\n"
    "  --epochs N             epochs per trial; hyperband: max_epochs (default 30)\n"
    "  --batch N              batch size (default 32)\n"
    "  --loss NAME            as nn-train (default mse)\n"
    "  --optimizer NAME[:LR]  as nn-train (default adam:1e-3)\n"
    "  --scale none|standard|minmax   input scaler fitted on each model's training rows (none)\n"
    "  --objective KEY        history key to minimise or maximise (default val_loss)\n"
    "  --seed N               search seed (default 42)\n"
    "  --threads N            trials trained at once; same results for any N (default 1)\n"
    "  --results PATH         results CSV, flushed per trial; an existing file resumes the search\n"
    "  --trial-shard I/N      run only trials with id % N == I (merge with search-merge)\n"
    "  --save PATH            train the best configuration on all rows and save it\n"
    "  --verbose 0|1          one line per finished trial on stderr (default 0)\n";

typedef struct sopts {
    cli_common c;
    const char *data, *space, *layers, *results, *save, *objective;
    int strategy, folds, stratify, threads, verbose;
    long trials;
    size_t shard_i, shard_n;
    double val;
    size_t classes; /* sparse categorical: output width */
    size_t missing; /* feature cells missing in the data: the models impute */
    size_t features;
} sopts;

static const char *const KNOWN[] = {"layers", "units", "activation", "dropout", "batch_norm", "lr", "optimizer"};

static int has_hp(const nn_hparams *hp, const char *name)
{
    size_t i, n = nn_hparams_count(hp);
    for (i = 0; i < n; i++)
        if (strcmp(nn_hparams_name(hp, i), name) == 0) return 1;
    return 0;
}

/* Check the names (and string values) of SPACE; 0 and a message when bad. */
static int check_space(const char *space, const char *layers, char *msg, size_t cap)
{
    char buf[2048], *tok, *sv = NULL;
    if (strlen(space) >= sizeof buf) return snprintf(msg, cap, "--space is too long"), 0;
    strcpy(buf, space);
    for (tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        char *eq = strchr(tok, '='), *val, *v, *sv2 = NULL;
        size_t k;
        int known = 0;
        if (!eq) return snprintf(msg, cap, "--space: '%s' is not NAME=RANGE, NAME=a|b|c or NAME=bool", tok), 0;
        *eq = '\0';
        val = eq + 1;
        for (k = 0; k < sizeof KNOWN / sizeof *KNOWN; k++) known |= strcmp(tok, KNOWN[k]) == 0;
        if (!known)
            return snprintf(msg, cap, "--space: unknown hyper-parameter '%s' (known: layers units activation dropout "
                                      "batch_norm lr optimizer)", tok), 0;
        if (layers && strcmp(tok, "layers") == 0)
            return snprintf(msg, cap, "--space: 'layers' cannot be searched together with --layers"), 0;
        if (strcmp(tok, "activation") == 0 || strcmp(tok, "optimizer") == 0) {
            for (v = strtok_r(val, "|", &sv2); v; v = strtok_r(NULL, "|", &sv2))
                if (strcmp(tok, "activation") == 0 ? cli_lookup(v, CLI_ACT_NAMES, 11) < 0 : !cli_optimizer_known(v))
                    return snprintf(msg, cap, "--space: unknown %s '%s'", tok, v), 0;
        } else if (strcmp(tok, "batch_norm") == 0) {
            if (strcmp(val, "bool") != 0) return snprintf(msg, cap, "--space: batch_norm must be 'batch_norm=bool'"), 0;
        } else if (strchr(val, '|') == NULL && strstr(val, "..") == NULL)
            return snprintf(msg, cap, "--space: '%s=%s' is not a range lo..hi or a choice a|b|c", tok, val), 0;
    }
    return 1;
}

static nn_status add_hidden(nn_model *m, size_t units, nn_activation act, int bn, float dropout)
{
    nn_status s = nn_model_add(m, nn_dense(units, act));
    if (s == NN_OK && bn) s = nn_model_add(m, nn_batch_norm());
    if (s == NN_OK && dropout > 0.0f) s = nn_model_add(m, nn_dropout(dropout));
    return s;
}

/* --layers SPEC with 'units', 'act' and a bare 'dropout' replaced by the searched values. */
static nn_status add_template(nn_model *m, const char *spec, size_t units, const char *act, float dropout)
{
    char buf[1024], out[2048], *tok, *sv = NULL;
    size_t len = 0;
    strcpy(buf, spec);
    out[0] = '\0';
    for (tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        char *colon = strchr(tok, ':');
        const char *a = colon ? colon + 1 : NULL;
        char item[128];
        if (colon) *colon = '\0';
        if (strcmp(tok, "dropout") == 0 && !a) {
            if (dropout <= 0.0f) continue;
            snprintf(item, sizeof item, "dropout:%.9g", (double)dropout);
        } else if (strcmp(tok, "units") == 0) {
            snprintf(item, sizeof item, "%zu%s%s", units, a ? ":" : "", a ? (strcmp(a, "act") == 0 ? act : a) : "");
        } else if (a && strcmp(a, "act") == 0) {
            snprintf(item, sizeof item, "%s:%s", tok, act);
        } else snprintf(item, sizeof item, "%s%s%s", tok, a ? ":" : "", a ? a : "");
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", len ? "," : "", item);
        if (len >= sizeof out) return NN_ERR_INVALID_ARG;
    }
    return cli_add_layers(m, out);
}

/* build_model(hp) */
static nn_model *build(const nn_hparams *hp, void *user)
{
    const sopts *o = (const sopts *)user;
    size_t units = has_hp(hp, "units") ? (size_t)nn_hparams_int(hp, "units") : 64;
    int layers = has_hp(hp, "layers") ? (int)nn_hparams_int(hp, "layers") : 2, i;
    const char *act = has_hp(hp, "activation") ? nn_hparams_string(hp, "activation") : "relu";
    const char *opt = has_hp(hp, "optimizer") ? nn_hparams_string(hp, "optimizer") : o->c.opt;
    float dropout = has_hp(hp, "dropout") ? (float)nn_hparams_float(hp, "dropout") : 0.0f;
    int bn = has_hp(hp, "batch_norm") ? nn_hparams_bool(hp, "batch_norm") : 0;
    double lr = has_hp(hp, "lr") ? nn_hparams_float(hp, "lr") : (has_hp(hp, "optimizer") ? cli_default_lr(opt) : o->c.lr);
    nn_model *m = nn_model_create(o->features);
    nn_status s = NN_OK;
    if (!m || !act || !opt) {
        nn_model_free(m);
        return NULL;
    }
    if (o->layers) s = add_template(m, o->layers, units, act, dropout);
    else {
        nn_activation a = (nn_activation)cli_lookup(act, CLI_ACT_NAMES, 11);
        for (i = 0; i < layers && s == NN_OK; i++) s = add_hidden(m, units, a, bn, dropout);
        if (s == NN_OK) {
            if (o->c.loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) s = nn_model_add(m, nn_dense(o->classes, NN_SOFTMAX));
            else if (o->c.loss == NN_LOSS_BINARY_CROSSENTROPY) s = nn_model_add(m, nn_dense(1, NN_SIGMOID));
            else s = nn_model_add(m, nn_dense(1, NN_LINEAR));
        }
    }
    if (s == NN_OK) s = nn_model_compile(m, cli_optimizer(opt, (float)lr), (nn_loss)o->c.loss);
    if (s == NN_OK && o->c.loss >= 3) s = nn_model_add_metric(m, NN_METRIC_ACCURACY);
    if (s == NN_OK && o->c.loss < 3) s = nn_model_add_metric(m, NN_METRIC_MAE);
    if (s == NN_OK) { /* a fresh, unfitted scaler per trial: fitted on that trial's training rows */
        char err[256];
        nn_scaler *sc;
        s = cli_input_scaler(o->c.scale, o->missing, &sc, err, sizeof err);
        if (s == NN_OK && sc) s = nn_model_set_input_scaler(m, sc);
    }
    if (s != NN_OK) {
        nn_model_free(m);
        return NULL;
    }
    return m;
}

static int parse_args(int argc, char **argv, sopts *o)
{
    int i, r;
    char msg[512];
    memset(o, 0, sizeof *o);
    cli_common_defaults(&o->c, 30);
    o->trials = 10;
    o->val = 0.2;
    o->threads = 1;
    o->shard_n = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        double d;
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->data) return cli_usage_error("search: unexpected argument '%s'", a);
            o->data = a;
            continue;
        }
        if (strcmp(a, "--stratify") == 0) {
            o->stratify = 1;
            continue;
        }
        if (!v) return cli_usage_error("%s needs a value", a);
        i++;
        if ((r = cli_common_option(a, v, &o->c)) == 2) return r;
        if (r == 1) continue;
        if (strcmp(a, "--space") == 0) o->space = v;
        else if (strcmp(a, "--layers") == 0) o->layers = v;
        else if (strcmp(a, "--results") == 0) o->results = v;
        else if (strcmp(a, "--save") == 0) o->save = v;
        else if (strcmp(a, "--objective") == 0) o->objective = v;
        else if (strcmp(a, "--strategy") == 0) {
            if (strcmp(v, "random") == 0) o->strategy = NN_SEARCH_RANDOM;
            else if (strcmp(v, "grid") == 0) o->strategy = NN_SEARCH_GRID;
            else if (strcmp(v, "hyperband") == 0) o->strategy = NN_SEARCH_HYPERBAND;
            else return cli_usage_error("--strategy: expected random, grid or hyperband, got '%s'", v);
        } else if (strcmp(a, "--trials") == 0) {
            if (!cli_parse_int(v, 1, 10000000, &o->trials)) return cli_usage_error("--trials: expected a positive integer, got '%s'", v);
        } else if (strcmp(a, "--folds") == 0) {
            if (!cli_parse_int(v, 2, 1000, &n)) return cli_usage_error("--folds: expected an integer >= 2, got '%s'", v);
            o->folds = (int)n;
        } else if (strcmp(a, "--val") == 0) {
            if (!cli_parse_float(v, 0.01, 0.99, &d)) return cli_usage_error("--val: expected a fraction in [0.01, 0.99], got '%s'", v);
            o->val = d;
        } else if (strcmp(a, "--threads") == 0) {
            if (!cli_parse_int(v, 1, 1024, &n)) return cli_usage_error("--threads: expected a positive integer, got '%s'", v);
            o->threads = (int)n;
        } else if (strcmp(a, "--verbose") == 0) {
            if (!cli_parse_int(v, 0, 1, &n)) return cli_usage_error("--verbose: expected 0 or 1, got '%s'", v);
            o->verbose = (int)n;
        } else if (strcmp(a, "--trial-shard") == 0) {
            char *end;
            unsigned long si = strtoul(v, &end, 10), sn;
            if (end == v || *end != '/' || !end[1]) return cli_usage_error("--trial-shard: expected I/N, got '%s'", v);
            sn = strtoul(end + 1, &end, 10);
            if (*end || sn == 0 || si >= sn) return cli_usage_error("--trial-shard: expected I/N with 0 <= I < N, got '%s'", v);
            o->shard_i = si;
            o->shard_n = sn;
        } else return cli_usage_error("search: unknown option '%s'", a);
    }
    if (!o->data) return cli_usage_error("search: missing DATA.csv");
    if (o->c.loss == NN_LOSS_CATEGORICAL_CROSSENTROPY)
        return cli_usage_error("--loss: one target column; use sparse_categorical_crossentropy");
    if (!o->space) return cli_usage_error("search: missing --space");
    if (o->layers && strlen(o->layers) >= 1000) return cli_usage_error("--layers is too long");
    if (o->layers) {
        /* validate with the placeholders filled in */
        char probe[2048], *p = probe, buf[1024], *tok, *sv = NULL;
        size_t left = sizeof probe;
        strcpy(buf, o->layers);
        probe[0] = '\0';
        for (tok = strtok_r(buf, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
            char *colon = strchr(tok, ':');
            int w;
            if (colon) *colon = '\0';
            w = snprintf(p, left, "%s%s%s%s", p == probe ? "" : ",",
                         strcmp(tok, "units") == 0 ? "8" : strcmp(tok, "dropout") == 0 && !colon ? "dropout:0.1" : tok,
                         colon ? ":" : "", colon ? (strcmp(colon + 1, "act") == 0 ? "relu" : colon + 1) : "");
            if (w < 0 || (size_t)w >= left) return cli_usage_error("--layers is too long");
            p += w;
            left -= (size_t)w;
        }
        if (!cli_check_layers(probe, msg, sizeof msg)) return cli_usage_error("%s", msg);
    }
    if (!check_space(o->space, o->layers, msg, sizeof msg)) return cli_usage_error("%s", msg);
    if (o->strategy == NN_SEARCH_HYPERBAND && o->shard_n > 1)
        return cli_usage_error("--trial-shard: hyperband cannot be sharded (each round needs all earlier scores)");
    return 0;
}

static void log_stderr(void *user, const char *line)
{
    (void)user;
    fputs(line, stderr);
    if (*line && line[strlen(line) - 1] != '\n') fputc('\n', stderr);
}

static void log_stdout(void *user, const char *line)
{
    (void)user;
    fputs(line, stdout);
    if (*line && line[strlen(line) - 1] != '\n') fputc('\n', stdout);
}

int cli_search(int argc, char **argv)
{
    sopts o;
    cli_data d;
    nn_tuner *t = NULL;
    int rc, i;
    size_t j;
    char err[512];
    nn_status s;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(SEARCH_USAGE, stdout);
            return 0;
        }
    if ((rc = parse_args(argc, argv, &o)) != 0) return rc;
    if (cli_read_csv(o.data, o.c.target, o.c.ignore, &d, err, sizeof err) != 0) return cli_fail("%s", err);
    rc = 0;
    if (d.missing && strcmp(o.c.scale, "minmax") == 0) {
        rc = cli_fail("%s: %zu feature cells are missing: use --scale standard or none (each trial's model then "
                      "imputes its training rows' mean)", o.data, d.missing);
        goto done;
    }
    o.missing = d.missing;
    o.features = d.features;
    if (o.c.loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
        float mx = 0.0f;
        for (j = 0; j < d.rows; j++)
            if (d.y[j] > mx) mx = d.y[j];
        o.classes = (size_t)mx + 1;
    }
    t = nn_tuner_create(build, &o);
    if (!t) {
        rc = cli_fail("%s", nn_last_error());
        goto done;
    }
#define TTRY(call)                                                                        \
    do {                                                                                  \
        if ((s = (call)) != NN_OK) {                                                      \
            rc = cli_fail("%s: %s", nn_status_string(s), nn_tuner_error(t));              \
            goto done;                                                                    \
        }                                                                                 \
    } while (0)
    if ((s = nn_tuner_parse_space(t, o.space)) != NN_OK) {
        rc = cli_usage_error("--space: %s", nn_tuner_error(t));
        goto done;
    }
    TTRY(nn_tuner_set_strategy(t, (nn_search_strategy)o.strategy));
    TTRY(nn_tuner_set_max_trials(t, (size_t)o.trials));
    TTRY(nn_tuner_set_seed(t, o.c.seed));
    if (o.objective) TTRY(nn_tuner_set_objective(t, o.objective, "auto"));
    if (o.folds) TTRY(nn_tuner_set_folds(t, o.folds, o.stratify));
    else TTRY(nn_tuner_set_validation_split(t, (float)o.val));
    TTRY(nn_tuner_set_threads(t, o.threads));
    if (o.results) TTRY(nn_tuner_set_results_file(t, o.results));
    if (o.shard_n > 1) TTRY(nn_tuner_set_shard(t, o.shard_i, o.shard_n));
    TTRY(nn_tuner_set_log_sink(t, log_stderr, NULL));
    TTRY(nn_tuner_set_verbose(t, o.verbose));
    TTRY(nn_tuner_search(t, d.x, d.y, d.rows, o.c.epochs, o.c.batch));
    TTRY(nn_tuner_set_log_sink(t, log_stdout, NULL));
    printf("data: %s, %zu rows, %zu features, target '%s'; %s, %s\n", o.data, d.rows, d.features, d.target_name,
           o.strategy == NN_SEARCH_GRID ? "grid" : o.strategy == NN_SEARCH_HYPERBAND ? "hyperband" : "random",
           o.folds ? "cross-validation" : "validation split");
    if (o.shard_n > 1) printf("shard %zu/%zu\n", o.shard_i, o.shard_n);
    TTRY(nn_tuner_print_results(t));
    {
        const nn_hparams *hp = nn_tuner_best_hparams(t);
        size_t b = nn_tuner_best_trial(t);
        if (!hp) {
            rc = cli_fail("no trial succeeded");
            goto done;
        }
        printf("best hyper-parameters (trial %zu, score %.6g):", nn_tuner_trial_id(t, b), nn_tuner_trial_score(t, b));
        for (j = 0; j < nn_hparams_count(hp); j++) {
            char v[96];
            nn_hparams_value_text(hp, j, v, sizeof v);
            printf(" %s=%s", nn_hparams_name(hp, j), v);
        }
        printf("\n");
    }
    if (o.results) printf("results: %s\n", o.results);
    if (o.save) {
        nn_model *m = nn_tuner_best_model(t);
        if (!m) {
            rc = cli_fail("training the best model: %s", nn_last_error());
            goto done;
        }
        s = cli_name_columns(m, &d);
        if (s == NN_OK) s = nn_model_save(m, o.save);
        if (s != NN_OK) rc = cli_fail("%s: %s", nn_status_string(s), nn_model_error(m));
        else printf("saved: %s (best configuration trained on all %zu rows)\n", o.save, d.rows);
        nn_model_free(m);
    }
done:
    nn_tuner_free(t);
    cli_data_free(&d);
    return rc;
}

int cli_search_merge(int argc, char **argv)
{
    nn_status s;
    int i;
    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(SEARCH_USAGE, stdout);
            return 0;
        }
    if (argc < 3) return cli_usage_error("search-merge needs OUT.csv and at least one SHARD.csv");
    s = nn_tuner_merge_results((const char *const *)(argv + 2), (size_t)(argc - 2), argv[1]);
    if (s != NN_OK) return cli_fail("search-merge: %s: %s", nn_status_string(s), nn_last_error());
    printf("merged %d files into %s\n", argc - 2, argv[1]);
    return 0;
}
