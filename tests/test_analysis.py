"""minimem.analysis on closed-form cases: the split of a test loss into where it comes from."""

import numpy as np
import pytest

from minimem import analysis, losses, mlp, relu_output, unembed


def test_the_mse_splits_into_off_and_on_entries_in_closed_form():
    x = np.array([[[1.0, 0.0, 0.0], [0.0, 0.5, 0.0]]])  # (I=1, T=2, n=3)
    out = np.array([[[0.5, 2.0, 0.0], [1.0, 0.5, -1.0]]])
    off, on = analysis.error_split(out, x)
    np.testing.assert_allclose(off, [(4.0 + 0.0 + 1.0 + 1.0) / 2])  # 2^2 + 0 | 1^2 + (-1)^2, over T=2
    np.testing.assert_allclose(on, [(0.25 + 0.0) / 2])  # (0.5-1)^2 | (0.5-0.5)^2
    np.testing.assert_allclose(off + on, losses.mse(out, x)[0])


def test_the_off_energy_counts_what_an_output_relu_hides():
    x = np.array([[[1.0, 0.0, 0.0]]])
    pre = np.array([[[3.0, -2.0, 0.5]]])
    energy, hidden = analysis.off_energy(pre, x)
    np.testing.assert_allclose(energy, [4.0 + 0.25])
    np.testing.assert_allclose(hidden, [4.0])
    off, _ = analysis.error_split(np.maximum(pre, 0), x)
    np.testing.assert_allclose(off + hidden, energy)  # with an output ReLU: seen + hidden = all


def test_outputs_and_pre_activations_of_each_model():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(2, 5, 6))
    p = relu_output.init_params(6, 2, rng, n_instances=2)
    p["b_final"] = rng.standard_normal(p["b_final"].shape)
    out, pre = analysis.output_and_pre(relu_output, p, x)
    np.testing.assert_array_equal(out, np.maximum(pre, 0))
    assert (pre < 0).any()
    q = mlp.init_params(6, 3, rng, n_instances=2)
    out, pre = analysis.output_and_pre(mlp, q, x)
    np.testing.assert_array_equal(out, pre)  # no output ReLU: the loss sees every pre-activation
    out, pre = analysis.output_and_pre(mlp, q, x, relu_out=True)
    np.testing.assert_array_equal(out, np.maximum(pre, 0))
    u = unembed.init_params(6, 2, rng, n_instances=2)
    out, pre = analysis.output_and_pre(unembed, u, x)
    np.testing.assert_array_equal(out, pre)
    with pytest.raises(ValueError, match="model must be"):
        analysis.output_and_pre(losses, p, x)


def test_cross_entropy_is_the_margin_plus_a_bounded_rest():
    logits = np.array([[[2.0, 0.0, 5.0, -1.0], [1.0, 1.0, 1.0, 1.0]]])  # (I=1, T=2, V=4)
    labels = np.array([[0, 3]])
    margin, rest, beaten = analysis.logit_split(logits, labels)
    np.testing.assert_allclose(margin, [(3.0 + 0.0) / 2])
    np.testing.assert_allclose(beaten, [(1 + 0) / 2])  # ties do not beat the correct logit
    ce = losses.cross_entropy(logits, labels)[0]
    np.testing.assert_allclose(margin + rest, ce, rtol=1e-12)
    assert np.all(rest >= 0) and np.all(rest <= np.log(4))


def test_angular_harmonics_find_a_rose_and_not_a_disc():
    rng = np.random.default_rng(1)
    theta = rng.uniform(-np.pi, np.pi, 2000)
    r = np.abs(np.cos(2 * theta))  # a four-petal rose
    rose = np.stack([r * np.cos(theta), r * np.sin(theta)])
    strength, ref = analysis.angular_harmonics(rose, [1, 2, 4], rng)
    assert strength[2] > 5 * ref[2] and strength[0] < ref[0] * 2
    # the r-weighted four-fold harmonic of |cos 2t| is (1/2pi) int |cos 2t| cos 4t dt / (2/pi) = 1/3
    np.testing.assert_allclose(strength[2], 1 / 3, atol=0.02)
    disc = rng.standard_normal((2, 2000))
    strength, ref = analysis.angular_harmonics(disc, [1, 2, 4], rng)
    assert np.all(strength < 2 * ref)
    with pytest.raises(ValueError, match=r"points must have shape \(2, N\)"):
        analysis.angular_harmonics(disc.T, [4], rng)
