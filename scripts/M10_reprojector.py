"""M10 -- Re-projector: map E x to E' x, a second random embedding.

The write-up finds results much like the big fish: the MLP has to compute, so its number of neurons limits
how much it reconstructs; accuracy compares argmax(output) with argmax(E' e_i).

Settings and data (shared by M8, M9, M10): see minimem.experiments "embed_*" -- 1,000 samples at
S=0.99, feature sizes n in (100, 300, 1000), bottleneck d in (10, 50), hidden m in (10, 50, 200),
a fixed standard-Gaussian embedding E, MSE, 5,000 steps of the Henighan schedule, one cached result
per cell.
Every setting, from the catalogue: python -m minimem config M10.

Run: python scripts/M10_reprojector.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import embed_grid_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import embed_ratio, print_big_fish, print_embed_grid
from minimem.named import say

# --- config
EXPERIMENT = "embed_reprojector"
NULL = 0  # the all-zeros output the test MSE is compared with


def by_cell(cfg, grids):
    """{d: {m: {n: value}}} of per-d grids (m, n), to 3 decimals as printed."""
    return {d: {m: dict(zip(cfg["features"], np.round(row, 3))) for m, row in zip(cfg["hidden"], g)}
            for d, g in grids.items()}


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    big = r.run("embed_big_fish")
    print_big_fish(*big)
    grids = print_embed_grid(cfg, out, "re-projector")  # {d: (ratio (m, n), accuracy (m, n))}
    for key in ("features", "bottleneck", "hidden"):
        say(key, cfg[key])
    say("accuracy", by_cell(cfg, {d: A for d, (_, A) in grids.items()}))  # [d][m][n]
    say("ratio", by_cell(cfg, {d: R for d, (R, _) in grids.items()}))  # test MSE / all-zeros test MSE, [d][m][n]
    say("big_fish_ratio", by_cell(cfg, {d: embed_ratio(*big, d) for d in grids}))
    say("null_output", NULL)
    past = np.array([R[:, 1:] for R, _ in grids.values()])  # (d, m, n) from the second feature size on
    say("ratio_range_past_smallest_n", np.round([past.min(), past.max()], 3))
    say("accuracy_range_largest_n", {d: np.round([A[:, -1].min(), A[:, -1].max()], 3) for d, (_, A) in grids.items()})
    r.save(embed_grid_figure(plt(), cfg, grids, "re-projector"), "M10_reprojector")


if __name__ == "__main__":
    main()
