r"""Fused numba training kernels: forward + backward + AdamW for whole runs inside compiled code.

Every minimem model is one case of a general two-layer model (per instance and sample):

    a   = W1 x (+ b1)               W1: (m, n)
    h   = ReLU(a)  or  a            hidden_relu
    z   = W2 h + b2                 W2: (K, m), stored transposed as Wd = W2^T (m, K) so that a row
                                    of Wd is contiguous; tied models have Wd = W1 (z = W1^T h)
    out = ReLU(z)  or  z            out_relu

Each model module says how it maps onto this form (``<model>.kernel_layout``), so nothing here
knows model names:

    relu_output tied    W1 = W, decoder tied to W1,   no b1, hidden linear, out ReLU
    relu_output untied  W1, W2,                       no b1, hidden linear, out ReLU
    relu_hidden         W1 = W, decoder tied to W1,   no b1, hidden ReLU,   out ReLU
    mlp                 W1, b1, W2, b2,                      hidden ReLU,   out linear (or ReLU)
    unembed             W1, (b1), W2, b2,                    hidden linear, out linear

The kernels compute exactly the math of the readable numpy path (``<model>.forward``,
``<model>.backward``, ``losses.mse`` / ``losses.cross_entropy`` and ``optim.adamw_step``). The
per-sample body is written as small functions that pair with those lines; each cites the line it
mirrors:

    _encoder_forward   = mlp.forward:   a = W1 x + b1,  h = ReLU(a)
    _decoder_forward   = mlp.forward:   z = W2 h + b2
    _mse_grad          = losses.mse + the output ReLU gate of <model>.backward
    _ce_grad           = losses.cross_entropy (fused softmax + NLL backward)
    _decoder_backward  = mlp.backward:  db2 = dz,  dW2 = dz h^T,  dh = W2^T dz
    _encoder_backward  = mlp.backward:  da = dh [a > 0],  db1 = da,  dW1 = da x^T
    _adamw             = optim.adamw_step, lines (1)-(5)

``loss_and_grads`` exposes the summed per-sample gradients (before AdamW) with the signature of
``<model>.loss_and_grads``, so tests compare them tensor by tensor with the numpy models.

What changes against the numpy path is the order of work:

* no (T, n) temporaries: each sample is pushed forward and backward on its own and its gradient
  added into per-thread buffers;
* inputs and targets are stored sparse (CSR: a row pointer, column indices and values per sample),
  so h = W1 x costs m * nnz(x) rather than m * n; for MSE the target is scattered into a zero
  scratch row and cleared again afterwards, for cross-entropy its non-zeros are used directly;
* the softmax's exps run as one branch-free pass over a row, which LLVM vectorises; in float32 it
  uses ``exp_f32`` (a polynomial, max relative error 1.2e-7 -- as accurate as numpy's float32
  exp), in float64 libm's exp;
* parallelism over instances (each thread trains its own instances for all steps: no
  synchronisation per step) or, for one large model, over chunks of samples with per-thread
  gradient buffers summed in a fixed order (so results do not depend on thread timing).

    # I = n_instances, T = samples of an instance, n = n_in, K = n_out, m = n_hidden, C = chunks
"""

from __future__ import annotations

from collections import namedtuple

import sys

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload

from .registry import check_inputs

# The one place fast-math flags are set. 'reassoc' lets LLVM vectorise the sums (dot products and
# the loss) by reordering them -- the same kind of difference as numpy's pairwise summation, about
# 1e-16 relative; 'contract' allows fused multiply-adds. No 'nnan'/'ninf'/'afn': NaN and inf still
# propagate, so divergence is still caught, and libm's exp/log are not replaced by approximations
# (the one approximation, exp_f32, is written out below with its error bound and tested).
FASTMATH = {"reassoc", "contract"}

# ---------------------------------------------------------------------------------------------
# Named structures passed into the kernels (numba compiles namedtuples like structs).
# ---------------------------------------------------------------------------------------------

# The general-form arrays, all with a leading instance axis (I, ...); also used for gradients and
# the AdamW moments. In a tied model Wd is W1 (the same array).
General = namedtuple("General", "W1 b1 Wd b2")  # (I, m, n), (I, m), (I, m, K), (I, K)
# Which parts of the general form a model uses (all bools, fixed for a run) and its loss.
Structure = namedtuple("Structure", "has_b1 hidden_relu out_relu tied ce")
# AdamW's hyper-parameters (floats) and which general arrays are decayed (bools).
AdamW = namedtuple("AdamW", "beta1 beta2 eps weight_decay")
Decay = namedtuple("Decay", "W1 b1 Wd b2")
# A data set in CSR form: sample t of the flattened (instance-major) rows has its input's
# non-zeros at x_idx[x_ptr[t]:x_ptr[t+1]] with values x_val[...], likewise its target; instance k
# owns rows inst_start[k]:inst_start[k+1]; imp (I, K) are the MSE importances.
Data = namedtuple("Data", "x_ptr x_idx x_val y_ptr y_idx y_val inst_start imp")
# Per-thread scratch rows of one sample: a, h, dh (m,); z, dz, y (K,), y all zero between samples.
Scratch = namedtuple("Scratch", "a h dh z dz y grp")


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


# ---------------------------------------------------------------------------------------------
# The per-sample body: forward, loss gradient, backward -- each paired with its numpy line.
# Arrays here are one instance's: W1 (m, n), b1 (m,), Wd (m, K), b2 (K,), imp (K,).
# ---------------------------------------------------------------------------------------------

