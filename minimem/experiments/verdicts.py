"""The numbers behind the verdicts: null levels, peaks and returns, dead units, lost outputs, steps to
a threshold, where a test loss comes from (minimem.analysis on a trained run), AdamW's reach, and
the published accounts the bottleneck is compared with. One convention for every script and X5.
"""

from __future__ import annotations

import numpy as np

from .. import analysis, data, metrics, mlp, optim, relu_output
from ..named import say
from ..registry import MODELS
from ..train import best_of_seeds, evaluate
from .catalogue import small_data, snapshot
from .runner import (PARAM_NAMES, embed_data, embed_target, init_sweep, options_of, params_at, target_of, test_set,
                     test_sets, train_set, train_sets)

# The published accounts of the ReLU output model's double descent that B2, X5 compare with:
# Henighan et al. (2023), n=10,000, m=2, S=0.999: the middle regime from T of about 700, generalisation
# near T=5,000, a middle-regime test loss near 1.01; Jermyn's replication of that setup: the regime near
# T=100, generalisation near T=20,000, test loss up to 5,000, generalisation where T (1 - S) is about 10.
# The write-up: its n=1000, S=0.99 bottleneck double descends "exactly 10x earlier".
PUBLISHED = dict(henighan_regime=(700, 5000), henighan_loss=1.01, jermyn_regime=(100, 20000), jermyn_loss=5000.0,
                 jermyn_rule=10, earlier=10)


def null_loss(cfg, m=None):
    """The test loss of the model with every parameter zero, per seed (seeds,): the all-zeros output
    under MSE (mean |x|^2: 1 for normalised inputs), uniform logits under cross-entropy (log V times
    the target's mass: log V for hard labels). The level a test-loss peak rises from and returns to."""
    params = init_sweep(cfg, cfg["m"] if m is None else m, np.random.default_rng(0))
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    xt = test_sets(cfg)  # (seeds, n_test, n)
    return evaluate(MODELS[cfg["model"]], zero, xt, target_of(cfg)(xt), loss=cfg["loss"], **options_of(cfg))


def embed_null_loss(cfg, n, d, m):
    """The test MSE (1,) of an embed_* cell's MLP with every parameter zero: mean |target|^2 over the
    cell's test set (about 1 - S^n for big fish's normalised x, about d times that for E x and E' x),
    the scale on which big fish, small fish and the re-projector compare."""
    E, E_out, _, xt, rng = embed_data(cfg, n, d, m)
    p = mlp.init_params(d, m, rng, n_out=n if E_out is None else d, dtype=np.dtype(cfg["dtype"]).type)
    zero = {k: np.zeros_like(v) for k, v in p.items()}
    return evaluate(mlp, zero, data.embed(xt, E), embed_target(E_out)(xt))


def steps_to(curve, threshold):
    """First step whose train loss is <= threshold, per column of curve (steps, I); -1 if never."""
    below = curve <= threshold  # (steps, I)
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


def lookup_sizes(sizes, train_loss, test_loss, threshold):
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


def dead_units(params, x):
    """Hidden units of an MLP that are off (W1 x + b1 <= 0) for every training point: (I,) counts."""
    a = mlp.pre_activation(params, x)  # (I, T, m)
    return np.sum(np.all(a <= 0, axis=1), axis=-1)


def lost_outputs(params, x):
    """What the output ReLU of the ReLU output model loses on its training data x (I, T, n): the share
    of the active entries (x_tj > 0) whose pre-activation (W^T W x + b)_tj is <= 0, so the output is
    0 and no gradient reaches it through the ReLU, and the squared error those entries carry (sum
    over features, mean over samples); (I,), (I,)."""
    pre = relu_output.forward(params, x)[1]["pre"]  # (I, T, n)
    lost = (x > 0) & (pre <= 0)  # (I, T, n)
    return lost.sum(axis=(1, 2)) / np.maximum((x > 0).sum(axis=(1, 2)), 1), np.sum((x * lost) ** 2, axis=(1, 2)) / x.shape[1]


def adam_reach_of(cfg):
    """How far AdamW moves one coordinate at most in a run of this configuration (optim.adam_reach)."""
    lrs = optim.lr_schedule(cfg["steps"], cfg["lr"], cfg.get("schedule", "henighan"), warmup=cfg["warmup"])
    return optim.adam_reach(lrs, cfg["weight_decay"])


