"""The experiments of the write-up's figures, registered in its order: the bottleneck (B), the MLP
block (M), the final layer (F) and the appendix (A), each beside the variants that test it. The
building blocks come first: sweeps over the data set size T, the TMS setting over sparsity, small
MLPs on one-hot inputs, and grids of small runs. X1-X8, beyond the write-up, are in ``beyond``.
"""

from __future__ import annotations

import numpy as np

from .. import data, metrics, mlp, relu_output
from ..registry import MODELS
from ..train import evaluate, train
from .runner import (PARAM_NAMES, _by_cell, _grid_units, _only, _register, _single, _stack, embed_data, embed_target,
                     init_sweep, optimiser_of, options_of, target_of, test_sets, train_sets)

# --- building blocks: sweeps over T ---------------------------------------------------------------

# dense around the test-loss peaks
FULL_SIZES = [3, 5, 10, 20, 40, 70, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000]


QUICK_SIZES = [3, 8, 21, 58, 158, 430, 1170, 3000]

# cross-entropy costs 1000 exps per sample, so the F sweeps are sparser; F1 runs to the second descent
F_SIZES = [3, 10, 30, 100, 200, 300, 500, 700, 1000, 1500, 2000, 5000, 10000, 20000]


F_SMALL_SIZES = [100, 500, 1000]


F_QUICK_SIZES = [10, 100, 500, 1000, 2000]  # holds F_SMALL_SIZES: F3 and F5 compare with F1 at each of them


def _henighan(mode, sizes):
    """The Henighan et al. schedule: AdamW lr 1e-3, warm-up then cosine to 0 over 50,000 full-batch
    steps, weight decay 1e-2; n=1000, m=2, S=0.99; 4 seeds; float32."""
    full = mode == "full"
    return dict(n=1000, m=2, sparsity=0.99, steps=50_000 if full else 5_000, warmup=2_500 if full else 250,
                lr=1e-3, weight_decay=1e-2, seeds=4 if full else 2, n_test=10_000 if full else 2_000,
                dtype="float32", sizes=sizes[0] if full else sizes[1])


def _sweep_units(cfg):
    return [{"sizes": None, "T": int(T)} for T in cfg["sizes"]]


def sweep_train(cfg, T):
    """All seeds of one data set size, trained as instances of one call: (model, TrainResult, x)."""
    model = MODELS[cfg["model"]]
    params = init_sweep(cfg, cfg["m"], np.random.default_rng([0, T]))
    x = train_sets(cfg, T)  # (seeds, T, n)
    res = train(model, params, x, target_of(cfg)(x), steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                schedule=cfg.get("schedule", "henighan"), loss=cfg["loss"], desc=f"{cfg['model']} T={T}",
                **options_of(cfg))
    return model, res, x


def _sweep_compute(cfg, unit):
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


def _sweep(name, configure):
    _register(name, configure, _sweep_units, _sweep_compute, _stack, same=("T",))


def _bottleneck(tied):
    """x' = ReLU(W^T W x + b) (tied) or ReLU(W2 W1 x + b), normalised inputs, MSE, uniform
    importance; xavier_normal init (the TMS notebook), zero bias."""
    def configure(mode):
        return dict(_henighan(mode, (FULL_SIZES, QUICK_SIZES)), model="relu_output", tied=tied, normalize=True,
                    loss="mse", init="xavier_normal")
    return configure


def _mlp(init="uniform", relu_out=False, sizes=None, seeds=None):
    """h = ReLU(W1 x + b1), x' = W2 h + b2 (optionally ReLU(...)), normalised inputs, MSE;
    PyTorch's nn.Linear init (uniform) or Gaussian W1, W2 (std 1/sqrt(fan_in))."""
    def configure(mode):
        cfg = dict(_henighan(mode, (FULL_SIZES, QUICK_SIZES)), model="mlp", relu_out=relu_out, normalize=True,
                   loss="mse", init=init)
        if sizes:
            cfg.update(sizes=sizes, seeds=seeds)
        return cfg
    return configure


def _unembed(labels="hard", init="uniform", sizes=(F_SIZES, F_QUICK_SIZES), seeds=None):
    """logits = W2 (W1 x) + b2, n = V = 1000, unnormalised inputs, cross-entropy against the class
    argmax(x) ("hard"), x / sum(x) ("soft") or x itself ("input"); PyTorch's default uniform init
    or Xavier normal, zero b2."""
    def configure(mode):
        cfg = dict(_henighan(mode, sizes), model="unembed", labels=labels, normalize=False, loss="ce", init=init)
        if seeds and mode == "full":
            cfg["seeds"] = seeds
        return cfg
    return configure


