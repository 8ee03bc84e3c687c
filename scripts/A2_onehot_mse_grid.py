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
Every setting, from the catalogue: python -m minimem config A2.

Run: python scripts/A2_onehot_mse_grid.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import onehot_grid_figure, plt
from minimem.cli import FigureScript
from minimem import data, experiments, metrics
from minimem.named import least, most, say

# --- config
EXPERIMENT = "onehot_grid_mse"
WIDE_M, UP_TO_N = 50, 300  # the cells summarised as stored: m >= WIDE_M, n <= UP_TO_N
BOUND_FROM_N = 100  # the cells where the train MSE is compared with the rank bound: n >= this
B5_M = 5  # the bottleneck's hidden size compared (B5, noiseless, uniform importance)


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
    acc = np.array([[out[(n, m)]["acc"].mean() for n in ns] for m in ms])  # (m, n) mean over seeds
    say("sizes", ns)
    say("hidden", ms)
    say("acc", {m: dict(zip(ns, row)) for m, row in zip(ms, acc)}, sig=3)
    say("wide_m", WIDE_M)
    say("up_to_n", UP_TO_N)
    say("wide_acc_min", least(acc[np.array(ms) >= WIDE_M][:, np.array(ns) <= UP_TO_N]), sig=3)
    say("bound_from_n", BOUND_FROM_N)
    say("bound_gap_max", most(np.abs(train - bound)[:, np.array(ns) >= BOUND_FROM_N]), sig=1)
    # the bottleneck with its ReLU after the read-out (B5): the largest n up to which it stores every one-hot vector
    b5_cfg, b5 = r.run("reconstruction_grid")
    uniform = experiments.IMPORTANCES.index("uniform")
    b5_acc = np.array([b5[(n, B5_M)]["onehot_acc"][uniform] for n in b5_cfg["features"]
                       if (n, B5_M) in b5])  # (n,); none under --smoke, whose grid has no m=B5_M
    stored = np.cumprod(b5_acc == 1).astype(bool)  # every one-hot vector stored at this n and all smaller
    say("b5_m", B5_M)
    say("b5_stored_up_to_n", b5_cfg["features"][int(stored.sum()) - 1] if stored.any() else None)
    r.save(onehot_grid_figure(plt(), cfg, out, "MSE MLP on one-hot data"), "A2_onehot_mse_grid")


if __name__ == "__main__":
    main()
