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

Run: python scripts/M1_relu_hidden_superposition.py [--quick] [--fresh]   (full: 2.5 min on two cores)
"""

import numpy as np

from _common import parser, plt, save
from _runs import tms_sparsity_sweep
from minimem import metrics, relu_hidden



def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, r = tms_sparsity_sweep("M1_relu_hidden_superposition", relu_hidden, 10, 5, 0.75, args.quick, args.fresh)
    I = len(cfg["sparsities"])
    W = r["W"]  # (I, m, n)
    sup = metrics.superposition(W)  # (I, n)
    print(f"{'S':>6} {'loss':>8} {'features per neuron (weight > 0.1)':>36}")
    for k, S in enumerate(cfg["sparsities"]):
        per_neuron = (W[k] > 0.1).sum(axis=1)
        print(f"{S:>6} {r['loss'][k]:8.4f} {str(per_neuron.tolist()):>36}")
    pyplot = plt()
    cmap = pyplot.get_cmap("inferno")
    fig, axes = pyplot.subplots(2, I, figsize=(2.1 * I, 4.6))
    lim = np.abs(W).max()
    for k, S in enumerate(cfg["sparsities"]):
        ax = axes[0, k]
        ax.imshow(W[k], cmap="RdBu", vmin=-lim, vmax=lim)
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
        ax.set(xticks=range(cfg["m"]), xlabel="neuron", ylabel="positive weights" if k == 0 else "")
    fig.suptitle(f"ReLU hidden model, n={cfg['n']}, m={cfg['m']}, I_i={cfg['importance_ratio']}^i: W per sparsity, and "
                 f"per neuron its features coloured by superposition (black none, yellow a lot)")
    fig.tight_layout()
    save(fig, "M1_relu_hidden_superposition", args.quick)


if __name__ == "__main__":
    main()
