"""A7 -- The cross-entropy MLP of A6 with weight decay 1: no more runaway activations.

The write-up: "a weight decay of 1 counteracts the desire of cross-entropy to make everything go to
infinity", so activations and weights stay small and the result reads more easily.

Settings: as A6 (n = V = 20 one-hot inputs, m=10, cross-entropy, AdamW lr 1e-3 constant, snapshots
after 1000 and 3000 epochs, PyTorch init, float64) with weight decay 1.0.

Run: python scripts/A7_ce_mlp_weight_decay.py [--quick] [--fresh]   (~5 s)
"""

from _common import parser
from A6_ce_mlp_epochs import run_and_plot


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    run_and_plot("A7_ce_mlp_weight_decay", 1.0, args.quick, args.fresh, "weight decay 1")


if __name__ == "__main__":
    main()
