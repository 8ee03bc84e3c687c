"""Metrics on closed-form cases."""

import numpy as np
import pytest

from minimem import metrics, relu_output


def _polygon(T, radius=1.0, phase=0.3):
    angles = phase + 2 * np.pi * np.arange(T) / T
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (T, 2)


@pytest.mark.parametrize("T", [3, 4, 5, 7, 12, 100])
def test_T_gon_in_2d_has_data_dimensionality_m_over_T(T):
    H = _polygon(T, radius=1.7)
    np.testing.assert_allclose(metrics.fractional_dimensionality(H), 2.0 / T, rtol=1e-12)


def test_orthogonal_features_have_dimension_one_and_no_superposition():
    W = np.zeros((3, 5))
    W[0, 0], W[1, 1], W[2, 2] = 2.0, 0.5, 1.0  # features 3, 4 unused (zero columns)
    np.testing.assert_allclose(metrics.feature_dimensionality(W), [1, 1, 1, 0, 0])
    np.testing.assert_allclose(metrics.superposition(W), 0.0)


def test_antipodal_pair_shares_one_dimension():
    W = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 3.0]])  # features 0, 1 antipodal, 2 alone
    np.testing.assert_allclose(metrics.feature_dimensionality(W), [0.5, 0.5, 1.0])
    W = np.array([[1.0, -2.0, 0.0], [0.0, 0.0, 3.0]])  # unequal norms: D = 1/(1+4), 4/(4+1)
    np.testing.assert_allclose(metrics.feature_dimensionality(W), [0.2, 0.8, 1.0])
    # superposition_0 = (W0_hat . W1)^2 = 4; superposition_1 = (W1_hat . W0)^2 = 1
    np.testing.assert_allclose(metrics.superposition(W), [4.0, 1.0, 0.0])


def test_superposition_by_definition_on_random_W():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((2, 4, 6))  # (I, m, n)
    got = metrics.superposition(W)
    for k in range(2):
        for i in range(6):
            wi = W[k, :, i] / np.linalg.norm(W[k, :, i])
            expect = sum((wi @ W[k, :, j]) ** 2 for j in range(6) if j != i)
            np.testing.assert_allclose(got[k, i], expect, rtol=1e-12)


@pytest.mark.parametrize("T,m,rank", [(10, 2, 2), (50, 5, 5), (3, 5, 3), (20, 4, 2)])
def test_max_data_dimensionality_sums_to_rank(T, m, rank):
    rng = np.random.default_rng(T * m)
    H = rng.standard_normal((T, rank)) @ rng.standard_normal((rank, m))  # rank-deficient when rank < m
    D = metrics.max_data_dimensionality(H)
    assert D.shape == (T,)
    np.testing.assert_allclose(D.sum(), rank, rtol=1e-9)
    assert np.all(D > -1e-12) and np.all(D < 1 + 1e-12)


def test_max_data_dimensionality_of_T_gon_is_m_over_T():
    np.testing.assert_allclose(metrics.max_data_dimensionality(_polygon(8)), 2 / 8, rtol=1e-12)


def test_cosine_similarity():
    V = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [0.0, 0.0]])
    C = metrics.cosine_similarity(V)
    np.testing.assert_allclose(C[0], [1, 0, -1, 0])
    np.testing.assert_allclose(np.diag(C), [1, 1, 1, 0])


