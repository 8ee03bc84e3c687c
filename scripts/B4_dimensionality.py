"""B4 -- Fractional dimensionality of the data points and of the features vs T.

Henighan et al. (and the write-up after them) measure D_t = ||h_t||^2 / sum_s (ĥ_t . h_s)^2 for
every training point's hidden vector h_t = W x_t, and the same formula on the features W_i: while
the model memorises, each of the T data points gets about m/T of a dimension (a regular T-gon in
m=2 dimensions gives exactly m/T) and the features get almost none; past the peak, the data points
lose their dimensions and a few features gain them.

Settings: the runs of B2 (scripts/_runs.py: bottleneck_dd; n=1000, m=2, S=0.99, normalised,
50,000 steps), all seeds; each point is one data point or one feature (jittered in T), with the
m/T guide line. Also the maximal data dimensionality D*_t = h_t^T (H^T H)^+ h_t (sums to rank H).

Run: python scripts/B4_dimensionality.py [--quick] [--fresh]   (redraws from B2's cache in seconds)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import bottleneck_dd
from minimem import metrics


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = bottleneck_dd(args.quick, args.fresh)
    sizes = np.array(cfg["sizes"])
    rng = np.random.default_rng(0)  # jitter only
    pyplot = plt()
    fig, axes = pyplot.subplots(3, 1, figsize=(6.5, 8), sharex=True)
    for i, T in enumerate(sizes):
        for s in range(cfg["seeds"]):
            W = res["param_W"][i, s].astype(np.float64)  # (m, n)
            x = sparse_set(int(T), cfg["n"], cfg["sparsity"], s, cfg["normalize"], np.float32, 0)
            H = x.astype(np.float64) @ W.T  # (T, m)
            jit = lambda k: T * np.exp(rng.uniform(-0.08, 0.08, k))  # noqa: E731
            Dd = metrics.fractional_dimensionality(H)
            Df = metrics.feature_dimensionality(W)
            Ds = metrics.max_data_dimensionality(H)
            axes[0].scatter(jit(len(Dd)), Dd, s=1, c="tab:red", alpha=0.3)
            axes[1].scatter(jit(len(Ds)), Ds, s=1, c="tab:purple", alpha=0.3)
            axes[2].scatter(jit(len(Df)), Df, s=1, c="tab:blue", alpha=0.3)
    guide = np.geomspace(sizes[0], sizes[-1], 100)
    for ax in axes[:2]:
        ax.plot(guide, np.minimum(cfg["m"] / guide, 1), "k--", lw=0.8, label="m / T")
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set(ylabel="data points: D_t", xscale="log", title=f"fractional dimensionality; n={cfg['n']}, "
                f"m={cfg['m']}, S={cfg['sparsity']}, {cfg['steps']} steps, {cfg['seeds']} seeds")
    axes[1].set(ylabel="data points: D*_t (max. data dim.)")
    axes[2].set(ylabel="features: D_i", xlabel="data set size T")
    save(fig, "B4_dimensionality", args.quick)


if __name__ == "__main__":
    main()
