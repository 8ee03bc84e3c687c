"""A7 -- The cross-entropy MLP of A6 with weight decay 1: no more runaway activations.

The write-up: "a weight decay of 1 counteracts the desire of cross-entropy to make everything go to
infinity", so activations and weights stay small and the result reads more easily.

Settings: as A6 (n = V = 20 one-hot inputs, m=10, cross-entropy, AdamW lr 1e-3 constant, snapshots
after 1000 and 3000 epochs, PyTorch init, float64) with weight decay 1.0.
Every setting, from the catalogue: python -m minimem config A7.

Run: python scripts/A7_ce_mlp_weight_decay.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import epochs_figure, plt
from minimem.cli import FigureScript
from minimem import experiments, mlp
from minimem.experiments import snapshot_numbers
from minimem.named import say

# --- config
EXPERIMENT = "ce_weight_decay"
BESIDE = "ce_epochs"  # A6: the same at weight decay 1e-2, printed for comparison


def numbers(cfg, res, step):
    """What the section cites of the network at a snapshot step: its largest activation, W2's minimum,
    the logits' range and the accuracy on its inputs."""
    x, y = experiments.small_data(cfg)
    p = experiments.snapshot(res, step)
    out, c = mlp.forward(p, x[None])
    out = out[0]  # (n, classes)
    return dict(max_activation=c["h"][0].max(), W2_min=p["W2"].min(), logits=(out.min(), out.max()),
                acc=np.mean(np.argmax(out, 1) == y))


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    a6_cfg, a6 = r.run(BESIDE)
    # --- plot
    for s in a6_cfg["snapshots"]:
        snapshot_numbers(a6_cfg, a6, s, "for comparison, A6 at weight decay 1e-2")
    ours = {s: numbers(cfg, res, s) for s in cfg["snapshots"]}
    theirs = {s: numbers(a6_cfg, a6, s) for s in a6_cfg["snapshots"]}
    say("snapshots", cfg["snapshots"])
    for key in ("max_activation", "W2_min", "logits"):
        say(key, {s: v[key] for s, v in ours.items()}, sig=3)
        say(f"a6_{key}", {s: v[key] for s, v in theirs.items()}, sig=3)
    say("accuracy_min", min(v["acc"] for v in ours.values()), sig=3)
    r.save(epochs_figure(plt(), cfg, res, "weight decay 1"), "A7_ce_mlp_weight_decay")


if __name__ == "__main__":
    main()
