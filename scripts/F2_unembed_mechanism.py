"""F2 -- How the toy unembedding memorises at T=500: the square, the rose and the circle.

The write-up's mechanism, step by step, for the network of F1 at T=500 (where the square is most
prominent): W1 is a square (its columns, the features, in the 2-D hidden space), the hidden vectors
h_t = W1 x_t form a rose, and W2 (its rows, one per class) is a circle. The logits of a data point
are W2 h_t + b2; split into the two components, W2[:, 0] h_t[0] and W2[:, 1] h_t[1] is W2 rotated,
stretched and scaled by h_t, and the correct class (black) lies in the first quadrant; summing the
two components projects the circle onto a line, and after adding the bias the correct logit ends
on top.

Each shape is measured, for all seeds: the square by metrics.squareness (1 a square, about 0.2 an
isotropic cloud of 1000 points); the rose by the radius-weighted angular harmonics k=1-8 of the
hidden vectors (analysis.angular_harmonics: a rose of k petals is strong at k or 2k) against what
uniform angles with the same radii reach (95th percentile); the circle by the spread of the W2 rows'
lengths (std / mean, 0 for a circle; the rows away from the origin, more than a tenth of the
longest) and their squareness.

Settings: F1's run at T=500, seed 0 (n = V = 1000, m=2, S=0.99, hard labels, uniform init,
50,000 steps; minimem.experiments: unembed_dd); the first three training points.
Every setting, from the catalogue: python -m minimem config F2.

Run: python scripts/F2_unembed_mechanism.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import clouds, plt
from minimem.cli import FigureScript
from minimem import analysis, data, experiments, metrics, unembed
from minimem.named import say

# --- config
EXPERIMENT = "unembed_dd"  # F1's sweep
T_SHOWN, SEED, POINTS = 500, 0, 3


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    sizes = list(cfg["sizes"])
    T = T_SHOWN if T_SHOWN in sizes else sizes[len(sizes) // 2]
    i = sizes.index(T)
    p = experiments.params_at(res, i, SEED)  # (1, ...) each
    x = experiments.train_set(cfg, T, SEED)[None]  # (1, T, n)
    H = unembed.hidden(p, x)[0].astype(np.float64)  # (T, m)  W1 x
    W1, W2, b2 = (p[k][0].astype(np.float64) for k in ("W1", "W2", "b2"))  # (m, n), (V, m), (V,)
    labels = data.hard_labels(x)[0]  # (T,)
    logits = unembed.forward(p, x)[0][0]  # (T, V)
    acc = np.mean(np.argmax(logits, 1) == labels)
    print(f"T={T}, seed {SEED}: train accuracy {acc:.3f}, train CE {res['train_loss'][i, SEED]:.3f}, "
          f"test accuracy {res['test_acc'][i, SEED]:.4f} (chance {1 / cfg['n']:.4f})")
    say("T", T)
    say("train_acc", acc)
    say("train_ce", res["train_loss"][i, SEED], sig=3)
    say("test_acc", res["test_acc"][i, SEED], sig=2)
    ks = list(range(1, 9))
    sq, rows, spread, ratio = [], [], [], []  # per seed
    for s in range(cfg["seeds"]):
        ps = experiments.params_at(res, i, s)
        Hs = unembed.hidden(ps, experiments.train_set(cfg, T, s)[None])[0].astype(np.float64)  # (T, m)
        strength, ref = analysis.angular_harmonics(Hs.T, ks, np.random.default_rng(s))
        lengths = np.linalg.norm(ps["W2"][0].astype(np.float64), axis=1)  # (V,)
        ring = lengths > 0.1 * lengths.max()  # the rows away from the origin (classes some training point has)
        lengths = lengths[ring]
        sq.append(float(metrics.squareness(ps["W1"][0])))
        rows.append(int(ring.sum()))
        spread.append(lengths.std() / lengths.mean())
        ratio.append(np.max(strength / ref))
        print(f"seed {s}: W1 squareness {float(metrics.squareness(ps['W1'][0])):.2f}; hidden vectors' angular "
              f"harmonics k=1-8 {np.round(strength, 3).tolist()}, uniform angles reach {np.round(ref, 3).tolist()} "
              f"(largest ratio {np.max(strength / ref):.2f}); W2: {ring.sum()} rows away from the origin, their length "
              f"spread (std / mean) {lengths.std() / lengths.mean():.3f}, squareness "
              f"{float(metrics.squareness(ps['W2'][0][ring].T)):.2f}")
    say("squareness_range", (min(sq), max(sq)), sig=3)  # W1, over seeds
    say("ring_rows_range", (min(rows), max(rows)))  # W2 rows away from the origin
    say("length_spread_range", (min(spread), max(spread)), sig=2)
    say("harmonics_k", ks)
    say("largest_harmonic_ratio", max(ratio), sig=2)  # over k and seeds, of the uniform angles' 95th percentile
    pyplot = plt()
    fig, axes = pyplot.subplots(3, 3, figsize=(10, 11))
    for ax, P, c, title in [(axes[0, 0], W1, "tab:blue", "W1 columns (features)"),
                            (axes[0, 1], H.T, "tab:red", "hidden vectors h_t = W1 x_t"),
                            (axes[0, 2], W2.T, "tab:green", "W2 rows (one per class)")]:
        clouds([ax], [P], [f"{title}\nmax |.| {np.abs(P).max():.3g}"], color=c)  # each its own scale
    for t in range(POINTS):
        h, y = H[t], labels[t]
        comp = W2 * h  # (V, m): W2[v, k] h[k], the two terms of the logit W2 h
        ax = axes[1, t]
        ax.scatter(comp[:, 0], comp[:, 1], s=2, c="tab:green")
        ax.scatter(comp[y, 0], comp[y, 1], s=30, c="k", label=f"correct class {y}")
        ax.axhline(0, c="gray", lw=0.5)
        ax.axvline(0, c="gray", lw=0.5)
        ax.set(title=f"point {t}: (W2[:,0] h0, W2[:,1] h1)\nh=({h[0]:.2f}, {h[1]:.2f}); axes not to scale")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08))
        ax = axes[2, t]
        s = comp.sum(1)  # (V,) W2 h
        z = s + b2  # (V,) logits
        jit = np.random.default_rng(t).uniform(-0.3, 0.3, s.shape[0])  # vertical jitter only
        ax.scatter(s, 1 + jit, s=2, c="tab:green", label="W2 h (sum of the two components)")
        ax.scatter(z, jit, s=2, c="tab:orange", label="W2 h + b2 (logits)")
        ax.scatter([s[y], z[y]], [1, 0], s=40, c="k", zorder=3, label=f"correct class {y}")
        top = int(np.argmax(z))
        ax.set(yticks=[0, 1], yticklabels=["+ bias", "sum"], xlabel="value",
               title=f"point {t}: argmax of logits = {top} ({'correct' if top == y else 'wrong'})")
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    fig.suptitle(f"toy unembedding at T={T}, seed {SEED} of {cfg['seeds']}: n=V={cfg['n']}, m={cfg['m']}, "
                 f"S={cfg['sparsity']}, {cfg['steps']} steps; train accuracy {acc:.2f}")
    fig.tight_layout()
    r.save(fig, "F2_unembed_mechanism")


if __name__ == "__main__":
    main()
