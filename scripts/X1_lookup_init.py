"""X1 -- Beyond the write-up: does starting the network as a lookup table help?

The question (write-up, "initialise the network as a lookup table"): a network either becomes a
lookup table or generalises; what happens when its weights start as one -- each hidden neuron one
random training point (or a k-means centroid of the data) -- and does that speed up training? The
author's prediction: "it might work in some cases but not be clearly better in general".

Two settings, both h = ReLU(W1 x + b1), out = W2 h + b2 with m hidden neurons, n=1000 features at
S=0.99 (about 10 non-zero per sample), minimem.mlp:
    ae   the MLP auto-encoder of M2: normalised inputs, target x, MSE
    ce   the cross-entropy setting of F1 / A9: unnormalised inputs, class argmax(x) of V=1000, CE
Five initialisations (minimem.mlp.init_lookup, minimem.init.lookup_table and kmeans):
    uniform          PyTorch's nn.Linear default (U(+-1/sqrt(fan_in)) for W1, b1, W2; b2 = 0)
    gaussian         W ~ N(0, 1/fan_in), b1 uniform, b2 = 0
    points           lookup table: W1 row j = a random training point x_(i_j), W2 column j = its
                     target (x_(i_j), or the one-hot of its class); rows and columns rescaled to
                     the default init's expected norms; b1 = b2 = 0
    points_unscaled  the same without rescaling (rows of norm 1 (ae) or about 1.8 (ce))
    kmeans           W1 rows = the min(m, T) centroids of 5 Lloyd iterations, W2 columns = the
                     mean target of each cluster, rescaled as "points"
(When T < m the remaining neurons keep the default init. When T <= m, k-means with m clusters
returns the points themselves, so "kmeans" and "points" coincide.)

Part 1 (left column): where the double-descent peak of this model is -- test loss over data set
size with the uniform init. Part 2: three data set sizes chosen from part 1 (about a fifth of the
peak's T, the peak, about five times it), every initialisation x seeds, and two weight decays
(1e-2 and 1, the value of figure A7). Measured per run: the step at which the train loss first
falls below a threshold (ae: MSE 0.1, a tenth of the all-zeros loss; ce: CE 0.1), the final train
and test loss and argmax accuracy (test: 2,000 fresh samples; chance is about 1/1000), and the share
of "silent" training points, whose hidden vector is all zero (no gradient reaches W1 or b1 through
them), at the start and the end, with how many misclassified training points are silent.

Settings: full batch AdamW, lr 1e-3, warm-up 200 then cosine to 0 over 4,000 steps, float32.
Full: m=20 hidden neurons, sizes 10-5000 in part 1 (2 seeds), 3 seeds in part 2. --quick: 1,000
steps, fewer sizes, 2 seeds, weight decay 1e-2 alone. Each (setting, size, weight decay) is one cached run of all
initialisations and seeds, so an interrupted run resumes (minimem.experiments "lookup_peak_*" and
"lookup_init_*"). The numbers per run are also written to figures/X1_lookup_init_summary.json.
Every setting, from the catalogue: python -m minimem config X1.

Run: python scripts/X1_lookup_init.py [--quick | --smoke] [--fresh | --cached-only] [--jobs N]
(--help lists every option; how long it takes: SPEED.md)
"""


import numpy as np

from _plot import plt, seeds_vs_T
from minimem import cache
from minimem.cli import FigureScript
from minimem.experiments import LOOKUP_INITS as INITS, LOOKUP_SETTINGS
from minimem.named import say

# --- config
COLORS = dict(uniform="tab:gray", gaussian="black", points="tab:red", points_unscaled="tab:orange",
              kmeans="tab:blue")
CHANCE_X10 = 0.01  # "generalises": test accuracy above ten times chance (1/1000)
POINTS = ("points", "points_unscaled")  # the lookups of random training points
LOOKUPS = POINTS + ("kmeans",)
DEFAULTS = ("uniform", "gaussian")


