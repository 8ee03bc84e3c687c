r"""Initialisers for a weight of shape (I, fan_out, fan_in), i.e. one matrix W per instance that
maps a fan_in-vector to a fan_out-vector (h = W x).

    "uniform"        PyTorch's nn.Linear default, kaiming_uniform_(a=sqrt(5)):
                     W ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    "xavier_normal"  torch.nn.init.xavier_normal_ (the TMS notebook's choice):
                     W ~ N(0, 2 / (fan_in + fan_out))
    "gaussian"       plain Gaussian, W ~ N(0, std^2), std = 1/sqrt(fan_in) unless given

Data-dependent starts (issue X1, "initialise the network as a lookup table"): ``kmeans`` (Lloyd's
algorithm) and ``lookup_table`` (W1 rows = data points or centroids, W2 columns = their targets).

Biases: "zero" (the default; the write-up initialises the output bias to zero because the
results depend on it) or "uniform", PyTorch's nn.Linear bias default U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

import numpy as np

from .checks import check_choice, check_int, check_rng

WEIGHT_INITS = ("uniform", "xavier_normal", "gaussian")
BIAS_INITS = ("zero", "uniform")


def init_weight(rng, n_instances, fan_out, fan_in, init="uniform", std=None, dtype=np.float64):
    """One weight matrix per instance, shape (I, fan_out, fan_in)."""
    check_rng("rng", rng)
    check_choice("init", init, WEIGHT_INITS)
    I = check_int("n_instances", n_instances, 1)
    fo = check_int("fan_out", fan_out, 1)
    fi = check_int("fan_in", fan_in, 1)
    shape = (I, fo, fi)
    if init == "uniform":
        bound = 1.0 / np.sqrt(fi)
        W = rng.uniform(-bound, bound, size=shape)
    elif init == "xavier_normal":
        W = rng.standard_normal(shape) * np.sqrt(2.0 / (fi + fo))
    else:  # gaussian
        W = rng.standard_normal(shape) * (1.0 / np.sqrt(fi) if std is None else float(std))
    return W.astype(dtype, copy=False)  # (I, fan_out, fan_in)


def init_bias(rng, n_instances, size, fan_in, init="zero", dtype=np.float64):
    """One bias vector per instance, shape (I, size)."""
    check_choice("bias_init", init, BIAS_INITS)
    I = check_int("n_instances", n_instances, 1)
    size = check_int("size", size, 1)
    if init == "zero":
        return np.zeros((I, size), dtype=dtype)
    check_rng("rng", rng)
    bound = 1.0 / np.sqrt(check_int("fan_in", fan_in, 1))
    return rng.uniform(-bound, bound, size=(I, size)).astype(dtype, copy=False)  # (I, size)


def kmeans(x, k, rng, iters=5):
    r"""Lloyd's algorithm on the rows of x: k centroids after ``iters`` iterations.

    Started from k distinct data points drawn by ``rng`` (Forgy). One iteration is

        assign   c_t = argmin_j ||x_t - mu_j||^2          (ties: the lowest j)
        update   mu_j = mean of {x_t : c_t = j}            (an empty cluster keeps its mu_j)

    x: (T, n), 1 <= k <= T. Returns centroids (k, n) and assignments (T,) of the last assign step.
    The inertia sum_t ||x_t - mu_{c_t}||^2 never increases from one iteration to the next.
    """
    check_rng("rng", rng)
    if not isinstance(x, np.ndarray) or x.ndim != 2:
        raise ValueError(f"x must be a 2-d array (T, n), got {getattr(x, 'shape', type(x).__name__)}")
    T = x.shape[0]
    k = check_int("k", k, 1)
    if k > T:
        raise ValueError(f"k must be <= the number of rows of x ({T}), got {k}")
    iters = check_int("iters", iters, 0)
    mu = x[rng.choice(T, size=k, replace=False)].astype(np.float64)  # (k, n)
    xd = x.astype(np.float64)  # (T, n)
    x2 = np.einsum("tn,tn->t", xd, xd)  # (T,)
    for it in range(iters + 1):
        # ||x - mu||^2 = ||x||^2 - 2 x.mu + ||mu||^2, (T, k)
        d2 = x2[:, None] - 2.0 * xd @ mu.T + np.einsum("kn,kn->k", mu, mu)[None, :]
        c = np.argmin(d2, axis=1)  # (T,)
        if it == iters:
            break
        sums, counts = _cluster_sums(xd, c, k)  # (k, n), (k,)
        filled = counts > 0
        mu[filled] = sums[filled] / counts[filled, None]
    return mu.astype(x.dtype, copy=False), c


LOOKUP_METHODS = ("points", "kmeans")


def lookup_table(x, values, n_hidden, rng, *, method="points", scaled=True, kmeans_iters=5,
                 dtype=np.float64):
    r"""Weights of a two-layer MLP that start as a lookup table (key-value memory) of the data.

    For one instance, neuron j gets a key k_j (a row of W1) and a value v_j (a column of W2):

        method="points"   k_j = x_{i_j},  v_j = values_{i_j}   for min(m, T) distinct random data
                          points i_j (drawn by ``rng``)
        method="kmeans"   k_j = mu_j,     v_j = mean of values_t over cluster j, for the
                          min(m, T) centroids of ``kmeans(x, min(m, T), rng, kmeans_iters)``

    so that h = ReLU(W1 x) is large for the stored x and the output W2 h recalls its value.
    scaled=True rescales every key to the expected row norm of PyTorch's default init of W1,
    E||row|| ~ sqrt(n / (3 n)) = 1/sqrt(3), and every value to that of W2's columns,
    sqrt(k / (3 m)); scaled=False keeps the data's own norms. When T < m, the neurons j >= T are
    left at zero for the caller to fill (``mlp.init_lookup`` uses the default init).

    x: (I, T, n) inputs; values: (I, T, k) what each input should recall (x itself for an
    auto-encoder, the one-hot label for a classifier). Returns W1 (I, m, n), W2 (I, k, m) and the
    number of filled neurons min(m, T).
    """
    check_choice("method", method, LOOKUP_METHODS)
    check_rng("rng", rng)
    m = check_int("n_hidden", n_hidden, 1)
    if not isinstance(x, np.ndarray) or x.ndim != 3:
        raise ValueError(f"x must be a 3-d array (I, T, n), got {getattr(x, 'shape', type(x).__name__)}")
    if not isinstance(values, np.ndarray) or values.ndim != 3 or values.shape[:2] != x.shape[:2]:
        raise ValueError(f"values must be a 3-d array (I, T, k) matching x {x.shape[:2]}, "
                         f"got {getattr(values, 'shape', type(values).__name__)}")
    I, T, n = x.shape
    k = values.shape[2]
    filled = min(m, T)
    W1 = np.zeros((I, m, n))  # (I, m, n)
    W2 = np.zeros((I, k, m))  # (I, k, m)
    for i in range(I):
        if method == "points":
            idx = rng.choice(T, size=filled, replace=False)  # (filled,)
            keys, vals = x[i, idx], values[i, idx]  # (filled, n), (filled, k)
        else:
            keys, c = kmeans(x[i], filled, rng, kmeans_iters)
            sums, counts = _cluster_sums(values[i].astype(np.float64), c, filled)
            vals = sums / np.maximum(counts, 1)[:, None]  # (filled, k) mean value per cluster
        W1[i, :filled] = keys
        W2[i, :, :filled] = vals.T
    if scaled:
        W1[:, :filled] = _to_norm(W1[:, :filled], axis=2, norm=1.0 / np.sqrt(3.0))
        W2[:, :, :filled] = _to_norm(W2[:, :, :filled], axis=1, norm=np.sqrt(k / (3.0 * m)))
    return W1.astype(dtype, copy=False), W2.astype(dtype, copy=False), filled


def _cluster_sums(v, c, k):
    """Per cluster j < k: the sum of the rows v_t with c_t = j (k, d), and how many there are (k,)."""
    sums = np.zeros((k, v.shape[1]))
    np.add.at(sums, c, v)
    return sums, np.bincount(c, minlength=k)


def _to_norm(A, axis, norm):
    """A with every vector along ``axis`` rescaled to length ``norm`` (zero vectors stay zero)."""
    length = np.linalg.norm(A, axis=axis, keepdims=True)
    return A * np.where(length > 0, norm / np.where(length > 0, length, 1.0), 0.0)
