r"""Full-batch training of any minimem model with AdamW and the Henighan schedule.

One step s = 0 .. steps-1 of the readable numpy path:

    loss_s, grads = model.loss_and_grads(params, x, target)      forward + backward, all samples
    params        = adamw_step(params, grads, lr(s))             optim.py

``train`` records loss_s for every step (shape (steps, I)), copies of params at chosen steps
(``snapshot_steps``: the params after that many updates, 0 = the initialisation), and the final
train loss after the last update. It stops with ``TrainingDiverged`` naming the step as soon as a
loss, or a parameter after an update, is NaN or infinite, and shows a progress bar on long runs.
The same bookkeeping drives both backends: the numpy loop (_NumpyRun) and the numba kernels
(fused.Run) only run steps and report losses and non-finite values.

Instances are independent: the loss that is differentiated is sum_k L_k, so instance k's gradient
is that of its own loss, and AdamW is elementwise, so K models train in one call exactly as they
would one by one.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import costs
from .checks import check_choice, check_inputs, check_int, check_settings
from .optim import SGD, AdamW, schedule_of, step_of
from .progress import Progress
from .checks import keywords_named
from .registry import get_model, model_name

try:  # the fused kernels need numba, a dependency; without it the numpy loop still runs
    from . import fused
except ImportError:  # pragma: no cover
    fused = None


class TrainingDiverged(FloatingPointError):
    """The training loss, or a parameter after an update, became NaN or infinite; ``step`` says
    when (the update of that step, whose loss is losses[step])."""

    def __init__(self, step, loss, instances=None):
        self.step = step
        loss = np.atleast_1d(loss)
        bad = np.flatnonzero(~np.isfinite(loss)).tolist()
        if bad:
            what = (f"loss is not finite for instances {bad} (values {loss[bad][:5].tolist()})")
        else:
            what = f"the parameters of instances {list(instances or [])} are not finite after the update"
        super().__init__(f"training diverged at step {step}: {what}; lower the learning rate or "
                         f"check the data")


@dataclass
class TrainResult:
    """What ``train`` returns.

    Attributes
    ----------
    params : dict of (I, ...) arrays
        The trained parameters, keyed and shaped like the params passed in.
    losses : (steps, I) array
        losses[s, k] is instance k's train loss before update s (float64).
    final_loss : (I,) array
        Each instance's train loss after the last update.
    snapshots : dict
        {step: params after that many updates} for every step in ``snapshot_steps``.
    lrs : (steps,) array
        The learning rate of every update (the schedule)."""
    params: dict
    losses: np.ndarray  # (steps, I)
    final_loss: np.ndarray  # (I,) after the last update
    snapshots: dict = field(default_factory=dict)  # step -> params after that many updates
    lrs: np.ndarray | None = None  # (steps,)


class _NumpyRun:
    """The readable reference loop, in the interface train() drives (see fused.Run):

        loss_s, grads = model.loss_and_grads(params, x, target)      forward + backward
        params        = adamw_step(params, grads, lr(s))             optim.py
    """

    def __init__(self, model, params, x, target, *, loss, importance, mask, opt, copy_params=True, **options):
        self.model, self.x, self.target = model, x, target
        self.kw = dict(loss=loss, importance=importance, mask=mask, **options)
        self.p = {k: v.copy() for k, v in params.items()} if copy_params else params
        self.update, init = step_of(opt)  # optim.adamw_step or optim.sgd_step with opt's settings
        self.state = init(self.p)
        self.I = x.shape[0]

    def steps(self, s0, s1, lrs):
        """Updates s0..s1-1; returns their losses (s1 - s0, I) and per instance the first step whose
        loss or updated parameters are not finite (-1 when none)."""
        out = np.empty((s1 - s0, self.I))
        diverged = np.full(self.I, -1, np.int64)
        for s in range(s0, s1):
            value, grads = self.model.loss_and_grads(self.p, self.x, self.target, **self.kw)
            out[s - s0] = value
            if not np.all(np.isfinite(value)):
                diverged[~np.isfinite(value)] = s
                return out[:s - s0 + 1], diverged
            self.update(self.p, grads, self.state, lrs[s - s0])  # optim.py
            for v in self.p.values():  # (I, ...): which instances' params stopped being finite
                bad = ~np.isfinite(v.reshape(self.I, -1)).all(axis=1)
                diverged[bad & (diverged < 0)] = s
            if np.any(diverged >= 0):
                return out[:s - s0 + 1], diverged
        return out, diverged

    def params(self):
        return copy.deepcopy(self.p)

    def final_params(self):
        return self.p  # the caller's own dict when copy_params=False

    def final_loss(self):
        return self.model.loss_and_grads(self.p, self.x, self.target, **self.kw)[0]


@keywords_named
def train(model, params, x, target, *, steps, opt=AdamW(), schedule="henighan", warmup=None, loss=None,
          importance=None, mask=None, relu_out=None, snapshot_steps=(), progress=None, copy_params=True,
          desc="train", backend="auto", parallel="auto"):
    """Train ``params`` of ``model`` full batch for ``steps`` steps of AdamW (or SGD with momentum).

    I is the number of independent models trained at once (instances), T the samples per
    instance, n the input features, K the outputs (n for auto-encoders, V classes for
    cross-entropy).

    Parameters
    ----------
    model : module or str
        relu_output, relu_hidden, mlp or unembed (or their names), or a model of one's own: any
        object with forward, backward and loss_and_grads in the package's signatures (SHAPES and
        OUTPUT, DEFAULT_LOSS and kernel_layout optional; see minimem.checks).
    params : dict of (I, ...) arrays
        As the model's ``init_params`` returns them; float32 or float64, finite. Copied unless
        ``copy_params=False`` (then updated in place, on either backend).
    x : (I, T, n) array
        Inputs, cast to the params' dtype; T >= 1.
    target : (I, T, K) float array, or (I, T) int array
        What the loss compares the output with: x itself for auto-encoders (MSE), class labels
        (I, T) or distributions (I, T, V) for cross-entropy.
    steps : int
        Number of AdamW updates, full batch (every step uses every sample).
    opt : optim.AdamW or optim.SGD, default AdamW()
        The optimiser and its settings, one value as in PyTorch: ``AdamW(lr=1e-3, betas=(0.9, 0.999),
        eps=1e-8, weight_decay=1e-2, no_decay=())`` as torch.optim.AdamW, or ``SGD(lr, momentum,
        weight_decay, decoupled, no_decay)`` as torch.optim.SGD (minimem.optim). ``lr`` is the peak
        of the schedule; ``no_decay`` names params left undecayed (all are decayed by default, as in
        the original notebooks).
    schedule : 'henighan' or 'constant', default 'henighan'
        Henighan et al.'s linear warm-up then cosine decay to 0, or a constant ``opt.lr``.
    warmup : int, default 5% of ``steps``
        Warm-up steps of the 'henighan' schedule (the paper's 2,500 of 50,000).
    loss : 'mse' or 'ce', default the model's
    importance : (n,) or (I, n) array, optional
        Per-feature weights of the MSE, >= 0.
    mask : (I, T) bool array, optional
        Which samples are real, for data sets of different sizes padded to one T
        (``data.stack_ragged``); every instance needs at least one.
    snapshot_steps : iterable of int
        Keep a copy of params after that many updates (0 = initial, ``steps`` = final).
    progress : None, True or False
        Progress bar on stderr: None shows it only for runs longer than 2 s.
    copy_params : bool, default True
        False updates the arrays of ``params`` in place (the numpy loop steps them; the kernels
        write the trained values back into them at the end) and returns that dict.
    desc : str
        The progress bar's label.
    backend : 'auto', 'numpy' or 'numba'
        'numpy' runs the readable reference loop (_NumpyRun); 'numba' the fused kernels of
        minimem.fused (the same math, tested equal). The kernels run a model only when it declares
        ``kernel_layout`` and, for a model from outside the package, once per process their loss and
        gradients on that layout equal the model's own loss_and_grads (float64, on a few samples;
        fused.verify_model): otherwise 'numba' raises (TypeError, fused.KernelMismatch) and 'auto'
        trains on numpy, saying so in one line when the layout is wrong. 'auto' picks numba when
        it is installed and can run the model, except when the kernels are not compiled yet (not
        in numba's disk cache) and the numpy loop would finish before they compile (numpy_seconds
        against the compile it needs: cold_start): then it trains on numpy and says so in one line. The two
        backends agree to round-off, not bit for bit: for numbers identical between a first run
        and later ones, name the backend.
    parallel : 'auto', 'instances', 'samples' or 'serial'
        How the numba backend uses the cores (see fused.Run).
    relu_out : bool, optional
        The MLP's ReLU on its output (mlp.forward's option); None leaves the model's default. A
        model whose forward has no such option refuses it.

    Returns
    -------
    TrainResult
        ``params`` (trained, shaped as given), ``losses`` (steps, I), ``final_loss`` (I,),
        ``snapshots`` {step: params}, ``lrs`` (steps,).

    Raises
    ------
    ValueError, TypeError
        Before any training, naming the argument that is wrong, the same for both backends.
    TrainingDiverged
        Naming the step at which a loss, or a parameter after its update, stops being finite.
    """
    # the door: every argument checked once, here (minimem.checks); nothing below checks again
    model_options = {} if relu_out is None else {"relu_out": relu_out}
    model = get_model(model)
    x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss, importance=importance,
                                                     mask=mask, **model_options)
    steps, schedule, warmup, snaps, parallel = check_settings(params, steps, opt, (AdamW, SGD), schedule, warmup,
                                                              snapshot_steps, progress, copy_params, parallel)
    lrs = schedule_of(steps, opt.lr, schedule, warmup)  # (steps,)
    auto = backend == "auto"
    backend = choose_backend(backend, model, params, x, target, loss=loss, importance=importance, mask=mask,
                             **model_options)
    kw = dict(loss=loss, importance=importance, mask=mask, opt=opt, **model_options)
    run = None
    if backend == "numba":
        run = fused.Run(model, params, x, target, parallel=parallel, announce=False, **kw)
        if auto and run.compiles and not _AUTO_COMPILES:
            run = cold_start(run, model, steps)
        if run is not None:
            run.announce()
    if run is None:
        run = _NumpyRun(model, params, x, target, copy_params=copy_params, **kw)

    bar = Progress(steps, desc=desc, enabled=progress)
    hist = np.empty((steps, x.shape[0]))  # (steps, I)
    snapshots = {}
    s, seg = 0, 16
    while s < steps:
        if s in snaps:
            snapshots[s] = run.params()
        s1 = min([steps, s + seg] + [q for q in snaps if q > s])
        t0 = time.perf_counter()
        out, diverged = run.steps(s, s1, lrs[s:s1])
        hist[s:s + out.shape[0]] = out
        if np.any(diverged >= 0):
            step = int(diverged[diverged >= 0].min())
            bar.close()
            raise TrainingDiverged(step, hist[step], np.flatnonzero(diverged == step).tolist())
        dt = time.perf_counter() - t0
        seg = int(min(max(seg * 0.25 / max(dt, 1e-6), 1), 100_000))  # aim at ~0.25 s per segment
        # the first segment compiled or loaded the kernels: not part of the estimate of the time left
        bar.update(s1 - s, info=f"loss {hist[s1 - 1].mean():.4g}", one_off=(s == 0))
        s = s1
    final = run.final_loss()
    if not np.all(np.isfinite(final)):
        bar.close()
        raise TrainingDiverged(steps, final)
    if steps in snaps:
        snapshots[steps] = run.params()
    bar.close(info=f"final loss {final.mean():.4g}")
    trained = run.final_params()
    if not copy_params and trained is not params:  # the kernels' copy, written back into the caller's arrays
        for k, v in trained.items():
            np.copyto(params[k], v)
        trained = params
    return TrainResult(params=trained, losses=hist, final_loss=final, snapshots=snapshots, lrs=lrs)


@keywords_named
def evaluate(model, params, x, target, *, loss=None, importance=None, mask=None, relu_out=None, backend="auto"):
    """The loss of every instance (I,) of ``model`` at ``params`` on a data set (x, target), the
    public way to score a model on a test set. Inputs are checked as by ``train``. backend 'numba'
    (the default when installed) streams the samples through the fused kernels without (T, n)
    temporaries, 'numpy' runs ``model.loss_and_grads``; the two agree to 1e-12 in float64. 'auto'
    chooses as train() does: numpy when the kernels are not compiled yet and its one pass finishes
    sooner (and its dense arrays take less than NUMPY_EVAL_BYTES)."""
    model_options = {} if relu_out is None else {"relu_out": relu_out}
    model = get_model(model)
    x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss, importance=importance,
                                                     mask=mask, **model_options)
    auto = backend == "auto"
    backend = choose_backend(backend, model, params, x, target, loss=loss, importance=importance, mask=mask,
                             **model_options)
    if backend == "numba":
        ev = fused.Evaluation(model, params, x, target, loss=loss, importance=importance, mask=mask,
                              tile=True if _AUTO_COMPILES else "auto", **model_options)
        I, m, K = ev.P.W1.shape[0], ev.P.W1.shape[1], ev.P.Wd.shape[2]
        dense = I * x.shape[1] * (x.shape[2] + K) * x.itemsize
        if not (auto and ev.compiles and not _AUTO_COMPILES and dense < NUMPY_EVAL_BYTES
                and numpy_seconds(I, x.shape[1], x.shape[2], K, m, 1) < ev.compile_seconds):
            return ev()
        _say(f"minimem: evaluating on numpy rather than compiling the numba kernels first (about "
             f"{ev.compile_seconds} s, once); backend='numba' compiles them")
    return model.loss_and_grads(params, x, target, loss=loss, importance=importance, mask=mask,
                                **model_options)[0]


def cold_start(run, model, steps):
    """What backend='auto' trains on when the kernels ``run`` needs are not compiled (outside
    kernels_for_auto): a run shorter than the m = 2 tile's extra compile runs without the tile
    (``run.untile()``: the kernels compile in fused.PLAIN_COMPILE_SECONDS, or are compiled
    already); then, if they still have to compile and the numpy loop's estimate is under that
    compile, numpy (None), said in one line."""
    P, D = run.P, run.D
    I, m, n = P.W1.shape
    T, K = int(np.diff(D.inst_start).max()), P.Wd.shape[2]
    density = D.x_idx.shape[0] / max(D.inst_start[-1] * n, 1)
    plain = costs.Job(model_name(model), "ce" if run.st.ce else "mse", I, T, n, K, m, steps, density,
                      str(P.W1.dtype), tile=False)
    extra = fused.COMPILE_SECONDS - fused.PLAIN_COMPILE_SECONDS  # the tile's own compile
    if run.tile and costs.seconds([plain], per_sample=costs.REFERENCE_SECONDS) < extra:
        run.untile()
    if not run.compiles:
        return run
    seconds = fused.COMPILE_SECONDS if run.tile else fused.PLAIN_COMPILE_SECONDS
    estimate = numpy_seconds(I, T, n, K, m, steps)
    if estimate < seconds:
        _say(f"minimem: training on numpy (about {estimate:.0f} s) rather than compiling the numba kernels "
             f"first (about {seconds} s, once); backend='numba' compiles them")
        return None
    return run


def _have_numba():
    return fused is not None


_AUTO_COMPILES = []  # non-empty inside kernels_for_auto(): 'auto' takes the kernels, compiled or not


@contextlib.contextmanager
def kernels_for_auto():
    """Within this block backend='auto' takes the numba kernels whenever they can run the model,
    whether or not they are compiled yet. experiments.run trains its units so: a stored result never
    depends on whether this machine had compiled the kernels before."""
    _AUTO_COMPILES.append(True)
    try:
        yield
    finally:
        _AUTO_COMPILES.pop()


class CompileTime:
    """Seconds numba spent compiling inside a ``with compile_time() as c:`` block (``c.seconds``;
    nested compiles counted once): what an estimate of training time leaves out."""

    seconds = 0.0


@contextlib.contextmanager
def compile_time():
    out = CompileTime()
    if fused is None:  # pragma: no cover - no numba
        yield out
        return
    from numba.core import event

    spans, starts = [], {}

    class Listener(event.Listener):
        def on_start(self, ev):
            starts[id(ev.data)] = time.perf_counter()

        def on_end(self, ev):
            spans.append((starts.pop(id(ev.data), time.perf_counter()), time.perf_counter()))

    waited = fused.host.WAITED[0]  # waiting for another process's compile (fused.host.compile_once)
    with event.install_listener("numba:compile", Listener()):
        try:
            yield out
        finally:
            end, total = -1.0, 0.0
            for a, b in sorted(spans):  # the union of the (nested) intervals
                if b > end:
                    total += b - max(a, end)
                    end = b
            out.seconds = total + fused.host.WAITED[0] - waited


_SAID = set()  # the lines about the choice of backend printed in this process, each once


def _say(line):
    """Print a line about the backend on stderr, once per process."""
    if line not in _SAID:
        _SAID.add(line)
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


# The numpy loop's seconds per step, a fixed part and one per instance, sample and input or output
# (dense (T, n) and (T, K) arrays), growing with the hidden units m: measured on two cores
# (2026-12-03, partly under load) 0.19 ms at I=1, T=5, n=100; per I T (n + K), 5-8 ns for the ReLU
# output model at m=2, 17 ns at m=8; the MLP 18 ns at m=2, 58 ns at m=32.
NUMPY_STEP_FIXED, NUMPY_STEP_PER = 2e-4, 8e-9
NUMPY_EVAL_BYTES = 2 ** 30  # evaluate() on numpy only when its dense inputs and outputs take less


def numpy_seconds(I, T, n, K, m, steps):
    """About how long the numpy loop takes for ``steps`` steps (good to a factor of about 2; what
    backend='auto' weighs against compiling the kernels)."""
    return steps * (NUMPY_STEP_FIXED + NUMPY_STEP_PER * I * T * (n + K) * (1 + m / 4))


def choose_backend(backend, model, params, x, target, **kw):
    """'numpy' or 'numba' for ``backend`` 'auto', 'numpy' or 'numba' on checked inputs. The numba
    kernels run a model only when it declares ``kernel_layout`` and the kernels, on that layout,
    compute the model's own loss_and_grads (fused.verify_model, once per process and model). 'numba'
    raises where they cannot; 'auto' then takes numpy, saying so in one line when the layout is
    wrong (a model without kernel_layout simply runs on numpy)."""
    backend = check_choice("backend", backend, ("auto", "numpy", "numba"))
    if backend == "numpy":
        return backend
    name = getattr(model, "__name__", type(model).__name__)
    if not _have_numba() or not hasattr(model, "kernel_layout"):
        if backend == "numba":
            why = "numba is not installed" if not _have_numba() else f"{name} has no kernel_layout"
            raise TypeError(f"backend='numba' cannot run {name}: {why}; use backend='numpy' (or 'auto')")
        return "numpy"
    try:
        fused.verify_model(model, params, x, target, **kw)
    except fused.KernelMismatch as e:
        if backend == "numba":
            raise
        _say(f"minimem: {e.finding}: using the numpy backend")
        return "numpy"
    return "numba"


def best_of_seeds(final_loss, n_seeds):
    """Indices of the best (lowest final train loss) instance in each consecutive group of
    ``n_seeds`` instances: instances [g*k, (g+1)*k) are k seeds of configuration g. Returns (G,)."""
    final_loss = np.asarray(final_loss)
    k = check_int("n_seeds", n_seeds, 1)
    if final_loss.ndim != 1 or final_loss.shape[0] % k:
        raise ValueError(f"final_loss must have shape (G * n_seeds,), got {final_loss.shape} with n_seeds={k}")
    groups = final_loss.reshape(-1, k)  # (G, k)
    return np.arange(groups.shape[0]) * k + np.argmin(groups, axis=1)  # (G,)


def select_instances(params, index):
    """params restricted to the instances ``index`` (e.g. from ``best_of_seeds``)."""
    return {k: v[index] for k, v in params.items()}
