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

import copy
import inspect
import time
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from .optim import adamw_init, adamw_step, lr_schedule
from .progress import Progress
from ._validate import check_array, check_choice, check_float, check_int


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


# what users of other libraries call train()'s arguments, and what minimem calls them (or why it has none)
ALIASES = {"learning_rate": "lr", "wd": "weight_decay", "epochs": "steps", "n_steps": "steps", "num_steps": "steps",
           "max_steps": "steps", "warmup_steps": "warmup", "n_warmup": "warmup", "beta1": "betas", "beta2": "betas",
           "epsilon": "eps", "optimizer": None, "seed": None, "rng": None, "batch_size": None, "device": None}
WHY_NOT = {"optimizer": "train() always uses AdamW (minimem.optim.adamw_step)",
           "seed": "train() draws nothing at random: the randomness is in the init (init_params(..., rng)) and the data",
           "rng": "train() draws nothing at random: the randomness is in the init (init_params(..., rng)) and the data",
           "batch_size": "train() is full batch: every step uses every sample of x",
           "device": "minimem runs on the CPU"}


def _unknown_argument(name, model, accepted_options):
    """The error for an argument that neither train() nor the model's forward takes, naming the closest
    valid one."""
    import difflib
    own = [p for p in inspect.signature(train).parameters if p not in ("model_options",)]
    if name in WHY_NOT:
        return TypeError(f"train() got an unknown argument {name!r}: {WHY_NOT[name]}")
    if ALIASES.get(name):
        return TypeError(f"train() got an unknown argument {name!r}; did you mean {ALIASES[name]!r}?")
    valid = own + sorted(accepted_options)
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return TypeError(f"train() got an unknown argument {name!r}; {hint}train() takes {', '.join(own)}, and "
                     f"{model.__name__} takes the model options {sorted(accepted_options) or 'none'}")


def get_model(model):
    """A model module, or its name: 'relu_output', 'relu_hidden', 'mlp', 'unembed'."""
    from . import MODELS
    if isinstance(model, str):
        check_choice("model", model, MODELS)
        return MODELS[model]
    needed = ("forward", "backward", "loss_and_grads", "check_shapes", "kernel_layout")
    if not all(hasattr(model, a) for a in needed):
        raise TypeError(f"model must be a model name {sorted(MODELS)} or a module with "
                        f"{', '.join(needed)}, got {model!r}")
    return model


