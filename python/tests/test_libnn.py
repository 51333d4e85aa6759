"""unittest suite for the Python binding. Run: make test-python
(or PYTHONPATH=python python3 -m unittest discover -s python/tests)."""
import array
import contextlib
import io
import math
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import libnn as nn  # noqa: E402


def linear_data(n=200, seed=0):
    rnd = random.Random(seed)
    x = [[rnd.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    y = [[2 * a - b + 0.5 * c] for a, b, c in x]
    return x, y


def small_model(seed=1, **kw):
    m = nn.Sequential([nn.Dense(16, activation="relu"), nn.Dense(1)], seed=seed, **kw)
    m.compile(optimizer=nn.Adam(1e-2), loss="mse", metrics=["mae"])
    return m


class TrainingTest(unittest.TestCase):
    def test_fit_evaluate_predict_lists(self):
        x, y = linear_data()
        m = small_model(input_dim=3)
        h = m.fit(x, y, epochs=40, batch_size=16, validation_split=0.2, verbose=0)
        self.assertEqual(list(h.history), ["loss", "mae", "val_loss", "val_mae", "learning_rate"])
        self.assertEqual(len(h.history["loss"]), 40)
        self.assertEqual(h.epoch, list(range(40)))
        self.assertLess(h.history["val_loss"][-1], h.history["val_loss"][0] / 5)
        loss, mae = m.evaluate(x, y)
        self.assertLess(loss, 0.05)
        self.assertAlmostEqual(m.evaluate(x, y, return_dict=True)["mae"], mae, places=6)
        p = m.predict(x[:5])
        rows = p.tolist() if hasattr(p, "tolist") else p
        self.assertEqual(len(rows), 5)
        for r, t in zip(rows, y[:5]):
            self.assertAlmostEqual(r[0], t[0], delta=0.4)

    def test_input_dim_inferred_at_first_fit_and_keras_spellings(self):
        x, y = linear_data(64)
        m = nn.Sequential()
        m.add(nn.Dense(8, activation="tanh", kernel_regularizer=nn.regularizers.l2(1e-4)))
        m.add(nn.Dropout(0.1))
        m.add(nn.Dense(1, activation="linear"))
        m.compile(optimizer="sgd", loss="mean_squared_error")
        self.assertIsNone(m.input_dim)
        m.fit(x, y, epochs=2, verbose=0)
        self.assertEqual(m.input_dim, 3)
        self.assertEqual(m.count_params(), 3 * 8 + 8 + 8 + 1)
        m2 = nn.Sequential([nn.Input(shape=(3,)), nn.Dense(2)])
        self.assertEqual(m2.input_dim, 3)
        m3 = nn.Sequential([nn.Dense(2, input_shape=(3,))])
        self.assertEqual(m3.count_params(), 8)

    def test_buffer_protocol_zero_copy_and_same_seed_same_bits(self):
        x, y = linear_data(100)
        flat = array.array("f", [v for row in x for v in row])
        x2d = memoryview(flat).cast("B").cast("f", (100, 3))
        y1d = array.array("f", [r[0] for r in y])
        converted = nn._floats(x2d, "x")
        self.assertEqual((converted.rows, converted.cols), (100, 3))
        self.assertEqual(ctypes_addr(converted.ptr), flat.buffer_info()[0])  # no copy
        a, b = small_model(seed=7, input_dim=3), small_model(seed=7, input_dim=3)
        ha = a.fit(x2d, y1d, epochs=3, verbose=0)
        hb = b.fit(x, y, epochs=3, verbose=0)
        self.assertEqual(ha.history["loss"], hb.history["loss"])
        self.assertEqual(list(flat[:3]), [array.array("f", x[0])[i] for i in range(3)])  # not modified

    def test_float64_buffers_are_converted(self):
        x, y = linear_data(50)
        xd = array.array("d", [v for row in x for v in row])
        xd2 = memoryview(xd).cast("B").cast("d", (50, 3))
        m = small_model(input_dim=3)
        m.fit(xd2, array.array("d", [r[0] for r in y]), epochs=1, verbose=0)

    def test_classification_with_accuracy(self):
        rnd = random.Random(3)
        x = [[rnd.gauss(0, 1), rnd.gauss(0, 1)] for _ in range(300)]
        y = [[1.0 if a + b > 0 else 0.0] for a, b in x]
        m = nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(1, activation="sigmoid")], input_dim=2, seed=2)
        m.compile(optimizer=nn.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
        m.fit(x, y, epochs=30, batch_size=32, verbose=0)
        loss, acc = m.evaluate(x, y)
        self.assertGreater(acc, 0.9)
        ys = [[float(int(a + b > 0) + int(a > 1))] for a, b in x]
        m2 = nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(3, activation="softmax")], input_dim=2, seed=2)
        m2.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        h = m2.fit(x, ys, epochs=3, verbose=0)
        self.assertIn("accuracy", h.history)

    def test_verbose_goes_to_sys_stdout(self):
        x, y = linear_data(40)
        m = small_model(input_dim=3)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            m.fit(x, y, epochs=2, verbose=2)
        self.assertIn("Epoch 2/2", out.getvalue())
        lines = []
        m.summary(print_fn=lines.append)
        self.assertIn("Total params: 81", lines[0])


