"""The experiments beyond the write-up (X1-X8): a reader's question, and the runs that settle the
write-up's claims side by side.
"""

from __future__ import annotations

import numpy as np

from .. import data, metrics, mlp, relu_output
from ..train import TrainingDiverged, evaluate, train
from .catalogue import FULL_SIZES, QUICK_SIZES, sparse_grid_compute, sweep_compute, sweep_train
from .runner import (EXPERIMENTS, Experiment, by_cell, config, grid_units, lookup_cost, optimiser_of, run, stack,
                     sweep_cost, sweep_units, target_of, test_set, test_sets, train_set, train_sets)
from .verdicts import dead_units, lookup_sizes, null_loss, steps_to

# --- X1: lookup-table initialisation ------------------------------------------------------------


LOOKUP_INITS = ("uniform", "gaussian", "points", "points_unscaled", "kmeans")


LOOKUP_SETTINGS = ("ae", "ce")  # the auto-encoder and the classifier; their settings are in the table below


def _initial_params(name, cfg, x, target, rng):
    """Parameters (seeds, ...) for initialisation ``name`` on training data x (seeds, T, n)."""
    dtype = np.dtype(cfg["dtype"]).type
    S, T, n = x.shape
    if name in ("uniform", "gaussian"):
        return mlp.init_params(n, cfg["m"], rng, n_instances=S, init=name, dtype=dtype)
    values = x if cfg["loss"] == "mse" else data.one_hot(n)[target]  # (S, T, k)
    return mlp.init_lookup(x, values, cfg["m"], rng, method="kmeans" if name == "kmeans" else "points",
                           scaled=name != "points_unscaled", kmeans_iters=cfg["kmeans_iters"], dtype=dtype)


