r"""Full-batch training of any minimem model with AdamW and the Henighan schedule.

One step s = 0 .. steps-1 of the readable numpy path:

    loss_s, grads = model.loss_and_grads(params, x, target)      forward + backward, all samples
    params        = adamw_step(params, grads, lr(s))             optim.py

``train`` records loss_s for every step (shape (steps, I)), copies of params at chosen steps
(``snapshot_steps``: the params after that many updates, 0 = the initialisation), and the final
train loss after the last update. It stops with ``TrainingDiverged`` naming the step as soon as a
loss is NaN or infinite, and shows a progress bar on long runs.

Instances are independent: the loss that is differentiated is sum_k L_k, so instance k's gradient
is that of its own loss, and AdamW is elementwise, so K models train in one call exactly as they
would one by one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from .optim import adamw_init, adamw_step, lr_schedule
from .progress import Progress
from ._validate import check_choice, check_int


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or infinite; ``step`` says when."""

    def __init__(self, step, loss):
        self.step = step
        bad = np.flatnonzero(~np.isfinite(np.atleast_1d(loss))).tolist()
        super().__init__(f"training diverged at step {step}: loss is not finite for instances {bad} "
                         f"(values {np.atleast_1d(loss)[bad][:5].tolist()}); lower the learning rate "
                         f"or check the data")


@dataclass
class TrainResult:
    """What ``train`` returns. losses[s, k] is instance k's train loss before update s."""
    params: dict
    losses: np.ndarray  # (steps, I)
    final_loss: np.ndarray  # (I,) after the last update
    snapshots: dict = field(default_factory=dict)  # step -> params after that many updates
    lrs: np.ndarray | None = None  # (steps,)


def get_model(model):
    """A model module, or its name: 'relu_output', 'relu_hidden', 'mlp', 'unembed'."""
    from . import MODELS
    if isinstance(model, str):
        check_choice("model", model, MODELS)
        return MODELS[model]
    if not all(hasattr(model, a) for a in ("forward", "backward", "loss_and_grads")):
        raise TypeError(f"model must be a model name {sorted(MODELS)} or a module with forward, "
                        f"backward and loss_and_grads, got {model!r}")
    return model


def train(model, params, x, target, *, steps, lr=1e-3, schedule="henighan", warmup=2500,
          weight_decay=1e-2, betas=(0.9, 0.999), eps=1e-8, no_decay=(), loss=None,
          importance=None, mask=None, snapshot_steps=(), progress=None, copy_params=True,
          desc="train", backend="auto", parallel="auto", **model_options):
    """Train ``params`` of ``model`` full batch for ``steps`` AdamW steps.

    Parameters
    ----------
    model : module or str
        relu_output, relu_hidden, mlp or unembed (or their names).
    params : dict of (I, ...) arrays
        Copied unless ``copy_params=False`` (then updated in place).
    x, target : arrays
        Inputs (I, T, n); targets as the model's loss expects (x itself for auto-encoders, labels
        (I, T) or distributions (I, T, V) for cross-entropy).
    steps, lr, schedule, warmup
        Number of updates; peak learning rate; 'henighan' (warm-up then cosine to 0) or 'constant'.
    weight_decay, betas, eps, no_decay
        AdamW settings (torch defaults); names in ``no_decay`` are not decayed.
    loss : 'mse' or 'ce' (default: the model's)
    importance, mask
        Per-feature MSE weights (n,) or (I, n); valid-sample mask (I, T) for ragged data sets.
    snapshot_steps : iterable of int
        Keep a copy of params after that many updates (0 = initial, ``steps`` = final).
    progress : None, True or False
        Progress bar on stderr: None shows it only for runs longer than 2 s.
    backend : 'auto', 'numpy' or 'numba'
        'numpy' runs the readable reference loop below; 'numba' the fused kernels of fused.py
        (the same math, tested equal); 'auto' picks numba when it is installed.
    parallel : 'auto', 'instances', 'samples' or 'serial'
        How the numba backend uses the cores (see fused.train_fused).
    **model_options
        Passed to forward, e.g. ``relu_out=True`` for the MLP.
    """
    model = get_model(model)
    steps = check_int("steps", steps, 1)
    loss = model.DEFAULT_LOSS if loss is None else check_choice("loss", loss, _losses.LOSSES)
    snaps = sorted({check_int("snapshot step", s, 0) for s in snapshot_steps})
    if snaps and snaps[-1] > steps:
        raise ValueError(f"snapshot_steps must be <= steps={steps}, got {snaps[-1]}")
    lrs = lr_schedule(steps, lr, schedule, warmup)  # (steps,)
    backend = check_choice("backend", backend, ("auto", "numpy", "numba"))
    if backend == "auto":
        backend = "numba" if _have_numba() else "numpy"
    bar = Progress(steps, desc=desc, enabled=progress)
    if backend == "numba":
        from .fused import train_fused
        check_choice("parallel", parallel, ("auto", "instances", "samples", "serial"))
        unknown = set(model_options) - {"relu_out"}
        if unknown:
            raise TypeError(f"unknown model options {sorted(unknown)}")
        out = train_fused(model, params, x, target, lrs, loss=loss, importance=importance, mask=mask,
                          weight_decay=weight_decay, betas=betas, eps=eps, no_decay=set(no_decay),
                          snapshot_steps=snaps, bar=bar, parallel=parallel, **model_options)
        params, hist, final, snapshots = out
        bar.close(info=f"final loss {final.mean():.4g}")
        return TrainResult(params=params, losses=hist, final_loss=final, snapshots=snapshots, lrs=lrs)
    if copy_params:
        params = {k: v.copy() for k, v in params.items()}
    state = adamw_init(params)
    hist = None
    snapshots = {}
    for s in range(steps):
        if s in snaps:
            snapshots[s] = copy.deepcopy(params)
        value, grads = model.loss_and_grads(params, x, target, loss=loss, importance=importance,
                                            mask=mask, **model_options)
        if hist is None:
            hist = np.empty((steps, value.shape[0]))  # (steps, I)
        if not np.all(np.isfinite(value)):
            bar.close()
            raise TrainingDiverged(s, value)
        hist[s] = value
        adamw_step(params, grads, state, lrs[s], betas[0], betas[1], eps, weight_decay, no_decay)
        bar.update(1, info=f"loss {value.mean():.4g}")
    final, _ = model.loss_and_grads(params, x, target, loss=loss, importance=importance, mask=mask,
                                    **model_options)
    if not np.all(np.isfinite(final)):
        bar.close()
        raise TrainingDiverged(steps, final)
    if steps in snaps:
        snapshots[steps] = copy.deepcopy(params)
    bar.close(info=f"final loss {final.mean():.4g}")
    return TrainResult(params=params, losses=hist, final_loss=final, snapshots=snapshots, lrs=lrs)


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