# --- building blocks: the TMS setting over sparsity, small MLPs, grids --------------------------


TMS_SPARSITIES = [0.0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999]


def _tms(model, n, m, importance_ratio):
    """Importance ratio^i, one model per sparsity trained as instances of one call; W xavier_normal,
    b zero; AdamW lr 1e-3 constant, weight decay 1e-2, 10,000 full-batch steps on one fixed data
    set of 50,000 samples per sparsity (quick: 2,000 steps, 5,000 samples); float64."""
    def configure(mode):
        full = mode == "full"
        return dict(model=model, n=n, m=m, importance_ratio=importance_ratio, sparsities=TMS_SPARSITIES,
                    T=50_000 if full else 5_000, steps=10_000 if full else 2_000, lr=1e-3, weight_decay=1e-2,
                    init="xavier_normal", dtype="float64", seed=0)
    return configure


def _tms_compute(cfg, unit):
    I = len(cfg["sparsities"])
    model = MODELS[cfg["model"]]
    rng = np.random.default_rng(cfg["seed"])
    x = data.sparse_features(cfg["T"], cfg["n"], np.array(cfg["sparsities"]), rng, n_instances=I)
    params = model.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=cfg["init"])
    imp = data.importance_geometric(cfg["n"], cfg["importance_ratio"])
    res = train(model, params, x, x, importance=imp, steps=cfg["steps"], opt=optimiser_of(cfg), schedule="constant",
                desc=f"{cfg['model']} over sparsity")
    return dict(res.params, loss=res.final_loss)  # W (I, m, n), b_final (I, n), loss (I,)


def _small(inputs, n_in, m, loss, steps, weight_decay=1e-2, snapshots=(), lr=1e-3, seed=0):
    """One MLP (the appendix's readable cases) on a fixed set of inputs, full batch, AdamW at a
    constant lr (PyTorch's default 1e-3; the write-up counts these runs in epochs = steps), weight
    decay, PyTorch's nn.Linear init, float64, seed 0; snapshots of the params at some steps."""
    def configure(mode):
        quick_steps = min(steps, 2_000)
        return dict(model="mlp", inputs=inputs, n_in=n_in, m=m, loss=loss,
                    steps=steps if mode == "full" else quick_steps, weight_decay=weight_decay, lr=lr, seed=seed,
                    snapshots=[s for s in snapshots if mode == "full" or s <= quick_steps])
    return configure


def small_data(cfg):
    """The inputs (N, n_in) and targets of a small run: the n one-hot vectors (target: themselves
    for MSE, the index i for cross-entropy), or the 2n antipodal +-e_i with classes 0..2n-1."""
    if cfg["inputs"] == "antipodal one-hot":
        return data.antipodal_one_hot(cfg["n_in"])
    x = data.one_hot(cfg["n_in"])
    return x, (x if cfg["loss"] == "mse" else np.arange(cfg["n_in"]))


def _small_compute(cfg, unit):
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


def _onehot_grid(loss):
    """MLP on the n one-hot vectors (data set size = n), MSE (auto-encode e_i) or cross-entropy
    (class i); 2 seeds per cell, Henighan schedule (lr 1e-3, warm-up 500, cosine to 0 over 10,000
    steps), weight decay 1e-2, PyTorch init, float32."""
    def configure(mode):
        cfg = dict(model="mlp", data="one-hot", loss=loss, sizes=[10, 30, 100, 300, 1000],
                   hidden=[2, 5, 10, 20, 50, 100], seeds=2, steps=10_000, warmup=500, lr=1e-3,
                   weight_decay=1e-2, dtype="float32")
        if mode != "full":
            cfg.update(sizes=cfg["sizes"][:3], hidden=cfg["hidden"][:4], steps=2_000, warmup=100)
        return cfg
    return configure


