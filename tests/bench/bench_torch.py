"""PyTorch side of `make bench-train` (run by bench_train with /usr/bin/python3).

Reads the workloads from DIR/spec.txt and the data the C program wrote
(raw float32), trains the same networks with one thread, Keras-like init
(glorot uniform, zero bias) and Adam(lr=1e-3, eps=1e-7), and prints
  RESULT id samples_per_s us_per_step final_loss epochs
per workload, timed like the C side: median epoch (fit), median of repeated
runs (xor, predict). Prints "SKIP reason" when torch is unavailable.
"""
import sys
import time

try:
    import numpy as np
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "skipped"
    print("SKIP python3-torch not importable (%s)" % type(e).__name__)
    sys.exit(0)

torch.set_num_threads(1)
torch.manual_seed(0)
DIR = sys.argv[1]
WALL = len(sys.argv) > 2 and sys.argv[2] == "wall"
QUICK = len(sys.argv) > 3 and sys.argv[3] == "quick"
# process CPU time by default (as the C side), so a busy machine skews it less
clock = time.perf_counter if WALL else time.process_time
print("VERSION", torch.__version__)

ACTS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


def load(name, cols):
    a = np.fromfile("%s/%s" % (DIR, name), dtype=np.float32)
    return torch.from_numpy(a.reshape(-1, cols).copy())


def build(dims, hid, out):
    layers = []
    for i in range(1, len(dims)):
        lin = torch.nn.Linear(dims[i - 1], dims[i])
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        act = hid if i + 1 < len(dims) else out
        if act in ACTS:
            layers.append(ACTS[act]())
    return torch.nn.Sequential(*layers)


def fit(model, x, y, bs, max_epochs, budget):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.MSELoss()
    n = x.shape[0]
    secs, last = [], float("nan")
    start = time.perf_counter()
    for _ in range(max_epochs):
        t0 = clock()
        perm = torch.randperm(n)
        tot = torch.zeros(())
        for s in range(0, n, bs):
            idx = perm[s:s + bs]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.detach() * idx.shape[0]
        last = float(tot) / n
        secs.append(clock() - t0)
        if len(secs) >= 3 and time.perf_counter() - start > budget:
            break
    return secs, last


def main():
    data = {}
    for line in open("%s/spec.txt" % DIR):
        f = line.split()
        wid, kind, dname, bs, max_ep, budget, hid, out = f[0], int(f[1]), f[2], int(f[3]), int(f[4]), float(f[5]), f[6], f[7]
        dims = [int(v) for v in f[8:]]
        if dname not in data:
            if dname == "img":
                xi = load("img_x.f32", dims[0])
                data[dname] = (xi, xi)
            else:
                data[dname] = (load(dname + "_x.f32", dims[0]), load(dname + "_y.f32", dims[-1]))
        x, y = data[dname]
        model = build(dims, hid, out)
        if kind == 0:
            secs, last = fit(model, x, y, bs, max_ep, budget)
            med = float(np.median(secs))
            steps = (x.shape[0] + bs - 1) // bs
            print("RESULT %s %.6g %.6g %.6g %d" % (wid, x.shape[0] / med, med * 1e6 / steps, last, len(secs)), flush=True)
        elif kind == 1:
            runs = []
            for _ in range(5):
                model = build(dims, hid, out)
                secs, last = fit(model, x, y, x.shape[0], max_ep, 1e9)
                runs.append(sum(secs))
            us = float(np.median(runs)) * 1e6 / max_ep
            print("RESULT %s %.6g %.6g %.6g %d" % (wid, 4e6 / us, us, last, max_ep), flush=True)
        else:
            model.eval()
            calls = 2000 if QUICK else 20000
            rows = [x[i:i + 1] for i in range(1024)]
            runs = []
            with torch.inference_mode():
                for _ in range(7):
                    t0 = clock()
                    for i in range(calls):
                        model(rows[i & 1023])
                    runs.append(clock() - t0)
            us = float(np.median(runs)) * 1e6 / calls
            print("RESULT %s %.6g %.6g nan 0 median of 7 x %d calls" % (wid, 1e6 / us, us, calls), flush=True)


main()
