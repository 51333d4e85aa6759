"""libnn for Python: a Keras-shaped front end to the libnn C library.

Pure ctypes, standard library only. The shared library is looked up, in order:
  1. the path in the NN_LIBRARY environment variable,
  2. libnn.so / libnn.so.0 (libnn.dylib, nn.dll) next to this package,
  3. build/ of the source tree this package sits in (python/libnn -> ../../build),
  4. the system search path (ctypes.util.find_library("nn")).

    import libnn as nn
    model = nn.Sequential([nn.Dense(64, activation="relu"), nn.Dropout(0.3), nn.Dense(1)],
                          input_dim=10)
    model.compile(optimizer=nn.Adam(1e-3), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=100, batch_size=32, validation_split=0.2,
                        callbacks=[nn.EarlyStopping(patience=10, restore_best_weights=True)])
    print(history.history["val_loss"][-1], model.evaluate(xt, yt), model.predict(xt))

Data: nested lists, or anything with the buffer protocol (array.array, NumPy arrays, ...).
C-contiguous, writable float32 buffers are passed to the library without a copy; other
inputs are converted once. predict() returns a NumPy array when NumPy is importable,
otherwise a list of rows.

Every failure of the library raises a subclass of libnn.Error carrying its message.
"""

import array
import ctypes
import ctypes.util
import math
import os
import sys

__all__ = [
    "Error", "InvalidArgumentError", "OutOfMemoryError", "ShapeError", "StateError",
    "FileError", "FormatError", "NonFiniteError", "UnsupportedError",
    "Sequential", "Input", "Dense", "Dropout", "BatchNormalization", "LayerNormalization", "GaussianNoise",
    "GaussianDropout", "Activation",
    "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules",
    "Callback", "EarlyStopping", "LearningRateScheduler", "ReduceLROnPlateau", "LambdaCallback",
    "ModelCheckpoint", "CSVLogger", "TerminateOnNaN",
    "History", "regularizers", "load_model", "version", "library_path",
    "read_csv", "StandardScaler", "MinMaxScaler",
]

# ---------------------------------------------------------------------------
# Loading the library
# ---------------------------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))
_NAMES = ("libnn.so", "libnn.so.0", "libnn.dylib", "nn.dll", "libnn.dll")


def _candidates():
    env = os.environ.get("NN_LIBRARY")
    if env:
        yield env
    for d in (_HERE, os.path.join(_HERE, "..", "build"), os.path.join(_HERE, "..", "..", "build")):
        for n in _NAMES:
            p = os.path.normpath(os.path.join(d, n))
            if os.path.exists(p):
                yield p
    found = ctypes.util.find_library("nn")
    if found:
        yield found
    yield "libnn.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
            if path == os.environ.get("NN_LIBRARY"):
                break
    raise ImportError("libnn: cannot load the shared library (set NN_LIBRARY to its path); tried:\n  "
                      + "\n  ".join(errors))


_lib, library_path = _load()

_c_float_p = ctypes.POINTER(ctypes.c_float)
_vp = ctypes.c_void_p
_sz = ctypes.c_size_t
_i = ctypes.c_int
_f = ctypes.c_float
_st = ctypes.c_int  # nn_status
_EPOCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, _vp, ctypes.c_int, _vp)
_BATCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, _vp, ctypes.c_int, ctypes.c_float, _vp)
_LOG_FN = ctypes.CFUNCTYPE(None, _vp, ctypes.c_char_p)
_LR_FN = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.c_int, ctypes.c_float, _vp)


def _bind(name, restype, *argtypes, required=True):
    try:
        fn = getattr(_lib, name)
    except AttributeError:
        if required:
            raise ImportError("libnn: %s is missing from %s" % (name, library_path))
        return None
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


class _C:
    """The C functions used here; optional ones are None when the library lacks them."""


