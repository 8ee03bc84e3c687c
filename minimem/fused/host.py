"""The host side of the fused kernels: a model's params in the general form and back, data in CSR
form, how the cores are used, the announcement of a compile, the Run that train() drives, and the
kernels' loss and gradients with the signature of the numpy models (what the tests compare)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time

import numba
import numpy as np

from ..optim import SGD
from ..checks import check_inputs, model_name
from ..registry import get_model, is_builtin
from .kernels import Data, Decay, General, Optimiser, Structure, grads_kernel, run_instances, run_samples


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
    st = Structure(bool(layout["b1"]), bool(layout["hidden_relu"]), bool(layout["out_relu"]), tied, False, False)
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
    """Everything the kernels take for already validated inputs (checks.check_inputs):
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
    y_is_x = all(a.shape == b.shape and np.array_equal(a, b) for a, b in
                 ((x_ptr, y_ptr), (x_idx, y_idx), (x_val, y_val)))  # an auto-encoder's target
    D = Data(x_ptr, x_idx, x_val, y_ptr, y_idx, y_val, inst_start, imp)
    return P, D, st._replace(ce=(loss == "ce"), y_is_x=y_is_x), layout


def loss_and_grads(model, params, x, target, *, loss=None, importance=None, mask=None, tile=True, **options):
    """The fused kernels' loss (I,) and gradients, with the signature and return value of
    ``model.loss_and_grads``: the per-sample code of a training step before AdamW, exposed so that
    tests compare it tensor by tensor with the numpy model. ``tile`` False: without the m = 2 tile."""
    model = get_model(model)  # the door of this public function: every input checked (minimem.checks)
    x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss, importance=importance,
                                                     mask=mask, **options)
    P, D, st, layout = prepare(model, params, x, target, loss=loss, importance=importance, mask=mask,
                               **options)
    G = General(np.zeros_like(P.W1), np.zeros_like(P.b1), None, np.zeros_like(P.b2))
    G = G._replace(Wd=G.W1 if st.tied else np.zeros_like(P.Wd))
    value = np.empty(P.W1.shape[0])
    call = (grads_kernel, (P, D, st, G, value, tile_flag(tile)))
    announce_compile(call)
    compile_once(call)
    grads_kernel(*call[1])
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


def step_cost(P, D):
    """Multiply-adds of one step per instance (I,): the decoder's T (K + 1) m and the encoder's
    nnz(x) m."""
    I, m = P.W1.shape[:2]
    K = P.Wd.shape[2]
    T_k = np.diff(D.inst_start)
    nnz = np.add.reduceat(np.diff(D.x_ptr), D.inst_start[:-1]) if D.x_ptr.shape[0] > 1 else np.zeros(I)
    return T_k * (K + 1) * m + nnz * m


def choose_parallel(cost, threads):
    """'instances' when the instances spread evenly over the threads (the longest thread's work is
    at most 1.25x the mean), else 'samples' when a step is large enough for threads to pay
    (> 6e5 multiply-adds: below that, handing each step between threads costs more than it saves,
    as scripts/bench_kernels.py measures at T=100), else 'serial'."""
    cost = np.asarray(cost, dtype=float)
    if threads <= 1:
        return "serial"
    ptr, idx = assign_threads(cost, threads)
    makespan = max(cost[idx[ptr[i]:ptr[i + 1]]].sum() for i in range(threads))
    if makespan <= 1.25 * cost.sum() / threads:
        return "instances"
    return "samples" if cost.sum() > 6e5 else "serial"


def signature(dispatcher, args):
    """The numba types ``dispatcher(*args)`` compiles for, and whether they are loaded in this process."""
    sig = tuple(dispatcher.typeof_pyval(a) for a in args)
    return sig, any(tuple(s) == sig for s in dispatcher.signatures)


