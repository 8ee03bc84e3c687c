"""M8 -- Big fish: reconstruct x from E x (the feature decoder of Jermyn et al.).

The write-up finds that the bottleneck size d hardly matters and that the hidden size m decides the loss and
accuracy: the MLP cannot undo the random projection unless it has about as many neurons as features.

Settings and data (shared by M8, M9, M10): see minimem.experiments "embed_*" -- 1,000 samples at
S=0.99, feature sizes n in (100, 300, 1000), bottleneck d in (10, 50), hidden m in (10, 50, 200),
a fixed standard-Gaussian embedding E, MSE, 5,000 steps of the Henighan schedule, one cached result
per cell.

Run: python scripts/M8_big_fish.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

from _plot import embed_grid_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import print_embed_grid

# --- config
EXPERIMENT = "embed_big_fish"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    r.save(embed_grid_figure(plt(), cfg, print_embed_grid(cfg, out, "big fish"), "big fish"), "M8_big_fish")


if __name__ == "__main__":
    main()
