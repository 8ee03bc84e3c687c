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
Printed beside it, to look for the cosine similarities near 1: weight decay 0 and 1e-4, 30,000 epochs,
lr 1e-2, seeds 1 and 2 (minimem.experiments "ce_epochs_*").

Run: python scripts/A6_ce_mlp_epochs.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import epochs_figure, plt
from minimem.cli import FigureScript
from minimem import experiments, metrics, mlp

# --- config
EXPERIMENT = "ce_epochs"
# printed beside it: does anything bring the cosine similarities near 1?
VARIANTS = {"weight decay 1e-2 (shown)": EXPERIMENT, "weight decay 0": "ce_epochs_wd0",
            "weight decay 1e-4": "ce_epochs_wd0.0001", "30,000 epochs": "ce_epochs_long", "lr 1e-2": "ce_epochs_lr0.01",
            "seed 1": "ce_epochs_seed1", "seed 2": "ce_epochs_seed2"}


def off_diagonal_mean(c):
    """Mean of a square matrix's off-diagonal entries."""
    return float(np.nanmean(c[~np.eye(len(c), dtype=bool)]))


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    variants = {what: r.run(name) for what, name in VARIANTS.items()}
    cfg, res = variants["weight decay 1e-2 (shown)"]
    # --- plot
    for what, (c, rr) in variants.items():
        x, _ = experiments.small_data(c)
        for s in c["snapshots"]:
            p = experiments.snapshot(rr, s)
            h = mlp.forward(p, x[None])[1]["h"][0]  # (n, m)
            live = h.max(axis=0) > 0  # (m,) neurons on for some input
            b1 = p["b1"][0][live]
            print(f"{what}, {s} epochs: mean off-diagonal cosine similarity of the inputs' activations "
                  f"{off_diagonal_mean(metrics.cosine_similarity(h)):.3f} (of the neurons' activation profiles "
                  f"{off_diagonal_mean(metrics.cosine_similarity(h.T)):.3f}); active neurons per input "
                  f"{np.mean(np.sum(h > 0, 1)):.1f} of {c['m']}; max activation {h.max():.2f}; b1 of the "
                  f"{live.sum()} live neurons {b1.min():.2f} to {b1.max():.2f}")
    r.save(epochs_figure(plt(), cfg, res, "weight decay 1e-2"), "A6_ce_mlp_epochs")


if __name__ == "__main__":
    main()
