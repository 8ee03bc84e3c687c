"""F3 -- Soft labels: the toy unembedding trained towards the input itself instead of argmax(x).

The write-up checks that the square-shaped features of the toy unembedding (F1) are not an
artifact of hard labels: trained with "the input as the target", the features (columns of W1) are
still squares during the transition. Two readings of that sentence are run side by side:
    soft    y = x / sum(x), a probability distribution
    input   y = x unnormalised (PyTorch's cross-entropy accepts it: L = -sum_v x_v log p_v)

Settings: as F1 (n = V = 1000, m=2, S=0.99, unnormalised inputs, cross-entropy, uniform init,
50,000 steps, Henighan schedule, weight decay 1e-2) but the two soft targets, and a reduced sweep: T in
(100, 500, 1000), 2 seeds (the claim is about the shape of W1, and each size costs minutes of
cross-entropy). Accuracy is argmax(logits) = argmax(x). Runs: minimem.experiments
"unembed_dd_soft" and "unembed_dd_input", cached.

Run: python scripts/F3_soft_labels.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import SEED_NOTE, clouds, describe, plt, seeds_vs_T
from minimem.cli import FigureScript
from minimem.experiments import print_hard_labels, print_sweep
from minimem import experiments

# --- config
EXPERIMENTS = {"soft: y = x / sum(x)": "unembed_dd_soft", "input: y = x": "unembed_dd_input"}


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    runs = {label: r.run(name) for label, name in EXPERIMENTS.items()}
    # --- plot
    pyplot = plt()
    n_sizes = max(len(cfg["sizes"]) for cfg, _ in runs.values())
    fig, axes = pyplot.subplots(len(runs), 2 + n_sizes, figsize=(2.6 * (2 + n_sizes), 2.9 * len(runs)), squeeze=False)
    lim = 1.08 * max(np.abs(res["W1"][:, 0]).max() for _, res in runs.values())  # one scale for every cloud
    for row, (label, (cfg, res)) in enumerate(runs.items()):
        print(f"--- {label}")
        null = float(experiments.null_loss(cfg).mean())  # uniform logits: log V times the target's mass
        print(f"null level (uniform logits) on the test set: {null:.4g}")
        print_sweep(cfg, res, "CE", ref=null)
        sizes = np.array(cfg["sizes"])
        ax = axes[row, 0]
        seeds_vs_T(ax, sizes, res["train_loss"], "tab:blue", "train CE")
        seeds_vs_T(ax, sizes, res["test_loss"], "tab:red", "test CE")
        ax.axhline(null, c="gray", ls="--", lw=0.8, label=f"uniform logits, {null:.3g}")
        ax.set(xlabel="data set size T", ylabel="cross-entropy against the target (log)", title=f"{label}: loss")
        ax.legend(fontsize=6, loc="center right")
        ax = axes[row, 1]
        seeds_vs_T(ax, sizes, res["train_acc"], "tab:blue", "train accuracy")
        seeds_vs_T(ax, sizes, res["test_acc"], "tab:red", "test accuracy")
        ax.axhline(1 / cfg["n"], c="gray", ls="--", lw=0.8, label=f"chance 1/{cfg['n']}")
        ax.set(xlabel="data set size T", ylabel="argmax accuracy (log)", title=f"{label}: argmax accuracy")
        ax.legend(fontsize=6, loc="center")
        clouds(axes[row, 2:], [res["W1"][j, 0] for j in range(len(sizes))],
               [f"{label.split(':')[0]}: W1 columns, T={T}" for T in sizes], lim=lim)
    cfg = next(iter(runs.values()))[0]
    print_hard_labels(*r.run("unembed_dd"), cfg["sizes"])
    fig.suptitle("toy unembedding with soft targets: " + describe(cfg, "n", "m", "sparsity", "init", "steps")
                 + f"; {cfg['seeds']} seeds per T ({SEED_NOTE}); W1 clouds: seed 0, one scale")
    fig.tight_layout()
    r.save(fig, "F3_soft_labels")


if __name__ == "__main__":
    main()
