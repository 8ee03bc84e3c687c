"""Benchmark: one full-batch AdamW step of each model: numpy, the numba kernels, PyTorch and JAX.

Setting of the issue and of figures B2, M2 and F1: n=1000 features, m=2 hidden, S=0.99,
normalised inputs, one model (I=1), float32, all cores (2 here). Each backend runs in a process of
its own (in one process, torch's and numba's thread pools spin against each other on two cores
and numba's steps slow down by orders of magnitude; ``--mixed`` measures that), and they run one
after the other in one invocation, so the ratios are measured side by side:

    numpy us       the readable reference (<model>.loss_and_grads + optim.adamw_step)
    numba us       minimem.fused (train(..., backend="numba")), compile and set-up excluded
    torch us       the same step in PyTorch on the CPU (only when torch is importable), 2 threads
    nb/torch       numba time / torch time
    jax jit us     the same step as a jit-compiled JAX function (when jax is importable)
    jax scan us    50 steps inside one jit-compiled lax.scan, per step (JAX's fastest form)
    baseline us    the numba kernels of an earlier revision (--baseline REV, from a git worktree)
    floor us       the step's multiply-adds (3 T K m for the decoder's forward, dW2 and dh, plus the
                   sparse encoder's) over the machine's FMA rate, measured on numpy's float32
                   matrix product with the same threads
    numba / limit  for the cross-entropy rows: numba time / limit, where
                   limit = (the same-shape step with MSE instead of cross-entropy)
                           + (np.exp on a T x V float32 array) / threads,
                   the cost of the step if its T x V exps ran at numpy's SIMD speed
    ... strict     the same with the exps at the speed of the kernel's own float32 exp on a
                   cached row (faster than np.exp on this machine, so a tighter limit)

Models: relu_output (tied, T = 1000, 5000, 20000), mlp (T = 1000, 5000), unembed with
cross-entropy on hard labels argmax(x) (V = n = 1000, T = 500, 2000), and, for the limit, the
unembedding with MSE against x at the same sizes. Absolute times drift on shared machines: read
the ratios.

Every backend runs once per round, each time in a fresh process, the order of the backends rotated
from round to round; a cell is the least of its rounds (on a shared machine one process's time at
T=1000 moved by 1.4-2.2x between runs minutes apart, the peers' and the baseline's as much as ours).

Run: python scripts/bench_kernels.py [--budget 1.0] [--rounds 3] [--baseline REV] [--write] [--mixed]
--write rewrites the speed table in SPEED.md with this run's output.
--mixed  also times numba after torch in one process, under the threading settings that could
         help (OMP_WAIT_POLICY, NUMBA_THREADING_LAYER, torch.set_num_threads).
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
N, M, S = 1000, 2, 0.99
CASES = [("relu_output", "mse", T) for T in (100, 1000, 5000, 20000)] + \
        [("mlp", "mse", T) for T in (100, 1000, 5000)] + \
        [("unembed", "ce", T) for T in (100, 500, 2000)] + \
        [("unembed", "mse", T) for T in (100, 500, 2000)]
SCAN = 50  # steps inside one jax.lax.scan



def _lr(lr):
    """train()'s learning-rate argument, in this checkout (opt=AdamW(lr=...)) and in a --baseline
    revision from before minimem.optim.AdamW (lr=...)."""
    try:
        from minimem.optim import AdamW
    except ImportError:
        return dict(lr=lr)
    return dict(opt=AdamW(lr=lr))

def _setup(model, T, seed=0):
    """float32 data and params of one case: x (1, T, n), labels (1, T), params."""
    from minimem import data, mlp, relu_output, unembed
    rng = np.random.default_rng([seed, T])
    x = data.sparse_features(T, N, S, rng, normalize=True, dtype=np.float32)  # (1, T, n)
    labels = data.hard_labels(x)  # (1, T)
    init = {"relu_output": lambda: relu_output.init_params(N, M, rng, dtype=np.float32),
            "mlp": lambda: mlp.init_params(N, M, rng, dtype=np.float32),
            "unembed": lambda: unembed.init_params(N, M, rng, dtype=np.float32)}[model]
    return x, labels, init()


ROUNDS = 3  # each time is the least of this many rounds: shared machines add delays, never take them away


def _per_step_us(step, budget):
    """Microseconds per call of ``step`` after two warm-up calls: the least, over ROUNDS rounds of
    at least ``budget / ROUNDS`` s each, of the mean time per call."""
    step()
    step()
    best = float("inf")
    for _ in range(ROUNDS):
        n, t0 = 0, time.perf_counter()
        while n < 3 or time.perf_counter() - t0 < budget / ROUNDS:
            step()
            n += 1
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return best


def numpy_us(model, loss, T, budget):
    from minimem import MODELS
    from minimem.optim import adamw_init, adamw_step
    x, labels, p = _setup(model, T)
    target = labels if loss == "ce" else x
    state = adamw_init(p)
    mod = MODELS[model]

    def step():
        _, g = mod.loss_and_grads(p, x, target, loss=loss)
        adamw_step(p, g, state, 1e-4)

    return _per_step_us(step, budget)


def numba_us(model, loss, T, budget):
    """Microseconds per step of the kernels' training loop without the set-up of a training (the
    inputs to CSR, the final evaluation, paid once per run): the least, over segments of S steps
    run for ``budget`` s, of a segment's time per step, timed on the run object that
    ``train(backend="numba")`` builds (``fused.Run``, whose ``steps(s0, s1, lrs)`` every revision
    since the kernels' first has). Not the difference of two whole trainings of 2S and S steps,
    as before: a difference of two minima can come out low, and the least over rounds of
    processes picks such outliers (SPEED.md)."""
    import minimem.fused as fused
    from minimem import train as train_module
    x, labels, p = _setup(model, T)
    target = labels if loss == "ce" else x
    runs, built = [], fused.Run

    class Capture(built):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            runs.append(self)

    fused.Run = Capture  # train() looks it up when it runs (fused.Run, or from .fused import Run)
    try:
        train_module.train(model, p, x, target, loss=loss, steps=1, schedule="constant", **_lr(1e-4),
                           progress=False, backend="numba")  # compiles (or loads the cache)
    finally:
        fused.Run = built
    run = runs[0]
    S = 5
    lrs = np.full(S, 1e-4)
    run.steps(0, S, lrs)
    t = time.perf_counter()
    run.steps(0, S, lrs)
    S = max(5, int(0.05 / max((time.perf_counter() - t) / S, 1e-7)))  # segments of about 50 ms
    lrs = np.full(S, 1e-4)
    best, t_end = float("inf"), time.perf_counter() + budget
    n = 0
    while n < 5 or time.perf_counter() < t_end:
        t = time.perf_counter()
        run.steps(0, S, lrs)
        best = min(best, (time.perf_counter() - t) / S)
        n += 1
    return best * 1e6


def torch_us(model, loss, T, budget, threads=2):
    return _per_step_us(_torch_stepper(model, loss, T, threads), budget)


def _torch_stepper(model, loss, T, threads=2):
    """A function doing one AdamW step of the model in PyTorch (float32, dense inputs)."""
    import torch
    torch.set_num_threads(threads)
    x, labels, p = _setup(model, T)
    xt = torch.tensor(x[0])  # (T, n)
    yt = torch.tensor(labels[0])  # (T,)
    P = {k: torch.tensor(v[0], requires_grad=True) for k, v in p.items()}
    opt = torch.optim.AdamW(list(P.values()), lr=1e-4)

    def forward():
        if model == "relu_output":
            return torch.relu(xt @ P["W"].T @ P["W"] + P["b_final"])
        if model == "mlp":
            return torch.relu(xt @ P["W1"].T + P["b1"]) @ P["W2"].T + P["b2"]
        return (xt @ P["W1"].T) @ P["W2"].T + P["b2"]  # unembed logits

    def step():
        opt.zero_grad()
        out = forward()
        if loss == "ce":
            value = torch.nn.functional.cross_entropy(out, yt)
        else:
            value = ((out - xt) ** 2).sum(-1).mean()
        value.backward()
        opt.step()

    return step


def _jax_stepper(model, loss, T):
    """One AdamW step of the model in JAX (float32, dense inputs, as torch's), jit-compiled: returns
    (step(state) -> state, scan(state) -> state after SCAN steps, the initial state)."""
    import jax
    import jax.numpy as jnp
    x, labels, p = _setup(model, T)
    X, Y = jnp.asarray(x[0]), jnp.asarray(labels[0])

    def loss_fn(P):
        if model == "relu_output":
            out = jax.nn.relu(X @ P["W"][0].T @ P["W"][0] + P["b_final"][0])
        elif model == "mlp":
            out = jax.nn.relu(X @ P["W1"][0].T + P["b1"][0]) @ P["W2"][0].T + P["b2"][0]
        else:
            out = (X @ P["W1"][0].T) @ P["W2"][0].T + P["b2"][0]
        if loss == "ce":
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(out), Y[:, None], axis=1))
        return jnp.mean(jnp.sum((out - X) ** 2, -1))

    def step(state, _=None):
        P, m, v, t = state
        value, g = jax.value_and_grad(loss_fn)(P)
        t = t + 1.0
        out = {}
        for k in P:  # torch.optim.AdamW's update, lr 1e-4, weight decay 1e-2
            q = P[k] * (1 - 1e-4 * 1e-2)
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
            out[k] = q - 1e-4 * (m[k] / (1 - 0.9 ** t)) / (jnp.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
        return (out, m, v, t), value

    P = {k: jnp.asarray(a) for k, a in p.items()}
    state = (P, {k: jnp.zeros_like(a) for k, a in P.items()}, {k: jnp.zeros_like(a) for k, a in P.items()}, 0.0)
    jit_step = jax.jit(lambda st: step(st)[0])
    scan = jax.jit(lambda st: jax.lax.scan(step, st, None, length=SCAN)[0])
    return jit_step, scan, state


def jax_us(model, loss, T, budget):
    """(us per jit-compiled step, us per step of a lax.scan of SCAN steps), compile excluded."""
    import jax
    jit_step, scan, state = _jax_stepper(model, loss, T)
    out = []
    for fn, per in ((jit_step, 1), (scan, SCAN)):
        box = [jax.block_until_ready(fn(state))]

        def call():
            box[0] = jax.block_until_ready(fn(box[0]))
        out.append(_per_step_us(call, budget) / per)
    return out


def fma_rate(budget):
    """Multiply-adds per second of numpy's float32 matrix product on this machine's threads."""
    n = 1024
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    b = a.copy()
    return n ** 3 / (_per_step_us(lambda: a @ b, budget) * 1e-6)


def step_fmas(model, loss, T):
    """The multiply-adds of one step: 3 T K m in the decoder (z, dW2, dh), 2 m per input non-zero in
    the encoder (h, dW1), and AdamW's few per parameter; n = K = 1000, m = 2."""
    nnz = T * N * (1 - S)
    params = (N * M + N) if model == "relu_output" else (2 * N * M + N + M)
    return 3 * T * N * M + 2 * nnz * M + 6 * params


def exp_us(T, budget):
    """np.exp on a T x V float32 array (V = n), one thread: the softmax's exps at SIMD speed."""
    a = np.random.default_rng(T).standard_normal((T, N)).astype(np.float32) - 10
    out = np.empty_like(a)
    return _per_step_us(lambda: np.exp(a, out=out), budget)


def kernel_exp_ns(budget):
    """fused.kernel_exp (float32) per element, one thread, over rows of V = n held in cache, as
    the cross-entropy kernel calls it; and np.exp on the same row, for comparison."""
    from numba import njit

    from minimem import fused

    @njit(fastmath=fused.FASTMATH)
    def rows(x, out, reps):
        s = np.float32(0.0)
        for _ in range(reps):
            for i in range(x.shape[0]):
                e = fused.kernel_exp(x[i])
                out[i] = e
                s += e
        return s

    x = np.random.default_rng(0).uniform(-20, 0, N).astype(np.float32)
    out = np.empty_like(x)
    rows(x, out, 1)
    reps = 1000
    kern = _per_step_us(lambda: rows(x, out, reps), budget) / reps / N * 1e3
    nump = _per_step_us(lambda: np.exp(x, out=out), budget) / N * 1e3
    return kern, nump


def worker(backend, budget):
    """Run in a child process: time every case on one backend, print a JSON dict."""
    res = {}
    if backend == "exp":
        for T in sorted({T for _, loss, T in CASES if loss == "ce"}):
            res[str(T)] = exp_us(T, budget)
        res["kernel_exp ns"], res["np.exp row ns"] = kernel_exp_ns(budget)
    elif backend == "fma":
        res["rate"] = fma_rate(budget)
    else:
        fn = {"numpy": numpy_us, "numba": numba_us, "torch": torch_us, "jax": jax_us}[backend]
        for model, loss, T in CASES:
            res[f"{model} {loss} {T}"] = fn(model, loss, T, budget)
    print(json.dumps(res))


def mixed_worker(budget, torch_threads, T):
    """numba alone, then after torch has run in this same process."""
    import torch  # noqa: F401
    alone = numba_us("relu_output", "mse", T, budget)
    torch_us("relu_output", "mse", T, budget, threads=torch_threads)
    after = numba_us("relu_output", "mse", T, budget)
    # interleaved: short trainings of 10 steps (setup included) with and without a torch step
    # between them; only the numba part is timed
    from minimem.train import train
    x, _, p = _setup("relu_output", T)
    torch_step = _torch_stepper("relu_output", "mse", T, torch_threads)

    def short_runs(between):
        numba_time, n = 0.0, 0
        t_end = time.perf_counter() + budget
        while n < 5 or time.perf_counter() < t_end:
            between()
            t0 = time.perf_counter()
            train("relu_output", p, x, x, steps=10, schedule="constant", **_lr(1e-4), progress=False)
            numba_time += time.perf_counter() - t0
            n += 1
        return numba_time / (10 * n) * 1e6

    short = short_runs(lambda: None)
    interleaved = short_runs(torch_step)
    import numba
    print(json.dumps({"alone": alone, "after": after, "short": short, "interleaved": interleaved,
                      "layer": numba.threading_layer()}))


def _child(args, env=None, cwd=ROOT):
    cmd = [sys.executable, str(Path(__file__).resolve())] + args
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def have(package):
    try:
        import importlib.util
        return importlib.util.find_spec(package) is not None
    except ValueError:  # pragma: no cover
        return False


def baseline_worktree(rev):
    """A git worktree of revision ``rev`` (its kernels are the baseline), made once in /tmp and
    named by the commit's hash: a name such as HEAD or main moves, its old worktree would not."""
    res = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT,
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"no commit {rev!r} in this repository (git rev-parse found none)")
    path = Path("/tmp") / f"minimem-baseline-{res.stdout.strip()[:12]}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True,
                       capture_output=True)
    return path


