"""B5 -- Limits of reconstruction in the bottleneck: log MSE and one-hot accuracy over feature size
x hidden size.

The write-up asks how much the bottleneck (a projection into a lower-dimensional residual stream)
can reconstruct, under three conditions: (1) noisy sparse inputs with exponentially decreasing
importance 100 ** -linspace(0, 1, n); (2) the same noise with uniform importance; (3) no noise,
training on the n one-hot vectors themselves (decreasing importance left, uniform right). Its
findings: uniform importance gives a worse loss but a better accuracy; sparser data reconstruct
better; noiseless training does best, and with uniform importance it stores far more one-hot
vectors than it has dimensions. Accuracy forwards the n one-hot vectors and counts argmax(output)
= argmax(input) (importance does not enter it; it does enter the loss).

Settings (the write-up gives none, so these are chosen to fit two cores): x' = ReLU(W^T W x + b),
W xavier_normal, b zero; feature sizes n in (10, 20, 50, 100, 200), hidden sizes m in (2, 5, 10,
20, 50); sparsities S in (0, 0.7, 0.9, 0.99) for the noisy data, unnormalised, one fixed training
set of 1,000 samples per cell; AdamW with the Henighan schedule (lr 1e-3, warm-up 500, cosine to 0
over 5,000 steps, weight decay 1e-2), float32, one seed. Loss: the importance-weighted MSE on
10,000 fresh samples (noisy) or on the one-hot set (noiseless), shown as log10. Each (n, m) cell
trains its 8 noisy models (4 sparsities x 2 importances) and its 2 noiseless models in one call
each, and is cached on its own (results/B5_reconstruction_limits-*).

Run: python scripts/B5_reconstruction_limits.py [--quick] [--fresh]   (full: ~5 min on two cores)
"""

import numpy as np

from _common import cache, parser, plt, print_config, save, shrink
from minimem import data, metrics, relu_output
from minimem.train import evaluate, train

FEATURES = [10, 20, 50, 100, 200]
HIDDEN = [2, 5, 10, 20, 50]
SPARSITIES = [0.0, 0.7, 0.9, 0.99]


