"""The numba kernels (minimem.fused) against their numpy twins: the readable training loop.

Same params, data and schedule through backend='numpy' and backend='numba' (each parallel mode):
the loss curves and the params after a few steps agree to ~1e-10 relative in float64. (Over many
steps Adam amplifies round-off in near-zero gradients, so the comparison is over a few steps.)"""

import os
import subprocess
import sys

import numpy as np
import pytest

from minimem import data, fused, mlp, relu_hidden, relu_output, unembed
from minimem.optim import AdamW
from minimem.train import TrainingDiverged, train

I, N, M = 3, 7, 3
SIZES = [5, 9, 2]  # ragged data sets: instance k has SIZES[k] samples

# (label, module, init kwargs, model options, loss, target kind, n_out)
CASES = [
    ("relu_output tied", relu_output, {"tied": True}, {}, "mse", "x", N),
    ("relu_output untied", relu_output, {"tied": False}, {}, "mse", "x", N),
    ("relu_output target near x", relu_output, {"tied": True}, {}, "mse", "near x", N),
    ("relu_hidden", relu_hidden, {}, {}, "mse", "x", N),
    ("mlp", mlp, {}, {}, "mse", "x", N),
    ("mlp relu_out", mlp, {}, {"relu_out": True}, "mse", "x", N),
    ("mlp n_out=4 dense target", mlp, {"n_out": 4}, {}, "mse", "dense", 4),
    ("mlp ce hard", mlp, {}, {}, "ce", "hard", N),
    ("mlp ce soft", mlp, {}, {}, "ce", "soft", N),
    ("unembed ce hard", unembed, {}, {}, "ce", "hard", N),
    ("unembed b1 ce soft", unembed, {"hidden_bias": True}, {}, "ce", "soft", N),
    ("unembed n_classes=11", unembed, {"n_classes": 11}, {}, "ce", "hard", 11),
]
# every case again with m = 2, where the kernels decode GROUP samples at once (fused.tile.decode_tile_*): the
# sizes 5, 9, 2 give whole groups, remainders and an instance with no whole group
CASES = [c + (M,) for c in CASES] + [(c[0] + " m=2",) + c[1:] + (2,) for c in CASES]
IDS = [c[0] for c in CASES]
# the m = 2 cases on the kernels without the tile (fused.host.TILE off, the switch MINIMEM_TILE=0 sets;
# at m != 2 the two compile the same passes): the per-sample code at m = 2
UNTILED = [c for c in CASES if c[-1] == 2]
UNTILED_IDS = [c[0] + " untiled" for c in UNTILED]


def _case(module, init_kw, kind, n_out, seed=0, dtype=np.float64, m=M):
    rng = np.random.default_rng(seed)
    params = module.init_params(N, m, rng, n_instances=I, dtype=dtype, **init_kw)
    params = {k: (rng.standard_normal(v.shape) * 0.5).astype(dtype) for k, v in params.items()}
    sets = [data.sparse_features(T, N, 0.4, rng, dtype=dtype)[0] for T in SIZES]
    x, mask = data.stack_ragged(sets)  # (I, 9, N), (I, 9)
    if kind == "x":
        target = x
    elif kind == "near x":  # the input but for two entries: not an auto-encoder (no fused scatter of x)
        target = x.copy()
        target[:, 0, 0] += 0.5
        target[:, 1, 1] = 0.0
    elif kind == "dense":
        target = rng.standard_normal(x.shape[:2] + (n_out,)).astype(dtype)
    elif kind == "hard":
        target = rng.integers(0, n_out, size=x.shape[:2])
    else:
        p = rng.random(x.shape[:2] + (n_out,))
        target = (p / p.sum(-1, keepdims=True)).astype(dtype)
    importance = rng.random(n_out) + 0.5 if kind in ("x", "near x", "dense") else None
    return params, x, target, mask, importance


def _cmp(label, name, got, ref, tol):
    """One cmp-style line per tensor; raise naming the tensor when it is off."""
    err = np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-300)
    line = f"{label:28s} {name:8s} | rel_err {err:.1e} | {'OK' if err <= tol else 'WRONG'}"
    print(line)
    assert got.shape == ref.shape and got.dtype == ref.dtype, line
    assert err <= tol, f"{line}; first pairs (kernel, numpy): {list(zip(got.ravel()[:4], ref.ravel()[:4]))}"


