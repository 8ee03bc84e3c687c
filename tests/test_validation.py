"""Bad input raises a ValueError or TypeError that names the argument."""

import numpy as np
import pytest

from minimem import data, init, losses, mlp, relu_output, unembed
from minimem.optim import AdamW
from minimem.train import train

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("sparsity", [1.0, -0.1, 1.5, np.nan])
def test_sparsity_outside_unit_interval(sparsity):
    with pytest.raises(ValueError, match="sparsity"):
        data.sparse_features(10, 5, sparsity, RNG)


def test_sparsity_wrong_type_or_count():
    with pytest.raises(TypeError, match="sparsity"):
        data.sparse_features(10, 5, "0.9", RNG)
    with pytest.raises(ValueError, match="sparsity"):
        data.sparse_features(10, 5, [0.1, 0.2], RNG, n_instances=3)


@pytest.mark.parametrize("name,kw", [("n_samples", dict(n_samples=-1)), ("n_features", dict(n_features=0)),
                                     ("n_instances", dict(n_instances=0))])
def test_negative_or_zero_sizes(name, kw):
    args = dict(n_samples=10, n_features=5, sparsity=0.5, rng=RNG) | kw
    with pytest.raises(ValueError, match=name):
        data.sparse_features(**args)


def test_non_integer_sizes_and_missing_generator():
    with pytest.raises(TypeError, match="n_features"):
        data.sparse_features(10, 5.5, 0.5, RNG)
    with pytest.raises(TypeError, match="rng"):
        data.sparse_features(10, 5, 0.5, 0)
    with pytest.raises(TypeError, match="n_hidden"):
        relu_output.init_params(5, True, RNG)


def test_unknown_init_and_label_names(no_kernels):
    with pytest.raises(ValueError, match="init"):
        relu_output.init_params(5, 2, RNG, init="he")
    with pytest.raises(ValueError, match="bias_init"):
        mlp.init_params(5, 2, RNG, bias_init="ones")
    with pytest.raises(ValueError, match="loss"):
        train("relu_output", relu_output.init_params(5, 2, RNG), np.zeros((1, 3, 5)), np.zeros((1, 3, 5)),
              steps=2, loss="hinge", schedule="constant")
    with pytest.raises(ValueError, match="model"):
        train("transformer", {}, np.zeros((1, 3, 5)), np.zeros((1, 3, 5)), steps=2)


