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


def unembed_accuracy(params, x, x_test, t_test):
    """Train and test accuracy (argmax of the logits = argmax of the input)."""
    from minimem.metrics import argmax_accuracy
    tr = argmax_accuracy(unembed.forward(params, x)[0], data.hard_labels(x))
    te = argmax_accuracy(unembed.forward(params, x_test)[0], data.hard_labels(x_test))
    return {"train_acc": tr, "test_acc": te}


def unembed_dd(quick=False, fresh=False, labels="hard", init="uniform", sizes=None, seeds=None):
    """logits = W2 (W1 x) + b2, n=V=1000, m=2, S=0.99, unnormalised inputs, cross-entropy with hard
    labels argmax(x) (or soft labels x / sum x); PyTorch's default uniform init (or Xavier normal)."""
    cfg = dict(_base(quick), model="unembed", labels=labels, normalize=False, loss="ce", init=init)
    cfg["sizes"] = sizes or (F_QUICK_SIZES if quick else F_SIZES)
    if seeds:
        cfg["seeds"] = seeds
    cfg = shrink(cfg)
    print_config(cfg)
    dtype = np.dtype(cfg["dtype"]).type

    def init_params(rng, I):
        return unembed.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=init, dtype=dtype)

    target = data.hard_labels if labels == "hard" else data.soft_labels
    name = f"unembed_dd_{labels}_{init}"
    return cfg, dd_sweep(name, cfg, unembed, init_params, target, fresh=fresh, evaluate_extra=unembed_accuracy)
