"""B4 -- Fractional dimensionality of the data points and of the features vs T.

Henighan et al. (and the write-up after them) measure D_t = ||h_t||^2 / sum_s (ĥ_t . h_s)^2 for
every training point's hidden vector h_t = W x_t, and the same formula on the features W_i: while
the model memorises, each of the T data points gets about m/T of a dimension (a regular T-gon in
m=2 dimensions gives exactly m/T) and the features get almost none; past the peak, the data points
lose their dimensions and a few features gain them.

Settings: the runs of B2 (minimem.experiments: "bottleneck_dd"; n=1000, m=2, S=0.99, normalised,
50,000 steps), all seeds; each point is one data point or one feature (jittered in T), with the
m/T guide line. Also the maximal data dimensionality D*_t = h_t^T (H^T H)^+ h_t (sums to rank H).

Run: python scripts/B4_dimensionality.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import dimensionality_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import dimensionalities
from minimem import experiments, relu_output

# --- config
EXPERIMENT = "bottleneck_dd"  # B2's sweep


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)

    # --- plot
    def vectors(i, s):
        p = experiments.params_at(res, i, s)
        x = experiments.train_set(cfg, cfg["sizes"][i], s)[None].astype(np.float64)  # (1, T, n)
        p = {k: v.astype(np.float64) for k, v in p.items()}
        return relu_output.hidden(p, x)[0], p["W"][0]  # h_t = W x_t (T, m), W (m, n)

    fig = dimensionality_figure(plt(), cfg, dimensionalities(cfg, vectors), "ReLU output model fractional "
                                "dimensionality")
    r.save(fig, "B4_dimensionality")


if __name__ == "__main__":
    main()
