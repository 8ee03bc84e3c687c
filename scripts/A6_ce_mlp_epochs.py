"""A6 -- A cross-entropy MLP (n=20 one-hot inputs, 10 neurons) after 1000 and 3000 epochs.

The write-up: MLPs trained with cross-entropy (and low weight decay) "love big activations and
strongly negative weights in W2" -- the loss wants the right logit at +inf and the rest at -inf,
and it is easier to push N-1 logits down than one up; and the cosine similarities of the
activations of different inputs are close to 1 (at least after 3000 epochs) even though the
network has memorised every input, so cosine similarity is a poor detector of memorisation.

Settings: h = ReLU(W1 x + b1), logits = W2 h + b2, n = V = 20 one-hot inputs, m=10, cross-entropy,
AdamW lr 1e-3 constant, weight decay 1e-2 (A7: 1.0), snapshots after 1000 and 3000 full-batch steps
(epochs), PyTorch init, float64. Rows: the two snapshots; panels: W1, b1, activations, W2, b2,
logits, and the cosine similarities of the activations.

Run: python scripts/A6_ce_mlp_epochs.py [--quick] [--fresh]   (~5 s)
"""

import numpy as np

from _common import parser, plt, save
from _runs import small_mlp
from A1_onehot_mse_dictionary import plot_dictionary
from minimem import data, metrics


def run_and_plot(name, weight_decay, quick, fresh, what):
    n, m = 20, 10
    x, y = data.one_hot(n), np.arange(n)
    snaps = [1000, 3000]
    cfg, r = small_mlp(name, n, m, x, y, loss="ce", steps=3000, weight_decay=weight_decay, fresh=fresh,
                       snapshot_steps=snaps)
    pyplot = plt()
    fig, axes = pyplot.subplots(2, 8, figsize=(20, 6.2), gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4, 4]})
    for row, s in enumerate(snaps):
        if f"snap{s}_W1" not in r:
            continue
        p = {f"param_{k}": r[f"snap{s}_{k}"] for k in ("W1", "b1", "W2", "b2")}
        out = plot_dictionary(fig, axes[row, :7], p, x, f"logits after {s} epochs")
        h = np.maximum(x @ p["param_W1"].T + p["param_b1"], 0)
        cos = metrics.cosine_similarity(h)
        off = cos[~np.eye(n, dtype=bool)]
        im = axes[row, 7].imshow(cos, cmap="viridis", vmin=-1, vmax=1)
        axes[row, 7].set(title=f"cos sim of activations\nmean off-diagonal {off.mean():.2f}", xticks=[], yticks=[])
        fig.colorbar(im, ax=axes[row, 7], fraction=0.046, pad=0.03)
        acc = np.mean(np.argmax(out, 1) == y)
        print(f"{what}, {s} epochs: accuracy {acc:.2f}, max activation {h.max():.2f}, W2 mean {p['param_W2'].mean():.3f} "
              f"(min {p['param_W2'].min():.2f}), mean off-diagonal cosine similarity {off.mean():.3f}")
        axes[row, 0].set_ylabel(f"{s} epochs, accuracy {acc:.2f}")
    fig.suptitle(f"cross-entropy MLP, n={n} one-hot inputs, m={m} neurons, weight decay {weight_decay} ({what})")
    fig.tight_layout()
    save(fig, name, quick)


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    run_and_plot("A6_ce_mlp_epochs", 1e-2, args.quick, args.fresh, "weight decay 1e-2")


if __name__ == "__main__":
    main()
