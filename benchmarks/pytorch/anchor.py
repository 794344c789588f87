"""PyTorch anchor for `npm run bench`: the same work as layerbench, done by a plain PyTorch loop.

  python3 anchor.py blas
      Prints one JSON line: torch's version and the BLAS library it loaded (from /proc/self/maps
      after a matrix product), whether that is OpenBLAS, its thread count, oneDNN (mkldnn), and
      what glibc's malloc was told (below).

  python3 anchor.py engine <mlp|cnn|lstm> <samples_per_epoch> <runs>
      Trains the seed model (batch 32, Adam 1e-3, one thread) on seeded synthetic data: a warm-up
      epoch, then <runs> timed epochs, each followed by a 32-row validation pass (as layerbench's
      loop does). Prints one JSON line: {"runs": [samples/s per epoch], "median": ...,
      "cpuRuns": [samples per CPU-second of the process, per epoch], "minorFaults": [page faults
      per epoch], "blas": ...}.

  python3 anchor.py sweep <splits.json>
      The seattle-weather sweep as a sequential loop: every candidate (depth x width) x repeat on
      the very arrays layerbench's data layer produced (benchmarks/anchor.ts writes them), with the
      sweep's dropout, Adam, batch size, epochs and early stopping on val_loss with patience and
      best-weight restore. Prints one JSON line with the loop's seconds and each candidate's mean
      validation accuracy.

Allocator: glibc's malloc, by default, gives the CNN's large buffers (activations and gradients of
~0.1-3 MB per batch) back to the kernel as it frees them (munmap, or trimming the heap top with brk),
so every batch faults them in again. How much it gives back varies from process to process: the same
seeded CNN ran with 40k minor page faults in some processes and 150k-220k in others, at ~3,500 or
~900 samples/s (benchmarks/results/2026-12-07-anchor-s6.md). So, before torch loads, this script tells
glibc to keep freed memory (mallopt M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 1 GiB), as a careful user
would by preloading jemalloc or tcmalloc (PyTorch's Performance Tuning Guide): PyTorch's best configuration
on every run. LAYERBENCH_TORCH_MALLOC=default leaves glibc's defaults, to reproduce the slow processes.
Every JSON line's "blas" carries "malloc": what was set.

Layout: the CNN trains in channels_last (NHWC) memory format, the layout Keras and tfjs use and the
one PyTorch's Performance Tuning Guide recommends for convolutions on CPU: oneDNN then runs its
brgemm forward convolutions and half as many reorders as with PyTorch's default (NCHW, "contiguous"),
~1.5-1.7x the samples/s on the seed CNN here (ONEDNN_VERBOSE=1 shows both). The numbers are the same (one layout
of the same tensors). LAYERBENCH_TORCH_CNN_LAYOUT=contiguous keeps PyTorch's default; "blas"
carries "cnnLayout".

Needs torch (Debian: apt-get install python3-torch libopenblas0-pthread; run with /usr/bin/python3).
Debian's torch calls whatever libblas.so.3 the alternatives system points at: without OpenBLAS that is
the reference BLAS, 2-7x slower on these models, and an anchor measured on it is unfair. Every JSON
line printed here carries "blas", so each figure says which BLAS made it. One thread throughout
(OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and torch.set_num_threads).
"""
import os

# Read by OpenBLAS and OpenMP when they load: set before torch is imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import ctypes
import json
import resource
import statistics
import sys
import time


def keep_freed_memory():
    """Tell glibc's malloc to keep freed memory in the process (see the module's docstring): what it set."""
    if os.environ.get("LAYERBENCH_TORCH_MALLOC") == "default":
        return {"kept": False, "why": "LAYERBENCH_TORCH_MALLOC=default"}
    # mallopt's parameters (malloc.h); glibc refuses an mmap threshold above 32 MiB on 64-bit.
    m_trim_threshold, m_mmap_threshold = -1, -3
    settings = {"M_MMAP_THRESHOLD": 32 * 2**20, "M_TRIM_THRESHOLD": 2**30}
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(m_mmap_threshold, settings["M_MMAP_THRESHOLD"]) == 1
        ok = libc.mallopt(m_trim_threshold, settings["M_TRIM_THRESHOLD"]) == 1 and ok
    except (OSError, AttributeError):
        ok = False
    if not ok:
        return {"kept": False, "why": "mallopt failed: not glibc?"}
    return {"kept": True, **settings, "why": "glibc otherwise returns freed buffers to the kernel and faults them in again, differently per process"}


MALLOC = keep_freed_memory()
# The CNN's memory format (see the module's docstring).
CNN_LAYOUT = "contiguous" if os.environ.get("LAYERBENCH_TORCH_CNN_LAYOUT") == "contiguous" else "channels_last"

import torch  # after mallopt, so that torch's first buffers follow it too
from torch import nn

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def blas_info():
    """The BLAS torch runs on, as the process has it mapped after one matrix product."""
    a = torch.ones(8, 8)
    float((a @ a).sum())
    libraries = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if ("blas" in name or "mkl_rt" in name or "mkl_core" in name) and path not in libraries:
                libraries.append(path)
    openblas = [p for p in libraries if "openblas" in os.path.basename(p)]
    info = {
        "libraries": libraries,
        "openblas": bool(openblas),
        "reference": any("/blas/" in p for p in libraries) and not openblas,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "torchThreads": torch.get_num_threads(),
    }
    if openblas:
        try:
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["config"] = lib.openblas_get_config().decode()
            info["threads"] = lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            pass
    return info


