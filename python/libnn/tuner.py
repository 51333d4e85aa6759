"""KerasTuner-shaped hyper-parameter search on top of the C tuner (nn_tuner).

    import libnn as nn

    def build_model(hp):
        model = nn.Sequential([nn.Dense(hp.Int("units", 16, 256, sampling="log"),
                                        activation=hp.Choice("act", ["relu", "tanh"])),
                               nn.Dense(1)])
        model.compile(optimizer=nn.Adam(hp.Float("lr", 1e-4, 1e-2, sampling="log")), loss="mse")
        return model

    tuner = nn.RandomSearch(build_model, objective="val_loss", max_trials=10, seed=42)
    tuner.search(x, y, epochs=30, batch_size=32, validation_split=0.2)   # or folds=3
    best_hp = tuner.get_best_hyperparameters(1)[0].values
    model = tuner.get_best_models(1)[0]
    tuner.results_summary()

As KerasTuner, build_model is first called once in declaration mode: every hp.Int / hp.Float /
hp.Choice / hp.Boolean call registers a hyper-parameter (and returns its default), which defines
the space. Hyper-parameters that build_model only asks for under a condition that the default
values do not reach are not searched (they keep their default). Then the C tuner runs the trials;
for each it calls build_model(hp) through a ctypes callback, hp reading the trial's values from
the C nn_hparams. Everything else (sampling, folds, Hyperband, determinism, results file,
shards) is the C tuner's, see docs/search.md. get_best_models() returns the best configurations
rebuilt and trained on all rows for their best epoch count (KerasTuner returns the search-time
models instead).
"""

import ctypes
import math
import sys

from . import (_C, _bind, _check, _floats, _sz, _st, _vp, _i, _c_float_p, Error, InvalidArgumentError,
               StateError, UnsupportedError, Sequential, _raise)

_d = ctypes.c_double
_i64 = ctypes.c_int64
_BUILD_FN = ctypes.CFUNCTYPE(_vp, _vp, _vp)

_T = {}
for _spec in [
    ("nn_tuner_create", _vp, _BUILD_FN, _vp),
    ("nn_tuner_free", None, _vp),
    ("nn_tuner_error", ctypes.c_char_p, _vp),
    ("nn_tuner_add_int", _st, _vp, ctypes.c_char_p, _i64, _i64, _i64, _i),
    ("nn_tuner_add_float", _st, _vp, ctypes.c_char_p, _d, _d, _d, _i),
    ("nn_tuner_add_choice", _st, _vp, ctypes.c_char_p, ctypes.POINTER(_d), _sz),
    ("nn_tuner_add_choice_strings", _st, _vp, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), _sz),
    ("nn_tuner_add_bool", _st, _vp, ctypes.c_char_p),
    ("nn_tuner_set_strategy", _st, _vp, _i),
    ("nn_tuner_set_max_trials", _st, _vp, _sz),
    ("nn_tuner_set_seed", _st, _vp, ctypes.c_uint64),
    ("nn_tuner_set_objective", _st, _vp, ctypes.c_char_p, ctypes.c_char_p),
    ("nn_tuner_set_executions_per_trial", _st, _vp, _i),
    ("nn_tuner_set_validation_split", _st, _vp, ctypes.c_float),
    ("nn_tuner_set_validation_data", _st, _vp, _c_float_p, _c_float_p, _sz, _sz, _sz),
    ("nn_tuner_set_folds", _st, _vp, _i, _i),
    ("nn_tuner_set_hyperband", _st, _vp, _i, _i, _i),
    ("nn_tuner_set_results_file", _st, _vp, ctypes.c_char_p),
    ("nn_tuner_search", _st, _vp, _c_float_p, _c_float_p, _sz, _i, _i),
    ("nn_tuner_trial_count", _sz, _vp),
    ("nn_tuner_trial_id", _sz, _vp, _sz),
    ("nn_tuner_trial_hparams", _vp, _vp, _sz),
    ("nn_tuner_trial_score", _d, _vp, _sz),
    ("nn_tuner_trial_best_epoch", _i, _vp, _sz),
    ("nn_hparams_int", _i64, _vp, ctypes.c_char_p),
    ("nn_hparams_float", _d, _vp, ctypes.c_char_p),
    ("nn_hparams_bool", _i, _vp, ctypes.c_char_p),
    ("nn_hparams_choice", _sz, _vp, ctypes.c_char_p),
    ("nn_hparams_count", _sz, _vp),
    ("nn_hparams_name", ctypes.c_char_p, _vp, _sz),
    ("nn_hparams_seed", ctypes.c_uint64, _vp),
]:
    _T[_spec[0][3:]] = _bind(_spec[0], _spec[1], *_spec[2:], required=False)