class ErrorTest(unittest.TestCase):
    def test_status_maps_to_exception_with_message(self):
        x, y = linear_data(20)
        m = small_model(input_dim=3)
        with self.assertRaises(nn.ShapeError) as cm:
            m.fit([r[:2] for r in x], y, verbose=0)
        self.assertIn("3", str(cm.exception))
        bad = [list(r) for r in x]
        bad[4][1] = float("nan")
        with self.assertRaises(nn.NonFiniteError) as cm:
            m.fit(bad, y, verbose=0)
        self.assertIn("x[4][1]", str(cm.exception))
        self.assertEqual(cm.exception.status, 7)
        with self.assertRaises(nn.InvalidArgumentError) as cm:
            m.fit(x, y, epochs=0, verbose=0)
        self.assertIn("epochs", str(cm.exception))
        self.assertIsInstance(cm.exception, nn.Error)
        self.assertIsInstance(cm.exception, ValueError)

    def test_constructor_and_state_errors(self):
        with self.assertRaises(nn.InvalidArgumentError) as cm:
            nn.Dropout(1.5)
        self.assertIn("Dropout", str(cm.exception))
        with self.assertRaises(nn.InvalidArgumentError):
            nn.Dense(4, activation="no_such_thing")
        m = nn.Sequential([nn.Dense(1)], input_dim=2)
        with self.assertRaises(nn.StateError):
            m.fit([[1, 2]], [[1]], verbose=0)
        m.compile(optimizer="adam", loss="mse")
        with self.assertRaises(nn.StateError):
            m.add(nn.Dense(1))

    def test_validation_split_too_large_reports_library_message(self):
        m = small_model(input_dim=3)
        x, y = linear_data(3)
        with self.assertRaises(nn.InvalidArgumentError) as cm:
            m.fit(x, y, validation_split=0.9, verbose=0)
        self.assertIn("validation_split", str(cm.exception))


