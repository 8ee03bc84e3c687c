"""F5 -- Xavier (Gaussian) initialisation of the unembedding: the squares are not from the init.

The write-up: "the square is not a consequence of a uniform initialization of W1. The same pattern
also emerges when we use Xavier initialization, i.e. normally distributed weights."

Settings: as F1 (n = V = 1000, m=2, S=0.99, hard labels, cross-entropy, 50,000 steps, Henighan
schedule, weight decay 1e-2) but W1 and W2 initialised with torch.nn.init.xavier_normal_
(N(0, 2 / (fan_in + fan_out))), and a reduced sweep: T in (100, 500, 1000), 2 seeds. Runs:
minimem.experiments "unembed_dd_xavier", cached.
Every setting, from the catalogue: python -m minimem config F5.

Run: python scripts/F5_xavier_init.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_hard_labels, print_sweep
from minimem import metrics
from minimem.named import say

# --- config
EXPERIMENT = "unembed_dd_xavier"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "CE", ref=np.log(cfg["n"]))
    hard_cfg, hard = r.run("unembed_dd")
    print_hard_labels(hard_cfg, hard, cfg["sizes"])
    sizes = cfg["sizes"]
    say("W1_squareness", dict(zip(sizes, np.nanmean(metrics.squareness(res["W1"]), 1))), sig=3)
    idx = [list(hard_cfg["sizes"]).index(T) for T in sizes]
    say("hard_squareness", dict(zip(sizes, np.nanmean(metrics.squareness(hard["W1"][idx]), 1))), sig=3)  # F1's
    lop = np.nanmean(metrics.lopsidedness(res["W1"]), 1)  # (sizes,)
    say("lopsidedness_range", (lop.min(), lop.max()), sig=1)
    corners = metrics.square_corners(res["W1"])  # (sizes, seeds) degrees
    say("corners_range", (corners.min(), corners.max()), sig=3)
    acc = res["test_acc"].mean(1)
    say("test_acc_range", (acc.min(), acc.max()), sig=2)
    fig, _ = sweep_figure(plt(), cfg, res, "unembedding, Xavier init", "CE", (np.log(cfg["n"]), "log V"), cfg["sizes"])
    r.save(fig, "F5_xavier_init")


if __name__ == "__main__":
    main()
