"""Benchmark: the cost model behind every estimate (minimem.costs), fitted to the kernels' steps.

An estimate counts a training's work per step and instance as

    thread-seconds = T * (c0 + c_h * m + c_in * nnz * m + c_out * (K + 1) * m + c_exp * K [cross-entropy]) + c_p * params

(nnz the non-zero inputs of a sample, params the parameters the optimiser updates), with one set of
constants per kernel path (the m = 2 tile, the general per-sample passes) and dtype, in units of
the reference job's sample (costs.REFERENCE: B2's bottleneck, n = K = 1000, m = 2, 10 non-zeros,
float32), so that load on the machine, which slows every job alike, cancels. This script times
the kernels (fused.Run.steps, after steps that load them) on a grid of shapes, fits the
constants by least squares on relative errors, prints them as costs.SAMPLE_COSTS and the fit's
worst ratio, and prints the reference's seconds per sample (costs.REFERENCE_SECONDS on two idle
cores). Compiles the kernels on first use (float32 and float64).

Run: python scripts/bench_costs.py [--quick]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minimem import costs  # noqa: E402
from minimem.optim import AdamW  # noqa: E402
from minimem.registry import MODELS  # noqa: E402
from minimem.train import fused  # noqa: E402



def thread_seconds(job, min_seconds=0.3):
    """Measured thread-seconds per step and instance of ``job`` (its steps ignored): wall time x
    threads / instances, over enough steps to take ``min_seconds``."""
    mod, rng, dtype = MODELS[job.model], np.random.default_rng(0), np.dtype(job.dtype).type
    x = np.zeros((job.I, job.T, job.n), dtype)
    nnz = max(1, int(round(job.density * job.n)))
    idx = np.argsort(rng.uniform(size=(job.I, job.T, job.n)), axis=-1)[..., :nnz]
    np.put_along_axis(x, idx, rng.uniform(0.1, 1, size=idx.shape).astype(dtype), axis=-1)
    extra = {"n_out": job.K} if job.model == "mlp" else {}
    params = mod.init_params(job.n, job.m, rng, n_instances=job.I, dtype=dtype, **extra)
    if job.loss == "ce":
        target = x.argmax(-1) % job.K
    else:
        target = x if job.K == job.n else rng.uniform(size=(job.I, job.T, job.K)).astype(dtype)
    run = fused.Run(mod, params, x, target, loss=job.loss, importance=None, mask=None, opt=AdamW(), announce=False)
    lrs = np.full(1_000_000, 1e-4)
    run.steps(0, 5, lrs[:5])
    s = 5
    while True:
        t0 = time.perf_counter()
        run.steps(0, s, lrs[:s])
        dt = time.perf_counter() - t0
        if dt >= min_seconds:
            return dt * costs.threads() / job.I / s, run.parallel
        s *= 3


def grid(quick):
    """The shapes the constants are fitted on: per dtype and path, inputs and outputs from 20 to
    1,000, 1 to 10 non-zeros, MSE and cross-entropy, T from 5 to 2,000 (at T = 5 the optimiser's share), hidden layers of 2 to 100."""
    J = costs.Job
    out = []
    for dtype in ("float32", "float64"):
        for m in (2, 5) if quick else (2, 5, 20):
            shapes = [(1000, 10, 2000), (1000, 10, 200), (1000, 10, 5), (100, 10, 2000), (20, 10, 2000), (20, 1, 2000)]
            for n, nnz, T in shapes[:4] if quick else shapes:
                out.append(J("relu_output", "mse", 4, T, n, n, m, 0, nnz / n, dtype))
            out.append(J("relu_hidden", "mse", 4, 2000, 20, 20, m, 0, 0.5, dtype))
            out.append(J("unembed", "ce", 4, 500, 1000, 1000, m, 0, 0.01, dtype))
            out.append(J("unembed", "ce", 4, 500, 100, 100, m, 0, 0.01, dtype))
            out.append(J("mlp", "mse", 4, 1000, 100, 100, m, 0, 0.01, dtype))
            out.append(J("mlp", "mse", 4, 5, 1000, 1000, m, 0, 0.01, dtype))
        for n, m in (() if quick else ((100, 50), (100, 100), (1000, 100))):  # wide hidden layers, one-hot inputs
            out.append(J("mlp", "mse", 2, min(n, 300), n, n, m, 0, 1 / n, dtype))
    return out


def fit(jobs, measured):
    """Least squares on relative errors of the six constants: (c0, c_h, c_in, c_out, c_exp, c_p)."""
    A = np.array([costs.features(j) for j in jobs])
    y = np.asarray(measured)
    coef, *_ = np.linalg.lstsq(A / y[:, None], np.ones(len(y)), rcond=None)
    return np.maximum(coef, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer shapes")
    args = ap.parse_args()
    ref = costs.REFERENCE
    ref_t, _ = thread_seconds(ref, 1.0)
    ref_sample = ref_t / ref.T
    print(f"reference {ref}: {ref_sample * 1e9:.1f} ns per sample (thread-seconds), "
          f"{costs.threads()} threads", flush=True)
    jobs = grid(args.quick)
    measured = {}
    for j in jobs:
        t, parallel = thread_seconds(j)
        measured[j] = t / ref_sample  # in reference samples
        print(f"  {j.dtype} {j.model:12s} {j.loss:3s} T={j.T:5d} n={j.n:5d} K={j.K:5d} m={j.m:2d} "
              f"nnz={j.density * j.n:4.0f}: {t * 1e6:9.1f} us per step and instance ({parallel})", flush=True)
    table, worst = {}, 1.0
    for key in sorted({costs.path_of(j) for j in jobs}):
        js = [j for j in jobs if costs.path_of(j) == key]
        coef = fit(js, [measured[j] for j in js])
        table[key] = tuple(float(f"{c:.3g}") for c in coef)
        for j in js:
            pred = float(np.dot(costs.features(j), coef))
            worst = max(worst, pred / measured[j], measured[j] / pred)
    print("SAMPLE_COSTS = {")
    for key, coef in table.items():
        print(f"    {key!r}: {coef},")
    print("}")
    print(f"worst ratio of the fit over the grid: {worst:.2f}")
    print(f"REFERENCE_SECONDS = {ref_sample:.3g}  (seconds per reference sample, thread-seconds)")


if __name__ == "__main__":
    main()
