r"""Initialisers for a weight of shape (I, fan_out, fan_in), i.e. one matrix W per instance that
maps a fan_in-vector to a fan_out-vector (h = W x).

    "uniform"        PyTorch's nn.Linear default, kaiming_uniform_(a=sqrt(5)):
                     W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    "xavier_normal"  torch.nn.init.xavier_normal_ (the TMS notebook's choice):
                     W ~ N(0, 2 / (fan_in + fan_out))
    "gaussian"       plain Gaussian, W ~ N(0, std^2), std = 1/sqrt(fan_in) unless given

Biases: "zero" (the default; the write-up initialises the output bias to zero because the
results depend on it) or "uniform", PyTorch's nn.Linear bias default U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_int, check_rng

WEIGHT_INITS = ("uniform", "xavier_normal", "gaussian")
BIAS_INITS = ("zero", "uniform")


def init_weight(rng, n_instances, fan_out, fan_in, init="uniform", std=None, dtype=np.float64):
    """One weight matrix per instance, shape (I, fan_out, fan_in)."""
    check_rng("rng", rng)
    check_choice("init", init, WEIGHT_INITS)
    I = check_int("n_instances", n_instances, 1)
    fo = check_int("fan_out", fan_out, 1)
    fi = check_int("fan_in", fan_in, 1)
    shape = (I, fo, fi)
    if init == "uniform":
        bound = 1.0 / np.sqrt(fi)
        W = rng.uniform(-bound, bound, size=shape)
    elif init == "xavier_normal":
        W = rng.standard_normal(shape) * np.sqrt(2.0 / (fi + fo))
    else:  # gaussian
        W = rng.standard_normal(shape) * (1.0 / np.sqrt(fi) if std is None else float(std))
    return W.astype(dtype, copy=False)  # (I, fan_out, fan_in)


def init_bias(rng, n_instances, size, fan_in, init="zero", dtype=np.float64):
    """One bias vector per instance, shape (I, size)."""
    check_choice("bias_init", init, BIAS_INITS)
    I = check_int("n_instances", n_instances, 1)
    size = check_int("size", size, 1)
    if init == "zero":
        return np.zeros((I, size), dtype=dtype)
    check_rng("rng", rng)
    bound = 1.0 / np.sqrt(check_int("fan_in", fan_in, 1))
    return rng.uniform(-bound, bound, size=(I, size)).astype(dtype, copy=False)  # (I, size)
