/* nn-train helpers: data loading (nn_dataset), scalers (nn_scaler), optimizers, predictions
   and the predict / summary subcommands. */
#ifndef NN_TRAIN_CLI_H
#define NN_TRAIN_CLI_H
#include "nn.h"
#include <stdint.h>
#include <stdio.h>

typedef struct cli_data {
    size_t rows, features;  /* rows with a target value */
    float *x, *y;           /* rows x features (missing cells NAN), rows x 1; owned copies */
    size_t missing;         /* missing feature cells */
    size_t dropped;         /* rows dropped because their target was missing */
    char target_name[128];
    nn_dataset *ds;         /* the parsed file (column names) */
} cli_data;

/* Read path with nn_dataset; target NULL = last column, else a header name or a 0-based index;
   ignore NULL or comma-separated names of columns to skip unread. Returns 0, or -1 with a
   one-line message in err. */
int cli_read_csv(const char *path, const char *target, const char *ignore, cli_data *d, char *err, size_t cap);
void cli_data_free(cli_data *d);
/* Scaler for --scale / --scale-target: "none" (NULL, *ok 1), "standard", "minmax". */
nn_scaler *cli_scaler(const char *kind);
/* The unfitted input scaler for --scale KIND on data with `missing` feature cells, in *out
   (NULL for none on complete data). With missing cells, "none" is a mean imputer and
   "standard" imputes the mean before scaling, so the model handles missing values itself;
   minmax is refused (NN_ERR_NONFINITE, message in err). */
nn_status cli_input_scaler(const char *kind, size_t missing, nn_scaler **out, char *err, size_t cap);
/* Attach the input scaler: fitted on the first n_train rows (missing cells ignored); missing
   cells in d->x are then replaced by the training mean (standard) or handled by an attached
   mean imputer (--scale none). Returns NN_OK or a status with a message in err. */
nn_status cli_attach_input_scaler(nn_model *m, cli_data *d, const char *kind, size_t n_train, char *err,
                                  size_t cap);
/* Replace missing cells of x (n rows) the way the model's input scaler expects; -1 with a
   message when the model cannot take missing values. */
int cli_impute_for_model(nn_model *m, float *x, size_t n, char *err, size_t cap);
/* Store the data's column names in the model: its features, and the target (one output) or
   "TARGET=k" per class output. */
nn_status cli_name_columns(nn_model *m, const cli_data *d);
int cli_optimizer_known(const char *name);
double cli_default_lr(const char *name);
nn_optimizer *cli_optimizer(const char *name, float lr);
int cli_metric(const char *name); /* nn_metric or -1 */
/* Predictions for n rows as CSV (header + one line per row) into f. */
nn_status cli_write_predictions(nn_model *m, const float *x, size_t n, FILE *f);
/* Subcommands; return the exit code. target: optional --target of predict. */
int cli_predict(const char *model_path, const char *csv_path, const char *target);
int cli_summary(const char *model_path);

/* Shared by the subcommands (nn_train.c). */
int cli_usage_error(const char *fmt, ...); /* one line on stderr, returns 2 */
int cli_fail(const char *fmt, ...);        /* one line on stderr, returns 1 */
int cli_parse_int(const char *s, long lo, long hi, long *out);
int cli_parse_float(const char *s, double lo, double hi, double *out);
extern const char *const CLI_ACT_NAMES[11];
extern const char *const CLI_LOSS_NAMES[6];
int cli_lookup(const char *s, const char *const *names, int n);
/* Options shared by train and search: --target, --ignore, --loss, --optimizer NAME[:LR],
   --epochs, --batch, --scale, --seed. */
typedef struct cli_common {
    const char *target, *ignore;
    int loss, epochs, batch;
    char opt[16], scale[16];
    double lr;
    uint64_t seed;
} cli_common;
void cli_common_defaults(cli_common *c, int epochs); /* mse, adam:1e-3, batch 32, no scaling, seed 42 */
/* One option with its value: 1 taken, 0 not a shared option, 2 usage error (already printed). */
int cli_common_option(const char *opt, const char *value, cli_common *c);
/* --layers SPEC: validate (0 + message on error) / add the layers. */
int cli_check_layers(const char *spec, char *msg, size_t cap);
nn_status cli_add_layers(nn_model *m, const char *spec);
/* search / search-merge subcommands (search.c); argv[0] is the subcommand. */
int cli_search(int argc, char **argv);
int cli_search_merge(int argc, char **argv);

#endif
