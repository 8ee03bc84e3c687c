"""X4 -- Beyond the write-up: what sets the height of the bottleneck's test-loss peak?

B2's peak (T=400, mean test loss 259 over 4 seeds, seeds 215-311) sits between the two published
anchors: Henighan et al. (n=10,000, S=0.999) report a test loss near 1.01 in the middle regime,
Jermyn's replication up to 5,000. This script varies, at B2's peak (T=400), what could move it:
weight decay (0, 1e-2, 1), the number of steps (10,000, 50,000, 200,000, each with the Henighan
schedule, warm-up 5%), the size of the test set (the first 1,000, 10,000 or 100,000 of one set of
fresh samples) and selection (the best of k seeds by train loss, k = 1, 4, 16).

Settings: B2's (n=1000, m=2, S=0.99, normalised, MSE, tied W xavier_normal, lr 1e-3, float32), 16
seeds per cell; minimem.experiments "peak_height", one cached unit per (weight decay, steps).

Run: python scripts/X4_peak_height.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem.experiments import adam_reach_of, best_of
from minimem import experiments

# --- config
EXPERIMENT = "peak_height"
KS = (1, 4, 16)


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    wds, steps = cfg["weight_decays"], cfg["step_counts"]
    subsets = [k for k in experiments.N_TEST_SUBSETS if k <= cfg["n_test"]]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 3, figsize=(15, 4.4))
    colors = pyplot.get_cmap("viridis")(np.linspace(0, 0.85, len(steps)))
    for a, wd in enumerate(wds):
        for b, st in enumerate(steps):
            res = out[(wd, st)]
            test, train = res["test_loss"], res["train_loss"]
            x = a + (b - 1) * 0.2
            axes[0].scatter(np.full(test.size, x), test, s=8, color=colors[b], label=f"{st} steps" if a == 0 else None)
            axes[0].scatter([x], [test.mean()], s=60, marker="_", color="k")
            line = ", ".join(f"n_test={k}: {res[f'test_loss_{k}'].mean():.3g}" for k in subsets)
            reach = adam_reach_of(experiments.peak_height_run(cfg, wd, st))
            print(f"wd={wd:g}, {st} steps (AdamW's reach {reach:.3g}): test loss mean {test.mean():.4g}, median {np.median(test):.4g}, seeds "
                  f"{test.min():.3g}-{test.max():.3g}; train {train.mean():.3g}; best of k: "
                  + ", ".join(f"k={k}: {best_of(train, test, k):.3g}" for k in KS if k <= len(test))
                  + (f"; {line}" if line else ""))
    axes[0].set(xticks=range(len(wds)), xticklabels=[f"wd {wd:g}" for wd in wds], yscale="log",
                ylabel=f"test loss at T={cfg['T']} (dots: seeds, bar: mean)",
                title="weight decay x steps")
    axes[0].axhline(1.0, c="gray", ls="--", lw=0.8, label="all-zeros output")
    axes[0].legend(fontsize=7)
    base = out[(1e-2, 50_000)] if (1e-2, 50_000) in out else next(iter(out.values()))
    for i, k in enumerate(k for k in KS if k <= len(base["test_loss"])):  # markers only: the cells are categories
        vals = [best_of(out[(wd, st)]["train_loss"], out[(wd, st)]["test_loss"], k) for wd in wds for st in steps]
        axes[1].plot(np.arange(len(vals)) + (i - 1) * 0.15, vals, "o", ms=4,
                     label="every seed (mean)" if k == 1 else f"best of {k} by train loss (mean over {len(base['test_loss']) // k})")
    axes[1].set(xticks=range(len(wds) * len(steps)), yscale="log",
                xticklabels=[f"wd {wd:g}\n{st // 1000}k" for wd in wds for st in steps], title="selection: best of k",
                ylabel="test loss")
    axes[1].tick_params(axis="x", labelsize=6)
    axes[1].legend(fontsize=7, loc="center right")
    for wd in wds:
        for st in steps:
            res = out[(wd, st)]
            if subsets:
                axes[2].plot(subsets, [res[f"test_loss_{k}"].mean() for k in subsets], "o-", ms=3,
                             label=f"wd {wd:g}, {st // 1000}k steps")
    axes[2].set(xscale="log", yscale="log", xlabel="test samples", ylabel="mean test loss over seeds",
                title="the size of the test set")
    if subsets:
        axes[2].legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle("ReLU output model at its peak: " + describe(cfg, "T", "n", "m", "sparsity")
                 + f", {cfg['seeds']} seeds per cell")
    fig.tight_layout()
    r.save(fig, "X4_peak_height")


if __name__ == "__main__":
    main()
