"""Central-difference gradient checks, float64, for every model, loss and option.

Every parameter (biases included) is random and non-zero, the inputs are dense Gaussian (sparse
data with zero biases would sit on the ReLU kinks), the upstream gradient is random, and a case is
re-drawn until no pre-activation lies within KINK of zero."""

import numpy as np
import pytest

from minimem import losses, mlp, relu_hidden, relu_output, unembed
from gradcheck import check_grads, numerical_grad, numerical_vjp

H = 1e-6
KINK = 1e-4  # >> H * |d pre / d param|: no perturbation can flip a ReLU
I, T, N = 2, 4, 5  # instances, samples, features

# (label, module, init kwargs, forward options, loss, target kind)
CASES = [
    ("relu_output tied", relu_output, {"tied": True}, {}, "mse", "x"),
    ("relu_output untied", relu_output, {"tied": False}, {}, "mse", "x"),
    ("relu_hidden", relu_hidden, {}, {}, "mse", "x"),
    ("mlp", mlp, {}, {"relu_out": False}, "mse", "x"),
    ("mlp relu_out", mlp, {}, {"relu_out": True}, "mse", "x"),
    ("mlp n_out=3", mlp, {"n_out": 3}, {}, "mse", "y3"),
    ("mlp ce hard", mlp, {}, {}, "ce", "hard"),
    ("mlp ce soft", mlp, {}, {}, "ce", "soft"),
    ("unembed ce hard", unembed, {}, {}, "ce", "hard"),
    ("unembed ce soft", unembed, {}, {}, "ce", "soft"),
    ("unembed b1 ce hard", unembed, {"hidden_bias": True}, {}, "ce", "hard"),
    ("unembed n_classes=7 ce", unembed, {"n_classes": 7}, {}, "ce", "hard7"),
]
IDS = [c[0] for c in CASES]


def _draw(module, init_kw, fwd, seed):
    """Random non-zero params and dense inputs, re-drawn until no pre-activation is near a kink."""
    for attempt in range(100):
        rng = np.random.default_rng([seed, attempt])
        params = module.init_params(N, 3, rng, n_instances=I, **init_kw)
        params = {k: rng.standard_normal(v.shape) * 0.7 for k, v in params.items()}  # all non-zero
        x = rng.standard_normal((I, T, N))  # dense
        _, cache = module.forward(params, x, **fwd)
        gates = [cache[k] for k in ("pre", "a", "z") if k in cache]
        if all(np.min(np.abs(g)) > KINK for g in gates):
            return params, x, rng
    raise RuntimeError("could not draw a case away from the ReLU kinks")


def _target(kind, x, rng):
    if kind == "x":
        return x
    if kind == "y3":
        return rng.standard_normal(x.shape[:2] + (3,))
    if kind == "hard":
        return rng.integers(0, N, size=x.shape[:2])
    if kind == "hard7":
        return rng.integers(0, 7, size=x.shape[:2])
    p = rng.random(x.shape)  # soft: a random distribution per sample
    return p / p.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_matches_finite_difference_vjp(case):
    label, module, init_kw, fwd, _, _ = case
    params, x, rng = _draw(module, init_kw, fwd, seed=1)
    out, cache = module.forward(params, x, **fwd)
    dout = rng.standard_normal(out.shape)  # random upstream gradient, not ones
    analytic = module.backward(dout, cache)
    numeric = {k: numerical_vjp(lambda: module.forward(params, x, **fwd)[0], params[k], dout, H)
               for k in params}
    check_grads(analytic, numeric, label=label + " vjp")


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
def test_loss_and_grads_match_finite_difference(case, masked):
    label, module, init_kw, fwd, loss, kind = case
    params, x, rng = _draw(module, init_kw, fwd, seed=2)
    target = _target(kind, x, rng)
    mask = None
    if masked:
        mask = np.ones((I, T), dtype=bool)
        mask[1, 2:] = False  # instance 1 has 2 samples, instance 0 all 4
    kw = dict(loss=loss, mask=mask, **fwd)
    if loss == "mse":
        kw["importance"] = rng.random((I, target.shape[-1])) + 0.1
    _, analytic = module.loss_and_grads(params, x, target, **kw)
    numeric = {k: numerical_grad(lambda: module.loss_and_grads(params, x, target, **kw)[0].sum(), params[k], H)
               for k in params}
    check_grads(analytic, numeric, label=f"{label} {'masked' if masked else 'full'}")