def summarise(setting, T, wd, cfg, r):
    """One line per initialisation: the numbers the README quotes (mean and range over seeds)."""
    rows = []
    for j, name in enumerate(INITS):
        st = r["steps_to_threshold"][j]
        reached = st[st >= 0]
        rows.append(dict(setting=setting, T=int(T), weight_decay=wd, init=name,
                         steps_to_threshold=[int(v) for v in st], reached=f"{len(reached)}/{len(st)}",
                         initial_loss=float(r["initial_loss"][j].mean()),
                         train_loss=float(r["train_loss"][j].mean()), test_loss=float(r["test_loss"][j].mean()),
                         train_acc=float(r["train_acc"][j].mean()), test_acc=float(r["test_acc"][j].mean()),
                         test_acc_range=[float(r["test_acc"][j].min()), float(r["test_acc"][j].max())],
                         generalises=f"{int((r['test_acc'][j] > CHANCE_X10).sum())}/{len(st)}",
                         silent_start=[round(float(v), 3) for v in r["silent_start"][j]],
                         silent_end=[round(float(v), 3) for v in r["silent_end"][j]],
                         misclassified_silent=f"{int(r['wrong_silent'][j].sum())}/{int(r['wrong_train'][j].sum())}"))
    for row in rows:
        med = np.median([v for v in row["steps_to_threshold"] if v >= 0]) if row["reached"][0] != "0" else None
        print(f"  {setting} T={T:5d} wd={wd:<5g} {row['init']:16s} steps to {cfg['threshold']}: "
              f"{row['steps_to_threshold']} (median {med}), loss train {row['train_loss']:.3g} "
              f"test {row['test_loss']:.3g}, acc train {row['train_acc']:.3f} test {row['test_acc']:.4f} "
              f"(>{CHANCE_X10}: {row['generalises']}); silent training points at start {row['silent_start']}, "
              f"at end {row['silent_end']}, misclassified training points that are silent "
              f"{row['misclassified_silent']}", flush=True)
    return rows


def init_numbers(rr, key):
    """{init: rr[key] of that init, (seeds,) or (seeds, ...)}."""
    return {name: rr[key][j] for j, name in enumerate(INITS)}


def median_steps(rr):
    """{init: median steps to the threshold over the seeds that reached it (None: none did)}."""
    return {name: float(np.median(st[st >= 0])) if (st >= 0).any() else None
            for name, st in init_numbers(rr, "steps_to_threshold").items()}


def fits(rr):
    """{init: seeds whose train loss reached the threshold}."""
    return {name: int((st >= 0).sum()) for name, st in init_numbers(rr, "steps_to_threshold").items()}


def test_accs(runs):
    """The test accuracy (seeds,) of every init in every run of ``runs``."""
    return [v for rr in runs for v in init_numbers(rr, "test_acc").values()]


