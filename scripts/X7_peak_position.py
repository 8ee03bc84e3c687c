"""X7 -- Beyond the write-up: where the test-loss peak sits as the sparsity changes.

Jermyn puts the return to generalisation where T(1-S) is about 10; the write-up's "10x earlier" is
the same idea at a fixed number of features. This script runs B2's model at five sparsities (and
with m=5 at S=0.99), each over sizes spanning its regime (T(1-S) from 0.05 to 20; for m=5 to 70), and
prints per sparsity where the mean test loss rises past 1.05 of the all-zeros level (1 - S^n, the
fraction of samples with a feature: 0.63 at S=0.999), peaks and is back within 5%, in T and in
T(1-S); then the exponent of peak T and of return T fitted against 1/(1-S) over the m=2 arms (1: the
peak moves in proportion to 1/(1-S), as "10x" and Jermyn's rule say), with T(1-S) at each.

Settings: B2's (n=1000, tied ReLU output model, normalised inputs, Xavier normal W, AdamW lr 1e-3
with 2,500 warm-up steps and cosine decay over 50,000 steps, weight decay 1e-2, float32), m=2 at
S = 0.9, 0.97, 0.99, 0.997, 0.999 and m=5 at S=0.99, 2 seeds per size, 10,000 test samples;
minimem.experiments "peak_position", one cached unit per (S, m, T). With --cached-only while the
runs are still landing, the figure is drawn from the arms stored so far.

Run: python scripts/X7_peak_position.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments
from minimem.experiments import back_to, peak, rise

# --- config
EXPERIMENT = "peak_position"


def all_zeros(S, n):
    """The test MSE of the all-zeros output on normalised data: the expected fraction of samples with
    a non-zero feature, 1 - S^n (each has norm 1; at n=1000 and S=0.999, 37% of the samples are empty)."""
    return 1 - S ** n


def arms_of(r):
    """{(S, m): {"sizes", "test_loss", "train_loss"}} of every arm whose sizes are all stored, and what is missing."""
    cfg, units, results = r.landed(EXPERIMENT)
    arms, missing = {}, []
    for u, x in zip(units, results):
        arms.setdefault((u["sparsity"], u["m"]), []).append((u["T"], x))
    res = {}
    for arm, rows in arms.items():
        if any(x is None for _, x in rows):
            missing.append(f"S={arm[0]}, m={arm[1]} ({sum(x is None for _, x in rows)} of {len(rows)} sizes)")
            continue
        res[arm] = dict({k: np.stack([x[k] for _, x in rows]) for k in ("train_loss", "test_loss")},
                        sizes=np.array([T for T, _ in rows]))
    if not res:
        raise SystemExit(f"minimem: X7: not stored yet: no arm of {EXPERIMENT} is whole; missing: " + "; ".join(missing))
    return cfg, res, missing


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res, missing = arms_of(r)
    # --- plot
    if missing:
        print(f"X7: arms not stored whole yet (the runs are still landing): {'; '.join(missing)}")
    pub = experiments.PUBLISHED
    rows = {}
    for (S, m), a in sorted(res.items()):
        sizes, mean, ref, u = a["sizes"], a["test_loss"].mean(1), all_zeros(S, cfg["n"]), 1 - S
        T_peak, height, per_seed = peak(sizes, a["test_loss"])
        i = list(sizes).index(T_peak)
        T_rise, T_back = rise(sizes, mean, i, ref), back_to(sizes, mean, i + 1, ref)
        rows[(S, m)] = (T_rise, T_peak, height, T_back)
        print(f"S={S}, m={m} (n(1-S)={cfg['n'] * u:.3g} features per sample, all-zeros level {ref:.3g}): rise "
              + (f"T={T_rise}" if T_rise else f"at or before its smallest size (T={int(sizes[0])})")
              + f", peak T={T_peak} (mean test MSE {height:.4g}; per seed {per_seed}), back "
              + (f"T={T_back}" if T_back else f"not by T={int(sizes[-1])} ({mean[-1]:.4g})")
              + "; in T(1-S): rise " + (f"{T_rise * u:.3g}" if T_rise else "-") + f", peak {T_peak * u:.3g}, back "
              + (f"{T_back * u:.3g}" if T_back else "-"))
        print("  mean test MSE per T: " + str({int(T): round(float(v), 4) for T, v in zip(sizes, mean)}))
        print("  mean train MSE per T: " + str({int(T): float(f"{v:.3g}") for T, v in zip(sizes, a["train_loss"].mean(1))}))
    m2 = sorted((S, v) for (S, m), v in rows.items() if m == 2)
    inv = np.array([1 / (1 - S) for S, _ in m2])
    for j, what in ((1, "peak"), (3, "return")):
        ok = [(1 / (1 - S), v[j], S) for S, v in m2 if v[j]]
        if len(ok) >= 2:
            slope = np.polyfit(np.log([a for a, _, _ in ok]), np.log([b for _, b, _ in ok]), 1)[0]
            print(f"m=2: {what} T against 1/(1-S) over {len(ok)} sparsities: fitted exponent {slope:.3g} "
                  f"(1: in proportion to 1/(1-S)); {what} T(1-S) from S={ok[0][2]} to S={ok[-1][2]}: "
                  + ", ".join(f"{b / a:.3g}" for a, b, _ in ok))
    for (over, base, what, note) in (((0.999, 2), (0.99, 2), "S=0.999 over S=0.99 at n=1000",
                                      f" (the write-up's \"{pub['earlier']}x\" and Jermyn's rule both say {pub['earlier']})"),
                                     ((0.99, 5), (0.99, 2), "m=5 over m=2 at S=0.99", "")):
        if over in rows and base in rows:  # rise, peak, peak height, return of one arm over another's
            q = [f"{y / x:.3g}" if x and y else "-" for x, y in zip(rows[base], rows[over])]
            print(f"{what}: rise {q[0]}, peak {q[1]}, peak height {q[2]}, return {q[3]}{note}")
    print(f"Jermyn's rule: generalisation at T(1-S)={pub['jermyn_rule']}")
    pyplot = plt()
    fig, (ax, ax2) = pyplot.subplots(1, 2, figsize=(13, 4.6))
    cmap = pyplot.get_cmap("viridis")
    for k, ((S, m), a) in enumerate(sorted(res.items())):
        c = cmap(k / max(len(res) - 1, 1))
        ax.plot(a["sizes"] * (1 - S), a["test_loss"].mean(1) / all_zeros(S, cfg["n"]), "o-" if m == 2 else "s--", ms=3, c=c,
                label=f"S={S}, m={m} (mean of {a['test_loss'].shape[1]} seeds)")
    ax.axhline(1, c="gray", ls="--", lw=0.8)
    ax.axvline(pub["jermyn_rule"], c="k", ls=":", lw=0.8, label=f"Jermyn: generalisation at T(1-S)={pub['jermyn_rule']}")
    ax.set(xscale="log", yscale="log", xlabel="T (1 - S)", ylabel="test MSE / the all-zeros output's (log)",
           title="test loss against T(1-S): one curve if the peak scales with 1/(1-S)")
    ax.legend(fontsize=6, loc="upper right")
    for j, what, marker in ((1, "peak", "o"), (3, "return (within 5%)", "v")):
        pts = [(1 / (1 - S), v[j]) for S, v in m2 if v[j]]
        if pts:
            ax2.plot(*zip(*pts), marker, ls="-", label=f"{what}, m=2")
    grid = np.geomspace(inv.min() if inv.size else 10, inv.max() if inv.size else 1000, 50)
    ax2.plot(grid, pub["jermyn_rule"] * grid, "k:", lw=0.8, label=f"Jermyn's rule T = {pub['jermyn_rule']} / (1 - S)")
    ax2.set(xscale="log", yscale="log", xlabel="1 / (1 - S)", ylabel="data set size T",
            title="where the peak and the return sit")
    ax2.legend(fontsize=7, loc="upper left")
    fig.suptitle("The bottleneck's peak over sparsity: " + describe(cfg, "n", "steps", "weight_decay")
                 + (f"; not yet stored: {len(missing)} arms" if missing else ""))
    fig.tight_layout()
    r.save(fig, "X7_peak_position")


if __name__ == "__main__":
    main()