_FUNCS = [
    ("nn_version", ctypes.c_char_p),
    ("nn_status_string", ctypes.c_char_p, _st),
    ("nn_model_error", ctypes.c_char_p, _vp),
    ("nn_last_error", ctypes.c_char_p),
    ("nn_model_create", _vp, _sz),
    ("nn_model_free", None, _vp),
    ("nn_model_add", _st, _vp, _vp),
    ("nn_model_compile", _st, _vp, _vp, _i),
    ("nn_model_set_seed", _st, _vp, ctypes.c_uint64),
    ("nn_model_input_dim", _sz, _vp),
    ("nn_model_output_dim", _sz, _vp),
    ("nn_model_param_count", _sz, _vp),
    ("nn_model_trainable_param_count", _sz, _vp),
    ("nn_model_layer_count", _sz, _vp),
    ("nn_model_summary", _st, _vp, ctypes.c_char_p, _sz, ctypes.POINTER(_sz)),
    ("nn_model_set_huber_delta", _st, _vp, _f),
    ("nn_model_set_log_sink", _st, _vp, _LOG_FN, _vp),
    ("nn_model_fit", _st, _vp, _c_float_p, _c_float_p, _sz, _i, _i),
    ("nn_model_set_validation_split", _st, _vp, _f),
    ("nn_model_set_validation_data", _st, _vp, _c_float_p, _c_float_p, _sz),
    ("nn_model_set_shuffle", _st, _vp, _i),
    ("nn_model_set_verbose", _st, _vp, _i),
    ("nn_model_add_metric", _st, _vp, _i),
    ("nn_model_add_callback", _st, _vp, _vp),
    ("nn_model_learning_rate", _f, _vp),
    ("nn_model_set_learning_rate", _st, _vp, _f),
    ("nn_model_stop_training", _st, _vp),
    ("nn_model_history_len", _sz, _vp),
    ("nn_model_history", _f, _vp, ctypes.c_char_p, _sz),
    ("nn_model_history_key_count", _sz, _vp),
    ("nn_model_history_key", ctypes.c_char_p, _vp, _sz),
    ("nn_model_evaluate", _st, _vp, _c_float_p, _c_float_p, _sz, ctypes.POINTER(_f)),
    ("nn_model_evaluated_metric", _f, _vp, ctypes.c_char_p),
    ("nn_model_predict", _st, _vp, _c_float_p, _sz, _c_float_p),
    ("nn_dense", _vp, _sz, _i),
    ("nn_dropout", _vp, _f),
    ("nn_layer_free", None, _vp),
    ("nn_layer_set_kernel_initializer", _st, _vp, _i),
    ("nn_layer_set_bias_initializer", _st, _vp, _i),
    ("nn_layer_set_kernel_regularizer", _st, _vp, _f, _f),
    ("nn_layer_set_leaky_slope", _st, _vp, _f),
    ("nn_sgd", _vp, _f, _f, _i),
    ("nn_adam", _vp, _f),
    ("nn_adamw", _vp, _f, _f),
    ("nn_rmsprop", _vp, _f),
    ("nn_adagrad", _vp, _f),
    ("nn_optimizer_free", None, _vp),
    ("nn_optimizer_set_beta1", _st, _vp, _f),
    ("nn_optimizer_set_beta2", _st, _vp, _f),
    ("nn_optimizer_set_epsilon", _st, _vp, _f),
    ("nn_optimizer_set_amsgrad", _st, _vp, _i),
    ("nn_optimizer_set_rho", _st, _vp, _f),
    ("nn_optimizer_set_momentum", _st, _vp, _f),
    ("nn_optimizer_set_centered", _st, _vp, _i),
    ("nn_optimizer_set_initial_accumulator", _st, _vp, _f),
    ("nn_optimizer_set_clipnorm", _st, _vp, _f),
    ("nn_optimizer_set_global_clipnorm", _st, _vp, _f),
    ("nn_optimizer_set_clipvalue", _st, _vp, _f),
    ("nn_early_stopping", _vp, ctypes.c_char_p, _f, _i, _i),
    ("nn_callback_custom", _vp, _EPOCH_FN, _EPOCH_FN, _BATCH_FN, _vp),
    ("nn_callback_free", None, _vp),
]
_OPTIONAL = [
    ("nn_model_clear_callbacks", _st, _vp),
    ("nn_model_plot_history", _st, _vp, ctypes.c_char_p),
    ("nn_model_plot_history_ex", _st, _vp, ctypes.c_char_p, _i),
    ("nn_batch_norm", _vp),
    ("nn_gaussian_noise", _vp, _f),
    ("nn_reduce_lr_on_plateau", _vp, ctypes.c_char_p, _f, _i, _f),
    ("nn_lr_scheduler", _vp, _LR_FN, _vp),
    ("nn_model_get_weights", _st, _vp, _c_float_p, _sz, ctypes.POINTER(_sz)),
    ("nn_model_set_weights", _st, _vp, _c_float_p, _sz),
    ("nn_model_save", _st, _vp, ctypes.c_char_p),
    ("nn_model_load", _vp, ctypes.c_char_p),
    ("nn_last_load_status", _st),
    ("nn_layer_norm", _vp),
    ("nn_gaussian_dropout", _vp, _f),
    ("nn_activation_layer", _vp, _i),
    ("nn_layer_set_bias_regularizer", _st, _vp, _f, _f),
    ("nn_layer_set_use_bias", _st, _vp, _i),
    ("nn_layer_set_momentum", _st, _vp, _f),
    ("nn_layer_set_epsilon", _st, _vp, _f),
    ("nn_layer_set_center", _st, _vp, _i),
    ("nn_layer_set_scale", _st, _vp, _i),
    ("nn_callback_set_mode", _st, _vp, ctypes.c_char_p),
    ("nn_callback_set_baseline", _st, _vp, _f),
    ("nn_callback_set_start_from_epoch", _st, _vp, _i),
    ("nn_callback_set_min_delta", _st, _vp, _f),
    ("nn_callback_set_cooldown", _st, _vp, _i),
    ("nn_model_checkpoint", _vp, ctypes.c_char_p, ctypes.c_char_p, _i),
    ("nn_callback_set_save_weights_only", _st, _vp, _i),
    ("nn_csv_logger", _vp, ctypes.c_char_p),
    ("nn_callback_set_append", _st, _vp, _i),
    ("nn_terminate_on_nan", _vp),
    ("nn_model_fit_weighted", _st, _vp, _c_float_p, _c_float_p, _c_float_p, _sz, _i, _i),
    ("nn_model_set_class_weights", _st, _vp, _c_float_p, _sz),
    ("nn_standard_scaler", _vp),
    ("nn_minmax_scaler", _vp, _f, _f),
    ("nn_scaler_free", None, _vp),
    ("nn_scaler_fit", _st, _vp, _c_float_p, _sz, _sz),
    ("nn_scaler_transform", _st, _vp, _c_float_p, _sz, _c_float_p),
    ("nn_scaler_inverse_transform", _st, _vp, _c_float_p, _sz, _c_float_p),
    ("nn_scaler_dim", _sz, _vp),
    ("nn_scaler_stat", _f, _vp, ctypes.c_char_p, _sz),
    ("nn_model_set_input_scaler", _st, _vp, _vp),
    ("nn_model_set_target_scaler", _st, _vp, _vp),
    ("nn_dataset_create", _vp),
    ("nn_dataset_free", None, _vp),
    ("nn_dataset_set_separator", _st, _vp, _i),
    ("nn_dataset_set_header", _st, _vp, _i),
    ("nn_dataset_add_target_name", _st, _vp, ctypes.c_char_p),
    ("nn_dataset_add_target_index", _st, _vp, _sz),
    ("nn_dataset_set_no_targets", _st, _vp, _i),
    ("nn_dataset_read_csv", _st, _vp, ctypes.c_char_p),
    ("nn_dataset_error", ctypes.c_char_p, _vp),
    ("nn_dataset_rows", _sz, _vp),
    ("nn_dataset_feature_count", _sz, _vp),
    ("nn_dataset_target_count", _sz, _vp),
    ("nn_dataset_x", _c_float_p, _vp),
    ("nn_dataset_y", _c_float_p, _vp),
    ("nn_dataset_feature_name", ctypes.c_char_p, _vp, _sz),
    ("nn_dataset_target_name", ctypes.c_char_p, _vp, _sz),
    ("nn_model_set_feature_names", _st, _vp, ctypes.POINTER(ctypes.c_char_p), _sz),
    ("nn_model_set_output_names", _st, _vp, ctypes.POINTER(ctypes.c_char_p), _sz),
    ("nn_model_feature_name", ctypes.c_char_p, _vp, _sz),
    ("nn_model_output_name", ctypes.c_char_p, _vp, _sz),
    ("nn_scaler_set_impute_mean", _st, _vp, _i),
    ("nn_dataset_add_feature_name", _st, _vp, ctypes.c_char_p),
    ("nn_dataset_add_ignore_name", _st, _vp, ctypes.c_char_p),
    ("nn_optimizer_set_schedule", _st, _vp, _vp),
    ("nn_schedule_exponential_decay", _vp, _f, ctypes.c_int64, _f, _i),
    ("nn_schedule_inverse_time_decay", _vp, _f, ctypes.c_int64, _f, _i),
    ("nn_schedule_piecewise_constant", _vp, ctypes.POINTER(ctypes.c_int64), _c_float_p, _sz),
    ("nn_schedule_cosine_decay", _vp, _f, ctypes.c_int64, _f),
    ("nn_schedule_set_warmup", _st, _vp, ctypes.c_int64, _f),
    ("nn_schedule_value", _f, _vp, ctypes.c_int64),
    ("nn_schedule_free", None, _vp),
]


def _need(fn, what):
    """The optional C function, or UnsupportedError naming what needs it."""
    if fn is None:
        raise UnsupportedError("%s: this libnn build lacks the C function it needs" % what)
    return fn
for _spec in _FUNCS:
    setattr(_C, _spec[0][3:], staticmethod(_bind(_spec[0], _spec[1], *_spec[2:])))
for _spec in _OPTIONAL:
    _fn = _bind(_spec[0], _spec[1], *_spec[2:], required=False)
    setattr(_C, _spec[0][3:], staticmethod(_fn) if _fn else None)


def version():
    """Version string of the loaded C library."""
    return _C.version().decode()


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class Error(Exception):
    """A libnn call failed. .status is the nn_status code, str(e) the library's message."""
    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgumentError(Error, ValueError):
    status = 1


class OutOfMemoryError(Error, MemoryError):
    status = 2


class ShapeError(Error, ValueError):
    status = 3


class StateError(Error, RuntimeError):
    status = 4


class FileError(Error, OSError):
    status = 5


class FormatError(Error, ValueError):
    status = 6


class NonFiniteError(Error, ArithmeticError):
    status = 7


class UnsupportedError(Error, NotImplementedError):
    status = 8


_BY_STATUS = {c.status: c for c in (InvalidArgumentError, OutOfMemoryError, ShapeError, StateError,
                                     FileError, FormatError, NonFiniteError, UnsupportedError)}


def _raise(status, message):
    cls = _BY_STATUS.get(status, Error)
    if not message:
        message = _C.status_string(status).decode()
    raise cls(message, status)


def _check(status, handle=None):
    if status != 0:
        msg = _C.model_error(handle).decode() if handle else _C.last_error().decode()
        _raise(status, msg)


def _made(handle, what):
    if not handle:
        _raise(2 if "memory" in _C.last_error().decode() else 1,
               "%s: %s" % (what, _C.last_error().decode() or "constructor failed"))
    return handle


# ---------------------------------------------------------------------------
# Data conversion
# ---------------------------------------------------------------------------

def _numpy():
    try:
        import numpy
        return numpy
    except ImportError:
        return None


class _Floats:
    """A row-major float32 block handed to C: .ptr, .rows, .cols (keeps its source alive)."""

    def __init__(self, buf, rows, cols, keep=None):
        self.buf = buf
        self.rows = rows
        self.cols = cols
        self.keep = keep
        self.ptr = ctypes.cast(buf, _c_float_p) if buf is not None else None


def _flatten(obj, name):
    if len(obj) == 0:
        raise InvalidArgumentError("%s is empty" % name)
    first = obj[0]
    if isinstance(first, (list, tuple)) or (hasattr(first, "__len__") and not isinstance(first, (str, bytes))):
        cols = len(first)
        flat = array.array("f")
        for r, row in enumerate(obj):
            if len(row) != cols:
                raise ShapeError("%s[%d] has %d values, %s[0] has %d" % (name, r, len(row), name, cols))
            flat.extend(float(v) for v in row)
        return flat, len(obj), cols
    return array.array("f", (float(v) for v in obj)), len(obj), 1