@njit(fastmath=FASTMATH, inline="always")
def _encoder_forward(W1, b1, x_idx, x_val, st, zero, a, h):
    """= mlp.forward: a = W1 x + b1  and  h = ReLU(a)  (relu_output / unembed: h = a, no b1),
    over the non-zeros x[x_idx] = x_val of one sample.                               a, h: (m,)"""
    m = a.shape[0]
    for r in range(m):
        a[r] = b1[r] if st.has_b1 else zero
    for p in range(x_idx.shape[0]):
        j = x_idx[p]
        xv = x_val[p]
        for r in range(m):
            a[r] += W1[r, j] * xv  # a += W1[:, j] x_j
    for r in range(m):
        h[r] = max(a[r], zero) if st.hidden_relu else a[r]


@njit(fastmath=FASTMATH, inline="always")
def _decoder_forward(Wd, b2, h, z):
    """= mlp.forward: z = W2 h + b2  (tied models: z = W^T h + b_final), with Wd = W2^T.  z: (K,)"""
    m, K = Wd.shape
    for i in range(K):
        z[i] = b2[i] + Wd[0, i] * h[0]
    for r in range(1, m):
        hr = h[r]
        for i in range(K):
            z[i] += Wd[r, i] * hr  # z += W2[:, r] h_r


@njit(fastmath=FASTMATH, inline="always")
def _mse_grad(z, y, imp, inv_T, out_relu, dz):
    """= losses.mse with out = ReLU(z) (or z), then the output gate of <model>.backward:

        loss = sum_i I_i (out_i - y_i)^2            (this sample's term, before the 1/T)
        dz_i = (2/T) I_i (out_i - y_i) [z_i > 0]     (dpre = dout [pre > 0])

    Returns the loss term; writes dz (K,). The two loops are split by out_relu so each vectorises."""
    zero = inv_T - inv_T
    two_inv_T = inv_T + inv_T
    loss = zero
    if out_relu:
        for i in range(z.shape[0]):
            zi = z[i]
            d = (zi if zi > zero else zero) - y[i]
            w = imp[i] * d
            loss += w * d
            dz[i] = two_inv_T * w if zi > zero else zero
    else:
        for i in range(z.shape[0]):
            d = z[i] - y[i]
            w = imp[i] * d
            loss += w * d
            dz[i] = two_inv_T * w
    return loss


@njit(fastmath=FASTMATH, inline="always")
def _ce_grad(z, y_idx, y_val, inv_T, out_relu, dz):
    """= losses.cross_entropy on out = ReLU(z) (or z), the fused softmax + NLL backward:

        lse  = logsumexp(out) = max + log sum_i exp(out_i - max)
        loss = sum_i y_i (lse - out_i)               (= -sum_i y_i log p_i, before the 1/T)
        dz_i = (1/T) (p_i sum(y) - y_i) [z_i > 0]    p_i = exp(out_i - max) / sum_u exp(out_u - max)

    The target is sparse (y_val at y_idx), so the loss and the -y_i/T term are computed at its
    non-zeros only; the dense work is three branch-free passes over the row: max, exp and sum (the
    vectorised kernel_exp), and the scaling of the exps into p_i sum(y) / T. Returns the loss term;
    writes dz (K,), holding the exps on the way."""
    zero = inv_T - inv_T
    K = z.shape[0]
    zmax = max(z[0], zero) if out_relu else z[0]
    for i in range(K):  # pass 1: max of out (ReLU(z) >= 0 has the max of z, or 0)
        zmax = max(zmax, z[i])
    s = zero
    for i in range(K):  # pass 2: exp(out - max) into dz, summed
        o = max(z[i], zero) if out_relu else z[i]
        e = kernel_exp(o - zmax)
        dz[i] = e
        s += e
    lse = zmax + np.log(s)
    sum_y = zero
    loss = zero
    for p in range(y_idx.shape[0]):  # loss = sum(y) lse - sum_j y_j out_j over y's non-zeros
        j = y_idx[p]
        o = max(z[j], zero) if out_relu else z[j]
        sum_y += y_val[p]
        loss += y_val[p] * (lse - o)
    scale = sum_y * inv_T / s  # p_i sum(y) / T = exp_i * scale
    for i in range(K):  # pass 3: dz = p sum(y) / T, through the output ReLU's gate
        dz[i] = dz[i] * scale if (z[i] > zero or not out_relu) else zero
    for p in range(y_idx.shape[0]):  # ... minus y / T at y's non-zeros
        j = y_idx[p]
        if z[j] > zero or not out_relu:
            dz[j] -= y_val[p] * inv_T
    return loss


@njit(fastmath=FASTMATH, inline="always")
def _decoder_backward(Wd, h, dz, zero, gWd, gb2, dh):
    """= mlp.backward:  db2 += dz,  dW2 += dz h^T  (stored transposed: gWd += h dz^T),
    dh = W2^T dz = Wd dz.                                                        dh: (m,)
    (In a tied model gWd is the encoder's buffer: this adds the decoder term h dpre^T of dW.)"""
    m, K = Wd.shape
    for i in range(K):
        gb2[i] += dz[i]
    for r in range(m):
        acc = zero
        for i in range(K):
            acc += Wd[r, i] * dz[i]
        dh[r] = acc
    for r in range(m):
        hr = h[r]
        for i in range(K):
            gWd[r, i] += hr * dz[i]


