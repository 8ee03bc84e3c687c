"""Matplotlib helpers shared by the figure scripts: the command line, saving, and the panels that
recur (loss over data set size with its seed spread, heatmaps with colourbars, scatter clouds at a
shared equal-aspect scale). Nothing here trains or reads data: that is minimem.experiments."""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minimem import experiments, metrics  # noqa: E402


def _quiet_interrupt(kind, value, tb, _default=sys.excepthook):
    """Ctrl-C ends a figure script with one line (experiments.run has said what it kept), not a traceback."""
    if issubclass(kind, KeyboardInterrupt):
        print("minimem: interrupted", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(130)  # the shell's code for Ctrl-C, which reproduce reads
    _default(kind, value, tb)


sys.excepthook = _quiet_interrupt

SEED_NOTE = "band: min-max over seeds, thin lines: each seed"


def parser(doc):
    """argparse with the flags every figure script takes."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="a reduced run (about a minute) written to figures/quick/")
    g.add_argument("--smoke", action="store_true", help="a few steps on tiny data (the tests); figures/quick/")
    ap.add_argument("--fresh", action="store_true", help="retrain even when results/ holds this configuration")
    ap.add_argument("--cached-only", action="store_true",
                    help="never train: redraw from results/ alone; a missing result is an error naming it")
    ap.add_argument("--out", metavar="DIR", help="write results/ and figures/ under DIR (default: the checkout)")
    ap.add_argument("--jobs", type=int, default=1, metavar="N", help="train independent units in N processes")
    ap.add_argument("--dask", metavar="ADDRESS", help="send units to the Dask scheduler at ADDRESS")
    return ap


class Run:
    """The parsed flags of a figure script, and ``run(name)``: minimem.experiments.run with them."""

    def __init__(self, doc, argv=None):
        self.args = parser(doc).parse_args(argv)
        a = self.args
        self.mode = "smoke" if a.smoke else "quick" if a.quick else "full"
        self.quick = self.mode != "full"
        self.out = pathlib.Path(a.out).resolve() if a.out else ROOT
        # new results go under --out; the checkout's committed results are read too, so a figure can be
        # redrawn elsewhere without training
        roots = [self.out / "results"] + ([ROOT / "results"] if self.out != ROOT else [])
        self.results = [experiments.results_dir_of(self.mode, root) for root in roots]
        self._stack = contextlib.ExitStack()
        self.executor = self._stack.enter_context(experiments.executor(a.jobs, a.dask))

    def run(self, name, required=True, **overrides):
        """minimem.experiments.run with the script's flags. Under --cached-only a missing result ends
        the script with one line naming it and the command that trains it (``required=False``:
        raise MissingResult for the caller instead)."""
        try:
            return experiments.run(name, self.mode, fresh=self.args.fresh, results_dir=self.results,
                                   executor=self.executor, cached_only=self.args.cached_only, long_ok=True,
                                   **overrides)
        except experiments.MissingResult as e:
            if not required:
                raise
            raise self._missing(e) from None

    def lookup(self, setting):
        try:
            return experiments.lookup(setting, self.mode, fresh=self.args.fresh, results_dir=self.results,
                                      executor=self.executor, cached_only=self.args.cached_only, long_ok=True)
        except experiments.MissingResult as e:
            raise self._missing(e) from None

    def _missing(self, e):
        """The one-line end of a script whose results are not stored: what is missing and the command."""
        fid = pathlib.Path(sys.argv[0]).name.split("_")[0]
        flag = {"full": " --full", "quick": "", "smoke": " --smoke"}[self.mode]
        return SystemExit(f"minimem: {fid}: {e}; train it with: python -m minimem reproduce {fid}{flag}")

    def save(self, fig, name):
        """figures/<name>.png (full, committed) or figures/quick/<name>.png; closes the executor."""
        out = self.out / "figures" / ("quick" if self.quick else "") / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, bbox_inches="tight")
        print(f"wrote {out}")
        self._stack.close()
        return out


def plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot
    pyplot.rcParams.update({"figure.dpi": 110, "savefig.dpi": 130, "font.size": 9, "axes.titlesize": 9})
    return pyplot


def describe(cfg, *keys):
    """'key=value, ...' of the configuration keys that define a run, for titles."""
    names = {"sparsity": "S", "steps": "steps", "weight_decay": "wd"}
    parts = []
    for k in keys:
        if k in cfg and cfg[k] is not None:
            v = cfg[k]
            parts.append(f"{v} {k}" if k in ("init", "labels", "loss", "model") else f"{names.get(k, k)}={v}")
    return ", ".join(parts)


def log_safe(values, floor=None):
    """Values for a log axis: zeros and negatives raised to a floor (a decade below the smallest
    positive value), and whether any was, so the caller can say so instead of dropping them."""
    v = np.asarray(values, dtype=float)
    pos = v[v > 0]
    floor = floor if floor is not None else (pos.min() / 10 if pos.size else 1e-12)
    return np.maximum(v, floor), bool((v <= 0).any())


def seeds_vs_T(ax, sizes, values, color, label, logy=True):
    """One quantity (sizes, seeds) over the data set size: mean (dots), min-max band, each seed."""
    v, floored = log_safe(values) if logy else (np.asarray(values, float), False)
    n = v.shape[1]
    ax.plot(sizes, v.mean(1), "o-", ms=3, c=color, label=f"{label} (mean of {n} seeds)" +
            ("; zeros drawn at the floor" if floored else ""))
    ax.fill_between(sizes, v.min(1), v.max(1), color=color, alpha=0.2, lw=0)
    ax.plot(sizes, v, "-", c=color, lw=0.5, alpha=0.5)
    ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")


def peak(sizes, test_loss):
    """Where the mean test loss peaks (T) and its height, and each seed's peak (T, height)."""
    mean = test_loss.mean(axis=1)
    i = int(np.argmax(mean))
    per_seed = [(int(sizes[j]), round(float(test_loss[j, s]), 4)) for s in range(test_loss.shape[1])
                for j in [int(np.argmax(test_loss[:, s]))]]
    return int(sizes[i]), float(mean[i]), per_seed


def rise(sizes, mean_loss, peak_index, ref, factor=1.05):
    """Where the mean test loss rose from the level ``ref``: the first T of the run of sizes above
    factor x ref that ends at the peak, or None (no such run, or it starts at the smallest T)."""
    j = peak_index
    while j > 0 and mean_loss[j - 1] > factor * ref:
        j -= 1
    return int(sizes[j]) if mean_loss[peak_index] > factor * ref and j > 0 else None


def back_to(sizes, mean_loss, start, ref):
    """The first T from index ``start`` on where the mean test loss is within 5% of ``ref``, or None."""
    back = [int(T) for T, v in zip(sizes[start:], mean_loss[start:]) if v <= 1.05 * ref]
    return back[0] if back else None


def clouds(axes, points, titles, color="tab:blue", size=2, lim=None):
    """Scatter 2-D point clouds (each (2, N)) in a row of axes at one shared, equal-aspect scale with
    ticks, so clouds of very different size are not drawn alike. Returns the half-width used."""
    if lim is None:
        lim = 1.08 * max(float(np.abs(P).max()) for P in points) or 1.0
    for ax, P, title in zip(axes, points, titles):
        ax.scatter(P[0], P[1], s=size, c=color)
        ax.axhline(0, c="0.8", lw=0.4, zorder=0)
        ax.axvline(0, c="0.8", lw=0.4, zorder=0)
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=title)
        ax.tick_params(labelsize=6)
    return lim