def _floats(obj, name):
    """Convert x or y to float32 rows without copying when the input already is float32."""
    if isinstance(obj, _Floats):
        return obj
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray) and (obj.dtype != np.float32 or not obj.flags.c_contiguous
                                                           or not obj.flags.writeable):
        obj = np.array(obj, dtype=np.float32, order="C")
    try:
        mv = memoryview(obj)
    except TypeError:
        mv = None
    if mv is not None:
        if mv.ndim == 0:
            raise InvalidArgumentError("%s must have at least one dimension" % name)
        rows = mv.shape[0]
        cols = 1
        for d in mv.shape[1:]:
            cols *= d
        if rows == 0 or cols == 0:
            raise InvalidArgumentError("%s is empty" % name)
        if mv.format in ("f", "<f", "=f") and mv.itemsize == 4 and mv.c_contiguous and not mv.readonly:
            flat = mv.cast("B").cast("f") if mv.ndim > 1 else mv
            buf = (ctypes.c_float * (rows * cols)).from_buffer(flat)  # zero-copy
            return _Floats(buf, rows, cols, (obj, mv, flat))
        if mv.format in ("f", "<f", "=f") and mv.itemsize == 4 and mv.c_contiguous:
            flat = array.array("f")
            flat.frombytes(mv.tobytes())
        else:
            try:
                data = mv.tolist()
            except (NotImplementedError, TypeError):
                np = _numpy()
                if np is None:
                    raise InvalidArgumentError("%s: unsupported buffer format %r" % (name, mv.format))
                return _floats(np.array(obj, dtype=np.float32, order="C"), name)
            flat, r2, c2 = _flatten(data if mv.ndim <= 2 else [_flat_list(row) for row in data], name)
        buf = (ctypes.c_float * (rows * cols)).from_buffer(flat)
        return _Floats(buf, rows, cols, flat)
    if isinstance(obj, (list, tuple)):
        flat, rows, cols = _flatten(obj, name)
        buf = (ctypes.c_float * (rows * cols)).from_buffer(flat)
        return _Floats(buf, rows, cols, flat)
    if hasattr(obj, "__iter__"):
        return _floats(list(obj), name)
    raise InvalidArgumentError("%s must be a list of rows or a buffer of numbers, not %s" % (name, type(obj).__name__))


def _flat_list(x):
    if isinstance(x, list):
        out = []
        for v in x:
            out.extend(_flat_list(v))
        return out
    return [x]


def _matrix(flat, rows, cols):
    """Predictions as a NumPy array (rows, cols) when NumPy is present, else a list of rows."""
    np = _numpy()
    if np is not None:
        return np.frombuffer(flat, dtype=np.float32).reshape(rows, cols).copy()
    return [list(flat[r * cols:(r + 1) * cols]) for r in range(rows)]


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_ACTIVATIONS = {None: 0, "linear": 0, "relu": 1, "leaky_relu": 2, "elu": 3, "selu": 4, "sigmoid": 5,
                "tanh": 6, "softmax": 7, "softplus": 8, "gelu": 9, "swish": 10, "silu": 10}
_LOSSES = {"mse": 0, "mean_squared_error": 0, "meansquarederror": 0,
           "mae": 1, "mean_absolute_error": 1, "meanabsoluteerror": 1,
           "huber": 2, "huber_loss": 2,
           "binary_crossentropy": 3, "binarycrossentropy": 3,
           "categorical_crossentropy": 4, "categoricalcrossentropy": 4,
           "sparse_categorical_crossentropy": 5, "sparsecategoricalcrossentropy": 5}
_METRICS = {"accuracy": 0, "acc": 0, "binary_accuracy": 0, "categorical_accuracy": 0,
            "sparse_categorical_accuracy": 0,
            "mae": 1, "mean_absolute_error": 1, "meanabsoluteerror": 1,
            "mse": 2, "mean_squared_error": 2, "meansquarederror": 2,
            "rmse": 3, "root_mean_squared_error": 3, "rootmeansquarederror": 3}
_METRIC_KEYS = {0: "accuracy", 1: "mae", 2: "mse", 3: "rmse"}
_INITIALIZERS = {"glorot_uniform": 0, "glorot_normal": 1, "he_normal": 2, "he_uniform": 3,
                 "lecun_normal": 4, "zeros": 5, "ones": 6}


def _lookup(table, value, what):
    key = value
    if isinstance(value, str):
        key = value.lower()
    elif value is not None and not isinstance(value, int):
        key = type(value).__name__.lower()
    if key not in table:
        raise InvalidArgumentError("unknown %s %r (known: %s)" % (what, value, ", ".join(
            sorted(k for k in table if isinstance(k, str)))))
    return table[key]


class regularizers:
    """keras.regularizers: l1(0.01), l2(0.01), l1_l2(l1=0.01, l2=0.01) -> (l1, l2)."""

    @staticmethod
    def l1(l1=0.01):
        return (float(l1), 0.0)

    @staticmethod
    def l2(l2=0.01):
        return (0.0, float(l2))

    @staticmethod
    def l1_l2(l1=0.01, l2=0.01):
        return (float(l1), float(l2))

    L1, L2, L1L2 = l1, l2, l1_l2


def _regularizer(value, what):
    """(l1, l2) from regularizers.l1/l2/l1_l2(...), a (l1, l2) pair or the Keras strings."""
    if value is None:
        return None
    if isinstance(value, str):
        key = value.lower()
        if key not in ("l1", "l2", "l1_l2", "l1l2"):
            raise InvalidArgumentError("%s: unknown regularizer %r (l1, l2, l1_l2)" % (what, value))
        return {"l1": (0.01, 0.0), "l2": (0.0, 0.01)}.get(key, (0.01, 0.01))
    try:
        l1, l2 = value
        return float(l1), float(l2)
    except (TypeError, ValueError):
        raise InvalidArgumentError("%s: expected regularizers.l2(0.01) or similar, got %r" % (what, value))


class losses:
    """Loss objects as in keras.losses; strings work too."""

    class MeanSquaredError:
        name = "mse"

    class MeanAbsoluteError:
        name = "mae"

    class Huber:
        def __init__(self, delta=1.0):
            self.name, self.delta = "huber", float(delta)

    class BinaryCrossentropy:
        def __init__(self, from_logits=False):
            self.name, self.from_logits = "binary_crossentropy", bool(from_logits)

    class CategoricalCrossentropy:
        name = "categorical_crossentropy"

    class SparseCategoricalCrossentropy:
        name = "sparse_categorical_crossentropy"


# ---------------------------------------------------------------------------
# Layers (specifications; the C layer is made when the model is built)
# ---------------------------------------------------------------------------

class Layer:
    input_dim = None

    def _probe(self):
        """Let the library validate the arguments now, as Keras does in the constructor."""
        try:
            h = self._make()
        except UnsupportedError:
            return
        _C.layer_free(h)

    def _make(self):
        raise NotImplementedError

    def _configure(self, handle):
        pass


class Input:
    """keras.Input(shape=(n,)): only fixes the input width."""

    def __init__(self, shape=None, input_dim=None):
        if input_dim is None:
            if shape is None:
                raise InvalidArgumentError("Input needs shape=(n,) or input_dim=n")
            shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
            if len(shape) != 1:
                raise ShapeError("libnn models take flat feature rows; Input shape %r is not (n,)" % (shape,))
            input_dim = shape[0]
        self.input_dim = int(input_dim)


InputLayer = Input


def _input_dim_from(input_dim, input_shape):
    if input_dim is not None:
        return int(input_dim)
    if input_shape is not None:
        return Input(shape=input_shape).input_dim
    return None


