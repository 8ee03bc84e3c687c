"""F3 -- Soft labels: with the input as the target distribution the squares remain.

The write-up checks that the square-shaped features of the toy unembedding (F1) are not an
artifact of hard labels: trained with soft labels y = x / sum(x) instead of argmax(x), the
features (columns of W1) are still squares during the transition.

Settings: as F1 (n = V = 1000, m=2, S=0.99, unnormalised inputs, cross-entropy, uniform init,
50,000 steps, Henighan schedule, weight decay 1e-2) but soft labels, and a reduced sweep: T in
(100, 500, 1000), 2 seeds (the claim is about the shape of W1, and each size costs minutes of
cross-entropy). Accuracy is argmax(logits) = argmax(x). Runs: scripts/_runs.py
unembed_dd(labels="soft"), cached.

Run: python scripts/F3_soft_labels.py [--quick] [--fresh]   (full: ~8 min on two cores after F1)
"""

from _common import parser
from _runs import unembed_dd
from _common import plot_sweep


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = unembed_dd(args.quick, args.fresh, labels="soft", sizes=[100, 500, 1000], seeds=2)
    plot_sweep(cfg, res, "F3_soft_labels", args.quick, "soft labels")


if __name__ == "__main__":
    main()
