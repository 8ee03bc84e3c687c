"""M7 -- The MLP auto-encoder over hidden size x data set size: test loss and accuracy.

The write-up: the double descent "seems to happen in all dimensions in a very similar fashion to the
original paper": with increasing data set size there is a transition region across several hidden
sizes, and after it the test accuracy is above chance, so the network has learned features.

Settings: the MLP auto-encoder of M2 (n=1000, S=0.99, normalised, MSE, PyTorch init, Henighan
schedule over 50,000 steps, weight decay 1e-2) for hidden sizes m in (1, 2, 4, 8, 16) and data set
sizes T in (10, 30, 100, 300, 1000, 3000), 2 seeds per cell (mean shown), test loss and accuracy
(argmax(x') = argmax(x)) on 5,000 fresh samples; chance accuracy is 1/1000. Runs:
minimem.experiments "sparse_grid", one cached result per cell.
Every setting, from the catalogue: python -m minimem config M7.

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
from minimem.named import say

# --- config
EXPERIMENTS = {"": "sparse_grid", "relu_out_": "sparse_grid_relu_out"}  # name prefix: M2's MLP, A4's (output ReLU)
Z = 3  # "beyond random guessing": test accuracy above chance by more than Z binomial standard errors


def grid_numbers(cfg, out, key):
    """One grid's numbers, named with the prefix ``key``: the mean test MSE per (m, T), where each
    m's is highest, the test accuracy and its distance from chance in binomial standard errors
    (n_test x seeds samples per cell), and how many cells are beyond chance by more than Z."""
    Ts, ms = cfg["sizes"], cfg["hidden"]
    L = np.array([[out[(T, m)]["test_loss"].mean() for T in Ts] for m in ms])  # (m, T)
    A = np.array([[out[(T, m)]["test_acc"].mean() for T in Ts] for m in ms])
    N, p = cfg["n_test"] * cfg["seeds"], 1 / cfg["n"]
    z = (A - p) / np.sqrt(p * (1 - p) / N)  # binomial standard errors above chance
    say(f"{key}test_loss", {m: dict(zip(Ts, row)) for m, row in zip(ms, L)})
    say(f"{key}highest_T", {m: Ts[int(np.argmax(row))] for m, row in zip(ms, L)})
    say(f"{key}test_acc", {m: dict(zip(Ts, row)) for m, row in zip(ms, A)}, sig=3)
    say(f"{key}acc_z", {m: dict(zip(Ts, row)) for m, row in zip(ms, z)}, sig=2)
    say(f"{key}cells_beyond_chance", int((z > Z).sum()))
    return L, A, z


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {key: r.run(name) for key, name in EXPERIMENTS.items()}
    # --- plot
    cfg, out = runs[""]
    Ts, ms = cfg["sizes"], cfg["hidden"]
    say("cells", len(Ts) * len(ms))
    say("hidden", ms)
    say("sizes", Ts)
    say("z", Z)
    say("chance", 1 / cfg["n"])
    say("accuracy_samples", cfg["n_test"] * cfg["seeds"])
    L, A, z = grid_numbers(cfg, out, "")
    # the best rank-m affine fit of each training set: a floor under the train MSE (no output ReLU)
    bound = np.array([[metrics.affine_rank_bound(experiments.train_sets(cfg, T), m).mean() for T in Ts] for m in ms])
    train = np.array([[out[(T, m)]["train_loss"].mean() for T in Ts] for m in ms])
    ratio = np.where(bound > 1e-6, train / np.maximum(bound, 1e-30), np.nan)
    say("train_over_bound", {m: dict(zip(Ts, row)) for m, row in zip(ms, ratio)})
    say("train_loss", {m: dict(zip(Ts, row)) for m, row in zip(ms, train)})
    rcfg, rout = runs["relu_out_"]
    rL, rA, rz = grid_numbers(rcfg, rout, "relu_out_")
    rows = []
    for what, (LL, zz, extra) in {"M2's MLP": (L, z, (ratio, "train MSE / best rank-m affine fit (>= 1; nan: the fit is "
                                                                 "exact)", "ratio")),
                                  "with an output ReLU": (rL, rz, None)}.items():
        row = [(np.log10(LL), f"{what}: log10 test MSE (mean over seeds)", "loss"),
               (zz, f"{what}: test accuracy above chance, in binomial standard errors", "z")]
        rows.append(row + ([extra] if extra else []))
    fig = grid_figure(plt(), rows, Ts, ms, "data set size T", "hidden size m",
                      "MLP auto-encoder over hidden size and T: " + describe(cfg, "n", "sparsity", "steps")
                      + f", {cfg['seeds']} seeds per cell; second row: the same with a ReLU after the read-out")
    r.save(fig, "M7_mlp_grid")


if __name__ == "__main__":
    main()
