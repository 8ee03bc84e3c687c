"""A9 -- A cross-entropy MLP on one-hot data: loss and accuracy over hidden size x data set size.

The write-up: trained with cross-entropy, small hidden sizes pose no meaningful limit -- the loss
is near 0 and the accuracy 1 almost everywhere -- probably because cross-entropy only needs the
right output to be the largest, while MSE needs absolute values: the unembedding is unlikely to be
the bottleneck for how many concepts a transformer can hold.

Settings: as A2 (one-hot inputs, n in (10, 30, 100, 300, 1000), m in (2, 5, 10, 20, 50, 100),
Henighan schedule over 10,000 steps, weight decay 1e-2, 2 seeds) with class i for e_i and the
cross-entropy loss. Runs: minimem.experiments "onehot_grid_ce".
Every setting, from the catalogue: python -m minimem config A9.

Run: python scripts/A9_onehot_ce_grid.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import onehot_grid_figure, plt
from minimem.cli import FigureScript
from minimem.named import least, say

# --- config
EXPERIMENT = "onehot_grid_ce"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    fig = onehot_grid_figure(plt(), cfg, out, "cross-entropy MLP on one-hot data")
    ns, ms = cfg["sizes"], cfg["hidden"]
    acc = {m: np.array([out[(n, m)]["acc"].mean() for n in ns]) for m in ms}  # {m: (len(ns),) mean over seeds}
    say("sizes", ns)
    say("hidden", ms)
    for m in ms[:2]:  # the two smallest hidden sizes
        say(f"acc_range_m{m}", (acc[m].min(), acc[m].max()), sig=3)
    say("acc_min_wide", least([acc[m].min() for m in ms[2:]]))  # every larger m, every n
    r.save(fig, "A9_onehot_ce_grid")


if __name__ == "__main__":
    main()
