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
Every setting, from the catalogue: python -m minimem config X3.

Run: python scripts/X3_mlp_interpolation_threshold.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

from collections import defaultdict

import numpy as np

from _plot import SEED_NOTE, describe, plt, seeds_vs_T
from minimem.cli import FigureScript
from minimem import experiments
from minimem.named import say

# --- config
GRID, VARIANTS = "mlp_small_T", "mlp_variants"
SIG = {"train_loss_mean": 3, "bound_mean": 3, "dead_units_mean": 3, "test_acc_mean": 2}  # else 4


def dec3(x):
    """A test-MSE difference as the section cites it: 3 decimals."""
    return round(float(x), 3)


def finite(values):
    """The values that are not NaN (a T0 outside a small grid)."""
    return [v for v in values if np.isfinite(v)]


def bump(sizes, test, T0):
    """At T0: the mean test loss minus the larger of its two neighbours', and the seed spread there
    (NaN where T0 is not an inner size of the grid)."""
    if T0 not in sizes[1:-1]:
        return np.nan, np.nan
    i = sizes.index(T0)
    mean = test.mean(1)
    return float(mean[i] - max(mean[i - 1], mean[i + 1])), float(test[i].max() - test[i].min())


def rises(sizes, test):
    """Every step up of the mean test loss (sizes, seeds) from one T to the next: (T before, T, rise,
    the seed spread (max - min) at T, how many seeds rise there)."""
    mean = test.mean(1)
    return [(sizes[i - 1], sizes[i], float(mean[i] - mean[i - 1]), float(test[i].max() - test[i].min()),
             int(np.sum(test[i] > test[i - 1]))) for i in range(1, len(sizes)) if mean[i] > mean[i - 1]]