@njit(fastmath=FASTMATH, inline="always")
def _encoder_backward(a, dh, x_idx, x_val, st, zero, gW1, gb1):
    """= mlp.backward:  da = dh [a > 0]  (relu_hidden: da = dh [a > 0]; linear hidden: da = dh),
    db1 += da,  dW1 += da x^T  over the non-zeros of x.  Overwrites dh with da."""
    m = a.shape[0]
    for r in range(m):
        if st.hidden_relu and a[r] <= zero:
            dh[r] = zero
        if st.has_b1:
            gb1[r] += dh[r]
    for p in range(x_idx.shape[0]):
        j = x_idx[p]
        xv = x_val[p]
        for r in range(m):
            gW1[r, j] += dh[r] * xv  # dW1[:, j] += da x_j


# Not inline="always": numba's IR inliner (0.68) miscompiled this body inlined into the loop of
# _samples (wrong losses; tests/test_kernels.py caught it), so it stays a call, one per sample.
@njit(fastmath=FASTMATH)
def _sample(t, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, gW1, gb1, gWd, gb2, buf):
    """Forward, loss and backward of sample t: returns its loss term (times T) and, when
    want_grads, adds its gradient into gW1, gb1, gWd, gb2 (one instance's buffers)."""
    x_idx = D.x_idx[D.x_ptr[t]:D.x_ptr[t + 1]]  # the non-zeros of x_t
    x_val = D.x_val[D.x_ptr[t]:D.x_ptr[t + 1]]
    y_idx = D.y_idx[D.y_ptr[t]:D.y_ptr[t + 1]]  # ... and of its target
    y_val = D.y_val[D.y_ptr[t]:D.y_ptr[t + 1]]
    zero = inv_T - inv_T  # 0 in the params' dtype
    _encoder_forward(W1, b1, x_idx, x_val, st, zero, buf.a, buf.h)
    _decoder_forward(Wd, b2, buf.h, buf.z)
    if st.ce:
        term = _ce_grad(buf.z, y_idx, y_val, inv_T, st.out_relu, buf.dz)
    else:
        for p in range(y_idx.shape[0]):
            buf.y[y_idx[p]] = y_val[p]  # scatter the target into the zero row y
        term = _mse_grad(buf.z, buf.y, imp, inv_T, st.out_relu, buf.dz)
        for p in range(y_idx.shape[0]):
            buf.y[y_idx[p]] = 0.0  # leave y all zero again
    if want_grads:
        _decoder_backward(Wd, buf.h, buf.dz, zero, gWd, gb2, buf.dh)
        _encoder_backward(buf.a, buf.dh, x_idx, x_val, st, zero, gW1, gb1)
    return term


# ---------------------------------------------------------------------------------------------
# The decoder tile pass for m = 2: GROUP samples at once. Every weight of the decoder is loaded
# once per group instead of once per sample, and the inner loop over the outputs vectorises to the
# machine's widest FMAs. The same math as _decoder_forward, _mse_grad / _ce_grad and
# _decoder_backward, sample by sample (tests/test_kernels.py holds the two paths equal).
# ---------------------------------------------------------------------------------------------

GROUP = 4  # samples of one decoder tile pass (m = 2)
Group = namedtuple("Group", "A h H dH Y Z dZ")  # (G, m), (m,), (2G,), (2G,), (G, K) zero, (G, K), (G, K)


@njit(fastmath=FASTMATH)
def _decode_tile_mse_relu(w0, w1, b2, imp, y0, y1, y2, y3, H, inv_T, g0, g1, gb2, dH):
    """decode_tile_mse with out = ReLU(z)."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    zero = inv_T - inv_T
    c = inv_T + inv_T
    loss = zero
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(w0.shape[0]):
        a0 = w0[j]
        a1 = w1[j]
        bj = b2[j]
        z0 = bj + a0 * h00 + a1 * h01
        z1 = bj + a0 * h10 + a1 * h11
        z2 = bj + a0 * h20 + a1 * h21
        z3 = bj + a0 * h30 + a1 * h31
        e0 = max(z0, zero) - y0[j]
        e1 = max(z1, zero) - y1[j]
        e2 = max(z2, zero) - y2[j]
        e3 = max(z3, zero) - y3[j]
        ij = imp[j]
        loss += ij * (e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3)
        cij = c * ij
        q0 = cij * e0 if z0 > zero else zero
        q1 = cij * e1 if z1 > zero else zero
        q2 = cij * e2 if z2 > zero else zero
        q3 = cij * e3 if z3 > zero else zero
        g0[j] += h00 * q0 + h10 * q1 + h20 * q2 + h30 * q3
        g1[j] += h01 * q0 + h11 * q1 + h21 * q2 + h31 * q3
        gb2[j] += q0 + q1 + q2 + q3
        d00 += a0 * q0
        d01 += a1 * q0
        d10 += a0 * q1
        d11 += a1 * q1
        d20 += a0 * q2
        d21 += a1 * q2
        d30 += a0 * q3
        d31 += a1 * q3
    dH[0], dH[1], dH[2], dH[3] = d00, d01, d10, d11
    dH[4], dH[5], dH[6], dH[7] = d20, d21, d30, d31
    return loss


@njit(fastmath=FASTMATH)
def _decode_tile_mse_linear(w0, w1, b2, imp, y0, y1, y2, y3, H, inv_T, g0, g1, gb2, dH):
    """decode_tile_mse with out = z."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    zero = inv_T - inv_T
    c = inv_T + inv_T
    loss = zero
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(w0.shape[0]):
        a0 = w0[j]
        a1 = w1[j]
        bj = b2[j]
        z0 = bj + a0 * h00 + a1 * h01
        z1 = bj + a0 * h10 + a1 * h11
        z2 = bj + a0 * h20 + a1 * h21
        z3 = bj + a0 * h30 + a1 * h31
        e0 = z0 - y0[j]
        e1 = z1 - y1[j]
        e2 = z2 - y2[j]
        e3 = z3 - y3[j]
        ij = imp[j]
        loss += ij * (e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3)
        cij = c * ij
        q0 = cij * e0
        q1 = cij * e1
        q2 = cij * e2
        q3 = cij * e3
        g0[j] += h00 * q0 + h10 * q1 + h20 * q2 + h30 * q3
        g1[j] += h01 * q0 + h11 * q1 + h21 * q2 + h31 * q3
        gb2[j] += q0 + q1 + q2 + q3
        d00 += a0 * q0
        d01 += a1 * q0
        d10 += a0 * q1
        d11 += a1 * q1
        d20 += a0 * q2
        d21 += a1 * q2
        d30 += a0 * q3
        d31 += a1 * q3
    dH[0], dH[1], dH[2], dH[3] = d00, d01, d10, d11
    dH[4], dH[5], dH[6], dH[7] = d20, d21, d30, d31
    return loss