def heat(fig, ax, M, xs, ys, title, kind, xlabel, ylabel, vmin=None, vmax=None, fmt="{:.2g}", label=None):
    """One grid panel with a colourbar and the value in every cell: rows ys, columns xs. kind
    'loss' (low is good) or 'acc' (0 to 1); pass vmin/vmax to share a range across panels.
    ``label(v)`` writes a cell's text (default: fmt of the value drawn)."""
    if kind == "acc":
        vmin, vmax = 0 if vmin is None else vmin, 1 if vmax is None else vmax
    im = ax.imshow(M, origin="lower", cmap="viridis_r" if kind == "loss" else "viridis", vmin=vmin, vmax=vmax,
                   aspect="auto")
    ax.set(xticks=range(len(xs)), xticklabels=xs, yticks=range(len(ys)), yticklabels=ys, title=title,
           xlabel=xlabel, ylabel=ylabel)
    ax.tick_params(labelsize=7)
    lo, hi = im.get_clim()
    for (r, c), v in np.ndenumerate(M):
        dark = (v - lo) / ((hi - lo) or 1) > 0.5 if kind == "loss" else (v - lo) / ((hi - lo) or 1) < 0.5
        ax.text(c, r, label(v) if label else fmt.format(v), ha="center", va="center", fontsize=6,
                color="w" if dark else "k")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)


