"""A4 -- MLP double descent with a ReLU after the second layer: x' = ReLU(W2 ReLU(W1 x + b1) + b2).

The write-up's appendix repeats the MLP double descent (M2) with the output ReLU and notes that
the squares still show up, so they are not an artifact of leaving that ReLU out, and that "they
come from the initialization": the rectangles of M6, the columns of W1 of the features no training
point uses, which keep PyTorch's uniform initialisation box (shrunk by weight decay). The third row
draws those columns at their own scale, and the script prints their box and squareness as M6 does.

Settings: as M2 (n=1000, m=2, S=0.99, normalised, MSE, 50,000 steps, Henighan schedule, weight
decay 1e-2, PyTorch init, 4 seeds, T from 3 to 5,000, 10,000 test samples) with relu_out=True.
Runs: minimem.experiments "mlp_dd_relu_out", cached.
Every setting, from the catalogue: python -m minimem config A4.

Run: python scripts/A4_mlp_relu_out_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_sweep, print_unused, unused_columns
from minimem import metrics
from minimem.named import say

# --- config
EXPERIMENT = "mlp_dd_relu_out"
SHOW = [5, 20, 100, 300, 1000, 5000]  # W1 panels
UNUSED = [3, 10, 20, 40, 70, 100]  # where some features are in no training point (1 - 0.99^T of them are)
SEED = 0


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    T_peak, _ = print_sweep(cfg, res, "MSE", ref=1.0)
    print_unused(cfg, res, "uniform init (PyTorch's), the features no training point uses")
    sizes = list(cfg["sizes"])
    T = np.array(sizes)
    mean = res["test_loss"].mean(1)
    say("low_T", T[T < T_peak][np.argmin(mean[T < T_peak])] if (T < T_peak).any() else None)  # the lowest mean test MSE before the peak
    train = res["train_loss"].mean(1)
    say("train_min_after_first", train[1:].min(), sig=3)  # from the second size on
    # the unused columns up to the last T shown in the third row, all seeds
    few = [i for i, t in enumerate(sizes) if t <= max(UNUSED)]
    cols = [unused_columns(cfg, res, i, s) for i in few for s in range(cfg["seeds"])]  # each (m, k)
    say("unused_up_to_T", max(UNUSED))
    say("unused_box_max", max(np.abs(c).max() for c in cols), sig=3)
    sq = [float(metrics.squareness(c)) for c in cols]
    say("unused_squareness_range", (min(sq), max(sq)), sig=3)
    lop = [float(metrics.lopsidedness(c)) for c in cols]
    say("unused_lopsidedness_range", (min(lop), max(lop)), sig=1)
    cloud = [metrics.squareness_reference(unused_columns(cfg, res, i, SEED).shape[1], np.random.default_rng(0))[0]
             for i in few]  # as print_unused: an isotropic cloud of as many points as the shown seed has
    say("unused_cloud_range", (min(cloud), max(cloud)), sig=2)
    unused = {T: unused_columns(cfg, res, sizes.index(T), SEED) for T in UNUSED if T in sizes}
    fig, _ = sweep_figure(plt(), cfg, res, "MLP with output ReLU", "MSE", (1.0, "all-zeros output"), SHOW,
                          unused=unused)
    r.save(fig, "A4_mlp_relu_out_double_descent")


if __name__ == "__main__":
    main()
