/* nn-train helpers. The CSV reader here is a minimal one (numeric fields, header row);
   scaling is done on the data before training. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *r = (char *)malloc(n);
    if (r) memcpy(r, s, n);
    return r;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
}

/* Split a header line into names; returns the count. */
static size_t split_names(char *line, char ***out)
{
    size_t n = 1, i = 0;
    char *p, *tok, *save = NULL;
    for (p = line; *p; p++) n += *p == ',';
    *out = (char **)calloc(n, sizeof(char *));
    if (!*out) return 0;
    for (tok = strtok_r(line, ",", &save); tok && i < n; tok = strtok_r(NULL, ",", &save)) (*out)[i++] = dupstr(tok);
    return i;
}

static int read_table(const char *path, char ***names, size_t *cols, float **cells, size_t *rows, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t lcap = 0, n = 0, dcap = 0, lineno = 1;
    float *data = NULL;
    if (!f) return snprintf(err, cap, "cannot open %s", path), -1;
    if (getline(&line, &lcap, f) < 0) {
        fclose(f);
        free(line);
        return snprintf(err, cap, "%s is empty", path), -1;
    }
    chomp(line);
    *cols = split_names(line, names);
    while (getline(&line, &lcap, f) >= 0) {
        char *p = line, *end;
        size_t j;
        lineno++;
        chomp(line);
        if (!*line) continue;
        if ((n + 1) * *cols > dcap) {
            float *nd;
            dcap = dcap ? dcap * 2 : 1024 * *cols;
            nd = (float *)realloc(data, dcap * sizeof(float));
            if (!nd) break;
            data = nd;
        }
        for (j = 0; j < *cols; j++) {
            double v = strtod(p, &end);
            if (end == p || (*end != ',' && *end != '\0') || (*end == '\0' && j + 1 < *cols) ||
                (*end == ',' && j + 1 == *cols)) {
                snprintf(err, cap, "%s:%zu: field %zu is not a number or the row does not have %zu fields", path,
                         lineno, j + 1, *cols);
                fclose(f);
                free(line);
                free(data);
                return -1;
            }
            data[n * *cols + j] = (float)v;
            p = *end ? end + 1 : end;
        }
        n++;
    }
    fclose(f);
    free(line);
    if (n == 0) {
        free(data);
        return snprintf(err, cap, "%s has no data rows", path), -1;
    }
    *cells = data;
    *rows = n;
    return 0;
}

static void free_names(char **names, size_t n)
{
    size_t i;
    if (!names) return;
    for (i = 0; i < n; i++) free(names[i]);
    free(names);
}

int cli_read_csv(const char *path, const char *target, cli_data *d, char *err, size_t cap)
{
    char **names = NULL;
    size_t cols = 0, rows = 0, t, i, j, k;
    float *cells = NULL;
    memset(d, 0, sizeof *d);
    if (read_table(path, &names, &cols, &cells, &rows, err, cap) != 0) return -1;
    if (cols < 2) {
        free_names(names, cols);
        free(cells);
        return snprintf(err, cap, "%s needs at least one feature and a target column", path), -1;
    }
    t = cols - 1;
    if (target) {
        for (t = 0; t < cols && strcmp(names[t], target) != 0; t++) {}
        if (t == cols) {
            free_names(names, cols);
            free(cells);
            return snprintf(err, cap, "%s has no column '%s'", path, target), -1;
        }
    }
    d->rows = rows;
    d->features = cols - 1;
    d->x = (float *)malloc(rows * d->features * sizeof(float));
    d->y = (float *)malloc(rows * sizeof(float));
    d->names = (char **)calloc(d->features, sizeof(char *));
    if (!d->x || !d->y || !d->names) {
        free_names(names, cols);
        free(cells);
        cli_data_free(d);
        return snprintf(err, cap, "out of memory reading %s", path), -1;
    }
    snprintf(d->target_name, sizeof d->target_name, "%s", names[t]);
    for (j = 0, k = 0; j < cols; j++)
        if (j != t) d->names[k++] = dupstr(names[j]);
    for (i = 0; i < rows; i++)
        for (j = 0, k = 0; j < cols; j++) {
            if (j == t) d->y[i] = cells[i * cols + j];
            else d->x[i * d->features + k++] = cells[i * cols + j];
        }
    free_names(names, cols);
    free(cells);
    return 0;
}

void cli_data_free(cli_data *d)
{
    free(d->x);
    free(d->y);
    free_names(d->names, d->features);
    memset(d, 0, sizeof *d);
}

nn_status cli_set_scaler(nn_model *m, cli_data *d, const char *kind, size_t n_train)
{
    size_t i, j, n = d->rows, c = d->features;
    (void)m;
    if (strcmp(kind, "none") == 0) return NN_OK;
    for (j = 0; j < c; j++) {
        double a = 0.0, b = 1.0;
        if (strcmp(kind, "standard") == 0) {
            double mean = 0.0, var = 0.0;
            for (i = 0; i < n_train; i++) mean += d->x[i * c + j];
            mean /= (double)n_train;
            for (i = 0; i < n_train; i++) var += (d->x[i * c + j] - mean) * (d->x[i * c + j] - mean);
            a = mean;
            b = var > 0.0 ? sqrt(var / (double)n_train) : 1.0;
        } else {
            double lo = d->x[j], hi = d->x[j];
            for (i = 0; i < n_train; i++) {
                if (d->x[i * c + j] < lo) lo = d->x[i * c + j];
                if (d->x[i * c + j] > hi) hi = d->x[i * c + j];
            }
            a = lo;
            b = hi > lo ? hi - lo : 1.0;
        }
        for (i = 0; i < n; i++) d->x[i * c + j] = (float)((d->x[i * c + j] - a) / b);
    }
    return NN_OK;
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

int cli_has_batch_norm(void) { return 1; }
int cli_has_noise(void) { return 1; }
nn_status cli_add_batch_norm(nn_model *m) { return nn_model_add(m, nn_batch_norm()); }
nn_status cli_add_noise(nn_model *m, float stddev) { return nn_model_add(m, nn_gaussian_noise(stddev)); }

nn_status cli_save(nn_model *m, const cli_data *d, const char *path)
{
    (void)m;
    (void)d;
    fprintf(stderr, "nn-train: cannot save %s: this libnn has no nn_model_save yet\n", path);
    return NN_ERR_UNSUPPORTED;
}

int cli_predict(const char *model_path, const char *csv_path)
{
    (void)csv_path;
    fprintf(stderr, "nn-train: cannot load %s: this libnn has no nn_model_load yet\n", model_path);
    return 1;
}

int cli_summary(const char *model_path)
{
    fprintf(stderr, "nn-train: cannot load %s: this libnn has no nn_model_load yet\n", model_path);
    return 1;
}