def will_compile(dispatcher, args):
    """True when ``dispatcher(*args)`` has to compile: its signature for these argument types is
    neither loaded in this process nor in numba's on-disk cache (a new model, dtype or option has a
    new signature even when the kernel's cache holds others)."""
    try:
        sig, loaded = signature(dispatcher, args)
        if loaded:
            return False
        index = dispatcher._cache._cache_file._load_index()  # {(signature, codegen, hashes): file}
        return not any(key[0] == sig for key in index)
    except Exception:  # pragma: no cover - the JIT is disabled, or numba's internals changed
        return False


COMPILE_SECONDS = 30  # a training kernel's compile, cold, on two cores: 24-29 s (scripts/bench_compile.py, SPEED.md)
PLAIN_COMPILE_SECONDS = 20  # the same without the m = 2 tile (tile=None)

# The switch of the m = 2 fast path (kernels.group_steps, the decoder tile), read once, at import:
# MINIMEM_TILE=0 runs every model on the per-sample passes alone, the code that reads like the math.
TILE = os.environ.get("MINIMEM_TILE", "1") != "0"


def tile_flag(tile):
    """The kernels' last argument: True compiles the m = 2 tile in, None leaves it out (numba prunes
    the branch, so the kernel compiles sooner); None whenever the switch TILE is off."""
    return True if tile and TILE else None


def announce_compile(*calls):
    """Say so on stderr when one of the calls (dispatcher, args) will compile: numba then caches the
    machine code on disk, so it happens once per kernel and dtype (the model, loss and options are
    runtime flags). Returns whether it will."""
    compiles = any(will_compile(d, args) for d, args in calls)
    if compiles:
        dtype = next(a.W1.dtype for _, args in calls for a in args if isinstance(a, General))
        plain = all(args[-1] is None for _, args in calls)  # the kernels' last argument: tile_flag
        what = " without the m = 2 tile" if plain else ""
        sys.stderr.write(f"minimem: compiling the numba kernels for {dtype}{what} (about "
                         f"{PLAIN_COMPILE_SECONDS if plain else COMPILE_SECONDS} s on two cores, once; cached on "
                         f"disk afterwards)...\n")
        sys.stderr.flush()
    return compiles


WAITED = [0.0]  # seconds this process waited for another one's compile (train.compile_time counts them)


@contextlib.contextmanager
def _compile_lock(dispatcher):
    """An exclusive lock file for one kernel beside numba's cache, held while a process compiles it
    (two kernels have two index files: they compile in two processes at once)."""
    try:
        import fcntl
        folder = dispatcher._cache._cache_path
        if not os.access(folder, os.W_OK):
            folder = tempfile.gettempdir()
        name = getattr(dispatcher, "__name__", type(dispatcher).__name__)
        f = open(os.path.join(folder, f"minimem-compile-{name}.lock"), "a")
    except (ImportError, AttributeError, OSError):  # pragma: no cover - no fcntl (Windows), or no cache
        yield
        return
    with f:
        t = time.perf_counter()
        fcntl.flock(f, fcntl.LOCK_EX)
        WAITED[0] += time.perf_counter() - t
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def compile_once(*calls):
    """Compile, or load from numba's disk cache, what the calls (dispatcher, args) need and this
    process has not loaded, one process at a time. A kernel's cache index is one file that every
    process compiling a signature of it rewrites: two compiling at once (``--jobs 2``, the test
    suite's workers) can leave the index naming the other's machine code for a signature. Under
    the kernel's lock a second process waits, then loads what the first stored."""
    try:
        todo = [(d, sig) for d, args in calls for sig, loaded in [signature(d, args)] if not loaded]
    except AttributeError:  # pragma: no cover - the JIT is disabled
        return
    for d, sig in todo:  # one lock at a time: no two processes can wait on each other
        with _compile_lock(d):
            d.compile(sig)


