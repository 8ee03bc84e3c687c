r"""ReLU output model (the bottleneck): tied x' = ReLU(W^T W x + b), untied x' = ReLU(W2 W1 x + b).

Tied (Elhage et al. 2022, Henighan et al. 2023), per instance and sample:

    h   = W x                       W: (m, n)  the columns W_i are the features in hidden space
    pre = W^T h + b                 b: (n,)    "b_final"
    x'  = ReLU(pre)

Backward, given dL/dx' =: dout,

    dpre = dout * [pre > 0]
    db   = sum_t dpre_t
    dh   = W dpre                               (m,)
    dW   = sum_t ( h_t dpre_t^T  +  dh_t x_t^T )   the decoder term and the encoder term of the tied W

Untied (figure F4): W1: (m, n), W2: (n, m)

    h = W1 x,  pre = W2 h + b,  x' = ReLU(pre)
    dW2 = sum_t dpre_t h_t^T,   dh = W2^T dpre,   dW1 = sum_t dh_t x_t^T,   db = sum_t dpre_t

Parameters are keyed {"W", "b_final"} (tied) or {"W1", "W2", "b_final"} (untied); the model is
tied exactly when "W" is a key.

    # I = n_instances, T = n_samples, n = n_features, m = n_hidden
"""

from __future__ import annotations

import numpy as np

from . import losses
from .checks import check_int
from .init import init_bias, init_weight

DEFAULT_LOSS = "mse"
# the params' shapes, tied or untied (minimem.checks reads them: letters are sizes, x is (I, T, n))
SHAPES = ({"W": ("I", "m", "n"), "b_final": ("I", "n")},
          {"W1": ("I", "m", "n"), "W2": ("I", "n", "m"), "b_final": ("I", "n")})
OUTPUT = "n"  # the output's width: x' is (I, T, n)


def init_params(n_features, n_hidden, rng, *, n_instances=1, tied=True, init="xavier_normal",
                bias_init="zero", dtype=np.float64):
    """W ~ ``init`` (TMS notebook: xavier_normal), b_final zero by default."""
    n = check_int("n_features", n_features, 1)
    m = check_int("n_hidden", n_hidden, 1)
    if tied:
        params = {"W": init_weight(rng, n_instances, m, n, init, dtype=dtype)}  # (I, m, n)
    else:
        params = {"W1": init_weight(rng, n_instances, m, n, init, dtype=dtype),  # (I, m, n)
                  "W2": init_weight(rng, n_instances, n, m, init, dtype=dtype)}  # (I, n, m)
    params["b_final"] = init_bias(rng, n_instances, n, m, bias_init, dtype=dtype)  # (I, n)
    return params


def kernel_layout(params):
    """This model in the general form of the fused kernels (minimem.fused.kernels, its fused twin): tied, the decoder is W^T
    (W2 None); untied, W1 and W2; no hidden bias, linear hidden layer, ReLU on the output."""
    if "W" in params:
        return {"W1": "W", "b1": None, "W2": None, "b2": "b_final", "hidden_relu": False, "out_relu": True}
    return {"W1": "W1", "b1": None, "W2": "W2", "b2": "b_final", "hidden_relu": False, "out_relu": True}


def forward(params, x):
    """x (I, T, n) -> (x' (I, T, n), cache)."""
    b = params["b_final"]  # (I, n)
    if "W" in params:
        W = params["W"]  # (I, m, n)
        h = np.einsum("imn,itn->itm", W, x)  # (I, T, m)  h = W x
        pre = np.einsum("imn,itm->itn", W, h) + b[:, None, :]  # (I, T, n)  W^T h + b
    else:
        W1, W2 = params["W1"], params["W2"]  # (I, m, n), (I, n, m)
        h = np.einsum("imn,itn->itm", W1, x)  # (I, T, m)  h = W1 x
        pre = np.einsum("inm,itm->itn", W2, h) + b[:, None, :]  # (I, T, n)  W2 h + b
    out = np.maximum(pre, 0.0)  # (I, T, n)
    return out, {"params": params, "x": x, "h": h, "pre": pre}


def backward(dout, cache):
    """dL/dx' (I, T, n) -> grads keyed like params."""
    params, x, h, pre = cache["params"], cache["x"], cache["h"], cache["pre"]
    dpre = dout * (pre > 0)  # (I, T, n)  ReLU gate
    grads = {"b_final": dpre.sum(axis=1)}  # (I, n)
    if "W" in params:
        W = params["W"]  # (I, m, n)
        dh = np.einsum("imn,itn->itm", W, dpre)  # (I, T, m)  dh = W dpre
        grads["W"] = (np.einsum("itm,itn->imn", h, dpre)  # (I, m, n)  decoder: h dpre^T
                      + np.einsum("itm,itn->imn", dh, x))  # (I, m, n)  encoder: dh x^T
    else:
        W2 = params["W2"]  # (I, n, m)
        grads["W2"] = np.einsum("itn,itm->inm", dpre, h)  # (I, n, m)  dpre h^T
        dh = np.einsum("inm,itn->itm", W2, dpre)  # (I, T, m)  W2^T dpre
        grads["W1"] = np.einsum("itm,itn->imn", dh, x)  # (I, m, n)  dh x^T
    return grads


def hidden(params, x):
    """The hidden vectors h = W x (or W1 x), (I, T, m)."""
    W = params["W"] if "W" in params else params["W1"]  # (I, m, n)
    return np.einsum("imn,itn->itm", W, x)  # (I, T, m)


def loss_and_grads(params, x, target, *, loss=DEFAULT_LOSS, importance=None, mask=None):
    """Loss per instance (I,) and grads of sum_k L_k. Auto-encoding: ``target`` is usually ``x``."""
    return losses.model_loss_and_grads(forward, backward, params, x, target, loss, importance, mask)
