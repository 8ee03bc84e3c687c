r"""Two-layer MLP (the MLP block): h = ReLU(W1 x + b1), out = W2 h + b2, optional ReLU on out.

Per instance and sample:

    a   = W1 x + b1                 W1: (m, n_in),  b1: (m,)
    h   = ReLU(a)
    z   = W2 h + b2                 W2: (n_out, m), b2: (n_out,)
    out = z            (relu_out=False, the write-up's standard MLP)
    out = ReLU(z)      (relu_out=True, appendix figure A4)

Backward, given dout = dL/dout,

    dz  = dout * [z > 0]   (relu_out)   or   dout
    db2 = sum_t dz_t,       dW2 = sum_t dz_t h_t^T
    dh  = W2^T dz
    da  = dh * [a > 0]
    db1 = sum_t da_t,       dW1 = sum_t da_t x_t^T

Used as an MSE auto-encoder (M2-M7, target = x), on embedded inputs (M8-M10: input E x, target x,
E x or E' x) and as a classifier with cross-entropy (A5-A9). The write-up's "hidden vectors" are
W1 x + b1 (``pre_activation``).

    # I = n_instances, T = n_samples, n = n_in, K = n_out, m = n_hidden
"""

from __future__ import annotations

import numpy as np

from . import losses
from .checks import check_int
from .init import init_bias, init_weight, lookup_table

DEFAULT_LOSS = "mse"
SHAPES = {"W1": ("I", "m", "n"), "b1": ("I", "m"), "W2": ("I", "K", "m"), "b2": ("I", "K")}  # read by minimem.checks
OUTPUT = "K"  # the output's width: out is (I, T, K)


def init_params(n_in, n_hidden, rng, *, n_out=None, n_instances=1, init="uniform",
                bias_init="uniform", output_bias_init="zero", dtype=np.float64):
    """PyTorch nn.Linear defaults for W1, b1, W2 ("uniform"); b2 zero by default."""
    n = check_int("n_in", n_in, 1)
    m = check_int("n_hidden", n_hidden, 1)
    K = n if n_out is None else check_int("n_out", n_out, 1)
    return {"W1": init_weight(rng, n_instances, m, n, init, dtype=dtype),  # (I, m, n)
            "b1": init_bias(rng, n_instances, m, n, bias_init, dtype=dtype),  # (I, m)
            "W2": init_weight(rng, n_instances, K, m, init, dtype=dtype),  # (I, K, m)
            "b2": init_bias(rng, n_instances, K, m, output_bias_init, dtype=dtype)}  # (I, K)


def init_lookup(x, values, n_hidden, rng, *, method="points", scaled=True, kmeans_iters=5,
                dtype=np.float64):
    """A lookup-table start (issue X1): W1 rows are data points or k-means centroids of x (I, T, n),
    W2 columns the values they should recall (I, T, K), see ``init.lookup_table``; b1 = b2 = 0 on
    those neurons. When T < n_hidden the remaining neurons keep PyTorch's default init."""
    W1, W2, filled = lookup_table(x, values, n_hidden, rng, method=method, scaled=scaled,
                                  kmeans_iters=kmeans_iters, dtype=dtype)
    I, _, n = x.shape
    p = init_params(n, n_hidden, rng, n_out=values.shape[2], n_instances=I, dtype=dtype)
    p["W1"][:, :filled] = W1[:, :filled]  # (I, m, n)
    p["W2"][:, :, :filled] = W2[:, :, :filled]  # (I, K, m)
    p["b1"][:, :filled] = 0.0  # (I, m)
    return p


def kernel_layout(params, relu_out=False):
    """This model in the general form of the fused kernels (minimem.fused.kernels, its fused twin): which params are the
    encoder W1 and hidden bias b1, the decoder W2 and output bias b2, and where the ReLUs are."""
    return {"W1": "W1", "b1": "b1", "W2": "W2", "b2": "b2", "hidden_relu": True,
            "out_relu": bool(relu_out)}


def forward(params, x, relu_out=False):
    """x (I, T, n) -> (out (I, T, K), cache)."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    a = np.einsum("imn,itn->itm", W1, x) + b1[:, None, :]  # (I, T, m)  W1 x + b1
    h = np.maximum(a, 0.0)  # (I, T, m)
    z = np.einsum("iKm,itm->itK", W2, h) + b2[:, None, :]  # (I, T, K)  W2 h + b2
    out = np.maximum(z, 0.0) if relu_out else z  # (I, T, K)
    return out, {"params": params, "x": x, "a": a, "h": h, "z": z, "relu_out": relu_out}


def backward(dout, cache):
    """dL/dout (I, T, K) -> {"W1", "b1", "W2", "b2"} grads."""
    W2 = cache["params"]["W2"]  # (I, K, m)
    x, a, h, z = cache["x"], cache["a"], cache["h"], cache["z"]
    dz = dout * (z > 0) if cache["relu_out"] else dout  # (I, T, K)
    db2 = dz.sum(axis=1)  # (I, K)
    dW2 = np.einsum("itK,itm->iKm", dz, h)  # (I, K, m)  dz h^T
    dh = np.einsum("iKm,itK->itm", W2, dz)  # (I, T, m)  W2^T dz
    da = dh * (a > 0)  # (I, T, m)
    db1 = da.sum(axis=1)  # (I, m)
    dW1 = np.einsum("itm,itn->imn", da, x)  # (I, m, n)  da x^T
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def pre_activation(params, x):
    """The write-up's hidden vectors W1 x + b1, (I, T, m)."""
    return np.einsum("imn,itn->itm", params["W1"], x) + params["b1"][:, None, :]  # (I, T, m)


def loss_and_grads(params, x, target, *, loss=DEFAULT_LOSS, importance=None, mask=None, relu_out=False):
    """Loss per instance (I,) and grads of sum_k L_k; ``loss`` 'mse' (auto-encoder) or 'ce'."""
    return losses.model_loss_and_grads(forward, backward, params, x, target, loss, importance, mask,
                                       relu_out=relu_out)
