"""The m = 2 fast path of the kernels: the decoder tile, GROUP samples at once.

With two hidden units a sample's decoder pass is a short loop over the K outputs per sample; the
tile makes one pass for GROUP (4) samples, every decoder weight loaded once per group and the loop
over the outputs vectorised to the machine's widest FMAs (for cross-entropy the forward tile also
takes each sample's max and the backward tile its scaling, so ce_grad_tile makes one pass over a
row, its exps). It computes the math of kernels.decode, mse_grad / ce_grad and decode_backward
sample by sample (tests/test_kernels.py holds the two paths equal, and the kernels without the
tile equal the numpy models too).

It is compiled into the kernels only when a Run asks for it (kernels.instance_samples' ``tile``
argument, chosen by fused.host.tile_flag; MINIMEM_TILE=0 turns it off everywhere). Its speed is
measured in SPEED.md (scripts/bench_ab.py, bench_kernels.py).

numba's disk cache watches the kernels' own file (kernels.py) for changes, not this one: after
editing this file, touch kernels.py (or delete minimem/fused/__pycache__) before timing or testing.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .exp import FASTMATH, kernel_exp

# ---------------------------------------------------------------------------------------------
# The decoder tile pass for m = 2: GROUP samples at once. Every weight of the decoder is loaded
# once per group instead of once per sample, and the inner loop over the outputs vectorises to the
# machine's widest FMAs. The same math as decode, mse_grad / ce_grad and
# decode_backward, sample by sample (tests/test_kernels.py holds the two paths equal).
# ---------------------------------------------------------------------------------------------

GROUP = 4  # samples of one decoder tile pass (m = 2)
assert GROUP == 4, "the tile bodies below are unrolled by hand for four samples"
Group = namedtuple("Group", "A S H dH Z dZ Ws Y dWu dbu L")
# (G, m), (2, G), (2G,), (2G,), (G, K), (G, K); the MSE tile's rows, each Kp >= K long (tile_rows):
# (2, Kp), (G, Kp) zero, (2, Kp) zero, (Kp,) zero, (Kp,) zero


@njit(fastmath=FASTMATH, inline="always")
def _decode_tile_mse_relu(K, Wd, Ws, b2, Y, H, zero, dWu, dbu, L, dH):
    """decode_tile_mse with out = ReLU(z)."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(K):
        a0 = Wd[0, j]
        a1 = Wd[1, j]
        bj = b2[j]
        z0 = bj + a0 * h00 + a1 * h01
        z1 = bj + a0 * h10 + a1 * h11
        z2 = bj + a0 * h20 + a1 * h21
        z3 = bj + a0 * h30 + a1 * h31
        e0 = max(z0, zero) - Y[0, j]
        e1 = max(z1, zero) - Y[1, j]
        e2 = max(z2, zero) - Y[2, j]
        e3 = max(z3, zero) - Y[3, j]
        L[j] += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3
        q0 = e0 if z0 > zero else zero
        q1 = e1 if z1 > zero else zero
        q2 = e2 if z2 > zero else zero
        q3 = e3 if z3 > zero else zero
        dWu[0, j] += h00 * q0 + h10 * q1 + h20 * q2 + h30 * q3
        dWu[1, j] += h01 * q0 + h11 * q1 + h21 * q2 + h31 * q3
        dbu[j] += q0 + q1 + q2 + q3
        s0 = Ws[0, j]
        s1 = Ws[1, j]
        d00 += s0 * q0
        d01 += s1 * q0
        d10 += s0 * q1
        d11 += s1 * q1
        d20 += s0 * q2
        d21 += s1 * q2
        d30 += s0 * q3
        d31 += s1 * q3
    dH[0], dH[1], dH[2], dH[3] = d00, d01, d10, d11
    dH[4], dH[5], dH[6], dH[7] = d20, d21, d30, d31


