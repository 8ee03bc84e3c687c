r"""ReLU hidden model (a privileged basis): h = ReLU(W x), x' = ReLU(W^T h + b).

Per instance and sample (Elhage et al. 2022, "Superposition in a Privileged Basis"):

    a   = W x                       W: (m, n), the hidden pre-activation
    h   = ReLU(a)
    pre = W^T h + b                 b: (n,)  "b_final"
    x'  = ReLU(pre)

Backward, given dout = dL/dx',

    dpre = dout * [pre > 0]
    db   = sum_t dpre_t
    dh   = W dpre                               (m,)
    da   = dh * [a > 0]
    dW   = sum_t ( h_t dpre_t^T  +  da_t x_t^T )   decoder term + encoder term of the tied W

    # I = n_instances, T = n_samples, n = n_features, m = n_hidden
"""

from __future__ import annotations

import numpy as np

from . import losses
from .checks import check_int
from .init import init_bias, init_weight

DEFAULT_LOSS = "mse"
SHAPES = {"W": ("I", "m", "n"), "b_final": ("I", "n")}  # read by minimem.checks; x is (I, T, n)
OUTPUT = "n"  # x' is (I, T, n)


def init_params(n_features, n_hidden, rng, *, n_instances=1, init="xavier_normal", bias_init="zero",
                dtype=np.float64):
    """W ~ ``init`` (TMS notebook: xavier_normal), b_final zero by default."""
    n = check_int("n_features", n_features, 1)
    m = check_int("n_hidden", n_hidden, 1)
    return {"W": init_weight(rng, n_instances, m, n, init, dtype=dtype),  # (I, m, n)
            "b_final": init_bias(rng, n_instances, n, m, bias_init, dtype=dtype)}  # (I, n)


def kernel_layout(params):
    """This model in the general form of the fused kernels (minimem.fused.kernels, its fused twin): the decoder is W^T (W2
    None), no hidden bias, ReLU on the hidden layer and on the output."""
    return {"W1": "W", "b1": None, "W2": None, "b2": "b_final", "hidden_relu": True, "out_relu": True}


def forward(params, x):
    """x (I, T, n) -> (x' (I, T, n), cache)."""
    W, b = params["W"], params["b_final"]  # (I, m, n), (I, n)
    a = np.einsum("imn,itn->itm", W, x)  # (I, T, m)  W x
    h = np.maximum(a, 0.0)  # (I, T, m)
    pre = np.einsum("imn,itm->itn", W, h) + b[:, None, :]  # (I, T, n)  W^T h + b
    out = np.maximum(pre, 0.0)  # (I, T, n)
    return out, {"params": params, "x": x, "a": a, "h": h, "pre": pre}


def backward(dout, cache):
    """dL/dx' (I, T, n) -> {"W": dW (I, m, n), "b_final": db_final (I, n)}."""
    W, x, a, h, pre = cache["params"]["W"], cache["x"], cache["a"], cache["h"], cache["pre"]
    dpre = dout * (pre > 0)  # (I, T, n)
    db_final = dpre.sum(axis=1)  # (I, n)
    dh = np.einsum("imn,itn->itm", W, dpre)  # (I, T, m)  W dpre
    da = dh * (a > 0)  # (I, T, m)
    dW = (np.einsum("itm,itn->imn", h, dpre)  # (I, m, n)  decoder: h dpre^T
          + np.einsum("itm,itn->imn", da, x))  # (I, m, n)  encoder: da x^T
    return {"W": dW, "b_final": db_final}


def loss_and_grads(params, x, target, *, loss=DEFAULT_LOSS, importance=None, mask=None):
    """Loss per instance (I,) and grads of sum_k L_k."""
    return losses.model_loss_and_grads(forward, backward, params, x, target, loss, importance, mask)
