"""A2 -- An MSE MLP on one-hot data: loss and accuracy over hidden size x data set size.

The write-up: with orthogonal noiseless inputs (one-hot vectors), an MLP trained with MSE struggles
to reconstruct the input when the hidden size is much lower than the data set size; without ReLUs
in the middle (the bottleneck, B5) this was not a problem, which suggests the ReLU makes
superposition harder.

Settings: h = ReLU(W1 x + b1), x' = W2 h + b2 trained to reproduce its input on the n one-hot vectors
(data set size = n) for n in (10, 30, 100, 300, 1000) and hidden sizes m in (2, 5, 10, 20, 50, 100);
MSE; AdamW with the Henighan schedule (lr 1e-3, warm-up 500, cosine to 0 over 10,000 steps), weight
decay 1e-2; PyTorch init; float32; 2 seeds per cell (mean shown). Accuracy: argmax(x') = argmax(x).
Runs: scripts/_grids.py onehot_grid("mse"), one cached result per cell; A3 reads them.

Run: python scripts/A2_onehot_mse_grid.py [--quick] [--fresh]   (full: ~10 min on two cores)
"""

import numpy as np

from _common import parser, plt, save
from _grids import heat, onehot_grid


def plot_onehot_grid(loss, name, quick, fresh, what):
    cfg, out = onehot_grid(loss, quick, fresh)
    ns, ms = cfg["sizes"], cfg["hidden"]
    L = np.array([[out[(n, m)]["loss"].mean() for n in ns] for m in ms])
    A = np.array([[out[(n, m)]["acc"].mean() for n in ns] for m in ms])
    print(f"{what}: accuracy (rows m={ms}, columns n={ns}):\n{np.round(A, 2)}")
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 2, figsize=(11, 4))
    heat(fig, axes[0], np.log10(np.maximum(L, 1e-12)), ns, ms, f"log10 train {loss.upper()}", "loss",
         "data set size n (one-hot vectors)", "hidden size m")
    heat(fig, axes[1], A, ns, ms, "accuracy (argmax)", "acc", "data set size n (one-hot vectors)", "hidden size m")
    fig.suptitle(f"{what}: {cfg['steps']} steps, {cfg['seeds']} seeds per cell")
    fig.tight_layout()
    save(fig, name, quick)


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    plot_onehot_grid("mse", "A2_onehot_mse_grid", args.quick, args.fresh, "MSE MLP on one-hot data")


if __name__ == "__main__":
    main()
