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
Every setting, from the catalogue: python -m minimem config X7.

Run: python scripts/X7_peak_position.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import describe, plt
from minimem.cli import FigureScript
from minimem import experiments
from minimem.experiments import back_to, peak, rise
from minimem.named import say

# --- config
EXPERIMENT = "peak_position"
RISE = 1.05  # the rise: above RISE x the all-zeros level; the return: within 5% of it (back_to)


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
    rows, named = {}, {}  # {(S, m): (rise T, peak T, peak height, return T)}; {name: {arm: value}}
    for (S, m), a in sorted(res.items()):
        sizes, mean, ref, u = a["sizes"], a["test_loss"].mean(1), all_zeros(S, cfg["n"]), 1 - S
        T_peak, height, per_seed = peak(sizes, a["test_loss"])
        i = list(sizes).index(T_peak)
        T_rise, T_back = rise(sizes, mean, i, ref, RISE), back_to(sizes, mean, i + 1, ref)
        rows[(S, m)] = (T_rise, T_peak, height, T_back)
        train = a["train_loss"].mean(1)
        arm = {"sparsity": S, "hidden": m, "all_zeros": ref, "features_per_sample": cfg["n"] * u,
               "smallest_T": int(sizes[0]), "rise_T": T_rise, "peak_T": T_peak, "peak_height": height, "back_T": T_back,
               "rise_scaled": T_rise and T_rise * u, "peak_scaled": T_peak * u, "back_scaled": T_back and T_back * u,
               "last_above_T": int(sizes[list(sizes).index(T_back) - 1]) if T_back else None,  # the size before the return
               "train_at_peak": train[i],
               "test_loss_mean": dict(zip(sizes.tolist(), np.round(mean, 4))),  # per T, to 4 decimals
               "train_loss_mean": dict(zip(sizes.tolist(), train))}
        for name, v in arm.items():  # keyed by arm: "0.9" for S=0.9, m=2; "0.99m5" for S=0.99, m=5
            named.setdefault(name, {})[f"{S}" if m == 2 else f"{S}m{m}"] = v
        print(f"S={S}, m={m} (n(1-S)={cfg['n'] * u:.3g} features per sample, all-zeros level {ref:.3g}): rise "
              + (f"T={T_rise}" if T_rise else f"at or before its smallest size (T={int(sizes[0])})")
              + f", peak T={T_peak} (mean test MSE {height:.4g}; per seed {per_seed}), back "
              + (f"T={T_back}" if T_back else f"not by T={int(sizes[-1])} ({mean[-1]:.4g})")
              + "; in T(1-S): rise " + (f"{T_rise * u:.3g}" if T_rise else "-") + f", peak {T_peak * u:.3g}, back "
              + (f"{T_back * u:.3g}" if T_back else "-"))
    sig = {"all_zeros": 3, "features_per_sample": 3, "rise_scaled": 3, "peak_scaled": 3, "back_scaled": 3,
           "train_at_peak": 3, "train_loss_mean": 3, "test_loss_mean": 8}
    for name, v in named.items():
        say(name, v, sig=sig.get(name, 4))
    say("n", cfg["n"])
    say("seeds", cfg["seeds"])
    say("b2_seeds", experiments.config("bottleneck_dd", r.mode)["seeds"])
    original = experiments.config("bottleneck_original", r.mode)  # X6: Henighan et al.'s size
    say("original_n", original["n"])
    say("original_sparsity", original["sparsity"])
    say("claimed_factor", pub["earlier"])
    say("jermyn_rule", pub["jermyn_rule"])
    m2 = sorted((S, v) for (S, m), v in rows.items() if m == 2)
    inv = np.array([1 / (1 - S) for S, _ in m2])
    for j, what in ((1, "peak"), (3, "return")):
        ok = [(1 / (1 - S), v[j], S) for S, v in m2 if v[j]]
        if len(ok) >= 2:
            slope = say(f"{what}_exponent", np.polyfit(np.log([a for a, _, _ in ok]), np.log([b for _, b, _ in ok]), 1)[0],
                        sig=3)
            print(f"m=2: {what} T against 1/(1-S) over {len(ok)} sparsities: fitted exponent {slope:.3g} "
                  f"(1: in proportion to 1/(1-S)); {what} T(1-S) from S={ok[0][2]} to S={ok[-1][2]}: "
                  + ", ".join(f"{b / a:.3g}" for a, b, _ in ok))
    # the return's grid point T(1-S) (the sizes are grid / (1 - S), rounded): the m=2 sparsities where
    # it is Jermyn's rule, and those where it comes before
    on_grid = {S: min(cfg["grid"], key=lambda g: abs(g - v[3] * (1 - S))) for S, v in m2 if v[3]}
    at = say("back_at_rule_S", [S for S, g in on_grid.items() if g == pub["jermyn_rule"]])
    before = say("back_before_rule_S", [S for S, g in on_grid.items() if g < pub["jermyn_rule"]])
    if before:
        say("back_before_rule_by", max(on_grid[S] for S in before))
    if at:  # the fewest features per sample among them
        say("features_at_rule_min", min(cfg["n"] * (1 - S) for S in at), sig=3)
    for (over, base, name, note) in (((0.999, 2), (0.99, 2), "s0999_over_s099",
                                      f"the write-up's \"{pub['earlier']}x\" and Jermyn's rule both say {pub['earlier']}"),
                                     ((0.99, 5), (0.99, 2), "m5_over_m2", "")):
        if over in rows and base in rows:  # rise, peak, peak height, return of one arm over another's
            say(name, dict(zip(("rise", "peak", "height", "back"),
                               (y / x if x and y else None for x, y in zip(rows[base], rows[over])))), sig=3)
            if note:
                print(f"{name}: {note}")
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
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)  # below the axes: every curve shows
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
