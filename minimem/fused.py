r"""Fused numba training kernels: forward + backward + AdamW for whole runs inside compiled code.

Every minimem model is one case of a general two-layer model (per instance and sample):

    a   = W1 x (+ b1)               W1: (m, n)
    h   = ReLU(a)  or  a            hidden_relu
    z   = Wd^T h + b2               Wd: (m, K)   the decoder, stored transposed so rows are contiguous
    out = ReLU(z)  or  z            out_relu

    relu_output tied    Wd = W1 (the same array),   no b1, hidden linear, out ReLU
    relu_output untied  Wd = W2^T,                  no b1, hidden linear, out ReLU
    relu_hidden         Wd = W1,                    no b1, hidden ReLU,   out ReLU
    mlp                 Wd = W2^T,                  b1,    hidden ReLU,   out linear (or ReLU)
    unembed             Wd = W2^T,                  b1 optional, hidden linear, out linear

The kernels compute exactly the math of the readable numpy path (``<model>.forward``,
``<model>.backward``, ``losses.mse`` / ``losses.cross_entropy`` and ``optim.adamw_step``, called
in a loop by ``train.train(..., backend="numpy")``): identical math, loops for speed, and
tests/test_kernels.py holds the two equal. What changes is the order of work:

* no (T, n) temporaries: each sample is pushed forward and backward on its own and its gradient
  added into per-thread buffers;
* inputs and targets are stored sparse (CSR: a row pointer, column indices and values per sample),
  so h = W1 x costs m * nnz(x) rather than m * n; the MSE and cross-entropy gradients are computed
  densely as if the target were zero, then corrected at the target's non-zeros:

      MSE:  dout_i = (2/T) I_i out_i  for all i,   then  dout_j -= (2/T) I_j y_j   at y's non-zeros
      CE:   dout_i = (1/T) p_i sum(y) for all i,   then  dout_j -= (1/T) y_j       at y's non-zeros

* parallelism over instances (each thread trains its own instances for all steps: no
  synchronisation per step) or, for one large model, over chunks of samples with per-thread
  gradient buffers summed in a fixed order (so results do not depend on thread timing).

    # I = n_instances, T = samples of an instance, n = n_in, K = n_out, m = n_hidden, C = chunks
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

MSE, CE = 0, 1

# The one place fast-math flags are set. 'reassoc' lets LLVM vectorise the sums (dot products and
# the loss) by reordering them -- the same kind of difference as numpy's pairwise summation, about
# 1e-16 relative; 'contract' allows fused multiply-adds. No 'nnan'/'ninf'/'afn': NaN and inf still
# propagate, so divergence is still caught, and exp/log are not approximated.
FASTMATH = {"reassoc", "contract"}


@njit(cache=True, fastmath=FASTMATH, inline="always")
def _sample(t, W1k, b1k, Wdk, b2k, gW1, gb1, gWd, gb2, x_ptr, x_idx, x_val, y_ptr, y_idx,
            y_val, impk, inv_T, has_b1, hidden_relu, out_relu, loss_kind, want_grads,
            a, h, dh, z, dz, yd):
    """Forward and backward of sample t; adds its gradient into gW1, gb1, gWd, gb2 (when
    want_grads) and returns its loss times T (the sum, not yet the mean over samples).
    identical math to <model>.forward, losses.mse / losses.cross_entropy and <model>.backward;
    loops for speed. Scratch: a, h, dh (m,); z, dz, yd (K,), yd all zero on entry and exit.
    ``inv_T`` has the params' dtype, so float32 stays float32."""
    m = W1k.shape[0]
    K = Wdk.shape[1]
    zero = inv_T - inv_T  # 0 in the params' dtype (inv_T * 0 would be float64)
    # a = W1 x + b1   over the non-zeros of x                                   (m,)
    for r in range(m):
        a[r] = b1k[r] if has_b1 else zero
    for p in range(x_ptr[t], x_ptr[t + 1]):
        j = x_idx[p]
        xv = x_val[p]
        for r in range(m):
            a[r] += W1k[r, j] * xv
    for r in range(m):
        h[r] = max(a[r], zero) if hidden_relu else a[r]  # h = ReLU(a) or a
    # z = Wd^T h + b2                                                            (K,)
    W0 = Wdk[0]
    h0 = h[0]
    for i in range(K):
        z[i] = b2k[i] + W0[i] * h0
    for r in range(1, m):
        hr = h[r]
        Wr = Wdk[r]
        for i in range(K):
            z[i] += Wr[i] * hr
    for p in range(y_ptr[t], y_ptr[t + 1]):
        yd[y_idx[p]] = y_val[p]  # scatter the target into the zero scratch yd
    loss = zero
    if loss_kind == MSE:
        # loss += I (out - y)^2;  dz = (2/T) I (out - y) [z > 0]   (loops split by out_relu so
        # that each one vectorises)
        two_inv_T = inv_T + inv_T
        if out_relu:
            for i in range(K):
                zi = z[i]
                d = (zi if zi > zero else zero) - yd[i]
                w = impk[i] * d
                loss += w * d
                dz[i] = two_inv_T * w if zi > zero else zero
        else:
            for i in range(K):
                d = z[i] - yd[i]
                w = impk[i] * d
                loss += w * d
                dz[i] = two_inv_T * w
    else:
        # softmax cross-entropy on out: lse = logsumexp(out); loss = sum(y) lse - y . out
        zmax = max(z[0], zero) if out_relu else z[0]
        for i in range(K):
            o = max(z[i], zero) if out_relu else z[i]
            zmax = max(zmax, o)
        s = zero
        floor = _exp_floor(z)
        for i in range(K):
            o = max(z[i], zero) if out_relu else z[i]
            d = o - zmax
            # exp(d) below the smallest normal number (d < -87 in float32, -708 in float64) is taken
            # as 0: it cannot change s >= 1, and libm's subnormal path is ~50x slower
            e = np.exp(d) if d > floor else zero
            dz[i] = e  # keep exp(out - max) for the backward
            s += e
        lse = zmax + np.log(s)
        sum_y = zero
        for p in range(y_ptr[t], y_ptr[t + 1]):
            sum_y += y_val[p]
        scale = sum_y * inv_T / s  # dz = (p sum(y) - y) / T, p = exp(out - max) / s
        for i in range(K):
            zi = z[i]
            o = max(zi, zero) if out_relu else zi
            loss += yd[i] * (lse - o)  # -y log p
            g = dz[i] * scale - yd[i] * inv_T
            dz[i] = g if (zi > zero or not out_relu) else zero
    for p in range(y_ptr[t], y_ptr[t + 1]):
        yd[y_idx[p]] = zero  # leave yd all zero again
    if not want_grads:
        return loss
    for i in range(K):
        gb2[i] += dz[i]  # db2 += dz
    # dh = Wd dz;  dWd += h dz^T
    for r in range(m):
        Wr = Wdk[r]
        acc = zero
        for i in range(K):
            acc += Wr[i] * dz[i]
        dh[r] = acc
    for r in range(m):
        hr = h[r]
        gr = gWd[r]
        for i in range(K):
            gr[i] += hr * dz[i]
    # da = dh * [a > 0] (or dh);  db1 += da;  dW1 += da x^T over the non-zeros of x
    for r in range(m):
        if hidden_relu and a[r] <= zero:
            dh[r] = zero
        if has_b1:
            gb1[r] += dh[r]
    for p in range(x_ptr[t], x_ptr[t + 1]):
        j = x_idx[p]
        xv = x_val[p]
        for r in range(m):
            gW1[r, j] += dh[r] * xv
    return loss