def large_T(r, row, colors):
    """The bottom row: the variants at M2's own sizes (T=3 to 5,000), at m=2 and m=8, as the mean test
    MSE over the null level (the all-zeros output's) with the seeds' band; what has landed (M2's
    script names the numbers)."""
    cfg, units, results = r.landed("mlp_variants_sizes")
    curves = experiments.variant_curves(cfg, units, results)
    for j, m in enumerate(cfg["hidden"]):
        ax = row[j]
        for k, name in enumerate(cfg["variants"]):
            c = curves.get((name, m))
            if c is None:
                continue
            ratio = c["test"] / c["null"].mean()  # (sizes, seeds)
            color = "k" if k == 0 else colors(k - 1)
            ax.plot(c["sizes"], ratio.mean(1), "o-", ms=2.5, c=color, label=name)
            ax.fill_between(c["sizes"], ratio.min(1), ratio.max(1), color=color, alpha=0.1, lw=0)
        ax.axhline(1.0, c="0.5", lw=0.8)
        landed = sum(1 for v in cfg["variants"] if (v, m) in curves)
        ax.set(xscale="log", xlabel="data set size T", ylabel="test MSE / all-zeros output's",
               title=f"M2's sizes, m={m}: {landed} of {len(cfg['variants'])} settings landed")
        if landed:
            ax.legend(fontsize=6)
    for ax in row[len(cfg["hidden"]):]:
        ax.axis("off")


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, grid = r.run(GRID)
    vcfg, variants = r.run(VARIANTS)
    # --- plot
    sizes, ms = list(cfg["sizes"]), cfg["hidden"]
    say("sizes", sizes)
    say("hidden", ms)
    say("seeds", cfg["seeds"])
    per_m = defaultdict(dict)  # name -> {m: value}, named after the loop
    ratios = []  # every rise of the mean test MSE over the seed spread at its T, all m
    pyplot = plt()
    fig, axes = pyplot.subplots(4, len(ms) + 1, figsize=(4.2 * (len(ms) + 1), 14.4), squeeze=False)
    for j, m in enumerate(ms):
        get = lambda k: np.stack([grid[(T, m)][k] for T in sizes])  # noqa: E731  (sizes, seeds)
        test, train, bound, dead = get("test_loss"), get("train_loss"), get("bound"), get("dead_units")
        best = np.argmin(train, axis=1)  # best of k seeds by train loss
        test_best = test[np.arange(len(sizes)), best]
        i_peak = int(np.argmax(test.mean(1)))
        b, spread = bump(sizes, test, m + 1)
        up = rises(sizes, test)
        per_m["test_loss_mean"][m] = dict(zip(sizes, test.mean(1)))
        per_m["peak_T"][m], per_m["peak_test_loss"][m] = sizes[i_peak], test.mean(1)[i_peak]
        per_m["threshold_T"][m] = m + 1
        per_m["bump_at_threshold"][m], per_m["spread_at_threshold"][m] = dec3(b), dec3(spread)
        # train MSE over the rank-m affine bound where the bound is not zero
        per_m["train_over_bound"][m] = {T: v for T, v, bb in zip(sizes, (train / np.maximum(bound, 1e-30)).mean(1),
                                                                 bound.mean(1)) if bb > 1e-6}
        per_m["dead_units_mean"][m] = dict(zip(sizes, dead.mean(1)))
        # every rise of the mean test MSE: (T before, T, rise, seed spread at T, seeds that rise)
        per_m["rises"][m] = [(a, t, dec3(d), dec3(sp), k) for a, t, d, sp, k in up]
        per_m["n_rises"][m] = len(up)
        per_m["rise_range"][m] = (dec3(min(u[2] for u in up)), dec3(max(u[2] for u in up))) if up else None
        per_m["rise_spread_range"][m] = (dec3(min(u[3] for u in up)), dec3(max(u[3] for u in up))) if up else None
        per_m["largest_rise"][m] = max(per_m["rises"][m], key=lambda u: u[2]) if up else None
        ratios += [d / max(sp, 1e-30) for _, _, d, sp, _ in up]
        per_m["train_loss_mean"][m] = dict(zip(sizes, train.mean(1)))
        per_m["bound_mean"][m] = dict(zip(sizes, bound.mean(1)))  # the all-zeros output's test MSE is 1
        per_m["test_acc_mean"][m] = dict(zip(sizes, get("test_acc").mean(1)))
        per_m["best_test_loss"][m] = dict(zip(sizes, test_best))
        per_m["best_peak_T"][m] = sizes[int(np.argmax(test_best))]
        per_m["best_bump_at_threshold"][m] = bump(sizes, test_best[:, None], m + 1)[0]
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
    for name, v in per_m.items():
        say(name, v, sig=SIG.get(name, 4))
    say("peak_Ts", sorted(set(per_m["peak_T"].values())))  # the sizes where some m's mean test MSE is highest
    say("largest_rise_over_spread", max(ratios, default=None), sig=2)
    say("best_peak_Ts", sorted(set(per_m["best_peak_T"].values())))
    say("best_bump_max", max(finite(per_m["best_bump_at_threshold"].values()), default=None), sig=2)
    acc = {(m, T): a for m, d in per_m["test_acc_mean"].items() for T, a in d.items()}
    m_acc, T_acc = max(acc, key=acc.get)
    say("acc_max", acc[m_acc, T_acc], sig=2)
    say("acc_max_m", m_acc)
    say("acc_max_T", T_acc)
    say("chance", 1 / cfg["n"])
    say("acc_max_over_chance", acc[m_acc, T_acc] * cfg["n"], sig=2)
    vsizes = list(vcfg["sizes"])
    vtest, vbump = {}, {}
    ax, ax_dead = axes[0, -1], axes[2, -1]
    axes[1, -1].axis("off")
    colors = pyplot.get_cmap("tab10")
    for k, name in enumerate(vcfg["variants"]):
        test = np.stack([variants[(name, T)]["test_loss"] for T in vsizes])
        vtest[name], vbump[name] = dict(zip(vsizes, test.mean(1))), dec3(bump(vsizes, test, vcfg["m"] + 1)[0])
        ax.plot(vsizes, test.mean(1), "o-", ms=3, c=colors(k), label=f"{name} (mean of {test.shape[1]} seeds)")
        ax.fill_between(vsizes, test.min(1), test.max(1), color=colors(k), alpha=0.12, lw=0)
        dead = np.stack([variants[(name, T)]["dead_units"] for T in vsizes])
        ax_dead.plot(vsizes, dead.mean(1), "o-", ms=3, c=colors(k), label=name)
    say("variant_test_loss_mean", vtest)
    say("variant_bump_at_threshold", vbump)  # at T = m + 1, the mean minus the larger neighbour
    say("variant_threshold_T", vcfg["m"] + 1)
    ok = finite(vbump.values())
    say("variant_bump_range", (min(ok), max(ok)) if ok else None)
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
    large_T(r, axes[3], colors)
    fig.suptitle("MLP auto-encoder at small T: " + describe(cfg, "n", "sparsity", "steps", "weight_decay")
                 + f", {cfg['seeds']} seeds per cell (variants: {vcfg['seeds']})")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    r.save(fig, "X3_mlp_interpolation_threshold")


if __name__ == "__main__":
    main()
