"""M3 -- MLP features and hidden vectors, before and after the ReLU, for several T.

The write-up plots, for the MLP auto-encoder of M2, the features (columns of W1, blue) and the
hidden vectors of the training points (red), before the ReLU (W1 x + b1) and after it
(ReLU(W1 x + b1)): like the ReLU output model, the hidden vectors go from a polygon (memorisation)
to a few directions (generalisation), but they live in the first quadrant after the ReLU.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), seed 0.
Every setting, from the catalogue: python -m minimem config M3.

Run: python scripts/M3_mlp_features_hidden.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments, mlp
from minimem.named import say

# --- config
EXPERIMENTS = {"": "mlp_dd", "relu_out_": "mlp_dd_relu_out"}  # name prefix: M2's MLP, A4's (output ReLU)
SHOW = [5, 20, 100, 300, 1000, 5000]
SEED = 0


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {key: r.run(name) for key, name in EXPERIMENTS.items()}
    # --- plot
    cfg = runs[""][0]
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] or sizes
    say("shown_T", show)
    pyplot = plt()
    fig, axes = pyplot.subplots(2 * len(runs), len(show), figsize=(2.3 * len(show), 4.9 * len(runs)), squeeze=False)
    for block, (key, (cfg, res)) in enumerate(runs.items()):
        what = "output ReLU, " if key else "M2, "
        features, hidden = {}, {}
        for j, T in enumerate(show):
            p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, sizes.index(T), SEED).items()}
            x = experiments.train_set(cfg, T, SEED)[None].astype(np.float64)  # (1, T, n)
            a = mlp.pre_activation(p, x)[0]  # (T, m)  W1 x + b1
            W1 = p["W1"][0]  # (m, n)
            features[T], hidden[T] = np.linalg.norm(W1, axis=0).max(), np.linalg.norm(a, axis=1).max()
            lim = 1.05 * max(np.abs(W1).max(), np.abs(a).max())  # one scale for the column (before / after ReLU)
            for row, (H, label) in enumerate([(a, "before ReLU: W1 x + b1"), (np.maximum(a, 0), "after ReLU")]):
                ax = axes[2 * block + row, j]
                for hx, hy in H[:1500]:
                    ax.plot([0, hx], [0, hy], c="tab:red", lw=0.5, alpha=0.6)
                ax.scatter(W1[0], W1[1], s=1.5, c="tab:blue", zorder=3)
                ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal",
                       title=f"{what}T={T}, {label}" if row == 0 else label)
                ax.title.set_fontsize(6 if row == 0 else 7)
                ax.tick_params(labelsize=6)
                ax.axhline(0, c="gray", lw=0.4)
                ax.axvline(0, c="gray", lw=0.4)
        say(f"{key}max_feature_norm", features, sig=3)  # max_i |W1_i| per T, seed 0
        say(f"{key}max_hidden_norm", hidden, sig=3)  # max_t |W1 x_t + b1| per T, seed 0
        say(f"{key}growth", max(features.values()) / features[show[0]], sig=3)  # the largest over the smallest T's
        say(f"{key}train_loss_least", res["train_loss"].mean(1).min(), sig=3)  # the mean train MSE, least over T
        say(f"{key}test_loss_last", res["test_loss"].mean(1)[-1], sig=3)  # the mean test MSE at the largest T
    fig.suptitle("MLP auto-encoder: features W1_i (blue) and hidden vectors (red), one scale per column; rows 1-2 "
                 "M2's MLP, rows 3-4 with a ReLU after the read-out; " + describe(cfg, "n", "m", "sparsity", "steps")
                 + f", seed {SEED} of {cfg['seeds']}")
    fig.tight_layout()
    r.save(fig, "M3_mlp_features_hidden")


if __name__ == "__main__":
    main()
