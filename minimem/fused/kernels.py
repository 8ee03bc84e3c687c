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
    adamw, sgd           = optim.adamw_step lines (1)-(5), optim.sgd_step lines (1)-(4)

and, in minimem.fused.tile, the fast path for m = 2 (compiled in only when a Run asks for it:
instance_samples' ``tile`` argument):

    decode_tile_*        decode, its loss gradient and decode_backward for GROUP samples at once
    encode_m2, ...       encode and encode_backward, the two hidden units in registers

The scratch rows every thread writes, and their layout in memory, are minimem.fused.scratch.

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
from .scratch import scratch, scratch_of, scratch_pool, small_rows
from .tile import GROUP, group_steps

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


@njit(fastmath=FASTMATH)
def sample_steps(lo, hi, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf):
    """sample_step for samples lo..hi-1, one at a time: their loss terms summed."""
    loss = 0.0
    for t in range(lo, hi):
        loss += sample_step(t, W1, b1, Wd, b2, imp, D, st, inv_T, want_grads, grads, buf)
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
# time (SPEED.md, why the kernels are written so).
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
    # inside it, per thread, the same steps take longer (SPEED.md, why the kernels are written so).
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