@njit(cache=True)
def _inv(T, like):
    """1 / T in the dtype of the array ``like``."""
    buf = np.empty(1, like.dtype)
    buf[0] = 1.0 / T
    return buf[0]


@njit(cache=True)
def _exp_floor(like):
    """log of the smallest normal number of the dtype of ``like``, rounded inwards."""
    buf = np.empty(1, like.dtype)
    buf[0] = -87.0 if like.itemsize == 4 else -708.0
    return buf[0]


@njit(cache=True)
def _adamw(p, g, mom1, mom2, lr, beta1, beta2, eps, weight_decay, bc1, bc2, decay):
    """AdamW on flat arrays; identical math to optim.adamw_step; loops for speed."""
    for q in range(p.shape[0]):
        if decay:
            p[q] -= lr * weight_decay * p[q]  # (1) decoupled weight decay
        mom1[q] = mom1[q] * beta1 + (1.0 - beta1) * g[q]  # (2) first moment
        mom2[q] = mom2[q] * beta2 + (1.0 - beta2) * g[q] * g[q]  # (3) second moment
        m_hat = mom1[q] / bc1  # (4) bias correction
        v_hat = mom2[q] / bc2
        p[q] -= lr * m_hat / (np.sqrt(v_hat) + eps)  # (5) Adam step


