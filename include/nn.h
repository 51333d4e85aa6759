/*
 * libnn: Keras-style Sequential neural networks in C.
 *
 * One public header. It compiles as C99 and as C++, includes nothing beyond
 * <stddef.h> and <stdint.h>, and exposes only opaque handles, so the ABI can
 * grow by appending functions and enum values. See docs/ABI.md.
 */
#ifndef NN_H
#define NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NN_VERSION_MAJOR 0
#define NN_VERSION_MINOR 1
#define NN_VERSION_PATCH 0

#if defined(_WIN32) && defined(NN_BUILDING_DLL)
#define NN_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define NN_API __attribute__((visibility("default")))
#else
#define NN_API
#endif

/* ---- Opaque handles ---------------------------------------------------- */

typedef struct nn_model nn_model;
typedef struct nn_layer nn_layer;
typedef struct nn_optimizer nn_optimizer;
typedef struct nn_callback nn_callback;
typedef struct nn_schedule nn_schedule;

/* ---- Enums: explicit values, append-only, int-sized via sentinels ------- */

typedef enum nn_status {
    NN_OK = 0,
    NN_ERR_INVALID_ARG = 1, /* NULL pointer, zero size, out-of-range value */
    NN_ERR_NOMEM = 2,       /* an allocation failed; the model is unchanged */
    NN_ERR_SHAPE = 3,       /* data dimensions do not match the model */
    NN_ERR_STATE = 4,       /* e.g. fit before compile, add after compile */
    NN_ERR_IO = 5,          /* file could not be read or written */
    NN_ERR_FORMAT = 6,      /* not a valid libnn model / CSV */
    NN_ERR_NONFINITE = 7,   /* NaN or Inf in input data or in the loss */
    NN_ERR_UNSUPPORTED = 8, /* feature not built in */
    NN_STATUS_MAX_ = 0x7FFFFFFF
} nn_status;

typedef enum nn_activation {
    NN_LINEAR = 0,
    NN_RELU = 1,
    NN_LEAKY_RELU = 2, /* slope 0.2 (keras.activations.leaky_relu) */
    NN_ELU = 3,        /* alpha 1.0 */
    NN_SELU = 4,
    NN_SIGMOID = 5,
    NN_TANH = 6,
    NN_SOFTMAX = 7,
    NN_SOFTPLUS = 8,
    NN_GELU = 9,       /* exact (erf) form, Keras' default approximate=False */
    NN_SWISH = 10,
    NN_ACTIVATION_MAX_ = 0x7FFFFFFF
} nn_activation;

typedef enum nn_loss {
    NN_LOSS_MSE = 0,
    NN_LOSS_MAE = 1,
    NN_LOSS_HUBER = 2, /* delta 1.0, see nn_model_set_huber_delta */
    NN_LOSS_BINARY_CROSSENTROPY = 3,
    NN_LOSS_CATEGORICAL_CROSSENTROPY = 4,
    NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY = 5,
    NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS = 6,
    NN_LOSS_MAX_ = 0x7FFFFFFF
} nn_loss;

typedef enum nn_initializer {
    NN_INIT_GLOROT_UNIFORM = 0,
    NN_INIT_GLOROT_NORMAL = 1,
    NN_INIT_HE_NORMAL = 2,
    NN_INIT_HE_UNIFORM = 3,
    NN_INIT_LECUN_NORMAL = 4,
    NN_INIT_ZEROS = 5,
    NN_INIT_ONES = 6,
    NN_INITIALIZER_MAX_ = 0x7FFFFFFF
} nn_initializer;

typedef enum nn_metric {
    NN_METRIC_ACCURACY = 0,
    NN_METRIC_MAE = 1,
    NN_METRIC_MSE = 2,
    NN_METRIC_RMSE = 3,
    NN_METRIC_MAX_ = 0x7FFFFFFF
} nn_metric;

/* ---- Version and errors ------------------------------------------------ */

/* "MAJOR.MINOR.PATCH" of the library actually linked. */
NN_API const char *nn_version(void);
/* Static text for a status code ("invalid argument", ...). */
NN_API const char *nn_status_string(nn_status s);
/* Detailed message of the model's last failure; "" after a successful add, compile, fit, evaluate or predict. */
NN_API const char *nn_model_error(const nn_model *m);
/* Thread-local: why the last constructor (or call without a model) in this thread failed. */
NN_API const char *nn_last_error(void);

/* ---- Allocator (frozen layout) ----------------------------------------- */

typedef struct nn_allocator {
    void *(*alloc)(void *user, size_t size); /* returns NULL on failure */
    void (*free)(void *user, void *ptr);     /* must accept NULL */
    void *user;
} nn_allocator;

/* Allocator used by constructors and models created without one; NULL restores malloc/free.
   Call once at start-up, before any other call. */
NN_API nn_status nn_set_default_allocator(const nn_allocator *a);

/* ---- Log sink ---------------------------------------------------------- */

/* Receives each line of verbose output (no trailing newline unless a progress update). */
typedef void (*nn_log_fn)(void *user, const char *text);
/* Replace where this model's verbose output goes; fn NULL restores stderr. */
NN_API nn_status nn_model_set_log_sink(nn_model *m, nn_log_fn fn, void *user);

/* ---- Model ------------------------------------------------------------- */

/* New empty Sequential model taking rows of input_dim features; NULL on failure (see nn_last_error). */
NN_API nn_model *nn_model_create(size_t input_dim);
/* Same, but every byte the model allocates goes through a (copied; a->user must outlive the model). */
NN_API nn_model *nn_model_create_with_allocator(size_t input_dim, const nn_allocator *a);
/* Free the model and everything it owns; accepts NULL. */
NN_API void nn_model_free(nn_model *m);
/* Append a layer; the model owns it from now on, also when this fails. */
NN_API nn_status nn_model_add(nn_model *m, nn_layer *layer);
/* Build weights, attach optimizer (owned by the model from now on, also on failure) and loss. */
NN_API nn_status nn_model_compile(nn_model *m, nn_optimizer *opt, nn_loss loss);
/* Seed for weights, shuffling and dropout: same seed + same data => same bits. Set before compile. */
NN_API nn_status nn_model_set_seed(nn_model *m, uint64_t seed);
/* Worker threads for large matrix products (default 1). Results are bit-identical for any
   count. Workers spin briefly between products before sleeping: use at most the free cores.
   NN_ERR_UNSUPPORTED when built without threads. */
