/* nn-train helpers on top of the library's CSV reader (nn_dataset), scalers (nn_scaler) and
   model files (nn_model_save / nn_model_load). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

int cli_read_csv(const char *path, const char *target, const char *ignore, cli_data *d, char *err, size_t cap)
{
    nn_dataset *ds;
    nn_status s;
    const float *x, *y;
    size_t i, j, n, f;
    memset(d, 0, sizeof *d);
    ds = nn_dataset_create();
    if (!ds) return snprintf(err, cap, "%s", nn_last_error()), -1;
    s = !target ? NN_OK : all_digits(target) ? nn_dataset_add_target_index(ds, (size_t)strtoul(target, NULL, 10))
                                             : nn_dataset_add_target_name(ds, target);
    if (ignore && s == NN_OK) { /* --ignore A,B: columns skipped unread */
        char buf[1024], *t, *sv = NULL;
        snprintf(buf, sizeof buf, "%s", ignore);
        for (t = strtok_r(buf, ",", &sv); t && s == NN_OK; t = strtok_r(NULL, ",", &sv)) s = nn_dataset_add_ignore_name(ds, t);
    }
    if (s == NN_OK) s = nn_dataset_read_csv(ds, path);
    if (s != NN_OK) {
        snprintf(err, cap, "%s%s", nn_dataset_error(ds),
                 strstr(nn_dataset_error(ds), "as a number") ? " (skip a text column with --ignore NAME)" : "");
        nn_dataset_free(ds);
        return -1;
    }
    n = nn_dataset_rows(ds);
    f = nn_dataset_feature_count(ds);
    if (n == 0 || f == 0) {
        nn_dataset_free(ds);
        return snprintf(err, cap, "%s needs data rows, at least one feature and a target column", path), -1;
    }
    d->ds = ds;
    d->features = f;
    snprintf(d->target_name, sizeof d->target_name, "%s", nn_dataset_target_name(ds, 0));
    d->x = (float *)malloc(n * f * sizeof(float));
    d->y = (float *)malloc(n * sizeof(float));
    if (!d->x || !d->y) {
        cli_data_free(d);
        return snprintf(err, cap, "out of memory reading %s", path), -1;
    }
    x = nn_dataset_x(ds);
    y = nn_dataset_y(ds);
    for (i = 0; i < n; i++) {
        if (isnan(y[i])) { /* no target: nothing to learn from this row */
            d->dropped++;
            continue;
        }
        memcpy(d->x + d->rows * f, x + i * f, f * sizeof(float));
        for (j = 0; j < f; j++) d->missing += isnan(x[i * f + j]) != 0;
        d->y[d->rows++] = y[i];
    }
    if (d->rows == 0) {
        cli_data_free(d);
        return snprintf(err, cap, "%s: every row's target is missing", path), -1;
    }
    return 0;
}

void cli_data_free(cli_data *d)
{
    free(d->x);
    free(d->y);
    nn_dataset_free(d->ds);
    memset(d, 0, sizeof *d);
}

nn_scaler *cli_scaler(const char *kind)
{
    if (strcmp(kind, "standard") == 0) return nn_standard_scaler();
    if (strcmp(kind, "minmax") == 0) return nn_minmax_scaler(0.0f, 1.0f);
    return NULL;
}

nn_status cli_input_scaler(const char *kind, size_t missing, nn_scaler **out, char *err, size_t cap)
{
    nn_scaler *sc;
    *out = NULL;
    if (missing && strcmp(kind, "minmax") == 0) {
        snprintf(err, cap, "%zu feature cells are missing: use --scale standard or none (missing values are "
                 "replaced by the training mean)", missing);
        return NN_ERR_NONFINITE;
    }
    if (strcmp(kind, "none") == 0 && !missing) return NN_OK;
    /* with missing cells the model itself imputes the training mean, also in predict */
    sc = strcmp(kind, "none") == 0 ? nn_imputer(NN_IMPUTE_MEAN, 0.0f) : cli_scaler(kind);
    if (!sc || (missing && strcmp(kind, "standard") == 0 && nn_scaler_set_impute_mean(sc, 1) != NN_OK)) {
        snprintf(err, cap, "%s", nn_last_error());
        nn_scaler_free(sc);
        return NN_ERR_NOMEM;
    }
    *out = sc;
    return NN_OK;
}

