"""A7 -- The cross-entropy MLP of A6 with weight decay 1: no more runaway activations.

The write-up: "a weight decay of 1 counteracts the desire of cross-entropy to make everything go to
infinity", so activations and weights stay small and the result reads more easily.

Settings: as A6 (n = V = 20 one-hot inputs, m=10, cross-entropy, AdamW lr 1e-3 constant, snapshots
after 1000 and 3000 epochs, PyTorch init, float64) with weight decay 1.0.

Run: python scripts/A7_ce_mlp_weight_decay.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

from _plot import epochs_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import snapshot_numbers

# --- config
EXPERIMENT = "ce_weight_decay"
BESIDE = "ce_epochs"  # A6: the same at weight decay 1e-2, printed for comparison


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    a6_cfg, a6 = r.run(BESIDE)
    # --- plot
    for s in a6_cfg["snapshots"]:
        snapshot_numbers(a6_cfg, a6, s, "for comparison, A6 at weight decay 1e-2")
    r.save(epochs_figure(plt(), cfg, res, "weight decay 1"), "A7_ce_mlp_weight_decay")


if __name__ == "__main__":
    main()