@njit(fastmath=FASTMATH)
def decode_tile_mse(w0, w1, b2, imp, y0, y1, y2, y3, H, inv_T, out_relu, g0, g1, gb2, dH):
    """m = 2, four samples s = 0..3 with hidden vectors (H[2s], H[2s+1]) and targets y_s (K,):

        z_s   = W2 h_s + b2 = w0 h_s0 + w1 h_s1 + b2           (= _decoder_forward; w_r = Wd[r] = W2[:, r])
        dz_s  = (2/T) I (out_s - y_s) [z_s > 0]                 (= _mse_grad; out = ReLU(z) or z)
        gb2  += sum_s dz_s,   gWd[r] += sum_s h_sr dz_s,   dH[2s + r] = w_r . dz_s   (= _decoder_backward)

    Returns the four samples' loss terms summed (before the 1/T). The loop is written twice, with
    and without the output ReLU, so that neither holds a branch and both vectorise."""
    if out_relu:
        return _decode_tile_mse_relu(w0, w1, b2, imp, y0, y1, y2, y3, H, inv_T, g0, g1, gb2, dH)
    return _decode_tile_mse_linear(w0, w1, b2, imp, y0, y1, y2, y3, H, inv_T, g0, g1, gb2, dH)


@njit(fastmath=FASTMATH)
def decode_tile_forward(w0, w1, b2, H, z0, z1, z2, z3):
    """m = 2, four samples: z_s = w0 h_s0 + w1 h_s1 + b2 (= _decoder_forward), each (K,)."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    for j in range(w0.shape[0]):
        a0 = w0[j]
        a1 = w1[j]
        bj = b2[j]
        z0[j] = bj + a0 * h00 + a1 * h01
        z1[j] = bj + a0 * h10 + a1 * h11
        z2[j] = bj + a0 * h20 + a1 * h21
        z3[j] = bj + a0 * h30 + a1 * h31


@njit(fastmath=FASTMATH)
def decode_tile_backward(w0, w1, H, q0, q1, q2, q3, g0, g1, gb2, dH):
    """m = 2, four samples with output gradients q_s (K,): gb2 += sum_s q_s, gWd[r] += sum_s
    h_sr q_s and dH[2s + r] = w_r . q_s (= _decoder_backward)."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    zero = H[0] - H[0]
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(w0.shape[0]):
        a0 = w0[j]
        a1 = w1[j]
        p0, p1, p2, p3 = q0[j], q1[j], q2[j], q3[j]
        g0[j] += h00 * p0 + h10 * p1 + h20 * p2 + h30 * p3
        g1[j] += h01 * p0 + h11 * p1 + h21 * p2 + h31 * p3
        gb2[j] += p0 + p1 + p2 + p3
        d00 += a0 * p0
        d01 += a1 * p0
        d10 += a0 * p1
        d11 += a1 * p1
        d20 += a0 * p2
        d21 += a1 * p2
        d30 += a0 * p3
        d31 += a1 * p3
    dH[0], dH[1], dH[2], dH[3] = d00, d01, d10, d11
    dH[4], dH[5], dH[6], dH[7] = d20, d21, d30, d31


