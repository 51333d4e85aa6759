//! Safe Rust wrapper over libnn, the embeddable Keras-style neural-network library in C.
//!
//! ```
//! use libnn::{Activation, Layer, Loss, Metric, Model, Optimizer};
//! # fn main() -> Result<(), libnn::Error> {
//! let x: Vec<f32> = (0..200).map(|i| (i % 10) as f32 / 10.0).collect(); // 100 rows x 2
//! let y: Vec<f32> = x.chunks(2).map(|r| r[0] - 2.0 * r[1]).collect();
//! let mut model = Model::new(2)?;
//! model.set_seed(42)?;
//! model.add(Layer::dense(16, Activation::Relu)?)?;
//! model.add(Layer::dense(1, Activation::Linear)?)?;
//! model.compile(Optimizer::adam(1e-2)?, Loss::Mse)?;
//! model.add_metric(Metric::Mae)?;
//! model.set_validation_split(0.2)?;
//! let history = model.fit(&x, &y, 20, 16)?;
//! assert_eq!(history.get("val_loss").unwrap().len(), 20);
//! let pred = model.predict(&x[..4])?; // 2 rows -> 2 outputs
//! assert_eq!(pred.len(), 2);
//! # Ok(()) }
//! ```
//!
//! Ownership follows the C library: a [`Layer`], [`Optimizer`] or [`Callback`] handed to a
//! [`Model`] is consumed (also when the call fails); everything is freed on drop. A `Model` is
//! `Send` (it may move between threads) but not `Sync` (one thread at a time).

pub mod sys;

use std::any::Any;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_float, c_int, c_void};
use std::ptr::NonNull;

/// Status of a failed call (`nn_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    InvalidArg,
    NoMem,
    Shape,
    State,
    Io,
    Format,
    NonFinite,
    Unsupported,
    Other(i32),
}

impl Status {
    fn from_code(c: i32) -> Status {
        match c {
            1 => Status::InvalidArg,
            2 => Status::NoMem,
            3 => Status::Shape,
            4 => Status::State,
            5 => Status::Io,
            6 => Status::Format,
            7 => Status::NonFinite,
            8 => Status::Unsupported,
            c => Status::Other(c),
        }
    }
    /// The C code of this status.
    pub fn code(self) -> i32 {
        match self {
            Status::InvalidArg => 1,
            Status::NoMem => 2,
            Status::Shape => 3,
            Status::State => 4,
            Status::Io => 5,
            Status::Format => 6,
            Status::NonFinite => 7,
            Status::Unsupported => 8,
            Status::Other(c) => c,
        }
    }
}

/// A libnn failure: the status and the library's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub status: Status,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = unsafe { cstr(sys::nn_status_string(self.status.code())) };
        if self.message.is_empty() {
            write!(f, "{}", what)
        } else {
            write!(f, "{}: {}", what, self.message)
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

unsafe fn cstr(p: *const std::os::raw::c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

fn err(status: Status, message: impl Into<String>) -> Error {
    Error { status, message: message.into() }
}

fn last_error(status: Status) -> Error {
    err(status, unsafe { cstr(sys::nn_last_error()) })
}

fn made<T>(p: *mut T, what: &str) -> Result<NonNull<T>> {
    NonNull::new(p).ok_or_else(|| {
        let msg = unsafe { cstr(sys::nn_last_error()) };
        let status = if msg.contains("memory") { Status::NoMem } else { Status::InvalidArg };
        err(status, format!("{}: {}", what, msg))
    })
}

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| err(Status::InvalidArg, format!("{:?} contains a NUL byte", s)))
}

/// Version of the linked C library.
pub fn version() -> String {
    unsafe { cstr(sys::nn_version()) }
}

macro_rules! c_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $n:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($v),* }
        impl $name {
            fn code(self) -> c_int { match self { $($name::$v => $n),* } }
        }
    };
}

c_enum!(
    /// `nn_activation`.
    Activation { Linear = 0, Relu = 1, LeakyRelu = 2, Elu = 3, Selu = 4, Sigmoid = 5, Tanh = 6, Softmax = 7,
                 Softplus = 8, Gelu = 9, Swish = 10 });
