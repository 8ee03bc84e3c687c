"""The experiments of the write-up's figures. The computations come first: sweeps over the data set
size T, the TMS setting over sparsity, small MLPs on one-hot inputs, and grids of small runs; then
the catalogue, one literal entry per experiment in the write-up's order (the bottleneck B, the MLP
block M, the final layer F, the appendix A), each beside the variants that test it, with every
number of its settings. X1-X8, beyond the write-up, are in ``beyond``.
"""

from __future__ import annotations

import numpy as np

from .. import data, metrics, mlp, relu_output
from ..registry import MODELS
from ..train import evaluate, train
from .runner import (EXPERIMENTS, PARAM_NAMES, Experiment, by_cell, embed_cost, embed_data, embed_target, grid_units,
                     init_sweep, only, onehot_cost, optimiser_of, options_of, reconstruction_cost, single, small_cost,
                     stack, sweep_cost, sweep_units, target_of, test_sets, tms_cost, train_sets)

# --- building blocks: sweeps over T ---------------------------------------------------------------

# dense around the test-loss peaks
FULL_SIZES = [3, 5, 10, 20, 40, 70, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000]


QUICK_SIZES = [3, 8, 21, 58, 158, 430, 1170, 3000]

# cross-entropy costs 1000 exps per sample, so the F sweeps are sparser; F1 runs to the second descent
F_SIZES = [3, 10, 30, 100, 200, 300, 500, 700, 1000, 1500, 2000, 5000, 10_000, 20_000]


F_SMALL_SIZES = [100, 500, 1000]


F_QUICK_SIZES = [10, 100, 500, 1000, 2000]  # holds F_SMALL_SIZES: F3 and F5 compare with F1 at each of them


def sweep_train(cfg, T):
    """All seeds of one data set size, trained as instances of one call: (model, TrainResult, x)."""
    model = MODELS[cfg["model"]]
    params = init_sweep(cfg, cfg["m"], np.random.default_rng([0, T]))
    x = train_sets(cfg, T)  # (seeds, T, n)
    res = train(model, params, x, target_of(cfg)(x), steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                schedule=cfg.get("schedule", "henighan"), loss=cfg["loss"], desc=f"{cfg['model']} T={T}",
                **options_of(cfg))
    return model, res, x


