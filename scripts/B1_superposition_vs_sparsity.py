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
Every setting, from the catalogue: python -m minimem config B1.

Run: python scripts/B1_superposition_vs_sparsity.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import metrics
from minimem.named import say

# --- config
EXPERIMENT = "tms_relu_output"
REPRESENTED = 0.5  # ||W_i|| above this: feature i is represented
SUPERPOSED = 0.1  # superposition metric above this: feature i shares its direction
SPARSE = 0.97  # the sparsities from here on: every represented feature in superposition


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    I = len(cfg["sparsities"])
    W, b = res["W"], res["b_final"]  # (I, m, n), (I, n)
    norms = np.linalg.norm(W, axis=1)  # (I, n)
    sup = metrics.superposition(W)  # (I, n)
    Ss = np.array(cfg["sparsities"])
    rep = norms > REPRESENTED  # (I, n)
    n_rep, n_sup = rep.sum(1), (rep & (sup > SUPERPOSED)).sum(1)  # (I,)
    say("sparsities", Ss)
    say("represented_threshold", REPRESENTED)
    say("superposition_threshold", SUPERPOSED)
    say("loss", dict(zip(Ss.tolist(), res["loss"])), sig=3)
    say("represented", dict(zip(Ss.tolist(), n_rep)))
    say("in_superposition", dict(zip(Ss.tolist(), n_sup)))
    sparse = Ss >= SPARSE
    say("sparse_from", SPARSE)
    say("represented_sparse_range", (n_rep[sparse].min(), n_rep[sparse].max()))
    say("sparse_represented_not_superposed", int((n_rep - n_sup)[sparse].sum()))  # 0: all in superposition
    pyplot = plt()
    fig = pyplot.figure(figsize=(2.1 * I + 1, 5.4))
    gs = fig.add_gridspec(2, 2 * I + 1, width_ratios=[12, 1] * I + [0.6], height_ratios=[1, 1.1], wspace=0.15)
    cmap = pyplot.get_cmap("inferno")
    lim = max(np.abs(W.transpose(0, 2, 1) @ W).max(), np.abs(b).max())  # one range for W^T W and b
    for k, S in enumerate(cfg["sparsities"]):
        ax = fig.add_subplot(gs[0, 2 * k])
        im = ax.imshow(W[k].T @ W[k], cmap="RdBu", vmin=-lim, vmax=lim)  # (n, n)
        ax.set(xticks=[], yticks=[], title=f"1-S = {1 - S:.3g}")
        axb = fig.add_subplot(gs[0, 2 * k + 1])
        axb.imshow(b[k][:, None], cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        axb.set(xticks=[], yticks=[])
        ax = fig.add_subplot(gs[1, 2 * k:2 * k + 2])
        ax.barh(np.arange(cfg["n"]), norms[k], color=cmap(np.clip(sup[k], 0, 1) * 0.9), edgecolor="0.6", lw=0.3)
        ax.set(xlim=(0, max(1.2, norms.max() * 1.05)), ylim=(cfg["n"] - 0.5, -0.5), yticks=[], xlabel="||W_i||")
    fig.colorbar(im, cax=fig.add_subplot(gs[0, -1]), label="W^T W and b")
    fig.colorbar(pyplot.cm.ScalarMappable(cmap=cmap, norm=pyplot.Normalize(0, 1 / 0.9)),
                 cax=fig.add_subplot(gs[1, -1]), label="superposition of feature i")
    fig.suptitle(f"ReLU output model, I_i={cfg['importance_ratio']}^i: W^T W (with b) and ||W_i|| coloured by "
                 f"superposition (black none, yellow a lot); " + describe(cfg, "n", "m", "T", "steps") + ", one seed")
    r.save(fig, "B1_superposition_vs_sparsity")


if __name__ == "__main__":
    main()
