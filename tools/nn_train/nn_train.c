/* nn-train: train, inspect and apply libnn models from the command line.

     nn-train DATA.csv --target COL [options]     train (and optionally save / plot)
     nn-train predict MODEL.nn NEW.csv [--target COL]   predictions for NEW.csv on stdout (CSV)
     nn-train summary MODEL.nn                    the model's layer table

   Bad arguments give one line on stderr and exit code 2; failures while running give exit 1. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "nn.h"
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: nn-train DATA.csv --target COLUMN [options]\n"
    "       nn-train predict MODEL.nn NEW.csv [--target COLUMN]\n"
    "       nn-train summary MODEL.nn\n"
    "       nn-train search DATA.csv --space SPACE [options]   (nn-train search --help)\n"
    "       nn-train search-merge OUT.csv SHARD.csv...\n"
    "\n"
    "Train a Keras-style Sequential network on a numeric CSV file with a header row. Empty cells\n"
    "and NA/NaN/?/N/A are missing: rows without a target are dropped, missing features are\n"
    "replaced by the training-row mean (also by the saved model in predict). The saved model keeps\n"
    "the column names: predict picks the feature columns of NEW.csv by name, in any order.\n"
    "\n"
    "options:\n"
    "  --target NAME|INDEX    target column by header name or 0-based index (default: the last)\n"
    "  --ignore A,B,...       columns to skip unread (ids, text); saved models do not need them\n"
    "  --layers SPEC          comma-separated layers (default 64:relu,32:relu,1); each is\n"
    "                         UNITS[:ACTIVATION] (linear relu leaky_relu elu selu sigmoid tanh\n"
    "                         softmax softplus gelu swish), dropout:RATE, noise:STDDEV or bn\n"
    "  --loss NAME            mse mae huber binary_crossentropy categorical_crossentropy\n"
    "                         sparse_categorical_crossentropy (default mse)\n"
    "  --metrics LIST         comma-separated: mae mse rmse accuracy (default: mae for regression,\n"
    "                         accuracy for crossentropy losses)\n"
    "  --optimizer NAME[:LR]  sgd adam adamw rmsprop adagrad (default adam:1e-3)\n"
    "  --epochs N             (default 100)\n"
    "  --batch N              batch size (default 32)\n"
    "  --val FRACTION         validation split: the LAST rows, as Keras (default 0.2; 0 = none)\n"
    "  --early-stop N         stop after N epochs without val_loss improvement, restore best\n"
    "  --scale none|standard|minmax   input scaler fitted on the training rows and saved with\n"
    "                         the model, which then takes raw inputs (default none)\n"
    "  --scale-target none|standard|minmax   target scaler for regression losses (default none):\n"
    "                         loss and metrics in history are then in scaled units, predictions\n"
    "                         in original units\n"
    "  --seed N               seed for weights, shuffling and dropout (default 42)\n"
    "  --save PATH            save the trained model (nn-train predict / summary read it)\n"
    "  --predictions PATH     also write predictions for every row of DATA.csv (CSV)\n"
    "  --plot PATH.svg        learning curves as SVG; --log-plot for a log y axis\n"
    "  --verbose 0|1|2        training output on stderr (default 0)\n"
    "  --no-doctor            no training doctor (nn_doctor: findings about the data, settings\n"
    "                         and training dynamics, printed on stderr; on by default)\n"
    "  -h, --help             this text;  --version  library version\n";

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("nn-train: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see nn-train --help)\n", stderr);
    return 2;
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("nn-train: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

int cli_parse_float(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return 0;
    *out = v;
    return 1;
}

const char *const CLI_ACT_NAMES[11] = {"linear", "relu", "leaky_relu", "elu", "selu", "sigmoid",
                                  "tanh", "softmax", "softplus", "gelu", "swish"};
const char *const CLI_LOSS_NAMES[6] = {"mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
                                   "sparse_categorical_crossentropy"};

int cli_lookup(const char *s, const char *const *names, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

void cli_common_defaults(cli_common *c, int epochs)
{
    memset(c, 0, sizeof *c);
    c->epochs = epochs;
    c->batch = 32;
    c->lr = 1e-3;
    c->seed = 42;
    strcpy(c->opt, "adam");
    strcpy(c->scale, "none");
}

int cli_common_option(const char *a, const char *v, cli_common *c)
{
    long n;
    if (strcmp(a, "--target") == 0) c->target = v;
    else if (strcmp(a, "--ignore") == 0) {
        if (strlen(v) >= 1024 || !v[0]) return cli_usage_error("--ignore: expected COLUMN[,COLUMN...] (under 1024 bytes)");
        c->ignore = v;
    }
    else if (strcmp(a, "--loss") == 0) {
        c->loss = cli_lookup(v, CLI_LOSS_NAMES, 6);
        if (c->loss < 0) return cli_usage_error("--loss: unknown loss '%s'", v);
    } else if (strcmp(a, "--optimizer") == 0) {
        const char *colon = strchr(v, ':');
        size_t len = colon ? (size_t)(colon - v) : strlen(v);
        if (len >= sizeof c->opt) return cli_usage_error("--optimizer: unknown optimizer '%s'", v);
        memcpy(c->opt, v, len);
        c->opt[len] = '\0';
        if (!cli_optimizer_known(c->opt)) return cli_usage_error("--optimizer: unknown optimizer '%s'", c->opt);
        c->lr = cli_default_lr(c->opt);
        if (colon && !cli_parse_float(colon + 1, 1e-12, 100.0, &c->lr))
            return cli_usage_error("--optimizer: bad learning rate '%s'", colon + 1);
    } else if (strcmp(a, "--epochs") == 0) {
        if (!cli_parse_int(v, 1, 10000000, &n)) return cli_usage_error("--epochs: expected a positive integer, got '%s'", v);
        c->epochs = (int)n;
    } else if (strcmp(a, "--batch") == 0) {
        if (!cli_parse_int(v, 1, 100000000, &n)) return cli_usage_error("--batch: expected a positive integer, got '%s'", v);
        c->batch = (int)n;
    } else if (strcmp(a, "--scale") == 0) {
        if (strcmp(v, "none") && strcmp(v, "standard") && strcmp(v, "minmax"))
            return cli_usage_error("--scale: expected none, standard or minmax, got '%s'", v);
        strcpy(c->scale, v);
    } else if (strcmp(a, "--seed") == 0) {
        if (!cli_parse_int(v, 0, 0x7FFFFFFFL, &n)) return cli_usage_error("--seed: expected a non-negative integer, got '%s'", v);
        c->seed = (uint64_t)n;
    } else return 0;
    return 1;
}

typedef struct options {
    cli_common c;
    const char *data, *layers, *metrics, *save, *plot, *predictions;
    int early_stop, verbose, log_plot, doctor;
    char scale_target[16];
    double val;
} options;

/* Validate --layers without building anything: returns 0 and a message on error. */
int cli_check_layers(const char *spec, char *msg, size_t cap)
{
    char buf[1024], *tok, *save = NULL;
    if (strlen(spec) >= sizeof buf) return snprintf(msg, cap, "--layers is too long"), 0;
    strcpy(buf, spec);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        long units;
        double v;
        if (strcmp(tok, "bn") == 0) continue;
        if (colon) *colon = '\0';
        if (strcmp(tok, "dropout") == 0 || strcmp(tok, "noise") == 0) {
            if (!colon || !cli_parse_float(colon + 1, 0.0, strcmp(tok, "dropout") == 0 ? 0.999 : 1e6, &v))
                return snprintf(msg, cap, "--layers: %s needs a value, e.g. %s:0.2", tok, tok), 0;
            continue;
        }
        if (!cli_parse_int(tok, 1, 1000000, &units))
            return snprintf(msg, cap, "--layers: '%s' is not UNITS[:ACTIVATION], dropout:RATE, noise:SD or bn", tok), 0;
        if (colon && cli_lookup(colon + 1, CLI_ACT_NAMES, 11) < 0)
            return snprintf(msg, cap, "--layers: unknown activation '%s'", colon + 1), 0;
    }
    return 1;
}

