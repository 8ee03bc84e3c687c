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

from ._validate import check_array

LOSSES = ("mse", "ce")


# --- the checks of a loss's inputs: the one place they are made (train and the kernels call them too)

def sample_counts(mask, I, T):
    """Number of valid samples per instance, (I,), from a (I, T) bool mask (None = all valid), and the
    mask; raises when the mask is malformed or leaves an instance without samples."""
    if mask is None:
        return np.full(I, float(T)), None
    check_array("mask", mask, shape=(I, T), dtype_kind=None)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a bool array, got dtype {mask.dtype}")
    counts = mask.sum(axis=1).astype(np.float64)  # (I,)
    if np.any(counts == 0):
        raise ValueError(f"mask leaves instances {np.flatnonzero(counts == 0).tolist()} with no samples")
    return counts, mask


def check_importance(importance, I, n, loss="mse"):
    """Per-feature MSE weights as an (n,) or (I, n) array: finite, >= 0, for the 'mse' loss only."""
    if importance is None:
        return None
    if loss != "mse":
        raise ValueError("importance applies to the 'mse' loss only, not 'ce'")
    imp = np.asarray(importance)
    if imp.dtype.kind not in "fiu":
        raise TypeError(f"importance must be a real array, got dtype {imp.dtype}")
    if imp.shape not in ((n,), (I, n)):
        raise ValueError(f"importance must have shape ({n},) or ({I}, {n}), got {imp.shape}")
    if not np.all(np.isfinite(imp)) or np.any(imp < 0):
        raise ValueError("importance must be finite and >= 0")
    return imp


def check_target(target, loss, I, T, K):
    """The target of a loss on outputs (I, T, K): float (I, T, K) (finite; >= 0 for cross-entropy)
    or, for cross-entropy, int class labels (I, T) in [0, K)."""
    if not isinstance(target, np.ndarray):
        raise TypeError(f"target must be a numpy array, got {type(target).__name__}")
    if loss == "ce" and target.dtype.kind in "iu":
        check_array("target", target, shape=(I, T), dtype_kind="i")
        if target.size and (target.min() < 0 or target.max() >= K):
            raise ValueError(f"target: hard labels must lie in [0, {K}), got range [{target.min()}, {target.max()}]")
        return target
    if target.dtype.kind != "f":
        raise TypeError(f"target must be a float array of shape ({I}, {T}, {K})"
                        f"{' or integer labels (I, T)' if loss == 'ce' else ''}, got dtype {target.dtype}")
    check_array("target", target, shape=(I, T, K))
    if not np.all(np.isfinite(target)):
        raise ValueError("target contains NaN or inf")
    if loss == "ce" and np.any(target < 0):
        raise ValueError("target: soft labels for cross-entropy must be >= 0")
    return target


def mse(out, target, importance=None, mask=None):
    """Importance-weighted MSE. out, target (I, T, n); importance (n,) or (I, n) or None (= 1);
    mask (I, T) bool or None. Returns (loss (I,), dout (I, T, n))."""
    check_array("out", out, ndim=3)
    check_array("target", target, shape=out.shape)
    I, T, n = out.shape
    counts, mask = sample_counts(mask, I, T)
    imp = check_importance(importance, I, n)
    if imp is None:
        imp = np.ones((I, 1, n), dtype=out.dtype)  # (I, 1, n)
    else:
        imp = np.broadcast_to(imp.astype(out.dtype), (I, n))[:, None, :]  # (I, 1, n)
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
    target = check_target(target, "ce", I, T, V)
    if target.dtype.kind in "iu":
        y = np.zeros((I, T, V), dtype=dtype)  # (I, T, V)
        np.put_along_axis(y, target[:, :, None], 1.0, axis=-1)
        return y
    return target.astype(dtype, copy=False)


def cross_entropy(logits, target, mask=None):
    """Softmax cross-entropy with the fused backward. logits (I, T, V); target hard labels (I, T)
    int or soft targets (I, T, V) float; mask (I, T) bool or None.
    Returns (loss (I,), dlogits (I, T, V))."""
    check_array("logits", logits, ndim=3)
    I, T, V = logits.shape
    counts, mask = sample_counts(mask, I, T)
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
    """Dispatch on the loss name: 'mse' or 'ce'. Returns (loss (I,), dout)."""
    if loss == "mse":
        return mse(out, target, importance, mask)
    if loss == "ce":
        check_importance(importance, out.shape[0], out.shape[2], loss="ce")  # raises unless None
        return cross_entropy(out, target, mask)
    raise ValueError(f"unknown loss {loss!r}; choose one of {list(LOSSES)}")


def model_loss_and_grads(forward, backward, params, x, target, loss, importance=None, mask=None,
                         **forward_options):
    """forward -> loss -> backward for any model module. Returns (loss (I,), grads dict)."""
    out, cache = forward(params, x, **forward_options)
    value, dout = compute(loss, out, target, importance, mask)
    return value, backward(dout, cache)
