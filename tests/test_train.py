"""The training loop: independence of instances, snapshots, divergence, best-of-k, progress."""

import numpy as np
import pytest

from minimem import data, mlp, relu_output, unembed
from minimem.optim import AdamW, adamw_init, adamw_step, lr_schedule
from minimem.train import TrainingDiverged, best_of_seeds, select_instances, train


def _setup(I=3, T=6, n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = data.sparse_features(T, n, 0.5, rng, n_instances=I, normalize=True)
    return relu_output.init_params(n, 2, rng, n_instances=I), x


def test_train_matches_the_loop_written_out():
    params, x = _setup()
    res = train(relu_output, params, x, x, steps=20, warmup=5, opt=AdamW(lr=1e-2), snapshot_steps=[0, 7, 20],
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
    together = train(relu_output, params, x, x, steps=30, warmup=3, opt=AdamW(lr=1e-2))
    for k in range(3):
        one = train(relu_output, select_instances(params, [k]), x[k:k + 1], x[k:k + 1], steps=30,
                    warmup=3, opt=AdamW(lr=1e-2))
        np.testing.assert_allclose(one.losses[:, 0], together.losses[:, k], rtol=1e-12)
        for name in params:
            np.testing.assert_allclose(one.params[name][0], together.params[name][k], rtol=1e-11, atol=1e-14)


def test_training_reduces_loss_for_every_model():
    rng = np.random.default_rng(1)
    x = data.sparse_features(20, 10, 0.7, rng, n_instances=2)
    p = mlp.init_params(10, 4, rng, n_instances=2)
    r = train(mlp, p, x, x, steps=300, warmup=10, opt=AdamW(lr=1e-2))
    assert np.all(r.final_loss < 0.5 * r.losses[0])
    p = unembed.init_params(10, 4, rng, n_instances=2)
    r = train("unembed", p, x, data.hard_labels(x), steps=300, warmup=10, opt=AdamW(lr=1e-2))
    assert np.all(r.final_loss < 0.5 * r.losses[0])


def test_divergence_names_the_step():
    params, x = _setup()
    with pytest.raises(TrainingDiverged, match="at step 1"):
        train(relu_output, params, x, x, steps=10, opt=AdamW(lr=1e300), schedule="constant")


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


# --- backend='auto' and the compile ---------------------------------------------------------------

def _numpy_runs(monkeypatch):
    """Record each construction of the numpy loop."""
    import minimem.train as t
    made = []

    class Recorded(t._NumpyRun):
        def __init__(self, *a, **k):
            made.append(1)
            super().__init__(*a, **k)

    monkeypatch.setattr(t, "_NumpyRun", Recorded)
    return made


def test_auto_trains_short_work_on_numpy_rather_than_compile(monkeypatch, capsys):
    """With the kernels cold, work the numpy loop finishes before they would compile runs on numpy,
    said in one line; longer work, and any work inside kernels_for_auto() (experiments' units),
    compiles; with the kernels compiled, 'auto' takes them."""
    import minimem.train as t
    from minimem import fused
    made = _numpy_runs(monkeypatch)
    params, x = _setup()
    monkeypatch.setattr(fused.host, "will_compile", lambda dispatcher, args: True)  # the kernels cold
    monkeypatch.setattr(t, "_SAID", set())
    train(relu_output, params, x, x, steps=5)
    assert made == [1] and "minimem: training on numpy (about 0 s) rather than compiling" in capsys.readouterr().err
    with t.kernels_for_auto():
        train(relu_output, params, x, x, steps=5)
    assert made == [1]
    monkeypatch.setattr(t, "NUMPY_STEP_FIXED", 1.0)  # every step a second: numpy would take longer
    train(relu_output, params, x, x, steps=50)
    assert made == [1]
    monkeypatch.setattr(t, "NUMPY_STEP_FIXED", 0.0)
    monkeypatch.setattr(fused.host, "will_compile", lambda dispatcher, args: False)  # compiled
    train(relu_output, params, x, x, steps=5)
    assert made == [1]


def test_a_short_cold_run_takes_the_kernels_without_the_tile_and_a_long_one_keeps_it(monkeypatch, capsys):
    """backend='auto' with the tile's kernels cold: a run shorter than the tile's own compile runs
    without it (announced with the shorter compile), a longer one keeps it, and experiments' units
    (kernels_for_auto) keep it whatever the length: their results never depend on this machine's cache."""
    import minimem.train as t
    from minimem import fused
    params, x = _setup()
    made = []

    class Recorded(fused.Run):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(fused, "Run", Recorded)
    monkeypatch.setattr(t, "NUMPY_STEP_FIXED", 1.0)  # numpy a second a step: never chosen here
    # the tile's calls cold, the plain ones compiled (the kernels' last argument is None for those)
    monkeypatch.setattr(fused.host, "will_compile", lambda dispatcher, args: args[-1] is not None)
    train(relu_output, params, x, x, steps=5)
    assert made[-1].tile is None and not made[-1].compiles
    with t.kernels_for_auto():
        train(relu_output, params, x, x, steps=5)
    kept = made[-1]
    assert kept.tile is True
    assert t.cold_start(kept, relu_output, steps=10 ** 9) is kept and kept.tile is True  # long: keeps it
    monkeypatch.setattr(fused.host, "will_compile", lambda dispatcher, args: True)  # both cold
    capsys.readouterr()
    train(relu_output, params, x, x, steps=40)
    assert made[-1].tile is None
    assert (f"compiling the numba kernels for float64 without the m = 2 tile (about {fused.PLAIN_COMPILE_SECONDS} s"
            in capsys.readouterr().err)


def test_auto_evaluates_on_numpy_rather_than_compile(monkeypatch, capsys):
    import minimem.train as t
    from minimem import fused
    from minimem.train import evaluate
    params, x = _setup(I=3)
    calls = []
    monkeypatch.setattr(fused.Evaluation, "__call__", lambda self: calls.append(1) or np.zeros(3))
    monkeypatch.setattr(fused.host, "will_compile", lambda dispatcher, args: True)
    monkeypatch.setattr(t, "_SAID", set())
    ref = relu_output.loss_and_grads(params, x, x)[0]
    np.testing.assert_array_equal(evaluate(relu_output, params, x, x), ref)
    assert not calls and "evaluating on numpy rather than compiling" in capsys.readouterr().err
    monkeypatch.setattr(t, "NUMPY_EVAL_BYTES", 10)  # too large for numpy
    evaluate(relu_output, params, x, x)
    assert calls == [1]


def test_compile_time_counts_nested_compiles_once():
    import numba

    from minimem.train import compile_time

    @numba.njit
    def inner(v):
        return v + 1

    @numba.njit
    def outer(v):
        return inner(v) * 2

    with compile_time() as c:
        t0 = __import__("time").perf_counter()
        assert outer(1) == 4
        wall = __import__("time").perf_counter() - t0
    assert 0 < c.seconds <= wall
    with compile_time() as again:
        outer(2)  # compiled: nothing to count
    assert again.seconds == 0


def test_the_time_left_leaves_out_a_first_segment_that_compiled():
    """A first piece of work that included a compile: the time left is '?' until work after it is
    measured, then estimated from that work alone."""
    import io

    from minimem.progress import Progress
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    bar = Progress(100, desc="p", enabled=True, stream=out, interval=0)
    bar.start -= 30  # the first 10 steps took 30 s, a compile
    bar.update(10, one_off=True)
    assert "? left" in out.getvalue().split("\r")[-1]
    bar._mark = (bar._mark[0] - 0.9, bar._mark[1])  # 0.9 s for the next 9 steps: 0.1 s a step
    bar.update(9)
    left = float(out.getvalue().split("\r")[-1].split("elapsed,")[1].split("s left")[0])
    assert 7 <= left <= 9.5, out.getvalue()  # 81 steps x 0.1 s, not 81 x (30 s / 10)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_copy_params_false_trains_the_callers_arrays_in_place_on_either_backend(backend):
    params, x = _setup()
    want = train(relu_output, params, x, x, steps=12, warmup=2, opt=AdamW(lr=1e-2), backend=backend)
    mine = {k: v.copy() for k, v in params.items()}
    got = train(relu_output, mine, x, x, steps=12, warmup=2, opt=AdamW(lr=1e-2), backend=backend,
                copy_params=False)
    assert got.params is mine
    for k in params:
        np.testing.assert_array_equal(mine[k], want.params[k])  # the caller's arrays hold the trained values
        assert not np.array_equal(mine[k], params[k])
    kept = {k: v.copy() for k, v in params.items()}
    train(relu_output, kept, x, x, steps=12, warmup=2, opt=AdamW(lr=1e-2), backend=backend)
    for k in params:
        np.testing.assert_array_equal(kept[k], params[k])  # copy_params=True leaves them alone


def test_train_takes_the_optimiser_as_one_value_and_names_the_keyword_meant():
    import inspect
    from minimem.optim import SGD
    sig = inspect.signature(train).parameters.values()
    assert not any(p.kind is p.VAR_KEYWORD for p in sig), "train() takes **: a misspelt keyword would pass"
    assert sum(p.kind is p.KEYWORD_ONLY for p in sig) <= 15
    params, x = _setup()
    with pytest.raises(TypeError, match=r"unknown argument 'learning_rate'; did you mean 'opt=AdamW\(lr=...\)'"):
        train(relu_output, params, x, x, steps=2, learning_rate=1e-2)
    with pytest.raises(TypeError, match="unknown argument 'snapshot_step'; did you mean 'snapshot_steps'"):
        train(relu_output, params, x, x, steps=2, snapshot_step=[1])
    with pytest.raises(TypeError, match="relu_output.forward takes no option 'relu_out'"):
        train(relu_output, params, x, x, steps=2, relu_out=True)
    with pytest.raises(AttributeError):  # frozen: one run's settings cannot change under another's
        AdamW().lr = 1.0
    a = train(relu_output, params, x, x, steps=6, warmup=1, opt=SGD(lr=0.1, momentum=0.9), backend="numpy")
    b = train(relu_output, params, x, x, steps=6, warmup=1, opt=AdamW(lr=0.1), backend="numpy")
    assert not np.allclose(a.losses, b.losses)