def _onehot_compute(cfg, unit):
    n, m, S = unit["n"], unit["m"], cfg["seeds"]
    dtype = np.dtype(cfg["dtype"]).type
    x = np.broadcast_to(data.one_hot(n, dtype), (S, n, n)).copy()
    classes = np.broadcast_to(np.arange(n), (S, n)).copy()
    p = mlp.init_params(n, m, np.random.default_rng([n, m]), n_instances=S, dtype=dtype)
    res = train(mlp, p, x, x if cfg["loss"] == "mse" else classes, loss=cfg["loss"], steps=cfg["steps"],
                warmup=cfg["warmup"], opt=optimiser_of(cfg), desc=f"one-hot {cfg['loss']} n={n} m={m}")
    acc = metrics.argmax_accuracy(mlp.forward(res.params, x)[0], classes)
    return dict(res.params, loss=res.final_loss, acc=acc)


def _sparse_grid(mode):
    """The M2 auto-encoder (n=1000, S=0.99, normalised, MSE) over hidden size x data set size; 2 seeds,
    Henighan schedule over 50,000 steps (quick: 5,000), test loss and accuracy on 5,000 fresh samples."""
    cfg = dict(model="mlp", n=1000, sparsity=0.99, normalize=True, loss="mse",
               sizes=[10, 30, 100, 300, 1000, 3000], hidden=[1, 2, 4, 8, 16], seeds=2,
               steps=50_000, warmup=2_500, lr=1e-3, weight_decay=1e-2, n_test=5_000, dtype="float32")
    if mode != "full":
        cfg.update(sizes=[10, 100, 1000], hidden=[1, 2, 4], steps=5_000, warmup=250, n_test=2_000)
    return cfg


def _sparse_grid_compute(cfg, unit):
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


def _embed_grid(setting):
    """An MLP reads E x (E a fixed standard-Gaussian d x n embedding) and outputs x (big fish), E x
    (small fish) or E' x (re-projector, a second Gaussian E'). 1,000 training samples at S=0.99
    (normalised), MSE, Henighan schedule over 5,000 steps (warm-up 250), weight decay 1e-2, PyTorch
    init, float32, one seed; test loss on 2,000 fresh samples; accuracy forwards E e_i for every
    feature i and compares argmax(output) with i (big fish), argmax(E e_i) (small fish) or
    argmax(E' e_i) (re-projector)."""
    def configure(mode):
        cfg = dict(model="mlp", setting=setting, T=1000, sparsity=0.99, normalize=True, loss="mse",
                   features=[100, 300, 1000], bottleneck=[10, 50], hidden=[10, 50, 200], steps=5_000, warmup=250,
                   lr=1e-3, weight_decay=1e-2, n_test=2_000, dtype="float32", seed=0)
        if mode != "full":
            cfg.update(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1_000, warmup=50)
        return cfg
    return configure


def _embed_compute(cfg, unit):
    n, d, m = unit["n"], unit["d"], unit["m"]
    setting, dtype = cfg["setting"], np.dtype(cfg["dtype"]).type
    E, E_out, x, xt, rng = embed_data(cfg, n, d, m)
    target = embed_target(E_out)
    p = mlp.init_params(d, m, rng, n_out=n if E_out is None else d, dtype=dtype)
    res = train(mlp, p, data.embed(x, E), target(x), steps=cfg["steps"], warmup=cfg["warmup"], opt=optimiser_of(cfg),
                desc=f"{setting} n={n} d={d} m={m}")
    return {"train_loss": res.final_loss, "test_loss": evaluate(mlp, res.params, data.embed(xt, E), target(xt)),
            "acc": metrics.onehot_accuracy(mlp.forward, res.params, n, 1, E=E, E_out=E_out, dtype=dtype)}


def _reconstruction(mode):
    """ReLU output model over features n x hidden m; per cell, noisy data (T=1000 samples) at every
    sparsity with decreasing (100^-i/n) and uniform importance as 8 instances, and noiseless data
    (the n one-hot vectors) with both importances; Henighan schedule over 5,000 steps (quick 1,000),
    default init, float32; test loss on fresh samples, one-hot accuracy."""
    q = mode != "full"
    return dict(model="relu_output", features=[10, 20, 50] if q else [10, 20, 50, 100, 200],
                hidden=[2, 5, 10] if q else [2, 5, 10, 20, 50], sparsities=[0.0, 0.7, 0.9, 0.99], T=1000,
                n_test=2000 if q else 10_000, steps=1000 if q else 5000, warmup=100 if q else 500, lr=1e-3,
                weight_decay=1e-2, dtype="float32", seed=0)


