"""X3 -- Beyond the write-up: does the MLP auto-encoder have a test-loss peak at small T?

M2 and M7 find no double descent for the MLP h = ReLU(W1 x + b1), x' = W2 h + b2 that the write-up
reports. The outputs W2 h + b2 lie in an affine subspace of dimension at most m, so the MLP fits at
most m + 1 general points exactly (the interpolation threshold T = m + 1), and its train MSE is at
least that of the best rank-m affine fit of the training set (minimem.metrics.affine_rank_bound).
A peak, if any, should sit near T = m + 1. This script looks there: a dense grid of small T for
m in (2, 4, 8, 16) with 8 seeds, and m=2 under the settings that could matter (no weight decay on
the biases; learning rates 3e-3 and 1e-2; Gaussian init; unnormalised inputs; 4 seeds each), plus
"best of k": the seed with the lowest train loss of the 8. Dead hidden units (off for every
training point) are counted per run.

Settings: M2's (n=1000, S=0.99, normalised inputs, MSE, PyTorch init, the Henighan schedule over
50,000 steps, weight decay 1e-2, float32, 10,000 test samples); T in 1-40; minimem.experiments
"mlp_small_T" and "mlp_variants", one cached unit per (T, m) or (variant, T); only losses,
accuracies, dead-unit counts and the bound are kept.

Run: python scripts/X3_mlp_interpolation_threshold.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import SEED_NOTE, describe, plt, seeds_vs_T
from minimem.cli import FigureScript

# --- config
GRID, VARIANTS = "mlp_small_T", "mlp_variants"


def bump(sizes, test, T0):
    """At T0: the mean test loss minus the larger of its two neighbours', and the seed spread there."""
    i = sizes.index(T0)
    if i == 0 or i == len(sizes) - 1:
        return np.nan, np.nan
    mean = test.mean(1)
    return float(mean[i] - max(mean[i - 1], mean[i + 1])), float(test[i].max() - test[i].min())


