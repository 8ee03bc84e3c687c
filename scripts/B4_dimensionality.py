"""B4 -- Fractional dimensionality of the data points and of the features vs T.

Henighan et al. (and the write-up after them) measure D_t = ||h_t||^2 / sum_s (ĥ_t . h_s)^2 for
every training point's hidden vector h_t = W x_t, and the same formula on the features W_i: while
the model memorises, each of the T data points gets about m/T of a dimension (a regular T-gon in
m=2 dimensions gives exactly m/T) and the features get almost none; past the peak, the data points
lose their dimensions and a few features gain them.

Settings: the runs of B2 (minimem.experiments: "bottleneck_dd"; n=1000, m=2, S=0.99, normalised,
50,000 steps), all seeds; each point is one data point or one feature (jittered in T), with the
m/T guide line; the data points' panels on a log axis, with the median D_t per T. Also the maximal data dimensionality D*_t = h_t^T (H^T H)^+ h_t (sums to rank H).
Every setting, from the catalogue: python -m minimem config B4.

Run: python scripts/B4_dimensionality.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import dimensionality_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import dimensionalities
from minimem import experiments, relu_output
from minimem.named import say

# --- config
EXPERIMENT = "bottleneck_dd"  # B2's sweep
BIG = 0.1  # a feature with D_i above this has a share of a dimension (the shared printout's threshold)


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)

    # --- plot
    def vectors(i, s):
        p = experiments.params_at(res, i, s)
        x = experiments.train_set(cfg, cfg["sizes"][i], s)[None].astype(np.float64)  # (1, T, n)
        p = {k: v.astype(np.float64) for k, v in p.items()}
        return relu_output.hidden(p, x)[0], p["W"][0]  # h_t = W x_t (T, m), W (m, n)

    dims = dimensionalities(cfg, vectors)  # {(i, s): [D_t (T,), D*_t (T,), D_i (n,)]}
    sizes, seeds = np.array(cfg["sizes"]), range(cfg["seeds"])
    say("sizes", sizes)
    say("m", cfg["m"])
    median = [np.median(np.concatenate([dims[(i, s)][0] for s in seeds])) for i in range(len(sizes))]  # all seeds
    say("median_D_t", dict(zip(sizes.tolist(), median)), sig=3)
    say("m_over_T", {int(T): min(cfg["m"] / T, 1) for T in sizes}, sig=3)
    say("big_D_i", BIG)
    big = [[dims[(i, s)][2][dims[(i, s)][2] > BIG] for s in seeds] for i in range(len(sizes))]  # (sizes, seeds)
    count = np.array([[len(b) for b in row] for row in big])  # (sizes, seeds) features with D_i > 0.1
    say("big_features", dict(zip(sizes.tolist(), count.tolist())))  # per seed
    none = sizes[(count == 0).all(1)]
    say("no_big_features_T", (none.min(), none.max()))  # (none between them: every seed 0)
    say("no_big_features_between", bool((count[(sizes >= none.min()) & (sizes <= none.max())] == 0).all()))
    settled = count[-1].min()  # the fewest features any seed keeps at the largest T
    late = np.flatnonzero([(count[i:] >= settled).all() for i in range(len(sizes))])[0]
    say("settled_count", settled)
    say("settled_from_T", sizes[late])  # from here on every seed has at least settled_count
    say("settled_exceptions", int((count[late:] != settled).sum()))  # (T, seed) with another count
    mean_D = [np.mean([b.mean() for b in row if len(b)]) for row in big[late:]]  # mean D_i of the big ones per T
    say("settled_mean_D_i_range", (min(mean_D), max(mean_D)), sig=2)
    fig = dimensionality_figure(plt(), cfg, dims, "ReLU output model fractional dimensionality")
    for ax in fig.axes[:2]:  # D_t and D*_t span decades: log y shows them against the m/T guide
        ax.set_yscale("log")
    fig.axes[0].plot(sizes, median, "D", c="k", ms=3.5, mfc="w", label="median D_t (all seeds)")
    fig.axes[0].legend(fontsize=7, loc="lower left")
    r.save(fig, "B4_dimensionality")


if __name__ == "__main__":
    main()
