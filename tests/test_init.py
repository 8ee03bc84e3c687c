"""Initialisers: the default inits' scales, k-means (Lloyd) and the lookup-table start of X1."""

import numpy as np
import pytest

from minimem import data, init, mlp


def _inertia(x, mu, c):
    return float(((x - mu[c]) ** 2).sum())


def test_default_init_scales():
    rng = np.random.default_rng(0)
    W = init.init_weight(rng, 2, 300, 400, "uniform")
    assert W.shape == (2, 300, 400) and np.abs(W).max() <= 1 / np.sqrt(400)
    assert abs(W.var() - 1 / (3 * 400)) < 0.02 / (3 * 400)
    G = init.init_weight(rng, 2, 300, 400, "gaussian")
    assert abs(G.std() - 1 / np.sqrt(400)) < 0.01 / np.sqrt(400)


def test_kmeans_inertia_never_increases_and_means_are_cluster_means():
    x = data.sparse_features(300, 40, 0.8, np.random.default_rng(1))[0]
    inertias = []
    for iters in range(6):
        mu, c = init.kmeans(x, 12, np.random.default_rng(5), iters)  # same start every time
        inertias.append(_inertia(x, mu, c))
    assert all(b <= a + 1e-9 for a, b in zip(inertias, inertias[1:]))
    assert inertias[-1] < inertias[0]
    # each assignment is to the nearest centroid
    mu, c = init.kmeans(x, 12, np.random.default_rng(5), 3)
    d2 = ((x[:, None, :] - mu[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(c, d2.argmin(1))
    # after one more update, the centroids are the means of their clusters
    mu4, _ = init.kmeans(x, 12, np.random.default_rng(5), 4)
    for j in np.unique(c):
        np.testing.assert_allclose(mu4[j], x[c == j].mean(0), atol=1e-12)


def test_kmeans_finds_separated_blobs_and_is_seeded():
    rng = np.random.default_rng(2)
    centres = np.eye(3) * 10.0  # (3, 3)
    x = np.concatenate([c + 0.1 * rng.standard_normal((50, 3)) for c in centres])  # (150, 3)
    mu, c = init.kmeans(x, 3, np.random.default_rng(0), 10)
    assert np.sort(np.bincount(c)).tolist() == [50, 50, 50]
    np.testing.assert_allclose(np.sort(mu.max(1)), [10, 10, 10], atol=0.1)
    mu2, c2 = init.kmeans(x, 3, np.random.default_rng(0), 10)
    np.testing.assert_array_equal(mu, mu2)
    np.testing.assert_array_equal(c, c2)


def test_lookup_points_stores_data_and_values():
    rng = np.random.default_rng(3)
    x = data.sparse_features(30, 50, 0.8, rng, n_instances=2)  # (2, 30, 50)
    values = rng.standard_normal((2, 30, 7))
    W1, W2, filled = init.lookup_table(x, values, 10, np.random.default_rng(4), scaled=False)
    assert W1.shape == (2, 10, 50) and W2.shape == (2, 7, 10) and filled == 10
    for i in range(2):
        for j in range(10):
            t = np.flatnonzero((x[i] == W1[i, j]).all(1))  # the data point neuron j stores
            assert len(t) >= 1
            np.testing.assert_array_equal(W2[i, :, j], values[i, t[0]])
    S1, S2, _ = init.lookup_table(x, values, 10, np.random.default_rng(4), scaled=True)
    np.testing.assert_allclose(np.linalg.norm(S1, axis=2), 1 / np.sqrt(3))
    np.testing.assert_allclose(np.linalg.norm(S2, axis=1), np.sqrt(7 / 30))
    # the scaled keys point the same way as the data
    np.testing.assert_allclose(S1 / np.linalg.norm(S1, axis=2, keepdims=True),
                               W1 / np.linalg.norm(W1, axis=2, keepdims=True), atol=1e-12)


def test_lookup_kmeans_values_are_cluster_means():
    rng = np.random.default_rng(6)
    x = data.sparse_features(40, 20, 0.7, rng)  # (1, 40, 20)
    values = rng.standard_normal((1, 40, 4))
    W1, W2, _ = init.lookup_table(x, values, 5, np.random.default_rng(8), method="kmeans", scaled=False,
                                  kmeans_iters=3)
    mu, c = init.kmeans(x[0], 5, np.random.default_rng(8), 3)
    np.testing.assert_allclose(W1[0], mu)
    for j in range(5):
        np.testing.assert_allclose(W2[0, :, j], values[0, c == j].mean(0) if (c == j).any() else 0.0)


def test_init_lookup_recalls_one_hot_data_exactly():
    """Unscaled, on orthogonal data with T <= m, the lookup start already is the memorised
    solution: h = ReLU(W1 e_t) has one active neuron and W2 h = e_t."""
    x = data.one_hot(8)[None]  # (1, 8, 8)
    p = mlp.init_lookup(x, x, 12, np.random.default_rng(0), scaled=False)
    assert np.all(p["b1"][:, :8] == 0) and np.all(p["b1"][:, 8:] != 0)  # neurons 8.. keep the default init
    p["b1"][:, 8:] = -10.0  # switch the unused neurons off
    out, _ = mlp.forward(p, x)
    np.testing.assert_allclose(out, x, atol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(method="hash"), "method"),
    (dict(n_hidden=0), "n_hidden"),
    (dict(x=np.zeros((5, 3))), "x must be a 3-d"),
    (dict(values=np.zeros((1, 4, 3))), "values must be"),
])
def test_lookup_table_rejects_bad_input(kwargs, match):
    args = dict(x=np.zeros((1, 5, 3)), values=np.zeros((1, 5, 2)), n_hidden=4, rng=np.random.default_rng(0))
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        init.lookup_table(args.pop("x"), args.pop("values"), args.pop("n_hidden"), args.pop("rng"), **args)


def test_kmeans_rejects_bad_input():
    with pytest.raises(ValueError, match="k must be <="):
        init.kmeans(np.zeros((3, 2)), 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="x must be a 2-d"):
        init.kmeans(np.zeros(3), 1, np.random.default_rng(0))
    with pytest.raises(TypeError):
        init.kmeans(np.zeros((3, 2)), 2, 0)
