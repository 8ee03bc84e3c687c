r"""Toy unembedding (the final layer): logits = W2 (W1 x + b1) + b2, trained with cross-entropy.

No ReLU anywhere: the residual stream h = W1 x (+ b1, optional) is read out into V logits.

    h      = W1 x (+ b1)            W1: (m, n),  b1: (m,)  only if "b1" is in params
    logits = W2 h + b2              W2: (V, m),  b2: (V,)

Backward, given dlogits = dL/dlogits (from the fused softmax cross-entropy, see losses.py),

    db2 = sum_t dlogits_t,     dW2 = sum_t dlogits_t h_t^T
    dh  = W2^T dlogits
    db1 = sum_t dh_t,          dW1 = sum_t dh_t x_t^T

F1-F3 and F5 use V = n with hard labels argmax(x) or soft labels x / sum(x); the write-up calls
W1 "the features" (its columns, in 2-D) and W2 the read-out (its rows, a circle).

    # I = n_instances, T = n_samples, n = n_features, m = n_hidden, V = n_classes
"""

from __future__ import annotations

import numpy as np

from . import losses
from .checks import check_int
from .init import init_bias, init_weight

DEFAULT_LOSS = "ce"
# read by minimem.checks (x is (I, T, n)): with or without the hidden bias b1
SHAPES = ({"W1": ("I", "m", "n"), "b1": ("I", "m"), "W2": ("I", "V", "m"), "b2": ("I", "V")},
          {"W1": ("I", "m", "n"), "W2": ("I", "V", "m"), "b2": ("I", "V")})
OUTPUT = "V"  # the logits are (I, T, V)


def init_params(n_features, n_hidden, rng, *, n_classes=None, n_instances=1, init="uniform",
                hidden_bias=False, bias_init="zero", dtype=np.float64):
    """W1, W2 ~ ``init`` (PyTorch's default "uniform"; F5 uses "xavier_normal"); biases zero by
    default; ``hidden_bias`` adds b1."""
    n = check_int("n_features", n_features, 1)
    m = check_int("n_hidden", n_hidden, 1)
    V = n if n_classes is None else check_int("n_classes", n_classes, 1)
    params = {"W1": init_weight(rng, n_instances, m, n, init, dtype=dtype),  # (I, m, n)
              "W2": init_weight(rng, n_instances, V, m, init, dtype=dtype),  # (I, V, m)
              "b2": init_bias(rng, n_instances, V, m, bias_init, dtype=dtype)}  # (I, V)
    if hidden_bias:
        params["b1"] = init_bias(rng, n_instances, m, n, bias_init, dtype=dtype)  # (I, m)
    return params


def kernel_layout(params):
    """This model in the general form of the fused kernels (minimem.fused.kernels, its fused twin): no ReLU anywhere."""
    return {"W1": "W1", "b1": "b1" if "b1" in params else None, "W2": "W2", "b2": "b2",
            "hidden_relu": False, "out_relu": False}


def forward(params, x):
    """x (I, T, n) -> (logits (I, T, V), cache)."""
    h = np.einsum("imn,itn->itm", params["W1"], x)  # (I, T, m)  W1 x
    if "b1" in params:
        h = h + params["b1"][:, None, :]  # (I, T, m)
    logits = np.einsum("ivm,itm->itv", params["W2"], h) + params["b2"][:, None, :]  # (I, T, V)
    return logits, {"params": params, "x": x, "h": h}


def backward(dlogits, cache):
    """dL/dlogits (I, T, V) -> grads keyed like params."""
    params, x, h = cache["params"], cache["x"], cache["h"]
    grads = {"b2": dlogits.sum(axis=1),  # (I, V)
             "W2": np.einsum("itv,itm->ivm", dlogits, h)}  # (I, V, m)  dlogits h^T
    dh = np.einsum("ivm,itv->itm", params["W2"], dlogits)  # (I, T, m)  W2^T dlogits
    grads["W1"] = np.einsum("itm,itn->imn", dh, x)  # (I, m, n)  dh x^T
    if "b1" in params:
        grads["b1"] = dh.sum(axis=1)  # (I, m)
    return grads


def hidden(params, x):
    """The hidden vectors h = W1 x (+ b1), (I, T, m)."""
    h = np.einsum("imn,itn->itm", params["W1"], x)  # (I, T, m)  W1 x
    return h + params["b1"][:, None, :] if "b1" in params else h


def loss_and_grads(params, x, target, *, loss=DEFAULT_LOSS, importance=None, mask=None):
    """Loss per instance (I,) and grads of sum_k L_k; ``target`` hard labels (I, T) or soft (I, T, V)."""
    return losses.model_loss_and_grads(forward, backward, params, x, target, loss, importance, mask)
