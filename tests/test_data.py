"""Data: sparsity, normalisation, importances, one-hot sets, embeddings, labels, ragged stacking."""

import numpy as np
import pytest

from minimem import data


def test_sparse_features_sparsity_range_and_seed():
    x = data.sparse_features(4000, 50, 0.9, np.random.default_rng(0), n_instances=2)
    assert x.shape == (2, 4000, 50) and x.dtype == np.float64
    frac = np.mean(x != 0)
    assert abs(frac - 0.1) < 0.005  # 200k Bernoulli(0.1) draws: std 7e-4
    assert x.min() >= 0 and x.max() < 1
    y = data.sparse_features(4000, 50, 0.9, np.random.default_rng(0), n_instances=2)
    np.testing.assert_array_equal(x, y)  # same seed, same numbers
    z32 = data.sparse_features(4000, 50, 0.9, np.random.default_rng(0), n_instances=2, dtype=np.float32)
    np.testing.assert_array_equal(z32, x.astype(np.float32))


def test_per_instance_sparsity():
    x = data.sparse_features(3000, 40, np.array([0.0, 0.5, 0.99]), np.random.default_rng(1), n_instances=3)
    fracs = np.mean(x != 0, axis=(1, 2))
    np.testing.assert_allclose(fracs, [1.0, 0.5, 0.01], atol=0.01)


def test_normalised_rows_unit_or_zero():
    x = data.sparse_features(500, 20, 0.95, np.random.default_rng(2), normalize=True)
    norms = np.linalg.norm(x, axis=-1)
    nonzero = data.nonzero_mask(x)
    assert (~nonzero).any(), "expect some all-zero rows at S=0.95, n=20"
    np.testing.assert_allclose(norms[nonzero], 1.0, rtol=1e-12)
    assert np.all(norms[~nonzero] == 0)


def test_importances():
    np.testing.assert_allclose(data.importance_geometric(3, 0.7), [1, 0.7, 0.49])
    np.testing.assert_array_equal(data.importance_uniform(3), [1, 1, 1])
    np.testing.assert_allclose(data.importance_exp100(3), [1, 0.1, 0.01])


def test_one_hot_and_antipodal():
    np.testing.assert_array_equal(data.one_hot(3), np.eye(3))
    x, y = data.antipodal_one_hot(2)
    np.testing.assert_array_equal(x, [[1, 0], [-1, 0], [0, 1], [0, -1]])
    np.testing.assert_array_equal(y, [0, 1, 2, 3])


def test_embedding_is_fixed_per_seed_and_standard_gaussian():
    E = data.gaussian_embedding(50, 400, np.random.default_rng(3))
    assert E.shape == (50, 400)
    assert abs(E.mean()) < 0.02 and abs(E.std() - 1) < 0.02
    np.testing.assert_array_equal(E, data.gaussian_embedding(50, 400, np.random.default_rng(3)))
    x = np.random.default_rng(4).random((2, 7, 400))
    np.testing.assert_allclose(data.embed(x, E), np.einsum("dn,itn->itd", E, x))


def test_labels():
    x = np.array([[[0.1, 0.5, 0.2], [0.0, 0.0, 0.0]]])
    np.testing.assert_array_equal(data.hard_labels(x), [[1, 0]])
    y = data.soft_labels(x)
    np.testing.assert_allclose(y[0, 0], [0.125, 0.625, 0.25])
    np.testing.assert_allclose(y[0, 1], [1 / 3] * 3)
    with pytest.raises(ValueError, match="non-negative"):
        data.soft_labels(-x)


def test_stack_ragged():
    a, b = np.ones((2, 3)), 2 * np.ones((4, 3))
    x, mask = data.stack_ragged([a, b])
    assert x.shape == (2, 4, 3)
    np.testing.assert_array_equal(mask, [[1, 1, 0, 0], [1, 1, 1, 1]])
    assert np.all(x[0, 2:] == 0)
    with pytest.raises(ValueError, match="trailing shape"):
        data.stack_ragged([a, np.ones((2, 4))])