class CallbackTest(unittest.TestCase):
    def test_custom_callback_sees_logs_and_can_stop(self):
        seen = []

        class Stopper(nn.Callback):
            def on_epoch_end(self, epoch, logs=None):
                seen.append((epoch, sorted(logs)))
                if epoch == 2:
                    self.model.stop_training = True

        batches = []
        x, y = linear_data(64)
        m = small_model(input_dim=3)
        h = m.fit(x, y, epochs=10, batch_size=16, verbose=0, validation_split=0.25,
                  callbacks=[Stopper(), nn.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(logs["loss"]))])
        self.assertEqual(len(h.history["loss"]), 3)
        self.assertEqual(seen[0], (0, ["learning_rate", "loss", "mae", "val_loss", "val_mae"]))
        self.assertEqual(len(batches), 3 * 3)
        # callbacks belong to one fit call
        h2 = m.fit(x, y, epochs=4, verbose=0)
        self.assertEqual(len(h2.history["loss"]), 4)

    def test_exception_in_callback_propagates(self):
        class Boom(nn.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == 1:
                    raise KeyError("boom")

        x, y = linear_data(32)
        m = small_model(input_dim=3)
        with self.assertRaises(KeyError):
            m.fit(x, y, epochs=5, verbose=0, callbacks=[Boom()])

    def test_learning_rate_schedule_from_python(self):
        x, y = linear_data(32)
        m = small_model(input_dim=3)
        h = m.fit(x, y, epochs=4, verbose=0,
                  callbacks=[nn.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)])
        for e, lr in enumerate(h.history["learning_rate"]):
            self.assertAlmostEqual(lr, 0.1 * 0.5 ** e, places=6)

    def test_read_csv_chosen_and_ignored_columns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.csv")
            with open(path, "w") as f:
                f.write("id,a,b,name,y\nr1,1,2,Ann,3\nr2,4,5,Bo,6\n")
            x, y, fn, tn = nn.read_csv(path, ignore=["id", "name"], return_names=True)
            self.assertEqual(fn, ["a", "b"])
            self.assertEqual(x.tolist(), [[1.0, 2.0], [4.0, 5.0]])
            x, y, fn, tn = nn.read_csv(path, features=["b", "a"], return_names=True)
            self.assertEqual((fn, tn), (["b", "a"], ["y"]))
            with self.assertRaises(nn.FormatError):
                nn.read_csv(path)  # "r1" is no number

    def test_standard_scaler_imputing_the_mean(self):
        nan = float("nan")
        x = [[1.0, 10.0], [nan, 20.0], [3.0, nan], [5.0, 40.0]]
        s = nn.StandardScaler(impute_mean=True).fit(x)
        t = s.transform(x)
        rows = t.tolist() if hasattr(t, "tolist") else [list(t[i]) for i in range(4)]
        self.assertEqual(rows[1][0], 0.0)
        self.assertEqual(rows[2][1], 0.0)
        # column 0 observes 1, 3, 5 (mean 3); the imputed cell counts in the divisor: sqrt(8 / 4)
        self.assertAlmostEqual(s.scale_[0], math.sqrt(8.0 / 4.0), places=6)
        m = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(1)], input_dim=2, seed=1)
        m.compile(optimizer="adam", loss="mse")
        m.set_input_scaler(nn.StandardScaler(impute_mean=True))
        m.fit(x, [[1.0], [2.0], [3.0], [4.0]], epochs=2, verbose=0)
        p = m.predict([[nan, 15.0]])
        self.assertFalse(math.isnan(p[0][0] if not hasattr(p, "tolist") else p.tolist()[0][0]))

    def test_column_names_travel_with_the_model(self):
        m = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(2)], seed=1)
        self.assertIsNone(m.feature_names)
        m.feature_names = ["age", "income", "ratio"]  # fixes input_dim = 3
        self.assertEqual(m.input_dim, 3)
        m.output_names = ["price", "rent"]
        with self.assertRaises(nn.ShapeError):
            m.output_names = ["price"]
        with self.assertRaises(nn.InvalidArgumentError):
            m.feature_names = ["age", "", "ratio"]
        m.compile(optimizer="adam", loss="mse")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.nn")
            m.save(path)
            back = nn.load_model(path)
        self.assertEqual(back.feature_names, ["age", "income", "ratio"])
        self.assertEqual(back.output_names, ["price", "rent"])
        m.feature_names = None
        self.assertIsNone(m.feature_names)

    def test_keras_schedules_values_and_in_fit(self):
        S = nn.schedules
        self.assertAlmostEqual(S.ExponentialDecay(0.1, 10, 0.5)(20), 0.025, places=7)
        self.assertAlmostEqual(S.ExponentialDecay(0.1, 10, 0.5, staircase=True)(15), 0.05, places=7)
        self.assertAlmostEqual(S.InverseTimeDecay(0.1, 10, 1.0)(10), 0.05, places=7)
        pw = S.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1])
        self.assertEqual([round(pw(s), 6) for s in (0, 5, 6, 10, 11)], [1.0, 1.0, 0.5, 0.5, 0.1])
        self.assertAlmostEqual(S.CosineDecay(0.1, 100, alpha=0.1)(50), 0.055, places=7)
        warm = S.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10)
        self.assertAlmostEqual(warm(5), 0.05, places=7)
        self.assertAlmostEqual(warm(10), 0.1, places=7)
        with self.assertRaises(nn.InvalidArgumentError):
            S.PiecewiseConstantDecay([5, 10], [1.0, 0.5])
        with self.assertRaises(nn.InvalidArgumentError):
            S.ExponentialDecay(0.1, 0, 0.5)(1)  # decay_steps must be positive (library message)
        # 32 rows, batch 8: 4 steps per epoch; history shows the lr of the epoch's last step
        x, y = linear_data(32)
        m = nn.Sequential([nn.Dense(4, activation="relu"), nn.Dense(1)], seed=1)
        m.compile(optimizer=nn.SGD(learning_rate=S.ExponentialDecay(0.1, 4, 0.5)), loss="mse")
        h = m.fit(x, y, epochs=3, batch_size=8, verbose=0)
        for e, lr in enumerate(h.history["learning_rate"]):
            self.assertAlmostEqual(lr, 0.1 * 0.5 ** ((4 * e + 3) / 4), places=6)

    def test_early_stopping(self):
        x, y = linear_data(100)
        m = small_model(input_dim=3)
        h = m.fit(x, y, epochs=500, verbose=0, validation_split=0.2,
                  callbacks=[nn.EarlyStopping(monitor="val_loss", min_delta=1.0, patience=2)])
        self.assertLess(len(h.history["loss"]), 500)


