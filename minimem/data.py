r"""Data for the toy models: sparse features, importances, one-hot sets, embeddings, labels.

Synthetic sparse data (Elhage et al. 2022, Henighan et al. 2023):

    x_i = u_i * [ z_i > S ],   u_i ~ U[0, 1],  z_i ~ U[0, 1]   (i = 1..n, independently)

so each of the n features is present with probability 1 - S. "Normalised" data divides each sample
by its L2 norm, x <- x / ||x||_2; an all-zero sample stays zero.

Importance weights the MSE per feature: I_i = r^i (decreasing), I_i = 1 (uniform), or the
write-up's rule for its reconstruction grids, I = 100 ** -linspace(0, 1, n).

Shapes: every data array carries a leading instance axis so that K independent models (different
seeds, dataset sizes T, sparsities) train in one call.

    # I = n_instances, T = n_samples, n = n_features, d = embedding size, V = n_classes

Instances with different T are padded to the largest T and carry a boolean ``mask`` (I, T):
``stack_ragged`` builds both.
"""

from __future__ import annotations

import numpy as np

from .checks import check_array, check_int, check_rng, check_sparsity, check_float


def sparse_features(n_samples, n_features, sparsity, rng, *, n_instances=1, normalize=False,
                    dtype=np.float64):
    """Draw sparse uniform features, shape (I, T, n).

    Parameters
    ----------
    n_samples, n_features : int
        T and n.
    sparsity : float or array of shape (I,)
        S in [0, 1): the probability that a feature is zero (one value per instance allowed).
    rng : numpy.random.Generator
        The only source of randomness.
    n_instances : int
        I, the leading instance axis.
    normalize : bool
        Divide every sample by its L2 norm (all-zero samples stay zero).
    dtype : numpy float dtype
    """
    T = check_int("n_samples", n_samples, 0)
    n = check_int("n_features", n_features, 1)
    I = check_int("n_instances", n_instances, 1)
    S = check_sparsity("sparsity", sparsity, n_instances=I)  # (I,)
    check_rng("rng", rng)
    # draw in float64 so that float32 and float64 data are the same numbers (up to rounding); one
    # instance at a time into arrays made once (the stream is the same as drawing (I, T, n) at once:
    # every presence, then every value), so no (I, T, n) float64 temporary is made beside x
    present = np.empty((I, T, n), dtype=bool)  # (I, T, n)  P(present) = 1 - S
    x = np.empty((I, T, n))  # (I, T, n)
    for i in range(I):
        rng.random(out=x[i])  # (T, n) ~ U[0, 1), used as scratch here
        np.greater_equal(x[i], S[i], out=present[i])
    for i in range(I):
        rng.random(out=x[i])  # (T, n) ~ U[0, 1)
        np.copyto(x[i], 0.0, where=~present[i])  # the value where present, else 0
        if normalize:
            normalize_rows(x[i], out=x[i])
    return x.astype(dtype, copy=False)


def normalize_rows(x, out=None):
    """x / ||x||_2 along the last axis; rows that are all zero stay zero (into ``out`` if given,
    which may be x itself)."""
    norm = np.linalg.norm(x, axis=-1, keepdims=True)  # (..., 1)
    if out is None:
        out = np.zeros_like(x)
    else:
        np.copyto(out, x, where=norm == 0)  # the rows the division skips: zeros of x (no-op when out is x)
    return np.divide(x, norm, out=out, where=norm > 0)


def importance_geometric(n_features, ratio):
    """I_i = ratio^i, i = 0..n-1 (the TMS papers' decreasing importance, e.g. 0.7^i)."""
    n = check_int("n_features", n_features, 1)
    r = check_float("ratio", ratio, 0.0, None, low_open=True)
    return r ** np.arange(n, dtype=np.float64)  # (n,)


def importance_uniform(n_features):
    """I_i = 1."""
    return np.ones(check_int("n_features", n_features, 1))  # (n,)