@pytest.mark.parametrize("case,tile", [(c, True) for c in CASES] + [(c, False) for c in UNTILED],
                         ids=IDS + UNTILED_IDS)
def test_kernel_gradients_equal_the_numpy_model(case, tile):
    """fused.loss_and_grads (the kernels' per-sample code, before AdamW) against
    <model>.loss_and_grads, tensor by tensor, in float64: every model, loss and option, at m = 2
    with the tile and without."""
    label, module, init_kw, opts, loss, kind, n_out, m = case
    params, x, target, mask, imp = _case(module, init_kw, kind, n_out, m=m)
    ref_loss, ref = module.loss_and_grads(params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    got_loss, got = fused.loss_and_grads(module, params, x, target, loss=loss, importance=imp, mask=mask,
                                         tile=tile, **opts)
    assert set(got) == set(ref)
    _cmp(label, "loss", got_loss, ref_loss, 1e-12)
    for k in ref:
        _cmp(label, k, got[k], ref[k], 1e-12)


def test_the_target_is_taken_as_the_input_only_when_it_equals_it():
    """host.prepare marks an auto-encoder (Structure.y_is_x: the kernels scatter the target from the
    input's non-zeros) only when the target's non-zeros are the input's, values included."""
    from minimem.fused.host import prepare
    by_label = {c[0]: c for c in CASES}
    for label, want in (("relu_output tied", True), ("relu_output target near x", False),
                        ("mlp n_out=4 dense target", False)):
        _, module, init_kw, opts, loss, kind, n_out, m = by_label[label + " m=2"]
        params, x, target, mask, imp = _case(module, init_kw, kind, n_out, m=m)
        _, _, st, _ = prepare(module, params, x, target, loss=loss, importance=imp, mask=mask, **opts)
        assert st.y_is_x is want, label


@pytest.mark.parametrize("case", [c for c in CASES if c[4] == "mse" and c[-1] == 2],
                         ids=[c[0] for c in CASES if c[4] == "mse" and c[-1] == 2])
def test_m2_with_an_importance_per_instance_equals_numpy(case):
    """m = 2 (the MSE tile, which scales its sums by each instance's 2 I / T once per chunk) with an
    importance that differs between the instances and over the outputs: gradients equal the numpy model."""
    label, module, init_kw, opts, loss, kind, n_out, m = case
    params, x, target, mask, _ = _case(module, init_kw, kind, n_out, m=m)
    imp = np.random.default_rng(5).random((I, n_out)) + 0.5  # (I, K)
    ref_loss, ref = module.loss_and_grads(params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    got_loss, got = fused.loss_and_grads(module, params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    _cmp(label, "loss", got_loss, ref_loss, 1e-12)
    for k in ref:
        _cmp(label, k, got[k], ref[k], 1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if c[4] == "ce"], ids=[c[0] for c in CASES if c[4] == "ce"])
def test_float32_cross_entropy_gradients_track_float64(case):
    """The float32 path (polynomial exp) against the float64 numpy model: float32 round-off only."""
    label, module, init_kw, opts, loss, kind, n_out, m = case
    p64, x64, t64, mask, _ = _case(module, init_kw, kind, n_out, m=m)
    p32, x32, t32, _, _ = _case(module, init_kw, kind, n_out, dtype=np.float32, m=m)
    ref_loss, ref = module.loss_and_grads(p64, x64, t64, loss=loss, mask=mask, **opts)
    got_loss, got = fused.loss_and_grads(module, p32, x32, t32, loss=loss, mask=mask, **opts)
    _cmp(label, "loss", got_loss, ref_loss, 1e-6)
    for k in ref:
        _cmp(label, k, got[k].astype(np.float64), ref[k], 1e-5)


@pytest.mark.parametrize("case,parallel,tile",
                         [(c, p, True) for c in CASES for p in ("instances", "samples", "serial")]
                         + [(c, p, False) for c in UNTILED for p in ("instances", "serial")],
                         ids=[f"{i}-{p}" for i in IDS for p in ("instances", "samples", "serial")]
                         + [f"{i}-{p}" for i in UNTILED_IDS for p in ("instances", "serial")])
def test_numba_training_equals_numpy_twin(case, parallel, tile, monkeypatch):
    """backend='numba' against backend='numpy' over a few steps: the loss curves, the snapshots
    and the params; at m = 2 also without the tile (fused.host.TILE off), in the modes a short
    cold run takes it so (train.cold_start: not 'samples')."""
    if not tile:
        monkeypatch.setattr(fused.host, "TILE", False)
    label, module, init_kw, opts, loss, kind, n_out, m = case
    params, x, target, mask, imp = _case(module, init_kw, kind, n_out, m=m)
    kw = dict(steps=6, opt=AdamW(lr=1e-2, no_decay={"b2"} & set(params) or {"b_final"}), warmup=2, loss=loss,
              importance=imp, mask=mask, snapshot_steps=[0, 3, 6], **opts)
    ref = train(module, params, x, target, backend="numpy", **kw)
    got = train(module, params, x, target, backend="numba", parallel=parallel, **kw)
    np.testing.assert_allclose(got.losses, ref.losses, rtol=1e-10, err_msg=label)
    np.testing.assert_allclose(got.final_loss, ref.final_loss, rtol=1e-10, err_msg=label)
    assert set(got.params) == set(ref.params)
    for k in ref.params:
        np.testing.assert_allclose(got.params[k], ref.params[k], rtol=1e-10, atol=1e-12, err_msg=f"{label} {k}")
        for s in (0, 3, 6):
            np.testing.assert_allclose(got.snapshots[s][k], ref.snapshots[s][k], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float32_kernels_track_float64(case):
    label, module, init_kw, opts, loss, kind, n_out, m = case
    p64, x64, t64, mask, imp = _case(module, init_kw, kind, n_out, m=m)
    p32, x32, t32, _, _ = _case(module, init_kw, kind, n_out, dtype=np.float32, m=m)
    kw = dict(steps=4, opt=AdamW(lr=1e-2), warmup=1, loss=loss, importance=imp, mask=mask, backend="numba", **opts)
    r64 = train(module, p64, x64, t64, **kw)
    r32 = train(module, p32, x32, t32, **kw)
    assert all(v.dtype == np.float32 for v in r32.params.values())
    np.testing.assert_allclose(r32.losses, r64.losses, rtol=1e-4, err_msg=label)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_evaluate_equals_numpy_loss(case):
    label, module, init_kw, opts, loss, kind, n_out, m = case
    params, x, target, mask, imp = _case(module, init_kw, kind, n_out, m=m)
    ref, _ = module.loss_and_grads(params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    got = fused.evaluate(module, params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    np.testing.assert_allclose(got, ref, rtol=1e-12, err_msg=label)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_training_kernel_gives_the_loss_alone(case):
    """train=False (the final loss and evaluate): numpy's loss, the params untouched, and each
    instance's loss the same, to round-off, whether it is scored alone or beside the others. (Not
    bit for bit: the last bit can move with the scratch rows' alignment, seen once at m=3.)"""
    label, module, init_kw, opts, loss, kind, n_out, m = case
    params, x, target, mask, imp = _case(module, init_kw, kind, n_out, m=m)
    ref, _ = module.loss_and_grads(params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    P, D, st, _ = fused.prepare(module, params, x, target, loss=loss, importance=imp, mask=mask, **opts)
    before = [p.copy() for p in P]
    kernel, args, out = fused.host.loss_call(P, D, st, 2, fused.host.tile_flag(True))
    kernel(*args)
    np.testing.assert_allclose(out, ref, rtol=1e-12, err_msg=label)
    for a, b in zip(P, before):
        np.testing.assert_array_equal(a, b)
    for k in range(x.shape[0]):
        one = {name: v[k:k + 1] for name, v in params.items()}
        im = imp if imp is None or np.ndim(imp) == 1 else imp[k:k + 1]
        alone = fused.evaluate(module, one, x[k:k + 1], target[k:k + 1], loss=loss, importance=im,
                               mask=None if mask is None else mask[k:k + 1], **opts)
        np.testing.assert_allclose(alone[0], out[k], rtol=1e-15, atol=0, err_msg=f"{label} instance {k}")


def test_numba_divergence_names_the_step():
    params, x, target, mask, _ = _case(relu_output, {}, "x", N)
    for parallel in ("instances", "samples"):
        with pytest.raises(TrainingDiverged, match="at step 1"):
            train(relu_output, params, x, target, mask=mask, steps=10, opt=AdamW(lr=1e300), schedule="constant",
                  backend="numba", parallel=parallel)


def test_thread_assignment_balances_costs():
    ptr, idx = fused.assign_threads(np.array([10.0, 1, 1, 8, 2]), 2)
    loads = [sum([10.0, 1, 1, 8, 2][k] for k in idx[ptr[i]:ptr[i + 1]]) for i in range(2)]
    assert sorted(idx.tolist()) == [0, 1, 2, 3, 4] and max(loads) == 11


def test_kernels_run_as_plain_python_with_the_jit_disabled():
    """NUMBA_DISABLE_JIT=1: the kernel bodies run as Python (a tiny case) and still match numpy."""
    code = (
        "import numpy as np, sys; sys.path.insert(0, 'tests');"
        "import test_kernels as t;"
        "[t.test_numba_training_equals_numpy_twin(c, p, True, None) for c in t.CASES for p in ('instances', 'samples')];"
        "[t.test_evaluate_equals_numpy_loss(c) for c in t.CASES];"
        "[t.test_kernel_gradients_equal_the_numpy_model(c, True) for c in t.CASES];"
        "t.test_numba_divergence_names_the_step(); print('nojit ok')"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    res = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "nojit ok" in res.stdout


# --- one process compiles at a time ---------------------------------------------------------------

class _Dispatcher:
    """Stands in for a numba dispatcher with a disk cache in ``folder``: what compile_once reads."""

    def __init__(self, folder, loaded=()):
        self._cache = type("Cache", (), {"_cache_path": str(folder)})()
        self.signatures = list(loaded)
        self.compiled = []

    def typeof_pyval(self, a):
        return type(a).__name__

    def compile(self, sig):
        self.compiled.append(sig)
        self.signatures.append(sig)


def test_compile_once_compiles_what_is_missing_under_the_lock(tmp_path, monkeypatch):
    taken = []
    real = fused.host._compile_lock

    def recording(d):
        taken.append(d)
        return real(d)

    monkeypatch.setattr(fused.host, "_compile_lock", recording)
    d = _Dispatcher(tmp_path, loaded=[("int",)])
    fused.host.compile_once((d, (1,)))  # loaded already: no lock, nothing compiled
    assert taken == [] and d.compiled == []
    fused.host.compile_once((d, (1.0, 2)), (d, (1,)))
    assert taken == [d] and d.compiled == [("float", "int")]
    assert (tmp_path / "minimem-compile-_Dispatcher.lock").exists()  # one lock file per kernel


def test_the_compile_lock_excludes_another_process_and_its_wait_counts_as_compiling(tmp_path):
    """The lock is exclusive (another open file cannot even share it), and the time a process waits
    for it is counted as compile time, not as training (train.compile_time)."""
    import fcntl
    import threading
    import time

    from minimem.train import compile_time
    d = _Dispatcher(tmp_path)
    with fused.host._compile_lock(d):
        with open(tmp_path / "minimem-compile-_Dispatcher.lock", "a") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_SH | fcntl.LOCK_NB)
    holder = open(tmp_path / "minimem-compile-_Dispatcher.lock", "a")  # another process, compiling
    fcntl.flock(holder, fcntl.LOCK_EX)
    threading.Timer(0.5, lambda: (fcntl.flock(holder, fcntl.LOCK_UN), holder.close())).start()
    t = time.perf_counter()
    with compile_time() as c:
        fused.host.compile_once((d, (1.0,)))
    assert time.perf_counter() - t >= 0.45 and c.seconds >= 0.45, c.seconds
    assert d.compiled == [("float",)]