class ToolkitTest(unittest.TestCase):
    def test_weights_round_trip(self):
        x, y = linear_data(32)
        a, b = small_model(seed=1, input_dim=3), small_model(seed=2, input_dim=3)
        a.fit(x, y, epochs=2, verbose=0)
        w = a.get_weights()
        self.assertEqual(len(w), a.count_params())
        b.set_weights(w)
        self.assertEqual(b.predict(x[:3]), a.predict(x[:3]))
        with self.assertRaises(nn.Error):
            b.set_weights(w[:-1])

    def test_batchnorm_noise_and_reduce_lr(self):
        x, y = linear_data(64)
        m = nn.Sequential([nn.GaussianNoise(0.1), nn.Dense(8, activation="relu"), nn.BatchNormalization(),
                           nn.Dense(1)], input_dim=3, seed=3)
        m.compile(optimizer=nn.Adam(1e-2), loss="mse")
        h = m.fit(x, y, epochs=6, verbose=0, callbacks=[nn.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0)])
        self.assertEqual(len(h.history["loss"]), 6)
        self.assertLessEqual(h.history["learning_rate"][-1], 1e-2)


class FilesTest(unittest.TestCase):
    def test_plot_history(self):
        x, y = linear_data(64)
        m = small_model(input_dim=3)
        m.fit(x, y, epochs=5, verbose=0, validation_split=0.2)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "curves.svg")
            m.plot_history(p, log_scale=True)
            with open(p) as f:
                svg = f.read()
            self.assertIn("<svg", svg)
            self.assertIn("best-epoch-marker", svg)
            with self.assertRaises(nn.FileError):
                m.plot_history(os.path.join(d, "missing", "c.svg"))

    def test_save_load_round_trip(self):
        x, y = linear_data(64)
        m = small_model(input_dim=3)
        m.fit(x, y, epochs=3, verbose=0)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.nn")
            m.save(p)
            m2 = nn.load_model(p)
            a, b = m.predict(x[:4]), m2.predict(x[:4])
            self.assertEqual(a.tolist() if hasattr(a, "tolist") else a, b.tolist() if hasattr(b, "tolist") else b)
            with self.assertRaises(nn.Error):
                nn.load_model(os.path.join(d, "nope.nn"))


