r"""Losses, each returning the per-instance loss and its gradient with respect to the model output.

Every instance k has its own data set of T_k valid samples (mask[k, t] = True); the loss of an
instance is the mean over its valid samples, and instances do not interact: the scalar that the
gradients are taken of is the sum over instances, L = sum_k L_k.

Importance-weighted MSE, summed over features and averaged over samples:

    L_k   = (1/T_k) sum_t sum_i I_i (x'_{kti} - y_{kti})^2
    dL/dx'_{kti} = (2/T_k) I_i (x'_{kti} - y_{kti})

so on normalised data (||y_t|| = 1) an all-zero output scores exactly the fraction of non-zero
samples, 1.0 in practice.

Softmax cross-entropy with a target distribution y (hard labels are one-hot y):

    p_{tv} = exp(z_{tv}) / sum_u exp(z_{tu})
    L_k    = (1/T_k) sum_t -sum_v y_{tv} log p_{tv}
    dL/dz_{tv} = (1/T_k) ( p_{tv} sum_u y_{tu} - y_{tv} )        (fused softmax + NLL backward)

derivation: -sum_v y_v log p_v = -sum_v y_v z_v + (sum_v y_v) logsumexp(z), and
d logsumexp(z)/dz_v = p_v. For a distribution (sum y = 1) this is the familiar p - y.

    # I = n_instances, T = n_samples, n = n_features, V = n_classes
"""

from __future__ import annotations

import numpy as np


def sample_counts(mask, I, T):
    """T_k, the valid samples of each instance, (I,) float64: T where there is no mask."""
    return np.full(I, float(T)) if mask is None else mask.sum(axis=1).astype(np.float64)


def mse(out, target, importance=None, mask=None):
    """Importance-weighted MSE. out, target (I, T, n); importance (n,) or (I, n) or None (= 1);
    mask (I, T) bool or None. Returns (loss (I,), dout (I, T, n)). Inputs as minimem.checks passes them."""
    I, T, n = out.shape
    counts = sample_counts(mask, I, T)  # (I,)  T_k
    if importance is None:
        imp = np.ones((I, 1, n), dtype=out.dtype)  # (I, 1, n)
    else:
        imp = np.broadcast_to(np.asarray(importance, out.dtype), (I, n))[:, None, :]  # (I, 1, n)
    diff = out - target  # (I, T, n)
    if mask is not None:
        diff = diff * mask[:, :, None]  # (I, T, n) padded rows contribute nothing
    inv_T = (1.0 / counts).astype(out.dtype)[:, None, None]  # (I, 1, 1)
    loss = np.einsum("itn,itn->i", imp * diff, diff) * inv_T[:, 0, 0]  # (I,)
    dout = 2.0 * inv_T * imp * diff  # (I, T, n)
    return loss, dout


def log_softmax(z):
    """log p = z - logsumexp(z) along the last axis, computed stably."""
    zmax = z.max(axis=-1, keepdims=True)  # (..., 1)
    return z - zmax - np.log(np.exp(z - zmax).sum(axis=-1, keepdims=True))  # (..., V)


def targets_as_distribution(target, I, T, V, dtype):
    """Hard labels (I, T) int -> one-hot (I, T, V); soft targets (I, T, V) float pass through."""
    if target.dtype.kind in "iu":
        y = np.zeros((I, T, V), dtype=dtype)  # (I, T, V)
        np.put_along_axis(y, target[:, :, None], 1.0, axis=-1)
        return y
    return target.astype(dtype, copy=False)


def cross_entropy(logits, target, mask=None):
    """Softmax cross-entropy with the fused backward. logits (I, T, V); target hard labels (I, T)
    int or soft targets (I, T, V) float; mask (I, T) bool or None.
    Returns (loss (I,), dlogits (I, T, V)). Inputs as minimem.checks passes them."""
    I, T, V = logits.shape
    counts = sample_counts(mask, I, T)  # (I,)  T_k
    y = targets_as_distribution(target, I, T, V, logits.dtype)  # (I, T, V)
    if mask is not None:
        y = y * mask[:, :, None]  # (I, T, V) padded rows have no target and so no loss/gradient
    logp = log_softmax(logits)  # (I, T, V)
    inv_T = (1.0 / counts).astype(logits.dtype)  # (I,)
    loss = -np.einsum("itv,itv->i", y, logp) * inv_T  # (I,)
    p = np.exp(logp)  # (I, T, V)
    dlogits = (p * y.sum(axis=-1, keepdims=True) - y) * inv_T[:, None, None]  # (I, T, V)
    return loss, dlogits


def compute(loss, out, target, importance=None, mask=None):
    """Dispatch on the loss name: 'mse' or 'ce' (cross-entropy takes no importance). Returns (loss (I,), dout)."""
    if loss == "mse":
        return mse(out, target, importance, mask)
    return cross_entropy(out, target, mask)


def model_loss_and_grads(forward, backward, params, x, target, loss, importance=None, mask=None,
                         **forward_options):
    """forward -> loss -> backward for any model module. Returns (loss (I,), grads dict)."""
    out, cache = forward(params, x, **forward_options)
    value, dout = compute(loss, out, target, importance, mask)
    return value, backward(dout, cache)
