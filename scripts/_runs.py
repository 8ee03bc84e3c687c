"""The shared training runs behind several figures (each cached under results/ by configuration):

    bottleneck_dd   ReLU output model double descent: B2, B3, B4 (tied W) and F4 (untied W1, W2)
    unembed_dd      toy unembedding double descent with cross-entropy: F1, F2, F3 (soft labels),
                    F5 (Xavier initialisation)

Full fidelity (the default): the Henighan schedule over 50,000 steps, 4 seeds per size.
--quick: 5,000 steps (warm-up 250), 2 seeds, fewer sizes."""

from __future__ import annotations

import numpy as np

from _common import dd_sweep, print_config, shrink, sizes_grid
from minimem import data, relu_output, unembed

# dense around the test-loss peaks
FULL_SIZES = [3, 5, 10, 20, 40, 70, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000]
QUICK_SIZES = sizes_grid(3, 3000, 8)
# cross-entropy costs ~10x more per sample (1000 exps per sample), so the F sweeps stop at 2000
F_SIZES = [3, 10, 30, 100, 200, 300, 500, 700, 1000, 1500, 2000]
F_QUICK_SIZES = [10, 100, 500, 2000]


def _base(quick):
    return dict(n=1000, m=2, sparsity=0.99, steps=5_000 if quick else 50_000,
                warmup=250 if quick else 2_500, lr=1e-3, weight_decay=1e-2,
                seeds=2 if quick else 4, n_test=2_000 if quick else 10_000, dtype="float32",
                sizes=QUICK_SIZES if quick else FULL_SIZES)


def bottleneck_dd(quick=False, fresh=False, tied=True):
    """x' = ReLU(W^T W x + b) (tied) or ReLU(W2 W1 x + b), n=1000, m=2, S=0.99, normalised inputs,
    MSE with uniform importance; xavier_normal init (the TMS notebook), zero bias."""
    cfg = shrink(dict(_base(quick), model="relu_output", tied=tied, normalize=True, loss="mse",
                      init="xavier_normal"))
    print_config(cfg)
    dtype = np.dtype(cfg["dtype"]).type

    def init(rng, I):
        return relu_output.init_params(cfg["n"], cfg["m"], rng, n_instances=I, tied=tied, init=cfg["init"],
                                       dtype=dtype)

    name = "bottleneck_dd" if tied else "bottleneck_dd_untied"
    return cfg, dd_sweep(name, cfg, relu_output, init, lambda x: x, fresh=fresh)


def unembed_dd(quick=False, fresh=False, labels="hard", init="uniform", sizes=None, seeds=None):
    """logits = W2 (W1 x) + b2, n=V=1000, m=2, S=0.99, unnormalised inputs, cross-entropy with hard
    labels argmax(x) (or soft labels x / sum x); PyTorch's default uniform init (or Xavier normal)."""
    cfg = _sized(dict(_base(quick), model="unembed", labels=labels, normalize=False, loss="ce", init=init),
                 sizes or (F_QUICK_SIZES if quick else F_SIZES), seeds)
    dtype = np.dtype(cfg["dtype"]).type

    def init_params(rng, I):
        return unembed.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=init, dtype=dtype)

    target = data.hard_labels if labels == "hard" else data.soft_labels
    name = f"unembed_dd_{labels}_{init}"
    return cfg, dd_sweep(name, cfg, unembed, init_params, target, fresh=fresh, evaluate_extra=argmax_accuracies(unembed))


def argmax_accuracies(model, **options):
    """evaluate_extra for dd_sweep: train and test accuracy, argmax of the output = argmax of x."""
    from minimem.metrics import argmax_accuracy

    def extra(params, x, x_test, t_test):
        return {"train_acc": argmax_accuracy(model.forward(params, x, **options)[0], data.hard_labels(x)),
                "test_acc": argmax_accuracy(model.forward(params, x_test, **options)[0], data.hard_labels(x_test))}
    return extra


def _sized(cfg, sizes, seeds):
    """cfg with the sizes / seeds overrides applied, shrunk under MINIMEM_SMOKE, printed."""
    if sizes:
        cfg["sizes"] = sizes
    if seeds:
        cfg["seeds"] = seeds
    cfg = shrink(cfg)
    print_config(cfg)
    return cfg