def rises(sizes, test):
    """Every step up of the mean test loss (sizes, seeds) from one T to the next: (T before, T, rise,
    the seed spread (max - min) at T, how many seeds rise there)."""
    mean = test.mean(1)
    return [(sizes[i - 1], sizes[i], float(mean[i] - mean[i - 1]), float(test[i].max() - test[i].min()),
             int(np.sum(test[i] > test[i - 1]))) for i in range(1, len(sizes)) if mean[i] > mean[i - 1]]


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, grid = r.run(GRID)
    vcfg, variants = r.run(VARIANTS)
    # --- plot
    sizes, ms = list(cfg["sizes"]), cfg["hidden"]
    pyplot = plt()
    fig, axes = pyplot.subplots(3, len(ms) + 1, figsize=(4.2 * (len(ms) + 1), 10.8), squeeze=False)
    for j, m in enumerate(ms):
        get = lambda k: np.stack([grid[(T, m)][k] for T in sizes])  # noqa: E731  (sizes, seeds)
        test, train, bound, dead = get("test_loss"), get("train_loss"), get("bound"), get("dead_units")
        best = np.argmin(train, axis=1)  # best of k seeds by train loss
        test_best = test[np.arange(len(sizes)), best]
        i_peak = int(np.argmax(test.mean(1)))
        b, spread = bump(sizes, test, m + 1) if m + 1 in sizes else (np.nan, np.nan)
        print(f"m={m}: mean test MSE per T {dict(zip(sizes, np.round(test.mean(1), 3).tolist()))}")
        print(f"  largest mean test MSE at T={sizes[i_peak]} ({test.mean(1)[i_peak]:.3f}); at T=m+1={m + 1}: "
              f"mean minus the larger neighbour {b:+.3f} (seed spread there {spread:.3f})")
        print(f"  train MSE / rank-{m} affine bound per T (mean; bound > 1e-6): "
              + str({T: round(float(v), 3) for T, v, bb in zip(sizes, (train / np.maximum(bound, 1e-30)).mean(1),
                                                                bound.mean(1)) if bb > 1e-6}))
        print(f"  dead hidden units (mean over seeds, of {m}): {dict(zip(sizes, np.round(dead.mean(1), 2).tolist()))}")
        print(f"  every rise of the mean test MSE from one T to the next (T before -> T: rise, seed spread at T, seeds "
              f"of {test.shape[1]} that rise): " + "; ".join(f"{a} -> {b}: {d:+.3f}, {sp:.3f}, {k}"
                                                           for a, b, d, sp, k in rises(sizes, test)))
        print(f"  train MSE per T (mean): {dict(zip(sizes, [float(f'{v:.3g}') for v in train.mean(1)]))}; the rank-{m} affine "
              f"bound per T (mean; the all-zeros output's test MSE is 1): {dict(zip(sizes, [float(f'{v:.3g}') for v in bound.mean(1)]))}")
        print(f"  test accuracy per T (mean): {dict(zip(sizes, np.round(get('test_acc').mean(1), 4).tolist()))}")
        print(f"  best of {test.shape[1]} seeds by train loss, its test MSE: "
              f"{dict(zip(sizes, np.round(test_best, 3).tolist()))}")
        ax = axes[0, j]
        seeds_vs_T(ax, sizes, train, "tab:blue", "train MSE")
        seeds_vs_T(ax, sizes, test, "tab:red", "test MSE")
        ok = bound.mean(1) > 1e-9
        ax.plot(np.array(sizes)[ok], bound.mean(1)[ok], "--", c="tab:green", label=f"best rank-{m} affine fit")
        ax.plot(sizes, test_best, "x", c="k", ms=4, label=f"test MSE of the best of {test.shape[1]} seeds")
        ax.axvline(m + 1, c="gray", ls=":", lw=0.8, label="T = m + 1")
        ax.set(xlabel="data set size T", title=f"m={m}: {SEED_NOTE}")
        ax = axes[1, j]  # the test MSE alone, on a linear axis: a peak at T = m + 1 would show here
        seeds_vs_T(ax, sizes, test, "tab:red", "test MSE", logy=False)
        ax.plot(sizes, test_best, "x", c="k", ms=4, label="best of the seeds by train loss")
        ax.axvline(m + 1, c="gray", ls=":", lw=0.8, label="T = m + 1")
        ax.axhline(1.0, c="0.5", lw=0.8, label="all-zeros output")
        ax.set(xlabel="data set size T", ylabel="test MSE (linear)", title=f"m={m}: test MSE alone")
        ax = axes[2, j]
        ax.plot(sizes, dead.mean(1), "o-", ms=3, c="k")
        ax.set(xscale="log", xlabel="data set size T", ylabel=f"dead hidden units (of {m}, mean of seeds)",
               ylim=(-0.05 * m, 1.05 * m))
    vsizes = list(vcfg["sizes"])
    ax, ax_dead = axes[0, -1], axes[2, -1]
    axes[1, -1].axis("off")
    colors = pyplot.get_cmap("tab10")
    for k, name in enumerate(vcfg["variants"]):
        test = np.stack([variants[(name, T)]["test_loss"] for T in vsizes])
        b, spread = bump(vsizes, test, vcfg["m"] + 1)
        print(f"variant {name}: mean test MSE per T {dict(zip(vsizes, np.round(test.mean(1), 3).tolist()))}; at T=m+1: "
              f"mean minus the larger neighbour {b:+.3f} (seed spread {spread:.3f})")
        ax.plot(vsizes, test.mean(1), "o-", ms=3, c=colors(k), label=f"{name} (mean of {test.shape[1]} seeds)")
        ax.fill_between(vsizes, test.min(1), test.max(1), color=colors(k), alpha=0.12, lw=0)
        dead = np.stack([variants[(name, T)]["dead_units"] for T in vsizes])
        ax_dead.plot(vsizes, dead.mean(1), "o-", ms=3, c=colors(k), label=name)
    base = np.stack([grid[(T, vcfg["m"])]["test_loss"] for T in sizes])
    ax.plot(sizes, base.mean(1), "o-", ms=3, c="k", label=f"M2's setting (mean of {base.shape[1]} seeds)")
    ax.axvline(vcfg["m"] + 1, c="gray", ls=":", lw=0.8)
    ax.set(xscale="log", yscale="log", xlabel="data set size T", ylabel="test MSE",
           title=f"m={vcfg['m']} under other settings (band: min-max over seeds)")
    # the keys sit off the data: the m panels' below the figure, the variants' in the empty panel
    h1, l1 = axes[0, 0].get_legend_handles_labels()
    h2, l2 = axes[1, 0].get_legend_handles_labels()
    keys = {lab.replace(f"rank-{ms[0]}", "rank-m"): h for h, lab in zip(h1 + h2, l1 + l2)}
    fig.legend(list(keys.values()), list(keys), loc="lower center", ncol=len(keys), fontsize=8)
    axes[1, -1].legend(*ax.get_legend_handles_labels(), fontsize=7, loc="center", title="right column: the variants")
    ax_dead.set(xscale="log", xlabel="data set size T", ylabel=f"dead hidden units (of {vcfg['m']})",
                ylim=(-0.1, vcfg["m"] + 0.1), title="variants: dead hidden units (mean of seeds)")
    fig.suptitle("MLP auto-encoder at small T: " + describe(cfg, "n", "sparsity", "steps", "weight_decay")
                 + f", {cfg['seeds']} seeds per cell (variants: {vcfg['seeds']})")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    r.save(fig, "X3_mlp_interpolation_threshold")


if __name__ == "__main__":
    main()
