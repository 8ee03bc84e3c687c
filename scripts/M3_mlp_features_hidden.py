"""M3 -- MLP features and hidden vectors, before and after the ReLU, for several T.

The write-up plots, for the MLP auto-encoder of M2, the features (columns of W1, blue) and the
hidden vectors of the training points (red), before the ReLU (W1 x + b1) and after it
(ReLU(W1 x + b1)): like the ReLU output model, the hidden vectors go from a polygon (memorisation)
to a few directions (generalisation), but they live in the first quadrant after the ReLU.

Settings: M2's runs (scripts/_runs.py: mlp_dd; n=1000, m=2, S=0.99, 50,000 steps), seed 0.

Run: python scripts/M3_mlp_features_hidden.py [--quick] [--fresh]   (redraws from M2's cache)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import mlp_dd

SHOW = [5, 20, 100, 300, 1000, 5000]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh)
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] if not args.quick else sizes
    pyplot = plt()
    fig, axes = pyplot.subplots(2, len(show), figsize=(2.3 * len(show), 4.8), squeeze=False)
    for j, T in enumerate(show):
        i = sizes.index(T)
        W1 = res["param_W1"][i, 0].astype(np.float64)  # (m, n)
        b1 = res["param_b1"][i, 0].astype(np.float64)  # (m,)
        x = sparse_set(T, cfg["n"], cfg["sparsity"], 0, cfg["normalize"], np.float32, 0).astype(np.float64)
        a = x @ W1.T + b1  # (T, m) before the ReLU
        for row, (H, label) in enumerate([(a, "before ReLU: W1 x + b1"), (np.maximum(a, 0), "after ReLU")]):
            ax = axes[row, j]
            for hx, hy in H[:1500]:
                ax.plot([0, hx], [0, hy], c="tab:red", lw=0.5, alpha=0.6)
            ax.scatter(W1[0], W1[1], s=1.5, c="tab:blue", zorder=3)
            lim = 1.05 * max(np.abs(W1).max(), np.abs(H).max())
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[],
                   title=f"T={T}, {label}" if row == 0 else label)
            ax.axhline(0, c="gray", lw=0.4)
            ax.axvline(0, c="gray", lw=0.4)
    fig.suptitle(f"MLP auto-encoder: features W1_i (blue) and hidden vectors (red); n={cfg['n']}, m={cfg['m']}, "
                 f"S={cfg['sparsity']}, {cfg['steps']} steps, seed 0")
    fig.tight_layout()
    save(fig, "M3_mlp_features_hidden", args.quick)


if __name__ == "__main__":
    main()
