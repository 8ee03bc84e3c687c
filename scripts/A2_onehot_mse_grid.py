"""A2 -- An MSE MLP on one-hot data: loss and accuracy over hidden size x data set size.

The write-up: with orthogonal noiseless inputs (one-hot vectors), an MLP trained with MSE struggles
to reconstruct the input when the hidden size is much lower than the data set size; without ReLUs
in the middle (the bottleneck, B5) this was not a problem, which suggests the ReLU makes
superposition harder.

Settings: h = ReLU(W1 x + b1), x' = W2 h + b2 trained to reproduce its input on the n one-hot vectors
(data set size = n) for n in (10, 30, 100, 300, 1000) and hidden sizes m in (2, 5, 10, 20, 50, 100);
MSE; AdamW with the Henighan schedule (lr 1e-3, warm-up 500, cosine to 0 over 10,000 steps), weight
decay 1e-2; PyTorch init; float32; 2 seeds per cell (mean shown). Accuracy: argmax(x') = argmax(x).
Runs: minimem.experiments "onehot_grid_mse", one cached result per cell; A3 reads them.

Run: python scripts/A2_onehot_mse_grid.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import onehot_grid_figure, plt
from minimem.cli import FigureScript
from minimem import data, metrics

# --- config
EXPERIMENT = "onehot_grid_mse"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    ns, ms = cfg["sizes"], cfg["hidden"]
    # the outputs W2 h + b2 lie in an m-dimensional affine subspace: the train MSE is at least the best
    # rank-m affine fit of the n one-hot vectors
    bound = np.array([[metrics.affine_rank_bound(data.one_hot(n)[None], m)[0] for n in ns] for m in ms])
    train = np.array([[out[(n, m)]["loss"].mean() for n in ns] for m in ms])
    print(f"best rank-m affine fit of the one-hot set (rows m={ms}, columns n={ns}):\n{np.round(bound, 3)}\n"
          f"train MSE minus that bound:\n{np.round(train - bound, 3)}")
    r.save(onehot_grid_figure(plt(), cfg, out, "MSE MLP on one-hot data"), "A2_onehot_mse_grid")


if __name__ == "__main__":
    main()
