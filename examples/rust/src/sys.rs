//! Raw declarations of the C API in `include/nn.h` (only what the safe wrapper uses plus the
//! plain constructors). Everything here is `unsafe` to call; see the safe types in the crate root.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_float, c_int, c_void};

#[repr(C)]
pub struct nn_model {
    _private: [u8; 0],
}
#[repr(C)]
pub struct nn_layer {
    _private: [u8; 0],
}
#[repr(C)]
pub struct nn_optimizer {
    _private: [u8; 0],
}
#[repr(C)]
pub struct nn_callback {
    _private: [u8; 0],
}

#[repr(C)]
pub struct nn_schedule {
    _private: [u8; 0],
}

/// `nn_status`: 0 is OK.
pub type nn_status = c_int;
pub type nn_epoch_fn = Option<unsafe extern "C" fn(m: *mut nn_model, epoch: c_int, user: *mut c_void) -> c_int>;
pub type nn_lr_fn = Option<unsafe extern "C" fn(epoch: c_int, lr: c_float, user: *mut c_void) -> c_float>;
pub type nn_batch_fn =
    Option<unsafe extern "C" fn(m: *mut nn_model, batch: c_int, loss: c_float, user: *mut c_void) -> c_int>;

extern "C" {
    pub fn nn_version() -> *const c_char;
    pub fn nn_status_string(s: nn_status) -> *const c_char;
    pub fn nn_model_error(m: *const nn_model) -> *const c_char;
    pub fn nn_last_error() -> *const c_char;

    pub fn nn_model_create(input_dim: usize) -> *mut nn_model;
    pub fn nn_model_free(m: *mut nn_model);
    pub fn nn_model_add(m: *mut nn_model, layer: *mut nn_layer) -> nn_status;
    pub fn nn_model_compile(m: *mut nn_model, opt: *mut nn_optimizer, loss: c_int) -> nn_status;
    pub fn nn_model_set_seed(m: *mut nn_model, seed: u64) -> nn_status;
    pub fn nn_model_input_dim(m: *const nn_model) -> usize;
    pub fn nn_model_output_dim(m: *const nn_model) -> usize;
    pub fn nn_model_param_count(m: *const nn_model) -> usize;
    pub fn nn_model_layer_count(m: *const nn_model) -> usize;
    pub fn nn_model_summary(m: *const nn_model, buf: *mut c_char, cap: usize, needed: *mut usize) -> nn_status;
    pub fn nn_model_set_huber_delta(m: *mut nn_model, delta: c_float) -> nn_status;

    pub fn nn_model_fit(m: *mut nn_model, x: *const c_float, y: *const c_float, n: usize, epochs: c_int,
                        batch_size: c_int) -> nn_status;
    pub fn nn_model_set_feature_names(m: *mut nn_model, names: *const *const c_char, n: usize) -> nn_status;
    pub fn nn_model_set_output_names(m: *mut nn_model, names: *const *const c_char, n: usize) -> nn_status;
    pub fn nn_model_feature_name(m: *const nn_model, i: usize) -> *const c_char;
    pub fn nn_model_output_name(m: *const nn_model, i: usize) -> *const c_char;
    pub fn nn_model_fit_weighted(m: *mut nn_model, x: *const c_float, y: *const c_float,
                                 sample_weight: *const c_float, n: usize, epochs: c_int, batch_size: c_int)
        -> nn_status;
    pub fn nn_model_set_class_weights(m: *mut nn_model, w: *const c_float, n_classes: usize) -> nn_status;
    pub fn nn_model_add_weighted_metric(m: *mut nn_model, metric: c_int) -> nn_status;
    pub fn nn_model_set_validation_split(m: *mut nn_model, fraction: c_float) -> nn_status;
    pub fn nn_model_set_validation_data(m: *mut nn_model, x: *const c_float, y: *const c_float, n: usize)
        -> nn_status;
    pub fn nn_model_set_shuffle(m: *mut nn_model, shuffle: c_int) -> nn_status;
    pub fn nn_model_set_verbose(m: *mut nn_model, verbose: c_int) -> nn_status;
    pub fn nn_model_add_metric(m: *mut nn_model, metric: c_int) -> nn_status;
    pub fn nn_model_add_callback(m: *mut nn_model, cb: *mut nn_callback) -> nn_status;
    pub fn nn_model_learning_rate(m: *const nn_model) -> c_float;
    pub fn nn_model_set_learning_rate(m: *mut nn_model, lr: c_float) -> nn_status;
    pub fn nn_model_stop_training(m: *mut nn_model) -> nn_status;

    pub fn nn_model_history_len(m: *const nn_model) -> usize;
    pub fn nn_model_history(m: *const nn_model, key: *const c_char, epoch: usize) -> c_float;
    pub fn nn_model_history_key_count(m: *const nn_model) -> usize;
    pub fn nn_model_history_key(m: *const nn_model, i: usize) -> *const c_char;
    pub fn nn_model_evaluate(m: *mut nn_model, x: *const c_float, y: *const c_float, n: usize,
                             loss: *mut c_float) -> nn_status;
    pub fn nn_model_evaluated_metric(m: *const nn_model, key: *const c_char) -> c_float;
    pub fn nn_model_predict(m: *mut nn_model, x: *const c_float, n: usize, out: *mut c_float) -> nn_status;

    pub fn nn_dense(units: usize, act: c_int) -> *mut nn_layer;
    pub fn nn_dropout(rate: c_float) -> *mut nn_layer;
    pub fn nn_layer_free(l: *mut nn_layer);
    pub fn nn_layer_set_kernel_initializer(l: *mut nn_layer, init: c_int) -> nn_status;
    pub fn nn_layer_set_bias_initializer(l: *mut nn_layer, init: c_int) -> nn_status;
    pub fn nn_layer_set_kernel_regularizer(l: *mut nn_layer, l1: c_float, l2: c_float) -> nn_status;

    pub fn nn_sgd(lr: c_float, momentum: c_float, nesterov: c_int) -> *mut nn_optimizer;
    pub fn nn_adam(lr: c_float) -> *mut nn_optimizer;
    pub fn nn_adamw(lr: c_float, weight_decay: c_float) -> *mut nn_optimizer;
    pub fn nn_rmsprop(lr: c_float) -> *mut nn_optimizer;
    pub fn nn_adagrad(lr: c_float) -> *mut nn_optimizer;
    pub fn nn_optimizer_free(o: *mut nn_optimizer);
    pub fn nn_optimizer_set_clipnorm(o: *mut nn_optimizer, v: c_float) -> nn_status;
    pub fn nn_optimizer_set_clipvalue(o: *mut nn_optimizer, v: c_float) -> nn_status;

    pub fn nn_early_stopping(monitor: *const c_char, min_delta: c_float, patience: c_int,
                             restore_best_weights: c_int) -> *mut nn_callback;
    pub fn nn_callback_custom(on_epoch_begin: nn_epoch_fn, on_epoch_end: nn_epoch_fn, on_batch_end: nn_batch_fn,
                              user: *mut c_void) -> *mut nn_callback;
    pub fn nn_callback_free(cb: *mut nn_callback);

    pub fn nn_model_plot_history_ex(m: *const nn_model, path: *const c_char, log_scale: c_int) -> nn_status;

    // toolkit: layers, callbacks, schedules, weights
    pub fn nn_batch_norm() -> *mut nn_layer;
    pub fn nn_layer_norm() -> *mut nn_layer;
    pub fn nn_gaussian_noise(stddev: c_float) -> *mut nn_layer;
    pub fn nn_gaussian_dropout(rate: c_float) -> *mut nn_layer;
    pub fn nn_activation_layer(act: c_int) -> *mut nn_layer;
    pub fn nn_layer_set_bias_regularizer(l: *mut nn_layer, l1: c_float, l2: c_float) -> nn_status;
    pub fn nn_layer_set_momentum(l: *mut nn_layer, momentum: c_float) -> nn_status;
    pub fn nn_layer_set_epsilon(l: *mut nn_layer, epsilon: c_float) -> nn_status;
    pub fn nn_reduce_lr_on_plateau(monitor: *const c_char, factor: c_float, patience: c_int, min_lr: c_float)
        -> *mut nn_callback;
    pub fn nn_lr_scheduler(f: nn_lr_fn, user: *mut c_void) -> *mut nn_callback;
    pub fn nn_model_checkpoint(path: *const c_char, monitor: *const c_char, save_best_only: c_int)
        -> *mut nn_callback;
    pub fn nn_csv_logger(path: *const c_char) -> *mut nn_callback;
    pub fn nn_terminate_on_nan() -> *mut nn_callback;
    pub fn nn_callback_set_mode(cb: *mut nn_callback, mode: *const c_char) -> nn_status;
    pub fn nn_model_clear_callbacks(m: *mut nn_model) -> nn_status;
    pub fn nn_schedule_exponential_decay(initial_lr: c_float, decay_steps: i64, decay_rate: c_float,
                                         staircase: c_int) -> *mut nn_schedule;
    pub fn nn_schedule_inverse_time_decay(initial_lr: c_float, decay_steps: i64, decay_rate: c_float,
                                          staircase: c_int) -> *mut nn_schedule;
    pub fn nn_schedule_piecewise_constant(boundaries: *const i64, values: *const c_float, n_boundaries: usize)
        -> *mut nn_schedule;
    pub fn nn_schedule_cosine_decay(initial_lr: c_float, decay_steps: i64, alpha: c_float) -> *mut nn_schedule;
    pub fn nn_schedule_set_per_epoch(s: *mut nn_schedule, per_epoch: c_int) -> nn_status;
    pub fn nn_schedule_value(s: *const nn_schedule, step: i64) -> c_float;
    pub fn nn_schedule_free(s: *mut nn_schedule);
    pub fn nn_optimizer_set_schedule(o: *mut nn_optimizer, s: *mut nn_schedule) -> nn_status;
    pub fn nn_model_get_weights(m: *mut nn_model, out: *mut c_float, cap: usize, needed: *mut usize) -> nn_status;
    pub fn nn_model_set_weights(m: *mut nn_model, w: *const c_float, n: usize) -> nn_status;

    // model files
    pub fn nn_model_save(m: *const nn_model, path: *const c_char) -> nn_status;
    pub fn nn_model_load(path: *const c_char) -> *mut nn_model;
    pub fn nn_last_load_status() -> nn_status;
}