IMPORTANCES = ("decreasing", "uniform")


def _reconstruction_compute(cfg, unit):
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


# --- B: the bottleneck, the ReLU output model ------------------------------------------------------


_register("tms_relu_output", _tms("relu_output", 20, 5, 0.7), _single, _tms_compute, _only)  # B1
_sweep("bottleneck_dd", _bottleneck(True))  # B2, B3, B4
_register("reconstruction_grid", _reconstruction, _grid_units(("features", "n"), ("hidden", "m")),  # B5
          _reconstruction_compute, _by_cell("n", "m"), same=("n", "m"))

# --- M: the MLP block -----------------------------------------------------------------------------


_register("tms_relu_hidden", _tms("relu_hidden", 10, 5, 0.75), _single, _tms_compute, _only)  # M1
_sweep("mlp_dd", _mlp())  # M2-M5, the MLP as the write-up describes it: no ReLU after the read-out
_sweep("mlp_init_uniform", _mlp("uniform", sizes=[3, 10, 30, 100], seeds=2))  # M6
_sweep("mlp_init_gaussian", _mlp("gaussian", sizes=[3, 10, 30, 100], seeds=2))  # M6
_register("sparse_grid", _sparse_grid, _grid_units(("sizes", "T"), ("hidden", "m")), _sparse_grid_compute,  # M7
          _by_cell("T", "m"), same=("T", "m"))
_register("sparse_grid_relu_out", lambda mode: dict(_sparse_grid(mode), relu_out=True),  # M7 with an output ReLU
          _grid_units(("sizes", "T"), ("hidden", "m")), _sparse_grid_compute, _by_cell("T", "m"), same=("T", "m"))
for _setting in EMBED_SETTINGS:  # M8, M9, M10
    _register(f"embed_{_setting}", _embed_grid(_setting),
              _grid_units(("features", "n"), ("bottleneck", "d"), ("hidden", "m")), _embed_compute,
              _by_cell("n", "d", "m"), same=("n", "d", "m"))

# --- F: the final layer, the toy unembedding ------------------------------------------------------


_sweep("unembed_dd", _unembed())  # F1, F2
_sweep("unembed_dd_soft", _unembed("soft", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=4))  # F3
_sweep("unembed_dd_input", _unembed("input", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=4))  # F3
_sweep("bottleneck_dd_untied", _bottleneck(False))  # F4
_sweep("unembed_dd_xavier", _unembed(init="xavier_normal", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=2))  # F5

# --- A: the appendix ------------------------------------------------------------------------------


_register("onehot_dictionary", _small("one-hot", 20, 10, "mse", 10_000), _single, _small_compute, _only)  # A1
for _loss in ("mse", "ce"):  # A2 and A3 (mse), A9 (ce)
    _register(f"onehot_grid_{_loss}", _onehot_grid(_loss), _grid_units(("sizes", "n"), ("hidden", "m")),
              _onehot_compute, _by_cell("n", "m"), same=("n", "m"))
_sweep("mlp_dd_relu_out", _mlp(relu_out=True))  # A4, and the second row of M5
_register("ce_hidden2", _small("one-hot", 64, 2, "ce", 10_000), _single, _small_compute, _only)  # A5
# A6, and its variants: no weight decay or 1e-4 (the write-up's suspect), ten times the epochs, ten
# times the learning rate, two more seeds
for _name, _conf in {"ce_epochs": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000)),
                     "ce_epochs_wd0": _small("one-hot", 20, 10, "ce", 3_000, 0.0, (1000, 3000)),
                     "ce_epochs_wd0.0001": _small("one-hot", 20, 10, "ce", 3_000, 1e-4, (1000, 3000)),
                     "ce_epochs_long": _small("one-hot", 20, 10, "ce", 30_000, 1e-2, (1000, 3000, 10_000, 30_000)),
                     "ce_epochs_lr0.01": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), lr=1e-2),
                     "ce_epochs_seed1": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), seed=1),
                     "ce_epochs_seed2": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), seed=2)}.items():
    _register(_name, _conf, _single, _small_compute, _only)
_register("ce_weight_decay", _small("one-hot", 20, 10, "ce", 3_000, 1.0, (1000, 3000)), _single,  # A7
          _small_compute, _only)
_register("antipodal_onehot", _small("antipodal one-hot", 10, 10, "ce", 3_000), _single, _small_compute,  # A8
          _only)
