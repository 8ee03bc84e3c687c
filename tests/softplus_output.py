r"""A model of the test suite's own: the softplus output model, tied x' = softplus(W^T W x + b).

Per instance and sample:

    h   = W x                       W: (m, n)
    pre = W^T h + b                 b: (n,)  "b_final"
    x'  = softplus(pre) = log(1 + exp(pre))

Backward, given dL/dx' =: dout (softplus' = the logistic sigmoid),

    dpre = dout * sigmoid(pre)
    db   = sum_t dpre_t
    dh   = W dpre
    dW   = sum_t ( h_t dpre_t^T  +  dh_t x_t^T )

It copies relu_output's ``kernel_layout`` (a ReLU on the output), which is wrong for it: the numba
kernels would train the ReLU output model instead. tests/test_own_models.py checks that the kernels
refuse it and that backend='auto' trains it on numpy.

    # I = n_instances, T = n_samples, n = n_features, m = n_hidden
"""

import numpy as np

from minimem import losses, relu_output

DEFAULT_LOSS = "mse"
SHAPES = {"W": ("I", "m", "n"), "b_final": ("I", "n")}  # minimem.checks reads them; x is (I, T, n)
OUTPUT = "n"  # x' is (I, T, n)
init_params = relu_output.init_params
kernel_layout = relu_output.kernel_layout  # the wrong layout a student would copy


def forward(params, x):
    """x (I, T, n) -> (x' (I, T, n), cache)."""
    W, b = params["W"], params["b_final"]  # (I, m, n), (I, n)
    h = np.einsum("imn,itn->itm", W, x)  # (I, T, m)  h = W x
    pre = np.einsum("imn,itm->itn", W, h) + b[:, None, :]  # (I, T, n)  W^T h + b
    out = np.logaddexp(0.0, pre)  # (I, T, n)  softplus, stable for large |pre|
    return out, {"params": params, "x": x, "h": h, "pre": pre}


def backward(dout, cache):
    """dL/dx' (I, T, n) -> grads keyed like params."""
    W, x, h, pre = cache["params"]["W"], cache["x"], cache["h"], cache["pre"]
    dpre = dout / (1.0 + np.exp(-pre))  # (I, T, n)  softplus'(pre) = sigmoid(pre)
    dh = np.einsum("imn,itn->itm", W, dpre)  # (I, T, m)  dh = W dpre
    dW = np.einsum("itm,itn->imn", h, dpre) + np.einsum("itm,itn->imn", dh, x)  # (I, m, n)  decoder + encoder
    return {"W": dW, "b_final": dpre.sum(axis=1)}  # b_final: (I, n)


def loss_and_grads(params, x, target, *, loss=DEFAULT_LOSS, importance=None, mask=None):
    """Loss per instance (I,) and grads of sum_k L_k."""
    return losses.model_loss_and_grads(forward, backward, params, x, target, loss, importance, mask)
