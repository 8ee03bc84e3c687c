"""Benchmark: the training of figure F1's sweep, at a reduced number of steps.

F1 trains the toy unembedding (n = V = 1000, m=2, S=0.99, unnormalised inputs, hard labels,
cross-entropy, float32) at 11 data set sizes T = 3 .. 2000, 4 seeds each, for 50,000 steps. The
time of a step does not depend on the step, so timing every size for ``--steps`` steps and scaling
by 50,000 / steps estimates the full sweep's training time (without its test evaluation). Run it
with two versions of minimem one after the other to compare kernels side by side, e.g.

    python scripts/bench_f1_sweep.py --steps 1000
    PYTHONPATH=/path/to/other/checkout python scripts/bench_f1_sweep.py --steps 1000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from minimem import data, unembed
from minimem.train import train

SIZES = [3, 10, 30, 100, 200, 300, 500, 700, 1000, 1500, 2000]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args(argv)
    total = 0.0
    for T in SIZES:
        x = np.stack([data.sparse_features(T, 1000, 0.99, np.random.default_rng([s, T]), dtype=np.float32)[0]
                      for s in range(4)])  # (4 seeds, T, n)
        labels = data.hard_labels(x)  # (4, T)
        p = unembed.init_params(1000, 2, np.random.default_rng(T), n_instances=4, dtype=np.float32)
        train(unembed, p, x, labels, steps=20, warmup=5, progress=False)  # compile or load the cache
        t = time.perf_counter()
        train(unembed, p, x, labels, steps=args.steps, warmup=args.steps // 20, progress=False)
        dt = time.perf_counter() - t
        total += dt
        print(f"T={T:5d}: {dt / args.steps * 1e6:8.0f} us/step (4 seeds)", flush=True)
    print(f"F1 sweep, {args.steps} steps: {total:.1f} s -> {total * 50_000 / args.steps / 60:.1f} min "
          f"at 50,000 steps")


if __name__ == "__main__":
    main()