class Dense(Layer):
    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, input_dim=None,
                 input_shape=None, name=None):
        if int(units) <= 0:
            raise InvalidArgumentError("Dense: units must be > 0, got %r" % (units,))
        self.units = int(units)
        self.activation = _lookup(_ACTIVATIONS, activation, "activation")
        self.kernel_initializer = _lookup(_INITIALIZERS, kernel_initializer, "initializer")
        self.bias_initializer = _lookup(_INITIALIZERS, bias_initializer, "initializer")
        self.kernel_regularizer = _regularizer(kernel_regularizer, "Dense kernel_regularizer")
        self.bias_regularizer = _regularizer(bias_regularizer, "Dense bias_regularizer")
        self.use_bias = bool(use_bias)
        self.input_dim = _input_dim_from(input_dim, input_shape)
        self.name = name
        self._probe()

    def _make(self):
        h = _made(_C.dense(self.units, self.activation), "Dense")
        try:
            _check(_C.layer_set_kernel_initializer(h, self.kernel_initializer))
            _check(_C.layer_set_bias_initializer(h, self.bias_initializer))
            if self.kernel_regularizer is not None:
                l1, l2 = self.kernel_regularizer
                _check(_C.layer_set_kernel_regularizer(h, l1, l2))
            if self.bias_regularizer is not None:
                l1, l2 = self.bias_regularizer
                _check(_need(_C.layer_set_bias_regularizer, "Dense bias_regularizer")(h, l1, l2))
            if not self.use_bias:
                _check(_need(_C.layer_set_use_bias, "Dense use_bias")(h, 0))
        except Error:
            _C.layer_free(h)
            raise
        return h


class Dropout(Layer):
    def __init__(self, rate, name=None):
        self.rate = float(rate)
        self.name = name
        self._probe()

    def _make(self):
        return _made(_C.dropout(self.rate), "Dropout")


class _Normalization(Layer):
    def _configure_norm(self, h, momentum=None):
        try:
            if momentum is not None:
                _check(_C.layer_set_momentum(h, momentum))
            _check(_C.layer_set_epsilon(h, self.epsilon))
            _check(_C.layer_set_center(h, int(self.center)))
            _check(_C.layer_set_scale(h, int(self.scale)))
        except Error:
            _C.layer_free(h)
            raise
        return h


class BatchNormalization(_Normalization):
    """keras.layers.BatchNormalization over the feature axis (moving statistics at inference)."""

    def __init__(self, momentum=0.99, epsilon=1e-3, center=True, scale=True, name=None):
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.name = name
        self._probe()

    def _make(self):
        h = _made(_need(_C.batch_norm, "BatchNormalization")(), "BatchNormalization")
        return self._configure_norm(h, self.momentum)


class LayerNormalization(_Normalization):
    """keras.layers.LayerNormalization over each row's features."""

    def __init__(self, epsilon=1e-3, center=True, scale=True, name=None):
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.name = name
        self._probe()

    def _make(self):
        h = _made(_need(_C.layer_norm, "LayerNormalization")(), "LayerNormalization")
        return self._configure_norm(h)


class GaussianDropout(Layer):
    """Multiplicative N(1, rate/(1-rate)) noise while training, identity at inference."""

    def __init__(self, rate, name=None):
        self.rate = float(rate)
        self.name = name
        self._probe()

    def _make(self):
        return _made(_need(_C.gaussian_dropout, "GaussianDropout")(self.rate), "GaussianDropout")


class Activation(Layer):
    """keras.layers.Activation("relu") as its own layer."""

    def __init__(self, activation, name=None):
        self.activation = _lookup(_ACTIVATIONS, activation, "activation")
        self.name = name
        self._probe()

    def _make(self):
        return _made(_need(_C.activation_layer, "Activation")(self.activation), "Activation")


class GaussianNoise(Layer):
    def __init__(self, stddev, name=None):
        self.stddev = float(stddev)
        self.name = name
        self._probe()

    def _make(self):
        if _C.gaussian_noise is None:
            raise UnsupportedError("GaussianNoise: this libnn build has no nn_gaussian_noise")
        return _made(_C.gaussian_noise(self.stddev), "GaussianNoise")


# ---------------------------------------------------------------------------
# Optimizers (specifications)
# ---------------------------------------------------------------------------

class schedules:
    """keras.optimizers.schedules: pass one as an optimizer's learning_rate. The library evaluates
    it before every update (nn_optimizer_set_schedule); calling one gives its value at a step."""

    class LearningRateSchedule:
        _args = ()

        def _make(self):
            h = _made(_need(self._ctor, type(self).__name__)(*self._args), type(self).__name__)
            try:
                self._configure(h)
            except Error:
                _C.schedule_free(h)
                raise
            return h

        def _configure(self, h):
            pass

        def __call__(self, step):
            h = self._make()
            try:
                return float(_C.schedule_value(h, int(step)))
            finally:
                _C.schedule_free(h)

        @property
        def initial_learning_rate(self):
            return float(self._args[0])

    class ExponentialDecay(LearningRateSchedule):
        """initial_learning_rate * decay_rate ** (step / decay_steps), floored when staircase."""

        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
            self._ctor = _C.schedule_exponential_decay
            self._args = (float(initial_learning_rate), int(decay_steps), float(decay_rate), int(bool(staircase)))

    class InverseTimeDecay(LearningRateSchedule):
        """initial_learning_rate / (1 + decay_rate * step / decay_steps), floored when staircase."""

        def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
            self._ctor = _C.schedule_inverse_time_decay
            self._args = (float(initial_learning_rate), int(decay_steps), float(decay_rate), int(bool(staircase)))

    class PiecewiseConstantDecay(LearningRateSchedule):
        """values[i] while step <= boundaries[i], then values[-1]; len(values) == len(boundaries) + 1."""

        def __init__(self, boundaries, values):
            boundaries, values = list(boundaries), list(values)
            if len(values) != len(boundaries) + 1:
                raise InvalidArgumentError("PiecewiseConstantDecay: %d values for %d boundaries; need one more"
                                           % (len(values), len(boundaries)))
            self._ctor = _C.schedule_piecewise_constant
            self._args = ((ctypes.c_int64 * len(boundaries))(*[int(b) for b in boundaries]),
                          (ctypes.c_float * len(values))(*[float(v) for v in values]), len(boundaries))

        @property
        def initial_learning_rate(self):
            return float(self._args[1][0])

    class CosineDecay(LearningRateSchedule):
        """Cosine decay to alpha * initial_learning_rate over decay_steps, after an optional linear
        warmup to warmup_target over warmup_steps (Keras 3 arguments)."""

        def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
            self._ctor = _C.schedule_cosine_decay
            self._args = (float(initial_learning_rate), int(decay_steps), float(alpha))
            self.warmup = (int(warmup_steps), warmup_target)

        def _configure(self, h):
            steps, target = self.warmup
            if target is not None:
                _check(_C.schedule_set_warmup(h, steps, float(target)))


class Optimizer:
    _defaults = {}

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None, **kw):
        self.schedule = None
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self.schedule, learning_rate = learning_rate, learning_rate.initial_learning_rate
        self.learning_rate = float(learning_rate)
        self.clip = (clipnorm, clipvalue, global_clipnorm)
        self.kw = kw

    def _new(self):
        raise NotImplementedError

    def _make(self):
        h = _made(self._new(), type(self).__name__)
        try:
            clipnorm, clipvalue, global_clipnorm = self.clip
            if clipnorm:
                _check(_C.optimizer_set_clipnorm(h, clipnorm))
            if clipvalue:
                _check(_C.optimizer_set_clipvalue(h, clipvalue))
            if global_clipnorm:
                _check(_C.optimizer_set_global_clipnorm(h, global_clipnorm))
            for key, value in self.kw.items():
                if value is None:
                    continue
                setter = {"beta_1": _C.optimizer_set_beta1, "beta_2": _C.optimizer_set_beta2,
                          "epsilon": _C.optimizer_set_epsilon, "amsgrad": _C.optimizer_set_amsgrad,
                          "rho": _C.optimizer_set_rho, "momentum": _C.optimizer_set_momentum,
                          "centered": _C.optimizer_set_centered,
                          "initial_accumulator_value": _C.optimizer_set_initial_accumulator}[key]
                _check(setter(h, value))
            if self.schedule is not None:
                # the optimizer owns the schedule from here on, also when attaching fails
                _check(_need(_C.optimizer_set_schedule, "learning-rate schedule")(h, self.schedule._make()))
        except Error:
            _C.optimizer_free(h)
            raise
        return h


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kw):
        super().__init__(learning_rate, **kw)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _new(self):
        return _C.sgd(self.learning_rate, self.momentum, int(self.nesterov))


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=None, beta_2=None, epsilon=None, amsgrad=None, **kw):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=None if amsgrad is None else int(amsgrad), **kw)

    def _new(self):
        return _C.adam(self.learning_rate)


