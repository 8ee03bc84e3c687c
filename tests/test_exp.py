"""The float32 exp of the cross-entropy kernel (fused.exp_f32) against float64 exp, over the whole
range the softmax can see, and the float64 dispatch (libm)."""

import numpy as np
from numba import njit

from minimem import fused


@njit(cache=True, fastmath=fused.FASTMATH)
def _apply(x):
    """kernel_exp over an array, as the kernels call it (compiled, in a loop LLVM vectorises)."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = fused.kernel_exp(x[i])
    return out


def _grid():
    """Every float32 argument the softmax sees (x = out - max <= 0), and the positive side."""
    rng = np.random.default_rng(0)
    dense = np.linspace(fused.EXP_LO, fused.EXP_HI, 1_000_001)
    near0 = np.concatenate([-np.logspace(-30, 0, 2000), np.logspace(-30, 0, 2000), [0.0]])
    rand = rng.uniform(fused.EXP_LO, fused.EXP_HI, 200_000)
    return np.concatenate([dense, near0, rand]).astype(np.float32)


def test_exp_f32_relative_error_over_the_normal_range():
    x = _grid()
    got = _apply(x).astype(np.float64)
    ref = np.exp(x.astype(np.float64))
    rel = np.abs(got - ref) / ref
    assert rel.max() < 1.2e-7, f"max relative error {rel.max():.3g} at x={x[rel.argmax()]}"  # the docstring's bound
    # within 2 units in the last place of the correctly rounded float32 result (a bound of its own,
    # independent of how numpy's float32 exp was built)
    ulps = np.abs(_apply(x).view(np.int32).astype(np.int64) - ref.astype(np.float32).view(np.int32).astype(np.int64))
    assert ulps[ref > 1.2e-38].max() <= 2, f"{ulps.max()} ulp at x={x[ulps.argmax()]}"


def test_exp_f32_below_the_range_gives_zero_or_tiny_never_nan():
    x = np.concatenate([np.linspace(-1e4, fused.EXP_LO, 100_001), [-np.inf, -3e38]]).astype(np.float32)
    got = _apply(x)
    assert not np.any(np.isnan(got))
    assert np.all(got >= 0) and np.all(got.astype(np.float64) - np.exp(x.astype(np.float64)) <= 1.2e-38)
    assert np.all(got[x < fused.EXP_LO] == 0)
    assert np.isnan(_apply(np.array([np.nan], np.float32))[0])


def test_exp_f32_above_the_range_is_clamped_not_inf():
    got = _apply(np.array([88.0, 89.0, 1e4, np.inf], np.float32))
    assert np.all(np.isfinite(got)) and got[0] > 1.6e38


def test_python_twin_matches_the_compiled_exp():
    """With NUMBA_DISABLE_JIT=1 the kernels call exp_f32 as Python on numpy float32 scalars."""
    x = np.linspace(-100, 80, 2001).astype(np.float32)
    py = np.array([fused.exp_f32(v) for v in x], np.float32)
    np.testing.assert_allclose(py, _apply(x), rtol=2.4e-7, atol=0)


def test_float64_uses_libm_exp():
    x = np.linspace(-700, 700, 10001)
    np.testing.assert_allclose(_apply(x), np.exp(x), rtol=1e-15)
    assert np.all(_apply(np.array([-709.0, -1e4, -np.inf])) == 0)
