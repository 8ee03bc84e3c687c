"""M5 -- The horseshoe: pre-bias activations (orange) and the bias (purple) of the MLP.

The write-up explains the horseshoe shapes of M3 around the transition as a circle moved into the
first quadrant by the bias: the pre-bias activations W1 x are not always positive, the bias b1 is,
and adding it lifts most hidden vectors past the ReLU.

Settings: M2's runs (scripts/_runs.py: mlp_dd; n=1000, m=2, S=0.99, 50,000 steps), seed 0, at
data set sizes around the transition.

Run: python scripts/M5_mlp_horseshoe.py [--quick] [--fresh]   (redraws from M2's cache)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import mlp_dd

SHOW = [100, 200, 300, 500, 1000, 2000]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh)
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] if not args.quick else sizes[-4:]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(show), figsize=(2.5 * len(show), 2.9), squeeze=False)
    for j, T in enumerate(show):
        i = sizes.index(T)
        W1 = res["param_W1"][i, 0].astype(np.float64)
        b1 = res["param_b1"][i, 0].astype(np.float64)
        x = sparse_set(T, cfg["n"], cfg["sparsity"], 0, cfg["normalize"], np.float32, 0).astype(np.float64)
        pre = x @ W1.T  # (T, m) before the bias
        ax = axes[0, j]
        ax.scatter(pre[:, 0], pre[:, 1], s=2, c="tab:orange", label="W1 x (pre-bias)")
        ax.scatter(pre[:, 0] + b1[0], pre[:, 1] + b1[1], s=2, c="tab:red", alpha=0.3, label="W1 x + b1")
        ax.scatter([b1[0]], [b1[1]], s=40, c="tab:purple", marker="*", zorder=3, label="b1")
        ax.axhline(0, c="gray", lw=0.4)
        ax.axvline(0, c="gray", lw=0.4)
        ax.set(aspect="equal", title=f"T={T}: b1=({b1[0]:.2f}, {b1[1]:.2f})")
        ax.tick_params(labelsize=6)
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle(f"MLP auto-encoder: pre-bias activations (orange), bias (purple); n={cfg['n']}, m={cfg['m']}, "
                 f"{cfg['steps']} steps, seed 0")
    fig.tight_layout()
    save(fig, "M5_mlp_horseshoe", args.quick)


if __name__ == "__main__":
    main()
