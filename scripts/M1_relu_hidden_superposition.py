"""M1 -- Superposition in a privileged basis: the ReLU hidden model h = ReLU(W x), x' = ReLU(W^T h + b).

The write-up replicates TMS's "Superposition in a Privileged Basis": with n=10 features, m=5
neurons and importance I_i = 0.75^i, dense data gives five monosemantic neurons (one feature each,
visible in W), and the sparser the data the more features each neuron carries (polysemanticity).
Top row: W (m x n) per sparsity. Bottom row: one stacked bar per neuron (row of W), one segment per
feature with positive weight into it, coloured by that feature's superposition metric
sum_{j != i} (Ŵ_i . W_j)^2 (black none, yellow a lot) -- a monosemantic neuron is one black
segment.

Settings: n=10, m=5, I_i = 0.75^i, sparsity S in (0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999), all
trained as instances of one call; W xavier_normal, b zero; AdamW (lr 1e-3 constant, weight decay
1e-2), 10,000 full-batch steps on one fixed data set of 50,000 samples per sparsity (TMS draws
fresh batches instead); float64.
Every setting, from the catalogue: python -m minimem config M1.

Run: python scripts/M1_relu_hidden_superposition.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import metrics
from minimem.named import say

# --- config
EXPERIMENT = "tms_relu_hidden"
CARRIES = 0.1  # a neuron carries feature i if its weight W_ji is above this


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    I = len(cfg["sparsities"])
    W = res["W"]  # (I, m, n)
    sup = metrics.superposition(W)  # (I, n)
    Ss = np.array(cfg["sparsities"])
    carried = W > CARRIES  # (I, m, n)
    per_neuron = carried.sum(axis=2)  # (I, m) features per neuron
    say("sparsities", Ss)
    say("carries_above", CARRIES)
    say("loss", dict(zip(Ss.tolist(), res["loss"])), sig=3)
    say("features_per_neuron", dict(zip(Ss.tolist(), per_neuron.tolist())))
    say("per_neuron_range", {S: (c.min(), c.max()) for S, c in zip(Ss.tolist(), per_neuron)})
    say("monosemantic_neurons", dict(zip(Ss.tolist(), (per_neuron == 1).sum(1))))  # neurons with one feature
    say("distinct_features_dense", int(carried[0].any(axis=0).sum()))  # features any neuron carries at S=0
    poly = np.flatnonzero([(per_neuron[k:] > 1).all() for k in range(I)])[0]  # from here on no monosemantic neuron
    say("polysemantic_from_S", Ss[poly])
    say("polysemantic_per_neuron_range", (per_neuron[poly:].min(), per_neuron[poly:].max()))
    pyplot = plt()
    cmap = pyplot.get_cmap("inferno")
    fig, axes = pyplot.subplots(2, I, figsize=(2.1 * I + 1, 4.8))
    lim = np.abs(W).max()  # one range for every W panel
    top = max(np.maximum(W, 0).sum(axis=2).max(), 1e-9)  # one height for every stacked-bar panel
    for k, S in enumerate(cfg["sparsities"]):
        ax = axes[0, k]
        im = ax.imshow(W[k], cmap="RdBu", vmin=-lim, vmax=lim)
        ax.set(xticks=[], yticks=[], title=f"1-S = {1 - S:.3g}", xlabel="features", ylabel="neurons" if k == 0 else "")
        ax = axes[1, k]
        for j in range(cfg["m"]):
            bottom = 0.0
            for i in np.argsort(-W[k, j]):
                w = W[k, j, i]
                if w <= 0:
                    break
                ax.bar(j, w, bottom=bottom, color=cmap(min(sup[k, i], 1) * 0.9), edgecolor="0.7", lw=0.4)
                bottom += w
        ax.set(xticks=range(cfg["m"]), ylim=(0, 1.05 * top), xlabel="neuron", ylabel="positive weights" if k == 0 else "")
    fig.colorbar(im, ax=axes[0, :].tolist(), fraction=0.02, pad=0.01, label="W")
    fig.colorbar(pyplot.cm.ScalarMappable(cmap=cmap, norm=pyplot.Normalize(0, 1 / 0.9)), ax=axes[1, :].tolist(),
                 fraction=0.02, pad=0.01, label="superposition of the feature")
    fig.suptitle(f"ReLU hidden model, I_i={cfg['importance_ratio']}^i: W per sparsity, and per neuron its features "
                 f"coloured by superposition (black none, yellow a lot); " + describe(cfg, "n", "m", "T", "steps")
                 + ", one seed")
    r.save(fig, "M1_relu_hidden_superposition")


if __name__ == "__main__":
    main()
