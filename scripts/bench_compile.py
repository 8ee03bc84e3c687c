"""Benchmark: what a cold start costs -- numba's compile of the kernels each public call needs.

A kernel is compiled once per entry point and dtype (the model, its loss and options are runtime
flags of one specialisation). Each case runs in a fresh process with an empty numba cache
(NUMBA_CACHE_DIR in a temporary folder), so its time is a first user's; then once more in a fresh
process on that cache (a second run's). Cases: train() of two small ReLU output models (one step,
the final loss included), in float32 and float64; train() of one model large enough for the
samples-parallel kernel (T=2000); the float64 one without the m = 2 tile (what a short run takes
when the kernels are cold: train.cold_start); fused.evaluate; fused.loss_and_grads (what the tests
and the check of a model of one's own call).

"compile" sums numba's compile events of the kernels' entry points, their callees included (a
callee is compiled once per process and shared by the entry points that call it).

Run: python scripts/bench_compile.py [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [("train", "float32"), ("train", "float64"), ("train, without the m = 2 tile", "float64"),
         ("train, one large model", "float32"), ("evaluate", "float32"), ("loss_and_grads", "float64")]
ENTRY_POINTS = ("run_instances", "run_samples", "grads_kernel", "eval_loss")  # eval_loss: before 2026-12-03


def worker(case, dtype):
    """In a child process: one case's call, its seconds printed as JSON."""
    import numpy as np
    from numba.core import event

    from minimem import data, relu_output
    from minimem.fused import host
    from minimem.train import evaluate, train

    rng = np.random.default_rng(0)
    T, I = (2000, 1) if "large" in case else (20, 2)
    x = data.sparse_features(T, 1000, 0.99, rng, n_instances=I, normalize=True, dtype=dtype)
    p = relu_output.init_params(1000, 2, rng, n_instances=I, dtype=dtype)
    if "without" in case:
        host.TILE = False  # the switch MINIMEM_TILE=0 sets; read when a Run is made
    rec_ctx = event.install_recorder("numba:compile")
    with rec_ctx as rec:
        t0 = time.perf_counter()
        if case == "loss_and_grads":
            host.loss_and_grads(relu_output, p, x, x, loss="mse")
        elif case == "evaluate":
            evaluate(relu_output, p, x, x, backend="numba")
        else:
            train(relu_output, p, x, x, steps=1, backend="numba", progress=False)
        wall = time.perf_counter() - t0
    starts, own = {}, 0.0
    for ts, ev in rec.buffer:
        key = id(ev.data["dispatcher"]), str(ev.data.get("args"))
        if ev.is_start:
            starts[key] = ts
        elif getattr(ev.data["dispatcher"], "__name__", "") in ENTRY_POINTS:
            own += ts - starts[key]
    print(json.dumps({"wall": wall, "compile": own}))


def child(case, dtype, cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", case, dtype],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    if res.returncode != 0:
        raise SystemExit(f"bench_compile: a worker failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1, help="cold compiles per case (the least is kept)")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:  # the case's name and its dtype
        return worker(*args.worker)
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    print(f"seconds, least of {args.rounds} cold process(es) per case ({time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} cores)")
    print("| call | dtype | compile (cold cache) | the call, cold | the call, cache warm |")
    print("|---|---|---|---|---|")
    for case, dtype in CASES:
        cold = []
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="minimem-numba-") as cache:
                cold.append(child(case, dtype, cache))
                warm = child(case, dtype, cache)
        best = min(cold, key=lambda r: r["wall"])
        print(f"| {case} | {dtype} | {best['compile']:.1f} | {best['wall']:.1f} | {warm['wall']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
