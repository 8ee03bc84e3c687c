"""Benchmark: this checkout's kernels against another revision's, in alternating processes.

On a shared two-core machine one case's time moves by up to +-30% between runs (SPEED.md), so a
10-20% change in a kernel cannot be judged from two separate runs of bench_kernels.py. This script
times both versions in turn, A B A B ..., each in a fresh process, on the same data: each process
times ``--reps`` segments of five steps of every case (fused.host.Run.steps, set-up excluded) and
keeps the least; the table gives every round's times and the ratio of the medians.

Cases (n=1000, m=2, S=0.99, float32, one model): the tied ReLU output model serial at T=2000 and
on all threads at T=1000 and 5000, the MLP at T=1000 and 5000, the unembedding with cross-entropy
at T=500 and 2000; four copies of the ReLU output model spread over the threads at T=100 and 1000.

``--numpy`` times the readable numpy loop instead (train(backend="numpy"), 100 steps a call, the
least of ``--reps`` calls): the tied ReLU output model at T=20 and 200 and the MLP at T=20, n=1000,
m=2, float32, where the per-step overheads (checks, dispatch) show.

Run: python scripts/bench_ab.py REV [--rounds 3] [--reps 30] [--numpy]
REV is checked out once into a git worktree in /tmp (as bench_kernels.py --baseline does).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASES = [("relu_output", "mse", "serial", 2000), ("relu_output", "mse", "samples", 1000),
         ("relu_output", "mse", "samples", 5000), ("mlp", "mse", "samples", 1000), ("mlp", "mse", "samples", 5000),
         ("unembed", "ce", "auto", 500), ("unembed", "ce", "samples", 2000),
         ("relu_output", "mse", "instances", 100), ("relu_output", "mse", "instances", 1000)]
COPIES = 4  # instances of the 'instances' cases (copies of one model), spread over the threads
# AdamW's defaults as a revision before minimem.optim.AdamW takes them (its Run read a dict)
ADAMW_DICT = dict(kind="adamw", betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, momentum=0.0, decoupled=False,
                  no_decay=())


def label(case):
    model, loss, parallel, T = case
    copies = f" x{COPIES}" if parallel == "instances" else ""
    return f"{model} {loss} T={T}{copies} ({parallel})"


def worker(reps):
    """In a child process: the least time per step (us) of every case, as JSON."""
    from bench_kernels import _setup
    from minimem import MODELS
    from minimem.fused.host import Run
    try:
        from minimem.optim import AdamW
        opt = AdamW()
    except ImportError:  # a revision before it
        opt = ADAMW_DICT
    out = {}
    for case in CASES:
        model, loss, parallel, T = case
        x, labels, p = _setup(model, T)
        if parallel == "instances":
            x, labels = np.repeat(x, COPIES, 0), np.repeat(labels, COPIES, 0)
            p = {k: np.repeat(v, COPIES, 0) for k, v in p.items()}
        run = Run(MODELS[model], p, x, labels if loss == "ce" else x, loss=loss, importance=None, mask=None,
                  opt=opt, parallel=parallel)
        lrs = np.full(5, 1e-4)
        run.steps(0, 5, lrs)  # compile or load the cache, warm the caches
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            run.steps(0, 5, lrs)
            best = min(best, (time.perf_counter() - t) / 5)
        out[label(case)] = best * 1e6
    print(json.dumps(out))


NUMPY_CASES = [("relu_output", "mse", "numpy", 20), ("relu_output", "mse", "numpy", 200), ("mlp", "mse", "numpy", 20)]
NUMPY_STEPS = 100  # steps per timed train() call: its set-up is a small share of them


def numpy_worker(reps):
    """In a child process: the least time per step (us) of the numpy loop in every NUMPY_CASES case."""
    from bench_kernels import _setup
    from minimem.train import train
    out = {}
    for case in NUMPY_CASES:
        model, _, _, T = case
        x, _, p = _setup(model, T)
        train(model, p, x, x, steps=NUMPY_STEPS, backend="numpy", progress=False)  # warm the caches
        best = float("inf")
        for _ in range(reps):
            t = time.perf_counter()
            train(model, p, x, x, steps=NUMPY_STEPS, backend="numpy", progress=False)
            best = min(best, (time.perf_counter() - t) / NUMPY_STEPS)
        out[label(case)] = best * 1e6
    print(json.dumps(out))


def child(reps, tree=None, numpy_loop=False):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree or ROOT), str(ROOT / "scripts")])}
    res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", "--reps", str(reps)]
                         + (["--numpy"] if numpy_loop else []), capture_output=True, text=True, env=env,
                         cwd=tree or ROOT)
    if res.returncode != 0:
        raise SystemExit(f"bench_ab: a worker failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", nargs="?", help="the git revision to compare against")
    ap.add_argument("--rounds", type=int, default=3, help="A/B pairs of processes")
    ap.add_argument("--reps", type=int, default=30, help="five-step segments timed per case and process")
    ap.add_argument("--numpy", action="store_true", help="time the numpy loop (train(backend='numpy')) instead")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return numpy_worker(args.reps) if args.numpy else worker(args.reps)
    if not args.rev:
        ap.error("name the revision to compare against, e.g. python scripts/bench_ab.py HEAD~1")
    if args.rounds < 1 or args.reps < 1:
        ap.error("--rounds and --reps must be at least 1")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_kernels import baseline_worktree
    tree = baseline_worktree(args.rev)
    if not args.numpy:
        child(1)  # compile both (or load their caches) before timing
        child(1, tree)
    a, b = [], []
    for r in range(args.rounds):
        print(f"round {r + 1} of {args.rounds} ...", file=sys.stderr, flush=True)
        a.append(child(args.reps, numpy_loop=args.numpy))
        b.append(child(args.reps, tree, numpy_loop=args.numpy))
    what = f"{NUMPY_STEPS}-step numpy trainings" if args.numpy else "five-step segments"
    print(f"us per step, least of {args.reps} {what} per process, {args.rounds} alternating "
          f"process pairs ({time.strftime('%Y-%m-%d')}); A: this checkout, B: {args.rev}")
    print("| case | A (each round) | B (each round) | median A / median B |")
    print("|---|---|---|---|")
    for case in NUMPY_CASES if args.numpy else CASES:
        k = label(case)
        ta, tb = [x[k] for x in a], [x[k] for x in b]
        print(f"| {k} | {', '.join(f'{v:,.0f}' for v in ta)} | {', '.join(f'{v:,.0f}' for v in tb)} | "
              f"{np.median(ta) / np.median(tb):.2f} |")


if __name__ == "__main__":
    main()