def peak_anatomy(cfg, res, T_index, seed):
    """Where one trained run's test loss comes from (minimem.analysis), for the run at size index
    ``T_index`` and ``seed`` of a sweep result: a dict of numbers. MSE: the test MSE split into off
    and on entries, the off-entry pre-activation energy on the training set and the part of it
    behind the output ReLU (hidden), the same energy on the test set. Cross-entropy: the test CE
    split into the largest logit's margin over the correct one and the rest, how many logits beat
    the correct one, and the spread (std over classes) of the logits on the training and test
    sets. Both: the largest |w| of any weight over AdamW's reach, and the share of the features
    that are active in at least one training point."""
    model, opts = MODELS[cfg["model"]], options_of(cfg)
    T = cfg["sizes"][T_index]
    p = params_at(res, T_index, seed)  # float32, as trained
    x = train_set(cfg, T, seed)[None]  # (1, T, n)
    xt = test_set(cfg, seed)[None]  # (1, n_test, n)
    weights = [v for k, v in p.items() if k.startswith("W")]
    out = {"largest_w_over_reach": max(float(np.abs(W).max()) for W in weights) / adam_reach_of(cfg),
           "features_seen": float((x[0] > 0).any(axis=0).mean())}
    if cfg["loss"] == "mse":
        o, pre = analysis.output_and_pre(model, p, xt, **opts)
        out["test_off"], out["test_on"] = (float(v[0]) for v in analysis.error_split(o, xt))
        out["test_energy"] = float(analysis.off_energy(pre, xt)[0][0])
        o, pre = analysis.output_and_pre(model, p, x, **opts)
        out["train_off"] = float(analysis.error_split(o, x)[0][0])
        out["train_energy"], out["train_hidden"] = (float(v[0]) for v in analysis.off_energy(pre, x))
    else:
        z, _ = analysis.output_and_pre(model, p, xt, **opts)
        margin, rest, beaten = analysis.logit_split(z, data.hard_labels(xt))
        out.update(test_margin=float(margin[0]), test_rest=float(rest[0]), test_beaten=float(beaten[0]),
                   test_spread=float(z.std(axis=-1).mean()))
        z, _ = analysis.output_and_pre(model, p, x, **opts)
        out["train_spread"] = float(z.std(axis=-1).mean())
    return out

# --- peaks and returns of a sweep over T; the printed numbers of the figures ------------------------


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


def best_of(train_loss, test_loss, k):
    """Selection (X4): the mean, over disjoint groups of k seeds, of the test loss of each group's
    seed with the lowest train loss (train.best_of_seeds); seeds beyond the last whole group are
    left out; nan when there is no whole group."""
    n = len(train_loss) // k * k
    if n == 0:
        return float("nan")
    return float(np.mean(np.asarray(test_loss)[best_of_seeds(np.asarray(train_loss)[:n], k)]))


def back_to(sizes, mean_loss, start, ref):
    """The first T from index ``start`` on where the mean test loss is within 5% of ``ref``, or None."""
    back = [int(T) for T, v in zip(sizes[start:], mean_loss[start:]) if v <= 1.05 * ref]
    return back[0] if back else None


