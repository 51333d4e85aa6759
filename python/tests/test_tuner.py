"""KerasTuner-shaped search (libnn.RandomSearch / GridSearch / Hyperband) on the C tuner."""
import io
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import libnn as nn  # noqa: E402


def data(n=120, seed=0):
    rnd = random.Random(seed)
    x = [[rnd.uniform(-1, 1) for _ in range(3)] for _ in range(n)]
    y = [[2 * a - b + 0.5 * c * c] for a, b, c in x]
    return x, y


def build_model(hp):
    units = hp.Int("units", min_value=4, max_value=32, sampling="log")
    act = hp.Choice("activation", ["relu", "tanh"])
    model = nn.Sequential([nn.Dense(units, activation=act)])
    if hp.Boolean("second"):
        model.add(nn.Dense(units, activation=act))
    model.add(nn.Dense(1))
    model.compile(optimizer=nn.Adam(hp.Float("lr", 1e-3, 1e-1, sampling="log")), loss="mse")
    return model


class TunerTest(unittest.TestCase):
    def test_random_search_keras_tuner_shape(self):
        x, y = data()
        tuner = nn.RandomSearch(build_model, objective="val_loss", max_trials=5, seed=42)
        tuner.search(x, y, epochs=5, batch_size=16, validation_split=0.25)
        best = tuner.get_best_hyperparameters(num_trials=2)
        self.assertEqual(len(best), 2)
        self.assertEqual(set(best[0].values), {"units", "activation", "second", "lr"})
        self.assertIn(best[0].values["activation"], ("relu", "tanh"))
        self.assertIsInstance(best[0].values["units"], int)
        self.assertTrue(4 <= best[0].values["units"] <= 32)
        self.assertTrue(1e-3 <= best[0].values["lr"] <= 1e-1)
        self.assertIsInstance(best[0].values["second"], bool)
        self.assertLessEqual(best[0].score, best[1].score)
        model = tuner.get_best_models(num_models=1)[0]
        self.assertEqual(len(model.predict(x[:4])), 4)
        out = io.StringIO()
        tuner.results_summary(file=out)
        self.assertIn("Trial %d summary" % best[0].trial_id, out.getvalue())
        # same seed => same trials and scores
        again = nn.RandomSearch(build_model, max_trials=5, seed=42)
        again.search(x, y, epochs=5, batch_size=16, validation_split=0.25)
        self.assertEqual([h.values for h in again.get_best_hyperparameters(5)],
                         [h.values for h in tuner.get_best_hyperparameters(5)])
        self.assertEqual(again.get_best_hyperparameters(1)[0].score, best[0].score)

    def test_grid_search_folds(self):
        def build(hp):
            m = nn.Sequential([nn.Dense(hp.Choice("units", [4, 8]), activation="relu"), nn.Dense(1)])
            m.compile(optimizer=nn.SGD(hp.Float("lr", 0.01, 0.03, step=0.01)), loss="mse")
            return m
        x, y = data(90)
        tuner = nn.GridSearch(build, objective="val_loss")
        tuner.search(x, y, epochs=3, batch_size=16, folds=3)
        all_hp = tuner.get_best_hyperparameters(100)
        self.assertEqual(len(all_hp), 6)
        combos = sorted((h.values["units"], round(h.values["lr"], 6)) for h in all_hp)
        self.assertEqual(combos, [(4, 0.01), (4, 0.02), (4, 0.03), (8, 0.01), (8, 0.02), (8, 0.03)])
        self.assertIsInstance(all_hp[0].values["units"], int)

    def test_hyperband_and_validation_data(self):
        x, y = data(150)
        tuner = nn.Hyperband(build_model, objective="val_loss", max_epochs=9, factor=3, seed=1)
        tuner.search(x[:100], y[:100], validation_data=(x[100:], y[100:]), batch_size=16)
        self.assertTrue(len(tuner.get_best_hyperparameters(100)) >= 3)

    def test_errors(self):
        x, y = data(40)

        def bad(hp):
            hp.Int("units", 2, 4)
            raise RuntimeError("broken build")
        tuner = nn.RandomSearch(bad, max_trials=2)
        with self.assertRaises(RuntimeError):
            tuner.search(x, y, epochs=1)
        with self.assertRaises(nn.StateError):
            nn.RandomSearch(build_model).get_best_hyperparameters()
        with self.assertRaises(nn.InvalidArgumentError):
            nn.RandomSearch(build_model, bogus=1)
        with self.assertRaises(nn.InvalidArgumentError):
            nn.RandomSearch(lambda hp: None, max_trials=1).search(x, y)

    def test_results_file_resumes(self):
        x, y = data(60)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            a = nn.RandomSearch(build_model, max_trials=3, seed=5, results_file=path)
            a.search(x, y, epochs=2, batch_size=16)
            with open(path) as f:
                self.assertEqual(len(f.read().splitlines()), 4)
            b = nn.RandomSearch(build_model, max_trials=3, seed=5, results_file=path)
            b.search(x, y, epochs=2, batch_size=16)
            self.assertEqual(b.get_best_hyperparameters(1)[0].values, a.get_best_hyperparameters(1)[0].values)


if __name__ == "__main__":
    unittest.main()