def optimiser(opt):
    """optim.AdamW or optim.SGD as the kernels' Optimiser structure: the one place the settings are
    turned into the kernels' form (SGD's unused betas and eps at AdamW's defaults)."""
    if isinstance(opt, SGD):
        return Optimiser(True, 0.9, 0.999, 1e-8, float(opt.weight_decay), float(opt.momentum), bool(opt.decoupled))
    return Optimiser(False, float(opt.betas[0]), float(opt.betas[1]), float(opt.eps), float(opt.weight_decay), 0.0,
                     False)


class Run:
    """A training run held in the kernels' form, advanced segment by segment by train.train:
    ``steps(s0, s1, lrs)`` runs updates s0..s1-1 and returns their losses (s1 - s0, I) and per
    instance the first step whose loss or updated parameters are not finite (-1 when none);
    ``params()`` maps the current params back to the model's names; ``final_loss()`` evaluates the
    train loss; ``compiles`` says whether the first step compiles the kernels. ``tile`` False runs
    the kernels without the m = 2 tile (``untile()`` switches a Run so before its first step)."""

    def __init__(self, model, params, x, target, *, loss, importance, mask, opt, parallel="auto", n_threads=None,
                 announce=True, tile=True, **options):
        P, D, st, layout = prepare(model, params, x, target, loss=loss, importance=importance,
                                   mask=mask, **options)
        self.P, self.D, self.st, self.layout = P, D, st, layout
        named = {"W1": layout["W1"], "b1": layout["b1"], "Wd": layout["W2"], "b2": layout["b2"]}
        self.decay = Decay(*[bool(named[g]) and named[g] not in opt.no_decay for g in Decay._fields])
        self.hp = optimiser(opt)
        self.M = General(*[np.zeros_like(p) for p in P])  # the optimiser's first and second moments
        self.V = General(*[np.zeros_like(p) for p in P])
        threads = n_threads or numba.get_num_threads()
        cost = step_cost(P, D)  # multiply-adds per step, per instance
        self.parallel = choose_parallel(cost, threads) if parallel == "auto" else parallel
        if self.parallel == "samples":
            self.chunks = sample_chunks(st, threads)
        else:
            self.assign = assign_threads(cost, threads if self.parallel == "instances" else 1)
        self.threads = threads
        self.ready = False  # compile_once done
        self._calls(tile_flag(tile))
        if announce:  # whether a first step compiles, said on stderr (else see announce())
            self.announce()

    def _calls(self, tile):
        """The kernel calls a run makes, as compile_once and will_compile take them, for ``tile``
        (the kernels' last argument), and whether they compile."""
        P, D, st = self.P, self.D, self.st
        I = P.W1.shape[0]
        lrs, out, diverged = np.zeros(1), np.empty((1, I)), np.full(I, -1, np.int64)  # as steps() passes them
        run = ((run_samples, (self.chunks, 0, 1, lrs, P, self.M, self.V, D, st, self.hp, self.decay, out, diverged,
                              tile))
               if self.parallel == "samples" else
               (run_instances, (self.assign[0], self.assign[1], 0, 1, lrs, P, self.M, self.V, D, st, self.hp,
                                self.decay, out, diverged, True, tile)))
        self.tile = tile
        self.loss_call = loss_call(P, D, st, self.threads, tile)  # the final loss
        self.calls = (run, self.loss_call[:2])
        self.compiles = any(will_compile(*c) for c in self.calls)

    def untile(self):
        """Run without the m = 2 tile (before the first step): for a short run, whose kernels
        compile sooner so (host.PLAIN_COMPILE_SECONDS)."""
        if self.ready:
            raise RuntimeError("Run.untile() after the first step")
        self._calls(None)

    def announce(self):
        """Say on stderr that the first step will compile, if it will (for Run(announce=False))."""
        return announce_compile(*self.calls)

    def steps(self, s0, s1, lrs):
        if not self.ready:
            compile_once(*self.calls)
            self.ready = True
        I = self.P.W1.shape[0]
        out = np.empty((s1 - s0, I))
        diverged = np.full(I, -1, np.int64)
        if self.parallel == "samples":
            run_samples(self.chunks, s0, s1, lrs, self.P, self.M, self.V, self.D, self.st, self.hp,
                        self.decay, out, diverged, self.tile)
        else:
            run_instances(self.assign[0], self.assign[1], s0, s1, lrs, self.P, self.M, self.V, self.D,
                          self.st, self.hp, self.decay, out, diverged, True, self.tile)
        return out, diverged

    def params(self):
        return from_general(self.P, self.layout)

    final_params = params

    def final_loss(self):
        kernel, args, out = self.loss_call
        if not self.ready:
            compile_once((kernel, args))
        kernel(*args)
        return out.copy()


