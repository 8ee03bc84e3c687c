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
Every setting, from the catalogue: python -m minimem config A6.

Run: python scripts/A6_ce_mlp_epochs.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import epochs_figure, plt
from minimem.cli import FigureScript
from minimem import experiments, metrics, mlp
from minimem.named import say

# --- config
EXPERIMENT = "ce_epochs"
# printed beside it: does anything bring the cosine similarities near 1? {short name: (label, experiment)}
VARIANTS = {"shown": ("weight decay 1e-2 (shown)", EXPERIMENT), "wd0": ("weight decay 0", "ce_epochs_wd0"),
            "wd1e4": ("weight decay 1e-4", "ce_epochs_wd0.0001"), "long": ("30,000 epochs", "ce_epochs_long"),
            "lr1e2": ("lr 1e-2", "ce_epochs_lr0.01"), "seed1": ("seed 1", "ce_epochs_seed1"),
            "seed2": ("seed 2", "ce_epochs_seed2")}
CLAIMED = 1.0  # the write-up: the cosine similarities are "very close to 1"


def off_diagonal_mean(c):
    """Mean of a square matrix's off-diagonal entries."""
    return float(np.nanmean(c[~np.eye(len(c), dtype=bool)]))


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    variants = {k: r.run(name) for k, (_, name) in VARIANTS.items()}
    cfg, res = variants["shown"]
    # --- plot
    stats = {}  # {(variant, snapshot): the numbers of that network}
    for k, (c, rr) in variants.items():
        x, y = experiments.small_data(c)
        for s in c["snapshots"]:
            p = experiments.snapshot(rr, s)
            out, acts = mlp.forward(p, x[None])
            out, h = out[0], acts["h"][0]  # (n, classes) logits, (n, m) activations
            live = h.max(axis=0) > 0  # (m,) neurons on for some input
            b1 = p["b1"][0][live]
            st = stats[k, s] = dict(cos=off_diagonal_mean(metrics.cosine_similarity(h)),
                                    profile=off_diagonal_mean(metrics.cosine_similarity(h.T)),
                                    active=np.mean(np.sum(h > 0, 1)), top=h.max(), live=int(live.sum()),
                                    b1=(b1.min(), b1.max()), W2_mean=p["W2"].mean(), W2_min=p["W2"].min(),
                                    logits=(out.min(), out.max()), acc=np.mean(np.argmax(out, 1) == y))
            print(f"{VARIANTS[k][0]}, {s} epochs: mean off-diagonal cosine similarity of the inputs' activations "
                  f"{st['cos']:.3f} (of the neurons' activation profiles {st['profile']:.3f}); active neurons per "
                  f"input {st['active']:.1f} of {c['m']}; max activation {st['top']:.2f}; b1 of the "
                  f"{st['live']} live neurons {b1.min():.2f} to {b1.max():.2f}")

    def per_snapshot(k, key):
        return {s: stats[k, s][key] for s in variants[k][0]["snapshots"]}
    say("snapshots", cfg["snapshots"])
    say("accuracy_min", min(per_snapshot("shown", "acc").values()), sig=3)
    for key in ("W2_mean", "W2_min", "logits"):
        say(key, per_snapshot("shown", key), sig=3)
    say("max_activation", per_snapshot("shown", "top"), sig=3)
    # the shown run continued to 30,000 epochs
    say("max_activation_long", per_snapshot("long", "top"), sig=3)
    say("b1_live_long", per_snapshot("long", "b1"), sig=3)
    say("live_long", per_snapshot("long", "live"))
    say("weight_decays", [variants[k][0]["weight_decay"] for k in ("shown", "wd0", "wd1e4")])
    say("long_epochs", variants["long"][0]["steps"])
    say("long_snapshots", variants["long"][0]["snapshots"])
    say("lr_fast", variants["lr1e2"][0]["lr"])
    say("other_seeds", [variants[k][0]["seed"] for k in ("seed1", "seed2")])
    for k in VARIANTS:
        say(f"cosine_{k}", per_snapshot(k, "cos"), sig=3)
    say("claimed_cosine", CLAIMED)
    say("cosine_max", max(st["cos"] for st in stats.values()), sig=3)  # over every variant and snapshot
    say("profile_cosine_range", (min(st["profile"] for st in stats.values()),
                                 max(st["profile"] for st in stats.values())), sig=3)
    say("active_range", (min(st["active"] for st in stats.values()), max(st["active"] for st in stats.values())),
        sig=2)
    say("m", cfg["m"])
    r.save(epochs_figure(plt(), cfg, res, "weight decay 1e-2"), "A6_ce_mlp_epochs")


if __name__ == "__main__":
    main()