def test_wrong_shapes():
    """Bad shapes are refused at the door (minimem.checks, here evaluate's), not inside a forward or a loss."""
    from minimem.train import evaluate

    def ev(model, p, x, target, **kw):
        return evaluate(model, p, x, target, backend="numpy", **kw)
    params = relu_output.init_params(5, 2, RNG, n_instances=2)
    x4, x5 = np.zeros((2, 3, 4)), np.zeros((2, 3, 5))
    with pytest.raises(ValueError, match="x"):
        ev(relu_output, params, np.zeros((3, 5)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"params\['W'\]"):
        ev(relu_output, params, x4, x4)  # 4 features, W has 5
    with pytest.raises(ValueError, match="params is missing"):
        ev(relu_output, {"W": params["W"]}, x5, x5)
    with pytest.raises(ValueError, match="target"):
        ev(relu_output, params, x5, x4)
    with pytest.raises(ValueError, match="importance"):
        ev(relu_output, params, x5, x5, importance=np.ones(4))
    with pytest.raises(ValueError, match="hard labels"):
        ev(unembed, unembed.init_params(3, 2, RNG), np.zeros((1, 2, 3)), np.array([[0, 3]]))
    with pytest.raises(ValueError, match="mask"):
        ev(relu_output, params, x5, x5, mask=np.zeros((2, 3), bool))
    with pytest.raises(TypeError, match="x"):
        ev(unembed, unembed.init_params(3, 2, RNG), [[[1.0, 2.0, 3.0]]], np.array([[0]]))


def test_the_model_and_loss_modules_hold_the_math_alone():
    """No model or loss module raises an error of its own or checks a shape: minimem.checks does, at the door."""
    import inspect
    from minimem import relu_hidden
    for module in (relu_output, relu_hidden, mlp, unembed, losses):
        source = inspect.getsource(module)
        for word in ("raise ", "check_array", "check_params", "check_shapes", "check_importance", "check_target"):
            assert word not in source, f"{module.__name__} has {word!r}"


def test_init_functions():
    W = init.init_weight(RNG, 3, 100, 400, "uniform")
    assert W.shape == (3, 100, 400) and np.abs(W).max() <= 1 / 20
    W = init.init_weight(RNG, 3, 100, 400, "xavier_normal")
    assert abs(W.std() - np.sqrt(2 / 500)) < 1e-3
    W = init.init_weight(RNG, 3, 100, 400, "gaussian", std=2.0)
    assert abs(W.std() - 2.0) < 0.02
    assert np.all(init.init_bias(RNG, 2, 5, 5) == 0)
    b = init.init_bias(RNG, 2, 1000, 4, "uniform")
    assert np.abs(b).max() <= 0.5 and np.abs(b).max() > 0.45


# --- train(): every argument is checked once, before a backend is chosen -------------------------

BACKENDS = ["numpy", "numba"]


# what the numba side calls, under the names it calls them by: the compiled kernels as host.py
# imported them, and host's own prepare (which builds every kernel's input)
KERNEL_ENTRY_POINTS = ("prepare", "run_instances", "run_samples", "grads_kernel")


class ReachedKernels(AssertionError):
    pass


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if anything reaches the numba side: every kernel entry point, and the function
    that builds their input, raise ReachedKernels (test_the_guard_catches_input_that_reaches_the_kernels
    shows that valid input does reach them)."""
    from minimem import fused
    from minimem.fused import host

    def forbidden(*a, **k):
        raise ReachedKernels("bad input reached the numba kernels")
    for name in KERNEL_ENTRY_POINTS:
        monkeypatch.setattr(host, name, forbidden)
        monkeypatch.setattr(fused, name, forbidden)


@pytest.mark.parametrize("call", ["train", "evaluate", "custom model"])
def test_the_guard_catches_input_that_reaches_the_kernels(call, no_kernels, monkeypatch):
    """The guard can fail: valid input on backend='numba' reaches the poisoned entry points."""
    from minimem.fused import host
    from minimem.train import evaluate
    import softplus_output
    monkeypatch.setattr(host, "_VERIFIED", {})  # a model checked earlier in this process is not run again
    P, x = _mlp_setup()
    with pytest.raises(ReachedKernels):
        if call == "train":
            train(mlp, P, x, x, steps=5, warmup=1, backend="numba")
        elif call == "evaluate":
            evaluate(mlp, P, x, x, backend="numba")
        else:  # the check of a model of one's own runs the kernels too
            p = softplus_output.init_params(20, 2, np.random.default_rng(0), n_instances=2)
            train(softplus_output, p, x, x, steps=5, warmup=1, backend="numba")


def _mlp_setup(n=20, m=4, n_out=None, I=2, T=64):
    rng = np.random.default_rng(0)
    x = data.sparse_features(T, n, 0.5, rng, n_instances=I)
    return mlp.init_params(n, m, rng, n_instances=I, n_out=n_out), x


@pytest.mark.parametrize("backend", BACKENDS)
def test_target_of_the_wrong_width(backend, no_kernels):
    """The issue's case: 20 features, n_out=10, target x (width 20) -- once heap corruption."""
    P, x = _mlp_setup(n_out=10)
    with pytest.raises(ValueError, match=r"target must have shape \(2, 64, 10\)"):
        train(mlp, P, x, x, steps=200, warmup=5, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_transposed_target(backend, no_kernels):
    P, x = _mlp_setup()
    with pytest.raises(ValueError, match="target"):
        train(mlp, P, x, x.transpose(0, 2, 1).copy(), steps=5, warmup=1, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bias_of_the_wrong_shape(backend, no_kernels):
    params = relu_output.init_params(5, 2, RNG, n_instances=2)
    params["b_final"] = np.zeros((2, 4))
    x = data.sparse_features(6, 5, 0.5, RNG, n_instances=2)
    with pytest.raises(ValueError, match="b_final"):
        train(relu_output, params, x, x, steps=5, warmup=1, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_complex_inputs_and_integer_params(backend, no_kernels):
    P, x = _mlp_setup()
    with pytest.raises(TypeError, match="x must be a float array"):
        train(mlp, P, x.astype(complex), x, steps=5, warmup=1, backend=backend)
    P_int = dict(P, W1=P["W1"].astype(np.int64))
    with pytest.raises(TypeError, match=r"params\['W1'\]"):
        train(mlp, P_int, x, x, steps=5, warmup=1, backend=backend)
    P_mixed = dict(P, W1=P["W1"].astype(np.float32))
    with pytest.raises(TypeError, match="one dtype"):
        train(mlp, P_mixed, x, x, steps=5, warmup=1, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_non_finite_params_and_data(backend, no_kernels):
    P, x = _mlp_setup()
    bad = {k: v.copy() for k, v in P.items()}
    bad["b1"][1, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['b1'\] contains NaN"):
        train(mlp, bad, x, x, steps=5, warmup=1, backend=backend)
    xb = x.copy()
    xb[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        train(mlp, P, xb, x, steps=5, warmup=1, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kw,name", [
    (dict(weight_decay=np.nan), "weight_decay"), (dict(weight_decay=-0.1), "weight_decay"),
    (dict(betas=(0.9, 1.0)), r"betas\[1\]"), (dict(betas=(-0.1, 0.999)), r"betas\[0\]"),
    (dict(betas=0.9), "betas"), (dict(eps=-1e-8), "eps"), (dict(eps=0.0), "eps"),
    (dict(lr=np.inf), "lr"), (dict(lr=-1e-3), "lr"), (dict(importance=-np.ones(20)), "importance"),
    (dict(importance=np.ones(19)), "importance"), (dict(no_decay={"b3"}), "no_decay"),
    (dict(no_decay="b1"), "no_decay"), (dict(relu_output=True), "unknown argument .relu_output.; did you mean .relu_out."),
    (dict(mask=np.ones((2, 64))), "mask"), (dict(mask=np.zeros((2, 64), bool)), "mask"),
    (dict(progress="yes"), "progress"), (dict(steps=0), "steps"),
])
def test_bad_optimiser_and_loss_settings(backend, kw, name, no_kernels):
    P, x = _mlp_setup()
    settings = {k: v for k, v in kw.items() if k in ("lr", "betas", "eps", "weight_decay", "no_decay")}
    args = dict(steps=5, warmup=1, backend=backend) | {k: v for k, v in kw.items() if k not in settings}
    with pytest.raises((ValueError, TypeError), match=name):
        train(mlp, P, x, x, opt=AdamW(**settings), **args)  # the optimiser's settings refused as it is made


@pytest.mark.parametrize("backend", BACKENDS)
def test_evaluate_checks_before_the_kernels(backend, no_kernels):
    from minimem.train import evaluate
    P, x = _mlp_setup(n_out=10)
    with pytest.raises(ValueError, match=r"target must have shape \(2, 64, 10\)"):
        evaluate(mlp, P, x, x, backend=backend)
    P, x = _mlp_setup()
    with pytest.raises(ValueError, match="importance"):
        evaluate(mlp, P, x, x, importance=np.ones(19), backend=backend)
    with pytest.raises(ValueError, match="mask"):
        evaluate(mlp, P, x, x, mask=np.zeros((2, 64), bool), backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_labels_for_cross_entropy(backend, no_kernels):
    rng = np.random.default_rng(0)
    x = data.sparse_features(8, 6, 0.5, rng, n_instances=2)
    P = unembed.init_params(6, 2, rng, n_instances=2)
    with pytest.raises(ValueError, match="hard labels"):
        train(unembed, P, x, np.full((2, 8), 6), steps=5, warmup=1, backend=backend)
    with pytest.raises(ValueError, match="soft labels"):
        train(unembed, P, x, -x, steps=5, warmup=1, backend=backend)
    with pytest.raises(ValueError, match="importance"):
        train(unembed, P, x, data.hard_labels(x), steps=5, warmup=1, importance=np.ones(6), backend=backend)
    with pytest.raises(ValueError, match="takes exactly"):
        train(unembed, dict(P, W=P["W1"]), x, data.hard_labels(x), steps=5, warmup=1, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_parameters_that_stop_being_finite_stop_training(backend):
    """A ReLU output can hide NaN weights from the loss (max(NaN, 0)); the step is still named."""
    from minimem.train import TrainingDiverged
    params = relu_output.init_params(5, 2, RNG, n_instances=2)
    x = data.sparse_features(6, 5, 0.5, RNG, n_instances=2)
    with pytest.raises(TrainingDiverged, match=r"at step \d+"), np.errstate(over="ignore", invalid="ignore"):
        train(relu_output, params, x, x, steps=50, opt=AdamW(lr=1e308), schedule="constant", backend=backend)


def test_read_only_importance_compiles_no_second_kernel():
    from minimem import fused
    params = relu_output.init_params(5, 2, RNG, n_instances=2)
    x = data.sparse_features(6, 5, 0.5, RNG, n_instances=2)
    imp = np.linspace(1, 2, 5)
    train(relu_output, params, x, x, steps=3, warmup=1, importance=imp, backend="numba", parallel="serial")
    before = len(fused.run_instances.signatures)
    imp.setflags(write=False)
    train(relu_output, params, x, x, steps=3, warmup=1, importance=imp, backend="numba", parallel="serial")
    assert len(fused.run_instances.signatures) == before


def test_last_step_of_a_one_step_decay_has_learning_rate_zero():
    from minimem.optim import lr_schedule
    lrs = lr_schedule(10, 1e-2, "henighan", warmup=9)
    assert lrs[-1] == 0.0 and lrs[-2] == pytest.approx(1e-2 * 8 / 9)