BLAS = {**blas_info(), "malloc": MALLOC, "cnnLayout": CNN_LAYOUT}


def seed_model(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)), (10,), "mse"
    if name == "cnn":
        # Conv32 3x3 valid -> MaxPool 2 -> Conv64 3x3 valid -> MaxPool 2 -> Dense 10 (softmax in the loss).
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(5 * 5 * 64, 10),
        ), (1, 28, 28), "ce"
    if name == "lstm":
        class Seq(nn.Module):
            def __init__(self):
                super().__init__()
                self.l1 = nn.LSTM(4, 64, batch_first=True)
                self.l2 = nn.LSTM(64, 32, batch_first=True)
                self.out = nn.Linear(32, 1)

            def forward(self, x):
                h, _ = self.l1(x)
                h, _ = self.l2(h)
                return self.out(h[:, -1])
        return Seq(), (24, 4), "mse"
    raise SystemExit(f"unknown model {name}")


def engine(name, samples, runs):
    torch.manual_seed(12345)
    model, shape, loss_kind = seed_model(name)
    x = torch.rand(samples, *shape) * 2 - 1
    xv = torch.rand(32, *shape) * 2 - 1
    if loss_kind == "ce":
        y = torch.randint(0, 10, (samples,))
        yv = torch.randint(0, 10, (32,))
        loss_fn = nn.CrossEntropyLoss()
    else:
        y = torch.rand(samples, 1) * 2 - 1
        yv = torch.rand(32, 1) * 2 - 1
        loss_fn = nn.MSELoss()
    if len(shape) == 3 and CNN_LAYOUT == "channels_last":
        fmt = torch.channels_last
        model, x, xv = model.to(memory_format=fmt), x.contiguous(memory_format=fmt), xv.contiguous(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    rates, cpu_rates, faults = [], [], []
    for epoch in range(runs + 1):
        start = time.perf_counter()
        cpu_start = time.process_time()
        faults_start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        model.train()
        order = torch.randperm(samples)
        total = torch.zeros(())
        for first in range(0, samples, 32):
            idx = order[first:first + 32]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        model.eval()
        with torch.no_grad():
            float(loss_fn(model(xv), yv))
        float(total)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        if epoch > 0:
            rates.append(samples / seconds)
            cpu_rates.append(samples / cpu_seconds)
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_start)
    print(json.dumps({"runs": rates, "median": statistics.median(rates), "cpuRuns": cpu_rates, "minorFaults": faults, "torch": torch.__version__, "blas": BLAS}))


def sweep(path):
    with open(path) as f:
        spec = json.load(f)
    t = spec["training"]
    repeats = [
        {k: (torch.tensor(r[k]["x"], dtype=torch.float32).reshape(r[k]["n"], -1), torch.tensor(r[k]["y"], dtype=torch.float32).reshape(r[k]["n"], -1)) for k in ("train", "val")}
        for r in spec["repeats"]
    ]
    start = time.perf_counter()
    results = []
    for depth in spec["depths"]:
        for width in spec["widths"]:
            scores = []
            for repeat, data in enumerate(repeats):
                torch.manual_seed(t["seed"] + repeat)
                xt, yt = data["train"]
                xv, yv = data["val"]
                layers, inputs = [], xt.shape[1]
                for _ in range(depth):
                    layers += [nn.Linear(inputs, width), nn.ReLU(), nn.Dropout(spec["dropout"])]
                    inputs = width
                model = nn.Sequential(*layers, nn.Linear(inputs, 1))
                opt = torch.optim.Adam(model.parameters(), lr=t["learningRate"], eps=1e-7)
                loss_fn = nn.BCEWithLogitsLoss()
                best, best_state, wait = float("inf"), None, 0
                for epoch in range(t["epochs"]):
                    model.train()
                    order = torch.randperm(len(xt))
                    for first in range(0, len(xt), t["batchSize"]):
                        idx = order[first:first + t["batchSize"]]
                        opt.zero_grad()
                        loss_fn(model(xt[idx]), yt[idx]).backward()
                        opt.step()
                    model.eval()
                    with torch.no_grad():
                        val_loss = float(loss_fn(model(xv), yv))
                    if val_loss + t["minDelta"] < best:
                        best, wait = val_loss, 0
                        best_state = {k: v.clone() for k, v in model.state_dict().items()}
                    else:
                        wait += 1
                        if wait >= t["patience"] and epoch > 0:
                            break
                model.load_state_dict(best_state)
                model.eval()
                with torch.no_grad():
                    scores.append(float(((model(xv) > 0).float() == yv).float().mean()))
            results.append({"depth": depth, "width": width, "valAccuracy": statistics.mean(scores)})
    seconds = time.perf_counter() - start
    print(json.dumps({"loopSeconds": seconds, "candidates": results, "torch": torch.__version__, "blas": BLAS}))


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "blas":
        print(json.dumps({"torch": torch.__version__, "blas": BLAS}))
    elif len(sys.argv) >= 2 and sys.argv[1] == "engine":
        engine(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) >= 2 and sys.argv[1] == "sweep":
        sweep(sys.argv[2])
    else:
        raise SystemExit(__doc__)