def sweep_compute(cfg, unit):
    """All seeds of one data set size, trained as instances of one call, then scored on fresh data."""
    model, res, x = sweep_train(cfg, unit["T"])
    make_target = target_of(cfg)
    opts = options_of(cfg)
    xt = test_sets(cfg)  # (seeds, n_test, n), fresh draws
    out = {"train_loss": res.final_loss, "test_loss": evaluate(model, res.params, xt, make_target(xt),
                                                               loss=cfg["loss"], **opts),
           "curve": res.losses[:: max(1, cfg["steps"] // 500)].T}  # (seeds, ~500)
    out.update(res.params)
    if cfg["model"] != "relu_output":  # argmax of the output against argmax of x
        out["train_acc"] = metrics.argmax_accuracy(model.forward(res.params, x, **opts)[0], data.hard_labels(x))
        out["test_acc"] = metrics.argmax_accuracy(model.forward(res.params, xt, **opts)[0], data.hard_labels(xt))
    return out


# --- building blocks: the TMS setting over sparsity, small MLPs, grids --------------------------


TMS_SPARSITIES = [0.0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999]


def tms_compute(cfg, unit):
    I = len(cfg["sparsities"])
    model = MODELS[cfg["model"]]
    rng = np.random.default_rng(cfg["seed"])
    x = data.sparse_features(cfg["T"], cfg["n"], np.array(cfg["sparsities"]), rng, n_instances=I)
    params = model.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=cfg["init"])
    imp = data.importance_geometric(cfg["n"], cfg["importance_ratio"])
    res = train(model, params, x, x, importance=imp, steps=cfg["steps"], opt=optimiser_of(cfg), schedule="constant",
                desc=f"{cfg['model']} over sparsity")
    return dict(res.params, loss=res.final_loss)  # W (I, m, n), b_final (I, n), loss (I,)


def small_data(cfg):
    """The inputs (N, n_in) and targets of a small run: the n one-hot vectors (target: themselves
    for MSE, the index i for cross-entropy), or the 2n antipodal +-e_i with classes 0..2n-1."""
    if cfg["inputs"] == "antipodal one-hot":
        return data.antipodal_one_hot(cfg["n_in"])
    x = data.one_hot(cfg["n_in"])
    return x, (x if cfg["loss"] == "mse" else np.arange(cfg["n_in"]))


def small_compute(cfg, unit):
    x, target = small_data(cfg)
    n_out = int(target.max()) + 1 if cfg["loss"] == "ce" else x.shape[1]
    p = mlp.init_params(cfg["n_in"], cfg["m"], np.random.default_rng(cfg["seed"]), n_out=n_out, n_instances=1)
    snaps = [s for s in cfg["snapshots"] if s <= cfg["steps"]]
    res = train(mlp, p, x[None], target[None], loss=cfg["loss"], steps=cfg["steps"], opt=optimiser_of(cfg),
                schedule="constant", snapshot_steps=snaps,
                desc=f"mlp {cfg['inputs']} {cfg['loss']}")
    out = dict(res.params, final_loss=res.final_loss, curve=res.losses[:, 0])  # params (1, ...)
    for s in snaps:
        out.update({f"{k}_step{s}": v for k, v in res.snapshots[s].items()})
    return out


def snapshot(res, step):
    """The params of a small run at a snapshot step, (1, ...) each."""
    return {k: res[f"{k}_step{step}"] for k in PARAM_NAMES if f"{k}_step{step}" in res}


def onehot_compute(cfg, unit):
    n, m, S = unit["n"], unit["m"], cfg["seeds"]
    dtype = np.dtype(cfg["dtype"]).type
    x = np.broadcast_to(data.one_hot(n, dtype), (S, n, n)).copy()
    classes = np.broadcast_to(np.arange(n), (S, n)).copy()
    p = mlp.init_params(n, m, np.random.default_rng([n, m]), n_instances=S, dtype=dtype)
    res = train(mlp, p, x, x if cfg["loss"] == "mse" else classes, loss=cfg["loss"], steps=cfg["steps"],
                warmup=cfg["warmup"], opt=optimiser_of(cfg), desc=f"one-hot {cfg['loss']} n={n} m={m}")
    acc = metrics.argmax_accuracy(mlp.forward(res.params, x)[0], classes)
    return dict(res.params, loss=res.final_loss, acc=acc)


def sparse_grid_compute(cfg, unit):
    T, m = unit["T"], unit["m"]
    x, xt = train_sets(cfg, T), test_sets(cfg)  # (seeds, T, n), (seeds, n_test, n)
    p = mlp.init_params(cfg["n"], m, np.random.default_rng([T, m]), n_instances=cfg["seeds"],
                        dtype=np.dtype(cfg["dtype"]).type)
    opts = options_of(cfg)  # the output ReLU of sparse_grid_relu_out
    res = train(mlp, p, x, x, steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                desc=f"M7 T={T} m={m}", **opts)
    out = {"train_loss": res.final_loss, "test_loss": evaluate(mlp, res.params, xt, xt, **opts),
           "test_acc": metrics.argmax_accuracy(mlp.forward(res.params, xt, **opts)[0], xt)}
    return dict(out, **res.params) if cfg.get("keep_params") else out


EMBED_SETTINGS = {"big_fish": "x -> E x -> MLP -> x", "small_fish": "E x -> MLP -> E x",
                  "reprojector": "E x -> MLP -> E' x"}


def embed_compute(cfg, unit):
    n, d, m = unit["n"], unit["d"], unit["m"]
    setting, dtype = cfg["setting"], np.dtype(cfg["dtype"]).type
    E, E_out, x, xt, rng = embed_data(cfg, n, d, m)
    target = embed_target(E_out)
    p = mlp.init_params(d, m, rng, n_out=n if E_out is None else d, dtype=dtype)
    res = train(mlp, p, data.embed(x, E), target(x), steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                desc=f"{setting} n={n} d={d} m={m}")
    return {"train_loss": res.final_loss, "test_loss": evaluate(mlp, res.params, data.embed(xt, E), target(xt)),
            "acc": metrics.onehot_accuracy(mlp.forward, res.params, n, 1, E=E, E_out=E_out, dtype=dtype)}


IMPORTANCES = ("decreasing", "uniform")


def reconstruction_compute(cfg, unit):
    n, m = unit["n"], unit["m"]
    dtype = np.dtype(cfg["dtype"]).type
    S = cfg["sparsities"]
    rng = np.random.default_rng([cfg["seed"], n, m])
    imps = [data.importance_exp100(n), data.importance_uniform(n)]
    sp = np.array([s for _ in imps for s in S])  # instance (importance a, sparsity s): 2 x len(S)
    imp = np.stack([i for i in imps for _ in S]).astype(dtype)  # (2 len(S), n)
    x = data.sparse_features(cfg["T"], n, sp, rng, n_instances=len(sp), dtype=dtype)
    p = relu_output.init_params(n, m, rng, n_instances=len(sp), dtype=dtype)
    kw = dict(steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
              progress=False)
    res = train(relu_output, p, x, x, importance=imp, **kw)
    xt = data.sparse_features(cfg["n_test"], n, sp, rng, n_instances=len(sp), dtype=dtype)
    noisy_loss = evaluate(relu_output, res.params, xt, xt, importance=imp)
    noisy_acc = metrics.onehot_accuracy(relu_output.forward, res.params, n, len(sp), dtype=dtype)
    oh = np.broadcast_to(data.one_hot(n, dtype), (2, n, n)).copy()  # noiseless: the n one-hot vectors
    p2 = relu_output.init_params(n, m, rng, n_instances=2, dtype=dtype)
    res2 = train(relu_output, p2, oh, oh, importance=np.stack(imps).astype(dtype), **kw)
    return {"noisy_loss": noisy_loss.reshape(2, len(S)), "noisy_acc": noisy_acc.reshape(2, len(S)),
            "onehot_loss": res2.final_loss, "onehot_acc": metrics.onehot_accuracy(relu_output.forward, res2.params,
                                                                                  n, 2, dtype=dtype)}


# --- the catalogue: one literal entry per experiment, in the write-up's order -----------------------
# full: the write-up's settings (every number once); quick: what quick mode changes; then how the
# experiment splits into units, computes one, collects them, and what a unit costs (runner.Experiment).
# The sweeps over T train with Henighan et al.'s recipe: AdamW, linear warm-up then cosine decay to 0,
# full batch, every seed an instance of one call.

EXPERIMENTS.update({
    # --- B: the bottleneck, the ReLU output model
    # B1: the TMS basic setting over sparsity, importance ratio^i, one model per sparsity
    "tms_relu_output": Experiment(
        full=dict(model="relu_output", n=20, m=5, T=50_000, sparsities=TMS_SPARSITIES, importance_ratio=0.7,
                  init="xavier_normal", steps=10_000, lr=1e-3, weight_decay=1e-2, seed=0, dtype="float64"),
        quick=dict(T=5000, steps=2000),
        units=single, compute=tms_compute, collect=only, cost=tms_cost),
    # B2, B3, B4: x' = ReLU(W^T W x + b) over T; xavier_normal init (the TMS notebook), zero bias
    "bottleneck_dd": Experiment(
        full=dict(model="relu_output", tied=True, n=1000, m=2, sizes=FULL_SIZES, sparsity=0.99, normalize=True,
                  loss="mse", init="xavier_normal", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(sizes=QUICK_SIZES, steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # B5: features x hidden; per cell noisy data at every sparsity with decreasing (100^-i/n) and uniform
    # importance as 8 instances, and the n one-hot vectors with both importances
    "reconstruction_grid": Experiment(
        full=dict(model="relu_output", T=1000, features=[10, 20, 50, 100, 200], hidden=[2, 5, 10, 20, 50],
                  sparsities=[0.0, 0.7, 0.9, 0.99], steps=5000, warmup=500, lr=1e-3, weight_decay=1e-2, seed=0,
                  n_test=10_000, dtype="float32"),
        quick=dict(features=[10, 20, 50], hidden=[2, 5, 10], steps=1000, warmup=100, n_test=2000),
        units=grid_units(("features", "n"), ("hidden", "m")),
        compute=reconstruction_compute, collect=by_cell("n", "m"), cost=reconstruction_cost, same=("n", "m")),
    # --- M: the MLP block
    # M1: the ReLU hidden model over sparsity
    "tms_relu_hidden": Experiment(
        full=dict(model="relu_hidden", n=10, m=5, T=50_000, sparsities=TMS_SPARSITIES, importance_ratio=0.75,
                  init="xavier_normal", steps=10_000, lr=1e-3, weight_decay=1e-2, seed=0, dtype="float64"),
        quick=dict(T=5000, steps=2000),
        units=single, compute=tms_compute, collect=only, cost=tms_cost),
    # M2-M5: h = ReLU(W1 x + b1), x' = W2 h + b2 (no ReLU after the read-out), PyTorch's nn.Linear init
    "mlp_dd": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2, sizes=FULL_SIZES, sparsity=0.99, normalize=True,
                  loss="mse", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(sizes=QUICK_SIZES, steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # M6: the MLP at small T, PyTorch's uniform init ...
    "mlp_init_uniform": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2, sizes=[3, 10, 30, 100], sparsity=0.99, normalize=True,
                  loss="mse", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2,
                  n_test=10_000, dtype="float32"),
        quick=dict(steps=5000, warmup=250, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # ... and Gaussian W1, W2 (std 1/sqrt(fan_in))
    "mlp_init_gaussian": Experiment(
        full=dict(model="mlp", relu_out=False, n=1000, m=2, sizes=[3, 10, 30, 100], sparsity=0.99, normalize=True,
                  loss="mse", init="gaussian", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2,
                  n_test=10_000, dtype="float32"),
        quick=dict(steps=5000, warmup=250, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # M7: the M2 auto-encoder over hidden size x T; test loss and accuracy on fresh samples
    "sparse_grid": Experiment(
        full=dict(model="mlp", n=1000, sizes=[10, 30, 100, 300, 1000, 3000], hidden=[1, 2, 4, 8, 16], sparsity=0.99,
                  normalize=True, loss="mse", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2,
                  n_test=5000, dtype="float32"),
        quick=dict(sizes=[10, 100, 1000], hidden=[1, 2, 4], steps=5000, warmup=250, n_test=2000),
        units=grid_units(("sizes", "T"), ("hidden", "m")),
        compute=sparse_grid_compute, collect=by_cell("T", "m"), cost=sweep_cost, same=("T", "m")),
    # M7 with an output ReLU (A4's variant)
    "sparse_grid_relu_out": Experiment(
        full=dict(model="mlp", relu_out=True, n=1000, sizes=[10, 30, 100, 300, 1000, 3000], hidden=[1, 2, 4, 8, 16],
                  sparsity=0.99, normalize=True, loss="mse", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2,
                  seeds=2, n_test=5000, dtype="float32"),
        quick=dict(sizes=[10, 100, 1000], hidden=[1, 2, 4], steps=5000, warmup=250, n_test=2000),
        units=grid_units(("sizes", "T"), ("hidden", "m")),
        compute=sparse_grid_compute, collect=by_cell("T", "m"), cost=sweep_cost, same=("T", "m")),
    # M8: an MLP reads E x (E a fixed standard-Gaussian d x n embedding) and outputs x
    "embed_big_fish": Experiment(
        full=dict(model="mlp", setting="big_fish", T=1000, features=[100, 300, 1000], bottleneck=[10, 50],
                  hidden=[10, 50, 200], sparsity=0.99, normalize=True, loss="mse", steps=5000, warmup=250, lr=1e-3,
                  weight_decay=1e-2, seed=0, n_test=2000, dtype="float32"),
        quick=dict(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1000, warmup=50),
        units=grid_units(("features", "n"), ("bottleneck", "d"), ("hidden", "m")),
        compute=embed_compute, collect=by_cell("n", "d", "m"), cost=embed_cost, same=("n", "d", "m")),
    # M9: ... outputs E x
    "embed_small_fish": Experiment(
        full=dict(model="mlp", setting="small_fish", T=1000, features=[100, 300, 1000], bottleneck=[10, 50],
                  hidden=[10, 50, 200], sparsity=0.99, normalize=True, loss="mse", steps=5000, warmup=250, lr=1e-3,
                  weight_decay=1e-2, seed=0, n_test=2000, dtype="float32"),
        quick=dict(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1000, warmup=50),
        units=grid_units(("features", "n"), ("bottleneck", "d"), ("hidden", "m")),
        compute=embed_compute, collect=by_cell("n", "d", "m"), cost=embed_cost, same=("n", "d", "m")),
    # M10: ... outputs E' x (a second Gaussian E')
    "embed_reprojector": Experiment(
        full=dict(model="mlp", setting="reprojector", T=1000, features=[100, 300, 1000], bottleneck=[10, 50],
                  hidden=[10, 50, 200], sparsity=0.99, normalize=True, loss="mse", steps=5000, warmup=250, lr=1e-3,
                  weight_decay=1e-2, seed=0, n_test=2000, dtype="float32"),
        quick=dict(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1000, warmup=50),
        units=grid_units(("features", "n"), ("bottleneck", "d"), ("hidden", "m")),
        compute=embed_compute, collect=by_cell("n", "d", "m"), cost=embed_cost, same=("n", "d", "m")),
    # --- F: the final layer, the toy unembedding: logits = W2 (W1 x) + b2, cross-entropy, unnormalised inputs
    # F1, F2: against the class argmax(x) (hard labels)
    "unembed_dd": Experiment(
        full=dict(model="unembed", labels="hard", n=1000, m=2, sizes=F_SIZES, sparsity=0.99, normalize=False,
                  loss="ce", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(sizes=F_QUICK_SIZES, steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # F3: against x / sum(x)
    "unembed_dd_soft": Experiment(
        full=dict(model="unembed", labels="soft", n=1000, m=2, sizes=F_SMALL_SIZES, sparsity=0.99, normalize=False,
                  loss="ce", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # F3: against x itself
    "unembed_dd_input": Experiment(
        full=dict(model="unembed", labels="input", n=1000, m=2, sizes=F_SMALL_SIZES, sparsity=0.99, normalize=False,
                  loss="ce", init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # F4: B2's model with untied W1, W2
    "bottleneck_dd_untied": Experiment(
        full=dict(model="relu_output", tied=False, n=1000, m=2, sizes=FULL_SIZES, sparsity=0.99, normalize=True,
                  loss="mse", init="xavier_normal", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4,
                  n_test=10_000, dtype="float32"),
        quick=dict(sizes=QUICK_SIZES, steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # F5: Xavier normal init
    "unembed_dd_xavier": Experiment(
        full=dict(model="unembed", labels="hard", n=1000, m=2, sizes=F_SMALL_SIZES, sparsity=0.99, normalize=False,
                  loss="ce", init="xavier_normal", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=2,
                  n_test=10_000, dtype="float32"),
        quick=dict(steps=5000, warmup=250, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # --- A: the appendix; the small runs are one MLP on a fixed set of inputs at a constant lr (the
    # write-up counts them in epochs = steps), PyTorch's init, float64, snapshots of the params
    # A1
    "onehot_dictionary": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="mse", steps=10_000, lr=1e-3, weight_decay=1e-2,
                  seed=0, snapshots=[]),
        quick=dict(steps=2000),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    # A2, A3: the MLP on the n one-hot vectors (data set size = n) over hidden size x n, MSE ...
    "onehot_grid_mse": Experiment(
        full=dict(model="mlp", data="one-hot", sizes=[10, 30, 100, 300, 1000], hidden=[2, 5, 10, 20, 50, 100],
                  loss="mse", steps=10_000, warmup=500, lr=1e-3, weight_decay=1e-2, seeds=2, dtype="float32"),
        quick=dict(sizes=[10, 30, 100], hidden=[2, 5, 10, 20], steps=2000, warmup=100),
        units=grid_units(("sizes", "n"), ("hidden", "m")),
        compute=onehot_compute, collect=by_cell("n", "m"), cost=onehot_cost, same=("n", "m")),
    # A9: ... cross-entropy on the class i
    "onehot_grid_ce": Experiment(
        full=dict(model="mlp", data="one-hot", sizes=[10, 30, 100, 300, 1000], hidden=[2, 5, 10, 20, 50, 100],
                  loss="ce", steps=10_000, warmup=500, lr=1e-3, weight_decay=1e-2, seeds=2, dtype="float32"),
        quick=dict(sizes=[10, 30, 100], hidden=[2, 5, 10, 20], steps=2000, warmup=100),
        units=grid_units(("sizes", "n"), ("hidden", "m")),
        compute=onehot_compute, collect=by_cell("n", "m"), cost=onehot_cost, same=("n", "m")),
    # A4, and the second row of M5: the MLP with an output ReLU
    "mlp_dd_relu_out": Experiment(
        full=dict(model="mlp", relu_out=True, n=1000, m=2, sizes=FULL_SIZES, sparsity=0.99, normalize=True, loss="mse",
                  init="uniform", steps=50_000, warmup=2500, lr=1e-3, weight_decay=1e-2, seeds=4, n_test=10_000,
                  dtype="float32"),
        quick=dict(sizes=QUICK_SIZES, steps=5000, warmup=250, seeds=2, n_test=2000),
        units=sweep_units, compute=sweep_compute, collect=stack, cost=sweep_cost, same=("T",)),
    # A5
    "ce_hidden2": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=64, m=2, loss="ce", steps=10_000, lr=1e-3, weight_decay=1e-2,
                  seed=0, snapshots=[]),
        quick=dict(steps=2000),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    # A6, and its variants: no weight decay or 1e-4 (the write-up's suspect), ten times the epochs, ten
    # times the learning rate, two more seeds
    "ce_epochs": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=1e-2,
                  seed=0, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_wd0": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=0.0,
                  seed=0, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_wd0.0001": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=1e-4,
                  seed=0, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_long": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=30_000, lr=1e-3, weight_decay=1e-2,
                  seed=0, snapshots=[1000, 3000, 10_000, 30_000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_lr0.01": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-2, weight_decay=1e-2,
                  seed=0, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_seed1": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=1e-2,
                  seed=1, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    "ce_epochs_seed2": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=1e-2,
                  seed=2, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    # A7
    "ce_weight_decay": Experiment(
        full=dict(model="mlp", inputs="one-hot", n_in=20, m=10, loss="ce", steps=3000, lr=1e-3, weight_decay=1.0,
                  seed=0, snapshots=[1000, 3000]),
        quick=dict(steps=2000, snapshots=[1000]),
        units=single, compute=small_compute, collect=only, cost=small_cost),
    # A8: the 2n antipodal +-e_i with classes 0..2n-1
    "antipodal_onehot": Experiment(
        full=dict(model="mlp", inputs="antipodal one-hot", n_in=10, m=10, loss="ce", steps=3000, lr=1e-3,
                  weight_decay=1e-2, seed=0, snapshots=[]),
        quick=dict(steps=2000),
        units=single, compute=small_compute, collect=only, cost=small_cost),
})