def best(a, b, higher=False):
    """Two workers' dicts merged cell by cell, keeping the least (the greatest with ``higher``)."""
    if a is None:
        return b
    pick = max if higher else min
    return {k: ([pick(u, v) for u, v in zip(a[k], b[k])] if isinstance(a[k], list) else pick(a[k], b[k]))
            for k in a}


def timed_rounds(budget, baseline, rounds, log=sys.stderr):
    """Every worker once per round, each in a fresh process, the backends' order rotated from
    round to round, and each cell the least time over the rounds (the FMA rate the greatest): a
    process that a shared machine slowed down, or whose threads started badly placed, then costs
    its column nothing. Each round times a cell for ``budget / rounds`` s."""
    jobs = [("numpy", ["--worker", "numpy"], {}, ROOT), ("numba", ["--worker", "numba"], {}, ROOT)]
    jobs += [(b, ["--worker", b], {}, ROOT) for b in ("torch", "jax") if have(b)]
    if baseline:
        tree = baseline_worktree(baseline)
        jobs.append(("baseline", ["--worker", "numba"], {"PYTHONPATH": str(tree)}, tree))
    jobs += [("exp", ["--worker", "exp"], {}, ROOT), ("fma", ["--worker", "fma"], {}, ROOT)]
    t = {}
    for r in range(rounds):
        for i in range(len(jobs)):
            name, args, env, cwd = jobs[(i + r) % len(jobs)]
            print(f"round {r + 1}/{rounds}: {name}", file=log, flush=True)
            t[name] = best(t.get(name), _child(args + ["--budget", str(budget / rounds)], env, cwd),
                           higher=(name == "fma"))
    return t