nn_status cli_add_layers(nn_model *m, const char *spec)
{
    char buf[1024], *tok, *save = NULL;
    nn_status s = NN_OK;
    strcpy(buf, spec);
    for (tok = strtok_r(buf, ",", &save); tok && s == NN_OK; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        if (colon) *colon = '\0';
        if (strcmp(tok, "bn") == 0) s = nn_model_add(m, nn_batch_norm());
        else if (strcmp(tok, "dropout") == 0) s = nn_model_add(m, nn_dropout((float)atof(colon + 1)));
        else if (strcmp(tok, "noise") == 0) s = nn_model_add(m, nn_gaussian_noise((float)atof(colon + 1)));
        else s = nn_model_add(m, nn_dense((size_t)atol(tok), colon ? (nn_activation)cli_lookup(colon + 1, CLI_ACT_NAMES, 11) : NN_LINEAR));
    }
    return s;
}

static int parse_train_args(int argc, char **argv, options *o)
{
    int i, r;
    char msg[256];
    memset(o, 0, sizeof *o);
    cli_common_defaults(&o->c, 100);
    o->layers = "64:relu,32:relu,1";
    o->val = 0.2;
    o->doctor = 1;
    strcpy(o->scale_target, "none");
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        double d;
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->data) return cli_usage_error("unexpected argument '%s'", a);
            o->data = a;
            continue;
        }
        if (strcmp(a, "--log-plot") == 0) {
            o->log_plot = 1;
            continue;
        }
        if (strcmp(a, "--no-doctor") == 0) {
            o->doctor = 0;
            continue;
        }
        if (!v) return cli_usage_error("%s needs a value", a);
        i++;
        if ((r = cli_common_option(a, v, &o->c)) == 2) return r;
        if (r == 1) continue;
        if (strcmp(a, "--layers") == 0) {
            if (!cli_check_layers(v, msg, sizeof msg)) return cli_usage_error("%s", msg);
            o->layers = v;
        } else if (strcmp(a, "--metrics") == 0) {
            char buf[256], *t, *sv = NULL;
            if (strlen(v) >= sizeof buf) return cli_usage_error("--metrics is too long");
            strcpy(buf, v);
            for (t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
                if (cli_metric(t) < 0) return cli_usage_error("--metrics: unknown metric '%s'", t);
            o->metrics = v;
        } else if (strcmp(a, "--val") == 0) {
            if (!cli_parse_float(v, 0.0, 0.99, &d)) return cli_usage_error("--val: expected a fraction in [0, 0.99], got '%s'", v);
            o->val = d;
        } else if (strcmp(a, "--early-stop") == 0) {
            if (!cli_parse_int(v, 1, 10000000, &n)) return cli_usage_error("--early-stop: expected a positive integer, got '%s'", v);
            o->early_stop = (int)n;
        } else if (strcmp(a, "--scale-target") == 0) {
            if (strcmp(v, "none") && strcmp(v, "standard") && strcmp(v, "minmax"))
                return cli_usage_error("--scale-target: expected none, standard or minmax, got '%s'", v);
            strcpy(o->scale_target, v);
        } else if (strcmp(a, "--save") == 0) o->save = v;
        else if (strcmp(a, "--plot") == 0) o->plot = v;
        else if (strcmp(a, "--predictions") == 0) o->predictions = v;
        else if (strcmp(a, "--verbose") == 0) {
            if (!cli_parse_int(v, 0, 2, &n)) return cli_usage_error("--verbose: expected 0, 1 or 2, got '%s'", v);
            o->verbose = (int)n;
        } else return cli_usage_error("unknown option '%s'", a);
    }
    if (!o->data) return cli_usage_error("missing DATA.csv");
    if (o->early_stop && o->val <= 0.0) return cli_usage_error("--early-stop needs a validation split (--val > 0)");
    if (o->c.loss >= 3 && strcmp(o->scale_target, "none") != 0)
        return cli_usage_error("--scale-target is for regression losses (mse, mae, huber)");
    return 0;
}

