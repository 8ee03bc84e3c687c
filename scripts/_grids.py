"""Grids of small runs (one cached result per cell, so an interrupted grid resumes):

    onehot_grid   MLP on the n one-hot vectors (data set size = n), MSE (A2) or cross-entropy (A9),
                  over hidden size x data set size; A3 reads its activations
    sparse_grid   the MLP auto-encoder of M2 over hidden size x data set size (M7)
"""

from __future__ import annotations

import numpy as np

from _common import cache, print_config, seed_sets, shrink, sparse_set
from minimem import data, mlp
from minimem.metrics import argmax_accuracy
from minimem.train import evaluate, train


def onehot_grid(loss, quick=False, fresh=False):
    """loss 'mse' (auto-encode e_i) or 'ce' (class i for e_i). 2 seeds per cell, Henighan schedule
    (lr 1e-3, warm-up 500, cosine to 0 over 10,000 steps), weight decay 1e-2, PyTorch init, float32."""
    cfg = dict(model="mlp", data="one-hot", loss=loss, sizes=[10, 30, 100, 300, 1000],
               hidden=[2, 5, 10, 20, 50, 100], seeds=2, steps=10_000, warmup=500, lr=1e-3,
               weight_decay=1e-2, dtype="float32")
    if quick:
        cfg.update(sizes=cfg["sizes"][:3], hidden=cfg["hidden"][:4], steps=2_000, warmup=100)
    cfg = shrink(cfg)
    print_config(cfg)
    out = {}
    for n in cfg["sizes"]:
        for m in cfg["hidden"]:
            def run(n=n, m=m):
                x = np.broadcast_to(data.one_hot(n, np.float32), (cfg["seeds"], n, n)).copy()
                target = x if loss == "mse" else np.broadcast_to(np.arange(n), (cfg["seeds"], n)).copy()
                p = mlp.init_params(n, m, np.random.default_rng([n, m]), n_instances=cfg["seeds"], dtype=np.float32)
                res = train(mlp, p, x, target, loss=loss, steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                            weight_decay=cfg["weight_decay"], desc=f"one-hot {loss} n={n} m={m}")
                acc = argmax_accuracy(mlp.forward(res.params, x)[0], np.broadcast_to(np.arange(n), (cfg["seeds"], n)))
                return {"loss": res.final_loss, "acc": acc, **{f"param_{k}": v for k, v in res.params.items()}}

            out[(n, m)] = cache(f"onehot_grid_{loss}", dict(cfg, n=n, m=m), run, fresh=fresh, same=("n", "m"))
    return cfg, out


def sparse_grid(quick=False, fresh=False):
    """The M2 auto-encoder (n=1000, S=0.99, normalised, MSE) over hidden size x data set size; 2 seeds,
    Henighan schedule over 50,000 steps (quick: 5,000), test loss and accuracy on 5,000 fresh samples."""
    cfg = dict(model="mlp", n=1000, sparsity=0.99, normalize=True, loss="mse",
               sizes=[10, 30, 100, 300, 1000, 3000], hidden=[1, 2, 4, 8, 16], seeds=2,
               steps=50_000, warmup=2_500, lr=1e-3, weight_decay=1e-2, n_test=5_000, dtype="float32")
    if quick:
        cfg.update(sizes=[10, 100, 1000], hidden=[1, 2, 4], steps=5_000, warmup=250, n_test=2_000)
    cfg = shrink(cfg)
    print_config(cfg)
    out = {}
    for T in cfg["sizes"]:
        for m in cfg["hidden"]:
            def run(T=T, m=m):
                x = seed_sets(cfg, T, cfg["seeds"], np.float32, 0)  # (seeds, T, n)
                xt = seed_sets(cfg, cfg["n_test"], cfg["seeds"], np.float32, 1)
                p = mlp.init_params(cfg["n"], m, np.random.default_rng([T, m]), n_instances=cfg["seeds"], dtype=np.float32)
                res = train(mlp, p, x, x, steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                            weight_decay=cfg["weight_decay"], desc=f"M7 T={T} m={m}")
                test = evaluate(mlp, res.params, xt, xt)
                acc = argmax_accuracy(mlp.forward(res.params, xt)[0], xt)
                return {"train_loss": res.final_loss, "test_loss": test, "test_acc": acc}

            out[(T, m)] = cache("sparse_grid", dict(cfg, T=T, m=m), run, fresh=fresh, same=("T", "m"))
    return cfg, out


def heat(fig, ax, M, xs, ys, title, kind, xlabel, ylabel):
    """One grid panel: rows ys (hidden sizes), columns xs (data set sizes)."""
    im = ax.imshow(M, origin="lower", cmap="viridis_r" if kind == "loss" else "viridis",
                   vmin=0 if kind == "acc" else None, vmax=1 if kind == "acc" else None, aspect="auto")
    ax.set(xticks=range(len(xs)), xticklabels=xs, yticks=range(len(ys)), yticklabels=ys, title=title,
           xlabel=xlabel, ylabel=ylabel)
    for (r, c), v in np.ndenumerate(M):
        ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=6, color="w" if kind == "acc" and v < 0.5 else "k")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)