@njit(fastmath=FASTMATH)
def _group(t0, W1, b1, Wd, b2, imp, D, st, inv_T, gW1, gb1, gWd, gb2, grp):
    """Samples t0..t0+GROUP-1 of an instance with m = 2, forward, loss and backward: encode each
    from its sparse input, decode the four in one tile pass, then each sample's encoder backward.
    Returns their loss terms summed (before the 1/T); adds the gradient into the buffers."""
    zero = inv_T - inv_T
    for g in range(GROUP):
        t = t0 + g
        _encoder_forward(W1, b1, D.x_idx[D.x_ptr[t]:D.x_ptr[t + 1]], D.x_val[D.x_ptr[t]:D.x_ptr[t + 1]], st,
                         zero, grp.A[g], grp.h)
        grp.H[2 * g] = grp.h[0]
        grp.H[2 * g + 1] = grp.h[1]
        if not st.ce:
            for p in range(D.y_ptr[t], D.y_ptr[t + 1]):
                grp.Y[g, D.y_idx[p]] = D.y_val[p]  # scatter the target into the zero row Y[g]
    if st.ce:
        decode_tile_forward(Wd[0], Wd[1], b2, grp.H, grp.Z[0], grp.Z[1], grp.Z[2], grp.Z[3])
        loss = zero
        for g in range(GROUP):
            t = t0 + g
            loss += _ce_grad(grp.Z[g], D.y_idx[D.y_ptr[t]:D.y_ptr[t + 1]], D.y_val[D.y_ptr[t]:D.y_ptr[t + 1]],
                             inv_T, st.out_relu, grp.dZ[g])
        decode_tile_backward(Wd[0], Wd[1], grp.H, grp.dZ[0], grp.dZ[1], grp.dZ[2], grp.dZ[3], gWd[0], gWd[1],
                             gb2, grp.dH)
    else:
        loss = decode_tile_mse(Wd[0], Wd[1], b2, imp, grp.Y[0], grp.Y[1], grp.Y[2], grp.Y[3], grp.H, inv_T,
                               st.out_relu, gWd[0], gWd[1], gb2, grp.dH)
    for g in range(GROUP):
        t = t0 + g
        if not st.ce:
            for p in range(D.y_ptr[t], D.y_ptr[t + 1]):
                grp.Y[g, D.y_idx[p]] = 0.0  # leave Y[g] all zero again
        _encoder_backward(grp.A[g], grp.dH[2 * g:2 * g + 2], D.x_idx[D.x_ptr[t]:D.x_ptr[t + 1]],
                          D.x_val[D.x_ptr[t]:D.x_ptr[t + 1]], st, zero, gW1, gb1)
    return loss


@njit(fastmath=FASTMATH, inline="always")
def _samples(k, lo, hi, P, D, st, want_grads, gW1, gb1, gWd, gb2, buf):
    """Sum over samples lo..hi-1 of instance k of their loss terms (gradients added into the
    buffers). Each term carries the 1/T of instance k; the loss is returned times T."""
    inv_T = _inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)
    W1, b1, b2, imp = P.W1[k], P.b1[k], P.b2[k], D.imp[k]  # views, taken once
    Wd = W1 if st.tied else P.Wd[k]
    loss = 0.0
    t = lo
    if want_grads and W1.shape[0] == 2:  # m = 2: the decoder tile pass, GROUP samples at once
        while t + GROUP <= hi:
            loss += _group(t, W1, b1, Wd, b2, imp, D, st, inv_T, gW1, gb1, gWd, gb2, buf.grp)
            t += GROUP
    for t in range(t, hi):  # the rest (and every sample when m != 2) one at a time
        loss += _sample(t, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, gW1, gb1, gWd, gb2, buf)
    return loss


@njit(inline="always")
def _scratch(m, K, like):
    dt = like.dtype
    grp = Group(np.empty((GROUP, m), dt), np.empty(m, dt), np.empty(2 * GROUP, dt), np.empty(2 * GROUP, dt),
                np.zeros((GROUP, K), dt), np.empty((GROUP, K), dt), np.empty((GROUP, K), dt))
    return Scratch(np.empty(m, dt), np.empty(m, dt), np.empty(m, dt), np.empty(K, dt), np.empty(K, dt),
                   np.zeros(K, dt), grp)


@njit(cache=True)
def _inv(T, like):
    """1 / T in the dtype of the array ``like``."""
    buf = np.empty(1, like.dtype)
    buf[0] = 1.0 / T
    return buf[0]


# ---------------------------------------------------------------------------------------------
# AdamW: = optim.adamw_step
# ---------------------------------------------------------------------------------------------

@njit(fastmath=FASTMATH, inline="always")
def _adamw(p, g, mom1, mom2, lr, hp, bc1, bc2, decay):
    """= optim.adamw_step on a flat array, lines (1)-(5). Returns False when a parameter is no
    longer finite (a sum of p * 0 is NaN exactly then; it vectorises, a branch would not)."""
    probe = p[0] - p[0]
    for q in range(p.shape[0]):
        if decay:
            p[q] -= lr * hp.weight_decay * p[q]  # (1) decoupled weight decay
        mom1[q] = mom1[q] * hp.beta1 + (1.0 - hp.beta1) * g[q]  # (2) first moment
        mom2[q] = mom2[q] * hp.beta2 + (1.0 - hp.beta2) * g[q] * g[q]  # (3) second moment
        m_hat = mom1[q] / bc1  # (4) bias correction
        v_hat = mom2[q] / bc2
        p[q] -= lr * m_hat / (np.sqrt(v_hat) + hp.eps)  # (5) Adam step
        probe += p[q] * 0.0
    return np.isfinite(probe)


@njit(inline="always")
def _update(k, s, lr, P, gW1, gb1, gWd, gb2, M1, M2, hp, st, decay):
    """AdamW for instance k after step s (Adam's t = s + 1) on every parameter array; returns
    False when a parameter stopped being finite."""
    t = s + 1
    bc1 = 1.0 - hp.beta1 ** t
    bc2 = 1.0 - hp.beta2 ** t
    ok = _adamw(P.W1[k].reshape(-1), gW1.reshape(-1), M1.W1[k].reshape(-1), M2.W1[k].reshape(-1),
                lr, hp, bc1, bc2, decay.W1)
    if st.has_b1:
        ok &= _adamw(P.b1[k], gb1, M1.b1[k], M2.b1[k], lr, hp, bc1, bc2, decay.b1)
    if not st.tied:
        ok &= _adamw(P.Wd[k].reshape(-1), gWd.reshape(-1), M1.Wd[k].reshape(-1), M2.Wd[k].reshape(-1),
                     lr, hp, bc1, bc2, decay.Wd)
    ok &= _adamw(P.b2[k], gb2, M1.b2[k], M2.b2[k], lr, hp, bc1, bc2, decay.b2)
    return ok


