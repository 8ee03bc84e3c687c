"""The training loop: independence of instances, snapshots, divergence, best-of-k, progress."""

import numpy as np
import pytest

from minimem import data, mlp, relu_output, unembed
from minimem.optim import adamw_init, adamw_step, lr_schedule
from minimem.train import TrainingDiverged, best_of_seeds, select_instances, train


def _setup(I=3, T=6, n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = data.sparse_features(T, n, 0.5, rng, n_instances=I, normalize=True)
    return relu_output.init_params(n, 2, rng, n_instances=I), x


def test_train_matches_the_loop_written_out():
    params, x = _setup()
    res = train(relu_output, params, x, x, steps=20, warmup=5, lr=1e-2, snapshot_steps=[0, 7, 20],
                backend="numpy")
    p = {k: v.copy() for k, v in params.items()}
    state = adamw_init(p)
    lrs = lr_schedule(20, 1e-2, "henighan", 5)
    for s in range(20):
        if s == 7:
            for k in p:
                np.testing.assert_array_equal(res.snapshots[7][k], p[k])
        loss, g = relu_output.loss_and_grads(p, x, x)
        np.testing.assert_array_equal(res.losses[s], loss)
        adamw_step(p, g, state, lrs[s])
    for k in p:
        np.testing.assert_array_equal(res.params[k], p[k])
        np.testing.assert_array_equal(res.snapshots[0][k], params[k])  # input params untouched
        np.testing.assert_array_equal(res.snapshots[20][k], p[k])
    np.testing.assert_array_equal(res.final_loss, relu_output.loss_and_grads(p, x, x)[0])


def test_instances_train_independently():
    params, x = _setup(I=3)
    together = train(relu_output, params, x, x, steps=30, warmup=3, lr=1e-2)
    for k in range(3):
        one = train(relu_output, select_instances(params, [k]), x[k:k + 1], x[k:k + 1], steps=30,
                    warmup=3, lr=1e-2)
        np.testing.assert_allclose(one.losses[:, 0], together.losses[:, k], rtol=1e-12)
        for name in params:
            np.testing.assert_allclose(one.params[name][0], together.params[name][k], rtol=1e-11, atol=1e-14)


def test_training_reduces_loss_for_every_model():
    rng = np.random.default_rng(1)
    x = data.sparse_features(20, 10, 0.7, rng, n_instances=2)
    p = mlp.init_params(10, 4, rng, n_instances=2)
    r = train(mlp, p, x, x, steps=300, warmup=10, lr=1e-2)
    assert np.all(r.final_loss < 0.5 * r.losses[0])
    p = unembed.init_params(10, 4, rng, n_instances=2)
    r = train("unembed", p, x, data.hard_labels(x), steps=300, warmup=10, lr=1e-2)
    assert np.all(r.final_loss < 0.5 * r.losses[0])


def test_divergence_names_the_step():
    params, x = _setup()
    with pytest.raises(TrainingDiverged, match="at step 1"):
        train(relu_output, params, x, x, steps=10, lr=1e300, schedule="constant")


def test_best_of_seeds():
    idx = best_of_seeds(np.array([3.0, 1.0, 2.0, 0.5, 0.7, 0.1]), 3)
    np.testing.assert_array_equal(idx, [1, 5])
    with pytest.raises(ValueError, match="n_seeds"):
        best_of_seeds(np.ones(5), 3)


def test_progress_bar_when_asked(capsys):
    params, x = _setup()
    train(relu_output, params, x, x, steps=5, schedule="constant", progress=True, desc="demo")
    err = capsys.readouterr().err
    assert "demo" in err and "5/5" in err
    train(relu_output, params, x, x, steps=5, schedule="constant")  # short run: silent by default
    assert capsys.readouterr().err == ""


def test_bad_snapshot_step():
    params, x = _setup()
    with pytest.raises(ValueError, match="snapshot_steps"):
        train(relu_output, params, x, x, steps=5, schedule="constant", snapshot_steps=[6])


def test_evaluate_is_the_same_on_both_backends():
    from minimem.train import evaluate
    params, x = _setup(I=3)
    ref = relu_output.loss_and_grads(params, x, x)[0]
    np.testing.assert_allclose(evaluate(relu_output, params, x, x, backend="numpy"), ref, rtol=0)
    np.testing.assert_allclose(evaluate(relu_output, params, x, x, backend="numba"), ref, rtol=1e-12)
    with pytest.raises(ValueError, match="target"):
        evaluate(relu_output, params, x, x[:, :, :-1])
