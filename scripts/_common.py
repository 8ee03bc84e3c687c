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

from minimem import data  # noqa: E402
from minimem.cache import cached  # noqa: E402
from minimem.train import evaluate, train  # noqa: E402


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


def seed_sets(cfg, T, seeds, dtype, stream):
    """One sparse_set per seed in range(seeds), stacked: (seeds, T, n); uses cfg's n, sparsity and
    normalize. stream 0 train, 1 test (fresh draws)."""
    return np.stack([sparse_set(T, cfg["n"], cfg["sparsity"], s, cfg["normalize"], dtype, stream)
                     for s in range(seeds)])


def dd_sweep(name, cfg, model, init_params, make_target, fresh=False, evaluate_extra=None, model_options=None):
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
            x = seed_sets(cfg, T, cfg["seeds"], dtype, 0)  # (seeds, T, n)
            params = init_params(np.random.default_rng([cfg.get("init_seed", 0), T]), cfg["seeds"])
            res = train(model, params, x, make_target(x), steps=cfg["steps"], warmup=cfg["warmup"],
                        lr=cfg["lr"], weight_decay=cfg["weight_decay"], loss=cfg.get("loss"),
                        desc=f"{name} T={T}", **(model_options or {}))
            xt = seed_sets(cfg, cfg["n_test"], cfg["seeds"], dtype, 1)  # fresh draws
            tt = make_target(xt)
            test = evaluate(model, res.params, xt, tt, loss=cfg.get("loss"), **(model_options or {}))
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


def peak(sizes, test_loss):
    """Where the mean test loss peaks (T) and its height, and each seed's peak (T, height)."""
    mean = test_loss.mean(axis=1)
    i = int(np.argmax(mean))
    per_seed = [(int(sizes[j]), round(float(test_loss[j, s]), 4)) for s in range(test_loss.shape[1])
                for j in [int(np.argmax(test_loss[:, s]))]]
    return int(sizes[i]), float(mean[i]), per_seed


SHOW = [30, 100, 300, 500, 1000, 2000]


def plot_sweep(cfg, res, name, quick, what, loss_ref=None, param="param_W1", loss_label="CE"):
    """Double-descent sweep figure: loss and accuracy vs T (mean and min-max band over seeds), and
    below, the columns of ``param`` (seed 0) in the 2-D hidden space at several T."""
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    acc_min = int(np.argmin(res["test_acc"].mean(axis=1)))
    print(f"test-loss peak (mean over seeds): T={T_peak}, {loss_label} {height:.3f}; per seed: {per_seed}")
    print(f"test accuracy minimum: T={sizes[acc_min]}, {res['test_acc'][acc_min].mean():.3f}; "
          f"test accuracy per T: {dict(zip(sizes.tolist(), np.round(res['test_acc'].mean(1), 3).tolist()))}")
    pyplot = plt()
    show = [T for T in (SHOW if not quick else sizes) if T in sizes]
    fig = pyplot.figure(figsize=(2.3 * max(len(show), 4), 6.4))
    gs = fig.add_gridspec(2, 2 * len(show))
    half = len(show)
    ax = fig.add_subplot(gs[0, :half])
    for key, label, c in [("train_loss", "train", "tab:blue"), ("test_loss", "test", "tab:red")]:
        v = res[key]
        ax.loglog(sizes, v.mean(1), "o-", ms=3, c=c, label=f"{label} {loss_label} (mean of {v.shape[1]} seeds)")
        ax.fill_between(sizes, v.min(1), v.max(1), color=c, alpha=0.2, lw=0)
    ref, ref_label = loss_ref or (np.log(cfg["n"]), "uniform logits, log V")
    ax.axhline(ref, c="gray", ls="--", lw=0.8, label=ref_label)
    ax.axvline(T_peak, c="tab:red", ls=":", lw=0.8)
    ax.set(xlabel="data set size T", ylabel=loss_label, title=f"{what}: loss")
    ax.legend(fontsize=7)
    ax = fig.add_subplot(gs[0, half:])
    for key, label, c in [("train_acc", "train", "tab:blue"), ("test_acc", "test", "tab:red")]:
        v = res[key]
        ax.semilogx(sizes, v.mean(1), "o-", ms=3, c=c, label=f"{label} accuracy")
        ax.fill_between(sizes, v.min(1), v.max(1), color=c, alpha=0.2, lw=0)
    ax.axhline(1 / cfg["n"], c="gray", ls="--", lw=0.8, label="chance, 1/V")
    ax.set(xlabel="data set size T", ylabel="accuracy", title=f"{what}: accuracy", ylim=(-0.02, 1.02))
    ax.legend(fontsize=7)
    sizes_l = sizes.tolist()
    for j, T in enumerate(show):
        ax = fig.add_subplot(gs[1, 2 * j:2 * j + 2])
        W1 = res[param][sizes_l.index(T), 0]  # (m, n), seed 0
        ax.scatter(W1[0], W1[1], s=2, c="tab:blue")
        lim = 1.05 * np.abs(W1).max()
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[],
               title=f"{param[6:]} columns, T={T}")
    fig.suptitle(f"{what}: {cfg['model']}, n={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, "
                 f"{cfg.get('labels', cfg['loss'])} {'labels' if 'labels' in cfg else 'loss'}, {cfg['init']} init, "
                 f"{cfg['steps']} steps")
    fig.tight_layout()
    save(fig, name, quick)


def dimensionality_strips(cfg, res, vectors, title, name, quick, with_max=True):
    """B4 / M4: for every T and seed, the fractional dimensionality of the data points (rows of H),
    optionally their maximal data dimensionality D*, and that of the features (columns of W), one dot
    each (jittered in T), with the m/T guide. ``vectors(i, s, x)`` returns (H (T, m), W (m, n)) for
    size index i, seed s and training data x (T, n)."""
    from minimem import metrics
    sizes = np.array(cfg["sizes"])
    rng = np.random.default_rng(0)  # jitter only
    rows = [("data points: D_t", "tab:red", metrics.fractional_dimensionality, True)]
    if with_max:
        rows.append(("data points: D*_t (max. data dim.)", "tab:purple", metrics.max_data_dimensionality, True))
    rows.append(("features: D_i", "tab:blue", None, False))
    pyplot = plt()
    fig, axes = pyplot.subplots(len(rows), 1, figsize=(6.5, 2.7 * len(rows)), sharex=True)
    for i, T in enumerate(sizes):
        for s in range(cfg["seeds"]):
            x = sparse_set(int(T), cfg["n"], cfg["sparsity"], s, cfg["normalize"], np.float32, 0).astype(np.float64)
            H, W = vectors(i, s, x)
            for ax, (_, c, fn, on_data) in zip(axes, rows):
                D = fn(H) if on_data else metrics.feature_dimensionality(W)
                ax.scatter(T * np.exp(rng.uniform(-0.08, 0.08, len(D))), D, s=1, c=c, alpha=0.3)
    guide = np.geomspace(sizes[0], sizes[-1], 100)
    for ax, (label, _, _, on_data) in zip(axes, rows):
        ax.set_ylabel(label)
        if on_data:
            ax.plot(guide, np.minimum(cfg["m"] / guide, 1), "k--", lw=0.8, label="m / T")
            ax.legend(fontsize=7, loc="upper right")
    axes[0].set(xscale="log", title=f"{title}; n={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, {cfg['steps']} steps, "
                f"{cfg['seeds']} seeds")
    axes[-1].set_xlabel("data set size T")
    save(fig, name, quick)
