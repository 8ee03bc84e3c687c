"""M9 -- Small fish: reconstruct E x from E x (the identity on the bottleneck).

The write-up finds that the small fish recovers more inputs than the big fish (computing the identity on
superimposed vectors is easier than undoing a random projection), but still not all of them.

Settings and data (shared by M8, M9, M10): see minimem.experiments "embed_*" -- 1,000 samples at
S=0.99, feature sizes n in (100, 300, 1000), bottleneck d in (10, 50), hidden m in (10, 50, 200),
a fixed standard-Gaussian embedding E, MSE, 5,000 steps of the Henighan schedule, one cached result
per cell.
Every setting, from the catalogue: python -m minimem config M9.

Run: python scripts/M9_small_fish.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import embed_grid_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import embed_ratio, print_big_fish, print_embed_grid
from minimem.named import say, span

# --- config
EXPERIMENT = "embed_small_fish"
GOOD = 0.8  # a cell with at least this accuracy recovers its inputs


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
    acc = np.array([out[c]["acc"][0] for c in out])  # one per cell
    good = acc >= GOOD
    print(f"cells with accuracy >= {GOOD}: {good.sum()} of {acc.size}; the others: "
          + ", ".join(f"n={n}, d={d}, m={m}: {out[(n, d, m)]['acc'][0]:.3g}" for (n, d, m), g in zip(out, good) if not g))
    grids = print_embed_grid(cfg, out, "small fish")  # {d: (ratio (m, n), accuracy (m, n))}
    say("accuracy", by_cell(cfg, {d: A for d, (_, A) in grids.items()}))  # [d][m][n]
    say("ratio", by_cell(cfg, {d: R for d, (R, _) in grids.items()}))  # test MSE / all-zeros test MSE, [d][m][n]
    say("good_cells", int(good.sum()))
    say("cells", acc.size)
    say("other_m", sorted({m for (n, d, m), g in zip(out, good) if not g}))  # the hidden sizes of the other cells
    say("other_d", sorted({d for (n, d, m), g in zip(out, good) if not g}))
    R = np.array([grids[d][0] for d in cfg["bottleneck"]])  # (d, m, n)
    A = np.array([grids[d][1] for d in cfg["bottleneck"]])
    B = np.array([embed_ratio(*big, d) for d in cfg["bottleneck"]])  # big fish's ratio, (d, m, n)
    ok = A >= GOOD
    say("good_accuracy_range", np.round(span(A[ok]), 3) if ok.any() else None)
    say("good_ratio_range", np.round(span(R[ok]), 3) if ok.any() else None)
    say("big_fish_ratio_range_there", np.round(span(B[ok]), 3) if ok.any() else None)
    r.save(embed_grid_figure(plt(), cfg, grids, "small fish"), "M9_small_fish")

if __name__ == "__main__":
    main()
