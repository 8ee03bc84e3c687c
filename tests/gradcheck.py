"""Finite-difference gradient checking, CS231n style, in float64.

numerical_grad(f, x)        d f / d x for a scalar f, central differences, restoring x[ix] each time
numerical_vjp(f, x, dout)   sum((f(x + h e_ix) - f(x - h e_ix)) * dout) / 2h, the vector-Jacobian product
rel_error(a, n)             ||a - n|| / (||a|| + ||n||), 0 when both are zero
check_grads(...)            compares every tensor by name and prints a cmp-style line per tensor
"""

from __future__ import annotations

import numpy as np


def numerical_grad(f, x, h=1e-6):
    """Central-difference gradient of scalar f() with respect to the array x (modified in place
    and restored)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fp = f()
        x[ix] = old - h
        fm = f()
        x[ix] = old  # restore
        grad[ix] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numerical_vjp(f, x, dout, h=1e-6):
    """Central-difference vector-Jacobian product: d/dx of sum(f() * dout), f() returning an array."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fp = f().copy()
        x[ix] = old - h
        fm = f().copy()
        x[ix] = old  # restore
        grad[ix] = np.sum((fp - fm) * dout) / (2 * h)
        it.iternext()
    return grad


def rel_error(a, n):
    """Relative error of two arrays, ||a - n|| / (||a|| + ||n||); 0 when both are zero."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def check_grads(analytic, numeric, tol=1e-7, label=""):
    """Compare two dicts of gradients tensor by tensor; raise naming the tensor on failure."""
    assert set(analytic) == set(numeric), f"{label}: grads keys {sorted(analytic)} != {sorted(numeric)}"
    lines = []
    for k in sorted(analytic):
        a, n = analytic[k], numeric[k]
        assert a.shape == n.shape, f"{label} {k}: analytic shape {a.shape} != numeric {n.shape}"
        err = rel_error(a, n)
        maxabs = float(np.max(np.abs(a - n))) if a.size else 0.0
        ok = err < tol and np.linalg.norm(n) > 0
        lines.append(f"{label:28s} {k:8s} | rel_err {err:.1e} | maxabs {maxabs:.1e} | {'OK' if ok else 'FAIL'}")
        if not ok:
            pairs = list(zip(a.ravel()[:5].tolist(), n.ravel()[:5].tolist()))
            print("\n".join(lines))
            raise AssertionError(f"{label} {k}: rel_err {err:.2e} >= {tol:.0e} or zero numeric gradient; "
                                 f"first (analytic, numeric) pairs: {pairs}")
    print("\n".join(lines))
