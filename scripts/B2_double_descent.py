"""B2 -- Double descent in the ReLU output model: train and test loss vs data set size T.

The write-up replicates Henighan et al. (2023) with 1000 features instead of 10,000 and sparsity
0.99 instead of 0.999: the test loss rises while the model memorises (train loss near 0, test loss
at or above the all-zeros level 1.0), peaks, and falls again once the model learns features; the
peak comes about 10x earlier than in the original paper.

Settings: x' = ReLU(W^T W x + b), n=1000, m=2, S=0.99, normalised inputs, uniform importance,
full batch, AdamW (lr 1e-3, warm-up 2,500 steps then cosine to 0 over 50,000 steps, weight decay
1e-2), xavier_normal W and zero b (the TMS notebook), float32, 4 seeds per T (mean and min-max
band), T from 3 to 5,000 dense around the peak, test loss on 10,000 fresh samples per seed.
The runs are shared with B3 and B4 (scripts/_runs.py: bottleneck_dd) and cached in results/.

Run: python scripts/B2_double_descent.py [--quick] [--fresh]   (full: 13 min on two cores, measured; --quick ~30 s)
"""

import numpy as np

from _common import parser, peak, plt, save
from _runs import bottleneck_dd


def plot_dd(ax, sizes, train_loss, test_loss, title):
    for vals, label, c in [(train_loss, "train", "tab:blue"), (test_loss, "test", "tab:red")]:
        ax.loglog(sizes, vals.mean(axis=1), "o-", c=c, ms=3, label=f"{label} (mean of {vals.shape[1]} seeds)")
        ax.fill_between(sizes, vals.min(axis=1), vals.max(axis=1), color=c, alpha=0.2, lw=0)
    ax.axhline(1.0, c="gray", ls="--", lw=0.8, label="all-zeros output")
    ax.set(xlabel="data set size T", ylabel="loss", title=title)
    ax.legend(fontsize=7)


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = bottleneck_dd(args.quick, args.fresh)
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    print(f"test-loss peak (mean over seeds): T={T_peak}, loss {height:.3f}; per seed: {per_seed}")
    pyplot = plt()
    fig, (ax, ax2) = pyplot.subplots(1, 2, figsize=(10, 4))
    plot_dd(ax, sizes, res["train_loss"], res["test_loss"],
            f"ReLU output model: n={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, {cfg['steps']} steps")
    plot_test_zoom(ax2, sizes, res["test_loss"], T_peak, height)
    save(fig, "B2_double_descent", args.quick)


def plot_test_zoom(ax, sizes, test_loss, T_peak, height):
    """The test loss alone on a linear axis, where the peak is visible."""
    for s in range(test_loss.shape[1]):
        ax.semilogx(sizes, test_loss[:, s], "-", c="tab:red", alpha=0.3, lw=0.8)
    ax.semilogx(sizes, test_loss.mean(axis=1), "o-", c="tab:red", ms=3, label="test loss, mean and seeds")
    ax.axhline(1.0, c="gray", ls="--", lw=0.8, label="all-zeros output")
    ax.axvline(T_peak, c="tab:red", ls=":", lw=0.8)
    ax.annotate(f"peak T={T_peak}, {height:.3f}", (T_peak, height), textcoords="offset points", xytext=(5, 5),
                fontsize=8)
    ax.set(xlabel="data set size T", ylabel="test loss", title="test loss (linear scale)")
    ax.legend(fontsize=7)


if __name__ == "__main__":
    main()
