"""F4 -- The bottleneck double descent with untied weights: x' = ReLU(W2 W1 x + b).

The write-up checks that splitting W, W^T into independent W1, W2 is not what makes the
unembedding's features square: with untied weights and the MSE loss the bottleneck still double
descends and its features (columns of W1) stay circles.

Settings: as B2 (n=1000, m=2, S=0.99, normalised inputs, MSE, 50,000 steps, Henighan schedule,
weight decay 1e-2, 4 seeds per T, test loss on 10,000 fresh samples), but W1 (m, n) and W2 (n, m)
independent, both xavier_normal. Runs: scripts/_runs.py bottleneck_dd(tied=False), cached.

Run: python scripts/F4_untied_bottleneck.py [--quick] [--fresh]   (full: 12 min on two cores, measured)
"""

import numpy as np

from _common import parser, peak, plt, save
from _runs import bottleneck_dd
from B2_double_descent import plot_dd

SHOW = [10, 100, 300, 1000, 5000]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = bottleneck_dd(args.quick, args.fresh, tied=False)
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    print(f"test-loss peak (mean over seeds): T={T_peak}, loss {height:.3f}; per seed: {per_seed}")
    pyplot = plt()
    show = [T for T in (SHOW if not args.quick else sizes[::2]) if T in sizes]
    fig = pyplot.figure(figsize=(2.3 * max(len(show), 4), 6.4))
    gs = fig.add_gridspec(2, len(show))
    ax = fig.add_subplot(gs[0, :])
    plot_dd(ax, sizes, res["train_loss"], res["test_loss"],
            f"untied ReLU output model x' = ReLU(W2 W1 x + b): n={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, "
            f"{cfg['steps']} steps")
    ax.axvline(T_peak, c="tab:red", ls=":", lw=0.8)
    sl = sizes.tolist()
    for j, T in enumerate(show):
        ax = fig.add_subplot(gs[1, j])
        W1 = res["param_W1"][sl.index(T), 0]  # (m, n)
        ax.scatter(W1[0], W1[1], s=2, c="tab:blue")
        lim = 1.05 * np.abs(W1).max()
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[], title=f"W1 columns, T={T}")
    fig.tight_layout()
    save(fig, "F4_untied_bottleneck", args.quick)


if __name__ == "__main__":
    main()