def _t(name):
    fn = _T.get(name)
    if fn is None:
        raise UnsupportedError("tuner: this libnn build lacks nn_%s" % name)
    return fn


class HyperParameters:
    """keras_tuner.HyperParameters: hp.Int / Float / Choice / Boolean / Fixed, and .values."""

    def __init__(self):
        self.space = []      # (kind, name, spec) in declaration order
        self._names = {}
        self.values = {}
        self._handle = None  # C nn_hparams of the trial being built

    def _declare(self, kind, name, spec, default):
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError("hyper-parameter names are non-empty strings")
        if name in self._names:
            old = self._names[name]
            if old[0] != kind:
                raise InvalidArgumentError("hyper-parameter %r declared twice with different kinds" % name)
        else:
            self._names[name] = (kind, spec)
            self.space.append((kind, name, spec))
        if self._handle is None:
            self.values.setdefault(name, default)
            return self.values[name]
        value = self._read(kind, name, spec, default)
        self.values[name] = value
        return value

    def _read(self, kind, name, spec, default):
        h, key = self._handle, name.encode()
        if not any(_t("hparams_name")(h, i).decode() == name for i in range(_t("hparams_count")(h))):
            return default  # not in the searched space (declared only under a condition)
        if kind == "int":
            return int(_t("hparams_int")(h, key))
        if kind == "float":
            return float(_t("hparams_float")(h, key))
        if kind == "bool":
            return bool(_t("hparams_bool")(h, key))
        if kind == "choice":
            return spec["values"][_t("hparams_choice")(h, key)]
        return default

    def Int(self, name, min_value, max_value, step=None, sampling="linear", default=None):
        if sampling not in ("linear", "log"):
            raise InvalidArgumentError("hp.Int: sampling must be 'linear' or 'log'")
        spec = dict(lo=int(min_value), hi=int(max_value), step=int(step or 0), log=sampling == "log")
        return self._declare("int", name, spec, int(min_value) if default is None else int(default))

    def Float(self, name, min_value, max_value, step=None, sampling="linear", default=None):
        if sampling not in ("linear", "log"):
            raise InvalidArgumentError("hp.Float: sampling must be 'linear' or 'log'")
        spec = dict(lo=float(min_value), hi=float(max_value), step=float(step or 0.0), log=sampling == "log")
        return self._declare("float", name, spec, float(min_value) if default is None else float(default))

    def Choice(self, name, values, default=None):
        values = list(values)
        if not values:
            raise InvalidArgumentError("hp.Choice: values must not be empty")
        return self._declare("choice", name, dict(values=values), values[0] if default is None else default)

    def Boolean(self, name, default=False):
        return self._declare("bool", name, {}, bool(default))

    def Fixed(self, name, value):
        self.values[name] = value
        return value

    def get(self, name):
        return self.values[name]

    def __repr__(self):
        return "HyperParameters(%r)" % (self.values,)


_STRATEGY = {"random": 0, "grid": 1, "hyperband": 2}


