"""The experiments beyond the write-up (X1-X8): a reader's question, and the runs that settle the
write-up's claims side by side.
"""

from __future__ import annotations

import numpy as np

from .. import data, metrics, mlp, relu_output
from ..train import TrainingDiverged, evaluate, train
from .catalogue import _bottleneck, _henighan, _mlp, _sparse_grid, _sparse_grid_compute, _sweep, _sweep_compute, sweep_train
from .runner import (_by_cell, _grid_units, _register, default_jobs, optimiser_of, run, target_of, test_set, test_sets,
                     train_set, train_sets)
from .verdicts import dead_units, lookup_sizes, null_loss, steps_to

# --- X1: lookup-table initialisation ------------------------------------------------------------


LOOKUP_INITS = ("uniform", "gaussian", "points", "points_unscaled", "kmeans")


LOOKUP_SETTINGS = {"ae": dict(loss="mse", normalize=True, labels="none", threshold=0.1),
                   "ce": dict(loss="ce", normalize=False, labels="hard", threshold=0.1)}


def _lookup_base(setting, mode):
    """MLP h = ReLU(W1 x + b1), out = W2 h + b2, m=20, n=1000, S=0.99; ae: normalised inputs, target x,
    MSE; ce: unnormalised inputs, class argmax(x), cross-entropy. AdamW lr 1e-3, warm-up 200, cosine
    to 0 over 4,000 steps, float32; test on 2,000 fresh samples."""
    s = LOOKUP_SETTINGS[setting]
    full = mode == "full"
    return dict(model="mlp", setting=setting, n=1000, m=20, sparsity=0.99, normalize=s["normalize"],
                loss=s["loss"], labels=s["labels"], steps=4_000 if full else 1_000, warmup=200 if full else 50,
                lr=1e-3, weight_decay=1e-2, seeds=2, n_test=2_000, dtype="float32", init="uniform",
                sizes=[10, 20, 50, 100, 200, 500, 1000, 2000, 5000] if full else [10, 100, 300])


def _lookup_peak(setting):
    """Part 1: where this setting's double-descent peak is (uniform init, 2 seeds)."""
    return lambda mode: _lookup_base(setting, mode)


def _lookup_compare(setting):
    """Part 2: every initialisation x seed at the sizes chosen from part 1 (``sizes``, set by the
    caller) and two weight decays, as instances of one call per (T, weight decay)."""
    def configure(mode):
        # quick: one weight decay (the compare units were most of the quick run's time)
        return dict(_lookup_base(setting, mode), sizes=[], weight_decays=[1e-2, 1.0] if mode == "full" else [1e-2],
                    weight_decay=None,
                    inits=list(LOOKUP_INITS), kmeans_iters=5, seeds=3 if mode == "full" else 2,
                    threshold=LOOKUP_SETTINGS[setting]["threshold"], records_silent_points=True)
    return configure


def _initial_params(name, cfg, x, target, rng):
    """Parameters (seeds, ...) for initialisation ``name`` on training data x (seeds, T, n)."""
    dtype = np.dtype(cfg["dtype"]).type
    S, T, n = x.shape
    if name in ("uniform", "gaussian"):
        return mlp.init_params(n, cfg["m"], rng, n_instances=S, init=name, dtype=dtype)
    values = x if cfg["loss"] == "mse" else data.one_hot(n)[target]  # (S, T, k)
    return mlp.init_lookup(x, values, cfg["m"], rng, method="kmeans" if name == "kmeans" else "points",
                           scaled=name != "points_unscaled", kmeans_iters=cfg["kmeans_iters"], dtype=dtype)


def _lookup_compute(cfg, unit):
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


for _setting in LOOKUP_SETTINGS:
    _sweep(f"lookup_peak_{_setting}", _lookup_peak(_setting))
    _register(f"lookup_init_{_setting}", _lookup_compare(_setting),
              _grid_units(("sizes", "T"), ("weight_decays", "weight_decay")), _lookup_compute,
              _by_cell("T", "weight_decay"), same=("T", "weight_decay"))