def name_values(every, n):
    """The values the RESULTS.md section cites; ``every`` is {setting: (sizes compared, cfg, {(T, wd): results})}."""
    (ae_T, c2, ae), (ce_T, _, ce) = every["ae"], every["ce"]
    wds = c2["weight_decays"]
    say("threshold", c2["threshold"])
    say("weight_decays", wds)
    say("seeds", c2["seeds"])
    say("ae_sizes", ae_T)
    say("ce_sizes", ce_T)
    # ae at weight decay 1e-2, the two smallest T: where the network can memorise outright
    small = ae[(ae_T[0], wds[0])]
    say("ae_small_median_steps", median_steps(small))
    say("ae_small_unscaled_train_mse", init_numbers(small, "train_loss")["points_unscaled"].mean(), sig=3)
    fit = fits(ae[(ae_T[1], wds[0])])
    say("ae_mid_lookup_fits", min(fit[name] for name in POINTS))
    say("ae_mid_default_fits", max(fit[name] for name in DEFAULTS))
    # ce at and above the peak: the lookups' medians (where all reached the threshold) against the uniform init's
    med = {wd: {T: median_steps(ce[(T, wd)]) for T in ce_T[1:]} for wd in wds}
    say("ce_lookup_median_steps", {wd: {T: (min(m[name] for name in LOOKUPS), max(m[name] for name in LOOKUPS))
                                        for T, m in by_T.items() if None not in [m[name] for name in LOOKUPS]}
                                   for wd, by_T in med.items()})
    say("ce_uniform_median_steps", {wd: {T: m["uniform"] for T, m in by_T.items()} for wd, by_T in med.items()})
    # ce at the smallest T, weight decay 1e-2: the point lookups do not fit
    low = ce[(ce_T[0], wds[0])]
    say("ce_low_train_acc", {name: v.mean() for name, v in init_numbers(low, "train_acc").items()}, sig=3)
    say("ce_low_train_ce", {name: v.mean() for name, v in init_numbers(low, "train_loss").items()}, sig=3)
    start = init_numbers(low, "silent_start")
    say("ce_low_silent_start_range", (min(start[name].min() for name in POINTS),
                                      max(start[name].max() for name in POINTS)), sig=2)
    silent, wrong = init_numbers(low, "wrong_silent"), init_numbers(low, "wrong_train")
    say("ce_low_wrong_silent", {name: (int(silent[name].sum()), int(wrong[name].sum())) for name in POINTS})
    # generalisation: the test accuracy of every init, mean over seeds, at both weight decays
    acc = [v.mean() for v in test_accs(ae.values())]
    say("ae_test_acc_range", (min(acc), max(acc)), sig=3)
    say("chance", 1 / n)
    say("chance_factor", CHANCE_X10 * n)
    say("chance_x10", CHANCE_X10)
    say("ae_all_seeds_generalise_T",  # the sizes at which some init has every seed above 10x chance
        [T for T in ae_T if any((v > CHANCE_X10).all() for v in test_accs(ae[(T, wd)] for wd in wds))])
    acc = {T: [v.mean() for v in test_accs(ce[(T, wd)] for wd in wds)] for T in ce_T}
    say("ce_test_acc_range", {T: (min(a), max(a)) for T, a in acc.items()}, sig=3)


