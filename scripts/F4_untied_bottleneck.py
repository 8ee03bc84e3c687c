"""F4 -- The bottleneck double descent with untied weights: x' = ReLU(W2 W1 x + b).

The write-up checks that splitting W, W^T into independent W1, W2 is not what makes the
unembedding's features square: with untied weights and the MSE loss the bottleneck still double
descends and its features (columns of W1) stay circles.

Settings: as B2 (n=1000, m=2, S=0.99, normalised inputs, MSE, 50,000 steps, Henighan schedule,
weight decay 1e-2, 4 seeds per T, test loss on 10,000 fresh samples), but W1 (m, n) and W2 (n, m)
independent, both xavier_normal. Runs: minimem.experiments "bottleneck_dd_untied", cached.
Every setting, from the catalogue: python -m minimem config F4.

Run: python scripts/F4_untied_bottleneck.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import PARAM_NAMES, lost_outputs, peak, print_lost_outputs, print_sweep, train_sets
from minimem import metrics
from minimem.named import say, span

# --- config
EXPERIMENT = "bottleneck_dd_untied"
SHOW = [10, 100, 300, 1000, 5000]  # W1 panels
CIRCLES_FROM, WEDGE = 700, (20, 100)  # the sizes the squareness is summarised over


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    T_peak, _ = print_sweep(cfg, res, "MSE", ref=1.0)
    print_lost_outputs(cfg, res)
    sizes = np.array(cfg["sizes"])
    mean = res["test_loss"].mean(1)
    before = sizes < T_peak
    say("low_T", sizes[before][np.argmin(mean[before])] if before.any() else None)  # the lowest mean test MSE before the peak
    per_seed = peak(sizes, res["test_loss"])[2]
    say("seed_peak_T_range", (min(T for T, _ in per_seed), max(T for T, _ in per_seed)))
    say("seed_peak_height_range", (min(h for _, h in per_seed), max(h for _, h in per_seed)))
    sq = np.nanmean(metrics.squareness(res["W1"]), 1)  # (sizes,)
    lop = np.nanmean(metrics.lopsidedness(res["W1"]), 1)
    say("circles_from_T", CIRCLES_FROM)
    say("circles_squareness_range", span(sq[sizes >= CIRCLES_FROM]), sig=2)
    wedge = (sizes >= WEDGE[0]) & (sizes <= WEDGE[1])
    say("wedge_T", WEDGE)
    say("wedge_squareness_range", span(sq[wedge]), sig=3)
    say("wedge_lopsidedness_range", span(lop[wedge]), sig=2)
    p = {k: v[0].astype(np.float64) for k, v in res.items() if k in PARAM_NAMES}  # (seeds, ...) at the smallest T
    share, err = lost_outputs(p, train_sets(cfg, sizes[0]).astype(np.float64))  # (seeds,), (seeds,)
    say("lost_share_first", share.mean(), sig=3)  # active training entries the output ReLU switched off
    say("lost_mse_first", err.mean(), sig=3)  # the train MSE they carry
    fig, _ = sweep_figure(plt(), cfg, res, "untied ReLU output model x' = ReLU(W2 W1 x + b)", "MSE",
                       (1.0, "all-zeros output"), SHOW)
    r.save(fig, "F4_untied_bottleneck")


if __name__ == "__main__":
    main()