nn_status cli_attach_input_scaler(nn_model *m, cli_data *d, const char *kind, size_t n_train, char *err, size_t cap)
{
    nn_scaler *sc;
    nn_status s;
    size_t i, j, c = d->features;
    if ((s = cli_input_scaler(kind, d->missing, &sc, err, cap)) != NN_OK || !sc) return s;
    /* fit on the training rows only (the validation rows are the last ones, as Keras) */
    if ((s = nn_scaler_fit(sc, d->x, n_train, c)) != NN_OK) {
        snprintf(err, cap, "scaler: %s", nn_last_error());
        nn_scaler_free(sc);
        return s;
    }
    /* the rows handed to fit get the same training mean the model would put there */
    if (d->missing && !isnan(nn_scaler_stat(sc, "mean", 0)))
        for (i = 0; i < d->rows; i++)
            for (j = 0; j < c; j++)
                if (isnan(d->x[i * c + j])) {
                    float mean = nn_scaler_stat(sc, "mean", j);
                    d->x[i * c + j] = isnan(mean) ? 0.0f : mean;
                }
    if ((s = nn_model_set_input_scaler(m, sc)) != NN_OK) snprintf(err, cap, "%s", nn_model_error(m));
    return s;
}

nn_status cli_name_columns(nn_model *m, const cli_data *d)
{
    size_t k = nn_model_output_dim(m), i;
    const char **names = (const char **)malloc((d->features > k ? d->features : k) * sizeof *names);
    char *outs = NULL;
    nn_status s;
    if (!names) return NN_ERR_NOMEM;
    for (i = 0; i < d->features; i++) names[i] = nn_dataset_feature_name(d->ds, i);
    s = nn_model_set_feature_names(m, names, d->features);
    if (s == NN_OK && k == 1) {
        names[0] = d->target_name;
        s = nn_model_set_output_names(m, names, 1);
    } else if (s == NN_OK) {
        size_t w = strlen(d->target_name) + 24;
        if (!(outs = (char *)malloc(k * w))) s = NN_ERR_NOMEM;
        for (i = 0; i < k && s == NN_OK; i++) {
            snprintf(outs + i * w, w, "%s=%zu", d->target_name, i);
            names[i] = outs + i * w;
        }
        if (s == NN_OK) s = nn_model_set_output_names(m, names, k);
    }
    free(outs);
    free(names);
    return s;
}

int cli_impute_for_model(nn_model *m, float *x, size_t n, char *err, size_t cap)
{
    nn_scaler *sc = nn_model_input_scaler(m);
    size_t i, j, c = nn_model_input_dim(m);
    for (i = 0; i < n; i++)
        for (j = 0; j < c; j++) {
            if (!isnan(x[i * c + j])) continue;
            if (sc && !isnan(nn_scaler_stat(sc, "fill", j))) continue; /* the model's imputer handles it */
            if (sc && !isnan(nn_scaler_stat(sc, "mean", j))) {
                x[i * c + j] = nn_scaler_stat(sc, "mean", j);
                continue;
            }
            snprintf(err, cap, "data row %zu, feature %zu is missing and the model has no imputer (train with "
                     "--scale standard or none)", i + 1, j + 1);
            return -1;
        }
    return 0;
}

static const char *OPT_NAMES[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};

int cli_optimizer_known(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof OPT_NAMES / sizeof *OPT_NAMES; i++)
        if (strcmp(name, OPT_NAMES[i]) == 0) return 1;
    return 0;
}

double cli_default_lr(const char *name) { return strcmp(name, "sgd") == 0 ? 0.01 : 0.001; }

nn_optimizer *cli_optimizer(const char *name, float lr)
{
    if (strcmp(name, "sgd") == 0) return nn_sgd(lr, 0.0f, 0);
    if (strcmp(name, "adamw") == 0) return nn_adamw(lr, 0.004f);
    if (strcmp(name, "rmsprop") == 0) return nn_rmsprop(lr);
    if (strcmp(name, "adagrad") == 0) return nn_adagrad(lr);
    return nn_adam(lr);
}

int cli_metric(const char *name)
{
    if (strcmp(name, "accuracy") == 0 || strcmp(name, "acc") == 0) return NN_METRIC_ACCURACY;
    if (strcmp(name, "mae") == 0) return NN_METRIC_MAE;
    if (strcmp(name, "mse") == 0) return NN_METRIC_MSE;
    if (strcmp(name, "rmse") == 0) return NN_METRIC_RMSE;
    return -1;
}

