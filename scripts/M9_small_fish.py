"""M9 -- Small fish: reconstruct E x from E x (the identity on the bottleneck).

The write-up finds that the small fish recovers more inputs than the big fish (computing the identity on
superimposed vectors is easier than undoing a random projection), but still not all of them.

Settings and data (shared by M8, M9, M10): see minimem.experiments "embed_*" -- 1,000 samples at
S=0.99, feature sizes n in (100, 300, 1000), bottleneck d in (10, 50), hidden m in (10, 50, 200),
a fixed standard-Gaussian embedding E, MSE, 5,000 steps of the Henighan schedule, one cached result
per cell.

Run: python scripts/M9_small_fish.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import embed_grid_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import print_big_fish, print_embed_grid

# --- config
EXPERIMENT = "embed_small_fish"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    print_big_fish(*r.run("embed_big_fish"))
    acc = np.array([out[c]["acc"][0] for c in out])  # one per cell
    good = acc >= 0.8
    print(f"cells with accuracy >= 0.8: {good.sum()} of {acc.size}; the others: "
          + ", ".join(f"n={n}, d={d}, m={m}: {out[(n, d, m)]['acc'][0]:.3g}" for (n, d, m), g in zip(out, good) if not g))
    r.save(embed_grid_figure(plt(), cfg, print_embed_grid(cfg, out, "small fish"), "small fish"), "M9_small_fish")


if __name__ == "__main__":
    main()