NN_API nn_status nn_model_set_threads(nn_model *m, int threads);
/* Wide-and-deep linear shortcut (default 0): a trainable linear path (kernel input_dim x
   output units, glorot_uniform) from the inputs straight into the output Dense layer's
   pre-activation, summed with the deep path before the output activation (so softmax/sigmoid
   outputs and their fused losses work). It is the output layer's last weight tensor. Set
   before compile; NN_ERR_STATE at compile when the output layer is not Dense. */
NN_API nn_status nn_model_set_linear_shortcut(nn_model *m, int enable);
/* Whether the linear shortcut is on. */
NN_API int nn_model_linear_shortcut(const nn_model *m);
/* Number of input features. */
NN_API size_t nn_model_input_dim(const nn_model *m);
/* Width of the last layer (input_dim when there are no layers). */
NN_API size_t nn_model_output_dim(const nn_model *m);
/* Total number of weights (trainable and not), as Keras' count_params. */
NN_API size_t nn_model_param_count(const nn_model *m);
/* Number of trainable weights. */
NN_API size_t nn_model_trainable_param_count(const nn_model *m);
/* Number of layers added so far. */
NN_API size_t nn_model_layer_count(const nn_model *m);
/* Keras-like summary table into buf (always NUL-terminated); *needed gets the full length + 1.
   With buf NULL and cap 0 only *needed is set; with verbose != 0 use nn_model_print_summary. */
NN_API nn_status nn_model_summary(const nn_model *m, char *buf, size_t cap, size_t *needed);
/* Write the summary through the model's log sink. */
NN_API nn_status nn_model_print_summary(nn_model *m);
/* Huber loss delta (Keras default 1.0). */
NN_API nn_status nn_model_set_huber_delta(nn_model *m, float delta);

/* ---- Training ---------------------------------------------------------- */

/* Train for epochs over n rows of x (n*input_dim) and y (n*output_dim, or n class indices for
   sparse categorical crossentropy). Preallocates everything before the first step. */
NN_API nn_status nn_model_fit(nn_model *m, const float *x, const float *y, size_t n, int epochs,
                              int batch_size);
/* Hold out the LAST fraction of the rows (taken before shuffling) for validation; 0 disables. */
NN_API nn_status nn_model_set_validation_split(nn_model *m, float fraction);
/* Validation rows (copied); x NULL clears. Takes precedence over the split. NaN in x is kept
   when an input scaler is attached (one that imputes removes it; fit checks the result). */
NN_API nn_status nn_model_set_validation_data(nn_model *m, const float *x, const float *y, size_t n);
/* Reshuffle training rows every epoch (default 1). */
NN_API nn_status nn_model_set_shuffle(nn_model *m, int shuffle);
/* 0 silent (default), 1 progress bar per epoch, 2 one line per epoch; via the log sink. */
NN_API nn_status nn_model_set_verbose(nn_model *m, int verbose);
/* Track a metric in history and evaluate (key "accuracy", "mae", "mse", "rmse"). */
NN_API nn_status nn_model_add_metric(nn_model *m, nn_metric metric);
/* Attach a callback; the model owns it from now on, also when this fails. */
NN_API nn_status nn_model_add_callback(nn_model *m, nn_callback *cb);
/* Current learning rate of the compiled optimizer (NAN before compile). */
NN_API float nn_model_learning_rate(const nn_model *m);
/* Set the learning rate of the compiled optimizer. */
NN_API nn_status nn_model_set_learning_rate(nn_model *m, float lr);
/* Ask a running fit to stop after the current epoch (from a callback). */
NN_API nn_status nn_model_stop_training(nn_model *m);

/* Train with a weight per row (n floats, finite, >= 0; NULL = all 1): the loss is
   sum(w_i * l_i) / rows per batch and weighted metrics are weighted means (Keras).
   With a validation split the last rows' weights weight val_loss. Otherwise as nn_model_fit. */
NN_API nn_status nn_model_fit_weighted(nn_model *m, const float *x, const float *y,
                                       const float *sample_weight, size_t n, int epochs,
                                       int batch_size);
/* Keras class_weight: row weight = w[class of the row] (class index for sparse CCE,
   argmax for one-hot, round(y) for one output unit); training rows only. NULL clears.
   Cannot be combined with sample weights (as in Keras). */
NN_API nn_status nn_model_set_class_weights(nn_model *m, const float *w, size_t n_classes);
/* Track a metric weighted by sample/class weights (Keras weighted_metrics); its key is
   the plain name, or "weighted_<name>" when the same metric is also added unweighted. */
NN_API nn_status nn_model_add_weighted_metric(nn_model *m, nn_metric metric);
/* During fit: loss of the last finished batch (NAN outside fit and before the first batch). */
NN_API float nn_model_batch_loss(const nn_model *m);
/* During fit: mean loss of the current epoch's batches so far (Keras' logs["loss"]). */
NN_API float nn_model_running_loss(const nn_model *m);
/* During fit: index of the current epoch (0-based); -1 outside fit. */
NN_API int nn_model_current_epoch(const nn_model *m);

/* ---- Weights ----------------------------------------------------------- */

/* Copy all weights into out in Keras get_weights order (per layer, per tensor as
   nn_layer_weights lists them, non-trainable moving statistics included). *needed gets
   the count; out NULL with cap 0 only sets it; cap too small -> NN_ERR_SHAPE. */
NN_API nn_status nn_model_get_weights(nn_model *m, float *out, size_t cap, size_t *needed);
/* Replace all weights from w (n must equal nn_model_param_count), same order as get. */
NN_API nn_status nn_model_set_weights(nn_model *m, const float *w, size_t n);
/* New model with the same layers, configuration, loss, metrics, weights, attached scalers and
   column names; a fresh optimizer of the same kind and hyper-parameters (zero state and
   iterations). Not copied: callbacks, history, validation data. NULL on failure (see
   nn_last_error). */
NN_API nn_model *nn_model_clone(const nn_model *m);

/* ---- Results ----------------------------------------------------------- */

/* Number of epochs recorded by the last fit. */
NN_API size_t nn_model_history_len(const nn_model *m);
/* History value for key ("loss", "val_loss", "mae", "val_mae", "accuracy", "learning_rate", ...)
   at epoch (0-based); NAN when absent. */
NN_API float nn_model_history(const nn_model *m, const char *key, size_t epoch);
/* Number of history keys, and the i-th key (in Keras order: loss, metrics, val_*, learning_rate). */
NN_API size_t nn_model_history_key_count(const nn_model *m);
NN_API const char *nn_model_history_key(const nn_model *m, size_t i);
/* Loss (with regularization) over n rows in inference mode; metrics readable with
   nn_model_evaluated_metric. */
