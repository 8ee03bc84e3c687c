"""A3 -- Cosine similarities of hidden activations for several (data size, hidden size).

The write-up: for some combinations the cosine similarities of the activations cluster around one
value (all data points at the same angle, as memorisation would suggest), for others they are all
over the place -- so cosine similarity, applied this way, tells little about memorisation.

Settings: the MSE MLPs of A2 (one-hot inputs, data set size n, hidden size m; minimem.experiments
"onehot_grid_mse"), seed 0; the pairwise cosine similarities of the activations ReLU(W1 e_i + b1)
for i != j, as histograms.
Every setting, from the catalogue: python -m minimem config A3.

Run: python scripts/A3_cosine_similarities.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import data, metrics, mlp
from minimem.named import say

# --- config
EXPERIMENT = "onehot_grid_mse"  # A2's grid
COMBOS = [(10, 5), (30, 10), (100, 10), (100, 50), (300, 20), (1000, 100)]  # (n, m)
SEED = 0
CLUSTERED_STD = 0.1  # a combination whose cosine similarities have a smaller std is clustered


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, out = r.run(EXPERIMENT)
    # --- plot
    combos = [c for c in COMBOS if c in out] or list(out)[:6]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(combos), figsize=(2.6 * len(combos), 2.9), squeeze=False, sharey=True)
    stats = []  # per combination (mean, std)
    for ax, (n, m) in zip(axes[0], combos):
        p = {k: v[SEED:SEED + 1].astype(np.float64) for k, v in out[(n, m)].items() if k in ("W1", "b1", "W2", "b2")}
        h = mlp.forward(p, data.one_hot(n)[None])[1]["h"][0]  # (n, m) activations ReLU(W1 e_i + b1)
        cos = metrics.cosine_similarity(h)[~np.eye(n, dtype=bool)]
        cos = cos[np.isfinite(cos)]
        ax.hist(cos, bins=40, range=(-1, 1), color="tab:purple", density=True)
        ax.set(title=f"n={n}, m={m}\nmean {cos.mean():.2f}, std {cos.std():.2f}", xlabel="cosine similarity")
        print(f"n={n}, m={m}: cosine similarity mean {cos.mean():.3f}, std {cos.std():.3f}")
        stats.append((cos.mean(), cos.std()))
    clustered = [s[1] < CLUSTERED_STD for s in stats]
    say("clustered", [c for c, k in zip(combos, clustered) if k])  # (n, m)
    say("clustered_std", [s[1] for s, k in zip(stats, clustered) if k], sig=2)
    say("clustered_mean", [s[0] for s, k in zip(stats, clustered) if k], sig=3)
    spread = [s[1] for s, k in zip(stats, clustered) if not k]
    say("spread_count", len(spread))
    say("spread_std_range", (min(spread), max(spread)), sig=3)
    axes[0, 0].set_ylabel("density over pairs i != j")
    fig.suptitle("pairwise cosine similarities of MLP activations on one-hot data (MSE): "
                 + describe(cfg, "steps", "weight_decay") + f", seed {SEED} of {cfg['seeds']}")
    fig.tight_layout()
    r.save(fig, "A3_cosine_similarities")


if __name__ == "__main__":
    main()