class AdamW(Optimizer):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=None, beta_2=None, epsilon=None,
                 amsgrad=None, **kw):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=None if amsgrad is None else int(amsgrad), **kw)
        self.weight_decay = float(weight_decay)

    def _new(self):
        return _C.adamw(self.learning_rate, self.weight_decay)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=None, momentum=None, epsilon=None, centered=None, **kw):
        super().__init__(learning_rate, rho=rho, momentum=momentum, epsilon=epsilon,
                         centered=None if centered is None else int(centered), **kw)

    def _new(self):
        return _C.rmsprop(self.learning_rate)


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=None, epsilon=None, **kw):
        super().__init__(learning_rate, initial_accumulator_value=initial_accumulator_value, epsilon=epsilon, **kw)

    def _new(self):
        return _C.adagrad(self.learning_rate)


_OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}

# ---------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------


class Callback:
    """Subclass and override on_epoch_begin/on_epoch_end/on_train_batch_end (Keras names).
    self.model is the Sequential; set self.model.stop_training = True to stop."""
    model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

    def _attach(self, model):
        """Return the C callback handle (and keep the ctypes trampolines alive on the model)."""
        self.set_model(model)
        cls = type(self)
        wants_begin = cls.on_epoch_begin is not Callback.on_epoch_begin
        wants_end = cls.on_epoch_end is not Callback.on_epoch_end
        wants_batch = cls.on_train_batch_end is not Callback.on_train_batch_end

        def epoch_begin(_m, epoch, _u):
            return model._guard(lambda: self.on_epoch_begin(epoch, {}))

        def epoch_end(_m, epoch, _u):
            return model._guard(lambda: self.on_epoch_end(epoch, model._logs(epoch)))

        def batch_end(_m, batch, loss, _u):
            return model._guard(lambda: self.on_train_batch_end(batch, {"loss": float(loss)}))

        fns = (_EPOCH_FN(epoch_begin) if wants_begin else _EPOCH_FN(),
               _EPOCH_FN(epoch_end) if wants_end else _EPOCH_FN(),
               _BATCH_FN(batch_end) if wants_batch else _BATCH_FN())
        model._keepalive.append(fns)
        return _made(_C.callback_custom(fns[0], fns[1], fns[2], None), type(self).__name__)


class LambdaCallback(Callback):
    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_batch_end=None,
                 on_train_begin=None, on_train_end=None):
        if on_epoch_begin:
            self.on_epoch_begin = on_epoch_begin
        if on_epoch_end:
            self.on_epoch_end = on_epoch_end
        if on_train_batch_end:
            self.on_train_batch_end = on_train_batch_end
        if on_train_begin:
            self.on_train_begin = on_train_begin
        if on_train_end:
            self.on_train_end = on_train_end

    def _attach(self, model):
        self.set_model(model)
        d = self.__dict__

        def epoch_begin(_m, epoch, _u):
            return model._guard(lambda: self.on_epoch_begin(epoch, {}))

        def epoch_end(_m, epoch, _u):
            return model._guard(lambda: self.on_epoch_end(epoch, model._logs(epoch)))

        def batch_end(_m, batch, loss, _u):
            return model._guard(lambda: self.on_train_batch_end(batch, {"loss": float(loss)}))

        fns = (_EPOCH_FN(epoch_begin) if "on_epoch_begin" in d else _EPOCH_FN(),
               _EPOCH_FN(epoch_end) if "on_epoch_end" in d else _EPOCH_FN(),
               _BATCH_FN(batch_end) if "on_train_batch_end" in d else _BATCH_FN())
        model._keepalive.append(fns)
        return _made(_C.callback_custom(fns[0], fns[1], fns[2], None), "LambdaCallback")


class EarlyStopping(Callback):
    """keras.callbacks.EarlyStopping (the C implementation)."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        if mode not in ("auto", "min", "max"):
            raise InvalidArgumentError("EarlyStopping: mode must be auto, min or max")
        self.monitor, self.min_delta, self.patience = monitor, float(min_delta), int(patience)
        self.restore_best_weights = bool(restore_best_weights)
        self.mode, self.baseline, self.start_from_epoch = mode, baseline, int(start_from_epoch)

    def _attach(self, model):
        self.set_model(model)
        h = _made(_C.early_stopping(self.monitor.encode(), self.min_delta, self.patience,
                                    int(self.restore_best_weights)), "EarlyStopping")
        return _configure_callback(h, mode=self.mode, baseline=self.baseline,
                                   start_from_epoch=self.start_from_epoch or None)


class ReduceLROnPlateau(Callback):
    """keras.callbacks.ReduceLROnPlateau (needs nn_reduce_lr_on_plateau in the library)."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **_ignored):
        self.monitor, self.factor, self.patience, self.min_lr = monitor, float(factor), int(patience), float(min_lr)
        self.mode, self.min_delta, self.cooldown = mode, float(min_delta), int(cooldown)

    def _attach(self, model):
        self.set_model(model)
        h = _made(_need(_C.reduce_lr_on_plateau, "ReduceLROnPlateau")(self.monitor.encode(), self.factor,
                                                                         self.patience, self.min_lr),
                  "ReduceLROnPlateau")
        return _configure_callback(h, mode=self.mode, min_delta=self.min_delta, cooldown=self.cooldown or None)


def _configure_callback(h, mode=None, baseline=None, start_from_epoch=None, min_delta=None, cooldown=None,
                        save_weights_only=None, append=None):
    """Apply the optional settings of a C callback; frees it when one fails."""
    try:
        if mode not in (None, "auto"):
            _check(_C.callback_set_mode(h, mode.encode()))
        if baseline is not None:
            _check(_C.callback_set_baseline(h, float(baseline)))
        if start_from_epoch is not None:
            _check(_C.callback_set_start_from_epoch(h, int(start_from_epoch)))
        if min_delta is not None:
            _check(_C.callback_set_min_delta(h, float(min_delta)))
        if cooldown is not None:
            _check(_C.callback_set_cooldown(h, int(cooldown)))
        if save_weights_only:
            _check(_C.callback_set_save_weights_only(h, 1))
        if append:
            _check(_C.callback_set_append(h, 1))
    except Error:
        _C.callback_free(h)
        raise
    return h