def cell(cfg, n, m, fresh):
    dtype = np.dtype(cfg["dtype"]).type
    S = cfg["sparsities"]

    def run():
        rng = np.random.default_rng([cfg["seed"], n, m])
        imps = [data.importance_exp100(n), data.importance_uniform(n)]
        # noisy: instance (importance a, sparsity s) = 2 * 4 instances
        sp = np.array([s for _ in imps for s in S])
        imp = np.stack([i for i in imps for _ in S]).astype(dtype)  # (8, n)
        x = data.sparse_features(cfg["T"], n, sp, rng, n_instances=len(sp), dtype=dtype)
        p = relu_output.init_params(n, m, rng, n_instances=len(sp), dtype=dtype)
        kw = dict(steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"], weight_decay=cfg["weight_decay"],
                  progress=False)
        res = train(relu_output, p, x, x, importance=imp, **kw)
        xt = data.sparse_features(cfg["n_test"], n, sp, rng, n_instances=len(sp), dtype=dtype)
        noisy_loss = evaluate(relu_output, res.params, xt, xt, importance=imp)
        noisy_acc = metrics.onehot_accuracy(relu_output.forward, res.params, n, len(sp), dtype=dtype)
        # noiseless: the n one-hot vectors, decreasing and uniform importance
        oh = np.broadcast_to(data.one_hot(n, dtype), (2, n, n)).copy()
        imp2 = np.stack(imps).astype(dtype)
        p2 = relu_output.init_params(n, m, rng, n_instances=2, dtype=dtype)
        res2 = train(relu_output, p2, oh, oh, importance=imp2, **kw)
        oh_acc = metrics.onehot_accuracy(relu_output.forward, res2.params, n, 2, dtype=dtype)
        return {"noisy_loss": noisy_loss.reshape(2, len(S)), "noisy_acc": noisy_acc.reshape(2, len(S)),
                "onehot_loss": res2.final_loss, "onehot_acc": oh_acc}

    return cache("B5_reconstruction_limits", dict(cfg, n=n, m=m), run, fresh=fresh, same=("n", "m"))


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    q = args.quick
    cfg = dict(features=FEATURES[:3] if q else FEATURES, hidden=HIDDEN[:3] if q else HIDDEN, sparsities=SPARSITIES,
               T=1000, n_test=2000 if q else 10_000, steps=1000 if q else 5000, warmup=100 if q else 500, lr=1e-3,
               weight_decay=1e-2, dtype="float32", seed=0)
    cfg = shrink(cfg)
    print_config(cfg)
    F, Hs, S = cfg["features"], cfg["hidden"], cfg["sparsities"]
    grid = {k: np.full((len(Hs), len(F)) + shp, np.nan) for k, shp in
            [("noisy_loss", (2, len(S))), ("noisy_acc", (2, len(S))), ("onehot_loss", (2,)), ("onehot_acc", (2,))]}
    for a, n in enumerate(F):
        for b_, m in enumerate(Hs):
            r = cell(cfg, n, m, args.fresh)
            for k in grid:
                grid[k][b_, a] = r[k]
    for imp_i, imp_name in enumerate(["decreasing", "uniform"]):
        print(f"noisy, {imp_name} importance: mean one-hot accuracy per sparsity "
              f"{dict(zip(S, np.round(np.nanmean(grid['noisy_acc'][:, :, imp_i], axis=(0, 1)), 3).tolist()))}; "
              f"mean log10 MSE {dict(zip(S, np.round(np.nanmean(np.log10(grid['noisy_loss'][:, :, imp_i]), axis=(0, 1)), 2).tolist()))}")
        print(f"noiseless, {imp_name}: mean accuracy {np.nanmean(grid['onehot_acc'][:, :, imp_i]):.3f}")
    pyplot = plt()
    ncol = 2 * len(S)
    fig, axes = pyplot.subplots(3, ncol, figsize=(1.9 * ncol, 6.6))

    def heat(ax, M, title, kind):
        im = ax.imshow(M, origin="lower", cmap="viridis_r" if kind == "loss" else "viridis",
                       vmin=None if kind == "loss" else 0, vmax=None if kind == "loss" else 1)
        ax.set(xticks=range(len(F)), xticklabels=F, yticks=range(len(Hs)), yticklabels=Hs, title=title)
        ax.tick_params(labelsize=6)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)

    for row, imp_name in enumerate(["decreasing", "uniform"]):
        for j, s in enumerate(S):
            heat(axes[row, 2 * j], np.log10(grid["noisy_loss"][:, :, row, j]), f"{imp_name}, S={s}\nlog10 MSE", "loss")
            heat(axes[row, 2 * j + 1], grid["noisy_acc"][:, :, row, j], f"{imp_name}, S={s}\naccuracy", "acc")
    for j, imp_name in enumerate(["decreasing", "uniform"]):
        heat(axes[2, 2 * j], np.log10(np.maximum(grid["onehot_loss"][:, :, j], 1e-12)),
             f"one-hot, {imp_name}\nlog10 MSE", "loss")
        heat(axes[2, 2 * j + 1], grid["onehot_acc"][:, :, j], f"one-hot, {imp_name}\naccuracy", "acc")
    for ax in axes[2, 4:]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("hidden size m")
    for ax in axes[2, :4]:
        ax.set_xlabel("feature size n")
    fig.suptitle(f"limits of reconstruction, ReLU output model (rows: noisy data with decreasing importance, noisy "
                 f"with uniform importance, noiseless one-hot); yellow = good; {cfg['steps']} steps, T={cfg['T']}")
    fig.tight_layout()
    save(fig, "B5_reconstruction_limits", q)


if __name__ == "__main__":
    main()
