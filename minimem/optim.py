r"""AdamW exactly as torch.optim.AdamW, SGD with momentum as torch.optim.SGD, and the Henighan
learning-rate schedule.

AdamW (Loshchilov & Hutter 2019), in the order torch.optim.AdamW applies it, at step t = 1, 2, ...

    (1) p <- p - lr * wd * p                       decoupled weight decay (before the Adam step)
    (2) m <- beta1 * m + (1 - beta1) * g           first moment
    (3) v <- beta2 * v + (1 - beta2) * g^2         second moment
    (4) m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)      bias correction
    (5) p <- p - lr * m_hat / (sqrt(v_hat) + eps)

reference: https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html (torch computes (5) as
p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), the same number up to rounding).
Defaults betas (0.9, 0.999), eps 1e-8, weight decay 1e-2 as torch.optim.AdamW.

SGD with momentum (Robbins & Monro; Polyak's heavy ball), as torch.optim.SGD with dampening 0 and
no Nesterov term, at every step:

    (1) p <- p - lr * wd * p                       decoupled weight decay (decoupled=True only)
    (2) g <- g + wd * p                            L2 weight decay, torch's (decoupled=False, the default)
    (3) b <- mu * b + g                            momentum buffer (b starts at 0, so b = g at the first step, as torch)
    (4) p <- p - lr * b

reference: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html. Unlike Adam's, its step
has no per-coordinate bound: it is lr times the gradient's running sum, whatever its size.

Biases are decayed like every other parameter by default, as ``torch.optim.AdamW(model.parameters())``
does in the TMS and Henighan notebooks; pass ``no_decay={"b_final", ...}`` to exempt names.

Henighan et al. (2023) schedule over ``steps`` steps (step index s = 0 .. steps-1):

    lr(s) = lr_max * s / warmup                                          s <  warmup
    lr(s) = lr_max * (1 + cos(pi * (s - warmup) / (steps - 1 - warmup))) / 2   s >= warmup

so lr(0) = 0, lr(warmup) = lr_max and lr(steps - 1) = 0 (with warmup = steps - 1 the last step
is the end of the decay: 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_adamw, check_float, check_schedule, check_sgd


@dataclass(frozen=True)
class AdamW:
    """AdamW's settings, as torch.optim.AdamW takes them: ``train(..., opt=AdamW(lr=1e-3))``.

    lr : peak learning rate (the schedule's maximum), >= 0
    betas : (beta1, beta2), the moments' decay rates, each in [0, 1)
    eps : the denominator's term, > 0 (0 would divide 0 by 0 for a weight with no gradient)
    weight_decay : decoupled weight decay, >= 0
    no_decay : names of params that are not decayed (all are by default, as in the TMS notebooks)

    Checked when made, so a bad setting is refused before anything trains."""
    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 1e-2
    no_decay: frozenset = frozenset()

    def __post_init__(self):
        checked = check_adamw(self.lr, self.betas, self.eps, self.weight_decay, self.no_decay)
        for name, value in zip(("lr", "betas", "eps", "weight_decay", "no_decay"), checked):
            object.__setattr__(self, name, value)  # frozen: the checked values, set once here


@dataclass(frozen=True)
class SGD:
    """SGD with momentum's settings, as torch.optim.SGD takes them (dampening 0, no Nesterov term):
    ``train(..., opt=SGD(lr=0.1, momentum=0.9))``.

    lr : peak learning rate, >= 0
    momentum : in [0, 1)
    weight_decay : >= 0; torch's L2 term added to the gradient, or decoupled (p -= lr wd p) with
        ``decoupled=True``
    decoupled : bool
    no_decay : names of params that are not decayed"""
    lr: float = 1e-3
    momentum: float = 0.0
    weight_decay: float = 0.0
    decoupled: bool = False
    no_decay: frozenset = frozenset()

    def __post_init__(self):
        checked = check_sgd(self.lr, self.momentum, self.weight_decay, self.decoupled, self.no_decay)
        for name, value in zip(("lr", "momentum", "weight_decay", "decoupled", "no_decay"), checked):
            object.__setattr__(self, name, value)


def step_of(opt):
    """The numpy update and its state for ``opt``: (step(params, grads, state, lr), init(params))."""
    if isinstance(opt, SGD):
        return (lambda p, g, state, lr: sgd_step(p, g, state, lr, opt.momentum, opt.weight_decay, opt.decoupled,
                                                 opt.no_decay)), sgd_init
    return (lambda p, g, state, lr: adamw_step(p, g, state, lr, opt.betas[0], opt.betas[1], opt.eps,
                                               opt.weight_decay, opt.no_decay)), adamw_init


def adamw_init(params):
    """Optimizer state: zero moments shaped like params and the step counter t = 0."""
    return {"t": 0,
            "m": {k: np.zeros_like(p) for k, p in params.items()},
            "v": {k: np.zeros_like(p) for k, p in params.items()}}


def sgd_init(params):
    """SGD's state: a zero momentum buffer shaped like each parameter."""
    return {"b": {k: np.zeros_like(p) for k, p in params.items()}}


def sgd_step(params, grads, state, lr, momentum=0.0, weight_decay=0.0, decoupled=False, no_decay=()):
    """One in-place SGD update of every array in ``params`` (see the module docstring)."""
    for k, p in params.items():
        g = grads[k]
        decay = weight_decay and k not in no_decay
        if decay and decoupled:
            p -= lr * weight_decay * p  # (1) decoupled weight decay
        elif decay:
            g = g + weight_decay * p  # (2) L2 weight decay
        b = state["b"][k]
        b *= momentum
        b += g  # (3) momentum buffer
        p -= lr * b  # (4) step
    return params


def adamw_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2,
               no_decay=()):
    """One in-place AdamW update of every array in ``params`` (see the module docstring)."""
    state["t"] += 1
    t = state["t"]
    bc1 = 1.0 - beta1 ** t  # bias correction of the first moment
    bc2 = 1.0 - beta2 ** t  # bias correction of the second moment
    for k, p in params.items():
        g = grads[k]
        m, v = state["m"][k], state["v"][k]
        if weight_decay and k not in no_decay:
            p -= lr * weight_decay * p  # (1) decoupled weight decay
        m *= beta1
        m += (1.0 - beta1) * g  # (2) first moment
        v *= beta2
        v += (1.0 - beta2) * g * g  # (3) second moment
        m_hat = m / bc1  # (4) bias correction
        v_hat = v / bc2
        p -= lr * m_hat / (np.sqrt(v_hat) + eps)  # (5) Adam step
    return params


