"""M6 -- Initialisation: uniform (PyTorch's default) leaves rectangles, Gaussian leaves circles.

The write-up: "The rectangles around the origin in the early feature plots above are a result of
weight initialization. For small dataset sizes some inputs are never used and the weights are thus
not updated. The standard initialization in PyTorch is uniform which looks like a rectangle in 2D.
If we change it to Gaussian initialization, the rectangles become circles." (Weight decay shrinks
the unused columns but keeps their shape.)

Settings: the MLP auto-encoder of M2 (n=1000, m=2, S=0.99, normalised, MSE, 50,000 steps, Henighan
schedule, weight decay 1e-2) at small T in (3, 10, 30, 100), 2 seeds, trained twice: W1, W2
uniform +-1/sqrt(fan_in) (PyTorch) and Gaussian N(0, 1/fan_in); b1 uniform, b2 zero in both.
Columns of W1, seed 0; the used features (non-zero in some training point) in blue, unused grey.
Runs: minimem.experiments "mlp_init_uniform" and "mlp_init_gaussian", cached.
Every setting, from the catalogue: python -m minimem config M6.

Run: python scripts/M6_mlp_initialisation.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem.experiments import print_unused, unused_columns
from minimem import experiments, metrics
from minimem.named import say

# --- config
EXPERIMENTS = {"uniform": "mlp_init_uniform", "gaussian": "mlp_init_gaussian"}
SEED = 0


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {init: r.run(name) for init, name in EXPERIMENTS.items()}
    # --- plot
    sizes = list(runs["uniform"][0]["sizes"])
    pyplot = plt()
    fig, axes = pyplot.subplots(2, len(sizes), figsize=(2.5 * len(sizes), 5.4), squeeze=False)
    lim = 1.08 * max(np.abs(res["W1"][:, SEED]).max() for _, res in runs.values())  # one scale for all panels
    for row, (init, (cfg, res)) in enumerate(runs.items()):
        for j, T in enumerate(sizes):
            W1 = res["W1"][j, SEED]  # (m, n)
            used = np.any(experiments.train_set(cfg, T, SEED) != 0, axis=0)  # (n,) features in some training point
            ax = axes[row, j]
            ax.scatter(W1[0, ~used], W1[1, ~used], s=1.5, c="0.6", label="unused features")
            ax.scatter(W1[0, used], W1[1, used], s=4, c="tab:blue", label="used features")
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=f"{init} init, T={T}")
            ax.tick_params(labelsize=6)
        print_unused(cfg, res, f"{init}")
        # per T and seed, the columns (m, k) of the features no training point uses
        unused = [[unused_columns(cfg, res, i, s) for s in range(cfg["seeds"])] for i in range(len(sizes))]
        sq = np.array([[metrics.squareness(u) for u in per_seed] for per_seed in unused])  # (T, seeds)
        say(f"{init}_squareness_range", np.round([sq.min(), sq.max()], 2))  # to 2 decimals, as printed
        if init == "uniform":
            lop = np.array([[metrics.lopsidedness(u) for u in per_seed] for per_seed in unused])  # (T, seeds)
            say("uniform_box", max(np.abs(u).max() for per_seed in unused for u in per_seed), sig=3)
            say("uniform_lopsidedness_range", np.round([lop.min(), lop.max()], 2))
            cloud = [metrics.squareness_reference(u.shape[1], np.random.default_rng(0))[0] for u, *_ in unused]
            say("cloud_squareness_range", np.round([min(cloud), max(cloud)], 2))  # as many points as seed 0's, per T
    axes[0, 0].legend(fontsize=6, loc="lower left")
    cfg = runs["uniform"][0]
    fig.suptitle("MLP auto-encoder, columns of W1, uniform vs Gaussian init, one scale; "
                 + describe(cfg, "n", "m", "sparsity", "steps") + f", seed {SEED} of {cfg['seeds']}")
    fig.tight_layout()
    r.save(fig, "M6_mlp_initialisation")


if __name__ == "__main__":
    main()