class Evaluation:
    """The loss per instance (I,) of a model at params on a data set, computed by the kernels (no
    (T, n) temporaries): ``Evaluation(...)()``. ``compiles`` says whether the call compiles the
    kernels (then said on stderr when it runs). Its inputs are checked by the caller (train.evaluate,
    with checks.check_inputs)."""

    def __init__(self, model, params, x, target, *, loss, importance=None, mask=None, tile="auto", **options):
        P, D, st, _ = prepare(model, params, x, target, loss=loss, importance=importance, mask=mask, **options)
        self.P = P
        # The loss alone never runs the tile (a training step's): both kernels score alike, to the
        # last bit or so. tile 'auto' takes the one compiled, else the one that compiles sooner;
        # True the training kernel with the tile (experiments.run: no score depends on the cache).
        self.kernel, self.args, self.out = loss_call(P, D, st, numba.get_num_threads(), tile_flag(True))
        self.compiles = will_compile(self.kernel, self.args)
        if self.compiles and tile == "auto":
            self.kernel, self.args, self.out = loss_call(P, D, st, numba.get_num_threads(), None)
            self.compiles = will_compile(self.kernel, self.args)
        self.compile_seconds = PLAIN_COMPILE_SECONDS if self.args[-1] is None else COMPILE_SECONDS

    def __call__(self):
        announce_compile((self.kernel, self.args))
        compile_once((self.kernel, self.args))
        self.kernel(*self.args)
        return self.out


def evaluate(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """Loss per instance (I,) computed by the kernels (no (T, n) temporaries): for large test sets.
    Its inputs are checked here (checks.check_inputs), as train.evaluate's."""
    model = get_model(model)
    x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss, importance=importance,
                                                     mask=mask, **options)
    return Evaluation(model, params, x, target, loss=loss, importance=importance, mask=mask, **options)()


def sample_chunks(st, threads):
    """Chunks of run_samples: with MSE one per thread, as each chunk costs its own per-step passes
    over the K outputs; with cross-entropy two per thread, measured faster though we have not found
    why (SPEED.md, why the kernels are written so)."""
    return 2 * threads if st.ce else threads


def loss_call(P, D, st, threads, tile):
    """(kernel, args, out): the call of run_instances with train=False, which computes the loss of
    every instance at P into out (I,) and nothing else (no step, no update; the optimiser's
    arguments unused), the instances spread over the threads."""
    I = P.W1.shape[0]
    losses = np.empty((1, I))
    unused = General(*[np.empty((I,) + (1,) * (p.ndim - 1), p.dtype) for p in P])  # moments, never read
    rest = (0, 1, np.zeros(1), P, unused, unused, D, st, Optimiser(False, 0.9, 0.999, 1e-8, 0.0, 0.0, False),
            Decay(False, False, False, False), losses, np.full(I, -1, np.int64), False, tile)
    return run_instances, assign_threads(step_cost(P, D), threads) + rest, losses[0]


# --- the kernels run only the models they compute ------------------------------------------------


class KernelMismatch(ValueError):
    """The numba kernels, run on the general form a model's ``kernel_layout`` declares, do not compute
    that model's own ``loss_and_grads``: its layout describes another model. ``finding`` is the
    measurement in one clause (which tensor differs, and by how much)."""

    def __init__(self, message, finding):
        super().__init__(message)
        self.finding = finding


