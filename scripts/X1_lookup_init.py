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
and test loss and argmax accuracy (test: 2,000 fresh samples; chance is about 1/1000).

Training: full batch AdamW, lr 1e-3, warm-up 200 then cosine to 0 over 4,000 steps, float32.
Full: m=20 hidden neurons, sizes 10-5000 in part 1 (2 seeds), 3 seeds in part 2. --quick: 1,000
steps, fewer sizes, 2 seeds. Each (setting, size, weight decay) is one cached run of all
initialisations and seeds, so an interrupted run resumes.

Run: python scripts/X1_lookup_init.py [--quick] [--fresh]   (full: 98 min measured with NUMBA_NUM_THREADS=1
while another run used the second core; most of it the cross-entropy runs at T=2000 and 5000)
"""

from __future__ import annotations

import json

import numpy as np

from _common import OUT, cache, dd_sweep, parser, plt, print_config, save, seed_sets, shrink
from _runs import argmax_accuracies
from minimem import data, mlp
from minimem.train import evaluate, train

INITS = ("uniform", "gaussian", "points", "points_unscaled", "kmeans")
COLORS = dict(uniform="tab:gray", gaussian="black", points="tab:red", points_unscaled="tab:orange",
              kmeans="tab:blue")
SETTINGS = {"ae": dict(loss="mse", normalize=True, threshold=0.1),
            "ce": dict(loss="ce", normalize=False, threshold=0.1)}
CHANCE_X10 = 0.01  # "generalises": test accuracy above ten times chance (1/1000)


def config(setting, quick):
    s = SETTINGS[setting]
    cfg = dict(model="mlp", setting=setting, n=1000, m=20, sparsity=0.99, normalize=s["normalize"],
               loss=s["loss"], steps=1_000 if quick else 4_000, warmup=50 if quick else 200, lr=1e-3,
               weight_decay=1e-2, seeds=2, n_test=2_000, dtype="float32", init="uniform",
               sizes=[10, 100, 1000] if quick else [10, 20, 50, 100, 200, 500, 1000, 2000, 5000])
    return shrink(cfg)


def target_of(cfg):
    return (lambda x: x) if cfg["loss"] == "mse" else data.hard_labels


def peak_sweep(setting, quick, fresh):
    """Part 1: the uniform-init double-descent sweep of this setting (cached per size)."""
    cfg = config(setting, quick)
    print_config(cfg)
    dtype = np.dtype(cfg["dtype"]).type

    def init_params(rng, I):
        return mlp.init_params(cfg["n"], cfg["m"], rng, n_instances=I, dtype=dtype)

    res = dd_sweep(f"X1_peak_{setting}", cfg, mlp, init_params, target_of(cfg), fresh=fresh,
                   evaluate_extra=argmax_accuracies(mlp))
    return cfg, res


def chosen_sizes(sizes, train_loss, test_loss, threshold):
    """Indices into ``sizes`` of about a fifth of the "peak" T, the peak, and about five times it,
    and what the peak is: the test-loss maximum of the uniform init when it lies inside the sweep;
    otherwise (the test loss only falls, as for the MLP auto-encoder of M2) the interpolation
    threshold, the largest T whose mean train loss is still <= ``threshold``."""
    sizes = np.asarray(sizes)
    i = int(np.argmax(test_loss.mean(axis=1)))
    what = "test-loss peak"
    if i in (0, len(sizes) - 1):
        fit = np.flatnonzero(train_loss.mean(axis=1) <= threshold)
        i = int(fit[-1]) if fit.size else 0
        what = f"no interior test-loss peak; interpolation threshold (train loss <= {threshold})"
    pick = lambda T: int(np.argmin(np.abs(np.log(sizes / T))))  # noqa: E731
    return sorted({pick(sizes[i] / 5), i, pick(sizes[i] * 5)}), what


def initial_params(name, cfg, x, target, rng):
    """Parameters (seeds, ...) for initialisation ``name`` on training data x (seeds, T, n)."""
    dtype = np.dtype(cfg["dtype"]).type
    S, T, n = x.shape
    if name in ("uniform", "gaussian"):
        return mlp.init_params(n, cfg["m"], rng, n_instances=S, init=name, dtype=dtype)
    values = x if cfg["loss"] == "mse" else data.one_hot(n)[target]  # (S, T, k)
    method = "kmeans" if name == "kmeans" else "points"
    return mlp.init_lookup(x, values, cfg["m"], rng, method=method, scaled=name != "points_unscaled",
                           kmeans_iters=cfg["kmeans_iters"], dtype=dtype)


def steps_to(curve, threshold):
    """First step whose train loss is <= threshold, per column of curve (steps, I); -1 if never."""
    below = curve <= threshold  # (steps, I)
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


def compare_inits(setting, T, weight_decay, quick, fresh):
    """Part 2: every initialisation x seed at one data set size and weight decay, as instances of
    one training call (instance index = init * seeds + seed). Cached."""
    cfg = dict(config(setting, quick), T=T, weight_decay=weight_decay, sizes=None, inits=list(INITS),
               kmeans_iters=5, seeds=2 if quick else 3, threshold=SETTINGS[setting]["threshold"])
    cfg = shrink(cfg)
    cfg["T"] = T
    dtype = np.dtype(cfg["dtype"]).type

    def run():
        S = cfg["seeds"]
        x = seed_sets(cfg, T, S, dtype, 0)  # (S, T, n)
        target = target_of(cfg)(x)  # (S, T, n) or (S, T)
        rng = np.random.default_rng([7, T])
        inits = [initial_params(name, cfg, x, target, rng) for name in INITS]
        params = {k: np.concatenate([p[k] for p in inits]) for k in inits[0]}  # (len(INITS) * S, ...)
        rep = lambda a: np.concatenate([a] * len(INITS))  # noqa: E731
        res = train(mlp, params, rep(x), rep(target), steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                    weight_decay=weight_decay, loss=cfg["loss"], desc=f"X1 {setting} T={T} wd={weight_decay}")
        xt = seed_sets(cfg, cfg["n_test"], S, dtype, 1)
        tt = target_of(cfg)(xt)
        test = evaluate(mlp, res.params, rep(xt), rep(tt), loss=cfg["loss"])
        shape = (len(INITS), S)
        first = evaluate(mlp, params, rep(x), rep(target), loss=cfg["loss"])  # loss at step 0
        acc = argmax_accuracies(mlp)(res.params, rep(x), rep(xt), None)
        return {"train_loss": res.final_loss.reshape(shape), "test_loss": test.reshape(shape),
                "initial_loss": first.reshape(shape),
                "train_acc": acc["train_acc"].reshape(shape), "test_acc": acc["test_acc"].reshape(shape),
                "steps_to_threshold": steps_to(res.losses, cfg["threshold"]).reshape(shape),
                "curve": res.losses[:: max(1, cfg["steps"] // 400)].T.reshape(shape + (-1,))}

    return cfg, cache("X1_lookup_init", cfg, run, fresh=fresh, same=("T", "weight_decay"))


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
                         generalises=f"{int((r['test_acc'][j] > CHANCE_X10).sum())}/{len(st)}"))
    for row in rows:
        med = np.median([v for v in row["steps_to_threshold"] if v >= 0]) if row["reached"][0] != "0" else None
        print(f"  {setting} T={T:5d} wd={wd:<5g} {row['init']:16s} steps to {cfg['threshold']}: "
              f"{row['steps_to_threshold']} (median {med}), loss train {row['train_loss']:.3g} "
              f"test {row['test_loss']:.3g}, acc train {row['train_acc']:.3f} test {row['test_acc']:.4f} "
              f"(>{CHANCE_X10}: {row['generalises']})", flush=True)
    return rows


def main(argv=None):
    args = parser(__doc__).parse_args(argv)
    quick, fresh = args.quick, args.fresh
    pyplot = plt()
    weight_decays = (1e-2, 1.0)
    fig, axes = pyplot.subplots(2, 5, figsize=(22, 8.5))
    summary = []
    for row, setting in enumerate(SETTINGS):
        cfg, res = peak_sweep(setting, quick, fresh)
        sizes = np.array(cfg["sizes"])
        picks, what = chosen_sizes(sizes, res["train_loss"], res["test_loss"], SETTINGS[setting]["threshold"])
        chosen = [int(sizes[i]) for i in picks]
        print(f"{setting}: uniform init: mean test loss per T "
              f"{dict(zip(sizes.tolist(), np.round(res['test_loss'].mean(1), 3).tolist()))}, train loss "
              f"{dict(zip(sizes.tolist(), np.round(res['train_loss'].mean(1), 3).tolist()))}; {what}; "
              f"comparing initialisations at T={chosen}", flush=True)
        ax = axes[row, 0]
        for key, c in [("train_loss", "tab:blue"), ("test_loss", "tab:red")]:
            v = res[key]
            ax.loglog(sizes, v.mean(1), "o-", ms=3, c=c, label=key.replace("_", " "))
            ax.fill_between(sizes, v.min(1), v.max(1), color=c, alpha=0.2, lw=0)
        for T in chosen:
            ax.axvline(T, c="k", ls=":", lw=0.8)
        ax.set(xlabel="data set size T", ylabel=cfg["loss"].upper(),
               title=f"{setting}: uniform init, {cfg['seeds']} seeds\ndotted: sizes compared ({what.split(';')[-1].strip()})")
        ax.legend(fontsize=7)
        runs = {(T, wd): compare_inits(setting, T, wd, quick, fresh) for T in chosen for wd in weight_decays}
        for (T, wd), (c2, r) in runs.items():
            summary += summarise(setting, T, wd, c2, r)
        c2 = runs[(chosen[0], weight_decays[0])][0]
        # loss curves at the peak size, weight decay 1e-2: mean over seeds
        T_mid = chosen[len(chosen) // 2]
        ax = axes[row, 1]
        r = runs[(T_mid, weight_decays[0])][1]
        steps_axis = np.arange(r["curve"].shape[2]) * max(1, c2["steps"] // 400)
        for j, name in enumerate(INITS):
            ax.semilogy(steps_axis, r["curve"][j].mean(0), c=COLORS[name], label=name)
            ax.fill_between(steps_axis, r["curve"][j].min(0), r["curve"][j].max(0), color=COLORS[name], alpha=0.15, lw=0)
        ax.axhline(c2["threshold"], c="k", ls=":", lw=0.8, label="threshold")
        ax.set(xlabel="step", ylabel=f"train {cfg['loss'].upper()}", title=f"{setting}: train loss, T={T_mid}, wd 1e-2")
        ax.legend(fontsize=7)
        # steps to threshold, final test loss and test accuracy: every init x size x wd, one dot per seed
        panels = [("steps_to_threshold", "steps to train loss <= threshold (x: not reached)", False),
                  ("test_loss", f"final test {cfg['loss'].upper()}", True),
                  ("test_acc", "final test accuracy (train: open)", False)]
        for col, (key, label, logy) in enumerate(panels, start=2):
            ax = axes[row, col]
            xt, xl = [], []
            for a, T in enumerate(chosen):
                for b, wd in enumerate(weight_decays):
                    r = runs[(T, wd)][1]
                    base = a * (len(weight_decays) + 0.6) + b
                    xt.append(base)
                    xl.append(f"T={T}\nwd={wd:g}")
                    for j, name in enumerate(INITS):
                        xpos = base + (j - 2) * 0.13
                        v = r[key][j].astype(float)
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
                            ax.scatter(np.full(v.size, xpos), r["train_acc"][j], s=12, facecolors="none",
                                       edgecolors=COLORS[name], lw=0.6)
            ax.set_xticks(xt)
            ax.set_xticklabels(xl, fontsize=7)
            if logy:
                ax.set_yscale("log")
            if key == "test_acc":
                ax.axhline(CHANCE_X10, c="k", ls=":", lw=0.8, label="10x chance")
            ax.set(ylabel=label, title=f"{setting}: {label.split(' (')[0]}")
            ax.legend(fontsize=6)
    fig.suptitle(f"X1: lookup-table initialisation vs uniform / Gaussian; MLP n=1000, m={cfg['m']}, S=0.99, "
                 f"{c2['steps']} steps, {c2['seeds']} seeds (one dot each)")
    fig.tight_layout()
    save(fig, "X1_lookup_init", quick)
    out = OUT / "results" / ("X1_summary_quick.json" if quick else "X1_summary.json")
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=1))
    tmp.replace(out)  # atomic
    print(f"wrote {out.relative_to(OUT)}")


if __name__ == "__main__":
    main()
