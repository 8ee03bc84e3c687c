"""M5 -- The horseshoe: pre-bias activations (orange) and the bias (purple) of the MLP.

The write-up explains the horseshoe shapes of M3 around the transition as a circle moved into the
first quadrant by the bias: the pre-bias activations W1 x are not always positive, the bias b1 is,
and adding it lifts most hidden vectors past the ReLU.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), seed 0, at
data set sizes around the transition; below them the same MLP with a ReLU on its output (A4's runs,
"mlp_dd_relu_out"), which does have a test-loss peak (at T=300), so the write-up's "around the
transition" can be looked at where there is one. For every T the script prints, over all seeds:
b1, the share of b1 entries above 0, the share of training points with a negative pre-bias
coordinate, and the share the bias lifts into the first quadrant (some W1 x coordinate < 0, every
W1 x + b1 coordinate > 0).
Every setting, from the catalogue: python -m minimem config M5.

Run: python scripts/M5_mlp_horseshoe.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments
from minimem.named import most, say, span

# --- config
EXPERIMENTS = {"mlp_dd": "MLP (M2)", "mlp_dd_relu_out": "MLP with output ReLU (A4)"}
SHOW = [100, 200, 300, 500, 1000, 2000]
SEED = 0
POSITIVE = 0  # b1 > 0 counts as positive
MLP_LATE = 200  # M2's sizes past the lift at T=100
RELU_EARLY = 100  # A4's sizes up to the end of the large biases


def pre_bias(cfg, res, i, T, seed):
    """W1 x for the training points of run (i, seed), (T, m), and that run's b1, (m,)."""
    p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, i, seed).items()}
    x = experiments.train_set(cfg, T, seed).astype(np.float64)  # (T, n)
    return x @ p["W1"][0].T, p["b1"][0]  # (T, m), (m,)


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {name: r.run(name) for name in EXPERIMENTS}
    # --- plot
    pyplot = plt()
    cfg0 = runs["mlp_dd"][0]
    show = [T for T in SHOW if T in cfg0["sizes"]] or list(cfg0["sizes"])[-4:]
    fig, axes = pyplot.subplots(len(runs), len(show), figsize=(2.5 * len(show), 3.0 * len(runs)), squeeze=False)
    panels, summary = {}, {}
    for name, (cfg, res) in runs.items():
        sizes = list(cfg["sizes"])
        print(f"{EXPERIMENTS[name]}, over {cfg['seeds']} seeds:")
        per_T = []  # per T: share of b1 > 0, smallest and largest b1 entry, share lifted
        for i, T in enumerate(sizes):
            stats = []
            for s in range(cfg["seeds"]):
                pre, b1 = pre_bias(cfg, res, i, T, s)
                if T in show and s == SEED:
                    panels[name, T] = pre, b1
                neg = np.any(pre < 0, axis=1)
                stats.append((b1, np.mean(b1 > POSITIVE), np.mean(neg), np.mean(neg & np.all(pre + b1 > 0, axis=1))))
            b1s = np.array([st[0] for st in stats])  # (seeds, m)
            per_T.append((np.mean([st[1] for st in stats]), b1s.min(), b1s.max(), np.mean([st[3] for st in stats])))
            print(f"  T={T}: b1 mean {np.round(b1s.mean(0), 3).tolist()} (entries {b1s.min():.2f} to {b1s.max():.2f}); "
                  f"b1 > 0: {per_T[-1][0]:.2f}; points with a negative W1 x coordinate: "
                  f"{np.mean([st[2] for st in stats]):.3f}; lifted into the first quadrant by b1: {per_T[-1][3]:.3f}")
        summary[name] = np.array(sizes), np.array(per_T).T  # (T,), 4 x (T,)
    say("b1_positive_above", POSITIVE)
    say("panel_T", show)
    sizes, (pos, lo, hi, lifted) = summary["mlp_dd"]
    say("mlp_positive_share_range", (pos.min(), pos.max()), sig=2)
    say("mlp_b1_range", np.round([lo.min(), hi.max()], 2))  # to 2 decimals, as printed above
    say("mlp_lifted_max", lifted.max(), sig=3)
    say("mlp_lifted_max_T", sizes[lifted.argmax()])
    say("mlp_late_from_T", MLP_LATE)
    say("mlp_lifted_max_late", most(lifted[sizes >= MLP_LATE]), sig=3)
    sizes, (pos, lo, hi, lifted) = summary["mlp_dd_relu_out"]
    T0 = sizes[min(np.flatnonzero(pos < 1).max() + 1, len(sizes) - 1)] if (pos < 1).any() else sizes[0]  # every b1 entry positive from here on
    early, late = (sizes >= T0) & (sizes <= RELU_EARLY), sizes > RELU_EARLY
    say("relu_all_positive_from_T", T0)
    say("relu_early_to_T", RELU_EARLY)
    say("relu_b1_range_early", np.round([lo[early].min(), hi[early].max()], 2) if early.any() else None)
    say("relu_b1_range_late", np.round([lo[late].min(), hi[late].max()], 2) if late.any() else None)
    say("relu_lifted_range", span(lifted[sizes >= T0]), sig=3)
    for row, name in enumerate(runs):  # one scale per row (the two MLPs' activations differ 40x)
        lim = 1.1 * max(max(np.abs(pre).max(), np.abs(pre + b1).max()) for (n, _), (pre, b1) in panels.items()
                        if n == name)
        for ax, T in zip(axes[row], show):
            pre, b1 = panels[name, T]
            ax.scatter(pre[:, 0], pre[:, 1], s=2, c="tab:orange", label="W1 x (pre-bias)")
            ax.scatter(pre[:, 0] + b1[0], pre[:, 1] + b1[1], s=2, c="tab:red", alpha=0.3, label="W1 x + b1")
            ax.scatter([b1[0]], [b1[1]], s=40, c="tab:purple", marker="*", zorder=3, label="b1")
            ax.axhline(0, c="gray", lw=0.4)
            ax.axvline(0, c="gray", lw=0.4)
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal",
                   title=f"{EXPERIMENTS[name]}\nT={T}: b1=({b1[0]:.2f}, {b1[1]:.2f})")
            ax.title.set_fontsize(7)
            ax.tick_params(labelsize=6)
        axes[row, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle("Pre-bias activations W1 x (orange), W1 x + b1 (red) and the bias b1 (purple), one scale per row; "
                 + describe(cfg0, "n", "m", "sparsity", "steps") + f", seed {SEED} of {cfg0['seeds']}")
    fig.tight_layout()
    r.save(fig, "M5_mlp_horseshoe")


if __name__ == "__main__":
    main()