def lookup_compute(cfg, unit):
    T, wd, S = unit["T"], unit["weight_decay"], cfg["seeds"]
    x = train_sets(cfg, T)  # (S, T, n)
    make_target = target_of(cfg)
    target = make_target(x)
    rng = np.random.default_rng([7, T])
    inits = [_initial_params(name, cfg, x, target, rng) for name in cfg["inits"]]
    params = {k: np.concatenate([p[k] for p in inits]) for k in inits[0]}  # instance = init * S + seed
    rep = lambda a: np.concatenate([a] * len(inits))  # noqa: E731
    X, Y = rep(x), rep(target)  # (I, T, n), the training set once per instance
    res = train(mlp, params, X, Y, steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg, weight_decay=wd),
                loss=cfg["loss"], desc=f"X1 {cfg['setting']} T={T} wd={wd}")
    xt = test_sets(cfg)
    shape = (len(inits), S)
    # a training point is silent when its hidden vector ReLU(W1 x + b1) is all zero: it sends no gradient
    # into W1 or b1 (ReLU'(0) = 0), so a lookup start (b1 = 0, x >= 0) silences every point that shares
    # no feature with the stored ones
    silent = lambda p: (mlp.pre_activation(p, X) <= 0).all(axis=-1)  # noqa: E731  (I, T)
    wrong = mlp.forward(res.params, X)[0].argmax(-1) != rep(data.hard_labels(x))  # (I, T) misclassified
    silent_end = silent(res.params)
    test_acc = metrics.argmax_accuracy(mlp.forward(res.params, rep(xt))[0], rep(data.hard_labels(xt)))
    return {"train_loss": res.final_loss.reshape(shape),
            "test_loss": evaluate(mlp, res.params, rep(xt), rep(make_target(xt)), loss=cfg["loss"]).reshape(shape),
            "initial_loss": evaluate(mlp, params, X, Y, loss=cfg["loss"]).reshape(shape),
            "train_acc": (~wrong).mean(-1).reshape(shape), "test_acc": test_acc.reshape(shape),
            "steps_to_threshold": steps_to(res.losses, cfg["threshold"]).reshape(shape),
            "silent_start": silent(params).mean(-1).reshape(shape), "silent_end": silent_end.mean(-1).reshape(shape),
            "wrong_train": wrong.sum(-1).reshape(shape), "wrong_silent": (wrong & silent_end).sum(-1).reshape(shape),
            "curve": res.losses[:: max(1, cfg["steps"] // 400)].T.reshape(shape + (-1,))}


def lookup(setting, mode="full", **kw):
    """X1 for one setting: the peak sweep, the sizes chosen from it, and the comparison of
    initialisations there. Returns (peak cfg, peak result, chosen sizes, what, cfg, result)."""
    pcfg, peak = run(f"lookup_peak_{setting}", mode, **kw)
    picks, what = lookup_sizes(pcfg["sizes"], peak["train_loss"], peak["test_loss"],
                               config(f"lookup_init_{setting}", mode)["threshold"])
    chosen = [int(pcfg["sizes"][i]) for i in picks]
    cfg, res = run(f"lookup_init_{setting}", mode, sizes=chosen, **kw)
    return pcfg, peak, chosen, what, cfg, res


# --- X2: where the squares come from --------------------------------------------------------------


SQUARE_SETTINGS = {"ce": dict(model="unembed", loss="ce", labels="hard"),  # F1's model and loss
                   "mse_unembed": dict(model="unembed", loss="mse", labels="none"),  # F1's model, MSE on x
                   "mse": dict(model="relu_output", tied=False, loss="mse")}  # F4's model and loss


def square_cost(c):
    """A unit trains one sweep's model, loss and labels of SQUARE_SETTINGS."""
    return sweep_cost(dict(c, **SQUARE_SETTINGS[c["setting"]]))


def square_compute(cfg, unit):
    run_cfg = dict(cfg, **SQUARE_SETTINGS[unit["setting"]], normalize=unit["normalize"], init=unit["init"])
    return sweep_compute(run_cfg, {"T": cfg["T"]})


# --- X3: the MLP at its interpolation threshold -----------------------------------------------------


SMALL_T = [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 16, 17, 20, 25, 30, 40]  # T = m + 1 for every m: 3, 5, 9, 17


def mlp_small_compute(cfg, unit):
    run_cfg = dict(cfg, m=unit["m"], sizes=None)
    out = sweep_compute(run_cfg, {"T": unit["T"]})
    x = train_sets(run_cfg, unit["T"])
    params = {k: out[k] for k in ("W1", "b1", "W2", "b2")}
    keep = {k: out[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    return dict(keep, dead_units=dead_units(params, x), bound=metrics.affine_rank_bound(x, unit["m"]))


MLP_VARIANTS = {"no decay on biases": dict(no_decay=["b1", "b2"]), "lr 3e-3": dict(lr=3e-3),
                "lr 1e-2": dict(lr=1e-2), "Gaussian init": dict(init="gaussian"),
                "unnormalised inputs": dict(normalize=False)}


def mlp_variant_compute(cfg, unit):
    run_cfg = dict(cfg, **MLP_VARIANTS[unit["variant"]])
    return mlp_small_compute(run_cfg, {"T": unit["T"], "m": cfg["m"]})


def mlp_variant_size_units(cfg):
    """The grid variant x m x T; full: 4 seeds at m=2 (as M2), 2 at m=8 (four times the work per seed)."""
    units = grid_units(("variants", "variant"), ("hidden", "m"), ("sizes", "T"))(cfg)
    if cfg.get("smoke") or cfg["steps"] < 50_000:
        return units
    return [dict(u, seeds=4 if u["m"] == 2 else 2) for u in units]


def mlp_variant_size_compute(cfg, unit):
    run_cfg = dict(cfg, **MLP_VARIANTS.get(unit["variant"], {}), m=unit["m"], seeds=unit.get("seeds", cfg["seeds"]),
                   sizes=None)
    out = sweep_compute(run_cfg, {"T": unit["T"]})
    x = train_sets(run_cfg, unit["T"])
    params = {k: out[k] for k in ("W1", "b1", "W2", "b2")}
    keep = {k: out[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    largest = np.maximum(np.abs(out["W1"]).max(axis=(1, 2)), np.abs(out["W2"]).max(axis=(1, 2)))  # (seeds,)
    return dict(keep, dead_units=dead_units(params, x), bound=metrics.affine_rank_bound(x, unit["m"]),
                largest_w=largest)


def variant_curves(cfg, units, results):
    """mlp_variants_sizes as curves: {(variant, m): dict(sizes, test (sizes, seeds), train, null (seeds,),
    largest_w)} for every (variant, m) whose sizes have all landed; null is the test MSE of the
    all-zeros output for that variant's data (1 for normalised inputs)."""
    by = {(u["variant"], u["m"], u["T"]): r for u, r in zip(units, results) if r is not None}
    out = {}
    for v in cfg["variants"]:
        for m in cfg["hidden"]:
            rows = [by.get((v, m, T)) for T in cfg["sizes"]]
            if any(r is None for r in rows):
                continue
            seeds = len(rows[0]["test_loss"])
            run_cfg = dict(cfg, **MLP_VARIANTS.get(v, {}), m=m, seeds=seeds)
            out[(v, m)] = dict(sizes=np.array(cfg["sizes"]), test=np.stack([r["test_loss"] for r in rows]),
                               train=np.stack([r["train_loss"] for r in rows]), null=null_loss(run_cfg),
                               largest_w=np.stack([r["largest_w"] for r in rows]))
    return out


# --- X4: what sets the height of B2's peak --------------------------------------------------------


N_TEST_SUBSETS = (1_000, 10_000, 100_000)


def peak_height_run(cfg, weight_decay, steps):
    """The run configuration of one peak_height cell: B2's, with this weight decay and length, warm-up 5%."""
    return dict(cfg, weight_decay=weight_decay, steps=steps, warmup=max(1, steps // 20))


def peak_height_compute(cfg, unit):
    run_cfg = peak_height_run(cfg, unit["weight_decay"], unit["steps"])
    _, res, _ = sweep_train(run_cfg, cfg["T"])
    subsets = [k for k in N_TEST_SUBSETS if k <= cfg["n_test"]] + [cfg["n_test"]]
    test = np.zeros((len(subsets), cfg["seeds"]))
    for s in range(cfg["seeds"]):  # one seed's test set at a time: all 16 at 100,000 samples would be 6.4 GB
        xt = test_set(run_cfg, s)[None]  # (1, n_test, n)
        p = {k: v[s:s + 1] for k, v in res.params.items()}
        for j, k in enumerate(subsets):
            test[j, s] = evaluate(relu_output, p, xt[:, :k], xt[:, :k])[0]
    out = {"train_loss": res.final_loss, "test_loss": test[-1]}
    out.update({f"test_loss_{k}": test[j] for j, k in enumerate(subsets[:-1])})
    return out


# the schedule, and the learning rate against the number of steps, at B2's peak: each arm's settings
# (besides B2's weight decay 1e-2 and the Henighan schedule with a 5% warm-up) are part of its cache key
PEAK_ARMS = {
    "Henighan, lr 1e-3, 50k steps": dict(lr=1e-3, steps=50_000),  # B2's own, again (X4's cell)
    "constant lr 1e-3": dict(schedule="constant", lr=1e-3, steps=50_000),
    "constant lr 5e-4": dict(schedule="constant", lr=5e-4, steps=50_000),  # B2's reach with a constant lr
    "no warm-up": dict(warmup=0, lr=1e-3, steps=50_000),  # the cosine from the first step
    "lr 3e-4": dict(lr=3e-4, steps=50_000),  # the reach at fixed steps
    "lr 3e-3": dict(lr=3e-3, steps=50_000),
    "lr 5e-3, 10k steps": dict(lr=5e-3, steps=10_000),  # B2's reach in a fifth of the steps
    "lr 2.5e-4, 200k steps": dict(lr=2.5e-4, steps=200_000),  # ... and in four times the steps
}


def peak_arm_units(cfg):
    """One unit per arm, its settings in the unit (so in the cache key), steps scaled in quick mode."""
    out = []
    for name in cfg["arms"]:
        arm = dict(PEAK_ARMS[name])
        arm["steps"] = cfg["steps"] if cfg.get("smoke") else max(10, int(arm["steps"] * cfg["steps_scale"]))
        arm.setdefault("warmup", arm["steps"] // 20)
        out.append(dict(arm, arms=None, arm=name))
    return out


def peak_arm_compute(cfg, unit):
    run_cfg = dict(cfg, **unit)
    _, res, _ = sweep_train(run_cfg, cfg["T"])
    test = np.zeros(cfg["seeds"])
    for s in range(cfg["seeds"]):  # one seed's test set at a time (100,000 samples each)
        xt = test_set(run_cfg, s)[None]  # (1, n_test, n)
        test[s] = evaluate(relu_output, {k: v[s:s + 1] for k, v in res.params.items()}, xt, xt)[0]
    largest = np.abs(res.params["W"]).max(axis=(1, 2))  # (seeds,)
    return {"train_loss": res.final_loss, "test_loss": test, "largest_w": largest}


# --- X5: the peaks side by side, and where they come from -----------------------------------------


# --- X6: the bottleneck at Henighan et al.'s original size -----------------------------------------


ORIGINAL_SIZES = [100, 300, 700, 1000, 1500, 2000, 3000, 4000, 5000, 7000, 10000, 14000, 20000]


def original_compute(cfg, unit):
    """One (T, seed) of X6: its own training set and initialisation, trained, scored on fresh data."""
    T, s = unit["T"], unit["seed"]
    dtype = np.dtype(cfg["dtype"]).type
    params = relu_output.init_params(cfg["n"], cfg["m"], np.random.default_rng([s, T]), tied=True,
                                     init=cfg["init"], dtype=dtype)
    x = train_set(cfg, T, s)[None]  # (1, T, n)
    res = train(relu_output, params, x, x, steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                desc=f"X6 T={T} seed {s}")
    xt = test_set(cfg, s)[None]  # (1, n_test, n)
    return dict(res.params, train_loss=res.final_loss, test_loss=evaluate(relu_output, res.params, xt, xt),
                curve=res.losses[:: max(1, cfg["steps"] // 500)].T)


def by_size_and_seed(cfg, units, results):
    """Arrays stacked as a sweep's: (sizes, seeds, ...)."""
    sizes, seeds = cfg["sizes"], cfg["seed_list"]
    by = {(u["T"], u["seed"]): r for u, r in zip(units, results)}
    return {k: np.stack([np.concatenate([by[(T, s)][k] for s in seeds]) for T in sizes]) for k in results[0]}


# --- X8: which optimiser makes the squares and the peak --------------------------------------------


OPTIMISERS = {  # name: train() arguments; every one with the Henighan schedule of its peak lr
    "SGD lr 0.1": dict(optimizer="sgd", lr=0.1, momentum=0.9, decoupled=True),
    "SGD lr 1": dict(optimizer="sgd", lr=1.0, momentum=0.9, decoupled=True),
    "SGD lr 10": dict(optimizer="sgd", lr=10.0, momentum=0.9, decoupled=True),
    "Adam (no weight decay)": dict(optimizer="adamw", lr=1e-3, weight_decay=0.0),
    "AdamW": dict(optimizer="adamw", lr=1e-3),
}
OPTIMISER_SETTINGS = {"unembed": dict(model="unembed", loss="ce", labels="hard", normalize=False, init="uniform", T=500),
                      "bottleneck": dict(model="relu_output", tied=True, loss="mse", normalize=True,
                                         init="xavier_normal", T=400)}


def optimiser_cost(c):
    """A unit trains one of OPTIMISER_SETTINGS' models at its T."""
    return sweep_cost(dict(c, **OPTIMISER_SETTINGS[c["setting"]]))


def optimiser_compute(cfg, unit):
    run_cfg = dict(cfg, **OPTIMISER_SETTINGS[unit["setting"]])
    opt = OPTIMISERS[unit["optimiser"]]
    run_cfg.update(lr=opt["lr"], weight_decay=opt.get("weight_decay", cfg["weight_decay"]),
                   optimizer=opt["optimizer"], momentum=opt.get("momentum", 0.0), decoupled=opt.get("decoupled", False))
    try:
        return sweep_compute(run_cfg, {"T": run_cfg["T"]})
    except TrainingDiverged as e:  # a learning rate too large for SGD: recorded, and left out of the best
        return {"diverged_at": np.array(e.step)}


# --- X7: where the peak sits as the sparsity changes -----------------------------------------------

# (sparsity S, hidden size m, the largest T (1 - S) of the arm's sizes): m=5 memorises more and its
# test loss is still 11x the all-zeros level at T (1 - S) = 20, so its sizes run on to 70
POSITION_ARMS = [(0.9, 2, 20), (0.97, 2, 20), (0.99, 2, 20), (0.997, 2, 20), (0.999, 2, 20), (0.99, 5, 70)]
POSITION_GRID = [0.05, 0.2, 0.7, 1.5, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70]  # T (1 - S): T scales with 1/(1-S)


def position_sizes(sparsity, grid=POSITION_GRID, largest=20_000):
    """The data set sizes of one sparsity: T = u / (1 - S) for u in the grid, at least 2, at most ``largest``."""
    sizes = sorted({int(round(u / (1 - sparsity))) for u in grid})
    return [T for T in sizes if 2 <= T <= largest]


def position_units(cfg):
    return [{"arms": None, "grid": None, "sparsity": S, "m": m, "T": T}
            for S, m, top in cfg["arms"] for T in position_sizes(S, [u for u in cfg["grid"] if u <= top])]


def position_compute(cfg, unit):
    run_cfg = dict(cfg, sparsity=unit["sparsity"], m=unit["m"])
    return sweep_compute(run_cfg, {"T": unit["T"]})


def by_arm(cfg, units, results):
    """{(S, m): {"sizes": [...], arrays stacked over the sizes (sizes, seeds, ...)}}."""
    out = {}
    for u, r in zip(units, results):
        arm = out.setdefault((u["sparsity"], u["m"]), {"sizes": [], "results": []})
        arm["sizes"].append(u["T"])
        arm["results"].append(r)
    return {arm: dict({k: np.stack([r[k] for r in v["results"]]) for k in v["results"][0]}, sizes=np.array(v["sizes"]))
            for arm, v in out.items()}


# --- the catalogue beyond the write-up: one literal entry per experiment (runner.Experiment) -----------

EXPERIMENTS.update({
    # X1, part 1: where each setting's double-descent peak is (uniform init); ae: normalised inputs, target x, MSE
    "lookup_peak_ae": Experiment(
        full=dict(model="mlp", setting="ae", labels="none", n=1000, m=20,
                  sizes=[10, 20, 50, 100, 200, 500, 1000, 2000, 5000], sparsity=0.99, normalize=True, loss="mse",
                  init="uniform", steps=4000, warmup=200, lr=1e-3, weight_decay=1e-2, seeds=2, n_test=2000,
                  dtype="float32"),
        quick=dict(sizes=[10, 100, 300], steps=1000, warmup=50),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # X1, part 2: every initialisation x seed at the sizes chosen from part 1 (``sizes``, set by
    # experiments.lookup) and two weight decays (quick: one), as instances of one call per (T, weight decay)
    "lookup_init_ae": Experiment(
        full=dict(model="mlp", setting="ae", labels="none", n=1000, m=20, sizes=[], sparsity=0.99, normalize=True,
                  loss="mse", init="uniform", steps=4000, warmup=200, lr=1e-3, weight_decay=None, seeds=3, n_test=2000,
                  dtype="float32", weight_decays=[1e-2, 1.0],
                  inits=list(LOOKUP_INITS), kmeans_iters=5, threshold=0.1,
                  records_silent_points=True),
        quick=dict(steps=1000, warmup=50, seeds=2, weight_decays=[1e-2]),
        units=grid_units(("sizes", "T"), ("weight_decays", "weight_decay")),
        compute=lookup_compute, collect=by_cell("T", "weight_decay"), cost=lookup_cost, same=("T", "weight_decay")),
    # ce: unnormalised inputs, the class argmax(x), cross-entropy
    "lookup_peak_ce": Experiment(
        full=dict(model="mlp", setting="ce", labels="hard", n=1000, m=20,
                  sizes=[10, 20, 50, 100, 200, 500, 1000, 2000, 5000], sparsity=0.99, normalize=False, loss="ce",
                  init="uniform", steps=4000, warmup=200, lr=1e-3, weight_decay=1e-2, seeds=2, n_test=2000,
                  dtype="float32"),
        quick=dict(sizes=[10, 100, 300], steps=1000, warmup=50),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    "lookup_init_ce": Experiment(
        full=dict(model="mlp", setting="ce", labels="hard", n=1000, m=20, sizes=[], sparsity=0.99, normalize=False,
                  loss="ce", init="uniform", steps=4000, warmup=200, lr=1e-3, weight_decay=None, seeds=3, n_test=2000,
                  dtype="float32", weight_decays=[1e-2, 1.0],
                  inits=list(LOOKUP_INITS), kmeans_iters=5, threshold=0.1,
                  records_silent_points=True),
        quick=dict(steps=1000, warmup=50, seeds=2, weight_decays=[1e-2]),
        units=grid_units(("sizes", "T"), ("weight_decays", "weight_decay")),
        compute=lookup_compute, collect=by_cell("T", "weight_decay"), cost=lookup_cost, same=("T", "weight_decay")),
    # X2: where F1's squares come from: the loss (F1's unembedding with cross-entropy, the same with MSE on x,
    # F4's untied ReLU output model with MSE) x inputs (normalised or not) x init, crossed, at F1's peak T=500
    "square_control": Experiment(
        full=dict(tied=False, labels="hard", n=1000, m=2, T=500, sizes=None, sparsity=0.99, steps=50_000, warmup=2500,
                  lr=1e-3, weight_decay=1e-2, seeds=4, n_test=10_000, dtype="float32",
                  settings=list(SQUARE_SETTINGS), normalizes=[False, True], inits=["uniform", "xavier_normal"]),
        quick=dict(steps=5000, warmup=250, seeds=2, n_test=2000),
        units=grid_units(("settings", "setting"), ("normalizes", "normalize"), ("inits", "init")),
        compute=square_compute, collect=by_cell("setting", "normalize", "init"), cost=square_cost,
        same=("setting", "normalize", "init")),
    # X3: M2's MLP at small T, around the interpolation threshold T = m + 1; only losses, accuracies, dead
    # hidden units and the rank-m affine bound are kept
    "mlp_small_T": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2,
                  sizes=SMALL_T, hidden=[2, 4, 8, 16], sparsity=0.99,
                  normalize=True, loss="mse", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2,
                  seeds=8, n_test=10_000, dtype="float32"),
        quick=dict(sizes=[1, 3, 10, 30], hidden=[2, 8], steps=5000, warmup=250, seeds=2, n_test=2000),
        units=grid_units(("sizes", "T"), ("hidden", "m")),
        compute=mlp_small_compute, collect=by_cell("T", "m"), cost=sweep_cost, same=("T", "m")),
    # X3: ... at m=2 under the settings that could matter (MLP_VARIANTS)
    "mlp_variants": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2,
                  sizes=SMALL_T, hidden=None, sparsity=0.99,
                  normalize=True, loss="mse", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2,
                  seeds=4, n_test=10_000, dtype="float32",
                  variants=list(MLP_VARIANTS)),
        quick=dict(sizes=[1, 3, 10, 30], steps=5000, warmup=250, seeds=2, n_test=2000),
        units=grid_units(("variants", "variant"), ("sizes", "T")),
        compute=mlp_variant_compute, collect=by_cell("variant", "T"), cost=sweep_cost, same=("variant", "T")),
    # X3: M2's robustness where A4 and B2 peak: M2's sizes at m=2 and 8 (full: 4 seeds at m=2, 2 at m=8, in the
    # units), M2's setting and each variant; quick: m=2 at every other quick size
    "mlp_variants_sizes": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2, sizes=FULL_SIZES, hidden=[2, 8], sparsity=0.99,
                  normalize=True, loss="mse", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2,
                  seeds=2, n_test=10_000, dtype="float32",
                  variants=["M2's setting"] + list(MLP_VARIANTS)),
        quick=dict(sizes=QUICK_SIZES[::2], hidden=[2], steps=5000, warmup=250, n_test=2000),
        units=mlp_variant_size_units, compute=mlp_variant_size_compute, collect=by_cell("variant", "m", "T"),
        cost=sweep_cost, same=("variant", "m", "T")),
    # X4: B2 at its peak (T=400) under weight decay x steps, 16 seeds, scored on the first 1,000, 10,000 and
    # 100,000 of one set of fresh test samples
    "peak_height": Experiment(
        full=dict(model="relu_output", tied=True, n=1000, m=2, T=400, sizes=None, sparsity=0.99, normalize=True,
                  loss="mse", init="xavier_normal", steps=None, warmup=2500, lr=1e-3, weight_decay=None, seeds=16,
                  n_test=100_000, dtype="float32", weight_decays=[0.0, 1e-2, 1.0],
                  step_counts=[10_000, 50_000, 200_000]),
        quick=dict(T=158, warmup=250, seeds=2, n_test=2000, step_counts=[1000, 5000]),
        units=grid_units(("weight_decays", "weight_decay"), ("step_counts", "steps")),
        compute=peak_height_compute, collect=by_cell("weight_decay", "steps"), cost=sweep_cost,
        same=("weight_decay", "steps")),
    # X4: that cell under PEAK_ARMS (the schedule's form, the learning rate against the steps); quick: a
    # tenth of the steps
    "peak_height_arms": Experiment(
        full=dict(model="relu_output", tied=True, n=1000, m=2, T=400, sizes=None, sparsity=0.99, normalize=True,
                  loss="mse", init="xavier_normal", steps=None, warmup=2500, lr=1e-3, weight_decay=1e-2,
                  schedule="henighan", seeds=16, n_test=100_000, dtype="float32", weight_decays=None, step_counts=None,
                  arms=list(PEAK_ARMS),
                  steps_scale=1),
        quick=dict(T=158, warmup=250, seeds=2, n_test=2000, steps_scale=0.1),
        units=peak_arm_units, compute=peak_arm_compute, collect=by_cell("arm"), cost=sweep_cost, same=("arm",)),
    # X5: M7's row m=2 again, the same runs with the weights kept, for the peak's mechanism
    "sparse_grid_m2": Experiment(
        full=dict(model="mlp", n=1000, sizes=[10, 30, 100, 300, 1000, 3000], hidden=[2], sparsity=0.99, normalize=True,
                  loss="mse", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2, n_test=5000,
                  dtype="float32", keep_params=True),
        quick=dict(sizes=[10, 100, 1000], steps=5000, warmup=250, n_test=2000),
        units=grid_units(("sizes", "T"), ("hidden", "m")),
        compute=sparse_grid_compute, collect=by_cell("T", "m"), cost=sweep_cost, same=("T", "m")),
    # X6: B2's model at Henighan et al.'s original size, one unit per size and seed
    "bottleneck_original": Experiment(
        full=dict(model="relu_output", tied=True, n=10_000, m=2,
                  sizes=ORIGINAL_SIZES,
                  sparsity=0.999, normalize=True, loss="mse", init="xavier_normal", steps=50_000, warmup=2500, lr=1e-3,
                  weight_decay=1e-2, seeds=None, n_test=10_000, dtype="float32", seed_list=[0, 1]),
        quick=dict(sizes=[100, 1000, 2000], steps=5000, warmup=250, n_test=2000),
        units=grid_units(("sizes", "T"), ("seed_list", "seed")), compute=original_compute,
        collect=by_size_and_seed, cost=sweep_cost, same=("T", "seed")),
    # X8: F1's unembedding at T=500 and B2's bottleneck at T=400 (OPTIMISER_SETTINGS) under OPTIMISERS
    "optimiser_control": Experiment(
        full=dict(tied=True, labels="hard", n=1000, m=2, T=500, sizes=None, sparsity=0.99, steps=50_000, warmup=2500,
                  lr=1e-3, weight_decay=1e-2, seeds=4, n_test=10_000, dtype="float32",
                  settings=list(OPTIMISER_SETTINGS),
                  optimisers=list(OPTIMISERS)),
        quick=dict(steps=5000, warmup=250, seeds=2, n_test=2000),
        units=grid_units(("settings", "setting"), ("optimisers", "optimiser")),
        compute=optimiser_compute, collect=by_cell("setting", "optimiser"), cost=optimiser_cost,
        same=("setting", "optimiser")),
    # X7: B2's model at sparsities 0.9 to 0.999 with m=2, and m=5 at S=0.99, over T (1 - S) in the grid (up
    # to the arm's last value; T at most 20,000); quick: three sparsities, a coarser grid
    "peak_position": Experiment(
        full=dict(model="relu_output", tied=True, n=1000, m=None, sizes=None, sparsity=None, normalize=True,
                  loss="mse", init="xavier_normal", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2,
                  n_test=10_000, dtype="float32",
                  arms=[list(a) for a in POSITION_ARMS],
                  grid=POSITION_GRID),
        quick=dict(steps=5000, warmup=250, n_test=2000, arms=[[0.9, 2, 10], [0.99, 2, 10], [0.997, 2, 10]],
                   grid=[0.1, 0.5, 2, 10]),
        units=position_units, compute=position_compute, collect=by_arm, cost=sweep_cost,
        same=("sparsity", "m", "T")),
})
