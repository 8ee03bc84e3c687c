"""X8 -- Beyond the write-up: which optimiser makes F1's squares and B2's peak.

X2 reads F1's square clouds of W1 columns as AdamW's per-coordinate reach (its box of half-side
optim.adam_reach) filled by a cross-entropy that never stops pushing, and predicts that plain
gradient descent, which has no per-coordinate bound, gives no square. X4 ties the height of B2's
test-loss peak to the same reach. This script trains both settings at their peaks with full-batch
SGD with momentum (three peak learning rates; the best by train loss is the one compared), Adam
without weight decay and AdamW, and prints for each: the train and test loss (at the peak, the
test loss is the peak's height), the squareness, lopsidedness and corner direction of the columns
(X2's metrics: squareness 1 for a square, printed beside an isotropic cloud of as many points; corners
at 45 degrees when the sides run along the axes), and the largest |w| against AdamW's reach.

Settings: F1's unembedding at T=500 (n = V = 1000, m=2, S=0.99, unnormalised inputs, hard labels,
cross-entropy, PyTorch's uniform init) and B2's tied ReLU output model at T=400 (normalised inputs,
MSE, Xavier normal W); the Henighan schedule over 50,000 steps with each optimiser's peak learning
rate; SGD: momentum 0.9, decoupled weight decay 1e-2, peak lr 0.1, 1, 10; Adam: lr 1e-3, weight
decay 0; AdamW: lr 1e-3, weight decay 1e-2; 4 seeds, 10,000 test samples; minimem.experiments
"optimiser_control", one cached unit per (setting, optimiser).
Every setting, from the catalogue: python -m minimem config X8.

Run: python scripts/X8_optimiser.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import clouds, describe, plt
from minimem.cli import FigureScript
from minimem import experiments, metrics, optim
from minimem.named import say

# --- config
EXPERIMENT = "optimiser_control"
SEED = 0


def short(name):
    """An optimiser's name in named values: sgd_0.1 -> sgd_lr0_1, adam, adamw."""
    return {"Adam (no weight decay)": "adam", "AdamW": "adamw"}.get(name) or "sgd_lr" + name.split()[-1].replace(".", "_")


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    settings, names = cfg["settings"], cfg["optimisers"]
    lrs = optim.lr_schedule(cfg["steps"], 1e-3, warmup=cfg["warmup"])
    reach = {"AdamW": optim.adam_reach(lrs, cfg["weight_decay"]), "Adam (no weight decay)": optim.adam_reach(lrs, 0.0)}
    print(f"AdamW's reach in this schedule: {reach['AdamW']:.2f}; Adam's without weight decay: "
          f"{reach['Adam (no weight decay)']:.2f}; SGD has no per-coordinate bound")
    say("reach_adamw", reach["AdamW"])
    say("reach_adam", reach["Adam (no weight decay)"])
    ref = metrics.squareness_reference(cfg["n"], np.random.default_rng(0))
    say("cloud_squareness", ref, sig=2)  # (mean, 95th percentile) of an isotropic cloud
    say("n", cfg["n"])
    say("cloud_percentile", 95)
    say("sgd_lrs", [experiments.OPTIMISERS[n]["lr"] for n in names if n.startswith("SGD")])
    print(f"squareness of an isotropic cloud of {cfg['n']} points: {ref[0]:.2f} (95th percentile {ref[1]:.2f})")
    pyplot = plt()
    fig, axes = pyplot.subplots(len(settings), len(names), figsize=(3.1 * len(names), 3.3 * len(settings)),
                                squeeze=False)
    for row, setting in enumerate(settings):
        sgd = {n: out[(setting, n)] for n in names if n.startswith("SGD") and "diverged_at" not in out[(setting, n)]}
        best = min(sgd, key=lambda n: out[(setting, n)]["train_loss"].mean()) if sgd else None
        print(f"{setting}: SGD's best peak learning rate by train loss: {best}"
              + "".join(f"; {n} diverged at step {int(out[(setting, n)]['diverged_at'])}" for n in names
                        if "diverged_at" in out[(setting, n)]))
        for col, name in enumerate(names):
            res = out[(setting, name)]
            ax = axes[row, col]
            if "diverged_at" in res:
                ax.axis("off")
                ax.set_title(f"{setting}, {name}: diverged", fontsize=8)
                continue
            W = res["W1"] if "W1" in res else res["W"]  # (seeds, m, n)
            sq, lop, corners = metrics.squareness(W), metrics.lopsidedness(W), metrics.square_corners(W)
            largest = float(np.abs(W).max())
            print(f"  {name:24s}{' (best SGD)' if name == best else ''}: train loss {res['train_loss'].mean():.4g}, test loss "
                  f"{res['test_loss'].mean():.4g} (seeds {res['test_loss'].min():.4g}-{res['test_loss'].max():.4g}); "
                  f"squareness {sq.mean():.2f} ({sq.min():.2f}-{sq.max():.2f}), lopsidedness {lop.mean():.2f}, corners "
                  f"{np.round(corners, 1).tolist()} degrees; largest |w| {largest:.3g} = {largest / reach['AdamW']:.2f} "
                  f"of AdamW's reach" + (f", {largest / reach[name]:.2f} of its own" if name in reach else ""))
            key = f"{setting}_{short(name)}"  # named values of this cell
            say(f"{key}_train", res["train_loss"].mean())
            say(f"{key}_test", res["test_loss"].mean())
            say(f"{key}_test_range", (res["test_loss"].min(), res["test_loss"].max()))
            say(f"{key}_squareness", sq.mean(), sig=3)
            say(f"{key}_corners_range", (corners.min(), corners.max()), sig=3)
            say(f"{key}_largest_w", largest, sig=3)
            if name in reach:
                say(f"{key}_largest_over_own_reach", largest / reach[name], sig=2)
            say(f"{key}_largest_over_adamw_reach", largest / reach["AdamW"], sig=2)
            lim = clouds([ax], [W[SEED]], [f"{setting}, {name}\nsquareness {sq.mean():.2f}, test loss "
                                           f"{res['test_loss'].mean():.3g}"])
            if name in reach and reach[name] < 1.5 * lim:
                b = reach[name]
                ax.plot([-b, b, b, -b, -b], [-b, -b, b, b, -b], "--", c="tab:gray", lw=0.8)
    fig.suptitle("columns of W1 (unembedding, T=500) and of W (bottleneck, T=400), seed 0, each at its own scale "
                 "(dashed: AdamW's or Adam's reach where it fits); " + describe(cfg, "n", "m", "sparsity", "steps")
                 + f", {cfg['seeds']} seeds")
    fig.tight_layout()
    r.save(fig, "X8_optimiser")


if __name__ == "__main__":
    main()