# ---------------------------------------------------------------------------------------------
# The kernels: gradients only, whole trainings (two ways of using the cores), the loss only.
# ---------------------------------------------------------------------------------------------

@njit(cache=True, parallel=True, fastmath=FASTMATH)
def grads_kernel(P, D, st, G, losses):
    """Loss (I,) and gradient of every instance at P, instances in parallel, added into G (the
    general form, zero on entry) -- what one training step computes before AdamW."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    for k in prange(I):
        buf = _scratch(m, K, P.W1)
        gWd = G.W1[k] if st.tied else G.Wd[k]
        loss = _samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, True, G.W1[k], G.b1[k],
                        gWd, G.b2[k], buf)
        losses[k] = loss * _inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def run_instances(assign_ptr, assign_idx, s0, s1, lrs, P, M1, M2, D, st, hp, decay, losses, diverged):
    """Steps s0..s1-1 for every instance; thread th trains instances assign_idx[assign_ptr[th]:
    assign_ptr[th+1]] start to end. losses[s - s0, k] is instance k's loss before update s;
    diverged[k] is the first step whose loss, or whose update's parameters, are not finite."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    for th in prange(assign_ptr.shape[0] - 1):
        buf = _scratch(m, K, P.W1)  # per-thread scratch and gradient buffers
        gW1 = np.empty((m, n), P.W1.dtype)
        gb1 = np.empty(m, P.W1.dtype)
        gWd = gW1 if st.tied else np.empty((m, K), P.W1.dtype)
        gb2 = np.empty(K, P.W1.dtype)
        for q in range(assign_ptr[th], assign_ptr[th + 1]):
            k = assign_idx[q]
            inv_T = _inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)
            for s in range(s0, s1):
                gW1[:] = 0.0
                gb1[:] = 0.0
                gWd[:] = 0.0  # tied: gWd is gW1
                gb2[:] = 0.0
                loss = _samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, True, gW1, gb1,
                                gWd, gb2, buf) * inv_T
                losses[s - s0, k] = loss
                if not np.isfinite(loss):
                    diverged[k] = s
                    break
                if not _update(k, s, lrs[s - s0], P, gW1, gb1, gWd, gb2, M1, M2, hp, st, decay):
                    diverged[k] = s
                    break


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def run_samples(n_chunks, s0, s1, lrs, P, M1, M2, D, st, hp, decay, losses, diverged):
    """Steps s0..s1-1, all instances in lockstep, the samples of each instance split into n_chunks
    contiguous chunks run in parallel, each with its own gradient buffer; buffers are summed in
    chunk order. Same outputs as run_instances."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    C = n_chunks
    gW1 = np.zeros((C, I, m, n), P.W1.dtype)  # (C, I, m, n) per-chunk gradient buffers
    gb1 = np.zeros((C, I, m), P.W1.dtype)
    gWd = gW1 if st.tied else np.zeros((C, I, m, K), P.W1.dtype)
    gb2 = np.zeros((C, I, K), P.W1.dtype)
    closs = np.zeros((C, I))
    done = np.zeros(I, np.bool_)
    for s in range(s0, s1):
        for c in prange(C):
            buf = _scratch(m, K, P.W1)  # per-thread scratch, allocated by the thread
            gW1[c] = 0.0
            gb1[c] = 0.0
            gWd[c] = 0.0  # tied: gWd is gW1
            gb2[c] = 0.0
            for k in range(I):
                if done[k]:
                    continue
                T = D.inst_start[k + 1] - D.inst_start[k]
                lo = D.inst_start[k] + (T * c) // C
                hi = D.inst_start[k] + (T * (c + 1)) // C
                closs[c, k] = _samples(k, lo, hi, P, D, st, True, gW1[c, k], gb1[c, k], gWd[c, k],
                                       gb2[c, k], buf)
        for k in range(I):
            if done[k]:
                continue
            for c in range(1, C):  # fixed-order reduction into chunk 0
                gW1[0, k] += gW1[c, k]
                gb1[0, k] += gb1[c, k]
                if not st.tied:
                    gWd[0, k] += gWd[c, k]
                gb2[0, k] += gb2[c, k]
                closs[0, k] += closs[c, k]
            loss = closs[0, k] / (D.inst_start[k + 1] - D.inst_start[k])
            losses[s - s0, k] = loss
            if not np.isfinite(loss):
                diverged[k] = s
                done[k] = True
                continue
            if not _update(k, s, lrs[s - s0], P, gW1[0, k], gb1[0, k], gWd[0, k], gb2[0, k], M1, M2,
                           hp, st, decay):
                diverged[k] = s
                done[k] = True


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def eval_loss(P, D, st):
    """The loss of every instance (I,) without gradients, instances in parallel."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    out = np.zeros(I)
    for k in prange(I):
        buf = _scratch(m, K, P.W1)
        g2 = np.empty((1, 1), P.W1.dtype)  # unused gradient buffers (want_grads=False)
        g1 = np.empty(1, P.W1.dtype)
        out[k] = _samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, False, g2, g1, g2, g1,
                          buf) * _inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)
    return out


