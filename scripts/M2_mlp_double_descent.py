"""M2 -- The MLP auto-encoder over the data set size T: test loss and accuracy (the write-up: double descent).

The write-up trains the standard MLP h = ReLU(W1 x + b1), x' = W2 h + b2 (no ReLU after the second
layer) as an auto-encoder with the MSE loss in the setting of B2 and finds double descent; accuracy
is 1 when argmax(x') = argmax(x).

Settings: n=1000, m=2 hidden neurons, S=0.99, normalised inputs, MSE with uniform importance; full
batch, AdamW (lr 1e-3, warm-up 2,500, cosine to 0 over 50,000 steps, weight decay 1e-2); PyTorch's
nn.Linear init (W1, b1, W2 uniform +-1/sqrt(fan_in)), b2 zero; float32; 4 seeds per T, T from 3 to
5,000; test loss and accuracy on 10,000 fresh samples. Runs shared with M3, M4, M5
(minimem.experiments: "mlp_dd"), cached in results/.
Every setting, from the catalogue: python -m minimem config M2.

The dashed green line is a floor no such MLP can beat: its outputs W2 h + b2 lie in an affine
subspace of dimension at most m, so its train MSE is at least that of the best rank-m affine fit
of the training set (minimem.metrics.affine_rank_bound, from an SVD of the centred data).

Run: python scripts/M2_mlp_double_descent.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""

import numpy as np

from _plot import plt, sweep_figure
from minimem.cli import FigureScript
from minimem.experiments import print_sweep
from minimem import experiments, metrics
from minimem.named import say

# --- config
EXPERIMENT = "mlp_dd"  # shared with M3, M4, M5
SHOW = [5, 20, 100, 300, 1000, 5000]  # W1 panels


def robustness(r):
    """X3's variants over M2's own sizes, at m=2 and m=8 (drawn in X3's figure): where each curve's
    mean test MSE is highest, and its highest value over the null level from T=100 on, where A4 and
    B2 peak; only the (variant, m) whose sizes have all landed."""
    cfg, units, results = r.landed("mlp_variants_sizes")
    curves = experiments.variant_curves(cfg, units, results)
    missing = sorted({(u["variant"], u["m"]) for u, res in zip(units, results) if res is None})
    if missing:
        print(f"mlp_variants_sizes: not stored yet for {len(missing)} (variant, m): {missing}")
    key = lambda v, m: f"{'M2' if v == cfg['variants'][0] else v}, m={m}"  # noqa: E731
    say("variants_landed", {f"m={m}": sum(1 for (_, mm) in curves if mm == m) for m in cfg["hidden"]})
    say("variant_hidden", cfg["hidden"])
    say("variant_seeds_planned", {f"m={u['m']}": u.get("seeds", cfg["seeds"]) for u in units})
    say("variants_highest_T", {key(*k): int(c["sizes"][np.argmax(c["test"].mean(1))]) for k, c in curves.items()})
    say("late_from_T", 100)
    late = {key(*k): float((c["test"].mean(1) / c["null"].mean())[c["sizes"] >= 100].max()) for k, c in curves.items()
            if (c["sizes"] >= 100).any()}
    say("variants_late_ratio", late)  # the highest mean test MSE over the null, T >= 100
    say("variants_late_ratio_max", {f"m={m}": max(v for k, v in late.items() if k.endswith(f"m={m}"))
                                    for m in cfg["hidden"] if any(k.endswith(f"m={m}") for k in late)})
    say("variants_seeds", {f"m={m}": len(c["test"][0]) for (v, m), c in curves.items()})


def main(argv=None):
    r = FigureScript(__doc__, argv)
    # --- compute (cached)
    cfg, res = r.run(EXPERIMENT)
    # --- plot
    print_sweep(cfg, res, "MSE", ref=1.0)
    # the best rank-m affine fit of each training set: a floor under the train MSE
    bound = np.array([metrics.affine_rank_bound(experiments.train_sets(cfg, T), cfg["m"]) for T in cfg["sizes"]])
    gap = res["train_loss"] / np.maximum(bound, 1e-30)
    say("bound", dict(zip(cfg["sizes"], bound.mean(1))), sig=3)  # rank-m affine bound per T (mean over seeds)
    fit = {T: g for T, g, b in zip(cfg["sizes"], gap.mean(1), bound.mean(1)) if b > 1e-6}
    say("train_over_bound", fit)  # where the bound > 1e-6
    say("on_bound_from_T", 20)
    on = [v for T, v in fit.items() if T >= 20]
    say("train_over_bound_range", (min(on), max(on)) if on else None)
    seed_peaks = [T for T, _ in experiments.peak(np.array(cfg["sizes"]), res["test_loss"])[2]]
    say("seed_peak_T_range", (min(seed_peaks), max(seed_peaks)))
    say("seed_peak_range", (res["test_loss"].max(0).min(), res["test_loss"].max(0).max()))
    # accuracy against chance, in binomial standard errors of the n_test x seeds test samples
    N, p = cfg["n_test"] * cfg["seeds"], 1 / cfg["n"]
    acc = res["test_acc"].mean(1)
    z = (acc - p) / np.sqrt(p * (1 - p) / N)
    say("acc_range", (acc.min(), acc.max()), sig=2)
    say("acc_z", dict(zip(cfg["sizes"], z)), sig=2)
    say("acc_z_range", (z.min(), z.max()), sig=2)
    say("acc_samples", N)
    say("m", cfg["m"])
    dead = np.array([[experiments.dead_units(experiments.params_at(res, i, s), experiments.train_set(cfg, T, s)[None])[0]
                      for s in range(cfg["seeds"])] for i, T in enumerate(cfg["sizes"])])
    print(f"dead hidden units (off for every training point; mean over seeds, of {cfg['m']}) per T: "
          + str(dict(zip(cfg["sizes"], np.round(dead.mean(1), 2).tolist()))))
    robustness(r)
    fig, ax = sweep_figure(plt(), cfg, res, "MLP auto-encoder (no output ReLU)", "MSE", (1.0, "all-zeros output"),
                           SHOW, linear_test=True)
    ok = bound.mean(1) > 0
    ax.plot(np.array(cfg["sizes"])[ok], bound.mean(1)[ok], "--", c="tab:green", lw=1.2,
            label=f"best rank-{cfg['m']} affine fit of the train set")
    ax.legend(fontsize=7, loc="lower right")
    r.save(fig, "M2_mlp_double_descent")


if __name__ == "__main__":
    main()