def mlp_dd(quick=False, fresh=False, init="uniform", relu_out=False, sizes=None, seeds=None):
    """The MLP auto-encoder h = ReLU(W1 x + b1), x' = W2 h + b2 (optionally ReLU(...)), n=1000,
    m=2, S=0.99, normalised inputs, MSE; PyTorch's nn.Linear init (uniform W1, b1, W2; b2 zero) or
    Gaussian W1, W2 (std 1/sqrt(fan_in))."""
    from minimem import mlp
    cfg = _sized(dict(_base(quick), model="mlp", relu_out=relu_out, normalize=True, loss="mse", init=init),
                 sizes, seeds)
    dtype = np.dtype(cfg["dtype"]).type

    def init_params(rng, I):
        return mlp.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=init, dtype=dtype)

    name = f"mlp_dd_{init}" + ("_relu_out" if relu_out else "")

    def make_target(x):
        return x

    options = {"relu_out": True} if relu_out else {}
    return cfg, dd_sweep(name, cfg, mlp, init_params, make_target, fresh=fresh,
                         evaluate_extra=argmax_accuracies(mlp, **options), model_options=options or None)


def small_mlp(name, n_in, n_hidden, x, target, *, loss, steps, weight_decay=1e-2, lr=1e-3, seed=0,
              fresh=False, n_out=None, snapshot_steps=(), extra_cfg=None):
    """One small MLP (the appendix's readable cases) trained full batch with AdamW at a constant
    learning rate (PyTorch's default 1e-3; the write-up counts these runs in epochs = full-batch
    steps), PyTorch's nn.Linear init, float64. Cached under results/<name>-*. Returns params and,
    for each snapshot step, params_<step>_<key>."""
    from _common import cache
    from minimem import mlp
    from minimem.train import train
    cfg = shrink(dict(model="mlp", n_in=n_in, m=n_hidden, n_out=n_out or n_in, loss=loss, steps=steps,
                      weight_decay=weight_decay, lr=lr, seed=seed, data=extra_cfg or {}))
    print_config(cfg)

    def run():
        rng = np.random.default_rng(seed)
        p = mlp.init_params(n_in, n_hidden, rng, n_out=cfg["n_out"], n_instances=1)
        snaps = [s for s in snapshot_steps if s <= cfg["steps"]]
        res = train(mlp, p, x[None], target[None], loss=loss, steps=cfg["steps"], lr=lr, schedule="constant",
                    weight_decay=weight_decay, snapshot_steps=snaps, desc=name)
        out = {f"param_{k}": v[0] for k, v in res.params.items()}
        out["final_loss"] = res.final_loss[0]
        out["curve"] = res.losses[:, 0]
        for s in snaps:
            out.update({f"snap{s}_{k}": v[0] for k, v in res.snapshots[s].items()})
        return out

    return cfg, cache(name, cfg, run, fresh=fresh)


TMS_SPARSITIES = [0.0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999]


def tms_sparsity_sweep(name, model, n, m, importance_ratio, quick=False, fresh=False):
    """The TMS basic setting (B1: relu_output, M1: relu_hidden): importance ratio^i, one model per
    sparsity in TMS_SPARSITIES trained as instances of one call; W xavier_normal, b zero; AdamW lr 1e-3
    constant, weight decay 1e-2, 10,000 full-batch steps on one fixed data set of 50,000 samples per
    sparsity (quick: 2,000 steps, 5,000 samples); float64. Returns cfg and {W, b, loss}."""
    from _common import cache
    from minimem.train import train
    cfg = shrink(dict(n=n, m=m, importance_ratio=importance_ratio, sparsities=TMS_SPARSITIES,
                      T=5_000 if quick else 50_000, steps=2_000 if quick else 10_000, lr=1e-3, weight_decay=1e-2,
                      init="xavier_normal", dtype="float64", seed=0))
    print_config(cfg)
    I = len(cfg["sparsities"])

    def run():
        rng = np.random.default_rng(cfg["seed"])
        x = data.sparse_features(cfg["T"], cfg["n"], np.array(cfg["sparsities"]), rng, n_instances=I)
        params = model.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=cfg["init"])
        imp = data.importance_geometric(cfg["n"], cfg["importance_ratio"])
        res = train(model, params, x, x, importance=imp, steps=cfg["steps"], lr=cfg["lr"],
                    schedule="constant", weight_decay=cfg["weight_decay"], desc=name)
        return {"W": res.params["W"], "b": res.params["b_final"], "loss": res.final_loss}

    return cfg, cache(name, cfg, run, fresh=fresh)