def lr_schedule(steps, lr=1e-3, schedule="henighan", warmup=None):
    """All learning rates of a run, shape (steps,): 'henighan' or 'constant'. ``warmup`` defaults to
    5% of the steps, the Henighan schedule's proportion (2,500 of 50,000). Checks its arguments
    (checks.check_schedule), then ``schedule_of``."""
    steps, schedule, warmup = check_schedule(steps, schedule, warmup)
    return schedule_of(steps, check_float("lr", lr, 0.0), schedule, warmup)


def schedule_of(steps, lr, schedule, warmup):
    """The learning rates (steps,) of checked arguments (see the module docstring)."""
    if schedule == "constant":
        return np.full(steps, lr)
    s = np.arange(steps, dtype=np.float64)
    span = steps - 1 - warmup  # >= 0; 0 when the decay is the last step alone, which is 0
    cos = lr * 0.5 * (1.0 + np.cos(np.pi * (s - warmup) / max(span, 1)))
    lrs = np.where(s < warmup, lr * s / max(warmup, 1), cos)
    lrs[-1] = 0.0 if steps > 1 else lrs[-1]  # lr(steps - 1) = 0 (with warmup = steps - 1 too)
    return lrs


def adam_reach(lrs, weight_decay=0.0):
    """How far AdamW can move one coordinate over a run whose learning rates are ``lrs`` (steps,):

        r_0 = 0,   r_{t+1} = (1 - lr_t wd) r_t + lr_t       (so r_T = sum_t lr_t when wd = 0)

    Adam's update m_hat / (sqrt(v_hat) + eps) has magnitude about 1 or less per coordinate when a
    gradient keeps its sign (m_hat ~ g, sqrt(v_hat) ~ |g|), and decoupled weight decay shrinks the
    weight by lr_t wd per step, so |w_T - w_0| <~ r_T. A loss that keeps pushing every coordinate
    outwards (cross-entropy on memorised points) fills the box |w_i| <= r_T: a square in 2-D."""
    lrs = np.asarray(lrs, dtype=np.float64)
    wd = check_float("weight_decay", weight_decay, 0.0)
    r = 0.0
    for lr in lrs:  # a recurrence over steps; (steps,) scalars, cheap
        r = (1.0 - lr * wd) * r + lr
    return r
