"""X6 -- Beyond the write-up: its "exactly 10x earlier" tested at Henighan et al.'s original size.

The write-up's bottleneck (n=1000, S=0.99; B2) is said to double descend "exactly 10x earlier" than
Henighan et al.'s (n=10,000, S=0.999). B2 could only compare with two published accounts that
disagree with each other. This script runs the original setting with the same code and draws both
sweeps on one axis of T and on one of T(1-S), the scale on which "10x earlier" would make them
coincide (Jermyn's rule puts generalisation at T(1-S) of about 10), with the published ranges:
Henighan et al.'s middle regime from T of about 700 to generalisation near 5,000, Jermyn's
replication from about 100 to 20,000. For both sweeps it prints where the mean test loss rises past
1.05 of the all-zeros level, where it peaks and how high, each seed's peak, and where it is back
within 5%; and the ratios of X6's to B2's.

Settings: B2's model and schedule (tied ReLU output model, Xavier normal W, zero b, normalised
inputs, AdamW lr 1e-3 with 2,500 warm-up steps and cosine decay over 50,000 steps, weight decay
1e-2, float32) at n=10,000, m=2, S=0.999, T from 100 to 20,000 dense around 4,000, 2 seeds, 10,000
test samples per seed; minimem.experiments "bottleneck_original", one cached unit per (T, seed).
The sweep takes hours; its units are committed as they land, and with --cached-only the figure is
drawn from those that have, naming the rest. --quick: 5,000 steps at T=100, 1,000, 2,000 and 2,000
test samples.
Every setting, from the catalogue: python -m minimem config X6.

Run: python scripts/X6_original_size.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import SEED_NOTE, describe, plt, seeds_vs_T
from minimem.cli import FigureScript
from minimem import experiments
from minimem.experiments import back_to, peak, rise
from minimem.named import say

# --- config
EXPERIMENT = "bottleneck_original"
B2 = "bottleneck_dd"
ALL_ZEROS = 1.0  # the test MSE of the all-zeros output on normalised data
RISE = 1.05  # the rise: above RISE x the all-zeros level; the return: within 5% of it (back_to)


def sweep_of(r):
    """X6's results as arrays (sizes, seeds) over the sizes with every seed landed, and what is missing."""
    cfg, units, results = r.landed(EXPERIMENT)
    missing = [experiments.unit_label(u) for u, x in zip(units, results) if x is None]
    by = {(u["T"], u["seed"]): x for u, x in zip(units, results) if x is not None}
    sizes = [T for T in cfg["sizes"] if all((T, s) in by for s in cfg["seed_list"])]
    if not sizes:
        raise SystemExit(f"minimem: X6: not stored yet: no size of {EXPERIMENT} has all its seeds; missing: "
                         + "; ".join(missing))
    keys = ("train_loss", "test_loss")
    res = {k: np.stack([np.concatenate([by[(T, s)][k] for s in cfg["seed_list"]]) for T in sizes]) for k in keys}
    return dict(cfg, sizes=sizes), res, missing