def main(argv=None):
    r = FigureScript(__doc__, argv)
    pyplot = plt()
    fig, axes = pyplot.subplots(2, 5, figsize=(22, 8.5))
    summary, every = [], {}
    for row, setting in enumerate(LOOKUP_SETTINGS):
        # --- compute (cached): the peak sweep, the sizes chosen from it, every init there
        cfg, res, chosen, what, c2, compared = r.lookup(setting)
        # --- plot
        sizes = np.array(cfg["sizes"])
        print(f"{setting}: uniform init: mean test loss per T "
              f"{dict(zip(sizes.tolist(), np.round(res['test_loss'].mean(1), 3).tolist()))}, train loss "
              f"{dict(zip(sizes.tolist(), np.round(res['train_loss'].mean(1), 3).tolist()))}; {what}; "
              f"comparing initialisations at T={chosen}", flush=True)
        ax = axes[row, 0]
        seeds_vs_T(ax, sizes, res["train_loss"], "tab:blue", "train loss")
        seeds_vs_T(ax, sizes, res["test_loss"], "tab:red", "test loss")
        for T in chosen:
            ax.axvline(T, c="k", ls=":", lw=0.8)
        ax.set(xlabel="data set size T", ylabel=cfg["loss"].upper(),
               title=f"{setting}: uniform init, {cfg['seeds']} seeds\ndotted: sizes compared ({what.split(';')[-1].strip()})")
        ax.legend(fontsize=7)
        weight_decays = c2["weight_decays"]
        runs = {(T, wd): (c2, compared[(T, wd)]) for T in chosen for wd in weight_decays}
        for (T, wd), (_, rr) in runs.items():
            summary += summarise(setting, T, wd, c2, rr)
        every[setting] = (chosen, c2, {key: rr for key, (_, rr) in runs.items()})
        # loss curves at the peak size, weight decay 1e-2: mean over seeds
        T_mid = chosen[len(chosen) // 2]
        ax = axes[row, 1]
        rr = runs[(T_mid, weight_decays[0])][1]
        steps_axis = np.arange(rr["curve"].shape[2]) * max(1, c2["steps"] // 400)
        for j, name in enumerate(INITS):
            ax.semilogy(steps_axis, rr["curve"][j].mean(0), c=COLORS[name], label=f"{name} (mean, band: min-max)")
            ax.fill_between(steps_axis, rr["curve"][j].min(0), rr["curve"][j].max(0), color=COLORS[name], alpha=0.15,
                            lw=0)
        ax.axhline(c2["threshold"], c="k", ls=":", lw=0.8, label="threshold")
        ax.set(xlabel="step", ylabel=f"train {cfg['loss'].upper()}", title=f"{setting}: train loss, T={T_mid}, wd 1e-2")
        ax.legend(fontsize=7, loc="upper right")
        # steps to threshold, final test loss and test accuracy: every init x size x wd, one dot per seed
        panels = [("steps_to_threshold", "steps to train loss <= threshold (x: not reached)", False),
                  ("test_loss", f"final test {cfg['loss'].upper()}", True),
                  ("test_acc", "final test accuracy (log; train: open)", True)]
        for col, (key, label, logy) in enumerate(panels, start=2):
            ax = axes[row, col]
            xt, xl = [], []
            for a, T in enumerate(chosen):
                for b, wd in enumerate(weight_decays):
                    rr = runs[(T, wd)][1]
                    base = a * (len(weight_decays) + 0.6) + b
                    xt.append(base)
                    xl.append(f"T={T}\nwd={wd:g}")
                    for j, name in enumerate(INITS):
                        xpos = base + (j - 2) * 0.13
                        v = rr[key][j].astype(float)
                        if key == "steps_to_threshold":
                            hit = v >= 0
                            ax.scatter(np.full(hit.sum(), xpos), v[hit], s=9, c=COLORS[name],
                                       label=name if (a, b) == (0, 0) else None)
                            ax.scatter(np.full((~hit).sum(), xpos), np.full((~hit).sum(), c2["steps"]), s=12,
                                       marker="x", c=COLORS[name])
                        else:
                            ax.scatter(np.full(v.size, xpos), v, s=9, c=COLORS[name],
                                       label=name if (a, b) == (0, 0) else None)
                        if key == "test_acc":
                            ax.scatter(np.full(v.size, xpos), rr["train_acc"][j], s=12, facecolors="none",
                                       edgecolors=COLORS[name], lw=0.6)
            ax.set_xticks(xt)
            ax.set_xticklabels(xl, fontsize=7)
            if logy:
                ax.set_yscale("log")
            if key == "test_acc":
                ax.axhline(CHANCE_X10, c="k", ls="--", lw=1.2, zorder=0)
                ax.annotate(f"10x chance ({CHANCE_X10:g})", (0, CHANCE_X10), xycoords=("axes fraction", "data"),
                            xytext=(3, 3), textcoords="offset points", fontsize=7)
            ax.set(ylabel=label, title=f"{setting}: {label.split(' (')[0]}")
    name_values(every, cfg["n"])
    fig.suptitle(f"X1: lookup-table initialisation vs uniform / Gaussian; MLP n=1000, m={cfg['m']}, S=0.99, "
                 f"{c2['steps']} steps, {c2['seeds']} seeds (one dot each)")
    handles = [pyplot.Line2D([], [], marker="o", ls="", c=COLORS[name], label=name) for name in INITS]
    fig.legend(handles=handles + [pyplot.Line2D([], [], marker="x", ls="", c="k", label="threshold not reached")],
               loc="lower center", ncol=len(INITS) + 1, fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    png = r.save(fig, "X1_lookup_init")
    out = png.with_name("X1_lookup_init_summary.json")
    cache.write_json(out, summary)  # atomic
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
