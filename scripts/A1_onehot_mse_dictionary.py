"""A1 -- Noiseless orthogonal inputs: an MSE MLP read as a dictionary.

The write-up's appendix: with n=20 one-hot inputs and m=10 neurons, an MLP h = ReLU(W1 x + b1),
x' = W2 h + b2 trained to reproduce its input (the identity) can be read off its weights as a
dictionary of key-value pairs; the first bias "counters" the ReLU by lifting the activations just
above 0, the second bias acts as an equaliser.

Settings: n=20 one-hot vectors (the whole data set), m=10, MSE, AdamW lr 1e-3 constant (PyTorch's
default), weight decay 1e-2, 10,000 full-batch steps (epochs); PyTorch's nn.Linear init, b2 zero;
float64. Panels: W1, b1, the pre-activations W1 x + b1 and activations ReLU(.) for every input,
W2, b2, the outputs; the reconstruction accuracy (argmax) in the title.

Run: python scripts/A1_onehot_mse_dictionary.py [--quick] [--fresh]   (~5 s)
"""

import numpy as np

from _common import parser, plt, save
from _runs import small_mlp
from minimem import data, mlp


def plot_dictionary(fig, axes, params, x, title_out, out_fn=None):
    """Heatmaps of W1, b1, pre-activations, activations, W2, b2 and outputs of a one-sample-per-row
    data set x (N, n)."""
    W1, b1, W2, b2 = (params[f"param_{k}"] for k in ("W1", "b1", "W2", "b2"))
    a = x @ W1.T + b1  # (N, m)
    h = np.maximum(a, 0)
    out = h @ W2.T + b2  # (N, k)
    panels = [(W1, "W1 (m x n)"), (b1[:, None], "b1"), (a.T, "W1 x + b1 (m x inputs)"), (h.T, "activations ReLU(.)"),
              (W2, "W2 (k x m)"), (b2[:, None], "b2"), (out.T, title_out)]
    for ax, (M, t) in zip(axes, panels):
        lim = np.abs(M).max() or 1
        im = ax.imshow(M, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        ax.set(title=t, xticks=[], yticks=[])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)
    return out


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    n, m = 20, 10
    x = data.one_hot(n)
    cfg, r = small_mlp("A1_onehot_mse_dictionary", n, m, x, x, loss="mse", steps=2_000 if args.quick else 10_000,
                       fresh=args.fresh)
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 7, figsize=(17, 3.2), gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4]})
    out = plot_dictionary(fig, axes, r, x, "outputs x' (n x inputs)")
    acc = np.mean(np.argmax(out, 1) == np.arange(n))
    b1 = r["param_b1"]
    print(f"final MSE {float(r['final_loss']):.4g}; reconstruction accuracy {acc:.2f}; b1 {np.round(b1, 3).tolist()}")
    fig.suptitle(f"MSE MLP on n={n} one-hot inputs, m={m} neurons, {cfg['steps']} steps: MSE "
                 f"{float(r['final_loss']):.3g}, accuracy {acc:.2f}")
    fig.tight_layout()
    save(fig, "A1_onehot_mse_dictionary", args.quick)


if __name__ == "__main__":
    main()
