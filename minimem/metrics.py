r"""Metrics of superposition, dimensionality, memorisation and accuracy.

With W: (m, n) and W_i its i-th column (feature i in the m-dimensional hidden space), Ŵ_i = W_i/||W_i||:

    superposition_i = sum_{j != i} (Ŵ_i . W_j)^2                 (0 when feature i has its own dimension)
    D_i             = ||W_i||^2 / sum_j (Ŵ_i . W_j)^2             fractional dimensionality of feature i

The same D on the hidden vectors h_t = W x_t (rows of H: (T, m)) is the fractional dimensionality of
the data points. A regular T-gon of unit vectors in 2-D gives D = 2/T = m/T.

Maximal data dimensionality (Henighan et al. 2023), H with rows h_t:

    D*_t = h_t^T (H^T H)^+ h_t         (the leverage scores of H; sum_t D*_t = rank(H))

Zero vectors get D = 0 and superposition 0 (they represent nothing).

    # I = n_instances, T = n_samples, n = n_features, m = n_hidden, N = number of vectors
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array


def _unit(V):
    """Rows of V scaled to unit length; zero rows stay zero. V (..., N, m)."""
    norm = np.linalg.norm(V, axis=-1, keepdims=True)  # (..., N, 1)
    return np.divide(V, norm, out=np.zeros_like(V), where=norm > 0)  # (..., N, m)


def _overlaps(V):
    """G[a, b] = V̂_a . V_b for the rows of V (..., N, m) -> (..., N, N)."""
    return np.einsum("...am,...bm->...ab", _unit(V), V)  # (..., N, N)


def fractional_dimensionality(vectors):
    """D_a = ||v_a||^2 / sum_b (v̂_a . v_b)^2 for the rows v_a of ``vectors`` (..., N, m) -> (..., N)."""
    check_array("vectors", vectors)
    if vectors.ndim < 2:
        raise ValueError(f"vectors must have shape (..., N, m), got {vectors.shape}")
    G = _overlaps(vectors)  # (..., N, N)
    denom = np.sum(G ** 2, axis=-1)  # (..., N)
    norm2 = np.sum(vectors ** 2, axis=-1)  # (..., N)
    return np.divide(norm2, denom, out=np.zeros_like(norm2), where=denom > 0)  # (..., N)


def feature_dimensionality(W):
    """Fractional dimensionality of each feature (column) of W (..., m, n) -> (..., n)."""
    check_array("W", W)
    return fractional_dimensionality(np.swapaxes(W, -1, -2))  # columns as rows: (..., n, m)


def superposition(W):
    """sum_{j != i} (Ŵ_i . W_j)^2 for each column i of W (..., m, n) -> (..., n)."""
    check_array("W", W)
    if W.ndim < 2:
        raise ValueError(f"W must have shape (..., m, n), got {W.shape}")
    G = _overlaps(np.swapaxes(W, -1, -2))  # (..., n, n)
    diag = np.diagonal(G, axis1=-2, axis2=-1)  # (..., n)  Ŵ_i . W_i = ||W_i||
    return np.sum(G ** 2, axis=-1) - diag ** 2  # (..., n)


def max_data_dimensionality(H, rcond=1e-12):
    """D*_t = h_t^T (H^T H)^+ h_t for the rows h_t of H (..., T, m) -> (..., T); sums to rank(H)."""
    check_array("H", H)
    if H.ndim < 2:
        raise ValueError(f"H must have shape (..., T, m), got {H.shape}")
    gram = np.einsum("...tm,...tk->...mk", H, H)  # (..., m, m)  H^T H
    pinv = np.linalg.pinv(gram, rcond=rcond, hermitian=True)  # (..., m, m)
    return np.einsum("...tm,...mk,...tk->...t", H, pinv, H)  # (..., T)


def cosine_similarity(vectors):
    """Pairwise cosine similarities of the rows of ``vectors`` (..., N, m) -> (..., N, N)."""
    check_array("vectors", vectors)
    U = _unit(vectors)  # (..., N, m)
    return np.einsum("...am,...bm->...ab", U, U)  # (..., N, N)


def argmax_accuracy(out, target):
    """Fraction of samples whose output argmax equals the label.

    out (..., T, V); target: labels (..., T) int, or vectors (..., T, V') whose argmax is the label.
    Returns (...) float."""
    check_array("out", out)
    labels = target if target.dtype.kind in "iu" else np.argmax(target, axis=-1)  # (..., T)
    if labels.shape != out.shape[:-1]:
        raise ValueError(f"target gives labels of shape {labels.shape}, expected {out.shape[:-1]}")
    return np.mean(np.argmax(out, axis=-1) == labels, axis=-1)


def onehot_accuracy(forward, params, n_features, n_instances, E=None, E_out=None, dtype=np.float64,
                    **forward_options):
    """Forward the n one-hot vectors and count argmax(output) == argmax(input), per instance (I,).

    With an embedding E (d, n) the inputs are E e_i; with E_out (d', n) the correct output is
    argmax(E' e_i) (the re-projector, M10), otherwise i."""
    eye = np.eye(n_features, dtype=dtype)  # (n, n)
    x = eye if E is None else eye @ E.T.astype(dtype)  # (n, n) or (n, d): row i is E e_i
    labels = np.arange(n_features) if E_out is None else np.argmax(E_out, axis=0)  # (n,)
    xb = np.broadcast_to(x, (n_instances,) + x.shape).copy()  # (I, n, d)
    out, _ = forward(params, xb, **forward_options)  # (I, n, V)
    return argmax_accuracy(out, np.broadcast_to(labels, (n_instances, n_features)))
