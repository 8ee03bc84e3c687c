"""M4 -- Fractional dimensionality of features and data points in the MLP auto-encoder vs T.

The write-up finds "a very similar pattern for the dimensionality of features and datapoints as in
the experiments for the output ReLU model" (B4): data points get about m/T of a dimension while
memorised, features take over past the peak.

Settings: M2's runs (minimem.experiments: "mlp_dd"; n=1000, m=2, S=0.99, 50,000 steps), all seeds;
features = columns of W1, data points = hidden vectors W1 x_t + b1 (the write-up's definition).
Every setting, from the catalogue: python -m minimem config M4.

Run: python scripts/M4_mlp_dimensionality.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import dimensionality_figure, plt
from minimem.cli import FigureScript
from minimem.experiments import dimensionalities
from minimem import experiments, mlp
from minimem.named import say

# --- config
EXPERIMENTS = {"": "mlp_dd", "relu_out_": "mlp_dd_relu_out"}  # name prefix: M2's MLP, A4's (output ReLU)
BIG = 0.1  # a feature with D_i above this holds a share of a dimension
LATE = 1500  # from here on B2's bottleneck has generalised (B4: five such features per seed, the pentagon)


def numbers(cfg, dims, key):
    """The data points' median D_t against m/T, and the features with D_i > BIG per seed and their
    mean D_i, per T, named with the prefix ``key``."""
    sizes, seeds = cfg["sizes"], range(cfg["seeds"])
    say(f"{key}median_D_t", {T: np.median(np.concatenate([dims[(i, s)][0] for s in seeds])) for i, T in enumerate(sizes)},
        sig=3)
    big = {T: [dims[(i, s)][-1][dims[(i, s)][-1] > BIG] for s in seeds] for i, T in enumerate(sizes)}
    say(f"{key}big_features", {T: [len(b) for b in row] for T, row in big.items()})  # per seed
    say(f"{key}big_mean_D_i", {T: np.mean(np.concatenate(row)) for T, row in big.items() if sum(map(len, row))}, sig=2)
    early = [len(b) for T, row in big.items() if T < LATE for b in row]
    say(f"{key}big_early_range", (min(early), max(early)) if early else None)  # per seed, below T = LATE
    late = [len(b) for T, row in big.items() if T >= LATE for b in row]
    say(f"{key}big_late_range", (min(late), max(late)) if late else None)  # per seed, from T = LATE on


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {key: r.run(name) for key, name in EXPERIMENTS.items()}
    # --- plot
    cfg = runs[""][0]
    say("m_over_T", {T: min(cfg["m"] / T, 1) for T in cfg["sizes"]}, sig=3)
    say("big_D_i", BIG)
    say("late_T", LATE)
    say("sizes", cfg["sizes"])
    pyplot = plt()
    fig, axes = pyplot.subplots(2, 2, figsize=(13, 5.4), sharex=True)
    for col, (key, (cfg, res)) in enumerate(runs.items()):
        def vectors(i, s):
            p = {k: v.astype(np.float64) for k, v in experiments.params_at(res, i, s).items()}
            x = experiments.train_set(cfg, cfg["sizes"][i], s)[None].astype(np.float64)  # (1, T, n)
            return mlp.pre_activation(p, x)[0], p["W1"][0]  # the write-up's hidden vectors W1 x + b1, and W1

        dims = dimensionalities(cfg, vectors, with_max=False)
        numbers(cfg, dims, key)
        dimensionality_figure(pyplot, cfg, dims, "output ReLU (A4's runs)" if key else "M2's MLP", with_max=False,
                              axes=axes[:, col])
        axes[0, col].set_yscale("log")  # D_t spans decades: on a log axis, far below m/T can be seen
    fig.suptitle("MLP auto-encoder, fractional dimensionality of the hidden vectors W1 x + b1 and of the columns of W1")
    fig.tight_layout()
    r.save(fig, "M4_mlp_dimensionality")


if __name__ == "__main__":
    main()
