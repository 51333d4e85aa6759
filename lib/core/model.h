/* The model: layers, the flat parameter store, preallocated workspace,
   training configuration and history. Internal; hosts see only nn_model *. */
#ifndef NNI_MODEL_H
#define NNI_MODEL_H
#include "nn.h"
#include "core/rng.h"
#include "gemm/gemm.h"
#include "layers/layer.h"

#define NNI_MAX_METRICS 8
#define NNI_MAX_KEYS (2 + 2 * NNI_MAX_METRICS + 1)

/* Buffers sized for `rows` rows; reused by every step, evaluate and predict. */
typedef struct nni_workspace {
    size_t rows;
    float **act;      /* per layer: rows x out_dim */
    float **scratch;  /* per layer: ops->scratch_floats */
    float *dbuf[2];   /* gradient ping-pong: rows x max width */
    float *xb, *yb;   /* gathered batch */
    float *loss_grad; /* rows x output_dim */
} nni_workspace;

/* What fit exposes to callbacks for its duration (all zero outside fit): the training rows
   (after the validation split), the validation rows, batch size and epochs. */
typedef struct nni_fit_data {
    const float *x, *y;
    size_t n;
    const float *vx, *vy;
    size_t vn;
    size_t batch;
    int epochs;
} nni_fit_data;

struct nni_findings;

typedef struct nni_history {
    size_t n_keys;
    char keys[NNI_MAX_KEYS][48];
    size_t len, cap;  /* epochs recorded / allocated */
    float *values;    /* cap x n_keys, epoch-major */
} nni_history;

struct nn_model {
    nn_allocator alloc;
    size_t in_dim;
    nn_layer **layers;
    size_t n_layers, cap_layers;
    int built, compiled;

    nn_optimizer *opt;
    nn_loss loss;
    float huber_delta;
    nn_metric metrics[NNI_MAX_METRICS];
    size_t n_metrics;
    int metric_weighted[NNI_MAX_METRICS]; /* Keras weighted_metrics */
    float *class_w;     /* Keras class_weight, n_class_w entries */
    size_t n_class_w;
    nn_callback **cbs;
    size_t n_cbs, cap_cbs;

    uint64_t seed;
    int seeded;
    int linear_shortcut;  /* wide-and-deep: linear path input -> output pre-activation */
    nni_rng rng;

    /* flat store: trainable weights first, then non-trainable state */
    float *params, *grads;
    size_t n_params, n_trainable;
    size_t *tensor_off;  /* n_tensors + 1 offsets of trainable tensors, for clipnorm */
    size_t n_tensors;

    nni_gemm gemm;
    nni_workspace ws;

    float val_split;
    float *val_x, *val_y;
    size_t val_n;
    size_t val_tdim;  /* target width the validation rows were copied with */
    int shuffle, verbose;
    int stop_requested;
    nn_status cb_status;  /* set (with the message) by a callback that must fail fit */
    int cur_epoch;        /* -1 outside fit */
    float batch_loss, running_loss;

    nni_history hist;
    float eval_values[NNI_MAX_KEYS];
    char eval_keys[NNI_MAX_KEYS][48];
    size_t n_eval;

    /* preprocessing attached with nn_model_set_input_scaler / _target_scaler (owned) */
    nn_scaler *in_scaler, *out_scaler;
    /* column names (names.c): one block each, pointers then strings; NULL = none */
    char **feat_names, **out_names;
    size_t n_feat_names, n_out_names;

    nn_log_fn log;
    void *log_user;
    char err[512];

    nni_fit_data fit;              /* set by nn_model_fit for its duration */
    struct nni_findings *findings; /* doctor and probe results; NULL until first used */
};

/* History/evaluate key of metric i ("mae", "weighted_mae", ...). */
void nni_metric_key_of(const nn_model *m, size_t i, char *buf, size_t cap);
/* Copy n names into one block from m's allocator (nn_model_set_feature_names' checks);
   what prefixes the messages. */
nn_status nni_names_copy(nn_model *m, const char *what, const char *const *names, size_t n, char ***out);
/* Width of the model output (last layer, or input). */
size_t nni_output_dim(const nn_model *m);
/* Rows expected per target row: 1 class index for sparse CCE, else output width. */
size_t nni_target_dim(const nn_model *m);
/* Allocate and initialise the flat store once all layers are known. */
nn_status nni_model_build(nn_model *m);
/* Make the workspace hold at least rows rows (all-or-nothing on failure). */
nn_status nni_workspace_reserve(nn_model *m, size_t rows);
/* Forward pass of rows rows from x; returns the output buffer (in the workspace). */
const float *nni_forward(nn_model *m, const float *x, size_t rows, int training);
/* The same, but the last layer writes into last_out (rows x output width, not overlapping x)
   instead of the workspace; last_out NULL is nni_forward. */
const float *nni_forward_to(nn_model *m, const float *x, size_t rows, int training, float *last_out);
/* Write a line through the log sink. */
void nni_log(const nn_model *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Check x (n x cols) for NaN/Inf; on failure set the message naming "name[row][col]". */
nn_status nni_check_finite(nn_model *m, const char *name, const float *x, size_t n, size_t cols);
/* Check targets: finite, and class indices in range for sparse CCE. */
nn_status nni_check_targets(nn_model *m, const char *name, const float *y, size_t n);

#endif