def lookup(setting, mode="full", **kw):
    """X1 for one setting: the peak sweep, the sizes chosen from it, and the comparison of
    initialisations there. Returns (peak cfg, peak result, chosen sizes, what, cfg, result)."""
    pcfg, peak = run(f"lookup_peak_{setting}", mode, **kw)
    picks, what = lookup_sizes(pcfg["sizes"], peak["train_loss"], peak["test_loss"],
                               LOOKUP_SETTINGS[setting]["threshold"])
    chosen = [int(pcfg["sizes"][i]) for i in picks]
    cfg, res = run(f"lookup_init_{setting}", mode, sizes=chosen, **kw)
    return pcfg, peak, chosen, what, cfg, res


# --- X2: where the squares come from --------------------------------------------------------------


SQUARE_SETTINGS = {"ce": dict(model="unembed", loss="ce", labels="hard"),  # F1's model and loss
                   "mse_unembed": dict(model="unembed", loss="mse", labels="none"),  # F1's model, MSE on x
                   "mse": dict(model="relu_output", tied=False, loss="mse")}  # F4's model and loss


def _square_control(mode):
    """Where F1's squares come from: the loss (F1's linear unembedding with cross-entropy on the
    class, the same unembedding with MSE on the input x, and F4's untied ReLU output model with MSE)
    x inputs (normalised or not) x initialisation (PyTorch's uniform or Xavier normal), crossed, at
    one data set size T=500 (F1's peak); otherwise B2/F1's schedule. "ce" against "mse_unembed"
    changes the loss alone."""
    return dict(_henighan(mode, ([500], [500])), T=500, sizes=None, settings=list(SQUARE_SETTINGS),
                normalizes=[False, True], inits=["uniform", "xavier_normal"], labels="hard", tied=False)


def _square_compute(cfg, unit):
    run_cfg = dict(cfg, **SQUARE_SETTINGS[unit["setting"]], normalize=unit["normalize"], init=unit["init"])
    return _sweep_compute(run_cfg, {"T": cfg["T"]})


_register("square_control", _square_control,
          _grid_units(("settings", "setting"), ("normalizes", "normalize"), ("inits", "init")), _square_compute,
          _by_cell("setting", "normalize", "init"), same=("setting", "normalize", "init"))


# --- X3: the MLP at its interpolation threshold -----------------------------------------------------


SMALL_T = [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 16, 17, 20, 25, 30, 40]  # T = m + 1 for every m: 3, 5, 9, 17


def _mlp_small_T(mode):
    """M2's MLP auto-encoder at small T (1 to 40, around the interpolation threshold T = m + 1) for
    hidden sizes m in (2, 4, 8, 16), 8 seeds, M2's schedule; only losses, accuracies, dead hidden
    units and the rank-m affine bound are kept (not the weights)."""
    full = mode == "full"
    return dict(_mlp()(mode), sizes=SMALL_T if full else [1, 3, 10, 30], hidden=[2, 4, 8, 16] if full else [2, 8],
                seeds=8 if full else 2)


