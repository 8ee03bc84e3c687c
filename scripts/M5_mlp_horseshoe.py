"""M5 -- The horseshoe: pre-bias activations (orange) and the bias (purple) of the MLP.

The write-up explains the horseshoe shapes of M3 around the transition as a circle moved into the
first quadrant by the bias: the pre-bias activations W1 x are not always positive, the bias b1 is,
and adding it lifts most hidden vectors past the ReLU.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), seed 0, at
data set sizes around the transition.

Run: python scripts/M5_mlp_horseshoe.py [--quick] [--fresh]   (redraws from M2's cache)
"""

import numpy as np

from _plot import Run, describe, plt
from minimem import experiments

# --- config
EXPERIMENT = "mlp_dd"  # M2's sweep
SHOW = [100, 200, 300, 500, 1000, 2000]
SEED = 0


def main(argv=None):
    r = Run(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] or sizes[-4:]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(show), figsize=(2.5 * len(show), 3.0), squeeze=False)
    panels = []
    for T in show:
        p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, sizes.index(T), SEED).items()}
        x = experiments.train_set(cfg, T, SEED).astype(np.float64)  # (T, n)
        pre = x @ p["W1"][0].T  # (T, m)  W1 x, the activations before the bias
        panels.append((T, pre, p["b1"][0]))
    lim = 1.1 * max(max(np.abs(pre).max(), np.abs(pre + b1).max()) for _, pre, b1 in panels)  # one scale
    for ax, (T, pre, b1) in zip(axes[0], panels):
        ax.scatter(pre[:, 0], pre[:, 1], s=2, c="tab:orange", label="W1 x (pre-bias)")
        ax.scatter(pre[:, 0] + b1[0], pre[:, 1] + b1[1], s=2, c="tab:red", alpha=0.3, label="W1 x + b1")
        ax.scatter([b1[0]], [b1[1]], s=40, c="tab:purple", marker="*", zorder=3, label="b1")
        ax.axhline(0, c="gray", lw=0.4)
        ax.axvline(0, c="gray", lw=0.4)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=f"T={T}: b1=({b1[0]:.2f}, {b1[1]:.2f})")
        ax.tick_params(labelsize=6)
        live = np.mean(np.all(pre + b1 > 0, axis=1))
        print(f"T={T}: b1 {np.round(b1, 3).tolist()}, share of training points with both units active "
              f"before the bias {np.mean(np.all(pre > 0, axis=1)):.3f}, after {live:.3f}")
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle("MLP auto-encoder: pre-bias activations (orange), with the bias (red), the bias (purple), one "
                 "scale; " + describe(cfg, "n", "m", "sparsity", "steps") + f", seed {SEED} of {cfg['seeds']}")
    fig.tight_layout()
    r.save(fig, "M5_mlp_horseshoe")


if __name__ == "__main__":
    main()
