"""F5 -- Xavier (Gaussian) initialisation of the unembedding: the squares are not from the init.

The write-up: "the square is not a consequence of a uniform initialization of W1. The same pattern
also emerges when we use Xavier initialization, i.e. normally distributed weights."

Settings: as F1 (n = V = 1000, m=2, S=0.99, hard labels, cross-entropy, 50,000 steps, Henighan
schedule, weight decay 1e-2) but W1 and W2 initialised with torch.nn.init.xavier_normal_
(N(0, 2 / (fan_in + fan_out))), and a reduced sweep: T in (100, 500, 1000), 2 seeds. Runs:
scripts/_runs.py unembed_dd(init="xavier_normal"), cached.

Run: python scripts/F5_xavier_init.py [--quick] [--fresh]   (full: ~8 min on two cores)
"""

from _common import parser
from _runs import unembed_dd
from _common import plot_sweep


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = unembed_dd(args.quick, args.fresh, init="xavier_normal", sizes=[100, 500, 1000], seeds=2)
    plot_sweep(cfg, res, "F5_xavier_init", args.quick, "Xavier normal init")


if __name__ == "__main__":
    main()
