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

from .checks import check_array


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


def affine_rank_bound(x, m):
    """The least mean squared error (sum over features, mean over samples) of any map whose outputs
    lie in an affine subspace of dimension m, on the data x (..., T, n) -> (...):

        min over rank-m affine fits = (1/T) sum_{k > m} s_k^2,   s = singular values of x - mean_t x

    (Eckart-Young on the centred data). An MLP out = W2 h + b2 with m hidden units has its outputs
    in such a subspace, so its train MSE on x as the target is at least this. The s_k^2 are the
    eigenvalues of the centred data's Gram matrix on its smaller side (xc xc^T or xc^T xc), found
    2-18x sooner than by an SVD at T = 100-5,000, n = 1000 and equal to it to 1e-15 (a test holds
    the two equal); round-off can leave a zero eigenvalue at -1e-16, which counts as 0."""
    check_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., T, n), got {x.shape}")
    T, n = x.shape[-2:]
    xc = (x - x.mean(axis=-2, keepdims=True)).astype(np.float64)  # (..., T, n)
    xcT = np.swapaxes(xc, -1, -2)  # (..., n, T)
    gram = xc @ xcT if T <= n else xcT @ xc  # (..., k, k), k = min(T, n)
    s2 = np.linalg.eigvalsh(gram)  # (..., k) the squared singular values, ascending
    return np.clip(s2[..., :max(min(T, n) - m, 0)], 0, None).sum(axis=-1) / T  # (...) all but the largest m


def squareness(points):
    """How square a 2-D cloud is, rotation-invariant; (..., 2, N) -> (...): 1 for a square (filled
    or its outline, at any rotation), 0 for a disc or a ring, up to sampling noise.

    The four-fold harmonic of the points' angles, |mean_i exp(4 i theta_i)|, divided by its value
    for a square, SQUARE_H4 = 0.1411 (a filled square and its outline agree to 3 digits): a square
    has more of its points towards its four corners, a disc has none preferred. An isotropic cloud
    of N points reaches about 6 / sqrt(N) by sampling noise alone (``squareness_reference``; 0.2
    for N=1000). Points within 2% of the largest radius of the origin carry no angle and are left
    out. Clouds more four-fold than a filled square score above 1: a square outline crowded at its
    corners, or a plus sign (``square_corners`` tells their orientations apart)."""
    h, count = _harmonic(points, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(h) / count / SQUARE_H4


def square_corners(points):
    """The direction of a square cloud's corners in degrees, in [0, 90): 45 for a square whose
    sides are parallel to the coordinate axes, 0 for one standing on a corner; (..., 2, N) -> (...).
    From the phase of the four-fold harmonic of ``squareness`` (meaningless where that is ~0)."""
    h, _ = _harmonic(points, 4)
    return np.degrees(np.angle(h)) / 4 % 90


def lopsidedness(points):
    """How far a 2-D cloud is from the symmetries of a square, rotation-invariant; (..., 2, N) ->
    (...): max(|mean_i exp(i theta_i)|, |mean_i exp(2 i theta_i)|), 0 for a square or a disc
    centred on the origin, near 1 for a cloud on one side of it (first harmonic) or along one line
    (second). ``squareness`` reads as "a square" only where this is small: a wedge of points
    around one direction has a large four-fold harmonic too."""
    h1, count = _harmonic(points, 1)
    h2, _ = _harmonic(points, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.maximum(np.abs(h1), np.abs(h2)) / count


def _harmonic(points, k):
    """sum_i exp(k i theta_i) over the points away from the origin, and their count; (..., 2, N)."""
    P = np.asarray(points, dtype=np.float64)
    if P.ndim < 2 or P.shape[-2] != 2:
        raise ValueError(f"points must have shape (..., 2, N), got {P.shape}")
    x, y = P[..., 0, :], P[..., 1, :]  # (..., N)
    r = np.hypot(x, y)
    keep = r > 0.02 * r.max(axis=-1, keepdims=True)  # (..., N) points at the origin carry no angle
    return np.where(keep, np.exp(k * 1j * np.arctan2(y, x)), 0).sum(axis=-1), keep.sum(axis=-1)


SQUARE_H4 = 0.1411  # |E exp(4 i theta)| for points uniform in a square (2e6 samples: 0.1411 +- 0.0005)


def squareness_reference(n_points, rng, draws=200):
    """Mean and 95th percentile of ``squareness`` for isotropic Gaussian clouds of n_points: the
    level a disc reaches by sampling noise alone."""
    vals = squareness(rng.standard_normal((draws, 2, n_points)))
    return float(vals.mean()), float(np.percentile(vals, 95))