def importance_exp100(n_features):
    """The write-up's rule for the reconstruction grids: I = 100 ** -linspace(0, 1, n)."""
    n = check_int("n_features", n_features, 1)
    return 100.0 ** -np.linspace(0.0, 1.0, n)  # (n,)


def one_hot(n_features, dtype=np.float64):
    """The n one-hot vectors as a data set, shape (n, n): row t is e_t."""
    return np.eye(check_int("n_features", n_features, 1), dtype=dtype)  # (n, n)


def antipodal_one_hot(n_features, dtype=np.float64):
    """Antipodal one-hot inputs and their classes: e_i -> class 2i, -e_i -> class 2i + 1.

    Returns x (2n, n) and labels (2n,) int64; there are V = 2n classes."""
    n = check_int("n_features", n_features, 1)
    eye = np.eye(n, dtype=dtype)
    x = np.empty((2 * n, n), dtype=dtype)  # (2n, n)
    x[0::2] = eye
    x[1::2] = -eye
    return x, np.arange(2 * n, dtype=np.int64)


def gaussian_embedding(d, n_features, rng, dtype=np.float64):
    """A fixed standard-Gaussian embedding E, shape (d, n): x -> E x (big fish, small fish,
    re-projector). Draw E' with the same function and another draw of ``rng``."""
    d = check_int("d", d, 1)
    n = check_int("n_features", n_features, 1)
    check_rng("rng", rng)
    return rng.standard_normal((d, n)).astype(dtype, copy=False)  # (d, n)


def embed(x, E):
    """E x for every sample: x (..., n), E (d, n) -> (..., d)."""
    check_array("E", E, ndim=2)
    if x.shape[-1] != E.shape[1]:
        raise ValueError(f"x has {x.shape[-1]} features but E has shape {E.shape} (expected (d, {x.shape[-1]}))")
    return x @ E.T  # (..., d)


def hard_labels(x):
    """Hard labels: the index of the largest input feature, shape x.shape[:-1] (int64).

    An all-zero sample gets label 0 (numpy's argmax of a constant row); mask such rows out with
    ``nonzero_mask`` if they should not count."""
    return np.argmax(x, axis=-1).astype(np.int64)


def soft_labels(x):
    """Soft labels: the input as the target distribution, y = x / sum_i x_i (inputs are >= 0).

    An all-zero sample gets the uniform distribution 1/n."""
    if np.any(x < 0):
        raise ValueError("x must be non-negative to serve as a target distribution")
    s = x.sum(axis=-1, keepdims=True)  # (..., 1)
    n = x.shape[-1]
    return np.where(s > 0, x / np.where(s > 0, s, 1.0), 1.0 / n).astype(x.dtype, copy=False)


def nonzero_mask(x):
    """True for samples with at least one non-zero feature, shape x.shape[:-1]."""
    return np.any(x != 0, axis=-1)


def stack_ragged(datasets, fill=0.0):
    """Stack per-instance data sets of different sizes T_i into one padded array plus a mask.

    datasets : list of arrays, each (T_i, ...) with the same trailing shape.
    Returns (x, mask): x (I, max T_i, ...) padded with ``fill``, mask (I, max T_i) bool."""
    if not isinstance(datasets, (list, tuple)) or len(datasets) == 0:
        raise ValueError("datasets must be a non-empty list of arrays")
    tail = datasets[0].shape[1:]
    for k, d in enumerate(datasets):
        if not isinstance(d, np.ndarray):
            raise TypeError(f"datasets[{k}] must be a numpy array, got {type(d).__name__}")
        if d.shape[1:] != tail:
            raise ValueError(f"datasets[{k}] has trailing shape {d.shape[1:]}, expected {tail}")
    T = max(d.shape[0] for d in datasets)
    x = np.full((len(datasets), T) + tail, fill, dtype=datasets[0].dtype)  # (I, T, ...)
    mask = np.zeros((len(datasets), T), dtype=bool)  # (I, T)
    for k, d in enumerate(datasets):
        x[k, : d.shape[0]] = d
        mask[k, : d.shape[0]] = True
    return x, mask