def print_sweep(cfg, res, loss_label, ref=None, key=""):
    """The numbers behind a sweep figure, as named values (minimem.named; ``key`` prefixes the names
    when a script prints two sweeps): the test-loss peak (``peak_T``, ``peak_height``, each seed's
    ``seed_peaks``), where the mean test loss is back within 5% of the reference level ``ref``
    (all-zeros output, log V) after it (``back_T``, None if not in the sweep), the mean test and
    train loss per T, the squareness, lopsidedness and corners of the W columns, their largest |w|
    over AdamW's reach, and the test accuracy per T. Returns (peak T, peak height)."""
    p = f"{key}_" if key else ""
    sizes = np.array(cfg["sizes"])
    T_peak, height, per_seed = peak(sizes, res["test_loss"])
    print(f"{loss_label} sweep{' ' + key if key else ''} over T ({res['test_loss'].shape[1]} seeds):", flush=True)
    say(f"{p}sizes", sizes)
    say(f"{p}peak_T", T_peak)
    say(f"{p}peak_height", height)
    say(f"{p}seed_peaks", per_seed)
    mean = res["test_loss"].mean(1)
    if ref is not None:
        say(f"{p}null", ref)
        say("return_within_percent", 5)
        say(f"{p}back_T", back_to(sizes, mean, sizes.tolist().index(T_peak), ref) if T_peak != sizes[0] else None)
    say(f"{p}test_loss_mean", dict(zip(sizes.tolist(), mean)))
    say(f"{p}train_loss_mean", dict(zip(sizes.tolist(), res["train_loss"].mean(1))), sig=3)
    W = res.get("W1", res.get("W"))
    if W is not None and W.shape[-2] == 2:
        sq = metrics.squareness(W)  # (sizes, seeds): 1 a square, 0 a disc
        say(f"{p}squareness", dict(zip(sizes.tolist(), np.nanmean(sq, 1))), sig=2)
        say("squareness_cloud", metrics.squareness_reference(W.shape[-1], np.random.default_rng(0))[0], sig=2)
        # 0 for a square or a disc about the origin, near 1 for a wedge or a line (which also scores as square)
        say(f"{p}lopsidedness", dict(zip(sizes.tolist(), np.nanmean(metrics.lopsidedness(W), 1))), sig=2)
        corners = metrics.square_corners(W)  # (sizes, seeds) degrees, 45: sides along the axes
        square = np.nanmean(sq, 1) >= 1
        say(f"{p}corners", {int(T): (float(c.min()), float(c.max())) for T, c, ok in zip(sizes, corners, square) if ok},
            sig=3)  # where the mean squareness is >= 1: min and max over seeds
        reach = adam_reach_of(cfg)
        far = np.mean(np.abs(W).max(axis=-2) > 0.9 * reach, axis=-1)  # (sizes, seeds) columns at the box
        say(f"{p}reach", reach)
        say(f"{p}largest_w_over_reach", dict(zip(sizes.tolist(), np.abs(W).max(axis=(-2, -1)).mean(1) / reach)), sig=2)
        say("reach_fraction", 0.9)
        say(f"{p}share_beyond_reach", dict(zip(sizes.tolist(), far.mean(1))), sig=2)  # columns beyond 0.9 x reach
    if "test_acc" in res:
        say(f"{p}test_acc_mean", dict(zip(sizes.tolist(), res["test_acc"].mean(1))), sig=2)
        say("chance", 1 / cfg["n"])
    return T_peak, height


def print_hard_labels(cfg, res, sizes):
    """F1's run (hard labels, uniform init; ``cfg, res`` of "unembed_dd") at the data set sizes
    ``sizes``, printed beside a variant: the mean squareness of W1's columns and the share of them
    beyond 0.9 of AdamW's reach."""
    sl = list(cfg["sizes"])
    idx = [sl.index(T) for T in sizes if T in sl]
    W = res["W1"][idx]  # (sizes, seeds, m, n)
    far = np.mean(np.abs(W).max(axis=-2) > 0.9 * adam_reach_of(cfg), axis=-1).mean(-1)  # (sizes,)
    print("for comparison, hard labels (F1) at the same T: squareness "
          + str({sl[i]: round(float(v), 2) for i, v in zip(idx, np.nanmean(metrics.squareness(W), 1))})
          + "; share of columns beyond 0.9 x reach " + str({sl[i]: round(float(v), 2) for i, v in zip(idx, far)}))


def print_lost_outputs(cfg, res):
    """For the ReLU output model: per T, the share of active training entries its output ReLU has
    switched off (lost_outputs) and the train MSE they carry, mean over seeds."""
    line = {}
    for i, T in enumerate(cfg["sizes"]):
        x = train_sets(cfg, T).astype(np.float64)  # (seeds, T, n)
        p = {k: v[i].astype(np.float64) for k, v in res.items() if k in PARAM_NAMES}  # (seeds, ...)
        share, err = lost_outputs(p, x)
        line[T] = (round(float(share.mean()), 3), round(float(err.mean()), 3), round(float(res["train_loss"][i].mean()), 3))
    print("active training entries with the output ReLU off, per T (share, the train MSE they carry, the whole "
          "train MSE; mean over seeds): " + str(line))


def unused_columns(cfg, res, i, seed):
    """The columns of W1 (m, k) of the features that no training point of run (size index i, seed)
    uses: nothing ever moved them but weight decay, so they keep their initialisation's shape."""
    used = np.any(train_set(cfg, cfg["sizes"][i], seed) != 0, axis=0)  # (n,)
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


def embed_ratio(cfg, out, d):
    """An embed_* grid's test MSE over the all-zeros output's at bottleneck d: (m, n)."""
    ns, ms = cfg["features"], cfg["hidden"]
    L = np.array([[out[(n, d, m)]["test_loss"][0] for n in ns] for m in ms])
    Z = np.array([[embed_null_loss(cfg, n, d, m)[0] for n in ns] for m in ms])
    return L / Z