VERIFY_INSTANCES, VERIFY_SAMPLES = 2, 8  # the data the check runs on: the first instances and samples
VERIFY_RTOL = 1e-9  # float64: the kernels and the numpy models agree to ~1e-13 where they compute the same
_VERIFIED = {}  # {(id(model), layout, options, loss, ...): (model, None or the KernelMismatch)}


def verify_model(model, params, x, target, *, loss, importance=None, mask=None, **options):
    """Raise KernelMismatch unless the kernels compute ``model``: the kernels' loss and gradients on
    the general form ``model.kernel_layout`` declares must equal ``model.loss_and_grads``, in
    float64, to VERIFY_RTOL relative per tensor, on the first VERIFY_SAMPLES samples of the first
    VERIFY_INSTANCES instances, at the given params and at a random draw around them. Inputs are
    already checked (checks.check_inputs). Run once per process for each model, layout, options
    and loss; the package's own models are not run (tests/test_kernels.py holds them equal to the
    kernels in every layout they declare)."""
    if is_builtin(model):
        return
    layout = model.kernel_layout(params, **options)
    key = (id(model), repr(sorted(layout.items())), repr(sorted(options.items())), loss, importance is None,
           target.dtype.kind)
    if key not in _VERIFIED:
        _VERIFIED[key] = (model, _mismatch(model, layout, params, x, target, loss, importance, options))
    error = _VERIFIED[key][1]
    if error is not None:
        raise error


def _mismatch(model, layout, params, x, target, loss, importance, options):
    """The KernelMismatch of the first tensor that differs, or None."""
    I, T = min(x.shape[0], VERIFY_INSTANCES), min(x.shape[1], VERIFY_SAMPLES)
    xs = x[:I, :T].astype(np.float64)  # (I, T, n)
    ts = target[:I, :T] if target.dtype.kind in "iu" else target[:I, :T].astype(np.float64)
    imp = None if importance is None else np.asarray(importance, np.float64)
    if imp is not None and imp.ndim == 2:
        imp = imp[:I]
    given = {k: v[:I].astype(np.float64) for k, v in params.items()}
    rng = np.random.default_rng(0)  # a second point, away from the init's zeros and symmetries
    drawn = {k: v + rng.standard_normal(v.shape) * (float(np.std(v)) or 0.1) for k, v in given.items()}
    name = model_name(model)
    for where, p in (("the given params", given), ("params drawn around them", drawn)):
        ref_loss, ref_grads = model.loss_and_grads(p, xs, ts, loss=loss, importance=imp, mask=None, **options)
        ker_loss, ker_grads = loss_and_grads(model, p, xs, ts, loss=loss, importance=imp, **options)
        pairs = [("the loss", ref_loss, ker_loss)] + [(f"the gradient of params[{k!r}]", ref_grads.get(k), ker_grads.get(k))
                                                     for k in sorted(p)]
        for what, a, b in pairs:
            if a is None or b is None or np.shape(a) != np.shape(b):
                rel = np.inf
            else:
                a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
                rel = float(np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(a), initial=0.0),
                                                                     np.max(np.abs(b), initial=0.0), 1e-12))
            if not rel <= VERIFY_RTOL:
                finding = (f"{name}.kernel_layout describes a different model ({what} from the kernels differs "
                           f"from {name}.loss_and_grads' by {rel:.3g} relative)")
                return KernelMismatch(
                    f"{name}.kernel_layout {dict(layout)} describes a different model: on {T} samples of {I} "
                    f"instance(s), at {where}, in float64, {what} from the numba kernels differs from "
                    f"{name}.loss_and_grads' by {rel:.3g} (relative; the check allows {VERIFY_RTOL:g}). "
                    f"Train {name} with backend='numpy', or correct its kernel_layout", finding)
    return None