# ---------------------------------------------------------------------------------------------
# Python side: a model's params to the general form (as its kernel_layout says), data to CSR.
# ---------------------------------------------------------------------------------------------

def to_general(model, params, **options):
    """(General arrays, Structure without the loss, layout) for a model's params; copies, never
    views. ``layout`` is ``model.kernel_layout(params, **options)``: the names of W1, b1, W2 (None
    when the decoder is tied to W1) and b2 in ``params``, and hidden_relu / out_relu."""
    layout = model.kernel_layout(params, **options)
    W1 = np.array(params[layout["W1"]], order="C")  # (I, m, n)
    I, m = W1.shape[:2]
    tied = layout["W2"] is None
    Wd = W1 if tied else np.ascontiguousarray(params[layout["W2"]].transpose(0, 2, 1))  # (I, m, K)
    b1 = np.array(params[layout["b1"]]) if layout["b1"] else np.zeros((I, m), W1.dtype)  # (I, m)
    b2 = np.array(params[layout["b2"]])  # (I, K)
    st = Structure(bool(layout["b1"]), bool(layout["hidden_relu"]), bool(layout["out_relu"]), tied, False)
    return General(W1, b1, Wd, b2), st, layout


def from_general(G, layout):
    """The inverse of to_general: a dict with the model's names (copies). Also maps gradients."""
    out = {layout["W1"]: G.W1.copy(), layout["b2"]: G.b2.copy()}
    if layout["b1"]:
        out[layout["b1"]] = G.b1.copy()
    if layout["W2"]:
        out[layout["W2"]] = np.ascontiguousarray(G.Wd.transpose(0, 2, 1))
    return out


def to_csr(x, mask, dtype):
    """Rows of x (I, T, n) that the mask keeps, as CSR: (ptr, idx, val, inst_start)."""
    I, T = x.shape[:2]
    keep = np.ones((I, T), bool) if mask is None else mask
    rows = x[keep]  # (total rows, n), instance-major
    inst_start = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)  # (I+1,)
    r, c = np.nonzero(rows)
    ptr = np.zeros(rows.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=rows.shape[0]), out=ptr[1:])
    return ptr, c.astype(np.int64), rows[r, c].astype(dtype), inst_start


def targets_to_csr(target, mask, dtype):
    """Targets as CSR rows: float (I, T, K) as they are, hard labels (I, T) as one entry 1.0
    (the labels were checked to lie in [0, K) by the caller)."""
    if target.dtype.kind in "iu":
        I, T = target.shape
        keep = np.ones((I, T), bool) if mask is None else mask
        labels = target[keep]  # (rows,)
        ptr = np.arange(labels.shape[0] + 1, dtype=np.int64)
        return ptr, labels.astype(np.int64), np.ones(labels.shape[0], dtype)
    return to_csr(target, mask, dtype)[:3]


def prepare(model, params, x, target, *, loss, importance=None, mask=None, **options):
    """Everything the kernels take for already validated inputs (see train.check_inputs):
    (General params, Data, Structure, layout)."""
    P, st, layout = to_general(model, params, **options)
    dtype = P.W1.dtype
    I, K = P.b2.shape
    x_ptr, x_idx, x_val, inst_start = to_csr(x, mask, dtype)
    y_ptr, y_idx, y_val = targets_to_csr(target, mask, dtype)
    # a fresh, writable, contiguous copy: a read-only array would make numba compile every kernel
    # a second time for that array type
    imp = np.ones((I, K), dtype) if importance is None else np.array(
        np.broadcast_to(np.asarray(importance, dtype), (I, K)), order="C")
    D = Data(x_ptr, x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp)
    return P, D, st._replace(ce=(loss == "ce")), layout


def loss_and_grads(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """The fused kernels' loss (I,) and gradients, with the signature and return value of
    ``model.loss_and_grads``: the per-sample code of a training step before AdamW, exposed so that
    tests compare it tensor by tensor with the numpy model."""
    model, x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss,
                                                            importance=importance, mask=mask, **options)
    P, D, st, layout = prepare(model, params, x, target, loss=loss, importance=importance, mask=mask,
                               **options)
    G = General(np.zeros_like(P.W1), np.zeros_like(P.b1), None, np.zeros_like(P.b2))
    G = G._replace(Wd=G.W1 if st.tied else np.zeros_like(P.Wd))
    value = np.empty(P.W1.shape[0])
    announce_compile((grads_kernel, (P, D, st, G, value)))
    grads_kernel(P, D, st, G, value)
    return value, from_general(G, layout)


def assign_threads(costs, n_threads):
    """Longest-processing-time assignment of instances to threads: (ptr, idx) for run_instances."""
    order = np.argsort(-np.asarray(costs), kind="stable")
    load = np.zeros(n_threads)
    buckets = [[] for _ in range(n_threads)]
    for k in order:
        th = int(np.argmin(load))
        buckets[th].append(int(k))
        load[th] += costs[k]
    ptr = np.concatenate([[0], np.cumsum([len(b) for b in buckets])]).astype(np.int64)
    idx = np.array([k for b in buckets for k in sorted(b)], dtype=np.int64)
    return ptr, idx


