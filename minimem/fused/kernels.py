r"""The fused numba kernels: forward, backward and the optimiser for whole runs inside compiled code.

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
``<model>.backward``, ``losses.mse`` / ``losses.cross_entropy``, ``optim.adamw_step`` and
``optim.sgd_step``). They are written as small functions, each the pass of the math it computes
and citing the numpy line it mirrors:

    encode               = mlp.forward:   a = W1 x + b1,  h = ReLU(a)   (from the sparse input)
    decode               = mlp.forward:   z = W2 h + b2
    mse_grad             = losses.mse + the output ReLU gate of <model>.backward
    ce_grad              = losses.cross_entropy (fused softmax + NLL backward), its dense passes,
    correct_at_nonzeros  ... and its terms at the target's non-zeros
    decode_backward      = mlp.backward:  db2 = dz,  dW2 = dz h^T,  dh = W2^T dz
    encode_backward      = mlp.backward:  da = dh [a > 0],  db1 = da,  dW1 = da x^T
    decode_tile_*        decode, its loss gradient and decode_backward for m = 2 and GROUP samples
                         at once: every decoder weight loaded once per group, the loop over the
                         outputs vectorised to the machine's widest FMAs (for cross-entropy the
                         forward tile also takes each sample's max and the backward tile its
                         scaling, so ce_grad_tile makes one pass over a row, its exps)
    encode_m2, ...       encode and encode_backward for m = 2, the hidden units in registers
    adamw, sgd           = optim.adamw_step lines (1)-(5), optim.sgd_step lines (1)-(4)

The host side (the general form of a model's params, data in CSR form, threads, the Run that
train() drives, ``loss_and_grads`` and ``evaluate``) is minimem.fused.host; the float32 exp and
the fast-math flags are minimem.fused.exp.

What changes against the numpy path is the order of work:

* no (T, n) temporaries: each sample is pushed forward and backward on its own and its gradient
  added into per-thread buffers;
* inputs and targets are stored sparse (CSR: a row pointer, column indices and values per sample),
  so h = W1 x costs m * nnz(x) rather than m * n; for MSE the target is scattered into a zero
  scratch row and cleared again afterwards (in an auto-encoder, whose target is its input, within
  the encoder's loops over the input), for cross-entropy its non-zeros are used directly;
* the softmax's exps run as one branch-free pass over a row, which LLVM vectorises; in float32 it
  uses ``exp_f32`` (a polynomial, max relative error 1.2e-7 -- as accurate as numpy's float32
  exp), in float64 libm's exp;
* one compiled call per chunk of samples (sample_steps, group_steps), the per-sample and
  per-group bodies inlined into its loop: numba counts a reference to every array a call passes,
  an atomic operation; the chunks' small scratch rows lie a cache line apart (SPREAD);
* parallelism over instances (each thread trains its own instances for all steps: no
  synchronisation per step) or, for one large model, over chunks of samples with per-thread
  gradient buffers summed in a fixed order (so results do not depend on thread timing).

Gradients are held like the params, in the general form (``General``: W1, b1, Wd, b2), named
dW1, db1, dWd, db2 where they are arrays; the optimiser's moments M and V (first and second, the
m and v of optim.adamw_step) likewise.

    # I = n_instances, T = samples of an instance, n = n_in, K = n_out, m = n_hidden, C = chunks
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from .exp import FASTMATH, kernel_exp

# ---------------------------------------------------------------------------------------------
# Named structures passed into the kernels (numba compiles namedtuples like structs).
# ---------------------------------------------------------------------------------------------

# The general-form arrays, all with a leading instance axis (I, ...); also used for gradients (one
# instance's, without the axis, in the per-sample code) and the optimiser's moments. In a tied model Wd is W1 (the same array).
General = namedtuple("General", "W1 b1 Wd b2")  # (I, m, n), (I, m), (I, m, K), (I, K)
# Which parts of the general form a model uses (all bools, fixed for a run) and its loss.
# y_is_x: the target is the input (an auto-encoder), whose non-zeros the MSE tile scatters from x's.
Structure = namedtuple("Structure", "has_b1 hidden_relu out_relu tied ce y_is_x")
# The optimiser: sgd (bool; else AdamW) and the hyper-parameters of both (floats; decoupled a bool), and
# which general arrays are decayed (bools).
Optimiser = namedtuple("Optimiser", "sgd beta1 beta2 eps weight_decay momentum decoupled")
Decay = namedtuple("Decay", "W1 b1 Wd b2")
# A data set in CSR form: sample t of the flattened (instance-major) rows has its input's
# non-zeros at x_idx[x_ptr[t]:x_ptr[t+1]] with values x_val[...], likewise its target; instance k
# owns rows inst_start[k]:inst_start[k+1]; imp (I, K) are the MSE importances.
Data = namedtuple("Data", "x_ptr x_idx x_val y_ptr y_idx y_val inst_start imp")
# Per-thread scratch rows of one sample: a, h, dh (m,); z, dz, y (K,), y all zero between samples.
Scratch = namedtuple("Scratch", "a h dh z dz y grp")


# ---------------------------------------------------------------------------------------------
# The per-sample body: forward, loss gradient, backward -- each paired with its numpy line.
# Arrays here are one instance's: W1 (m, n), b1 (m,), Wd (m, K), b2 (K,), imp (K,).
# ---------------------------------------------------------------------------------------------

@njit(fastmath=FASTMATH, inline="always")
def encode(W1, b1, x_idx, x_val, st, zero, a, h):
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
def decode(Wd, b2, h, z):
    """= mlp.forward: z = W2 h + b2  (tied models: z = W^T h + b_final), with Wd = W2^T.  z: (K,)"""
    m, K = Wd.shape
    for i in range(K):
        z[i] = b2[i] + Wd[0, i] * h[0]
    for r in range(1, m):
        hr = h[r]
        for i in range(K):
            z[i] += Wd[r, i] * hr  # z += W2[:, r] h_r


@njit(fastmath=FASTMATH, inline="always")
def mse_grad(z, y, imp, inv_T, out_relu, dz):
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
def ce_grad(z, y_idx, y_val, inv_T, out_relu, dz):
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
    for p in range(y_idx.shape[0]):
        sum_y += y_val[p]
    scale = sum_y * inv_T / s  # p_i sum(y) / T = exp_i * scale
    for i in range(K):  # pass 3: dz = p sum(y) / T, through the output ReLU's gate
        dz[i] = dz[i] * scale if (z[i] > zero or not out_relu) else zero
    return correct_at_nonzeros(z, y_idx, y_val, lse, inv_T, out_relu, dz)


@njit(fastmath=FASTMATH, inline="always")
def correct_at_nonzeros(z, y_idx, y_val, lse, inv_T, out_relu, dz):
    """The terms of the cross-entropy at the target's non-zeros, which the dense passes of ce_grad
    leave out (= losses.cross_entropy's -y log p and its gradient's -y / T):

        loss = sum_j y_j (lse - out_j)          (before the 1/T)
        dz_j -= y_j / T [z_j > 0]

    Returns the loss term."""
    zero = inv_T - inv_T
    loss = zero
    for p in range(y_idx.shape[0]):
        j = y_idx[p]
        o = max(z[j], zero) if out_relu else z[j]
        loss += y_val[p] * (lse - o)
        if z[j] > zero or not out_relu:
            dz[j] -= y_val[p] * inv_T
    return loss


@njit(fastmath=FASTMATH, inline="always")
def decode_backward(Wd, h, dz, zero, dWd, db2, dh):
    """= mlp.backward:  db2 += dz,  dW2 += dz h^T  (stored transposed: dWd += h dz^T),
    dh = W2^T dz = Wd dz.                                                        dh: (m,)
    (In a tied model dWd is the encoder's buffer: this adds the decoder term h dpre^T of dW.)"""
    m, K = Wd.shape
    for i in range(K):
        db2[i] += dz[i]
    for r in range(m):
        acc = zero
        for i in range(K):
            acc += Wd[r, i] * dz[i]
        dh[r] = acc
    for r in range(m):
        hr = h[r]
        for i in range(K):
            dWd[r, i] += hr * dz[i]


@njit(fastmath=FASTMATH, inline="always")
def encode_backward(a, dh, x_idx, x_val, st, zero, dW1, db1):
    """= mlp.backward:  da = dh [a > 0]  (relu_hidden: da = dh [a > 0]; linear hidden: da = dh),
    db1 += da,  dW1 += da x^T  over the non-zeros of x.  Overwrites dh with da."""
    m = a.shape[0]
    for r in range(m):
        if st.hidden_relu and a[r] <= zero:
            dh[r] = zero
        if st.has_b1:
            db1[r] += dh[r]
    for p in range(x_idx.shape[0]):
        j = x_idx[p]
        xv = x_val[p]
        for r in range(m):
            dW1[r, j] += dh[r] * xv  # dW1[:, j] += da x_j


# Inlined into sample_steps' loop only: numba's IR inliner (0.68) miscompiled this body (and
# group_step's) inlined into the loop of instance_samples, itself inlined into a parallel kernel
# (wrong losses; tests/test_kernels.py caught it).
@njit(fastmath=FASTMATH, inline="always")
def sample_step(t, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf):
    """Forward, loss and backward of sample t: returns its loss term (times T) and, when
    want_grads, adds its gradient into grads (one instance's buffers, a General)."""
    x_idx = D.x_idx[D.x_ptr[t]:D.x_ptr[t + 1]]  # the non-zeros of x_t
    x_val = D.x_val[D.x_ptr[t]:D.x_ptr[t + 1]]
    y_idx = D.y_idx[D.y_ptr[t]:D.y_ptr[t + 1]]  # ... and of its target
    y_val = D.y_val[D.y_ptr[t]:D.y_ptr[t + 1]]
    zero = inv_T - inv_T  # 0 in the params' dtype
    encode(W1, b1, x_idx, x_val, st, zero, buf.a, buf.h)
    decode(Wd, b2, buf.h, buf.z)
    if st.ce:
        term = ce_grad(buf.z, y_idx, y_val, inv_T, st.out_relu, buf.dz)
    else:
        for p in range(y_idx.shape[0]):
            buf.y[y_idx[p]] = y_val[p]  # scatter the target into the zero row y
        term = mse_grad(buf.z, buf.y, imp, inv_T, st.out_relu, buf.dz)
        for p in range(y_idx.shape[0]):
            buf.y[y_idx[p]] = 0.0  # leave y all zero again
    if want_grads:
        decode_backward(Wd, buf.h, buf.dz, zero, grads.Wd, grads.b2, buf.dh)
        encode_backward(buf.a, buf.dh, x_idx, x_val, st, zero, grads.W1, grads.b1)
    return term


# ---------------------------------------------------------------------------------------------
# The decoder tile pass for m = 2: GROUP samples at once. Every weight of the decoder is loaded
# once per group instead of once per sample, and the inner loop over the outputs vectorises to the
# machine's widest FMAs. The same math as decode, mse_grad / ce_grad and
# decode_backward, sample by sample (tests/test_kernels.py holds the two paths equal).
# ---------------------------------------------------------------------------------------------

GROUP = 4  # samples of one decoder tile pass (m = 2)
Group = namedtuple("Group", "A S H dH Z dZ Ws Y dWu dbu L")
# (G, m), (2, G), (2G,), (2G,), (G, K), (G, K); the MSE tile's rows, each Kp >= K long (tile_rows):
# (2, Kp), (G, Kp) zero, (2, Kp) zero, (Kp,) zero, (Kp,) zero
Pool = namedtuple("Pool", "a h dh z dz y A S H dH Z dZ tile")  # Scratch and Group's rows for C chunks: (C, ...)


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
    outputs where it issued 34, and it is bound by them (measured alone at n=1000: 176 ns per sample
    with the five, 156 without). The loop is written twice, with and without the output ReLU,
    so that neither holds a branch and both vectorise (one loop with out = max(z, floor), floor 0
    or -inf, took 1.02-1.10 of the time). The arrays come whole (Wd (2, K); the
    tile's rows Ws, Y, dWu (2, Kp), (4, Kp), (2, Kp)), not as rows: a row is a view, and numba
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
def sample_steps(lo, hi, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf):
    """sample_step for samples lo..hi-1, one at a time: their loss terms summed."""
    loss = 0.0
    for t in range(lo, hi):
        loss += sample_step(t, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf)
    return loss


@njit(fastmath=FASTMATH)
def group_steps(lo, hi, W1, b1, Wd, b2, imp, D, st, inv_T, grads, grp):
    """group_step for the groups of samples lo, lo + GROUP, ..., hi - GROUP: their loss terms summed.
    One call for all of them, the step and its tile passes inlined: numba counts a reference to each
    array a call passes (an atomic operation), and with some twenty-five arrays per group that was
    about a fifth of a serial step (ReLU output model, n=1000, T=2000: 720 against 550 us)."""
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


@njit(fastmath=FASTMATH, inline="always")
def instance_samples(k, lo, hi, P, D, st, want_grads, grads, buf, tile):
    """Sum over samples lo..hi-1 of instance k of their loss terms (gradients added into the
    buffers). Each term carries the 1/T of instance k; the loss is returned times T. ``tile`` None
    compiles the per-sample passes alone (numba prunes the branch on a None argument: a kernel
    without the m = 2 tile compiles in about two thirds of the time); True adds the tile for m = 2."""
    inv_T = inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)
    W1, b1, b2, imp = P.W1[k], P.b1[k], P.b2[k], D.imp[k]  # views, taken once
    Wd = W1 if st.tied else P.Wd[k]
    loss = 0.0
    t = lo
    if tile is not None:  # pruned when compiled for tile=None
        if want_grads and W1.shape[0] == 2:  # m = 2: the decoder tile pass, GROUP samples at once
            t = lo + (hi - lo) // GROUP * GROUP
            loss += group_steps(lo, t, W1, b1, Wd, b2, imp, D, st, inv_T, grads, buf.grp)
    loss += sample_steps(t, hi, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf)  # the rest (all when m != 2)
    return loss


SPREAD = 32  # elements between two chunks' small scratch rows (128 bytes or more): no cache line is written by two threads


@njit(inline="always")
def small_rows(w):
    """Spare rows of w elements that put SPREAD elements or more between two threads' rows of a
    gradient buffer shaped (C, rows, w) (the hidden bias's, w = m, written for every sample)."""
    return (SPREAD + w - 1) // w


@njit(inline="always")
def padded_rows(C, w, dt):
    """C rows of w elements (C, w), each SPREAD elements apart from the next: a view."""
    return np.empty((C, w + SPREAD), dt)[:, :w]


TILE_ROWS = 2 + GROUP + 4  # the MSE tile's rows per chunk: Ws (2), Y (GROUP), then those it stores to: dWu (2), dbu, L
ROW_SHIFT = 384  # bytes, modulo a page, from one tile row to the next (tile_rows)


@njit(inline="always")
def tile_rows(C, K, like):
    """The MSE tile's rows for C chunks in the dtype of the array ``like``, all zero:
    (C, TILE_ROWS, Kp), each row 64-byte aligned (a vector load never straddles two cache lines)
    and Kp >= K chosen so that a row starts ROW_SHIFT bytes after the previous one modulo 4096.
    The tile loads from these rows and stores to four of them at the same column j; a load whose
    address agrees with a pending store's in its low 12 bits can be held up behind it (4K
    aliasing), so the rows it stores to lie 384 to 3456 bytes after the rows it only loads from,
    modulo a page. (Measured: the ReLU output model serial at n=1000, T=5000, 258 against 265 ns
    per sample with the rows allocated one by one.)"""
    isz = like.itemsize
    step = 4096 // isz
    base = ROW_SHIFT // isz
    Kp = base if K <= base else base + (K - base + step - 1) // step * step
    blk = np.zeros(C * TILE_ROWS * Kp + 64 // isz, like.dtype)
    o = ((-blk.ctypes.data) % 64) // isz
    return blk[o:o + C * TILE_ROWS * Kp].reshape(C, TILE_ROWS, Kp)


@njit(inline="always")
def scratch_pool(C, m, K, like):
    """Scratch rows for C chunks, each array with a leading axis C (a flat Pool: a parallel
    kernel's loop body cannot take nested structures), allocated once per kernel call rather than
    once per step; Y and y are all zero. The small rows (a, h, dh, A, S, H, dH: a few numbers per
    chunk, written for every sample) are views into rows SPREAD elements longer, so that two
    chunks' rows never share a cache line: threads writing one line in turn pass it between the
    cores on every write."""
    dt = like.dtype
    return Pool(padded_rows(C, m, dt), padded_rows(C, m, dt), padded_rows(C, m, dt),
                np.empty((C, K), dt), np.empty((C, K), dt), np.zeros((C, K), dt),
                np.empty((C, GROUP + SPREAD, m), dt)[:, :GROUP], np.empty((C, 2 + SPREAD, GROUP), dt)[:, :2],
                padded_rows(C, 2 * GROUP, dt), padded_rows(C, 2 * GROUP, dt),
                np.empty((C, GROUP, K), dt), np.empty((C, GROUP, K), dt), tile_rows(C, K, like))


@njit(inline="always")
def scratch_of(pool, c):
    """Chunk c's scratch rows from a Pool (views), as a Scratch."""
    return Scratch(pool.a[c], pool.h[c], pool.dh[c], pool.z[c], pool.dz[c], pool.y[c],
                   Group(pool.A[c], pool.S[c], pool.H[c], pool.dH[c], pool.Z[c], pool.dZ[c], pool.tile[c][0:2],
                         pool.tile[c][2:2 + GROUP], pool.tile[c][2 + GROUP:4 + GROUP], pool.tile[c][4 + GROUP],
                         pool.tile[c][5 + GROUP]))


@njit(inline="always")
def scratch(m, K, like):
    """One thread's scratch rows."""
    return scratch_of(scratch_pool(1, m, K, like), 0)


@njit(cache=True)
def inv(T, like):
    """1 / T in the dtype of the array ``like``."""
    buf = np.empty(1, like.dtype)
    buf[0] = 1.0 / T
    return buf[0]


# ---------------------------------------------------------------------------------------------
# The optimisers: = optim.adamw_step and optim.sgd_step
# ---------------------------------------------------------------------------------------------

@njit(fastmath=FASTMATH, inline="always")
def adamw(p, g, m, v, lr, hp, bc1, bc2, decay):
    """= optim.adamw_step on a flat array, lines (1)-(5). Returns False when a parameter is no
    longer finite (a sum of p * 0 is NaN exactly then; it vectorises, a branch would not)."""
    if p.shape[0] == 0:  # an empty part of a small array
        return True
    probe = p[0] - p[0]
    for q in range(p.shape[0]):
        if decay:
            p[q] -= lr * hp.weight_decay * p[q]  # (1) decoupled weight decay
        m[q] = m[q] * hp.beta1 + (1.0 - hp.beta1) * g[q]  # (2) first moment
        v[q] = v[q] * hp.beta2 + (1.0 - hp.beta2) * g[q] * g[q]  # (3) second moment
        m_hat = m[q] / bc1  # (4) bias correction
        v_hat = v[q] / bc2
        p[q] -= lr * m_hat / (np.sqrt(v_hat) + hp.eps)  # (5) Adam step
        probe += p[q] * 0.0
    return np.isfinite(probe)


@njit(fastmath=FASTMATH, inline="always")
def sgd(p, g, b, lr, hp, decay):
    """= optim.sgd_step on a flat array, lines (1)-(4): the momentum buffer b is the first-moment
    array. Returns False when a parameter is no longer finite."""
    if p.shape[0] == 0:  # an empty part of a small array
        return True
    probe = p[0] - p[0]
    for q in range(p.shape[0]):
        gq = g[q]
        if decay and hp.decoupled:
            p[q] -= lr * hp.weight_decay * p[q]  # (1) decoupled weight decay
        elif decay:
            gq += hp.weight_decay * p[q]  # (2) L2 weight decay
        b[q] = hp.momentum * b[q] + gq  # (3) momentum buffer
        p[q] -= lr * b[q]  # (4) step
        probe += p[q] * 0.0
    return np.isfinite(probe)


@njit(fastmath=FASTMATH, error_model="numpy")
def optimiser_step(p, g, m, v, lr, hp, bc1, bc2, decay):
    """One parameter array's update by the run's optimiser (SGD keeps its momentum in m). A compiled
    function of its own, called four times by update: inlined, the optimisers' loops were compiled
    once per call site and kernel (scripts/bench_compile.py measures the compile).
    error_model='numpy' (a division by zero gives inf, as in numpy, rather than a check) lets LLVM
    vectorise the loops, as it did inlined into a parallel loop's body."""
    if hp.sgd:
        return sgd(p, g, m, lr, hp, decay)
    return adamw(p, g, m, v, lr, hp, bc1, bc2, decay)


@njit(fastmath=FASTMATH, inline="always")
def add_into(dst, src):
    """dst += src for flat arrays, as a loop: in a parallel kernel the array expression would be a
    parallel region of its own, launched once per chunk and array."""
    for q in range(dst.shape[0]):
        dst[q] += src[q]


@njit(inline="always")
def part(a, c, C):
    """Part c of C of a flat array: a contiguous slice, the parts as even as they can be."""
    n = a.shape[0]
    return a[(n * c) // C:(n * (c + 1)) // C]


@njit(inline="always")
def update(k, s, lr, P, grads, M, V, hp, st, decay, c, C):
    """The optimiser's update of instance k after step s (Adam's t = s + 1) on part c of C of every
    parameter array (C = 1: all of it); returns False when a parameter stopped being finite."""
    t = s + 1
    bc1 = 1.0 - hp.beta1 ** t
    bc2 = 1.0 - hp.beta2 ** t
    ok = optimiser_step(part(P.W1[k].reshape(-1), c, C), part(grads.W1.reshape(-1), c, C),
                        part(M.W1[k].reshape(-1), c, C), part(V.W1[k].reshape(-1), c, C), lr, hp, bc1, bc2, decay.W1)
    if st.has_b1:
        ok &= optimiser_step(part(P.b1[k], c, C), part(grads.b1, c, C), part(M.b1[k], c, C), part(V.b1[k], c, C),
                             lr, hp, bc1, bc2, decay.b1)
    if not st.tied:
        ok &= optimiser_step(part(P.Wd[k].reshape(-1), c, C), part(grads.Wd.reshape(-1), c, C),
                             part(M.Wd[k].reshape(-1), c, C), part(V.Wd[k].reshape(-1), c, C), lr, hp, bc1, bc2,
                             decay.Wd)
    ok &= optimiser_step(part(P.b2[k], c, C), part(grads.b2, c, C), part(M.b2[k], c, C), part(V.b2[k], c, C),
                         lr, hp, bc1, bc2, decay.b2)
    return ok


# ---------------------------------------------------------------------------------------------
# The kernels: gradients only, and whole trainings (two ways of using the cores; the first also
# gives the loss alone). Their loops are parallel by prange only: numba's other parallel
# transforms (array expressions, reductions, fusion) find nothing to gain here and cost compile
# time (a first training, run_instances, measured once: 27.9 s to compile with them, 23.9 s
# without, the steps as fast; scripts/bench_compile.py, scripts/bench_ab.py).
# ---------------------------------------------------------------------------------------------

PRANGE_ONLY = dict(prange=True, fusion=False, setitem=False, numpy=False, reduction=False, comprehension=False,
                   inplace_binop=False, stencil=False)

@njit(cache=True, parallel=PRANGE_ONLY, fastmath=FASTMATH)
def grads_kernel(P, D, st, G, losses, tile):
    """Loss (I,) and gradient of every instance at P, instances in parallel, added into G (the
    general form, zero on entry) -- what one training step computes before AdamW. ``tile``: None or
    True, as instance_samples takes it (so do the two kernels below)."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    for k in prange(I):
        buf = scratch(m, K, P.W1)
        grads = General(G.W1[k], G.b1[k], G.W1[k] if st.tied else G.Wd[k], G.b2[k])  # this instance's gradients
        loss = instance_samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, True, grads, buf, tile)
        losses[k] = loss * inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)


@njit(cache=True, parallel=PRANGE_ONLY, fastmath=FASTMATH)
def run_instances(assign_ptr, assign_idx, s0, s1, lrs, P, M, V, D, st, hp, decay, losses, diverged, train, tile):
    """Steps s0..s1-1 for every instance; thread th trains instances assign_idx[assign_ptr[th]:
    assign_ptr[th+1]] start to end. losses[s - s0, k] is instance k's loss before update s;
    diverged[k] is the first step whose loss, or whose update's parameters, are not finite.
    With train False: only the loss of every instance at P, into losses[0], each instance's samples
    summed in order as a training step sums them (the final loss and evaluate: one kernel for
    training and scoring, so that a first run compiles one, and an instance scores the same alone
    or beside others)."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    TH = assign_ptr.shape[0] - 1
    # Per-thread scratch and gradient buffers, allocated here, outside the parallel loop: allocated
    # inside it, per thread, the same steps took 1.10x the time (ReLU output model, serial, n=1000,
    # T=4000: 960 against 870 us).
    pool = scratch_pool(TH, m, K, P.W1)
    aW1 = np.zeros((TH, m, n), P.W1.dtype)
    ab1 = np.zeros((TH, small_rows(m), m), P.W1.dtype)
    aWd = aW1 if st.tied else np.zeros((TH, m, K), P.W1.dtype)
    ab2 = np.zeros((TH, K), P.W1.dtype)
    for th in prange(TH):
        buf = scratch_of(pool, th)
        dW1, db1, dWd, db2 = aW1[th], ab1[th, 0], aWd[th], ab2[th]
        grads = General(dW1, db1, dWd, db2)  # the thread's gradient buffers
        for q in range(assign_ptr[th], assign_ptr[th + 1]):
            k = assign_idx[q]
            inv_T = inv(D.inst_start[k + 1] - D.inst_start[k], P.W1)
            if not train:
                losses[0, k] = instance_samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, train, grads,
                                                buf, tile) * inv_T
                continue
            for s in range(s0, s1):
                dW1[:] = 0.0
                db1[:] = 0.0
                dWd[:] = 0.0  # tied: dWd is dW1
                db2[:] = 0.0
                loss = instance_samples(k, D.inst_start[k], D.inst_start[k + 1], P, D, st, train, grads, buf, tile) * inv_T
                losses[s - s0, k] = loss
                if not np.isfinite(loss):
                    diverged[k] = s
                    break
                if not update(k, s, lrs[s - s0], P, grads, M, V, hp, st, decay, 0, 1):
                    diverged[k] = s
                    break


@njit(cache=True, parallel=PRANGE_ONLY, fastmath=FASTMATH)
def run_samples(n_chunks, s0, s1, lrs, P, M, V, D, st, hp, decay, losses, diverged, tile):
    """Steps s0..s1-1, all instances in lockstep, the samples of each instance split into n_chunks
    contiguous chunks run in parallel, each with its own gradient buffer; buffers are summed in
    chunk order; then each thread sums and updates a part of every parameter array. Same outputs as
    run_instances."""
    I, m, n = P.W1.shape
    K = P.Wd.shape[2]
    C = n_chunks
    dW1 = np.zeros((C, I, m, n), P.W1.dtype)  # (C, I, m, n) per-chunk gradient buffers
    db1 = np.zeros((C, I + small_rows(m), m), P.W1.dtype)  # (C, I, m) used: spare rows between chunks
    dWd = dW1 if st.tied else np.zeros((C, I, m, K), P.W1.dtype)
    db2 = np.zeros((C, I, K), P.W1.dtype)
    closs = np.zeros((C, I))
    done = np.zeros(I, np.bool_)
    ok = np.ones((C, I), np.bool_)
    pool = scratch_pool(C, m, K, P.W1)  # per-chunk scratch, allocated once
    for s in range(s0, s1):
        for c in prange(C):
            buf = scratch_of(pool, c)
            dW1[c] = 0.0
            db1[c] = 0.0
            dWd[c] = 0.0  # tied: dWd is dW1
            db2[c] = 0.0
            for k in range(I):
                if done[k]:
                    continue
                T = D.inst_start[k + 1] - D.inst_start[k]
                lo = D.inst_start[k] + (T * c) // C
                hi = D.inst_start[k] + (T * (c + 1)) // C
                grads = General(dW1[c, k], db1[c, k], dWd[c, k], db2[c, k])  # chunk c's gradient buffers
                closs[c, k] = instance_samples(k, lo, hi, P, D, st, True, grads, buf, tile)
        for k in range(I):  # the loss of the step, its chunks summed in order
            if done[k]:
                continue
            for c in range(1, C):
                closs[0, k] += closs[c, k]
            loss = closs[0, k] / (D.inst_start[k + 1] - D.inst_start[k])
            losses[s - s0, k] = loss
            if not np.isfinite(loss):
                diverged[k] = s
                done[k] = True
        for c in prange(C):  # part c of every array: the chunks' gradients summed in chunk order, then updated
            for k in range(I):
                if done[k]:
                    continue
                for c2 in range(1, C):
                    add_into(part(dW1[0, k].reshape(-1), c, C), part(dW1[c2, k].reshape(-1), c, C))
                    add_into(part(db1[0, k], c, C), part(db1[c2, k], c, C))
                    if not st.tied:
                        add_into(part(dWd[0, k].reshape(-1), c, C), part(dWd[c2, k].reshape(-1), c, C))
                    add_into(part(db2[0, k], c, C), part(db2[c2, k], c, C))
                ok[c, k] = update(k, s, lrs[s - s0], P, General(dW1[0, k], db1[0, k], dWd[0, k], db2[0, k]), M, V,
                                  hp, st, decay, c, C)
        for k in range(I):
            if not done[k]:
                for c in range(C):
                    if not ok[c, k]:
                        diverged[k] = s
                        done[k] = True
                        break