def landmarks(name, cfg, res):
    """Print, name (prefixed b2_, x6_) and return where the mean test loss rises, peaks and returns,
    over T and over T(1-S)."""
    p = name.lower()
    sizes = np.array(cfg["sizes"])
    mean = res["test_loss"].mean(1)
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    i = list(sizes).index(T_peak)
    T_rise = rise(sizes, mean, i, ALL_ZEROS, RISE)
    T_back = back_to(sizes, mean, i + 1, ALL_ZEROS)
    scale = 1 - cfg["sparsity"]
    print(f"{name} (n={cfg['n']}, S={cfg['sparsity']}, {res['test_loss'].shape[1]} seeds): rises past 1.05 x the "
          "all-zeros level " + (f"at T={T_rise}" if T_rise else f"at or before its smallest size (T={int(sizes[0])})")
          + f", peaks at T={T_peak} (mean test MSE {height:.4g}; per seed {per_seed}), back "
          f"within 5% " + (f"from T={T_back}" if T_back else f"not by T={int(sizes[-1])} ({mean[-1]:.4g})")
          + "; in T(1-S): rise " + (f"{T_rise * scale:.3g}" if T_rise else "-") + f", peak {T_peak * scale:.3g}, "
          + "return " + (f"{T_back * scale:.3g}" if T_back else "-"))
    say(f"{p}_n", cfg["n"])
    say(f"{p}_sparsity", cfg["sparsity"])
    say(f"{p}_seeds", res["test_loss"].shape[1])
    say(f"{p}_sizes", sizes)
    say(f"{p}_scaled_sizes", sizes * scale, sig=3)  # T(1-S)
    say(f"{p}_rise_T", T_rise)
    say(f"{p}_peak_T", T_peak)
    say(f"{p}_peak_height", height)
    say(f"{p}_seed_peaks", per_seed, sig=8)  # (T, height) per seed, heights to 4 decimals
    say(f"{p}_seeds_at_peak", sum(T == T_peak for T, _ in per_seed))
    say(f"{p}_back_T", T_back)
    say(f"{p}_last_above_T", int(sizes[list(sizes).index(T_back) - 1]) if T_back else None)  # the size before the return
    say(f"{p}_scaled", {"rise": T_rise and T_rise * scale, "peak": T_peak * scale, "back": T_back and T_back * scale},
        sig=3)  # the landmarks in T(1-S)
    say(f"{p}_test_loss_mean", dict(zip(sizes.tolist(), np.round(mean, 4))), sig=8)  # per T, to 4 decimals
    say(f"{p}_train_loss_mean", dict(zip(sizes.tolist(), res["train_loss"].mean(1))), sig=3)
    return T_rise, T_peak, height, T_back


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res, missing = sweep_of(r)
    bcfg, bres = r.run(B2)
    # --- plot
    if missing:
        print(f"X6: {len(missing)} units not stored yet (the sweep is still running): {'; '.join(missing)}")
    pub = experiments.PUBLISHED
    marks = {"B2": landmarks("B2", bcfg, bres), "X6": landmarks("X6", cfg, res)}
    say("x6_over_b2", dict(zip(("rise", "peak", "height", "back"), (
        x / b if x and b else None for x, b in zip(marks["X6"], marks["B2"])))), sig=3)
    print(f"X6 over B2 (T): \"exactly {pub['earlier']}x earlier\" means {pub['earlier']} for the rise, the peak and the "
          "return")
    say("claimed_factor", pub["earlier"])
    say("rise_factor", RISE)
    say("return_within_percent", round((RISE - 1) * 100))
    say("henighan_regime", pub["henighan_regime"])
    say("henighan_loss", pub["henighan_loss"])
    say("jermyn_rule", pub["jermyn_rule"])
    print(f"published at n=10,000, S=0.999: Henighan et al. {pub['henighan_regime'][0]} to {pub['henighan_regime'][1]} "
          f"(T(1-S) {pub['henighan_regime'][0] * 0.001:g} to {pub['henighan_regime'][1] * 0.001:g}), test loss "
          f"~{pub['henighan_loss']}; Jermyn {pub['jermyn_regime'][0]} to {pub['jermyn_regime'][1]} (T(1-S) "
          f"{pub['jermyn_regime'][0] * 0.001:g} to {pub['jermyn_regime'][1] * 0.001:g}), test loss up to "
          f"{pub['jermyn_loss']:g}, generalisation at T(1-S)={pub['jermyn_rule']}")
    pyplot = plt()
    fig, axes = pyplot.subplots(1, 2, figsize=(13, 4.6))
    for ax, scaled in zip(axes, (False, True)):
        for name, (c, rr), color in (("B2", (bcfg, bres), "tab:blue"), ("X6", (cfg, res), "tab:red")):
            s = (1 - c["sparsity"]) if scaled else 1.0
            seeds_vs_T(ax, np.array(c["sizes"]) * s, rr["test_loss"], color,
                       f"{name}: test MSE, n={c['n']}, S={c['sparsity']}")
        s = 0.001 if scaled else 1.0  # the published runs: n=10,000, S=0.999
        ax.axvspan(pub["henighan_regime"][0] * s, pub["henighan_regime"][1] * s, color="tab:orange", alpha=0.12,
                   label="Henighan et al.: middle regime to generalisation (n=10,000)")
        ax.axvline(pub["jermyn_regime"][1] * s, c="tab:green", ls=":", lw=1,
                   label="Jermyn: generalisation (n=10,000)")
        if scaled:
            ax.axvline(pub["jermyn_rule"], c="k", ls="--", lw=0.8, label=f"Jermyn's rule: T(1-S)={pub['jermyn_rule']}")
        else:
            for lo, hi in [pub["henighan_regime"]]:
                ax.axvspan(lo / pub["earlier"], hi / pub["earlier"], color="tab:blue", alpha=0.08,
                           label=f"the same, {pub['earlier']}x earlier (the write-up's n=1000)")
        ax.axhline(ALL_ZEROS, c="gray", ls="--", lw=0.8)
        ax.set(xlabel="T (1 - S)" if scaled else "data set size T", ylabel="test MSE (log)",
               title=("on T(1-S): where '10x earlier' would make them coincide" if scaled else "on T") + f"; {SEED_NOTE}")
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("The bottleneck at the write-up's size (B2) and at Henighan et al.'s (X6): "
                 + describe(cfg, "m", "steps", "weight_decay") + (f"; {len(missing)} X6 units still running"
                                                                  if missing else ""))
    fig.tight_layout()
    r.save(fig, "X6_original_size")


if __name__ == "__main__":
    main()
