"""B4 -- Fractional dimensionality of the data points and of the features vs T.

Henighan et al. (and the write-up after them) measure D_t = ||h_t||^2 / sum_s (ĥ_t . h_s)^2 for
every training point's hidden vector h_t = W x_t, and the same formula on the features W_i: while
the model memorises, each of the T data points gets about m/T of a dimension (a regular T-gon in
m=2 dimensions gives exactly m/T) and the features get almost none; past the peak, the data points
lose their dimensions and a few features gain them.

Settings: the runs of B2 (scripts/_runs.py: bottleneck_dd; n=1000, m=2, S=0.99, normalised,
50,000 steps), all seeds; each point is one data point or one feature (jittered in T), with the
m/T guide line. Also the maximal data dimensionality D*_t = h_t^T (H^T H)^+ h_t (sums to rank H).

Run: python scripts/B4_dimensionality.py [--quick] [--fresh]   (redraws from B2's cache in seconds)
"""

import numpy as np

from _common import dimensionality_strips, parser
from _runs import bottleneck_dd


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = bottleneck_dd(args.quick, args.fresh)

    def vectors(i, s, x):
        W = res["param_W"][i, s].astype(np.float64)  # (m, n)
        return x @ W.T, W  # h_t = W x_t

    dimensionality_strips(cfg, res, vectors, "ReLU output model fractional dimensionality", "B4_dimensionality",
                          args.quick)


if __name__ == "__main__":
    main()