c_enum!(
    /// `nn_loss`.
    Loss { Mse = 0, Mae = 1, Huber = 2, BinaryCrossentropy = 3, CategoricalCrossentropy = 4,
           SparseCategoricalCrossentropy = 5, BinaryCrossentropyFromLogits = 6 });
c_enum!(
    /// `nn_initializer`.
    Initializer { GlorotUniform = 0, GlorotNormal = 1, HeNormal = 2, HeUniform = 3, LecunNormal = 4, Zeros = 5,
                  Ones = 6 });
c_enum!(
    /// `nn_metric`.
    Metric { Accuracy = 0, Mae = 1, Mse = 2, Rmse = 3 });

/// A layer not yet added to a model (freed on drop).
pub struct Layer {
    raw: NonNull<sys::nn_layer>,
}

impl Layer {
    /// `keras.layers.Dense(units, activation)`.
    pub fn dense(units: usize, activation: Activation) -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_dense(units, activation.code()) }, "Dense")? })
    }
    /// `keras.layers.Dropout(rate)`.
    pub fn dropout(rate: f32) -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_dropout(rate) }, "Dropout")? })
    }
    /// Kernel initializer (Dense), builder style.
    pub fn kernel_initializer(self, init: Initializer) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_kernel_initializer(self.raw.as_ptr(), init.code()) };
        self.check(s)
    }
    /// Bias initializer (Dense), builder style.
    pub fn bias_initializer(self, init: Initializer) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_bias_initializer(self.raw.as_ptr(), init.code()) };
        self.check(s)
    }
    /// `kernel_regularizer=L1L2(l1, l2)`, builder style.
    pub fn kernel_regularizer(self, l1: f32, l2: f32) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_kernel_regularizer(self.raw.as_ptr(), l1, l2) };
        self.check(s)
    }
    /// `bias_regularizer=L1L2(l1, l2)` (Dense), builder style.
    pub fn bias_regularizer(self, l1: f32, l2: f32) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_bias_regularizer(self.raw.as_ptr(), l1, l2) };
        self.check(s)
    }
    /// `keras.layers.BatchNormalization()` (momentum 0.99, epsilon 1e-3).
    pub fn batch_norm() -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_batch_norm() }, "BatchNormalization")? })
    }
    /// BatchNormalization `momentum=`, builder style.
    pub fn momentum(self, momentum: f32) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_momentum(self.raw.as_ptr(), momentum) };
        self.check(s)
    }
    /// BatchNormalization / LayerNormalization `epsilon=`, builder style.
    pub fn epsilon(self, epsilon: f32) -> Result<Layer> {
        let s = unsafe { sys::nn_layer_set_epsilon(self.raw.as_ptr(), epsilon) };
        self.check(s)
    }
    /// `keras.layers.LayerNormalization()`.
    pub fn layer_norm() -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_layer_norm() }, "LayerNormalization")? })
    }
    /// `keras.layers.GaussianNoise(stddev)`: additive noise in training only.
    pub fn gaussian_noise(stddev: f32) -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_gaussian_noise(stddev) }, "GaussianNoise")? })
    }
    /// `keras.layers.GaussianDropout(rate)`: multiplicative noise in training only.
    pub fn gaussian_dropout(rate: f32) -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_gaussian_dropout(rate) }, "GaussianDropout")? })
    }
    /// `keras.layers.Activation(act)`.
    pub fn activation(act: Activation) -> Result<Layer> {
        Ok(Layer { raw: made(unsafe { sys::nn_activation_layer(act.code()) }, "Activation")? })
    }
    fn check(self, s: c_int) -> Result<Layer> {
        if s == 0 { Ok(self) } else { Err(last_error(Status::from_code(s))) }
    }
    fn into_raw(self) -> *mut sys::nn_layer {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Drop for Layer {
    fn drop(&mut self) {
        unsafe { sys::nn_layer_free(self.raw.as_ptr()) }
    }
}

/// An optimizer not yet handed to a model (freed on drop).
pub struct Optimizer {
    raw: NonNull<sys::nn_optimizer>,
}

impl Optimizer {
    /// `keras.optimizers.SGD(learning_rate, momentum, nesterov)`.
    pub fn sgd(lr: f32, momentum: f32, nesterov: bool) -> Result<Optimizer> {
        Ok(Optimizer { raw: made(unsafe { sys::nn_sgd(lr, momentum, nesterov as c_int) }, "SGD")? })
    }
    /// `keras.optimizers.Adam(learning_rate)`.
    pub fn adam(lr: f32) -> Result<Optimizer> {
        Ok(Optimizer { raw: made(unsafe { sys::nn_adam(lr) }, "Adam")? })
    }
    /// `keras.optimizers.AdamW(learning_rate, weight_decay)`.
    pub fn adamw(lr: f32, weight_decay: f32) -> Result<Optimizer> {
        Ok(Optimizer { raw: made(unsafe { sys::nn_adamw(lr, weight_decay) }, "AdamW")? })
    }
    /// `keras.optimizers.RMSprop(learning_rate)`.
    pub fn rmsprop(lr: f32) -> Result<Optimizer> {
        Ok(Optimizer { raw: made(unsafe { sys::nn_rmsprop(lr) }, "RMSprop")? })
    }
    /// `keras.optimizers.Adagrad(learning_rate)`.
    pub fn adagrad(lr: f32) -> Result<Optimizer> {
        Ok(Optimizer { raw: made(unsafe { sys::nn_adagrad(lr) }, "Adagrad")? })
    }
    /// `clipnorm=`, builder style.
    pub fn clipnorm(self, v: f32) -> Result<Optimizer> {
        let s = unsafe { sys::nn_optimizer_set_clipnorm(self.raw.as_ptr(), v) };
        if s == 0 { Ok(self) } else { Err(last_error(Status::from_code(s))) }
    }
    /// `clipvalue=`, builder style.
    pub fn clipvalue(self, v: f32) -> Result<Optimizer> {
        let s = unsafe { sys::nn_optimizer_set_clipvalue(self.raw.as_ptr(), v) };
        if s == 0 { Ok(self) } else { Err(last_error(Status::from_code(s))) }
    }
    /// Learning-rate schedule (`learning_rate=keras.optimizers.schedules...`), builder style;
    /// the schedule is consumed.
    pub fn schedule(self, s: Schedule) -> Result<Optimizer> {
        let st = unsafe { sys::nn_optimizer_set_schedule(self.raw.as_ptr(), s.into_raw()) };
        if st == 0 { Ok(self) } else { Err(last_error(Status::from_code(st))) }
    }
    fn into_raw(self) -> *mut sys::nn_optimizer {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Drop for Optimizer {
    fn drop(&mut self) {
        unsafe { sys::nn_optimizer_free(self.raw.as_ptr()) }
    }
}

/// A learning-rate schedule (keras.optimizers.schedules), freed on drop unless handed to an
/// optimizer with [`Optimizer::schedule`].
pub struct Schedule {
    raw: NonNull<sys::nn_schedule>,
}

impl Schedule {
    /// `ExponentialDecay(initial_lr, decay_steps, decay_rate, staircase)`.
    pub fn exponential_decay(initial_lr: f32, decay_steps: i64, decay_rate: f32, staircase: bool) -> Result<Schedule> {
        let p = unsafe { sys::nn_schedule_exponential_decay(initial_lr, decay_steps, decay_rate, staircase as c_int) };
        Ok(Schedule { raw: made(p, "ExponentialDecay")? })
    }
    /// `InverseTimeDecay(initial_lr, decay_steps, decay_rate, staircase)`.
    pub fn inverse_time_decay(initial_lr: f32, decay_steps: i64, decay_rate: f32, staircase: bool)
        -> Result<Schedule> {
        let p = unsafe { sys::nn_schedule_inverse_time_decay(initial_lr, decay_steps, decay_rate, staircase as c_int) };
        Ok(Schedule { raw: made(p, "InverseTimeDecay")? })
    }
    /// `PiecewiseConstantDecay(boundaries, values)`: `values.len() == boundaries.len() + 1`.
    pub fn piecewise_constant(boundaries: &[i64], values: &[f32]) -> Result<Schedule> {
        if values.len() != boundaries.len() + 1 {
            return Err(err(Status::InvalidArg, format!("PiecewiseConstantDecay: {} boundaries need {} values, got {}",
                                                       boundaries.len(), boundaries.len() + 1, values.len())));
        }
        let p = unsafe { sys::nn_schedule_piecewise_constant(boundaries.as_ptr(), values.as_ptr(), boundaries.len()) };
        Ok(Schedule { raw: made(p, "PiecewiseConstantDecay")? })
    }
    /// `CosineDecay(initial_lr, decay_steps, alpha)`.
    pub fn cosine_decay(initial_lr: f32, decay_steps: i64, alpha: f32) -> Result<Schedule> {
        let p = unsafe { sys::nn_schedule_cosine_decay(initial_lr, decay_steps, alpha) };
        Ok(Schedule { raw: made(p, "CosineDecay")? })
    }
    /// Count epochs instead of optimizer steps, builder style.
    pub fn per_epoch(self, per_epoch: bool) -> Result<Schedule> {
        let s = unsafe { sys::nn_schedule_set_per_epoch(self.raw.as_ptr(), per_epoch as c_int) };
        if s == 0 { Ok(self) } else { Err(last_error(Status::from_code(s))) }
    }
    /// The learning rate at a step (or epoch).
    pub fn value(&self, step: i64) -> f32 {
        unsafe { sys::nn_schedule_value(self.raw.as_ptr(), step) }
    }
    fn into_raw(self) -> *mut sys::nn_schedule {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Drop for Schedule {
    fn drop(&mut self) {
        unsafe { sys::nn_schedule_free(self.raw.as_ptr()) }
    }
}

/// A callback not yet attached to a model (freed on drop).
pub struct Callback {
    raw: NonNull<sys::nn_callback>,
}

impl Callback {
    /// `keras.callbacks.EarlyStopping(monitor, min_delta, patience, restore_best_weights)`.
    pub fn early_stopping(monitor: &str, min_delta: f32, patience: i32, restore_best_weights: bool)
        -> Result<Callback> {
        let m = cstring(monitor)?;
        let p = unsafe { sys::nn_early_stopping(m.as_ptr(), min_delta, patience, restore_best_weights as c_int) };
        Ok(Callback { raw: made(p, "EarlyStopping")? })
    }
    /// `keras.callbacks.ReduceLROnPlateau(monitor, factor, patience, min_lr)`.
    pub fn reduce_lr_on_plateau(monitor: &str, factor: f32, patience: i32, min_lr: f32) -> Result<Callback> {
        let m = cstring(monitor)?;
        let p = unsafe { sys::nn_reduce_lr_on_plateau(m.as_ptr(), factor, patience, min_lr) };
        Ok(Callback { raw: made(p, "ReduceLROnPlateau")? })
    }
    /// `keras.callbacks.ModelCheckpoint(path, monitor, save_best_only)` ("{epoch}" in path works).
    pub fn model_checkpoint(path: &str, monitor: &str, save_best_only: bool) -> Result<Callback> {
        let (p, m) = (cstring(path)?, cstring(monitor)?);
        let cb = unsafe { sys::nn_model_checkpoint(p.as_ptr(), m.as_ptr(), save_best_only as c_int) };
        Ok(Callback { raw: made(cb, "ModelCheckpoint")? })
    }
    /// `keras.callbacks.CSVLogger(path)`.
    pub fn csv_logger(path: &str) -> Result<Callback> {
        let p = cstring(path)?;
        Ok(Callback { raw: made(unsafe { sys::nn_csv_logger(p.as_ptr()) }, "CSVLogger")? })
    }
    /// `keras.callbacks.TerminateOnNaN()`: fit then returns `Status::NonFinite`.
    pub fn terminate_on_nan() -> Result<Callback> {
        Ok(Callback { raw: made(unsafe { sys::nn_terminate_on_nan() }, "TerminateOnNaN")? })
    }
    /// `mode="min"|"max"|"auto"` of EarlyStopping / ReduceLROnPlateau / ModelCheckpoint, builder style.
    pub fn mode(self, mode: &str) -> Result<Callback> {
        let m = cstring(mode)?;
        let s = unsafe { sys::nn_callback_set_mode(self.raw.as_ptr(), m.as_ptr()) };
        if s == 0 { Ok(self) } else { Err(last_error(Status::from_code(s))) }
    }
    fn into_raw(self) -> *mut sys::nn_callback {
        let p = self.raw.as_ptr();
        std::mem::forget(self);
        p
    }
}

impl Drop for Callback {
    fn drop(&mut self) {
        unsafe { sys::nn_callback_free(self.raw.as_ptr()) }
    }
}

/// Per-epoch history of a fit, keys in Keras order (`loss`, metrics, `val_*`, `learning_rate`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub keys: Vec<String>,
    pub values: Vec<Vec<f32>>,
}

impl History {
    /// The series for a key ("loss", "val_loss", "mae", ...).
    pub fn get(&self, key: &str) -> Option<&[f32]> {
        self.keys.iter().position(|k| k == key).map(|i| self.values[i].as_slice())
    }
    /// Number of epochs run.
    pub fn epochs(&self) -> usize {
        self.values.first().map_or(0, |v| v.len())
    }
    /// One epoch as a map (the `logs` of a Keras callback).
    pub fn epoch(&self, e: usize) -> HashMap<String, f32> {
        self.keys.iter().cloned().zip(self.values.iter().map(|v| v[e])).collect()
    }
}

unsafe fn read_history(m: *const sys::nn_model, upto: Option<usize>) -> History {
    let n = upto.unwrap_or_else(|| sys::nn_model_history_len(m));
    let mut h = History::default();
    for i in 0..sys::nn_model_history_key_count(m) {
        let k = sys::nn_model_history_key(m, i);
        h.keys.push(cstr(k));
        h.values.push((0..n).map(|e| sys::nn_model_history(m, k, e)).collect());
    }
    h
}

type LrClosure = Box<dyn FnMut(usize, f32) -> f32 + Send>;

unsafe extern "C" fn lr_tramp(epoch: c_int, lr: c_float, user: *mut c_void) -> c_float {
    let f = &mut *(user as *mut LrClosure);
    // a panic must not unwind into C: a NaN learning rate stops fit with an error
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(epoch as usize, lr))).unwrap_or(f32::NAN)
}

type EpochClosure = Box<dyn FnMut(usize, &HashMap<String, f32>) -> bool + Send>;

unsafe extern "C" fn epoch_end_tramp(m: *mut sys::nn_model, epoch: c_int, user: *mut c_void) -> c_int {
    let f = &mut *(user as *mut EpochClosure);
    let logs = read_history(m, Some(epoch as usize + 1)).epoch(epoch as usize);
    // a panic must not unwind into C: treat it as "stop"
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(epoch as usize, &logs))) {
        Ok(stop) => stop as c_int,
        Err(_) => 1,
    }
}