def test_argmax_and_onehot_accuracy():
    out = np.array([[[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]])
    np.testing.assert_allclose(metrics.argmax_accuracy(out, np.array([[1, 0, 0]])), [2 / 3])
    np.testing.assert_allclose(metrics.argmax_accuracy(out, out), [1.0])
    # a tied relu_output model with W = identity reconstructs every one-hot vector
    params = {"W": np.eye(4)[None], "b_final": np.zeros((1, 4))}
    np.testing.assert_allclose(metrics.onehot_accuracy(relu_output.forward, params, 4, 1), [1.0])
    # through an embedding E (d=4, n=4) and the identity model: argmax(E e_i) vs argmax(E' e_i)
    E = np.abs(np.random.default_rng(1).standard_normal((4, 4)))
    acc = metrics.onehot_accuracy(relu_output.forward, params, 4, 1, E=E, E_out=E)
    np.testing.assert_allclose(acc, [1.0])


def test_affine_rank_bound_is_the_residual_of_the_best_rank_m_affine_fit():
    rng = np.random.default_rng(3)
    x = rng.random((2, 12, 7))  # (I, T, n)
    m = 2
    got = metrics.affine_rank_bound(x, m)
    for i in range(2):
        xc = x[i] - x[i].mean(0)
        U, s, Vt = np.linalg.svd(xc, full_matrices=False)
        fit = x[i].mean(0) + (U[:, :m] * s[:m]) @ Vt[:m]  # the projection onto the top-m principal plane
        assert np.isclose(got[i], np.sum((x[i] - fit) ** 2) / 12, rtol=1e-12)
        # any other rank-m affine map does worse: a random m-plane through the mean
        Q = np.linalg.qr(rng.standard_normal((7, m)))[0]
        assert np.sum((xc - xc @ Q @ Q.T) ** 2) / 12 >= got[i]
    assert np.allclose(metrics.affine_rank_bound(x[:, :m + 1], m), 0, atol=1e-14)  # m+1 points fit exactly


@pytest.mark.parametrize("T", [5, 40])
def test_affine_rank_bound_from_the_gram_matrix_equals_the_svds(T):
    """Both sides of the Gram matrix (T < n and T > n), on sparse data as the figures use it."""
    rng = np.random.default_rng(T)
    x = rng.random((3, T, 20)) * (rng.random((3, T, 20)) > 0.8)  # (I, T, n)
    s = np.linalg.svd(x - x.mean(1, keepdims=True), compute_uv=False)
    for m in (0, 1, 2, 4):
        np.testing.assert_allclose(metrics.affine_rank_bound(x, m), np.sum(s[:, m:] ** 2, axis=1) / T,
                                   rtol=1e-12, atol=1e-14)


def test_squareness_is_one_for_squares_at_any_rotation_and_small_for_discs():
    rng = np.random.default_rng(0)
    square = rng.uniform(-1, 1, (2, 40_000))  # sampling noise about 0.03
    th = 0.7
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    assert abs(metrics.squareness(square) - 1) < 0.1
    assert np.isclose(metrics.squareness(R @ square), metrics.squareness(square))
    assert np.isclose(metrics.squareness(5 * square), metrics.squareness(square))
    u, r = rng.uniform(0, 2 * np.pi, 4000), np.sqrt(rng.uniform(0, 1, 4000))
    assert metrics.squareness(np.stack([r * np.cos(u), r * np.sin(u)])) < 0.2
    mean, p95 = metrics.squareness_reference(4000, rng)
    assert mean < 0.15 and p95 < 0.25
    assert metrics.squareness(np.stack([square, R @ square])).shape == (2,)
    assert abs(metrics.square_corners(square) - 45) < 2  # sides along the axes: corners at 45 degrees
    assert abs(metrics.square_corners(R @ square) - (45 + np.degrees(th)) % 90) < 2
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2, N\)"):
        metrics.squareness(np.zeros((3, 10)))
    # a wedge on one side of the origin also has a four-fold harmonic; lopsidedness tells it apart
    wedge = np.abs(square)  # the first quadrant
    assert metrics.squareness(wedge) > 0.9 and metrics.lopsidedness(wedge) > 0.5
    assert metrics.lopsidedness(square) < 0.05 and metrics.lopsidedness(R @ square) < 0.05
    line = np.stack([square[0], 0.05 * square[0]])  # along one direction through the origin
    assert metrics.lopsidedness(line) > 0.9