EMBED_SETTINGS = {"big_fish": "x -> E x -> MLP -> x", "small_fish": "E x -> MLP -> E x",
                  "reprojector": "E x -> MLP -> E' x"}


def embed_grid(setting, quick=False, fresh=False):
    """Big fish, small fish and re-projector (M8-M10): an MLP reads E x (E a fixed standard-Gaussian
    d x n embedding) and outputs x (big fish), E x (small fish) or E' x (re-projector, a second
    Gaussian E'). 1,000 training samples at S=0.99 (normalised), MSE, Henighan schedule over 5,000
    steps (warm-up 250), weight decay 1e-2, PyTorch init, float32, one seed; test loss on 2,000 fresh
    samples; accuracy forwards E e_i for every feature i and compares argmax(output) with i (big
    fish), argmax(E e_i) (small fish) or argmax(E' e_i) (re-projector)."""
    cfg = dict(model="mlp", setting=setting, T=1000, sparsity=0.99, normalize=True, loss="mse",
               features=[100, 300, 1000], bottleneck=[10, 50], hidden=[10, 50, 200], steps=5_000, warmup=250,
               lr=1e-3, weight_decay=1e-2, n_test=2_000, dtype="float32", seed=0)
    if quick:
        cfg.update(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1_000, warmup=50)
    cfg = shrink(cfg)
    print_config(cfg)
    from minimem import metrics
    out = {}
    for n in cfg["features"]:
        for d in cfg["bottleneck"]:
            for m in cfg["hidden"]:
                def run(n=n, d=d, m=m):
                    rng = np.random.default_rng([cfg["seed"], n, d, m])
                    E = data.gaussian_embedding(d, n, rng, np.float32)
                    E2 = data.gaussian_embedding(d, n, rng, np.float32)
                    x = sparse_set(cfg["T"], n, cfg["sparsity"], cfg["seed"], True, np.float32, 0)[None]
                    xt = sparse_set(cfg["n_test"], n, cfg["sparsity"], cfg["seed"], True, np.float32, 1)[None]
                    target = {"big_fish": lambda v: v, "small_fish": lambda v: data.embed(v, E),
                              "reprojector": lambda v: data.embed(v, E2)}[setting]
                    n_out = n if setting == "big_fish" else d
                    p = mlp.init_params(d, m, rng, n_out=n_out, dtype=np.float32)
                    res = train(mlp, p, data.embed(x, E), target(x), steps=cfg["steps"], warmup=cfg["warmup"],
                                lr=cfg["lr"], weight_decay=cfg["weight_decay"], desc=f"{setting} n={n} d={d} m={m}")
                    test = evaluate(mlp, res.params, data.embed(xt, E), target(xt))
                    E_out = {"big_fish": None, "small_fish": E, "reprojector": E2}[setting]
                    acc = metrics.onehot_accuracy(mlp.forward, res.params, n, 1, E=E, E_out=E_out, dtype=np.float32)
                    return {"train_loss": res.final_loss, "test_loss": test, "acc": acc}

                out[(n, d, m)] = cache(f"embed_grid_{setting}", dict(cfg, n=n, d=d, m=m), run, fresh=fresh,
                                       same=("n", "d", "m"))
    return cfg, out


def plot_embed_grid(setting, name, quick, fresh, what):
    from _common import plt, save
    cfg, out = embed_grid(setting, quick, fresh)
    ns, ds, ms = cfg["features"], cfg["bottleneck"], cfg["hidden"]
    pyplot = plt()
    fig, axes = pyplot.subplots(len(ds), 2, figsize=(10, 3.6 * len(ds)), squeeze=False)
    for r, d in enumerate(ds):
        L = np.array([[out[(n, d, m)]["test_loss"][0] for n in ns] for m in ms])
        A = np.array([[out[(n, d, m)]["acc"][0] for n in ns] for m in ms])
        print(f"{setting}, bottleneck d={d}: accuracy (rows m={ms}, columns n={ns}):\n{np.round(A, 3)}")
        heat(fig, axes[r, 0], np.log10(L), ns, ms, f"bottleneck d={d}: log10 test MSE", "loss", "feature size n",
             "hidden size m")
        heat(fig, axes[r, 1], A, ns, ms, f"bottleneck d={d}: one-hot accuracy", "acc", "feature size n", "hidden size m")
    fig.suptitle(f"{what} ({EMBED_SETTINGS[setting]}): T={cfg['T']}, S={cfg['sparsity']}, {cfg['steps']} steps")
    fig.tight_layout()
    save(fig, name, quick)