@njit(cache=True)
def _update(k, s, lrs, s0, W1, b1, Wd, b2, gW1, gb1, gWd, gb2, M1, M2, hyper, flags):
    """AdamW for instance k after step s (Adam's t = s + 1) on every parameter array."""
    beta1, beta2, eps, wd = hyper[0], hyper[1], hyper[2], hyper[3]
    has_b1, tied = flags[0], flags[3]
    lr = lrs[s - s0]
    t = s + 1
    bc1 = 1.0 - beta1 ** t
    bc2 = 1.0 - beta2 ** t
    # M1/M2 hold the moments: index 0 W1, 1 b1, 2 Wd, 3 b2 (a tuple of arrays per moment)
    _adamw(W1[k].reshape(-1), gW1.reshape(-1), M1[0][k].reshape(-1), M2[0][k].reshape(-1), lr, beta1,
           beta2, eps, wd, bc1, bc2, flags[4])
    if has_b1:
        _adamw(b1[k], gb1, M1[1][k], M2[1][k], lr, beta1, beta2, eps, wd, bc1, bc2, flags[5])
    if not tied:
        _adamw(Wd[k].reshape(-1), gWd.reshape(-1), M1[2][k].reshape(-1), M2[2][k].reshape(-1), lr,
               beta1, beta2, eps, wd, bc1, bc2, flags[6])
    _adamw(b2[k], gb2, M1[3][k], M2[3][k], lr, beta1, beta2, eps, wd, bc1, bc2, flags[7])


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def run_instances(assign_ptr, assign_idx, s0, s1, lrs, W1, b1, Wd, b2, M1, M2, x_ptr, x_idx, x_val,
                  y_ptr, y_idx, y_val, inst_start, imp, hyper, flags, loss_kind, losses, diverged):
    """Steps s0..s1-1 for every instance; thread th trains instances assign_idx[assign_ptr[th]:
    assign_ptr[th+1]] start to end. losses[s - s0, k] is instance k's loss before update s;
    diverged[k] is the first step whose loss is not finite (left unchanged otherwise)."""
    has_b1, hidden_relu, out_relu, tied = flags[0], flags[1], flags[2], flags[3]
    m, n = W1.shape[1], W1.shape[2]
    K = Wd.shape[2]
    for th in prange(assign_ptr.shape[0] - 1):
        a = np.empty(m, W1.dtype)  # per-thread scratch and gradient buffers
        h = np.empty(m, W1.dtype)
        dh = np.empty(m, W1.dtype)
        z = np.empty(K, W1.dtype)
        dz = np.empty(K, W1.dtype)
        yd = np.zeros(K, W1.dtype)
        gW1 = np.empty((m, n), W1.dtype)
        gb1 = np.empty(m, W1.dtype)
        gWd = gW1 if tied else np.empty((m, K), W1.dtype)
        gb2 = np.empty(K, W1.dtype)
        for q in range(assign_ptr[th], assign_ptr[th + 1]):
            k = assign_idx[q]
            inv_T = _inv(inst_start[k + 1] - inst_start[k], W1)
            W1k, b1k, b2k, impk = W1[k], b1[k], b2[k], imp[k]  # views, taken once
            Wdk = W1k if tied else Wd[k]
            for s in range(s0, s1):
                gW1[:] = 0.0
                gb1[:] = 0.0
                if not tied:  # tied: gWd is gW1
                    gWd[:] = 0.0
                gb2[:] = 0.0
                loss = 0.0
                for t in range(inst_start[k], inst_start[k + 1]):
                    loss += _sample(t, W1k, b1k, Wdk, b2k, gW1, gb1, gWd, gb2, x_ptr, x_idx,
                                    x_val, y_ptr, y_idx, y_val, impk, inv_T, has_b1, hidden_relu,
                                    out_relu, loss_kind, True, a, h, dh, z, dz, yd)
                loss *= inv_T
                losses[s - s0, k] = loss
                if not np.isfinite(loss):
                    diverged[k] = s
                    break
                _update(k, s, lrs, s0, W1, b1, Wd, b2, gW1, gb1, gWd, gb2, M1, M2, hyper, flags)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def run_samples(n_chunks, s0, s1, lrs, W1, b1, Wd, b2, M1, M2, x_ptr, x_idx, x_val, y_ptr, y_idx,
                y_val, inst_start, imp, hyper, flags, loss_kind, losses, diverged):
    """Steps s0..s1-1, all instances in lockstep, the samples of each instance split into n_chunks
    contiguous chunks run in parallel, each with its own gradient buffer; buffers are summed in
    chunk order. Same outputs as run_instances."""
    has_b1, hidden_relu, out_relu, tied = flags[0], flags[1], flags[2], flags[3]
    I, m, n = W1.shape
    K = Wd.shape[2]
    C = n_chunks
    gW1 = np.zeros((C, I, m, n), W1.dtype)  # (C, I, m, n) per-chunk gradient buffers
    gb1 = np.zeros((C, I, m), W1.dtype)
    gWd = gW1 if tied else np.zeros((C, I, m, K), W1.dtype)
    gb2 = np.zeros((C, I, K), W1.dtype)
    closs = np.zeros((C, I))
    done = np.zeros(I, np.bool_)
    for s in range(s0, s1):
        for c in prange(C):
            a = np.empty(m, W1.dtype)  # per-thread scratch, allocated by the thread (no false sharing)
            h = np.empty(m, W1.dtype)
            dh = np.empty(m, W1.dtype)
            z = np.empty(K, W1.dtype)
            dz = np.empty(K, W1.dtype)
            yd = np.zeros(K, W1.dtype)
            gW1[c] = 0.0
            gb1[c] = 0.0
            if not tied:  # tied: gWd is gW1
                gWd[c] = 0.0
            gb2[c] = 0.0
            for k in range(I):
                if done[k]:
                    continue
                T = inst_start[k + 1] - inst_start[k]
                inv_T = _inv(T, W1)
                lo = inst_start[k] + (T * c) // C
                hi = inst_start[k] + (T * (c + 1)) // C
                W1k, b1k, b2k, impk = W1[k], b1[k], b2[k], imp[k]  # views, taken once
                Wdk = W1k if tied else Wd[k]
                gW1ck, gb1ck, gWdck, gb2ck = gW1[c, k], gb1[c, k], gWd[c, k], gb2[c, k]
                loss = 0.0
                for t in range(lo, hi):
                    loss += _sample(t, W1k, b1k, Wdk, b2k, gW1ck, gb1ck, gWdck, gb2ck, x_ptr, x_idx,
                                    x_val, y_ptr, y_idx, y_val, impk, inv_T, has_b1, hidden_relu,
                                    out_relu, loss_kind, True, a, h, dh, z, dz, yd)
                closs[c, k] = loss
        for k in range(I):
            if done[k]:
                continue
            for c in range(1, C):  # fixed-order reduction into chunk 0
                gW1[0, k] += gW1[c, k]
                gb1[0, k] += gb1[c, k]
                if not tied:
                    gWd[0, k] += gWd[c, k]
                gb2[0, k] += gb2[c, k]
                closs[0, k] += closs[c, k]
            loss = closs[0, k] / (inst_start[k + 1] - inst_start[k])
            losses[s - s0, k] = loss
            if not np.isfinite(loss):
                diverged[k] = s
                done[k] = True
                continue
            _update(k, s, lrs, s0, W1, b1, Wd, b2, gW1[0, k], gb1[0, k], gWd[0, k], gb2[0, k], M1, M2,
                    hyper, flags)


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def eval_loss(W1, b1, Wd, b2, x_ptr, x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp, flags,
              loss_kind):
    """The loss of every instance (I,) without gradients, instances in parallel."""
    has_b1, hidden_relu, out_relu, tied = flags[0], flags[1], flags[2], flags[3]
    I, m, n = W1.shape
    K = Wd.shape[2]
    out = np.zeros(I)
    for k in prange(I):
        a = np.empty(m, W1.dtype)
        h = np.empty(m, W1.dtype)
        dh = np.empty(m, W1.dtype)
        z = np.empty(K, W1.dtype)
        dz = np.empty(K, W1.dtype)
        yd = np.zeros(K, W1.dtype)
        g1 = np.empty((1, 1), W1.dtype)  # unused gradient buffers (want_grads=False)
        g0 = np.empty(1, W1.dtype)
        W1k, b1k, b2k, impk = W1[k], b1[k], b2[k], imp[k]  # views, taken once
        Wdk = W1k if tied else Wd[k]
        inv_T = _inv(inst_start[k + 1] - inst_start[k], W1)
        loss = 0.0
        for t in range(inst_start[k], inst_start[k + 1]):
            loss += _sample(t, W1k, b1k, Wdk, b2k, g1, g0, g1, g0, x_ptr, x_idx, x_val, y_ptr,
                            y_idx, y_val, impk, inv_T, has_b1, hidden_relu, out_relu, loss_kind,
                            False, a, h, dh, z, dz, yd)
        out[k] = loss * inv_T
    return out