NN_API nn_status nn_model_evaluate(nn_model *m, const float *x, const float *y, size_t n, float *loss);
/* Value of a metric from the last nn_model_evaluate (key as in history, e.g. "mae"); NAN if absent. */
NN_API float nn_model_evaluated_metric(const nn_model *m, const char *key);
/* Outputs for n rows into out (n*output_dim floats). Allocates nothing once the model is built. */
NN_API nn_status nn_model_predict(nn_model *m, const float *x, size_t n, float *out);
/* One row, the same bits as nn_model_predict; allocates nothing once the model is built. The
   low-latency path: x is checked for NaN/Inf by one branch-free scan of its input_dim floats
   (NN_ERR_NONFINITE as predict), the last layer writes straight into out (x and out may overlap;
   that takes the general path). */
NN_API nn_status nn_model_predict_one(nn_model *m, const float *x, float *out);

/* ---- Layers ------------------------------------------------------------ */

/* Fully connected layer with fused activation; kernel glorot_uniform, bias zeros. */
NN_API nn_layer *nn_dense(size_t units, nn_activation act);
/* Inverted dropout active only in training, seeded from the model's generator. */
NN_API nn_layer *nn_dropout(float rate);
/* Free a layer that was never added to a model; accepts NULL. */
NN_API void nn_layer_free(nn_layer *l);
/* Kernel initializer of a Dense layer (default NN_INIT_GLOROT_UNIFORM). */
NN_API nn_status nn_layer_set_kernel_initializer(nn_layer *l, nn_initializer init);
/* Bias initializer of a Dense layer (default NN_INIT_ZEROS). */
NN_API nn_status nn_layer_set_bias_initializer(nn_layer *l, nn_initializer init);
/* Kernel penalty l1*sum|w| + l2*sum w^2 (Keras L1L2), added to the loss. */
NN_API nn_status nn_layer_set_kernel_regularizer(nn_layer *l, float l1, float l2);
/* Slope for x < 0 of NN_LEAKY_RELU (default 0.2). */
NN_API nn_status nn_layer_set_leaky_slope(nn_layer *l, float slope);
/* Batch normalization (Keras defaults: momentum 0.99, epsilon 1e-3, center and scale):
   gamma, beta trainable; moving mean/variance (0/1) used at inference and updated in training. */
NN_API nn_layer *nn_batch_norm(void);
/* Layer normalization over each row's features (epsilon 1e-3, gamma and beta). */
NN_API nn_layer *nn_layer_norm(void);
/* Additive N(0, stddev^2) noise in training only (seeded from the model), identity at inference. */
NN_API nn_layer *nn_gaussian_noise(float stddev);
/* Multiplicative N(1, rate/(1-rate)) noise in training only, identity at inference. */
NN_API nn_layer *nn_gaussian_dropout(float rate);
/* Standalone activation (keras.layers.Activation); fuses with crossentropy as the last layer. */
NN_API nn_layer *nn_activation_layer(nn_activation act);
/* Bias penalty l1*sum|b| + l2*sum b^2 (Keras bias_regularizer), added to the loss. */
NN_API nn_status nn_layer_set_bias_regularizer(nn_layer *l, float l1, float l2);
/* Dense use_bias (default 1); set before nn_model_compile. */
NN_API nn_status nn_layer_set_use_bias(nn_layer *l, int use_bias);
/* Keras MaxNorm(max_value, axis=0) on a Dense kernel, applied after each update; 0 = none. */
NN_API nn_status nn_layer_set_kernel_max_norm(nn_layer *l, float max_value);
/* BatchNorm moving-statistics momentum (default 0.99). */
NN_API nn_status nn_layer_set_momentum(nn_layer *l, float momentum);
/* BatchNorm/LayerNorm epsilon (default 1e-3). */
NN_API nn_status nn_layer_set_epsilon(nn_layer *l, float epsilon);
/* BatchNorm/LayerNorm: learn beta (center, default 1); set before compile. */
NN_API nn_status nn_layer_set_center(nn_layer *l, int center);
/* BatchNorm/LayerNorm: learn gamma (scale, default 1); set before compile. */
NN_API nn_status nn_layer_set_scale(nn_layer *l, int scale);
/* Number of weight tensors of a layer (Dense: kernel, bias; BatchNorm: gamma, beta,
   moving_mean, moving_variance), known once the layer is added. */
NN_API size_t nn_layer_weight_tensors(const nn_layer *l);
/* Number of floats in weight tensor i (0 when out of range). */
NN_API size_t nn_layer_weight_count(const nn_layer *l, size_t i);
/* Copy weight tensor i (row-major, kernel in_dim x units) into out; NN_ERR_STATE before compile. */
NN_API nn_status nn_layer_weights(const nn_layer *l, size_t i, float *out, size_t cap);
/* Replace weight tensor i from w (n must equal nn_layer_weight_count). */
NN_API nn_status nn_layer_set_weights(nn_layer *l, size_t i, const float *w, size_t n);
/* Layer i of the model (borrowed), NULL when out of range. */
NN_API nn_layer *nn_model_layer(nn_model *m, size_t i);
/* Output width of a layer (0 until it knows its input). */
NN_API size_t nn_layer_output_dim(const nn_layer *l);

/* ---- Optimizers -------------------------------------------------------- */

/* SGD (Keras default lr 0.01, momentum 0, nesterov off). */
NN_API nn_optimizer *nn_sgd(float lr, float momentum, int nesterov);
/* Adam (beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad off). */
NN_API nn_optimizer *nn_adam(float lr);
/* AdamW: Adam with decoupled weight decay (Keras default 0.004). */
NN_API nn_optimizer *nn_adamw(float lr, float weight_decay);
/* RMSprop (rho 0.9, momentum 0, epsilon 1e-7, centered off). */
NN_API nn_optimizer *nn_rmsprop(float lr);
/* Adagrad (initial accumulator 0.1, epsilon 1e-7). */
NN_API nn_optimizer *nn_adagrad(float lr);
/* Free an optimizer never handed to a model; accepts NULL. */
NN_API void nn_optimizer_free(nn_optimizer *o);
NN_API nn_status nn_optimizer_set_beta1(nn_optimizer *o, float beta1);       /* Adam/AdamW */
NN_API nn_status nn_optimizer_set_beta2(nn_optimizer *o, float beta2);       /* Adam/AdamW */
NN_API nn_status nn_optimizer_set_epsilon(nn_optimizer *o, float epsilon);   /* Adam/AdamW/RMSprop/Adagrad */
NN_API nn_status nn_optimizer_set_amsgrad(nn_optimizer *o, int amsgrad);     /* Adam/AdamW */
NN_API nn_status nn_optimizer_set_rho(nn_optimizer *o, float rho);           /* RMSprop */
NN_API nn_status nn_optimizer_set_momentum(nn_optimizer *o, float momentum); /* SGD/RMSprop */
NN_API nn_status nn_optimizer_set_centered(nn_optimizer *o, int centered);   /* RMSprop */
NN_API nn_status nn_optimizer_set_initial_accumulator(nn_optimizer *o, float v); /* Adagrad */
NN_API nn_status nn_optimizer_set_weight_decay(nn_optimizer *o, float wd);   /* AdamW */
/* Clip each weight tensor's gradient to this L2 norm (0 = off). */
NN_API nn_status nn_optimizer_set_clipnorm(nn_optimizer *o, float clipnorm);
/* Clip the gradient of all weights together to this L2 norm (0 = off). */
NN_API nn_status nn_optimizer_set_global_clipnorm(nn_optimizer *o, float clipnorm);
/* Clip every gradient element to [-v, v] (0 = off). */
NN_API nn_status nn_optimizer_set_clipvalue(nn_optimizer *o, float clipvalue);