class Tuner:
    """Base of RandomSearch / GridSearch / Hyperband (keras_tuner.Tuner shape)."""

    _strategy = "random"

    def __init__(self, hypermodel, objective="val_loss", max_trials=10, seed=None, executions_per_trial=1,
                 results_file=None, **kwargs):
        if not callable(hypermodel):
            raise InvalidArgumentError("the hypermodel must be a function build_model(hp)")
        for k in ("directory", "project_name", "overwrite", "max_retries_per_trial", "max_consecutive_failed_trials"):
            kwargs.pop(k, None)  # accepted for KerasTuner compatibility; the C tuner has no project dir
        if kwargs:
            raise InvalidArgumentError("unknown tuner arguments: %s" % ", ".join(sorted(kwargs)))
        self.hypermodel = hypermodel
        name = getattr(objective, "name", objective)
        direction = getattr(objective, "direction", "auto")
        self.objective = (str(name), str(direction))
        self.max_trials = int(max_trials)
        self.seed = 0 if seed is None else int(seed)
        self.executions_per_trial = int(executions_per_trial)
        self.results_file = results_file
        self._h = None
        self._alive = []
        self._error = None
        self._data = None
        self._cb = _BUILD_FN(self._build)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _T.get("tuner_free"):
            _T["tuner_free"](h)

    # -- the C build callback ------------------------------------------------
    def _build(self, hp_handle, _user):
        try:
            hp = HyperParameters()
            hp._handle = hp_handle
            model = self.hypermodel(hp)
            if not isinstance(model, Sequential):
                raise InvalidArgumentError("build_model must return a libnn.Sequential, got %s" % type(model).__name__)
            model._ensure_compiled(self._input_dim)
            h, model._h = model._h, None  # the C tuner owns the model from here
            self._alive.append(model)     # keeps its ctypes callbacks alive
            return h
        except BaseException as exc:  # noqa: B902 - reported after the search
            if self._error is None:
                self._error = exc
            return None

    def _declare_space(self, t):
        hp = HyperParameters()
        self.hypermodel(hp)  # declaration mode: collects the hp.* calls
        if not hp.space:
            raise InvalidArgumentError("build_model declared no hyper-parameters")
        for kind, name, spec in hp.space:
            key = name.encode()
            if kind == "int":
                s = _t("tuner_add_int")(t, key, spec["lo"], spec["hi"], spec["step"], int(spec["log"]))
            elif kind == "float":
                s = _t("tuner_add_float")(t, key, spec["lo"], spec["hi"], spec["step"], int(spec["log"]))
            elif kind == "bool":
                s = _t("tuner_add_bool")(t, key)
            else:
                vals = spec["values"]
                if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
                    arr = (_d * len(vals))(*[float(v) for v in vals])
                    s = _t("tuner_add_choice")(t, key, arr, len(vals))
                else:
                    arr = (ctypes.c_char_p * len(vals))(*[str(v).encode() for v in vals])
                    s = _t("tuner_add_choice_strings")(t, key, arr, len(vals))
            self._tcheck(s, t)
        self._space = hp.space

    @staticmethod
    def _tcheck(status, t):
        if status != 0:
            _raise(status, _t("tuner_error")(t).decode(errors="replace"))

    def _configure(self, t, epochs):
        pass

    def search(self, x, y, epochs=1, batch_size=32, validation_split=None, validation_data=None, folds=None,
               stratify=False, verbose=0, **kwargs):
        """Run the search (KerasTuner tuner.search). Evaluation: folds= (k-fold CV), else
        validation_data=(x_val, y_val), else validation_split= (default 0.2)."""
        if kwargs:
            raise InvalidArgumentError("search: unsupported arguments: %s" % ", ".join(sorted(kwargs)))
        xf, yf = _floats(x, "x"), _floats(y, "y")
        if xf.rows != yf.rows:
            raise InvalidArgumentError("search: x has %d rows, y has %d" % (xf.rows, yf.rows))
        self._input_dim = xf.cols
        self._data = (xf, yf, int(batch_size))
        if self._h:
            _t("tuner_free")(self._h)
            self._h = None
        t = _t("tuner_create")(self._cb, None)
        if not t:
            raise Error(_C.last_error().decode(errors="replace"))
        self._h = t
        self._declare_space(t)
        self._tcheck(_t("tuner_set_strategy")(t, _STRATEGY[self._strategy]), t)
        self._tcheck(_t("tuner_set_max_trials")(t, self.max_trials), t)
        self._tcheck(_t("tuner_set_seed")(t, self.seed), t)
        self._tcheck(_t("tuner_set_objective")(t, self.objective[0].encode(), {"min": b"min", "max": b"max"}
                                               .get(self.objective[1], b"auto")), t)
        self._tcheck(_t("tuner_set_executions_per_trial")(t, self.executions_per_trial), t)
        if folds:
            self._tcheck(_t("tuner_set_folds")(t, int(folds), int(bool(stratify))), t)
        elif validation_data is not None:
            vx, vy = _floats(validation_data[0], "validation x"), _floats(validation_data[1], "validation y")
            self._keep_val = (vx, vy)
            self._tcheck(_t("tuner_set_validation_data")(t, vx.ptr, vy.ptr, vx.rows, vx.cols, vy.cols), t)
        else:
            self._tcheck(_t("tuner_set_validation_split")(t, 0.2 if validation_split is None else float(validation_split)), t)
        if self.results_file:
            self._tcheck(_t("tuner_set_results_file")(t, str(self.results_file).encode()), t)
        self._configure(t, int(epochs))
        self._error = None
        status = _t("tuner_search")(t, xf.ptr, yf.ptr, xf.rows, int(epochs), int(batch_size))
        if self._error is not None and self._best_index() is None:
            raise self._error
        self._tcheck(status, t)
        if self._best_index() is None:
            raise Error("search: no trial succeeded")
        if verbose:
            self.results_summary()

    # -- results -------------------------------------------------------------
    def _require(self):
        if not self._h:
            raise StateError("call search() first")
        return self._h

    def _trials(self):
        t = self._require()
        out = []
        for i in range(_t("tuner_trial_count")(t)):
            score = _t("tuner_trial_score")(t, i)
            if math.isnan(score):
                continue
            hp = HyperParameters()
            hp._handle = _t("tuner_trial_hparams")(t, i)
            for kind, name, spec in self._space:
                hp._declare(kind, name, spec, None)
            hp._handle = None
            hp.trial_id = _t("tuner_trial_id")(t, i)
            hp.score = score
            hp.best_epoch = _t("tuner_trial_best_epoch")(t, i)
            hp.model_seed = _t("hparams_seed")(_t("tuner_trial_hparams")(t, i))
            out.append(hp)
        maximize = self.objective[1] == "max" or (self.objective[1] == "auto" and (
            "acc" in self.objective[0] or "auc" in self.objective[0]))
        out.sort(key=lambda h: (-h.score if maximize else h.score, h.trial_id))
        return out

    def _best_index(self):
        try:
            return 0 if self._trials() else None
        except StateError:
            return None

    def get_best_hyperparameters(self, num_trials=1):
        """The best trials' HyperParameters (best first); .values is the dict."""
        return self._trials()[:int(num_trials)]

    def get_best_models(self, num_models=1):
        """The best configurations rebuilt by build_model, seeded with the trial's model seed
        (nn_hparams_seed) and trained on all search rows for their best epoch count (best first)."""
        xf, yf, batch = self._data
        models = []
        for hp in self.get_best_hyperparameters(num_models):
            fixed = HyperParameters()
            fixed.values = dict(hp.values)
            model = self.hypermodel(fixed)
            model._ensure_compiled(xf.cols)
            _check(_C.model_set_seed(model._h, hp.model_seed), model._h)
            model.fit(xf, yf, epochs=max(1, int(hp.best_epoch)), batch_size=batch, verbose=0)
            models.append(model)
        return models

    def results_summary(self, num_trials=10, file=None):
        """Print the best trials, as KerasTuner."""
        out = file or sys.stdout
        out.write("Results summary\nObjective: %s (%s)\n" % self.objective)
        for hp in self._trials()[:int(num_trials)]:
            out.write("\nTrial %d summary\nHyperparameters:\n" % hp.trial_id)
            for name, value in hp.values.items():
                out.write("%s: %s\n" % (name, value))
            out.write("Score: %.6g\n" % hp.score)


