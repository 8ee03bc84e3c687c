"""A1 -- Noiseless orthogonal inputs: an MSE MLP read as a dictionary.

The write-up's appendix: with n=20 one-hot inputs and m=10 neurons, an MLP h = ReLU(W1 x + b1),
x' = W2 h + b2 trained to reproduce its input (the identity) can be read off its weights as a
dictionary of key-value pairs; the first bias "counters" the ReLU by lifting the activations just
above 0, the second bias acts as an equaliser.

Settings: n=20 one-hot vectors (the whole data set), m=10, MSE, AdamW lr 1e-3 constant (PyTorch's
default), weight decay 1e-2, 10,000 full-batch steps (epochs); PyTorch's nn.Linear init, b2 zero;
float64. Panels: W1, b1, the pre-activations W1 x + b1 and activations ReLU(.) for every input,
W2, b2, the outputs; the reconstruction accuracy (argmax) in the title.
Every setting, from the catalogue: python -m minimem config A1.

Run: python scripts/A1_onehot_mse_dictionary.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, dictionary, plt
from minimem.cli import FigureScript
from minimem import experiments, metrics, mlp
from minimem.named import say

# --- config
EXPERIMENT = "onehot_dictionary"
ON = 0.0  # the ReLU passes pre-activations above this


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    x, _ = experiments.small_data(cfg)  # (n, n) the one-hot vectors
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 7, figsize=(17, 3.2), gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4]})
    out, c = mlp.forward(res, x[None])  # (1, N, n): the outputs, and the pre-activations and activations
    out = out[0]
    dictionary(fig, axes, res, (c["a"][0], c["h"][0], out), "outputs x' (n x inputs)")
    acc = np.mean(np.argmax(out, 1) == np.arange(cfg["n_in"]))
    loss = float(res["final_loss"][0])
    print(f"final MSE {loss:.4g}; reconstruction accuracy {acc:.2f} (chance {1 / cfg['n_in']:.2f}); "
          f"b1 {np.round(res['b1'][0], 3).tolist()}")
    z = mlp.pre_activation(res, x[None])[0]  # (n, m) W1 x + b1
    live = (z > ON).any(0)  # neurons active for some input
    b1 = res["b1"][0]  # (m,)
    k = int(live.sum())
    say("acc", acc, sig=3)
    say("relu_threshold", ON)
    say("b1_positive", int((b1 > ON).sum()))
    say("m", cfg["m"])
    say("b1_positive_range", (b1[b1 > ON].min(), b1[b1 > ON].max()), sig=3)
    say("live", k)
    say("pre_live_range", (z[:, live].min(), z[:, live].max()), sig=2)  # pre-activations of the live neurons
    say("dead_b1", b1[~live], sig=3)
    active = (z[:, live] > ON).sum(0)  # (live,) inputs each live neuron is active for
    say("active_range", (active.min(), active.max()))
    say("n", cfg["n_in"])
    say("mse", loss)
    say("rank_bound_live", metrics.affine_rank_bound(x[None], k)[0])
    say("rank_bound_m", metrics.affine_rank_bound(x[None], cfg["m"])[0])
    print(f"live neurons {live.sum()} of {cfg['m']}, active for {(z[:, live] > 0).sum(0).tolist()} of {cfg['n_in']} "
          f"inputs each; their pre-activations W1 x + b1 span {z[:, live].min():.2f} to {z[:, live].max():.2f}; "
          f"best rank-k affine fit of the data (metrics.affine_rank_bound): k={live.sum()}: "
          f"{metrics.affine_rank_bound(x[None], int(live.sum()))[0]:.3g}, k={cfg['m']}: "
          f"{metrics.affine_rank_bound(x[None], cfg['m'])[0]:.3g}")
    fig.suptitle(f"MSE MLP on n={cfg['n_in']} one-hot inputs, m={cfg['m']} neurons, "
                 + describe(cfg, "steps", "weight_decay") + f": MSE {loss:.3g}, accuracy {acc:.2f}")
    fig.tight_layout()
    r.save(fig, "A1_onehot_mse_dictionary")


if __name__ == "__main__":
    main()