/* Attach a learning-rate schedule (owned by the optimizer from now on, also on failure;
   NULL detaches): the lr is schedule(step) before every update (Keras LearningRateSchedule). */
NN_API nn_status nn_optimizer_set_schedule(nn_optimizer *o, nn_schedule *s);

/* ---- Learning-rate schedules (keras.optimizers.schedules) --------------- */

/* initial_lr * decay_rate^(step / decay_steps), the exponent floored when staircase. */
NN_API nn_schedule *nn_schedule_exponential_decay(float initial_lr, int64_t decay_steps,
                                                  float decay_rate, int staircase);
/* initial_lr / (1 + decay_rate * step / decay_steps), the ratio floored when staircase. */
NN_API nn_schedule *nn_schedule_inverse_time_decay(float initial_lr, int64_t decay_steps,
                                                   float decay_rate, int staircase);
/* values[0] while step <= boundaries[0], values[i] while step <= boundaries[i], then
   values[n_boundaries] (n_boundaries + 1 values, at most 32 boundaries). */
NN_API nn_schedule *nn_schedule_piecewise_constant(const int64_t *boundaries, const float *values,
                                                   size_t n_boundaries);
/* Cosine decay from initial_lr to alpha*initial_lr over decay_steps, then constant. */
NN_API nn_schedule *nn_schedule_cosine_decay(float initial_lr, int64_t decay_steps, float alpha);
/* Cosine decay only: linear warmup from initial_lr to warmup_target over warmup_steps, then
   cosine decay from warmup_target (Keras warmup_target/warmup_steps). */
NN_API nn_status nn_schedule_set_warmup(nn_schedule *s, int64_t warmup_steps, float warmup_target);
/* Count epochs (0-based) instead of optimizer steps (default 0: per step, as Keras). */
NN_API nn_status nn_schedule_set_per_epoch(nn_schedule *s, int per_epoch);
/* Learning rate at a step (or epoch). */
NN_API float nn_schedule_value(const nn_schedule *s, int64_t step);
/* Free a schedule never attached to an optimizer; accepts NULL. */
NN_API void nn_schedule_free(nn_schedule *s);

/* ---- Callbacks --------------------------------------------------------- */

/* Stop when monitor has not improved by min_delta for patience epochs; optionally restore the
   best weights (Keras semantics, mode decided from the name). */
NN_API nn_callback *nn_early_stopping(const char *monitor, float min_delta, int patience,
                                      int restore_best_weights);
/* Hooks of a custom callback; any may be NULL. Returning non-zero stops training. */
typedef int (*nn_epoch_fn)(nn_model *m, int epoch, void *user);
typedef int (*nn_batch_fn)(nn_model *m, int batch, float batch_loss, void *user);
/* Callback from function pointers: epoch begin/end and batch end. */
NN_API nn_callback *nn_callback_custom(nn_epoch_fn on_epoch_begin, nn_epoch_fn on_epoch_end,
                                       nn_batch_fn on_batch_end, void *user);
/* Train begin/end hooks; on_train_begin returning non-zero stops before the first epoch. */
typedef int (*nn_train_fn)(nn_model *m, void *user);
/* Add train begin/end hooks to a custom callback (any may be NULL). */
NN_API nn_status nn_callback_set_train_hooks(nn_callback *cb, nn_train_fn on_train_begin,
                                             nn_train_fn on_train_end);
/* Add a batch-begin hook to a custom callback (batch_loss is NAN there); non-zero stops. */
NN_API nn_status nn_callback_set_batch_begin(nn_callback *cb, nn_batch_fn on_batch_begin);
/* EarlyStopping/ReduceLROnPlateau/ModelCheckpoint: "auto" (default: max for accuracy-like
   names, else min), "min" or "max". */
NN_API nn_status nn_callback_set_mode(nn_callback *cb, const char *mode);
/* EarlyStopping: patience only resets on epochs that also beat this baseline. */
NN_API nn_status nn_callback_set_baseline(nn_callback *cb, float baseline);
/* EarlyStopping: ignore the first n epochs (Keras start_from_epoch, default 0). */
NN_API nn_status nn_callback_set_start_from_epoch(nn_callback *cb, int n);
/* ReduceLROnPlateau/EarlyStopping: minimum change counted as improvement (ReduceLR default 1e-4). */
NN_API nn_status nn_callback_set_min_delta(nn_callback *cb, float min_delta);
/* ReduceLROnPlateau: epochs to wait after a reduction before counting again (default 0). */
NN_API nn_status nn_callback_set_cooldown(nn_callback *cb, int cooldown);
/* Multiply the lr by factor (Keras default 0.1, must be < 1) after patience (default 10)
   epochs without improvement of monitor (by min_delta 1e-4), not below min_lr; the new lr
   shows in the next epoch's history "learning_rate". */
NN_API nn_callback *nn_reduce_lr_on_plateau(const char *monitor, float factor, int patience,
                                            float min_lr);
/* At each epoch begin set lr = fn(epoch, current lr, user) (Keras LearningRateScheduler);
   a non-finite or negative result stops fit with NN_ERR_INVALID_ARG. */
NN_API nn_callback *nn_lr_scheduler(float (*fn)(int epoch, float lr, void *user), void *user);
/* Save the weights at each epoch end (or only when monitor improves, save_best_only),
   atomically (temporary file in the same directory, then rename). "{epoch}" or
   "{epoch:02d}" in path is replaced by the 1-based epoch. A failed write stops fit with
   NN_ERR_IO and leaves the previous file intact. */
