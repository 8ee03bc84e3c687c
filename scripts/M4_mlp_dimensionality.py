"""M4 -- Fractional dimensionality of features and data points in the MLP auto-encoder vs T.

The write-up finds "a very similar pattern for the dimensionality of features and datapoints as in
the experiments for the output ReLU model" (B4): data points get about m/T of a dimension while
memorised, features take over past the peak.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), all seeds;
features = columns of W1, data points = hidden vectors W1 x_t + b1 (the write-up's definition).

Run: python scripts/M4_mlp_dimensionality.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import dimensionality_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import dimensionalities
from minimem import experiments, mlp

# --- config
EXPERIMENT = "mlp_dd"  # M2's sweep


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)

    # --- plot
    def vectors(i, s):
        p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, i, s).items()}
        x = experiments.train_set(cfg, cfg["sizes"][i], s)[None].astype(np.float64)  # (1, T, n)
        return mlp.pre_activation(p, x)[0], p["W1"][0]  # the write-up's hidden vectors W1 x + b1, and W1

    dims = dimensionalities(cfg, vectors, with_max=False)
    fig = dimensionality_figure(plt(), cfg, dims, "MLP auto-encoder fractional dimensionality", with_max=False)
    r.save(fig, "M4_mlp_dimensionality")


if __name__ == "__main__":
    main()
