"""A5 -- A cross-entropy MLP with 2 neurons and 64 one-hot inputs: W1, activations, W2.

The write-up's appendix ("ignoring the residual stream"): a layer that opens up from 2 hidden
neurons to 64 classes. W1 projects the inputs in all directions, the bias b1 lifts them into the
first quadrant so the ReLU keeps them; the activations span nearly the whole 90 degrees, with
neighbouring angles at different lengths; W2 and b2 then pick the right class.

Settings: h = ReLU(W1 x + b1), logits = W2 h + b2, n = V = 64 one-hot inputs (class i for e_i),
m=2, cross-entropy, AdamW lr 1e-3 constant, weight decay 1e-2, 10,000 full-batch steps, PyTorch
init, float64. Panels: columns of W1, the activations ReLU(W1 e_i + b1) (coloured by class), rows of
W2 (same colours), b2.

Run: python scripts/A5_ce_mlp_hidden2.py [--quick] [--fresh]   (~10 s)
"""

import numpy as np

from _common import parser, plt, save
from _runs import small_mlp
from minimem import data


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    n, m = 64, 2
    x, y = data.one_hot(n), np.arange(n)
    cfg, r = small_mlp("A5_ce_mlp_hidden2", n, m, x, y, loss="ce", steps=2_000 if args.quick else 10_000,
                       fresh=args.fresh)
    W1, b1, W2, b2 = (r[f"param_{k}"] for k in ("W1", "b1", "W2", "b2"))
    h = np.maximum(x @ W1.T + b1, 0)  # (n, m)
    logits = h @ W2.T + b2
    acc = np.mean(np.argmax(logits, 1) == y)
    ang = np.degrees(np.arctan2(h[:, 1], h[:, 0]))
    print(f"CE {float(r['final_loss']):.4f}, accuracy {acc:.3f}; b1 {np.round(b1, 3).tolist()}; "
          f"activation angles span {ang.min():.1f} to {ang.max():.1f} degrees")
    pyplot = plt()
    colors = pyplot.get_cmap("hsv")(np.linspace(0, 0.9, n))
    fig, axes = pyplot.subplots(1, 4, figsize=(14, 3.6))
    axes[0].scatter(W1[0], W1[1], c=colors, s=12)
    axes[0].scatter([b1[0]], [b1[1]], c="tab:purple", marker="*", s=80, label="b1")
    axes[0].legend(fontsize=7)
    axes[0].set(title="W1 columns (one per input) and b1")
    axes[1].scatter(h[:, 0], h[:, 1], c=colors, s=12)
    for (hx, hy), c in zip(h, colors):
        axes[1].plot([0, hx], [0, hy], c=c, lw=0.5)
    axes[1].set(title="activations ReLU(W1 e_i + b1)")
    axes[2].scatter(W2[:, 0], W2[:, 1], c=colors, s=12)
    axes[2].set(title="W2 rows (one per class)")
    axes[3].bar(np.arange(n), b2, color=colors)
    axes[3].set(title="b2", xlabel="class")
    for ax in axes[:3]:
        ax.axhline(0, c="gray", lw=0.4)
        ax.axvline(0, c="gray", lw=0.4)
        ax.set_aspect("equal", adjustable="datalim")
    fig.suptitle(f"cross-entropy MLP, m={m} neurons, {n} one-hot inputs, {cfg['steps']} steps: CE "
                 f"{float(r['final_loss']):.3g}, accuracy {acc:.2f}")
    fig.tight_layout()
    save(fig, "A5_ce_mlp_hidden2", args.quick)


if __name__ == "__main__":
    main()