NN_API nn_callback *nn_model_checkpoint(const char *path, const char *monitor, int save_best_only);
/* ModelCheckpoint: save weights only (Keras save_weights_only; default 0 = whole model). */
NN_API nn_status nn_callback_set_save_weights_only(nn_callback *cb, int weights_only);
/* Write "epoch,<history keys sorted by name>" then one row per epoch (0-based epoch), as
   Keras CSVLogger; the file is flushed after every row. */
NN_API nn_callback *nn_csv_logger(const char *path);
/* CSVLogger: append to an existing file (no second header) instead of overwriting. */
NN_API nn_status nn_callback_set_append(nn_callback *cb, int append);
/* Stop at the first batch whose loss is NaN/Inf (Keras TerminateOnNaN): that batch's update
   is not applied, the epoch is recorded (loss NaN), callbacks' train end runs (e.g.
   EarlyStopping restores), and fit returns NN_ERR_NONFINITE. */
NN_API nn_callback *nn_terminate_on_nan(void);
/* Free a callback never handed to a model; accepts NULL. */
NN_API void nn_callback_free(nn_callback *cb);
/* Free every callback attached to the model (Keras passes callbacks per fit call). */
NN_API nn_status nn_model_clear_callbacks(nn_model *m);
/* Number of callbacks attached to the model. */
NN_API size_t nn_model_callback_count(const nn_model *m);

/* ---- Plots ------------------------------------------------------------- */

/* Learning curves of the last fit as an SVG file: loss and each metric in its own panel, train
   and validation series, best epoch (min val_loss, else min loss) marked. Written atomically. */
NN_API nn_status nn_model_plot_history(const nn_model *m, const char *path);
/* Same, with log_scale 1 for a logarithmic y axis (0 linear). */
NN_API nn_status nn_model_plot_history_ex(const nn_model *m, const char *path, int log_scale);

/* ---- Static memory (firmware) ------------------------------------------ */

/* An allocator over caller memory buf[0, size) for hosts without malloc: bump allocation,
   16-byte aligned, each block costing its size rounded up to 16 plus 16 bytes; freeing the most
   recent block returns it, other frees are kept until the arena is re-initialised. The
   bookkeeping (64 bytes) lives at the start of buf, so nothing else is needed; *out is valid
   while buf is. Use it with nn_model_create_with_allocator and nn_set_default_allocator (the
   layer, optimizer and callback constructors allocate from the default allocator). */
NN_API nn_status nn_arena_init(void *buf, size_t size, nn_allocator *out);
/* High-water mark of an arena from nn_arena_init: bytes of buf used so far (bookkeeping
   included); 0 for other allocators. Measure with it, then place. */
NN_API size_t nn_arena_used(const nn_allocator *arena);
/* Bytes that nn_model_compile and nn_model_fit with this batch size will allocate from the
   model's allocator (counted as nn_arena charges them: size rounded up to 16, plus 16), for
   a model whose layers are added; an upper bound that is tight to a few per cent. Before
   compile it assumes an optimizer with 2 state floats per weight (Adam; AMSGrad needs 3). Not
   included, per fit call: the shuffle order (n_train * sizeof(size_t)), the history
   (4 * epochs * number of history keys) and copies made for attached scalers, class or
   sample weights, each also rounded as above. 0 on NULL. */
NN_API size_t nn_model_memory_required(const nn_model *m, size_t batch_size);

/* ---- Model files (format: docs/file-format.md) ------------------------- */

/* Write the whole model (architecture, weights, non-trainable state, loss, metrics, optimizer
   with its state and iteration count, seed and generator state, training settings, validation
   data, attached scalers) to path, atomically: on failure the previous file is untouched. */
NN_API nn_status nn_model_save(const nn_model *m, const char *path);
/* Same into buf[0, cap); *needed (may be NULL when buf is big enough) gets the exact size. With
   buf NULL and cap 0 only *needed is set; a smaller cap fails with NN_ERR_INVALID_ARG. */
NN_API nn_status nn_model_save_buffer(const nn_model *m, void *buf, size_t cap, size_t *needed);
/* Model from a file written by nn_model_save; NULL on failure with the reason (and byte offset
   for damaged files, NN_ERR_FORMAT) in nn_last_error(). Training resumes exactly. */
NN_API nn_model *nn_model_load(const char *path);
/* Same, every byte (also while reading) through a (copied; a->user must outlive the model). */
NN_API nn_model *nn_model_load_with_allocator(const char *path, const nn_allocator *a);
/* Model from len bytes in memory; never reads outside buf. */
NN_API nn_model *nn_model_load_buffer(const void *buf, size_t len);
NN_API nn_model *nn_model_load_buffer_with_allocator(const void *buf, size_t len, const nn_allocator *a);
/* Why the last nn_model_load* call in this thread failed, as a status (NN_OK after success). */
NN_API nn_status nn_last_load_status(void);
/* Weights and non-trainable state only (same file format, no optimizer or settings). */
NN_API nn_status nn_model_save_weights(const nn_model *m, const char *path);
NN_API nn_status nn_model_save_weights_buffer(const nn_model *m, void *buf, size_t cap, size_t *needed);
/* Load weights into m; the architecture (input width, layer kinds, widths, weight shapes) must
   match the file's, else NN_ERR_SHAPE naming the first difference. Builds m if needed. Also reads
   full model files (their weights). */
NN_API nn_status nn_model_load_weights(nn_model *m, const char *path);
NN_API nn_status nn_model_load_weights_buffer(nn_model *m, const void *buf, size_t len);

/* ---- Preprocessing ----------------------------------------------------- */

typedef struct nn_scaler nn_scaler;

typedef enum nn_impute_strategy {
    NN_IMPUTE_MEAN = 0,
    NN_IMPUTE_MEDIAN = 1,
    NN_IMPUTE_CONSTANT = 2,
    NN_IMPUTE_KNN = 3,      /* scikit-learn KNNImputer (see nn_imputer_set_neighbors) */
    NN_IMPUTE_STRATEGY_MAX_ = 0x7FFFFFFF
} nn_impute_strategy;

/* scikit-learn StandardScaler: (x - mean) / std (population std; a constant column gets 1).
   Missing values (NaN) are ignored by fit and stay NaN. */
NN_API nn_scaler *nn_standard_scaler(void);
/* Make a standard scaler impute missing values with the column mean before scaling, as
   scikit-learn's Pipeline([SimpleImputer(), StandardScaler()]): the std counts the imputed
   cells, transform maps NaN to 0. Set before fit; saved with the model. Standard scalers only. */