nn_status cli_write_predictions(nn_model *m, const float *x, size_t n, FILE *f)
{
    size_t k = nn_model_output_dim(m), i, j, best;
    float *out = (float *)malloc((n ? n : 1) * k * sizeof(float));
    nn_status s;
    if (!out) return NN_ERR_NOMEM;
    if ((s = nn_model_predict(m, x, n, out)) != NN_OK) {
        free(out);
        return s;
    }
    if (k == 1) fputs("prediction\n", f);
    else {
        for (j = 0; j < k; j++) fprintf(f, "output_%zu,", j);
        fputs("class\n", f);
    }
    for (i = 0; i < n; i++) {
        const float *r = out + i * k;
        for (j = 0, best = 0; j < k; j++) {
            fprintf(f, j ? ",%.9g" : "%.9g", (double)r[j]);
            if (r[j] > r[best]) best = j;
        }
        if (k > 1) fprintf(f, ",%zu", best);
        fputc('\n', f);
    }
    free(out);
    return ferror(f) ? NN_ERR_IO : NN_OK;
}

static nn_model *load_or_complain(const char *path)
{
    nn_model *m = nn_model_load(path);
    if (!m) fprintf(stderr, "nn-train: cannot load %s: %s\n", path, nn_last_error());
    return m;
}

/* col[k] = the CSV column named like the model's feature k. 1 when all are found; 0 when the
   model has no names or none of them is a column (a file without a header: by position, as
   before); -1 (message printed) when only some are, since guessing the rest would feed
   weights the wrong feature. */
static int match_by_name(const nn_model *m, const nn_dataset *ds, size_t *col, const char *csv_path)
{
    size_t f = nn_model_input_dim(m), cols = nn_dataset_feature_count(ds), k, j, found = 0, missing = f;
    if (!nn_model_feature_name(m, 0)) return 0;
    for (k = 0; k < f; k++) {
        for (j = 0; j < cols && strcmp(nn_dataset_feature_name(ds, j), nn_model_feature_name(m, k)) != 0; j++) {}
        col[k] = j;
        if (j < cols) found++;
        else if (missing == f) missing = k;
    }
    if (found == f) return 1;
    if (found == 0) {
        fprintf(stderr, "nn-train: note: no column of %s is named like the model's features; using the columns by "
                "position\n", csv_path);
        return 0;
    }
    fprintf(stderr, "nn-train: %s has no column '%s' (the model was trained on %zu named features; %zu of them are "
            "here)\n", csv_path, nn_model_feature_name(m, missing), f, found);
    return -1;
}