@njit(fastmath=FASTMATH, inline="always")
def _decode_tile_mse_linear(K, Wd, Ws, b2, Y, H, zero, dWu, dbu, L, dH):
    """decode_tile_mse with out = z."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(K):
        a0 = Wd[0, j]
        a1 = Wd[1, j]
        bj = b2[j]
        z0 = bj + a0 * h00 + a1 * h01
        z1 = bj + a0 * h10 + a1 * h11
        z2 = bj + a0 * h20 + a1 * h21
        z3 = bj + a0 * h30 + a1 * h31
        e0 = z0 - Y[0, j]
        e1 = z1 - Y[1, j]
        e2 = z2 - Y[2, j]
        e3 = z3 - Y[3, j]
        L[j] += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3
        q0 = e0
        q1 = e1
        q2 = e2
        q3 = e3
        dWu[0, j] += h00 * q0 + h10 * q1 + h20 * q2 + h30 * q3
        dWu[1, j] += h01 * q0 + h11 * q1 + h21 * q2 + h31 * q3
        dbu[j] += q0 + q1 + q2 + q3
        s0 = Ws[0, j]
        s1 = Ws[1, j]
        d00 += s0 * q0
        d01 += s1 * q0
        d10 += s0 * q1
        d11 += s1 * q1
        d20 += s0 * q2
        d21 += s1 * q2
        d30 += s0 * q3
        d31 += s1 * q3
    dH[0], dH[1], dH[2], dH[3] = d00, d01, d10, d11
    dH[4], dH[5], dH[6], dH[7] = d20, d21, d30, d31


@njit(fastmath=FASTMATH, inline="always")
def decode_tile_mse(K, Wd, Ws, b2, Y, H, zero, out_relu, dWu, dbu, L, dH):
    """m = 2, four samples s = 0..3 with hidden vectors (H[2s], H[2s+1]) and targets Y[s], over the
    outputs j < K:

        z_s   = W2 h_s + b2 = w0 h_s0 + w1 h_s1 + b2       (= decode; w_r = Wd[r] = W2[:, r])
        q_s   = (out_s - y_s) [z_s > 0]                     (= mse_grad without its factor c = 2 I / T;
                                                               out = ReLU(z) or z)
        dbu  += sum_s q_s,   dWu[r] += sum_s h_sr q_s       (= decode_backward's db2, dW2, over c)
        dH[2s + r] = Ws[r] . q_s = w_r . dz_s               (= decode_backward's dh; Ws = c Wd given)
        L    += sum_s (out_s - y_s)^2                       (= the loss terms, over I)

    The factor c (and the I of the loss) is applied to the sums dWu, dbu and L once per chunk of
    samples (mse_tile_end), not once per sample and output: the loop issues 29 multiplies per 16
    outputs where it issued 34, and it is bound by them. The loop is written twice, with and
    without the output ReLU, so that neither holds a branch and both vectorise: one loop with
    out = max(z, floor), and one body compiled twice with the ReLU's lines pruned on a None
    argument, were both measured slower (SPEED.md, why the kernels are written so). The arrays
    come whole (Wd (2, K); the tile's rows Ws, Y, dWu (2, Kp), (4, Kp), (2, Kp)), not as rows: a row is a view, and numba
    counts references to every view it makes, an atomic operation per view, per call. zero is 0
    in the arrays' dtype."""
    if out_relu:
        _decode_tile_mse_relu(K, Wd, Ws, b2, Y, H, zero, dWu, dbu, L, dH)
    else:
        _decode_tile_mse_linear(K, Wd, Ws, b2, Y, H, zero, dWu, dbu, L, dH)


@njit(fastmath=FASTMATH, inline="always")
def decode_tile_forward(Wd, b2, H, out_relu, Z, S):
    """m = 2, four samples: Z[s] = w0 h_s0 + w1 h_s1 + b2 (= decode), Z: (4, K), and S[0, s] the
    max of the sample's output (ReLU(z) or z), the first pass of ce_grad done on the way."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    m0 = b2[0] + Wd[0, 0] * h00 + Wd[1, 0] * h01  # z at j = 0, the start of each running max
    m1 = b2[0] + Wd[0, 0] * h10 + Wd[1, 0] * h11
    m2 = b2[0] + Wd[0, 0] * h20 + Wd[1, 0] * h21
    m3 = b2[0] + Wd[0, 0] * h30 + Wd[1, 0] * h31
    for j in range(Wd.shape[1]):
        a0 = Wd[0, j]
        a1 = Wd[1, j]
        bj = b2[j]
        z0 = bj + a0 * h00 + a1 * h01
        z1 = bj + a0 * h10 + a1 * h11
        z2 = bj + a0 * h20 + a1 * h21
        z3 = bj + a0 * h30 + a1 * h31
        Z[0, j] = z0
        Z[1, j] = z1
        Z[2, j] = z2
        Z[3, j] = z3
        m0 = max(m0, z0)
        m1 = max(m1, z1)
        m2 = max(m2, z2)
        m3 = max(m3, z3)
    zero = H[0] - H[0]
    S[0, 0] = max(m0, zero) if out_relu else m0  # max ReLU(z) = max(max z, 0)
    S[0, 1] = max(m1, zero) if out_relu else m1
    S[0, 2] = max(m2, zero) if out_relu else m2
    S[0, 3] = max(m3, zero) if out_relu else m3


@njit(fastmath=FASTMATH, inline="always")
def ce_grad_tile(Z, g, zmax, y_idx, y_val, lo, hi, inv_T, out_relu, dZ, S):
    """ce_grad for sample g of a tile, its max already known (decode_tile_forward) and its last
    pass (the scaling by p sum(y) / T) left to decode_tile_backward, which multiplies by S[1, g]:

        dZ[g, i] = exp(out_i - max) [z_i > 0] - y_i / (T S[1, g]) [z_i > 0],   S[1, g] = sum(y) / (T sum_u exp(out_u - max))

    so that S[1, g] dZ[g, i] = (p_i sum(y) - y_i) / T [z_i > 0], ce_grad's dz. Returns the loss
    term (before the 1/T), computed at the target's non-zeros directly, as correct_at_nonzeros."""
    zero = inv_T - inv_T
    s = zero
    if out_relu:
        for i in range(Z.shape[1]):
            zi = Z[g, i]
            e = kernel_exp(max(zi, zero) - zmax)
            s += e
            dZ[g, i] = e if zi > zero else zero
    else:
        for i in range(Z.shape[1]):
            e = kernel_exp(Z[g, i] - zmax)
            s += e
            dZ[g, i] = e
    lse = zmax + np.log(s)
    sum_y = zero
    for p in range(lo, hi):
        sum_y += y_val[p]
    scale = sum_y * inv_T / s
    if scale == zero:  # no target mass (or it underflowed): dz is -y/T alone, so scale 1 and zero exps
        for i in range(Z.shape[1]):
            dZ[g, i] = zero
        scale = zero + 1.0
    S[1, g] = scale
    loss = zero
    for p in range(lo, hi):
        j = y_idx[p]
        o = max(Z[g, j], zero) if out_relu else Z[g, j]
        loss += y_val[p] * (lse - o)
        if Z[g, j] > zero or not out_relu:
            dZ[g, j] -= y_val[p] * inv_T / scale
    return loss


@njit(fastmath=FASTMATH, inline="always")
def decode_tile_backward(Wd, H, dZ, S, dWd, db2, dH):
    """m = 2, four samples with output gradients S[1, s] dZ[s] (K,) (ce_grad_tile's scaling done
    here): db2 += sum_s q_s, dWd[r] += sum_s h_sr q_s and dH[2s + r] = w_r . q_s (= decode_backward)."""
    h00, h01, h10, h11 = H[0], H[1], H[2], H[3]
    h20, h21, h30, h31 = H[4], H[5], H[6], H[7]
    c0, c1, c2, c3 = S[1, 0], S[1, 1], S[1, 2], S[1, 3]
    zero = H[0] - H[0]
    d00 = d01 = d10 = d11 = d20 = d21 = d30 = d31 = zero
    for j in range(Wd.shape[1]):
        a0 = Wd[0, j]
        a1 = Wd[1, j]
        p0, p1, p2, p3 = dZ[0, j] * c0, dZ[1, j] * c1, dZ[2, j] * c2, dZ[3, j] * c3
        dWd[0, j] += h00 * p0 + h10 * p1 + h20 * p2 + h30 * p3
        dWd[1, j] += h01 * p0 + h11 * p1 + h21 * p2 + h31 * p3
        db2[j] += p0 + p1 + p2 + p3
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


@njit(fastmath=FASTMATH, inline="always")
def encode_m2(W1, b1, x_idx, x_val, lo, hi, st, zero, A, H, g, Y, scatter):
    """encode for m = 2, the two hidden units held in registers: a = W1 x + b1 over the non-zeros
    x_idx[lo:hi] of one sample; writes A[g] = a and (H[2g], H[2g+1]) = h (no views made). With
    scatter, also the sample's input into the zero row Y[g]: the MSE target when it is the input,
    scattered in this loop rather than in one of its own."""
    a0 = b1[0] if st.has_b1 else zero
    a1 = b1[1] if st.has_b1 else zero
    for p in range(lo, hi):
        j = x_idx[p]
        xv = x_val[p]
        a0 += W1[0, j] * xv  # a += W1[:, j] x_j
        a1 += W1[1, j] * xv
        if scatter:
            Y[g, j] = xv
    A[g, 0] = a0
    A[g, 1] = a1
    H[2 * g] = max(a0, zero) if st.hidden_relu else a0
    H[2 * g + 1] = max(a1, zero) if st.hidden_relu else a1


@njit(fastmath=FASTMATH, inline="always")
def encode_backward_m2(A, dH, g, x_idx, x_val, lo, hi, st, zero, dW1, db1, Y, clear):
    """encode_backward for m = 2 in registers: da = dh [a > 0] (or dh), db1 += da, dW1 += da x^T
    over the non-zeros x_idx[lo:hi] of one sample (no views made). With clear, also Y[g] left all
    zero again where encode_m2 scattered the input."""
    d0 = dH[2 * g]
    d1 = dH[2 * g + 1]
    if st.hidden_relu:
        d0 = d0 if A[g, 0] > zero else zero
        d1 = d1 if A[g, 1] > zero else zero
    if st.has_b1:
        db1[0] += d0
        db1[1] += d1
    for p in range(lo, hi):
        j = x_idx[p]
        xv = x_val[p]
        dW1[0, j] += d0 * xv  # dW1[:, j] += da x_j
        dW1[1, j] += d1 * xv
        if clear:
            Y[g, j] = 0.0


@njit(fastmath=FASTMATH, inline="always")
def group_step(t0, W1, b1, Wd, b2, imp, D, st, inv_T, grads, grp):
    """Samples t0..t0+GROUP-1 of an instance with m = 2, forward, loss and backward: encode each
    from its sparse input, decode the four in one tile pass, then each sample's encoder backward.
    Returns their loss terms summed (before the 1/T) for cross-entropy; adds the gradient into grads
    (a General), with MSE the decoder's part into the tile's sums (grp.dWu, grp.dbu, grp.L)."""
    zero = inv_T - inv_T
    fused = st.y_is_x and not st.ce  # the target scattered into Y and cleared in the encoder's loops
    for g in range(GROUP):
        t = t0 + g
        encode_m2(W1, b1, D.x_idx, D.x_val, D.x_ptr[t], D.x_ptr[t + 1], st, zero, grp.A, grp.H, g, grp.Y, fused)
        if not st.ce and not fused:
            for p in range(D.y_ptr[t], D.y_ptr[t + 1]):
                grp.Y[g, D.y_idx[p]] = D.y_val[p]  # scatter the target into the zero row Y[g]
    if st.ce:
        decode_tile_forward(Wd, b2, grp.H, st.out_relu, grp.Z, grp.S)
        loss = zero
        for g in range(GROUP):
            t = t0 + g
            loss += ce_grad_tile(grp.Z, g, grp.S[0, g], D.y_idx, D.y_val, D.y_ptr[t], D.y_ptr[t + 1], inv_T,
                                 st.out_relu, grp.dZ, grp.S)
        decode_tile_backward(Wd, grp.H, grp.dZ, grp.S, grads.Wd, grads.b2, grp.dH)
    else:
        decode_tile_mse(Wd.shape[1], Wd, grp.Ws, b2, grp.Y, grp.H, zero, st.out_relu, grp.dWu, grp.dbu, grp.L, grp.dH)
        loss = zero  # the MSE tile's loss terms are summed in L, taken by mse_tile_end
    for g in range(GROUP):
        t = t0 + g
        if not st.ce and not fused:
            for p in range(D.y_ptr[t], D.y_ptr[t + 1]):
                grp.Y[g, D.y_idx[p]] = 0.0  # leave Y[g] all zero again
        encode_backward_m2(grp.A, grp.dH, g, D.x_idx, D.x_val, D.x_ptr[t], D.x_ptr[t + 1], st, zero, grads.W1,
                           grads.b1, grp.Y, fused)
    return loss


@njit(fastmath=FASTMATH)
def group_steps(lo, hi, W1, b1, Wd, b2, imp, D, st, inv_T, grads, grp):
    """group_step for the groups of samples lo, lo + GROUP, ..., hi - GROUP: their loss terms summed.
    One call for all of them, the step and its tile passes inlined: numba counts a reference to each
    array a call passes (an atomic operation), and with some twenty-five arrays per group that was
    about a fifth of a serial step (SPEED.md, why the kernels are written so)."""
    loss = 0.0
    if hi <= lo:
        return loss
    if not st.ce:
        mse_tile_begin(Wd, imp, inv_T, grp.Ws)
    for t in range(lo, hi, GROUP):
        loss += group_step(t, W1, b1, Wd, b2, imp, D, st, inv_T, grads, grp)
    if not st.ce:
        loss += mse_tile_end(imp, inv_T, grp.dWu, grp.dbu, grp.L, grads.Wd, grads.b2)
    return loss


@njit(fastmath=FASTMATH, inline="always")
def mse_tile_begin(Wd, imp, inv_T, Ws):
    """Ws = c * Wd with c = 2 I / T (K,), the factor of mse_grad, for decode_tile_mse's dH."""
    for j in range(Wd.shape[1]):
        c = (inv_T + inv_T) * imp[j]
        Ws[0, j] = Wd[0, j] * c
        Ws[1, j] = Wd[1, j] * c


@njit(fastmath=FASTMATH, inline="always")
def mse_tile_end(imp, inv_T, dWu, dbu, L, dWd, db2):
    """The MSE tiles' sums, scaled by c = 2 I / T into the gradient (dWd += c dWu, db2 += c dbu) and
    the loss terms sum_j I_j L_j returned (before the 1/T); leaves dWu, dbu and L zero again."""
    loss = inv_T - inv_T
    for j in range(db2.shape[0]):
        c = (inv_T + inv_T) * imp[j]
        dWd[0, j] += c * dWu[0, j]
        dWd[1, j] += c * dWu[1, j]
        db2[j] += c * dbu[j]
        loss += imp[j] * L[j]
        dWu[0, j] = 0.0
        dWu[1, j] = 0.0
        dbu[j] = 0.0
        L[j] = 0.0
    return loss