def print_big_fish(cfg, out):
    """Big fish's (M8; ``cfg, out`` of "embed_big_fish") test MSE over the all-zeros output's, printed
    beside small fish and the re-projector."""
    for d in cfg["bottleneck"]:
        print(f"for comparison, big fish (M8), bottleneck d={d}: test MSE / all-zeros test MSE (rows m={cfg['hidden']}, "
              f"columns n={cfg['features']}):\n{np.round(embed_ratio(cfg, out, d), 3)}")


def print_embed_grid(cfg, out, what):
    """M8-M10: per bottleneck size d, the one-hot accuracy, the test MSE and the test MSE over the
    all-zeros output's, printed; returns {d: (ratio (m, n), accuracy (m, n))}."""
    ns, ds, ms = cfg["features"], cfg["bottleneck"], cfg["hidden"]
    grids = {}
    for d in ds:
        L = np.array([[out[(n, d, m)]["test_loss"][0] for n in ns] for m in ms])
        Z = np.array([[embed_null_loss(cfg, n, d, m)[0] for n in ns] for m in ms])
        A = np.array([[out[(n, d, m)]["acc"][0] for n in ns] for m in ms])
        print(f"{what}, bottleneck d={d}: one-hot accuracy (rows m={ms}, columns n={ns}):\n{np.round(A, 3)}\n"
              f"test MSE:\n{np.array2string(L, precision=4)}\n"
              f"test MSE / all-zeros test MSE (1: no better than outputting 0):\n{np.round(L / Z, 3)}")
        grids[d] = (L / Z, A)
    return grids


def snapshot_numbers(cfg, res, step, what):
    """The numbers of a small cross-entropy MLP at a snapshot step, printed: accuracy, the largest
    activation, W2's mean and minimum, the logits' range, the mean off-diagonal cosine similarity
    of the inputs' activations. Returns (params, (a, h, logits) each (N, .), accuracy, cosine
    similarities (N, N), their off-diagonal entries)."""
    x, y = small_data(cfg)
    p = snapshot(res, step)
    out, c = mlp.forward(p, x[None])
    out, h = out[0], c["h"][0]
    cos = metrics.cosine_similarity(h)
    off = cos[~np.eye(len(cos), dtype=bool)]
    acc = np.mean(np.argmax(out, 1) == y)
    print(f"{what}, {step} epochs: accuracy {acc:.2f}, max activation {h.max():.2f}, W2 mean {p['W2'].mean():.3f} "
          f"(min {p['W2'].min():.2f}), logits {out.min():.1f} to {out.max():.1f}, mean off-diagonal cosine "
          f"similarity {np.nanmean(off):.3f}")
    return p, (c["a"][0], h, out), acc, cos, off


def dimensionalities(cfg, vectors, with_max=True):
    """B4 / M4: for every T and seed, the fractional dimensionality of the data points (rows of H),
    optionally their maximal data dimensionality D*, and that of the features (columns of W);
    ``vectors(i, s)`` returns (H (T, m), W (m, n)) for size index i and seed s. Prints, per T, the
    features with D_i > 0.1 and the data points' median D_t against m/T; returns {(i, s): [D per row]}."""
    fns = [metrics.fractional_dimensionality] + ([metrics.max_data_dimensionality] if with_max else [])
    print("per T: features with D_i > 0.1 (mean over seeds, and per seed) and their mean D_i; the data points' "
          "median D_t (all seeds) against m/T:")
    out = {}
    for i, T in enumerate(cfg["sizes"]):
        sums, D_t = [], []
        for s in range(cfg["seeds"]):
            H, W = vectors(i, s)
            D_i = metrics.feature_dimensionality(W)
            out[(i, s)] = [fn(H) for fn in fns] + [D_i]
            D_t.append(out[(i, s)][0])
            big = D_i[D_i > 0.1]
            sums.append((big.size, big.mean() if big.size else np.nan))
        a = np.array(sums)
        print(f"  T={T}: {a[:, 0].mean():.1f} (per seed {a[:, 0].astype(int).tolist()}), mean D_i "
              + (f"{np.nanmean(a[:, 1]):.2f}" if a[:, 0].any() else "-")
              + f"; data points: median D_t {np.median(np.concatenate(D_t)):.3g}, m/T {min(cfg['m'] / T, 1):.3g}")
    return out
