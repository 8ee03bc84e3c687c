"""AdamW and SGD against hand-computed sequences (and torch.optim.AdamW, torch.optim.SGD when torch
is installed); both optimisers on both backends; the Henighan schedule at its landmarks."""

import numpy as np
import pytest

from minimem import data, relu_output, unembed
from minimem.optim import SGD, AdamW, adamw_init, adamw_step, lr_schedule, sgd_init, sgd_step
from minimem.train import train


def test_adamw_three_steps_by_hand():
    # p0 = 1, grads 0.5, -0.3, 0.2, lr 0.1, weight decay 0.01, betas (0.9, 0.999), eps 1e-8.
    # Expected values computed with 40-digit decimals from the five numbered lines in optim.py:
    # step 1: p <- 1 - 0.1*0.01*1 = 0.999; m = 0.05, v = 0.00025; m_hat = 0.5, v_hat = 0.25;
    #         p <- 0.999 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.899000002
    expected_p = [0.89900000199999996, 0.87895119893977506, 0.84332947958994215]
    expected_m = [0.05, 0.015, 0.0335]
    expected_v = [0.00025, 0.00033975, 0.00037941025]
    params = {"p": np.array([1.0])}
    state = adamw_init(params)
    for t, g in enumerate([0.5, -0.3, 0.2]):
        adamw_step(params, {"p": np.array([g])}, state, lr=0.1, weight_decay=0.01)
        np.testing.assert_allclose(params["p"][0], expected_p[t], rtol=1e-15)
        np.testing.assert_allclose(state["m"]["p"][0], expected_m[t], rtol=1e-14)
        np.testing.assert_allclose(state["v"]["p"][0], expected_v[t], rtol=1e-14)
    assert state["t"] == 3


def test_adamw_no_decay_names_are_not_decayed():
    params = {"W": np.array([2.0]), "b": np.array([2.0])}
    state = adamw_init(params)
    zero = {"W": np.array([0.0]), "b": np.array([0.0])}
    adamw_step(params, zero, state, lr=0.5, weight_decay=0.1, no_decay={"b"})
    np.testing.assert_allclose(params["W"], [2.0 * (1 - 0.05)])  # decayed only
    np.testing.assert_allclose(params["b"], [2.0])


def test_adamw_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([tp], lr=0.01)
    params = {"W": p0.copy()}
    state = adamw_init(params)
    for g in grads:
        opt.zero_grad()
        tp.grad = torch.tensor(g)
        opt.step()
        adamw_step(params, {"W": g}, state, lr=0.01)
    np.testing.assert_allclose(params["W"], tp.detach().numpy(), rtol=1e-13, atol=1e-15)


