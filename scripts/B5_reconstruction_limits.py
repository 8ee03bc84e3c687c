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

Run: python scripts/B5_reconstruction_limits.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, heat, plt
from minimem.cli import FigureScript
from minimem import data, experiments

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
    for i, imp in enumerate(experiments.IMPORTANCES):
        print(f"noisy, {imp} importance: mean one-hot accuracy per sparsity "
              f"{dict(zip(S, np.round(grid['noisy_acc'][:, :, i].mean(axis=(0, 1)), 3).tolist()))}; "
              f"mean log10 MSE {dict(zip(S, np.round(np.log10(grid['noisy_loss'][:, :, i]).mean(axis=(0, 1)), 2).tolist()))}")
        print(f"noiseless, {imp}: mean accuracy {grid['onehot_acc'][:, :, i].mean():.3f}; mean log10 MSE "
              f"{np.log10(np.maximum(grid['onehot_loss'][:, :, i], 1e-12)).mean():.2f} (zeros at 1e-12); accuracy (rows "
              f"m={Hs}, columns n={F}):\n{np.round(grid['onehot_acc'][:, :, i], 2)}")
    # the loss is importance-weighted, and decreasing importance weights a feature less than 1 on average (uniform
    # 1): divided by the mean importance, the two losses are on one scale
    mean_imp = np.array([[importance.mean() for importance in (data.importance_exp100(n), data.importance_uniform(n))]
                         for n in F])  # (n, 2)
    print("mean importance of a feature, decreasing 100^-i/n, per n: "
          + str({n: round(float(v), 3) for n, v in zip(F, mean_imp[:, 0])}) + " (uniform: 1)")
    per_unit = np.log10(grid["noisy_loss"] / mean_imp[None, :, :, None])  # (m, n, 2, S)
    print("mean log10 (MSE / mean importance), decreasing vs uniform, per sparsity: "
          + str({s: (round(float(per_unit[..., 0, j].mean()), 2), round(float(per_unit[..., 1, j].mean()), 2))
                 for j, s in enumerate(S)}))
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
