"""A model of one's own: numpy trains it from forward, backward and loss_and_grads alone; the numba
kernels run it only when its kernel_layout describes it (fused.verify_model), and backend='auto'
falls back to numpy, in one line, when it does not."""

import types

import numpy as np
import pytest

import softplus_output
from minimem import data, fused, relu_output
from minimem.train import evaluate, train

STEPS = dict(steps=40, warmup=4)


def _setup(I=2, T=30, n=12, m=3, dtype=np.float64):
    rng = np.random.default_rng(1)
    x = data.sparse_features(T, n, 0.7, rng, n_instances=I, dtype=dtype)
    return softplus_output.init_params(n, m, rng, n_instances=I, dtype=dtype), x


def _without(module, *names):
    """The module's functions as a plain namespace, without ``names``."""
    keep = {k: getattr(module, k) for k in ("forward", "backward", "loss_and_grads", "init_params", "SHAPES", "OUTPUT",
                                            "kernel_layout", "DEFAULT_LOSS") if hasattr(module, k)}
    return types.SimpleNamespace(__name__=module.__name__, **{k: v for k, v in keep.items() if k not in names})


def test_a_wrong_kernel_layout_is_refused_by_the_numba_backend():
    params, x = _setup()
    with pytest.raises(fused.KernelMismatch, match=r"softplus_output.kernel_layout .* describes a different model"
                                                    r".*the (loss|gradient of params\['\w+'\]) from the numba kernels"):
        train(softplus_output, params, x, x, backend="numba", **STEPS)
    with pytest.raises(fused.KernelMismatch, match="softplus_output"):
        evaluate(softplus_output, params, x, x, backend="numba")


def test_auto_trains_a_wrong_layout_on_numpy_and_says_so_once(capfd):
    params, x = _setup()
    ref = train(softplus_output, params, x, x, backend="numpy", **STEPS)
    for _ in range(2):
        got = train(softplus_output, params, x, x, backend="auto", **STEPS)
        np.testing.assert_array_equal(got.losses, ref.losses)
        np.testing.assert_array_equal(got.params["W"], ref.params["W"])
    np.testing.assert_array_equal(evaluate(softplus_output, params, x, x),
                                  evaluate(softplus_output, params, x, x, backend="numpy"))
    err = capfd.readouterr().err
    said = [line for line in err.splitlines() if "softplus_output.kernel_layout describes a different model" in line]
    assert len(said) == 1 and said[0].endswith("using the numpy backend"), err
    # and the ReLU kernels would have trained something else: their loss is not the model's
    relu = train(relu_output, params, x, x, backend="numpy", **STEPS)
    assert not np.allclose(relu.final_loss, ref.final_loss, rtol=1e-3)


def test_the_check_runs_in_float64_for_float32_params():
    params, x = _setup(dtype=np.float32)
    with pytest.raises(fused.KernelMismatch, match="float64"):
        train(softplus_output, params, x, x, backend="numba", **STEPS)


def test_a_model_without_kernel_layout_or_shapes_trains_on_numpy():
    params, x = _setup()
    bare = _without(softplus_output, "kernel_layout", "SHAPES", "OUTPUT", "DEFAULT_LOSS")
    ref = train(softplus_output, params, x, x, backend="numpy", **STEPS)
    got = train(bare, params, x, x, **STEPS)  # auto: numpy, silently
    np.testing.assert_array_equal(got.losses, ref.losses)
    with pytest.raises(TypeError, match="backend='numba' cannot run softplus_output: .* has no kernel_layout"):
        train(bare, params, x, x, backend="numba", **STEPS)
    with pytest.raises(TypeError, match=r"missing backward"):
        train(_without(softplus_output, "backward"), params, x, x, **STEPS)


def test_a_model_of_ones_own_with_a_true_layout_runs_on_the_kernels():
    """relu_output's functions as a model from outside the package: checked, then trained by the kernels."""
    rng = np.random.default_rng(2)
    x = data.sparse_features(30, 12, 0.7, rng, n_instances=2)
    params = relu_output.init_params(12, 3, rng, n_instances=2)
    own = _without(relu_output)
    fused.host._VERIFIED.clear()
    got = train(own, params, x, x, backend="numba", **STEPS)
    assert any(v[0] is own and v[1] is None for v in fused.host._VERIFIED.values())
    ref = train(relu_output, params, x, x, backend="numpy", **STEPS)
    np.testing.assert_allclose(got.losses, ref.losses, rtol=1e-9)


def test_a_layout_wrong_only_in_one_flag_is_caught():
    """The MLP's layout with the hidden ReLU switched off: a subtler copy error than softplus's."""
    from minimem import mlp
    rng = np.random.default_rng(3)
    x = data.sparse_features(30, 12, 0.7, rng, n_instances=2)
    params = mlp.init_params(12, 3, rng, n_instances=2)
    wrong = _without(mlp)
    wrong.kernel_layout = lambda params, relu_out=False: dict(mlp.kernel_layout(params, relu_out=relu_out),
                                                              hidden_relu=False)
    with pytest.raises(fused.KernelMismatch, match="mlp.kernel_layout"):
        train(wrong, params, x, x, backend="numba", **STEPS)