NN_API nn_status nn_scaler_set_impute_mean(nn_scaler *s, int on);
/* scikit-learn MinMaxScaler(feature_range=(lo, hi)); a constant column gets range 1. */
NN_API nn_scaler *nn_minmax_scaler(float lo, float hi);
/* scikit-learn SimpleImputer: NaN -> column mean / median of the observed values, or fill_value
   (also used for a column with no observed value). inverse_transform is the identity. */
NN_API nn_scaler *nn_imputer(nn_impute_strategy strategy, float fill_value);
/* NN_IMPUTE_KNN (scikit-learn KNNImputer, weights "uniform", metric "nan_euclidean"): fit keeps a
   copy of the training rows (n x cols floats; also stored in the model file); transform fills a
   missing x[i][j] with the mean of column j over the k training rows nearest to row i among those
   that have column j, distance sqrt(cols / p * sum of squared differences over the p coordinates
   present in both rows). Ties keep the earlier training row. A row with no usable neighbour gets
   the column mean, a column never observed gets fill_value. Transform allocates nothing (a
   k-entry table on the stack); it costs O(training rows x cols) per missing value. */
#define NN_IMPUTER_MAX_NEIGHBORS 128
/* Neighbours k for NN_IMPUTE_KNN (default 5, as scikit-learn), 1..NN_IMPUTER_MAX_NEIGHBORS;
   set before fit. NN_ERR_INVALID_ARG for other imputers or scalers. */
NN_API nn_status nn_imputer_set_neighbors(nn_scaler *s, int k);
NN_API void nn_scaler_free(nn_scaler *s);
/* Learn the statistics from n rows of cols columns (fit it on training rows only). */
NN_API nn_status nn_scaler_fit(nn_scaler *s, const float *x, size_t n, size_t cols);
/* out = transform(x) for n rows of the fitted width; out may equal x. Allocates nothing, except
   the KNN imputer in place (out == x), which copies one row (cols floats) per call. */
NN_API nn_status nn_scaler_transform(const nn_scaler *s, const float *x, size_t n, float *out);
NN_API nn_status nn_scaler_inverse_transform(const nn_scaler *s, const float *x, size_t n, float *out);
/* Columns it was fitted on (0 before fit). */
NN_API size_t nn_scaler_dim(const nn_scaler *s);
/* Learned per-column statistics (NAN when absent): "mean"/"scale" (standard), "data_min"/
   "data_max" (minmax), "fill" (imputer). */
NN_API float nn_scaler_stat(const nn_scaler *s, const char *name, size_t col);
/* Attach a scaler to the model's inputs / targets; the model owns it from now on (also on
   failure); NULL detaches. fit transforms x (and y) with it into copies allocated at the start
   of fit (fitting an unfitted scaler on the training rows only, i.e. without the validation
   split), evaluate transforms x and y (loss in scaled units), predict takes raw inputs and returns
   outputs in original units (chunked through the workspace: no allocation). Saved in the file. */
NN_API nn_status nn_model_set_input_scaler(nn_model *m, nn_scaler *s);
NN_API nn_status nn_model_set_target_scaler(nn_model *m, nn_scaler *s);
/* The attached scalers (borrowed), NULL when none. */
NN_API nn_scaler *nn_model_input_scaler(nn_model *m);
NN_API nn_scaler *nn_model_target_scaler(nn_model *m);
/* Column names of the inputs (n = input width) and outputs (n = output width, layers added
   first), like scikit-learn's feature_names_in_: copied, kept by clone, saved with the model;
   nn-train picks CSV columns by them. Non-empty, at most 65535 bytes each; NULL clears. */
NN_API nn_status nn_model_set_feature_names(nn_model *m, const char *const *names, size_t n);
NN_API nn_status nn_model_set_output_names(nn_model *m, const char *const *names, size_t n);
/* Name i (borrowed until the names change), or NULL when none are set or i is out of range. */
NN_API const char *nn_model_feature_name(const nn_model *m, size_t i);
NN_API const char *nn_model_output_name(const nn_model *m, size_t i);

/* ---- Data sets (CSV) --------------------------------------------------- */

typedef struct nn_dataset nn_dataset;

/* Empty data set to configure and then read; NULL on failure (nn_last_error). */
NN_API nn_dataset *nn_dataset_create(void);
NN_API nn_dataset *nn_dataset_create_with_allocator(const nn_allocator *a);
NN_API void nn_dataset_free(nn_dataset *d);
/* Field separator ',', ';' or '\t'; 0 (default) detects it from the first line. */
NN_API nn_status nn_dataset_set_separator(nn_dataset *d, int sep);
/* First line is a header of column names (default 1). */
NN_API nn_status nn_dataset_set_header(nn_dataset *d, int has_header);
/* Target columns, by header name or 0-based index, in the order added. Without any, the last
   column is the target; with nn_dataset_set_no_targets(d, 1) every column is a feature. */
NN_API nn_status nn_dataset_add_target_name(nn_dataset *d, const char *name);
NN_API nn_status nn_dataset_add_target_index(nn_dataset *d, size_t col);
NN_API nn_status nn_dataset_set_no_targets(nn_dataset *d, int none);
/* Read only these feature columns, by header name, in the order added (default: every column
   that is not a target); the columns neither chosen nor targets are skipped unread. */
NN_API nn_status nn_dataset_add_feature_name(nn_dataset *d, const char *name);
/* Skip a column by header name: it is not read, so it may hold text (an id, a label). */
NN_API nn_status nn_dataset_add_ignore_name(nn_dataset *d, const char *name);
/* Parse a CSV file / text: RFC 4180 quotes ("" escapes a quote), \n or \r\n, empty lines
   skipped, empty fields and NA, NaN, N/A, ? (any case) read as missing (NAN). Numbers are parsed
   without the C locale. NN_ERR_FORMAT with line and column in nn_dataset_error. */
NN_API nn_status nn_dataset_read_csv(nn_dataset *d, const char *path);
NN_API nn_status nn_dataset_parse_csv(nn_dataset *d, const char *text, size_t len);
/* Message of the last failure ("" after success). */
NN_API const char *nn_dataset_error(const nn_dataset *d);
NN_API size_t nn_dataset_rows(const nn_dataset *d);
NN_API size_t nn_dataset_feature_count(const nn_dataset *d);
NN_API size_t nn_dataset_target_count(const nn_dataset *d);
/* Row-major features (rows x feature_count) and targets (rows x target_count); borrowed. */
NN_API const float *nn_dataset_x(const nn_dataset *d);
NN_API const float *nn_dataset_y(const nn_dataset *d);
/* Column names (the header, or "0", "1", ... without one); NULL when out of range. */
NN_API const char *nn_dataset_feature_name(const nn_dataset *d, size_t i);
NN_API const char *nn_dataset_target_name(const nn_dataset *d, size_t i);
/* Number of missing (NAN) cells read. */
NN_API size_t nn_dataset_missing_count(const nn_dataset *d);
/* New data set holding rows idx[0..n) of d (same columns); NULL on failure. */
NN_API nn_dataset *nn_dataset_subset(const nn_dataset *d, const size_t *idx, size_t n);

