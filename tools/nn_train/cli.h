/* nn-train helpers: data loading, scaling, optimizers and model files. Everything that depends
   on optional parts of the library (CSV reader, scalers, save/load, extra layers) lives in cli.c. */
#ifndef NN_TRAIN_CLI_H
#define NN_TRAIN_CLI_H
#include "nn.h"

typedef struct cli_data {
    size_t rows, features;
    float *x, *y;          /* rows x features, rows x 1 */
    char **names;          /* feature names */
    char target_name[128];
    void *impl;
} cli_data;

/* Read path; target NULL = last column. Returns 0, or -1 with a one-line message in err. */
int cli_read_csv(const char *path, const char *target, cli_data *d, char *err, size_t cap);
void cli_data_free(cli_data *d);
/* Input scaling "none" | "standard" | "minmax" fitted on the first n_train rows. */
nn_status cli_set_scaler(nn_model *m, cli_data *d, const char *kind, size_t n_train);
int cli_optimizer_known(const char *name);
double cli_default_lr(const char *name);
nn_optimizer *cli_optimizer(const char *name, float lr);
int cli_metric(const char *name); /* nn_metric or -1 */
int cli_has_batch_norm(void);
int cli_has_noise(void);
nn_status cli_add_batch_norm(nn_model *m);
nn_status cli_add_noise(nn_model *m, float stddev);
/* Save the model (and what predict needs) to path. */
nn_status cli_save(nn_model *m, const cli_data *d, const char *path);
/* Subcommands; return the exit code. */
int cli_predict(const char *model_path, const char *csv_path);
int cli_summary(const char *model_path);

#endif