class RandomSearch(Tuner):
    """keras_tuner.RandomSearch(build_model, objective, max_trials, seed)."""

    _strategy = "random"


class GridSearch(Tuner):
    """keras_tuner.GridSearch: every combination (max_trials an upper bound; floats need a step)."""

    _strategy = "grid"

    def __init__(self, hypermodel, objective="val_loss", max_trials=1000000, **kwargs):
        super().__init__(hypermodel, objective=objective, max_trials=max_trials, **kwargs)


class Hyperband(Tuner):
    """keras_tuner.Hyperband(build_model, objective, max_epochs, factor=3, hyperband_iterations=1)."""

    _strategy = "hyperband"

    def __init__(self, hypermodel, objective="val_loss", max_epochs=100, factor=3, hyperband_iterations=1, **kwargs):
        super().__init__(hypermodel, objective=objective, max_trials=kwargs.pop("max_trials", 1000000), **kwargs)
        self.max_epochs = int(max_epochs)
        self.factor = int(factor)
        self.hyperband_iterations = int(hyperband_iterations)

    def _configure(self, t, epochs):
        self._tcheck(_t("tuner_set_hyperband")(t, self.max_epochs, self.factor, self.hyperband_iterations), t)

    def search(self, x, y, epochs=None, **kwargs):
        return super().search(x, y, epochs=self.max_epochs if epochs is None else epochs, **kwargs)