def test_mse_gradient_and_value():
    rng = np.random.default_rng(3)
    out, y = rng.standard_normal((2, 6, 4)), rng.standard_normal((2, 6, 4))
    imp = rng.random(4) + 0.1
    mask = np.ones((2, 6), bool)
    mask[0, 4:] = False
    loss, dout = losses.mse(out, y, imp, mask)
    expect0 = np.sum(imp * (out[0, :4] - y[0, :4]) ** 2) / 4  # written out for instance 0
    np.testing.assert_allclose(loss[0], expect0, rtol=1e-14)
    num = numerical_grad(lambda: losses.mse(out, y, imp, mask)[0].sum(), out, H)
    check_grads({"out": dout}, {"out": num}, label="mse")


def test_mse_all_zero_output_scores_one_on_normalised_data():
    from minimem.data import sparse_features
    x = sparse_features(2000, 50, 0.9, np.random.default_rng(0), normalize=True)
    x = x[:, np.any(x != 0, axis=-1)[0]]  # keep non-zero samples
    loss, _ = losses.mse(np.zeros_like(x), x)
    np.testing.assert_allclose(loss, 1.0, rtol=1e-12)


def _ce_unfused(logits, y, counts):
    """Softmax cross-entropy step by step: logsumexp, log-probs, NLL, and its backward chain."""
    zmax = logits.max(-1, keepdims=True)
    lse = zmax + np.log(np.exp(logits - zmax).sum(-1, keepdims=True))  # (I, T, 1)
    logp = logits - lse  # (I, T, V)
    nll = -(y * logp).sum(-1)  # (I, T)
    loss = nll.sum(-1) / counts  # (I,)
    # backward, one node at a time
    dnll = np.ones_like(nll) / counts[:, None]  # (I, T)
    dlogp = -y * dnll[..., None]  # (I, T, V)
    dlse = -dlogp.sum(-1, keepdims=True)  # (I, T, 1)  logp = logits - lse
    dlogits = dlogp + dlse * np.exp(logits - lse)  # d lse / d logits = softmax
    return loss, dlogits


@pytest.mark.parametrize("kind", ["hard", "soft", "unnormalised"])
def test_cross_entropy_fused_matches_unfused_and_finite_difference(kind):
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((2, 5, 6)) * 3
    if kind == "hard":
        target = rng.integers(0, 6, size=(2, 5))
        y = np.eye(6)[target]
    else:
        y = rng.random((2, 5, 6))
        if kind == "soft":
            y /= y.sum(-1, keepdims=True)
        target = y
    loss, dlogits = losses.cross_entropy(logits, target)
    ref_loss, ref_dlogits = _ce_unfused(logits, y, np.full(2, 5.0))
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-13)
    np.testing.assert_allclose(dlogits, ref_dlogits, rtol=1e-12, atol=1e-15)
    num = numerical_grad(lambda: losses.cross_entropy(logits, target)[0].sum(), logits, H)
    check_grads({"logits": dlogits}, {"logits": num}, label=f"ce {kind}")


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[[1000.0, 0.0, -1000.0]]])
    loss, d = losses.cross_entropy(logits, np.array([[0]]))
    assert np.isfinite(loss).all() and np.isfinite(d).all()
    np.testing.assert_allclose(loss, 0.0, atol=1e-300)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_padding_does_not_change_loss_or_grads(case):
    """A padded instance (mask) gives exactly the loss and grads of its unpadded data set."""
    label, module, init_kw, fwd, loss, kind = case
    params, x, rng = _draw(module, init_kw, fwd, seed=5)
    target = _target(kind, x, rng)
    mask = np.ones((I, T), bool)
    mask[:, 3:] = False
    full_l, full_g = module.loss_and_grads(params, x[:, :3], target[:, :3], loss=loss, **fwd)
    pad_l, pad_g = module.loss_and_grads(params, x, target, loss=loss, mask=mask, **fwd)
    np.testing.assert_allclose(pad_l, full_l, rtol=1e-13)
    for k in full_g:
        np.testing.assert_allclose(pad_g[k], full_g[k], rtol=1e-12, atol=1e-14, err_msg=k)