int cli_predict(const char *model_path, const char *csv_path, const char *target)
{
    nn_model *m = load_or_complain(model_path);
    nn_dataset *ds = NULL;
    float *x = NULL;
    size_t cols, n, f, skip = (size_t)-1, i, j, k, *col = NULL;
    char err[512];
    int rc = 1, by_name = 0;
    nn_status s;
    if (!m) return 1;
    f = nn_model_input_dim(m);
    if (!(col = (size_t *)malloc(f * sizeof *col))) {
        fprintf(stderr, "nn-train: out of memory\n");
        goto done;
    }
    if (nn_model_feature_name(m, 0)) {
        /* read just the model's columns, by name: other columns are skipped unread (they may
           hold text); when that fails, the positional read below says why or falls back */
        if (!(ds = nn_dataset_create())) {
            fprintf(stderr, "nn-train: %s\n", nn_last_error());
            goto done;
        }
        s = nn_dataset_set_no_targets(ds, 1);
        for (k = 0; k < f && s == NN_OK; k++) s = nn_dataset_add_feature_name(ds, nn_model_feature_name(m, k));
        if (s == NN_OK && nn_dataset_read_csv(ds, csv_path) == NN_OK) {
            by_name = 1;
            for (k = 0; k < f; k++) col[k] = k;
        } else {
            nn_dataset_free(ds);
            ds = NULL;
        }
    }
    if (!ds) {
        if (!(ds = nn_dataset_create())) {
            fprintf(stderr, "nn-train: %s\n", nn_last_error());
            goto done;
        }
        if (nn_dataset_set_no_targets(ds, 1) != NN_OK || nn_dataset_read_csv(ds, csv_path) != NN_OK) {
            fprintf(stderr, "nn-train: %s: %s\n", csv_path, nn_dataset_error(ds));
            goto done;
        }
        by_name = match_by_name(m, ds, col, csv_path);
        if (by_name < 0) goto done;
    }
    cols = nn_dataset_feature_count(ds);
    n = nn_dataset_rows(ds);
    if (by_name) {
        /* every feature found by its name: column order and extra columns do not matter */
    } else if (cols == f + 1) { /* the file still has the target column: drop it */
        skip = cols - 1;
        if (target && all_digits(target)) skip = (size_t)strtoul(target, NULL, 10);
        else if (target)
            for (skip = 0; skip < cols && strcmp(nn_dataset_feature_name(ds, skip), target) != 0; skip++) {}
        if (skip >= cols) {
            fprintf(stderr, "nn-train: %s has no column '%s'\n", csv_path, target);
            goto done;
        }
    } else if (cols != f) {
        fprintf(stderr, "nn-train: %s has %zu columns; the model takes %zu features (plus, optionally, the target "
                "column)\n", csv_path, cols, f);
        goto done;
    }
    if (n == 0) {
        fprintf(stderr, "nn-train: %s has no data rows\n", csv_path);
        goto done;
    }
    if (!(x = (float *)malloc(n * f * sizeof(float)))) {
        fprintf(stderr, "nn-train: out of memory for %zu rows\n", n);
        goto done;
    }
    if (!by_name)
        for (j = 0, k = 0; j < cols; j++)
            if (j != skip) col[k++] = j;
    for (i = 0; i < n; i++)
        for (k = 0; k < f; k++) x[i * f + k] = nn_dataset_x(ds)[i * cols + col[k]];
    if (cli_impute_for_model(m, x, n, err, sizeof err) != 0) {
        fprintf(stderr, "nn-train: %s: %s\n", csv_path, err);
        goto done;
    }
    if ((s = cli_write_predictions(m, x, n, stdout)) != NN_OK) {
        fprintf(stderr, "nn-train: predict: %s: %s\n", nn_status_string(s), nn_model_error(m));
        goto done;
    }
    rc = 0;
done:
    free(x);
    free(col);
    nn_dataset_free(ds);
    nn_model_free(m);
    return rc;
}

static const char *scaler_kind(const nn_scaler *s)
{
    if (!s) return "none";
    if (!isnan(nn_scaler_stat(s, "mean", 0))) return "StandardScaler";
    if (!isnan(nn_scaler_stat(s, "data_min", 0))) return "MinMaxScaler";
    if (!isnan(nn_scaler_stat(s, "fill", 0))) return "SimpleImputer (mean)";
    return "unfitted";
}

static void print_names(const char *title, const nn_model *m, size_t n, int outputs)
{
    size_t i, shown = n < 12 ? n : 12;
    if (!(outputs ? nn_model_output_name(m, 0) : nn_model_feature_name(m, 0))) return;
    printf("%s:", title);
    for (i = 0; i < shown; i++) printf("%s %s", i ? "," : "", outputs ? nn_model_output_name(m, i) : nn_model_feature_name(m, i));
    if (shown < n) printf(", ... (%zu more)", n - shown);
    putchar('\n');
}

int cli_summary(const char *model_path)
{
    nn_model *m = load_or_complain(model_path);
    size_t need = 0;
    char *buf;
    if (!m) return 1;
    nn_model_summary(m, NULL, 0, &need);
    if (!(buf = (char *)malloc(need ? need : 1)) || nn_model_summary(m, buf, need, &need) != NN_OK) {
        fprintf(stderr, "nn-train: summary: %s\n", nn_model_error(m));
        free(buf);
        nn_model_free(m);
        return 1;
    }
    fputs(buf, stdout);
    printf("Inputs: %zu features, input scaler: %s; outputs: %zu, target scaler: %s\n", nn_model_input_dim(m),
           scaler_kind(nn_model_input_scaler(m)), nn_model_output_dim(m), scaler_kind(nn_model_target_scaler(m)));
    print_names("Feature names", m, nn_model_input_dim(m), 0);
    print_names("Output names", m, nn_model_output_dim(m), 1);
    if (nn_model_history_len(m) > 0)
        printf("Trained: %zu epochs recorded, last loss %.6g\n", nn_model_history_len(m),
               (double)nn_model_history(m, "loss", nn_model_history_len(m) - 1));
    free(buf);
    nn_model_free(m);
    return 0;
}
