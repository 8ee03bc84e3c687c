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
Every setting, from the catalogue: python -m minimem config F3.

Run: python scripts/F3_soft_labels.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import SEED_NOTE, clouds, describe, plt, seeds_vs_T
from minimem.cli import FigureScript
from minimem.experiments import print_hard_labels, print_sweep
from minimem import experiments, metrics
from minimem.named import say

# --- config
EXPERIMENTS = {"soft: y = x / sum(x)": "unembed_dd_soft", "input: y = x": "unembed_dd_input"}


def at_box(cfg, res, key, sizes=None):
    """Per T and seed, how many columns of W1 have a coordinate beyond 0.9 of AdamW's reach, and the
    largest |w| over the reach: how far the cross-entropy pushed the weights."""
    sizes = cfg["sizes"] if sizes is None else sizes
    reach = experiments.adam_reach_of(cfg)
    W = res["W1"]  # (sizes, seeds, m, n)
    far = (np.abs(W).max(axis=-2) > 0.9 * reach).sum(-1)  # (sizes, seeds)
    say(f"{key}_columns_at_box", {int(T): f.tolist() for T, f in zip(sizes, far)})
    say(f"{key}_columns_at_box_range", (int(far.min()), int(far.max())))
    big = np.abs(W).max(axis=(-2, -1)) / reach  # (sizes, seeds)
    say(f"{key}_largest_w_range", (big.min(), big.max()), sig=2)


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
        key = label.split(":")[0]
        print(f"--- {label}")
        null = float(experiments.null_loss(cfg).mean())  # uniform logits: log V times the target's mass
        print_sweep(cfg, res, "CE", ref=null, key=key)  # {key}_null: the null level on the test set
        sizes = np.array(cfg["sizes"])
        at_box(cfg, res, key)
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
    hard_cfg, hard = r.run("unembed_dd")
    print_hard_labels(hard_cfg, hard, cfg["sizes"])
    keep = [list(hard_cfg["sizes"]).index(T) for T in cfg["sizes"]]
    at_box(hard_cfg, {k: v[keep] for k, v in hard.items()}, "hard", cfg["sizes"])
    say("hard_squareness", dict(zip(cfg["sizes"], np.nanmean(metrics.squareness(hard["W1"][keep]), 1))), sig=3)
    acc = np.concatenate([res["test_acc"].ravel() for _, res in runs.values()])
    say("test_acc_range", (acc.min(), acc.max()), sig=2)  # every seed and T, both soft targets
    x = experiments.train_set(cfg, cfg["sizes"][0], 0)  # (T, n)
    say("zero_target_entries", float((x == 0).sum(1).mean()), sig=3)  # per sample: y = 0 there, log p -> -inf
    fig.suptitle("toy unembedding with soft targets: " + describe(cfg, "n", "m", "sparsity", "init", "steps")
                 + f"; {cfg['seeds']} seeds per T ({SEED_NOTE}); W1 clouds: seed 0, one scale")
    fig.tight_layout()
    r.save(fig, "F3_soft_labels")


if __name__ == "__main__":
    main()
