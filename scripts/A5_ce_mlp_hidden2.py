"""A5 -- A cross-entropy MLP with 2 neurons and 64 one-hot inputs: W1, activations, W2.

The write-up's appendix ("ignoring the residual stream"): a layer that opens up from 2 hidden
neurons to 64 classes. W1 projects the inputs in all directions, the bias b1 lifts them into the
first quadrant so the ReLU keeps them; the activations span nearly the whole 90 degrees, with
neighbouring angles at different lengths; W2 and b2 then pick the right class.

Settings: h = ReLU(W1 x + b1), logits = W2 h + b2, n = V = 64 one-hot inputs (class i for e_i),
m=2, cross-entropy, AdamW lr 1e-3 constant, weight decay 1e-2, 10,000 full-batch steps, PyTorch
init, float64. Panels: columns of W1, the activations ReLU(W1 e_i + b1) (coloured by class), rows of
W2 (same colours), b2.
Every setting, from the catalogue: python -m minimem config A5.

Run: python scripts/A5_ce_mlp_hidden2.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments, mlp
from minimem.named import say

# --- config
EXPERIMENT = "ce_hidden2"


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    x, y = experiments.small_data(cfg)  # (n, n) one-hot, classes (n,)
    n = cfg["n_in"]
    logits, c = mlp.forward(res, x[None])
    h = c["h"][0]  # (n, m) activations ReLU(W1 e_i + b1)
    W1, b1, W2, b2 = (res[k][0] for k in ("W1", "b1", "W2", "b2"))
    acc = np.mean(np.argmax(logits[0], 1) == y)
    loss = float(res["final_loss"][0])
    ang = np.degrees(np.arctan2(h[:, 1], h[:, 0]))
    say("n", n)
    say("loss", loss)
    say("accuracy", acc, sig=3)
    say("chance", 1 / n, sig=2)
    say("b1", b1)
    # "projects inputs in all directions": the angles of the columns W1_i (degrees, -180 to 180)
    col = np.degrees(np.arctan2(W1[1], W1[0]))  # (n,)
    say("columns_outside_first_quadrant", int(np.sum((W1 < 0).any(axis=0))))
    say("column_angle_range", (col.min(), col.max()), sig=3)
    # "such that they don't get killed by the ReLU": the pre-activations a_i = W1 e_i + b1
    a = c["a"][0]  # (n, m)
    lifted = (W1 < 0).any(axis=0) & (a > 0).all(axis=1)  # a negative coordinate that b1 lifts above 0
    say("lifted", int(lifted.sum()))
    say("killed_whole", int((a <= 0).all(axis=1).sum()))  # activation the zero vector: the input is lost
    say("killed_one", int(((a <= 0).sum(axis=1) == 1).sum()))  # one coordinate zeroed: on an axis
    alive = (h > 0).any(axis=1)
    ang = np.degrees(np.arctan2(h[alive, 1], h[alive, 0]))  # the non-zero activations' angles
    say("activation_angle_range", (ang.min(), ang.max()), sig=3)
    correct = np.argmax(logits[0], 1) == y
    say("accuracy_killed_whole", correct[~alive].mean() if (~alive).any() else None, sig=3)
    say("accuracy_alive", correct[alive].mean(), sig=3)
    pyplot = plt()
    colors = pyplot.get_cmap("hsv")(np.linspace(0, 0.9, n))
    fig, axes = pyplot.subplots(1, 4, figsize=(14, 3.7))
    axes[0].scatter(W1[0], W1[1], c=colors, s=12)
    axes[0].scatter([b1[0]], [b1[1]], c="tab:purple", marker="*", s=80, label="b1")
    axes[0].legend(fontsize=7)
    axes[0].set(title="W1 columns (one per input) and b1")
    axes[1].scatter(h[:, 0], h[:, 1], c=colors, s=12)
    for (hx, hy), col in zip(h, colors):
        axes[1].plot([0, hx], [0, hy], c=col, lw=0.5)
    axes[1].set(title="activations ReLU(W1 e_i + b1)")
    axes[2].scatter(W2[:, 0], W2[:, 1], c=colors, s=12)
    axes[2].set(title="W2 rows (one per class)")
    axes[3].bar(np.arange(n), b2, color=colors)
    axes[3].set(title="b2", xlabel="class")
    for ax in axes[:3]:  # each panel equal-aspect at its own scale (ticks show it)
        ax.axhline(0, c="gray", lw=0.4)
        ax.axvline(0, c="gray", lw=0.4)
        ax.set_aspect("equal", adjustable="datalim")
        ax.tick_params(labelsize=6)
    fig.suptitle(f"cross-entropy MLP, m={cfg['m']} neurons, {n} one-hot inputs, " + describe(cfg, "steps", "weight_decay")
                 + f": CE {loss:.3g}, accuracy {acc:.2f}; colour = input / class index")
    fig.tight_layout()
    r.save(fig, "A5_ce_mlp_hidden2")


if __name__ == "__main__":
    main()