def dictionary(fig, axes, params, x, title_out, relu_out=False):
    """Heatmaps of W1, b1, pre-activations, activations, W2, b2 and outputs of a small MLP on a
    one-sample-per-row data set x (N, n), each with its colourbar (a symmetric range per panel).
    params with an instance axis of 1; the activations come from minimem.mlp.forward."""
    from minimem import mlp
    out, c = mlp.forward(params, x[None], relu_out=relu_out)
    W1, b1, W2, b2 = (params[k][0] for k in ("W1", "b1", "W2", "b2"))
    panels = [(W1, "W1 (m x n)"), (b1[:, None], "b1"), (c["a"][0].T, "W1 x + b1 (m x inputs)"),
              (c["h"][0].T, "activations ReLU(.)"), (W2, "W2 (k x m)"), (b2[:, None], "b2"), (out[0].T, title_out)]
    for ax, (M, t) in zip(axes, panels):
        lim = np.abs(M).max() or 1
        im = ax.imshow(M, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        ax.set(title=t, xticks=[], yticks=[])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)
    return out[0], c["h"][0]


def sweep_figure(pyplot, cfg, res, what, loss_label, ref, show, param="W1", linear_test=False, unused=None):
    """A sweep over the data set size T: loss (train and test) and argmax accuracy (train and test,
    log axis, chance marked) with their seed spread, and below, the columns of ``param`` (seed 0)
    at the sizes in ``show``, all at one scale. ref = (value, label) of the trivial loss level.
    ``linear_test`` adds the test loss alone on a linear axis beside the loss panel (where the train
    loss spans decades that would flatten it). ``unused`` ({T: (m, k) columns}) adds a third row: the
    columns of the features no training point uses, at their own scale. Returns the figure and its
    loss axes."""
    sizes = np.array(cfg["sizes"])
    show = [T for T in show if T in sizes.tolist()] or sizes.tolist()[:: max(1, len(sizes) // 6)]
    rows = 3 if unused else 2
    fig = pyplot.figure(figsize=(2.3 * max(len(show), 4), 3.3 * rows))
    gs = fig.add_gridspec(rows, 2 * len(show))
    half = len(show)
    if linear_test:
        third = 2 * len(show) // 3
        ax = fig.add_subplot(gs[0, :third])
        lin = fig.add_subplot(gs[0, third:2 * third])
        seeds_vs_T(lin, sizes, res["test_loss"], "tab:red", f"test {loss_label}", logy=False)
        lin.axhline(ref[0], c="gray", ls="--", lw=0.8, label=ref[1])
        lin.set(xlabel="data set size T", ylabel=f"test {loss_label} (linear)", title="the test loss alone, on a linear axis")
        lin.legend(fontsize=7)
    else:
        ax = fig.add_subplot(gs[0, :half] if "test_acc" in res else gs[0, :])
    seeds_vs_T(ax, sizes, res["train_loss"], "tab:blue", f"train {loss_label}")
    seeds_vs_T(ax, sizes, res["test_loss"], "tab:red", f"test {loss_label}")
    ax.axhline(ref[0], c="gray", ls="--", lw=0.8, label=ref[1])
    ax.set(xlabel="data set size T", ylabel=loss_label, title=f"{what}: loss")
    ax.legend(fontsize=7, loc="lower right" if linear_test else None)
    if "test_acc" in res:
        ax = fig.add_subplot(gs[0, 2 * third:] if linear_test else gs[0, half:])
        seeds_vs_T(ax, sizes, res["train_acc"], "tab:blue", "train accuracy")
        seeds_vs_T(ax, sizes, res["test_acc"], "tab:red", "test accuracy")
        ax.axhline(1 / cfg["n"], c="gray", ls="--", lw=0.8, label=f"chance, 1/{cfg['n']}")
        ax.set(xlabel="data set size T", ylabel="argmax accuracy (log)",
               title="accuracy" if linear_test else f"{what}: accuracy; {SEED_NOTE}")
        ax.legend(fontsize=7)
    sl = sizes.tolist()
    axes = [fig.add_subplot(gs[1, 2 * j:2 * j + 2]) for j in range(len(show))]
    mats = [res[param][sl.index(T), 0] for T in show]  # (m, n) each, seed 0
    clouds(axes, mats, [f"{param} columns, T={T}\nmax |w| {np.abs(M).max():.3g}" for T, M in zip(show, mats)])
    if unused:
        axes = [fig.add_subplot(gs[2, 2 * j:2 * j + 2]) for j in range(len(unused))]
        clouds(axes, list(unused.values()), [f"unused features' columns, T={T}\n({M.shape[1]} never in a training "
                                             f"point)" for T, M in unused.items()], color="0.4", size=1)
    fig.suptitle(f"{what}: " + describe(cfg, "model", "n", "m", "sparsity", "labels", "loss", "init", "steps",
                                        "weight_decay") + f"; {cfg['seeds']} seeds per T, {SEED_NOTE}")
    fig.tight_layout()
    return fig, fig.axes[0]


def adam_reach_of(cfg):
    """How far AdamW moves one coordinate at most in a run of this configuration (optim.adam_reach)."""
    from minimem import optim
    return optim.adam_reach(optim.lr_schedule(cfg["steps"], cfg["lr"], warmup=cfg["warmup"]), cfg["weight_decay"])


def print_sweep(cfg, res, loss_label, ref=None):
    """The numbers behind a sweep figure: the test-loss peak (mean and per seed), where the test
    loss is back within 5% of the reference level ``ref`` (all-zeros output, log V) after it, the
    squareness of the W columns and the test accuracy per T."""
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    print(f"test-loss peak (mean over {res['test_loss'].shape[1]} seeds): T={T_peak}, {loss_label} {height:.4g}; "
          f"per seed (T, {loss_label}): {per_seed}")
    if ref is not None:
        mean = res["test_loss"].mean(1)
        back = back_to(sizes, mean, sizes.tolist().index(T_peak), ref)
        print(f"test loss back within 5% of {ref:.4g} after the peak: "
              + (f"from T={back}" if back and T_peak != sizes[0] else "peak at the first size" if T_peak == sizes[0]
                 else f"not within the sweep (at T={int(sizes[-1])}: {mean[-1]:.4g})"))
    print("mean test loss per T: " + str(dict(zip(sizes.tolist(), np.round(res["test_loss"].mean(1), 4).tolist()))))
    print("mean train loss per T: " + str(dict(zip(sizes.tolist(), [float(f"{v:.3g}") for v in res["train_loss"].mean(1)]))))
    W = res.get("W1", res.get("W"))
    if W is not None and W.shape[-2] == 2:
        sq = metrics.squareness(W)  # (sizes, seeds)
        print("squareness of the W columns per T (mean over seeds; 1 a square, 0 a disc; an isotropic cloud of "
              f"{W.shape[-1]} points: {metrics.squareness_reference(W.shape[-1], np.random.default_rng(0))[0]:.2f}): "
              + str(dict(zip(sizes.tolist(), np.round(np.nanmean(sq, 1), 2).tolist()))))
        print("lopsidedness of the W columns per T (mean over seeds; 0 for a square or a disc about the origin, near 1 "
              "for a wedge or a line, which also scores as square): "
              + str(dict(zip(sizes.tolist(), np.round(np.nanmean(metrics.lopsidedness(W), 1), 2).tolist()))))
        corners = metrics.square_corners(W)  # (sizes, seeds) degrees, 45: sides along the axes
        square = np.nanmean(sq, 1) >= 1
        print("where the mean squareness is >= 1, the corners' direction per T (degrees, min-max over seeds; 45: sides "
              "along the coordinate axes): " + str({int(T): (round(float(c.min()), 1), round(float(c.max()), 1))
                                                    for T, c, ok in zip(sizes, corners, square) if ok}))
        reach = adam_reach_of(cfg)
        far = np.mean(np.abs(W).max(axis=-2) > 0.9 * reach, axis=-1)  # (sizes, seeds) columns at the box
        print(f"largest |w| / AdamW's reach ({reach:.2f}) per T: "
              + str(dict(zip(sizes.tolist(), np.round(np.abs(W).max(axis=(-2, -1)).mean(1) / reach, 2).tolist())))
              + "; share of columns with a coordinate beyond 0.9 x reach: "
              + str(dict(zip(sizes.tolist(), np.round(far.mean(1), 2).tolist()))))
    if "test_acc" in res:
        print("mean test accuracy per T: " + str(dict(zip(sizes.tolist(), np.round(res["test_acc"].mean(1), 4).tolist())))
              + f" (chance 1/{cfg['n']})")
    return T_peak, height


def print_hard_labels(run, sizes):
    """F1's run (hard labels, uniform init) at the data set sizes ``sizes``, printed beside a variant:
    the mean squareness of W1's columns and the share of them beyond 0.9 of AdamW's reach."""
    cfg, res = run("unembed_dd")
    sl = list(cfg["sizes"])
    idx = [sl.index(T) for T in sizes if T in sl]
    W = res["W1"][idx]  # (sizes, seeds, m, n)
    far = np.mean(np.abs(W).max(axis=-2) > 0.9 * adam_reach_of(cfg), axis=-1).mean(-1)  # (sizes,)
    print("for comparison, hard labels (F1) at the same T: squareness "
          + str({sl[i]: round(float(v), 2) for i, v in zip(idx, np.nanmean(metrics.squareness(W), 1))})
          + "; share of columns beyond 0.9 x reach " + str({sl[i]: round(float(v), 2) for i, v in zip(idx, far)}))


def print_lost_outputs(cfg, res):
    """For the ReLU output model: per T, the share of active training entries its output ReLU has
    switched off (experiments.lost_outputs) and the train MSE they carry, mean over seeds."""
    line = {}
    for i, T in enumerate(cfg["sizes"]):
        x = experiments.train_sets(cfg, T).astype(np.float64)  # (seeds, T, n)
        p = {k: v[i].astype(np.float64) for k, v in res.items() if k in experiments.PARAM_NAMES}  # (seeds, ...)
        share, err = experiments.lost_outputs(p, x)
        line[T] = (round(float(share.mean()), 3), round(float(err.mean()), 3), round(float(res["train_loss"][i].mean()), 3))
    print("active training entries with the output ReLU off, per T (share, the train MSE they carry, the whole "
          "train MSE; mean over seeds): " + str(line))


def unused_columns(cfg, res, i, seed):
    """The columns of W1 (m, k) of the features that no training point of run (size index i, seed)
    uses: nothing ever moved them but weight decay, so they keep their initialisation's shape."""
    used = np.any(experiments.train_set(cfg, cfg["sizes"][i], seed) != 0, axis=0)  # (n,)
    return res["W1"][i, seed][:, ~used]


def print_unused(cfg, res, label):
    """Per T: how many features the training set of the shown seed uses, the half-widths of the box
    the unused columns fill (per hidden coordinate), and their squareness and lopsidedness per seed
    beside an isotropic cloud of as many points (metrics.squareness_reference)."""
    for i, T in enumerate(cfg["sizes"]):
        unused = [unused_columns(cfg, res, i, s) for s in range(cfg["seeds"])]  # per seed (m, k)
        if unused[0].shape[1] < 2:
            continue
        box = np.abs(unused[0]).max(axis=1)
        print(f"{label}, T={T}: {cfg['n'] - unused[0].shape[1]} used features; unused columns span |w| <= "
              f"{[round(float(b), 4) for b in box]}; their squareness per seed "
              f"{[round(float(metrics.squareness(u)), 2) for u in unused]} (lopsidedness "
              f"{[round(float(metrics.lopsidedness(u)), 2) for u in unused]}; an isotropic cloud of "
              f"{unused[0].shape[1]} points: "
              f"{metrics.squareness_reference(unused[0].shape[1], np.random.default_rng(0))[0]:.2f})")


def dimensionality_figure(pyplot, cfg, vectors, title, with_max=True):
    """B4 / M4: for every T and seed, the fractional dimensionality of the data points (rows of H),
    optionally their maximal data dimensionality D*, and that of the features (columns of W), one dot
    each (jittered in T), with the m/T guide. ``vectors(i, s)`` returns (H (T, m), W (m, n)) for
    size index i and seed s."""
    sizes = np.array(cfg["sizes"])
    jitter = np.random.default_rng(0)  # horizontal jitter of the dots only
    rows = [("data points: D_t", "tab:red", metrics.fractional_dimensionality, True)]
    if with_max:
        rows.append(("data points: D*_t (max. data dim.)", "tab:purple", metrics.max_data_dimensionality, True))
    rows.append(("features: D_i", "tab:blue", None, False))
    fig, axes = pyplot.subplots(len(rows), 1, figsize=(6.5, 2.7 * len(rows)), sharex=True)
    print("per T: features with D_i > 0.1 (mean over seeds, and per seed) and their mean D_i; the data points' "
          "median D_t (all seeds) against m/T:")
    for i, T in enumerate(sizes):
        sums, D_t = [], []
        for s in range(cfg["seeds"]):
            H, W = vectors(i, s)
            D_t.append(metrics.fractional_dimensionality(H))
            D_i = metrics.feature_dimensionality(W)
            for ax, (_, c, fn, on_data) in zip(axes, rows):
                D = fn(H) if on_data else D_i
                ax.scatter(T * np.exp(jitter.uniform(-0.08, 0.08, len(D))), D, s=1, c=c, alpha=0.3)
            big = D_i[D_i > 0.1]
            sums.append((big.size, big.mean() if big.size else np.nan))
        a = np.array(sums)
        print(f"  T={T}: {a[:, 0].mean():.1f} (per seed {a[:, 0].astype(int).tolist()}), mean D_i "
              + (f"{np.nanmean(a[:, 1]):.2f}" if a[:, 0].any() else "-")
              + f"; data points: median D_t {np.median(np.concatenate(D_t)):.3g}, m/T {min(cfg['m'] / T, 1):.3g}")
    guide = np.geomspace(sizes[0], sizes[-1], 100)
    for ax, (label, _, _, on_data) in zip(axes, rows):
        ax.set_ylabel(label)
        if on_data:
            ax.plot(guide, np.minimum(cfg["m"] / guide, 1), "k--", lw=0.8, label="m / T")
            ax.legend(fontsize=7, loc="upper right")
    axes[0].set(xscale="log", title=f"{title}; " + describe(cfg, "n", "m", "sparsity", "steps")
                + f", {cfg['seeds']} seeds (all dots)")
    axes[-1].set_xlabel("data set size T")
    return fig


def grid_figure(pyplot, rows, xs, ys, xlabel, ylabel, title):
    """Rows of heatmap panels over a grid (columns xs, rows ys). ``rows`` is a list of lists of
    (matrix, panel title, kind); panels of one kind share one colour range across the figure; kind
    "acc" is drawn on 0-1, "logacc" (accuracies spanning decades) as log10 on its own range with the
    accuracy itself written in each cell, "ratio" with three digits."""
    ranges = {}
    for row in rows:
        for M, _, kind in row:
            lo, hi = ranges.get(kind, (np.inf, -np.inf))
            ranges[kind] = (min(lo, np.nanmin(M)), max(hi, np.nanmax(M)))
    ncol = max(len(row) for row in rows)
    fig, axes = pyplot.subplots(len(rows), ncol, figsize=(5.4 * ncol, 3.9 * len(rows)), squeeze=False)
    for r, row in enumerate(rows):
        for c, (M, t, kind) in enumerate(row):
            lo, hi = ranges[kind]
            if kind == "logacc":
                heat(fig, axes[r, c], np.log10(M), xs, ys, t + " (colour: log10)", "acc", xlabel, ylabel,
                     vmin=np.log10(lo), vmax=np.log10(hi), label=lambda v: f"{10 ** v:.2g}")
                continue
            heat(fig, axes[r, c], M, xs, ys, t, "acc" if kind.startswith("acc") else "loss", xlabel, ylabel,
                 vmin=lo if not kind.startswith("acc") else 0, vmax=hi if not kind.startswith("acc") else 1,
                 fmt="{:.3g}" if kind == "ratio" else "{:.2g}")  # a ratio near 1: three digits tell 1.005 from 1
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def embed_ratio(cfg, out, d):
    """An embed_* grid's test MSE over the all-zeros output's at bottleneck d: (m, n)."""
    ns, ms = cfg["features"], cfg["hidden"]
    L = np.array([[out[(n, d, m)]["test_loss"][0] for n in ns] for m in ms])
    Z = np.array([[experiments.embed_null_loss(cfg, n, d, m)[0] for n in ns] for m in ms])
    return L / Z


def print_big_fish(run):
    """Big fish's (M8) test MSE over the all-zeros output's, printed beside small fish and the re-projector."""
    cfg, out = run("embed_big_fish")
    for d in cfg["bottleneck"]:
        print(f"for comparison, big fish (M8), bottleneck d={d}: test MSE / all-zeros test MSE (rows m={cfg['hidden']}, "
              f"columns n={cfg['features']}):\n{np.round(embed_ratio(cfg, out, d), 3)}")


def embed_grid_figure(pyplot, cfg, out, what):
    """M8-M10: per bottleneck size d, the test MSE over the all-zeros output's (log10; the one scale the three
    targets share) and the one-hot accuracy, over features n x hidden m."""
    ns, ds, ms = cfg["features"], cfg["bottleneck"], cfg["hidden"]
    # big fish's argmax runs over the n features; the other two's over the d coordinates of E x or E' x
    chance = "1/n" if cfg["setting"] == "big_fish" else "1/d"
    rows = []
    for d in ds:
        L = np.array([[out[(n, d, m)]["test_loss"][0] for n in ns] for m in ms])
        Z = np.array([[experiments.embed_null_loss(cfg, n, d, m)[0] for n in ns] for m in ms])
        A = np.array([[out[(n, d, m)]["acc"][0] for n in ns] for m in ms])
        print(f"{what}, bottleneck d={d}: one-hot accuracy (rows m={ms}, columns n={ns}):\n{np.round(A, 3)}\n"
              f"test MSE:\n{np.array2string(L, precision=4)}\n"
              f"test MSE / all-zeros test MSE (1: no better than outputting 0):\n{np.round(L / Z, 3)}")
        rows.append([(np.log10(L / Z), f"bottleneck d={d}: log10(test MSE / all-zeros MSE)", "loss"),
                     (A, f"bottleneck d={d}: one-hot accuracy (chance {chance})", "acc")])
    return grid_figure(pyplot, rows, ns, ms, "feature size n", "hidden size m",
                       f"{what} ({experiments.EMBED_SETTINGS[cfg['setting']]}): "
                       + describe(cfg, "T", "sparsity", "steps") + f", seed {cfg['seed']} (one run per cell)")


def onehot_grid_figure(pyplot, cfg, out, what):
    """A2 / A9: train loss (log10) and argmax accuracy over one-hot data set size n x hidden size m."""
    ns, ms = cfg["sizes"], cfg["hidden"]
    L = np.array([[out[(n, m)]["loss"].mean() for n in ns] for m in ms])
    A = np.array([[out[(n, m)]["acc"].mean() for n in ns] for m in ms])
    L_log, floored = log_safe(L, floor=1e-12)
    print(f"{what}: mean accuracy (rows m={ms}, columns n={ns}):\n{np.round(A, 3)}\nmean train loss:\n"
          f"{np.array2string(L, precision=4)}")
    loss = cfg["loss"].upper()
    return grid_figure(pyplot, [[(np.log10(L_log), f"log10 train {loss}" + (" (zeros at 1e-12)" if floored else ""),
                                  "loss"), (A, "argmax accuracy (chance 1/n)", "acc")]],
                       ns, ms, "data set size n (one-hot vectors)", "hidden size m",
                       f"{what}: " + describe(cfg, "steps", "weight_decay") + f", {cfg['seeds']} seeds per cell (mean)")


def print_snapshot(cfg, res, step, what):
    """The numbers of a small cross-entropy MLP at a snapshot step: accuracy, the largest activation,
    W2's mean and minimum, the logits' range, the mean off-diagonal cosine similarity of the inputs'
    activations. Returns (params, logits (N, V), activations (N, m), cosine similarities (N, N))."""
    from minimem import mlp
    x, y = experiments.small_data(cfg)
    p = experiments.snapshot(res, step)
    out, c = mlp.forward(p, x[None])
    out, h = out[0], c["h"][0]
    cos = metrics.cosine_similarity(h)
    off = cos[~np.eye(len(cos), dtype=bool)]
    acc = np.mean(np.argmax(out, 1) == y)
    print(f"{what}, {step} epochs: accuracy {acc:.2f}, max activation {h.max():.2f}, W2 mean {p['W2'].mean():.3f} "
          f"(min {p['W2'].min():.2f}), logits {out.min():.1f} to {out.max():.1f}, mean off-diagonal cosine "
          f"similarity {np.nanmean(off):.3f}")
    return p, acc, cos, off


def epochs_figure(pyplot, cfg, res, what):
    """A6 / A7: the small cross-entropy MLP at each snapshot step: its dictionary (dictionary()) and
    the cosine similarities of its activations."""
    x, y = experiments.small_data(cfg)
    n = cfg["n_in"]
    snaps = cfg["snapshots"]
    fig, axes = pyplot.subplots(len(snaps), 8, figsize=(20, 3.1 * len(snaps)), squeeze=False,
                                gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4, 4]})
    for row, s in enumerate(snaps):
        p, acc, cos, off = print_snapshot(cfg, res, s, what)
        dictionary(fig, axes[row, :7], p, x, f"logits after {s} epochs")
        im = axes[row, 7].imshow(cos, cmap="viridis", vmin=-1, vmax=1)
        axes[row, 7].set(title=f"cos sim of activations\nmean off-diagonal {np.nanmean(off):.2f}", xticks=[], yticks=[])
        fig.colorbar(im, ax=axes[row, 7], fraction=0.046, pad=0.03)
        axes[row, 0].set_ylabel(f"{s} epochs, accuracy {acc:.2f}")
    fig.suptitle(f"cross-entropy MLP, n={n} one-hot inputs, m={cfg['m']} neurons, " + describe(cfg, "weight_decay", "lr")
                 + f" constant, full batch ({what})")
    fig.tight_layout()
    return fig
