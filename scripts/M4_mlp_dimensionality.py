"""M4 -- Fractional dimensionality of features and data points in the MLP auto-encoder vs T.

The write-up finds "a very similar pattern for the dimensionality of features and datapoints as in
the experiments for the output ReLU model" (B4): data points get about m/T of a dimension while
memorised, features take over past the peak.

Settings: M2's runs (scripts/_runs.py: mlp_dd; n=1000, m=2, S=0.99, 50,000 steps), all seeds;
features = columns of W1, data points = hidden vectors W1 x_t + b1 (the write-up's definition).

Run: python scripts/M4_mlp_dimensionality.py [--quick] [--fresh]   (redraws from M2's cache)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import mlp_dd
from minimem import metrics


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, res = mlp_dd(args.quick, args.fresh)
    sizes = np.array(cfg["sizes"])
    rng = np.random.default_rng(0)  # jitter only
    pyplot = plt()
    fig, axes = pyplot.subplots(2, 1, figsize=(6.5, 6), sharex=True)
    for i, T in enumerate(sizes):
        for s in range(cfg["seeds"]):
            W1 = res["param_W1"][i, s].astype(np.float64)
            b1 = res["param_b1"][i, s].astype(np.float64)
            x = sparse_set(int(T), cfg["n"], cfg["sparsity"], s, cfg["normalize"], np.float32, 0).astype(np.float64)
            H = x @ W1.T + b1
            Dd, Df = metrics.fractional_dimensionality(H), metrics.feature_dimensionality(W1)
            axes[0].scatter(T * np.exp(rng.uniform(-0.08, 0.08, len(Dd))), Dd, s=1, c="tab:red", alpha=0.3)
            axes[1].scatter(T * np.exp(rng.uniform(-0.08, 0.08, len(Df))), Df, s=1, c="tab:blue", alpha=0.3)
    guide = np.geomspace(sizes[0], sizes[-1], 100)
    axes[0].plot(guide, np.minimum(cfg["m"] / guide, 1), "k--", lw=0.8, label="m / T")
    axes[0].legend(fontsize=7)
    axes[0].set(xscale="log", ylabel="data points: D_t", title=f"MLP auto-encoder fractional dimensionality; "
                f"n={cfg['n']}, m={cfg['m']}, S={cfg['sparsity']}, {cfg['steps']} steps, {cfg['seeds']} seeds")
    axes[1].set(ylabel="features: D_i", xlabel="data set size T")
    save(fig, "M4_mlp_dimensionality", args.quick)


if __name__ == "__main__":
    main()
