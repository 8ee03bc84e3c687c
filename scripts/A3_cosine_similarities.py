"""A3 -- Cosine similarities of hidden activations for several (data size, hidden size).

The write-up: for some combinations the cosine similarities of the activations cluster around one
value (all data points at the same angle, as memorisation would suggest), for others they are all
over the place -- so cosine similarity, applied this way, tells little about memorisation.

Settings: the MSE MLPs of A2 (one-hot inputs, data set size n, hidden size m; scripts/_grids.py
onehot_grid("mse")), seed 0; the pairwise cosine similarities of the activations ReLU(W1 e_i + b1)
for i != j, as histograms.

Run: python scripts/A3_cosine_similarities.py [--quick] [--fresh]   (redraws from A2's cache)
"""

import numpy as np

from _common import parser, plt, save
from _grids import onehot_grid
from minimem import data, metrics

COMBOS = [(10, 5), (30, 10), (100, 10), (100, 50), (300, 20), (1000, 100)]


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, out = onehot_grid("mse", args.quick, args.fresh)
    combos = [c for c in COMBOS if c in out] or list(out)[:6]
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(combos), figsize=(2.6 * len(combos), 2.8), squeeze=False)
    for ax, (n, m) in zip(axes[0], combos):
        r = out[(n, m)]
        W1, b1 = r["param_W1"][0].astype(np.float64), r["param_b1"][0].astype(np.float64)
        h = np.maximum(data.one_hot(n) @ W1.T + b1, 0)  # (n, m)
        cos = metrics.cosine_similarity(h)[~np.eye(n, dtype=bool)]
        ax.hist(cos, bins=40, range=(-1, 1), color="tab:purple")
        ax.set(title=f"n={n}, m={m}\nmean {cos.mean():.2f}, std {cos.std():.2f}", xlabel="cosine similarity")
        print(f"n={n}, m={m}: cosine similarity mean {cos.mean():.3f}, std {cos.std():.3f}")
    fig.suptitle(f"pairwise cosine similarities of MLP activations on one-hot data (MSE, {cfg['steps']} steps)")
    fig.tight_layout()
    save(fig, "A3_cosine_similarities", args.quick)


if __name__ == "__main__":
    main()