/// A Sequential model (`nn_model`). Freed on drop.
pub struct Model {
    raw: NonNull<sys::nn_model>,
    loss: Option<Loss>,
    keep: Vec<Box<dyn Any + Send>>,
}

// One model is used by one thread at a time (the C contract): it may move between threads,
// but it is not Sync. Closures kept alive for callbacks are required to be Send.
unsafe impl Send for Model {}

impl Drop for Model {
    fn drop(&mut self) {
        unsafe { sys::nn_model_free(self.raw.as_ptr()) }
        self.keep.clear();
    }
}

impl Model {
    /// `nn_model_create(input_dim)`.
    pub fn new(input_dim: usize) -> Result<Model> {
        let raw = made(unsafe { sys::nn_model_create(input_dim) }, "Model")?;
        Ok(Model { raw, loss: None, keep: Vec::new() })
    }

    fn ptr(&self) -> *mut sys::nn_model {
        self.raw.as_ptr()
    }

    fn check(&self, s: c_int) -> Result<()> {
        if s == 0 {
            Ok(())
        } else {
            Err(err(Status::from_code(s), unsafe { cstr(sys::nn_model_error(self.ptr())) }))
        }
    }

    /// Seed for weights, shuffling and dropout (set before compile).
    pub fn set_seed(&mut self, seed: u64) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_seed(self.ptr(), seed) })
    }
    /// Append a layer (consumed, also on failure).
    pub fn add(&mut self, layer: Layer) -> Result<()> {
        self.check(unsafe { sys::nn_model_add(self.ptr(), layer.into_raw()) })
    }
    /// Build the weights and attach the optimizer (consumed, also on failure) and loss.
    pub fn compile(&mut self, opt: Optimizer, loss: Loss) -> Result<()> {
        self.check(unsafe { sys::nn_model_compile(self.ptr(), opt.into_raw(), loss.code()) })?;
        self.loss = Some(loss);
        Ok(())
    }
    /// Track a metric in history and evaluate.
    pub fn add_metric(&mut self, metric: Metric) -> Result<()> {
        self.check(unsafe { sys::nn_model_add_metric(self.ptr(), metric.code()) })
    }
    /// Attach a callback (consumed, also on failure). Callbacks stay for later fits.
    pub fn add_callback(&mut self, cb: Callback) -> Result<()> {
        self.check(unsafe { sys::nn_model_add_callback(self.ptr(), cb.into_raw()) })
    }
    /// Custom callback called after every epoch with the epoch's logs; return true to stop.
    pub fn on_epoch_end<F>(&mut self, f: F) -> Result<()>
    where
        F: FnMut(usize, &HashMap<String, f32>) -> bool + Send + 'static,
    {
        let mut boxed: Box<EpochClosure> = Box::new(Box::new(f));
        let user = &mut *boxed as *mut EpochClosure as *mut c_void;
        let cb = unsafe { sys::nn_callback_custom(None, Some(epoch_end_tramp), None, user) };
        let cb = made(cb, "callback")?;
        self.keep.push(boxed);
        self.check(unsafe { sys::nn_model_add_callback(self.ptr(), cb.as_ptr()) })
    }
    /// `keras.callbacks.LearningRateScheduler(f)`: lr = f(epoch, lr) at every epoch begin.
    pub fn lr_scheduler<F>(&mut self, f: F) -> Result<()>
    where
        F: FnMut(usize, f32) -> f32 + Send + 'static,
    {
        let mut boxed: Box<LrClosure> = Box::new(Box::new(f));
        let user = &mut *boxed as *mut LrClosure as *mut c_void;
        let cb = made(unsafe { sys::nn_lr_scheduler(Some(lr_tramp), user) }, "LearningRateScheduler")?;
        self.keep.push(boxed);
        self.check(unsafe { sys::nn_model_add_callback(self.ptr(), cb.as_ptr()) })
    }
    /// Detach (free) every callback, as Keras passes callbacks per fit call.
    pub fn clear_callbacks(&mut self) -> Result<()> {
        self.check(unsafe { sys::nn_model_clear_callbacks(self.ptr()) })
    }
    /// All weights in Keras `get_weights` order, flattened.
    pub fn get_weights(&mut self) -> Result<Vec<f32>> {
        let mut need = 0usize;
        self.check(unsafe { sys::nn_model_get_weights(self.ptr(), std::ptr::null_mut(), 0, &mut need) })?;
        let mut w = vec![0.0f32; need];
        self.check(unsafe { sys::nn_model_get_weights(self.ptr(), w.as_mut_ptr(), w.len(), &mut need) })?;
        Ok(w)
    }
    /// Replace all weights (`param_count()` floats, same order as [`Model::get_weights`]).
    pub fn set_weights(&mut self, w: &[f32]) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_weights(self.ptr(), w.as_ptr(), w.len()) })
    }
    /// Save architecture, weights, optimizer state and attached scalers (atomic write).
    pub fn save(&self, path: &str) -> Result<()> {
        let p = cstring(path)?;
        self.check(unsafe { sys::nn_model_save(self.ptr(), p.as_ptr()) })
    }
    /// Load a model written by [`Model::save`]; ready for predict, evaluate and further fits.
    pub fn load(path: &str) -> Result<Model> {
        let p = cstring(path)?;
        let raw = unsafe { sys::nn_model_load(p.as_ptr()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(Model { raw, loss: None, keep: Vec::new() }),
            None => Err(last_error(Status::from_code(unsafe { sys::nn_last_load_status() }))),
        }
    }
    /// Hold out the last fraction of the rows for validation (Keras `validation_split`).
    pub fn set_validation_split(&mut self, fraction: f32) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_validation_split(self.ptr(), fraction) })
    }
    /// Validation rows (copied by the library).
    pub fn set_validation_data(&mut self, x: &[f32], y: &[f32]) -> Result<()> {
        let n = self.rows(x, "validation x")?;
        self.check_targets(y, n, "validation y")?;
        self.check(unsafe { sys::nn_model_set_validation_data(self.ptr(), x.as_ptr(), y.as_ptr(), n) })
    }
    /// Reshuffle the training rows every epoch (default true).
    pub fn set_shuffle(&mut self, shuffle: bool) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_shuffle(self.ptr(), shuffle as c_int) })
    }
    /// 0 silent, 1 progress bar, 2 one line per epoch (to stderr).
    pub fn set_verbose(&mut self, verbose: i32) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_verbose(self.ptr(), verbose) })
    }
    /// Current learning rate (NaN before compile).
    pub fn learning_rate(&self) -> f32 {
        unsafe { sys::nn_model_learning_rate(self.ptr()) }
    }
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        self.check(unsafe { sys::nn_model_set_learning_rate(self.ptr(), lr) })
    }

    pub fn input_dim(&self) -> usize {
        unsafe { sys::nn_model_input_dim(self.ptr()) }
    }
    pub fn output_dim(&self) -> usize {
        unsafe { sys::nn_model_output_dim(self.ptr()) }
    }
    pub fn param_count(&self) -> usize {
        unsafe { sys::nn_model_param_count(self.ptr()) }
    }
    pub fn layer_count(&self) -> usize {
        unsafe { sys::nn_model_layer_count(self.ptr()) }
    }

    fn rows(&self, x: &[f32], name: &str) -> Result<usize> {
        let d = self.input_dim();
        if d == 0 || x.len() % d != 0 || x.is_empty() {
            return Err(err(Status::Shape, format!("{} has {} values, not a positive multiple of input_dim {}",
                                                  name, x.len(), d)));
        }
        Ok(x.len() / d)
    }

    fn check_targets(&self, y: &[f32], n: usize, name: &str) -> Result<()> {
        // a loaded model does not say its loss here: one value per row (class indices) is left to the library
        let per = if self.loss == Some(Loss::SparseCategoricalCrossentropy) || (self.loss.is_none() && y.len() == n) {
            1
        } else {
            self.output_dim()
        };
        if y.len() != n * per {
            return Err(err(Status::Shape, format!("{} has {} values, expected {} rows x {}", name, y.len(), n, per)));
        }
        Ok(())
    }

    /// Train; `x` is rows x input_dim, `y` rows x output_dim (or rows class indices for sparse CCE).
    pub fn fit(&mut self, x: &[f32], y: &[f32], epochs: i32, batch_size: i32) -> Result<History> {
        let n = self.rows(x, "x")?;
        self.check_targets(y, n, "y")?;
        self.check(unsafe { sys::nn_model_fit(self.ptr(), x.as_ptr(), y.as_ptr(), n, epochs, batch_size) })?;
        Ok(self.history())
    }
    /// Column names of the inputs (one per input feature), saved with the model; `None` clears.
    pub fn set_feature_names(&mut self, names: Option<&[&str]>) -> Result<()> {
        self.set_names(names, false)
    }
    /// Column names of the outputs (one per output, layers added first); `None` clears.
    pub fn set_output_names(&mut self, names: Option<&[&str]>) -> Result<()> {
        self.set_names(names, true)
    }
    fn set_names(&mut self, names: Option<&[&str]>, outputs: bool) -> Result<()> {
        let owned = match names {
            Some(ns) => ns.iter().map(|n| cstring(n)).collect::<Result<Vec<CString>>>()?,
            None => Vec::new(),
        };
        let ptrs: Vec<*const std::os::raw::c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        let p = if names.is_some() { ptrs.as_ptr() } else { std::ptr::null() };
        self.check(unsafe {
            if outputs {
                sys::nn_model_set_output_names(self.ptr(), p, ptrs.len())
            } else {
                sys::nn_model_set_feature_names(self.ptr(), p, ptrs.len())
            }
        })
    }
    /// The input column names, `None` when not set.
    pub fn feature_names(&self) -> Option<Vec<String>> {
        self.names(self.input_dim(), false)
    }
    /// The output column names, `None` when not set.
    pub fn output_names(&self) -> Option<Vec<String>> {
        self.names(self.output_dim(), true)
    }
    fn names(&self, n: usize, outputs: bool) -> Option<Vec<String>> {
        (0..n)
            .map(|i| {
                let p = unsafe {
                    if outputs { sys::nn_model_output_name(self.ptr(), i) } else { sys::nn_model_feature_name(self.ptr(), i) }
                };
                if p.is_null() { None } else { Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()) }
            })
            .collect()
    }
    /// Train with a weight per row (Keras `sample_weight`): finite and >= 0, one per row of `x`.
    pub fn fit_weighted(&mut self, x: &[f32], y: &[f32], sample_weight: &[f32], epochs: i32, batch_size: i32)
        -> Result<History> {
        let n = self.rows(x, "x")?;
        self.check_targets(y, n, "y")?;
        if sample_weight.len() != n {
            return Err(err(Status::Shape, format!("sample_weight has {} values for {} rows", sample_weight.len(), n)));
        }
        self.check(unsafe {
            sys::nn_model_fit_weighted(self.ptr(), x.as_ptr(), y.as_ptr(), sample_weight.as_ptr(), n, epochs, batch_size)
        })?;
        Ok(self.history())
    }
    /// Keras `class_weight`: a weight per class for the training rows; `None` clears them.
    pub fn set_class_weights(&mut self, weights: Option<&[f32]>) -> Result<()> {
        let (p, n) = weights.map_or((std::ptr::null(), 0), |w| (w.as_ptr(), w.len()));
        self.check(unsafe { sys::nn_model_set_class_weights(self.ptr(), p, n) })
    }
    /// Track a metric weighted by sample/class weights (Keras `weighted_metrics`).
    pub fn add_weighted_metric(&mut self, metric: Metric) -> Result<()> {
        self.check(unsafe { sys::nn_model_add_weighted_metric(self.ptr(), metric.code()) })
    }
    /// History of the last fit.
    pub fn history(&self) -> History {
        unsafe { read_history(self.ptr(), None) }
    }
    /// Loss over the rows in inference mode; metrics via [`Model::evaluated_metric`].
    pub fn evaluate(&mut self, x: &[f32], y: &[f32]) -> Result<f32> {
        let n = self.rows(x, "x")?;
        self.check_targets(y, n, "y")?;
        let mut loss = 0.0f32;
        self.check(unsafe { sys::nn_model_evaluate(self.ptr(), x.as_ptr(), y.as_ptr(), n, &mut loss) })?;
        Ok(loss)
    }
    /// A metric ("mae", "accuracy", ...) from the last evaluate.
    pub fn evaluated_metric(&self, key: &str) -> Option<f32> {
        let k = CString::new(key).ok()?;
        let v = unsafe { sys::nn_model_evaluated_metric(self.ptr(), k.as_ptr()) };
        if v.is_nan() { None } else { Some(v) }
    }
    /// Outputs, rows x output_dim.
    pub fn predict(&mut self, x: &[f32]) -> Result<Vec<f32>> {
        let n = self.rows(x, "x")?;
        let mut out = vec![0.0f32; n * self.output_dim()];
        self.check(unsafe { sys::nn_model_predict(self.ptr(), x.as_ptr(), n, out.as_mut_ptr()) })?;
        Ok(out)
    }
    /// The Keras-style summary table.
    pub fn summary(&self) -> Result<String> {
        let mut need = 0usize;
        self.check(unsafe { sys::nn_model_summary(self.ptr(), std::ptr::null_mut(), 0, &mut need) })?;
        let mut buf = vec![0u8; need.max(1)];
        self.check(unsafe { sys::nn_model_summary(self.ptr(), buf.as_mut_ptr() as *mut _, buf.len(), &mut need) })?;
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
    }
    /// SVG learning curves of the last fit.
    pub fn plot_history(&self, path: &str, log_scale: bool) -> Result<()> {
        let p = cstring(path)?;
        self.check(unsafe { sys::nn_model_plot_history_ex(self.ptr(), p.as_ptr(), log_scale as c_int) })
    }
}