/* ---- Splitting --------------------------------------------------------- */

/* Seeded shuffled split of n rows: idx (n entries) gets a permutation of 0..n-1 whose first
   *n_train entries are the training rows, then *n_val validation rows, then *n_test test rows
   (n_val = floor(n * val_fraction), n_test = floor(n * test_fraction)). */
NN_API nn_status nn_split_indices(size_t n, float val_fraction, float test_fraction, uint64_t seed,
                                  size_t *idx, size_t *n_train, size_t *n_val, size_t *n_test);
/* scikit-learn KFold: fold `fold` of k (0-based) as validation. The first n % k folds have one
   row more. With shuffle the rows are permuted with seed first. train_idx and val_idx must hold
   n entries each. */
NN_API nn_status nn_kfold_indices(size_t n, size_t k, size_t fold, int shuffle, uint64_t seed,
                                  size_t *train_idx, size_t *n_train, size_t *val_idx, size_t *n_val);

/* ---- Training doctor --------------------------------------------------- */

/* A callback that diagnoses the fit it is attached to: data and configuration at the start
   (unscaled inputs or targets, class imbalance, output activation vs loss, learning rate),
   training dynamics (dead ReLU units, vanishing/exploding gradients, lr too high/low, plateau,
   overfitting, underfitting) and automatic baselines (linear least squares, majority class,
   identity map). Findings are replaced at the start of every fit, readable with
   nn_model_finding_* and, with verbose >= 1, logged at the end of the fit. Codes are ABI and
   listed in docs/doctor.md. */
NN_API nn_callback *nn_doctor(void);
/* Number of findings of the last fit (plus those appended by nn_model_probe). */
NN_API size_t nn_model_finding_count(const nn_model *m);
/* Stable code of finding i, e.g. "unscaled_inputs"; NULL when out of range. */
NN_API const char *nn_model_finding_code(const nn_model *m, size_t i);
/* Evidence and fix in one line, e.g. "layer 2: 87% of 128 ReLU units never active in epoch 12;
   fix: use NN_INIT_HE_NORMAL and NN_LEAKY_RELU"; NULL when out of range. */
NN_API const char *nn_model_finding_message(const nn_model *m, size_t i);
/* The fix alone (in libnn calls); NULL when out of range. */
NN_API const char *nn_model_finding_suggestion(const nn_model *m, size_t i);
/* 0 info, 1 warning; -1 when out of range. */
NN_API int nn_model_finding_severity(const nn_model *m, size_t i);
/* 0-based epoch the finding refers to, -1 for findings about the data or configuration. */
NN_API int nn_model_finding_epoch(const nn_model *m, size_t i);
/* Capacity probe: train a copy of m (same layers, optimizer, loss, seed) on the first
   min(n, rows) rows (0: 64) for epochs epochs (0: 300) without validation, and report whether
   it drives the training loss near zero (below 5% of the loss of a constant predictor).
   *final_loss (may be NULL) gets the copy's last training loss, *fits (may be NULL) 1 or 0;
   a finding probe_fits (info) or probe_cannot_fit (warning) is appended to m's findings.
   m itself is not changed. */
NN_API nn_status nn_model_probe(nn_model *m, const float *x, const float *y, size_t n, size_t rows,
                                int epochs, float *final_loss, int *fits);

/* ---- Hyper-parameter search (KerasTuner-style) -------------------------- */

typedef struct nn_tuner nn_tuner;
typedef struct nn_hparams nn_hparams;

typedef enum nn_search_strategy {
    NN_SEARCH_RANDOM = 0,    /* seeded random sampling, max_trials distinct configurations */
    NN_SEARCH_GRID = 1,      /* every combination, last hyper-parameter varying fastest */
    NN_SEARCH_HYPERBAND = 2, /* successive halving over brackets, epochs as the budget */
    NN_SEARCH_MAX_ = 0x7FFFFFFF
} nn_search_strategy;

/* Host build function, as KerasTuner's build_model(hp): return a new COMPILED model for
   these hyper-parameters, or NULL (the trial fails). Called from worker threads when
   nn_tuner_set_threads > 1. The tuner re-seeds its weights per trial and owns the model. */
typedef nn_model *(*nn_tuner_build_fn)(const nn_hparams *hp, void *user);

/* New tuner (random search, max_trials 10, seed 0, objective val_loss min). NULL on failure. */
NN_API nn_tuner *nn_tuner_create(nn_tuner_build_fn build, void *user);
NN_API void nn_tuner_free(nn_tuner *t);
/* Detailed message of the tuner's last failure ("" after success). */
NN_API const char *nn_tuner_error(const nn_tuner *t);

/* Search space. Names: letters, digits, '_', at most 47 characters, unique; at most 32. */
/* Integer lo..hi; step 0 = 1 (linear) or, with log != 0, log-uniform sampling (a step > 1 is then
   a factor: lo, lo*step, ...). */
NN_API nn_status nn_tuner_add_int(nn_tuner *t, const char *name, int64_t lo, int64_t hi, int64_t step, int log);
/* Float lo..hi, uniform or log-uniform (log != 0, lo > 0); step 0 = continuous (random and
   Hyperband only), else grid values lo, lo+step, ... (log: lo, lo*step, ...). */
NN_API nn_status nn_tuner_add_float(nn_tuner *t, const char *name, double lo, double hi, double step, int log);
/* Choice among n numbers. */
NN_API nn_status nn_tuner_add_choice(nn_tuner *t, const char *name, const double *values, size_t n);
/* Choice among n strings (each at most 63 characters, no ',' or newline). */
NN_API nn_status nn_tuner_add_choice_strings(nn_tuner *t, const char *name, const char *const *values, size_t n);
/* Boolean (false, true). */
NN_API nn_status nn_tuner_add_bool(nn_tuner *t, const char *name);
/* Parse a space: "units=16..512:log,lr=1e-4..1e-2:log,dropout=0|0.2|0.5,act=relu|tanh,bn=bool";
   a range is integer when both ends are integers; ":step=S" sets a step. */
NN_API nn_status nn_tuner_parse_space(nn_tuner *t, const char *spec);

