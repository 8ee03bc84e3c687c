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
each, and is cached on its own (minimem.experiments "reconstruction_grid").
Every setting, from the catalogue: python -m minimem config B5.

Run: python scripts/B5_reconstruction_limits.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, heat, plt
from minimem.cli import FigureScript
from minimem import data, experiments
from minimem.named import say

# --- config
EXPERIMENT = "reconstruction_grid"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    F, Hs, S = cfg["features"], cfg["hidden"], cfg["sparsities"]
    grid = {k: np.stack([np.stack([out[(n, m)][k] for n in F]) for m in Hs])  # (m, n, ...)
            for k in ("noisy_loss", "noisy_acc", "onehot_loss", "onehot_acc")}
    imps = experiments.IMPORTANCES
    say("sparsities", S)
    say("hidden", Hs)
    say("features", F)
    # means over the 25 (m, n) cells, per importance and sparsity: accuracy to 3 decimals, log10 MSE to 2
    acc = np.round(grid["noisy_acc"].mean(axis=(0, 1)), 3)  # (2, S)
    log_mse = np.round(np.log10(grid["noisy_loss"]).mean(axis=(0, 1)), 2)  # (2, S)
    say("noisy_acc", {imp: dict(zip(S, a)) for imp, a in zip(imps, acc)})
    say("noisy_log_mse", {imp: dict(zip(S, l)) for imp, l in zip(imps, log_mse)})
    say("uniform_better_acc_at", int((acc[1] > acc[0]).sum()))  # sparsities (of 4)
    say("uniform_higher_loss_at", int((log_mse[1] > log_mse[0]).sum()))
    say("sparser_better_everywhere", bool((np.diff(acc, axis=1) > 0).all() and (np.diff(log_mse, axis=1) < 0).all()))
    for i, imp in enumerate(imps):
        print(f"noiseless, {imp}: one-hot accuracy (rows m={Hs}, columns n={F}):\n"
              f"{np.round(grid['onehot_acc'][:, :, i], 2)}")
    say("onehot_acc_mean", {imp: grid["onehot_acc"][:, :, i].mean() for i, imp in enumerate(imps)}, sig=3)
    say("onehot_log_mse_mean", {imp: np.log10(np.maximum(grid["onehot_loss"][:, :, i], 1e-12)).mean()
                                for i, imp in enumerate(imps)}, sig=3)  # zeros at 1e-12
    say("onehot_acc", {imp: {m: dict(zip(F, np.round(grid["onehot_acc"][j, :, i], 2))) for j, m in enumerate(Hs)}
                       for i, imp in enumerate(imps)})
    stored = grid["onehot_acc"] == 1  # (m, n, 2) every one-hot vector recovered
    lead = np.cumprod(stored, axis=1).sum(1)  # (m, 2) how many n, from the smallest on, store every vector
    say("stored_up_to_n", {imp: {m: F[k - 1] if k else None for m, k in zip(Hs, lead[:, i])}
                           for i, imp in enumerate(imps)})
    # the loss is importance-weighted, and decreasing importance weights a feature less than 1 on average (uniform
    # 1): divided by the mean importance, the two losses are on one scale
    mean_imp = np.array([[importance.mean() for importance in (data.importance_exp100(n), data.importance_uniform(n))]
                         for n in F])  # (n, 2)
    say("mean_importance_range", {imp: (mean_imp[:, i].min(), mean_imp[:, i].max()) for i, imp in enumerate(imps)},
        sig=3)  # over n
    per_unit = np.round(np.log10(grid["noisy_loss"] / mean_imp[None, :, :, None]).mean(axis=(0, 1)), 2)  # (2, S)
    say("per_unit_log_mse", {imp: dict(zip(S, l)) for imp, l in zip(imps, per_unit)})
    say("gap_shrinks_everywhere", bool((np.abs(per_unit[1] - per_unit[0]) < np.abs(log_mse[1] - log_mse[0])).all()))
    say("per_unit_decreasing_worse_at", [s for s, d, u in zip(S, *per_unit) if d > u])
    noisy_log = np.log10(grid["noisy_loss"])
    onehot_log = np.log10(np.maximum(grid["onehot_loss"], 1e-12))
    lo, hi = min(noisy_log.min(), onehot_log.min()), max(noisy_log.max(), onehot_log.max())  # one loss range
    pyplot = plt()
    ncol = 2 * len(S)
    fig, axes = pyplot.subplots(3, ncol, figsize=(2.1 * ncol, 7.0))
    panel = dict(xs=F, ys=Hs, xlabel="feature size n", ylabel="hidden size m")
    for row, imp in enumerate(experiments.IMPORTANCES):
        for j, s in enumerate(S):
            heat(fig, axes[row, 2 * j], noisy_log[:, :, row, j], title=f"{imp}, S={s}\nlog10 MSE", kind="loss",
                 vmin=lo, vmax=hi, fmt="{:.1f}", **panel)
            heat(fig, axes[row, 2 * j + 1], grid["noisy_acc"][:, :, row, j], title=f"{imp}, S={s}\naccuracy",
                 kind="acc", **panel)
    for j, imp in enumerate(experiments.IMPORTANCES):
        heat(fig, axes[2, 2 * j], onehot_log[:, :, j], title=f"one-hot, {imp}\nlog10 MSE (zeros at 1e-12)",
             kind="loss", vmin=lo, vmax=hi, fmt="{:.1f}", **panel)
        heat(fig, axes[2, 2 * j + 1], grid["onehot_acc"][:, :, j], title=f"one-hot, {imp}\naccuracy", kind="acc",
             **panel)
    for ax in axes[2, 4:]:
        ax.axis("off")
    fig.suptitle("limits of reconstruction, ReLU output model (rows: noisy data with decreasing importance, noisy "
                 "with uniform importance, noiseless one-hot; accuracy: chance 1/n); one log10 MSE range for all "
                 "loss panels; " + describe(cfg, "T", "steps") + ", one seed")
    fig.tight_layout()
    r.save(fig, "B5_reconstruction_limits")


if __name__ == "__main__":
    main()
