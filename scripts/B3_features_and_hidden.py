"""B3 -- From memorisation to generalisation: features W_i (blue) and hidden vectors h_t (red).

The write-up reproduces Henighan et al.'s progression in the 2-D hidden space of the ReLU output
model: for small T the hidden vectors of the training points form a regular polygon and the
features are scattered (memorisation); past the test-loss peak the features organise into a few
directions and the data points collapse onto them (generalisation).

Settings: the runs of B2 (minimem.experiments: "bottleneck_dd"; n=1000, m=2, S=0.99, normalised,
50,000 steps, Henighan schedule), seed 0, at eight data set sizes across the peak. Each panel shows
the columns W_i of W (blue dots, 1000 features) and h_t = W x_t for every training point (red
lines from the origin), both in the same 2-D hidden space.
Every setting, from the catalogue: python -m minimem config B3.

Run: python scripts/B3_features_and_hidden.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments, relu_output
from minimem.named import say, span

# --- config
EXPERIMENT = "bottleneck_dd"  # B2's sweep
SHOW = [5, 20, 70, 150, 300, 700, 2000, 5000]
SEED = 0
LARGE = 0.5  # a feature of norm above this carries a direction of the hidden space


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    sizes = list(cfg["sizes"])
    show = [T for T in SHOW if T in sizes] or sizes
    panels = []
    for T in show:
        i = sizes.index(T)
        p = experiments.params_at(res, i, SEED)
        x = experiments.train_set(cfg, T, SEED)[None]  # (1, T, n)
        panels.append((T, i, p["W"][0].astype(np.float64), relu_output.hidden(p, x)[0].astype(np.float64)))
    W_norm = {T: np.linalg.norm(W, axis=0) for T, _, W, _ in panels}  # (n,) per T
    large = {T: w[w > LARGE] for T, w in W_norm.items()}
    say("shown", show)
    say("max_W_norm", {T: w.max() for T, w in W_norm.items()})
    say("max_h_norm", {T: np.linalg.norm(h, axis=1).max() for T, _, _, h in panels})
    say("large_norm", LARGE)
    say("large_features", {T: len(w) for T, w in large.items()})
    say("large_feature_norm_range", {T: span(w) for T, w in large.items()})
    pyplot = plt()
    fig, axes = pyplot.subplots(1, len(show), figsize=(2.3 * len(show), 2.9), squeeze=False)
    for ax, (T, i, W, h) in zip(axes[0], panels):
        # a scale per panel (structure at T=2000 is 7x smaller than at T=300): every point inside
        lim = 1.08 * max(np.abs(W).max(), np.abs(h).max())
        for hx, hy in h[:2000]:
            ax.plot([0, hx], [0, hy], c="tab:red", lw=0.5, alpha=0.6)
        ax.scatter(W[0], W[1], s=1.5, c="tab:blue", zorder=3)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal",
               title=f"T={T}: half-width {lim:.2g}\ntrain {res['train_loss'][i, SEED]:.2g}, "
                     f"test {res['test_loss'][i, SEED]:.3f}")
        ax.tick_params(labelsize=6)
    fig.suptitle("features W_i (blue) and hidden vectors h_t = W x_t (red), each panel at its own scale (ticks); "
                 + describe(cfg, "n", "m", "sparsity", "steps") + f", seed {SEED} of {cfg['seeds']}", y=1.03)
    r.save(fig, "B3_features_and_hidden")


if __name__ == "__main__":
    main()