def check_inputs(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """Check everything a model, its params and a data set must satisfy, for both backends, and
    return them ready to use: (model, x, target, loss, importance, mask), with x and float targets
    in the params' dtype. Raises ValueError / TypeError naming the argument."""
    model = get_model(model)
    accepted = set(inspect.signature(model.forward).parameters) - {"params", "x"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise _unknown_argument(unknown[0], model, accepted)
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays, got {type(params).__name__}")
    for k, v in params.items():
        check_array(f"params[{k!r}]", v)
        if v.dtype not in (np.float32, np.float64):
            raise TypeError(f"params[{k!r}] must be float32 or float64, got {v.dtype}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"params[{k!r}] contains NaN or inf")
    dtypes = {v.dtype for v in params.values()}
    if len(dtypes) > 1:
        raise TypeError(f"params must share one dtype, got {sorted(str(d) for d in dtypes)}")
    dtype = dtypes.pop()
    K = model.check_shapes(params, x)  # every shape, and x a 3-D float array
    layout = model.kernel_layout(params, **options)
    names = {layout[g] for g in ("W1", "b1", "W2", "b2") if layout[g]}
    if set(params) != names:
        raise ValueError(f"params has entries {sorted(params)}, but this {model.__name__} model "
                         f"takes exactly {sorted(names)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf")
    I, T = x.shape[:2]
    if T == 0:
        raise ValueError(f"x has no samples: its shape {x.shape} is (I, T, n) with T=0")
    x = x.astype(dtype, copy=False)
    loss = model.DEFAULT_LOSS if loss is None else check_choice("loss", loss, _losses.LOSSES)
    if mask is not None:
        _losses._counts(mask, I, T)  # a bool (I, T) array leaving every instance a sample
    if not isinstance(target, np.ndarray):
        raise TypeError(f"target must be a numpy array, got {type(target).__name__}")
    if loss == "ce" and target.dtype.kind in "iu":
        check_array("target", target, shape=(I, T), dtype_kind="i")
        if target.size and (target.min() < 0 or target.max() >= K):
            raise ValueError(f"target: hard labels must lie in [0, {K}), got range "
                             f"[{target.min()}, {target.max()}]")
    else:
        if target.dtype.kind != "f":
            raise TypeError(f"target must be a float array of shape ({I}, {T}, {K})"
                            f"{' or integer labels (I, T)' if loss == 'ce' else ''}, got dtype {target.dtype}")
        check_array("target", target, shape=(I, T, K))
        if not np.all(np.isfinite(target)):
            raise ValueError("target contains NaN or inf")
        if loss == "ce" and np.any(target < 0):
            raise ValueError("target: soft labels for cross-entropy must be >= 0")
        target = target.astype(dtype, copy=False)
    if importance is not None:
        if loss != "mse":
            raise ValueError("importance applies to the 'mse' loss only, not 'ce'")
        imp = np.asarray(importance)
        if imp.dtype.kind not in "fiu":
            raise TypeError(f"importance must be a real array, got dtype {imp.dtype}")
        if imp.shape not in ((K,), (I, K)):
            raise ValueError(f"importance must have shape ({K},) or ({I}, {K}), got {imp.shape}")
        if not np.all(np.isfinite(imp)) or np.any(imp < 0):
            raise ValueError("importance must be finite and >= 0")
        importance = imp.astype(dtype)  # a fresh writable copy
    return model, x, target, loss, importance, mask


class _NumpyRun:
    """The readable reference loop, in the interface train() drives (see fused.Run):

        loss_s, grads = model.loss_and_grads(params, x, target)      forward + backward
        params        = adamw_step(params, grads, lr(s))             optim.py
    """

    def __init__(self, model, params, x, target, *, loss, importance, mask, weight_decay, betas, eps,
                 no_decay, copy_params=True, **options):
        self.model, self.x, self.target = model, x, target
        self.kw = dict(loss=loss, importance=importance, mask=mask, **options)
        self.opt = dict(beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
                        no_decay=no_decay)
        self.p = {k: v.copy() for k, v in params.items()} if copy_params else params
        self.state = adamw_init(self.p)
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
            adamw_step(self.p, grads, self.state, lrs[s - s0], **self.opt)
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


def train(model, params, x, target, *, steps, lr=1e-3, schedule="henighan", warmup=None,
          weight_decay=1e-2, betas=(0.9, 0.999), eps=1e-8, no_decay=(), loss=None,
          importance=None, mask=None, snapshot_steps=(), progress=None, copy_params=True,
          desc="train", backend="auto", parallel="auto", **model_options):
    """Train ``params`` of ``model`` full batch for ``steps`` AdamW steps.

    I is the number of independent models trained at once (instances), T the samples per
    instance, n the input features, K the outputs (n for auto-encoders, V classes for
    cross-entropy).

    Parameters
    ----------
    model : module or str
        relu_output, relu_hidden, mlp or unembed (or their names).
    params : dict of (I, ...) arrays
        As the model's ``init_params`` returns them; float32 or float64, finite. Copied unless
        ``copy_params=False`` with the numpy backend (then updated in place).
    x : (I, T, n) array
        Inputs, cast to the params' dtype; T >= 1.
    target : (I, T, K) float array, or (I, T) int array
        What the loss compares the output with: x itself for auto-encoders (MSE), class labels
        (I, T) or distributions (I, T, V) for cross-entropy.
    steps : int
        Number of AdamW updates, full batch (every step uses every sample).
    lr : float, default 1e-3
        Peak learning rate.
    schedule : 'henighan' or 'constant', default 'henighan'
        Henighan et al.'s linear warm-up then cosine decay to 0, or a constant ``lr``.
    warmup : int, default 5% of ``steps``
        Warm-up steps of the 'henighan' schedule (the paper's 2,500 of 50,000).
    weight_decay : float, default 1e-2
        AdamW's decoupled weight decay (torch.optim.AdamW's default), >= 0.
    betas : (float, float), default (0.9, 0.999)
        AdamW's moment decay rates, each in [0, 1).
    eps : float, default 1e-8
        AdamW's denominator term, > 0.
    no_decay : collection of str
        Keys of params that are not decayed (all are by default, as in the original notebooks).
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
        False lets the numpy backend update ``params`` in place.
    desc : str
        The progress bar's label.
    backend : 'auto', 'numpy' or 'numba'
        'numpy' runs the readable reference loop (_NumpyRun); 'numba' the fused kernels of
        fused.py (the same math, tested equal); 'auto' picks numba when it is installed.
    parallel : 'auto', 'instances', 'samples' or 'serial'
        How the numba backend uses the cores (see fused.Run).
    **model_options
        Passed to forward, e.g. ``relu_out=True`` for the MLP. Any other keyword is an error that
        names the closest valid argument.

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
    model, x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss,
                                                            importance=importance, mask=mask,
                                                            **model_options)
    steps = check_int("steps", steps, 1)
    snaps = sorted({check_int("snapshot step", s, 0) for s in snapshot_steps})
    if snaps and snaps[-1] > steps:
        raise ValueError(f"snapshot_steps must be <= steps={steps}, got {snaps[-1]}")
    lrs = lr_schedule(steps, lr, schedule, warmup)  # (steps,)
    weight_decay = check_float("weight_decay", weight_decay, 0.0)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    betas = (check_float("betas[0]", betas[0], 0.0, 1.0, high_open=True),
             check_float("betas[1]", betas[1], 0.0, 1.0, high_open=True))
    eps = check_float("eps", eps, 0.0, low_open=True)  # eps = 0 divides 0 by 0 for unused weights
    if isinstance(no_decay, str) or not all(isinstance(k, str) for k in no_decay):
        raise TypeError(f"no_decay must be a collection of parameter names, got {no_decay!r}")
    no_decay = set(no_decay)
    if no_decay - set(params):
        raise ValueError(f"no_decay names {sorted(no_decay - set(params))}, which are not in params "
                         f"{sorted(params)}")
    if progress not in (None, True, False):
        raise TypeError(f"progress must be None, True or False, got {progress!r}")
    backend = check_choice("backend", backend, ("auto", "numpy", "numba"))
    parallel = check_choice("parallel", parallel, ("auto", "instances", "samples", "serial"))
    if backend == "auto":
        backend = "numba" if _have_numba() else "numpy"
    kw = dict(loss=loss, importance=importance, mask=mask, weight_decay=weight_decay, betas=betas,
              eps=eps, no_decay=no_decay, **model_options)
    if backend == "numba":
        from .fused import Run
        run = Run(model, params, x, target, parallel=parallel, **kw)
    else:
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
        if s == 0:
            bar.mark()  # the first segment compiled or loaded the kernels: not part of the estimate
        bar.update(s1 - s, info=f"loss {hist[s1 - 1].mean():.4g}")
        s = s1
    final = run.final_loss()
    if not np.all(np.isfinite(final)):
        bar.close()
        raise TrainingDiverged(steps, final)
    if steps in snaps:
        snapshots[steps] = run.params()
    bar.close(info=f"final loss {final.mean():.4g}")
    return TrainResult(params=run.final_params(), losses=hist, final_loss=final, snapshots=snapshots, lrs=lrs)


def evaluate(model, params, x, target, *, loss=None, importance=None, mask=None, backend="auto",
             **model_options):
    """The loss of every instance (I,) of ``model`` at ``params`` on a data set (x, target), the
    public way to score a model on a test set. Inputs are checked as by ``train``. backend 'numba'
    (the default when installed) streams the samples through the fused kernels without (T, n)
    temporaries, 'numpy' runs ``model.loss_and_grads``; the two agree to 1e-12 in float64."""
    model, x, target, loss, importance, mask = check_inputs(model, params, x, target, loss=loss,
                                                            importance=importance, mask=mask,
                                                            **model_options)
    backend = check_choice("backend", backend, ("auto", "numpy", "numba"))
    if backend == "numpy" or (backend == "auto" and not _have_numba()):
        return model.loss_and_grads(params, x, target, loss=loss, importance=importance, mask=mask,
                                    **model_options)[0]
    from . import fused
    return fused.evaluate(model, params, x, target, loss=loss, importance=importance, mask=mask,
                          **model_options)


def _have_numba():
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency, but the numpy path needs none
        return False
    return True


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