#define TRY(call)                                                                              \
    do {                                                                                       \
        nn_status s_ = (call);                                                                 \
        if (s_ != NN_OK) {                                                                     \
            rc = cli_fail("%s: %s", nn_status_string(s_), m ? nn_model_error(m) : nn_last_error()); \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

/* The library's training doctor (nn_doctor, on unless --no-doctor): its findings about the data,
   the configuration and the training dynamics go to stderr, one line each. */
static void print_findings(const nn_model *m)
{
    size_t i, n = nn_model_finding_count(m);
    for (i = 0; i < n; i++)
        fprintf(stderr, "doctor: %s %s: %s\n", nn_model_finding_severity(m, i) > 0 ? "warning" : "info",
                nn_model_finding_code(m, i), nn_model_finding_message(m, i));
}

/* Final validation error in the target's original units, from predictions. */
static void print_validation(nn_model *m, const cli_data *d, size_t n_train, int loss)
{
    size_t nv = d->rows - n_train, k = nn_model_output_dim(m), i, j, best, hits = 0;
    double ae = 0.0, se = 0.0;
    float *out = nv ? (float *)malloc(nv * k * sizeof(float)) : NULL;
    if (!out || nn_model_predict(m, d->x + n_train * d->features, nv, out) != NN_OK) {
        free(out);
        return;
    }
    for (i = 0; i < nv; i++) {
        float t = d->y[n_train + i];
        if (k == 1 && loss < 3) {
            ae += fabs((double)out[i] - t);
            se += ((double)out[i] - t) * ((double)out[i] - t);
        } else if (k == 1) hits += (out[i] >= 0.5f) == (t >= 0.5f);
        else {
            for (j = 0, best = 0; j < k; j++)
                if (out[i * k + j] > out[i * k + best]) best = j;
            hits += (float)best == t;
        }
    }
    if (k == 1 && loss < 3)
        printf("validation (%zu rows, original units): mae %.6g, rmse %.6g\n", nv, ae / (double)nv,
               sqrt(se / (double)nv));
    else printf("validation (%zu rows): accuracy %.6g\n", nv, (double)hits / (double)nv);
    free(out);
}

static int train(const options *o)
{
    cli_data d;
    nn_model *m = NULL;
    int rc = 0, sparse = o->c.loss == 5;
    size_t n_train, last, k, best = 0;
    char err[512];

    if (cli_read_csv(o->data, o->c.target, o->c.ignore, &d, err, sizeof err) != 0) return cli_fail("%s", err);
    n_train = o->val > 0.0 ? (size_t)floor((double)d.rows * (1.0 - o->val)) : d.rows;
    if (n_train == 0 || (o->val > 0.0 && n_train == d.rows))
        return cli_data_free(&d), cli_fail("%s: %zu rows are too few for --val %g", o->data, d.rows, o->val);

    m = nn_model_create(d.features);
    if (!m) {
        rc = cli_fail("%s", nn_last_error());
        goto done;
    }
    TRY(nn_model_set_seed(m, o->c.seed));
    TRY(cli_add_layers(m, o->layers));
    TRY(nn_model_compile(m, cli_optimizer(o->c.opt, (float)o->c.lr), (nn_loss)o->c.loss));
    if (o->metrics) {
        char buf[256], *t, *sv = NULL;
        strcpy(buf, o->metrics);
        for (t = strtok_r(buf, ",", &sv); t; t = strtok_r(NULL, ",", &sv))
            TRY(nn_model_add_metric(m, (nn_metric)cli_metric(t)));
    } else {
        TRY(nn_model_add_metric(m, o->c.loss >= 3 ? NN_METRIC_ACCURACY : NN_METRIC_MAE));
    }
    if (!sparse && nn_model_output_dim(m) != 1) {
        rc = cli_fail("the last layer has %zu units but the target '%s' is one column (use a 1-unit output, or "
                  "--loss sparse_categorical_crossentropy with one unit per class)",
                  nn_model_output_dim(m), d.target_name);
        goto done;
    }
    {
        nn_status s = cli_attach_input_scaler(m, &d, o->c.scale, n_train, err, sizeof err);
        if (s != NN_OK) {
            rc = cli_fail("%s: %s", o->data, err);
            goto done;
        }
    }
    if (strcmp(o->scale_target, "none") != 0) {
        nn_scaler *ts = cli_scaler(o->scale_target);
        if (!ts) {
            rc = cli_fail("%s", nn_last_error());
            goto done;
        }
        TRY(nn_model_set_target_scaler(m, ts)); /* fitted by fit on the training rows */
    }
    TRY(cli_name_columns(m, &d)); /* predict then picks CSV columns by name */
    TRY(nn_model_set_validation_split(m, (float)o->val));
    TRY(nn_model_set_verbose(m, o->verbose));
    if (o->early_stop) TRY(nn_model_add_callback(m, nn_early_stopping("val_loss", 0.0f, o->early_stop, 1)));
    if (o->doctor) TRY(nn_model_add_callback(m, nn_doctor()));
    {
        nn_status s = nn_model_fit(m, d.x, d.y, d.rows, o->c.epochs, o->c.batch);
        if (o->doctor) print_findings(m);
        TRY(s);
    }

    last = nn_model_history_len(m);
    {
        const char *mon = o->val > 0.0 ? "val_loss" : "loss";
        for (k = 0; k < last; k++)
            if (nn_model_history(m, mon, k) < nn_model_history(m, mon, best)) best = k;
        printf("data: %s, %zu rows, %zu features, target '%s'; %zu training / %zu validation rows\n", o->data,
               d.rows, d.features, d.target_name, n_train, d.rows - n_train);
        if (d.dropped || d.missing)
            printf("missing values: %zu rows without a target dropped, %zu feature cells imputed (training mean)\n",
                   d.dropped, d.missing);
        printf("trained %zu epoch%s; best epoch %zu (%s %.6g)%s\n", last, last == 1 ? "" : "s", best + 1, mon,
               (double)nn_model_history(m, mon, best),
               strcmp(o->scale_target, "none") ? "; loss and metrics in scaled target units" : "");
        for (k = 0; k < nn_model_history_key_count(m); k++) {
            const char *key = nn_model_history_key(m, k);
            if (strcmp(key, "learning_rate") == 0) continue;
            printf("  %-14s first %-12.6g last %-12.6g best-epoch %.6g\n", key, (double)nn_model_history(m, key, 0),
                   (double)nn_model_history(m, key, last - 1), (double)nn_model_history(m, key, best));
        }
        if (n_train < d.rows) print_validation(m, &d, n_train, o->c.loss);
    }
    if (o->plot) {
        TRY(nn_model_plot_history_ex(m, o->plot, o->log_plot));
        printf("learning curves: %s\n", o->plot);
    }
    if (o->save) {
        TRY(nn_model_save(m, o->save));
        printf("saved: %s\n", o->save);
    }
    if (o->predictions) {
        FILE *f = fopen(o->predictions, "w");
        nn_status s;
        if (!f) {
            rc = cli_fail("cannot write %s", o->predictions);
            goto done;
        }
        s = cli_write_predictions(m, d.x, d.rows, f);
        if (fclose(f) != 0 && s == NN_OK) s = NN_ERR_IO;
        TRY(s);
        printf("predictions: %s\n", o->predictions);
    }
done:
    nn_model_free(m);
    cli_data_free(&d);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    int i, r;
    if (argc >= 2 && strcmp(argv[1], "search") == 0) return cli_search(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "search-merge") == 0) return cli_search_merge(argc - 1, argv + 1);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("nn-train (libnn %s)\n", nn_version());
            return 0;
        }
    }
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (strcmp(argv[1], "predict") == 0) {
        const char *target = NULL, *paths[2] = {NULL, NULL};
        int np = 0;
        for (i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--target") == 0) {
                if (i + 1 >= argc) return cli_usage_error("--target needs a value");
                target = argv[++i];
            } else if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("predict: unknown option '%s'", argv[i]);
            else if (np < 2) paths[np++] = argv[i];
            else return cli_usage_error("predict: unexpected argument '%s'", argv[i]);
        }
        if (np != 2) return cli_usage_error("predict needs MODEL.nn and NEW.csv");
        return cli_predict(paths[0], paths[1], target);
    }
    if (strcmp(argv[1], "summary") == 0) {
        if (argc != 3) return cli_usage_error("summary needs MODEL.nn");
        return cli_summary(argv[2]);
    }
    if ((r = parse_train_args(argc, argv, &o)) != 0) return r;
    return train(&o);
}