def choose_parallel(cost, threads):
    """'instances' when the instances spread evenly over the threads (the longest thread's work is
    at most 1.25x the mean), else 'samples' when a step is large enough for threads to pay
    (> 2e5 multiply-adds), else 'serial'."""
    cost = np.asarray(cost, dtype=float)
    if threads <= 1:
        return "serial"
    ptr, idx = assign_threads(cost, threads)
    makespan = max(cost[idx[ptr[i]:ptr[i + 1]]].sum() for i in range(threads))
    if makespan <= 1.25 * cost.sum() / threads:
        return "instances"
    return "samples" if cost.sum() > 2e5 else "serial"


def will_compile(dispatcher, args):
    """True when ``dispatcher(*args)`` has to compile: its signature for these argument types is
    neither loaded in this process nor in numba's on-disk cache (a new model, dtype or option has a
    new signature even when the kernel's cache holds others)."""
    try:
        sig = tuple(dispatcher.typeof_pyval(a) for a in args)
        if any(tuple(s) == sig for s in dispatcher.signatures):
            return False
        index = dispatcher._cache._cache_file._load_index()  # {(signature, codegen, hashes): file}
        return not any(key[0] == sig for key in index)
    except Exception:  # pragma: no cover - the JIT is disabled, or numba's internals changed
        return False


def announce_compile(*calls):
    """Say so on stderr when one of the calls (dispatcher, args) will compile: numba then caches the
    machine code on disk, so it happens once per model, dtype and option."""
    if any(will_compile(d, args) for d, args in calls):
        sys.stderr.write("minimem: compiling numba kernels for this model and dtype (about a minute, once; "
                         "cached on disk afterwards)...\n")
        sys.stderr.flush()


class Run:
    """A training run held in the kernels' form, advanced segment by segment by train.train:
    ``steps(s0, s1, lrs)`` runs updates s0..s1-1 and returns their losses (s1 - s0, I) and per
    instance the first step whose loss or updated parameters are not finite (-1 when none); ``params()`` maps the current params back to the model's names;
    ``final_loss()`` evaluates the train loss."""

    def __init__(self, model, params, x, target, *, loss, importance, mask, weight_decay, betas, eps,
                 no_decay, parallel="auto", n_threads=None, **options):
        P, D, st, layout = prepare(model, params, x, target, loss=loss, importance=importance,
                                   mask=mask, **options)
        self.P, self.D, self.st, self.layout = P, D, st, layout
        named = {"W1": layout["W1"], "b1": layout["b1"], "Wd": layout["W2"], "b2": layout["b2"]}
        self.decay = Decay(*[bool(named[g]) and named[g] not in no_decay for g in Decay._fields])
        self.hp = AdamW(float(betas[0]), float(betas[1]), float(eps), float(weight_decay))
        self.M1 = General(*[np.zeros_like(p) for p in P])  # first and second moments
        self.M2 = General(*[np.zeros_like(p) for p in P])
        I, m = P.W1.shape[:2]
        K = P.Wd.shape[2]
        threads = n_threads or numba.get_num_threads()
        T_k = np.diff(D.inst_start)
        nnz = np.add.reduceat(np.diff(D.x_ptr), D.inst_start[:-1]) if D.x_ptr.shape[0] > 1 else np.zeros(I)
        cost = T_k * (K + 1) * m + nnz * m  # multiply-adds per step, per instance
        self.parallel = choose_parallel(cost, threads) if parallel == "auto" else parallel
        if self.parallel == "samples":
            # numba's prange gives 2 threads x 2 chunks an uneven share on this kind of machine
            # (measured: 2 chunks no faster than 1); 2 chunks per thread scale (1.75x on 2 cores)
            self.chunks = 2 * threads
        else:
            self.assign = assign_threads(cost, threads if self.parallel == "instances" else 1)
        lrs, out, diverged = np.zeros(1), np.empty((1, I)), np.full(I, -1, np.int64)  # as steps() passes them
        run = ((run_samples, (self.chunks, 0, 1, lrs, P, self.M1, self.M2, D, st, self.hp, self.decay, out, diverged))
               if self.parallel == "samples" else
               (run_instances, (self.assign[0], self.assign[1], 0, 1, lrs, P, self.M1, self.M2, D, st, self.hp,
                                self.decay, out, diverged)))
        announce_compile(run, (eval_loss, (P, D, st)))

    def steps(self, s0, s1, lrs):
        I = self.P.W1.shape[0]
        out = np.empty((s1 - s0, I))
        diverged = np.full(I, -1, np.int64)
        if self.parallel == "samples":
            run_samples(self.chunks, s0, s1, lrs, self.P, self.M1, self.M2, self.D, self.st, self.hp,
                        self.decay, out, diverged)
        else:
            run_instances(self.assign[0], self.assign[1], s0, s1, lrs, self.P, self.M1, self.M2, self.D,
                          self.st, self.hp, self.decay, out, diverged)
        return out, diverged

    def params(self):
        return from_general(self.P, self.layout)

    final_params = params

    def final_loss(self):
        return eval_loss(self.P, self.D, self.st)


def evaluate(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """Loss per instance (I,) computed by the kernels (no (T, n) temporaries): for large test sets."""
    model, x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss,
                                                            importance=importance, mask=mask, **options)
    P, D, st, _ = prepare(model, params, x, target, loss=loss, importance=importance, mask=mask, **options)
    announce_compile((eval_loss, (P, D, st)))
    return eval_loss(P, D, st)
