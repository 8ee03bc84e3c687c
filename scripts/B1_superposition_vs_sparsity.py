"""B1 -- Superposition vs sparsity in the ReLU output model (Toy Models of Superposition, basic results).

The write-up reproduces the TMS "basic results": with n=20 features, m=5 hidden dimensions and
importance I_i = 0.7^i, dense data gives the 5 most important features their own orthogonal
dimensions and drops the rest; as sparsity grows, more and more features are represented in
superposition. Each column shows W^T W (n x n) with the bias b beside it, and below it the norms
||W_i|| coloured by the superposition metric sum_{j != i} (Ŵ_i . W_j)^2 (black: none, yellow: a lot).
The write-up notes the result depends on the bias initialisation; it is zero here.

Settings: x' = ReLU(W^T W x + b), n=20, m=5, I_i = 0.7^i, sparsity S in (0, 0.7, 0.9, 0.97, 0.99,
0.997, 0.999) as in TMS, all seven trained as instances of one call; W xavier_normal, b zero;
AdamW (lr 1e-3 constant, weight decay 1e-2, as torch.optim.AdamW in the TMS notebook), 10,000
full-batch steps. TMS draws a fresh batch of 1024 each step; here each sparsity has one fixed
data set of 50,000 samples (so about 1,000 non-zero samples even at S=0.999), float64.

Run: python scripts/B1_superposition_vs_sparsity.py [--quick] [--fresh]   (full: ~1 min on two cores)
"""

import numpy as np

from _common import parser, plt, save
from _runs import tms_sparsity_sweep
from minimem import metrics, relu_output



def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    cfg, r = tms_sparsity_sweep("B1_superposition_vs_sparsity", relu_output, 20, 5, 0.7, args.quick, args.fresh)
    I = len(cfg["sparsities"])
    W, b = r["W"], r["b"]  # (I, m, n), (I, n)
    norms = np.linalg.norm(W, axis=1)  # (I, n)
    sup = metrics.superposition(W)  # (I, n)
    print(f"{'S':>6} {'loss':>9} {'represented (||W_i||>0.5)':>26} {'in superposition (metric>0.1)':>31}")
    for k, S in enumerate(cfg["sparsities"]):
        rep = norms[k] > 0.5
        print(f"{S:>6} {r['loss'][k]:9.4f} {int(rep.sum()):>26d} {int((rep & (sup[k] > 0.1)).sum()):>31d}")
    pyplot = plt()
    fig = pyplot.figure(figsize=(2.1 * I, 5.2))
    gs = fig.add_gridspec(2, 2 * I, width_ratios=[12, 1] * I, height_ratios=[1, 1.1], wspace=0.15)
    cmap = pyplot.get_cmap("inferno")
    for k, S in enumerate(cfg["sparsities"]):
        WtW = W[k].T @ W[k]  # (n, n)
        ax = fig.add_subplot(gs[0, 2 * k])
        ax.imshow(WtW, cmap="RdBu", vmin=-1, vmax=1)
        ax.set(xticks=[], yticks=[], title=f"1-S = {1 - S:.3g}")
        axb = fig.add_subplot(gs[0, 2 * k + 1])
        axb.imshow(b[k][:, None], cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
        axb.set(xticks=[], yticks=[])
        ax = fig.add_subplot(gs[1, 2 * k:2 * k + 2])
        ax.barh(np.arange(cfg["n"]), norms[k], color=cmap(np.clip(sup[k], 0, 1) * 0.9), edgecolor="0.6", lw=0.3)
        ax.set(xlim=(0, max(1.2, norms.max() * 1.05)), ylim=(cfg["n"] - 0.5, -0.5), yticks=[],
               xlabel="||W_i||")
    fig.suptitle(f"ReLU output model, n={cfg['n']}, m={cfg['m']}, I_i={cfg['importance_ratio']}^i: W^T W (with b) "
                 f"and ||W_i|| coloured by superposition (black none, yellow a lot); {cfg['steps']} steps")
    save(fig, "B1_superposition_vs_sparsity", args.quick)


if __name__ == "__main__":
    main()