def _mlp_small_compute(cfg, unit):
    run_cfg = dict(cfg, m=unit["m"], sizes=None)
    out = _sweep_compute(run_cfg, {"T": unit["T"]})
    x = train_sets(run_cfg, unit["T"])
    params = {k: out[k] for k in ("W1", "b1", "W2", "b2")}
    keep = {k: out[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    return dict(keep, dead_units=dead_units(params, x), bound=metrics.affine_rank_bound(x, unit["m"]))


_register("mlp_small_T", _mlp_small_T, _grid_units(("sizes", "T"), ("hidden", "m")), _mlp_small_compute,
          _by_cell("T", "m"), same=("T", "m"))


MLP_VARIANTS = {"no decay on biases": dict(no_decay=["b1", "b2"]), "lr 3e-3": dict(lr=3e-3),
                "lr 1e-2": dict(lr=1e-2), "Gaussian init": dict(init="gaussian"),
                "unnormalised inputs": dict(normalize=False)}


def _mlp_variants(mode):
    """M2's MLP (m=2) at small T under the settings that could matter (MLP_VARIANTS), 4 seeds each."""
    return dict(_mlp_small_T(mode), hidden=None, m=2, seeds=4 if mode == "full" else 2,
                variants=list(MLP_VARIANTS))


def _mlp_variant_compute(cfg, unit):
    run_cfg = dict(cfg, **MLP_VARIANTS[unit["variant"]])
    return _mlp_small_compute(run_cfg, {"T": unit["T"], "m": cfg["m"]})


_register("mlp_variants", _mlp_variants, _grid_units(("variants", "variant"), ("sizes", "T")), _mlp_variant_compute,
          _by_cell("variant", "T"), same=("variant", "T"))


def _mlp_variants_sizes(mode):
    """M2's robustness where A4 and B2 peak: M2's MLP over M2's own sizes (T=3 to 5,000) at m=2 and
    m=8, in M2's setting and under each of X3's variants (MLP_VARIANTS), 4 seeds; losses,
    accuracies, dead units, the rank-m affine bound and the largest weights are kept. Quick: m=2 at
    every other one of M2's quick sizes (an estimated 23 s; m=2 and 8 at all eight: 116 s)."""
    cfg = dict(_mlp()(mode), hidden=[2, 8], seeds=2, variants=["M2's setting"] + list(MLP_VARIANTS))
    return cfg if mode == "full" else dict(cfg, sizes=cfg["sizes"][::2], hidden=[2])


def _mlp_variant_size_units(cfg):
    """The grid variant x m x T; full: 4 seeds at m=2 (as M2), 2 at m=8 (four times the work per seed)."""
    units = _grid_units(("variants", "variant"), ("hidden", "m"), ("sizes", "T"))(cfg)
    if cfg.get("smoke") or cfg["steps"] < 50_000:
        return units
    return [dict(u, seeds=4 if u["m"] == 2 else 2) for u in units]


def _mlp_variant_size_compute(cfg, unit):
    run_cfg = dict(cfg, **MLP_VARIANTS.get(unit["variant"], {}), m=unit["m"], seeds=unit.get("seeds", cfg["seeds"]),
                   sizes=None)
    out = _sweep_compute(run_cfg, {"T": unit["T"]})
    x = train_sets(run_cfg, unit["T"])
    params = {k: out[k] for k in ("W1", "b1", "W2", "b2")}
    keep = {k: out[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    largest = np.maximum(np.abs(out["W1"]).max(axis=(1, 2)), np.abs(out["W2"]).max(axis=(1, 2)))  # (seeds,)
    return dict(keep, dead_units=dead_units(params, x), bound=metrics.affine_rank_bound(x, unit["m"]),
                largest_w=largest)


_register("mlp_variants_sizes", _mlp_variants_sizes, _mlp_variant_size_units, _mlp_variant_size_compute,
          _by_cell("variant", "m", "T"), same=("variant", "m", "T"))


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


def _peak_height(mode):
    """B2 at its peak (T=400) under what could move the height of the test-loss peak: weight decay
    (0, 1e-2, 1) x steps (10,000, 50,000, 200,000), 16 seeds (best of k is a choice among them),
    scored on the first 1,000, 10,000 and 100,000 of one set of fresh test samples."""
    full = mode == "full"
    return dict(_bottleneck(True)(mode), T=400 if full else 158, sizes=None, seeds=16 if full else 2,
                n_test=100_000 if full else 2_000, weight_decays=[0.0, 1e-2, 1.0],
                step_counts=[10_000, 50_000, 200_000] if full else [1_000, 5_000], weight_decay=None, steps=None)


N_TEST_SUBSETS = (1_000, 10_000, 100_000)


def peak_height_run(cfg, weight_decay, steps):
    """The run configuration of one peak_height cell: B2's, with this weight decay and length, warm-up 5%."""
    return dict(cfg, weight_decay=weight_decay, steps=steps, warmup=max(1, steps // 20))


def _peak_height_compute(cfg, unit):
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


_register("peak_height", _peak_height, _grid_units(("weight_decays", "weight_decay"), ("step_counts", "steps")),
          _peak_height_compute, _by_cell("weight_decay", "steps"), same=("weight_decay", "steps"))


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


def _peak_arms(mode):
    """X4's cell (B2 at T=400, weight decay 1e-2, 16 seeds, 100,000 test samples) under PEAK_ARMS:
    the schedule's form, and the learning rate at fixed steps against the steps at a fixed reach
    (AdamW's reach depends on the sum of the learning rates, so lr 5e-3 over 10,000 steps and 2.5e-4
    over 200,000 reach as far as B2's 1e-3 over 50,000). Quick: a tenth of the steps."""
    full = mode == "full"
    return dict(_peak_height(mode), weight_decays=None, step_counts=None, weight_decay=1e-2, schedule="henighan",
                arms=list(PEAK_ARMS), steps_scale=1 if full else 0.1)


def _peak_arm_units(cfg):
    """One unit per arm, its settings in the unit (so in the cache key), steps scaled in quick mode."""
    out = []
    for name in cfg["arms"]:
        arm = dict(PEAK_ARMS[name])
        arm["steps"] = cfg["steps"] if cfg.get("smoke") else max(10, int(arm["steps"] * cfg["steps_scale"]))
        arm.setdefault("warmup", arm["steps"] // 20)
        out.append(dict(arm, arms=None, arm=name))
    return out


def _peak_arm_compute(cfg, unit):
    run_cfg = dict(cfg, **unit)
    _, res, _ = sweep_train(run_cfg, cfg["T"])
    test = np.zeros(cfg["seeds"])
    for s in range(cfg["seeds"]):  # one seed's test set at a time (100,000 samples each)
        xt = test_set(run_cfg, s)[None]  # (1, n_test, n)
        test[s] = evaluate(relu_output, {k: v[s:s + 1] for k, v in res.params.items()}, xt, xt)[0]
    largest = np.abs(res.params["W"]).max(axis=(1, 2))  # (seeds,)
    return {"train_loss": res.final_loss, "test_loss": test, "largest_w": largest}


_register("peak_height_arms", _peak_arms, _peak_arm_units, _peak_arm_compute, _by_cell("arm"), same=("arm",))


# --- X5: the peaks side by side, and where they come from -----------------------------------------


def _sparse_grid_m2(mode):
    """M7's row m=2 again, the same runs (data, seeds, initialisation) with the weights kept, for the
    test-loss peak's mechanism (X5); M7 itself keeps only losses and accuracies."""
    return dict(_sparse_grid(mode), hidden=[2], keep_params=True)


_register("sparse_grid_m2", _sparse_grid_m2, _grid_units(("sizes", "T"), ("hidden", "m")), _sparse_grid_compute,
          _by_cell("T", "m"), same=("T", "m"))


# --- X6: the bottleneck at Henighan et al.'s original size -----------------------------------------


ORIGINAL_SIZES = [100, 300, 700, 1000, 1500, 2000, 3000, 4000, 5000, 7000, 10000, 14000, 20000]


def _original(mode):
    """B2's model and schedule at Henighan et al.'s size: n=10,000 features, m=2, S=0.999, tied W
    (Xavier normal), zero b, normalised inputs, AdamW with the Henighan schedule over 50,000 steps,
    weight decay 1e-2, float32; T from 100 to 20,000, dense around 4,000 (where "10x earlier" puts
    the peak), 2 seeds; one unit per (T, seed), so no unit runs for more than about an hour; 10,000
    test samples per seed. Quick: 5,000 steps at three sizes, 2,000 test samples (a 10,000 x 10,000 test
    set is 0.8 GB drawn in float64)."""
    full = mode == "full"
    return dict(_bottleneck(True)(mode), n=10_000, sparsity=0.999, sizes=ORIGINAL_SIZES if full else [100, 1000, 2000],
                seed_list=[0, 1], seeds=None, **({} if full else {"n_test": 2_000}))


def _original_compute(cfg, unit):
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


def _by_size_and_seed(cfg, units, results):
    """Arrays stacked as a sweep's: (sizes, seeds, ...)."""
    sizes, seeds = cfg["sizes"], cfg["seed_list"]
    by = {(u["T"], u["seed"]): r for u, r in zip(units, results)}
    return {k: np.stack([np.concatenate([by[(T, s)][k] for s in seeds]) for T in sizes]) for k in results[0]}


_register("bottleneck_original", _original, _grid_units(("sizes", "T"), ("seed_list", "seed")), _original_compute,
          _by_size_and_seed, same=("T", "seed"))


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


def _optimiser_control(mode):
    """F1's unembedding at T=500 and B2's bottleneck at T=400 (their peaks) under full-batch SGD with
    momentum 0.9 and decoupled weight decay 1e-2 (three peak learning rates), Adam without weight
    decay, and AdamW; otherwise B2/F1's schedule; 4 seeds."""
    return dict(_henighan(mode, ([None], [None])), sizes=None, settings=list(OPTIMISER_SETTINGS),
                optimisers=list(OPTIMISERS), labels="hard", tied=True, T=500)


def _optimiser_compute(cfg, unit):
    run_cfg = dict(cfg, **OPTIMISER_SETTINGS[unit["setting"]])
    opt = OPTIMISERS[unit["optimiser"]]
    run_cfg.update(lr=opt["lr"], weight_decay=opt.get("weight_decay", cfg["weight_decay"]),
                   optimizer=opt["optimizer"], momentum=opt.get("momentum", 0.0), decoupled=opt.get("decoupled", False))
    try:
        return _sweep_compute(run_cfg, {"T": run_cfg["T"]})
    except TrainingDiverged as e:  # a learning rate too large for SGD: recorded, and left out of the best
        return {"diverged_at": np.array(e.step)}


_register("optimiser_control", _optimiser_control, _grid_units(("settings", "setting"), ("optimisers", "optimiser")),
          _optimiser_compute, _by_cell("setting", "optimiser"), same=("setting", "optimiser"),
          jobs=lambda c: default_jobs(dict(c, **OPTIMISER_SETTINGS[c["setting"]])))


# --- X7: where the peak sits as the sparsity changes -----------------------------------------------

# (sparsity S, hidden size m, the largest T (1 - S) of the arm's sizes): m=5 memorises more and its
# test loss is still 11x the all-zeros level at T (1 - S) = 20, so its sizes run on to 70
POSITION_ARMS = [(0.9, 2, 20), (0.97, 2, 20), (0.99, 2, 20), (0.997, 2, 20), (0.999, 2, 20), (0.99, 5, 70)]
POSITION_GRID = [0.05, 0.2, 0.7, 1.5, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 70]  # T (1 - S): T scales with 1/(1-S)


def position_sizes(sparsity, grid=POSITION_GRID, largest=20_000):
    """The data set sizes of one sparsity: T = u / (1 - S) for u in the grid, at least 2, at most ``largest``."""
    sizes = sorted({int(round(u / (1 - sparsity))) for u in grid})
    return [T for T in sizes if 2 <= T <= largest]


def _peak_position(mode):
    """B2's model and schedule (n=1000, tied, normalised, Xavier normal, AdamW, 50,000 steps, weight
    decay 1e-2, float32, 2 seeds as instances of one call) at sparsities 0.9 to 0.999 with m=2, and
    m=5 at S=0.99, each over sizes spanning its regime: T (1 - S) from 0.05 to 20 (m=5: to 70; T at
    most 20,000). Quick: three sparsities, 5,000 steps, a coarser grid."""
    full = mode == "full"
    return dict(_bottleneck(True)(mode), sizes=None, seeds=2, arms=[list(a) for a in POSITION_ARMS] if full else
                [[0.9, 2, 10], [0.99, 2, 10], [0.997, 2, 10]], grid=POSITION_GRID if full else [0.1, 0.5, 2, 10],
                m=None, sparsity=None)


def _position_units(cfg):
    return [{"arms": None, "grid": None, "sparsity": S, "m": m, "T": T}
            for S, m, top in cfg["arms"] for T in position_sizes(S, [u for u in cfg["grid"] if u <= top])]


def _position_compute(cfg, unit):
    run_cfg = dict(cfg, sparsity=unit["sparsity"], m=unit["m"])
    return _sweep_compute(run_cfg, {"T": unit["T"]})


def _by_arm(cfg, units, results):
    """{(S, m): {"sizes": [...], arrays stacked over the sizes (sizes, seeds, ...)}}."""
    out = {}
    for u, r in zip(units, results):
        arm = out.setdefault((u["sparsity"], u["m"]), {"sizes": [], "results": []})
        arm["sizes"].append(u["T"])
        arm["results"].append(r)
    return {arm: dict({k: np.stack([r[k] for r in v["results"]]) for k in v["results"][0]}, sizes=np.array(v["sizes"]))
            for arm, v in out.items()}


_register("peak_position", _peak_position, _position_units, _position_compute, _by_arm, same=("sparsity", "m", "T"))