def test_henighan_schedule_landmarks():
    lrs = lr_schedule(50_000, lr=1e-3, schedule="henighan", warmup=2500)
    assert lrs.shape == (50_000,)
    assert lrs[0] == 0.0  # warm-up start
    np.testing.assert_allclose(lrs[1250], 0.5e-3, rtol=1e-15)  # half way up, linear
    np.testing.assert_allclose(lrs[2500], 1e-3, rtol=1e-15)  # warm-up end = peak
    np.testing.assert_allclose(lrs[2500 + (50_000 - 1 - 2500) // 2], 0.5e-3, rtol=1e-4)  # cosine mid
    assert abs(lrs[-1]) < 1e-20  # last step: 0
    assert np.all(np.diff(lrs[:2501]) > 0) and np.all(np.diff(lrs[2500:]) <= 0)


def test_constant_schedule_and_bad_schedules():
    np.testing.assert_array_equal(lr_schedule(10, 0.1, "constant"), np.full(10, 0.1))
    with pytest.raises(ValueError, match="schedule"):
        lr_schedule(10, 0.1, "cosine")
    with pytest.raises(ValueError, match="warmup"):
        lr_schedule(100, 0.1, "henighan", warmup=100)
    with pytest.raises(ValueError, match="steps"):
        lr_schedule(0, 0.1)


def test_adam_reach_is_the_sum_of_learning_rates_less_the_decay():
    from minimem.optim import adam_reach, lr_schedule
    assert np.isclose(adam_reach(np.full(100, 1e-2)), 1.0)
    lrs = lr_schedule(1000, lr=1e-3, warmup=50)
    assert np.isclose(adam_reach(lrs), lrs.sum())
    # with decay: the recurrence unrolled, sum_t lr_t prod_{s>t} (1 - lr_s wd)
    wd = 0.5
    expect = sum(lrs[t] * np.prod(1 - lrs[t + 1:] * wd) for t in range(len(lrs)))
    assert np.isclose(adam_reach(lrs, wd), expect)
    # a coordinate with a constant-sign gradient moves by about the reach under AdamW
    from minimem.optim import adamw_init, adamw_step
    p = {"w": np.zeros(1)}
    state = adamw_init(p)
    for lr in lrs:
        adamw_step(p, {"w": np.array([-3.0])}, state, lr, weight_decay=wd)
    assert np.isclose(p["w"][0], adam_reach(lrs, wd), rtol=1e-3)


def test_sgd_three_steps_by_hand():
    # p0 = 1, grads 0.5, -0.3, 0.2, lr 0.1, momentum 0.9, weight decay 0.01, from the numbered lines:
    # L2 (torch's): step 1: g = 0.5 + 0.01 * 1 = 0.51, b = 0.51, p = 1 - 0.051 = 0.949;
    #   step 2: g = -0.3 + 0.00949 = -0.29051, b = 0.459 - 0.29051 = 0.16849, p = 0.932151;
    #   step 3: g = 0.2 + 0.00932151 = 0.20932151, b = 0.151641 + 0.20932151 = 0.36096251, p = 0.896054749
    # decoupled: step 1: p = 0.999, b = 0.5, p = 0.949; step 2: p = 0.948051, b = 0.15, p = 0.933051;
    #   step 3: p = 0.932117949, b = 0.335, p = 0.898617949
    for decoupled, expected_p, expected_b in [(False, [0.949, 0.932151, 0.896054749], [0.51, 0.16849, 0.36096251]),
                                              (True, [0.949, 0.933051, 0.898617949], [0.5, 0.15, 0.335])]:
        params = {"p": np.array([1.0])}
        state = sgd_init(params)
        for t, g in enumerate([0.5, -0.3, 0.2]):
            sgd_step(params, {"p": np.array([g])}, state, lr=0.1, momentum=0.9, weight_decay=0.01, decoupled=decoupled)
            np.testing.assert_allclose(params["p"][0], expected_p[t], rtol=1e-14)
            np.testing.assert_allclose(state["b"]["p"][0], expected_b[t], rtol=1e-14)


def test_sgd_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((3, 4))
    grads = [rng.standard_normal((3, 4)) for _ in range(5)]
    tp = torch.tensor(p0.copy(), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([tp], lr=0.05, momentum=0.9, weight_decay=0.01)
    params = {"W": p0.copy()}
    state = sgd_init(params)
    for g in grads:
        opt.zero_grad()
        tp.grad = torch.tensor(g)
        opt.step()
        sgd_step(params, {"W": g}, state, lr=0.05, momentum=0.9, weight_decay=0.01)
    np.testing.assert_allclose(params["W"], tp.detach().numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("decoupled", [False, True])
@pytest.mark.parametrize("model", [relu_output, unembed])
def test_sgd_trains_alike_on_both_backends(model, decoupled):
    rng = np.random.default_rng(2)
    x = data.sparse_features(9, 12, 0.7, rng, n_instances=2)
    params = model.init_params(12, 2, rng, n_instances=2)
    target = x if model is relu_output else data.hard_labels(x)
    kw = dict(steps=8, warmup=2, opt=SGD(lr=0.5, momentum=0.9, weight_decay=0.05, decoupled=decoupled))
    ref = train(model, params, x, target, backend="numpy", **kw)
    got = train(model, params, x, target, backend="numba", **kw)
    np.testing.assert_allclose(got.losses, ref.losses, rtol=1e-10)
    for k in ref.params:
        np.testing.assert_allclose(got.params[k], ref.params[k], rtol=1e-10, atol=1e-13)
    adam = train(model, params, x, target, steps=8, opt=AdamW(lr=0.5), warmup=2, backend="numpy")
    assert not np.allclose(adam.losses, ref.losses), "the optimizer argument changed nothing"


def test_sgd_settings_are_checked():
    p = relu_output.init_params(4, 2, np.random.default_rng(0))
    x = np.ones((1, 2, 4))
    with pytest.raises(TypeError, match="momentum"):  # AdamW has betas, and no momentum
        AdamW(momentum=0.9)
    with pytest.raises(TypeError, match="opt must be minimem.AdamW"):
        train(relu_output, p, x, x, steps=2, opt="adam")
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.0)
    with pytest.raises(TypeError, match="did you mean 'opt=SGD.momentum"):  # the settings train() once took
        train(relu_output, p, x, x, steps=2, momentum=0.9)
