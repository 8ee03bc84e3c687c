"""Benchmark: one full-batch AdamW step of the ReLU output model, numpy path vs numba kernels.

Setting of the issue and of figure B2: n=1000 features, m=2 hidden, S=0.99, normalised inputs,
one model (I=1), float32 by default, all cores. For each data set size T it prints, measured side
by side in one run:

    numpy us/step     the readable reference (relu_output.loss_and_grads + optim.adamw_step)
    numba us/step     fused.py (train(..., backend="numba")), compile time excluded
    speed-up          numpy / numba
    GFLOP/s           dense-equivalent rate of the numba step: FLOPS(T) / time, where
                      FLOPS(T) = 10 T n m (five T x n x m products, forward and backward)
                                 + 8 T n (ReLU, residual, loss, gates)
    x limit           numba time / flop-bound limit, limit = FLOPS(T) / matmul peak
    torch us/step     the same step in PyTorch on the CPU (only when torch is importable)

The matmul peak is numpy's best float32 (or float64) GEMM rate on this machine, measured first.
Absolute times drift on shared machines: read the ratios.

Run: python scripts/bench_kernels.py [--sizes 10 100 1000 5000 20000] [--dtype float32] [--b2]
--b2 also times the whole Henighan double-descent sweep of figure B2 (13 sizes from 3 to 2000,
4 seeds, 50,000 steps) with the numba kernels.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from minimem import data, relu_output
from minimem.optim import adamw_init, adamw_step
from minimem.train import train

N, M, S = 1000, 2, 0.99


def matmul_peak(dtype, size=2048, repeats=5):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal((size, size)).astype(dtype)
    a @ b
    best = min(_timeit(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9  # GFLOP/s


def _timeit(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _per_step_us(step, budget):
    """Microseconds per call of ``step`` after one warm-up call, over at least ``budget`` seconds."""
    step()
    n, t0 = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - t0 < budget:
        step()
        n += 1
    return (time.perf_counter() - t0) / n * 1e6


def flops(T):
    return 10 * T * N * M + 8 * T * N


def numpy_step_us(params, x, budget):
    p = {k: v.copy() for k, v in params.items()}
    state = adamw_init(p)

    def step():
        _, g = relu_output.loss_and_grads(p, x, x)
        adamw_step(p, g, state, 1e-4)

    return _per_step_us(step, budget)


def numba_step_us(params, x, budget):
    train(relu_output, params, x, x, steps=20, schedule="constant", lr=1e-4, progress=False)  # compile
    steps = 50
    while True:  # grow the run until it lasts the budget; setup is amortised over the steps
        dt = _timeit(lambda: train(relu_output, params, x, x, steps=steps, schedule="constant", lr=1e-4,
                                   progress=False))
        if dt >= budget or steps >= 1_000_000:
            return dt / steps * 1e6
        steps = int(steps * min(max(1.5 * budget / dt, 2), 50))


def torch_step_us(params, x, budget):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    W = torch.tensor(params["W"][0], requires_grad=True)  # (m, n)
    b = torch.tensor(params["b_final"][0], requires_grad=True)  # (n,)
    xt = torch.tensor(x[0])  # (T, n)
    opt = torch.optim.AdamW([W, b], lr=1e-4)

    def step():
        opt.zero_grad()
        out = torch.relu(xt @ W.T @ W + b)
        loss = ((out - xt) ** 2).sum(-1).mean()
        loss.backward()
        opt.step()

    return _per_step_us(step, budget)


def b2_sweep(dtype, steps=50_000):
    sizes = np.unique(np.round(np.geomspace(3, 2000, 13)).astype(int))
    sets = [data.sparse_features(int(T), N, S, np.random.default_rng([seed, int(T)]), normalize=True,
                                 dtype=dtype)[0] for T in sizes for seed in range(4)]
    x, mask = data.stack_ragged(sets)
    params = relu_output.init_params(N, M, np.random.default_rng(0), n_instances=len(sets), dtype=dtype)
    t = time.perf_counter()
    res = train(relu_output, params, x, x, mask=mask, steps=steps, desc="B2 sweep")
    return time.perf_counter() - t, sizes, res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000, 20000])
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of timing per cell")
    ap.add_argument("--b2", action="store_true", help="also time the full B2 sweep (minutes)")
    args = ap.parse_args(argv)
    dtype = np.dtype(args.dtype).type
    import numba
    peak = matmul_peak(dtype)
    print(f"relu_output step, n={N}, m={M}, S={S}, {args.dtype}, {numba.get_num_threads()} threads; "
          f"matmul peak {peak:.0f} GFLOP/s")
    head = (f"{'T':>6} {'numpy us':>10} {'numba us':>10} {'speed-up':>9} {'GFLOP/s':>8} "
            f"{'limit us':>9} {'x limit':>8} {'torch us':>9}")
    print(head)
    for T in args.sizes:
        rng = np.random.default_rng(T)
        x = data.sparse_features(T, N, S, rng, normalize=True, dtype=dtype)  # (1, T, n)
        params = relu_output.init_params(N, M, rng, dtype=dtype)
        t_np = numpy_step_us(params, x, args.budget)
        t_nb = numba_step_us(params, x, args.budget)
        t_th = torch_step_us(params, x, args.budget)
        limit = flops(T) / (peak * 1e9) * 1e6
        th = f"{t_th:9.1f}" if t_th is not None else f"{'-':>9}"
        print(f"{T:>6} {t_np:10.1f} {t_nb:10.1f} {t_np / t_nb:8.1f}x {flops(T) / t_nb / 1e3:8.1f} "
              f"{limit:9.1f} {t_nb / limit:7.2f}x {th}", flush=True)
    if args.b2:
        wall, sizes, res = b2_sweep(dtype)
        print(f"B2 sweep: sizes {sizes.tolist()} x 4 seeds = {res.final_loss.shape[0]} models, "
              f"50,000 steps: {wall:.0f} s wall")


if __name__ == "__main__":
    main()