def table(budget, baseline=None, rounds=3):
    import numba
    threads = numba.get_num_threads()
    t = timed_rounds(budget, baseline, rounds)
    ex, rate = t.pop("exp"), t.pop("fma")["rate"]
    lines = [f"one AdamW step, n={N}, m={M}, S={S}, float32, {threads} threads, each backend in its "
             f"own process, every cell the least of {rounds} rounds of processes ({time.strftime('%Y-%m-%d')}); "
             f"FMA rate {rate / 1e9:.1f} G/s"
             + (f"; baseline: the kernels of {baseline[:12]}" if baseline else ""), "",
             "| model | T | numpy us | numba us | baseline us | numba / baseline | torch us | jax jit us | "
             "jax scan us | numba / jax scan | floor us | numba / floor | numba / limit | numba / strict limit |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model, loss, T in CASES:
        key = f"{model} {loss} {T}"
        nb = t["numba"][key]
        th = t["torch"][key] if "torch" in t else None
        jj, js = t["jax"][key] if "jax" in t else (None, None)
        base = t["baseline"][key] if "baseline" in t else None
        floor = step_fmas(model, loss, T) / rate * 1e6
        lim = strict = ""
        if loss == "ce":
            limit = t["numba"][f"{model} mse {T}"] + ex[str(T)] / threads
            lim = f"{nb / limit:.2f} (limit {limit:,.0f} us)"
            limit = t["numba"][f"{model} mse {T}"] + T * N * ex["kernel_exp ns"] * 1e-3 / threads
            strict = f"{nb / limit:.2f} (limit {limit:,.0f} us)"
        name = {"relu_output": "ReLU output (tied)", "mlp": "MLP auto-encoder",
                "unembed": "unembedding"}[model] + (", cross-entropy" if loss == "ce" else ", MSE")
        fmt = lambda v, f="{:,.0f}": "-" if v is None else f.format(v)  # noqa: E731
        lines.append(f"| {name} | {T} | {t['numpy'][key]:,.0f} | {nb:,.0f} | {fmt(base)} | "
                     f"{fmt(base and nb / base, '{:.2f}')} | {fmt(th)} | {fmt(jj)} | {fmt(js)} | "
                     f"{fmt(js and nb / js, '{:.2f}')} | {floor:,.0f} | {nb / floor:.1f} | {lim} | {strict} |")
    lines.append("")
    lines.append("np.exp on a T x 1000 float32 array, one thread: "
                 + ", ".join(f"T={T}: {ex[str(T)]:,.0f} us ({ex[str(T)] / T:.2f} ns per element)"
                             for T in sorted({T for _, loss, T in CASES if loss == "ce"})) + "; "
                 f"on one cached row of 1000: np.exp {ex['np.exp row ns']:.2f} ns, the kernel's "
                 f"float32 exp {ex['kernel_exp ns']:.2f} ns per element")
    return "\n".join(lines)


def mixed(budget):
    settings = [("defaults", {}, 2),
                ("OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}, 2),
                ("NUMBA_THREADING_LAYER=workqueue", {"NUMBA_THREADING_LAYER": "workqueue"}, 2),
                ("torch.set_num_threads(1)", {}, 1)]
    lines = ["ReLU output model, numba us per step in one process with torch: long runs alone and after "
             "torch has trained; short runs (train() of 10 steps, setup included) alone and each after a "
             "torch step; slow-down = the worse of the two ratios:",
             "| setting | T | numba layer | long runs: alone | after torch | short runs: alone | "
             "interleaved | slow-down |",
             "|---|---|---|---|---|---|---|---|"]
    for name, env, th in settings:
        for T in (100, 1000):
            try:
                r = _child(["--mixed-worker", "--budget", str(budget), "--torch-threads", str(th),
                            "--T", str(T)], env)
            except RuntimeError as e:
                lines.append(f"| {name} | {T} | failed: {str(e).splitlines()[-1][:60]} | | | | | |")
                continue
            worst = max(r["after"] / r["alone"], r["interleaved"] / r["short"])
            lines.append(f"| {name} | {T} | {r['layer']} | {r['alone']:,.0f} | {r['after']:,.0f} | "
                         f"{r['short']:,.0f} | {r['interleaved']:,.0f} | {worst:.1f}x |")
    return "\n".join(lines)


def update_speed_md(text):
    path = ROOT / "SPEED.md"
    doc = path.read_text()
    start, end = "<!-- bench_kernels: start -->", "<!-- bench_kernels: end -->"
    if start not in doc or end not in doc:
        raise SystemExit(f"SPEED.md has no {start} ... {end} block to update")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(head + start + "\n" + text + "\n" + end + tail)
    print(f"updated {path}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of timing per cell, over all rounds")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of processes: every backend once per round, each cell the least over them")
    ap.add_argument("--write", action="store_true", help="rewrite the speed table in SPEED.md")
    ap.add_argument("--mixed", action="store_true", help="also time numba after torch in one process")
    ap.add_argument("--baseline", metavar="REV", help="also time the numba kernels of git revision REV (a worktree)")
    ap.add_argument("--worker", choices=["numpy", "numba", "torch", "jax", "exp", "fma"], help=argparse.SUPPRESS)
    ap.add_argument("--mixed-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--torch-threads", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--T", type=int, default=1000, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.budget)
    if args.mixed_worker:
        return mixed_worker(args.budget, args.torch_threads, args.T)
    if args.rounds < 1:
        ap.error(f"--rounds must be at least 1, got {args.rounds}")
    if not args.budget > 0:
        ap.error(f"--budget must be positive, got {args.budget}")
    text = table(args.budget, args.baseline, args.rounds)
    if args.mixed and have("torch"):
        text += "\n\n" + mixed(args.budget)
    print(text)
    if args.write:
        update_speed_md(text)


if __name__ == "__main__":
    main()
