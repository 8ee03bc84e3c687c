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

from _plot import Run, epochs_figure, plt
from minimem import experiments, metrics, mlp

# --- config
EXPERIMENT = "ce_epochs"
LESS_DECAY = {"weight decay 0": "ce_epochs_wd0", "weight decay 1e-4": "ce_epochs_wd0.0001"}  # printed only


def main(argv=None):
    r = Run(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    others = {what: r.run(name) for what, name in LESS_DECAY.items()}
    # --- plot
    for what, (c, rr) in others.items():  # does less weight decay bring the cosine similarities near 1?
        x, _ = experiments.small_data(c)
        for s in c["snapshots"]:
            h = mlp.forward(experiments.snapshot(rr, s), x[None])[1]["h"][0]
            off = metrics.cosine_similarity(h)[~np.eye(len(x), dtype=bool)]
            print(f"{what}, {s} epochs: mean off-diagonal cosine similarity {np.nanmean(off):.3f}, max activation "
                  f"{h.max():.2f}")
    r.save(epochs_figure(plt(), cfg, res, "weight decay 1e-2"), "A6_ce_mlp_epochs")


if __name__ == "__main__":
    main()