class KerasToolkitTest(unittest.TestCase):
    def test_more_layers_and_regularizers(self):
        x, y = linear_data(64)
        m = nn.Sequential([nn.Dense(16, kernel_regularizer=nn.regularizers.l2(0.01), bias_regularizer="l1"),
                           nn.LayerNormalization(), nn.Activation("relu"), nn.GaussianDropout(0.1),
                           nn.BatchNormalization(momentum=0.9, epsilon=1e-3), nn.Dense(1, use_bias=False)],
                          input_dim=3, seed=4)
        m.compile(optimizer="adam", loss="mse")
        h = m.fit(x, y, epochs=5, verbose=0)
        self.assertEqual(len(h.history["loss"]), 5)
        # 3*16+16 (dense) + 2*16 (layer norm) + 4*16 (batch norm) + 16 (dense, no bias)
        self.assertEqual(m.count_params(), 64 + 32 + 64 + 16)
        with self.assertRaises(nn.InvalidArgumentError):
            nn.Dense(4, kernel_regularizer="l3")
        with self.assertRaises(nn.Error):
            nn.GaussianDropout(1.5)

    def test_regularizer_raises_the_loss(self):
        x, y = linear_data(32)
        losses = []
        for reg in (None, nn.regularizers.l2(1.0)):
            m = nn.Sequential([nn.Dense(8, kernel_regularizer=reg), nn.Dense(1)], input_dim=3, seed=5)
            m.compile(optimizer=nn.SGD(0.0), loss="mse")
            losses.append(m.fit(x, y, epochs=1, verbose=0, shuffle=False).history["loss"][0])
        self.assertGreater(losses[1], losses[0])

    def test_checkpoint_csv_logger_and_terminate_on_nan(self):
        x, y = linear_data(64)
        with tempfile.TemporaryDirectory() as d:
            ck, log = os.path.join(d, "best.nn"), os.path.join(d, "log.csv")
            m = small_model(input_dim=3)
            m.fit(x, y, epochs=4, verbose=0, validation_split=0.25,
                  callbacks=[nn.ModelCheckpoint(ck, monitor="val_loss", save_best_only=True), nn.CSVLogger(log)])
            self.assertTrue(os.path.exists(ck))
            self.assertEqual(nn.load_model(ck).input_dim, 3)
            with open(log) as f:
                lines = f.read().splitlines()
            self.assertTrue(lines[0].startswith("epoch,"))
            self.assertIn("val_loss", lines[0])
            self.assertEqual(len(lines), 5)
            m.fit(x, y, epochs=2, verbose=0, callbacks=[nn.CSVLogger(log, append=True)])
            with open(log) as f:
                self.assertEqual(len(f.read().splitlines()), 7)
        bad = nn.Sequential([nn.Dense(1)], input_dim=3, seed=1)
        bad.compile(optimizer=nn.SGD(1e30), loss="mse")
        big = [[1e3 * v for v in row] for row in x]
        h = bad.fit(big, y, epochs=50, verbose=0, callbacks=[nn.TerminateOnNaN()])
        self.assertLess(len(h.history["loss"]), 50)
        self.assertFalse(math.isfinite(h.history["loss"][-1]))
        bad2 = nn.Sequential([nn.Dense(1)], input_dim=3, seed=1)
        bad2.compile(optimizer=nn.SGD(1e30), loss="mse")
        with self.assertRaises(nn.NonFiniteError):
            bad2.fit(big, y, epochs=50, verbose=0)

    def test_early_stopping_and_reduce_lr_options(self):
        x, y = linear_data(64)
        m = small_model(input_dim=3)
        h = m.fit(x, y, epochs=30, verbose=0, validation_split=0.25,
                  callbacks=[nn.EarlyStopping(monitor="val_loss", patience=2, mode="max", restore_best_weights=True),
                             nn.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, cooldown=1,
                                                  min_delta=0.0, mode="min")])
        self.assertEqual(len(h.history["loss"]), 3)  # a falling val_loss never improves in mode "max"
        h = m.fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                  callbacks=[nn.EarlyStopping(patience=1, baseline=0.5, start_from_epoch=1)])
        self.assertEqual(len(h.history["loss"]), 3)
        with self.assertRaises(nn.Error):
            m.fit(x, y, epochs=1, verbose=0, callbacks=[nn.ReduceLROnPlateau(mode="sideways")])

    def test_sample_and_class_weights(self):
        rnd = random.Random(2)
        x = [[rnd.uniform(-1, 1), rnd.uniform(-1, 1)] for _ in range(120)]
        y = [[1.0 if a + b > 0.8 else 0.0] for a, b in x]
        def run(**kw):
            m = nn.Sequential([nn.Dense(1, activation="sigmoid")], input_dim=2, seed=3)
            m.compile(optimizer=nn.Adam(0.05), loss="binary_crossentropy")
            m.fit(x, y, epochs=20, verbose=0, **kw)
            p = m.predict(x)
            return sum(1 for r in (p.tolist() if hasattr(p, "tolist") else p) if r[0] >= 0.5)
        plain = run()
        self.assertGreater(run(class_weight={0: 1.0, 1: 10.0}), plain)
        self.assertGreater(run(sample_weight=[10.0 if t[0] else 1.0 for t in y]), plain)
        self.assertEqual(run(sample_weight=[1.0] * len(y)), plain)
        with self.assertRaises(nn.InvalidArgumentError):
            run(sample_weight=[1.0] * len(y), class_weight={0: 1.0})
        with self.assertRaises(nn.ShapeError):
            run(sample_weight=[1.0] * 3)


