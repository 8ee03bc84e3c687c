"""B3 -- From memorisation to generalisation: features W_i (blue) and hidden vectors h_t (red).

The write-up reproduces Henighan et al.'s progression in the 2-D hidden space of the ReLU output
model: for small T the hidden vectors of the training points form a regular polygon and the
features are scattered (memorisation); past the test-loss peak the features organise into a few
directions and the data points collapse onto them (generalisation).

Settings: the runs of B2 (scripts/_runs.py: bottleneck_dd; n=1000, m=2, S=0.99, normalised,
50,000 steps, Henighan schedule), seed 0, at eight data set sizes across the peak. Each panel shows
the columns W_i of W (blue dots, 1000 features) and h_t = W x_t for every training point (red
lines from the origin), both in the same 2-D hidden space.

Run: python scripts/B3_features_and_hidden.py [--quick] [--fresh]   (redraws from B2's cache in
seconds; trains B2's sweep first if it is not cached)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import bottleneck_dd

SHOW = [5, 20, 70, 150, 300, 700, 2000, 5000]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = bottleneck_dd(args.quick, args.fresh)
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] if not args.quick else sizes[1::1]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(show), figsize=(2.2 * len(show), 2.6))
    for ax, T in zip(np.atleast_1d(axes), show):
        i = sizes.index(T)
        W = res["param_W"][i, 0].astype(np.float64)  # (m, n), seed 0
        x = sparse_set(T, cfg["n"], cfg["sparsity"], 0, cfg["normalize"], np.float32, 0)  # (T, n)
        h = x.astype(np.float64) @ W.T  # (T, m)
        for hx, hy in h[:2000]:
            ax.plot([0, hx], [0, hy], c="tab:red", lw=0.5, alpha=0.6)
        ax.scatter(W[0], W[1], s=1.5, c="tab:blue", zorder=3)
        lim = 1.1 * max(np.percentile(np.abs(W), 99.5), np.percentile(np.abs(h), 99.5))  # a few outliers may fall outside
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[],
               title=f"T={T}\ntrain {res['train_loss'][i, 0]:.2g}, test {res['test_loss'][i, 0]:.3f}")
    fig.suptitle(f"features W_i (blue) and hidden vectors h_t = W x_t (red); n={cfg['n']}, m={cfg['m']}, "
                 f"S={cfg['sparsity']}, {cfg['steps']} steps, seed 0", y=1.02)
    save(fig, "B3_features_and_hidden", args.quick)


if __name__ == "__main__":
    main()