# ---------------------------------------------------------------------------------------------
# Python side: map each model's params to the general two-layer form, data to CSR, and back.
# ---------------------------------------------------------------------------------------------

def _model_name(model):
    return model.__name__.rsplit(".", 1)[-1]


SUPPORTED = ("relu_output", "relu_hidden", "mlp", "unembed")


def to_general(model, params, relu_out=False):
    """(W1, b1, Wd, b2, structure flags, names) for a model's params; copies, never views."""
    name = _model_name(model)
    I = next(iter(params.values())).shape[0]
    if name in ("relu_output", "relu_hidden") and "W" in params:
        W1 = np.ascontiguousarray(params["W"]).copy()  # (I, m, n)
        Wd = W1  # tied: the decoder is the same array
        b1 = np.zeros((I, W1.shape[1]), W1.dtype)
        names = {"W1": "W", "b1": None, "Wd": None, "b2": "b_final"}
        struct = (False, name == "relu_hidden", True, True)
        b2 = params["b_final"].copy()
    elif name == "relu_output":
        W1 = params["W1"].copy()
        Wd = np.ascontiguousarray(params["W2"].transpose(0, 2, 1))  # (I, m, n)
        b1 = np.zeros((I, W1.shape[1]), W1.dtype)
        b2 = params["b_final"].copy()
        names = {"W1": "W1", "b1": None, "Wd": "W2", "b2": "b_final"}
        struct = (False, False, True, False)
    elif name in ("mlp", "unembed"):
        W1 = params["W1"].copy()
        Wd = np.ascontiguousarray(params["W2"].transpose(0, 2, 1))  # (I, m, K)
        has_b1 = "b1" in params
        b1 = params["b1"].copy() if has_b1 else np.zeros((I, W1.shape[1]), W1.dtype)
        b2 = params["b2"].copy()
        names = {"W1": "W1", "b1": "b1" if has_b1 else None, "Wd": "W2", "b2": "b2"}
        struct = (has_b1, name == "mlp", bool(relu_out) and name == "mlp", False)
    else:
        raise ValueError(f"the numba backend supports the models {SUPPORTED}, not {name!r}")
    return W1, b1, Wd, b2, struct, names


