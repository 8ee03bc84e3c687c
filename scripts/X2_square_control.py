"""X2 -- Beyond the write-up: which factor makes F1's square features, crossed at T=500.

The write-up reads F1's square W1 clouds (cross-entropy) against B2/F4's circles (MSE) as an effect
of the loss. But F1 and F4 differ in three ways at once: the loss with its model (F1: logits =
W2 W1 x + b2 with cross-entropy on argmax(x); F4: x' = ReLU(W2 W1 x + b) with MSE), the inputs
(F1 unnormalised, F4 normalised to unit length) and the initialisation (F1 PyTorch's uniform
U(+-1/sqrt(fan_in)), F4 Xavier normal). This script crosses the three factors at T=500 (F1's
test-loss peak), with three levels of the loss: F1's linear unembedding with cross-entropy ("ce"),
the same linear unembedding trained with MSE to reproduce x ("mse_unembed": the loss is the only
thing changed against "ce"), and F4's untied ReLU output model with MSE ("mse"); 3 x 2 x 2 runs. It
measures how square each cloud of W1 columns is with
minimem.metrics.squareness (1 for a square at any rotation, 0 for a disc; an isotropic cloud of
1000 points reaches about 0.2 by sampling noise) and where its corners point
(minimem.metrics.square_corners: 45 degrees when the sides run along the coordinate axes). The
loss, the data and a Gaussian (Xavier) init are all unchanged by a rotation of the 2-D hidden
space; AdamW's per-coordinate step sizes and PyTorch's uniform init box are not. A square whose
sides run along the axes under Xavier init therefore points at the optimiser. AdamW moves each
coordinate by at most about lr per step (less the decay), so no weight can leave the box of
half-side minimem.optim.adam_reach (22.1 for this schedule); the script prints how close W1 gets.

Settings: n=1000, m=2, S=0.99, T=500, 4 seeds, the Henighan schedule over 50,000 steps (warm-up
2,500, lr 1e-3, weight decay 1e-2), float32, test on 10,000 fresh samples; minimem.experiments
"square_control", one cached unit per combination.
Every setting, from the catalogue: python -m minimem config X2.

Run: python scripts/X2_square_control.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import clouds, describe, plt
from minimem.cli import FigureScript
from minimem.experiments import adam_reach_of
from minimem import metrics
from minimem.named import say

# --- config
EXPERIMENT = "square_control"
SEED = 0
TITLES = {"ce": "CE, unembedding", "mse_unembed": "MSE, unembedding", "mse": "MSE, untied ReLU output"}


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    cells = list(out)  # (setting, normalize, init)
    ref = metrics.squareness_reference(cfg["n"], np.random.default_rng(0))
    print(f"squareness of W1 columns, mean (min-max) over {cfg['seeds']} seeds; an isotropic cloud of {cfg['n']} "
          f"points: {ref[0]:.2f} (95th percentile {ref[1]:.2f})")
    reach = adam_reach_of(cfg)
    print(f"AdamW's reach in this schedule (the farthest one coordinate moves, optim.adam_reach): {reach:.2f}")
    sq = {}
    for c in cells:
        s = metrics.squareness(out[c]["W1"])  # (seeds,)
        sq[c] = s
        corners = metrics.square_corners(out[c]["W1"])  # (seeds,) 45: sides along the axes
        W = out[c]["W1"]  # (seeds, m, n)
        at_box = np.mean(np.abs(W).max(axis=-2) > 0.9 * reach)
        print(f"  {c[0]:11s} {'normalised' if c[1] else 'unnormalised':12s} {c[2]:14s}: squareness {s.mean():.2f} "
              f"({s.min():.2f}-{s.max():.2f}), lopsidedness {metrics.lopsidedness(W).mean():.2f}, corners at {np.round(corners, 1).tolist()} degrees; largest |w| / reach "
              f"{np.abs(W).max() / reach:.2f}, columns beyond 0.9 x reach {at_box:.2f}; train loss "
              f"{out[c]['train_loss'].mean():.3g}, test loss {out[c]['test_loss'].mean():.3g}")
    for i, factor in enumerate(("loss", "inputs normalised", "init")):
        levels = sorted({c[i] for c in cells}, key=str)
        means = {lv: np.mean([sq[c].mean() for c in cells if c[i] == lv]) for lv in levels}
        print(f"main effect of {factor}: " + ", ".join(f"{lv}: {v:.2f}" for lv, v in means.items()))
    label = lambda c: f"{c[0]} {'normalised' if c[1] else 'unnormalised'} {c[2]}"  # noqa: E731
    say("reach", reach)
    say("cloud_squareness", ref[0], sig=2)
    say("squareness", {label(c): sq[c].mean() for c in cells}, sig=3)
    big = {c: np.abs(out[c]["W1"]).max(axis=(-2, -1)) / reach for c in cells}  # (seeds,) per cell
    say("largest_w_over_reach", {label(c): big[c].mean() for c in cells}, sig=2)
    say("share_at_box", {label(c): np.mean(np.abs(out[c]["W1"]).max(axis=-2) > 0.9 * reach) for c in cells}, sig=2)
    say("reach_fraction", 0.9)
    for setting in sorted({c[0] for c in cells}):  # over the setting's cells and seeds
        mine = [c for c in cells if c[0] == setting]
        say(f"{setting}_largest_w_range", (min(big[c].min() for c in mine), max(big[c].max() for c in mine)), sig=2)
        share = np.concatenate([np.mean(np.abs(out[c]["W1"]).max(axis=-2) > 0.9 * reach, axis=-1) for c in mine])
        say(f"{setting}_share_at_box_range", (share.min(), share.max()), sig=2)  # per seed
        say(f"{setting}_lopsidedness_range", (min(metrics.lopsidedness(out[c]["W1"]).min() for c in mine),
                                              max(metrics.lopsidedness(out[c]["W1"]).max() for c in mine)), sig=2)
        corners = np.concatenate([metrics.square_corners(out[c]["W1"]) for c in mine])
        say(f"{setting}_corners_range", (corners.min(), corners.max()), sig=3)
    for i, factor in enumerate(("loss", "normalised", "init")):
        levels = sorted({c[i] for c in cells}, key=str)
        say(f"main_effect_{factor}", {str(lv): np.mean([sq[c].mean() for c in cells if c[i] == lv]) for lv in levels},
            sig=3)
    losses = [s for s in cfg["settings"] if any(c[0] == s for c in cells)]
    same_model = [lv for lv in ("ce", "mse_unembed") if lv in losses]
    if len(same_model) == 2:
        print("the loss alone (the same linear unembedding): " + ", ".join(
            f"{lv}: squareness {np.mean([sq[c].mean() for c in cells if c[0] == lv]):.2f}, largest |w| / reach "
            f"{np.mean([np.abs(out[c]['W1']).max(axis=(-2, -1)).mean() for c in cells if c[0] == lv]) / reach:.2f}"
            for lv in same_model))
    pyplot = plt()
    fig, axes = pyplot.subplots(len(losses), 4, figsize=(13, 3.5 * len(losses) + 0.4), squeeze=False)
    order = sorted(cells, key=lambda c: (losses.index(c[0]), c[1], c[2]))
    lim = 1.08 * max(reach, max(np.abs(out[c]["W1"][SEED]).max() for c in cells))  # one scale for all panels
    for ax, c in zip(axes.ravel(), order):
        W1 = out[c]["W1"][SEED]
        small = c[0] == "mse_unembed"  # a hundredth of the reach: drawn at its own scale, or it is a dot
        clouds([ax], [W1], [f"{TITLES.get(c[0], c[0])}, {'normalised' if c[1] else 'unnormalised'}, {c[2]}\n"
                            f"squareness {sq[c].mean():.2f} ({sq[c].min():.2f}-{sq[c].max():.2f})"
                            + (", own scale" if small else "")], lim=None if small else lim)
        if not small:
            ax.plot([-reach, reach, reach, -reach, -reach], [-reach, -reach, reach, reach, -reach], "--",
                    c="tab:gray", lw=0.8)
    fig.suptitle(f"W1 columns at T={cfg['T']}, seed 0 of each, one scale but the MSE unembedding's (dashed: the box "
                 f"AdamW can reach, "
                 f"+-{reach:.1f}); squareness: mean (min-max) over {cfg['seeds']} seeds, disc level {ref[0]:.2f}; "
                 + describe(cfg, "n", "m", "sparsity", "steps"))
    fig.tight_layout()
    r.save(fig, "X2_square_control")


if __name__ == "__main__":
    main()