class ModelCheckpoint(Callback):
    """keras.callbacks.ModelCheckpoint: saves the model (or weights) after each epoch, or only when
    monitor improves; "{epoch}" / "{epoch:02d}" in filepath become the 1-based epoch."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto"):
        self.filepath, self.monitor = os.fspath(filepath), monitor
        self.save_best_only, self.save_weights_only, self.mode = bool(save_best_only), bool(save_weights_only), mode

    def _attach(self, model):
        self.set_model(model)
        h = _made(_need(_C.model_checkpoint, "ModelCheckpoint")(os.fsencode(self.filepath), self.monitor.encode(),
                                                                  int(self.save_best_only)), "ModelCheckpoint")
        return _configure_callback(h, mode=self.mode, save_weights_only=self.save_weights_only)


class CSVLogger(Callback):
    """keras.callbacks.CSVLogger: "epoch,<keys>" then one row per epoch (comma separated)."""

    def __init__(self, filename, separator=",", append=False):
        if separator != ",":
            raise UnsupportedError("CSVLogger: only separator=',' is supported")
        self.filename, self.append = os.fspath(filename), bool(append)

    def _attach(self, model):
        self.set_model(model)
        h = _made(_need(_C.csv_logger, "CSVLogger")(os.fsencode(self.filename)), "CSVLogger")
        return _configure_callback(h, append=self.append)


class TerminateOnNaN(Callback):
    """keras.callbacks.TerminateOnNaN: stops at the first NaN/Inf batch loss; fit then returns the
    History (loss NaN in the last epoch) instead of raising."""

    def _attach(self, model):
        self.set_model(model)
        return _made(_need(_C.terminate_on_nan, "TerminateOnNaN")(), "TerminateOnNaN")


class LearningRateScheduler(Callback):
    """keras.callbacks.LearningRateScheduler(schedule): schedule(epoch, lr) -> new lr, called at the
    start of every epoch. Uses nn_lr_scheduler when the library has it."""

    def __init__(self, schedule, verbose=0):
        self.schedule = schedule

    def _attach(self, model):
        self.set_model(model)
        if _C.lr_scheduler is not None:
            def fn(epoch, lr, _u):
                out = model._guard(lambda: float(self.schedule(epoch, float(lr))), value=True)
                return lr if out is None else out
            cb = _LR_FN(fn)
            model._keepalive.append(cb)
            return _made(_C.lr_scheduler(cb, None), "LearningRateScheduler")

        def epoch_begin(m, epoch, _u):
            def step():
                lr = float(self.schedule(epoch, float(_C.model_learning_rate(m))))
                _check(_C.model_set_learning_rate(m, lr), m)
            return model._guard(step)
        fns = (_EPOCH_FN(epoch_begin), _EPOCH_FN(), _BATCH_FN())
        model._keepalive.append(fns)
        return _made(_C.callback_custom(fns[0], fns[1], fns[2], None), "LearningRateScheduler")


class History:
    """What fit returns: .history maps each Keras key to a list of per-epoch values."""

    def __init__(self, model, history, params):
        self.model = model
        self.history = history
        self.params = params
        self.epoch = list(range(len(history.get("loss", []))))

    def __repr__(self):
        return "History(epochs=%d, keys=%s)" % (len(self.epoch), list(self.history))


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

class Sequential:
    """keras.Sequential over a C nn_model. The C model is created once the input width is known
    (input_dim=, input_shape=, an Input or a first layer with input_dim, or the first fit)."""

    def __init__(self, layers=None, input_dim=None, input_shape=None, seed=None, name=None):
        self._h = None
        self._layers = []
        self._input_dim = _input_dim_from(input_dim, input_shape)
        self._seed = seed
        self._compiled = None
        self._keepalive = []
        self._pending_exc = None
        self._log_cb = None
        self.name = name or "sequential"
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # -- building ------------------------------------------------------------
    def add(self, layer):
        if isinstance(layer, Input):
            if self._layers or self._h:
                raise StateError("Input must come first")
            self._input_dim = layer.input_dim
            return
        if not isinstance(layer, Layer):
            raise InvalidArgumentError("Sequential.add: expected a libnn layer, got %s" % type(layer).__name__)
        if getattr(self, "_did_compile", False):
            raise StateError("cannot add layers after the model is compiled")
        if not self._layers and self._input_dim is None and layer.input_dim is not None:
            self._input_dim = layer.input_dim
        self._layers.append(layer)
        if self._h:
            _check(_C.model_add(self._h, layer._make()), self._h)

    def _create(self, input_dim):
        h = _made(_C.model_create(int(input_dim)), "Sequential")
        self._h = h
        self._input_dim = int(input_dim)
        self._log_cb = _LOG_FN(self._log)
        _check(_C.model_set_log_sink(h, self._log_cb, None), h)
        if self._seed is not None:
            _check(_C.model_set_seed(h, int(self._seed)), h)
        for layer in self._layers:
            _check(_C.model_add(h, layer._make()), h)

    def _ensure(self, input_dim=None):
        if self._h:
            return
        dim = self._input_dim if self._input_dim is not None else input_dim
        if dim is None:
            raise StateError("the input width is unknown: pass input_dim= or call fit first")
        self._create(dim)

    @staticmethod
    def _log(_user, text):
        sys.stdout.write(text.decode(errors="replace"))
        sys.stdout.flush()

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, seed=None):
        """Keras compile; optimizer is a name or an optimizer object, loss a name or a losses.* object."""
        if loss is None:
            raise InvalidArgumentError("compile: loss is required")
        if getattr(self, "_did_compile", False):
            raise StateError("this model is already compiled; build a new Sequential to recompile")
        if isinstance(optimizer, str):
            optimizer = _lookup(_OPTIMIZERS, optimizer, "optimizer")()
        if not isinstance(optimizer, Optimizer):
            raise InvalidArgumentError("compile: unknown optimizer %r" % (optimizer,))
        huber_delta = getattr(loss, "delta", None)
        from_logits = getattr(loss, "from_logits", False)
        loss_name = getattr(loss, "name", loss)
        loss_id = _lookup(_LOSSES, loss_name, "loss")
        if from_logits:
            loss_id = 6
        metric_ids = [_lookup(_METRICS, getattr(mt, "name", mt) if not isinstance(mt, str) else mt, "metric")
                      for mt in (metrics or [])]
        if seed is not None:
            self._seed = seed
        self._compiled = (optimizer, loss_id, metric_ids, huber_delta)
        if self._input_dim is not None:
            self._ensure_compiled(None)

    def _do_compile(self):
        optimizer, loss_id, metric_ids, huber_delta = self._compiled
        h = self._h
        _check(_C.model_compile(h, optimizer._make(), loss_id), h)
        self._did_compile = True
        if huber_delta is not None:
            _check(_C.model_set_huber_delta(h, huber_delta), h)
        for mid in metric_ids:
            _check(_C.model_add_metric(h, mid), h)
        self.metrics_names = ["loss"] + [_METRIC_KEYS[mid] for mid in metric_ids]

    def _ensure_compiled(self, input_dim):
        if self._compiled is None:
            raise StateError("call compile() before fit/evaluate")
        self._ensure(input_dim)
        if not getattr(self, "_did_compile", False):
            self._do_compile()

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _C is not None:
            _C.model_free(h)

    # -- properties ----------------------------------------------------------
    @property
    def input_dim(self):
        return self._input_dim

    @property
    def output_dim(self):
        return _C.model_output_dim(self._h) if self._h else None

    @property
    def layers(self):
        return list(self._layers)

    def count_params(self):
        self._ensure()
        return _C.model_param_count(self._h)

    @property
    def learning_rate(self):
        self._ensure()
        return float(_C.model_learning_rate(self._h))

    @learning_rate.setter
    def learning_rate(self, lr):
        self._ensure()
        _check(_C.model_set_learning_rate(self._h, float(lr)), self._h)

    def _names(self, get, width):
        if not self._h or get is None or not get(self._h, 0):
            return None
        return [get(self._h, i).decode() for i in range(width)]

    def _set_names(self, setter, names, what):
        setter = _need(setter, what)
        if names is None:
            _check(setter(self._h, None, 0), self._h)
            return
        names = [str(n) for n in names]
        arr = (ctypes.c_char_p * len(names))(*[n.encode() for n in names])
        _check(setter(self._h, arr, len(names)), self._h)

    @property
    def feature_names(self):
        """Column names of the inputs (scikit-learn's feature_names_in_), saved with the model;
        None when not set. Setting them before the first fit fixes the input width."""
        return self._names(_C.model_feature_name, self._input_dim or 0)

    @feature_names.setter
    def feature_names(self, names):
        self._ensure(None if names is None else len(names))
        self._set_names(_C.model_set_feature_names, names, "feature_names")

    @property
    def output_names(self):
        """Column names of the outputs, saved with the model; None when not set."""
        return self._names(_C.model_output_name, self.output_dim or 0)

    @output_names.setter
    def output_names(self, names):
        self._ensure()
        self._set_names(_C.model_set_output_names, names, "output_names")

    # -- callbacks helpers -----------------------------------------------------
    def _guard(self, fn, value=False):
        """Run Python code from a C callback: exceptions are kept and re-raised after fit."""
        if self._pending_exc is not None:
            return None if value else 1
        try:
            out = fn()
        except BaseException as e:  # noqa: B902 - re-raised after the C call returns
            self._pending_exc = e
            if self._h:
                _C.model_stop_training(self._h)
            return None if value else 1
        if value:
            return out
        return 1 if self.stop_training else 0

    def _logs(self, epoch):
        h = self._h
        return {_C.model_history_key(h, i).decode(): float(_C.model_history(h, _C.model_history_key(h, i), epoch))
                for i in range(_C.model_history_key_count(h))}

    def _history(self):
        h = self._h
        n = _C.model_history_len(h)
        keys = [_C.model_history_key(h, i) for i in range(_C.model_history_key_count(h))]
        return {k.decode(): [float(_C.model_history(h, k, e)) for e in range(n)] for k in keys}

    # -- training --------------------------------------------------------------
    def _shape_check(self, x, y, what):
        if x.cols != self._input_dim:
            raise ShapeError("%s: x has %d features per row, the model takes %d" % (what, x.cols, self._input_dim))
        if y is not None:
            want = 1 if self._compiled[1] == 5 else _C.model_output_dim(self._h)
            if y.rows != x.rows:
                raise ShapeError("%s: x has %d rows but y has %d" % (what, x.rows, y.rows))
            if y.cols != want:
                raise ShapeError("%s: y has %d values per row, the model expects %d" % (what, y.cols, want))

    def fit(self, x, y, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0):
        """Keras fit; returns a History. Callbacks apply to this call only. sample_weight: one weight
        per row; class_weight: {class: weight} (or a list), not both (as Keras)."""
        if initial_epoch:
            raise UnsupportedError("fit: initial_epoch is not supported")
        xf = _floats(x, "x")
        yf = _floats(y, "y")
        self._ensure_compiled(xf.cols)
        h = self._h
        self._shape_check(xf, yf, "fit")
        batch_size = 32 if batch_size is None else int(batch_size)
        verbose = 1 if verbose == "auto" else int(verbose)
        _check(_C.model_set_verbose(h, verbose), h)
        _check(_C.model_set_shuffle(h, int(bool(shuffle))), h)
        _check(_C.model_set_validation_split(h, float(validation_split)), h)
        if validation_data is not None:
            if len(validation_data) != 2:
                raise InvalidArgumentError("validation_data must be (x_val, y_val)")
            vx, vy = _floats(validation_data[0], "validation x"), _floats(validation_data[1], "validation y")
            self._shape_check(vx, vy, "validation_data")
            _check(_C.model_set_validation_data(h, vx.ptr, vy.ptr, vx.rows), h)
        else:
            _check(_C.model_set_validation_data(h, None, None, 0), h)
        if _C.model_clear_callbacks is not None:
            _check(_C.model_clear_callbacks(h), h)
        self._keepalive = []
        callbacks = list(callbacks or [])
        for cb in callbacks:
            if not isinstance(cb, Callback):
                raise InvalidArgumentError("callbacks must be libnn.Callback objects, got %s" % type(cb).__name__)
            _check(_C.model_add_callback(h, cb._attach(self)), h)
        if sample_weight is not None and class_weight is not None:
            raise InvalidArgumentError("fit: pass sample_weight or class_weight, not both")
        sw = None
        if sample_weight is not None:
            sw = _floats(sample_weight, "sample_weight")
            if sw.rows * sw.cols != xf.rows:
                raise ShapeError("fit: sample_weight has %d values for %d rows" % (sw.rows * sw.cols, xf.rows))
        if _C.model_set_class_weights is not None:
            if class_weight is not None:
                if isinstance(class_weight, dict):
                    if not class_weight or any(int(k) < 0 for k in class_weight):
                        raise InvalidArgumentError("fit: class_weight keys must be class indices >= 0")
                    cw = [1.0] * (max(int(k) for k in class_weight) + 1)
                    for k, v in class_weight.items():
                        cw[int(k)] = float(v)
                else:
                    cw = [float(v) for v in class_weight]
                cwf = _floats(cw, "class_weight")
                _check(_C.model_set_class_weights(h, cwf.ptr, len(cw)), h)
            else:
                _check(_C.model_set_class_weights(h, None, 0), h)
        elif class_weight is not None:
            _need(None, "fit class_weight")
        self.stop_training = False
        self._pending_exc = None
        for cb in callbacks:
            cb.on_train_begin({})
        if sw is not None:
            status = _need(_C.model_fit_weighted, "fit sample_weight")(h, xf.ptr, yf.ptr, sw.ptr, xf.rows,
                                                                      int(epochs), batch_size)
        else:
            status = _C.model_fit(h, xf.ptr, yf.ptr, xf.rows, int(epochs), batch_size)
        exc, self._pending_exc = self._pending_exc, None
        if exc is not None:
            raise exc
        if not (status == NonFiniteError.status and any(isinstance(cb, TerminateOnNaN) for cb in callbacks)):
            _check(status, h)
        history = History(self, self._history(), {"epochs": int(epochs), "batch_size": batch_size,
                                                  "verbose": verbose, "steps": None})
        for cb in callbacks:
            cb.on_train_end({k: v[-1] for k, v in history.history.items() if v})
        self.history = history
        return history

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=False):
        """Loss (a float) or [loss, *metrics] as Keras; return_dict=True gives {name: value}."""
        xf, yf = _floats(x, "x"), _floats(y, "y")
        self._ensure_compiled(xf.cols)
        self._shape_check(xf, yf, "evaluate")
        loss = ctypes.c_float()
        _check(_C.model_evaluate(self._h, xf.ptr, yf.ptr, xf.rows, ctypes.byref(loss)), self._h)
        out = {"loss": float(loss.value)}
        for name in self.metrics_names[1:]:
            out[name] = float(_C.model_evaluated_metric(self._h, name.encode()))
        if return_dict:
            return out
        vals = list(out.values())
        return vals[0] if len(vals) == 1 else vals

    def predict(self, x, batch_size=None, verbose=0):
        """Outputs, shape (rows, output_dim): a NumPy array when NumPy is importable, else lists."""
        xf = _floats(x, "x")
        self._ensure(xf.cols)
        if self._compiled is not None and not getattr(self, "_did_compile", False):
            self._do_compile()
        self._shape_check(xf, None, "predict")
        cols = _C.model_output_dim(self._h)
        out = array.array("f", bytes(4 * xf.rows * cols))
        buf = (ctypes.c_float * len(out)).from_buffer(out)
        _check(_C.model_predict(self._h, xf.ptr, xf.rows, ctypes.cast(buf, _c_float_p)), self._h)
        del buf
        return _matrix(out, xf.rows, cols)

    def __call__(self, x):
        return self.predict(x)

    def summary(self, print_fn=None):
        """Print (or pass to print_fn) the Keras-style summary table."""
        self._ensure()
        need = _sz()
        _check(_C.model_summary(self._h, None, 0, ctypes.byref(need)), self._h)
        buf = ctypes.create_string_buffer(need.value)
        _check(_C.model_summary(self._h, buf, need.value, ctypes.byref(need)), self._h)
        text = buf.value.decode()
        (print_fn or print)(text.rstrip("\n"))
        return None

    def get_weights(self):
        """All weights as one flat list of floats in Keras get_weights order (nn_model_get_weights)."""
        if _C.model_get_weights is None:
            raise UnsupportedError("this libnn build has no nn_model_get_weights")
        self._ensure()
        if self._compiled is not None and not getattr(self, "_did_compile", False):
            self._do_compile()
        need = _sz()
        _check(_C.model_get_weights(self._h, None, 0, ctypes.byref(need)), self._h)
        out = array.array("f", bytes(4 * need.value))
        buf = (ctypes.c_float * need.value).from_buffer(out)
        _check(_C.model_get_weights(self._h, ctypes.cast(buf, _c_float_p), need.value, ctypes.byref(need)), self._h)
        del buf
        return out.tolist()

    def set_weights(self, weights):
        """Replace all weights from a flat sequence (or buffer) of count_params() floats."""
        if _C.model_set_weights is None:
            raise UnsupportedError("this libnn build has no nn_model_set_weights")
        self._ensure()
        if self._compiled is not None and not getattr(self, "_did_compile", False):
            self._do_compile()
        w = _floats(weights, "weights")
        _check(_C.model_set_weights(self._h, w.ptr, w.rows * w.cols), self._h)

    def plot_history(self, path, log_scale=False):
        """SVG learning curves of the last fit (nn_model_plot_history)."""
        if _C.model_plot_history_ex is None:
            raise UnsupportedError("this libnn build has no nn_model_plot_history")
        if not self._h:
            raise StateError("no history yet: call fit first")
        _check(_C.model_plot_history_ex(self._h, os.fsencode(path), int(bool(log_scale))), self._h)

    def set_input_scaler(self, scaler):
        """Attach a StandardScaler/MinMaxScaler to the inputs (nn_model_set_input_scaler): fit scales x
        (fitting an unfitted scaler on the training rows only), predict takes raw inputs, and the
        scaler is saved with the model. The model takes the scaler over; None detaches."""
        self._set_scaler(scaler, _C.model_set_input_scaler, "set_input_scaler")

    def set_target_scaler(self, scaler):
        """Same for the targets (regression): predictions come back in original units."""
        self._set_scaler(scaler, _C.model_set_target_scaler, "set_target_scaler")

    def _set_scaler(self, scaler, fn, what):
        _need(fn, what)
        self._ensure()
        handle = None
        if scaler is not None:
            if not isinstance(scaler, _Scaler) or not scaler._h:
                raise InvalidArgumentError("%s: expected a libnn scaler not yet attached to a model" % what)
            handle, scaler._h = scaler._h, None  # owned by the C model from now on
        _check(fn(self._h, handle), self._h)

    def save(self, path):
        """Save architecture, weights and optimizer state (nn_model_save)."""
        if _C.model_save is None:
            raise UnsupportedError("this libnn build has no nn_model_save")
        self._ensure()
        _check(_C.model_save(self._h, os.fsencode(path)), self._h)


def load_model(path):
    """Load a model saved with Sequential.save (nn_model_load). It is ready for predict/evaluate
    and, when it was saved compiled, fit."""
    if _C.model_load is None:
        raise UnsupportedError("this libnn build has no nn_model_load")
    h = _C.model_load(os.fsencode(path))
    if not h:
        msg = _C.last_error().decode()
        if _C.last_load_status is not None:
            _raise(_C.last_load_status() or 6, msg)
        low = msg.lower()
        _raise(5 if ("open" in low or "read" in low) else 6, msg)
    m = Sequential()
    m._h = h
    m._input_dim = _C.model_input_dim(h)
    m._log_cb = _LOG_FN(Sequential._log)
    _C.model_set_log_sink(h, m._log_cb, None)
    m._compiled = (None, -1, [], None)
    m._did_compile = True
    m.metrics_names = ["loss"]
    return m


# ---------------------------------------------------------------------------
# Data: CSV and scalers
# ---------------------------------------------------------------------------

def _rows_view(flat, rows, cols):
    """A writable (rows, cols) float32 memoryview over an array('f')."""
    return memoryview(flat).cast("B").cast("f", (rows, cols))


def read_csv(path, target=None, header=True, separator=None, return_names=False, features=None, ignore=None):
    """Read a numeric CSV file with the library's reader (nn_dataset): quotes, missing values (empty,
    NA, NaN, N/A, ? -> nan). target: a column name or 0-based index, a list of them, or None for the
    last column. features: names of the feature columns to read, in that order (default: all but
    the targets); ignore: names of columns to skip unread (they may hold text). Returns (x, y) as
    float32 memoryviews of shape (rows, features) and (rows, targets), which fit/predict take
    without copying (numpy.asarray(x) works too); with return_names=True
    (x, y, feature_names, target_names)."""
    d = _made(_need(_C.dataset_create, "read_csv")(), "read_csv")
    try:
        _check(_C.dataset_set_header(d, int(bool(header))))
        if separator is not None:
            _check(_C.dataset_set_separator(d, ord(separator)))
        targets = target if isinstance(target, (list, tuple)) else ([] if target is None else [target])
        for t in targets:
            if isinstance(t, int):
                _check(_C.dataset_add_target_index(d, t))
            else:
                _check(_C.dataset_add_target_name(d, str(t).encode()))
        for name in features or ():
            _check(_need(_C.dataset_add_feature_name, "read_csv(features=)")(d, str(name).encode()))
        for name in ignore or ():
            _check(_need(_C.dataset_add_ignore_name, "read_csv(ignore=)")(d, str(name).encode()))
        st = _C.dataset_read_csv(d, os.fsencode(path))
        if st != 0:
            _raise(st, _C.dataset_error(d).decode())
        rows, nf, nt = _C.dataset_rows(d), _C.dataset_feature_count(d), _C.dataset_target_count(d)
        x = array.array("f", bytes(4 * rows * nf))
        y = array.array("f", bytes(4 * rows * nt))
        if rows * nf:
            ctypes.memmove(x.buffer_info()[0], _C.dataset_x(d), 4 * rows * nf)
        if rows * nt:
            ctypes.memmove(y.buffer_info()[0], _C.dataset_y(d), 4 * rows * nt)
        fnames = [_C.dataset_feature_name(d, i).decode() for i in range(nf)]
        tnames = [_C.dataset_target_name(d, i).decode() for i in range(nt)]
    finally:
        _C.dataset_free(d)
    xv, yv = _rows_view(x, rows, nf), _rows_view(y, rows, nt)
    return (xv, yv, fnames, tnames) if return_names else (xv, yv)


class _Scaler:
    """scikit-learn style fit / transform / inverse_transform over nn_scaler (float32)."""
    _h = None

    def _new(self):
        raise NotImplementedError

    def __init__(self):
        self._h = _made(self._new(), type(self).__name__)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _C is not None:
            _C.scaler_free(h)

    def _handle(self):
        if not self._h:
            raise StateError("%s: this scaler now belongs to a model" % type(self).__name__)
        return self._h

    def fit(self, x):
        xf = _floats(x, "x")
        _check(_C.scaler_fit(self._handle(), xf.ptr, xf.rows, xf.cols))
        return self

    def _apply(self, fn, x):
        xf = _floats(x, "x")
        h = self._handle()
        if xf.cols != _C.scaler_dim(h):
            raise ShapeError("%s: x has %d columns, the scaler was fitted on %d"
                             % (type(self).__name__, xf.cols, _C.scaler_dim(h)))
        out = array.array("f", bytes(4 * xf.rows * xf.cols))
        buf = (ctypes.c_float * len(out)).from_buffer(out)
        _check(fn(h, xf.ptr, xf.rows, ctypes.cast(buf, _c_float_p)))
        del buf
        return _matrix(out, xf.rows, xf.cols)

    def transform(self, x):
        """Scaled copy: a NumPy array when NumPy is importable, else a list of rows."""
        return self._apply(_C.scaler_transform, x)

    def inverse_transform(self, x):
        return self._apply(_C.scaler_inverse_transform, x)

    def fit_transform(self, x):
        return self.fit(x).transform(x)

    def _stat(self, name):
        h = self._handle()
        return [float(_C.scaler_stat(h, name.encode(), j)) for j in range(_C.scaler_dim(h))]

    @property
    def n_features_in_(self):
        return _C.scaler_dim(self._handle())


class StandardScaler(_Scaler):
    """sklearn.preprocessing.StandardScaler: (x - mean_) / scale_ (population std; 1 for constant
    columns). Missing values (nan) are ignored by fit and stay nan; with impute_mean=True they
    become the column mean first, as Pipeline([SimpleImputer(), StandardScaler()]), so a model
    with this scaler attached takes rows with missing values."""

    def __init__(self, impute_mean=False):
        self.impute_mean = bool(impute_mean)
        super().__init__()
        if self.impute_mean:
            _check(_need(_C.scaler_set_impute_mean, "StandardScaler(impute_mean=True)")(self._h, 1))

    def _new(self):
        return _need(_C.standard_scaler, "StandardScaler")()

    @property
    def mean_(self):
        return self._stat("mean")

    @property
    def scale_(self):
        return self._stat("scale")


class MinMaxScaler(_Scaler):
    """sklearn.preprocessing.MinMaxScaler(feature_range=(0, 1))."""

    def __init__(self, feature_range=(0.0, 1.0)):
        self.feature_range = (float(feature_range[0]), float(feature_range[1]))
        super().__init__()

    def _new(self):
        return _need(_C.minmax_scaler, "MinMaxScaler")(*self.feature_range)

    @property
    def data_min_(self):
        return self._stat("data_min")

    @property
    def data_max_(self):
        return self._stat("data_max")


models = sys.modules[__name__]
layers = sys.modules[__name__]
optimizers = sys.modules[__name__]
callbacks = sys.modules[__name__]


from . import tuner  # noqa: E402  (KerasTuner-shaped search on the C tuner)
from .tuner import HyperParameters, RandomSearch, GridSearch, Hyperband  # noqa: E402,F401
