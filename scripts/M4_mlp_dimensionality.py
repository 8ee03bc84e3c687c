"""M4 -- Fractional dimensionality of features and data points in the MLP auto-encoder vs T.

The write-up finds "a very similar pattern for the dimensionality of features and datapoints as in
the experiments for the output ReLU model" (B4): data points get about m/T of a dimension while
memorised, features take over past the peak.

Settings: M2's runs (scripts/_runs.py: mlp_dd; n=1000, m=2, S=0.99, 50,000 steps), all seeds;
features = columns of W1, data points = hidden vectors W1 x_t + b1 (the write-up's definition).

Run: python scripts/M4_mlp_dimensionality.py [--quick] [--fresh]   (redraws from M2's cache)
"""

import numpy as np

from _common import dimensionality_strips, parser
from _runs import mlp_dd


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh)

    def vectors(i, s, x):
        W1 = res["param_W1"][i, s].astype(np.float64)  # (m, n)
        b1 = res["param_b1"][i, s].astype(np.float64)  # (m,)
        return x @ W1.T + b1, W1  # the write-up's hidden vectors W1 x + b1

    dimensionality_strips(cfg, res, vectors, "MLP auto-encoder fractional dimensionality", "M4_mlp_dimensionality",
                          args.quick, with_max=False)


if __name__ == "__main__":
    main()