def from_general(W1, b1, Wd, b2, names):
    """The inverse of to_general: a params dict with the model's names (copies)."""
    out = {names["W1"]: W1.copy(), names["b2"]: b2.copy()}
    if names["b1"]:
        out[names["b1"]] = b1.copy()
    if names["Wd"]:
        out[names["Wd"]] = np.ascontiguousarray(Wd.transpose(0, 2, 1))
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


def targets_to_csr(target, mask, dtype, K):
    """Targets as CSR rows: float (I, T, K) as they are, hard labels (I, T) as one entry 1.0."""
    if target.dtype.kind in "iu":
        if target.min() < 0 or target.max() >= K:
            raise ValueError(f"hard labels must lie in [0, {K}), got range [{target.min()}, {target.max()}]")
        I, T = target.shape
        keep = np.ones((I, T), bool) if mask is None else mask
        labels = target[keep]  # (rows,)
        ptr = np.arange(labels.shape[0] + 1, dtype=np.int64)
        return ptr, labels.astype(np.int64), np.ones(labels.shape[0], dtype)
    return to_csr(target, mask, dtype)[:3]


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


def _cache_exists(dispatcher):
    """True when numba has an on-disk cache index for this kernel (so no compile is needed)."""
    try:
        import os
        return bool(dispatcher.signatures) or os.path.exists(dispatcher._cache._cache_file._index_path)
    except Exception:  # pragma: no cover - numba internals changed
        return True


