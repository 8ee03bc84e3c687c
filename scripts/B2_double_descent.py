"""B2 -- Double descent in the ReLU output model: train and test loss vs data set size T.

The write-up replicates Henighan et al. (2023) with 1000 features instead of 10,000 and sparsity
0.99 instead of 0.999: the test loss rises while the model memorises (train loss near 0, test loss
at or above the all-zeros level 1.0), peaks, and falls again once the model learns features; the
peak comes about 10x earlier than in the original paper.

Settings: x' = ReLU(W^T W x + b), n=1000, m=2, S=0.99, normalised inputs, uniform importance,
full batch, AdamW (lr 1e-3, warm-up 2,500 steps then cosine to 0 over 50,000 steps, weight decay
1e-2), xavier_normal W and zero b (the TMS notebook), float32, 4 seeds per T (mean and min-max
band), T from 3 to 5,000 dense around the peak, test loss on 10,000 fresh samples per seed.
The runs are shared with B3 and B4 (minimem.experiments: "bottleneck_dd") and cached in results/.
Every setting, from the catalogue: python -m minimem config B2.

Run: python scripts/B2_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import SEED_NOTE, describe, plt, seeds_vs_T
from minimem.cli import FigureScript
from minimem.experiments import peak, print_lost_outputs, print_sweep, rise
from minimem import metrics
from minimem import experiments
from minimem.named import say

# --- config
EXPERIMENT = "bottleneck_dd"  # shared with B3, B4
ALL_ZEROS = 1.0  # the loss of the all-zeros output on normalised data


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    T_peak, height = print_sweep(cfg, res, "MSE", ref=ALL_ZEROS)
    sizes = np.array(cfg["sizes"])
    mean = res["test_loss"].mean(1)
    T_rise = rise(sizes, mean, list(sizes).index(T_peak), ALL_ZEROS)
    say("rise_factor", 1.05)
    say("rise_T", T_rise)  # the first T of the run of sizes above 1.05 x the null that ends at the peak
    before = mean[sizes < T_rise] if T_rise else mean[:0]
    say("before_rise", (before.min(), before.max()) if before.size else None)  # the mean test MSE before the rise
    say("seeds_at_mean_peak", int(sum(T == T_peak for T, _ in peak(sizes, res["test_loss"])[2])))
    say("seeds", cfg["seeds"])
    say("n", cfg["n"])
    late = sizes >= 20  # past the smallest sizes, where a few hundred columns have moved
    sq = np.nanmean(metrics.squareness(res["W"]), 1)
    say("squareness_from_T", 20)
    say("squareness_range", (sq[late].min(), sq[late].max()) if late.any() else None, sig=2)
    lw = np.abs(res["W"]).max(axis=(-2, -1)).mean(1) / experiments.adam_reach_of(cfg)
    say("largest_w_over_reach_range", (lw.min(), lw.max()), sig=2)
    pub = experiments.PUBLISHED
    print(f"published (n=10,000, S=0.999): Henighan et al. middle regime {pub['henighan_regime'][0]} to "
          f"{pub['henighan_regime'][1]}, test loss ~{pub['henighan_loss']}; Jermyn {pub['jermyn_regime'][0]} to "
          f"{pub['jermyn_regime'][1]}, test loss up to {pub['jermyn_loss']:g}. {pub['earlier']}x earlier: "
          f"{pub['henighan_regime'][0] // pub['earlier']} to {pub['henighan_regime'][1] // pub['earlier']}; Jermyn's "
          f"T(1-S)={pub['jermyn_rule']} at S={cfg['sparsity']}: T={pub['jermyn_rule'] / (1 - cfg['sparsity']):.0f}. "
          f"Here the mean test MSE rises past 1.05 x the all-zeros level at T={T_rise} and peaks at T={T_peak}")
    print_lost_outputs(cfg, res)
    pyplot = plt()
    fig, (ax, ax2) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    seeds_vs_T(ax, sizes, res["train_loss"], "tab:blue", "train MSE")
    seeds_vs_T(ax, sizes, res["test_loss"], "tab:red", "test MSE")
    ax.axhline(ALL_ZEROS, c="gray", ls="--", lw=0.8, label="all-zeros output")
    ax.set(xlabel="data set size T", ylabel="MSE (log)", title=f"train and test loss; {SEED_NOTE}")
    ax.legend(fontsize=7)
    seeds_vs_T(ax2, sizes, res["test_loss"], "tab:red", "test MSE", logy=False)
    ax2.axhline(ALL_ZEROS, c="gray", ls="--", lw=0.8, label="all-zeros output")
    ax2.axvline(T_peak, c="tab:red", ls=":", lw=0.8)
    ax2.annotate(f"peak of the mean: T={T_peak}, {height:.3g}", (T_peak, height), textcoords="offset points",
                 xytext=(5, -10), fontsize=8)
    ax2.set(xlabel="data set size T", ylabel="test MSE (linear)", title="test loss on a linear axis")
    ax2.legend(fontsize=7)
    fig.suptitle("ReLU output model x' = ReLU(W^T W x + b): " + describe(cfg, "n", "m", "sparsity", "init", "steps",
                                                                          "weight_decay") + f", {cfg['seeds']} seeds")
    fig.tight_layout()
    r.save(fig, "B2_double_descent")


if __name__ == "__main__":
    main()
