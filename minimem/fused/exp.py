r"""The float32 exp of the cross-entropy kernels, and the one place fast-math flags are set.

exp_f32 is the kernels' one approximation: written out below with its error bound, tested in
tests/test_exp.py against float64 exp. ``kernel_exp`` dispatches on the type when called from
compiled code: exp_f32 for float32, libm's exp for float64.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

# The one place fast-math flags are set. 'reassoc' lets LLVM vectorise the sums (dot products and
# the loss) by reordering them -- the same kind of difference as numpy's pairwise summation, about
# 1e-16 relative; 'contract' allows fused multiply-adds. No 'nnan'/'ninf'/'afn': NaN and inf still
# propagate, so divergence is still caught, and libm's exp/log are not replaced by approximations
# (the one approximation, exp_f32, is written out below with its error bound and tested).
FASTMATH = {"reassoc", "contract"}


# ---------------------------------------------------------------------------------------------
# exp in float32: the softmax's whole cost
# ---------------------------------------------------------------------------------------------

LOG2E = np.float32(1.4426950408889634)
LN2_HI = np.float32(0.693359375)  # ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so
LN2_LO = np.float32(-2.12194440e-4)  # k * LN2_HI is exact for |k| <= 2^15 (Cody-Waite)
EXP_LO = np.float32(-87.33654)  # ln of the smallest normal float32: below it exp_f32 gives 0
EXP_HI = np.float32(88.37626)  # ln of the largest float32: above it the input is clamped
F32_ONE = np.float32(1.0)
F32_ZERO = np.float32(0.0)
F32_HALF = np.float32(0.5)
# Taylor coefficients 1/j! of exp(r) = sum_j r^j / j!, j = 2..7; on |r| <= ln(2)/2 the truncation
# error is at most (ln 2 / 2)^8 / 8! = 5.2e-9 relative, below float32's rounding (6e-8).
C2, C3, C4 = np.float32(1 / 2), np.float32(1 / 6), np.float32(1 / 24)
C5, C6, C7 = np.float32(1 / 120), np.float32(1 / 720), np.float32(1 / 5040)


def _int32_bits_as_float32(i):
    """The float32 whose bit pattern is the int32 ``i``."""
    return np.int32(i).view(np.float32)


@intrinsic
def _bitcast_to_float32(typingctx, i):
    """Compiled twin of _int32_bits_as_float32: a register move, which vectorises. numba computes
    int32 + int32 in int64, hence the truncation to the low 32 bits."""
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        low = builder.trunc(args[0], ir.IntType(32)) if i.bitwidth > 32 else args[0]
        return builder.bitcast(low, ir.FloatType())
    return types.float32(i), codegen


@overload(_int32_bits_as_float32)
def _int32_bits_as_float32_jit(i):
    return lambda i: _bitcast_to_float32(i)


def exp_f32(x):
    """exp(x) for a float32 x, branch-free so that LLVM vectorises a loop of it.

        x = k ln2 + r,   k = round(x / ln 2),  |r| <= ln(2)/2     (Cody-Waite: r = x - k LN2_HI - k LN2_LO)
        exp(x) = 2^k exp(r),   exp(r) by its Taylor polynomial of degree 7 (Horner)
        2^k    = the float32 with exponent bits k + 127 (an int32 shifted into place)

    Domain: x is clamped to [EXP_LO, EXP_HI] = [-87.34, 88.38] so that 2^k stays a normal number
    and nothing overflows; x < EXP_LO (including -inf) gives 0. NaN gives NaN.
    Error bound: max relative error 1.2e-7 against float64 exp on [EXP_LO, EXP_HI] (measured
    7.8e-8 on a million points; numpy's own float32 exp: 2.0e-7); absolute error below 1.2e-38
    for x < EXP_LO, where exp(x) is at most the smallest normal float32. tests/test_exp.py
    checks both."""
    xc = min(max(x, EXP_LO), EXP_HI)  # clamp: 2^k must stay a normal float32
    k = np.floor(xc * LOG2E + F32_HALF)  # round(x / ln 2), as a float32
    r = (xc - k * LN2_HI) - k * LN2_LO  # |r| <= ln(2)/2
    p = ((((((C7 * r + C6) * r + C5) * r + C4) * r + C3) * r + C2) * r + F32_ONE) * r + F32_ONE  # exp(r), Horner
    two_k = _int32_bits_as_float32((np.int32(k) + np.int32(127)) << np.int32(23))  # 2^k
    e = p * two_k
    return e if x >= EXP_LO else (x if x != x else F32_ZERO)  # below the range: 0 (NaN stays NaN)


_exp_f32_jit = njit(fastmath=FASTMATH, inline="always")(exp_f32)


def _exp_py(x):
    """exp for the kernels run as Python (NUMBA_DISABLE_JIT=1): exp_f32 for float32, else np.exp."""
    if isinstance(x, np.float32):
        return exp_f32(x)
    return np.exp(x) if x > -708.0 else 0.0


@overload(_exp_py, jit_options={"fastmath": FASTMATH})
def _exp_jit(x):
    """Compiled dispatch on the type: exp_f32 for float32, libm's exp for float64."""
    if x == types.float32:
        return lambda x: _exp_f32_jit(x)
    # libm below the smallest normal float64 (x < -708) takes a slow subnormal path (~50x); the
    # result there cannot change a softmax's sum >= 1, so it is taken as 0
    return lambda x: np.exp(x) if x > -708.0 else 0.0


kernel_exp = _exp_py  # the exp of the kernels: called from compiled code it resolves to _exp_jit
