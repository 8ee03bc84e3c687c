"""M10 -- Re-projector: map E x to E' x, a second random embedding.

The write-up finds results much like the big fish: the MLP has to compute, so its number of neurons limits
how much it reconstructs; accuracy compares argmax(output) with argmax(E' e_i).

Settings and data (shared by M8, M9, M10): see minimem.experiments "embed_*" -- 1,000 samples at
S=0.99, feature sizes n in (100, 300, 1000), bottleneck d in (10, 50), hidden m in (10, 50, 200),
a fixed standard-Gaussian embedding E, MSE, 5,000 steps of the Henighan schedule, one cached result
per cell.

Run: python scripts/M10_reprojector.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

from _plot import embed_grid_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import print_big_fish, print_embed_grid

# --- config
EXPERIMENT = "embed_reprojector"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    print_big_fish(*r.run("embed_big_fish"))
    r.save(embed_grid_figure(plt(), cfg, print_embed_grid(cfg, out, "re-projector"), "re-projector"), "M10_reprojector")


if __name__ == "__main__":
    main()
