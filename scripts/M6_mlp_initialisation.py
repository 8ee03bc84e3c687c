"""M6 -- Initialisation: uniform (PyTorch's default) leaves rectangles, Gaussian leaves circles.

The write-up: "The rectangles around the origin in the early feature plots above are a result of
weight initialization. For small dataset sizes some inputs are never used and the weights are thus
not updated. The standard initialization in PyTorch is uniform which looks like a rectangle in 2D.
If we change it to Gaussian initialization, the rectangles become circles." (Weight decay shrinks
the unused columns but keeps their shape.)

Settings: the MLP auto-encoder of M2 (n=1000, m=2, S=0.99, normalised, MSE, 50,000 steps, Henighan
schedule, weight decay 1e-2) at small T in (3, 10, 30, 100), 2 seeds, trained twice: W1, W2
uniform +-1/sqrt(fan_in) (PyTorch) and Gaussian N(0, 1/fan_in); b1 uniform, b2 zero in both.
Columns of W1, seed 0; the used features (non-zero in some training point) in blue, unused grey.
Runs: scripts/_runs.py mlp_dd(init=...), cached.

Run: python scripts/M6_mlp_initialisation.py [--quick] [--fresh]   (full: ~2 min on two cores)
"""

import numpy as np

from _common import parser, plt, save, sparse_set
from _runs import mlp_dd

SIZES = [3, 10, 30, 100]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    runs = {init: mlp_dd(args.quick, args.fresh, init=init, sizes=SIZES, seeds=2) for init in ("uniform", "gaussian")}
    sizes = list(runs["uniform"][0]["sizes"])
    pyplot = plt()
    fig, axes = pyplot.subplots(2, len(sizes), figsize=(2.5 * len(sizes), 5.2), squeeze=False)
    for row, (init, (cfg, res)) in enumerate(runs.items()):
        for j, T in enumerate(sizes):
            W1 = res["param_W1"][j, 0]
            x = sparse_set(T, cfg["n"], cfg["sparsity"], 0, cfg["normalize"], np.float32, 0)
            used = np.any(x != 0, axis=0)  # (n,) features present in some training point
            ax = axes[row, j]
            ax.scatter(W1[0, ~used], W1[1, ~used], s=1.5, c="0.6", label="unused features")
            ax.scatter(W1[0, used], W1[1, used], s=4, c="tab:blue", label="used features")
            ax.set(aspect="equal", title=f"{init} init, T={T}")
            ax.tick_params(labelsize=6)
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle(f"MLP auto-encoder, columns of W1 after {runs['uniform'][0]['steps']} steps: uniform init "
                 f"leaves a square, Gaussian a disc")
    fig.tight_layout()
    save(fig, "M6_mlp_initialisation", args.quick)


if __name__ == "__main__":
    main()
