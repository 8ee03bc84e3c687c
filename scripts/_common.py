"""What every figure script shares: paths, the --quick/--fresh flags, saving figures, and the
double-descent sweep (one cached, resumable run per data set size, all seeds trained at once)."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# MINIMEM_OUT moves results/ and figures/ (the tests use a temporary folder); MINIMEM_SMOKE=1
# shrinks every configuration to a few steps on tiny data, so the tests run each script's code path
OUT = pathlib.Path(os.environ.get("MINIMEM_OUT", ROOT))
SMOKE = os.environ.get("MINIMEM_SMOKE") == "1"
SMOKE_SETTINGS = dict(steps=20, warmup=2, sizes=[3, 8], seeds=2, n_test=64, T=64, features=[5, 10], hidden=[2, 3])

from minimem import data, fused  # noqa: E402
from minimem.cache import cached  # noqa: E402
from minimem.train import train  # noqa: E402


def parser(doc):
    """argparse with the flags every figure script takes."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    ap.add_argument("--quick", action="store_true",
                    help="a reduced run (about a minute) written to figures/quick/")
    ap.add_argument("--fresh", action="store_true", help="retrain even when results/ holds this configuration")
    return ap


def plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    pyplot.rcParams.update({"figure.dpi": 110, "savefig.dpi": 130, "font.size": 9, "axes.titlesize": 9})
    return pyplot


def save(fig, name, quick):
    """figures/<name>.png (full fidelity, committed) or figures/quick/<name>.png (--quick)."""
    out = OUT / "figures" / ("quick" if quick else "") / f"{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    print(f"wrote {out.relative_to(OUT)}")
    return out


def print_config(cfg):
    print("config: " + ", ".join(f"{k}={v}" for k, v in cfg.items()), flush=True)


def shrink(cfg):
    """Under MINIMEM_SMOKE=1, the configuration with tiny sizes and a few steps; else unchanged."""
    if not SMOKE:
        return cfg
    return dict(cfg, **{k: v for k, v in SMOKE_SETTINGS.items() if k in cfg}, smoke=True)


def cache(name, cfg, run, fresh=False, same=()):
    """minimem.cache.cached under OUT/results."""
    return cached(name, cfg, run, fresh=fresh, results_dir=OUT / "results", same=same)


def sizes_grid(lo, hi, count):
    """Data set sizes, geometric from lo to hi, rounded and unique."""
    return [int(v) for v in np.unique(np.round(np.geomspace(lo, hi, count)).astype(int))]


def sparse_set(T, n, sparsity, seed, normalize, dtype, stream):
    """Data set of size T for ``seed``: fixed per (seed, T, stream); stream 0 train, 1 test."""
    return data.sparse_features(T, n, sparsity, np.random.default_rng([seed, T, stream]), normalize=normalize,
                                dtype=dtype)[0]


def dd_sweep(name, cfg, model, init_params, make_target, fresh=False, evaluate_extra=None):
    """Train ``model`` at every data set size in cfg['sizes'] for every seed in range(cfg['seeds']).

    One cached result per size (all seeds of that size trained in one call, in parallel), so an
    interrupted sweep keeps every finished size and resumes. Returns a dict of arrays stacked over
    sizes: train_loss, test_loss (S, seeds), the final params (S, seeds, ...), and whatever
    ``evaluate_extra(params, x_test, target_test)`` returns (S, seeds, ...).

    cfg keys: sizes, seeds, n, m, sparsity, normalize, steps, warmup, lr, weight_decay, n_test,
    dtype (+ anything that changes the run: all of cfg is the cache key)."""
    dtype = np.dtype(cfg["dtype"]).type
    out = {}
    t0 = time.perf_counter()
    for i, T in enumerate(cfg["sizes"]):
        key = dict(cfg, sizes=None, T=T)

        def run(T=T):
            xs = [sparse_set(T, cfg["n"], cfg["sparsity"], s, cfg["normalize"], dtype, 0) for s in range(cfg["seeds"])]
            x = np.stack(xs)  # (seeds, T, n)
            params = init_params(np.random.default_rng([cfg.get("init_seed", 0), T]), cfg["seeds"])
            res = train(model, params, x, make_target(x), steps=cfg["steps"], warmup=cfg["warmup"],
                        lr=cfg["lr"], weight_decay=cfg["weight_decay"], desc=f"{name} T={T}")
            xt = np.stack([sparse_set(cfg["n_test"], cfg["n"], cfg["sparsity"], s, cfg["normalize"], dtype, 1)
                           for s in range(cfg["seeds"])])  # fresh draws
            tt = make_target(xt)
            test = fused.evaluate(model, res.params, xt, tt, loss=cfg.get("loss"))
            r = {"train_loss": res.final_loss, "test_loss": test,
                 "curve": res.losses[:: max(1, cfg["steps"] // 500)].T}  # (seeds, ~500)
            r.update({f"param_{k}": v for k, v in res.params.items()})
            if evaluate_extra is not None:
                r.update(evaluate_extra(res.params, x, xt, tt))
            return r

        r = cache(name, key, run, fresh=fresh, same=("T",))
        for k, v in r.items():
            out.setdefault(k, []).append(v)
        print(f"  [{i + 1}/{len(cfg['sizes'])}] T={T}: train {np.mean(r['train_loss']):.3e}  "
              f"test {np.mean(r['test_loss']):.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    return {k: np.stack(v) for k, v in out.items()}