def announce_compile(*dispatchers):
    """Say so when the first call will compile (then numba caches the machine code on disk)."""
    import sys
    if not all(_cache_exists(d) for d in dispatchers):
        sys.stderr.write("minimem: compiling numba kernels (first run only; cached afterwards)...\n")
        sys.stderr.flush()


def train_fused(model, params, x, target, lrs, *, loss, importance, mask, weight_decay, betas, eps,
                no_decay, snapshot_steps, bar, relu_out=False, parallel="auto", n_threads=None):
    """Run a whole training in the numba kernels. Returns (params, losses (steps, I), final loss
    (I,), snapshots). Called by train.train(..., backend="numba"); see it for the arguments.

    parallel: 'auto' (instances across threads when there are at least as many instances as
    threads, else chunks of samples when a step is large enough to pay, else serial), or force
    'instances', 'samples' or 'serial'."""
    import time

    import numba

    from .train import TrainingDiverged

    W1, b1, Wd, b2, struct, names = to_general(model, params, relu_out)
    dtype = W1.dtype
    I, m, n = W1.shape
    K = Wd.shape[2]
    if x.shape[:2][0] != I or x.shape[-1] != n:
        raise ValueError(f"x must have shape ({I}, T, {n}) for these params, got {x.shape}")
    x_ptr, x_idx, x_val, inst_start = to_csr(x, mask, dtype)
    y_ptr, y_idx, y_val = targets_to_csr(target, mask, dtype, K)
    if y_ptr.shape != x_ptr.shape:
        raise ValueError(f"target has {y_ptr.shape[0] - 1} rows but x has {x_ptr.shape[0] - 1}")
    if np.any(np.diff(inst_start) == 0):
        raise ValueError("every instance needs at least one sample (check mask)")
    imp = np.ones((I, K), dtype) if importance is None else np.ascontiguousarray(
        np.broadcast_to(np.asarray(importance, dtype), (I, K)))
    decay = [names[k] is not None and names[k] not in no_decay for k in ("W1", "b1", "Wd", "b2")]
    flags = np.array(list(struct) + decay, dtype=np.bool_)
    hyper = np.array([betas[0], betas[1], eps, weight_decay], dtype=np.float64)
    loss_kind = MSE if loss == "mse" else CE
    M1 = tuple(np.zeros_like(p) for p in (W1, b1, Wd, b2))
    M2 = tuple(np.zeros_like(p) for p in (W1, b1, Wd, b2))

    threads = n_threads or numba.get_num_threads()
    T_k = np.diff(inst_start)
    nnz = np.add.reduceat(np.diff(x_ptr), inst_start[:-1]) if x_ptr.shape[0] > 1 else np.zeros(I)
    cost = T_k * (K + 1) * m + nnz * m  # multiply-adds per step, per instance
    if parallel == "auto":
        parallel = choose_parallel(cost, threads)
    if parallel == "samples":
        # numba's prange gives 2 threads x 2 chunks an uneven share on this kind of machine
        # (measured: 2 chunks no faster than 1); 2 chunks per thread scale (1.75x on 2 cores)
        chunks = 2 * threads
    else:
        assign = assign_threads(cost, threads if parallel == "instances" else 1)

    steps = lrs.shape[0]
    hist = np.empty((steps, I))
    diverged = np.full(I, -1, np.int64)
    snaps, snapshots = sorted(set(snapshot_steps)), {}
    announce_compile(run_instances if parallel != "samples" else run_samples, eval_loss)
    s, seg = 0, 16
    while s < steps:
        if s in snaps:
            snapshots[s] = from_general(W1, b1, Wd, b2, names)
        s1 = min([steps, s + seg] + [q for q in snaps if q > s])
        t0 = time.perf_counter()
        out = hist[s:s1]
        if parallel == "samples":
            run_samples(chunks, s, s1, lrs[s:s1], W1, b1, Wd, b2, M1, M2, x_ptr, x_idx, x_val, y_ptr,
                        y_idx, y_val, inst_start, imp, hyper, flags, loss_kind, out, diverged)
        else:
            run_instances(assign[0], assign[1], s, s1, lrs[s:s1], W1, b1, Wd, b2, M1, M2, x_ptr,
                          x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp, hyper, flags,
                          loss_kind, out, diverged)
        if np.any(diverged >= 0):
            step = int(diverged[diverged >= 0].min())
            bar.close()
            raise TrainingDiverged(step, hist[step])
        dt = time.perf_counter() - t0
        seg = int(min(max(seg * 0.25 / max(dt, 1e-6), 16), 100_000))  # aim at ~0.25 s per segment
        bar.update(s1 - s, info=f"loss {hist[s1 - 1].mean():.4g}")
        s = s1
    final = eval_loss(W1, b1, Wd, b2, x_ptr, x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp, flags,
                      loss_kind)
    if not np.all(np.isfinite(final)):
        bar.close()
        raise TrainingDiverged(steps, final)
    if steps in snaps:
        snapshots[steps] = from_general(W1, b1, Wd, b2, names)
    return from_general(W1, b1, Wd, b2, names), hist, final, snapshots


def evaluate(model, params, x, target, *, loss=None, importance=None, mask=None, relu_out=False):
    """Loss per instance (I,) computed by the kernels (no (T, n) temporaries): for large test sets."""
    loss = model.DEFAULT_LOSS if loss is None else loss
    W1, b1, Wd, b2, struct, names = to_general(model, params, relu_out)
    I, K = W1.shape[0], Wd.shape[2]
    x_ptr, x_idx, x_val, inst_start = to_csr(x, mask, W1.dtype)
    y_ptr, y_idx, y_val = targets_to_csr(target, mask, W1.dtype, K)
    imp = np.ones((I, K), W1.dtype) if importance is None else np.ascontiguousarray(
        np.broadcast_to(np.asarray(importance, W1.dtype), (I, K)))
    flags = np.array(list(struct) + [False] * 4, dtype=np.bool_)
    announce_compile(eval_loss)
    return eval_loss(W1, b1, Wd, b2, x_ptr, x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp, flags,
                     MSE if loss == "mse" else CE)
