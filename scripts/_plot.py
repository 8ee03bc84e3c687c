"""Matplotlib for the figure scripts: the style, set once, and the panels and figures that recur
(loss over data set size with its seed spread, heatmaps with colourbars, scatter clouds at a shared
equal-aspect scale, whole figures of a family: sweeps, grids, dimensionalities, dictionaries). It
draws what it is given: the runs come from minimem.experiments (through minimem.cli.FigureScript),
the numbers the figures are judged by from minimem.experiments.verdicts."""

from __future__ import annotations

import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's minimem, also without pip install

from minimem import experiments  # noqa: E402

SEED_NOTE = "band: min-max over seeds, thin lines: each seed"


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


def dictionary(fig, axes, params, acts, title_out):
    """Heatmaps of W1, b1, pre-activations, activations, W2, b2 and outputs of a small MLP on a
    one-sample-per-row data set, each with its colourbar (a symmetric range per panel). params with
    an instance axis of 1; acts = (a, h, out), each (N, .), from minimem.mlp.forward."""
    a, h, out = acts
    W1, b1, W2, b2 = (params[k][0] for k in ("W1", "b1", "W2", "b2"))
    panels = [(W1, "W1 (m x n)"), (b1[:, None], "b1"), (a.T, "W1 x + b1 (m x inputs)"),
              (h.T, "activations ReLU(.)"), (W2, "W2 (k x m)"), (b2[:, None], "b2"), (out.T, title_out)]
    for ax, (M, t) in zip(axes, panels):
        lim = np.abs(M).max() or 1
        im = ax.imshow(M, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
        ax.set(title=t, xticks=[], yticks=[])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03).ax.tick_params(labelsize=6)


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


def dimensionality_figure(pyplot, cfg, dims, title, with_max=True, axes=None):
    """B4 / M4: for every T and seed, the fractional dimensionality of the data points, optionally
    their maximal data dimensionality D*, and that of the features, one dot each (jittered in T),
    with the m/T guide; ``dims`` from minimem.experiments.verdicts.dimensionalities. ``axes``: a
    column of axes to draw into (one per row) instead of a new figure."""
    sizes = np.array(cfg["sizes"])
    jitter = np.random.default_rng(0)  # horizontal jitter of the dots only
    rows = [("data points: D_t", "tab:red", True)]
    if with_max:
        rows.append(("data points: D*_t (max. data dim.)", "tab:purple", True))
    rows.append(("features: D_i", "tab:blue", False))
    if axes is None:
        fig, axes = pyplot.subplots(len(rows), 1, figsize=(6.5, 2.7 * len(rows)), sharex=True)
    else:
        fig = axes[0].figure
    for i, T in enumerate(sizes):
        for s in range(cfg["seeds"]):
            for ax, (_, c, _), D in zip(axes, rows, dims[(i, s)]):
                ax.scatter(T * np.exp(jitter.uniform(-0.08, 0.08, len(D))), D, s=1, c=c, alpha=0.3)
    guide = np.geomspace(sizes[0], sizes[-1], 100)
    for ax, (label, _, on_data) in zip(axes, rows):
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
    accuracy itself written in each cell, "ratio" with three digits, "z" (standard errors above chance)
    with its colour saturating at 10 (3 is the bar, the values are written in the cells)."""
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
            if kind == "z":
                heat(fig, axes[r, c], M, xs, ys, t + " (colour: to 10)", "acc", xlabel, ylabel, vmin=-3, vmax=10,
                     fmt="{:.2g}")
                continue
            heat(fig, axes[r, c], M, xs, ys, t, "acc" if kind.startswith("acc") else "loss", xlabel, ylabel,
                 vmin=lo if not kind.startswith("acc") else 0, vmax=hi if not kind.startswith("acc") else 1,
                 fmt="{:.3g}" if kind == "ratio" else "{:.2g}")  # a ratio near 1: three digits tell 1.005 from 1
        for c in range(len(row), ncol):
            axes[r, c].axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def embed_grid_figure(pyplot, cfg, grids, what):
    """M8-M10: per bottleneck size d, the test MSE over the all-zeros output's (log10; the one scale
    the three targets share) and the one-hot accuracy, over features n x hidden m; ``grids`` from
    minimem.experiments.verdicts.print_embed_grid."""
    ns, ms = cfg["features"], cfg["hidden"]
    # big fish's argmax runs over the n features; the other two's over the d coordinates of E x or E' x
    chance = "1/n" if cfg["setting"] == "big_fish" else "1/d"
    rows = [[(np.log10(ratio), f"bottleneck d={d}: log10(test MSE / all-zeros MSE)", "loss"),
             (A, f"bottleneck d={d}: one-hot accuracy (chance {chance})", "acc")] for d, (ratio, A) in grids.items()]
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


def epochs_figure(pyplot, cfg, res, what):
    """A6 / A7: the small cross-entropy MLP at each snapshot step: its dictionary (dictionary()) and
    the cosine similarities of its activations."""
    n = cfg["n_in"]
    snaps = cfg["snapshots"]
    fig, axes = pyplot.subplots(len(snaps), 8, figsize=(20, 3.1 * len(snaps)), squeeze=False,
                                gridspec_kw={"width_ratios": [4, 0.6, 4, 4, 2.2, 0.6, 4, 4]})
    for row, s in enumerate(snaps):
        p, acts, acc, cos, off = experiments.snapshot_numbers(cfg, res, s, what)
        dictionary(fig, axes[row, :7], p, acts, f"logits after {s} epochs")
        im = axes[row, 7].imshow(cos, cmap="viridis", vmin=-1, vmax=1)
        axes[row, 7].set(title=f"cos sim of activations\nmean off-diagonal {np.nanmean(off):.2f}", xticks=[], yticks=[])
        fig.colorbar(im, ax=axes[row, 7], fraction=0.046, pad=0.03)
        axes[row, 0].set_ylabel(f"{s} epochs, accuracy {acc:.2f}")
    fig.suptitle(f"cross-entropy MLP, n={n} one-hot inputs, m={cfg['m']} neurons, " + describe(cfg, "weight_decay", "lr")
                 + f" constant, full batch ({what})")
    fig.tight_layout()
    return fig
