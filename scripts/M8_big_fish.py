"""M8 -- Big fish: reconstruct x from E x (the feature decoder of Jermyn et al.).

The write-up projects sparse inputs x (n features) through a fixed standard-Gaussian embedding E
(d x n, like a residual stream of width d) and asks an MLP to reconstruct x from E x (the feature decoder of Jermyn et al.). Its findings: in the big
fish, the bottleneck size d hardly matters and the hidden size m decides the loss and accuracy (the
MLP cannot undo the random projection unless it has about as many neurons as features); the small
fish recovers more inputs (the identity on superimposed vectors is easier); the re-projector looks
like the big fish (it has to compute, so neurons limit it). Accuracy forwards E e_i for every
feature and compares the argmax of the output with the right one (for the re-projector, with the
argmax of E' e_i).

Settings: 1,000 training samples at S=0.99 (normalised), feature sizes n in (100, 300, 1000),
bottleneck d in (10, 50), hidden sizes m in (10, 50, 200); h = ReLU(W1 E x + b1), out = W2 h + b2,
MSE; AdamW with the Henighan schedule over 5,000 steps (warm-up 250), weight decay 1e-2; PyTorch
init; float32; one seed per cell; test loss on 2,000 fresh samples. Runs: scripts/_grids.py
embed_grid("big_fish"), one cached result per cell.

Run: python scripts/M8_big_fish.py [--quick] [--fresh]   (full: ~5 min on two cores)
"""

from _common import parser
from _grids import plot_embed_grid


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    plot_embed_grid("big_fish", "M8_big_fish", args.quick, args.fresh, "big fish")


if __name__ == "__main__":
    main()
