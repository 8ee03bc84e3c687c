"""M2 -- The MLP auto-encoder over the data set size T: test loss and accuracy (the write-up: double descent).

The write-up trains the standard MLP h = ReLU(W1 x + b1), x' = W2 h + b2 (no ReLU after the second
layer) as an auto-encoder with the MSE loss in the setting of B2 and finds double descent; accuracy
is 1 when argmax(x') = argmax(x).

Settings: n=1000, m=2 hidden neurons, S=0.99, normalised inputs, MSE with uniform importance; full
batch, AdamW (lr 1e-3, warm-up 2,500, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
nn.Linear init (W1, b1, W2 uniform +-1/sqrt(fan_in)), b2 zero; float32; 4 seeds per T, T from 3 to
5,000; test loss and accuracy on 10,000 fresh samples. Runs shared with M3, M4, M5
(minimem.experiments: "mlp_dd"), cached in results/.

The dashed green line is a floor no such MLP can beat: its outputs W2 h + b2 lie in an affine
subspace of dimension at most m, so its train MSE is at least that of the best rank-m affine fit
of the training set (minimem.metrics.affine_rank_bound, from an SVD of the centred data).

Run: python scripts/M2_mlp_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_sweep
from minimem import experiments, metrics

# --- config
EXPERIMENT = "mlp_dd"  # shared with M3, M4, M5
SHOW = [5, 20, 100, 300, 1000, 5000]  # W1 panels


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "MSE", ref=1.0)
    # the best rank-m affine fit of each training set: a floor under the train MSE
    bound = np.array([metrics.affine_rank_bound(experiments.train_sets(cfg, T), cfg["m"]) for T in cfg["sizes"]])
    gap = res["train_loss"] / np.maximum(bound, 1e-30)
    print("rank-m affine bound per T (mean over seeds): "
          + str(dict(zip(cfg["sizes"], [float(f"{v:.3g}") for v in bound.mean(1)]))))
    print("train MSE / bound per T (mean over seeds, where the bound > 1e-6): "
          + str({T: round(float(g), 3) for T, g, b in zip(cfg["sizes"], gap.mean(1), bound.mean(1)) if b > 1e-6}))
    dead = np.array([[experiments.dead_units(experiments.params_at(res, i, s), experiments.train_set(cfg, T, s)[None])[0]
                      for s in range(cfg["seeds"])] for i, T in enumerate(cfg["sizes"])])
    print(f"dead hidden units (off for every training point; mean over seeds, of {cfg['m']}) per T: "
          + str(dict(zip(cfg["sizes"], np.round(dead.mean(1), 2).tolist()))))
    fig, ax = sweep_figure(plt(), cfg, res, "MLP auto-encoder (no output ReLU)", "MSE", (1.0, "all-zeros output"),
                           SHOW, linear_test=True)
    ok = bound.mean(1) > 0
    ax.plot(np.array(cfg["sizes"])[ok], bound.mean(1)[ok], "--", c="tab:green", lw=1.2,
            label=f"best rank-{cfg['m']} affine fit of the train set")
    ax.legend(fontsize=7, loc="lower right")
    r.save(fig, "M2_mlp_double_descent")


if __name__ == "__main__":
    main()
