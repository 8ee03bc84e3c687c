"""X4 -- Beyond the write-up: what sets the height of the bottleneck's test-loss peak?

B2's peak (T=400, mean test loss 259 over 4 seeds, seeds 215-311) sits between the two published
anchors: Henighan et al. (n=10,000, S=0.999) report a test loss near 1.01 in the middle regime,
Jermyn's replication up to 5,000. This script varies, at B2's peak (T=400), what could move it:
weight decay (0, 1e-2, 1), the number of steps (10,000, 50,000, 200,000, each with the Henighan
schedule, warm-up 5%), the size of the test set (the first 1,000, 10,000 or 100,000 of one set of
fresh samples) and selection (the best of k seeds by train loss, k = 1, 4, 16). A second set of
runs ("peak_height_arms", weight decay 1e-2) varies the schedule's form (constant, the cosine
without warm-up) and separates AdamW's reach from the number of steps: the learning rate at fixed
steps (3e-4, 1e-3, 3e-3 over 50,000), and the steps at B2's reach (lr 5e-3 over 10,000, 1e-3 over
50,000, 2.5e-4 over 200,000 reach equally far).

Settings: B2's (n=1000, m=2, S=0.99, normalised, MSE, tied W xavier_normal, lr 1e-3, float32), 16
seeds per cell; minimem.experiments "peak_height", one cached unit per (weight decay, steps), and
"peak_height_arms", one per arm.
Every setting, from the catalogue: python -m minimem config X4.

Run: python scripts/X4_peak_height.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem.experiments import adam_reach_of, best_of
from minimem import experiments
from minimem.named import say

# --- config
EXPERIMENT = "peak_height"
KS = (1, 4, 16)


# the arms compared at one reach, and at one number of steps (names of experiments.PEAK_ARMS)
SAME_REACH = ("lr 5e-3, 10k steps", "Henighan, lr 1e-3, 50k steps", "lr 2.5e-4, 200k steps")
SAME_STEPS = ("lr 3e-4", "Henighan, lr 1e-3, 50k steps", "lr 3e-3")
SCHEDULES = ("Henighan, lr 1e-3, 50k steps", "no warm-up", "constant lr 5e-4", "constant lr 1e-3")


def short(arm):
    return {"Henighan, lr 1e-3, 50k steps": "henighan", "constant lr 1e-3": "constant_1e3",
            "constant lr 5e-4": "constant_5e4", "no warm-up": "no_warmup", "lr 3e-4": "lr_3e4", "lr 3e-3": "lr_3e3",
            "lr 5e-3, 10k steps": "steps_10k", "lr 2.5e-4, 200k steps": "steps_200k"}[arm]


def cell_numbers(name, res, reach):
    """A cell's test loss (mean, seed range, the standard error of a mean of 4 seeds), train loss,
    reach and best of k, named ``<name>_...``."""
    test, train = res["test_loss"], res["train_loss"]
    say(f"{name}_mean", test.mean())
    say(f"{name}_range", (test.min(), test.max()), sig=3)
    say(f"{name}_train", train.mean(), sig=3)
    say(f"{name}_reach", reach, sig=3)
    best = {k: best_of(train, test, k) for k in KS if k <= len(test)}
    say(f"{name}_best_of", best, sig=3)
    return test.mean(), best.get(4), test.std(ddof=1) / np.sqrt(4)


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    acfg, arms = r.run("peak_height_arms")
    # --- plot
    wds, steps = cfg["weight_decays"], cfg["step_counts"]
    subsets = [k for k in experiments.N_TEST_SUBSETS if k <= cfg["n_test"]]
    say("T", cfg["T"])
    say("seeds", cfg["seeds"])
    selection = []  # (mean, best of 4, standard error of a mean of 4 seeds) per cell
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 4, figsize=(20, 4.4))
    colors = pyplot.get_cmap("viridis")(np.linspace(0, 0.85, len(steps)))
    for a, wd in enumerate(wds):
        for b, st in enumerate(steps):
            res = out[(wd, st)]
            test, train = res["test_loss"], res["train_loss"]
            x = a + (b - 1) * 0.2
            axes[0].scatter(np.full(test.size, x), test, s=8, color=colors[b], label=f"{st} steps" if a == 0 else None)
            axes[0].scatter([x], [test.mean()], s=60, marker="_", color="k")
            reach = adam_reach_of(experiments.peak_height_run(cfg, wd, st))
            name = (f"wd{['0', '1e2', '1'][[0.0, 1e-2, 1.0].index(wd)] if wd in (0.0, 1e-2, 1.0) else wd}_"
                    + (f"{st // 1000}k" if st % 1000 == 0 else str(st)))
            selection.append(cell_numbers(name, res, reach))
            if subsets:
                say(f"{name}_by_n_test", {k: res[f"test_loss_{k}"].mean() for k in subsets}, sig=3)
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
    # the arms: the schedule's form, and the reach against the steps
    units = {u["arm"]: u for u in experiments.EXPERIMENTS["peak_height_arms"].units(acfg)}
    ax = axes[3]
    for arm in acfg["arms"]:
        reach = adam_reach_of(dict(acfg, **units[arm]))
        selection.append(cell_numbers(short(arm), arms[(arm,)], reach))
        say(f"{short(arm)}_largest_w_over_reach", arms[(arm,)]["largest_w"].mean() / reach, sig=2)
    groups = [("same reach 22:\nsteps", SAME_REACH), ("50k steps:\nlr (reach)", SAME_STEPS), ("schedule", SCHEDULES)]
    ticks, labels, x = [], [], 0
    for g, (title, names) in enumerate(groups):
        for arm in names:
            u = units[arm]
            test = arms[(arm,)]["test_loss"]
            ax.scatter(np.full(test.size, x), test, s=8, color=f"C{g}")
            ax.scatter([x], [test.mean()], s=60, marker="_", color="k")
            ticks.append(x)
            if g == 0:
                labels.append(f"{u['steps'] // 1000}k, lr {u['lr']:g}")
            elif g == 1:
                labels.append(f"lr {u['lr']:g} ({adam_reach_of(dict(acfg, **u)):.3g})")
            else:
                labels.append({"henighan": "Henighan", "no_warmup": "no warm-up", "constant_5e4": "const 5e-4",
                               "constant_1e3": "const 1e-3"}[short(arm)])
            x += 1
        ax.text(x - len(names) / 2 - 0.5, 1.3, title, ha="center", fontsize=7, color=f"C{g}")
        x += 0.6
    ax.set(xticks=ticks, yscale="log", ylabel=f"test loss at T={cfg['T']} (dots: seeds, bar: mean)",
           title="the steps at one reach, the reach at 50k steps, the schedule (weight decay 1e-2)")
    ax.set_xticklabels(labels, rotation=60, fontsize=6)
    ax.axhline(1.0, c="gray", ls="--", lw=0.8)
    henighan = units[SCHEDULES[0]]  # the arm that repeats a cell of the grid (the same steps, full mode only)
    if (1e-2, henighan["steps"]) in out:
        say("rerun_of_B2_cell", arms[(SCHEDULES[0],)]["test_loss"].mean() / out[(1e-2, henighan["steps"])]["test_loss"].mean(),
            sig=3)  # the same cell trained again with this checkout's kernels (float32 round-off over 50,000 steps)
    lw = [arms[(a,)]["largest_w"].mean() / adam_reach_of(dict(acfg, **units[a])) for a in acfg["arms"]]
    say("arms_largest_w_over_reach_range", (min(lw), max(lw)), sig=2)
    mean = {a: arms[(a,)]["test_loss"].mean() for a in acfg["arms"]}
    reach = {a: adam_reach_of(dict(acfg, **units[a])) for a in acfg["arms"]}
    say("step_counts", steps)
    say("weight_decays", wds)
    say("arm_lr", {short(a): units[a]["lr"] for a in acfg["arms"]})
    say("n_test_subsets", subsets)
    say("k_select", 4)
    say("schedule_at_one_reach", mean["constant lr 5e-4"] / mean[SCHEDULES[0]], sig=3)  # constant / Henighan
    say("no_warmup_at_one_reach", mean["no warm-up"] / mean[SCHEDULES[0]], sig=3)  # the same reach, no warm-up
    lo, hi = SAME_STEPS[0], SAME_STEPS[-1]
    say("lr_height_ratio", mean[hi] / mean[lo], sig=2)
    say("lr_reach_ratio", reach[hi] / reach[lo], sig=2)
    lo, hi = SAME_REACH[0], SAME_REACH[-1]
    say("steps_height_ratio", mean[hi] / mean[lo], sig=2)
    say("steps_ratio", units[hi]["steps"] / units[lo]["steps"], sig=2)
    trains = [r["train_loss"].mean() for r in out.values()] + [r["train_loss"].mean() for r in arms.values()]
    say("train_range", (min(trains), max(trains)), sig=3)
    # selection: the best of 4 seeds by train loss against the mean, in standard errors of a mean of 4
    z = np.array([(b4 - m) / se for m, b4, se in selection if b4 is not None and se > 0])
    say("selection_cells", len(z))
    say("selection_above_mean", int((z > 0).sum()))
    say("selection_z_range", (z.min(), z.max()) if z.size else None, sig=3)
    fig.suptitle("ReLU output model at its peak: " + describe(cfg, "T", "n", "m", "sparsity")
                 + f", {cfg['seeds']} seeds per cell")
    fig.tight_layout()
    r.save(fig, "X4_peak_height")


if __name__ == "__main__":
    main()
