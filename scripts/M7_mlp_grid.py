"""M7 -- The MLP auto-encoder over hidden size x data set size: test loss and accuracy.

The write-up: the double descent "seems to happen in all dimensions in a very similar fashion to the
original paper": with increasing data set size there is a transition region across several hidden
sizes, and after it the test accuracy is above chance, so the network has learned features.

Settings: the MLP auto-encoder of M2 (n=1000, S=0.99, normalised, MSE, PyTorch init, Henighan
schedule over 50,000 steps, weight decay 1e-2) for hidden sizes m in (1, 2, 4, 8, 16) and data set
sizes T in (10, 30, 100, 300, 1000, 3000), 2 seeds per cell (mean shown), test loss and accuracy
(argmax(x') = argmax(x)) on 5,000 fresh samples; chance accuracy is 1/1000. Runs:
minimem.experiments "sparse_grid", one cached result per cell.

The third panel divides the train MSE by the best rank-m affine fit of the training set
(minimem.metrics.affine_rank_bound): no MLP with m hidden units can go below 1 (blank where the
bound is 0, T <= m + 1). The script also prints, per m, where the test loss peaks over T.

Run: python scripts/M7_mlp_grid.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, grid_figure, plt
from minimem.cli import FigureScript
from minimem import experiments, metrics

# --- config
EXPERIMENT = "sparse_grid"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    Ts, ms = cfg["sizes"], cfg["hidden"]
    L = np.array([[out[(T, m)]["test_loss"].mean() for T in Ts] for m in ms])
    A = np.array([[out[(T, m)]["test_acc"].mean() for T in Ts] for m in ms])
    print(f"mean test loss (rows m={ms}, columns T={Ts}):\n{np.round(L, 4)}\nmean test accuracy:\n{np.round(A, 4)}")
    # the best rank-m affine fit of each training set: a floor under the train MSE
    bound = np.array([[metrics.affine_rank_bound(experiments.train_sets(cfg, T), m).mean() for T in Ts] for m in ms])
    train = np.array([[out[(T, m)]["train_loss"].mean() for T in Ts] for m in ms])
    ratio = np.where(bound > 1e-6, train / np.maximum(bound, 1e-30), np.nan)
    print(f"mean train MSE:\n{np.round(train, 4)}\ntrain MSE / rank-m affine bound (nan: bound 0):\n{np.round(ratio, 3)}")
    for m, row in zip(ms, L):
        j = int(np.argmax(row))
        print(f"m={m}: test MSE highest at T={Ts[j]} ({row[j]:.4g})"
              + ("; falls from the smallest T, no interior peak" if j == 0 else
                 f"; at the smallest T {row[0]:.4g}, at the largest {row[-1]:.4g}"))
    fig = grid_figure(plt(), [[(np.log10(L), "log10 test MSE (mean over seeds)", "loss"),
                               (A, f"test accuracy (mean; chance 1/{cfg['n']}, 10x chance "
                                   f"{10 / cfg['n']:g})", "logacc"),
                               (ratio, "train MSE / best rank-m affine fit (>= 1; nan: the fit is exact)", "ratio")]],
                      Ts, ms, "data set size T", "hidden size m",
                      "MLP auto-encoder over hidden size and T: " + describe(cfg, "n", "sparsity", "steps")
                      + f", {cfg['seeds']} seeds per cell")
    r.save(fig, "M7_mlp_grid")


if __name__ == "__main__":
    main()
