"""The numbers behind the verdicts (minimem.experiments.verdicts) on closed-form cases: peaks, rises and
returns, best of k, null levels, dead units, lost outputs, steps to a threshold, the sizes X1 picks."""

import numpy as np
import pytest

from minimem import experiments

SIZES = np.array([3, 10, 30, 100, 300, 1000])
TEST = np.array([[1.0, 1.0], [1.02, 1.0], [2.0, 4.0], [9.0, 5.0], [3.0, 6.0], [1.01, 1.03]])  # (sizes, seeds)


def test_peak_rise_and_return_of_a_sweep():
    T, height, per_seed = experiments.peak(SIZES, TEST)
    assert (T, height) == (100, 7.0)
    assert per_seed == [(100, 9.0), (300, 6.0)]
    mean = TEST.mean(1)
    assert experiments.rise(SIZES, mean, 3, 1.0) == 30  # 1.01 at T=10 is within 5%: the rise starts at 30
    assert experiments.rise(SIZES, mean, 0, 1.0) is None  # a peak at the smallest T rose from nowhere
    assert experiments.back_to(SIZES, mean, 3, 1.0) == 1000  # first within 5% of the null level after the peak
    assert experiments.back_to(SIZES, mean[:5], 3, 1.0) is None


def test_best_of_k_picks_each_groups_lowest_train_loss():
    train = np.array([0.5, 0.1, 0.9, 0.3, 0.2, 0.8, 0.7])
    test = np.array([1.0, 10.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert experiments.best_of(train, test, 1) == pytest.approx(test.mean())
    assert experiments.best_of(train, test, 2) == pytest.approx((10.0 + 4.0 + 5.0) / 3)  # the 7th seed left out
    assert experiments.best_of(train, test, 4) == pytest.approx(10.0)
    assert np.isnan(experiments.best_of(train, test, 8))


def test_steps_to_a_threshold_and_never():
    curve = np.array([[1.0, 1.0], [0.5, 1.0], [0.05, 0.9], [0.01, 0.8]])  # (steps, instances)
    np.testing.assert_array_equal(experiments.steps_to(curve, 0.1), [2, -1])


def test_the_sizes_x1_compares_are_around_the_peak_or_the_threshold():
    sizes = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    train = np.full((9, 2), 0.5)
    test = np.ones((9, 2))
    test[5] = 3.0  # a peak at T=500
    picks, what = experiments.lookup_sizes(sizes, train, test, 0.1)
    assert [sizes[i] for i in picks] == [100, 500, 2000] and what == "test-loss peak"
    test[:] = np.linspace(2, 1, 9)[:, None]  # no interior peak: the interpolation threshold decides
    train[:2] = 0.0
    picks, what = experiments.lookup_sizes(sizes, train, test, 0.1)
    assert [sizes[i] for i in picks] == [10, 20, 100] and what.startswith("no interior test-loss peak")


def test_dead_units_are_off_for_every_training_point():
    p = {"W1": np.array([[[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]]), "b1": np.array([[0.0, 0.0, -2.0]]),
         "W2": np.zeros((1, 2, 3)), "b2": np.zeros((1, 2))}
    x = np.array([[[1.0, 0.0], [0.5, 1.0]]])  # unit 1 is off (pre-activation -1, -0.5), unit 2 too (-2, -1)
    np.testing.assert_array_equal(experiments.dead_units(p, x), [2])


def test_the_null_level_is_the_loss_of_zero_parameters_in_closed_form():
    """All-zeros output: mean |x|^2 (1 on normalised data); uniform logits: log V times the target's mass."""
    for name in ("bottleneck_dd", "mlp_dd", "mlp_dd_relu_out"):
        np.testing.assert_allclose(experiments.null_loss(experiments.config(name, "smoke")), 1.0, rtol=1e-6)
    for name in ("unembed_dd", "unembed_dd_soft"):
        np.testing.assert_allclose(experiments.null_loss(experiments.config(name, "smoke")), np.log(1000), rtol=1e-6)
    cfg = experiments.config("unembed_dd_input", "smoke")
    mass = experiments.test_sets(cfg).astype(np.float64).sum(-1).mean(-1)  # (seeds,)
    np.testing.assert_allclose(experiments.null_loss(cfg), np.log(1000) * mass, rtol=1e-6)
    np.testing.assert_allclose(experiments.null_loss(experiments.config("sparse_grid", "smoke"), m=3), 1.0, rtol=1e-6)

def test_the_embedding_grids_null_level_is_the_mean_squared_target():
    """M8-M10's all-zeros test MSE: the share of non-zero test samples for big fish's normalised x
    (|x|^2 = 1 or 0), mean |E x|^2 for small fish."""
    cfg = experiments.config("embed_big_fish", "smoke")
    n, d, m = cfg["features"][0], cfg["bottleneck"][0], cfg["hidden"][0]
    xt = experiments.test_sets(dict(cfg, n=n, seeds=1))[0]  # (n_test, n)
    np.testing.assert_allclose(experiments.embed_null_loss(cfg, n, d, m), (xt != 0).any(-1).mean(), rtol=1e-6)
    cfg = experiments.config("embed_small_fish", "smoke")
    E, E_out, _, xt, _ = experiments.embed_data(cfg, n, d, m)
    assert E_out is E
    y = xt[0].astype(np.float64) @ E.T.astype(np.float64)  # (n_test, d)
    np.testing.assert_allclose(experiments.embed_null_loss(cfg, n, d, m), (y ** 2).sum(-1).mean(), rtol=1e-5)

def test_lost_outputs_counts_active_entries_behind_an_off_output_relu():
    x = np.array([[[1.0, 0.0], [0.0, 1.0]]])  # (I=1, T=2, n=2)
    params = {"W": np.array([[[1.0, 0.0]]]), "b_final": np.array([[0.0, -1.0]])}  # pre = [[1, -1], [0, -1]]
    share, err = experiments.lost_outputs(params, x)
    np.testing.assert_allclose(share, [0.5])  # of the 2 active entries, x_11 has its output off
    np.testing.assert_allclose(err, [0.5])  # its squared error 1, over T=2 samples
