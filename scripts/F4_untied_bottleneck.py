"""F4 -- The bottleneck double descent with untied weights: x' = ReLU(W2 W1 x + b).

The write-up checks that splitting W, W^T into independent W1, W2 is not what makes the
unembedding's features square: with untied weights and the MSE loss the bottleneck still double
descends and its features (columns of W1) stay circles.

Settings: as B2 (n=1000, m=2, S=0.99, normalised inputs, MSE, 50,000 steps, Henighan schedule,
weight decay 1e-2, 4 seeds per T, test loss on 10,000 fresh samples), but W1 (m, n) and W2 (n, m)
independent, both xavier_normal. Runs: minimem.experiments "bottleneck_dd_untied", cached.

Run: python scripts/F4_untied_bottleneck.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_lost_outputs, print_sweep

# --- config
EXPERIMENT = "bottleneck_dd_untied"
SHOW = [10, 100, 300, 1000, 5000]  # W1 panels


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "MSE", ref=1.0)
    print_lost_outputs(cfg, res)
    fig, _ = sweep_figure(plt(), cfg, res, "untied ReLU output model x' = ReLU(W2 W1 x + b)", "MSE",
                       (1.0, "all-zeros output"), SHOW)
    r.save(fig, "F4_untied_bottleneck")


if __name__ == "__main__":
    main()