DIABETES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "data", "diabetes.csv")


class DataTest(unittest.TestCase):
    def test_read_csv_and_scalers(self):
        x, y, fnames, tnames = nn.read_csv(DIABETES, target="target", return_names=True)
        self.assertEqual(x.shape, (442, 10))
        self.assertEqual(y.shape, (442, 1))
        self.assertEqual(fnames[:3], ["age", "sex", "bmi"])
        self.assertEqual(tnames, ["target"])
        self.assertEqual(x[0, 0], 59.0)
        x2, y2 = nn.read_csv(DIABETES, target=10)
        self.assertEqual(y2.tolist(), y.tolist())
        s = nn.StandardScaler().fit(x)
        self.assertEqual(s.n_features_in_, 10)
        self.assertAlmostEqual(s.mean_[0], sum(r[0] for r in x.tolist()) / 442, places=3)
        z = s.transform(x)
        rows = z.tolist() if hasattr(z, "tolist") else z
        self.assertAlmostEqual(sum(r[2] for r in rows) / 442, 0.0, places=4)
        back = s.inverse_transform(z)
        back = back.tolist() if hasattr(back, "tolist") else back
        self.assertAlmostEqual(back[5][2], x[5, 2], places=3)
        mm = nn.MinMaxScaler(feature_range=(-1, 1))
        w = mm.fit_transform(x)
        w = w.tolist() if hasattr(w, "tolist") else w
        self.assertAlmostEqual(min(r[0] for r in w), -1.0, places=5)
        self.assertAlmostEqual(max(r[0] for r in w), 1.0, places=5)
        self.assertEqual(mm.data_min_[1], 1.0)
        with self.assertRaises(nn.ShapeError):
            s.transform([[1.0, 2.0]])
        with self.assertRaises(nn.Error):
            nn.read_csv(DIABETES, target="nope")
        with self.assertRaises(nn.FileError):
            nn.read_csv(DIABETES + ".missing")

    def test_missing_values_read_as_nan(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.csv")
            with open(p, "w") as f:
                f.write("a,b,y\n1,,3\nNA,2,4\n")
            x, y = nn.read_csv(p, target="y")
            self.assertTrue(math.isnan(x[0, 1]) and math.isnan(x[1, 0]))
            self.assertEqual(y.tolist(), [[3.0], [4.0]])

    def test_scalers_attached_travel_with_the_saved_model(self):
        x, y = nn.read_csv(DIABETES, target="target")
        m = nn.Sequential([nn.Dense(16, activation="relu"), nn.Dense(1)], input_dim=10, seed=7)
        m.compile(optimizer=nn.Adam(1e-2), loss="mse", metrics=["mae"])
        scaler = nn.StandardScaler()
        m.set_input_scaler(scaler)
        m.set_target_scaler(nn.StandardScaler())
        with self.assertRaises(nn.StateError):
            scaler.transform(x)  # the model owns it now
        h = m.fit(x, y, epochs=10, batch_size=32, validation_split=0.2, verbose=0)
        self.assertLess(h.history["val_loss"][-1], 1.0)  # in standardized target units
        p = m.predict(x)
        p = p.tolist() if hasattr(p, "tolist") else p
        mean_pred = sum(r[0] for r in p) / len(p)
        self.assertTrue(100 < mean_pred < 200, mean_pred)  # original units
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.nn")
            m.save(path)
            p2 = nn.load_model(path).predict(x)
            self.assertEqual(p, p2.tolist() if hasattr(p2, "tolist") else p2)


def ctypes_addr(ptr):
    import ctypes
    return ctypes.cast(ptr, ctypes.c_void_p).value


if __name__ == "__main__":
    unittest.main()
