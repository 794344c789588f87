"""Where PyTorch's seed-CNN batch goes, per op, on one thread (the anchor's configuration).

  python3 profile_cnn.py [batches]

Sets up exactly as anchor.py does (glibc malloc kept, one thread, channels_last: it imports
anchor.py for that), trains warm-up batches, then `batches` more (default 100) under
torch.autograd.profiler and prints one JSON line: the wall and CPU milliseconds per batch, and
per op its self CPU milliseconds per batch and calls per batch, largest first. Self time, so no
millisecond counts twice (an op's children are their own rows). The profiler's bookkeeping adds
a few microseconds per op call; the unprofiled batch time is printed beside it.

With ONEDNN_VERBOSE=1 in the environment, oneDNN also prints one line per primitive it runs
(implementation, shapes, milliseconds) on stderr: that says which kernels (e.g. brgconv:avx512_core)
the convolutions take on this CPU.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anchor  # noqa: E402  (sets malloc and threads, then imports torch)
import torch  # noqa: E402
from torch import nn  # noqa: E402


def main(batches):
    torch.manual_seed(12345)
    model, shape, _ = anchor.seed_model("cnn")
    fmt = torch.channels_last if anchor.CNN_LAYOUT == "channels_last" else torch.contiguous_format
    model = model.to(memory_format=fmt)
    x = (torch.rand(32 * batches, *shape) * 2 - 1).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (32 * batches,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(32 * batches)
        for first in range(0, 32 * batches, 32):
            idx = order[first:first + 32]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()

    epoch()  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    epoch()
    plain_ms = 1000 * (time.perf_counter() - start) / batches
    plain_cpu_ms = 1000 * (time.process_time() - cpu_start) / batches
    with torch.autograd.profiler.profile() as prof:
        start = time.perf_counter()
        epoch()
        profiled_ms = 1000 * (time.perf_counter() - start) / batches
    rows = [
        {"op": e.key, "selfMs": e.self_cpu_time_total / 1000 / batches, "callsPerBatch": e.count / batches}
        for e in prof.key_averages()
    ]
    rows.sort(key=lambda r: -r["selfMs"])
    print(json.dumps({
        "batches": batches,
        "msPerBatch": plain_ms,
        "cpuMsPerBatch": plain_cpu_ms,
        "profiledMsPerBatch": profiled_ms,
        "ops": rows,
        "torch": torch.__version__,
        "blas": anchor.BLAS,
        "loadavg": open("/proc/loadavg").read().split()[:3],
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
