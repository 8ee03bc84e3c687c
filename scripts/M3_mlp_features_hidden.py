"""M3 -- MLP features and hidden vectors, before and after the ReLU, for several T.

The write-up plots, for the MLP auto-encoder of M2, the features (columns of W1, blue) and the
hidden vectors of the training points (red), before the ReLU (W1 x + b1) and after it
(ReLU(W1 x + b1)): like the ReLU output model, the hidden vectors go from a polygon (memorisation)
to a few directions (generalisation), but they live in the first quadrant after the ReLU.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), seed 0.

Run: python scripts/M3_mlp_features_hidden.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments, mlp

# --- config
EXPERIMENT = "mlp_dd"  # M2's sweep
SHOW = [5, 20, 100, 300, 1000, 5000]
SEED = 0


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] or sizes
    pyplot = plt()
    fig, axes = pyplot.subplots(2, len(show), figsize=(2.3 * len(show), 4.9), squeeze=False)
    for j, T in enumerate(show):
        p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, sizes.index(T), SEED).items()}
        x = experiments.train_set(cfg, T, SEED)[None].astype(np.float64)  # (1, T, n)
        a = mlp.pre_activation(p, x)[0]  # (T, m)  W1 x + b1
        W1 = p["W1"][0]  # (m, n)
        lim = 1.05 * max(np.abs(W1).max(), np.abs(a).max())  # one scale for the column (before / after ReLU)
        for row, (H, label) in enumerate([(a, "before ReLU: W1 x + b1"), (np.maximum(a, 0), "after ReLU")]):
            ax = axes[row, j]
            for hx, hy in H[:1500]:
                ax.plot([0, hx], [0, hy], c="tab:red", lw=0.5, alpha=0.6)
            ax.scatter(W1[0], W1[1], s=1.5, c="tab:blue", zorder=3)
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=f"T={T}, {label}" if row == 0 else label)
            ax.tick_params(labelsize=6)
            ax.axhline(0, c="gray", lw=0.4)
            ax.axvline(0, c="gray", lw=0.4)
        print(f"T={T}: max |W1_i| {np.linalg.norm(W1, axis=0).max():.3f}, max |W1 x + b1| "
              f"{np.linalg.norm(a, axis=1).max():.3f}, b1 {np.round(p['b1'][0], 3).tolist()}")
    fig.suptitle("MLP auto-encoder: features W1_i (blue) and hidden vectors (red), one scale per column; "
                 + describe(cfg, "n", "m", "sparsity", "steps") + f", seed {SEED} of {cfg['seeds']}")
    fig.tight_layout()
    r.save(fig, "M3_mlp_features_hidden")


if __name__ == "__main__":
    main()