/* Strategy (default NN_SEARCH_RANDOM). */
NN_API nn_status nn_tuner_set_strategy(nn_tuner *t, nn_search_strategy s);
/* Random search: number of trials (default 10, KerasTuner max_trials); grid: an upper bound. */
NN_API nn_status nn_tuner_set_max_trials(nn_tuner *t, size_t n);
/* Seed of sampling, folds and every trial's model (trial model seed = f(seed, trial id,
   execution, fold)): same seed => same trials and scores, on any number of threads. */
NN_API nn_status nn_tuner_set_seed(nn_tuner *t, uint64_t seed);
/* Objective: a history key ("val_loss" default, "val_mae", "val_accuracy", "loss", ...) and
   mode "min", "max" or "auto" (max for accuracy-like names). A trial's score is its best
   epoch's value, averaged over executions and folds. */
NN_API nn_status nn_tuner_set_objective(nn_tuner *t, const char *key, const char *mode);
/* Models trained per trial (default 1), scores averaged. */
NN_API nn_status nn_tuner_set_executions_per_trial(nn_tuner *t, int n);
/* Evaluation: the LAST fraction of the rows (as Keras validation_split). */
NN_API nn_status nn_tuner_set_validation_split(nn_tuner *t, float fraction);
/* Evaluation on separate rows: n rows of x_cols features and y_cols targets (copied; x NULL
   clears; the widths must match the models'); precedence over the split. */
NN_API nn_status nn_tuner_set_validation_data(nn_tuner *t, const float *x, const float *y, size_t n,
                                              size_t x_cols, size_t y_cols);
/* Evaluation by k-fold cross-validation (k >= 2; 0 turns it off): seeded shuffled folds;
   stratify != 0 balances classes (class index, argmax or rounded target) over the folds.
   Precedence over validation data and split. */
NN_API nn_status nn_tuner_set_folds(nn_tuner *t, int k, int stratify);
/* Hyperband budget: max_epochs (0 = the epochs passed to nn_tuner_search), factor (default 3),
   hyperband_iterations (default 1). */
NN_API nn_status nn_tuner_set_hyperband(nn_tuner *t, int max_epochs, int factor, int iterations);
/* Trials trained at once (default 1); results are identical for any count. */
NN_API nn_status nn_tuner_set_threads(nn_tuner *t, int threads);
/* CSV results file written as trials finish ("trial,<names>,score,epochs,best_epoch,seconds");
   when it already exists the search resumes: finished trials are read back, not rerun. */
NN_API nn_status nn_tuner_set_results_file(nn_tuner *t, const char *path);
/* Run only trials with id % count == index (scale-out over processes; merge the files with
   nn_tuner_merge_results). Not with Hyperband (its rounds depend on all earlier scores). */
NN_API nn_status nn_tuner_set_shard(nn_tuner *t, size_t index, size_t count);
/* 0 silent (default), 1 one line per finished trial; via the log sink (fn NULL = stderr). */
NN_API nn_status nn_tuner_set_verbose(nn_tuner *t, int verbose);
NN_API nn_status nn_tuner_set_log_sink(nn_tuner *t, nn_log_fn fn, void *user);
/* Run the search on n rows (copied; row widths learned from the first model built). */
NN_API nn_status nn_tuner_search(nn_tuner *t, const float *x, const float *y, size_t n, int epochs,
                                 int batch_size);
/* Merge results files of shards into out (sorted by trial id, duplicates dropped);
   NN_ERR_FORMAT when their columns differ. */
NN_API nn_status nn_tuner_merge_results(const char *const *paths, size_t n_paths, const char *out);

/* Results: trials in id order (finished ones, including those read back from a file). */
NN_API size_t nn_tuner_trial_count(const nn_tuner *t);
NN_API size_t nn_tuner_trial_id(const nn_tuner *t, size_t i);
NN_API const nn_hparams *nn_tuner_trial_hparams(const nn_tuner *t, size_t i);
/* Score (NAN for a failed trial), epochs run per model, best epoch (1-based), seconds. */
NN_API double nn_tuner_trial_score(const nn_tuner *t, size_t i);
NN_API int nn_tuner_trial_epochs(const nn_tuner *t, size_t i);
NN_API int nn_tuner_trial_best_epoch(const nn_tuner *t, size_t i);
NN_API double nn_tuner_trial_seconds(const nn_tuner *t, size_t i);
/* Index (into the trial list) of the best trial; (size_t)-1 when none succeeded. */
NN_API size_t nn_tuner_best_trial(const nn_tuner *t);
/* Hyper-parameters of the best trial (KerasTuner get_best_hyperparameters()[0]); NULL if none. */
NN_API const nn_hparams *nn_tuner_best_hparams(const nn_tuner *t);
/* The best configuration rebuilt, seeded and trained on all training rows for its best
   epoch count (caller frees). NULL on failure (see nn_last_error). */
NN_API nn_model *nn_tuner_best_model(nn_tuner *t);
/* Results table as text (trial, hyper-parameters, score, epochs, best epoch, time);
   same conventions as nn_model_summary. */
NN_API nn_status nn_tuner_results_table(const nn_tuner *t, char *buf, size_t cap, size_t *needed);
/* Write the results table through the tuner's log sink. */
NN_API nn_status nn_tuner_print_results(nn_tuner *t);

/* Values by name (as hp.Int / hp.Float / hp.Choice / hp.Boolean); 0 / NAN / NULL if unknown.
   nn_hparams_int and nn_hparams_float also read numeric choices and booleans. */
NN_API int64_t nn_hparams_int(const nn_hparams *hp, const char *name);
NN_API double nn_hparams_float(const nn_hparams *hp, const char *name);
NN_API int nn_hparams_bool(const nn_hparams *hp, const char *name);
/* Index of the chosen value of a choice. */
NN_API size_t nn_hparams_choice(const nn_hparams *hp, const char *name);
/* Chosen string of a string choice, NULL otherwise. */
NN_API const char *nn_hparams_string(const nn_hparams *hp, const char *name);
NN_API size_t nn_hparams_count(const nn_hparams *hp);
NN_API const char *nn_hparams_name(const nn_hparams *hp, size_t i);
/* Value i as text (as in the results file). */
NN_API nn_status nn_hparams_value_text(const nn_hparams *hp, size_t i, char *buf, size_t cap);
/* Trial id and the seed the tuner gives this trial's models (execution 0, fold 0). */
NN_API size_t nn_hparams_trial_id(const nn_hparams *hp);
NN_API uint64_t nn_hparams_seed(const nn_hparams *hp);

#ifdef __cplusplus
}
#endif

#endif /* NN_H */
