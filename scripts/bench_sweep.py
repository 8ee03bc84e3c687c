"""Benchmark: the training of figure B2's and F1's full sweeps, estimated from short runs.

B2 trains the tied ReLU output model (n=1000, m=2, S=0.99, normalised inputs, MSE) and F1 the toy
unembedding (n = V = 1000, unnormalised inputs, hard labels, cross-entropy) at every size of their
full sweeps, 4 seeds at once, for 50,000 steps, in float32. A step's time does not depend on the
step, so each size is trained for s and for 2s steps: (t(2s) - t(s)) / s is its time per step and
t(s) - s x that its set-up (data to CSR, the final evaluation); the sweep's training is estimated as
the sum over sizes of set-up + 50,000 x the time per step (the test evaluation and the data draws
of the figure are not counted). The sizes and settings are read from minimem.experiments.config of
this checkout, so both kernels time the same sweep:

    numba s        this checkout's kernels: the estimated full sweep, seconds
    baseline s     the kernels of an earlier revision (--baseline REV, from a git worktree), the
                   same sweep in a process of its own, after this checkout's
    ratio          numba / baseline

Run: python scripts/bench_sweep.py [--figures B2 F1] [--steps 500] [--baseline REV]
Absolute times drift on shared machines: read the ratio, measured side by side in one run.
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
EXPERIMENTS = {"B2": "bottleneck_dd", "F1": "unembed_dd"}


def sweep_of(figure):
    """The settings of a figure's full sweep (from this checkout), as the worker takes them."""
    from minimem.experiments import config
    cfg = config(EXPERIMENTS[figure], "full")
    return {k: cfg[k] for k in ("model", "n", "m", "sparsity", "sizes", "seeds", "steps", "lr", "weight_decay",
                                "normalize", "loss", "init")}


def time_sweep(cfg, steps):
    """{T: (set-up s, s per step)} of one sweep, with the minimem found on sys.path."""
    from minimem import data, relu_output, unembed
    from minimem.optim import AdamW
    from minimem.train import train
    model = {"relu_output": relu_output, "unembed": unembed}[cfg["model"]]
    out = {}
    for T in cfg["sizes"]:
        rng = np.random.default_rng(T)
        x = data.sparse_features(T, cfg["n"], cfg["sparsity"], rng, n_instances=cfg["seeds"],
                                 normalize=cfg["normalize"], dtype=np.float32)  # (seeds, T, n)
        target = data.hard_labels(x) if cfg["loss"] == "ce" else x
        p = model.init_params(cfg["n"], cfg["m"], rng, n_instances=cfg["seeds"], init=cfg["init"], dtype=np.float32)

        def run(s):
            t = time.perf_counter()
            train(model, p, x, target, steps=s, warmup=s // 20, opt=AdamW(lr=cfg["lr"], weight_decay=cfg["weight_decay"]),
                  progress=False)
            return time.perf_counter() - t

        run(20)  # compile or load the cache
        once = min(run(steps) for _ in range(2))
        twice = min(run(2 * steps) for _ in range(2))
        per_step = max(twice - once, 0.0) / steps
        out[T] = (max(once - steps * per_step, 0.0), per_step)
        print(f"  T={T}: {per_step * 1e6:,.0f} us per step, set-up {out[T][0]:.2f} s", file=sys.stderr, flush=True)
    return out


def estimate(timed, full_steps):
    return sum(setup + full_steps * per_step for setup, per_step in timed.values())


def worker(cfg, steps):
    print(json.dumps({str(T): v for T, v in time_sweep(cfg, steps).items()}))


def child(cfg, steps, tree=None):
    """time_sweep in a process of its own, with the minimem of ``tree`` (default: this checkout)."""
    env = None
    if tree is not None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
    res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(cfg),
                          "--steps", str(steps)], capture_output=True, text=True, env=env, cwd=tree or ROOT)
    if res.returncode != 0:
        raise SystemExit(f"bench_sweep: the worker failed:\n{res.stderr[-2000:]}")
    return {int(T): tuple(v) for T, v in json.loads(res.stdout.strip().splitlines()[-1]).items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures", nargs="+", default=list(EXPERIMENTS), choices=list(EXPERIMENTS))
    ap.add_argument("--steps", type=int, default=500, help="steps of the shorter of the two timed runs per size")
    ap.add_argument("--baseline", metavar="REV", help="also time the kernels of git revision REV (a worktree)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.steps < 10:
        ap.error("--steps must be at least 10")
    if args.worker:
        return worker(json.loads(args.worker), args.steps)
    tree = None
    if args.baseline:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_kernels import baseline_worktree
        tree = baseline_worktree(args.baseline)
    print(f"full sweeps' training estimated from runs of {args.steps} and {2 * args.steps} steps per size "
          f"({time.strftime('%Y-%m-%d')})" + (f"; baseline: the kernels of {args.baseline[:12]}" if tree else ""))
    print("| figure | sizes x seeds | numba s | baseline s | numba / baseline |")
    print("|---|---|---|---|---|")
    for fig in args.figures:
        cfg = sweep_of(fig)
        print(f"{fig}: timing this checkout's kernels ...", file=sys.stderr, flush=True)
        now = estimate(child(cfg, args.steps), cfg["steps"])
        base = None
        if tree is not None:
            print(f"{fig}: timing the baseline's kernels ...", file=sys.stderr, flush=True)
            base = estimate(child(cfg, args.steps, tree), cfg["steps"])
        print(f"| {fig} | {len(cfg['sizes'])} x {cfg['seeds']} | {now:,.0f} | "
              + (f"{base:,.0f} | {now / base:.2f} |" if base else "- | - |"), flush=True)


if __name__ == "__main__":
    main()
